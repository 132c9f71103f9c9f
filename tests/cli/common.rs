use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const POLICY_SE: &str =
    "[company]\nname = \"Test AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\"\n";

/// A ledger directory in a temp dir, removed when dropped.
pub struct Ledger {
    pub dir: tempfile::TempDir,
}

impl Ledger {
    pub fn new() -> Ledger {
        let ledger = Ledger { dir: tempfile::tempdir().unwrap() };
        ledger.write("policy.toml", POLICY_SE);
        ledger
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> &Ledger {
        std::fs::write(self.file(name), text).unwrap();
        self
    }

    pub fn write_bytes(&self, name: &str, bytes: &[u8]) -> &Ledger {
        std::fs::write(self.file(name), bytes).unwrap();
        self
    }

    /// `dun ARGS --dir LEDGER`
    /// The customers and open invoices that `tests/fixtures/bank/bank-export-sv.csv` pays.
    pub fn swedish_bank_export_payees(&self) -> &Ledger {
        self.write(
            "customers.csv",
            "id,name\nC1,Åkeriet i Västerås AB\nC2,Märta Öhrn\nC3,Björn Ek\nC4,Ödegårds Bygg AB\n",
        );
        self.write(
            "invoices.csv",
            "number,customer,issued,due,amount,reference\n\
             1016,C1,2024-04-01,2024-04-30,1250.00,4455667788\n\
             1017,C2,2024-04-01,2024-04-30,99.75,\n\
             1018,C2,2024-04-01,2024-04-30,99.75,\n\
             1019,C3,2024-04-01,2024-04-30,50.00,\n\
             1020,C4,2024-04-01,2024-04-30,12345.67,\n",
        );
        self
    }

    pub fn dun(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("dun").unwrap();
        cmd.args(args).arg("--dir").arg(self.path()).env_remove("DUN_DIR").env("NO_COLOR", "1");
        cmd
    }

    /// Runs and returns stdout, asserting success.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.dun(args).output().unwrap();
        assert!(
            out.status.success(),
            "dun {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs, expects `code`, returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.dun(args).output().unwrap();
        assert_eq!(out.status.code(), Some(code), "stdout: {}", String::from_utf8_lossy(&out.stdout));
        String::from_utf8(out.stderr).unwrap()
    }
}

/// Windows-1252 bytes for a text of Latin characters (what Excel in the Nordics writes).
pub fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '–' => 0x96,
            c if (c as u32) < 256 => c as u32 as u8,
            other => panic!("no cp1252 byte for {other}"),
        })
        .collect()
}

/// The CSV report's lines as `(customer, currency) -> [buckets..., total]`.
pub fn report_rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines().skip(1).map(|l| l.split(',').map(str::to_owned).collect()).collect()
}
