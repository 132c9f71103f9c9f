//! What the shared layout prints, worked out from facts rather than from the reader's language
//! (SPEC section 9): the postal lines in the order the destination country's post reads them,
//! whom a letter greets, what the company's registration number and a payment reference are
//! called. Pure: the caller gives the values.

use crate::core::reference::{RefKind, detect_reference, validate_reference};

/// A rectangle on the A4 sheet, in millimetres from its top left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub top: f32,
    pub left: f32,
    pub width: f32,
    pub height: f32,
}

/// Where a letter prints the recipient's address, whatever the sender block above holds: 46 mm
/// from the top and 20 mm from the left edge, at most 85 x 22 mm (five lines of
/// [`ADDRESS_LINE_MM`]), inside the left window of both common Nordic window envelopes, C5
/// (window 44-79 mm from the top) and E65 (40-70 mm), whose windows start 15 mm from the left
/// edge. The HTML letter's style sheet (`partials/letter_page.hbs`) places it there (a test
/// holds the two together) and the PDF letter draws it there.
pub const ADDRESS_BLOCK: Area = Area { top: 46.0, left: 20.0, width: 85.0, height: 22.0 };

/// The address block's line height.
pub const ADDRESS_LINE_MM: f32 = 4.3;

/// The printed page's margins in millimetres: top, right, bottom, left (`@page` in the style
/// sheet).
pub const PAGE_MARGINS_MM: [f32; 4] = [15.0, 18.0, 18.0, 20.0];

/// The height of a letter's head (sender, address block, date) below the top margin: the
/// text starts under it, on every letter.
pub const HEAD_HEIGHT_MM: f32 = 60.0;

/// Countries whose post wants the town and the postcode on lines of their own, town first
/// (Royal Mail, An Post): `LONDON` / `SW1A 1AA`.
const TOWN_THEN_POSTCODE_LINE: [&str; 2] = ["GB", "IE"];

/// Countries that write the town first and the postcode after it on one line
/// (`SPRINGFIELD IL 62701`, `SYDNEY NSW 2000`, `TORONTO ON M5V 2T6`).
const TOWN_THEN_POSTCODE: [&str; 4] = ["US", "CA", "AU", "NZ"];

/// The address lines below the name (and contact person) on an envelope, in the order of the
/// destination `country`: the street, postcode and town as that country writes them, and
/// when the letter goes abroad the country's name in capitals on the last line, in English,
/// which the posts of the sending and the receiving country both read (UPU).
pub fn postal_lines(
    address: Option<&str>,
    postcode: Option<&str>,
    city: Option<&str>,
    country: &str,
    origin_country: &str,
) -> Vec<String> {
    let clean = |value: Option<&str>| value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let (address, postcode, city) = (clean(address), clean(postcode), clean(city));
    let country = country.trim().to_ascii_uppercase();
    let abroad = !country.is_empty() && !country.eq_ignore_ascii_case(origin_country.trim());
    let mut lines: Vec<String> = address.into_iter().flat_map(split_lines).collect();
    let code = country.as_str();
    if TOWN_THEN_POSTCODE_LINE.contains(&code) {
        lines.extend(city.map(|c| c.to_uppercase()));
        lines.extend(postcode.map(|p| p.to_uppercase()));
    } else {
        let town_first = TOWN_THEN_POSTCODE.contains(&code);
        let parts: Vec<String> = if town_first {
            [city, postcode].into_iter().flatten().collect()
        } else {
            [postcode, city].into_iter().flatten().collect()
        };
        if !parts.is_empty() {
            lines.push(parts.join(" "));
        }
    }
    if abroad {
        lines.push(english_country_name(code).map_or_else(|| code.to_owned(), str::to_owned));
    }
    lines
}

/// The English short name in capitals of the countries a Nordic business writes to most.
pub fn english_country_name(code: &str) -> Option<&'static str> {
    const NAMES: [(&str, &str); 43] = [
        ("AT", "AUSTRIA"),
        ("AU", "AUSTRALIA"),
        ("BE", "BELGIUM"),
        ("BG", "BULGARIA"),
        ("CA", "CANADA"),
        ("CH", "SWITZERLAND"),
        ("CN", "CHINA"),
        ("CY", "CYPRUS"),
        ("CZ", "CZECHIA"),
        ("DE", "GERMANY"),
        ("DK", "DENMARK"),
        ("EE", "ESTONIA"),
        ("ES", "SPAIN"),
        ("FI", "FINLAND"),
        ("FO", "FAROE ISLANDS"),
        ("FR", "FRANCE"),
        ("GB", "UNITED KINGDOM"),
        ("GL", "GREENLAND"),
        ("GR", "GREECE"),
        ("HR", "CROATIA"),
        ("HU", "HUNGARY"),
        ("IE", "IRELAND"),
        ("IN", "INDIA"),
        ("IS", "ICELAND"),
        ("IT", "ITALY"),
        ("JP", "JAPAN"),
        ("LI", "LIECHTENSTEIN"),
        ("LT", "LITHUANIA"),
        ("LU", "LUXEMBOURG"),
        ("LV", "LATVIA"),
        ("MT", "MALTA"),
        ("NL", "NETHERLANDS"),
        ("NO", "NORWAY"),
        ("NZ", "NEW ZEALAND"),
        ("PL", "POLAND"),
        ("PT", "PORTUGAL"),
        ("RO", "ROMANIA"),
        ("SE", "SWEDEN"),
        ("SI", "SLOVENIA"),
        ("SK", "SLOVAKIA"),
        ("TR", "TURKEY"),
        ("UA", "UKRAINE"),
        ("US", "UNITED STATES"),
    ];
    NAMES.iter().find(|(known, _)| known.eq_ignore_ascii_case(code)).map(|(_, name)| *name)
}

/// A street field may hold several lines (`c/o`, a building name), separated by newlines.
fn split_lines(text: String) -> Vec<String> {
    text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_owned).collect()
}

/// Whom a letter greets: the contact person when there is one; a consumer by name (a person
/// is not "customer"); a business without a contact person by no name (the template's
/// neutral greeting).
pub fn greeting_name(consumer: bool, name: &str, contact: Option<&str>) -> Option<String> {
    let contact = contact.map(str::trim).filter(|c| !c.is_empty());
    match contact {
        Some(contact) => Some(contact.to_owned()),
        None if consumer && !name.trim().is_empty() => Some(name.trim().to_owned()),
        None => None,
    }
}

/// The key under `words.org_no` for a company of `country`: the registration number is named
/// by the register that issued it (an `Org.nr`, a `CVR-nr.`, a `Y-tunnus`), in any language.
pub fn org_scheme(country: &str) -> &'static str {
    match country.trim().to_ascii_uppercase().as_str() {
        "SE" => "SE",
        "NO" => "NO",
        "DK" => "DK",
        "FI" => "FI",
        _ => "other",
    }
}

/// The payment-reference scheme of the company's country: what its bank's incoming-payment
/// service checks.
pub fn country_scheme(country: &str) -> Option<RefKind> {
    match country.trim().to_ascii_uppercase().as_str() {
        "SE" => Some(RefKind::Ocr),
        "NO" => Some(RefKind::Kid),
        "DK" => Some(RefKind::Fik),
        "FI" => Some(RefKind::Viite),
        _ => None,
    }
}

/// The key under `words.reference` for `reference`: `rf` for a creditor reference, else the
/// first of the `preferred` schemes (the policy's `reminder.reference`, then the company
/// country's) it is valid under, else the first scheme it is valid under at all, else `none`
/// (labelled just "reference"). A reference is named by what it is, never by the reader's
/// language: a Swedish OCR number stays an OCR number in a Finnish letter.
pub fn reference_scheme(reference: &str, preferred: &[RefKind]) -> &'static str {
    if validate_reference(RefKind::Rf, reference).is_ok() {
        return RefKind::Rf.name();
    }
    if let Some(kind) = preferred.iter().find(|kind| validate_reference(**kind, reference).is_ok()) {
        return kind.name();
    }
    detect_reference(reference).first().map_or("none", |kind| kind.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(address: &str, postcode: &str, city: &str, country: &str) -> Vec<String> {
        postal_lines(Some(address), Some(postcode), Some(city), country, "SE")
    }

    #[test]
    fn nordic_addresses_have_postcode_then_town() {
        assert_eq!(lines("Hamngatan 1", "411 14", "Göteborg", "SE"), ["Hamngatan 1", "411 14 Göteborg"]);
        assert_eq!(lines("Storgata 5", "0155", "Oslo", "NO"), ["Storgata 5", "0155 Oslo", "NORWAY"]);
        assert_eq!(
            lines("Mannerheimintie 1", "00100", "Helsinki", "FI"),
            ["Mannerheimintie 1", "00100 Helsinki", "FINLAND"]
        );
        assert_eq!(
            lines("Strandvejen 1", "2900", "Hellerup", "dk"),
            ["Strandvejen 1", "2900 Hellerup", "DENMARK"]
        );
    }

    #[test]
    fn uk_addresses_have_town_then_postcode_on_own_lines() {
        // Royal Mail: post town in capitals, postcode on the last line before the country.
        assert_eq!(
            lines("10 Downing Street", "SW1A 2AA", "London", "GB"),
            ["10 Downing Street", "LONDON", "SW1A 2AA", "UNITED KINGDOM"]
        );
        let irish = postal_lines(Some("1 High St"), Some("d02 x285"), Some("Dublin"), "IE", "GB");
        assert_eq!(irish, ["1 High St", "DUBLIN", "D02 X285", "IRELAND"]);
    }

    #[test]
    fn north_american_addresses_have_town_then_postcode() {
        assert_eq!(
            lines("1 Main St", "62701", "Springfield IL", "US"),
            ["1 Main St", "Springfield IL 62701", "UNITED STATES"]
        );
    }

    #[test]
    fn missing_parts_leave_no_blank_lines() {
        assert_eq!(postal_lines(None, None, Some("Visby"), "SE", "SE"), ["Visby"]);
        assert_eq!(postal_lines(Some("c/o Berg\nBox 12"), Some(" "), None, "", "SE"), ["c/o Berg", "Box 12"]);
        assert_eq!(
            postal_lines(Some("Rue 1"), Some("75001"), Some("Paris"), "XX", "SE"),
            ["Rue 1", "75001 Paris", "XX"]
        );
    }

    #[test]
    fn consumers_are_greeted_by_name() {
        assert_eq!(greeting_name(true, "Anna Berg", None).as_deref(), Some("Anna Berg"));
        assert_eq!(greeting_name(true, "Anna Berg", Some("Olle")).as_deref(), Some("Olle"));
        assert_eq!(greeting_name(false, "Fisk AB", None), None);
        assert_eq!(greeting_name(false, "Fisk AB", Some(" Åsa ")).as_deref(), Some("Åsa"));
    }

    #[test]
    fn references_are_named_by_scheme() {
        assert_eq!(reference_scheme("RF18539007547034", &[RefKind::Ocr]), "rf");
        assert_eq!(reference_scheme("1234567897", &[RefKind::Ocr]), "ocr");
        // A valid viitenumero that is no OCR: named a viite whatever the company prefers.
        assert_eq!(reference_scheme("16625", &[RefKind::Ocr]), "viite");
        assert_eq!(reference_scheme("not a ref", &[RefKind::Ocr]), "none");
        assert_eq!(org_scheme("se"), "SE");
        assert_eq!(org_scheme("DE"), "other");
    }
}
