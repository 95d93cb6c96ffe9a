//! The one integration-test binary: every test module is listed here, so the crate (and, with
//! the game, Bevy) links once.

mod common;
mod diagnostics;
mod engine;
mod files;
#[cfg(feature = "game")]
mod game;
mod golden;
#[cfg(feature = "game")]
mod house;
mod invariants;
mod mods;
#[cfg(feature = "game")]
mod places;
mod proof;
mod record;
#[cfg(feature = "game")]
mod reload;
mod robust;
mod saves;
#[cfg(feature = "game")]
mod smoke;
mod story;
mod writing;
