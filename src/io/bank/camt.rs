//! ISO 20022 camt.054 (debit/credit notification) and camt.053 (statement),
//! versions .001.02 to .001.08.
//!
//! Elements are matched by local name, whatever the namespace or prefix, and no
//! XSD is enforced: the payment elements keep their names across versions, and
//! bank files carry `schemaLocation` typos and the like (bank-formats.md §3).
//! Where versions differ, both forms are read: `Sts` / `Sts/Cd`, `Dbtr/Nm` /
//! `Dbtr/Pty/Nm`, `TxDtls/Amt` / `TxDtls/AmtDtls/TxAmt/Amt`.
//!
//! Decisions:
//!
//! - One payment per `TxDtls`: an entry amount is often a batch total. An entry
//!   without `TxDtls` is one payment. A `TxDtls` without an amount takes the
//!   entry amount when it is the entry's only one; in a batch it cannot, and is
//!   skipped with the reason.
//! - Imported: credit entries (`CRDT`) with status `BOOK` (or no status).
//!   Skipped: debits, reversals (`RvslInd` true, e.g. a failed direct debit),
//!   other statuses (`PDNG`, `INFO`), debit transactions and returns (`RtrInf`)
//!   inside a credit entry.
//! - `RmtdAmt` is a reference's amount, `CdtNoteAmt` a negative one (a credit
//!   note netted in the payment).
//! - Transaction id: the entry's and the transaction's `AcctSvcrRef` joined by
//!   `/` (the bank's own references; Nordea DK has some only at transaction
//!   level). Without them: `NtryRef`, qualified by the statement/notification
//!   `Id` since it is only unique within it, then `EndToEndId` / `TxId` /
//!   `InstrId` / `UETR`, then the transaction's position.
//! - The date is the booking date, else the value date, taken as written
//!   (`DtTm` is cut to its date; no time-zone conversion).

use chrono::NaiveDate;
use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::Decimal;
use std::str::FromStr;

use super::{
    BankError, BankFile, BankFormat, BankPayment, Errors, LineCounter, Skipped, date_iso_prefix, error,
    join_chunks, line_at, strip_utf8_bom,
};

mod stream;

pub use stream::{CamtStream, stream_camt};

/// Deeper nesting than this is not a bank file, and would only cost stack.
const MAX_DEPTH: usize = 64;

/// Parses a camt.054 or camt.053 file.
pub fn parse_camt(bytes: &[u8]) -> Result<BankFile, Vec<BankError>> {
    let text = decode(bytes).map_err(|e| vec![e])?;
    let root = build_tree(&text).map_err(|e| vec![e])?;
    let message = locate_message(&root).map_err(|e| vec![e])?;
    check_namespace(&root, &message).map_err(|e| vec![e])?;
    let mut walker = Walker {
        message_id: message
            .element
            .path(&["GrpHdr", "MsgId"])
            .and_then(Element::value)
            .unwrap_or("camt")
            .to_string(),
        ..Walker::default()
    };
    let container_name = container_name(message.format);
    for (i, container) in message.element.children(container_name).enumerate() {
        let path = format!("{}/{container_name}[{}]", message.path, i + 1);
        let context = Container {
            path: &path,
            id: container.path(&["Id"]).and_then(Element::value),
            account_currency: container.path(&["Acct", "Ccy"]).and_then(Element::value),
        };
        for (j, entry) in container.children("Ntry").enumerate() {
            if walker.errors.is_full() {
                break;
            }
            walker.entry(entry, &context, j + 1);
        }
    }
    let payments = std::mem::take(&mut walker.payments);
    finish(&root, &message, walker, payments)
}

/// The statements (camt.053) or notifications (camt.054) of a message.
fn container_name(format: BankFormat) -> &'static str {
    match format {
        BankFormat::Camt054 => "Ntfctn",
        _ => "Stmt",
    }
}

/// The file from its tree (whose entries may have been taken out and read already) and
/// what the walker found in the entries.
fn finish(
    root: &Element,
    message: &Message<'_>,
    walker: Walker,
    payments: Vec<BankPayment>,
) -> Result<BankFile, Vec<BankError>> {
    let mut created =
        message.element.path(&["GrpHdr", "CreDtTm"]).and_then(Element::value).and_then(date_iso_prefix);
    let mut accounts: Vec<String> = Vec::new();
    for container in message.element.children(container_name(message.format)) {
        created = created
            .or_else(|| container.path(&["CreDtTm"]).and_then(Element::value).and_then(date_iso_prefix));
        let account = container
            .path(&["Acct", "Id", "IBAN"])
            .or_else(|| container.path(&["Acct", "Id", "Othr", "Id"]))
            .and_then(Element::value);
        if let Some(a) = account.filter(|a| !accounts.iter().any(|k: &String| k == a)) {
            accounts.push(a.to_string());
        }
    }
    walker.errors.finish(BankFile {
        format: message.format,
        version: namespace_version(root),
        created,
        payments,
        skipped: walker.skipped,
        accounts,
    })
}

/// Whether the bytes start like an XML document (after a BOM and blanks).
pub(super) fn looks_like_xml(bytes: &[u8]) -> bool {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes)
        && encoding != encoding_rs::UTF_8
    {
        let head = bytes.get(bom..bytes.len().min(bom + 512)).unwrap_or_default();
        let (text, _) = encoding.decode_without_bom_handling(head);
        return text.trim_start().starts_with('<');
    }
    strip_utf8_bom(bytes).iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&b| b == b'<')
}

/// camt.054 or camt.053 by the message element under `Document`.
pub(super) fn sniff_kind(bytes: &[u8]) -> Option<BankFormat> {
    // A file that does not decode is still recognised by its element names (ASCII), so that
    // parsing it names the bad byte rather than calling it no bank file.
    let text = decode(bytes).unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned());
    let mut reader = Reader::from_str(&text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                let name = local_name(&e);
                if name != "Document" {
                    return message_format(&name);
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

fn message_format(name: &str) -> Option<BankFormat> {
    match name {
        "BkToCstmrDbtCdtNtfctn" => Some(BankFormat::Camt054),
        "BkToCstmrStmt" => Some(BankFormat::Camt053),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Decoding and a small element tree.
// ---------------------------------------------------------------------------

/// Decodes by BOM, else by the XML declaration's `encoding`, else UTF-8.
fn not_a_currency(code: &str) -> String {
    format!("currency {code:?} is not an ISO 4217 code (SEK, NOK, DKK, EUR, ...)")
}

fn decode(bytes: &[u8]) -> Result<String, BankError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return decode_with(encoding, bytes.get(bom..).unwrap_or_default());
    }
    let declared = declared_encoding(bytes).and_then(encoding_rs::Encoding::for_label);
    match declared {
        // A declaration readable as ASCII means the file is not UTF-16, whatever it says.
        Some(encoding)
            if encoding != encoding_rs::UTF_8
                && encoding != encoding_rs::UTF_16LE
                && encoding != encoding_rs::UTF_16BE =>
        {
            decode_with(encoding, bytes)
        }
        _ => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_string()),
            Err(e) => Err(not_utf8(line_at(bytes, e.valid_up_to()), e.valid_up_to(), bytes[e.valid_up_to()])),
        },
    }
}

/// A file without a byte order mark or a declared encoding that is not UTF-8 from byte `at`.
fn not_utf8(line: usize, at: usize, byte: u8) -> BankError {
    error(
        format!("line {line}"),
        format!(
            "byte {at} (0x{byte:02X}) is not valid UTF-8, and no other encoding is declared: the file was changed or saved in another encoding"
        ),
    )
}

fn decode_with(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> Result<String, BankError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or_else(|| error("line 1", format!("not valid {}", encoding.name())))
}

/// The `encoding="…"` of an `<?xml …?>` declaration.
fn declared_encoding(bytes: &[u8]) -> Option<&[u8]> {
    let head = bytes.get(..bytes.len().min(200))?;
    let decl_end = head.windows(2).position(|w| w == b"?>")?;
    let decl = &head[..decl_end];
    let at = decl.windows(8).position(|w| w == b"encoding")?;
    let rest = &decl[at + 8..];
    let quote_at = rest.iter().position(|&b| b == b'"' || b == b'\'')?;
    let quote = rest[quote_at];
    let value = &rest[quote_at + 1..];
    let end = value.iter().position(|&b| b == quote)?;
    Some(&value[..end])
}

#[derive(Debug, Default)]
struct Element {
    /// Local name: prefixes and namespaces are ignored.
    name: String,
    /// Qualified attribute names (`xmlns:xsi`, `Ccy`) and values.
    attributes: Vec<(String, String)>,
    prefix: String,
    text: String,
    children: Vec<Element>,
    line: usize,
    /// Entries (`Ntry`) read and let go by the stream ([`stream`]) instead of kept as children:
    /// the next one's index counts them.
    taken: usize,
}

impl Element {
    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |element, name| element.child(name))
    }

    /// The trimmed text, if any.
    fn value(&self) -> Option<&str> {
        let text = self.text.trim();
        (!text.is_empty()).then_some(text)
    }

    fn value_at(&self, names: &[&str]) -> Option<&str> {
        self.path(names).and_then(Element::value)
    }

    fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key.rsplit(':').next() == Some(local))
            .map(|(_, value)| value.as_str())
    }
}

fn local_name(start: &BytesStart<'_>) -> String {
    start.local_name().as_ref().to_string()
}

/// Reads the document into an element tree, or fails with the line and the path
/// of the first XML error.
fn build_tree(text: &str) -> Result<Element, BankError> {
    let bytes = text.as_bytes();
    let mut reader = Reader::from_str(text);
    let mut builder = Builder::default();
    let mut lines = LineCounter::new(bytes);
    let fail = |stack: &[Element], offset: u64, message: String| {
        let offset = usize::try_from(offset).unwrap_or(usize::MAX);
        error(format!("line {}, {}", line_at(bytes, offset), open_path(stack)), message)
    };
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| fail(&builder.stack, reader.error_position(), format!("XML error: {e}")))?;
        let offset = usize::try_from(position).unwrap_or(usize::MAX);
        match builder.apply(event, &mut || lines.line_at(offset), &mut KeepAll) {
            Ok(true) => break,
            Ok(false) => {}
            Err(m) => return Err(fail(&builder.stack, position, m)),
        }
    }
    if !builder.stack.is_empty() {
        return Err(fail(&builder.stack, text.len() as u64, TRUNCATED.into()));
    }
    builder.root.ok_or_else(no_element)
}

const TRUNCATED: &str = "file ends inside an element (truncated?)";

fn no_element() -> BankError {
    error("line 1", "no XML element in the file")
}

/// An element tree built event by event: the whole file's, or the stream's, which lets go
/// of each entry once read ([`Hooks`]).
#[derive(Default)]
struct Builder {
    /// The elements open, outermost first.
    stack: Vec<Element>,
    root: Option<Element>,
}

/// What the stream does as elements open and close; the whole-file tree keeps everything.
trait Hooks {
    /// The last element of `stack` has just opened.
    fn opened(&mut self, _stack: &[Element]) {}
    /// `element` has closed inside `parents`: true when it is taken, not kept as a child.
    fn closed(&mut self, _parents: &[Element], _element: &Element) -> bool {
        false
    }
    /// Whether the text of the last element of `stack` is kept.
    fn keeps_text(&self, _stack: &[Element]) -> bool {
        true
    }
}

/// Every element kept: the whole-file tree.
struct KeepAll;

impl Hooks for KeepAll {}

impl Builder {
    /// One event into the tree: true at the end of the input, else an error message. `line`
    /// gives the line the event starts on (asked only for an element that opens).
    fn apply(
        &mut self,
        event: Event<'_>,
        line: &mut dyn FnMut() -> usize,
        hooks: &mut dyn Hooks,
    ) -> Result<bool, String> {
        match event {
            Event::Start(start) => self.open(&start, line, hooks)?,
            Event::Empty(start) => {
                self.open(&start, line, hooks)?;
                self.close(hooks)?;
            }
            Event::End(_) => self.close(hooks)?,
            Event::Text(t) => self.add_text(&t.xml10_content(), hooks)?,
            Event::CData(c) => self.add_text(&c, hooks)?,
            Event::GeneralRef(r) => {
                let resolved = resolve_reference(&r)?;
                self.add_text(&resolved, hooks)?;
            }
            Event::Eof => return Ok(true),
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        Ok(false)
    }

    fn open(
        &mut self,
        start: &BytesStart<'_>,
        line: &mut dyn FnMut() -> usize,
        hooks: &mut dyn Hooks,
    ) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err("elements nested too deeply".into());
        }
        let line = line();
        self.stack.push(new_element(start, line)?);
        hooks.opened(&self.stack);
        Ok(())
    }

    fn close(&mut self, hooks: &mut dyn Hooks) -> Result<(), String> {
        let Some(element) = self.stack.pop() else {
            return Err("end tag without a start tag".into());
        };
        if hooks.closed(&self.stack, &element) {
            if let Some(parent) = self.stack.last_mut() {
                parent.taken += 1;
            }
            return Ok(());
        }
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(element),
            None if self.root.is_none() => self.root = Some(element),
            None => return Err("a second root element".into()),
        }
        Ok(())
    }

    fn add_text(&mut self, text: &str, hooks: &mut dyn Hooks) -> Result<(), String> {
        let keep = hooks.keeps_text(&self.stack);
        match self.stack.last_mut() {
            Some(element) => {
                if keep {
                    element.text.push_str(text);
                }
                Ok(())
            }
            None if text.trim().is_empty() => Ok(()),
            None => Err("text outside the root element".into()),
        }
    }
}

fn new_element(start: &BytesStart<'_>, line: usize) -> Result<Element, String> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("XML error in an attribute: {e}"))?;
        let key = attribute.key.as_ref().to_string();
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("XML error in attribute {key}: {e}"))?
            .into_owned();
        attributes.push((key, value));
    }
    let prefix = start.name().prefix().map(|p| p.as_ref().to_string()).unwrap_or_default();
    Ok(Element {
        name: local_name(start),
        attributes,
        prefix,
        text: String::new(),
        children: Vec::new(),
        line,
        taken: 0,
    })
}

fn resolve_reference(reference: &str) -> Result<String, String> {
    if let Some(number) = reference.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse::<u32>().ok(),
        };
        return code
            .and_then(char::from_u32)
            .filter(|&c| c != '\0')
            .map(String::from)
            .ok_or_else(|| format!("invalid character reference &{reference};"));
    }
    quick_xml::escape::resolve_predefined_entity(reference)
        .map(str::to_string)
        .ok_or_else(|| format!("unknown entity &{reference};"))
}

/// `Document/BkToCstmrStmt/Stmt[1]/Ntry[3]` for the elements still open.
fn open_path(stack: &[Element]) -> String {
    let mut parts = Vec::with_capacity(stack.len());
    for (i, element) in stack.iter().enumerate() {
        let index = match i.checked_sub(1).and_then(|p| stack.get(p)) {
            Some(parent) if is_repeating(&element.name) => {
                let taken = if element.name == "Ntry" { parent.taken } else { 0 };
                Some(parent.children(&element.name).count() + taken + 1)
            }
            _ => None,
        };
        parts.push(match index {
            Some(n) => format!("{}[{n}]", element.name),
            None => element.name.clone(),
        });
    }
    if parts.is_empty() { "document".to_string() } else { parts.join("/") }
}

fn is_repeating(name: &str) -> bool {
    matches!(name, "Ntfctn" | "Stmt" | "Rpt" | "Ntry" | "TxDtls" | "Strd" | "Ustrd" | "Bal")
}

// ---------------------------------------------------------------------------
// From the tree to payments.
// ---------------------------------------------------------------------------

struct Message<'a> {
    element: &'a Element,
    format: BankFormat,
    path: String,
}

fn locate_message(root: &Element) -> Result<Message<'_>, BankError> {
    let (element, path) = if root.name == "Document" {
        let Some(first) = root.children.first() else {
            return Err(error(format!("line {}, Document", root.line), "empty Document"));
        };
        (first, format!("Document/{}", first.name))
    } else {
        (root, root.name.clone())
    };
    match message_format(&element.name) {
        Some(format) => Ok(Message { element, format, path }),
        None if element.name == "BkToCstmrAcctRpt" => Err(error(
            format!("line {}, {path}", element.line),
            "camt.052 account reports are not supported: use camt.053 or camt.054",
        )),
        None => Err(error(
            format!("line {}, {path}", element.line),
            "not a camt.053 or camt.054 message (BkToCstmrStmt / BkToCstmrDbtCdtNtfctn)",
        )),
    }
}

/// The namespace the root element is in, if it declares one.
fn root_namespace(root: &Element) -> Option<&str> {
    let key = if root.prefix.is_empty() { "xmlns".to_string() } else { format!("xmlns:{}", root.prefix) };
    root.attributes.iter().find(|(k, _)| *k == key).map(|(_, v)| v.trim())
}

/// A declared namespace must be ISO 20022's for the message found: another one is another
/// message that happens to share element names (a bank's own format, a camt.052 report),
/// whose amounts would be read as payments. Files without a namespace are read by their
/// element names (bank-formats.md: some banks' files carry none).
fn check_namespace(root: &Element, message: &Message<'_>) -> Result<(), BankError> {
    let Some(namespace) = root_namespace(root) else { return Ok(()) };
    let expected = match message.format {
        BankFormat::Camt054 => "camt.054",
        _ => "camt.053",
    };
    let version =
        namespace.strip_prefix("urn:iso:std:iso:20022:tech:xsd:").and_then(|v| v.strip_prefix(expected));
    let known = version
        .and_then(|v| v.strip_prefix(".001."))
        .is_some_and(|n| n.len() == 2 && n.bytes().all(|b| b.is_ascii_digit()));
    if known {
        return Ok(());
    }
    Err(error(
        format!("line {}, {}", root.line, root.name),
        format!(
            "namespace {namespace:?} is not ISO 20022 {expected} (expected urn:iso:std:iso:20022:tech:xsd:{expected}.001.NN, as the {} message is)",
            message.element.name
        ),
    ))
}

/// `camt.054.001.02` from the namespace the root element is in.
fn namespace_version(root: &Element) -> Option<String> {
    let namespace = root_namespace(root)?;
    let version = namespace.rsplit(':').next()?;
    version.starts_with("camt.").then(|| version.to_string())
}

struct Container<'a> {
    path: &'a str,
    id: Option<&'a str>,
    account_currency: Option<&'a str>,
}

#[derive(Default)]
struct Walker {
    message_id: String,
    errors: Errors,
    payments: Vec<BankPayment>,
    skipped: Vec<Skipped>,
}

/// An error that has been pushed to the list already.
struct Reported;

/// What a transaction inherits from its entry.
struct Entry<'a> {
    element: &'a Element,
    path: String,
    amount: Decimal,
    currency: Option<&'a str>,
    date: NaiveDate,
    transactions: usize,
}

impl Walker {
    fn skip(&mut self, location: &str, reason: String) {
        self.skipped.push(Skipped { location: location.to_string(), reason });
    }

    fn error_at(&mut self, element: &Element, path: &str, message: impl Into<String>) {
        self.errors.push(format!("line {}, {path}", element.line), message);
    }

    fn entry(&mut self, e: &Element, container: &Container<'_>, index: usize) {
        let path = format!("{}/Ntry[{index}]", container.path);
        let (amount, currency) = match self.amount_of(e, &path, "Amt") {
            Ok(Some(found)) => found,
            Ok(None) => {
                self.error_at(e, &path, "entry without an amount (Amt)");
                return;
            }
            Err(Reported) => return,
        };
        let currency = currency.or(container.account_currency);
        if let Some(code) = currency.filter(|c| crate::core::model::Currency::parse(c).is_none()) {
            self.error_at(e, &path, not_a_currency(code));
            return;
        }
        let shown = format!("{amount} {}", currency.unwrap_or("")).trim_end().to_string();
        let indicator = e.value_at(&["CdtDbtInd"]).unwrap_or("");
        if indicator != "CRDT" && indicator != "DBIT" {
            self.error_at(e, &path, format!("CdtDbtInd {indicator:?} is neither CRDT nor DBIT"));
            return;
        }
        let reversal = matches!(e.value_at(&["RvslInd"]), Some("true" | "1"));
        if reversal {
            let why = return_reason(e).map(|r| format!(", reason {r}")).unwrap_or_default();
            let reason = format!(
                "reversal (RvslInd true) of a {indicator} entry of {shown}{why}: a returned or failed transaction, not a payment"
            );
            self.skip(&path, reason);
            return;
        }
        if indicator == "DBIT" {
            self.skip(&path, format!("debit entry of {shown}"));
            return;
        }
        if let Some(status) = status(e).filter(|s| *s != "BOOK") {
            self.skip(&path, format!("credit entry of {shown} with status {status}: not booked"));
            return;
        }
        let Some(date) = self.entry_date(e, &path) else {
            return;
        };
        let transactions: Vec<(String, &Element)> = transactions(e, &path);
        let entry = Entry { element: e, path, amount, currency, date, transactions: transactions.len() };
        if transactions.is_empty() {
            let path = entry.path.clone();
            self.transaction(&entry, container, None, &path, 1);
        }
        for (i, (tx_path, tx)) in transactions.iter().enumerate() {
            self.transaction(&entry, container, Some(tx), tx_path, i + 1);
        }
    }

    fn transaction(
        &mut self,
        entry: &Entry<'_>,
        container: &Container<'_>,
        tx: Option<&Element>,
        path: &str,
        index: usize,
    ) {
        if let Some(tx) = tx {
            if tx.value_at(&["CdtDbtInd"]) == Some("DBIT") {
                self.skip(path, "debit transaction inside a credit entry".into());
                return;
            }
            if tx.child("RtrInf").is_some() {
                let why = tx
                    .value_at(&["RtrInf", "Rsn", "Cd"])
                    .map(|r| format!(", reason {r}"))
                    .unwrap_or_default();
                self.skip(path, format!("returned transaction (RtrInf{why}): not a new payment"));
                return;
            }
        }
        let Some((amount, currency)) = self.transaction_amount(entry, tx, path) else {
            return;
        };
        let currency = currency.or(entry.currency).map(str::to_string);
        if amount.is_zero() {
            self.skip(path, "amount of 0: nothing to match".into());
            return;
        }
        let (references, reference_amounts, message) = match tx {
            Some(tx) => self.remittance(tx, path),
            None => (Vec::new(), Vec::new(), None),
        };
        let txid = self.txid(entry, container, tx, index, path);
        self.payments.push(BankPayment {
            txid,
            date: entry.date,
            amount,
            currency,
            references,
            reference_amounts,
            message,
            payer: tx.and_then(payer),
            location: path.to_string(),
        });
    }

    /// `TxDtls/Amt` (.04+) or `TxDtls/AmtDtls/TxAmt/Amt`; the entry amount for
    /// the only transaction of an entry. `None` when skipped or in error.
    fn transaction_amount<'a>(
        &mut self,
        entry: &Entry<'a>,
        tx: Option<&'a Element>,
        path: &str,
    ) -> Option<(Decimal, Option<&'a str>)> {
        let own = match tx {
            Some(tx) if tx.child("Amt").is_some() => self.amount_of(tx, path, "Amt"),
            Some(tx) => match tx.path(&["AmtDtls", "TxAmt"]) {
                Some(tx_amount) => self.amount_of(tx_amount, &format!("{path}/AmtDtls/TxAmt"), "Amt"),
                None => Ok(None),
            },
            None => Ok(None),
        };
        // A malformed amount is already reported and rejects the file.
        match own.ok()? {
            Some(found) => Some(found),
            None if entry.transactions <= 1 => Some((entry.amount, entry.currency)),
            None => {
                self.skip(
                    path,
                    format!(
                        "no amount for this transaction, one of {} in the entry: the entry total {} cannot be split",
                        entry.transactions, entry.amount
                    ),
                );
                None
            }
        }
    }

    /// Parses `parent/name` as an amount with its `Ccy`: `Ok(None)` when there
    /// is no such element, `Err(Reported)` when it is malformed (and reported).
    fn amount_of<'a>(
        &mut self,
        parent: &'a Element,
        parent_path: &str,
        name: &str,
    ) -> Result<Option<(Decimal, Option<&'a str>)>, Reported> {
        let Some(element) = parent.child(name) else {
            return Ok(None);
        };
        let text = element.value().unwrap_or("");
        let currency = element.attribute("Ccy");
        if let Some(code) = currency.filter(|c| crate::core::model::Currency::parse(c).is_none()) {
            self.error_at(element, &format!("{parent_path}/{name}"), not_a_currency(code));
            return Err(Reported);
        }
        match parse_amount(text) {
            Some(amount) => Ok(Some((amount, currency))),
            None => {
                self.error_at(
                    element,
                    &format!("{parent_path}/{name}"),
                    format!("amount {text:?} is not a decimal number"),
                );
                Err(Reported)
            }
        }
    }

    fn entry_date(&mut self, e: &Element, path: &str) -> Option<NaiveDate> {
        for name in ["BookgDt", "ValDt"] {
            let Some(holder) = e.child(name) else {
                continue;
            };
            let Some(text) = holder.value_at(&["Dt"]).or_else(|| holder.value_at(&["DtTm"])) else {
                continue;
            };
            match date_iso_prefix(text) {
                Some(date) => return Some(date),
                None => {
                    self.error_at(
                        holder,
                        &format!("{path}/{name}"),
                        format!("date {text:?} is not YYYY-MM-DD"),
                    );
                    return None;
                }
            }
        }
        self.error_at(e, path, "credit entry without a booking date (BookgDt) or value date (ValDt)");
        None
    }

    /// References with their amounts from every `Strd`, and the `Ustrd` lines.
    fn remittance(
        &mut self,
        tx: &Element,
        path: &str,
    ) -> (Vec<String>, Vec<Option<Decimal>>, Option<String>) {
        let mut references = Vec::new();
        let mut amounts = Vec::new();
        let mut lines: Vec<&str> = Vec::new();
        for info in tx.children("RmtInf") {
            for (i, structured) in info.children("Strd").enumerate() {
                let Some(reference) = structured.value_at(&["CdtrRefInf", "Ref"]) else {
                    continue;
                };
                let strd_path = format!("{path}/RmtInf/Strd[{}]/RfrdDocAmt", i + 1);
                let amount = match structured.child("RfrdDocAmt") {
                    Some(doc) => {
                        let mut read =
                            |name| self.amount_of(doc, &strd_path, name).ok().flatten().map(|a| a.0);
                        let remitted = read("RmtdAmt");
                        let credit_note = read("CdtNoteAmt");
                        match (remitted, credit_note) {
                            (None, None) => None,
                            (r, c) => r.unwrap_or_default().checked_sub(c.unwrap_or_default()),
                        }
                    }
                    None => None,
                };
                references.push(reference.to_string());
                amounts.push(amount);
            }
            lines.extend(info.children("Ustrd").map(|u| u.text.as_str()));
        }
        // Max35Text lines (Nordea) and Max140Text are cut at their width.
        (references, amounts, join_chunks(&lines, &[35, 140]))
    }

    fn txid(
        &self,
        entry: &Entry<'_>,
        container: &Container<'_>,
        tx: Option<&Element>,
        index: usize,
        path: &str,
    ) -> String {
        let entry_ref = entry.element.value_at(&["AcctSvcrRef"]);
        let tx_ref = tx.and_then(|t| t.value_at(&["Refs", "AcctSvcrRef"]));
        let mut parts: Vec<String> = Vec::new();
        if let Some(r) = entry_ref {
            parts.push(r.to_string());
        } else if tx_ref.is_none()
            && let Some(n) = entry.element.value_at(&["NtryRef"])
        {
            // NtryRef is often just 1, 2, 3… within the statement.
            let scope = container.id.unwrap_or(&self.message_id);
            parts.push(format!("{scope}:{n}"));
        }
        let tx_part = match tx_ref {
            Some(r) if Some(r) != entry_ref => Some(r.to_string()),
            Some(_) => None,
            None if entry.transactions > 1 || parts.is_empty() => tx.and_then(|t| {
                ["EndToEndId", "TxId", "InstrId", "UETR"]
                    .iter()
                    .filter_map(|name| t.value_at(&["Refs", name]))
                    .find(|v| !v.eq_ignore_ascii_case("NOTPROVIDED"))
                    .map(str::to_string)
            }),
            None => None,
        };
        match tx_part {
            Some(part) => parts.push(part),
            // Several transactions under one entry reference: tell them apart.
            None if entry.transactions > 1 && !parts.is_empty() => parts.push(format!("tx{index}")),
            None => {}
        }
        if parts.is_empty() {
            // Nothing from the bank at all: the message id and the position.
            format!("{}:{path}", self.message_id)
        } else {
            parts.join("/")
        }
    }
}

/// All `TxDtls` of an entry with their paths (`NtryDtls` may repeat).
fn transactions<'a>(e: &'a Element, path: &str) -> Vec<(String, &'a Element)> {
    let details: Vec<&Element> = e.children("NtryDtls").collect();
    let mut out = Vec::new();
    for (i, detail) in details.iter().enumerate() {
        let detail_path = if details.len() > 1 {
            format!("{path}/NtryDtls[{}]", i + 1)
        } else {
            format!("{path}/NtryDtls")
        };
        for (j, tx) in detail.children("TxDtls").enumerate() {
            out.push((format!("{detail_path}/TxDtls[{}]", j + 1), tx));
        }
    }
    out
}

/// `Sts` (.02, .04) or `Sts/Cd` (.08).
fn status(e: &Element) -> Option<&str> {
    let sts = e.child("Sts")?;
    sts.value_at(&["Cd"]).or_else(|| sts.value_at(&["Prtry"])).or_else(|| sts.value())
}

fn return_reason(e: &Element) -> Option<&str> {
    transactions(e, "").into_iter().find_map(|(_, tx)| tx.value_at(&["RtrInf", "Rsn", "Cd"]))
}

/// The payer's name. Nordea DK gives only address lines, the first of which is
/// the name.
fn payer(tx: &Element) -> Option<String> {
    let parties = tx.child("RltdPties")?;
    let names = [
        &["Dbtr", "Nm"][..],
        &["Dbtr", "Pty", "Nm"],
        &["UltmtDbtr", "Nm"],
        &["UltmtDbtr", "Pty", "Nm"],
        &["Dbtr", "PstlAdr", "AdrLine"],
        &["Dbtr", "Pty", "PstlAdr", "AdrLine"],
    ];
    names.iter().find_map(|path| parties.value_at(path)).map(str::to_string)
}

/// ISO amounts: digits with an optional fraction, no sign, no exponent. (Decimal's
/// own parser would also accept `_` and signs.)
fn parse_amount(text: &str) -> Option<Decimal> {
    let mut parts = text.split('.');
    let whole = parts.next()?;
    let fraction = parts.next();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return None;
    }
    Decimal::from_str(text).ok()
}

#[cfg(test)]
mod tests;
