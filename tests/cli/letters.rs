//! What a debtor receives (issue 13): letters a business can send as they are.

use crate::common::*;

const POLICY: &str = "[company]\nname = \"Fönster AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n\
org_no = \"556036-0793\"\nemail = \"faktura@fonster.example\"\nbankgiro = \"5050-1055\"\n\
[reminder]\nafter_days = 7\npay_within_days = 10\nfee = \"0\"\nmin_amount = \"100\"\n\
channels = [\"email\", \"letter\"]\n[interest]\nmode = \"none\"\n[collection]\ncompensation = \"0\"\n";

const CUSTOMERS: &str = "id,name,kind,org_no,country,language,email,phone,address,postcode,city,contact\n\
B,Berit Holm,consumer,,SE,sv,,,Ekgatan 5,90330,Umeå,\n\
F,Kala Oy,business,2077474-0,FI,fi,kala@kala.example,,Satama 1,00100,Helsinki,\n\
E,English Ltd,business,,GB,en,ap@english.example,,1 High St,SW1A 1AA,London,Jane Doe\n";

/// Every invoice falls due 2026-11-01; reminders are due from 11-08. Invoice 2's reference is
/// a Swedish OCR number (Luhn), the company's scheme.
const INVOICES: &str = "number,customer,issued,due,amount,currency,reference\n\
1,B,2026-10-02,2026-11-01,800.00,SEK,\n\
2,F,2026-10-02,2026-11-01,990.00,SEK,1234567897\n\
3,E,2026-10-02,2026-11-01,1000.00,SEK,\n";

fn ledger() -> Ledger {
    let l = Ledger::new();
    l.write("policy.toml", POLICY).write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    l
}

fn read(l: &Ledger, name: &str) -> String {
    std::fs::read_to_string(l.file(&format!("out/2026-11-08/{name}"))).unwrap()
}

/// The recipient block's lines, as the envelope window shows them.
fn address_block(letter: &str) -> Vec<String> {
    let start = letter.find("<address class=\"recipient\">").unwrap();
    let end = start + letter[start..].find("</address>").unwrap();
    letter[start..end]
        .split("<div>")
        .skip(1)
        .map(|part| part.split("</div>").next().unwrap().replace("&amp;", "&"))
        .collect()
}

/// Finding 2: a Swedish company's OCR number was relabelled `Viitenumero` and its org number
/// `Y-tunnus` in a Finnish letter.
#[test]
fn a_finnish_letter_names_a_swedish_ocr_and_org_number_for_what_they_are() {
    let l = ledger();
    let letter = read(&l, "reminder-1_F_SEK.letter.html");
    assert!(letter.contains("OCR-viite (Ruotsi)"), "{letter}");
    assert!(!letter.contains("Viitenumero"), "{letter}");
    assert!(letter.contains("Ruotsalainen yritystunnus (org.nr) 556036-0793"), "{letter}");
    assert!(!letter.contains("Y-tunnus 556036-0793"), "{letter}");
}

/// Finding 6: consumers were greeted `Hej!`.
#[test]
fn a_consumer_is_greeted_by_name() {
    let l = ledger();
    assert!(read(&l, "reminder-1_B_SEK.letter.html").contains("<p>Hej Berit Holm!</p>"));
}

/// Finding 6: UK addresses came in Nordic order (`SW1A 1AA London`).
#[test]
fn addresses_abroad_are_in_the_destination_countrys_order() {
    let l = ledger();
    let uk = address_block(&read(&l, "reminder-1_E_SEK.letter.html"));
    assert_eq!(uk, ["English Ltd", "Attn: Jane Doe", "1 High St", "LONDON", "SW1A 1AA", "UNITED KINGDOM"]);
    let fi = address_block(&read(&l, "reminder-1_F_SEK.letter.html"));
    assert_eq!(fi, ["Kala Oy", "Satama 1", "00100 Helsinki", "FINLAND"]);
    let se = address_block(&read(&l, "reminder-1_B_SEK.letter.html"));
    assert_eq!(se, ["Berit Holm", "Ekgatan 5", "90330 Umeå"], "no country line at home");
}

/// Finding 1: `check` said `no-channel (sms: the phone is not a mobile number)` for landlines,
/// yet `remind` texted them (and a Swedish mobile for a Norwegian customer), with `To:` not in
/// E.164. A customer whose only channels are invalid is reported and not written to, by the
/// same rules in both commands.
#[test]
fn sms_only_to_a_mobile_of_the_customers_country_and_check_and_remind_agree() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &POLICY.replace("channels = [\"email\", \"letter\"]", "channels = [\"email\", \"sms\"]"),
    );
    l.write(
        "customers.csv",
        "id,name,country,email,phone\n\
         L,Landline AB,SE,,031-390 06 15\n\
         N,Fastlinje AS,NO,,+47 22 12 34 56\n\
         X,Svensk Mobil AS,NO,,+46 70 123 45 67\n\
         Q,Fel Epost AB,SE,anna@gmailcom,\n\
         M,Mobil AB,SE,,070-123 45 67\n",
    );
    l.write(
        "invoices.csv",
        "number,customer,issued,due,amount\n1,L,2026-10-02,2026-11-01,500\n2,N,2026-10-02,2026-11-01,500\n\
         3,X,2026-10-02,2026-11-01,500\n4,Q,2026-10-02,2026-11-01,500\n5,M,2026-10-02,2026-11-01,500\n",
    );
    let check = l.dun(&["check", "--as-of", "2026-11-08", "--format", "json"]).output().unwrap();
    let findings: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let mut unreachable: Vec<&str> = findings["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "no-channel")
        .map(|f| f["customer"].as_str().unwrap())
        .collect();
    unreachable.sort();
    assert_eq!(unreachable, ["L", "N", "Q", "X"], "{findings:#}");

    let remind = l.dun(&["remind", "--as-of", "2026-11-08", "--force"]).output().unwrap();
    let err = String::from_utf8_lossy(&remind.stderr);
    for (id, why) in [
        ("L", "sms: the phone is not a mobile number"),
        ("N", "sms: the phone is not a mobile number"),
        ("X", "sms: the phone is a SE number, not one of the customer's country NO"),
        ("Q", "email: e-mail \"anna@gmailcom\" is malformed"),
    ] {
        assert!(err.contains(&format!("{id} ")) && err.contains(why), "{id}: {err}");
    }
    let written: Vec<String> = std::fs::read_dir(l.file("out/2026-11-08"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written, ["reminder-1_M_SEK.sms.txt"], "only M is written to");
    let sms = read(&l, "reminder-1_M_SEK.sms.txt");
    assert!(sms.starts_with("To: +46701234567\n\n"), "E.164: {sms}");
    let journal = std::fs::read_to_string(l.file("journal.csv")).unwrap();
    let reminded: Vec<&str> = journal
        .lines()
        .filter(|line| line.contains(",reminder,"))
        .map(|line| line.split(',').nth(2).unwrap())
        .collect();
    assert_eq!(reminded, ["5"], "{journal}");
}

/// Finding 2: letters to Finnish, Norwegian, Danish and UK customers carried only `Bankgiro
/// 5050-1055`, which no bank outside Sweden can pay to.
#[test]
fn debtors_abroad_get_iban_and_bic_and_each_currency_its_account() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &POLICY.replace(
            "bankgiro = \"5050-1055\"\n",
            "bankgiro = \"5050-1055\"\niban = \"SE45 5000 0000 0583 9825 7466\"\nbic = \"ESSESESS\"\n\
             [[company.accounts]]\ncurrency = \"EUR\"\niban = \"FI21 1234 5600 0007 85\"\nbic = \"NDEAFIHH\"\n",
        ),
    );
    l.write("customers.csv", CUSTOMERS);
    l.write("invoices.csv", &format!("{INVOICES}4,F,2026-10-02,2026-11-01,120.00,EUR,\n"));
    l.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let payment_box = |name: &str| -> String {
        let letter = read(&l, name);
        let start = letter.find("<div class=\"payment\">").unwrap();
        letter[start..start + letter[start..].find("</div>").unwrap()].to_owned()
    };
    let home = payment_box("reminder-1_B_SEK.letter.html");
    assert!(home.contains("5050-1055") && !home.contains("IBAN"), "{home}");
    let finnish = payment_box("reminder-1_F_SEK.letter.html");
    assert!(finnish.contains("SE45 5000 0000 0583 9825 7466") && finnish.contains("ESSESESS"), "{finnish}");
    assert!(!finnish.contains("5050-1055"), "a Finnish bank cannot pay to a bankgiro: {finnish}");
    let uk = payment_box("reminder-1_E_SEK.letter.html");
    assert!(uk.contains("<th>IBAN</th><td>SE45 5000 0000 0583 9825 7466</td>"), "{uk}");
    let euro = payment_box("reminder-1_F_EUR.letter.html");
    assert!(euro.contains("FI21 1234 5600 0007 85") && euro.contains("NDEAFIHH"), "{euro}");
    assert!(!euro.contains("SE45"), "{euro}");
}

/// Findings 2 and 3: the company's own details were never checked, and nothing said which
/// customers they cannot reach; a bad `company.email` was blamed on a customer.
#[test]
fn check_validates_the_companys_details_and_who_they_reach() {
    let l = Ledger::new();
    l.write(
        "policy.toml",
        &POLICY
            .replace(
                "bankgiro = \"5050-1055\"",
                "bankgiro = \"5050-1056\"\niban = \"SE45 5000 0000 0583 9825 7467\"",
            )
            .replace("email = \"faktura@fonster.example\"", "email = \"faktura@fonster\"")
            .replace(
                "[reminder]",
                "[[company.accounts]]\ncurrency = \"NOK\"\naccount = \"8601.11.17948\"\n[reminder]",
            ),
    );
    l.write("customers.csv", CUSTOMERS);
    l.write("invoices.csv", &format!("{INVOICES}4,F,2026-10-02,2026-11-01,120.00,EUR,\n"));
    let out = l.dun(&["check", "--as-of", "2026-11-08", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(String, String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == "policy.toml" || f["code"] == "payment-details-unreachable")
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
            (text("severity"), text("field"), text("code"), text("customer"))
        })
        .collect();
    let expected = [
        ("error", "company.bankgiro", "bad-payment-detail", ""),
        ("error", "company.iban", "bad-payment-detail", ""),
        ("error", "company.accounts[0].account", "bad-payment-detail", ""),
        ("error", "company.email", "bad-company-email", ""),
        ("warning", "country", "payment-details-unreachable", "F"),
        ("warning", "country", "payment-details-unreachable", "E"),
        ("warning", "country", "payment-details-unreachable", "F"),
    ]
    .map(|(a, b, c, d)| (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned()));
    let mut found_sorted = found.clone();
    found_sorted.sort();
    let mut expected_sorted = expected.to_vec();
    expected_sorted.sort();
    assert_eq!(found_sorted, expected_sorted, "{v:#}");
    let text = serde_json::to_string(&v).unwrap();
    assert!(text.contains("no account takes EUR"), "{text}");
    assert!(text.contains("MOD 11") && text.contains("MOD 97-10") && text.contains("Luhn"), "{text}");
    // remind refuses on errors in what every letter would print, naming policy.toml.
    let err = l.fails(&["remind", "--as-of", "2026-11-08"], 1);
    assert!(err.contains("policy.toml") && err.contains("company.bankgiro"), "{err}");
    let forced = l.fails(&["remind", "--as-of", "2026-11-08", "--force"], 1);
    assert!(
        forced.contains("policy.toml: [company] email \"faktura@fonster\" is not an e-mail address"),
        "{forced}"
    );
    assert!(!forced.contains("customer F"), "{forced}");
}

fn header(eml: &str, name: &str) -> String {
    let head = eml.split("\r\n\r\n").next().unwrap();
    head.split("\r\n")
        .find_map(|line| line.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name}: {head}"))
        .to_owned()
}

/// Finding 7: `Message-ID: <2026-11-30.reminder-1_1029_EUR@dun>` (no domain, the same in every
/// company), `Date` always 08:00 UTC, no `Auto-Submitted`, no `Reply-To`.
#[test]
fn an_eml_has_a_message_id_in_the_companys_domain_a_real_date_and_auto_submitted() {
    let l = ledger();
    let eml = read(&l, "reminder-1_F_SEK.eml");
    let id = header(&eml, "Message-ID");
    assert!(id.starts_with("<dun.") && id.ends_with("@fonster.example>"), "{id}");
    assert!(!id.contains("@dun>"), "{id}");
    assert_eq!(header(&eml, "Auto-Submitted"), "auto-generated");
    assert!(header(&eml, "Reply-To").ends_with(" <faktura@fonster.example>"));
    // A back-dated run is dated on its day (noon UTC), not at a fixed 08:00.
    assert_eq!(header(&eml, "Date"), "Sun, 08 Nov 2026 12:00:00 +0000");

    // The same letter composed again: the same id. Another company: another id.
    let again = Ledger::new();
    again.write("policy.toml", POLICY).write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    again.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    assert_eq!(header(&read(&again, "reminder-1_F_SEK.eml"), "Message-ID"), id);
    let other = Ledger::new();
    other
        .write("policy.toml", &POLICY.replace("faktura@fonster.example", "ekonomi@annat.example"))
        .write("customers.csv", CUSTOMERS)
        .write("invoices.csv", INVOICES);
    other.ok(&["remind", "--as-of", "2026-11-08", "-q"]);
    let other_id = header(&read(&other, "reminder-1_F_SEK.eml"), "Message-ID");
    assert!(other_id.ends_with("@annat.example>") && other_id != id, "{other_id}");
}

/// Finding 8: `remind` and `collect` printed nothing about what they wrote; `collect` with
/// nothing due was silent.
#[test]
fn remind_and_collect_say_what_they_did() {
    let l = Ledger::new();
    l.write("policy.toml", POLICY).write("customers.csv", CUSTOMERS).write("invoices.csv", INVOICES);
    let dry = l.ok(&["remind", "--as-of", "2026-11-08", "--dry-run"]);
    assert!(dry.contains("reminder: would write 3 letter(s) on 2026-11-08 (letter 3, email 2)"), "{dry}");
    let json = l.ok(&["remind", "--as-of", "2026-11-08", "--dry-run", "--format", "json"]);
    // Stdout carries the JSON alone (no "would write" lines before it).
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["letters"], 3);
    assert_eq!(v["channels"]["email"], 2);
    assert_eq!(v["channels"]["letter"], 3);
    assert_eq!(v["customers"][1]["customer"], "E");
    assert_eq!(v["customers"][1]["channels"], serde_json::json!(["email", "letter"]));
    let verbose = l.ok(&["remind", "--as-of", "2026-11-08", "--verbose"]);
    assert!(verbose.contains("reminder: wrote 3 letter(s) on 2026-11-08 (letter 3, email 2)"), "{verbose}");
    assert!(verbose.contains("  B Berit Holm: letter (1 invoice(s))"), "{verbose}");
    assert!(verbose.contains("  E English Ltd: email, letter (1 invoice(s))"), "{verbose}");
    assert_eq!(l.ok(&["remind", "--as-of", "2026-11-09", "-q"]), "", "-q is silent");
    assert_eq!(l.ok(&["collect", "--as-of", "2026-11-09"]), "hand-over: nothing due on 2026-11-09\n");
}
