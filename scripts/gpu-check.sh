#!/usr/bin/env bash
# GPU check for a machine with an NVIDIA GPU but no .NET.
#
#   scripts/gpu-check.sh pack [BUNDLE]   here, with the .NET SDK: publishes the CUDA test runner and the CLI
#                                        self-contained for linux-x64 into one folder (one copy of the runtime) and
#                                        packs it with this script as BUNDLE (default artifacts/gpu-check.tar.gz)
#   scripts/gpu-check.sh run [BUNDLE]    there: unpacks BUNDLE (or uses artifacts/gpu-check/ when it exists), finds the
#                                        CUDA libraries (pip-installed nvidia/*/lib folders included), then runs
#                                        `deepimpression doctor`, the GPU test suite, and `deepimpression bench --device cuda`
#                                        when the CLI has that command
#   scripts/gpu-check.sh                 pack, then run when this machine has a GPU
#
# The run step needs no .NET, no network and no compiler: kernels are compiled at run time by the CUDA stack's NVRTC.
# Exit status: non-zero when a GPU test fails or no GPU/CUDA library could be used.
set -euo pipefail
here_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here_dir/.." && pwd)"
mode="${1:-all}"
bundle="${2:-$root/artifacts/gpu-check.tar.gz}"
folder="$root/artifacts/gpu-check"
# Inside an unpacked bundle the script sits next to bin/.
[ -x "$here_dir/bin/DeepImpression.Cuda.GpuCheck" ] && folder="$here_dir"

pack() {
  command -v dotnet >/dev/null || { echo "gpu-check: pack needs the .NET SDK (dotnet not on PATH)" >&2; exit 1; }
  rm -rf "$folder"
  mkdir -p "$folder/bin"
  local common=(-c Release -r linux-x64 --self-contained true -p:InvariantGlobalization=true -p:DebugType=none
                -p:GenerateDocumentationFile=false -p:SatelliteResourceLanguages=en --nologo -v quiet)
  echo "gpu-check: publishing the CUDA test runner and the CLI (linux-x64, self-contained, one runtime)"
  dotnet publish "$root/tests/DeepImpression.Cuda.GpuCheck" "${common[@]}" -o "$folder/bin"
  dotnet publish "$root/src/DeepImpression.Train" "${common[@]}" -o "$folder/bin"
  # Debugger and crash-dump helpers are not needed to run, and cost 4 MB.
  rm -f "$folder/bin/libmscordaccore.so" "$folder/bin/libmscordbi.so" "$folder/bin/createdump"
  cp "$root/scripts/gpu-check.sh" "$folder/gpu-check.sh"
  mkdir -p "$(dirname "$bundle")"
  tar -C "$(dirname "$folder")" -czf "$bundle" "$(basename "$folder")"
  echo "gpu-check: $(du -sh "$folder" | cut -f1) unpacked, $(du -h "$bundle" | cut -f1) packed: $bundle"
}

# DEEPIMPRESSION_CUDA_PATH gains every nvidia/*/lib folder of the Python installations found (cuDNN, cuBLAS and
# NVRTC often come as pip wheels), ahead of whatever it already holds.
find_pip_cuda() {
  local py dirs=""
  for py in python3 /usr/bin/python3 /opt/*/.venv/bin/python3; do
    command -v "$py" >/dev/null 2>&1 || continue
    dirs+="$("$py" - 2>/dev/null <<'PY' || true
import glob, os, site, sys
roots = set(site.getsitepackages() + [site.getusersitepackages()] + [p for p in sys.path if p.endswith("-packages")])
print(":".join(sorted({d for r in roots for d in glob.glob(os.path.join(r, "nvidia", "*", "lib")) if os.path.isdir(d)})))
PY
)"
    dirs+=":"
  done
  dirs="$(printf '%s' "$dirs" | tr ':' '\n' | awk 'NF && !seen[$0]++' | paste -sd: -)"
  if [ -n "$dirs" ]; then
    export DEEPIMPRESSION_CUDA_PATH="${dirs}${DEEPIMPRESSION_CUDA_PATH:+:$DEEPIMPRESSION_CUDA_PATH}"
    # cuDNN 9 opens its sub-libraries by name; the loader must see the same folders.
    export LD_LIBRARY_PATH="${dirs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
}

run() {
  local here="$folder"
  if [ -f "$bundle" ] && [ ! -x "$here/bin/DeepImpression.Cuda.GpuCheck" ]; then
    here="$(mktemp -d)/gpu-check"
    tar -C "$(dirname "$here")" -xzf "$bundle"
  fi
  [ -x "$here/bin/DeepImpression.Cuda.GpuCheck" ] || { echo "gpu-check: no bundle at $bundle or $folder; run 'pack' first" >&2; exit 1; }
  find_pip_cuda
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  echo "== deepimpression doctor"
  local doctor=0
  "$here/bin/deepimpression" doctor || doctor=$?
  echo "== GPU test suite"
  local tests=0
  "$here/bin/DeepImpression.Cuda.GpuCheck" || tests=$?
  if "$here/bin/deepimpression" --help 2>/dev/null | grep -qE '^[[:space:]]+bench([[:space:]]|$)'; then
    echo "== deepimpression bench --device cuda"
    "$here/bin/deepimpression" bench --device cuda || tests=1
  else
    echo "== deepimpression bench: not in this build of the CLI, skipped"
  fi
  [ "$doctor" -eq 0 ] || { echo "gpu-check: the CUDA backend cannot run here (see doctor above)" >&2; exit 1; }
  exit "$tests"
}

case "$mode" in
  pack) pack ;;
  run) run ;;
  all)
    pack
    if command -v nvidia-smi >/dev/null 2>&1; then run; else echo "gpu-check: no nvidia-smi here; copy $bundle to a GPU machine and run: bash gpu-check/gpu-check.sh run"; fi
    ;;
  *) echo "usage: $0 [pack|run] [BUNDLE]" >&2; exit 2 ;;
esac
