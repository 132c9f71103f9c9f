//! Delivery's bytes out (issue 13, `dun send`): e-mail over SMTP, SMS over a provider's HTTP
//! API, letters into a print service's folder. Each sender tells, per message, whether it was
//! delivered, refused for good, refused for now, or perhaps delivered (the connection broke
//! after the message went): the journal records which (`core::delivery`).

pub mod folder;
pub mod smtp;

/// What became of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Accepted (the server's answer).
    Sent(String),
    /// Refused for good: it will not be tried again.
    Failed(String),
    /// Not sent, for now (a 4xx, a connection that broke before the message went).
    Deferred(String),
    /// Perhaps delivered: the connection broke after the message went.
    Doubt(String),
    /// Not sent, and nothing more should be tried on this channel in this run (the server
    /// cannot be reached, the credentials are refused): nothing to journal.
    Stop(String),
}

/// The envelope of a composed `.eml`: the `From` address and the `To` addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub from: String,
    pub to: Vec<String>,
}

/// Reads the envelope from an `.eml`'s header (what the reader reviewed is what is sent, to
/// whom it says).
pub fn eml_envelope(eml: &[u8]) -> Result<Envelope, String> {
    let text = String::from_utf8_lossy(eml);
    let header = text.split("\r\n\r\n").next().unwrap_or_default();
    let header = header.split("\n\n").next().unwrap_or_default();
    // Unfold: a line starting with white space continues the one before.
    let mut fields: Vec<String> = Vec::new();
    for line in header.lines() {
        match fields.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
            _ => fields.push(line.to_owned()),
        }
    }
    let field = |name: &str| {
        fields.iter().find_map(|f| {
            let (key, value) = f.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| addresses(value))
        })
    };
    let from = field("From").and_then(|a| a.into_iter().next()).ok_or("it has no From address")?;
    let to = field("To").filter(|a| !a.is_empty()).ok_or("it has no To address")?;
    Ok(Envelope { from, to })
}

/// The addresses in a header value: those in `<...>`, else the bare words with an `@`.
fn addresses(value: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        found.push(rest[open + 1..open + close].trim().to_owned());
        rest = &rest[open + close + 1..];
    }
    if found.is_empty() {
        found = value.split(',').map(str::trim).filter(|a| a.contains('@')).map(str::to_owned).collect();
    }
    found
}

/// A composed SMS: the E.164 number from its `To:` line and the text after the blank line.
pub fn sms_message(file: &[u8]) -> Result<(String, String), String> {
    let text = std::str::from_utf8(file).map_err(|_| "it is not UTF-8 text".to_owned())?;
    let text = text.replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").ok_or("it has no blank line after the To: line")?;
    let to = head
        .lines()
        .find_map(|l| l.strip_prefix("To:"))
        .map(str::trim)
        .filter(|n| n.starts_with('+') && n.len() > 4 && n[1..].bytes().all(|b| b.is_ascii_digit()))
        .ok_or("its To: line holds no number in E.164 (+46701234567)")?;
    let body = body.trim_end();
    if body.is_empty() {
        return Err("its text is empty".to_owned());
    }
    Ok((to.to_owned(), body.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_is_read_from_the_header_only() {
        let eml = b"From: =?utf-8?b?RsO2bnN0ZXIgQUI=?= <faktura@fonster.example>\r\nReply-To: faktura@fonster.example\r\n\
To: \"Doe, Jane\"\r\n <ap@english.example>\r\nSubject: x\r\n\r\nTo: someone@else.example\r\n";
        let envelope = eml_envelope(eml).unwrap();
        assert_eq!(envelope.from, "faktura@fonster.example");
        assert_eq!(envelope.to, ["ap@english.example"]);
        assert_eq!(
            eml_envelope(b"To: a@b.example\r\n\r\nFrom: x@y.example").unwrap_err(),
            "it has no From address"
        );
        assert_eq!(
            eml_envelope(b"From: a@b.example\r\nTo: c@d.example, e@f.example\r\n\r\n").unwrap().to.len(),
            2
        );
    }

    #[test]
    fn an_sms_file_gives_its_number_and_text() {
        assert_eq!(
            sms_message(b"To: +46701234567\n\nHej! Betala 500 kr.\n").unwrap(),
            ("+46701234567".to_owned(), "Hej! Betala 500 kr.".to_owned())
        );
        assert!(sms_message(b"To: 070-123 45 67\n\nx").is_err());
        assert!(sms_message(b"To: +46701234567\n\n \n").is_err());
    }
}
