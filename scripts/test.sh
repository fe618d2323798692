#!/usr/bin/env bash
# Runs the whole suite with node's test runner. Node 20 does not expand quoted globs and its
# default patterns skip .ts files, so the shell lists the files. Pass files to run a subset.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' | LC_ALL=C sort); fi
exec node --import tsx --test --test-reporter=spec "${files[@]}"
