"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { primaryButtonClass } from "../../_components/styles";
import { backupsApi, postJson } from "./api";

/** "Backup now": at most 5 per branch per day; the server's refusal (quota, no database) is shown as it is. */
export function ManualBackupButton({
  slug,
  branch,
  remaining,
  disabledReason,
}: {
  slug: string;
  branch: string;
  remaining: number;
  disabledReason: string | null;
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  async function backUp() {
    setPending(true);
    setMessage(null);
    const res = await postJson<{ remainingToday: number }>(backupsApi(slug), { branch });
    setPending(false);
    setMessage(
      res.ok
        ? { error: false, text: `Backup queued (${res.data.remainingToday} more manual backups possible today).` }
        : { error: true, text: res.message },
    );
    router.refresh();
  }
  return (
    <div className="flex flex-wrap items-center gap-3">
      <button
        type="button"
        className={primaryButtonClass}
        disabled={pending || disabledReason !== null}
        onClick={backUp}
        title={disabledReason ?? undefined}
      >
        {pending ? "Requesting…" : "Backup now"}
      </button>
      <span className="text-xs text-slate-500">
        {disabledReason ?? `${Math.max(remaining, 0)} of 5 manual backups left today (kept 7 days).`}
      </span>
      {message ? (
        <p
          role={message.error ? "alert" : "status"}
          data-testid="manual-backup-message"
          className={`w-full text-sm ${message.error ? "text-red-700" : "text-slate-700"}`}
        >
          {message.text}
        </p>
      ) : null}
    </div>
  );
}
