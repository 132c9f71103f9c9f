//! The checks of invoices (numbers, customers, dates, balances, references, currencies), of
//! payments, and the credit watch.

use super::*;

/// The reference scheme the banks of a country use.
fn country_ref_kind(country: &str) -> Option<RefKind> {
    let country = country.trim();
    [("SE", RefKind::Ocr), ("NO", RefKind::Kid), ("DK", RefKind::Fik), ("FI", RefKind::Viite)]
        .into_iter()
        .find(|(code, _)| country.eq_ignore_ascii_case(code))
        .map(|(_, kind)| kind)
}

/// Checks a payment reference against the schemes it may be of: RF when it starts with `RF`,
/// else the company's country's, the policy's `reminder.reference` and the customer's
/// country's (a company may bank in its customers' countries). `Ok` when any accepts it, or
/// when no scheme is known.
pub(super) fn reference_problem(
    company_country: &str,
    rules: &Rules,
    customer_country: Option<&str>,
    reference: &str,
) -> Result<(), String> {
    RefKinds::of(company_country, rules, customer_country).problem(reference)
}

/// The schemes other than RF a customer's references may be of ([`reference_problem`]), at
/// most three, kept on the stack: worked out once per customer for a check, not per invoice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct RefKinds {
    kinds: [RefKind; 3],
    known: u8,
}

impl RefKinds {
    pub(super) fn of(company_country: &str, rules: &Rules, customer_country: Option<&str>) -> RefKinds {
        let mut out = RefKinds { kinds: [RefKind::Rf; 3], known: 0 };
        for kind in [
            country_ref_kind(company_country),
            rules.reminder.reference().kind().filter(|k| *k != RefKind::Rf),
            customer_country.and_then(country_ref_kind),
        ]
        .into_iter()
        .flatten()
        {
            if !out.kinds().contains(&kind) {
                out.kinds[out.known as usize] = kind;
                out.known += 1;
            }
        }
        out
    }

    fn kinds(&self) -> &[RefKind] {
        &self.kinds[..self.known as usize]
    }

    /// Checks `reference` against these schemes, or against RF alone when it starts with
    /// `RF`.
    pub(super) fn problem(&self, reference: &str) -> Result<(), String> {
        // Whether it starts with RF once normalised (`normalize_reference`), without the copy;
        // not when it starts with a digit, as nearly every reference does.
        let mut letters =
            reference.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase());
        let rf = !reference.starts_with(|c: char| c.is_ascii_digit())
            && letters.next() == Some('R')
            && letters.next() == Some('F');
        let kinds = if rf { &[RefKind::Rf][..] } else { self.kinds() };
        let Some(&first) = kinds.first() else { return Ok(()) };
        // Most references are digits (and capitals) alone: checked as they are, not copied.
        let normalized = if reference.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) {
            std::borrow::Cow::Borrowed(reference)
        } else {
            std::borrow::Cow::Owned(crate::core::reference::normalize_reference(reference))
        };
        if kinds.iter().any(|&k| validate_normalized(k, &normalized).is_ok()) {
            return Ok(());
        }
        let names: Vec<String> = kinds.iter().map(|k| k.name().to_uppercase()).collect();
        let why = validate_reference(first, reference).err().map(|e| e.to_string()).unwrap_or_default();
        Err(format!("\"{reference}\" is not a valid {} reference: {why}", names.join(" or ")))
    }
}

/// Each customer's usual currency: the currency of a strict majority of its invoices, when
/// that is at least two.
pub(super) fn usual_currencies<'a>(invoices: impl IntoIterator<Item = &'a Invoice>) -> Usual<'a> {
    Usual { by_position: &[], by_id: usual_by_id(invoices) }
}

/// Each customer's usual currency, by its position in the register where the invoice scan
/// counted them, else by id.
pub(super) struct Usual<'a> {
    pub(super) by_position: &'a [Option<Currency>],
    pub(super) by_id: FxHashMap<&'a str, Currency>,
}

impl Usual<'_> {
    /// The usual currency of the customer with this id, at this position in the register.
    fn of(&self, position: Option<usize>, id: &str) -> Option<Currency> {
        match position {
            // An array read, not a hash probe and a key comparison per invoice.
            Some(at) if !self.by_position.is_empty() => self.by_position.get(at).copied().flatten(),
            _ => self.by_id.get(id).copied(),
        }
    }
}

/// [`usual_currencies`] by customer id.
pub(super) fn usual_by_id<'a>(
    invoices: impl IntoIterator<Item = &'a Invoice>,
) -> FxHashMap<&'a str, Currency> {
    let mut counts: FxHashMap<&str, Vec<(Currency, u32)>> = FxHashMap::default();
    for inv in invoices.into_iter().filter(|i| !i.is_credit_note()) {
        let list = counts.entry(inv.customer()).or_default();
        match list.iter_mut().find(|(c, _)| *c == inv.currency) {
            Some((_, n)) => *n += 1,
            None => list.push((inv.currency, 1)),
        }
    }
    counts
        .into_iter()
        .filter_map(|(customer, list)| {
            let total: u32 = list.iter().map(|(_, n)| n).sum();
            let &(currency, n) = list.iter().max_by_key(|(_, n)| *n)?;
            (n >= 2 && n * 2 > total).then_some((customer, currency))
        })
        .collect()
}

/// The checks of each of `invoices` (all of the ledger's, or one customer's: a customer's
/// usual currency is counted from its own invoices).
pub(super) fn check_invoices<'a, I>(ctx: &Ctx<'a>, invoices: I, out: &mut FindingList)
where
    I: IntoIterator<Item = &'a Invoice> + Clone,
{
    let usual = usual_currencies(invoices.clone());
    check_invoices_with(ctx, invoices, &usual, out);
}

/// [`check_invoices`] with each customer's usual currency given.
pub(super) fn check_invoices_with<'a, I>(ctx: &Ctx<'a>, invoices: I, usual: &Usual<'_>, out: &mut FindingList)
where
    I: IntoIterator<Item = &'a Invoice>,
{
    let ledger = ctx.ledger;
    let as_of = ctx.as_of;
    let payments = PaymentIndex::new(&ledger.payments, as_of);
    for inv in invoices {
        let mark = out.len();
        check_invoice(ctx, inv, &payments, usual, out);
        ctx.settle(out, mark);
    }
}

/// An invoice line in a currency other than its customer's `usual` one: a warning, as
/// [`check_invoice`] finds it and as [`super::Streamed`] notes it of a settled invoice the
/// load for `dun check` did not keep.
pub(super) fn unusual_currency(
    (line, customer, number): (u64, &str, &str),
    currency: Currency,
    usual: Currency,
    out: &mut FindingList,
) {
    out.push_made(Made {
        customer: Some(customer),
        invoice: Some(number),
        hint: Some(Wording::Fixed("a reminder asks for the amount in this currency: make sure it is right")),
        ..Made::warning(
            (INVOICES, line, "currency"),
            "unusual-currency",
            Wording::Made(
                "currency \0 differs from the customer's usual \0",
                &[currency.as_str(), usual.as_str()],
            ),
        )
    });
}

/// The findings of one invoice line.
fn check_invoice<'a>(
    ctx: &Ctx<'a>,
    inv: &'a Invoice,
    payments: &PaymentIndex,
    usual: &Usual<'_>,
    out: &mut FindingList,
) {
    let ledger = ctx.ledger;
    let as_of = ctx.as_of;
    let at = |error: bool, field: &'static str, code: &'static str, message: String| {
        let f = if error {
            Finding::error(INVOICES, inv.line, field, code, message)
        } else {
            Finding::warning(INVOICES, inv.line, field, code, message)
        };
        f.customer(inv.customer()).invoice(inv.number())
    };
    let position = ledger.customer_position(inv.customer());
    // The customer's debtor, not its record: see `Debtors`.
    let debtor = position.and_then(|at| ledger.debtor(at));
    let rules = ctx.rules_of(debtor);
    let credit_note = inv.is_credit_note();

    // The ledger's index holds each number's first line: any other line is a duplicate.
    if let Some(first) = ledger.first_line_before(inv).map(|f| f.line) {
        out.push(
            at(
                true,
                "number",
                "duplicate-invoice",
                format!("invoice number {} appears again (first on line {first})", inv.number()),
            )
            .hint("invoice numbers must be unique; dun reads only the first line"),
        );
    }
    if position.is_none() {
        out.push(
            at(
                true,
                "customer",
                "unknown-customer",
                format!("customer \"{}\" is not in customers.csv", inv.customer()),
            )
            .hint("add the customer, or correct the id: dun cannot send anything for this invoice"),
        );
    }
    if !credit_note && inv.due < inv.issued {
        out.push(
            at(
                true,
                "due",
                "due-before-issued",
                format!("due {} is before the invoice date {}", inv.due, inv.issued),
            )
            .hint("days overdue, reminders and interest count from the due date: correct it"),
        );
    }
    if let Some(balance) = inv.balance()
        && inv.amount - inv.paid != balance
    {
        out.push(
            at(
                true,
                "balance",
                "balance-mismatch",
                format!(
                    "balance {} does not match amount {} − paid {} = {}",
                    format_money_grouped(balance),
                    format_money_grouped(inv.amount),
                    format_money_grouped(inv.paid),
                    format_money_grouped(inv.amount - inv.paid)
                ),
            )
            .hint("dun uses paid; correct whichever is wrong"),
        );
    }
    if let Some(balance) = inv.balance()
        && balance.abs() > inv.amount.abs()
        && (balance.is_sign_negative() == inv.amount.is_sign_negative() || inv.amount.is_zero())
    {
        out.push(
            at(
                true,
                "balance",
                "balance-over-amount",
                format!(
                    "balance {} is more than the amount {}",
                    format_money_grouped(balance),
                    format_money_grouped(inv.amount)
                ),
            )
            .hint("an export whose balance includes fees or interest: dun would chase them and add its own on top; map the fees to `fees` ([columns.invoices] fees = \"...\") or correct the balance"),
        );
    }
    if !credit_note && inv.amount > Decimal::ZERO {
        let record = inv.record();
        if let Some(open) = open_before_credits(&record, as_of, payments)
            && open < Decimal::ZERO
        {
            let from_payments = payments.paid_on(&record);
            let paid = inv.amount - open - from_payments;
            out.push(
                at(
                    true,
                    "paid",
                    "overpaid",
                    format!(
                        "paid {} ({} in invoices.csv + {} in payments.csv) is more than the amount {}",
                        format_money_grouped(inv.amount - open),
                        format_money_grouped(paid),
                        format_money_grouped(from_payments),
                        format_money_grouped(inv.amount)
                    ),
                )
                .hint("a payment counted twice (in paid and payments.csv)? otherwise refund or credit the customer"),
            );
        }
    }
    if credit_note && let Some(target) = inv.credits() {
        match ledger.invoice(target) {
            None => out.push(
                at(
                    true,
                    "credits",
                    "credit-unknown-invoice",
                    format!("credit note credits invoice {target}, which is not in invoices.csv"),
                )
                .hint("correct the invoice number; until then it counts as an unapplied credit"),
            ),
            Some(t) if t.customer() != inv.customer() || t.currency != inv.currency => out.push(
                at(
                    true,
                    "credits",
                    "credit-mismatch",
                    format!(
                        "credit note ({}, {}) credits invoice {target} of customer {} in {}: it cannot apply",
                        inv.customer(),
                        inv.currency,
                        t.customer(),
                        t.currency
                    ),
                )
                .hint("a credit note must be for the same customer and currency as its invoice"),
            ),
            Some(_) => {}
        }
    }
    if let Some(reference) = inv.reference()
        && let Err(problem) =
            reference_problem(&ledger.policy.country, rules, debtor.map(|d| d.country), reference)
    {
        let open = ctx.open_on(inv.number());
        let printed = !credit_note && open > Decimal::ZERO;
        let f = at(printed, "reference", "bad-reference", problem);
        out.push(if printed {
            f.hint("the invoice is open: a reminder would print this reference and the bank would reject the payment")
        } else {
            f
        });
    }
    if let Some(u) = usual.of(position, inv.customer())
        && u != inv.currency
    {
        unusual_currency((inv.line, inv.customer(), inv.number()), inv.currency, u, out);
    }
    if inv.issued > as_of {
        out.push(at(
            false,
            "issued",
            "future-date",
            format!("invoice date {} is after the as-of date {as_of}", inv.issued),
        ));
    }
    if let Some(paid_on) = inv.paid_on.filter(|d| *d > as_of) {
        out.push(at(
            false,
            "paid_on",
            "future-date",
            format!("paid_on {paid_on} is after the as-of date {as_of}"),
        ));
    }
}

// ---------------------------------------------------------------------------------------------
// Payments

pub(super) fn check_payments(ctx: &Ctx<'_>, streamed: Option<&Streamed>, out: &mut FindingList) {
    let ledger = ctx.ledger;
    // Every invoice's reference, normalised: a String per invoice, so made only when some
    // payment goes by reference alone (most ledgers have none, or no payments.csv at all).
    let by_reference_only = ledger.payments.iter().any(|p| p.invoice.is_none() && p.reference.is_some());
    let references: FxHashSet<String> = match (by_reference_only, streamed) {
        (false, _) => FxHashSet::default(),
        (true, None) => {
            ledger.invoices.iter().filter_map(|i| i.reference()).map(normalize_reference).collect()
        }
        (true, Some(s)) => s.references.clone(),
    };
    let known = |number: &str| match streamed {
        None => ledger.invoice(number).is_some(),
        Some(s) => s.numbers.contains(number),
    };
    for p in &ledger.payments {
        let at = |field: &'static str, code: &'static str, message: String| {
            let f = Finding::warning(PAYMENTS, p.line, field, code, message);
            match &p.invoice {
                Some(n) => f.invoice(n),
                None => f,
            }
        };
        match (&p.invoice, &p.reference) {
            (Some(number), _) if !known(number) => out.push(
                at(
                    "invoice",
                    "payment-unmatched",
                    format!("payment of {} names invoice {number}, which is not in invoices.csv", format_money_grouped(p.amount)),
                )
                .hint("correct the invoice number: until then the money is applied to nothing and the invoice it pays stays open"),
            ),
            (None, Some(reference)) if !references.contains(&normalize_reference(reference)) => out.push(
                at(
                    "reference",
                    "payment-unmatched",
                    format!(
                        "payment of {} has reference {reference}, which no invoice has",
                        format_money_grouped(p.amount)
                    ),
                )
                .hint("add the invoice number: until then the money is applied to nothing and the invoice it pays stays open"),
            ),
            _ => {}
        }
        if p.date > ctx.as_of {
            out.push(at(
                "date",
                "future-date",
                format!("payment date {} is after the as-of date {}", p.date, ctx.as_of),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Credit watch

pub(super) fn credit_watch(ledger: &Ledger, as_of: NaiveDate, out: &mut FindingList) {
    let behaviour = crate::core::credit::behaviour(ledger, as_of);
    let exposure = crate::core::credit::exposure(&ledger.open_book(as_of));
    credit_watch_of(ledger, as_of, &exposure, |i| behaviour.get(i).cloned(), out);
}

/// [`credit_watch`] with each customer's exposure (see [`crate::core::credit::exposure`]) and
/// payment behaviour (by register position) given.
pub(super) fn credit_watch_of(
    ledger: &Ledger,
    as_of: NaiveDate,
    exposure: &FxHashMap<(u32, Currency), Decimal>,
    behaviour: impl Fn(usize) -> Option<Behaviour>,
    out: &mut FindingList,
) {
    let owed = |i: u32, c: Currency| exposure.get(&(i, c)).copied().unwrap_or_default();
    for item in watch_list_by(&ledger.customers, &ledger.policy, owed, behaviour, as_of) {
        for reason in &item.reasons {
            let (field, hint) = match reason {
                WatchReason::OverLimit { .. } => {
                    ("credit_limit", "hold new orders or raise the limit after a review")
                }
                WatchReason::NewCustomer { .. } => {
                    ("credit_limit", "run a credit check before more is delivered on credit")
                }
                WatchReason::PayingLater { .. } => ("", "call the customer before the next delivery"),
            };
            let (words, figures) = reason.wording();
            let figures: Vec<&str> = figures.iter().map(String::as_str).collect();
            out.push_made(Made {
                customer: Some(&item.customer),
                hint: Some(Wording::Fixed(hint)),
                ..Made::warning((CUSTOMERS, item.line, field), reason.code(), Wording::Made(words, &figures))
            });
        }
    }
}
