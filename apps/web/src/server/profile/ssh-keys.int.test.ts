import { generateKeyPairSync } from "node:crypto";
import { getPrisma, type Db } from "@slipway/db";
import { createTemporaryDatabase, type TemporaryDatabase } from "@slipway/db/testing";
import { isDomainError } from "@slipway/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addUserSshKey, listUserSshKeys, removeUserSshKey } from "./ssh-keys";

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL is not set: run `npm run services:up` (it writes .slipway/env)");

// Made with `ssh-keygen -t ed25519 -C dev@laptop`; `ssh-keygen -lf` printed the fingerprint.
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEhDz4xMTW5dJAJ0KUHXvY1v4EUDpDOUt68WyOnAiVH1 dev@laptop";
const ED25519_FINGERPRINT = "SHA256:upm4fqCjHVFNxU8ckKfzS/o/6X5E7i5WrCKEtkIvWvs";

/** A fresh Ed25519 public key line (not the one above). */
function freshKey(comment: string): string {
  const raw = Buffer.from(generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" }).x!, "base64url");
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]).toString("base64")} ${comment}`;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isDomainError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("SSH keys of the profile page (real PostgreSQL)", () => {
  let db: TemporaryDatabase;
  let prisma: Db;
  let dev: { id: string };
  let other: { id: string };

  beforeAll(async () => {
    db = await createTemporaryDatabase({ adminUrl });
    prisma = getPrisma(db.url);
    dev = await prisma.user.create({ data: { login: "dev" }, select: { id: true } });
    other = await prisma.user.create({ data: { login: "other" }, select: { id: true } });
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it("adds a pasted key titled by its comment, with OpenSSH's fingerprint, and audits it", async () => {
    const row = await addUserSshKey({ prisma }, { user: dev, title: "", key: `\n${ED25519}\n`, ip: "127.0.0.1" });
    expect(row).toMatchObject({ title: "dev@laptop", fingerprint: ED25519_FINGERPRINT, publicKey: ED25519.replace(" dev@laptop", "") });
    expect(await listUserSshKeys({ prisma }, dev)).toHaveLength(1);
    const audit = await prisma.auditEntry.findFirst({ where: { action: "ssh_key.add", actorId: dev.id } });
    expect(audit).toMatchObject({
      target: "dev@laptop",
      ip: "127.0.0.1",
      details: { fingerprint: ED25519_FINGERPRINT, type: "ssh-ed25519" },
    });
  });

  it("refuses the same key twice with a message saying whose it is", async () => {
    const again = await refusal(addUserSshKey({ prisma }, { user: dev, title: "Again", key: ED25519, ip: null }));
    expect(again).toEqual({ code: "conflict", message: `This key (${ED25519_FINGERPRINT}) is already on your profile.` });
    const elsewhere = await refusal(addUserSshKey({ prisma }, { user: other, title: "", key: ED25519, ip: null }));
    expect(elsewhere.code).toBe("conflict");
    expect(elsewhere.message).toMatch(/already used by another account/);
    expect(await listUserSshKeys({ prisma }, other)).toHaveLength(0);
  });

  it("refuses what is not a usable public key, with the parser's reason", async () => {
    expect(await refusal(addUserSshKey({ prisma }, { user: dev, title: "", key: "ssh-dss AAAA", ip: null }))).toMatchObject({
      code: "invalid_input",
      message: expect.stringMatching(/Unsupported key type/),
    });
    expect((await refusal(addUserSshKey({ prisma }, { user: dev, title: "x".repeat(101), key: freshKey("a"), ip: null }))).message).toMatch(
      /title is too long/,
    );
    expect(await listUserSshKeys({ prisma }, dev)).toHaveLength(1);
  });

  it("removes only the user's own keys, audited", async () => {
    const mine = await addUserSshKey({ prisma }, { user: other, title: "Work laptop", key: freshKey("w@l"), ip: null });
    expect((await refusal(removeUserSshKey({ prisma }, { user: dev, keyId: mine.id, ip: null }))).code).toBe("not_found");
    expect((await refusal(removeUserSshKey({ prisma }, { user: dev, keyId: "not-a-uuid", ip: null }))).code).toBe("invalid_input");
    const removed = await removeUserSshKey({ prisma }, { user: other, keyId: mine.id, ip: null });
    expect(removed.title).toBe("Work laptop");
    expect(await listUserSshKeys({ prisma }, other)).toHaveLength(0);
    expect(await prisma.auditEntry.count({ where: { action: "ssh_key.remove", actorId: other.id } })).toBe(1);
  });
});
