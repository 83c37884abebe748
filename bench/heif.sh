#!/usr/bin/env bash
# bench/heif.sh: HEIC and AVIF, thumbs against vipsthumbnail, as phones'
# photo folders hold them.
#
# Makes two sets from the ten distinct wallpapers named in SOURCES below
# (4.1-9.2 MP, from the Debian packages mate-backgrounds and ukui-wallpapers,
# /usr/share/backgrounds):
#   heic: heif-enc -q 70 -t 320, a 320 px thumbnail item in each, as phones
#         write them;
#   avif: avifenc -s 9 --min 20 --max 30 (no thumbnail item);
#   heicgrid: as phones store photos, the primary item a grid of 512x512
#         HEVC tiles (tools/heicgrid: each tile heif-enc -q 70, the grid's
#         output size cropping the last column and row), with a 320 px
#         thumbnail item.
# Then measures, ROUNDS times each, thumbs and vipsthumbnail taking turns:
#   start-up: thumbs -s 256 on one small HEIC (testdata photo.heic, 256x170)
#         with an empty compilation cache and with a warm one, and on the
#         same picture as JPEG (hyperfine, RUNS runs);
#   runs: the whole set at SIZES (256: from the thumbnail items; 640 and
#         1024: from the primary images; AVIF at 256 only), thumbs (2
#         workers, PNG) against
#         `xargs -P 2 -n 3 vipsthumbnail`: wall time and peak RSS (GNU
#         time), medians;
#   fidelity: RGB PSNR of both tools' PNG thumbnails against ImageMagick's
#         full-resolution Lanczos resize to thumbs' size (bench/psnr -ref),
#         means.
# THUMBS_BEFORE=path adds another thumbs build to every measurement. The
# compilation cache is XDG_CACHE_HOME under the work directory, so that the
# user's own is not touched.
#
# Environment: ROUNDS=5, RUNS=10, SIZES="256 640", SETS="heic avif",
# (SETS="heicgrid" SIZES="640 1024" for the grids),
# BENCH_OUT=bench/out, THUMBS=bin/thumbs, THUMBS_BEFORE=, INSTALL=1.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh

die() { echo "heif.sh: error: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

ROUNDS=${ROUNDS:-5}
RUNS=${RUNS:-10}
SIZES=${SIZES:-256 640}
SETS=${SETS:-heic avif}
BENCH_OUT=$(realpath -m -- "${BENCH_OUT:-bench/out}")
THUMBS=$(realpath -m -- "${THUMBS:-bin/thumbs}")
WORK=$BENCH_OUT/heif
[[ -x $THUMBS ]] || die "$THUMBS is missing: run 'make build' first"
[[ -z ${THUMBS_BEFORE:-} || -x $THUMBS_BEFORE ]] || die "THUMBS_BEFORE $THUMBS_BEFORE is not executable"

need=()
command -v heif-enc >/dev/null || need+=(libheif-examples)
[[ " $SETS " != *" avif "* ]] || command -v avifenc >/dev/null || need+=(libavif-bin)
command -v vipsthumbnail >/dev/null || need+=(libvips-tools)
command -v hyperfine >/dev/null || need+=(hyperfine)
[[ -x /usr/bin/convert ]] || need+=(imagemagick)
[[ -x /usr/bin/time ]] || need+=(time)
[[ -d /usr/share/backgrounds/mate ]] || need+=(mate-backgrounds)
[[ -f /usr/share/backgrounds/string.jpg ]] || need+=(ukui-wallpapers)
install_missing "${need[@]}"

SOURCES=(string the-mouse rhythm 2004default firstgeneration Elephants_3840x2160 LadyBird Garden TwoWings Wood)
mkdir -p "$WORK"/{heic,avif,heicgrid}
heicgrid=$WORK/heicgrid-tool
[[ " $SETS " != *" heicgrid "* ]] || go build -o "$heicgrid" ./tools/heicgrid
for name in "${SOURCES[@]}"; do
	src=$(find /usr/share/backgrounds -name "$name.jpg" -print -quit)
	[[ -n $src ]] || die "no $name.jpg under /usr/share/backgrounds"
	[[ " $SETS " != *" heic "* || -f $WORK/heic/$name.heic ]] || echo "heif-enc -q 70 -t 320 '$src' -o '$WORK/heic/$name.heic' >/dev/null"
	[[ " $SETS " != *" avif "* || -f $WORK/avif/$name.avif ]] || echo "avifenc -s 9 -j 1 --min 20 --max 30 '$src' '$WORK/avif/$name.avif' >/dev/null"
	[[ " $SETS " != *" heicgrid "* || -f $WORK/heicgrid/$name.heic ]] ||
		echo "'$heicgrid' -tile 512 -q 70 -thumb 320 -o '$WORK/heicgrid/$name.heic' '$src'"
done | xargs -r -P 2 -I{} sh -c '{}'

tools=(after)
[[ -n ${THUMBS_BEFORE:-} ]] && tools=(before after)
bin() { if [[ $1 == before ]]; then echo "$THUMBS_BEFORE"; else echo "$THUMBS"; fi; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

note "start-up"
cp internal/decode/testdata/photo.heic "$WORK/one.heic"
/usr/bin/convert "$WORK/one.heic" -quality 95 "$WORK/one.jpg"
warm=$WORK/cache-warm
rm -rf "$warm"
XDG_CACHE_HOME=$warm "$THUMBS" -s 256 --progress never -o "$WORK/o" "$WORK/one.heic" >/dev/null
hf=(hyperfine -N -w 1 -r "$RUNS" --export-markdown "$WORK/startup.md")
[[ -n ${THUMBS_BEFORE:-} ]] && hf+=(-p "rm -rf $WORK/o" -n "before (no cache)"
	"env XDG_CACHE_HOME=$WORK/cache-none $THUMBS_BEFORE -s 256 --progress never -o $WORK/o $WORK/one.heic")
hf+=(-p "rm -rf $WORK/o $WORK/cache-cold" -n "cold cache"
	"env XDG_CACHE_HOME=$WORK/cache-cold $THUMBS -s 256 --progress never -o $WORK/o $WORK/one.heic")
hf+=(-p "rm -rf $WORK/o" -n "warm cache"
	"env XDG_CACHE_HOME=$warm $THUMBS -s 256 --progress never -o $WORK/o $WORK/one.heic")
hf+=(-p "rm -rf $WORK/o" -n "the same picture as JPEG"
	"$THUMBS -s 256 --progress never -o $WORK/o $WORK/one.jpg")
"${hf[@]}" >&2

report=$BENCH_OUT/heif.md
{
	echo "## HEIC and AVIF, 10 photos each, thumbs against vipsthumbnail ($(date -u +%Y-%m-%d))"
	echo
	echo "Start-up: thumbs -s 256 on one 256x170 HEIC (hyperfine, $RUNS runs):"
	echo
	cat "$WORK/startup.md"
	echo
	echo "| set | box | tool | median wall s | median peak RSS MiB | wall vs vips | RGB PSNR dB (mean) |"
	echo "|---|---:|---|---:|---:|---:|---:|"
} >"$report"

for set in $SETS; do
	for size in $SIZES; do
		[[ $set == avif && $size != 256 ]] && continue
		note "$set at $size px, $ROUNDS rounds"
		declare -A wall=() rss=()
		for _ in $(seq "$ROUNDS"); do
			for tool in "${tools[@]}" vips; do
				out=$WORK/out-$set-$size-$tool
				rm -rf "$out" && mkdir -p "$out"
				if [[ $tool == vips ]]; then
					cmd=(sh -c "ls '$WORK/$set'/* | xargs -P 2 -n 3 vipsthumbnail -s $size -o '$out/%s.png' 2>/dev/null")
				else
					cmd=(env XDG_CACHE_HOME="$warm" "$(bin "$tool")" -s "$size" -f png --progress never -o "$out" "$WORK/$set")
				fi
				line=$( { /usr/bin/time -f 'T %e %M' "${cmd[@]}" >/dev/null; } 2>&1 | grep '^T ')
				wall[$tool]+="$(awk '{print $2}' <<<"$line") "
				rss[$tool]+="$(awk '{printf "%.0f", $3/1024}' <<<"$line") "
			done
		done
		note "$set at $size px: fidelity"
		ref=$WORK/ref-$set-$size
		mkdir -p "$ref"
		declare -A db=()
		for tool in "${tools[@]}" vips; do
			pairs=()
			for f in "$WORK/$set"/*; do
				stem=$(basename "${f%.*}")
				t=$WORK/out-$set-$size-after/$stem.png
				size_wh=$(/usr/bin/identify -format '%wx%h' "$t")
				[[ -f $ref/$stem-$size_wh.png ]] ||
					/usr/bin/convert "$f" -colorspace sRGB -filter Lanczos -resize "$size_wh!" "$ref/$stem-$size_wh.png"
				o=$WORK/out-$set-$size-$tool/$stem.png
				[[ $(/usr/bin/identify -format '%wx%h' "$o") == "$size_wh" ]] ||
					/usr/bin/convert "$o" -filter Lanczos -resize "$size_wh!" "$o"
				pairs+=("$ref/$stem-$size_wh.png" "$o")
			done
			db[$tool]=$(go run ./bench/psnr -ref -pairs "${pairs[@]}" | awk '$1 == "pairs" {print $5}')
		done
		vw=$(tr ' ' '\n' <<<"${wall[vips]}" | grep . | median)
		for tool in "${tools[@]}" vips; do
			w=$(tr ' ' '\n' <<<"${wall[$tool]}" | grep . | median)
			m=$(tr ' ' '\n' <<<"${rss[$tool]}" | grep . | median)
			name=$tool
			[[ $tool == after ]] && name=thumbs
			[[ $tool == before ]] && name="thumbs (before)"
			[[ $tool == vips ]] && name=vipsthumbnail
			printf '| %s | %s | %s | %s (%s) | %s | %.2f | %s |\n' "$set" "$size" "$name" "$w" "${wall[$tool]% }" "$m" \
				"$(awk -v a="$w" -v b="$vw" 'BEGIN {print a / b}')" "${db[$tool]}" >>"$report"
		done
		unset wall rss db
	done
done
cat "$report"
