#!/usr/bin/env bash
# How much of the gradient allreduce overlapping hides: MODEL (default ResNet-50, BATCH 16 = 8 per
# rank) across two network-namespace hosts whose links are capped at RATE (default 1gbit), with
# gradients sent as DTYPE (fp32, bf16 or fp16; default fp32), with and without --no-overlap,
# alternated ROUNDS times. Per round, hidden = (step without overlap − step with
# overlap) / communication wait without overlap (the smaller of the two ranks' waits, as the
# later rank waits only for the transfer); the verdict is the median. Needs root (scripts/multinode.sh).
#   scripts/bench-overlap.sh            3 rounds at 1gbit
#   ROUNDS=5 RATE=500mbit scripts/bench-overlap.sh
#   MODEL=resnet18-cifar BATCH=32 DTYPE=bf16 scripts/bench-overlap.sh
#   COHORT=path/to/cohort times that binary instead of building one
# Results: $BENCH_DIR (default runs/bench-overlap-DATE)/overlap.tsv, also printed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
rounds="${ROUNDS:-3}" rate="${RATE:-1gbit}" model="${MODEL:-resnet50}" batch="${BATCH:-16}" dtype="${DTYPE:-fp32}"
cohort=${COHORT:-}
if [ -z "$cohort" ]; then swift build -c release --product cohort >/dev/null; cohort=.build/release/cohort; fi
cohort=$(cd "$(dirname "$cohort")" && pwd)/$(basename "$cohort")
out="${BENCH_DIR:-runs/bench-overlap-$(date -u +%Y%m%dT%H%M)}"
mkdir -p "$out"
run() {
  scripts/multinode.sh --hosts 2 --rate "$rate" -- \
    "$cohort" bench --model "$model" --batch-size "$batch" --steps 3 --warmup 1 --threads 1 \
      --allreduce-dtype "$dtype" --json "$@" | grep '^{' | tail -1
}
printf 'round\tstep_overlap_ms\tstep_no_overlap_ms\tcomm_no_overlap_ms\thidden\n' > "$out/overlap.tsv"
for round in $(seq 1 "$rounds"); do
  run > "$out/overlap-$round.json"
  run --no-overlap > "$out/no-overlap-$round.json"
  python3 - "$out/overlap-$round.json" "$out/no-overlap-$round.json" "$round" >> "$out/overlap.tsv" <<'EOF'
import json, sys
def ranks(path):
    return [r["step_ms"] for r in json.load(open(path))["per_rank"]]
step = lambda path: max(sum(ms.values()) for ms in ranks(path))
with_overlap, without = step(sys.argv[1]), step(sys.argv[2])
communication = min(ms["communication"] for ms in ranks(sys.argv[2]))
print(f"{sys.argv[3]}\t{with_overlap:.0f}\t{without:.0f}\t{communication:.0f}\t{(without - with_overlap) / communication:.3f}")
EOF
  tail -1 "$out/overlap.tsv" >&2
done
python3 - "$out/overlap.tsv" "$rate" "$model b$batch $dtype" <<'EOF'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()[1:]]
print(f"{sys.argv[3]} over two hosts at {sys.argv[2]}, {len(rows)} rounds: overlap hides a median "
      f"{statistics.median(float(r[4]) for r in rows):.0%} of the communication (rounds {', '.join(r[4] for r in rows)})")
EOF
