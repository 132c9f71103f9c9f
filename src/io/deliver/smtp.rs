//! E-mail over SMTP (RFC 5321) with lettre's connection, driven step by step so that the
//! journal learns, right before the message's body goes out, that it is being sent: after
//! `DATA` is answered 354 the caller journals `sending`; only then is the body written. A
//! refusal before that point leaves the message unsent (failed for a 5xx, deferred for a 4xx
//! or a broken connection); after it, only the server's answer decides, and no answer is doubt.
//! TLS is rustls with the `ring` provider and Mozilla's roots (webpki-roots), plus a company's
//! own authority from `ca_file`. A password goes only over TLS, or to this machine.

use std::net::{IpAddr, ToSocketAddrs};
use std::time::Duration;

use lettre::Address;
use lettre::address::Envelope as LettreEnvelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use super::{Attempt, Envelope};
use crate::core::delivery::{Security, SmtpServer, StartTls, is_loopback};

/// What a session needs: the server, who we say we are, the credentials.
pub struct Settings {
    pub server: SmtpServer,
    pub hello: String,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
    /// A further certificate authority (PEM bytes).
    pub ca: Option<Vec<u8>>,
}

pub struct Session {
    conn: SmtpConnection,
}

fn tls(settings: &Settings) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(settings.server.host.clone());
    if let Some(pem) = &settings.ca {
        let ca = Certificate::from_pem(pem).map_err(|e| format!("ca_file: {e}"))?;
        builder = builder.add_root_certificate(ca);
    }
    builder.build_rustls().map_err(|e| format!("TLS: {e}"))
}

impl Session {
    /// Connects, secures and logs in. An error here means nothing was sent: the channel stops
    /// for this run.
    pub fn open(settings: &Settings) -> Result<Session, String> {
        let server = &settings.server;
        let hello = match settings.hello.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => ClientId::Ipv4(ip),
            Ok(IpAddr::V6(ip)) => ClientId::Ipv6(ip),
            Err(_) => ClientId::Domain(settings.hello.clone()),
        };
        let address = (server.host.as_str(), server.port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot find {}: {e}", server.host))?
            .next()
            .ok_or_else(|| format!("{} has no address", server.host))?;
        let secure = match server.security {
            Security::Tls => Some(tls(settings)?),
            Security::StartTls(_) => None,
        };
        let at = format!("{}:{}", server.host, server.port);
        let mut conn =
            SmtpConnection::connect(address, Some(settings.timeout), &hello, secure.as_ref(), None)
                .map_err(|e| format!("cannot connect to {at}: {e}"))?;
        if let Security::StartTls(rule) = server.security {
            if conn.can_starttls() {
                conn.starttls(&tls(settings)?, &hello).map_err(|e| format!("STARTTLS with {at}: {e}"))?;
            } else if rule == StartTls::Required {
                conn.abort();
                return Err(format!(
                    "{at} does not offer STARTTLS (starttls = \"required\"); nothing was sent"
                ));
            }
        }
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            if !may_send_password(conn.is_encrypted(), &server.host) {
                conn.abort();
                return Err(format!(
                    "{at} is not encrypted: the password is sent only over TLS (smtps://, or STARTTLS) or to this machine"
                ));
            }
            let credentials = Credentials::new(user.clone(), password.clone());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                .map_err(|e| format!("{at} refused the login of {user}: {e}"))?;
        }
        Ok(Session { conn })
    }

    /// Sends one message. `before_body` is called (to journal `sending`) once the server
    /// has accepted the envelope and is waiting for the body; if it fails, nothing is sent.
    pub fn send(
        &mut self,
        envelope: &Envelope,
        message: &[u8],
        before_body: impl FnOnce() -> Result<(), String>,
    ) -> Attempt {
        let parse = |a: &str| a.parse::<Address>().map_err(|e| format!("\"{a}\" is not an address: {e}"));
        let from = match parse(&envelope.from) {
            Ok(a) => a,
            Err(e) => return Attempt::Failed(e),
        };
        let to: Result<Vec<Address>, String> = envelope.to.iter().map(|a| parse(a)).collect();
        let to = match to.and_then(|to| LettreEnvelope::new(Some(from), to).map_err(|e| e.to_string())) {
            Ok(e) => e,
            Err(e) => return Attempt::Failed(e),
        };
        let mut options = Vec::new();
        if !envelope.from.is_ascii() || envelope.to.iter().any(|a| !a.is_ascii()) {
            if !self.conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Attempt::Failed(
                    "the address is not ASCII and the server does not take SMTPUTF8".into(),
                );
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !message.is_ascii() && self.conn.server_info().supports_feature(Extension::EightBitMime) {
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        // The envelope: nothing is sent yet whatever happens.
        let mut steps = vec![self.conn.command(Mail::new(to.from().cloned(), options))];
        for rcpt in to.to() {
            if steps.last().is_some_and(Result::is_ok) {
                steps.push(self.conn.command(Rcpt::new(rcpt.clone(), vec![])));
            }
        }
        if steps.last().is_some_and(Result::is_ok) {
            steps.push(self.conn.command(Data));
        }
        if let Some(Err(e)) = steps.pop() {
            return self.refused_before_body(&e);
        }
        if let Err(why) = before_body() {
            self.conn.abort();
            return Attempt::Stop(format!("cannot journal that it is being sent ({why}); it was not sent"));
        }
        // The file ends its last line with CRLF; the end-of-data mark adds its own.
        let message = message.strip_suffix(b"\r\n").unwrap_or(message);
        match self.conn.message(message) {
            Ok(answer) => Attempt::Sent(answer_text(answer.code().to_string(), answer.message())),
            Err(e) if e.is_permanent() => Attempt::Failed(said(&e)),
            Err(e) if e.is_transient() => Attempt::Deferred(said(&e)),
            Err(e) => {
                self.conn.abort();
                Attempt::Doubt(format!("no answer after the message went ({e}); it may have arrived"))
            }
        }
    }

    fn refused_before_body(&mut self, e: &lettre::transport::smtp::Error) -> Attempt {
        if e.is_permanent() || e.is_transient() {
            // The session goes on with the next message.
            if self.conn.command(Rset).is_err() {
                self.conn.abort();
            }
            return if e.is_permanent() { Attempt::Failed(said(e)) } else { Attempt::Deferred(said(e)) };
        }
        self.conn.abort();
        Attempt::Deferred(format!("the connection broke before the message went ({e})"))
    }

    /// Whether the session can take another message.
    pub fn usable(&self) -> bool {
        !self.conn.has_broken()
    }

    pub fn close(mut self) {
        if !self.conn.has_broken() {
            let _ = self.conn.quit();
        }
    }
}

fn answer_text<'a>(code: String, lines: impl Iterator<Item = &'a str>) -> String {
    let mut text = code;
    for line in lines {
        text.push(' ');
        text.push_str(line);
    }
    text
}

/// A refusal as the server said it: `451 4.3.0 try again later`.
fn said(e: &lettre::transport::smtp::Error) -> String {
    let text = e.to_string();
    match (e.status(), text.split_once("): ")) {
        (Some(code), Some((_, message))) => format!("{code} {message}"),
        _ => text,
    }
}

/// A password goes over TLS, or in plain text only to this machine.
fn may_send_password(encrypted: bool, host: &str) -> bool {
    encrypted || is_loopback(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_goes_in_plain_text_only_to_this_machine() {
        assert!(may_send_password(false, "127.0.0.1"));
        assert!(may_send_password(false, "localhost"));
        assert!(may_send_password(false, "::1"));
        assert!(!may_send_password(false, "mail.example.se"));
        assert!(!may_send_password(false, "192.168.1.10"));
        assert!(may_send_password(true, "mail.example.se"));
    }
}
