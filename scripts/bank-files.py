#!/usr/bin/env python3
"""Bank files of incoming payments for a generated ledger, to time `dun import` with.

    python3 scripts/bank-files.py --dir DIR --payments N [--format bgmax|camt054|csv|nets|ktl]
                                  [--out FILE]
                                  [--mix turns|ocr]

DIR holds the customers.csv and invoices.csv of `cargo run --release --example gen` (plain
format). The payments pay the ledger's open invoices (amount - paid > 0), taken evenly through
the file (again from the start when N is larger than the open invoices), in turns:

  1. by the invoice's payment reference (BgMax reference code 2, camt `Strd/CdtrRefInf/Ref`,
     the CSV's reference column);
  2. by the invoice number in the remittance text ("Faktura 123456"; BgMax TK25);
  3. by the payer's name (the customer's) and the open amount, nothing else;
  4. every tenth payment pays nothing known: an amount and a name no customer has.

With `--mix ocr` the file looks like a bankgiro's day-to-day: of every 20 payments 17 pay by
reference (OCR), one by the invoice number in the text, one by name and amount, and one pays
nothing known. The BgMax file is then written as it is generated, so millions of payments
(`--payments 3600000`, the size `scripts/import-memory.sh` measures) need little memory here.

A BgMax file reports SEK only, so it pays the SEK invoices; a Nets OCR giro file (`nets`) the
NOK ones (by KID, or an amount item 3 text; no payer name in the format), a KTL file (`ktl`,
Finnish reference payments) the EUR ones (by reference; a name in the payer field, 12
characters); camt.054 and CSV pay all. BgMax, Nets, KTL and camt.054 files are written as
generated. Payment dates are the 7 days up to --as-of (default 2026-11-30), one BgMax section (TK05 … TK15) or
camt entry date per day. The CSV is `;`-separated UTF-8 with a decimal comma and the columns
Bokföringsdag;Belopp;Referens;Meddelande;Avsändare;Transaktions-id (name them in policy.toml's
[import.csv]). The same arguments always give the same bytes.
"""

import argparse
import csv
import datetime as dt
import os
import sys
from decimal import Decimal


def open_invoices(directory, currency):
    names = {}
    with open(os.path.join(directory, "customers.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            names[r["id"]] = r["name"]
    out = []
    with open(os.path.join(directory, "invoices.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if currency and r["currency"] != currency:
                continue
            left = Decimal(r["amount"]) - Decimal(r["paid"])
            if left > 0:
                out.append((r["number"], r["reference"], left, r["currency"], names.get(r["customer"], "")))
    return out


def payment_kind(i, mix):
    """0 reference, 1 invoice number, 2 name and amount, 3 nothing known."""
    if mix == "ocr":
        return {17: 1, 18: 2, 19: 3}.get(i % 20, 0)
    return 3 if i % 10 == 9 else i % 3


def payments(directory, n, currency, as_of, mix="turns"):
    invoices = open_invoices(directory, currency)
    if not invoices:
        sys.exit("bank-files: the ledger has no open invoices to pay")
    step = max(1, len(invoices) // max(1, n))
    for i in range(n):
        number, reference, left, cur, name = invoices[(i * step) % len(invoices)]
        day = as_of - dt.timedelta(days=6 - (i * 7 // n))
        kind = payment_kind(i, mix)
        if kind == 3:
            yield day, Decimal(1000 + i % 997) + Decimal("0.37"), cur, None, None, f"Okänd Betalare {i}"
        elif kind == 0 and reference:
            yield day, left, cur, reference, None, None
        elif kind == 1 or not reference:
            yield day, left, cur, None, f"Faktura {number}", None
        else:
            yield day, left, cur, None, None, name


def latin1(text, width):
    b = text.encode("latin-1", "replace")[:width]
    return b + b" " * (width - len(b))


def bgmax(rows, as_of, sink=None):
    """The BgMax bytes of `rows`; written to `sink` section by section when one is given."""
    out = []
    rec = lambda *parts: out.append(b"".join(parts).ljust(80, b" ")[:80] + b"\r\n")

    def flush():
        if sink is not None:
            sink.write(b"".join(out))
            out.clear()

    rec(b"01", latin1("BGMAX", 20), b"01", as_of.strftime("%Y%m%d").encode() + b"063000000000", b"P")
    counts = [0, 0, 0, 0]
    serial = 0
    for section, (day, items) in enumerate(by_day(rows)):
        rec(b"05", b"0009912346", b" " * 10, b"SEK")
        total = 0
        for _, amount, _, reference, message, payer in items:
            serial += 1
            ore = int(amount * 100)
            total += ore
            ref = reference.rjust(25).encode() if reference else b" " * 25
            code = b"2" if reference else b"0"
            rec(b"20", b"0000000000", ref, b"%018d" % ore, code, b"1", b"%012d" % serial, b"0")
            counts[0] += 1
            if message:
                rec(b"25", latin1(message, 50))
            if payer:
                rec(b"26", latin1(payer, 35))
        rec(
            b"15",
            latin1("00000000000000000000123456789012", 35),
            day.strftime("%Y%m%d").encode(),
            b"%05d" % (section + 1),
            b"%018d" % total,
            b"SEK",
            b"%08d" % len(items),
            b" ",
        )
        counts[3] += 1
        flush()
    rec(b"70", b"%08d" % counts[0], b"%08d" % counts[1], b"%08d" % counts[2], b"%08d" % counts[3])
    flush()
    return b"".join(out)


def nets(rows, as_of, sink):
    """A Nets OCR giro file of `rows` (one assignment), written to `sink` record by record."""
    records = 0

    def rec(*parts):
        nonlocal records
        records += 1
        sink.write(b"".join(parts).ljust(80, b"0")[:80] + b"\r\n")

    rec(b"NY000010", b"55555555", b"1000001", b"00008080")
    rec(b"NY090020", b"000000000", b"0000001", b"99991111111")
    n, total = 0, 0
    for day, amount, _, reference, message, payer in rows:
        n += 1
        ore = int(amount * 100)
        total += ore
        kid = (reference or "").rjust(25).encode()
        rec(b"NY091330", b"%07d" % n, day.strftime("%d%m%y").encode(), b"0" * 10, b"0", b"%017d" % ore, kid)
        rec(b"NY091331", b"%07d" % n)
        # Nets has no payer's name: an unknown payer's goes in the item 3 text here.
        if message or payer:
            rec(b"NY091332", b"%07d" % n, latin1(message or payer, 40))
    rec(b"NY090088", b"%08d" % n, b"%08d" % records, b"%017d" % total)
    rec(b"NY000089", b"%08d" % n, b"%08d" % (records + 1), b"%017d" % total, as_of.strftime("%d%m%y").encode())


def ktl(rows, as_of, sink):
    """A KTL reference-payment file of `rows` (one batch), written to `sink` record by record."""
    rec = lambda *parts: sink.write(b"".join(parts).ljust(90, b" ")[:90] + b"\r\n")
    rec(b"0", as_of.strftime("%y%m%d").encode(), b"0630", b"99", b"123456789", b"1")
    n, total = 0, 0
    for day, amount, _, reference, message, payer in rows:
        n += 1
        cents = int(amount * 100)
        total += cents
        date = day.strftime("%y%m%d").encode()
        ref = (reference or "").encode().rjust(20, b"0")
        rec(b"3", b"12345600000785", date, date, b"%016d" % n, ref, latin1(payer or "", 12), b"1", b"A", b"%010d" % cents, b"0", b"A", b" ")
    rec(b"9", b"%06d" % n, b"%011d" % total, b"%06d" % 0, b"%011d" % 0)


def by_day(rows):
    """(day, rows of that day) in day order; rows come in day order when streamed."""
    if isinstance(rows, list):
        days = {}
        for row in rows:
            days.setdefault(row[0], []).append(row)
        yield from sorted(days.items())
        return
    day, items = None, []
    for row in rows:
        if items and row[0] != day:
            yield day, items
            items = []
        day = row[0]
        items.append(row)
    if items:
        yield day, items


def xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def camt054(rows, as_of, sink):
    """A camt.054 notification of `rows` (one Ntfctn), written to `sink` entry by entry."""
    sink.write((
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">\n'
        "  <BkToCstmrDbtCdtNtfctn>\n"
        f"    <GrpHdr>\n      <MsgId>BENCH{as_of:%Y%m%d}</MsgId>\n"
        f"      <CreDtTm>{as_of}T06:30:00</CreDtTm>\n    </GrpHdr>\n"
        "    <Ntfctn>\n      <Id>N1</Id>\n"
        "      <Acct>\n        <Id>\n          <IBAN>SE4550000000058398257466</IBAN>\n        </Id>\n"
        "      </Acct>\n"
    ).encode("utf-8"))
    for i, (day, amount, cur, reference, message, payer) in enumerate(rows):
        rmt = ""
        if reference:
            rmt = (
                "            <RmtInf>\n              <Strd>\n                <CdtrRefInf>\n"
                f"                  <Ref>{xml(reference)}</Ref>\n"
                "                </CdtrRefInf>\n              </Strd>\n            </RmtInf>\n"
            )
        elif message:
            rmt = f"            <RmtInf>\n              <Ustrd>{xml(message)}</Ustrd>\n            </RmtInf>\n"
        party = ""
        if payer:
            party = (
                "            <RltdPties>\n              <Dbtr>\n"
                f"                <Nm>{xml(payer)}</Nm>\n"
                "              </Dbtr>\n            </RltdPties>\n"
            )
        sink.write((
            "      <Ntry>\n"
            f'        <Amt Ccy="{cur}">{amount:.2f}</Amt>\n'
            "        <CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts>BOOK</Sts>\n"
            f"        <BookgDt>\n          <Dt>{day}</Dt>\n        </BookgDt>\n"
            "        <NtryDtls>\n          <TxDtls>\n"
            f"            <Refs>\n              <AcctSvcrRef>BENCH{i:09d}</AcctSvcrRef>\n            </Refs>\n"
            f'            <AmtDtls>\n              <TxAmt>\n                <Amt Ccy="{cur}">{amount:.2f}</Amt>\n'
            "              </TxAmt>\n            </AmtDtls>\n"
            f"{party}{rmt}"
            "          </TxDtls>\n        </NtryDtls>\n      </Ntry>\n"
        ).encode("utf-8"))
    sink.write(b"    </Ntfctn>\n  </BkToCstmrDbtCdtNtfctn>\n</Document>\n")


def bank_csv(rows):
    out = ["Bokföringsdag;Belopp;Referens;Meddelande;Avsändare;Transaktions-id\r\n"]
    for i, (day, amount, _, reference, message, payer) in enumerate(rows):
        fields = [str(day), f"{amount:.2f}".replace(".", ","), reference or "", message or "", payer or "", f"B{i:09d}"]
        out.append(";".join('"' + f.replace('"', '""') + '"' if ";" in f or '"' in f else f for f in fields) + "\r\n")
    return "".join(out).encode("utf-8")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", required=True)
    p.add_argument("--payments", type=int, required=True)
    p.add_argument("--format", choices=["bgmax", "camt054", "csv", "nets", "ktl"], default="bgmax")
    p.add_argument("--as-of", default="2026-11-30")
    p.add_argument("--out", help="default: DIR/../FORMAT-N.(txt|xml|csv)")
    p.add_argument("--mix", choices=["turns", "ocr"], default="turns")
    a = p.parse_args()
    as_of = dt.date.fromisoformat(a.as_of)
    ext = {"bgmax": "txt", "camt054": "xml", "csv": "csv", "nets": "txt", "ktl": "txt"}[a.format]
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(a.dir)), f"{a.format}-{a.payments}.{ext}")
    currency = {"bgmax": "SEK", "nets": "NOK", "ktl": "EUR"}.get(a.format)
    generated = payments(a.dir, a.payments, currency, as_of, a.mix)
    if a.format in ("bgmax", "nets", "ktl", "camt054"):
        with open(out, "wb") as f:
            {"bgmax": bgmax, "nets": nets, "ktl": ktl, "camt054": camt054}[a.format](generated, as_of, f)
        print(f"bank-files: {a.payments} payments -> {out}", file=sys.stderr)
        return
    rows = list(generated)
    data = bank_csv(rows)
    with open(out, "wb") as f:
        f.write(data)
    print(f"bank-files: {len(rows)} payments -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
