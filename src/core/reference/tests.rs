use super::*;
use proptest::prelude::*;

fn valid(kind: RefKind, s: &str) -> bool {
    validate_reference(kind, s).is_ok()
}

fn org_ok(country: &str, consumer: bool, s: &str) -> bool {
    validate_org_no(country, consumer, s).is_ok()
}

fn org_err(country: &str, consumer: bool, s: &str) -> String {
    match validate_org_no(country, consumer, s) {
        Ok(()) => format!("{s} unexpectedly valid"),
        Err(e) => e.to_string(),
    }
}

// --- RefKind ---

#[test]
fn ref_kind_names_round_trip() {
    for kind in RefKind::ALL {
        assert_eq!(kind.name().parse::<RefKind>(), Ok(kind));
        assert_eq!(kind.to_string(), kind.name());
    }
    assert_eq!(" VIITE ".parse::<RefKind>(), Ok(RefKind::Viite));
    let unknown = "iban".parse::<RefKind>().unwrap_err();
    assert_eq!(unknown.to_string(), "unknown reference kind \"iban\" (expected ocr, kid, fik, viite or rf)");
}

// --- normalize, digits_of, format ---

#[test]
fn normalize_strips_spaces_hyphens_and_uppercases() {
    assert_eq!(normalize_reference(" rf18 5390\u{a0}0754-7034 "), "RF18539007547034");
    assert_eq!(normalize_reference("1234\u{2011}5"), "12345");
    assert_eq!(normalize_reference(""), "");
}

#[test]
fn normalize_keeps_a_trailing_kid_hyphen() {
    assert_eq!(normalize_reference("12-34 - "), "1234-");
    assert_eq!(normalize_reference(" - -"), "");
}

#[test]
fn digits_of_invoice_number() {
    assert_eq!(digits_of("F-2026-0017"), "20260017");
    assert_eq!(digits_of("ABC"), "");
    assert_eq!(digits_of("١٢"), "", "non-ASCII digits are not digits here");
}

#[test]
fn format_groups_viite_from_the_right_and_rf_from_the_left() {
    assert_eq!(format_reference(RefKind::Viite, "234096783"), "2340 96783");
    assert_eq!(format_reference(RefKind::Viite, "16625"), "16625");
    assert_eq!(format_reference(RefKind::Viite, "0016625"), "16625");
    assert_eq!(format_reference(RefKind::Viite, "1234567890"), "12345 67890");
    assert_eq!(format_reference(RefKind::Rf, "RF18539007547034"), "RF18 5390 0754 7034");
    assert_eq!(format_reference(RefKind::Rf, "rf4516625"), "RF45 1662 5");
    assert_eq!(format_reference(RefKind::Ocr, "1234 5678 97"), "1234567897");
    assert_eq!(format_reference(RefKind::Kid, "1234-"), "1234-");
    assert_eq!(format_reference(RefKind::Viite, ""), "");
    assert_eq!(format_reference(RefKind::Viite, "000"), "000");
}

// --- SE OCR (section 5 vectors) ---

#[test]
fn ocr_vectors() {
    assert!(valid(RefKind::Ocr, "1230"));
    assert!(valid(RefKind::Ocr, "12351"));
    assert!(valid(RefKind::Ocr, "123456789023"));
    assert_eq!(generate_reference(RefKind::Ocr, "123").as_deref(), Ok("12351"));
    assert_eq!(generate_reference(RefKind::Ocr, "1234567890").as_deref(), Ok("123456789023"));
}

#[test]
fn ocr_vectors_with_one_digit_changed_are_rejected() {
    for changed in ["1231", "1330", "12352", "12451", "123456789024", "123456780023"] {
        assert!(!valid(RefKind::Ocr, changed), "{changed}");
    }
    assert_eq!(
        validate_reference(RefKind::Ocr, "12352").unwrap_err().to_string(),
        "check digit is 2, expected 1"
    );
}

#[test]
fn ocr_length_digit() {
    assert!(ocr_has_valid_length_digit("12351"));
    assert!(ocr_has_valid_length_digit("123456789023"));
    assert!(!ocr_has_valid_length_digit("1230"), "check digit only");
    assert!(!ocr_has_valid_length_digit("12361"));
    assert!(!ocr_has_valid_length_digit(""));
    assert!(!ocr_has_valid_length_digit("2"));
    assert!(!ocr_has_valid_length_digit("12a51"));
}

#[test]
fn ocr_boundaries() {
    assert_eq!(validate_reference(RefKind::Ocr, ""), Err(RefError::Empty));
    assert_eq!(validate_reference(RefKind::Ocr, " - "), Err(RefError::Empty));
    assert_eq!(
        validate_reference(RefKind::Ocr, "0").unwrap_err().to_string(),
        "must be 2 to 25 digits, got 1"
    );
    assert!(valid(RefKind::Ocr, "00"));
    let longest = generate_reference(RefKind::Ocr, &"7".repeat(23)).unwrap_or_default();
    assert_eq!(longest.len(), 25);
    assert!(valid(RefKind::Ocr, &longest));
    assert_eq!(
        validate_reference(RefKind::Ocr, &format!("{longest}0")),
        Err(RefError::Length { min: 2, max: 25, found: 26, unit: DIGITS })
    );
    assert_eq!(
        validate_reference(RefKind::Ocr, "12a51").unwrap_err().to_string(),
        "contains a non-digit ('A')"
    );
    assert_eq!(
        generate_reference(RefKind::Ocr, &"1".repeat(24)).unwrap_err().to_string(),
        "reference body must be 1 to 23 digits, got 24"
    );
    assert!(generate_reference(RefKind::Ocr, "").is_err());
    assert!(generate_reference(RefKind::Ocr, "12x").is_err());
}

// --- NO KID ---

#[test]
fn kid_vectors() {
    assert!(kid_mod10_valid("12344"));
    assert!(!kid_mod11_valid("12344"));
    assert!(kid_mod11_valid("12343"));
    assert!(!kid_mod10_valid("12343"));
    assert!(valid(RefKind::Kid, "12344"));
    assert!(valid(RefKind::Kid, "12343"));
    assert_eq!(generate_reference(RefKind::Kid, "1234").as_deref(), Ok("12344"));
    assert_eq!(generate_kid_mod11("1234").as_deref(), Ok("12343"));
}

#[test]
fn kid_vectors_with_one_digit_changed_are_rejected() {
    for changed in ["12345", "12354", "22344", "12353", "13343"] {
        assert!(!valid(RefKind::Kid, changed), "{changed}");
    }
    assert_eq!(
        validate_reference(RefKind::Kid, "12345").unwrap_err().to_string(),
        "check digit is 5, expected 4 (MOD10) or 3 (MOD11)"
    );
}

#[test]
fn kid_mod11_hyphen_check_character() {
    // Find a body whose MOD11 check value is 10, rather than trusting a hand calculation.
    let body = (10..1000)
        .map(|n| n.to_string())
        .find(|body| kid_mod11_check_char(&digit_values(body).unwrap_or_default()) == '-')
        .unwrap_or_default();
    let kid = generate_kid_mod11(&body).unwrap_or_default();
    assert!(kid.ends_with('-'), "{kid}");
    assert!(kid_mod11_valid(&kid));
    assert!(valid(RefKind::Kid, &format!(" {kid} ")));
    assert!(!kid_mod10_valid(&kid));
    assert!(!valid(RefKind::Kid, &format!("{body}0-")), "wrong body");
    assert!(!valid(RefKind::Kid, "12-3"), "hyphen only at the end");
}

#[test]
fn kid_boundaries() {
    assert_eq!(validate_reference(RefKind::Kid, ""), Err(RefError::Empty));
    assert!(!valid(RefKind::Kid, "0"));
    assert!(valid(RefKind::Kid, "00"));
    assert!(!valid(RefKind::Kid, &"0".repeat(26)));
    assert!(valid(RefKind::Kid, &"0".repeat(25)));
    assert_eq!(validate_reference(RefKind::Kid, "1234X"), Err(RefError::NonDigit { found: 'X' }));
    assert_eq!(validate_reference(RefKind::Ocr, "12٣4"), Err(RefError::NonDigit { found: '٣' }));
    assert!(!kid_mod10_valid("abc"));
    assert!(!kid_mod11_valid(""));
    assert!(generate_reference(RefKind::Kid, &"1".repeat(25)).is_err());
    assert!(generate_kid_mod11("").is_err());
}

// --- DK FIK ---

#[test]
fn fik_vectors() {
    assert!(valid(RefKind::Fik, "18"));
    assert!(valid(RefKind::Fik, "26"));
    assert!(valid(RefKind::Fik, "000000000000018"));
    assert_eq!(generate_reference(RefKind::Fik, "1").as_deref(), Ok("000000000000018"));
    assert_eq!(generate_reference(RefKind::Fik, "2").as_deref(), Ok("000000000000026"));
}

#[test]
fn fik_vectors_with_one_digit_changed_are_rejected() {
    for changed in ["19", "28", "000000000000019", "000000000000118", "100000000000018"] {
        assert!(!valid(RefKind::Fik, changed), "{changed}");
    }
}

#[test]
fn fik_boundaries() {
    assert!(!valid(RefKind::Fik, "0000000000000018"), "16 digits");
    assert!(!valid(RefKind::Fik, "8"));
    assert!(!valid(RefKind::Fik, ""));
    assert!(!valid(RefKind::Fik, "+71<18"));
    assert_eq!(generate_reference(RefKind::Fik, "12345678901234").map(|fik| fik.len()), Ok(15));
    assert!(generate_reference(RefKind::Fik, "123456789012345").is_err());
}

// --- FI viitenumero ---

#[test]
fn viite_vectors() {
    assert!(valid(RefKind::Viite, "16625"));
    assert!(valid(RefKind::Viite, "234096783"));
    assert!(valid(RefKind::Viite, "2340 96783"));
    assert_eq!(generate_reference(RefKind::Viite, "1662").as_deref(), Ok("16625"));
    assert_eq!(generate_reference(RefKind::Viite, "23409678").as_deref(), Ok("234096783"));
}

#[test]
fn viite_vectors_with_one_digit_changed_are_rejected() {
    for changed in ["16626", "16525", "26625", "234096784", "234196783"] {
        assert!(!valid(RefKind::Viite, changed), "{changed}");
    }
    assert_eq!(
        validate_reference(RefKind::Viite, "16626").unwrap_err().to_string(),
        "check digit is 6, expected 5"
    );
}

#[test]
fn viite_short_bodies_are_padded_with_a_leading_one() {
    assert_eq!(generate_reference(RefKind::Viite, "7").as_deref(), Ok("1070"));
    assert_eq!(generate_reference(RefKind::Viite, "7"), generate_reference(RefKind::Viite, "107"));
    assert_eq!(generate_reference(RefKind::Viite, "42"), generate_reference(RefKind::Viite, "142"));
    assert_eq!(generate_reference(RefKind::Viite, "0042"), generate_reference(RefKind::Viite, "42"));
    assert!(generate_reference(RefKind::Viite, "000").is_err());
    assert!(generate_reference(RefKind::Viite, "").is_err());
    assert!(generate_reference(RefKind::Viite, &"9".repeat(19)).is_ok());
    assert_eq!(
        generate_reference(RefKind::Viite, &"9".repeat(20)).unwrap_err().to_string(),
        "reference body must be 1 to 19 digits (not counting leading zeros), got 20"
    );
}

#[test]
fn viite_boundaries() {
    let four = generate_reference(RefKind::Viite, "123").unwrap_or_default();
    assert_eq!(four.len(), 4);
    assert!(valid(RefKind::Viite, &four));
    assert!(valid(RefKind::Viite, &format!("0000{four}")), "leading zeros ignored");
    assert_eq!(
        validate_reference(RefKind::Viite, "0178").unwrap_err().to_string(),
        "must be 4 to 20 digits (not counting leading zeros), got 3"
    );
    let twenty = generate_reference(RefKind::Viite, &"1".repeat(19)).unwrap_or_default();
    assert!(valid(RefKind::Viite, &twenty));
    assert!(!valid(RefKind::Viite, &format!("1{twenty}")));
    assert!(!valid(RefKind::Viite, "1662S"));
}

// --- RF ---

#[test]
fn rf_vectors() {
    assert!(valid(RefKind::Rf, "RF18 5390 0754 7034"));
    assert!(valid(RefKind::Rf, "RF18539007547034"));
    assert!(valid(RefKind::Rf, "RF45 16625"));
    assert_eq!(generate_reference(RefKind::Rf, "539007547034").as_deref(), Ok("RF18539007547034"));
    assert_eq!(generate_reference(RefKind::Rf, "16625").as_deref(), Ok("RF4516625"));
}

#[test]
fn rf_vectors_with_one_digit_changed_are_rejected() {
    for changed in [
        "RF18539007547035",
        "RF19539007547034",
        "RF28539007547034",
        "RF18539007547134",
        "RF4516626",
        "RF4616625",
    ] {
        assert!(!valid(RefKind::Rf, changed), "{changed}");
    }
    assert_eq!(
        validate_reference(RefKind::Rf, "RF19539007547034").unwrap_err().to_string(),
        "check digits are 19, expected 18"
    );
}

#[test]
fn rf_with_letters_and_case() {
    let rf = generate_reference(RefKind::Rf, "inv 2026 a17").unwrap_or_default();
    assert!(rf.starts_with("RF") && rf.ends_with("INV2026A17"), "{rf}");
    assert!(valid(RefKind::Rf, &rf.to_lowercase()));
    assert!(!valid(RefKind::Rf, &rf.replace("INV", "INW")));
}

#[test]
fn rf_boundaries() {
    assert_eq!(validate_reference(RefKind::Rf, "16625"), Err(RefError::MissingRfPrefix));
    assert!(!valid(RefKind::Rf, "RF45"), "no body");
    assert!(!valid(RefKind::Rf, "RF"));
    assert!(!valid(RefKind::Rf, "RFAB16625"));
    assert_eq!(validate_reference(RefKind::Rf, "RF45166_25"), Err(RefError::NotAlphanumeric { found: '_' }));
    let longest = generate_reference(RefKind::Rf, &"Z".repeat(21)).unwrap_or_default();
    assert_eq!(longest.len(), 25);
    assert!(valid(RefKind::Rf, &longest));
    assert!(!valid(RefKind::Rf, &format!("{longest}Z")));
    assert!(generate_reference(RefKind::Rf, &"Z".repeat(22)).is_err());
    assert!(generate_reference(RefKind::Rf, "").is_err());
    assert!(generate_reference(RefKind::Rf, "ÅÄÖ").is_err());
}

#[test]
fn rf_non_canonical_check_digits_are_rejected() {
    // 98 ≡ 01 and 02 ≡ 99 (mod 97): the mod-97 test alone would accept both spellings.
    let body =
        (0..1000).map(|n| n.to_string()).find(|body| rf_check_digits(body) == "98").unwrap_or_default();
    assert!(valid(RefKind::Rf, &format!("RF98{body}")));
    assert!(!valid(RefKind::Rf, &format!("RF01{body}")));
}

// --- detect ---

#[test]
fn detect_reports_every_matching_kind() {
    assert_eq!(detect_reference("000000000000018"), vec![RefKind::Ocr, RefKind::Kid, RefKind::Fik]);
    assert_eq!(detect_reference("12343"), vec![RefKind::Kid]);
    assert_eq!(detect_reference("RF18 5390 0754 7034"), vec![RefKind::Rf]);
    assert!(detect_reference("16625").contains(&RefKind::Viite));
    assert!(detect_reference("").is_empty());
    assert!(detect_reference("hello").is_empty());
}

// --- Bankgiro / plusgiro ---

#[test]
fn bankgiro_and_plusgiro() {
    assert!(validate_bankgiro("900-0001"));
    assert!(!validate_bankgiro("900-0002"));
    assert!(!validate_bankgiro("901-0001"));
    assert!(!validate_bankgiro("18"), "too short for a bankgiro");
    assert!(!validate_bankgiro("123456789"));
    assert!(!validate_bankgiro(""));
    assert!(!validate_bankgiro("900-000A"));
    assert!(validate_plusgiro("18"));
    assert!(validate_plusgiro("900-0001"));
    assert!(!validate_plusgiro("19"));
    assert!(!validate_plusgiro("8"));
    assert!(!validate_plusgiro("123456782"), "9 digits");
}

// --- Algorithms detect every single-digit substitution (exhaustive on short bodies) ---

/// Every scheme here sums one contribution per digit position, so whether a substitution
/// is detected depends only on the position and the two digits, not on the other digits.
/// Checking each (position, old digit, new digit) against an all-zero body is therefore
/// exhaustive for bodies up to `max_body_len` digits.
fn every_single_substitution_changes_check(check_digit: fn(&[u8]) -> u8, max_body_len: usize) {
    for position in 0..max_body_len {
        for old in 0..10 {
            for new in (0..10).filter(|&d| d != old) {
                let mut body = vec![0; max_body_len];
                body[position] = old;
                let check = check_digit(&body);
                body[position] = new;
                assert_ne!(check_digit(&body), check, "position {position}: {old} → {new}");
            }
        }
    }
}

#[test]
fn luhn_detects_every_single_digit_substitution() {
    every_single_substitution_changes_check(luhn_check_digit, 24);
}

#[test]
fn weights_731_detect_every_single_digit_substitution() {
    every_single_substitution_changes_check(viite_check_digit, 24);
}

#[test]
fn kid_mod11_detects_every_single_digit_substitution() {
    fn as_digit(body: &[u8]) -> u8 {
        match kid_mod11_check_char(body) {
            '-' => 10,
            c => c.to_digit(10).map_or(11, |d| d as u8),
        }
    }
    every_single_substitution_changes_check(as_digit, 24);
}

#[test]
fn mod97_detects_every_single_digit_substitution() {
    fn low_byte(body: &[u8]) -> u8 {
        (mod97(digits_to_string(body).chars()) % 256) as u8
    }
    every_single_substitution_changes_check(low_byte, 24);
}

// --- Organisation / identity numbers (section 6 vectors) ---

#[test]
fn se_orgnr_vectors() {
    for business in [false, true] {
        assert!(org_ok("SE", business, "123456-7897"));
        assert!(org_ok("SE", business, "556036-0793"));
    }
    assert!(org_ok("SE", false, "5560360793"));
    assert!(org_ok("SE", false, "16556036-0793"));
    assert!(org_ok("SE", false, "165560360793"));
    assert!(org_ok("se", false, " 556036 0793 "));
}

#[test]
fn se_orgnr_vectors_with_one_digit_changed_are_rejected() {
    assert_eq!(
        org_err("SE", false, "556036-0794"),
        "Swedish organisation number 556036-0794 fails its check digit (expected 3)"
    );
    assert!(!org_ok("SE", false, "123456-7898"));
    assert!(!org_ok("SE", false, "556136-0793"));
    assert!(!org_ok("SE", false, "16556036-0794"));
}

#[test]
fn se_personnummer_vectors() {
    for consumer in [true, false] {
        assert!(org_ok("SE", consumer, "880320-0016"));
    }
    assert!(org_ok("SE", true, "8803200016"));
    assert!(org_ok("SE", true, "880320+0016"));
    assert!(org_ok("SE", true, "19880320-0016"));
    assert!(org_ok("SE", true, "198803200016"));
    assert_eq!(
        org_err("SE", true, "880320-0017"),
        "Swedish personal identity number 880320-0017 fails its check digit (expected 6)"
    );
    assert!(!org_ok("SE", true, "880321-0016"));
}

fn with_luhn(first_nine: &str) -> String {
    let body = digit_values(first_nine).unwrap_or_default();
    format!("{first_nine}{}", luhn_check_digit(&body))
}

#[test]
fn se_personnummer_date_rules() {
    let thirteenth_month = with_luhn("881320001");
    assert_eq!(
        org_err("SE", true, &thirteenth_month),
        format!("Swedish personal identity number {thirteenth_month} does not contain a valid date of birth")
    );
    assert!(org_ok("SE", true, &with_luhn("880380001")), "samordningsnummer");
    assert!(!org_ok("SE", true, &with_luhn("880392001")), "day 32 + 60");
    assert!(org_ok("SE", true, &with_luhn("000229001")), "29 Feb, century unknown");
    assert!(!org_ok("SE", true, &with_luhn("010229001")));
    assert!(!org_ok("SE", true, &format!("19{}", with_luhn("000229001"))));
    assert!(org_ok("SE", true, &format!("20{}", with_luhn("000229001"))));
    assert!(!org_ok("SE", true, &format!("21{}", with_luhn("880320001"))));
    // A plus sign marks a person, so an organisation-shaped number with it fails its date.
    assert!(!org_ok("SE", false, "556036+0793"));
}

#[test]
fn se_format_errors() {
    assert_eq!(
        org_err("SE", false, "12345"),
        "Swedish organisation or personal identity number 12345 must be 10 digits \
         (NNNNNN-NNNN) or 12 digits (YYYYMMDD-NNNN)"
    );
    assert_eq!(org_err("SE", false, "  "), "Swedish organisation or personal identity number is empty");
    assert!(!org_ok("SE", false, "5560360-793"));
    assert!(!org_ok("SE", false, "55603607931"));
    assert!(!org_ok("SE", false, "556O36-0793"));
}

#[test]
fn no_orgnr_vectors() {
    assert!(org_ok("NO", false, "988 077 917"));
    assert!(org_ok("NO", false, "988077917"));
    assert_eq!(
        org_err("NO", false, "988 077 918"),
        "Norwegian organisation number 988 077 918 fails its check digit (expected 7)"
    );
    assert!(!org_ok("NO", false, "988 078 917"));
    assert!(!org_ok("NO", false, "98807791"));
    assert!(!org_ok("NO", false, "15108695088"), "a fødselsnummer is not an orgnr");
}

#[test]
fn no_orgnr_remainder_one_is_never_issued() {
    let first_eight = (10_000_000..10_001_000)
        .map(|n: u32| n.to_string())
        .find(|eight| {
            let digits = digit_values(eight).unwrap_or_default();
            mod11_check_digit(&digits, &[3, 2, 7, 6, 5, 4, 3, 2]).is_none()
        })
        .unwrap_or_default();
    assert_eq!(
        org_err("NO", false, &format!("{first_eight}0")),
        format!("Norwegian organisation number {first_eight}0 is never issued (its check digit would be 10)")
    );
}

#[test]
fn no_fodselsnummer() {
    assert!(org_ok("NO", true, "151086 95088"));
    assert!(org_ok("NO", true, "15108695088"));
    assert_eq!(
        org_err("NO", true, "15108695077"),
        "Norwegian national identity number 15108695077 fails its check digits (expected 88)"
    );
    assert!(!org_ok("NO", true, "15108695089"));
    assert!(!org_ok("NO", true, "25108695088"));
    assert!(!org_ok("NO", true, "988077917"));
}

fn with_fodselsnummer_checks(first_nine: &str) -> String {
    let digits = digit_values(first_nine).unwrap_or_default();
    let first = mod11_check_digit(&digits, &[3, 7, 6, 1, 8, 9, 4, 5, 2]);
    let mut with_first = digits.to_vec();
    with_first.extend(first);
    let second = mod11_check_digit(&with_first, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    format!("{first_nine}{}{}", first.unwrap_or(0), second.unwrap_or(0))
}

#[test]
fn no_fodselsnummer_dates() {
    // Try serial numbers until both check digits exist, then test the date rules.
    let valid_for = |date_and_century: &str| {
        (0..10).any(|last| {
            let number = with_fodselsnummer_checks(&format!("{date_and_century}{last}"));
            org_ok("NO", true, &number)
        })
    };
    assert!(valid_for("15108695"), "1986, serial 950-959");
    assert!(valid_for("55108695"), "D-number");
    assert!(valid_for("15508695"), "H-number");
    assert!(!valid_for("15908695"), "synthetic test number");
    assert!(!valid_for("32108695"), "day 32");
    assert!(valid_for("29020050"), "2000 is a leap year (serial 500+)");
    assert!(!valid_for("29020040"), "1900 was not (serial < 500)");
    assert!(!valid_for("15108680"), "serial 800 with year 86 has no century");
}

#[test]
fn dk_cvr() {
    assert!(org_ok("DK", false, "13585628"));
    assert!(org_ok("DK", false, "13 58 56 28"));
    assert_eq!(
        org_err("DK", false, "13585629"),
        "Danish CVR number 13585629 fails its check digit (expected 8)"
    );
    assert!(!org_ok("DK", false, "13595628"));
    assert_eq!(org_err("DK", false, "03585628"), "Danish CVR number 03585628 must not start with 0");
    assert!(!org_ok("DK", false, "1358562"));
    assert!(!org_ok("DK", false, "135856288"));
}

#[test]
fn dk_cpr() {
    assert!(org_ok("DK", true, "211062-5629"));
    assert!(org_ok("DK", true, "2110625629"));
    assert!(org_ok("DK", true, "2110625628"), "no modulus check since 2007");
    assert_eq!(
        org_err("DK", true, "511062-5629"),
        "Danish CPR number 511062-5629 does not contain a valid date of birth"
    );
    assert!(!org_ok("DK", true, "211362-5629"));
    assert!(org_ok("DK", true, "290200-4000"), "2000 (digit 4, year < 37)");
    assert!(!org_ok("DK", true, "290200-0000"), "1900 (digit 0)");
    assert!(!org_ok("DK", true, "211062-562"));
    assert!(!org_ok("DK", true, "211062/5629"));
}

#[test]
fn fi_ytunnus() {
    assert!(org_ok("FI", false, "2077474-0"));
    assert!(org_ok("FI", false, "20774740"));
    assert_eq!(
        org_err("FI", false, "2077474-1"),
        "Finnish business ID (Y-tunnus) 2077474-1 fails its check digit (expected 0)"
    );
    assert!(!org_ok("FI", false, "2077475-0"));
    assert!(!org_ok("FI", false, "207747-40"));
    assert!(!org_ok("FI", false, "077474-0"));
}

#[test]
fn fi_hetu() {
    assert!(org_ok("FI", true, "131052-308T"));
    assert!(org_ok("FI", true, "131052-308t"));
    assert_eq!(
        org_err("FI", true, "131052-308U"),
        "Finnish personal identity code (henkilötunnus) 131052-308U fails its check \
         character (expected T)"
    );
    assert!(!org_ok("FI", true, "131052-309T"));
    assert!(!org_ok("FI", true, "310252-308Y"), "31 February");
    assert!(org_ok("FI", true, "131052Y308T"), "2023 century signs");
    assert!(!org_ok("FI", true, "131052G308T"));
    assert!(!org_ok("FI", true, "131052-001T"), "individual 001");
    assert!(!org_ok("FI", true, "131052-308"));
}

#[test]
fn remaining_error_messages() {
    assert_eq!(validate_reference(RefKind::Viite, " ").unwrap_err().to_string(), "is empty");
    assert_eq!(validate_reference(RefKind::Rf, "16625").unwrap_err().to_string(), "must start with RF");
    assert_eq!(
        validate_reference(RefKind::Rf, "RF45166_25").unwrap_err().to_string(),
        "contains '_'; only letters A-Z and digits are allowed"
    );
    assert_eq!(
        org_err("FI", true, "131052-001T"),
        "Finnish personal identity code (henkilötunnus) 131052-001T is never issued \
         (individual numbers start at 002)"
    );
    assert_eq!(
        org_err("FI", false, "2077474"),
        "Finnish business ID (Y-tunnus) 2077474 must be 7 digits, a hyphen and a check \
         digit (NNNNNNN-C)"
    );
    assert_eq!(
        org_err("FI", true, "131052"),
        "Finnish personal identity code (henkilötunnus) 131052 must be DDMMYY, a century \
         sign, 3 digits and a check character (like 131052-308T)"
    );
    assert_eq!(org_err("DK", false, "1358562"), "Danish CVR number 1358562 must be 8 digits");
    assert_eq!(org_err("DK", true, "21106"), "Danish CPR number 21106 must be 10 digits (DDMMYY-SSSS)");
    assert_eq!(org_err("NO", false, "98807791"), "Norwegian organisation number 98807791 must be 9 digits");
}

#[test]
fn unknown_countries_are_not_checked() {
    assert!(org_ok("DE", false, "anything"));
    assert!(org_ok("", true, ""));
}

#[test]
fn wrong_number_type_for_the_customer() {
    assert_eq!(
        org_err("NO", true, "988077917"),
        "Norwegian national identity number 988077917 must be 11 digits (DDMMYY NNNNN)"
    );
    assert!(!org_ok("FI", true, "2077474-0"));
    assert!(!org_ok("DK", true, "13585628"));
}

// --- Property tests ---

/// Replace the digit at the `index`-th digit position by `(digit + offset) mod 10`, with
/// `offset` in 1..=9 so the digit always changes.
fn change_one_digit(reference: &str, index: prop::sample::Index, offset: u8) -> String {
    let positions: Vec<usize> =
        reference.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i).collect();
    let mut bytes = reference.as_bytes().to_vec();
    if !positions.is_empty() {
        let at = positions[index.index(positions.len())];
        bytes[at] = b'0' + (bytes[at] - b'0' + offset) % 10;
    }
    String::from_utf8(bytes).unwrap_or_default()
}

proptest! {
    #[test]
    fn generated_ocr_validates(body in "[0-9]{1,23}") {
        let ocr = generate_reference(RefKind::Ocr, &body).unwrap_or_default();
        prop_assert!(valid(RefKind::Ocr, &ocr));
        prop_assert!(ocr_has_valid_length_digit(&ocr));
        prop_assert!(ocr.starts_with(&body));
    }

    #[test]
    fn generated_kid_validates(body in "[0-9]{1,24}") {
        let mod10 = generate_reference(RefKind::Kid, &body).unwrap_or_default();
        let mod11 = generate_kid_mod11(&body).unwrap_or_default();
        prop_assert!(kid_mod10_valid(&mod10) && valid(RefKind::Kid, &mod10));
        prop_assert!(kid_mod11_valid(&mod11) && valid(RefKind::Kid, &mod11));
    }

    #[test]
    fn generated_fik_validates(body in "[0-9]{1,14}") {
        let fik = generate_reference(RefKind::Fik, &body).unwrap_or_default();
        prop_assert_eq!(fik.len(), 15);
        prop_assert!(valid(RefKind::Fik, &fik));
    }

    #[test]
    fn generated_viite_validates(body in "[0-9]{0,3}[1-9][0-9]{0,15}") {
        let viite = generate_reference(RefKind::Viite, &body).unwrap_or_default();
        prop_assert!(valid(RefKind::Viite, &viite));
        prop_assert!(valid(RefKind::Viite, &format_reference(RefKind::Viite, &viite)));
        let rf = generate_reference(RefKind::Rf, &viite).unwrap_or_default();
        prop_assert!(valid(RefKind::Rf, &rf));
    }

    #[test]
    fn generated_rf_validates(body in "[0-9A-Za-z]{1,21}") {
        let rf = generate_reference(RefKind::Rf, &body).unwrap_or_default();
        prop_assert!(valid(RefKind::Rf, &rf));
        prop_assert!(valid(RefKind::Rf, &format_reference(RefKind::Rf, &rf)));
    }

    #[test]
    fn one_changed_digit_invalidates_ocr(
        body in "[0-9]{1,23}", index in any::<prop::sample::Index>(), offset in 1u8..10,
    ) {
        let ocr = generate_reference(RefKind::Ocr, &body).unwrap_or_default();
        prop_assert!(!valid(RefKind::Ocr, &change_one_digit(&ocr, index, offset)));
    }

    #[test]
    fn one_changed_digit_invalidates_kid(
        body in "[0-9]{1,24}", index in any::<prop::sample::Index>(), offset in 1u8..10,
    ) {
        // Only within one algorithm: a changed MOD10 KID may pass MOD11 by chance.
        let mod10 = generate_reference(RefKind::Kid, &body).unwrap_or_default();
        prop_assert!(!kid_mod10_valid(&change_one_digit(&mod10, index, offset)));
        let mod11 = generate_kid_mod11(&body).unwrap_or_default();
        prop_assert!(!kid_mod11_valid(&change_one_digit(&mod11, index, offset)));
    }

    #[test]
    fn one_changed_digit_invalidates_fik(
        body in "[0-9]{1,14}", index in any::<prop::sample::Index>(), offset in 1u8..10,
    ) {
        let fik = generate_reference(RefKind::Fik, &body).unwrap_or_default();
        prop_assert!(!valid(RefKind::Fik, &change_one_digit(&fik, index, offset)));
    }

    #[test]
    fn one_changed_digit_invalidates_viite(
        body in "[1-9][0-9]{0,18}", index in any::<prop::sample::Index>(), offset in 1u8..10,
    ) {
        let viite = generate_reference(RefKind::Viite, &body).unwrap_or_default();
        prop_assert!(!valid(RefKind::Viite, &change_one_digit(&viite, index, offset)));
    }

    #[test]
    fn one_changed_digit_invalidates_rf(
        body in "[0-9A-Z]{1,21}", index in any::<prop::sample::Index>(), offset in 1u8..10,
    ) {
        let rf = generate_reference(RefKind::Rf, &body).unwrap_or_default();
        prop_assert!(!valid(RefKind::Rf, &change_one_digit(&rf, index, offset)));
    }

    #[test]
    fn normalize_is_idempotent(s in any::<String>()) {
        let once = normalize_reference(&s);
        prop_assert_eq!(normalize_reference(&once), once);
    }

    #[test]
    fn normalize_is_idempotent_on_reference_like_text(s in "[0-9a-zA-Z \u{a0}\u{2011}-]{0,30}") {
        let once = normalize_reference(&s);
        prop_assert_eq!(normalize_reference(&once), once);
    }

    #[test]
    fn no_input_panics(s in any::<String>()) {
        exercise_everything(&s);
    }

    #[test]
    fn no_reference_like_input_panics(s in "[0-9A-Za-z+ -]{0,30}") {
        exercise_everything(&s);
    }
}

fn exercise_everything(s: &str) {
    for kind in RefKind::ALL {
        let _ = validate_reference(kind, s);
        let _ = generate_reference(kind, s);
        let _ = format_reference(kind, s);
    }
    let _ = detect_reference(s);
    let _ = ocr_has_valid_length_digit(s);
    let _ = kid_mod10_valid(s);
    let _ = kid_mod11_valid(s);
    let _ = generate_kid_mod11(s);
    let _ = validate_bankgiro(s);
    let _ = validate_plusgiro(s);
    for country in ["SE", "NO", "DK", "FI", "XX"] {
        for consumer in [false, true] {
            let _ = validate_org_no(country, consumer, s);
        }
    }
    let _ = s.parse::<RefKind>();
}

/// Digits past what is kept on the stack are read as well as those within it: a long number
/// is refused for its length, not for a digit misread, and a character past the stack's room
/// is named.
#[test]
fn digits_longer_than_the_stack_holds() {
    let long = "4".repeat(40);
    assert_eq!(&*digit_values(&long).unwrap_or_default(), &[4; 40][..]);
    assert_eq!(
        validate_reference(RefKind::Ocr, &long),
        Err(RefError::Length { min: 2, max: 25, found: 40, unit: DIGITS })
    );
    assert_eq!(validate_reference(RefKind::Ocr, &format!("{long}å")), Err(RefError::NonDigit { found: 'å' }));
    let exactly = "12".repeat(16);
    assert_eq!(&*digit_values(&exactly).unwrap_or_default(), &[1, 2].repeat(16)[..]);
}
