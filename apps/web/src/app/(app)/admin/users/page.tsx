import { listUserAuditEntries, listUsers } from "@slipway/db";
import { mayManageUsers } from "@slipway/domain";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { requireUser } from "@/server/auth/current-user";
import { deps } from "@/server/deps";
import { formatTime } from "../../projects/_components/format";
import { secondaryButtonClass } from "../../projects/_components/styles";
import { setUserDisabledAction } from "./actions";
import { CreateUserForm } from "./create-user-form";
import { InviteButton } from "./invite-button";
import { Card, PageNotices } from "../../_components/page-parts";

export const metadata: Metadata = { title: "Users" };

type Props = { searchParams: Promise<{ notice?: string; error?: string }> };

function Badge({ children, tone }: { children: ReactNode; tone: "slate" | "amber" | "red" | "brand" }) {
  const tones = {
    slate: "bg-slate-100 text-slate-700",
    amber: "bg-amber-50 text-amber-800",
    red: "bg-red-50 text-red-700",
    brand: "bg-brand-50 text-brand-700",
  };
  return <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

// The audit log's user-management actions, in words.
const changeLabels: Record<string, string> = {
  "user.create": "Created",
  "user.invite": "New invite link for",
  "user.invite_accepted": "Password set with an invite link:",
  "user.disable": "Disabled",
  "user.enable": "Enabled",
};

export default async function UsersPage({ searchParams }: Props) {
  // Superusers only (issue 14): others get a 404 like every page their role may not use.
  const user = await requireUser();
  if (!mayManageUsers(user)) notFound();
  const { notice, error } = await searchParams;
  const users = await listUsers(deps().prisma, { now: new Date() });
  const changes = await listUserAuditEntries(deps().prisma, { limit: 20 });

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Users</h1>
        <p className="mt-1 text-sm text-slate-600">
          Local users sign in with a login and password; GitHub users with GitHub. Add either to a project from its Settings
          (Collaborators).
        </p>
      </div>
      <PageNotices notice={notice} error={error} testId="users" />

      <Card title="New local user">
        <CreateUserForm />
      </Card>

      <Card title="All users">
        <table className="w-full text-sm" data-testid="users">
          <thead>
            <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
              <th className="pb-2">Login</th>
              <th className="pb-2">Kind</th>
              <th className="pb-2">Projects</th>
              <th className="pb-2">Created</th>
              <th className="pb-2" />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className="border-t border-slate-100 align-top" data-login={u.login}>
                <td className="py-2">
                  <span className="font-medium">{u.login}</span>
                  {u.name ? <span className="text-slate-500"> — {u.name}</span> : null}
                  {u.email ? <span className="block text-xs text-slate-500">{u.email}</span> : null}
                </td>
                <td className="space-x-1 py-2">
                  <Badge tone="slate">{u.githubId ? "GitHub" : "Local"}</Badge>
                  {u.isSuperuser ? <Badge tone="brand">Superuser</Badge> : null}
                  {u.disabled ? <Badge tone="red">Disabled</Badge> : null}
                  {!u.githubId && !u.hasPassword ? (
                    <Badge tone="amber">{u.inviteExpiresAt ? `Invited (until ${formatTime(u.inviteExpiresAt)})` : "No password yet"}</Badge>
                  ) : null}
                </td>
                <td className="py-2 text-slate-600">{u.collaborations}</td>
                <td className="py-2 text-slate-600">{formatTime(u.createdAt)}</td>
                <td className="space-y-1 py-2 text-right">
                  {!u.githubId && !u.disabled && u.id !== user.id ? <InviteButton userId={u.id} login={u.login} /> : null}
                  {u.id === user.id ? null : (
                    <form action={setUserDisabledAction} className="inline">
                      <input type="hidden" name="userId" value={u.id} />
                      <input type="hidden" name="disabled" value={u.disabled ? "false" : "true"} />
                      <button
                        type="submit"
                        className={`${secondaryButtonClass} ml-2`}
                        aria-label={`${u.disabled ? "Enable" : "Disable"} ${u.login}`}
                      >
                        {u.disabled ? "Enable" : "Disable"}
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>

      <Card title="Recent changes">
        {changes.length === 0 ? (
          <p className="text-sm text-slate-500">No user changes yet.</p>
        ) : (
          <table className="w-full text-sm" data-testid="user-changes">
            <thead>
              <tr className="text-left text-xs uppercase tracking-wide text-slate-500">
                <th className="pb-2">When</th>
                <th className="pb-2">Who</th>
                <th className="pb-2">What</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((c) => (
                <tr key={c.id} className="border-t border-slate-100" data-action={c.action}>
                  <td className="py-2 whitespace-nowrap text-slate-600">{formatTime(c.createdAt)}</td>
                  <td className="py-2">{c.actor?.login ?? "—"}</td>
                  <td className="py-2">
                    {changeLabels[c.action] ?? c.action} <span className="font-medium">{c.target}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
