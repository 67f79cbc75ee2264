// Read models of a build's Mails tab: the captured messages of a build, and one of them.
import type { Db } from "../client";

export interface MailListRow {
  id: string;
  fromAddress: string;
  toAddresses: string[];
  subject: string;
  sizeBytes: number;
  hasAttachments: boolean;
  receivedAt: Date;
}

/** A build's captured messages, newest first. */
export function listBuildMails(db: Db, { buildId, limit = 500 }: { buildId: string; limit?: number }): Promise<MailListRow[]> {
  return db.mail.findMany({
    where: { buildId },
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, fromAddress: true, toAddresses: true, subject: true, sizeBytes: true, hasAttachments: true, receivedAt: true },
  });
}

export interface BuildMailRecord extends MailListRow {
  /** Where the raw message was stored (the caller checks it lies under the build's mail folder). */
  rawPath: string;
}

/** One message of a build by id (null when missing or of another build). */
export function findBuildMail(db: Db, { buildId, mailId }: { buildId: string; mailId: string }): Promise<BuildMailRecord | null> {
  return db.mail.findFirst({
    where: { id: mailId, buildId },
    select: {
      id: true,
      fromAddress: true,
      toAddresses: true,
      subject: true,
      sizeBytes: true,
      hasAttachments: true,
      receivedAt: true,
      rawPath: true,
    },
  });
}
