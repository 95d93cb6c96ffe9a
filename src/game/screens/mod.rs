//! The screens, a room each: `title` (new game, continue, load, settings, quit), `conversation`
//! (lines, choices, chapter cards, timed pauses, and the typewriter), `letter` (composing and
//! reading letters), `ending`. Each is a plugin whose systems run only in its state.

pub mod conversation;
pub mod ending;
pub mod letter;
pub mod title;

use bevy::prelude::*;

/// Every screen.
pub fn plugin(app: &mut App) {
    app.add_plugins((
        title::plugin,
        conversation::plugin,
        letter::plugin,
        ending::plugin,
    ));
}
