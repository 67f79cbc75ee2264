import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, generateSshKeyPair, loadWorkerConfig, type SshKeyPair } from "@slipway/config";
import { deleteProjectSubmodule, insertProject, insertProjectSubmodule, recordPush, setDeployKey, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { listContainers } from "@slipway/docker";
import { startSshGitServer, type SshGitServer } from "@slipway/git/testing";
import { runBuild } from "../builds/run-build";
import { buildWorkspace } from "../builds/workspace";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { tearDownBuildTests } from "../testing/tear-down-builds";
import { FIXTURES_DIR } from "../testing/fixture-repo";

// A private GitHub repository with a private submodule, built by the worker's real pipeline over
// SSH (issue 17): a real OpenSSH server on loopback stands in for github.com (SLIPWAY_GITHUB_SSH_ENDPOINT,
// its host key pinned by SLIPWAY_GITHUB_SSH_KNOWN_HOSTS); each deploy key opens one repository, as
// on GitHub. The private keys never reach a build container, a log or an audit entry.
const run = promisify(execFile);
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const GIT_ENV = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  HOME: "/tmp",
  GIT_AUTHOR_NAME: "Ada",
  GIT_AUTHOR_EMAIL: "ada@example.org",
  GIT_COMMITTER_NAME: "Ada",
  GIT_COMMITTER_EMAIL: "ada@example.org",
};
const git = (cwd: string, ...args: string[]) => run("git", args, { cwd, env: GIT_ENV }).then((r) => r.stdout.trim());
const SUB_URL = "git@github.com:acme/green-lib.git";

let server: SshGitServer;
let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
let work: string;
let projectId: string;
let projectKey: SshKeyPair;
let subKey: SshKeyPair;
let submoduleId: string;
const slug = `prv${randomBytes(3).toString("hex")}`;

/** Commits the shop repository on `branch`: the private library as submodule addons/green_addon. */
async function pushShop(branch: string, note: string): Promise<string> {
  const shop = path.join(work, `shop-${branch}`);
  rmSync(shop, { recursive: true, force: true });
  await run("git", ["init", "-q", "-b", branch, shop], { env: GIT_ENV });
  writeFileSync(path.join(shop, ".gitmodules"), `[submodule "green"]\n\tpath = addons/green_addon\n\turl = ${SUB_URL}\n`);
  writeFileSync(path.join(shop, "NOTE"), `${note}\n`);
  await git(shop, "add", ".");
  await git(shop, "update-index", "--add", "--cacheinfo", `160000,${libRevision},addons/green_addon`);
  await git(shop, "commit", "-q", "-m", note);
  await git(shop, "push", "-q", "--force", shopBare, `${branch}:${branch}`);
  return git(shop, "rev-parse", "HEAD");
}
let libRevision: string;
let shopBare: string;

async function pushAndBuild(branch: string, note: string) {
  const revision = await pushShop(branch, note);
  await prisma.branch.upsert({ where: { projectId_name: { projectId, name: branch } }, create: { projectId, name: branch }, update: {} });
  const outcome = await recordPush(prisma, { projectId, branch, revision, message: note, author: "Ada" });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
  await runBuild(deps, { buildId: outcome.build.id, signal: new AbortController().signal });
  return prisma.build.findUniqueOrThrow({ where: { id: outcome.build.id }, include: { steps: { orderBy: { position: "asc" } } } });
}

/** Every file under `dir` (a build's workspace, a mounted folder or file) whose content contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 20_000_000 && readFileSync(p).includes(needle)) found.push(p);
    }
  };
  const top = statSync(dir, { throwIfNoEntry: false });
  if (top?.isDirectory()) walk(dir);
  else if (top?.isFile() && readFileSync(dir).includes(needle)) found.push(dir);
  return found;
}

beforeAll(async () => {
  server = await startSshGitServer();
  work = mkdtempSync(path.join(tmpdir(), "slipway-private-repo-"));
  const knownHosts = path.join(work, "known_hosts");
  writeFileSync(knownHosts, server.knownHosts("github.com"));
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({
    ...process.env,
    DATABASE_URL: db.url,
    SLIPWAY_GITHUB_SSH_KNOWN_HOSTS: knownHosts,
    SLIPWAY_GITHUB_SSH_ENDPOINT: `${server.user}@${server.host}:${server.port}`,
  });
  deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  prisma = deps.prisma;

  // The private library: the green fixture addon at its root.
  const libBare = await server.createRepo("acme/green-lib");
  shopBare = await server.createRepo("acme/shop");
  const lib = path.join(work, "lib");
  await run("git", ["init", "-q", "-b", "main", lib], { env: GIT_ENV });
  cpSync(path.join(FIXTURES_DIR, "green_addon"), lib, { recursive: true, filter: (s) => !s.includes("__pycache__") });
  await git(lib, "add", ".");
  await git(lib, "commit", "-q", "-m", "green addon");
  await git(lib, "push", "-q", libBare, "main");
  libRevision = await git(lib, "rev-parse", "HEAD");

  projectKey = generateSshKeyPair({ comment: `slipway:${slug}` });
  subKey = generateSshKeyPair({ comment: `slipway:${slug}:green-lib` });
  const user = await prisma.user.create({ data: { login: `ada-${randomBytes(2).toString("hex")}` } });
  projectId = (
    await insertProject(prisma, {
      slug,
      name: "Private shop",
      repoUrl: "git@github.com:acme/shop.git",
      repoKind: "github",
      githubOwner: "acme",
      githubRepo: "shop",
      odooVersion: "17.0",
      odooImage: image,
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret("s", config.encryptionKey),
      creatorId: user.id,
    })
  ).id;
  await setDeployKey(prisma, projectId, {
    publicKey: projectKey.publicKey,
    privateKeyEnc: encryptSecret(projectKey.privateKey, config.encryptionKey),
  });
  submoduleId = (
    await insertProjectSubmodule(prisma, {
      projectId,
      url: SUB_URL,
      publicKey: subKey.publicKey,
      privateKeyEnc: encryptSecret(subKey.privateKey, config.encryptionKey),
    })
  ).id;
  await server.authorize(projectKey.publicKey, "acme/shop");
  await server.authorize(subKey.publicKey, "acme/green-lib");
}, 120_000);

afterAll(async () => {
  if (deps) await tearDownBuildTests(deps);
  await db?.drop();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("a private GitHub repository with a private submodule", () => {
  it("builds through the deploy keys; no private key in the build's containers, files, logs or audit entries", async () => {
    const build = await pushAndBuild("main", "private build");
    expect(build.failureReason).toBeNull();
    expect(build.steps.find((s) => s.name === "fetch")?.state).toBe("succeeded");
    expect(build.result).toBe("green");
    const ws = buildWorkspace(deps.config.home, build.id);
    expect(existsSync(path.join(ws.src, "addons", "green_addon", "__manifest__.py"))).toBe(true);

    const secrets = [projectKey.privateKey, subKey.privateKey].map((k) => k.split("\n")[1]!);
    secrets.push("OPENSSH PRIVATE KEY");
    const containers = await listContainers({ docker: deps.docker, labels: { build: build.id }, all: true });
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      const [inspected] = JSON.parse((await run("docker", ["inspect", c.id])).stdout) as Array<{
        Config: { Env: string[] | null; Cmd: string[] | null; Entrypoint: string[] | null };
        Mounts: Array<{ Source: string; Destination: string; Type: string }>;
      }>;
      const text = JSON.stringify(inspected);
      for (const s of secrets) expect(text).not.toContain(s);
      expect(text).not.toMatch(/slipway-git-ssh-/);
      // Every host folder the container sees: no file in it holds a key.
      for (const m of inspected!.Mounts.filter((x) => x.Type === "bind"))
        for (const s of secrets) expect(filesContaining(m.Source, s)).toEqual([]);
      // Inside the container too (its own layers and volumes).
      const { stdout } = await run("docker", [
        "exec",
        c.id,
        "sh",
        "-c",
        "grep -rls 'OPENSSH PRIVATE KEY' / --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null || true",
      ]).catch(() => ({ stdout: "" }));
      expect(stdout.trim()).toBe("");
    }
    for (const s of secrets) expect(filesContaining(ws.root, s)).toEqual([]);
    const logged =
      JSON.stringify(await prisma.build.findMany({ include: { steps: true } })) +
      JSON.stringify(await prisma.auditEntry.findMany()) +
      JSON.stringify(await prisma.event.findMany());
    for (const s of secrets) expect(logged).not.toContain(s);
    // The temporary SSH folder is gone.
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith("slipway-git-ssh-")).length).toBeLessThanOrEqual(2);
  }, 300_000);

  it("without the sub-repository's key the build is red with a message naming it and what to do", async () => {
    await deleteProjectSubmodule(prisma, { projectId, id: submoduleId });
    const build = await pushAndBuild("feature", "no key for the library");
    expect(build.steps.find((s) => s.name === "fetch")?.state).toBe("failed");
    expect(build.failureReason).toContain(
      `The sub-repository ${SUB_URL} (submodule "addons/green_addon") could not be fetched: access denied.`,
    );
    expect(build.failureReason).toContain(`Add ${SUB_URL} to the project's Submodules settings`);
    expect(build.failureReason).not.toContain(projectKey.privateKey.split("\n")[1]!);
  }, 300_000);
});
