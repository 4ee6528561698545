#!/usr/bin/env bash
# Installs what a fresh Debian machine with the .NET SDK lacks for DeepImpression: ffmpeg (decoding and the
# synthetic clips), espeak-ng (speech in synthetic clips), python3-numpy (npz interop tests), zip and unzip
# (data-scripts/chalearn-layout.sh and its tests), chromium and python3-skimage (the demo's real-browser tests:
# Playwright drives Debian's Chromium, whose fake camera shows skimage's astronaut.png). Idempotent.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v zip >/dev/null 2>&1 || need+=(zip)
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || need+=(python3-numpy)
[ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] || need+=(chromium)
dpkg-query -W -f='${Status}' python3-skimage 2>/dev/null | grep -q 'install ok installed' || need+=(python3-skimage)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "setup: the .NET 10 SDK is required (dotnet not found on PATH)" >&2; exit 1; }
