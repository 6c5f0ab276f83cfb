"""Renders the results of scripts/bench.sh (DIR/cohort.jsonl, DIR/peers.jsonl) as Markdown tables:
training img/s of each layout and peer (the median of its rounds), Cohort's ratios, the serial
fraction of 1 rank × 2 threads and how long 2 ranks × 1 thread waited at the allreduce; then every
round's figures, to show how the host moved between rounds."""
import json
import os
import statistics
import sys

LAYOUTS = ("1x2", "2x1")
PEERS = ("pytorch", "keras-tf")


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def allreduce_wait(result):
    """The largest share of a step any rank spent waiting at the allreduce."""
    shares = [r["step_ms"]["communication"] / sum(r["step_ms"].values()) for r in result["per_rank"]]
    return max(shares)


def collect(directory):
    """Per (workload, batch): each layout's and peer's results, in round order."""
    runs, kernels = {}, set()
    for entry in lines(os.path.join(directory, "cohort.jsonl")):
        r = entry["result"]
        runs.setdefault((entry["workload"], r["batch_size"]), {}).setdefault(entry["layout"], []).append(r)
        kernels.add(f'OpenBLAS {r.get("blas_core", "?")} kernels, {r.get("conv_algorithm", "im2col")} convolutions')
    for entry in lines(os.path.join(directory, "peers.jsonl")):
        if entry.get("metric") != "train_images_per_s" or entry.get("median") is None:
            continue
        backend = entry["versions"].get("backend")
        peer = "pytorch" if backend == "torch-native" else "keras-tf" if backend == "tensorflow" else backend
        runs.setdefault((entry["workload"], entry["batch"]), {}).setdefault(peer, []).append({"images_per_sec": entry["median"]})
    return runs, kernels


def median(results, key=lambda r: r["images_per_sec"]):
    values = [key(r) for r in results if key(r) is not None]
    return statistics.median(values) if values else None


def main(directory):
    runs, kernels = collect(directory)
    rows = list(runs)   # in the order bench.sh ran them
    fmt = lambda v, spec=".2f": "–" if v is None else format(v, spec)  # noqa: E731
    ratio = lambda a, b: "–" if a is None or b is None else f"{a / b:.2f}×"  # noqa: E731
    percent = lambda v: "–" if v is None else f"{v * 100:.1f}%"  # noqa: E731
    print("| workload | batch | Cohort 1×2 | Cohort 2×1 | PyTorch | Keras/TF | 1×2 / 2×1 | 1×2 serial | 2×1 allreduce wait "
          "| best Cohort / PyTorch | best Cohort / Keras/TF | 1×2 / faster peer |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for workload, batch in rows:
        found = runs[(workload, batch)]
        one, two = (median(found.get(layout, [])) for layout in LAYOUTS)
        torch, keras = (median(found.get(peer, [])) for peer in PEERS)
        serial = median(found.get("1x2", []), lambda r: r.get("serial_fraction"))
        wait = median(found.get("2x1", []), allreduce_wait)
        best = max((v for v in (one, two) if v is not None), default=None)
        faster = max((v for v in (torch, keras) if v is not None), default=None)
        print(f"| {workload} | {batch} | {fmt(one)} | {fmt(two)} | {fmt(torch)} | {fmt(keras)} | {ratio(one, two)} "
              f"| {percent(serial)} | {percent(wait)} | {ratio(best, torch)} | {ratio(best, keras)} "
              f"| {ratio(one, faster)} |")
    print(f"\nCohort: {'; '.join(sorted(kernels))}. Each figure is the median of its rounds; every round, in order:\n")
    print("| workload | batch | Cohort 1×2 | Cohort 2×1 | PyTorch | Keras/TF | 1×2 serial (%) |")
    print("|---|---|---|---|---|---|---|")
    for workload, batch in rows:
        found = runs[(workload, batch)]
        listed = lambda results, key=lambda r: r["images_per_sec"], spec=".2f": ", ".join(fmt(key(r), spec) for r in results) or "–"  # noqa: E731
        serials = listed(found.get("1x2", []), lambda r: r.get("serial_fraction") and r["serial_fraction"] * 100, ".1f")
        print(f"| {workload} | {batch} | {listed(found.get('1x2', []))} | {listed(found.get('2x1', []))} "
              f"| {listed(found.get('pytorch', []))} | {listed(found.get('keras-tf', []))} | {serials} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
