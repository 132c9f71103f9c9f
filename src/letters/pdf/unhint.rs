//! A TrueType font program without its hinting: the glyphs' instructions and the tables only
//! they use (`fpgm`, `prep`, `cvt `).
//!
//! Hinting fits outlines to the pixels of a small screen; a PDF letter is printed, or shown by
//! readers that scale and smooth the outlines themselves. In Liberation Sans it is most of a
//! subset: of the 31 KB the common glyphs took in every letter's PDF, 18 KB were instructions
//! (issue #14: two subsets were 40 KB of a 52 KB letter, and a morning of letters is written to
//! disk). The outlines, metrics and every other table stay as they were. A program this cannot
//! read is kept as it is.

/// Tables that only the instructions use.
const HINTING_TABLES: [&[u8; 4]; 3] = [b"fpgm", b"prep", b"cvt "];

/// Composite glyph flags (OpenType `glyf`).
const ARG_1_AND_2_ARE_WORDS: u16 = 0x0001;
const WE_HAVE_A_SCALE: u16 = 0x0008;
const MORE_COMPONENTS: u16 = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE: u16 = 0x0040;
const WE_HAVE_A_TWO_BY_TWO: u16 = 0x0080;
const WE_HAVE_INSTRUCTIONS: u16 = 0x0100;

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// `program` without hinting, or `None` when it is not a TrueType program this can read.
pub(super) fn unhinted(program: &[u8]) -> Option<Vec<u8>> {
    let tables = table_directory(program)?;
    let table =
        |tag: &[u8; 4]| tables.iter().find(|(t, _)| t == tag).map(|(_, range)| &program[range.clone()]);
    let head = table(b"head")?;
    let long_offsets = match u16_at(head, 50)? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let glyph_count = usize::from(u16_at(table(b"maxp")?, 4)?);
    let (glyf, loca) =
        glyf_without_instructions(table(b"glyf")?, table(b"loca")?, glyph_count, long_offsets)?;
    let kept: Vec<([u8; 4], Vec<u8>)> = tables
        .iter()
        .filter(|(tag, _)| !HINTING_TABLES.contains(&tag))
        .map(|(tag, range)| {
            let bytes = match tag {
                b"glyf" => glyf.clone(),
                b"loca" => loca.clone(),
                _ => program[range.clone()].to_vec(),
            };
            (*tag, bytes)
        })
        .collect();
    Some(font_file(u32_at(program, 0)?, kept))
}

/// The tables of `program`: tag and byte range, checked to lie inside it.
fn table_directory(program: &[u8]) -> Option<Vec<([u8; 4], std::ops::Range<usize>)>> {
    let count = usize::from(u16_at(program, 4)?);
    (0..count)
        .map(|i| {
            let record = 12 + 16 * i;
            let tag: [u8; 4] = program.get(record..record + 4)?.try_into().ok()?;
            let start = usize::try_from(u32_at(program, record + 8)?).ok()?;
            let end = start.checked_add(usize::try_from(u32_at(program, record + 12)?).ok()?)?;
            (end <= program.len()).then_some((tag, start..end))
        })
        .collect()
}

/// `glyf` with every glyph's instructions left out, and its new `loca`, in the same format.
fn glyf_without_instructions(
    glyf: &[u8],
    loca: &[u8],
    glyph_count: usize,
    long_offsets: bool,
) -> Option<(Vec<u8>, Vec<u8>)> {
    let offset = |i: usize| -> Option<usize> {
        if long_offsets {
            usize::try_from(u32_at(loca, 4 * i)?).ok()
        } else {
            Some(usize::from(u16_at(loca, 2 * i)?) * 2)
        }
    };
    let mut new_glyf = Vec::with_capacity(glyf.len());
    let mut new_loca = Vec::with_capacity(loca.len());
    let put_offset = |loca: &mut Vec<u8>, at: usize| -> Option<()> {
        if long_offsets {
            loca.extend_from_slice(&u32::try_from(at).ok()?.to_be_bytes());
        } else {
            loca.extend_from_slice(&u16::try_from(at / 2).ok()?.to_be_bytes());
        }
        Some(())
    };
    for i in 0..glyph_count {
        put_offset(&mut new_loca, new_glyf.len())?;
        let (start, end) = (offset(i)?, offset(i + 1)?);
        if end > start {
            glyph_without_instructions(glyf.get(start..end)?, &mut new_glyf)?;
            // Glyphs start on even offsets (which the short `loca` format needs).
            if new_glyf.len() % 2 == 1 {
                new_glyf.push(0);
            }
        }
    }
    put_offset(&mut new_loca, new_glyf.len())?;
    Some((new_glyf, new_loca))
}

/// Appends `glyph` to `out` without its instructions.
fn glyph_without_instructions(glyph: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let contours = i16::from_be_bytes(glyph.get(0..2)?.try_into().ok()?);
    if contours >= 0 {
        // Header, the contours' end points, then the instructions' length and the instructions.
        let lengths_at = 10 + 2 * usize::try_from(contours).ok()?;
        let instructions = usize::from(u16_at(glyph, lengths_at)?);
        let rest = glyph.get(lengths_at + 2 + instructions..)?;
        out.extend_from_slice(&glyph[..lengths_at]);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(rest);
        return Some(());
    }
    // A composite: components until one without MORE_COMPONENTS; the instructions follow
    // the last one when WE_HAVE_INSTRUCTIONS is set.
    out.extend_from_slice(glyph.get(..10)?);
    let mut at = 10;
    loop {
        let flags = u16_at(glyph, at)?;
        let arguments = if flags & ARG_1_AND_2_ARE_WORDS != 0 { 4 } else { 2 };
        let scale = if flags & WE_HAVE_A_TWO_BY_TWO != 0 {
            8
        } else if flags & WE_HAVE_AN_X_AND_Y_SCALE != 0 {
            4
        } else if flags & WE_HAVE_A_SCALE != 0 {
            2
        } else {
            0
        };
        let length = 4 + arguments + scale;
        let component = glyph.get(at..at + length)?;
        let flags_at = out.len();
        out.extend_from_slice(component);
        out[flags_at..flags_at + 2].copy_from_slice(&(flags & !WE_HAVE_INSTRUCTIONS).to_be_bytes());
        at += length;
        if flags & MORE_COMPONENTS == 0 {
            break;
        }
    }
    Some(())
}

/// A font file of `tables` (sorted by tag, as they came), with its directory and checksums.
fn font_file(version: u32, tables: Vec<([u8; 4], Vec<u8>)>) -> Vec<u8> {
    let count = tables.len();
    let power = (usize::BITS - 1).saturating_sub(count.max(1).leading_zeros());
    let search_range = (1usize << power) * 16;
    let header_len = 12 + 16 * count;
    let mut out = Vec::with_capacity(header_len + tables.iter().map(|(_, t)| t.len() + 3).sum::<usize>());
    out.extend_from_slice(&version.to_be_bytes());
    for n in [count, search_range, power as usize, count * 16 - search_range] {
        out.extend_from_slice(&(n as u16).to_be_bytes());
    }
    let mut at = header_len;
    let mut head_at = None;
    for (tag, bytes) in &tables {
        if tag == b"head" {
            head_at = Some(at);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(bytes, tag == b"head").to_be_bytes());
        out.extend_from_slice(&(at as u32).to_be_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        at += bytes.len().next_multiple_of(4);
    }
    for (_, bytes) in &tables {
        out.extend_from_slice(bytes);
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(head) = head_at {
        // head.checkSumAdjustment: 0xB1B0AFBA less the sum of the whole file with it zero.
        out[head + 8..head + 12].copy_from_slice(&[0; 4]);
        let adjustment = 0xB1B0_AFBA_u32.wrapping_sub(checksum(&out, false));
        out[head + 8..head + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    out
}

/// The OpenType checksum of a table (`head`'s with its checkSumAdjustment taken as zero).
fn checksum(bytes: &[u8], is_head: bool) -> u32 {
    bytes.chunks(4).enumerate().fold(0u32, |sum, (i, chunk)| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        let word = if is_head && i == 2 { 0 } else { u32::from_be_bytes(word) };
        sum.wrapping_add(word)
    })
}

#[cfg(test)]
mod tests {
    use skrifa::instance::{LocationRef, Size};
    use skrifa::outline::{DrawSettings, OutlinePen};
    use skrifa::{FontRef, GlyphId, MetadataProvider as _};

    use super::*;

    /// Every outline command of a glyph, as text.
    #[derive(Default)]
    struct Commands(Vec<String>);

    impl OutlinePen for Commands {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0.push(format!("M{x},{y}"));
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0.push(format!("L{x},{y}"));
        }
        fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
            self.0.push(format!("Q{cx0},{cy0},{x},{y}"));
        }
        fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
            self.0.push(format!("C{cx0},{cy0},{cx1},{cy1},{x},{y}"));
        }
        fn close(&mut self) {
            self.0.push("Z".to_owned());
        }
    }

    fn outline(font: &FontRef<'_>, glyph: u32) -> Vec<String> {
        let mut pen = Commands::default();
        if let Some(g) = font.outline_glyphs().get(GlyphId::new(glyph)) {
            g.draw(DrawSettings::unhinted(Size::unscaled(), LocationRef::default()), &mut pen)
                .expect("draws");
        }
        pen.0
    }

    /// Both faces whole (composites included): every glyph draws exactly as before, with its
    /// metrics; no instruction is left, nor a table only they use; the checksums hold.
    #[test]
    fn the_unhinted_faces_draw_every_glyph_as_before() {
        for face in [crate::letters::pdf::REGULAR, crate::letters::pdf::BOLD] {
            let unhinted = unhinted(face).expect("a TrueType program");
            assert!(unhinted.len() * 10 < face.len() * 8, "{} of {}", unhinted.len(), face.len());
            let (before, after) = (FontRef::new(face).unwrap(), FontRef::new(&unhinted).expect("reads"));
            let glyphs = before.metrics(Size::unscaled(), LocationRef::default()).glyph_count;
            assert_eq!(after.metrics(Size::unscaled(), LocationRef::default()).glyph_count, glyphs);
            let (widths_before, widths_after) = (
                before.glyph_metrics(Size::unscaled(), LocationRef::default()),
                after.glyph_metrics(Size::unscaled(), LocationRef::default()),
            );
            let mut composites = 0;
            for g in 0..u32::from(glyphs) {
                assert_eq!(outline(&after, g), outline(&before, g), "glyph {g}");
                let id = GlyphId::new(g);
                assert_eq!(widths_after.advance_width(id), widths_before.advance_width(id), "glyph {g}");
                composites += usize::from(is_composite(&unhinted, g));
            }
            assert!(composites > 50, "{composites} composite glyphs");
            let tables = table_directory(&unhinted).unwrap();
            assert!(tables.iter().all(|(tag, _)| !HINTING_TABLES.contains(&tag)));
            assert_eq!(instruction_bytes(&unhinted), 0);
            assert!(instruction_bytes(face) > 10_000);
            for (tag, range) in &tables {
                let stated =
                    u32_at(&unhinted, 12 + 16 * tables.iter().position(|(t, _)| t == tag).unwrap() + 4);
                assert_eq!(stated, Some(checksum(&unhinted[range.clone()], tag == b"head")), "{tag:?}");
            }
            assert_eq!(checksum(&unhinted, false), 0xB1B0_AFBA);
        }
    }

    #[test]
    fn what_is_not_a_truetype_program_is_left_alone() {
        assert_eq!(unhinted(b""), None);
        assert_eq!(unhinted(b"OTTO\0\x01\0\0\0\0\0\0"), None);
        let mut cut = crate::letters::pdf::REGULAR.to_vec();
        cut.truncate(cut.len() / 2);
        assert_eq!(unhinted(&cut), None);
    }

    fn glyph_bytes(font: &[u8], glyph: u32) -> &[u8] {
        let tables = table_directory(font).unwrap();
        let table = |tag: &[u8; 4]| &font[tables.iter().find(|(t, _)| t == tag).unwrap().1.clone()];
        let long = u16_at(table(b"head"), 50) == Some(1);
        let at = |i: usize| {
            if long {
                u32_at(table(b"loca"), 4 * i).unwrap() as usize
            } else {
                usize::from(u16_at(table(b"loca"), 2 * i).unwrap()) * 2
            }
        };
        &table(b"glyf")[at(glyph as usize)..at(glyph as usize + 1)]
    }

    fn is_composite(font: &[u8], glyph: u32) -> bool {
        glyph_bytes(font, glyph).get(0..2).is_some_and(|c| i16::from_be_bytes([c[0], c[1]]) < 0)
    }

    /// The instruction bytes of the simple glyphs.
    fn instruction_bytes(font: &[u8]) -> usize {
        let glyphs = u16_at(
            &font[table_directory(font).unwrap().iter().find(|(t, _)| t == b"maxp").unwrap().1.clone()],
            4,
        )
        .unwrap();
        (0..u32::from(glyphs))
            .map(|g| {
                let bytes = glyph_bytes(font, g);
                match bytes.get(0..2).map(|c| i16::from_be_bytes([c[0], c[1]])) {
                    Some(contours) if contours >= 0 => {
                        usize::from(u16_at(bytes, 10 + 2 * contours as usize).unwrap())
                    }
                    _ => 0,
                }
            })
            .sum()
    }
}
