#!/usr/bin/env bash
# Issue 21 learning runs, one after another, niced so builds keep the CPU.
set -u
cd /work/main
C=/tmp/cohort-21
MPI=(nice -n 19 mpirun -np 2 --bind-to none --allow-run-as-root)
common=(--model fashion-cnn --holdout 5000 --augment flip,shift --shift 0.05 --label-smoothing 0.1 --seed 42 --epochs 10 --threads 1 --save-best)
run() { local name=$1; shift; mkdir -p runs/i21/$name; echo "== $name $(date)" >> runs/i21/queue.log
  "${MPI[@]}" $C train "$@" --checkpoint-dir runs/i21/$name > runs/i21/$name.log 2>&1
  echo "== $name done rc=$? $(date) $(grep 'test accuracy' runs/i21/$name.log)" >> runs/i21/queue.log; }
# 1. finish the LAMB lr 0.02 run stopped at step 390
"${MPI[@]}" $C train "${common[@]}" --batch-size 128 --accumulate 8 --optimizer lamb --lr 0.02 --weight-decay 0.01 --schedule cosine --warmup-epochs 1 --checkpoint-dir runs/lamb1024b --resume auto > runs/i21/lamb1024b-resume.log 2>&1
echo "== lamb1024b resume rc=$? $(date) $(grep 'test accuracy' runs/i21/lamb1024b-resume.log)" >> runs/i21/queue.log
fast=(--lr 0.03 --momentum 0.9 --nesterov --weight-decay 2e-4 --schedule cosine --warmup-epochs 1)
run fast-bf16 "${common[@]}" "${fast[@]}" --batch-size 32 --allreduce-dtype bf16
run sgd-linear-1024 "${common[@]}" --lr 0.03 --momentum 0.9 --nesterov --weight-decay 2e-4 --schedule cosine --warmup-epochs 2 --batch-size 128 --accumulate 8 --lr-scaling linear --reference-batch 32
run lamb-4096 "${common[@]}" --batch-size 128 --accumulate 32 --optimizer lamb --lr 0.04 --weight-decay 0.01 --schedule cosine --warmup-epochs 2
run sgd-linear-4096 "${common[@]}" --lr 0.03 --momentum 0.9 --nesterov --weight-decay 2e-4 --schedule cosine --warmup-epochs 2 --batch-size 128 --accumulate 32 --lr-scaling linear --reference-batch 32
