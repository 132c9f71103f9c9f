//! The journal (SPEC §8): every action taken and every agreement recorded, one event a line.
//! The dunning core reads the state of each invoice from it; nothing else remembers.

use std::collections::HashSet;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;

pub use super::model::Text;

pub const COLUMNS: [&str; 9] =
    ["date", "event", "invoice", "customer", "amount", "until", "channel", "ref", "note"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    Reminder,
    Collection,
    Call,
    Dispute,
    Resolve,
    Promise,
    Plan,
    Hold,
    Release,
    Note,
    Payment,
    /// Delivery (`core::delivery`): a composed message waits for `dun send` or `dun sent`.
    Queued,
    /// Written (synced) right before a message's irrevocable part goes to the server.
    Sending,
    /// Delivered: accepted by the server, copied to the print folder, or posted by hand.
    Sent,
    /// Refused for good (an SMTP 5xx, an HTTP 4xx): the message was not delivered.
    Failed,
    /// Refused for now (an SMTP 4xx, a busy gateway): the next `dun send` tries again.
    Deferred,
    /// A run stopped between `sending` and the server's answer: perhaps delivered, never
    /// sent again by itself.
    Doubt,
}

impl Event {
    pub const ALL: [Event; 17] = [
        Event::Reminder,
        Event::Collection,
        Event::Call,
        Event::Dispute,
        Event::Resolve,
        Event::Promise,
        Event::Plan,
        Event::Hold,
        Event::Release,
        Event::Note,
        Event::Payment,
        Event::Queued,
        Event::Sending,
        Event::Sent,
        Event::Failed,
        Event::Deferred,
        Event::Doubt,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Event::Reminder => "reminder",
            Event::Collection => "collection",
            Event::Call => "call",
            Event::Dispute => "dispute",
            Event::Resolve => "resolve",
            Event::Promise => "promise",
            Event::Plan => "plan",
            Event::Hold => "hold",
            Event::Release => "release",
            Event::Note => "note",
            Event::Payment => "payment",
            Event::Queued => "queued",
            Event::Sending => "sending",
            Event::Sent => "sent",
            Event::Failed => "failed",
            Event::Deferred => "deferred",
            Event::Doubt => "doubt",
        }
    }

    /// The events of a message's delivery (`core::delivery`): they follow a letter by its
    /// reference, whichever invoice the line names.
    pub fn is_delivery(self) -> bool {
        matches!(
            self,
            Event::Queued | Event::Sending | Event::Sent | Event::Failed | Event::Deferred | Event::Doubt
        )
    }

    pub fn parse(text: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.name().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One line of the journal.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub date: NaiveDate,
    pub event: Event,
    pub amount: Option<Decimal>,
    pub until: Option<NaiveDate>,
    /// The line in `journal.csv` (0 for entries not yet written).
    pub line: u64,
    /// `invoice`, `customer`, `channel`, `ref` and `note`, read through their methods.
    texts: Texts,
}

/// The text fields of an [`Entry`]: a year of daily reminders is half a million lines, and five
/// strings of their own made a line 160 bytes and its reference a second allocation. Held
/// inline when they fit in 66 bytes, as a reminder's do (`370894`, `C000001`, `email+letter`,
/// `2025-12-01/reminder-1_C000001_NOK`: 58 bytes; an 11-character organisation number as the
/// customer id takes 66): a line is then 112 bytes and no allocation, where it was 72 bytes
/// and an allocation of 80 (issue #14). Longer texts are packed on the heap as before.
type Texts = super::packed::SmallTexts<4, 66>;

const INVOICE: usize = 0;
const CUSTOMER: usize = 1;
const CHANNEL: usize = 2;
const REFERENCE: usize = 3;
const NOTE: usize = 4;

impl Entry {
    pub fn new(date: NaiveDate, event: Event) -> Entry {
        Entry { date, event, amount: None, until: None, line: 0, texts: Texts::default() }
    }

    /// A line as read: its text fields `invoice`, `customer`, `channel`, `ref` and `note`
    /// (empty ones `None`).
    pub fn read(
        date: NaiveDate,
        event: Event,
        texts: [Option<&str>; Texts::FIELDS],
        amount: Option<Decimal>,
        until: Option<NaiveDate>,
        line: u64,
    ) -> Entry {
        Entry { date, event, amount, until, line, texts: Texts::of(|i| texts[i]) }
    }

    /// The invoice number the line is on.
    pub fn invoice(&self) -> Option<&str> {
        self.texts.get(INVOICE)
    }

    /// The customer id the line names.
    pub fn customer(&self) -> Option<&str> {
        self.texts.get(CUSTOMER)
    }

    pub fn channel(&self) -> Option<&str> {
        self.texts.get(CHANNEL)
    }

    /// The `ref` column: a letter's reference, a payment's transaction id, ...
    pub fn reference(&self) -> Option<&str> {
        self.texts.get(REFERENCE)
    }

    pub fn note(&self) -> Option<&str> {
        self.texts.get(NOTE)
    }

    pub fn set_invoice(&mut self, invoice: Option<impl AsRef<str>>) {
        self.texts = self.texts.with(INVOICE, invoice.as_ref().map(AsRef::as_ref));
    }

    pub fn set_customer(&mut self, customer: Option<impl AsRef<str>>) {
        self.texts = self.texts.with(CUSTOMER, customer.as_ref().map(AsRef::as_ref));
    }

    pub fn set_channel(&mut self, channel: Option<impl AsRef<str>>) {
        self.texts = self.texts.with(CHANNEL, channel.as_ref().map(AsRef::as_ref));
    }

    pub fn set_reference(&mut self, reference: Option<impl AsRef<str>>) {
        self.texts = self.texts.with(REFERENCE, reference.as_ref().map(AsRef::as_ref));
    }

    pub fn set_note(&mut self, note: Option<impl AsRef<str>>) {
        self.texts = self.texts.with(NOTE, note.as_ref().map(AsRef::as_ref));
    }

    /// Whether the two lines say the same, wherever they stand in the file.
    pub fn says_the_same_as(&self, other: &Entry) -> bool {
        (self.date, self.event, self.amount, self.until, &self.texts)
            == (other.date, other.event, other.amount, other.until, &other.texts)
    }

    /// The fields in [`COLUMNS`] order, as written.
    pub fn fields(&self) -> [String; 9] {
        let s = |o: Option<&str>| o.unwrap_or_default().to_owned();
        [
            self.date.to_string(),
            self.event.name().to_owned(),
            s(self.invoice()),
            s(self.customer()),
            self.amount.map(crate::core::money::format_money).unwrap_or_default(),
            self.until.map(|d| d.to_string()).unwrap_or_default(),
            s(self.channel()),
            s(self.reference()),
            s(self.note()),
        ]
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("date", &self.date)
            .field("event", &self.event)
            .field("invoice", &self.invoice())
            .field("customer", &self.customer())
            .field("amount", &self.amount)
            .field("until", &self.until)
            .field("channel", &self.channel())
            .field("reference", &self.reference())
            .field("note", &self.note())
            .field("line", &self.line)
            .finish()
    }
}

/// Whether a run that decides only some invoices reads a journal line (`dun due`, and with
/// `letters` `dun remind` / `dun collect`; see `io::ledger_dir::load_ledger_deciding`): every
/// line on an invoice `decided` accepts, every line on no invoice (a customer's hold and
/// release), every delivery line (`core::delivery` follows a letter by its reference, whichever
/// invoice the line names) and, for letters, every line whose note carries a letter's total
/// reference (a new letter's total is never one of them). What is left is lines on invoices
/// that decide nothing, paid ones mostly: nothing on those paths reads them.
pub fn read_when_deciding(line: &LineHead<'_>, letters: bool, decided: impl Fn(&str) -> bool) -> bool {
    let Some(number) = line.invoice else { return true };
    line.event.is_delivery()
        || decided(number)
        || (letters && line.note.and_then(super::reference::letter::total_in_note).is_some())
}

/// Whether `dun import` reads a journal line: its `payment` lines (a run that stopped before
/// journaling what it wrote to payments.csv is caught up) and the letters' lines that carry a
/// total reference (a payment of a letter's total is shared among its invoices). A year of
/// daily reminders is most of a journal, and the matching reads none of it.
pub fn read_when_importing(line: &LineHead<'_>) -> bool {
    line.event == Event::Payment
        || (matches!(line.event, Event::Reminder | Event::Collection)
            && line.note.and_then(super::reference::letter::total_in_note).is_some())
}

/// Whether a run about one customer reads a journal line (`dun explain`, `dun customer`; see
/// `io::ledger_dir::load_ledger_about`): every line on a number `theirs` accepts (a number one
/// of the customer's invoice lines has), every line naming the customer, and, as for
/// [`read_when_deciding`], every line on no invoice and every delivery line. `customer` is
/// `None` when the run is about no customer (it says so and stops).
pub fn read_about_customer(
    line: &LineHead<'_>,
    customer: Option<&str>,
    theirs: impl Fn(&str) -> bool,
) -> bool {
    let Some(number) = line.invoice else { return true };
    line.event.is_delivery() || (customer.is_some() && line.customer == customer) || theirs(number)
}

/// The fields of a journal line that say whether a run reading part of the journal keeps it
/// (empty fields are `None`).
#[derive(Clone, Copy, Debug)]
pub struct LineHead<'a> {
    pub event: Event,
    pub invoice: Option<&'a str>,
    pub customer: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// The journal as read, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Journal {
    pub entries: Vec<Entry>,
}

impl Journal {
    /// Entries dated on or before `as_of`: the journal as it stood that day.
    pub fn up_to(&self, as_of: NaiveDate) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.date <= as_of)
    }

    /// Entries per invoice number, in file order: one pass for commands that look at every
    /// invoice (scanning the journal per invoice would be quadratic).
    pub fn by_invoice(&self) -> ByInvoice<'_> {
        self.by_invoice_where(|_| true)
    }

    /// [`Journal::by_invoice`] for the invoices whose number `keep` accepts only.
    pub fn by_invoice_where(&self, keep: impl Fn(&str) -> bool) -> ByInvoice<'_> {
        Grouped::of(self.entries.iter().filter_map(|e| Some((e.invoice().filter(|n| keep(n))?, e))))
    }

    pub fn for_invoice<'a>(&'a self, invoice: &'a str) -> impl Iterator<Item = &'a Entry> {
        self.entries.iter().filter(move |e| e.invoice() == Some(invoice))
    }

    /// Invoices under dispute on `as_of`: a `dispute` not followed by a `resolve`.
    pub fn disputed(&self, as_of: NaiveDate) -> HashSet<String> {
        let mut open = HashSet::new();
        for e in self.up_to(as_of) {
            match (e.event, e.invoice()) {
                (Event::Dispute, Some(i)) => {
                    open.insert(i.to_string());
                }
                (Event::Resolve, Some(i)) => {
                    open.remove(i);
                }
                _ => {}
            }
        }
        open
    }

    /// Distinct invoices with an `event` dated in the 365 days up to `as_of`.
    pub fn invoices_with_in_year(&self, event: Event, as_of: NaiveDate) -> u64 {
        let set: HashSet<&str> = self
            .up_to(as_of)
            .filter(|e| e.event == event && (as_of - e.date).num_days() < 365)
            .filter_map(|e| e.invoice())
            .collect();
        set.len() as u64
    }
}

/// A journal's lines grouped by invoice number, each group in file order.
pub type ByInvoice<'a> = Grouped<&'a str, &'a Entry>;

/// Items grouped by a key, each group in the order given: one array cut into groups, so that
/// grouping millions of journal lines makes no list per key.
#[derive(Debug)]
pub struct Grouped<K, T> {
    /// The group of each key.
    group_of: rustc_hash::FxHashMap<K, u32>,
    /// Group `g` is `items[starts[g]..starts[g + 1]]`.
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<K, T> Default for Grouped<K, T> {
    fn default() -> Self {
        Grouped { group_of: Default::default(), starts: Vec::new(), items: Vec::new() }
    }
}

impl<K: std::hash::Hash + Eq, T: Copy> Grouped<K, T> {
    pub fn of(items: impl IntoIterator<Item = (K, T)>) -> Grouped<K, T> {
        let mut group_of: rustc_hash::FxHashMap<K, u32> = rustc_hash::FxHashMap::default();
        // Each item's group, then how many items each group has: counted first, so every item
        // is put straight into its place.
        let mut tagged: Vec<(u32, T)> = Vec::new();
        let mut counts: Vec<u32> = Vec::new();
        for (key, item) in items {
            let next = counts.len() as u32;
            let group = *group_of.entry(key).or_insert(next);
            if group == next {
                counts.push(0);
            }
            counts[group as usize] += 1;
            tagged.push((group, item));
        }
        let mut starts = Vec::with_capacity(counts.len() + 1);
        let mut at = 0u32;
        starts.push(0);
        for count in &mut counts {
            // From here on `counts` holds where the group's next item goes.
            let start = at;
            at += *count;
            starts.push(at);
            *count = start;
        }
        let mut placed: Vec<T> = match tagged.first() {
            Some(&(_, first)) => vec![first; tagged.len()],
            None => Vec::new(),
        };
        for (group, item) in tagged {
            let slot = &mut counts[group as usize];
            placed[*slot as usize] = item;
            *slot += 1;
        }
        Grouped { group_of, starts, items: placed }
    }

    /// The items of `key`, in the order given (none when it has none).
    pub fn get<Q: std::hash::Hash + Eq + ?Sized>(&self, key: &Q) -> &[T]
    where
        K: std::borrow::Borrow<Q>,
    {
        match self.group_of.get(key) {
            Some(&g) => self.group(g as usize),
            None => &[],
        }
    }

    /// The keys, in no order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.group_of.keys()
    }

    /// Every group's items.
    pub fn groups(&self) -> impl Iterator<Item = &[T]> {
        (0..self.starts.len().saturating_sub(1)).map(|g| self.group(g))
    }

    fn group(&self, g: usize) -> &[T] {
        &self.items[self.starts[g] as usize..self.starts[g + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Grouped lines are exactly each number's lines in file order, whatever the numbers'
    /// interleaving; lines without a number or not kept are in no group.
    #[test]
    fn lines_by_invoice_are_each_numbers_lines_in_file_order() {
        use proptest::prelude::*;
        let lines = proptest::collection::vec((proptest::option::of(0u8..6), 0u32..400), 0..80);
        proptest!(|(lines in lines)| {
            let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
            let entries: Vec<Entry> = lines
                .iter()
                .enumerate()
                .map(|(i, (number, days))| {
                    let mut e = Entry::new(day + chrono::Days::new(u64::from(*days)), Event::Note);
                    e.set_invoice(number.map(|n| format!("F{n}")));
                    e.line = i as u64 + 2;
                    e
                })
                .collect();
            let journal = Journal { entries };
            let keep = |n: &str| n != "F5";
            let grouped = journal.by_invoice_where(keep);
            for n in 0..7 {
                let number = format!("F{n}");
                let expected: Vec<u64> = if keep(&number) {
                    journal.for_invoice(&number).map(|e| e.line).collect()
                } else {
                    Vec::new()
                };
                let got: Vec<u64> = grouped.get(number.as_str()).iter().map(|e| e.line).collect();
                prop_assert_eq!(got, expected);
            }
            prop_assert!(grouped.get("").is_empty());
        });
    }

    /// A reminder's texts are held inline; one byte past the inline room, on the heap, and
    /// every field reads back the same either way.
    #[test]
    fn a_reminders_texts_are_inline_and_longer_ones_packed() {
        let mut e = Entry::new(NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(), Event::Reminder);
        e.set_invoice(Some("370894"));
        e.set_customer(Some("C000001"));
        e.set_channel(Some("email+letter"));
        e.set_reference(Some("2025-12-01/reminder-1_C000001_NOK"));
        assert!(!e.texts.is_on_heap());
        // 58 bytes: 8 more fit, 9 do not.
        e.set_note(Some("12345678"));
        assert!(!e.texts.is_on_heap());
        let inline =
            [e.invoice(), e.customer(), e.channel(), e.reference(), e.note()].map(|t| t.map(str::to_owned));
        e.set_note(Some("123456789"));
        assert!(e.texts.is_on_heap());
        let read = [e.invoice(), e.customer(), e.channel(), e.reference(), e.note()];
        assert_eq!(&read[..4], &inline.each_ref().map(Option::as_deref)[..4]);
        assert_eq!(read[4], Some("123456789"));
    }

    /// A line of no text allocates nothing; each field reads back what it was set to.
    #[test]
    fn text_fields_are_read_back() {
        let bare = Entry::new(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), Event::Hold);
        assert!(!bare.texts.is_on_heap());
        assert_eq!(bare.invoice(), None);
        let mut e = bare.clone();
        e.set_note(Some("said so"));
        e.set_invoice(Some("F1"));
        e.set_reference(Some("2026-11-30/reminder-1_K1_SEK"));
        e.set_customer(Some("K1"));
        e.set_channel(Some("letter"));
        e.set_invoice(None::<&str>);
        let read = [e.invoice(), e.customer(), e.channel(), e.reference(), e.note()];
        assert_eq!(
            read,
            [None, Some("K1"), Some("letter"), Some("2026-11-30/reminder-1_K1_SEK"), Some("said so")]
        );
    }
}
