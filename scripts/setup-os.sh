#!/usr/bin/env bash
# Installs the OS programs clipfleet drives: ffmpeg, Chromium and redis-server (and ps/pgrep,
# with which the scripts find what a test run left running). Uses apt-get
# where it can (as root, or with sudo); otherwise prints exactly what to install.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v python3 >/dev/null 2>&1 || need+=(python3 python3-venv)
command -v ps >/dev/null 2>&1 && command -v pgrep >/dev/null 2>&1 || need+=(procps)
if [ ${#need[@]} -eq 0 ]; then echo "[setup] ffmpeg, chromium and redis-server are installed"; exit 0; fi
echo "[setup] missing: ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] || sudo -n true 2>/dev/null; }; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" python3-venv >/dev/null
  echo "[setup] installed: ${need[*]}"
else
  echo "[setup] cannot install them here; please install: ${need[*]}" >&2
  echo "        Debian/Ubuntu: sudo apt-get install ${need[*]}" >&2
  echo "        macOS: brew install ffmpeg redis && brew install --cask chromium (then set CHROMIUM_PATH)" >&2
  exit 1
fi
