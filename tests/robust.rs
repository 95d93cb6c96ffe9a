//! A loader that survives any file: one test per kind of hostile or broken input (the kinds of
//! `../shared/cases/`), each written so that it fails on the fault it is named after.

use std::path::PathBuf;

use her::story::runtime::Event;
use her::story::{LoadReport, Severity};

use crate::common::load_pair;

/// The story file most cases use: a variable of each kind, two characters, one ending.
const STORY: &str = r#"Story(
    title: "Case",
    chapters: ["one"],
    characters: { "os": (name: "{os_name}", os: true) },
    variables: { "trust": Number(0), "os_name": Text("Wren"), "friend": Text("Lou"), "n": Number(0) },
    endings: { "done": (title: "Done", summary: "The end.") },
)"#;

/// Codes reported, W120 (untagged) and W107 (unused variable) left out: the cases are small.
fn codes(report: &LoadReport) -> Vec<&'static str> {
    report
        .diagnostics
        .iter()
        .map(|d| d.code)
        .filter(|c| !matches!(*c, "W120" | "W107"))
        .collect()
}

/// Runs `f` on a thread with a small stack (256 KiB): an input that recursed with its size would
/// overflow it, so passing here means no recursion follows the input's depth.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow, no panic")
}

#[test]
fn conditions_and_effects_of_any_depth_or_length_are_refused_at_their_place() {
    let shapes = [
        format!("{}(trust > 0)", "!".repeat(20_000)),
        format!("{}trust > 0", "not ".repeat(5_000)),
        format!("{}trust > 0{}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("trust > 0{}", " && trust > 0".repeat(10_000)),
        format!("trust > 0{}", " || trust > 1".repeat(10_000)),
        format!("trust > {}1", "-".repeat(20_000)),
        format!("{}trust > 0{}", "(".repeat(40), ")".repeat(40)),
        format!("{}(trust > 0)", "!".repeat(40)),
    ];
    for (k, shape) in shapes.into_iter().enumerate() {
        for chapter in [
            format!(
                r#"Chapter(id: "one", nodes: [(id: "a", script: [If("{shape}", [Line("os: Yes.")])], end: "done")])"#
            ),
            format!(
                r#"Chapter(id: "one", nodes: [(id: "a", script: [Do(["n = {}"])], end: "done")])"#,
                shape.replace("trust > 0", "1").replace("trust > 1", "1")
            ),
        ] {
            let report = on_small_stack(move || load_pair(STORY, &chapter));
            let d = report
                .diagnostics
                .iter()
                .find(|d| d.code == "E021")
                .unwrap_or_else(|| panic!("shape {k}: E021 expected, got {:?}", codes(&report)));
            assert_eq!(d.severity, Severity::Error);
            assert_eq!(d.line, 1, "shape {k}: placed in its file");
            assert!(
                d.column > 20,
                "shape {k}: at the condition, not the file's start"
            );
            assert!(
                !d.message.contains("ron::") && !d.message.contains("serde"),
                "speaks to writers: {}",
                d.message
            );
        }
    }
}

#[test]
fn steps_nested_past_the_limit_are_refused_without_false_problems() {
    let n = 2_000;
    let chapter = format!(
        r#"Chapter(id: "one", nodes: [(id: "a", script: [{}Line("os: deep"){}], end: "done")])"#,
        r#"If("trust > 0", ["#.repeat(n),
        "])".repeat(n)
    );
    let report = on_small_stack(move || load_pair(STORY, &chapter));
    assert_eq!(codes(&report), ["E021"], "{:#?}", report.diagnostics);
    assert!(!report.diagnostics[0].message.contains("recursion_limit"));
}

#[test]
fn a_name_declared_twice_is_reported_at_the_second() {
    for (map, entry) in [
        ("variables", r#""trust": Number(1)"#),
        ("characters", r#""os": (name: "Other")"#),
        ("endings", r#""done": (title: "Again")"#),
    ] {
        let story = STORY.replace(&format!("{map}: {{ "), &format!("{map}: {{ {entry}, "));
        let report = load_pair(
            &story,
            r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: Hi {trust} {friend} {n}.")], end: "done")])"#,
        );
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.code == "E003")
            .unwrap_or_else(|| panic!("{map}: E003 expected: {:?}", codes(&report)));
        // The second declaration is on line 4, 5 or 6 of the story file, after the first.
        let text = &story.lines().nth(d.line - 1).unwrap()[d.column - 1..];
        let name = entry.split('"').nth(1).unwrap();
        assert!(text.starts_with(name), "{map}: at the name: {text}");
        let first = story.find(&format!("\"{name}\"")).unwrap();
        let here: usize = story
            .lines()
            .take(d.line - 1)
            .map(|l| l.len() + 1)
            .sum::<usize>()
            + d.column
            - 2;
        assert!(
            here > first,
            "{map}: at the second declaration, not the first"
        );
    }
    // Choice ids in a node, a chapter listed twice.
    let report = load_pair(
        &STORY.replace(r#"chapters: ["one"]"#, r#"chapters: ["one", "one"]"#),
        r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {trust} {friend} {n}")], choices: [(text: "A", id: "x", goto: "b"), (text: "B", id: "x", goto: "b")]), (id: "b", end: "done")])"#,
    );
    assert_eq!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == "E003")
            .count(),
        2,
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn loops_the_player_can_never_leave_are_errors_and_stop_at_run_time() {
    // Through `next`, `Goto`, and gates, with lines and without.
    for nodes in [
        r#"(id: "a", script: [Line("os: Stuck, {trust}.")], next: "b"), (id: "b", script: [Line("os: Still.")], next: "a")"#,
        r#"(id: "a", script: [Goto("b")]), (id: "b", script: [Do(["n += 1"]), Goto("a")])"#,
        r#"(id: "a", when: "trust > 5", otherwise: "b", next: "b"), (id: "b", when: "trust > 5", otherwise: "a", next: "a")"#,
    ] {
        let chapter = format!(
            r#"Chapter(id: "one", nodes: [{nodes}, (id: "out", script: [Line("os: Out {{friend}} {{n}}.")], end: "done")])"#
        );
        let report = load_pair(STORY, &chapter);
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.code == "E023")
            .unwrap_or_else(|| panic!("E023 expected for {nodes}: {:?}", codes(&report)));
        assert!(d.message.contains("`one.a`") && d.message.contains("`one.b`"));
        assert!(report.story.is_none());
    }
    // A loop whose way out depends on a variable that never moves: the check cannot know, so
    // the engine stops it with a message (and `read` and the game with it), never forever.
    let report = load_pair(
        STORY,
        r#"Chapter(id: "one", nodes: [
            (id: "a", script: [Line("os: Round, {friend}.")], next: "b"),
            (id: "b", script: [Line("os: And round."), If("n > 0", [End("done")])], next: "a"),
        ])"#,
    );
    let story = report.story.expect("not provably a trap");
    let mut st = story.new_state(1);
    let mut events = 0;
    let reason = loop {
        events += 1;
        assert!(
            events < 100_000,
            "the engine must stop a loop without decisions"
        );
        if let Event::Stuck { reason, .. } = story.next(&mut st) {
            break reason;
        }
    };
    assert!(reason.contains("without a choice"), "{reason}");
}

#[test]
fn explore_counts_what_read_passes_through() {
    let report = load_pair(
        STORY,
        r#"Chapter(id: "one", nodes: [
            (id: "a", script: [Line("os: Ready, {trust} {friend}?")], choices: [(text: "Go.", goto: "through")]),
            (id: "through", script: [Do(["n += 1"])], next: "b"),
            (id: "b", script: [Line("os: Through, {n}.")], end: "done"),
        ])"#,
    );
    let story = report.story.expect("loads");
    let found = her::story::explore::explore(&story, 1, 1_000, |_, _| {});
    let through = story.node("one.through").unwrap();
    assert!(
        found.nodes_reached[through],
        "a node with no line is reached when passed"
    );

    // A start node whose gate fails is passed over, not reached.
    let report = load_pair(
        STORY,
        r#"Chapter(id: "one", start: "gate", nodes: [
            (id: "gate", when: "trust > 0", otherwise: "b", script: [Line("os: Never {friend}.")], next: "b"),
            (id: "b", script: [Line("os: Here, {n}.")], end: "done"),
        ])"#,
    );
    let story = report.story.expect("loads");
    let found = her::story::explore::explore(&story, 1, 1_000, |_, _| {});
    assert!(!found.nodes_reached[story.node("one.gate").unwrap()]);
    assert!(found.nodes_reached[story.node("one.b").unwrap()]);
}

#[test]
fn a_pause_is_a_sane_number_of_seconds() {
    for bad in ["-1.0", "100000.0", "inf", "NaN"] {
        let report = load_pair(
            STORY,
            &format!(
                r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: Wait {{trust}} {{friend}} {{n}}."), Pause({bad})], end: "done")])"#
            ),
        );
        let d = report
            .diagnostics
            .iter()
            .find(|d| d.code == "E020")
            .unwrap_or_else(|| panic!("Pause({bad}): E020 expected: {:?}", codes(&report)));
        let col = d.column;
        assert!(col > 60, "Pause({bad}) placed at the number, column {col}");
    }
}

#[test]
fn every_problem_is_at_its_own_place() {
    // A raw string with quotes: the unknown name, not the node.
    let chapter = "Chapter(id: \"one\", nodes: [\n    (\n        id: \"a\",\n        script: [\n            Line(\"os: Hello, {trust} {n}.\"),\n            Line(r#\"os: He said \"fine\" to {nobody}.\"#),\n        ],\n        end: \"done\",\n    ),\n])";
    let report = load_pair(STORY, chapter);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "E010")
        .unwrap();
    assert_eq!((d.line, d.column), (6, 43), "{d:?}");
    // A duplicate node at the duplicate, not at a goto naming it.
    let chapter = "Chapter(id: \"one\", nodes: [\n(id: \"a\", script: [Line(\"os: {trust} {friend} {n}\")], next: \"b\"),\n(id: \"b\", end: \"done\"),\n(id: \"b\", end: \"done\"),\n])";
    let report = load_pair(STORY, chapter);
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "E003")
        .unwrap();
    assert_eq!(d.line, 4, "{d:?}");
}

#[test]
fn each_variant_that_can_never_be_chosen_is_reported_at_its_own_when() {
    let chapter = "Chapter(id: \"one\", nodes: [\n(id: \"a\", script: [Variants([\n(when: \"trust > 100\", text: \"os: One.\"),\n(text: \"os: Two {trust} {friend} {n}.\"),\n(when: \"trust > 200\", text: \"os: Three.\"),\n])], end: \"done\"),\n])";
    let report = load_pair(STORY, chapter);
    let mut lines: Vec<usize> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "W103")
        .map(|d| d.line)
        .collect();
    lines.sort_unstable();
    assert_eq!(lines, [3, 5], "{:#?}", report.diagnostics);
}

#[test]
fn braces_in_titles_headings_and_prompts_are_filled_in_and_checked() {
    let chapter = r#"Chapter(id: "one", title: "A night with {os_name}", nodes: [
    (id: "a", script: [
        Letter(id: "note", to: "To {friend}, from Theodore", paragraphs: [
            (prompt: "How does he greet {friend}?", fragments: [(text: "Dear {friend},")]),
        ]),
        Line("os: Done, {trust} {n}."),
    ], end: "done"),
])"#;
    let story_text = STORY.replace(r#"summary: "The end.""#, r#"summary: "{os_name} stays.""#);
    let report = load_pair(&story_text, chapter);
    let story = report.story.expect("loads");
    let transcript = her::story::transcript::transcript(&story, 1, &[1]).unwrap();
    for expected in [
        "A night with Wren",
        "To Lou, from Theodore",
        "How does he greet Lou?",
        "Wren stays.",
    ] {
        assert!(transcript.contains(expected), "{expected}:\n{transcript}");
    }
    assert!(!transcript.contains('{'), "{transcript}");
    // A misspelt name in each is reported at its place.
    let misspelt = chapter
        .replace("{os_name}", "{os_nam}")
        .replace("To {friend}", "To {frend}")
        .replace("greet {friend}", "greet {frind}");
    let report = load_pair(
        &story_text.replace("{os_name} stays", "{os_nme} stays"),
        &misspelt,
    );
    let e010: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "E010")
        .collect();
    assert_eq!(e010.len(), 4, "{:#?}", report.diagnostics);
}

#[test]
fn names_must_be_identifiers_and_not_words_of_the_language() {
    for bad in [
        r#""and": Flag(false)"#,
        r#""two words": Flag(false)"#,
        r#""9lives": Flag(false)"#,
    ] {
        let story = STORY.replace("variables: { ", &format!("variables: {{ {bad}, "));
        let report = load_pair(
            &story,
            r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {trust} {friend} {n}")], end: "done")])"#,
        );
        assert!(
            codes(&report).contains(&"E024"),
            "{bad}: {:?}",
            codes(&report)
        );
    }
}

#[test]
fn node_and_chapter_ids_cannot_be_mistaken_for_targets_or_speakers() {
    for (chapter, node) in [
        ("one", "a.b"),
        ("one", "os: hi"),
        ("one", ""),
        ("o.ne", "a"),
    ] {
        let story = STORY.replace(
            r#"chapters: ["one"]"#,
            &format!(r#"chapters: ["{chapter}"]"#),
        );
        let text = format!(
            r#"Chapter(id: "{chapter}", nodes: [(id: "{node}", script: [Line("os: {{trust}} {{friend}} {{n}}")], end: "done")])"#
        );
        let report = load_pair(&story, &text);
        assert!(
            codes(&report).contains(&"E024"),
            "{chapter}.{node}: {:?}",
            codes(&report)
        );
    }
}

#[test]
fn counts_past_the_limits_are_refused_at_the_node() {
    let choices: Vec<String> = (0..1_001)
        .map(|k| format!(r#"(text: "Option {k}.", goto: "b")"#))
        .collect();
    let chapter = format!(
        r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {{trust}} {{friend}} {{n}}")], choices: [{}]), (id: "b", end: "done")])"#,
        choices.join(", ")
    );
    let report = load_pair(STORY, &chapter);
    assert!(codes(&report).contains(&"E025"), "{:?}", codes(&report));
}

#[test]
fn a_node_cannot_both_go_on_and_end_and_replace_needs_something_to_replace() {
    let report = load_pair(
        STORY,
        r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {trust} {friend} {n}")], next: "b", end: "done"), (id: "b", replace: true, end: "done")])"#,
    );
    assert_eq!(
        report
            .diagnostics
            .iter()
            .filter(|d| d.code == "E026")
            .count(),
        2,
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn a_story_as_long_as_a_stack_is_deep_checks_without_recursion() {
    // 20,000 nodes in one ring: validation follows paths and components of this length, so any
    // recursion along them would overflow the small stack.
    let n = 20_000;
    let nodes: Vec<String> = (0..n)
        .map(|k| format!(r#"(id: "n{k}", script: [Line("os: {k} {{trust}} {{friend}} {{n}}.")], next: "n{}")"#, (k + 1) % n))
        .collect();
    let chapter = format!(r#"Chapter(id: "one", nodes: [{}])"#, nodes.join(",\n"));
    let report = on_small_stack(move || load_pair(STORY, &chapter));
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "E023")
        .expect("the ring is a trap");
    assert!(d.message.contains("and 19992 more"), "{}", d.message);
}

#[test]
fn an_empty_mod_folder_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let report = her::story::load(&[
        PathBuf::from("tests/fixtures/mini"),
        dir.path().to_path_buf(),
    ]);
    assert!(
        report.diagnostics.iter().any(|d| d.code == "W121"),
        "{:#?}",
        report.diagnostics
    );
    assert!(report.story.is_some(), "the story still loads");
}

#[test]
fn a_file_for_a_newer_format_is_refused_and_older_files_keep_loading() {
    let chapter = r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {trust} {friend} {n}")], end: "done")])"#;
    // No `format`: format 1, loads.
    assert!(load_pair(STORY, chapter).story.is_some());
    // Format 2, said: loads.
    let two = STORY.replace("Story(\n", "Story(\n    format: 2,\n");
    assert!(load_pair(&two, chapter).story.is_some());
    // A newer one: refused at its place, and its chapters are not reported missing.
    let future = chapter.replace(r#"Chapter(id: "one","#, r#"Chapter(format: 9, id: "one","#);
    let report = load_pair(STORY, &future);
    let codes = codes(&report);
    assert!(codes.contains(&"E028"), "{codes:?}");
    assert!(
        !codes.contains(&"E002"),
        "no false missing chapter: {codes:?}"
    );
}
