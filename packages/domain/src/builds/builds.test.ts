import { describe, expect, it } from "vitest";
import { isDomainError } from "../errors";
import {
  assertCanCancel,
  assertCanRebuild,
  connectSecretFor,
  developmentSteps,
  isInProgress,
  signConnectToken,
  verifyConnectToken,
} from "./index";

describe("build states", () => {
  it("refuses a rebuild while one is in progress, allows it otherwise", () => {
    expect(() => assertCanRebuild(["running", "testing"])).toThrow(/already in progress/);
    expect(() => assertCanRebuild(["running", "failed", "stopped"])).not.toThrow();
    expect(isInProgress("queued")).toBe(true);
    expect(isInProgress("running")).toBe(false);
  });

  it("only cancels builds in progress", () => {
    expect(() => assertCanCancel("testing")).not.toThrow();
    let err: unknown;
    try {
      assertCanCancel("running");
    } catch (e) {
      err = e;
    }
    expect(isDomainError(err, "invalid_state")).toBe(true);
  });
});

describe("development steps", () => {
  it("shows Testing while installing with tests, and Installing modules for a full install", () => {
    const withTests = developmentSteps({ installMode: "own_modules", testsEnabled: true });
    expect(withTests.map((s) => s.name)).toEqual(["fetch", "discover", "dependencies", "create_database", "install", "start", "route"]);
    expect(withTests.find((s) => s.name === "install")?.state).toBe("testing");
    expect(developmentSteps({ installMode: "full", testsEnabled: true }).find((s) => s.name === "install")?.state).toBe(
      "installing_modules",
    );
  });
});

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
