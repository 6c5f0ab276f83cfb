# Sourced by the scripts: puts Swift on PATH and lets OpenMPI run as root and oversubscribe in tests.
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# OpenBLAS picks its kernels from the CPU itself (and cohort upgrades a pick below the CPU's AVX2 or
# AVX-512). A site-wide OPENBLAS_CORETYPE pin overrides both — this machine's environment pins
# Haswell on an AVX-512 CPU, halving sgemm (220 vs 400 GFLOP/s) — so the scripts drop it unless
# COHORT_KEEP_OPENBLAS_CORETYPE=1. The cohort binary itself always honours the variable.
if [ "${COHORT_KEEP_OPENBLAS_CORETYPE:-0}" != 1 ]; then
  unset OPENBLAS_CORETYPE
fi
