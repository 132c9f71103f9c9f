//! What deciding or checking an invoice reads of its customer, kept apart from the register
//! ([`Debtors`]).

use rustc_hash::FxHashMap;

use crate::core::model::{Customer, Text};

/// A customer as the law of its claims and its rules see it: its country (as
/// [`Customer::country`] gives it), whether it is a consumer, and its segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Debtor<'d> {
    pub country: &'d str,
    pub consumer: bool,
    pub segment: Option<&'d str>,
    /// The segment's place among those the register names, in the order first met.
    pub segment_at: Option<usize>,
}

/// A [`Debtor`] as kept: its country's and segment's places among those the register names
/// (1 + the place; 0: none), so that a register of a hundred thousand customers takes 1.2 MB.
#[derive(Clone, Copy, Debug)]
struct Kept {
    country: u32,
    segment: u32,
    consumer: bool,
}

/// Every customer's [`Debtor`], by register position. Deciding and checking read a customer's
/// country, kind and segment for every open invoice; read from the register, that is two
/// cache misses each (the customer's record, then its texts) on a register of a hundred
/// thousand customers, a quarter of a decision's time; these few bytes per customer stay in
/// the cache (issue #14). Built with the ledger from its register, as its indexes are.
#[derive(Clone, Debug, Default)]
pub struct Debtors {
    kept: Vec<Kept>,
    countries: Vec<Text>,
    segments: Vec<Text>,
}

impl Debtors {
    pub fn new(customers: &[Customer]) -> Debtors {
        let (mut countries, mut segments) = (Places::default(), Places::default());
        let kept = customers
            .iter()
            .map(|c| Kept {
                country: countries.of(Some(c.country())),
                segment: segments.of(c.segment()),
                consumer: c.kind.is_consumer(),
            })
            .collect();
        Debtors { kept, countries: countries.names, segments: segments.names }
    }

    /// The segments the register names, by their place ([`Debtor::segment_at`]).
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().map(Text::as_str)
    }

    /// The debtor at this register position.
    pub fn get(&self, position: usize) -> Option<Debtor<'_>> {
        let kept = self.kept.get(position)?;
        let segment_at = (kept.segment as usize).checked_sub(1);
        Some(Debtor {
            country: (kept.country as usize).checked_sub(1).map_or("", |at| self.countries[at].as_str()),
            consumer: kept.consumer,
            segment: segment_at.map(|at| self.segments[at].as_str()),
            segment_at,
        })
    }
}

/// Texts given a place each in the order first met.
#[derive(Default)]
struct Places<'a> {
    names: Vec<Text>,
    at: FxHashMap<&'a str, u32>,
}

impl<'a> Places<'a> {
    /// 1 + the place of `name` (0 for none).
    fn of(&mut self, name: Option<&'a str>) -> u32 {
        let Some(name) = name else { return 0 };
        let names = &mut self.names;
        *self.at.entry(name).or_insert_with(|| {
            names.push(name.into());
            names.len() as u32
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::CustomerKind;

    #[test]
    fn each_customer_has_its_country_kind_and_segment() {
        let customers = vec![
            Customer::new("1", "A").with_country("SE").with_segment(Some("key")),
            Customer::new("2", "B").with_country("NO").with_kind(CustomerKind::Consumer),
            Customer::new("3", "C").with_country("FI").with_segment(Some("small")),
            Customer::new("4", "D").with_segment(Some("key")),
        ];
        let debtors = Debtors::new(&customers);
        for (at, c) in customers.iter().enumerate() {
            let d = debtors.get(at).unwrap();
            assert_eq!(d.country, c.country(), "{at}");
            assert_eq!(d.consumer, c.kind.is_consumer(), "{at}");
            assert_eq!(d.segment, c.segment(), "{at}");
        }
        assert_eq!(debtors.get(0).unwrap().segment_at, debtors.get(3).unwrap().segment_at);
        assert_eq!(debtors.get(2).unwrap().segment_at, Some(1));
        assert_eq!(debtors.get(1).unwrap().segment_at, None);
        assert!(debtors.get(4).is_none());
    }

    /// The law of a customer's claims is the same read from its debtor as from its record:
    /// a consumer's country's, a business's the company's; a customer the register lacks is
    /// under the company's law and owes no compensation for recovery costs.
    #[test]
    fn a_debtor_is_under_the_law_its_customer_is() {
        use crate::core::charges::Law;
        use crate::core::policy::Policy;
        let policy =
            Policy::from_toml("[company]\nname = \"T\"\ncountry = \"SE\"\ncurrency = \"SEK\"\n").unwrap();
        let rules = policy.base_rules();
        let customers = vec![
            Customer::new("1", "A").with_country("NO"),
            Customer::new("2", "B").with_country("NO").with_kind(CustomerKind::Consumer),
            Customer::new("3", "C").with_country("FI").with_kind(CustomerKind::Consumer),
            Customer::new("4", "D").with_country("XX").with_kind(CustomerKind::Consumer),
            Customer::new("5", "E").with_kind(CustomerKind::Consumer),
        ];
        let debtors = Debtors::new(&customers);
        let facts = |law: Law<'_>| (law.pack.country, law.consumer, law.business);
        for (at, c) in customers.iter().enumerate() {
            let by_record = facts(Law::of(&policy, Some(c), &rules));
            assert_eq!(facts(Law::of_debtor(&policy, debtors.get(at), &rules)), by_record, "{at}");
            assert_eq!(by_record.2, !c.kind.is_consumer(), "{at}");
        }
        assert_eq!(facts(Law::of(&policy, Some(&customers[0]), &rules)), ("SE", false, true));
        assert_eq!(facts(Law::of(&policy, Some(&customers[1]), &rules)), ("NO", true, false));
        assert_eq!(facts(Law::of(&policy, None, &rules)), ("SE", false, false));
        assert_eq!(facts(Law::of_debtor(&policy, None, &rules)), ("SE", false, false));
    }
}
