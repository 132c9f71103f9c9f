//! Which columns each ledger file has: the canonical names, the header names that mean them
//! (Swedish, Norwegian, Danish, Finnish and English exports), which are required, and how a
//! file's header is mapped onto them.

use crate::core::policy::{ColumnTable, Policy};
use crate::io::columns::{FileKind, header_key};

/// A canonical column and the header names that mean it. Names are matched by their
/// [`header_key`], so `invoice_date` here also reads `InvoiceDate`, `Invoice date` and
/// `INVOICE-DATE`.
pub struct ColumnSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec { name, aliases, required }
}

/// A customer's number as exports name it: the `id` of customers.csv and the `customer` of
/// invoices.csv.
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
    "debitornummer",
    "debitor_nr",
    // An export that nests the customer in the invoice (read for invoices.csv; harmless in
    // customers.csv).
    "customer.customerNumber",
];

/// The columns of `customers.csv`, in the order `CustomerRow` keeps them.
pub const CUSTOMER_COLUMNS: &[ColumnSpec] = &[
    col("id", CUSTOMER_ID, true),
    col(
        "name",
        &[
            "namn",
            "navn",
            "kundnamn",
            "kundenavn",
            "nimi",
            "customer_name",
            "företag",
            "firma",
            "company_name",
        ],
        true,
    ),
    col("kind", &["type", "typ", "customer_kind", "tyyppi", "customer_type", "kundtyp"], false),
    col(
        "org_no",
        &[
            "orgnr",
            "organisationsnummer",
            "organisasjonsnummer",
            "organisation_number",
            "organization_number",
            "org_number",
            "corporate_identity_number",
            "corporate_identification_number",
            "cvr",
            "cvr_nr",
            "cvr_nummer",
            "y_tunnus",
            "personnummer",
            "person_no",
            "id_number",
            "registration_no",
        ],
        false,
    ),
    col("country", &["land", "maa", "country_code", "landskod", "landkode", "country_id", "maakoodi"], false),
    col("language", &["språk", "sprog", "kieli", "lang"], false),
    col("email", &["e_post", "e_mail", "mail", "sähköposti", "e_postadress", "email_address"], false),
    col(
        "phone",
        &[
            "telefon",
            "tlf",
            "puhelin",
            "telefonnummer",
            "tel",
            "phone1",
            "telephone",
            "phone_number",
            "telefonnr",
        ],
        false,
    ),
    col(
        "address",
        &[
            "adress",
            "adresse",
            "osoite",
            "gatuadress",
            "street",
            "address1",
            "street_address",
            "katuosoite",
            "gateadresse",
        ],
        false,
    ),
    col(
        "postcode",
        &["postnummer", "postnr", "postinumero", "zip", "zip_code", "postal_code", "post_code"],
        false,
    ),
    col("city", &["ort", "poststed", "by", "postort", "postitoimipaikka", "kaupunki", "town"], false),
    col("contact", &["kontakt", "kontaktperson", "yhteyshenkilö", "contact_person"], false),
    col("credit_limit", &["kreditgräns", "kredittgrense", "kreditgrænse", "luottoraja", "limit"], false),
    col("segment", &["kundgrupp", "kundegruppe", "asiakasryhmä"], false),
    col(
        "mobile",
        &["mobil", "mobiltelefon", "mobilnummer", "mobilnr", "mobile_phone", "phone2", "matkapuhelin", "gsm"],
        false,
    ),
];

/// The columns of `invoices.csv`, in the order `invoice_row` reads them.
pub const INVOICE_COLUMNS: &[ColumnSpec] = &[
    col(
        "number",
        &[
            "fakturanummer",
            "fakturanr",
            "invoice",
            "invoice_no",
            "invoice_number",
            "laskunumero",
            "laskunro",
            "document_number",
            "booked_invoice_number",
        ],
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
            "invoice_due_date",
        ],
        false,
    ),
    col(
        "amount",
        &[
            "belopp",
            "beløp",
            "beløb",
            "total",
            "summa",
            "totalt",
            "amount_incl_vat",
            "total_amount",
            "gross_amount",
            "gross",
        ],
        true,
    ),
    col(
        "paid",
        &["betalt", "innbetalt", "inbetalt", "indbetalt", "maksettu", "paid_amount", "amount_paid"],
        false,
    ),
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
            "remaining_amount",
            "amount_outstanding",
            "remainder",
            "open_amount",
        ],
        false,
    ),
    col("currency", &["valuta", "valuutta", "currency_code", "currency_id"], false),
    col(
        "reference",
        &[
            "ocr",
            "kid",
            "fik",
            "referens",
            "viite",
            "viitenumero",
            "ocr_nummer",
            "payment_reference",
            "payment_reference_number",
            "kid_nummer",
        ],
        false,
    ),
    col("paid_on", &["betaldatum", "betalingsdato", "betalt_dato", "maksupäivä", "paid_date"], false),
    col("credits", &["krediterar", "krediterer", "krediterer_faktura", "hyvittää", "credit_for"], false),
    col("description", &["beskrivning", "beskrivelse", "kuvaus", "text", "tekst", "specification"], false),
    // Flags and fees some systems export; see `invoice_row`.
    col(
        "void",
        &[
            "cancelled",
            "canceled",
            "voided",
            "makulerad",
            "makulert",
            "annulleret",
            "annullert",
            "is_cancelled",
        ],
        false,
    ),
    col("settled", &["is_paid", "fully_paid", "slutbetald"], false),
    col(
        "credit_note",
        &["is_credit_invoice", "is_credit_note", "kreditnota", "kreditfaktura", "hyvityslasku"],
        false,
    ),
    col("fees", &["late_fees"], false),
    // An early-payment discount of the invoice's own (else the customer's `terms.discount_*`).
    col("discount_until", &["discount_date", "kassarabatt_till", "rabatt_till", "skonto_until"], false),
    col("discount_amount", &["discount", "kassarabatt", "kontantrabatt", "skonto"], false),
    col("discount_percent", &["discount_pct", "kassarabatt_procent", "skonto_percent"], false),
];

pub const PAYMENT_COLUMNS: &[ColumnSpec] = &[
    col("date", &["datum", "dato", "päivämäärä", "pvm", "payment_date", "betaldatum", "betalingsdato"], true),
    col(
        "invoice",
        &[
            "faktura",
            "fakturanr",
            "fakturanummer",
            "number",
            "invoice_no",
            "invoice_number",
            "lasku",
            "laskunumero",
        ],
        false,
    ),
    col("amount", &["belopp", "beløp", "beløb", "summa"], true),
    col("reference", &["referens", "ocr", "kid", "fik", "viite", "viitenumero"], false),
    // Written by `dun import` / `dun assign`; optional, after the four columns of SPEC §3.
    col("transaction_id", &["txid", "transaktions_id", "bank_reference"], false),
    col("source", &["källa", "kilde", "lähde", "file"], false),
    col("matched_by", &[], false),
    // A negative amount is refused unless this says yes: a payment returned or reversed,
    // which opens again what it paid.
    col(
        "reversal",
        &["reversed", "återföring", "återförd", "tilbakeføring", "tilbageførsel", "palautus", "peruutus"],
        false,
    ),
];

/// How many of [`PAYMENT_COLUMNS`] `dun import` writes (and adds to a header lacking them);
/// `reversal` is the user's.
pub const PAYMENT_COLUMNS_WRITTEN: usize = 7;

/// Positions of the canonical columns in a file's header, in the order of `specs` (for the
/// files `dun` owns: a missing required column or two meaning one are errors).
pub fn map_columns(specs: &[ColumnSpec], names: &[String]) -> Result<Vec<Option<usize>>, String> {
    let mut index: Vec<Option<usize>> = vec![None; specs.len()];
    for (pos, name) in names.iter().enumerate() {
        let key = header_key(name);
        let Some(which) = specs
            .iter()
            .position(|s| header_key(s.name) == key || s.aliases.iter().any(|a| header_key(a) == key))
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

/// The policy's `[columns.<file>]` for a ledger file.
pub fn policy_table(policy: &Policy, kind: FileKind) -> Option<&ColumnTable> {
    let c = &policy.file.columns;
    match kind {
        FileKind::Customers => c.customers.as_ref(),
        FileKind::Invoices => c.invoices.as_ref(),
        FileKind::Payments => c.payments.as_ref(),
    }
}

/// The columns of a ledger file.
pub fn specs_of(kind: FileKind) -> &'static [ColumnSpec] {
    match kind {
        FileKind::Customers => CUSTOMER_COLUMNS,
        FileKind::Invoices => INVOICE_COLUMNS,
        FileKind::Payments => PAYMENT_COLUMNS,
    }
}
