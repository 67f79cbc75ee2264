#!/usr/bin/env bash
# Installs Slipway on a fresh Debian 12 server, as root, from a checkout or an unpacked release
# tarball:  sudo infra/install.sh --domain slipway.example.com --email ops@example.com
# Idempotent: run it again to change the domain or e-mail, or to repair services; secrets already in
# /etc/slipway/env are kept. infra/README.md describes what it sets up and the options.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=infra/lib/common.sh
. "$HERE/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: infra/install.sh --domain NAME [options]
  --domain NAME         the control panel's host name (e.g. slipway.example.com); required on first install
  --email ADDRESS       contact e-mail for ACME (Let's Encrypt) certificates
  --no-tls              serve HTTP only (default: HTTPS, certificates obtained on demand by Caddy over ACME)
  --acme-ca URL         ACME directory (default: Let's Encrypt's production directory)
  --acme-ca-root FILE   PEM roots trusted for the ACME server's own HTTPS (a private CA)
  --base-domain NAME    builds are served at <name>.<base-domain> (default: the panel's domain)
  --node-tarball FILE   Node.js release tarball (node-v20.x-linux-x64.tar.xz) when the server has no Node ≥ 20.19
  --odoo-image PATTERN  default Odoo image of new projects (default odoo:{version})
  --standin-images      also build the local stand-in Odoo images (servers without a registry; trials)
  --images FILE         docker load FILE first (images exported with docker save on another machine)
  --local-repos DIR     allow local-path repositories under DIR (default: none)
  --source DIR          the checkout to install (default: the folder holding infra/)
  --no-start            configure everything but do not migrate nor start Slipway (used by restore.sh)
EOF
}

DOMAIN="" EMAIL="" BASE_DOMAIN="" NODE_TARBALL="" ODOO_IMAGE="" STANDIN=0 LOCAL_REPOS="" NO_START=0 IMAGES_TAR="" TLS="" ACME_CA="" ACME_CA_ROOT=""
SOURCE=$(cd "$HERE/.." && pwd)
while [ $# -gt 0 ]; do
  case "$1" in
    --domain) DOMAIN=${2:?}; shift 2 ;;
    --email) EMAIL=${2:?}; shift 2 ;;
    --no-tls) TLS=off; shift ;;
    --acme-ca) ACME_CA=${2:?}; shift 2 ;;
    --acme-ca-root) ACME_CA_ROOT=$(readlink -f "${2:?}"); shift 2 ;;
    --base-domain) BASE_DOMAIN=${2:?}; shift 2 ;;
    --node-tarball) NODE_TARBALL=$(readlink -f "${2:?}"); shift 2 ;;
    --odoo-image) ODOO_IMAGE=${2:?}; shift 2 ;;
    --standin-images) STANDIN=1; shift ;;
    --images) IMAGES_TAR=$(readlink -f "${2:?}"); shift 2 ;;
    --local-repos) LOCAL_REPOS=${2:?}; shift 2 ;;
    --source) SOURCE=$(readlink -f "${2:?}"); shift 2 ;;
    --no-start) NO_START=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

require_root
[ -r /etc/debian_version ] || die "this installer supports Debian 12 (bookworm)"
# Already installed: the panel's domain is the host of SLIPWAY_PUBLIC_URL.
OLD_DOMAIN=$(env_get SLIPWAY_PUBLIC_URL | sed -n 's#^https\?://\([^/:]*\).*#\1#p')
DOMAIN=${DOMAIN:-$OLD_DOMAIN}
[ -n "$DOMAIN" ] || die "--domain is required on the first install"
[[ "$DOMAIN" =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || die "--domain: invalid host name '$DOMAIN' (lower-case)"
[ -z "$EMAIL" ] || [[ "$EMAIL" =~ ^[^@[:space:]]+@[^@[:space:]]+$ ]] || die "--email: invalid address '$EMAIL'"
T0=$(date +%s)

# ------------------------------------------------------------------ Debian packages
PACKAGES=(docker.io postgresql redis-server caddy git openssh-client curl ca-certificates debootstrap xz-utils tar gzip)
missing=()
for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ------------------------------------------------------------------ Node.js ≥ 20.19
mkdir -p "$SLIPWAY_PREFIX/bin" "$SLIPWAY_PREFIX/releases"
if [ -n "$NODE_TARBALL" ]; then
  log "installing Node.js from $NODE_TARBALL into $SLIPWAY_PREFIX/node"
  rm -rf "$SLIPWAY_PREFIX/node.new"
  mkdir -p "$SLIPWAY_PREFIX/node.new"
  tar -xf "$NODE_TARBALL" -C "$SLIPWAY_PREFIX/node.new" --strip-components=1
  node_ok "$SLIPWAY_PREFIX/node.new/bin/node" || die "$NODE_TARBALL holds no Node.js ≥ $SLIPWAY_NODE_MIN for this machine"
  rm -rf "$SLIPWAY_PREFIX/node"
  mv "$SLIPWAY_PREFIX/node.new" "$SLIPWAY_PREFIX/node"
  ln -sfn "$SLIPWAY_PREFIX/node/bin/node" "$SLIPWAY_PREFIX/bin/node"
elif ! node_ok "$SLIPWAY_PREFIX/bin/node"; then
  system_node=$(command -v node || true)
  if [ -n "$system_node" ] && node_ok "$system_node"; then
    ln -sfn "$(readlink -f "$system_node")" "$SLIPWAY_PREFIX/bin/node"
  else
    die "Slipway needs Node.js ≥ $SLIPWAY_NODE_MIN (Debian 12 ships 18). Install Node 20 from NodeSource's apt repository
  (https://github.com/nodesource/distributions: the nodistro 'node_20.x' repository, package nodejs)
  or pass --node-tarball node-v20.x-linux-x64.tar.xz (https://nodejs.org/dist/latest-v20.x/)"
  fi
fi
log "Node.js $("$(node_bin)" -v) ($(readlink -f "$(node_bin)"))"

# ------------------------------------------------------------------ user and folders
if ! id "$SLIPWAY_USER" >/dev/null 2>&1; then
  log "creating the system user $SLIPWAY_USER"
  useradd --system --home-dir "$SLIPWAY_STATE" --shell /usr/sbin/nologin --user-group "$SLIPWAY_USER"
fi
usermod -aG docker "$SLIPWAY_USER"
install -d -m 0700 -o "$SLIPWAY_USER" -g "$SLIPWAY_USER" "$SLIPWAY_STATE"
install -d -m 0700 -o root -g root "$SLIPWAY_ETC" "$SLIPWAY_SELF_BACKUPS"
if [ -n "$LOCAL_REPOS" ]; then install -d -m 0750 -o "$SLIPWAY_USER" -g "$SLIPWAY_USER" "$LOCAL_REPOS"; fi

# ------------------------------------------------------------------ /etc/slipway/env
rand_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
declare -A CUR=()
if [ -f "$SLIPWAY_ENV_FILE" ]; then
  while IFS= read -r line; do
    [[ "$line" =~ ^([A-Z0-9_]+)=(.*)$ ]] && CUR[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
  done <"$SLIPWAY_ENV_FILE"
fi
keep() { if [ -n "${CUR[$1]:-}" ]; then echo "${CUR[$1]}"; else echo "$2"; fi; }
pick() { if [ -n "$2" ]; then echo "$2"; else keep "$1" "$3"; fi; }

DB_PASSWORD=$(printf '%s' "${CUR[DATABASE_URL]:-}" | sed -n 's#^postgresql://slipway:\([0-9a-f]*\)@.*#\1#p')
DB_PASSWORD=${DB_PASSWORD:-$(rand_hex 24)}
REDIS_PASSWORD=$(printf '%s' "${CUR[REDIS_URL]:-}" | sed -n 's#^redis://:\([0-9a-f]*\)@.*#\1#p')
REDIS_PASSWORD=${REDIS_PASSWORD:-$(rand_hex 24)}
BASE_DOMAIN=$(pick SLIPWAY_BASE_DOMAIN "$BASE_DOMAIN" "$DOMAIN")
EMAIL=$(pick SLIPWAY_ACME_EMAIL "$EMAIL" "")
declare -a ORDER=()
declare -A NEW=()
set_var() {
  ORDER+=("$1")
  NEW[$1]=$2
}
# HTTPS unless --no-tls (or an earlier --no-tls kept in the env file): Caddy obtains certificates on
# demand, only for names the platform's ask endpoint accepts (the panel, builds, verified domains).
TLS=$(pick SLIPWAY_TLS "$TLS" acme)
SCHEME=$([ "$TLS" = acme ] && echo https || echo http)
set_var SLIPWAY_PUBLIC_URL "$SCHEME://$DOMAIN"
set_var SLIPWAY_TLS "$TLS"
set_var SLIPWAY_BASE_DOMAIN "$BASE_DOMAIN"
set_var SLIPWAY_ACME_EMAIL "$EMAIL"
set_var SLIPWAY_ACME_CA "$(pick SLIPWAY_ACME_CA "$ACME_CA" "")"
if [ -n "$ACME_CA_ROOT" ]; then
  # Caddy (user caddy) reads it: next to its configuration, not in /etc/slipway (root only).
  install -D -m 0644 "$ACME_CA_ROOT" /etc/caddy/slipway-acme-ca-root.pem
  ACME_CA_ROOT=/etc/caddy/slipway-acme-ca-root.pem
fi
set_var SLIPWAY_ACME_CA_ROOT "$(pick SLIPWAY_ACME_CA_ROOT "$ACME_CA_ROOT" "")"
set_var SLIPWAY_HOME "$SLIPWAY_STATE"
set_var DATABASE_URL "postgresql://slipway:$DB_PASSWORD@127.0.0.1:5432/slipway"
set_var REDIS_URL "redis://:$REDIS_PASSWORD@127.0.0.1:6379"
set_var SLIPWAY_SESSION_SECRET "$(keep SLIPWAY_SESSION_SECRET "$(rand_hex 32)")"
set_var SLIPWAY_ENCRYPTION_KEY "$(keep SLIPWAY_ENCRYPTION_KEY "$(head -c 32 /dev/urandom | base64)")"
set_var SLIPWAY_WEB_HOST "$(keep SLIPWAY_WEB_HOST 127.0.0.1)"
set_var SLIPWAY_WEB_PORT "$(keep SLIPWAY_WEB_PORT 3000)"
set_var SLIPWAY_TRUSTED_PROXIES "$(keep SLIPWAY_TRUSTED_PROXIES 127.0.0.1,::1)"
set_var SLIPWAY_PROXY_PORT "$(keep SLIPWAY_PROXY_PORT 80)"
set_var SLIPWAY_PROXY_TLS_PORT "$(keep SLIPWAY_PROXY_TLS_PORT 443)"
set_var SLIPWAY_CADDY_ADMIN_URL "$(keep SLIPWAY_CADDY_ADMIN_URL http://127.0.0.1:20190)"
set_var SLIPWAY_SSH_HOST "$(keep SLIPWAY_SSH_HOST 0.0.0.0)"
set_var SLIPWAY_SSH_PUBLIC_HOST "$(if [ "${CUR[SLIPWAY_SSH_PUBLIC_HOST]:-$OLD_DOMAIN}" = "$OLD_DOMAIN" ]; then echo "$DOMAIN"; else echo "${CUR[SLIPWAY_SSH_PUBLIC_HOST]}"; fi)"
set_var SLIPWAY_DEFAULT_ODOO_IMAGE "$(pick SLIPWAY_DEFAULT_ODOO_IMAGE "$ODOO_IMAGE" 'odoo:{version}')"
set_var SLIPWAY_LOCAL_REPOS_ROOT "$(pick SLIPWAY_LOCAL_REPOS_ROOT "$LOCAL_REPOS" "")"
umask 077
{
  echo "# Slipway configuration (infra/install.sh). Variables: README's configuration table."
  echo "# Keep a copy of the secrets: SLIPWAY_ENCRYPTION_KEY decrypts deploy keys and webhook secrets."
  for k in "${ORDER[@]}"; do [ -z "${NEW[$k]}" ] || echo "$k=${NEW[$k]}"; done
  # Variables the operator added by hand are kept.
  for k in "${!CUR[@]}"; do [ -n "${NEW[$k]+x}" ] || echo "$k=${CUR[$k]}"; done
} >"$SLIPWAY_ENV_FILE.new"
chmod 0600 "$SLIPWAY_ENV_FILE.new"
mv "$SLIPWAY_ENV_FILE.new" "$SLIPWAY_ENV_FILE"
umask 022
log "configuration in $SLIPWAY_ENV_FILE (0600)"

# ------------------------------------------------------------------ PostgreSQL (control plane)
systemctl enable --now postgresql >/dev/null 2>&1 || true
for _ in $(seq 1 30); do pg_as_postgres psql -Atqc 'SELECT 1' >/dev/null 2>&1 && break || sleep 1; done
pg_as_postgres psql -q -v ON_ERROR_STOP=1 -v pw="$DB_PASSWORD" -d postgres <<'SQL'
SELECT format('CREATE ROLE slipway LOGIN PASSWORD %L', :'pw') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'slipway')
\gexec
SELECT format('ALTER ROLE slipway LOGIN NOSUPERUSER PASSWORD %L', :'pw')
\gexec
SELECT 'CREATE DATABASE slipway OWNER slipway ENCODING ''UTF8'' TEMPLATE template0' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'slipway')
\gexec
SQL
log "PostgreSQL: role and database slipway on 127.0.0.1:5432"

# ------------------------------------------------------------------ Redis
REDIS_CONF=/etc/redis/redis.conf
if ! grep -qxF "requirepass $REDIS_PASSWORD" "$REDIS_CONF"; then
  sed -i '/^requirepass /d' "$REDIS_CONF"
  echo "requirepass $REDIS_PASSWORD" >>"$REDIS_CONF"
  systemctl restart redis-server
fi
systemctl enable --now redis-server >/dev/null 2>&1
log "Redis: password set, 127.0.0.1:6379"

# ------------------------------------------------------------------ Docker
if [ ! -f /etc/docker/daemon.json ]; then
  # One internal network per project (docs/decisions/0005): /24s out of 172.20.0.0/14 hold 1024.
  mkdir -p /etc/docker
  echo '{ "default-address-pools": [{ "base": "172.20.0.0/14", "size": 24 }] }' >/etc/docker/daemon.json
  systemctl restart docker
fi
systemctl enable --now docker >/dev/null 2>&1
for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break || sleep 1; done
docker info >/dev/null || die "the Docker engine does not answer"
if [ -n "$IMAGES_TAR" ]; then
  log "loading images from $IMAGES_TAR"
  docker load -q -i "$IMAGES_TAR"
fi

# ------------------------------------------------------------------ Caddy (the worker drives it through the admin API)
CADDY_JSON=/etc/caddy/slipway.json
(
  cd "$HERE" && "$(node_bin)" lib/caddy-config.mjs --admin "$(env_get SLIPWAY_CADDY_ADMIN_URL)" \
    --http-port "$(env_get SLIPWAY_PROXY_PORT)" --https-port "$(env_get SLIPWAY_PROXY_TLS_PORT)"
) >"$CADDY_JSON.new"
mkdir -p /etc/systemd/system/caddy.service.d
cat >/etc/systemd/system/caddy.service.d/slipway.conf <<EOF
# Slipway: Caddy runs the JSON configuration the worker extends through the admin API (loopback).
[Service]
ExecStart=
ExecStart=/usr/bin/caddy run --environ --config $CADDY_JSON
ExecReload=
ExecReload=/usr/bin/caddy reload --config $CADDY_JSON --address $(env_get SLIPWAY_CADDY_ADMIN_URL | sed 's#^https\?://##') --force
EOF
systemctl daemon-reload
if ! cmp -s "$CADDY_JSON.new" "$CADDY_JSON" || ! curl -fsS -o /dev/null "$(env_get SLIPWAY_CADDY_ADMIN_URL)/config/"; then
  mv "$CADDY_JSON.new" "$CADDY_JSON"
  # The build routes the worker added are lost: its route keeper puts them back (start, every minute).
  systemctl restart caddy
else
  rm -f "$CADDY_JSON.new"
fi
systemctl enable caddy >/dev/null 2>&1
for _ in $(seq 1 30); do curl -fsS -o /dev/null "$(env_get SLIPWAY_CADDY_ADMIN_URL)/config/" && break || sleep 1; done

# ------------------------------------------------------------------ the application
if [ -L "$SLIPWAY_PREFIX/current" ] && [ -f "$SLIPWAY_PREFIX/current/.slipway-built" ]; then
  log "already installed: $(readlink -f "$SLIPWAY_PREFIX/current") (use infra/upgrade.sh for a new version)"
else
  RELEASE="$SLIPWAY_PREFIX/releases/$(release_id "$SOURCE")"
  log "installing $SOURCE as $RELEASE"
  rm -rf "$RELEASE"
  unpack_source "$SOURCE" "$RELEASE"
  build_release "$RELEASE"
  ln -sfn "$RELEASE" "$SLIPWAY_PREFIX/current"
fi
APP="$SLIPWAY_PREFIX/current"

# Local images the worker needs (the managed PostgreSQL image; stand-ins on request): debootstrap, no registry.
IMAGES_ARGS=()
[ "$STANDIN" -eq 1 ] && IMAGES_ARGS+=(--standin)
(cd "$APP" && PATH="$(dirname "$(readlink -f "$(node_bin)")"):$PATH" "$(node_bin)" infra/lib/build-images.mjs --home "$SLIPWAY_STATE" "${IMAGES_ARGS[@]}")

# ------------------------------------------------------------------ systemd units
install -m 0644 "$HERE/systemd/slipway-web.service" "$HERE/systemd/slipway-worker.service" \
  "$HERE/systemd/slipway-self-backup.service" "$HERE/systemd/slipway-self-backup.timer" /etc/systemd/system/
systemctl daemon-reload
systemctl enable slipway-web slipway-worker slipway-self-backup.timer >/dev/null 2>&1

if [ "$NO_START" -eq 1 ]; then
  log "configured (not started: --no-start) in $(($(date +%s) - T0)) s"
  exit 0
fi
migrate "$APP"
systemctl restart slipway-worker slipway-web
systemctl start slipway-self-backup.timer
log "waiting for the control panel to answer"
wait_healthy "$(health_url)" 180 || {
  journalctl -u slipway-web -u slipway-worker -n 60 --no-pager >&2 || true
  die "the control panel did not become healthy ($(health_url)); see journalctl -u slipway-web -u slipway-worker"
}
# The worker routes the panel's domain through Caddy (and, with TLS, redirects HTTP to HTTPS).
HTTP_PORT=$(env_get SLIPWAY_PROXY_PORT)
routed=0
for _ in $(seq 1 30); do
  code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Host: $DOMAIN" "http://127.0.0.1:$HTTP_PORT/api/health" || true)
  if [ "$code" = 200 ] || [ "$code" = 308 ]; then routed=1 && break; fi
  sleep 2
done
[ "$routed" -eq 1 ] || log "warning: Caddy does not route $DOMAIN to the panel yet (journalctl -u slipway-worker -u caddy)"
if [ "$TLS" = acme ]; then
  CA=$(env_get SLIPWAY_ACME_CA)
  CA=${CA:-"Let's Encrypt"}
  HTTPS_NOTE="HTTPS: Caddy obtains the certificate of $DOMAIN from $CA at the first visit (DNS must point here)"
else
  HTTPS_NOTE="HTTP only (--no-tls)"
fi

PASSWORD_FILE="$SLIPWAY_STATE/initial-admin-password"
LOGIN=$(env_get SLIPWAY_ADMIN_LOGIN)
cat <<EOF

  Slipway is installed and running ($(($(date +%s) - T0)) s, $HTTPS_NOTE).
  Control panel:  $(env_get SLIPWAY_PUBLIC_URL)
  Log in as:      ${LOGIN:-admin}
EOF
if [ -f "$PASSWORD_FILE" ]; then
  echo "  Password:       $(sed -n 2p "$PASSWORD_FILE")   (kept in $PASSWORD_FILE; change it after logging in)"
else
  echo "  Password:       the one you set (the account existed before)"
fi
cat <<EOF
  Configuration:  $SLIPWAY_ENV_FILE     Logs: journalctl -u slipway-web -u slipway-worker
  DNS:            $DOMAIN and *.$BASE_DOMAIN must point at this server (infra/README.md)

EOF
