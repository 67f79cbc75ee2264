"use client";

import { useState } from "react";
import { primaryButtonClass } from "../../projects/_components/styles";

const ORG = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/**
 * Posts the App manifest straight to GitHub (the manifest flow is a browser form post): to the
 * signed-in GitHub account's settings, or to an organisation's when one is typed.
 */
export function CreateAppForm({ personal, oauthUrl }: { personal: { action: string; manifest: string }; oauthUrl: string }) {
  const [org, setOrg] = useState("");
  const state = new URL(personal.action).searchParams.get("state") ?? "";
  const trimmed = org.trim();
  const valid = trimmed === "" || ORG.test(trimmed);
  const action =
    trimmed && valid
      ? `${oauthUrl}/organizations/${encodeURIComponent(trimmed)}/settings/apps/new?state=${encodeURIComponent(state)}`
      : personal.action;
  return (
    <form method="post" action={action} className="space-y-3" data-testid="create-github-app">
      <input type="hidden" name="manifest" value={personal.manifest} />
      <label className="block text-sm">
        <span className="text-slate-700">GitHub organisation that owns the App (empty: your own account)</span>
        <input
          name="organisation"
          value={org}
          onChange={(e) => setOrg(e.target.value)}
          placeholder="acme"
          className="mt-1 block w-64 rounded-md border border-slate-300 px-2 py-1 text-sm"
        />
      </label>
      {valid ? null : <p className="text-sm text-red-700">Not a GitHub organisation name.</p>}
      <button type="submit" className={primaryButtonClass} disabled={!valid}>
        Create GitHub App
      </button>
    </form>
  );
}
