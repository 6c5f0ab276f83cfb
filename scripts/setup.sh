#!/usr/bin/env bash
# Installs what Cohort needs on Debian 12 (idempotent). As root it installs with apt;
# otherwise it prints the exact command to run. On a ready machine it takes seconds.
set -euo pipefail

packages=(libopenmpi-dev openmpi-bin libopenblas-dev libturbojpeg0-dev libpng-dev zlib1g-dev dataset-fashion-mnist pkg-config)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present (${packages[*]})"
else
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: missing packages: ${missing[*]}" >&2
    echo "setup: run as root:  sudo sh -c '$cmd'" >&2
    exit 1
  fi
fi

if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "setup: swift is in /opt/swift/usr/bin; add it to PATH" >&2
  else
    echo "setup: Swift 6 toolchain not found (expected swift on PATH)" >&2
    exit 1
  fi
fi
