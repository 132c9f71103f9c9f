//! What `dun init` writes (SPEC §2, §5, §7): a `policy.toml` with one country's lawful defaults
//! and every key commented, and the headers of an empty customer register and invoice list.
//!
//! The figures in it come from the country's rule pack, so that a new ledger starts where the
//! law does: no reminder fee where it needs a prior agreement (Sweden), the first reminder late
//! enough to carry the statutory fee (Norway, Finland), a reminder deadline no shorter than a
//! collection notice must give.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::rules::{self, RulePack};

/// The countries `dun init` knows, with their currency and the name a reader knows them by.
pub const COUNTRIES: [(&str, &str, &str); 4] =
    [("SE", "SEK", "Sweden"), ("NO", "NOK", "Norway"), ("DK", "DKK", "Denmark"), ("FI", "EUR", "Finland")];

/// `customers.csv`'s header: every column `dun` reads, in SPEC §3's order.
pub const CUSTOMERS_HEADER: &str =
    "id,name,kind,org_no,country,language,email,phone,address,postcode,city,contact,credit_limit,segment\n";

/// `invoices.csv`'s header: every column `dun` reads, in SPEC §3's order.
pub const INVOICES_HEADER: &str =
    "number,customer,issued,due,amount,paid,currency,reference,paid_on,credits,description\n";

/// What a starter policy is made for.
#[derive(Clone, Debug)]
pub struct Starter<'a> {
    /// SE, NO, DK or FI.
    pub country: &'a str,
    /// `company.name`; `None` writes a placeholder to replace.
    pub company: Option<&'a str>,
    /// The day the figures quoted in comments are taken for.
    pub today: NaiveDate,
}

/// A placeholder company name: obviously one, so that nobody sends a letter signed with it.
pub const PLACEHOLDER_NAME: &str = "CHANGE ME: your company's name";

/// The defaults a country's law suggests, worked out from its rule pack.
struct Defaults {
    currency: &'static str,
    country_name: &'static str,
    language: &'static str,
    /// Days past due before the first reminder: late enough that the statutory fee may be
    /// charged on it for either kind of debtor, and never under a week.
    after_days: i64,
    /// The deadline a reminder gives: at least what a collection notice must give.
    pay_within_days: i64,
    fee_needs_agreement: bool,
}

fn defaults(pack: &RulePack, today: NaiveDate) -> Defaults {
    let (_, currency, country_name) =
        COUNTRIES.iter().copied().find(|(c, _, _)| *c == pack.country).unwrap_or(("", "EUR", "the EU"));
    let fee = |consumer| &rules::fee_rule_on(pack, consumer, today, &rules::LawDates::default()).value;
    let (business, consumer) = (fee(false), fee(true));
    let deadline = &pack.collection.min_deadline_days;
    Defaults {
        currency,
        country_name,
        language: super::model::default_language(pack.country),
        after_days: 7.max(business.min_days_after_due).max(consumer.min_days_after_due),
        pay_within_days: 10.max(deadline.business).max(deadline.consumer),
        fee_needs_agreement: business.needs_agreement || consumer.needs_agreement,
    }
}

/// A TOML basic string: quoted and escaped.
fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// "60 SEK", or "5 EUR for consumers, 12 EUR for businesses" where they differ.
fn fee_caps(pack: &RulePack, currency: &str, today: NaiveDate) -> String {
    let cap = |consumer| rules::max_reminder_fee(pack, consumer, today, &rules::LawDates::default());
    let show = |amount: Option<Decimal>| {
        amount.map_or("none".to_owned(), |a| format!("{} {currency}", a.normalize()))
    };
    match (cap(true), cap(false)) {
        (c, b) if c == b => show(c),
        (c, b) => format!("{} for consumers, {} for businesses", show(c), show(b)),
    }
}

/// Lines for the payment details this country's invoices usually carry, commented out.
fn payment_lines(country: &str) -> &'static str {
    match country {
        "SE" => {
            "# bankgiro = \"5050-1055\"              # the payment details shown in letters: fill in\n\
             # plusgiro = \"90 00 01-3\"             # at least one of bankgiro, plusgiro, iban + bic,\n\
             # iban = \"SE45 5000 0000 0583 9825 7466\" # account\n\
             # bic = \"ESSESESS\"\n\
             # account = \"\"\n"
        }
        "NO" => {
            "# account = \"1234.56.78903\"           # the payment details shown in letters: fill in\n\
             # iban = \"NO93 8601 1117 947\"         # at least one of account, iban + bic, bankgiro,\n\
             # bic = \"DNBANOKK\"                    # plusgiro\n\
             # bankgiro = \"\"\n\
             # plusgiro = \"\"\n"
        }
        "DK" => {
            "# account = \"1234 0001234567\"         # the payment details shown in letters (reg. nr.\n\
             # iban = \"DK50 0040 0440 1162 43\"     # and account): fill in at least one of account,\n\
             # bic = \"DABADKKK\"                    # iban + bic, bankgiro, plusgiro\n\
             # bankgiro = \"\"\n\
             # plusgiro = \"\"\n"
        }
        _ => {
            "# iban = \"FI21 1234 5600 0007 85\"     # the payment details shown in letters: fill in\n\
             # bic = \"NDEAFIHH\"                    # at least one of iban + bic, account, bankgiro,\n\
             # account = \"\"                        # plusgiro\n\
             # bankgiro = \"\"\n\
             # plusgiro = \"\"\n"
        }
    }
}

/// Payment details for a further currency, commented out (`core::account`).
const ACCOUNT_LINES: &str = "# One set of details per further currency: a letter in that currency prints them (a\n\
# debtor at home the domestic ones, a debtor abroad IBAN and BIC).\n\
# [[company.accounts]]\n\
# currency = \"EUR\"\n\
# iban = \"\"\n\
# bic = \"\"\n\
# account = \"\"\n";

/// The reference scheme this country's banks read, for the comment on `reminder.reference`.
fn reference_hint(country: &str) -> &'static str {
    match country {
        "SE" => "\"ocr\" needs an OCR agreement with Bankgirot",
        "NO" => "\"kid\" needs a KID agreement with your bank",
        "DK" => "\"fik\" needs an FI agreement (kreditornummer)",
        _ => "\"viite\" is what Finnish banks read",
    }
}

/// The whole `policy.toml`.
pub fn policy_toml(starter: &Starter<'_>) -> String {
    let pack = rules::rules_for(starter.country);
    let d = defaults(pack, starter.today);
    let name = toml_string(starter.company.unwrap_or(PLACEHOLDER_NAME));
    let currency = d.currency;
    let today = starter.today;
    let compensation = rules::compensation(pack, today)
        .map_or("none known".to_owned(), |a| format!("{} {currency}", a.normalize()));
    let fee_agreed = if d.fee_needs_agreement {
        "fee_agreed = false                  # the law allows a fee only where your terms of sale named it\n\
         \x20                                   # before the debt arose: set true if yours do\n"
            .to_owned()
    } else {
        "# fee_agreed = true                  # this country's fee needs no prior agreement\n".to_owned()
    };
    let day_count = pack.interest.day_count.name();
    let other_day_count =
        [rules::DayCount::Actual365, rules::DayCount::ActualActual, rules::DayCount::Thirty360]
            .into_iter()
            .filter(|d| *d != pack.interest.day_count)
            .map(|d| format!("\"{}\"", d.name()))
            .collect::<Vec<_>>()
            .join(" or ");
    let min_deadline =
        pack.collection.min_deadline_days.get(true).max(pack.collection.min_deadline_days.get(false));
    let country = pack.country;
    let country_name = d.country_name;
    let language = d.language;
    let after_days = d.after_days;
    let pay_within = d.pay_within_days;
    let fees = fee_caps(pack, currency, today);
    let payments = payment_lines(country);
    let accounts = ACCOUNT_LINES;
    let reference = reference_hint(country);
    let text = format!(
        r#"# policy.toml: the credit policy of one business, made by `dun init` with the defaults of
# {country_name}'s law as of {today}. Every key is listed; a line starting with `#` is a key left
# at the default written on it: remove the `#` to change it. Unknown keys are errors (a typo
# must not silently disable a rule). Write amounts as strings ("60", "1 234,50").
# Whatever is set here, dun applies each customer's country's law on top and refuses to send
# what it forbids (a fee above the cap, a deadline too short).

[company]
name = {name}
country = "{country}"                      # ISO 3166 alpha-2: decides the statutory rules
currency = "{currency}"                    # ISO 4217: invoices without a currency are in it
language = "{language}"                       # letters: sv, nb, da, fi or en
# org_no = ""                         # organisation number, shown in letters
# address = ""                        # your postal address, shown in letters
# postcode = ""
# city = ""
# email = ""                          # the sender of reminder e-mails, and where replies go
# phone = ""
{payments}{accounts}
[terms]
# payment_days = 30                   # due date = invoice date + this, where invoices.csv has none

[aging]
# buckets = [30, 60, 90]              # upper bounds in days overdue: not_due, 1-30, 31-60, 61-90, 91+

[reminder]
after_days = {after_days}                      # days past due before the first reminder
pay_within_days = {pay_within}                 # the new deadline it gives (a collection notice needs {min_deadline})
# max = 1                             # reminders before collection (best practice: one)
# interval_days = 10                  # days between reminders when max > 1
fee = "statutory"                     # the legal maximum, today {fees}; an amount; or "0"
{fee_agreed}# min_amount = "50"                   # don't chase less than this
# channels = ["email", "letter"]      # also "sms"
# reference = "none"                  # make payment references where invoices have none:
#                                     # "ocr", "kid", "fik", "viite" or "rf";
#                                     # {reference}
# payments_max_age_days = 3           # remind and collect refuse on older bank data (dun import)

[interest]
mode = "statutory"                    # the reference rate + the legal margin; or "fixed" or "none"
# rate = "12.0"                       # yearly %, when mode = "fixed"
# reference_rates = [{{ from = 2026-07-01, rate = "1.75" }}]   # overrides the built-in table
# day_count = "{day_count}"               # the country's practice; or {other_day_count}

[collection]
# after_days = 10                     # days after the last reminder's deadline
# min_amount = "200"                  # don't hand over less than this
# agency = ""                         # your collection agency, named in the reminder's warning
compensation = "statutory"            # fixed compensation from business debtors: today {compensation}

[credit]
# default_limit = "50000"             # credit limit for customers without their own
# new_customer_check_over = "20000"   # a new customer's exposure that calls for a credit check
# watch_late_days_increase = 10       # flag customers whose average days late grows this much

# Segments override any key of terms, reminder, interest, collection and credit for the
# customers whose `segment` column names them; `manual = true` makes a call task instead of
# letters:
# [segments.key]
# reminder.after_days = 14
# [segments.kommun]
# manual = true

[output]
# csv_dialect = "standard"            # CSV output: "standard" (`,` and `.`, for scripts) or
#                                     # "nordic" (`;`, decimal comma: Excel in sv/nb/da/fi)

[templates]
# dir = "templates"                   # your edits of the letters (dun templates export)

# Delivery (`dun send`, `dun sent`): the channels whose messages wait until they reached the
# customer; the ladder counts a reminder from then. A channel without a table here counts as
# sent when written (you post the files in out/ yourself). Passwords never go in this file:
# password_env names the environment variable that holds one.
# [delivery.email]
# server = "smtps://smtp.example.se:465"  # or smtp://host:587 with STARTTLS
# username = "faktura@example.se"
# password_env = "DUN_SMTP_PASSWORD"
# starttls = "required"               # smtp:// only; "offered" also sends in plain text
# hello = "example.se"                # the EHLO name; default: company.email's domain
# timeout_seconds = 60
# ca_file = "certs/relay-ca.pem"      # a further certificate authority (an in-house relay)
# attach_pdf = true                  # attach the letter as PDF to each e-mail
# [delivery.sms]
# url = "https://api.46elks.com/a1/sms"
# username = "u1234"                  # HTTP basic authentication (or auth_header instead)
# password_env = "DUN_SMS_PASSWORD"
# sender = "Example"                  # the sender id the customer sees
# method = "POST"                     # or "GET"
# encoding = "form"                   # or "json"
# timeout_seconds = 30
# The request's fields, over {{to}} (+46701234567), {{to_digits}}, {{text}}, {{sender}}, {{id}}:
# [delivery.sms.fields]
# from = "{{sender}}"
# to = "{{to}}"
# message = "{{text}}"
# [delivery.letter]
# folder = "/srv/print/inbox"         # copied here for a print service; without: `dun sent`

# A bank's CSV export for `dun import`. Exports of Nordea, SEB, Swedbank, SpareBank 1, DNB,
# Danske Bank and OP are recognised from their header, and common column names from any bank
# are found; name here only what is not: our column = their header, with the options of the
# ledger's files' tables below.
# [import.csv]
# date = "Bokföringsdag"
# amount = "Belopp"                   # or a credit / debit pair:
# credit = "Inn"
# debit = "Ut"
# reference = "Referens"
# message = "Meddelande"
# payer = "Avsändare"
# transaction_id = "Transaktions-id"
# status = "Status"                   # booked rows say so (Utført, Bokförd, ...); others are pending
# pending_if_empty = "Rentedato"      # a row with this column empty is pending
# delimiter = ";"
# decimal = ","
# date_format = "%Y-%m-%d"
# preset = "none"                     # or a bank's preset, e.g. "dnb"

# The ledger's own files when their headers are not ones dun knows (exports of Fortnox, Visma,
# Tripletex, Fiken, e-conomic and Billy are recognised without this): our column = their
# header, in the shape of [import.csv]. What is not named comes from a preset or the aliases.
# [columns.invoices]
# number = "Fakt.nr"
# due = "Förf.datum"
# paid = "Inbetalt belopp"
# ignore = ["Säljare"]                # headers not to read and not to warn about
# delimiter = ";"
# decimal = ","
# date_format = "%d.%m.%Y"
# minor_units = false                 # true: amounts in whole öre/øre/cents
# encoding = "windows-1252"           # or "utf-8"
# preset = "none"                     # or a preset's name, e.g. "fortnox-invoices"
# [columns.customers]
# mobile = "GSM"
# [columns.payments]
# amount = "Inbetalt"
"#
    );
    align_comments(&text)
}

/// The column where the comments after keys start.
const COMMENT_COLUMN: usize = 38;

/// Puts every comment that follows a key at [`COMMENT_COLUMN`] (or one space after a longer
/// key), so that the file reads as two columns whatever the figures' lengths.
fn align_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    for line in text.lines() {
        let body = line.strip_prefix("# ").unwrap_or(line);
        let split = body.find(" = ").and_then(|eq| body[eq..].find("  #").map(|at| eq + at));
        match split {
            Some(at) => {
                let start = line.len() - body.len();
                let key = line[..start + at].trim_end();
                let comment = line[start + at..].trim_start();
                let pad = COMMENT_COLUMN.saturating_sub(key.chars().count()).max(1);
                out.push_str(key);
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(comment);
            }
            // A comment continued on its own line keeps its place under the one above.
            None if line.starts_with('#') && line[1..].starts_with("    ") => {
                out.push('#');
                out.extend(std::iter::repeat_n(' ', COMMENT_COLUMN - 1));
                out.push_str(line[1..].trim_start());
            }
            None if line.starts_with(' ') && line.trim_start().starts_with('#') => {
                out.extend(std::iter::repeat_n(' ', COMMENT_COLUMN));
                out.push_str(line.trim_start());
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::policy::{Charge, Policy};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn policy(country: &str, company: Option<&str>) -> Policy {
        let text = policy_toml(&Starter { country, company, today: today() });
        Policy::from_toml(&text).unwrap_or_else(|e| panic!("{country}: {e}\n{text}"))
    }

    #[test]
    fn every_country_gets_a_policy_that_reads_back() {
        for (country, currency, _) in COUNTRIES {
            let p = policy(country, Some("Berg & \"Holm\" AB"));
            assert_eq!(p.company_name, "Berg & \"Holm\" AB");
            assert_eq!(p.country, country);
            assert_eq!(p.currency.as_str(), currency);
            assert_eq!(p.file.reminder.fee(), Charge::Statutory);
            assert_eq!(p.file.collection.compensation(), Charge::Statutory);
        }
        assert_eq!(policy("SE", None).company_name, PLACEHOLDER_NAME);
    }

    #[test]
    fn the_defaults_follow_each_countrys_law() {
        // Sweden: a fee only with prior agreement (lag 1981:739 2 §), so none until the user
        // says there is one; the inkassokrav's 8 days are below the usual 10.
        let se = policy("SE", None);
        assert!(!se.file.reminder.fee_agreed());
        assert_eq!((se.file.reminder.after_days(), se.file.reminder.pay_within_days()), (7, 10));
        // Norway: a fee only on a reminder 14 days after the due date, a 14-day deadline.
        let no = policy("NO", None);
        assert!(no.file.reminder.fee_agreed());
        assert_eq!((no.file.reminder.after_days(), no.file.reminder.pay_within_days()), (14, 14));
        // Denmark: a fee at once, a 10-day påkrav.
        let dk = policy("DK", None);
        assert_eq!((dk.file.reminder.after_days(), dk.file.reminder.pay_within_days()), (7, 10));
        // Finland: a consumer's fee 14 days after the due date, a 14-day deadline for them.
        let fi = policy("FI", None);
        assert_eq!((fi.file.reminder.after_days(), fi.file.reminder.pay_within_days()), (14, 14));
    }

    #[test]
    fn the_comments_quote_the_figures_of_the_day() {
        let se = policy_toml(&Starter { country: "SE", company: None, today: today() });
        assert!(se.contains("today 60 SEK"), "{se}");
        assert!(se.contains("today 450 SEK"), "{se}");
        let fi = policy_toml(&Starter { country: "FI", company: None, today: today() });
        assert!(fi.contains("today 5 EUR for consumers, 12 EUR for businesses"), "{fi}");
        let dk = policy_toml(&Starter { country: "DK", company: None, today: today() });
        assert!(dk.contains("# day_count = \"30/360\""), "{dk}");
    }

    #[test]
    fn comments_after_keys_line_up() {
        let text = policy_toml(&Starter { country: "SE", company: Some("A"), today: today() });
        // A key longer than the column gets one space before its comment, and no match here.
        for line in text.lines().filter(|l| l.contains(" = ") && l.contains("  #")) {
            // In characters: `Säljare` is wider in bytes than on screen.
            let at = line[..line.find("  #").unwrap() + 2].chars().count();
            assert_eq!(at, COMMENT_COLUMN, "{line}");
        }
        assert!(text.contains("\n                                      # before the debt arose"), "{text}");
        assert!(
            text.contains("\n#                                     # \"ocr\" needs an OCR agreement"),
            "{text}"
        );
    }

    /// `table.key` for every key written in a policy text, commented out or not; segments
    /// aside (they repeat the other tables' keys).
    fn keys_named(text: &str) -> std::collections::BTreeSet<String> {
        let mut table = String::new();
        let mut keys = std::collections::BTreeSet::new();
        for line in text.lines() {
            let line = line.trim_start_matches('#').trim();
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                table = name.to_owned();
            } else if let Some((key, _)) = line.split_once(" = ") {
                let is_key = key.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                if is_key && !key.is_empty() && !table.starts_with("segments") {
                    keys.insert(format!("{table}.{key}"));
                }
            }
        }
        keys
    }

    #[test]
    fn the_starter_names_every_key_the_example_does() {
        let example = keys_named(include_str!("../../policy.example.toml"));
        for (country, _, _) in COUNTRIES {
            let starter = keys_named(&policy_toml(&Starter { country, company: None, today: today() }));
            let missing: Vec<_> = example.difference(&starter).collect();
            assert!(
                missing.is_empty(),
                "{country}: policy.example.toml has keys dun init does not write: {missing:?}"
            );
        }
    }

    #[test]
    fn every_key_of_the_policy_is_named() {
        let text = policy_toml(&Starter { country: "NO", company: None, today: today() });
        // Uncommenting every key (with the values shown) must still be a valid policy.
        let mut all = String::new();
        for line in text.lines() {
            let uncommented = line.strip_prefix("# ").unwrap_or(line);
            let is_key = uncommented.split_once(" = ").is_some_and(|(key, _)| {
                !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            }) || uncommented.starts_with('[');
            let segment = uncommented.starts_with("[segments") || uncommented.starts_with("reminder.");
            if is_key && !segment && !uncommented.starts_with("manual") {
                all.push_str(uncommented);
                all.push('\n');
            }
        }
        let p = Policy::from_toml(&all).unwrap_or_else(|e| panic!("{e}\n{all}"));
        let f = &p.file;
        assert!(f.company.org_no.is_some() && f.company.iban.is_some() && f.company.plusgiro.is_some());
        assert!(f.terms.payment_days.is_some() && f.aging.buckets.is_some());
        assert!(f.reminder.max.is_some() && f.reminder.channels.is_some() && f.reminder.reference.is_some());
        assert!(f.interest.rate.is_some() && f.interest.day_count.is_some());
        assert!(f.collection.agency.is_some() && f.credit.default_limit.is_some());
        assert!(f.delivery.email.is_some() && f.delivery.sms.is_some() && f.delivery.letter.is_some());
        assert!(
            f.templates.dir.is_some()
                && f.import.csv.as_ref().is_some_and(|c| c.header_for("transaction_id").is_some())
        );
    }
}
