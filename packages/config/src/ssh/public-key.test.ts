import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isDomainError } from "@slipway/domain";
import { parseSshPublicKey } from "./public-key";
import { sshCommandFor } from "./ssh-command";

// Keys made with OpenSSH 9.2 (`ssh-keygen -t … -f k`), fingerprints as `ssh-keygen -lf k.pub` printed them.
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEhDz4xMTW5dJAJ0KUHXvY1v4EUDpDOUt68WyOnAiVH1 dev@laptop";
const RSA_1024 =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC49tL7D5UumPd25mdxgAdaYg4CIcqqzPjFSJdv3vaAjwrOe3Eq8yyMD9rHmE7OX4yb7qwmTSm3kb3bKEKKyxhIhMcNjt1nyQAZOV+qpyozmWXz6uil7kPzBfLL8huHiKL8BzeAyLwyCG8DwYxHsr6vEOz0ex3vwpDCsBn4lLUJnw== root@vm";
const ECDSA_384 =
  "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBEIkTVXPrzizD7Ldbi2n0AS/VnlRSOtkKfYtbgH84B2ehH4bkTUxOWb3agXJVAuMsRk+SdA7LAUK5Et0/5EZGRk3ku8+s51NGldQ534IRPAfIjJYwvZfqmtXZN3k8+CLkQ==";

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

function rsaLine(bits: number): string {
  const jwk = generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ format: "jwk" });
  const mpint = (b64url: string) => {
    const raw = Buffer.from(b64url, "base64url");
    return sshString(raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
  };
  return `ssh-rsa ${Buffer.concat([sshString("ssh-rsa"), mpint(jwk.e!), mpint(jwk.n!)]).toString("base64")} gen`;
}

function refusal(input: string): string {
  try {
    parseSshPublicKey(input);
  } catch (error) {
    if (isDomainError(error, "invalid_input")) return error.message;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("parseSshPublicKey", () => {
  it("reads an Ed25519 key with OpenSSH's fingerprint and keeps the comment apart", () => {
    expect(parseSshPublicKey(`  ${ED25519}\n`)).toEqual({
      type: "ssh-ed25519",
      publicKey: ED25519.replace(" dev@laptop", ""),
      comment: "dev@laptop",
      fingerprint: "SHA256:upm4fqCjHVFNxU8ckKfzS/o/6X5E7i5WrCKEtkIvWvs",
      bits: 256,
    });
  });

  it("reads an ECDSA key (no comment) and an RSA key of 2048 bits or more", () => {
    expect(parseSshPublicKey(ECDSA_384)).toMatchObject({
      type: "ecdsa-sha2-nistp384",
      comment: null,
      fingerprint: "SHA256:gCqHfvCWXkxcBJzvLJ1rIm1z/Zbdh326duZChxSGq90",
      bits: 384,
    });
    expect(parseSshPublicKey(rsaLine(2048))).toMatchObject({ type: "ssh-rsa", bits: 2048, comment: "gen" });
    expect(parseSshPublicKey(rsaLine(3072)).bits).toBe(3072);
  });

  it("refuses RSA under 2048 bits, saying how many it has", () => {
    expect(refusal(RSA_1024)).toMatch(/1024 bits: at least 2048/);
  });

  it("refuses unknown types, private keys, broken base64, truncated or mislabelled data", () => {
    expect(refusal("ssh-dss AAAAB3NzaC1kc3MAAACBAP")).toMatch(/Unsupported key type "ssh-dss"/);
    expect(refusal("-----BEGIN OPENSSH PRIVATE KEY-----")).toMatch(/private key/);
    expect(refusal("")).toMatch(/Paste a public key/);
    expect(refusal("ssh-ed25519 not*base64")).toMatch(/not valid base64/);
    const [type, data] = ED25519.split(" ");
    expect(refusal(`${type} ${data!.slice(0, 40)}`)).toMatch(/not a valid ssh-ed25519 key/);
    expect(refusal(`ssh-rsa ${data}`)).toMatch(/says "ssh-rsa" but its data is a "ssh-ed25519" key/);
    // One byte more after the key.
    const extended = Buffer.concat([Buffer.from(data!, "base64"), Buffer.from([0])]).toString("base64");
    expect(refusal(`${type} ${extended}`)).toMatch(/not a valid ssh-ed25519 key/);
  });
});

describe("sshCommandFor", () => {
  it("names the build by its id, with the port unless it is 22", () => {
    const build = { id: "0b6f8f9e-0000-4000-8000-000000000001" };
    expect(sshCommandFor(build, { publicHost: "slipway.example.com", port: 2222 })).toBe(
      "ssh 0b6f8f9e-0000-4000-8000-000000000001@slipway.example.com -p 2222",
    );
    expect(sshCommandFor(build, { publicHost: "slipway.example.com", port: 22 })).toBe(
      "ssh 0b6f8f9e-0000-4000-8000-000000000001@slipway.example.com",
    );
  });
});
