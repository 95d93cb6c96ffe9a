//! The one integration-test binary: every test module is listed here, so the crate (and, with
//! the game, Bevy) links once.

mod common;
mod diagnostics;
mod engine;
mod golden;
mod invariants;
mod saves;
