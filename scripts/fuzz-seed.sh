#!/usr/bin/env bash
# Fuzzing dun's parsers (issue 10). Seeds fuzz/corpus/TARGET from the test fixtures; with RUNS
# given, builds the targets and runs each for RUNS executions, one target at a time (or the
# TARGETs named), printing executions, seconds and any crash per target:
#   scripts/fuzz-seed.sh [RUNS [TARGET...]]
# The build is release with debug assertions and overflow checks, without AddressSanitizer:
#   cargo +nightly fuzz build -O -a --sanitizer none
# dun is safe Rust, so ASan has little to find and made the build take half an hour on a shared
# two-core machine; libFuzzer still stops at any panic, abort, arithmetic overflow, timeout or
# out-of-memory and writes the input to fuzz/artifacts/TARGET/. For ASan, drop `--sanitizer none`.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(amount date csv_loader policy journal bgmax nets_ocr camt bank_csv ktl)
c=fuzz/corpus
for t in "${targets[@]}"; do mkdir -p "$c/$t"; done
cp tests/fixtures/samples/bank/bgmax-* tests/fixtures/bank/bgmax-* $c/bgmax/
cp tests/fixtures/samples/bank/ocr-* tests/fixtures/bank/nets-* $c/nets_ocr/
cp tests/fixtures/samples/bank/camt* tests/fixtures/bank/camt* $c/camt/
cp tests/fixtures/bank/*.ktl $c/ktl/
find tests/fixtures -name '*.csv' -exec cp {} $c/csv_loader/ \; -exec cp {} $c/bank_csv/ \;
cp policy.example.toml $c/policy/
printf 'date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-08,reminder,1,A,60.00,2026-11-18,email+letter,2026-11-08/reminder-1_A_SEK,\n' > $c/journal/seed
printf 'date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-08,note,1,A,,,,,"called, no answer\n""again"""\n2026-11-09,promise,1,A,100.00,2026-11-20,,,\n' > $c/journal/quoted
for a in '1 234,50' '-12345.50' '1.234,50' '1,234.50' '100' "kr 99,00" '1000000000000000'; do echo -n "$a" > "$c/amount/$(echo "$a" | md5sum | cut -c1-8)"; done
for d in 2026-11-08 08.11.2026 8.11.26 20261108 11/08/2026; do echo -n "$d" > "$c/date/$(echo "$d" | md5sum | cut -c1-8)"; done
[ $# -gt 0 ] || exit 0
runs=$1
shift
[ $# -gt 0 ] && targets=("$@")
(cd fuzz && cargo +nightly fuzz build -O -a --sanitizer none)
bin=fuzz/target/x86_64-unknown-linux-gnu/release
mkdir -p fuzz/artifacts
for t in "${targets[@]}"; do
  mkdir -p "fuzz/artifacts/$t"
  log=$(mktemp)
  status=0
  "$bin/$t" -runs="$runs" -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" "$c/$t" >"$log" 2>&1 || status=$?
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  secs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE 'in [0-9]+' | grep -oE '[0-9]+' || echo '?')
  echo "$t: $execs executions, $secs s, exit $status$(grep -m1 -E 'panicked|ERROR: libFuzzer' "$log" | sed 's/^/, /')"
  rm -f "$log"
done
