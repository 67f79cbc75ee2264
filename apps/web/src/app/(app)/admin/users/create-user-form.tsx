"use client";

import { useActionState, useState } from "react";
import { inputClass, primaryButtonClass } from "../../projects/_components/styles";
import { createUserAction, type CreateUserFormState } from "./actions";
import { CopyableLink } from "./copyable-link";

const initial: CreateUserFormState = { values: { login: "", name: "", email: "", mode: "invite" } };

/** Create a local user: login, name, e-mail, and an initial password or a one-time invite link. */
export function CreateUserForm() {
  const [state, action, pending] = useActionState(createUserAction, initial);
  const [mode, setMode] = useState(state.values.mode || "invite");
  return (
    // The key resets the uncontrolled fields to the values the server sent back.
    <form key={JSON.stringify(state)} action={action} className="space-y-4" aria-label="New local user">
      {state.error ? (
        <p
          role="alert"
          data-testid="create-user-error"
          className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          {state.error}
        </p>
      ) : null}
      {state.created ? (
        <div
          role="status"
          data-testid="create-user-notice"
          className="rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-900"
        >
          {state.created.inviteUrl ? (
            <>
              <p>
                {state.created.login} created. Send them this one-time link to set their password (shown once; it works until{" "}
                {state.created.inviteExpiresAt?.replace("T", " ").slice(0, 16)} UTC):
              </p>
              <CopyableLink url={state.created.inviteUrl} />
            </>
          ) : (
            <p>{state.created.login} created; they can sign in with the password you chose.</p>
          )}
        </div>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-3">
        <label className="block text-sm">
          <span className="mb-1 block font-medium text-slate-700">Login</span>
          <input
            name="login"
            required
            minLength={2}
            maxLength={39}
            autoCapitalize="none"
            spellCheck={false}
            defaultValue={state.values.login}
            placeholder="jane"
            className={inputClass}
          />
        </label>
        <label className="block text-sm">
          <span className="mb-1 block font-medium text-slate-700">Name</span>
          <input name="name" maxLength={100} defaultValue={state.values.name} placeholder="Jane Doe" className={inputClass} />
        </label>
        <label className="block text-sm">
          <span className="mb-1 block font-medium text-slate-700">E-mail</span>
          <input
            name="email"
            type="email"
            maxLength={254}
            defaultValue={state.values.email}
            placeholder="jane@example.com"
            className={inputClass}
          />
        </label>
      </div>
      <fieldset className="space-y-2 text-sm">
        <legend className="mb-1 font-medium text-slate-700">First sign-in</legend>
        <label className="flex items-center gap-2">
          <input type="radio" name="mode" value="invite" checked={mode === "invite"} onChange={() => setMode("invite")} />
          Generate a one-time invite link (they choose their password)
        </label>
        <label className="flex items-center gap-2">
          <input type="radio" name="mode" value="password" checked={mode === "password"} onChange={() => setMode("password")} />
          Set an initial password
        </label>
        {mode === "password" ? (
          <label className="block max-w-sm">
            <span className="mb-1 block font-medium text-slate-700">Initial password</span>
            <input name="password" type="password" autoComplete="new-password" minLength={10} required className={inputClass} />
          </label>
        ) : null}
      </fieldset>
      <button type="submit" disabled={pending} className={primaryButtonClass}>
        {pending ? "Creating…" : "Create user"}
      </button>
    </form>
  );
}
