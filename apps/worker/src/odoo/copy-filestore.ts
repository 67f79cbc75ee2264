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
import { InjectedCrash } from "../recovery/swap-journal";

export type FilestoreOp = "copy" | "move" | "remove";
export type FilestoreMode = "hardlink" | "copy" | "rename" | "empty" | "removed";

export interface FilestoreLocation {
  volume: string;
  database: string;
}

// Constant script; paths come through the environment (never interpolated into the shell text).
// Never deletes a target whose source is missing; replaces a target by renaming it aside first
// (`.aside-<db>`), then moving or linking the new one into place (a copy is made under
// `.partial-<db>` and renamed), then deleting the aside copy: at every instant one complete
// filestore sits at the source or the target, and running the script again after a crash anywhere
// completes the operation (issue 12 H6). FAULT (tests) stops the script at a named boundary.
const SCRIPT = `set -eu
no_link() { for p in "$@"; do if [ -L "$p" ]; then echo "refused: $p is a symbolic link"; exit 3; fi; done; }
fault() { if [ "\${FAULT:-}" = "$1" ]; then echo "injected crash after $1"; exit 99; fi; }
ASIDE="$DST_ROOT/filestore/.aside-$DST_NAME"
PARTIAL="$DST_ROOT/filestore/.partial-$DST_NAME"
no_link "$SRC_ROOT" "$DST_ROOT" "$SRC_ROOT/filestore" "$DST_ROOT/filestore" "$SRC" "$DST" "$ASIDE" "$PARTIAL"
owner=$(stat -c %u:%g "$SRC_ROOT" 2>/dev/null || echo 101:101)
fix_root() { mkdir -p "$1/filestore"; chown -h "$owner" "$1" "$1/filestore"; }
# The new filestore is at $1: the current target goes aside, $1 takes its place, the aside copy goes.
install_new() {
  if [ -e "$DST" ]; then rm -rf "$ASIDE"; mv "$DST" "$ASIDE"; fi
  fault aside
  mv "$1" "$DST"
  fault moved
  rm -rf "$ASIDE"
}
case "$OP" in
remove)
  rm -rf "$DST"; echo "mode=removed" ;;
copy|move)
  fix_root "$DST_ROOT"
  if [ ! -d "$SRC" ]; then
    if [ "$OP" = move ] && [ -d "$DST" ]; then
      # Moved already (an earlier run stopped after the move): only the aside copy may be left.
      rm -rf "$ASIDE"; echo "mode=rename"
    elif [ -d "$DST" ] && [ -n "$(ls -A "$DST")" ]; then
      echo "refused: the source $SRC is missing; the target $DST is kept"; exit 4
    else
      mkdir -p "$DST"; chown -h "$owner" "$DST"; echo "mode=empty"
    fi
  elif [ "$OP" = move ] && [ "$SAME" = 1 ]; then
    install_new "$SRC"; echo "mode=rename"
  else
    rm -rf "$PARTIAL"
    if cp -al "$SRC" "$PARTIAL" 2>/tmp/link.err; then echo "mode=hardlink"
    else echo "hard links refused: $(head -3 /tmp/link.err)"; rm -rf "$PARTIAL"; cp -a "$SRC" "$PARTIAL"; echo "mode=copy"; fi
    fault copied
    install_new "$PARTIAL"
    if [ "$OP" = move ]; then rm -rf "$SRC"; fi
  fi ;;
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
 * within one volume); remove: target deleted. A missing source gives an empty target when the
 * target is missing or empty, is "moved already" for a move whose target exists, and is refused
 * when the target holds files (never emptied). Idempotent: run it again after a crash.
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
  /** Tests: stop the helper at this boundary of its script (aside, moved, copied). */
  faultPoint?: string;
}): Promise<FilestoreResult> {
  const { docker, target } = options;
  const source = options.source ?? target;
  const labels = { ...options.labels, role: "filestore-helper" };
  const [src, dst] = await Promise.all([
    ensureVolume({ docker, name: source.volume, labels: { ...labels, role: "odoo-data" } }),
    ensureVolume({ docker, name: target.volume, labels: { ...labels, role: "odoo-data" } }),
  ]);
  const same = source.volume === target.volume;
  let mounts;
  let srcRoot: string;
  let dstRoot: string;
  if (same) {
    mounts = [{ type: "volume" as const, source: source.volume, target: "/data" }];
    srcRoot = dstRoot = "/data";
  } else {
    const parent = path.dirname(path.dirname(src.mountpoint));
    if (parent !== path.dirname(path.dirname(dst.mountpoint)))
      throw new Error(`volumes ${source.volume} and ${target.volume} are not in one volumes folder`);
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
        DST_NAME: target.database,
        ...(options.faultPoint ? { FAULT: options.faultPoint } : {}),
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
  if (run.exitCode === 99 && options.faultPoint) throw new InjectedCrash(`filestore ${options.op}: ${options.faultPoint}`);
  if (run.timedOut || run.exitCode !== 0) {
    throw new Error(
      `filestore ${options.op} ${source.volume}/${source.database} → ${target.volume}/${target.database} failed (exit ${run.exitCode}${run.timedOut ? ", timed out" : ""}): ${text.slice(-300)}`,
    );
  }
  const mode = (/mode=(\w+)/.exec(text)?.[1] ?? "copy") as FilestoreMode;
  return { mode, files: Number(/files=(\d+)/.exec(text)?.[1] ?? 0), durationMs: run.durationMs };
}
