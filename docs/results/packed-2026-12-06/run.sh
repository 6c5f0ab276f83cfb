#!/usr/bin/env bash
# Folder vs packed (--resize 256 and unresized) loading throughput and files opened, on an ImageNet-like set.
#   docs/results/packed-2026-12-06/run.sh WORKDIR        (run from the repository root, after swift build -c release)
set -euo pipefail
work=${1:?usage: run.sh WORKDIR}
cohort=$PWD/.build/release/cohort
[ -d "$work/inet" ] || scripts/make-imagefolder.sh "$work/inet" 200
rm -rf "$work/inet-packed" "$work/inet-256"
lscpu | grep -E '^(Model name|Flags)'
du -sh "$work/inet/train" "$work/inet/val"
/usr/bin/time -f "pack: %e s wall, %M KB max RSS" "$cohort" pack --data "$work/inet" --out "$work/inet-packed"
/usr/bin/time -f "pack --resize 256: %e s wall, %M KB max RSS" "$cohort" pack --data "$work/inet" --out "$work/inet-256" --resize 256
du -sh "$work/inet-packed" "$work/inet-256"
"$cohort" pack --verify "$work/inet-256"
for data in inet inet-packed inet-256; do
  cat $(find "$work/$data" -type f) > /dev/null                       # warm page cache
  for repeat in 1 2; do
    echo "== $data (run $repeat)"
    "$cohort" bench-loader --data "$work/$data" --model resnet50 --images 2800 --threads 2
  done
  echo "== $data: openat calls on dataset files in one pass over 2800 images (1 thread)"
  strace -f -e trace=openat -o "$work/strace-$data.txt" "$cohort" bench-loader --data "$work/$data" --model resnet50 --images 2800 --threads 1 > /dev/null
  echo "openat under $work/$data: $(grep -c "\"$work/$data/" "$work/strace-$data.txt")"
done
