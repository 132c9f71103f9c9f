//! The records of a ledger, as values: customers, invoices, payments.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::fmt;

use super::policy::Policy;

/// An ISO 4217 code, stored inline so that grouping by currency never allocates.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

/// The ISO 4217 currency codes in use (list of 2025, with funds and precious metals; without
/// `XTS`, for testing, and `XXX`, no currency). Sorted, for a binary search.
/// The currencies of the Nordic ledgers `dun` is for (all in [`ISO_4217`]).
const NORDIC: [[u8; 3]; 5] = [*b"SEK", *b"EUR", *b"NOK", *b"DKK", *b"ISK"];

const ISO_4217: [&[u8; 3]; 180] = [
    b"AED", b"AFN", b"ALL", b"AMD", b"ANG", b"AOA", b"ARS", b"AUD", b"AWG", b"AZN", b"BAM", b"BBD", b"BDT",
    b"BGN", b"BHD", b"BIF", b"BMD", b"BND", b"BOB", b"BOV", b"BRL", b"BSD", b"BTN", b"BWP", b"BYN", b"BZD",
    b"CAD", b"CDF", b"CHE", b"CHF", b"CHW", b"CLF", b"CLP", b"CNY", b"COP", b"COU", b"CRC", b"CUC", b"CUP",
    b"CVE", b"CZK", b"DJF", b"DKK", b"DOP", b"DZD", b"EGP", b"ERN", b"ETB", b"EUR", b"FJD", b"FKP", b"GBP",
    b"GEL", b"GHS", b"GIP", b"GMD", b"GNF", b"GTQ", b"GYD", b"HKD", b"HNL", b"HTG", b"HUF", b"IDR", b"ILS",
    b"INR", b"IQD", b"IRR", b"ISK", b"JMD", b"JOD", b"JPY", b"KES", b"KGS", b"KHR", b"KMF", b"KPW", b"KRW",
    b"KWD", b"KYD", b"KZT", b"LAK", b"LBP", b"LKR", b"LRD", b"LSL", b"LYD", b"MAD", b"MDL", b"MGA", b"MKD",
    b"MMK", b"MNT", b"MOP", b"MRU", b"MUR", b"MVR", b"MWK", b"MXN", b"MXV", b"MYR", b"MZN", b"NAD", b"NGN",
    b"NIO", b"NOK", b"NPR", b"NZD", b"OMR", b"PAB", b"PEN", b"PGK", b"PHP", b"PKR", b"PLN", b"PYG", b"QAR",
    b"RON", b"RSD", b"RUB", b"RWF", b"SAR", b"SBD", b"SCR", b"SDG", b"SEK", b"SGD", b"SHP", b"SLE", b"SLL",
    b"SOS", b"SRD", b"SSP", b"STN", b"SVC", b"SYP", b"SZL", b"THB", b"TJS", b"TMT", b"TND", b"TOP", b"TRY",
    b"TTD", b"TWD", b"TZS", b"UAH", b"UGX", b"USD", b"USN", b"UYI", b"UYU", b"UYW", b"UZS", b"VED", b"VES",
    b"VND", b"VUV", b"WST", b"XAF", b"XAG", b"XAU", b"XBA", b"XBB", b"XBC", b"XBD", b"XCD", b"XCG", b"XDR",
    b"XOF", b"XPD", b"XPF", b"XPT", b"XSU", b"XUA", b"YER", b"ZAR", b"ZMW", b"ZWG", b"ZWL",
];

impl Currency {
    /// Accepts an ISO 4217 code in any case; `kr`, `€` and `XYZ` are not codes.
    pub fn parse(text: &str) -> Option<Currency> {
        let b = text.trim().as_bytes();
        if b.len() != 3 {
            return None;
        }
        let code = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase(), b[2].to_ascii_uppercase()];
        // The Nordic currencies first: a ledger's every line names one of them, and the search
        // was a tenth of reading invoices.csv.
        if NORDIC.contains(&code) || ISO_4217.binary_search(&&code).is_ok() {
            return Some(Currency(code));
        }
        None
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomerKind {
    #[default]
    Business,
    Consumer,
}

impl CustomerKind {
    pub fn parse(text: &str) -> Option<CustomerKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "business" | "b2b" | "company" | "företag" | "bedrift" | "virksomhed" | "yritys" => {
                Some(CustomerKind::Business)
            }
            "consumer" | "b2c" | "private" | "privat" | "privatperson" | "konsument" | "forbruker"
            | "forbruger" | "kuluttaja" | "person" | "individual" | "privatkunde" | "yksityinen" => {
                Some(CustomerKind::Consumer)
            }
            _ => None,
        }
    }

    pub fn is_consumer(self) -> bool {
        self == CustomerKind::Consumer
    }
}

/// A language `dun` writes letters in.
pub const LANGUAGES: [&str; 5] = ["sv", "nb", "da", "fi", "en"];

/// A language code as written (`SV`, `no`, `nob`), as one of [`LANGUAGES`].
pub fn language_code(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if ["no", "nob", "nn"].iter().any(|a| a.eq_ignore_ascii_case(t)) {
        return Some("nb");
    }
    LANGUAGES.iter().copied().find(|l| l.eq_ignore_ascii_case(t))
}

/// The letter language a country speaks by default.
pub fn default_language(country: &str) -> &'static str {
    match country {
        "SE" => "sv",
        "NO" => "nb",
        "DK" => "da",
        "FI" => "fi",
        _ => "en",
    }
}

/// A line of `customers.csv`, with defaults already applied. Id and name are [`Text`] (short
/// enough to be held inline, and read everywhere); the other text is kept in one allocation
/// and read through methods: a register of a hundred thousand customers took 344 bytes each
/// with a string per field (issue #14).
#[derive(Clone, Default, PartialEq)]
pub struct Customer {
    pub id: Text,
    pub name: Text,
    pub kind: CustomerKind,
    pub credit_limit: Option<Decimal>,
    /// The line in `customers.csv`, for findings.
    pub line: u64,
    /// The other text, read and set through the customer's methods.
    pub texts: CustomerTexts,
}

/// `org_no`, `country`, `language`, `email`, `phone`, `mobile`, `address`, `postcode`, `city`,
/// `contact` and `segment` of a [`Customer`] (public, so that a customer can be written as a
/// literal with `..Customer::default()`, its contents are not).
#[derive(Clone, Default, PartialEq)]
pub struct CustomerTexts(super::packed::PackedTexts<10>);

/// The fields of [`Customer::details`], by number.
mod detail {
    pub const ORG_NO: usize = 0;
    pub const COUNTRY: usize = 1;
    pub const LANGUAGE: usize = 2;
    pub const EMAIL: usize = 3;
    pub const PHONE: usize = 4;
    pub const MOBILE: usize = 5;
    pub const ADDRESS: usize = 6;
    pub const POSTCODE: usize = 7;
    pub const CITY: usize = 8;
    pub const CONTACT: usize = 9;
    pub const SEGMENT: usize = 10;
}

/// The text fields of a customer besides id and name, as `customers.csv` gives them (empty
/// ones `None`).
#[derive(Clone, Copy, Debug, Default)]
pub struct CustomerDetails<'a> {
    pub org_no: Option<&'a str>,
    pub country: &'a str,
    pub language: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub mobile: Option<&'a str>,
    pub address: Option<&'a str>,
    pub postcode: Option<&'a str>,
    pub city: Option<&'a str>,
    pub contact: Option<&'a str>,
    pub segment: Option<&'a str>,
}

impl CustomerDetails<'_> {
    fn field(&self, field: usize) -> Option<&str> {
        match field {
            detail::ORG_NO => self.org_no,
            detail::COUNTRY => Some(self.country),
            detail::LANGUAGE => Some(self.language),
            detail::EMAIL => self.email,
            detail::PHONE => self.phone,
            detail::MOBILE => self.mobile,
            detail::ADDRESS => self.address,
            detail::POSTCODE => self.postcode,
            detail::CITY => self.city,
            detail::CONTACT => self.contact,
            detail::SEGMENT => self.segment,
            _ => None,
        }
    }
}

macro_rules! customer_text {
    ($($(#[$doc:meta])* $get:ident, $set:ident, $with:ident, $field:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $get(&self) -> Option<&str> {
                self.texts.0.get(detail::$field)
            }

            pub fn $set(&mut self, value: Option<impl AsRef<str>>) {
                self.texts.0 = self.texts.0.with(detail::$field, value.as_ref().map(AsRef::as_ref));
            }

            /// The same customer with this field (for customers written out in full).
            pub fn $with(mut self, value: Option<impl AsRef<str>>) -> Customer {
                self.$set(value);
                self
            }
        )*
    };
}

impl Customer {
    /// A customer with this id and name, and no other field given.
    pub fn new(id: &str, name: &str) -> Customer {
        Customer { id: id.into(), name: name.into(), ..Customer::default() }
    }

    /// A customer with these fields.
    pub fn with_details(
        id: Text,
        name: Text,
        kind: CustomerKind,
        details: &CustomerDetails<'_>,
        credit_limit: Option<Decimal>,
        line: u64,
    ) -> Customer {
        let texts = CustomerTexts(super::packed::PackedTexts::of(|field| details.field(field)));
        Customer { id, name, kind, credit_limit, line, texts }
    }

    /// The text fields besides id and name.
    pub fn details(&self) -> CustomerDetails<'_> {
        CustomerDetails {
            org_no: self.org_no(),
            country: self.country(),
            language: self.language(),
            email: self.email(),
            phone: self.phone(),
            mobile: self.mobile(),
            address: self.address(),
            postcode: self.postcode(),
            city: self.city(),
            contact: self.contact(),
            segment: self.segment(),
        }
    }

    /// The country (ISO 3166 alpha-2 as read; empty when not given).
    pub fn country(&self) -> &str {
        self.texts.0.get(detail::COUNTRY).unwrap_or_default()
    }

    /// The language letters are written in (empty when not given).
    pub fn language(&self) -> &str {
        self.texts.0.get(detail::LANGUAGE).unwrap_or_default()
    }

    /// The same customer of this kind (for customers written out in full).
    pub fn with_kind(mut self, kind: CustomerKind) -> Customer {
        self.kind = kind;
        self
    }

    /// The same customer with this country.
    pub fn with_country(mut self, country: &str) -> Customer {
        self.set_country(country);
        self
    }

    /// The same customer with this language.
    pub fn with_language(mut self, language: &str) -> Customer {
        self.set_language(language);
        self
    }

    pub fn set_country(&mut self, country: &str) {
        self.texts.0 = self.texts.0.with(detail::COUNTRY, Some(country));
    }

    pub fn set_language(&mut self, language: &str) {
        self.texts.0 = self.texts.0.with(detail::LANGUAGE, Some(language));
    }

    customer_text! {
        org_no, set_org_no, with_org_no, ORG_NO;
        email, set_email, with_email, EMAIL;
        phone, set_phone, with_phone, PHONE;
        /// A second number (`Mobil` beside `Telefon`, `Phone2`): SMS goes to whichever of the
        /// two is a mobile number, a call to either.
        mobile, set_mobile, with_mobile, MOBILE;
        address, set_address, with_address, ADDRESS;
        postcode, set_postcode, with_postcode, POSTCODE;
        city, set_city, with_city, CITY;
        contact, set_contact, with_contact, CONTACT;
        segment, set_segment, with_segment, SEGMENT;
    }

    pub fn has_postal_address(&self) -> bool {
        self.address().is_some() && self.postcode().is_some() && self.city().is_some()
    }

    /// The number an SMS goes to: `mobile`, else `phone`, the first that can take one
    /// ([`super::phone::sms_number`]); when neither can, `mobile` else `phone`, so that the
    /// problem can be named.
    pub fn sms_phone(&self) -> Option<&str> {
        let numbers = [self.mobile(), self.phone()];
        let usable = |p: &&str| super::phone::sms_number(p, self.country()).is_ok();
        numbers.into_iter().flatten().find(usable).or_else(|| numbers.into_iter().flatten().next())
    }

    /// The number to call: `phone`, else `mobile`.
    pub fn call_phone(&self) -> Option<&str> {
        self.phone().or(self.mobile())
    }
}

#[cfg(test)]
impl Customer {
    /// For tests: customer `id` ("Kund {id}") of this kind in `country`, writing in `language`,
    /// reachable by e-mail and post, with an organisation number.
    pub(crate) fn reachable_for_tests(
        id: &str,
        country: &str,
        kind: CustomerKind,
        language: &str,
    ) -> Customer {
        Customer::new(id, &format!("Kund {id}"))
            .with_kind(kind)
            .with_country(country)
            .with_language(language)
            .with_email(Some(format!("{id}@kund.example")))
            .with_address(Some("Gatan 1"))
            .with_postcode(Some("11122"))
            .with_city(Some("Stad"))
            .with_org_no(Some("556036-0793"))
    }
}

impl std::fmt::Debug for Customer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Customer")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("details", &self.details())
            .field("credit_limit", &self.credit_limit)
            .field("line", &self.line)
            .finish()
    }
}

/// What the aging report needs of a customer: a tenth of a [`Customer`]'s memory, which counts
/// when a register holds a hundred thousand of them. Id and name share one allocation.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerBrief {
    /// Id, name and segment, one after the other.
    text: Box<str>,
    id_len: u32,
    name_len: u32,
    pub credit_limit: Option<Decimal>,
    /// The customer's payment terms (from its segment), for invoices without a due date.
    pub payment_days: u32,
    pub line: u64,
    /// Whose law governs the interest: 0 for a business (the company's country), else a
    /// consumer's country (see [`CustomerBrief::law_class`]).
    law_class: u16,
}

impl CustomerBrief {
    pub fn new(
        id: &str,
        name: &str,
        segment: Option<&str>,
        credit_limit: Option<Decimal>,
        payment_days: u32,
        line: u64,
    ) -> CustomerBrief {
        let segment = segment.unwrap_or("");
        let mut text = String::with_capacity(id.len() + name.len() + segment.len());
        text.push_str(id);
        text.push_str(name);
        text.push_str(segment);
        CustomerBrief {
            text: text.into_boxed_str(),
            id_len: id.len() as u32,
            name_len: name.len() as u32,
            credit_limit,
            payment_days,
            line,
            law_class: 0,
        }
    }

    /// The brief of a customer of `kind` in `country` (ISO 3166 alpha-2, upper case).
    pub fn with_debtor(mut self, country: [u8; 2], kind: CustomerKind) -> CustomerBrief {
        self.law_class = match (kind, country) {
            (CustomerKind::Consumer, [a, b]) if a.is_ascii_uppercase() && b.is_ascii_uppercase() => {
                1 + u16::from(a - b'A') * 26 + u16::from(b - b'A')
            }
            _ => 0,
        };
        self
    }

    /// 0: a business (the company's law); else 1 + a consumer's country as a number.
    pub fn law_class(&self) -> u16 {
        self.law_class
    }

    /// The consumer's country of a [`CustomerBrief::law_class`], `None` for a business.
    pub fn consumer_country(class: u16) -> Option<String> {
        let n = class.checked_sub(1)?;
        let (a, b) = ((n / 26) as u8 + b'A', (n % 26) as u8 + b'A');
        Some(String::from_utf8_lossy(&[a, b]).into_owned())
    }

    pub fn name(&self) -> &str {
        &self.text[self.id_len as usize..(self.id_len + self.name_len) as usize]
    }
}

/// A customer as the register's rows are checked and indexed: its id, line and terms.
pub trait Registered {
    fn id(&self) -> &str;
    fn line(&self) -> u64;
    fn segment(&self) -> Option<&str>;
    /// Days from invoice to due date where `invoices.csv` gives no due date.
    fn payment_days(&self, policy: &Policy) -> u32;
}

impl Registered for Customer {
    fn id(&self) -> &str {
        &self.id
    }
    fn line(&self) -> u64 {
        self.line
    }
    fn segment(&self) -> Option<&str> {
        self.texts.0.get(detail::SEGMENT)
    }
    fn payment_days(&self, policy: &Policy) -> u32 {
        policy.payment_days(self.segment())
    }
}

impl Registered for CustomerBrief {
    fn id(&self) -> &str {
        &self.text[..self.id_len as usize]
    }
    fn line(&self) -> u64 {
        self.line
    }
    fn segment(&self) -> Option<&str> {
        Some(&self.text[(self.id_len + self.name_len) as usize..]).filter(|s| !s.is_empty())
    }
    fn payment_days(&self, _: &Policy) -> u32 {
        self.payment_days
    }
}

/// An early-payment discount: paying `amount` less by `until` settles the invoice in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Discount {
    pub until: NaiveDate,
    pub amount: Decimal,
}

/// A line of `invoices.csv` as read, borrowing its text from the reader's buffer.
/// Credit notes have a negative amount.
#[derive(Clone, Debug, PartialEq)]
pub struct InvoiceRecord<'a> {
    pub line: u64,
    pub number: &'a str,
    pub customer: &'a str,
    pub issued: NaiveDate,
    pub due: NaiveDate,
    pub amount: Decimal,
    pub paid: Decimal,
    /// Present when the export gave `balance` as well as or instead of `paid`.
    pub balance: Option<Decimal>,
    pub currency: Currency,
    pub reference: Option<&'a str>,
    pub paid_on: Option<NaiveDate>,
    pub credits: Option<&'a str>,
    pub description: Option<&'a str>,
    /// From the `discount_*` columns or the customer's `terms.discount_*`.
    pub discount: Option<Discount>,
}

impl InvoiceRecord<'_> {
    pub fn is_credit_note(&self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    pub fn to_owned(&self) -> Invoice {
        let texts = [Some(self.number), Some(self.customer), self.reference, self.description];
        let mut invoice = Invoice {
            line: self.line,
            texts: InvoiceTexts::of(|field| texts[field]),
            issued: self.issued,
            due: self.due,
            amount: self.amount,
            paid: self.paid,
            currency: self.currency,
            has_balance: false,
            paid_on: self.paid_on,
            rare: None,
        };
        if self.balance.is_some() || self.credits.is_some() || self.discount.is_some() {
            invoice.set_balance(self.balance);
            invoice.set_credits(self.credits);
            invoice.set_discount(self.discount);
        }
        invoice
    }
}

/// Text of a ledger row that is usually short (an invoice number, a customer id, an OCR
/// reference): up to 24 bytes are held inline, in the space a `String` takes for its pointer,
/// so a million invoices are not three million heap allocations (and as many frees).
pub type Text = compact_str::CompactString;

/// An owned invoice, for the commands that keep the whole ledger in memory.
///
/// What few invoices have (the invoice a credit note credits, an early-payment discount, a
/// `balance` that is not `amount − paid`) is kept out of line, behind [`Invoice::credits`],
/// [`Invoice::discount`] and [`Invoice::balance`], and its texts (number, customer,
/// reference, description) are kept together, inline when they fit in 43 bytes: 112 bytes an
/// invoice instead of 216.
#[derive(Clone, Debug, PartialEq)]
pub struct Invoice {
    pub line: u64,
    /// Its number, customer id, reference and description ([`Invoice::number`], ...).
    texts: InvoiceTexts,
    pub issued: NaiveDate,
    pub due: NaiveDate,
    pub amount: Decimal,
    pub paid: Decimal,
    pub currency: Currency,
    /// The export gave a `balance` (see [`Invoice::balance`]).
    has_balance: bool,
    pub paid_on: Option<NaiveDate>,
    rare: Option<Box<Rare>>,
}

/// An invoice's texts: number, customer id, reference and description. Apart, as strings of
/// 24 bytes each, they were 96 of an invoice's 160 bytes; most invoices' three short ones fit
/// the 43 bytes held inline (issue #14).
type InvoiceTexts = super::packed::SmallTexts<3, 43>;

const NUMBER: usize = 0;
const CUSTOMER: usize = 1;
const REFERENCE: usize = 2;
const DESCRIPTION: usize = 3;

/// The part of an [`Invoice`] most invoices leave empty.
#[derive(Clone, Debug, Default, PartialEq)]
struct Rare {
    /// A `balance` other than `amount − paid` (one that is, the common case, is not stored).
    balance: Option<Decimal>,
    credits: Option<Text>,
    discount: Option<Discount>,
}

#[cfg(test)]
impl Invoice {
    /// For tests: an unpaid SEK invoice on line 2, with nothing else set.
    pub(crate) fn unpaid_sek(
        number: &str,
        customer: &str,
        issued: NaiveDate,
        due: NaiveDate,
        amount: Decimal,
    ) -> Invoice {
        Invoice {
            line: 2,
            texts: InvoiceTexts::of(|field| [Some(number), Some(customer)].get(field).copied().flatten()),
            issued,
            due,
            amount,
            paid: Decimal::ZERO,
            currency: Currency::parse("SEK").expect("SEK is a currency"),
            has_balance: false,
            paid_on: None,
            rare: None,
        }
    }
}

impl Invoice {
    pub fn record(&self) -> InvoiceRecord<'_> {
        InvoiceRecord {
            line: self.line,
            number: self.number(),
            customer: self.customer(),
            issued: self.issued,
            due: self.due,
            amount: self.amount,
            paid: self.paid,
            balance: self.balance(),
            currency: self.currency,
            reference: self.reference(),
            paid_on: self.paid_on,
            credits: self.credits(),
            description: self.description(),
            discount: self.discount(),
        }
    }

    pub fn is_credit_note(&self) -> bool {
        self.record().is_credit_note()
    }

    pub fn number(&self) -> &str {
        self.texts.get(NUMBER).unwrap_or_default()
    }

    /// The id of its customer, as written.
    pub fn customer(&self) -> &str {
        self.texts.get(CUSTOMER).unwrap_or_default()
    }

    /// Its payment reference (OCR, KID, RF, ...), if it has one.
    pub fn reference(&self) -> Option<&str> {
        self.texts.get(REFERENCE)
    }

    /// What it is for, if the export says.
    pub fn description(&self) -> Option<&str> {
        self.texts.get(DESCRIPTION)
    }

    pub fn set_customer(&mut self, customer: &str) {
        self.texts = self.texts.with(CUSTOMER, Some(customer));
    }

    /// Sets the reference (`None` or empty for none).
    pub fn set_reference(&mut self, reference: Option<&str>) {
        self.texts = self.texts.with(REFERENCE, reference);
    }

    /// Sets the description (`None` or empty for none).
    pub fn set_description(&mut self, description: Option<&str>) {
        self.texts = self.texts.with(DESCRIPTION, description);
    }

    /// The `balance` the export gave, if it gave one.
    pub fn balance(&self) -> Option<Decimal> {
        match self.rare.as_deref().and_then(|r| r.balance) {
            Some(stored) => Some(stored),
            None => self.has_balance.then(|| self.amount - self.paid),
        }
    }

    /// The number of the invoice this credit note credits.
    pub fn credits(&self) -> Option<&str> {
        self.rare.as_deref().and_then(|r| r.credits.as_deref())
    }

    pub fn discount(&self) -> Option<Discount> {
        self.rare.as_deref().and_then(|r| r.discount)
    }

    pub fn set_balance(&mut self, balance: Option<Decimal>) {
        self.has_balance = balance.is_some();
        let unusual = balance.filter(|&b| b != self.amount - self.paid);
        self.rare_mut(|r| r.balance = unusual);
    }

    pub fn set_credits(&mut self, credits: Option<&str>) {
        self.rare_mut(|r| r.credits = credits.map(Text::new));
    }

    pub fn set_discount(&mut self, discount: Option<Discount>) {
        self.rare_mut(|r| r.discount = discount);
    }

    /// Changes the rare part, keeping none when it is empty.
    fn rare_mut(&mut self, change: impl FnOnce(&mut Rare)) {
        let mut rare = self.rare.take().map(|r| *r).unwrap_or_default();
        change(&mut rare);
        self.rare = (rare != Rare::default()).then(|| Box::new(rare));
    }
}

/// A line of `payments.csv`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Payment {
    pub line: u64,
    pub date: NaiveDate,
    pub invoice: Option<String>,
    pub amount: Decimal,
    pub reference: Option<String>,
    /// The bank's transaction reference, for lines `dun import` and `dun assign` wrote: what
    /// makes importing the same payment twice add nothing.
    pub transaction_id: Option<String>,
    /// The bank file the payment came from.
    pub source: Option<String>,
    /// `reference`, `invoice-number`, `amount` or `manual`.
    pub matched_by: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A customer's text besides id and name is read back as given, each field apart, and
    /// takes one allocation, not a string per field (344 bytes a customer before).
    #[test]
    fn a_customers_details_are_kept_together() {
        let given = CustomerDetails {
            org_no: Some("556036-0793"),
            country: "SE",
            language: "sv",
            email: Some("faktura@tomrer-braten-as.example"),
            phone: None,
            mobile: Some("+46 70 508 06 02"),
            address: Some("Kungsvägen 78"),
            postcode: Some("117 81"),
            city: Some("Stockholm"),
            contact: None,
            segment: Some("key"),
        };
        let c = Customer::with_details("C1".into(), "Åby AB".into(), CustomerKind::Business, &given, None, 2);
        assert_eq!(format!("{:?}", c.details()), format!("{given:?}"));
        assert_eq!((c.sms_phone(), c.call_phone()), (Some("+46 70 508 06 02"), Some("+46 70 508 06 02")));
        let mut moved = c.clone().with_country("NO");
        moved.set_city(None::<&str>);
        assert_eq!((moved.country(), moved.city(), moved.postcode()), ("NO", None, Some("117 81")));
        assert!(std::mem::size_of::<Customer>() <= 136, "{}", std::mem::size_of::<Customer>());
        assert_eq!(Customer::new("K", "Kund").country(), "");
    }

    proptest! {
        /// An invoice kept in memory gives back what it was read with: its texts whatever their
        /// length (inline up to 43 bytes together, on the heap beyond) and script, and the
        /// rarely given fields kept out of line (a balance equal to amount − paid, one that
        /// is not, none). A reference or description is never read empty (an empty field is
        /// none), and an empty one set is none.
        #[test]
        fn an_owned_invoice_gives_back_its_record(
            number in "[0-9A-Za-z/-]{0,40}",
            customer in "\\PC{0,30}",
            reference in proptest::option::of("[0-9 ]{1,30}"),
            credits in proptest::option::of("[0-9]{1,26}"),
            description in proptest::option::of("\\PC{1,60}"),
            amount in -1_000_000i64..1_000_000,
            paid in -1_000i64..1_000_000,
            balance_kind in 0u8..3,
            discount in proptest::option::of((0u32..60, 0i64..10_000)),
        ) {
            let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
            let (amount, paid) = (Decimal::new(amount, 2), Decimal::new(paid, 2));
            let balance = match balance_kind {
                0 => None,
                1 => Some(amount - paid),
                _ => Some(amount - paid + Decimal::new(1, 2)),
            };
            let record = InvoiceRecord {
                line: 7,
                number: &number,
                customer: &customer,
                issued: day,
                due: day,
                amount,
                paid,
                balance,
                currency: Currency::parse("EUR").expect("EUR"),
                reference: reference.as_deref(),
                paid_on: None,
                credits: credits.as_deref(),
                description: description.as_deref(),
                discount: discount.map(|(days, cents)| Discount {
                    until: day + chrono::Days::new(u64::from(days)),
                    amount: Decimal::new(cents, 2),
                }),
            };
            let owned = record.to_owned();
            prop_assert_eq!(owned.number(), number.as_str());
            prop_assert_eq!(owned.balance(), balance);
            prop_assert_eq!(owned.credits(), credits.as_deref());
            prop_assert_eq!(owned.record(), record);
            prop_assert_eq!(owned.clone(), owned.clone());
            let mut emptied = owned.clone();
            emptied.set_reference(Some(""));
            emptied.set_description(Some(""));
            prop_assert_eq!((emptied.reference(), emptied.description()), (None, None));
            prop_assert_eq!((emptied.number(), emptied.customer()), (number.as_str(), customer.as_str()));
        }
    }

    #[test]
    fn rare_fields_are_out_of_line_and_cleared_to_nothing() {
        assert!(std::mem::size_of::<Invoice>() <= 112, "{} bytes", std::mem::size_of::<Invoice>());
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
        let mut inv = Invoice::unpaid_sek("1", "C1", day, day, Decimal::from(100));
        inv.set_balance(Some(Decimal::from(100)));
        assert!(inv.rare.is_none(), "a balance of amount − paid is a flag");
        assert_eq!(inv.balance(), Some(Decimal::from(100)));
        inv.set_credits(Some("7"));
        assert_eq!((inv.credits(), inv.balance()), (Some("7"), Some(Decimal::from(100))));
        inv.set_balance(Some(Decimal::from(40)));
        assert_eq!(inv.balance(), Some(Decimal::from(40)));
        inv.set_credits(None);
        inv.set_balance(None);
        assert_eq!((inv.credits(), inv.balance(), inv.discount()), (None, None, None));
        assert!(inv.rare.is_none(), "nothing rare left: nothing kept");
    }

    #[test]
    fn currencies_are_iso_4217_codes() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]), "sorted, for the binary search");
        assert_eq!(Currency::parse(" sek ").map(|c| c.to_string()), Some("SEK".to_owned()));
        for code in ["EUR", "NOK", "DKK", "ISK", "USD", "CHF", "JPY"] {
            assert!(Currency::parse(code).is_some(), "{code}");
        }
        for text in ["XYZ", "XXX", "XTS", "kr", "€", "SEKK", ""] {
            assert!(Currency::parse(text).is_none(), "{text}");
        }
        // Every three letters, in either case: a code exactly when the list has it.
        assert!(NORDIC.iter().all(|n| ISO_4217.contains(&n)));
        let letters = (b'A'..=b'Z').chain(b'a'..=b'z');
        for (a, b, c) in letters
            .clone()
            .flat_map(|a| letters.clone().flat_map(move |b| (b'A'..=b'Z').map(move |c| (a, b, c))))
        {
            let text = [a, b, c];
            let upper = text.map(|x| x.to_ascii_uppercase());
            let listed = ISO_4217.contains(&&upper);
            let parsed = Currency::parse(std::str::from_utf8(&text).expect("ASCII"));
            assert_eq!(parsed.map(|p| p.0), listed.then_some(upper), "{text:?}");
        }
    }
}
