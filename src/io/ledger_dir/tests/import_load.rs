use super::*;

/// A generated bank payment: days from the start, amount (cents), what its reference is (an
/// invoice's stored one, the one generated from a number, a letter's total, a number alone,
/// none), which one, a number in the message, a customer's name as payer.
type BankPaid = (u16, i32, u8, u8, Option<u8>, Option<u8>);

fn bank_payments(
    paid: &[BankPaid],
    scheme: crate::core::policy::ReferenceScheme,
) -> Vec<crate::core::matching::Incoming> {
    use crate::letters::compose::payment_reference;
    paid.iter()
        .enumerate()
        .map(|(i, &(days, cents, kind, which, in_message, payer))| {
            let reference = match kind % 5 {
                0 => Some(format!("{}", 1000 + u32::from(which % 6))),
                // As given, padded as banks pad them, or as the RF built from it.
                1 => payment_reference(None, &format!("N{}", which % 14), scheme).map(|r| match which % 3 {
                    0 => r,
                    1 => format!("00{r}"),
                    _ => crate::core::reference::generate_reference(crate::core::reference::RefKind::Rf, &r)
                        .unwrap_or(r),
                }),
                2 => Some(LETTER_TOTALS[usize::from(which) % 3].to_owned()),
                3 => Some(format!("N{}", which % 14)),
                _ => None,
            };
            crate::core::matching::Incoming {
                txid: format!("T{i}"),
                date: day("2025-10-01") + chrono::Days::new(u64::from(days)),
                amount: rust_decimal::Decimal::new(i64::from(cents.unsigned_abs().max(1)), 2),
                currency: crate::core::model::Currency::parse("SEK").expect("a currency"),
                reference_amounts: vec![None; usize::from(reference.is_some())],
                references: reference.into_iter().collect(),
                message: in_message.map(|n| format!("Faktura N{}", n % 14)),
                payer: payer
                    .map(|c| ["Alfa AB", "Beta Holm", "Gamma AB", "Okänd"][usize::from(c % 4)].to_owned()),
            }
        })
        .collect()
}

/// `payments.csv` with lines `dun import` wrote (a transaction id and a rule), some of which
/// the journal lacks.
fn payments_imported(paid: &[(u8, u16, i32, bool)]) -> String {
    let mut csv = String::from("date,invoice,amount,reversal,transaction_id,matched_by\n");
    for (i, &(n, days, cents, ours)) in paid.iter().enumerate() {
        let date = day("2025-10-01") + chrono::Days::new(u64::from(days));
        let amount = rust_decimal::Decimal::new(i64::from(cents), 2);
        let reversal = if cents < 0 { "yes" } else { "" };
        let (txid, rule) = if ours { (format!("X{i}"), "reference") } else { (String::new(), "") };
        csv += &format!("{date},N{n},{amount},{reversal},{txid},{rule}\n");
    }
    csv
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    /// `dun import` on its load matches every payment as on the whole ledger, whatever the
    /// matching date from the as-of date to the newest payment: by stored and generated
    /// references of open and settled invoices, letters' total references, numbers in the
    /// message, the payer's name; and it journals the same missing `payment` lines.
    #[test]
    fn the_import_load_matches_as_the_whole_ledger(
        rows in rows(),
        journal in journal_lines(),
        recorded in proptest::collection::vec((0u8..14, 0u16..400, -50_000i32..500_000, any::<bool>()), 0..6),
        paid in proptest::collection::vec(
            (0u16..500, -100_000i32..900_000, 0u8..5, any::<u8>(), proptest::option::of(any::<u8>()), proptest::option::of(any::<u8>())),
            0..12,
        ),
        as_of in 0u16..500,
        on_after in 0u16..200,
    ) {
        use crate::cmd::import::{candidates, kept::ImportKeeps, repair_journal};
        use crate::core::matching::{NamedReferences, match_payments_with_letters};
        use crate::core::reference::letter::letter_totals;
        let dir = ledger_dir(&invoices_csv(&rows), &payments_imported(&recorded));
        std::fs::write(dir.path().join(JOURNAL), journal_csv(&journal)).expect("written");
        // References generated for the invoices that have none.
        std::fs::write(dir.path().join(POLICY), format!("{POLICY_TEXT}[reminder]\nreference = \"ocr\"\n")).expect("written");
        let as_of = day("2025-10-01") + chrono::Days::new(u64::from(as_of));
        let whole = load_ledger(dir.path()).expect("loads");
        let scheme = whole.policy.base_rules().reminder.reference();
        let incoming = bank_payments(&paid, scheme);
        let base = begin_import_load(dir.path()).expect("loads");
        let mut named = NamedReferences::default();
        incoming.iter().flat_map(|p| &p.references).for_each(|r| named.add(r));
        let newest = incoming.iter().map(|p| p.date).max();
        let keeps = ImportKeeps::new(&base.policy, &base.customers, &base.payments, &base.journal, named, as_of, newest);
        let slim = base.finish(dir.path(), |record, customer| keeps.keeps(record, customer)).expect("loads");
        // The matching date is the as-of date or a fresh payment's, whichever is later.
        let until = newest.map_or(as_of, |d| d.max(as_of));
        let on = (as_of + chrono::Days::new(u64::from(on_after))).min(until);
        let matched = |l: &crate::core::ledger::Ledger| {
            format!("{:?}", match_payments_with_letters(&candidates(l, on), &letter_totals(&l.journal), &incoming))
        };
        prop_assert_eq!(matched(&slim), matched(&whole));
        prop_assert_eq!(format!("{:?}", repair_journal(&slim)), format!("{:?}", repair_journal(&whole)));
        prop_assert_eq!(&slim.payments, &whole.payments);
    }
}
