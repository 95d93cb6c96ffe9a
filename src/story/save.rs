//! Saves: a versioned RON document with the story's content fingerprint, the full state, and the
//! decisions that led to it. Written atomically (temporary file, fsync, rename), so a crash
//! mid-save never destroys the previous save. A save made against an edited story is resumed by
//! replaying its decisions, as far as they still fit.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::model::Story;
use super::runtime::{Event, Pick, StoryState};

/// The save format's version; bumped when the document's shape changes.
pub const SAVE_VERSION: u32 = 1;

/// One decision, by stable ids, so it can be found again in an edited story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedDecision {
    /// The node (`chapter.node`).
    pub at: String,
    /// The choice's id, or `letter:paragraph:fragment` for a letter fragment.
    pub pick: String,
    /// Its position among the options offered.
    pub offered: u32,
}

/// A save file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveDoc {
    /// The format version.
    pub version: u32,
    /// The story's title.
    pub story: String,
    /// The story's content fingerprint when saved.
    pub fingerprint: String,
    /// Seconds since 1970 when saved.
    pub saved_at: u64,
    /// A label for the save list (chapter title, say).
    pub label: String,
    /// The chapter id when saved.
    pub chapter: Option<String>,
    /// The playthrough's seed.
    pub seed: u64,
    /// The decisions, by stable ids.
    pub decisions: Vec<SavedDecision>,
    /// The exact state.
    pub state: StoryState,
}

/// Why a save could not be read or written.
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
    /// The file is not a save (or is damaged).
    #[error("{path}: this is not a readable save ({message})")]
    Format {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// A newer game made the save.
    #[error(
        "{path}: this save was made by a newer version of the game (save format {found}, this game reads {SAVE_VERSION})"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
}

/// How a save was resumed.
#[derive(Debug, Clone, PartialEq)]
pub enum Resume {
    /// The story is unchanged: the exact state.
    Exact(StoryState),
    /// The story changed: the decisions were replayed as far as they fit.
    Replayed {
        /// The state reached.
        state: StoryState,
        /// How many of the saved decisions were replayed.
        replayed: usize,
        /// What changed, for the player.
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

impl SaveDoc {
    /// Makes a save of a state.
    pub fn new(story: &Story, state: &StoryState, label: impl Into<String>) -> Self {
        let decisions = state
            .decisions
            .iter()
            .map(|d| SavedDecision {
                at: story.nodes[d.node as usize].id.clone(),
                pick: pick_id(story, d.pick),
                offered: d.offered,
            })
            .collect();
        SaveDoc {
            version: SAVE_VERSION,
            story: story.title.clone(),
            fingerprint: story.fingerprint.clone(),
            saved_at: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            label: label.into(),
            chapter: state.chapter_index().map(|c| story.chapters[c].id.clone()),
            seed: state.seed,
            decisions,
            state: state.clone(),
        }
    }

    /// The document as RON text.
    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().depth_limit(3);
        ron::ser::to_string_pretty(self, config).unwrap_or_default()
    }

    /// Reads a document from RON text.
    pub fn from_ron(text: &str, path: &Path) -> Result<Self, SaveError> {
        // Read the version first, so a newer save says so instead of failing to parse.
        #[derive(Deserialize)]
        struct Header {
            version: u32,
        }
        let options = ron::Options::default();
        if let Ok(header) = options
            .from_str::<ron::Value>(text)
            .map_err(|e| e.to_string())
            .and_then(|v| v.into_rust::<Header>().map_err(|e| e.to_string()))
            && header.version > SAVE_VERSION
        {
            return Err(SaveError::TooNew {
                path: path.to_path_buf(),
                found: header.version,
            });
        }
        options.from_str(text).map_err(|e| SaveError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// Writes the save atomically.
    pub fn write(&self, path: &Path) -> Result<(), SaveError> {
        write_atomic(path, self.to_ron().as_bytes())
    }

    /// Reads a save file.
    pub fn read(path: &Path) -> Result<Self, SaveError> {
        let text = std::fs::read_to_string(path).map_err(|source| SaveError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_ron(&text, path)
    }

    /// Resumes the save in a story: exactly when the story is unchanged, otherwise by replaying
    /// the decisions by their ids as far as they still fit. Never panics.
    pub fn resume(&self, story: &Story) -> Resume {
        let fits = self.fingerprint == story.fingerprint
            && self.state.vars.len() == story.variables.len()
            && self.state.visits.len() == story.nodes.len();
        if fits {
            return Resume::Exact(self.state.clone());
        }
        let mut st = story.new_state(self.seed);
        let mut replayed = 0;
        let mut problem = None;
        'decisions: for d in &self.decisions {
            loop {
                let event = story.next(&mut st);
                if event.is_final() {
                    problem = Some(format!(
                        "the story now ends before `{}`, where you chose next",
                        d.at
                    ));
                    break 'decisions;
                }
                if !event.is_decision() {
                    continue;
                }
                let here = &story.nodes[st.node()].id;
                if *here != d.at {
                    problem = Some(format!(
                        "you chose at `{}`, but the story now asks at `{here}` instead",
                        d.at
                    ));
                    break 'decisions;
                }
                let option = match &event {
                    Event::Choices(views) => views.iter().position(|v| v.id == d.pick),
                    Event::Paragraph(p) => {
                        let options = offered_fragment_ids(&st, p.letter, p.index);
                        options.iter().position(|id| *id == d.pick)
                    }
                    _ => None,
                };
                match option {
                    Some(i) if story.choose(&mut st, i).is_ok() => {
                        replayed += 1;
                        continue 'decisions;
                    }
                    _ => {
                        problem = Some(format!(
                            "at `{}`, the option you took (`{}`) is no longer there",
                            d.at, d.pick
                        ));
                        break 'decisions;
                    }
                }
            }
        }
        let message = match problem {
            None => format!(
                "The story has changed since this save. All {replayed} of your choices were replayed; you continue just after your last choice."
            ),
            Some(p) => format!(
                "The story has changed since this save: {p}. {replayed} of {} choices were replayed; you continue from the last point that still matches.",
                self.decisions.len()
            ),
        };
        Resume::Replayed {
            state: st,
            replayed,
            message,
        }
    }
}

fn pick_id(story: &Story, pick: Pick) -> String {
    match pick {
        Pick::Choice(global) => story
            .choices
            .get(global as usize)
            .map(|c| c.id.clone())
            .unwrap_or_default(),
        Pick::Fragment(l, p, f) => format!("{}:{p}:{f}", story.letters[l as usize].id),
    }
}

fn offered_fragment_ids(
    st: &StoryState,
    letter: &super::model::Letter,
    paragraph: usize,
) -> Vec<String> {
    letter.paragraphs[paragraph]
        .fragments
        .iter()
        .enumerate()
        .filter(|(_, f)| f.when.as_ref().is_none_or(|w| w.eval(st)))
        .map(|(i, _)| format!("{}:{paragraph}:{i}", letter.id))
        .collect()
}

/// Writes a file so that a crash at any moment leaves either the old file or the new one, never
/// a torn one: write a temporary file beside it, fsync it, rename it over, fsync the folder.
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
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        // The rename is durable only once the folder's entry is on disk.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}
