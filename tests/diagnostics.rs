//! Every kind of problem a modder can make, in a broken file under `tests/broken/`, with the
//! diagnostics it must produce: code, file, line, column, message and hint (as snapshots, so a
//! change in wording shows as a diff).

use std::collections::BTreeSet;
use std::path::PathBuf;

use her::story::{Severity, load};

use crate::common::{broken, one_lines};

const CASES: &[&str] = &[
    "e001_syntax",
    "e001_unknown_field",
    "e002_unknown_target",
    "e003_duplicate_id",
    "e004_undeclared_variable",
    "e005_type_error",
    "e006_unparseable",
    "e007_unknown_ending",
    "e008_unknown_letter",
    "e010_bad_interpolation",
    "e011_when_without_otherwise",
    "e020_pause_not_a_duration",
    "e021_too_deep",
    "e022_dead_end",
    "e023_endless_loop",
    "e024_bad_name",
    "e026_next_and_end",
    "e027_detour_never_returns",
    "e028_newer_format",
    "w101_unreachable",
    "w103_variant_never_chosen",
    "w104_ending_never_reached",
    "w105_unknown_speaker",
    "w106_all_choices_conditional",
    "w107_unused_variable",
    "w120_untagged",
    "w124_then_reads_what_do_set",
    "w125_ink_syntax",
];

fn rendered(case: &str) -> String {
    one_lines(&broken(case).diagnostics)
}

#[test]
fn each_broken_file_reports_its_problem_with_its_place() {
    for case in CASES {
        let report = broken(case);
        let expected = case[..4].to_uppercase();
        let found = report.diagnostics.iter().find(|d| d.code == expected);
        let d = found
            .unwrap_or_else(|| panic!("{case}: expected {expected}, got:\n{}", rendered(case)));
        // Problems with a declaration (an ending, a variable) point at story.ron.
        let home = if matches!(d.code, "W104" | "W107") {
            "story.ron".to_owned()
        } else if d.code == "E024" {
            format!("{case}.story.ron")
        } else {
            format!("{case}.ron")
        };
        assert!(
            d.file.as_ref().is_some_and(|f| f.ends_with(&home)),
            "{case}: the problem names its file: {d:?}"
        );
        assert!(d.line >= 1 && d.column >= 1, "{case}: placed");
        assert!(
            d.hint.is_some() || d.code == "E001",
            "{case}: says what to do"
        );
        // Nothing else is wrong in the case files: each shows exactly its own problem (an
        // unparsed or untagged case file may also say it has no stable ids: W120).
        let codes: BTreeSet<&str> = report
            .diagnostics
            .iter()
            .map(|d| d.code)
            .filter(|c| *c != "W120" || expected == "W120")
            .collect();
        assert_eq!(
            codes,
            BTreeSet::from([expected.as_str()]),
            "{case}:\n{}",
            rendered(case)
        );
        // Errors keep the story from loading; warnings do not.
        assert_eq!(
            report.story.is_none(),
            d.severity == Severity::Error,
            "{case}"
        );
        insta::assert_snapshot!(*case, rendered(case));
    }
}

#[test]
fn every_problem_code_has_a_broken_file() {
    let doc = std::fs::read_to_string("docs/dialogue-format.md").unwrap();
    let documented: BTreeSet<String> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.get(..4))
        .filter(|c| {
            (c.starts_with('E') || c.starts_with('W')) && c[1..].chars().all(|d| d.is_ascii_digit())
        })
        .map(str::to_owned)
        .collect();
    let tested: BTreeSet<String> = CASES.iter().map(|c| c[..4].to_uppercase()).collect();
    // E009 (no story file) is tested below, on a folder; the codes of files and folders (too
    // large, not UTF-8, links and pipes skipped) need files no broken case can be, and are
    // tested in `files.rs`; E025 (counts) needs a node too large to keep here, and W121 (an
    // empty mod folder) a folder: `robust.rs`; W123 (repetition) is `her check`'s, played on
    // seeded playthroughs: `writing.rs`. The mods' codes need mod folders: `mods.rs`.
    let elsewhere = [
        "E009", "E012", "E013", "E014", "W108", "E025", "W121", "W123", "E029", "E030", "E031",
        "E032", "E033", "W126", "W127",
    ];
    let missing: Vec<_> = documented
        .difference(&tested)
        .filter(|c| !elsewhere.contains(&c.as_str()))
        .collect();
    assert!(missing.is_empty(), "codes with no broken file: {missing:?}");
}

#[test]
fn all_problems_are_collected_not_only_the_first() {
    let report = broken("e005_type_error");
    assert_eq!(
        report.diagnostics.len(),
        2,
        "two type errors in one file: {report:#?}"
    );
    let report = broken("e006_unparseable");
    assert_eq!(report.diagnostics.len(), 2);
}

#[test]
fn the_column_points_inside_the_condition() {
    let report = broken("e004_undeclared_variable");
    let d = &report.diagnostics[0];
    let text = std::fs::read_to_string("tests/broken/e004_undeclared_variable.ron").unwrap();
    let line = text.lines().nth(d.line - 1).unwrap();
    let at: String = line.chars().skip(d.column - 1).take(5).collect();
    assert_eq!(at, "trsut");
    assert_eq!(d.hint.as_deref(), Some("did you mean `trust`?"));
}

#[test]
fn a_folder_without_a_story_file_says_so() {
    let report = load(&[PathBuf::from("tests/fixtures/mini/one.ron")]);
    assert!(
        report.diagnostics.iter().any(|d| d.code == "E009"),
        "{report:#?}"
    );
    let report = load(&[PathBuf::from("tests/no/such/folder")]);
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.code == "E009" && d.message.contains("cannot read"))
    );
}

#[test]
fn json_output_is_parseable_and_complete() {
    let report = broken("e002_unknown_target");
    let json = her::story::diagnostic::render_json(&report.diagnostics);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    let first = &parsed[0];
    assert_eq!(first["code"], "E002");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 4);
    assert!(first["hint"].as_str().unwrap().contains("finish"));
}

#[test]
fn a_broken_mod_is_left_out_and_the_story_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good_mod");
    let bad = dir.path().join("bad_mod");
    std::fs::create_dir_all(&good).unwrap();
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        good.join("mod.ron"),
        r#"Mod(name: "Extra", chapters: ["extra"], after: "one")"#,
    )
    .unwrap();
    std::fs::write(
        good.join("extra.ron"),
        r#"Chapter(id: "extra", title: "Extra", nodes: [(id: "hello", script: [Line("os: A mod says hello.")], next: "two")])"#,
    )
    .unwrap();
    std::fs::write(
        bad.join("mod.ron"),
        r#"Mod(name: "Broken", chapters: ["oops"])"#,
    )
    .unwrap();
    std::fs::write(
        bad.join("oops.ron"),
        r#"Chapter(id: "oops", nodes: [(id: "x", next: "nowhere")"#,
    )
    .unwrap();
    let base = PathBuf::from("tests/fixtures/mini");
    // The good mod needs a way in: it follows chapter one in the order, reached by `next: "two"`
    // from one's last node... which points at chapter two, so the mod's chapter is only reached
    // if something points at it. Its problems are warnings, not errors.
    let report = her::story::load_with_mods(&base, &[good.clone(), bad.clone()]);
    let story = report
        .story
        .as_ref()
        .expect("the base story and the good mod still load");
    assert_eq!(report.skipped_mods, vec![bad.clone()]);
    assert!(story.chapter("extra").is_some());
    assert_eq!(story.mods(), vec!["Extra".to_owned()]);
    assert!(
        report
            .diagnostics
            .iter()
            .any(|d| d.file.as_ref().is_some_and(|f| f.starts_with(&bad)) && d.code == "E001"),
        "the broken mod's problem is reported with its file"
    );
}
