use super::*;
use crate::io::bank::testing::{day, dec, fixture};
use proptest::prelude::*;

/// (location, date, amount, references, message, payer) of a payment.
type Seen<'a> = (&'a str, NaiveDate, Decimal, Vec<&'a str>, Option<&'a str>, Option<&'a str>);

/// `[import.csv]` naming these columns.
fn named(pairs: &[(&str, &str)]) -> CsvImportConfig {
    CsvImportConfig {
        columns: pairs.iter().map(|(o, t)| ((*o).to_owned(), (*t).to_owned())).collect(),
        ..CsvImportConfig::default()
    }
}

fn swedish() -> CsvImportConfig {
    named(&[
        ("date", "Bokföringsdag"),
        ("amount", "Belopp"),
        ("reference", "Referens"),
        ("message", "Meddelande"),
        ("payer", "Avsändare"),
    ])
}

#[test]
fn fixture_swedish_headers_decimal_comma_windows_1252() {
    let bytes = fixture("bank-export-sv.csv");
    assert!(std::str::from_utf8(&bytes).is_err(), "the fixture is Windows-1252");
    assert_eq!(super::super::detect_format(&bytes, "export.csv"), Some(BankFormat::Csv));
    for config in [
        swedish(),
        CsvImportConfig {
            delimiter: Some(b';'),
            decimal: Some(','),
            date_format: Some("%Y-%m-%d".into()),
            ..swedish()
        },
    ] {
        let file = parse_bank_csv(&bytes, &config).unwrap_or_else(|e| panic!("{e:?}"));
        let got: Vec<Seen<'_>> = file
            .payments
            .iter()
            .map(|p| {
                (
                    p.location.as_str(),
                    p.date,
                    p.amount,
                    p.references.iter().map(String::as_str).collect(),
                    p.message.as_deref(),
                    p.payer.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "line 3",
                    day(2024, 5, 2),
                    dec("1250.00"),
                    vec!["4455667788"],
                    Some("Faktura 1017"),
                    Some("Åkeriet i Västerås AB")
                ),
                (
                    "line 5",
                    day(2024, 5, 3),
                    dec("199.50"),
                    vec![],
                    Some("Faktura 1017; 1018 – tack"),
                    Some("Märta Öhrn")
                ),
                ("line 6", day(2024, 5, 3), dec("50.00"), vec![], Some("Swish"), Some("Björn Ek")),
                ("line 7", day(2024, 5, 3), dec("50.00"), vec![], Some("Swish"), Some("Björn Ek")),
                (
                    "line 8",
                    day(2024, 5, 6),
                    dec("12345.67"),
                    vec!["5566778899"],
                    None,
                    Some("Ödegårds Bygg AB")
                ),
            ]
        );
        assert_eq!(file.payments[0].reference_amounts, vec![None]);
        // Identical rows get an occurrence counter; ids are unique and repeatable.
        assert_eq!(file.payments[3].txid, format!("{}-2", file.payments[2].txid));
        assert!(file.payments[2].txid.starts_with("csv-20240503-50-"));
        let again = parse_bank_csv(&bytes, &config).unwrap_or_else(|e| panic!("{e:?}"));
        let ids = |f: &BankFile| f.payments.iter().map(|p| p.txid.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&file), ids(&again));
        let skipped: Vec<(&str, &str)> =
            file.skipped.iter().map(|s| (s.location.as_str(), s.reason.as_str())).collect();
        assert_eq!(
            skipped,
            vec![
                ("line 1", "before the header row"),
                ("line 4", "outgoing payment (negative amount -300.00)"),
            ]
        );
    }
}

#[test]
fn utf8_bom_crlf_comma_delimited_with_transaction_ids() {
    let text = "\u{feff}Date,Amount,Id,Ref\r\n2024-01-05,\"1,234.50\",TX-1,RF18539007547034\r\n\
                05.01.2024,200.00,,\r\n2024-01-06 13:45,-5.00,TX-3,\r\n";
    let config =
        named(&[("date", "date"), ("amount", "AMOUNT"), ("transaction_id", "Id"), ("reference", "Ref")]);
    let file = parse_bank_csv(text.as_bytes(), &config).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(file.payments.len(), 2);
    assert_eq!(file.payments[0].txid, "TX-1");
    assert_eq!(file.payments[0].amount, dec("1234.50"));
    assert_eq!(file.payments[0].references, vec!["RF18539007547034"]);
    assert_eq!(file.payments[1].date, day(2024, 1, 5));
    assert!(file.payments[1].txid.starts_with("csv-20240105-200-"));
    assert!(file.payments[1].references.is_empty());
    assert_eq!(file.skipped[0].location, "line 4");
}

#[test]
fn malformed_rows_are_rejected_with_their_line_numbers() {
    let text = "Datum;Belopp\n2024-01-05;10,00\n2024-13-05;10,00\n2024-01-07;1234.50\n2024-01-08;\n";
    let config = CsvImportConfig { decimal: Some(','), ..named(&[("date", "Datum"), ("amount", "Belopp")]) };
    let errors: Vec<String> =
        parse_bank_csv(text.as_bytes(), &config).unwrap_err().iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        vec![
            "line 3: date \"2024-13-05\" does not match a known date format",
            "line 4: amount \"1234.50\" in column \"Belopp\" is not a number",
            "line 5: no value in column \"Belopp\"",
        ]
    );
}

#[test]
fn missing_header_and_bad_config() {
    let config = swedish();
    let errors = parse_bank_csv(b"a;b\n1;2\n", &config).unwrap_err();
    assert_eq!(errors[0].location, "line 1");
    assert!(errors[0].message.starts_with("no header row with a date and an amount"), "{errors:?}");
    assert!(errors[0].message.contains("date = \"Bokföringsdag\""), "{errors:?}");
    let errors = parse_bank_csv(b"", &named(&[("datum", "Dag")])).unwrap_err();
    assert_eq!(errors[0].location, "import configuration");
    assert!(errors[0].message.contains("no column `datum`"), "{errors:?}");
    let bad_decimal = CsvImportConfig { decimal: Some(';'), ..swedish() };
    assert!(parse_bank_csv(b"", &bad_decimal).is_err());
}

fn seen(file: &BankFile) -> Vec<(String, String)> {
    file.payments.iter().map(|p| (p.date.to_string(), p.amount.to_string())).collect()
}

fn reasons(file: &BankFile) -> Vec<&str> {
    file.skipped.iter().map(|s| s.reason.as_str()).collect()
}

#[test]
fn pending_rows_by_date_marker_status_and_empty_value_date() {
    let nordea = "Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Ytterligare detaljer;Meddelande;Egna anteckningar;Saldo;Valuta;\n\
                  Reserverat;500,00;;;Kund AB;;Faktura 7;;;SEK;\n2025/12/29;250,00;;;Kund AB;;Faktura 8;;;SEK;\n";
    let file = parse_bank_csv(nordea.as_bytes(), &CsvImportConfig::default()).unwrap();
    assert_eq!(seen(&file), vec![("2025-12-29".into(), "250.00".into())]);
    assert_eq!(reasons(&file), vec!["pending (not yet booked): \"Reserverat\" in the date column"]);
    assert_eq!(file.version.as_deref(), Some("nordea-se"));
    let danske = "\"Dato\";\"Tekst\";\"Beløp\";\"Saldo\";\"Status\";\"Avstemt\"\n\
                  \"01.12.2026\";\"Giro\";\"15.625,00\";\"0\";\"Venter\";\"Nei\"\n\
                  \"02.12.2026\";\"Giro\";\"1.000,00\";\"0\";\"Utført\";\"Nei\"\n";
    let file = parse_bank_csv(danske.as_bytes(), &CsvImportConfig::default()).unwrap();
    assert_eq!(seen(&file), vec![("2026-12-02".into(), "1000.00".into())]);
    assert_eq!(reasons(&file), vec!["pending (not yet booked): status \"Venter\""]);
    let dnb = "\"Dato\";\"Forklaring\";\"Rentedato\";\"Ut fra konto\";\"Inn på konto\"\n\
               \"03.12.2026\";\"Giro 1234567890128\";\"\";\"\";\"249.5\"\n\
               \"02.12.2026\";\"Giro 1234567890128\";\"02.12.2026\";\"\";\"249.5\"\n\
               \"02.12.2026\";\"Husleie\";\"02.12.2026\";\"1000.00\";\"\"\n";
    let file = parse_bank_csv(dnb.as_bytes(), &CsvImportConfig::default()).unwrap();
    assert_eq!(seen(&file), vec![("2026-12-02".into(), "249.5".into())]);
    assert_eq!(
        reasons(&file),
        vec!["pending (not yet booked): no Rentedato", "outgoing payment (negative amount -1000.00)"]
    );
    // The KID in the free text is the payment's reference.
    assert_eq!(file.payments[0].references, vec!["1234567890128"]);
}

#[test]
fn credit_and_debit_columns_with_a_trailing_delimiter() {
    let sb1 = "\"Dato\";\"Beskrivelse\";\"Rentedato\";\"Inn\";\"Ut\";\"Til konto\";\"Fra konto\";\n\
               \"01.12.2026\";\"Kunde\";\"01.12.2026\";\"1500,00\";\"\";\"\";\"\";\n\
               \"02.12.2026\";\"Strøm\";\"02.12.2026\";\"\";\"-499,00\";\"\";\"\";\n";
    let file = parse_bank_csv(sb1.as_bytes(), &CsvImportConfig::default()).unwrap();
    assert_eq!(seen(&file), vec![("2026-12-01".into(), "1500.00".into())]);
    assert_eq!(reasons(&file), vec!["outgoing payment (negative amount -499.00)"]);
    assert_eq!(file.version.as_deref(), Some("sparebank1"));
}

#[test]
fn a_preamble_line_and_a_lump_sum() {
    let swedbank = "* Transaktioner Period 2026-05-01 – 2026-06-30 Skapad 2026-07-01 08:00\n\
        Radnummer,Clearingnummer,Kontonummer,Produkt,Valuta,Bokföringsdag,Transaktionsdag,Valutadag,Referens,Beskrivning,Belopp,Bokfört saldo\n\
        1,8327-9,1234567,Företagskonto,SEK,2026-06-02,2026-06-02,2026-06-02,4455667788,Inbetalning,1250.00,5000.00\n\
        2,8327-9,1234567,Företagskonto,SEK,2026-06-03,2026-06-03,2026-06-03,,Kortköp,-39.00,4961.00\n";
    let file = parse_bank_csv(swedbank.as_bytes(), &CsvImportConfig::default()).unwrap();
    assert_eq!(seen(&file), vec![("2026-06-02".into(), "1250.00".into())]);
    assert_eq!(file.payments[0].references, vec!["4455667788"]);
    assert_eq!(file.payments[0].currency.as_deref(), Some("SEK"));
    assert_eq!(reasons(&file), vec!["before the header row", "outgoing payment (negative amount -39.00)"]);
    let nordea = "Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Rubrik;Meddelande;Egna anteckningar;Saldo;Valuta\n\
                  2026-06-02;47333,00;;;;BG INBETALNINGAR;;;;SEK\n";
    let file = parse_bank_csv(nordea.as_bytes(), &CsvImportConfig::default()).unwrap();
    assert!(file.payments.is_empty());
    assert!(
        reasons(&file)[0].starts_with("a lump sum of 47333.00 (BG INBETALNINGAR)"),
        "{:?}",
        reasons(&file)
    );
}

#[test]
fn references_standing_in_free_text() {
    // 4455667784 is Luhn-valid (OCR, KID); RF18539007547034 a valid RF; 20261123 a date;
    // 1017 too short; 1234567890123 and 4455667788 fail every check digit.
    assert_eq!(
        references_in_text(
            "Faktura 1017 OCR 4455667784, ref RF18539007547034 betalt 20261123 1234567890123 4455667788"
        ),
        vec!["4455667784", "RF18539007547034"]
    );
    assert_eq!(references_in_text("4455667784X"), Vec::<String>::new());
    assert_eq!(references_in_text(""), Vec::<String>::new());
}

#[test]
fn amounts_as_people_write_them() {
    let cases = [
        ("1 234,50", None, "1234.50"),
        ("1\u{a0}234,50 kr", None, "1234.50"),
        ("-1.234,50", None, "-1234.50"),
        ("1,234.50", None, "1234.50"),
        ("1,234,567", None, "1234567"),
        ("1.234.567", None, "1234567"),
        ("(300.00)", None, "-300.00"),
        ("100-", None, "-100"),
        ("\u{2212}12,00", None, "-12.00"),
        ("SEK 99,9", None, "99.9"),
        ("+7", None, "7"),
        ("1,234", Some('.'), "1234"),
        ("1,234", Some(','), "1.234"),
        ("0,5", None, "0.5"),
    ];
    for (text, decimal, want) in cases {
        assert_eq!(parse_amount(text, decimal), Some(dec(want)), "{text}");
    }
    for bad in ["", "-", "abc", "1.2.3,4,5", "12,34,5", "1234.50x9", "1..2", "1,", "--5", "1e5", "1_000"] {
        assert_eq!(parse_amount(bad, None), None, "{bad}");
    }
    assert_eq!(parse_amount("1234.50", Some(',')), None);
}

#[test]
fn dates_in_common_formats() {
    for text in [
        "2024-05-02",
        "20240502",
        "02.05.2024",
        "02/05/2024",
        "2024/05/02",
        "02-05-2024",
        "2024-05-02T10:00:00",
        "2024-05-02 10:00",
    ] {
        assert_eq!(parse_date(text, None), Some(day(2024, 5, 2)), "{text}");
    }
    assert_eq!(parse_date("05/02/24", Some("%m/%d/%y")), Some(day(2024, 5, 2)));
    assert_eq!(parse_date("2024-05-02", Some("%d.%m.%Y")), None);
    assert_eq!(parse_date("yesterday", None), None);
}

#[test]
fn utf16_excel_export() {
    let text = "Datum\tBelopp\tAvsändare\r\n2024-05-02\t10,00\tÖrjan\r\n";
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    assert_eq!(super::super::detect_format(&bytes, "export.txt"), Some(BankFormat::Csv));
    let config = named(&[("date", "Datum"), ("amount", "Belopp"), ("payer", "Avsändare")]);
    let file = parse_bank_csv(&bytes, &config).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(file.payments[0].payer.as_deref(), Some("Örjan"));
    assert_eq!(file.payments[0].amount, dec("10.00"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = parse_bank_csv(&bytes, &swedish());
        let _ = super::super::detect_format(&bytes, "x");
    }

    #[test]
    fn never_panics_on_arbitrary_amounts(text in "\\PC{0,24}") {
        let _ = parse_amount(&text, None);
        let _ = parse_amount(&text, Some(','));
        let _ = parse_date(&text, None);
    }

    #[test]
    fn never_panics_on_mutated_fixture(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = fixture("bank-export-sv.csv");
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = parse_bank_csv(&bytes, &swedish());
    }
}
