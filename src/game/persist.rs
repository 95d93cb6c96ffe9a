//! Settings and saves, in the platform's standard data folder (or `--data-dir`), written
//! atomically so a crash mid-write never loses the previous file. Saves: an autosave at every
//! chapter start, a quicksave (F5, loaded with F9), and numbered manual slots.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use serde::{Deserialize, Serialize};

use crate::story::SaveDoc;
use crate::story::save::write_atomic;

/// The player's settings.
#[derive(Resource, Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Characters per second of the typewriter; 0 shows lines at once.
    pub text_speed: f32,
    /// Text size in points.
    pub text_size: f32,
    /// Volume of the score, 0 to 1.
    pub music_volume: f32,
    /// Volume of the city's sound (traffic, surf), 0 to 1.
    pub effects_volume: f32,
    /// Fullscreen.
    pub fullscreen: bool,
    /// No camera drift, no pulsing, instant transitions.
    pub reduce_motion: bool,
    /// Advance lines by themselves after a reading pause.
    pub auto_advance: bool,
    /// Skip lines already seen in any playthrough.
    pub skip_seen: bool,
    /// City detail: 0 low, 1 medium, 2 high.
    pub quality: u8,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            text_speed: 45.0,
            text_size: 22.0,
            music_volume: 0.7,
            effects_volume: 0.8,
            fullscreen: false,
            reduce_motion: false,
            auto_advance: false,
            skip_seen: false,
            quality: 1,
        }
    }
}

/// Where the game keeps its files.
#[derive(Resource, Debug, Clone)]
pub struct DataDir(pub PathBuf);

impl DataDir {
    /// The platform's data folder for the game, or the one given.
    pub fn resolve(given: Option<&Path>) -> Self {
        let dir = given.map(Path::to_path_buf).unwrap_or_else(|| {
            directories::ProjectDirs::from("", "", "her")
                .map(|p| p.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from(".her"))
        });
        DataDir(dir)
    }

    /// The settings file.
    pub fn settings(&self) -> PathBuf {
        self.0.join("settings.ron")
    }

    /// A save slot's thumbnail (a screenshot taken just after saving).
    pub fn thumbnail(&self, slot: &Slot) -> PathBuf {
        self.0
            .join("saves")
            .join(format!("{}.png", slot.file_stem()))
    }

    /// The lines seen in any playthrough.
    pub fn seen(&self) -> PathBuf {
        self.0.join("seen.ron")
    }

    /// A save slot's file.
    pub fn slot(&self, slot: &Slot) -> PathBuf {
        self.0
            .join("saves")
            .join(format!("{}.ron", slot.file_stem()))
    }
}

/// A save slot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Written at every chapter start.
    Auto,
    /// F5.
    Quick,
    /// Manual slots, 1-based.
    Manual(u8),
}

impl Slot {
    /// Every slot, in the order the save screen lists them.
    pub fn all() -> Vec<Slot> {
        let mut v = vec![Slot::Auto, Slot::Quick];
        v.extend((1..=6).map(Slot::Manual));
        v
    }

    fn file_stem(&self) -> String {
        match self {
            Slot::Auto => "autosave".into(),
            Slot::Quick => "quicksave".into(),
            Slot::Manual(n) => format!("slot{n}"),
        }
    }

    /// The slot's name on screen.
    pub fn label(&self) -> String {
        match self {
            Slot::Auto => "Autosave".into(),
            Slot::Quick => "Quicksave".into(),
            Slot::Manual(n) => format!("Slot {n}"),
        }
    }
}

/// Loads the settings; a missing or damaged file gives the defaults (and says so).
pub fn load_settings(dir: &DataDir) -> Settings {
    let path = dir.settings();
    match std::fs::read_to_string(&path) {
        Ok(text) => ron::from_str(&text).unwrap_or_else(|e| {
            eprintln!(
                "{}: unreadable settings ({e}); using the defaults",
                path.display()
            );
            Settings::default()
        }),
        Err(_) => Settings::default(),
    }
}

/// Writes the settings atomically.
pub fn save_settings(dir: &DataDir, settings: &Settings) {
    let text =
        ron::ser::to_string_pretty(settings, ron::ser::PrettyConfig::new()).unwrap_or_default();
    if let Err(e) = write_atomic(&dir.settings(), text.as_bytes()) {
        eprintln!("cannot save the settings: {e}");
    }
}

/// Writes a save into a slot.
pub fn write_slot(dir: &DataDir, slot: &Slot, doc: &SaveDoc) -> Result<(), String> {
    doc.write(&dir.slot(slot)).map_err(|e| e.to_string())
}

/// Reads a slot: `None` when empty, an error message when damaged.
pub fn read_slot(dir: &DataDir, slot: &Slot) -> Option<Result<SaveDoc, String>> {
    let path = dir.slot(slot);
    if !path.exists() {
        return None;
    }
    Some(SaveDoc::read(&path).map_err(|e| e.to_string()))
}

/// Sets up the data folder and the settings.
fn setup(mut commands: Commands, options: Option<Res<super::GameOptions>>) {
    let dir = DataDir::resolve(options.as_ref().and_then(|o| o.data_dir.as_deref()));
    let settings = load_settings(&dir);
    commands.insert_resource(settings);
    commands.insert_resource(dir);
}

/// Keeps the settings file in step with the settings.
fn persist_settings(
    work: Res<super::WorkMeter>,
    settings: Res<Settings>,
    dir: Option<Res<DataDir>>,
) {
    let _work = work.start();
    if settings.is_changed()
        && !settings.is_added()
        && let Some(dir) = dir
    {
        save_settings(&dir, &settings);
    }
}

/// Settings and the data folder.
pub fn plugin(app: &mut App) {
    app.add_systems(PreStartup, setup)
        .add_systems(Last, persist_settings);
}
