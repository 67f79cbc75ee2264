// Local accounts (issue 14): a superuser creates users on the platform itself — with an initial
// password, or with a one-time invite link the user sets their password with — and disables them.
// Authorization (superusers only), validation and the audit entries all happen here, never in a
// page alone; the repository writes each change and its audit entry in one transaction.
import { createHash, randomBytes } from "node:crypto";
import {
  acceptUserInvite,
  findInvite,
  insertLocalUser,
  insertUserInvite,
  inviteRefusal,
  setUserDisabled,
  type Db,
  type InviteStatus,
} from "@slipway/db";
import { assertMayManageUsers, DomainError } from "@slipway/domain";
import { z } from "zod";
import { hashPassword } from "../auth/password";

/** How long an invite link works. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60_000;
export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 1024;

export interface UserAdminDeps {
  prisma: Db;
  now?: () => Date;
}

/** The signed-in user acting (from the session: never from the form). */
export interface UserAdminActor {
  id: string;
  isSuperuser: boolean;
}

const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(MAX_PASSWORD_LENGTH, "The password is too long.");

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} is too long (at most ${max} characters).`)
    .transform((v) => (v === "" ? null : v));

export const newLocalUserSchema = z
  .object({
    login: z
      .string()
      .trim()
      .min(2, "The login needs at least 2 characters.")
      .max(39, "The login is too long (at most 39 characters).")
      .regex(
        /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/,
        "The login may use lowercase letters, digits and . _ - (starting and ending with a letter or digit).",
      ),
    name: optionalText(100, "The name"),
    email: optionalText(254, "The e-mail").pipe(z.email("Enter a valid e-mail address, or leave it empty.").nullable()),
    mode: z.enum(["password", "invite"], { error: "Choose an initial password or an invite link." }),
    password: z.string().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.mode !== "password") return;
    const checked = password.safeParse(value.password ?? "");
    if (!checked.success) ctx.addIssue({ code: "custom", path: ["password"], message: checked.error.issues[0]!.message });
  });

export type NewLocalUserInput = z.input<typeof newLocalUserSchema>;

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new DomainError("invalid_input", parsed.error.issues[0]!.message);
  return parsed.data;
}

/** A new invite token (32 random bytes, base64url): only its hash is stored. */
function newInviteToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashInviteToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A syntactically valid invite token; anything else is not even looked up. */
export function isWellFormedInviteToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** The address of the page an invite token opens. */
export function inviteUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/invite/${token}`;
}

/**
 * Creates a local user (superusers only). With `mode: "invite"` the user gets no password and a
 * one-time link instead; the token is returned once, for the caller to show, and never stored.
 */
export async function createLocalUser(
  deps: UserAdminDeps,
  options: { actor: UserAdminActor | null; input: unknown; ip?: string | null },
): Promise<{ id: string; login: string; invite?: { token: string; expiresAt: Date } }> {
  assertMayManageUsers(options.actor);
  const input = parse(newLocalUserSchema, options.input);
  const now = (deps.now ?? (() => new Date()))();
  const token = input.mode === "invite" ? newInviteToken() : undefined;
  const expiresAt = new Date(now.getTime() + INVITE_TTL_MS);
  const user = await insertLocalUser(deps.prisma, {
    login: input.login,
    name: input.name,
    email: input.email,
    passwordHash: input.mode === "password" ? await hashPassword({ password: input.password! }) : null,
    ...(token ? { invite: { tokenHash: hashInviteToken(token), expiresAt } } : {}),
    actor: { actorId: options.actor!.id, ip: options.ip },
    now,
  });
  return token ? { ...user, invite: { token, expiresAt } } : user;
}

/** A new one-time link for an existing local user (to set or reset their password); earlier links stop working. */
export async function inviteLocalUser(
  deps: UserAdminDeps,
  options: { actor: UserAdminActor | null; userId: string; ip?: string | null },
): Promise<{ login: string; token: string; expiresAt: Date }> {
  assertMayManageUsers(options.actor);
  const userId = parse(z.uuid("Unknown user."), options.userId);
  const now = (deps.now ?? (() => new Date()))();
  const token = newInviteToken();
  const expiresAt = new Date(now.getTime() + INVITE_TTL_MS);
  const { login } = await insertUserInvite(deps.prisma, {
    userId,
    tokenHash: hashInviteToken(token),
    expiresAt,
    actor: { actorId: options.actor!.id, ip: options.ip },
    now,
  });
  return { login, token, expiresAt };
}

/** Disables a user (their sessions end at once) or enables them again (superusers only). */
export async function changeUserDisabled(
  deps: UserAdminDeps,
  options: { actor: UserAdminActor | null; userId: string; disabled: boolean; ip?: string | null },
): Promise<{ login: string; changed: boolean }> {
  assertMayManageUsers(options.actor);
  const userId = parse(z.uuid("Unknown user."), options.userId);
  const now = (deps.now ?? (() => new Date()))();
  return setUserDisabled(deps.prisma, { userId, disabled: options.disabled, actor: { actorId: options.actor!.id, ip: options.ip }, now });
}

/** What an invite link stands for (the invite page shows the form or says why not). */
export async function readInvite(deps: UserAdminDeps, { token }: { token: string }): Promise<InviteStatus> {
  if (!isWellFormedInviteToken(token)) return { kind: "unknown" };
  return findInvite(deps.prisma, { tokenHash: hashInviteToken(token), now: (deps.now ?? (() => new Date()))() });
}

const acceptSchema = z
  .object({ password, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { message: "The two passwords differ.", path: ["confirm"] });

/** Sets the password of an invite link's user; the link works once and until it expires. */
export async function acceptInvite(
  deps: UserAdminDeps,
  options: { token: string; password: unknown; confirm: unknown; ip?: string | null },
): Promise<{ userId: string; login: string }> {
  if (!isWellFormedInviteToken(options.token)) throw inviteRefusal("unknown");
  const now = (deps.now ?? (() => new Date()))();
  const tokenHash = hashInviteToken(options.token);
  // Refuse a dead link before spending a password hash on it (the update below checks again).
  const status = await findInvite(deps.prisma, { tokenHash, now });
  if (status.kind !== "valid") throw inviteRefusal(status.kind);
  const input = parse(acceptSchema, { password: options.password, confirm: options.confirm });
  const passwordHash = await hashPassword({ password: input.password });
  return acceptUserInvite(deps.prisma, { tokenHash, passwordHash, now, ip: options.ip });
}
