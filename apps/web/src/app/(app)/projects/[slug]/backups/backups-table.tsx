import type { BackupListRow } from "@slipway/db";
import type { BranchBackups } from "@/server/backups/list-backups";
import { formatTime } from "../../_components/format";
import { sizeText } from "./api";
import { BackupActions, type RestoreTarget } from "./backup-actions";

const kindLabel: Record<BackupListRow["kind"], string> = {
  daily: "Daily",
  manual: "Manual",
  update: "Update",
  import: "Import",
  safety: "Safety",
};
const stateClass: Record<BackupListRow["state"], string> = {
  pending: "bg-slate-100 text-slate-700",
  running: "bg-sky-50 text-sky-700 ring-1 ring-sky-200",
  done: "bg-emerald-50 text-emerald-700 ring-1 ring-emerald-200",
  failed: "bg-red-50 text-red-700 ring-1 ring-red-200",
};

function Verified({ row, showErrors }: { row: BackupListRow; showErrors: boolean }) {
  if (row.verifyError && showErrors) {
    return (
      <span className="text-xs font-medium text-amber-700" data-testid="verify-warning" title={row.verifyError}>
        ⚠ restore test failed: {row.verifyError.slice(0, 140)}
      </span>
    );
  }
  if (row.verifiedAt) {
    return (
      <span
        className="rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-medium text-emerald-700 ring-1 ring-emerald-200"
        data-testid="verified-badge"
        title={`Restore test passed ${formatTime(row.verifiedAt)}`}
      >
        verified
      </span>
    );
  }
  return <span className="text-xs text-slate-400">not yet</span>;
}

/** The branch's backups, newest first, with restores/imports in flight or failed lately above them. */
export function BackupsTable({
  slug,
  list,
  targets,
  showVerifyErrors,
}: {
  slug: string;
  list: BranchBackups;
  targets: RestoreTarget[];
  showVerifyErrors: boolean;
}) {
  return (
    <div className="space-y-3">
      {list.operations.map((op) => (
        <p
          key={`${op.kind}-${op.at.toISOString()}`}
          role={op.state === "failed" ? "alert" : "status"}
          data-testid={`operation-${op.kind}-${op.state}`}
          className={`rounded-lg px-3 py-2 text-sm ${op.state === "failed" ? "bg-red-50 text-red-800" : op.state === "done" ? "bg-emerald-50 text-emerald-800" : "bg-sky-50 text-sky-800"}`}
        >
          {op.kind === "restore" ? "Restore" : "Import"} of {list.branch.name}{" "}
          {op.state === "failed"
            ? `failed (${formatTime(op.at)}), nothing was changed: ${op.error}`
            : op.state === "done"
              ? `done (${formatTime(op.at)}): the branch runs on the ${op.kind === "restore" ? "restored" : "imported"} database; a safety backup was taken first.`
              : op.state === "running"
                ? "in progress…"
                : "queued…"}
        </p>
      ))}
      {list.backups.length === 0 ? (
        <p className="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-500" data-testid="backups-empty">
          No backup of this branch yet.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm" data-testid="backups-list">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-3 py-2">Type</th>
                <th className="px-3 py-2">Date</th>
                <th className="px-3 py-2 text-right">Size</th>
                <th className="px-3 py-2">State</th>
                <th className="px-3 py-2">Verified</th>
                <th className="px-3 py-2">Expires</th>
                <th className="px-3 py-2 text-right">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.backups.map((b) => (
                <tr
                  key={b.id}
                  className="border-t border-slate-100 align-top"
                  data-testid={`backup-${b.id}`}
                  data-state={b.state}
                  data-kind={b.kind}
                >
                  <td className="px-3 py-2 font-medium">{kindLabel[b.kind]}</td>
                  <td className="whitespace-nowrap px-3 py-2 text-slate-600">{formatTime(b.createdAt)}</td>
                  <td className="whitespace-nowrap px-3 py-2 text-right text-slate-600">{sizeText(b.sizeBytes)}</td>
                  <td className="px-3 py-2">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${stateClass[b.state]}`} data-testid="backup-state">
                      {b.state === "pending" ? "queued" : b.state === "running" ? "running…" : b.state}
                    </span>
                    {b.state === "failed" && b.error ? <p className="mt-1 max-w-xs text-xs text-red-700">{b.error.slice(0, 300)}</p> : null}
                  </td>
                  <td className="px-3 py-2">{b.state === "done" ? <Verified row={b} showErrors={showVerifyErrors} /> : null}</td>
                  <td className="whitespace-nowrap px-3 py-2 text-slate-600">
                    {b.expiresAt ? formatTime(b.expiresAt).slice(0, 10) : b.kind === "daily" ? "by retention" : "—"}
                  </td>
                  <td className="px-3 py-2">
                    {b.state === "done" ? (
                      <BackupActions slug={slug} backupId={b.id} takenAt={formatTime(b.createdAt)} targets={targets} />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
