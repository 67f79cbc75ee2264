"use client";

import { useActionState } from "react";
import { acceptInviteAction, type AcceptInviteState } from "./actions";

const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none " +
  "focus:border-brand-500 focus:ring-2 focus:ring-brand-100";

export function AcceptInviteForm({ token, login, minLength }: { token: string; login: string; minLength: number }) {
  const [state, action, pending] = useActionState<AcceptInviteState, FormData>(acceptInviteAction, {});
  return (
    <form action={action} className="space-y-5">
      {state.error ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800" data-testid="invite-error">
          {state.error}
        </p>
      ) : null}
      <input type="hidden" name="token" value={token} />
      {/* For password managers: the account the password belongs to. */}
      <input type="text" name="username" autoComplete="username" value={login} readOnly hidden />
      <div className="space-y-1.5">
        <label htmlFor="password" className="block text-sm font-medium text-slate-700">
          New password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={minLength}
          required
          className={inputClass}
        />
        <p className="text-xs text-slate-500">At least {minLength} characters.</p>
      </div>
      <div className="space-y-1.5">
        <label htmlFor="confirm" className="block text-sm font-medium text-slate-700">
          Repeat the password
        </label>
        <input
          id="confirm"
          name="confirm"
          type="password"
          autoComplete="new-password"
          minLength={minLength}
          required
          className={inputClass}
        />
      </div>
      <button
        type="submit"
        disabled={pending}
        className="flex w-full justify-center rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700 disabled:opacity-60"
      >
        {pending ? "Saving…" : "Set password and sign in"}
      </button>
    </form>
  );
}
