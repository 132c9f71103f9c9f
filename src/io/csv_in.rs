//! The ledger's CSV files, field by field: column aliases, typed fields with errors that name
//! file, line, column and the offending text, and defaults from the policy.

use std::path::Path;

use anyhow::{Result, bail};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::source::{CsvSource, Fields, normalize_header};
use crate::core::date::parse_date;
use crate::core::finding::{Finding, summarize};
use crate::core::ledger::CustomerIndex;
use crate::core::model::{
    Currency, Customer, CustomerBrief, CustomerKind, InvoiceRecord, Payment, Registered, default_language,
    language_code,
};
use crate::core::money::parse_amount;
use crate::core::policy::Policy;

/// A canonical column and the header names that mean it.
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec { name, aliases, required }
}

const CUSTOMER_ID: &[&str] = &[
    "kundnummer",
    "kundnr",
    "kundenummer",
    "kundenr",
    "customer_id",
    "customer_no",
    "customer_number",
    "asiakasnumero",
    "asiakasnro",
];

pub const CUSTOMER_COLUMNS: &[ColumnSpec] = &[
    col("id", CUSTOMER_ID, true),
    col(
        "name",
        &["namn", "navn", "kundnamn", "kundenavn", "nimi", "customer_name", "företag", "firma"],
        true,
    ),
    col("kind", &["type", "typ", "customer_kind", "tyyppi"], false),
    col(
        "org_no",
        &[
            "orgnr",
            "org_nr",
            "organisationsnummer",
            "organisasjonsnummer",
            "org_number",
            "cvr",
            "cvr_nr",
            "y_tunnus",
            "ytunnus",
            "personnummer",
            "person_no",
            "id_number",
        ],
        false,
    ),
    col("country", &["land", "maa", "country_code", "landskod"], false),
    col("language", &["språk", "sprog", "kieli", "lang"], false),
    col("email", &["e_post", "epost", "e_mail", "mail", "sähköposti", "e_postadress"], false),
    col("phone", &["telefon", "mobil", "tlf", "puhelin", "telefonnummer", "mobile", "tel"], false),
    col("address", &["adress", "adresse", "osoite", "gatuadress", "street"], false),
    col("postcode", &["postnummer", "postnr", "postinumero", "zip", "postal_code"], false),
    col("city", &["ort", "poststed", "by", "postort", "postitoimipaikka", "kaupunki", "town"], false),
    col("contact", &["kontakt", "kontaktperson", "yhteyshenkilö", "contact_person"], false),
    col("credit_limit", &["kreditgräns", "kredittgrense", "kreditgrænse", "luottoraja", "limit"], false),
    col("segment", &["segment", "kundgrupp", "kundegruppe", "asiakasryhmä"], false),
];

pub const INVOICE_COLUMNS: &[ColumnSpec] = &[
    col(
        "number",
        &["fakturanummer", "fakturanr", "invoice", "invoice_no", "invoice_number", "laskunumero", "laskunro"],
        true,
    ),
    col("customer", CUSTOMER_ID, true),
    col(
        "issued",
        &["fakturadatum", "fakturadato", "invoice_date", "laskun_pvm", "laskupäivä", "issue_date", "date"],
        true,
    ),
    col(
        "due",
        &[
            "förfallodatum",
            "forfallsdato",
            "forfaldsdato",
            "due_date",
            "eräpäivä",
            "förfallodag",
            "forfallsdag",
            "forfaldsdag",
        ],
        false,
    ),
    col("amount", &["belopp", "beløp", "beløb", "total", "summa", "totalt", "amount_incl_vat"], true),
    col("paid", &["betalt", "innbetalt", "maksettu", "paid_amount"], false),
    col(
        "balance",
        &[
            "saldo",
            "restbelopp",
            "restbeløp",
            "restbeløb",
            "utestående",
            "udestående",
            "avoin",
            "remaining",
            "outstanding",
            "open",
        ],
        false,
    ),
    col("currency", &["valuta", "valuutta"], false),
    col(
        "reference",
        &["ocr", "kid", "fik", "referens", "viite", "viitenumero", "ocr_nummer", "payment_reference"],
        false,
    ),
    col(
        "paid_on",
        &["betaldatum", "betalingsdato", "betalt_dato", "maksupäivä", "settled", "paid_date"],
        false,
    ),
    col("credits", &["krediterar", "krediterer", "krediterer_faktura", "hyvittää", "credit_for"], false),
    col("description", &["beskrivning", "beskrivelse", "kuvaus", "text", "tekst", "specification"], false),
];

pub const PAYMENT_COLUMNS: &[ColumnSpec] = &[
    col("date", &["datum", "dato", "päivämäärä", "pvm", "payment_date", "betaldatum", "betalingsdato"], true),
    col(
        "invoice",
        &["faktura", "fakturanr", "fakturanummer", "number", "invoice_no", "lasku", "laskunumero"],
        false,
    ),
    col("amount", &["belopp", "beløp", "beløb", "summa"], true),
    col("reference", &["referens", "ocr", "kid", "fik", "viite", "viitenumero"], false),
    // Written by `dun import` / `dun assign`; optional, after the four columns of SPEC §3.
    col("transaction_id", &["txid", "transaktions_id", "bank_reference"], false),
    col("source", &["källa", "kilde", "lähde", "file"], false),
    col("matched_by", &[], false),
];

/// Positions of the canonical columns in a file's header, in the order of `specs`.
pub fn map_columns(specs: &[ColumnSpec], names: &[String]) -> Result<Vec<Option<usize>>, String> {
    let mut index: Vec<Option<usize>> = vec![None; specs.len()];
    for (pos, name) in names.iter().enumerate() {
        let Some(which) = specs
            .iter()
            .position(|s| s.name == name || s.aliases.iter().any(|a| normalize_header(a) == *name))
        else {
            continue;
        };
        if let Some(first) = index[which] {
            return Err(format!(
                "columns \"{}\" and \"{}\" both mean \"{}\"; keep one",
                names[first], names[pos], specs[which].name
            ));
        }
        index[which] = Some(pos);
    }
    let missing: Vec<&str> =
        specs.iter().zip(&index).filter(|(s, i)| s.required && i.is_none()).map(|(s, _)| s.name).collect();
    if !missing.is_empty() {
        return Err(format!(
            "missing required column{} {} (found: {})",
            if missing.len() > 1 { "s" } else { "" },
            missing.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", "),
            names.join(", ")
        ));
    }
    Ok(index)
}

/// A field that failed its check; the finding is already recorded.
#[derive(Debug, Clone, Copy)]
pub struct Invalid;

/// Collects field errors for one record, naming the file, line and column.
pub struct RowCheck<'a> {
    pub file: &'a str,
    pub line: u64,
    pub findings: &'a mut Vec<Finding>,
}

impl RowCheck<'_> {
    fn fail(&mut self, column: &str, message: String) {
        self.findings.push(Finding::error(self.file, self.line, column, "bad-field", message));
    }

    pub fn text<'f>(&mut self, fields: &Fields<'f>, at: Option<usize>, column: &str) -> Option<&'f str> {
        let value = fields.get(at);
        if value.is_empty() {
            self.fail(column, "is empty".to_owned());
            return None;
        }
        Some(value)
    }

    pub fn date(&mut self, value: &str, column: &str) -> Option<NaiveDate> {
        parse_date(value).map_err(|e| self.fail(column, format!("\"{value}\" {e}"))).ok()
    }

    pub fn amount(&mut self, value: &str, column: &str) -> Option<Decimal> {
        parse_amount(value).map_err(|e| self.fail(column, format!("\"{value}\" {e}"))).ok()
    }

    pub fn optional_date(&mut self, value: &str, column: &str) -> Result<Option<NaiveDate>, Invalid> {
        if value.is_empty() { Ok(None) } else { self.date(value, column).map(Some).ok_or(Invalid) }
    }

    pub fn optional_amount(&mut self, value: &str, column: &str) -> Result<Option<Decimal>, Invalid> {
        if value.is_empty() { Ok(None) } else { self.amount(value, column).map(Some).ok_or(Invalid) }
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// What each worker of a whole-file scan collects: rows with their line, and the findings.
pub type Rows<T> = (Vec<(u64, T)>, Vec<Finding>);

/// The rows of a whole-file scan in file order, or every finding of the file as one error
/// (nothing is returned half).
pub fn gather<T>(states: Vec<Rows<T>>) -> Result<Vec<T>> {
    let mut rows = Vec::new();
    let mut findings = Vec::new();
    for (r, f) in states {
        rows.extend(r);
        findings.extend(f);
    }
    if !findings.is_empty() {
        bail!("{}", summarize(&mut findings));
    }
    rows.sort_by_key(|(line, _)| *line);
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

/// Reads `customers.csv` whole (customer registers are small). Every error of the file is
/// reported at once.
pub fn read_customers(path: &Path, display: &str, policy: &Policy) -> Result<Vec<Customer>> {
    read_customers_as(path, display, policy, |row| row.to_customer())
}

/// Reads `customers.csv` keeping `keep(customer)` of each row: every row is checked the same
/// way whatever is kept.
pub fn read_customers_as<T: Registered + Send>(
    path: &Path,
    display: &str,
    policy: &Policy,
    keep: impl Fn(&CustomerRow<'_>) -> T + Sync,
) -> Result<Vec<T>> {
    let source = CsvSource::open(path, display, |names| map_columns(CUSTOMER_COLUMNS, names))?;
    let cols = source.header.index.clone();
    let states = source.scan(
        || (Vec::new(), Vec::new()),
        |(customers, findings): &mut (Vec<T>, Vec<Finding>), fields| {
            let mut check = RowCheck { file: display, line: fields.line, findings };
            if let Some(c) = customer_row(fields, &cols, policy, &mut check) {
                customers.push(keep(&c));
            }
        },
    )?;
    let mut findings = Vec::new();
    let mut parts = Vec::with_capacity(states.len());
    for (c, f) in states {
        parts.push(c);
        findings.extend(f);
    }
    // Extend the largest part rather than copy all of them into a new vector.
    parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut parts = parts.into_iter();
    let mut customers = parts.next().unwrap_or_default();
    for p in parts {
        customers.extend(p);
    }
    customers.sort_unstable_by_key(|c| c.line());
    let mut seen = rustc_hash::FxHashMap::with_capacity_and_hasher(customers.len(), Default::default());
    for c in &customers {
        if let Some(first) = seen.insert(c.id(), c.line()) {
            findings.push(Finding::error(
                display,
                c.line(),
                "id",
                "duplicate-customer",
                format!(
                    "customer id \"{}\" appears again (first on line {first}); ids must be unique",
                    c.id()
                ),
            ));
        }
    }
    if !findings.is_empty() {
        bail!("{}", summarize(&mut findings));
    }
    Ok(customers)
}

/// A checked line of `customers.csv`, borrowing its text: what every reader of the register
/// keeps is made from this, so all of them check the same way.
pub struct CustomerRow<'f> {
    pub line: u64,
    fields: [&'f str; 14],
    pub kind: CustomerKind,
    pub country: [u8; 2],
    pub language: &'static str,
    pub credit_limit: Option<Decimal>,
}

impl CustomerRow<'_> {
    pub fn id(&self) -> &str {
        self.fields[0]
    }
    pub fn name(&self) -> &str {
        self.fields[1]
    }
    pub fn segment(&self) -> Option<&str> {
        Some(self.fields[13]).filter(|s| !s.is_empty())
    }

    pub fn to_customer(&self) -> Customer {
        let opt = |i: usize| non_empty(self.fields[i]);
        Customer {
            id: self.id().to_owned(),
            name: self.name().to_owned(),
            kind: self.kind,
            org_no: opt(3),
            country: String::from_utf8_lossy(&self.country).into_owned(),
            language: self.language.to_owned(),
            email: opt(6),
            phone: opt(7),
            address: opt(8),
            postcode: opt(9),
            city: opt(10),
            contact: opt(11),
            credit_limit: self.credit_limit,
            segment: opt(13),
            line: self.line,
        }
    }

    pub fn to_brief(&self, policy: &Policy) -> CustomerBrief {
        let days = policy.payment_days(self.segment());
        CustomerBrief::new(self.id(), self.name(), self.segment(), self.credit_limit, days, self.line)
            .with_debtor(self.country, self.kind)
    }
}

fn customer_row<'f>(
    fields: &Fields<'f>,
    cols: &[Option<usize>],
    policy: &Policy,
    check: &mut RowCheck<'_>,
) -> Option<CustomerRow<'f>> {
    let texts: [&'f str; 14] = std::array::from_fn(|i| fields.get(cols.get(i).copied().flatten()));
    let id = check.text(fields, cols[0], "id");
    let name = check.text(fields, cols[1], "name");
    let kind = CustomerKind::parse(texts[2]);
    if kind.is_none() {
        check
            .fail("kind", format!("\"{}\" is not a customer kind (expected business or consumer)", texts[2]));
    }
    let country = match texts[4].as_bytes() {
        [] => policy.country.as_bytes().try_into().ok(),
        &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => {
            check.fail(
                "country",
                format!("\"{}\" is not an ISO 3166 country code like SE, NO, DK or FI", texts[4]),
            );
            None
        }
    };
    let language = match texts[5] {
        "" => country.map(|c| default_language(std::str::from_utf8(&c).unwrap_or(""))),
        l => language_code(l).or_else(|| {
            check.fail("language", format!("\"{l}\" is not one of sv, nb, da, fi, en"));
            None
        }),
    };
    let credit_limit = check.optional_amount(texts[12], "credit_limit").ok()?;
    id?;
    name?;
    Some(CustomerRow {
        line: fields.line,
        fields: texts,
        kind: kind?,
        country: country?,
        language: language?,
        credit_limit,
    })
}

/// What an invoice row needs besides its own fields: the customers' payment terms and the
/// company's currency.
pub struct InvoiceContext<'a> {
    pub display: &'a str,
    pub customers: &'a CustomerIndex<'a>,
    pub currency: Currency,
}

/// Turns one `invoices.csv` record into a typed record, or collects why it can't.
pub fn invoice_row<'f>(
    fields: &Fields<'f>,
    cols: &[Option<usize>],
    ctx: &InvoiceContext<'_>,
    findings: &mut Vec<Finding>,
) -> Option<InvoiceRecord<'f>> {
    let mut check = RowCheck { file: ctx.display, line: fields.line, findings };
    let get = |i: usize| fields.get(cols[i]);
    let number = check.text(fields, cols[0], "number");
    let customer = check.text(fields, cols[1], "customer");
    let issued = check.text(fields, cols[2], "issued").and_then(|t| check.date(t, "issued"));
    let due = check.optional_date(get(3), "due");
    let amount = check.text(fields, cols[4], "amount").and_then(|t| check.amount(t, "amount"));
    let paid = check.optional_amount(get(5), "paid");
    let balance = check.optional_amount(get(6), "balance");
    let currency = match get(7) {
        "" => Some(ctx.currency),
        text => Currency::parse(text).or_else(|| {
            check.fail(
                "currency",
                format!("\"{text}\" is not an ISO 4217 currency code like SEK, NOK, DKK or EUR"),
            );
            None
        }),
    };
    let paid_on = check.optional_date(get(9), "paid_on");
    let (number, customer, issued, amount) = (number?, customer?, issued?, amount?);
    let (due, paid, balance, paid_on, currency) =
        (due.ok()?, paid.ok()?, balance.ok()?, paid_on.ok()?, currency?);
    let due = due.unwrap_or_else(|| {
        let days = ctx.customers.payment_days(customer);
        issued.checked_add_days(Days::new(u64::from(days))).unwrap_or(issued)
    });
    let paid = match (paid, balance) {
        (Some(p), _) => p,
        (None, Some(b)) => amount - b,
        (None, None) => Decimal::ZERO,
    };
    let optional = |i: usize| Some(get(i)).filter(|s| !s.is_empty());
    Some(InvoiceRecord {
        line: fields.line,
        number,
        customer,
        issued,
        due,
        amount,
        paid,
        balance,
        currency,
        reference: optional(8),
        paid_on,
        credits: optional(10),
        description: optional(11),
    })
}

/// Reads `payments.csv` whole; a missing file is no payments.
pub fn read_payments(path: &Path, display: &str) -> Result<Vec<Payment>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let source = CsvSource::open(path, display, |names| map_columns(PAYMENT_COLUMNS, names))?;
    let cols = source.header.index.clone();
    let states = source.scan(
        || (Vec::new(), Vec::new()),
        |(payments, findings): &mut Rows<Payment>, fields| {
            let mut check = RowCheck { file: display, line: fields.line, findings };
            let date = check.text(fields, cols[0], "date").and_then(|t| check.date(t, "date"));
            let amount = check.text(fields, cols[2], "amount").and_then(|t| check.amount(t, "amount"));
            let invoice = non_empty(fields.get(cols[1]));
            let reference = non_empty(fields.get(cols[3]));
            let transaction_id = non_empty(fields.get(cols[4]));
            let source = non_empty(fields.get(cols[5]));
            let matched_by = non_empty(fields.get(cols[6]));
            if invoice.is_none() && reference.is_none() {
                check.fail(
                    "invoice",
                    "and \"reference\" are both empty; a payment must name its invoice or its reference"
                        .to_owned(),
                );
                return;
            }
            if let (Some(date), Some(amount)) = (date, amount) {
                payments.push((
                    fields.line,
                    Payment {
                        line: fields.line,
                        date,
                        invoice,
                        amount,
                        reference,
                        transaction_id,
                        source,
                        matched_by,
                    },
                ));
            }
        },
    )?;
    gather(states)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| normalize_header(n)).collect()
    }

    #[test]
    fn maps_swedish_headers() {
        let idx = map_columns(
            INVOICE_COLUMNS,
            &names(&[
                "Fakturanr",
                "Kundnr",
                "Fakturadatum",
                "Förfallodatum",
                "Belopp",
                "Betalt",
                "Valuta",
                "OCR",
                "Okänd",
            ]),
        )
        .unwrap();
        assert_eq!(
            &idx[..9],
            &[Some(0), Some(1), Some(2), Some(3), Some(4), Some(5), None, Some(6), Some(7)]
        );
    }

    #[test]
    fn names_missing_and_doubled_columns() {
        let err = map_columns(INVOICE_COLUMNS, &names(&["number", "customer"])).unwrap_err();
        assert!(err.contains("\"issued\", \"amount\""), "{err}");
        let err =
            map_columns(INVOICE_COLUMNS, &names(&["number", "Fakturanr", "customer", "issued", "amount"]))
                .unwrap_err();
        assert!(err.contains("both mean \"number\""), "{err}");
    }
}
