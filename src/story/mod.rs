//! The story engine: dialogue files in, events out. It knows nothing of Bevy (a test checks
//! that), so the game, the `her` tools, the tests and the benchmarks all share it, and it builds
//! in seconds with `--no-default-features`.
//!
//! - `format`: the RON files as written;
//! - `expr`: conditions and effects;
//! - `files`: walking dialogue folders and reading files, bounded and without following links;
//! - `load`: files to an immutable `Story`, with every problem placed;
//! - `validate`: whole-story checks;
//! - `runtime`: `StoryState` and the pull API (`Story::next`, `Story::choose`);
//! - `record`: what a player has seen across playthroughs (read-skip, flowchart, gallery);
//! - `save`: atomic, versioned saves that survive story edits;
//! - `explore`: every reachable state;
//! - `tag`: `her tag`, stable ids stamped into the files as text edits;
//! - `stats`: what the story holds (words, real choices, varied lines, callbacks);
//! - `transcript`: events as text.

pub mod abstraction;
pub mod diagnostic;
pub mod explore;
pub mod expr;
pub mod files;
pub mod flowchart;
pub mod format;
pub mod load;
pub mod model;
pub mod proof;
pub mod record;
pub mod runtime;
pub mod save;
pub mod stats;
pub mod summary;
pub mod tag;
pub mod transcript;
pub mod validate;

pub use diagnostic::{Diagnostic, Severity};
pub use load::{LoadReport, load, load_with_mods};
pub use model::Story;
pub use runtime::{ChoiceView, Event, StoryState};
pub use save::{Playthrough, Resume, SaveDoc};
