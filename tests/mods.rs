//! Mods (issue 15): the example mod loads clean and its branch is reachable; patches by stable
//! id take effect, two mods' patches to one node both in load order; every problem of order,
//! dependency and conflict is reported with both places; a save made with a mod resumes
//! without it, with a message.

use std::path::{Path, PathBuf};

use her::story::runtime::Event;
use her::story::save::SaveDoc;
use her::story::transcript::render_event;
use her::story::{Diagnostic, LoadReport, Resume, Severity, Story, load};

use crate::common::one_lines;

const MINI: &str = "tests/fixtures/mini";
const EXAMPLE: &str = "docs/examples/mods/long_way_home";

/// A mod folder `name` under `dir` with these files.
fn write_mod(dir: &Path, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).unwrap();
    for (file, text) in files {
        std::fs::write(folder.join(file), text).unwrap();
    }
    folder
}

/// The mini story with these mods, in the order given.
fn mini_with(mods: &[&PathBuf]) -> LoadReport {
    let mut paths = vec![PathBuf::from(MINI)];
    paths.extend(mods.iter().map(|m| (*m).clone()));
    load(&paths)
}

fn story_of(report: &LoadReport) -> &Story {
    report
        .story
        .as_ref()
        .unwrap_or_else(|| panic!("should load: {}", one_lines(&report.diagnostics)))
}

/// The choices offered at the first decision, by id.
fn first_choices(story: &Story) -> Vec<String> {
    let mut st = story.new_state(1);
    for _ in 0..1000 {
        match story.next(&mut st) {
            Event::Choices(c) => return c.iter().map(|v| v.id.to_owned()).collect(),
            e if e.is_final() => break,
            _ => {}
        }
    }
    Vec::new()
}

/// Everything said up to the first decision.
fn opening(story: &Story) -> String {
    let mut st = story.new_state(1);
    let mut out = String::new();
    for _ in 0..1000 {
        let event = story.next(&mut st);
        out.push_str(&render_event(story, &st, &event));
        if event.is_decision() || event.is_final() {
            break;
        }
    }
    out
}

fn with_code<'r>(report: &'r LoadReport, code: &str) -> Vec<&'r Diagnostic> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect()
}

fn in_file(d: &Diagnostic, folder: &Path) -> bool {
    d.file.as_deref().is_some_and(|f| f.starts_with(folder))
}

#[test]
fn the_example_mod_loads_clean_and_its_branch_is_reachable_by_explore() {
    let report = load(&[PathBuf::from("dialogue"), PathBuf::from(EXAMPLE)]);
    assert!(
        report.diagnostics.is_empty(),
        "the example mod must check clean: {}",
        one_lines(&report.diagnostics)
    );
    let story = story_of(&report);
    assert_eq!(story.mod_labels(), ["long_way_home 0.1.0".to_owned()]);
    let found = her::story::explore::explore(story, 1, 3_000, |_, _| {});
    let reached: Vec<&str> = story
        .nodes()
        .iter()
        .zip(&found.nodes_reached)
        .filter(|(_, r)| **r)
        .map(|(n, _)| n.id.as_str())
        .collect();
    assert!(
        reached.contains(&"letters.long_way_home/river_walk"),
        "the mod's branch is reached: {reached:?}"
    );
    // The copy in the docs is what `her new-mod` writes, so the guide and the tool agree.
    for (file, text) in her::cli::new_mod::example_mod("long_way_home") {
        let written = std::fs::read_to_string(Path::new(EXAMPLE).join(file)).unwrap();
        assert_eq!(
            written, text,
            "{file} differs from what `her new-mod` writes"
        );
    }
}

#[test]
fn her_new_mod_writes_a_mod_that_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("Rainy Day");
    assert!(her::cli::new_mod::run(&folder) == std::process::ExitCode::SUCCESS);
    let report = load(&[PathBuf::from("dialogue"), folder.clone()]);
    assert!(
        report.diagnostics.is_empty(),
        "{}",
        one_lines(&report.diagnostics)
    );
    assert_eq!(
        report.mods[0].id, "rainy_day",
        "the folder's name made into an id"
    );
    // Writing over an existing folder is refused.
    assert!(her::cli::new_mod::run(&folder) != std::process::ExitCode::SUCCESS);
}

const ADD_HELLO: &str = r#"Patch(ops: [AddChoices(to: "@base/one.start", choices: [(text: "Wave.", id: "wave", goto: "fear")])])"#;

#[test]
fn two_mods_adding_choices_to_one_node_both_take_effect_in_load_order() {
    let dir = tempfile::tempdir().unwrap();
    let zeta = write_mod(
        dir.path(),
        "zeta",
        &[("mod.ron", r#"Mod(name: "Z")"#), ("p.ron", ADD_HELLO)],
    );
    let alpha = write_mod(
        dir.path(),
        "alpha",
        &[("mod.ron", r#"Mod(name: "A")"#), ("p.ron", ADD_HELLO)],
    );
    // Given zeta first: the order is by id all the same, and the ids do not collide.
    let report = mini_with(&[&zeta, &alpha]);
    let story = story_of(&report);
    assert_eq!(
        first_choices(story),
        ["hi", "silent", "alpha/wave", "zeta/wave"]
    );
    let order: Vec<&str> = report.mods.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(order, ["alpha", "zeta"]);

    // A requirement comes first, whatever the ids.
    std::fs::write(
        alpha.join("mod.ron"),
        r#"Mod(name: "A", requires: {"zeta": "*"})"#,
    )
    .unwrap();
    let report = mini_with(&[&alpha, &zeta]);
    assert_eq!(
        first_choices(story_of(&report)),
        ["hi", "silent", "zeta/wave", "alpha/wave"]
    );
}

#[test]
fn insert_steps_and_add_variants_find_lines_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_mod(
        dir.path(),
        "m",
        &[
            ("mod.ron", r#"Mod(name: "M")"#),
            (
                "p.ron",
                r#"Patch(ops: [
                    InsertSteps(before: "@base/e75dc0", steps: [Line("A cat walks past. #line:m-1")]),
                    InsertSteps(after: "@base/e75dc0", steps: [Line("The cat sits. #line:m-2")]),
                    AddVariants(to: "@base/bd5882", variants: [(when: "trust >= 0", text: "The room is very dark. #line:m-3")]),
                ])"#,
            ),
        ],
    );
    let report = mini_with(&[&m]);
    let text = opening(story_of(&report));
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("`{s}` in {text}"));
    assert!(at("A cat walks past.") < at("Hello. I'm"));
    assert!(at("Hello. I'm") < at("The cat sits."));
    // The more specific variant wins over the line it was added to.
    assert!(text.contains("The room is very dark."), "{text}");
    assert!(!text.contains("The room is dark."), "{text}");
}

#[test]
fn mods_ids_are_their_own_and_names_resolve_in_the_mod_first() {
    let dir = tempfile::tempdir().unwrap();
    let node = |id: &str| {
        format!(
            r#"Patch(ops: [
                AddNodes(to: "@base/one", nodes: [(id: "extra", script: [Line("{id} was here. #line:{id}-1")], next: "@base/one.fear")]),
                AddChoices(to: "@base/one.fear", choices: [(text: "{id}", id: "go", goto: "extra")]),
            ])"#
        )
    };
    let a = write_mod(
        dir.path(),
        "a",
        &[("mod.ron", r#"Mod(name: "A")"#), ("p.ron", &node("a"))],
    );
    let b = write_mod(
        dir.path(),
        "b",
        &[("mod.ron", r#"Mod(name: "B")"#), ("p.ron", &node("b"))],
    );
    let report = mini_with(&[&a, &b]);
    let story = story_of(&report);
    for id in ["one.a/extra", "one.b/extra"] {
        assert!(
            story.nodes().iter().any(|n| n.id == id),
            "{id} is a node of its own"
        );
    }
    // Each mod's `goto: "extra"` went to its own node.
    let mut st = story.new_state(1);
    let mut said = String::new();
    for _ in 0..200 {
        let event = story.next(&mut st);
        said.push_str(&render_event(story, &st, &event));
        if said.contains("was here") || event.is_final() {
            break;
        }
        if let Event::Choices(c) = &event {
            let pick = c.iter().position(|v| v.id == "b/go").unwrap_or(0);
            story.choose(&mut st, pick).unwrap();
        }
    }
    assert!(said.contains("b was here."), "{said}");
    assert!(!said.contains("a was here."), "{said}");
}

#[test]
fn a_missing_requirement_is_reported_at_the_requirement() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_mod(
        dir.path(),
        "m",
        &[(
            "mod.ron",
            "Mod(\n    name: \"M\",\n    requires: {\"umbrellas\": \"^1\"},\n)",
        )],
    );
    let report = mini_with(&[&m]);
    let found = with_code(&report, "E030");
    assert_eq!(found.len(), 1, "{}", one_lines(&report.diagnostics));
    assert!(in_file(found[0], &m));
    assert_eq!((found[0].line, found[0].column), (3, 17));
    assert!(found[0].message.contains("`umbrellas`"));
}

#[test]
fn a_version_mismatch_names_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let lib = write_mod(
        dir.path(),
        "lib",
        &[(
            "mod.ron",
            "Mod(\n    name: \"Lib\",\n    version: \"1.4.2\",\n)",
        )],
    );
    let user = write_mod(
        dir.path(),
        "user",
        &[(
            "mod.ron",
            "Mod(\n    name: \"User\",\n    requires: {\"lib\": \"^2.0\"},\n)",
        )],
    );
    let report = mini_with(&[&user, &lib]);
    let found = with_code(&report, "E031");
    assert_eq!(found.len(), 1, "{}", one_lines(&report.diagnostics));
    assert!(in_file(found[0], &user), "placed at the requirement");
    assert_eq!(found[0].line, 3);
    let there = format!("{}:3:15", lib.join("mod.ron").display());
    assert!(
        found[0].message.contains(&there),
        "names the version's place {there}: {}",
        found[0].message
    );
    // A version that meets it is no problem.
    std::fs::write(
        user.join("mod.ron"),
        r#"Mod(name: "User", requires: {"lib": "^1.2"})"#,
    )
    .unwrap();
    assert!(mini_with(&[&user, &lib]).diagnostics.is_empty());
}

#[test]
fn a_cycle_is_reported_at_both_requirements() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_mod(
        dir.path(),
        "a",
        &[("mod.ron", r#"Mod(name: "A", requires: {"b": "*"})"#)],
    );
    let b = write_mod(
        dir.path(),
        "b",
        &[("mod.ron", r#"Mod(name: "B", requires: {"a": "*"})"#)],
    );
    let report = mini_with(&[&a, &b]);
    let found = with_code(&report, "E032");
    assert_eq!(found.len(), 2, "{}", one_lines(&report.diagnostics));
    assert!(found.iter().any(|d| in_file(d, &a)) && found.iter().any(|d| in_file(d, &b)));
    // Each names the other mod's file.
    for d in &found {
        let other = if in_file(d, &a) { &b } else { &a };
        assert!(
            d.message
                .contains(&other.join("mod.ron").display().to_string()),
            "{}",
            d.message
        );
    }
}

const REPLACE_START: &str = r#"Chapter(id: "one", nodes: [
    (id: "start", replace: true, script: [Line("os: Someone else. #line:REPL")], choices: [(text: "Go.", id: "go", goto: "fear")]),
])"#;

#[test]
fn two_mods_replacing_one_node_report_both_places_and_the_winner() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_mod(
        dir.path(),
        "a",
        &[
            ("mod.ron", r#"Mod(name: "A")"#),
            ("one.ron", &REPLACE_START.replace("REPL", "a-1")),
        ],
    );
    let b = write_mod(
        dir.path(),
        "b",
        &[
            ("mod.ron", r#"Mod(name: "B")"#),
            ("one.ron", &REPLACE_START.replace("REPL", "b-1")),
        ],
    );
    let report = mini_with(&[&b, &a]);
    let found = with_code(&report, "W126");
    assert_eq!(found.len(), 1, "{}", one_lines(&report.diagnostics));
    assert!(in_file(found[0], &b), "placed at the later mod's node");
    assert_eq!((found[0].line, found[0].column), (2, 11));
    let first = format!("{}:2:11", a.join("one.ron").display());
    assert!(found[0].message.contains(&first), "{}", found[0].message);
    assert!(
        found[0].message.contains("`b` wins"),
        "{}",
        found[0].message
    );
    assert!(opening(story_of(&report)).contains("Someone else."));
}

#[test]
fn a_patch_whose_line_a_replacement_removed_is_skipped_naming_the_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_mod(
        dir.path(),
        "a",
        &[
            ("mod.ron", r#"Mod(name: "A")"#),
            ("one.ron", &REPLACE_START.replace("REPL", "a-1")),
        ],
    );
    let b = write_mod(
        dir.path(),
        "b",
        &[
            ("mod.ron", r#"Mod(name: "B")"#),
            (
                "p.ron",
                "Patch(ops: [\n    InsertSteps(after: \"@base/e75dc0\", steps: [Line(\"Hm. #line:b-1\")]),\n])",
            ),
        ],
    );
    let report = mini_with(&[&a, &b]);
    let found = with_code(&report, "W127");
    assert_eq!(found.len(), 1, "{}", one_lines(&report.diagnostics));
    assert!(in_file(found[0], &b));
    assert_eq!(found[0].line, 2);
    let there = format!("{}:2:11", a.join("one.ron").display());
    assert!(found[0].message.contains(&there), "{}", found[0].message);
    // Without the replacement, the same patch applies.
    let report = mini_with(&[&b]);
    assert!(
        report.diagnostics.is_empty(),
        "{}",
        one_lines(&report.diagnostics)
    );
    assert!(opening(story_of(&report)).contains("Hm."));
}

#[test]
fn a_patch_naming_nothing_and_a_bad_target_inside_one_are_placed_in_the_mod() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_mod(
        dir.path(),
        "m",
        &[
            ("mod.ron", r#"Mod(name: "M")"#),
            (
                "p.ron",
                "Patch(ops: [\n    AddChoices(to: \"@base/one.nowhere\", choices: []),\n    AddChoices(to: \"@base/one.start\", choices: [(text: \"x\", id: \"x\", goto: \"nowhere\")]),\n])",
            ),
        ],
    );
    let report = mini_with(&[&m]);
    let e029 = with_code(&report, "E029");
    assert_eq!(e029.len(), 1, "{}", one_lines(&report.diagnostics));
    assert!(in_file(e029[0], &m));
    assert_eq!((e029[0].line, e029[0].column), (2, 21));
    let e002 = with_code(&report, "E002");
    assert_eq!(e002.len(), 1, "{}", one_lines(&report.diagnostics));
    assert!(
        in_file(e002[0], &m),
        "the bad goto is placed in the mod's file"
    );
    assert_eq!(e002[0].line, 3);
    assert!(e002.iter().all(|d| d.severity == Severity::Error));
    // The game leaves the broken mod out and runs the rest.
    let kept = her::story::load_with_mods(Path::new(MINI), std::slice::from_ref(&m));
    assert!(kept.story.is_some());
    assert_eq!(kept.skipped_mods, vec![m]);
}

#[test]
fn a_save_made_with_a_mod_resumes_without_it_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_mod(
        dir.path(),
        "waves",
        &[
            ("mod.ron", r#"Mod(name: "Waves", version: "1.2.0")"#),
            ("p.ron", ADD_HELLO),
        ],
    );
    let with = mini_with(&[&m]);
    let with = story_of(&with);
    // Took the mod's choice (the third), then stopped at the next decision.
    let st = with.play(1, &[2], |_, _, _| {}).unwrap();
    let doc = SaveDoc::new(with, &st, "One");
    assert_eq!(doc.playthrough.mod_versions, ["waves 1.2.0".to_owned()]);
    let text = doc.to_ron();
    let back = SaveDoc::from_ron(&text, Path::new("save.ron")).unwrap();

    let without = mini_with(&[]);
    let without = story_of(&without);
    match back.resume(without) {
        Resume::Replayed { message, .. } => {
            assert!(
                message.contains("made with the mod waves 1.2.0, which is not loaded now"),
                "{message}"
            );
        }
        Resume::Exact(_) => panic!("a save made with a mod must say so without it"),
    }
    // With the mod, it is exact.
    assert!(matches!(back.resume(with), Resume::Exact(_)));
    // A save made without mods reads as before: no field for them.
    let plain = SaveDoc::new(without, &without.new_state(1), "x").to_ron();
    assert!(!plain.contains("mod_versions"), "{plain}");
}

#[test]
fn a_mod_written_before_manifests_keeps_loading_and_its_chapter_keeps_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_mod(
        dir.path(),
        "Old Mod",
        &[
            (
                "mod.ron",
                r#"Mod(name: "Old", chapters: ["extra"], after: "one")"#,
            ),
            (
                "extra.ron",
                r#"Chapter(id: "extra", title: "Extra", nodes: [(id: "hello", script: [Line("os: Hello from a mod.")], next: "two")])"#,
            ),
            (
                "one.ron",
                r#"Chapter(id: "one", nodes: [(id: "start", replace: true, script: [Line("os: Straight on.")], next: "extra")])"#,
            ),
        ],
    );
    let report = mini_with(&[&m]);
    let story = story_of(&report);
    assert!(!report.has_errors(), "{}", one_lines(&report.diagnostics));
    assert_eq!(report.mods[0].id, "old_mod");
    assert_eq!(story.chapter("extra"), Some(1), "found by its own id");
    assert_eq!(story.chapters()[1].id, "old_mod/extra");
}

#[test]
fn each_mod_has_the_size_limits_to_itself_and_one_over_them_is_left_out() {
    use her::story::files::{self, Limits};
    let dir = tempfile::tempdir().unwrap();
    let big = write_mod(
        dir.path(),
        "big",
        &[("a.ron", &" ".repeat(600)), ("b.ron", &" ".repeat(600))],
    );
    let small = write_mod(dir.path(), "small", &[("a.ron", &" ".repeat(600))]);
    let limits = Limits {
        file_bytes: 700,
        total_bytes: 1000,
        entries: 100,
    };
    let read = files::read_dialogue(&[big.clone(), small.clone()], &limits);
    // The big folder is over its own budget, reported in its own files; the small one after it
    // is read whole all the same.
    assert_eq!(read.layers, vec![0..1, 1..2]);
    assert_eq!(read.diagnostics.len(), 1);
    assert_eq!(read.diagnostics[0].code, "E013");
    assert!(in_file(&read.diagnostics[0], &big));
}

#[test]
fn a_bad_manifest_field_and_two_mods_with_one_id_are_placed() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_mod(
        dir.path(),
        "a",
        &[(
            "mod.ron",
            "Mod(\n    name: \"A\",\n    version: \"one\",\n    requires: {\"b\": \"soon\"},\n)",
        )],
    );
    let b = write_mod(
        dir.path(),
        "b",
        &[("mod.ron", "Mod(\n    name: \"B\",\n    id: \"a\",\n)")],
    );
    let report = mini_with(&[&a, &b]);
    let found = with_code(&report, "E033");
    let places: Vec<(bool, usize)> = found.iter().map(|d| (in_file(d, &a), d.line)).collect();
    assert_eq!(
        places.len(),
        3,
        "the version, the requirement, the second id: {}",
        one_lines(&report.diagnostics)
    );
    assert!(places.contains(&(true, 3)) && places.contains(&(true, 4)));
    let twice = found.iter().find(|d| in_file(d, &b)).unwrap();
    assert_eq!(twice.line, 3);
    assert!(
        twice
            .message
            .contains(&a.join("mod.ron").display().to_string()),
        "{}",
        twice.message
    );
}

#[test]
fn her_tag_stamps_the_lines_choices_and_fragments_of_a_patch() {
    let text = r#"Patch(ops: [
    AddChoices(to: "@base/one.start", choices: [(text: "Run home.", goto: "run")]),
    AddNodes(to: "@base/one", nodes: [(id: "run", script: [Line("He runs.")], next: "fear")]),
    InsertSteps(after: "@base/e75dc0", steps: [Line("Bread, he thinks.")]),
    AddVariants(to: "@base/bd5882", variants: [(when: "seen(run)", text: "os: You're out of breath.")]),
    AddFragments(to: "@base/note", paragraph: 1, fragments: [(text: "Amy, I ran.")]),
])"#;
    let source = her::story::diagnostic::SourceFile::new(PathBuf::from("p.ron"), text.into());
    let tagged = her::story::tag::tag_files(std::slice::from_ref(&source));
    let t = &tagged[0];
    assert_eq!((t.lines, t.choices, t.fragments), (3, 1, 1), "{}", t.text);
    assert!(
        t.text
            .contains(r#"(text: "Run home.", id: "run_home", goto: "run")"#)
    );
    assert!(t.text.contains(r#"(text: "Amy, I ran.", id: "amy_i_ran")"#));
    assert_eq!(t.text.matches("#line:").count(), 3);
}

/// Plays from the start to the end (no decisions on the way): what was said, the ids of the
/// lines said, and the final state.
fn play_through(story: &Story) -> (String, Vec<String>, her::story::runtime::StoryState) {
    let mut st = story.new_state(1);
    let (mut said, mut ids) = (String::new(), Vec::new());
    for _ in 0..1000 {
        let event = story.next(&mut st);
        said.push_str(&render_event(story, &st, &event));
        if let Event::Line(l) = &event {
            ids.push(story.line_id(l.index));
        }
        if event.is_decision() || event.is_final() {
            break;
        }
    }
    (said, ids, st)
}

/// A mod `name` declaring `mood` (starting at `start`), a character `stranger` and an ending
/// `quiet`, with a chapter `walk` whose one node tests its own `mood` and goes on to `next`.
/// Its line is tagged with the id of a base line (`bd5882`).
fn mood_mod(dir: &Path, name: &str, start: u32, next: &str) -> PathBuf {
    let manifest = format!(
        r#"Mod(name: "{name}", chapters: ["walk"],
            variables: {{"mood": Number({start})}},
            characters: {{"stranger": (name: "Stranger {name}")}},
            endings: {{"quiet": (title: "Quiet {name} at {{mood}}", summary: "{name}")}})"#
    );
    let chapter = format!(
        r#"Chapter(id: "walk", title: "Walk", nodes: [(id: "start", script: [
            If("mood == {start}", [Line("stranger: {name} reads its own mood, {{mood}}. #line:bd5882")]),
            Do(["mood += 10"]),
        ], next: "{next}")])"#
    );
    write_mod(dir, name, &[("mod.ron", &manifest), ("walk.ron", &chapter)])
}

#[test]
fn two_mods_declaring_one_name_each_have_their_own_and_a_third_reads_both() {
    let dir = tempfile::tempdir().unwrap();
    let a = mood_mod(dir.path(), "a", 1, "@b/walk.start");
    let b = mood_mod(dir.path(), "b", 2, "@c/read.start");
    let c = write_mod(
        dir.path(),
        "c",
        &[
            ("mod.ron", r#"Mod(name: "C", chapters: ["read"])"#),
            (
                "read.ron",
                r#"Chapter(id: "read", title: "Read", nodes: [(id: "start", script: [
                    Line("@a/stranger: a is {@a/mood}, b is {@b/mood}. #line:cc0001"),
                    If("@a/mood == 11 && @b/mood == 12", [Line("@b/stranger: Both read. #line:cc0002")]),
                    Do(["@a/mood += 100"]),
                    End("@b/quiet"),
                ])])"#,
            ),
            (
                "one.ron",
                r#"Chapter(id: "one", nodes: [(id: "start", replace: true, script: [Line("Off we go. #line:cc0003")], next: "@a/walk.start")])"#,
            ),
        ],
    );
    let report = mini_with(&[&c, &b, &a]);
    let story = story_of(&report);
    // Not a word about the mods (the base's nodes the new start skips are unreachable, W101).
    assert!(
        !report
            .diagnostics
            .iter()
            .any(|d| [&a, &b, &c].iter().any(|m| in_file(d, m))),
        "{}",
        one_lines(&report.diagnostics)
    );
    assert!(with_code(&report, "E003").is_empty() && !report.has_errors());
    let names: Vec<&str> = story.variables().iter().map(|v| v.name.as_str()).collect();
    assert!(
        names.contains(&"a/mood") && names.contains(&"b/mood"),
        "{names:?}"
    );
    assert_eq!(story.character("a/stranger").unwrap().id, "a/stranger");
    assert!(story.character("b/stranger").is_some());

    let (said, ids, st) = play_through(story);
    assert!(
        said.contains("Stranger a: a reads its own mood, 1."),
        "{said}"
    );
    assert!(
        said.contains("Stranger b: b reads its own mood, 2."),
        "{said}"
    );
    assert!(said.contains("Stranger a: a is 11, b is 12."), "{said}");
    assert!(said.contains("Stranger b: Both read."), "{said}");
    // A title is filled in when shown, with the mod's own `mood` too.
    assert!(said.contains("Quiet b at 12"), "{said}");
    let slot = story.variable("a/mood").unwrap();
    assert_eq!(st.vars[slot], her::story::expr::Value::Number(111));
    // A mod's line ids are its own: the base's `bd5882` is another line.
    assert!(ids.contains(&"a/bd5882".to_owned()), "{ids:?}");
    assert!(ids.contains(&"b/bd5882".to_owned()), "{ids:?}");
    assert!(ids.contains(&"c/cc0001".to_owned()), "{ids:?}");
}

#[test]
fn a_mod_line_id_equal_to_a_base_line_id_does_not_collide() {
    let dir = tempfile::tempdir().unwrap();
    // `bd5882` is the base story's first line; the mod's line takes its place at the start.
    let m = write_mod(
        dir.path(),
        "echo",
        &[
            ("mod.ron", r#"Mod(name: "Echo")"#),
            (
                "p.ron",
                r#"Patch(ops: [InsertSteps(after: "@base/bd5882", steps: [Line("An echo. #line:bd5882")])])"#,
            ),
        ],
    );
    let report = mini_with(&[&m]);
    let story = story_of(&report);
    assert!(
        with_code(&report, "E003").is_empty(),
        "{}",
        one_lines(&report.diagnostics)
    );
    let (said, ids, _) = play_through(story);
    assert!(said.contains("An echo."), "{said}");
    assert_eq!(
        ids[..2],
        ["bd5882".to_owned(), "echo/bd5882".to_owned()],
        "{said}"
    );
}

#[test]
fn one_mod_declaring_one_name_twice_names_both_places() {
    let dir = tempfile::tempdir().unwrap();
    let decl = r#"Mod(name: "M", variables: {"umbrella": Flag(false), "umbrella": Flag(true)})"#;
    let a = write_mod(dir.path(), "a", &[("mod.ron", decl)]);
    let report = mini_with(&[&a]);
    let found = with_code(&report, "E003");
    assert_eq!(found.len(), 1, "{}", one_lines(&report.diagnostics));
    assert!(in_file(found[0], &a));
}

#[test]
fn a_mod_written_before_namespaces_keeps_loading_and_playing_as_before() {
    let dir = tempfile::tempdir().unwrap();
    // Names begun with the mod's id, as the docs advised, read bare by the mod and by a mod
    // that builds on it; its letter, its ending and its speaker by their bare names too.
    let walks = write_mod(
        dir.path(),
        "walks",
        &[
            (
                "mod.ron",
                r#"Mod(name: "Walks", chapters: ["river"],
                    variables: {"walks_count": Number(0)},
                    characters: {"walks_boatman": (name: "The Boatman")},
                    endings: {"walks_river": (title: "The River, walk {walks_count}", summary: "He kept walking.")})"#,
            ),
            (
                "river.ron",
                r#"Chapter(id: "river", title: "River", nodes: [(id: "start", script: [
                    Do(["walks_count += 1"]),
                    Line("walks_boatman: Walk {walks_count}, {os_name}. #line:ab0001"),
                    Letter(id: "walks_note", to: "To the river", paragraphs: [(fragments: [(text: "Dear river,", id: "dear")])]),
                    If("wrote(walks_note) && trust == 0", [Line("The note is written. #line:ab0002")]),
                    Goto("@more/more.start"),
                ])])"#,
            ),
            (
                "one.ron",
                r#"Chapter(id: "one", nodes: [(id: "start", replace: true, script: [Line("Off. #line:ab0003")], next: "river.start")])"#,
            ),
        ],
    );
    let more = write_mod(
        dir.path(),
        "more",
        &[
            (
                "mod.ron",
                r#"Mod(name: "More", chapters: ["more"], requires: {"walks": "*"})"#,
            ),
            (
                "more.ron",
                r#"Chapter(id: "more", title: "More", nodes: [(id: "start", script: [
                    If("walks_count == 1", [Line("walks_boatman: Once. #line:ab0004")]),
                    End("walks_river"),
                ])])"#,
            ),
        ],
    );
    let report = mini_with(&[&more, &walks]);
    let story = story_of(&report);
    assert!(!report.has_errors(), "{}", one_lines(&report.diagnostics));
    let mut st = story.new_state(1);
    let mut said = String::new();
    for _ in 0..1000 {
        let event = story.next(&mut st);
        said.push_str(&render_event(story, &st, &event));
        if let Event::Paragraph(_) = &event {
            story.choose(&mut st, 0).unwrap();
        }
        if event.is_final() {
            break;
        }
    }
    for want in [
        "Off.",
        "The Boatman: Walk 1, Samantha.",
        "The note is written.",
        "The Boatman: Once.",
        "The River, walk 1",
    ] {
        assert!(said.contains(want), "{want} in {said}");
    }
    // A save written before line ids were the mod's own names a line by its tag alone.
    let line = (0..story.lines().len())
        .find(|&l| story.line_id(l) == "walks/ab0001")
        .expect("the mod's line is walks/ab0001");
    assert!(story.line_named(line, "ab0001"));
    assert!(story.line_named(line, "walks/ab0001"));
    assert!(!story.line_named(line, "ab0002"));
}
