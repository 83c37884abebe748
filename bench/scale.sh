#!/usr/bin/env bash
# bench/scale.sh: how the run record scales. It writes N tiny distinct PNGs
# (bench/scalegen), then times, with GNU time, a first thumbs run, a re-run
# with nothing to do, and a plain walk that stats every source and output
# (find SRC OUT -type f -printf '%s %T@\n'), and prints wall time, peak RSS
# and the size of the record.
#
# Environment (all optional):
#   N=200000        sources (1000000 for the million-source figures)
#   JOBS=$(nproc)   thumbs -j
#   THUMBS=bin/thumbs
#   SCALE_OUT=bench/out/scale   where sources and thumbnails go (N sources
#                   take about 4 KiB of disk each, twice with the outputs)
#   KEEP=0          1: keep the sources between runs of the script
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-200000}
JOBS=${JOBS:-$(nproc)}
THUMBS=$(realpath -m "${THUMBS:-bin/thumbs}")
SCALE_OUT=$(realpath -m "${SCALE_OUT:-bench/out/scale}")
KEEP=${KEEP:-0}
[[ $N =~ ^[0-9]+$ ]] || { echo "scale.sh: N must be a number" >&2; exit 1; }
[[ -x $THUMBS ]] || { echo "scale.sh: $THUMBS missing: run 'make build'" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { apt-get install -y time >/dev/null 2>&1 || { echo "scale.sh: GNU time is needed (apt-get install time)" >&2; exit 1; }; }

SRC=$SCALE_OUT/src-$N
OUT=$SCALE_OUT/out-$N
if [[ ! -f $SRC/.complete ]]; then
	rm -rf "$SRC"
	echo "== writing $N sources to $SRC" >&2
	go run ./bench/scalegen "$N" "$SRC"
	touch "$SRC/.complete"
fi
rm -rf "$OUT"
sync

# measure LABEL CMD...: wall seconds and peak RSS (MiB) of CMD, as a table row.
measure() {
	local label=$1; shift
	local t
	t=$(mktemp)
	/usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>"$t.err" || { echo "scale.sh: $label failed:" >&2; tail -5 "$t.err" >&2; exit 1; }
	read -r wall kib <"$t"
	printf '| %s | %d | %.2f | %.1f |\n' "$label" "$N" "$wall" "$(echo "$kib / 1024" | bc -l)"
	rm -f "$t" "$t.err"
}

echo "| run | sources | wall s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
measure "thumbs first run" "$THUMBS" --progress never -j "$JOBS" -s 4 -f png -o "$OUT" "$SRC"
measure "thumbs re-run" "$THUMBS" --progress never -j "$JOBS" -s 4 -f png -o "$OUT" "$SRC"
measure "find SRC OUT (plain walk)" find "$SRC" "$OUT" -type f -printf '%s %T@\n'
record=$(find "$OUT" -maxdepth 1 -name '.thumbs-*' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
echo
echo "record: $record bytes ($(echo "$record / $N" | bc) bytes per source)"
[[ $KEEP == 1 ]] || rm -rf "$OUT"
