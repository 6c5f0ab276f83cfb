#!/usr/bin/env bash
# Fine-tuning demo (docs/results/fine-tune-2026-12-06): resnet18-fashion pretrained on Fashion-MNIST's
# classes 0–4 (T-shirt/top, Trouser, Pullover, Dress, Coat), then trained on a small set of classes
# 5–9 (Sandal, Shirt, Sneaker, Bag, Ankle boot) three ways with the same flags and epochs: from
# scratch, from the pretrained weights (--init-from; the 5-class head starts afresh because its
# classes differ), and from them with the stem and the first two stages frozen.
#   scripts/fine-tune-demo.sh [OUT]     (default runs/fine-tune; about 25 min on 2 cores)
# COHORT=path/to/cohort uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
cohort=${COHORT:-}
if [ -z "$cohort" ]; then
  swift build -c release --product cohort
  cohort=$PWD/.build/release/cohort
fi
out="${1:-runs/fine-tune}"
mkdir -p "$out"
launcher=(mpirun -np 2 --oversubscribe)
[ "$(id -u)" -eq 0 ] && launcher+=(--allow-run-as-root)

# The packaged Fashion-MNIST as an ImageFolder, split by class into two folders (hard links).
if [ ! -d "$out/classes-5-9/test" ]; then
  rm -rf "$out/all" "$out/classes-0-4" "$out/classes-5-9"
  "$cohort" convert --out "$out/all"
  for split in train test; do
    mkdir -p "$out/classes-0-4/$split" "$out/classes-5-9/$split"
    for c in T-shirt_top Trouser Pullover Dress Coat; do cp -al "$out/all/$split/$c" "$out/classes-0-4/$split/"; done
    for c in Sandal Shirt Sneaker Bag Ankle_boot; do cp -al "$out/all/$split/$c" "$out/classes-5-9/$split/"; done
  done
fi

# Pretraining: all 30,000 training images of classes 0–4, 3 epochs.
if [ ! -f "$out/pretrain/last.safetensors" ]; then
  "${launcher[@]}" "$cohort" train --model resnet18-fashion --data "$out/classes-0-4" --holdout 2500 \
    --epochs 3 --batch-size 128 --lr 0.05 --momentum 0.9 --nesterov --weight-decay 5e-4 \
    --augment flip,shift --shift 0.04 --label-smoothing 0.1 --schedule cosine --warmup-epochs 1 --seed 1 \
    --checkpoint-dir "$out/pretrain" 2>&1 | tee "$out/pretrain.log"
fi

# Target task: 2,000 training and 1,000 validation images of classes 5–9 (a fixed random pick), the
# full 5,000-image test split; 10 epochs each, identical flags but the initialization.
target=(--model resnet18-fashion --data "$out/classes-5-9" --holdout 1000 --limit 2000
        --epochs 10 --batch-size 64 --lr 0.02 --momentum 0.9 --nesterov --weight-decay 5e-4
        --augment flip,shift --shift 0.04 --label-smoothing 0.1 --schedule cosine --warmup-epochs 1 --seed 2)
run() {
  local name=$1; shift
  "${launcher[@]}" "$cohort" train "${target[@]}" --checkpoint-dir "$out/$name" "$@" 2>&1 | tee "$out/$name.log"
}
run scratch
run fine-tuned --init-from "$out/pretrain/last.safetensors"
run fine-tuned-frozen --init-from "$out/pretrain/last.safetensors" --freeze conv1,bn1,layer1,layer2

python3 scripts/overlay_curves.py "$out/curves.svg" "from scratch=$out/scratch/metrics.jsonl" \
  "--init-from=$out/fine-tuned/metrics.jsonl" "--init-from, stem+layer1-2 frozen=$out/fine-tuned-frozen/metrics.jsonl"
grep -H "test" "$out"/scratch.log "$out"/fine-tuned.log "$out"/fine-tuned-frozen.log | grep -i accuracy
