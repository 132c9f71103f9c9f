use super::place::mm;
use super::*;
use crate::letters::layout::{ADDRESS_BLOCK, PAGE_MARGINS_MM};
use crate::letters::tests::{letters, render, sample};
use crate::letters::{Channel, LANGUAGES, LetterData, Step};
use skrifa::{FontRef, MetadataProvider as _};

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

/// The PDF/A-2b rules [`write`] names, read back by an independent reader: an sRGB output
/// intent, unfiltered XMP metadata that identifies part 2 level B and agrees with the document
/// information dictionary, the letter's date, a file identifier and a binary header comment.
#[test]
fn the_pdf_is_archival_pdf_a_2b() {
    let data = sample("sv", Step::Reminder);
    let pdf = pdf_of(&data);
    assert!(pdf.starts_with(b"%PDF-1.7\n%"), "{:?}", &pdf[..12]);
    assert!(pdf[10..14].iter().all(|&b| b > 127), "binary comment: {:?}", &pdf[..16]);
    let doc = read_back(&pdf);
    let catalog = doc.catalog().unwrap();
    let intents = catalog.get(b"OutputIntents").unwrap().as_array().unwrap();
    assert_eq!(intents.len(), 1);
    let intent = intents[0].as_dict().unwrap();
    assert_eq!(intent.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFA1");
    let profile = doc.get_object(intent.get(b"DestOutputProfile").unwrap().as_reference().unwrap());
    let mut profile = profile.unwrap().as_stream().unwrap().clone();
    assert_eq!(profile.dict.get(b"N").unwrap().as_i64().unwrap(), 3);
    profile.decompress().unwrap();
    assert_eq!(&profile.content[36..40], b"acsp", "an ICC profile");
    assert_eq!(&profile.content[16..20], b"RGB ", "of RGB colours");

    let metadata = doc.get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap()).unwrap();
    let metadata = metadata.as_stream().unwrap();
    assert!(metadata.dict.get(b"Filter").is_err(), "PDF/A: the metadata stream is not filtered");
    let xmp = String::from_utf8(metadata.content.clone()).unwrap();
    assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), "{xmp}");
    assert!(xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "{xmp}");
    assert!(xmp.contains("<xmp:CreateDate>2026-11-24T00:00:00+00:00</xmp:CreateDate>"), "{xmp}");
    assert!(xmp.contains("<xmp:CreatorTool>dun</xmp:CreatorTool>"), "{xmp}");

    let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info).unwrap();
    let title = html::read(&letter_html(&data)).title;
    assert!(!title.is_empty());
    let info_title = lopdf::decode_text_string(info.get(b"Title").unwrap()).unwrap();
    assert_eq!(info_title, title);
    assert!(!title.contains(['&', '<', '>']) && xmp.contains(&format!(">{title}</rdf:li>")), "{xmp}");
    let created = info.get(b"CreationDate").unwrap().as_str().unwrap();
    assert!(created.starts_with(b"D:20261124000000"), "{}", String::from_utf8_lossy(created));
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"sv");
    let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    assert_eq!(id.len(), 2);
}

/// Every embedded font agrees with itself as PDF/A asks: the widths the font dictionary
/// gives are the advances of its embedded program, every glyph shown is in the program and
/// none is `.notdef`, and every one copies out as a character.
#[test]
fn the_fonts_widths_and_glyphs_agree_with_the_embedded_programs() {
    let mut data = sample("fi", Step::Reminder);
    data.customer.name = "Łukasz Wrześniewski Őrség 王".into();
    let doc = read_back(&pdf_of(&data));
    let mut fonts_checked = 0;
    for (_, page) in doc.get_pages() {
        let fonts = doc.get_page_fonts(page).unwrap();
        for (name, font) in fonts {
            let descendant = font.get(b"DescendantFonts").unwrap().as_array().unwrap()[0].clone();
            let cid_font = doc.get_dictionary(descendant.as_reference().unwrap()).unwrap();
            assert_eq!(cid_font.get(b"CIDToGIDMap").unwrap().as_name().unwrap(), b"Identity");
            let descriptor =
                doc.get_dictionary(cid_font.get(b"FontDescriptor").unwrap().as_reference().unwrap());
            let program = descriptor.unwrap().get(b"FontFile2").unwrap().as_reference().unwrap();
            let mut program = doc.get_object(program).unwrap().as_stream().unwrap().clone();
            program.decompress().unwrap();
            let embedded = skrifa::FontRef::new(&program.content).unwrap();
            let upem = f32::from(
                embedded
                    .metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default())
                    .units_per_em,
            );
            let advances = embedded
                .glyph_metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default());
            let glyph_count = embedded
                .metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default())
                .glyph_count;
            // W: [first [w1 w2 ...]] as written.
            let widths = cid_font.get(b"W").unwrap().as_array().unwrap();
            let mut width_of = std::collections::HashMap::new();
            for pair in widths.chunks(2) {
                let first = pair[0].as_i64().unwrap();
                for (n, w) in pair[1].as_array().unwrap().iter().enumerate() {
                    width_of.insert(first + n as i64, w.as_float().unwrap());
                }
            }
            for (&cid, &width) in &width_of {
                let advance =
                    advances.advance_width(skrifa::GlyphId::new(cid as u32)).unwrap() / upem * 1000.0;
                assert!((advance - width).abs() < 0.01, "{name:?} CID {cid}: W {width}, program {advance}");
            }
            // Every glyph the page shows in this font.
            let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
            let mut current = Vec::new();
            for op in &content.operations {
                match op.operator.as_str() {
                    "Tf" => current = op.operands[0].as_name().unwrap().to_vec(),
                    "Tj" if current == name => {
                        for cid in op.operands[0].as_str().unwrap().chunks(2) {
                            let cid = i64::from(u16::from_be_bytes([cid[0], cid[1]]));
                            assert!(cid != 0 && cid < i64::from(glyph_count), "{name:?} shows CID {cid}");
                            assert!(width_of.contains_key(&cid), "{name:?}: CID {cid} has no width");
                        }
                    }
                    _ => {}
                }
            }
            fonts_checked += 1;
        }
    }
    assert!(fonts_checked >= 2, "{fonts_checked}");
    let text = extracted(&doc);
    assert!(text.contains("Łukasz Wrześniewski Őrség ?"), "{text}");
}

/// Letters in the common characters embed the same subset, made once; a letter with others
/// embeds a larger one that holds them too.
#[test]
fn letters_share_the_common_subset_and_uncommon_characters_add_to_it() {
    let font_programs = |pdf: &[u8]| -> Vec<Vec<u8>> {
        let doc = read_back(pdf);
        let mut programs: Vec<Vec<u8>> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter_map(|d| d.get(b"FontFile2").ok())
            .map(|r| doc.get_object(r.as_reference().unwrap()).unwrap().as_stream().unwrap().content.clone())
            .collect();
        programs.sort();
        programs
    };
    let plain = font_programs(&pdf_of(&sample("sv", Step::Reminder)));
    let mut other = sample("sv", Step::Reminder);
    other.customer.name = "Åkerlunds Smörgåsar AB".into();
    other.customer.address_lines = vec!["Storgatan 1".into(), "111 22 Stockholm".into()];
    assert_eq!(font_programs(&pdf_of(&other)), plain, "the same common subset");
    other.customer.name = "Łukasz Ćwikła".into();
    let uncommon = font_programs(&pdf_of(&other));
    assert_ne!(uncommon, plain);
    let sizes = |programs: &[Vec<u8>]| programs.iter().map(Vec::len).sum::<usize>();
    assert!(sizes(&uncommon) > sizes(&plain), "{} vs {}", sizes(&uncommon), sizes(&plain));
    let text = extracted(&read_back(&pdf_of(&other)));
    assert!(text.contains("Łukasz Ćwikła"), "{text}");
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
/// subset and written without error, so that no letter's characters can make a subset fail.
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
    let date = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let subsets = write::subsets(&pages, &fonts).expect("every glyph is subset");
    let pdf = write::pdf(&letter, &pages, &fonts, &subsets, date);
    let doc = read_back(&pdf);
    assert!(doc.get_pages().len() >= 2);
    let text = extracted(&doc);
    for c in ['Ł', 'ő', 'Ŧ', 'ŋ', '€'] {
        assert!(text.contains(c), "{c} not in the text");
    }
}

/// Every string the PDF holds, with its length in bytes.
fn strings(doc: &lopdf::Document) -> Vec<usize> {
    fn walk(object: &lopdf::Object, out: &mut Vec<usize>) {
        match object {
            lopdf::Object::String(bytes, _) => out.push(bytes.len()),
            lopdf::Object::Array(items) => items.iter().for_each(|item| walk(item, out)),
            lopdf::Object::Dictionary(dict) => dict.iter().for_each(|(_, item)| walk(item, out)),
            lopdf::Object::Stream(stream) => stream.dict.iter().for_each(|(_, item)| walk(item, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for object in doc.objects.values() {
        walk(object, &mut out);
    }
    for (_, page) in doc.get_pages() {
        let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
        for op in &content.operations {
            op.operands.iter().for_each(|operand| walk(operand, &mut out));
        }
    }
    out
}

/// Text longer than PDF/A's strings (a 40,000-character title; 20,000 combining accents in the
/// name, which take no width and so stay on one line): the letter is still made, every string
/// within 32,767 bytes, all of the name shown (the accents in pieces of 8,000 glyphs); the
/// check agrees.
#[test]
fn text_of_any_length_is_written_in_strings_pdf_a_allows() {
    let data = sample("sv", Step::Reminder);
    let html = letter_html(&data);
    let title = html.replacen("<title>", &format!("<title>{}", "x".repeat(40_000)), 1);
    let mut accented = data.clone();
    accented.customer.name = format!("a{}", "\u{301}".repeat(20_000));
    for (html, longest) in [(title, 8_000), (letter_html(&accented), 16_000)] {
        let pdf = letter_pdf(&html, data.as_of).expect("made");
        assert!(check_letter_pdf(&html).is_ok());
        let doc = read_back(&pdf);
        assert_eq!(strings(&doc).into_iter().max(), Some(longest));
        if longest == 16_000 {
            assert!(extracted(&doc).matches('\u{301}').count() >= 20_000);
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
    /// Whatever the customer is called (long, accents only, zero-width, private-use, astral,
    /// control characters): the PDF is made, and the check says so.
    #[test]
    fn any_name_makes_a_pdf_and_the_check_agrees(
        pieces in proptest::collection::vec(
            (proptest::sample::select(vec!["a", "\u{301}", "\u{200b}", "\u{e000}", "\u{1f600}", "\u{0}", "Ø", " ", "&", "Ł"]), 1usize..2_500),
            1..4,
        )
    ) {
        let mut data = sample("sv", Step::Reminder);
        data.customer.name = pieces.iter().map(|(piece, n)| piece.repeat(*n)).collect();
        let html = letter_html(&data);
        let pdf = letter_pdf(&html, data.as_of);
        proptest::prop_assert!(pdf.as_ref().is_ok_and(|pdf| !read_back(pdf).get_pages().is_empty()));
        proptest::prop_assert!(check_letter_pdf(&html).is_ok());
    }
}

/// The encoders [`face::deflate`] keeps for reuse write what a new one writes, whatever they
/// compressed before (at either level, on several threads at once), and it reads back.
#[test]
fn a_reused_encoder_writes_the_bytes_of_a_new_one() {
    use std::io::Read as _;
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"BT /F1 10 Tf 56.7 780 Td (Inkassovarsel) Tj ET\n".repeat(300),
        (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect(),
        b"q 0 0 1 rg Q".to_vec(),
    ];
    let levels = [flate2::Compression::fast(), flate2::Compression::best()];
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                for round in 0..4 {
                    for (i, data) in inputs.iter().enumerate() {
                        let level = levels[(i + round) % 2];
                        let reused = face::deflate(data, level);
                        let new = face::deflate_with(&mut flate2::Compress::new(level, true), data);
                        assert_eq!(Some(&reused), new.as_ref(), "input {i}, round {round}");
                        let mut back = Vec::new();
                        flate2::read::ZlibDecoder::new(&reused[..]).read_to_end(&mut back).unwrap();
                        assert_eq!(&back, data);
                    }
                }
            });
        }
    });
}
