//! The writer's text logic inside a line (ink's inline conditions and alternatives): how each
//! kind chooses, that a replay repeats it, and that its problems are placed.

use her::story::runtime::Event;
use her::story::{LoadReport, Story};

use crate::common::load_pair;

const STORY: &str = r#"Story(
    title: "Logic",
    chapters: ["one"],
    characters: { "os": (name: "{os_name}", os: true) },
    variables: { "trust": Number(0), "os_name": Text("Wren"), "met": Flag(false) },
    endings: { "done": (title: "Done") },
)"#;

fn load_chapter(chapter: &str) -> LoadReport {
    load_pair(STORY, chapter)
}

/// A node `a` that says `line` and offers to hear it again (with `choice` as the first option's
/// text) or to go on: the story's lines and choices on each of `visits` visits.
fn visits(line: &str, choice: &str, visits: usize, seed: u64) -> Vec<String> {
    let chapter = format!(
        r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: {line}")], choices: [
        (text: "{choice}", do: ["trust += 1", "met = true"], goto: "a"),
        (text: "Go.", goto: "b"),
    ]),
    (id: "b", end: "done"),
])"#
    );
    let report = load_chapter(&chapter);
    let story: Story = report
        .story
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    let mut st = story.new_state(seed);
    let mut out = Vec::new();
    let mut left = visits;
    loop {
        match story.next(&mut st) {
            Event::Line(l) => out.push(l.text.to_string()),
            Event::Choices(c) => {
                out.push(format!("> {}", c[0].text));
                left -= 1;
                let pick = usize::from(left == 0);
                story.choose(&mut st, pick).unwrap();
            }
            e if e.is_final() => return out,
            _ => {}
        }
    }
}

#[test]
fn an_inline_condition_reads_the_state_each_time() {
    let seen = visits(
        "{trust >= 1: Warmly|Politely}, {met: again|first}.",
        "Again.",
        3,
        1,
    );
    assert_eq!(
        seen,
        [
            "Politely, first.",
            "> Again.",
            "Warmly, again.",
            "> Again.",
            "Warmly, again.",
            "> Again."
        ]
    );
    // Nested, and with no else.
    let seen = visits(
        "{trust >= 1: {trust >= 2: Very warm|Warm}}.",
        "Again.",
        3,
        1,
    );
    assert_eq!(seen[0], ".");
    assert_eq!(seen[2], "Warm.");
    assert_eq!(seen[4], "Very warm.");
    // A condition with its own `||` is still a condition, not a sequence split at the bars.
    let seen = visits("{trust >= 5 || met: Known|New}.", "Again.", 2, 1);
    assert_eq!(seen[0], "New.");
    assert_eq!(seen[2], "Known.");
    // An empty branch in a sequence (`||`) is still a sequence.
    let seen = visits("{a||c}", "Again.", 3, 1);
    assert_eq!(seen[0], "a");
    assert_eq!(seen[2], "");
    assert_eq!(seen[4], "c");
}

#[test]
fn sequence_cycle_and_once_only_move_on_each_time_they_are_shown() {
    let lines = |text: &str| -> Vec<String> {
        visits(text, "Again.", 4, 1)
            .into_iter()
            .filter(|l| !l.starts_with('>'))
            .collect()
    };
    assert_eq!(lines("{one|two|three}"), ["one", "two", "three", "three"]);
    assert_eq!(lines("{&one|two|three}"), ["one", "two", "three", "one"]);
    assert_eq!(lines("{!one|two}x"), ["onex", "twox", "x", "x"]);
    // In a choice's text: it moves on each time the choice is offered and taken.
    let choices: Vec<String> = visits("Hi.", "{Stay.|Stay again.}", 3, 1)
        .into_iter()
        .filter(|l| l.starts_with('>'))
        .collect();
    assert_eq!(choices, ["> Stay.", "> Stay again.", "> Stay again."]);
}

#[test]
fn a_shuffle_is_seeded_so_a_replay_repeats_it() {
    let text = "{~a|b|c|d|e|f|g|h}";
    let one = visits(text, "Again.", 12, 7);
    assert_eq!(one, visits(text, "Again.", 12, 7), "same seed, same draws");
    let others: Vec<_> = (0..6)
        .map(|seed| visits(text, "Again.", 12, seed))
        .collect();
    assert!(
        others.iter().any(|o| *o != one),
        "another seed draws differently"
    );
    let distinct: std::collections::BTreeSet<_> =
        one.iter().filter(|l| !l.starts_with('>')).collect();
    assert!(distinct.len() > 2, "a shuffle varies: {one:?}");
}

#[test]
fn problems_inside_inline_logic_are_placed_and_said_plainly() {
    let report = load_chapter(
        r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {trust >= 1: Warm|Cool}, {trsut > 2: yes}, {nobody}, {a|b} {met: a|b|c}")], end: "done")])"#,
    );
    let found: Vec<(&str, usize)> = report
        .diagnostics
        .iter()
        .filter(|d| d.code != "W107")
        .map(|d| (d.code, d.column))
        .collect();
    let line = r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {trust >= 1: Warm|Cool}, {trsut > 2: yes}, {nobody}, {a|b} {met: a|b|c}")], end: "done")])"#;
    let col = |needle: &str| line.find(needle).unwrap() + 1;
    assert!(found.contains(&("E004", col("trsut"))), "{found:?}");
    assert!(found.contains(&("E010", col("{nobody}"))), "{found:?}");
    assert!(found.contains(&("E010", col("{met: a|b|c}"))), "{found:?}");
    assert_eq!(found.len(), 3, "{found:?}");
    // Nested past the limit: a problem, not a crash.
    let deep = format!("{}x{}", "{met: ".repeat(20), "}".repeat(20));
    let report = load_chapter(&format!(
        r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {deep}")], end: "done")])"#
    ));
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("nested deeper"))
    );
    // `{!met: a|b}` is ink's once-only alternatives, which would show "met: a" once, label and
    // all; where a variable (or `seen(...)`) stands before the colon, it is refused at its place
    // with the condition's spelling. `{!First time.|Again.}` and `{!Note: a|b}` stay alternatives.
    let line = r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {!met: Again|First}. {!seen(a): x|y}. {!First time.|Again.} {!Note: a|b}")], end: "done")])"#;
    let report = load_chapter(line);
    let negated: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("once-only alternatives"))
        .collect();
    assert_eq!(negated.len(), 2, "{:?}", report.diagnostics);
    assert_eq!(negated[0].column, line.find("{!met").unwrap() + 1);
    assert!(
        negated[0]
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("{not met:")
    );
    // Titles are filled in by name only: logic there is refused at its place.
    let report = load_chapter(
        r#"Chapter(id: "one", title: "{met: Again|First}", nodes: [(id: "a", script: [Line("os: {trust}")], end: "done")])"#,
    );
    assert!(report.diagnostics.iter().any(|d| d.code == "E010"));
}

#[test]
fn warnings_are_allowed_where_they_are_meant_and_fail_only_when_denied() {
    let unreachable = r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: {trust} {os_name} {met}")], end: "done"),
    (id: "spare", script: [Line("os: A draft kept for later.")], end: "done"),
])"#;
    let report = load_chapter(unreachable);
    assert!(report.diagnostics.iter().any(|d| d.code == "W101"));
    // On the node.
    let report =
        load_chapter(&unreachable.replace(r#"(id: "spare","#, r#"(id: "spare", allow: ["W101"],"#));
    assert!(
        !report.diagnostics.iter().any(|d| d.code == "W101"),
        "{:#?}",
        report.diagnostics
    );
    // On the file.
    let report = load_chapter(&unreachable.replace(
        r#"Chapter(id: "one","#,
        r#"Chapter(id: "one", allow: ["W101"],"#,
    ));
    assert!(!report.diagnostics.iter().any(|d| d.code == "W101"));
    // On another node it does not apply.
    let report =
        load_chapter(&unreachable.replace(r#"(id: "a","#, r#"(id: "a", allow: ["W101"],"#));
    assert!(report.diagnostics.iter().any(|d| d.code == "W101"));

    // The tool: warnings alone exit 0, or 1 with `--deny warnings`.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("story.ron"), STORY).unwrap();
    std::fs::write(dir.path().join("one.ron"), unreachable).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_her"))
            .arg("check")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run(&[]), Some(0));
    assert_eq!(run(&["--deny", "warnings"]), Some(1));
}

#[test]
fn choices_that_cover_every_case_together_are_no_false_alarm() {
    for (a, b) in [
        ("met", "!met"),
        ("trust >= 3", "trust < 3"),
        ("trust >= 3", "3 > trust"),
        ("os_name == \"Wren\"", "os_name != \"Wren\""),
    ] {
        let report = load_chapter(&format!(
            r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: {{trust}} {{os_name}} {{met}}")], choices: [
        (text: "One.", when: r"{a}", goto: "b"),
        (text: "Other.", when: r"{b}", goto: "b"),
    ]),
    (id: "b", end: "done"),
])"#
        ));
        assert!(
            !report.diagnostics.iter().any(|d| d.code == "W106"),
            "{a} / {b}: {:#?}",
            report.diagnostics
        );
    }
    // Conditions that can both fail still warn.
    let report = load_chapter(
        r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: {trust} {os_name} {met}")], choices: [
        (text: "One.", when: "trust > 3", goto: "b"),
        (text: "Other.", when: "trust < 3", goto: "b"),
    ]),
    (id: "b", end: "done"),
])"#,
    );
    assert!(report.diagnostics.iter().any(|d| d.code == "W106"));
}

#[test]
fn a_node_named_where_a_variable_belongs_suggests_seen() {
    let report = load_chapter(
        r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: {trust} {os_name} {met}")], next: "b"),
    (id: "b", script: [If("a", [Line("os: Back again.")])], end: "done"),
])"#,
    );
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "E004")
        .unwrap();
    assert!(d.hint.as_deref().unwrap_or("").contains("seen(a)"), "{d:?}");
}

#[test]
fn check_watch_checks_again_when_a_file_is_saved() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    for name in ["story.ron", "one.ron", "two.ron"] {
        std::fs::copy(
            std::path::Path::new("tests/fixtures/mini").join(name),
            dir.path().join(name),
        )
        .unwrap();
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_her"))
        .args(["check", "--watch"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |what: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) if line.contains(what) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
    };
    assert!(wait_for("watching"), "it starts watching");
    // A save that breaks the story, then one that mends it.
    let one = dir.path().join("one.ron");
    let text = std::fs::read_to_string(&one).unwrap();
    std::fs::write(&one, text.replacen("Line(\"", "Line(\"{nobody} ", 1)).unwrap();
    let broke = wait_for("E010");
    std::fs::write(&one, &text).unwrap();
    let mended = wait_for("clean:");
    let _ = child.kill();
    let _ = child.wait();
    assert!(broke, "the broken save is reported");
    assert!(mended, "the mended save checks clean");
}

#[test]
fn a_test_start_begins_anywhere_with_the_state_given_and_says_so() {
    use her::story::runtime::TestStart;
    use her::story::save::Playthrough;
    let story = crate::common::mini();
    let start = TestStart {
        from: "one.fear".into(),
        set: vec![
            ("trust".into(), "2".into()),
            ("his_fear".into(), "the dark".into()),
        ],
    };
    let mut st = story.state_from(3, &start).unwrap();
    assert_eq!(
        st.value(&story, "trust"),
        Some(&her::story::expr::Value::Number(2))
    );
    // It plays from that node, and a rollback goes back to the test start, not the beginning.
    let mut first_line = None;
    while !st.is_waiting() {
        if let Event::Line(l) = story.next(&mut st) {
            first_line.get_or_insert(l.text.to_string());
        }
    }
    assert_eq!(story.nodes()[st.node()].id, "one.fear");
    story.choose(&mut st, 0).unwrap();
    let back = story.rollback(&st, 0);
    assert_eq!(back.test_start.as_deref(), Some(&start));
    assert_eq!(
        back.value(&story, "trust"),
        Some(&her::story::expr::Value::Number(2)),
        "the test start's values, not the story's defaults"
    );
    // A recording carries it, replays it exactly, and a bad one is refused with a message.
    let doc = Playthrough::new(&story, &st);
    assert_eq!(doc.start.as_ref(), Some(&start));
    match doc.resume(&story) {
        her::story::Resume::Exact(again) => assert_eq!(again, st),
        other => panic!("{other:?}"),
    }
    for (bad, why) in [
        (
            TestStart {
                from: "one.nowhere".into(),
                set: vec![],
            },
            "one.nowhere",
        ),
        (
            TestStart {
                from: "one.fear".into(),
                set: vec![("trust".into(), "lots".into())],
            },
            "number",
        ),
        (
            TestStart {
                from: "one.fear".into(),
                set: vec![("nobody".into(), "1".into())],
            },
            "nobody",
        ),
    ] {
        let err = story.state_from(1, &bad).unwrap_err();
        assert!(err.contains(why), "{err}");
    }
    // The tool marks the transcript.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_her"))
        .args([
            "read",
            "tests/fixtures/mini",
            "--from",
            "one.fear",
            "--set",
            "trust=2",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("(a test start at `one.fear` with trust=2"),
        "{text}"
    );
}

#[test]
fn what_a_player_would_read_too_often_is_found_and_warned_about() {
    // A hub the player returns to: its long line and the remembered phrase in it come back.
    let chapter = r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: I keep thinking about the night you told me {os_name} was a good name.")], choices: [
        (text: "Again.", do: ["trust += 1"], goto: "a"),
        (text: "Enough.", when: "trust >= 4 || met", goto: "b"),
    ]),
    (id: "b", end: "done"),
])"#;
    let report = load_chapter(chapter);
    let story = report.story.expect("loads");
    let found = her::story::stats::repetition(&story, 1, 20);
    assert!(
        found
            .iter()
            .any(|r| !r.memory && r.most > 2 && r.text.starts_with("I keep thinking")),
        "{found:?}"
    );
    // `her check` warns at the node, with a path to see it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("story.ron"), STORY).unwrap();
    std::fs::write(dir.path().join("one.ron"), chapter).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_her"))
        .arg("check")
        .arg(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("W123") && text.contains("her read --seed"),
        "{text}"
    );
    // A line read once per playthrough is not reported.
    let once = chapter.replace(r#"goto: "a"),"#, r#"goto: "b"),"#);
    let story = load_chapter(&once).story.expect("loads");
    assert!(her::story::stats::repetition(&story, 1, 20).is_empty());
}

#[test]
fn glue_joins_lines_and_choices_can_be_said_with_inks_split() {
    let story_text = STORY.replace(
        r#"characters: { "os": (name: "{os_name}", os: true) },"#,
        r#"characters: { "os": (name: "{os_name}", os: true), "theodore": (name: "Theodore") },"#,
    )
    .replace("endings:", "echo_choices: true,\n    endings:");
    let chapter = r#"Chapter(id: "one", nodes: [
    (id: "a", script: [
        Line("os: I was going to say something <>"),
        If("trust > 0", [Line("<>warm, <>")]),
        Line("<>and then I forgot, {os_name}."),
        Line("Rain."),
    ], choices: [
        (text: "Hello[.] back, she says.", id: "hello", do: ["trust += 1", "met = true"], goto: "a"),
        (text: "Go.", id: "go", goto: "b"),
    ]),
    (id: "b", end: "done"),
])"#;
    let report = load_pair(&story_text, chapter);
    let story = report
        .story
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    let transcript = her::story::transcript::transcript(&story, 1, &[1, 2]).unwrap();
    let expected = [
        "Wren: I was going to say something and then I forgot, Wren.",
        "  1) Hello.",
        "Theodore: Hello back, she says.",
        "Wren: I was going to say something warm, and then I forgot, Wren.",
        "Theodore: Go.",
    ];
    let mut at = 0;
    for want in expected {
        let found = transcript[at..]
            .find(want)
            .unwrap_or_else(|| panic!("{want:?} in order in:\n{transcript}"));
        at += found + want.len();
    }
    // A glued line is one event, and the said choice is a line of its own, named by the choice.
    let mut st = story.new_state(1);
    let mut lines = Vec::new();
    while !st.is_waiting() {
        if let Event::Line(l) = story.next(&mut st) {
            lines.push(l.text.to_string());
        }
    }
    assert_eq!(lines.len(), 2, "{lines:?}");
    story.choose(&mut st, 0).unwrap();
    let Event::Line(said) = story.next(&mut st) else {
        panic!("the choice is said")
    };
    assert_eq!(story.line_id(said.index), "one.a>hello");
}

#[test]
fn a_detour_comes_back_to_the_step_after_it_and_one_that_cannot_is_an_error() {
    let chapter = r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("The phone rings, {os_name}."), Detour("call"), Line("He puts it down."), Detour("call"), Line("Twice.")], next: "b"),
    (id: "call", script: [Line("os: It's me, {trust}."), If("met", [Line("os: Again.")]), Do(["met = true"]), Detour("inner"), Return]),
    (id: "inner", script: [Line("os: Deeper."), Return]),
    (id: "b", end: "done"),
])"#;
    let report = load_chapter(chapter);
    let story = report
        .story
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    let transcript = her::story::transcript::transcript(&story, 1, &[]).unwrap();
    let lines: Vec<&str> = transcript
        .lines()
        .filter(|l| {
            !l.is_empty() && !l.starts_with("==") && !l.starts_with("--") && !l.starts_with("***")
        })
        .collect();
    assert_eq!(
        lines[..8],
        [
            "The phone rings, Wren.",
            "Wren: It's me, 0.",
            "Wren: Deeper.",
            "He puts it down.",
            "Wren: It's me, 0.",
            "Wren: Again.",
            "Wren: Deeper.",
            "Twice."
        ],
        "{transcript}"
    );
    // A detour whose node never reaches `Return` is an error at the detour.
    let report = load_chapter(
        r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: {trust} {os_name} {met}"), Detour("away")], next: "b"),
    (id: "away", script: [Line("os: Gone.")], next: "b"),
    (id: "b", end: "done"),
])"#,
    );
    assert!(
        report.diagnostics.iter().any(|d| d.code == "E027"),
        "{:#?}",
        report.diagnostics
    );
}

#[test]
fn a_memory_is_told_in_full_once_then_by_its_handles() {
    let story_text = STORY.replace(
        r#""met": Flag(false) }"#,
        r#""met": Flag(false), "his_fear": Fact }"#,
    );
    let chapter = r##"Chapter(id: "one", nodes: [
    (id: "a", script: [Do([r#"remember his_fear = "being easier to love in a letter than in a room|that fear|it""#])], next: "b"),
    (id: "b", script: [Line("os: You told me about {his_fear}, {os_name} {trust} {met}.")], choices: [
        (text: "Again.", goto: "b"),
        (text: "Go.", goto: "c"),
    ]),
    (id: "c", script: [Do([r#"remember his_fear = 'the "dark"'"#]), Line("os: Not {his_fear}.")], end: "done"),
])"##;
    let report = load_pair(&story_text, chapter);
    let story = report
        .story
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    let transcript = her::story::transcript::transcript(&story, 1, &[1, 1, 1, 2]).unwrap();
    let told: Vec<&str> = transcript
        .lines()
        .filter(|l| l.contains("You told me about"))
        .collect();
    assert_eq!(
        told,
        [
            "Wren: You told me about being easier to love in a letter than in a room, Wren 0 false.",
            "Wren: You told me about that fear, Wren 0 false.",
            "Wren: You told me about it, Wren 0 false.",
            "Wren: You told me about it, Wren 0 false.",
        ]
    );
    // Single quotes hold double quotes in an effect's text.
    assert!(
        transcript.contains(r#"Wren: Not the "dark"."#),
        "{transcript}"
    );
    // The full phrase is read once, so it is no repetition.
    let found = her::story::stats::repetition(&story, 1, 10);
    assert!(!found.iter().any(|r| r.memory), "{found:?}");
}

#[test]
fn a_variant_can_be_limited_in_how_often_and_how_soon_it_plays() {
    let lines = |variants: &str| -> Vec<String> {
        let chapter = format!(
            r#"Chapter(id: "one", nodes: [
    (id: "a", script: [Line("os: {{trust}} {{os_name}} {{met}}"), Variants([{variants}])], choices: [
        (text: "Again.", goto: "a"),
        (text: "Go.", goto: "b"),
    ]),
    (id: "b", end: "done"),
])"#
        );
        let report = load_chapter(&chapter);
        let story = report
            .story
            .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
        her::story::transcript::transcript(&story, 1, &[1, 1, 1, 1, 1, 2])
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("Wren: ") && !l.contains("0 Wren false"))
            .map(|l| l.trim_start_matches("Wren: ").to_owned())
            .collect()
    };
    // At most once in a playthrough, however often the beat comes round.
    let seen = lines(
        r#"(text: "os: The long story, all of it.", max: 1), (text: "os: You know the rest.")"#,
    );
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert_eq!(
        seen.iter()
            .filter(|l| *l == "The long story, all of it.")
            .count(),
        1,
        "{seen:?}"
    );
    // Never twice in a row: a cooldown of two beats.
    let seen = lines(r#"(text: "os: Rain again.", cooldown: 2), (text: "os: Quiet.")"#);
    for pair in seen.windows(2) {
        assert!(
            !(pair[0] == "Rain again." && pair[1] == "Rain again."),
            "{seen:?}"
        );
    }
    assert!(
        seen.iter().filter(|l| *l == "Rain again.").count() >= 2,
        "{seen:?}"
    );
}

#[test]
fn a_type_error_in_an_effect_gets_an_effects_hint() {
    let report = load_chapter(
        r#"Chapter(id: "one", nodes: [(id: "a", script: [Line("os: {trust} {os_name} {met}"), Do(["trust = \"high\"", "met = 3"])], end: "done")])"#,
    );
    let hints: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "E005")
        .filter_map(|d| d.hint.as_deref())
        .collect();
    assert!(hints.iter().any(|h| h.contains("`trust = 3`")), "{hints:?}");
    assert!(
        hints.iter().any(|h| h.contains("`met = true`")),
        "{hints:?}"
    );
    assert!(!hints.iter().any(|h| h.contains("compare it")), "{hints:?}");
}

#[test]
fn inline_branches_keep_their_spaces_and_a_choice_all_in_brackets_says_nothing_as_in_ink() {
    let story_text = STORY
        .replace(
            r#"characters: { "os": (name: "{os_name}", os: true) },"#,
            r#"characters: { "os": (name: "{os_name}", os: true), "theodore": (name: "Theodore") },"#,
        )
        .replace("endings:", "echo_choices: true,\n    endings:");
    // ink keeps the space after a condition's colon and prints a run of spaces as one.
    let chapter = r#"Chapter(id: "one", nodes: [
    (id: "a", script: [
        Line("os: Touch it{met: again}. {met: Twice.|} Done{trust > 0: again| now}."),
        Line("os: {met: Again,|Once,} <>"),
        Line("<> glued."),
    ], choices: [
        (text: "[Wait{met: again}.]", id: "wait", do: ["met = true", "trust += 1"], goto: "a"),
        (text: "Go{met: on}.", id: "go", goto: "b"),
    ]),
    (id: "b", end: "done"),
])"#;
    let report = load_pair(&story_text, chapter);
    let story = report
        .story
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    let transcript = her::story::transcript::transcript(&story, 1, &[1, 2]).unwrap();
    let lines: Vec<&str> = transcript
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("==") && !l.starts_with("***"))
        .collect();
    assert_eq!(
        lines,
        [
            "Wren: Touch it. Done now.",
            "Wren: Once, glued.",
            "  1) Wait.",
            "  2) Go.",
            "> 1",
            // The first choice is all in brackets: nothing is said (no empty line of Theodore's).
            "Wren: Touch it again. Twice. Done again.",
            "Wren: Again, glued.",
            "  1) Wait again.",
            "  2) Go on.",
            "> 2",
            "Theodore: Go on.",
        ],
        "{transcript}"
    );
}

#[test]
fn kept_text_fills_names_and_keeps_escapes_and_stray_braces() {
    // Titles, summaries and headings are kept as written and filled in by name when shown
    // (`Story::interpolate`): `{{`/`}}` are one brace each, a stray `}` or an unclosed `{` is
    // literal, and a name is its value.
    let report = load_chapter(r#"Chapter(id: "one", nodes: [(id: "a", end: "done")])"#);
    let story: Story = report
        .story
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    let st = story.new_state(1);
    assert_eq!(
        story.interpolate("{{x}} {os_name}, {trust} } {unclosed", &st.vars),
        "{x} Wren, 0 } {unclosed"
    );
    assert_eq!(story.interpolate("plain", &st.vars), "plain");
}
