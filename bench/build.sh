# Sourced by bench/run.sh and bench/scale.sh: builds the release `newswire` binary and
# examples/bench_search, and sets NW, BENCH_SEARCH_BIN and BUILT_FROM.
# BUILD_FROM=REV (e.g. HEAD) builds that commit, exported with `git archive` to
# target/bench-src/REV and compiled in target/bench-build, so a benchmark measures a
# known commit even while the working tree is being edited.
if [ -n "${BUILD_FROM:-}" ]; then
  rev="$(git -C "$ROOT" rev-parse --short "$BUILD_FROM")"
  src="$ROOT/target/bench-src/$rev"
  if [ ! -f "$src/Cargo.toml" ]; then
    mkdir -p "$src"
    git -C "$ROOT" archive "$rev" | tar -x -C "$src"
  fi
  export CARGO_TARGET_DIR="$ROOT/target/bench-build"
  (cd "$src" && cargo build --release --bin newswire --example bench_search >&2)
  unset CARGO_TARGET_DIR
  NW="$ROOT/target/bench-build/release/newswire"
  BENCH_SEARCH_BIN="$ROOT/target/bench-build/release/examples/bench_search"
  BUILT_FROM="commit $rev"
else
  (cd "$ROOT" && cargo build --release --bin newswire --example bench_search >&2)
  NW="$ROOT/target/release/newswire"
  BENCH_SEARCH_BIN="$ROOT/target/release/examples/bench_search"
  BUILT_FROM="working tree at $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo ' (modified)')"
fi
