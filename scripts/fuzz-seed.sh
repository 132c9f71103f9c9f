#!/usr/bin/env bash
# Seeds fuzz/corpus/TARGET from the test fixtures (issue 10), then, with RUNS given, runs every
# target that many executions:  scripts/fuzz-seed.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
c=fuzz/corpus
mkdir -p $c/{amount,date,csv_loader,policy,journal,bgmax,nets_ocr,camt,bank_csv}
cp tests/fixtures/samples/bank/bgmax-* $c/bgmax/ 2>/dev/null || true
cp tests/fixtures/samples/bank/ocr-* $c/nets_ocr/ 2>/dev/null || true
cp tests/fixtures/samples/bank/camt* $c/camt/ 2>/dev/null || true
find tests/fixtures -name '*.csv' -exec cp {} $c/csv_loader/ \; -exec cp {} $c/bank_csv/ \;
find tests/fixtures/bank -name '*.xml' -exec cp {} $c/camt/ \; 2>/dev/null || true
cp policy.example.toml $c/policy/
printf 'date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-08,reminder,1,A,60.00,2026-11-18,email+letter,2026-11-08/reminder-1_A_SEK,\n' > $c/journal/seed
for a in '1 234,50' '-12345.50' '1.234,50' '1,234.50' '100' "kr 99,00" '1000000000000000'; do echo -n "$a" > "$c/amount/$(echo "$a" | md5sum | cut -c1-8)"; done
for d in 2026-11-08 08.11.2026 8.11.26 20261108 11/08/2026; do echo -n "$d" > "$c/date/$d" 2>/dev/null || echo -n "$d" > "$c/date/$(echo "$d" | md5sum | cut -c1-8)"; done
if [ $# -gt 0 ]; then
  cd fuzz
  for t in amount date csv_loader policy journal bgmax nets_ocr camt bank_csv; do
    cargo +nightly fuzz run "$t" -- -runs="$1" -max_len=65536 2>&1 | grep -E 'Done [0-9]+ runs|ERROR|panicked' | sed "s/^/$t: /"
  done
fi
