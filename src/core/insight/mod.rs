//! What the history says: whether the dunning ladder works, and what cash to expect.

pub mod discount;
pub mod effectiveness;
pub mod forecast;
