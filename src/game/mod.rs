//! The desktop game: a warm, red-toned city in Bevy behind an egui conversation, a thin
//! adapter over the story engine. A room for each part:
//!
//! - `runner`: the only code that talks to the engine; plays the story, says what is shown.
//! - `input`: keys (and, later, a gamepad) become `Action`s.
//! - `saves`: new game, continue, save, load, return to a choice, autosaves, seen lines.
//! - `replay`: the flowchart's data, jumping back to any decision of any playthrough, chapter
//!   select, the endings gallery, the chapter summary and timeline.
//! - `replay_files`: replay files saved to share, and opened to jump into any of their
//!   decisions.
//! - `screens`: `title`, `conversation` (lines, choices, chapter cards), `letter`, `ending`.
//! - `menus`: `pause`, `backlog`, `settings`, `slots` (save and load).
//! - `theme`: the palette, the fonts, the shared widgets, glyph warming.
//! - `settings`, `persist`: the player's settings; the files and the one way they are written.
//! - `city`, `sound`: the scene and the sound the story asks for.
//! - `autoplay`: plays by itself for tests and soak runs.
//!
//! The screens are states that schedule the systems: a system that belongs to a screen runs
//! only `in_state` of it, and the story moves only while it is live (`StoryLive`).

pub mod autoplay;
pub mod city;
pub mod input;
pub mod menus;
pub mod mods;
pub mod persist;
pub mod replay;
pub mod replay_files;
pub mod runner;
pub mod saves;
pub mod screens;
pub mod settings;
pub mod sound;
pub mod theme;

use std::path::PathBuf;
use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::window::{PresentMode, WindowResolution};

use crate::story::Story;

/// The screens of the game.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    /// New game, continue, load, settings, quit.
    #[default]
    Title,
    /// The story: the conversation, letters, chapter cards, the ending.
    Playing,
}

/// Whether play runs or waits under the pause menu: a mode inside `Screen::Playing`, gone with
/// it when the game returns to the title.
#[derive(SubStates, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[source(Screen = Screen::Playing)]
pub enum Play {
    /// The story goes on.
    #[default]
    Running,
    /// The pause menu is open; the story stands still.
    Paused,
}

/// The menu open over the current screen, a state of its own: settings and the save and load
/// screens open from the title and from the pause menu alike, and closing one returns to the
/// screen underneath, whatever it was.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Menu {
    /// Nothing over the screen.
    #[default]
    None,
    /// Everything said so far, with "return here".
    Backlog,
    /// Text speed and size, volumes, fullscreen, reduce motion, city detail.
    Settings,
    /// The save slots, to save into.
    Save,
    /// The save slots, to load from.
    Load,
    /// The mods: each with its version, author, switch, place in the order and problems.
    Mods,
    /// The flowchart: every chapter's nodes, what was seen, and a way back to any decision.
    Flowchart,
    /// Chapter select: any chapter a past playthrough reached, from its arrival there.
    Chapters,
    /// The endings gallery.
    Endings,
    /// Her growth, chapter by chapter: the relationship axes, the choices, the memories.
    Timeline,
    /// Replay files: the shared playthroughs in the replays folder, each with its decisions to
    /// jump into.
    Replays,
}

/// Whether the story is live: playing, not paused, no menu over it. Everything that moves the
/// story on by itself (the typewriter, timed pauses, auto-advance, skipping seen lines) and
/// everything that moves it on for the player (a key, a click) waits while it is not.
#[derive(SystemParam)]
pub struct StoryLive<'w> {
    play: Option<Res<'w, State<Play>>>,
    menu: Option<Res<'w, State<Menu>>>,
}

impl StoryLive<'_> {
    /// Whether the story may move.
    pub fn is_live(&self) -> bool {
        self.play
            .as_ref()
            .is_some_and(|p| *p.get() == Play::Running)
            && self.menu.as_ref().is_none_or(|m| *m.get() == Menu::None)
    }
}

/// A run condition: the story is live (see `StoryLive`).
pub fn story_live(live: StoryLive) -> bool {
    live.is_live()
}

/// Back at the title, no menu of the old game stays open.
fn close_menus(mut next_menu: ResMut<NextState<Menu>>) {
    next_menu.set(Menu::None);
}

/// The game's own work in this frame, as CPU time: each of the game's systems adds what it took.
/// CPU time of the thread that ran it, not wall time, so a system preempted by the renderer's
/// threads (software rendering holds every core) is not charged for the wait.
#[derive(Resource, Default)]
pub struct WorkMeter(std::sync::atomic::AtomicU64);

impl WorkMeter {
    /// Starts timing a system; the time is added when the guard is dropped.
    pub fn start(&self) -> WorkTimer<'_> {
        WorkTimer(self, thread_cpu_ns())
    }

    /// The work so far in nanoseconds, and a fresh start for the next frame.
    pub fn take(&self) -> u64 {
        self.0.swap(0, std::sync::atomic::Ordering::Relaxed)
    }
}

/// Times one system run (see `WorkMeter`).
pub struct WorkTimer<'a>(&'a WorkMeter, u64);

impl Drop for WorkTimer<'_> {
    fn drop(&mut self) {
        let spent = thread_cpu_ns().saturating_sub(self.1);
        (self.0)
            .0
            .fetch_add(spent, std::sync::atomic::Ordering::Relaxed);
    }
}

/// CPU time used by the calling thread, in nanoseconds.
#[cfg(unix)]
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant libc knows.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if ok {
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    } else {
        0
    }
}

/// Elsewhere, wall time since the first call (preemption included).
#[cfg(not(unix))]
fn thread_cpu_ns() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}

/// The order of work in a frame.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GameSet {
    /// Keys and clicks become `Action`s, and actions become `PlayerInput` and menu changes.
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
    /// Mod folders given with `--mod`, besides those in the player's mods folder.
    pub mods: Vec<PathBuf>,
    /// Stop autoplay after this many seconds even without an ending.
    pub max_seconds: Option<f32>,
    /// Stop autoplay once the title, a choice and a letter are photographed (smoke tests).
    pub screenshots_only: bool,
    /// Draw a bare lit scene instead of the city (to measure what the city costs).
    pub bare_scene: bool,
    /// When the process started, for the time to the first frame.
    pub launched: Option<std::time::Instant>,
    /// A new game starts here instead of at the beginning (`her --from chapter.node --set
    /// trust=3`): a writer's test start, said so on screen and in its saves.
    pub test_start: Option<crate::story::runtime::TestStart>,
}

/// The loaded story, shared by every playthrough.
#[derive(Resource, Clone)]
pub struct LoadedStory(pub Arc<Story>);

/// Finds a folder shipped with the game (`dialogue`, `assets`): beside the executable first
/// (an unpacked release archive runs from any folder), then in the working directory, then (in
/// a debug build only: a release never reads the build machine's files) in the source tree it
/// was built from.
pub fn find_shipped(name: &str) -> PathBuf {
    let candidates = [
        std::env::current_exe()
            .ok()
            .and_then(|e| e.canonicalize().ok().or(Some(e)))
            .and_then(|e| e.parent().map(|p| p.join(name))),
        std::env::current_dir().ok().map(|d| d.join(name)),
        cfg!(debug_assertions).then(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)),
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
    let (base, given) = options.dialogue.split_first().expect("a dialogue folder");
    // The mods: those given after the base story, those in the player's mods folder, and each
    // `--mod`; the loader orders them, and leaves out (and reports) any that are broken.
    let mut mods = given.to_vec();
    mods.extend(persist::DataDir::player_mods(&persist::DataDir::folder(
        options.data_dir.as_deref(),
    )));
    mods.extend(options.mods.iter().cloned());
    let dialogue = mods::Dialogue {
        base: base.clone(),
        mods,
        disabled: Vec::new(),
    };
    let (report, list) = mods::load_dialogue(&dialogue);
    for m in &report.skipped_mods {
        eprintln!(
            "The mod in {} has errors and is left out; the game runs without it.",
            m.display()
        );
    }
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
    .insert_resource(mods::Running(
        list.0
            .iter()
            .filter(|r| r.place.is_some())
            .map(|r| r.folder.clone())
            .collect(),
    ))
    .insert_resource(list)
    .insert_resource(options)
    .add_plugins(plugin);
    // Saving a dialogue file while playing reloads it (hot reload); without a watcher (a
    // platform that refuses one) the game runs as it is.
    if let Some(watch) = mods::DialogueWatch::start(&dialogue.folders()) {
        app.insert_resource(watch);
    }
    app.insert_resource(dialogue);
    app.run()
}

/// The screens and the order of work in a frame: what every app of the game (and every
/// headless test) starts from.
pub fn frame(app: &mut App) {
    app.init_state::<Screen>()
        .add_sub_state::<Play>()
        .init_state::<Menu>()
        .init_resource::<WorkMeter>()
        .add_systems(OnEnter(Screen::Title), close_menus)
        .configure_sets(
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
        mods::plugin,
        persist::plugin,
        settings::plugin,
        saves::plugin,
        replay::plugin,
        replay_files::plugin,
        input::plugin,
        city::plugin,
        sound::plugin,
        theme::plugin,
        screens::plugin,
        menus::plugin,
        autoplay::plugin,
    ));
}
