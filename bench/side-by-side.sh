#!/bin/bash
# side.sh N: before and after, side by side, on bench/out/scale/src-N
N=$1; SRC=/work/main/bench/out/scale/src-$N
m() { label=$1; shift; /usr/bin/time -f "%e %M" -o /tmp/t.$$ "$@" >/dev/null 2>/tmp/e.$$; read w k < /tmp/t.$$; printf '| %s | %d | %.2f | %.1f |\n' "$label" $N $w $(echo "$k/1024" | bc -l); }
for b in before now; do rm -rf /tmp/side-$b-$N; done
echo "| run | sources | wall s | peak RSS MiB |"
echo "|---|---:|---:|---:|"
m "before: first run" /tmp/thumbs-before --progress never -s 4 -f png -o /tmp/side-before-$N $SRC
m "after: first run" /tmp/thumbs-now --progress never -s 4 -f png -o /tmp/side-now-$N $SRC
for i in 1 2 3; do
m "before: re-run $i" /tmp/thumbs-before --progress never -s 4 -f png -o /tmp/side-before-$N $SRC
m "after: re-run $i" /tmp/thumbs-now --progress never -s 4 -f png -o /tmp/side-now-$N $SRC
m "find SRC OUT $i" find $SRC /tmp/side-now-$N -type f -printf '%s %T@\n'
done
echo "before manifest: $(stat -c %s /tmp/side-before-$N/.thumbs-manifest.json) bytes; after record: $(stat -c %s /tmp/side-now-$N/.thumbs-record.db) bytes"
