//! SPEC §3 (Reading CSV): the layouts of the exports Nordic invoicing systems write, recognised
//! from the header alone, so that those files are read with no configuration.
//!
//! Each preset names the headers that identify it (its signature), which of its headers is
//! which of `dun`'s columns, the headers it carries that `dun` does not need, and how its
//! values are written. What each system means by its columns (a `Cancelled` flag, amounts in
//! øre, a balance that includes fees) is read by the generic columns the preset maps to
//! (`void`, `minor_units`, `fees`, ...), so a user's own file can use them too.
//!
//! Layouts and their sources: `docs/reference/export-formats.md`, section 1.

use super::columns::FileKind;

/// One system's layout of one file.
#[derive(Debug, PartialEq, Eq)]
pub struct Preset {
    /// The name `preset = "..."` in policy.toml chooses it by.
    pub id: &'static str,
    /// The system and file, for people.
    pub system: &'static str,
    pub kind: FileKind,
    /// Headers that must all be present for the header to be this layout.
    pub signature: &'static [&'static str],
    /// `dun`'s column → the layout's header (absent headers are skipped).
    pub columns: &'static [(&'static str, &'static str)],
    /// The layout's headers that `dun` does not read, on purpose.
    pub ignore: &'static [&'static str],
    pub decimal: Option<char>,
    pub date_format: Option<&'static str>,
    /// Amounts are whole øre / cents.
    pub minor_units: bool,
    /// When a required column is missing: why this layout lacks it, and what to export instead.
    pub missing_means: Option<&'static str>,
    /// What the preset knows, for the line that says it was recognised.
    pub knows: &'static str,
}

const fn preset(id: &'static str, system: &'static str, kind: FileKind) -> Preset {
    Preset {
        id,
        system,
        kind,
        signature: &[],
        columns: &[],
        ignore: &[],
        decimal: None,
        date_format: None,
        minor_units: false,
        missing_means: None,
        knows: "",
    }
}

use FileKind::{Customers, Invoices};

pub static PRESETS: &[Preset] = &[
    Preset {
        signature: &["CustomerNumber", "OrganisationNumber", "ZipCode", "Phone1"],
        columns: &[
            ("id", "CustomerNumber"),
            ("name", "Name"),
            ("org_no", "OrganisationNumber"),
            ("address", "Address1"),
            ("postcode", "ZipCode"),
            ("city", "City"),
            ("country", "CountryCode"),
            ("email", "Email"),
            ("phone", "Phone1"),
            ("mobile", "Phone2"),
            ("kind", "Type"),
        ],
        ignore: &["Address2"],
        knows: "Type COMPANY/PRIVATE is business/consumer; Phone1 and Phone2 are both kept, SMS goes to the mobile one",
        ..preset("fortnox-customers", "Fortnox customers", Customers)
    },
    Preset {
        signature: &["DocumentNumber", "CustomerNumber", "Total", "Balance", "Cancelled"],
        columns: &[
            ("number", "DocumentNumber"),
            ("customer", "CustomerNumber"),
            ("issued", "InvoiceDate"),
            ("due", "DueDate"),
            ("amount", "Total"),
            ("balance", "Balance"),
            ("currency", "Currency"),
            ("reference", "OCR"),
            ("void", "Cancelled"),
            ("credits", "CreditInvoiceReference"),
        ],
        ignore: &["CustomerName", "Booked", "Sent"],
        knows: "Cancelled = true is void (never counted or chased); Balance is what is owed",
        ..preset("fortnox-invoices", "Fortnox invoices", Invoices)
    },
    Preset {
        signature: &["CustomerNumber", "CorporateIdentityNumber", "InvoicePostalCode"],
        columns: &[
            ("id", "CustomerNumber"),
            ("name", "Name"),
            ("org_no", "CorporateIdentityNumber"),
            ("address", "InvoiceAddress1"),
            ("postcode", "InvoicePostalCode"),
            ("city", "InvoiceCity"),
            ("country", "InvoiceCountryCode"),
            ("email", "EmailAddress"),
            ("phone", "Telephone"),
            ("mobile", "MobilePhone"),
        ],
        ignore: &["InvoiceAddress2"],
        knows: "Telephone and MobilePhone are both kept, SMS goes to the mobile one",
        ..preset("visma-customers", "Visma eAccounting / Spiris customers", Customers)
    },
    Preset {
        signature: &["InvoiceNumber", "CustomerNumber", "TotalAmount", "RemainingAmount", "IsCreditInvoice"],
        columns: &[
            ("number", "InvoiceNumber"),
            ("customer", "CustomerNumber"),
            ("issued", "InvoiceDate"),
            ("due", "DueDate"),
            ("amount", "TotalAmount"),
            ("balance", "RemainingAmount"),
            ("currency", "CurrencyCode"),
            ("reference", "PaymentReferenceNumber"),
            ("credit_note", "IsCreditInvoice"),
        ],
        knows: "IsCreditInvoice = true is a credit note (its amounts count negative); RemainingAmount is what is owed",
        ..preset("visma-invoices", "Visma eAccounting / Spiris invoices", Invoices)
    },
    Preset {
        signature: &["Kundenummer", "Organisasjonsnummer", "Postadresse - postnummer"],
        columns: &[
            ("id", "Kundenummer"),
            ("name", "Navn"),
            ("org_no", "Organisasjonsnummer"),
            ("phone", "Telefon"),
            ("mobile", "Mobil"),
            ("email", "Epost"),
            ("address", "Postadresse - linje 1"),
            ("postcode", "Postadresse - postnummer"),
            ("city", "Postadresse - sted"),
            ("country", "Postadresse - land"),
        ],
        ignore: &["Postadresse - linje 2"],
        knows: "Telefon and Mobil are both kept, SMS goes to Mobil; the country is a name (Norge)",
        ..preset("tripletex-customers", "Tripletex customers", Customers)
    },
    Preset {
        signature: &["invoiceNumber", "invoiceDueDate", "amountOutstanding"],
        columns: &[
            ("number", "invoiceNumber"),
            ("customer", "customer.customerNumber"),
            ("issued", "invoiceDate"),
            ("due", "invoiceDueDate"),
            ("amount", "amount"),
            ("balance", "amountOutstanding"),
            ("currency", "currency"),
            ("reference", "kid"),
            ("credit_note", "isCreditNote"),
        ],
        ignore: &["id", "amountExcludingVat", "customer.name", "customer.id"],
        knows: "amountOutstanding is what is owed; isCreditNote = true is a credit note",
        ..preset("tripletex-invoices", "Tripletex invoices (API)", Invoices)
    },
    Preset {
        signature: &["INVOICE NO", "INVOICE DATE", "CUSTOMER NO", "ORDER LINE - UNIT PRICE"],
        columns: &[
            ("number", "INVOICE NO"),
            ("customer", "CUSTOMER NO"),
            ("issued", "INVOICE DATE"),
            ("due", "DUE DATE"),
            ("reference", "KID"),
            ("currency", "CURRENCY"),
        ],
        ignore: &["ORDER LINE - UNIT PRICE"],
        missing_means: Some(
            "Tripletex's opening-balance invoice import lists order lines with unit prices excluding VAT and has no invoice total incl. VAT; export the customer ledger (kundereskontro) or the invoice list instead",
        ),
        knows: "order lines, not invoice totals",
        ..preset("tripletex-opening-balance", "Tripletex opening-balance invoice import", Invoices)
    },
    Preset {
        signature: &["Navn", "Orgnr", "Adresse2", "Postnr", "Poststed", "Land", "E-post"],
        columns: &[
            ("name", "Navn"),
            ("org_no", "Orgnr"),
            ("address", "Adresse"),
            ("postcode", "Postnr"),
            ("city", "Poststed"),
            ("country", "Land"),
            ("email", "E-post"),
            ("phone", "Telefon"),
        ],
        ignore: &["Adresse2"],
        missing_means: Some(
            "Fiken's customer import layout has no customer number, which its invoices name (customer.customerNumber); export the contacts with their customerNumber, or add a column Kundenummer",
        ),
        knows: "the country is a name (Norge)",
        ..preset("fiken-customers", "Fiken customer import", Customers)
    },
    Preset {
        signature: &["contactId", "customerNumber", "organizationNumber"],
        columns: &[
            ("id", "customerNumber"),
            ("name", "name"),
            ("org_no", "organizationNumber"),
            ("email", "email"),
            ("phone", "phoneNumber"),
            ("address", "address.streetAddress"),
            ("postcode", "address.postCode"),
            ("city", "address.city"),
            ("country", "address.country"),
        ],
        ignore: &[
            "contactId",
            "supplierNumber",
            "memberNumber",
            "customer",
            "supplier",
            "inactive",
            "createdDate",
            "lastModifiedDate",
            "address.streetAddressLine2",
        ],
        knows: "customerNumber is the key its invoices name; the country is a name (Norge)",
        ..preset("fiken-contacts", "Fiken contacts (API)", Customers)
    },
    Preset {
        signature: &["invoiceNumber", "issueDate", "gross", "settled"],
        columns: &[
            ("number", "invoiceNumber"),
            ("customer", "customer.customerNumber"),
            ("issued", "issueDate"),
            ("due", "dueDate"),
            ("amount", "gross"),
            ("currency", "currency"),
            ("reference", "kid"),
            ("settled", "settled"),
        ],
        ignore: &["invoiceId", "net", "vat", "customerId", "customer.name"],
        minor_units: true,
        knows: "amounts are in øre (100 øre = 1 NOK); settled = true is paid in full, false is open",
        ..preset("fiken-invoices", "Fiken invoices (API)", Invoices)
    },
    Preset {
        signature: &["customerNumber", "corporateIdentificationNumber", "zip"],
        columns: &[
            ("id", "customerNumber"),
            ("name", "name"),
            ("org_no", "corporateIdentificationNumber"),
            ("address", "address"),
            ("postcode", "zip"),
            ("city", "city"),
            ("country", "country"),
            ("email", "email"),
            ("phone", "telephoneAndFaxNumber"),
            ("mobile", "mobilePhone"),
        ],
        ignore: &["currency", "ean", "website", "vatZone", "customerGroup"],
        knows: "the country is free text (Danmark)",
        ..preset("economic-customers", "e-conomic customers (API)", Customers)
    },
    Preset {
        signature: &["bookedInvoiceNumber", "grossAmount", "remainder"],
        columns: &[
            ("number", "bookedInvoiceNumber"),
            ("customer", "customer.customerNumber"),
            ("issued", "date"),
            ("due", "dueDate"),
            ("amount", "grossAmount"),
            ("balance", "remainder"),
            ("currency", "currency"),
        ],
        ignore: &[
            "netAmount",
            "vatAmount",
            "recipient.name",
            "recipient.address",
            "recipient.zip",
            "recipient.city",
            "recipient.country",
        ],
        knows: "grossAmount is the total (netAmount is not read); remainder is what is owed",
        ..preset("economic-invoices", "e-conomic booked invoices (API)", Invoices)
    },
    Preset {
        signature: &["contactNo", "countryId", "zipcodeText"],
        columns: &[
            ("id", "id"),
            ("name", "name"),
            ("kind", "type"),
            ("org_no", "registrationNo"),
            ("country", "countryId"),
            ("address", "street"),
            ("postcode", "zipcodeText"),
            ("city", "cityText"),
            ("phone", "phone"),
        ],
        ignore: &[
            "contactNo",
            "organizationId",
            "cityId",
            "zipcodeId",
            "stateId",
            "stateText",
            "fax",
            "currencyId",
        ],
        knows: "id is the key its invoices name (contactId); type person is a consumer",
        ..preset("billy-contacts", "Billy contacts (API)", Customers)
    },
    Preset {
        signature: &["invoiceNo", "contactId", "grossAmount", "balance", "lateFees"],
        columns: &[
            ("number", "invoiceNo"),
            ("customer", "contactId"),
            ("issued", "entryDate"),
            ("due", "dueDate"),
            ("amount", "grossAmount"),
            ("balance", "balance"),
            ("fees", "lateFees"),
            ("settled", "isPaid"),
            ("void", "state"),
            ("currency", "currencyId"),
        ],
        ignore: &["id", "amount", "tax"],
        knows: "amount is net and not read (grossAmount is the total); balance includes Billy's late fees, which are taken out; state voided or draft is void",
        ..preset("billy-invoices", "Billy invoices (API)", Invoices)
    },
];

/// One bank's layout of its CSV account export (`dun import`), recognised from the header
/// row. Layouts and their sources: `docs/reference/export-formats.md`, section 2.
#[derive(Debug, PartialEq, Eq)]
pub struct BankPreset {
    pub id: &'static str,
    pub bank: &'static str,
    /// Headers that must all be in the header row.
    pub signature: &'static [&'static str],
    /// Our bank column → the layout's header (absent headers are skipped).
    pub columns: &'static [(&'static str, &'static str)],
    pub ignore: &'static [&'static str],
    pub decimal: Option<char>,
    pub date_format: Option<&'static str>,
    /// A row whose value in this column is empty is not booked yet (DNB's `Rentedato`).
    pub pending_if_empty: Option<&'static str>,
    /// The currency when the file has no currency column but names it (OP's `Määrä EUROA`).
    pub currency: Option<&'static str>,
    /// Texts of rows that sum up payments another file lists one by one (Nordea SE's
    /// `BG INBETALNINGAR`, the day's bankgiro receipts: import the BgMax file for those).
    pub lump_sums: &'static [&'static str],
}

const fn bank(id: &'static str, name: &'static str) -> BankPreset {
    BankPreset {
        id,
        bank: name,
        signature: &[],
        columns: &[],
        ignore: &[],
        decimal: None,
        date_format: None,
        pending_if_empty: None,
        currency: None,
        lump_sums: &[],
    }
}

pub static BANK_PRESETS: &[BankPreset] = &[
    BankPreset {
        signature: &["Bokföringsdag", "Belopp", "Avsändare", "Mottagare", "Namn", "Meddelande"],
        columns: &[
            ("date", "Bokföringsdag"),
            ("amount", "Belopp"),
            ("payer", "Namn"),
            ("message", "Meddelande"),
            ("details", "Rubrik"),
            ("details", "Ytterligare detaljer"),
            ("currency", "Valuta"),
        ],
        ignore: &["Avsändare", "Mottagare", "Egna anteckningar", "Saldo"],
        lump_sums: &["BG INBETALNINGAR", "BANKGIRO INBETALNINGAR"],
        ..bank("nordea-se", "Nordea (SE)")
    },
    BankPreset {
        signature: &["Bokföringsdatum", "Valutadatum", "Verifikationsnummer", "Belopp", "Saldo"],
        columns: &[
            ("date", "Bokföringsdatum"),
            ("amount", "Belopp"),
            ("message", "Text"),
            ("message", "Text/mottagare"),
        ],
        ignore: &["Valutadatum", "Verifikationsnummer", "Saldo"],
        decimal: Some('.'),
        ..bank("seb", "SEB")
    },
    BankPreset {
        signature: &["Radnummer", "Clearingnummer", "Kontonummer", "Bokföringsdag", "Beskrivning", "Belopp"],
        columns: &[
            ("date", "Bokföringsdag"),
            ("amount", "Belopp"),
            ("reference", "Referens"),
            ("message", "Beskrivning"),
            ("currency", "Valuta"),
        ],
        ignore: &[
            "Radnummer",
            "Clearingnummer",
            "Kontonummer",
            "Produkt",
            "Transaktionsdag",
            "Valutadag",
            "Bokfört saldo",
        ],
        decimal: Some('.'),
        ..bank("swedbank", "Swedbank")
    },
    BankPreset {
        signature: &["Dato", "Beskrivelse", "Rentedato", "Inn", "Ut", "Til konto", "Fra konto"],
        columns: &[("date", "Dato"), ("message", "Beskrivelse"), ("credit", "Inn"), ("debit", "Ut")],
        ignore: &["Rentedato", "Til konto", "Fra konto"],
        date_format: Some("%d.%m.%Y"),
        ..bank("sparebank1", "SpareBank 1")
    },
    BankPreset {
        signature: &["Dato", "Forklaring", "Rentedato", "Ut fra konto", "Inn på konto"],
        columns: &[
            ("date", "Dato"),
            ("message", "Forklaring"),
            ("credit", "Inn på konto"),
            ("debit", "Ut fra konto"),
        ],
        ignore: &["Rentedato"],
        decimal: Some('.'),
        date_format: Some("%d.%m.%Y"),
        pending_if_empty: Some("Rentedato"),
        ..bank("dnb", "DNB")
    },
    BankPreset {
        signature: &["Dato", "Tekst", "Beløp", "Saldo", "Status", "Avstemt"],
        columns: &[("date", "Dato"), ("message", "Tekst"), ("amount", "Beløp"), ("status", "Status")],
        ignore: &["Saldo", "Avstemt", "Kategori", "Underkategori"],
        decimal: Some(','),
        date_format: Some("%d.%m.%Y"),
        ..bank("danske-no", "Danske Bank (NO)")
    },
    BankPreset {
        signature: &["Date", "Text", "Amount", "Balance", "Status", "Reconciled"],
        columns: &[("date", "Date"), ("message", "Text"), ("amount", "Amount"), ("status", "Status")],
        ignore: &["Balance", "Reconciled", "Category", "Subcategory"],
        decimal: Some(','),
        date_format: Some("%d.%m.%Y"),
        ..bank("danske-no-en", "Danske Bank (NO, English)")
    },
    BankPreset {
        signature: &[
            "Kirjauspäivä",
            "Arvopäivä",
            "Määrä EUROA",
            "Saaja/Maksaja",
            "Viite",
            "Arkistointitunnus",
        ],
        columns: &[
            ("date", "Kirjauspäivä"),
            ("amount", "Määrä EUROA"),
            ("payer", "Saaja/Maksaja"),
            ("reference", "Viite"),
            ("message", "Viesti"),
            ("details", "Selitys"),
            ("transaction_id", "Arkistointitunnus"),
        ],
        ignore: &["Arvopäivä", "Laji", "Saajan tilinumero ja pankin BIC"],
        decimal: Some(','),
        currency: Some("EUR"),
        ..bank("op", "OP (FI)")
    },
    BankPreset {
        signature: &["Kirjauspäivä", "Määrä", "Maksaja", "Maksunsaaja", "Nimi", "Otsikko", "Viitenumero"],
        columns: &[
            ("date", "Kirjauspäivä"),
            ("amount", "Määrä"),
            ("payer", "Nimi"),
            ("reference", "Viitenumero"),
            ("message", "Otsikko"),
            ("currency", "Valuutta"),
        ],
        ignore: &["Maksaja", "Maksunsaaja", "Saldo"],
        ..bank("nordea-fi", "Nordea (FI)")
    },
    BankPreset {
        signature: &["Kirjauspäivä", "Arvopäivä", "Maksupäivä", "Määrä", "Saaja/Maksaja"],
        columns: &[
            ("date", "Kirjauspäivä"),
            ("amount", "Määrä"),
            ("payer", "Saaja/Maksaja"),
            ("reference", "Viite"),
            ("message", "Viesti"),
            ("transaction_id", "Arkistointitunnus"),
        ],
        ignore: &["Arvopäivä", "Maksupäivä"],
        ..bank("nordea-fi-old", "Nordea (FI, older tab-separated)")
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::columns::header_key;
    use crate::io::csv_in::{CUSTOMER_COLUMNS, INVOICE_COLUMNS};

    #[test]
    fn presets_are_consistent() {
        for p in PRESETS {
            let specs = match p.kind {
                Customers => CUSTOMER_COLUMNS,
                Invoices => INVOICE_COLUMNS,
                FileKind::Payments => crate::io::csv_in::PAYMENT_COLUMNS,
            };
            for (ours, theirs) in p.columns {
                assert!(specs.iter().any(|s| s.name == *ours), "{}: {ours}", p.id);
                assert!(!p.ignore.iter().any(|i| header_key(i) == header_key(theirs)), "{}: {theirs}", p.id);
            }
            for s in p.signature {
                let known = p.columns.iter().any(|(_, t)| header_key(t) == header_key(s))
                    || p.ignore.iter().any(|i| header_key(i) == header_key(s));
                assert!(known, "{}: signature {s} is neither read nor ignored", p.id);
            }
            assert!(PRESETS.iter().filter(|q| q.id == p.id).count() == 1, "{}", p.id);
        }
    }

    #[test]
    fn bank_presets_are_consistent() {
        use crate::io::bank::BANK_COLUMNS;
        for p in BANK_PRESETS {
            for (ours, theirs) in p.columns {
                assert!(BANK_COLUMNS.iter().any(|s| s.name == *ours), "{}: {ours}", p.id);
                assert!(!p.ignore.iter().any(|i| header_key(i) == header_key(theirs)), "{}: {theirs}", p.id);
            }
            for s in p.signature {
                let known = p.columns.iter().any(|(_, t)| header_key(t) == header_key(s))
                    || p.ignore.iter().any(|i| header_key(i) == header_key(s));
                assert!(known, "{}: signature {s} is neither read nor ignored", p.id);
            }
            assert!(BANK_PRESETS.iter().filter(|q| q.id == p.id).count() == 1, "{}", p.id);
        }
    }
}
