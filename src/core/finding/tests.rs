//! Tests of findings kept packed and of their made texts.

use super::list::Packed;
use super::wording::parts_of;
use super::*;
use proptest::prelude::*;

/// The order `dun check` wrote its findings in before they were kept in their lists: the
/// lists joined, then a stable sort by file and line.
fn joined_and_sorted(lists: &[Vec<Finding>], keep: impl Fn(&Finding) -> bool) -> Vec<Finding> {
    let mut joined: Vec<Finding> = lists.iter().flatten().filter(|f| keep(f)).cloned().collect();
    joined.sort_by(|a, b| (&*a.file, a.line).cmp(&(&*b.file, b.line)));
    joined
}

fn finding((file, line, error): (usize, u64, bool), list: usize, at: usize) -> Finding {
    let file = ["invoices.csv", "customers.csv", "policy.toml", "bank/2026-11.xml"][file];
    let message = format!("list {list}, place {at}");
    match error {
        true => Finding::error(file, line, "", "x", message),
        false => Finding::warning(file, line, "", "x", message),
    }
}

proptest! {
    /// Kept in their lists, the findings read in the order of the joined and sorted
    /// list (each message says where it was made, so ties are told apart), whether read
    /// one by one, by range or by place; and so do those of one severity.
    #[test]
    fn kept_findings_read_as_joined_and_sorted(
        lists in prop::collection::vec(
            prop::collection::vec((0..4usize, prop_oneof![0..6u64, Just(u64::MAX)], any::<bool>()), 0..30),
            0..5,
        ),
        cut in 0..40usize,
    ) {
        let lists: Vec<Vec<Finding>> = lists
            .iter()
            .enumerate()
            .map(|(l, fs)| fs.iter().enumerate().map(|(at, &f)| finding(f, l, at)).collect())
            .collect();
        let packed = || lists.iter().cloned().map(FindingList::from).collect::<Vec<_>>();
        let kept = Findings::sorted_where(packed(), |_| true);
        let expected = joined_and_sorted(&lists, |_| true);
        prop_assert_eq!(kept.len(), expected.len());
        prop_assert_eq!(kept.to_vec(), expected.clone());
        let cut = cut.min(kept.len());
        let by_range: Vec<Finding> =
            kept.range(0..cut).chain(kept.range(cut..kept.len())).map(|f| f.to_finding()).collect();
        prop_assert_eq!(&by_range, &expected);
        prop_assert!((0..kept.len()).all(|k| kept.get(k).to_finding() == expected[k]));
        let errors = Findings::sorted_where(packed(), |s| s == Severity::Error);
        prop_assert_eq!(errors.to_vec(), joined_and_sorted(&lists, Finding::is_error));
    }
}

#[test]
fn one_list_reads_in_its_own_order() {
    let list = vec![finding((0, 9, true), 0, 0), finding((1, 1, false), 0, 1)];
    let kept = Findings::in_order(list.clone());
    assert_eq!(kept.to_vec(), list);
    assert!(
        Findings::default().is_empty()
            && Findings::sorted_where(vec![FindingList::new(), FindingList::new()], |_| true).is_empty()
    );
}

/// A finding of every kind of text: the program's own or made for it, present, absent
/// or empty.
fn any_finding() -> impl Strategy<Value = Finding> {
    const FILES: [&str; 3] = ["customers.csv", "invoices.csv", ""];
    let label = prop_oneof![
        (0..3usize).prop_map(|i| Label::Borrowed(FILES[i])),
        "[a-zå /.]{0,12}".prop_map(Label::Owned),
    ];
    let text = || proptest::option::of("[a-zA-Z0-9 \"ø€-]{0,20}");
    (any::<bool>(), label.clone(), any::<u64>(), label.clone(), "[a-zæ \"]{0,40}", text(), text())
        .prop_flat_map(move |(error, file, line, field, message, customer, invoice)| {
            proptest::option::of(label.clone()).prop_map(move |hint| {
                let f = match error {
                    true => Finding::error(file.clone(), line, field.clone(), "a-code", message.clone()),
                    false => Finding::warning(file.clone(), line, field.clone(), "b-code", message.clone()),
                };
                Finding {
                    customer: customer.clone().map(Text::from),
                    invoice: invoice.clone().map(Text::from),
                    hint,
                    ..f
                }
            })
        })
}

proptest! {
    /// A packed list reads back every finding as it was pushed, its texts told apart
    /// (none from empty, one field's from the next's); the warnings dropped from a mark
    /// on leave the errors in order and the findings before the mark as they were.
    #[test]
    fn a_packed_list_reads_back_what_was_pushed(
        findings in prop::collection::vec(any_finding(), 0..24),
        mark in 0..30usize,
    ) {
        let list = FindingList::from(findings.clone());
        prop_assert_eq!(list.len(), findings.len());
        prop_assert_eq!(list.to_vec(), findings.clone());
        // What the findings are sorted by reads the same alone.
        for (at, f) in findings.iter().enumerate() {
            prop_assert_eq!(list.head(at), (f.severity, &*f.file, f.line));
        }
        let mark = mark.min(findings.len());
        let mut settled = list.clone();
        settled.keep_errors_from(mark);
        let expected: Vec<Finding> = findings[..mark]
            .iter()
            .chain(findings[mark..].iter().filter(|f| f.is_error()))
            .cloned()
            .collect();
        prop_assert_eq!(settled.to_vec(), expected.clone());
        // What is pushed after the warnings were dropped reads back too.
        settled.push(findings.first().cloned().unwrap_or_else(|| finding((0, 1, true), 0, 0)));
        prop_assert_eq!(settled.len(), expected.len() + 1);
        prop_assert_eq!(settled.get(expected.len()).to_finding(), findings.first().cloned().unwrap_or_else(|| finding((0, 1, true), 0, 0)));
    }
}

#[test]
fn the_programs_texts_are_kept_once_and_a_findings_own_in_one_string() {
    let hint = "call the customer before the next delivery";
    let list = FindingList::from(
        (0..100)
            .map(|n| {
                Finding::warning(
                    "customers.csv",
                    n,
                    "credit_limit",
                    "over-credit-limit",
                    format!("finding {n}"),
                )
                .customer(format!("C{n}"))
                .hint(hint)
            })
            .collect::<Vec<_>>(),
    );
    // The file, the column, the code and the hint.
    assert_eq!(list.labels.len(), 4);
    let own: usize = (0..100).map(|n: u64| format!("finding {n}").len() + format!("C{n}").len()).sum();
    assert_eq!(list.texts.len(), own);
    assert_eq!(list.get(42).hint, Some(Composed::plain(hint)));
    assert_eq!(list.get(42).message.to_string(), "finding 42");
    assert_eq!(std::mem::size_of::<Packed>(), 48);
}

/// Templates of the program's own: none, one and several places for parts, places side
/// by side and at the ends.
const TEMPLATES: [&str; 5] = ["", "\0", "customer \0 looks like \"\0\" (line \0)", "\0\0 and", "no places"];

/// A text for [`FindingList::push_made`] and the text it must read back as: made ones with
/// parts one for each place or not, parts with a `\0` of their own; templates shared.
fn any_wording() -> impl Strategy<Value = (WordingSpec, String)> {
    let parts = prop::collection::vec("[a-zå\0 \"]{0,6}", 0..4);
    prop_oneof![
        "[a-zø ]{0,12}".prop_map(|t| (WordingSpec::Own(t.clone()), t)),
        (0..TEMPLATES.len()).prop_map(|i| (WordingSpec::Fixed(TEMPLATES[i]), TEMPLATES[i].to_owned())),
        "[ab]{0,2}".prop_map(|t| (WordingSpec::Shared(t.clone()), t)),
        ((0..TEMPLATES.len()), parts.clone()).prop_map(|(i, parts)| {
            let mut whole = String::new();
            fill(TEMPLATES[i], parts.iter().map(String::as_str), &mut whole);
            (WordingSpec::Made(TEMPLATES[i], parts), whole)
        }),
        ("[x\0]{0,3}", parts).prop_map(|(template, parts)| {
            let mut whole = String::new();
            fill(&template, parts.iter().map(String::as_str), &mut whole);
            (WordingSpec::MadeShared(template, parts), whole)
        }),
    ]
}

/// A [`Wording`] with texts of its own, for the strategies.
#[derive(Clone, Debug)]
enum WordingSpec {
    Own(String),
    Fixed(&'static str),
    Shared(String),
    Made(&'static str, Vec<String>),
    MadeShared(String, Vec<String>),
}

impl WordingSpec {
    fn with<R>(&self, f: impl FnOnce(Wording<'_>) -> R) -> R {
        match self {
            WordingSpec::Own(t) => f(Wording::Own(t)),
            WordingSpec::Fixed(t) => f(Wording::Fixed(t)),
            WordingSpec::Shared(t) => f(Wording::Shared(t)),
            WordingSpec::Made(t, parts) => {
                f(Wording::Made(t, &parts.iter().map(String::as_str).collect::<Vec<_>>()))
            }
            WordingSpec::MadeShared(t, parts) => {
                f(Wording::MadeShared(t, &parts.iter().map(String::as_str).collect::<Vec<_>>()))
            }
        }
    }
}

proptest! {
    /// Findings pushed made read back as the findings with their texts written out, in a
    /// list with findings pushed whole; what they are sorted by and the errors kept from a
    /// mark read the same as of those.
    #[test]
    fn made_findings_read_as_their_texts_written_out(
        given in prop::collection::vec(
            (any::<bool>(), any_wording(), proptest::option::of(any_wording()), proptest::option::of("[C0-9]{0,4}"), any::<bool>()),
            0..16,
        ),
        mark in 0..20usize,
    ) {
        let (mut made, mut whole) = (FindingList::new(), FindingList::new());
        for (at, (error, (message, message_text), hint, customer, pushed_whole)) in given.iter().enumerate() {
            let severity = if *error { Severity::Error } else { Severity::Warning };
            let expected = Finding {
                severity,
                file: Label::Borrowed("customers.csv"),
                line: at as u64 % 3,
                field: Label::Borrowed("id"),
                code: "likely-duplicate",
                message: message_text.clone(),
                customer: customer.clone().map(Text::from),
                invoice: None,
                hint: hint.as_ref().map(|(_, text)| Label::Owned(text.clone())),
            };
            whole.push(expected.clone());
            if *pushed_whole {
                made.push(expected);
                continue;
            }
            message.with(|message| match hint {
                None => made.push_made(Made { severity, customer: customer.as_deref(), ..Made::warning(("customers.csv", at as u64 % 3, "id"), "likely-duplicate", message) }),
                Some((hint, _)) => hint.with(|hint| made.push_made(Made {
                    severity,
                    customer: customer.as_deref(),
                    hint: Some(hint),
                    ..Made::warning(("customers.csv", at as u64 % 3, "id"), "likely-duplicate", message)
                })),
            });
        }
        prop_assert_eq!(made.to_vec(), whole.to_vec());
        for at in 0..made.len() {
            prop_assert_eq!(made.head(at), whole.head(at));
            prop_assert_eq!(made.get(at), whole.get(at));
        }
        let mark = mark.min(made.len());
        made.keep_errors_from(mark);
        whole.keep_errors_from(mark);
        prop_assert_eq!(made.to_vec(), whole.to_vec());
    }
}

#[test]
fn a_template_is_filled_place_by_place() {
    let filled = |template: &str, parts: &[&str]| {
        let mut out = String::from(">");
        fill(template, parts.iter().copied(), &mut out);
        out
    };
    assert_eq!(filled("a \0 b \0.", &["1", "2"]), ">a 1 b 2.");
    assert_eq!(filled("\0\0", &["x"]), ">x");
    assert_eq!(filled("no places", &["x"]), ">no places");
    assert_eq!(filled("", &[]), ">");
    assert_eq!(filled("å\0ø", &["é"]), ">åéø");
    assert_eq!(parts_of("a\0\0bc").collect::<Vec<_>>(), ["a", "", "bc"]);
    assert_eq!(parts_of("").collect::<Vec<_>>(), [""]);
    assert_eq!(parts_of("\0").collect::<Vec<_>>(), ["", ""]);
}

/// A made text keeps its parts alone (the template once), a shared one is kept once, and
/// each reads back whole.
#[test]
fn made_texts_keep_only_their_parts() {
    let mut list = FindingList::new();
    for n in 0..100u64 {
        let line = n.to_string();
        list.push_made(Made {
            hint: Some(Wording::Shared("the same words for all")),
            ..Made::warning(
                ("customers.csv", n, "id"),
                "likely-duplicate",
                Wording::Made("customer \0 looks like customer \0 (line \0)", &["K2", "K1", &line]),
            )
        });
    }
    let parts: usize = (0..100u64).map(|n| "K2\0K1\0".len() + n.to_string().len()).sum();
    assert_eq!(list.texts.len(), parts);
    assert_eq!(list.shared.len(), 1);
    assert_eq!(list.get(42).message.to_string(), "customer K2 looks like customer K1 (line 42)");
    assert_eq!(list.get(42).hint.map(|h| h.to_string()).as_deref(), Some("the same words for all"));
    // Past the templates a slot can name, and past a megabyte of parts, the whole text.
    let mut many = FindingList::new();
    let big = "é".repeat(1 << 19);
    for n in 0..600 {
        let template = format!("template {n}: \0");
        let part = if n == 3 { big.as_str() } else { "x" };
        many.push_made(Made::warning(("f", 1, ""), "c", Wording::MadeShared(&template, &[part])));
    }
    assert!((0..600).all(|n| many.get(n).message.to_string()
        == format!("template {n}: {}", if n == 3 { big.as_str() } else { "x" })));
    let mut scratch = String::from("left over");
    assert_eq!(list.get(7).message.read_with(&mut scratch), "customer K2 looks like customer K1 (line 7)");
}
