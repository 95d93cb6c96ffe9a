//! Exploring every reachable state of a story: breadth first from the start, trying every option
//! at every decision, merging states that can no longer differ in what happens (same position,
//! variables, visits and letters), up to a bound. Breadth first means the first path found to an
//! ending is a shortest one.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::hash::BuildHasher;

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
            (VarRange::Text(set), Value::Text(s)) => {
                if set.len() < 8 {
                    set.insert(s.clone());
                }
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
                if *unknown { format!("unknown, or {known}") } else { known }
            }
        }
    }
}

/// Explores the story from its start with a seed, visiting at most `max_states` decision
/// states; `progress` is called now and then with (states visited, states waiting).
pub fn explore(story: &Story, seed: u64, max_states: usize, mut progress: impl FnMut(usize, usize)) -> Exploration {
    let mut report = Exploration {
        states: 0,
        complete: true,
        nodes_reached: vec![false; story.nodes.len()],
        lines_reached: vec![false; story.lines.len()],
        endings: vec![None; story.endings.len()],
        dead_ends: Vec::new(),
        ranges: story.variables.iter().map(|v| VarRange::new(&v.default)).collect(),
        edges: BTreeSet::new(),
        choices_taken: vec![false; story.choice_count],
    };
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
    let mut seen: HashSet<u64> = HashSet::new();
    let mut queue: VecDeque<(StoryState, usize)> = VecDeque::new();
    queue.push_back((story.new_state(seed), 0));
    let mut stuck_seen = HashSet::new();
    while let Some((mut st, link)) = queue.pop_front() {
        // Run to the next decision or the end.
        let event_kind = loop {
            let before = st.node();
            let event = story.next(&mut st);
            let after = st.node();
            report.nodes_reached[after] = true;
            if before != after {
                report.edges.insert((before, after));
            }
            for (r, v) in report.ranges.iter_mut().zip(&st.vars) {
                r.note(v);
            }
            match event {
                Event::Line(l) => report.lines_reached[l.index] = true,
                Event::Ending(e) => {
                    let i = story.endings.iter().position(|x| std::ptr::eq(x, e)).unwrap_or(0);
                    if report.endings[i].is_none() {
                        report.endings[i] = Some(path_of(&links, link));
                    }
                    break None;
                }
                Event::Stuck { node, reason } => {
                    if stuck_seen.insert(node.to_owned()) {
                        report.dead_ends.push((node.to_owned(), reason, path_of(&links, link)));
                    }
                    break None;
                }
                Event::Choices(c) => break Some(c.len()),
                Event::Paragraph(p) => break Some(p.fragments.len()),
                _ => {}
            }
        };
        let Some(options) = event_kind else { continue };
        let key = hasher.hash_one(st.branch_key());
        if !seen.insert(key) {
            continue;
        }
        report.states += 1;
        if report.states.is_multiple_of(1024) {
            progress(report.states, queue.len());
        }
        if report.states >= max_states {
            report.complete = false;
            break;
        }
        for option in 0..options {
            let mut next = st.clone();
            if story.choose(&mut next, option).is_ok() {
                if let Some(d) = next.decisions.last()
                    && let super::runtime::Pick::Choice(g) = d.pick
                {
                    report.choices_taken[g as usize] = true;
                }
                links.push((link, option));
                queue.push_back((next, links.len() - 1));
            }
        }
    }
    progress(report.states, queue.len());
    report
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
        for (ni, node) in story.nodes.iter().enumerate().filter(|(_, n)| n.chapter == ci) {
            let fill = if report.nodes_reached[ni] { "#f6c9a8" } else { "#dddddd" };
            out.push_str(&format!("    n{ni} [label=\"{}\", fillcolor=\"{fill}\"];\n", node.id));
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
            if report.endings[ei].is_some() { "#e8876b" } else { "#dddddd" }
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
