//! Exploring every reachable state of a story: breadth first from the start, trying every option
//! at every decision, merging states that can no longer differ in what happens (same position,
//! variables, visits and letters), up to a bound. Breadth first means the first path found to an
//! ending is a shortest one.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::hash::{BuildHasher, Hasher};

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
    /// Nodes not reached yet, checked against each state's visit counts.
    unreached: Vec<usize>,
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
    report.unreached.retain(|&n| {
        let entered = st.visits[n] > 0;
        if entered {
            reached[n] = true;
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
        note_choice(report, &st);
        path.push(pick + 1);
    }
}

/// Explores the story from its start with a seed: first guided playthroughs (pushing each
/// variable up and down, and seeded random ones), then breadth first over every option, visiting
/// at most `max_states` decision states; `progress` is called now and then with (states
/// visited, states waiting).
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
        ranges: story
            .variables
            .iter()
            .map(|v| VarRange::new(&v.default))
            .collect(),
        edges: BTreeSet::new(),
        choices_taken: vec![false; story.choice_count],
        unreached: (0..story.nodes.len()).collect(),
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

    // Paths are kept as parent links: (parent index, option taken).
    let mut links: Vec<(usize, usize)> = vec![(usize::MAX, 0)];
    let path_of = |links: &Vec<(usize, usize)>, mut at: usize| {
        let mut path = Vec::new();
        while at != 0 && at != usize::MAX {
            path.push(links[at].1 + 1);
            at = links[at].0;
        }
        path.reverse();
        path
    };
    let hasher = std::hash::RandomState::new();
    let (watched, once) = watched(story);
    // Merging states is sound only over what decides the future: with variants that carry
    // effects, the generator and the variants' history do too.
    let picks_matter = story.variants_have_effects();
    let mut seen: HashSet<u64> = HashSet::new();
    // Two frontiers: states whose last step found something new (a node, a line, a choice)
    // go first, so the search reaches every corner of a long story before the bound.
    let mut fresh: VecDeque<(StoryState, usize)> = VecDeque::new();
    let mut rest: VecDeque<(StoryState, usize)> = VecDeque::new();
    fresh.push_back((story.new_state(seed), 0));
    while let Some((mut st, link)) = fresh.pop_front().or_else(|| rest.pop_front()) {
        let (outcome, novel) = advance(story, &mut st, &mut report);
        let Outcome::Decision(options) = outcome else {
            note_end(&mut report, &outcome, path_of(&links, link));
            continue;
        };
        let mut h = hasher.build_hasher();
        st.hash_branch(&mut h, &watched, &once);
        if picks_matter {
            st.hash_picks(&mut h);
        }
        if !seen.insert(h.finish()) {
            continue;
        }
        report.states += 1;
        if report.states.is_multiple_of(1024) {
            progress(report.states, fresh.len() + rest.len());
        }
        if report.states >= max_states {
            report.complete = false;
            break;
        }
        // The waiting states are bounded too: a state is a few kB, and a wide story would
        // otherwise queue millions of them.
        if fresh.len() + rest.len() >= max_states {
            report.complete = false;
            continue;
        }
        for option in 0..options {
            let mut next = st.clone();
            if story.choose(&mut next, option).is_ok() {
                let novel_choice = note_choice(&mut report, &next);
                links.push((link, option));
                if novel || novel_choice {
                    fresh.push_back((next, links.len() - 1));
                } else {
                    rest.push_back((next, links.len() - 1));
                }
            }
        }
    }
    progress(report.states, fresh.len() + rest.len());
    report
}

/// The nodes whose visit counts some condition or effect reads, and the `once` choices: the
/// only counters that can change what happens.
fn watched(story: &Story) -> (Vec<usize>, Vec<usize>) {
    let mut nodes = Vec::new();
    let mut cond = |c: &super::expr::Cond| c.nodes(&mut nodes);
    for op in &story.ops {
        match op {
            super::model::Op::JumpUnless(c, _) => cond(c),
            super::model::Op::Enter(_, _, Some(gate)) => cond(&gate.0),
            super::model::Op::Effects(a, b) => {
                for e in story.effect_list(*a, *b) {
                    if let super::expr::Effect::SetFlag(_, c) = e {
                        cond(c);
                    }
                }
            }
            _ => {}
        }
    }
    for g in &story.groups {
        for v in &g.variants {
            if let Some(w) = &v.when {
                cond(&w.cond);
            }
        }
    }
    let mut once = Vec::new();
    for c in &story.choices {
        if let Some(w) = &c.when {
            cond(w);
        }
        if c.once {
            once.push(c.global);
        }
    }
    for l in &story.letters {
        for p in &l.paragraphs {
            for f in &p.fragments {
                if let Some(w) = &f.when {
                    cond(w);
                }
            }
        }
    }
    nodes.sort_unstable();
    nodes.dedup();
    (nodes, once)
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
