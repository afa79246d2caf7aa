#!/usr/bin/env bash
# Builds the cargo-fuzz target fuzz/fuzz_targets/filter.rs (the OData $filter, $search, $orderby,
# $select parsers) with libFuzzer's coverage instrumentation on the stable toolchain — the flags
# cargo-fuzz itself passes, without needing nightly or cargo-fuzz — and runs it for FUZZ_SECONDS
# (default 30) from the seeds in fuzz/seeds/filter. A crash fails the step and leaves the input in
# fuzz/artifacts/. With nightly and cargo-fuzz installed, `cd fuzz && cargo +nightly fuzz run filter`
# runs the same target with AddressSanitizer.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"
host=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
# An explicit --target keeps the instrumentation out of build scripts, as cargo-fuzz does.
export CARGO_TARGET_DIR="$PWD/target"
cargo build --locked --release --bin filter --target "$host"
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
mkdir -p artifacts
"target/$host/release/filter" -max_total_time="${FUZZ_SECONDS:-30}" -max_len=1024 -timeout=5 \
    -artifact_prefix=artifacts/ -print_final_stats=1 "$corpus" seeds/filter
