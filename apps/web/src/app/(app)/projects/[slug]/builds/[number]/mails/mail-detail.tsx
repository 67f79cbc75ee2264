import Link from "next/link";
import type { OpenedMail } from "@/server/mails/build-mails";
import { formatTime } from "@/app/(app)/projects/_components/format";

type View = "html" | "text" | "headers" | "attachments";

/** One caught message: HTML (sandboxed iframe, other origin rules), text, headers, attachments. */
export function MailDetail({
  base,
  listBase = base,
  mail,
  view: requested,
}: {
  base: string;
  /** The page whose inbox shows this message (its part links go there); the build page by default. */
  listBase?: string;
  mail: OpenedMail;
  view?: string;
}) {
  const views: { key: View; label: string; available: boolean }[] = [
    { key: "html", label: "HTML", available: mail.html !== null },
    { key: "text", label: "Text", available: mail.text !== null },
    { key: "headers", label: "Headers", available: true },
    { key: "attachments", label: `Attachments (${mail.attachments.length})`, available: mail.attachments.length > 0 },
  ];
  const fallback = views.find((v) => v.available)?.key ?? "headers";
  const view: View = views.some((v) => v.key === requested && v.available) ? (requested as View) : fallback;
  const mailBase = `${base}/mails/${mail.id}`;
  return (
    <section
      className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
      aria-labelledby="mail-subject"
      data-testid="mail-detail"
    >
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id="mail-subject" className="text-lg font-semibold">
            {mail.subject || "(no subject)"}
          </h2>
          <p className="text-sm text-slate-600">
            From {mail.fromAddress} to {mail.toAddresses.join(", ")} · {formatTime(mail.receivedAt)}
          </p>
        </div>
        <a href={`${mailBase}/raw`} className="text-sm text-brand-700 hover:underline">
          Download .eml
        </a>
      </div>
      <nav className="flex gap-4 border-b border-slate-200 text-sm" aria-label="Message parts">
        {views
          .filter((v) => v.available)
          .map((v) => (
            <Link
              key={v.key}
              href={`${listBase}/mails?mail=${mail.id}&view=${v.key}`}
              aria-current={v.key === view ? "page" : undefined}
              className={`-mb-px border-b-2 pb-1.5 ${v.key === view ? "border-brand-600 font-medium text-slate-900" : "border-transparent text-slate-500 hover:text-slate-800"}`}
            >
              {v.label}
            </Link>
          ))}
      </nav>
      {view === "html" ? (
        // sandbox="" : no scripts, no forms, no same-origin access; the route adds a sandboxing CSP too.
        <iframe
          sandbox=""
          src={`${mailBase}/html`}
          title={`HTML of "${mail.subject}"`}
          referrerPolicy="no-referrer"
          className="h-[32rem] w-full rounded border border-slate-200"
          data-testid="mail-html"
        />
      ) : view === "text" ? (
        <pre className="max-h-[32rem] overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-3 text-sm" data-testid="mail-text">
          {mail.text}
        </pre>
      ) : view === "headers" ? (
        <pre
          className="max-h-[32rem] overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-3 font-mono text-xs"
          data-testid="mail-headers"
        >
          {mail.headers.join("\n")}
        </pre>
      ) : (
        <ul className="space-y-1 text-sm" data-testid="mail-attachments">
          {mail.attachments.map((a) => (
            <li key={a.index}>
              <a href={`${mailBase}/attachments/${a.index}`} className="text-brand-700 hover:underline" download>
                {a.filename}
              </a>{" "}
              <span className="text-slate-500">
                ({a.contentType}, {a.size} bytes)
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
