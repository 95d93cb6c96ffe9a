//! The file and output layer against hostile folders and readers, one test per kind of fault:
//! a byte-order mark, links that loop or lead outside, pipes, files over the size limits, text
//! that is not UTF-8, a reader that closes the pipe, and a flood of one problem. Each would fail
//! (or hang, or read gigabytes) on a loader that reads what it finds.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use her::story::files::{self, Limits, ReadError};
use her::story::{Severity, load};

use crate::common::one_lines;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A throwaway copy of the broken cases' story with one chapter, each file given as bytes.
fn story_folder(chapter: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("tests/broken/story.ron", dir.path().join("story.ron")).unwrap();
    std::fs::write(dir.path().join("one.ron"), chapter).unwrap();
    dir
}

/// A chapter with one problem (`trsut`, undeclared) at line 3, column 37 (and so `trust` is
/// never set: perhaps a warning in story.ron).
const ONE_PROBLEM: &str = r#"Chapter(
    id: "one",
    nodes: [(id: "a", script: [Do(["trsut += 1", "met_amy = true", "remember his_fear"]), Line("os: Hi."), If("met_amy && his_fear && trust > 0", [Line("os: Bye.")])], end: "warm")],
)
"#;

/// A chapter with no problem: it sets and reads every variable of the broken cases' story.
const GOOD: &[u8] = br#"Chapter(id: "one", nodes: [(id: "a", script: [Do(["trust += 1", "met_amy = true", "remember his_fear"]), If("met_amy && his_fear && trust > 0", [Line("os: Bye.")])], end: "warm")])"#;

/// Runs `load` on another thread, so a loader that waits forever fails the test instead of
/// hanging it.
fn load_within(paths: Vec<PathBuf>, seconds: u64) -> her::story::LoadReport {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(load(&paths));
    });
    receive
        .recv_timeout(Duration::from_secs(seconds))
        .expect("loading must not wait on anything in the folder")
}

/// The codes of the errors and of the file notices (`W108`): warnings about a story's content
/// (lines without ids, say) are not this layer's to test.
fn codes(report: &her::story::LoadReport) -> Vec<&'static str> {
    report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error || d.code == "W108")
        .map(|d| d.code)
        .collect()
}

#[test]
fn a_byte_order_mark_is_accepted_with_columns_unmoved() {
    let plain = story_folder(ONE_PROBLEM.as_bytes());
    let marked = story_folder(&[BOM, ONE_PROBLEM.as_bytes()].concat());
    let mut story = BOM.to_vec();
    story.extend(std::fs::read("tests/broken/story.ron").unwrap());
    std::fs::write(marked.path().join("story.ron"), story).unwrap();

    let plain = load(&[plain.path().to_path_buf()]);
    let marked = load(&[marked.path().to_path_buf()]);
    assert_eq!(
        codes(&marked),
        codes(&plain),
        "{}",
        one_lines(&marked.diagnostics)
    );
    assert_eq!(codes(&marked)[0], "E004");
    let first =
        |r: &her::story::LoadReport| r.diagnostics.iter().find(|d| d.code == "E004").cloned();
    let (a, b) = (first(&plain).unwrap(), first(&marked).unwrap());
    assert_eq!((a.line, a.column), (b.line, b.column));
    assert_eq!((b.line, b.column), (3, 37));

    // Recordings and saves are read by the same helper: a recording saved again by a Windows
    // editor still replays.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.ron");
    std::fs::write(&path, [BOM, b"(seed: 7)"].concat()).unwrap();
    assert_eq!(files::read_text(&path, 100).unwrap(), "(seed: 7)");
    let mini = "tests/fixtures/mini";
    let her = || Command::new(env!("CARGO_BIN_EXE_her"));
    let recorded = her()
        .args(["read", mini, "--seed", "7", "--choices", "1", "--record"])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(recorded.status.success());
    let mut marked = BOM.to_vec();
    marked.extend(std::fs::read(&path).unwrap());
    std::fs::write(&path, marked).unwrap();
    let replayed = her().arg("replay").arg(&path).arg(mini).output().unwrap();
    assert!(
        replayed.status.success(),
        "{}",
        String::from_utf8_lossy(&replayed.stderr)
    );
    assert!(!replayed.stdout.is_empty() && recorded.stdout.starts_with(&replayed.stdout));
}

#[cfg(unix)]
#[test]
fn links_that_loop_or_lead_outside_are_never_followed() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    let secret = "Chapter(id: \"stolen\", nodes: [(id: \"x\", script: [Line(\"SECRET TEXT\")]";
    std::fs::write(outside.path().join("secret.ron"), secret).unwrap();
    let dir = story_folder(GOOD);
    symlink(".", dir.path().join("again")).unwrap();
    symlink(outside.path(), dir.path().join("elsewhere")).unwrap();
    symlink(
        outside.path().join("secret.ron"),
        dir.path().join("secret.ron"),
    )
    .unwrap();

    let report = load_within(vec![dir.path().to_path_buf()], 20);
    assert_eq!(report.sources.len(), 2, "only the folder's own two files");
    let skipped: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "W108")
        .collect();
    assert_eq!(skipped.len(), 3, "{}", one_lines(&report.diagnostics));
    assert!(skipped.iter().all(|d| d.message.contains("link")));
    assert!(report.story.is_some(), "a notice, not an error");
    let shown = her::story::diagnostic::render_pretty(&report.diagnostics, &report.sources, false);
    assert!(
        !shown.contains("SECRET"),
        "nothing outside is quoted: {shown}"
    );
}

#[cfg(unix)]
#[test]
fn a_pipe_in_the_folder_is_skipped_without_waiting() {
    let dir = story_folder(GOOD);
    let fifo = dir.path().join("two.ron");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());

    let report = load_within(vec![dir.path().to_path_buf()], 20);
    assert_eq!(
        codes(&report),
        ["W108"],
        "{}",
        one_lines(&report.diagnostics)
    );
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "W108")
        .unwrap();
    assert!(d.message.contains("pipe"));
    assert_eq!(d.severity, Severity::Warning);
    assert!(report.story.is_some());
}

#[test]
fn files_over_the_limits_are_refused_without_being_read() {
    // 64 GiB that take no room: reading it whole would take minutes and all memory.
    let dir = story_folder(GOOD);
    let huge = std::fs::File::create(dir.path().join("huge.ron")).unwrap();
    huge.set_len(64 << 30).unwrap();
    let report = load_within(vec![dir.path().to_path_buf()], 20);
    assert_eq!(
        codes(&report),
        ["E012"],
        "{}",
        one_lines(&report.diagnostics)
    );
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "E012")
        .unwrap();
    assert!(d.message.contains("8 MiB"));
    assert!(report.story.is_none(), "over a limit is an error");

    // The total: three files of 600 bytes against 1000 for all; the first is read.
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.ron", "b.ron", "c.ron"] {
        std::fs::write(dir.path().join(name), [b' '; 600]).unwrap();
    }
    let limits = Limits {
        file_bytes: 700,
        total_bytes: 1000,
        entries: 100,
    };
    let read = files::read_dialogue(&[dir.path().to_path_buf()], &limits);
    assert_eq!(read.sources.len(), 1);
    let found: Vec<_> = read.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(found, ["E013"]);
    assert!(read.diagnostics[0].message.contains("1 more file"));

    // One file, and a file named directly: the same limit, through `take`.
    let path = dir.path().join("a.ron");
    assert!(matches!(
        files::read_text(&path, 599),
        Err(ReadError::TooLarge { limit: 599 })
    ));
    assert_eq!(files::read_text(&path, 600).unwrap().len(), 600);
}

#[test]
fn text_that_is_not_utf8_is_placed_by_line_and_column() {
    let mut chapter = ONE_PROBLEM.replace("trsut", "trust").into_bytes();
    // Latin-1 "é" (one byte, 0xE9) where UTF-8 needs two: line 3, column 102.
    let at = chapter.windows(2).position(|w| w == b"Hi").unwrap();
    chapter[at + 1] = 0xE9;
    let dir = story_folder(&chapter);
    let report = load(&[dir.path().to_path_buf()]);
    assert_eq!(
        codes(&report),
        ["E014"],
        "{}",
        one_lines(&report.diagnostics)
    );
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.code == "E014")
        .unwrap();
    assert!(d.file.as_ref().is_some_and(|f| f.ends_with("one.ron")));
    assert_eq!((d.line, d.column), (3, 102));

    let path = dir.path().join("one.ron");
    assert!(matches!(
        files::read_text(&path, 1 << 20),
        Err(ReadError::InvalidUtf8 {
            line: 3,
            column: 102
        })
    ));
}

/// Runs `her` with its output going to a pipe whose reader has already gone.
fn her_into_a_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_her"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before a byte is read: every write to the pipe fails.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let mini = "tests/fixtures/mini";
    for args in [
        &["read", mini, "--seed", "7"][..],
        &["explore", mini],
        &["check", "--format", "json", mini],
        &["check", mini],
        &["stats", mini],
    ] {
        let (code, stderr) = her_into_a_closed_pipe(args);
        assert!(
            !stderr.contains("panicked") && stderr.trim().is_empty(),
            "her {args:?}: {stderr}"
        );
        assert_ne!(code, Some(101), "her {args:?} ended with a panic");
    }
}

/// A story with 3,000 nodes that each use an undeclared variable (3,000 `E004`), and one line
/// of 200,000 characters with a problem (`E010`) in its middle.
fn flood(dir: &Path) {
    std::fs::copy("tests/broken/story.ron", dir.join("story.ron")).unwrap();
    let mut chapter = String::from("Chapter(id: \"one\", nodes: [\n");
    chapter.push_str("    (id: \"start\", next: \"long\"),\n");
    for i in 0..3000 {
        chapter.push_str(&format!(
            "    (id: \"n{i}\", script: [Do([\"nope += 1\"])], next: \"start\"),\n"
        ));
    }
    let words = "la ".repeat(33_000);
    chapter.push_str(&format!(
        "    (id: \"long\", script: [Line(\"os: {words}{{unknown}} {words}\")], end: \"warm\"),\n"
    ));
    chapter.push_str("])\n");
    std::fs::write(dir.join("one.ron"), chapter).unwrap();
}

#[test]
fn a_flood_of_one_problem_and_a_long_line_make_a_short_report() {
    let dir = tempfile::tempdir().unwrap();
    flood(dir.path());
    for format in ["pretty", "json"] {
        let output = Command::new(env!("CARGO_BIN_EXE_her"))
            .args(["check", "--format", format])
            .arg(dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(1));
        assert!(
            text.len() < 256 << 10,
            "{format}: {} bytes for 3,000 identical problems",
            text.len()
        );
        // People see 10 of a kind; tools get 100.
        let more = if format == "json" { 2900 } else { 2990 };
        assert!(
            text.contains(&format!("{more} more E004 problems")),
            "{format}: {text}"
        );
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        assert!(widest < 600, "{format}: a line of {widest} characters");
        if format == "pretty" {
            assert!(
                text.contains("{unknown}"),
                "the long line's problem is quoted"
            );
            assert!(
                text.contains("3001 errors"),
                "the summary counts all: {text}"
            );
        }
    }
}
