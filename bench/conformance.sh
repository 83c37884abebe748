#!/usr/bin/env bash
# bench/conformance.sh: does thumbs read every image its peers read, and does
# it read it right? `CONFORMANCE_DIR=DIR make conformance` runs it after
# `make build`. DIR holds one folder per corpus of test images (public
# decoder test suites; BENCHMARKS.md says which and where they come from);
# nothing is downloaded here.
#
# For every file with an image extension (.png .jpg .jpeg .gif .bmp .tif
# .tiff .webp .heic .heif .avif, any case) in each corpus:
#   thumbs   one `thumbs -s SIZE -f png --keep-going --json` run per corpus;
#            a file the batch run gives no result for (the run timed out)
#            is run alone, under `timeout TIMEOUT`;
#   vips     `vipsthumbnail FILE -s SIZExSIZE>` (no upscaling, as thumbs);
#   magick   the reference: ImageMagick decodes the first frame at full
#            resolution, `-auto-orient -colorspace sRGB -filter Lanczos
#            -resize WxH!` to exactly the size of thumbs' thumbnail (and
#            once more at vips' size when vips chose another size); stored
#            samples are taken as sRGB (a PNG's gAMA 1.0 is not applied),
#            as thumbs and vips do;
# then bench/psnr -ref compares each thumbnail with its reference: PSNR over
# R, G and B, both images flattened onto white first.
#
# A file is "read" by a tool when the tool wrote a thumbnail (vips and
# ImageMagick also count when they warned on the way). Each peer runs under
# `timeout TIMEOUT` per file, JOBS at a time.
#
# Writes bench/out/conformance.md (the report, also printed) and
# bench/out/conformance.tsv (one row per file); the work files are in
# bench/out/conformance/.
#
# Environment:
#   CONFORMANCE_DIR   folder of corpora (required)
#   JOBS=$(nproc)     thumbs -j, xargs -P
#   SIZE=128          box size in px
#   TIMEOUT=60        seconds per file for each peer (and thumbs alone)
#   INSTALL=1         0: never apt-get install; fail if something is missing
#   REUSE=0           1: keep vipsthumbnail's thumbnails and ImageMagick's
#                     references from the last run on the same corpora, and
#                     run the peers again only for files whose thumbnail from
#                     thumbs changed size: for measuring a change to thumbs
#   BENCH_OUT=bench/out
#   THUMBS=bin/thumbs
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh

die() { echo "conformance.sh: error: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

JOBS=${JOBS:-$(nproc)}
SIZE=${SIZE:-128}
TIMEOUT=${TIMEOUT:-60}
INSTALL=${INSTALL:-1}
REUSE=${REUSE:-0}
for v in JOBS SIZE TIMEOUT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a whole number of at least 1, not '${!v}'"
done
[[ -n ${CONFORMANCE_DIR:-} ]] || die "set CONFORMANCE_DIR to a folder with one folder per corpus"
[[ -d $CONFORMANCE_DIR ]] || die "CONFORMANCE_DIR $CONFORMANCE_DIR is not a directory"
CORPORA=$(realpath -- "$CONFORMANCE_DIR")
BENCH_OUT=$(realpath -m -- "${BENCH_OUT:-bench/out}")
THUMBS=$(realpath -m -- "${THUMBS:-bin/thumbs}")
WORK=$BENCH_OUT/conformance
[[ -x $THUMBS ]] || die "$THUMBS is missing or not executable: run 'make build' first"
command -v go >/dev/null || die "go is needed for bench/psnr and bench/conformance"
case $WORK/ in "$CORPORA"/*) die "BENCH_OUT $BENCH_OUT is inside CONFORMANCE_DIR: thumbs refuses sources inside its output" ;; esac

# ---------------------------------------------------------------- install
missing=()
command -v vipsthumbnail >/dev/null || missing+=(libvips-tools)
{ command -v convert && command -v identify; } >/dev/null || missing+=(imagemagick)
command -v timeout >/dev/null || missing+=(coreutils)
install_missing "${missing[@]}"

MARK=.thumbs-conformance # marks the work directory as made here, so it may be wiped
if [[ -e $WORK ]]; then
	[[ -e $WORK/$MARK ]] || die "$WORK exists and was not made by conformance.sh; not wiping it"
	if [[ $REUSE == 1 ]]; then
		[[ -s $WORK/files.tsv ]] || die "REUSE=1, but $WORK holds no earlier run"
		mv -- "$WORK/files.tsv" "$WORK/files.prev.tsv"
		rm -rf -- "$WORK"/{stage,thumbs,logs} "$WORK"/thumbs-*.jsonl
	else
		rm -rf -- "$WORK"
	fi
elif [[ $REUSE == 1 ]]; then
	die "REUSE=1, but there is no earlier run in $WORK"
fi
mkdir -p -- "$WORK"/{stage,thumbs,vips,ref,peers,logs}
: >"$WORK/$MARK"

# What is measured, named before anything runs: the tree may change during
# a long run.
COMMIT=$(git describe --always --dirty 2>/dev/null || echo unknown)
note "building bench/psnr and bench/conformance"
go build -o "$WORK/psnr" ./bench/psnr
go build -o "$WORK/report" ./bench/conformance

# ---------------------------------------------------------------- the files
# Each file gets a number and a staged symbolic link, STAGE/CORPUS/N.ext:
# the tools see short, unique, harmless names (no clashes between a.png and
# a.jpg, no brackets for vips or ImageMagick to parse), and every output is
# named N.png.
note "listing the corpora in $CORPORA"
FILES=$WORK/files.tsv
printf 'id\tcorpus\tfile\n' >"$FILES"
declare -a CORPUS_NAMES=()
id=0
skipped=0
while IFS= read -r -d '' dir; do
	corpus=${dir##*/}
	CORPUS_NAMES+=("$corpus")
	mkdir -p -- "$WORK/stage/$corpus" "$WORK/thumbs/$corpus"
	while IFS= read -r -d '' f; do
		rel=${f#"$dir"/}
		if [[ $rel == *$'\t'* || $rel == *$'\n'* ]]; then
			skipped=$((skipped + 1))
			continue
		fi
		id=$((id + 1))
		n=$(printf '%06d' "$id")
		ext=${f##*.}
		ln -s -- "$f" "$WORK/stage/$corpus/$n.$ext"
		printf '%s\t%s\t%s\n' "$n" "$corpus" "$rel" >>"$FILES"
	done < <(find "$dir" -type f -regextype posix-extended \
		-iregex '.*\.(png|jpe?g|gif|bmp|tiff?|webp|heic|heif|avif)' -print0 | LC_ALL=C sort -z)
done < <(find "$CORPORA" -mindepth 1 -maxdepth 1 -type d -not -name '.*' -print0 | LC_ALL=C sort -z)
((id > 0)) || die "no image files in the corpora under $CORPORA"
((skipped == 0)) || note "$skipped files with a tab or newline in their name left out"
note "${#CORPUS_NAMES[@]} corpora, $id files"
if [[ $REUSE == 1 ]]; then
	cmp -s "$FILES" "$WORK/files.prev.tsv" || die "REUSE=1, but the corpora are not those of the last run; run without REUSE"
	rm -f -- "$WORK/files.prev.tsv"
fi

# ---------------------------------------------------------------- thumbs
# One batch run per corpus, bounded in time; files the batch run left
# without a result are then run one at a time under `timeout`.
for corpus in "${CORPUS_NAMES[@]}"; do
	stage=$WORK/stage/$corpus
	n=$(find "$stage" -mindepth 1 -maxdepth 1 | wc -l)
	((n > 0)) || continue
	note "[$corpus] thumbs on $n files"
	jsonl=$WORK/thumbs-$corpus.jsonl
	timeout $((TIMEOUT + 5 * n)) "$THUMBS" resize --progress never -j "$JOBS" -s "$SIZE" -f png \
		--keep-going --json -o "$WORK/thumbs/$corpus" "$stage" \
		>"$jsonl" 2>"$WORK/logs/thumbs-$corpus.log" || true
	for f in "$stage"/*; do
		grep -qF "\"src\":\"$f\"" "$jsonl" && continue
		note "[$corpus] thumbs alone on ${f##*/} (no result from the batch run)"
		timeout "$TIMEOUT" "$THUMBS" resize --progress never -s "$SIZE" -f png --json \
			-o "$WORK/thumbs/$corpus" "$f" >>"$jsonl" 2>>"$WORK/logs/thumbs-$corpus.log" || true
	done
done

# ---------------------------------------------------------------- peers
# peer_file ID CORPUS STAGED: vipsthumbnail, then ImageMagick's reference(s)
# for one file; writes WORK/peers/ID.tsv (ID, vips ok, magick ok, vips error,
# magick error). With REUSE=1, a file whose reference still has the size of
# thumbs' thumbnail is left as the last run made it.
peer_file() {
	local id=$1 corpus=$2 src=$3
	local vout=$WORK/vips/$id.png tout=$WORK/thumbs/$corpus/$id.png
	local ref=$WORK/ref/$id.png vref=$WORK/ref/$id-vips.png
	local vok=0 mok=0 verr="" merr="" tsize="" vsize="" rc
	if [[ $REUSE == 1 && -s $WORK/peers/$id.tsv ]]; then
		if [[ ! -s $tout || ! -s $ref ]] || [[ $(png_size "$tout") == "$(png_size "$ref")" ]]; then
			return
		fi
	fi
	rc=0
	timeout "$TIMEOUT" vipsthumbnail "$src" -s "${SIZE}x${SIZE}>" -o "$vout" 2>"$WORK/peers/$id.vips" || rc=$?
	if [[ -s $vout ]]; then vok=1; fi
	verr=$(errline "$WORK/peers/$id.vips" "$rc")
	[[ -s $tout ]] && tsize=$(png_size "$tout")
	((vok)) && vsize=$(png_size "$vout")
	# The reference is made at thumbs' size; with no thumbnail from thumbs,
	# at vips' size; with neither, only to learn whether ImageMagick reads it.
	local size=${tsize:-$vsize}
	# ImageMagick reads a PNG whose gAMA is 1.0 as linear RGB (or LinearGray),
	# and -colorspace sRGB would then brighten it. thumbs, vips, Go and
	# Pillow give the stored samples, unconverted; so does the reference:
	# such a PNG is relabelled sRGB first.
	local -a relabel=()
	case $(identify -ping -format '%[colorspace]' "$src[0]" 2>/dev/null) in
	RGB | LinearGray) relabel=(-set colorspace sRGB) ;;
	esac
	local geometry="${SIZE}x${SIZE}>"
	[[ -n $size ]] && geometry="${size/ /x}!"
	rc=0
	MAGICK_THREAD_LIMIT=1 timeout "$TIMEOUT" convert "$src[0]" "${relabel[@]}" -auto-orient -colorspace sRGB \
		-filter Lanczos -resize "$geometry" "PNG32:$ref" 2>"$WORK/peers/$id.magick" || rc=$?
	if [[ -s $ref ]]; then mok=1; fi
	merr=$(errline "$WORK/peers/$id.magick" "$rc")
	rm -f -- "$vref"
	if ((mok)) && [[ -n $vsize && -n $tsize && $vsize != "$tsize" ]]; then
		MAGICK_THREAD_LIMIT=1 timeout "$TIMEOUT" convert "$src[0]" "${relabel[@]}" -auto-orient -colorspace sRGB \
			-filter Lanczos -resize "${vsize/ /x}!" "PNG32:$vref" 2>/dev/null || rm -f -- "$vref"
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$vok" "$mok" "$verr" "$merr" >"$WORK/peers/$id.tsv"
}

# errline LOG STATUS: why a peer failed, on one line: a timeout, or the
# last line it printed.
errline() {
	if [[ $2 == 124 ]]; then
		echo "timeout after $TIMEOUT s"
		return
	fi
	[[ $2 == 0 ]] && return
	local last
	last=$(grep -v '^[[:space:]]*$' "$1" | tail -1 | tr '\t\r' '  ' | cut -c1-300)
	echo "${last:-exit status $2}"
}

# png_size FILE: "W H" from the PNG's IHDR chunk.
png_size() {
	local -a b
	read -r -a b < <(od -An -tu1 -j16 -N8 -- "$1")
	echo "$(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3])) $(((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]))"
}
# pairs ID CORPUS: the reference and thumbnail pairs of one file for
# bench/psnr, each thumbnail with a reference of its own size.
pairs() {
	local id=$1 corpus=$2
	local ref=$WORK/ref/$id.png vref=$WORK/ref/$id-vips.png
	local tout=$WORK/thumbs/$corpus/$id.png vout=$WORK/vips/$id.png
	[[ -s $ref ]] || return 0
	local rsize
	rsize=$(png_size "$ref")
	if [[ -s $tout ]]; then printf '%s\t%s\n' "$ref" "$tout"; fi
	if [[ -s $vout ]]; then
		if [[ -s $vref ]]; then
			printf '%s\t%s\n' "$vref" "$vout"
		elif [[ $(png_size "$vout") == "$rsize" ]]; then
			printf '%s\t%s\n' "$ref" "$vout"
		fi
	fi
}
export -f peer_file errline png_size
export WORK SIZE TIMEOUT REUSE

note "vipsthumbnail and ImageMagick on $id files, $JOBS at a time"
tail -n +2 "$FILES" | while IFS=$'\t' read -r n corpus rel; do
	f=("$WORK/stage/$corpus/$n".*)
	printf '%s\0%s\0%s\0' "$n" "$corpus" "${f[0]}"
done | xargs -0 -n 3 -P "$JOBS" bash -c 'peer_file "$@"' _

# ---------------------------------------------------------------- compare
note "comparing with the references"
printf 'id\tvips_ok\tmagick_ok\tvips_error\tmagick_error\n' >"$WORK/peers.tsv"
find "$WORK/peers" -name '*.tsv' -print0 | LC_ALL=C sort -z | xargs -0 cat >>"$WORK/peers.tsv"
tail -n +2 "$FILES" | while IFS=$'\t' read -r n corpus rel; do pairs "$n" "$corpus"; done >"$WORK/pairs.tsv"
"$WORK/psnr" -ref -each -j "$JOBS" -pairs-file "$WORK/pairs.tsv" >"$WORK/psnr.tsv"

"$WORK/report" -work "$WORK" -size "$SIZE" -commit "$COMMIT" -md "$BENCH_OUT/conformance.md" -tsv "$BENCH_OUT/conformance.tsv"
cat "$BENCH_OUT/conformance.md"
