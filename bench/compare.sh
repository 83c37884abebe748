#!/usr/bin/env bash
# bench/compare.sh: thumbs against vipsthumbnail and ImageMagick's mogrify on
# the same photos, the same cores, a 256 px box and JPEG quality 85.
# `make bench` runs it after `make build`; it can also be run by hand from
# any directory. It prints a Markdown report and writes it to
# bench/out/results.md (raw per-run numbers go to bench/out/runs.tsv).
#
# Environment (all optional):
#   RUNS=5          timed runs of each tool, interleaved (thumbs, vips, magick, thumbs, ...)
#   WARMUP=1        untimed rounds first (page cache, shared libraries); 0 to skip
#   LIMIT=0         use only the first N photos (sorted by path); 0 = all
#   JOBS=$(nproc)   parallelism: thumbs -j, xargs -P
#   BATCH=8         files per vipsthumbnail / mogrify invocation (xargs -n)
#   SIZE=256        box size in px;  QUALITY=85  JPEG quality
#   SRC=/usr/share/backgrounds   where the photos come from
#   BENCH_OUT=bench/out          results, logs and thumbnails
#   CORPUS=$BENCH_OUT/corpus-jpeg            flattened JPEG corpus (rebuilt each run)
#   CORPUS_FORMATS=$BENCH_OUT/corpus-formats flattened PNG+WebP corpus (FORMATS=1)
#   FORMATS=0       1: also benchmark a PNG+WebP corpus (outputs JPEG, alpha on white)
#   INSTALL=1       0: never apt-get install; fail if something is missing
#   HYPERFINE=0     1: also run hyperfine (not interleaved) as a cross-check
#   THUMBS=bin/thumbs
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh
ROOT=$PWD

die() { echo "compare.sh: error: $*" >&2; exit 1; }
warn() { echo "compare.sh: warning: $*" >&2; }
note() { echo "== $*" >&2; }

uint() { # name value: value must be an unsigned integer
	[[ $2 =~ ^[0-9]+$ ]] || die "$1 must be a whole number, not '$2'"
}

RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
LIMIT=${LIMIT:-0}
JOBS=${JOBS:-$(nproc)}
BATCH=${BATCH:-8}
SIZE=${SIZE:-256}
QUALITY=${QUALITY:-85}
FORMATS=${FORMATS:-0}
INSTALL=${INSTALL:-1}
HYPERFINE=${HYPERFINE:-0}
SRC=${SRC:-/usr/share/backgrounds}
THUMBS=${THUMBS:-bin/thumbs}
for v in RUNS WARMUP LIMIT JOBS BATCH SIZE QUALITY; do uint "$v" "${!v}"; done
((RUNS >= 1)) || die "RUNS must be at least 1"
((JOBS >= 1 && BATCH >= 1 && SIZE >= 1)) || die "JOBS, BATCH and SIZE must be at least 1"
((QUALITY >= 1 && QUALITY <= 100)) || die "QUALITY must be 1-100"

abspath() { realpath -m -- "$1"; }
BENCH_OUT=$(abspath "${BENCH_OUT:-bench/out}")
CORPUS=$(abspath "${CORPUS:-$BENCH_OUT/corpus-jpeg}")
CORPUS_FORMATS=$(abspath "${CORPUS_FORMATS:-$BENCH_OUT/corpus-formats}")
THUMBS=$(abspath "$THUMBS")
SRC=$(abspath "$SRC")

[[ -x $THUMBS ]] || die "$THUMBS is missing or not executable: run 'make build' first"
command -v go >/dev/null || die "go is needed for the PSNR tool (bench/psnr)"

# ---------------------------------------------------------------- 1. install
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=()
{ command -v vipsthumbnail && command -v vipsheader && command -v vips; } >/dev/null || missing+=(libvips-tools)
command -v mogrify >/dev/null || missing+=(imagemagick)
[[ -x /usr/bin/time ]] || missing+=(time)
if [[ $HYPERFINE == 1 ]] && ! command -v hyperfine >/dev/null; then missing+=(hyperfine); fi
if [[ $SRC == /usr/share/backgrounds ]]; then
	corpus_pkgs=(mate-backgrounds ukui-wallpapers)
	[[ $FORMATS == 1 ]] && corpus_pkgs+=(gnome-backgrounds)
	if command -v dpkg-query >/dev/null; then
		for p in "${corpus_pkgs[@]}"; do pkg_installed "$p" || missing+=("$p"); done
	fi
fi
install_missing "${missing[@]}"
[[ -d $SRC ]] || die "no photo directory $SRC"

# ---------------------------------------------------------------- helpers
MARK=.thumbs-bench-corpus # marks a directory this script built and may wipe

# fresh_dir DIR: empty DIR, refusing to wipe a non-empty directory not made here.
fresh_dir() {
	local d=$1
	if [[ -e $d ]]; then
		[[ -d $d ]] || die "$d exists and is not a directory"
		if [[ -n $(ls -A "$d") && ! -e $d/$MARK ]]; then
			die "$d is not empty and was not made by compare.sh; not wiping it (set another path)"
		fi
		rm -rf -- "$d"
	fi
	mkdir -p -- "$d"
	: >"$d/$MARK"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# shquote ARG...: the arguments as one copy-pasteable shell command line.
shquote() {
	local a out=()
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]]; then out+=("$a"); else out+=("'${a//\'/\'\\\'\'}'"); fi
	done
	echo "${out[*]}"
}
maxof() { printf '%s\n' "$@" | sort -g | tail -1; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); } # bash 5: microseconds -> ms

# build_corpus DIR LISTFILE EXT...: copy the photos under $SRC with those
# extensions (any case) into DIR, flattened to unique names, so that every
# tool's outputs can be matched to their source by base name. Writes the
# NUL-separated file list to LISTFILE and sets CORPUS_N, CORPUS_MP, CORPUS_MIB.
build_corpus() {
	local dir=$1 list=$2
	shift 2
	local -a expr=()
	for e in "$@"; do expr+=(-o -iname "*.$e"); done
	local -a files
	mapfile -d '' files < <(find -L "$SRC" -type f \( "${expr[@]:1}" \) -print0 | LC_ALL=C sort -z)
	if ((LIMIT > 0 && ${#files[@]} > LIMIT)); then files=("${files[@]:0:LIMIT}"); fi
	((${#files[@]})) || die "no *.$* photos under $SRC"
	fresh_dir "$dir"
	: >"$list"
	local -A stems=()
	local f rel flat stem ext i w h px=0
	for f in "${files[@]}"; do
		rel=${f#"$SRC"/}
		flat=${rel//\//__} # mate/nature/Aqua.jpg -> mate__nature__Aqua.jpg
		stem=${flat%.*} ext=${flat##*.}
		i=2
		while [[ -n ${stems[$stem]:-} ]]; do stem=${flat%.*}-$i; i=$((i + 1)); done # a.png + a.webp
		stems[$stem]=1
		# A copy, not a hardlink: nothing here can then write into a system file.
		cp --reflink=auto -- "$f" "$dir/$stem.$ext"
		printf '%s\0' "$dir/$stem.$ext" >>"$list"
		w=$(vipsheader -f width "$dir/$stem.$ext" 2>/dev/null) && h=$(vipsheader -f height "$dir/$stem.$ext" 2>/dev/null) ||
			die "cannot read $f as an image (vipsheader); remove it or point SRC elsewhere"
		px=$((px + w * h))
	done
	CORPUS_N=${#files[@]}
	CORPUS_MP=$(awk -v px="$px" 'BEGIN {printf "%.1f", px / 1e6}')
	CORPUS_MIB=$(xargs -0 -a "$list" du -cb | tail -1 | awk '{printf "%.1f", $1 / 1048576}')
}

# ------------------------------------------------------------- the benchmark
RESULTS=$BENCH_OUT/results.md
RUNS_TSV=$BENCH_OUT/runs.tsv
mkdir -p "$BENCH_OUT"
rm -f "$RESULTS" # no stale report if this run fails
for d in "$BENCH_OUT"/jpeg "$BENCH_OUT"/formats; do # work dirs of an earlier run
	if [[ -e $d/$MARK ]]; then rm -rf -- "$d"; fi
done
: >"$RESULTS.tmp"
printf 'corpus\ttool\tround\twall_s\tuser_s\tsys_s\tmaxrss_kib\n' >"$RUNS_TSV"

TOOLS=(thumbs vips magick)
declare -A LABEL=([thumbs]="thumbs" [vips]="vipsthumbnail" [magick]="ImageMagick mogrify" [rerun]="thumbs re-run (all skipped)")

# bench_corpus NAME DIR EXT...: the whole measurement on one corpus.
bench_corpus() {
	local name=$1 corpus=$2
	shift 2
	local work=$BENCH_OUT/$name
	fresh_dir "$work"
	local list=$work/files.list
	note "[$name] building the corpus in $corpus"
	build_corpus "$corpus" "$list" "$@"
	note "[$name] $CORPUS_N photos, $CORPUS_MP MP, $CORPUS_MIB MiB"

	# The same output for everyone: JPEG; on the PNG/WebP corpus, transparency
	# flattened onto white (thumbs' default; vips would use black, IM keeps
	# the hidden colour).
	local thumbs_fmt=() vips_opt="" magick_alpha=()
	if [[ $name == formats ]]; then
		thumbs_fmt=(-f jpeg)
		vips_opt=",background=255"
		magick_alpha=(-background white -alpha remove)
	fi
	local -A OUTD CMD_STR
	local -a cmd_thumbs cmd_vips cmd_magick
	for t in "${TOOLS[@]}"; do OUTD[$t]=$work/out-$t; done
	cmd_thumbs=("$THUMBS" resize --progress never -j "$JOBS" -s "$SIZE" -q "$QUALITY" "${thumbs_fmt[@]}" -o "${OUTD[thumbs]}" "$corpus")
	cmd_vips=(xargs -0 -a "$list" -P "$JOBS" -n "$BATCH" vipsthumbnail -s "$SIZE" -o "${OUTD[vips]}/%s.jpg[Q=$QUALITY$vips_opt]")
	cmd_magick=(xargs -0 -a "$list" -P "$JOBS" -n "$BATCH" mogrify -path "${OUTD[magick]}" -format jpg -thumbnail "${SIZE}x${SIZE}" "${magick_alpha[@]}" -quality "$QUALITY")
	CMD_STR[thumbs]=$(shquote "${cmd_thumbs[@]}")
	CMD_STR[vips]=$(shquote "${cmd_vips[@]}")
	CMD_STR[magick]="MAGICK_THREAD_LIMIT=1 $(shquote "${cmd_magick[@]}")"

	# run TOOL ROUND: one run into a fresh output dir (ROUND 0 = warm-up, not
	# recorded; TOOL rerun = thumbs again over thumbs' existing output).
	local -A WALL CPU RSS
	run() {
		local tool=$1 round=$2 out log tf t0 t1 n
		local -a cmd env=()
		case $tool in
		thumbs | rerun) cmd=("${cmd_thumbs[@]}") out=${OUTD[thumbs]} ;;
		vips) cmd=("${cmd_vips[@]}") out=${OUTD[vips]} ;;
		magick) cmd=("${cmd_magick[@]}") out=${OUTD[magick]} env=(MAGICK_THREAD_LIMIT=1) ;;
		esac
		if [[ $tool != rerun ]]; then rm -rf -- "$out" && mkdir -p -- "$out"; fi
		log=$work/$tool-$round.log tf=$work/$tool-$round.time
		t0=$(now_ms)
		if ! env "${env[@]}" /usr/bin/time -f '%e %U %S %M' -o "$tf" "${cmd[@]}" >"$log" 2>&1; then
			tail -n 20 "$log" >&2
			die "[$name] ${LABEL[$tool]} failed (round $round; log $log; time: $(cat "$tf" 2>/dev/null | tr '\n' ' '))"
		fi
		t1=$(now_ms)
		n=$(find "$out" -type f -iname '*.jpg' ! -name '.*' | wc -l)
		((n == CORPUS_N)) || die "[$name] ${LABEL[$tool]} made $n JPEGs from $CORPUS_N photos (log $log)"
		if [[ $tool == rerun ]] && ! grep -q "0 ok, 0 failed, $CORPUS_N skipped" "$log"; then
			warn "[$name] the thumbs re-run did not skip everything: $(tail -n 1 "$log")"
		fi
		((round > 0)) || return 0
		local wall user sys rss
		wall=$(awk -v ms=$((t1 - t0)) 'BEGIN {printf "%.3f", ms / 1000}')
		read -r _ user sys rss < <(tail -n 1 "$tf")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$tool" "$round" "$wall" "$user" "$sys" "$rss" >>"$RUNS_TSV"
		WALL[$tool]+="$wall "
		CPU[$tool]+="$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}') "
		RSS[$tool]+="$rss "
		printf '   %-28s round %d: %7.3f s wall, %6.2f s user, %5.2f s sys, %6.1f MiB peak RSS\n' \
			"${LABEL[$tool]}" "$round" "$wall" "$user" "$sys" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" >&2
	}

	xargs -0 -a "$list" cat >/dev/null # sources into the page cache
	local r t
	for ((r = 1; r <= WARMUP; r++)); do
		note "[$name] warm-up round $r/$WARMUP (not timed)"
		for t in "${TOOLS[@]}"; do run "$t" 0; done
	done
	for ((r = 1; r <= RUNS; r++)); do
		note "[$name] round $r/$RUNS"
		for t in "${TOOLS[@]}"; do run "$t" "$r"; done
	done
	# thumbs' output from the last round is still there: re-run over it.
	note "[$name] thumbs re-runs over its own output (incremental: nothing to do)"
	for ((r = 1; r <= RUNS; r++)); do run rerun "$r"; done

	note "[$name] PSNR against Lanczos-resized full-resolution sources (go run ./bench/psnr)"
	local psnr_out=$work/psnr.tsv
	if ! go run ./bench/psnr -box "$SIZE" "$corpus" "${OUTD[thumbs]}" "${OUTD[vips]}" "${OUTD[magick]}" >"$psnr_out" 2>"$work/psnr.log"; then
		cat "$work/psnr.log" >&2
		die "[$name] the PSNR check failed (wrong size or missing thumbnails?)"
	fi
	local -A PMEAN PMIN PRGB PRGBMIN PWORST KIB SAMPLING
	for t in "${TOOLS[@]}"; do
		IFS=$'\t' read -r _ _ PMEAN[$t] PMIN[$t] PRGB[$t] PRGBMIN[$t] PWORST[$t] < <(awk -F'\t' -v d="${OUTD[$t]}" '$1 == d' "$psnr_out")
		KIB[$t]=$(find "${OUTD[$t]}" -type f -iname '*.jpg' ! -name '.*' -printf '%s\n' | awk '{b += $1} END {printf "%.0f", b / 1024}')
		SAMPLING[$t]=$(find "${OUTD[$t]}" -type f -iname '*.jpg' ! -name '.*' -exec identify -format '%[jpeg:sampling-factor]\n' {} + 2>/dev/null |
			sed 's/^2x2,1x1,1x1$/4:2:0/; s/^2x1,1x1,1x1$/4:2:2/; s/^1x1,1x1,1x1$/4:4:4/' | sort | uniq -c | awk '{printf "%s%s ×%d", (NR > 1 ? ", " : ""), $2, $1}')
	done

	if [[ $HYPERFINE == 1 ]]; then
		note "[$name] hyperfine cross-check ($RUNS runs per tool, not interleaved)"
		local -a prep=()
		for t in "${TOOLS[@]}"; do # one per command, in order: each empties only its own output
			prep+=(--prepare "rm -rf $(shquote "${OUTD[$t]}") && mkdir $(shquote "${OUTD[$t]}")")
		done
		hyperfine --style basic --runs "$RUNS" "${prep[@]}" --export-markdown "$work/hyperfine.md" \
			-n thumbs "${CMD_STR[thumbs]}" -n vipsthumbnail "${CMD_STR[vips]}" -n mogrify "${CMD_STR[magick]}" \
			>"$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log" >&2; die "[$name] hyperfine failed"; }
	fi

	# ---- the report
	local -A MWALL MCPU MRSS
	local -a a
	for t in "${TOOLS[@]}" rerun; do
		read -r -a a <<<"${WALL[$t]}"
		MWALL[$t]=$(median "${a[@]}")
		read -r -a a <<<"${CPU[$t]}"
		MCPU[$t]=$(median "${a[@]}")
		read -r -a a <<<"${RSS[$t]}"
		MRSS[$t]=$(awk -v k="$(maxof "${a[@]}")" 'BEGIN {printf "%.1f", k / 1024}')
	done
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b <= 0) print "n/a"; else if (a / b < 0.1) printf "%.3f×", a / b; else printf "%.2f×", a / b}'; }
	local title="JPEG photos"
	[[ $name == formats ]] && title="PNG and WebP photos (output JPEG; transparency on white)"
	{
		echo "### $title: $CORPUS_N files, $CORPUS_MP MP, $CORPUS_MIB MiB"
		echo
		echo "| tool | median wall s | median CPU s | peak RSS MiB | wall ratio vs vipsthumbnail | mean PSNR dB (Y) | min PSNR dB (Y) | mean PSNR dB (RGB) | thumbnails KiB |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
		for t in "${TOOLS[@]}"; do
			printf '| %s | %.3f | %.2f | %s | %s | %s | %s | %s | %s |\n' "${LABEL[$t]}" "${MWALL[$t]}" "${MCPU[$t]}" "${MRSS[$t]}" \
				"$(ratio "${MWALL[$t]}" "${MWALL[vips]}")" "${PMEAN[$t]}" "${PMIN[$t]}" "${PRGB[$t]}" "${KIB[$t]}"
		done
		printf '| %s | %.3f | %.2f | %s | %s | — | — | — | — |\n' "${LABEL[rerun]}" "${MWALL[rerun]}" "${MCPU[rerun]}" "${MRSS[rerun]}" \
			"$(ratio "${MWALL[rerun]}" "${MWALL[vips]}")"
		echo
		echo "- $RUNS timed run(s) per tool, interleaved (thumbs, vipsthumbnail, mogrify, thumbs, ...) after $WARMUP untimed warm-up round(s); each run writes into an emptied directory."
		echo "- thumbs first run / re-run (median wall): $(ratio "${MWALL[thumbs]}" "${MWALL[rerun]}")."
		echo "- Lowest Y PSNR: thumbs ${PWORST[thumbs]}, vipsthumbnail ${PWORST[vips]}, mogrify ${PWORST[magick]}. Min RGB PSNR: thumbs ${PRGBMIN[thumbs]}, vipsthumbnail ${PRGBMIN[vips]}, mogrify ${PRGBMIN[magick]} dB."
		echo "- JPEG chroma subsampling of the thumbnails: thumbs ${SAMPLING[thumbs]}; vipsthumbnail ${SAMPLING[vips]}; mogrify ${SAMPLING[magick]}."
		echo "- Corpus: \`$corpus\` (copied from \`$SRC\`, *.$(echo "$*" | sed 's/ /, *./g'), any case$( ((LIMIT > 0)) && echo ", first $LIMIT by path"))."
		echo
		echo "Commands:"
		echo
		echo '```sh'
		echo "# thumbs (and, over the same output dir, its re-run)"
		echo "${CMD_STR[thumbs]}"
		echo "# vipsthumbnail"
		echo "${CMD_STR[vips]}"
		echo "# ImageMagick"
		echo "${CMD_STR[magick]}"
		echo '```'
		echo
		if [[ $HYPERFINE == 1 ]]; then
			echo "hyperfine cross-check (each tool's runs back to back, not interleaved):"
			echo
			cat "$work/hyperfine.md"
			echo
		fi
	} >>"$RESULTS.tmp"
	unset -f run ratio
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
bench_corpus jpeg "$CORPUS" jpg jpeg
if [[ $FORMATS == 1 ]]; then
	bench_corpus formats "$CORPUS_FORMATS" png webp
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ report
{
	echo "## thumbs vs vipsthumbnail vs ImageMagick: ${SIZE} px box, JPEG quality $QUALITY, $JOBS in parallel"
	echo
	echo "- Machine: $(nproc) cores ($(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, Linux $(uname -r); load average $LOAD_BEFORE before, $LOAD_AFTER after."
	echo "- thumbs: \`$("$THUMBS" version | head -n 1)\`, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo ' (with uncommitted changes)'); GOMAXPROCS ${GOMAXPROCS:-unset (= cores)}."
	echo "- vipsthumbnail: $(vips --version); VIPS_CONCURRENCY ${VIPS_CONCURRENCY:-unset (each process may use one thread per core)}."
	echo "- ImageMagick: $(mogrify -version | head -n 1 | sed 's/^Version: //'); run with MAGICK_THREAD_LIMIT=1 so that xargs -P $JOBS alone gives the parallelism."
	echo "- Wall: measured around each run (ms resolution). CPU: user+sys from GNU time, which includes every waited-for child (all vipsthumbnail/mogrify processes under xargs)."
	echo "- Peak RSS: GNU time's %M, the maximum over runs. It is the peak of the single largest process: for thumbs one process doing all $JOBS jobs at once; for xargs runs the largest one vipsthumbnail/mogrify process (batch of $BATCH files), *not* the sum of the $JOBS running side by side, so their total footprint can be up to $JOBS× that."
	echo "- PSNR: per thumbnail, over luma (Y, BT.601) and over R, G and B, against its source decoded at full resolution by Go (github.com/disintegration/imaging), resized with Lanczos to exactly that thumbnail's size (transparency on white; ICC profiles ignored; lossy WebP converted from limited-range YCbCr as libwebp does, not as Go's webp decoders do, golang/go#19672); mean is of per-image dB. Y is the fairer measure of resampling: RGB also charges chroma subsampling, which differs by tool (see each corpus's notes). The reference is not gamma-correct and is itself unsharpened, so it measures closeness to a plain Lanczos downscale, not absolute quality."
	echo
	cat "$RESULTS.tmp"
	echo "Per-run numbers: \`${RUNS_TSV#"$ROOT"/}\`; logs and thumbnails under \`${BENCH_OUT#"$ROOT"/}/\`."
} >"$RESULTS"
rm -f "$RESULTS.tmp"
cat "$RESULTS"
