//! Business days where the law moves a due date (SPEC §7, `docs/reference/nordic-rules.md`
//! §§ 8.3, 8.4): a due date on a Saturday, Sunday or public holiday moves to the next business
//! day, and neither interest, fees nor the fixed compensation are owed for the days in between.
//!
//! - Sweden, skuldebrevslagen (1974:759) 5 § 2 st. (✅): Saturday, Sunday, allmän helgdag (lag
//!   (1989:253) om allmänna helgdagar), midsommarafton, julafton, nyårsafton.
//! - Finland, velkakirjalaki (622/1947) 5 § 2 mom. (✅): Saturday, Sunday, a church holiday,
//!   itsenäisyyspäivä (6 Dec), vappu (1 May), jouluaatto, juhannusaatto.
//!
//! Norway and Denmark have no such rule in the sources: their due dates stay where they are.
//! Everything is computed (Easter by the Gregorian computus), without allocation: a due date is
//! looked at once per invoice.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Easter Sunday of `year` (Gregorian calendar; anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

/// The calendars `dun` knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calendar {
    Sweden,
    Finland,
}

impl Calendar {
    /// The calendar whose non-business days move a due date under the law of `country`.
    pub fn moving_due_dates(country: &str) -> Option<Calendar> {
        match country {
            "SE" => Some(Calendar::Sweden),
            "FI" => Some(Calendar::Finland),
            _ => None,
        }
    }

    /// The statute that moves a due date.
    pub fn source(self) -> &'static str {
        match self {
            Calendar::Sweden => "skuldebrevslagen (1974:759) 5 § 2 st.",
            Calendar::Finland => "velkakirjalaki (622/1947) 5 § 2 mom.",
        }
    }

    /// The name of the holiday on `date` (in the country's language), if it is one.
    pub fn holiday(self, date: NaiveDate) -> Option<&'static str> {
        let (month, day) = (date.month(), date.day());
        let fixed = match self {
            Calendar::Sweden => match (month, day) {
                (1, 1) => Some("nyårsdagen"),
                (1, 6) => Some("trettondedag jul"),
                (5, 1) => Some("första maj"),
                (6, 6) => Some("Sveriges nationaldag"),
                (12, 24) => Some("julafton"),
                (12, 25) => Some("juldagen"),
                (12, 26) => Some("annandag jul"),
                (12, 31) => Some("nyårsafton"),
                _ => None,
            },
            Calendar::Finland => match (month, day) {
                (1, 1) => Some("uudenvuodenpäivä"),
                (1, 6) => Some("loppiainen"),
                (5, 1) => Some("vappu"),
                (12, 6) => Some("itsenäisyyspäivä"),
                (12, 24) => Some("jouluaatto"),
                (12, 25) => Some("joulupäivä"),
                (12, 26) => Some("tapaninpäivä"),
                _ => None,
            },
        };
        fixed.or_else(|| self.movable_holiday(date))
    }

    /// Easter-based days, and the midsummer and All Saints' weekends.
    fn movable_holiday(self, date: NaiveDate) -> Option<&'static str> {
        // Easter's days fall from Good Friday (20 March at the earliest) to Whit Sunday (13
        // June at the latest), midsummer in June, All Saints' Day from 31 October to 6
        // November: the other months' dates need no computus (half of all due dates).
        if !matches!(date.month(), 3..=6 | 10 | 11) {
            return None;
        }
        self.movable_holiday_any_month(date)
    }

    fn movable_holiday_any_month(self, date: NaiveDate) -> Option<&'static str> {
        let easter = easter_sunday(date.year());
        let offset = (date - easter).num_days();
        let sweden = self == Calendar::Sweden;
        let by_easter = match offset {
            -2 => Some(if sweden { "långfredagen" } else { "pitkäperjantai" }),
            0 => Some(if sweden { "påskdagen" } else { "pääsiäispäivä" }),
            1 => Some(if sweden { "annandag påsk" } else { "2. pääsiäispäivä" }),
            39 => Some(if sweden { "Kristi himmelsfärds dag" } else { "helatorstai" }),
            49 => Some(if sweden { "pingstdagen" } else { "helluntaipäivä" }),
            _ => None,
        };
        if by_easter.is_some() {
            return by_easter;
        }
        let (month, day, weekday) = (date.month(), date.day(), date.weekday());
        match (month, weekday) {
            // Midsummer Eve: the Friday from 19 to 25 June; Midsummer Day the Saturday after.
            (6, Weekday::Fri) if (19..=25).contains(&day) => {
                Some(if sweden { "midsommarafton" } else { "juhannusaatto" })
            }
            (6, Weekday::Sat) if (20..=26).contains(&day) => {
                Some(if sweden { "midsommardagen" } else { "juhannuspäivä" })
            }
            // All Saints' Day: the Saturday from 31 October to 6 November.
            (10, Weekday::Sat) if day == 31 => {
                Some(if sweden { "alla helgons dag" } else { "pyhäinpäivä" })
            }
            (11, Weekday::Sat) if day <= 6 => {
                Some(if sweden { "alla helgons dag" } else { "pyhäinpäivä" })
            }
            _ => None,
        }
    }

    /// Why `date` is not a business day, or `None` when it is one.
    pub fn closed(self, date: NaiveDate) -> Option<&'static str> {
        self.holiday(date).or(match (self, date.weekday()) {
            (Calendar::Sweden, Weekday::Sat) => Some("lördag"),
            (Calendar::Sweden, Weekday::Sun) => Some("söndag"),
            (Calendar::Finland, Weekday::Sat) => Some("lauantai"),
            (Calendar::Finland, Weekday::Sun) => Some("sunnuntai"),
            _ => None,
        })
    }

    pub fn is_business_day(self, date: NaiveDate) -> bool {
        self.closed(date).is_none()
    }

    /// `date` if it is a business day, else the next one.
    pub fn next_business_day(self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        // At most a long Easter or Christmas weekend: the bound only guards the calendar's end.
        for _ in 0..10 {
            if self.is_business_day(day) {
                return day;
            }
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => return day,
            }
        }
        day
    }
}

/// The due date the law counts from, when it moved the invoice's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MovedDue {
    /// The invoice's due date.
    pub from: NaiveDate,
    /// The next business day.
    pub to: NaiveDate,
    /// Why `from` was not a business day ("lördag", "midsommarafton", ...).
    pub because: &'static str,
    pub source: &'static str,
}

/// The legal due date of an invoice due on `due` under the law of `country`: the next business
/// day where the law moves it, with why; `None` when it stays.
pub fn moved_due(country: &str, due: NaiveDate) -> Option<MovedDue> {
    let calendar = Calendar::moving_due_dates(country)?;
    let because = calendar.closed(due)?;
    Some(MovedDue { from: due, to: calendar.next_business_day(due), because, source: calendar.source() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("test date")
    }

    #[test]
    fn movable_holidays_only_in_the_months_looked_at() {
        // Every day of four centuries: skipping the computus outside March–June, October and
        // November finds every movable holiday the full computation finds.
        let mut day = d("1900-01-01");
        let mut found = 0;
        while day <= d("2299-12-31") {
            for calendar in [Calendar::Sweden, Calendar::Finland] {
                let all = calendar.movable_holiday_any_month(day);
                assert_eq!(calendar.movable_holiday(day), all, "{calendar:?} {day}");
                found += usize::from(all.is_some());
            }
            day = day.succ_opt().unwrap();
        }
        // Five Easter days, midsummer's two and All Saints' Day, each year in each calendar.
        assert_eq!(found, 2 * 400 * 8);
    }

    #[test]
    fn easter_sundays_2024_to_2030() {
        // Published Easter dates (also what python-dateutil's `easter` gives).
        let cases = [
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2028, "2028-04-16"),
            (2029, "2029-04-01"),
            (2030, "2030-04-21"),
            (2038, "2038-04-25"),
            (2285, "2285-03-22"),
        ];
        for (year, date) in cases {
            assert_eq!(easter_sunday(year), d(date), "{year}");
        }
    }

    /// Every day in `year` that `calendar` names a holiday.
    fn holidays(calendar: Calendar, year: i32) -> Vec<String> {
        let mut day = d(&format!("{year}-01-01"));
        let mut out = Vec::new();
        while day.year() == year {
            if calendar.holiday(day).is_some() {
                out.push(day.format("%m-%d").to_string());
            }
            day = day.succ_opt().unwrap();
        }
        out
    }

    /// Sweden's allmänna helgdagar (lag 1989:253) with midsommarafton, julafton and nyårsafton,
    /// as the official almanacs list them for 2024–2030: nyårsdagen, trettondedag jul,
    /// långfredagen, påskdagen, annandag påsk, första maj, Kristi himmelsfärds dag, pingstdagen,
    /// nationaldagen, midsommarafton, midsommardagen, alla helgons dag, julafton, juldagen,
    /// annandag jul, nyårsafton.
    #[test]
    fn swedish_holidays_2024_to_2030() {
        let official: [(i32, [&str; 16]); 7] = [
            (
                2024,
                [
                    "01-01", "01-06", "03-29", "03-31", "04-01", "05-01", "05-09", "05-19", "06-06", "06-21",
                    "06-22", "11-02", "12-24", "12-25", "12-26", "12-31",
                ],
            ),
            (
                2025,
                [
                    "01-01", "01-06", "04-18", "04-20", "04-21", "05-01", "05-29", "06-06", "06-08", "06-20",
                    "06-21", "11-01", "12-24", "12-25", "12-26", "12-31",
                ],
            ),
            (
                2026,
                [
                    "01-01", "01-06", "04-03", "04-05", "04-06", "05-01", "05-14", "05-24", "06-06", "06-19",
                    "06-20", "10-31", "12-24", "12-25", "12-26", "12-31",
                ],
            ),
            (
                2027,
                [
                    "01-01", "01-06", "03-26", "03-28", "03-29", "05-01", "05-06", "05-16", "06-06", "06-25",
                    "06-26", "11-06", "12-24", "12-25", "12-26", "12-31",
                ],
            ),
            (
                2028,
                [
                    "01-01", "01-06", "04-14", "04-16", "04-17", "05-01", "05-25", "06-04", "06-06", "06-23",
                    "06-24", "11-04", "12-24", "12-25", "12-26", "12-31",
                ],
            ),
            (
                2029,
                [
                    "01-01", "01-06", "03-30", "04-01", "04-02", "05-01", "05-10", "05-20", "06-06", "06-22",
                    "06-23", "11-03", "12-24", "12-25", "12-26", "12-31",
                ],
            ),
            (
                2030,
                [
                    "01-01", "01-06", "04-19", "04-21", "04-22", "05-01", "05-30", "06-06", "06-09", "06-21",
                    "06-22", "11-02", "12-24", "12-25", "12-26", "12-31",
                ],
            ),
        ];
        for (year, days) in official {
            assert_eq!(holidays(Calendar::Sweden, year), days, "{year}");
        }
    }

    /// Finland's church holidays with itsenäisyyspäivä, vappu, jouluaatto and juhannusaatto (the
    /// days velkakirjalaki 5 § names), as the official calendars list them for 2024–2030:
    /// uudenvuodenpäivä, loppiainen, pitkäperjantai, pääsiäispäivä, 2. pääsiäispäivä, vappu,
    /// helatorstai, helluntaipäivä, juhannusaatto, juhannuspäivä, pyhäinpäivä,
    /// itsenäisyyspäivä, jouluaatto, joulupäivä, tapaninpäivä.
    #[test]
    fn finnish_holidays_2024_to_2030() {
        let official: [(i32, [&str; 15]); 7] = [
            (
                2024,
                [
                    "01-01", "01-06", "03-29", "03-31", "04-01", "05-01", "05-09", "05-19", "06-21", "06-22",
                    "11-02", "12-06", "12-24", "12-25", "12-26",
                ],
            ),
            (
                2025,
                [
                    "01-01", "01-06", "04-18", "04-20", "04-21", "05-01", "05-29", "06-08", "06-20", "06-21",
                    "11-01", "12-06", "12-24", "12-25", "12-26",
                ],
            ),
            (
                2026,
                [
                    "01-01", "01-06", "04-03", "04-05", "04-06", "05-01", "05-14", "05-24", "06-19", "06-20",
                    "10-31", "12-06", "12-24", "12-25", "12-26",
                ],
            ),
            (
                2027,
                [
                    "01-01", "01-06", "03-26", "03-28", "03-29", "05-01", "05-06", "05-16", "06-25", "06-26",
                    "11-06", "12-06", "12-24", "12-25", "12-26",
                ],
            ),
            (
                2028,
                [
                    "01-01", "01-06", "04-14", "04-16", "04-17", "05-01", "05-25", "06-04", "06-23", "06-24",
                    "11-04", "12-06", "12-24", "12-25", "12-26",
                ],
            ),
            (
                2029,
                [
                    "01-01", "01-06", "03-30", "04-01", "04-02", "05-01", "05-10", "05-20", "06-22", "06-23",
                    "11-03", "12-06", "12-24", "12-25", "12-26",
                ],
            ),
            (
                2030,
                [
                    "01-01", "01-06", "04-19", "04-21", "04-22", "05-01", "05-30", "06-09", "06-21", "06-22",
                    "11-02", "12-06", "12-24", "12-25", "12-26",
                ],
            ),
        ];
        for (year, days) in official {
            assert_eq!(holidays(Calendar::Finland, year), days, "{year}");
        }
    }

    #[test]
    fn due_dates_move_to_the_next_business_day_in_sweden_and_finland() {
        // (country, due, moved to, because)
        let cases = [
            // The case: Saturday 31 Oct 2026 is also alla helgons dag.
            ("SE", "2026-10-31", Some(("2026-11-02", "alla helgons dag"))),
            ("SE", "2026-01-31", Some(("2026-02-02", "lördag"))),
            ("SE", "2026-02-01", Some(("2026-02-02", "söndag"))),
            // Easter: Good Friday → Tuesday after Easter Monday.
            ("SE", "2026-04-03", Some(("2026-04-07", "långfredagen"))),
            ("SE", "2026-06-19", Some(("2026-06-22", "midsommarafton"))),
            // Christmas Eve (Thursday) → Sunday 27 → Monday 28; New Year's Eve → 2 Jan 2027.
            ("SE", "2026-12-24", Some(("2026-12-28", "julafton"))),
            ("SE", "2026-12-31", Some(("2027-01-04", "nyårsafton"))),
            ("SE", "2026-11-02", None),
            ("FI", "2026-12-06", Some(("2026-12-07", "itsenäisyyspäivä"))),
            ("FI", "2026-05-01", Some(("2026-05-04", "vappu"))),
            ("FI", "2026-06-06", Some(("2026-06-08", "lauantai"))),
            // Sweden's national day is not a Finnish holiday.
            ("FI", "2029-06-06", None),
            ("SE", "2029-06-06", Some(("2029-06-07", "Sveriges nationaldag"))),
            // No such rule in Norway, Denmark or elsewhere.
            ("NO", "2026-10-31", None),
            ("DK", "2026-12-25", None),
            ("DE", "2026-10-31", None),
        ];
        for (country, due, expected) in cases {
            let got = moved_due(country, d(due)).map(|m| (m.to, m.because));
            assert_eq!(got, expected.map(|(to, why)| (d(to), why)), "{country} {due}");
        }
        let moved = moved_due("SE", d("2026-10-31")).unwrap();
        assert_eq!(moved.source, "skuldebrevslagen (1974:759) 5 § 2 st.");
        assert_eq!(moved.from, d("2026-10-31"));
    }

    #[test]
    fn next_business_day_is_a_business_day_and_no_later_than_needed() {
        for calendar in [Calendar::Sweden, Calendar::Finland] {
            let mut day = d("2023-01-01");
            while day < d("2031-01-01") {
                let next = calendar.next_business_day(day);
                assert!(next >= day && calendar.is_business_day(next), "{calendar:?} {day}");
                let mut between = day;
                while between < next {
                    assert!(!calendar.is_business_day(between), "{calendar:?} {between}");
                    between = between.succ_opt().unwrap();
                }
                day = day.succ_opt().unwrap();
            }
        }
    }
}
