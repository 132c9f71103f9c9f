use super::duplicates::{Compare, likely_duplicates_hashed, normalized_org_no, push_lowercase, same_name};
use super::*;

#[test]
fn emails() {
    for ok in [
        "faktura@example.se",
        "a.b+c@sub.example.co.uk",
        "styrelsen@brfkvarnfallet.example",
        "åsa@företag.se",
    ] {
        assert_eq!(email_problem(ok), None, "{ok}");
    }
    for (bad, why) in [
        ("faktura.example.se", "it has no @"),
        ("a@b@c.se", "it has more than one @"),
        ("a@example", "the domain has no dot"),
        ("a b@example.se", "it contains a space"),
        ("a@x.se b@x.se", "one address only (put others in a note)"),
        ("a@x.se; b@x.se", "one address only (put others in a note)"),
        ("a@example..se", "the domain has an empty or misplaced part"),
        (".a@example.se", "the part before @ has a misplaced dot"),
        ("a@example.s3", "the domain does not end in a top-level domain like .se"),
        ("a@exa_mple.se", "the domain has a character domains do not allow"),
        ("@example.se", "the part before @ is empty or too long"),
    ] {
        assert_eq!(email_problem(bad), Some(why), "{bad}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
    /// The one-reading test of plain addresses takes exactly the ASCII addresses the full
    /// reading finds nothing wrong with (and no other).
    #[test]
    fn plain_addresses_read_in_one_pass(
        address in proptest::prop_oneof![
            // Near the plain kind: a part before @, labels, a last label; a wrong character now
            // and then.
            "[a-z.!-]{0,4}@[a-z_-]{0,3}(\\.[a-zé_-]{0,2}){0,2}\\.[a-z0-9-]{0,3}",
            "[a.]{1,5}@[a-]{1,3}\\.[a-]{1,3}",
            "[a-z0-9.!_-]{0,3}[a-zA-Zé.;, ]?@[a-z0-9-]{0,3}(\\.[a-z0-9é_-]{0,3}){0,2}\\.[a-z0-9é-]{0,3}",
            "[a-zA-Z0-9.!#_-]{0,4}[@.;, é\\-]?[a-z0-9.é_-]{0,5}[.@]?[a-zé0-9-]{0,3}",
        ],
        padded in proptest::bool::ANY,
    ) {
        use super::customers::{any_email_problem, plainly_valid_email};
        let address = if padded { format!(" {address}\t") } else { address };
        let t = address.trim();
        proptest::prop_assert_eq!(
            plainly_valid_email(t.as_bytes()),
            t.is_ascii() && any_email_problem(t).is_none(),
            "{:?}", t
        );
        proptest::prop_assert_eq!(email_problem(&address), any_email_problem(t));
    }
}

proptest::proptest! {
    /// A word in lower case is what `str::to_lowercase` makes of it, whatever it holds.
    #[test]
    fn lowercase_as_the_standard_library_has_it(word in "[a-zA-ZåÅøØæÆÄÖ\u{212a}ΣσİẞǅÉ.&]{0,12}|\\PC{0,12}") {
        let mut out = "kept ".to_owned();
        push_lowercase(&word, &mut out);
        proptest::prop_assert_eq!(out, format!("kept {}", word.to_lowercase()));
    }
}

#[test]
fn postcodes() {
    for (country, ok) in [
        ("SE", "431 34"),
        ("SE", "43134"),
        ("SE", "SE-431 34"),
        ("NO", "0150"),
        ("DK", "8000"),
        ("DK", "DK-8000"),
        ("FI", "00100"),
        ("FI", "FI-00100"),
        ("DE", "20095"),
        ("DE", "whatever"),
    ] {
        assert_eq!(postcode_problem(country, ok), None, "{country} {ok}");
    }
    for (country, bad) in [
        ("SE", "4313"),
        ("SE", "43 134"),
        ("SE", "031 34"),
        ("NO", "01500"),
        ("DK", "800"),
        ("FI", "0010"),
        ("FI", "00 100"),
    ] {
        assert!(postcode_problem(country, bad).is_some(), "{country} {bad}");
    }
}

/// The checks run on two threads, their findings joined in the order one thread found
/// them: the policy's findings (all on line 0) come as ever, the reference rates the
/// invoices use first, then the company's details.
#[test]
fn findings_on_one_line_keep_the_order_of_the_checks() {
    use super::super::journal::Journal;
    use super::super::model::Invoice;
    use super::super::policy::Policy;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let policy = Policy::from_toml(
        "[company]\nname = \"Firma\"\ncountry = \"DK\"\ncurrency = \"DKK\"\n\
         email = \"faktura.example.dk\"\nbankgiro = \"123\"\n[interest]\nmode = \"statutory\"\n",
    )
    .unwrap();
    let customer =
        Customer { id: "B".into(), name: "Kund B".into(), line: 2, ..Customer::default() }.with_country("DK");
    let invoice = Invoice::unpaid_sek("1", "B", day("2026-05-02"), day("2026-06-01"), Decimal::from(1000));
    let ledger = Ledger::new(policy, vec![customer], vec![invoice], Vec::new(), Journal::default());
    let on_policy: Vec<&str> = check_ledger(&ledger, day("2026-08-01"))
        .iter()
        .filter(|f| &*f.file == "policy.toml")
        .map(|f| f.code)
        .collect();
    assert_eq!(on_policy, ["reference-rate-missing", "bad-payment-detail", "bad-company-email"]);
}

/// Every customer whose currency no configured account takes is told of once per currency,
/// on its first open invoice, the register's first customer too; a customer given twice is
/// told of on its last line (whose invoices they are; B is in Finland there, where a bankgiro
/// cannot be paid from even in SEK); a paid invoice and a Swedish customer's SEK are not.
/// Listed by register line, each line's in invoice order.
#[test]
fn unreachable_payment_details_name_each_customer_and_currency_once() {
    use super::super::journal::Journal;
    use super::super::model::Invoice;
    use super::super::policy::Policy;
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let policy = Policy::from_toml(
        "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\"\n",
    )
    .unwrap();
    let customer = |id: &str, country: &str, line: u64| {
        Customer { id: id.into(), name: format!("Kund {id}").into(), line, ..Customer::default() }
            .with_country(country)
    };
    let customers =
        vec![customer("A", "DE", 2), customer("B", "SE", 3), customer("C", "SE", 4), customer("B", "FI", 5)];
    let invoice = |number: &str, customer: &str, currency: &str, line: u64| {
        let mut inv =
            Invoice::unpaid_sek(number, customer, day("2026-05-02"), day("2026-06-01"), Decimal::from(1000));
        inv.currency = Currency::parse(currency).unwrap();
        inv.line = line;
        inv
    };
    let mut paid = invoice("6", "C", "EUR", 7);
    paid.paid = paid.amount;
    let invoices = vec![
        invoice("1", "A", "EUR", 2),
        invoice("2", "A", "EUR", 3),
        invoice("3", "B", "SEK", 4),
        invoice("4", "B", "EUR", 5),
        invoice("5", "A", "NOK", 6),
        paid,
        invoice("7", "C", "SEK", 8),
    ];
    let ledger = Ledger::new(policy, customers, invoices, Vec::new(), Journal::default());
    let found: Vec<(u64, String, String)> = check_ledger(&ledger, day("2026-08-01"))
        .iter()
        .filter(|f| f.code == "payment-details-unreachable")
        .map(|f| {
            (
                f.line,
                f.customer.as_deref().unwrap_or("").to_owned(),
                f.invoice.as_deref().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected = [(2, "A", "1"), (2, "A", "5"), (5, "B", "3"), (5, "B", "4")]
        .map(|(line, c, i)| (line, c.to_owned(), i.to_owned()));
    assert_eq!(found, expected); // Each says who owes what, and why no account reaches them (the register's second B is
    // in Finland, where the Swedish bankgiro cannot be paid from).
    let messages: Vec<String> = check_ledger(&ledger, day("2026-08-01"))
        .into_iter()
        .filter(|f| f.code == "payment-details-unreachable")
        .map(|f| f.message)
        .collect();
    let no_account =
        |c: &str| format!("no account takes {c}: add a [[company.accounts]] with currency = \"{c}\"");
    assert_eq!(
        messages,
        [
            format!("Kund A (DE) owes EUR: {}", no_account("EUR")),
            format!("Kund A (DE) owes NOK: {}", no_account("NOK")),
            "Kund B (FI) owes SEK: a payer in FI cannot use bankgiro 5050-1055 (domestic details of SE): add an IBAN and BIC for SEK".to_owned(),
            format!("Kund B (FI) owes EUR: {}", no_account("EUR")),
        ]
    ); // A NUL of the policy's own in the problem is written as it is.
    let nul = Policy::from_toml(
        "[company]\nname = \"Firma AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\\u0000\"\n",
    )
    .unwrap();
    let mut ledger = ledger;
    ledger.policy = nul;
    let messages: Vec<String> = check_ledger(&ledger, day("2026-08-01"))
        .into_iter()
        .filter(|f| f.code == "payment-details-unreachable" && f.customer.as_deref() == Some("B"))
        .map(|f| f.message)
        .collect();
    assert_eq!(
        messages[0],
        "Kund B (FI) owes SEK: a payer in FI cannot use bankgiro 5050-1055\0 (domestic details of SE): add an IBAN and BIC for SEK"
    );
}

#[test]
fn names_compare_without_case_punctuation_and_company_form() {
    assert_eq!(normalized_name("Åby Bageri AB"), normalized_name("ÅBY BAGERI"));
    assert_eq!(normalized_name("Berg, Holm & Co HB"), "berg holm co");
    assert_eq!(normalized_name("Jensen A/S"), "jensen");
    assert_ne!(normalized_name("Åby Bageri AB"), normalized_name("Åby Konditori AB"));
}

#[test]
fn different_company_forms_are_different_names() {
    assert!(same_name("Åby Bageri AB", "ÅBY BAGERI"));
    assert!(same_name("Kjær ApS", "kjær aps"));
    assert!(!same_name("Kjær ApS", "Kjær I/S"));
    assert!(!same_name("AB", "AB"), "a name of nothing but a company form is no evidence");
}

#[test]
fn lower_case_is_the_strings_own() {
    // A capital sigma ends a word as ς and stands inside one as σ, as str::to_lowercase has it.
    assert_eq!(normalized_name("ΟΔΟΣ ΣΑΣ AB"), "οδος σας");
    assert_eq!(normalized_name("Oδοσ"), "oδοσ");
    assert!(same_name("ΟΔΟΣ", "οδος"));
    assert!(!same_name("ΟΔΟΣ", "οδοσ"));
    assert_eq!(normalized_name("KÅRE \u{212a}ÅRE"), "kåre kåre"); // the Kelvin sign is a K
}

proptest::proptest! {
    /// The register's likely duplicates, found through hashed keys, are those a scan of the
    /// earlier customers finds for each customer (what `dun customer` does), also when every
    /// key's hash is the same and only the keys themselves tell customers apart.
    #[test]
    fn likely_duplicates_are_those_a_scan_finds(
        customers in proptest::collection::vec(
            (0usize..7, 0usize..5, 0usize..5, 0usize..4, 0usize..3),
            1..24,
        ),
        collide in proptest::bool::ANY,
    ) {
        use super::super::journal::Journal;
        use super::super::model::Customer;
        use super::super::policy::Policy;
        let names = ["Åby Bageri AB", "ÅBY BAGERI", "Kjær ApS", "Kjær I/S", "ΟΔΟΣ", "οδος", "AB"];
        let emails = [None, Some("a@x.se"), Some(" A@X.se "), Some("ΣΑΣ@x.gr"), Some("σας@x.gr")];
        let orgs = [None, Some("556036-0793"), Some("5560360793"), Some("19570819-9327"), Some("570819-9327")];
        let postcodes = [None, Some("431 34"), Some("43134"), Some("-")];
        let countries = ["SE", "NO", "se"];
        let customers: Vec<Customer> = customers
            .iter()
            .enumerate()
            .map(|(i, &(name, email, org, postcode, country))| {
                Customer { line: i as u64 + 2, ..Customer::new(&format!("C{i}"), names[name]) }
                    .with_country(countries[country])
                    .with_email(emails[email])
                    .with_org_no(orgs[org])
                    .with_postcode(postcodes[postcode])
            })
            .collect();
        let policy = Policy::from_toml("[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let ledger = Ledger::new(policy, customers, Vec::new(), Vec::new(), Journal::default());
        let mut found = FindingList::new();
        if collide {
            likely_duplicates_hashed(&ledger, |_| 0, &mut found);
        } else {
            likely_duplicates(&ledger, &mut found);
        }
        let mut scanned = FindingList::new();
        let mut compare = Compare::default();
        for at in 0..ledger.customers.len() {
            let earlier = earlier_matches(&ledger, at, &mut compare);
            duplicates_of(&ledger, at, earlier, &mut compare.names, &mut scanned);
        }
        proptest::prop_assert_eq!(found.to_vec(), scanned.to_vec());
    }

    /// One customer's findings, checked alone (`dun customer`), are exactly the whole
    /// ledger's findings about it, the credit watch's aside: data problems, likely
    /// duplicates (by org number, e-mail, name and postcode, company forms), invoices
    /// (duplicate numbers, unknown customers, credit notes, references, balances, unusual
    /// currencies), retention and unreachable payment details, in the same order.
    #[test]
    fn one_customers_findings_checked_alone_are_the_whole_ledgers(
        customers in proptest::collection::vec(
            (0usize..4, 0usize..3, 0usize..4, 0usize..3, proptest::bool::ANY, 0usize..3),
            1..7,
        ),
        invoices in proptest::collection::vec(
            (0usize..8, 0u32..4, -3i64..8, 0usize..4, 0u64..400, proptest::bool::ANY),
            0..12,
        ),
        iban in proptest::bool::ANY,
        on in 0u64..4000,
    ) {
        use super::super::journal::Journal;
        use super::super::model::{Customer, Invoice};
        use super::super::policy::Policy;
        let names = ["Åby Bageri AB", "ÅBY BAGERI", "Kjær ApS", "Kjær I/S"];
        let emails = [None, Some("a@x.se"), Some(" A@X.se "), Some("bad@")];
        let orgs = [None, Some("556036-0793"), Some("5560360793"), Some("19570819-9327")];
        let postcodes = [None, Some("431 34"), Some("43134")];
        let ids = ["K1", "K2", "K3", "K1"];
        let customers: Vec<Customer> = customers
            .iter()
            .enumerate()
            .map(|(i, &(name, email, org, postcode, address, id))| {
                // Now and then an id given twice.
                let id = if id == 0 { ids[i % 4].to_owned() } else { format!("C{i}") };
                Customer { line: i as u64 + 2, ..Customer::new(&id, names[name]) }
                    .with_country(if i % 3 == 2 { "NO" } else { "SE" })
                    .with_email(emails[email])
                    .with_org_no(orgs[org])
                    .with_postcode(postcodes[postcode])
                    .with_address(address.then_some("Gatan 1"))
                    .with_city(address.then_some("Stad"))
            })
            .collect();
        let start = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let references = [None, Some("1234567897"), Some("1234567890"), Some("RF18539007547034")];
        let invoices: Vec<Invoice> = invoices
            .iter()
            .enumerate()
            .map(|(i, &(customer, number, amount, reference, due, eur))| {
                let customer = customers.get(customer).map_or("NOBODY".to_owned(), |c| c.id.to_string());
                let due = start + chrono::Days::new(due * 5);
                let mut inv = Invoice::unpaid_sek(
                    &format!("{}", 100 + number),
                    &customer,
                    due - chrono::Days::new(30),
                    due,
                    Decimal::new(amount * 25_000, 2),
                );
                if eur {
                    inv.currency = Currency::parse("EUR").unwrap();
                }
                inv.set_reference(references[reference]);
                if amount < 0 {
                    inv.set_credits(Some(&format!("{}", 100 + (number + 1) % 4)));
                }
                inv.line = i as u64 + 2;
                inv
            })
            .collect();
        let policy = Policy::from_toml(&format!(
            "[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\nbankgiro = \"5050-1055\"\n{}",
            if iban { "iban = \"SE4550000000058398257466\"\nbic = \"ESSESESS\"\n" } else { "" }
        ))
        .unwrap();
        let ledger = Ledger::new(policy, customers, invoices, Vec::new(), Journal::default());
        let as_of = start + chrono::Days::new(on);
        let all = check_ledger(&ledger, as_of);
        for c in &ledger.customers {
            let expected: Vec<&Finding> = all
                .iter()
                .filter(|f| f.customer.as_deref() == Some(c.id.as_str()))
                .filter(|f| !super::super::credit::WATCH_CODES.contains(&f.code))
                .collect();
            let alone = check_customer_findings(&ledger, as_of, c);
            proptest::prop_assert_eq!(alone.iter().collect::<Vec<_>>(), expected);
        }
    }
}

#[test]
fn swedish_personnummer_forms_are_one_number() {
    assert_eq!(normalized_org_no("SE", "19570819-9327"), normalized_org_no("SE", "570819-9327"));
    assert_eq!(normalized_org_no("NO", "988 077 917"), "988077917");
}
