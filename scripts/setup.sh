#!/usr/bin/env bash
# Installs what a fresh Debian machine with the .NET SDK lacks for DeepImpression: ffmpeg (decoding and the
# synthetic clips), espeak-ng (speech in synthetic clips), python3-numpy (npz interop tests), zip and unzip
# (data-scripts/chalearn-layout.sh and its tests), chromium (the demo's real-browser tests: Playwright drives Debian's
# Chromium), python3-skimage (the astronaut photograph that the demo's fake camera and the face-regions test use, and
# SciPy for the effect-size tests), nodejs and npm with the face landmark model's npm packages (face-regions).
# Idempotent.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v zip >/dev/null 2>&1 || need+=(zip)
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || need+=(python3-numpy)
[ -x /usr/lib/chromium/chromium ] || [ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c 'import skimage, scipy' >/dev/null 2>&1 || need+=(python3-skimage)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# face-regions: @vladmandic/face-api and TensorFlow.js at the versions pinned in package-lock.json (weights inside).
face_api="$(cd "$(dirname "$0")/.." && pwd)/src/DeepImpression.Train/Analysis/Regions/FaceApi"
if [ ! -d "$face_api/node_modules/@vladmandic/face-api/model" ] || [ ! -d "$face_api/node_modules/@tensorflow/tfjs-backend-wasm/dist" ]; then
  echo "setup: installing the face landmark packages (npm ci) in $face_api"
  (cd "$face_api" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
fi
command -v dotnet >/dev/null 2>&1 || { echo "setup: the .NET 10 SDK is required (dotnet not found on PATH)" >&2; exit 1; }
