#!/usr/bin/env bash
# Fixed-seed 20-step runs of fashion-cnn and resnet18-cifar (1 rank, 1 thread, packaged
# Fashion-MNIST) and the SHA-256 of each final checkpoint. Two builds that print the same lines
# train bitwise identically: run it before and after a change that must not change any number.
#   scripts/checkpoint-fingerprint.sh [OUT_DIR]     (default runs/fingerprint)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
out=${1:-runs/fingerprint}
cohort=${COHORT:-.build/release/cohort}
[ -x "$cohort" ] || swift build -c release >&2
rm -rf "$out"
for model in fashion-cnn resnet18-cifar; do
  "$cohort" train --model "$model" --max-steps 20 --batch-size 32 --lr 0.01 --momentum 0.9 \
    --weight-decay 1e-4 --augment flip,shift --seed 11 --threads 1 --holdout 256 --eval-limit 500 \
    --checkpoint-dir "$out/$model" > "$out-$model.log" 2>&1 \
    || { cat "$out-$model.log" >&2; exit 1; }
  echo "$(sha256sum < "$out/$model/last.safetensors" | cut -d' ' -f1)  $model"
done
