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

// Copies objects of a backup store into a new filestore folder, inside the helper container (perl:
// Debian's essential perl-base). Input records `<sha256> <size> <path>\0`, paths already checked
// by the index reader (isSafeRelativePath) and again here (no empty, `.` or `..` segment). Files
// are created with O_EXCL|O_NOFOLLOW (never through a link planted by someone else), 0644 under
// umask 022, owned by the volume's owner as they are created (fchown), folders 0755 likewise: no
// second pass over the tree. Each file's size is checked against the index.
const COPY_OBJECTS = String.raw`
use strict; use warnings; use Errno; use Fcntl qw(O_RDONLY O_WRONLY O_CREAT O_EXCL O_NOFOLLOW);
my ($target, $objects, $uid, $gid) = @ARGV;
umask 022; binmode STDIN; local $/ = "\0";
my (%made, $buf);
while (defined(my $rec = <STDIN>)) {
  chomp $rec;
  next if $rec eq "";
  my ($h, $size, $p) = split / /, $rec, 3;
  die "bad record\n" unless defined $p && $h =~ /\A[0-9a-f]{64}\z/ && $size =~ /\A[0-9]{1,15}\z/;
  my @seg = split m{/}, $p, -1;
  die "bad path $p\n" if !@seg || grep { $_ eq "" || $_ eq "." || $_ eq ".." } @seg;
  my $d = $target;
  for my $s (@seg[0 .. $#seg - 1]) {
    $d .= "/$s";
    next if $made{$d};
    if (mkdir $d, 0755) { chown $uid, $gid, $d or die "chown $d: $!\n"; }
    elsif (!$!{EEXIST} || -l $d || !-d $d) { die "mkdir $d: $!\n"; }
    $made{$d} = 1;
  }
  sysopen(my $in, "$objects/" . substr($h, 0, 2) . "/$h", O_RDONLY) or die "object $h: $!\n";
  sysopen(my $out, "$target/$p", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644) or die "$p: $!\n";
  chown $uid, $gid, $out or die "chown $p: $!\n";
  my $n = 0;
  for (;;) {
    my $r = sysread($in, $buf, 1 << 20);
    die "read $h: $!\n" unless defined $r;
    last if $r == 0;
    for (my $o = 0; $o < $r;) { my $w = syswrite($out, $buf, $r - $o, $o); die "write $p: $!\n" unless defined $w; $o += $w; }
    $n += $r;
  }
  die "object $h is $n bytes, the index says $size\n" unless $n == $size;
  close $out or die "close $p: $!\n";
  close $in;
}
`;

/**
 * Fills `filestore/<dir>` of the volume (created; must not exist yet) with objects of a backup store
 * on this machine's disk (`objectsDir`, `<aa>/<sha256>`, mounted read-only into the helper): the
 * bytes go from file to file inside the helper, not through the worker and a tar stream (issue 18:
 * that cost the worker about as much CPU as the extraction itself). Owned like the volume's root
 * (the Odoo image's user), as writeFilestore leaves it.
 */
export async function copyObjectsIntoFilestore(options: {
  ctx: ToolsContext;
  volume: string;
  dir: string;
  objectsDir: string;
  files: AsyncIterable<{ path: string; sha256: string; size: number }>;
}): Promise<void> {
  assertFilestoreDir(options.dir);
  const script = [
    'set -e; mkdir -p "$1"; target="$1/$2"',
    'if [ -e "$target" ]; then echo "$target already exists" >&2; exit 3; fi',
    // Root's own until the copy is done: nothing else can enter it meanwhile.
    'owner="$(stat -c %u:%g "$3")"; chown "$owner" "$1"; mkdir -m 0700 "$target"',
    'perl -e "$4" "$target" /objects "${owner%:*}" "${owner#*:}"',
    'chown "$owner" "$target"; chmod 0755 "$target"',
  ].join("\n");
  async function* records(): AsyncGenerator<Buffer> {
    const batch: string[] = [];
    for await (const f of options.files) {
      if (f.path.includes("\0")) throw new DomainError("invalid_state", `unsafe filestore path ${JSON.stringify(f.path)}`);
      batch.push(`${f.sha256} ${f.size} ${f.path}\0`);
      if (batch.length >= 256) yield Buffer.from(batch.splice(0).join(""));
    }
    if (batch.length > 0) yield Buffer.from(batch.join(""));
  }
  const spec = helperSpec(
    options.ctx,
    options.volume,
    "backup-filestore-copy",
    script,
    [`${MOUNT}/filestore`, options.dir, MOUNT, COPY_OBJECTS],
    false,
  );
  spec.mounts = [...(spec.mounts ?? []), { type: "bind", source: options.objectsDir, target: "/objects", readOnly: true }];
  const run = await streamContainer(options.ctx, { spec, stdin: Readable.from(records(), { objectMode: false }) });
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
