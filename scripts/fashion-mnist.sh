#!/usr/bin/env bash
# Learning-quality recipes on the packaged Fashion-MNIST, each trained with `mpirun -np ${RANKS:-2}`.
#   scripts/fashion-mnist.sh [recipe...]      recipes: seed fast resnet18 folder fast-1rank (default: fast)
# Each run writes its metrics log, curves, checkpoints and console output (and for `seed` the test
# accuracy of every epoch, test-per-epoch.tsv) to
# ${RESULTS:-runs/fashion-mnist}/<recipe>/ and appends "recipe ranks epochs seconds test_accuracy"
# to ${RESULTS}/results.tsv. EPOCHS overrides a recipe's epoch count. With both `fast` and
# `fast-1rank` done, their curves are overlaid in ${RESULTS}/fast-1-vs-2-ranks.svg.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
. scripts/env.sh
swift build -c release --product cohort >/dev/null
cohort=$PWD/.build/release/cohort
results=${RESULTS:-runs/fashion-mnist}
mkdir -p "$results"

run() {   # run NAME RANKS EPOCHS FLAGS...
  local name=$1 ranks=$2 epochs=${EPOCHS:-$3}; shift 3
  local dir=$results/$name launcher=()
  rm -rf "$dir"; mkdir -p "$dir"
  if [ "$ranks" -gt 1 ]; then
    launcher=(mpirun -np "$ranks" --bind-to core)
    [ "$(id -u)" -eq 0 ] && launcher+=(--allow-run-as-root)
  fi
  echo "fashion-mnist.sh: $name on $ranks rank(s), $epochs epochs" >&2
  local start=$SECONDS
  "${launcher[@]}" "$cohort" train --epochs "$epochs" --checkpoint-dir "$dir" --save-best "$@" | tee "$dir/output.log"
  local accuracy
  accuracy=$(sed -n 's/^test accuracy: //p' "$dir/output.log" | tail -1)
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$ranks" "$epochs" "$((SECONDS - start))" "$accuracy" >> "$results/results.tsv"
}

# test_per_epoch NAME: test accuracy of each epoch checkpoint of run NAME → ${results}/NAME/test-per-epoch.tsv.
test_per_epoch() {
  local dir=$results/$1 file epoch
  printf 'epoch\ttest_accuracy\n' > "$dir/test-per-epoch.tsv"
  for file in "$dir"/epoch-*.safetensors; do
    epoch=$(basename "$file" .safetensors); epoch=$((10#${epoch#epoch-}))
    printf '%s\t%s\n' "$epoch" "$("$cohort" evaluate --checkpoint "$file" --split test --json |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["accuracy"])')" >> "$dir/test-per-epoch.tsv"
  done
  column -t "$dir/test-per-epoch.tsv"
}

# The seed notebook's recipe: plain SGD 0.01, batch 32, first 5000 training images held out.
seed=(--model fashion-cnn --optimizer sgd --lr 0.01 --batch-size 32 --holdout 5000 --seed 42)
# Momentum, flips and 1-pixel shifts, label smoothing, cosine decay after one warm-up epoch. The
# seed model's two dropout-0.5 layers make it under-fit in 10 epochs; what was tried (test accuracy):
# batch 64, lr 0.05, shifts 0.1 (3 px), wd 5e-4: 0.9086; the same with shifts 0.05, wd 2e-4 and label
# smoothing 0.1: 0.9181 (validation 0.9282). Batch 32 doubles the updates per epoch.
# resnet18: ResNet-18 adapted to 28×28 by its stem (3×3/1 convolution, BatchNorm, ReLU, 2×2 max pool), so
# stages 1–4 run at 14, 7, 4 and 2 px; `resnet18-cifar` (no pool) costs 3.7× the multiplications.
# Tried: lr 0.1, shifts 0.1, no label smoothing: 0.9133 (the loss jumped in epoch 3; training accuracy 0.914).
fast=(--model fashion-cnn --lr 0.03 --momentum 0.9 --nesterov --weight-decay 2e-4 --batch-size 32 --holdout 5000
      --augment flip,shift --shift 0.05 --label-smoothing 0.1 --schedule cosine --warmup-epochs 1 --seed 42)

for recipe in "${@:-fast}"; do
  case "$recipe" in
    seed) run seed "${RANKS:-2}" 30 "${seed[@]}" --keep 1000 && test_per_epoch seed ;;
    fast) run fast "${RANKS:-2}" 10 "${fast[@]}" ;;
    fast-1rank) run fast-1rank 1 10 "${fast[@]}" ;;
    resnet18)
      run resnet18 "${RANKS:-2}" 10 --model resnet18-fashion --lr 0.05 --momentum 0.9 --nesterov --weight-decay 5e-4 \
        --batch-size 128 --holdout 5000 --augment flip,shift --shift 0.05 --label-smoothing 0.1 --schedule cosine --warmup-epochs 1 \
        --seed 42 ;;
    folder)
      folder=$results/fashion-mnist-png
      [ -d "$folder/train" ] || "$cohort" convert --data /usr/share/datasets/fashion-mnist --out "$folder" --format png
      run folder "${RANKS:-2}" 10 "${fast[@]}" --data "$folder" ;;
    *) echo "fashion-mnist.sh: unknown recipe $recipe (seed fast fast-1rank resnet18 folder)" >&2; exit 2 ;;
  esac
done
if [ -f "$results/fast/metrics.jsonl" ] && [ -f "$results/fast-1rank/metrics.jsonl" ]; then
  python3 scripts/overlay_curves.py "$results/fast-1-vs-2-ranks.svg" \
    "2 ranks=$results/fast/metrics.jsonl" "1 rank=$results/fast-1rank/metrics.jsonl"
  echo "fashion-mnist.sh: 1 rank versus 2 ranks: $results/fast-1-vs-2-ranks.svg" >&2
fi
column -t "$results/results.tsv"
