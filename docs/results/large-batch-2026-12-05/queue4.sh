#!/usr/bin/env bash
# Issue 21, 2026-12-06 (2-vCPU AMD EPYC Zen 4, AVX-512): a second seed of the best LAMB setting at
# global batch 1024 (lr 0.02, 1 warm-up epoch; seed 42 gave 0.9095).
#   docs/results/large-batch-2026-12-05/queue4.sh BINARY
set -u
cd "$(dirname "$0")/../../.."
name=lamb-1024-lr0.02-seed43; mkdir -p runs/i21/$name
mpirun -np 2 --bind-to core --allow-run-as-root "$1" train --model fashion-cnn --holdout 5000 --augment flip,shift --shift 0.05 \
  --label-smoothing 0.1 --epochs 10 --threads 1 --save-best --seed 43 --batch-size 128 --accumulate 8 --optimizer lamb \
  --lr 0.02 --weight-decay 0.01 --schedule cosine --warmup-epochs 1 --checkpoint-dir runs/i21/$name > runs/i21/$name.log 2>&1
