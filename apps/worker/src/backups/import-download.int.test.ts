import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "@slipway/config";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { DomainError } from "@slipway/domain";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { queryDatabase } from "../postgres";
import { writeZip, type ZipEntryInput } from "./archive/zip-writer";
import { createBackup } from "./create-backup";
import { downloadBackup } from "./download-backup";
import { importDatabase } from "./import-database";
import { LocalBackupStore } from "./store/local-store";
import { addAttachments, cleanupBackupTests, createBackupProject, fingerprint } from "./testing/backup-fixture";

const labels = { test: "backups-import" };
const tmp = mkdtempSync(join(tmpdir(), "slipway-import-"));
const catcher = { host: "172.17.0.1", port: 2525 };
let db: TemporaryDatabase;
let deps: WorkerDeps;
let store: LocalBackupStore;
let fixture: Awaited<ReturnType<typeof createBackupProject>>;
let zipPath: string;
let dumpPath: string;
let original: Awaited<ReturnType<typeof fingerprint>>;

/** Tables the import changes on purpose (crons and mail servers disabled). */
const withoutDisabled = (f: typeof original) => ({
  ...f,
  tables: Object.fromEntries(Object.entries(f.tables).filter(([t]) => t !== "ir_cron" && t !== "ir_mail_server")),
});

async function zipOf(path: string, entries: { name: string; data: Buffer | string; method?: "store" | "deflate" }[]): Promise<string> {
  const inputs: ZipEntryInput[] = entries.map((e) => ({
    name: e.name,
    method: e.method ?? "deflate",
    open: async () => Readable.from([Buffer.from(e.data)]),
  }));
  await pipeline(writeZip(inputs), createWriteStream(path));
  return path;
}

async function refusal(run: () => Promise<unknown>): Promise<DomainError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  deps = createWorkerDeps({ config: loadWorkerConfig({ ...process.env, DATABASE_URL: db.url }), logger: pino({ level: "silent" }) });
  store = new LocalBackupStore(join(tmp, "store"));
  fixture = await createBackupProject(deps, { labels, staging: true });
  await addAttachments(deps, { database: fixture.production.database, count: 25, size: 5000, labels });
  original = await fingerprint(deps, fixture.production.database);
}, 300_000);

afterAll(async () => {
  if (deps) {
    await cleanupBackupTests(deps, {
      databases: [fixture?.production.database, fixture?.staging?.database].filter((d): d is string => Boolean(d)),
      labels,
    });
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await deps.prisma.$disconnect();
  }
  await db?.drop();
  rmSync(tmp, { recursive: true, force: true });
});

describe("download", () => {
  it("streams an Odoo database-manager zip: dump.sql first (plain SQL), manifest.json in Odoo's format, filestore/", async () => {
    const backup = await createBackup({ deps, store, branchId: fixture.production.branch.id, kind: "manual" });
    const zip = await downloadBackup({ deps, store, backupId: backup.id, format: "zip" });
    expect(zip.fileName).toMatch(new RegExp(`^${fixture.production.database}_\\d{8}T\\d{6}Z\\.zip$`));
    zipPath = join(tmp, zip.fileName);
    await pipeline(zip.stream, createWriteStream(zipPath));
    // Odoo's restore_db reads the zip with Python's zipfile: dump.sql and filestore/* are extracted.
    const check = `import zipfile,json,sys
z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
names=z.namelist(); m=json.loads(z.read('manifest.json'))
print(json.dumps({"first": names[0], "manifest": sorted(m), "version": m["version"], "major": m["major_version"], "pg": m["pg_version"], "modules": sorted(m["modules"]), "db": m["db_name"],
  "files": sorted(n[len('filestore/'):] for n in names if n.startswith('filestore/')), "head": z.open('dump.sql').read(200).decode()}))`;
    writeFileSync(join(tmp, "check.py"), check);
    const seen = JSON.parse(execFileSync("python3", [join(tmp, "check.py"), zipPath]).toString()) as Record<string, unknown>;
    expect(seen.first).toBe("dump.sql");
    expect(seen.manifest).toEqual(["db_name", "major_version", "modules", "odoo_dump", "pg_version", "version", "version_info"]);
    expect(seen).toMatchObject({ version: "17.0", major: "17.0", pg: "15.0", db: fixture.production.database });
    expect(seen.modules).toContain("green_addon");
    expect(seen.files).toEqual(Object.keys(original.files).sort());
    expect(seen.head).toContain("PostgreSQL database dump");

    const dump = await downloadBackup({ deps, store, backupId: backup.id, format: "dump" });
    dumpPath = join(tmp, dump.fileName);
    await pipeline(dump.stream, createWriteStream(dumpPath));
    expect(execFileSync("head", ["-c", "5", dumpPath]).toString()).toBe("PGDMP");
  }, 300_000);
});

describe("import", () => {
  it("imports a Slipway zip into production through the Odoo-format path: same data, crons and mail off", async () => {
    const { production } = fixture;
    await queryDatabase({ pg: fixture.pg, database: production.database, sql: "UPDATE res_partner SET name = 'x'" });
    await queryDatabase({
      pg: fixture.pg,
      database: production.database,
      sql: "INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, active) VALUES ('prod', 'smtp.example.com', 587, 'starttls', 'login', true)",
    });
    const before = await fingerprint(deps, production.database);
    const refused = await refusal(() =>
      importDatabase({ deps, store, branchId: production.branch.id, file: zipPath, confirmOverwrite: false }),
    );
    expect(refused.code).toBe("invalid_input");
    expect(refused.message).toMatch(/overwrites the database and filestore of branch main: confirm it first/);
    expect(await fingerprint(deps, production.database)).toEqual(before);

    const result = await importDatabase({ deps, store, branchId: production.branch.id, file: zipPath, confirmOverwrite: true });
    expect(result).toMatchObject({ format: "zip", odooVersion: "17.0", filestoreFiles: Object.keys(original.files).length });
    expect(withoutDisabled(await fingerprint(deps, production.database))).toEqual(withoutDisabled(original));
    const crons = await queryDatabase<{ n: string }>({
      pg: fixture.pg,
      database: production.database,
      sql: "SELECT count(*)::text AS n FROM ir_cron WHERE active",
    });
    expect(crons[0]!.n).toBe("1"); // the autovacuum only
    expect(
      await queryDatabase({ pg: fixture.pg, database: production.database, sql: "SELECT 1 FROM ir_mail_server WHERE active" }),
    ).toEqual([]);
    const kinds = await deps.prisma.backup.findMany({
      where: { id: { in: [result.safetyBackupId, result.importBackupId] } },
      select: { kind: true, state: true },
    });
    expect(kinds.map((k) => `${k.kind}:${k.state}`).sort()).toEqual(["import:done", "safety:done"]);
  }, 300_000);

  it("imports a pg custom dump into staging, neutralized", async () => {
    const staging = fixture.staging!;
    const result = await importDatabase({ deps, store, branchId: staging.branch.id, file: dumpPath, confirmOverwrite: true, catcher });
    expect(result).toMatchObject({ format: "dump", odooVersion: "17.0", filestoreFiles: 0 });
    const flag = await queryDatabase<{ value: string }>({
      pg: fixture.pg,
      database: staging.database,
      sql: "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'",
    });
    expect(flag.map((r) => r.value.toLowerCase())).toEqual(["true"]);
    expect((await fingerprint(deps, staging.database)).tables.res_partner).toBe(original.tables.res_partner);
  }, 300_000);

  it("refuses ../ paths, a zip bomb, a wrong Odoo version and a non-dump, changing nothing", async () => {
    const { production } = fixture;
    const before = await fingerprint(deps, production.database);
    const backupsBefore = await deps.prisma.backup.count();
    const manifest = JSON.stringify({
      odoo_dump: "1",
      db_name: "x",
      version: "17.0",
      major_version: "17.0",
      pg_version: "15.0",
      modules: { base: "17.0.1.3" },
    });
    const sql = "--\n-- PostgreSQL database dump\n--\nSELECT 1;\n";
    const cases: [string, string, RegExp][] = [
      [
        "traversal",
        await zipOf(join(tmp, "evil.zip"), [
          { name: "dump.sql", data: sql },
          { name: "manifest.json", data: manifest },
          { name: "filestore/../../../etc/cron.d/x", data: "boom" },
        ]),
        /unsafe path "filestore\/\.\.\/\.\.\/\.\.\/etc\/cron\.d\/x"/,
      ],
      [
        "absolute",
        await zipOf(join(tmp, "abs.zip"), [
          { name: "/etc/passwd", data: "x" },
          { name: "dump.sql", data: sql },
          { name: "manifest.json", data: manifest },
        ]),
        /unsafe path "\/etc\/passwd"/,
      ],
      [
        "bomb",
        await zipOf(join(tmp, "bomb.zip"), [
          { name: "manifest.json", data: manifest },
          { name: "dump.sql", data: Buffer.alloc(64 * 1024 ** 2) },
        ]),
        /expands \d+× \(limit 200×\): this looks like a zip bomb/,
      ],
      [
        "version",
        await zipOf(join(tmp, "v16.zip"), [
          { name: "dump.sql", data: sql },
          { name: "manifest.json", data: manifest.replaceAll("17.0", "16.0") },
        ]),
        /made with Odoo 16\.0 but the project runs Odoo 17\.0/,
      ],
      ["no manifest", await zipOf(join(tmp, "nomanifest.zip"), [{ name: "dump.sql", data: sql }]), /no manifest\.json/],
      [
        "not a dump",
        await zipOf(join(tmp, "notdump.zip"), [
          { name: "dump.sql", data: "hello" },
          { name: "manifest.json", data: manifest },
        ]),
        /not a PostgreSQL plain-text dump/,
      ],
    ];
    writeFileSync(join(tmp, "random.bin"), "not a backup at all");
    cases.push(["garbage", join(tmp, "random.bin"), /Unrecognised file/]);
    for (const [what, file, message] of cases) {
      const e = await refusal(() => importDatabase({ deps, store, branchId: production.branch.id, file, confirmOverwrite: true }));
      expect(e.code, what).toBe("invalid_input");
      expect(e.message, what).toMatch(message);
    }
    // A total over the limit, even with honest ratios.
    const big = await zipOf(join(tmp, "big.zip"), [
      { name: "dump.sql", data: sql },
      { name: "manifest.json", data: manifest },
      { name: "filestore/ab/1", data: Buffer.alloc(3 * 1024 ** 2, 7), method: "store" },
    ]);
    const e = await refusal(() =>
      importDatabase({
        deps,
        store,
        branchId: production.branch.id,
        file: big,
        confirmOverwrite: true,
        limits: { maxBytes: 4 * 1024 ** 2, maxUncompressedBytes: 2 * 1024 ** 2 },
      }),
    );
    expect(e.message).toMatch(/expands to more than 2\.0 MiB/);
    const tooBig = await refusal(() =>
      importDatabase({ deps, store, branchId: production.branch.id, file: big, confirmOverwrite: true, limits: { maxBytes: 1024 ** 2 } }),
    );
    expect(tooBig.message).toMatch(/above the 1\.0 MiB import limit/);

    expect(await fingerprint(deps, production.database)).toEqual(before);
    expect(await deps.prisma.backup.count()).toBe(backupsBefore);
  }, 300_000);
});
