//! Large outputs made on every core (issue #14): the rows are cut into blocks, each block's
//! text is made on one of a few threads, and the blocks are written in order, so that the
//! bytes are those one thread makes. A few blocks at most are made ahead of the writing: an
//! output of millions of rows is still never held whole.

use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::core::workers;

/// Rows in a block: small enough that a few blocks in flight are a few megabytes, large
/// enough that handing one over costs nothing beside making it.
pub(crate) const BLOCK_ROWS: usize = 1024;

/// The rows of block `block` of `rows` rows.
fn block_range(block: usize, rows: usize) -> Range<usize> {
    block * BLOCK_ROWS..((block + 1) * BLOCK_ROWS).min(rows)
}

/// The text of rows `0..rows`, made block by block by `make` (a block's rows, and an empty
/// buffer to write them into), given to `put` block by block in order. On one thread when
/// there are few blocks or one core.
pub(crate) fn in_blocks(
    rows: usize,
    make: &(dyn Fn(Range<usize>, &mut String) + Sync),
    put: &mut dyn FnMut(&str),
) {
    let blocks = rows.div_ceil(BLOCK_ROWS);
    let workers = workers().min(blocks);
    if workers <= 1 {
        let mut text = String::new();
        for block in 0..blocks {
            text.clear();
            make(block_range(block, rows), &mut text);
            put(&text);
        }
        return;
    }
    std::thread::scope(|scope| {
        // Worker `w` makes blocks w, w + workers, ...: the writer takes them from each in turn.
        let mut made: Vec<(Receiver<String>, SyncSender<String>)> = Vec::with_capacity(workers);
        for me in 0..workers {
            let (send, receive) = sync_channel::<String>(2);
            // Buffers written out go back to their worker, to be filled again.
            let (give_back, take_back) = sync_channel::<String>(4);
            made.push((receive, give_back));
            scope.spawn(move || {
                for block in (me..blocks).step_by(workers) {
                    let mut text = take_back.try_recv().unwrap_or_default();
                    text.clear();
                    make(block_range(block, rows), &mut text);
                    if send.send(text).is_err() {
                        return;
                    }
                }
            });
        }
        for block in 0..blocks {
            let (receive, give_back) = &made[block % workers];
            let Ok(text) = receive.recv() else { break };
            put(&text);
            let _ = give_back.try_send(text);
        }
    });
}

/// `visit` over rows `0..rows` cut into as many runs as there are workers, each on its own
/// thread, with a state `new` makes for each: the states in the order of their runs.
pub(crate) fn in_runs<S: Send>(
    rows: usize,
    new: &(dyn Fn() -> S + Sync),
    visit: &(dyn Fn(&mut S, Range<usize>) + Sync),
) -> Vec<S> {
    let runs = workers().min(rows.div_ceil(BLOCK_ROWS)).max(1);
    let run = rows.div_ceil(runs);
    let range = |r: usize| (r * run).min(rows)..((r + 1) * run).min(rows);
    if runs == 1 {
        let mut state = new();
        visit(&mut state, 0..rows);
        return vec![state];
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..runs)
            .map(|r| {
                scope.spawn(move || {
                    let mut state = new();
                    visit(&mut state, range(r));
                    state
                })
            })
            .collect();
        let mut first = new();
        visit(&mut first, range(0));
        let mut states = vec![first];
        // A worker that panicked takes the run down with it, as one thread would.
        states.extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))));
        states
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_come_in_order_whatever_thread_made_them() {
        for rows in [0, 1, BLOCK_ROWS - 1, BLOCK_ROWS, BLOCK_ROWS + 1, 7 * BLOCK_ROWS + 3] {
            let mut written = Vec::new();
            in_blocks(
                rows,
                &|range, text| {
                    for i in range {
                        text.push_str(&format!("{i}\n"));
                    }
                },
                &mut |text| written.extend(text.lines().map(|l| l.parse::<usize>().unwrap())),
            );
            assert_eq!(written, (0..rows).collect::<Vec<_>>(), "{rows} rows");
        }
    }

    #[test]
    fn runs_cover_every_row_once_in_order() {
        for rows in [0, 1, BLOCK_ROWS, 3 * BLOCK_ROWS + 5] {
            let states = in_runs(rows, &Vec::new, &|seen: &mut Vec<usize>, range| seen.extend(range));
            let all: Vec<usize> = states.into_iter().flatten().collect();
            assert_eq!(all, (0..rows).collect::<Vec<_>>(), "{rows} rows");
        }
    }
}
