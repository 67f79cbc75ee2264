import { readFile } from "node:fs/promises";
import { isInBuildMailsDir } from "@slipway/config";
import { findBuildMail, listBuildMails as listBuildMailRows, type Db, type MailListRow } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { simpleParser } from "mailparser";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Mails tab's list: a build's captured messages, newest first. */
export function listBuildMails(prisma: Db, options: { buildId: string; limit?: number }): Promise<MailListRow[]> {
  return listBuildMailRows(prisma, options);
}

export interface MailAttachment {
  index: number;
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

export interface OpenedMail {
  id: string;
  subject: string;
  fromAddress: string;
  toAddresses: string[];
  receivedAt: Date;
  raw: Buffer;
  /** Header lines as sent, in order. */
  headers: string[];
  text: string | null;
  /** The HTML part, untrusted: only ever served from the sandboxed html route. */
  html: string | null;
  attachments: MailAttachment[];
}

/**
 * One captured message of a build, parsed. The row must belong to that build (ids come from
 * URLs) and its file must live under `<home>/mails/<buildId>/`, whatever the row says.
 */
export async function openBuildMail(options: { prisma: Db; home: string; buildId: string; mailId: string }): Promise<OpenedMail> {
  const { prisma, home, buildId, mailId } = options;
  const missing = new DomainError("not_found", "This message does not exist.");
  if (!UUID.test(mailId)) throw missing;
  const row = await findBuildMail(prisma, { buildId, mailId });
  if (!row) throw missing;
  if (!isInBuildMailsDir(home, buildId, row.rawPath)) throw missing;
  const raw = await readFile(row.rawPath).catch(() => {
    throw new DomainError("not_found", "The message file is gone (its build was removed).");
  });
  const parsed = await simpleParser(raw, { skipTextLinks: true });
  return {
    id: row.id,
    subject: row.subject,
    fromAddress: row.fromAddress,
    toAddresses: row.toAddresses,
    receivedAt: row.receivedAt,
    raw,
    headers: parsed.headerLines.map((h) => h.line),
    text: parsed.text ?? null,
    html: typeof parsed.html === "string" ? parsed.html : null,
    attachments: parsed.attachments.map((a, index) => ({
      index,
      filename: a.filename ?? `attachment-${index + 1}`,
      contentType: a.contentType,
      size: a.size,
      content: a.content,
    })),
  };
}

/**
 * Headers of every response carrying mail content: the HTML is untrusted (anything a build's
 * code or data puts in a message), so it is served with a CSP `sandbox` (a unique opaque origin
 * even when opened directly, no scripts, no forms), no network loads but inline styles and data:
 * images, never sniffed, never cached, and framable only by the panel's own pages.
 */
export const mailHtmlHeaders: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "private, no-store",
};

/** A download: never rendered by the browser, whatever type the message claimed. */
export function downloadHeaders(filename: string, contentType = "application/octet-stream"): Record<string, string> {
  const ascii = filename.replace(/[^A-Za-z0-9._ -]/g, "_").slice(0, 150) || "download";
  return {
    "content-type": contentType,
    "content-disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename.slice(0, 150))}`,
    "x-content-type-options": "nosniff",
    "content-security-policy": "sandbox; default-src 'none'",
    "cache-control": "private, no-store",
  };
}
