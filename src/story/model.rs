//! The loaded story: immutable, flat and indexed. Every node's script is compiled into one shared
//! list of operations (`Op`) so the runtime is a small program counter machine: no name lookups,
//! no allocation beyond the text it hands out.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

/// The engine's hash maps: keys are the story's own ids, not hostile input, so a fast hasher
/// (foldhash, Bevy's own) beats the default SipHash; loading does hundreds of thousands of lookups.
pub(crate) type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

use super::expr::{CompiledCond, Cond, Effect, Value, VarType};
use super::format::SceneDef;
use super::runtime::StoryState;

/// Index of a node in `Story::nodes`.
pub type NodeIx = usize;

/// The whole story, ready to play. Built by `load`; never changes while playing.
#[derive(Debug, Clone)]
pub struct Story {
    /// The story's title.
    pub(in crate::story) title: String,
    /// Chapters in playing order.
    pub(in crate::story) chapters: Vec<Chapter>,
    /// Every node, chapter by chapter.
    pub(in crate::story) nodes: Vec<Node>,
    /// The compiled program.
    pub(in crate::story) ops: Vec<Op>,
    /// Every line, for `Op::Line` and variant blocks.
    pub(in crate::story) lines: Vec<LineDef>,
    /// Every literal word of the story, node after node (templates point into it).
    pub(in crate::story) text: String,
    /// The pieces of every template.
    pub(in crate::story) pieces: Vec<Piece>,
    /// The branches of inline conditions and alternatives (templates of their own).
    pub(in crate::story) alts: Vec<Template>,
    /// The conditions of inline conditions (`Piece::If`).
    pub(in crate::story) inline_conds: Vec<Cond>,
    /// How many alternatives there are (`StoryState::alt_seen` has a counter for each).
    pub(in crate::story) alt_count: usize,
    /// Declared variables, in slot order.
    pub(in crate::story) variables: Vec<Variable>,
    /// Speakers.
    pub(in crate::story) characters: Vec<Character>,
    /// Declared endings.
    pub(in crate::story) endings: Vec<Ending>,
    /// Letters.
    pub(in crate::story) letters: Vec<Letter>,
    /// Variant and random groups.
    pub(in crate::story) groups: Vec<Group>,
    /// Every choice, node after node.
    pub(in crate::story) choices: Vec<Choice>,
    /// Choice sets (one per node with choices): ranges of `choices`.
    pub(in crate::story) choice_sets: Vec<Range<usize>>,
    /// Every effect of the program (`Op::Effects` ranges), node after node.
    pub(in crate::story) effects: Vec<Effect>,
    /// Total number of choices (for `once` bookkeeping).
    pub(in crate::story) choice_count: usize,
    /// Total number of variants (for least-recently-seen bookkeeping).
    pub(in crate::story) variant_count: usize,
    /// Where the story starts.
    pub(in crate::story) start: NodeIx,
    /// A hash of the content the story was built from; saves carry it.
    pub(in crate::story) fingerprint: String,
    /// Names of the mods laid over the base story, in order.
    pub(in crate::story) mods: Vec<String>,
    /// The same mods as saves remember them: `id version` (`ModInfo::label`), in load order.
    pub(in crate::story) mod_labels: Vec<String>,
    /// Lines, choices and fragments with no stable id (`her tag` stamps them).
    pub(in crate::story) untagged: usize,
    /// The writers' hints for locked parts of the flowchart, by node id (`chapter.node`) and
    /// by choice (`chapter.node/choice_id`).
    pub(in crate::story) hints: std::collections::BTreeMap<String, String>,
    /// The relationship axes (`axes:`): variable slots and their labels, in declared order.
    pub(in crate::story) axes: Vec<(usize, String)>,
    pub(crate) node_index: Map<String, NodeIx>,
    pub(crate) variable_index: Map<String, usize>,
    pub(crate) character_index: Map<String, usize>,
}

/// A chapter.
#[derive(Debug, Clone)]
pub struct Chapter {
    /// Stable id.
    pub id: String,
    /// Title card title.
    pub title: String,
    /// The card's date line (`Chapter(date: ...)`), `{name}`s kept for `Story::interpolate`;
    /// empty when the chapter gives none.
    pub date: String,
    /// 1-based number.
    pub number: usize,
    /// The opening scene.
    pub scene: SceneDef,
    /// The start node.
    pub start: NodeIx,
}

/// A node: a moment of the story.
#[derive(Debug, Clone)]
pub struct Node {
    /// Full stable id, `chapter.node`.
    pub id: String,
    /// Index of its chapter.
    pub chapter: usize,
    /// Entry point in `Story::ops`.
    pub entry: usize,
    /// Where its source is, for messages.
    pub source: SourceRef,
}

impl Node {
    /// Where the node's id is written in its file (`sources[self.source.file]`): where
    /// problems about the whole node are shown.
    pub fn id_span(&self, src: &super::diagnostic::SourceFile) -> Range<usize> {
        let local = self.id.split_once('.').map_or(self.id.as_str(), |(_, n)| n);
        src.find_field("id", local, self.source.offset)
            .unwrap_or(self.source.offset..self.source.offset + 1)
    }
}

/// A place in a source file.
#[derive(Debug, Clone, Default)]
pub struct SourceRef {
    /// Index into the loader's file list.
    pub file: usize,
    /// Byte offset.
    pub offset: usize,
}

/// One piece of a text template. Literal text lives in `Story::text`, one arena for the whole
/// story laid out in node order, so a node's words sit together in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// Literal text: a byte range of `Story::text`.
    Lit(u32, u32),
    /// A variable's value, by slot.
    Var(u32),
    /// An inline condition, `{cond: then|else}`: the condition (`Story::inline_conds`) and the
    /// first of its two branches (`Story::alts[at]` when it holds, `[at + 1]` when not).
    If(u32, u32),
    /// Alternatives (ink's sequence, cycle, shuffle and once-only): the kind, the counter slot
    /// (`StoryState::alt_seen`), the first branch in `Story::alts` and how many there are.
    Alt(AltKind, u32, u32, u32),
}

/// How alternatives choose among their branches, by how often they have been shown (ink's
/// four kinds: `{a|b}`, `{&a|b}`, `{~a|b}`, `{!a|b}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AltKind {
    /// `{a|b|c}`: each in turn, then the last one for ever.
    Sequence,
    /// `{&a|b|c}`: each in turn, round and round.
    Cycle,
    /// `{~a|b|c}`: one at random each time, from the playthrough's seed (a replay repeats it).
    Shuffle,
    /// `{!a|b|c}`: each in turn, then nothing.
    Once,
}

impl AltKind {
    /// Which branch shows the `count`-th time (0-based), if any; `roll` is the seeded draw for
    /// a shuffle.
    pub fn pick(self, count: u32, branches: u32, roll: u64) -> Option<u32> {
        match self {
            AltKind::Sequence => Some(count.min(branches.saturating_sub(1))),
            AltKind::Cycle => Some(count % branches.max(1)),
            AltKind::Shuffle => Some((roll % u64::from(branches.max(1))) as u32),
            AltKind::Once => (count < branches).then_some(count),
        }
    }
}

/// Text with `{variables}` in it, pre-split so rendering never parses. Small and `Copy`;
/// render it with the story it came from. Plain text (most lines) is a range of `Story::text`
/// itself, so showing it reads one place in memory; text with variables is a range of
/// `Story::pieces`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Template {
    start: u32,
    /// The length; the top bit set means `start..start + len` is plain text in `Story::text`.
    len: u32,
}

/// The bit of `Template::len` that marks plain text.
const PLAIN: u32 = 1 << 31;

impl Template {
    /// Plain text: the bytes `start..end` of `Story::text`.
    pub(crate) fn plain(start: usize, end: usize) -> Self {
        Template {
            start: start as u32,
            len: (end - start) as u32 | PLAIN,
        }
    }

    /// Text with variables: the pieces `start..start + len` of `Story::pieces`.
    pub(crate) fn pieced(start: usize, len: usize) -> Self {
        Template {
            start: start as u32,
            len: len as u32,
        }
    }

    /// The same template in arrays that grew by `text` bytes and `pieces` pieces in front.
    pub(crate) fn moved(self, text: usize, pieces: usize) -> Self {
        let by = if self.len & PLAIN != 0 { text } else { pieces };
        Template {
            start: self.start + by as u32,
            len: self.len,
        }
    }

    /// The plain text, if the template has no variables.
    fn as_plain(self, story: &Story) -> Option<&str> {
        (self.len & PLAIN != 0).then(|| {
            let start = self.start as usize;
            &story.text[start..start + (self.len & !PLAIN) as usize]
        })
    }

    fn pieces(self, story: &Story) -> &[Piece] {
        if self.len & PLAIN != 0 {
            return &[];
        }
        let start = self.start as usize;
        &story.pieces[start..start + self.len as usize]
    }

    /// Renders the text for the state: variables filled in, inline conditions evaluated,
    /// alternatives at how often they have been shown (nothing advances: see `render_shown`).
    /// Plain text is borrowed, never copied.
    pub fn render<'s>(self, story: &'s Story, st: &StoryState) -> Cow<'s, str> {
        match self.as_plain(story) {
            Some(text) => Cow::Borrowed(text),
            None => {
                let mut out = String::with_capacity(64);
                self.render_into(story, st, &mut out, &mut None);
                Cow::Owned(out)
            }
        }
    }

    /// `render`, also listing the alternatives' counter slots it showed, so the caller can
    /// advance them once the text is delivered.
    pub(crate) fn render_shown<'s>(
        self,
        story: &'s Story,
        st: &StoryState,
        shown: &mut Vec<u32>,
    ) -> Cow<'s, str> {
        match self.as_plain(story) {
            Some(text) => Cow::Borrowed(text),
            None => {
                let mut out = String::with_capacity(64);
                self.render_into(story, st, &mut out, &mut Some(shown));
                Cow::Owned(out)
            }
        }
    }

    /// Renders into `out`. Nesting is bounded when the story loads (`MAX_TEXT_DEPTH`), so the
    /// recursion is too.
    fn render_into(
        self,
        story: &Story,
        st: &StoryState,
        out: &mut String,
        shown: &mut Option<&mut Vec<u32>>,
    ) {
        if let Some(text) = self.as_plain(story) {
            out.push_str(text);
            return;
        }
        for p in self.pieces(story) {
            match *p {
                Piece::Lit(a, b) => out.push_str(&story.text[a as usize..b as usize]),
                Piece::Var(slot) => match st.vars.get(slot as usize) {
                    // A memory with forms (`full phrase|handle|...`): the full phrase the first
                    // time it is read, then each handle in turn, the last for ever.
                    Some(Value::Fact(Some(t))) if t.contains('|') => {
                        let told = st.fact_told.get(slot as usize).copied().unwrap_or(0);
                        let forms: Vec<&str> = t.split('|').collect();
                        out.push_str(forms[(told as usize).min(forms.len() - 1)]);
                        if let Some(shown) = shown.as_deref_mut() {
                            shown.push(FACT_SHOWN | slot);
                        }
                    }
                    Some(Value::Text(t) | Value::Fact(Some(t))) => out.push_str(t),
                    Some(Value::Number(n)) => {
                        use std::fmt::Write;
                        let _ = write!(out, "{n}");
                    }
                    Some(Value::Flag(b)) => out.push_str(if *b { "true" } else { "false" }),
                    _ => {}
                },
                Piece::If(cond, at) => {
                    let holds = story
                        .inline_conds
                        .get(cond as usize)
                        .is_some_and(|c| c.eval(st));
                    let branch = at as usize + usize::from(!holds);
                    if let Some(t) = story.alts.get(branch) {
                        t.render_into(story, st, out, shown);
                    }
                }
                Piece::Alt(kind, slot, at, n) => {
                    let count = st.alt_seen.get(slot as usize).copied().unwrap_or(0);
                    let roll = shuffle_roll(st.seed, slot, count);
                    if let Some(i) = kind.pick(count, n, roll)
                        && let Some(t) = story.alts.get((at + i) as usize)
                    {
                        t.render_into(story, st, out, shown);
                    }
                    if let Some(shown) = shown.as_deref_mut() {
                        shown.push(slot);
                    }
                }
            }
        }
    }

    /// Variable slots the template reads: interpolated, and in its inline conditions (every
    /// branch, since any may show).
    pub fn reads(self, story: &Story) -> impl Iterator<Item = usize> {
        let mut out = Vec::new();
        self.collect_reads(story, &mut out);
        out.into_iter()
    }

    fn collect_reads(self, story: &Story, out: &mut Vec<usize>) {
        for p in self.pieces(story) {
            match *p {
                Piece::Var(s) => out.push(s as usize),
                Piece::Lit(..) => {}
                Piece::If(cond, at) => {
                    if let Some(c) = story.inline_conds.get(cond as usize) {
                        c.reads(out);
                    }
                    for t in story.alts.iter().skip(at as usize).take(2) {
                        t.collect_reads(story, out);
                    }
                }
                Piece::Alt(_, _, at, n) => {
                    for t in story.alts.iter().skip(at as usize).take(n as usize) {
                        t.collect_reads(story, out);
                    }
                }
            }
        }
    }

    /// Variable slots the template can show (interpolated, in any branch), not those its
    /// conditions only read.
    pub fn shows(self, story: &Story) -> Vec<usize> {
        let mut out = Vec::new();
        self.collect_shows(story, &mut out);
        out
    }

    fn collect_shows(self, story: &Story, out: &mut Vec<usize>) {
        for p in self.pieces(story) {
            match *p {
                Piece::Var(s) => out.push(s as usize),
                Piece::Lit(..) => {}
                Piece::If(_, at) => {
                    for t in story.alts.iter().skip(at as usize).take(2) {
                        t.collect_shows(story, out);
                    }
                }
                Piece::Alt(_, _, at, n) => {
                    for t in story.alts.iter().skip(at as usize).take(n as usize) {
                        t.collect_shows(story, out);
                    }
                }
            }
        }
    }

    /// The template as written, with `{name}` for variables and `{...}` for inline logic (for
    /// reports).
    pub fn source(self, story: &Story) -> String {
        if let Some(text) = self.as_plain(story) {
            return text.replace('{', "{{").replace('}', "}}");
        }
        let branches = |at: u32, n: u32| {
            story
                .alts
                .iter()
                .skip(at as usize)
                .take(n as usize)
                .map(|t| t.source(story))
                .collect::<Vec<_>>()
                .join("|")
        };
        self.pieces(story)
            .iter()
            .map(|p| match *p {
                Piece::Lit(a, b) => story.text[a as usize..b as usize]
                    .replace('{', "{{")
                    .replace('}', "}}"),
                Piece::Var(slot) => format!("{{{}}}", story.variables[slot as usize].name),
                Piece::If(_, at) => format!("{{...: {}}}", branches(at, 2)),
                Piece::Alt(kind, _, at, n) => {
                    let mark = match kind {
                        AltKind::Sequence => "",
                        AltKind::Cycle => "&",
                        AltKind::Shuffle => "~",
                        AltKind::Once => "!",
                    };
                    format!("{{{mark}{}}}", branches(at, n))
                }
            })
            .collect()
    }
}

/// Marks a memory's slot among the alternatives' in `Template::render_shown`'s list.
pub(crate) const FACT_SHOWN: u32 = 1 << 31;

/// One piece of text kept as written (a title, a summary, a letter's heading or prompt): a
/// literal run, an escaped brace (`{{` or `}}`, both characters), or a `{name}` (`raw` is the
/// braces and all). A `{` with no `}` after it, or a lone `}`, is literal. The loader
/// (`kept_text`) and `Story::interpolate` read these texts through this one scanner, so both see
/// the same names.
pub(crate) enum Kept<'t> {
    Lit(&'t str),
    Escape(&'t str),
    Name { name: &'t str, raw: &'t str },
}

/// The pieces of `text`, in order (see `Kept`).
pub(crate) fn kept_pieces(text: &str) -> impl Iterator<Item = Kept<'_>> {
    let mut rest = text;
    let mut pending: Option<Kept<'_>> = None;
    std::iter::from_fn(move || {
        if let Some(p) = pending.take() {
            return Some(p);
        }
        if rest.is_empty() {
            return None;
        }
        let Some(i) = rest.find(['{', '}']) else {
            let lit = rest;
            rest = "";
            return Some(Kept::Lit(lit));
        };
        let (lit, tail) = rest.split_at(i);
        let (piece, after) = if tail.starts_with("{{") || tail.starts_with("}}") {
            (Kept::Escape(&tail[..2]), &tail[2..])
        } else if let Some(close) = tail.strip_prefix('{').and_then(|t| t.find('}')) {
            let raw = &tail[..close + 2];
            (
                Kept::Name {
                    name: raw[1..raw.len() - 1].trim(),
                    raw,
                },
                &tail[close + 2..],
            )
        } else {
            (Kept::Lit(&tail[..1]), &tail[1..])
        };
        rest = after;
        if lit.is_empty() {
            Some(piece)
        } else {
            pending = Some(piece);
            Some(Kept::Lit(lit))
        }
    })
}

/// The seeded draw of a shuffle: a mix of the playthrough's seed, the alternative and how often
/// it has been shown (SplitMix64's finaliser), so a replay draws the same and no generator
/// state is consumed by text.
fn shuffle_roll(seed: u64, slot: u32, count: u32) -> u64 {
    let mut z =
        seed ^ (u64::from(slot) << 32 | u64::from(count)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49eb_1331_11eb);
    z ^ (z >> 31)
}

/// One line of dialogue or narration.
#[derive(Debug, Clone)]
pub struct LineDef {
    /// Speaker (index into `Story::characters`), or `None` for narration.
    pub speaker: Option<usize>,
    /// The words.
    pub text: Template,
    /// The node it belongs to.
    pub node: NodeIx,
    /// Its place among the node's lines (0-based): the `N` of its fallback id `chapter.node:N`
    /// (`Story::line_id`) when it has no tag, kept as a number so loading makes no string.
    pub number: u32,
    /// Its stable id from a `#line:ID` tag at the end of its text (`her tag` stamps them), which
    /// survives edits, moves and insertions around it.
    pub tag: Option<Box<str>>,
    /// Glue (ink's `<>`): the next line continues this one.
    pub glue: bool,
}

/// A declared variable.
#[derive(Debug, Clone)]
pub struct Variable {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: VarType,
    /// Its starting value.
    pub default: Value,
}

/// A speaker.
#[derive(Debug, Clone)]
pub struct Character {
    /// Stable id (`os`).
    pub id: String,
    /// Display name, may interpolate.
    pub name: Template,
    /// The operating system's voice.
    pub os: bool,
}

/// An ending.
#[derive(Debug, Clone)]
pub struct Ending {
    /// Stable id.
    pub id: String,
    /// Title on the ending screen.
    pub title: String,
    /// One sentence.
    pub summary: String,
}

/// A letter to compose.
#[derive(Debug, Clone)]
pub struct Letter {
    /// Stable id.
    pub id: String,
    /// Addressee line.
    pub to: String,
    /// Paragraphs.
    pub paragraphs: Vec<Paragraph>,
}

/// One paragraph of a letter.
#[derive(Debug, Clone)]
pub struct Paragraph {
    /// The prompt.
    pub prompt: Option<String>,
    /// The fragments.
    pub fragments: Vec<Fragment>,
}

/// A fragment of a paragraph.
#[derive(Debug, Clone)]
pub struct Fragment {
    /// Stable id within its letter (given as `id:`, or `P.F` by position: paragraph and
    /// fragment, 1-based).
    pub id: String,
    /// The words.
    pub text: Template,
    /// When offered.
    pub when: Option<Cond>,
    /// Effects when chosen.
    pub effects: Vec<Effect>,
}

/// A `Variants` or `Random` group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Random (by weight) rather than most specific.
    pub random: bool,
    /// The candidates.
    pub variants: Vec<Variant>,
    /// Where to continue when no candidate holds.
    pub after: usize,
    /// The node it belongs to.
    pub node: NodeIx,
}

/// A candidate of a group.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Its condition.
    pub when: Option<CompiledCond>,
    /// Its weight (random groups).
    pub weight: u32,
    /// Its block of ops.
    pub entry: usize,
    /// Index for least-recently-seen bookkeeping.
    pub global: usize,
    /// Its source offset, for messages.
    pub source: SourceRef,
    /// At most this many plays in a playthrough (0: no limit).
    pub max: u32,
    /// Beats (variants played anywhere) before it may play again (0: no wait).
    pub cooldown: u32,
}

/// A choice.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Stable id within its node (given, or its position).
    pub id: String,
    /// What the player sees.
    pub text: Template,
    /// When offered.
    pub when: Option<Cond>,
    /// Never again once chosen.
    pub once: bool,
    /// Its block of ops (effects, `then`, and the way on).
    pub entry: usize,
    /// Index for `once` bookkeeping.
    pub global: usize,
}

// A node's choices are read together at every decision: keep one within about a cache line.
const _: () = assert!(std::mem::size_of::<Choice>() <= 96);
const _: () = assert!(std::mem::size_of::<Cond>() <= 40);

/// One operation of the compiled program. Conditions are boxed so an op stays small: the
/// program is walked at millions of steps a second, and a smaller op is fewer cache misses.
#[derive(Debug, Clone)]
pub enum Op {
    /// Arrive at a node (its index and its chapter's): gate, chapter change, visit count.
    Enter(u32, u32, Option<Box<(Cond, NodeIx)>>),
    /// Deliver a line: what it needs to be shown is here, so the walk reads nothing else.
    Line(LineOp),
    /// Pick a candidate of a group and jump to it.
    Group(usize),
    /// Jump when the condition does not hold.
    JumpUnless(Box<Cond>, usize),
    /// Jump.
    Jump(usize),
    /// Apply effects: `start..end` of `Story::effects`.
    Effects(u32, u32),
    /// Add a constant to a number variable (`trust += 1`, `trust -= 1`): the commonest effect,
    /// kept in the op itself so applying it reads nothing else.
    AddConst(u32, i64),
    /// A scene directive.
    Scene(Box<SceneDef>),
    /// A silence.
    Pause(f32),
    /// Compose a letter.
    Letter(usize),
    /// Show a composed letter.
    ShowLetter(usize),
    /// Leave for a node: its index and its entry in the program (so a jump reads nothing else).
    Goto(u32, u32),
    /// The story ends.
    End(usize),
    /// Detour to a node (its index and its entry, like `Goto`), coming back to the next op.
    Detour(u32, u32),
    /// Back from a detour.
    Return,
    /// Offer a choice set; fall through when none holds.
    Choices(ChoicesOp),
    /// Nowhere to go: a dead end (validation warns about reachable ones).
    DeadEnd(NodeIx),
}

// The walk reads an op per step: keep them three words at most (a test would only say so
// after the fact; this says it at compile time).
const _: () = assert!(std::mem::size_of::<Op>() <= 24);

/// `Op::Line`: the line's index, speaker and words.
#[derive(Debug, Clone, Copy)]
pub struct LineOp {
    /// Index into `Story::lines`.
    pub line: u32,
    /// Index into `Story::characters`, or `NARRATION`.
    pub speaker: u32,
    /// The words.
    pub text: Template,
    /// Glue (ink's `<>`): the next line continues this one, delivered as one line.
    pub glue: bool,
}

/// `LineOp::speaker` for narration.
pub const NARRATION: u32 = u32::MAX;

/// `Op::Choices`: the set's index and where its choices are in `Story::choices`.
#[derive(Debug, Clone, Copy)]
pub struct ChoicesOp {
    /// Index into `Story::choice_sets` (saves name sets by it).
    pub set: u32,
    /// First choice in `Story::choices`.
    pub start: u32,
    /// How many.
    pub len: u32,
}

impl Story {
    /// The story's title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The chapters, in playing order.
    pub fn chapters(&self) -> &[Chapter] {
        &self.chapters
    }

    /// Every node, chapter by chapter (`NodeIx` indexes it).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Every line (`LineEvent::index` and `StoryState::last_line` index it).
    pub fn lines(&self) -> &[LineDef] {
        &self.lines
    }

    /// The declared variables, in slot order (`StoryState::vars` follows it).
    pub fn variables(&self) -> &[Variable] {
        &self.variables
    }

    /// The speakers.
    pub fn characters(&self) -> &[Character] {
        &self.characters
    }

    /// The declared endings.
    pub fn endings(&self) -> &[Ending] {
        &self.endings
    }

    /// The letters.
    pub fn letters(&self) -> &[Letter] {
        &self.letters
    }

    /// Every choice, node after node.
    pub fn choices(&self) -> &[Choice] {
        &self.choices
    }

    /// Where the story starts.
    pub fn start(&self) -> NodeIx {
        self.start
    }

    /// A hash of the content the story was built from (base and mods): what saves carry.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The names of the mods laid over the base story, in order.
    pub fn mods(&self) -> &[String] {
        &self.mods
    }

    /// The mods laid over the base story as saves remember them, `id version` (or the id alone
    /// when a mod gives no version), in load order.
    pub fn mod_labels(&self) -> &[String] {
        &self.mod_labels
    }

    /// The compiled program and its tables, printed (every table but the name indices, whose
    /// order is a hash map's): what two compiles of the same story must agree on, word for
    /// word. For tests and debugging.
    #[doc(hidden)]
    pub fn program_listing(&self) -> String {
        format!(
            "ops {:?}\nlines {:?}\ntext {:?}\npieces {:?}\nchoices {:?}\nsets {:?}\ngroups {:?}\neffects {:?}\nletters {:?}\nnodes {:?}\ncounts {} {}",
            self.ops,
            self.lines,
            self.text,
            self.pieces,
            self.choices,
            self.choice_sets,
            self.groups,
            self.effects,
            self.letters,
            self.nodes,
            self.choice_count,
            self.variant_count
        )
    }

    /// How many lines, choices and letter fragments have no stable id: a story with none at all
    /// is told so once (`her check`'s summary); one with some has `W120` per file.
    pub fn untagged(&self) -> usize {
        self.untagged
    }

    /// Each node's part of the compiled program (`ops`), by node: from its entry to the next
    /// node's entry, in program order. What owns an op, for the flowchart and the proof.
    pub(crate) fn node_ranges(&self) -> Vec<Range<usize>> {
        let mut entries: Vec<(usize, usize)> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.entry, i))
            .collect();
        entries.sort_unstable();
        let mut ranges = vec![0..0; self.nodes.len()];
        for (k, &(entry, node)) in entries.iter().enumerate() {
            let end = entries.get(k + 1).map_or(self.ops.len(), |e| e.0);
            ranges[node] = entry..end;
        }
        ranges
    }

    /// The relationship axes the story declares (`axes:`): each a number variable's slot and
    /// its label, in declared order.
    pub fn axes(&self) -> &[(usize, String)] {
        &self.axes
    }

    /// The writer's hint for a locked node (`chapter.node`) or choice (`chapter.node/choice`),
    /// if they gave one (`hint:`).
    pub fn hint(&self, key: &str) -> Option<&str> {
        self.hints.get(key).map(String::as_str)
    }

    /// Whether some variant (in `Variants` or `Random`) changes variables when it plays: then
    /// which one plays can change where the story goes, and `explore` must tell apart states
    /// that would pick differently.
    pub fn variants_have_effects(&self) -> bool {
        self.groups.iter().flat_map(|g| &g.variants).any(|v| {
            self.ops[v.entry..]
                .iter()
                .take_while(|op| !matches!(op, Op::Jump(_)))
                .any(|op| matches!(op, Op::Effects(..) | Op::AddConst(..)))
        })
    }

    /// Every literal word of the story, node after node (what the game draws glyphs for).
    pub fn all_text(&self) -> &str {
        &self.text
    }

    /// The choices of a set, in order.
    pub fn choice_set(&self, set: usize) -> &[Choice] {
        &self.choices[self.choice_sets[set].clone()]
    }

    /// The effects an `Op::Effects` applies.
    pub fn effect_list(&self, start: u32, end: u32) -> &[Effect] {
        &self.effects[start as usize..end as usize]
    }

    /// A node by its full id (`chapter.node`), or a chapter id (its start node).
    pub fn node(&self, id: &str) -> Option<NodeIx> {
        // As a mod names them (docs/modding.md): `@base/c.n` is `c.n`; `@m/c.n` is the mod's own
        // chapter's node `m/c.n` or its node in another's chapter `c.m/n`.
        let written = match id.strip_prefix('@').and_then(|r| r.split_once('/')) {
            Some(("base", rest)) => vec![rest.to_owned()],
            Some((m, rest)) => {
                let mut ids = vec![format!("{m}/{rest}")];
                if let Some((c, n)) = rest.split_once('.') {
                    ids.push(format!("{c}.{m}/{n}"));
                }
                ids
            }
            None => vec![id.to_owned()],
        };
        written.iter().find_map(|id| {
            self.node_index
                .get(id)
                .copied()
                .or_else(|| self.chapters.iter().find(|c| c.id == *id).map(|c| c.start))
        })
    }

    /// A line's stable id: its `#line:` tag when it has one, else `chapter.node:N` (its place
    /// in the node, 0-based: a fallback that an insertion above it changes). What saves name as
    /// a position and the game remembers as seen.
    pub fn line_id(&self, line: usize) -> String {
        let l = &self.lines[line];
        match &l.tag {
            Some(tag) => tag.to_string(),
            None => format!("{}:{}", self.nodes[l.node].id, l.number),
        }
    }

    /// Whether `id` names the line: its id, or for a mod's tagged line (`mod/abc`) the tag alone
    /// (`abc`), as saves written before a mod's line ids were its own name it.
    pub fn line_named(&self, line: usize, id: &str) -> bool {
        let l = &self.lines[line];
        match &l.tag {
            Some(tag) => &**tag == id || tag.split_once('/').is_some_and(|(_, bare)| bare == id),
            None => self.line_id(line) == id,
        }
    }

    /// Text kept as written (a chapter's or ending's title, a summary, a letter's heading or
    /// prompt) with its `{name}`s filled in from the state; `{{` and `}}` are literal braces.
    /// The loader has checked every name (`E010`); an unknown one is left as written.
    pub fn interpolate<'t>(&self, text: &'t str, vars: &[super::expr::Value]) -> Cow<'t, str> {
        if !text.contains(['{', '}']) {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + 16);
        for piece in kept_pieces(text) {
            match piece {
                Kept::Lit(lit) => out.push_str(lit),
                Kept::Escape(pair) => out.push_str(&pair[..1]),
                Kept::Name { name, raw } => {
                    match self.variable(name).and_then(|slot| vars.get(slot)) {
                        Some(super::expr::Value::Text(t) | super::expr::Value::Fact(Some(t))) => {
                            // A memory's forms: its full phrase.
                            out.push_str(t.split('|').next().unwrap_or(t))
                        }
                        Some(super::expr::Value::Number(n)) => out.push_str(&n.to_string()),
                        Some(super::expr::Value::Flag(b)) => {
                            out.push_str(if *b { "true" } else { "false" })
                        }
                        Some(super::expr::Value::Fact(None)) => {}
                        None => out.push_str(raw),
                    }
                }
            }
        }
        Cow::Owned(out)
    }

    /// A variable's slot by name.
    pub fn variable(&self, name: &str) -> Option<usize> {
        self.variable_index.get(name).copied()
    }

    /// A character by id.
    pub fn character(&self, id: &str) -> Option<&Character> {
        self.character_index.get(id).map(|&i| &self.characters[i])
    }

    /// A chapter's index by id. A mod's chapter is `mod/chapter` in the story; it is also
    /// found by its own id alone (`chapter`) when no other chapter has that id, as it was
    /// before mods had namespaces.
    pub fn chapter(&self, id: &str) -> Option<usize> {
        let id = id.strip_prefix('@').unwrap_or(id);
        let id = id.strip_prefix("base/").unwrap_or(id);
        self.chapters.iter().position(|c| c.id == id).or_else(|| {
            let mut own = self
                .chapters
                .iter()
                .enumerate()
                .filter(|(_, c)| c.id.split_once('/').is_some_and(|(_, own)| own == id));
            match (own.next(), own.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        })
    }

    /// A letter's index by id.
    pub fn letter(&self, id: &str) -> Option<usize> {
        self.letters.iter().position(|l| l.id == id)
    }
}

/// Splits a `#line:ID` tag (Yarn Spinner's line tag) off the end of a line's text: the words
/// and the id. The id is letters, digits, `_` and `-`; anything else is left as text.
pub fn split_line_tag(text: &str) -> (&str, Option<&str>) {
    let trimmed = text.trim_end();
    if let Some(at) = trimmed.rfind("#line:") {
        let tag = &trimmed[at + "#line:".len()..];
        if !tag.is_empty()
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return (trimmed[..at].trim_end(), Some(tag));
        }
    }
    (text, None)
}
