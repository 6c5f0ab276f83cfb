#!/usr/bin/env bash
# Issue 21, 2026-12-06 (2-vCPU AMD EPYC Zen 4, AVX-512): a second seed of LAMB lr 0.015 with 2
# warm-up epochs at global batch 1024 (seed 42 reached 0.9108), against seed 43's fast recipe (0.9192).
# Niced so builds keep the CPU; a long --stall-timeout so a starved rank is not taken for a stalled one.
#   docs/results/large-batch-2026-12-05/queue7.sh BINARY
set -u
cd "$(dirname "$0")/../../.."
C=$1
MPI=(nice -n 19 mpirun -np 2 --bind-to none --allow-run-as-root)
common=(--model fashion-cnn --holdout 5000 --augment flip,shift --shift 0.05 --label-smoothing 0.1 --epochs 10 --threads 1 --save-best --stall-timeout 3600 --batch-size 128 --accumulate 8 --optimizer lamb --schedule cosine)
run() { local name=$1; shift; mkdir -p runs/i21/$name; echo "== $name $(date)" >> runs/i21/queue.log
  "${MPI[@]}" "$C" train "$@" --checkpoint-dir runs/i21/$name > runs/i21/$name.log 2>&1
  echo "== $name done rc=$? $(date) $(grep 'test accuracy' runs/i21/$name.log)" >> runs/i21/queue.log; }
run lamb-1024-lr0.015-seed43 "${common[@]}" --seed 43 --lr 0.015 --weight-decay 0.01 --warmup-epochs 2
