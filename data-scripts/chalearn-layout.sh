#!/usr/bin/env bash
# Lays out the downloaded ChaLearn First Impressions archives (either release) for `deepimpression prepare`:
#   OUT/train/*.mp4  OUT/validation/*.mp4  OUT/test/*.mp4  and the label files (annotation_*.pkl, *_gt.csv) in OUT/.
# Nested zips are opened to any depth; encrypted archives are tried with every --password given.
# Usage: data-scripts/chalearn-layout.sh [--password PW]... ARCHIVE_DIR OUT_DIR     (see data-scripts/README.md)
set -euo pipefail

usage() {
  echo "usage: $0 [--password PW]... ARCHIVE_DIR OUT_DIR" >&2
  echo "  ARCHIVE_DIR: the downloaded zips (train-1.zip..train-6.zip, val-1.zip, val-2.zip, test-1e.zip, test-2e.zip," >&2
  echo "  *annotation*.zip; or the first release's training80_NN.zip, validation80_NN.zip, ...)." >&2
  exit 2
}

passwords=("")
while [ $# -gt 0 ]; do
  case "$1" in
    --password) [ $# -ge 2 ] || usage; passwords+=("$2"); shift 2 ;;
    --password=*) passwords+=("${1#--password=}"); shift ;;
    -h|--help) usage ;;
    --) shift; break ;;
    -*) echo "error: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 2 ] || usage
archives="$1"
out="$2"
[ -d "$archives" ] || { echo "error: $archives: archive folder not found" >&2; exit 2; }
command -v unzip >/dev/null 2>&1 || { echo "error: unzip not found: install it (bash scripts/setup.sh, or apt-get install unzip)" >&2; exit 2; }

mkdir -p "$out/train" "$out/validation" "$out/test"
work="$(mktemp -d "$out/.layout-XXXXXX")"
trap 'rm -rf "$work"' EXIT
failures=()

# Extracts $1 into $2, trying each password; 7z (if installed) handles AES archives that unzip cannot.
open_zip() {
  local zip="$1" dest="$2" pw
  mkdir -p "$dest"
  for pw in "${passwords[@]}"; do
    if unzip -qq -o -P "$pw" "$zip" -d "$dest" </dev/null >/dev/null 2>&1; then return 0; fi
  done
  if command -v 7z >/dev/null 2>&1; then
    for pw in "${passwords[@]}"; do
      if 7z x -y -p"$pw" -o"$dest" "$zip" </dev/null >/dev/null 2>&1; then return 0; fi
    done
  fi
  return 1
}

# Extracts $1 and every zip inside it (to any depth) into $2.
open_nested() {
  local zip="$1" dest="$2" inner
  if ! open_zip "$zip" "$dest"; then
    failures+=("$(basename "$zip"): cannot be opened (damaged, or encrypted: give its password with --password)")
    return 0
  fi
  # List first: extracting while find still runs would show it the new zips twice.
  local inners=()
  mapfile -d '' inners < <(find "$dest" -type f -iname '*.zip' -print0)
  for inner in "${inners[@]}"; do
    open_nested "$inner" "${inner%.zip}.d"
    rm -f "$inner"
  done
}

# Which part of the data set an archive holds, from its name.
classify() {
  local name
  name="$(basename "$1" | tr '[:upper:]' '[:lower:]')"
  case "$name" in
    *annotation*|*_gt*|*label*) echo labels ;;
    train*) echo train ;;
    val*) echo validation ;;
    test*) echo test ;;
    *) echo unknown ;;
  esac
}

n=0
while IFS= read -r -d '' zip; do
  kind="$(classify "$zip")"
  n=$((n + 1))
  dest="$work/$n"
  case "$kind" in
    train|validation|test)
      echo "layout: $(basename "$zip") -> $out/$kind/"
      open_nested "$zip" "$dest"
      find "$dest" -type f -iname '*.mp4' -exec mv -f {} "$out/$kind/" \;
      ;;
    labels)
      echo "layout: $(basename "$zip") -> labels in $out/"
      open_nested "$zip" "$dest"
      find "$dest" -type f \( -iname '*.pkl' -o -iname '*.csv' \) -exec mv -f {} "$out/" \;
      ;;
    *)
      echo "layout: $(basename "$zip"): not a ChaLearn archive name (train*, val*, test*, *annotation*); left alone" >&2
      ;;
  esac
  rm -rf "$dest"
done < <(find "$archives" -maxdepth 1 -type f -iname '*.zip' -print0 | sort -z)

# Label files downloaded loose (not zipped).
while IFS= read -r -d '' f; do cp -f "$f" "$out/"; done \
  < <(find "$archives" -maxdepth 1 -type f \( -iname '*.pkl' -o -iname '*_gt.csv' \) -print0)

for split in train validation test; do
  echo "layout: $out/$split: $(find "$out/$split" -maxdepth 1 -iname '*.mp4' | wc -l) clips"
done
labels="$(find "$out" -maxdepth 1 -type f \( -iname '*.pkl' -o -iname '*.csv' \) -printf '%f\n' | sort | tr '\n' ' ')"
echo "layout: labels: ${labels:-none}"

if [ ${#failures[@]} -gt 0 ]; then
  printf 'error: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "next: deepimpression prepare --videos $out/train --labels $out/annotation_training.pkl --out CACHE (likewise validation, test)"
