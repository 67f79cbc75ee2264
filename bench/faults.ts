// The fault-injection suite of issue 12, run whole, with its table (`npm run test:faults`).
//   npm run services:up
//   npm run test:faults            (or: node --import tsx bench/faults.ts [file filter])
// Runs every fault test file with SLIPWAY_FAULTS=all (each step boundary of a production update,
// rollback and restore killed; the Docker daemon restarted — everyone on the engine sees it for a
// few seconds —; private Redis and PostgreSQL flushed/restarted; a full backup disk; pushes racing a
// rebuild; routes under container churn; lost jobs), one file at a time, then prints the table the
// tests recorded: fault × times injected × production data intact × stuck builds × wrong routes ×
// recovery time. Exit code 1 when a file failed. The table of this machine is in docs/reliability.md.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** The files and, for those that record no rows of their own, what they inject. */
const FILES: { file: string; fault?: string }[] = [
  { file: "apps/worker/src/recovery/crash-recovery.int.test.ts" },
  { file: "apps/worker/src/recovery/production-crash.int.test.ts" },
  { file: "apps/worker/src/proxy/route-keeper.int.test.ts", fault: "a server dies, another project's container takes its address" },
  {
    file: "apps/worker/src/proxy/restore-route.int.test.ts",
    fault: "a restore restarts the server, another container takes its old address",
  },
  {
    file: "apps/worker/src/builds/reconcile.int.test.ts",
    fault: "lost build jobs, a failed finish, a stale slot (scheduled reconciliation)",
  },
  { file: "apps/worker/src/recovery/branch-race.int.test.ts" },
  { file: "apps/worker/src/recovery/backup-disk-full.int.test.ts" },
  { file: "apps/worker/src/recovery/services-faults.int.test.ts" },
  { file: "apps/worker/src/recovery/docker-restart.int.test.ts" },
];

interface Row {
  fault: string;
  times: number;
  productionIntact: boolean | null;
  stuckBuilds: number;
  wrongRoutes: number;
  recoveryMs: number;
  outcome: string;
}

const filter = process.argv[2];
const dir = mkdtempSync(path.join(tmpdir(), "slipway-faults-"));
const table = path.join(dir, "table.jsonl");
const runs: { file: string; ok: boolean; seconds: number; fault?: string }[] = [];
for (const { file, fault } of FILES.filter((f) => !filter || f.file.includes(filter))) {
  const started = Date.now();
  console.log(`\n=== ${file}`);
  const r = spawnSync("npx", ["vitest", "run", "--project", "int", file], {
    stdio: "inherit",
    env: { ...process.env, SLIPWAY_FAULTS: "all", SLIPWAY_FAULT_TABLE: table },
  });
  runs.push({ file, ok: r.status === 0, seconds: (Date.now() - started) / 1000, fault });
}

const rows: Row[] = existsSync(table)
  ? readFileSync(table, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row)
  : [];
rmSync(dir, { recursive: true, force: true });
const yes = (v: boolean | null) => (v === null ? "n/a (no production)" : v ? "intact" : "**NOT intact**");
console.log("\n| fault | times | production data | stuck builds | wrong routes | recovery | outcome |");
console.log("|---|---|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.fault} | ${r.times} | ${yes(r.productionIntact)} | ${r.stuckBuilds} | ${r.wrongRoutes} | ${(r.recoveryMs / 1000).toFixed(1)} s | ${r.outcome} |`,
  );
for (const r of runs.filter((x) => x.fault))
  console.log(`| ${r.fault} | see test | ${r.ok ? "asserted" : "FAILED"} | ${r.ok ? 0 : "?"} | ${r.ok ? 0 : "?"} | — | ${r.file} |`);
console.log("\n| test file | result | duration |\n|---|---|---|");
for (const r of runs) console.log(`| ${r.file} | ${r.ok ? "passed" : "FAILED"} | ${r.seconds.toFixed(0)} s |`);
process.exitCode = runs.every((r) => r.ok) ? 0 : 1;
