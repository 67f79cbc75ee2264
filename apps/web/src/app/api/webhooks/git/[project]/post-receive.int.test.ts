// The sample post-receive hook of the README (docs/examples/post-receive), run for real: a bare
// repository with the hook installed, pushes from a clone, and this route behind a local HTTP
// server. The branches the pushes moved are recorded at their new heads; the same hook with a
// wrong secret records nothing (the route answers 401 and the hook only warns).
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { encryptSecret } from "@slipway/config";
import { insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl || !process.env.REDIS_URL) throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up`");

const HOOK = fileURLToPath(new URL("../../../../../../../../docs/examples/post-receive", import.meta.url));
const SECRET = "a-webhook-secret-of-the-project";
/** A push runs the hook, which calls this process's server: it must not block the event loop. */
const push = async (cwd: string, ...refspecs: string[]) =>
  (await promisify(execFile)("git", ["push", "-q", "origin", ...refspecs], { cwd })).stderr;
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=Ada", "-c", "user.email=ada@example.com", ...args], { cwd, encoding: "utf8" }).trim();

describe("the sample post-receive hook", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let server: http.Server;
  let url: string;
  let projectId: string;
  const tmp = mkdtempSync(path.join(tmpdir(), "slipway-post-receive-"));
  const bare = path.join(tmp, "repo.git");
  const clone = path.join(tmp, "clone");

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    process.env.DATABASE_URL = db.url;
    const { deps } = await import("../../../../../server/deps");
    prisma = deps().prisma;
    const { POST } = await import("./route");
    const user = await prisma.user.create({ data: { login: "hook-admin" } });
    projectId = (
      await insertProject(prisma, {
        slug: "hooked",
        name: "Hooked",
        repoUrl: bare,
        repoKind: "generic",
        odooVersion: "17.0",
        odooImage: "slipway/odoo-standin:17.0",
        baseDomain: "slipway.localhost",
        webhookSecretEnc: encryptSecret(SECRET, deps().config.encryptionKey),
        creatorId: user.id,
      })
    ).id;
    // What Next does for the route: the request as a web Request, the project from the path.
    server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const response = await POST(new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) }), {
        params: Promise.resolve({ project: decodeURIComponent(req.url!.split("/").pop()!) }),
      });
      res.writeHead(response.status, { "content-type": "application/json" }).end(await response.text());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/webhooks/git/hooked`;

    git(tmp, "init", "-q", "--bare", bare);
    copyFileSync(HOOK, path.join(bare, "hooks", "post-receive"));
    execFileSync("chmod", ["+x", path.join(bare, "hooks", "post-receive")]);
    git(bare, "config", "slipway.url", url);
    git(tmp, "clone", "-q", bare, clone);
  }, 120_000);

  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await prisma?.$disconnect();
    await db?.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const heads = async () =>
    Object.fromEntries((await prisma.branch.findMany({ where: { projectId } })).map((b) => [b.name, b.headRevision]));

  it("records the branches a push moved, at their new heads; a wrong secret records nothing", async () => {
    git(bare, "config", "slipway.secret", "not-the-secret");
    git(clone, "commit", "-q", "--allow-empty", "-m", "first");
    expect(await push(clone, "HEAD:main")).toMatch(/slipway: could not notify .* about refs\/heads\/main/);
    expect(await heads()).toEqual({});

    git(bare, "config", "slipway.secret", SECRET);
    git(clone, "commit", "-q", "--allow-empty", "-m", "second");
    expect(await push(clone, "HEAD:main", "HEAD:refs/heads/feature/x")).toBe("");
    const tip = git(clone, "rev-parse", "HEAD");
    expect(await heads()).toEqual({ main: tip, "feature/x": tip });

    git(clone, "commit", "-q", "--allow-empty", "-m", "third");
    expect(await push(clone, "HEAD:main")).toBe("");
    expect((await heads()).main).toBe(git(clone, "rev-parse", "HEAD"));
  }, 120_000);
});
