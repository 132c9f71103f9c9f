//! Several optional text fields of one record in one allocation (none when all are empty):
//! what a customer keeps of its text, and, inline when they fit, an invoice and a journal line. A string of its own per field took 24
//! bytes each, inline or not, and a field longer than that a second allocation; a ledger holds
//! hundreds of thousands of such records (issue #14).

/// `ENDS + 1` text fields, read by their number; an empty field reads as `None`.
#[derive(Clone, PartialEq, Eq)]
pub struct PackedTexts<const ENDS: usize> {
    /// The fields one after another.
    joined: Box<str>,
    /// Where each field but the last ends in `joined` (the last ends with it).
    ends: [u32; ENDS],
}

impl<const ENDS: usize> Default for PackedTexts<ENDS> {
    fn default() -> Self {
        PackedTexts { joined: Box::default(), ends: [0; ENDS] }
    }
}

impl<const ENDS: usize> PackedTexts<ENDS> {
    /// How many fields there are.
    pub const FIELDS: usize = ENDS + 1;

    /// The fields `field(0)` to `field(ENDS)`, empty or `None` alike for a field not given.
    /// (Their ends fit `u32`: no file `dun` reads has a line longer than 16 MiB.)
    pub fn of<'a>(field: impl Fn(usize) -> Option<&'a str>) -> Self {
        let len: usize = (0..Self::FIELDS).map(|i| field(i).map_or(0, str::len)).sum();
        if len == 0 {
            return Self::default();
        }
        let mut joined = String::with_capacity(len);
        let mut ends = [0u32; ENDS];
        for i in 0..Self::FIELDS {
            joined.push_str(field(i).unwrap_or_default());
            if let Some(end) = ends.get_mut(i) {
                *end = u32::try_from(joined.len()).unwrap_or(u32::MAX);
            }
        }
        PackedTexts { joined: joined.into_boxed_str(), ends }
    }

    /// Field `field` (`None` when empty or past the last).
    pub fn get(&self, field: usize) -> Option<&str> {
        let from = match field {
            0 => 0,
            _ => *self.ends.get(field - 1)? as usize,
        };
        let to = self.ends.get(field).map_or(self.joined.len(), |&end| end as usize);
        self.joined.get(from..to).filter(|text| !text.is_empty())
    }

    /// The same fields with `field` set to `value`.
    pub fn with(&self, field: usize, value: Option<&str>) -> Self {
        Self::of(|i| if i == field { value } else { self.get(i) })
    }
}

/// [`PackedTexts`] held inline, without an allocation, when the fields together fit in
/// `INLINE` bytes (an invoice's number, customer id and reference mostly do, and a reminder's
/// journal line), and packed on the heap when they do not. Fields read as [`PackedTexts`]
/// fields: an empty one as `None`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmallTexts<const ENDS: usize, const INLINE: usize>(Small<ENDS, INLINE>);

#[derive(Clone, PartialEq, Eq)]
enum Small<const ENDS: usize, const INLINE: usize> {
    /// The fields one after another in the first `len` bytes, each but the last ending at
    /// its end in `ends`.
    Inline {
        len: u8,
        ends: [u8; ENDS],
        bytes: [u8; INLINE],
    },
    Heap(PackedTexts<ENDS>),
}

impl<const ENDS: usize, const INLINE: usize> Default for SmallTexts<ENDS, INLINE> {
    fn default() -> Self {
        SmallTexts(Small::Inline { len: 0, ends: [0; ENDS], bytes: [0; INLINE] })
    }
}

impl<const ENDS: usize, const INLINE: usize> std::fmt::Debug for SmallTexts<ENDS, INLINE> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries((0..Self::FIELDS).map(|i| self.get(i))).finish()
    }
}

impl<const ENDS: usize, const INLINE: usize> SmallTexts<ENDS, INLINE> {
    /// How many fields there are.
    pub const FIELDS: usize = ENDS + 1;

    /// The fields `field(0)` to `field(ENDS)`, empty or `None` alike for a field not given:
    /// inline when they fit.
    pub fn of<'a>(field: impl Fn(usize) -> Option<&'a str>) -> Self {
        const { assert!(INLINE <= u8::MAX as usize, "inline ends are bytes: at most 255 inline") };
        let len: usize = (0..Self::FIELDS).map(|i| field(i).map_or(0, str::len)).sum();
        if len > INLINE {
            return SmallTexts(Small::Heap(PackedTexts::of(field)));
        }
        let (mut bytes, mut ends, mut at) = ([0u8; INLINE], [0u8; ENDS], 0);
        for i in 0..Self::FIELDS {
            let text = field(i).unwrap_or_default().as_bytes();
            bytes[at..at + text.len()].copy_from_slice(text);
            at += text.len();
            if let Some(end) = ends.get_mut(i) {
                *end = at as u8;
            }
        }
        SmallTexts(Small::Inline { len: at as u8, ends, bytes })
    }

    /// Field `field` (`None` when empty or past the last).
    pub fn get(&self, field: usize) -> Option<&str> {
        match &self.0 {
            Small::Heap(packed) => packed.get(field),
            Small::Inline { len, ends, bytes } => {
                let from = match field {
                    0 => 0,
                    _ => usize::from(*ends.get(field - 1)?),
                };
                let to = ends.get(field).map_or(usize::from(*len), |&end| usize::from(end));
                let field = &bytes[from..to];
                // SAFETY: only `of` writes an inline value: its bytes are whole `str`s one after
                // another, and each end in `ends` (and `len`) is where one of them ends, so the
                // bytes between two ends are one of those `str`s, UTF-8. Checking them again
                // on every read was 3 % of `dun check`'s time (issue #14).
                let text = unsafe { std::str::from_utf8_unchecked(field) };
                Some(text).filter(|text| !text.is_empty())
            }
        }
    }

    /// The same fields with `field` set to `value`.
    pub fn with(&self, field: usize, value: Option<&str>) -> Self {
        Self::of(|i| if i == field { value } else { self.get(i) })
    }

    /// Whether the fields are held on the heap (for tests of the layout).
    #[cfg(test)]
    pub(crate) fn is_on_heap(&self) -> bool {
        matches!(self.0, Small::Heap(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Small texts read back as packed ones, inline when they fit and on the heap when
        /// they do not; setting one field leaves the others as they were.
        #[test]
        fn small_texts_read_as_packed_ones(
            given in proptest::array::uniform4(proptest::option::of("[a-zA-Zåäö0-9/ ,\"-]{0,20}")),
            which in 0usize..4,
            value in proptest::option::of("[a-zø€]{0,8}"),
        ) {
            let small = SmallTexts::<3, 24>::of(|i| given[i].as_deref());
            let packed = PackedTexts::<3>::of(|i| given[i].as_deref());
            fn read(t: &SmallTexts<3, 24>) -> Vec<Option<String>> {
                (0..5).map(|i| t.get(i).map(str::to_owned)).collect()
            }
            fn read_packed(t: &PackedTexts<3>) -> Vec<Option<String>> {
                (0..5).map(|i| t.get(i).map(str::to_owned)).collect()
            }
            prop_assert_eq!(read(&small), read_packed(&packed));
            let len: usize = given.iter().flatten().map(String::len).sum();
            prop_assert_eq!(small.is_on_heap(), len > 24);
            let changed = small.with(which, value.as_deref());
            prop_assert_eq!(read(&changed), read_packed(&packed.with(which, value.as_deref())));
            // The same texts, the same value, however they were made.
            prop_assert!(changed == SmallTexts::of(|i| changed.get(i)));
        }

        /// Each field reads back what was given, whatever the others hold; setting one leaves
        /// the others as they were; an empty field reads as `None`; no text, no allocation.
        #[test]
        fn fields_are_kept_apart(
            given in proptest::array::uniform5(proptest::option::of("[a-zA-Zåäö0-9/ ,\"-]{0,40}")),
            which in 0usize..6,
            value in proptest::option::of("[a-zø]{0,8}"),
        ) {
            let packed = PackedTexts::<4>::of(|i| given[i].as_deref());
            let expected: Vec<Option<&str>> = given.iter().map(|f| f.as_deref().filter(|t| !t.is_empty())).collect();
            fn read(p: &PackedTexts<4>) -> Vec<Option<&str>> {
                (0..5).map(|i| p.get(i)).collect()
            }
            prop_assert_eq!(read(&packed), expected.clone());
            prop_assert_eq!(packed.get(5), None);
            prop_assert_eq!(packed.joined.is_empty(), expected.iter().all(Option::is_none));
            let changed = packed.with(which, value.as_deref());
            let mut now = expected;
            if let Some(slot) = now.get_mut(which) {
                *slot = value.as_deref().filter(|t| !t.is_empty());
            }
            prop_assert_eq!(read(&changed), now);
        }
    }
}
