//! The proof that no playthrough soft-locks: an abstract interpretation of the compiled program
//! that covers every reachable state at once, so it ends in milliseconds however many
//! playthroughs a story has.
//!
//! Every point of the program (an op) gets one abstract state that contains every concrete state
//! any playthrough can have there: numbers as intervals, flags and facts as the values they can
//! have, texts as the set of words they can hold, and for each node and letter whether it is
//! certainly, possibly or never seen or written. States meeting at a point are joined; a loop
//! that keeps moving a number widens it to unbounded (Cousot and Cousot's widening), so the
//! fixed point is reached in a few rounds. Conditions on branches narrow the state they lead to
//! (`trust >= 3` holds on the branch it guards), and branches whose condition cannot hold are
//! never taken.
//!
//! On that over-approximation, two things are proven:
//! - **a way on**: no reachable point is a dead end (a node with nowhere to go, or choices that
//!   can all be closed with nothing after them). A choice menu's conditions are checked together
//!   on every combination of the values that decide them (`teacup` / `!teacup` covers every
//!   case), so no false alarm comes from reading them one at a time;
//! - **an ending in reach**: from every reachable point an ending can still be reached, whatever
//!   the state (the points that can are a least fixed point: an ending; a decision with an
//!   option that is always offered and leads to such a point, or whose every possible option
//!   does; any other point whose every possible successor does). A loop the player cannot leave,
//!   or can leave only on a condition the proof cannot vouch for, stays open.
//!
//! What is proven holds for every playthrough and every seed (random picks are branches here).
//! What is not proven is listed with its node: it may be a real soft-lock, or a guard too subtle
//! for intervals; `explore`'s concrete search then looks for a witness.

use std::collections::BTreeSet;

use super::abstraction::{Item, for_each_cond_and_effect};
use super::expr::{CmpOp, Cond, Effect, Env, Num, Txt, Value, compare};
use super::model::{Op, Story};

/// Most distinct words a text is tracked with before it counts as "any".
const TEXTS: usize = 16;
/// How often a point's state may grow before its growing numbers are widened to unbounded.
const WIDEN_AFTER: u32 = 6;
/// Most combinations of deciding values a choice menu is checked on one by one.
const COMBINATIONS: usize = 1 << 16;

/// What the proof found.
#[derive(Debug, Clone)]
pub struct Proof {
    /// Both halves hold: no reachable dead end, and an ending in reach from every point.
    pub proven: bool,
    /// Reachable points that may be a dead end: the node id and why.
    pub dead_ends: Vec<(String, String)>,
    /// Nodes with a reachable point from which an ending may be out of reach.
    pub unproven: Vec<String>,
    /// Decision points (choice menus and letters) reachable, all checked.
    pub decisions: usize,
    /// Program points reachable.
    pub points: usize,
    /// Per variable: every value a playthrough can give it, as a sound bound (a superset).
    pub ranges: Vec<String>,
}

/// An abstract value: a set of concrete values of one type.
#[derive(Debug, Clone, PartialEq)]
enum AVal {
    /// Every number in `lo..=hi` (`i64::MIN` / `i64::MAX` when unbounded).
    Num(i64, i64),
    /// Whether false, and whether true, are possible.
    Flag(bool, bool),
    /// Whether unknown, and whether known, are possible; and the words it can hold when known
    /// (`None`: any).
    Fact(bool, bool, Option<BTreeSet<String>>),
    /// The words it can hold (`None`: any).
    Text(Option<BTreeSet<String>>),
}

fn union(a: &Option<BTreeSet<String>>, b: &Option<BTreeSet<String>>) -> Option<BTreeSet<String>> {
    match (a, b) {
        (Some(x), Some(y)) => {
            let u: BTreeSet<String> = x.union(y).cloned().collect();
            (u.len() <= TEXTS).then_some(u)
        }
        _ => None,
    }
}

impl AVal {
    fn of(v: &Value) -> AVal {
        match v {
            Value::Number(n) => AVal::Num(*n, *n),
            Value::Flag(b) => AVal::Flag(!b, *b),
            Value::Fact(None) => AVal::Fact(true, false, Some(BTreeSet::new())),
            Value::Fact(Some(t)) => AVal::Fact(false, true, Some(BTreeSet::from([t.clone()]))),
            Value::Text(t) => AVal::Text(Some(BTreeSet::from([t.clone()]))),
        }
    }

    fn join(&self, o: &AVal) -> AVal {
        match (self, o) {
            (AVal::Num(a, b), AVal::Num(c, d)) => AVal::Num(*a.min(c), *b.max(d)),
            (AVal::Flag(a, b), AVal::Flag(c, d)) => AVal::Flag(*a || *c, *b || *d),
            (AVal::Fact(a, b, x), AVal::Fact(c, d, y)) => {
                AVal::Fact(*a || *c, *b || *d, union(x, y))
            }
            (AVal::Text(x), AVal::Text(y)) => AVal::Text(union(x, y)),
            (a, _) => a.clone(),
        }
    }

    /// Widening: a bound that grew goes to infinity.
    fn widen(&self, newer: &AVal) -> AVal {
        match (self, newer) {
            (AVal::Num(a, b), AVal::Num(c, d)) => AVal::Num(
                if c < a { i64::MIN } else { *a },
                if d > b { i64::MAX } else { *b },
            ),
            _ => newer.clone(),
        }
    }

    /// The few concrete values that stand for all of this one in the given comparisons: the
    /// ends, and each constant and its neighbours inside the interval. `None` when it cannot
    /// be enumerated (any text).
    fn samples(&self, consts: &[i64]) -> Option<Vec<Value>> {
        match self {
            AVal::Num(lo, hi) => {
                let mut v: Vec<i64> = vec![*lo, *hi];
                for &c in consts {
                    for x in [c.saturating_sub(1), c, c.saturating_add(1)] {
                        if (*lo..=*hi).contains(&x) {
                            v.push(x);
                        }
                    }
                }
                v.sort_unstable();
                v.dedup();
                Some(v.into_iter().map(Value::Number).collect())
            }
            AVal::Flag(f, t) => {
                let mut v = Vec::new();
                if *f {
                    v.push(Value::Flag(false));
                }
                if *t {
                    v.push(Value::Flag(true));
                }
                Some(v)
            }
            AVal::Fact(unknown, known, words) => {
                let mut v = Vec::new();
                if *unknown {
                    v.push(Value::Fact(None));
                }
                if *known {
                    match words {
                        Some(w) if !w.is_empty() => {
                            v.extend(w.iter().map(|t| Value::Fact(Some(t.clone()))));
                        }
                        Some(_) => v.push(Value::Fact(Some(String::new()))),
                        None => return None,
                    }
                }
                Some(v)
            }
            AVal::Text(words) => Some(words.as_ref()?.iter().cloned().map(Value::Text).collect()),
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            AVal::Num(lo, hi) => lo > hi,
            AVal::Flag(f, t) => !f && !t,
            AVal::Fact(u, k, _) => !u && !k,
            AVal::Text(w) => w.as_ref().is_some_and(BTreeSet::is_empty),
        }
    }
}

/// Certainly, possibly, never: as two bits (possible, certain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tri {
    may: bool,
    must: bool,
}

const NEVER: Tri = Tri {
    may: false,
    must: false,
};
const SURELY: Tri = Tri {
    may: true,
    must: true,
};

impl Tri {
    fn join(self, o: Tri) -> Tri {
        Tri {
            may: self.may || o.may,
            must: self.must && o.must,
        }
    }
}

/// Every concrete state possible at one point.
#[derive(Debug, Clone, PartialEq)]
struct AState {
    vars: Vec<AVal>,
    /// Per node that some condition reads (`watch`), whether it has been entered; other nodes
    /// are not tracked (a story of 100,000 nodes would otherwise carry them all at every op).
    seen: Vec<Tri>,
    watch: Watch,
    wrote: Vec<Tri>,
    chapter: (i64, i64),
}

/// Which nodes are tracked, and where: per node, its slot in `AState::seen` (`u32::MAX`: not
/// read by any condition, so not tracked). Shared by every state; equal by construction.
#[derive(Debug, Clone)]
struct Watch(std::sync::Arc<Vec<u32>>);

impl PartialEq for Watch {
    fn eq(&self, _: &Watch) -> bool {
        true
    }
}

impl Watch {
    fn slot(&self, node: usize) -> Option<usize> {
        self.0
            .get(node)
            .filter(|&&i| i != u32::MAX)
            .map(|&i| i as usize)
    }
}

impl AState {
    /// Whether a node has been entered: unknown for a node no condition reads.
    fn seen_of(&self, node: usize) -> Tri {
        match self.watch.slot(node) {
            Some(i) => self.seen[i],
            None => Tri {
                may: true,
                must: false,
            },
        }
    }

    fn enter(&mut self, node: usize) {
        if let Some(i) = self.watch.slot(node) {
            self.seen[i] = SURELY;
        }
    }

    fn join(&self, o: &AState) -> AState {
        AState {
            watch: self.watch.clone(),
            vars: self
                .vars
                .iter()
                .zip(&o.vars)
                .map(|(a, b)| a.join(b))
                .collect(),
            seen: self
                .seen
                .iter()
                .zip(&o.seen)
                .map(|(a, b)| a.join(*b))
                .collect(),
            wrote: self
                .wrote
                .iter()
                .zip(&o.wrote)
                .map(|(a, b)| a.join(*b))
                .collect(),
            chapter: (
                self.chapter.0.min(o.chapter.0),
                self.chapter.1.max(o.chapter.1),
            ),
        }
    }

    fn widen(&self, newer: &AState) -> AState {
        AState {
            vars: self
                .vars
                .iter()
                .zip(&newer.vars)
                .map(|(a, b)| a.widen(b))
                .collect(),
            ..newer.clone()
        }
    }

    fn num(&self, n: &Num) -> (i64, i64) {
        match n {
            Num::Const(k) => (*k, *k),
            Num::Var(s) => match &self.vars[*s] {
                AVal::Num(lo, hi) => (*lo, *hi),
                _ => (0, 0),
            },
            Num::Visits(node) => {
                let t = self.seen_of(*node);
                (i64::from(t.must), if t.may { i64::MAX } else { 0 })
            }
            Num::Chapter => self.chapter,
            Num::Add(ab) => {
                let (a, b) = (self.num(&ab.0), self.num(&ab.1));
                (a.0.saturating_add(b.0), a.1.saturating_add(b.1))
            }
            Num::Sub(ab) => {
                let (a, b) = (self.num(&ab.0), self.num(&ab.1));
                (a.0.saturating_sub(b.1), a.1.saturating_sub(b.0))
            }
            Num::Mul(ab) => {
                let (a, b) = (self.num(&ab.0), self.num(&ab.1));
                let p = [
                    a.0.saturating_mul(b.0),
                    a.0.saturating_mul(b.1),
                    a.1.saturating_mul(b.0),
                    a.1.saturating_mul(b.1),
                ];
                (*p.iter().min().unwrap_or(&0), *p.iter().max().unwrap_or(&0))
            }
            Num::Neg(a) => {
                let (lo, hi) = self.num(a);
                (hi.saturating_neg(), lo.saturating_neg())
            }
        }
    }

    fn txt(&self, t: &Txt) -> Option<BTreeSet<String>> {
        match t {
            Txt::Const(s) => Some(BTreeSet::from([s.clone()])),
            Txt::Var(s) => match &self.vars[*s] {
                AVal::Text(w) => w.clone(),
                AVal::Fact(unknown, _, w) => {
                    let mut w = w.clone()?;
                    if *unknown {
                        w.insert(String::new());
                    }
                    Some(w)
                }
                _ => None,
            },
        }
    }

    /// Whether the condition can be true, and whether it can be false, one reading at a time.
    fn cond(&self, c: &Cond) -> (bool, bool) {
        match c {
            Cond::Const(b) => (*b, !b),
            Cond::Flag(s) => match &self.vars[*s] {
                AVal::Flag(f, t) => (*t, *f),
                _ => (true, true),
            },
            Cond::Known(s) => match &self.vars[*s] {
                AVal::Fact(u, k, _) => (*k, *u),
                _ => (true, true),
            },
            Cond::Not(c) => {
                let (t, f) = self.cond(c);
                (f, t)
            }
            Cond::And(a, b) => {
                let (at, af) = self.cond(a);
                let (bt, bf) = self.cond(b);
                (at && bt, af || bf)
            }
            Cond::Or(a, b) => {
                let (at, af) = self.cond(a);
                let (bt, bf) = self.cond(b);
                (at || bt, af && bf)
            }
            Cond::CmpNum(op, a, b) => {
                let (a, b) = (self.num(a), self.num(b));
                let (mut t, mut f) = (false, false);
                // Enough to decide on the intervals' ends and where they meet.
                for x in [a.0, a.1, b.0.clamp(a.0, a.1), b.1.clamp(a.0, a.1)] {
                    for y in [b.0, b.1, x.clamp(b.0, b.1)] {
                        if compare(*op, x, y) {
                            t = true;
                        } else {
                            f = true;
                        }
                    }
                }
                (t, f)
            }
            Cond::CmpText(op, ab) => match (self.txt(&ab.0), self.txt(&ab.1)) {
                (Some(x), Some(y)) => {
                    let (mut t, mut f) = (false, false);
                    for a in &x {
                        for b in &y {
                            if (a == b) == (*op == CmpOp::Eq) {
                                t = true;
                            } else {
                                f = true;
                            }
                        }
                    }
                    (t, f)
                }
                _ => (true, true),
            },
            Cond::CmpFlag(op, a, b) => {
                let (at, af) = self.cond(a);
                let (bt, bf) = self.cond(b);
                let same = (at && bt) || (af && bf);
                let differ = (at && bf) || (af && bt);
                if *op == CmpOp::Eq {
                    (same, differ)
                } else {
                    (differ, same)
                }
            }
            Cond::Seen(n) => {
                let t = self.seen_of(*n);
                (t.may, !t.must)
            }
            Cond::Wrote(l) => (self.wrote[*l].may, !self.wrote[*l].must),
        }
    }

    /// The part of this state where the condition has the given value; `None` when there is
    /// none. Narrows what simple guards say (`x >= k`, flags, facts, seen); leaves the rest.
    fn narrow(&self, c: &Cond, holds: bool) -> Option<AState> {
        let (t, f) = self.cond(c);
        if (holds && !t) || (!holds && !f) {
            return None;
        }
        let mut s = self.clone();
        match c {
            Cond::Not(inner) => return self.narrow(inner, !holds),
            Cond::And(a, b) if holds => return self.narrow(a, true)?.narrow(b, true),
            Cond::Or(a, b) if !holds => return self.narrow(a, false)?.narrow(b, false),
            Cond::Flag(slot) => s.vars[*slot] = AVal::Flag(!holds, holds),
            Cond::Known(slot) => {
                if let AVal::Fact(u, k, w) = &s.vars[*slot] {
                    s.vars[*slot] = AVal::Fact(*u && !holds, *k && holds, w.clone());
                }
            }
            Cond::Seen(n) => {
                if let Some(i) = s.watch.slot(*n) {
                    if holds {
                        s.seen[i].must = true;
                    } else {
                        s.seen[i].may = false;
                    }
                }
            }
            Cond::CmpNum(op, Num::Var(slot), k) | Cond::CmpNum(op, k, Num::Var(slot)) => {
                let flipped = !matches!(c, Cond::CmpNum(_, Num::Var(_), _));
                let (klo, khi) = s.num(k);
                if klo == khi
                    && let AVal::Num(lo, hi) = s.vars[*slot]
                {
                    let mut op = if flipped { op.flipped() } else { *op };
                    if !holds {
                        op = op.negated();
                    }
                    let (lo, hi) = match op {
                        CmpOp::Ge => (lo.max(klo), hi),
                        CmpOp::Gt => (lo.max(klo.saturating_add(1)), hi),
                        CmpOp::Le => (lo, hi.min(klo)),
                        CmpOp::Lt => (lo, hi.min(klo.saturating_sub(1))),
                        CmpOp::Eq => (lo.max(klo), hi.min(klo)),
                        CmpOp::Ne => (lo, hi),
                    };
                    s.vars[*slot] = AVal::Num(lo, hi);
                }
            }
            _ => {}
        }
        (!s.vars.iter().any(AVal::is_empty)).then_some(s)
    }

    fn apply(&mut self, e: &Effect) {
        match e {
            Effect::SetNum(slot, n) => {
                self.vars[*slot] = {
                    let (lo, hi) = self.num(n);
                    AVal::Num(lo, hi)
                }
            }
            Effect::AddNum(slot, n) => {
                let (a, b) = self.num(n);
                if let AVal::Num(lo, hi) = self.vars[*slot] {
                    self.vars[*slot] = AVal::Num(lo.saturating_add(a), hi.saturating_add(b));
                }
            }
            Effect::SetFlag(slot, c) => {
                let (t, f) = self.cond(c);
                self.vars[*slot] = AVal::Flag(f, t);
            }
            Effect::SetText(slot, t) => self.vars[*slot] = AVal::Text(self.txt(t)),
            Effect::Remember(slot, t) => {
                let words = match t {
                    Some(t) => self.txt(t),
                    // `remember fact` keeps the words it already had, or the declared ones.
                    None => match &self.vars[*slot] {
                        AVal::Fact(_, _, w) => w.clone(),
                        _ => None,
                    },
                };
                self.vars[*slot] = AVal::Fact(false, true, words);
            }
            Effect::Forget(slot) => {
                let words = match &self.vars[*slot] {
                    AVal::Fact(_, _, w) => w.clone(),
                    _ => None,
                };
                self.vars[*slot] = AVal::Fact(true, false, words);
            }
        }
    }

    /// Whether some condition of the list holds in every concrete state here: checked on every
    /// combination of the values that decide them (few, for real menus), or `false` when there
    /// are too many to try.
    fn some_always_holds(&self, conds: &[&Cond]) -> bool {
        let mut reads = Vec::new();
        let mut nodes = Vec::new();
        let mut consts = Vec::new();
        for c in conds {
            c.reads(&mut reads);
            c.nodes(&mut nodes);
            collect_consts(c, &mut consts);
        }
        reads.sort_unstable();
        reads.dedup();
        nodes.sort_unstable();
        nodes.dedup();
        let mut axes: Vec<(Axis, Vec<Value>)> = Vec::new();
        for &slot in &reads {
            let Some(values) = self.vars[slot].samples(&consts) else {
                return false;
            };
            axes.push((Axis::Var(slot), values));
        }
        for &n in &nodes {
            let t = self.seen_of(n);
            let mut v = Vec::new();
            if !t.must {
                v.push(Value::Number(0));
            }
            if t.may {
                v.push(Value::Number(1));
            }
            axes.push((Axis::Seen(n), v));
        }
        let total = axes
            .iter()
            .try_fold(1usize, |acc, (_, v)| acc.checked_mul(v.len().max(1)));
        if total.is_none_or(|t| t > COMBINATIONS) {
            return false;
        }
        // Conditions reading what the samples do not cover (counts, letters) are decided on
        // the intervals alone.
        let mut env = Sample {
            state: self,
            vars: self
                .vars
                .iter()
                .map(|v| match v {
                    AVal::Num(lo, _) => Value::Number(*lo),
                    _ => Value::Flag(false),
                })
                .collect(),
            visits: vec![0; self.seen.len()],
        };
        let exotic = conds.iter().any(|c| reads_counts(c));
        if exotic {
            return conds.iter().any(|c| {
                let (t, f) = self.cond(c);
                t && !f
            });
        }
        let mut index = vec![0usize; axes.len()];
        loop {
            for ((axis, values), &i) in axes.iter().zip(&index) {
                if let Some(v) = values.get(i) {
                    match axis {
                        Axis::Var(s) => env.vars[*s] = v.clone(),
                        Axis::Seen(n) => {
                            env.visits[*n] = u32::from(matches!(v, Value::Number(1)));
                        }
                    }
                }
            }
            if !conds.iter().any(|c| c.eval(&env)) {
                return false;
            }
            // The next combination, odometer-style.
            let mut k = 0;
            loop {
                if k == axes.len() {
                    return true;
                }
                index[k] += 1;
                if index[k] < axes[k].1.len() {
                    break;
                }
                index[k] = 0;
                k += 1;
            }
        }
    }
}

enum Axis {
    Var(usize),
    Seen(usize),
}

/// One concrete state drawn from an abstract one, to evaluate conditions exactly.
struct Sample<'a> {
    state: &'a AState,
    vars: Vec<Value>,
    visits: Vec<u32>,
}

impl Env for Sample<'_> {
    fn var(&self, slot: usize) -> &Value {
        &self.vars[slot]
    }
    fn visits(&self, node: usize) -> u32 {
        self.visits[node]
    }
    fn chapter(&self) -> i64 {
        self.state.chapter.0
    }
    fn wrote(&self, letter: usize) -> bool {
        self.state.wrote[letter].must
    }
}

/// Whether a condition reads what samples cannot stand for: visit counts, the chapter, letters.
fn reads_counts(c: &Cond) -> bool {
    fn num(n: &Num) -> bool {
        match n {
            Num::Visits(_) | Num::Chapter => true,
            Num::Const(_) | Num::Var(_) => false,
            Num::Add(ab) | Num::Sub(ab) | Num::Mul(ab) => num(&ab.0) || num(&ab.1),
            Num::Neg(a) => num(a),
        }
    }
    match c {
        Cond::Wrote(_) => true,
        Cond::Not(c) => reads_counts(c),
        Cond::And(a, b) | Cond::Or(a, b) | Cond::CmpFlag(_, a, b) => {
            reads_counts(a) || reads_counts(b)
        }
        Cond::CmpNum(_, a, b) => num(a) || num(b),
        _ => false,
    }
}

fn collect_consts(c: &Cond, out: &mut Vec<i64>) {
    fn num(n: &Num, out: &mut Vec<i64>) {
        match n {
            Num::Const(k) => out.push(*k),
            Num::Neg(a) => {
                if let Num::Const(k) = **a {
                    out.push(-k);
                }
                num(a, out);
            }
            Num::Add(ab) | Num::Sub(ab) | Num::Mul(ab) => {
                num(&ab.0, out);
                num(&ab.1, out);
            }
            _ => {}
        }
    }
    match c {
        Cond::Not(c) => collect_consts(c, out),
        Cond::And(a, b) | Cond::Or(a, b) | Cond::CmpFlag(_, a, b) => {
            collect_consts(a, out);
            collect_consts(b, out);
        }
        Cond::CmpNum(_, a, b) => {
            num(a, out);
            num(b, out);
        }
        _ => {}
    }
}

/// Where one op can lead: (target, the state there), for the states given.
fn step(story: &Story, pc: usize, s: &AState, comebacks: &[usize], out: &mut Vec<(usize, AState)>) {
    out.clear();
    let mut go = |to: usize, st: Option<AState>| {
        if let Some(st) = st {
            out.push((to, st));
        }
    };
    match &story.ops[pc] {
        Op::Enter(node, chapter, gate) => {
            let mut s = s.clone();
            let number = story.chapters[*chapter as usize].number as i64;
            s.chapter = (number, number);
            match gate.as_deref() {
                Some((cond, target)) => {
                    let mut passed = s.narrow(cond, true);
                    if let Some(p) = &mut passed {
                        p.enter(*node as usize);
                    }
                    go(pc + 1, passed);
                    let mut failed = s.narrow(cond, false);
                    if let Some(f) = &mut failed
                        && let Some(i) = f.watch.slot(*node as usize)
                    {
                        f.seen[i].may = true;
                    }
                    go(story.nodes[*target].entry, failed);
                }
                None => {
                    s.enter(*node as usize);
                    go(pc + 1, Some(s));
                }
            }
        }
        Op::Line(_) | Op::Scene(_) | Op::Pause(_) | Op::ShowLetter(_) => {
            go(pc + 1, Some(s.clone()))
        }
        Op::Group(g) => {
            let group = &story.groups[*g];
            for v in &group.variants {
                let st = match &v.when {
                    Some(w) => s.narrow(&w.cond, true),
                    None => Some(s.clone()),
                };
                go(v.entry, st);
            }
            go(group.after, Some(s.clone()));
        }
        Op::JumpUnless(c, target) => {
            go(pc + 1, s.narrow(c, true));
            go(*target, s.narrow(c, false));
        }
        Op::Jump(t) => go(*t, Some(s.clone())),
        Op::Goto(_, entry) | Op::Detour(_, entry) => go(*entry as usize, Some(s.clone())),
        Op::Return => {
            for &c in comebacks {
                go(c, Some(s.clone()));
            }
        }
        Op::Effects(a, b) => {
            let mut s = s.clone();
            for e in story.effect_list(*a, *b) {
                s.apply(e);
            }
            go(pc + 1, Some(s));
        }
        &Op::AddConst(slot, k) => {
            let mut s = s.clone();
            s.apply(&Effect::AddNum(slot as usize, Num::Const(k)));
            go(pc + 1, Some(s));
        }
        Op::Letter(l) => {
            // One fragment per paragraph, any of them (the runtime offers the first when no
            // condition holds).
            let mut s = s.clone();
            for p in &story.letters[*l].paragraphs {
                let mut joined: Option<AState> = None;
                for frag in &p.fragments {
                    let mut t = s.clone();
                    for e in &frag.effects {
                        t.apply(e);
                    }
                    joined = Some(match joined {
                        Some(j) => j.join(&t),
                        None => t,
                    });
                }
                if let Some(j) = joined {
                    s = j;
                }
            }
            s.wrote[*l] = SURELY;
            go(pc + 1, Some(s));
        }
        Op::Choices(set) => {
            let choices = story.choice_set(set.set as usize);
            for c in choices {
                let st = match &c.when {
                    Some(w) => s.narrow(w, true),
                    None => Some(s.clone()),
                };
                go(c.entry, st);
            }
            if !always_offers(s, choices) {
                go(pc + 1, Some(s.clone()));
            }
        }
        Op::End(_) | Op::DeadEnd(_) => {}
    }
}

/// Whether a menu offers something in every state here: some choice that is never used up
/// (`once` ones can be) whose condition, read together with the others', always holds.
fn always_offers(s: &AState, choices: &[super::model::Choice]) -> bool {
    let lasting: Vec<&super::model::Choice> = choices.iter().filter(|c| !c.once).collect();
    if lasting.iter().any(|c| c.when.is_none()) {
        return true;
    }
    let conds: Vec<&Cond> = lasting.iter().filter_map(|c| c.when.as_ref()).collect();
    !conds.is_empty() && s.some_always_holds(&conds)
}

/// Proves, for every playthrough, that the story never leaves the player stuck and that an
/// ending stays in reach (see the module's introduction). Runs in time linear in the program
/// for each of a few rounds.
pub fn prove(story: &Story) -> Proof {
    let n = story.ops.len();
    let comebacks: Vec<usize> = (0..n)
        .filter(|&p| matches!(story.ops[p], Op::Detour(..)))
        .map(|p| p + 1)
        .collect();
    // The nodes some condition reads (by `seen` or a visit count): the only ones tracked.
    let mut watched = Vec::new();
    for_each_cond_and_effect(story, &mut |item| match item {
        Item::Cond(c) | Item::Effect(Effect::SetFlag(_, c)) => c.nodes(&mut watched),
        _ => {}
    });
    watched.sort_unstable();
    watched.dedup();
    let mut watch_ix = vec![u32::MAX; story.nodes.len()];
    for (i, &n) in watched.iter().enumerate() {
        watch_ix[n] = i as u32;
    }
    let start = AState {
        vars: story
            .variables
            .iter()
            .map(|v| AVal::of(&v.default))
            .collect(),
        seen: vec![NEVER; watched.len()],
        watch: Watch(std::sync::Arc::new(watch_ix)),
        wrote: vec![NEVER; story.letters.len()],
        chapter: (0, 0),
    };
    let mut states: Vec<Option<AState>> = vec![None; n];
    let mut grown = vec![0u32; n];
    let mut queued = vec![false; n];
    // Lowest point first: the program runs mostly forwards, so each point is usually reached
    // with everything that flows into it already joined, and processed once or twice.
    let mut work = std::collections::BinaryHeap::new();
    let entry = story.nodes[story.start].entry;
    states[entry] = Some(start);
    work.push(std::cmp::Reverse(entry));
    queued[entry] = true;
    let mut next = Vec::new();
    while let Some(std::cmp::Reverse(pc)) = work.pop() {
        queued[pc] = false;
        let Some(s) = states[pc].clone() else {
            continue;
        };
        step(story, pc, &s, &comebacks, &mut next);
        for (to, st) in next.drain(..) {
            if to >= n {
                continue;
            }
            let merged = match &states[to] {
                None => st,
                Some(old) => {
                    let j = old.join(&st);
                    if j == *old {
                        continue;
                    }
                    grown[to] += 1;
                    if grown[to] > WIDEN_AFTER {
                        old.widen(&j)
                    } else {
                        j
                    }
                }
            };
            states[to] = Some(merged);
            if !std::mem::replace(&mut queued[to], true) {
                work.push(std::cmp::Reverse(to));
            }
        }
    }

    // Dead ends: a reachable point with nowhere to go. The node owning an op is the one whose
    // program starts last at or before it.
    let mut owners = vec![0usize; n];
    for (node, range) in story.node_ranges().into_iter().enumerate() {
        for pc in range {
            owners[pc] = node;
        }
    }
    let owner = |pc: usize| story.nodes[owners[pc]].id.clone();
    let mut proof = Proof {
        proven: true,
        dead_ends: Vec::new(),
        unproven: Vec::new(),
        decisions: 0,
        points: 0,
        ranges: Vec::new(),
    };
    for (pc, s) in states.iter().enumerate() {
        let Some(_) = s else { continue };
        proof.points += 1;
        match &story.ops[pc] {
            Op::DeadEnd(_) => proof.dead_ends.push((
                owner(pc),
                "the node can end with nowhere to go (no choice held, no `next`)".into(),
            )),
            Op::Choices(_) | Op::Letter(_) => proof.decisions += 1,
            _ => {}
        }
    }

    // An ending in reach: the least fixed point, as described above, by a worklist over
    // the points' predecessors (linear in the program): a point is safe once every one of its
    // possible successors is, or (a menu) once one option that is always offered leads to a
    // safe point.
    let mut safe = vec![false; n];
    let mut waiting = vec![0usize; n];
    let mut strong: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut ready = Vec::new();
    for pc in 0..n {
        let Some(s) = &states[pc] else { continue };
        step(story, pc, s, &comebacks, &mut next);
        let mut succ: Vec<usize> = next.iter().map(|(to, _)| *to).filter(|&t| t < n).collect();
        succ.sort_unstable();
        succ.dedup();
        match &story.ops[pc] {
            Op::End(_) => ready.push(pc),
            Op::DeadEnd(_) => continue,
            Op::Choices(set) => {
                strong[pc] = story
                    .choice_set(set.set as usize)
                    .iter()
                    .filter(|c| {
                        !c.once
                            && c.when.as_ref().is_none_or(|w| {
                                let (t, f) = s.cond(w);
                                t && !f
                            })
                    })
                    .map(|c| c.entry)
                    .collect();
            }
            _ => {}
        }
        if succ.is_empty() {
            continue;
        }
        waiting[pc] = succ.len();
        for t in succ {
            preds[t].push(pc);
        }
    }
    while let Some(pc) = ready.pop() {
        if std::mem::replace(&mut safe[pc], true) {
            continue;
        }
        for &p in &preds[pc] {
            if safe[p] {
                continue;
            }
            waiting[p] -= 1;
            if waiting[p] == 0 || strong[p].contains(&pc) {
                ready.push(p);
            }
        }
    }
    let mut unproven: Vec<String> = (0..n)
        .filter(|&pc| states[pc].is_some() && !safe[pc])
        .filter(|&pc| !matches!(story.ops[pc], Op::DeadEnd(_)))
        .map(owner)
        .collect();
    unproven.dedup();
    unproven.sort();
    unproven.dedup();
    proof.unproven = unproven;
    proof.proven = proof.dead_ends.is_empty() && proof.unproven.is_empty();

    // Ranges: everything any reachable point holds.
    let mut all: Option<Vec<AVal>> = None;
    for s in states.iter().flatten() {
        all = Some(match all {
            None => s.vars.clone(),
            Some(a) => a.iter().zip(&s.vars).map(|(x, y)| x.join(y)).collect(),
        });
    }
    proof.ranges = all
        .unwrap_or_default()
        .iter()
        .map(|v| match v {
            AVal::Num(lo, hi) => {
                let end = |x: i64| match x {
                    i64::MIN => "-inf".to_owned(),
                    i64::MAX => "inf".to_owned(),
                    x => x.to_string(),
                };
                format!("{} to {}", end(*lo), end(*hi))
            }
            AVal::Flag(f, t) => match (f, t) {
                (true, true) => "false or true".into(),
                (true, false) => "always false".into(),
                _ => "always true".into(),
            },
            AVal::Fact(u, k, _) => match (u, k) {
                (true, true) => "unknown or known".into(),
                (true, false) => "never known".into(),
                _ => "always known".into(),
            },
            AVal::Text(Some(w)) => format!("{w:?}"),
            AVal::Text(None) => "any text".into(),
        })
        .collect();
    proof
}
