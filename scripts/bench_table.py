"""Renders the results of scripts/bench.sh (DIR/cohort.jsonl, DIR/peers.jsonl) as a Markdown table
of training img/s with Cohort's ratio to each peer."""
import json
import os
import sys


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main(directory):
    cohort, kernels = {}, set()
    for entry in lines(os.path.join(directory, "cohort.jsonl")):
        r = entry["result"]
        cohort[(entry["workload"], r["batch_size"], entry["layout"])] = r["images_per_sec"]
        kernels.add(f'OpenBLAS {r.get("blas_core", "?")} kernels, {r.get("conv_algorithm", "im2col")} convolutions')
    peers = {}
    for entry in lines(os.path.join(directory, "peers.jsonl")):
        if entry.get("metric") != "train_images_per_s" or entry.get("median") is None:
            continue
        backend = entry["versions"].get("backend")
        peer = "pytorch" if backend == "torch-native" else "keras-tf" if backend == "tensorflow" else backend
        peers[(entry["workload"], entry["batch"], peer)] = entry["median"]
    rows = sorted({(w, b) for (w, b, _) in cohort}, key=lambda k: (k[0] != "fashion_cnn", k))
    print("| workload | batch | Cohort 1×2 | Cohort 2×1 | PyTorch | Keras/TF | best Cohort / PyTorch | best Cohort / Keras/TF |")
    print("|---|---|---|---|---|---|---|---|")
    for workload, batch in rows:
        one, two = cohort.get((workload, batch, "1x2")), cohort.get((workload, batch, "2x1"))
        best = max(v for v in (one, two) if v is not None)
        torch, keras = peers.get((workload, batch, "pytorch")), peers.get((workload, batch, "keras-tf"))
        fmt = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
        ratio = lambda p: "–" if p is None else f"{best / p:.2f}×"  # noqa: E731
        print(f"| {workload} | {batch} | {fmt(one)} | {fmt(two)} | {fmt(torch)} | {fmt(keras)} | {ratio(torch)} | {ratio(keras)} |")
    print(f"\nCohort: {'; '.join(sorted(kernels))}.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
