//! The checks that need the whole story: what can be reached from the start, dead ends, endings
//! no path reaches, variants that can never be chosen, variables never read.
//!
//! These are static: they follow every branch regardless of conditions (except conditions that
//! are constant). `explore` is the dynamic counterpart, which plays every state.

use std::collections::VecDeque;

use super::diagnostic::{Diagnostic, Severity, SourceFile};
use super::expr::{Cond, Effect, Env, Value};
use super::model::{Op, SourceRef, Story};

/// How an op was reached, for telling a dead end from a "no choice held" fall-through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    No,
    FallThrough,
    Normal,
}

/// The ops each op can lead to; `fallthrough` is the edge taken when no choice holds.
pub fn successors(story: &Story, pc: usize, out: &mut Vec<(usize, bool)>) {
    out.clear();
    match &story.ops[pc] {
        Op::Enter(_, _, gate) => {
            out.push((pc + 1, false));
            if let Some((_, target)) = gate.as_deref() {
                out.push((story.nodes[*target].entry, false));
            }
        }
        Op::Line(_)
        | Op::Effects(..)
        | Op::AddConst(..)
        | Op::Scene(_)
        | Op::Pause(_)
        | Op::Letter(_)
        | Op::ShowLetter(_) => out.push((pc + 1, false)),
        Op::Group(g) => {
            let group = &story.groups[*g];
            for v in &group.variants {
                if v.when.as_ref().and_then(|w| w.cond.constant()) != Some(false) {
                    out.push((v.entry, false));
                }
            }
            out.push((group.after, false));
        }
        Op::JumpUnless(cond, target) => {
            let constant = cond.constant();
            if constant != Some(false) {
                out.push((pc + 1, false));
            }
            if constant != Some(true) {
                out.push((*target, false));
            }
        }
        Op::Jump(target) => out.push((*target, false)),
        Op::Goto(_, entry) => out.push((*entry as usize, false)),
        // A detour goes to its node and, when that returns, on to the next op (whether it can
        // return is `check_detours`'s question).
        Op::Detour(_, entry) => {
            out.push((*entry as usize, false));
            out.push((pc + 1, false));
        }
        Op::Choices(set) => {
            let choices = story.choice_set(set.set as usize);
            for c in choices {
                if c.when.as_ref().and_then(Cond::constant) != Some(false) {
                    out.push((c.entry, false));
                }
            }
            if choices.iter().all(|c| c.when.is_some() || c.once) && !exhaustive(choices) {
                out.push((pc + 1, true));
            }
        }
        Op::End(_) | Op::DeadEnd(_) | Op::Return => {}
    }
}

/// Whether some two choices that stay offered (not `once`) have conditions of which exactly
/// one holds in any state (`teacup` and `!teacup`): then one is always offered.
fn exhaustive(choices: &[super::model::Choice]) -> bool {
    let conds: Vec<&Cond> = choices
        .iter()
        .filter(|c| !c.once)
        .filter_map(|c| c.when.as_ref())
        .collect();
    conds
        .iter()
        .enumerate()
        .any(|(i, a)| conds[i + 1..].iter().any(|b| a.complements(b)))
}

/// Runs every whole-story check.
pub fn validate(story: &Story, sources: &[SourceFile]) -> Vec<Diagnostic> {
    // The two families of checks are independent: on a large story, run them side by side.
    if story.ops.len() >= 100_000 {
        let (mut out, variables) = std::thread::scope(|scope| {
            let variables = scope.spawn(|| check_variables(story, sources));
            (check_paths(story, sources), variables.join())
        });
        match variables {
            Ok(v) => out.extend(v),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    } else {
        let mut out = check_paths(story, sources);
        out.extend(check_variables(story, sources));
        out
    }
}

/// Reachability from the start: unreachable nodes, dead ends, endings no path reaches.
fn check_paths(story: &Story, sources: &[SourceFile]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let place = |src: &SourceRef| -> Option<&SourceFile> { sources.get(src.file) };

    // Reachability over the program, from the start node.
    let mut reach = vec![Reach::No; story.ops.len()];
    let mut queue = VecDeque::new();
    let start = story.nodes[story.start].entry;
    reach[start] = Reach::Normal;
    queue.push_back(start);
    let mut next = Vec::new();
    while let Some(mut pc) = queue.pop_front() {
        // Straight runs of lines and effects lead only to the next op: follow them here
        // rather than through the queue (most of a story is such runs).
        while matches!(
            story.ops[pc],
            Op::Line(_)
                | Op::Effects(..)
                | Op::AddConst(..)
                | Op::Scene(_)
                | Op::Pause(_)
                | Op::ShowLetter(_)
        ) {
            let to = pc + 1;
            let first = reach[to] == Reach::No;
            reach[to] = Reach::Normal;
            if !first {
                break;
            }
            pc = to;
        }
        successors(story, pc, &mut next);
        for &(to, fallthrough) in &next {
            let how = if fallthrough {
                Reach::FallThrough
            } else {
                Reach::Normal
            };
            if reach[to] == Reach::No || (reach[to] == Reach::FallThrough && how == Reach::Normal) {
                let first = reach[to] == Reach::No;
                reach[to] = how;
                if first {
                    queue.push_back(to);
                }
            }
        }
    }

    for node in &story.nodes {
        if reach[node.entry] == Reach::No
            && let Some(src) = place(&node.source)
        {
            let span = node.id_span(src);
            out.push(src.diagnostic(
                Severity::Warning,
                "W101",
                span,
                format!("the node `{}` can never be reached from the start", node.id),
                Some("point a choice, `next` or `Goto` at it, or remove it".into()),
            ));
        }
    }

    let mut endings_reached = vec![false; story.endings.len()];
    for (pc, op) in story.ops.iter().enumerate() {
        match op {
            Op::End(e) if reach[pc] != Reach::No => endings_reached[*e] = true,
            Op::DeadEnd(n) if reach[pc] != Reach::No => {
                let node = &story.nodes[*n];
                if let Some(src) = place(&node.source) {
                    let span = node.id_span(src);
                    out.push(if reach[pc] == Reach::FallThrough {
                        src.diagnostic(
                            Severity::Warning,
                            "W106",
                            span,
                            format!(
                                "every choice of `{}` may be unavailable, and then the story stops here",
                                node.id
                            ),
                            Some("add a choice without `when`, or a `next` to fall back on".into()),
                        )
                    } else {
                        src.diagnostic(
                            Severity::Error,
                            "E022",
                            span,
                            format!("dead end: the story stops at `{}`, which is not an ending", node.id),
                            Some("add choices, a `next`, or an `end`".into()),
                        )
                    });
                }
            }
            _ => {}
        }
    }
    out.extend(check_traps(story, sources, &reach));
    out.extend(check_detours(story, sources, &reach));
    for (e, reached) in endings_reached.iter().enumerate() {
        if !reached {
            let id = &story.endings[e].id;
            let (src, span) = find_declaration(sources, id);
            if let Some(src) = src {
                out.push(src.diagnostic(
                    Severity::Warning,
                    "W104",
                    span,
                    format!("no path reaches the ending `{id}`"),
                    Some(format!(
                        "end a node with `end: \"{id}\"`, or remove the ending"
                    )),
                ));
            }
        }
    }

    out
}

/// Loops the player can never leave, whatever the variables hold: a strongly connected set of
/// reachable nodes (through `next`, `Goto` and gates) with no choice, letter or ending in it
/// and no way out of it. Found with Kosaraju's algorithm (`petgraph`). Loops whose way out
/// depends on variables are `explore`'s to find; at run time the engine stops any loop that
/// goes on without a decision (`runtime::EVENT_LIMIT`).
fn check_traps(story: &Story, sources: &[SourceFile], reach: &[Reach]) -> Vec<Diagnostic> {
    use petgraph::graph::{DiGraph, NodeIndex};
    // Node by node (a tenth of the ops): each node's program runs from its entry to the next
    // node's; a node that can offer a decision or end the story is a way out.
    let mut graph: DiGraph<(), ()> =
        DiGraph::with_capacity(story.nodes.len(), story.nodes.len() * 2);
    for _ in 0..story.nodes.len() {
        graph.add_node(());
    }
    let mut exit = vec![false; story.nodes.len()];
    for (node, ops) in story.node_ranges().into_iter().enumerate() {
        if reach[ops.start] == Reach::No {
            continue;
        }
        for (op, _) in story.ops[ops.clone()]
            .iter()
            .zip(&reach[ops])
            .filter(|(_, how)| **how != Reach::No)
        {
            match op {
                Op::Choices(_) | Op::Letter(_) | Op::End(_) | Op::DeadEnd(_) | Op::Return => {
                    exit[node] = true;
                }
                Op::Detour(to, _) => {
                    graph.add_edge(NodeIndex::new(node), NodeIndex::new(*to as usize), ());
                }
                Op::Goto(to, _) => {
                    graph.add_edge(NodeIndex::new(node), NodeIndex::new(*to as usize), ());
                }
                Op::Enter(_, _, Some(gate)) => {
                    graph.add_edge(NodeIndex::new(node), NodeIndex::new(gate.1), ());
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    // Kosaraju's algorithm in petgraph is iterative: a story of any length cannot exhaust the
    // stack (Tarjan's recursion did, at 100,000 nodes).
    for scc in petgraph::algo::kosaraju_scc(&graph) {
        let first = scc[0].index();
        if reach[story.nodes[first].entry] == Reach::No {
            continue;
        }
        let looped = scc.len() > 1 || graph.contains_edge(scc[0], scc[0]);
        if !looped || scc.iter().any(|n| exit[n.index()]) {
            continue;
        }
        let members: std::collections::HashSet<usize> = scc.iter().map(|n| n.index()).collect();
        let leaves = scc
            .iter()
            .any(|n| graph.neighbors(*n).any(|to| !members.contains(&to.index())));
        if leaves {
            continue;
        }
        let mut nodes: Vec<usize> = members.into_iter().collect();
        nodes.sort_unstable();
        let names: Vec<String> = nodes
            .iter()
            .take(8)
            .map(|&n| format!("`{}`", story.nodes[n].id))
            .collect();
        let more = if nodes.len() > 8 {
            format!(" and {} more", nodes.len() - 8)
        } else {
            String::new()
        };
        let node = &story.nodes[nodes[0]];
        if let Some(src) = sources.get(node.source.file) {
            let span = node.id_span(src);
            out.push(src.diagnostic(
                Severity::Error,
                "E023",
                span,
                format!(
                    "a loop the player can never leave: {}{more} lead only to each other, with no choice and no ending",
                    names.join(", ")
                ),
                Some("give one of them a choice, an `end`, or a `next` that leads out".into()),
            ));
        }
    }
    out
}

/// Every detour can return: its node reaches a `Return` on some path (`E027` at the node that
/// makes the detour). Found backwards from every `Return` at once, so it costs one pass.
fn check_detours(story: &Story, sources: &[SourceFile], reach: &[Reach]) -> Vec<Diagnostic> {
    if !story.ops.iter().any(|op| matches!(op, Op::Detour(..))) {
        return Vec::new();
    }
    // Edges backwards, and a walk back from every `Return`.
    let mut back: Vec<Vec<u32>> = vec![Vec::new(); story.ops.len()];
    let mut next = Vec::new();
    for (pc, how) in reach.iter().enumerate() {
        if *how == Reach::No {
            continue;
        }
        successors(story, pc, &mut next);
        for &(to, _) in &next {
            // Into a nested detour is not a way back: its `Return` is its own.
            if matches!(story.ops[pc], Op::Detour(_, entry) if entry as usize == to) {
                continue;
            }
            back[to].push(pc as u32);
        }
    }
    let mut returns = vec![false; story.ops.len()];
    let mut stack: Vec<usize> = (0..story.ops.len())
        .filter(|&pc| matches!(story.ops[pc], Op::Return))
        .collect();
    for &pc in &stack {
        returns[pc] = true;
    }
    while let Some(pc) = stack.pop() {
        for &from in &back[pc] {
            let from = from as usize;
            // Through a nested detour, only by its way back (its own return is its own check).
            if !returns[from] {
                returns[from] = true;
                stack.push(from);
            }
        }
    }
    let mut out = Vec::new();
    for (pc, op) in story.ops.iter().enumerate() {
        let Op::Detour(target, entry) = op else {
            continue;
        };
        if reach[pc] == Reach::No || returns[*entry as usize] {
            continue;
        }
        // The node that makes the detour: the last whose entry is at or before it.
        let at = story
            .nodes
            .iter()
            .filter(|n| n.entry <= pc)
            .max_by_key(|n| n.entry)
            .unwrap_or(&story.nodes[story.start]);
        if let Some(src) = sources.get(at.source.file) {
            let to = &story.nodes[*target as usize].id;
            let span = src
                .find_literal_within(
                    to.split_once('.').map_or(to.as_str(), |(_, n)| n),
                    at.source.offset..src.text.len(),
                )
                .unwrap_or(at.source.offset..at.source.offset + 1);
            out.push(src.diagnostic(
                Severity::Error,
                "E027",
                span,
                format!("the detour to `{to}` can never return: no path from it reaches a `Return`"),
                Some("end the detour's node (or a node it leads to) with `Return`, or use `Goto` for a one-way trip".into()),
            ));
        }
    }
    out
}

/// Variables never read, and variants that can never be chosen.
fn check_variables(story: &Story, sources: &[SourceFile]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let place = |src: &SourceRef| -> Option<&SourceFile> { sources.get(src.file) };
    // Variables: which are ever written, which are ever read.
    let mut written = vec![false; story.variables.len()];
    let mut read = vec![false; story.variables.len()];
    let mut slots = Vec::new();
    let mut note_effects = |effects: &[Effect], written: &mut Vec<bool>, read: &mut Vec<bool>| {
        for e in effects {
            written[e.target()] = true;
            slots.clear();
            e.reads(&mut slots);
            for &s in &slots {
                read[s] = true;
            }
        }
    };
    let note_cond = |c: &Cond, read: &mut Vec<bool>| {
        let mut s = Vec::new();
        c.reads(&mut s);
        for slot in s {
            read[slot] = true;
        }
    };
    for op in &story.ops {
        match op {
            Op::Effects(a, b) => note_effects(story.effect_list(*a, *b), &mut written, &mut read),
            Op::AddConst(slot, _) => written[*slot as usize] = true,
            Op::JumpUnless(c, _) => note_cond(c, &mut read),
            Op::Enter(_, _, Some(gate)) => note_cond(&gate.0, &mut read),
            _ => {}
        }
    }
    for letter in &story.letters {
        for p in &letter.paragraphs {
            for f in &p.fragments {
                note_effects(&f.effects, &mut written, &mut read);
                if let Some(c) = &f.when {
                    note_cond(c, &mut read);
                }
                f.text.reads(story).for_each(|s| read[s] = true);
            }
        }
    }
    for group in &story.groups {
        for v in &group.variants {
            if let Some(w) = &v.when {
                note_cond(&w.cond, &mut read);
            }
        }
    }
    for c in &story.choices {
        if let Some(w) = &c.when {
            note_cond(w, &mut read);
        }
        c.text.reads(story).for_each(|s| read[s] = true);
    }
    for line in &story.lines {
        line.text.reads(story).for_each(|s| read[s] = true);
    }
    for ch in &story.characters {
        ch.name.reads(story).for_each(|s| read[s] = true);
    }

    // Variants that can never be chosen: constant-false, or false from the start while reading
    // only variables that nothing ever changes.
    let defaults: Vec<Value> = story.variables.iter().map(|v| v.default.clone()).collect();
    let env = DefaultEnv(&defaults);
    for group in &story.groups {
        for v in &group.variants {
            let Some(w) = &v.when else { continue };
            let mut reads = Vec::new();
            w.cond.reads(&mut reads);
            let frozen = !w.cond.reads_progress() && reads.iter().all(|&s| !written[s]);
            if (w.cond.constant() == Some(false) || (frozen && !w.cond.eval(&env)))
                && let Some(src) = place(&v.source)
            {
                {
                    let at = v.source.offset.min(src.text.len());
                    let span = src
                        .text
                        .get(at..)
                        .and_then(|t| t.find("when"))
                        .map_or(at..at + 1, |i| at + i..at + i + 4);
                    let names: Vec<&str> = reads
                        .iter()
                        .map(|&s| story.variables[s].name.as_str())
                        .collect();
                    out.push(src.diagnostic(
                        Severity::Warning,
                        "W103",
                        span,
                        "this variant can never be chosen: its condition is false from the start, and nothing ever changes what it reads",
                        Some(if names.is_empty() {
                            "remove it or change its condition".into()
                        } else {
                            format!("nothing sets {}; set it somewhere, or remove the variant", names.join(", "))
                        }),
                    ));
                }
            }
        }
    }

    for (slot, var) in story.variables.iter().enumerate() {
        if !read[slot] {
            let (src, span) = find_declaration(sources, &var.name);
            if let Some(src) = src {
                out.push(src.diagnostic(
                    Severity::Warning,
                    "W107",
                    span,
                    format!("the variable `{}` is never read", var.name),
                    Some(if written[slot] {
                        "it is set but nothing checks it: use it in a condition or text, or remove it".into()
                    } else {
                        "use it, or remove it from `variables`".into()
                    }),
                ));
            }
        }
    }
    out
}

/// Finds where a name is declared in a `Story(...)` or `Mod(...)` file.
fn find_declaration<'a>(
    sources: &'a [SourceFile],
    name: &str,
) -> (Option<&'a SourceFile>, std::ops::Range<usize>) {
    for src in sources {
        let head = src.text.trim_start_matches(|c: char| c.is_whitespace());
        let manifest = src.text.contains("Story(") || src.text.contains("Mod(");
        if manifest
            && !head.starts_with("Chapter")
            && let Some(span) = src.find_literal(name, 0)
        {
            return (Some(src), span);
        }
    }
    (None, 0..0)
}

/// The starting values, with no progress: for "false from the start" checks.
struct DefaultEnv<'a>(&'a [Value]);

impl Env for DefaultEnv<'_> {
    fn var(&self, slot: usize) -> &Value {
        &self.0[slot]
    }
    fn visits(&self, _node: usize) -> u32 {
        0
    }
    fn chapter(&self) -> i64 {
        1
    }
    fn wrote(&self, _letter: usize) -> bool {
        false
    }
}
