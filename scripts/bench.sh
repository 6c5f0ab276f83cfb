#!/usr/bin/env bash
# Cohort next to PyTorch and Keras/TensorFlow on the same workloads, in one run, as ratios.
#   scripts/bench.sh            Cohort (1 rank × 2 threads and 2 ranks × 1 thread) and both peers
#   scripts/bench.sh --cohort   Cohort only (no peer virtualenv needed)
#   scripts/bench.sh --quick    shorter timing windows (noisier)
#   COHORT=path/to/cohort       times that binary instead of building one
#   CONV=winograd2x2|im2col     Cohort's convolution algorithm (default automatic)
# Peers run the scripts in bench/peers from the virtualenv made by bench/peers/setup.sh --torch
# (PEERS_DIR and PEERS_VENV override where). Results: $BENCH_DIR (default runs/bench-DATE; absolute,
# or relative to the repository root) holds cohort.jsonl, peers.jsonl and table.md; the table is
# also printed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
peers=1 quick=0
for arg in "$@"; do
  case "$arg" in
    --cohort) peers=0 ;;
    --quick) quick=1 ;;
    *) echo "bench.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
cohort=${COHORT:-}
if [ -z "$cohort" ]; then swift build -c release --product cohort >/dev/null; cohort=.build/release/cohort; fi
out="${BENCH_DIR:-runs/bench-$(date -u +%Y%m%dT%H%M)}"
mkdir -p "$out"
out=$(cd "$out" && pwd)   # absolute, whatever BENCH_DIR was
launcher=(mpirun -np 2 --bind-to core)
[ "$(id -u)" -eq 0 ] && launcher+=(--allow-run-as-root)

# name  zoo model  batch  image size  classes  timed steps per window (long / quick); Cohort's img/s
# is the median of 3 windows (1 with --quick), as the peers' is the median of theirs
workloads=(
  "fashion_cnn fashion-cnn 32 28 10 60 20"
  "fashion_cnn fashion-cnn 128 28 10 16 6"
  "resnet18 resnet18-cifar 128 32 10 6 2"
  "resnet50 resnet50 16 224 1000 6 2"
  "googlenet googlenet 16 224 1000 8 3"
)
for w in "${workloads[@]}"; do
  read -r name model batch size classes steps quicksteps <<<"$w"
  cohort_windows=3
  [ "$quick" -eq 1 ] && steps=$quicksteps cohort_windows=1
  common=(bench --model "$model" --batch-size "$batch" --image-size "$size" --classes "$classes" --steps "$steps" --windows "$cohort_windows" --warmup 2 --json
          --conv "${CONV:-automatic}")
  echo "bench.sh: cohort $name batch $batch" >&2
  echo "{\"workload\":\"$name\",\"layout\":\"1x2\",\"result\":$("$cohort" "${common[@]}" --threads 2)}" >> "$out/cohort.jsonl"
  echo "{\"workload\":\"$name\",\"layout\":\"2x1\",\"result\":$("${launcher[@]}" "$cohort" "${common[@]}" --threads 1)}" >> "$out/cohort.jsonl"
done

if [ "$peers" -eq 1 ]; then
  dir="${PEERS_DIR:-bench/peers}" venv="${PEERS_VENV:-$HOME/.cache/cohort-peers-venv}"
  [ -x "$venv/bin/python" ] || { echo "bench.sh: no peer virtualenv at $venv: run $dir/setup.sh --torch, or use --cohort" >&2; exit 1; }
  windows=(--windows 3); [ "$quick" -eq 1 ] && windows=(--windows 1)
  fashion_window=30 big_window=40; [ "$quick" -eq 1 ] && fashion_window=10 big_window=15
  export PEER_RESULTS="$out/peers.jsonl"
  echo "bench.sh: PyTorch" >&2
  "$venv/bin/python" "$dir/torch_bench.py" "${windows[@]}" --window-s "$fashion_window" --models fashion_cnn >&2
  "$venv/bin/python" "$dir/torch_bench.py" "${windows[@]}" --window-s "$big_window" --models resnet18 resnet50 googlenet >&2
  echo "bench.sh: Keras/TensorFlow" >&2
  "$venv/bin/python" "$dir/fashion_cnn.py" "${windows[@]}" --window-s "$fashion_window" --batch 32 128 --epochs 0 >&2
  "$venv/bin/python" "$dir/resnet_bench.py" "${windows[@]}" --window-s "$big_window" >&2
fi
python3 scripts/bench_table.py "$out" | tee "$out/table.md"
