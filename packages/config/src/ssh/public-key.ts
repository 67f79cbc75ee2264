import { createHash } from "node:crypto";
import { DomainError } from "@slipway/domain";

// SSH public keys as users paste them into their profile (the one line of `~/.ssh/id_*.pub`):
// `<type> <base64 key> [comment]`. The key itself is decoded (RFC 4253 §6.6, RFC 5656 §3.1,
// RFC 8709) so a truncated or mislabelled key is refused here rather than at the first login.

/** Key types accepted for SSH to builds. */
export const sshKeyTypes = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"] as const;
export type SshKeyType = (typeof sshKeyTypes)[number];

/** Smallest RSA modulus accepted (bits): shorter keys are breakable. */
export const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384;
/** Longest pasted line accepted (a 16384-bit RSA key is about 2,800 characters). */
export const MAX_SSH_KEY_LENGTH = 8192;

export interface SshPublicKey {
  type: SshKeyType;
  /** `<type> <base64>`: the key without its comment, as stored and compared. */
  publicKey: string;
  /** The comment after the key (often user@host), or null. */
  comment: string | null;
  /** OpenSSH's `ssh-keygen -lf` form: `SHA256:<base64 without padding>` of the key blob. */
  fingerprint: string;
  /** Key size in bits (255 for Ed25519, the curve's size for ECDSA, the modulus for RSA). */
  bits: number;
}

/** The SHA256 fingerprint of a key blob, as OpenSSH prints it. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

class Reader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}
  string(): Buffer {
    if (this.offset + 4 > this.data.length) throw new Error("truncated");
    const length = this.data.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.data.length) throw new Error("truncated");
    this.offset = start + length;
    return this.data.subarray(start, start + length);
  }
  get done(): boolean {
    return this.offset === this.data.length;
  }
}

const curves: Record<string, { name: string; bits: number; pointLength: number }> = {
  "ecdsa-sha2-nistp256": { name: "nistp256", bits: 256, pointLength: 65 },
  "ecdsa-sha2-nistp384": { name: "nistp384", bits: 384, pointLength: 97 },
  "ecdsa-sha2-nistp521": { name: "nistp521", bits: 521, pointLength: 133 },
};

const invalid = (message: string) => new DomainError("invalid_input", message);

/** Bits of an unsigned big-endian integer (an SSH mpint, its sign byte included). */
function mpintBits(value: Buffer): number {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  if (i === value.length) return 0;
  return (value.length - i - 1) * 8 + (32 - Math.clz32(value[i]!));
}

/**
 * Reads one pasted public key line. Throws DomainError("invalid_input") with a message for the
 * user: unknown type, not base64, a key that does not decode as its type says, RSA under 2048 bits.
 */
export function parseSshPublicKey(input: string): SshPublicKey {
  const line = input.trim();
  if (line.length === 0) throw invalid("Paste a public key (the contents of a file such as ~/.ssh/id_ed25519.pub).");
  if (line.length > MAX_SSH_KEY_LENGTH) throw invalid("This key is too long to be an SSH public key.");
  if (/-----BEGIN|PRIVATE KEY/.test(line))
    throw invalid("This is a private key: never share it. Paste the public key instead (the .pub file).");
  if (/[\r\n]/.test(line)) throw invalid("Paste one key on one line.");
  const [type = "", data = "", ...rest] = line.split(/[ \t]+/);
  const comment = rest.join(" ").trim() || null;
  if (!(sshKeyTypes as readonly string[]).includes(type))
    throw invalid(
      `Unsupported key type "${type.slice(0, 40)}": use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (2048 bits or more).`,
    );
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0)
    throw invalid("The key data is not valid base64: paste the whole line.");
  const blob = Buffer.from(data, "base64");
  let bits: number;
  try {
    const reader = new Reader(blob);
    const inner = reader.string().toString("latin1");
    if (inner !== type) throw invalid(`The key says "${type}" but its data is a "${inner.slice(0, 40)}" key.`);
    if (type === "ssh-ed25519") {
      if (reader.string().length !== 32) throw new Error("bad length");
      bits = 256;
    } else if (type === "ssh-rsa") {
      const e = reader.string();
      const n = reader.string();
      if (e.length === 0 || n.length === 0) throw new Error("bad rsa");
      bits = mpintBits(n);
      if (bits < MIN_RSA_BITS) throw invalid(`This RSA key has ${bits} bits: at least ${MIN_RSA_BITS} are required (or use ssh-ed25519).`);
      if (bits > MAX_RSA_BITS) throw invalid(`This RSA key has ${bits} bits: at most ${MAX_RSA_BITS} are accepted.`);
    } else {
      const curve = curves[type]!;
      if (reader.string().toString("latin1") !== curve.name) throw new Error("curve mismatch");
      const point = reader.string();
      if (point.length !== curve.pointLength || point[0] !== 4) throw new Error("bad point");
      bits = curve.bits;
    }
    if (!reader.done) throw new Error("trailing data");
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw invalid(`This is not a valid ${type} key (truncated or altered?): paste the whole line of the .pub file.`);
  }
  return { type: type as SshKeyType, publicKey: `${type} ${blob.toString("base64")}`, comment, fingerprint: sshFingerprint(blob), bits };
}
