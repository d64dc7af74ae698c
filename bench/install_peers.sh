#!/bin/bash
# Install the peer engines newswire is benchmarked against (see ../shared/bench/peers/README.md).
# Copies the shared, read-only runners to target/peers, installs the Debian packages and builds
# tantivy-cli 0.24.0 into target/peers/tantivy-cli (about 5 min of CPU on 2 cores).
# Usage: bench/install_peers.sh            (idempotent: skips what is already there)
# Env:   SHARED_BENCH (default ../shared/bench relative to the repo), SKIP_APT=1, SKIP_TANTIVY=1
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
SHARED_BENCH="${SHARED_BENCH:-$ROOT/../shared/bench}"
PEERS="$ROOT/target/peers"

if [ ! -d "$PEERS" ]; then
  [ -d "$SHARED_BENCH/peers" ] || { echo "no peers folder at $SHARED_BENCH/peers" >&2; exit 1; }
  mkdir -p "$ROOT/target"
  cp -r "$SHARED_BENCH/peers" "$PEERS"
  rm -rf "$PEERS/idx" "$PEERS/results"
fi

if [ "${SKIP_APT:-0}" != 1 ]; then
  need=()
  for p in liblucene8-java python3-xapian xapian-tools postgresql python3-psycopg2 sqlite3 \
           openjdk-17-jdk-headless time; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${need[@]}"
  fi
fi

if [ "${SKIP_TANTIVY:-0}" != 1 ] && [ ! -x "$PEERS/tantivy-cli/bin/tantivy" ]; then
  # Not --locked: the lock file pins traitobject 0.1.0, which no longer compiles.
  nice cargo install tantivy-cli --version 0.24.0 --root "$PEERS/tantivy-cli"
fi
echo "peers ready in $PEERS"
"$PEERS/tantivy-cli/bin/tantivy" --version 2>/dev/null || true
