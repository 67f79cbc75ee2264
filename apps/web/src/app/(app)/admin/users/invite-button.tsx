"use client";

import { useActionState } from "react";
import { secondaryButtonClass } from "../../projects/_components/styles";
import { inviteUserAction, type InviteLinkState } from "./actions";
import { CopyableLink } from "./copyable-link";

/** "New invite link" for a local user: the link is shown once, here. */
export function InviteButton({ userId, login }: { userId: string; login: string }) {
  const [state, action, pending] = useActionState<InviteLinkState, FormData>(inviteUserAction, {});
  return (
    <form action={action} className="inline">
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" disabled={pending} className={secondaryButtonClass} aria-label={`New invite link for ${login}`}>
        New invite link
      </button>
      {state.error ? (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {state.error}
        </p>
      ) : null}
      {state.link ? <CopyableLink url={state.link.url} /> : null}
    </form>
  );
}
