//! Deterministic test-data generator for `dun`: `customers.csv` + `invoices.csv`.
//!
//! ```text
//! cargo run --release --example gen -- --invoices N --out DIR [--nordic] [--seed S] [--as-of YYYY-MM-DD]
//! ```
//!
//! A std-only port of `scripts/gen.py` (the shared bench generator): the same columns in the same order, the same data
//! contract and the same distributions, not the same bytes (it has its own PRNG, SplitMix64).
//! The same arguments always give byte-identical files.
//!
//! Writes DIR/customers.csv (N/10 customers, at least 1) and DIR/invoices.csv (N invoices).
//!
//! Default format: `,` delimiter, UTF-8 (no BOM), LF, ISO dates, `.` decimals (`12345.50`).
//! `--nordic`: `;` delimiter, decimal comma with a plain space as thousands separator
//! (`12 345,50`), ISO dates, Windows-1252, CRLF, no BOM. Quoting is RFC 4180, minimal: only
//! fields holding the delimiter, a quote or a line break are quoted, quotes doubled.
//!
//! Data contract:
//! - customers: id `C000001`.. (zero-padded, so text order == numeric order); kind
//!   business|consumer; org_no a check-digit-valid organisation number for businesses (SE
//!   NNNNNN-NNNN Luhn, NO 9 digits mod 11, DK CVR 8 digits mod 11, FI Y-tunnus NNNNNNN-N) and a
//!   Swedish personnummer (YYYYMMDD-NNNN, Luhn) for ~half the Swedish consumers, else empty;
//!   country SE/NO/DK/FI; language sv/nb/da/fi (some FI customers sv, ~3% en); ~7% empty
//!   email, ~10% empty phone; names and addresses with åäöæø, some names with a comma
//!   ("Lindström, Åsa", "Berg, Holm & Co HB"), quotes ('Restaurang "Fyren" AB') or an en dash
//!   ("Holm Bygg – Väst AB": byte 0x96 under `--nordic`, so a reader that decodes Latin-1
//!   instead of Windows-1252 gets it wrong); credit_limit money (~3% empty); segment
//!   key|standard|small|public|private.
//! - invoices: number sequential from 100001, increasing with issued; customer -> customers.id
//!   (skewed: a few customers have many invoices); issued on weekdays in the 730 days up to and
//!   including the as-of date (default 2026-11-30); due = issued + the customer's terms
//!   (10/15/30 days); amount 100.00..200000.00 (log-uniform); ~70% fully paid (paid == amount,
//!   paid_on set, never after the as-of date), ~10% partly paid (0 < paid < amount, paid_on
//!   empty), ~20% unpaid (paid 0.00, paid_on empty); currency the country's (SEK/NOK/DKK/EUR)
//!   for ~96%, else EUR (SEK for FI); reference a check-digit-valid payment reference of the
//!   customer's country (SE OCR with length + Luhn digit, NO KID Luhn, DK FIK 15 digits Luhn,
//!   FI viitenumero 7-3-1).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const WINDOW_DAYS: usize = 730;
const DEFAULT_SEED: u64 = 42;
const DEFAULT_AS_OF: &str = "2026-11-30";

const USAGE: &str = "usage: gen --invoices N --out DIR [--nordic] [--seed S] [--as-of YYYY-MM-DD]

Writes DIR/customers.csv (N/10 customers, at least 1) and DIR/invoices.csv (N invoices).
  --invoices N        number of invoices (>= 1)
  --out DIR           output directory (created)
  --nordic            ';', decimal comma, space thousands, Windows-1252, CRLF
  --seed S            PRNG seed (default 42)
  --as-of YYYY-MM-DD  last day of the 730-day window (default 2026-11-30)";

/// The columns of gen.py, in its order.
#[rustfmt::skip]
const CUSTOMER_HEADER: [&str; 14] = [
    "id", "name", "kind", "org_no", "country", "language", "email", "phone", "address", "postcode",
    "city", "contact", "credit_limit", "segment",
];
#[rustfmt::skip]
const INVOICE_HEADER: [&str; 9] = [
    "number", "customer", "issued", "due", "amount", "paid", "currency", "reference", "paid_on",
];

// ---------------------------------------------------------------------------------------------
// Countries and word lists (the same as gen.py)

#[derive(Clone, Copy, PartialEq, Eq)]
enum Country {
    Se,
    No,
    Dk,
    Fi,
}

use Country::{Dk, Fi, No, Se};

const COUNTRIES: [Country; 4] = [Se, No, Dk, Fi];
const COUNTRY_WEIGHTS: [f64; 4] = [0.45, 0.20, 0.20, 0.15];

impl Country {
    fn idx(self) -> usize {
        self as usize
    }
    fn code(self) -> &'static str {
        ["SE", "NO", "DK", "FI"][self.idx()]
    }
    fn currency(self) -> &'static str {
        ["SEK", "NOK", "DKK", "EUR"][self.idx()]
    }
    fn other_currency(self) -> &'static str {
        ["EUR", "EUR", "EUR", "SEK"][self.idx()]
    }
    fn language(self) -> &'static str {
        ["sv", "nb", "da", "fi"][self.idx()]
    }
    fn phone_prefix(self) -> &'static str {
        ["+46", "+47", "+45", "+358"][self.idx()]
    }
    fn postcode_len(self) -> usize {
        [5, 4, 4, 5][self.idx()]
    }
}

// Word lists: kept one table per line by hand.
#[rustfmt::skip]
const FIRST: [&[&str]; 4] = [
    &["Anna", "Björn", "Åsa", "Lars", "Karin", "Örjan", "Märta", "Göran", "Sören", "Linnéa",
      "Maja", "Erik", "Ingrid", "Håkan", "Ulla", "Pär"],
    &["Øyvind", "Kari", "Ola", "Bjørn", "Ingrid", "Sindre", "Åse", "Torbjørn", "Solveig",
      "Jørgen", "Marte", "Håvard", "Ingvild", "Dagfinn"],
    &["Søren", "Mette", "Jens", "Lærke", "Anders", "Rasmus", "Kirsten", "Frederik", "Bjørk",
      "Ærling", "Signe", "Mads", "Birthe"],
    &["Jyrki", "Päivi", "Mikko", "Sanna", "Tuula", "Väinö", "Aino", "Eero", "Kalle", "Jääskö",
      "Sirkka", "Ähti", "Mirja"],
];
#[rustfmt::skip]
const LAST: [&[&str]; 4] = [
    &["Andersson", "Johansson", "Åberg", "Öberg", "Lindström", "Ström", "Bäckström", "Sjögren",
      "Ångström", "Hägglund", "Åkesson", "Nyström", "Löfgren", "Berg", "Holm"],
    &["Hansen", "Johansen", "Økland", "Bråten", "Sæther", "Løvås", "Haugen", "Dæhli",
      "Ødegård", "Berntsen", "Strøm", "Aasen", "Kvåle"],
    &["Jensen", "Nielsen", "Sørensen", "Møller", "Kjær", "Bæk", "Østergaard", "Søndergaard",
      "Holm", "Lærkesen", "Christiansen", "Mølgaard"],
    &["Virtanen", "Mäkinen", "Häkkinen", "Järvinen", "Lehtonen", "Kärkkäinen", "Nieminen",
      "Heikkilä", "Mäkelä", "Pöyhönen", "Söderholm", "Åström"],
];
#[rustfmt::skip]
const WORD: [&[&str]; 4] = [
    &["Ängen", "Björken", "Solrosen", "Älven", "Fyren", "Höken", "Lilla Ö", "Måsen"],
    &["Fjellet", "Bølgen", "Nordlys", "Ørnen", "Stølen", "Åsen", "Fjæra"],
    &["Havfruen", "Bøgen", "Ærø", "Lærken", "Søstjernen", "Åen", "Mågen"],
    &["Järvi", "Kivi", "Metsä", "Päivä", "Sääksi", "Kärki", "Höyry"],
];
#[rustfmt::skip]
const COMPANY: [&[&str]; 4] = [
    &["{l} Bygg AB", "{l}s Måleri AB", "{w}s Trädgård HB", "{l} & Söner AB", "Café {w} AB",
      "Föreningen {w}", "{l} Åkeri AB", "Städfirman {l} AB", "{l} Bygg – Väst AB"],
    &["{l} Rør AS", "{l} & Sønn AS", "Bakeri {w} AS", "{l} Eiendom AS", "{w} Kafé ENK",
      "Tømrer {l} AS", "{l} Rør – Vest AS"],
    &["{l} ApS", "{l} & Søn A/S", "Tømrerfirmaet {l} ApS", "{l} I/S", "Bageriet {w}",
      "Købmand {l}", "{l} VVS – Øst ApS"],
    &["{l} Oy", "Rakennus {l} Oy", "Kauppa {l} Ky", "Oy {w} Ab", "Kahvila {w} Oy",
      "Sähkö-{l} Oy", "{l} – Länsi Oy"],
];
#[rustfmt::skip]
const COMPANY_COMMA: [&str; 4] = [
    "{l}, {l2} & Co HB", "{l}, {l2} og Partnere DA", "{l}, {l2} & Co I/S", "{l}, {l2} & Co Ky",
];
#[rustfmt::skip]
const COMPANY_QUOTE: [&str; 4] = [
    "Restaurang \"{w}\" AB", "Kafé \"{w}\" AS", "Restaurant \"{w}\" ApS", "Ravintola \"{w}\" Oy",
];
#[rustfmt::skip]
const STREET: [&[&str]; 4] = [
    &["Storgatan", "Drottninggatan", "Kungsvägen", "Västra Långgatan", "Åsögatan",
      "Östra Hamngatan", "Björkvägen"],
    &["Storgata", "Kongens gate", "Bjørnstjerne Bjørnsons gate", "Øvre Slottsgate",
      "Thereses gate", "Åsveien"],
    &["Nørregade", "Østergade", "Vesterbrogade", "Åboulevarden", "Søndergade", "Ærøvej"],
    &["Mannerheimintie", "Hämeenkatu", "Aleksanterinkatu", "Kauppakatu", "Pääskylänrinne",
      "Länsiväylä"],
];
/// (city, postcode prefix); the rest of the postcode is random digits.
#[rustfmt::skip]
const CITY: [&[(&str, &str)]; 4] = [
    &[("Stockholm", "11"), ("Göteborg", "41"), ("Malmö", "21"), ("Uppsala", "75"),
      ("Västerås", "72"), ("Örebro", "70"), ("Linköping", "58"), ("Umeå", "90"),
      ("Jönköping", "55"), ("Gävle", "80")],
    &[("Oslo", "0"), ("Bergen", "5"), ("Trondheim", "7"), ("Tromsø", "9"), ("Stavanger", "4"),
      ("Ålesund", "6"), ("Bærum", "13")],
    &[("København K", "1"), ("Aarhus C", "80"), ("Odense C", "50"), ("Aalborg", "90"),
      ("Køge", "46"), ("Ærøskøbing", "597")],
    &[("Helsinki", "00"), ("Espoo", "02"), ("Tampere", "33"), ("Turku", "20"), ("Oulu", "90"),
      ("Jyväskylä", "40"), ("Hämeenlinna", "13")],
];
const BUSINESS_SEGMENTS: [&str; 7] = ["key", "standard", "standard", "standard", "small", "small", "public"];

// ---------------------------------------------------------------------------------------------
// PRNG: SplitMix64

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn random(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in 0..n (n > 0); the multiply-shift bias is below 2^-40 for the sizes used here.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo)
    }

    fn choice<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.random() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            xs.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Dates as days since 1970-01-01 (proleptic Gregorian, Howard Hinnant's algorithms)

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Monday = 0 .. Sunday = 6 (1970-01-01 was a Thursday).
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

fn parse_iso_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[0..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..10].parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days)
}

fn iso_date(days: i64) -> [u8; 10] {
    let (y, m, d) = civil_from_days(days);
    let mut out = *b"0000-00-00";
    let y = y as u32;
    out[0] = b'0' + (y / 1000 % 10) as u8;
    out[1] = b'0' + (y / 100 % 10) as u8;
    out[2] = b'0' + (y / 10 % 10) as u8;
    out[3] = b'0' + (y % 10) as u8;
    out[5] = b'0' + (m / 10) as u8;
    out[6] = b'0' + (m % 10) as u8;
    out[8] = b'0' + (d / 10) as u8;
    out[9] = b'0' + (d % 10) as u8;
    out
}

// ---------------------------------------------------------------------------------------------
// Check digits (ports of gen.py)

/// Check digit that makes digits+check pass the Luhn (mod 10) test.
fn luhn_digit(digits: &[u8]) -> u8 {
    let mut total = 0u32;
    let mut double = true;
    for &ch in digits.iter().rev() {
        let mut d = u32::from(ch - b'0');
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        total += d;
        double = !double;
    }
    ((10 - total % 10) % 10) as u8
}

/// Weighted mod 11 (NO org.nr, DK CVR, FI Y-tunnus): None when no valid check digit exists.
fn mod11_digit(digits: &[u8], weights: &[u32]) -> Option<u8> {
    let r = digits.iter().zip(weights).map(|(&c, &w)| u32::from(c - b'0') * w).sum::<u32>() % 11;
    match r {
        0 => Some(0),
        1 => None,
        _ => Some((11 - r) as u8),
    }
}

/// Finnish viitenumero check digit (weights 7, 3, 1 from the right).
fn fi_ref_digit(digits: &[u8]) -> u8 {
    const W: [u32; 3] = [7, 3, 1];
    let total: u32 = digits.iter().rev().enumerate().map(|(i, &c)| u32::from(c - b'0') * W[i % 3]).sum();
    ((10 - total % 10) % 10) as u8
}

fn digits(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.below(10) as u8)).collect()
}

fn org_no(rng: &mut Rng, country: Country, consumer: bool) -> String {
    if consumer {
        if country != Se || rng.random() < 0.5 {
            return String::new();
        }
        let born = days_from_civil(1940, 1, 1) + rng.below(365 * 65) as i64;
        let (y, m, d) = civil_from_days(born);
        let body = format!("{:02}{m:02}{d:02}{}", y % 100, digits(rng, 3));
        let check = luhn_digit(body.as_bytes());
        return format!("{}{}-{}{check}", y / 100, &body[..6], &body[6..]);
    }
    loop {
        match country {
            Se => {
                let body = format!("55{}", digits(rng, 7));
                let check = luhn_digit(body.as_bytes());
                return format!("{}-{}{check}", &body[..6], &body[6..]);
            }
            No => {
                let body = format!("{}{}", rng.choice(&[8, 9]), digits(rng, 7));
                if let Some(c) = mod11_digit(body.as_bytes(), &[3, 2, 7, 6, 5, 4, 3, 2]) {
                    return format!("{body}{c}");
                }
            }
            Dk => {
                let body = format!("{}{}", rng.range(1, 10), digits(rng, 6));
                if let Some(c) = mod11_digit(body.as_bytes(), &[2, 7, 6, 5, 4, 3, 2]) {
                    return format!("{body}{c}");
                }
            }
            Fi => {
                let body = rng.range(1_000_000, 10_000_000).to_string();
                if let Some(c) = mod11_digit(body.as_bytes(), &[7, 9, 10, 5, 8, 4, 2]) {
                    return format!("{body}-{c}");
                }
            }
        }
    }
}

/// Appends the payment reference of `country` for customer digits `cnum` and invoice `number`.
fn push_reference(out: &mut Vec<u8>, country: Country, number: &[u8], cnum: &[u8]) {
    let mut buf = [0u8; 48];
    let mut len = 0;
    let mut push = |bytes: &[u8], len: &mut usize| {
        buf[*len..*len + bytes.len()].copy_from_slice(bytes);
        *len += bytes.len();
    };
    match country {
        Se => {
            // OCR: customer + invoice number, length digit, Luhn digit
            push(cnum, &mut len);
            push(number, &mut len);
            let length_digit = b'0' + ((len + 2) % 10) as u8;
            push(&[length_digit], &mut len);
        }
        No => {
            // KID, mod 10
            push(cnum, &mut len);
            push(number, &mut len);
        }
        Dk => {
            // FIK +71: 15-digit payment id, mod 10
            let pad = 14usize.saturating_sub(cnum.len() + number.len());
            for _ in 0..pad {
                push(b"0", &mut len);
            }
            push(cnum, &mut len);
            push(number, &mut len);
        }
        Fi => {
            // viitenumero
            out.extend_from_slice(number);
            out.push(b'0' + fi_ref_digit(number));
            return;
        }
    }
    let body = &buf[..len];
    out.extend_from_slice(body);
    out.push(b'0' + luhn_digit(body));
}

// ---------------------------------------------------------------------------------------------
// Formatting

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// `12345.50`, or `12 345,50` when nordic.
fn push_money(out: &mut Vec<u8>, cents: i64, nordic: bool) {
    if cents < 0 {
        out.push(b'-');
    }
    let abs = cents.unsigned_abs();
    let (units, frac) = (abs / 100, abs % 100);
    if nordic {
        let mut buf = [0u8; 32];
        let mut i = buf.len();
        let mut n = units;
        let mut count = 0;
        loop {
            if count == 3 {
                i -= 1;
                buf[i] = b' ';
                count = 0;
            }
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            count += 1;
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(&buf[i..]);
        out.push(b',');
    } else {
        push_u64(out, units);
        out.push(b'.');
    }
    out.push(b'0' + (frac / 10) as u8);
    out.push(b'0' + (frac % 10) as u8);
}

fn money(cents: i64, nordic: bool) -> String {
    let mut out = Vec::new();
    push_money(&mut out, cents, nordic);
    String::from_utf8(out).expect("ASCII")
}

/// Windows-1252 bytes for the characters this generator writes; Latin-1 is the same as
/// Windows-1252 from U+00A0 on. Anything else (never produced) becomes `?`.
fn push_cp1252(out: &mut Vec<u8>, s: &str) {
    for ch in s.chars() {
        let byte = match ch {
            c if c.is_ascii() => c as u8,
            'å' => 0xE5,
            'ä' => 0xE4,
            'ö' => 0xF6,
            'æ' => 0xE6,
            'ø' => 0xF8,
            'Å' => 0xC5,
            'Ä' => 0xC4,
            'Ö' => 0xD6,
            'Æ' => 0xC6,
            'Ø' => 0xD8,
            'é' => 0xE9,
            'ü' => 0xFC,
            '–' => 0x96,
            '—' => 0x97,
            c if ('\u{A0}'..='\u{FF}').contains(&c) => c as u32 as u8,
            _ => b'?',
        };
        out.push(byte);
    }
}

/// Appends one CSV record: minimal RFC 4180 quoting, text encoded as UTF-8 or Windows-1252.
fn push_record<S: AsRef<str>>(out: &mut Vec<u8>, fields: &[S], fmt: &Format) {
    for (i, field) in fields.iter().enumerate() {
        let field = field.as_ref();
        if i > 0 {
            out.push(fmt.delim);
        }
        let quote = field.bytes().any(|b| b == fmt.delim || b == b'"' || b == b'\n' || b == b'\r');
        if quote {
            out.push(b'"');
        }
        for (j, part) in field.split('"').enumerate() {
            if j > 0 {
                out.extend_from_slice(b"\"\"");
            }
            if fmt.nordic {
                push_cp1252(out, part);
            } else {
                out.extend_from_slice(part.as_bytes());
            }
        }
        if quote {
            out.push(b'"');
        }
    }
    out.extend_from_slice(fmt.eol);
}

struct Format {
    nordic: bool,
    delim: u8,
    eol: &'static [u8],
}

/// The slug and e-mail local part of a name: lower case, ASCII only (gen.py's ASCII table).
fn ascii_slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for ch in s.chars().flat_map(char::to_lowercase) {
        match ch {
            'å' | 'ä' => out.push('a'),
            'ö' | 'ø' => out.push('o'),
            'æ' => out.push_str("ae"),
            'é' => out.push('e'),
            'ü' => out.push('u'),
            ' ' => out.push('-'),
            '&' => out.push_str("och"),
            '–' | ',' | '"' | '/' | '.' => {}
            c => out.push(c),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Generation

struct Customer {
    id: String,
    country: Country,
    terms: usize,
    /// The customer number without the `C` and leading zeros, for payment references.
    cnum: String,
}

fn phone(rng: &mut Rng, country: Country) -> String {
    let p = country.phone_prefix();
    let s = format!("{:08}", rng.below(100_000_000));
    match country {
        Se => {
            let c = *rng.choice(&['0', '2', '3', '6']);
            format!("{p} 7{c} {} {} {}", &s[..3], &s[3..5], &s[5..7])
        }
        No => {
            let c = *rng.choice(&['4', '9']);
            format!("{p} {c}{} {} {}", &s[..2], &s[2..4], &s[4..7])
        }
        Dk => format!("{p} {} {} {} {}", &s[..2], &s[2..4], &s[4..6], &s[6..8]),
        Fi => {
            let c = *rng.choice(&['0', '4', '5', '6']);
            format!("{p} 4{c} {} {}", &s[..3], &s[3..7])
        }
    }
}

fn write_customers(rng: &mut Rng, n: usize, fmt: &Format, w: &mut impl Write) -> io::Result<Vec<Customer>> {
    let width = 6.max(n.to_string().len());
    let mut meta = Vec::with_capacity(n);
    let mut line = Vec::with_capacity(512);
    push_record(&mut line, &CUSTOMER_HEADER, fmt);
    w.write_all(&line)?;
    for i in 1..=n {
        let id = format!("C{i:0width$}");
        let country = COUNTRIES[rng.weighted(&COUNTRY_WEIGHTS)];
        let ci = country.idx();
        let consumer = rng.random() >= 0.6;
        let first = *rng.choice(FIRST[ci]);
        let last = *rng.choice(LAST[ci]);
        let (name, contact, mut email, credit, segment);
        if consumer {
            name = if rng.random() < 0.04 { format!("{last}, {first}") } else { format!("{first} {last}") };
            contact = String::new();
            email = format!("{}.{}{i}@mail.example", ascii_slug(first), ascii_slug(last));
            credit = *rng.choice(&[0, 5_000, 10_000, 20_000]) * 100;
            segment = "private";
        } else {
            let r = rng.random();
            name = if r < 0.03 {
                let l2 = *rng.choice(LAST[ci]);
                COMPANY_COMMA[ci].replace("{l2}", l2).replace("{l}", last)
            } else if r < 0.04 {
                let word = *rng.choice(WORD[ci]);
                COMPANY_QUOTE[ci].replace("{w}", word)
            } else {
                let tpl = *rng.choice(COMPANY[ci]);
                let word = *rng.choice(WORD[ci]);
                tpl.replace("{l}", last).replace("{w}", word)
            };
            contact = format!("{} {}", rng.choice(FIRST[ci]), rng.choice(LAST[ci]));
            let slug = ascii_slug(&name);
            let slug: Vec<&str> = slug.split('-').filter(|s| !s.is_empty()).collect();
            email = format!("faktura@{}.example", slug.join("-"));
            credit = *rng.choice(&[25_000, 50_000, 100_000, 250_000, 500_000]) * 100;
            segment = *rng.choice(&BUSINESS_SEGMENTS);
        }
        let r = rng.random();
        let lang = if r < 0.03 {
            "en"
        } else if country == Fi && r < 0.09 {
            "sv"
        } else {
            country.language()
        };
        let street = rng.choice(STREET[ci]);
        let number = rng.range(1, 120);
        let address = match country {
            Se if rng.random() < 0.2 => {
                format!("{street} {number}, lgh {}", rng.range(1001, 1305))
            }
            Dk if rng.random() < 0.3 => {
                let floor = rng.range(1, 6);
                let side = rng.choice(&["tv", "th", "mf"]);
                format!("{street} {number}, {floor}. {side}.")
            }
            No if rng.random() < 0.2 => {
                format!("{street} {number} {}", rng.choice(&['A', 'B', 'C']))
            }
            Fi if rng.random() < 0.4 => {
                format!("{street} {number} {} {}", rng.choice(&['A', 'B', 'C']), rng.range(1, 40))
            }
            _ => format!("{street} {number}"),
        };
        let &(city, prefix) = rng.choice(CITY[ci]);
        let mut postcode = format!("{prefix}{}", digits(rng, country.postcode_len() - prefix.len()));
        if country == Se {
            postcode.insert(3, ' ');
        }
        let mut tel = phone(rng, country);
        if rng.random() < 0.07 {
            email.clear();
        }
        if rng.random() < 0.10 {
            tel.clear();
        }
        let credit_s = if rng.random() < 0.03 { String::new() } else { money(credit, fmt.nordic) };
        let terms = [10, 15, 30][rng.weighted(&[0.2, 0.3, 0.5])];
        let org = org_no(rng, country, consumer);
        let kind = if consumer { "consumer" } else { "business" };
        line.clear();
        push_record(
            &mut line,
            &[
                id.as_str(),
                &name,
                kind,
                &org,
                country.code(),
                lang,
                &email,
                &tel,
                &address,
                &postcode,
                city,
                &contact,
                &credit_s,
                segment,
            ],
            fmt,
        );
        w.write_all(&line)?;
        meta.push(Customer { cnum: i.to_string(), id, country, terms });
    }
    Ok(meta)
}

fn write_invoices(
    rng: &mut Rng,
    n: usize,
    as_of: i64,
    customers: &[Customer],
    fmt: &Format,
    w: &mut impl Write,
) -> io::Result<()> {
    let start = as_of - (WINDOW_DAYS as i64 - 1);
    let dates: Vec<[u8; 10]> = (0..WINDOW_DAYS as i64 + 31).map(|d| iso_date(start + d)).collect();
    let weekdays: Vec<usize> = (0..WINDOW_DAYS).filter(|&d| weekday(start + d as i64) < 5).collect();
    let nwd = weekdays.len();
    let last_day = WINDOW_DAYS - 1;
    let ncust = customers.len();
    let mut perm: Vec<usize> = (0..ncust).collect();
    rng.shuffle(&mut perm);
    let (lo, hi) = (10_000f64.ln(), 20_000_000f64.ln());
    let span = hi - lo;

    let mut line = Vec::with_capacity(256);
    push_record(&mut line, &INVOICE_HEADER, fmt);
    w.write_all(&line)?;
    let mut number = [0u8; 20];
    for i in 0..n {
        let day = weekdays[(i as u128 * nwd as u128 / n as u128) as usize];
        let u = rng.random();
        let c = &customers[perm[((u * u * ncust as f64) as usize).min(ncust - 1)]];
        let cents = ((lo + span * rng.random()).exp() as i64).min(20_000_000);
        let r = rng.random();
        let (paid, paid_on) = if r < 0.70 {
            let late = (rng.random() * (c.terms + 45) as f64) as usize;
            (cents, Some(last_day.min(day + late)))
        } else if r < 0.80 {
            let part = (cents as f64 * (0.1 + 0.8 * rng.random())) as i64;
            (part.clamp(1, cents - 1), None)
        } else {
            (0, None)
        };
        let currency = if rng.random() < 0.04 { c.country.other_currency() } else { c.country.currency() };

        line.clear();
        let number = {
            let start = line.len();
            push_u64(&mut line, 100_001 + i as u64);
            let len = line.len() - start;
            number[..len].copy_from_slice(&line[start..]);
            &number[..len]
        };
        line.push(fmt.delim);
        line.extend_from_slice(c.id.as_bytes());
        line.push(fmt.delim);
        line.extend_from_slice(&dates[day]);
        line.push(fmt.delim);
        line.extend_from_slice(&dates[day + c.terms]);
        line.push(fmt.delim);
        push_money(&mut line, cents, fmt.nordic);
        line.push(fmt.delim);
        push_money(&mut line, paid, fmt.nordic);
        line.push(fmt.delim);
        line.extend_from_slice(currency.as_bytes());
        line.push(fmt.delim);
        push_reference(&mut line, c.country, number, c.cnum.as_bytes());
        line.push(fmt.delim);
        if let Some(d) = paid_on {
            line.extend_from_slice(&dates[d]);
        }
        line.extend_from_slice(fmt.eol);
        w.write_all(&line)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Command line

struct Args {
    invoices: usize,
    out: PathBuf,
    nordic: bool,
    seed: u64,
    as_of: i64,
}

fn parse_args() -> Result<Args, String> {
    let mut invoices = None;
    let mut out = None;
    let mut nordic = false;
    let mut seed = DEFAULT_SEED;
    let mut as_of = parse_iso_date(DEFAULT_AS_OF).expect("valid default");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline.clone().or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--nordic" => nordic = true,
            "--invoices" | "-n" => {
                let v = value("--invoices")?;
                let n: usize =
                    v.replace('_', "").parse().map_err(|_| format!("--invoices: {v:?} is not a number"))?;
                if n < 1 {
                    return Err("--invoices must be >= 1".into());
                }
                invoices = Some(n);
            }
            "--out" | "-o" => out = Some(PathBuf::from(value("--out")?)),
            "--seed" => {
                let v = value("--seed")?;
                seed = v.parse().map_err(|_| format!("--seed: {v:?} is not a non-negative integer"))?;
            }
            "--as-of" => {
                let v = value("--as-of")?;
                as_of =
                    parse_iso_date(&v).ok_or_else(|| format!("--as-of: {v:?} is not a YYYY-MM-DD date"))?;
            }
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(Args {
        invoices: invoices.ok_or("--invoices is required")?,
        out: out.ok_or("--out is required")?,
        nordic,
        seed,
        as_of,
    })
}

fn create(path: &Path) -> io::Result<BufWriter<File>> {
    let file =
        File::create(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    Ok(BufWriter::with_capacity(1 << 20, file))
}

fn run(args: &Args) -> io::Result<usize> {
    fs::create_dir_all(&args.out)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", args.out.display())))?;
    let fmt = Format {
        nordic: args.nordic,
        delim: if args.nordic { b';' } else { b',' },
        eol: if args.nordic { b"\r\n" } else { b"\n" },
    };
    let mut rng = Rng::new(args.seed);
    let ncust = (args.invoices / 10).max(1);

    let mut w = create(&args.out.join("customers.csv"))?;
    let customers = write_customers(&mut rng, ncust, &fmt, &mut w)?;
    w.flush()?;

    let mut w = create(&args.out.join("invoices.csv"))?;
    write_invoices(&mut rng, args.invoices, args.as_of, &customers, &fmt, &mut w)?;
    w.flush()?;
    Ok(ncust)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) if msg.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("gen: {msg}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let t0 = Instant::now();
    match run(&args) {
        Ok(ncust) => {
            eprintln!(
                "gen: {} invoices, {ncust} customers -> {} ({}, seed {}, as-of {}) in {:.2} s",
                args.invoices,
                args.out.display(),
                if args.nordic { "nordic" } else { "plain" },
                args.seed,
                String::from_utf8_lossy(&iso_date(args.as_of)),
                t0.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen: {e}");
            ExitCode::FAILURE
        }
    }
}
