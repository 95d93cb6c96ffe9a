//! The player's hands: keys and gamepad buttons become `Action`s, and the screens and menus
//! answer actions, never keys. A click on a button sends the same action as its key, so every
//! way of playing goes one road.
//!
//! Keys: Space or Enter go on (the first press finishes the line), 1-9 choose, Escape backs out
//! one level, L opens the backlog, F5 quicksaves, F9 quickloads. Tab and the arrows move the
//! keyboard's focus between buttons (egui), and then Space or Enter press the focused one; while
//! a button has the focus the story's own keys wait.
//!
//! A gamepad plays the whole game the same way: the d-pad moves the focus between buttons (it
//! is handed to the interface as Tab and Shift+Tab, so it reaches every button of every screen:
//! choices, letter fragments, menus, save slots), South (A) presses the focused button or, with
//! none focused, goes on; East (B) lets go of the focus or backs out; Start opens and closes the
//! menu; North (Y) the backlog; West (X) quicksaves.

use bevy::input::InputSystems;
use bevy::input::gamepad::{Gamepad, GamepadButton};
use bevy::prelude::*;
use bevy_egui::input::{EguiInputEvent, EguiWantsInput};
use bevy_egui::{EguiInputSet, PrimaryEguiContext, egui};

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
    /// Go straight on to the next choice (or letter, or ending), passing every line.
    SkipToChoice,
    /// Open or close the flowchart.
    Flowchart,
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
    if keys.just_pressed(KeyCode::KeyC) {
        actions.push(Action::SkipToChoice);
    }
    if keys.just_pressed(KeyCode::KeyF) {
        actions.push(Action::Flowchart);
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

/// What a gamepad asks for this frame: actions for the game, and keys for the interface (to
/// move the focus between buttons and press the focused one).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PadInput {
    /// Actions for the game.
    pub actions: Vec<Action>,
    /// Keys for the interface, with whether Shift is held.
    pub keys: Vec<(egui::Key, bool)>,
}

/// What a gamepad's buttons pressed this frame ask for; `focused`: a button of the interface has
/// the focus.
pub fn pad_input(pad: &Gamepad, focused: bool) -> PadInput {
    let mut input = PadInput::default();
    let pressed = |b| pad.just_pressed(b);
    if pressed(GamepadButton::DPadDown) || pressed(GamepadButton::DPadRight) {
        input.keys.push((egui::Key::Tab, false));
    }
    if pressed(GamepadButton::DPadUp) || pressed(GamepadButton::DPadLeft) {
        input.keys.push((egui::Key::Tab, true));
    }
    if pressed(GamepadButton::South) {
        if focused {
            input.keys.push((egui::Key::Enter, false));
        } else {
            input.actions.push(Action::Advance);
        }
    }
    if pressed(GamepadButton::East) {
        if focused {
            input.keys.push((egui::Key::Escape, false));
        } else {
            input.actions.push(Action::Back);
        }
    }
    if pressed(GamepadButton::Start) {
        input.actions.push(Action::Back);
    }
    if pressed(GamepadButton::North) {
        input.actions.push(Action::Backlog);
    }
    if pressed(GamepadButton::West) {
        input.actions.push(Action::Quicksave);
    }
    if pressed(GamepadButton::RightTrigger) {
        input.actions.push(Action::SkipToChoice);
    }
    if pressed(GamepadButton::Select) {
        input.actions.push(Action::Flowchart);
    }
    input
}

/// Gamepad buttons become actions, and keys for the interface (given to egui as if typed, so
/// the focus moves and the focused button is pressed exactly as with a keyboard).
pub fn read_gamepads(
    work: Res<super::WorkMeter>,
    pads: Query<&Gamepad>,
    egui_wants: Option<Res<EguiWantsInput>>,
    context: Query<Entity, With<PrimaryEguiContext>>,
    mut actions: MessageWriter<Action>,
    egui_events: Option<ResMut<Messages<EguiInputEvent>>>,
) {
    let _work = work.start();
    let focused = egui_wants.is_some_and(|e| e.wants_keyboard_input());
    let mut egui_events = egui_events;
    for pad in &pads {
        let input = pad_input(pad, focused);
        actions.write_batch(input.actions);
        let (Some(events), Ok(context)) = (egui_events.as_mut(), context.single()) else {
            continue;
        };
        for (key, shift) in input.keys {
            let modifiers = egui::Modifiers {
                shift,
                ..Default::default()
            };
            for pressed in [true, false] {
                events.write(EguiInputEvent {
                    context,
                    event: egui::Event::Key {
                        key,
                        physical_key: None,
                        pressed,
                        repeat: false,
                        modifiers,
                    },
                });
            }
        }
    }
}

/// The order of work inside `GameSet::RecordInput`.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputSet {
    /// Keys (and autoplay) become actions (gamepads are read earlier, in `PreUpdate`).
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
        )
        // Before egui reads its input for the frame, after Bevy has read the gamepads.
        .add_systems(
            PreUpdate,
            read_gamepads
                .after(InputSystems)
                .in_set(EguiInputSet::ReadBevyMessages),
        );
}
