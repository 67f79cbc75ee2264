// Filestore operations between Odoo data volumes (`<volume>/filestore/<database>`), run in a short
// helper container of the platform's tools image — never a project's image — with no network, no
// capability but the three file ones a copy preserving owners needs, and no privilege gain (ADR 0005). Odoo's filestore files are content-addressed and never modified in
// place (a new content is a new file; the GC only unlinks), so a copy by hard links (`cp -al`) is a
// correct snapshot and costs one directory entry per file, whatever the size.
//
// Hard links cannot cross mount points, and two volumes mounted in one container are two mounts even
// on the same filesystem. So when source and target volumes differ, the helper mounts the engine's
// volumes folder (the parent of both local volumes, from `docker volume inspect`) once and links
// inside it; if linking fails anyway (other filesystems, volume drivers), it falls back to `cp -a`
// and says so. Within one volume (production snapshots) it mounts just that volume. The files
// were written by a project's code: the script refuses a symbolic link wherever it follows a path
// (a filestore root pointing at another volume), and never dereferences one while copying.
import path from "node:path";
import { BUILD_SECURITY, ensureVolume, runToCompletion, type DockerEngine } from "@slipway/docker";

export type FilestoreOp = "copy" | "move" | "remove";
export type FilestoreMode = "hardlink" | "copy" | "rename" | "empty" | "removed";

export interface FilestoreLocation {
  volume: string;
  database: string;
}

// Constant script; paths come through the environment (never interpolated into the shell text).
const SCRIPT = `set -eu
no_link() { for p in "$@"; do if [ -L "$p" ]; then echo "refused: $p is a symbolic link"; exit 3; fi; done; }
no_link "$SRC_ROOT" "$DST_ROOT" "$SRC_ROOT/filestore" "$DST_ROOT/filestore" "$SRC" "$DST"
owner=$(stat -c %u:%g "$SRC_ROOT" 2>/dev/null || echo 101:101)
fix_root() { mkdir -p "$1/filestore"; chown -h "$owner" "$1" "$1/filestore"; }
case "$OP" in
remove)
  rm -rf "$DST"; echo "mode=removed" ;;
copy|move)
  if [ ! -d "$SRC" ]; then fix_root "$DST_ROOT"; rm -rf "$DST"; echo "mode=empty"; exit 0; fi
  fix_root "$DST_ROOT"; rm -rf "$DST"
  if [ "$OP" = move ] && [ "$SAME" = 1 ]; then mv "$SRC" "$DST"; echo "mode=rename"; exit 0; fi
  if cp -al "$SRC" "$DST" 2>/tmp/link.err; then echo "mode=hardlink"
  else echo "hard links refused: $(cat /tmp/link.err | head -3)"; rm -rf "$DST"; cp -a "$SRC" "$DST"; echo "mode=copy"; fi
  if [ "$OP" = move ]; then rm -rf "$SRC"; fi ;;
esac
echo "files=$(find "$DST" -type f 2>/dev/null | wc -l)"
`;

export interface FilestoreResult {
  mode: FilestoreMode;
  files: number;
  durationMs: number;
}

/**
 * copy: target = a copy of source (replaced if present); move: same, then source removed (a rename
 * within one volume); remove: target deleted. A missing source filestore gives an empty target.
 */
export async function filestoreOperation(options: {
  docker: DockerEngine;
  /** The platform's tools image (sh, GNU cp/find/stat), never a project's image. */
  toolsImage: string;
  op: FilestoreOp;
  source?: FilestoreLocation;
  target: FilestoreLocation;
  labels: Record<string, string>;
  logFile?: string;
  timeoutMs?: number;
}): Promise<FilestoreResult> {
  const { docker, target } = options;
  const source = options.source ?? target;
  const labels = { ...options.labels, role: "filestore-helper" };
  const [src, dst] = await Promise.all([ensureVolume({ docker, name: source.volume, labels: { ...labels, role: "odoo-data" } }), ensureVolume({ docker, name: target.volume, labels: { ...labels, role: "odoo-data" } })]);
  const same = source.volume === target.volume;
  let mounts;
  let srcRoot: string;
  let dstRoot: string;
  if (same) {
    mounts = [{ type: "volume" as const, source: source.volume, target: "/data" }];
    srcRoot = dstRoot = "/data";
  } else {
    const parent = path.dirname(path.dirname(src.mountpoint));
    if (parent !== path.dirname(path.dirname(dst.mountpoint))) throw new Error(`volumes ${source.volume} and ${target.volume} are not in one volumes folder`);
    mounts = [{ type: "bind" as const, source: parent, target: "/volumes" }];
    srcRoot = `/volumes/${path.basename(path.dirname(src.mountpoint))}/_data`;
    dstRoot = `/volumes/${path.basename(path.dirname(dst.mountpoint))}/_data`;
  }
  const output: string[] = [];
  const run = await runToCompletion({
    docker,
    spec: {
      image: options.toolsImage,
      labels,
      entrypoint: ["sh", "-c", SCRIPT, "filestore"],
      user: "0:0",
      network: "none",
      security: { ...BUILD_SECURITY, capAdd: ["CHOWN", "DAC_OVERRIDE", "FOWNER"] },
      env: {
        OP: options.op,
        SAME: same ? "1" : "0",
        SRC_ROOT: srcRoot,
        DST_ROOT: dstRoot,
        SRC: `${srcRoot}/filestore/${source.database}`,
        DST: `${dstRoot}/filestore/${target.database}`,
      },
      mounts,
      limits: { cpus: 1, memoryBytes: 256 * 1024 ** 2 },
    },
    timeoutMs: options.timeoutMs ?? 30 * 60_000,
    logFile: options.logFile,
    appendLog: true,
    onLine: (l) => output.push(l.line),
  });
  const text = output.join("\n");
  if (run.timedOut || run.exitCode !== 0) {
    throw new Error(`filestore ${options.op} ${source.volume}/${source.database} → ${target.volume}/${target.database} failed (exit ${run.exitCode}${run.timedOut ? ", timed out" : ""}): ${text.slice(-300)}`);
  }
  const mode = (/mode=(\w+)/.exec(text)?.[1] ?? "copy") as FilestoreMode;
  return { mode, files: Number(/files=(\d+)/.exec(text)?.[1] ?? 0), durationMs: run.durationMs };
}
