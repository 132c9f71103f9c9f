//! Looking ids up in a list without copying them: a customer's register position by its id
//! ([`CustomerIndex`], as every file's reader resolves customers), and a position by an item's
//! text ([`PositionIndex`], the ledger's invoices by number and customers by id). Numbered ids
//! (`C000123`, `100001`) are found by their number in an array ([`NumberedIds`]).

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::core::model::Registered;
use crate::core::policy::Policy;

/// A short customer id held inline, so looking one up never follows a pointer into the
/// register: with a hundred thousand customers looked up a million times, each pointer is a
/// cache miss. Ids longer than [`IdKey::MAX`] bytes go to a second map.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct IdKey([u8; 24]);

impl IdKey {
    const MAX: usize = 23;

    fn new(id: &str) -> Option<IdKey> {
        let b = id.as_bytes();
        (b.len() <= Self::MAX).then(|| {
            let mut key = [0u8; 24];
            key[..b.len()].copy_from_slice(b);
            key[23] = b.len() as u8;
            IdKey(key)
        })
    }
}

/// Customer numbers as most registers write them: an optional fixed prefix of letters and a
/// decimal number (`1001`, `K-0042`, `C003199`), dense enough to index an array by. Then a
/// lookup is parsing digits and one array read instead of hashing and a table probe: on the
/// report's per-invoice path that is the difference between a cache hit and two misses.
/// (Keys of that shape given more than once: [`NumberShape`].)
#[derive(Clone)]
pub(super) struct NumberedIds {
    shape: NumberShape,
    /// Register position + 1 by place ([`NumberShape::place`]); 0 for a number no customer has.
    slots: Vec<u32>,
}

impl NumberedIds {
    fn build<C: Registered>(customers: &[C]) -> Option<NumberedIds> {
        Self::build_by(customers.len(), |i| customers[i].id())
    }

    /// The same over any list, `key_of(i)` being the id (or invoice number) of item `i`;
    /// `None` as well when a number comes twice.
    fn build_by<'a>(len: usize, key_of: impl Fn(usize) -> &'a str) -> Option<NumberedIds> {
        let (shape, places) = NumberShape::of(len, key_of)?;
        let mut slots = vec![0u32; shape.places];
        for (i, place) in places.into_iter().enumerate() {
            let slot = &mut slots[place as usize];
            if *slot != 0 {
                return None; // the same number twice (`dun check` reports duplicate ids)
            }
            *slot = i as u32 + 1;
        }
        Some(NumberedIds { shape, slots })
    }

    /// The position of `id`; `None` when it is not in the register (whatever its shape).
    fn get(&self, id: &str) -> Option<u32> {
        self.slots.get(self.shape.place(id)?).copied().filter(|&s| s != 0).map(|s| s - 1)
    }
}

/// The shape that keys of a list share, if they do: an optional fixed prefix of letters and a
/// decimal number, all written as wide or none with a leading zero, the numbers dense enough
/// to index an array by (at most four places a key, plus a little). A key's place in such an
/// array is its number less the lowest ([`NumberShape::place`]).
#[derive(Clone, Debug)]
pub(crate) struct NumberShape {
    prefix: String,
    /// Every key has this many bytes (zero-padded numbers); `None`: no key has a leading zero.
    width: Option<usize>,
    /// The lowest number: place 0 stands for it.
    base: usize,
    /// Places from the lowest number to the highest.
    pub(crate) places: usize,
}

impl NumberShape {
    /// `id` without `prefix`, if it starts with it. Without a prefix (invoice numbers, most
    /// registers) no comparison: `str::strip_prefix` calls the C library's `memcmp` even
    /// for an empty prefix, a call per key where perf found 2 % of `dun due --all`'s samples
    /// (issue #14).
    fn after<'i>(prefix: &str, id: &'i str) -> Option<&'i str> {
        if prefix.is_empty() { Some(id) } else { id.strip_prefix(prefix) }
    }

    /// The prefix and number of an id, if it has that shape.
    fn split(id: &str) -> Option<(&str, &str)> {
        let at = id.bytes().position(|b| b.is_ascii_digit())?;
        let (prefix, digits) = id.split_at(at);
        Self::number(digits).map(|_| (prefix, digits))
    }

    /// The number `digits` are: one to nine ASCII digits, nothing else.
    fn number(digits: &str) -> Option<u32> {
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        let mut n = 0u32;
        for b in digits.bytes() {
            if !b.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(b - b'0');
        }
        Some(n)
    }

    /// The shape of the keys of a list (`key_of(i)` the key of item `i`; a key may come more
    /// than once) and each item's place, if they share one. Every key is read by
    /// [`NumberShape::number`] after its prefix (which has no digit, so what follows it is
    /// the key's number exactly when [`NumberShape::split`] would say so): no search for the
    /// first digit and no string parsing per key, which on a million invoice numbers was a
    /// twentieth of `dun due`, on one thread (issue #14).
    pub(crate) fn of<'a>(len: usize, key_of: impl Fn(usize) -> &'a str) -> Option<(NumberShape, Vec<u32>)> {
        if len == 0 || len > u32::MAX as usize - 1 {
            return None;
        }
        let prefix = Self::split(key_of(0))?.0.to_owned();
        let width = key_of(0).len();
        // The numbers are kept for the places: reading every key again is reading every item
        // again, on a million invoices 150 MB (issue #14).
        let mut numbers = Vec::with_capacity(len);
        let (mut fixed, mut canonical, mut max, mut min) = (true, true, 0u32, u32::MAX);
        for i in 0..len {
            let id = key_of(i);
            let n = Self::number(Self::after(&prefix, id)?)?;
            fixed &= id.len() == width;
            canonical &= !(id.len() > prefix.len() + 1 && id.as_bytes()[prefix.len()] == b'0');
            max = max.max(n);
            min = min.min(n);
            numbers.push(n);
        }
        let span = (max - min) as usize;
        if span > len * 4 + 1024 || !(fixed || canonical) {
            return None;
        }
        numbers.iter_mut().for_each(|n| *n -= min);
        let shape =
            NumberShape { prefix, width: fixed.then_some(width), base: min as usize, places: span + 1 };
        Some((shape, numbers))
    }

    /// The place of `key`, if it has the shape; it may lie past the last place.
    pub(crate) fn place(&self, key: &str) -> Option<usize> {
        let digits = Self::after(&self.prefix, key)?;
        match self.width {
            Some(w) if key.len() != w => return None,
            None if digits.len() > 1 && digits.starts_with('0') => return None,
            _ => {}
        }
        (Self::number(digits)? as usize).checked_sub(self.base)
    }
}

/// Whether every key (`key_of(i)` for `i` below `len`) is a number of one shape
/// (`NumberedIds`) and no number comes twice: then the keys are distinct, known without a map
/// of them. `false` says nothing (keys of another shape may be distinct too).
pub fn numbered_and_distinct<'a>(len: usize, key_of: impl Fn(usize) -> &'a str) -> bool {
    NumberedIds::build_by(len, key_of).is_some()
}

/// Customer id → position in the register, plus each customer's payment terms.
#[derive(Default)]
pub struct CustomerIndex<'a> {
    numbered: Option<NumberedIds>,
    short: FxHashMap<IdKey, u32>,
    long: FxHashMap<&'a str, u32>,
    payment_days: Vec<u32>,
    default_days: u32,
    /// Early-payment discount terms per customer, from its segment (empty when no segment has
    /// any: then `default_discount` is every customer's).
    discounts: Vec<Option<(u32, Decimal)>>,
    default_discount: Option<(u32, Decimal)>,
}

impl std::fmt::Debug for CustomerIndex<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomerIndex").field("customers", &self.payment_days.len()).finish()
    }
}

impl<'a> CustomerIndex<'a> {
    pub fn new<C: Registered>(customers: &'a [C], policy: &Policy) -> CustomerIndex<'a> {
        let default_days = policy.payment_days(None);
        let payment_days = customers.iter().map(|c| c.payment_days(policy)).collect();
        let default_discount = policy.discount_terms(None);
        let any_segment_discount = policy
            .file
            .segments
            .values()
            .any(|s| s.terms.discount_days.is_some() || s.terms.discount_percent.is_some());
        let discounts = if any_segment_discount {
            customers.iter().map(|c| policy.discount_terms(c.segment())).collect()
        } else {
            Vec::new()
        };
        let numbered = NumberedIds::build(customers);
        let mut short = FxHashMap::default();
        let mut long = FxHashMap::default();
        if numbered.is_none() {
            short.reserve(customers.len());
            for (i, c) in customers.iter().enumerate() {
                match IdKey::new(c.id()) {
                    Some(key) => short.insert(key, i as u32),
                    None => long.insert(c.id(), i as u32),
                };
            }
        }
        CustomerIndex { numbered, short, long, payment_days, default_days, discounts, default_discount }
    }

    pub fn get(&self, id: &str) -> Option<u32> {
        if let Some(numbered) = &self.numbered {
            return numbered.get(id);
        }
        match IdKey::new(id) {
            Some(key) => self.short.get(&key).copied(),
            None => self.long.get(id).copied(),
        }
    }

    pub fn len(&self) -> usize {
        self.payment_days.len()
    }

    pub fn is_empty(&self) -> bool {
        self.payment_days.is_empty()
    }

    /// The customer's early-payment discount terms (days from the invoice date, %).
    pub fn discount_terms(&self, id: &str) -> Option<(u32, Decimal)> {
        if self.discounts.is_empty() {
            return self.default_discount;
        }
        self.get(id).map_or(self.default_discount, |i| self.discounts[i as usize])
    }

    pub fn payment_days(&self, id: &str) -> u32 {
        self.get(id).map_or(self.default_days, |i| self.payment_days[i as usize])
    }
}

/// Positions in a list by a text of each item (an invoice's number, a customer's id), holding
/// positions only: the texts are compared where they live. A map keyed by a copy of each
/// number costs a million strings on a million invoices, and as long to free them.
///
/// Numbered keys (`C000123`, `100001`) are found by their number in an array instead
/// ([`NumberedIds`]): no hashing, and no reading of the item's text, which on a large ledger is
/// a cache miss per lookup.
#[derive(Clone, Default)]
pub(super) struct PositionIndex {
    numbered: Option<NumberedIds>,
    table: hashbrown::HashTable<u32>,
    /// Whether some key was given more than once.
    repeated: bool,
}

impl std::fmt::Debug for PositionIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PositionIndex")
            .field("numbered", &self.numbered.is_some())
            .field("hashed", &self.table.len())
            .finish()
    }
}

impl PositionIndex {
    fn hash(key: &str) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(key)
    }

    /// Each key's first position (`last`: its last); `key_of(i)` is the key of item `i`.
    pub(super) fn build<'a>(len: usize, last: bool, key_of: impl Fn(usize) -> &'a str) -> PositionIndex {
        use hashbrown::hash_table::Entry;
        // Numbered keys are unique (a number given twice gives no array): first and last agree.
        if let Some(numbered) = NumberedIds::build_by(len, &key_of) {
            return PositionIndex {
                numbered: Some(numbered),
                table: hashbrown::HashTable::new(),
                repeated: false,
            };
        }
        let mut table = hashbrown::HashTable::with_capacity(len);
        let mut repeated = false;
        for i in 0..len {
            let key = key_of(i);
            let hash = Self::hash(key);
            match table.entry(
                hash,
                |&at: &u32| key_of(at as usize) == key,
                |&at| Self::hash(key_of(at as usize)),
            ) {
                Entry::Vacant(slot) => {
                    slot.insert(i as u32);
                }
                Entry::Occupied(mut slot) => {
                    repeated = true;
                    if last {
                        *slot.get_mut() = i as u32;
                    }
                }
            }
        }
        PositionIndex { numbered: None, table, repeated }
    }

    /// Whether some key was given more than once: if not, each item is its key's first and
    /// last, known without a lookup.
    pub(super) fn repeated(&self) -> bool {
        self.repeated
    }

    pub(super) fn get<'a>(&self, key: &str, key_of: impl Fn(usize) -> &'a str) -> Option<usize> {
        if let Some(numbered) = &self.numbered {
            return numbered.get(key).map(|at| at as usize);
        }
        self.table.find(Self::hash(key), |&at| key_of(at as usize) == key).map(|&at| at as usize)
    }
}
