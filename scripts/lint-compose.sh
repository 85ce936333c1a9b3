#!/usr/bin/env bash
# `npm run lint:compose`: checks docker-compose.yml with `docker compose config` (the file parses, follows the
# Compose specification, and its anchors, merges and variables resolve). Where the Docker Compose plugin is not
# installed the check is skipped with a message and exit 0, so `npm run lint` can include it on any machine.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! docker compose version >/dev/null 2>&1; then
  echo "lint:compose: skipped: the Docker Compose plugin is not installed (\`docker compose version\` failed); install it to check docker-compose.yml" >&2
  exit 0
fi
docker compose -f docker-compose.yml config --quiet
echo "lint:compose: docker-compose.yml is valid" >&2
