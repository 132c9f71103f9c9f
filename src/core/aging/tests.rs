use super::*;
use crate::core::ledger::{CustomerIndex, PaymentIndex};
use proptest::prelude::*;
use std::str::FromStr;

#[test]
fn buckets_follow_the_bounds() {
    let b = [30, 60, 90];
    assert_eq!(bucket_index(-5, &b), 0);
    assert_eq!(bucket_index(0, &b), 0);
    assert_eq!(bucket_index(1, &b), 1);
    assert_eq!(bucket_index(30, &b), 1);
    assert_eq!(bucket_index(31, &b), 2);
    assert_eq!(bucket_index(90, &b), 3);
    assert_eq!(bucket_index(91, &b), 4);
}

/// The `i`-th invoice of a test ledger (line `i` + 2), unpaid: `cents` of `currency` owed by
/// `customer`, issued and due on the dates given.
fn unpaid<'a>(
    i: usize,
    number: &'a str,
    (customer, currency): (&'a str, &str),
    (issued, due): (NaiveDate, NaiveDate),
    cents: i64,
) -> InvoiceRecord<'a> {
    InvoiceRecord {
        line: i as u64 + 2,
        number,
        customer,
        issued,
        due,
        amount: Decimal::new(cents, 2),
        paid: Decimal::ZERO,
        balance: None,
        currency: Currency::parse(currency).unwrap(),
        reference: None,
        paid_on: None,
        credits: None,
        description: None,
        discount: None,
    }
}

fn input<'a>(bounds: &'a [u32], flow: FlowFigures) -> AgingInput<'a> {
    AgingInput { customers: Vec::new(), bounds, flow, journal: JournalFacts::default(), interest: None }
}

proptest! {
    /// Σ buckets = total for every row, and the TOTAL rows equal the sum of all open items,
    /// whatever the invoices, payments, credit notes and as-of date.
    #[test]
    fn buckets_sum_to_the_open_total(
        invoices in proptest::collection::vec((0u8..5, 0i64..400, 0i64..60, -50_000i64..500_000, 0i64..100, proptest::option::of(0i64..500)), 0..60),
        as_of_offset in 0i64..500,
    ) {
        let base = NaiveDate::from_str("2025-01-01").unwrap();
        let as_of = base + chrono::Days::new(as_of_offset as u64);
        let customers = CustomerIndex::default();
        let payments = PaymentIndex::default();
        let mut book = OpenBook::new(as_of);
        let mut flow = FlowFigures::default();
        let numbers: Vec<String> = (0..invoices.len()).map(|i| i.to_string()).collect();
        let ids = ["A", "B", "C", "D", "E"];
        let mut expected = Decimal::ZERO;
        for (i, &(cust, issued, terms, cents, paid_pct, credits)) in invoices.iter().enumerate() {
            let issued = base + chrono::Days::new(issued as u64);
            let amount = Decimal::new(cents, 2);
            let paid = (amount * Decimal::from(paid_pct) / Decimal::from(100)).round_dp(2);
            let target = credits.map(|t| (t as usize % invoices.len()).to_string());
            let record = InvoiceRecord {
                line: i as u64 + 2,
                number: &numbers[i],
                customer: ids[cust as usize],
                issued,
                due: issued + chrono::Days::new(terms as u64),
                amount,
                paid,
                balance: None,
                currency: Currency::parse(if cust % 2 == 0 { "SEK" } else { "EUR" }).unwrap(),
                reference: None,
                paid_on: None,
                credits: if amount < Decimal::ZERO { target.as_deref() } else { None },
                description: None,
                discount: None,
            };
            if issued <= as_of { expected += amount - paid; }
            flow.push(&record, as_of);
            book.push(&record, &customers, &payments);
        }
        book.apply_credits();
        let report = aging(&mut book, input(&[30, 60, 90], flow), vec![]).unwrap();
        for row in report.rows.iter().chain(&report.totals) {
            prop_assert_eq!(row.buckets.iter().copied().sum::<Decimal>(), row.total);
        }
        let grand: Decimal = report.totals.iter().map(|t| t.total).sum();
        prop_assert_eq!(grand, expected);
    }

    /// As-of monotonicity: with nothing paid, advancing the as-of date never lowers the open
    /// or the overdue total, and never moves an amount to a younger bucket.
    #[test]
    fn later_as_of_dates_never_look_younger(
        invoices in proptest::collection::vec((0i64..400, 0i64..60, 1i64..500_000), 1..40),
        d1 in 0i64..500,
        step in 0i64..200,
    ) {
        let base = NaiveDate::from_str("2025-01-01").unwrap();
        let numbers: Vec<String> = (0..invoices.len()).map(|i| i.to_string()).collect();
        let report_on = |offset: i64| {
            let as_of = base + chrono::Days::new(offset as u64);
            let mut book = OpenBook::new(as_of);
            for (i, &(issued, terms, cents)) in invoices.iter().enumerate() {
                let issued = base + chrono::Days::new(issued as u64);
                let due = issued + chrono::Days::new(terms as u64);
                let record = unpaid(i, &numbers[i], ("A", "SEK"), (issued, due), cents);
                book.push(&record, &CustomerIndex::default(), &PaymentIndex::default());
            }
            book.apply_credits();
            aging(&mut book, input(&[30, 60, 90], FlowFigures::default()), vec![]).unwrap()
        };
        let early = report_on(d1);
        let late = report_on(d1 + step);
        let total = |r: &AgingReport| r.totals.iter().map(|t| t.total).sum::<Decimal>();
        let older_than = |r: &AgingReport, k: usize| r.totals.iter().map(|t| t.buckets[k..].iter().copied().sum::<Decimal>()).sum::<Decimal>();
        prop_assert!(total(&early) <= total(&late));
        for k in 1..5 {
            prop_assert!(older_than(&early, k) <= older_than(&late, k), "bucket {k} and older");
        }
    }
}

mod accrued_interest {
    //! The report's accrued interest is the sum of what `dun due` computes for each open
    //! invoice (`charges::interest`, the debtor's law and its segment's interest settings),
    //! before rounding.
    use super::*;
    use crate::core::journal::Journal;
    use crate::core::ledger::Ledger;
    use crate::core::model::{Customer, CustomerKind, Invoice};

    const POLICY: &str = "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
        [segments.fixed.interest]\nmode = \"fixed\"\nrate = \"24\"\n\
        [segments.none.interest]\nmode = \"none\"\n\
        [segments.days.interest]\nday_count = \"30/360\"\nreference_rates = [{ from = 2026-01-01, rate = \"4\" }]\n\
        [segments.terms.terms]\npayment_days = 20\n";
    const SEGMENTS: [Option<&str>; 6] =
        [None, Some("fixed"), Some("none"), Some("days"), Some("terms"), Some("unknown")];
    const COUNTRIES: [&str; 5] = ["SE", "NO", "DK", "FI", "DE"];

    /// Every rate at the largest a policy may name (`policy::MAX_RATE_PERCENT`).
    const POLICY_AT_BOUND: &str = "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
        [interest]\nreference_rates = [{ from = 2025-01-01, rate = \"100\" }]\n\
        [segments.fixed.interest]\nmode = \"fixed\"\nrate = \"100\"\n\
        [segments.days.interest]\nday_count = \"30/360\"\nreference_rates = [{ from = 2026-01-01, rate = \"-100\" }]\n";

    fn report_and_due(
        customers: &[(usize, usize, bool)],
        invoices: &[(usize, u64, i64, bool)],
        as_of: NaiveDate,
    ) -> (BTreeMap<Currency, Decimal>, BTreeMap<Currency, Decimal>) {
        report_and_due_under(POLICY, customers, invoices, as_of)
    }

    fn report_and_due_under(
        policy: &str,
        customers: &[(usize, usize, bool)],
        invoices: &[(usize, u64, i64, bool)],
        as_of: NaiveDate,
    ) -> (BTreeMap<Currency, Decimal>, BTreeMap<Currency, Decimal>) {
        let policy = Policy::from_toml(policy).unwrap();
        let register: Vec<Customer> = customers
            .iter()
            .enumerate()
            .map(|(i, &(segment, country, consumer))| {
                Customer {
                    id: compact_str::format_compact!("C{i}"),
                    name: compact_str::format_compact!("Kund {i}"),
                    kind: if consumer { CustomerKind::Consumer } else { CustomerKind::Business },
                    line: i as u64 + 2,
                    ..Customer::default()
                }
                .with_country(COUNTRIES[country])
                .with_segment(SEGMENTS[segment])
            })
            .collect();
        let base = NaiveDate::from_str("2025-10-01").unwrap();
        let bills: Vec<Invoice> = invoices
            .iter()
            .enumerate()
            .map(|(i, &(customer, due, cents, eur))| {
                let owner = if customer < register.len() { format!("C{customer}") } else { "X".to_owned() };
                let bill = Invoice::unpaid_sek(
                    &i.to_string(),
                    &owner,
                    base,
                    base + chrono::Days::new(due),
                    Decimal::new(cents, 2),
                );
                let mut bill = bill;
                bill.line = i as u64 + 2;
                bill.currency = Currency::parse(if eur { "EUR" } else { "SEK" }).unwrap();
                bill
            })
            .collect();
        let ledger = Ledger::new(policy, register, bills, Vec::new(), Journal::default());
        let mut due: BTreeMap<Currency, Decimal> = BTreeMap::new();
        for invoice in ledger.invoices.iter().filter(|i| i.due < as_of) {
            let customer = ledger.customer(invoice.customer());
            let rules = ledger.rules_for(customer);
            let result = crate::core::charges::interest(&ledger, invoice, customer, &rules, as_of);
            *due.entry(invoice.currency).or_default() += result.unrounded;
        }
        let briefs: Vec<CustomerBrief> = ledger
            .customers
            .iter()
            .map(|c| {
                let country = c.country().as_bytes().try_into().unwrap();
                CustomerBrief::new(&c.id, &c.name, c.segment(), None, 30, c.line).with_debtor(country, c.kind)
            })
            .collect();
        let basis = InterestBasis::new(&ledger.policy, &briefs, as_of).unwrap();
        let mut book = ledger.open_book(as_of);
        let input = AgingInput {
            customers: briefs,
            bounds: &[30, 60, 90],
            flow: FlowFigures::default(),
            journal: JournalFacts::default(),
            interest: Some(&basis),
        };
        let report = aging(&mut book, input, vec![]).unwrap();
        let accrued = report.figures.per_currency.iter().map(|(c, f)| (*c, f.accrued_interest)).collect();
        (accrued, due)
    }

    #[test]
    fn a_segments_interest_settings_count() {
        // 10 000 kr from 2026-05-05 to 2026-06-30, 57 days, for a Swedish business:
        // base 2.00 + 8 = 10 % → 156.16; segment `fixed` 24 % → 374.79; `none` → 0;
        // `days`: 4 + 8 = 12 % over 30E/360's 56 days → 186.67.
        let as_of = NaiveDate::from_str("2026-06-30").unwrap();
        let due_day = (NaiveDate::from_str("2026-05-04").unwrap()
            - NaiveDate::from_str("2025-10-01").unwrap())
        .num_days() as u64;
        for (segment, expected) in
            [(0, "156.16"), (1, "374.79"), (2, "0.00"), (3, "186.67"), (4, "156.16"), (5, "156.16")]
        {
            let (report, due) =
                report_and_due(&[(segment, 0, false)], &[(0, due_day, 1_000_000, false)], as_of);
            let sek = Currency::parse("SEK").unwrap();
            let expected = Decimal::from_str(expected).unwrap();
            assert_eq!(report.get(&sek).copied().unwrap_or_default(), expected, "segment {segment}");
            assert_eq!(crate::core::money::round_money(due.get(&sek).copied().unwrap_or_default()), expected);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        #[test]
        fn the_report_sums_what_due_computes(
            customers in proptest::collection::vec((0usize..6, 0usize..5, any::<bool>()), 1..8),
            invoices in proptest::collection::vec((0usize..9, 0u64..400, 1i64..5_000_000, any::<bool>()), 1..25),
            as_of in 0u64..500,
        ) {
            let as_of = NaiveDate::from_str("2025-10-01").unwrap() + chrono::Days::new(as_of);
            let (report, due) = report_and_due(&customers, &invoices, as_of);
            for (currency, expected) in &due {
                let got = report.get(currency).copied().unwrap_or_default();
                prop_assert!((got - expected).abs() <= Decimal::new(51, 4), "{currency}: report {got}, due {expected}");
            }
        }

        /// Issue 10: money at its bounds never panics the report's or `due`'s arithmetic
        /// (sums, interest factors): amounts just under `MAX_AMOUNT` of either sign, every
        /// rate at the largest a policy may name, due up to 400 years before the as-of date.
        #[test]
        fn money_at_its_bounds_never_panics(
            customers in proptest::collection::vec((0usize..6, 0usize..5, any::<bool>()), 1..8),
            invoices in proptest::collection::vec((0usize..9, 0u64..400, any::<bool>(), any::<bool>()), 1..40),
            years in 0u64..400,
        ) {
            let largest = i64::try_from(crate::core::money::MAX_AMOUNT * Decimal::ONE_HUNDRED).unwrap() - 1;
            let invoices: Vec<_> = invoices
                .into_iter()
                .map(|(customer, due, credit, eur)| (customer, due, if credit { -largest } else { largest }, eur))
                .collect();
            let as_of = NaiveDate::from_str("2025-10-01").unwrap() + chrono::Days::new(400 + 365 * years);
            let (report, due) = report_and_due_under(POLICY_AT_BOUND, &customers, &invoices, as_of);
            for (currency, expected) in &due {
                let got = report.get(currency).copied().unwrap_or_default();
                prop_assert!((got - expected).abs() <= Decimal::new(51, 4), "{currency}: report {got}, due {expected}");
            }
        }
    }
}

proptest! {
    /// The book summed in two parts on two threads gives what one sort and one pass give: the
    /// same rows in the same order, the same per-currency sums and interest bases; and the split
    /// leaves no row's items on both sides.
    #[test]
    fn halves_sum_as_one(
        invoices in proptest::collection::vec((0u8..7, 0u8..3, 0i64..200, -5_000i64..500_000, any::<bool>()), 0..200),
    ) {
        let as_of = NaiveDate::from_str("2026-11-30").unwrap();
        let base = NaiveDate::from_str("2026-06-01").unwrap();
        let numbers: Vec<String> = (0..invoices.len()).map(|i| i.to_string()).collect();
        let ids = ["A", "B", "C", "D", "E", "F", "G"];
        let mut book = OpenBook::new(as_of);
        let mut disputed = HashSet::new();
        for (i, &(cust, cur, due, cents, dispute)) in invoices.iter().enumerate() {
            let owner = (ids[cust as usize], ["SEK", "EUR", "NOK"][cur as usize]);
            let record = unpaid(i, &numbers[i], owner, (base, base + chrono::Days::new(due as u64)), cents);
            book.push(&record, &CustomerIndex::default(), &PaymentIndex::default());
            if dispute {
                disputed.insert(numbers[i].clone());
            }
        }
        let of = TallyOf {
            book: &book,
            customers: &[],
            bounds: &[30, 60, 90],
            labels: &[],
            disputed: Some(&disputed),
            class_of: Some(&[]),
        };
        let mut items = book.items.clone();
        let at = split_by_row(&mut items);
        let below = items[..at].iter().map(row_key).max();
        if let (Some(below), Some(above)) = (below, items[at..].iter().map(row_key).min()) {
            prop_assert!(below < above, "a row on both sides of the split: {:?} {:?}", below, above);
        }
        let one = tally_in_parts(&mut book.items.clone(), &of, false).unwrap();
        let two = tally_in_parts(&mut book.items.clone(), &of, true).unwrap();
        prop_assert_eq!(&one.rows, &two.rows);
        let sums = |t: &Tally| t.per_currency.0.iter().map(|(c, s)| (*c, s.map(|m| m.total()))).collect::<Vec<_>>();
        prop_assert_eq!(sums(&one), sums(&two));
        let bases = |t: Tally| {
            let mut v: Vec<_> = t.overdue_by_due.into_iter().map(|(k, m)| (k, m.total())).collect();
            v.sort_unstable();
            v
        };
        prop_assert_eq!(bases(one), bases(two));
    }
}
