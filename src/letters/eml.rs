//! `.eml` files (RFC 5322 messages) for the e-mail channel.
//!
//! The message is `multipart/alternative` with a UTF-8 `text/plain` and `text/html` part,
//! inside a `multipart/mixed` with the attachments (the letter as PDF) when there are any.
//! lettre's message builder does the encoding: RFC 2047 encoded words for non-ASCII
//! subjects and display names, quoted-printable or base64 bodies, CRLF line endings.
//!
//! Headers a mail server and the reader's program rely on: a `Message-ID` in the company's
//! domain, stable for the same message (so that a resend is recognised as the same mail), the
//! real `Date` it was written, `Reply-To` the company's address, and `Auto-Submitted:
//! auto-generated` (RFC 3834), so that vacation responders do not answer a cron job.
//!
//! Output is reproducible for the same parts: the MIME boundaries are derived from the content
//! instead of being random.

use std::time::SystemTime;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue, MessageId};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use super::LetterError;

/// What goes into one `.eml` file.
#[derive(Debug, Clone, Copy)]
pub struct EmlParts<'a> {
    /// Display name of the sender (the company); may be empty.
    pub from_name: &'a str,
    pub from_addr: &'a str,
    /// Display name of the recipient (the customer or contact person); may be empty.
    pub to_name: &'a str,
    pub to_addr: &'a str,
    pub subject: &'a str,
    /// The plain-text body.
    pub text: &'a str,
    /// The HTML body.
    pub html: &'a str,
    /// When the message was written: the `Date` header.
    pub date: SystemTime,
    /// `<unique@domain>`; the angle brackets are added when missing.
    pub message_id: &'a str,
    /// Where replies go (the company's address), when it is not the sender's.
    pub reply_to: Option<&'a str>,
    /// Files attached after the text and HTML parts.
    pub attachments: &'a [EmlAttachment<'a>],
}

/// A file attached to a message, e.g. the letter as PDF.
#[derive(Debug, Clone, Copy)]
pub struct EmlAttachment<'a> {
    /// The name the reader sees, e.g. `paminnelse-2026-11-30.pdf`.
    pub filename: &'a str,
    /// e.g. `application/pdf`.
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// `Auto-Submitted: auto-generated` (RFC 3834): the message was sent by a program, so
/// auto-responders must not answer it.
#[derive(Clone, Debug)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// Builds the RFC 5322 message for `parts`.
pub fn build_eml(parts: &EmlParts<'_>) -> Result<Vec<u8>, LetterError> {
    let from = mailbox(parts.from_name, parts.from_addr, "sender")?;
    let to = mailbox(parts.to_name, parts.to_addr, "recipient")?;
    let message_id = message_id(parts.message_id)?;
    let seed = fnv1a(&[parts.message_id, parts.subject, parts.text, parts.html]);
    let alternative = MultiPart::alternative()
        .boundary(boundary(seed, parts))
        .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(crlf(parts.text)))
        .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(crlf(parts.html)));
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(one_line(parts.subject))
        .date(parts.date)
        .header(MessageId::from(message_id))
        .header(AutoSubmitted);
    if let Some(reply_to) = parts.reply_to {
        builder = builder.reply_to(mailbox(parts.from_name, reply_to, "reply-to")?);
    }
    let message = if parts.attachments.is_empty() {
        builder.multipart(alternative)
    } else {
        let mut mixed =
            MultiPart::mixed().boundary(boundary(seed.wrapping_add(1), parts)).multipart(alternative);
        for attachment in parts.attachments {
            let content_type = ContentType::parse(attachment.content_type).map_err(|e| {
                LetterError::Email(format!("content type {:?}: {e}", attachment.content_type))
            })?;
            mixed = mixed.singlepart(
                Attachment::new(one_line(attachment.filename)).body(attachment.bytes.to_vec(), content_type),
            );
        }
        builder.multipart(mixed)
    }
    .map_err(|e| LetterError::Email(e.to_string()))?;
    Ok(message.formatted())
}

/// Parses and checks an address, e.g. `anna@example.se`, and pairs it with a display name.
fn mailbox(name: &str, address: &str, role: &str) -> Result<Mailbox, LetterError> {
    let invalid = |why: &str| LetterError::Email(format!("invalid {role} address {address:?}: {why}"));
    let parsed: Address = address.trim().parse().map_err(|e| invalid(&format!("{e}")))?;
    // lettre accepts `anna@localhost`; a customer's address without a dot in the domain is
    // a typo (`anna@gmailcom`), not an intranet host.
    if !parsed.domain().contains('.') || parsed.domain().ends_with('.') {
        return Err(invalid("the domain has no dot"));
    }
    let name = one_line(name);
    Ok(Mailbox::new((!name.is_empty()).then_some(name), parsed))
}

/// `abc@host` or `<abc@host>` → `<abc@host>`, refusing anything that would break the header.
fn message_id(id: &str) -> Result<String, LetterError> {
    let id = id.trim();
    let inner = id.strip_prefix('<').and_then(|rest| rest.strip_suffix('>')).unwrap_or(id);
    let valid = inner
        .split_once('@')
        .is_some_and(|(left, right)| !left.is_empty() && !right.is_empty() && !right.contains('@'))
        && inner
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\\' | '(' | ')' | ','));
    if !valid {
        return Err(LetterError::Email(format!("invalid Message-ID {id:?}: expected <unique@domain>")));
    }
    Ok(format!("<{inner}>"))
}

/// Header values are one line: a line break from the data must not start a new header.
/// `text` with CRLF line ends, as a message body has them: made here in one pass, since
/// lettre inserts each missing CR into the body in place, moving the rest of it every time
/// (issue #14: 2 % of a run of letters for a few hundred lines each).
fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32 + 2);
    for piece in text.split_inclusive('\n') {
        match piece.strip_suffix('\n') {
            Some(line) => {
                out.push_str(line);
                if !line.ends_with('\r') {
                    out.push('\r');
                }
                out.push('\n');
            }
            None => out.push_str(piece),
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

/// A MIME boundary derived from the content, so that the output is reproducible, and
/// checked not to occur in either body. `=_` cannot occur in quoted-printable or base64
/// text, which is how lettre encodes non-ASCII bodies and attachments.
fn boundary(mut seed: u64, parts: &EmlParts<'_>) -> String {
    loop {
        let candidate = format!("=_dun_{seed:016x}");
        if !parts.text.contains(&candidate) && !parts.html.contains(&candidate) {
            return candidate;
        }
        seed = seed.wrapping_mul(0x100_0000_01b3).wrapping_add(1);
    }
}

/// 64-bit FNV-1a: small, stable across Rust versions (unlike `DefaultHasher`).
pub fn fnv1a(pieces: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for piece in pieces {
        for byte in piece.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every LF gets its CR, once: what lettre would have made of the body.
    #[test]
    fn bodies_get_crlf_line_ends_once() {
        for (text, want) in [
            ("a\nb", "a\r\nb"),
            ("a\r\nb\n", "a\r\nb\r\n"),
            ("\n\nå\n", "\r\n\r\nå\r\n"),
            ("lone\r cr\r", "lone\r cr\r"),
            ("", ""),
        ] {
            assert_eq!(crlf(text), want, "{text:?}");
        }
    }

    fn parts<'a>() -> EmlParts<'a> {
        EmlParts {
            from_name: "Nordisk Verkstad AB",
            from_addr: "faktura@verkstad.example.se",
            to_name: "Fisk & <Skaldjur> AB, Åsa Öberg",
            to_addr: "asa@fisk.example.se",
            subject: "Påminnelse: obetald faktura 2026-101 från Nordisk Verkstad AB",
            text: "Hej Åsa!\n\nAtt betala: 1\u{a0}234,50\u{a0}kr\nEn lång rad som är längre än sjuttiosex tecken för att se att den bryts mjukt utan problem.\n",
            html: "<!DOCTYPE html>\n<html><body><p>Hej Åsa!</p><p>Att betala: 1&nbsp;234,50 kr</p></body></html>\n",
            date: SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_795_512_615),
            message_id: "<dun-2026-11-24-c1001@verkstad.example.se>",
            reply_to: None,
            attachments: &[],
        }
    }

    fn build(parts: &EmlParts<'_>) -> String {
        String::from_utf8(build_eml(parts).unwrap()).unwrap()
    }

    /// Splits a message (or part) into its unfolded headers and its body.
    fn split(message: &str) -> (Vec<(String, String)>, &str) {
        let (head, body) = message.split_once("\r\n\r\n").expect("blank line after headers");
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                headers.last_mut().expect("continuation").1.push_str(line);
            } else {
                let (name, value) = line.split_once(':').expect("header line");
                headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        (headers, body)
    }

    fn header<'h>(headers: &'h [(String, String)], name: &str) -> &'h str {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    fn base64_decode(text: &str) -> Vec<u8> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut bits = 0u32;
        let mut count = 0;
        let mut out = Vec::new();
        for byte in text.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'=') {
            let value = ALPHABET.iter().position(|a| *a == byte).expect("base64") as u32;
            bits = (bits << 6) | value;
            count += 6;
            if count >= 8 {
                count -= 8;
                out.push((bits >> count) as u8);
                bits &= (1 << count) - 1;
            }
        }
        out
    }

    fn quoted_printable_decode(text: &str) -> Vec<u8> {
        let bytes = text.replace("=\r\n", "").into_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).expect("QP escape"));
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    }

    fn decode_body(headers: &[(String, String)], body: &str) -> String {
        let bytes = match header(headers, "content-transfer-encoding") {
            "base64" => base64_decode(body),
            "quoted-printable" => quoted_printable_decode(body),
            "7bit" | "8bit" => body.as_bytes().to_vec(),
            other => panic!("unexpected encoding {other}"),
        };
        String::from_utf8(bytes).unwrap()
    }

    /// Decodes an unfolded header value with RFC 2047 words (`=?utf-8?b?...?=`). Whitespace
    /// between two encoded words is dropped; all other text is kept as it is.
    fn decode_words(value: &str) -> String {
        let mut out = String::new();
        let mut rest = value;
        let mut after_word = false;
        while let Some(start) = rest.find("=?") {
            let between = &rest[..start];
            if !(after_word && between.trim().is_empty()) {
                out.push_str(between);
            }
            let word = &rest[start + 2..];
            let end = word.find("?=").expect("end of encoded word");
            let mut fields = word[..end].splitn(3, '?');
            let (charset, encoding, data) =
                (fields.next().unwrap(), fields.next().unwrap(), fields.next().unwrap());
            assert!(charset.eq_ignore_ascii_case("utf-8"));
            let bytes = if encoding.eq_ignore_ascii_case("b") {
                base64_decode(data)
            } else {
                quoted_printable_decode(&data.replace('_', " "))
            };
            out.push_str(&String::from_utf8(bytes).unwrap());
            rest = &word[end + 2..];
            after_word = true;
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn message_is_multipart_alternative_with_both_parts() {
        let eml = build(&parts());
        let (headers, body) = split(&eml);
        assert_eq!(header(&headers, "mime-version"), "1.0");
        assert_eq!(header(&headers, "date"), "Tue, 24 Nov 2026 09:30:15 +0000");
        assert_eq!(header(&headers, "auto-submitted"), "auto-generated");
        assert_eq!(header(&headers, "message-id"), "<dun-2026-11-24-c1001@verkstad.example.se>");
        let content_type = header(&headers, "content-type");
        assert!(content_type.starts_with("multipart/alternative;"), "{content_type}");
        let boundary = content_type
            .split("boundary=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("boundary parameter");
        assert!(boundary.starts_with("=_dun_"));

        let delimiter = format!("--{boundary}\r\n");
        let closing = format!("--{boundary}--\r\n");
        assert!(body.ends_with(&closing), "closing delimiter at the end");
        let inner = body.strip_suffix(&closing).unwrap();
        let sections: Vec<&str> = inner.split(&delimiter).collect();
        assert_eq!(sections.len(), 3, "preamble + two parts");
        assert!(sections[0].is_empty());

        let (text_headers, text_body) = split(sections[1]);
        assert_eq!(header(&text_headers, "content-type"), "text/plain; charset=utf-8");
        assert_eq!(
            decode_body(&text_headers, text_body.trim_end()).replace("\r\n", "\n"),
            parts().text.trim_end()
        );
        let (html_headers, html_body) = split(sections[2]);
        assert_eq!(header(&html_headers, "content-type"), "text/html; charset=utf-8");
        assert_eq!(
            decode_body(&html_headers, html_body.trim_end()).replace("\r\n", "\n"),
            parts().html.trim_end()
        );
    }

    #[test]
    fn every_line_ends_with_crlf_and_is_short() {
        let eml = build(&parts());
        assert!(eml.ends_with("\r\n"));
        for (index, byte) in eml.bytes().enumerate() {
            if byte == b'\n' {
                assert_eq!(eml.as_bytes()[index - 1], b'\r', "bare LF at byte {index}");
            }
            if byte == b'\r' {
                assert_eq!(eml.as_bytes()[index + 1], b'\n', "bare CR at byte {index}");
            }
        }
        assert!(eml.is_ascii(), "8-bit data must be encoded");
        // RFC 5322: at most 998 characters a line; the encoded bodies keep to 76.
        assert!(eml.split("\r\n").all(|line| line.len() <= 998));
        let body = eml.split_once("\r\n\r\n").unwrap().1;
        assert!(body.split("\r\n").all(|line| line.len() <= 76), "body lines within 76");
    }

    #[test]
    fn non_ascii_subject_and_names_are_encoded_words() {
        let eml = build(&parts());
        let (headers, _) = split(&eml);
        let subject = header(&headers, "subject");
        // lettre encodes the words that need it: `=?utf-8?b?UMOlbWlubmVsc2U6?= obetald …`.
        assert!(subject.starts_with("=?utf-8?"), "{subject}");
        assert_eq!(decode_words(subject), parts().subject);
        let to = header(&headers, "to");
        assert!(to.ends_with("<asa@fisk.example.se>"), "{to}");
        assert!(decode_words(to).contains("Fisk & <Skaldjur> AB, Åsa Öberg"), "{to}");
        assert_eq!(header(&headers, "from"), "\"Nordisk Verkstad AB\" <faktura@verkstad.example.se>");
    }

    #[test]
    fn output_is_reproducible() {
        assert_eq!(build_eml(&parts()).unwrap(), build_eml(&parts()).unwrap());
        let mut other = parts();
        other.text = "something else\n";
        assert_ne!(build_eml(&parts()).unwrap(), build_eml(&other).unwrap());
    }

    #[test]
    fn reply_to_and_an_attachment() {
        let pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj";
        let attachments =
            [EmlAttachment { filename: "påminnelse.pdf", content_type: "application/pdf", bytes: pdf }];
        let mut with = parts();
        with.reply_to = Some("ekonomi@verkstad.example.se");
        with.attachments = &attachments;
        let eml = build(&with);
        let (headers, body) = split(&eml);
        assert_eq!(header(&headers, "reply-to"), "\"Nordisk Verkstad AB\" <ekonomi@verkstad.example.se>");
        assert!(header(&headers, "content-type").starts_with("multipart/mixed;"));
        assert!(body.contains("Content-Type: multipart/alternative;"), "{body}");
        assert!(body.contains("Content-Type: application/pdf"), "{body}");
        assert!(body.contains("Content-Disposition: attachment;"), "{body}");
        assert!(body.contains("Content-Transfer-Encoding: base64"), "{body}");
        assert!(body.contains(&base64_encode(pdf)), "{body}");
        assert_eq!(build_eml(&with).unwrap(), build_eml(&with).unwrap(), "reproducible");
    }

    fn base64_encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        while !out.len().is_multiple_of(4) {
            out.push('=');
        }
        out
    }

    #[test]
    fn line_breaks_in_the_subject_cannot_add_headers() {
        let mut injected = parts();
        injected.subject = "Reminder\r\nBcc: victim@example.com";
        let eml = build(&injected);
        let (headers, _) = split(&eml);
        assert!(headers.iter().all(|(name, _)| name != "bcc"));
    }

    #[test]
    fn invalid_addresses_are_refused() {
        for bad in ["", "anna", "anna@", "@example.se", "anna@gmailcom", "an na@example.se", "a@b@c.se"] {
            let mut wrong = parts();
            wrong.to_addr = bad;
            let error = build_eml(&wrong).unwrap_err().to_string();
            assert!(error.contains("recipient address"), "{bad:?}: {error}");
        }
        let mut wrong = parts();
        wrong.from_addr = "faktura.example.se";
        assert!(build_eml(&wrong).unwrap_err().to_string().contains("sender address"));
    }

    #[test]
    fn message_id_gets_brackets_and_is_checked() {
        assert_eq!(message_id("a.b@example.se").unwrap(), "<a.b@example.se>");
        assert_eq!(message_id("<a.b@example.se>").unwrap(), "<a.b@example.se>");
        for bad in ["", "<>", "no-at-sign", "a b@example.se", "<a@b>\r\nBcc: x@y.se"] {
            assert!(message_id(bad).is_err(), "{bad:?}");
        }
    }
}
