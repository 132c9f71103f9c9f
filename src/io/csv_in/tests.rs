use super::*;
use crate::io::columns::header_key;

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| crate::io::source::normalize_header(n)).collect()
}

/// The workers' rows come back in file order, in a list that holds them and no more (a
/// loaded journal's list is a large part of what a command keeps).
#[test]
fn gathered_rows_are_in_file_order_and_take_no_more_room_than_they_need() {
    let part = |lines: &[u64]| -> Rows<String> {
        (lines.iter().map(|&l| (l, format!("row {l}"))).collect(), Vec::new())
    };
    let rows = gather((vec![part(&[2, 5, 6]), part(&[3, 4])], Vec::new())).unwrap();
    assert_eq!(rows, ["row 2", "row 3", "row 4", "row 5", "row 6"]);
    assert_eq!(rows.capacity(), rows.len());
}

/// No header may mean two columns of one file: the first would always win in silence.
#[test]
fn no_alias_means_two_columns() {
    for specs in [CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS] {
        let mut seen = std::collections::HashMap::new();
        for s in specs {
            for a in std::iter::once(s.name).chain(s.aliases.iter().copied()) {
                if let Some(other) = seen.insert(header_key(a), s.name) {
                    assert_eq!(other, s.name, "{a}");
                }
            }
        }
    }
}

#[test]
fn flags_as_exports_write_them() {
    for yes in ["true", "TRUE", "ja", "Kyllä", "1", "voided", "Cancelled", "draft"] {
        assert_eq!(parse_flag(yes), Some(true), "{yes}");
    }
    for no in ["", "false", "nej", "0", "approved", "ei"] {
        assert_eq!(parse_flag(no), Some(false), "{no}");
    }
    assert_eq!(parse_flag("maybe"), None);
}

#[test]
fn maps_swedish_headers() {
    let idx = map_columns(
        INVOICE_COLUMNS,
        &names(&[
            "Fakturanr",
            "Kundnr",
            "Fakturadatum",
            "Förfallodatum",
            "Belopp",
            "Betalt",
            "Valuta",
            "OCR",
            "Okänd",
        ]),
    )
    .unwrap();
    assert_eq!(&idx[..9], &[Some(0), Some(1), Some(2), Some(3), Some(4), Some(5), None, Some(6), Some(7)]);
}

#[test]
fn names_missing_and_doubled_columns() {
    let err = map_columns(INVOICE_COLUMNS, &names(&["number", "customer"])).unwrap_err();
    assert!(err.contains("\"issued\", \"amount\""), "{err}");
    let err = map_columns(INVOICE_COLUMNS, &names(&["number", "Fakturanr", "customer", "issued", "amount"]))
        .unwrap_err();
    assert!(err.contains("both mean \"number\""), "{err}");
}

/// A register read whole holds its customers and no more room (every command keeps it to its
/// end), in file order.
#[test]
fn a_read_register_takes_no_more_room_than_it_needs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    let lines: String = (1..=100).map(|i| format!("K{i},Kund {i}\n")).collect();
    std::fs::write(&path, format!("id,name\n{lines}")).unwrap();
    let policy =
        Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
    let (customers, _) =
        read_customers_noted(&path, "customers.csv", &policy, |row| row.to_customer()).unwrap();
    assert_eq!(customers.len(), 100);
    assert_eq!((customers[0].id.as_str(), customers[99].id.as_str()), ("K1", "K100"));
    assert_eq!(customers.capacity(), customers.len());
}
