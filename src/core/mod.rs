//! The pure core: no files, no clock, no printing. Everything takes data, a policy and the
//! as-of date, and returns values.

pub mod account;
pub mod aging;
pub mod agreement;
pub mod charges;
pub mod check;
pub mod claim;
pub mod country;
pub mod credit;
pub mod customer;
pub mod date;
pub mod delivery;
pub mod dunning;
#[cfg(test)]
mod dunning_tests;
pub mod finding;
pub mod freshness;
pub mod idnumber;
pub mod insight;
pub mod interest;
pub mod journal;
#[cfg(test)]
mod law_tests;
pub mod ledger;
pub mod matching;
pub mod model;
pub mod money;
pub mod phone;
pub mod policy;
pub mod privacy;
pub mod reference;
pub mod rules;
pub mod sie;
pub mod starter;

/// The threads a run splits its work over (a file's chunks, a ledger's decisions, a listing's
/// blocks): the machine's cores, at most four, past which the parts gain nothing on the
/// memory they share.
pub fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}
