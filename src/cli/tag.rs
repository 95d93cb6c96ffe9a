//! `her tag [PATHS] [--check]`: stamps stable ids on every line, choice and fragment that lacks
//! one (`story::tag`), writing each changed file atomically; `--check` only says what is
//! untagged and exits 1 if anything is, for CI.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::story::Severity;
use crate::story::files::{Limits, read_dialogue};
use crate::story::tag::tag_files;

/// Runs `her tag`.
pub fn run(paths: &[PathBuf], check: bool) -> ExitCode {
    let read = read_dialogue(paths, &Limits::default());
    let unreadable: Vec<&std::path::Path> = read
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .filter_map(|d| d.file.as_deref())
        .collect();
    let tagged = tag_files(&read.sources);
    let mut status = ExitCode::SUCCESS;
    let (mut lines, mut choices, mut fragments, mut files) = (0, 0, 0, 0);
    for (source, t) in read.sources.iter().zip(&tagged) {
        for s in &t.skipped {
            errln!("warning: {s}");
        }
        if !t.changed() {
            continue;
        }
        // A file read with a problem (bad UTF-8 replaced, say) is never written back.
        if unreadable.iter().any(|p| *p == source.path) {
            errln!(
                "warning: {} was not read cleanly (`her check` says why); it was left as it is",
                source.path.display()
            );
            continue;
        }
        lines += t.lines;
        choices += t.choices;
        fragments += t.fragments;
        files += 1;
        if check {
            outln!(
                "{}: {} lines, {} choices, {} fragments have no stable id",
                source.path.display(),
                t.lines,
                t.choices,
                t.fragments
            );
            status = ExitCode::from(1);
        } else if let Err(e) = crate::story::save::write_atomic(&source.path, t.text.as_bytes()) {
            errln!("error: cannot write {}: {e}", source.path.display());
            status = ExitCode::from(2);
        }
    }
    let verb = if check { "would tag" } else { "tagged" };
    outln!("{verb} {lines} lines, {choices} choices and {fragments} fragments in {files} files");
    status
}
