import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentUser } from "../../server/auth/current-user";
import { deps } from "../../server/deps";
import { Logo } from "../logo";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  if (await getCurrentUser()) redirect("/projects");
  const githubEnabled = deps().config.github.oauth !== undefined;
  const error = (await searchParams).error?.slice(0, 300);
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3">
          <Logo className="h-12 w-12" />
          <h1 className="text-2xl font-semibold tracking-tight">Sign in to Slipway</h1>
        </div>
        {error ? (
          <p
            role="alert"
            className="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
            data-testid="login-error"
          >
            {error}
          </p>
        ) : null}
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          {githubEnabled ? (
            <>
              {/* A plain link: the OAuth round trip is full-page navigation. */}
              <a
                href="/api/auth/github"
                className="flex w-full items-center justify-center gap-2 rounded-md bg-slate-900 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-slate-800"
              >
                Sign in with GitHub
              </a>
              <p className="my-4 text-center text-xs uppercase tracking-wide text-slate-400">or with the local account</p>
            </>
          ) : null}
          <LoginForm />
        </div>
        <p className="mt-6 text-center text-xs text-slate-500">
          The local admin account is created on first start; its password is set by SLIPWAY_ADMIN_PASSWORD or printed once in the server
          log.
        </p>
      </div>
    </main>
  );
}
