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

/// Where the game keeps its files, and the thread that writes them (see `Disk`).
#[derive(Resource, Clone)]
pub struct DataDir {
    /// The folder.
    pub path: PathBuf,
    /// Writes into it without holding up a frame.
    pub disk: Disk,
}

impl DataDir {
    /// The game's files in `path`.
    pub fn new(path: PathBuf) -> Self {
        DataDir {
            path,
            disk: Disk::start(),
        }
    }

    /// The platform's data folder for the game, or the one given.
    pub fn resolve(given: Option<&Path>) -> Self {
        let dir = given.map(Path::to_path_buf).unwrap_or_else(|| {
            directories::ProjectDirs::from("", "", "her")
                .map(|p| p.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from(".her"))
        });
        DataDir::new(dir)
    }

    /// The settings file.
    pub fn settings(&self) -> PathBuf {
        self.path.join("settings.ron")
    }

    /// A save slot's thumbnail (a screenshot taken just after saving).
    pub fn thumbnail(&self, slot: &Slot) -> PathBuf {
        self.path
            .join("saves")
            .join(format!("{}.png", slot.file_stem()))
    }

    /// The lines seen in any playthrough.
    pub fn seen(&self) -> PathBuf {
        self.path.join("seen.ron")
    }

    /// A save slot's file.
    pub fn slot(&self, slot: &Slot) -> PathBuf {
        self.path
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

/// The settings as the settings file holds them.
fn settings_text(settings: &Settings) -> String {
    ron::ser::to_string_pretty(settings, ron::ser::PrettyConfig::new()).unwrap_or_default()
}

/// Writes the settings atomically, now (tools and tests; the game goes through `Disk`).
pub fn save_settings(dir: &DataDir, settings: &Settings) {
    if let Err(e) = write_atomic(&dir.settings(), settings_text(settings).as_bytes()) {
        eprintln!("cannot save the settings: {e}");
    }
}

/// What a queued write puts in its file, made on the writing thread (a thumbnail is encoded
/// there, not in the frame).
type Contents = Box<dyn FnOnce() -> Result<Vec<u8>, String> + Send>;

/// The game's files (saves, thumbnails, settings, seen lines) are written on a thread of their
/// own, in order: an atomic write waits for the disk (fsync), and a frame must never wait for
/// the disk. A write queued for a file that already has one waiting replaces it (dragging a
/// volume slider queues one settings file, not one per frame). Failures come back to the game,
/// which tells the player.
#[derive(Clone)]
pub struct Disk {
    shared: std::sync::Arc<DiskShared>,
    /// The writing thread started (if not, writes happen at once, in the frame).
    threaded: bool,
}

struct DiskShared {
    queue: std::sync::Mutex<DiskQueue>,
    changed: std::sync::Condvar,
}

#[derive(Default)]
struct DiskQueue {
    jobs: std::collections::VecDeque<(PathBuf, String, Contents)>,
    busy: bool,
    failures: Vec<String>,
}

impl Disk {
    /// Starts the writing thread.
    pub fn start() -> Disk {
        let shared = std::sync::Arc::new(DiskShared {
            queue: std::sync::Mutex::new(DiskQueue::default()),
            changed: std::sync::Condvar::new(),
        });
        let worker = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("her disk".into())
            .spawn(move || worker.run());
        if let Err(e) = &spawned {
            eprintln!("cannot start the thread that writes saves ({e}); writing in the frame");
        }
        Disk {
            shared,
            threaded: spawned.is_ok(),
        }
    }

    /// Queues `contents` for `path`; `what` names it in a failure ("the quicksave").
    pub fn write(
        &self,
        path: PathBuf,
        what: impl Into<String>,
        contents: impl FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
    ) {
        let what = what.into();
        if !self.threaded {
            if let Err(failure) = perform(&path, &what, Box::new(contents)) {
                self.lock().failures.push(failure);
            }
            return;
        }
        let mut queue = self.lock();
        queue.jobs.retain(|(p, _, _)| *p != path);
        queue.jobs.push_back((path, what, Box::new(contents)));
        drop(queue);
        self.shared.changed.notify_all();
    }

    /// Waits until everything queued is on disk (before reading a save back, and at exit).
    pub fn flush(&self) {
        let mut queue = self.lock();
        while !queue.jobs.is_empty() || queue.busy {
            queue = self
                .shared
                .changed
                .wait(queue)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// What failed since the last call, as sentences for the player.
    pub fn take_failures(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().failures)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DiskQueue> {
        self.shared.lock()
    }
}

/// One write: makes the contents and writes them atomically; a failure is a sentence for the
/// player (and the log). A panic while making the contents is a failure, not a lost thread.
fn perform(path: &Path, what: &str, contents: Contents) -> Result<(), String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(contents))
        .unwrap_or_else(|_| Err("it could not be prepared".into()))
        .and_then(|bytes| write_atomic(path, &bytes).map_err(|e| e.to_string()))
        .map_err(|e| {
            eprintln!("cannot write {what}: {e}");
            format!("Could not write {what}: {e}")
        })
}

impl DiskShared {
    fn lock(&self) -> std::sync::MutexGuard<'_, DiskQueue> {
        // A panic while holding the lock leaves a queue that is still consistent.
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The writing thread: one job at a time, in order, until the game has gone.
    fn run(self: std::sync::Arc<Self>) {
        loop {
            let mut queue = self.lock();
            let job = loop {
                if let Some(job) = queue.jobs.pop_front() {
                    break job;
                }
                // Only this thread holds the queue: the game has gone, and nothing is left.
                if std::sync::Arc::strong_count(&self) == 1 {
                    return;
                }
                queue = self
                    .changed
                    .wait_timeout(queue, std::time::Duration::from_millis(200))
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0;
            };
            queue.busy = true;
            drop(queue);
            let (path, what, contents) = job;
            let result = perform(&path, &what, contents);
            let mut queue = self.lock();
            queue.busy = false;
            if let Err(failure) = result {
                queue.failures.push(failure);
            }
            drop(queue);
            self.changed.notify_all();
        }
    }
}

/// Writes a save into a slot, now.
pub fn write_slot(dir: &DataDir, slot: &Slot, doc: &SaveDoc) -> Result<(), String> {
    doc.write(&dir.slot(slot)).map_err(|e| e.to_string())
}

/// Queues a save for its slot on the writing thread.
pub fn queue_slot(dir: &DataDir, slot: &Slot, doc: &SaveDoc) {
    let text = doc.to_ron();
    let what = match slot {
        Slot::Auto => "the autosave".to_owned(),
        Slot::Quick => "the quicksave".to_owned(),
        Slot::Manual(n) => format!("the save in slot {n}"),
    };
    dir.disk
        .write(dir.slot(slot), what, move || Ok(text.into_bytes()));
}

/// Reads a slot: `None` when empty, an error message when damaged. A save still on its way to
/// the disk is waited for, so what is read is what was last saved.
pub fn read_slot(dir: &DataDir, slot: &Slot) -> Option<Result<SaveDoc, String>> {
    dir.disk.flush();
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
        let text = settings_text(&settings);
        dir.disk.write(
            dir.settings(),
            "the settings",
            move || Ok(text.into_bytes()),
        );
    }
}

/// Nothing queued is lost when the game closes: the last writes finish first.
fn flush_on_exit(mut exits: MessageReader<AppExit>, dir: Option<Res<DataDir>>) {
    if exits.read().next().is_some()
        && let Some(dir) = dir
    {
        dir.disk.flush();
    }
}

/// Settings and the data folder.
pub fn plugin(app: &mut App) {
    app.add_systems(PreStartup, setup).add_systems(
        Last,
        (persist_settings, flush_on_exit.after(persist_settings)),
    );
}
