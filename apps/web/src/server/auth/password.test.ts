import { describe, expect, it } from "vitest";
import { defaultScryptParams, dummyPasswordHash, generatePassword, hashPassword, verifyPassword } from "./password";

describe("hashPassword / verifyPassword", () => {
  it("verifies the right password and rejects a wrong one", async () => {
    const hash = await hashPassword({ password: "correct horse battery staple" });
    expect(await verifyPassword({ password: "correct horse battery staple", hash })).toBe(true);
    expect(await verifyPassword({ password: "correct horse battery stapler", hash })).toBe(false);
    expect(await verifyPassword({ password: "", hash })).toBe(false);
  });

  it("stores the parameters and a fresh salt in the hash, never the password", async () => {
    const a = await hashPassword({ password: "s3cret-Password" });
    const b = await hashPassword({ password: "s3cret-Password" });
    expect(a).not.toBe(b);
    expect(a).not.toContain("s3cret");
    const [prefix, n, r, p, salt, key] = a.split("$");
    expect(prefix).toBe("scrypt");
    expect([Number(n), Number(r), Number(p)]).toEqual([defaultScryptParams.N, defaultScryptParams.r, defaultScryptParams.p]);
    expect(Buffer.from(salt!, "base64url")).toHaveLength(16);
    expect(Buffer.from(key!, "base64url")).toHaveLength(32);
  });

  it("verifies hashes made with other parameters (they travel with the hash)", async () => {
    const hash = await hashPassword({ password: "pw-with-old-params", params: { N: 2 ** 14, r: 8, p: 1 } });
    expect(hash.startsWith("scrypt$16384$8$1$")).toBe(true);
    expect(await verifyPassword({ password: "pw-with-old-params", hash })).toBe(true);
    expect(await verifyPassword({ password: "pw-with-old-paramz", hash })).toBe(false);
  });

  it("treats Unicode-equivalent passwords as equal (NFKC)", async () => {
    const hash = await hashPassword({ password: "caf\u00e9", params: { N: 2 ** 14, r: 8, p: 1 } });
    expect(await verifyPassword({ password: "cafe\u0301", hash })).toBe(true);
  });

  it("rejects malformed, tampered or hostile hashes without throwing", async () => {
    const hash = await hashPassword({ password: "pw", params: { N: 2 ** 14, r: 8, p: 1 } });
    const parts = hash.split("$");
    const flipped = Buffer.from(parts[5]!, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    const tampered = [...parts.slice(0, 5), flipped.toString("base64url")].join("$");
    expect(await verifyPassword({ password: "pw", hash: tampered })).toBe(false);
    for (const bad of ["", "pw", "bcrypt$1$2$3$4$5", "scrypt$1000$8$1$abc$def", `scrypt$${2 ** 30}$8$1$${parts[4]}$${parts[5]}`]) {
      expect(await verifyPassword({ password: "pw", hash: bad })).toBe(false);
    }
  });

  it("has a dummy hash that no ordinary password matches", async () => {
    const hash = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(hash);
    expect(await verifyPassword({ password: "admin", hash })).toBe(false);
  });
});

describe("generatePassword", () => {
  it("returns distinct 24-character URL-safe passwords", () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(a);
  });
});
