#!/usr/bin/env bash
# System packages the test suite needs (Debian). Installs only what is missing, so a machine
# that has them already spends no time here. Needs root (CI and the dev machines run as root).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "system-deps: missing ${need[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "system-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# axe-core for the accessibility checks, into a folder the browser tests know.
if [ ! -f tests/web/node_modules/axe-core/axe.min.js ]; then
  mkdir -p tests/web
  (cd tests/web && npm install --silent --no-audit --no-fund --prefix . axe-core@4 >/dev/null)
fi
