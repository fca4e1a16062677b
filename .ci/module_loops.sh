#!/usr/bin/env bash
# No import loop between the modules (files) of any crate of the workspace.
# cargo-modules (rust-analyzer's name resolution) prints each crate's item graph;
# .ci/module_cycles.py folds it into modules and fails on a strongly connected component.
# The check is first shown to fail on a committed graph that has a loop, so it cannot
# silently pass everything.
set -euo pipefail
cd "$(dirname "$0")/.."

# 0.27.0: the last release for rustc 1.95 (0.28 wants 1.98). Built once (~7 minutes),
# then found on PATH.
if ! cargo modules --version 2>/dev/null | grep -q '0.27.0'; then
  cargo install cargo-modules --version 0.27.0 --locked
fi

if python3 .ci/module_cycles.py .ci/module_cycles_fixture.dot >/dev/null; then
  echo "FATAL: the loop check passed a graph with a loop (.ci/module_cycles_fixture.dot)" >&2
  exit 1
fi

out="target/module-graphs"
mkdir -p "$out"
graphs=()
for package in herstelbrug-domain herstelbrug-persistence herstelbrug-openapi herstelbrug-api; do
  cargo modules dependencies -p "$package" --lib --no-externs --no-sysroot \
    > "$out/$package.dot" 2> "$out/$package.log"
  graphs+=("$out/$package.dot")
done
for target in "herstelbrug-api herstelbrug" "herstelbrug-bench herstelbrug-bench"; do
  set -- $target
  cargo modules dependencies -p "$1" --bin "$2" --no-externs --no-sysroot \
    > "$out/$2-bin.dot" 2> "$out/$2-bin.log"
  graphs+=("$out/$2-bin.dot")
done
python3 .ci/module_cycles.py "${graphs[@]}"
echo "no module imports another that imports it back (${#graphs[@]} crate targets)"
