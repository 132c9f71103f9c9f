//! The credit policy (`policy.toml`, SPEC §5): its schema, its defaults, and segment overrides.
//!
//! Every table is a struct of `Option`s so that a segment can override any key of it; the
//! defaults live in one accessor per key. `deny_unknown_fields` everywhere: a typo must not
//! silently disable a rule, and the toml crate names the key, line and column.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;

use super::model::{Currency, LANGUAGES};
use super::money::{AmountError, MAX_AMOUNT, parse_amount};
use super::rules::DayCount;

/// Declares a policy table whose every key may be overridden by a segment.
macro_rules! overridable {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, Deserialize, PartialEq)]
        #[serde(deny_unknown_fields)]
        pub struct $name { $($(#[$fmeta])* pub $field: Option<$ty>,)* }

        impl $name {
            /// This table with every key `over` sets taking precedence.
            pub fn overlay(&self, over: &Self) -> Self {
                Self { $($field: over.$field.clone().or_else(|| self.$field.clone()),)* }
            }
        }
    };
}

/// An amount written in the policy: a string (`"60"`, `"1 234,50"`) or a whole number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Money(pub Decimal);

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match AmountOrWord::deserialize(d)? {
            AmountOrWord::Int(n) => whole_amount(n).map(Money).map_err(D::Error::custom),
            AmountOrWord::Text(t) => {
                parse_amount(&t).map(Money).map_err(|e| D::Error::custom(format!("\"{t}\" {e}")))
            }
            AmountOrWord::Float(f) => Err(D::Error::custom(format!(
                "write amounts as strings, e.g. \"{f}\": a TOML float is not exact"
            ))),
        }
    }
}

/// A whole number written as an amount, within the bound every amount read has.
fn whole_amount(n: i64) -> Result<Decimal, String> {
    let amount = Decimal::from(n);
    if amount.abs() >= MAX_AMOUNT { Err(format!("{n} {}", AmountError::TooLarge)) } else { Ok(amount) }
}

/// The largest yearly interest rate, in percent, a policy may name: past it a rate is a typo
/// (`800` for `8.00`), and with amounts at their bound interest would grow past what a
/// `Decimal` holds. Reference rates may be negative (the Riksbank's was) down to its opposite.
pub const MAX_RATE_PERCENT: Decimal = Decimal::ONE_HUNDRED;

#[derive(Deserialize)]
#[serde(untagged)]
enum AmountOrWord {
    Int(i64),
    Float(f64),
    Text(String),
}

/// A charge that is either a fixed amount or "whatever the law of the country allows".
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Charge {
    Amount(Decimal),
    Statutory,
}

impl<'de> Deserialize<'de> for Charge {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match AmountOrWord::deserialize(d)? {
            AmountOrWord::Text(t) if t.trim().eq_ignore_ascii_case("statutory") => Ok(Charge::Statutory),
            AmountOrWord::Int(n) => whole_amount(n).map(Charge::Amount).map_err(D::Error::custom),
            AmountOrWord::Text(t) => parse_amount(&t)
                .map(Charge::Amount)
                .map_err(|e| D::Error::custom(format!("\"{t}\" {e}; or write \"statutory\""))),
            AmountOrWord::Float(f) => Err(D::Error::custom(format!(
                "write amounts as strings, e.g. \"{f}\": a TOML float is not exact"
            ))),
        }
    }
}

/// A date written in the policy: a TOML date (`2026-07-01`) or a string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PolicyDate(pub NaiveDate);

impl<'de> Deserialize<'de> for PolicyDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let text = match toml::Value::deserialize(d)? {
            toml::Value::Datetime(dt) => dt.to_string(),
            toml::Value::String(s) => s,
            other => return Err(D::Error::custom(format!("expected a date, found {other}"))),
        };
        crate::core::date::parse_date(&text)
            .map(PolicyDate)
            .map_err(|e| D::Error::custom(format!("\"{text}\" {e}")))
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub name: Option<String>,
    pub org_no: Option<String>,
    pub country: Option<String>,
    pub currency: Option<String>,
    pub language: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub bankgiro: Option<String>,
    pub plusgiro: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub account: Option<String>,
    /// Further payment details, one set per currency (`[[company.accounts]]`): what a letter in
    /// that currency prints (see `core::account`).
    pub accounts: Option<Vec<CompanyAccount>>,
}

/// One `[[company.accounts]]`: the details that take payments in `currency`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CompanyAccount {
    pub currency: String,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub bankgiro: Option<String>,
    pub plusgiro: Option<String>,
    pub account: Option<String>,
}

overridable! {
    pub struct Terms {
        payment_days: u32,
        /// Early-payment discount: paying `discount_percent` % less within this many days of
        /// the invoice date settles it in full (for invoices without their own `discount_*`).
        discount_days: u32,
        discount_percent: Money,
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Aging {
    pub buckets: Option<Vec<u32>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Letter,
    Sms,
}

impl Channel {
    pub fn name(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Letter => "letter",
            Channel::Sms => "sms",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReferenceScheme {
    Ocr,
    Kid,
    Fik,
    Viite,
    Rf,
    None,
}

impl ReferenceScheme {
    /// The kind of reference the scheme generates and validates; none for `none`.
    pub fn kind(self) -> Option<super::reference::RefKind> {
        use super::reference::RefKind;
        match self {
            ReferenceScheme::Ocr => Some(RefKind::Ocr),
            ReferenceScheme::Kid => Some(RefKind::Kid),
            ReferenceScheme::Fik => Some(RefKind::Fik),
            ReferenceScheme::Viite => Some(RefKind::Viite),
            ReferenceScheme::Rf => Some(RefKind::Rf),
            ReferenceScheme::None => None,
        }
    }
}

overridable! {
    pub struct Reminder {
        after_days: u32,
        pay_within_days: u32,
        max: u32,
        interval_days: u32,
        fee: Charge,
        fee_agreed: bool,
        min_amount: Money,
        channels: Vec<Channel>,
        reference: ReferenceScheme,
        payments_max_age_days: u32,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InterestMode {
    Statutory,
    Fixed,
    None,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateFrom {
    pub from: PolicyDate,
    pub rate: Money,
}

overridable! {
    pub struct Interest {
        mode: InterestMode,
        rate: Money,
        reference_rates: Vec<RateFrom>,
        day_count: DayCount,
    }
}

overridable! {
    pub struct Collection {
        after_days: u32,
        min_amount: Money,
        agency: String,
        compensation: Charge,
    }
}

overridable! {
    pub struct Credit {
        default_limit: Money,
        new_customer_check_over: Money,
        watch_late_days_increase: u32,
    }
}

/// `[segments.NAME]`: any overridable table, plus `manual` for call-instead-of-letter customers.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub manual: Option<bool>,
    #[serde(default)]
    pub terms: Terms,
    #[serde(default)]
    pub reminder: Reminder,
    #[serde(default)]
    pub interest: Interest,
    #[serde(default)]
    pub collection: Collection,
    #[serde(default)]
    pub credit: Credit,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Templates {
    pub dir: Option<String>,
}

/// How one CSV file is read, beside its columns: `[import.csv]` for a bank's export, and
/// `[columns.customers]`, `[columns.invoices]`, `[columns.payments]` for the ledger's files.
/// One shape for all of them: the options below, and any other key is one of `dun`'s columns
/// set to the file's header for it (`amount = "Belopp inkl. moms"`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ColumnTable {
    /// `;`, `,`, `|` or `tab`; else sniffed from the header line.
    pub delimiter: Option<u8>,
    /// `,` or `.`; else decided per value.
    pub decimal: Option<char>,
    /// A chrono format such as `%d.%m.%Y`; else the usual Nordic formats.
    pub date_format: Option<String>,
    /// Amounts are whole öre / øre / cents (`187550` is 1 875,50).
    pub minor_units: Option<bool>,
    /// Forces the text encoding; else UTF-8 when the bytes are, Windows-1252 otherwise.
    pub encoding: Option<TextEncoding>,
    /// Headers of the file that `dun` must not read and need not warn about.
    pub ignore: Vec<String>,
    /// A preset by name, or `"none"` to read the file by its headers alone.
    pub preset: Option<String>,
    /// Bank CSV: a row whose value in this column is empty is pending, not booked.
    pub pending_if_empty: Option<String>,
    /// Our column → the file's header.
    pub columns: Vec<(String, String)>,
}

/// An encoding a CSV file may be forced to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// Windows-1252, which covers ISO-8859-1 and -15 for the Nordic letters.
    Windows1252,
}

impl ColumnTable {
    /// The file's header for one of our columns, if the table names it.
    pub fn header_for(&self, column: &str) -> Option<&str> {
        self.columns.iter().find(|(ours, _)| ours == column).map(|(_, theirs)| theirs.as_str())
    }
}

impl<'de> Deserialize<'de> for ColumnTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let raw = toml::Table::deserialize(d)?;
        let mut table = ColumnTable::default();
        let text = |key: &str, value: &toml::Value| -> Result<String, D::Error> {
            value.as_str().map(str::to_owned).ok_or_else(|| {
                D::Error::custom(format!("`{key}`: expected a string (the file's header), found {value}"))
            })
        };
        for (key, value) in &raw {
            match key.as_str() {
                "delimiter" => {
                    let d = text(key, value)?;
                    table.delimiter = Some(match d.as_str() {
                        "\t" | "\\t" | "tab" | "TAB" => b'\t',
                        one if one.len() == 1 && one.is_ascii() && !matches!(one, "\"" | "\r" | "\n") => {
                            one.as_bytes()[0]
                        }
                        _ => {
                            return Err(D::Error::custom(format!(
                                "delimiter = {d:?}: write one character, e.g. \";\", or \"tab\""
                            )));
                        }
                    });
                }
                "decimal" => {
                    let d = text(key, value)?;
                    table.decimal = Some(match d.as_str() {
                        "," => ',',
                        "." => '.',
                        _ => return Err(D::Error::custom(format!("decimal = {d:?}: write \",\" or \".\""))),
                    });
                }
                "date_format" => table.date_format = Some(text(key, value)?),
                "minor_units" => {
                    table.minor_units = Some(value.as_bool().ok_or_else(|| {
                        D::Error::custom(format!("minor_units = {value}: write true or false"))
                    })?);
                }
                "encoding" => {
                    let e = text(key, value)?;
                    let folded = e.to_ascii_lowercase().replace(['-', '_', ' '], "");
                    table.encoding = Some(match folded.as_str() {
                        "utf8" => TextEncoding::Utf8,
                        "windows1252" | "cp1252" | "iso88591" | "latin1" | "iso885915" | "latin9" => {
                            TextEncoding::Windows1252
                        }
                        _ => {
                            return Err(D::Error::custom(format!(
                                "encoding = {e:?}: write \"utf-8\" or \"windows-1252\" (also for ISO-8859-1 and -15)"
                            )));
                        }
                    });
                }
                "ignore" => {
                    let list = value.as_array().ok_or_else(|| {
                        D::Error::custom("ignore: expected a list of headers, e.g. [\"Moms\", \"Netto\"]")
                    })?;
                    for item in list {
                        table.ignore.push(text(key, item)?);
                    }
                }
                "preset" => table.preset = Some(text(key, value)?),
                "pending_if_empty" => table.pending_if_empty = Some(text(key, value)?),
                _ => table.columns.push((key.clone(), text(key, value)?)),
            }
        }
        Ok(table)
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Import {
    pub csv: Option<ColumnTable>,
}

/// `[columns.*]`: how the ledger's own files are read when their headers are not ones `dun`
/// knows (see [`ColumnTable`]).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub customers: Option<ColumnTable>,
    pub invoices: Option<ColumnTable>,
    pub payments: Option<ColumnTable>,
}

/// A dated exchange rate: 1 `from` = `rate` `to` on `date` (`law.exchange_rates`), used to
/// check a statutory cap in another currency than the invoice's.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    pub date: PolicyDate,
    pub from: String,
    pub to: String,
    pub rate: Money,
}

/// `[law]`: what the law needs from the user: exchange rates for caps in another currency,
/// and the in-force dates of acts adopted but not yet dated.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LawSettings {
    pub exchange_rates: Option<Vec<ExchangeRate>>,
    /// Norway's new inkassolov (LOV-2026-05-22-19); default: 2027-01-01, as signalled.
    pub no_inkassolov_in_force: Option<PolicyDate>,
}

/// The whole file as written.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyFile {
    #[serde(default)]
    pub company: Company,
    #[serde(default)]
    pub terms: Terms,
    #[serde(default)]
    pub aging: Aging,
    #[serde(default)]
    pub reminder: Reminder,
    #[serde(default)]
    pub interest: Interest,
    #[serde(default)]
    pub collection: Collection,
    #[serde(default)]
    pub credit: Credit,
    #[serde(default)]
    pub law: LawSettings,
    #[serde(default)]
    pub segments: BTreeMap<String, Segment>,
    #[serde(default)]
    pub templates: Templates,
    #[serde(default)]
    pub import: Import,
    #[serde(default)]
    pub columns: Columns,
    #[serde(default)]
    pub output: OutputSettings,
    /// `[delivery]`: how `dun send` delivers what was composed (`core::delivery`).
    #[serde(default)]
    pub delivery: super::delivery::Delivery,
}

/// `[output]`: how the command outputs meant for spreadsheets are written by default.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutputSettings {
    /// The CSV dialect when the command line names none.
    pub csv_dialect: Option<CsvDialect>,
}

/// How CSV output is written. `standard`: `,`, `.` decimals, LF, no byte-order mark (RFC 4180,
/// for scripts). `nordic`: what Excel in Swedish, Norwegian, Danish and Finnish opens as
/// columns of numbers: `;`, decimal comma, CRLF, a UTF-8 byte-order mark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CsvDialect {
    #[default]
    Standard,
    Nordic,
}

impl CsvDialect {
    pub const NAMES: [&str; 2] = ["standard", "nordic"];

    pub fn from_name(name: &str) -> Option<CsvDialect> {
        match name {
            "standard" => Some(CsvDialect::Standard),
            "nordic" => Some(CsvDialect::Nordic),
            _ => None,
        }
    }
}

/// A policy that has been read and checked: required keys present, values consistent.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub file: PolicyFile,
    pub company_name: String,
    pub country: String,
    pub currency: Currency,
    pub language: String,
    pub buckets: Vec<u32>,
}

/// The rules that apply to one customer: the base tables with its segment's overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct Rules {
    pub segment: Option<String>,
    pub manual: bool,
    pub terms: Terms,
    pub reminder: Reminder,
    pub interest: Interest,
    pub collection: Collection,
    pub credit: Credit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyError(pub String);

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolicyError {}

pub const DEFAULT_BUCKETS: [u32; 3] = [30, 60, 90];

impl Policy {
    /// Parses and checks `policy.toml`'s text. Errors name the key and, where the toml crate
    /// knows it, the line and column.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| PolicyError(e.to_string().trim_end().to_owned()))?;
        Policy::check(file)
    }

    fn check(file: PolicyFile) -> Result<Policy, PolicyError> {
        let missing = |key: &str| {
            PolicyError(format!("[company] is missing the required key `{key}` (see policy.example.toml)"))
        };
        let company_name = file.company.name.clone().ok_or_else(|| missing("name"))?;
        let country_text = file.company.country.clone().ok_or_else(|| missing("country"))?;
        let currency_text = file.company.currency.clone().ok_or_else(|| missing("currency"))?;
        let country = check_country(&country_text).ok_or_else(|| {
            PolicyError(format!(
                "company.country: \"{country_text}\" is not an ISO 3166 alpha-2 code like SE, NO, DK or FI"
            ))
        })?;
        let currency = Currency::parse(&currency_text).ok_or_else(|| {
            PolicyError(format!("company.currency: \"{currency_text}\" is not an ISO 4217 code like SEK"))
        })?;
        let language = match &file.company.language {
            Some(lang) => check_language(lang).ok_or_else(|| {
                PolicyError(format!("company.language: \"{lang}\" is not one of sv, nb, da, fi, en"))
            })?,
            None => super::model::default_language(&country).to_owned(),
        };
        let buckets = file.aging.buckets.clone().unwrap_or_else(|| DEFAULT_BUCKETS.to_vec());
        if buckets.is_empty() || buckets[0] == 0 || buckets.windows(2).any(|w| w[0] >= w[1]) {
            return Err(PolicyError(format!(
                "aging.buckets: {buckets:?} must be positive day counts in increasing order, e.g. [30, 60, 90]"
            )));
        }
        for (i, x) in file.law.exchange_rates.iter().flatten().enumerate() {
            let codes = [&x.from, &x.to].map(|c| Currency::parse(c));
            if codes.iter().any(Option::is_none) || codes[0] == codes[1] || x.rate.0 <= Decimal::ZERO {
                return Err(PolicyError(format!(
                    "law.exchange_rates[{i}]: {{ from = \"{}\", to = \"{}\", rate = \"{}\" }} needs two different ISO 4217 codes and a positive rate, e.g. {{ date = 2026-11-02, from = \"EUR\", to = \"SEK\", rate = \"11.05\" }}",
                    x.from, x.to, x.rate.0
                )));
            }
        }
        file.delivery.check().map_err(PolicyError)?;
        let policy = Policy { file, company_name, country, currency, language, buckets };
        for (name, segment) in &policy.file.segments {
            policy.check_rules(&policy.rules_for_segment(name, segment), Some(name))?;
        }
        policy.check_rules(&policy.base_rules(), None)?;
        Ok(policy)
    }

    fn check_rules(&self, rules: &Rules, segment: Option<&str>) -> Result<(), PolicyError> {
        let at = |key: &str| match segment {
            Some(s) => format!("segments.{s}.{key}"),
            None => key.to_owned(),
        };
        let pct = rules.terms.discount_percent.map(|m| m.0);
        if pct.is_some_and(|p| p <= Decimal::ZERO || p >= Decimal::ONE_HUNDRED)
            || pct.is_some() != rules.terms.discount_days.is_some()
        {
            return Err(PolicyError(format!(
                "{}: an early-payment discount needs both discount_days (e.g. 10) and discount_percent between 0 and 100 (e.g. \"2\")",
                at("terms.discount_percent")
            )));
        }
        let rate_error = |key: String, rate: Decimal, low: &str| {
            PolicyError(format!(
                "{key}: \"{rate}\" is not a yearly interest rate in percent from {low} to {MAX_RATE_PERCENT} (e.g. \"8\")"
            ))
        };
        if let Some(rate) =
            rules.interest.rate.map(|r| r.0).filter(|r| r.is_sign_negative() || *r > MAX_RATE_PERCENT)
        {
            return Err(rate_error(at("interest.rate"), rate, "0"));
        }
        for (i, from) in rules.interest.reference_rates.iter().flatten().enumerate() {
            if from.rate.0.abs() > MAX_RATE_PERCENT {
                let key = at(&format!("interest.reference_rates[{i}].rate"));
                return Err(rate_error(key, from.rate.0, &format!("-{MAX_RATE_PERCENT}")));
            }
        }
        if rules.reminder.max() > 1 && rules.reminder.interval_days() == 0 {
            return Err(PolicyError(format!(
                "{}: must be at least 1 when reminder.max is above 1",
                at("reminder.interval_days")
            )));
        }
        if rules.interest.mode() == InterestMode::Fixed && rules.interest.rate.is_none() {
            return Err(PolicyError(format!(
                "{}: interest.mode = \"fixed\" needs a yearly rate, e.g. rate = \"12.0\"",
                at("interest.rate")
            )));
        }
        Ok(())
    }

    pub fn base_rules(&self) -> Rules {
        let f = &self.file;
        Rules {
            segment: None,
            manual: false,
            terms: f.terms.clone(),
            reminder: f.reminder.clone(),
            interest: f.interest.clone(),
            collection: f.collection.clone(),
            credit: f.credit.clone(),
        }
    }

    fn rules_for_segment(&self, name: &str, s: &Segment) -> Rules {
        let f = &self.file;
        Rules {
            segment: Some(name.to_owned()),
            manual: s.manual.unwrap_or(false),
            terms: f.terms.overlay(&s.terms),
            reminder: f.reminder.overlay(&s.reminder),
            interest: f.interest.overlay(&s.interest),
            collection: f.collection.overlay(&s.collection),
            credit: f.credit.overlay(&s.credit),
        }
    }

    /// The rules for a customer in `segment`; an unknown segment name is `None`.
    pub fn rules(&self, segment: Option<&str>) -> Option<Rules> {
        match segment {
            None => Some(self.base_rules()),
            Some(name) => {
                let found = self.file.segments.get(name)?;
                Some(self.rules_for_segment(name, found))
            }
        }
    }

    /// The payment terms for a customer in `segment` (base terms for none or an unknown one),
    /// without building the whole [`Rules`]: asked once per customer of the register.
    /// The early-payment discount of a segment's terms: (days from the invoice date, %).
    pub fn discount_terms(&self, segment: Option<&str>) -> Option<(u32, Decimal)> {
        let terms = match segment.and_then(|name| self.file.segments.get(name)) {
            Some(s) => self.file.terms.overlay(&s.terms),
            None => self.file.terms.clone(),
        };
        terms.discount()
    }

    pub fn payment_days(&self, segment: Option<&str>) -> u32 {
        match segment.and_then(|name| self.file.segments.get(name)) {
            Some(s) => self.file.terms.overlay(&s.terms).payment_days(),
            None => self.file.terms.payment_days(),
        }
    }

    /// Units of `to` one unit of `from` is worth on `on`, by the newest rate in
    /// `law.exchange_rates` dated on or before it (written either way round), with its date.
    pub fn exchange_rate(&self, from: &str, to: &str, on: NaiveDate) -> Option<(Decimal, NaiveDate)> {
        let mut best: Option<(Decimal, NaiveDate)> = None;
        for x in self.file.law.exchange_rates.iter().flatten().filter(|x| x.date.0 <= on) {
            let rate = if x.from.eq_ignore_ascii_case(from) && x.to.eq_ignore_ascii_case(to) {
                x.rate.0
            } else if x.from.eq_ignore_ascii_case(to) && x.to.eq_ignore_ascii_case(from) {
                match Decimal::ONE.checked_div(x.rate.0) {
                    Some(inverse) => inverse,
                    None => continue,
                }
            } else {
                continue;
            };
            if best.is_none_or(|(_, date)| x.date.0 >= date) {
                best = Some((rate, x.date.0));
            }
        }
        best
    }

    pub fn has_segment(&self, name: &str) -> bool {
        self.file.segments.contains_key(name)
    }

    pub fn bucket_labels(&self) -> Vec<String> {
        bucket_labels(&self.buckets)
    }
}

/// `not_due`, `1-30`, `31-60`, `61-90`, `91+` for bounds `[30, 60, 90]`.
pub fn bucket_labels(bounds: &[u32]) -> Vec<String> {
    let mut labels = vec!["not_due".to_owned()];
    let mut low = 1;
    for &high in bounds {
        labels.push(format!("{low}-{high}"));
        low = high + 1;
    }
    labels.push(format!("{low}+"));
    labels
}

fn check_country(text: &str) -> Option<String> {
    let t = text.trim();
    (t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic())).then(|| t.to_ascii_uppercase())
}

pub fn check_language(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_lowercase();
    let t = if t == "no" || t == "nob" { "nb".to_owned() } else { t };
    LANGUAGES.contains(&t.as_str()).then_some(t)
}

impl Terms {
    pub fn payment_days(&self) -> u32 {
        self.payment_days.unwrap_or(30)
    }

    /// (days, %) when both are set.
    pub fn discount(&self) -> Option<(u32, Decimal)> {
        Some((self.discount_days?, self.discount_percent?.0))
    }
}

impl Reminder {
    pub fn after_days(&self) -> u32 {
        self.after_days.unwrap_or(7)
    }
    pub fn pay_within_days(&self) -> u32 {
        self.pay_within_days.unwrap_or(10)
    }
    pub fn max(&self) -> u32 {
        self.max.unwrap_or(1)
    }
    pub fn interval_days(&self) -> u32 {
        self.interval_days.unwrap_or(10)
    }
    /// No fee unless the policy names one: a fee needs the customer's prior agreement.
    pub fn fee(&self) -> Charge {
        self.fee.unwrap_or(Charge::Amount(Decimal::ZERO))
    }
    /// A fee named in the policy is taken to be agreed (SPEC §5: `false` means no fee may be
    /// charged); where the law needs an agreement, `fee_agreed = false` says there is none.
    pub fn fee_agreed(&self) -> bool {
        self.fee_agreed.unwrap_or(true)
    }
    pub fn min_amount(&self) -> Decimal {
        self.min_amount.map_or(Decimal::from(50), |m| m.0)
    }
    pub fn channels(&self) -> Vec<Channel> {
        self.channels.clone().unwrap_or_else(|| vec![Channel::Email, Channel::Letter])
    }
    pub fn reference(&self) -> ReferenceScheme {
        self.reference.unwrap_or(ReferenceScheme::None)
    }
}

impl Interest {
    pub fn mode(&self) -> InterestMode {
        self.mode.unwrap_or(InterestMode::Statutory)
    }
}

impl Collection {
    pub fn after_days(&self) -> u32 {
        self.after_days.unwrap_or(10)
    }
    pub fn min_amount(&self) -> Decimal {
        self.min_amount.map_or(Decimal::from(200), |m| m.0)
    }
    pub fn compensation(&self) -> Charge {
        self.compensation.unwrap_or(Charge::Statutory)
    }
}

impl Credit {
    pub fn default_limit(&self) -> Option<Decimal> {
        self.default_limit.map(|m| m.0)
    }
    pub fn new_customer_check_over(&self) -> Option<Decimal> {
        self.new_customer_check_over.map(|m| m.0)
    }
    pub fn watch_late_days_increase(&self) -> u32 {
        self.watch_late_days_increase.unwrap_or(10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "[company]\nname = \"Test AB\"\ncountry = \"se\"\ncurrency = \"sek\"\n";

    #[test]
    fn minimal_policy_gets_defaults() {
        let p = Policy::from_toml(MINIMAL).unwrap();
        assert_eq!(p.country, "SE");
        assert_eq!(p.currency.as_str(), "SEK");
        assert_eq!(p.language, "sv");
        assert_eq!(p.bucket_labels(), ["not_due", "1-30", "31-60", "61-90", "91+"]);
        let r = p.base_rules();
        assert_eq!(r.reminder.after_days(), 7);
        assert_eq!(r.reminder.max(), 1);
        assert_eq!(r.reminder.fee(), Charge::Amount(Decimal::ZERO));
        assert_eq!(r.terms.payment_days(), 30);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = format!("{MINIMAL}[reminder]\naftr_days = 7\n");
        let err = Policy::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("aftr_days"), "{err}");
        assert!(err.contains("line 6"), "{err}");
    }

    #[test]
    fn missing_required_key_is_named() {
        let err = Policy::from_toml("[company]\nname = \"X\"\ncountry = \"SE\"\n").unwrap_err();
        assert!(err.to_string().contains("`currency`"), "{err}");
    }

    #[test]
    fn segment_overrides_only_what_it_sets() {
        let text = format!(
            "{MINIMAL}[reminder]\nafter_days = 5\nfee = \"60\"\n[segments.key.reminder]\nafter_days = 14\n[segments.kommun]\nmanual = true\n"
        );
        let p = Policy::from_toml(&text).unwrap();
        let key = p.rules(Some("key")).unwrap();
        assert_eq!(key.reminder.after_days(), 14);
        assert_eq!(key.reminder.fee(), Charge::Amount(Decimal::from(60)));
        assert!(!key.manual);
        assert!(p.rules(Some("kommun")).unwrap().manual);
        assert!(p.rules(Some("nope")).is_none());
    }

    #[test]
    fn typo_inside_a_segment_is_caught() {
        let text = format!("{MINIMAL}[segments.key.reminder]\nafterdays = 14\n");
        let err = Policy::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("afterdays") && err.contains("line 6"), "{err}");
    }

    #[test]
    fn money_must_be_exact() {
        let text = format!("{MINIMAL}[reminder]\nmin_amount = 50.5\n");
        let err = Policy::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("not exact"), "{err}");
        let text = format!("{MINIMAL}[reminder]\nmin_amount = \"1 234,50\"\nfee = \"statutory\"\n");
        let p = Policy::from_toml(&text).unwrap();
        assert_eq!(p.base_rules().reminder.min_amount(), Decimal::new(123450, 2));
        assert_eq!(p.base_rules().reminder.fee(), Charge::Statutory);
    }

    #[test]
    fn interest_rates_and_whole_amounts_are_bounded() {
        let with = |extra: &str| Policy::from_toml(&format!("{MINIMAL}{extra}"));
        assert!(with("[interest]\nmode = \"fixed\"\nrate = \"100\"\n").is_ok());
        for (extra, key) in [
            ("[interest]\nmode = \"fixed\"\nrate = \"100.01\"\n", "interest.rate"),
            ("[interest]\nrate = \"-1\"\n", "interest.rate"),
            ("[segments.x.interest]\nrate = 800\n", "segments.x.interest.rate"),
            (
                "[interest]\nreference_rates = [{ from = 2026-07-01, rate = \"1.75\" }, { from = 2027-01-01, rate = \"-101\" }]\n",
                "interest.reference_rates[1].rate",
            ),
        ] {
            let err = with(extra).unwrap_err().0;
            assert!(err.starts_with(&format!("{key}: ")) && err.contains("0 to 100"), "{extra}: {err}");
        }
        assert!(with("[interest]\nreference_rates = [{ from = 2016-01-01, rate = \"-0.5\" }]\n").is_ok());
        let err = with("[reminder]\nfee = 1000000000000000\n").unwrap_err().0;
        assert!(err.contains("too large to be an amount"), "{err}");
        assert!(with("[reminder]\nfee = 999999999999999\n").is_ok());
    }

    #[test]
    fn reference_rates_take_toml_dates() {
        let text = format!(
            "{MINIMAL}[interest]\nreference_rates = [{{ from = 2026-07-01, rate = \"1.75\" }}]\nday_count = \"30/360\"\n"
        );
        let p = Policy::from_toml(&text).unwrap();
        let rates = p.file.interest.reference_rates.unwrap();
        assert_eq!(rates[0].from.0, NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(rates[0].rate.0, Decimal::new(175, 2));
    }

    #[test]
    fn exchange_rates_are_read_either_way_round_newest_first() {
        let text = format!(
            "{MINIMAL}[law]\nexchange_rates = [{{ date = 2026-10-01, from = \"EUR\", to = \"SEK\", rate = \"11.00\" }}, {{ date = 2026-11-02, from = \"SEK\", to = \"EUR\", rate = \"0.08\" }}]\nno_inkassolov_in_force = 2027-07-01\n"
        );
        let p = Policy::from_toml(&text).unwrap();
        let on = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(p.exchange_rate("EUR", "SEK", on("2026-09-30")), None);
        assert_eq!(
            p.exchange_rate("EUR", "SEK", on("2026-10-15")),
            Some((Decimal::new(1100, 2), on("2026-10-01")))
        );
        assert_eq!(
            p.exchange_rate("EUR", "SEK", on("2026-11-30")),
            Some((Decimal::new(125, 1), on("2026-11-02")))
        );
        assert_eq!(p.exchange_rate("EUR", "NOK", on("2026-11-30")), None);
        assert_eq!(p.file.law.no_inkassolov_in_force.map(|d| d.0), Some(on("2027-07-01")));
        let bad = format!(
            "{MINIMAL}[law]\nexchange_rates = [{{ date = 2026-10-01, from = \"EUR\", to = \"kr\", rate = \"11\" }}]\n"
        );
        let err = Policy::from_toml(&bad).unwrap_err().to_string();
        assert!(err.contains("law.exchange_rates[0]") && err.contains("\"kr\""), "{err}");
    }

    #[test]
    fn buckets_must_increase() {
        let text = format!("{MINIMAL}[aging]\nbuckets = [30, 30]\n");
        assert!(Policy::from_toml(&text).unwrap_err().to_string().contains("increasing"));
        let text = format!("{MINIMAL}[aging]\nbuckets = [15, 45]\n");
        let p = Policy::from_toml(&text).unwrap();
        assert_eq!(p.bucket_labels(), ["not_due", "1-15", "16-45", "46+"]);
    }
}

#[cfg(test)]
mod example {
    /// The documented example must stay a valid policy.
    #[test]
    fn policy_example_parses() {
        let text = include_str!("../../policy.example.toml");
        let p = super::Policy::from_toml(text).unwrap();
        assert_eq!(p.rules(Some("key")).unwrap().reminder.after_days(), 14);
        assert!(p.rules(Some("kommun")).unwrap().manual);
    }
}
