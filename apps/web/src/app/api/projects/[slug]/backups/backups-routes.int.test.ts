import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserRequest, createBackupsFixture, queuedJobs, type BackupsFixture, type Role } from "@test-support/backups-fixture";

// The Backups routes through the REAL handlers: real session cookies, the access module, a real
// PostgreSQL, Redis queues under a test prefix and a backup store in a temporary folder.
let f: BackupsFixture;
let routes: {
  list: typeof import("./route");
  download: typeof import("./[backupId]/download/route");
  restore: typeof import("./[backupId]/restore/route");
  uploads: typeof import("./uploads/route");
};
let doneBackups: Record<"production" | "staging", string>;

const slugParams = () => ({ params: Promise.resolve({ slug: f.slug }) });
const backupParams = (backupId: string) => ({ params: Promise.resolve({ slug: f.slug, backupId }) });
const json = async (r: Response) => ({
  status: r.status,
  body: (await r.json()) as Record<string, unknown> & { error?: { message: string } },
});
const auditCount = (action: string) => f.prisma.auditEntry.count({ where: { projectId: f.projectId, action } });

/** A completed backup row with its dump in the store (what the worker leaves). */
async function doneBackup(branchId: string, dump: Buffer): Promise<string> {
  const row = await f.prisma.backup.create({
    data: { projectId: f.projectId, branchId, kind: "daily", state: "done", sizeBytes: BigInt(dump.length), finishedAt: new Date() },
  });
  const key = `backups/${row.id}/dump.pgc`;
  mkdirSync(path.join(f.root, "backups", row.id), { recursive: true });
  writeFileSync(path.join(f.root, key), dump);
  await f.prisma.backup.update({
    where: { id: row.id },
    data: { location: `backups/${row.id}`, manifest: { database: "b2db", dump: { key, size: dump.length, sha256: "x" } } },
  });
  return row.id;
}

beforeAll(async () => {
  f = await createBackupsFixture({ maxBytes: 64 * 1024, env: process.env });
  routes = {
    list: await import("./route"),
    download: await import("./[backupId]/download/route"),
    restore: await import("./[backupId]/restore/route"),
    uploads: await import("./uploads/route"),
  };
  doneBackups = {
    production: await doneBackup(f.branches.production.id, Buffer.from("PGDMP-production")),
    staging: await doneBackup(f.branches.staging.id, Buffer.from("PGDMP-staging")),
  };
});

afterAll(async () => {
  await f?.close();
});

describe("authorization per role and stage (the role matrix's Backups cells)", () => {
  const expected: Record<"production" | "staging" | "development", Role[]> = {
    production: ["admin"],
    staging: ["admin", "tester"],
    development: [],
  };

  it("lists, downloads and uploads only where the matrix allows; nothing is written on refusal", async () => {
    const mismatches: string[] = [];
    for (const stage of ["production", "staging", "development"] as const) {
      const branch = encodeURIComponent(f.branches[stage].name);
      for (const who of ["admin", "tester", "developer"] as const) {
        const allowed = expected[stage].includes(who);
        const list = await routes.list.GET(browserRequest(f, who, `/api/projects/${f.slug}/backups?branch=${branch}`), slugParams());
        if (list.status !== (allowed ? 200 : 403)) mismatches.push(`${stage} list ${who}: ${list.status}`);
        if (stage !== "development") {
          const dl = await routes.download.GET(
            browserRequest(f, who, `/api/projects/${f.slug}/backups/${doneBackups[stage]}/download?format=dump`),
            backupParams(doneBackups[stage]),
          );
          if (dl.status !== (allowed ? 200 : 403)) mismatches.push(`${stage} download ${who}: ${dl.status}`);
          await dl.body?.cancel();
        }
        const up = await routes.uploads.POST(
          browserRequest(f, who, `/api/projects/${f.slug}/backups/uploads?branch=${branch}`, { method: "POST", body: "" }),
          slugParams(),
        );
        if (up.status !== (allowed ? 400 : 403)) mismatches.push(`${stage} upload ${who}: ${up.status}`);
      }
    }
    expect(mismatches).toEqual([]);
    const anonymous = await routes.list.GET(browserRequest(f, null, `/api/projects/${f.slug}/backups?branch=main`), slugParams());
    expect(anonymous.status).toBe(401);
    const developer = await json(
      await routes.list.GET(browserRequest(f, "developer", `/api/projects/${f.slug}/backups?branch=main`), slugParams()),
    );
    expect(developer.body.error?.message).toBe("Your role (developer) does not give access to Backups on production builds.");
    expect(await queuedJobs(f.queues, "backup.inspect-upload")).toEqual([]);
  });

  it("lists a branch's backups with size, state and verification", async () => {
    const { status, body } = await json(
      await routes.list.GET(browserRequest(f, "tester", `/api/projects/${f.slug}/backups?branch=staging-1`), slugParams()),
    );
    expect(status).toBe(200);
    expect(body.backups).toEqual([
      expect.objectContaining({
        id: doneBackups.staging,
        kind: "daily",
        state: "done",
        sizeBytes: 13,
        verifiedAt: null,
        verifyError: null,
      }),
    ]);
    expect(body.branch).toEqual({ name: "staging-1", stage: "staging", hasDatabase: true });
  });
});

describe("manual backups", () => {
  it("queues at most 5 per branch per day, then refuses with a clear message and changes nothing", async () => {
    const take = (who: Role, branch = "staging-1") =>
      routes.list
        .POST(
          browserRequest(f, who, `/api/projects/${f.slug}/backups`, {
            method: "POST",
            body: JSON.stringify({ branch }),
            headers: { "content-type": "application/json" },
          }),
          slugParams(),
        )
        .then(json);
    for (let i = 1; i <= 5; i++) {
      const r = await take(i % 2 ? "tester" : "admin");
      expect(r.status, `backup ${i}`).toBe(202);
      expect(r.body.remainingToday).toBe(5 - i);
    }
    const sixth = await take("admin");
    expect(sixth.status).toBe(409);
    expect(sixth.body.error?.message).toBe(
      "This branch already has 5 manual backups today; at most 5 are allowed per day. Try again tomorrow.",
    );
    const rows = await f.prisma.backup.findMany({ where: { branchId: f.branches.staging.id, kind: "manual" } });
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.state === "pending" && r.expiresAt!.getTime() - r.createdAt.getTime() === 7 * 86_400_000)).toBe(true);
    expect((await queuedJobs(f.queues, "backup.create")).map((j) => j.backupId).sort()).toEqual(rows.map((r) => r.id).sort());
    expect(await auditCount("backup.create")).toBe(5);

    // Development: the seed's rule (no backups) — refused by the matrix before anything else.
    expect((await take("admin", "development-1")).status).toBe(403);
    const developer = await take("developer", "main");
    expect(developer.status).toBe(403);
    expect(await f.prisma.backup.count({ where: { kind: "manual" } })).toBe(5);
  });
});

describe("downloads", () => {
  it("streams the stored dump as an attachment and audits it", async () => {
    const before = await auditCount("backup.download");
    const r = await routes.download.GET(
      browserRequest(f, "admin", `/api/projects/${f.slug}/backups/${doneBackups.production}/download?format=dump`),
      backupParams(doneBackups.production),
    );
    expect(r.status).toBe(200);
    expect(r.headers.get("content-disposition")).toMatch(/^attachment; filename="b2db_\d{8}T\d{6}Z\.dump"$/);
    expect(Buffer.from(await r.arrayBuffer()).toString()).toBe("PGDMP-production");
    expect(await auditCount("backup.download")).toBe(before + 1);
  });

  it("has the worker prepare the Odoo zip, then streams it", async () => {
    const id = doneBackups.production;
    const early = await json(
      await routes.download.GET(browserRequest(f, "admin", `/api/projects/${f.slug}/backups/${id}/download?format=zip`), backupParams(id)),
    );
    expect(early.status).toBe(409);
    const prepare = () =>
      routes.download
        .POST(
          browserRequest(f, "admin", `/api/projects/${f.slug}/backups/${id}/download`, { method: "POST", body: "{}" }),
          backupParams(id),
        )
        .then(json);
    expect((await prepare()).body).toEqual({ state: "preparing" });
    expect(await queuedJobs(f.queues, "backup.export")).toEqual([{ backupId: id }]);
    // The worker's backup.export writes exports/<id>.zip (see apps/worker transfer-jobs).
    mkdirSync(path.join(f.root, "exports"), { recursive: true });
    writeFileSync(path.join(f.root, "exports", `${id}.zip`), Buffer.from("PK\u0003\u0004rest-of-zip"));
    expect((await prepare()).body).toEqual({ state: "ready" });
    const zip = await routes.download.GET(
      browserRequest(f, "admin", `/api/projects/${f.slug}/backups/${id}/download?format=zip`),
      backupParams(id),
    );
    expect(zip.headers.get("content-type")).toBe("application/zip");
    expect(
      Buffer.from(await zip.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe("PK");
    // A tester may not prepare a production zip either.
    expect(
      (
        await routes.download.POST(
          browserRequest(f, "tester", `/api/projects/${f.slug}/backups/${id}/download`, { method: "POST", body: "{}" }),
          backupParams(id),
        )
      ).status,
    ).toBe(403);
  });
});

describe("restore", () => {
  const restore = (who: Role, backupId: string, body: unknown, headers: Record<string, string> = {}) =>
    routes.restore
      .POST(
        browserRequest(f, who, `/api/projects/${f.slug}/backups/${backupId}/restore`, {
          method: "POST",
          body: JSON.stringify(body),
          headers,
        }),
        backupParams(backupId),
      )
      .then(json);

  it("needs the confirmation and the Backups cell of both branches; queues one restore per target", async () => {
    const unconfirmed = await restore("admin", doneBackups.production, { branch: "staging-1" });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error?.message).toBe("Restoring overwrites the database and filestore of branch staging-1: confirm it first.");
    expect((await restore("tester", doneBackups.production, { branch: "staging-1", confirm: true })).status).toBe(403);
    expect((await restore("tester", doneBackups.staging, { branch: "main", confirm: true })).status).toBe(403);
    expect((await restore("admin", doneBackups.production, { branch: "development-1", confirm: true })).status).toBe(403);
    expect(
      (await restore("admin", doneBackups.production, { branch: "staging-1", confirm: true }, { origin: "https://evil.example" })).status,
    ).toBe(403);
    expect(await queuedJobs(f.queues, "backup.restore")).toEqual([]);

    const ok = await restore("admin", doneBackups.production, { branch: "staging-1", confirm: true });
    expect(ok).toEqual({ status: 202, body: { targetBranch: "staging-1" } });
    expect(await queuedJobs(f.queues, "backup.restore")).toEqual([
      { backupId: doneBackups.production, targetBranchId: f.branches.staging.id },
    ]);
    const again = await restore("tester", doneBackups.staging, { branch: "staging-1", confirm: true });
    expect(again.status).toBe(409);
    expect(again.body.error?.message).toMatch(/already queued or running/);
    expect(await auditCount("backup.restore")).toBe(1);
  });
});
