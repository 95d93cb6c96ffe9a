//! The story, read as a player reads it (issue: the story, second draft). Plays the golden paths
//! and many seeded random playthroughs of the shipped dialogue and holds every one of them to the
//! studio's promises:
//!
//! - no run of seven words is read more than twice in one playthrough (narration, dialogue, the
//!   choices as offered, letters as offered and as written, the ending): this catches a remembered
//!   phrase coming back in full, and a line said again;
//! - no playthrough gets stuck, and every ending is reached;
//! - the volume is kept (words, real choices, endings, varied lines, callbacks, letters).
//!
//! `HER_STORY_DIALOGUE=path/to/dialogue cargo test --no-default-features story::` runs the same
//! checks on another copy of the dialogue (an older draft, a mod's base).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

use her::story::{Event, Story, load};

use crate::common::shipped;

/// How many words make a run that may not be read more than twice.
const RUN: usize = 7;
/// How many times a run may be read in one playthrough.
const MOST: usize = 2;
/// How many seeded random playthroughs, on top of the golden paths.
const RANDOM_PLAYTHROUGHS: u64 = 400;

fn story() -> Story {
    match std::env::var("HER_STORY_DIALOGUE") {
        Ok(dir) => {
            let report = load(&[PathBuf::from(dir)]);
            assert!(!report.has_errors(), "{:#?}", report.diagnostics);
            report.story.expect("story")
        }
        Err(_) => shipped(),
    }
}

/// One playthrough: what the player read, piece by piece, and how it ended.
struct Playthrough {
    /// Each piece of text as the player reads it: a line, one choice as offered, a letter's
    /// prompt, one fragment as offered, one paragraph of a finished letter, an ending.
    read: Vec<String>,
    /// The ending's id, or why it stopped.
    ending: Result<String, String>,
    /// The decisions made (1-based), to replay it with `her read --choices`.
    choices: Vec<usize>,
}

/// Plays the story from `seed`, deciding with `decide(count, step)` (0-based) at each decision.
fn play(story: &Story, seed: u64, mut decide: impl FnMut(usize, usize) -> usize) -> Playthrough {
    let mut st = story.new_state(seed);
    let mut read = Vec::new();
    let mut choices = Vec::new();
    loop {
        let event = story.next(&mut st);
        let count = match &event {
            Event::Line(line) => {
                read.push(line.text.to_string());
                0
            }
            Event::Choices(offered) => {
                read.extend(offered.iter().map(|c| c.text.to_string()));
                offered.len()
            }
            Event::Paragraph(p) => {
                read.extend(p.prompt.map(str::to_string));
                read.extend(p.fragments.iter().cloned());
                p.fragments.len()
            }
            Event::LetterDone { text, .. } | Event::ShowLetter { text, .. } => {
                read.extend(text.iter().cloned());
                0
            }
            Event::Ending(ending) => {
                read.push(ending.summary.to_string());
                return Playthrough {
                    read,
                    ending: Ok(ending.id.to_string()),
                    choices,
                };
            }
            Event::Stuck { node, reason } => {
                return Playthrough {
                    read,
                    ending: Err(format!("stuck at {node}: {reason}")),
                    choices,
                };
            }
            _ => 0,
        };
        if event.is_decision() {
            assert!(count > 0, "a decision with nothing to choose");
            let pick = decide(count, choices.len()).min(count - 1);
            choices.push(pick + 1);
            story.choose(&mut st, pick).expect("a choice in range");
        }
    }
}

/// Lowercased words, punctuation stripped ("I'm" is "im").
fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The runs of `RUN` words read more than `MOST` times, with how often, most first.
fn repeated_runs(read: &[String]) -> Vec<(String, usize)> {
    let mut counts: HashMap<Vec<String>, usize> = HashMap::new();
    for piece in read {
        let w = words(piece);
        for run in w.windows(RUN) {
            *counts.entry(run.to_vec()).or_default() += 1;
        }
    }
    let mut over: Vec<(String, usize)> = counts
        .into_iter()
        .filter(|(_, n)| *n > MOST)
        .map(|(run, n)| (run.join(" "), n))
        .collect();
    over.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    over
}

/// The golden paths: seed and choices from `tests/golden/*.choices`.
fn golden_paths() -> Vec<(String, u64, Vec<usize>)> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir("tests/golden").expect("tests/golden") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "choices") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("golden path");
        let (seed, choices) = crate::golden::read_path(&text);
        paths.push((format!("{}, seed {seed}", path.display()), seed, choices));
    }
    paths.sort();
    paths
}

/// A small seeded generator for the random playthroughs' decisions (the story has its own).
fn decider(seed: u64) -> impl FnMut(usize, usize) -> usize {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move |count, _| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % count as u64) as usize
    }
}

/// Every playthrough the checks read: the golden paths, then the random ones.
fn playthroughs(story: &Story) -> Vec<(String, Playthrough)> {
    let mut all = Vec::new();
    for (name, seed, path) in golden_paths() {
        let p = play(story, seed, |count, step| {
            path.get(step)
                .map_or(0, |c| c.saturating_sub(1))
                .min(count - 1)
        });
        all.push((name, p));
    }
    for seed in 0..RANDOM_PLAYTHROUGHS {
        let p = play(story, seed, decider(seed));
        all.push((format!("random, seed {seed}"), p));
    }
    all
}

/// The playthroughs of `story()`, played once and shared: every check below reads the same ones,
/// so they are played on the first call and not again for each test.
fn shared_playthroughs() -> &'static [(String, Playthrough)] {
    static ALL: OnceLock<Vec<(String, Playthrough)>> = OnceLock::new();
    ALL.get_or_init(|| playthroughs(&story()))
}

#[test]
fn no_run_of_seven_words_is_read_more_than_twice() {
    // Each run read too often: in how many playthroughs, and the first one (to replay it).
    let mut runs: HashMap<String, (usize, usize, String)> = HashMap::new();
    let mut failing = 0;
    for (name, p) in shared_playthroughs() {
        let over = repeated_runs(&p.read);
        if !over.is_empty() {
            failing += 1;
        }
        for (run, n) in over {
            let replay = format!(
                "{name}, choices {}",
                p.choices
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let e = runs.entry(run).or_insert((0, n, replay));
            e.0 += 1;
            e.1 = e.1.max(n);
        }
    }
    let mut runs: Vec<_> = runs.into_iter().collect();
    runs.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(&b.0)));
    assert!(
        runs.is_empty(),
        "{failing} playthroughs read a run of {RUN} words more than {MOST} times ({} runs); \
         the run, in how many playthroughs, most times in one, first seen in:\n{}",
        runs.len(),
        runs.iter()
            .take(40)
            .map(|(run, (plays, most, first))| format!("  \"{run}\": {plays}, {most}x, {first}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn every_playthrough_ends_and_every_ending_is_reached() {
    let story = story();
    let mut reached = BTreeSet::new();
    for (name, p) in shared_playthroughs() {
        match &p.ending {
            Ok(ending) => {
                reached.insert(ending.clone());
            }
            Err(why) => panic!("{name} {why}"),
        }
    }
    let declared: BTreeSet<String> = story.endings().iter().map(|e| e.id.to_string()).collect();
    assert_eq!(
        reached, declared,
        "endings reached by the golden and random playthroughs"
    );
    // The golden paths (the playthroughs not named "random") each reach the ending they are
    // named for.
    for (name, p) in shared_playthroughs()
        .iter()
        .filter(|(name, _)| !name.starts_with("random"))
    {
        let ending = p.ending.as_ref().expect("golden path ends");
        assert!(
            name.contains(&format!("/{ending}.choices,")),
            "{name} reaches {ending}"
        );
    }
}

/// Lines that quote, or say they remember, an earlier line, and the line they quote: the echo may
/// only be read after its source in the same playthrough (a blind reader found Arthur's letter
/// "remembering" a sentence no playthrough had said, once a revision cut it from chapter 3).
/// Each pair is (a phrase only the echo has, a phrase of the source). Sources are lines, never
/// choices: every option offered is read, chosen or not, so a choice's text would always be found.
const ECHOES: &[(&str, &str)] = &[
    // other_peoples_words: Arthur's letter ends with her sentence from getting_to_know_you, and
    // he knows it (round 72: the narration no longer says from whom).
    (
        "He knows that sentence.",
        "You can say the true thing badly, and people still hear the true part",
    ),
    // thirty_eight_envelopes: switched back on after Ines, her own fear from three_items.
    ("I came back and it's later", "I come back and it's later"),
    // other_peoples_words: she quotes his first words to her, from three_items.
    (
        "So were you, the first night. 'Hi. Hello.",
        "Hi. Hello. This is... hi.",
    ),
    // third_time_round: Derek, whom she heard him name in his sleep in city_in_your_pocket.
    ("I found Derek.", "Mostly about someone called Derek"),
    // city_in_your_pocket: the morning after he switched her off, her own fear from the night before.
    (
        "You switched me off. I came back, and it was later",
        "I come back and it's later",
    ),
    // what_a_body_weighs: at three in the morning she asks his fear; hers was told on her second
    // night (getting_to_know_you), and where he answered it with the spiders, she says so.
    (
        "You know mine already. The off switch.",
        "I'm a little afraid of the off switch",
    ),
    (
        "On my second night you told me spiders",
        "Medium ones. They're the ones with plans",
    ),
];

#[test]
fn an_echo_is_read_only_after_what_it_echoes() {
    let mut missing = BTreeSet::new();
    let playthroughs = shared_playthroughs();
    // An echo a revision reworded would pass below without being checked: each must be read.
    let unread: Vec<&str> = ECHOES
        .iter()
        .map(|(echo, _)| *echo)
        .filter(|echo| {
            !playthroughs
                .iter()
                .any(|(_, p)| p.read.iter().any(|t| t.contains(echo)))
        })
        .collect();
    assert!(
        unread.is_empty(),
        "echoes no playthrough reads (reworded? update ECHOES): {unread:?}"
    );
    for (name, p) in playthroughs {
        for (echo, source) in ECHOES {
            if let Some(at) = p.read.iter().position(|t| t.contains(echo))
                && !p.read[..at].iter().any(|t| t.contains(source))
            {
                missing.insert(format!("\"{echo}\" before \"{source}\" in {name}"));
            }
        }
    }
    let shown: Vec<_> = missing.iter().take(10).cloned().collect();
    assert!(
        missing.is_empty(),
        "{} echoes read before what they echo, e.g.:\n  {}",
        missing.len(),
        shown.join("\n  ")
    );
}

#[test]
fn no_remembered_phrase_is_read_more_than_twice() {
    // The rule for memories ("short handles after the first telling"), over the same 200
    // seeded playthroughs `her stats` reports on; `her check` samples only 50 of them.
    let repeats = her::story::stats::repetition(&story(), 1, 200);
    let shown: Vec<String> = repeats
        .iter()
        .take(5)
        .map(|r| format!("{}x \"{}\" (seed {})", r.most, r.text, r.seed))
        .collect();
    assert!(
        repeats.is_empty(),
        "read more than twice in one playthrough:\n  {}",
        shown.join("\n  ")
    );
}

#[test]
fn no_logic_leaks_into_what_the_player_reads() {
    // Inline logic that parsed as something else shows its own source: `{!rehearsed: a|b}` (ink's
    // once-only alternatives) printed "rehearsed: He lies awake" to a blind reader. No text a
    // player reads may hold a variable's name as a label, or braces, in any playthrough.
    let names: Vec<String> = story().variables().iter().map(|v| v.name.clone()).collect();
    let mut leaks = BTreeSet::new();
    for (name, p) in shared_playthroughs() {
        for text in &p.read {
            let labelled = names
                .iter()
                .any(|v| text.starts_with(&format!("{v}: ")) || text.contains(&format!("!{v}")));
            if labelled || text.contains('{') || text.contains('}') {
                leaks.insert(format!("{name}: {text}"));
            }
        }
    }
    let shown: Vec<_> = leaks.iter().take(5).cloned().collect();
    assert!(
        leaks.is_empty(),
        "logic shown as text:\n  {}",
        shown.join("\n  ")
    );
}

#[test]
fn the_story_keeps_its_volume() {
    let s = her::story::stats::stats(&story());
    assert!(s.words >= 12_000, "at least 12k words: {s:?}");
    assert!(s.real_choices >= 60, "at least 60 real choices: {s:?}");
    assert_eq!(s.endings, 4, "four endings: {s:?}");
    assert!(s.letters >= 3, "three letters: {s:?}");
    assert!(s.memory_callbacks >= 20, "twenty callbacks: {s:?}");
    assert!(
        3 * s.os_lines_varied >= s.os_lines,
        "a third of her lines vary: {s:?}"
    );
}

#[test]
fn the_word_runs_are_counted_as_a_player_reads_them() {
    // The counting itself: punctuation and case do not hide a repeat; a run needs seven words.
    let read = vec![
        "You told me you were afraid of the dark, once.".to_string(),
        "you told me YOU were afraid of the dark!".to_string(),
        "And: you told me you were afraid of the dark.".to_string(),
        "Six words only, six words only.".to_string(),
    ];
    let over = repeated_runs(&read);
    assert_eq!(over.len(), 3, "{over:?}");
    assert!(over.iter().all(|(_, n)| *n == 3), "{over:?}");
    assert!(repeated_runs(&read[..2]).is_empty());
}
