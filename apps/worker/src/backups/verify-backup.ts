// Restore tests (docs/product/production-updates-and-backups.md): a backup is restored into a throwaway database and checked —
// the dump's checksum, ir_module_module readable with the manifest's installed modules, every
// table's row count equal to the manifest's, every filestore object present with its size and
// sha256 — then the throwaway database is dropped. The result lands on the Backup row
// (verifiedAt, or verifyError with what failed).
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { listLatestProductionBackups, listProjectIds, recordBackupVerification } from "@slipway/db";
import { DomainError } from "@slipway/domain";
import { withClient } from "../postgres";
import { backupStoreOf, isStoreLocation, scratchName, toolsContextOf, type BackupDeps } from "./engine/context";
import { openDump } from "./engine/dump-file";
import { readFilestoreIndex } from "./engine/load-backup";
import { readDatabaseFacts, type BackupManifest } from "./engine/manifest";
import { createDatabase, dropDatabase, pgRestoreCustom } from "../postgres";
import { loadableBackup } from "./restore-backup";

export interface VerifyResult {
  backupId: string;
  ok: boolean;
  problems: string[];
}

function differences(expected: Record<string, number | string>, actual: Record<string, number | string>, what: string): string[] {
  const out: string[] = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    if (expected[key] !== actual[key]) out.push(`${what} ${key}: expected ${expected[key] ?? "none"}, found ${actual[key] ?? "none"}`);
  }
  return out;
}

export async function verifyBackup(options: BackupDeps & { backupId: string; signal?: AbortSignal }): Promise<VerifyResult> {
  const { deps } = options;
  const store = backupStoreOf(options);
  const problems: string[] = [];
  let manifest: BackupManifest;
  try {
    manifest = (await loadableBackup(options)).manifest;
  } catch (error) {
    if (error instanceof DomainError && error.code === "not_found") throw error;
    problems.push((error as Error).message);
    await recordBackupVerification(deps.prisma, { backupId: options.backupId, verifiedAt: null, verifyError: problems.join("; ") });
    return { backupId: options.backupId, ok: false, problems };
  }
  const ctx = await toolsContextOf(deps, { verify: manifest.backupId }, options.signal);
  const scratch = scratchName("verify");
  try {
    await createDatabase({ pg: ctx.pg, name: scratch, collate: manifest.postgres.collate, ctype: manifest.postgres.ctype });
    const hash = createHash("sha256");
    const dump = await openDump(store, manifest);
    // A generator, not pipe(): a damaged chunk's error must reach pg_restore's stdin and fail the run.
    let readError: Error | null = null;
    async function* hashed(): AsyncGenerator<Buffer> {
      try {
        for await (const piece of dump) {
          hash.update(piece as Buffer);
          yield piece as Buffer;
        }
      } catch (error) {
        readError = error as Error;
        throw error;
      }
    }
    try {
      await pgRestoreCustom({ ctx, database: scratch, input: Readable.from(hashed()), strict: true });
    } catch (error) {
      // The dump's own damage (a chunk not matching its checksum) says more than pg_restore's exit.
      throw (readError as Error | null) ?? error;
    }
    const dumpSha = hash.digest("hex");
    if (dumpSha !== manifest.dump.sha256) problems.push(`dump checksum mismatch (expected ${manifest.dump.sha256}, found ${dumpSha})`);

    const facts = await withClient({ pg: ctx.pg, database: scratch }, (c) => readDatabaseFacts(c));
    if (Object.keys(facts.modules).length === 0) problems.push("ir_module_module has no installed module");
    problems.push(...differences(manifest.odoo.modules, facts.modules, "module"));
    problems.push(...differences(manifest.tables, facts.tables, "rows of table"));

    let files = 0;
    for await (const entry of readFilestoreIndex(store, manifest)) {
      files++;
      const h = createHash("sha256");
      let size = 0;
      try {
        for await (const chunk of await store.getObject(entry.h)) {
          h.update(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
      } catch (error) {
        problems.push(`filestore ${entry.p}: ${(error as Error).message}`);
        continue;
      }
      if (h.digest("hex") !== entry.h || size !== entry.s) problems.push(`filestore ${entry.p}: content does not match its checksum`);
    }
    if (files !== manifest.filestore.files) problems.push(`filestore index lists ${files} files, the manifest ${manifest.filestore.files}`);
  } catch (error) {
    problems.push(`restore failed: ${(error as Error).message}`);
  } finally {
    await dropDatabase({ pg: ctx.pg, name: scratch }).catch(() => undefined);
  }
  const ok = problems.length === 0;
  await recordBackupVerification(deps.prisma, {
    backupId: manifest.backupId,
    ...(ok
      ? { verifiedAt: new Date(), verifyError: null }
      : { verifiedAt: null, verifyError: problems.slice(0, 20).join("; ").slice(0, 4000) }),
  });
  if (!ok) deps.logger.warn({ backupId: manifest.backupId, problems: problems.slice(0, 20) }, "backup restore test failed");
  return { backupId: manifest.backupId, ok, problems };
}

/** The restore test of the latest completed backup of every project (production branch). */
export async function verifyLatestBackups(options: BackupDeps & { signal?: AbortSignal }): Promise<VerifyResult[]> {
  const { deps } = options;
  const results: VerifyResult[] = [];
  for (const projectId of await listProjectIds(deps.prisma)) {
    const latest = (await listLatestProductionBackups(deps.prisma, { projectId, limit: 10 })).find((b) => isStoreLocation(b.location));
    if (!latest) continue;
    try {
      results.push(await verifyBackup({ ...options, backupId: latest.id }));
    } catch (error) {
      deps.logger.warn({ backupId: latest.id, err: (error as Error).message }, "backup restore test could not run");
    }
  }
  return results;
}
