# shellcheck shell=bash
# Shared by infra/install.sh, upgrade.sh, restore.sh (sourced, bash). Paths of a production install:
#
#   /opt/slipway/releases/<id>/   one installed version (source, node_modules, built web app)
#   /opt/slipway/current          symlink to the release that runs
#   /opt/slipway/bin/node         the Node.js ≥ 20.19 the services run (symlink)
#   /opt/slipway/node/            Node.js unpacked from --node-tarball (when the system has none)
#   /etc/slipway/env              configuration and generated secrets (0600 root; systemd EnvironmentFile)
#   /var/lib/slipway/             SLIPWAY_HOME: the platform's state folder (0700 slipway)
#   /var/backups/slipway/         Slipway's own daily backups (control-plane dump, env, state, store index)

SLIPWAY_PREFIX=${SLIPWAY_PREFIX:-/opt/slipway}
SLIPWAY_ETC=${SLIPWAY_ETC:-/etc/slipway}
SLIPWAY_ENV_FILE="$SLIPWAY_ETC/env"
SLIPWAY_STATE=${SLIPWAY_STATE:-/var/lib/slipway}
SLIPWAY_SELF_BACKUPS=${SLIPWAY_SELF_BACKUPS:-/var/backups/slipway}
SLIPWAY_USER=slipway
SLIPWAY_NODE_MIN=20.19.0

log() { printf '[slipway] %s\n' "$*" >&2; }
die() {
  printf '[slipway] error: %s\n' "$*" >&2
  exit 1
}

require_root() { [ "$(id -u)" -eq 0 ] || die "run as root (sudo $0 …)"; }

# version_ge A B: A >= B for dotted versions.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# node_ok BIN: BIN runs and is at least SLIPWAY_NODE_MIN.
node_ok() {
  local v
  v=$("$1" -p 'process.versions.node' 2>/dev/null) || return 1
  version_ge "$v" "$SLIPWAY_NODE_MIN"
}

# The Node.js the services run: /opt/slipway/bin/node once installed.
node_bin() { echo "$SLIPWAY_PREFIX/bin/node"; }

# Runs npm/npx of the selected Node (PATH puts its folder first).
with_node() { PATH="$(dirname "$(readlink -f "$(node_bin)")"):$PATH" "$@"; }

# env_get KEY [FILE]: a value of the env file (KEY=value lines, no quoting).
env_get() {
  local file=${2:-$SLIPWAY_ENV_FILE}
  [ -f "$file" ] || return 0
  sed -n "s/^$1=//p" "$file" | tail -n1
}

# Runs a command with the env file's variables exported (as the services see them).
with_env() { (
  set -a
  # shellcheck disable=SC1090
  . "$SLIPWAY_ENV_FILE"
  set +a
  "$@"
); }

# release_id SRC: a sortable, unique name for a new release of SRC (<UTC time>-<commit> when known).
release_id() {
  local rev=""
  if [ -e "$1/.git" ] && command -v git >/dev/null; then
    rev=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null || true)
    if [ -n "$rev" ] && [ -n "$(git -C "$1" status --porcelain --untracked-files=no 2>/dev/null | head -n1)" ]; then rev="$rev-dirty"; fi
  elif [ -f "$1" ] && command -v git >/dev/null; then
    # A release tarball made by git archive carries its commit in its pax header.
    rev=$(gzip -dc "$1" 2>/dev/null | git get-tar-commit-id 2>/dev/null || true)
    rev=${rev:0:12}
  elif [ -f "$1/.slipway-release" ]; then
    rev=$(head -n1 "$1/.slipway-release" | tr -cd 'A-Za-z0-9._-')
  fi
  echo "$(date -u +%Y%m%dT%H%M%SZ)${rev:+-$rev}"
}

# unpack_source SRC DEST: copies a checkout (tracked and untracked-but-not-ignored files) or a
# release tarball (.tar.gz/.tgz, one top folder or none) into the empty folder DEST.
unpack_source() {
  local src=$1 dest=$2
  mkdir -p "$dest"
  if [ -f "$src" ]; then
    case "$src" in
      *.tar.gz | *.tgz) ;;
      *) die "$src: expected a checkout folder or a .tar.gz release" ;;
    esac
    local tmp
    tmp=$(mktemp -d)
    tar -xzf "$src" -C "$tmp"
    local top="$tmp"
    if [ ! -f "$tmp/package.json" ] && [ "$(find "$tmp" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ]; then top=$(find "$tmp" -mindepth 1 -maxdepth 1); fi
    [ -f "$top/package.json" ] || die "$src holds no package.json at its top"
    (cd "$top" && tar -c --exclude=./node_modules --exclude=./.slipway .) | tar -x -C "$dest"
    rm -rf "$tmp"
  elif [ -d "$src" ]; then
    [ -f "$src/package.json" ] || die "$src is not a Slipway checkout (no package.json)"
    if [ -e "$src/.git" ] && command -v git >/dev/null && git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
      (cd "$src" && git ls-files -co --exclude-standard -z | tar --null --no-recursion -T - -c) | tar -x -C "$dest"
    else
      (cd "$src" && tar -c --exclude=./node_modules --exclude=./.slipway --exclude=./.git --exclude='./apps/*/.next' .) | tar -x -C "$dest"
    fi
  else
    die "$src: no such folder or file"
  fi
  grep -q '"name": "slipway"' "$dest/package.json" || die "$src is not Slipway (package.json's name is not slipway)"
}

# build_release DIR: installs the dependencies and builds the web app (as root; the services only read it).
build_release() {
  local dir=$1
  log "installing npm dependencies in $dir (npm ci)"
  # npm trusts the system's certificate store too (a local CA of an HTTPS proxy installed with update-ca-certificates).
  (cd "$dir" && with_env with_node env NODE_EXTRA_CA_CERTS="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" npm ci --no-audit --no-fund --loglevel=error)
  log "building the web app (next build)"
  # The running release's build cache makes an upgrade's build faster (Next reuses what did not change).
  if [ -d "$SLIPWAY_PREFIX/current/apps/web/.next/cache" ] && [ ! -e "$dir/apps/web/.next" ]; then
    mkdir -p "$dir/apps/web/.next"
    cp -a "$SLIPWAY_PREFIX/current/apps/web/.next/cache" "$dir/apps/web/.next/cache"
  fi
  (cd "$dir/apps/web" && with_env with_node env NEXT_TELEMETRY_DISABLED=1 NODE_ENV=production "$(node_bin)" "$dir/node_modules/next/dist/bin/next" build >"$dir/.build.log" 2>&1) ||
    {
      tail -n 40 "$dir/.build.log" >&2
      die "the web app did not build (log: $dir/.build.log)"
    }
  # Next writes its cache at run time; the rest of the release stays root-owned and read-only to the services.
  mkdir -p "$dir/apps/web/.next/cache"
  chown -R "$SLIPWAY_USER:$SLIPWAY_USER" "$dir/apps/web/.next/cache"
  touch "$dir/.slipway-built"
}

# migrate DIR: applies the control plane's migrations with the release in DIR.
migrate() {
  log "applying database migrations"
  (cd "$1" && with_env with_node npx --no-install prisma migrate deploy)
}

# pg_as_postgres CMD...: runs a PostgreSQL client as the postgres superuser (peer authentication).
pg_as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# wait_healthy URL TIMEOUT_S: waits for /api/health to answer 200 (database and Redis reachable)
# with a live worker heartbeat.
wait_healthy() {
  local url=$1 timeout=${2:-120} i=0
  while [ "$i" -lt "$timeout" ]; do
    if curl -fsS --max-time 5 "$url" 2>/dev/null | grep -q '"worker":{"ok":true'; then return 0; fi
    sleep 2
    i=$((i + 2))
  done
  return 1
}

health_url() { echo "http://$(env_get SLIPWAY_WEB_HOST):$(env_get SLIPWAY_WEB_PORT)/api/health"; }

# dump_control_plane FILE: a custom-format dump of the control-plane database.
dump_control_plane() {
  pg_as_postgres pg_dump -Fc --no-owner -d slipway >"$1.part"
  mv "$1.part" "$1"
}

# restore_control_plane FILE: replaces the control-plane database with the dump (services stopped).
restore_control_plane() {
  pg_as_postgres psql -q -v ON_ERROR_STOP=1 -d postgres -c 'DROP DATABASE IF EXISTS slipway WITH (FORCE)' -c 'CREATE DATABASE slipway OWNER slipway'
  pg_as_postgres pg_restore --no-owner --role=slipway --exit-on-error -d slipway <"$1"
}
