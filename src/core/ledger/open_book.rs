//! What is open on each invoice, accumulated one record at a time: [`OpenBook`] (see the
//! ledger module's documentation).

use super::*;

/// Who an open item belongs to: a customer of the register, or an id the register lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    Known(u32),
    /// Index into [`OpenBook::unknown_customers`].
    Unknown(u32),
}

/// An invoice (or unapplied credit) with a non-zero open amount on the as-of date.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenItem {
    pub owner: Owner,
    pub currency: Currency,
    pub due: NaiveDate,
    pub open: Decimal,
    /// Where the invoice number sits in the book's arena (numbers are kept without one
    /// allocation each).
    number: (u32, u32),
}

/// A credit note that names the invoice it credits; applied once every invoice is read,
/// because a credit note may come before its invoice in the file.
#[derive(Clone, Debug)]
struct PendingCredit {
    number: String,
    target: String,
    owner: Owner,
    currency: Currency,
    amount: Decimal,
}

/// Accumulates open items from invoice records (see the module documentation).
#[derive(Debug)]
pub struct OpenBook {
    pub as_of: NaiveDate,
    pub items: Vec<OpenItem>,
    numbers: String,
    credits: Vec<PendingCredit>,
    unknown_index: FxHashMap<String, u32>,
    pub unknown_customers: Vec<String>,
}

impl OpenBook {
    pub fn new(as_of: NaiveDate) -> OpenBook {
        OpenBook {
            as_of,
            items: Vec::new(),
            numbers: String::new(),
            credits: Vec::new(),
            unknown_index: FxHashMap::default(),
            unknown_customers: Vec::new(),
        }
    }

    fn owner(&mut self, known: Option<u32>, id: &str) -> Owner {
        if let Some(i) = known {
            return Owner::Known(i);
        }
        if let Some(&i) = self.unknown_index.get(id) {
            return Owner::Unknown(i);
        }
        let i = self.unknown_customers.len() as u32;
        self.unknown_customers.push(id.to_owned());
        self.unknown_index.insert(id.to_owned(), i);
        Owner::Unknown(i)
    }

    /// Adds one invoice or credit note as it stood on the as-of date.
    pub fn push(
        &mut self,
        record: &InvoiceRecord<'_>,
        customers: &CustomerIndex<'_>,
        payments: &PaymentIndex,
    ) {
        self.push_for(record, || customers.get(record.customer), payments);
    }

    /// [`OpenBook::push`] with the customer's register position from `known` (asked only for
    /// records with something open), so callers that already looked it up don't again.
    pub fn push_for(
        &mut self,
        record: &InvoiceRecord<'_>,
        known: impl FnOnce() -> Option<u32>,
        payments: &PaymentIndex,
    ) {
        let Some(open) = open_before_credits(record, self.as_of, payments) else {
            return;
        };
        if open.is_zero() {
            return;
        }
        let owner = self.owner(known(), record.customer);
        if let (Some(target), true) = (record.credits, open.is_sign_negative()) {
            self.credits.push(PendingCredit {
                number: record.number.to_owned(),
                target: target.to_owned(),
                owner,
                currency: record.currency,
                amount: open,
            });
            return;
        }
        let start = self.numbers.len() as u32;
        self.numbers.push_str(record.number);
        self.items.push(OpenItem {
            owner,
            currency: record.currency,
            // A credit (unapplied credit note, overpayment) is never overdue.
            due: if open.is_sign_negative() { self.as_of } else { record.due },
            open,
            number: (start, self.numbers.len() as u32),
        });
    }

    pub fn number(&self, item: &OpenItem) -> &str {
        &self.numbers[item.number.0 as usize..item.number.1 as usize]
    }

    /// Folds books from several threads into one, reusing the largest one's memory.
    pub fn merge_all(books: Vec<OpenBook>, as_of: NaiveDate) -> OpenBook {
        let mut books = books;
        books.sort_by_key(|b| std::cmp::Reverse(b.items.len()));
        let mut iter = books.into_iter();
        let mut first = iter.next().unwrap_or_else(|| OpenBook::new(as_of));
        for other in iter {
            first.merge(other);
        }
        first
    }

    /// Folds another book (from another thread) into this one.
    pub fn merge(&mut self, mut other: OpenBook) {
        let remap: Vec<u32> = other
            .unknown_customers
            .iter()
            .map(|id| match self.unknown_index.get(id) {
                Some(&i) => i,
                None => {
                    let i = self.unknown_customers.len() as u32;
                    self.unknown_customers.push(id.clone());
                    self.unknown_index.insert(id.clone(), i);
                    i
                }
            })
            .collect();
        let fix = |owner: Owner| match owner {
            Owner::Unknown(i) => Owner::Unknown(remap[i as usize]),
            known => known,
        };
        let offset = self.numbers.len() as u32;
        self.numbers.push_str(&other.numbers);
        self.items.extend(other.items.drain(..).map(|mut item| {
            item.owner = fix(item.owner);
            item.number = (item.number.0 + offset, item.number.1 + offset);
            item
        }));
        self.credits.extend(other.credits.drain(..).map(|mut c| {
            c.owner = fix(c.owner);
            c
        }));
    }

    /// Applies the credit notes to the invoices they name; what a credit note does not use up
    /// (its invoice was paid, is unknown, or belongs to another customer or currency) stays a
    /// credit on the customer. Call once, after every record is pushed.
    pub fn apply_credits(&mut self) {
        if self.credits.is_empty() {
            return;
        }
        self.apply_credits_keeping_emptied();
        self.drop_emptied();
    }

    /// [`OpenBook::apply_credits`], leaving the items the credits empty in place (nothing
    /// open): the items pushed stay first, in the order they were pushed, the credits left
    /// over after them. Then [`OpenBook::drop_emptied`].
    pub fn apply_credits_keeping_emptied(&mut self) {
        if self.credits.is_empty() {
            return;
        }
        let mut wanted: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
        for (i, c) in self.credits.iter().enumerate() {
            wanted.entry(c.target.as_str()).or_default().push(i);
        }
        let mut left: Vec<Decimal> = self.credits.iter().map(|c| -c.amount).collect();
        for item in &mut self.items {
            let number = &self.numbers[item.number.0 as usize..item.number.1 as usize];
            let Some(credit_ids) = wanted.get(number) else { continue };
            for &ci in credit_ids {
                let credit = &self.credits[ci];
                if credit.owner != item.owner
                    || credit.currency != item.currency
                    || item.open <= Decimal::ZERO
                {
                    continue;
                }
                let used = left[ci].min(item.open);
                item.open -= used;
                left[ci] -= used;
            }
        }
        let credits = std::mem::take(&mut self.credits);
        for (credit, rest) in credits.into_iter().zip(left) {
            if rest.is_zero() {
                continue;
            }
            let start = self.numbers.len() as u32;
            self.numbers.push_str(&credit.number);
            self.items.push(OpenItem {
                owner: credit.owner,
                currency: credit.currency,
                // A credit is never overdue.
                due: self.as_of,
                open: -rest,
                number: (start, self.numbers.len() as u32),
            });
        }
    }

    /// Drops the items with nothing open ([`OpenBook::apply_credits_keeping_emptied`]).
    pub fn drop_emptied(&mut self) {
        self.items.retain(|i| !i.open.is_zero());
    }

    /// The customer id an owner stands for.
    pub fn customer_id<'a, C: Registered>(&'a self, owner: Owner, customers: &'a [C]) -> &'a str {
        match owner {
            Owner::Known(i) => customers[i as usize].id(),
            Owner::Unknown(i) => &self.unknown_customers[i as usize],
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use std::str::FromStr;

    pub fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    pub fn record<'a>(
        number: &'a str,
        customer: &'a str,
        issued: &str,
        due: &str,
        amount: i64,
        paid: i64,
    ) -> InvoiceRecord<'a> {
        InvoiceRecord {
            line: 2,
            number,
            customer,
            issued: date(issued),
            due: date(due),
            amount: Decimal::from(amount),
            paid: Decimal::from(paid),
            balance: None,
            currency: Currency::parse("SEK").unwrap(),
            reference: None,
            paid_on: None,
            credits: None,
            description: None,
            discount: None,
        }
    }

    #[test]
    fn paid_counts_from_paid_on() {
        let mut r = record("1", "A", "2026-01-01", "2026-01-31", 1000, 1000);
        r.paid_on = Some(date("2026-03-01"));
        let none = PaymentIndex::default();
        assert_eq!(open_before_credits(&r, date("2026-02-28"), &none), Some(Decimal::from(1000)));
        assert_eq!(open_before_credits(&r, date("2026-03-01"), &none), Some(Decimal::ZERO));
        assert_eq!(open_before_credits(&r, date("2025-12-31"), &none), None);
    }

    #[test]
    fn payments_count_from_their_date_by_number_or_reference() {
        let payments = vec![
            Payment {
                line: 2,
                date: date("2026-02-01"),
                invoice: Some("1".into()),
                amount: Decimal::from(300),
                reference: None,
                ..Payment::default()
            },
            Payment {
                line: 3,
                date: date("2026-02-10"),
                invoice: None,
                amount: Decimal::from(200),
                reference: Some("1234 5".into()),
                ..Payment::default()
            },
        ];
        let mut r = record("1", "A", "2026-01-01", "2026-01-31", 1000, 0);
        r.reference = Some("12345");
        let early = PaymentIndex::new(&payments, date("2026-02-05"));
        assert_eq!(open_before_credits(&r, date("2026-02-05"), &early), Some(Decimal::from(700)));
        let later = PaymentIndex::new(&payments, date("2026-02-10"));
        assert_eq!(open_before_credits(&r, date("2026-02-10"), &later), Some(Decimal::from(500)));
    }

    #[test]
    fn credit_notes_apply_in_any_order_and_leave_the_rest_as_credit() {
        let customers = CustomerIndex::default();
        let none = PaymentIndex::default();
        let mut book = OpenBook::new(date("2026-03-01"));
        let mut credit = record("CN1", "A", "2026-01-15", "2026-01-15", -1500, 0);
        credit.credits = Some("1");
        book.push(&credit, &customers, &none);
        book.push(&record("1", "A", "2026-01-01", "2026-01-31", 1000, 0), &customers, &none);
        book.push(&record("2", "A", "2026-01-01", "2026-01-31", 400, 0), &customers, &none);
        book.apply_credits();
        let opens: Vec<Decimal> = book.items.iter().map(|i| i.open).collect();
        assert_eq!(opens, vec![Decimal::from(400), Decimal::from(-500)]);
        assert_eq!(book.items[1].due, date("2026-03-01"));
    }
}
