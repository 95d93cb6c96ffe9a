//! The replay tools that move the player between playthroughs: jumping back to any decision
//! the record holds (from the flowchart), with the exact state of that visit. The current
//! playthrough is autosaved first and stays in the record, so what follows is a new branch and
//! the old one stays on the chart.

use bevy::prelude::*;

use super::LoadedStory;
use super::persist::{DataDir, Notices};
use super::runner::{SceneChange, StoryRunner};
use super::saves::{Autosaves, NextStates, PlayerRecord, begin, queue_slot};

/// Jump back to decision `decision` (0-based) of playthrough `playthrough` of the record.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct JumpBack {
    /// Index into `Record::playthroughs`.
    pub playthrough: usize,
    /// Index into that playthrough's decisions.
    pub decision: usize,
}

/// Answers `JumpBack`: autosaves the playthrough in progress, rebuilds the state of that visit
/// by replaying the record's document (never from raw engine state), and plays on from it.
#[expect(clippy::too_many_arguments, reason = "a jump sets the whole game")]
fn jump_back(
    mut asked: MessageReader<JumpBack>,
    runner: Option<Res<StoryRunner>>,
    dir: Option<Res<DataDir>>,
    loaded: Res<LoadedStory>,
    record: Res<PlayerRecord>,
    mut autosaves: ResMut<Autosaves>,
    mut notices: ResMut<Notices>,
    mut scenes: MessageWriter<SceneChange>,
    mut commands: Commands,
    (mut screen, mut play, mut menu): NextStates,
) {
    let Some(JumpBack {
        playthrough,
        decision,
    }) = asked.read().last().copied()
    else {
        return;
    };
    let Some(state) = record.0.state_at(&loaded.0, playthrough, decision) else {
        notices.say("That decision is no longer in the story.");
        return;
    };
    if let (Some(runner), Some(dir)) = (&runner, &dir) {
        queue_slot(dir, &autosaves.take(), runner.save_doc());
    }
    scenes.write(SceneChange(state.scene.clone()));
    let runner = StoryRunner::resume(
        loaded.0.clone(),
        state,
        Some("Back at an earlier decision: what you choose now is a new branch.".into()),
    );
    autosaves.chapter = None;
    begin(&mut commands, runner, &mut screen, &mut play, &mut menu);
}

/// Jumping back.
pub fn plugin(app: &mut App) {
    app.add_message::<JumpBack>()
        .add_systems(Update, jump_back.in_set(super::input::InputSet::Request));
}
