//! The record across playthroughs: what a player has seen in every playthrough (endings with
//! the date each was first reached, letters written, nodes, lines and choices seen) and the
//! playthroughs themselves (each a `Playthrough` document, so any decision visited can be
//! reached again by replay). Read-skip, the flowchart, chapter select and the endings gallery
//! read it.
//!
//! Everything is named by stable ids, so the record survives a story update: an id that no
//! longer exists (a node cut, a mod switched off) is kept and simply not shown, never erased.
//! A new game never loses it; it is written atomically, like saves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::model::Story;
use super::runtime::Event;
use super::save::{Playthrough, Refused, SaveError, write_atomic};

/// The record's format version.
pub const RECORD_FORMAT: u32 = 1;

/// The most playthroughs kept: the oldest unfinished ones go first past it.
pub const MAX_PLAYTHROUGHS: usize = 500;

/// An ending the player has reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndingSeen {
    /// Its title when first reached (the gallery shows it even if the story drops it later).
    pub title: String,
    /// Seconds since 1970 when first reached.
    pub first: u64,
    /// How many playthroughs reached it.
    pub times: u32,
}

/// What a player has seen, across every playthrough.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Record", deny_unknown_fields)]
pub struct Record {
    /// The format (`RECORD_FORMAT`).
    #[serde(default)]
    pub format: u32,
    /// Endings reached, by id.
    #[serde(default)]
    pub endings: BTreeMap<String, EndingSeen>,
    /// Letters composed, by id: how many times.
    #[serde(default)]
    pub letters: BTreeMap<String, u32>,
    /// Nodes entered (`chapter.node`).
    #[serde(default)]
    pub nodes: BTreeSet<String>,
    /// Lines read, by stable id (`Story::line_id`): what read-skip skips.
    #[serde(default)]
    pub lines: BTreeSet<String>,
    /// Choices taken: `chapter.node/choice` (or `chapter.node/letter/fragment`).
    #[serde(default)]
    pub choices: BTreeSet<String>,
    /// The playthroughs, oldest first; a playthrough that goes on replaces its earlier copy.
    #[serde(default)]
    pub playthroughs: Vec<Playthrough>,
}

impl Record {
    /// Notes a playthrough: replays it in the story and adds everything it saw, then keeps the
    /// document (replacing an earlier copy of the same playthrough that it continues).
    /// `now` is seconds since 1970, for endings reached for the first time.
    ///
    /// Errors: the document cannot be followed at all (`Refused`); nothing is changed then.
    pub fn note(&mut self, story: &Story, doc: &Playthrough, now: u64) -> Result<(), Refused> {
        let mut lines = Vec::new();
        let mut letters = Vec::new();
        let replayed = doc.replay(story, |story, _, event| match event {
            Event::Line(l) => lines.push(story.line_id(l.index)),
            Event::LetterDone { letter, .. } => letters.push(letter.id.clone()),
            _ => {}
        })?;
        let st = &replayed.state;
        self.format = RECORD_FORMAT;
        self.lines.extend(lines);
        for id in letters {
            *self.letters.entry(id).or_insert(0) += 1;
        }
        for (n, node) in story.nodes().iter().enumerate() {
            if st.visits.get(n).is_some_and(|&v| v > 0) {
                self.nodes.insert(node.id.clone());
            }
        }
        for d in &st.decisions {
            let at = story
                .nodes()
                .get(d.node as usize)
                .map(|n| n.id.as_str())
                .unwrap_or_default();
            let pick = super::save::pick_id(story, d.pick);
            self.choices.insert(format!("{at}/{pick}"));
        }
        if let Some(e) = st.ending().and_then(|e| story.endings().get(e)) {
            let seen = self.endings.entry(e.id.clone()).or_insert(EndingSeen {
                title: e.title.clone(),
                first: now,
                times: 0,
            });
            // The same playthrough noted twice at its ending counts once.
            if !self.playthroughs.iter().any(|p| p == doc) {
                seen.times += 1;
            }
        }
        match self
            .playthroughs
            .iter()
            .position(|p| continues(doc, p) || continues(p, doc))
        {
            Some(i) if continues(doc, &self.playthroughs[i]) => self.playthroughs[i] = doc.clone(),
            Some(_) => {}
            None => self.playthroughs.push(doc.clone()),
        }
        if self.playthroughs.len() > MAX_PLAYTHROUGHS {
            let drop = self.playthroughs.len() - MAX_PLAYTHROUGHS;
            self.playthroughs.drain(..drop);
        }
        Ok(())
    }

    /// Every decision visited in any playthrough: its node, and where to find the path to it
    /// (the playthrough's index and the decision's, 0-based). Nodes no longer in the story are
    /// left out; they stay in the record.
    pub fn decisions_visited<'a>(
        &'a self,
        story: &'a Story,
    ) -> impl Iterator<Item = (&'a str, usize, usize)> + 'a {
        self.playthroughs
            .iter()
            .enumerate()
            .flat_map(move |(p, doc)| {
                doc.decisions
                    .iter()
                    .enumerate()
                    .filter(move |(_, d)| story.node(&d.at).is_some())
                    .map(move |(k, d)| (d.at.as_str(), p, k))
            })
    }

    /// The playthrough up to (not including) decision `k` of playthrough `p`: where the
    /// flowchart's "jump back" resumes, with the exact state of that visit.
    pub fn path_to(&self, p: usize, k: usize) -> Option<Playthrough> {
        Some(self.playthroughs.get(p)?.up_to(k))
    }

    /// The exact state at decision `k` of playthrough `p`, waiting for that choice, as the
    /// player was there: variables, memories, visit counts, the generator. Rebuilt by replay,
    /// like every resume; `None` when the story no longer leads there.
    pub fn state_at(&self, story: &Story, p: usize, k: usize) -> Option<super::StoryState> {
        self.playthroughs.get(p)?.state_at(story, k)
    }

    /// Which playthroughs reached each chapter (by chapter index): chapter select's list.
    /// A playthrough counts for a chapter when one of its decisions was made there, or in a
    /// later chapter.
    pub fn arrivals(&self, story: &Story) -> Vec<Vec<usize>> {
        let mut out = vec![Vec::new(); story.chapters().len()];
        for (p, doc) in self.playthroughs.iter().enumerate() {
            let deepest = doc
                .decisions
                .iter()
                .filter_map(|d| story.node(&d.at))
                .map(|n| story.nodes()[n].chapter)
                .max();
            if let Some(deepest) = deepest {
                for list in out.iter_mut().take(deepest + 1) {
                    list.push(p);
                }
            }
        }
        out
    }

    /// The exact state of playthrough `p` as it arrived at chapter `chapter` (an index), just
    /// before the chapter's card: what chapter select starts from, so what she remembers stays
    /// true. Rebuilt by replay; `None` when that playthrough never got there in this story.
    pub fn arrival(&self, story: &Story, p: usize, chapter: usize) -> Option<super::StoryState> {
        let doc = self.playthroughs.get(p)?;
        let id = &story.chapters().get(chapter)?.id;
        // The decisions made before the chapter: up to the first one made in it or later.
        let k = doc
            .decisions
            .iter()
            .position(|d| {
                story
                    .node(&d.at)
                    .is_some_and(|n| story.nodes()[n].chapter >= chapter)
            })
            .unwrap_or(doc.decisions.len());
        let replayed = self.path_to(p, k)?.replay(story, |_, _, _| {}).ok()?;
        if replayed.problem.is_some() {
            return None;
        }
        let mut st = replayed.state;
        // On to the chapter's card, stopping just before it (bounded by the engine's guard).
        for _ in 0..=super::runtime::EVENT_LIMIT {
            let mut probe = st.clone();
            let event = story.next(&mut probe);
            if let Event::ChapterStart(c) = &event
                && c.id == *id
            {
                return Some(st);
            }
            if event.is_decision() || event.is_final() {
                return None;
            }
            st = probe;
        }
        None
    }

    /// The record as RON text.
    pub fn to_ron(&self) -> String {
        super::save::to_ron(self)
    }

    /// Reads a record (bounded; a byte-order mark is fine). A damaged record is an error, so
    /// the game can keep it aside rather than replace it.
    pub fn read(path: &Path) -> Result<Record, SaveError> {
        let limit = super::save::MAX_DOCUMENT_BYTES * 8;
        let text = super::save::read_document(path, limit, "record")?;
        super::save::from_ron_text(&text, path, "record")
    }

    /// Writes the record atomically (a crash mid-write leaves the old one or the new one).
    pub fn write(&self, path: &Path) -> Result<(), SaveError> {
        write_atomic(path, self.to_ron().as_bytes())
    }
}

/// Whether `later` continues `earlier`: the same playthrough (seed and start), with at least
/// its decisions, in order.
fn continues(later: &Playthrough, earlier: &Playthrough) -> bool {
    later.seed == earlier.seed
        && later.start == earlier.start
        && later.decisions.len() >= earlier.decisions.len()
        && later.decisions[..earlier.decisions.len()] == earlier.decisions[..]
}
