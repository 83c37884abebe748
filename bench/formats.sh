#!/usr/bin/env bash
# Decode time and peak memory of one 12-megapixel photo in each input format.
#
# Makes a 4000x3000 crop of the largest JPEG wallpaper from Debian's
# mate-backgrounds in JPEG (baseline and progressive), PNG, GIF, TIFF, BMP,
# WebP, HEIC and AVIF, then measures, RUNS times each (median):
#   decode: one full-size decode (internal/decode, BenchmarkDecodeFile), time
#           and peak RSS of the benchmark process;
#   thumbs: thumbs -j 1 -s 256 on that one file, wall time and peak RSS.
# Installs what is missing (imagemagick, libheif-examples, mate-backgrounds,
# GNU time) with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
OUT=${BENCH_OUT:-bench/out}/decode12mp
THUMBS=${THUMBS:-bin/thumbs}
[ -x "$THUMBS" ] || { echo "formats.sh: $THUMBS missing: run make build first" >&2; exit 1; }

need=()
command -v convert >/dev/null || need+=(imagemagick)
command -v heif-enc >/dev/null || need+=(libheif-examples)
[ -x /usr/bin/time ] || need+=(time)
[ -d /usr/share/backgrounds/mate ] || need+=(mate-backgrounds)
if [ ${#need[@]} -gt 0 ]; then
	sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

rm -rf "$OUT" && mkdir -p "$OUT"
src=$(find /usr/share/backgrounds/mate -iname '*.jpg' -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
convert "$src" -resize 4000x3000^ -gravity center -extent 4000x3000 -quality 90 "$OUT/p12.jpg"
convert "$OUT/p12.jpg" -interlace JPEG -quality 90 "$OUT/p12-progressive.jpg"
convert "$OUT/p12.jpg" "$OUT/p12.png"
convert "$OUT/p12.jpg" "$OUT/p12.gif"
convert "$OUT/p12.jpg" "$OUT/p12.tiff"
convert "$OUT/p12.jpg" "$OUT/p12.bmp"
convert "$OUT/p12.jpg" -quality 90 "$OUT/p12.webp"
heif-enc -q 90 "$OUT/p12.png" -o "$OUT/p12.heic" >/dev/null
heif-enc -A -q 80 "$OUT/p12.png" -o "$OUT/p12.avif" >/dev/null

go test -tags nodynamic -c -o "$OUT/decode.test" ./internal/decode

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "## Decoding one 12-megapixel photo (4000x3000, from $(basename "$src"))"
echo
echo "| format | file MiB | full decode s | decode peak RSS MiB | thumbs -s 256 wall s | thumbs peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|"
for f in p12.jpg p12-progressive.jpg p12.png p12.gif p12.tiff p12.bmp p12.webp p12.heic p12.avif; do
	file="$OUT/$f"
	dec_t=(); dec_m=(); th_t=(); th_m=()
	for _ in $(seq "$RUNS"); do
		# One decode per process: ns/op of a single iteration, and the process's peak RSS.
		line=$( { /usr/bin/time -f 'RSS %M' env THUMBS_DECODE_FILE="$file" "$OUT/decode.test" \
			-test.run '^$' -test.bench '^BenchmarkDecodeFile$' -test.benchtime 1x; } 2>&1 )
		dec_t+=("$(awk '/^BenchmarkDecodeFile/ {printf "%.3f", $3/1e9}' <<<"$line")")
		dec_m+=("$(awk '/^RSS/ {printf "%.1f", $2/1024}' <<<"$line")")
		rm -rf "$OUT/thumbs-out"
		line=$( { /usr/bin/time -f 'TIME %e RSS %M' "$THUMBS" -j 1 -s 256 --progress never -o "$OUT/thumbs-out" "$file"; } 2>&1 )
		th_t+=("$(awk '/^TIME/ {print $2}' <<<"$line")")
		th_m+=("$(awk '/^TIME/ {printf "%.1f", $4/1024}' <<<"$line")")
	done
	size=$(awk -v b="$(stat -c %s "$file")" 'BEGIN {printf "%.1f", b/1048576}')
	printf '| %s | %s | %s | %s | %s | %s |\n' "${f#p12}" "$size" \
		"$(printf '%s\n' "${dec_t[@]}" | median)" "$(printf '%s\n' "${dec_m[@]}" | median)" \
		"$(printf '%s\n' "${th_t[@]}" | median)" "$(printf '%s\n' "${th_m[@]}" | median)"
done
echo
echo "Medians of $RUNS runs each; machine: $(nproc) cores, $(awk '/model name/ {sub(/.*: /, ""); print; exit}' /proc/cpuinfo)."
echo "HEIC and AVIF times include compiling the WebAssembly decoder once per process (about 0.6 s)."
