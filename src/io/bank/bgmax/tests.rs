use super::*;
use crate::io::bank::testing::{day, dec, fixture, sample};
use proptest::prelude::*;

fn parse_ok(bytes: &[u8]) -> BankFile {
    parse_bgmax(bytes).unwrap_or_else(|e| panic!("{e:?}"))
}

/// (txid, line, amount, references, amounts, message, payer)
type Row<'a> =
    (&'a str, &'a str, &'a str, Vec<&'a str>, Vec<Option<&'a str>>, Option<&'a str>, Option<&'a str>);

fn assert_payments(file: &BankFile, currency: &[&str], expected: &[Row<'_>]) {
    assert_eq!(file.payments.len(), expected.len(), "{:#?}", file.payments);
    for ((p, want), cur) in file.payments.iter().zip(expected).zip(currency) {
        let (txid, location, amount, refs, amounts, message, payer) = want;
        assert_eq!(p.txid, *txid);
        assert_eq!(p.location, *location, "{txid}");
        assert_eq!(p.amount, dec(amount), "{txid}");
        assert_eq!(p.currency.as_deref(), Some(*cur), "{txid}");
        assert_eq!(p.references, *refs, "{txid}");
        let amounts: Vec<Option<Decimal>> = amounts.iter().map(|a| a.map(dec)).collect();
        assert_eq!(p.reference_amounts, amounts, "{txid}");
        assert_eq!(p.message.as_deref(), *message, "{txid}");
        assert_eq!(p.payer.as_deref(), *payer, "{txid}");
    }
}

#[test]
fn sample_avtal_om_ocr_kontroll_no_terminators() {
    let file = parse_ok(&sample("bgmax-bankgirot-avtal-om-ocr-kontroll.txt"));
    assert_eq!(file.format, BankFormat::BgMax);
    assert_eq!(file.version.as_deref(), Some("01"));
    assert_eq!(file.created, Some(day(2004, 5, 25)));
    assert!(file.skipped.is_empty(), "{:?}", file.skipped);
    assert!(file.payments.iter().all(|p| p.date == day(2004, 5, 25)));
    let id = |s: &str| format!("BG0009912346-20040525-00054-{s}");
    let ids: Vec<String> =
        ["000000000009", "000000000010", "000000000003", "000000000008"].iter().map(|s| id(s)).collect();
    assert_payments(
        &file,
        &["SEK"; 4],
        &[
            (&ids[0], "line 3", "900.00", vec!["573949"], vec![None], None, None),
            (&ids[1], "line 4", "100.00", vec![], vec![], None, Some("Kalles Plåt AB")),
            (
                &ids[2],
                "line 9",
                "600.00",
                vec!["65896", "65862", "65763"],
                vec![None, None, None],
                Some("65896,65862,65763"),
                Some("Kalles Plåt AB"),
            ),
            (
                &ids[3],
                "line 17",
                "500.00",
                vec!["65581"],
                vec![None],
                Some("Faktura65581 Kundnr1233"),
                Some("Olles färg AB"),
            ),
        ],
    );
}

#[test]
fn sample_bgmaxfil4_four_sections_with_eur() {
    let file = parse_ok(&sample("bgmax-bankgirot-bgmaxfil4.txt"));
    assert_eq!(file.created, Some(day(2004, 5, 25)));
    assert!(file.skipped.is_empty(), "{:?}", file.skipped);
    let id = |serial: &str, bgc: &str| format!("BG0009912346-20040525-{serial}-{bgc}");
    let ids = [
        id("00056", "000120000018"),
        id("00056", "000000000019"),
        id("00057", "000000000020"),
        id("00058", "000000000021"),
        id("00058", "000000000022"),
        id("00058", "000000000023"),
        id("00058", "000000000030"),
        id("00059", "000000000018"),
        id("00059", "000000000019"),
    ];
    assert_payments(
        &file,
        &["SEK", "SEK", "SEK", "SEK", "SEK", "SEK", "SEK", "EUR", "EUR"],
        &[
            (
                &ids[0],
                "line 3",
                "1800.00",
                vec!["665760", "665869", "665661", "657775"],
                vec![None; 4],
                Some("Betalning med extra refnr 665869 657775 665661 665760"),
                Some("Kalles Plåt AB"),
            ),
            (&ids[1], "line 14", "1900.00", vec!["524967"], vec![None], None, Some("Olles färg AB")),
            (
                &ids[2],
                "line 21",
                "2000.00",
                vec!["573964", "573865"],
                vec![Some("1700.00"), Some("300.00")],
                None,
                Some("Berits Garn"),
            ),
            (&ids[3], "line 30", "500.00", vec!["525865"], vec![None], None, Some("Olles färg AB")),
            (&ids[4], "line 35", "500.00", vec!["525766"], vec![None], None, Some("Berits Garn")),
            (&ids[5], "line 40", "500.00", vec!["535765"], vec![None], None, None),
            (
                &ids[6],
                "line 41",
                "1400.00",
                vec!["7495575", "695668", "74450"],
                vec![Some("1000.00"), Some("500.00"), Some("-500.00")],
                Some("8988777"),
                Some("Kalles Plåt AB"),
            ),
            (
                &ids[7],
                "line 52",
                "3000.00",
                vec!["8012577", "8013575", "8014573"],
                vec![None; 3],
                Some("8012577,8013575 Faktura8014573"),
                Some("Olles färg AB"),
            ),
            (&ids[8], "line 61", "1000.00", vec!["525766"], vec![None], None, Some("Berits Garn")),
        ],
    );
}

#[test]
fn utf8_resaved_and_reframed_copies_parse_the_same() {
    let original = sample("bgmax-bankgirot-avtal-om-ocr-kontroll.txt");
    let expected = parse_ok(&original);
    // An editor that saved the Latin-1 file as UTF-8 (with a BOM).
    let mut utf8 = vec![0xEF, 0xBB, 0xBF];
    utf8.extend(super::super::latin1(&original).as_bytes());
    assert_eq!(parse_ok(&utf8), expected);
    // The same records with LF terminators and trailing blanks stripped.
    let lines: Vec<String> =
        original.chunks(80).map(|r| super::super::latin1(r).trim_end().to_string()).collect();
    let relined: Vec<u8> = lines.join("\n").chars().map(|c| c as u8).collect();
    assert_eq!(parse_ok(&relined), expected);
}

#[test]
fn same_file_twice_gives_the_same_ids() {
    let bytes = sample("bgmax-bankgirot-bgmaxfil4.txt");
    let first: Vec<String> = parse_ok(&bytes).payments.into_iter().map(|p| p.txid).collect();
    let second: Vec<String> = parse_ok(&bytes).payments.into_iter().map(|p| p.txid).collect();
    assert_eq!(first, second);
    let unique: std::collections::HashSet<&String> = first.iter().collect();
    assert_eq!(unique.len(), first.len());
}

#[test]
fn fixture_split_deduction_short_records_and_tab() {
    let file = parse_ok(&fixture("bgmax-split-deduction-short-records.txt"));
    assert_eq!(file.created, Some(day(2024, 3, 15)));
    let id = |bgc: &str| format!("BG0005555555-20240315-00012-{bgc}");
    assert_payments(
        &file,
        &["SEK"; 3],
        &[
            (
                &id("000000000101"),
                "line 3",
                "2500.00",
                vec!["1234567", "2345678", "3456789"],
                vec![Some("2000.00"), Some("800.00"), Some("-300.00")],
                Some("Avser fakturor 1234567 och 2345678 minus kreditnota 3456789"),
                Some("Åsa Öberg Ängsbacken AB"),
            ),
            (
                &id("000000000102"),
                "line 10",
                "1000.00",
                vec!["4567890"],
                vec![None],
                None,
                Some("Björn Ståhl"),
            ),
            (&id("p3"), "line 15", "75.50", vec![], vec![], Some("Hyra mars"), None),
        ],
    );
    assert_eq!(file.skipped.len(), 2, "{:?}", file.skipped);
    assert_eq!(file.skipped[0].location, "line 12");
    assert_eq!(
        file.skipped[0].reason,
        "TK21 deduction of 200.00 SEK from Björn Ståhl (reference 9876543), \
         full, no remainder: it reduces the deposit and is not an incoming payment"
    );
    assert_eq!(file.skipped[1].location, "line 14");
    assert!(file.skipped[1].reason.contains("\"99\""), "{}", file.skipped[1].reason);
}

#[test]
fn fixture_without_line_terminators() {
    let bytes = fixture("bgmax-no-terminators.txt");
    assert!(!bytes.contains(&b'\n') && !bytes.contains(&b'\r'));
    let file = parse_ok(&bytes);
    assert_payments(
        &file,
        &["SEK"; 2],
        &[
            (
                "BG0001234566-20240402-00001-000000000777",
                "line 3",
                "12345.67",
                vec!["55512345"],
                vec![None],
                None,
                Some("Fjällräven Ödmjuk Handelsbolag"),
            ),
            (
                "BG0001234566-20240402-00001-000000000778",
                "line 5",
                "0.01",
                vec!["1000003"],
                vec![None],
                None,
                None,
            ),
        ],
    );
}

// --- building files for the edge cases and the property ------------------

fn rec(s: &str) -> String {
    format!("{s:<80}")
}

fn tk01() -> String {
    rec("01BGMAX               0120240102030405000000P")
}

fn tk05(currency: &str) -> String {
    rec(&format!("050009912346          {currency}"))
}

fn tk2x(tk: &str, reference: &str, ore: u64, code: char, serial: u64) -> String {
    rec(&format!("{tk}0001234567{reference:>25}{ore:018}{code}1{serial:012}0"))
}

fn tk15(net_ore: u64, count: usize, currency: &str) -> String {
    rec(&format!("15{:35}2024010200001{net_ore:018}{currency}{count:08}", ""))
}

fn tk70(n20: usize, n21: usize, n22: usize, n15: usize) -> String {
    rec(&format!("70{n20:08}{n21:08}{n22:08}{n15:08}"))
}

fn one_payment_file() -> Vec<String> {
    vec![tk01(), tk05("SEK"), tk2x("20", "12345", 10000, '2', 1), tk15(10000, 1, "SEK"), tk70(1, 0, 0, 1)]
}

fn errors_of(lines: &[String]) -> Vec<String> {
    match parse_bgmax(lines.join("\r\n").as_bytes()) {
        Ok(file) => panic!("accepted: {file:?}"),
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn minimal_built_file_parses() {
    let file = parse_ok(one_payment_file().join("\n").as_bytes());
    assert_eq!(file.payments[0].amount, dec("100.00"));
    assert_eq!(file.payments[0].date, day(2024, 1, 2));
    assert_eq!(file.payments[0].txid, "BG0009912346-20240102-00001-000000000001");
}

#[test]
fn malformed_amount_is_rejected_with_its_line() {
    let mut lines = one_payment_file();
    lines[2] = lines[2].replacen("000000000000010000", "0000000000000100X0", 1);
    let errors = errors_of(&lines);
    assert_eq!(errors[0], "line 3: amount \"0000000000000100X0\" (positions 38–55) is not 18 digits");
    // The deposit no longer adds up either: both are reported.
    assert!(errors.iter().any(|e| e.starts_with("line 4: deposit amount")), "{errors:?}");
}

#[test]
fn deposit_and_end_counts_are_checked() {
    let mut lines = one_payment_file();
    lines[3] = tk15(10001, 2, "SEK");
    lines[4] = tk70(2, 0, 1, 1);
    let errors = errors_of(&lines);
    assert_eq!(
        errors,
        vec![
            "line 4: deposit amount 100.01 is not the payments less deductions, 100.00",
            "line 4: TK15 says 2 payment and deduction records, the section has 1",
            "line 5: TK70 says 2 payment records (TK20), the file has 1",
            "line 5: TK70 says 1 extra reference records (TK22/23), the file has 0",
        ]
    );
}

#[test]
fn structure_errors() {
    let mut lines = one_payment_file();
    lines.pop();
    assert_eq!(errors_of(&lines), vec!["line 4: file ends without the TK70 end record (truncated?)"]);

    let mut lines = one_payment_file();
    lines.remove(0);
    let errors = errors_of(&lines);
    assert_eq!(errors[0], "line 1: a BgMax file starts with a TK01 start record");

    let mut lines = one_payment_file();
    lines.remove(3);
    let errors = errors_of(&lines);
    assert_eq!(errors[0], "line 4: TK70 end record while the section opened at line 2 has no TK15");

    let mut lines = one_payment_file();
    lines.insert(2, rec("25Text before any payment"));
    let errors = errors_of(&lines);
    assert_eq!(errors[0], "line 3: TK25 record without a TK20 payment or TK21 deduction before it");

    let mut lines = one_payment_file();
    lines.insert(3, rec("Hello, I edited this file"));
    assert_eq!(errors_of(&lines), vec!["line 4: \"He\" is not a two-digit transaction code"]);

    let mut lines = one_payment_file();
    lines.push(tk05("SEK"));
    assert_eq!(errors_of(&lines), vec!["line 6: record after the TK70 end record"]);

    let mut lines = one_payment_file();
    lines[0] = lines[0].replacen("P", "T", 1);
    assert_eq!(
        errors_of(&lines),
        vec!["line 1: this is a test file (TK01 test mark T): its payments are not real"]
    );

    let mut lines = one_payment_file();
    lines[3] = tk15(10000, 1, "EUR");
    assert_eq!(
        errors_of(&lines),
        vec!["line 4: deposit currency \"EUR\" differs from the section's \"SEK\" (TK05 at line 2)"]
    );

    let mut lines = one_payment_file();
    lines[2] = format!("{}X", lines[2]);
    let errors = errors_of(&lines);
    assert!(errors[0].starts_with("line 3: record is 81 characters long"), "{errors:?}");

    assert_eq!(parse_bgmax(b"").unwrap_err()[0].to_string(), "line 1: empty file: no BgMax records");
}

#[test]
fn error_list_is_capped() {
    let mut lines = vec![tk01(), tk05("SEK")];
    for i in 0..200 {
        lines.push(tk2x("20", "1", i, 'X', 1));
    }
    let errors = parse_bgmax(lines.join("\n").as_bytes()).unwrap_err();
    assert_eq!(errors.len(), super::super::MAX_ERRORS);
}

#[test]
fn zero_payment_is_skipped_not_imported() {
    let lines = [tk01(), tk05("SEK"), tk2x("20", "12345", 0, '2', 1), tk15(0, 1, "SEK"), tk70(1, 0, 0, 1)];
    let file = parse_ok(lines.join("\n").as_bytes());
    assert!(file.payments.is_empty());
    assert_eq!(file.skipped[0].location, "line 3");
}

/// A generated section: payments as (öre, reference), and deductions in öre.
type GenSection = (Vec<(u64, u64)>, Vec<u64>);

/// Builds a well-formed file from sections of (payment öre, reference) and
/// deductions; returns it with the total of the TK20 amounts written.
fn build_file(sections: &[GenSection], framing: u8) -> (Vec<u8>, u64) {
    let mut lines = vec![tk01()];
    let (mut n20, mut n21, mut n15, mut total) = (0, 0, 0, 0u64);
    let mut serial = 0u64;
    for (payments, deductions) in sections {
        lines.push(tk05("SEK"));
        let mut net: u64 = 0;
        for (ore, reference) in payments {
            serial += 1;
            lines.push(tk2x("20", &reference.to_string(), *ore, '2', serial));
            net += ore;
            total += ore;
            n20 += 1;
        }
        for ore in deductions {
            serial += 1;
            lines.push(tk2x("21", "999", *ore, '2', serial));
            net -= ore;
            n21 += 1;
        }
        lines.push(tk15(net, payments.len() + deductions.len(), "SEK"));
        n15 += 1;
    }
    lines.push(tk70(n20, n21, 0, n15));
    let bytes = match framing {
        0 => lines.concat(),
        1 => lines.join("\n"),
        _ => lines.join("\r\n") + "\r\n",
    };
    (bytes.into_bytes(), total)
}

fn arb_section() -> impl Strategy<Value = GenSection> {
    prop::collection::vec((1u64..100_000_000_000, 0u64..10_000_000_000), 1..6).prop_flat_map(|payments| {
        // A section is never negative: deductions stay below the smallest payment.
        let smallest = payments.iter().map(|p| p.0).min().unwrap_or(1);
        let deductions = prop::collection::vec(1u64..=smallest, 0..=1);
        (Just(payments), deductions)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn parsed_sum_equals_written_sum(
        sections in prop::collection::vec(arb_section(), 1..4),
        framing in 0u8..3,
    ) {
        let (bytes, total) = build_file(&sections, framing);
        let file = parse_bgmax(&bytes).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let sum: Decimal = file.payments.iter().map(|p| p.amount).sum();
        prop_assert_eq!(sum, Decimal::new(i64::try_from(total).unwrap_or(i64::MAX), 2));
        let count: usize = sections.iter().map(|s| s.0.len()).sum();
        prop_assert_eq!(file.payments.len(), count);
        let deductions: usize = sections.iter().map(|s| s.1.len()).sum();
        prop_assert_eq!(file.skipped.len(), deductions);
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_bgmax(&bytes);
    }

    #[test]
    fn never_panics_on_mutated_samples(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = sample("bgmax-bankgirot-bgmaxfil4.txt");
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = parse_bgmax(&bytes);
    }
}

/// The file as `dun import` streams it: the payments, in order, and everything else.
fn streamed(bytes: &[u8]) -> Result<BankFile, Vec<BankError>> {
    let framing = crate::io::bank::Framing::of(bytes).unwrap();
    let mut payments = Vec::new();
    let mut file = stream_bgmax(&|| Ok(bytes), &framing, &mut |p| payments.push(p)).unwrap()?;
    file.payments = payments;
    Ok(file)
}

/// Read as a stream, every sample and fixture (and their UTF-8 and relined copies) gives what
/// the whole-file parser gives; a broken file is rejected too.
#[test]
fn a_streamed_file_gives_what_the_whole_file_gives() {
    let original = sample("bgmax-bankgirot-avtal-om-ocr-kontroll.txt");
    let mut utf8 = vec![0xEF, 0xBB, 0xBF];
    utf8.extend(super::super::latin1(&original).as_bytes());
    let files = [
        original,
        utf8,
        sample("bgmax-bankgirot-bgmaxfil4.txt"),
        fixture("bgmax-no-terminators.txt"),
        fixture("bgmax-split-deduction-short-records.txt"),
        one_payment_file().join("\r\n").into_bytes(),
    ];
    for bytes in files {
        let whole = parse_bgmax(&bytes).unwrap();
        assert!(!whole.payments.is_empty());
        assert_eq!(streamed(&bytes).unwrap(), whole);
    }
    let mut lines = one_payment_file();
    lines[2] = lines[2].replacen("000000000000010000", "0000000000000100X0", 1);
    assert!(streamed(lines.join("\r\n").as_bytes()).is_err());
    lines.truncate(4);
    assert!(streamed(lines.join("\n").as_bytes()).is_err());
}
