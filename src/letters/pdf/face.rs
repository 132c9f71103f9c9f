//! The two faces a PDF letter is set in, and the font subsets its PDF embeds.
//!
//! Subsetting a face and compressing the subset took two thirds of a letter's time when every
//! letter made its own (issue #14: ~1.2 ms a face at deflate's level 6, for 60 glyphs). Letters
//! use nearly the same glyphs, so each face has one subset made once a run: the *common*
//! glyphs (ASCII, the Nordic letters, the typographic marks the templates and the number
//! formats use). A letter whose text needs only those embeds it; one that needs others
//! (a customer called Łukasz) embeds the common glyphs and its own others, a subset kept for
//! the next letter that needs the same. Either way the subset a letter embeds depends on that
//! letter's text alone, so the same letter always gives the same bytes.

use std::collections::HashMap;
use std::hash::Hash as _;
use std::sync::{Arc, Mutex, OnceLock};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Chunk, Filter, Finish as _, Name, Rect, Ref, Str};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider as _;
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider as _};

use super::PdfError;

/// The characters every letter's subset holds: printable ASCII, the letters of the Nordic
/// languages (and of Finnish loanwords), the spaces and marks the templates and the number
/// formats use.
const COMMON: &str = "ÅÄÖåäöÆØæøÉéÜüÕõŠšŽžÁáÓóÍíÚú\u{a0}–—‘’‚“”„«»•…€§°×";

/// Subsets made for letters with uncommon characters, kept at most, per face: a run writing to
/// customers in many scripts makes the rest again for each letter instead of growing.
const KEPT_SUBSETS: usize = 256;

/// Characters whose glyphs a face keeps at hand: Latin-1 and Latin Extended-A and -B.
const LOOKED_UP: u32 = 0x250;

/// PDF glyph widths are in thousandths of an em.
const PDF_UNITS: f32 = 1000.0;

/// One face: its character map and advance widths to lay text out, and its subsets to embed.
pub(super) struct Face {
    data: &'static [u8],
    charmap: skrifa::charmap::Charmap<'static>,
    /// The glyph of each character below [`LOOKED_UP`], looked up once: a letter looks up
    /// every character several times (its width while lines are broken, then its glyph).
    latin: Vec<u16>,
    /// Each glyph's advance, in ems, by glyph id.
    advances: Vec<f32>,
    /// The glyph drawn for a character the font lacks (a space for unusual spaces).
    space: u16,
    /// The glyph drawn for any other character the font lacks.
    unknown: u16,
    /// The character each glyph stands for when text is copied out (the lowest code point the
    /// font maps to it), by glyph id; `None` for glyphs no character maps to.
    chars: Vec<Option<char>>,
    /// Whether a glyph is in the common subset, by glyph id.
    common_glyphs: Vec<bool>,
    described: Described,
    /// The number of the first of the five objects every subset of this face is written as.
    first: Ref,
    common: OnceLock<Result<Arc<Subset>, PdfError>>,
    others: Mutex<HashMap<Vec<u16>, Arc<Subset>>>,
}

/// What a PDF font descriptor says of the face, in PDF units.
struct Described {
    postscript_name: String,
    bbox: Rect,
    italic_angle: f32,
    ascent: f32,
    descent: f32,
    cap_height: f32,
    stem_v: f32,
}

/// A subset of a face, with the PDF objects that embed it, numbered from the face's first
/// object: the Type 0 font, its CID font, the font descriptor, the font program and the
/// ToUnicode map. Every letter that embeds this subset copies these bytes.
pub(super) struct Subset {
    /// The subset's glyph id (the CID shown) of each glyph of the face, by the face's id;
    /// 0 for glyphs the subset does not hold.
    cids: Vec<u16>,
    pub(super) objects: Chunk,
}

impl Subset {
    /// The CID that shows the face's `glyph` (which the subset holds).
    pub(super) fn cid(&self, glyph: u16) -> u16 {
        self.cids.get(usize::from(glyph)).copied().unwrap_or(0)
    }
}

fn unreadable() -> PdfError {
    PdfError("the embedded font cannot be read".to_owned())
}

impl Face {
    /// The face in `data`, its subsets written as objects `first` to `first` + 4.
    pub(super) fn load(data: &'static [u8], first: Ref) -> Result<Face, PdfError> {
        let font = FontRef::new(data).map_err(|_| unreadable())?;
        let charmap = font.charmap();
        let glyph_of = |c: char| charmap.map(c).map(|g| g.to_u32()).filter(|&g| g != 0);
        let as_u16 = |g: u32| u16::try_from(g).map_err(|_| unreadable());
        let space = as_u16(glyph_of(' ').ok_or_else(unreadable)?)?;
        let unknown = as_u16(glyph_of('?').ok_or_else(unreadable)?)?;
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let glyph_count = usize::from(metrics.glyph_count);
        let mut chars: Vec<Option<char>> = vec![None; glyph_count];
        for (code, glyph) in charmap.mappings() {
            let Some(slot) = chars.get_mut(glyph.to_u32() as usize) else { continue };
            let Some(c) = char::from_u32(code) else { continue };
            if glyph.to_u32() != 0 && !c.is_control() && slot.is_none_or(|known| c < known) {
                *slot = Some(c);
            }
        }
        let mut common_glyphs = vec![false; glyph_count];
        for c in (' '..='~').chain(COMMON.chars()) {
            if let Some(glyph) = glyph_of(c) {
                common_glyphs[glyph as usize] = true;
            }
        }
        let units_per_em = f32::from(metrics.units_per_em);
        let in_pdf_units = |v: f32| v / units_per_em * PDF_UNITS;
        let head = font.head().map_err(|_| unreadable())?;
        let described = Described {
            postscript_name: font
                .localized_strings(StringId::POSTSCRIPT_NAME)
                .english_or_first()
                .map(|name| name.chars().filter(char::is_ascii_alphanumeric).take(100).collect())
                .unwrap_or_else(|| "Font".to_owned()),
            bbox: Rect::new(
                in_pdf_units(f32::from(head.x_min())),
                in_pdf_units(f32::from(head.y_min())),
                in_pdf_units(f32::from(head.x_max())),
                in_pdf_units(f32::from(head.y_max())),
            ),
            italic_angle: metrics.italic_angle,
            ascent: in_pdf_units(metrics.ascent),
            descent: in_pdf_units(metrics.descent),
            cap_height: in_pdf_units(metrics.cap_height.unwrap_or(metrics.ascent)),
            stem_v: 10.0 + 0.244 * (font.attributes().weight.value() - 50.0),
        };
        let glyph_metrics = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        let advances = (0..glyph_count)
            .map(|g| {
                let glyph = skrifa::GlyphId::new(u32::try_from(g).unwrap_or(0));
                glyph_metrics.advance_width(glyph).unwrap_or(0.0) / units_per_em
            })
            .collect();
        let mut face = Face {
            data,
            charmap,
            latin: Vec::new(),
            advances,
            space,
            unknown,
            chars,
            common_glyphs,
            described,
            first,
            common: OnceLock::new(),
            others: Mutex::new(HashMap::new()),
        };
        face.latin = (0..LOOKED_UP).map(|c| char::from_u32(c).map_or(unknown, |c| face.look_up(c))).collect();
        Ok(face)
    }

    /// The glyph `c` is drawn with: never `.notdef`, which PDF/A forbids showing.
    pub(super) fn glyph(&self, c: char) -> u16 {
        match self.latin.get(c as usize) {
            Some(&glyph) => glyph,
            None => self.look_up(c),
        }
    }

    fn look_up(&self, c: char) -> u16 {
        match self.charmap.map(c).map(|g| g.to_u32()).filter(|&g| g != 0) {
            Some(glyph) => u16::try_from(glyph).unwrap_or(self.unknown),
            None if c.is_whitespace() => self.space,
            None => self.unknown,
        }
    }

    /// The advance of a glyph, in ems.
    pub(super) fn advance(&self, glyph: u16) -> f32 {
        self.advances.get(usize::from(glyph)).copied().unwrap_or(0.0)
    }

    /// Whether the common subset holds `glyph`.
    pub(super) fn is_common(&self, glyph: u16) -> bool {
        self.common_glyphs.get(usize::from(glyph)).copied().unwrap_or(false)
    }

    /// The subset that holds the common glyphs and `others` (sorted, none of them common),
    /// Made once and kept.
    pub(super) fn subset(&self, others: &[u16]) -> Result<Arc<Subset>, PdfError> {
        if others.is_empty() {
            return self.common.get_or_init(|| self.make_subset(&[]).map(Arc::new)).clone();
        }
        let mut kept = self.others.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(subset) = kept.get(others) {
            return Ok(subset.clone());
        }
        let subset = Arc::new(self.make_subset(others)?);
        if kept.len() < KEPT_SUBSETS {
            kept.insert(others.to_vec(), subset.clone());
        }
        Ok(subset)
    }

    fn make_subset(&self, others: &[u16]) -> Result<Subset, PdfError> {
        let glyphs: Vec<u16> = (0..self.common_glyphs.len())
            .filter_map(|g| u16::try_from(g).ok())
            .filter(|&g| self.is_common(g))
            .chain(others.iter().copied())
            .collect();
        let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&glyphs);
        let program = subsetter::subset(self.data, 0, &remapper)
            .map_err(|e| PdfError(format!("the embedded font cannot be subset: {e}")))?;
        let program = super::unhint::unhinted(&program).unwrap_or(program);
        let mut cids = vec![0u16; self.common_glyphs.len()];
        let mut shown: Vec<(u16, u16)> = Vec::with_capacity(glyphs.len());
        for glyph in remapper.remapped_gids().skip(1) {
            if let (Some(cid), Some(slot)) = (remapper.get(glyph), cids.get_mut(usize::from(glyph))) {
                *slot = cid;
                shown.push((cid, glyph));
            }
        }
        shown.sort_unstable();
        let tag = subset_tag(self.data, &glyphs);
        let objects = self.objects(&program, &shown, &format!("{tag}+{}", self.described.postscript_name));
        Ok(Subset { cids, objects })
    }

    /// The PDF objects of a subset (`program`, whose glyph `cid` shows the face's `glyph` for
    /// each of `shown`), as krilla wrote them for PDF/A-2b.
    fn objects(&self, program: &[u8], shown: &[(u16, u16)], name: &str) -> Chunk {
        let [type0_ref, cid_ref, descriptor_ref, program_ref, cmap_ref] =
            [0, 1, 2, 3, 4].map(|n| Ref::new(self.first.get() + n));
        let system_info = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
        let mut chunk = Chunk::new();
        chunk
            .type0_font(type0_ref)
            .base_font(Name(name.as_bytes()))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_ref)
            .to_unicode(cmap_ref);

        let mut cid_font = chunk.cid_font(cid_ref);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(Name(name.as_bytes()))
            .system_info(system_info)
            .font_descriptor(descriptor_ref)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        // The subset numbers the glyphs asked for 1, 2, 3, ... in order (components of
        // composite glyphs come after them, never shown).
        cid_font.widths().consecutive(1, shown.iter().map(|&(_, glyph)| self.advance(glyph) * PDF_UNITS));
        cid_font.finish();

        let described = &self.described;
        chunk
            .font_descriptor(descriptor_ref)
            .name(Name(name.as_bytes()))
            .flags(FontFlags::SYMBOLIC)
            .bbox(described.bbox)
            .italic_angle(described.italic_angle)
            .ascent(described.ascent)
            .descent(described.descent)
            .cap_height(described.cap_height)
            .stem_v(described.stem_v)
            .font_file2(program_ref);

        // Compressed once a run, so at the best level.
        let compressed = deflate(program, flate2::Compression::best());
        chunk
            .stream(program_ref, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), i32::try_from(program.len()).unwrap_or(i32::MAX));

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
        for &(cid, glyph) in shown {
            if let Some(c) = self.chars.get(usize::from(glyph)).copied().flatten() {
                cmap.pair(cid, c);
            }
        }
        let cmap = deflate(&cmap.finish(), flate2::Compression::best());
        chunk.cmap(cmap_ref, &cmap).filter(Filter::FlateDecode);
        chunk
    }
}

/// `data` compressed with deflate (zlib format, PDF's FlateDecode).
///
/// The encoder comes from [`ENCODERS`] and goes back there: making one zeroes its window and
/// hash tables, a few hundred KiB, which was 62 % of the time a letter's page took to
/// compress (issue #14, perf of a 9,632-letter `remind`), and those pages were faulted in
/// anew for every letter. A reset encoder writes the same bytes as a new one (the PDF of a
/// letter is the same whichever thread made it, and after whichever letter).
pub(super) fn deflate(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut encoder = take_encoder(level);
    let Some(out) = deflate_with(&mut encoder, data) else {
        // Compressing into memory does not fail; should an encoder say it did, it is dropped
        // and a new one compresses the data.
        return deflate_with(&mut flate2::Compress::new(level, true), data).unwrap_or_default();
    };
    encoder.reset();
    if let Ok(mut kept) = ENCODERS.lock() {
        kept.push((level.level(), encoder));
    }
    out
}

/// `data` compressed by `encoder`, all of it in one stream; `None` if the encoder fails.
pub(super) fn deflate_with(encoder: &mut flate2::Compress, data: &[u8]) -> Option<Vec<u8>> {
    let start = encoder.total_in();
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        let read = usize::try_from(encoder.total_in() - start).ok()?.min(data.len());
        match encoder.compress_vec(&data[read..], &mut out, flate2::FlushCompress::Finish).ok()? {
            flate2::Status::StreamEnd => return Some(out),
            // The output is full: room for as much again.
            flate2::Status::Ok | flate2::Status::BufError => out.reserve(out.capacity().max(64)),
        }
    }
}

/// Deflate encoders done with, and their levels, for the next [`deflate`] of the same level.
/// At most one per thread that compressed at once is ever kept.
static ENCODERS: Mutex<Vec<(u32, flate2::Compress)>> = Mutex::new(Vec::new());

fn take_encoder(level: flate2::Compression) -> flate2::Compress {
    let kept = ENCODERS.lock().ok().and_then(|mut kept| {
        let at = kept.iter().position(|(l, _)| *l == level.level())?;
        Some(kept.swap_remove(at).1)
    });
    kept.unwrap_or_else(|| flate2::Compress::new(level, true))
}

/// The six capital letters PDF puts before a subset's font name, different for different
/// subsets (PDF 32000-1 9.6.4): from the face and the glyphs, so the same subset has the same.
fn subset_tag(face: &[u8], glyphs: &[u16]) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    face.len().hash(&mut hasher);
    face.get(..64).hash(&mut hasher);
    glyphs.hash(&mut hasher);
    let mut hash = std::hash::Hasher::finish(&hasher);
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            letter
        })
        .collect()
}
