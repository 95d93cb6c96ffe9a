//! Saves and recordings: one versioned document, the playthrough (`Playthrough`), that names a
//! moment of play by stable ids only: the seed, each decision by its node and its choice's id
//! (with the 1-based option number beside it, as `her read --choices` takes them), and the
//! position reached after the last decision by a line id and an event count.
//!
//! Resuming never trusts a raw program counter or table index: the state is always rebuilt by
//! replaying from the seed through the decisions by id (as rollback does), then checked. So a
//! tampered document, one written by another build, or one made against an edited story comes
//! back exactly, or at the nearest point that still fits with a message saying what changed;
//! never a panic. A save (`SaveDoc`) is the document plus its label, time and chapter; a
//! recording or replay file is the document alone. The document names its story by
//! fingerprint, never by a path: players share these files, and one must never make a tool
//! read a file it names.
//!
//! Files are written atomically (`write_atomic`, on `tempfile`'s persist): a crash at any
//! moment leaves the old file or the new one, never a torn one.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::model::Story;
use super::runtime::{Event, Pick, StoryState};

/// The document's format version: 2 is the playthrough by stable ids (1 held raw engine state).
pub const FORMAT: u32 = 2;

/// The engine's version: bumped whenever the same story, seed and decisions could play
/// differently (how variants are picked, how the generator is drawn). Part of the check on
/// resume.
pub const ENGINE: u32 = 1;

/// The largest document the tools read: a playthrough of the shipped story is a few kB.
pub const MAX_DOCUMENT_BYTES: u64 = 8 << 20;

/// One decision, by stable ids, so it can be found again in an edited story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedDecision {
    /// The node where it was made (`chapter.node`).
    pub at: String,
    /// The choice's id in that node, or `letter/fragment` for a letter fragment.
    pub pick: String,
}

/// Where the playthrough was after its last decision: the events delivered since and the last
/// line among them, so a resume stops at the same moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// The last line delivered, by its stable id (`Story::line_id`); `None` before any line.
    pub line: Option<String>,
    /// Events delivered since the last decision (or the start).
    pub events: u32,
}

/// A moment of play, by stable ids: what saves, recordings and shared replay files are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Playthrough", deny_unknown_fields)]
pub struct Playthrough {
    /// The document's format (`FORMAT`).
    pub format: u32,
    /// The engine that played it (`ENGINE`).
    pub engine: u32,
    /// The story's title, for people.
    pub story: String,
    /// The story's content fingerprint (base and mods together).
    pub fingerprint: String,
    /// The mods laid over the base story, in order.
    #[serde(default)]
    pub mods: Vec<String>,
    /// The same mods with their versions, `id version` (`Story::mod_labels`): what resuming
    /// compares, to say which mods are missing. Left out when there are none, so a document of
    /// the base story reads as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mod_versions: Vec<String>,
    /// The seed of the playthrough's generator.
    pub seed: u64,
    /// Where it began when it is a test start (`her read --from`), not the story's start.
    #[serde(default)]
    pub start: Option<super::runtime::TestStart>,
    /// The options chosen, 1-based, one per decision: what `her read --choices` takes. With
    /// `decisions` they must agree; alone (a hand-written replay) they are followed as numbers.
    #[serde(default)]
    pub choices: Vec<u32>,
    /// The decisions by stable ids; resuming follows these.
    #[serde(default)]
    pub decisions: Vec<SavedDecision>,
    /// Where play was after the last decision; `None`: just after it.
    #[serde(default)]
    pub position: Option<Position>,
}

/// A save file: the playthrough, and what the save list shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Save", deny_unknown_fields)]
pub struct SaveDoc {
    /// The moment saved.
    pub playthrough: Playthrough,
    /// A label for the save list (chapter title, say).
    pub label: String,
    /// Seconds since 1970 when saved.
    pub saved_at: u64,
    /// The chapter id when saved.
    #[serde(default)]
    pub chapter: Option<String>,
}

/// Why a document could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a save or a playthrough (or is damaged).
    #[error("{path}: this is not a readable {what} ({message})")]
    Format {
        /// The file.
        path: PathBuf,
        /// "save" or "playthrough".
        what: &'static str,
        /// What is wrong, with the line and column.
        message: String,
    },
    /// A newer game made it.
    #[error(
        "{path}: this was made by a newer version of the game (format {found}; this game reads {FORMAT} and older)"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
}

/// How a playthrough was resumed.
#[derive(Debug, Clone, PartialEq)]
pub enum Resume {
    /// Every decision and the position fit: the exact state.
    Exact(StoryState),
    /// Something did not fit: the state at the nearest point that still does.
    Replayed {
        /// The state reached.
        state: StoryState,
        /// How many of the decisions were replayed.
        replayed: usize,
        /// What changed, for the player (option numbers 1-based).
        message: String,
    },
}

impl Resume {
    /// The state to continue from.
    pub fn state(&self) -> &StoryState {
        match self {
            Resume::Exact(s) | Resume::Replayed { state: s, .. } => s,
        }
    }

    /// Takes the state.
    pub fn into_state(self) -> StoryState {
        match self {
            Resume::Exact(s) | Resume::Replayed { state: s, .. } => s,
        }
    }
}

/// A document that cannot be followed at all (edited by hand into nonsense): the message says
/// which entry and why, numbers 1-based.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

impl Playthrough {
    /// The playthrough that led to `state`.
    pub fn new(story: &Story, state: &StoryState) -> Self {
        let decisions = state
            .decisions
            .iter()
            .map(|d| SavedDecision {
                at: story
                    .nodes
                    .get(d.node as usize)
                    .map(|n| n.id.clone())
                    .unwrap_or_default(),
                pick: pick_id(story, d.pick),
            })
            .collect();
        Playthrough {
            format: FORMAT,
            engine: ENGINE,
            story: story.title.clone(),
            fingerprint: story.fingerprint.clone(),
            mods: story.mods.clone(),
            mod_versions: story.mod_labels.clone(),
            seed: state.seed,
            start: state.test_start.as_deref().cloned(),
            choices: state.decisions.iter().map(|d| d.offered + 1).collect(),
            decisions,
            position: Some(Position {
                line: state.last_line.map(|l| story.line_id(l as usize)),
                events: state.since_decision,
            }),
        }
    }

    /// The document as RON text.
    pub fn to_ron(&self) -> String {
        to_ron(self)
    }

    /// Reads a document from RON text (a byte-order mark is allowed). Unknown fields are
    /// refused; a newer format says so.
    pub fn from_ron(text: &str, path: &Path) -> Result<Self, SaveError> {
        parse(text, path, "playthrough")
    }

    /// Reads a playthrough file (at most `MAX_DOCUMENT_BYTES`).
    pub fn read(path: &Path) -> Result<Self, SaveError> {
        Self::from_ron(&read_document(path, MAX_DOCUMENT_BYTES, "document")?, path)
    }

    /// Writes the document atomically.
    pub fn write(&self, path: &Path) -> Result<(), SaveError> {
        write_atomic(path, self.to_ron().as_bytes())
    }

    /// The playthrough up to (not including) decision `k`, with no position: where a jump
    /// back to that decision resumes.
    pub fn up_to(&self, k: usize) -> Playthrough {
        let mut doc = self.clone();
        doc.decisions.truncate(k);
        doc.choices.truncate(k);
        doc.position = None;
        doc
    }

    /// The exact state at decision `k` (0-based), waiting for that choice, as the player was
    /// there: variables, memories, visit counts, the generator. Rebuilt by replay, like every
    /// resume; `None` when the story no longer leads there.
    pub fn state_at(&self, story: &Story, k: usize) -> Option<StoryState> {
        let replayed = self.up_to(k).replay(story, |_, _, _| {}).ok()?;
        if replayed.problem.is_some() {
            return None;
        }
        let mut st = replayed.state;
        // On to the decision itself (bounded by the engine's own guard).
        for _ in 0..=super::runtime::EVENT_LIMIT {
            let event = story.next(&mut st);
            if event.is_decision() {
                return Some(st);
            }
            if event.is_final() {
                return None;
            }
        }
        None
    }

    /// How many decisions the document holds.
    pub fn len(&self) -> usize {
        self.choices.len().max(self.decisions.len())
    }

    /// Whether it holds no decision.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks what can be checked without a story: the format, and that the two lists agree in
    /// length and number options from 1.
    pub fn validate(&self) -> Result<(), Refused> {
        if self.format > FORMAT {
            return Err(Refused(format!(
                "this playthrough is format {}, and this build reads {FORMAT} and older",
                self.format
            )));
        }
        if let Some(k) = self.choices.iter().position(|&c| c == 0) {
            return Err(Refused(format!(
                "choice {} of the playthrough is 0: options are numbered from 1",
                k + 1
            )));
        }
        if !self.decisions.is_empty() && self.choices.len() != self.decisions.len() {
            return Err(Refused(format!(
                "the playthrough lists {} choices but {} decisions: the two must agree",
                self.choices.len(),
                self.decisions.len()
            )));
        }
        Ok(())
    }

    /// Replays the playthrough in a story from its seed, calling `on_event` for every event,
    /// and stops at its position (or at the first thing that no longer fits). Never panics.
    ///
    /// Errors: `Refused` when the document contradicts itself (a choice 0, a number past the
    /// options offered while the story is unchanged, a number and an id that disagree).
    pub fn replay(
        &self,
        story: &Story,
        mut on_event: impl FnMut(&Story, &StoryState, &Event<'_>),
    ) -> Result<Replayed, Refused> {
        self.validate()?;
        let same_story = self.fingerprint == story.fingerprint && self.engine == ENGINE;
        let mut st = match &self.start {
            Some(start) => story
                .state_from(self.seed, start)
                .map_err(|e| Refused(format!("its test start cannot be made: {e}")))?,
            None => story.new_state(self.seed),
        };
        let mut problem = None;
        let total = self.len();
        'decisions: for k in 0..total {
            loop {
                let event = story.next(&mut st);
                on_event(story, &st, &event);
                if event.is_final() {
                    problem = Some(format!(
                        "the story now ends before decision {} of {total}",
                        k + 1
                    ));
                    break 'decisions;
                }
                if !event.is_decision() {
                    continue;
                }
                let options = offered_ids(&st, &event);
                let by_id = self.decisions.get(k).map(|d| {
                    let here = &story.nodes[st.node()].id;
                    if *here != d.at {
                        Err(format!(
                            "decision {} was made at `{}`, but the story now asks at `{here}`",
                            k + 1,
                            d.at
                        ))
                    } else {
                        let by_number = || {
                            // A positional id (an untagged choice, `2`, or fragment, `l/1.2`),
                            // saved before `her tag` named it: its number still says which.
                            let positional = d
                                .pick
                                .rsplit('/')
                                .next()
                                .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit() || c == '.'));
                            let n = *self.choices.get(k)? as usize;
                            (positional && (1..=options.len()).contains(&n)).then(|| n - 1)
                        };
                        options.iter().position(|id| *id == d.pick).or_else(by_number).ok_or_else(|| {
                            format!(
                                "at `{}`, the option taken at decision {} (`{}`) is no longer there",
                                d.at,
                                k + 1,
                                d.pick
                            )
                        })
                    }
                });
                let number = self.choices.get(k).map(|&n| n as usize);
                let index = match (by_id, number) {
                    (Some(Ok(i)), Some(n)) if same_story && n != i + 1 => {
                        return Err(Refused(format!(
                            "choice {} of the playthrough is {n}, but its id `{}` is option {} here: the document was edited",
                            k + 1,
                            self.decisions[k].pick,
                            i + 1
                        )));
                    }
                    (Some(Ok(i)), _) => i,
                    (Some(Err(e)), _) if same_story => {
                        return Err(Refused(format!(
                            "{e}, though the story is the one it was made with: the document was edited"
                        )));
                    }
                    (Some(Err(e)), _) => {
                        problem = Some(e);
                        break 'decisions;
                    }
                    (None, Some(n)) if n > options.len() => {
                        let msg = format!(
                            "choice {} of the playthrough is {n}, but there are only {} options here",
                            k + 1,
                            options.len()
                        );
                        if same_story {
                            return Err(Refused(msg));
                        }
                        problem = Some(msg);
                        break 'decisions;
                    }
                    (None, Some(n)) => n - 1,
                    (None, None) => break 'decisions,
                };
                if story.choose(&mut st, index).is_err() {
                    problem = Some(format!("decision {} cannot be taken", k + 1));
                    break 'decisions;
                }
                continue 'decisions;
            }
        }
        let replayed = st.decisions.len();
        if problem.is_none()
            && let Some(position) = &self.position
        {
            problem = self.follow_position(story, &mut st, position, &mut on_event);
        }
        Ok(Replayed {
            state: st,
            replayed,
            problem,
            same_story,
        })
    }

    /// Steps from just after the last decision to the saved position: `events` events, the
    /// last line among them named `line`. In an edited story, the line is looked for up to the
    /// next decision; not found, play stays just after the last decision.
    fn follow_position(
        &self,
        story: &Story,
        st: &mut StoryState,
        position: &Position,
        on_event: &mut impl FnMut(&Story, &StoryState, &Event<'_>),
    ) -> Option<String> {
        if position.events == 0 {
            // Saved right after the decision: that is where replaying the decisions left us.
            return None;
        }
        let same_story = self.fingerprint == story.fingerprint && self.engine == ENGINE;
        let start = st.clone();
        let mut found_at = None;
        let mut probe = st.clone();
        // Bounded: the search stops at the next decision, an ending, or the engine's guard
        // against a story that goes round forever.
        for n in 1..=position
            .events
            .max(1)
            .saturating_add(super::runtime::EVENT_LIMIT)
        {
            let event = story.next(&mut probe);
            let line_here = match (probe.last_line, &position.line) {
                (Some(l), Some(id)) => story.line_named(l as usize, id),
                (None, None) => true,
                _ => false,
            };
            if n == position.events && line_here {
                found_at = Some(n);
                break;
            }
            // In an edited story the count may have moved: the line's id says where it went.
            if !same_story
                && found_at.is_none()
                && position.line.is_some()
                && matches!(event, Event::Line(_))
                && line_here
            {
                found_at = Some(n);
            }
            if event.is_decision() || event.is_final() {
                break;
            }
        }
        match found_at {
            Some(n) => {
                // Replay up to it with the events reported, on the real state.
                *st = start;
                for _ in 0..n {
                    let event = story.next(st);
                    on_event(story, st, &event);
                }
                // Found by its id, the line is the same moment even when an edit above it moved
                // the count: nothing to tell the player.
                None
            }
            None if position.events == 0 => None,
            None => {
                *st = start;
                Some(match &position.line {
                    Some(line) => format!(
                        "the line you were reading (`{line}`) is no longer where it was; you continue just after your last choice"
                    ),
                    None => "you continue just after your last choice".into(),
                })
            }
        }
    }

    /// Resumes the playthrough in a story: exactly when every decision and the position fit,
    /// else at the nearest point that does, with a message. Never panics.
    pub fn resume(&self, story: &Story) -> Resume {
        let resumed = match self.replay(story, |_, _, _| {}) {
            Ok(r) => r.into_resume(self.len()),
            Err(Refused(why)) => Resume::Replayed {
                state: story.new_state(self.seed),
                replayed: 0,
                message: format!(
                    "This save cannot be followed ({why}); you start from the beginning."
                ),
            },
        };
        // Mods the save was made with and the story now lacks (or holds in another version)
        // are named, whatever else fitted: the player should know what is not there.
        let Some(note) = self.mods_note(story) else {
            return resumed;
        };
        match resumed {
            Resume::Exact(state) => Resume::Replayed {
                replayed: self.len(),
                state,
                message: format!("{note} Your choices all still fit; you continue where you were."),
            },
            Resume::Replayed {
                state,
                replayed,
                message,
            } => Resume::Replayed {
                state,
                replayed,
                message: format!("{note} {message}"),
            },
        }
    }

    /// What the player should hear about the mods: those the save was made with that are not
    /// loaded now (or are loaded in another version). `None` when they match.
    pub fn mods_note(&self, story: &Story) -> Option<String> {
        // Older documents name mods without versions: compare those by name.
        let (saved, now): (&[String], &[String]) = if self.mod_versions.is_empty() {
            (&self.mods, story.mods())
        } else {
            (&self.mod_versions, story.mod_labels())
        };
        let id = |label: &str| label.split(' ').next().unwrap_or_default().to_owned();
        let mut missing = Vec::new();
        let mut other = Vec::new();
        for label in saved {
            if now.contains(label) {
                continue;
            }
            match now.iter().find(|n| id(n) == id(label)) {
                Some(n) => other.push(format!("{label} (now {n})")),
                None => missing.push(label.clone()),
            }
        }
        if missing.is_empty() && other.is_empty() {
            return None;
        }
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!(
                "This save was made with {} {}, which {} not loaded now.",
                if missing.len() == 1 {
                    "the mod"
                } else {
                    "the mods"
                },
                missing.join(", "),
                if missing.len() == 1 { "is" } else { "are" }
            ));
        }
        if !other.is_empty() {
            parts.push(format!(
                "It was made with another version of {}.",
                other.join(", ")
            ));
        }
        Some(parts.join(" "))
    }
}

/// What replaying a playthrough reached.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The state reached.
    pub state: StoryState,
    /// Decisions replayed.
    pub replayed: usize,
    /// What did not fit, if anything (numbers 1-based).
    pub problem: Option<String>,
    /// Whether the story and engine are the ones the document was made with.
    pub same_story: bool,
}

impl Replayed {
    /// The outcome as a `Resume`, with a message for the player when anything changed.
    pub fn into_resume(self, total: usize) -> Resume {
        let changed = if self.same_story {
            "This save"
        } else {
            "The story has changed since this save, and this save"
        };
        match self.problem {
            None if self.same_story => Resume::Exact(self.state),
            None => Resume::Replayed {
                message: format!(
                    "The story has changed since this save. All {} of your choices were replayed; you continue where you were.",
                    self.replayed
                ),
                state: self.state,
                replayed: self.replayed,
            },
            Some(p) => Resume::Replayed {
                message: format!(
                    "{changed} does not fit it all: {p}. {} of {total} choices were replayed; you continue from the last point that still matches.",
                    self.replayed
                ),
                state: self.state,
                replayed: self.replayed,
            },
        }
    }
}

impl SaveDoc {
    /// Makes a save of a state.
    pub fn new(story: &Story, state: &StoryState, label: impl Into<String>) -> Self {
        SaveDoc {
            playthrough: Playthrough::new(story, state),
            label: label.into(),
            saved_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            chapter: state
                .chapter_index()
                .and_then(|c| story.chapters.get(c))
                .map(|c| c.id.clone()),
        }
    }

    /// The document as RON text.
    pub fn to_ron(&self) -> String {
        to_ron(self)
    }

    /// Reads a save from RON text (a byte-order mark is allowed).
    pub fn from_ron(text: &str, path: &Path) -> Result<Self, SaveError> {
        parse(text, path, "save")
    }

    /// Writes the save atomically.
    pub fn write(&self, path: &Path) -> Result<(), SaveError> {
        write_atomic(path, self.to_ron().as_bytes())
    }

    /// Reads a save file (at most `MAX_DOCUMENT_BYTES`).
    pub fn read(path: &Path) -> Result<Self, SaveError> {
        Self::from_ron(&read_document(path, MAX_DOCUMENT_BYTES, "document")?, path)
    }

    /// Resumes the save in a story (see `Playthrough::resume`). Never panics.
    pub fn resume(&self, story: &Story) -> Resume {
        self.playthrough.resume(story)
    }
}

/// A document as pretty RON, struct names included.
pub(crate) fn to_ron<T: Serialize>(doc: &T) -> String {
    let config = ron::ser::PrettyConfig::new()
        .depth_limit(3)
        .struct_names(true);
    ron::ser::to_string_pretty(doc, config).unwrap_or_default()
}

/// Reads a document with a size limit in bytes (a huge or endless file is never read whole), a
/// byte-order mark dropped and bad UTF-8 placed, like every file the tools read.
///
/// Errors: `SaveError::Io` when it cannot be opened or read; `SaveError::Format` (naming it
/// `what`) when it is over the limit, not a plain file, or not UTF-8.
pub fn read_document(path: &Path, limit: u64, what: &'static str) -> Result<String, SaveError> {
    super::files::read_text(path, limit).map_err(|e| match e {
        super::files::ReadError::Io(source) => SaveError::Io {
            path: path.to_path_buf(),
            source,
        },
        other => SaveError::Format {
            path: path.to_path_buf(),
            what,
            message: other.to_string(),
        },
    })
}

fn parse<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
    what: &'static str,
) -> Result<T, SaveError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Read the format first, so a newer document says so instead of failing to parse.
    if let Some(found) = declared_format(text)
        && found > FORMAT
    {
        return Err(SaveError::TooNew {
            path: path.to_path_buf(),
            found,
        });
    }
    from_ron_text(text, path, what)
}

/// Parses RON text into a document; a failure names the file, the line and the column.
pub(crate) fn from_ron_text<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
    what: &'static str,
) -> Result<T, SaveError> {
    ron::Options::default()
        .from_str(text)
        .map_err(|e| SaveError::Format {
            path: path.to_path_buf(),
            what,
            message: format!(
                "line {}, column {}: {}",
                e.span.start.line, e.span.start.col, e.code
            ),
        })
}

/// The `format: N` a document declares, found without parsing the rest.
fn declared_format(text: &str) -> Option<u32> {
    let at = text.find("format")?;
    let rest = text[at + "format".len()..].trim_start().strip_prefix(':')?;
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The stable ids of the options a decision event offers, in order.
fn offered_ids(st: &StoryState, event: &Event<'_>) -> Vec<String> {
    match event {
        Event::Choices(views) => views.iter().map(|v| v.id.to_string()).collect(),
        // The engine's own list of what it offered, named by the fragments' ids.
        Event::Paragraph(p) => st
            .offered_fragments()
            .map(|(_, paragraph, offered)| {
                offered
                    .iter()
                    .filter_map(|&f| p.letter.paragraphs[paragraph].fragments.get(f as usize))
                    .map(|f| format!("{}/{}", p.letter.id, f.id))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The stable id of what a decision picked: the choice's id, or `letter/fragment`.
pub(crate) fn pick_id(story: &Story, pick: Pick) -> String {
    match pick {
        Pick::Choice(global) => story
            .choices
            .get(global as usize)
            .map(|c| c.id.clone())
            .unwrap_or_default(),
        Pick::Fragment(l, p, f) => story
            .letters
            .get(l as usize)
            .and_then(|letter| {
                let fragment = letter
                    .paragraphs
                    .get(p as usize)?
                    .fragments
                    .get(f as usize)?;
                Some(format!("{}/{}", letter.id, fragment.id))
            })
            .unwrap_or_default(),
    }
}

/// Writes a file so that a crash at any moment leaves either the old file or the new one, never
/// a torn one: a temporary file beside it (`tempfile`), written and fsynced, then persisted
/// (renamed) over the old one, and the folder fsynced so the rename itself is durable.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    let io = |source| SaveError::Io {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut file = tempfile::Builder::new()
        .prefix(".her-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.as_file().sync_all().map_err(io)?;
    // On failure the temporary file is removed when it drops; the old file is untouched.
    file.persist(path).map_err(|e| io(e.error))?;
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
