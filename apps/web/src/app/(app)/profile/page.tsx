import type { Metadata } from "next";
import { requireUser } from "@/server/auth/current-user";
import { deps } from "@/server/deps";
import { listUserSshKeys } from "@/server/profile/ssh-keys";
import { inputClass, primaryButtonClass, secondaryButtonClass } from "../projects/_components/styles";
import { addSshKeyAction, removeSshKeyAction } from "./actions";
import { PageNotices } from "../_components/page-parts";

export const metadata: Metadata = { title: "Profile" };

type Props = { searchParams: Promise<{ notice?: string; error?: string; title?: string; key?: string }> };

const dateTime = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ") + " UTC";

/**
 * The signed-in user's profile: their SSH public keys (seed "SSH"), with which
 * `ssh <build id>@<host> -p <port>` opens a shell in a build where their role allows the shell.
 */
export default async function ProfilePage({ searchParams }: Props) {
  const user = await requireUser();
  const { notice, error, title: typedTitle, key: typedKey } = await searchParams;
  const d = deps();
  const keys = await listUserSshKeys({ prisma: d.prisma }, user);
  const { ssh } = d.config;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Profile</h1>
        <p className="mt-1 text-sm text-slate-600">
          Signed in as <strong className="font-medium text-slate-900">{user.login}</strong>
          {user.name ? ` (${user.name})` : ""}.
        </p>
      </div>
      <PageNotices notice={notice} error={error} testId="profile" maxErrorLength={400} />

      <section id="ssh-keys" className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
        <h2 className="text-base font-semibold">SSH keys</h2>
        <p className="mt-1 text-sm text-slate-600">
          With a key here, open a shell in a build from your terminal:{" "}
          <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs">
            ssh &lt;build id&gt;@{ssh.publicHost}
            {ssh.port === 22 ? "" : ` -p ${ssh.port}`}
          </code>{" "}
          — each build&apos;s Shell tab shows its exact command. Your role on the project decides which builds you may enter, as for the web
          shell.
        </p>

        {keys.length === 0 ? (
          <p className="mt-4 text-sm text-slate-500" data-testid="ssh-keys-empty">
            No key yet.
          </p>
        ) : (
          <ul className="mt-4 divide-y divide-slate-100 rounded-md border border-slate-200" data-testid="ssh-keys">
            {keys.map((key) => (
              <li key={key.id} className="flex flex-wrap items-center justify-between gap-3 px-3 py-2 text-sm" data-testid="ssh-key">
                <div className="min-w-0">
                  <p className="font-medium text-slate-900">{key.title}</p>
                  <p className="font-mono text-xs break-all text-slate-600" data-testid="ssh-key-fingerprint">
                    {key.fingerprint}
                  </p>
                  <p className="text-xs text-slate-500">
                    {key.publicKey.split(" ")[0]} · added {dateTime(key.createdAt)} ·{" "}
                    {key.lastUsedAt ? `last used ${dateTime(key.lastUsedAt)}` : "never used"}
                  </p>
                </div>
                <form action={removeSshKeyAction}>
                  <input type="hidden" name="keyId" value={key.id} />
                  <button type="submit" className={secondaryButtonClass} aria-label={`Remove key ${key.title}`}>
                    Remove
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}

        <form action={addSshKeyAction} className="mt-5 space-y-3">
          <h3 className="text-sm font-semibold text-slate-800">Add a key</h3>
          <label className="block text-sm">
            <span className="mb-1 block font-medium text-slate-700">Title (optional)</span>
            <input name="title" maxLength={100} defaultValue={typedTitle ?? ""} placeholder="Laptop" className={inputClass} />
          </label>
          <label className="block text-sm">
            <span className="mb-1 block font-medium text-slate-700">Public key</span>
            <textarea
              name="key"
              required
              rows={4}
              maxLength={8192}
              defaultValue={typedKey ?? ""}
              placeholder="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… you@laptop"
              className={`${inputClass} font-mono text-xs`}
              aria-invalid={error && typedKey ? true : undefined}
            />
            <span className="mt-1 block text-xs text-slate-500">
              The contents of your <code>~/.ssh/id_ed25519.pub</code> (or another .pub file): ssh-ed25519, ecdsa-sha2-nistp256/384/521, or
              ssh-rsa of 2048 bits or more. No key yet? <code>ssh-keygen -t ed25519</code>
            </span>
          </label>
          <button type="submit" className={primaryButtonClass}>
            Add key
          </button>
        </form>
      </section>
    </div>
  );
}
