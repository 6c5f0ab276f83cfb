#!/usr/bin/env bash
# Data-parallel scaling on one machine: 2 ranks × 1 thread against 1 rank × 1 thread at the same
# per-rank batch (weak scaling, as Horovod and PyTorch DDP report it), alternated ROUNDS times so
# that both sides see the same drift of a shared machine; the verdict is the median of the
# per-round ratios. Each round also runs two independent 1 × 1 processes at once, one per core and
# with no communication: their summed img/s over one alone is what the machine allows two ranks.
#   scripts/bench-scaling.sh                       fashion-cnn, 32 images per rank, 5 rounds
#   MODEL=resnet18-cifar BATCH=64 ROUNDS=3 scripts/bench-scaling.sh
# Results: $BENCH_DIR (default runs/bench-scaling-DATE)/scaling.tsv, also printed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
model="${MODEL:-fashion-cnn}" batch="${BATCH:-32}" rounds="${ROUNDS:-5}" steps="${STEPS:-30}"
swift build -c release --product cohort >/dev/null
out="${BENCH_DIR:-runs/bench-scaling-$(date -u +%Y%m%dT%H%M)}"
mkdir -p "$out"
cohort=.build/release/cohort
mpi=(mpirun --bind-to core); [ "$(id -u)" -eq 0 ] && mpi+=(--allow-run-as-root)
bench=(bench --model "$model" --steps "$steps" --windows 3 --warmup 2 --threads 1 --json)
rate() { python3 -c 'import json,sys; print("%.2f" % json.loads([l for l in sys.stdin.read().splitlines() if l.startswith("{")][-1])["images_per_sec"])'; }

printf 'round\t1x1\t2x1\t2x1/1x1\ttwo_independent_1x1\tindependent/1x1\n' > "$out/scaling.tsv"
for round in $(seq 1 "$rounds"); do
  one=$("${mpi[@]}" -np 1 "$cohort" "${bench[@]}" --batch-size "$batch" | rate)
  two=$("${mpi[@]}" -np 2 "$cohort" "${bench[@]}" --batch-size $((2 * batch)) | rate)
  taskset -c 0 "$cohort" "${bench[@]}" --batch-size "$batch" > "$out/independent0.json" &
  taskset -c 1 "$cohort" "${bench[@]}" --batch-size "$batch" > "$out/independent1.json"
  wait
  independent=$(python3 -c "print('%.2f' % ($(rate < "$out/independent0.json") + $(rate < "$out/independent1.json")))")
  python3 -c "print('$round\t$one\t$two\t%.3f\t$independent\t%.3f' % ($two / $one, $independent / $one))" >> "$out/scaling.tsv"
  tail -1 "$out/scaling.tsv" >&2
done
python3 - "$out/scaling.tsv" "$model" "$batch" <<'EOF'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()[1:]]
ratio = statistics.median(float(r[3]) for r in rows)
ceiling = statistics.median(float(r[5]) for r in rows)
print(f"{sys.argv[2]}, {sys.argv[3]} images per rank, {len(rows)} rounds: 2x1 / 1x1 median {ratio:.3f} "
      f"(rounds {', '.join(r[3] for r in rows)}); two independent 1x1 / one: median {ceiling:.3f}")
EOF
