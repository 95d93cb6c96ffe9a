//! The engine as the game and the tools use it: loading, conditions, variants, letters, gates,
//! determinism and rollback, on the small story that uses every construct.

use her::story::Event;
use her::story::transcript::transcript;

use crate::common::{mini, mini_edited};

/// Collects the events' text until the next decision, as a player would read them.
fn read_to_decision(story: &her::story::Story, st: &mut her::story::StoryState) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let event = story.next(st);
        out.push(her::story::transcript::render_event(story, st, &event));
        if event.is_decision() || event.is_final() {
            return out;
        }
    }
}

#[test]
fn same_seed_and_choices_give_the_same_transcript() {
    let story = mini();
    let a = transcript(&story, 7, &[1, 1, 1, 1]).unwrap();
    let b = transcript(&story, 7, &[1, 1, 1, 1]).unwrap();
    assert_eq!(a, b);
    assert!(a.contains("*** Ending: Warm ***"), "{a}");
}

#[test]
fn random_banter_varies_with_the_seed_but_not_within_it() {
    let story = mini();
    let lines: std::collections::BTreeSet<String> = (0..40)
        .map(|seed| {
            let t = transcript(&story, seed, &[]).unwrap();
            t.lines()
                .find(|l| l.contains("night") || l.contains("Quiet"))
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "both banter lines appear across seeds: {lines:?}"
    );
}

#[test]
fn the_most_specific_variant_wins() {
    let story = mini();
    // "Hi." raises trust to 1: both conditional variants hold; the one testing two things wins.
    let warm = transcript(&story, 1, &[1]).unwrap();
    assert!(
        warm.contains("First night, and I like this already."),
        "{warm}"
    );
    // Silence lowers trust: only the plain variant holds.
    let cold = transcript(&story, 1, &[2]).unwrap();
    assert!(cold.contains("Tell me something."), "{cold}");
    assert!(
        cold.contains("Samantha: Okay."),
        "choice `then` lines run: {cold}"
    );
}

#[test]
fn least_recently_seen_breaks_ties_between_equally_specific_variants() {
    let story = mini();
    let mut st = story.new_state(3);
    read_to_decision(&story, &mut st);
    story.choose(&mut st, 1).unwrap(); // silence: trust -1, only the plain variant holds
    let first = read_to_decision(&story, &mut st).join("");
    assert!(first.contains("Tell me something."));
    // Rename her (once) loops back to the same beat: the same single candidate repeats, and
    // the rename shows in her name at once.
    story.choose(&mut st, 1).unwrap();
    let again = read_to_decision(&story, &mut st).join("");
    assert!(again.contains("Wren: Tell me something."), "{again}");
}

#[test]
fn once_choices_disappear_after_they_are_taken() {
    let story = mini();
    let mut st = story.new_state(1);
    read_to_decision(&story, &mut st);
    story.choose(&mut st, 0).unwrap();
    read_to_decision(&story, &mut st);
    let Event::Choices(before) = story.next(&mut st) else {
        panic!("choices")
    };
    assert_eq!(before.len(), 3);
    story.choose(&mut st, 1).unwrap(); // rename: once
    read_to_decision(&story, &mut st);
    let Event::Choices(after) = story.next(&mut st) else {
        panic!("choices")
    };
    let texts: Vec<&str> = after.iter().map(|c| c.text.as_ref()).collect();
    assert_eq!(texts, ["Tell her your fear.", "Change the subject."]);
}

#[test]
fn letters_offer_fragments_by_condition_and_are_kept() {
    let story = mini();
    // Told the fear: the letter may name it, and the second chapter shows the letter again.
    let told = transcript(&story, 1, &[1, 1, 2, 1]).unwrap();
    assert!(told.contains("2) Amy, I'm scared of the dark."), "{told}");
    assert!(told.contains("| Amy, I'm scared of the dark."), "{told}");
    assert!(
        told.contains("You told me once you were afraid of the dark."),
        "{told}"
    );
    assert!(told.contains("*** Ending: Warm ***"));
    // Not told: only the plain fragment is offered, and trust stays low: the gate turns away.
    let untold = transcript(&story, 1, &[2, 3, 1, 1]).unwrap();
    assert!(!untold.contains("scared of"), "{untold}");
    assert!(untold.contains("*** Ending: Cold ***"), "{untold}");
    assert!(
        untold.contains("Amy waves."),
        "effects before a condition are seen by it"
    );
}

#[test]
fn chapter_transitions_and_scenes_are_announced() {
    let story = mini();
    let t = transcript(&story, 1, &[1, 1, 2, 1]).unwrap();
    let start_one = t.find("== Chapter 1: One ==").unwrap();
    let end_one = t.find("-- end of chapter 1 --").unwrap();
    let start_two = t.find("== Chapter 2: Two ==").unwrap();
    assert!(start_one < end_one && end_one < start_two);
    assert!(t.contains("[scene: Rooftop, Dawn, Tender, with theodore]"));
}

/// A chapter's `date` is the card's date line: the transcript prints it under the chapter's
/// heading, with `{name}`s filled in as lines are, and a chapter without one prints nothing.
#[test]
fn a_chapter_date_is_shown_under_its_heading() {
    let story = mini_edited(
        "two.ron",
        "title: \"Two\",",
        "title: \"Two\",\n    date: \"The day {os_name} turned one\",",
    );
    assert_eq!(story.chapters()[1].date, "The day {os_name} turned one");
    let t = transcript(&story, 1, &[1, 1, 2, 1]).unwrap();
    assert!(
        t.contains("== Chapter 2: Two ==\n[date: The day Samantha turned one]\n"),
        "{t}"
    );
    assert_eq!(
        t.matches("[date: ").count(),
        1,
        "chapter one has no date: {t}"
    );
}

#[test]
fn a_bad_choice_index_is_an_error_not_a_panic() {
    let story = mini();
    let mut st = story.new_state(1);
    assert!(story.choose(&mut st, 0).is_err(), "not waiting yet");
    read_to_decision(&story, &mut st);
    assert!(story.choose(&mut st, 9).is_err());
    assert!(
        story.choose(&mut st, 0).is_ok(),
        "the choice is still open after a bad index"
    );
}

#[test]
fn rollback_restores_the_exact_state_at_a_decision() {
    let story = mini();
    let mut st = story.new_state(11);
    let mut snapshots = Vec::new();
    let picks = [0, 0, 1, 0];
    let mut k = 0;
    loop {
        let event = story.next(&mut st);
        if event.is_final() {
            break;
        }
        if event.is_decision() {
            snapshots.push(st.clone());
            story.choose(&mut st, picks[k]).unwrap();
            k += 1;
        }
    }
    assert!(st.is_over());
    for (i, snapshot) in snapshots.iter().enumerate() {
        let mut back = story.rollback(&st, i);
        // The rolled-back state waits at the same decision, with the same everything.
        assert_eq!(&back, snapshot, "rollback to decision {i}");
        // ... and plays on identically.
        let mut original = snapshot.clone();
        assert_eq!(
            read_to_decision(&story, &mut back),
            read_to_decision(&story, &mut original)
        );
    }
}

#[test]
fn stuck_stories_report_instead_of_panicking() {
    use her::story::diagnostic::SourceFile;
    use her::story::load::compile_sources;
    let text = r#"Chapter(id: "one", nodes: [
        (id: "a", when: "trust > 5", otherwise: "b", script: [Do(["met_amy = true", "remember his_fear"]), If("met_amy && his_fear", [])], end: "warm"),
        (id: "b", when: "trust > 5", otherwise: "a", end: "warm"),
    ])"#;
    // Gates whose way out depends on a variable: not provably a trap (`her check` lets it
    // through), so the engine must stop it at run time.
    let story_ron = std::fs::read_to_string("tests/broken/story.ron").unwrap();
    let report = compile_sources(
        vec![
            SourceFile::new("story.ron".into(), story_ron),
            SourceFile::new("one.ron".into(), text.into()),
        ],
        std::slice::from_ref(&(0..2)),
    );
    let story = report.story.expect("warnings only");
    let mut st = story.new_state(1);
    let mut events = 0;
    loop {
        let event = story.next(&mut st);
        events += 1;
        if let Event::Stuck { reason, .. } = event {
            assert!(reason.contains("loops"), "{reason}");
            break;
        }
        assert!(events < 10);
    }
}

#[test]
fn stats_count_what_the_story_holds() {
    let s = her::story::stats::stats(&mini());
    assert_eq!(s.choices, 5);
    // Everything but "Change the subject" changes something read later.
    assert_eq!(s.real_choices, 4);
    assert_eq!((s.os_lines, s.os_lines_varied), (10, 8));
    // `If("his_fear")`, the fragment's `when: "his_fear"`, and `{his_fear}` in a line.
    assert_eq!(s.memory_callbacks, 3);
    assert_eq!((s.letters, s.endings), (1, 2));
}

/// A story of `chapters` chapters of `per` nodes, using everything the compiler moves when it
/// compiles a large story in two halves: interpolated lines, variants, random banter, ifs,
/// gates, effects, `once` choices with `then`, letters written in one half and shown in the
/// other, gotos across chapters, an ending.
fn varied_story(chapters: usize, per: usize) -> Vec<her::story::diagnostic::SourceFile> {
    use her::story::diagnostic::SourceFile;
    let ids: Vec<String> = (0..chapters).map(|c| format!("\"c{c}\"")).collect();
    let manifest = format!(
        r#"Story(
    title: "Varied",
    chapters: [{}],
    characters: {{ "os": (name: "{{name}}", os: true), "theodore": (name: "Theodore") }},
    variables: {{ "trust": Number(0), "met": Flag(false), "name": Text("Sam"), "gift": Fact }},
    endings: {{ "done": (title: "Done") }},
)"#,
        ids.join(", ")
    );
    let mut files = vec![SourceFile::new("story.ron".into(), manifest)];
    let last = chapters - 1;
    for c in 0..chapters {
        let mut text = format!("Chapter(id: \"c{c}\", title: \"Part {c}\", nodes: [\n");
        for i in 0..per {
            let next = format!("c{c}.n{}", (i + 1) % per);
            let far = format!("c{}.n{}", (c + i) % chapters, (i * 7 + 3) % per);
            let extra = match (c, i) {
                (0, 3) => r#"Letter(id: "l0", to: "You", paragraphs: [(prompt: "Begin", fragments: [(text: "Dear {name},"), (text: "Hi.", do: ["met = true"])])]),"#.to_owned(),
                (0, 9) => r#"ShowLetter("l1"),"#.to_owned(),
                (c, 5) if c == last => r#"Letter(id: "l1", to: "Me", paragraphs: [(fragments: [(text: "I am {name}."), (text: "Hello.", when: "met")])]),"#.to_owned(),
                (c, 7) if c == last => r#"ShowLetter("l0"),"#.to_owned(),
                _ => String::new(),
            };
            let way_on = if c == last && i == per - 1 {
                r#"end: "done","#.to_owned()
            } else {
                String::new()
            };
            text.push_str(&format!(
                r#"  (id: "n{i}", when: "trust > -50", otherwise: "{next}", script: [
    Line("os: Hello {{name}}, node {i}."),
    Line("os: {{trust >= 2: {{met: Close|Near}}|Far}}, {{a|b|c}} {{&x|y}} {{~p|q|r}} {{!once|twice}}."),
    Variants([(when: "trust >= 2", text: "os: You trust me."), (text: "os: Hm.")]),
    Random([(text: "The rain."), (text: "The hum.", weight: 2)]),
    If("met", [Line("theodore: We met.")]),
    Do(["trust += 1"]),
    {extra}
  ], choices: [
    (text: "On, {{name}}{{, again|, once more}}.", do: ["trust += 1"], goto: "{next}"),
    (text: "Once.", once: true, then: [Line("theodore: Just once.")], goto: "{far}"),
    (text: "If trusted.", when: "trust >= 3", do: ["remember gift = \"a shell\"", "trust -= 5"], goto: "{far}"),
  ], {way_on}),
"#
            ));
        }
        text.push_str("])\n");
        files.push(SourceFile::new(format!("c{c}.ron").into(), text));
    }
    files
}

#[test]
fn a_large_story_compiled_on_two_cores_is_the_story_compiled_on_one() {
    use her::story::load::{compile_sources, compile_sources_on_one_core};
    use rand::RngExt;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;

    let sources = varied_story(6, 500);
    let all = 0..sources.len();
    let one = compile_sources_on_one_core(sources.clone(), std::slice::from_ref(&all));
    let two = compile_sources(sources, std::slice::from_ref(&all));
    assert!(
        one.diagnostics
            .iter()
            .all(|d| d.severity != her::story::diagnostic::Severity::Error),
        "{:?}",
        one.diagnostics.first()
    );
    let (one, two) = (one.story.expect("one core"), two.story.expect("two cores"));
    // The same program, word for word: every index the second half held was moved right.
    let (a, b) = (one.program_listing(), two.program_listing());
    for (x, y) in a.lines().zip(b.lines()) {
        assert_eq!(x, y);
    }
    assert_eq!(a.len(), b.len());

    // And it plays the same: a long seeded walk reads the same, letters included.
    let walk = |story: &her::story::Story| {
        let mut st = story.new_state(3);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut out = String::new();
        for _ in 0..20_000 {
            let event = story.next(&mut st);
            out.push_str(&her::story::transcript::render_event(story, &st, &event));
            if event.is_final() {
                break;
            }
            let options = match &event {
                Event::Choices(c) => c.len(),
                Event::Paragraph(p) => p.fragments.len(),
                _ => 0,
            };
            if options > 0 {
                story.choose(&mut st, rng.random_range(0..options)).unwrap();
            }
        }
        out
    };
    let (a, b) = (walk(&one), walk(&two));
    assert!(
        a.contains("Dear Sam") || a.contains("Hi."),
        "the walk wrote the first letter"
    );
    assert_eq!(a, b);
}
