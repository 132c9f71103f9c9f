#!/usr/bin/env bash
# Aging report of a generated ledger: `dun report` against the DuckDB reference query.
#
#   scripts/bench-vs-duckdb.sh [N]      N invoices, default 1000000 (N/10 customers)
#   scripts/bench-vs-duckdb.sh N1 N2 ...  each size in turn (e.g. 1000000 5000000 10000000),
#                                         then a scaling table: dun's wall time as a fraction
#                                         of DuckDB's at each size (the target: 0.5 or less)
#
# Generates the ledger with `cargo run --release --example gen`, builds dun in release, runs
#   dun report --dir DIR --as-of 2026-11-30 --format csv -o OUT1
#   python3 scripts/aging_duckdb.py --dir DIR --as-of 2026-11-30 --by-currency --out OUT2
# RUNS times each (default 5) under /usr/bin/time, prints the median wall time and peak RSS of
# both, then checks that the two CSVs hold the same numbers (rows sorted, header and names aside).
# Exit status 1 when they differ.
#
# Needs GNU time (/usr/bin/time) and python3. The duckdb Python module (PyPI) is installed with
# `python3 -m pip install duckdb==2.0.1` when python3 cannot import it (set NO_INSTALL=1 to stop
# with a message instead).
# Environment: RUNS (default 5), CARGO_TARGET_DIR, DUN_BIN / GEN_BIN (use these binaries instead
# of building), KEEP=1 (keep the temporary directory).
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/.." && pwd)

# Several sizes: this script once per size (one build), then the table of all of them.
if (( $# > 1 )); then
    if [[ -z ${DUN_BIN:-} || -z ${GEN_BIN:-} ]]; then
        echo "building dun and the gen example (release) ..." >&2
        cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" --bin dun --example gen
        export DUN_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/dun
        export GEN_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/gen
    fi
    status=0
    rows=()
    for n in "$@"; do
        out=$(bash "$0" "$n") || status=1
        printf '%s\n' "$out"
        dun_line=$(awk '$1 == "dun" { print $2, $3 }' <<<"$out")
        duck_line=$(awk '$1 == "duckdb" { print $2, $3 }' <<<"$out")
        rows+=("$n $dun_line $duck_line")
    done
    printf '\n%12s %10s %10s %12s %12s %10s\n' invoices "dun s" "duckdb s" "dun MB" "duckdb MB" "dun/duckdb"
    for row in "${rows[@]}"; do
        read -r n dw dm kw km <<<"$row"
        printf '%12s %10s %10s %12s %12s %10s\n' "$n" "$dw" "$kw" "$dm" "$km" \
            "$(awk -v a="$dw" -v b="$kw" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
    done
    exit "$status"
fi
DUCK="$HERE/aging_duckdb.py"
N=${1:-1000000}
RUNS=${RUNS:-5}
AS_OF=2026-11-30

die() { echo "bench-vs-duckdb: $*" >&2; exit 2; }

[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, not '$N'"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is missing; install it (Debian/Ubuntu: apt-get install time)"
/usr/bin/time -f '%e %M' true 2>/dev/null || die "/usr/bin/time is not GNU time (no -f)"
command -v python3 >/dev/null || die "python3 is missing"
[[ -f $DUCK ]] || die "$DUCK not found"
if ! python3 -c 'import duckdb' 2>/dev/null; then
    [[ ${NO_INSTALL:-0} == 1 ]] && die "the duckdb Python module is missing: python3 -m pip install duckdb"
    echo "installing the duckdb Python module (python3 -m pip install duckdb==2.0.1) ..." >&2
    python3 -m pip install --quiet --disable-pip-version-check duckdb==2.0.1 ||
        python3 -m pip install --quiet --disable-pip-version-check --break-system-packages duckdb==2.0.1 ||
        die "could not install the duckdb Python module; install it yourself: python3 -m pip install duckdb"
    python3 -c 'import duckdb' 2>/dev/null || die "the duckdb Python module still cannot be imported"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dun-bench.XXXXXX")
if [[ ${KEEP:-0} == 1 ]]; then
    echo "keeping $TMP" >&2
else
    trap 'rm -rf -- "$TMP"' EXIT
fi

# --- build ---------------------------------------------------------------------------------------
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [[ -z ${DUN_BIN:-} || -z ${GEN_BIN:-} ]]; then
    echo "building dun and the gen example (release) ..." >&2
    cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" --bin dun --example gen
fi
DUN=${DUN_BIN:-$TARGET_DIR/release/dun}
GEN=${GEN_BIN:-$TARGET_DIR/release/examples/gen}
[[ -x $DUN ]] || die "$DUN not found"
[[ -x $GEN ]] || die "$GEN not found"

# --- ledger --------------------------------------------------------------------------------------
LEDGER="$TMP/ledger"
"$GEN" --invoices "$N" --out "$LEDGER"
cat >"$LEDGER/policy.toml" <<'EOF'
[company]
name = "Benchmark AB"
country = "SE"
currency = "SEK"
EOF
size_mb=$(du -sm "$LEDGER" | cut -f1)

# --- runs ----------------------------------------------------------------------------------------
# run NAME CMD...: RUNS timed runs; "wall_s rss_kb" lines in $TMP/NAME.times
run() {
    local name=$1
    shift
    : >"$TMP/$name.times"
    for ((i = 1; i <= RUNS; i++)); do
        if ! /usr/bin/time -f '%e %M' -a -o "$TMP/$name.times" "$@" >"$TMP/$name.stdout" 2>"$TMP/$name.stderr"; then
            echo "bench-vs-duckdb: $name failed (run $i): $*" >&2
            cat "$TMP/$name.stderr" >&2
            exit 1
        fi
    done
}

# median of column COL (1 = wall s, 2 = RSS KB) of FILE
median() {
    sort -n -k"$2,$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END {
        if (NR % 2) m = v[(NR + 1) / 2]; else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
        print m }'
}

OUT1="$TMP/dun.csv"
OUT2="$TMP/duckdb.csv"
echo "running each $RUNS times on $N invoices ..." >&2
run dun "$DUN" report --dir "$LEDGER" --as-of "$AS_OF" --format csv -o "$OUT1"
run duckdb python3 "$DUCK" --dir "$LEDGER" --as-of "$AS_OF" --by-currency --out "$OUT2"

printf '\n%s invoices, %s customers, %s MB of CSV; median of %s runs\n\n' \
    "$N" "$(( N / 10 > 0 ? N / 10 : 1 ))" "$size_mb" "$RUNS"
printf '%-12s %10s %14s\n' "" "wall s" "peak RSS MB"
for name in dun duckdb; do
    wall=$(median "$TMP/$name.times" 1)
    rss=$(median "$TMP/$name.times" 2)
    printf '%-12s %10.2f %14.1f\n' "$name" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
done
echo

# --- same numbers? -------------------------------------------------------------------------------
python3 - "$OUT1" "$OUT2" <<'PY'
import csv
import sys
from decimal import Decimal, InvalidOperation

COLS = ("not_due", "1-30", "31-60", "61-90", "91+", "total")


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        r = csv.DictReader(f)
        missing = [c for c in ("customer", "currency") + COLS if c not in (r.fieldnames or [])]
        if missing:
            sys.exit(f"{path}: missing columns {missing} (header: {r.fieldnames})")
        out = []
        for line in r:
            try:
                nums = tuple(Decimal(line[c]) for c in COLS)
            except InvalidOperation as e:
                sys.exit(f"{path}: not a number in {line}: {e}")
            out.append((line["customer"], line["currency"]) + nums)
    return sorted(out)


a, b = rows(sys.argv[1]), rows(sys.argv[2])
fmt = lambda r: ",".join(str(x) for x in r)
only_a = sorted(set(a) - set(b))
only_b = sorted(set(b) - set(a))
if not only_a and not only_b and len(a) == len(b):
    totals = [r for r in a if r[0] == "TOTAL"]
    print(f"numbers agree: {len(a)} rows ({len(totals)} TOTAL rows)")
    for t in totals:
        print(f"  TOTAL {t[1]}: " + " ".join(f"{c}={v}" for c, v in zip(COLS, t[2:])))
    sys.exit(0)
print(f"numbers DIFFER: dun {len(a)} rows, duckdb {len(b)} rows")
for r in only_a[:10]:
    print("  only dun:    " + fmt(r))
for r in only_b[:10]:
    print("  only duckdb: " + fmt(r))
sys.exit(1)
PY
