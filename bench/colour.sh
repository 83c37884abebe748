#!/usr/bin/env bash
# Colour conversion of tagged sources, thumbs against ImageMagick.
#
# Tags testdata/photos/landscape.jpg with Ghostscript's Adobe RGB (a98.icc)
# and ROMM RGB (rommrgb.icc) profiles, and converts it to CMYK tagged with
# Ghostscript's default_cmyk.icc (lut16, Lab) and ps_cmyk.icc (v4, XYZ);
# then makes a 256-pixel PNG thumbnail of each with thumbs (which converts
# to sRGB) and with ImageMagick (-profile sRGB.icc -filter Lanczos -resize),
# and prints the PSNR between the two. The untagged photo gives the floor
# set by the two resizers alone; "unconverted" is ImageMagick's thumbnail
# without the conversion, against the converted one: what ignoring the
# profile would cost. Fails when a PSNR is under its acceptance bound
# (RGB 35 dB, CMYK 28 dB). Installs what is missing with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-bench/out}/colour
THUMBS=${THUMBS:-bin/thumbs}
[ -x "$THUMBS" ] || { echo "colour.sh: $THUMBS missing: run make build first" >&2; exit 1; }

need=()
command -v convert >/dev/null || need+=(imagemagick)
[ -f /usr/share/color/icc/ghostscript/a98.icc ] || need+=(libgs-common)
[ -f /usr/share/color/icc/sRGB.icc ] || need+=(icc-profiles-free)
if [ ${#need[@]} -gt 0 ]; then
	sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
gs=/usr/share/color/icc/ghostscript
srgb=/usr/share/color/icc/sRGB.icc

rm -rf "$OUT" && mkdir -p "$OUT/src"
convert testdata/photos/landscape.jpg -strip "$OUT/src/untagged.jpg"
convert "$OUT/src/untagged.jpg" -profile $gs/a98.icc "$OUT/src/adobe-rgb.jpg"
convert "$OUT/src/untagged.jpg" -profile $gs/rommrgb.icc "$OUT/src/romm-rgb.jpg"
convert "$OUT/src/untagged.jpg" -colorspace CMYK -profile $gs/default_cmyk.icc "$OUT/src/cmyk-lut16.jpg"
convert "$OUT/src/untagged.jpg" -colorspace CMYK -profile $gs/ps_cmyk.icc "$OUT/src/cmyk-v4.jpg"

"$THUMBS" -s 256 -f png -o "$OUT/thumbs" "$OUT/src"/*.jpg 2>/dev/null
psnr() { compare -metric PSNR "$1" "$2" null: 2>&1 || true; }
status=0
printf '%-12s %12s %14s\n' source 'vs ImageMagick' 'unconverted'
for f in untagged adobe-rgb romm-rgb cmyk-lut16 cmyk-v4; do
	src="$OUT/src/$f.jpg"
	profile=(-profile "$srgb"); [ $f = untagged ] && profile=()
	convert "$src" "${profile[@]}" -filter Lanczos -resize 256x256 -strip "$OUT/$f-im.png"
	convert "$src" -filter Lanczos -resize 256x256 -strip -colorspace sRGB "$OUT/$f-unconverted.png"
	got=$(psnr "$OUT/$f-im.png" "$OUT/thumbs/$f.png")
	printf '%-12s %12.1f dB %11.1f dB\n' $f "$got" "$(psnr "$OUT/$f-im.png" "$OUT/$f-unconverted.png")"
	bound=35; case $f in cmyk*) bound=28 ;; esac
	awk -v p="$got" -v b=$bound 'BEGIN { exit !(p >= b) }' || { echo "colour.sh: $f under $bound dB" >&2; status=1; }
done
exit $status
