//! Dates as Nordic exports write them. US order (MM/DD) is never assumed.

use chrono::{Datelike, NaiveDate};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    Empty,
    /// The text has a date's shape but names no day of the calendar (`31.02.2026`).
    NoSuchDay,
    Malformed,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateError::Empty => "is empty, expected a date",
            DateError::NoSuchDay => "is not a valid date",
            DateError::Malformed => {
                "is not a date (expected YYYY-MM-DD, YYYYMMDD, DD.MM.YYYY, DD-MM-YYYY or DD/MM/YYYY)"
            }
        })
    }
}

/// Parses `YYYY-MM-DD`, `YYYYMMDD`, `DD.MM.YYYY`, `DD-MM-YYYY`, `DD/MM/YYYY`
/// (day and month may have one digit with `.` as Finnish and Norwegian exports write them).
/// A trailing midnight time (`2026-01-31 00:00:00`, as spreadsheets export dates) is accepted.
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    // The ISO form nearly every file writes, straight to the day: this runs for every date of
    // every row, and the general path below reads it the same way.
    if let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = text.as_bytes()
        && let (Some(y), Some(m), Some(d)) = (num(&[y0, y1, y2, y3]), num(&[m0, m1]), num(&[d0, d1]))
    {
        return NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(DateError::NoSuchDay);
    }
    parse_any_date(text)
}

/// [`parse_date`] for every form it takes.
fn parse_any_date(text: &str) -> Result<NaiveDate, DateError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DateError::Empty);
    }
    let text = strip_midnight(text);
    let b = text.as_bytes();
    let (y, m, d) = match b.len() {
        8 if b.iter().all(u8::is_ascii_digit) => (num(&b[0..4]), num(&b[4..6]), num(&b[6..8])),
        10 if b[4] == b'-' && b[7] == b'-' => (num(&b[0..4]), num(&b[5..7]), num(&b[8..10])),
        10 if matches!(b[2], b'.' | b'-' | b'/') && b[5] == b[2] => {
            (num(&b[6..10]), num(&b[3..5]), num(&b[0..2]))
        }
        _ => short_dotted(text).ok_or(DateError::Malformed)?,
    };
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(DateError::Malformed);
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(DateError::NoSuchDay)
}

fn strip_midnight(text: &str) -> &str {
    for suffix in [" 00:00:00", "T00:00:00", " 00:00"] {
        if let Some(rest) = text.strip_suffix(suffix) {
            return rest;
        }
    }
    text
}

type Ymd = (Option<u32>, Option<u32>, Option<u32>);

/// `1.2.2026` and `01.2.2026`: only with dots, the way fi/nb spreadsheets write dates.
fn short_dotted(text: &str) -> Option<Ymd> {
    let mut parts = text.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.is_empty() || d.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    if y.len() != 4 {
        return None;
    }
    Some((num(y.as_bytes()), num(m.as_bytes()), num(d.as_bytes())))
}

fn num(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
}

/// Formats a date as ISO 8601, the one format `dun` writes for machines.
pub fn format_date(date: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    write_date(&mut out, date);
    out
}

/// [`format_date`] appended to `out`: what chrono's `%Y-%m-%d` writes, without reading the
/// format each time (issue #14: the outputs of `dun due` write two dates on each of a quarter
/// of a million rows, some twice, and chrono's formatting was a tenth of the run).
pub fn write_date(out: &mut String, date: NaiveDate) {
    let year = date.year();
    let Ok(year @ 0..=9999) = u32::try_from(year) else {
        // Five digits or before year 0: chrono's sign and width rules.
        use std::fmt::Write as _;
        let _ = write!(out, "{}", date.format("%Y-%m-%d"));
        return;
    };
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let (month, day) = (date.month(), date.day());
    for c in [
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        '-',
        digit(month / 10),
        digit(month),
        '-',
        digit(day / 10),
        digit(day),
    ] {
        out.push(c);
    }
}

/// The half-year a date lies in, as `2026H2`.
pub fn half_year(date: NaiveDate) -> String {
    format!("{}H{}", date.year(), if date.month() <= 6 { 1 } else { 2 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn reads_every_documented_format() {
        for text in [
            "2026-11-24",
            "20261124",
            "24.11.2026",
            "24-11-2026",
            "24/11/2026",
            " 24.11.2026 ",
            "2026-11-24 00:00:00",
        ] {
            assert_eq!(parse_date(text), Ok(ymd(2026, 11, 24)), "{text:?}");
        }
        assert_eq!(parse_date("1.2.2026"), Ok(ymd(2026, 2, 1)));
        assert_eq!(parse_date("01.2.2026"), Ok(ymd(2026, 2, 1)));
    }

    proptest! {
        /// Every date is written as chrono writes it, the years before 0 and after 9999 too.
        #[test]
        fn dates_are_written_as_chrono_writes_them(days in -100_000_000i64..100_000_000i64) {
            let date = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days / 1000);
            let near = ymd(1970, 1, 1) + chrono::Duration::days(days % 40_000);
            for date in [date, near] {
                let mut out = String::from("x");
                write_date(&mut out, date);
                prop_assert_eq!(&out[1..], date.format("%Y-%m-%d").to_string());
                prop_assert_eq!(format_date(date), date.format("%Y-%m-%d").to_string());
            }
        }
    }

    #[test]
    fn dates_at_the_edges_of_four_digit_years() {
        for (y, m, d, text) in [
            (0, 1, 1, "0000-01-01"),
            (9999, 12, 31, "9999-12-31"),
            (10000, 1, 1, "+10000-01-01"),
            (-1, 12, 31, "-0001-12-31"),
            (2026, 2, 9, "2026-02-09"),
        ] {
            assert_eq!(format_date(ymd(y, m, d)), text);
        }
    }

    #[test]
    fn names_impossible_days() {
        assert_eq!(parse_date("31.02.2026"), Err(DateError::NoSuchDay));
        assert_eq!(parse_date("2026-02-29"), Err(DateError::NoSuchDay));
        assert_eq!(parse_date("2028-02-29"), Ok(ymd(2028, 2, 29)));
        assert_eq!(parse_date("2026-13-01"), Err(DateError::NoSuchDay));
    }

    #[test]
    fn rejects_other_shapes() {
        for text in ["11/24/26", "2026/11/24x", "24.11.26", "abc", "2026-1-24", "24.11-2026", "+2026-11-2"] {
            assert!(parse_date(text).is_err(), "{text:?}");
        }
        assert_eq!(parse_date(""), Err(DateError::Empty));
    }

    proptest! {
        #[test]
        fn iso_round_trips(days in 0i64..200_000) {
            let date = ymd(1900, 1, 1) + chrono::Days::new(days as u64);
            prop_assert_eq!(parse_date(&format_date(date)), Ok(date));
            let nordic = date.format("%d.%m.%Y").to_string();
            prop_assert_eq!(parse_date(&nordic), Ok(date));
        }

        /// The ISO fast path answers as the general reading does, whatever ten bytes it gets:
        /// digits, dashes, blanks, signs and letters where the digits go, impossible days.
        #[test]
        fn the_iso_shortcut_reads_as_every_other_form_does(text in "[0-9 +T:a-]{10}|[0-9]{4}-[0-9]{2}-[0-9]{2}") {
            prop_assert_eq!(parse_date(&text), parse_any_date(&text));
        }

        #[test]
        fn never_panics(text in "\\PC{0,14}") {
            let _ = parse_date(&text);
        }
    }
}
