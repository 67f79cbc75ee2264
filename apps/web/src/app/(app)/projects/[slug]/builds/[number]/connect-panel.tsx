"use client";

import { useActionState } from "react";
import { inputClass, primaryButtonClass, secondaryButtonClass } from "@/app/(app)/projects/_components/styles";
import { connectAction, type ConnectState } from "./actions";
import { ConnectSubmit } from "./connect-submit";

/**
 * Connect (as admin) and Connect as (another login) for a running build. Without `signedLogin`
 * (the role may open the build but not log in automatically, matrix cell connect_as), Connect opens
 * the build's Odoo login page and there is no Connect as.
 */
export function ConnectPanel({ slug, buildId, signedLogin }: { slug: string; buildId: string; signedLogin: boolean }) {
  const [asAdmin, connect, connecting] = useActionState<ConnectState, FormData>(connectAction, { login: "admin" });
  const [asOther, connectAs, connectingAs] = useActionState<ConnectState, FormData>(connectAction, { login: "" });
  const error = asAdmin.error ?? asOther.error;
  if (!signedLogin) {
    return (
      <div className="space-y-2">
        <form action={connect} className="flex flex-wrap items-center gap-3">
          <input type="hidden" name="slug" value={slug} />
          <input type="hidden" name="buildId" value={buildId} />
          <button type="submit" disabled={connecting} className={primaryButtonClass}>
            {connecting ? "Connecting…" : "Connect"}
          </button>
          <span className="text-xs text-slate-500" data-testid="connect-login-page">
            Opens the Odoo login page: your role does not log in automatically on this stage.
          </span>
        </form>
        <ConnectError error={error} />
      </div>
    );
  }
  return (
    <div className="space-y-2">
      <ConnectSubmit post={asAdmin.post} />
      <ConnectSubmit post={asOther.post} />
      <div className="flex flex-wrap items-end gap-3">
        <form action={connect}>
          <input type="hidden" name="slug" value={slug} />
          <input type="hidden" name="buildId" value={buildId} />
          <input type="hidden" name="login" value="admin" />
          <button type="submit" disabled={connecting} className={primaryButtonClass}>
            {connecting ? "Connecting…" : "Connect"}
          </button>
        </form>
        <form action={connectAs} className="flex items-end gap-2">
          <input type="hidden" name="slug" value={slug} />
          <input type="hidden" name="buildId" value={buildId} />
          <div>
            <label htmlFor="connect-login" className="block text-xs font-medium text-slate-600">
              Login
            </label>
            <input
              id="connect-login"
              name="login"
              type="text"
              required
              defaultValue={asOther.login}
              placeholder="demo"
              autoComplete="off"
              className={`${inputClass} w-40 py-1.5`}
            />
          </div>
          <button type="submit" disabled={connectingAs} className={`${secondaryButtonClass} py-2 text-sm`}>
            {connectingAs ? "Connecting…" : "Connect as"}
          </button>
        </form>
      </div>
      <ConnectError error={error} />
    </div>
  );
}

function ConnectError({ error }: { error: string | null | undefined }) {
  return error ? (
    <p role="alert" className="text-sm text-red-700">
      {error}
    </p>
  ) : null;
}
