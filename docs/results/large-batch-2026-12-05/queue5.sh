#!/usr/bin/env bash
# Issue 21, 2026-12-06 (2-vCPU AMD EPYC Zen 4, AVX-512): LARS at global batch 1024, then a second
# seed of the batch-32 fast recipe in fp32 and with bf16 allreduce. LARS's per-step move is
# lr·η·‖w‖/(1−μ) per layer: lr 0.15 with η 0.01 moves each layer by about 1.5% a step, next to
# LAMB's 2% at lr 0.02 (its best setting); biases take lr 0.15 itself.
# Niced so builds keep the CPU; a long --stall-timeout so a starved rank is not taken for a stalled one.
#   docs/results/large-batch-2026-12-05/queue5.sh BINARY
set -u
cd "$(dirname "$0")/../../.."
C=$1
MPI=(nice -n 19 mpirun -np 2 --bind-to none --allow-run-as-root)
common=(--model fashion-cnn --holdout 5000 --augment flip,shift --shift 0.05 --label-smoothing 0.1 --epochs 10 --threads 1 --save-best --stall-timeout 3600)
run() { local name=$1; shift; mkdir -p runs/i21/$name; echo "== $name $(date)" >> runs/i21/queue.log
  "${MPI[@]}" "$C" train "$@" --checkpoint-dir runs/i21/$name > runs/i21/$name.log 2>&1
  echo "== $name done rc=$? $(date) $(grep 'test accuracy' runs/i21/$name.log)" >> runs/i21/queue.log; }
fast=(--lr 0.03 --momentum 0.9 --nesterov --weight-decay 2e-4 --schedule cosine --warmup-epochs 1 --batch-size 32)
run lars-1024 "${common[@]}" --seed 42 --batch-size 128 --accumulate 8 --optimizer lars --lr 0.15 --trust-coefficient 0.01 --momentum 0.9 --weight-decay 5e-4 --schedule cosine --warmup-epochs 2
run fast-fp32-seed43 "${common[@]}" --seed 43 "${fast[@]}"
run fast-bf16-seed43 "${common[@]}" --seed 43 "${fast[@]}" --allreduce-dtype bf16
