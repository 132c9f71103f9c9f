//! The check the bank-file targets share: a file read whole and read as `dun import` streams it
//! gives the same result. Included by each target with `#[path]`; not a target itself.
use dun::io::bank::{BankError, BankFile, BankPayment};

/// Both accept or both reject; accepted, the file with the streamed `payments` put back equals
/// the whole file's, unless an id repeats (the whole-file parser renames a repeat `X#2`; the
/// import reads such a file whole). With `errors_too`, two rejections list the same errors.
pub fn same(
    whole: Result<BankFile, Vec<BankError>>,
    streamed: Result<BankFile, Vec<BankError>>,
    payments: Vec<BankPayment>,
    errors_too: bool,
) {
    match (whole, streamed) {
        (Ok(whole), Ok(mut streamed)) => {
            streamed.payments = payments;
            let mut ids: Vec<&str> = streamed.payments.iter().map(|p| p.txid.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.len() == streamed.payments.len() {
                assert_eq!(streamed, whole);
            }
        }
        (Err(whole), Err(streamed)) => {
            if errors_too {
                assert_eq!(streamed, whole);
            }
        }
        (whole, streamed) => panic!("whole {whole:?}\nstreamed {streamed:?}"),
    }
}
