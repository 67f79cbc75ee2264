import Link from "next/link";
import type { ReactNode } from "react";
import { getCurrentUser } from "../../server/auth/current-user";
import { Logo } from "../logo";
import { logOutAction } from "./actions";

export default async function AppLayout({ children }: { children: ReactNode }) {
  // Public projects are open to anonymous visitors (docs/product/roles-and-access.md): each page checks access itself.
  const user = await getCurrentUser();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-6xl items-center justify-between px-4 sm:px-6">
          <Link href="/projects" className="flex items-center gap-2 font-semibold tracking-tight">
            <Logo className="h-7 w-7" />
            <span>Slipway</span>
          </Link>
          {user ? (
            <div className="flex items-center gap-4 text-sm">
              {user.isSuperuser ? (
                <Link href="/admin/users" className="font-medium text-slate-600 hover:text-slate-900">
                  Users
                </Link>
              ) : null}
              {user.isSuperuser ? (
                <Link href="/admin/github-app" className="font-medium text-slate-600 hover:text-slate-900">
                  GitHub App
                </Link>
              ) : null}
              <span className="text-slate-600">
                Signed in as{" "}
                <strong className="font-medium text-slate-900" data-testid="current-user">
                  {user.login}
                </strong>
              </span>
              <Link href="/profile" className="font-medium text-slate-700 hover:text-slate-900 hover:underline" data-testid="profile-link">
                Profile
              </Link>
              <form action={logOutAction}>
                <button
                  type="submit"
                  className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-700 shadow-sm hover:bg-slate-50"
                >
                  Log out
                </button>
              </form>
            </div>
          ) : (
            <Link href="/login" className="text-sm font-medium text-brand-700 hover:underline">
              Sign in
            </Link>
          )}
        </div>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">{children}</main>
    </div>
  );
}
