import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createSessionRepository, insertProject, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSessionToken, hashSessionToken } from "@/server/auth/session-policy";
import { SESSION_COOKIE } from "@/server/auth/session-cookie";

// The Mails tab's content routes through the real handlers: session cookie, access module (Mails
// tool per stage), real PostgreSQL and real .eml files under a temporary SLIPWAY_HOME.
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

const slug = `mails-${randomBytes(3).toString("hex")}`;
const RAW = [
  "From: Shop <odoo@example.com>",
  "To: customer@example.com",
  "Subject: Your invoice",
  "Message-ID: <inv-1@example.com>",
  "MIME-Version: 1.0",
  'Content-Type: multipart/mixed; boundary="b1"',
  "",
  "--b1",
  'Content-Type: multipart/alternative; boundary="b2"',
  "",
  "--b2",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Dear customer, here is your invoice.",
  "--b2",
  "Content-Type: text/html; charset=utf-8",
  "",
  '<p>Dear customer, <b>here</b> is your invoice.</p><script>parent.document.title="owned"</script>',
  "--b2--",
  "--b1",
  'Content-Type: text/html; name="evil.html"',
  'Content-Disposition: attachment; filename="evil.html"',
  "",
  "<script>alert(1)</script>",
  "--b1--",
  "",
].join("\r\n");

let db: TemporaryDatabase;
let prisma: Db;
let home: string;
let projectId: string;
const cookies = { admin: "", developer: "" };
const builds = { development: { id: "", number: 1 }, staging: { id: "", number: 2 }, production: { id: "", number: 3 } };
const mails: Record<keyof typeof builds, string> = { development: "", staging: "", production: "" };
type MailParams = { slug: string; number: string; mailId: string; index: string };
type Handler = (request: Request, context: { params: Promise<MailParams> }) => Promise<Response>;
let html: Handler, raw: Handler, attachment: Handler;

function get(
  handler: Handler,
  stage: keyof typeof builds,
  who: keyof typeof cookies | null,
  extra: Record<string, string> = {},
  mailId = mails[stage],
) {
  const params: MailParams = { slug, number: String(builds[stage].number), mailId, index: "", ...extra };
  return handler(
    new Request(`http://127.0.0.1:3000/projects/${slug}/builds/${params.number}/mails/${mailId}`, {
      headers: who ? { cookie: cookies[who] } : {},
    }),
    { params: Promise.resolve(params) },
  );
}

beforeAll(async () => {
  db = await createTemporaryDatabase({ adminUrl });
  home = mkdtempSync(path.join(tmpdir(), "slipway-mails-"));
  process.env.DATABASE_URL = db.url;
  process.env.SLIPWAY_HOME = home;
  const { deps } = await import("@/server/deps");
  prisma = deps().prisma;
  html = (await import("./[mailId]/html/route")).GET;
  raw = (await import("./[mailId]/raw/route")).GET;
  attachment = (await import("./[mailId]/attachments/[index]/route")).GET;
  const sessions = createSessionRepository({ prisma });
  const login = async (name: string) => {
    const user = await prisma.user.create({ data: { login: name } });
    const token = generateSessionToken();
    await sessions.create({ tokenHash: hashSessionToken(token), userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) });
    return { user, cookie: `${SESSION_COOKIE}=${token}` };
  };
  const admin = await login("ada");
  const developer = await login("dev");
  cookies.admin = admin.cookie;
  cookies.developer = developer.cookie;
  projectId = (
    await insertProject(prisma, {
      slug,
      name: "Mails",
      repoUrl: "/srv/git/m.git",
      repoKind: "generic",
      odooVersion: "17.0",
      odooImage: "odoo:17.0",
      baseDomain: "slipway.localhost",
      webhookSecretEnc: "v1:x:y:z",
      creatorId: admin.user.id,
    })
  ).id;
  await prisma.collaborator.create({ data: { projectId, userId: developer.user.id, role: "developer" } });
  for (const stage of ["development", "staging", "production"] as const) {
    const branch = await prisma.branch.create({
      data: { projectId, name: stage, stage, productionSlot: stage === "production" ? true : null },
    });
    const build = await prisma.build.create({
      data: {
        projectId,
        branchId: branch.id,
        number: builds[stage].number,
        stage,
        revision: "a".repeat(40),
        state: "running",
        inProgressSlot: null,
      },
    });
    builds[stage].id = build.id;
    const id = randomUUID();
    const file = path.join(home, "mails", build.id, `${id}.eml`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, RAW);
    await prisma.mail.create({
      data: {
        id,
        projectId,
        buildId: build.id,
        fromAddress: "Shop <odoo@example.com>",
        toAddresses: ["customer@example.com"],
        subject: "Your invoice",
        sizeBytes: RAW.length,
        hasAttachments: true,
        rawPath: file,
      },
    });
    mails[stage] = id;
  }
});

afterAll(async () => {
  const { deps } = await import("@/server/deps");
  deps().redis.disconnect();
  await prisma?.$disconnect();
  await db?.drop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("Mails tab content routes", () => {
  it("serves a development build's HTML part sandboxed: CSP sandbox, no network, nosniff, no cache", async () => {
    const res = await get(html, "development", "developer");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp.split(";").map((s) => s.trim())).toEqual(
      expect.arrayContaining(["sandbox", "default-src 'none'", "frame-ancestors 'self'"]),
    );
    expect(csp).not.toContain("allow-scripts");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(await res.text()).toContain("<b>here</b> is your invoice");
  });

  it("downloads attachments and the raw message, never as renderable content", async () => {
    const a = await get(attachment, "development", "developer", { index: "0" });
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toBe("application/octet-stream");
    expect(a.headers.get("content-disposition")).toMatch(/^attachment; filename="evil.html"/);
    expect(await a.text()).toBe("<script>alert(1)</script>");
    expect((await get(attachment, "development", "developer", { index: "1" })).status).toBe(404);
    expect((await get(attachment, "development", "developer", { index: "../0" })).status).toBe(404);
    const r = await get(raw, "development", "admin");
    expect(r.headers.get("content-type")).toBe("message/rfc822");
    expect(r.headers.get("content-disposition")).toContain(`${mails.development}.eml`);
    expect(await r.text()).toBe(RAW);
  });

  it("applies the role matrix: staging mails for testers and admins, production has no Mails tool", async () => {
    expect((await get(html, "staging", "developer")).status).toBe(403);
    expect((await get(html, "staging", "admin")).status).toBe(200);
    const prod = await get(html, "production", "admin");
    expect(prod.status).toBe(403);
    expect((await prod.json()).error.code).toBe("forbidden");
    expect((await get(html, "development", null)).status).toBe(401);
  });

  it("answers 404 for another build's message, a malformed id, or a file outside the build's folder", async () => {
    expect((await get(html, "development", "admin", {}, mails.staging)).status).toBe(404);
    expect((await get(html, "development", "admin", {}, "../../etc/passwd")).status).toBe(404);
    const outside = path.join(home, "outside.eml");
    writeFileSync(outside, RAW);
    await prisma.mail.update({ where: { id: mails.development }, data: { rawPath: outside } });
    expect((await get(html, "development", "admin")).status).toBe(404);
  });
});
