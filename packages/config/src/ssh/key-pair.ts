import { generateKeyPairSync, randomBytes } from "node:crypto";
import { sshFingerprint } from "./public-key";

// Deploy keys (seed "GitHub key and webhook", "Submodules"): an Ed25519 pair per repository, the
// private half in OpenSSH's own format (PROTOCOL.key, unencrypted: it is encrypted at rest by the
// caller) so ssh reads it as `ssh-keygen -t ed25519` would have written it.

export interface SshKeyPair {
  /** `ssh-ed25519 <base64> <comment>`: what is added to GitHub as a deploy key. */
  publicKey: string;
  /** `-----BEGIN OPENSSH PRIVATE KEY-----…`: never logged, never stored unencrypted. */
  privateKey: string;
  fingerprint: string;
}

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Generates an Ed25519 key pair (Node's crypto) as OpenSSH writes it. */
export function generateSshKeyPair({ comment }: { comment: string }): SshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const seed = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
  const cleanComment = comment.replace(/[^\w.@:+-]/g, "-").slice(0, 100);
  const blob = Buffer.concat([sshString("ssh-ed25519"), sshString(pub)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    sshString("ssh-ed25519"),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(cleanComment),
  ]);
  // Padded with 1, 2, 3… to the cipher block size ("none": 8).
  const padding: number[] = [];
  for (let i = 1; (secret.length + padding.length) % 8 !== 0; i++) padding.push(i);
  secret = Buffer.concat([secret, Buffer.from(padding)]);
  const body = Buffer.concat([
    Buffer.from("openssh-key-v1\0"),
    sshString("none"),
    sshString("none"),
    sshString(""),
    uint32(1),
    sshString(blob),
    sshString(secret),
  ]);
  const lines = body.toString("base64").match(/.{1,70}/g) ?? [];
  seed.fill(0);
  return {
    publicKey: `ssh-ed25519 ${blob.toString("base64")} ${cleanComment}`,
    privateKey: ["-----BEGIN OPENSSH PRIVATE KEY-----", ...lines, "-----END OPENSSH PRIVATE KEY-----", ""].join("\n"),
    fingerprint: sshFingerprint(blob),
  };
}

/** `<type> <base64>` of a public key line (the comment dropped): how keys are compared with GitHub's. */
export function publicKeyMaterial(line: string): string {
  return line.trim().split(/\s+/).slice(0, 2).join(" ");
}
