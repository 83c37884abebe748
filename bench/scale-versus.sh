#!/usr/bin/env bash
# bench/scale-versus.sh OLD NEW [N]: two thumbs binaries side by side on N
# tiny distinct sources (default 50000, made by bench/scale.sh's generator):
# a first run of each, then three re-runs of each alternating with a plain
# walk (find SRC OUT -type f -printf '%s %T@\n'), with GNU time's wall time
# and peak RSS as a Markdown table, and the size of each record.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: bench/scale-versus.sh OLD NEW [N]" >&2; exit 2; }
OLD=$(realpath "$1"); NEW=$(realpath "$2"); N=${3:-50000}
SRC=$(realpath -m bench/out/scale/src-$N)
if [[ ! -f $SRC/.complete ]]; then
	rm -rf "$SRC"
	go run ./bench/scalegen "$N" "$SRC"
	touch "$SRC/.complete"
fi
OUT=$(mktemp -d)
m() { # label cmd...: one table row
	local label=$1 t; shift
	t=$(mktemp)
	/usr/bin/time -f '%e %M' -o "$t" "$@" >/dev/null 2>"$t.err" || { tail -3 "$t.err" >&2; exit 1; }
	read -r w k <"$t"
	printf '| %s | %d | %.2f | %.1f |\n' "$label" "$N" "$w" "$(echo "$k/1024" | bc -l)"
	rm -f "$t" "$t.err"
}
echo "| run | sources | wall s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
m "old: first run" "$OLD" --progress never -s 4 -f png -o "$OUT/old" "$SRC"
m "new: first run" "$NEW" --progress never -s 4 -f png -o "$OUT/new" "$SRC"
for i in 1 2 3; do
	m "old: re-run $i" "$OLD" --progress never -s 4 -f png -o "$OUT/old" "$SRC"
	m "new: re-run $i" "$NEW" --progress never -s 4 -f png -o "$OUT/new" "$SRC"
	m "find SRC OUT $i" find "$SRC" "$OUT/new" -type f -printf '%s %T@\n'
done
echo
for v in old new; do
	echo "$v record: $(find "$OUT/$v" -maxdepth 1 -name '.thumbs-*' -printf '%s\n' | awk '{s+=$1} END {print s+0}') bytes"
done
rm -rf "$OUT"
