#!/usr/bin/env bash
# Installs what the test suite needs from Debian's packages, only when missing:
# PostgreSQL (a throwaway cluster per run), Chromium (browser tests) and a Chinese font; with --bench also wrk,
# the HTTP load generator of bench/request_path.py (and gcc, which compiles its open-loop one, bench/openloop.c).
set -euo pipefail

missing=()
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null || missing+=(wrk)
  command -v gcc >/dev/null || missing+=(gcc libc6-dev)
fi
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || missing+=(fonts-wqy-microhei fontconfig)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing system packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
