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

mod face;
pub mod html;
mod place;
mod unhint;
mod write;

use chrono::NaiveDate;

use face::Face;
pub use place::{Item, PAGE_HEIGHT, PAGE_WIDTH, layout};

/// The regular and bold faces every PDF letter is set in (SIL Open Font License 1.1; see
/// `assets/fonts/SOURCES.md`). Embedded in the binary so a letter looks the same on every
/// machine; only a subset of their glyphs goes into a PDF ([`face`]).
static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/LiberationSans-Bold.ttf");

/// A rendered letter that could not be made into a PDF.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the letter cannot be written as PDF: {0}")]
pub struct PdfError(String);

/// The PDF of a rendered letter (`letter.html`) dated `date` (the letter's date, so that the
/// same letter always gives the same bytes). It is a PDF/A-2b: the archival form that digital
/// mailboxes and archives keep ([`write`] says how each of its rules is met).
pub fn letter_pdf(html: &str, date: NaiveDate) -> Result<Vec<u8>, PdfError> {
    let Prepared { fonts, letter, pages, subsets } = prepared(html)?;
    Ok(write::pdf(&letter, &pages, fonts, &subsets, date))
}

/// What [`letter_pdf`] would say of this letter, without writing the PDF: for a dry run,
/// which writes no PDF but must fail where the real run fails. Only the fonts can fail (read,
/// or subset for the letter's characters); once they are, writing the PDF cannot: every
/// character has a glyph other than `.notdef`, and text is shown in strings short enough for
/// PDF/A whatever its length.
pub fn check_letter_pdf(html: &str) -> Result<(), PdfError> {
    prepared(html).map(drop)
}

/// A letter read from its HTML, laid out, with the font subsets that hold its glyphs.
struct Prepared {
    fonts: &'static Fonts,
    letter: html::Letter,
    pages: Vec<Vec<Item>>,
    subsets: write::Subsets,
}

/// [`Prepared`]: all that can fail in making a letter's PDF.
fn prepared(html: &str) -> Result<Prepared, PdfError> {
    let fonts = Fonts::get()?;
    let letter = html::read(html);
    let pages = layout(&letter, fonts);
    let subsets = write::subsets(&pages, fonts)?;
    Ok(Prepared { fonts, letter, pages, subsets })
}

/// The letter's two faces.
pub struct Fonts {
    regular: Face,
    bold: Face,
}

impl Fonts {
    fn load() -> Result<Fonts, PdfError> {
        Ok(Fonts {
            regular: Face::load(REGULAR, write::REGULAR_FONT)?,
            bold: Face::load(BOLD, write::BOLD_FONT)?,
        })
    }

    /// The two faces, read once a run (issue #14): every letter is set in the same fonts.
    fn get() -> Result<&'static Fonts, PdfError> {
        static FONTS: std::sync::OnceLock<Result<Fonts, PdfError>> = std::sync::OnceLock::new();
        FONTS.get_or_init(Fonts::load).as_ref().map_err(Clone::clone)
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

#[cfg(test)]
mod tests;
