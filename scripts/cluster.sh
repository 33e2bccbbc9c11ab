#!/usr/bin/env bash
# Starts the whole deployment on this machine: one PostgreSQL (the embedded
# binaries), PgBouncer in transaction pooling, three daemons and HAProxy
# (docs/haproxy.cfg), on 127.0.0.1 and free ports. Installs Debian's pgbouncer
# and haproxy packages when they are missing (as root). Ctrl-C stops it all.
#   scripts/cluster.sh [--port 8080] [--dir DIR] [--keep] [-- daemon flags]
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json
exec node dist/scripts/cluster/main.js "$@"
