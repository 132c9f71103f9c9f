#!/usr/bin/env bash
# Peak memory and time of `dun import` on a large BgMax file (not part of `cargo test`).
#
#   scripts/import-memory.sh [PAYMENTS] [INVOICES]     defaults 3600000 and 1000000
#
# FORMAT=camt054 (or nets, ktl, csv; any `bank-files.py --format`) measures that format instead
# (csv: policy.toml gets the [import.csv] columns of bank-files.py's export). PRELOAD=nets (any
# format) first imports a file of PAYMENTS payments of that format, unmeasured, so that the
# measured import goes into a ledger whose payments.csv and unmatched.csv are already large.
#
# Generates a ledger (`scripts/gen.py`, INVOICES invoices, INVOICES/10 customers) and a BgMax
# file of PAYMENTS payments (`scripts/bank-files.py --mix ocr`: 17 of 20 pay by reference, the
# rest by invoice number, by name and amount, or nothing known), then runs
#   dun import FILE --dir LEDGER --as-of 2026-11-30 -q
# under /usr/bin/time and prints wall time, CPU time (user+sys) and peak RSS. With BASE_BIN (a
# dun binary to compare with), runs that too on a copy of the ledger and checks that both
# write the same payments.csv, unmatched.csv, journal.csv and imports.csv, byte for byte.
#
# Needs GNU time (/usr/bin/time) and python3; installs nothing. The files take about 1.5 GB
# for 3.6M payments (more with BASE_BIN) in a temporary directory, removed at the end.
# Environment: DUN_BIN (use this binary instead of building), BASE_BIN, KEEP=1 (keep the
# temporary directory), TMPDIR.
set -euo pipefail

HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$HERE/.." && pwd)
PAYMENTS=${1:-3600000}
INVOICES=${2:-1000000}

die() { echo "import-memory: $*" >&2; exit 2; }

[[ $PAYMENTS =~ ^[1-9][0-9]*$ ]] || die "PAYMENTS must be a positive integer, not '$PAYMENTS'"
[[ $INVOICES =~ ^[1-9][0-9]*$ ]] || die "INVOICES must be a positive integer, not '$INVOICES'"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is missing; install it (Debian/Ubuntu: apt-get install time)"
command -v python3 >/dev/null || die "python3 is missing"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/dun-import-memory.XXXXXX")
if [[ ${KEEP:-0} == 1 ]]; then
    echo "keeping $TMP" >&2
else
    trap 'rm -rf -- "$TMP"' EXIT
fi

if [[ -z ${DUN_BIN:-} ]]; then
    echo "building dun (release) ..." >&2
    cargo build --quiet --release --manifest-path "$ROOT/Cargo.toml" --bin dun
fi
DUN=${DUN_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/dun}
[[ -x $DUN ]] || die "$DUN not found"

LEDGER="$TMP/ledger"
python3 "$HERE/gen.py" --invoices "$INVOICES" --out "$LEDGER" >/dev/null
cat >"$LEDGER/policy.toml" <<'EOF'
[company]
name = "Benchmark AB"
country = "SE"
currency = "SEK"
EOF
FORMAT=${FORMAT:-bgmax}
if [[ $FORMAT == csv || ${PRELOAD:-} == csv ]]; then
    cat >>"$LEDGER/policy.toml" <<'EOF'
[import.csv]
date = "Bokföringsdag"
amount = "Belopp"
reference = "Referens"
message = "Meddelande"
payer = "Avsändare"
transaction_id = "Transaktions-id"
EOF
fi
# bank_file FORMAT: generates a file of PAYMENTS payments of FORMAT; prints its path.
bank_file() {
    local ext
    case $1 in camt054) ext=xml ;; csv) ext=csv ;; *) ext=txt ;; esac
    local out="$TMP/$1-$PAYMENTS.$ext"
    python3 "$HERE/bank-files.py" --dir "$LEDGER" --payments "$PAYMENTS" --format "$1" --mix ocr --out "$out" >&2
    echo "$out"
}
BANK=$(bank_file "$FORMAT")
# A file of millions of payments is larger than the default limit for a bank file.
MB=$(( $(stat -c %s "$BANK") / 1048576 + 1 ))
export DUN_BANK_MAX_MB=$(( MB > 256 ? MB : 256 ))
if [[ -n ${PRELOAD:-} ]]; then
    FIRST=$(bank_file "$PRELOAD")
    FIRST_MB=$(( $(stat -c %s "$FIRST") / 1048576 + 1 ))
    (( FIRST_MB <= DUN_BANK_MAX_MB )) || DUN_BANK_MAX_MB=$FIRST_MB
    "$DUN" import "$FIRST" --dir "$LEDGER" --as-of 2026-11-30 -q
    echo "imported first, unmeasured: $PAYMENTS $PRELOAD payments ($(( $(wc -l <"$LEDGER/payments.csv") - 1 )) lines in payments.csv)"
fi

# run BINARY DIR: imports the file into DIR; prints "wall_s cpu_s peak_MiB".
run() {
    local stats
    stats=$(/usr/bin/time -f '%e %U %S %M' "$1" import "$BANK" --dir "$2" --as-of 2026-11-30 -q 2>&1 >/dev/null | tail -1)
    read -r wall user sys kib <<<"$stats"
    python3 -c "print(f'{$wall:.1f} s wall, {$user + $sys:.1f} s CPU (user+sys), {$kib / 1024:.0f} MiB peak RSS')"
}

if [[ -n ${BASE_BIN:-} ]]; then
    # The preloaded ledger is the same for both: what is compared is the measured import.
    cp -a "$LEDGER" "$TMP/base"
fi
echo "dun import of $PAYMENTS $FORMAT payments ($((MB)) MiB) on $INVOICES invoices: $(run "$DUN" "$LEDGER")"
if [[ -n ${BASE_BIN:-} ]]; then
    echo "the same with $BASE_BIN: $(run "$BASE_BIN" "$TMP/base")"
    for f in payments.csv unmatched.csv journal.csv imports.csv; do
        cmp -s "$LEDGER/$f" "$TMP/base/$f" || { echo "import-memory: $f differs" >&2; exit 1; }
    done
    echo "payments.csv, unmatched.csv, journal.csv and imports.csv are the same byte for byte"
fi
