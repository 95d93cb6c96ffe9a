//! The player's settings: what they are, their ranges (a file edited by hand is brought back into
//! them when read), the settings file kept in step with them, and the window following them.

use bevy::prelude::*;
use bevy::window::{MonitorSelection, WindowMode};
use serde::{Deserialize, Serialize};

use super::persist::{DataDir, Notices, ReadOutcome, read_or_move_aside, to_ron, write_file};

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
    /// Mod folders the player switched off on the mods screen (`game::mods`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disabled_mods: Vec<std::path::PathBuf>,
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
            disabled_mods: Vec::new(),
        }
    }
}

/// The range of the typewriter's speed, characters a second (the settings slider's too).
pub const TEXT_SPEED: std::ops::RangeInclusive<f32> = 0.0..=120.0;
/// The range of the text size, in points.
pub const TEXT_SIZE: std::ops::RangeInclusive<f32> = 16.0..=34.0;
/// The range of a volume.
pub const VOLUME: std::ops::RangeInclusive<f32> = 0.0..=1.0;
/// The highest city detail.
pub const MAX_QUALITY: u8 = 2;

impl Settings {
    /// The settings brought into their ranges: a volume of 40 is full volume, a size of 3 the
    /// smallest size, and a value that is not a number the default.
    pub fn clamped(self) -> Settings {
        let d = Settings::default();
        let fit = |v: f32, range: &std::ops::RangeInclusive<f32>, default: f32| {
            if v.is_nan() {
                default
            } else {
                v.clamp(*range.start(), *range.end())
            }
        };
        Settings {
            text_speed: fit(self.text_speed, &TEXT_SPEED, d.text_speed),
            text_size: fit(self.text_size, &TEXT_SIZE, d.text_size),
            music_volume: fit(self.music_volume, &VOLUME, d.music_volume),
            effects_volume: fit(self.effects_volume, &VOLUME, d.effects_volume),
            quality: self.quality.min(MAX_QUALITY),
            ..self
        }
    }
}

/// Reads the settings, in their ranges. A missing file gives the defaults; a damaged one is
/// moved aside and kept (see `persist::move_aside`), with a sentence for the player.
pub fn read_settings(dir: &DataDir) -> (Settings, Option<String>) {
    match read_or_move_aside::<Settings>(&dir.settings(), "the settings") {
        ReadOutcome::Missing => (Settings::default(), None),
        ReadOutcome::Read(settings) => (settings.clamped(), None),
        ReadOutcome::MovedAside(notice) => (Settings::default(), Some(notice)),
    }
}

/// Reads the settings (see `read_settings`), without the notice.
pub fn load_settings(dir: &DataDir) -> Settings {
    read_settings(dir).0
}

/// Writes the settings now (tools and tests; the game queues them on the disk thread).
pub fn save_settings(dir: &DataDir, settings: &Settings) -> Result<(), String> {
    write_file(&dir.settings(), to_ron(settings)?.as_bytes())
}

/// Reads the settings when the game starts.
fn setup(mut commands: Commands, dir: Res<DataDir>, mut notices: ResMut<Notices>) {
    let (settings, notice) = read_settings(&dir);
    if let Some(notice) = notice {
        notices.say(notice);
    }
    commands.insert_resource(settings);
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
        dir.disk
            .write_ron(dir.settings(), "the settings", settings.clone());
    }
}

/// Fullscreen follows the setting.
fn apply_window_settings(
    work: Res<super::WorkMeter>,
    settings: Res<Settings>,
    mut windows: Query<&mut Window>,
) {
    let _work = work.start();
    if !settings.is_changed() {
        return;
    }
    for mut window in &mut windows {
        let mode = if settings.fullscreen {
            WindowMode::BorderlessFullscreen(MonitorSelection::Current)
        } else {
            WindowMode::Windowed
        };
        if window.mode != mode {
            window.mode = mode;
        }
    }
}

/// The settings: read at start, written when they change, applied to the window.
pub fn plugin(app: &mut App) {
    app.add_systems(
        PreStartup,
        setup
            .after(super::persist::setup)
            .run_if(resource_exists::<DataDir>.and_then(not(resource_exists::<Settings>))),
    )
    .add_systems(Update, apply_window_settings)
    .add_systems(Last, persist_settings.before(super::persist::flush_on_exit));
}
