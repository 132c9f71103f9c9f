//! SPEC §3 (Reading CSV): which header of a file means which of `dun`'s columns.
//!
//! Headers are compared by their [`header_key`]: lower case, letters and digits only, Nordic
//! letters folded (`Förf.datum`, `FORF_DATUM` and `förf datum` are one key), so camelCase,
//! PascalCase and dotted API names (`InvoiceDate`, `customer.customerNumber`) match their
//! snake_case aliases. A file's columns come, in this order, from
//!
//! 1. the policy's `[columns.<file>]` (our column = their header), then
//! 2. a [preset](super::presets) recognised from the header alone (Fortnox, Visma, ...), then
//! 3. the aliases of each column.
//!
//! A header none of them claims is ignored, unless it looks like a column `dun` needs: a
//! near-miss of a known name, or a word meaning paid, due, amount or balance in a Nordic
//! language. Such a header is a finding with a hint (an error when the column it looks like is
//! not read from anywhere else), never dropped in silence.

use crate::core::finding::Finding;
use crate::core::policy::ColumnTable;

use super::csv_in::ColumnSpec;
use super::presets::{PRESETS, Preset};

/// Which of the ledger's files a header belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Customers,
    Invoices,
    Payments,
}

impl FileKind {
    /// The file's name in the ledger directory, and the policy table that maps it.
    pub fn table(self) -> &'static str {
        match self {
            FileKind::Customers => "customers",
            FileKind::Invoices => "invoices",
            FileKind::Payments => "payments",
        }
    }
}

/// The key a header is matched by: lower case, ASCII letters and digits, with å ä à á → a,
/// ö ø ó → o, æ → ae, é è → e, ü → u; everything else (spaces, `_`, `-`, `.`, case boundaries)
/// is dropped.
pub fn header_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' => key.push(c),
            'å' | 'ä' | 'à' | 'á' | 'â' | 'ã' => key.push('a'),
            'ö' | 'ø' | 'ó' | 'ò' | 'ô' | 'õ' => key.push('o'),
            'æ' => key.push_str("ae"),
            'é' | 'è' | 'ê' | 'ë' => key.push('e'),
            'ü' | 'ú' | 'ù' | 'û' => key.push('u'),
            'í' | 'ì' | 'î' | 'ï' => key.push('i'),
            'ß' => key.push_str("ss"),
            'ð' => key.push('d'),
            'þ' => key.push_str("th"),
            c if c.is_alphanumeric() => key.push(c),
            _ => {}
        }
    }
    key
}

/// How a file's values are written, where that is not obvious from the values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValueFormat {
    /// The decimal mark; `None`: decided per value (an ambiguous one is an error).
    pub decimal: Option<char>,
    /// A chrono format for dates; `None`: the usual Nordic formats.
    pub date_format: Option<String>,
    /// Amounts are whole öre / øre / cents.
    pub minor_units: bool,
}

/// Where a column's header was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Policy,
    Preset,
    Alias,
}

/// How one file's header is read.
#[derive(Clone, Debug)]
pub struct Reading {
    /// The position of each column of the specs in the file's header.
    pub index: Vec<Option<usize>>,
    /// The preset recognised, if any.
    pub preset: Option<&'static Preset>,
    /// Whether the policy's `[columns.<file>]` named any column.
    pub mapped: bool,
    pub format: ValueFormat,
    /// Findings about the header (line 1): suspicious or shadowed columns, missing due dates.
    pub notes: Vec<Finding>,
}

impl Reading {
    /// One line for people: how the file is read, when it is not by `dun`'s own names alone.
    pub fn describe(&self) -> Option<String> {
        match (self.preset, self.mapped) {
            (Some(p), false) => Some(format!("read as {} (preset {}): {}", p.system, p.id, p.knows)),
            (Some(p), true) => Some(format!(
                "read as {} (preset {}) with the columns policy.toml names: {}",
                p.system, p.id, p.knows
            )),
            (None, true) => Some("read with the columns policy.toml names".to_owned()),
            (None, false) => None,
        }
    }
}

/// Checks a policy table's column names against the file's columns: a typo must not
/// silently leave a column unread.
pub fn check_table(table: &ColumnTable, specs: &[ColumnSpec], at: &str) -> Result<(), String> {
    for (ours, _) in &table.columns {
        if !specs.iter().any(|s| s.name == ours) {
            let names: Vec<&str> = specs.iter().map(|s| s.name).collect();
            return Err(format!(
                "{at}: `{ours}` is not a column of {}; they are {} (and the options delimiter, decimal, date_format, minor_units, encoding, ignore, preset)",
                at.trim_start_matches("[columns.").trim_end_matches(']'),
                names.join(", ")
            ));
        }
    }
    if let Some(id) = table.preset.as_deref()
        && id != "none"
        && !PRESETS.iter().any(|p| p.id == id)
    {
        let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
        return Err(format!("{at}: preset = \"{id}\" is not one of \"none\", {}", ids.join(", ")));
    }
    Ok(())
}

/// Reads a file's header (`names`, as written): the position of every column of `specs`, or
/// an error saying which column is missing or ambiguous and how to map it.
pub fn read_header(
    kind: FileKind,
    file: &str,
    specs: &[ColumnSpec],
    names: &[String],
    table: Option<&ColumnTable>,
) -> Result<Reading, String> {
    let keys: Vec<String> = names.iter().map(|n| header_key(n)).collect();
    let find = |theirs: &str| {
        let key = header_key(theirs);
        keys.iter().position(|k| *k == key && !k.is_empty())
    };
    let preset = choose_preset(kind, &keys, table)?;
    let mut index: Vec<Option<(usize, Origin)>> = vec![None; specs.len()];
    let mut claimed = vec![false; names.len()];
    let mut notes = Vec::new();
    let spec_of = |ours: &str| specs.iter().position(|s| s.name == ours);

    if let Some(table) = table {
        for (ours, theirs) in &table.columns {
            let Some(which) = spec_of(ours) else { continue };
            let Some(at) = find(theirs) else {
                return Err(format!(
                    "policy.toml's [columns.{}] reads `{ours}` from \"{theirs}\", but the file has no such column (found: {})",
                    kind.table(),
                    names.join(", ")
                ));
            };
            index[which] = Some((at, Origin::Policy));
            claimed[at] = true;
        }
    }
    if let Some(p) = preset {
        for (ours, theirs) in p.columns {
            let (Some(which), Some(at)) = (spec_of(ours), find(theirs)) else { continue };
            if index[which].is_none() && !claimed[at] {
                index[which] = Some((at, Origin::Preset));
                claimed[at] = true;
            }
        }
    }
    let ignored = table.map(|t| t.ignore.as_slice()).unwrap_or_default();
    for theirs in
        ignored.iter().map(String::as_str).chain(preset.map(|p| p.ignore).unwrap_or_default().iter().copied())
    {
        if let Some(at) = find(theirs) {
            claimed[at] = true;
        }
    }
    for (at, key) in keys.iter().enumerate() {
        if claimed[at] || key.is_empty() {
            continue;
        }
        let Some(which) = specs.iter().position(|s| spec_matches(s, key)) else { continue };
        claimed[at] = true;
        match index[which] {
            None => index[which] = Some((at, Origin::Alias)),
            Some((first, Origin::Alias)) => {
                return Err(format!(
                    "columns \"{}\" and \"{}\" both mean \"{}\"; keep one, or say which in policy.toml: [columns.{}] {} = \"{}\"",
                    names[first], names[at], specs[which].name, kind.table(), specs[which].name, names[first]
                ));
            }
            Some((first, _)) => notes.push(
                Finding::warning(
                    file.to_owned(),
                    1,
                    names[at].clone(),
                    "shadowed-column",
                    format!(
                        "is not read: it also means `{}`, which is read from \"{}\"",
                        specs[which].name, names[first]
                    ),
                )
                .hint(format!(
                    "if \"{}\" is the right one, write [columns.{}] {} = \"{}\" in policy.toml; to silence this, ignore = [\"{}\"]",
                    names[at],
                    kind.table(),
                    specs[which].name,
                    names[at],
                    names[at]
                )),
            ),
        }
    }
    let mut suspects: Vec<(usize, usize)> = Vec::new();
    for (at, key) in keys.iter().enumerate() {
        if claimed[at] || key.is_empty() {
            continue;
        }
        if let Some(which) = suspicion(kind, specs, key) {
            suspects.push((at, which));
        }
    }
    let missing: Vec<usize> = (0..specs.len()).filter(|&i| specs[i].required && index[i].is_none()).collect();
    if !missing.is_empty() {
        let names_of: Vec<String> = missing.iter().map(|&i| format!("\"{}\"", specs[i].name)).collect();
        let guesses: Vec<String> = suspects
            .iter()
            .filter(|(_, which)| missing.contains(which))
            .map(|&(at, which)| format!("{} = \"{}\"", specs[which].name, names[at]))
            .collect();
        let hint = if guesses.is_empty() {
            format!(
                "; name them in policy.toml, e.g. [columns.{}] {} = \"<the header>\"",
                kind.table(),
                specs[missing[0]].name
            )
        } else {
            format!(
                "; if the file has them under other names, write in policy.toml: [columns.{}] {}",
                kind.table(),
                guesses.join(", ")
            )
        };
        let why = match preset.and_then(|p| p.missing_means.map(|m| (p, m))) {
            Some((p, m)) => format!(" — this is {} (preset {}): {m}", p.system, p.id),
            None => String::new(),
        };
        return Err(format!(
            "missing required column{} {} (found: {}){why}{hint}",
            if missing.len() > 1 { "s" } else { "" },
            names_of.join(", "),
            names.join(", ")
        ));
    }
    for (at, which) in suspects {
        let column = specs[which].name;
        let read_from = index[which].map(|(i, _)| names[i].as_str());
        // `balance` stands for `paid` and the other way round: either one makes the numbers.
        let covered = read_from.is_some()
            || match column {
                "paid" => index_of(specs, &index, "balance").is_some(),
                "balance" => index_of(specs, &index, "paid").is_some(),
                _ => false,
            };
        let message = match read_from {
            Some(other) => {
                format!(
                    "is not read, but looks like `{column}` ({}), which is read from \"{other}\"",
                    meaning(column)
                )
            }
            None => format!("is not read, but looks like `{column}` ({})", meaning(column)),
        };
        let hint = format!(
            "to read it, write [columns.{}] {column} = \"{}\" in policy.toml; if dun should not read it, ignore = [\"{}\"] there",
            kind.table(),
            names[at],
            names[at]
        );
        let f = if covered {
            Finding::warning(file.to_owned(), 1, names[at].clone(), "unread-column", message)
        } else {
            Finding::error(file.to_owned(), 1, names[at].clone(), "unread-column", message)
        };
        notes.push(f.hint(hint));
    }
    if kind == FileKind::Invoices && index_of(specs, &index, "due").is_none() {
        notes.push(
            Finding::warning(
                file.to_owned(),
                1,
                "due",
                "due-from-terms",
                "the file has no due dates: each invoice is due its date + terms.payment_days of the customer's segment".to_owned(),
            )
            .hint(format!(
                "if the file has due dates under another name, write [columns.invoices] due = \"<the header>\" in policy.toml (found: {})",
                names.join(", ")
            )),
        );
    }
    let mut format = ValueFormat::default();
    if let Some(p) = preset {
        format.decimal = p.decimal;
        format.minor_units = p.minor_units;
        format.date_format = p.date_format.map(str::to_owned);
    }
    if let Some(t) = table {
        format.decimal = t.decimal.or(format.decimal);
        format.date_format = t.date_format.clone().or(format.date_format);
        format.minor_units = t.minor_units.unwrap_or(format.minor_units);
    }
    Ok(Reading {
        index: index.into_iter().map(|i| i.map(|(at, _)| at)).collect(),
        preset,
        mapped: table.is_some_and(|t| !t.columns.is_empty()),
        format,
        notes,
    })
}

fn index_of(specs: &[ColumnSpec], index: &[Option<(usize, Origin)>], name: &str) -> Option<usize> {
    specs.iter().position(|s| s.name == name).and_then(|i| index[i]).map(|(at, _)| at)
}

/// Whether a header key is the column's name or one of its aliases.
fn spec_matches(spec: &ColumnSpec, key: &str) -> bool {
    header_key(spec.name) == key || spec.aliases.iter().any(|a| header_key(a) == key)
}

/// The preset for this header: the one the policy names, else the one whose signature the
/// header holds (the longest signature when several do), else none.
fn choose_preset(
    kind: FileKind,
    keys: &[String],
    table: Option<&ColumnTable>,
) -> Result<Option<&'static Preset>, String> {
    match table.and_then(|t| t.preset.as_deref()) {
        Some("none") => return Ok(None),
        Some(id) => {
            return match PRESETS.iter().find(|p| p.id == id) {
                Some(p) if p.kind == kind => Ok(Some(p)),
                Some(_) => Err(format!("preset \"{id}\" is not a layout of {}.csv", kind.table())),
                None => Err(format!("there is no preset \"{id}\"")),
            };
        }
        None => {}
    }
    Ok(PRESETS
        .iter()
        .filter(|p| p.kind == kind)
        .filter(|p| p.signature.iter().all(|s| keys.contains(&header_key(s))))
        .max_by_key(|p| p.signature.len()))
}

/// What each column holds, for messages.
fn meaning(column: &str) -> &'static str {
    match column {
        "paid" => "what has been paid",
        "balance" => "what is still owed",
        "due" => "the due date",
        "amount" => "the invoice total incl. VAT",
        "issued" => "the invoice date",
        "date" => "the payment date",
        "number" => "the invoice number",
        "customer" | "id" => "the customer number",
        "reference" => "the payment reference",
        _ => "a column dun reads",
    }
}

/// Word stems that mean a money or date column in the Nordic languages or English, checked in
/// this order (the specific before the general), on folded keys.
const INVOICE_STEMS: [(&str, &[&str]); 4] = [
    (
        "balance",
        &[
            "obetal",
            "ubetal",
            "unpaid",
            "restbel",
            "restbe",
            "restsum",
            "resterande",
            "restatt",
            "saldo",
            "utesta",
            "udesta",
            "avoin",
            "jaljella",
            "remain",
            "outstand",
            "balance",
            "kvaratt",
        ],
    ),
    ("due", &["forfall", "forfald", "forf", "erapaiva", "erap", "due", "betalningsfrist", "betalingsfrist"]),
    (
        "paid",
        &["inbet", "innbet", "indbet", "betalt", "betald", "maksettu", "maksu", "paid", "payment", "settled"],
    ),
    ("amount", &["belop", "belob", "summ", "total", "maara", "amount", "brutto", "gross"]),
];

const PAYMENT_STEMS: [(&str, &[&str]); 2] = [
    ("date", &["datum", "dato", "date", "pvm", "paiva", "bokf"]),
    ("amount", &["belop", "belob", "summ", "total", "maara", "amount", "betal"]),
];

/// The column a header not otherwise read looks like, if any: a near-miss of a name or
/// alias, or (invoices and payments) a word meaning a money or date column.
fn suspicion(kind: FileKind, specs: &[ColumnSpec], key: &str) -> Option<usize> {
    let tolerance = |len: usize| match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    let key_len = key.chars().count();
    for (i, spec) in specs.iter().enumerate() {
        let near = std::iter::once(spec.name).chain(spec.aliases.iter().copied()).any(|a| {
            let a = header_key(a);
            let a_len = a.chars().count();
            let allowed = tolerance(a_len.min(key_len));
            // Lengths further apart than the tolerance are never near (and a header name of
            // a megabyte must not cost a megabyte-wide distance per alias).
            allowed > 0 && a_len.abs_diff(key_len) <= allowed && edit_distance(&a, key) <= allowed
        });
        if near {
            return Some(i);
        }
    }
    let stems: &[(&str, &[&str])] = match kind {
        FileKind::Invoices => &INVOICE_STEMS,
        FileKind::Payments => &PAYMENT_STEMS,
        FileKind::Customers => &[],
    };
    for (column, words) in stems {
        if words.iter().any(|w| key.contains(w)) {
            return specs.iter().position(|s| s.name == *column);
        }
    }
    None
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut row = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            row[j + 1] = substitute.min(prev[j + 1] + 1).min(row[j] + 1);
        }
        std::mem::swap(&mut prev, &mut row);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::csv_in::{CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS};
    use proptest::prelude::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn column(reading: &Reading, specs: &[ColumnSpec], name: &str) -> Option<usize> {
        reading.index[specs.iter().position(|s| s.name == name).unwrap()]
    }

    #[test]
    fn keys_ignore_case_separators_and_nordic_letters() {
        assert_eq!(header_key("InvoiceDate"), "invoicedate");
        assert_eq!(header_key("invoice_date"), "invoicedate");
        assert_eq!(header_key("customer.customerNumber"), "customercustomernumber");
        assert_eq!(header_key("Förf.datum"), "forfdatum");
        assert_eq!(header_key("FÖRFALLODATUM"), "forfallodatum");
        assert_eq!(header_key("Postadresse - linje 1"), "postadresselinje1");
        assert_eq!(header_key("Beløb"), header_key("belob"));
        assert_eq!(header_key("Määrä EUROA"), "maaraeuroa");
    }

    #[test]
    fn api_names_match_their_aliases() {
        let header = names(&[
            "DocumentNumber",
            "CustomerNumber",
            "InvoiceDate",
            "DueDate",
            "TotalAmount",
            "RemainingAmount",
        ]);
        let r = read_header(FileKind::Invoices, "invoices.csv", INVOICE_COLUMNS, &header, None).unwrap();
        for (name, at) in
            [("number", 0), ("customer", 1), ("issued", 2), ("due", 3), ("amount", 4), ("balance", 5)]
        {
            assert_eq!(column(&r, INVOICE_COLUMNS, name), Some(at), "{name}");
        }
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        let header = names(&[
            "invoiceNumber",
            "invoiceDate",
            "invoiceDueDate",
            "kid",
            "amount",
            "amountOutstanding",
            "customer.customerNumber",
        ]);
        let r = read_header(FileKind::Invoices, "invoices.csv", INVOICE_COLUMNS, &header, None).unwrap();
        assert_eq!(column(&r, INVOICE_COLUMNS, "customer"), Some(6));
        assert_eq!(column(&r, INVOICE_COLUMNS, "due"), Some(2));
        assert_eq!(column(&r, INVOICE_COLUMNS, "balance"), Some(5));
    }

    /// The findings of the issue: a paid and a due column under names `dun` does not know.
    #[test]
    fn a_header_that_looks_like_a_needed_column_is_a_finding() {
        let header = names(&[
            "Fakturanr",
            "Kundnr",
            "Fakturadatum",
            "Förf.datum",
            "Belopp",
            "Inbetalt belopp",
            "Säljare",
        ]);
        let r = read_header(FileKind::Invoices, "invoices.csv", INVOICE_COLUMNS, &header, None).unwrap();
        let seen: Vec<(&str, &str, bool)> =
            r.notes.iter().map(|f| (&*f.field, f.code, f.is_error())).collect();
        assert_eq!(
            seen,
            vec![
                ("Förf.datum", "unread-column", true),
                ("Inbetalt belopp", "unread-column", true),
                ("due", "due-from-terms", false),
            ]
        );
        assert!(r.notes[1].message.contains("looks like `paid`"), "{}", r.notes[1].message);
        assert!(r.notes[0].hint.as_deref().unwrap().contains("[columns.invoices] due = \"Förf.datum\""));
        // Mapped in the policy, both are read and nothing is left to say.
        let table: ColumnTable =
            toml::from_str("due = \"Förf.datum\"\npaid = \"Inbetalt belopp\"\n").unwrap();
        let r =
            read_header(FileKind::Invoices, "invoices.csv", INVOICE_COLUMNS, &header, Some(&table)).unwrap();
        assert_eq!(column(&r, INVOICE_COLUMNS, "due"), Some(3));
        assert_eq!(column(&r, INVOICE_COLUMNS, "paid"), Some(5));
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        assert!(r.mapped);
    }

    #[test]
    fn near_misses_and_ambiguity() {
        let header = names(&["Fakturanumer", "Kundnr", "Fakturadatum", "Belopp"]);
        let err =
            read_header(FileKind::Invoices, "invoices.csv", INVOICE_COLUMNS, &header, None).unwrap_err();
        assert!(err.contains("missing required column \"number\""), "{err}");
        assert!(err.contains("number = \"Fakturanumer\""), "{err}");
        let header = names(&["number", "customer", "issued", "Belopp", "Summa"]);
        let err =
            read_header(FileKind::Invoices, "invoices.csv", INVOICE_COLUMNS, &header, None).unwrap_err();
        assert!(err.contains("\"Belopp\" and \"Summa\" both mean \"amount\""), "{err}");
        let table: ColumnTable = toml::from_str("amount = \"Summa\"\n").unwrap();
        let r =
            read_header(FileKind::Invoices, "invoices.csv", INVOICE_COLUMNS, &header, Some(&table)).unwrap();
        assert_eq!(column(&r, INVOICE_COLUMNS, "amount"), Some(4));
        assert_eq!(r.notes[0].code, "shadowed-column");
    }

    #[test]
    fn a_policy_column_the_file_lacks_is_named() {
        let table: ColumnTable = toml::from_str("amount = \"Total inkl moms\"\n").unwrap();
        let header = names(&["number", "customer", "issued", "Total"]);
        let err = read_header(FileKind::Invoices, "invoices.csv", INVOICE_COLUMNS, &header, Some(&table))
            .unwrap_err();
        assert!(err.contains("reads `amount` from \"Total inkl moms\""), "{err}");
        let typo: ColumnTable = toml::from_str("amout = \"Total\"\n").unwrap();
        let err = check_table(&typo, INVOICE_COLUMNS, "[columns.invoices]").unwrap_err();
        assert!(err.contains("`amout` is not a column of invoices"), "{err}");
    }

    #[test]
    fn two_phone_columns_are_a_phone_and_a_mobile() {
        let header = names(&["Kundenummer", "Navn", "Telefon", "Mobil"]);
        let r = read_header(FileKind::Customers, "customers.csv", CUSTOMER_COLUMNS, &header, None).unwrap();
        assert_eq!(column(&r, CUSTOMER_COLUMNS, "phone"), Some(2));
        assert_eq!(column(&r, CUSTOMER_COLUMNS, "mobile"), Some(3));
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("fakturanummer", "fakturanumer"), 1);
    }

    /// A header written in another case, or with other separators between its words, means
    /// the same column.
    fn respelled(words: &[String], upper: &[bool], separators: &[usize]) -> String {
        const SEPARATORS: [&str; 6] = ["", "_", "-", " ", ".", " - "];
        let mut out = String::new();
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                out.push_str(SEPARATORS[separators[i % separators.len()] % SEPARATORS.len()]);
            }
            for (j, c) in word.chars().enumerate() {
                if upper[(i + j) % upper.len()] {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
            }
        }
        out
    }

    /// Every name and alias of `specs`, respelled in any case with any separators, is still
    /// that column, alone and in a whole header after `base`.
    fn respelled_alias_matches(
        kind: FileKind,
        specs: &[ColumnSpec],
        base: &[&str],
        pick: usize,
        upper: &[bool],
        separators: &[usize],
    ) -> Result<(), TestCaseError> {
        let all: Vec<(usize, &str)> = specs
            .iter()
            .enumerate()
            .flat_map(|(i, s)| std::iter::once(s.name).chain(s.aliases.iter().copied()).map(move |a| (i, a)))
            .collect();
        let (which, alias) = all[pick % all.len()];
        let words: Vec<String> =
            alias.split(['_', ' ', '.', '-']).filter(|w| !w.is_empty()).map(str::to_owned).collect();
        let spelled = respelled(&words, upper, separators);
        prop_assert_eq!(header_key(&spelled), header_key(alias));
        prop_assert!(spec_matches(&specs[which], &header_key(&spelled)));
        if !base.contains(&specs[which].name) {
            let mut header = names(base);
            header.push(spelled.clone());
            let r = read_header(kind, "x.csv", specs, &header, None).unwrap();
            prop_assert_eq!(r.index[which], Some(base.len()));
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn matching_is_stable_under_case_and_separators(
            pick in 0usize..1000,
            upper in proptest::collection::vec(any::<bool>(), 1..8),
            separators in proptest::collection::vec(0usize..6, 1..8),
        ) {
            let base = ["number", "customer", "issued", "amount"];
            respelled_alias_matches(FileKind::Invoices, INVOICE_COLUMNS, &base, pick, &upper, &separators)?;
        }
    }

    proptest! {
        /// The same for the customers' and payments' columns.
        #[test]
        fn customer_and_payment_matching_is_stable_under_case_and_separators(
            payments in any::<bool>(),
            pick in 0usize..1000,
            upper in proptest::collection::vec(any::<bool>(), 1..8),
            separators in proptest::collection::vec(0usize..6, 1..8),
        ) {
            let (kind, specs, base): (FileKind, &[ColumnSpec], &[&str]) = if payments {
                (FileKind::Payments, PAYMENT_COLUMNS, &["date", "invoice", "amount"])
            } else {
                (FileKind::Customers, CUSTOMER_COLUMNS, &["id", "name"])
            };
            respelled_alias_matches(kind, specs, base, pick, &upper, &separators)?;
        }
    }
}
