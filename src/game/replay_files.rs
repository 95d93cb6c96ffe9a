//! Replay files: the playthrough document (seed and decisions by stable id, as the stable-ids
//! issue defined it) saved from the game for players to share, in the data folder's `replays/`;
//! `her replay FILE` plays one back exactly, and the game opens any file in that folder and
//! jumps into it at any of its decisions. Files are read bounded, and a damaged one is listed
//! with its problem, never opened.

use std::path::PathBuf;

use bevy::prelude::*;

use super::Menu;
use super::persist::{DataDir, Notices};
use super::replay::Branch;
use super::runner::StoryRunner;
use crate::story::save::Playthrough;

/// Most replay files listed.
const LISTED: usize = 64;

/// Save the playthrough in progress as a replay file.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveReplay;

/// Open replay file `file` (an index into `ReplayList`) at its decision `decision` (0-based).
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenReplay {
    /// Index into `ReplayList::files`.
    pub file: usize,
    /// The decision to jump in at.
    pub decision: usize,
}

/// One replay file as listed.
#[derive(Debug, Clone)]
pub struct ReplayFile {
    /// Where it is.
    pub path: PathBuf,
    /// Its file name.
    pub name: String,
    /// The document, or why it cannot be read.
    pub doc: Result<Playthrough, String>,
}

impl ReplayFile {
    /// Its decisions as the player reads them: `node: pick`.
    pub fn decisions(&self) -> Vec<String> {
        match &self.doc {
            Ok(doc) => doc
                .decisions
                .iter()
                .map(|d| format!("{}: {}", d.at, d.pick))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// The replay files in the data folder, read when the replays screen opens.
#[derive(Resource, Debug, Default)]
pub struct ReplayList {
    /// The folder they are read from (to show the player where to put shared ones).
    pub folder: PathBuf,
    /// The files, newest name last.
    pub files: Vec<ReplayFile>,
}

/// Reads the replays folder (at most `LISTED` files, each read bounded).
fn read_list(dir: Option<Res<DataDir>>, mut list: ResMut<ReplayList>) {
    let Some(dir) = dir else { return };
    list.folder = dir.replays();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.replays())
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .take(4096)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "ron"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.truncate(LISTED);
    list.files = paths
        .into_iter()
        .map(|path| ReplayFile {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            doc: Playthrough::read(&path).map_err(|e| e.to_string()),
            path,
        })
        .collect();
}

/// Writes the playthrough in progress to `replays/replay-<seconds>.ron` (atomically, off the
/// frame), and says where.
fn save_replay(
    mut asked: MessageReader<SaveReplay>,
    runner: Option<Res<StoryRunner>>,
    dir: Option<Res<DataDir>>,
    mut notices: ResMut<Notices>,
) {
    if asked.read().last().is_none() {
        return;
    }
    let (Some(runner), Some(dir)) = (runner, dir) else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let path = dir.replays().join(format!("replay-{now}.ron"));
    if let Err(e) = std::fs::create_dir_all(dir.replays()) {
        notices.say(format!("The replay cannot be saved: {e}"));
        return;
    }
    dir.disk
        .write_ron(path.clone(), "the replay", runner.save_doc().playthrough);
    notices.say(format!(
        "Replay saved to {} (`her replay` plays it back).",
        path.display()
    ));
}

/// Opens a replay file at one of its decisions: the state is rebuilt by replaying the file in
/// the loaded story, and play goes on from it as a new branch.
fn open_replay(mut asked: MessageReader<OpenReplay>, list: Res<ReplayList>, mut branch: Branch) {
    let Some(OpenReplay { file, decision }) = asked.read().last().copied() else {
        return;
    };
    let Some(Ok(doc)) = list.files.get(file).map(|f| &f.doc) else {
        branch.notices.say("That replay cannot be read.");
        return;
    };
    match doc.state_at(&branch.loaded.0, decision) {
        Some(state) => branch.go(
            state,
            Some(format!("Into the replay at decision {}.", decision + 1)),
        ),
        None => branch
            .notices
            .say("This story no longer leads to that decision of the replay."),
    }
}

/// Replay files.
pub fn plugin(app: &mut App) {
    app.add_message::<SaveReplay>()
        .add_message::<OpenReplay>()
        .init_resource::<ReplayList>()
        .add_systems(OnEnter(Menu::Replays), read_list)
        .add_systems(
            Update,
            (save_replay, open_replay).in_set(super::input::InputSet::Request),
        );
}
