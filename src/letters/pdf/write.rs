//! A laid-out letter written as PDF/A-2b (ISO 19005-2, conformance level B), with
//! `pdf-writer` for the syntax. What PDF/A-2b asks of a file like this one, and where it is met:
//! - every font embedded, with widths that agree with its program and no `.notdef` shown
//!   ([`super::face`]: a TrueType subset as a CID font, Identity-H, its widths from the same
//!   `hmtx` it carries; [`super::face::Face::glyph`] never gives glyph 0);
//! - colour device-dependent only with an output intent: an sRGB ICC profile
//!   (`assets/icc/`) as the `GTS_PDFA1` intent, so the `rg`/`RG` colours are sRGB;
//! - XMP metadata, unfiltered, that names the part and level (`pdfaid:part` 2,
//!   `pdfaid:conformance` B) and agrees with the document information dictionary (title,
//!   creator tool, creation and modification dates);
//! - a file identifier in the trailer, a binary comment after the header (`pdf-writer`);
//! - no string longer than 32,767 bytes: text is shown in pieces of [`GLYPHS_SHOWN_AT_ONCE`]
//!   glyphs, and the title and language are cut to [`LONGEST_TEXT`] characters;
//! - no transparency, encryption, annotations, actions, JavaScript or embedded files.

use std::hash::Hash as _;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike as _, NaiveDate};
use pdf_writer::types::OutputIntentSubtype;
use pdf_writer::{Chunk, Content, Filter, Finish as _, Name, Pdf, Rect, Ref, Str, TextStr};
use xmp_writer::{LangId, RenditionClass, XmpWriter};

use super::face::{Subset, deflate};
use super::html::Letter;
use super::{Fonts, Item, PAGE_HEIGHT, PAGE_WIDTH, PdfError};

/// The objects every letter has at the same numbers: the regular face's five, the bold
/// face's five (so their subsets' bytes are made once and copied), the colour profile, and
/// the document's own. Pages follow, two objects each (the page, its content).
pub(super) const REGULAR_FONT: Ref = Ref::new(1);
pub(super) const BOLD_FONT: Ref = Ref::new(6);
const PROFILE: Ref = Ref::new(11);
const CATALOG: Ref = Ref::new(12);
const PAGE_TREE: Ref = Ref::new(13);
const INFO: Ref = Ref::new(14);
const METADATA: Ref = Ref::new(15);
const FIRST_PAGE: i32 = 16;

/// Glyphs shown by one text operator, at most: two bytes each keeps every string far under
/// PDF/A's 32,767 bytes.
const GLYPHS_SHOWN_AT_ONCE: usize = 8_000;
/// Characters of the title and the language kept, at most: four bytes each (UTF-16, a
/// surrogate pair) stays under PDF/A's 32,767-byte strings.
const LONGEST_TEXT: usize = 8_000;

/// The font subsets a letter embeds, for the faces it uses.
pub(super) struct Subsets {
    regular: Option<Arc<Subset>>,
    bold: Option<Arc<Subset>>,
}

impl Subsets {
    fn of(&self, bold: bool) -> Option<&Subset> {
        if bold { self.bold.as_deref() } else { self.regular.as_deref() }
    }
}

/// The subsets that hold every glyph the pages show: what can fail in making a letter's PDF.
pub(super) fn subsets(pages: &[Vec<Item>], fonts: &Fonts) -> Result<Subsets, PdfError> {
    let mut used = [false, false];
    let mut uncommon: [Vec<u16>; 2] = [Vec::new(), Vec::new()];
    for item in pages.iter().flatten() {
        if let Item::Text { bold, text, .. } = item {
            let face = fonts.face(*bold);
            used[usize::from(*bold)] = true;
            for c in text.chars() {
                let glyph = face.glyph(c);
                if !face.is_common(glyph) {
                    uncommon[usize::from(*bold)].push(glyph);
                }
            }
        }
    }
    let mut subset = |bold: bool| {
        let glyphs = &mut uncommon[usize::from(bold)];
        glyphs.sort_unstable();
        glyphs.dedup();
        used[usize::from(bold)].then(|| fonts.face(bold).subset(glyphs)).transpose()
    };
    Ok(Subsets { regular: subset(false)?, bold: subset(true)? })
}

/// The font resource name a face is shown with.
fn font_name(bold: bool) -> Name<'static> {
    if bold { Name(b"B") } else { Name(b"R") }
}

/// The PDF of the laid-out `pages`, whose glyphs `subsets` hold.
pub(super) fn pdf(
    letter: &Letter,
    pages: &[Vec<Item>],
    fonts: &Fonts,
    subsets: &Subsets,
    date: NaiveDate,
) -> Vec<u8> {
    let mut pdf = Pdf::with_capacity(96 * 1024);
    for subset in [&subsets.regular, &subsets.bold].into_iter().flatten() {
        pdf.extend(&subset.objects);
    }
    pdf.extend(colour_profile());
    let letters_own = pdf.len();

    let page_refs: Vec<(Ref, Ref)> = (0..pages.len())
        .map(|n| {
            let first = FIRST_PAGE.saturating_add(i32::try_from(n * 2).unwrap_or(i32::MAX - 2));
            (Ref::new(first), Ref::new(first + 1))
        })
        .collect();
    pdf.pages(PAGE_TREE)
        .kids(page_refs.iter().map(|&(page, _)| page))
        .count(i32::try_from(pages.len()).unwrap_or(i32::MAX));
    let mut shown = Vec::new();
    for (items, &(page_ref, content_ref)) in pages.iter().zip(&page_refs) {
        let mut page = pdf.page(page_ref);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(PAGE_TREE).contents(content_ref);
        let mut resources = page.resources();
        let mut font_dict = resources.fonts();
        if subsets.regular.is_some() {
            font_dict.pair(font_name(false), REGULAR_FONT);
        }
        if subsets.bold.is_some() {
            font_dict.pair(font_name(true), BOLD_FONT);
        }
        font_dict.finish();
        resources.finish();
        page.finish();
        let content = page_content(items, fonts, subsets, &mut shown);
        let compressed = deflate(&content, flate2::Compression::fast());
        pdf.stream(content_ref, &compressed).filter(Filter::FlateDecode);
    }

    let title = clipped(&letter.title);
    let language = clipped(&letter.language);
    let made = pdf_writer::Date::new(u16::try_from(date.year()).unwrap_or(1970).min(9999))
        .month(u8::try_from(date.month()).unwrap_or(1))
        .day(u8::try_from(date.day()).unwrap_or(1))
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    let mut info = pdf.document_info(INFO);
    if !title.is_empty() {
        info.title(TextStr(title));
    }
    info.creator(TextStr("dun")).creation_date(made).modified_date(made);
    info.finish();

    // Both identifiers from the letter's own objects so far (the fonts' follow from them): the
    // same letter has the same ones (krilla's choice for a document without an identity).
    let id = hex_hash(&pdf.as_bytes()[letters_own..]);
    let xmp = metadata(title, language, date, pages.len(), &id);
    pdf.metadata(METADATA, xmp.as_bytes());

    let mut catalog = pdf.catalog(CATALOG);
    catalog.pages(PAGE_TREE).metadata(METADATA);
    if !language.is_empty() {
        catalog.lang(TextStr(language));
    }
    catalog
        .output_intents()
        .push()
        .subtype(OutputIntentSubtype::PDFA)
        .output_condition_identifier(TextStr("Custom"))
        .output_condition(TextStr("sRGB"))
        .registry_name(TextStr(""))
        .info(TextStr("sRGB IEC61966-2.1"))
        .dest_output_profile(PROFILE);
    catalog.finish();
    pdf.set_file_id((id.as_bytes().to_vec(), id.as_bytes().to_vec()));
    pdf.finish()
}

/// The drawing operators of one page. `shown` is room for the glyphs of a text, reused.
fn page_content(items: &[Item], fonts: &Fonts, subsets: &Subsets, shown: &mut Vec<u8>) -> Vec<u8> {
    let mut content = Content::new();
    // Layout places from the top of the sheet; PDF from the bottom.
    let up = |y: f32| PAGE_HEIGHT - y;
    for item in items {
        match item {
            Item::Text { x, y, size, bold, color, text } => {
                let (face, Some(subset)) = (fonts.face(*bold), subsets.of(*bold)) else {
                    continue;
                };
                shown.clear();
                shown.extend(text.chars().flat_map(|c| subset.cid(face.glyph(c)).to_be_bytes()));
                let [r, g, b] = unit_rgb(*color);
                content.set_fill_rgb(r, g, b);
                content.begin_text();
                content.set_font(font_name(*bold), *size);
                content.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, up(*y)]);
                for piece in shown.chunks(GLYPHS_SHOWN_AT_ONCE * 2) {
                    content.show(Str(piece));
                }
                content.end_text();
            }
            Item::Rule { x1, y1, x2, y2, width, color } => {
                let [r, g, b] = unit_rgb(*color);
                content.set_stroke_rgb(r, g, b);
                content.set_line_width(*width);
                content.move_to(*x1, up(*y1));
                content.line_to(*x2, up(*y2));
                content.stroke();
            }
            Item::Fill { x, y, width, height, color } => {
                let [r, g, b] = unit_rgb(*color);
                content.set_fill_rgb(r, g, b);
                content.rect(*x, up(*y + *height), *width, *height);
                content.fill_nonzero();
            }
        }
    }
    content.finish().into_vec()
}

fn unit_rgb((r, g, b): (u8, u8, u8)) -> [f32; 3] {
    [r, g, b].map(|c| f32::from(c) / 255.0)
}

/// At most [`LONGEST_TEXT`] characters of `text`.
fn clipped(text: &str) -> &str {
    text.char_indices().nth(LONGEST_TEXT).map_or(text, |(end, _)| &text[..end])
}

/// The XMP metadata: the same title and dates as the document information dictionary, and
/// the PDF/A identification.
fn metadata(title: &str, language: &str, date: NaiveDate, pages: usize, id: &str) -> String {
    let made = xmp_writer::DateTime {
        year: u16::try_from(date.year()).unwrap_or(1970).min(9999),
        month: u8::try_from(date.month()).ok(),
        day: u8::try_from(date.day()).ok(),
        hour: Some(0),
        minute: Some(0),
        second: Some(0),
        timezone: Some(xmp_writer::Timezone::Local { hour: 0, minute: 0 }),
    };
    let mut xmp = XmpWriter::new();
    if !title.is_empty() {
        xmp.title([(None, title)]);
    }
    if !language.is_empty() {
        xmp.language([LangId(language)]);
    }
    xmp.creator_tool("dun")
        .create_date(made)
        .modify_date(made)
        .pdfa_part(2)
        .pdfa_conformance("B")
        .num_pages(u32::try_from(pages).unwrap_or(u32::MAX))
        .format("application/pdf")
        .instance_id(id)
        .document_id(id)
        .rendition_class(RenditionClass::Proof)
        .pdf_version("1.7");
    xmp.finish(None)
}

/// The sRGB profile of the output intent (CC0; `assets/icc/`), compressed once a run.
fn colour_profile() -> &'static Chunk {
    static PROFILE_OBJECT: OnceLock<Chunk> = OnceLock::new();
    PROFILE_OBJECT.get_or_init(|| {
        let compressed =
            deflate(include_bytes!("../../../assets/icc/sRGB-v4.icc"), flate2::Compression::best());
        let mut chunk = Chunk::new();
        chunk
            .icc_profile(PROFILE, &compressed)
            .n(3)
            .range([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
            .filter(Filter::FlateDecode);
        chunk
    })
}

/// 32 hexadecimal digits that change when `bytes` do.
fn hex_hash(bytes: &[u8]) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    bytes.hash(&mut hasher);
    let first = std::hash::Hasher::finish(&hasher);
    bytes.len().hash(&mut hasher);
    format!("{first:016x}{:016x}", std::hash::Hasher::finish(&hasher))
}
