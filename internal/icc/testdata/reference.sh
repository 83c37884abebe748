#!/bin/sh
# reference.sh PROFILE NAME writes reference/NAME.csv: a grid of device
# colours of PROFILE and the sRGB values Little CMS's transicc gives for
# them (perceptual intent, no black point compensation, floating point),
# converting to the sRGB.icc profile of icc-profiles-free.
# RGB and gray profiles: 9 levels per channel; CMYK: 6 levels per channel.
set -eu
profile=$1
name=$2
srgb=${SRGB:-/usr/share/color/icc/sRGB.icc}
space=$(dd if="$profile" bs=1 skip=16 count=4 2>/dev/null)
levels9="0 32 64 96 128 159 191 223 255"
levels6="0 51 102 153 204 255"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$space" in
"RGB ")
	for r in $levels9; do for g in $levels9; do for b in $levels9; do
		echo "$r $g $b"
	done; done; done >"$tmp/in"
	header=r,g,b
	;;
GRAY)
	seq 0 255 >"$tmp/in"
	header=k
	;;
CMYK)
	for c in $levels6; do for m in $levels6; do for y in $levels6; do for k in $levels6; do
		echo "$c $m $y $k"
	done; done; done; done >"$tmp/in"
	header=c,m,y,k
	;;
*)
	echo "reference.sh: colour space '$space' not handled" >&2
	exit 1
	;;
esac
# transicc takes RGB and gray as 0-255 and CMYK as percentages.
awk -v space="$space" '{ if (space == "CMYK") { for (i = 1; i <= NF; i++) $i = sprintf("%.6f", $i / 2.55) } print }' "$tmp/in" >"$tmp/scaled"
transicc -n -t0 -i "$profile" -o "$srgb" <"$tmp/scaled" 2>/dev/null | tr -s ' ' | sed 's/^ //; s/ $//' >"$tmp/out"
{
	echo "$header,R,G,B"
	paste -d ' ' "$tmp/in" "$tmp/out" | tr ' ' ','
} >"reference/$name.csv"
