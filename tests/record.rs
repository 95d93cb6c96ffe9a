//! The record across playthroughs: it grows with every playthrough, never loses what it had
//! (a new game, a story edit), and every decision in it can be reached again exactly.

use std::path::Path;

use her::story::record::Record;
use her::story::save::Playthrough;

use crate::common::{mini, mini_edited};

fn playthrough(seed: u64, picks: &[usize]) -> Playthrough {
    let story = mini();
    let st = story.play(seed, picks, |_, _, _| {}).unwrap();
    Playthrough::new(&story, &st)
}

#[test]
fn the_record_keeps_every_playthrough_and_what_each_saw() {
    let story = mini();
    let mut record = Record::default();
    // One playthrough, noted midway and again at its end: kept once, its ending counted once.
    let midway = playthrough(5, &[0]);
    record.note(&story, &midway, 100).unwrap();
    let lines_midway = record.lines.len();
    let whole = playthrough(5, &[0, 1, 0, 0, 0, 0, 0, 0]);
    record.note(&story, &whole, 200).unwrap();
    record.note(&story, &whole, 300).unwrap();
    assert_eq!(
        record.playthroughs.len(),
        1,
        "a playthrough that goes on replaces itself"
    );
    assert!(record.lines.len() > lines_midway);
    let endings: Vec<_> = record.endings.values().collect();
    assert_eq!(endings.len(), 1, "{:?}", record.endings);
    assert_eq!((endings[0].first, endings[0].times), (200, 1));
    // A new game adds; nothing of the first is lost.
    let before = record.clone();
    record.note(&story, &playthrough(9, &[1, 0]), 400).unwrap();
    assert_eq!(record.playthroughs.len(), 2);
    assert!(before.lines.is_subset(&record.lines));
    assert!(before.nodes.is_subset(&record.nodes));
    assert!(before.choices.is_subset(&record.choices));
    assert!(record.choices.iter().any(|c| c.starts_with("one.start/")));
}

#[test]
fn every_decision_in_the_record_can_be_reached_again_exactly() {
    let story = mini();
    let mut record = Record::default();
    record
        .note(&story, &playthrough(5, &[0, 1, 0, 0]), 1)
        .unwrap();
    record.note(&story, &playthrough(9, &[1, 0, 1]), 2).unwrap();
    let visited: Vec<_> = record.decisions_visited(&story).collect();
    assert_eq!(visited.len(), 7);
    for (node, p, k) in visited {
        let state = record.state_at(&story, p, k).expect("reachable");
        // The same state, field for field, as a straight playthrough just before that decision.
        let picks: Vec<usize> = record.playthroughs[p]
            .choices
            .iter()
            .map(|c| *c as usize - 1)
            .collect();
        let whole = story
            .play(record.playthroughs[p].seed, &picks, |_, _, _| {})
            .unwrap();
        let mut straight = story.rollback(&whole, k);
        // Rollback stops where the decision is offered; so does `state_at`.
        assert!(state.is_waiting() && straight.is_waiting(), "at {node}");
        let _ = story.next(&mut straight);
        let mut again = state.clone();
        let _ = story.next(&mut again);
        assert_eq!(
            again, straight,
            "decision {k} of playthrough {p}, at {node}"
        );
    }
}

#[test]
fn the_record_survives_a_story_edit_and_a_damaged_file_is_an_error() {
    let story = mini();
    let mut record = Record::default();
    record.note(&story, &playthrough(5, &[1, 0]), 1).unwrap();
    assert!(record.choices.iter().any(|c| c.ends_with("/silent")));
    // The choice is cut from the story: a new playthrough in the edited story keeps the old id.
    let edited = mini_edited(
        "one.ron",
        r#"(text: "Say nothing.", id: "silent", do: ["trust -= 1"], then: [Line("os: Okay. #line:f8910e")], goto: "fear"),"#,
        "",
    );
    let st = edited.play(3, &[0], |_, _, _| {}).unwrap();
    record
        .note(&edited, &Playthrough::new(&edited, &st), 2)
        .unwrap();
    assert!(
        record.choices.iter().any(|c| c.ends_with("/silent")),
        "kept, not erased"
    );
    // Written and read back; a damaged file is an error (the game keeps it aside).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("record.ron");
    record.write(&path).unwrap();
    assert_eq!(Record::read(&path).unwrap(), record);
    std::fs::write(&path, "Record(lines: [").unwrap();
    assert!(Record::read(&path).is_err());
    assert!(Record::read(Path::new("/no/such/record.ron")).is_err());
}

/// Jumping back (the flowchart's) gives the same state as a straight playthrough to the same
/// decision, at every decision of every golden path of the shipped story.
#[test]
fn every_decision_of_every_golden_path_can_be_jumped_back_to_exactly() {
    let story = crate::common::shipped();
    let mut record = Record::default();
    let mut paths = Vec::new();
    for ending in story.endings() {
        let text = std::fs::read_to_string(format!("tests/golden/{}.choices", ending.id))
            .expect("a golden path");
        let (seed, choices) = crate::golden::read_path(&text);
        let picks: Vec<usize> = choices.iter().map(|c| c - 1).collect();
        let st = story.play(seed, &picks, |_, _, _| {}).unwrap();
        record
            .note(&story, &Playthrough::new(&story, &st), 1)
            .unwrap();
        paths.push((seed, picks, st));
    }
    let mut checked = 0;
    for (p, (_, _, whole)) in paths.iter().enumerate() {
        for k in 0..whole.decisions.len() {
            let state = record.state_at(&story, p, k).expect("reachable");
            let mut straight = story.rollback(whole, k);
            let _ = story.next(&mut straight);
            let mut again = state.clone();
            let _ = story.next(&mut again);
            assert_eq!(again, straight, "decision {k} of golden path {p}");
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked} decisions");
}

/// Chapter select starts a chapter with the exact state of a past playthrough's arrival there:
/// just before the chapter's card, with what was decided before it, the same as playing
/// straight through.
#[test]
fn chapter_select_starts_from_a_past_arrival_exactly() {
    let story = crate::common::shipped();
    let text = std::fs::read_to_string("tests/golden/sent.choices").expect("a golden path");
    let (seed, choices) = crate::golden::read_path(&text);
    let picks: Vec<usize> = choices.iter().map(|c| c - 1).collect();
    let whole = story.play(seed, &picks, |_, _, _| {}).unwrap();
    let mut record = Record::default();
    record
        .note(&story, &Playthrough::new(&story, &whole), 1)
        .unwrap();
    let arrivals = record.arrivals(&story);
    assert!(arrivals.iter().all(|a| a == &vec![0]), "{arrivals:?}");
    // Straight through, the state just before each chapter's card.
    let mut straight = Vec::new();
    let mut st = story.new_state(seed);
    let mut made = 0;
    for _ in 0..100_000 {
        let before = st.clone();
        let event = story.next(&mut st);
        if let her::story::Event::ChapterStart(_) = event {
            straight.push(before);
        }
        if event.is_final() {
            break;
        }
        if event.is_decision() {
            story.choose(&mut st, picks[made]).unwrap();
            made += 1;
        }
    }
    assert_eq!(straight.len(), story.chapters().len());
    for (c, expected) in straight.iter().enumerate() {
        let st = record.arrival(&story, 0, c).expect("arrived");
        assert_eq!(st.vars, expected.vars, "chapter {c}");
        assert_eq!(st.visits, expected.visits, "chapter {c}");
        assert_eq!(st.decisions, expected.decisions, "chapter {c}");
        let mut next = st.clone();
        assert!(
            matches!(story.next(&mut next), her::story::Event::ChapterStart(ch) if ch.id == story.chapters()[c].id),
            "chapter {c} starts next"
        );
    }
}

/// The end-of-chapter summary: per chapter, the choices made and the roads not taken, the
/// story's own relationship axes (`axes:`) as each chapter ended, and the memories kept.
#[test]
fn the_chapter_summary_counts_choices_and_plots_the_declared_axes() {
    use her::story::diagnostic::SourceFile;
    use std::path::PathBuf;
    let files = [
        (
            "story.ron",
            r#"Story(title: "Axes", chapters: ["one", "two"],
                characters: { "os": (name: "OS", os: true) },
                variables: { "trust": Number(0), "met": Flag(false), "fear": Fact },
                axes: { "trust": "Trust" },
                endings: { "done": (title: "Done") })"#,
        ),
        (
            "one.ron",
            r#"Chapter(id: "one", nodes: [
                (id: "a", script: [Line("os: Hi.")], choices: [
                    (text: "Warm.", do: ["trust += 2", "remember fear = 'the dark|dark'"]),
                    (text: "Cool.", do: ["trust -= 1"]),
                    (text: "Quiet."),
                ], next: "two"),
            ])"#,
        ),
        (
            "two.ron",
            r#"Chapter(id: "two", nodes: [
                (id: "b", script: [Line("os: Again.")], choices: [
                    (text: "Warm.", do: ["trust += 1"]),
                    (text: "Cool."),
                ], end: "done"),
            ])"#,
        ),
    ];
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|(n, t)| SourceFile::new(PathBuf::from(n), (*t).to_owned()))
        .collect();
    let report = her::story::load::compile_sources(sources, std::slice::from_ref(&(0..3)));
    let story = report
        .story
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    assert_eq!(story.axes().len(), 1);
    assert_eq!(story.axes()[0].1, "Trust");
    let st = story.play(1, &[0, 0], |_, _, _| {}).unwrap();
    let stats = her::story::summary::summarize(&story, &st);
    assert_eq!(stats.len(), 2);
    assert_eq!((stats[0].choices, stats[0].others), (1, 2));
    assert_eq!(stats[0].axes, vec![2]);
    assert_eq!(stats[0].memories, vec!["the dark".to_owned()]);
    assert!(stats[0].ended);
    assert_eq!((stats[1].choices, stats[1].others), (1, 1));
    assert_eq!(stats[1].axes, vec![3]);
    // An axis that is not a declared number is an error with its place.
    let bad = her::story::load::compile_sources(
        vec![
            SourceFile::new(
                PathBuf::from("story.ron"),
                files[0]
                    .1
                    .replace(r#"axes: { "trust""#, r#"axes: { "trsut""#),
            ),
            SourceFile::new(PathBuf::from("one.ron"), files[1].1.to_owned()),
            SourceFile::new(PathBuf::from("two.ron"), files[2].1.to_owned()),
        ],
        std::slice::from_ref(&(0..3)),
    );
    assert!(
        bad.diagnostics
            .iter()
            .any(|d| d.code == "E004" && d.line == 4 && d.message.contains("trsut")),
        "{:#?}",
        bad.diagnostics
    );
}
