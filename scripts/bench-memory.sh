#!/usr/bin/env bash
# Peak resident memory of training ResNet-50 (224×224, batch ${BATCH:-32}): Cohort (1 rank × 2 threads;
# 2 ranks × 1 thread, per rank) next to PyTorch and Keras/TensorFlow, each on synthetic data for a few steps.
#   scripts/bench-memory.sh [--cohort]      --cohort: no peers (no virtualenv needed)
# Peers run the scripts in bench/peers from the virtualenv of bench/peers/setup.sh --torch (PEERS_DIR
# and PEERS_VENV override where). Writes ${BENCH_DIR:-runs/bench-memory-DATE}/table.md (BENCH_DIR
# absolute, or relative to the repository root) and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
peers=1
for arg in "$@"; do
  case "$arg" in
    --cohort) peers=0 ;;
    *) echo "bench-memory.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
swift build -c release --product cohort >/dev/null
out="${BENCH_DIR:-runs/bench-memory-$(date -u +%Y%m%dT%H%M)}" batch=${BATCH:-32}
mkdir -p "$out"
out=$(cd "$out" && pwd)   # absolute, whatever BENCH_DIR was
launcher=(mpirun -np 2 --bind-to core)
[ "$(id -u)" -eq 0 ] && launcher+=(--allow-run-as-root)
common=(.build/release/cohort bench --model resnet50 --batch-size "$batch" --steps 2 --warmup 1 --json)

# peak_mb COMMAND...: runs COMMAND (output to the log) and prints the largest peak RSS of its processes in MB.
peak_mb() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=sys.stderr, check=True)
print(round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))' "$@" 2>>"$out/log.txt"
}
rank_peaks() { python3 -c 'import json, sys; print(", ".join(str(round(r["peak_rss_mb"])) for r in json.load(sys.stdin)["per_rank"]))'; }

echo "bench-memory.sh: cohort" >&2
{
  echo "| ResNet-50 224², batch $batch, training | peak RSS (MB) |"
  echo "|---|---|"
  echo "| Cohort 1 rank × 2 threads | $(peak_mb "${common[@]}" --threads 2) |"
  echo "| Cohort 2 ranks × 1 thread (each rank: batch $((batch / 2))) | $("${launcher[@]}" "${common[@]}" --threads 1 | rank_peaks) |"
} > "$out/table.md"
if [ "$peers" -eq 1 ]; then
  dir="${PEERS_DIR:-bench/peers}" venv="${PEERS_VENV:-$HOME/.cache/cohort-peers-venv}"
  [ -x "$venv/bin/python" ] || { echo "bench-memory.sh: no peer virtualenv at $venv: run $dir/setup.sh --torch, or use --cohort" >&2; exit 1; }
  export PEER_RESULTS="$out/peers.jsonl"
  echo "bench-memory.sh: PyTorch, Keras/TensorFlow" >&2
  echo "| PyTorch | $(peak_mb "$venv/bin/python" "$dir/torch_bench.py" --models resnet50 --batch "$batch" --warmup 1 --windows 1 --window-s 5) |" >> "$out/table.md"
  echo "| Keras/TensorFlow | $(peak_mb "$venv/bin/python" "$dir/resnet_bench.py" --models resnet50 --batch "$batch" --warmup 1 --windows 1 --window-s 5) |" >> "$out/table.md"
fi
cat "$out/table.md"
