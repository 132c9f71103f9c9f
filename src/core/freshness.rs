//! The freshness gate: before `dun remind` or `dun collect` writes to anyone, the bank data
//! must be recent enough (`reminder.payments_max_age_days`), and no imported payment that may be
//! theirs may be waiting for a person to assign it. Pure: the command reads `imports.csv` and
//! `unmatched.csv` and passes what it would write.

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::model::Currency;
use super::money::format_money;

/// One bank file `dun import` recorded in `imports.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportRecord {
    pub file: String,
    pub format: String,
    /// The creation date written in the file, if any.
    pub created: Option<NaiveDate>,
    /// The newest payment in the file, if it had any.
    pub newest_payment: Option<NaiveDate>,
    pub imported_on: NaiveDate,
    pub payments: u64,
    pub applied: u64,
    pub unmatched: u64,
    pub duplicates: u64,
    pub hash: String,
}

impl ImportRecord {
    /// How recent the file's data is: its creation date, else its newest payment.
    pub fn data_date(&self) -> Option<NaiveDate> {
        self.created.or(self.newest_payment)
    }
}

/// The date of the newest bank data imported by `as_of` (imports made later don't count yet).
pub fn newest_bank_data(imports: &[ImportRecord], as_of: NaiveDate) -> Option<NaiveDate> {
    imports.iter().filter(|r| r.imported_on <= as_of).filter_map(ImportRecord::data_date).max()
}

/// How many days older than the newest payment in `payments.csv` a bank file's newest payment
/// may be before `dun import` warns that it may be an old file (last year's, a mix-up in the
/// downloads folder): two months, more than a monthly statement's period plus a bank's delay,
/// so that a late statement does not warn, a file of a past quarter or year does.
pub const OLD_FILE_DAYS: i64 = 60;

/// How many days a bank file's newest payment is older than the ledger's newest, when that is
/// more than [`OLD_FILE_DAYS`]; `None` when either has no payment.
pub fn days_older(file_newest: Option<NaiveDate>, ledger_newest: Option<NaiveDate>) -> Option<i64> {
    let days = (ledger_newest? - file_newest?).num_days();
    (days > OLD_FILE_DAYS).then_some(days)
}

/// A payment waiting in `unmatched.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub txid: String,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub currency: Currency,
    /// Customers it may be from.
    pub customers: Vec<String>,
}

/// A customer a command is about to write to, and how fresh their rules want the bank data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub customer: String,
    pub max_age_days: Option<u32>,
}

/// Why the gate is closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The newest bank data is older than the policy allows (or there is none).
    Stale { newest: Option<NaiveDate>, age_days: Option<i64>, max_age_days: u32, customers: Vec<String> },
    /// Payments that may be this customer's wait for a person.
    Unmatched { customer: String, payments: Vec<Pending> },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Stale { newest: None, max_age_days, customers, .. } => write!(
                f,
                "no bank file has been imported, and reminder.payments_max_age_days = {max_age_days} applies to {}",
                list(customers)
            ),
            Problem::Stale { newest: Some(newest), age_days, max_age_days, customers } => write!(
                f,
                "the newest bank data imported is from {newest}, {} days old; reminder.payments_max_age_days = {max_age_days} applies to {}",
                age_days.unwrap_or_default(),
                list(customers)
            ),
            Problem::Unmatched { customer, payments } => write!(
                f,
                "customer {customer} may have paid: {} unmatched ({})",
                if payments.len() == 1 {
                    "1 payment is".to_owned()
                } else {
                    format!("{} payments are", payments.len())
                },
                payments
                    .iter()
                    .map(|p| format!("{} of {} {} on {}", p.txid, format_money(p.amount), p.currency, p.date))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

fn list(customers: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = customers.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if customers.len() > SHOWN {
        text.push_str(&format!(" and {} more", customers.len() - SHOWN));
    }
    format!("customer{} {text}", if customers.len() == 1 { "" } else { "s" })
}

/// Everything that keeps the gate closed for these recipients on `as_of`; empty when open.
///
/// Data is stale when `as_of − newest > max_age_days` (calendar days; 3 allows a file from
/// three days before). Payments dated after `as_of` are not pending yet.
pub fn check(
    as_of: NaiveDate,
    newest: Option<NaiveDate>,
    recipients: &[Recipient],
    pending: &[Pending],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let age = newest.map(|d| (as_of - d).num_days());
    let mut stale: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for r in recipients {
        if let Some(max) = r.max_age_days
            && age.is_none_or(|a| a > i64::from(max))
        {
            stale.entry(max).or_default().push(r.customer.clone());
        }
    }
    for (max_age_days, mut customers) in stale {
        customers.sort();
        customers.dedup();
        problems.push(Problem::Stale { newest, age_days: age, max_age_days, customers });
    }
    let mut waiting: BTreeMap<&str, Vec<Pending>> = BTreeMap::new();
    for r in recipients {
        for p in pending.iter().filter(|p| p.date <= as_of && p.customers.contains(&r.customer)) {
            let list = waiting.entry(r.customer.as_str()).or_default();
            if !list.iter().any(|q| q.txid == p.txid) {
                list.push(p.clone());
            }
        }
    }
    for (customer, payments) in waiting {
        problems.push(Problem::Unmatched { customer: customer.to_owned(), payments });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    fn record(created: Option<&str>, newest: Option<&str>, imported: &str) -> ImportRecord {
        ImportRecord {
            file: "f".into(),
            format: "bgmax".into(),
            created: created.map(date),
            newest_payment: newest.map(date),
            imported_on: date(imported),
            payments: 0,
            applied: 0,
            unmatched: 0,
            duplicates: 0,
            hash: String::new(),
        }
    }

    fn to(customer: &str, max: Option<u32>) -> Recipient {
        Recipient { customer: customer.into(), max_age_days: max }
    }

    #[test]
    fn newest_data_is_the_created_date_else_the_newest_payment() {
        let imports = [
            record(Some("2026-11-20"), Some("2026-11-19"), "2026-11-20"),
            record(None, Some("2026-11-22"), "2026-11-23"),
            record(Some("2026-11-28"), None, "2026-11-28"),
        ];
        assert_eq!(newest_bank_data(&imports, date("2026-11-24")), Some(date("2026-11-22")));
        assert_eq!(newest_bank_data(&imports, date("2026-11-19")), None);
    }

    #[test]
    fn stale_data_closes_the_gate_for_customers_whose_rules_ask() {
        let as_of = date("2026-11-24");
        let recipients = [to("K1", Some(3)), to("K2", None)];
        assert!(check(as_of, Some(date("2026-11-21")), &recipients, &[]).is_empty());
        let problems = check(as_of, Some(date("2026-11-20")), &recipients, &[]);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "the newest bank data imported is from 2026-11-20, 4 days old; reminder.payments_max_age_days = 3 applies to customer K1"
        );
        let problems = check(as_of, None, &recipients, &[]);
        assert!(problems[0].to_string().starts_with("no bank file has been imported"));
        assert!(check(as_of, None, &[to("K2", None)], &[]).is_empty());
    }

    #[test]
    fn unmatched_payments_close_the_gate_for_their_customers_only() {
        let pending = |txid: &str, day: &str, customers: &[&str]| Pending {
            txid: txid.into(),
            date: date(day),
            amount: Decimal::from(500),
            currency: Currency::parse("SEK").unwrap(),
            customers: customers.iter().map(|c| (*c).to_owned()).collect(),
        };
        let waiting = [
            pending("T1", "2026-11-20", &["K1", "K3"]),
            pending("T2", "2026-11-30", &["K2"]),
            pending("T3", "2026-11-21", &[]),
        ];
        let problems = check(date("2026-11-24"), None, &[to("K1", None), to("K2", None)], &waiting);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "customer K1 may have paid: 1 payment is unmatched (T1 of 500.00 SEK on 2026-11-20)"
        );
    }

    #[test]
    fn an_old_file_is_more_than_sixty_days_behind_the_ledger() {
        let ledger = Some(date("2026-11-30"));
        assert_eq!(days_older(Some(date("2026-10-01")), ledger), None);
        assert_eq!(days_older(Some(date("2026-09-30")), ledger), Some(61));
        assert_eq!(days_older(Some(date("2004-05-25")), ledger), Some(8224));
        assert_eq!(days_older(Some(date("2026-12-02")), ledger), None);
        assert_eq!(days_older(None, ledger), None);
        assert_eq!(days_older(Some(date("2004-05-25")), None), None);
    }
}
