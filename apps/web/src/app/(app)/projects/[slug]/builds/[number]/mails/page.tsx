import { isDomainError } from "@slipway/domain";
import type { Metadata } from "next";
import Link from "next/link";
import { buildToolForPage } from "@/server/build-tools/page-build";
import { deps } from "@/server/deps";
import { listBuildMails, openBuildMail, type OpenedMail } from "@/server/mails/build-mails";
import { formatTime } from "@/app/(app)/projects/_components/format";
import { LiveRefresh } from "@/app/(app)/projects/[slug]/live-refresh";
import { ToolsNav } from "../tools-nav";
import { MailDetail } from "./mail-detail";

type Props = { params: Promise<{ slug: string; number: string }>; searchParams: Promise<{ mail?: string; view?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug, number } = await params;
  return { title: `${slug} · build #${number} · mails` };
}

const size = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} kB` : `${(bytes / 1024 ** 2).toFixed(1)} MB`;

/**
 * Mails tab: the mail catcher's inbox for this build (development and staging builds send all
 * their mail there; production mail is really sent, so production has no Mails tab).
 */
export default async function MailsPage({ params, searchParams }: Props) {
  const { slug, number } = await params;
  const { mail: mailId, view } = await searchParams;
  const { access, build } = await buildToolForPage({ slug, number, tool: "mails" });
  const d = deps();
  const mails = await listBuildMails(d.prisma, { buildId: build.id });
  let opened: OpenedMail | null = null;
  let openError: string | null = null;
  if (mailId) {
    try {
      opened = await openBuildMail({ prisma: d.prisma, home: d.config.home, buildId: build.id, mailId });
    } catch (e) {
      if (!isDomainError(e)) throw e;
      openError = e.message;
    }
  }
  const base = `/projects/${slug}/builds/${build.number}`;
  return (
    <div className="space-y-4">
      <LiveRefresh slug={slug} />
      <p className="text-sm">
        <Link href={`/projects/${slug}?tab=builds`} className="text-slate-500 hover:text-slate-800">
          ← {access.project.name} builds
        </Link>
      </p>
      <h1 className="text-2xl font-semibold tracking-tight">Build #{build.number} · Mails</h1>
      <ToolsNav
        slug={slug}
        number={build.number}
        current="mails"
        allowed={(tool) => access.can({ stage: build.stage, tool })}
        running={build.state === "running"}
      />
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
                      href={`${base}/mails?mail=${m.id}`}
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
      {opened ? <MailDetail base={base} mail={opened} view={view} /> : null}
    </div>
  );
}
