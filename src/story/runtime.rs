//! Playing the story: all mutable state lives in one serialisable `StoryState`; the caller pulls
//! events with `Story::next` and answers choices with `Story::choose`. Deterministic: the same
//! story, seed and choices give the same events, byte for byte, on every machine (the generator
//! is ChaCha8, seeded from the state, never from the OS).

use std::borrow::Cow;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::expr::{Env, Value, VarType};
use super::format::SceneDef;
use super::model::{Chapter, Character, Choice, Ending, Letter, LineDef, NodeIx, Op, Story};

/// How many operations may run without producing an event before the engine decides the story
/// loops forever (a cycle of gates or gotos with no line in it).
const LOOP_LIMIT: u32 = 1_000_000;

/// How deep detours may nest (a detour within a detour...) before the story is stopped.
pub const MAX_DETOUR_DEPTH: usize = 64;

/// How many events may come between two decisions before the engine decides the story goes
/// round forever (a cycle of nodes with lines but no choice and no way out). A real chapter
/// delivers a few hundred at most.
pub const EVENT_LIMIT: u32 = 5_000;

/// The seeded generator, stored as seed and position so saves stay small and exact.
#[derive(Debug, Clone)]
pub struct SeededRng {
    seed: u64,
    rng: ChaCha8Rng,
}

impl SeededRng {
    fn new(seed: u64) -> Self {
        SeededRng {
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl PartialEq for SeededRng {
    fn eq(&self, other: &Self) -> bool {
        self.seed == other.seed && self.rng.get_word_pos() == other.rng.get_word_pos()
    }
}

#[derive(Serialize, Deserialize)]
struct RngRepr {
    seed: u64,
    position: u64,
}

impl Serialize for SeededRng {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RngRepr {
            seed: self.seed,
            // Positions past 2^64 words would take centuries of play.
            position: u64::try_from(self.rng.get_word_pos()).unwrap_or(u64::MAX),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SeededRng {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = RngRepr::deserialize(d)?;
        let mut rng = SeededRng::new(repr.seed);
        rng.rng.set_word_pos(u128::from(repr.position));
        Ok(rng)
    }
}

/// A test start: the node play begins at and the variables set there (as written: `trust`,
/// `3`), the rest at their defaults. Saves and recordings carry it and say so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestStart {
    /// The node, `chapter.node` (or a chapter id: its start).
    pub from: String,
    /// Variables set (facts remembered), in order: name and value.
    #[serde(default)]
    pub set: Vec<(String, String)>,
}

impl TestStart {
    /// How a transcript marks it.
    pub fn describe(&self) -> String {
        let set: Vec<String> = self.set.iter().map(|(n, v)| format!("{n}={v}")).collect();
        if set.is_empty() {
            format!(
                "(a test start at `{}`; every variable at its default)",
                self.from
            )
        } else {
            format!(
                "(a test start at `{}` with {}; everything else at its default)",
                self.from,
                set.join(", ")
            )
        }
    }
}

/// What the player picked at one decision point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The node where the decision was made.
    pub node: u32,
    /// The position among the options offered (what `choose` was given).
    pub offered: u32,
    /// What it was: a choice (its global index) or a letter fragment.
    pub pick: Pick,
}

/// The thing picked at a decision point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pick {
    /// A choice, by its index among all the story's choices.
    Choice(u32),
    /// A letter fragment: letter, paragraph, fragment.
    Fragment(u32, u32, u32),
}

/// What the story is waiting for, if anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Pending {
    None,
    /// Choices offered: the set and the positions within it.
    Choices(usize, Vec<u32>),
    /// A letter paragraph offered: letter, paragraph, fragment positions, text so far.
    Paragraph(usize, usize, Vec<u32>, Vec<String>),
    /// A letter just finished, to announce.
    LetterDone(usize),
    /// The story has ended.
    Ended(usize),
    /// The story cannot go on.
    Stuck(usize, String),
}

/// All mutable state of one playthrough. Serialisable: a save is this, plus a header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoryState {
    /// The seed the playthrough started with.
    pub seed: u64,
    pc: usize,
    node: usize,
    /// Variable values, by slot.
    pub vars: Vec<Value>,
    /// How often each node has been entered.
    pub visits: Vec<u32>,
    chapter: Option<usize>,
    chapter_open: bool,
    /// How often each `once` choice was taken (other choices are not counted).
    chosen: Vec<u32>,
    variant_seen: Vec<u64>,
    letters: Vec<Option<Vec<String>>>,
    beats: u64,
    /// Lines delivered so far.
    pub lines_delivered: u64,
    rng: SeededRng,
    pending: Pending,
    /// Every decision made, in order: enough to replay the playthrough exactly.
    pub decisions: Vec<Decision>,
    /// The scene as the directives so far have built it.
    pub scene: SceneDef,
    /// Events delivered since the last decision (or the start): with `last_line`,
    /// the position a save names (`save::Position`), so resuming can stop at the same event.
    pub(crate) since_decision: u32,
    /// The last line delivered (index into `Story::lines`), if any since the start.
    pub(crate) last_line: Option<u32>,
    /// How often each alternative (`{a|b}`, `{&a|b}`...) has been shown.
    pub(crate) alt_seen: Vec<u32>,
    /// How often each variant with a `max` has played.
    pub(crate) variant_plays: Vec<u32>,
    /// How often each memory with forms (`full|handle`) has been read, by variable slot.
    pub(crate) fact_told: Vec<u32>,
    /// Where each detour in progress comes back to (ink's tunnels), innermost last.
    pub(crate) returns: Vec<u32>,
    /// Where the playthrough began, when it is a test start (`Story::state_from`).
    pub test_start: Option<Box<TestStart>>,
    #[serde(skip)]
    scratch: Scratch,
}

/// Reused memory for picking variants and offering choices; not part of the state (equal
/// whatever it holds).
#[derive(Debug, Clone, Default)]
struct Scratch {
    candidates: Vec<usize>,
    offered: Vec<u32>,
    shown: Vec<u32>,
}

impl PartialEq for Scratch {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// A line, ready to show.
#[derive(Debug, Clone)]
pub struct LineEvent<'s> {
    /// Who speaks; `None` for narration.
    pub speaker: Option<&'s Character>,
    /// The words, with variables filled in (borrowed from the story when nothing is).
    pub text: Cow<'s, str>,
    /// The line's definition (its stable id is `Story::line_id(index)`).
    pub line: &'s LineDef,
    /// The line's index in `Story::lines`.
    pub index: usize,
}

/// A choice, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceView<'s> {
    /// What the player sees.
    pub text: Cow<'s, str>,
    /// The choice's stable id within its node.
    pub id: &'s str,
}

/// A letter paragraph waiting for a fragment.
#[derive(Debug, Clone)]
pub struct ParagraphView<'s> {
    /// The letter.
    pub letter: &'s Letter,
    /// Which paragraph (0-based).
    pub index: usize,
    /// Its prompt.
    pub prompt: Option<&'s str>,
    /// The fragments offered.
    pub fragments: Vec<String>,
    /// The paragraphs chosen so far.
    pub so_far: Vec<String>,
}

/// What happens next in the story.
#[derive(Debug, Clone)]
pub enum Event<'s> {
    /// A chapter begins: show its title card.
    ChapterStart(&'s Chapter),
    /// A chapter ends.
    ChapterEnd(&'s Chapter),
    /// A scene directive for the renderer.
    Scene(&'s SceneDef),
    /// A line of dialogue or narration.
    Line(LineEvent<'s>),
    /// A held silence, in seconds.
    Pause(f32),
    /// Choices: answer with `Story::choose`. Asked again, the same choices come back.
    Choices(Vec<ChoiceView<'s>>),
    /// The player starts composing a letter.
    LetterStart(&'s Letter),
    /// A paragraph to compose: answer with `Story::choose`.
    Paragraph(ParagraphView<'s>),
    /// The letter is finished.
    LetterDone {
        /// The letter.
        letter: &'s Letter,
        /// Its paragraphs as composed.
        text: Vec<String>,
    },
    /// A letter composed earlier, shown again.
    ShowLetter {
        /// The letter.
        letter: &'s Letter,
        /// Its paragraphs as composed.
        text: Vec<String>,
    },
    /// The story has ended. Asked again, the same ending comes back.
    Ending(&'s Ending),
    /// The story cannot go on (a dead end, or a loop with no lines). Never a panic.
    Stuck {
        /// The node where it stopped.
        node: &'s str,
        /// Why.
        reason: String,
    },
}

impl Event<'_> {
    /// Whether the story waits for `choose` after this event.
    pub fn is_decision(&self) -> bool {
        matches!(self, Event::Choices(_) | Event::Paragraph(_))
    }

    /// Whether the story is over after this event.
    pub fn is_final(&self) -> bool {
        matches!(self, Event::Ending(_) | Event::Stuck { .. })
    }
}

/// A choice that cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChooseError {
    /// The story is not waiting for a choice.
    #[error("the story is not waiting for a choice")]
    NotWaiting,
    /// The index is past the options offered.
    #[error("there is no option {index} (there are {count})")]
    OutOfRange {
        /// The index given (0-based).
        index: usize,
        /// How many were offered.
        count: usize,
    },
}

impl Env for StoryState {
    fn var(&self, slot: usize) -> &Value {
        &self.vars[slot]
    }
    fn visits(&self, node: usize) -> u32 {
        self.visits[node]
    }
    fn chapter(&self) -> i64 {
        self.chapter.map_or(0, |c| c as i64 + 1)
    }
    fn wrote(&self, letter: usize) -> bool {
        self.letters[letter].is_some()
    }
}

impl StoryState {
    /// The node the story is at.
    pub fn node(&self) -> NodeIx {
        self.node
    }

    /// What a letter paragraph offers now (letter, paragraph, fragment positions), when the
    /// story waits on one.
    pub(crate) fn offered_fragments(&self) -> Option<(usize, usize, &[u32])> {
        match &self.pending {
            Pending::Paragraph(l, p, offered, _) => Some((*l, *p, offered)),
            _ => None,
        }
    }

    /// The last line delivered, if any: its index in `Story::lines`.
    pub fn last_line(&self) -> Option<usize> {
        self.last_line.map(|l| l as usize)
    }

    /// The last line delivered, by its stable id (`Story::line_id`).
    pub fn last_line_id(&self, story: &Story) -> Option<String> {
        self.last_line().map(|l| story.line_id(l))
    }

    /// The current chapter's index, once the first has started.
    pub fn chapter_index(&self) -> Option<usize> {
        self.chapter
    }

    /// A composed letter's paragraphs.
    pub fn letter_text(&self, letter: usize) -> Option<&[String]> {
        self.letters.get(letter)?.as_deref()
    }

    /// Whether the story has ended (or is stuck).
    pub fn is_over(&self) -> bool {
        matches!(self.pending, Pending::Ended(_) | Pending::Stuck(..))
    }

    /// The ending reached, if any.
    pub fn ending(&self) -> Option<usize> {
        match self.pending {
            Pending::Ended(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the story is waiting for a choice.
    pub fn is_waiting(&self) -> bool {
        matches!(self.pending, Pending::Choices(..) | Pending::Paragraph(..))
    }

    /// A variable's value by name.
    pub fn value<'a>(&'a self, story: &Story, name: &str) -> Option<&'a Value> {
        story.variable(name).map(|slot| &self.vars[slot])
    }

    /// The position in the compiled program (an index into `Story::ops`).
    pub(crate) fn pc(&self) -> usize {
        self.pc
    }

    /// Hashes what of the control state decides the future (`abstraction::Abstraction::key`
    /// adds the variables): position, pending decision, detours in progress, chapter, whether
    /// each node in `seen` was entered, the visit counts of the nodes in `counted`, whether each
    /// `once` choice was taken, and which letters are written. Lines delivered, the scene and
    /// the generator are left out: they change what is said, never where the story goes
    /// (`hash_picks` adds the generator where variants carry effects).
    pub fn hash_control(
        &self,
        h: &mut impl Hasher,
        seen: &[usize],
        counted: &[usize],
        once: &[usize],
    ) {
        (
            self.pc,
            self.chapter,
            self.chapter_open,
            &self.pending,
            &self.returns,
        )
            .hash(h);
        for &n in seen {
            (self.visits[n] > 0).hash(h);
        }
        for &n in counted {
            self.visits[n].hash(h);
        }
        for &c in once {
            (self.chosen[c] > 0).hash(h);
        }
        for l in &self.letters {
            l.is_some().hash(h);
        }
    }

    /// What else decides the future when variants carry effects (`Story::variants_have_effects`):
    /// which one plays then depends on the generator and on which were seen last, so states
    /// that differ there must not be merged.
    pub fn hash_picks(&self, h: &mut impl Hasher) {
        (&self.rng, &self.variant_seen, &self.variant_plays).hash(h);
    }
}

impl Hash for SeededRng {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (self.seed, self.rng.get_word_pos()).hash(h);
    }
}

impl Hash for Pending {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        std::mem::discriminant(self).hash(h);
        match self {
            Pending::Choices(set, offered) => (set, offered).hash(h),
            Pending::Paragraph(l, p, offered, _) => (l, p, offered).hash(h),
            Pending::LetterDone(l) | Pending::Ended(l) => l.hash(h),
            Pending::Stuck(n, _) => n.hash(h),
            Pending::None => {}
        }
    }
}

impl Eq for Pending {}

use std::hash::{Hash, Hasher};

impl Story {
    /// A new playthrough from the start, with a seed for the generator.
    pub fn new_state(&self, seed: u64) -> StoryState {
        StoryState {
            seed,
            pc: self.nodes[self.start].entry,
            node: self.start,
            vars: self.variables.iter().map(|v| v.default.clone()).collect(),
            visits: vec![0; self.nodes.len()],
            chapter: None,
            chapter_open: false,
            chosen: vec![0; self.choice_count],
            variant_seen: vec![0; self.variant_count],
            letters: vec![None; self.letters.len()],
            beats: 0,
            lines_delivered: 0,
            rng: SeededRng::new(seed),
            pending: Pending::None,
            decisions: Vec::new(),
            scene: SceneDef::default(),
            since_decision: 0,
            last_line: None,
            alt_seen: vec![0; self.alt_count],
            test_start: None,
            returns: Vec::new(),
            fact_told: vec![0; self.variables.len()],
            variant_plays: vec![0; self.variant_count],
            scratch: Scratch::default(),
        }
    }

    /// A speaker's display name, with variables filled in.
    pub fn speaker_name(&self, state: &StoryState, character: &Character) -> String {
        character.name.render(self, state).into_owned()
    }

    /// What happens next. Call again after each event; answer decisions with `choose`.
    pub fn next<'s>(&'s self, st: &mut StoryState) -> Event<'s> {
        // Asked again, a waiting decision or an ending is the same event, not a new one.
        if !matches!(
            st.pending,
            Pending::Choices(..) | Pending::Paragraph(..) | Pending::Ended(_) | Pending::Stuck(..)
        ) {
            st.since_decision = st.since_decision.saturating_add(1);
            if st.since_decision > EVENT_LIMIT {
                return self.stuck(
                    st,
                    format!("it goes round without a choice or an ending ({EVENT_LIMIT} events since the last decision): a loop the player can never leave"),
                );
            }
        }
        self.walk(st)
    }

    /// `next` without the event count.
    fn walk<'s>(&'s self, st: &mut StoryState) -> Event<'s> {
        self.walk_glued(st, true)
    }

    /// `walk`; with `glue` off, a glued line is delivered alone (`glue_on` gathers the rest
    /// in a loop, so no chain of glued lines can deepen the stack).
    fn walk_glued<'s>(&'s self, st: &mut StoryState, glue: bool) -> Event<'s> {
        match &mut st.pending {
            Pending::None => {}
            Pending::Choices(set, offered) => {
                let (set, offered) = (*set, offered.clone());
                return Event::Choices(self.choice_views(self.choice_set(set), &offered, st));
            }
            Pending::Paragraph(l, p, offered, so_far) => {
                let (l, p, offered, so_far) = (*l, *p, offered.clone(), so_far.clone());
                let letter = &self.letters[l];
                let paragraph = &letter.paragraphs[p];
                return Event::Paragraph(ParagraphView {
                    letter,
                    index: p,
                    prompt: paragraph.prompt.as_deref(),
                    fragments: offered
                        .iter()
                        .map(|&f| {
                            tidy(paragraph.fragments[f as usize].text.render(self, st)).into_owned()
                        })
                        .collect(),
                    so_far,
                });
            }
            Pending::LetterDone(l) => {
                let l = *l;
                st.pending = Pending::None;
                st.pc += 1;
                return Event::LetterDone {
                    letter: &self.letters[l],
                    text: st.letters[l].clone().unwrap_or_default(),
                };
            }
            Pending::Ended(e) => return Event::Ending(&self.endings[*e]),
            Pending::Stuck(n, reason) => {
                return Event::Stuck {
                    node: &self.nodes[*n].id,
                    reason: reason.clone(),
                };
            }
        }
        let mut budget = LOOP_LIMIT;
        loop {
            budget -= 1;
            if budget == 0 {
                return self.stuck(st, "it loops without a line or a choice".into());
            }
            let pc = st.pc;
            match &self.ops[pc] {
                &Op::Enter(node, chapter, ref gate) => {
                    let (node, chapter) = (node as usize, chapter as usize);
                    if let Some((cond, otherwise)) = gate.as_deref()
                        && !cond.eval(st)
                    {
                        st.pc = self.nodes[*otherwise].entry;
                        continue;
                    }
                    if st.chapter != Some(chapter) {
                        if st.chapter_open
                            && let Some(old) = st.chapter
                        {
                            st.chapter_open = false;
                            return Event::ChapterEnd(&self.chapters[old]);
                        }
                        st.chapter = Some(chapter);
                        st.chapter_open = true;
                        let ch = &self.chapters[chapter];
                        merge_scene(&mut st.scene, &ch.scene);
                        return Event::ChapterStart(ch);
                    }
                    st.node = node;
                    st.visits[node] = st.visits[node].saturating_add(1);
                    st.pc += 1;
                }
                Op::Line(l) => {
                    // Everything shown comes from the op and the text arena: the line's own
                    // record is only pointed to, never read, so a step touches little memory.
                    st.pc += 1;
                    st.lines_delivered += 1;
                    st.last_line = Some(l.line);
                    // Alternatives shown in a delivered line move on (plain text has none).
                    let mut shown = std::mem::take(&mut st.scratch.shown);
                    shown.clear();
                    let mut text = l.text.render_shown(self, st, &mut shown);
                    advance_alternatives(st, &shown);
                    st.scratch.shown = shown;
                    if l.glue && glue {
                        text = Cow::Owned(self.glue_on(st, text.into_owned()));
                    }
                    if glue {
                        text = tidy(text);
                    }
                    return Event::Line(LineEvent {
                        speaker: self.characters.get(l.speaker as usize),
                        text,
                        line: &self.lines[l.line as usize],
                        index: l.line as usize,
                    });
                }
                Op::Group(g) => st.pc = self.pick_variant(st, *g),
                Op::JumpUnless(cond, target) => {
                    st.pc = if cond.eval(st) { pc + 1 } else { *target };
                }
                Op::Jump(target) => st.pc = *target,
                &Op::AddConst(slot, k) => {
                    let var = &mut st.vars[slot as usize];
                    let old = match var {
                        Value::Number(old) => *old,
                        _ => 0,
                    };
                    *var = Value::Number(old.saturating_add(k));
                    st.pc += 1;
                }
                Op::Effects(a, b) => {
                    apply_effects(st, self.effect_list(*a, *b));
                    st.pc += 1;
                }
                Op::Scene(scene) => {
                    merge_scene(&mut st.scene, scene);
                    st.pc += 1;
                    return Event::Scene(scene);
                }
                Op::Pause(secs) => {
                    st.pc += 1;
                    return Event::Pause(*secs);
                }
                Op::Letter(l) => {
                    let offered = self.offer_fragments(st, *l, 0);
                    st.pending = Pending::Paragraph(*l, 0, offered, Vec::new());
                    return Event::LetterStart(&self.letters[*l]);
                }
                Op::ShowLetter(l) => {
                    st.pc += 1;
                    return Event::ShowLetter {
                        letter: &self.letters[*l],
                        text: st.letters[*l].clone().unwrap_or_default(),
                    };
                }
                Op::Goto(_, entry) => st.pc = *entry as usize,
                Op::Detour(_, entry) => {
                    if st.returns.len() >= MAX_DETOUR_DEPTH {
                        return self.stuck(
                            st,
                            format!("detours nested deeper than {MAX_DETOUR_DEPTH}: one of them never returns"),
                        );
                    }
                    st.returns.push((pc + 1) as u32);
                    st.pc = *entry as usize;
                }
                Op::Return => match st.returns.pop() {
                    Some(back) => st.pc = back as usize,
                    None => {
                        return self
                            .stuck(st, "`Return` outside a detour: nowhere to return to".into());
                    }
                },
                Op::End(e) => {
                    st.pending = Pending::Ended(*e);
                    return Event::Ending(&self.endings[*e]);
                }
                Op::Choices(op) => {
                    let start = op.start as usize;
                    let set = &self.choices[start..start + op.len as usize];
                    // The list of what is offered reuses the last one's memory.
                    let mut offered = std::mem::take(&mut st.scratch.offered);
                    offered.clear();
                    offered.extend(
                        set.iter()
                            .enumerate()
                            .filter(|(_, c)| {
                                !(c.once && st.chosen[c.global] > 0)
                                    && c.when.as_ref().is_none_or(|w| w.eval(st))
                            })
                            .map(|(i, _)| i as u32),
                    );
                    if offered.is_empty() {
                        st.scratch.offered = offered;
                        st.pc += 1;
                    } else {
                        let views = self.choice_views(set, &offered, st);
                        st.pending = Pending::Choices(op.set as usize, offered);
                        return Event::Choices(views);
                    }
                }
                Op::DeadEnd(_) => {
                    return self.stuck(
                        st,
                        "a dead end: no choice, no next node and no ending".into(),
                    );
                }
            }
        }
    }

    /// Glue: while the line just delivered continues into the next, and the next thing the
    /// story does is a line, that line is delivered with it, as one.
    fn glue_on(&self, st: &mut StoryState, mut text: String) -> String {
        let mut glue = true;
        while glue {
            let mut probe = st.clone();
            match self.walk_glued(&mut probe, false) {
                Event::Line(next) => {
                    text.push_str(&next.text);
                    glue = next.line.glue;
                    *st = probe;
                }
                _ => break,
            }
        }
        text
    }

    /// The offered choices of a set, as the player sees them.
    fn choice_views<'s>(
        &'s self,
        set: &'s [Choice],
        offered: &[u32],
        st: &StoryState,
    ) -> Vec<ChoiceView<'s>> {
        offered
            .iter()
            .map(|&i| {
                let c = &set[i as usize];
                ChoiceView {
                    text: tidy(c.text.render(self, st)),
                    id: &c.id,
                }
            })
            .collect()
    }

    fn stuck<'s>(&'s self, st: &mut StoryState, reason: String) -> Event<'s> {
        st.pending = Pending::Stuck(st.node, reason.clone());
        Event::Stuck {
            node: &self.nodes[st.node].id,
            reason,
        }
    }

    fn offer_fragments(&self, st: &StoryState, letter: usize, paragraph: usize) -> Vec<u32> {
        let fragments = &self.letters[letter].paragraphs[paragraph].fragments;
        let offered: Vec<u32> = fragments
            .iter()
            .enumerate()
            .filter(|(_, f)| f.when.as_ref().is_none_or(|w| w.eval(st)))
            .map(|(i, _)| i as u32)
            .collect();
        if offered.is_empty() {
            // Never leave the player with nothing: offer the first fragment.
            vec![0]
        } else {
            offered
        }
    }

    /// Chooses among variants: the most specific that holds, then the least recently seen, then
    /// the seeded generator; random groups pick by weight.
    fn pick_variant(&self, st: &mut StoryState, g: usize) -> usize {
        let group = &self.groups[g];
        let mut candidates = std::mem::take(&mut st.scratch.candidates);
        candidates.clear();
        let chosen = if group.random {
            let mut total = 0u64;
            for (i, v) in group.variants.iter().enumerate() {
                if v.weight > 0
                    && self.may_play(st, v)
                    && v.when.as_ref().is_none_or(|w| w.cond.eval(st))
                {
                    candidates.push(i);
                    total += u64::from(v.weight);
                }
            }
            if total == 0 {
                None
            } else {
                let mut roll = st.rng.rng.random_range(0..total);
                candidates.iter().copied().find(|&i| {
                    let w = u64::from(group.variants[i].weight);
                    if roll < w {
                        true
                    } else {
                        roll -= w;
                        false
                    }
                })
            }
        } else {
            let mut best = 0u32;
            for (i, v) in group.variants.iter().enumerate() {
                if !self.may_play(st, v) {
                    continue;
                }
                let (holds, spec) = match &v.when {
                    Some(w) => (w.cond.eval(st), w.specificity),
                    None => (true, 0),
                };
                if !holds {
                    continue;
                }
                if candidates.is_empty() || spec > best {
                    candidates.clear();
                    best = spec;
                    candidates.push(i);
                } else if spec == best {
                    candidates.push(i);
                }
            }
            let oldest = candidates
                .iter()
                .map(|&i| st.variant_seen[group.variants[i].global])
                .min();
            if let Some(oldest) = oldest {
                candidates.retain(|&i| st.variant_seen[group.variants[i].global] == oldest);
            }
            match candidates.len() {
                0 => None,
                1 => Some(candidates[0]),
                n => Some(candidates[st.rng.rng.random_range(0..n)]),
            }
        };
        st.scratch.candidates = candidates;
        match chosen {
            Some(i) => {
                let v = &group.variants[i];
                st.beats += 1;
                st.variant_seen[v.global] = st.beats;
                if v.max > 0
                    && let Some(n) = st.variant_plays.get_mut(v.global)
                {
                    *n = n.saturating_add(1);
                }
                v.entry
            }
            None => group.after,
        }
    }

    /// Whether a variant's `max` and `cooldown` let it play now.
    fn may_play(&self, st: &StoryState, v: &super::model::Variant) -> bool {
        let under_max = v.max == 0 || st.variant_plays.get(v.global).is_none_or(|&n| n < v.max);
        let seen = st.variant_seen[v.global];
        let rested = v.cooldown == 0 || seen == 0 || st.beats - seen >= u64::from(v.cooldown);
        under_max && rested
    }

    /// Answers the choices or letter paragraph the story is waiting on (`index` is 0-based,
    /// among the options offered).
    pub fn choose(&self, st: &mut StoryState, index: usize) -> Result<(), ChooseError> {
        match std::mem::replace(&mut st.pending, Pending::None) {
            Pending::Choices(set, offered) => {
                let Some(&pos) = offered.get(index) else {
                    let count = offered.len();
                    st.pending = Pending::Choices(set, offered);
                    return Err(ChooseError::OutOfRange { index, count });
                };
                // Waiting on choices, the program counter is still on the op that offered them,
                // which is in the cache; the set's table entry may not be.
                let choices = match &self.ops[st.pc] {
                    Op::Choices(op) if op.set as usize == set => {
                        let start = op.start as usize;
                        &self.choices[start..start + op.len as usize]
                    }
                    _ => self.choice_set(set),
                };
                let choice = &choices[pos as usize];
                // The alternatives in the texts just offered move on, as ink's do when shown.
                let mut shown = std::mem::take(&mut st.scratch.shown);
                shown.clear();
                for &i in &offered {
                    let _ = choices[i as usize].text.render_shown(self, st, &mut shown);
                }
                advance_alternatives(st, &shown);
                st.scratch.shown = shown;
                st.scratch.offered = offered;
                // Only `once` choices read their count: touching the others' would cost a
                // cache miss per decision in a large story.
                if choice.once {
                    st.chosen[choice.global] = st.chosen[choice.global].saturating_add(1);
                }
                st.decisions.push(Decision {
                    node: st.node as u32,
                    offered: index as u32,
                    pick: Pick::Choice(choice.global as u32),
                });
                st.since_decision = 0;
                st.pc = choice.entry;
                Ok(())
            }
            Pending::Paragraph(l, p, offered, mut so_far) => {
                let Some(&pos) = offered.get(index) else {
                    let count = offered.len();
                    st.pending = Pending::Paragraph(l, p, offered, so_far);
                    return Err(ChooseError::OutOfRange { index, count });
                };
                let fragment = &self.letters[l].paragraphs[p].fragments[pos as usize];
                let mut shown = std::mem::take(&mut st.scratch.shown);
                shown.clear();
                so_far.push(tidy(fragment.text.render_shown(self, st, &mut shown)).into_owned());
                advance_alternatives(st, &shown);
                st.scratch.shown = shown;
                apply_effects(st, &fragment.effects);
                st.decisions.push(Decision {
                    node: st.node as u32,
                    offered: index as u32,
                    pick: Pick::Fragment(l as u32, p as u32, pos),
                });
                st.since_decision = 0;
                if p + 1 < self.letters[l].paragraphs.len() {
                    let offered = self.offer_fragments(st, l, p + 1);
                    st.pending = Pending::Paragraph(l, p + 1, offered, so_far);
                } else {
                    st.letters[l] = Some(so_far);
                    st.pending = Pending::LetterDone(l);
                }
                Ok(())
            }
            other => {
                st.pending = other;
                Err(ChooseError::NotWaiting)
            }
        }
    }

    /// Plays from the start with a seed and a list of option indices, calling `on_event` for
    /// every event; stops at the first decision past the list, or at the end.
    pub fn play(
        &self,
        seed: u64,
        options: &[usize],
        on_event: impl FnMut(&Story, &StoryState, &Event<'_>),
    ) -> Result<StoryState, ChooseError> {
        self.play_from(self.new_state(seed), options, on_event)
    }

    /// `play`, from a given first state (a test start, say).
    pub fn play_from(
        &self,
        mut st: StoryState,
        options: &[usize],
        mut on_event: impl FnMut(&Story, &StoryState, &Event<'_>),
    ) -> Result<StoryState, ChooseError> {
        let mut next_option = options.iter();
        loop {
            let event = self.next(&mut st);
            on_event(self, &st, &event);
            if event.is_final() {
                return Ok(st);
            }
            if event.is_decision() {
                match next_option.next() {
                    Some(&i) => self.choose(&mut st, i)?,
                    None => return Ok(st),
                }
            }
        }
    }

    /// The state as it was just before decision `keep` (0-based) was made: the playthrough
    /// replayed from its seed with the first `keep` decisions. Exact, because play is
    /// deterministic.
    pub fn rollback(&self, st: &StoryState, keep: usize) -> StoryState {
        let options: Vec<usize> = st
            .decisions
            .iter()
            .take(keep)
            .map(|d| d.offered as usize)
            .collect();
        // The recorded decisions were valid when made, so replaying them cannot fail.
        self.play_from(self.first_state(st), &options, |_, _, _| {})
            .unwrap_or_else(|_| self.first_state(st))
    }

    /// The state the playthrough of `st` began with: the start, or its test start.
    pub fn first_state(&self, st: &StoryState) -> StoryState {
        match &st.test_start {
            Some(start) => self
                .state_from(st.seed, start)
                .unwrap_or_else(|_| self.new_state(st.seed)),
            None => self.new_state(st.seed),
        }
    }

    /// A test start: play begins at a node, with variables set and facts remembered, the rest
    /// at their defaults (`her read --from chapter.node --set trust=3 --remember his_fear`), so
    /// a writer revises chapter 6 without replaying chapters 1 to 5. The state says so, and so
    /// do saves and recordings made from it.
    ///
    /// Errors: the node or a variable does not exist, or a value does not fit its type; the
    /// message says which.
    pub fn state_from(&self, seed: u64, start: &TestStart) -> Result<StoryState, String> {
        let node = self.node(&start.from).ok_or_else(|| {
            format!(
                "no node or chapter is called `{}` (write `chapter.node`)",
                start.from
            )
        })?;
        let mut st = self.new_state(seed);
        st.pc = self.nodes[node].entry;
        st.node = node;
        for (name, value) in &start.set {
            let slot = self
                .variable(name)
                .ok_or_else(|| format!("no variable is called `{name}`"))?;
            let var = &self.variables[slot];
            st.vars[slot] = match var.ty {
                VarType::Number => Value::Number(
                    value
                        .trim()
                        .parse()
                        .map_err(|_| format!("`{name}` is a number, and `{value}` is not one"))?,
                ),
                VarType::Flag => Value::Flag(match value.trim() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(format!(
                            "`{name}` is a flag: write `{name}=true` or `{name}=false`"
                        ));
                    }
                }),
                VarType::Text => Value::Text(value.clone()),
                VarType::Fact => Value::Fact(Some(value.clone())),
            };
        }
        st.test_start = Some(Box::new(start.clone()));
        Ok(st)
    }
}

/// Spaces as ink prints them: a run of spaces is one, and none at either end. Text logic leaves
/// runs where a branch is empty or begins with a space (`a {met: b} c`), and glue where both
/// sides have one. Text as written (borrowed: no logic, no glue) is returned as it is.
pub(crate) fn tidy(text: Cow<'_, str>) -> Cow<'_, str> {
    let Cow::Owned(t) = &text else {
        return text;
    };
    let bytes = t.as_bytes();
    let mut untidy = bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ');
    let mut space = false;
    for &b in bytes {
        if untidy {
            break;
        }
        untidy = space && b == b' ';
        space = b == b' ';
    }
    if !untidy {
        return text;
    }
    let mut out = String::with_capacity(t.len());
    for word in t.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// Counts one more showing of each alternative listed.
fn advance_alternatives(st: &mut StoryState, shown: &[u32]) {
    for &slot in shown {
        let counter = if slot & super::model::FACT_SHOWN != 0 {
            st.fact_told
                .get_mut((slot & !super::model::FACT_SHOWN) as usize)
        } else {
            st.alt_seen.get_mut(slot as usize)
        };
        if let Some(n) = counter {
            *n = n.saturating_add(1);
        }
    }
}

fn apply_effects(st: &mut StoryState, effects: &[super::expr::Effect]) {
    for e in effects {
        let value = e.apply(st);
        st.vars[e.target()] = value;
    }
}

fn merge_scene(into: &mut SceneDef, from: &SceneDef) {
    if from.location.is_some() {
        into.location = from.location;
    }
    if from.time.is_some() {
        into.time = from.time;
    }
    if from.mood.is_some() {
        into.mood = from.mood;
    }
    if from.present.is_some() {
        into.present.clone_from(&from.present);
    }
    into.cut = from.cut;
}
