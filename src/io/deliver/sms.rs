//! SMS over a provider's HTTP API (`[delivery.sms]`): one request per message, built from the
//! policy's fields (templates over `{to}`, `{text}`, `{sender}`, ...), sent with ureq (rustls,
//! `ring`). The request is the part that cannot be taken back: `sending` is journaled before
//! it. The answer decides: 2xx sent; 408, 429 and 503 deferred (the provider says it did not
//! take it, try later); any other 4xx failed; any other 5xx, or no answer once the request
//! went, doubt. A connection that never opened is deferred.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Attempt;
use crate::core::delivery::{BodyEncoding, HttpMethod, SmsDelivery, fill, sms_fields};

/// What a request needs besides the message.
pub struct Settings {
    pub sms: SmsDelivery,
    pub password: Option<String>,
}

/// The request for one message, before it is sent (what `--dry-run` could show and a test
/// checks): the method, the URL, the headers and the fields.
#[derive(Debug, PartialEq)]
pub struct Request {
    pub method: HttpMethod,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub fields: Vec<(String, String)>,
    /// The JSON body when `encoding = "json"`.
    pub json: Option<String>,
}

/// Fills the templates for a message to `to` (E.164) with `text`.
pub fn request(settings: &Settings, id: &str, to: &str, text: &str) -> Result<Request, String> {
    let sms = &settings.sms;
    let password = settings.password.clone().unwrap_or_default();
    let values: BTreeMap<&str, String> = [
        ("to", to.to_owned()),
        ("to_digits", to.trim_start_matches('+').to_owned()),
        ("text", text.to_owned()),
        ("sender", sms.sender.clone().unwrap_or_default()),
        ("password", password.clone()),
        ("id", id.to_owned()),
    ]
    .into_iter()
    .collect();
    let table = sms_fields(sms);
    let mut fields = Vec::new();
    for (key, value) in &table {
        if let toml::Value::String(template) = value {
            fields.push((key.clone(), fill(template, &values)?));
        }
    }
    let method = sms.method.unwrap_or(HttpMethod::POST);
    let json = match (method, sms.encoding.unwrap_or(BodyEncoding::Form)) {
        (HttpMethod::POST, BodyEncoding::Json) => Some(json_of(&table, &values)?.to_string()),
        _ => None,
    };
    let mut headers = Vec::new();
    if let Some(user) = &sms.username {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        headers.push(("Authorization".to_owned(), format!("Basic {token}")));
    }
    if let Some(header) = &sms.auth_header
        && let Some((name, value)) = header.split_once(':')
    {
        headers.push((name.trim().to_owned(), fill(value.trim(), &values)?));
    }
    Ok(Request { method, url: sms.url.clone(), headers, fields, json })
}

/// The fields as JSON, templates filled at every depth (a provider wanting `"to": ["+46…"]`).
fn json_of(table: &toml::Table, values: &BTreeMap<&str, String>) -> Result<serde_json::Value, String> {
    fn convert(value: &toml::Value, values: &BTreeMap<&str, String>) -> Result<serde_json::Value, String> {
        Ok(match value {
            toml::Value::String(s) => serde_json::Value::String(fill(s, values)?),
            toml::Value::Integer(i) => serde_json::Value::from(*i),
            toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
            toml::Value::Float(f) => serde_json::Value::from(*f),
            toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
            toml::Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(|v| convert(v, values)).collect::<Result<_, _>>()?)
            }
            toml::Value::Table(t) => json_of(t, values)?,
        })
    }
    let mut map = serde_json::Map::new();
    for (key, value) in table {
        map.insert(key.clone(), convert(value, values)?);
    }
    Ok(serde_json::Value::Object(map))
}

/// Sends one request; `before` journals `sending` (if it fails, nothing is sent).
pub fn send(settings: &Settings, request: &Request, before: impl FnOnce() -> Result<(), String>) -> Attempt {
    let timeout = Duration::from_secs(u64::from(settings.sms.timeout_seconds.unwrap_or(30)));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    if let Err(why) = before() {
        return Attempt::Stop(format!("cannot journal that it is being sent ({why}); it was not sent"));
    }
    let answer = match request.method {
        HttpMethod::GET => {
            let mut call = agent.get(&request.url).query_pairs(request.fields.iter().map(|(k, v)| (k, v)));
            for (name, value) in &request.headers {
                call = call.header(name, value);
            }
            call.call()
        }
        HttpMethod::POST => {
            let mut call = agent.post(&request.url);
            for (name, value) in &request.headers {
                call = call.header(name, value);
            }
            match &request.json {
                Some(json) => call.content_type("application/json").send(json.as_str()),
                None => call.send_form(request.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            }
        }
    };
    let mut response = match answer {
        Ok(response) => response,
        Err(e) => return unanswered(&e),
    };
    let status = response.status().as_u16();
    let body = response.body_mut().with_config().limit(4096).read_to_string().unwrap_or_default();
    let said = format!("HTTP {status} {}", body.split_whitespace().collect::<Vec<_>>().join(" "));
    let said: String = said.chars().take(200).collect();
    match status {
        200..=299 => Attempt::Sent(said),
        408 | 429 | 503 => Attempt::Deferred(said),
        400..=499 => Attempt::Failed(said),
        _ => Attempt::Doubt(format!("{said}; the provider may have taken it")),
    }
}

/// No answer: nothing went if the connection never opened, else perhaps it did.
fn unanswered(e: &ureq::Error) -> Attempt {
    match e {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::BadUri(_)
        | ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => {
            Attempt::Deferred(format!("no connection ({e})"))
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            Attempt::Deferred(format!("no connection ({e})"))
        }
        _ => Attempt::Doubt(format!("no answer after the request went ({e}); it may have been sent")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(extra: &str) -> Settings {
        let sms: SmsDelivery =
            toml::from_str(&format!("url = \"https://api.example/sms\"\nsender = \"Fonster\"\n{extra}"))
                .unwrap();
        Settings { sms, password: Some("s3cret".into()) }
    }

    #[test]
    fn the_default_form_carries_sender_number_and_text() {
        let r = request(&settings("username = \"u1\"\npassword_env = \"X\"\n"), "ref", "+46701234567", "Hej")
            .unwrap();
        assert_eq!(r.method, HttpMethod::POST);
        assert_eq!(
            r.fields,
            [
                ("from".into(), "Fonster".into()),
                ("message".into(), "Hej".into()),
                ("to".into(), "+46701234567".into())
            ]
        );
        // Basic u1:s3cret
        assert_eq!(r.headers, [("Authorization".to_owned(), "Basic dTE6czNjcmV0".to_owned())]);
        assert_eq!(r.json, None);
    }

    #[test]
    fn json_bodies_and_bearer_tokens_follow_the_templates() {
        let s = settings(
            "encoding = \"json\"\npassword_env = \"X\"\nauth_header = \"Authorization: Bearer {password}\"\n\
             [fields]\nsender = \"{sender}\"\nmessage = \"{text}\"\nrecipients = [{ msisdn = \"{to_digits}\" }]\n",
        );
        let r = request(&s, "ref", "+4512345678", "Hej \"du\"").unwrap();
        assert_eq!(r.headers, [("Authorization".to_owned(), "Bearer s3cret".to_owned())]);
        let json: serde_json::Value = serde_json::from_str(r.json.as_deref().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"sender": "Fonster", "message": "Hej \"du\"", "recipients": [{"msisdn": "4512345678"}]})
        );
    }
}
