import { randomBytes } from "node:crypto";
import { insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_ADDRESS_HEADER } from "../../../../server/auth/session-cookie";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl || !process.env.REDIS_URL)
  throw new Error("DATABASE_URL/REDIS_URL are not set: run `npm run services:up` (it writes .slipway/env)");

// Caddy's on-demand TLS question, answered by the real route handler on a database of its own
// (issue 16): certificates only for names the platform serves.
describe("GET /api/internal/tls-ask", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let GET: typeof import("./route").GET;
  let panelHost: string;
  const slug = `ask${randomBytes(3).toString("hex")}`;
  const base = "slipway.localhost";

  const ask = async (domain: string | null, headers: Record<string, string> = { [PEER_ADDRESS_HEADER]: "127.0.0.1" }) => {
    const url =
      domain === null
        ? "http://127.0.0.1:3000/api/internal/tls-ask"
        : `http://127.0.0.1:3000/api/internal/tls-ask?domain=${encodeURIComponent(domain)}`;
    const res = await GET(new Request(url, { headers }));
    return res.status;
  };

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    process.env.DATABASE_URL = db.url;
    const { deps } = await import("../../../../server/deps");
    prisma = deps().prisma;
    panelHost = new URL(deps().config.web.publicUrl).hostname;
    GET = (await import("./route")).GET;
    const user = await prisma.user.create({ data: { login: "asker" } });
    const project = await insertProject(prisma, {
      slug,
      name: "Ask",
      repoUrl: "/nonexistent",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: base,
      webhookSecretEnc: "x",
      creatorId: user.id,
    });
    const main = await prisma.branch.create({ data: { projectId: project.id, name: "main", stage: "production", productionSlot: true } });
    const dev = await prisma.branch.create({ data: { projectId: project.id, name: "dev" } });
    await prisma.build.create({
      data: {
        projectId: project.id,
        branchId: dev.id,
        number: 2,
        stage: "development",
        revision: "b".repeat(40),
        state: "running",
        hostname: `${slug}--dev-2.${base}`,
        inProgressSlot: null,
      },
    });
    await prisma.domain.create({
      data: { projectId: project.id, branchId: main.id, hostname: `www.${slug}.test`, verifiedAt: new Date() },
    });
    await prisma.domain.create({ data: { projectId: project.id, branchId: main.id, hostname: `shop.${slug}.test` } });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it("answers 200 for a verified domain, a build's hostname, the production name and the panel's host", async () => {
    expect(await ask(`www.${slug}.test`)).toBe(200);
    expect(await ask(`WWW.${slug}.TEST.`)).toBe(200);
    expect(await ask(`${slug}--dev-2.${base}`)).toBe(200);
    expect(await ask(`${slug}.${base}`)).toBe(200);
    expect(await ask(panelHost)).toBe(200);
  });

  it("refuses a pending domain, unknown names and malformed questions", async () => {
    expect(await ask(`shop.${slug}.test`)).toBe(404);
    expect(await ask("www.nothing-here.test")).toBe(404);
    expect(await ask(`${slug}--dev-9.${base}`)).toBe(404);
    expect(await ask(`other${slug}.${base}`)).toBe(404);
    expect(await ask(null)).toBe(400);
    expect(await ask("a/b")).toBe(400);
  });

  it("answers only loopback callers that came straight to the web app", async () => {
    expect(await ask(`www.${slug}.test`, { [PEER_ADDRESS_HEADER]: "::ffff:127.0.0.1" })).toBe(200);
    expect(await ask(`www.${slug}.test`, { [PEER_ADDRESS_HEADER]: "::1" })).toBe(200);
    // As Next.js passes a direct request on: X-Forwarded-For filled with the socket's address.
    expect(await ask(`www.${slug}.test`, { [PEER_ADDRESS_HEADER]: "127.0.0.1", "x-forwarded-for": "127.0.0.1" })).toBe(200);
    expect(await ask(`www.${slug}.test`, { [PEER_ADDRESS_HEADER]: "10.1.2.3" })).toBe(403);
    expect(await ask(`www.${slug}.test`, {})).toBe(403);
    // Relayed by the proxy from outside (the panel behind Caddy): not Caddy's own question.
    expect(await ask(`www.${slug}.test`, { [PEER_ADDRESS_HEADER]: "127.0.0.1", "x-forwarded-for": "203.0.113.9" })).toBe(403);
  });

  it("stops answering for a domain whose branch is deleted", async () => {
    await prisma.branch.updateMany({ where: { name: "main" }, data: { archivedAt: new Date() } });
    expect(await ask(`www.${slug}.test`)).toBe(404);
  });
});
