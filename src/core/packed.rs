//! Several optional text fields of one record in one allocation (none when all are empty):
//! what a journal line or a customer keeps of its text. A string of its own per field took 24
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

    /// Whether every field is empty (and nothing is allocated).
    pub fn is_empty(&self) -> bool {
        self.joined.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
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
            prop_assert_eq!(packed.is_empty(), expected.iter().all(Option::is_none));
            let changed = packed.with(which, value.as_deref());
            let mut now = expected;
            if let Some(slot) = now.get_mut(which) {
                *slot = value.as_deref().filter(|t| !t.is_empty());
            }
            prop_assert_eq!(read(&changed), now);
        }
    }
}
