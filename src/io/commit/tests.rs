use super::*;
use crate::core::journal::Event;

/// A journal of one note.
const ONE_NOTE: &str =
    "date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-01,note,1,,,,,,x\n";

/// A folder with [`ONE_NOTE`] as its journal.
fn journal_of_one_note() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(JOURNAL), ONE_NOTE).unwrap();
    dir
}

fn entry(invoice: &str) -> Entry {
    let mut e = Entry::new(chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(), Event::Promise);
    e.set_invoice(Some(invoice));
    e.until = chrono::NaiveDate::from_ymd_opt(2026, 12, 24);
    e.set_note(Some("said so, on the phone"));
    e
}

/// Files staged into folders in turn, one of them removed after its first file: every
/// folder is made when first needed and again when gone, and every file lands.
#[test]
fn staged_files_land_in_their_folders_even_one_removed_between_two_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut tx = Transaction::new(dir.path());
    let at = |path: &str| dir.path().join(path);
    tx.stage(&at("out/a/1.pdf"), b"1").unwrap();
    tx.stage(&at("out/a/2.pdf"), b"2").unwrap();
    std::fs::remove_file(crate::io::output::temp_path(&at("out/a/2.pdf"))).unwrap();
    std::fs::remove_file(crate::io::output::temp_path(&at("out/a/1.pdf"))).unwrap();
    std::fs::remove_dir(at("out/a")).unwrap();
    tx.stage(&at("out/a/3.pdf"), b"3").unwrap();
    tx.stage(&at("out/b/4.pdf"), b"4").unwrap();
    tx.stage(&at("out/a/5.pdf"), b"5").unwrap();
    tx.staged.retain(|staged| staged.temp.exists());
    tx.commit().unwrap();
    for (path, bytes) in [("out/a/3.pdf", "3"), ("out/b/4.pdf", "4"), ("out/a/5.pdf", "5")] {
        assert_eq!(std::fs::read_to_string(at(path)).unwrap(), bytes, "{path}");
    }
}

/// A run that replaces the journal: committed, readers see the new journal (its lines
/// included) before and after the rename, and recovery renames it.
#[test]
fn a_replaced_journal_is_read_as_committed_and_finished_by_the_next_run() {
    let old = "date,event,invoice,customer,amount,until,channel,ref,note\n2026-11-01,note,1,,,,,,secret\n";
    let new = old.replace("secret", "(forgotten)");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(JOURNAL), old).unwrap();
    let mut tx = Transaction::new(dir.path());
    tx.replace_journal(new.clone().into_bytes());
    tx.journal(&[entry("2")]);
    tx.commit().unwrap();
    let whole = std::fs::read_to_string(dir.path().join(JOURNAL)).unwrap();
    assert!(whole.starts_with(&new) && whole.lines().count() == 3, "{whole}");
    assert!(!dir.path().join(COMMIT).exists());

    // Stopped after the commit point, before the rename.
    std::fs::write(dir.path().join(JOURNAL), old).unwrap();
    let temp = crate::io::output::temp_path(&dir.path().join(JOURNAL));
    std::fs::write(&temp, &whole).unwrap();
    let intent = Intent {
        version: 1,
        journal_len: whole.len() as u64,
        journal: String::new(),
        files: vec![Staged { temp, target: dir.path().join(JOURNAL) }],
        replaces_journal: true,
        journal_file: None,
        removes: Vec::new(),
        folders: Vec::new(),
    };
    std::fs::write(dir.path().join(COMMIT), serde_json::to_vec(&intent).unwrap()).unwrap();
    let mut seen = String::new();
    let view = committed_view(dir.path()).unwrap();
    view.file.unwrap().read_to_string(&mut seen).unwrap();
    assert_eq!((view.len, seen.as_str()), (whole.len() as u64, whole.as_str()));
    assert_eq!(recover(dir.path()).unwrap().len(), 1);
    assert_eq!(std::fs::read_to_string(dir.path().join(JOURNAL)).unwrap(), whole);
    assert!(!dir.path().join(COMMIT).exists());
}

/// Every byte a stop can leave the journal at after the commit point: recovery makes it
/// whole, and the letter is in place.
#[test]
fn a_run_stopped_at_any_byte_of_its_append_is_finished_by_the_next() {
    let (dir, base) = (journal_of_one_note(), ONE_NOTE);
    let mut tx = Transaction::new(dir.path());
    tx.stage(&dir.path().join("out/a.txt"), b"letter").unwrap();
    tx.journal(&[entry("2024197"), entry("2")]);
    tx.commit().unwrap();
    let whole = std::fs::read(dir.path().join(JOURNAL)).unwrap();
    let lines = &whole[base.len()..];
    for cut in 0..=lines.len() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(JOURNAL), &whole[..base.len() + cut]).unwrap();
        std::fs::create_dir(d.path().join("out")).unwrap();
        let temp = crate::io::output::temp_path(&d.path().join("out/a.txt"));
        std::fs::write(&temp, b"letter").unwrap();
        let intent = Intent {
            version: 1,
            journal_len: base.len() as u64,
            journal: String::from_utf8(lines.to_vec()).unwrap(),
            files: vec![Staged { temp, target: d.path().join("out/a.txt") }],
            replaces_journal: false,
            journal_file: None,
            removes: Vec::new(),
            folders: Vec::new(),
        };
        std::fs::write(d.path().join(COMMIT), serde_json::to_vec(&intent).unwrap()).unwrap();
        let view = committed_view(d.path()).unwrap();
        assert_eq!(view.len, base.len() as u64);
        let said = recover(d.path()).unwrap();
        assert_eq!(said.len(), 1, "cut {cut}: {said:?}");
        assert_eq!(std::fs::read(d.path().join(JOURNAL)).unwrap(), whole, "cut at {cut}");
        assert_eq!(std::fs::read(d.path().join("out/a.txt")).unwrap(), b"letter");
        assert!(!d.path().join(COMMIT).exists());
        assert!(recover(d.path()).unwrap().is_empty());
    }
}

/// Lines given one by one land in a staged file the commit names: appended whole, the
/// file gone after; stopped at any byte of the append, the next run finishes it, and a
/// reader meanwhile sees the lines as committed.
#[test]
fn streamed_lines_are_appended_whole_or_finished_by_the_next_run() {
    let (dir, base) = (journal_of_one_note(), ONE_NOTE);
    let mut tx = Transaction::new(dir.path());
    tx.journal_line(&entry("2024197")).unwrap();
    tx.journal_line(&entry("2")).unwrap();
    tx.journal(&[entry("3")]);
    tx.commit().unwrap();
    let whole = std::fs::read(dir.path().join(JOURNAL)).unwrap();
    let mut expected = base.as_bytes().to_vec();
    expected
        .extend(crate::io::journal_file::render_lines(&[entry("2024197"), entry("2"), entry("3")], false));
    assert_eq!(whole, expected);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the journal is left");

    let lines = &whole[base.len()..];
    for cut in (0..=lines.len()).step_by(7) {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(JOURNAL), &whole[..base.len() + cut]).unwrap();
        let staged = temp_path(&d.path().join(JOURNAL_LINES));
        std::fs::write(&staged, lines).unwrap();
        let intent = Intent {
            version: 1,
            journal_len: base.len() as u64,
            journal: String::new(),
            files: Vec::new(),
            replaces_journal: false,
            journal_file: Some(staged.clone()),
            removes: Vec::new(),
            folders: Vec::new(),
        };
        std::fs::write(d.path().join(COMMIT), serde_json::to_vec(&intent).unwrap()).unwrap();
        let view = committed_view(d.path()).unwrap();
        assert_eq!((view.len, view.pending.as_slice()), (base.len() as u64, lines));
        let said = recover(d.path()).unwrap();
        assert!(said[0].contains("3 journal line(s)"), "cut {cut}: {said:?}");
        assert_eq!(std::fs::read(d.path().join(JOURNAL)).unwrap(), whole, "cut at {cut}");
        assert!(!d.path().join(COMMIT).exists() && !staged.exists());
    }
    // A new journal gets its header in the staged lines.
    let d = tempfile::tempdir().unwrap();
    let mut tx = Transaction::new(d.path());
    tx.journal_line(&entry("9")).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        std::fs::read(d.path().join(JOURNAL)).unwrap(),
        crate::io::journal_file::render_lines(&[entry("9")], true)
    );
}

#[test]
fn a_torn_line_without_a_commit_is_set_aside() {
    let (dir, base) = (tempfile::tempdir().unwrap(), ONE_NOTE);
    std::fs::write(dir.path().join(JOURNAL), format!("{base}2026-11-30,promise,2")).unwrap();
    let view = committed_view(dir.path()).unwrap();
    assert_eq!(view.len, base.len() as u64);
    assert_eq!(view.torn.as_deref(), Some("2026-11-30,promise,2"));
    let said = recover(dir.path()).unwrap();
    assert!(said[0].contains("2026-11-30,promise,2"), "{said:?}");
    assert_eq!(std::fs::read_to_string(dir.path().join(JOURNAL)).unwrap(), base);
    assert_eq!(std::fs::read_to_string(dir.path().join(TORN)).unwrap(), "2026-11-30,promise,2\n");
    // A whole line that only lacks its newline is a record, not a tear.
    let whole = format!("{base}2026-11-30,promise,2,K,,2026-12-24,,,");
    std::fs::write(dir.path().join(JOURNAL), &whole).unwrap();
    assert!(committed_view(dir.path()).unwrap().torn.is_none());
}

#[test]
fn an_uncommitted_run_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut tx = Transaction::new(dir.path());
    tx.stage(&dir.path().join("out/d/a.txt"), b"x").unwrap();
    tx.journal(&[entry("1")]);
    drop(tx);
    assert_eq!(std::fs::read_dir(dir.path().join("out/d")).unwrap().count(), 0);
    assert!(!dir.path().join(JOURNAL).exists());
}

/// Every file of `dir`, relative to it, with its bytes (folders walked).
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                let name = e.path().strip_prefix(dir).unwrap().display().to_string();
                files.push((name, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// A folder made whole: nothing of it is where it belongs before the commit, all of it
/// after, and no temporary name is left; dropped uncommitted, nothing is left at all.
#[test]
fn a_folder_made_whole_appears_at_the_commit_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("out/2026-11-30");
    let mut tx = Transaction::new(dir.path());
    let temp = tx.stage_folder(&folder).unwrap().expect("the folder is new");
    assert_eq!(tx.stage_folder(&folder).unwrap(), Some(temp.clone()), "asked again, the same");
    tx.stage(&folder.join("a.pdf"), b"A").unwrap();
    let mut piece = tx.staged_file(&folder.join("batch.csv")).unwrap();
    piece.write_all(b"B").unwrap();
    tx.stage_file(piece).unwrap();
    let written = crate::io::output::WrittenTemp::write_new(&temp.join("c.eml"), b"C").unwrap();
    let (path, len) = written.claim();
    tx.stage_written(&folder.join("c.eml"), path, len);
    // A file elsewhere is staged as ever, beside its place.
    tx.stage(&dir.path().join("out/queue.csv"), b"Q").unwrap();
    tx.journal(&[entry("1")]);
    assert!(!folder.exists(), "nothing is in place before the commit");
    tx.commit().unwrap();
    let journal = std::fs::read_to_string(dir.path().join(JOURNAL)).unwrap();
    let mut want: Vec<(String, Vec<u8>)> = vec![
        ("out/2026-11-30/a.pdf".into(), b"A".to_vec()),
        ("out/2026-11-30/batch.csv".into(), b"B".to_vec()),
        ("out/2026-11-30/c.eml".into(), b"C".to_vec()),
        ("out/queue.csv".into(), b"Q".to_vec()),
        (JOURNAL.into(), journal.into_bytes()),
    ];
    want.sort();
    assert_eq!(files_under(dir.path()), want);
    assert_eq!(std::fs::read_dir(dir.path().join("out")).unwrap().count(), 2, "no temporary folder left");

    let dir = tempfile::tempdir().unwrap();
    let mut tx = Transaction::new(dir.path());
    tx.stage_folder(&dir.path().join("out/d")).unwrap();
    tx.stage(&dir.path().join("out/d/a.txt"), b"x").unwrap();
    drop(tx);
    assert_eq!(std::fs::read_dir(dir.path().join("out")).unwrap().count(), 0);
}

/// A folder that exists is not made whole: its files are staged one by one beside their
/// places, and what is there stays.
#[test]
fn a_folder_that_exists_is_staged_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("out/d");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("old.txt"), b"old").unwrap();
    let mut tx = Transaction::new(dir.path());
    assert_eq!(tx.stage_folder(&folder).unwrap(), None);
    tx.stage(&folder.join("new.txt"), b"new").unwrap();
    tx.commit().unwrap();
    assert_eq!(std::fs::read(folder.join("old.txt")).unwrap(), b"old");
    assert_eq!(std::fs::read(folder.join("new.txt")).unwrap(), b"new");
}

/// A run stopped after its commit point, with its folder not yet renamed, renamed but
/// the record still there, or with a folder of that name made by hand meanwhile: the next
/// run puts every file in place.
#[test]
fn a_folder_made_whole_is_put_in_place_by_the_next_run() {
    for case in ["not renamed", "renamed", "made by hand"] {
        let d = tempfile::tempdir().unwrap();
        let folder = d.path().join("out/2026-11-30");
        let temp = crate::io::output::temp_path(&folder);
        std::fs::create_dir_all(&temp).unwrap();
        std::fs::write(temp.join("a.pdf"), b"A").unwrap();
        match case {
            "renamed" => std::fs::rename(&temp, &folder).unwrap(),
            "made by hand" => {
                std::fs::create_dir_all(&folder).unwrap();
                std::fs::write(folder.join("mine.txt"), b"mine").unwrap();
            }
            _ => {}
        }
        let lines = crate::io::journal_file::render_lines(&[entry("1")], true);
        let intent = Intent {
            version: 1,
            journal_len: 0,
            journal: String::from_utf8(lines.clone()).unwrap(),
            files: Vec::new(),
            replaces_journal: false,
            journal_file: None,
            removes: Vec::new(),
            folders: vec![Staged { temp: temp.clone(), target: folder.clone() }],
        };
        std::fs::write(d.path().join(COMMIT), serde_json::to_vec(&intent).unwrap()).unwrap();
        let said = recover(d.path()).unwrap();
        assert!(said[0].contains("1 folder(s)"), "{case}: {said:?}");
        assert_eq!(std::fs::read(folder.join("a.pdf")).unwrap(), b"A", "{case}");
        assert!(!temp.exists(), "{case}");
        assert_eq!(folder.join("mine.txt").exists(), case == "made by hand");
        assert_eq!(std::fs::read(d.path().join(JOURNAL)).unwrap(), lines, "{case}");
        assert!(!d.path().join(COMMIT).exists(), "{case}");
    }
}
