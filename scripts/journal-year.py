#!/usr/bin/env python3
"""A year of daily `dun remind` runs, written straight into a generated ledger's journal.csv.

    python3 scripts/journal-year.py --dir DIR [--as-of 2026-11-30] [--days 365] [--company-email]

DIR holds the customers.csv and invoices.csv of `cargo run --release --example gen` (plain
format, not --nordic) and a policy.toml with the default [reminder] settings. Running
`dun remind --as-of D` for every day D of the year before --as-of (inclusive) would journal
exactly these lines; running it on a million invoices takes a while, so this writes them
directly, in the order and format dun writes them:

    D,reminder,INVOICE,CUSTOMER,0.00,D+10,CHANNELS,D/reminder-1_CUSTOMER_CURRENCY,

(D+14 for Norwegian consumers, whose last reminder must give 14 days.)

What it assumes of the ledger and policy (true of gen's ledgers with the bench policy):
no payments.csv, no credit notes, no agreements; reminder.after_days 7, pay_within_days 10,
max 1, fee 0, min_amount 50, channels e-mail and letter; an invoice's customer is in the
register; no segment is manual. An e-mail goes out only when the policy names a company
e-mail (--company-email says it does); a letter when the customer has address, postcode and
city. A customer with neither gets nothing and stays due (remind exits 1 that day).

The first day catches up every invoice already overdue then, as a first run would; each later
day reminds the invoices that became 7 days overdue. An invoice is open on day D unless it was
paid in full on or before D (`paid` counts from `paid_on`, or from the invoice date when
`paid_on` is empty). `scripts/journal-year.py --check DIR` instead runs `dun remind` day by
day on DIR (a small ledger) and compares.
"""

import argparse
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal

AFTER_DAYS = 7
PAY_WITHIN_DAYS = 10
MIN_AMOUNT = Decimal(50)


def sanitize(part):
    """dun's file-name part: ASCII letters, digits, - and _; at most 40 characters."""
    s = "".join(c if (c.isascii() and c.isalnum()) or c in "-_" else "_" for c in part)[:40]
    if not s or set(s) == {"_"}:
        s = f"x{len(s)}"
    return s


def read_customers(path):
    with open(path, encoding="utf-8", newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def reminder_lines(directory, as_of, days, company_email):
    customers = read_customers(os.path.join(directory, "customers.csv"))
    first = as_of - dt.timedelta(days=days - 1)
    # (day, customer, currency first seen, invoice position) → one line per invoice.
    due = []
    with open(os.path.join(directory, "invoices.csv"), encoding="utf-8", newline="") as f:
        for position, r in enumerate(csv.DictReader(f)):
            issued = dt.date.fromisoformat(r["issued"])
            due_date = dt.date.fromisoformat(r["due"])
            day = max(due_date + dt.timedelta(days=AFTER_DAYS), first, issued)
            if day > as_of or day <= due_date:
                continue
            amount, paid = Decimal(r["amount"]), Decimal(r["paid"])
            paid_on = dt.date.fromisoformat(r["paid_on"]) if r["paid_on"] else None
            open_then = amount - paid if paid_on is None or paid_on <= day else amount
            if open_then < MIN_AMOUNT:
                continue
            c = customers[r["customer"]]
            channels = []
            if company_email and c["email"]:
                channels.append("email")
            if c["address"] and c["postcode"] and c["city"]:
                channels.append("letter")
            if not channels:
                continue
            # The last reminder warns of collection: a consumer in Norway must get 14 days for
            # that (Denmark's 10 is the policy's anyway; businesses go by the company's SE law).
            within = 14 if c["country"] == "NO" and c["kind"] == "consumer" else PAY_WITHIN_DAYS
            due.append((day, r["customer"], r["currency"], position, r["number"], "+".join(channels), within))
    # Letters go out sorted by customer (then step, always 1 here); a customer's currencies in
    # the order its invoices come in the file, and each letter's invoices in file order.
    first_seen = {}
    for day, customer, currency, position, *_ in due:
        key = (day, customer, currency)
        first_seen[key] = min(first_seen.get(key, position), position)
    due.sort(key=lambda x: (x[0], x[1], first_seen[(x[0], x[1], x[2])], x[3]))
    for day, customer, currency, _, number, channels, within in due:
        until = day + dt.timedelta(days=within)
        ref = f"{day}/reminder-1_{sanitize(customer)}_{currency}"
        yield f"{day},reminder,{number},{customer},0.00,{until},{channels},{ref},\n"


def write(directory, as_of, days, company_email):
    path = os.path.join(directory, "journal.csv")
    tmp = path + ".tmp"
    count = 0
    with open(tmp, "w", encoding="utf-8", newline="") as out:
        out.write("date,event,invoice,customer,amount,until,channel,ref,note\n")
        for line in reminder_lines(directory, as_of, days, company_email):
            out.write(line)
            count += 1
    os.replace(tmp, path)
    print(f"journal-year: {count} reminder lines -> {path}", file=sys.stderr)


def check(directory, as_of, days, company_email, dun):
    """Runs `dun remind` day by day on a copy of DIR and compares its journal with ours."""
    with tempfile.TemporaryDirectory() as tmp:
        real = os.path.join(tmp, "real")
        ours = os.path.join(tmp, "ours")
        for d in (real, ours):
            os.mkdir(d)
            for name in ("customers.csv", "invoices.csv", "policy.toml"):
                shutil.copy(os.path.join(directory, name), d)
        for i in range(days):
            day = as_of - dt.timedelta(days=days - 1 - i)
            subprocess.run(
                [dun, "remind", "--dir", real, "--as-of", str(day), "--out", os.path.join(tmp, "out")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        write(ours, as_of, days, company_email)
        with open(os.path.join(real, "journal.csv"), encoding="utf-8") as f:
            a = f.read()
        with open(os.path.join(ours, "journal.csv"), encoding="utf-8") as f:
            b = f.read()
        if a == b:
            print(f"journal-year: the same as {days} daily `dun remind` runs ({a.count(chr(10)) - 1} lines)")
            return 0
        la, lb = a.splitlines(), b.splitlines()
        print(f"journal-year: DIFFERENT: dun {len(la)} lines, ours {len(lb)}", file=sys.stderr)
        for x, y in zip(la, lb):
            if x != y:
                print(f"  dun:  {x}\n  ours: {y}", file=sys.stderr)
                break
        return 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", required=True)
    p.add_argument("--as-of", default="2026-11-30")
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--company-email", action="store_true", help="the policy names a company e-mail")
    p.add_argument("--check", metavar="DUN", help="run this dun binary day by day instead and compare")
    a = p.parse_args()
    as_of = dt.date.fromisoformat(a.as_of)
    if a.check:
        sys.exit(check(a.dir, as_of, a.days, a.company_email, a.check))
    write(a.dir, as_of, a.days, a.company_email)


if __name__ == "__main__":
    main()
