#!/usr/bin/env bash
# Issue 21: one more LAMB run at global batch 1024 (lr 0.04, 2 warmup epochs), after the fine-tune demo.
set -u
cd /work/main
while pgrep -f fine-tune-demo.sh >/dev/null; do sleep 20; done
C=/tmp/cohort-24
common=(--model fashion-cnn --holdout 5000 --augment flip,shift --shift 0.05 --label-smoothing 0.1 --seed 42 --epochs 10 --threads 1 --save-best)
name=lamb-1024-lr0.04; mkdir -p runs/i21/$name
echo "== $name $(date)" >> runs/i21/queue.log
nice -n 19 mpirun -np 2 --bind-to none --allow-run-as-root $C train "${common[@]}" --batch-size 128 --accumulate 8 --optimizer lamb --lr 0.04 --weight-decay 0.01 --schedule cosine --warmup-epochs 2 --checkpoint-dir runs/i21/$name > runs/i21/$name.log 2>&1
echo "== $name done rc=$? $(date) $(grep 'test accuracy' runs/i21/$name.log)" >> runs/i21/queue.log
