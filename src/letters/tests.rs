use super::*;
use rust_decimal::Decimal;

fn money(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn currency_of(language: &str) -> &'static str {
    match language {
        "nb" => "NOK",
        "da" => "DKK",
        "fi" => "EUR",
        _ => "SEK",
    }
}

fn invoice(number: &str, issued: &str, due: &str, amount: &str, open: &str, days: i64) -> InvoiceLine {
    InvoiceLine {
        number: number.into(),
        issued: day(issued),
        due: day(due),
        amount: money(amount),
        open: money(open),
        days_overdue: days,
        reference: None,
        reference_scheme: "none".into(),
        description: None,
        interest: Some(money("10.00")),
        fee: None,
    }
}

/// A full data set: every company field, three invoices (one part paid), fee, interest,
/// compensation, a payment reference and a customer whose name needs HTML escaping.
pub(super) fn sample(language: &str, step: Step) -> LetterData {
    let mut second = invoice("2026-102", "2026-10-01", "2026-10-31", "2500.00", "1500.00", 24);
    second.description = Some("Service oktober".into());
    second.reference = Some("2026102".into());
    second.reference_scheme = "none".into();
    let company = Company {
        name: "Nordisk Verkstad AB".into(),
        org_no: Some("556036-0793".into()),
        address: Some("Industrigatan 4".into()),
        postcode: Some("123 45".into()),
        city: Some("Stockholm".into()),
        country: Some("SE".into()),
        email: Some("faktura@verkstad.example.se".into()),
        phone: Some("08-123 456 78".into()),
        bankgiro: Some("5050-1055".into()),
        plusgiro: Some("4711-2".into()),
        iban: Some("SE45 5000 0000 0583 9825 7466".into()),
        bic: Some("ESSESESS".into()),
        account: Some("5000-12 345 67".into()),
        org_scheme: "SE".into(),
    };
    LetterData {
        step,
        step_number: 1,
        language: language.into(),
        currency: currency_of(language).into(),
        payment: Payment {
            details: [
                ("bankgiro", "5050-1055"),
                ("plusgiro", "4711-2"),
                ("account_SE", "5000-12 345 67"),
                ("iban", "SE45 5000 0000 0583 9825 7466"),
                ("bic", "ESSESESS"),
            ]
            .into_iter()
            .map(|(kind, value)| PaymentDetail { kind: kind.into(), value: value.into() })
            .collect(),
        },
        company,
        customer: Customer {
            id: "C1001".into(),
            name: "Fisk & <Skaldjur> AB".into(),
            contact: Some("Åsa Öberg".into()),
            address: Some("Hamngatan 1".into()),
            postcode: Some("411 14".into()),
            city: Some("Göteborg".into()),
            country: Some("SE".into()),
            email: Some("asa@fisk.example.se".into()),
            phone: Some("+46 70 123 45 67".into()),
            kind: "business".into(),
            greeting_name: Some("Åsa Öberg".into()),
            address_lines: vec!["Hamngatan 1".into(), "411 14 Göteborg".into()],
        },
        invoices: vec![
            invoice("2026-101", "2026-09-24", "2026-10-24", "1234.50", "1234.50", 31),
            second,
            invoice("2026-117", "2026-10-11", "2026-11-10", "980", "980", 14),
        ],
        fee: Some(money("60")),
        interest: Some(money("42.17")),
        compensation: Some(money("450")),
        total: money("4266.67"),
        legal: super::Legal { country: "SE".into(), deadline_days: 14, ..super::Legal::default() },
        pay_by: day("2026-12-08"),
        as_of: day("2026-11-24"),
        reference: Some("1234567897".into()),
        reference_scheme: "ocr".into(),
        collection_warning: false,
        agency: Some("Inkasso Norden AB".into()),
        installments: if step == Step::Plan {
            vec![
                Installment { number: 1, due: day("2026-12-15"), amount: money("1500.00") },
                Installment { number: 2, due: day("2027-01-15"), amount: money("1500.00") },
                Installment { number: 3, due: day("2027-02-15"), amount: money("1266.67") },
            ]
        } else {
            Vec::new()
        },
    }
}

/// The same letter with as little as the data allows: no optional company fields, one
/// invoice, no fee, interest, reference or agency.
fn minimal(language: &str, step: Step) -> LetterData {
    let mut data = sample(language, step);
    data.company = Company { name: "Solo".into(), org_scheme: "SE".into(), ..Company::default() };
    data.payment = Payment::default();
    data.customer = Customer {
        id: "7".into(),
        name: "Kim".into(),
        kind: "consumer".into(),
        greeting_name: layout::greeting_name(true, "Kim", None),
        ..Customer::default()
    };
    data.invoices.truncate(1);
    data.invoices[0].interest = None;
    data.fee = None;
    data.interest = Some(Decimal::ZERO);
    data.compensation = None;
    data.reference = None;
    data.reference_scheme = "none".into();
    data.agency = None;
    data.installments.truncate(1);
    data
}

pub(super) fn letters() -> Letters {
    Letters::new(None).expect("built-in templates compile")
}

pub(super) fn render(letters: &Letters, data: &LetterData, channel: Channel) -> Rendered {
    letters
        .render(data.step, channel, &data.language, &data.to_value())
        .unwrap_or_else(|e| panic!("{} {} {}: {e}", data.language, data.step, channel))
}

/// All text of a rendering, for searching.
fn all_text(rendered: &Rendered) -> String {
    [&rendered.subject, &rendered.text, &rendered.html]
        .into_iter()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

const NBSP: &str = "\u{a0}";

/// 75 step templates (5 languages x 3 steps x 5 parts), 17 shared partials, 5 word lists.
const BUILTIN_COUNT: usize = 75 + 17 + 5;

#[test]
fn builtins_are_steps_partials_and_words_with_the_documented_names() {
    let names: Vec<&str> = builtin_names().collect();
    assert_eq!(names.len(), BUILTIN_COUNT);
    assert!(names.contains(&"templates/sv/reminder.letter.html.hbs"));
    assert!(names.contains(&"templates/en/plan.sms.txt.hbs"));
    assert!(names.contains(&"templates/partials/letter_payment.hbs"));
    assert!(names.contains(&"templates/fi/words.toml"));
    assert_eq!(names.iter().filter(|name| part_of(name).is_some()).count(), 75);
    for name in names {
        assert!(file_kind(name).is_some(), "{name}");
        assert!(!builtin_source(name).unwrap().is_empty(), "{name}");
    }
}

/// The layout is shared: no step template of any language carries a <style>, a table of
/// its own or the page frame, so a layout change is one edit (STYLE.md "One layout, five
/// languages").
#[test]
fn step_templates_hold_words_not_layout() {
    for name in builtin_names().filter(|name| part_of(name).is_some()) {
        let source = builtin_source(name).unwrap();
        for layout in ["<style", "<table", "<!DOCTYPE", "@page", "<address"] {
            assert!(!source.contains(layout), "{name} has its own {layout}");
        }
    }
}

/// Every language's words have the same keys, so a partial never misses a word in one of
/// them.
#[test]
fn every_language_has_every_word() {
    let letters = letters();
    let keys = |value: &Value| -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![(String::new(), value)];
        while let Some((prefix, value)) = stack.pop() {
            for (key, inner) in value.as_object().unwrap() {
                match inner {
                    Value::Object(_) => stack.push((format!("{prefix}{key}."), inner)),
                    _ => out.push(format!("{prefix}{key}")),
                }
            }
        }
        out.sort();
        out
    };
    let swedish = keys(&letters.words["sv"]);
    assert!(swedish.len() > 40, "{swedish:?}");
    for language in LANGUAGES {
        assert_eq!(keys(&letters.words[language]), swedish, "{language}");
    }
}

#[test]
fn every_builtin_renders_in_every_language() {
    let letters = letters();
    for language in LANGUAGES {
        for step in Step::ALL {
            for warning in [false, true] {
                for step_number in [1, 2] {
                    for mut data in [sample(language, step), minimal(language, step)] {
                        data.collection_warning = warning;
                        data.step_number = step_number;
                        for channel in Channel::ALL {
                            let rendered = render(&letters, &data, channel);
                            check_shape(&rendered, channel, &data);
                        }
                    }
                }
            }
        }
    }
}

fn check_shape(rendered: &Rendered, channel: Channel, data: &LetterData) {
    let what = format!("{} {} {}", data.language, data.step, channel);
    match channel {
        Channel::Letter => {
            let html = rendered.html.as_deref().unwrap();
            assert!(html.starts_with("<!DOCTYPE html>"), "{what}");
            assert!(html.contains("@page { size: A4;"), "{what}");
            assert!(rendered.subject.is_none() && rendered.text.is_none(), "{what}");
        }
        Channel::Email => {
            let subject = rendered.subject.as_deref().unwrap();
            assert!(!subject.is_empty() && !subject.contains('\n'), "{what}");
            assert!(rendered.text.as_deref().unwrap().ends_with('\n'), "{what}");
            assert!(rendered.html.as_deref().unwrap().contains("</html>"), "{what}");
        }
        Channel::Sms => {
            assert!(rendered.subject.is_none() && rendered.html.is_none(), "{what}");
            assert!(!rendered.text.as_deref().unwrap().is_empty(), "{what}");
        }
    }
    let text = all_text(rendered);
    assert!(!text.contains("{{") && !text.contains("}}"), "{what}: unrendered braces");
    assert!(!text.contains("[b]"), "{what}: emphasis marker left");
    // Every invoice is named in every channel.
    for invoice in &data.invoices {
        assert!(text.contains(&invoice.number), "{what}: invoice {}", invoice.number);
    }
}

#[test]
fn a_missing_variable_is_an_error_naming_the_template() {
    let letters = letters();
    for channel in Channel::ALL {
        let mut value = sample("sv", Step::Reminder).to_value();
        value.as_object_mut().unwrap().remove("total");
        let error = letters.render(Step::Reminder, channel, "sv", &value).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("templates/sv/reminder."), "{message}");
        assert!(message.contains("total"), "{message}");
    }
    // A missing optional field is caught too (not silently taken as absent).
    let mut value = sample("fi", Step::Plan).to_value();
    value["company"].as_object_mut().unwrap().remove("phone");
    let message = letters.render(Step::Plan, Channel::Letter, "fi", &value).unwrap_err().to_string();
    assert!(message.contains("templates/fi/plan.letter.html.hbs"), "{message}");
    assert!(message.contains("company.phone"), "{message}");
}

#[test]
fn a_malformed_amount_is_an_error_with_template_and_line() {
    let mut value = sample("sv", Step::Reminder).to_value();
    value["invoices"][1]["open"] = "1 500,00".into();
    let error = letters().render(Step::Reminder, Channel::Letter, "sv", &value).unwrap_err();
    let LetterError::Template { template, line, .. } = &error else {
        panic!("{error:?}");
    };
    // The amount is printed by the shared invoice table; the error names it and the letter.
    assert_eq!(template, "templates/partials/letter_invoices.hbs");
    assert!(line.is_some(), "{error}");
    assert!(error.to_string().contains("1 500,00"), "{error}");
    assert!(error.to_string().contains("(rendering templates/sv/reminder.letter.html.hbs)"), "{error}");
}

#[test]
fn swedish_reminder_letter() {
    let data = sample("sv", Step::Reminder);
    let html = render(&letters(), &data, Channel::Letter).html.unwrap();
    assert!(html.contains(&format!("1{NBSP}234,50{NBSP}kr")), "amount");
    assert!(html.contains(&format!("4{NBSP}266,67{NBSP}kr")), "total");
    assert!(html.contains(&format!("3{NBSP}714,50{NBSP}kr")), "sum of open amounts");
    assert!(html.contains("2026-10-24"), "due date in ISO");
    assert!(html.contains("2026-12-08"), "pay_by");
    assert!(html.contains("5050-1055"), "bankgiro");
    assert!(html.contains("12 3456 7897"), "reference, grouped");
    assert!(html.contains("Påminnelseavgift") && html.contains("Dröjsmålsränta"));
    assert!(html.contains("Förseningsersättning"));
    assert!(html.contains("Om ni redan har betalat kan ni bortse från denna påminnelse."));
    assert!(html.contains("Betalningspåminnelse"));
    assert!(html.contains("Med vänliga hälsningar"));
}

#[test]
fn swedish_mentions_inkasso_only_with_a_collection_warning() {
    let letters = letters();
    for channel in Channel::ALL {
        let mut data = sample("sv", Step::Reminder);
        let quiet = all_text(&render(&letters, &data, channel)).to_lowercase();
        assert!(!quiet.contains("inkasso"), "{channel}: {quiet}");
        data.collection_warning = true;
        let warned = all_text(&render(&letters, &data, channel)).to_lowercase();
        assert!(warned.contains("inkasso"), "{channel}");
        if channel != Channel::Sms {
            assert!(warned.contains("inkasso norden ab"), "{channel}: names the agency");
        }
    }
}

#[test]
fn norwegian_inkassovarsel() {
    let letters = letters();
    let mut data = sample("nb", Step::Reminder);
    let quiet = render(&letters, &data, Channel::Letter).html.unwrap();
    assert!(quiet.contains("Purring") && !quiet.contains("inkassovarsel"));
    data.collection_warning = true;
    data.legal.collection_notice =
        Some(super::CollectionNotice { statute: "inkassoloven § 9".into(), min_days: 14 });
    for channel in [Channel::Letter, Channel::Email] {
        let text = all_text(&render(&letters, &data, channel));
        assert!(text.contains("inkassovarsel"), "{channel}");
        assert!(text.contains("inkassoloven § 9"), "{channel}");
        assert!(text.contains("14 dager"), "{channel}");
        assert!(text.contains("08.12.2026"), "{channel}: the deadline");
    }
    let sms = render(&letters, &data, Channel::Sms).text.unwrap();
    assert!(sms.to_lowercase().contains("inkassovarsel"), "{sms}");
}

#[test]
fn danish_rykker_and_warning() {
    let letters = letters();
    let mut data = sample("da", Step::Reminder);
    let quiet = render(&letters, &data, Channel::Letter).html.unwrap();
    assert!(quiet.contains("rykker"));
    assert!(quiet.contains("Rykkergebyr"));
    assert!(quiet.contains(&format!("1.234,50{NBSP}kr")));
    assert!(!quiet.contains("§ 10"));
    data.collection_warning = true;
    data.legal.collection_notice =
        Some(super::CollectionNotice { statute: "inkassoloven § 10".into(), min_days: 10 });
    let warned = render(&letters, &data, Channel::Letter).html.unwrap();
    assert!(warned.contains("inkassovarsel"));
    assert!(warned.contains("inkasso hos Inkasso Norden AB"));
    assert!(warned.contains("jf. inkassoloven § 10") && warned.contains("mindst 10 dage"));
    assert!(warned.contains("yderligere omkostninger"));
}

/// Issue #11, finding 14: the Norwegian letter to a business, dated 30.11.2026 under Swedish
/// law, said its deadline 10.12.2026 "er minst 14 dager etter at varselet ble sendt". A legal
/// statement stands only where the governing law asks for it and the deadline meets it, in
/// every language.
#[test]
fn no_statutory_statement_the_claims_law_does_not_make_true() {
    let letters = letters();
    for language in ["sv", "nb", "da", "fi", "en"] {
        let mut data = sample(language, Step::Reminder);
        data.as_of = day("2026-11-30");
        data.pay_by = day("2026-12-10");
        data.collection_warning = true;
        data.legal.deadline_days = 10;
        data.legal.collection_notice = None;
        for channel in [Channel::Letter, Channel::Email] {
            let text = all_text(&render(&letters, &data, channel));
            for false_claim in [
                "minst 14 dager",
                "inkassoloven §",
                "mindst 10 dage",
                "minst 14 dagar",
                "at least 14 days",
                "vähintään 14",
            ] {
                assert!(!text.contains(false_claim), "{language} {channel}: {false_claim:?} in\n{text}");
            }
        }
        // Where Norwegian law governs and the deadline is 14 days, the statement is made.
        data.pay_by = day("2026-12-14");
        data.legal.deadline_days = 14;
        data.legal.collection_notice =
            Some(super::CollectionNotice { statute: "inkassoloven § 9".into(), min_days: 14 });
        let text = all_text(&render(&letters, &data, Channel::Letter));
        assert!(text.contains("inkassoloven § 9"), "{language}: {text}");
    }
}

#[test]
fn finnish_maksumuistutus() {
    let data = sample("fi", Step::Reminder);
    let text = all_text(&render(&letters(), &data, Channel::Email));
    assert!(text.contains("maksumuistutus"), "{text}");
    assert!(text.contains("Maksumuistutus"));
    assert!(text.contains(&format!("1{NBSP}234,50{NBSP}€")));
    assert!(text.contains("24.10.2026"));
    assert!(text.contains("12345 67897"), "viitenumero in groups of 5");
    assert!(!text.contains("perintään"), "no collection warning asked for");
}

#[test]
fn english_reminder() {
    let mut data = sample("en", Step::Reminder);
    data.currency = "EUR".into();
    data.collection_warning = true;
    let rendered = render(&letters(), &data, Channel::Email);
    let text = rendered.text.unwrap();
    assert!(rendered.subject.unwrap().starts_with("Final reminder before debt collection"));
    assert!(text.contains("€4,266.67"), "{text}");
    assert!(text.contains("24 Oct 2026"));
    assert!(text.contains("8 Dec 2026"));
    assert!(text.contains("debt collection with Inkasso Norden AB"));
    assert!(text.contains("If you have already paid, please disregard this reminder."));
}

#[test]
fn collection_notice_names_the_agency() {
    let letters = letters();
    for language in LANGUAGES {
        let data = sample(language, Step::Collection);
        for channel in Channel::ALL {
            let text = all_text(&render(&letters, &data, channel));
            assert!(text.contains("Inkasso Norden AB"), "{language} {channel}");
        }
    }
}

#[test]
fn plan_lists_installments_and_lapse() {
    let letters = letters();
    let data = sample("sv", Step::Plan);
    let html = render(&letters, &data, Channel::Letter).html.unwrap();
    assert!(html.contains("2027-01-15") && html.contains(&format!("1{NBSP}266,67{NBSP}kr")));
    assert!(html.contains(&format!("4{NBSP}266,67{NBSP}kr")), "sum of installments");
    assert!(html.contains("upphör planen att gälla"));
    assert!(html.contains("inkasso hos Inkasso Norden AB"));
    let text = render(&letters, &sample("en", Step::Plan), Channel::Email).text.unwrap();
    assert!(text.contains("3. 15 Feb 2027: SEK\u{a0}1,266.67"), "{text}");
    assert!(text.contains("the plan lapses"));
}

#[test]
fn html_parts_escape_and_text_parts_do_not() {
    let letters = letters();
    for language in LANGUAGES {
        for step in Step::ALL {
            let data = sample(language, step);
            let letter = render(&letters, &data, Channel::Letter).html.unwrap();
            let email = render(&letters, &data, Channel::Email);
            let sms = render(&letters, &data, Channel::Sms).text.unwrap();
            for html in [&letter, email.html.as_ref().unwrap()] {
                assert!(html.contains("Fisk &amp; &lt;Skaldjur&gt; AB"), "{language} {step}");
                assert!(!html.contains("<Skaldjur>"), "{language} {step}");
            }
            for text in [email.text.as_ref().unwrap(), &sms] {
                assert!(text.contains("Fisk & <Skaldjur> AB"), "{language} {step}: {text}");
                assert!(!text.contains("&amp;"), "{language} {step}");
            }
        }
    }
}

#[test]
fn sms_fit_in_320_characters() {
    let letters = letters();
    for language in LANGUAGES {
        for step in Step::ALL {
            for warning in [false, true] {
                let mut data = sample(language, step);
                data.collection_warning = warning;
                let text = render(&letters, &data, Channel::Sms).text.unwrap();
                let length = text.chars().count();
                assert!(length <= 320, "{language} {step} warning={warning}: {length} chars: {text}");
                assert!(!text.contains(NBSP), "{language} {step}: no-break space in an SMS");
            }
        }
    }
}

#[test]
fn unknown_language_falls_back_to_english() {
    let data = sample("de", Step::Reminder);
    let rendered = render(&letters(), &data, Channel::Email);
    assert!(rendered.subject.unwrap().starts_with("Payment reminder"));
    assert!(rendered.text.unwrap().contains("SEK\u{a0}4,266.67"), "English money format");
    assert_eq!(resolve_language("sv-SE"), "sv");
    assert_eq!(resolve_language("NO"), "nb");
    assert_eq!(resolve_language("nn"), "nb");
    assert_eq!(resolve_language("fi_FI"), "fi");
    assert_eq!(resolve_language(""), "en");
    assert_eq!(resolve_language("de"), "en");
}

#[test]
fn the_data_language_follows_the_rendered_language() {
    // Data saying "sv" rendered as Danish: Danish money format, not Swedish.
    let data = sample("sv", Step::Reminder);
    let rendered = letters().render(Step::Reminder, Channel::Sms, "da", &data.to_value()).unwrap();
    assert!(rendered.text.unwrap().contains("4.266,67 SEK"));
}

#[test]
fn step_and_channel_names() {
    for step in Step::ALL {
        assert_eq!(step.name().parse::<Step>().unwrap(), step);
    }
    for channel in Channel::ALL {
        assert_eq!(channel.name().parse::<Channel>().unwrap(), channel);
    }
    assert_eq!("E-mail".parse::<Channel>().unwrap(), Channel::Email);
    assert_eq!(" SMS ".parse::<Channel>().unwrap(), Channel::Sms);
    let error = "fax".parse::<Channel>().unwrap_err().to_string();
    assert_eq!(error, "unknown channel \"fax\" (expected letter, email or sms)");
    assert!("dunning".parse::<Step>().is_err());
    assert_eq!(sample("sv", Step::Plan).to_value()["step"], "plan");
}

#[test]
fn data_serialises_as_documented() {
    let value = sample("sv", Step::Reminder).to_value();
    assert_eq!(value["total"], "4266.67");
    assert_eq!(value["pay_by"], "2026-12-08");
    assert_eq!(value["invoices"][2]["amount"], "980");
    assert_eq!(value["invoices"][0]["days_overdue"], 31);
    assert!(value["invoices"][0]["reference"].is_null());
    assert!(value["company"]["iban"].is_string());
    assert_eq!(value["installments"], serde_json::json!([]));
}

#[test]
fn override_replaces_the_builtin() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("sv")).unwrap();
    fs::write(dir.path().join("sv/reminder.sms.txt.hbs"), "Betala {{money total}}, {{customer.name}}!\n")
        .unwrap();
    fs::write(dir.path().join("README.txt"), "not a template").unwrap();
    let letters = Letters::new(Some(dir.path())).unwrap();
    let data = sample("sv", Step::Reminder);
    let sms = render(&letters, &data, Channel::Sms).text.unwrap();
    assert_eq!(sms, format!("Betala 4{NBSP}266,67{NBSP}kr, Fisk & <Skaldjur> AB!"));
    // The others are still the built-ins.
    let letter = render(&letters, &data, Channel::Letter).html.unwrap();
    assert!(letter.contains("Betalningspåminnelse"));
}

#[test]
fn override_html_is_escaped_too() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("en")).unwrap();
    fs::write(dir.path().join("en/collection.letter.html.hbs"), "<p>{{customer.name}}</p>").unwrap();
    let letters = Letters::new(Some(dir.path())).unwrap();
    let html = render(&letters, &sample("en", Step::Collection), Channel::Letter).html.unwrap();
    assert_eq!(html, "<p>Fisk &amp; &lt;Skaldjur&gt; AB</p>");
}

#[test]
fn a_missing_override_directory_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Letters::new(Some(&dir.path().join("templates"))).is_ok());
}

#[test]
fn override_with_a_syntax_error_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("nb")).unwrap();
    let file = dir.path().join("nb/reminder.email.txt.hbs");
    fs::write(&file, "Hei,\n\nBetal {{money total}\ninnen {{date pay_by}}.\n").unwrap();
    let error = Letters::new(Some(dir.path())).unwrap_err();
    let LetterError::Template { template, line, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(template, &file.display().to_string());
    assert_eq!(*line, Some(3), "{error}");
    assert!(error.to_string().starts_with(&format!("{}:3:", file.display())), "{error}");
}

#[test]
fn override_render_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("da")).unwrap();
    let file = dir.path().join("da/plan.sms.txt.hbs");
    fs::write(&file, "Hej\n{{customer.nmae}}\n").unwrap();
    let letters = Letters::new(Some(dir.path())).unwrap();
    let error = letters
        .render(Step::Plan, Channel::Sms, "da", &sample("da", Step::Plan).to_value())
        .unwrap_err()
        .to_string();
    assert!(error.starts_with(&format!("{}:2:", file.display())), "{error}");
    assert!(error.contains("customer.nmae"), "{error}");
}

#[test]
fn an_unknown_override_name_is_an_error() {
    for name in
        ["sv/remindr.sms.txt.hbs", "de/reminder.sms.txt.hbs", "reminder.sms.txt.hbs", "sv/reminder.hbs"]
    {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(name);
        fs::create_dir_all(file.parent().unwrap()).unwrap();
        fs::write(&file, "x").unwrap();
        let error = Letters::new(Some(dir.path())).unwrap_err();
        assert!(matches!(&error, LetterError::UnknownOverride { path } if *path == file), "{error:?}");
        assert!(error.to_string().contains(name), "{error}");
    }
}

#[test]
fn export_writes_all_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let written = export_builtin(dir.path()).unwrap();
    assert_eq!(written.len(), BUILTIN_COUNT);
    let letter = dir.path().join("sv/reminder.letter.html.hbs");
    assert!(written.contains(&letter));
    assert_eq!(
        fs::read_to_string(&letter).unwrap(),
        builtin_source("templates/sv/reminder.letter.html.hbs").unwrap()
    );

    // The export is a valid override directory that renders exactly like the built-ins.
    let data = sample("fi", Step::Reminder);
    let exported = Letters::new(Some(dir.path())).unwrap();
    assert_eq!(render(&exported, &data, Channel::Email), render(&letters(), &data, Channel::Email));

    // A second export refuses and writes nothing, not even the files that are missing.
    fs::write(&letter, "mine").unwrap();
    let removed = dir.path().join("en/plan.sms.txt.hbs");
    fs::remove_file(&removed).unwrap();
    let error = export_builtin(dir.path()).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
    assert!(
        error.to_string().contains("reminder.letter.html.hbs") || error.to_string().contains(".hbs"),
        "{error}"
    );
    assert_eq!(fs::read_to_string(&letter).unwrap(), "mine");
    assert!(!removed.exists());
}

#[test]
fn rendered_email_becomes_an_eml_with_encoded_subject() {
    let data = sample("sv", Step::Reminder);
    let rendered = render(&letters(), &data, Channel::Email);
    let subject = rendered.subject.unwrap();
    assert!(subject.starts_with("Påminnelse: 3 obetalda fakturor från Nordisk Verkstad AB"), "{subject}");
    let eml = eml::build_eml(&eml::EmlParts {
        from_name: &data.company.name,
        from_addr: "faktura@verkstad.example.se",
        to_name: &data.customer.name,
        to_addr: "asa@fisk.example.se",
        subject: &subject,
        text: rendered.text.as_deref().unwrap(),
        html: rendered.html.as_deref().unwrap(),
        date: std::time::SystemTime::UNIX_EPOCH,
        message_id: "dun.2026-11-24.C1001.reminder.1@verkstad.example.se",
        reply_to: None,
        attachments: &[],
    })
    .unwrap();
    let eml = String::from_utf8(eml).unwrap();
    let subject_line = eml.lines().find(|l| l.starts_with("Subject: ")).unwrap();
    assert!(subject_line.starts_with("Subject: =?utf-8?b?"), "{subject_line}");
    assert!(eml.contains("Content-Type: multipart/alternative;"));
    assert!(eml.contains("Content-Type: text/plain; charset=utf-8\r\n"));
    assert!(eml.contains("Content-Type: text/html; charset=utf-8\r\n"));
    assert!(!eml.replace("\r\n", "").contains('\n'), "CRLF only");
}

#[test]
fn consumers_are_greeted_by_name_in_every_language() {
    let letters = letters();
    for (language, greeting) in [
        ("sv", "Hej Kim!"),
        ("nb", "Hei Kim,"),
        ("da", "Kære Kim,"),
        ("fi", "Hyvä Kim,"),
        ("en", "Dear Kim,"),
    ] {
        for step in Step::ALL {
            let data = minimal(language, step);
            for channel in [Channel::Letter, Channel::Email] {
                let text = all_text(&render(&letters, &data, channel));
                assert!(text.contains(greeting), "{language} {step} {channel}: {text}");
            }
        }
    }
}

/// The address block sits where a window envelope shows it, whatever the header above holds:
/// 46 mm from the top (page margin + offset in the head) and 20 mm from the left edge, at
/// most 85 x 22 mm, which lies inside the window of a C5 (44-79 mm from the top, from 15 mm
/// left, 105 mm wide) and of an E65 envelope (40-70 mm, from 15 mm, 95 mm wide).
#[test]
fn the_address_block_has_a_fixed_place_for_window_envelopes() {
    let page = builtin_source("templates/partials/letter_page.hbs").unwrap();
    let millimetres = |rule: &str, property: &str| -> f64 {
        let start = page.find(rule).unwrap_or_else(|| panic!("no {rule}"));
        let block = &page[start..start + page[start..].find('}').unwrap()];
        let value =
            block.split(&format!("{property}:")).nth(1).unwrap_or_else(|| panic!("{rule} {property}"));
        value.trim_start().split(|c: char| !(c.is_ascii_digit() || c == '.')).next().unwrap().parse().unwrap()
    };
    let margin = page.split("@page { size: A4; margin: ").nth(1).unwrap();
    let margins: Vec<f64> = margin
        .split(';')
        .next()
        .unwrap()
        .split_whitespace()
        .map(|m| m.trim_end_matches("mm").parse().unwrap())
        .collect();
    let (top_margin, left_margin) = (margins[0], margins[3]);
    let top = top_margin + millimetres(".recipient {", "top");
    let left = left_margin + millimetres(".recipient {", "left");
    let (width, height) = (millimetres(".recipient {", "width"), millimetres(".recipient {", "height"));
    assert_eq!((top, left), (46.0, 20.0));
    // The style sheet and the PDF letter (`layout::ADDRESS_BLOCK`, `PAGE_MARGINS_MM`) agree.
    let block = layout::ADDRESS_BLOCK;
    assert_eq!(
        (top, left, width, height),
        (f64::from(block.top), f64::from(block.left), f64::from(block.width), f64::from(block.height))
    );
    assert_eq!(margins, layout::PAGE_MARGINS_MM.map(f64::from));
    assert!(page.contains(&format!("line-height: {}mm", layout::ADDRESS_LINE_MM)));
    assert!(page.contains(&format!(".head {{ position: relative; height: {}mm; }}", layout::HEAD_HEIGHT_MM)));
    for (window_top, window_bottom, window_right) in [(44.0, 79.0, 15.0 + 105.0), (40.0, 70.0, 15.0 + 95.0)] {
        assert!(top >= window_top && top + height <= window_bottom, "{top}+{height}");
        assert!(left >= 15.0 && left + width <= window_right, "{left}+{width}");
    }
    assert!(page.contains(".recipient { position: absolute;"), "not in the normal flow");
    // On screen the page has the same padding as the print margins, so the block is at the
    // same place.
    assert!(page.contains(&format!("padding: {}mm 18mm 18mm {}mm", top_margin, left_margin)));
}

#[test]
fn words_can_be_overridden_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("sv")).unwrap();
    fs::write(
        dir.path().join("sv/words.toml"),
        "pay_by = \"Sista betalningsdag\"\n[account]\nbankgiro = \"BG\"\n",
    )
    .unwrap();
    let letters = Letters::new(Some(dir.path())).unwrap();
    let data = sample("sv", Step::Reminder);
    let html = render(&letters, &data, Channel::Letter).html.unwrap();
    assert!(html.contains("<th>Sista betalningsdag</th>") && html.contains("<th>BG</th>"), "{html}");
    assert!(html.contains("<th>Plusgiro</th>"), "the other words stay");
    // Other languages are untouched.
    let nb = render(&letters, &sample("nb", Step::Reminder), Channel::Letter).html.unwrap();
    assert!(nb.contains("Betalingsfrist"));
}

#[test]
fn a_misspelt_word_is_an_error_naming_file_and_word() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("da")).unwrap();
    let file = dir.path().join("da/words.toml");
    fs::write(&file, "pay_bu = \"Betal senest\"\n").unwrap();
    let error = Letters::new(Some(dir.path())).unwrap_err().to_string();
    assert!(error.starts_with(&file.display().to_string()), "{error}");
    assert!(error.contains("unknown word `pay_bu`") && error.contains("pay_by"), "{error}");
    fs::write(&file, "[account]\niban = 7\n").unwrap();
    let error = Letters::new(Some(dir.path())).unwrap_err().to_string();
    assert!(error.contains("`account.iban` must be text"), "{error}");
    fs::write(&file, "date = \"Dato\"\ndate = \"x\"\n").unwrap();
    let error = Letters::new(Some(dir.path())).unwrap_err().to_string();
    assert!(error.starts_with(&format!("{}:2:", file.display())), "{error}");
}

#[test]
fn a_partial_override_changes_every_language() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("partials")).unwrap();
    fs::write(
        dir.path().join("partials/letter_payment.hbs"),
        "<div class=\"payment\">PAY {{date pay_by}}</div>",
    )
    .unwrap();
    let letters = Letters::new(Some(dir.path())).unwrap();
    for language in LANGUAGES {
        let html = render(&letters, &sample(language, Step::Reminder), Channel::Letter).html.unwrap();
        assert!(html.contains("<div class=\"payment\">PAY "), "{language}");
    }
}

/// A reference and the company's number are named by what they are: a Swedish OCR number in a
/// Finnish letter is no viitenumero, a Swedish org number no Y-tunnus.
#[test]
fn labels_follow_the_scheme_not_the_language() {
    let letters = letters();
    for (language, ocr, org) in [
        ("fi", "OCR-viite (Ruotsi)", "Ruotsalainen yritystunnus (org.nr)"),
        ("nb", "OCR-referanse (Sverige)", "Org.nr. (Sverige)"),
        ("da", "OCR-reference (Sverige)", "Org.nr. (Sverige)"),
        ("en", "OCR reference (Sweden)", "Swedish org. no."),
        ("sv", "OCR-nummer", "Org.nr"),
    ] {
        // One invoice: the letter's reference is that invoice's, labelled by its scheme alone.
        let mut data = sample(language, Step::Reminder);
        data.invoices.truncate(1);
        for channel in [Channel::Letter, Channel::Email] {
            let text = all_text(&render(&letters, &data, channel));
            assert!(text.contains(&format!("{ocr}</")), "{language} {channel}: {text}");
            assert!(text.contains(&format!("{org} 556036-0793")), "{language} {channel}");
            for wrong in ["Viitenumero</", ">KID<", "CVR-nr. 556036", "Y-tunnus 556036"] {
                assert!(!text.contains(wrong), "{language} {channel}: {wrong}");
            }
        }
    }
}

/// Issue #13, finding 4: a letter about several invoices asked for the invoice numbers. Its
/// one reference for the total is labelled as such by its scheme in every language and on
/// every channel, each invoice still shows its own; a one-invoice letter is as before.
#[test]
fn a_letter_of_several_invoices_names_its_reference_for_the_total() {
    let letters = letters();
    let for_total = [
        ("sv", "OCR-nummer för hela beloppet"),
        ("nb", "for hele beløpet"),
        ("da", "for hele beløbet"),
        ("fi", "koko summalle"),
        ("en", "for the total"),
    ];
    for (language, label) in for_total {
        let mut data = sample(language, Step::Reminder);
        data.invoices[0].reference = Some("20261013".into());
        data.invoices[0].reference_scheme = "ocr".into();
        for channel in [Channel::Letter, Channel::Email] {
            let text = all_text(&render(&letters, &data, channel));
            assert!(text.contains(label), "{language} {channel}: {label:?} in\n{text}");
            // Each invoice's own reference, grouped as the language prints it.
            assert!(text.contains("1013<"), "{language} {channel}: {text}");
        }
        let sms = render(&letters, &data, Channel::Sms).text.unwrap();
        assert!(sms.contains("1234567897"), "{language}: {sms}");
        data.invoices.truncate(1);
        let one = all_text(&render(&letters, &data, Channel::Letter));
        assert!(!one.contains(label), "{language}: one invoice, one reference of its own:\n{one}");
    }
}

/// One context for all of a letter's channels gives, channel by channel, what rendering each
/// channel on its own gives: the data is not changed by a rendering.
#[test]
fn all_channels_at_once_render_as_each_alone() {
    let letters = letters();
    for language in LANGUAGES {
        for step in Step::ALL {
            let data = sample(language, step);
            let together = letters
                .render_channels(step, &Channel::ALL, &data.language, data.to_value())
                .expect("renders");
            let alone: Vec<Rendered> = Channel::ALL.iter().map(|&c| render(&letters, &data, c)).collect();
            assert_eq!(together, alone, "{language} {step}");
            assert!(together.iter().all(|r| r != &Rendered::default()), "{language} {step}");
        }
    }
}
