//! `her replay` and `her read --record`: playthrough documents (`story::save::Playthrough`) in
//! and out. A document is input from anyone (players share them): it is versioned, refuses
//! unknown fields and option 0, and never names a file to read: the dialogue comes from the
//! command line (or the shipped default).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::story::Story;
use crate::story::save::{Playthrough, SaveDoc};
use crate::story::transcript::{render_decision, render_event};

/// Writes the playthrough that led to `state` to `path`; false (with a message) when it
/// cannot.
pub fn record(story: &Story, state: &crate::story::StoryState, path: &Path) -> bool {
    match Playthrough::new(story, state).write(path) {
        Ok(()) => true,
        Err(e) => {
            errln!("error: cannot write the recording: {e}");
            false
        }
    }
}

/// Reads a playthrough document: a recording, a shared replay, or a save (its playthrough).
/// The file is read once, bounded.
fn read_any(file: &Path) -> Result<Playthrough, String> {
    let text = crate::story::save::read_document(
        file,
        crate::story::save::MAX_DOCUMENT_BYTES,
        "playthrough",
    )
    .map_err(|e| e.to_string())?;
    // A save holds its playthrough in a field (the game writes it without a struct name).
    if text.contains("playthrough:") {
        SaveDoc::from_ron(&text, file)
            .map(|save| save.playthrough)
            .map_err(|e| e.to_string())
    } else {
        Playthrough::from_ron(&text, file).map_err(|e| e.to_string())
    }
}

/// `her replay FILE [PATHS]`: plays a document back in the story the paths give and prints
/// the transcript. Exit 0 when all of it fits, 1 when the story changed and it stopped early
/// (with a report), 2 when the document cannot be read or contradicts itself.
pub fn replay(file: &Path, paths: &[PathBuf], transcript: Option<&Path>) -> ExitCode {
    let doc = match read_any(file) {
        Ok(doc) => doc,
        Err(e) => {
            errln!("error: {e}");
            errln!(
                "hint: recordings are written by `her read --record FILE`; saves are in the game's data folder"
            );
            return ExitCode::from(2);
        }
    };
    let Some(story) = super::load_playable(paths) else {
        return ExitCode::from(2);
    };
    let mut out = String::new();
    if let Some(start) = &doc.start {
        let note = format!("{}\n", start.describe());
        outln!("{}", start.describe());
        out.push_str(&note);
    }
    let mut made = 0usize;
    let mut stdout_open = true;
    let mut emit = |text: &str, out: &mut String| {
        out.push_str(text);
        if stdout_open {
            let mut stdout = std::io::stdout().lock();
            // A reader that went away (`| head`) ends the printing quietly, not the replay.
            stdout_open = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .is_ok();
        }
    };
    let result = doc.replay(&story, |story, st, event| {
        // Decisions are printed with the option taken, as `her read` prints them.
        if st.decisions.len() > made {
            let pick = st.decisions[made..]
                .first()
                .map_or(0, |d| d.offered as usize);
            made = st.decisions.len();
            emit(&render_decision(pick), &mut out);
        }
        emit(&render_event(story, st, event), &mut out);
    });
    let replayed = match result {
        Ok(r) => r,
        Err(refused) => {
            errln!("{}: error: {refused}", file.display());
            return ExitCode::from(2);
        }
    };
    if replayed.state.decisions.len() > made {
        let pick = replayed.state.decisions[made].offered as usize;
        emit(&render_decision(pick), &mut out);
    }
    if let Some(path) = transcript
        && let Err(e) = crate::story::save::write_atomic(path, out.as_bytes())
    {
        errln!("error: cannot write the transcript: {e}");
        return ExitCode::from(2);
    }
    if !replayed.same_story {
        errln!(
            "note: the story has changed since this was recorded; decisions are followed by their ids"
        );
    }
    match replayed.problem {
        None => ExitCode::SUCCESS,
        Some(problem) => {
            errln!(
                "{}: the replay stops here: {problem} ({} of {} decisions replayed)",
                file.display(),
                replayed.replayed,
                doc.len()
            );
            ExitCode::from(1)
        }
    }
}
