//! The player's hands: keys become `Action`s, and the screens and menus answer actions, never
//! keys. A click on a button sends the same action as its key, so every way of playing goes one
//! road. A gamepad slots in here as one more source of actions (its buttons mapped as the keys
//! are: south = advance, the d-pad and south to choose through the focused button, start =
//! back, north = backlog, west = quicksave); it needs Bevy's `bevy_gilrs` feature, not yet
//! built in (see the README).
//!
//! Keys: Space or Enter go on (the first press finishes the line), 1-9 choose, Escape backs out
//! one level, L opens the backlog, F5 quicksaves, F9 quickloads. Tab and the arrows move the
//! keyboard's focus between buttons (egui), and then Space or Enter press the focused one; while
//! a button has the focus the story's own keys wait.

use bevy::prelude::*;
use bevy_egui::input::EguiWantsInput;

/// What the player asks for, whatever they pressed.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Go on: finish typing the line, or show the next thing.
    Advance,
    /// Take option `n` (0-based) of the choices or the letter's fragments.
    Choose(usize),
    /// Back out one level: close a menu, or pause, or resume.
    Back,
    /// Open or close the backlog.
    Backlog,
    /// Save into the quicksave.
    Quicksave,
    /// Load the quicksave.
    Quickload,
}

/// The keys for choosing, in order.
const DIGITS: [KeyCode; 9] = [
    KeyCode::Digit1,
    KeyCode::Digit2,
    KeyCode::Digit3,
    KeyCode::Digit4,
    KeyCode::Digit5,
    KeyCode::Digit6,
    KeyCode::Digit7,
    KeyCode::Digit8,
    KeyCode::Digit9,
];

/// The actions of the keys pressed this frame.
pub fn key_actions(keys: &ButtonInput<KeyCode>) -> Vec<Action> {
    let mut actions = Vec::new();
    if keys.just_pressed(KeyCode::Escape) {
        actions.push(Action::Back);
    }
    if keys.just_pressed(KeyCode::KeyL) {
        actions.push(Action::Backlog);
    }
    if keys.just_pressed(KeyCode::F5) {
        actions.push(Action::Quicksave);
    }
    if keys.just_pressed(KeyCode::F9) {
        actions.push(Action::Quickload);
    }
    if keys.any_just_pressed([KeyCode::Space, KeyCode::Enter, KeyCode::NumpadEnter]) {
        actions.push(Action::Advance);
    }
    for (i, key) in DIGITS.iter().enumerate() {
        if keys.just_pressed(*key) {
            actions.push(Action::Choose(i));
        }
    }
    actions
}

/// Whether the interface has the keyboard (a focused button, an open popup): then the story's
/// keys wait, and Space or Enter press the focused button instead.
fn interface_has_keyboard(egui: Option<Res<EguiWantsInput>>) -> bool {
    egui.is_some_and(|e| e.wants_any_keyboard_input())
}

/// Keys become actions.
pub fn read_keyboard(
    work: Res<super::WorkMeter>,
    keys: Option<Res<ButtonInput<KeyCode>>>,
    mut actions: MessageWriter<Action>,
) {
    let _work = work.start();
    if let Some(keys) = keys {
        actions.write_batch(key_actions(&keys));
    }
}

/// The order of work inside `GameSet::RecordInput`.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputSet {
    /// Keys (and autoplay) become actions.
    Read,
    /// The screens and menus answer actions: the story's input, menu changes, requests to the
    /// saves.
    Answer,
    /// The saves answer their requests (new game, save, load, return to a choice).
    Request,
    /// What moves the story by itself (the typewriter, timed pauses, auto-advance).
    Tick,
}

/// The actions, and the keyboard as their source.
pub fn plugin(app: &mut App) {
    app.add_message::<Action>()
        .configure_sets(
            Update,
            (
                InputSet::Read,
                InputSet::Answer,
                InputSet::Request,
                InputSet::Tick,
            )
                .chain()
                .in_set(super::GameSet::RecordInput),
        )
        .add_systems(
            Update,
            read_keyboard
                .run_if(not(interface_has_keyboard))
                .in_set(InputSet::Read),
        );
}
