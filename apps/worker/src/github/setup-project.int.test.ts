import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, generateSshKeyPair, loadWorkerConfig, type WorkerConfig } from "@slipway/config";
import { createPrismaClient, findGitHubSetup, insertProject, saveGitHubApp, setDeployKey, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { startGithubDouble, type GithubDouble } from "../../../../e2e/support/github-double";
import { deployKeysOf, webhooksOf } from "../../../../e2e/support/github-double/keys-and-hooks";
import { NO_CREDENTIALS, setUpGitHubProject } from "./setup-project";

// The github.setup-project job (seed "GitHub key and webhook") against the GitHub double through
// Octokit: with the platform's GitHub App installed on the repository the key and the webhook are
// added; without any credentials both are left for manual set-up, with the reason.
let db: TemporaryDatabase;
let prisma: Db;
let github: GithubDouble;
let config: WorkerConfig;
let userId: string;
const logger = pino({ level: "silent" });

async function githubProject(slug: string, repo: string): Promise<{ id: string; publicKey: string }> {
  const id = (
    await insertProject(prisma, {
      slug,
      name: slug,
      repoUrl: `https://github.com/${repo}`,
      repoKind: "github",
      githubOwner: repo.split("/")[0],
      githubRepo: repo.split("/")[1],
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret(`secret-${slug}`, config.encryptionKey),
      creatorId: userId,
    })
  ).id;
  const pair = generateSshKeyPair({ comment: `slipway:${slug}` });
  await setDeployKey(prisma, id, { publicKey: pair.publicKey, privateKeyEnc: encryptSecret(pair.privateKey, config.encryptionKey) });
  return { id, publicKey: pair.publicKey };
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  prisma = createPrismaClient(db.url);
  github = await startGithubDouble();
  config = loadWorkerConfig({
    ...process.env,
    DATABASE_URL: db.url,
    SLIPWAY_GITHUB_API_URL: github.url,
    SLIPWAY_PUBLIC_URL: "https://slipway.example",
  });
  userId = (await prisma.user.create({ data: { login: `ada-${randomBytes(2).toString("hex")}` } })).id;
  github.addUser({ id: 71, login: "acme" });
  github.addRepo({ owner: "acme", name: "shop", private: true });
  github.addRepo({ owner: "acme", name: "blog", private: true });
});
afterAll(async () => {
  await github?.close();
  await prisma?.$disconnect();
  await db?.drop();
});

describe("github.setup-project", () => {
  it("without credentials leaves the key and the webhook for manual set-up, saying why", async () => {
    const { id } = await githubProject(`blg${randomBytes(2).toString("hex")}`, "acme/blog");
    await setUpGitHubProject({ prisma, config, logger }, { projectId: id });
    const setup = await findGitHubSetup(prisma, id);
    expect(setup).toMatchObject({ deployKeyStatus: "manual", webhookStatus: "manual" });
    expect(setup!.deployKeyMessage).toBe(`No GitHub App is set up and the project has no GitHub token. ${NO_CREDENTIALS}`);
    expect(deployKeysOf(github.state, "acme/blog")).toEqual([]);
  });

  it("with the platform's GitHub App installed adds the read-only key and the push webhook, once", async () => {
    const app = github.createApp("acme");
    github.installApp(app.id, "acme", ["acme/shop"]);
    await saveGitHubApp(prisma, {
      app: {
        appId: app.id,
        slug: app.slug,
        name: app.name,
        ownerLogin: "acme",
        htmlUrl: app.html_url,
        clientId: app.client_id,
        clientSecretEnc: encryptSecret(app.client_secret, config.encryptionKey),
        webhookSecretEnc: null,
        privateKeyEnc: encryptSecret(app.pem, config.encryptionKey),
      },
      actorId: userId,
      ip: null,
    });
    const slug = `shp${randomBytes(2).toString("hex")}`;
    const { id, publicKey } = await githubProject(slug, "acme/shop");
    await setUpGitHubProject({ prisma, config, logger }, { projectId: id });
    await setUpGitHubProject({ prisma, config, logger }, { projectId: id });
    expect(deployKeysOf(github.state, "acme/shop")).toMatchObject([
      { key: publicKey.split(" ").slice(0, 2).join(" "), read_only: true, title: `Slipway (${slug})` },
    ]);
    expect(webhooksOf(github.state, "acme/shop")).toMatchObject([
      {
        active: true,
        events: ["push"],
        config: { url: "https://slipway.example/api/webhooks/github", content_type: "json", secret: `secret-${slug}` },
      },
    ]);
    expect(await findGitHubSetup(prisma, id)).toMatchObject({ deployKeyStatus: "added", webhookStatus: "added" });
    const audit = await prisma.auditEntry.findMany({ where: { projectId: id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, (a.details as { result: string }).result])).toEqual([
      ["github.deploy-key.setup", "added"],
      ["github.webhook.setup", "added"],
      ["github.deploy-key.setup", "ok"],
      ["github.webhook.setup", "ok"],
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/PRIVATE KEY|secret-/);
  });
});
