use super::place::mm;
use super::*;
use crate::letters::layout::{ADDRESS_BLOCK, PAGE_MARGINS_MM};
use crate::letters::tests::{letters, render, sample};
use crate::letters::{Channel, LANGUAGES, LetterData, Step};

fn letter_html(data: &LetterData) -> String {
    render(&letters(), data, Channel::Letter).html.expect("a letter has HTML")
}

fn pdf_of(data: &LetterData) -> Vec<u8> {
    letter_pdf(&letter_html(data), data.as_of).expect("the letter becomes a PDF")
}

/// The PDF read back by an independent reader (lopdf).
fn read_back(pdf: &[u8]) -> lopdf::Document {
    lopdf::Document::load_mem(pdf).expect("lopdf reads the PDF")
}

/// The text of every page, as a reader that copies it out sees it.
fn extracted(doc: &lopdf::Document) -> String {
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("text extracts")
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace()).filter(|w| !w.is_empty()).map(str::to_owned).collect()
}

#[test]
fn every_letter_is_an_a4_pdf_with_its_font_embedded_and_subsetted() {
    for language in LANGUAGES {
        for step in Step::ALL {
            let pdf = pdf_of(&sample(language, step));
            assert!(pdf.starts_with(b"%PDF-"), "{language} {step}");
            let doc = read_back(&pdf);
            assert!(!doc.get_pages().is_empty());
            for (_, page) in doc.get_pages() {
                let page = doc.get_dictionary(page).unwrap();
                let media_box: Vec<f32> = page
                    .get(b"MediaBox")
                    .unwrap()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_float().unwrap())
                    .collect();
                assert_eq!(media_box.len(), 4);
                assert!(media_box[0].abs() < 0.01 && media_box[1].abs() < 0.01, "{media_box:?}");
                assert!(
                    (media_box[2] - 595.28).abs() < 0.1 && (media_box[3] - 841.89).abs() < 0.1,
                    "{media_box:?}"
                );
            }
            let embedded: Vec<usize> = doc
                .objects
                .values()
                .filter_map(|o| o.as_dict().ok())
                .filter_map(|d| d.get(b"FontFile2").or_else(|_| d.get(b"FontFile3")).ok())
                .map(|r| {
                    doc.get_object(r.as_reference().unwrap()).unwrap().as_stream().unwrap().content.len()
                })
                .collect();
            // Regular and bold, each only the glyphs used: a few kB of the fonts' 410 kB.
            assert_eq!(embedded.len(), 2, "{language} {step}");
            assert!(embedded.iter().all(|&bytes| bytes > 1000 && bytes < 60_000), "{embedded:?}");
        }
    }
}

#[test]
fn its_text_extracts_with_the_nordic_letters_intact() {
    let mut data = sample("da", Step::Reminder);
    data.customer.name = "Ærø Smørrebrød & Blåbärskök ApS".into();
    data.customer.address_lines = vec!["Øster Allé 5".into(), "2100 København Ø".into()];
    let text = extracted(&read_back(&pdf_of(&data))).replace('\u{a0}', " ");
    // Danish: 4.266,67 kr. (checked by hand against the sample's figures).
    for expected in
        ["Ærø Smørrebrød & Blåbärskök ApS", "Øster Allé 5", "2100 København Ø", "Åsa Öberg", "4.266,67"]
    {
        assert!(text.contains(expected), "{expected:?} not in {text}");
    }
    for letter in ['å', 'ä', 'ö', 'æ', 'ø', 'Å', 'Æ', 'Ø'] {
        assert!(text.contains(letter), "{letter} not in {text}");
    }
}

/// Every word of the HTML letter is in the PDF — the same sentences, labels and figures, in
/// every language and step — and nothing else is: the PDF prints what the HTML prints.
/// Every word of a block of the body.
fn block_words(block: &html::Block, out: &mut Vec<String>) {
    let runs =
        |runs: &[html::Run], out: &mut Vec<String>| runs.iter().for_each(|r| out.extend(words(&r.text)));
    match block {
        html::Block::Heading { text, .. } => out.extend(words(text)),
        html::Block::Paragraph { words, .. } => runs(words, out),
        html::Block::Table(table) => {
            table.rows.iter().flat_map(|r| &r.cells).for_each(|c| runs(&c.runs, out))
        }
        html::Block::Boxed(blocks) => blocks.iter().for_each(|b| block_words(b, out)),
        html::Block::Columns(columns) => columns.iter().flatten().for_each(|b| block_words(b, out)),
    }
}

#[test]
fn the_pdf_says_what_the_html_letter_says() {
    for language in LANGUAGES {
        for step in Step::ALL {
            let data = sample(language, step);
            let html = letter_html(&data);
            let letter = html::read(&html);
            let mut expected = Vec::new();
            expected.extend(letter.sender.iter().flat_map(|l| words(l)));
            expected.extend(letter.recipient.iter().flat_map(|l| words(l)));
            expected.extend(letter.meta.iter().flat_map(|(a, b)| words(&format!("{a} {b}"))));
            expected.extend(words(&letter.footer));
            letter.body.iter().for_each(|block| block_words(block, &mut expected));
            let text = extracted(&read_back(&letter_pdf(&html, data.as_of).unwrap()));
            let found = words(&text);
            // The figures the debtor pays: the total, formatted as the HTML has it.
            let total = crate::letters::helpers::format_money(
                &data.total.to_string(),
                &data.language,
                &data.currency,
                false,
            )
            .unwrap();
            assert!(text.contains(&total), "{language} {step}: {total:?} not in {text}");
            for word in words(&html::collapse(&letter.recipient.join(" "))) {
                assert!(found.contains(&word), "{language} {step}: {word:?} not in {text}");
            }
            let missing: Vec<&String> = expected
                .iter()
                .filter(|w| {
                    let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                    !w.is_empty() && !text.contains(w)
                })
                .collect();
            assert!(missing.is_empty(), "{language} {step}: {missing:?} not in the PDF:\n{text}");
        }
    }
}

/// A letter about many invoices continues on a second page, with the table's header row
/// repeated there, and nothing is drawn outside the page's margins.
#[test]
fn a_long_table_breaks_onto_the_next_page() {
    let mut data = sample("sv", Step::Reminder);
    let template = data.invoices[0].clone();
    data.invoices = (0..70)
        .map(|n| {
            let mut line = template.clone();
            line.number = format!("2026-{:03}", 500 + n);
            line
        })
        .collect();
    let html = letter_html(&data);
    let fonts = Fonts::load().unwrap();
    let pages = layout(&html::read(&html), &fonts);
    assert!(pages.len() >= 2, "{} page(s)", pages.len());
    let [top, right, bottom, left] = PAGE_MARGINS_MM.map(mm);
    for (n, page) in pages.iter().enumerate() {
        for item in page {
            if let Item::Text { x, y, text, size, .. } = item {
                let width = fonts.width(text, false, *size);
                assert!(
                    *x >= left - 0.5 && x + width <= PAGE_WIDTH - right + 0.5,
                    "page {n}: {text:?} at x {x}"
                );
                // The page number sits in the bottom margin; everything else inside.
                let lowest = if text.contains(" / ") { PAGE_HEIGHT } else { PAGE_HEIGHT - bottom };
                assert!(*y >= top && *y <= lowest, "page {n}: {text:?} at y {y}");
            }
        }
    }
    let doc = read_back(&letter_pdf(&html, data.as_of).unwrap());
    assert_eq!(doc.get_pages().len(), pages.len());
    let second = doc.extract_text(&[2]).unwrap();
    assert!(second.contains("Faktura"), "no header row on page 2: {second}");
    let all = extracted(&doc);
    for n in 0..70 {
        let number = format!("2026-{:03}", 500 + n);
        assert_eq!(all.matches(&number).count(), 1, "{number}");
    }
}

/// The address block is where the window envelope shows it, whatever the sender block holds.
#[test]
fn the_address_is_in_the_envelope_window() {
    let fonts = Fonts::load().unwrap();
    let mut data = sample("sv", Step::Reminder);
    let plain = layout(&html::read(&letter_html(&data)), &fonts);
    data.company.address = Some("Industrigatan 4\nBox 123\nPlan 3\nIngång C\nLastkaj 2".into());
    let crowded = layout(&html::read(&letter_html(&data)), &fonts);
    for pages in [plain, crowded] {
        let first_line = pages[0]
            .iter()
            .find_map(|item| match item {
                Item::Text { x, y, text, .. } if text.starts_with("Fisk") => Some((*x, *y)),
                _ => None,
            })
            .expect("the recipient's name is on the first page");
        assert!((first_line.0 - mm(ADDRESS_BLOCK.left)).abs() < 0.01, "{first_line:?}");
        assert!(
            first_line.1 > mm(ADDRESS_BLOCK.top) && first_line.1 < mm(ADDRESS_BLOCK.top + 5.0),
            "{first_line:?}"
        );
        for item in &pages[0] {
            if let Item::Text { y, text, .. } = item
                && *y > mm(ADDRESS_BLOCK.top)
                && *y < mm(ADDRESS_BLOCK.top + ADDRESS_BLOCK.height)
                && text.contains("Box")
            {
                panic!("the sender's lines reach the window: {text:?} at {y}");
            }
        }
    }
}

/// The same letter gives the same bytes, so a print folder can tell a copy it already has.
#[test]
fn the_same_letter_gives_the_same_pdf() {
    let data = sample("fi", Step::Plan);
    assert_eq!(pdf_of(&data), pdf_of(&data));
}

/// A PDF/A-2b (checked by krilla's validator while writing): an output intent and the
/// archival identification in its XMP metadata, dated the letter's date.
#[test]
fn the_pdf_is_archival_pdf_a_2b() {
    let data = sample("sv", Step::Reminder);
    let pdf = pdf_of(&data);
    let doc = read_back(&pdf);
    let catalog = doc.catalog().unwrap();
    assert!(catalog.get(b"OutputIntents").is_ok(), "no output intent");
    let metadata = doc.get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap()).unwrap();
    let xmp = String::from_utf8_lossy(&metadata.as_stream().unwrap().content).into_owned();
    assert!(xmp.contains("pdfaid:part"), "{xmp}");
    let part = xmp.split("pdfaid:part").nth(1).unwrap();
    assert!(part.trim_start_matches(['>', '=', '"']).starts_with('2'), "{xmp}");
    assert!(xmp.contains("2026-11-24"), "dated the letter's date: {xmp}");
}

/// A name in a script the font lacks still gives a letter (a `?` where the glyph is missing,
/// never an invalid PDF/A), and its text copies out as written.
#[test]
fn a_character_the_font_lacks_does_not_stop_the_letter() {
    let mut data = sample("en", Step::Reminder);
    data.customer.name = "王 Trading Ltd".into();
    let text = extracted(&read_back(&pdf_of(&data)));
    assert!(text.contains("Trading Ltd"), "{text}");
}

/// Every glyph either font maps, in lines of text on pages of their own, bold and regular:
/// subset and written without error. What [`check_letter_pdf`]'s fast path rests on: no
/// subset of the two fonts can fail.
#[test]
fn every_glyph_of_both_fonts_makes_a_pdf() {
    let fonts = Fonts::load().unwrap();
    let mut pages = Vec::new();
    for bold in [false, true] {
        let chars: Vec<char> = FontRef::new(if bold { BOLD } else { REGULAR })
            .unwrap()
            .charmap()
            .mappings()
            .filter_map(|(c, _)| char::from_u32(c))
            .filter(|c| !c.is_control())
            .collect();
        assert!(chars.len() > 2000, "{} characters", chars.len());
        for page in chars.chunks(40 * 60) {
            let items = page
                .chunks(60)
                .enumerate()
                .map(|(row, line)| Item::Text {
                    x: 20.0,
                    y: 20.0 + 12.0 * row as f32,
                    size: 8.0,
                    bold,
                    color: (0, 0, 0),
                    text: line.iter().collect(),
                })
                .collect();
            pages.push(items);
        }
    }
    let letter = html::Letter { title: "every glyph".into(), language: "sv".into(), ..Default::default() };
    assert!(surely_drawn(&letter, &pages, &fonts));
    let date = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let pdf = draw(&letter, &pages, &fonts, date).expect("every glyph is written");
    assert!(read_back(&pdf).get_pages().len() >= 2);
}

/// Letters that cannot be PDF/A strings (a title, or one line of the address, over 32,767
/// bytes): the check fails as making the PDF does, having drawn them to find out; an ordinary
/// letter takes the fast path in every language and step.
#[test]
fn the_check_fails_where_making_the_pdf_fails_and_skips_drawing_only_ordinary_letters() {
    let data = sample("sv", Step::Reminder);
    let html = letter_html(&data);
    let mut broken = vec![html.replacen("<title>", &format!("<title>{}", "x".repeat(40_000)), 1)];
    for name in [format!("a{}", "\u{301}".repeat(20_000)), format!("a{}", "\u{200b}".repeat(20_000))] {
        let mut data = data.clone();
        data.customer.name = name;
        broken.push(letter_html(&data));
    }
    let fonts = Fonts::load().unwrap();
    for html in &broken {
        let made = letter_pdf(html, data.as_of).map(drop).map_err(|e| e.to_string());
        assert!(made.as_ref().is_err_and(|e| e.contains("TooLongString")), "{made:?}");
        assert_eq!(check_letter_pdf(html, data.as_of).map_err(|e| e.to_string()), made);
        let letter = html::read(html);
        assert!(!surely_drawn(&letter, &layout(&letter, &fonts), &fonts));
    }
    for language in LANGUAGES {
        for step in Step::ALL {
            let html = letter_html(&sample(language, step));
            let letter = html::read(&html);
            assert!(surely_drawn(&letter, &layout(&letter, &fonts), &fonts), "{language} {step}");
            assert!(check_letter_pdf(&html, data.as_of).is_ok());
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
    /// Whatever the customer is called (long, accents only, zero-width, private-use, astral,
    /// control characters): the check passes exactly when the PDF is made.
    #[test]
    fn the_check_passes_exactly_when_the_pdf_is_made(
        pieces in proptest::collection::vec(
            (proptest::sample::select(vec!["a", "\u{301}", "\u{200b}", "\u{e000}", "\u{1f600}", "\u{0}", "Ø", " ", "&"]), 1usize..2_500),
            1..4,
        )
    ) {
        let mut data = sample("sv", Step::Reminder);
        data.customer.name = pieces.iter().map(|(piece, n)| piece.repeat(*n)).collect();
        let html = letter_html(&data);
        let made = letter_pdf(&html, data.as_of).map(drop).map_err(|e| e.to_string());
        proptest::prop_assert_eq!(check_letter_pdf(&html, data.as_of).map_err(|e| e.to_string()), made);
    }
}
