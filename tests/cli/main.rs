//! Integration tests through the real binary, on real files in a temp dir. One test binary
//! (each extra one costs a link on two cores).

mod check;
mod common;
mod customer;
mod dunning;
mod import;
mod interest;
mod loading;
mod report;
mod safety;
