//! What of a playthrough's state can still change where the story goes, at each point of its
//! program: the abstraction `explore` merges states by, so that its search can be exhaustive on a
//! real story and still sound (two merged states have the same future, choice for choice).
//!
//! Three rules, each a classic static analysis over the compiled program (its ops and their
//! successors, as `validate::successors` gives them), iterated to a fixed point:
//! - **Live variables** (backward dataflow): a variable that no later condition reads before it
//!   is set again cannot change the future, so states that differ only there are merged.
//! - **Threshold classes**: a number only ever compared with constants and moved by constants
//!   (`trust >= 3`, `trust += 1`) matters only up to the point where no later comparison can tell
//!   two values apart. Below the lowest threshold ahead, minus the most it can still rise, every
//!   value acts alike; so does every value above the highest threshold plus the most it can still
//!   fall. Values are clamped to those two edges. A rise inside a loop is unbounded: then that
//!   side is not clamped at all.
//! - **Known facts**: a memory only ever tested with `known(...)` matters as known or not; its
//!   words reach the text, never the path.
//!
//! Text never decides the path: which lines, choices and endings are reached depends on
//! conditions, so what interpolations print is left out. Visit counts matter as "seen or not"
//! unless some condition counts them; `once` choices matter as taken or not.

use std::hash::{Hash, Hasher};

use super::expr::{Cond, Effect, Num, Txt, Value, VarType};
use super::model::{Op, Story};
use super::runtime::StoryState;

/// How a variable is read, over the whole story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Its exact value can matter.
    Exact,
    /// A fact only tested with `known(...)`.
    Known,
    /// A number only compared with constants and moved by constants.
    Threshold,
}

/// For one threshold number at one point of the program, the two edges beyond which its values
/// act alike from here on: every value at or below `low` stays below every constant it is
/// compared with ahead, whatever path is taken and however it moves first (and every value at or
/// above `high` stays above). `NO_LOW`/`NO_HIGH` when no comparison lies ahead; `i64::MIN` /
/// `i64::MAX` as `low` / `high` when a loop can move it without bound (no merging on that side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    low: i64,
    high: i64,
}

const NO_LOW: i64 = i64::MAX;
const NO_HIGH: i64 = i64::MIN;
const NO_BOUNDS: Bounds = Bounds {
    low: NO_LOW,
    high: NO_HIGH,
};

/// For one threshold number over the whole story: the edges no path without a loop can pass
/// (its constants, widened by the sum of all its moves); an edge beyond them comes from a loop.
#[derive(Debug, Clone, Copy)]
struct Limits {
    floor: i64,
    ceiling: i64,
}

impl Bounds {
    /// Either of two futures (a branch).
    fn either(self, o: Bounds) -> Bounds {
        Bounds {
            low: self.low.min(o.low),
            high: self.high.max(o.high),
        }
    }

    fn compared(&mut self, c: i64) {
        self.low = self.low.min(c.saturating_sub(1));
        self.high = self.high.max(c.saturating_add(1));
    }

    /// Backwards over `x += by`: a value `x` here is `x + by` after.
    fn moved(&mut self, by: i64, limits: Limits) {
        if self.low != NO_LOW && self.low != i64::MIN {
            self.low = match self.low.checked_sub(by) {
                Some(v) if v >= limits.floor => v,
                _ => i64::MIN,
            };
        }
        if self.high != NO_HIGH && self.high != i64::MAX {
            self.high = match self.high.checked_sub(by) {
                Some(v) if v <= limits.ceiling => v,
                _ => i64::MAX,
            };
        }
    }

    /// Backwards over `x += <something not constant>`: no edge holds before it.
    fn unbounded(&mut self) {
        if self.low != NO_LOW {
            self.low = i64::MIN;
        }
        if self.high != NO_HIGH {
            self.high = i64::MAX;
        }
    }

    /// The value's class representative: clamped to the edges. `None` when no comparison lies
    /// ahead (the value cannot matter).
    fn clamp(&self, v: i64) -> Option<i64> {
        if self.low == NO_LOW && self.high == NO_HIGH {
            return None;
        }
        Some(v.max(self.low).min(self.high))
    }
}

/// The analysis of one story: per op, what of the state can still matter from there.
pub struct Abstraction {
    kinds: Vec<Kind>,
    /// Words of a live set (one bit per variable).
    words: usize,
    /// Per op, `words` words: the variables live on entry.
    live: Vec<u64>,
    /// The threshold numbers, by variable slot.
    thresholds: Vec<usize>,
    /// Per variable slot, its index among `thresholds`.
    threshold_of: Vec<usize>,
    /// Per op, one `Bounds` per threshold number.
    bounds: Vec<Bounds>,
    /// Nodes some condition tests with `seen(...)`.
    seen_nodes: Vec<usize>,
    /// Nodes some condition counts (`visits(...)`).
    counted_nodes: Vec<usize>,
    /// The `once` choices (global indices).
    once: Vec<usize>,
}

/// Writes a `Hash` straight into bytes: the key is the abstract state itself, not a digest of
/// it, so two different states can never be merged by a collision.
struct KeyWriter<'a>(&'a mut Vec<u8>);

impl Hasher for KeyWriter<'_> {
    fn finish(&self) -> u64 {
        0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

impl Abstraction {
    /// Analyses the story: linear in its ops for each round, a few rounds for a story without
    /// loops, more where loops move numbers (bounded by the story's total of increments).
    pub fn new(story: &Story) -> Abstraction {
        let n_vars = story.variables.len();
        let mut kinds: Vec<Kind> = story
            .variables
            .iter()
            .map(|v| match v.ty {
                VarType::Number => Kind::Threshold,
                VarType::Fact => Kind::Known,
                _ => Kind::Exact,
            })
            .collect();
        let mut seen_nodes = Vec::new();
        let mut counted_nodes = Vec::new();
        let mut cap = vec![0u64; n_vars];
        let mut consts = vec![(i64::MAX, i64::MIN); n_vars];
        {
            let mut c = Classify {
                kinds: &mut kinds,
                seen: &mut seen_nodes,
                counted: &mut counted_nodes,
                cap: &mut cap,
                consts: &mut consts,
            };
            for_each_cond_and_effect(story, &mut |item| match item {
                Item::Cond(cond) => c.cond(cond),
                Item::Effect(e) => c.effect(e),
                Item::Add(slot, by) => c.cap[slot] = c.cap[slot].saturating_add(by.unsigned_abs()),
            });
        }
        seen_nodes.sort_unstable();
        seen_nodes.dedup();
        counted_nodes.sort_unstable();
        counted_nodes.dedup();
        let thresholds: Vec<usize> = (0..n_vars)
            .filter(|&s| kinds[s] == Kind::Threshold)
            .collect();
        let mut threshold_of = vec![usize::MAX; n_vars];
        for (k, &s) in thresholds.iter().enumerate() {
            threshold_of[s] = k;
        }
        let once = story
            .choices
            .iter()
            .filter(|c| c.once)
            .map(|c| c.global)
            .collect();
        let words = n_vars.div_ceil(64).max(1);
        let mut a = Abstraction {
            kinds,
            words,
            live: vec![0; story.ops.len() * words],
            thresholds,
            threshold_of,
            bounds: Vec::new(),
            seen_nodes,
            counted_nodes,
            once,
        };
        a.bounds = vec![NO_BOUNDS; story.ops.len() * a.thresholds.len()];
        let limits: Vec<Limits> = (0..n_vars)
            .map(|s| {
                let total = i64::try_from(cap[s]).unwrap_or(i64::MAX);
                Limits {
                    floor: consts[s].0.saturating_sub(1).saturating_sub(total),
                    ceiling: consts[s].1.saturating_add(1).saturating_add(total),
                }
            })
            .collect();
        a.solve(story, &limits);
        a
    }

    /// Iterates the backward equations to their fixed point.
    fn solve(&mut self, story: &Story, limits: &[Limits]) {
        let nt = self.thresholds.len();
        let words = self.words;
        let mut succ = Vec::new();
        let mut live = vec![0u64; words];
        let mut bounds = vec![NO_BOUNDS; nt];
        let comebacks: Vec<usize> = (0..story.ops.len())
            .filter(|&p| matches!(story.ops[p], Op::Detour(..)))
            .map(|p| p + 1)
            .collect();
        loop {
            let mut changed = false;
            for pc in (0..story.ops.len()).rev() {
                live.iter_mut().for_each(|w| *w = 0);
                bounds.iter_mut().for_each(|b| *b = NO_BOUNDS);
                // Context-insensitive detours: a detour leads to its node, and a `Return` to
                // where any detour comes back (the states' own detour stacks are in the key).
                match &story.ops[pc] {
                    Op::Detour(_, entry) => {
                        succ.clear();
                        succ.push((*entry as usize, false));
                    }
                    Op::Return => {
                        succ.clear();
                        succ.extend(comebacks.iter().map(|&p| (p, false)));
                    }
                    _ => super::validate::successors(story, pc, &mut succ),
                }
                for &(s, _) in &succ {
                    if s >= story.ops.len() {
                        continue;
                    }
                    for (w, from) in live.iter_mut().zip(&self.live[s * words..]) {
                        *w |= from;
                    }
                    for (b, from) in bounds.iter_mut().zip(&self.bounds[s * nt..]) {
                        *b = b.either(*from);
                    }
                }
                self.transfer(story, pc, &mut live, &mut bounds, limits);
                if live[..] != self.live[pc * words..(pc + 1) * words] {
                    self.live[pc * words..(pc + 1) * words].copy_from_slice(&live);
                    changed = true;
                }
                if bounds[..] != self.bounds[pc * nt..(pc + 1) * nt] {
                    self.bounds[pc * nt..(pc + 1) * nt].copy_from_slice(&bounds);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// What the op at `pc` does to the state that matters after it: what it reads becomes live,
    /// what it sets for certain is dead before it, what it moves moves the bounds.
    fn transfer(
        &self,
        story: &Story,
        pc: usize,
        live: &mut [u64],
        bounds: &mut [Bounds],
        limits: &[Limits],
    ) {
        let mut f = Flow {
            a: self,
            live,
            bounds,
            limits,
        };
        match &story.ops[pc] {
            Op::Enter(_, _, Some(gate)) => f.read(&gate.0),
            Op::JumpUnless(c, _) => f.read(c),
            Op::Group(g) => {
                for v in &story.groups[*g].variants {
                    if let Some(w) = &v.when {
                        f.read(&w.cond);
                    }
                }
            }
            Op::Choices(set) => {
                for c in story.choice_set(set.set as usize) {
                    if let Some(w) = &c.when {
                        f.read(w);
                    }
                }
            }
            Op::Effects(a, b) => {
                for e in story.effect_list(*a, *b).iter().rev() {
                    f.effect(e, true);
                }
            }
            Op::AddConst(slot, by) => f.add(*slot as usize, &Num::Const(*by)),
            Op::Letter(l) => {
                // Each paragraph offers its fragments: what a fragment does may or may not
                // happen, so nothing is dead for certain after it.
                for p in story.letters[*l].paragraphs.iter().rev() {
                    for frag in &p.fragments {
                        for e in frag.effects.iter().rev() {
                            f.effect(e, false);
                        }
                    }
                    for frag in &p.fragments {
                        if let Some(w) = &frag.when {
                            f.read(w);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Writes the abstract state: the control state (position, pending decision, detours,
    /// chapter, visits and `once` choices that matter, letters written) and every variable as
    /// its class at this point. Two states with the same key have the same future.
    pub fn key(&self, st: &StoryState, out: &mut Vec<u8>) {
        out.clear();
        let mut h = KeyWriter(out);
        st.hash_control(&mut h, &self.seen_nodes, &self.counted_nodes, &self.once);
        let nt = self.thresholds.len();
        let pc = st.pc();
        for (slot, value) in st.vars.iter().enumerate() {
            match self.kinds[slot] {
                Kind::Threshold => {
                    let b = self.bounds[pc * nt + self.threshold_of[slot]];
                    if let Value::Number(v) = value {
                        b.clamp(*v).hash(&mut h);
                    }
                }
                kind => {
                    if self.live[pc * self.words + slot / 64] & (1 << (slot % 64)) == 0 {
                        continue;
                    }
                    match (kind, value) {
                        (Kind::Known, Value::Fact(f)) => f.is_some().hash(&mut h),
                        _ => value.hash(&mut h),
                    }
                }
            }
        }
    }

    /// How many variables are kept exactly, as known-or-not, and as threshold classes (for
    /// `explore`'s report).
    pub fn summary(&self) -> (usize, usize, usize) {
        let count = |k| self.kinds.iter().filter(|x| **x == k).count();
        (
            count(Kind::Exact),
            count(Kind::Known),
            count(Kind::Threshold),
        )
    }
}

/// The backward transfer of one op.
struct Flow<'a> {
    a: &'a Abstraction,
    live: &'a mut [u64],
    bounds: &'a mut [Bounds],
    limits: &'a [Limits],
}

impl Flow<'_> {
    fn is_live(&self, slot: usize) -> bool {
        self.live[slot / 64] & (1 << (slot % 64)) != 0
    }
    fn set_live(&mut self, slot: usize) {
        self.live[slot / 64] |= 1 << (slot % 64);
    }
    fn kill(&mut self, slot: usize) {
        self.live[slot / 64] &= !(1 << (slot % 64));
    }
    fn threshold(&mut self, slot: usize) -> Option<&mut Bounds> {
        match self.a.kinds[slot] {
            Kind::Threshold => Some(&mut self.bounds[self.a.threshold_of[slot]]),
            _ => None,
        }
    }

    /// Whether the value the effect gives `slot` can matter later.
    fn needed(&mut self, slot: usize) -> bool {
        match self.threshold(slot) {
            Some(b) => b.clamp(0).is_some(),
            None => self.is_live(slot),
        }
    }

    fn read(&mut self, c: &Cond) {
        match c {
            Cond::Const(_) | Cond::Seen(_) | Cond::Wrote(_) => {}
            Cond::Flag(s) | Cond::Known(s) => self.set_live(*s),
            Cond::Not(c) => self.read(c),
            Cond::And(a, b) | Cond::Or(a, b) | Cond::CmpFlag(_, a, b) => {
                self.read(a);
                self.read(b);
            }
            Cond::CmpNum(_, a, b) => match var_against_constant(a, b) {
                Some((s, k)) if self.a.kinds[s] == Kind::Threshold => {
                    self.bounds[self.a.threshold_of[s]].compared(k);
                }
                _ => {
                    self.num(a);
                    self.num(b);
                }
            },
            Cond::CmpText(_, ab) => {
                self.txt(&ab.0);
                self.txt(&ab.1);
            }
        }
    }

    fn num(&mut self, n: &Num) {
        match n {
            // Classified exact wherever it appears outside a comparison with a constant.
            Num::Var(s) => self.set_live(*s),
            Num::Const(_) | Num::Visits(_) | Num::Chapter => {}
            Num::Add(ab) | Num::Sub(ab) | Num::Mul(ab) => {
                self.num(&ab.0);
                self.num(&ab.1);
            }
            Num::Neg(a) => self.num(a),
        }
    }

    fn txt(&mut self, t: &Txt) {
        if let Txt::Var(s) = t {
            self.set_live(*s);
        }
    }

    fn add(&mut self, slot: usize, by: &Num) {
        let limits = self.limits[slot];
        if let Some(b) = self.threshold(slot) {
            match constant(by) {
                Some(k) => b.moved(k, limits),
                None => b.unbounded(),
            }
        }
        if self.needed(slot) {
            self.num(by);
        }
    }

    /// An effect, backwards; `certain` when it always happens (not a fragment's, which the
    /// player may not pick).
    fn effect(&mut self, e: &Effect, certain: bool) {
        match e {
            Effect::AddNum(slot, by) => self.add(*slot, by),
            Effect::SetNum(slot, to) => {
                let needed = self.needed(*slot);
                if certain {
                    if let Some(b) = self.threshold(*slot) {
                        *b = NO_BOUNDS;
                    }
                    self.kill(*slot);
                }
                if needed {
                    self.num(to);
                }
            }
            Effect::SetFlag(slot, c) => {
                let needed = self.needed(*slot);
                if certain {
                    self.kill(*slot);
                }
                if needed {
                    self.read(c);
                }
            }
            Effect::SetText(slot, t) | Effect::Remember(slot, Some(t)) => {
                let needed = self.needed(*slot);
                if certain {
                    self.kill(*slot);
                }
                // A known-only fact's words never matter; an exact one's do.
                if needed && self.a.kinds[*slot] == Kind::Exact {
                    self.txt(t);
                }
            }
            Effect::Remember(slot, None) | Effect::Forget(slot) => {
                if certain {
                    self.kill(*slot);
                }
            }
        }
    }
}

/// The story-wide pass that decides each variable's kind.
struct Classify<'a> {
    kinds: &'a mut [Kind],
    seen: &'a mut Vec<usize>,
    counted: &'a mut Vec<usize>,
    cap: &'a mut [u64],
    /// Per variable, the lowest and highest constant it is compared with.
    consts: &'a mut [(i64, i64)],
}

impl Classify<'_> {
    fn cond(&mut self, c: &Cond) {
        match c {
            Cond::Const(_) | Cond::Flag(_) | Cond::Known(_) | Cond::Wrote(_) => {}
            Cond::Seen(n) => self.seen.push(*n),
            Cond::Not(c) => self.cond(c),
            Cond::And(a, b) | Cond::Or(a, b) | Cond::CmpFlag(_, a, b) => {
                self.cond(a);
                self.cond(b);
            }
            Cond::CmpNum(_, a, b) => match var_against_constant(a, b) {
                Some((s, k)) => {
                    self.consts[s].0 = self.consts[s].0.min(k);
                    self.consts[s].1 = self.consts[s].1.max(k);
                }
                None => {
                    self.num(a);
                    self.num(b);
                }
            },
            Cond::CmpText(_, ab) => {
                self.txt(&ab.0);
                self.txt(&ab.1);
            }
        }
    }

    /// A number used anywhere but against a constant: its exact value matters.
    fn num(&mut self, n: &Num) {
        match n {
            Num::Var(s) => self.kinds[*s] = Kind::Exact,
            Num::Visits(node) => self.counted.push(*node),
            Num::Const(_) | Num::Chapter => {}
            Num::Add(ab) | Num::Sub(ab) | Num::Mul(ab) => {
                self.num(&ab.0);
                self.num(&ab.1);
            }
            Num::Neg(a) => self.num(a),
        }
    }

    /// A fact's or text's words compared or copied: its exact value matters.
    fn txt(&mut self, t: &Txt) {
        if let Txt::Var(s) = t {
            self.kinds[*s] = Kind::Exact;
        }
    }

    fn effect(&mut self, e: &Effect) {
        match e {
            Effect::SetNum(_, n) => self.num(n),
            Effect::AddNum(slot, n) => match constant(n) {
                Some(k) => self.cap[*slot] = self.cap[*slot].saturating_add(k.unsigned_abs()),
                None => self.num(n),
            },
            Effect::SetFlag(_, c) => self.cond(c),
            Effect::SetText(_, t) | Effect::Remember(_, Some(t)) => self.txt(t),
            Effect::Remember(_, None) | Effect::Forget(_) => {}
        }
    }
}

/// The value of a number expression made of constants only (`-1` is `Neg(Const(1))`).
fn constant(n: &Num) -> Option<i64> {
    match n {
        Num::Const(k) => Some(*k),
        Num::Neg(a) => constant(a)?.checked_neg(),
        Num::Add(ab) => constant(&ab.0)?.checked_add(constant(&ab.1)?),
        Num::Sub(ab) => constant(&ab.0)?.checked_sub(constant(&ab.1)?),
        Num::Mul(ab) => constant(&ab.0)?.checked_mul(constant(&ab.1)?),
        Num::Var(_) | Num::Visits(_) | Num::Chapter => None,
    }
}

/// `x CMP constant` or `constant CMP x`: the variable and the constant.
fn var_against_constant(a: &Num, b: &Num) -> Option<(usize, i64)> {
    match (a, b) {
        (Num::Var(s), k) | (k, Num::Var(s)) => Some((*s, constant(k)?)),
        _ => None,
    }
}

/// One thing the classification (and the proof's choice of nodes to track) looks at.
pub(crate) enum Item<'s> {
    Cond(&'s Cond),
    Effect(&'s Effect),
    /// A constant move of a number (`Op::AddConst`).
    Add(usize, i64),
}

/// Every condition and effect of the story, wherever it sits.
pub(crate) fn for_each_cond_and_effect<'s>(story: &'s Story, f: &mut impl FnMut(Item<'s>)) {
    for op in &story.ops {
        match op {
            Op::Enter(_, _, Some(gate)) => f(Item::Cond(&gate.0)),
            Op::JumpUnless(c, _) => f(Item::Cond(c)),
            Op::Effects(a, b) => story
                .effect_list(*a, *b)
                .iter()
                .for_each(|e| f(Item::Effect(e))),
            Op::AddConst(slot, by) => f(Item::Add(*slot as usize, *by)),
            _ => {}
        }
    }
    for g in &story.groups {
        for v in &g.variants {
            if let Some(w) = &v.when {
                f(Item::Cond(&w.cond));
            }
        }
    }
    for c in &story.choices {
        if let Some(w) = &c.when {
            f(Item::Cond(w));
        }
    }
    for l in &story.letters {
        for p in &l.paragraphs {
            for frag in &p.fragments {
                if let Some(w) = &frag.when {
                    f(Item::Cond(w));
                }
                frag.effects.iter().for_each(|e| f(Item::Effect(e)));
            }
        }
    }
}
