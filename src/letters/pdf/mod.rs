//! Letters as PDF (SPEC section 9): every letter dun composes as HTML is also written as an A4
//! PDF, which is what print services and digital mailboxes take.
//!
//! The PDF is made from the rendered HTML letter ([`html::read`]): the same words, figures and
//! labels, from the same templates and the same model, so the two can never disagree. It is
//! laid out here in the same places as the HTML's print style sheet — the address block at the
//! window-envelope position of [`crate::letters::layout::ADDRESS_BLOCK`] — with an embedded,
//! subsetted font (Liberation Sans, `assets/fonts/`), so that it prints the same anywhere, and
//! its text can be selected and searched. A long invoice table continues on the next page,
//! under its header row.

pub mod html;
mod place;

use chrono::{Datelike as _, NaiveDate};
use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::DateTime;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

pub use place::{Item, PAGE_HEIGHT, PAGE_WIDTH, layout};

/// The regular and bold faces every PDF letter is set in (SIL Open Font License 1.1; see
/// `assets/fonts/SOURCES.md`). Embedded in the binary so a letter looks the same on every
/// machine; only the glyphs a letter uses go into its PDF.
static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/LiberationSans-Bold.ttf");

/// A rendered letter that could not be made into a PDF.
#[derive(Debug, thiserror::Error)]
#[error("the letter cannot be written as PDF: {0}")]
pub struct PdfError(String);

/// The PDF of a rendered letter (`letter.html`) dated `date` (the letter's date, so that the
/// same letter always gives the same bytes). It is a PDF/A-2b: the archival form, checked by
/// krilla's validator as it is written, that digital mailboxes and archives keep.
pub fn letter_pdf(html: &str, date: NaiveDate) -> Result<Vec<u8>, PdfError> {
    let fonts = Fonts::get()?;
    let letter = html::read(html);
    let pages = layout(&letter, fonts);
    draw(&letter, &pages, fonts, date)
}

/// What [`letter_pdf`] would say of this letter, without making the PDF where nothing about
/// the letter can make it fail: for a dry run, which writes no PDF but must fail where the
/// real run fails (issue #14: drawing, subsetting and compressing are ~70 % of a letter).
///
/// Why the fast path is sound: the document's configuration is fixed (PDF/A-2b, RGB colours,
/// two embedded fonts, no images, no transparency groups, no embedded files, a creation
/// date), and the letter only decides the text, where it goes and the metadata strings. Of
/// the rules krilla's PDF/A-2b validator enforces, those that text and places can break are:
/// - a string over 32,767 bytes (`TooLongString`): the title, the language, a line of text
///   shown, or its ActualText, at most 4 bytes a character (UTF-16, two per surrogate pair);
/// - the `.notdef` glyph shown (`ContainsNotDefGlyph`);
/// - over 8,388,607 objects (`TooManyIndirectObjects`), a few a page.
///
/// Coordinates stay on the A4 page, so no number is too large for PDF/A-2 (nor would one be
/// refused: `TooLargeFloat` is allowed). Names, nesting depth, the licence and the colour
/// profile come from dun, not from the letter. The fonts are subset per letter; every glyph
/// of both fonts is subset and written in `every_glyph_of_both_fonts_makes_a_pdf`. A letter
/// within [`surely_drawn`]'s bounds is therefore made without error; any other is drawn here
/// to find out (and that PDF dropped).
pub fn check_letter_pdf(html: &str, date: NaiveDate) -> Result<(), PdfError> {
    let fonts = Fonts::get()?;
    let letter = html::read(html);
    let pages = layout(&letter, fonts);
    if surely_drawn(&letter, &pages, fonts) {
        return Ok(());
    }
    draw(&letter, &pages, fonts, date).map(drop)
}

/// Characters in any one PDF string a letter makes, at most, for [`check_letter_pdf`]'s fast
/// path: 4 bytes each stays under PDF/A's 32,767-byte strings.
const SURE_CHARS: usize = 8_000;
/// Pages a letter has, at most, for the fast path: far under PDF/A's 8,388,607 objects.
const SURE_PAGES: usize = 10_000;

/// Whether drawing these pages cannot fail (see [`check_letter_pdf`]).
fn surely_drawn(letter: &html::Letter, pages: &[Vec<Item>], fonts: &Fonts) -> bool {
    let short = |text: &str| text.len() <= SURE_CHARS || text.chars().count() <= SURE_CHARS;
    pages.len() <= SURE_PAGES
        && short(&letter.title)
        && short(&letter.language)
        && pages.iter().flatten().all(|item| match item {
            Item::Text { bold, text, .. } => {
                let face = fonts.face(*bold);
                short(text) && text.chars().all(|c| face.glyph(c).to_u32() != 0)
            }
            Item::Rule { .. } | Item::Fill { .. } => true,
        })
}

/// One face: what krilla embeds, and the character map and advance widths to lay text out.
struct Face {
    font: Font,
    charmap: skrifa::charmap::Charmap<'static>,
    metrics: skrifa::metrics::GlyphMetrics<'static>,
    units_per_em: f32,
    /// The glyph drawn for a character the font lacks (a space for unusual spaces).
    space: skrifa::GlyphId,
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Face, PdfError> {
        let bad = || PdfError("the embedded font cannot be read".to_owned());
        let font = Font::new(data.into(), 0).ok_or_else(bad)?;
        let font_ref = FontRef::new(data).map_err(|_| bad())?;
        let charmap = font_ref.charmap();
        let space = charmap.map(' ').ok_or_else(bad)?;
        Ok(Face {
            font,
            charmap,
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em: f32::from(font_ref.metrics(Size::unscaled(), LocationRef::default()).units_per_em),
            space,
        })
    }

    fn glyph(&self, c: char) -> skrifa::GlyphId {
        match self.charmap.map(c) {
            Some(glyph) => glyph,
            None if c.is_whitespace() => self.space,
            None => self.charmap.map('?').unwrap_or(self.space),
        }
    }

    /// The advance of a glyph, in ems.
    fn advance(&self, glyph: skrifa::GlyphId) -> f32 {
        self.metrics.advance_width(glyph).unwrap_or(0.0) / self.units_per_em
    }
}

/// The letter's two faces.
pub struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    fn load() -> Result<Fonts, PdfError> {
        Ok(Fonts { regular: Face::load(REGULAR)?, bold: Face::load(BOLD)? })
    }

    /// The two faces, read once a run (issue #14): every letter is set in the same fonts, and
    /// each PDF still embeds its own subset of them.
    fn get() -> Result<&'static Fonts, PdfError> {
        static FONTS: std::sync::OnceLock<Result<Fonts, PdfError>> = std::sync::OnceLock::new();
        FONTS.get_or_init(Fonts::load).as_ref().map_err(|e| PdfError(e.0.clone()))
    }

    fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }

    /// How wide `text` is set at `size` points.
    pub fn width(&self, text: &str, bold: bool, size: f32) -> f32 {
        let face = self.face(bold);
        text.chars().map(|c| face.advance(face.glyph(c))).sum::<f32>() * size
    }
}

fn color((r, g, b): (u8, u8, u8)) -> krilla::paint::Paint {
    rgb::Color::new(r, g, b).into()
}

/// Draws the laid-out pages with krilla.
fn draw(
    letter: &html::Letter,
    pages: &[Vec<Item>],
    fonts: &Fonts,
    date: NaiveDate,
) -> Result<Vec<u8>, PdfError> {
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_B)
        .finish()
        .map_err(|e| PdfError(format!("{e:?}")))?;
    let mut document =
        Document::new_with(SerializeSettings { configuration, ..SerializeSettings::default() });
    let day = DateTime::new(u16::try_from(date.year()).unwrap_or(1970))
        .month(u8::try_from(date.month()).unwrap_or(1))
        .day(u8::try_from(date.day()).unwrap_or(1));
    let mut metadata = Metadata::new().creator("dun".to_owned()).creation_date(day);
    if !letter.title.is_empty() {
        metadata = metadata.title(letter.title.clone());
    }
    if !letter.language.is_empty() {
        metadata = metadata.language(letter.language.clone());
    }
    document.set_metadata(metadata);
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| PdfError("the page size is not valid".to_owned()))?;
    for items in pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for item in items {
            match item {
                Item::Text { x, y, size, bold, color: rgb, text } => {
                    let face = fonts.face(*bold);
                    let glyphs: Vec<KrillaGlyph> = text
                        .char_indices()
                        .map(|(at, c)| {
                            let glyph = face.glyph(c);
                            KrillaGlyph {
                                glyph_id: GlyphId::new(glyph.to_u32()),
                                text_range: at..at + c.len_utf8(),
                                x_advance: face.advance(glyph),
                                x_offset: 0.0,
                                y_offset: 0.0,
                                y_advance: 0.0,
                                location: None,
                            }
                        })
                        .collect();
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill {
                        paint: color(*rgb),
                        opacity: NormalizedF32::ONE,
                        rule: Default::default(),
                    }));
                    surface.draw_glyphs(
                        Point::from_xy(*x, *y),
                        &glyphs,
                        face.font.clone(),
                        text,
                        *size,
                        false,
                    );
                }
                Item::Rule { x1, y1, x2, y2, width, color: rgb } => {
                    let mut path = PathBuilder::new();
                    path.move_to(*x1, *y1);
                    path.line_to(*x2, *y2);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: color(*rgb),
                            width: *width,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Item::Fill { x, y, width, height, color: rgb } => {
                    let mut path = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill {
                            paint: color(*rgb),
                            opacity: NormalizedF32::ONE,
                            rule: Default::default(),
                        }));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

#[cfg(test)]
mod tests;
