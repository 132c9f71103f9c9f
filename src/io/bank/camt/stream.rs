//! camt.053/054 read as a stream (bank-formats.md §3): the same events, tree and entry rules
//! as [`super::parse_camt`], but each entry (`Ntry`) is read into payments as soon as it
//! closes and then let go, so a file of millions of payments is never held. What is kept is
//! the rest of the tree (group header, statements without their entries) and the skipped list.
//!
//! The whole-file parser reads every entry with the message's `GrpHdr/MsgId` and its
//! statement's `Id` and `Acct/Ccy`, wherever in the file they are. The stream reads an entry
//! with what came before it, which is the same in every file laid out as the schema says
//! (these come first). A file where one of them comes after an entry, or that is not UTF-8
//! (a declared Latin-1, a UTF-16 byte order mark), is not read by the stream at all: the
//! caller reads it whole, with the same result as before.
//!
//! Errors are the whole-file parser's, with the same precedence: a byte that is not UTF-8
//! anywhere in the file, else the first XML error, else a message or namespace that is not
//! camt, else the entries' errors in file order.

use std::io::{self, BufRead, BufReader, Read};

use quick_xml::Reader;

use super::{
    Builder, Container, Element, Hooks, Message, TRUNCATED, Walker, check_namespace, container_name,
    declared_encoding, finish, locate_message, message_format, no_element, not_utf8, open_path,
};
use crate::io::bank::{BankError, BankFile, BankFormat, BankPayment, error};

/// Bytes read before deciding how the file is decoded: the XML declaration is in the first
/// 200 (as [`super::decode`] looks for it).
const HEAD: usize = 256;

/// What a streamed read of a camt file gives.
pub struct CamtStream {
    /// The file without its payments (those went to `emit`), or its errors.
    pub file: Result<BankFile, Vec<BankError>>,
    /// FNV-1a of every byte, as `io::import_files::content_hash` writes it.
    pub hash: String,
}

/// Reads a camt file from `open()` (opened again only to find the line of an error), giving
/// each payment to `emit` as its entry ends. `None` when the stream cannot read it as
/// [`super::parse_camt`] does (see the module's comment): read it whole then. On an error,
/// payments already given to `emit` are no part of any result.
pub fn stream_camt<R: Read>(
    open: &dyn Fn() -> io::Result<R>,
    emit: &mut dyn FnMut(BankPayment),
) -> io::Result<Option<CamtStream>> {
    let mut file = open()?;
    let mut head = vec![0u8; HEAD];
    let n = crate::io::commit::read_full(&mut file, &mut head)?;
    head.truncate(n);
    let Some(bom) = utf8_text(&head) else {
        return Ok(None);
    };
    let skip: u8 = if bom { 3 } else { 0 };
    let checked = Checked::new(io::Cursor::new(head).chain(file), usize::from(skip));
    let mut reader = Reader::from_reader(Counted::new(BufReader::with_capacity(256 * 1024, checked)));
    let mut builder = Builder::default();
    let mut entries = Entries::new(emit);
    let mut buf = Vec::new();
    // The first XML error: where, the path then open, and what.
    let mut failed: Option<(u64, String, String)> = None;
    loop {
        buf.clear();
        let position = reader.buffer_position();
        // Asked before the event is read: the parser has consumed up to its start.
        let line_here = reader.get_ref().line_at(position);
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                failed =
                    Some((reader.error_position(), open_path(&builder.stack), format!("XML error: {e}")));
                break;
            }
        };
        let mut lost = false;
        let mut line = || {
            line_here.unwrap_or_else(|| {
                lost = true;
                0
            })
        };
        let step = builder.apply(event, &mut line, &mut entries);
        if lost || entries.unstreamable {
            return Ok(None);
        }
        match step {
            Ok(true) => break,
            Ok(false) => {}
            Err(m) => {
                failed = Some((position, open_path(&builder.stack), m));
                break;
            }
        }
    }
    // The rest of the file, for the UTF-8 check and the hash.
    let mut rest = reader.into_inner().inner;
    io::copy(&mut rest, &mut io::sink())?;
    let checked = rest.into_inner();
    let hash = format!("{:016x}", checked.hash);
    let fail = |e: BankError| Ok(Some(CamtStream { file: Err(vec![e]), hash: hash.clone() }));
    if let Some((at, byte)) = checked.invalid {
        if bom {
            return fail(error("line 1", "not valid UTF-8"));
        }
        let line = line_in(open()?, 0, at)?;
        return fail(not_utf8(line, usize::try_from(at).unwrap_or(usize::MAX), byte));
    }
    let (offset, path, message) = match failed {
        Some(found) => found,
        None if !builder.stack.is_empty() => {
            (checked.passed, open_path(&builder.stack), TRUNCATED.to_string())
        }
        None => {
            let Some(root) = builder.root else { return fail(no_element()) };
            let message = match locate_message(&root) {
                Ok(message) => message,
                Err(e) => return fail(e),
            };
            if let Err(e) = check_namespace(&root, &message) {
                return fail(e);
            }
            return Ok(entries.finish(&root, &message).map(|file| CamtStream { file, hash }));
        }
    };
    let line = line_in(open()?, u64::from(skip), offset)?;
    fail(error(format!("line {line}, {path}"), message))
}

/// Whether the head of a file is of one the stream reads: UTF-8 (true when after a byte order
/// mark), as [`super::decode`] decides.
fn utf8_text(head: &[u8]) -> Option<bool> {
    if let Some((encoding, _)) = encoding_rs::Encoding::for_bom(head) {
        return (encoding == encoding_rs::UTF_8).then_some(true);
    }
    match declared_encoding(head).and_then(encoding_rs::Encoding::for_label) {
        Some(encoding)
            if encoding != encoding_rs::UTF_8
                && encoding != encoding_rs::UTF_16LE
                && encoding != encoding_rs::UTF_16BE =>
        {
            None
        }
        _ => Some(false),
    }
}

/// `line_at` of the text (the file after `skip` bytes) at `offset`, read again: for an error.
fn line_in(reader: impl Read, skip: u64, offset: u64) -> io::Result<usize> {
    let mut input = BufReader::new(reader.take(skip + offset));
    io::copy(&mut (&mut input).take(skip), &mut io::sink())?;
    let mut line = 1;
    let mut after_cr = false;
    loop {
        let bytes = input.fill_buf()?;
        if bytes.is_empty() {
            break;
        }
        for &b in bytes {
            // A CR ends a line unless an LF follows (in the text read), which then does.
            if after_cr && b != b'\n' {
                line += 1;
            }
            if b == b'\n' {
                line += 1;
            }
            after_cr = b == b'\r';
        }
        let n = bytes.len();
        input.consume(n);
    }
    Ok(line + usize::from(after_cr))
}

/// The file's bytes as read: hashed, the first `skip` (a byte order mark) left out, the rest
/// checked as UTF-8.
struct Checked<R> {
    inner: R,
    skip: usize,
    hash: u64,
    /// Bytes passed on.
    passed: u64,
    /// The start of a character whose other bytes are in the next read.
    pending: Vec<u8>,
    scratch: Vec<u8>,
    /// Where the text stops being UTF-8 (as `str::from_utf8` says for the whole), and the byte.
    invalid: Option<(u64, u8)>,
}

impl<R: Read> Checked<R> {
    fn new(inner: R, skip: usize) -> Checked<R> {
        Checked {
            inner,
            skip,
            hash: 0xcbf2_9ce4_8422_2325,
            passed: 0,
            pending: Vec::new(),
            scratch: Vec::new(),
            invalid: None,
        }
    }

    fn check(&mut self, chunk: &[u8]) {
        if self.invalid.is_some() {
            return;
        }
        let start = self.passed - self.pending.len() as u64;
        let mut joined = std::mem::take(&mut self.scratch);
        let data: &[u8] = if self.pending.is_empty() {
            chunk
        } else {
            joined.clear();
            joined.extend_from_slice(&self.pending);
            joined.extend_from_slice(chunk);
            &joined
        };
        match std::str::from_utf8(data) {
            Ok(_) => self.pending.clear(),
            Err(e) => {
                let at = e.valid_up_to();
                match e.error_len() {
                    None => self.pending = data[at..].to_vec(),
                    Some(_) => self.invalid = Some((start + at as u64, data[at])),
                }
            }
        }
        self.scratch = joined;
    }
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(out)?;
            for &b in &out[..n] {
                self.hash ^= u64::from(b);
                self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
            if n == 0 {
                if let (Some(&first), None) = (self.pending.first(), self.invalid) {
                    self.invalid = Some((self.passed - self.pending.len() as u64, first));
                }
                self.pending.clear();
                return Ok(0);
            }
            let cut = self.skip.min(n);
            self.skip -= cut;
            if cut == n {
                continue;
            }
            out.copy_within(cut..n, 0);
            let n = n - cut;
            self.check(&out[..n]);
            self.passed += n as u64;
            return Ok(n);
        }
    }
}

/// The reader the XML parser reads from, counting the line breaks in what it has consumed:
/// after each event it has consumed exactly up to its position, so the line of an element
/// is known without the text before it.
struct Counted<R> {
    inner: BufReader<Checked<R>>,
    consumed: u64,
    /// Line breaks consumed: every CR, and every LF not right after a CR (`line_at`'s count).
    breaks: usize,
    last: u8,
}

impl<R: Read> Counted<R> {
    fn new(inner: BufReader<Checked<R>>) -> Counted<R> {
        Counted { inner, consumed: 0, breaks: 0, last: 0 }
    }

    /// `line_at` of the text at `position`; `None` if the parser is not where it was thought.
    fn line_at(&self, position: u64) -> Option<usize> {
        (position == self.consumed).then_some(1 + self.breaks)
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        let buffer = self.inner.buffer();
        let bytes = &buffer[..n.min(buffer.len())];
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let before = if at == 0 { self.last } else { bytes[at - 1] };
            if bytes[at] == b'\r' || before != b'\r' {
                self.breaks += 1;
            }
        }
        if let Some(&last) = bytes.last() {
            self.last = last;
        }
        self.consumed += bytes.len() as u64;
        self.inner.consume(n);
    }
}

/// Where the message element is, once it has opened.
struct MessageAt {
    depth: usize,
    format: BankFormat,
    path: String,
}

/// What an entry of the statement (notification) now open was read with.
struct ContainerAt {
    path: String,
    id: Option<String>,
    account_currency: Option<String>,
}

/// The stream's [`Hooks`]: entries read and let go as they close.
struct Entries<'e> {
    emit: &'e mut dyn FnMut(BankPayment),
    walker: Walker,
    /// Whether the message element has been seen (the root, or the first child of `Document`).
    message_seen: bool,
    /// The message while it is open, if it is camt.053/054.
    message: Option<MessageAt>,
    /// The message id entries were read with, once one was.
    message_id: Option<String>,
    container: Option<ContainerAt>,
    /// Something an entry was read with changed after it (a header after the entries).
    unstreamable: bool,
}

impl<'e> Entries<'e> {
    fn new(emit: &'e mut dyn FnMut(BankPayment)) -> Entries<'e> {
        Entries {
            emit,
            walker: Walker::default(),
            message_seen: false,
            message: None,
            message_id: None,
            container: None,
            unstreamable: false,
        }
    }

    fn entry(&mut self, parents: &[Element], element: &Element) {
        let Some(m) = &self.message else { return };
        let (message, container) = (&parents[m.depth], &parents[m.depth + 1]);
        let message_id = message_id_of(message);
        match &self.message_id {
            Some(used) => self.unstreamable |= used != message_id,
            None => {
                self.walker.message_id = message_id.to_string();
                self.message_id = Some(message_id.to_string());
            }
        }
        let (id, account_currency) = context_of(container);
        match &self.container {
            Some(c) => self.unstreamable |= !c.same(id, account_currency),
            None => {
                let name = container_name(m.format);
                self.container = Some(ContainerAt {
                    path: format!("{}/{name}[{}]", m.path, message.children(name).count() + 1),
                    id: id.map(str::to_string),
                    account_currency: account_currency.map(str::to_string),
                });
            }
        }
        if self.walker.errors.is_full() {
            return;
        }
        let Some(c) = &self.container else { return };
        let context = Container { path: &c.path, id, account_currency };
        self.walker.entry(element, &context, container.taken + 1);
        for payment in self.walker.payments.drain(..) {
            (self.emit)(payment);
        }
    }

    /// The file without its payments, as [`super::parse_camt`] finishes it.
    fn finish(self, root: &Element, message: &Message<'_>) -> Option<Result<BankFile, Vec<BankError>>> {
        if self.unstreamable {
            return None;
        }
        Some(finish(root, message, self.walker, Vec::new()))
    }
}

impl ContainerAt {
    fn same(&self, id: Option<&str>, account_currency: Option<&str>) -> bool {
        self.id.as_deref() == id && self.account_currency.as_deref() == account_currency
    }
}

fn message_id_of(message: &Element) -> &str {
    message.path(&["GrpHdr", "MsgId"]).and_then(Element::value).unwrap_or("camt")
}

/// A statement's (notification's) `Id` and `Acct/Ccy`, as entries are read with them.
fn context_of(container: &Element) -> (Option<&str>, Option<&str>) {
    (
        container.path(&["Id"]).and_then(Element::value),
        container.path(&["Acct", "Ccy"]).and_then(Element::value),
    )
}

impl Hooks for Entries<'_> {
    fn opened(&mut self, stack: &[Element]) {
        if self.message_seen {
            return;
        }
        let depth = stack.len() - 1;
        let is_message = match depth {
            0 => stack[0].name != "Document",
            1 => stack[0].name == "Document" && stack[0].children.is_empty(),
            _ => false,
        };
        if !is_message {
            return;
        }
        self.message_seen = true;
        let name = &stack[depth].name;
        self.message = message_format(name).map(|format| MessageAt {
            depth,
            format,
            path: if depth == 0 { name.clone() } else { format!("Document/{name}") },
        });
    }

    fn closed(&mut self, parents: &[Element], element: &Element) -> bool {
        let Some(m) = &self.message else { return false };
        let depth = parents.len();
        let container = container_name(m.format);
        if depth == m.depth {
            // The message ends: its id must be the one its entries were read with.
            if self.message_id.as_deref().is_some_and(|used| used != message_id_of(element)) {
                self.unstreamable = true;
            }
            self.message = None;
            return false;
        }
        if depth == m.depth + 1 && element.name == container {
            let (id, account_currency) = context_of(element);
            if self.container.take().is_some_and(|c| !c.same(id, account_currency)) {
                self.unstreamable = true;
            }
            return false;
        }
        if depth == m.depth + 2 && element.name == "Ntry" && parents[m.depth + 1].name == container {
            self.entry(parents, element);
            return true;
        }
        false
    }

    fn keeps_text(&self, stack: &[Element]) -> bool {
        // A statement's own text is never read; between a million entries it is a million blanks.
        !self.message.as_ref().is_some_and(|m| {
            stack.len() == m.depth + 2 && stack[m.depth + 1].name == container_name(m.format)
        })
    }
}

#[cfg(test)]
mod tests;
