import { parseSshPublicKey } from "@slipway/config";
import { addSshKey, listSshKeys, removeSshKey, type Db, type SshKeyRow } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { z } from "zod";

// The profile page's SSH keys (seed "SSH": a user adds public keys in their profile, then
// `ssh <build id>@<host>` signs in with them). Each signed-in user manages their own keys only:
// the user comes from the session, never from the form.

const addInput = z.object({
  title: z.string().trim().max(100, { error: "The title is too long (100 characters at most)." }),
  key: z.string().max(8192, { error: "This key is too long to be an SSH public key." }),
});

const removeInput = z.object({ keyId: z.uuid({ error: "Unknown key." }) });

function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new DomainError("invalid_input", result.error.issues[0]?.message ?? "Invalid input.");
  return result.data;
}

export function listUserSshKeys(deps: { prisma: Db }, user: { id: string }): Promise<SshKeyRow[]> {
  return listSshKeys(deps.prisma, user.id);
}

/**
 * Adds a pasted public key to the user's profile: decoded and checked (ssh-ed25519, ecdsa, RSA of
 * 2048 bits or more), titled by the user or by the key's comment; a key already on a profile is
 * refused with a message saying whose (this user's or another account's). Audited (ssh_key.add).
 */
export async function addUserSshKey(
  deps: { prisma: Db },
  input: { user: { id: string }; title: unknown; key: unknown; ip: string | null },
): Promise<SshKeyRow> {
  const { title, key } = parsed(addInput, { title: input.title ?? "", key: input.key ?? "" });
  const publicKey = parseSshPublicKey(key);
  const result = await addSshKey(deps.prisma, {
    userId: input.user.id,
    title: title || publicKey.comment?.slice(0, 100) || `${publicKey.type} key`,
    publicKey: publicKey.publicKey,
    fingerprint: publicKey.fingerprint,
    keyType: publicKey.type,
    ip: input.ip,
  });
  if ("added" in result) return result.added;
  throw new DomainError(
    "conflict",
    result.duplicate === "self"
      ? `This key (${publicKey.fingerprint}) is already on your profile.`
      : `This key (${publicKey.fingerprint}) is already used by another account: a key signs in one account only. Generate a new one (ssh-keygen -t ed25519) and add that.`,
  );
}

/** Removes one of the user's own keys (audited as ssh_key.remove). */
export async function removeUserSshKey(
  deps: { prisma: Db },
  input: { user: { id: string }; keyId: unknown; ip: string | null },
): Promise<SshKeyRow> {
  const { keyId } = parsed(removeInput, { keyId: input.keyId });
  const removed = await removeSshKey(deps.prisma, { userId: input.user.id, keyId, ip: input.ip });
  if (!removed) throw new DomainError("not_found", "This key is not on your profile (removed already?).");
  return removed;
}
