//! The desktop game: a warm, red-toned city in Bevy behind an egui conversation. A thin adapter
//! over the story engine: `runner` plays the story, `city` draws the scene the story asks for,
//! `ui` shows the conversation and the menus, `persist` keeps settings and saves, `autoplay`
//! plays by itself for tests and soak runs.

pub mod autoplay;
pub mod city;
pub mod persist;
pub mod runner;
pub mod ui;

use std::path::PathBuf;
use std::sync::Arc;

use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};

use crate::story::Story;

/// The screens of the game.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    /// New game, continue, load, settings, quit.
    #[default]
    Title,
    /// The story.
    Playing,
    /// The pause menu over the story.
    Paused,
}

/// The order of work in a frame.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GameSet {
    /// Keys and clicks become `PlayerInput`.
    RecordInput,
    /// The story answers.
    AdvanceStory,
    /// The city follows the story.
    UpdateScene,
}

/// How the game was started.
#[derive(Resource, Debug, Clone, Default)]
pub struct GameOptions {
    /// Play by itself with this seed.
    pub autoplay: Option<u64>,
    /// Window size in pixels.
    pub window: Option<(u32, u32)>,
    /// Write screenshots of the title, a choice and a letter here (autoplay).
    pub screenshots: Option<PathBuf>,
    /// Where settings and saves live (default: the platform's data folder).
    pub data_dir: Option<PathBuf>,
    /// Dialogue folders: the base story, then mods.
    pub dialogue: Vec<PathBuf>,
    /// Stop autoplay after this many seconds even without an ending.
    pub max_seconds: Option<f32>,
    /// Stop autoplay once the title, a choice and a letter are photographed (smoke tests).
    pub screenshots_only: bool,
    /// Draw a bare lit scene instead of the city (to measure what the city costs).
    pub bare_scene: bool,
    /// When the process started, for the time to the first frame.
    pub launched: Option<std::time::Instant>,
}

/// The loaded story, shared by every playthrough.
#[derive(Resource, Clone)]
pub struct LoadedStory(pub Arc<Story>);

/// Finds a folder shipped with the game: beside the working directory, beside the executable,
/// or in the source tree it was built from.
pub fn find_shipped(name: &str) -> PathBuf {
    let candidates = [
        std::env::current_dir().ok().map(|d| d.join(name)),
        std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(|p| p.join(name))),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.is_dir())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Runs the game; returns when the window closes.
pub fn run(mut options: GameOptions) -> AppExit {
    options.launched.get_or_insert_with(std::time::Instant::now);
    if options.dialogue.is_empty() {
        options.dialogue.push(find_shipped("dialogue"));
    }
    let (base, mods) = options.dialogue.split_first().expect("a dialogue folder");
    let report = crate::story::load_with_mods(base, mods);
    for d in &report.diagnostics {
        eprintln!("{}", d.one_line());
    }
    let Some(story) = report.story else {
        eprintln!("The story could not be loaded; `her check` shows why.");
        return AppExit::error();
    };
    let (w, h) = options.window.unwrap_or((1280, 720));
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: "Her".into(),
            resolution: WindowResolution::new(w, h),
            present_mode: PresentMode::AutoVsync,
            ..default()
        }),
        ..default()
    }))
    .add_plugins(bevy_egui::EguiPlugin::default())
    .insert_resource(LoadedStory(Arc::new(story)))
    .insert_resource(options)
    .add_plugins(plugin);
    app.run()
}

/// The screens and the order of work in a frame: what every app of the game (and every
/// headless test) starts from.
pub fn frame(app: &mut App) {
    app.init_state::<Screen>().configure_sets(
        Update,
        (
            GameSet::RecordInput,
            GameSet::AdvanceStory,
            GameSet::UpdateScene,
        )
            .chain(),
    );
}

/// Everything but Bevy's own plugins: the game's screens and systems.
pub fn plugin(app: &mut App) {
    frame(app);
    app.add_plugins((
        runner::plugin,
        persist::plugin,
        city::plugin,
        ui::plugin,
        autoplay::plugin,
    ));
}
