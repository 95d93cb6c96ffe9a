//! The menus, a room each, opened over the screen underneath: `pause`, `backlog`, `flowchart`,
//! `extras` (chapter select and the endings gallery), `timeline` (her growth), `replays`
//! (replay files), `settings`, `slots` (saving and loading). Each is a plugin whose drawing runs only in its state; Escape
//! (the `Back` action) backs out one level.

pub mod backlog;
pub mod extras;
pub mod flowchart;
pub mod pause;
pub mod replays;
pub mod settings;
pub mod slots;
pub mod timeline;

use bevy::prelude::*;

use super::input::{Action, InputSet};
use super::{Menu, Play, WorkMeter};

/// Backing out one level: an open menu closes; otherwise play pauses, or resumes.
pub fn back_out(
    work: Res<WorkMeter>,
    mut actions: MessageReader<Action>,
    menu: Res<State<Menu>>,
    mut next_menu: ResMut<NextState<Menu>>,
    play: Option<Res<State<Play>>>,
    mut next_play: ResMut<NextState<Play>>,
) {
    let _work = work.start();
    if !actions.read().any(|a| *a == Action::Back) {
        return;
    }
    if *menu.get() != Menu::None {
        next_menu.set(Menu::None);
        return;
    }
    match play.map(|p| *p.get()) {
        Some(Play::Running) => next_play.set(Play::Paused),
        Some(Play::Paused) => next_play.set(Play::Running),
        None => {}
    }
}

/// Every menu, and backing out of them.
pub fn plugin(app: &mut App) {
    app.add_systems(Update, back_out.in_set(InputSet::Answer))
        .add_plugins((
            pause::plugin,
            backlog::plugin,
            flowchart::plugin,
            extras::plugin,
            timeline::plugin,
            replays::plugin,
            settings::plugin,
            slots::plugin,
        ));
}
