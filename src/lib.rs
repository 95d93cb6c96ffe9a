//! *Her*: an interactive narrative. The story engine (`story`) is Bevy-free; the `her` command's
//! tools live in `cli`.

pub mod cli;
pub mod story;
