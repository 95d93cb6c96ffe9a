//! Speed and memory of the story engine on synthetic stories of 1k, 10k and 100k nodes (three
//! lines and three choices a node, one choice guarded by a variable): loading and validating
//! them, and walking each for a million seeded steps (a step is one line delivered or one choice
//! made), with visit counts on. Run with `cargo bench`; the figures are in docs/performance.md.

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

/// A story of `n` nodes as RON text: the manifest and one chapter.
fn synthetic(n: usize) -> Vec<SourceFile> {
    let manifest = r#"Story(
    title: "Synthetic",
    chapters: ["c"],
    characters: { "os": (name: "{os_name}", os: true), "theodore": (name: "Theodore") },
    variables: { "trust": Number(0), "os_name": Text("Samantha") },
)"#;
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let mut chapter = String::with_capacity(n * 420);
    chapter.push_str("Chapter(id: \"c\", title: \"Synthetic\", nodes: [\n");
    for i in 0..n {
        let next = (i + 1) % n;
        let jump = rng.random_range(0..n);
        let far = rng.random_range(0..n);
        chapter.push_str(&format!(
            r#"  (id: "n{i}", script: [
    Line("os: Node {i}, {{os_name}} speaking."),
    Line("theodore: I hear you."),
    Line("The city hums."),
  ], choices: [
    (text: "On.", do: ["trust += 1"], goto: "n{next}"),
    (text: "Elsewhere.", do: ["trust -= 1"], goto: "n{jump}"),
    (text: "Only if trusted.", when: "trust >= 2", goto: "n{far}"),
  ]),
"#
        ));
    }
    chapter.push_str("])\n");
    vec![
        SourceFile::new(PathBuf::from("story.ron"), manifest.to_owned()),
        SourceFile::new(PathBuf::from("c.ron"), chapter),
    ]
}

/// Loads, compiles and validates a story of each size.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn load_and_validate(bencher: Bencher, n: usize) {
    let sources = synthetic(n);
    bencher
        .with_inputs(|| sources.clone())
        .bench_values(|sources| {
            let report = compile_sources(sources, std::slice::from_ref(&(0..2)));
            assert!(report.story.is_some(), "{:?}", report.diagnostics.first());
            report
        });
}

/// A million steps through a story of each size.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn walk_a_million_steps(bencher: Bencher, n: usize) {
    let story = compile_sources(synthetic(n), std::slice::from_ref(&(0..2)))
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
