import { isDomainError } from "@slipway/domain";
import Link from "next/link";
import { deps } from "@/server/deps";
import { listBuildMails, openBuildMail, type OpenedMail } from "@/server/mails/build-mails";
import { formatTime } from "@/app/(app)/projects/_components/format";
import { MailDetail } from "./mail-detail";

const size = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;

/**
 * A build's caught mail: the inbox and the opened message (`mailId`). `base` is the build page's
 * URL (the message's raw/HTML/attachment routes live under it); `listBase` the page the inbox
 * links back to (the build page, or the branch page's Mails tab). The caller checks the role.
 */
export async function BuildMailsPanel({
  buildId,
  base,
  listBase,
  mailId,
  view,
}: {
  buildId: string;
  base: string;
  listBase: string;
  mailId?: string;
  view?: string;
}) {
  const d = deps();
  const mails = await listBuildMails(d.prisma, { buildId });
  let opened: OpenedMail | null = null;
  let openError: string | null = null;
  if (mailId) {
    try {
      opened = await openBuildMail({ prisma: d.prisma, home: d.config.home, buildId, mailId });
    } catch (e) {
      if (!isDomainError(e)) throw e;
      openError = e.message;
    }
  }
  return (
    <>
      <p className="text-sm text-slate-600">Messages sent by this build are caught here and never delivered.</p>
      {mails.length === 0 ? (
        <p className="rounded-xl border border-slate-200 bg-white p-4 text-sm text-slate-500" data-testid="mails-empty">
          No message caught yet.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm" data-testid="mails-list">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-3 py-2">Received</th>
                <th className="px-3 py-2">From</th>
                <th className="px-3 py-2">To</th>
                <th className="px-3 py-2">Subject</th>
                <th className="px-3 py-2 text-right">Size</th>
              </tr>
            </thead>
            <tbody>
              {mails.map((m) => (
                <tr key={m.id} className={`border-t border-slate-100 ${m.id === opened?.id ? "bg-brand-50" : ""}`}>
                  <td className="whitespace-nowrap px-3 py-2 text-slate-500">{formatTime(m.receivedAt)}</td>
                  <td className="px-3 py-2">{m.fromAddress}</td>
                  <td className="px-3 py-2">{m.toAddresses.join(", ")}</td>
                  <td className="px-3 py-2">
                    <Link
                      href={`${listBase}/mails?mail=${m.id}`}
                      className="text-brand-700 hover:underline"
                      aria-current={m.id === opened?.id ? "true" : undefined}
                    >
                      {m.subject || "(no subject)"}
                    </Link>
                    {m.hasAttachments ? (
                      <span className="ml-2 text-xs text-slate-500" aria-label="with attachments">
                        📎
                      </span>
                    ) : null}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-right text-slate-500">{size(m.sizeBytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {openError ? (
        <p role="alert" className="text-sm text-red-700">
          {openError}
        </p>
      ) : null}
      {opened ? <MailDetail base={base} listBase={listBase} mail={opened} view={view} /> : null}
    </>
  );
}
