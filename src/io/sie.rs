//! SIE 4 (Sweden's accounting interchange, `#FLAGGA … #VER … #TRANS`) read into its records:
//! the company, the financial year, the objects of each dimension, the opening and closing
//! balances, and every posting with its object list. What the postings mean for receivables is
//! worked out in `core::sie`.
//!
//! Facts (`docs/reference/export-formats.md` §1, the SIE 4B specification): the text is CP437
//! ("PC8"); fields are separated by blanks or tabs; strings are quoted, `\"` a quote inside;
//! an object list is `{dim "object" dim "object"}`; `#VER` opens a block `{ … }` of `#TRANS`
//! lines; `#RTRANS` (added) is followed by the same `#TRANS` and `#BTRANS` (removed) by none,
//! so only `#TRANS` counts. Labels `dun` does not need are skipped.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::core::sie::{Posting, SieFile};

/// A token of a SIE line: a word or string, or an object list.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Text(String),
    List(Vec<String>),
}

/// Decodes a SIE file: CP437 as the standard says, unless the bytes are UTF-8 with letters
/// outside ASCII (a file re-saved by an editor).
pub fn decode(bytes: &[u8]) -> String {
    if !bytes.is_ascii()
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return text.trim_start_matches('\u{feff}').to_owned();
    }
    bytes.iter().map(|&b| if b < 0x80 { char::from(b) } else { CP437_HIGH[usize::from(b - 0x80)] }).collect()
}

/// CP437's characters for 0x80..=0xFF.
const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', 'É', 'æ', 'Æ', 'ô', 'ö',
    'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', 'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐',
    '¬', '½', '¼', '¡', '«', '»', '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛',
    '┐', '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', '╨', '╤', '╥', '╙',
    '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', 'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ',
    'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²',
    '■', '\u{a0}',
];

/// Whether the bytes look like a SIE file: the first label is a SIE one.
pub fn looks_like_sie(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(512)];
    let start = head.iter().position(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    start.is_some_and(|i| {
        head[i..].starts_with(b"#FLAGGA")
            || head[i..].starts_with(b"#PROGRAM")
            || head[i..].starts_with(b"#SIETYP")
    })
}

/// Reads a SIE file's records; errors name the line and what was expected (all of them, up to
/// 50).
pub fn parse(bytes: &[u8]) -> Result<SieFile, Vec<String>> {
    let text = decode(bytes);
    let mut sie = SieFile::default();
    let mut errors = Vec::new();
    let mut voucher: Option<(String, Option<NaiveDate>)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim();
        match trimmed {
            "" => continue,
            "{" => continue,
            "}" => {
                voucher = None;
                continue;
            }
            _ => {}
        }
        let Some(rest) = trimmed.strip_prefix('#') else { continue };
        let (label, rest) = rest.split_once(|c: char| c.is_whitespace()).unwrap_or((rest, ""));
        let tokens = tokenize(rest);
        let text_at = |i: usize| match tokens.get(i) {
            Some(Token::Text(t)) => Some(t.as_str()),
            _ => None,
        };
        let mut fail = |what: String| {
            if errors.len() < 50 {
                errors.push(format!("line {line}: #{label}: {what}"));
            }
        };
        match label.to_ascii_uppercase().as_str() {
            "PROGRAM" => sie.program = text_at(0).map(str::to_owned),
            "FNAMN" => sie.company = text_at(0).map(str::to_owned),
            "VALUTA" => sie.currency = text_at(0).map(str::to_owned),
            "RAR" if text_at(0) == Some("0") => {
                match (text_at(1).and_then(date), text_at(2).and_then(date)) {
                    (Some(a), Some(b)) => sie.year = Some((a, b)),
                    _ => fail("expected the year's first and last day as YYYYMMDD".to_owned()),
                }
            }
            "DIM" => {
                if let Some(d) = text_at(0) {
                    sie.dimensions.push(d.to_owned());
                }
            }
            "OBJEKT" => match (text_at(0), text_at(1)) {
                (Some(d), Some(o)) => {
                    sie.objects.push(((d.to_owned(), o.to_owned()), text_at(2).unwrap_or(o).to_owned()))
                }
                _ => fail("expected a dimension and an object".to_owned()),
            },
            "IB" | "UB" if text_at(0) == Some("0") => match (text_at(1), text_at(2).and_then(amount)) {
                (Some(account), Some(value)) => {
                    let list =
                        if label.eq_ignore_ascii_case("IB") { &mut sie.opening } else { &mut sie.closing };
                    list.push((account.to_owned(), value));
                }
                _ => fail("expected an account and an amount like 1234.50".to_owned()),
            },
            "OIB" if text_at(0) == Some("0") => {
                match (text_at(1), tokens.get(2), text_at(3).and_then(amount)) {
                    (Some(account), Some(Token::List(objects)), Some(value)) => {
                        sie.object_opening.push(Posting {
                            line,
                            account: account.to_owned(),
                            objects: pairs(objects),
                            amount: value,
                            date: None,
                            text: String::new(),
                            voucher: None,
                        })
                    }
                    _ => fail("expected an account, an object list {…} and an amount".to_owned()),
                }
            }
            "VER" => {
                let id =
                    format!("{} {}", text_at(0).unwrap_or(""), text_at(1).unwrap_or("")).trim().to_owned();
                let day = text_at(2).and_then(date);
                if day.is_none() {
                    fail(format!("\"{}\" is not a date YYYYMMDD", text_at(2).unwrap_or("")));
                }
                sie.voucher_accounts.push((id.clone(), Vec::new()));
                voucher = Some((id, day));
            }
            "TRANS" => {
                let (account, objects) = match (text_at(0), tokens.get(1)) {
                    (Some(a), Some(Token::List(o))) => (a, pairs(o)),
                    (Some(a), _) => (a, Vec::new()),
                    _ => {
                        fail("expected an account".to_owned());
                        continue;
                    }
                };
                let Some(value) = text_at(2).and_then(amount) else {
                    fail(format!("\"{}\" is not an amount like -1234.50", text_at(2).unwrap_or("")));
                    continue;
                };
                let own_date = text_at(3).filter(|t| !t.is_empty());
                let day = match own_date {
                    Some(t) => match date(t) {
                        Some(d) => Some(d),
                        None => {
                            fail(format!("\"{t}\" is not a date YYYYMMDD"));
                            continue;
                        }
                    },
                    None => voucher.as_ref().and_then(|(_, d)| *d),
                };
                let id = voucher.as_ref().map(|(id, _)| id.clone());
                if let Some((_, accounts)) = sie.voucher_accounts.last_mut().filter(|_| id.is_some()) {
                    accounts.push(account.to_owned());
                }
                sie.transactions.push(Posting {
                    line,
                    account: account.to_owned(),
                    objects,
                    amount: value,
                    date: day,
                    text: text_at(4).unwrap_or("").to_owned(),
                    voucher: id,
                });
            }
            _ => {}
        }
    }
    if errors.is_empty() { Ok(sie) } else { Err(errors) }
}

/// `{8 "30083" 10 "12"}` → `[("8", "30083"), ("10", "12")]`.
fn pairs(list: &[String]) -> Vec<(String, String)> {
    list.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0].clone(), c[1].clone())).collect()
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y%m%d").ok()
}

fn amount(text: &str) -> Option<Decimal> {
    text.parse::<Decimal>().ok()
}

/// Splits the fields of a SIE line: words, quoted strings and `{…}` object lists.
fn tokenize(line: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = line.chars().peekable();
    let mut list: Option<Vec<String>> = None;
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&c) = chars.peek() else { break };
        match c {
            '{' => {
                chars.next();
                list = Some(Vec::new());
            }
            '}' => {
                chars.next();
                tokens.push(Token::List(list.take().unwrap_or_default()));
            }
            _ => {
                let word = if c == '"' {
                    chars.next();
                    let mut s = String::new();
                    while let Some(ch) = chars.next() {
                        match ch {
                            '\\' if chars.peek() == Some(&'"') => {
                                s.push('"');
                                chars.next();
                            }
                            '"' => break,
                            _ => s.push(ch),
                        }
                    }
                    s
                } else {
                    let mut s = String::new();
                    while let Some(&ch) = chars.peek() {
                        if ch.is_whitespace() || ch == '{' || ch == '}' {
                            break;
                        }
                        s.push(ch);
                        chars.next();
                    }
                    s
                };
                match list.as_mut() {
                    Some(l) => l.push(word),
                    None => tokens.push(Token::Text(word)),
                }
            }
        }
    }
    if let Some(l) = list {
        tokens.push(Token::List(l));
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_strings_and_object_lists() {
        assert_eq!(
            tokenize(
                "1510\t{8 \"30006\"\t6 \"2\"\t10 \"93\"}\t6125.00\t20101110\t\"30006 Bergs, \\\"93\\\"\"\t\"\""
            ),
            vec![
                Token::Text("1510".into()),
                Token::List(vec![
                    "8".into(),
                    "30006".into(),
                    "6".into(),
                    "2".into(),
                    "10".into(),
                    "93".into()
                ]),
                Token::Text("6125.00".into()),
                Token::Text("20101110".into()),
                Token::Text("30006 Bergs, \"93\"".into()),
                Token::Text(String::new()),
            ]
        );
        assert_eq!(
            tokenize("1930 {} 131906.25"),
            vec![Token::Text("1930".into()), Token::List(vec![]), Token::Text("131906.25".into())]
        );
    }

    #[test]
    fn cp437_letters() {
        // "Svenska Mässan i Göteborg" as Mamut writes it.
        assert_eq!(decode(b"M\x84ssan i G\x94teborg \x8f\x8e\x99 \x86"), "Mässan i Göteborg ÅÄÖ å");
        assert_eq!(decode("Mässan".as_bytes()), "Mässan");
    }

    #[test]
    fn records() {
        let text: &[u8] = b"#FLAGGA 0\n#PROGRAM \"Test\" 1.0\n#FORMAT PC8\n#SIETYP 4\n#FNAMN \"F\x94retaget AB\"\n\
                    #RAR 0 20260101 20261231\n#RAR -1 20250101 20251231\n#DIM 8 \"Kund\"\n#DIM 10 \"Faktura\"\n\
                    #OBJEKT 8 \"K1\" \"Alfa AB\"\n#IB 0 1510 1000.00\n#IB -1 1510 5.00\n\
                    #OIB 0 1510 {8 \"K1\" 10 \"7\"} 1000.00\n#UB 0 1510 1250.00\n\
                    #VER A 1 20260105 \"Faktura 8\"\n{\n#TRANS 3001 {} -200.00\n#TRANS 2611 {} -50.00\n\
                    #RTRANS 1510 {8 \"K1\" 10 \"8\"} 250.00\n#TRANS 1510 {8 \"K1\" 10 \"8\"} 250.00\n\
                    #BTRANS 1510 {8 \"K1\" 10 \"8\"} 999.00\n}\n";
        let sie = parse(text).unwrap();
        assert_eq!(sie.company.as_deref(), Some("Företaget AB"));
        assert_eq!(sie.opening, vec![("1510".to_owned(), Decimal::from(1000))]);
        assert_eq!(sie.closing, vec![("1510".to_owned(), Decimal::from(1250))]);
        assert_eq!(sie.object_opening[0].object("10"), Some("7"));
        assert_eq!(sie.transactions.len(), 3);
        let t = &sie.transactions[2];
        assert_eq!((t.account.as_str(), t.object("8"), t.amount), ("1510", Some("K1"), Decimal::from(250)));
        assert_eq!(t.date, NaiveDate::from_ymd_opt(2026, 1, 5));
        assert_eq!(sie.voucher_accounts[0].1, vec!["3001", "2611", "1510"]);
        assert_eq!(sie.object_name("8", "K1"), Some("Alfa AB"));
    }

    #[test]
    fn bad_records_are_named_with_their_line() {
        let errors = parse(b"#VER A 1 2026-01-05 \"x\"\n{\n#TRANS 1510 {} 12,50\n}\n").unwrap_err();
        assert_eq!(
            errors,
            vec![
                "line 1: #VER: \"2026-01-05\" is not a date YYYYMMDD",
                "line 3: #TRANS: \"12,50\" is not an amount like -1234.50"
            ]
        );
    }
}
