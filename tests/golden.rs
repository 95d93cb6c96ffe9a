//! Golden transcripts: one seeded path to each ending of the shipped story, kept under
//! `tests/golden/` as `<ending>.choices` (seed and choices) with the full transcript as an insta
//! snapshot, so any change to the dialogue shows up as a readable diff. `her explore` prints a
//! path to every ending when one needs renewing.

use crate::common::shipped;

/// Reads `seed: N` and `choices: 1,2,3` from a `.choices` file.
pub fn read_path(text: &str) -> (u64, Vec<usize>) {
    let mut seed = 1;
    let mut choices = Vec::new();
    for line in text.lines() {
        if let Some(s) = line.strip_prefix("seed:") {
            seed = s.trim().parse().expect("seed");
        } else if let Some(c) = line.strip_prefix("choices:") {
            choices = c
                .split(',')
                .map(|n| n.trim().parse().expect("choice"))
                .collect();
        }
    }
    (seed, choices)
}

#[test]
fn every_ending_has_a_golden_transcript() {
    let story = shipped();
    for ending in story.endings() {
        let path = format!("tests/golden/{}.choices", ending.id);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("{path} is missing: `her explore` prints a path to use"));
        let (seed, choices) = read_path(&text);
        let transcript = her::story::transcript::transcript(&story, seed, &choices).unwrap();
        assert!(
            transcript.contains(&format!("*** Ending: {} ***", ending.title)),
            "{path} no longer reaches its ending; the transcript ends:\n{}",
            &transcript[transcript.len().saturating_sub(600)..]
        );
        // Twice, to prove it is deterministic, then against the snapshot.
        assert_eq!(
            transcript,
            her::story::transcript::transcript(&story, seed, &choices).unwrap()
        );
        insta::assert_snapshot!(format!("golden_{}", ending.id), transcript);
    }
}

/// The studio's promises for the whole story (issue: the story, written).
#[test]
fn the_shipped_story_keeps_its_promises() {
    let s = her::story::stats::stats(&shipped());
    assert!(s.words >= 12_000, "{s:?}");
    assert!(s.real_choices >= 60, "{s:?}");
    assert!(s.endings >= 4, "{s:?}");
    assert!(s.letters >= 3, "{s:?}");
    assert!(s.memory_callbacks >= 20, "{s:?}");
    assert!(
        3 * s.os_lines_varied >= s.os_lines,
        "a third of her lines must vary: {s:?}"
    );
}
