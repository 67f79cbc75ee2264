// The mail catcher's data: which build a sending container belongs to, and the Mail rows of the
// messages it keeps (the raw message itself is a file; the row is what the Mails tab lists).
import type { Stage } from "@slipway/domain";
import type { Db } from "../client";

export function findMailSenderBuild(db: Db, buildId: string): Promise<{ id: string; projectId: string; stage: Stage } | null> {
  return db.build.findUnique({ where: { id: buildId }, select: { id: true, projectId: true, stage: true } });
}

export interface NewMail {
  id: string;
  projectId: string;
  buildId: string;
  messageId: string | null;
  fromAddress: string;
  toAddresses: string[];
  subject: string;
  sizeBytes: number;
  hasAttachments: boolean;
  rawPath: string;
  receivedAt: Date;
}

export async function insertMail(db: Db, mail: NewMail): Promise<void> {
  await db.mail.create({ data: mail });
}
