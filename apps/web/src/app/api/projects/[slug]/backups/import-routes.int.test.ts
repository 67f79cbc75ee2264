import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "@slipway/config";
import { backupTransferHandlers, createWorkerDeps, type WorkerDeps } from "@slipway/worker/testing";
import { browserRequest, createBackupsFixture, queuedJobs, type BackupsFixture, type Role } from "@test-support/backups-fixture";

// Import through the REAL routes: the streamed upload with its size limit, then the worker's
// validation job (run here on the job the route queued, as the worker would), the verdict, and the
// confirmed import. Refusals change nothing: no job, no file left, no backup row.
const MAX = 64 * 1024;
let f: BackupsFixture;
let worker: WorkerDeps;
let routes: {
  uploads: typeof import("./uploads/route");
  upload: typeof import("./uploads/[upload]/route");
  importRoute: typeof import("./uploads/[upload]/import/route");
};

const manifest = JSON.stringify({
  odoo_dump: "1",
  db_name: "shop",
  version: "17.0",
  major_version: "17.0",
  pg_version: "15.0",
  modules: { base: "17.0.1.3" },
});
const json = async (r: Response) => ({
  status: r.status,
  body: (await r.json()) as Record<string, unknown> & { error?: { message: string } },
});

function zip(entries: Record<string, string>): Buffer {
  const script =
    "import zipfile,sys,json,io\nb=io.BytesIO()\nz=zipfile.ZipFile(b,'w',zipfile.ZIP_DEFLATED)\nfor k,v in json.loads(sys.argv[1]).items(): z.writestr(k,v)\nz.close()\nsys.stdout.buffer.write(b.getvalue())";
  return execFileSync("python3", ["-c", script, JSON.stringify(entries)]);
}

const send = (who: Role, body: Uint8Array | ReadableStream<Uint8Array>, branch = "main", headers: Record<string, string> = {}) =>
  routes.uploads
    .POST(
      browserRequest(f, who, `/api/projects/${f.slug}/backups/uploads?branch=${branch}`, {
        method: "POST",
        body: body as BodyInit,
        headers: { "content-type": "application/octet-stream", "x-file-name": "shop.zip", ...headers },
      }),
      { params: Promise.resolve({ slug: f.slug }) },
    )
    .then(json);
const status = (who: Role, upload: string) =>
  routes.upload
    .GET(browserRequest(f, who, `/api/projects/${f.slug}/backups/uploads/${upload}`), { params: Promise.resolve({ slug: f.slug, upload }) })
    .then(json);
const confirm = (who: Role, upload: string, body: unknown) =>
  routes.importRoute
    .POST(
      browserRequest(f, who, `/api/projects/${f.slug}/backups/uploads/${upload}/import`, { method: "POST", body: JSON.stringify(body) }),
      { params: Promise.resolve({ slug: f.slug, upload }) },
    )
    .then(json);
const uploadsDir = () => readdirSync(path.join(f.root, "uploads")).sort();

/** Plays the worker: runs the validation jobs the routes queued. */
async function runInspections(): Promise<void> {
  const handler = backupTransferHandlers(worker)["backup.inspect-upload"];
  const jobs = await f.queues.get("control").getJobs(["waiting", "prioritized"], 0, 100);
  for (const job of jobs.filter((j) => j.name === "backup.inspect-upload")) {
    await handler(job.data as { branchId: string; upload: string }, { jobId: job.id!, attempt: 1, signal: new AbortController().signal });
    await job.remove();
  }
}

beforeAll(async () => {
  f = await createBackupsFixture({ maxBytes: MAX, env: process.env });
  worker = createWorkerDeps({ config: loadWorkerConfig({ ...process.env }), logger: pino({ level: "silent" }) });
  routes = {
    uploads: await import("./uploads/route"),
    upload: await import("./uploads/[upload]/route"),
    importRoute: await import("./uploads/[upload]/import/route"),
  };
});

afterAll(async () => {
  await worker?.redis.quit().catch(() => undefined);
  await worker?.queues.close().catch(() => undefined);
  await f?.close();
});

describe("upload size limit (SLIPWAY_IMPORT_MAX_BYTES)", () => {
  it("refuses a declared length above the limit before reading, and a streamed body as soon as it passes the limit", async () => {
    const declared = await send("admin", randomBytes(1024), "main", { "content-length": String(MAX + 1) });
    expect(declared.status).toBe(413);
    expect(declared.body.error?.message).toBe("The file is above the 0.1 MiB import limit.");
    // No length announced: chunks arrive one by one and the limit cuts the stream.
    const chunks = Array.from({ length: 20 }, () => randomBytes(8 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const streamed = await send("admin", stream);
    expect(streamed.status).toBe(413);
    expect(chunks.length).toBeGreaterThan(0); // stopped reading early
    expect(uploadsDir()).toEqual([]);
    expect(await queuedJobs(f.queues, "backup.inspect-upload")).toEqual([]);
    expect(await f.prisma.auditEntry.count({ where: { action: "backup.upload" } })).toBe(0);
  });
});

describe("validation and confirmation", () => {
  it("refuses a zip with ../ paths with the engine's message; the import of it is refused and nothing changes", async () => {
    const evil = zip({
      "dump.sql": "--\n-- PostgreSQL database dump\n--\n",
      "manifest.json": manifest,
      "filestore/../../../etc/cron.d/x": "boom",
    });
    const sent = await send("admin", evil);
    expect(sent.status).toBe(201);
    const upload = sent.body.upload as string;
    expect(upload).toMatch(/^u-[0-9a-f]{24}$/);
    expect(readFileSync(path.join(f.root, "uploads", upload)).equals(evil)).toBe(true);
    expect((await status("admin", upload)).body.state).toBe("checking");
    expect((await confirm("admin", upload, { confirmOverwrite: true })).status).toBe(409);

    await runInspections();
    const verdict = await status("admin", upload);
    expect(verdict.body).toMatchObject({ state: "invalid", branch: "main", fileName: "shop.zip" });
    expect(verdict.body.message).toBe(
      'The zip contains an unsafe path "filestore/../../../etc/cron.d/x" (absolute or going up with ".."): refused.',
    );
    const refused = await confirm("admin", upload, { confirmOverwrite: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toMatch(/^This file was refused: The zip contains an unsafe path/);
    expect(await queuedJobs(f.queues, "backup.import")).toEqual([]);
    expect(uploadsDir()).toEqual([`${upload}.check.json`, `${upload}.meta.json`]);
    expect(await f.prisma.backup.count()).toBe(0);
  });

  it("imports a valid upload only once confirmed, and only for roles with the branch's Backups cell", async () => {
    const good = zip({
      "dump.sql": "--\n-- PostgreSQL database dump\n--\nSELECT 1;\n",
      "manifest.json": manifest,
      "filestore/ab/abc": "x",
    });
    expect((await send("tester", good)).status).toBe(403); // production: admins only
    const sent = await send("tester", good, "staging-1");
    expect(sent.status).toBe(201);
    const upload = sent.body.upload as string;
    await runInspections();
    expect((await status("tester", upload)).body).toMatchObject({
      state: "valid",
      format: "zip",
      odooVersion: "17.0",
      database: "shop",
      filestoreFiles: 1,
      branch: "staging-1",
    });
    expect((await status("developer", upload)).status).toBe(403);

    const unconfirmed = await confirm("tester", upload, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error?.message).toBe("Importing overwrites the database and filestore of branch staging-1: confirm it first.");
    expect((await confirm("developer", upload, { confirmOverwrite: true })).status).toBe(403);
    expect(await queuedJobs(f.queues, "backup.import")).toEqual([]);

    expect(await confirm("tester", upload, { confirmOverwrite: true })).toEqual({ status: 202, body: { branch: "staging-1" } });
    expect(await queuedJobs(f.queues, "backup.import")).toEqual([{ branchId: f.branches.staging.id, upload, confirmOverwrite: true }]);
    const audit = await f.prisma.auditEntry.findMany({
      where: { projectId: f.projectId, action: { in: ["backup.upload", "backup.import"] } },
      orderBy: { createdAt: "asc" },
      select: { action: true, target: true, actorId: true },
    });
    expect(audit.map((a) => `${a.action}:${a.target}`)).toEqual([
      "backup.upload:main",
      "backup.upload:staging-1",
      "backup.import:staging-1",
    ]);
    // A second import while this one is queued is refused.
    expect((await send("tester", good, "staging-1")).status).toBe(409);
  });

  it("does not show another project's or a made-up upload", async () => {
    for (const name of ["u-000000000000000000000000", "../../etc/passwd", "x"]) expect((await status("admin", name)).status).toBe(404);
  });
});
