import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentUser } from "../../server/auth/current-user";
import { Logo } from "../logo";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  if (await getCurrentUser()) redirect("/projects");
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3">
          <Logo className="h-12 w-12" />
          <h1 className="text-2xl font-semibold tracking-tight">Sign in to Slipway</h1>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          <LoginForm />
        </div>
        <p className="mt-6 text-center text-xs text-slate-500">
          The local admin account is created on first start; its password is set by SLIPWAY_ADMIN_PASSWORD or printed once
          in the server log.
        </p>
      </div>
    </main>
  );
}
