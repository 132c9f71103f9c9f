//! One payment reference for a letter's total (SPEC §9 letters, §8 journal, §5 `reminder.reference`).
//!
//! A reminder about several invoices gives the debtor one reference for paying them all at
//! once, in the scheme the company's invoices use (Swedish OCR, Norwegian KID, Danish FIK,
//! Finnish viitenumero), or an ISO 11649 RF reference when the debtor pays across a border or in
//! another currency (a SEPA transfer carries RF, not a domestic scheme). The reference is built
//! from the letter's identity (date, step, customer, currency), so composing the same letter
//! again gives the same one, and it is stepped past every reference already in use: every
//! invoice's and every earlier letter's. It is recorded on the letter's journal lines, in the
//! `note`, behind [`NOTE_PREFIX`], so `dun import` finds the letter's invoices without
//! recomputing anything.

use chrono::{Datelike, NaiveDate};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{RefKind, generate_reference, normalize_reference, validate_reference};
use crate::core::journal::{Event, Journal};
use crate::core::matching::reference_key;

/// How a letter's total reference starts the `note` of each of its journal lines:
/// `total-reference 26112410461837` (then `; ` and any other note).
pub const NOTE_PREFIX: &str = "total-reference ";

/// What makes a letter the letter it is: one per customer, step and currency on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LetterIdentity<'a> {
    pub date: NaiveDate,
    pub step: u32,
    pub customer: &'a str,
    pub currency: &'a str,
}

/// How many values the customer-and-currency part of the body takes (6 digits).
const SEQUENCE_SPACE: u32 = 1_000_000;

/// The scheme of a letter's total reference, or `None` when the company uses no structured
/// references (no invoice of the letter has one and the policy generates none: the letter then
/// asks for the invoice numbers, as before).
///
/// `invoice_kinds` are the schemes of the letter's invoices' own references (`None`: no
/// reference, or one of no known scheme); `policy` is `reminder.reference`, `country` the
/// company country's scheme; `abroad` says the debtor pays across a border or in a currency
/// other than the company's.
pub fn total_scheme(
    invoice_kinds: &[Option<RefKind>],
    policy: Option<RefKind>,
    country: Option<RefKind>,
    abroad: bool,
) -> Option<RefKind> {
    let mut known = invoice_kinds.iter().flatten();
    let first = known.next().copied();
    if first.is_none() && policy.is_none() {
        return None;
    }
    if abroad {
        return Some(RefKind::Rf);
    }
    let agreed = first.filter(|f| known.all(|k| k == f));
    Some(agreed.or(policy).or(country).unwrap_or(RefKind::Rf))
}

/// The references in use, compared as `dun import` compares them ([`reference_key`]): a new
/// letter's total reference is never one of them. Kept as a hash of each key: a ledger of ten
/// million invoices holds as many references, and a set of their texts took a gigabyte. Two
/// keys with the same hash count as one, which can only make a free reference look taken (the
/// next of the sequence is used), never the reverse.
#[derive(Clone, Debug, Default)]
pub struct TakenReferences {
    keys: FxHashSet<u64>,
}

/// The hash a [`TakenReferences`] keeps of a key.
fn key_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(key)
}

impl TakenReferences {
    /// `invoice_references`: every invoice's reference (stored, or the one the policy
    /// generates); the journal gives every earlier letter's total reference.
    pub fn new<'a>(
        invoice_references: impl IntoIterator<Item = &'a str>,
        journal: &Journal,
    ) -> TakenReferences {
        let mut taken = TakenReferences::default();
        for r in invoice_references {
            taken.insert(r);
        }
        for e in &journal.entries {
            if let Some(r) = e.note().and_then(total_in_note) {
                taken.insert(r);
            }
        }
        taken
    }

    /// How many references are taken.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn insert(&mut self, reference: &str) {
        if let Some(key) = Self::key_of(reference) {
            self.keys.insert(key);
        }
    }

    /// The key a reference is kept by; `None` when nothing is left of it to compare.
    pub fn key_of(reference: &str) -> Option<u64> {
        let key = reference_key(reference);
        (!key.is_empty()).then(|| key_hash(&key))
    }

    /// Takes a reference by its key ([`TakenReferences::key_of`]).
    pub fn insert_key(&mut self, key: u64) {
        self.keys.insert(key);
    }

    /// Whether `reference`, or the body a bank may give of it (`RF18 539…` → `539…`, which
    /// `dun import` also matches), is in use.
    pub fn contains(&self, reference: &str) -> bool {
        self.keys.contains(&key_hash(&reference_key(reference)))
            || rf_body_key(reference).is_some_and(|body| self.keys.contains(&key_hash(&body)))
    }

    /// The total reference of the letter `id` in `kind`, now taken: the first free one of its
    /// sequence. `None` only when all million of that day, step and scheme are taken.
    pub fn compose(&mut self, kind: RefKind, id: &LetterIdentity<'_>) -> Option<String> {
        let start = sequence_start(id.customer, id.currency);
        let found = (0..SEQUENCE_SPACE)
            .filter_map(|n| generate_reference(kind, &body(id, (start + n) % SEQUENCE_SPACE)).ok())
            .find(|r| !self.contains(r))?;
        self.insert(&found);
        Some(found)
    }
}

/// `YYMMDD` + the step's last digit + six digits from the customer and currency: 13 digits,
/// which fit every scheme (FIK takes 14 before its check digit).
fn body(id: &LetterIdentity<'_>, sequence: u32) -> String {
    format!(
        "{:02}{:02}{:02}{}{sequence:06}",
        id.date.year().rem_euclid(100),
        id.date.month(),
        id.date.day(),
        id.step % 10
    )
}

/// Where a customer's and currency's sequence starts: FNV-1a (64 bit) of both, the same on
/// every machine and Rust version.
fn sequence_start(customer: &str, currency: &str) -> u32 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in customer.as_bytes().iter().chain([0x1f].iter()).chain(currency.as_bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (hash % u64::from(SEQUENCE_SPACE)) as u32
}

fn rf_body_key(reference: &str) -> Option<String> {
    let normalized = normalize_reference(reference);
    validate_reference(RefKind::Rf, &normalized).ok()?;
    normalized.get(4..).map(reference_key)
}

/// The note of a letter's journal line carrying its total reference, before any other note.
pub fn note_with_total(reference: &str, note: Option<&str>) -> String {
    match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(rest) => format!("{NOTE_PREFIX}{reference}; {rest}"),
        None => format!("{NOTE_PREFIX}{reference}"),
    }
}

/// The total reference a journal line's note carries, if it carries one.
pub fn total_in_note(note: &str) -> Option<&str> {
    let rest = note.trim_start().strip_prefix(NOTE_PREFIX)?;
    let reference = rest.split(';').next().unwrap_or_default().trim();
    (!reference.is_empty()).then_some(reference)
}

/// A letter's total reference and the invoices it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LetterTotal {
    pub reference: String,
    /// In journal order, each once.
    pub invoices: Vec<String>,
}

/// Every letter's total reference in the journal with its invoices, in the order the letters
/// were journaled: the reminder and collection lines whose note carries one.
pub fn letter_totals(journal: &Journal) -> Vec<LetterTotal> {
    let mut totals: Vec<LetterTotal> = Vec::new();
    let mut at: FxHashMap<String, usize> = FxHashMap::default();
    for e in &journal.entries {
        if !matches!(e.event, Event::Reminder | Event::Collection) {
            continue;
        }
        let (Some(reference), Some(invoice)) = (e.note().and_then(total_in_note), e.invoice()) else {
            continue;
        };
        let i = *at.entry(reference_key(reference)).or_insert_with(|| {
            totals.push(LetterTotal { reference: reference.to_owned(), invoices: Vec::new() });
            totals.len() - 1
        });
        if !totals[i].invoices.iter().any(|known| known == invoice) {
            totals[i].invoices.push(invoice.to_owned());
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::journal::Entry;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn id<'a>(customer: &'a str, currency: &'a str) -> LetterIdentity<'a> {
        LetterIdentity { date: date("2026-11-24"), step: 1, customer, currency }
    }

    #[test]
    fn the_body_is_the_date_the_step_and_a_sequence() {
        assert_eq!(body(&id("K1", "SEK"), 42), "2611241000042");
        // The check digit (and for OCR the length digit) follow the scheme's rules.
        let mut taken = TakenReferences::default();
        let ocr = taken.compose(RefKind::Ocr, &id("K1", "SEK")).unwrap();
        assert_eq!(ocr.len(), 15, "13 digits, length digit, Luhn digit: {ocr}");
        assert!(ocr.starts_with("2611241"));
        assert_eq!(&ocr[13..14], "5", "the length digit is 15 mod 10");
        assert!(validate_reference(RefKind::Ocr, &ocr).is_ok());
        assert!(super::super::ocr_has_valid_length_digit(&ocr));
    }

    /// Worked by hand for body 2611241000042. KID MOD10 (Luhn, the rightmost digit doubled):
    /// doubled 2,0,0,1,2,1,2 → 4+0+0+2+4+2+4 = 16, the others 4,0,0,4,1,6 → 15; 31 → check 9.
    /// OCR: length digit 15 mod 10 = 5 appended first, then Luhn over 26112410000425: doubled
    /// 5,4,0,0,4,1,6 → 1+8+0+0+8+2+3 = 22, the others 2,0,0,1,2,1,2 → 8; 30 → check 0.
    #[test]
    fn a_known_body_gives_known_references() {
        let body = body(&id("K1", "SEK"), 42);
        assert_eq!(generate_reference(RefKind::Kid, &body).unwrap(), "26112410000429");
        assert_eq!(generate_reference(RefKind::Ocr, &body).unwrap(), "261124100004250");
        // Viite 7-3-1 from the right: 2·7+4·3+0+0+0+0+1·7+4·3+2·1+1·7+1·3+6·1+2·7 = 77 → 3.
        assert_eq!(generate_reference(RefKind::Viite, &body).unwrap(), "26112410000423");
    }

    #[test]
    fn the_same_letter_gets_the_same_reference_and_another_letter_another() {
        let compose =
            |customer, currency| TakenReferences::default().compose(RefKind::Ocr, &id(customer, currency));
        assert_eq!(compose("K1", "SEK"), compose("K1", "SEK"));
        assert_ne!(compose("K1", "SEK"), compose("K1", "EUR"));
        assert_ne!(compose("K1", "SEK"), compose("K2", "SEK"));
        let second = LetterIdentity { step: 2, ..id("K1", "SEK") };
        assert_ne!(TakenReferences::default().compose(RefKind::Ocr, &second), compose("K1", "SEK"));
    }

    #[test]
    fn a_reference_in_use_is_stepped_past() {
        let first = TakenReferences::default().compose(RefKind::Ocr, &id("K1", "SEK")).unwrap();
        // An invoice already carries it (written with spaces and leading zeros, as banks do).
        let mut taken = TakenReferences::new([format!("000{} ", &first).as_str()], &Journal::default());
        let next = taken.compose(RefKind::Ocr, &id("K1", "SEK")).unwrap();
        assert_ne!(next, first);
        assert_eq!(next[..7], first[..7], "same date and step");
        assert!(validate_reference(RefKind::Ocr, &next).is_ok());
        // An earlier letter's, from the journal.
        let mut e = Entry::new(date("2026-11-24"), Event::Reminder);
        e.set_note(Some(note_with_total(&first, None)));
        let journal = Journal { entries: vec![e] };
        let again = TakenReferences::new([], &journal).compose(RefKind::Ocr, &id("K1", "SEK")).unwrap();
        assert_ne!(again, first);
    }

    #[test]
    fn an_rf_body_in_use_is_taken_too() {
        let rf = TakenReferences::default().compose(RefKind::Rf, &id("K1", "EUR")).unwrap();
        assert!(rf.starts_with("RF"));
        let body = rf[4..].to_owned();
        let mut taken = TakenReferences::new([body.as_str()], &Journal::default());
        assert_ne!(taken.compose(RefKind::Rf, &id("K1", "EUR")).unwrap(), rf);
    }

    #[test]
    fn the_scheme_follows_the_invoices_then_the_policy_then_the_country() {
        use RefKind::*;
        assert_eq!(total_scheme(&[Some(Ocr), None], None, Some(Ocr), false), Some(Ocr));
        assert_eq!(total_scheme(&[Some(Kid), Some(Kid)], Some(Ocr), Some(Ocr), false), Some(Kid));
        assert_eq!(total_scheme(&[Some(Kid), Some(Ocr)], Some(Viite), Some(Ocr), false), Some(Viite));
        assert_eq!(total_scheme(&[Some(Kid), Some(Ocr)], None, Some(Fik), false), Some(Fik));
        assert_eq!(total_scheme(&[Some(Kid), Some(Ocr)], None, None, false), Some(Rf));
        assert_eq!(total_scheme(&[None, None], Some(Viite), Some(Viite), false), Some(Viite));
        // Abroad or in another currency: RF.
        assert_eq!(total_scheme(&[Some(Ocr), Some(Ocr)], None, Some(Ocr), true), Some(Rf));
        // No references at all and none generated: no total reference.
        assert_eq!(total_scheme(&[None, None], None, Some(Ocr), false), None);
        assert_eq!(total_scheme(&[None, None], None, Some(Ocr), true), None);
    }

    #[test]
    fn the_note_carries_the_reference_and_gives_it_back() {
        assert_eq!(note_with_total("123", None), "total-reference 123");
        assert_eq!(note_with_total("123", Some(" said so ")), "total-reference 123; said so");
        assert_eq!(total_in_note("total-reference 123; said so"), Some("123"));
        assert_eq!(total_in_note("total-reference 123"), Some("123"));
        assert_eq!(total_in_note("total-reference "), None);
        assert_eq!(total_in_note("see total-reference 123"), None);
        assert_eq!(total_in_note("freshness gate overridden"), None);
    }

    #[test]
    fn letters_are_read_back_from_the_journal() {
        let line = |event, invoice: &str, note: Option<&str>| {
            let mut e = Entry::new(date("2026-11-24"), event);
            e.set_invoice(Some(invoice));
            e.set_note(note);
            e
        };
        let journal = Journal {
            entries: vec![
                line(Event::Reminder, "1", Some("total-reference 111")),
                line(Event::Reminder, "2", Some("total-reference 111")),
                line(Event::Reminder, "3", None),
                line(Event::Payment, "4", Some("total-reference 111")),
                line(Event::Reminder, "5", Some("total-reference 0222")),
                line(Event::Reminder, "1", Some("total-reference 111")),
            ],
        };
        assert_eq!(
            letter_totals(&journal),
            vec![
                LetterTotal { reference: "111".into(), invoices: vec!["1".into(), "2".into()] },
                LetterTotal { reference: "0222".into(), invoices: vec!["5".into()] },
            ]
        );
    }

    fn kind() -> impl Strategy<Value = RefKind> {
        prop::sample::select(RefKind::ALL.to_vec())
    }

    proptest! {
        /// Whatever the letters and the references already in use: every total reference
        /// validates under its scheme, and no two letters (nor a letter and an invoice) share
        /// one as `dun import` compares them.
        #[test]
        fn total_references_validate_and_are_unique(
            kind in kind(),
            letters in prop::collection::vec((0u32..400, 1u32..12, "[A-Z0-9]{1,4}", prop::bool::ANY), 1..40),
            invoice_refs in prop::collection::vec("[0-9]{2,15}", 0..20),
        ) {
            let mut taken = TakenReferences::new(invoice_refs.iter().map(String::as_str), &Journal::default());
            let mut seen: FxHashSet<String> = invoice_refs.iter().map(|r| reference_key(r)).collect();
            let mut composed = Vec::new();
            for (day, step, customer, eur) in &letters {
                let id = LetterIdentity {
                    date: date("2026-01-01") + chrono::Days::new(u64::from(*day)),
                    step: *step,
                    customer,
                    currency: if *eur { "EUR" } else { "SEK" },
                };
                let r = taken.compose(kind, &id).expect("a free reference");
                prop_assert!(validate_reference(kind, &r).is_ok(), "{r} is no valid {kind}");
                prop_assert!(seen.insert(reference_key(&r)), "{r} was already in use");
                composed.push(r);
            }
            // Read back from a journal, the same letters are in use.
            let journal = Journal {
                entries: composed
                    .iter()
                    .map(|r| {
                        let mut e = Entry::new(date("2026-01-01"), Event::Reminder);
                        e.set_invoice(Some("1"));
                        e.set_note(Some(note_with_total(r, None)));
                        e
                    })
                    .collect(),
            };
            let again = TakenReferences::new([], &journal);
            for r in &composed {
                prop_assert!(again.contains(r));
            }
        }
    }
}
