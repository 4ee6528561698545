#!/usr/bin/env bash
# What a consumer of the packages sees, checked end to end (CI runs it after the tests):
#  1. pack the four packages into artifacts/packages (scripts/pack.sh);
#  2. restore the samples from that folder feed, into a fresh package folder so that no older build of the same
#     version is taken from the machine's cache, build them with warnings as errors, run them and check their output;
#  3. install the tool from the feed into a temporary tool path and run `deepimpression --version` and `summary`.
# Usage: scripts/package-check.sh [WORK_FOLDER]   (default: a new temporary folder, removed at the end)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d -t deepimpression-package-check.XXXXXX)}"
[ $# -ge 1 ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/version.props")
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }

echo "package-check: packing $version"
bash "$root/scripts/pack.sh" >"$work/pack.log" 2>&1 || { tail -30 "$work/pack.log"; fail "dotnet pack"; }
for id in DeepImpression.Core DeepImpression.Cuda DeepImpression.Train DeepImpression.Tool; do
  for ext in nupkg snupkg; do [ -s "$root/artifacts/packages/$id.$version.$ext" ] || fail "no $id.$version.$ext"; done
done
unzip -l "$root/artifacts/packages/DeepImpression.Core.$version.nupkg" | grep -q "lib/net10.0/DeepImpression.Core.xml" || fail "DeepImpression.Core has no XML documentation"
unzip -l "$root/artifacts/packages/DeepImpression.Core.$version.nupkg" | grep -q " README.md" || fail "DeepImpression.Core has no README"

export NUGET_PACKAGES="$work/nuget-packages"
echo "package-check: samples, restored from artifacts/packages"
out="$work/sample-output"
dotnet build "$root/samples/TrainAndPredict" -c Release -o "$work/bin/TrainAndPredict" >"$work/build1.log" 2>&1 || { tail -30 "$work/build1.log"; fail "building samples/TrainAndPredict"; }
dotnet build "$root/samples/PredictVideo" -c Release -o "$work/bin/PredictVideo" >"$work/build2.log" 2>&1 || { tail -30 "$work/build2.log"; fail "building samples/PredictVideo"; }
# The samples must have used the packages, not the projects.
[ -d "$NUGET_PACKAGES/deepimpression.train/$version" ] || fail "the samples did not restore DeepImpression.Train $version from the feed"
dotnet "$work/bin/TrainAndPredict/TrainAndPredict.dll" "$out" | tee "$work/sample1.txt" || fail "samples/TrainAndPredict exited with an error"
grep -q "^sample passed$" "$work/sample1.txt" || fail "samples/TrainAndPredict did not pass its checks"
weights=$(sed -n 's/^weights for PredictVideo: //p' "$work/sample1.txt")
video=$(sed -n 's/^video for PredictVideo: //p' "$work/sample1.txt")
dotnet "$work/bin/PredictVideo/PredictVideo.dll" "$weights" "$video" | tee "$work/sample2.txt" || fail "samples/PredictVideo exited with an error"
grep -qE "Extraversion = [0-9.E-]+, Agreeableness = .* from [0-9]+ frames" "$work/sample2.txt" || fail "samples/PredictVideo printed no scores"
set +e; dotnet "$work/bin/PredictVideo/PredictVideo.dll" "$work/missing.npz" "$video" 2>"$work/sample2-error.txt"; code=$?; set -e
[ "$code" = 2 ] && grep -q "^error: .*missing.npz" "$work/sample2-error.txt" || fail "samples/PredictVideo on a missing checkpoint: exit $code, $(cat "$work/sample2-error.txt")"

echo "package-check: the tool, installed from artifacts/packages"
dotnet tool install --tool-path "$work/tool" --add-source "$root/artifacts/packages" --version "$version" DeepImpression.Tool >"$work/tool.log" 2>&1 || { cat "$work/tool.log"; fail "dotnet tool install"; }
"$work/tool/deepimpression" --version | tee "$work/tool-version.txt"
grep -q "^$version" "$work/tool-version.txt" || fail "deepimpression --version does not say $version"
"$work/tool/deepimpression" summary | tee "$work/tool-summary.txt" | tail -3
grep -q "^trainable parameters: 5,601,989" "$work/tool-summary.txt" || fail "deepimpression summary does not count the model's 5,601,989 parameters"
echo "package-check: passed"
