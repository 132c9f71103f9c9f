//! SPEC §8–9, delivery (issue 13): what `dun send` delivers and what the ladder counts. The
//! policy's `[delivery]` names the channels whose messages wait for delivery; composing one
//! journals a `queued` line per message and channel (`ref` = the letter's reference, `note` =
//! the file), and delivering it `sending` (before the irrevocable part), then `sent`,
//! `failed` or `deferred`; a `sending` without an answer becomes `doubt`. A channel with no
//! `[delivery]` table counts as delivered when composed, as before delivery existed.
//!
//! Pure: the journal in, each message's state out.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::journal::{Entry, Event};
use super::policy::Channel;

/// `[delivery]`: how composed messages reach the customer.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    pub email: Option<EmailDelivery>,
    pub sms: Option<SmsDelivery>,
    pub letter: Option<LetterDelivery>,
}

/// `[delivery.email]`: an SMTP server that accepts the company's mail.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmailDelivery {
    /// `smtp://host:port` (STARTTLS required, unless the host is this machine or
    /// `starttls = "offered"`) or `smtps://host:port` (TLS from the first byte).
    pub server: String,
    pub starttls: Option<StartTls>,
    pub username: Option<String>,
    /// The environment variable holding the password (never the password itself).
    pub password_env: Option<String>,
    /// The name given in EHLO; default: the sender's domain.
    pub hello: Option<String>,
    pub timeout_seconds: Option<u32>,
    /// A PEM file of further certificate authorities to trust (a company's own relay).
    pub ca_file: Option<String>,
    /// Attach the letter as PDF to each e-mail (what the reader can print or file).
    #[serde(default)]
    pub attach_pdf: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StartTls {
    /// Upgrade when the server offers it (credentials only ever go over TLS or to loopback);
    /// the default for a server on this machine.
    Offered,
    /// Refuse a server that does not offer it: the default for any other server.
    Required,
}

/// `[delivery.sms]`: a provider's HTTP API, in one form that fits the Nordic providers
/// (46elks, GatewayAPI, Link Mobility, Sveve, Twilio, ...).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmsDelivery {
    pub url: String,
    /// `POST` (default) or `GET` (the fields go in the query string).
    pub method: Option<HttpMethod>,
    /// How a POST carries the fields: `form` (default) or `json`.
    pub encoding: Option<BodyEncoding>,
    /// HTTP basic authentication's user name; the password is `password_env`'s value.
    pub username: Option<String>,
    /// The environment variable holding the password or token (`{password}` in templates).
    pub password_env: Option<String>,
    /// A header instead of basic authentication: `"Authorization: Bearer {password}"`.
    pub auth_header: Option<String>,
    /// The sender id the customer sees (`{sender}`): 11 letters/digits or a number.
    pub sender: Option<String>,
    /// The request's fields; values are templates over `{to}` (E.164, `+4670...`),
    /// `{to_digits}` (without `+`), `{text}`, `{sender}`, `{password}`, `{id}` (the
    /// message's reference). Default: `from = "{sender}"`, `to = "{to}"`, `message = "{text}"`.
    pub fields: Option<toml::Table>,
    pub timeout_seconds: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum HttpMethod {
    #[serde(alias = "post")]
    POST,
    #[serde(alias = "get")]
    GET,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyEncoding {
    Form,
    Json,
}

/// `[delivery.letter]`: with `folder`, letters are copied there for a print and post
/// service; without, they count once the user says `dun sent REF`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LetterDelivery {
    pub folder: Option<String>,
}

/// Where an SMTP server is and how the connection is secured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: Security,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte.
    Tls,
    StartTls(StartTls),
}

/// The placeholders an SMS field may use.
pub const SMS_PLACEHOLDERS: [&str; 6] = ["to", "to_digits", "text", "sender", "password", "id"];

impl Delivery {
    /// Whether messages on `channel` wait for delivery (`dun send`, or `dun sent` for letters
    /// by hand) instead of counting when composed.
    pub fn queues(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email.is_some(),
            Channel::Sms => self.sms.is_some(),
            Channel::Letter => self.letter.is_some(),
        }
    }

    /// Checks what can be checked without the network or the environment.
    pub fn check(&self) -> Result<(), String> {
        if let Some(email) = &self.email {
            smtp_server(email)?;
            if email.username.is_some() != email.password_env.is_some() {
                return Err("delivery.email: username and password_env go together".to_owned());
            }
        }
        if let Some(sms) = &self.sms {
            if !(sms.url.starts_with("https://") || sms.url.starts_with("http://")) {
                return Err(format!(
                    "delivery.sms.url: \"{}\" is not an http:// or https:// address",
                    sms.url
                ));
            }
            if (sms.username.is_some() || sms.auth_header.is_some()) && sms.password_env.is_none() {
                return Err(
                    "delivery.sms: username or auth_header needs password_env (the secret's variable)"
                        .to_owned(),
                );
            }
            if sms.username.is_some() && sms.auth_header.is_some() {
                return Err(
                    "delivery.sms: give username (basic authentication) or auth_header, not both".to_owned()
                );
            }
            if let Some(header) = &sms.auth_header {
                if !header.split_once(':').is_some_and(|(name, _)| is_header_name(name.trim())) {
                    return Err(format!(
                        "delivery.sms.auth_header: \"{header}\" is not `Name: value`, e.g. \"Authorization: Bearer {{password}}\""
                    ));
                }
                template_problem(header).map_err(|e| format!("delivery.sms.auth_header: {e}"))?;
            }
            for (key, value) in &sms_fields(sms) {
                each_string(value, &mut |text| {
                    template_problem(text).map_err(|e| format!("delivery.sms.fields.{key}: {e}"))
                })?;
            }
        }
        Ok(())
    }
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The server of `[delivery.email]`: `smtp://host[:port]` (default 587) or `smtps://host[:port]`
/// (default 465).
pub fn smtp_server(email: &EmailDelivery) -> Result<SmtpServer, String> {
    let bad = |why: &str| {
        format!(
            "delivery.email.server: \"{}\" {why}; write smtp://host:587 (STARTTLS) or smtps://host:465",
            email.server
        )
    };
    let (scheme, rest) = email.server.split_once("://").ok_or_else(|| bad("has no scheme"))?;
    let (security, default_port) = match scheme.to_ascii_lowercase().as_str() {
        "smtp" => (Security::StartTls(email.starttls.unwrap_or(StartTls::Required)), 587),
        "smtps" => (Security::Tls, 465),
        _ => return Err(bad("is neither smtp:// nor smtps://")),
    };
    let rest = rest.trim_end_matches('/');
    if rest.contains(['/', '@', '?', '#', ' ']) {
        return Err(bad("has more than a host and a port"));
    }
    let (host, port) = match rest.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') => {
            (host, port.parse::<u16>().map_err(|_| bad("has a port that is not a number"))?)
        }
        _ => (rest, default_port),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("names no host"));
    }
    // A relay on this machine is reached without TLS unless asked; any other must offer it,
    // or a man in the middle could strip the offer and read the letters.
    let security = match security {
        Security::StartTls(_) if email.starttls.is_none() && is_loopback(host) => {
            Security::StartTls(StartTls::Offered)
        }
        other => other,
    };
    Ok(SmtpServer { host: host.to_owned(), port, security })
}

/// Whether a secret may go to `url`: over https://, or over http:// only to this machine.
pub fn secret_may_go_to(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    is_loopback(host)
}

/// `localhost`, `127.0.0.1`, `::1`: this machine.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The SMS request's fields, the provider's or the default.
pub fn sms_fields(sms: &SmsDelivery) -> toml::Table {
    sms.fields.clone().unwrap_or_else(|| {
        let mut t = toml::Table::new();
        t.insert("from".to_owned(), "{sender}".into());
        t.insert("to".to_owned(), "{to}".into());
        t.insert("message".to_owned(), "{text}".into());
        t
    })
}

fn each_string(value: &toml::Value, f: &mut impl FnMut(&str) -> Result<(), String>) -> Result<(), String> {
    match value {
        toml::Value::String(s) => f(s),
        toml::Value::Array(items) => items.iter().try_for_each(|v| each_string(v, f)),
        toml::Value::Table(t) => t.values().try_for_each(|v| each_string(v, f)),
        _ => Ok(()),
    }
}

/// Fills `{name}` placeholders from `values`; `{{` and `}}` are literal braces.
pub fn fill(template: &str, values: &BTreeMap<&str, String>) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
        } else if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            let end = after.find('}').ok_or_else(|| format!("\"{template}\" has a `{{` without its `}}`"))?;
            let name = &after[..end];
            let value = values.get(name).ok_or_else(|| {
                format!("\"{template}\": {{{name}}} is not one of {{{}}}", SMS_PLACEHOLDERS.join("}, {"))
            })?;
            out.push_str(value);
            rest = &after[end + 1..];
        } else {
            return Err(format!("\"{template}\" has a `}}` without its `{{` (write `}}}}` for a brace)"));
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn template_problem(template: &str) -> Result<(), String> {
    let values = SMS_PLACEHOLDERS.iter().map(|p| (*p, String::new())).collect();
    fill(template, &values).map(|_| ())
}

/// Where a message stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Composed, not yet tried.
    Waiting,
    /// Tried and refused for now (the reason); tried again by the next run.
    Deferred(String),
    /// A run is (or was, if it stopped) between `sending` and the answer.
    Sending,
    /// Perhaps delivered (why): `dun sent` confirms, `dun send --retry-doubtful` sends again.
    Doubt(String),
    Sent,
    /// Refused for good (the reason).
    Failed(String),
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Deferred(_) => "deferred",
            Status::Sending => "sending",
            Status::Doubt(_) => "doubt",
            Status::Sent => "sent",
            Status::Failed(_) => "failed",
        }
    }

    /// Still to be delivered by `dun send` (waiting or deferred).
    pub fn is_pending(&self) -> bool {
        matches!(self, Status::Waiting | Status::Deferred(_))
    }
}

/// One composed message on one channel, as the journal tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The letter's reference (the journal's `ref`, shared by its `reminder` lines).
    pub reference: String,
    pub channel: Channel,
    pub customer: Option<String>,
    /// The file to deliver, relative to the ledger directory (or absolute).
    pub file: String,
    pub queued: NaiveDate,
    pub status: Status,
    /// The day of the latest event.
    pub since: NaiveDate,
}

/// Every queued message and its state, from the journal.
#[derive(Clone, Debug, Default)]
pub struct Deliveries {
    pub messages: Vec<Message>,
    /// Per reference, the message on each channel (by [`slot`]): looked up by `&str`, with no
    /// allocation per reminder line.
    index: rustc_hash::FxHashMap<String, [Option<usize>; 3]>,
}

/// Whether a letter (all its channels) reached the customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivered {
    /// On that day (the composing day where its channel needs no delivery).
    On(NaiveDate),
    /// Not yet (why).
    Pending(String),
    /// On no channel, and none will be tried again (why).
    Never(String),
}

fn slot(channel: Channel) -> usize {
    match channel {
        Channel::Email => 0,
        Channel::Letter => 1,
        Channel::Sms => 2,
    }
}

pub fn channel_named(name: &str) -> Option<Channel> {
    [Channel::Email, Channel::Letter, Channel::Sms].into_iter().find(|c| c.name() == name.trim())
}

impl Deliveries {
    /// One pass over the journal (in file order).
    pub fn from_journal<'a>(entries: impl Iterator<Item = &'a Entry>) -> Deliveries {
        let mut d = Deliveries::default();
        for e in entries {
            let status = match e.event {
                Event::Queued => None,
                Event::Sending => Some(Status::Sending),
                Event::Sent => Some(Status::Sent),
                Event::Failed => Some(Status::Failed(e.note().unwrap_or_default().to_owned())),
                Event::Deferred => Some(Status::Deferred(e.note().unwrap_or_default().to_owned())),
                Event::Doubt => Some(Status::Doubt(e.note().unwrap_or_default().to_owned())),
                _ => continue,
            };
            let (Some(reference), Some(channel)) = (e.reference(), e.channel().and_then(channel_named))
            else {
                continue;
            };
            let known = d.index.get(reference).and_then(|slots| slots[slot(channel)]);
            match (status, known) {
                (None, None) => {
                    d.index.entry(reference.to_string()).or_default()[slot(channel)] = Some(d.messages.len());
                    d.messages.push(Message {
                        reference: reference.to_string(),
                        channel,
                        customer: e.customer().map(str::to_owned),
                        file: e.note().unwrap_or_default().to_owned(),
                        queued: e.date,
                        status: Status::Waiting,
                        since: e.date,
                    });
                }
                (Some(status), Some(i)) => {
                    let m = &mut d.messages[i];
                    m.status = status;
                    m.since = e.date;
                }
                // A second `queued` for the same message, or news of one never queued (a
                // line added by hand): nothing to follow.
                _ => {}
            }
        }
        d
    }

    pub fn get(&self, reference: &str, channel: Channel) -> Option<&Message> {
        self.index.get(reference).and_then(|slots| slots[slot(channel)]).map(|i| &self.messages[i])
    }

    /// [`Deliveries::letter`] of the letter a journal line records (its `ref`, channels and
    /// date), whose texts are read only when delivery was ever configured: a deciding run
    /// asks this of every reminder of a year's journal, and each line's texts were a cache
    /// miss, 60 % of the samples of the histories of `dun due --all` (issue #14).
    pub fn letter_of(&self, line: &Entry) -> Delivered {
        if self.messages.is_empty() {
            return Delivered::On(line.date);
        }
        self.letter(line.reference(), line.channel(), line.date)
    }

    /// Whether the letter journaled with `reference` on `channels` (`email+letter`), composed
    /// on `composed`, reached its customer: on the first channel that did. A channel with no
    /// queued message counts on the composing day (delivery not configured for it then).
    pub fn letter(&self, reference: Option<&str>, channels: Option<&str>, composed: NaiveDate) -> Delivered {
        let (Some(reference), Some(channels)) = (reference, channels) else {
            return Delivered::On(composed);
        };
        if self.messages.is_empty() {
            // No delivery configured, ever: as before delivery existed.
            return Delivered::On(composed);
        }
        let mut first: Option<NaiveDate> = None;
        let mut pending = Vec::new();
        let mut never = Vec::new();
        for name in channels.split('+') {
            let Some(m) = channel_named(name).and_then(|c| self.get(reference, c)) else {
                first = Some(first.map_or(composed, |f| f.min(composed)));
                continue;
            };
            match &m.status {
                Status::Sent => first = Some(first.map_or(m.since, |f| f.min(m.since))),
                Status::Failed(why) => never.push(format!("{}: {why}", m.channel.name())),
                status => pending.push(pending_reason(m, status)),
            }
        }
        match first {
            Some(day) => Delivered::On(day),
            None if !pending.is_empty() => Delivered::Pending(pending.join("; ")),
            None => Delivered::Never(never.join("; ")),
        }
    }
}

fn pending_reason(m: &Message, status: &Status) -> String {
    let channel = m.channel.name();
    match status {
        Status::Deferred(why) => format!("{channel}: deferred ({why}); the next `dun send` tries again"),
        Status::Sending | Status::Doubt(_) => format!(
            "{channel}: in doubt (a run stopped while sending it); `dun sent {}` if it arrived, `dun send --retry-doubtful {}` if not",
            m.reference, m.reference
        ),
        _ if m.channel == Channel::Letter => {
            format!(
                "letter: not posted yet (`dun send` copies it to the print folder, or `dun sent {}` once posted)",
                m.reference
            )
        }
        _ => format!("{channel}: not sent yet (`dun send`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn line(date: u32, event: Event, channel: &str, note: Option<&str>) -> Entry {
        let mut e = Entry::new(day(date), event);
        e.set_customer(Some("K1"));
        e.set_channel(Some(channel));
        e.set_reference(Some("2026-11-08/reminder-1_K1_SEK"));
        e.set_note(note);
        e
    }

    const REF: Option<&str> = Some("2026-11-08/reminder-1_K1_SEK");

    /// A reminder's line asks about its own letter as `letter` does with its texts: counted
    /// on its day when no delivery was ever configured, else by its channels' messages.
    #[test]
    fn a_reminder_line_asks_about_its_letter_by_its_texts() {
        let queued = [
            line(8, Event::Queued, "email", Some("out/2026-11-08/reminder-1_K1_SEK.eml")),
            line(9, Event::Sending, "email", None),
            line(9, Event::Failed, "email", Some("550 no such user")),
            line(8, Event::Queued, "sms", Some("out/2026-11-08/reminder-1_K1_SEK.sms.txt")),
        ];
        let cases = [
            (&queued[..0], "email+sms", None),
            (&queued[..3], "email", Some("550")),
            (&queued[..], "email+sms", Some("sms")),
        ];
        for (journal, channels, why) in cases {
            let d = Deliveries::from_journal(journal.iter());
            let asked = d.letter_of(&line(8, Event::Reminder, channels, None));
            assert_eq!(asked, d.letter(REF, Some(channels), day(8)));
            match (asked, why) {
                (Delivered::On(on), None) => assert_eq!(on, day(8)),
                (Delivered::Never(text) | Delivered::Pending(text), Some(why)) => {
                    assert!(text.contains(why), "{text}")
                }
                (other, _) => panic!("{other:?} with {} lines", journal.len()),
            }
        }
    }

    #[test]
    fn a_letter_counts_from_its_first_delivered_channel() {
        let journal = [
            line(8, Event::Queued, "email", Some("out/2026-11-08/reminder-1_K1_SEK.eml")),
            line(8, Event::Queued, "sms", Some("out/2026-11-08/reminder-1_K1_SEK.sms.txt")),
            line(9, Event::Sending, "email", None),
            line(9, Event::Deferred, "email", Some("421 try later")),
        ];
        let d = Deliveries::from_journal(journal.iter());
        match d.letter(REF, Some("email+sms"), day(8)) {
            Delivered::Pending(why) => assert!(why.contains("421 try later"), "{why}"),
            other => panic!("{other:?}"),
        }
        let mut more = journal.to_vec();
        more.push(line(10, Event::Sending, "sms", None));
        more.push(line(10, Event::Sent, "sms", Some("200")));
        let d = Deliveries::from_journal(more.iter());
        assert_eq!(d.letter(REF, Some("email+sms"), day(8)), Delivered::On(day(10)));
        // A channel with nothing queued counted when composed (no delivery configured then).
        assert_eq!(d.letter(REF, Some("email+letter"), day(8)), Delivered::On(day(8)));
        assert_eq!(d.letter(None, Some("email"), day(8)), Delivered::On(day(8)));
    }

    #[test]
    fn refused_everywhere_is_never_and_a_stopped_send_is_in_doubt() {
        let journal = [
            line(8, Event::Queued, "email", Some("x.eml")),
            line(8, Event::Sending, "email", None),
            line(8, Event::Failed, "email", Some("550 no such user")),
        ];
        let d = Deliveries::from_journal(journal.iter());
        assert_eq!(
            d.letter(REF, Some("email"), day(8)),
            Delivered::Never("email: 550 no such user".to_owned())
        );
        let stopped =
            [line(8, Event::Queued, "email", Some("x.eml")), line(8, Event::Sending, "email", None)];
        let d = Deliveries::from_journal(stopped.iter());
        assert_eq!(d.get(REF.unwrap(), Channel::Email).unwrap().status, Status::Sending);
        match d.letter(REF, Some("email"), day(8)) {
            Delivered::Pending(why) => assert!(why.contains("in doubt"), "{why}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn servers_are_read_with_their_defaults_and_bad_ones_named() {
        let server = |s: &str| smtp_server(&EmailDelivery { server: s.to_owned(), ..Default::default() });
        assert_eq!(
            server("smtp://mail.example.se").unwrap(),
            SmtpServer {
                host: "mail.example.se".into(),
                port: 587,
                security: Security::StartTls(StartTls::Required)
            }
        );
        assert_eq!(server("smtp://127.0.0.1:2525").unwrap().security, Security::StartTls(StartTls::Offered));
        let offered = EmailDelivery {
            server: "smtp://mail.example.se".into(),
            starttls: Some(StartTls::Offered),
            ..Default::default()
        };
        assert_eq!(smtp_server(&offered).unwrap().security, Security::StartTls(StartTls::Offered));
        assert_eq!(server("smtps://mail.example.se:2465").unwrap().port, 2465);
        assert_eq!(server("smtps://mail.example.se").unwrap().security, Security::Tls);
        assert_eq!(server("smtp://[::1]:25").unwrap().host, "::1");
        for bad in ["mail.example.se", "http://x", "smtp://u@x", "smtp://x:port", "smtp://"] {
            assert!(server(bad).unwrap_err().contains("delivery.email.server"), "{bad}");
        }
    }

    #[test]
    fn secrets_go_over_tls_or_to_this_machine() {
        assert!(secret_may_go_to("https://api.example/sms"));
        assert!(secret_may_go_to("http://127.0.0.1:8080/sms"));
        assert!(secret_may_go_to("http://[::1]:8080/sms"));
        assert!(secret_may_go_to("http://localhost/sms"));
        assert!(!secret_may_go_to("http://api.example/sms"));
        assert!(!secret_may_go_to("http://127.0.0.1.example/sms"));
        assert!(!secret_may_go_to("http://localhost@api.example/sms"));
        assert!(!secret_may_go_to("ftp://localhost/sms"));
    }

    #[test]
    fn templates_fill_known_placeholders_and_name_unknown_ones() {
        let values: BTreeMap<&str, String> =
            [("to", "+46701234567".to_owned()), ("text", "Hej".to_owned())].into_iter().collect();
        assert_eq!(fill("{to}: {text} {{x}}", &values).unwrap(), "+46701234567: Hej {x}");
        assert!(fill("{tel}", &values).unwrap_err().contains("{tel} is not one of"));
        assert!(fill("{to", &values).is_err());
        assert!(fill("a}b", &values).is_err());
        let sms = SmsDelivery {
            url: "https://api.example/sms".into(),
            fields: Some(toml::from_str("to = \"{tel}\"").unwrap()),
            ..Default::default()
        };
        let err = Delivery { sms: Some(sms), ..Default::default() }.check().unwrap_err();
        assert!(err.starts_with("delivery.sms.fields.to:"), "{err}");
    }
}
