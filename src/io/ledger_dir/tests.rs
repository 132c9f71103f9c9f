use super::*;
use crate::core::journal::Event;
use proptest::prelude::*;

fn invoice_on(line: u64) -> Invoice {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date");
    let mut invoice = Invoice::unpaid_sek(&format!("N{line}"), "C1", day, day, rust_decimal::Decimal::ONE);
    invoice.line = line;
    invoice
}

/// Workers' parts as a scan collects them.
fn blocks(parts: Vec<Vec<Invoice>>) -> Vec<crate::core::blocks::Blocks<Invoice>> {
    parts.into_iter().map(|p| p.into_iter().collect()).collect()
}

fn lines(invoices: &[Invoice]) -> Vec<u64> {
    invoices.iter().map(|i| i.line).collect()
}

#[test]
fn parts_taken_in_turn_are_merged_in_file_order() {
    // Two workers that took chunks 1-3, 7-8 and 4-6, 9 of the file.
    let parts = vec![
        [2, 3, 4, 9, 10].map(invoice_on).to_vec(),
        [5, 6, 7, 8, 11].map(invoice_on).to_vec(),
        Vec::new(),
    ];
    let merged = in_file_order(blocks(parts));
    assert_eq!(lines(&merged), vec![2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert_eq!(merged[3].number(), "N5", "each invoice moves with its line");
    assert_eq!(merged.capacity(), merged.len(), "sized once");
}

#[test]
fn a_part_out_of_order_is_sorted_all_the_same() {
    let merged =
        in_file_order(blocks(vec![[9, 2, 5].map(invoice_on).to_vec(), [3, 1].map(invoice_on).to_vec()]));
    assert_eq!(lines(&merged), vec![1, 2, 3, 5, 9]);
}

const POLICY_TEXT: &str = "[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n";

fn ledger_dir(invoices: &str, payments: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("written");
    write(POLICY, POLICY_TEXT);
    write(CUSTOMERS, "id,name,kind\nK1,Alfa AB,business\nK2,Beta Holm,consumer\nK3,Gamma AB,business\n");
    write(INVOICES, invoices);
    if !payments.is_empty() {
        write(PAYMENTS, payments);
    }
    dir
}

/// `payments.csv` of generated payments: on an invoice number or (when the flag is set) on
/// a reference, days from the start, an amount in cents; a negative one is a reversal, said
/// so.
fn payments_by_file(paid: &[(u8, u16, i32, bool)]) -> String {
    let mut csv = String::from("date,invoice,reference,amount,reversal\n");
    for &(n, days, cents, by_reference) in paid {
        let (number, reference) = match by_reference {
            true => (String::new(), format!("{}", 1000 + u32::from(n % 6))),
            false => (format!("N{n}"), String::new()),
        };
        let reversal = if cents < 0 { "yes" } else { "" };
        let date = day("2025-10-01") + chrono::Days::new(u64::from(days));
        let amount = rust_decimal::Decimal::new(i64::from(cents), 2);
        csv += &format!("{date},{number},{reference},{amount},{reversal}\n");
    }
    csv
}

/// A ledger directory of generated invoice rows, `payments.csv` lines and journal lines.
fn ledger_with_journal(
    rows: &[Row],
    paid_by_file: &[(u8, u16, i32, bool)],
    journal: &[Line],
) -> tempfile::TempDir {
    let dir = ledger_dir(&invoices_csv(rows), &payments_by_file(paid_by_file));
    std::fs::write(dir.path().join(JOURNAL), journal_csv(journal)).expect("written");
    dir
}

/// Every decision, violation and warning of both loads, as text.
fn decided(ledger: &crate::core::ledger::Ledger, as_of: chrono::NaiveDate) -> String {
    let outcome = crate::core::dunning::decide(ledger, as_of);
    format!("{:#?}\n{:#?}\n{:#?}", outcome.decisions, outcome.violations, outcome.warnings)
}

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().expect("a date")
}

/// A number given twice is decided on its first line with what is open on the number: when
/// that line is settled and a later one open, the settled line is the one decided (for the
/// first line's customer), so the deciding load keeps it.
#[test]
fn a_settled_first_line_of_a_repeated_number_is_kept_and_other_settled_ones_are_not() {
    let dir = ledger_dir(
        "number,customer,issued,due,amount,paid,paid_on,credits\n\
         7,K1,2026-01-01,2026-01-31,100.00,100.00,2026-01-20,\n\
         8,K2,2026-01-01,2026-01-31,200.00,200.00,2026-01-20,\n\
         7,K2,2026-02-01,2026-02-28,300.00,0,,\n\
         9,K3,2026-02-01,2026-02-28,400.00,0,,\n\
         CN1,K3,2026-02-10,2026-02-10,-50.00,0,,8\n\
         10,K3,2026-12-01,2026-12-31,500.00,0,,\n",
        "",
    );
    std::fs::write(
        dir.path().join(JOURNAL),
        "date,event,invoice,customer,amount,until,channel,ref,note\n\
         2026-01-10,reminder,8,K2,0.00,2026-01-20,letter,2026-01-10/reminder-1_K2_SEK,\n\
         2026-01-10,queued,8,K2,,,letter,2026-01-10/reminder-1_K2_SEK,letters/K2.pdf\n\
         2026-03-01,hold,,K3,,,,,\n\
         2026-03-05,reminder,7,K1,0.00,2026-03-15,letter,2026-03-05/reminder-1_K1_SEK,\n\
         2026-03-05,note,10,K3,,,,,\"early, \"\"really\"\"\"\n\
         2026-03-06,dispute,9,K3,,,,,\n",
    )
    .expect("written");
    let as_of = day("2026-04-01");
    let whole = load_ledger(dir.path()).expect("loads");
    let deciding = load_ledger_deciding(dir.path(), as_of).expect("loads");
    let kept: Vec<(&str, u64)> = deciding.invoices.iter().map(|i| (i.number(), i.line)).collect();
    // 8 is paid (its credit note's credit stays with K3); 10 is not issued yet.
    assert_eq!(kept, vec![("7", 2), ("7", 4), ("9", 5), ("CN1", 6)]);
    // The journal's lines on 8 and 10 are left out, but not the delivery line on 8 (it
    // follows a letter by its reference) nor the hold on K3.
    let journal_lines =
        |l: &crate::core::ledger::Ledger| l.journal.entries.iter().map(|e| e.line).collect::<Vec<_>>();
    assert_eq!(journal_lines(&whole), vec![2, 3, 4, 5, 6, 7]);
    assert_eq!(journal_lines(&deciding), vec![3, 4, 5, 7]);
    let plan = decided(&deciding, as_of);
    assert_eq!(plan, decided(&whole, as_of));
    let outcome = crate::core::dunning::decide(&deciding, as_of);
    let seven = outcome.decisions.iter().find(|d| d.invoice == "7").expect("7 is decided");
    assert_eq!((seven.customer, seven.open), ("K1", rust_decimal::Decimal::from(300)));
}

/// `dun explain` finds the customer by the first line of the invoice's number, `dun
/// customer` by id or a part of the name; a customer's lines are kept as written or as the
/// register reads them.
#[test]
fn a_load_about_one_customer_finds_it_by_invoice_or_name() {
    let dir = ledger_dir(
        "number,customer,issued,due,amount,paid,paid_on,credits\n\
         7,K2,2026-01-01,2026-01-31,100.00,0,,\n\
         8,K1,2026-01-01,2026-01-31,200.00,0,,\n\
         7,K1,2026-02-01,2026-02-28,300.00,0,,\n\
         9,K3,2026-02-01,2026-02-28,400.00,0,,\n\
         CN1,K3,2026-02-10,2026-02-10,-50.00,0,,8\n\
         11,K3,2026-02-01,2026-02-28,400.00,0,,\n",
        "",
    );
    let numbers = |about: About<'_>| -> Vec<(String, u64)> {
        let ledger = load_ledger_about(dir.path(), about).expect("loads");
        ledger.invoices.iter().map(|i| (i.number().to_string(), i.line)).collect()
    };
    let owned = |list: &[(&str, u64)]| list.iter().map(|(n, l)| (n.to_string(), *l)).collect::<Vec<_>>();
    // 7's first line is K2's: K2's line, 7's other line, and every credit note with the
    // invoice it names (which may be K2's for all the load knows).
    assert_eq!(numbers(About::InvoiceOf("7")), owned(&[("7", 2), ("8", 3), ("7", 4), ("CN1", 6)]));
    // K1 by a part of its name: its lines, 7's other line, the credit note on its 8.
    assert_eq!(numbers(About::Customer("alfa")), owned(&[("7", 2), ("8", 3), ("7", 4), ("CN1", 6)]));
    // K3's credit note names K1's 8, which comes along.
    assert_eq!(
        numbers(About::InvoiceOf("11")),
        owned(&[("7", 2), ("8", 3), ("7", 4), ("9", 5), ("CN1", 6), ("11", 7)])
    );
    assert!(numbers(About::InvoiceOf("12")).is_empty());
    assert!(numbers(About::Customer("AB")).is_empty(), "two names hold AB: nobody is meant");
}

/// `dun stats` compares an invoice without a reminder on the day its customer's segment
/// would have reminded it, if it was open the day before: one paid on that day or after is
/// compared, one paid before it is not. The scan passes by what was paid before the earliest
/// segment's day unlooked at ([`crate::core::insight::effectiveness::may_be_compared`]): one
/// paid before its own later day is looked at and compared by nobody.
#[test]
fn the_stats_scan_compares_an_invoice_on_its_segments_day() {
    use crate::core::insight::effectiveness::effectiveness;
    let dir = ledger_dir(
        "number,customer,issued,due,amount,paid,paid_on\n\
         1,K1,2025-10-01,2025-10-31,1000.00,1000.00,2025-11-10\n\
         2,K2,2025-10-01,2025-10-31,1000.00,1000.00,2025-11-10\n\
         3,K1,2025-10-01,2025-10-31,1000.00,1000.00,2025-11-02\n\
         4,K1,2025-10-01,2025-10-31,1000.00,0,\n\
         5,K1,2025-10-01,2025-10-31,1000.00,1000.00,2025-11-03\n\
         6,K1,2025-10-01,2025-10-31,1000.00,0,\n",
        "date,invoice,amount\n2025-11-03,6,1000.00\n",
    );
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("written");
    write(
        POLICY,
        &format!("{POLICY_TEXT}[reminder]\nafter_days = 20\n[segments.soon]\nreminder.after_days = 3\n"),
    );
    write(CUSTOMERS, "id,name,kind,segment\nK1,Alfa AB,business,soon\nK2,Beta Holm,consumer,\n");
    let as_of = day("2026-01-31");
    let whole = load_ledger(dir.path()).expect("loads");
    let (stats, _) = effectiveness_of(dir.path(), as_of).expect("reads");
    assert_eq!(stats, effectiveness(&whole, as_of));
    // K1's day is 3 November: 1 (paid 7 days after it), 5 and 6 (paid on it, in `paid` and
    // in payments.csv) and 4 (never).
    let first = &stats.steps[0];
    let without = &first.without_step;
    assert_eq!((without.invoices, without.paid_within[0], without.unpaid), (4, 3, 1));
    assert_eq!(stats.invoices_due_12m, 6);
}

/// An invoice settled on the forecast's first day can open again within it: `paid`,
/// negative (a payment taken back), dated within the forecast, or a payment of
/// payments.csv reversed within it. The forecasting load keeps both and the forecast
/// reminds each from that day, as on the whole ledger.
#[test]
fn the_forecasting_load_keeps_an_invoice_that_opens_again() {
    use crate::core::dunning::forecast;
    let dir = ledger_dir(
        "number,customer,issued,due,amount,paid,paid_on\n\
         1,K1,2025-10-01,2025-10-31,100.00,-50.00,2025-12-05\n\
         2,K1,2025-10-01,2025-10-31,100.00,100.00,2025-10-20\n\
         3,K1,2025-10-01,2025-10-31,100.00,0,\n",
        "date,invoice,amount,reversal\n2025-10-20,1,100.00,\n2025-10-20,3,100.00,\n2025-12-10,3,-100.00,yes\n",
    );
    let (as_of, until) = (day("2025-12-01"), day("2025-12-31"));
    let slim = load_ledger_forecasting(dir.path(), as_of, until).expect("loads");
    assert_eq!(slim.invoices.iter().map(|i| i.number()).collect::<Vec<_>>(), ["1", "3"]);
    let whole = load_ledger(dir.path()).expect("loads");
    let listed = |list: &[(chrono::NaiveDate, crate::core::dunning::Decision<'_>)]| format!("{list:#?}");
    let planned = forecast(&whole, as_of, until);
    let reminded: Vec<_> = planned.iter().map(|(day, d)| (day.to_string(), d.invoice)).collect();
    assert_eq!(reminded[..2], [("2025-12-05".to_owned(), "1"), ("2025-12-10".to_owned(), "3")]);
    assert_eq!(listed(&forecast(&slim, as_of, until)), listed(&planned));
}

/// A generated row: number, customer, issued (days from the start), days to due (a few
/// before issued), amount (cents), how much is in `paid`, paid_on (days from issued), the
/// number it credits, its reference, a balance off amount − paid by this much.
type Row = (u8, u8, u16, i8, i32, u8, Option<u16>, Option<u8>, Option<u8>, Option<i8>);

fn invoices_csv(rows: &[Row]) -> String {
    let start = day("2025-10-01");
    let on = |days: i32| start.checked_add_signed(chrono::TimeDelta::days(i64::from(days))).expect("a day");
    let mut csv = String::from("number,customer,issued,due,amount,paid,paid_on,credits,reference,balance\n");
    for &(number, customer, issued, term, amount, paid, paid_on, credits, reference, balance) in rows {
        // A credit note is negative (now and then not, as exports have them).
        let amount = match credits {
            Some(_) if amount % 7 != 0 => -amount.abs(),
            _ => amount,
        };
        let amount = rust_decimal::Decimal::new(i64::from(amount), 2);
        // None, all or part of it paid, in `paid`.
        let paid = match paid % 3 {
            0 => rust_decimal::Decimal::ZERO,
            1 => amount,
            _ => (amount / rust_decimal::Decimal::TWO).round_dp(2),
        };
        let credits = credits.map_or(String::new(), |n| format!("N{n}"));
        let reference = reference.map_or(String::new(), |r| format!("{}", 1000 + u32::from(r)));
        let balance =
            balance.map_or(String::new(), |b| (amount - paid + rust_decimal::Decimal::from(b)).to_string());
        let issued = i32::from(issued);
        let (due, paid_on) =
            (on(issued + i32::from(term)), paid_on.map(|d| on(issued + i32::from(d)).to_string()));
        csv += &format!(
            "N{number},K{customer},{},{due},{amount},{paid},{},{credits},{reference},{balance}\n",
            on(issued),
            paid_on.unwrap_or_default()
        );
    }
    csv
}

/// A generated journal line: days from the start, the event, the invoice (none: a line on
/// the customer), the customer, a fee or amount (cents), until (days after), the channel,
/// the reference, the note (a letter's total reference, text with quotes and a comma).
type Line = (u16, u8, Option<u8>, u8, Option<i16>, Option<u8>, Option<u8>, Option<u8>, Option<u8>);

fn journal_csv(lines: &[Line]) -> String {
    let start = day("2025-10-01");
    let on = |days: u16| start + chrono::Days::new(u64::from(days));
    let mut csv = String::from("date,event,invoice,customer,amount,until,channel,ref,note\n");
    for &(days, event, invoice, customer, amount, until, channel, reference, note) in lines {
        // Reminders and the delivery lines that follow them by reference more often.
        let event = match usize::from(event) {
            e if e < Event::ALL.len() => Event::ALL[e],
            e if e % 2 == 0 => Event::Reminder,
            e => [Event::Queued, Event::Sent, Event::Failed][e % 3],
        };
        let invoice = invoice.map_or(String::new(), |n| format!("N{n}"));
        // A letter's line and its delivery lines have a reference and a channel.
        let (channel, reference) = match event {
            Event::Reminder => (channel.or(Some(0)), reference.or(Some(0))),
            e if e.is_delivery() => (channel.map(|c| c % 2).or(Some(0)), reference.or(Some(0))),
            _ => (channel, reference),
        };
        let amount =
            amount.map_or(String::new(), |a| rust_decimal::Decimal::new(i64::from(a), 2).to_string());
        let until = until.map_or(String::new(), |u| on(days + u16::from(u)).to_string());
        let channel = channel.map_or("", |c| ["letter", "email", "letter+email"][usize::from(c) % 3]);
        let reference = reference.map_or(String::new(), |r| match r % 4 {
            3 => "collection".to_owned(),
            r => format!("2026-01-0{r}/reminder-1_K1_SEK"),
        });
        let note = note.map_or(String::new(), |n| match n % 3 {
            // Total references with a valid check digit (the matcher takes no other).
            0 => format!("total-reference {}; letter", LETTER_TOTALS[usize::from(n) % 3]),
            1 => "\"said \"\"later\"\", maybe\"".to_owned(),
            _ => "letters/K1.pdf".to_owned(),
        });
        csv += &format!(
            "{},{event},{invoice},K{customer},{amount},{until},{channel},{reference},{note}\n",
            on(days)
        );
    }
    csv
}

/// The total references of generated letters: valid OCR numbers.
const LETTER_TOTALS: [&str; 3] = ["901", "906", "919"];

/// Generated invoice rows (see [`Row`]).
fn rows() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::vec(
        (
            0u8..14,
            1u8..5,
            0u16..300,
            -3i8..45,
            -20_000i32..900_000,
            0u8..3,
            proptest::option::of(0u16..120),
            proptest::option::weighted(0.25, 0u8..14),
            proptest::option::of(0u8..6),
            proptest::option::weighted(0.2, -1i8..2),
        ),
        0..30,
    )
}

/// Generated journal lines (see [`Line`]): numbers of invoices given and not, more
/// reminders and delivery lines than other events.
fn journal_lines() -> impl Strategy<Value = Vec<Line>> {
    proptest::collection::vec(
        (
            0u16..420,
            0u8..27,
            proptest::option::weighted(0.8, 0u8..18),
            1u8..5,
            proptest::option::of(0i16..9000),
            proptest::option::of(0u8..40),
            proptest::option::of(0u8..3),
            proptest::option::of(0u8..8),
            proptest::option::weighted(0.3, 0u8..9),
        ),
        0..40,
    )
}

/// `dun check`'s errors, as text.
fn errors(ledger: &crate::core::ledger::Ledger, as_of: chrono::NaiveDate) -> String {
    let errors: Vec<_> =
        crate::core::check::check_ledger(ledger, as_of).into_iter().filter(|f| f.is_error()).collect();
    assert_eq!(errors, crate::core::check::check_ledger_errors(ledger, as_of), "the gate's check");
    format!("{errors:#?}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// On any ledger (numbers given twice, credit notes for paid, open or unknown invoices,
    /// payments in `paid` and in payments.csv, before and after the day, invoices not issued
    /// yet, customers not in the register, balances that disagree), the deciding load
    /// decides exactly as the whole ledger does, and keeps no settled invoice whose number
    /// is given once; the load for letters decides the same, finds the same errors and
    /// takes the same references.
    #[test]
    fn the_slim_loads_decide_as_the_whole_ledger(
        rows in rows(),
        paid_by_file in proptest::collection::vec((0u8..14, 0u16..400, 1i32..500_000, any::<bool>()), 0..6),
        as_of in 0u16..420,
        journal in journal_lines(),
    ) {
        let dir = ledger_with_journal(&rows, &paid_by_file, &journal);
        let as_of = day("2025-10-01") + chrono::Days::new(u64::from(as_of));
        let whole = load_ledger(dir.path()).expect("loads");
        let deciding = load_ledger_deciding(dir.path(), as_of).expect("loads");
        prop_assert_eq!(decided(&deciding, as_of), decided(&whole, as_of));
        // The journal's lines on invoices that decide nothing are left out, and only those.
        let is_kept = |n: &str| deciding.invoices.iter().any(|i| i.number() == n);
        let wanted: Vec<u64> = whole.journal.entries.iter()
            .filter(|e| e.invoice().is_none_or(is_kept) || e.event.is_delivery())
            .map(|e| e.line).collect();
        prop_assert_eq!(deciding.journal.entries.iter().map(|e| e.line).collect::<Vec<_>>(), wanted);
        let paid = crate::core::ledger::PaymentIndex::new(&whole.payments, as_of);
        let kept: Vec<u64> = deciding.invoices.iter().map(|i| i.line).collect();
        for inv in &whole.invoices {
            let given_once = whole.invoices.iter().filter(|o| o.number() == inv.number()).count() == 1;
            let decides = crate::core::ledger::decides_on(&inv.record(), as_of, &paid);
            prop_assert_eq!(kept.contains(&inv.line), decides || !given_once, "line {}", inv.line);
        }
        let letters = load_ledger_for_letters(dir.path(), as_of).expect("loads");
        prop_assert_eq!(decided(&letters, as_of), decided(&whole, as_of));
        prop_assert_eq!(errors(&letters, as_of), errors(&whole, as_of));
        let (taken, taken_whole) = (crate::letters::compose::taken_references(&letters), crate::letters::compose::taken_references(&whole));
        prop_assert_eq!(taken.len(), taken_whole.len());
        prop_assert_eq!(crate::core::reference::letter::letter_totals(&letters.journal), crate::core::reference::letter::letter_totals(&whole.journal));
        for inv in &whole.invoices {
            let scheme = whole.rules_for(whole.customer(inv.customer())).reminder.reference();
            if let Some(r) = crate::letters::compose::payment_reference(inv.reference(), inv.number(), scheme) {
                prop_assert!(taken.contains(&r), "{} of line {}", r, inv.line);
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A forecast (`dun due --until`) on the forecasting load lists what it lists on the
    /// whole ledger, day by day (invoices issued, paid or credited in the forecast's time,
    /// payments of `payments.csv` by number and by reference, refunds); run on the ledger
    /// itself it lists the same and leaves the journal as it found it.
    #[test]
    fn the_forecasting_load_forecasts_as_the_whole_ledger(
        rows in rows(),
        paid_by_file in proptest::collection::vec((0u8..14, 0u16..400, -50_000i32..500_000, any::<bool>()), 0..8),
        as_of in 0u16..420,
        days in 0u16..40,
        journal in journal_lines(),
    ) {
        use crate::core::dunning::{forecast, forecast_by_appending, forecast_each};
        let start = day("2025-10-01");
        let dir = ledger_with_journal(&rows, &paid_by_file, &journal);
        let as_of = start + chrono::Days::new(u64::from(as_of));
        let until = as_of + chrono::Days::new(u64::from(days));
        let whole = load_ledger(dir.path()).expect("loads");
        let slim = load_ledger_forecasting(dir.path(), as_of, until).expect("loads");
        let listed = |list: &[(chrono::NaiveDate, crate::core::dunning::Decision<'_>)]| format!("{list:#?}");
        let want = listed(&forecast(&whole, as_of, until));
        // The actions' lines kept beside the journal decide as the journal's own would.
        prop_assert_eq!(listed(&forecast_by_appending(&whole, as_of, until)), want.clone());
        prop_assert_eq!(listed(&forecast(&slim, as_of, until)), want.clone());
        let mut in_place = Vec::new();
        let first_day = forecast_each(&slim, as_of, until, &mut |day, at, d| in_place.push((day, at, format!("{d:#?}"))));
        // Its first day's violations and warnings are that day's decision run's.
        let on_the_day = crate::core::dunning::decide_each(&slim, as_of, false, &mut |_, _| {});
        prop_assert_eq!(format!("{:#?}", (&first_day.violations, &first_day.warnings)), format!("{:#?}", (&on_the_day.violations, &on_the_day.warnings)));
        let again: Vec<_> = forecast(&slim, as_of, until).into_iter().map(|(day, d)| (day, slim.invoice_position(d.invoice), format!("{d:#?}"))).collect();
        prop_assert_eq!(in_place.into_iter().map(|(day, at, d)| (day, Some(at), d)).collect::<Vec<_>>(), again);
        // The forecast works the open amounts out again only on the days they can change.
        let change = whole.days_open_amounts_change(as_of, until);
        let mut before = whole.open_by_position(as_of);
        for today in as_of.iter_days().skip(1).take_while(|d| *d <= until) {
            let open = whole.open_by_position(today);
            prop_assert!(change.contains(&today) || open == before, "{} changed", today);
            before = open;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// On the same ledgers, a load about one customer (`dun explain`, `dun customer`)
    /// decides its invoices, shows its view and each of its invoices' journal as the whole
    /// ledger does; of other customers' lines it keeps only credit notes, what they name
    /// and numbers given twice, and of the journal only lines on the invoices kept, delivery
    /// lines and lines naming it. K4 has invoices but is not in the register (found through
    /// an invoice, as `dun explain` finds it), K5 has none.
    #[test]
    fn a_load_about_one_customer_shows_it_as_the_whole_ledger(
        rows in rows(),
        journal in journal_lines(),
        as_of in 0u16..420,
        customer in 1u8..6,
        by_invoice in any::<bool>(),
    ) {
        use crate::core::ledger::Ledger;
        let dir = ledger_dir(&invoices_csv(&rows), "");
        std::fs::write(dir.path().join(JOURNAL), journal_csv(&journal)).expect("written");
        let as_of = day("2025-10-01") + chrono::Days::new(u64::from(as_of));
        let id = format!("K{customer}");
        let whole = load_ledger(dir.path()).expect("loads");
        let first = whole.invoices.iter().find(|i| i.customer() == id.as_str()).map(|i| i.number().to_string());
        let about = match (&first, by_invoice || customer == 4) {
            (Some(number), true) if whole.invoice(number).is_some_and(|i| i.customer() == id.as_str()) => {
                About::InvoiceOf(number)
            }
            (_, true) if customer == 4 => return Ok(()),
            _ => About::Customer(&id),
        };
        let about = load_ledger_about(dir.path(), about).expect("loads");
        let decided = |l: &Ledger| {
            let o = crate::core::dunning::decide_customer(l, as_of, &id);
            format!("{:#?}\n{:#?}\n{:#?}", o.decisions, o.violations, o.warnings)
        };
        prop_assert_eq!(decided(&about), decided(&whole));
        if let Some(c) = whole.customer(&id) {
            let view = |l: &Ledger| format!("{:#?}", crate::core::customer::customer_view(l, c, as_of));
            prop_assert_eq!(view(&about), view(&whole));
        }
        for inv in whole.invoices.iter().filter(|i| i.customer() == id.as_str()) {
            prop_assert!(about.invoices.iter().any(|i| i.line == inv.line), "line {}", inv.line);
            let lines = |l: &Ledger| l.journal.for_invoice(inv.number()).map(|e| e.line).collect::<Vec<_>>();
            prop_assert_eq!(lines(&about), lines(&whole));
        }
        let given = |n: &str| whole.invoices.iter().filter(|i| i.number() == n).count();
        let credited = |n: &str| about.invoices.iter().any(|i| i.credits() == Some(n));
        for inv in about.invoices.iter().filter(|i| i.customer() != id.as_str()) {
            let why = inv.is_credit_note() || inv.credits().is_some() || given(inv.number()) > 1 || credited(inv.number());
            prop_assert!(why, "line {} of {} is kept for nothing", inv.line, inv.customer());
        }
        let kept = |n: &str| about.invoices.iter().any(|i| i.number() == n);
        let wanted: Vec<u64> = whole.journal.entries.iter()
            .filter(|e| e.invoice().is_none_or(kept) || e.event.is_delivery() || e.customer() == Some(id.as_str()))
            .map(|e| e.line).collect();
        prop_assert_eq!(about.journal.entries.iter().map(|e| e.line).collect::<Vec<_>>(), wanted);
        let none = load_ledger_about(dir.path(), About::Customer("nobody")).expect("loads");
        prop_assert!(none.invoices.is_empty());
        prop_assert!(none.journal.entries.iter().all(|e| e.invoice().is_none() || e.event.is_delivery()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `dun interest` claims on its load, for any period, what it claims on the whole
    /// ledger (invoices settled in the period by `paid`, by payments of `payments.csv` by
    /// number or by reference, by credit notes; numbers given twice), with no journal read.
    #[test]
    fn the_interest_load_claims_as_the_whole_ledger(
        rows in rows(),
        paid_by_file in proptest::collection::vec((0u8..14, 0u16..400, 1i32..500_000, any::<bool>()), 0..8),
        from in 0u16..420,
        days in 0u16..150,
        journal in journal_lines(),
    ) {
        use crate::core::charges::late_payment_interest;
        let start = day("2025-10-01");
        let dir = ledger_with_journal(&rows, &paid_by_file, &journal);
        let from = start + chrono::Days::new(u64::from(from));
        let to = from + chrono::Days::new(u64::from(days));
        let whole = load_ledger(dir.path()).expect("loads");
        let slim = load_ledger_for_interest(dir.path(), from, to).expect("loads");
        prop_assert_eq!(late_payment_interest(&slim, from, to), late_payment_interest(&whole, from, to));
        prop_assert!(slim.journal.entries.is_empty());
    }
}

proptest! {
    // A credit note of another customer on the target is found in about one case of 200.
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// An agreement or a note (`dun dispute`, `resolve`, `promise`, `plan`, `hold`,
    /// `release`, `note`) made on the load about what it names (an invoice, a customer of
    /// the register, one not in it, nothing known) is what the whole ledger makes: the same
    /// journal lines or the same refusal, the same plan confirmation, and the same lines
    /// already in the journal on what it names (a command repeated the same day) when it is an
    /// invoice or a customer of the register.
    #[test]
    fn an_agreement_on_a_load_about_its_target_is_as_on_the_whole_ledger(
        rows in rows(),
        paid_by_file in proptest::collection::vec((0u8..14, 0u16..400, 1i32..500_000, any::<bool>()), 0..6),
        journal in journal_lines(),
        as_of in 0u16..420,
        target in 0u8..20,
    ) {
        use crate::core::agreement::{self, PlanRequest};
        use crate::core::ledger::Ledger;
        let dir = ledger_with_journal(&rows, &paid_by_file, &journal);
        let as_of = day("2025-10-01") + chrono::Days::new(u64::from(as_of));
        let target = match target {
            0..=13 => format!("N{target}"),
            14..=17 => format!("K{}", target - 13),
            _ => "nobody".to_owned(),
        };
        let whole = load_ledger(dir.path()).expect("loads");
        let about = load_ledger_about(dir.path(), About::InvoiceOf(&target)).expect("loads");
        let req = PlanRequest { installments: 3, first: as_of, every_days: 30 };
        let made = |l: &Ledger| format!("{:#?}", [
            agreement::dispute(l, &target, Some("faulty"), as_of),
            agreement::resolve(l, &target, None, as_of),
            agreement::promise(l, &target, as_of + chrono::Days::new(10), None, as_of),
            agreement::plan(l, &target, &req, as_of),
            agreement::hold(l, &target, None, as_of),
            agreement::release(l, &target, Some("paid"), as_of),
            agreement::note(l, &target, "called", as_of),
        ]);
        prop_assert_eq!(made(&about), made(&whole));
        if let Ok(entries) = agreement::plan(&whole, &target, &req, as_of) {
            let parts: Vec<_> = entries.iter().map(|e| (e.until.unwrap_or(as_of), e.amount.unwrap_or_default())).collect();
            let letter = |l: &Ledger| format!("{:#?}", crate::letters::compose::plan_data(l, &target, &parts, as_of));
            prop_assert_eq!(letter(&about), letter(&whole));
        }
        let on_target = |l: &Ledger| -> Vec<u64> {
            l.journal.entries.iter()
                .filter(|e| match e.invoice() {
                    Some(number) => number == target,
                    None => e.customer() == Some(target.as_str()),
                })
                .map(|e| e.line)
                .collect()
        };
        // (Of a target that is neither, every command is refused before the journal is read.)
        if whole.invoice(&target).is_some() || whole.customer(&target).is_some() {
            prop_assert_eq!(on_target(&about), on_target(&whole));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `dun stats` on its load sees what it sees on the whole ledger (steps, pauses and
    /// hand-overs in the journal, payments in `paid` and in `payments.csv` by number and by
    /// reference, refunds, credit notes, numbers given twice, a segment reminding sooner).
    #[test]
    fn the_stats_load_sees_as_the_whole_ledger(
        rows in rows(),
        paid_by_file in proptest::collection::vec((0u8..14, 0u16..400, -50_000i32..500_000, any::<bool>()), 0..8),
        as_of in 0u16..480,
        journal in journal_lines(),
    ) {
        use crate::core::insight::effectiveness::effectiveness;
        let start = day("2025-10-01");
        let payments = payments_by_file(&paid_by_file);
        let dir = ledger_dir(&invoices_csv(&rows), &payments);
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("written");
        // Half the numbers never on the journal: compared without a step, or left out.
        let journal: Vec<Line> = journal.into_iter().filter(|l| l.2.is_none_or(|n| n < 7)).collect();
        write(JOURNAL, &journal_csv(&journal));
        write(POLICY, &format!("{POLICY_TEXT}[reminder]\nafter_days = 20\n[segments.soon]\nreminder.after_days = 3\n"));
        write(CUSTOMERS, "id,name,kind,segment\nK1,Alfa AB,business,soon\nK2,Beta Holm,consumer,\nK3,Gamma AB,business,\n");
        let as_of = start + chrono::Days::new(u64::from(as_of));
        let whole = load_ledger(dir.path()).expect("loads");
        let (stats, _) = effectiveness_of(dir.path(), as_of).expect("reads");
        prop_assert_eq!(stats, effectiveness(&whole, as_of));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `dun forget` on the load about the customer judges as on the whole ledger (what is
    /// open, the last activity, the retention) and finds the same invoice numbers of
    /// theirs to empty the descriptions of.
    #[test]
    fn forgetting_on_a_load_about_the_customer_is_as_on_the_whole_ledger(
        rows in rows(),
        paid_by_file in proptest::collection::vec((0u8..14, 0u16..400, 1i32..500_000, any::<bool>()), 0..6),
        journal in journal_lines(),
        as_of in 0u16..3000,
        customer in 1u8..4,
    ) {
        use crate::core::privacy::{last_activity, may_forget};
        let dir = ledger_with_journal(&rows, &paid_by_file, &journal);
        let as_of = day("2025-10-01") + chrono::Days::new(u64::from(as_of));
        let id = format!("K{customer}");
        let whole = load_ledger(dir.path()).expect("loads");
        let about = load_ledger_about(dir.path(), About::Customer(&id)).expect("loads");
        let judged = |l: &crate::core::ledger::Ledger| {
            let c = l.customer(&id).expect("in the register");
            (may_forget(l, c, as_of), last_activity(l, &id, as_of))
        };
        prop_assert_eq!(judged(&about), judged(&whole));
        let numbers = |l: &crate::core::ledger::Ledger| {
            let mut n: Vec<String> = l.invoices.iter().filter(|i| i.customer() == id.as_str()).map(|i| i.number().to_string()).collect();
            n.sort();
            n.dedup();
            n
        };
        prop_assert_eq!(numbers(&about), numbers(&whole));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `dun forecast` and its backtest on the forecast's load come out as on the whole
    /// ledger (invoices open on either day, settled within the history by `paid`, by
    /// payments of `payments.csv` by number or by reference, by credit notes; refunds;
    /// numbers given twice), with no journal read.
    #[test]
    fn the_forecast_load_forecasts_as_the_whole_ledger(
        rows in rows(),
        paid_by_file in proptest::collection::vec((0u8..14, 0u16..400, -50_000i32..500_000, any::<bool>()), 0..8),
        as_of in 0u16..800,
        weeks in 1u32..10,
    ) {
        use crate::core::insight::forecast::{backtest, forecast};
        let start = day("2025-10-01");
        let payments = payments_by_file(&paid_by_file);
        let dir = ledger_dir(&invoices_csv(&rows), &payments);
        let as_of = start + chrono::Days::new(u64::from(as_of));
        let whole = load_ledger(dir.path()).expect("loads");
        let slim = load_ledger_for_forecast(dir.path(), as_of, weeks).expect("loads");
        prop_assert_eq!(forecast(&slim, as_of, weeks), forecast(&whole, as_of, weeks));
        prop_assert_eq!(backtest(&slim, as_of, weeks), backtest(&whole, as_of, weeks));
    }
}

proptest! {
    /// `dun import`'s load reads the same letters' totals and the same `payment` lines as
    /// the whole ledger, and the same payments.
    #[test]
    fn the_import_load_reads_what_an_import_reads(rows in rows(), journal in journal_lines()) {
        use crate::core::journal::Event;
        use crate::core::reference::letter::letter_totals;
        let dir = ledger_dir(&invoices_csv(&rows), "");
        std::fs::write(dir.path().join(JOURNAL), journal_csv(&journal)).expect("written");
        let whole = load_ledger(dir.path()).expect("loads");
        let import = begin_import_load(dir.path()).expect("loads");
        prop_assert_eq!(format!("{:?}", letter_totals(&import.journal)), format!("{:?}", letter_totals(&whole.journal)));
        let paid = |j: &crate::core::journal::Journal| -> Vec<u64> {
            j.entries.iter().filter(|e| e.event == Event::Payment).map(|e| e.line).collect()
        };
        prop_assert_eq!(paid(&import.journal), paid(&whole.journal));
        prop_assert_eq!(&import.payments, &whole.payments);
    }
}

proptest! {
    /// Whatever way the file's lines were dealt out to the workers (each worker's part in
    /// file order, or not), the list is every invoice once, in file order.
    #[test]
    fn every_invoice_once_in_file_order(
        owners in proptest::collection::vec(0usize..4, 0..200),
        shuffle_one in any::<bool>(),
    ) {
        let mut parts: Vec<Vec<Invoice>> = vec![Vec::new(); 4];
        for (i, &w) in owners.iter().enumerate() {
            parts[w].push(invoice_on(i as u64 + 2));
        }
        if shuffle_one {
            parts[0].reverse();
        }
        let merged = in_file_order(blocks(parts));
        let want: Vec<u64> = (0..owners.len() as u64).map(|i| i + 2).collect();
        prop_assert_eq!(lines(&merged), want);
        let numbered_by_line = merged.iter().all(|i| i.number() == format!("N{line}", line = i.line));
        prop_assert!(numbered_by_line);
    }
}

/// The import's load against the whole ledger's matching.
mod import_load;
