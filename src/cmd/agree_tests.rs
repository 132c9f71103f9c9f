//! Issue #11: the same claim on the same day has one set of figures in every output — `dun
//! due`'s row, the reminder letter or collection notice, the agency batch, `dun customer` and
//! `dun explain` — over arbitrary ledgers of Swedish, Norwegian and Finnish debtors with part
//! payments and journaled reminders.

use std::str::FromStr;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::core::claim::Claim;
use crate::core::dunning::{Action, Decision, State, action_entry, decide};
use crate::core::journal::Journal;
use crate::core::ledger::Ledger;
use crate::core::model::{Customer, CustomerKind, Invoice, Payment};
use crate::core::policy::Policy;
use crate::letters::Step;
use crate::letters::compose::{group, letter_data};
use crate::render::Cell;

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

fn money_of(cell: &Cell) -> Decimal {
    match cell {
        Cell::Money(m) => *m,
        other => panic!("not money: {other:?}"),
    }
}

const COUNTRIES: [&str; 3] = ["SE", "NO", "FI"];

prop_compose! {
    fn ledger_case()(
        debtors in prop::collection::vec((0usize..3, any::<bool>()), 1..4),
        invoices in prop::collection::vec((0usize..3, 0u64..60, 100i64..50_000, prop::option::of(1i64..90)), 1..7),
        fee in prop_oneof![Just("statutory"), Just("60"), Just("0")],
        max in 1u32..3,
        run_days in prop::collection::vec(0u64..80, 0..6),
        on in 0u64..90,
    ) -> (Ledger, NaiveDate) {
        let policy = format!(
            "[company]\nname = \"Firma\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n[reminder]\nfee = \"{fee}\"\nmax = {max}\ninterval_days = 14\n\
             [interest]\nmode = \"statutory\"\n[collection]\ncompensation = \"statutory\"\n\
             [law]\nexchange_rates = [{{ date = 2026-01-01, from = \"EUR\", to = \"SEK\", rate = \"11\" }}, {{ date = 2026-01-01, from = \"NOK\", to = \"SEK\", rate = \"0.95\" }}]\n"
        );
        let policy = Policy::from_toml(&policy).unwrap();
        let customers: Vec<Customer> = debtors
            .iter()
            .enumerate()
            .map(|(i, &(country, consumer))| {
                let kind = if consumer { CustomerKind::Consumer } else { CustomerKind::Business };
                Customer::new(&format!("C{i}"), &format!("Kund {i}"))
                    .with_kind(kind)
                    .with_country(COUNTRIES[country])
                    .with_language("sv")
                    .with_email(Some(format!("c{i}@kund.example")))
                    .with_address(Some("Gatan 1"))
                    .with_postcode(Some("11122"))
                    .with_city(Some("Stad"))
                    .with_org_no(Some("556036-0793"))
            })
            .collect();
        let mut payments = Vec::new();
        let invoices: Vec<Invoice> = invoices
            .iter()
            .enumerate()
            .map(|(i, &(owner, due, cents, part))| {
                let due = date("2026-07-01") + chrono::Days::new(due);
                let number = format!("{}", 1000 + i);
                if let Some(days) = part {
                    payments.push(Payment {
                        line: i as u64 + 2,
                        date: due + chrono::Days::new(days as u64),
                        invoice: Some(number.clone()),
                        amount: Decimal::new(cents, 0) / Decimal::from(3),
                        reference: None,
                        ..Payment::default()
                    });
                }
                let customer = format!("C{}", owner % debtors.len());
                let mut invoice =
                    Invoice::unpaid_sek(&number, &customer, due - chrono::Days::new(30), due, Decimal::new(cents, 0));
                invoice.line = i as u64 + 2;
                invoice
            })
            .collect();
        let mut ledger = Ledger::new(policy, customers, invoices, payments, Journal::default());
        let mut days: Vec<u64> = run_days;
        days.sort_unstable();
        for offset in days {
            let day = date("2026-07-15") + chrono::Days::new(offset);
            let entries: Vec<_> = decide(&ledger, day)
                .decisions
                .iter()
                .filter_map(|d| action_entry(d, day, Some("email".into()), None))
                .collect();
            ledger.journal.entries.extend(entries);
        }
        (ledger, date("2026-08-01") + chrono::Days::new(on))
    }
}

fn claims(decisions: &[&Decision<'_>]) -> Decimal {
    decisions.iter().map(|d| d.claim.total()).sum()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_output_shows_the_claims_figures((ledger, on) in ledger_case()) {
        let outcome = decide(&ledger, on);
        for d in &outcome.decisions {
            let claim: &Claim = &d.claim;
            // dun due: fee, interest, compensation columns.
            let row = super::due::decision_row(&ledger, d, None);
            prop_assert_eq!(money_of(&row[6]), claim.new_fee());
            prop_assert_eq!(money_of(&row[7]), claim.interest.amount);
            prop_assert_eq!(money_of(&row[8]), claim.compensation.amount);
            // dun explain prints the claim, its total last.
            let total_line = claim.describe().pop().unwrap();
            prop_assert!(total_line.contains(&crate::core::money::format_money(claim.total())), "{}", total_line);
        }
        for (step, action) in [(Step::Reminder, Action::Reminder), (Step::Collection, Action::Collection)] {
            let due: Vec<&Decision<'_>> = outcome.decisions.iter().filter(|d| d.state == State::Due(action)).collect();
            for plan in group(step, due.iter().copied()) {
                let data = letter_data(&ledger, &plan, on).unwrap();
                prop_assert_eq!(data.total, claims(&plan.decisions));
                for (line, d) in data.invoices.iter().zip(&plan.decisions) {
                    prop_assert_eq!(line.interest.unwrap_or_default(), d.claim.interest.amount);
                    prop_assert_eq!(line.fee.unwrap_or_default(), d.claim.fees_total());
                }
            }
            if action == Action::Collection && !due.is_empty() {
                let batch = super::collect::batch_table(&ledger, &due, on, |_| None);
                // The file is the table's text, written line by line.
                let mut written = Vec::new();
                super::collect::write_batch(&mut written, &ledger, &due, on, |_| None).unwrap();
                prop_assert_eq!(String::from_utf8(written).unwrap(), crate::render::csv_out::render_verbatim(&batch));
                for (row, d) in batch.rows.iter().zip(&due) {
                    prop_assert_eq!(money_of(&row[17]), d.claim.fees_total());
                    prop_assert_eq!(money_of(&row[18]), d.claim.interest.amount);
                    prop_assert_eq!(money_of(&row[19]), d.claim.compensation.amount);
                    prop_assert_eq!(money_of(&row[20]), d.claim.total());
                }
            }
        }
        // dun customer: fees journaled so far and interest to date, per open invoice.
        for c in &ledger.customers {
            let view = crate::core::customer::customer_view(&ledger, c, on).unwrap();
            for line in &view.open {
                let Some(d) = outcome.decisions.iter().find(|d| d.invoice == line.number) else { continue };
                prop_assert_eq!(line.interest, d.claim.interest.amount, "{}", line.number);
                prop_assert_eq!(line.fees, d.claim.earlier_fees(), "{}", line.number);
            }
        }
    }
}
