#!/usr/bin/env bash
# The main job: trains the Fashion-MNIST CNN with 2 MPI ranks on the Debian-packaged data,
# prints the test accuracy and writes checkpoints to ${COHORT_DEMO_DIR:-runs/demo}.
# Extra arguments go to `cohort train` and override the defaults below (e.g. --epochs 30, or --limit 10000 for
# a quick look; the last value of a flag wins).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/env.sh
swift build -c release --product cohort

out="${COHORT_DEMO_DIR:-runs/demo}"
mkdir -p "$out"
launcher=(mpirun -np 2 --oversubscribe)
[ "$(id -u)" -eq 0 ] && launcher+=(--allow-run-as-root)

"${launcher[@]}" .build/release/cohort train \
  --model fashion-cnn --epochs 1 --holdout 5000 \
  --batch-size 64 --lr 0.05 --momentum 0.9 --seed 1 \
  --checkpoint-dir "$out" --save-best "$@"

echo "demo: checkpoints, metrics log and curves in $out:"
ls -l "$out"/*.safetensors "$out"/metrics.jsonl "$out"/curves.svg
echo "demo: evaluate again with: .build/release/cohort evaluate --checkpoint $out/last.safetensors"
