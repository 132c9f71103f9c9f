//! The customer register's checks: contact data and the channels a customer can be reached by,
//! e-mail addresses, postcodes, org numbers and phone numbers.

use super::*;

pub(super) fn check_customer(ctx: &Ctx<'_>, c: &Customer, out: &mut FindingList) {
    let at = |severity_error: bool, field: &'static str, code: &'static str, message: String| {
        let f = if severity_error {
            Finding::error(CUSTOMERS, c.line, field, code, message)
        } else {
            Finding::warning(CUSTOMERS, c.line, field, code, message)
        };
        f.customer(c.id.as_str())
    };
    if let Some(email) = &c.email()
        && let Some(problem) = email_problem(email)
    {
        out.push(
            at(false, "email", "bad-email", format!("\"{email}\" is not an e-mail address: {problem}"))
                .hint("write one address, like faktura@example.se"),
        );
    }
    for (field, number) in [("phone", &c.phone()), ("mobile", &c.mobile())] {
        if let Some(phone) = number
            && let Err(e) = parse_phone(phone, c.country())
        {
            out.push(at(false, field, "bad-phone", format!("\"{phone}\" {e}")).hint(format!(
                "write it as a {} number, or with its country code (+46 70 123 45 67)",
                c.country()
            )));
        }
    }
    if let Some(org_no) = &c.org_no()
        && let Err(e) = validate_org_no(c.country(), c.kind.is_consumer(), org_no)
    {
        let hint = if c.country().eq_ignore_ascii_case("SE") && !c.kind.is_consumer() {
            "a Swedish organisation number has 2 or more as its third digit, a sole trader's personnummer a valid date of birth: check it against the register"
        } else {
            "check the number against the register"
        };
        out.push(at(false, "org_no", "bad-org-no", e.to_string()).hint(hint));
    }
    if let Some(postcode) = &c.postcode()
        && let Some(rule) = postcode_problem(c.country(), postcode)
    {
        out.push(
            at(
                false,
                "postcode",
                "bad-postcode",
                format!("\"{postcode}\" is not a {} postcode: {rule}", c.country()),
            )
            .hint("letters with a wrong postcode are returned"),
        );
    }
    let parts = [("address", &c.address()), ("postcode", &c.postcode()), ("city", &c.city())];
    let missing: Vec<&str> = parts.iter().filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect();
    if !missing.is_empty() && missing.len() < parts.len() {
        out.push(at(
            false,
            missing[0],
            "incomplete-address",
            format!("the postal address has no {}: letters cannot be sent", missing.join(" or ")),
        ));
    }

    let rules = ctx.rules_for(Some(c));
    let overdue = ctx.overdue_of(&c.id);
    if let Some(f) = channel_finding(c, rules, overdue) {
        out.push(f);
    }
    collection_finding(c, rules, overdue, out);
}

/// Why a customer cannot be reached on `channel`, or `None` when it can.
pub fn channel_problem(c: &Customer, channel: Channel) -> Option<String> {
    match channel {
        Channel::Email => match &c.email() {
            None => Some("no e-mail".to_owned()),
            Some(e) if email_problem(e).is_some() => Some(format!("e-mail \"{e}\" is malformed")),
            Some(_) => None,
        },
        Channel::Letter => {
            if !c.has_postal_address() {
                Some("no complete postal address".to_owned())
            } else if c.postcode().and_then(|p| postcode_problem(c.country(), p)).is_some() {
                Some("the postcode is malformed".to_owned())
            } else {
                None
            }
        }
        Channel::Sms => match c.sms_phone().map(|p| sms_number(p, c.country())) {
            None => Some("no phone".to_owned()),
            Some(Err(SmsProblem::Unreadable(_))) => Some("the phone number cannot be read".to_owned()),
            Some(Err(SmsProblem::NotMobile)) => Some("the phone is not a mobile number".to_owned()),
            Some(Err(problem)) => Some(format!("the phone {problem}")),
            Some(Ok(_)) => None,
        },
    }
}

fn channel_column(channel: Channel) -> &'static str {
    match channel {
        Channel::Email => "email",
        Channel::Letter => "address",
        Channel::Sms => "phone",
    }
}

fn channel_finding(c: &Customer, rules: &Rules, overdue: Option<&Overdue<'_>>) -> Option<Finding> {
    // The reminder ladder is the first step a customer reaches; a `manual` segment gets calls.
    let (problems, field, hint) = if rules.manual {
        let problem = match c.call_phone().map(|p| parse_phone(p, c.country())) {
            None => "no phone".to_owned(),
            Some(Err(_)) => "the phone number cannot be read".to_owned(),
            Some(Ok(_)) => return None,
        };
        let segment = rules.segment.as_deref().unwrap_or_default();
        (
            format!("the \"{segment}\" segment is called rather than written to, and there is {problem}"),
            "phone",
            "add a phone number".to_owned(),
        )
    } else {
        let channels = rules.reminder.channels();
        let mut problems = Vec::new();
        for &ch in &channels {
            match channel_problem(c, ch) {
                None => return None,
                Some(p) => problems.push(format!("{}: {p}", ch.name())),
            }
        }
        let field = channels.first().map_or("email", |&ch| channel_column(ch));
        let hint = if channels.contains(&Channel::Sms) {
            "add an e-mail address, a postal address or a mobile number"
        } else {
            "add an e-mail address or a postal address (or add \"sms\" to reminder.channels)"
        };
        (format!("no usable channel for reminders ({})", problems.join("; ")), field, hint.to_owned())
    };
    // An invoice below reminder.min_amount is never chased, so it makes nothing go wrong.
    let chased = overdue.filter(|o| rules.manual || o.open >= rules.reminder.min_amount());
    let finding = match chased {
        Some(o) => Finding::error(
            CUSTOMERS,
            c.line,
            field,
            "no-channel",
            format!(
                "{problems}, and {} overdue invoice{} {} open (largest {}: {} {})",
                o.count,
                if o.count == 1 { "" } else { "s" },
                if o.count == 1 { "is" } else { "are" },
                o.invoice.number(),
                format_money_grouped(o.open),
                o.invoice.currency
            ),
        )
        .invoice(o.invoice.number()),
        None => Finding::warning(CUSTOMERS, c.line, field, "no-channel", problems),
    };
    Some(finding.customer(c.id.as_str()).hint(hint))
}

/// Pushes the finding that a collection hand-over would lack what the agency needs, when the
/// customer has an overdue invoice large enough to go to collection (`None` when not).
fn collection_finding(
    c: &Customer,
    rules: &Rules,
    overdue: Option<&Overdue<'_>>,
    out: &mut FindingList,
) -> Option<()> {
    if rules.manual {
        return None;
    }
    let o = overdue.filter(|o| o.open >= rules.collection.min_amount())?;
    let mut missing = Vec::new();
    if c.org_no().is_none() {
        missing.push(if c.kind.is_consumer() {
            "personal identity number (org_no)"
        } else {
            "organisation number"
        });
    }
    if !c.has_postal_address() {
        missing.push("postal address");
    }
    if missing.is_empty() {
        return None;
    }
    let field = if c.org_no().is_none() { "org_no" } else { "address" };
    let (missing, open) = (missing.join(" and "), format_money_grouped(o.open));
    let parts = [missing.as_str(), o.invoice.number(), &open, o.invoice.currency.as_str()];
    out.push_made(Made {
        customer: Some(c.id.as_str()),
        invoice: Some(o.invoice.number()),
        hint: Some(Wording::Fixed("the agency returns a case it cannot identify the debtor for")),
        ..Made::warning(
            (CUSTOMERS, c.line, field),
            "collection-info-missing",
            Wording::Made(
                "a collection hand-over needs the \0; invoice \0 (\0 \0 open, overdue) may go to collection",
                &parts,
            ),
        )
    });
    Some(())
}

/// What is wrong with an e-mail address, or `None`. Deliberately plain: one address, a local
/// part, `@`, and a domain of at least two labels whose last is letters only.
pub fn email_problem(text: &str) -> Option<&'static str> {
    let t = text.trim();
    // This runs for every customer of the register, twice for those written to by e-mail
    // (issue #14): an address of the plain kind nearly all are is passed in one reading.
    if plainly_valid_email(t.as_bytes()) {
        return None;
    }
    any_email_problem(t)
}

/// Characters the part before `@` may hold besides letters and digits.
const LOCAL_SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";

/// Whether `t` is an address [`any_email_problem`] finds nothing wrong with, read as ASCII
/// bytes: `false` for any other (a non-ASCII letter, or anything wrong), which that function
/// then reads.
pub(super) fn plainly_valid_email(t: &[u8]) -> bool {
    let Some(at) = t.iter().position(|&b| b == b'@') else { return false };
    let (local, domain) = (&t[..at], &t[at + 1..]);
    let local_ok = (1..=64).contains(&local.len())
        && local.first() != Some(&b'.')
        && local.last() != Some(&b'.')
        && !local.windows(2).any(|pair| pair == b"..")
        && local.iter().all(|b| b.is_ascii_alphanumeric() || LOCAL_SPECIALS.as_bytes().contains(b));
    let label_ok = |label: &[u8]| {
        (1..=63).contains(&label.len())
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-')
            && label.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
    };
    let tld = domain.rsplit(|&b| b == b'.').next().unwrap_or_default();
    local_ok
        && domain.contains(&b'.')
        && domain.split(|&b| b == b'.').all(label_ok)
        && tld.len() >= 2
        && tld.iter().all(u8::is_ascii_alphabetic)
}

/// [`email_problem`] of a trimmed address, whatever it holds.
pub(super) fn any_email_problem(t: &str) -> Option<&'static str> {
    if t.contains([';', ',']) || t.matches('@').count() > 1 && t.split_whitespace().count() > 1 {
        return Some("one address only (put others in a note)");
    }
    if t.chars().any(char::is_whitespace) {
        return Some("it contains a space");
    }
    let Some((local, domain)) = t.split_once('@') else { return Some("it has no @") };
    if domain.contains('@') {
        return Some("it has more than one @");
    }
    if local.is_empty() || local.len() > 64 {
        return Some("the part before @ is empty or too long");
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some("the part before @ has a misplaced dot");
    }
    if !local.chars().all(|c| c.is_alphanumeric() || LOCAL_SPECIALS.contains(c)) {
        return Some("the part before @ has a character e-mail does not allow");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Some("the domain has no dot");
    }
    if labels.iter().any(|l| l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-')) {
        return Some("the domain has an empty or misplaced part");
    }
    if !labels.iter().all(|l| l.chars().all(|c| c.is_alphanumeric() || c == '-')) {
        return Some("the domain has a character domains do not allow");
    }
    let tld = labels[labels.len() - 1];
    if tld.chars().count() < 2 || !tld.chars().all(char::is_alphabetic) {
        return Some("the domain does not end in a top-level domain like .se");
    }
    None
}

/// What is wrong with a postcode of `country`, or `None` (also for countries whose format is
/// not known here). SE: 5 digits, often `NNN NN`; NO and DK: 4 digits; FI: 5 digits. A
/// country prefix (`SE-`, `S-`, `NO-`, `N-`, `DK-`, `FI-`, `SF-`) is allowed.
pub fn postcode_problem(country: &str, text: &str) -> Option<&'static str> {
    let country = country.trim().to_ascii_uppercase();
    let (prefixes, rule): (&[&str], &'static str) = match country.as_str() {
        "SE" => (&["SE-", "S-", "SE"], "5 digits, like 431 34 or 43134"),
        "NO" => (&["NO-", "N-", "NO"], "4 digits, like 0150"),
        "DK" => (&["DK-", "DK"], "4 digits, like 8000"),
        "FI" => (&["FI-", "SF-", "FI"], "5 digits, like 00100"),
        _ => return None,
    };
    let t = text.trim();
    // ASCII upper-casing keeps byte offsets, so the prefix length cuts `t` too.
    let upper = t.to_ascii_uppercase();
    let cut = prefixes.iter().find(|p| upper.starts_with(**p)).map_or(0, |p| p.len());
    let body = t[cut..].trim_start();
    let ok = match country.as_str() {
        "SE" => {
            let b = body.as_bytes();
            let digits: Vec<u8> = b.iter().copied().filter(|c| *c != b' ').collect();
            let shape = b.len() == 5 || (b.len() == 6 && b[3] == b' ');
            shape && digits.len() == 5 && digits.iter().all(u8::is_ascii_digit) && digits[0] != b'0'
        }
        "NO" | "DK" => body.len() == 4 && body.bytes().all(|c| c.is_ascii_digit()),
        _ => body.len() == 5 && body.bytes().all(|c| c.is_ascii_digit()),
    };
    (!ok).then_some(rule)
}
