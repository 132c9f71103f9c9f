//! Integration tests through the real binary, on real files in a temp dir. One test binary
//! (each extra one costs a link on two cores).

mod banks;
mod check;
mod common;
mod completions;
mod composing;
mod customer;
mod delivery;
mod discount;
mod dunning;
mod exports;
mod html;
mod import;
mod init;
mod insight;
mod interest;
mod law;
mod letters;
mod loading;
mod pdf;
mod privacy;
mod report;
mod routine;
mod rules;
mod safety;
mod sie;
mod smtp;
mod spreadsheets;
mod strict;
mod systems;
mod terminal;
mod total;
mod usage;
