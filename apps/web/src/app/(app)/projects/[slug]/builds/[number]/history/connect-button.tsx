"use client";

import { useActionState } from "react";
import { secondaryButtonClass } from "@/app/(app)/projects/_components/styles";
import { connectAction, type ConnectState } from "../actions";
import { ConnectSubmit } from "../connect-submit";

/** Connect (as admin, or to the login page for roles without Connect as) to a successful running build from its History entry. */
export function ConnectButton({ slug, buildId }: { slug: string; buildId: string }) {
  const [state, connect, pending] = useActionState<ConnectState, FormData>(connectAction, { login: "admin" });
  return (
    <>
      <ConnectSubmit post={state.post} />
      <form action={connect} className="inline">
        <input type="hidden" name="slug" value={slug} />
        <input type="hidden" name="buildId" value={buildId} />
        <input type="hidden" name="login" value="admin" />
        <button type="submit" disabled={pending} className={secondaryButtonClass}>
          {pending ? "Connecting…" : "Connect"}
        </button>
        {state.error ? <span className="ml-2 text-xs text-red-700">{state.error}</span> : null}
      </form>
    </>
  );
}
