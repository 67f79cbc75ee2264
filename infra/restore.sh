#!/usr/bin/env bash
# Rebuilds a Slipway server from one of its own backups (infra/self-backup.mjs), as root, from a
# checkout or an unpacked release tarball of the version to run:
#   sudo infra/restore.sh /path/to/slipway-state-20261205T033000Z.tar.gz [install.sh options]
# On a fresh Debian 12 server: installs everything (infra/install.sh --no-start) with the backup's
# configuration and secrets, replaces the control-plane database with the backup's dump, puts the
# state folder's files back, applies the migrations of this version, starts Slipway, and checks
# the backup store's files against the backup's index (the store itself is copied separately).
# On an installed server it replaces the control plane the same way (the current one is dumped first).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=infra/lib/common.sh
. "$HERE/lib/common.sh"

[ $# -ge 1 ] && [ "$1" != "-h" ] && [ "$1" != "--help" ] || {
  echo "Usage: infra/restore.sh <slipway-state-….tar.gz> [--node-tarball FILE] [--images FILE] [--standin-images] [--domain NAME]" >&2
  exit 2
}
BACKUP=$(readlink -f "$1")
shift
require_root
[ -f "$BACKUP" ] || die "$BACKUP: no such file"
T0=$(date +%s)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
tar -xzf "$BACKUP" -C "$WORK"
for f in control-plane.dump env state.tar backup-store-index.tsv manifest.json; do
  [ -f "$WORK/$f" ] || die "$BACKUP is not a Slipway self-backup (no $f)"
done
log "restoring $(sed -n 's/.*"takenAt": "\(.*\)".*/\1/p' "$WORK/manifest.json") backup of $(sed -n 's/.*"host": "\(.*\)".*/\1/p' "$WORK/manifest.json") (release $(sed -n 's/.*"release": "\{0,1\}\([^",]*\)"\{0,1\},.*/\1/p' "$WORK/manifest.json"))"

# The backup's configuration and secrets; a configuration already here is kept aside.
install -d -m 0700 "$SLIPWAY_ETC"
if [ -f "$SLIPWAY_ENV_FILE" ] && ! cmp -s "$SLIPWAY_ENV_FILE" "$WORK/env"; then
  cp -p "$SLIPWAY_ENV_FILE" "$SLIPWAY_ENV_FILE.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
  log "the previous $SLIPWAY_ENV_FILE is kept as $SLIPWAY_ENV_FILE.before-restore-*"
fi
install -m 0600 "$WORK/env" "$SLIPWAY_ENV_FILE"

# Packages, user, PostgreSQL role (the backup's password), Redis, Caddy, release, units: not started.
"$HERE/install.sh" --no-start "$@"

systemctl stop slipway-web slipway-worker 2>/dev/null || true
if pg_as_postgres psql -d slipway -Atqc "SELECT 1 FROM pg_tables WHERE tablename = '_prisma_migrations'" 2>/dev/null | grep -q 1; then
  SAFETY="$SLIPWAY_SELF_BACKUPS/before-restore-$(date -u +%Y%m%dT%H%M%SZ).dump"
  log "the control plane here is not empty: dumped to $SAFETY first"
  dump_control_plane "$SAFETY"
fi
log "restoring the control-plane database"
restore_control_plane "$WORK/control-plane.dump"

HOME_DIR=$(env_get SLIPWAY_HOME)
HOME_DIR=${HOME_DIR:-$SLIPWAY_STATE}
log "restoring the state folder $HOME_DIR"
install -d -m 0700 -o "$SLIPWAY_USER" -g "$SLIPWAY_USER" "$HOME_DIR"
tar -xf "$WORK/state.tar" -C "$HOME_DIR"
chown -R "$SLIPWAY_USER:$SLIPWAY_USER" "$HOME_DIR"

migrate "$SLIPWAY_PREFIX/current"
systemctl start slipway-worker slipway-web slipway-self-backup.timer
wait_healthy "$(health_url)" 180 || die "Slipway does not answer after the restore; see journalctl -u slipway-web -u slipway-worker"

# The backup store: which of the files the backup knew are here.
STORE=$(env_get SLIPWAY_BACKUP_DIR)
STORE=${STORE:-$HOME_DIR/backups}
total=0 missing=0
while IFS=$'\t' read -r rel size _; do
  [ -n "$rel" ] || continue
  total=$((total + 1))
  if [ ! -f "$STORE/$rel" ] || [ "$(stat -c %s "$STORE/$rel")" != "$size" ]; then missing=$((missing + 1)); fi
done <"$WORK/backup-store-index.tsv"
if [ "$missing" -gt 0 ]; then
  log "backup store: $missing of $total files the backup lists are missing or differ in $STORE — copy the store there (rsync from its storage), then restart slipway-worker"
else
  log "backup store: all $total files the backup lists are in $STORE"
fi
log "restored in $(($(date +%s) - T0)) s; the control panel answers at $(env_get SLIPWAY_PUBLIC_URL)"
log "builds are not in the backup: rebuild branches from the panel (production's data comes back with a restore from the backup store)"
