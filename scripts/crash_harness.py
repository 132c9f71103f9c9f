#!/usr/bin/env python3
"""Crash harness for issue 10 (not part of `cargo test`): kills `dun plan`, `import`, `remind`
and `collect` at random points, reruns, and checks that the record is never lost or corrupted.

Each iteration copies a small ledger, runs the day's sequence

    plan 1005 (3 installments) -> import bank.xml -> remind -> collect

and stops one step of it: in a quarter of the iterations inside the journal append
(`DUN_FAULT=journal:N`, N a random byte of the run's lines), in another quarter at a random
staging / commit / rename point while letters are written (`DUN_FAULT=stage:N|commit|committed|
rename:N`), and in the rest by SIGKILL after a random delay. The stopped step is then run
again (as an operator would) and the sequence finished. Checked after every iteration:

- every journal line parses (9 fields; `dun due` reads the ledger without error);
- no (invoice, event, date) line twice, no plan installment twice;
- every journal ref has its file, and every file under out/ has its line (or its batch's);
- no temporary files (`.*.dun-tmp-*`, `.dun-XXXXXX`) and no `.dun-commit.json`;
- no payment (transaction id, invoice) twice in payments.csv;
- every file byte-identical to an uninterrupted run.

A full-disk sweep then runs each step on a small tmpfs (`mount -t tmpfs -o size=4m`, root
needed) filled to leave 0..N bytes free: the step either lands whole or fails leaving every
file as it was; after space is freed the rerun must give the uninterrupted result.

    cargo build && python3 scripts/crash_harness.py --iterations 1000 [--dun target/debug/dun]
"""

import argparse
import csv
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

POLICY = """[company]
name = "Fönster AB"
country = "SE"
currency = "SEK"
email = "faktura@fonster.example"
bankgiro = "5050-1055"
org_no = "556036-0793"
[reminder]
after_days = 7
pay_within_days = 10
fee = "60"
fee_agreed = true
channels = ["email", "letter"]
payments_max_age_days = 60
[interest]
mode = "none"
[collection]
after_days = 10
compensation = "0"
agency = "Inkasso Väst AB"
"""

CUSTOMERS = 30


def ledger_files():
    customers = ["id,name,kind,org_no,country,language,email,phone,address,postcode,city"]
    invoices = ["number,customer,issued,due,amount,currency,reference"]
    for i in range(1, CUSTOMERS + 1):
        cid = f"K{i:02d}" if i % 7 else f"K.{i}"  # ids that must be sanitised too
        customers.append(
            f"{cid},Kund {i} AB,business,556036-0793,SE,sv,k{i}@example.se,,Gatan {i},11122,Stockholm"
        )
        for j in range(2):
            n = 1000 + i * 2 + j
            invoices.append(f"{n},{cid},2026-10-02,2026-11-01,{100 + 37 * i + j}.00,SEK,")
    return {
        "policy.toml": POLICY,
        "customers.csv": "\n".join(customers) + "\n",
        "invoices.csv": "\n".join(invoices) + "\n",
    }


def camt():
    entries = []
    for k, n in enumerate(range(1002, 1022, 2)):
        amount = 100 + 37 * ((n - 1000) // 2)
        entries.append(
            f'<Ntry><Amt Ccy="SEK">{amount}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
            f"<BookgDt><Dt>2026-11-05</Dt></BookgDt><AcctSvcrRef>TX{k}</AcctSvcrRef><NtryDtls><TxDtls>"
            f"<Refs><AcctSvcrRef>TX{k}-1</AcctSvcrRef></Refs><RmtInf><Ustrd>Faktura {n}</Ustrd></RmtInf>"
            f"</TxDtls></NtryDtls></Ntry>"
        )
    entries.append(  # one nobody can place: unmatched.csv
        '<Ntry><Amt Ccy="SEK">999.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        "<BookgDt><Dt>2026-11-05</Dt></BookgDt><AcctSvcrRef>TXU</AcctSvcrRef><NtryDtls><TxDtls>"
        "<Refs><AcctSvcrRef>TXU-1</AcctSvcrRef></Refs><RmtInf><Ustrd>okänd</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        "<BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-06T06:00:00</CreDtTm></GrpHdr>"
        "<Stmt><Id>S1</Id><Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id><Ccy>SEK</Ccy></Acct>\n"
        + "\n".join(entries)
        + "\n</Stmt></BkToCstmrStmt></Document>\n"
    )


STEPS = [
    ("plan", ["plan", "1005", "--installments", "3", "--first", "2026-11-20", "--as-of", "2026-11-05"]),
    ("import", ["import", "BANK", "--as-of", "2026-11-06"]),
    ("remind", ["remind", "--as-of", "2026-11-08"]),
    ("collect", ["collect", "--as-of", "2026-11-29"]),
]


class Harness:
    def __init__(self, dun, root):
        self.dun = os.path.abspath(dun)
        self.root = root
        self.bank = os.path.join(root, "bank.xml")
        with open(self.bank, "w") as f:
            f.write(camt())
        self.figures = {"iterations": 0, "kills": 0, "journal_kills": 0, "write_kills": 0,
                        "signal_kills": 0, "fired": 0, "failures": 0, "disk_runs": 0,
                        "disk_failed_cleanly": 0, "disk_landed": 0}

    def make(self, name):
        d = os.path.join(self.root, name)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for f, text in ledger_files().items():
            with open(os.path.join(d, f), "w") as out:
                out.write(text)
        return d

    def args(self, step, d):
        args = [a if a != "BANK" else self.bank for a in STEPS[step][1]]
        return [self.dun, *args, "--dir", d, "-q"]

    def run(self, step, d, env=None, check=True):
        e = dict(os.environ, DUN_LOCK_WAIT="30", **(env or {}))
        e.pop("DUN_FAULT", None) if not env or "DUN_FAULT" not in env else None
        p = subprocess.run(self.args(step, d), env=e, capture_output=True, text=True)
        # remind/collect exit 1 when a customer needs a person; that is not a crash.
        if check and p.returncode not in (0, 1, 3):
            raise AssertionError(f"{STEPS[step][0]} exited {p.returncode}: {p.stderr}")
        return p

    def state(self, d):
        files = {}
        for base, dirs, names in os.walk(d):
            for n in names:
                if n == ".dun.lock":
                    continue
                p = os.path.join(base, n)
                with open(p, "rb") as f:
                    files[os.path.relpath(p, d)] = f.read()
        return files

    def reference(self):
        d = self.make("reference")
        for step in range(len(STEPS)):
            self.run(step, d)
        self.want = self.state(d)
        self.journal_sizes = {}
        # How many bytes each step appends, for choosing a cut inside it.
        d = self.make("sizes")
        for step in range(len(STEPS)):
            before = self.size(os.path.join(d, "journal.csv"))
            self.run(step, d)
            self.journal_sizes[step] = max(1, self.size(os.path.join(d, "journal.csv")) - before)

    @staticmethod
    def size(p):
        return os.path.getsize(p) if os.path.exists(p) else 0

    def iteration(self, rng):
        d = self.make("work")
        step = rng.randrange(len(STEPS))
        for s in range(step):
            self.run(s, d)
        mode = rng.random()
        if mode < 0.25:
            fault = f"journal:{rng.randrange(self.journal_sizes[step])}"
            self.figures["journal_kills"] += 1
        elif mode < 0.5:
            point = rng.choice(["stage", "stage", "commit", "committed", "rename"])
            fault = f"{point}:{rng.randrange(4) if point in ('stage', 'rename') else 0}"
            self.figures["write_kills"] += 1
        else:
            fault = None
            self.figures["signal_kills"] += 1
        if fault:
            p = self.run(step, d, env={"DUN_FAULT": fault}, check=False)
            if p.returncode < 0:
                self.figures["fired"] += 1
        else:
            proc = subprocess.Popen(self.args(step, d), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env=dict(os.environ, DUN_LOCK_WAIT="30"))
            time.sleep(rng.uniform(0, 0.08))
            proc.send_signal(signal.SIGKILL)
            if proc.wait() < 0:
                self.figures["fired"] += 1
        self.figures["kills"] += 1
        # Between the kill and the rerun, a reader without the lock must read the ledger.
        p = subprocess.run([self.dun, "due", "--dir", d, "--as-of", "2026-11-08", "-q"], capture_output=True, text=True)
        if p.returncode not in (0, 1):
            raise AssertionError(f"due after a kill: {p.stderr}")
        if "error" in p.stderr and "journal.csv" in p.stderr:
            raise AssertionError(f"journal unreadable after a kill: {p.stderr}")
        for s in range(step, len(STEPS)):
            self.run(s, d)
        self.check(d, f"step {STEPS[step][0]}, {fault or 'SIGKILL'}")

    def check(self, d, what):
        got = self.state(d)
        problems = []
        journal = got.get("journal.csv", b"").decode()
        rows = list(csv.reader(io.StringIO(journal)))
        if any(len(r) != 9 for r in rows):
            problems.append("a journal line without 9 fields")
        keys = [(r[0], r[1], r[2], r[5], r[7]) for r in rows[1:]]
        if len(keys) != len(set(keys)):
            problems.append("a journal line twice")
        refs = {r[7] for r in rows[1:] if r[7]}
        for r in rows[1:]:
            if r[1] == "reminder" and not any(k.startswith(os.path.join("out", r[7]) + ".") for k in got):
                problems.append(f"journal ref {r[7]} has no file")
            if r[1] == "collection" and os.path.join("out", r[7]) not in got:
                problems.append(f"batch {r[7]} missing")
        for k in got:
            if k.startswith("out" + os.sep):
                rel = k[4:]
                stem = rel.split(".")[0]
                folder = os.path.dirname(rel)
                if stem not in refs and os.path.join(folder, "collection-batch.csv") not in refs \
                        and not os.path.basename(rel).startswith("plan_"):
                    problems.append(f"{k} has no journal line")
            name = os.path.basename(k)
            if ".dun-tmp-" in name or name == ".dun-commit.json" or (name.startswith(".dun-") and len(name) == 11):
                problems.append(f"left over: {k}")
        pay = list(csv.reader(io.StringIO(got.get("payments.csv", b"").decode())))
        pairs = [(r[4], r[1]) for r in pay[1:] if len(r) > 4]
        if len(pairs) != len(set(pairs)):
            problems.append("a payment twice")
        if got != self.want:
            diff = sorted(set(got) ^ set(self.want)) + sorted(k for k in got if k in self.want and got[k] != self.want[k])
            problems.append(f"differs from the uninterrupted run: {diff[:5]}")
        if problems:
            self.figures["failures"] += 1
            keep = os.path.join(self.root, f"failure-{self.figures['failures']}")
            shutil.copytree(d, keep)
            print(f"FAIL ({what}): {problems} (kept in {keep})", file=sys.stderr)

    def disk_sweep(self, sizes):
        mnt = os.path.join(self.root, "tmpfs")
        os.makedirs(mnt, exist_ok=True)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt], capture_output=True).returncode:
            print("full-disk sweep skipped: cannot mount a tmpfs here (needs root)", file=sys.stderr)
            return False
        try:
            for step in range(len(STEPS)):
                for free in sizes:
                    d = os.path.join(mnt, "l")
                    shutil.rmtree(d, ignore_errors=True)
                    for n in os.listdir(mnt):
                        os.remove(os.path.join(mnt, n)) if os.path.isfile(os.path.join(mnt, n)) else None
                    os.makedirs(d)
                    for f, text in ledger_files().items():
                        with open(os.path.join(d, f), "w") as out:
                            out.write(text)
                    for s in range(step):
                        self.run(s, d)
                    before = self.state(d)
                    filler = os.path.join(mnt, "filler")
                    fill(filler, free)
                    p = self.run(step, d, check=False)
                    self.figures["disk_runs"] += 1
                    after = self.state(d)
                    if p.returncode == 0 or after != before:
                        # Landed: it must have landed whole (checked after the rest runs).
                        self.figures["disk_landed"] += 1
                    else:
                        self.figures["disk_failed_cleanly"] += 1
                    os.remove(filler)
                    for s in range(step, len(STEPS)):
                        self.run(s, d)
                    self.check(d, f"full disk at step {STEPS[step][0]} with {free} bytes free")
        finally:
            subprocess.run(["umount", mnt])
        return True


def fill(path, leave):
    """Fills the file system of `path` until `leave` bytes (or fewer) are free."""
    with open(path, "wb") as f:
        while True:
            st = os.statvfs(os.path.dirname(path))
            free = st.f_bavail * st.f_frsize
            if free <= leave:
                break
            chunk = min(free - leave, 1 << 16)
            try:
                f.write(b"\0" * chunk)
                f.flush()
            except OSError:
                break


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dun", default="target/debug/dun")
    ap.add_argument("--iterations", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--no-disk", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    with tempfile.TemporaryDirectory(prefix="dun-crash-") as root:
        h = Harness(a.dun, root)
        h.reference()
        started = time.time()
        for i in range(a.iterations):
            h.iteration(rng)
            h.figures["iterations"] += 1
            if (i + 1) % 100 == 0:
                print(f"{i + 1} iterations, {h.figures['failures']} failures", file=sys.stderr)
        if not a.no_disk:
            h.disk_sweep([0, 4096, 8192, 12288, 16384, 24576, 32768, 49152, 65536])
        h.figures["seconds"] = round(time.time() - started)
        print(" ".join(f"{k}={v}" for k, v in h.figures.items()))
        if h.figures["failures"]:
            input("failures kept in " + root + "; press Enter to remove them") if sys.stdin.isatty() else None
            sys.exit(1)


if __name__ == "__main__":
    main()
