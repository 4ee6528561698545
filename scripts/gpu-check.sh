#!/usr/bin/env bash
# The GPU check of the CUDA backend: one decisive run on a machine with an NVIDIA GPU and no .NET.
#
#   scripts/gpu-check.sh pack [BUNDLE]        here, with the .NET SDK: publishes the CUDA test runner and the CLI
#                                             self-contained for linux-x64 into one folder (one copy of the runtime),
#                                             packs it with this script as BUNDLE (default artifacts/gpu-check.tar.gz)
#                                             and prints its size, which must stay under 60 MiB
#   bash gpu-check/gpu-check.sh run [BUNDLE]  there: runs the stages below and ends with one line,
#                                             "gpu-check: PASS" or "gpu-check: FAIL (<stage>: <reason>)"
#
# Stages, in order, each under its own time limit in seconds, all under one budget (8 minutes):
#   doctor  deepimpression doctor: driver, GPU, cuDNN, cuBLAS and NVRTC found with no variable set
#   parity  the GPU test suite: every primitive against float64 references, our kernels bit for bit against the CPU
#   step    one full training step of the whole network at batch 32 against the CPU
#   bench   deepimpression bench --device cuda: ms per training example at batch 32 (with the test clip) and 8,
#           test clip seconds, peak device memory
#   train   deepimpression train --device cuda --deterministic on the synthetic default for 40 epochs: the best
#           validation accuracy must beat the mean predictor (10 epochs do not: see README)
#   resume  the same run stopped at step 70 and resumed: metrics.csv identical to the uninterrupted run's
# A stage that fails does not stop the later ones (their logs help), except doctor: without the CUDA stack nothing
# else can run. The verdict names the first failure.
#
# Everything is logged to $OUT/gpu-check.log (OUT defaults to ./gpu-check-output), each stage's output also to
# $OUT/<stage>.log. Needs bash, coreutils (timeout), tar and gzip; no network, no compiler, no variable.
# For tests: GPU_CHECK_BIN (the binaries), GPU_CHECK_BUDGET and GPU_CHECK_TIMEOUT_<STAGE> (seconds).
set -uo pipefail
here_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode="${1:-run}"
max_packed_mib=60

pack() {
  set -e
  local root folder bundle
  root="$(cd "$here_dir/.." && pwd)"
  bundle="${1:-$root/artifacts/gpu-check.tar.gz}"
  folder="$root/artifacts/gpu-check"
  command -v dotnet >/dev/null || { echo "gpu-check: pack needs the .NET SDK (dotnet not on PATH)" >&2; exit 1; }
  rm -rf "$folder"
  mkdir -p "$folder/bin"
  local common=(-c Release -r linux-x64 --self-contained true -p:InvariantGlobalization=true -p:DebugType=none
                -p:GenerateDocumentationFile=false -p:SatelliteResourceLanguages=en --nologo -v quiet)
  echo "gpu-check: publishing the CUDA test runner and the CLI (linux-x64, self-contained, one runtime)"
  dotnet publish "$root/tests/DeepImpression.Cuda.GpuCheck" "${common[@]}" -o "$folder/bin"
  dotnet publish "$root/src/DeepImpression.Tool" "${common[@]}" -o "$folder/bin"
  # Debugger and crash-dump helpers are not needed to run, and cost 4 MB.
  rm -f "$folder/bin/libmscordaccore.so" "$folder/bin/libmscordbi.so" "$folder/bin/createdump"
  cp "$root/scripts/gpu-check.sh" "$folder/gpu-check.sh"
  mkdir -p "$(dirname "$bundle")"
  tar -C "$(dirname "$folder")" -czf "$bundle" "$(basename "$folder")"
  local packed unpacked
  packed=$(stat -c %s "$bundle")
  unpacked=$(du -sb "$folder" | cut -f1)
  awk -v p="$packed" -v u="$unpacked" -v b="$bundle" 'BEGIN { printf "gpu-check: %.1f MiB packed (%.1f MiB unpacked): %s\n", p / 1048576, u / 1048576, b }'
  if [ "$packed" -ge $((max_packed_mib * 1048576)) ]; then
    echo "gpu-check: the bundle is over the ${max_packed_mib} MiB limit" >&2
    exit 1
  fi
}

# ---- run ---------------------------------------------------------------------------------------------------------

out="" log="" bin="" budget=480 deadline=0 last_limit=0 failed_stage="" failed_reason=""
declare -a summary=()

say() { printf '%s\n' "$*" | tee -a "$log"; }

# fail STAGE REASON: records the first failure (the verdict names it); later ones are only logged.
fail() {
  say "gpu-check: stage $1 failed: $2"
  if [ -z "$failed_stage" ]; then failed_stage="$1"; failed_reason="$2"; fi
}

limit_of() {  # limit_of STAGE DEFAULT: the stage's limit, capped by what is left of the budget
  local name="GPU_CHECK_TIMEOUT_${1^^}" limit left
  limit="${!name:-$2}"
  left=$((deadline - SECONDS))
  [ "$left" -lt "$limit" ] && limit=$left
  echo "$limit"
}

# stage NAME DEFAULT_LIMIT COMMAND...: runs COMMAND under the stage's limit, its output to the console, the log and
# $OUT/NAME.log (appended, so a stage may run several commands). Returns the command's status, 124 on a timeout.
stage() {
  local name="$1" limit status
  limit=$(limit_of "$1" "$2")
  shift 2
  last_limit=$limit
  if [ "$limit" -le 0 ]; then
    say "== $name: no time left of the ${budget}-second budget"
    return 125
  fi
  say "== $name (limit ${limit} s): ${1##*/} ${*:2}"
  local started=$SECONDS
  timeout --kill-after=10 "$limit" "$@" < /dev/null 2>&1 | tee -a "$log" "$out/$name.log"
  status=${PIPESTATUS[0]}
  [ "$status" -eq 137 ] && status=124
  say "== $name: exit $status after $((SECONDS - started)) s"
  return "$status"
}

# why STATUS TEXT: the reason for the last stage command's non-zero status: a timeout, no time left, or TEXT.
why() {
  case "$1" in
    124) echo "timed out after ${last_limit} s" ;;
    125) echo "no time left of the ${budget}-second budget" ;;
    *) echo "$2" ;;
  esac
}

# The first line of a stage's log matching a pattern.
first() { grep -m1 -E "$2" "$out/$1.log" 2>/dev/null | cut -c1-200; }

# A number after a JSON key in a stage's log.
json_number() { grep -m1 -oE "\"$2\": *-?[0-9.eE+-]+" "$out/$1.log" 2>/dev/null | sed -E 's/.*: *//'; }

run_tests() {  # run_tests STAGE LIMIT RUNNER-ARGUMENTS...: the test runner, which must run on the GPU and pass
  local name="$1" limit="$2" status
  shift 2
  stage "$name" "$limit" "$bin/DeepImpression.Cuda.GpuCheck" --require-gpu "$@"
  status=$?
  local totals
  totals=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$out/$name.log" 2>/dev/null | tail -1)
  if [ "$status" -ne 0 ]; then
    local first_failure
    first_failure=$(first "$name" '^(FAIL|GPU: unavailable)' | cut -c1-160)
    fail "$name" "$(why "$status" "${totals:-no totals}${first_failure:+; $first_failure}")"
  elif [ -z "$totals" ] || [[ "$totals" == 0\ passed* ]]; then
    fail "$name" "no test ran (${totals:-no totals})"
  fi
  summary+=("$name: ${totals:-no totals}")
}

run() {
  out="${OUT:-$PWD/gpu-check-output}"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  log="$out/gpu-check.log"
  : > "$log"
  rm -f "$out"/{doctor,parity,step,bench,train,resume}.log
  budget="${GPU_CHECK_BUDGET:-480}"
  deadline=$((SECONDS + budget))

  local bundle="${1:-}"
  bin="${GPU_CHECK_BIN:-$here_dir/bin}"
  if [ ! -x "$bin/deepimpression" ] && [ -n "$bundle" ] && [ -f "$bundle" ]; then
    tar -C "$out" -xzf "$bundle"
    bin="$out/gpu-check/bin"
  fi
  if [ ! -x "$bin/deepimpression" ] || [ ! -x "$bin/DeepImpression.Cuda.GpuCheck" ]; then
    say "gpu-check: no binaries in $bin; unpack the bundle and run gpu-check/gpu-check.sh run"
    say "gpu-check: FAIL (setup: no binaries in $bin)"
    return 1
  fi

  # Everything the runs write stays under $OUT: the synthetic data, compiled kernels, run folders.
  export DEEPIMPRESSION_HOME="$out/home" DEEPIMPRESSION_KERNEL_CACHE="$out/kernels" DEEPIMPRESSION_PRINT_CONV_PLAN=1
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
  say "gpu-check: $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(hostname), binaries $bin, output $out, budget ${budget} s"
  command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee -a "$log"

  local status
  stage doctor 60 "$bin/deepimpression" doctor
  status=$?
  if [ "$status" -ne 0 ]; then
    fail doctor "$(why "$status" "the CUDA stack is not usable: $(first doctor '^error:' | sed 's/^error: //')")"
    verdict
    return 1
  fi

  run_tests parity 150 --except FullNetworkStepAtBatch32
  run_tests step 120 --only FullNetworkStepAtBatch32

  for batch in 32 8; do
    local clip=()
    [ "$batch" -eq 8 ] && clip=(--no-clip)
    stage bench 150 "$bin/deepimpression" bench --device cuda --batch-size "$batch" "${clip[@]}" --json
    status=$?
    if [ "$status" -ne 0 ]; then fail bench "$(why "$status" "bench at batch $batch exited $status")"; break; fi
  done
  local ms32 ms8 clip_s peak searches
  ms32=$(grep -oE '"MsPerExample": *[0-9.eE+-]+' "$out/bench.log" 2>/dev/null | sed -n 1p | sed -E 's/.*: *//')
  ms8=$(grep -oE '"MsPerExample": *[0-9.eE+-]+' "$out/bench.log" 2>/dev/null | sed -n 2p | sed -E 's/.*: *//')
  clip_s=$(json_number bench ClipSeconds)
  peak=$(json_number bench BackendPeakBytes)
  searches=$(json_number bench ConvolutionSearches)
  if [ -z "$failed_stage" ] && { [ -z "$ms32" ] || [ -z "$ms8" ] || [ -z "$clip_s" ]; }; then
    fail bench "the output lacks a figure (ms/example at 32: ${ms32:-none}, at 8: ${ms8:-none}, clip: ${clip_s:-none})"
  fi
  [ -n "$ms32" ] && summary+=("bench: $(awk -v a="${ms32:-0}" -v b="${ms8:-0}" -v c="${clip_s:-0}" -v p="${peak:-0}" -v s="${searches:-?}" \
    'BEGIN { printf "%.2f ms/example at batch 32, %.2f at batch 8, test clip %.2f s, peak device memory %.0f MiB, %s cuDNN searches (batch 32 run)", a, b, c, p / 1048576, s }')")

  local runs="$out/runs" train_args=(--device cuda --deterministic --epochs 40 --seed 1)
  rm -rf "$runs"
  stage train 150 "$bin/deepimpression" train "${train_args[@]}" --out "$runs/whole"
  status=$?
  local best baseline
  best=$(sed -nE 's/^best validation accuracy.*: ([0-9.]+) vs mean predictor ([0-9.]+).*/\1/p' "$out/train.log" 2>/dev/null | tail -1)
  baseline=$(sed -nE 's/^best validation accuracy.*: ([0-9.]+) vs mean predictor ([0-9.]+).*/\2/p' "$out/train.log" 2>/dev/null | tail -1)
  if [ "$status" -ne 0 ]; then
    fail train "$(why "$status" "train exited $status: $(first train '^error')")"
  elif [ -z "$best" ] || [ -z "$baseline" ]; then
    fail train "no best validation accuracy in the output"
  elif ! awk -v a="$best" -v b="$baseline" 'BEGIN { exit !(a > b) }'; then
    fail train "best validation accuracy $best does not beat the mean predictor $baseline"
  fi
  summary+=("train: best validation accuracy ${best:-none} vs mean predictor ${baseline:-none}; $(grep -c '^cuDNN plan:' "$out/train.log" 2>/dev/null || echo 0) cuDNN searches")

  if [ "$status" -eq 0 ]; then
    stage resume 120 "$bin/deepimpression" train "${train_args[@]}" --out "$runs/resumed" --max-steps 70
    status=$?
    [ "$status" -eq 0 ] && { stage resume 120 "$bin/deepimpression" train --resume "$runs/resumed" --epochs 40; status=$?; }
    if [ "$status" -ne 0 ]; then
      fail resume "$(why "$status" "train exited $status")"
    elif ! cmp -s <(cut -d, -f1-9 "$runs/whole/metrics.csv") <(cut -d, -f1-9 "$runs/resumed/metrics.csv"); then
      fail resume "metrics.csv of the resumed run differs from the uninterrupted one's: $(diff <(cut -d, -f1-9 "$runs/whole/metrics.csv") <(cut -d, -f1-9 "$runs/resumed/metrics.csv") | sed -n 2p | cut -c1-120)"
    else
      summary+=("resume: stopped at step 70 and resumed, the same $(($(wc -l < "$runs/whole/metrics.csv") - 1)) epochs of losses and accuracies bit for bit")
    fi
  else
    say "== resume: skipped (the training stage failed)"
  fi
  verdict
  [ -z "$failed_stage" ]
}

verdict() {
  say "== summary ($SECONDS s in all)"
  local line
  for line in "${summary[@]}"; do say "  $line"; done
  if [ -z "$failed_stage" ]; then say "gpu-check: PASS"; else say "gpu-check: FAIL ($failed_stage: $failed_reason)"; fi
}

case "$mode" in
  pack) shift; pack "$@" ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 pack [BUNDLE] | run [BUNDLE]" >&2; exit 2 ;;
esac
