//! Letters, e-mails and SMS texts (SPEC section 9).
//!
//! Built-in Handlebars templates for every step ([`Step`]), part and language ([`LANGUAGES`])
//! are compiled into the binary from `src/letters/templates/{lang}/{step}.{part}.hbs`. They
//! hold a letter's sentences only: the layout every language shares (the A4 page, the
//! address block, the invoice table, the payment box, the totals, the e-mail frame) is in
//! `templates/partials/*.hbs`, and the labels that layout prints are the language's words,
//! `templates/{lang}/words.toml`, which the templates see as `words`.
//!
//! A user can replace any of these files by putting one with the same relative name into the
//! override directory (the ledger's `templates/` by default): `templates/sv/reminder.letter.
//! html.hbs` is overridden by `<override_dir>/sv/reminder.letter.html.hbs`, the payment box
//! of every letter by `<override_dir>/partials/letter_payment.hbs`, and single words by the
//! keys of `<override_dir>/sv/words.toml`. [`export_builtin`] writes the built-ins in exactly
//! that layout, as a starting point.
//!
//! Parts of a step: `letter.html` (printable A4 letter), `email.subject`, `email.txt`,
//! `email.html` and `sms.txt`. `.html` parts are HTML-escaped, all others are rendered
//! verbatim. Strict mode is on, so a template that names a variable the data lacks fails
//! instead of printing an empty string.
//!
//! The data is a `serde_json::Value`; [`LetterData`] documents it and is the easy way to
//! build it. Money is a plain decimal string (`"1234.50"`), dates are `"YYYY-MM-DD"`; the
//! helpers in [`helpers`] format both for the letter's language.

pub mod compose;
pub mod eml;
pub mod helpers;
mod in_place;
pub mod layout;
pub mod pdf;

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::NaiveDate;
use handlebars::{Handlebars, RenderError, RenderErrorReason, TemplateError};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

/// The languages with built-in templates. Any other language renders in English.
pub const LANGUAGES: [&str; 5] = ["sv", "nb", "da", "fi", "en"];

/// Used when a customer's language has no templates.
const FALLBACK_LANGUAGE: &str = "en";

// ---------------------------------------------------------------------------------------------
// Steps, channels, parts
// ---------------------------------------------------------------------------------------------

/// The dunning step a letter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// A payment reminder (påminnelse, purring, rykker, maksumuistutus).
    Reminder,
    /// The notice that the claim has been handed over to debt collection.
    Collection,
    /// The written confirmation of an agreed payment plan.
    Plan,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::Reminder, Step::Collection, Step::Plan];

    /// The name used in template file names and in the template data (`step`).
    pub fn name(self) -> &'static str {
        match self {
            Step::Reminder => "reminder",
            Step::Collection => "collection",
            Step::Plan => "plan",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Step {
    type Err = LetterError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Step::ALL.into_iter().find(|step| step.name().eq_ignore_ascii_case(text.trim())).ok_or_else(|| {
            LetterError::UnknownName {
                kind: "step",
                value: text.to_string(),
                expected: "reminder, collection or plan",
            }
        })
    }
}

/// How a letter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A printable A4 HTML letter.
    Letter,
    /// An e-mail with subject, plain-text and HTML body.
    Email,
    /// A short plain-text SMS.
    Sms,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Letter, Channel::Email, Channel::Sms];

    /// The name used on the command line, in the policy and in the journal.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Letter => "letter",
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    /// The template parts this channel is made of.
    fn parts(self) -> &'static [Part] {
        match self {
            Channel::Letter => &[Part::LetterHtml],
            Channel::Email => &[Part::EmailSubject, Part::EmailText, Part::EmailHtml],
            Channel::Sms => &[Part::SmsText],
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Channel {
    type Err = LetterError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        // "e-mail" and "mail" are what people type.
        let text = match text.to_ascii_lowercase().as_str() {
            "e-mail" | "mail" => "email",
            _ => text,
        };
        Channel::ALL.into_iter().find(|channel| channel.name().eq_ignore_ascii_case(text)).ok_or_else(|| {
            LetterError::UnknownName {
                kind: "channel",
                value: text.to_string(),
                expected: "letter, email or sms",
            }
        })
    }
}

/// One template file of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    LetterHtml,
    EmailSubject,
    EmailText,
    EmailHtml,
    SmsText,
}

impl Part {
    const ALL: [Part; 5] =
        [Part::LetterHtml, Part::EmailSubject, Part::EmailText, Part::EmailHtml, Part::SmsText];

    fn name(self) -> &'static str {
        match self {
            Part::LetterHtml => "letter.html",
            Part::EmailSubject => "email.subject",
            Part::EmailText => "email.txt",
            Part::EmailHtml => "email.html",
            Part::SmsText => "sms.txt",
        }
    }

    /// HTML parts are escaped; text parts must show `Fisk & Co` as written.
    fn is_html(self) -> bool {
        matches!(self, Part::LetterHtml | Part::EmailHtml)
    }
}

/// The name of a built-in template, e.g. `templates/sv/reminder.letter.html.hbs`.
fn template_name(language: &str, step: Step, part: Part) -> String {
    format!("templates/{language}/{}.{}.hbs", step.name(), part.name())
}

/// Maps a language tag to one with templates: `sv-SE` → `sv`, `no`/`nn` → `nb`, and anything
/// unknown → `en`.
pub fn resolve_language(language: &str) -> &'static str {
    let primary = language.trim().split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase();
    let primary = match primary.as_str() {
        "no" | "nn" => "nb",
        other => other,
    };
    LANGUAGES.into_iter().find(|known| *known == primary).unwrap_or(FALLBACK_LANGUAGE)
}

// ---------------------------------------------------------------------------------------------
// Built-in templates
// ---------------------------------------------------------------------------------------------

macro_rules! builtin {
    ($lang:literal, $step:literal, $part:literal) => {
        (
            concat!("templates/", $lang, "/", $step, ".", $part, ".hbs"),
            include_str!(concat!("templates/", $lang, "/", $step, ".", $part, ".hbs")),
        )
    };
}

macro_rules! builtins_of_step {
    ($lang:literal, $step:literal) => {
        [
            builtin!($lang, $step, "letter.html"),
            builtin!($lang, $step, "email.subject"),
            builtin!($lang, $step, "email.txt"),
            builtin!($lang, $step, "email.html"),
            builtin!($lang, $step, "sms.txt"),
        ]
    };
}

macro_rules! builtins_of_language {
    ($lang:literal) => {
        [
            builtins_of_step!($lang, "reminder"),
            builtins_of_step!($lang, "collection"),
            builtins_of_step!($lang, "plan"),
        ]
    };
}

/// `(name, source)` of every built-in template, by language, step and part.
static BUILTINS: [[[(&str, &str); 5]; 3]; 5] = [
    builtins_of_language!("sv"),
    builtins_of_language!("nb"),
    builtins_of_language!("da"),
    builtins_of_language!("fi"),
    builtins_of_language!("en"),
];

macro_rules! partial {
    ($name:literal) => {
        (
            concat!("templates/partials/", $name, ".hbs"),
            include_str!(concat!("templates/partials/", $name, ".hbs")),
        )
    };
}

/// The layout every language shares, as Handlebars partials (`{{> letter_payment}}`).
static PARTIALS: [(&str, &str); 17] = [
    partial!("letter_page"),
    partial!("letter_address"),
    partial!("letter_invoices"),
    partial!("letter_payment"),
    partial!("letter_totals"),
    partial!("letter_installments"),
    partial!("letter_closing"),
    partial!("email_page"),
    partial!("email_invoices"),
    partial!("email_payment"),
    partial!("email_totals"),
    partial!("email_installments"),
    partial!("text_invoices"),
    partial!("text_payment"),
    partial!("text_totals"),
    partial!("text_installments"),
    partial!("text_closing"),
];

macro_rules! words {
    ($lang:literal) => {
        (
            concat!("templates/", $lang, "/words.toml"),
            include_str!(concat!("templates/", $lang, "/words.toml")),
        )
    };
}

/// The labels the shared layout prints, per language.
static WORDS: [(&str, &str); 5] = [words!("sv"), words!("nb"), words!("da"), words!("fi"), words!("en")];

fn builtins() -> impl Iterator<Item = (&'static str, &'static str)> {
    BUILTINS.iter().flatten().flatten().copied().chain(PARTIALS.iter().copied()).chain(WORDS.iter().copied())
}

/// The names of all built-in templates, partials and word lists, e.g.
/// `templates/sv/reminder.letter.html.hbs`, `templates/partials/letter_page.hbs`,
/// `templates/sv/words.toml`.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    builtins().map(|(name, _)| name)
}

/// The source of a built-in template, by its name.
pub fn builtin_source(name: &str) -> Option<&'static str> {
    builtins().find(|(known, _)| *known == name).map(|(_, source)| source)
}

/// Writes every built-in template into `dir` in the override layout (`dir/sv/reminder.
/// letter.html.hbs`, …), creating directories as needed, and returns the files written.
///
/// Refuses to overwrite: if any target file already exists, nothing is written and the error
/// names the first such file.
pub fn export_builtin(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let targets: Vec<(PathBuf, &str)> =
        builtins().map(|(name, source)| (dir.join(relative_name(name)), source)).collect();
    if let Some((existing, _)) = targets.iter().find(|(path, _)| path.symlink_metadata().is_ok()) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists; not overwriting any template", existing.display()),
        ));
    }
    let mut written = Vec::with_capacity(targets.len());
    for (path, source) in targets {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        // create_new: a file that appeared since the check above is still not overwritten.
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        io::Write::write_all(&mut file, source.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// `templates/sv/x.hbs` → `sv/x.hbs`: the path below the templates directory.
fn relative_name(name: &str) -> &str {
    name.strip_prefix("templates/").unwrap_or(name)
}

// ---------------------------------------------------------------------------------------------
// Template data
// ---------------------------------------------------------------------------------------------

/// The data every template is rendered with. The caller fills it and passes
/// [`LetterData::to_value`] to [`Letters::render`] (a hand-built `serde_json::Value` with the
/// same shape works too).
///
/// Money serialises as a plain decimal string (`"1234.50"`), dates as `"YYYY-MM-DD"`, and
/// `Option`s as `null`; every key is always present, so strict mode can tell a typo in a
/// template from an empty value.
#[derive(Debug, Clone, Serialize)]
pub struct LetterData {
    /// `"reminder"`, `"collection"` or `"plan"`.
    pub step: Step,
    /// 1 for the first reminder, 2 for the second, …; the number of reminders sent so far for
    /// a collection notice or plan.
    pub step_number: u32,
    /// `sv`, `nb`, `da`, `fi` or `en` (set by [`Letters::render`] to the language it renders).
    pub language: String,
    /// ISO 4217 code of all amounts in the letter, e.g. `"SEK"`.
    pub currency: String,
    pub company: Company,
    pub customer: Customer,
    /// The customer's invoices this letter is about.
    pub invoices: Vec<InvoiceLine>,
    /// Reminder fees on the letter's claims (earlier reminders' and this letter's), if any;
    /// `legal.new_fee` is this letter's.
    pub fee: Option<Decimal>,
    /// Late-payment interest up to `as_of`, all invoices together, if any.
    pub interest: Option<Decimal>,
    /// Fixed B2B compensation for recovery costs (förseningsersättning, standardkompensasjon,
    /// kompensationsbeløb, vakiokorvaus), if charged.
    pub compensation: Option<Decimal>,
    /// What the customer is asked to pay: open amounts + fee + interest + compensation (for a
    /// plan: the total of the installments).
    pub total: Decimal,
    /// The legal facts the letter may state (see [`Legal`]).
    pub legal: Legal,
    /// The deadline given in the letter.
    pub pay_by: NaiveDate,
    /// The date of the letter.
    pub as_of: NaiveDate,
    /// Payment reference for paying the whole letter at once; `None` → the customer quotes each
    /// invoice's own reference or number.
    pub reference: Option<String>,
    /// The scheme `reference` is valid under, naming it in every language: `ocr`, `kid`, `fik`,
    /// `viite`, `rf`, or `none` (a key of `words.reference`).
    pub reference_scheme: String,
    /// Where this debtor can pay.
    pub payment: Payment,
    /// Whether the letter warns that the claim goes to debt collection if unpaid (Norway:
    /// inkassovarsel per inkassoloven § 9; Denmark: inkassoloven § 10).
    pub collection_warning: bool,
    /// Name of the collection agency, if known.
    pub agency: Option<String>,
    /// The installments of a payment plan; empty for other steps.
    pub installments: Vec<Installment>,
}

impl LetterData {
    /// The JSON value the templates see.
    pub fn to_value(&self) -> Value {
        // Serialising plain strings, numbers, decimals and dates cannot fail.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The creditor, as shown in the sender block, the payment details and the footer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Company {
    pub name: String,
    pub org_no: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub bankgiro: Option<String>,
    pub plusgiro: Option<String>,
    pub iban: Option<String>,
    pub bic: Option<String>,
    /// A domestic account number (Norwegian kontonummer, Danish reg.nr. + kontonr., …).
    pub account: Option<String>,
    /// Which register's number `org_no` is, by the company's country: `SE`, `NO`, `DK`, `FI`
    /// or `other` (a key of `words.org_no`).
    pub org_scheme: String,
}

/// The payment details a letter prints.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Payment {
    /// In the order printed.
    pub details: Vec<PaymentDetail>,
}

/// One account or payment detail, e.g. `{kind: "bankgiro", value: "5050-1055"}`.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentDetail {
    /// A key of `words.account`: `bankgiro`, `plusgiro`, `account_SE` (`_NO`, `_DK`, `_FI`,
    /// `_other`: a domestic account, named by its bank's country), `iban`, `bic`.
    pub kind: String,
    pub value: String,
}

/// The debtor, as shown in the address block.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    /// Contact person, printed as "Att:" / "Attn:" line and used in the greeting.
    pub contact: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// ISO 3166 alpha-2; printed as the last address line when it differs from the company's.
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `"business"` or `"consumer"`.
    pub kind: String,
    /// Whom the letter greets: the contact person, or a consumer's own name; `None` → the
    /// template's neutral greeting.
    pub greeting_name: Option<String>,
    /// The address below name and contact, in the order of the customer's country, with the
    /// country's name when it is abroad ([`layout::postal_lines`]).
    pub address_lines: Vec<String>,
}

/// One invoice in a letter.
#[derive(Debug, Clone, Serialize)]
pub struct InvoiceLine {
    pub number: String,
    pub issued: NaiveDate,
    pub due: NaiveDate,
    /// Original amount.
    pub amount: Decimal,
    /// What is still open after part payments and credit notes.
    pub open: Decimal,
    pub days_overdue: i64,
    /// The invoice's own payment reference (OCR / KID / FIK / viitenumero / RF).
    pub reference: Option<String>,
    /// The scheme of `reference` (a key of `words.reference`), as for the letter's reference.
    pub reference_scheme: String,
    pub description: Option<String>,
    /// Late-payment interest on this invoice up to `as_of`.
    pub interest: Option<Decimal>,
    /// Reminder fee attributed to this invoice.
    pub fee: Option<Decimal>,
}

/// What the law that governs the letter's claims says, as facts a template states only where
/// they hold (a "14 days" sentence only when the deadline really is 14 days away).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Legal {
    /// The country whose law governs the claims (`SE`, `NO`, `DK`, `FI`, or `EU`).
    pub country: String,
    /// Days from the letter's date to its deadline.
    pub deadline_days: i64,
    /// Set when the letter is the statutory warning of collection the governing law asks the
    /// creditor for (Norway inkassoloven § 9 until the new inkassolov, Denmark § 10) and its
    /// deadline meets the law's minimum.
    pub collection_notice: Option<CollectionNotice>,
    /// The fee this letter charges, if any (`fee` includes earlier reminders' fees).
    pub new_fee: Option<Decimal>,
    /// Due dates the law moved from a weekend or holiday.
    pub moved_due: Vec<MovedDue>,
}

/// A statutory warning of collection.
#[derive(Debug, Clone, Serialize)]
pub struct CollectionNotice {
    /// E.g. `inkassoloven § 9`.
    pub statute: String,
    /// The least deadline it must give, in days; the letter's is at least this.
    pub min_days: i64,
}

/// A due date the law moved to the next business day.
#[derive(Debug, Clone, Serialize)]
pub struct MovedDue {
    pub invoice_due: NaiveDate,
    pub legal_due: NaiveDate,
    pub statute: String,
}

/// One installment of a payment plan.
#[derive(Debug, Clone, Serialize)]
pub struct Installment {
    pub number: u32,
    pub due: NaiveDate,
    pub amount: Decimal,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// What can go wrong while loading or rendering templates or building an e-mail.
#[derive(Debug, thiserror::Error)]
pub enum LetterError {
    /// A template failed to parse or render.
    #[error("{template}{}: {reason}", position(*.line, *.column))]
    Template {
        /// The built-in name (`templates/sv/reminder.letter.html.hbs`) or the override file.
        template: String,
        line: Option<usize>,
        column: Option<usize>,
        reason: String,
    },
    /// A file in the override directory does not replace any built-in template.
    #[error(
        "{}: not a known template name (expected <language>/<step>.<part>.hbs, e.g. \
         sv/reminder.letter.html.hbs; languages: sv nb da fi en; steps: reminder collection \
         plan; parts: letter.html email.subject email.txt email.html sms.txt; or \
         <language>/words.toml, or partials/<name>.hbs as `dun templates list` shows)",
        path.display()
    )]
    UnknownOverride { path: PathBuf },
    /// Reading the override directory failed.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// The template data is not usable (e.g. not a JSON object).
    #[error("template data: {0}")]
    Data(String),
    /// A `.eml` could not be built (e.g. an invalid address).
    #[error("e-mail: {0}")]
    Email(String),
    /// A step or channel name that does not exist.
    #[error("unknown {kind} {value:?} (expected {expected})")]
    UnknownName { kind: &'static str, value: String, expected: &'static str },
}

fn position(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/// What one channel produced. Letter → `html`; Email → `subject`, `text` and `html`;
/// Sms → `text`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

/// The loaded templates: built-ins, with the user's overrides applied.
pub struct Letters {
    /// Templates whose output is HTML: values are escaped.
    html: Handlebars<'static>,
    /// Plain-text templates (subject, text e-mail, SMS): values are written as they are.
    text: Handlebars<'static>,
    /// Every language's words (`words.toml`), the user's keys over the built-in ones.
    words: HashMap<&'static str, Value>,
    /// Where each template came from, for error messages: its name, or the override file.
    origins: HashMap<String, String>,
}

impl fmt::Debug for Letters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Letters").field("origins", &self.origins).finish_non_exhaustive()
    }
}

/// What a built-in file is, by its name.
enum FileKind<'a> {
    /// A step's part in one language, e.g. `templates/sv/reminder.letter.html.hbs`.
    Step(Part),
    /// A shared layout piece, e.g. `templates/partials/letter_page.hbs` → `letter_page`.
    Partial(&'a str),
    /// A language's words, e.g. `templates/sv/words.toml` → `sv`.
    Words(&'static str),
}

fn file_kind(name: &str) -> Option<FileKind<'_>> {
    if let Some(partial) = name.strip_prefix("templates/partials/").and_then(|n| n.strip_suffix(".hbs")) {
        return Some(FileKind::Partial(partial));
    }
    if let Some(language) = name.strip_prefix("templates/").and_then(|n| n.strip_suffix("/words.toml")) {
        return LANGUAGES.into_iter().find(|known| *known == language).map(FileKind::Words);
    }
    part_of(name).map(FileKind::Step)
}

impl Letters {
    /// Loads the built-in templates, then every `*.hbs` and `words.toml` file under
    /// `override_dir` (when the directory exists) in place of the built-in with the same
    /// relative name.
    pub fn new(override_dir: Option<&Path>) -> Result<Letters, LetterError> {
        let mut letters = Letters::load(override_dir)?;
        // Once every template is known: partial calls rendered without copying the data.
        in_place::rewrite(&mut letters.html);
        in_place::rewrite(&mut letters.text);
        Ok(letters)
    }

    /// [`Letters::new`] with every partial left to Handlebars: what the rewritten templates
    /// must render exactly like.
    #[cfg(test)]
    fn as_handlebars(override_dir: Option<&Path>) -> Result<Letters, LetterError> {
        Letters::load(override_dir)
    }

    fn load(override_dir: Option<&Path>) -> Result<Letters, LetterError> {
        let mut letters = Letters {
            html: new_registry(true),
            text: new_registry(false),
            words: HashMap::new(),
            origins: HashMap::new(),
        };
        for (name, source) in builtins() {
            letters.register(name, source, name.to_string())?;
        }
        if let Some(dir) = override_dir {
            letters.load_overrides(dir)?;
        }
        Ok(letters)
    }

    /// Renders the parts of `channel` for `step` in `language` (unknown → English).
    ///
    /// The data's `language` is set to the language actually rendered, so that the helpers
    /// format money and dates to match the text around them, and `words` to its words.
    pub fn render(
        &self,
        step: Step,
        channel: Channel,
        language: &str,
        data: &Value,
    ) -> Result<Rendered, LetterError> {
        let mut all = self.render_channels(step, &[channel], language, data.clone())?;
        Ok(all.pop().unwrap_or_default())
    }

    /// [`Letters::render`] of one letter on several channels, in the order given, from data
    /// the caller hands over: the templates' context is made once for the letter, not once
    /// per channel and part (each a deep copy of the data and the words).
    pub fn render_channels(
        &self,
        step: Step,
        channels: &[Channel],
        language: &str,
        data: Value,
    ) -> Result<Vec<Rendered>, LetterError> {
        let language = resolve_language(language);
        let context = handlebars::Context::from(with_language(data, language, self.words.get(language))?);
        let mut all = Vec::with_capacity(channels.len());
        for &channel in channels {
            let mut rendered = Rendered::default();
            for &part in channel.parts() {
                let output = self.render_part(&template_name(language, step, part), part, &context)?;
                match part {
                    Part::EmailSubject => rendered.subject = Some(single_line(&output)),
                    Part::EmailText => rendered.text = Some(tidy_text(&output)),
                    Part::SmsText => rendered.text = Some(sms_text(&output)),
                    // The comments and inline-partial definitions before the page leave blank
                    // lines.
                    Part::LetterHtml | Part::EmailHtml => {
                        rendered.html = Some(trim_start_owned(output));
                    }
                }
            }
            all.push(rendered);
        }
        Ok(all)
    }

    fn registry(&self, part: Part) -> &Handlebars<'static> {
        if part.is_html() { &self.html } else { &self.text }
    }

    fn render_part(
        &self,
        name: &str,
        part: Part,
        context: &handlebars::Context,
    ) -> Result<String, LetterError> {
        self.registry(part)
            .render_with_context(name, context)
            .map_err(|error| self.render_error(name, &error))
    }

    /// Compiles `source` as template `name` into the registry its part needs, a partial into
    /// both, and merges a words file into its language's words.
    fn register(&mut self, name: &str, source: &str, origin: String) -> Result<(), LetterError> {
        match file_kind(name).ok_or_else(|| LetterError::Data(format!("bad name {name}")))? {
            FileKind::Step(part) => {
                let registry = if part.is_html() { &mut self.html } else { &mut self.text };
                registry
                    .register_template_string(name, source)
                    .map_err(|error| template_error(&origin, &error))?;
                self.origins.insert(name.to_string(), origin);
            }
            FileKind::Partial(partial) => {
                for registry in [&mut self.html, &mut self.text] {
                    registry
                        .register_partial(partial, source)
                        .map_err(|error| template_error(&origin, &error))?;
                }
                self.origins.insert(partial.to_string(), origin);
            }
            FileKind::Words(language) => {
                let words = parse_words(source, &origin)?;
                match self.words.get_mut(language) {
                    None => {
                        self.words.insert(language, words);
                    }
                    Some(known) => merge_words(known, words, &origin, "")?,
                }
            }
        }
        Ok(())
    }

    fn load_overrides(&mut self, dir: &Path) -> Result<(), LetterError> {
        let io_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| LetterError::Io { path, source }
        };
        match fs::metadata(dir) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(io_error(dir)(error)),
            Ok(meta) if !meta.is_dir() => {
                let error = io::Error::new(io::ErrorKind::InvalidInput, "not a directory");
                return Err(io_error(dir)(error));
            }
            Ok(_) => {}
        }
        for file in template_files(dir)? {
            let relative = relative_slash_path(dir, &file);
            let name = format!("templates/{relative}");
            if builtin_source(&name).is_none() {
                return Err(LetterError::UnknownOverride { path: file });
            }
            let source = fs::read_to_string(&file).map_err(io_error(&file))?;
            self.register(&name, &source, file.display().to_string())?;
        }
        Ok(())
    }

    fn render_error(&self, name: &str, error: &RenderError) -> LetterError {
        let template = error.template_name.as_deref().unwrap_or(name);
        let origin = self.origins.get(template).map_or(template, String::as_str);
        let mut reason = match error.reason() {
            RenderErrorReason::MissingVariable(Some(path)) => {
                format!("variable `{path}` is missing from the template data")
            }
            RenderErrorReason::TemplateError(inner) => return template_error(origin, inner),
            other => other.to_string(),
        };
        if template != name {
            // The error is in a shared partial: say which letter was being rendered too.
            let letter = self.origins.get(name).map_or(name, String::as_str);
            reason.push_str(&format!(" (rendering {letter})"));
        }
        LetterError::Template {
            template: origin.to_string(),
            line: error.line_no,
            column: error.column_no,
            reason,
        }
    }
}

/// A `words.toml` as a JSON object of strings (and tables of strings).
fn parse_words(source: &str, origin: &str) -> Result<Value, LetterError> {
    let table: toml::Table = source.parse().map_err(|error: toml::de::Error| {
        let (line, column) = error.span().map(|span| line_column(source, span.start)).unzip();
        LetterError::Template {
            template: origin.to_string(),
            line,
            column,
            reason: error.message().to_string(),
        }
    })?;
    let value = serde_json::to_value(table).map_err(|e| LetterError::Data(format!("{origin}: {e}")))?;
    check_words(&value, origin, "")?;
    Ok(value)
}

/// Words are text: a number or a list where a label belongs is a mistake.
fn check_words(value: &Value, origin: &str, prefix: &str) -> Result<(), LetterError> {
    let Value::Object(fields) = value else { return Ok(()) };
    for (key, word) in fields {
        match word {
            Value::String(_) => {}
            Value::Object(_) => check_words(word, origin, &format!("{prefix}{key}."))?,
            other => return Err(words_error(origin, format!("`{prefix}{key}` must be text, not {other}"))),
        }
    }
    Ok(())
}

/// The user's words over the built-in ones, key by key; a key the built-ins do not have is a
/// typo (`pay_bu`) and an error, since the layout would never print it.
fn merge_words(known: &mut Value, user: Value, origin: &str, prefix: &str) -> Result<(), LetterError> {
    let (Value::Object(known), Value::Object(user)) = (known, user) else { return Ok(()) };
    for (key, word) in user {
        let path = format!("{prefix}{key}");
        let Some(slot) = known.get_mut(&key) else {
            let mut names: Vec<&String> = known.keys().collect();
            names.sort();
            let names = names.iter().map(|n| format!("{prefix}{n}")).collect::<Vec<_>>().join(", ");
            return Err(words_error(origin, format!("unknown word `{path}` (known: {names})")));
        };
        match (slot.is_object(), word.is_object()) {
            (true, true) => merge_words(slot, word, origin, &format!("{path}."))?,
            (false, false) => *slot = word,
            _ => {
                return Err(words_error(
                    origin,
                    format!("`{path}` must be a {}", if slot.is_object() { "table" } else { "text" }),
                ));
            }
        }
    }
    Ok(())
}

fn words_error(origin: &str, reason: String) -> LetterError {
    LetterError::Template { template: origin.to_string(), line: None, column: None, reason }
}

/// 1-based line and column of a byte offset.
fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |rest| rest.chars().count()) + 1;
    (line, column)
}

fn new_registry(html: bool) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    if !html {
        registry.register_escape_fn(handlebars::no_escape);
    }
    helpers::register(&mut registry);
    in_place::register(&mut registry);
    registry
}

fn template_error(origin: &str, error: &TemplateError) -> LetterError {
    let (line, column) = error.pos().unzip();
    LetterError::Template { template: origin.to_string(), line, column, reason: error.reason().to_string() }
}

/// The part a template name ends in, e.g. `….letter.html.hbs` → `LetterHtml`.
fn part_of(name: &str) -> Option<Part> {
    let stem = name.strip_suffix(".hbs")?;
    Part::ALL.into_iter().find(|part| stem.ends_with(&format!(".{}", part.name())))
}

/// All `*.hbs` and `*.toml` files below `dir`, sorted so that errors are reported in a stable
/// order.
fn template_files(dir: &Path) -> Result<Vec<PathBuf>, LetterError> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries =
            fs::read_dir(&current).map_err(|source| LetterError::Io { path: current.clone(), source })?;
        for entry in entries {
            let entry = entry.map_err(|source| LetterError::Io { path: current.clone(), source })?;
            let path = entry.path();
            // file_type() does not follow symbolic links, so a link loop cannot trap the walk.
            let is_dir = entry.file_type().is_ok_and(|kind| kind.is_dir());
            if is_dir {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "hbs" || ext == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `file` relative to `dir`, with `/` separators on every platform.
fn relative_slash_path(dir: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(dir).unwrap_or(file);
    relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The data with `language` set to the one being rendered and `words` to its words.
fn with_language(data: Value, language: &str, words: Option<&Value>) -> Result<Value, LetterError> {
    let Value::Object(mut fields) = data else {
        return Err(LetterError::Data("must be a JSON object".into()));
    };
    fields.insert("language".into(), Value::String(language.into()));
    fields.insert("words".into(), words.cloned().unwrap_or(Value::Null));
    Ok(Value::Object(fields))
}

/// `text` without its leading whitespace, reusing its buffer.
fn trim_start_owned(mut text: String) -> String {
    let blank = text.len() - text.trim_start().len();
    text.drain(..blank);
    text
}

/// A subject is one header line: line breaks in the data must not start a new header.
/// (ASCII whitespace only: the no-break spaces in `1 234,50 kr` stay.)
fn single_line(text: &str) -> String {
    text.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// An SMS: line ends trimmed and blank lines dropped, since every character counts, but line
/// breaks a template writes on purpose are kept.
fn sms_text(text: &str) -> String {
    text.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("\n")
}

/// Plain-text e-mail: no trailing spaces, at most one blank line in a row, one final newline.
fn tidy_text(text: &str) -> String {
    let mut tidy = String::with_capacity(text.len());
    let mut blank_run = 0;
    for line in text.trim().lines().map(str::trim_end) {
        blank_run = if line.is_empty() { blank_run + 1 } else { 0 };
        if blank_run <= 1 {
            tidy.push_str(line);
            tidy.push('\n');
        }
    }
    tidy
}

#[cfg(test)]
mod tests;
