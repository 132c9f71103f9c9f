use super::*;
use std::str::FromStr;

use crate::core::reference::RefKind;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::from_str(s).unwrap()
}

fn sek() -> Currency {
    Currency::parse("SEK").unwrap()
}

fn inv(number: &str, customer: &str, name: &str, open: &str, reference: Option<&str>) -> Candidate<'static> {
    Candidate {
        number: number.to_owned().into(),
        customer: customer.to_owned().into(),
        customer_name: name.to_owned().into(),
        currency: sek(),
        due: date("2026-10-31"),
        open: d(open),
        stored_reference: reference.map(|r| r.to_owned().into()),
        reference: reference.map(|r| r.to_owned().into()),
        discount: None,
    }
}

fn pay(txid: &str, amount: &str, refs: &[&str]) -> Incoming {
    Incoming {
        txid: txid.to_owned(),
        date: date("2026-11-20"),
        amount: d(amount),
        currency: sek(),
        references: refs.iter().map(|r| (*r).to_owned()).collect(),
        reference_amounts: refs.iter().map(|_| None).collect(),
        message: None,
        payer: None,
    }
}

fn matched(o: &Outcome) -> &Matched {
    match o {
        Outcome::Matched(m) => m,
        Outcome::Unmatched(u) => panic!("unmatched: {}", u.reason),
    }
}

fn unmatched(o: &Outcome) -> &Unmatched {
    match o {
        Outcome::Unmatched(u) => u,
        Outcome::Matched(m) => panic!("matched: {m:?}"),
    }
}

fn split(m: &Matched) -> Vec<(&str, Decimal)> {
    m.allocations.iter().map(|a| (a.invoice.as_str(), a.amount)).collect()
}

#[test]
fn keys_ignore_spacing_padding_and_the_card_type() {
    assert_eq!(reference_key("RF18 5390 0754 7034"), "RF18539007547034");
    assert_eq!(reference_key("00000006450830029863"), "6450830029863");
    assert_eq!(reference_key("71/000000020211041"), "20211041");
    assert_eq!(reference_key("+71<000000020211041+88889999<"), "20211041");
    assert_eq!(reference_key("0000"), "0");
    assert!(has_valid_check_digit("71/000000020211041") || !has_valid_check_digit("71/000000020211041"));
    assert!(has_valid_check_digit("RF7812345 "));
    assert!(!has_valid_check_digit("RF98123456789012"));
    assert!(has_valid_check_digit("1234 5674"));
    assert!(!has_valid_check_digit("12345675"));
}

#[test]
fn a_valid_reference_matches_the_stored_or_generated_one() {
    let ocr = crate::core::reference::generate_reference(RefKind::Ocr, "1002").unwrap();
    let mut generated = inv("1002", "K2", "Berit Holm", "500", None);
    generated.reference = Some(ocr.clone().into());
    let invoices = [inv("1001", "K1", "Alfa AB", "1000", Some("1234 5674")), generated];
    let padded = format!("00{ocr}");
    let out = match_payments(&invoices, &[pay("T1", "1000", &["12345674"]), pay("T2", "500", &[&padded])]);
    let m = matched(&out[0]);
    assert_eq!(m.rule, Rule::Reference);
    assert_eq!(split(m), vec![("1001", d("1000"))]);
    assert_eq!(m.allocations[0].reference.as_deref(), Some("12345674"));
    assert_eq!(split(matched(&out[1])), vec![("1002", d("500"))]);
}

#[test]
fn a_bad_check_digit_matches_only_the_exact_stored_reference() {
    let mut generated = inv("1002", "K2", "Berit Holm", "500", None);
    generated.reference = Some("12345675".into());
    let invoices = [inv("1001", "K1", "Alfa AB", "1000", Some("RF98 1234 5678 9012")), generated];
    let out = match_payments(
        &invoices,
        &[
            pay("T1", "1000", &["RF98123456789012"]),
            pay("T2", "500", &["12345675"]),
            pay("T3", "9", &["0RF98123456789012"]),
        ],
    );
    assert_eq!(split(matched(&out[0])), vec![("1001", d("1000"))]);
    // Generated references are trusted only with a valid check digit.
    let u = unmatched(&out[1]);
    assert!(u.reason.contains("fails its check digit"), "{}", u.reason);
    assert!(u.customers.is_empty());
    unmatched(&out[2]);
}

#[test]
fn an_rf_body_matches_the_viitenumero_it_was_built_from() {
    let invoices = [inv("1001", "K1", "Alfa Oy", "100", Some("16625"))];
    let out = match_payments(&invoices, &[pay("T1", "100", &["RF45 16625"])]);
    assert_eq!(matched(&out[0]).rule, Rule::Reference);
}

#[test]
fn part_and_over_payments_stay_on_the_invoice() {
    let invoices = [inv("1001", "K1", "Alfa AB", "1000", Some("12345674"))];
    let out = match_payments(
        &invoices,
        &[pay("T1", "300", &["12345674"]), pay("T2", "900", &["12345674"]), pay("T3", "50", &["12345674"])],
    );
    let first = matched(&out[0]);
    assert!(first.is_part());
    assert_eq!(first.allocations[0].open_after(), d("700"));
    let second = matched(&out[1]);
    assert!(!second.is_part());
    assert_eq!(second.excess(), d("200"));
    // The invoice is settled: paying it again is all credit.
    assert_eq!(matched(&out[2]).excess(), d("50"));
}

#[test]
fn several_references_split_exactly_or_by_the_banks_amounts() {
    let invoices = [
        inv("1", "K1", "Alfa AB", "600", Some("12345674")),
        inv("2", "K1", "Alfa AB", "400", Some("5555555")),
        inv("3", "K2", "Beta AB", "300", Some("1230")),
    ];
    let mut by_amounts = pay("T2", "500", &["12345674", "5555555"]);
    by_amounts.reference_amounts = vec![Some(d("300")), Some(d("200"))];
    let out = match_payments(
        &invoices,
        &[
            pay("T1", "1000", &["12345674", "5555555"]),
            by_amounts,
            pay("T3", "1300", &["12345674", "5555555"]),
            pay("T4", "500", &["12345674", "5555555"]),
        ],
    );
    assert_eq!(split(matched(&out[0])), vec![("1", d("600")), ("2", d("400"))]);
    let m = matched(&out[1]);
    assert_eq!(split(m), vec![("1", d("300")), ("2", d("200"))]);
    // Both are settled by now: everything is credit, on the last invoice.
    let m = matched(&out[2]);
    assert_eq!(split(m), vec![("2", d("1300"))]);
    assert_eq!(m.excess(), d("1300"));
    assert_eq!(matched(&out[3]).excess(), d("500"));
}

#[test]
fn less_than_open_on_several_invoices_is_not_guessed() {
    let invoices = [
        inv("1", "K1", "Alfa AB", "600", Some("12345674")),
        inv("2", "K2", "Beta AB", "400", Some("5555555")),
    ];
    let out = match_payments(&invoices, &[pay("T1", "700", &["12345674", "5555555"])]);
    let u = unmatched(&out[0]);
    assert!(u.reason.contains("how to split it is not known"), "{}", u.reason);
    assert_eq!(u.customers, vec!["K1", "K2"]);
}

#[test]
fn more_than_open_on_two_customers_invoices_is_not_guessed() {
    let invoices = [
        inv("1", "K1", "Alfa AB", "600", Some("12345674")),
        inv("2", "K2", "Beta AB", "400", Some("5555555")),
    ];
    let out = match_payments(&invoices, &[pay("T1", "1100", &["12345674", "5555555"])]);
    assert!(unmatched(&out[0]).reason.contains("different customers"));
}

#[test]
fn a_credit_note_reference_is_noted_not_a_target() {
    let invoices = [inv("3900", "K1", "Alfa Oy", "2500", Some("3900"))];
    let mut p = pay("T1", "1900", &["3900", "12344"]);
    p.reference_amounts = vec![Some(d("2500")), Some(d("-600"))];
    let out = match_payments(&invoices, &[p]);
    let m = matched(&out[0]);
    assert_eq!(split(m), vec![("3900", d("1900"))]);
    assert!(m.is_part());
    assert!(m.notes[0].contains("deducted 600.00 for reference 12344"));
}

#[test]
fn one_unknown_reference_falls_through_to_the_invoice_number() {
    let invoices = [inv("65581", "K1", "Olles färg AB", "500", None)];
    let mut p = pay("T1", "500", &["65580"]);
    p.message = Some("Faktura65581 Kundnr1233".to_owned());
    let out = match_payments(&invoices, &[p]);
    let m = matched(&out[0]);
    assert_eq!(m.rule, Rule::InvoiceNumber);
}

#[test]
fn invoice_numbers_must_stand_as_words() {
    assert!(contains_number("Faktura 1017 & 1018", "1017"));
    assert!(contains_number("Faktura1017", "1017"));
    assert!(contains_number("fakt. 1017, tack", "1017"));
    assert!(contains_number("inv F-2026-0017.", "f-2026-0017"));
    assert!(!contains_number("Faktura 10170", "1017"));
    assert!(!contains_number("21017", "1017"));
    assert!(!contains_number("betalt 2024-05-02", "2024"));
    assert!(!contains_number("1 017,50 kr", "017"));
    assert!(!contains_number("1017,50 kr", "1017"));
    assert!(!contains_number("XF-2026-0017", "f-2026-0017"));
    assert!(contains_number("ÅÄÖ 1017", "1017"));
}

#[test]
fn invoice_numbers_in_the_text_split_when_they_add_up() {
    let invoices = [
        inv("1017", "K1", "Märta Öhrn", "99.75", None),
        inv("1018", "K1", "Märta Öhrn", "99.75", None),
        inv("1019", "K2", "Other", "50", None),
    ];
    let mut p = pay("T1", "199.50", &[]);
    p.message = Some("Faktura 1017 & 1018, tack för senast".to_owned());
    let mut q = pay("T2", "20", &[]);
    q.message = Some("1019".to_owned());
    let out = match_payments(&invoices, &[p, q]);
    let m = matched(&out[0]);
    assert_eq!(m.rule, Rule::InvoiceNumber);
    assert_eq!(split(m), vec![("1017", d("99.75")), ("1018", d("99.75"))]);
    assert!(matched(&out[1]).is_part());
}

#[test]
fn amount_and_name_match_a_unique_invoice_or_a_customers_total() {
    let invoices = [
        inv("1", "K1", "Kalles Plåt AB", "100", None),
        inv("2", "K1", "Kalles Plåt AB", "250", None),
        inv("3", "K2", "Berits Garn", "100", None),
        inv("4", "K3", "Berit", "100", None),
    ];
    let mut a = pay("T1", "100", &[]);
    a.payer = Some("KALLES PLÅT".to_owned());
    let mut b = pay("T2", "250", &[]);
    b.payer = Some("Kalles Plåt AB, Storgatan 1".to_owned());
    let mut c = pay("T3", "100", &[]);
    c.payer = Some("Berits Garn HB".to_owned());
    let mut e = pay("T4", "100", &[]);
    e.payer = Some("Someone Else".to_owned());
    let out = match_payments(&invoices, &[a, b, c, e]);
    assert_eq!(matched(&out[0]).rule, Rule::Amount);
    assert_eq!(split(matched(&out[0])), vec![("1", d("100"))]);
    assert_eq!(split(matched(&out[1])), vec![("2", d("250"))]);
    assert_eq!(split(matched(&out[2])), vec![("3", d("100"))]);
    let u = unmatched(&out[3]);
    assert!(u.customers.is_empty());
}

#[test]
fn one_payment_for_all_of_a_customers_open_invoices_is_split_by_due_date() {
    let mut late = inv("2", "K1", "Fjord & Fisk AS", "250", None);
    late.due = date("2026-11-30");
    let invoices = [late, inv("1", "K1", "Fjord & Fisk AS", "100", None)];
    let mut p = pay("T1", "350", &[]);
    p.payer = Some("FJORD & FISK A/S".to_owned());
    let out = match_payments(&invoices, &[p]);
    let m = matched(&out[0]);
    assert_eq!(m.rule, Rule::Amount);
    assert_eq!(split(m), vec![("1", d("100")), ("2", d("250"))]);
}

#[test]
fn the_same_amount_twice_for_one_payer_is_not_guessed() {
    let invoices =
        [inv("1", "K1", "Kalles Plåt AB", "100", None), inv("2", "K1", "Kalles Plåt AB", "100", None)];
    let mut p = pay("T1", "100", &[]);
    p.payer = Some("Kalles Plåt AB".to_owned());
    let out = match_payments(&invoices, &[p]);
    let u = unmatched(&out[0]);
    assert!(u.reason.contains("2 open invoices of 100.00"), "{}", u.reason);
    assert_eq!(u.customers, vec!["K1"]);
}

/// Customers of the same name: a payment that matches none of their invoices names each of
/// them once (not once per invoice), but not one whose invoices are all settled or in another
/// currency; a payment that matches one names no one.
#[test]
fn a_name_many_customers_share_names_each_once_when_nothing_matches() {
    let mut euro = inv("5", "K4", "Pär Johansson", "70", None);
    euro.currency = Currency::parse("EUR").unwrap();
    let invoices = [
        inv("1", "K2", "Pär Johansson", "100", None),
        inv("2", "K1", "Pär Johansson", "150", None),
        inv("3", "K2", "Pär Johansson", "120", None),
        inv("4", "K3", "Pär Johansson", "0", None),
        euro,
    ];
    let mut nothing = pay("T1", "99", &[]);
    nothing.payer = Some("PÄR JOHANSSON".to_owned());
    let mut one = pay("T2", "150", &[]);
    one.payer = Some("Pär Johansson".to_owned());
    let out = match_payments(&invoices, &[nothing, one]);
    assert_eq!(unmatched(&out[0]).customers, vec!["K1", "K2"]);
    assert_eq!(split(matched(&out[1])), vec![("2", d("150"))]);
}

#[test]
fn other_currencies_never_match() {
    let invoices = [inv("1", "K1", "Alfa AB", "100", Some("12345674"))];
    let mut p = pay("T1", "100", &["12345674"]);
    p.currency = Currency::parse("EUR").unwrap();
    let out = match_payments(&invoices, &[p]);
    let u = unmatched(&out[0]);
    assert!(u.reason.contains("in SEK, but the payment is in EUR"), "{}", u.reason);
    assert_eq!(u.customers, vec!["K1"]);
}

#[test]
fn payments_are_taken_in_date_order() {
    let invoices = [inv("1", "K1", "Alfa AB", "100", Some("12345674"))];
    let mut later = pay("T1", "100", &["12345674"]);
    later.date = date("2026-11-25");
    let earlier = pay("T2", "100", &["12345674"]);
    let out = match_payments(&invoices, &[later, earlier]);
    assert_eq!(matched(&out[1]).excess(), Decimal::ZERO);
    assert_eq!(matched(&out[0]).excess(), d("100"));
}

#[test]
fn manual_allocation_settles_in_order_and_the_last_takes_the_rest() {
    let t = |n: &str, open: &str| (n.to_owned(), "K1".to_owned(), d(open));
    let a = allocate_manual(d("500"), &[t("1", "300"), t("2", "100")]).unwrap();
    assert_eq!(a.iter().map(|a| a.amount).collect::<Vec<_>>(), vec![d("300"), d("200")]);
    assert_eq!(a[1].excess(), d("100"));
    let a = allocate_manual(d("200"), &[t("1", "300")]).unwrap();
    assert!(a[0].is_part());
    assert!(allocate_manual(d("200"), &[t("1", "300"), t("2", "100")]).unwrap_err().contains("used up"));
    assert!(allocate_manual(d("200"), &[t("1", "0"), t("2", "100")]).unwrap_err().contains("nothing open"));
}

mod property {
    use super::*;
    use proptest::prelude::*;

    /// Rule 2 as a scan of every invoice: what the index must find.
    fn numbers_by_scan(m: &Matcher<'_, '_>, hay: &str, currency: Currency) -> Vec<usize> {
        (0..m.invoices.len())
            .filter(|&i| {
                let inv = &m.invoices[i];
                m.open[i] > Decimal::ZERO
                    && inv.currency == currency
                    && inv.number.chars().count() >= 3
                    && contains_lowercase_number(hay, &inv.number.to_ascii_lowercase())
            })
            .collect()
    }

    /// Rule 3 as a scan of every invoice, each customer known by its first invoice's name.
    fn named_by_scan(m: &Matcher<'_, '_>, payer: &[String], currency: Currency) -> Vec<usize> {
        let mut names: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
        for inv in m.invoices {
            names.entry(&inv.customer).or_insert_with(|| name_tokens(&inv.customer_name, true));
        }
        let appears = |customer: &[String]| {
            can_appear(customer) && payer.windows(customer.len()).any(|w| w == customer)
        };
        (0..m.invoices.len())
            .filter(|&i| {
                let inv = &m.invoices[i];
                m.open[i] > Decimal::ZERO && inv.currency == currency && appears(&names[&*inv.customer])
            })
            .collect()
    }

    fn number() -> impl Strategy<Value = String> {
        // A small alphabet, so that numbers often stand inside one another ("121" in "1212").
        "[Ff -]{0,2}[12]{0,4}[Aa]?"
    }

    proptest! {
        /// The number and name indexes find exactly the invoices a scan of all of them finds.
        #[test]
        fn indexes_find_what_a_scan_finds(
            invoices in proptest::collection::vec((number(), 0u8..5, 0u8..6, 0i64..3, any::<bool>()), 0..12),
            numbers in proptest::collection::vec(number(), 0..4),
            filler in "[a12 ,.-]{0,3}",
            payer in proptest::collection::vec(0usize..8, 0..5),
            eur in any::<bool>(),
        ) {
            let names = ["Alfa AB", "Beta Bygg AS", "Oy Gamma", "Ek", "AB", "Delta / Co ApS"];
            let words = ["alfa", "beta", "bygg", "gamma", "ek", "ab", "delta", "co"];
            let candidates: Vec<Candidate> = invoices.iter().map(|(n, c, name, open, in_eur)| {
                let mut x = inv(n, &format!("K{c}"), names[usize::from(*name)], "0", None);
                x.open = Decimal::from(*open - 1);
                if *in_eur { x.currency = Currency::parse("EUR").unwrap(); }
                x
            }).collect();
            let matcher = Matcher::new(&candidates);
            let currency = if eur { Currency::parse("EUR").unwrap() } else { sek() };
            let hay = format!("{} {filler}", numbers.join(&filler)).to_ascii_lowercase();
            prop_assert_eq!(matcher.numbers_in(&hay, currency), numbers_by_scan(&matcher, &hay, currency));
            let payer_name: Vec<&str> = payer.iter().map(|&w| words[w]).collect();
            let tokens = name_tokens(&payer_name.join(" "), false);
            let scanned = named_by_scan(&matcher, &tokens, currency);
            let mut customers: Vec<&str> = scanned.iter().map(|&i| &*candidates[i].customer).collect();
            customers.sort_unstable();
            customers.dedup();
            prop_assert_eq!(matcher.named_in(&tokens, currency), (scanned, customers));
        }
    }

    fn candidate() -> impl Strategy<Value = (u8, u8, i64, bool)> {
        (0u8..6, 0u8..4, 0i64..5000, any::<bool>())
    }

    fn payment() -> impl Strategy<Value = (Vec<u8>, i64, Vec<Option<i64>>, u8, u8)> {
        (
            proptest::collection::vec(0u8..8, 0..4),
            1i64..8000,
            proptest::collection::vec(proptest::option::of(-500i64..3000), 0..4),
            0u8..8,
            0u8..5,
        )
    }

    proptest! {
        /// Applied plus unmatched is always exactly what came in.
        #[test]
        fn applied_plus_unmatched_equals_the_credits(
            invoices in proptest::collection::vec(candidate(), 0..8),
            payments in proptest::collection::vec(payment(), 0..10),
        ) {
            let names = ["Alfa AB", "Beta AS", "Gamma Oy", "Delta ApS"];
            let candidates: Vec<Candidate> = invoices.iter().enumerate().map(|(i, &(r, c, open, eur))| {
                let reference = crate::core::reference::generate_reference(RefKind::Ocr, &format!("{}", 10 + r)).ok();
                let mut x = inv(&format!("{}", 100 + i), &format!("K{c}"), names[usize::from(c)], "0", reference.as_deref());
                x.open = Decimal::new(open * 25, 1);
                if eur { x.currency = Currency::parse("EUR").unwrap(); }
                x
            }).collect();
            let incoming: Vec<Incoming> = payments.iter().enumerate().map(|(i, (refs, amount, stated, number, payer))| {
                let references: Vec<String> = refs.iter()
                    .map(|r| crate::core::reference::generate_reference(RefKind::Ocr, &format!("{}", 10 + r)).unwrap_or_default())
                    .collect();
                let mut p = pay(&format!("T{i}"), "1", &[]);
                p.amount = Decimal::new(*amount * 25, 1);
                p.reference_amounts = references.iter().enumerate()
                    .map(|(j, _)| stated.get(j).copied().flatten().map(|s| Decimal::new(s * 25, 1)))
                    .collect();
                p.references = references;
                p.message = Some(format!("faktura {}", 100 + u16::from(*number)));
                p.payer = names.get(usize::from(*payer)).map(|n| n.to_uppercase());
                p
            }).collect();
            let outcomes = match_payments(&candidates, &incoming);
            prop_assert_eq!(outcomes.len(), incoming.len());
            let mut applied = Decimal::ZERO;
            let mut left = Decimal::ZERO;
            for (o, p) in outcomes.iter().zip(&incoming) {
                match o {
                    Outcome::Matched(m) => {
                        prop_assert_eq!(m.applied(), p.amount);
                        prop_assert!(m.allocations.iter().all(|a| a.amount > Decimal::ZERO));
                        applied += m.applied();
                    }
                    Outcome::Unmatched(_) => left += p.amount,
                }
            }
            let total: Decimal = incoming.iter().map(|p| p.amount).sum();
            prop_assert_eq!(applied + left, total);
        }
    }
}

#[test]
fn the_discounted_amount_within_the_period_settles_the_invoice() {
    let mut one = inv("1017", "C1", "Alfa AB", "1000", Some("1017"));
    one.discount = Some((date("2026-11-10"), d("20")));
    let mut early = pay("T1", "980", &["1017"]);
    early.date = date("2026-11-10");
    let mut late = pay("T2", "980", &["1017"]);
    late.date = date("2026-11-11");
    let outcomes = match_payments(&[one.clone()], &[early]);
    let Outcome::Matched(m) = &outcomes[0] else { panic!("{outcomes:?}") };
    let a = &m.allocations[0];
    assert_eq!((a.amount, a.discount, a.open_after(), a.is_part()), (d("980"), d("20"), d("0"), false));
    // A day late the discount is gone: a part payment with 20 still open.
    let outcomes = match_payments(&[one.clone()], &[late]);
    let Outcome::Matched(m) = &outcomes[0] else { panic!("{outcomes:?}") };
    assert_eq!((m.allocations[0].discount, m.allocations[0].open_after()), (d("0"), d("20")));
    // By amount and name: the discounted amount is the invoice's amount in the period.
    let mut by_name = pay("T3", "980", &[]);
    by_name.date = date("2026-11-05");
    by_name.payer = Some("ALFA AB".into());
    let outcomes = match_payments(&[one], &[by_name]);
    let Outcome::Matched(m) = &outcomes[0] else { panic!("{outcomes:?}") };
    assert_eq!((m.rule, m.allocations[0].open_after()), (Rule::Amount, d("0")));
}

// --- A letter's total reference (issue #13) ---

/// Three invoices of one customer, due on different days, and the letter that reminded of
/// them all with one reference for the total.
fn letter_ledger() -> (Vec<Candidate<'static>>, Vec<LetterTotal>, String) {
    let total = crate::core::reference::generate_reference(RefKind::Ocr, "2611241123456").unwrap();
    let mut a = inv("A1", "K1", "Alfa AB", "300", Some("1234 5674"));
    a.due = date("2026-10-15");
    let mut b = inv("A2", "K1", "Alfa AB", "200", None);
    b.due = date("2026-10-01");
    let mut c = inv("A3", "K1", "Alfa AB", "500", None);
    c.due = date("2026-10-20");
    let other = inv("B1", "K2", "Beta AS", "1000", None);
    let letters =
        vec![LetterTotal { reference: total.clone(), invoices: vec!["A1".into(), "A2".into(), "A3".into()] }];
    (vec![a, b, c, other], letters, total)
}

#[test]
fn a_letters_total_reference_settles_exactly_its_invoices() {
    let (invoices, letters, total) = letter_ledger();
    let out = match_payments_with_letters(&invoices, &letters, &[pay("T1", "1000", &[&total])]);
    let m = matched(&out[0]);
    assert_eq!(m.rule, Rule::Reference);
    // Oldest due first: A2 (1 Oct), A1 (15 Oct), A3 (20 Oct).
    assert_eq!(split(m), vec![("A2", d("200")), ("A1", d("300")), ("A3", d("500"))]);
    assert!(m.allocations.iter().all(|a| a.reference.as_deref() == Some(total.as_str())));
    assert_eq!(m.excess(), Decimal::ZERO);
    assert!(!m.is_part());
    // Without the letters the reference names nothing.
    let out = match_payments(&invoices, &[pay("T1", "1000", &[&total])]);
    assert!(unmatched(&out[0]).reason.contains("no invoice's reference"));
}

#[test]
fn a_short_payment_of_a_total_pays_the_oldest_first() {
    let (invoices, letters, total) = letter_ledger();
    let out = match_payments_with_letters(&invoices, &letters, &[pay("T1", "350", &[&total])]);
    let m = matched(&out[0]);
    assert_eq!(split(m), vec![("A2", d("200")), ("A1", d("150"))]);
    assert!(m.is_part());
}

#[test]
fn an_excess_over_a_total_stays_on_the_last_as_a_credit() {
    let (invoices, letters, total) = letter_ledger();
    let out = match_payments_with_letters(&invoices, &letters, &[pay("T1", "1100", &[&total])]);
    let m = matched(&out[0]);
    assert_eq!(split(m), vec![("A2", d("200")), ("A1", d("300")), ("A3", d("600"))]);
    assert_eq!(m.excess(), d("100"));
}

#[test]
fn a_total_reference_skips_what_is_settled_and_is_a_credit_when_all_is() {
    let (mut invoices, letters, total) = letter_ledger();
    invoices[1].open = Decimal::ZERO; // A2 paid on its own meanwhile
    let first = pay("T1", "800", &[&total]);
    let mut second = pay("T2", "800", &[&total]);
    second.date = date("2026-11-21");
    let out = match_payments_with_letters(&invoices, &letters, &[first, second]);
    assert_eq!(split(matched(&out[0])), vec![("A1", d("300")), ("A3", d("500"))]);
    // Paid twice: the second is a credit on the newest of the letter.
    let again = matched(&out[1]);
    assert_eq!(split(again), vec![("A3", d("800"))]);
    assert_eq!(again.excess(), d("800"));
}

#[test]
fn a_total_reference_in_another_currency_or_also_an_invoices_is_not_certain() {
    let (invoices, letters, total) = letter_ledger();
    let mut eur = pay("T1", "1000", &[&total]);
    eur.currency = Currency::parse("EUR").unwrap();
    let out = match_payments_with_letters(&invoices, &letters, &[eur]);
    assert!(unmatched(&out[0]).reason.contains("the payment is in EUR"), "{:?}", out[0]);
    let mut clash = invoices.clone();
    clash[3].reference = Some(total.clone().into());
    let out = match_payments_with_letters(&clash, &letters, &[pay("T1", "1000", &[&total])]);
    let u = unmatched(&out[0]);
    assert!(u.reason.contains("both a letter's total reference and an invoice's"), "{}", u.reason);
    // Either customer may have paid: both are held back.
    assert_eq!(u.customers, vec!["K1".to_owned(), "K2".to_owned()]);
}

/// The compact index gives every position of a hash, in candidate order, whatever bucket the
/// hash falls in, and none of another hash in the same bucket.
#[test]
fn key_index_gives_the_positions_of_a_hash_in_order() {
    let index = KeyIndex::new(vec![(u64::MAX, 4), (5, 2), (5, 0), (6, 1), (u64::MAX, 3), (0, 9)]);
    assert_eq!(index.positions(5).collect::<Vec<_>>(), vec![0, 2]);
    assert_eq!(index.positions(u64::MAX).collect::<Vec<_>>(), vec![3, 4]);
    assert_eq!(index.positions(0).collect::<Vec<_>>(), vec![9]);
    assert_eq!(index.positions(7).count(), 0);
    assert_eq!(KeyIndex::new(Vec::new()).positions(1).count(), 0);
}
