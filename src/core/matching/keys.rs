//! How payment matching compares references (`reference_key`, check digits, the body of an
//! RF), and the hashed index it finds invoices by a key with.

use super::super::reference::{RefKind, detect_reference, normalize_reference, validate_reference};

/// How a reference is compared: spaces, hyphens and case aside (`normalize_reference`), the
/// Danish card-type prefix (`71/…`, `+71<…<`) dropped, and leading zeros of a numeric
/// reference dropped (banks pad viitenumero to 20 digits; a FIK id is 15 digits with zeros).
pub fn reference_key(reference: &str) -> String {
    let normalized = normalize_reference(reference);
    let body = strip_card_type(&normalized);
    if !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = body.trim_start_matches('0');
        return if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() };
    }
    body.to_owned()
}

/// `71/000000020211041` → `000000020211041`; `+71<000000020211041+88889999<` → the id.
fn strip_card_type(normalized: &str) -> &str {
    let s = normalized.strip_prefix('+').unwrap_or(normalized);
    for card in ["71", "73", "75", "01", "04", "15"] {
        if let Some(rest) = s.strip_prefix(card)
            && let Some(rest) = rest.strip_prefix('/').or_else(|| rest.strip_prefix('<'))
        {
            let end = rest.find(['+', '<']).unwrap_or(rest.len());
            return &rest[..end];
        }
    }
    normalized
}

/// Whether a payment's reference carries a valid check digit under some scheme.
pub fn has_valid_check_digit(reference: &str) -> bool {
    let normalized = normalize_reference(reference);
    let body = strip_card_type(&normalized);
    if !detect_reference(body).is_empty() {
        return true;
    }
    let key = reference_key(reference);
    key != body && !detect_reference(&key).is_empty()
}

/// A valid RF reference's body (`RF45 16625` → `16625`), which Finnish banks build from the
/// viitenumero.
pub(super) fn rf_body(reference: &str) -> Option<String> {
    let normalized = normalize_reference(reference);
    if validate_reference(RefKind::Rf, &normalized).is_err() {
        return None;
    }
    normalized.get(4..).map(reference_key)
}

/// Candidate positions by a 64-bit hash of a text key, in candidate order within a key: 16
/// bytes an invoice instead of a `String` key and a `Vec` of positions (a million invoices took
/// about 140 MB per map that way). A hash names a few positions at most; the caller checks that
/// each one's key is the one asked for.
pub(super) struct KeyIndex {
    /// (hash, position), sorted.
    entries: Vec<(u64, u32)>,
    /// Where each bucket (the hash's top bits) starts in `entries`, and one past the last.
    starts: Vec<u32>,
    shift: u32,
}

impl KeyIndex {
    pub(super) fn new(mut entries: Vec<(u64, u32)>) -> KeyIndex {
        entries.sort_unstable();
        let bits = entries.len().max(2).next_power_of_two().trailing_zeros().min(24);
        let shift = 64 - bits;
        let mut starts = vec![0u32; (1 << bits) + 1];
        for &(hash, _) in &entries {
            starts[(hash >> shift) as usize + 1] += 1;
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        KeyIndex { entries, starts, shift }
    }

    /// The positions whose key hashed to `hash`, in candidate order.
    pub(super) fn positions(&self, hash: u64) -> impl Iterator<Item = usize> + '_ {
        let bucket = (hash >> self.shift) as usize;
        let (from, to) = (self.starts[bucket] as usize, self.starts[bucket + 1] as usize);
        self.entries[from..to].iter().filter(move |(h, _)| *h == hash).map(|&(_, at)| at as usize)
    }
}

/// FNV-1a of the bytes (ASCII lower-cased when asked), mixed so the top bits are spread too.
pub(super) fn key_hash(bytes: &[u8], lowercase: bool) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(if lowercase { b.to_ascii_lowercase() } else { b });
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // splitmix64's finaliser.
    hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// A candidate position as the indexes keep it.
pub(super) fn position(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}
