//! One computation of a claim (SPEC §§ 6, 7, 9): an invoice's open principal, each fee with
//! its date, interest to a date, the fixed compensation with what offsets it, and the total.
//! Every output — letter, e-mail, SMS, collection notice, agency batch, `due`, `explain`,
//! `customer` — shows the figures of one [`Claim`], so the same claim on the same day has one
//! set of figures everywhere.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::charges::{self, Compensation, Law};
use super::interest::InterestResult;
use super::ledger::Ledger;
use super::model::{Currency, Customer, Invoice, Text};
use super::money::format_money;
use super::policy::{InterestMode, Rules};
use super::rules::calendar::MovedDue;
use super::rules::{self, RuleViolation};

/// A reminder fee on the claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimFee {
    /// The reminder's date.
    pub date: NaiveDate,
    pub amount: Decimal,
    /// Charged by the step due today (not journaled yet).
    pub new: bool,
}

/// What the debtor owes on one invoice on a date, and how it is made up.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Claim {
    /// The invoice number (held inline: a whole ledger's claims allocate no text for it).
    pub invoice: Text,
    pub currency: Option<Currency>,
    /// Open principal on the date.
    pub principal: Decimal,
    /// The invoice's due date.
    pub due: NaiveDate,
    /// Where the law moved it to the next business day (boxed: most claims have none, and a
    /// ledger's decisions are its largest block of memory).
    pub moved: Option<Box<MovedDue>>,
    /// Every reminder fee, earlier ones (from the journal) first.
    pub fees: Vec<ClaimFee>,
    pub interest: InterestResult,
    pub interest_until: NaiveDate,
    pub compensation: Compensation,
    /// The country whose law governs it ("SE", ... or "EU").
    pub law: &'static str,
    /// What the figures rest on that a reader should know: a rate carried forward, a fee or
    /// compensation withheld and why.
    pub notes: Vec<String>,
}

impl Claim {
    /// The due date the law counts from.
    pub fn legal_due(&self) -> NaiveDate {
        self.moved.as_ref().map_or(self.due, |m| m.to)
    }

    /// All fees on the claim.
    pub fn fees_total(&self) -> Decimal {
        self.fees.iter().map(|f| f.amount).sum()
    }

    /// The fee of the step due today.
    pub fn new_fee(&self) -> Decimal {
        self.fees.iter().filter(|f| f.new).map(|f| f.amount).sum()
    }

    /// Fees journaled before today.
    pub fn earlier_fees(&self) -> Decimal {
        self.fees.iter().filter(|f| !f.new).map(|f| f.amount).sum()
    }

    /// Principal + fees + interest + compensation.
    pub fn total(&self) -> Decimal {
        self.principal + self.fees_total() + self.interest.amount + self.compensation.amount
    }

    /// The claim line by line, for `dun explain`.
    pub fn describe(&self) -> Vec<String> {
        let currency = self.currency.map_or(String::new(), |c| format!(" {c}"));
        let mut out = vec![format!("principal {}{currency}", format_money(self.principal))];
        if let Some(m) = &self.moved {
            out.push(format!(
                "due {} is a non-business day ({}): the law moves it to {} ({}); interest, fees and compensation count from then",
                m.from, m.because, m.to, m.source
            ));
        }
        for fee in &self.fees {
            let when = if fee.new { "this reminder" } else { "reminder of" };
            out.push(format!("fee {}{currency} ({when} {})", format_money(fee.amount), fee.date));
        }
        let i = &self.interest;
        out.push(format!(
            "interest {}{currency} from {} to {} ({} days)",
            format_money(i.amount),
            self.legal_due().succ_opt().unwrap_or(self.legal_due()),
            self.interest_until,
            i.days
        ));
        for s in &i.segments {
            out.push(format!(
                "  {} – {}: {} × {} % × {} days",
                s.from,
                s.to,
                format_money(s.principal),
                s.rate.normalize(),
                s.days
            ));
        }
        let c = &self.compensation;
        if !c.gross.is_zero() {
            let fixed = c.fixed_on.map_or(String::new(), |d| format!(", fixed on {d}"));
            out.push(format!(
                "compensation {}{currency} ({} less {} of fees it offsets{fixed})",
                format_money(c.amount),
                format_money(c.gross),
                format_money(c.offset)
            ));
        }
        out.extend(self.notes.iter().cloned());
        out.push(format!("total {}{currency}", format_money(self.total())));
        out
    }
}

/// How much of a claim's working it keeps. The figures are the same either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Every interest segment and note: what `dun explain` and `dun customer` show.
    Full,
    /// The figures alone, no segment and no note: for runs over a whole ledger that show
    /// neither (`dun due`, `dun remind`, `dun collect`), so that its claims format and keep
    /// nothing per invoice beyond their amounts.
    Figures,
}

/// The claim on `invoice` on `as_of`: `open` principal, the `earlier` fees journaled on it
/// (date, amount) and `new_fee` charged by the step due today.
#[allow(clippy::too_many_arguments)] // the facts of one claim, one by one
pub fn claim(
    ledger: &Ledger,
    invoice: &Invoice,
    customer: Option<&Customer>,
    rules: &Rules,
    earlier: &[(NaiveDate, Decimal)],
    new_fee: Decimal,
    open: Decimal,
    as_of: NaiveDate,
) -> Result<Claim, RuleViolation> {
    let law = Law::of(&ledger.policy, customer, rules);
    claim_under(&law, ledger, invoice, earlier, new_fee, open, as_of, Detail::Full)
}

/// [`claim`] under the law of the invoice's customer (and its rules), worked out by the
/// caller, keeping as much of its working as `detail` says. The legal due date is worked out
/// once, for the interest, the compensation and the notes alike.
#[allow(clippy::too_many_arguments)] // the facts of one claim, one by one
pub fn claim_under(
    law: &Law<'_>,
    ledger: &Ledger,
    invoice: &Invoice,
    earlier: &[(NaiveDate, Decimal)],
    new_fee: Decimal,
    open: Decimal,
    as_of: NaiveDate,
    detail: Detail,
) -> Result<Claim, RuleViolation> {
    let full = detail == Detail::Full;
    let (legal_due, moved) = law.legal_due(invoice.due);
    let mut fees: Vec<ClaimFee> = earlier
        .iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|&(date, amount)| ClaimFee { date, amount, new: false })
        .collect();
    if !new_fee.is_zero() {
        fees.push(ClaimFee { date: as_of, amount: new_fee, new: true });
    }
    let fees_total: Decimal = fees.iter().map(|f| f.amount).sum();
    let interest = charges::interest_from(law, ledger, invoice, legal_due, as_of, full);
    let compensation = charges::compensation_from(law, ledger, invoice, legal_due, fees_total, as_of, full)?;
    let mut notes = Vec::new();
    if full {
        interest_notes(law, legal_due, &interest, as_of, &mut notes);
        notes.extend(compensation.withheld.as_deref().map(str::to_owned));
    }
    Ok(Claim {
        invoice: invoice.number().into(),
        currency: Some(invoice.currency),
        principal: open,
        due: invoice.due,
        moved: moved.map(Box::new),
        fees,
        interest,
        interest_until: as_of,
        compensation,
        law: law.pack.country,
        notes,
    })
}

/// Why the interest is what it is, where that is not plain: a rate carried forward, no
/// statutory rate for the debtor, a fixed rate capped.
fn interest_notes(
    law: &Law<'_>,
    legal_due: NaiveDate,
    interest: &InterestResult,
    as_of: NaiveDate,
    notes: &mut Vec<String>,
) {
    if as_of <= legal_due {
        return;
    }
    match law.rules.interest.mode() {
        InterestMode::Statutory if !law.has_statutory_rate() => notes.push(format!(
            "no statutory interest: {} have no statutory rate here ({}); set interest.mode = \"fixed\" with an agreed rate",
            law.pack.debtors.get(law.consumer),
            law.pack.interest.margin_source.get(law.consumer).source
        )),
        InterestMode::Statutory => {
            let first = legal_due.succ_opt().unwrap_or(legal_due);
            let missing = rules::missing_half_years(law.pack, first, as_of, &law.rate_overrides());
            if !missing.is_empty() {
                notes.push(format!(
                    "no {} known for {}: {}; set interest.reference_rates in policy.toml",
                    law.pack.interest.reference_rate_name,
                    missing.join(", "),
                    if interest.missing_rate { "counted as 0" } else { "the last known rate is carried forward" }
                ));
            }
        }
        InterestMode::Fixed => {
            if let Err(v) = law.check_fixed_rate(as_of) {
                notes.push(format!("the fixed rate is capped at the statutory rate: {v}"));
            }
        }
        InterestMode::None => {}
    }
}
