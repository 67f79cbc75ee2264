// Backs up Slipway's own state on a production install (run daily by slipway-self-backup.timer,
// as root): one archive /var/backups/slipway/slipway-state-<UTC time>.tar.gz holding
//   control-plane.dump      pg_dump -Fc of the control-plane database (projects, users, builds, backup rows…)
//   env                     /etc/slipway/env (the secrets: without SLIPWAY_ENCRYPTION_KEY deploy keys are lost)
//   state.tar               SLIPWAY_HOME without builds, logs, mails and the backup store (SSH host key,
//                           managed PostgreSQL secrets, …)
//   backup-store-index.tsv  every file of the backup store (path, bytes, modification time): the
//                           store itself is large and kept on its own storage; restore.sh checks it against this
//   manifest.json           when, which release, which host
// then applies the platform's retention rules (7 daily, 4 weekly, 3 monthly; @slipway/domain's
// selectBackupsToKeep) to the archives there. infra/restore.sh rebuilds a server from one archive.
//
// Run with the release's tsx (it imports @slipway/domain's TypeScript):
//   node --import tsx infra/self-backup.mjs --env /etc/slipway/env --dest /var/backups/slipway [--now ISO]
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { selectBackupsToKeep } from "@slipway/domain";

export const ARCHIVE = /^slipway-state-(\d{8}T\d{6}Z)\.tar\.gz$/;
/** SLIPWAY_HOME folders left out: rebuilt by the platform, or (the store) too large and kept elsewhere. */
const STATE_EXCLUDES = ["builds", "logs", "mails", "merges", "tmp", "backups", "repos"];

/** KEY=value lines of an env file (no quoting, as install.sh writes it). */
export function readEnvFile(file) {
  const env = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

const stampOf = (date) =>
  date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
const dateOf = (stamp) =>
  new Date(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
  );

/** Which archive names of `names` to delete under the platform's retention rules (all "daily" backups). */
export function archivesToDrop(names, now, timeZone = "UTC") {
  const backups = names.flatMap((name) => {
    const m = ARCHIVE.exec(name);
    return m ? [{ id: name, takenAt: dateOf(m[1]), kind: "daily" }] : [];
  });
  return selectBackupsToKeep({ backups, now, timeZone }).drop;
}

function storeIndex(store) {
  const rows = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) {
        const st = statSync(p);
        rows.push([path.relative(store, p), st.size, st.mtime.toISOString()].join("\t"));
      }
    }
  };
  if (existsSync(store)) walk(store);
  return rows.sort().join("\n") + (rows.length ? "\n" : "");
}

export function backupOnce({ envFile, dest, now = new Date() }) {
  const env = readEnvFile(envFile);
  const home = env.SLIPWAY_HOME || "/var/lib/slipway";
  const store = env.SLIPWAY_BACKUP_DIR || path.join(home, "backups");
  mkdirSync(dest, { recursive: true, mode: 0o700 });
  const name = `slipway-state-${stampOf(now)}.tar.gz`;
  const work = path.join(dest, `.work-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { mode: 0o700 });
  try {
    // The postgres superuser over the local socket (peer authentication): no password on a command line.
    const dump = openSync(path.join(work, "control-plane.dump"), "w", 0o600);
    try {
      execFileSync("runuser", ["-u", "postgres", "--", "pg_dump", "-Fc", "--no-owner", "-d", "slipway"], {
        stdio: ["ignore", dump, "inherit"],
        cwd: "/",
      });
    } finally {
      closeSync(dump);
    }
    writeFileSync(path.join(work, "env"), readFileSync(envFile), { mode: 0o600 });
    const excludes = STATE_EXCLUDES.flatMap((d) => [`--exclude=./${d}`]);
    execFileSync("tar", ["-C", home, ...excludes, "-cf", path.join(work, "state.tar"), "."], { stdio: "inherit" });
    writeFileSync(path.join(work, "backup-store-index.tsv"), storeIndex(store));
    let release = null;
    try {
      release = path.basename(realpathSync("/opt/slipway/current"));
    } catch {
      /* not a standard install */
    }
    writeFileSync(
      path.join(work, "manifest.json"),
      JSON.stringify({ format: 1, takenAt: now.toISOString(), release, host: hostname(), store }, null, 2) + "\n",
    );
    const part = path.join(dest, `${name}.part`);
    execFileSync("tar", ["-C", work, "-czf", part, "."], { stdio: "inherit" });
    chmodSync(part, 0o600);
    renameSync(part, path.join(dest, name));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const dropped = archivesToDrop(readdirSync(dest), now, env.SLIPWAY_BACKUP_TIME_ZONE || "UTC");
  for (const old of dropped) rmSync(path.join(dest, old), { force: true });
  return { archive: path.join(dest, name), dropped };
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      env: { type: "string", default: "/etc/slipway/env" },
      dest: { type: "string", default: "/var/backups/slipway" },
      now: { type: "string" },
    },
  });
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error(`--now: invalid date ${values.now}`);
  const t0 = Date.now();
  const { archive, dropped } = backupOnce({ envFile: values.env, dest: values.dest, now });
  const bytes = statSync(archive).size;
  console.log(
    `self-backup: ${archive} (${bytes} bytes) in ${((Date.now() - t0) / 1000).toFixed(1)} s; removed by retention: ${dropped.length ? dropped.join(", ") : "none"}`,
  );
}
