import { inviteRefusal } from "@slipway/db";
import type { Metadata } from "next";
import Link from "next/link";
import { deps } from "@/server/deps";
import { MIN_PASSWORD_LENGTH, readInvite } from "@/server/users/manage-users";
import { Logo } from "../../logo";
import { AcceptInviteForm } from "./accept-form";

// The token is in the address: never send it on to another site.
export const metadata: Metadata = { title: "Set your password", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

/** The page of a one-time invite link (outside the signed-in area, like /login). */
export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invite = await readInvite({ prisma: deps().prisma }, { token });
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center gap-3">
          <Logo className="h-12 w-12" />
          <h1 className="text-2xl font-semibold tracking-tight">{invite.kind === "valid" ? "Set your password" : "Invite link"}</h1>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
          {invite.kind === "valid" ? (
            <>
              <p className="mb-5 text-sm text-slate-600">
                Welcome to Slipway. Choose the password of your account <strong className="text-slate-900">{invite.login}</strong>; you sign
                in with this login from now on.
              </p>
              <AcceptInviteForm token={token} login={invite.login} minLength={MIN_PASSWORD_LENGTH} />
            </>
          ) : (
            <>
              <p
                role="alert"
                data-testid="invite-refused"
                className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
              >
                {inviteRefusal(invite.kind).message}
              </p>
              <p className="mt-4 text-center text-sm">
                <Link href="/login" className="font-medium text-brand-700 hover:underline">
                  Go to sign in
                </Link>
              </p>
            </>
          )}
        </div>
      </div>
    </main>
  );
}
