//! What deciding or checking an invoice reads of its customer, kept apart from the register
//! ([`Debtors`]).

use rustc_hash::FxHashMap;

use crate::core::model::{Customer, Text};

/// A customer as the law of its claims and its rules see it: its country, whether it is a
/// consumer, and its segment ([`Debtors::segment`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Debtor {
    /// As [`Customer::country`] gives it.
    pub country: Text,
    pub consumer: bool,
    /// 1 + the segment's place in [`Debtors::segments`]; 0: no segment.
    segment: u32,
}

impl Debtor {
    /// The place of the debtor's segment in [`Debtors::segments`] (`None`: no segment).
    pub fn segment_at(&self) -> Option<usize> {
        (self.segment as usize).checked_sub(1)
    }
}

/// Every customer's [`Debtor`], by register position, and the segments they name. Deciding
/// and checking read a customer's country, kind and segment for every open invoice; read
/// from the register, that is two cache misses each (the customer's record, then its texts)
/// on a register of a hundred thousand customers, a quarter of a decision's time; these few
/// bytes per customer stay in the cache (issue #14). Built with the ledger from its register,
/// as its indexes are.
#[derive(Clone, Debug, Default)]
pub struct Debtors {
    debtors: Vec<Debtor>,
    segments: Vec<Text>,
}

impl Debtors {
    pub fn new(customers: &[Customer]) -> Debtors {
        let mut segments: Vec<Text> = Vec::new();
        let mut segment_at: FxHashMap<&str, u32> = FxHashMap::default();
        let debtors = customers
            .iter()
            .map(|c| {
                let segment = c.segment().map_or(0, |name| {
                    *segment_at.entry(name).or_insert_with(|| {
                        segments.push(name.into());
                        segments.len() as u32
                    })
                });
                Debtor { country: c.country().into(), consumer: c.kind.is_consumer(), segment }
            })
            .collect();
        Debtors { debtors, segments }
    }

    /// The debtor at this register position.
    pub fn get(&self, position: usize) -> Option<&Debtor> {
        self.debtors.get(position)
    }

    /// The name of the debtor's segment.
    pub fn segment(&self, debtor: &Debtor) -> Option<&str> {
        debtor.segment_at().map(|at| self.segments[at].as_str())
    }

    /// How many segments the register names (the places [`Debtor::segment_at`] gives are
    /// below it).
    pub fn segment_count(&self) -> usize {
        self.segments.len()
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
        assert_eq!(debtors.segment_count(), 2);
        for (at, c) in customers.iter().enumerate() {
            let d = debtors.get(at).unwrap();
            assert_eq!(d.country.as_str(), c.country(), "{at}");
            assert_eq!(d.consumer, c.kind.is_consumer(), "{at}");
            assert_eq!(debtors.segment(d), c.segment(), "{at}");
        }
        assert_eq!(debtors.get(0).unwrap().segment_at(), debtors.get(3).unwrap().segment_at());
        assert_eq!(debtors.get(1).unwrap().segment_at(), None);
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
