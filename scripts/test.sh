#!/usr/bin/env bash
# The test command: installs dependencies, builds in release and runs the whole suite in release.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. scripts/env.sh

# The checkpoint tests read Cohort's files with Python's safetensors and numpy, the TensorBoard
# test with the tensorboard package's event loader, the ONNX export tests run onnxruntime.
if ! python3 -c "import safetensors, numpy, tensorboard, onnxruntime" 2>/dev/null; then
  if ! python3 -m pip --version >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  { python3 -m pip install --quiet safetensors numpy tensorboard onnxruntime \
    || python3 -m pip install --quiet --break-system-packages safetensors numpy tensorboard onnxruntime; } \
    || { echo "test.sh: cannot install safetensors, numpy, tensorboard and onnxruntime with pip" >&2; exit 1; }
fi

# One release build with testing enabled serves the test targets and the `cohort` executable the
# distributed tests launch (a plain `swift build -c release` first would compile everything twice).
swift build -c release --build-tests -Xswiftc -enable-testing
# Every test has its own timeout; this bound catches anything else so a run always ends.
status=0
timeout --kill-after=30 45m swift test -c release -Xswiftc -enable-testing --skip-build "$@" || status=$?

# A process a test left behind (a stopped rank, an orphaned MPI daemon) would keep whoever waits on
# this script waiting: name and end it, and fail the run.
leftovers=$(pgrep -f "$PWD/\.build/|(^|/)(orted|prted)( |$)|/tmp/cohort-slurm" || true)
if [ -n "$leftovers" ]; then
  echo "test.sh: processes left behind by the tests (killed):" >&2
  ps -o pid,stat,etime,args -p "$(echo $leftovers | tr ' ' ,)" >&2 || true
  kill -KILL $leftovers 2>/dev/null || true
  [ "$status" -ne 0 ] || status=1
fi
exit $status
