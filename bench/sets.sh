#!/usr/bin/env bash
# bench/sets.sh: thumbs against vipsthumbnail on a set of photos in one
# format (FORMAT=png or webp), 256 px box, JPEG output at quality 85, both
# tools on the same cores, interleaved runs.
#
# The set: every distinct JPEG photo under /usr/share/backgrounds (by
# SHA-256; Debian installs one picture under several names) converted by
# ImageMagick (`convert x.jpg x.png`, or `convert x.jpg -quality 85 x.webp`
# for lossy WebP through libwebp), and the two largest 3840x2400 ones
# also enlarged to 7680x4800 (`-resize 200%`), so that the set holds
# pictures of over 6000x4000. It is made once into $SET.
#
# Each run: thumbs resize -j JOBS over the set, and vipsthumbnail through
# `xargs -P JOBS -n 3`, each into an emptied directory, timed by GNU time
# (wall, user+sys of every child, peak RSS of the largest process). Prints
# the medians, and the wall-time ratio thumbs/vips, as Markdown.
#
# Environment (all optional):
#   FORMAT=png  RUNS=5  JOBS=$(nproc)  SIZE=256
#   SET=bench/out/$FORMAT-set   THUMBS=bin/thumbs   INSTALL=1
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

die() { echo "sets.sh: error: $*" >&2; exit 1; }

FORMAT=${FORMAT:-png}
case $FORMAT in
png) convert_opts=() ;;
webp) convert_opts=(-quality 85) ;;
*) die "FORMAT must be png or webp, not '$FORMAT'" ;;
esac

RUNS=${RUNS:-5}
JOBS=${JOBS:-$(nproc)}
SIZE=${SIZE:-256}
SET=$(realpath -m -- "${SET:-bench/out/$FORMAT-set}")
THUMBS=$(realpath -m -- "${THUMBS:-bin/thumbs}")
OUT=$(realpath -m -- "${BENCH_OUT:-bench/out}")/$FORMAT
[[ -x $THUMBS ]] || die "$THUMBS is missing: run 'make build' first"

missing=()
[[ -x /usr/bin/convert ]] || missing+=(imagemagick)
command -v vipsthumbnail >/dev/null || missing+=(libvips-tools)
[[ -x /usr/bin/time ]] || missing+=(time)
[[ -d /usr/share/backgrounds/mate ]] || missing+=(mate-backgrounds)
install_missing "${missing[@]}"

if [[ ! -f $SET/.complete ]]; then
	echo "== making the $FORMAT set in $SET" >&2
	rm -rf "$SET" && mkdir -p "$SET"
	declare -A seen=()
	n=0
	while IFS= read -r -d '' f; do
		sum=$(sha256sum -- "$f" | cut -c1-64)
		[[ -n ${seen[$sum]:-} ]] && continue
		seen[$sum]=1
		n=$((n + 1))
		stem=$(basename -- "${f%.*}")
		/usr/bin/convert "$f" "${convert_opts[@]}" "$SET/$(printf %02d "$n")-${stem//[^A-Za-z0-9._-]/_}.$FORMAT" 2>/dev/null
	done < <(find /usr/share/backgrounds -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) -print0 | sort -z)
	big=0
	for f in $(identify -format '%w %h %i\n' "$SET"/*."$FORMAT" 2>/dev/null | awk '$1 == 3840 && $2 == 2400 {print $3}' | head -2); do
		big=$((big + 1))
		/usr/bin/convert "$f" -resize 200% "${convert_opts[@]}" "$SET/9$big-$(basename -- "${f%."$FORMAT"}")-x2.$FORMAT"
	done
	touch "$SET/.complete"
fi
mapfile -t files < <(find "$SET" -name "*.$FORMAT" | sort)
((${#files[@]})) || die "no $FORMAT files in $SET"
mkdir -p "$OUT"
printf '%s\n' "${files[@]}" >"$OUT/list"
cat "${files[@]}" >/dev/null # into the page cache

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
: >"$OUT/runs.tsv"
for ((r = 1; r <= RUNS; r++)); do
	for tool in thumbs vips; do
		rm -rf "$OUT/$tool" && mkdir -p "$OUT/$tool"
		if [[ $tool == thumbs ]]; then
			cmd=("$THUMBS" resize --progress never -j "$JOBS" -s "$SIZE" -q 85 -o "$OUT/thumbs" "$SET")
		else
			cmd=(xargs -a "$OUT/list" -d '\n' -P "$JOBS" -n 3 vipsthumbnail -s "$SIZE" -o "$OUT/vips/%s.jpg[Q=85]")
		fi
		/usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "${cmd[@]}" >/dev/null 2>"$OUT/stderr" || die "$tool failed: $(tail -3 "$OUT/stderr")"
		read -r wall user sys rss <"$OUT/time"
		printf '%s\t%s\t%s\t%s\n' "$tool" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" "$rss" >>"$OUT/runs.tsv"
	done
done

col() { awk -F'\t' -v t="$1" -v c="$2" '$1 == t {print $c}' "$OUT/runs.tsv" | median; }
mp=$(identify -format '%w %h\n' "${files[@]}" 2>/dev/null | awk '{s += $1 * $2} END {printf "%.0f", s / 1e6}')
echo "## $FORMAT photos: ${#files[@]} distinct files, $mp MP, ${SIZE} px box, JPEG q85, $JOBS in parallel, $RUNS interleaved runs (medians)"
echo
echo "| tool | wall s | CPU s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
for tool in thumbs vips; do
	printf '| %s | %s | %s | %.1f |\n' "$tool" "$(col "$tool" 2)" "$(col "$tool" 3)" "$(awk -v k="$(col "$tool" 4)" 'BEGIN {print k / 1024}')"
done
echo
echo "thumbs/vipsthumbnail wall: $(awk -v t="$(col thumbs 2)" -v v="$(col vips 2)" 'BEGIN {printf "%.2f", t / v}')×"
