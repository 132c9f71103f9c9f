//! The messy files Nordic spreadsheets write, and the errors bad input gets.

use crate::common::*;

/// A Swedish export as Excel writes it: Windows-1252, `;`, CRLF, Swedish headers,
/// `1 234,50` amounts. Hand-computed for 2026-11-30: Åkesson 1 234,50 (due 11-10, 20 days)
/// + 10 000,00 − 2 500,25 paid (due 08-01, 121 days); Öberg 99,75 not due.
#[test]
fn swedish_windows_1252_export() {
    let l = Ledger::new();
    l.write_bytes(
        "customers.csv",
        &cp1252("Kundnr;Namn;Land;E-post\r\nK1;Åkesson Bygg – Väst AB;SE;ekonomi@akesson.se\r\nK2;\"Öberg; Märta\";SE;\r\n"),
    );
    l.write_bytes(
        "invoices.csv",
        &cp1252(
            "Fakturanr;Kundnr;Fakturadatum;Förfallodatum;Belopp;Betalt;Valuta\r\n\
             5001;K1;2026-10-11;2026-11-10;1 234,50;0;SEK\r\n\
             5002;K1;2026-07-02;2026-08-01;10 000,00;2 500,25;SEK\r\n\
             5003;K2;2026-11-20;2026-12-20;99,75;;\r\n",
        ),
    );
    let out = l.ok(&["report", "--format", "csv", "--as-of", "2026-11-30"]);
    assert_eq!(
        report_rows(&out),
        vec![
            vec![
                "K1",
                "Åkesson Bygg – Väst AB",
                "SEK",
                "0.00",
                "1234.50",
                "0.00",
                "0.00",
                "7499.75",
                "8734.25"
            ],
            vec!["K2", "Öberg; Märta", "SEK", "99.75", "0.00", "0.00", "0.00", "0.00", "99.75"],
            vec!["TOTAL", "", "SEK", "99.75", "1234.50", "0.00", "0.00", "7499.75", "8834.00"],
        ]
    );
    // As of a past date: 5001 and 5003 did not exist, 5002 was 30 days late.
    let past = l.ok(&["report", "--format", "csv", "--as-of", "2026-08-31"]);
    assert_eq!(
        report_rows(&past)[0],
        vec!["K1", "Åkesson Bygg – Väst AB", "SEK", "0.00", "7499.75", "0.00", "0.00", "0.00", "7499.75"]
    );
}

/// A Norwegian export: UTF-8 with BOM, `;`, `1.234,50`, `dd.mm.yyyy`, `kundenr`, `beløp`,
/// `restbeløp` (balance) instead of paid. Hand-computed for 2026-11-30: N1 owes 1 234,50
/// (due 15.11, 15 days) + 700,00 of 2 000,00 (due 01.09, 90 days); N2 12,00 (due 01.12).
#[test]
fn norwegian_utf8_bom_export() {
    let l = Ledger::new();
    l.write("policy.toml", "[company]\nname = \"Fjord AS\"\ncountry = \"NO\"\ncurrency = \"NOK\"\n");
    l.write(
        "customers.csv",
        "\u{feff}Kundenr;Navn;Tlf\nN1;Bjørn Økland;+47 912 34 567\nN2;Sæther & Løvås AS;\n",
    );
    l.write(
        "invoices.csv",
        "\u{feff}Fakturanr;Kundenr;Fakturadato;Forfallsdato;Beløp;Restbeløp;Valuta\n\
         1;N1;16.10.2026;15.11.2026;1.234,50;1.234,50;NOK\n\
         2;N1;02.08.2026;01.09.2026;2.000,00;700,00;NOK\n\
         3;N2;01.11.2026;01.12.2026;12,00;12,00;NOK\n\
         4;N2;01.11.2026;01.12.2026;500,00;0,00;NOK\n",
    );
    let out = l.ok(&["report", "--format", "csv", "--as-of", "30.11.2026"]);
    assert_eq!(
        report_rows(&out),
        vec![
            vec!["N1", "Bjørn Økland", "NOK", "0.00", "1234.50", "0.00", "700.00", "0.00", "1934.50"],
            vec!["N2", "Sæther & Løvås AS", "NOK", "12.00", "0.00", "0.00", "0.00", "0.00", "12.00"],
            vec!["TOTAL", "", "NOK", "12.00", "1234.50", "0.00", "700.00", "0.00", "1946.50"],
        ]
    );
}

#[test]
fn tab_separated_with_quoted_newlines_and_default_due_date() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &format!("{POLICY_SE}[terms]\npayment_days = 20\n[segments.slow.terms]\npayment_days = 60\n"),
    );
    l.write("customers.csv", "id\tname\tsegment\nA\t\"Alfa\nAB\"\t\nB\tBeta\tslow\n");
    l.write("invoices.csv", "number\tcustomer\tissued\tamount\tdescription\n1\tA\t2026-01-01\t100\t\"two\nlines\"\n2\tB\t2026-01-01\t100\t\n");
    // A: due 01-21 → 40 days on 03-02; B (segment slow): due 03-02 → not due.
    let out = l.ok(&["report", "--format", "csv", "--as-of", "2026-03-02"]);
    assert!(out.contains("A,\"Alfa\nAB\",SEK,0.00,0.00,100.00,0.00,0.00,100.00\n"), "{out}");
    let json = l.ok(&["report", "--format", "json", "--as-of", "2026-03-02"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["rows"][0]["name"], "Alfa\nAB");
    assert_eq!(v["rows"][0]["31-60"], "100.00");
    assert_eq!(v["rows"][1]["customer"], "B");
    assert_eq!(v["rows"][1]["not_due"], "100.00");
}

#[test]
fn every_bad_field_is_reported_with_file_line_column_and_text() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Alfa\n");
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount\n\
         1,A,2026-01-01,31.02.2026,100\n\
         2,A,2026-01-01,2026-02-01,1,234\n\
         3,A,2026-01-01,2026-02-01,12 34\n\
         4,A,,2026-02-01,100\n\
         5,A,2026-01-01,2026-02-01,100\n",
    );
    let err = l.fails(&["report", "--as-of", "2026-03-01"], 1);
    assert!(err.contains("invoices.csv:2: column \"due\": \"31.02.2026\" is not a valid date"), "{err}");
    assert!(err.contains("invoices.csv:4: column \"amount\": \"12 34\" is not an amount"), "{err}");
    assert!(err.contains("invoices.csv:5: column \"issued\": is empty"), "{err}");
    assert!(!err.contains("invoices.csv:6"), "{err}");
}

#[test]
fn ambiguous_amount_is_an_error_not_a_guess() {
    let l = Ledger::new();
    l.write("customers.csv", "id;name\nA;Alfa\n");
    l.write("invoices.csv", "number;customer;issued;amount\n1;A;2026-01-01;1.234\n");
    let err = l.fails(&["report"], 1);
    assert!(err.contains("invoices.csv:2: column \"amount\": \"1.234\" is ambiguous"), "{err}");
}

#[test]
fn errors_are_capped_with_a_count_of_the_rest() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Alfa\n");
    let mut invoices = String::from("number,customer,issued,amount\n");
    for i in 0..80 {
        invoices.push_str(&format!("{i},A,not-a-date,100\n"));
    }
    l.write("invoices.csv", &invoices);
    let err = l.fails(&["report"], 1);
    assert_eq!(err.matches("is not a date").count(), 50, "{err}");
    assert!(err.contains("and 30 more errors"), "{err}");
}

#[test]
fn missing_columns_and_files_are_named() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Alfa\n");
    l.write("invoices.csv", "number,kund,issued,amount\n1,A,2026-01-01,100\n");
    let err = l.fails(&["report"], 1);
    assert!(err.contains("invoices.csv:1: missing required column \"customer\""), "{err}");
    std::fs::remove_file(l.file("invoices.csv")).unwrap();
    let err = l.fails(&["report"], 1);
    assert!(err.contains("invoices.csv: cannot open"), "{err}");
}

#[test]
fn customer_register_errors() {
    let l = Ledger::new();
    l.write(
        "customers.csv",
        "id,name,kind,language,segment\nA,Alfa,alien,sv,\nA,Alfa igen,,klingon,\nB,,,,vip\n",
    );
    l.write("invoices.csv", "number,customer,issued,amount\n");
    let err = l.fails(&["report"], 1);
    assert!(err.contains("customers.csv:2: column \"kind\": \"alien\" is not a customer kind"), "{err}");
    assert!(err.contains("customers.csv:3: column \"language\": \"klingon\""), "{err}");
    assert!(err.contains("customers.csv:4: column \"name\": is empty"), "{err}");
}

#[test]
fn policy_typos_are_errors_with_the_line() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\n").write("invoices.csv", "number,customer,issued,amount\n");
    l.write("policy.toml", &format!("{POLICY_SE}[reminder]\nafter_dayz = 7\n"));
    let err = l.fails(&["report"], 1);
    assert!(err.contains("policy.toml") && err.contains("after_dayz") && err.contains("line 7"), "{err}");
    l.write("policy.toml", "[company]\nname = \"X\"\ncurrency = \"SEK\"\n");
    let err = l.fails(&["report"], 1);
    assert!(err.contains("missing the required key `country`"), "{err}");
}

#[test]
fn invalid_bytes_in_a_utf8_file_are_refused_with_the_line() {
    // The BOM says UTF-8, so a Latin-1 byte further down is damage, not a different encoding.
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Åsa\n");
    let mut bytes =
        "\u{feff}number,customer,issued,amount,description\n1,A,2026-01-01,100,Fönster\n".as_bytes().to_vec();
    bytes.extend(b"2,A,2026-01-01,100,F\xf6nster\n");
    l.write_bytes("invoices.csv", &bytes);
    let err = l.fails(&["report"], 1);
    assert!(err.contains("invoices.csv:3: invalid UTF-8"), "{err}");
}

/// Quotes inside a field are text (`24" skärm`), quoted fields may span lines, and neither may
/// confuse where a 1 MiB block is cut: 40 000 invoices of 1.00 with both, spread over several
/// blocks, must all be read, on their own lines.
#[test]
fn quotes_inside_fields_and_across_blocks() {
    let l = Ledger::new();
    l.write("customers.csv", "id,name\nA,Alfa\n");
    let mut invoices = String::from("number,customer,issued,due,amount,description\n");
    for i in 0..40_000 {
        let description = match i % 7 {
            0 => "Skärm 24\" monterad".to_owned(),
            3 => "\"Fönsterputs\nandra raden, med komma\"".to_owned(),
            5 => "\"citat \"\"Kvarnen\"\"\"".to_owned(),
            _ => format!("rad {i}"),
        };
        invoices.push_str(&format!("{i},A,2026-01-01,2026-01-31,1.00,{description}\n"));
    }
    assert!(invoices.len() > 1 << 20, "the file must span more than one block");
    l.write("invoices.csv", &invoices);
    let out = l.ok(&["report", "--format", "csv", "--as-of", "2026-03-01"]);
    assert!(out.contains("\nA,Alfa,SEK,0.00,40000.00,0.00,0.00,0.00,40000.00\n"), "{out}");
    // A bad date after the quotes is reported on its own line number.
    invoices.push_str("40000,A,31.02.2026,2026-01-31,1.00,x\n");
    l.write("invoices.csv", &invoices);
    let lines = invoices.lines().count();
    let err = l.fails(&["report"], 1);
    assert!(err.contains(&format!("invoices.csv:{lines}: column \"issued\"")), "{err}");
}
