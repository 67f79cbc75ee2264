#!/usr/bin/env bash
# Upgrades a production install to another version, as root:
#   sudo infra/upgrade.sh /path/to/checkout        or        sudo infra/upgrade.sh slipway-x.y.tar.gz
# The new version is installed and built next to the running one (the panel keeps serving), then:
# a dump of the control-plane database, services stopped, migrations, switch, restart, health check.
# Any failure from the dump on rolls back: the previous release, the dump restored, services
# restarted. The last three releases are kept.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=infra/lib/common.sh
. "$HERE/lib/common.sh"

[ $# -eq 1 ] && [ "$1" != "-h" ] && [ "$1" != "--help" ] || {
  echo "Usage: infra/upgrade.sh <checkout folder | release .tar.gz>" >&2
  exit 2
}
SRC=$(readlink -f "$1")
require_root
[ -f "$SLIPWAY_ENV_FILE" ] && [ -L "$SLIPWAY_PREFIX/current" ] || die "Slipway is not installed here (run infra/install.sh first)"
T0=$(date +%s)
PREVIOUS=$(readlink -f "$SLIPWAY_PREFIX/current")
NEW="$SLIPWAY_PREFIX/releases/$(release_id "$SRC")"
exec 9>"$SLIPWAY_PREFIX/.upgrade.lock"
flock -n 9 || die "another upgrade is running"

log "current release: $PREVIOUS"
log "preparing $NEW from $SRC (Slipway keeps running meanwhile)"
rm -rf "$NEW"
unpack_source "$SRC" "$NEW"
build_release "$NEW" || {
  rm -rf "$NEW"
  die "the new version did not build; nothing changed"
}

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
DUMP="$SLIPWAY_SELF_BACKUPS/pre-upgrade-$STAMP.dump"
log "dumping the control-plane database to $DUMP"
dump_control_plane "$DUMP"
chmod 0600 "$DUMP"

rollback() {
  log "ROLLING BACK to $PREVIOUS"
  systemctl stop slipway-web slipway-worker || true
  ln -sfn "$PREVIOUS" "$SLIPWAY_PREFIX/current"
  restore_control_plane "$DUMP"
  systemctl start slipway-worker slipway-web
  if wait_healthy "$(health_url)" 180; then
    log "rolled back: $PREVIOUS runs again with the database as it was before the upgrade ($DUMP)"
  else
    log "the previous release does not answer either: see journalctl -u slipway-web -u slipway-worker"
  fi
  # The failed release stays for inspection.
  exit 1
}

log "stopping Slipway"
systemctl stop slipway-web slipway-worker
if ! migrate "$NEW"; then
  log "the migrations failed"
  rollback
fi
ln -sfn "$NEW" "$SLIPWAY_PREFIX/current"
# Units and timers of the new version (same names; their content may have changed).
install -m 0644 "$NEW/infra/systemd/"*.service "$NEW/infra/systemd/"*.timer /etc/systemd/system/
systemctl daemon-reload
systemctl start slipway-worker slipway-web
log "waiting for the control panel"
if ! wait_healthy "$(health_url)" 180; then
  journalctl -u slipway-web -u slipway-worker -n 40 --no-pager >&2 || true
  log "the new version is not healthy"
  rollback
fi

# Keep the three newest releases (and always the running one).
mapfile -t releases < <(find "$SLIPWAY_PREFIX/releases" -mindepth 1 -maxdepth 1 -type d | sort)
count=${#releases[@]}
for r in "${releases[@]}"; do
  [ "$count" -gt 3 ] || break
  if [ "$r" != "$NEW" ] && [ "$r" != "$PREVIOUS" ]; then rm -rf "$r"; fi
  count=$((count - 1))
done
# Pre-upgrade dumps: the five newest are kept.
find "$SLIPWAY_SELF_BACKUPS" -maxdepth 1 -name 'pre-upgrade-*.dump' | sort -r | tail -n +6 | xargs -r rm -f
log "upgraded to $NEW in $(($(date +%s) - T0)) s (previous: $PREVIOUS, dump: $DUMP)"
