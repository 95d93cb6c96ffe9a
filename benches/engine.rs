//! Speed and memory of the story engine on synthetic stories of 1k, 10k and 100k nodes (three
//! lines and three choices a node, one choice guarded by a variable): loading and validating
//! them, and walking each for a million seeded steps (a step is one line delivered or one choice
//! made), with visit counts on; and proving each free of soft-locks. Run with `cargo bench`; the
//! figures are in docs/performance.md.

use std::hint::black_box;
use std::path::PathBuf;

use divan::Bencher;
use her::story::diagnostic::SourceFile;
use her::story::load::compile_sources;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[1_000, 10_000, 100_000];

/// A story of `n` nodes as RON text, in chapters of 1,000 nodes, one file each (as a real
/// story is written): the manifest, then the chapter files.
fn synthetic(n: usize) -> Vec<SourceFile> {
    const PER_CHAPTER: usize = 1_000;
    let chapters = n.div_ceil(PER_CHAPTER);
    let ids: Vec<String> = (0..chapters).map(|c| format!("\"c{c}\"")).collect();
    let manifest = format!(
        r#"Story(
    title: "Synthetic",
    chapters: [{}],
    characters: {{ "os": (name: "{{os_name}}", os: true), "theodore": (name: "Theodore") }},
    variables: {{ "trust": Number(0), "os_name": Text("Samantha") }},
)"#,
        ids.join(", ")
    );
    // Node i lives in chapter i / PER_CHAPTER; targets are written in full.
    let path = |i: usize| format!("c{}.n{i}", i / PER_CHAPTER);
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut files = vec![SourceFile::new(PathBuf::from("story.ron"), manifest)];
    for c in 0..chapters {
        let mut chapter = String::with_capacity(PER_CHAPTER * 420);
        chapter.push_str(&format!(
            "Chapter(id: \"c{c}\", title: \"Synthetic\", nodes: [\n"
        ));
        for i in c * PER_CHAPTER..((c + 1) * PER_CHAPTER).min(n) {
            let next = path((i + 1) % n);
            let jump = path(rng.random_range(0..n));
            let far = path(rng.random_range(0..n));
            chapter.push_str(&format!(
                r#"  (id: "n{i}", script: [
    Line("os: Node {i}, {{os_name}} speaking."),
    Line("theodore: I hear you."),
    Line("The city hums."),
  ], choices: [
    (text: "On.", do: ["trust += 1"], goto: "{next}"),
    (text: "Elsewhere.", do: ["trust -= 1"], goto: "{jump}"),
    (text: "Only if trusted.", when: "trust >= 2", goto: "{far}"),
  ]),
"#
            ));
        }
        chapter.push_str("])\n");
        files.push(SourceFile::new(PathBuf::from(format!("c{c}.ron")), chapter));
    }
    files
}

/// Loads, compiles and validates a story of each size.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn load_and_validate(bencher: Bencher, n: usize) {
    let sources = synthetic(n);
    bencher
        .with_inputs(|| sources.clone())
        .bench_values(|sources| {
            let all = 0..sources.len();
            let report = compile_sources(sources, std::slice::from_ref(&all));
            assert!(report.story.is_some(), "{:?}", report.diagnostics.first());
            report
        });
}

/// A million steps through a story of each size.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn walk_a_million_steps(bencher: Bencher, n: usize) {
    let sources = synthetic(n);
    let all = 0..sources.len();
    let story = compile_sources(sources, std::slice::from_ref(&all))
        .story
        .expect("synthetic story");
    bencher
        .counter(divan::counter::ItemsCount::new(1_000_000usize))
        .bench(|| {
            let mut st = story.new_state(7);
            let mut rng = ChaCha8Rng::seed_from_u64(7);
            let mut steps = 0;
            while steps < 1_000_000 {
                match story.next(&mut st) {
                    her::story::Event::Choices(c) => {
                        story.choose(&mut st, rng.random_range(0..c.len())).unwrap();
                        steps += 1;
                    }
                    her::story::Event::Line(l) => {
                        black_box(l.text);
                        steps += 1;
                    }
                    _ => {}
                }
            }
            black_box(st.visits.len())
        });
}

/// The soft-lock proof (`story::proof::prove`) over a story of each size: one abstract state
/// per program point, so it grows with the story, not with its playthroughs.
#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn prove_no_soft_locks(bencher: Bencher, n: usize) {
    let sources = synthetic(n);
    let all = 0..sources.len();
    let story = compile_sources(sources, std::slice::from_ref(&all))
        .story
        .expect("synthetic story");
    bencher.bench(|| black_box(her::story::proof::prove(&story).points));
}

/// The shipped story's flowchart: laying out every chapter (Sugiyama), as the game does once
/// per story off the frame; the budget for opening a 100-node chapter's chart is 100 ms.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn flowchart_of_the_shipped_story(bencher: Bencher) {
    let story = her::story::load(&[PathBuf::from("dialogue")])
        .story
        .expect("the shipped story");
    bencher.bench(|| black_box(her::story::flowchart::Flowchart::of(&story).chapters.len()));
}

/// Jumping back to a decision: rebuilding its exact state by replay, at the last decision of
/// the longest golden path (the worst case); the budget is 50 ms.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn jump_back_to_the_last_decision(bencher: Bencher) {
    let story = her::story::load(&[PathBuf::from("dialogue")])
        .story
        .expect("the shipped story");
    let text = std::fs::read_to_string("tests/golden/sent.choices").expect("a golden path");
    let (mut seed, mut picks) = (1, Vec::new());
    for line in text.lines() {
        if let Some(s) = line.strip_prefix("seed:") {
            seed = s.trim().parse().expect("seed");
        } else if let Some(c) = line.strip_prefix("choices:") {
            picks = c
                .split(',')
                .map(|n| n.trim().parse::<usize>().expect("choice") - 1)
                .collect();
        }
    }
    let st = story
        .play(seed, &picks, |_, _, _| {})
        .expect("the golden path");
    let doc = her::story::save::Playthrough::new(&story, &st);
    let last = doc.decisions.len() - 1;
    assert!(doc.state_at(&story, last).is_some(), "the jump must land");
    bencher.bench(|| black_box(doc.state_at(&story, last).is_some()));
}

/// A chapter of 100 nodes (the synthetic story's shape: three choices a node), laid out: the
/// budget for opening such a chart is 100 ms (and it is laid out off the frame, once).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn flowchart_of_a_100_node_chapter(bencher: Bencher) {
    let sources = synthetic(100);
    let all = 0..sources.len();
    let story = compile_sources(sources, std::slice::from_ref(&all))
        .story
        .expect("synthetic story");
    bencher.bench(|| black_box(her::story::flowchart::Flowchart::of(&story).chapters.len()));
}
