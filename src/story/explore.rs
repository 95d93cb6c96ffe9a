//! Exploring every reachable state of a story: from the start, trying every option at every
//! decision, merging states that can no longer differ in where the story goes (the abstraction
//! of `abstraction.rs`), up to a bound. A search that ends before the bound is a proof for its
//! seed: every dead end and every state that can no longer reach an ending is found, with a
//! path there; every node, choice and ending reached has a witness path.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::Hasher;

use super::abstraction::Abstraction;

use super::expr::Value;
use super::model::Story;
use super::runtime::{Event, StoryState};

/// What `explore` found.
#[derive(Debug, Clone)]
pub struct Exploration {
    /// Distinct states visited (at decision points).
    pub states: usize,
    /// Whether every state was visited (the bound was not hit).
    pub complete: bool,
    /// Per node: entered on some path.
    pub nodes_reached: Vec<bool>,
    /// Per line: delivered on some path.
    pub lines_reached: Vec<bool>,
    /// Per ending: the shortest path of options (1-based) that reaches it.
    pub endings: Vec<Option<Vec<usize>>>,
    /// Where the story got stuck, with a path there.
    pub dead_ends: Vec<(String, String, Vec<usize>)>,
    /// Per variable: the values it took.
    pub ranges: Vec<VarRange>,
    /// Node to node transitions seen, for the branch graph.
    pub edges: BTreeSet<(usize, usize)>,
    /// Per choice (global index): taken on some path.
    pub choices_taken: Vec<bool>,
    /// States from which no ending can be reached any more (a loop the player cannot leave
    /// in time, or choices that only go round): the node, and a path there. Only a complete
    /// search can tell.
    pub traps: Vec<(String, Vec<usize>)>,
    /// Per node: a path (options, 1-based) that enters it.
    pub node_paths: Vec<Option<Vec<usize>>>,
    /// Per choice (global index): a path whose last option takes it.
    pub choice_paths: Vec<Option<Vec<usize>>>,
    /// Whether a complete search holds for every seed: the seed only picks words (no variant
    /// carries effects).
    pub every_seed: bool,
    /// Nodes not reached yet, checked against each state's visit counts.
    unreached: Vec<usize>,
    /// Nodes reached on the last step, waiting for their witness path.
    newly: Vec<usize>,
}

/// The values a variable took during exploration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarRange {
    /// Lowest and highest.
    Number(i64, i64),
    /// Whether false and true were seen.
    Flag(bool, bool),
    /// Distinct texts seen (at most 8 kept).
    Text(BTreeSet<String>),
    /// Whether unknown and known were seen, and the texts remembered (at most 8).
    Fact(bool, BTreeSet<String>),
}

impl VarRange {
    fn new(v: &Value) -> Self {
        let mut r = match v {
            Value::Number(n) => VarRange::Number(*n, *n),
            Value::Flag(_) => VarRange::Flag(false, false),
            Value::Text(_) => VarRange::Text(BTreeSet::new()),
            Value::Fact(_) => VarRange::Fact(false, BTreeSet::new()),
        };
        r.note(v);
        r
    }

    fn note(&mut self, v: &Value) {
        match (self, v) {
            (VarRange::Number(lo, hi), Value::Number(n)) => {
                *lo = (*lo).min(*n);
                *hi = (*hi).max(*n);
            }
            (VarRange::Flag(f, t), Value::Flag(b)) => {
                if *b {
                    *t = true;
                } else {
                    *f = true;
                }
            }
            (VarRange::Text(set), Value::Text(s)) if set.len() < 8 => {
                set.insert(s.clone());
            }
            (VarRange::Fact(unknown, set), Value::Fact(f)) => match f {
                None => *unknown = true,
                Some(s) => {
                    if set.len() < 8 {
                        set.insert(s.clone());
                    }
                }
            },
            _ => {}
        }
    }

    /// The range in words.
    pub fn describe(&self) -> String {
        match self {
            VarRange::Number(lo, hi) if lo == hi => format!("always {lo}"),
            VarRange::Number(lo, hi) => format!("{lo} to {hi}"),
            VarRange::Flag(f, t) => match (f, t) {
                (true, true) => "false or true".into(),
                (false, true) => "always true".into(),
                _ => "always false".into(),
            },
            VarRange::Text(set) => format!("{set:?}"),
            VarRange::Fact(unknown, set) => {
                let known = if set.is_empty() {
                    "never remembered".to_owned()
                } else {
                    format!("remembered as {set:?}")
                };
                if *unknown {
                    format!("unknown, or {known}")
                } else {
                    known
                }
            }
        }
    }
}

/// How a run to the next decision ended.
enum Outcome {
    /// A decision with this many options.
    Decision(usize),
    /// An ending (its index).
    Ended(usize),
    /// Stuck at a node, for a reason.
    Stuck(String, String),
}

/// Runs to the next decision or the end, noting everything reached. Returns the outcome and
/// whether anything new was found on the way.
fn advance(story: &Story, st: &mut StoryState, report: &mut Exploration) -> (Outcome, bool) {
    let mut novel = false;
    loop {
        let before = st.node();
        let event = story.next(st);
        let after = st.node();
        if event.is_final() || event.is_decision() {
            novel |= note_nodes(report, st);
        }
        if before != after {
            report.edges.insert((before, after));
        }
        for (r, v) in report.ranges.iter_mut().zip(&st.vars) {
            r.note(v);
        }
        match event {
            Event::Line(l) => novel |= !std::mem::replace(&mut report.lines_reached[l.index], true),
            Event::Ending(e) => {
                let i = story
                    .endings
                    .iter()
                    .position(|x| std::ptr::eq(x, e))
                    .unwrap_or(0);
                return (Outcome::Ended(i), novel);
            }
            Event::Stuck { node, reason } => {
                return (Outcome::Stuck(node.to_owned(), reason), novel);
            }
            Event::Choices(c) => return (Outcome::Decision(c.len()), novel),
            Event::Paragraph(p) => return (Outcome::Decision(p.fragments.len()), novel),
            _ => {}
        }
    }
}

/// Notes every node the state has entered (by its visit counts, so a node with no line of its
/// own, passed within one step, counts as `her read` shows it, and a start node whose `when`
/// fails does not); true when one is new. Only the nodes not yet reached are looked at.
fn note_nodes(report: &mut Exploration, st: &StoryState) -> bool {
    let before = report.unreached.len();
    let reached = &mut report.nodes_reached;
    let newly = &mut report.newly;
    report.unreached.retain(|&n| {
        let entered = st.visits[n] > 0;
        if entered {
            reached[n] = true;
            newly.push(n);
        }
        !entered
    });
    report.unreached.len() != before
}

/// Notes a choice taken; true when it was never taken before.
fn note_choice(report: &mut Exploration, st: &StoryState) -> bool {
    match st.decisions.last().map(|d| d.pick) {
        Some(super::runtime::Pick::Choice(g)) => {
            !std::mem::replace(&mut report.choices_taken[g as usize], true)
        }
        _ => false,
    }
}

fn note_end(report: &mut Exploration, outcome: &Outcome, path: Vec<usize>) {
    match outcome {
        Outcome::Ended(i) => {
            if report.endings[*i]
                .as_ref()
                .is_none_or(|p| p.len() > path.len())
            {
                report.endings[*i] = Some(path);
            }
        }
        Outcome::Stuck(node, reason) => {
            if !report.dead_ends.iter().any(|(n, _, _)| n == node) {
                report.dead_ends.push((node.clone(), reason.clone(), path));
            }
        }
        Outcome::Decision(_) => {}
    }
}

/// How a guided playthrough picks among options.
#[derive(Clone, Copy)]
enum Strategy {
    /// Whatever raises (or, with -1, lowers) this variable most by the next decision.
    Push(usize, i64),
    /// At random, from a seeded generator.
    Random(u64),
}

/// One guided playthrough from the start: the extremes of each variable are what the endings
/// are made of, and a breadth-first search alone drowns in the middle of the story first.
fn guided(story: &Story, seed: u64, strategy: Strategy, report: &mut Exploration) {
    use rand::RngExt;
    use rand_chacha::rand_core::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(match strategy {
        Strategy::Random(s) => s,
        Strategy::Push(..) => 0,
    });
    let mut st = story.new_state(seed);
    let mut path = Vec::new();
    // Bounded: a story may loop forever on purpose.
    for _ in 0..10_000 {
        let (outcome, _) = advance(story, &mut st, report);
        note_new(report, &path);
        let Outcome::Decision(options) = outcome else {
            note_end(report, &outcome, path);
            return;
        };
        let pick = match strategy {
            Strategy::Random(_) => rng.random_range(0..options),
            Strategy::Push(slot, sign) => {
                let mut best = (i64::MIN, 0);
                for option in 0..options {
                    let mut probe = st.clone();
                    if story.choose(&mut probe, option).is_err() {
                        continue;
                    }
                    // What the probe passes is reachable too: note it.
                    advance(story, &mut probe, report);
                    let mut there = path.clone();
                    there.push(option + 1);
                    note_new(report, &there);
                    let score = match &probe.vars[slot] {
                        Value::Number(n) => n * sign,
                        Value::Flag(b) => i64::from(*b) * sign,
                        Value::Fact(f) => i64::from(f.is_some()) * sign,
                        Value::Text(_) => 0,
                    };
                    if score > best.0 {
                        best = (score, option);
                    }
                }
                best.1
            }
        };
        if story.choose(&mut st, pick).is_err() {
            return;
        }
        path.push(pick + 1);
        if note_choice(report, &st)
            && let Some(g) = last_choice(&st)
        {
            report.choice_paths[g] = Some(path.clone());
        }
    }
}

/// Explores the story from its start with a seed: first guided playthroughs (pushing each
/// variable up and down, and seeded random ones), then every option at every decision, over
/// abstract states (`abstraction::Abstraction`: states that can no longer differ in where the
/// story goes are one), visiting at most `max_states` of them; `progress` is called now and then
/// with (states visited, states waiting).
///
/// When the search ends without the bound, `complete` is set and the report is a proof for
/// this seed: every reachable decision was tried, `dead_ends` lists every way the story can get
/// stuck, and `traps` every state from which no ending can be reached any more. Where no variant
/// carries effects, the seed only picks words, and the proof holds for every seed.
pub fn explore(
    story: &Story,
    seed: u64,
    max_states: usize,
    mut progress: impl FnMut(usize, usize),
) -> Exploration {
    let mut report = Exploration {
        states: 0,
        complete: true,
        nodes_reached: vec![false; story.nodes.len()],
        lines_reached: vec![false; story.lines.len()],
        endings: vec![None; story.endings.len()],
        dead_ends: Vec::new(),
        traps: Vec::new(),
        ranges: story
            .variables
            .iter()
            .map(|v| VarRange::new(&v.default))
            .collect(),
        edges: BTreeSet::new(),
        choices_taken: vec![false; story.choice_count],
        node_paths: vec![None; story.nodes.len()],
        choice_paths: vec![None; story.choice_count],
        every_seed: !story.variants_have_effects(),
        unreached: (0..story.nodes.len()).collect(),
        newly: Vec::new(),
    };
    for (slot, var) in story.variables.iter().enumerate() {
        if var.ty != super::expr::VarType::Text {
            guided(story, seed, Strategy::Push(slot, 1), &mut report);
            guided(story, seed, Strategy::Push(slot, -1), &mut report);
        }
    }
    for k in 0..64 {
        guided(story, seed, Strategy::Random(k), &mut report);
    }
    let abs = Abstraction::new(story);
    // Merging states is sound only over what decides the future: with variants that carry
    // effects, the generator and the variants' history do too.
    let picks_matter = !report.every_seed;
    let mut key = Vec::new();
    let key_of = |st: &StoryState, key: &mut Vec<u8>| {
        abs.key(st, key);
        if picks_matter {
            st.hash_picks(&mut KeyBytes(key));
        }
    };
    // Per abstract state: how it was first reached (parent, option), for witness paths.
    let mut links: Vec<(u32, u32)> = Vec::new();
    let path_of = |links: &[(u32, u32)], at: u32, then: Option<usize>| {
        let mut path = Vec::new();
        let mut at = at;
        while at != 0 {
            let (parent, option) = links[at as usize];
            path.push(option as usize + 1);
            at = parent;
        }
        path.reverse();
        path.extend(then.map(|o| o + 1));
        path
    };
    let mut ids: HashMap<Box<[u8]>, u32> = HashMap::new();
    // The state graph, for the proof that an ending stays in reach: edges, and the states from
    // which an option ends the story.
    let mut graph: Vec<(u32, u32)> = Vec::new();
    let mut ends: Vec<bool> = Vec::new();

    let mut st = story.new_state(seed);
    let (outcome, _) = advance(story, &mut st, &mut report);
    note_new(&mut report, &[]);
    let Outcome::Decision(_) = outcome else {
        note_end(&mut report, &outcome, Vec::new());
        report.states = 0;
        return report;
    };
    key_of(&st, &mut key);
    ids.insert(key.as_slice().into(), 0);
    links.push((0, 0));
    ends.push(false);
    // Two frontiers: states whose last step found something new (a node, a line, a choice)
    // go first, so that a search cut short by the bound has still seen every corner.
    let mut fresh: VecDeque<(StoryState, u32, usize)> = VecDeque::new();
    let mut rest: VecDeque<(StoryState, u32, usize)> = VecDeque::new();
    let options = match outcome {
        Outcome::Decision(n) => n,
        _ => 0,
    };
    fresh.push_back((st, 0, options));
    while let Some((st, id, options)) = fresh.pop_front().or_else(|| rest.pop_front()) {
        if ids.len().is_multiple_of(1024) {
            progress(ids.len(), fresh.len() + rest.len());
        }
        for option in 0..options {
            let mut next = st.clone();
            if story.choose(&mut next, option).is_err() {
                continue;
            }
            let novel_choice = note_choice(&mut report, &next);
            if novel_choice && let Some(g) = last_choice(&next) {
                report.choice_paths[g] = Some(path_of(&links, id, Some(option)));
            }
            let (outcome, novel) = advance(story, &mut next, &mut report);
            if !report.newly.is_empty() {
                let path = path_of(&links, id, Some(option));
                note_new(&mut report, &path);
            }
            match outcome {
                Outcome::Decision(n) => {
                    key_of(&next, &mut key);
                    if let Some(&to) = ids.get(key.as_slice()) {
                        graph.push((id, to));
                        continue;
                    }
                    if ids.len() >= max_states {
                        report.complete = false;
                        continue;
                    }
                    let to = ids.len() as u32;
                    ids.insert(key.as_slice().into(), to);
                    links.push((id, option as u32));
                    ends.push(false);
                    graph.push((id, to));
                    if novel || novel_choice {
                        fresh.push_back((next, to, n));
                    } else {
                        rest.push_back((next, to, n));
                    }
                }
                Outcome::Ended(_) => {
                    ends[id as usize] = true;
                    note_end(&mut report, &outcome, path_of(&links, id, Some(option)));
                }
                Outcome::Stuck(..) => {
                    note_end(&mut report, &outcome, path_of(&links, id, Some(option)));
                }
            }
        }
    }
    report.states = ids.len();
    progress(report.states, 0);
    if report.complete {
        // Every state from which no ending is in reach any more: backwards from the states
        // that can end, over the whole graph.
        let mut back: Vec<Vec<u32>> = vec![Vec::new(); ends.len()];
        for &(a, b) in &graph {
            back[b as usize].push(a);
        }
        let mut can_end = ends.clone();
        let mut queue: VecDeque<u32> = (0..ends.len() as u32)
            .filter(|&i| ends[i as usize])
            .collect();
        while let Some(s) = queue.pop_front() {
            for &p in &back[s as usize] {
                if !std::mem::replace(&mut can_end[p as usize], true) {
                    queue.push_back(p);
                }
            }
        }
        // States are numbered in the order found: the first few trapped ones are the ones to
        // show (the ones after are mostly their successors).
        for (s, _) in can_end.iter().enumerate().filter(|(_, c)| !**c).take(100) {
            let path = path_of(&links, s as u32, None);
            let mut replay = story.new_state(seed);
            walk(story, &mut replay, &path);
            report
                .traps
                .push((story.nodes[replay.node()].id.clone(), path));
        }
    }
    report
}

/// Plays a path of options (1-based) from a state, to the decision after the last one.
fn walk(story: &Story, st: &mut StoryState, path: &[usize]) {
    let to_decision = |st: &mut StoryState| loop {
        let e = story.next(st);
        if e.is_decision() || e.is_final() {
            return e.is_decision();
        }
    };
    for &option in path {
        if !to_decision(st) || story.choose(st, option - 1).is_err() {
            return;
        }
    }
    to_decision(st);
}

/// The global index of the choice just taken, if the last decision was a choice.
fn last_choice(st: &StoryState) -> Option<usize> {
    match st.decisions.last().map(|d| d.pick) {
        Some(super::runtime::Pick::Choice(g)) => Some(g as usize),
        _ => None,
    }
}

/// Gives every node entered for the first time on the last step its witness path.
fn note_new(report: &mut Exploration, path: &[usize]) {
    for n in std::mem::take(&mut report.newly) {
        report.node_paths[n].get_or_insert_with(|| path.to_vec());
    }
}

/// Appends a `Hash` to a key's bytes (as `abstraction` does).
struct KeyBytes<'a>(&'a mut Vec<u8>);

impl Hasher for KeyBytes<'_> {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

/// The branch graph in Graphviz's dot language: chapters as clusters, nodes reached in warm
/// colours and nodes never reached greyed out, endings as double octagons.
pub fn to_dot(story: &Story, report: &Exploration) -> String {
    let mut out = String::from(
        "digraph story {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"serif\"];\n",
    );
    for (ci, chapter) in story.chapters.iter().enumerate() {
        out.push_str(&format!(
            "  subgraph cluster_{ci} {{\n    label=\"{}. {}\";\n    color=\"#c8553d\";\n",
            chapter.number,
            chapter.title.replace('"', "\\\"")
        ));
        for (ni, node) in story
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.chapter == ci)
        {
            let fill = if report.nodes_reached[ni] {
                "#f6c9a8"
            } else {
                "#dddddd"
            };
            out.push_str(&format!(
                "    n{ni} [label=\"{}\", fillcolor=\"{fill}\"];\n",
                node.id
            ));
        }
        out.push_str("  }\n");
    }
    for (a, b) in &report.edges {
        out.push_str(&format!("  n{a} -> n{b};\n"));
    }
    // Endings, linked from the nodes that end there.
    for (ei, ending) in story.endings.iter().enumerate() {
        out.push_str(&format!(
            "  e{ei} [label=\"{}\", shape=doubleoctagon, fillcolor=\"{}\"];\n",
            ending.title.replace('"', "\\\""),
            if report.endings[ei].is_some() {
                "#e8876b"
            } else {
                "#dddddd"
            }
        ));
    }
    for (pc, op) in story.ops.iter().enumerate() {
        if let super::model::Op::End(e) = op {
            // The node owning an op is the last node whose entry is at or before it.
            let owner = story.nodes.iter().rposition(|n| n.entry <= pc).unwrap_or(0);
            out.push_str(&format!("  n{owner} -> e{e};\n"));
        }
    }
    out.push_str("}\n");
    out
}
