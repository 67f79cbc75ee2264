"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { primaryButtonClass } from "../../_components/styles";
import { backupsApi, postJson } from "./api";

type Message = { error: boolean; text: string; backupId?: string };

const POLL_MS = 2000;
const POLL_LIMIT = 900; // 30 min: a backup that takes longer is followed by the list only.

/**
 * "Backup now": at most 5 per branch per day; the server's refusal (quota, no database) is shown as it is.
 * The "queued" notice follows the backup (GET /backups) and says when it is done or failed, then goes.
 */
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
  const [message, setMessage] = useState<Message | null>(null);
  const following = message?.backupId ?? null;
  useEffect(() => {
    if (!following) return;
    let polls = 0;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      if (stopped) return;
      polls += 1;
      const res = await fetch(`${backupsApi(slug)}?branch=${encodeURIComponent(branch)}`)
        .then((r) => (r.ok ? (r.json() as Promise<{ backups: { id: string; state: string; error: string | null }[] }>) : null))
        .catch(() => null);
      if (stopped) return;
      const row = res?.backups.find((b) => b.id === following);
      if (row?.state === "done" || row?.state === "failed") {
        setMessage(
          row.state === "done"
            ? { error: false, text: "Backup done: it is in the list below." }
            : { error: true, text: `The backup failed: ${row.error ?? "see the worker's log"}.` },
        );
        router.refresh();
        return;
      }
      if (polls < POLL_LIMIT) timer = setTimeout(poll, POLL_MS);
      else setMessage(null);
    };
    timer = setTimeout(poll, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [following, slug, branch, router]);
  // The "done" notice goes after a while; errors stay until the next request.
  useEffect(() => {
    if (!message || message.error || message.backupId) return;
    const timer = setTimeout(() => setMessage(null), 8000);
    return () => clearTimeout(timer);
  }, [message]);
  async function backUp() {
    setPending(true);
    setMessage(null);
    const res = await postJson<{ backupId: string; remainingToday: number }>(backupsApi(slug), { branch });
    setPending(false);
    setMessage(
      res.ok
        ? {
            error: false,
            text: `Backup queued (${res.data.remainingToday} more manual backups possible today).`,
            backupId: res.data.backupId,
          }
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
