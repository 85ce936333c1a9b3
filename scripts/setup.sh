#!/usr/bin/env bash
# Sets up everything hubwatch needs on a Debian-like machine: the npm packages, Redis and PostgreSQL answering
# on loopback (installed with apt-get when missing and we are root), and Chromium for the digest's browser test.
# Safe to run again: it only installs or starts what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
APT_UPDATED=0
apt_install() {
  if [ "$(id -u)" != "0" ] || ! have apt-get; then
    log "cannot install $* (need root and apt-get); install it yourself and run again"
    return 1
  fi
  if [ "$APT_UPDATED" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

# Redis: BullMQ 6 needs 6.2 or newer; Debian 12 ships 7.0.
if ! redis_up; then
  have redis-server || apt_install redis-server
  mkdir -p /tmp/hubwatch-redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /tmp/hubwatch-redis --logfile /tmp/hubwatch-redis/redis.log
  for _ in $(seq 1 50); do redis_up && break; sleep 0.1; done
  redis_up || { log "Redis did not start on 127.0.0.1:6379 (see /tmp/hubwatch-redis/redis.log)"; exit 1; }
  log "Redis started on 127.0.0.1:6379"
fi

# PostgreSQL: the store tests run against it as well as against the embedded DuckDB file.
if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
  if have pg_ctlcluster; then
    ver="$(ls /etc/postgresql | sort -V | tail -1)"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  fi
  for _ in $(seq 1 100); do pg_up && break; sleep 0.1; done
  pg_up || { log "PostgreSQL is not answering on 127.0.0.1:5432"; exit 1; }
  log "PostgreSQL started on 127.0.0.1:5432"
fi
# The tests use database `test` with trust auth on loopback (as set up on the project's machines).
if have psql; then
  if ! psql -h 127.0.0.1 -U postgres -d test -Atc 'select 1' >/dev/null 2>&1; then
    su postgres -c "psql -Atc \"select 1 from pg_database where datname='test'\"" 2>/dev/null | grep -q 1 \
      || su postgres -c "createdb test" 2>/dev/null || log "could not create database test; set PG_TEST_URL"
  fi
fi

# Chromium renders the digest's HTML in a browser test (playwright-core drives Debian's build; no download).
if [ ! -x /usr/bin/chromium ]; then apt_install chromium || log "chromium missing: the browser test will be skipped"; fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
log "ready"
