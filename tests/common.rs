//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};

use her::story::diagnostic::SourceFile;
use her::story::load::compile_sources;
use her::story::{LoadReport, Story, load};

/// The small story that uses every construct.
pub fn mini() -> Story {
    let report = load(&[PathBuf::from("tests/fixtures/mini")]);
    assert!(
        report.diagnostics.is_empty(),
        "the mini story should load clean: {:#?}",
        report.diagnostics
    );
    report.story.expect("mini story")
}

/// The mini story with one file's text changed, as a writer would edit it.
pub fn mini_edited(file: &str, from: &str, to: &str) -> Story {
    let sources: Vec<SourceFile> = ["story.ron", "one.ron", "two.ron"]
        .iter()
        .map(|name| {
            let path = Path::new("tests/fixtures/mini").join(name);
            let mut text = std::fs::read_to_string(&path).expect("fixture");
            if *name == file {
                assert!(text.contains(from), "the edit must apply");
                text = text.replace(from, to);
            }
            SourceFile::new(path, text)
        })
        .collect();
    let report = compile_sources(sources, std::slice::from_ref(&(0..3)));
    assert!(!report.has_errors(), "{:#?}", report.diagnostics);
    report.story.expect("edited story")
}

/// A broken case: the shared `tests/broken/story.ron` (or the case's own `{case}.story.ron`,
/// for problems in declarations) plus one chapter file, as one layer.
pub fn broken(case: &str) -> LoadReport {
    let own = format!("{case}.story.ron");
    let story = if Path::new("tests/broken").join(&own).exists() {
        own
    } else {
        "story.ron".to_owned()
    };
    let sources = [story.as_str(), &format!("{case}.ron")]
        .iter()
        .map(|name| {
            let path = Path::new("tests/broken").join(name);
            SourceFile::new(
                path.clone(),
                std::fs::read_to_string(&path).expect("case file"),
            )
        })
        .collect();
    compile_sources(sources, std::slice::from_ref(&(0..2)))
}

/// A story file and one chapter file, as written in a test, loaded as one layer.
pub fn load_pair(story: &str, chapter: &str) -> LoadReport {
    compile_sources(
        vec![
            SourceFile::new(PathBuf::from("story.ron"), story.into()),
            SourceFile::new(PathBuf::from("one.ron"), chapter.into()),
        ],
        std::slice::from_ref(&(0..2)),
    )
}

/// The shipped dialogue.
pub fn shipped() -> Story {
    let report = load(&[PathBuf::from("dialogue")]);
    assert!(
        report.diagnostics.is_empty(),
        "the shipped dialogue must check clean: {}",
        one_lines(&report.diagnostics)
    );
    report.story.expect("shipped story")
}

/// Diagnostics in their one-line form, one per line.
pub fn one_lines(diagnostics: &[her::story::Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| d.one_line())
        .collect::<Vec<_>>()
        .join("\n")
}
