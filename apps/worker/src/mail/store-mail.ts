import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { mailFile } from "@slipway/config";
import { insertMail, type Db } from "@slipway/db";
import { simpleParser } from "mailparser";
import type { MailSender } from "./build-senders";

/** Where a build's captured messages live (the state layout the web's Mails tab reads). */
export function mailPath(home: string, buildId: string, mailId: string): string {
  return mailFile(home, buildId, mailId);
}

/**
 * Keeps one captured message of a build: the raw RFC 822 bytes as a file, and a Mail row with
 * what the Mails tab lists (sender, envelope recipients — Bcc included —, subject, size,
 * attachments). The file is written first; a failed insert removes it again.
 */
export async function storeMail(options: {
  prisma: Db;
  home: string;
  sender: MailSender;
  raw: Buffer;
  envelope: { from: string | null; to: string[] };
  receivedAt?: Date;
}): Promise<{ id: string; rawPath: string }> {
  const { prisma, home, sender, raw, envelope } = options;
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  const id = randomUUID();
  const rawPath = mailPath(home, sender.buildId, id);
  await mkdir(path.dirname(rawPath), { recursive: true, mode: 0o700 });
  await writeFile(rawPath, raw, { mode: 0o600 });
  const headerTo = [parsed.to ?? []]
    .flat()
    .flatMap((a) => a.value.map((v) => v.address ?? ""))
    .filter(Boolean);
  try {
    await insertMail(prisma, {
      id,
      projectId: sender.projectId,
      buildId: sender.buildId,
      messageId: parsed.messageId?.slice(0, 500) ?? null,
      fromAddress: (parsed.from?.text || envelope.from || "").slice(0, 500),
      toAddresses: (envelope.to.length > 0 ? envelope.to : headerTo).map((a) => a.slice(0, 500)),
      subject: (parsed.subject ?? "").slice(0, 1000),
      sizeBytes: raw.length,
      hasAttachments: parsed.attachments.length > 0,
      rawPath,
      receivedAt: options.receivedAt ?? new Date(),
    });
  } catch (error) {
    await rm(rawPath, { force: true });
    throw error;
  }
  return { id, rawPath };
}
