#!/usr/bin/env bash
# Cohort next to PyTorch and Keras/TensorFlow on the same workloads, in one run, as ratios.
#   scripts/bench.sh            Cohort (1 rank × 2 threads and 2 ranks × 1 thread) and both peers
#   scripts/bench.sh --cohort   Cohort only (no peer virtualenv needed)
#   scripts/bench.sh --quick    one round of shorter timing windows (noisier)
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

# name  zoo model  batch  image size  classes  timed steps per window (long / quick)
workloads=(
  "fashion_cnn fashion-cnn 32 28 10 60 20"
  "fashion_cnn fashion-cnn 128 28 10 16 6"
  "resnet18 resnet18-cifar 128 32 10 6 2"
  "resnet50 resnet50 16 224 1000 6 2"
  "googlenet googlenet 16 224 1000 8 3"
)
if [ "$peers" -eq 1 ]; then
  dir="${PEERS_DIR:-bench/peers}" venv="${PEERS_VENV:-$HOME/.cache/cohort-peers-venv}"
  [ -x "$venv/bin/python" ] || { echo "bench.sh: no peer virtualenv at $venv: run $dir/setup.sh --torch, or use --cohort" >&2; exit 1; }
  export PEER_RESULTS="$out/peers.jsonl"
fi
fashion_window=30 big_window=40; [ "$quick" -eq 1 ] && fashion_window=10 big_window=15

# Rounds of one timing window each, every layout and peer of a workload back to back: the host's
# slow spells (minutes long on a shared machine) then fall on all of them alike, not on whichever
# ran during the spell. A figure is the median of its rounds' windows (3 rounds; 1 with --quick).
rounds=3; [ "$quick" -eq 1 ] && rounds=1
for round in $(seq "$rounds"); do
  for w in "${workloads[@]}"; do
    read -r name model batch size classes steps quicksteps <<<"$w"
    [ "$quick" -eq 1 ] && steps=$quicksteps
    common=(bench --model "$model" --batch-size "$batch" --image-size "$size" --classes "$classes" --steps "$steps" --windows 1 --warmup 2 --json
            --conv "${CONV:-automatic}")
    echo "bench.sh: round $round/$rounds, $name batch $batch" >&2
    echo "{\"workload\":\"$name\",\"layout\":\"1x2\",\"round\":$round,\"result\":$("$cohort" "${common[@]}" --threads 2)}" >> "$out/cohort.jsonl"
    echo "{\"workload\":\"$name\",\"layout\":\"2x1\",\"round\":$round,\"result\":$("${launcher[@]}" "$cohort" "${common[@]}" --threads 1)}" >> "$out/cohort.jsonl"
    [ "$peers" -eq 1 ] || continue
    if [ "$name" = fashion_cnn ]; then
      "$venv/bin/python" "$dir/torch_bench.py" --windows 1 --window-s "$fashion_window" --models fashion_cnn --batch "$batch" >&2
      "$venv/bin/python" "$dir/fashion_cnn.py" --windows 1 --window-s "$fashion_window" --batch "$batch" --epochs 0 >&2
    else
      "$venv/bin/python" "$dir/torch_bench.py" --windows 1 --window-s "$big_window" --models "$name" >&2
      "$venv/bin/python" "$dir/resnet_bench.py" --windows 1 --window-s "$big_window" --models "$name" >&2
    fi
  done
done
python3 scripts/bench_table.py "$out" | tee "$out/table.md"
