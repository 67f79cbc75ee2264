"use client";

import { useState } from "react";
import { secondaryButtonClass } from "../../projects/_components/styles";

/** An invite link in a read-only field with a copy button. */
export function CopyableLink({ url }: { url: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="mt-2 flex items-center gap-2">
      <input
        readOnly
        value={url}
        aria-label="Invite link"
        data-testid="invite-link"
        onFocus={(e) => e.currentTarget.select()}
        className="block w-full rounded-md border border-slate-300 bg-white px-2 py-1 font-mono text-xs"
      />
      <button
        type="button"
        className={secondaryButtonClass}
        onClick={() => {
          void navigator.clipboard?.writeText(url).then(() => setCopied(true));
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
