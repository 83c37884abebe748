#!/usr/bin/env bash
# bench/sets.sh: thumbs against vipsthumbnail on a set of photos in one
# format (FORMAT=png, webp or webpalpha), 256 px box, JPEG output at
# quality 85, both tools on the same cores, interleaved runs.
#
# The set: every distinct JPEG photo under /usr/share/backgrounds (by
# SHA-256; Debian installs one picture under several names) converted by
# ImageMagick (`convert x.jpg x.png`, or `convert x.jpg -quality 85 x.webp`
# for lossy WebP through libwebp), and the two largest 3840x2400 ones
# also enlarged to 7680x4800 (`-resize 200%`), so that the set holds
# pictures of over 6000x4000. It is made once into $SET. FORMAT=webpalpha
# makes lossy WebPs with alpha: each photo given an elliptical alpha
# mask that fades out to its edges, the corners fully transparent
# (`convert x.jpg \( -size WxH radial-gradient:white-black -level 0,75% \)
# -alpha off -compose CopyOpacity -composite x.pam`), then `cwebp -q 85`.
#
# Each run: thumbs resize -j JOBS over the set, and vipsthumbnail through
# `xargs -P JOBS -n 3`, each into an emptied directory, timed by GNU time
# (wall, user+sys of every child, peak RSS of the largest process). Prints
# the medians, and the wall-time ratio thumbs/vips, as Markdown. With
# THUMBS_BEFORE, another thumbs binary runs too, interleaved with the
# others, as "before".
#
# Environment (all optional):
#   FORMAT=png  RUNS=5  JOBS=$(nproc)  SIZE=256
#   SET=bench/out/$FORMAT-set   THUMBS=bin/thumbs   THUMBS_BEFORE=   INSTALL=1
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

die() { echo "sets.sh: error: $*" >&2; exit 1; }

FORMAT=${FORMAT:-png}
case $FORMAT in
png) convert_opts=() ;;
webp) convert_opts=(-quality 85) ;;
webpalpha) convert_opts=() ;;
*) die "FORMAT must be png, webp or webpalpha, not '$FORMAT'" ;;
esac
# ext is the files' extension; FORMAT=webpalpha goes through a PAM.
ext=${FORMAT%alpha}
# make_file SRC DST [CONVERT_OPTS...] writes the set's file DST from SRC.
make_file() {
	local src=$1 dst=$2
	shift 2
	if [[ $FORMAT == webpalpha ]]; then
		local pam=${dst%.webp}.pam
		/usr/bin/convert "$src" "$@" "$pam" &&
			/usr/bin/convert "$pam" \( -size "$(identify -format '%wx%h' "$pam")" radial-gradient:white-black -level 0,75% \) \
				-alpha off -compose CopyOpacity -composite "$pam" &&
			cwebp -quiet -q 85 "$pam" -o "$dst" && rm -f -- "$pam"
	else
		/usr/bin/convert "$src" "$@" "${convert_opts[@]}" "$dst"
	fi
}

RUNS=${RUNS:-5}
JOBS=${JOBS:-$(nproc)}
SIZE=${SIZE:-256}
SET=$(realpath -m -- "${SET:-bench/out/$FORMAT-set}")
THUMBS=$(realpath -m -- "${THUMBS:-bin/thumbs}")
OUT=$(realpath -m -- "${BENCH_OUT:-bench/out}")/$FORMAT
[[ -x $THUMBS ]] || die "$THUMBS is missing: run 'make build' first"
tools=(thumbs vips)
if [[ -n ${THUMBS_BEFORE:-} ]]; then
	THUMBS_BEFORE=$(realpath -m -- "$THUMBS_BEFORE")
	[[ -x $THUMBS_BEFORE ]] || die "$THUMBS_BEFORE is missing"
	tools=(before thumbs vips)
fi

missing=()
[[ -x /usr/bin/convert ]] || missing+=(imagemagick)
command -v vipsthumbnail >/dev/null || missing+=(libvips-tools)
[[ -x /usr/bin/time ]] || missing+=(time)
[[ -d /usr/share/backgrounds/mate ]] || missing+=(mate-backgrounds)
[[ $FORMAT != webpalpha ]] || command -v cwebp >/dev/null || missing+=(webp)
install_missing "${missing[@]}"

if [[ ! -f $SET/.complete ]]; then
	echo "== making the $FORMAT set in $SET" >&2
	rm -rf "$SET" && mkdir -p "$SET"
	declare -A seen=()
	originals=()
	n=0
	while IFS= read -r -d '' f; do
		sum=$(sha256sum -- "$f" | cut -c1-64)
		[[ -n ${seen[$sum]:-} ]] && continue
		seen[$sum]=1
		n=$((n + 1))
		stem=$(basename -- "${f%.*}")
		make_file "$f" "$SET/$(printf %02d "$n")-${stem//[^A-Za-z0-9._-]/_}.$ext" 2>/dev/null
		originals[$n]=$f
	done < <(find /usr/share/backgrounds -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) -print0 | sort -z)
	big=0
	for f in $(identify -format '%w %h %i\n' "$SET"/*."$ext" 2>/dev/null | awk '$1 == 3840 && $2 == 2400 {print $3}' | head -2); do
		big=$((big + 1))
		# From the original JPEG: a vignette is not to be enlarged.
		n=$(basename -- "$f")
		make_file "${originals[$((10#${n%%-*}))]}" "$SET/9$big-$(basename -- "${f%."$ext"}")-x2.$ext" -resize 200%
	done
	touch "$SET/.complete"
fi
mapfile -t files < <(find "$SET" -name "*.$ext" | sort)
((${#files[@]})) || die "no $ext files in $SET"
mkdir -p "$OUT"
printf '%s\n' "${files[@]}" >"$OUT/list"
cat "${files[@]}" >/dev/null # into the page cache

median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
: >"$OUT/runs.tsv"
for ((r = 1; r <= RUNS; r++)); do
	for tool in "${tools[@]}"; do
		rm -rf "$OUT/$tool" && mkdir -p "$OUT/$tool"
		if [[ $tool == thumbs ]]; then
			cmd=("$THUMBS" resize --progress never -j "$JOBS" -s "$SIZE" -q 85 -o "$OUT/thumbs" "$SET")
		elif [[ $tool == before ]]; then
			cmd=("$THUMBS_BEFORE" resize --progress never -j "$JOBS" -s "$SIZE" -q 85 -o "$OUT/before" "$SET")
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
for tool in "${tools[@]}"; do
	printf '| %s | %s | %s | %.1f |\n' "$tool" "$(col "$tool" 2)" "$(col "$tool" 3)" "$(awk -v k="$(col "$tool" 4)" 'BEGIN {print k / 1024}')"
done
echo
echo "thumbs/vipsthumbnail wall: $(awk -v t="$(col thumbs 2)" -v v="$(col vips 2)" 'BEGIN {printf "%.2f", t / v}')×"
