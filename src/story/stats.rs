//! What a story holds, counted the way the studio promises it: words, real choices (a choice
//! is real when something later reads what it did), how many of the OS's lines change with the
//! story, memory callbacks, letters, endings. `her stats` prints it; a test holds the shipped
//! story to it.

use super::expr::{Cond, Effect, VarType};
use super::model::{Op, Story};

/// The counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Words in lines, choices and letter fragments.
    pub words: usize,
    /// Choices offered anywhere.
    pub choices: usize,
    /// Choices whose effect a condition or a line reads, or whose target a `seen`/`visits` reads.
    pub real_choices: usize,
    /// Lines spoken by the OS.
    pub os_lines: usize,
    /// Of those, lines inside `Variants`, `Random`, `If` or `IfElse`.
    pub os_lines_varied: usize,
    /// Conditions and lines that read a remembered fact.
    pub memory_callbacks: usize,
    /// Letters to compose.
    pub letters: usize,
    /// Endings.
    pub endings: usize,
    /// Nodes.
    pub nodes: usize,
}

fn cond_reads(c: &Cond) -> Vec<usize> {
    let mut v = Vec::new();
    c.reads(&mut v);
    v
}

/// Counts a story.
pub fn stats(story: &Story) -> Stats {
    let mut s = Stats {
        letters: story.letters.len(),
        endings: story.endings.len(),
        nodes: story.nodes.len(),
        ..Stats::default()
    };
    let is_fact = |slot: &usize| story.variables[*slot].ty == VarType::Fact;
    // Every condition in the story, and what reads what.
    let mut conds: Vec<&Cond> = Vec::new();
    for op in &story.ops {
        match op {
            Op::JumpUnless(c, _) => conds.push(c),
            Op::Enter(_, _, Some(gate)) => conds.push(&gate.0),
            _ => {}
        }
    }
    conds.extend(story.groups.iter().flat_map(|g| {
        g.variants
            .iter()
            .filter_map(|v| v.when.as_ref().map(|w| &w.cond))
    }));
    conds.extend(story.choices.iter().filter_map(|c| c.when.as_ref()));
    conds.extend(story.letters.iter().flat_map(|l| {
        l.paragraphs
            .iter()
            .flat_map(|p| p.fragments.iter().filter_map(|f| f.when.as_ref()))
    }));
    let mut read = vec![false; story.variables.len()];
    let mut watched = vec![false; story.nodes.len()];
    for c in &conds {
        let slots = cond_reads(c);
        if slots.iter().any(is_fact) {
            s.memory_callbacks += 1;
        }
        for slot in slots {
            read[slot] = true;
        }
        let mut nodes = Vec::new();
        c.nodes(&mut nodes);
        for n in nodes {
            watched[n] = true;
        }
    }
    for line in &story.lines {
        let slots: Vec<usize> = line.text.reads(story).collect();
        if slots.iter().any(is_fact) {
            s.memory_callbacks += 1;
        }
        for slot in slots {
            read[slot] = true;
        }
        s.words += line.text.source(story).split_whitespace().count();
    }
    // Which ops run only under a condition or a variant pick.
    let mut varied = vec![false; story.ops.len()];
    for (pc, op) in story.ops.iter().enumerate() {
        if let Op::JumpUnless(_, target) = op {
            // The `then` steps; for an IfElse they end in a jump over the `else` steps.
            let mut end = *target;
            if let Some(Op::Jump(after)) = target.checked_sub(1).map(|t| &story.ops[t])
                && *after > *target
            {
                end = *after;
            }
            for v in varied.iter_mut().take(end).skip(pc + 1) {
                *v = true;
            }
        }
    }
    for g in &story.groups {
        for v in &g.variants {
            for flag in varied.iter_mut().take(g.after).skip(v.entry) {
                *flag = true;
            }
        }
    }
    for (pc, op) in story.ops.iter().enumerate() {
        if let Op::Line(l) = op
            && story
                .characters
                .get(l.speaker as usize)
                .is_some_and(|c| c.os)
        {
            s.os_lines += 1;
            if varied[pc] {
                s.os_lines_varied += 1;
            }
        }
    }
    for c in &story.choices {
        s.choices += 1;
        s.words += c.text.source(story).split_whitespace().count();
        // The choice's block runs from its entry to its way on.
        let mut real = false;
        for op in &story.ops[c.entry..] {
            match op {
                Op::AddConst(slot, _) => real |= read[*slot as usize],
                Op::Effects(a, b) => {
                    real |= story
                        .effect_list(*a, *b)
                        .iter()
                        .map(Effect::target)
                        .any(|t| read[t]);
                }
                Op::Goto(n, _) | Op::Detour(n, _) => {
                    real |= watched[*n as usize];
                    break;
                }
                Op::Jump(_) | Op::End(_) | Op::DeadEnd(_) => break,
                _ => {}
            }
        }
        if real {
            s.real_choices += 1;
        }
    }
    for l in &story.letters {
        for p in &l.paragraphs {
            for f in &p.fragments {
                s.words += f.text.source(story).split_whitespace().count();
            }
        }
    }
    s
}

/// Something a player reads too often in one playthrough: a line of eight words or more, or a
/// remembered phrase (a fact's value, interpolated).
#[derive(Debug, Clone, PartialEq)]
pub struct Repeat {
    /// The words as read.
    pub text: String,
    /// Whether it is a remembered phrase rather than a whole line.
    pub memory: bool,
    /// The most times it was read in one playthrough.
    pub most: usize,
    /// The line it was read in (index into `Story::lines`), for placing a warning.
    pub line: usize,
    /// A playthrough where it happens: seed and 1-based choices (for `her read`).
    pub seed: u64,
    /// The choices of that playthrough.
    pub choices: Vec<usize>,
}

/// How often a thing may be read in one playthrough before it nags (the studio's rule).
pub const REPEAT_LIMIT: usize = 2;

/// Plays `runs` seeded playthroughs with seeded random choices (seeds `seed..seed + runs`) and
/// reports every line of eight words or more and every remembered phrase read more than
/// `REPEAT_LIMIT` times in one of them, the worst first. Bounded: each playthrough stops after
/// 5,000 decisions.
pub fn repetition(story: &Story, seed: u64, runs: u64) -> Vec<Repeat> {
    use rand::RngExt;
    use rand_chacha::rand_core::SeedableRng;
    use std::collections::HashMap;

    use super::expr::Value;
    use super::runtime::Event;

    let mut worst: HashMap<(String, bool), Repeat> = HashMap::new();
    for k in 0..runs {
        let s = seed.wrapping_add(k);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(s ^ 0x5eed);
        let mut st = story.new_state(s);
        let mut counts: HashMap<(String, bool), (usize, usize)> = HashMap::new();
        let mut choices = Vec::new();
        for _ in 0..5_000 {
            let event = story.next(&mut st);
            match &event {
                Event::Line(l) => {
                    let text = l.text.to_string();
                    if text.split_whitespace().count() >= 8 {
                        counts.entry((text, false)).or_insert((0, l.index)).0 += 1;
                    }
                    for slot in l.line.text.shows(story) {
                        if let Some(Value::Fact(Some(phrase))) = st.vars.get(slot) {
                            // A memory with forms: its full phrase is read the first time only.
                            let (full, handles) = match phrase.split_once('|') {
                                Some((full, _)) => (full, true),
                                None => (phrase.as_str(), false),
                            };
                            if handles && st.fact_told.get(slot).copied().unwrap_or(0) > 1 {
                                continue;
                            }
                            counts
                                .entry((full.to_owned(), true))
                                .or_insert((0, l.index))
                                .0 += 1;
                        }
                    }
                }
                e if e.is_final() => break,
                _ => {}
            }
            let options = match &event {
                Event::Choices(c) => c.len(),
                Event::Paragraph(p) => p.fragments.len(),
                _ => 0,
            };
            if options > 0 {
                let pick = rng.random_range(0..options);
                choices.push(pick + 1);
                if story.choose(&mut st, pick).is_err() {
                    break;
                }
            }
        }
        for ((text, memory), (n, line)) in counts {
            if n > REPEAT_LIMIT {
                let entry = worst.entry((text.clone(), memory)).or_insert(Repeat {
                    text,
                    memory,
                    most: 0,
                    line,
                    seed: s,
                    choices: Vec::new(),
                });
                if n > entry.most {
                    entry.most = n;
                    entry.line = line;
                    entry.seed = s;
                    entry.choices.clone_from(&choices);
                }
            }
        }
    }
    let mut out: Vec<Repeat> = worst.into_values().collect();
    out.sort_by(|a, b| b.most.cmp(&a.most).then(a.text.cmp(&b.text)));
    out
}
