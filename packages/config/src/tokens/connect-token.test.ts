import { describe, expect, it } from "vitest";
import { connectSecretFor, signConnectToken, verifyConnectToken } from "./connect-token";

describe("connect tokens", () => {
  const secret = connectSecretFor(Buffer.alloc(32, 7), "build-1");
  const now = Date.UTC(2026, 10, 21, 12);
  const claims = { db: "acme-main-1", login: "admin", exp: now / 1000 + 60, nonce: "n1" };

  it("round-trips and is bound to a build, a database and a time window", () => {
    const token = signConnectToken(secret, claims);
    expect(verifyConnectToken(secret, token, { db: "acme-main-1", now })).toEqual(claims);
    expect(() => verifyConnectToken(connectSecretFor(Buffer.alloc(32, 7), "build-2"), token, { db: "acme-main-1", now })).toThrow(
      /signature/,
    );
    expect(() => verifyConnectToken(secret, token, { db: "other", now })).toThrow(/another database/);
    expect(() => verifyConnectToken(secret, token, { db: "acme-main-1", now: now + 61_000 })).toThrow(/expired/);
  });

  it("rejects tampered payloads and odd logins", () => {
    const [, sig] = signConnectToken(secret, claims).split(".");
    const forged = `${Buffer.from(JSON.stringify({ ...claims, login: "root" })).toString("base64url")}.${sig}`;
    expect(() => verifyConnectToken(secret, forged, { db: "acme-main-1", now })).toThrow(/signature/);
    expect(() => signConnectToken(secret, { ...claims, login: "a b" })).toThrow(/not a login/);
  });
});
