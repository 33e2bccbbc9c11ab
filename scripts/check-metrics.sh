#!/bin/sh
# Lints a running daemon's /metrics with Prometheus's own `promtool check metrics`,
# installing promtool (Debian's prometheus package) first when it is missing.
# Usage: scripts/check-metrics.sh [daemon URL]   (default http://127.0.0.1:7700)
# Prints nothing and exits 0 when the metrics are clean.
set -eu
url="${1:-http://127.0.0.1:7700}"
if ! command -v promtool >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "check-metrics: promtool is missing; install Prometheus's promtool (https://prometheus.io/download/)" >&2
    exit 2
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "check-metrics: installing promtool (apt-get install prometheus)" >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >&2
fi
metrics="$(curl -fsS "$url/metrics")"
printf '%s\n' "$metrics" | promtool check metrics
