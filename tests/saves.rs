//! Saves and recordings: one playthrough document by stable ids, always resumed by replaying
//! from the seed; exact on an unchanged story, at the nearest surviving point on an edited one,
//! a message (never a panic) for anything damaged, tampered with or hostile; and files that
//! survive a crash mid-write.

use std::path::Path;

use her::story::runtime::Event;
use her::story::save::{Playthrough, SaveDoc, SaveError};
use her::story::{Resume, Story, StoryState};

use crate::common::{mini, mini_edited};

/// Plays `picks` (0-based) and stops at the next decision.
fn play(story: &Story, seed: u64, picks: &[usize]) -> StoryState {
    story.play(seed, picks, |_, _, _| {}).unwrap()
}

/// Every state a playthrough passes through (after each event), with these picks (0-based).
fn every_moment(story: &Story, seed: u64, picks: &[usize]) -> Vec<StoryState> {
    let mut st = story.new_state(seed);
    let mut out = Vec::new();
    let mut picks = picks.iter();
    for _ in 0..10_000 {
        let event = story.next(&mut st);
        out.push(st.clone());
        if event.is_final() {
            break;
        }
        if event.is_decision() {
            let Some(&p) = picks.next() else { break };
            if story.choose(&mut st, p).is_err() {
                break;
            }
            out.push(st.clone());
        }
    }
    out
}

#[test]
fn a_save_round_trips_exactly() {
    let story = mini();
    let st = play(&story, 5, &[0, 1]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slot1.ron");
    SaveDoc::new(&story, &st, "One").write(&path).unwrap();
    let doc = SaveDoc::read(&path).unwrap();
    assert_eq!(doc.label, "One");
    assert_eq!(doc.chapter.as_deref(), Some("one"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("Save(") && text.contains("Playthrough("),
        "{text}"
    );
    match doc.resume(&story) {
        Resume::Exact(back) => {
            assert_eq!(back, st);
            // And it plays on identically.
            let (mut a, mut b) = (back, st.clone());
            for _ in 0..20 {
                let ea = story.next(&mut a);
                let ea = her::story::transcript::render_event(&story, &a, &ea);
                let eb = story.next(&mut b);
                let eb = her::story::transcript::render_event(&story, &b, &eb);
                assert_eq!(ea, eb);
            }
        }
        other => panic!("expected an exact resume, got {other:?}"),
    }
}

#[test]
fn every_moment_of_a_playthrough_resumes_exactly_by_replay() {
    let story = mini();
    for (seed, picks) in [
        (5, vec![0, 1, 0, 0]),
        (9, vec![1, 0, 2, 0]),
        (1, vec![0, 2, 1]),
    ] {
        for (k, st) in every_moment(&story, seed, &picks).into_iter().enumerate() {
            let doc = SaveDoc::new(&story, &st, "x");
            let text = doc.to_ron();
            let back = SaveDoc::from_ron(&text, Path::new("x")).unwrap();
            match back.resume(&story) {
                Resume::Exact(state) => assert_eq!(state, st, "seed {seed}, moment {k}"),
                other => panic!("seed {seed}, moment {k}: {other:?}"),
            }
        }
    }
}

/// The mini story with a line and a choice inserted above everything a save names.
fn mini_with_insertions() -> Story {
    // Both edits in one story: a line at the top, a choice first in the second node.
    let sources: Vec<her::story::diagnostic::SourceFile> = ["story.ron", "one.ron", "two.ron"]
        .iter()
        .map(|name| {
            let path = Path::new("tests/fixtures/mini").join(name);
            let mut text = std::fs::read_to_string(&path).unwrap();
            if *name == "one.ron" {
                text = text
                    .replace(
                        r#"Line("The room is dark. #line:bd5882"),"#,
                        r#"Line("Rain on the glass. #line:new001"), Line("The room is dark. #line:bd5882"),"#,
                    )
                    .replace(
                        r#"(text: "Tell her your fear.""#,
                        r#"(text: "Ask about the rain.", id: "rain", once: true, goto: "fear"),
                (text: "Tell her your fear.""#,
                    );
            }
            her::story::diagnostic::SourceFile::new(path, text)
        })
        .collect();
    let report = her::story::load::compile_sources(sources, std::slice::from_ref(&(0..3)));
    assert!(!report.has_errors(), "{:#?}", report.diagnostics);
    report.story.unwrap()
}

#[test]
fn inserting_a_line_or_a_choice_keeps_saves_and_recordings_resuming_exactly() {
    let story = mini();
    let edited = mini_with_insertions();
    assert_ne!(edited.fingerprint(), story.fingerprint());
    for (seed, picks) in [(5, vec![0, 1, 0, 0]), (9, vec![1, 0, 2, 0])] {
        for (k, st) in every_moment(&story, seed, &picks).into_iter().enumerate() {
            // Before the first line the inserted one would be read too: skip those moments.
            if st.lines_delivered < 2 {
                continue;
            }
            let doc = SaveDoc::new(&story, &st, "x");
            let resumed = doc.resume(&edited);
            let (state, message) = match resumed {
                Resume::Replayed { state, message, .. } => (state, message),
                Resume::Exact(_) => panic!("the story changed: not exact by fingerprint"),
            };
            let at = format!("seed {seed}, moment {k}: {message}");
            assert!(message.contains("All"), "{at}");
            assert_eq!(state.decisions.len(), st.decisions.len(), "{at}");
            assert_eq!(state.vars, st.vars, "{at}");
            assert_eq!(state.last_line_id(&edited), st.last_line_id(&story), "{at}");
            // The recording of the same moment replays as far and reports nothing.
            let replayed = doc.playthrough.replay(&edited, |_, _, _| {}).unwrap();
            assert_eq!(replayed.problem, None, "{at}");
        }
    }
}

#[test]
fn a_save_whose_choice_was_removed_resumes_at_the_last_point_that_fits() {
    let story = mini();
    let st = play(&story, 5, &[1, 0]);
    let doc = SaveDoc::new(&story, &st, "One");
    let edited = mini_edited(
        "one.ron",
        r#"(text: "Say nothing.", id: "silent", do: ["trust -= 1"], then: [Line("os: Okay. #line:f8910e")], goto: "fear"),"#,
        "",
    );
    let Resume::Replayed {
        state,
        replayed,
        message,
    } = doc.resume(&edited)
    else {
        panic!("replay expected")
    };
    assert_eq!(replayed, 0);
    assert!(
        message.contains("one.start") && message.contains("silent"),
        "{message}"
    );
    assert!(
        state.is_waiting(),
        "the player can choose again where the story changed"
    );
}

#[test]
fn a_damaged_newer_or_unknown_save_is_reported_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.ron");
    std::fs::write(&path, "this is not a save").unwrap();
    let err = SaveDoc::read(&path).unwrap_err();
    assert!(matches!(err, SaveError::Format { .. }));
    assert!(err.to_string().contains("bad.ron"));

    let story = mini();
    let st = play(&story, 1, &[0]);
    let text = SaveDoc::new(&story, &st, "x").to_ron();
    std::fs::write(&path, text.replacen("format: 2", "format: 99", 1)).unwrap();
    assert!(matches!(
        SaveDoc::read(&path).unwrap_err(),
        SaveError::TooNew { found: 99, .. }
    ));
    // Unknown fields are refused: a document never carries a path for a tool to follow.
    std::fs::write(
        &path,
        text.replacen("seed:", "dialogue: [\"/etc\"],\n        seed:", 1),
    )
    .unwrap();
    let err = SaveDoc::read(&path).unwrap_err().to_string();
    assert!(err.contains("dialogue") && err.contains("line"), "{err}");
    // A byte-order mark is fine.
    std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
    assert!(SaveDoc::read(&path).is_ok());
}

#[test]
fn hand_edited_documents_give_messages_not_panics() {
    let story = mini();
    let st = play(&story, 5, &[0, 1]);
    let good = Playthrough::new(&story, &st);
    let mut edits: Vec<Playthrough> = Vec::new();
    let mut p = good.clone();
    p.position = Some(her::story::save::Position {
        line: Some("no.such:line".into()),
        events: u32::MAX,
    });
    edits.push(p);
    let mut p = good.clone();
    p.decisions[0].at = "nowhere.at_all".into();
    edits.push(p);
    let mut p = good.clone();
    p.decisions[1].pick = "not_an_option".into();
    edits.push(p);
    let mut p = good.clone();
    p.choices[0] = 0;
    edits.push(p);
    let mut p = good.clone();
    p.choices[1] = u32::MAX;
    edits.push(p);
    let mut p = good.clone();
    p.choices.push(1);
    edits.push(p);
    let mut p = good.clone();
    p.decisions.clear();
    p.choices = vec![1; 10_000];
    edits.push(p);
    let mut p = good.clone();
    p.engine = 999;
    edits.push(p);
    for (k, doc) in edits.iter().enumerate() {
        match doc.resume(&story) {
            Resume::Exact(state) => panic!("edit {k} resumed exactly at {:?}", state.node()),
            Resume::Replayed { message, .. } => assert!(!message.is_empty(), "edit {k}"),
        }
    }
}

#[test]
fn a_recording_with_option_zero_or_past_the_last_is_refused_in_read_numbers() {
    let story = mini();
    let st = play(&story, 7, &[0, 1, 0]);
    let mut doc = Playthrough::new(&story, &st);
    doc.choices[0] = 0;
    let err = doc.replay(&story, |_, _, _| {}).unwrap_err().to_string();
    assert!(
        err.contains("choice 1") && err.contains("is 0") && err.contains("from 1"),
        "{err}"
    );
    let mut doc = Playthrough::new(&story, &st);
    doc.choices[2] = 9;
    let err = doc.replay(&story, |_, _, _| {}).unwrap_err().to_string();
    assert!(err.contains("choice 3") && err.contains(" 9"), "{err}");
    // A hand-written replay of numbers alone: past the last option is refused as such.
    let mut doc = Playthrough::new(&story, &st);
    doc.decisions.clear();
    doc.choices = vec![1, 7];
    let err = doc.replay(&story, |_, _, _| {}).unwrap_err().to_string();
    assert!(
        err.contains("choice 2") && err.contains("only") && err.contains("options"),
        "{err}"
    );

    // And through the tool, as players run it: exit 2, the message, nothing played.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.ron");
    let mut doc = Playthrough::new(&story, &st);
    doc.choices[0] = 0;
    doc.write(&path).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_her"))
        .arg("replay")
        .arg(&path)
        .arg("tests/fixtures/mini")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("choice 1 of the playthrough is 0"),
        "{stderr}"
    );
}

#[test]
fn a_recording_replays_in_the_tool_and_stops_with_a_report_when_the_story_changed() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec.ron");
    let her = env!("CARGO_BIN_EXE_her");
    let read = std::process::Command::new(her)
        .args([
            "read",
            "tests/fixtures/mini",
            "--seed",
            "5",
            "--choices",
            "2,1",
        ])
        .arg("--record")
        .arg(&rec)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(read.status.success());
    let replay = std::process::Command::new(her)
        .arg("replay")
        .arg(&rec)
        .arg("tests/fixtures/mini")
        .output()
        .unwrap();
    assert_eq!(replay.status.code(), Some(0));
    let played = String::from_utf8_lossy(&replay.stdout);
    assert!(played.contains("Okay."), "{played}");
    // The choice it took is removed: replayed as far as it fits, then a report and exit 1.
    let edited = dir.path().join("edited");
    std::fs::create_dir_all(&edited).unwrap();
    for name in ["story.ron", "one.ron", "two.ron"] {
        let text = std::fs::read_to_string(Path::new("tests/fixtures/mini").join(name)).unwrap();
        let text = text.replace(
            r#"(text: "Say nothing.", id: "silent", do: ["trust -= 1"], then: [Line("os: Okay. #line:f8910e")], goto: "fear"),"#,
            "",
        );
        std::fs::write(edited.join(name), text).unwrap();
    }
    let replay = std::process::Command::new(her)
        .arg("replay")
        .arg(&rec)
        .arg(&edited)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&replay.stderr);
    assert_eq!(replay.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("silent") && stderr.contains("stops"),
        "{stderr}"
    );
}

#[test]
fn an_interrupted_save_leaves_the_previous_one_intact() {
    let story = mini();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slot.ron");
    let first = play(&story, 1, &[0]);
    SaveDoc::new(&story, &first, "first").write(&path).unwrap();
    std::fs::write(dir.path().join(".her-crashed.tmp"), "Save(ver").unwrap();
    assert_eq!(SaveDoc::read(&path).unwrap().label, "first");
    let second = play(&story, 1, &[0, 0]);
    SaveDoc::new(&story, &second, "second")
        .write(&path)
        .unwrap();
    assert_eq!(SaveDoc::read(&path).unwrap().label, "second");
    // Writing into a folder that cannot exist fails with a message; nothing panics, and the
    // old file stays.
    let blocked = path.join("inside-a-file.ron");
    assert!(SaveDoc::new(&story, &second, "x").write(&blocked).is_err());
    assert_eq!(SaveDoc::read(&path).unwrap().label, "second");
}

#[cfg(unix)]
#[test]
fn a_save_survives_sigkill_at_any_moment_of_its_writing() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let slot = dir.path().join("slot.ron");
    let her = env!("CARGO_BIN_EXE_her");
    let write = |seed: u64| {
        Command::new(her)
            .args(["read", "tests/fixtures/mini", "--choices", "1,1,1,1"])
            .arg("--seed")
            .arg(seed.to_string())
            .arg("--record")
            .arg(&slot)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // The two documents the slot may hold.
    let mut whole = std::collections::HashSet::new();
    for seed in [1, 2] {
        write(seed).wait().unwrap();
        whole.insert(std::fs::read_to_string(&slot).unwrap());
    }
    assert_eq!(whole.len(), 2);
    // Killed at moments spread over a whole run: before, during and after the write.
    let full = {
        let t = std::time::Instant::now();
        write(1).wait().unwrap();
        t.elapsed()
    };
    let mut killed = 0;
    for k in 0..60u32 {
        let mut child = write(u64::from(k % 2 + 1));
        let at = full.mul_f64(f64::from(k * 37 % 100) / 80.0);
        std::thread::sleep(at);
        if child.kill().is_ok() {
            killed += 1;
        }
        child.wait().unwrap();
        let text = std::fs::read_to_string(&slot).unwrap();
        assert!(
            whole.contains(&text),
            "after a kill at {at:?}, a torn slot:\n{text}"
        );
        assert!(Playthrough::from_ron(&text, &slot).is_ok());
    }
    assert!(
        killed > 10,
        "the children were killed while running ({killed})"
    );
}

mod fuzz {
    use proptest::prelude::*;

    use super::*;

    /// Valid documents to start from: saves at several moments of the mini story.
    fn seeds() -> Vec<String> {
        let story = mini();
        let mut out = Vec::new();
        for (seed, picks) in [(5u64, vec![0usize, 1, 0, 0]), (9, vec![1, 0, 2, 0])] {
            for st in every_moment(&story, seed, &picks).iter().step_by(3) {
                out.push(SaveDoc::new(&story, st, "fuzz").to_ron());
            }
        }
        out
    }

    /// One mutation of a document's text: a byte replaced, removed or inserted, a number
    /// changed, a span deleted or repeated.
    fn mutate(text: &str, kind: u8, at: usize, n: u64) -> String {
        let mut bytes = text.as_bytes().to_vec();
        let at = at % bytes.len().max(1);
        match kind % 6 {
            0 => {
                let table = b"0123456789(),:\"[]x-";
                bytes[at] = table[n as usize % table.len()];
            }
            1 => {
                bytes.remove(at);
            }
            2 => {
                let table = b"0,)(\"[-9";
                bytes.insert(at, table[n as usize % table.len()]);
            }
            3 => {
                // Replace the number under or after `at` with another.
                let s = String::from_utf8_lossy(&bytes).into_owned();
                if let Some(start) = s[at..].find(|c: char| c.is_ascii_digit()) {
                    let start = at + start;
                    let end = s[start..]
                        .find(|c: char| !c.is_ascii_digit())
                        .map_or(s.len(), |e| start + e);
                    let value = [0, 1, 2, 9, u64::from(u32::MAX), u64::MAX, n][n as usize % 7];
                    return format!("{}{value}{}", &s[..start], &s[end..]);
                }
            }
            4 => {
                let end = (at + (n as usize % 40)).min(bytes.len());
                bytes.drain(at..end);
            }
            _ => {
                let end = (at + (n as usize % 40)).min(bytes.len());
                let piece = bytes[at..end].to_vec();
                bytes.splice(at..at, piece);
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Thousands of mutated saves and recordings: every outcome is an exact resume, a
        /// resume with a message, or a refusal with a message; never a panic.
        #[test]
        fn mutated_documents_never_panic(
            which in 0usize..64,
            edits in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<u64>()), 1..4),
        ) {
            thread_local! {
                static STORY: Story = mini();
                static SEEDS: Vec<String> = seeds();
            }
            let mut text = SEEDS.with(|s| s[which % s.len()].clone());
            for (kind, at, n) in edits {
                text = mutate(&text, kind, at, n);
            }
            STORY.with(|story| {
                if let Ok(doc) = SaveDoc::from_ron(&text, Path::new("fuzz.ron")) {
                    match doc.resume(story) {
                        Resume::Exact(st) => {
                            // Exact means the same moment the document names.
                            let again = SaveDoc::new(story, &st, "x");
                            prop_assert_eq!(again.playthrough.decisions.len(), st.decisions.len());
                        }
                        Resume::Replayed { message, .. } => prop_assert!(!message.is_empty()),
                    }
                    let _ = doc.playthrough.replay(story, |_, _, e: &Event<'_>| {
                        let _ = e.is_final();
                    });
                }
                Ok(())
            })?;
        }
    }
}

#[test]
fn her_replay_plays_a_save_as_well_as_a_recording() {
    let story = mini();
    let st = play(&story, 5, &[1, 0]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("slot.ron");
    SaveDoc::new(&story, &st, "One").write(&path).unwrap();
    // As the game writes it too: without the struct names.
    let plain = dir.path().join("plain.ron");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Save(", "(")
        .replace("Playthrough(", "(");
    std::fs::write(&plain, text).unwrap();
    for file in [&path, &plain] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_her"))
            .arg("replay")
            .arg(file)
            .arg("tests/fixtures/mini")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("Okay."), "{stdout}");
    }
}
