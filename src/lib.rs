//! *Her*: an interactive narrative. The story engine (`story`) is Bevy-free; the `her` command's
//! tools live in `cli`; the Bevy game, behind the `game` feature, in `game`.

pub mod cli;
#[cfg(feature = "game")]
pub mod game;
pub mod story;
