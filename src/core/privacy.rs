//! Personal data (SPEC §10's data quality, the GDPR): how long bookkeeping law keeps a
//! customer's data, when it may be forgotten, and masks for sharing a report.
//!
//! **Retention.** The bookkeeping law of the company's country decides, counted from the end of
//! the calendar year of the customer's last activity (an invoice, a payment, a journal event):
//! the fiscal year is taken to be the calendar year. See [`retention`] for the periods and their
//! sources. A customer may be forgotten once that period has ended and nothing is open.

use chrono::{Datelike, NaiveDate};

use rustc_hash::FxHashMap;

use super::ledger::{CustomerIndex, Ledger, OpenBook, Owner};
use super::model::Customer;

/// The name a forgotten customer keeps in the register.
pub const FORGOTTEN: &str = "(forgotten)";

/// How long a country's bookkeeping law keeps the records, with its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub years: i32,
    pub law: &'static str,
}

/// The retention period of the company's country. FI keeps vouchers 6 years but the books 10;
/// customer names stand in the books (the sales ledger), so 10 applies. Other countries get the
/// longest Nordic period, 10 years, until someone states theirs.
pub fn retention(country: &str) -> Retention {
    match country {
        "SE" => Retention { years: 7, law: "bokföringslagen (1999:1078) 7 kap. 2 §" },
        "NO" => Retention { years: 5, law: "bokføringsloven (LOV-2004-11-19-73) § 13" },
        "DK" => Retention { years: 5, law: "bogføringsloven (lov nr. 700 af 24. maj 2022) § 12" },
        "FI" => Retention {
            years: 10,
            law: "kirjanpitolaki (1336/1997) 2 luku 10 § (books 10 years, vouchers 6)",
        },
        _ => Retention { years: 10, law: "no period known for this country: the longest Nordic one" },
    }
}

/// The last day bookkeeping law keeps what a customer's last activity on `last` produced.
pub fn kept_until(last: NaiveDate, r: Retention) -> NaiveDate {
    NaiveDate::from_ymd_opt(last.year() + r.years, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The latest journal event up to the as-of date of each customer of the register a line
/// names, and of each invoice a line names without a customer, gathered without keeping the
/// journal's lines.
#[derive(Clone, Debug, Default)]
pub struct JournalActivity {
    /// By register position (as its [`CustomerIndex`] gives it): a customer's id was a key
    /// hashed and compared for each of a year's half a million lines (issue #14).
    pub by_position: Vec<Option<NaiveDate>>,
    pub by_invoice: FxHashMap<String, NaiveDate>,
}

impl JournalActivity {
    /// For a register of this many customers.
    pub fn new(customers: usize) -> JournalActivity {
        JournalActivity { by_position: vec![None; customers], by_invoice: FxHashMap::default() }
    }

    /// Adds one line of the journal (dated up to the as-of date): its customer's, else its
    /// invoice's, as [`last_activities`] attributes it. A customer the register lacks has no
    /// activity to keep.
    pub fn see(
        &mut self,
        index: &CustomerIndex<'_>,
        customer: Option<&str>,
        invoice: Option<&str>,
        day: NaiveDate,
    ) {
        match (customer, invoice) {
            (Some(c), _) => {
                if let Some(last) = index.get(c).and_then(|at| self.by_position.get_mut(at as usize)) {
                    see_latest(last, day);
                }
            }
            (None, Some(i)) => match self.by_invoice.get_mut(i) {
                Some(d) => *d = (*d).max(day),
                None => {
                    self.by_invoice.insert(i.to_owned(), day);
                }
            },
            (None, None) => {}
        }
    }

    /// Folds another worker's part (of the same register) into this one.
    pub fn merge(&mut self, other: JournalActivity) {
        for (mine, theirs) in self.by_position.iter_mut().zip(other.by_position) {
            *mine = (*mine).max(theirs);
        }
        for (key, day) in other.by_invoice {
            let d = self.by_invoice.entry(key).or_insert(day);
            *d = (*d).max(day);
        }
    }
}

/// Makes `last` the later of itself and `day`: each customer's latest activity.
pub fn see_latest(last: &mut Option<NaiveDate>, day: NaiveDate) {
    *last = (*last).max(Some(day));
}

/// Each customer's last invoice, credit note, payment, settlement or journal event up to
/// `as_of`, in one pass over the ledger.
/// By position in the register: an id given on two lines has its activity at the position
/// [`Ledger::customer_position`] gives.
pub fn last_activities(ledger: &Ledger, as_of: NaiveDate) -> Vec<Option<NaiveDate>> {
    // The latest date per register position: one id lookup per invoice or journal line.
    let mut latest: Vec<Option<NaiveDate>> = vec![None; ledger.customers.len()];
    let mut see = |at: Option<usize>, d: NaiveDate| {
        if let Some(at) = at {
            see_latest(&mut latest[at], d);
        }
    };
    for inv in ledger.invoices.iter().filter(|i| i.issued <= as_of) {
        let at = ledger.customer_position(inv.customer());
        see(at, inv.issued);
        if let Some(d) = inv.paid_on.filter(|d| *d <= as_of) {
            see(at, d);
        }
        if let Some(d) = ledger.last_payment_date(inv, as_of) {
            see(at, d);
        }
    }
    for e in ledger.journal.entries.iter().filter(|e| e.date <= as_of) {
        let owner =
            e.customer().or_else(|| e.invoice().and_then(|n| ledger.invoice(n)).map(|i| i.customer()));
        if let Some(id) = owner {
            see(ledger.customer_position(id), e.date);
        }
    }
    latest
}

/// One customer's last activity (see [`last_activities`]).
pub fn last_activity(ledger: &Ledger, id: &str, as_of: NaiveDate) -> Option<NaiveDate> {
    ledger.customer_position(id).and_then(|at| last_activities(ledger, as_of)[at])
}

/// Why a customer may not be forgotten yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Something is open on the as-of date (an invoice, or a credit).
    Open(Vec<String>),
    /// Bookkeeping law still keeps it.
    Retained {
        last: NaiveDate,
        until: NaiveDate,
        retention: Retention,
    },
    AlreadyForgotten,
}

impl Keep {
    pub fn describe(&self, country: &str) -> String {
        match self {
            Keep::Open(items) => format!("it still has something open ({})", items.join(", ")),
            Keep::Retained { last, until, retention } => format!(
                "its last activity was on {last}, and bookkeeping law ({country}: {} years, {}) keeps it until {until}",
                retention.years, retention.law
            ),
            Keep::AlreadyForgotten => "it was already forgotten".to_owned(),
        }
    }
}

/// What deciding who may be forgotten needs, gathered once for the whole ledger, by position
/// in the register (an id's position as [`Ledger::customer_position`] gives it).
pub struct Facts<'a> {
    ledger: &'a Ledger,
    as_of: NaiveDate,
    /// The open items, worked out when first asked why a customer is kept (a check, which
    /// never asks, gives `open` from what it has worked out already).
    book: std::sync::OnceLock<OpenBook>,
    /// Whether something is open for the customer at each position.
    open: Vec<bool>,
    /// Each customer's last activity.
    last: Vec<Option<NaiveDate>>,
    retention: Retention,
}

/// Why a customer is kept, before it is worded.
enum Kept {
    AlreadyForgotten,
    Open,
    Retained { last: NaiveDate, until: NaiveDate },
}

impl<'a> Facts<'a> {
    pub fn new(ledger: &'a Ledger, as_of: NaiveDate) -> Facts<'a> {
        Facts::with_last(ledger, as_of, last_activities(ledger, as_of))
    }

    /// [`Facts::new`] with each customer's last activity given (see [`last_activities`]): a
    /// load that does not keep every invoice gathers them while the invoices stream past.
    pub fn with_last(ledger: &'a Ledger, as_of: NaiveDate, last: Vec<Option<NaiveDate>>) -> Facts<'a> {
        let book = ledger.open_book(as_of);
        let facts = Facts::with_open(ledger, as_of, open_customers(&book, ledger.customers.len()), last);
        let _ = facts.book.set(book);
        facts
    }

    /// [`Facts::with_last`] with whether something is open for each customer given (see
    /// [`open_customers`]), from open items the caller worked out already.
    pub fn with_open(
        ledger: &'a Ledger,
        as_of: NaiveDate,
        open: Vec<bool>,
        last: Vec<Option<NaiveDate>>,
    ) -> Facts<'a> {
        let retention = retention(&ledger.policy.country);
        Facts { ledger, as_of, book: std::sync::OnceLock::new(), open, last, retention }
    }

    /// Whether the customer is kept on `as_of`, and why (`Err`), or may be forgotten, with its
    /// last activity if it had any (`Ok`); a register's every customer is asked, so nothing is
    /// worded here.
    fn kept(&self, customer: &Customer, as_of: NaiveDate) -> Result<Option<NaiveDate>, Kept> {
        if customer.name == FORGOTTEN {
            return Err(Kept::AlreadyForgotten);
        }
        let Some(at) = self.ledger.customer_position(&customer.id) else { return Ok(None) };
        if self.open[at] {
            return Err(Kept::Open);
        }
        let Some(last) = self.last.get(at).copied().flatten() else { return Ok(None) };
        let until = kept_until(last, self.retention);
        if as_of <= until { Err(Kept::Retained { last, until }) } else { Ok(Some(last)) }
    }

    /// Whether the customer may be forgotten on `as_of`.
    pub fn may_forget(&self, customer: &Customer, as_of: NaiveDate) -> Result<(), Keep> {
        match self.kept(customer, as_of) {
            Ok(_) => Ok(()),
            Err(Kept::AlreadyForgotten) => Err(Keep::AlreadyForgotten),
            Err(Kept::Retained { last, until }) => {
                Err(Keep::Retained { last, until, retention: self.retention })
            }
            Err(Kept::Open) => Err(Keep::Open(self.open_items(&customer.id))),
        }
    }

    /// The customer's open items, worded: number, amount, currency.
    fn open_items(&self, id: &str) -> Vec<String> {
        let customers = &self.ledger.customers;
        let book = self.book.get_or_init(|| self.ledger.open_book(self.as_of));
        book.items
            .iter()
            .filter(|i| !i.open.is_zero())
            .filter(|i| matches!(i.owner, Owner::Known(at) if customers[at as usize].id == id))
            .map(|i| {
                format!("{} {} {}", book.number(i), crate::core::money::format_money(i.open), i.currency)
            })
            .collect()
    }
}

/// Whether something is open for each of `customers` register positions in `book`: an item
/// with an amount, owed or owing (a credit).
pub fn open_customers(book: &OpenBook, customers: usize) -> Vec<bool> {
    let mut open = vec![false; customers];
    for item in book.items.iter().filter(|i| !i.open.is_zero()) {
        if let Owner::Known(at) = item.owner {
            open[at as usize] = true;
        }
    }
    open
}

/// Whether the customer may be forgotten on `as_of`.
pub fn may_forget(ledger: &Ledger, customer: &Customer, as_of: NaiveDate) -> Result<(), Keep> {
    Facts::new(ledger, as_of).may_forget(customer, as_of)
}

/// The register's customers (or those with the id `only`) with some activity whose data
/// bookkeeping law no longer requires, with their last activity, for `dun check`.
pub fn past_retention<'a>(
    ledger: &'a Ledger,
    as_of: NaiveDate,
    only: Option<&str>,
) -> Vec<(&'a Customer, NaiveDate)> {
    past_retention_by(ledger, as_of, only, &Facts::new(ledger, as_of))
}

/// [`past_retention`] with the facts gathered.
pub fn past_retention_by<'a>(
    ledger: &'a Ledger,
    as_of: NaiveDate,
    only: Option<&str>,
    facts: &Facts<'_>,
) -> Vec<(&'a Customer, NaiveDate)> {
    ledger
        .customers
        .iter()
        .filter(|c| only.is_none_or(|id| c.id == id))
        .filter_map(|c| Some((c, facts.kept(c, as_of).ok().flatten()?)))
        .collect()
}

/// A name as `A*** B*** AB`: the first letter of each word, legal forms kept; no punctuation,
/// so a mask never needs escaping.
pub fn mask_name(name: &str) -> String {
    const FORMS: [&str; 14] =
        ["AB", "HB", "KB", "AS", "ASA", "A/S", "ApS", "I/S", "Oy", "Oyj", "Ab", "Ky", "Tmi", "GmbH"];
    name.split_whitespace()
        .filter_map(|w| {
            if FORMS.contains(&w) {
                Some(w.to_owned())
            } else {
                w.chars().find(|c| c.is_alphanumeric()).map(|first| format!("{first}***"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An e-mail address as `e***@***`.
pub fn mask_email(email: &str) -> String {
    let first: String = email.chars().filter(|c| c.is_alphanumeric()).take(1).collect();
    format!("{first}***@***")
}

/// A phone number as `***67`: its last two digits.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(2)..].iter().collect();
    format!("***{tail}")
}

/// What `--redact` replaces in an export: each personal value of the register and its mask.
/// Values shorter than 3 characters are left (they would mask parts of other words).
pub fn redactions(customers: &[Customer]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut add = |value: Option<&str>, mask: &dyn Fn(&str) -> String| {
        if let Some(v) = value.map(str::trim).filter(|v| v.chars().count() >= 3 && *v != FORGOTTEN) {
            out.push((v.to_owned(), mask(v)));
        }
    };
    for c in customers {
        add(Some(&c.name), &mask_name);
        add(c.contact(), &mask_name);
        add(c.email(), &mask_email);
        add(c.phone(), &mask_phone);
        add(c.mobile(), &mask_phone);
        add(c.org_no(), &|_| "******-****".to_owned());
        add(c.address(), &mask_name);
    }
    out
}

/// Replaces every personal value of `pairs` that stands in `text` as a whole (not inside a
/// longer word), also as HTML, JSON or CSV escape it, longest first.
pub fn redact(text: &str, pairs: &[(String, String)]) -> String {
    let mut patterns: Vec<String> = Vec::new();
    let mut masks: Vec<String> = Vec::new();
    // Each form once, the first value's mask: looked up in a set, not in the list (a register
    // of a hundred thousand customers gives half a million values, and searching the list for
    // each took minutes).
    let mut seen: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
    for (value, mask) in pairs {
        let html = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        };
        let forms = [
            (value.clone(), mask.clone()),
            (html(value), html(mask)),
            (value.replace('"', "\\\""), mask.clone()),
            (value.replace('"', "\"\""), mask.clone()),
        ];
        for (p, m) in forms {
            if seen.insert(p.clone()) {
                patterns.push(p);
                masks.push(m);
            }
        }
    }
    if patterns.is_empty() {
        return text.to_owned();
    }
    let Ok(ac) = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(&patterns)
    else {
        return text.to_owned();
    };
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for m in ac.find_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        let starts_word = text[m.start()..].chars().next().is_some_and(char::is_alphanumeric);
        let ends_word = text[..m.end()].chars().next_back().is_some_and(char::is_alphanumeric);
        if (starts_word && word(before)) || (ends_word && word(after)) {
            continue;
        }
        out.push_str(&text[at..m.start()]);
        out.push_str(&masks[m.pattern().as_usize()]);
        at = m.end();
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Each worker keeps the latest day of each register customer a line names (by its
    /// position), and of each invoice a line names alone; a customer the register lacks is not
    /// kept; two workers' parts fold into the latest of each.
    #[test]
    fn journal_activity_is_kept_by_register_position() {
        let customers =
            [Customer::new("K1", "Ett"), Customer::new("K2", "Två"), Customer::new("K1", "Ett igen")];
        let policy = crate::core::policy::Policy::from_toml(
            "[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n",
        )
        .unwrap();
        let index = CustomerIndex::new(&customers, &policy);
        let mut first = JournalActivity::new(customers.len());
        first.see(&index, Some("K2"), Some("100"), d("2026-03-01"));
        first.see(&index, Some("K2"), None, d("2026-01-01"));
        first.see(&index, Some("K9"), Some("101"), d("2026-05-01"));
        first.see(&index, None, Some("102"), d("2026-02-01"));
        first.see(&index, None, None, d("2026-06-01"));
        let mut second = JournalActivity::new(customers.len());
        second.see(&index, Some("K1"), None, d("2025-12-01"));
        second.see(&index, Some("K2"), None, d("2026-02-15"));
        second.see(&index, None, Some("102"), d("2026-04-01"));
        first.merge(second);
        // K1's position is its last line's, as the register's index gives it.
        assert_eq!(first.by_position, vec![None, Some(d("2026-03-01")), Some(d("2025-12-01"))]);
        assert_eq!(
            first.by_invoice.into_iter().collect::<Vec<_>>(),
            vec![("102".to_owned(), d("2026-04-01"))]
        );
    }

    #[test]
    fn retention_counts_from_the_end_of_the_year_of_the_last_activity() {
        // SE: through the seventh year after the year's end.
        assert_eq!(kept_until(d("2018-03-01"), retention("SE")), d("2025-12-31"));
        assert_eq!(kept_until(d("2018-03-01"), retention("NO")), d("2023-12-31"));
        assert_eq!(kept_until(d("2018-12-31"), retention("DK")), d("2023-12-31"));
        assert_eq!(kept_until(d("2018-03-01"), retention("FI")), d("2028-12-31"));
        assert_eq!(retention("DE").years, 10);
    }

    /// Past retention only with nothing open: an invoice open since 2010 keeps its customer
    /// (and says which), one settled in 2010 does not; a customer given on two lines is
    /// decided on the line whose id the ledger's index holds (its last), for both lines.
    #[test]
    fn only_customers_with_nothing_open_are_past_retention() {
        use crate::core::journal::Journal;
        use crate::core::model::{Customer, Invoice};
        use crate::core::policy::Policy;
        let customer = |id: &str, line: u64| Customer {
            id: id.into(),
            name: "A AB".into(),
            line,
            ..Customer::default()
        };
        let customers = vec![customer("K1", 2), customer("K2", 3), customer("K1", 4), customer("K3", 5)];
        let invoice = |number: &str, id: &str, paid: bool| {
            let mut i =
                Invoice::unpaid_sek(number, id, d("2010-01-01"), d("2010-01-31"), Decimal::new(100, 0));
            if paid {
                i.paid = i.amount;
                i.paid_on = Some(d("2010-02-01"));
            }
            i
        };
        let invoices = vec![invoice("1", "K1", false), invoice("2", "K2", true), invoice("3", "K3", false)];
        let policy =
            Policy::from_toml("[company]\nname = \"T AB\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let ledger = Ledger::new(policy, customers, invoices, Vec::new(), Journal::default());
        let as_of = d("2026-12-01");
        let past: Vec<(u64, NaiveDate)> =
            past_retention(&ledger, as_of, None).iter().map(|(c, last)| (c.line, *last)).collect();
        assert_eq!(past, [(3, d("2010-02-01"))]);
        for at in [0, 2] {
            assert_eq!(
                may_forget(&ledger, &ledger.customers[at], as_of),
                Err(Keep::Open(vec!["1 100.00 SEK".to_owned()]))
            );
        }
        assert_eq!(may_forget(&ledger, &ledger.customers[1], as_of), Ok(()));
        // Given what is open (as `dun check` gives it), the open items are worked out when a
        // customer kept for them is worded.
        let open = open_customers(&ledger.open_book(as_of), ledger.customers.len());
        let given = Facts::with_open(&ledger, as_of, open, last_activities(&ledger, as_of));
        assert_eq!(
            given.may_forget(&ledger.customers[0], as_of),
            Err(Keep::Open(vec!["1 100.00 SEK".to_owned()]))
        );
        assert_eq!(given.may_forget(&ledger.customers[1], as_of), Ok(()));
        assert_eq!(last_activity(&ledger, "K1", as_of), Some(d("2010-01-01")));
        assert_eq!(last_activity(&ledger, "K9", as_of), None);
    }

    #[test]
    fn masks_keep_the_shape_not_the_person() {
        assert_eq!(mask_name("Andersson Bygg AB"), "A*** B*** AB");
        assert_eq!(mask_name("Märta Öhrn"), "M*** Ö***");
        assert_eq!(mask_email("berit.holm@example.se"), "b***@***");
        assert_eq!(mask_phone("+46 70-123 45 67"), "***67");
    }

    #[test]
    fn redaction_replaces_whole_values_in_any_escaping() {
        let c =
            Customer { id: "1".into(), name: "Berg & Söner \"Kvarnen\" AB".into(), ..Customer::default() }
                .with_email(Some("info@berg.se"))
                .with_phone(Some("070-123 45 67"))
                .with_org_no(Some("19800101-1234"));
        let pairs = redactions(&[c, Customer { id: "2".into(), name: "Ek".into(), ..Customer::default() }]);
        let text = "Berg & Söner \"Kvarnen\" AB; Berg &amp; Söner &quot;Kvarnen&quot; AB; \"Berg & Söner \"\"Kvarnen\"\" AB\"; \
                    info@berg.se, 070-123 45 67, 19800101-1234; Ek and Eken stay";
        assert_eq!(
            redact(text, &pairs),
            "B*** S*** K*** AB; B*** S*** K*** AB; \"B*** S*** K*** AB\"; i***@***, ***67, ******-****; Ek and Eken stay"
        );
        // Not inside a longer word.
        let pairs = vec![("Holm".to_owned(), "H***".to_owned())];
        assert_eq!(redact("Holm, Holmberg, Stockholm", &pairs), "H***, Holmberg, Stockholm");
    }

    #[test]
    fn a_large_register_is_masked_value_by_value() {
        // Forty thousand customers: the values are found once each, and the first customer's
        // mask of a value two share is the one used.
        let customers: Vec<Customer> = (0..40_000)
            .map(|n| {
                Customer {
                    id: format!("K{n}").into(),
                    name: format!("Kund{n} Bygg AB").into(),
                    ..Customer::default()
                }
                .with_email(Some(format!("kund{n}@example.se")))
                .with_address(Some(if n < 2 {
                    "Storgatan 1".to_owned()
                } else {
                    format!("Gata {n}")
                }))
            })
            .collect();
        let pairs = redactions(&customers);
        assert_eq!(pairs.len(), 120_000);
        let text = "Kund39999 Bygg AB <kund39999@example.se>, Storgatan 1; Kund7 Bygg AB";
        assert_eq!(redact(text, &pairs), "K*** B*** AB <k***@***>, S*** 1***; K*** B*** AB");
    }
}
