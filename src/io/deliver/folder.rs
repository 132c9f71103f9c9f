//! Letters handed to a print and post service: each queued letter's file copied into the
//! folder the service picks up (`[delivery.letter] folder`), atomically (a temporary dot-file
//! renamed into place, so the service never takes half a letter).

use std::path::{Path, PathBuf};

use super::Attempt;

/// The name a letter gets in the print folder: its reference's run folder and its file name
/// (`2026-11-24_reminder-1_K1_SEK.letter.html`), unique across runs.
pub fn target_name(reference: &str, file: &Path) -> String {
    let run = reference.split(['/', '\\']).rev().nth(1).unwrap_or_default();
    let name = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let name: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    if run.is_empty() { name } else { format!("{run}_{name}") }
}

/// Copies `file` into `folder` as `name`. A file of that name already there with the same
/// bytes is a copy an earlier run made before it could journal it: delivered. One with other
/// bytes is never replaced.
pub fn deliver(folder: &Path, name: &str, file: &Path) -> Attempt {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return Attempt::Failed(format!("cannot read {}: {e}", file.display())),
    };
    if !folder.is_dir() {
        return Attempt::Stop(format!(
            "the print folder {} is not a directory ([delivery.letter] folder)",
            folder.display()
        ));
    }
    let target: PathBuf = folder.join(name);
    match std::fs::read(&target) {
        Ok(there) if there == bytes => return Attempt::Sent(format!("already in {}", target.display())),
        Ok(_) => {
            return Attempt::Failed(format!("{} exists with other content; not replaced", target.display()));
        }
        Err(_) => {}
    }
    match crate::io::output::write_new_atomically(&target, &bytes) {
        Ok(()) => Attempt::Sent(format!("copied to {}", target.display())),
        Err(e) => Attempt::Stop(format!("{e:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_run_and_safe() {
        assert_eq!(
            target_name(
                "2026-11-24/reminder-1_K1_SEK",
                Path::new("out/2026-11-24/reminder-1_K1_SEK.letter.html")
            ),
            "2026-11-24_reminder-1_K1_SEK.letter.html"
        );
        assert_eq!(target_name("x", Path::new("a b.pdf")), "a_b.pdf");
    }

    #[test]
    fn a_copy_is_made_once_and_never_replaces_another() {
        let dir = tempfile::tempdir().unwrap();
        let print = dir.path().join("print");
        std::fs::create_dir(&print).unwrap();
        let letter = dir.path().join("l.html");
        std::fs::write(&letter, "brev").unwrap();
        assert!(matches!(deliver(&print, "a.html", &letter), Attempt::Sent(s) if s.starts_with("copied")));
        assert_eq!(std::fs::read_to_string(print.join("a.html")).unwrap(), "brev");
        assert!(matches!(deliver(&print, "a.html", &letter), Attempt::Sent(s) if s.starts_with("already")));
        std::fs::write(&letter, "annat brev").unwrap();
        assert!(matches!(deliver(&print, "a.html", &letter), Attempt::Failed(_)));
        assert_eq!(std::fs::read_to_string(print.join("a.html")).unwrap(), "brev");
        assert!(matches!(deliver(&dir.path().join("none"), "b.html", &letter), Attempt::Stop(_)));
        // Nothing but the letter is left in the print folder.
        assert_eq!(std::fs::read_dir(&print).unwrap().count(), 1);
    }
}
