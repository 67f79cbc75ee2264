import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, loadWorkerConfig } from "@slipway/config";
import { insertProject, queueBuild, recordPush, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { execCommand } from "@slipway/docker";
import { releaseBuild } from "../builds/resources";
import { runBuild } from "../builds/run-build";
import { createWorkerDeps } from "../create-deps";
import type { WorkerDeps } from "../deps";
import { projectNetworkName } from "../isolation/project-network";
import { databaseCredentials, queryDatabase, type ManagedPostgres } from "../postgres";
import { createFixtureRepo, type FixtureRepo } from "../testing/fixture-repo";
import { startWorkerMailCatcher } from "./run-mail-catcher";
import type { MailCatcher } from "./smtp-catcher";
import { removeTestProjectNetworks } from "../testing/cleanup-networks";

// A real development build (stand-in image) sends mail with Odoo's own API through `odoo shell`
// in its container; the worker's catcher, listening on the builds network's gateway, must store it
// for that build only. A second running build proves "nowhere else".
const image = process.env.SLIPWAY_TEST_ODOO_IMAGE ?? "slipway/odoo-standin:17.0";
const slug = `mail${randomBytes(3).toString("hex")}`;
let db: TemporaryDatabase;
let deps: WorkerDeps;
let prisma: Db;
let repo: FixtureRepo;
let catcher: MailCatcher;
let projectId: string;

async function pushAndBuild(branch: string) {
  const revision = repo.push(branch, ["green_addon"]);
  const outcome = await recordPush(prisma, { projectId, branch, revision, message: "green", author: "Ada" });
  if (outcome.kind !== "recorded" || !outcome.build) throw new Error(`no build queued: ${JSON.stringify(outcome)}`);
  await runBuild(deps, { buildId: outcome.build.id, signal: new AbortController().signal });
  return prisma.build.findUniqueOrThrow({ where: { id: outcome.build.id } });
}

const SCRIPT = `
srv = env['ir.mail_server']
msg = srv.build_email('odoo@example.com', ['customer@example.com'], 'Your invoice INV/2024/0001',
                      '<p>Dear customer, <b>here</b> is your invoice.</p>', subtype='html',
                      email_bcc=['audit@example.com'], attachments=[('INV-0001.txt', b'invoice body', 'text/plain')])
print('SENT', srv.send_email(msg))
`;

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl: process.env.DATABASE_URL! });
  const config = loadWorkerConfig({ ...process.env, DATABASE_URL: db.url });
  deps = createWorkerDeps({ config, logger: pino({ level: "silent" }) });
  prisma = deps.prisma;
  repo = createFixtureRepo();
  const user = await prisma.user.create({ data: { login: "ada" } });
  projectId = (
    await insertProject(prisma, {
      slug,
      name: "Mail",
      repoUrl: repo.url,
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: image,
      baseDomain: "slipway.localhost",
      webhookSecretEnc: encryptSecret("s", config.encryptionKey),
      creatorId: user.id,
    })
  ).id;
  // Port 0: a worker running on this machine may hold SLIPWAY_MAIL_CATCHER_PORT already.
  catcher = await startWorkerMailCatcher(deps, { port: 0 });
}, 120_000);

afterAll(async () => {
  await catcher?.close();
  if (deps) {
    for (const b of await prisma.build.findMany({ select: { id: true, databaseName: true } })) {
      await releaseBuild({ deps, build: b, keepData: false }).catch(() => undefined);
      rmSync(path.join(deps.config.home, "mails", b.id), { recursive: true, force: true });
    }
    await removeTestProjectNetworks(deps).catch(() => undefined);
    await deps.redis.quit().catch(() => undefined);
    await deps.queues.close().catch(() => undefined);
    await prisma.$disconnect();
  }
  repo?.remove();
  await db?.drop();
});

/** The database's own role, as the build's server logs in (ADR 0005). */
function dbArgs(pg: ManagedPostgres, database: string): string[] {
  const c = databaseCredentials(pg, database);
  return ["--db_host", c.host, "--db_port", String(c.port), "--db_user", c.user, "--db_password", c.password];
}

describe("mail catcher with real builds", () => {
  it("stores a mail sent by a build's Odoo for that build and nowhere else", async () => {
    const sender = await pushAndBuild("main");
    const other = await pushAndBuild("other");
    expect([sender.state, other.state]).toEqual(["running", "running"]);
    // The catcher listens on the project network's gateway since the first build asked for it.
    const gateway = execFileSync(
      "docker",
      ["network", "inspect", projectNetworkName(slug), "--format", "{{(index .IPAM.Config 0).Gateway}}"],
      { encoding: "utf8" },
    ).trim();
    const gatewayAddress = catcher.addresses.find((a) => a.host === gateway);
    expect(gatewayAddress).toEqual({ host: gateway, port: catcher.port });
    expect(deps.mailCatcher).toBe(catcher);

    // The development server was started with the catcher as its SMTP server (real Odoo flags).
    const cmd = JSON.parse(
      execFileSync("docker", ["inspect", "--format", "{{json .Config.Cmd}}", sender.containerName!], { encoding: "utf8" }),
    ) as string[];
    const smtp = cmd.slice(cmd.indexOf("--smtp"), cmd.indexOf("--smtp") + 4);
    expect(smtp).toEqual(["--smtp", gatewayAddress!.host, "--smtp-port", String(gatewayAddress!.port)]);

    // `odoo shell` in the build's container, with the server's own database and SMTP options.
    const pg = await deps.postgres();
    const shell = await execCommand({
      docker: deps.docker,
      id: sender.containerName!,
      cmd: ["odoo", "shell", "-d", sender.databaseName!, ...dbArgs(pg, sender.databaseName!), ...smtp],
      stdin: SCRIPT,
      timeoutMs: 60_000,
    });
    expect(shell.stdout + shell.stderr).toContain("SENT <");
    expect(shell.exitCode).toBe(0);

    await expect.poll(() => prisma.mail.count(), { timeout: 10_000 }).toBe(1);
    const mail = await prisma.mail.findFirstOrThrow();
    expect(mail).toMatchObject({
      projectId,
      buildId: sender.id,
      fromAddress: "odoo@example.com",
      toAddresses: ["customer@example.com", "audit@example.com"],
      subject: "Your invoice INV/2024/0001",
      hasAttachments: true,
    });
    expect(mail.rawPath).toBe(path.join(deps.config.home, "mails", sender.id, `${mail.id}.eml`));
    const raw = readFileSync(mail.rawPath, "utf8");
    expect(raw).toContain("Subject: Your invoice INV/2024/0001");
    expect(raw).toContain('filename="INV-0001.txt"');
    expect(mail.sizeBytes).toBe(Buffer.byteLength(raw));
    expect(await prisma.mail.count({ where: { buildId: other.id } })).toBe(0);
    expect(existsSync(path.join(deps.config.home, "mails", other.id))).toBe(false);
    expect(readdirSync(path.join(deps.config.home, "mails", sender.id))).toEqual([`${mail.id}.eml`]);
  }, 600_000);

  it("catches a mail sent from a staging build (neutralized copy of production); production's real server is never used", async () => {
    // Production first: its database holds a real, active SMTP server, as a live database does.
    const run = async (name: string, stage: "production" | "staging") => {
      const revision = repo.push(name, ["green_addon"]);
      const branch = await prisma.branch.create({
        data: { projectId, name, stage, productionSlot: stage === "production" ? true : null, headRevision: revision },
      });
      const queued = await queueBuild(prisma, { projectId, branchId: branch.id, revision });
      await runBuild(deps, { buildId: queued!.id, signal: new AbortController().signal });
      return prisma.build.findUniqueOrThrow({ where: { id: queued!.id } });
    };
    const production = await run("prod", "production");
    expect(production.failureReason).toBeNull();
    const pg = await deps.postgres();
    await queryDatabase({
      pg,
      database: production.databaseName!,
      sql: "INSERT INTO ir_mail_server (name, smtp_host, smtp_port, smtp_encryption, smtp_authentication, sequence, active) VALUES ('Real SMTP', 'smtp.example.com', 587, 'none', 'login', 1, true)",
    });
    const staging = await run("acceptance", "staging");
    expect(staging.failureReason).toBeNull();
    expect(staging.state).toBe("running");

    // No --smtp here: Odoo picks the database's active outgoing server, which neutralization made the catcher.
    const before = await prisma.mail.count();
    const shell = await execCommand({
      docker: deps.docker,
      id: staging.containerName!,
      cmd: ["odoo", "shell", "-d", staging.databaseName!, ...dbArgs(pg, staging.databaseName!)],
      stdin: SCRIPT,
      timeoutMs: 60_000,
    });
    expect(shell.stdout + shell.stderr).toContain("SENT <");
    await expect.poll(() => prisma.mail.count(), { timeout: 10_000 }).toBe(before + 1);
    expect(await prisma.mail.count({ where: { buildId: staging.id } })).toBe(1);
    expect(await prisma.mail.count({ where: { buildId: production.id } })).toBe(0);
  }, 600_000);

  it("refuses a connection that does not come from a build, and stores nothing", async () => {
    const local = catcher.addresses.find((a) => a.host === "127.0.0.1")!;
    const transport = nodemailer.createTransport({ host: local.host, port: local.port, secure: false, ignoreTLS: true });
    await expect(transport.sendMail({ from: "x@example.com", to: "y@example.com", subject: "spoof", text: "hi" })).rejects.toThrow(
      /554|non-production Slipway builds/,
    );
    expect(await prisma.mail.count({ where: { subject: "spoof" } })).toBe(0);
  });
});
