#!/usr/bin/env bash
# bench/fidelity.sh: how faithful thumbs' thumbnails are over R, G and B,
# next to vipsthumbnail's and ImageMagick's, on the JPEG, PNG and WebP
# photos under /usr/share/backgrounds. Every tool writes PNG (no encoder
# loss) into a SIZE px box; each thumbnail is compared with a reference made
# by ImageMagick from the full-resolution source:
#
#	convert SRC -auto-orient -colorspace sRGB -filter Lanczos -resize WxH! ref.png
#
# at the size of thumbs' thumbnail. A peer whose thumbnail rounds to another
# size is resized to that size (Lanczos) before the comparison, and counted.
# Photos are deduplicated by content (sha256): Debian installs one picture
# under several names. PSNR is per photo over R, G and B (bench/psnr -ref);
# the report gives, per source format, the mean, the worst photo, and how
# many photos thumbs makes within 0.3 dB of vipsthumbnail (or better).
# `make bench` runs it after `make build`; it prints a Markdown report and
# writes it to $BENCH_OUT/fidelity.md, per-photo numbers to
# $BENCH_OUT/fidelity.tsv.
#
# Environment (all optional):
#   SIZE=256                    box size in px
#   SRC=/usr/share/backgrounds  where the photos come from
#   BENCH_OUT=bench/out         results and thumbnails (under fidelity/)
#   INSTALL=1                   0: never apt-get install; fail if something is missing
#   THUMBS=bin/thumbs
#   REF_CACHE=                  a directory keeping references between runs (by content and size)
set -euo pipefail

cd "$(dirname "$0")/.."

die() { echo "fidelity.sh: error: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

SIZE=${SIZE:-256}
INSTALL=${INSTALL:-1}
[[ $SIZE =~ ^[1-9][0-9]*$ ]] || die "SIZE must be a positive whole number, not '$SIZE'"
SRC=$(realpath -m -- "${SRC:-/usr/share/backgrounds}")
BENCH_OUT=$(realpath -m -- "${BENCH_OUT:-bench/out}")
THUMBS=$(realpath -m -- "${THUMBS:-bin/thumbs}")
WORK=$BENCH_OUT/fidelity
[[ -x $THUMBS ]] || die "$THUMBS is missing or not executable: run 'make build' first"
command -v go >/dev/null || die "go is needed for the PSNR tool (bench/psnr)"

# ImageMagick's own convert, never a stand-in earlier on PATH.
CONVERT=/usr/bin/convert
IDENTIFY=/usr/bin/identify
if ! [[ -x $CONVERT && -x $IDENTIFY ]] || ! command -v vipsthumbnail >/dev/null || ! [[ -d /usr/share/backgrounds/gnome ]]; then
	((INSTALL)) || die "needs vipsthumbnail, ImageMagick and the background packages (INSTALL=0 forbids installing them)"
	note "installing libvips-tools, imagemagick and the background photo packages"
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvips-tools imagemagick mate-backgrounds ukui-wallpapers gnome-backgrounds >&2
fi

rm -rf "$WORK"
mkdir -p "$WORK"/{corpus,thumbs,vips,magick,ref}

note "collecting photos under $SRC (one per distinct content)"
declare -A seen=() stem_used=()
while IFS= read -r -d '' f; do
	sum=$(sha256sum -- "$f" | cut -c1-64)
	[[ -n ${seen[$sum]:-} ]] && continue
	seen[$sum]=1
	ext=${f##*.}
	ext=${ext,,}
	[[ $ext == jpeg ]] && ext=jpg
	stem=$(basename -- "${f%.*}")
	stem=${stem//[^A-Za-z0-9._-]/_}
	[[ -n ${stem_used[$stem]:-} ]] && stem=$stem-${sum:0:8}
	stem_used[$stem]=1
	cp -- "$f" "$WORK/corpus/$stem.$ext"
done < <(find "$SRC" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.webp' \) -print0 | sort -z)
mapfile -t photos < <(find "$WORK/corpus" -type f | sort)
((${#photos[@]} > 0)) || die "no photos under $SRC"
note "${#photos[@]} distinct photos"

note "thumbs"
"$THUMBS" resize --progress never -s "$SIZE" -f png -o "$WORK/thumbs" "$WORK/corpus" >&2
note "vipsthumbnail and ImageMagick"
for f in "${photos[@]}"; do
	stem=$(basename -- "${f%.*}")
	echo "vipsthumbnail -s $SIZE -o $WORK/vips/%s.png $f"
	echo "$CONVERT $f -auto-orient -filter Lanczos -resize ${SIZE}x${SIZE} $WORK/magick/$stem.png"
done | xargs -P "$(nproc)" -I{} sh -c '{}'

note "references at thumbs' sizes; peers of another size resized to match"
declare -A resized=([vips]=0 [magick]=0)
pairs=()
for f in "${photos[@]}"; do
	stem=$(basename -- "${f%.*}")
	t=$WORK/thumbs/$stem.png
	[[ -f $t ]] || die "thumbs made no thumbnail of $f"
	size=$("$IDENTIFY" -format '%wx%h' "$t")
	if [[ -n ${REF_CACHE:-} ]]; then
		mkdir -p "$REF_CACHE"
		cached=$REF_CACHE/$(sha256sum -- "$f" | cut -c1-16)-$size.png
		[[ -f $cached ]] || "$CONVERT" "$f" -auto-orient -colorspace sRGB -filter Lanczos -resize "$size!" "$cached"
		cp -- "$cached" "$WORK/ref/$stem.png"
	else
		"$CONVERT" "$f" -auto-orient -colorspace sRGB -filter Lanczos -resize "$size!" "$WORK/ref/$stem.png"
	fi
	for tool in vips magick; do
		o=$WORK/$tool/$stem.png
		[[ -f $o ]] || die "$tool made no thumbnail of $f"
		if [[ $("$IDENTIFY" -format '%wx%h' "$o") != "$size" ]]; then
			"$CONVERT" "$o" -filter Lanczos -resize "$size!" "$o"
			resized[$tool]=$((resized[$tool] + 1))
		fi
	done
done

note "PSNR over RGB (go run ./bench/psnr -ref)"
tsv=$BENCH_OUT/fidelity.tsv
printf '#tool\tformat\tphoto\trgb_db\tr_db\tg_db\tb_db\n' >"$tsv"
for tool in thumbs vips magick; do
	args=()
	for f in "${photos[@]}"; do
		stem=$(basename -- "${f%.*}")
		args+=("$WORK/ref/$stem.png" "$WORK/$tool/$stem.png")
	done
	go run ./bench/psnr -ref -v -pairs "${args[@]}" 2>&1 >/dev/null |
		awk -v tool="$tool" -v corpus="$WORK/corpus" -F'\t' '
			/^Y / {
				n = split($6, parts, "/"); stem = parts[n]; sub(/\.png$/, "", stem)
				cmd = "ls " corpus "/" stem ".*"; cmd | getline src; close(cmd)
				ext = src; sub(/.*\./, "", ext)
				sub(/^RGB /, "", $2); sub(/^R /, "", $3); sub(/^G /, "", $4); sub(/^B /, "", $5)
				printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", tool, ext, stem, $2, $3, $4, $5
			}
			/^psnr:/ { print > "/dev/stderr"; failed = 1 }
			END { exit failed }' >>"$tsv"
done

report=$BENCH_OUT/fidelity.md
{
	echo "PSNR over RGB in dB against ImageMagick's full-resolution Lanczos, ${SIZE} px box, PNG output,"
	echo "distinct photos from $SRC ($(date -u +%Y-%m-%d), $("$THUMBS" --version 2>/dev/null | head -1))."
	echo
	echo "| format | photos | thumbs mean | vips mean | magick mean | thumbs min (photo) | vips min | thumbs within 0.3 dB of vips |"
	echo "|---|---|---|---|---|---|---|---|"
	awk -F'\t' '
		!/^#/ {
			key = $2; db[$1, key, $3] = $4; fmt[key] = 1; photo[key, $3] = 1
			sum[$1, key] += $4; n[$1, key]++
			if (!(($1, key) in lo) || $4 < lo[$1, key]) { lo[$1, key] = $4; worst[$1, key] = $3 }
		}
		END {
			split("jpg png webp", order, " ")
			for (i = 1; i <= 3; i++) {
				f = order[i]
				if (!(f in fmt)) continue
				close_ = 0
				for (k in photo) {
					split(k, kp, SUBSEP)
					if (kp[1] == f && db["thumbs", f, kp[2]] >= db["vips", f, kp[2]] - 0.3) close_++
				}
				printf "| %s | %d | %.2f | %.2f | %.2f | %.2f (%s) | %.2f | %d of %d |\n", f, n["thumbs", f],
					sum["thumbs", f] / n["thumbs", f], sum["vips", f] / n["vips", f], sum["magick", f] / n["magick", f],
					lo["thumbs", f], worst["thumbs", f], lo["vips", f], close_, n["thumbs", f]
			}
		}' "$tsv"
	echo
	echo "Peers' thumbnails resized to thumbs' size before comparing: vipsthumbnail ${resized[vips]}, ImageMagick ${resized[magick]}."
} | tee "$report"
