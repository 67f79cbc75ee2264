// The filestore lives in a database's data volume (`/var/lib/odoo/filestore/<db>` in Odoo
// containers). The worker never mounts volumes itself: a helper container of the PostgreSQL image
// (GNU tar, coreutils) streams it out as tar, or extracts a tar stream into it.
import { PassThrough, Readable } from "node:stream";
import { DomainError } from "@slipway/domain";
import { BUILD_SECURITY, type ContainerSpec } from "@slipway/docker";
import { readTar, type TarEntry } from "../archive/tar";
import { streamContainer, type ToolsContext } from "../../postgres";

const MOUNT = "/data";

/** Filestore folder names: a database name, or our own `.incoming-…`/`.old-…` staging names. */
export function assertFilestoreDir(name: string): void {
  if (!/^\.?[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$/.test(name) || name.includes("..")) {
    throw new DomainError("invalid_input", `invalid filestore folder name ${JSON.stringify(name)}`);
  }
}

function helperSpec(ctx: ToolsContext, volume: string, role: string, script: string, args: string[], readOnly: boolean): ContainerSpec {
  return {
    image: ctx.image,
    // root: the volume belongs to the Odoo image's user (uid 101), not to the postgres user.
    user: "0:0",
    entrypoint: ["sh", "-c", script, "sh", ...args],
    mounts: [{ type: "volume", source: volume, target: MOUNT, readOnly }],
    network: "none",
    // Root without its powers: reading needs only to bypass file modes; writing, to set owners.
    security: { ...BUILD_SECURITY, capAdd: readOnly ? ["DAC_READ_SEARCH"] : ["CHOWN", "DAC_OVERRIDE", "FOWNER"] },
    labels: { ...ctx.labels, role },
  };
}

/** Every regular file of `filestore/<dir>` with its size (no content read). */
export async function listFilestore(options: { ctx: ToolsContext; volume: string; dir: string }): Promise<Map<string, number>> {
  assertFilestoreDir(options.dir);
  const script = 'if [ -d "$1" ]; then cd "$1" && exec find . -type f -printf "%s %P\\0"; fi';
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on("data", (c: Buffer) => parts.push(c));
  const run = await streamContainer(options.ctx, {
    spec: helperSpec(options.ctx, options.volume, "backup-filestore-list", script, [`${MOUNT}/filestore/${options.dir}`], true),
    stdout: out,
  });
  if (run.exitCode !== 0) throw new DomainError("upstream_failed", `listing the filestore ${options.dir} failed: ${run.stderr.trim()}`);
  const files = new Map<string, number>();
  for (const record of Buffer.concat(parts).toString("utf8").split("\0")) {
    const space = record.indexOf(" ");
    if (space > 0) files.set(record.slice(space + 1), Number(record.slice(0, space)));
  }
  return files;
}

/**
 * Streams the files of `filestore/<dir>` (regular files only, paths relative to that folder) to
 * `onFile`, one at a time; with `only`, just those paths. A missing folder is an empty filestore.
 * Returns how many files.
 */
export async function readFilestore(options: {
  ctx: ToolsContext;
  volume: string;
  dir: string;
  only?: string[];
  onFile: (entry: TarEntry, body: AsyncIterable<Buffer>) => Promise<void>;
}): Promise<number> {
  assertFilestoreDir(options.dir);
  const script = options.only
    ? 'cd "$1" && exec tar --format=gnu -cf - --null --verbatim-files-from -T -'
    : 'if [ -d "$1" ]; then cd "$1" && exec tar --format=gnu -cf - .; else exec tar -cf - -T /dev/null; fi';
  if (options.only?.length === 0) return 0;
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let files = 0;
  const reading = readTar(out, async (entry, body) => {
    if (entry.type !== "file") return;
    files++;
    await options.onFile(entry, body);
  });
  const run = streamContainer(options.ctx, {
    spec: helperSpec(options.ctx, options.volume, "backup-filestore-read", script, [`${MOUNT}/filestore/${options.dir}`], true),
    stdin: options.only ? Readable.from([Buffer.from(options.only.map((p) => `${p}\0`).join(""))]) : undefined,
    stdout: out,
  });
  // If the reader fails first, the container must not stay blocked on a full pipe.
  const [result] = await Promise.all([run, reading.catch((e: unknown) => (out.destroy(e as Error), Promise.reject(e)))]);
  if (result.exitCode !== 0)
    throw new DomainError("upstream_failed", `reading the filestore ${options.dir} failed: ${result.stderr.trim()}`);
  return files;
}

/**
 * Extracts a tar stream into `filestore/<dir>` of the volume (created; must not exist yet), owned
 * like the volume's root (the Odoo image's user), so the server can keep writing attachments.
 */
export async function writeFilestore(options: { ctx: ToolsContext; volume: string; dir: string; tar: Readable }): Promise<void> {
  assertFilestoreDir(options.dir);
  const script = [
    'set -e; mkdir -p "$1"; target="$1/$2"',
    'if [ -e "$target" ]; then echo "$target already exists" >&2; exit 3; fi',
    'mkdir "$target"; tar --no-same-permissions --no-overwrite-dir -xf - -C "$target"',
    'owner="$(stat -c %u:%g "$3")"; chown "$owner" "$1"; chown -R "$owner" "$target"; chmod -R u+rwX "$target"',
  ].join("\n");
  const run = await streamContainer(options.ctx, {
    spec: helperSpec(options.ctx, options.volume, "backup-filestore-write", script, [`${MOUNT}/filestore`, options.dir, MOUNT], false),
    stdin: options.tar,
  });
  if (run.exitCode !== 0) throw new DomainError("upstream_failed", `writing the filestore ${options.dir} failed: ${run.stderr.trim()}`);
}

/**
 * Renames filestore folders in one helper run, in order (`[from, to]` pairs; a missing `from` is
 * skipped), then removes the `remove` folders. Renames inside one volume are instant.
 */
export async function moveFilestores(options: {
  ctx: ToolsContext;
  volume: string;
  moves: [string, string][];
  remove?: string[];
}): Promise<void> {
  const args: string[] = [];
  for (const [from, to] of options.moves) {
    assertFilestoreDir(from);
    assertFilestoreDir(to);
    args.push(from, to);
  }
  for (const dir of options.remove ?? []) assertFilestoreDir(dir);
  const script = [
    `set -e; cd ${MOUNT}; mkdir -p filestore; cd filestore`,
    `n=${options.moves.length}; i=0`,
    'while [ "$i" -lt "$n" ]; do from="$1"; to="$2"; shift 2; i=$((i+1))',
    '  if [ -e "$from" ]; then if [ -e "$to" ]; then echo "$to already exists" >&2; exit 3; fi; mv "$from" "$to"; fi',
    "done",
    'for d in "$@"; do rm -rf -- "$d"; done',
  ].join("\n");
  const run = await streamContainer(options.ctx, {
    spec: helperSpec(options.ctx, options.volume, "backup-filestore-move", script, [...args, ...(options.remove ?? [])], false),
  });
  if (run.exitCode !== 0) throw new DomainError("upstream_failed", `moving filestore folders failed: ${run.stderr.trim()}`);
}
