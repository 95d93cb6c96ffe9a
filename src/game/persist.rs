//! The game's files, in the platform's standard data folder (or `--data-dir`): where each one
//! lives, the one way every one of them is written (`write_file`, atomic: a crash or a failure
//! mid-write leaves the old file whole), the thread that does the writing so a frame never waits
//! for the disk (`Disk`), and what happens to a file that cannot be read (`move_aside`: it is
//! kept under another name, never written over).

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use serde::Serialize;

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
        DataDir::new(Self::folder(given))
    }

    /// The platform's data folder for the game (or the one given), without starting its
    /// writer: where the saves and the player's mods folder are.
    pub fn folder(given: Option<&Path>) -> PathBuf {
        given.map(Path::to_path_buf).unwrap_or_else(|| {
            directories::ProjectDirs::from("", "", "her")
                .map(|p| p.data_dir().to_path_buf())
                .unwrap_or_else(|| PathBuf::from(".her"))
        })
    }

    /// The player's mods: each folder in `mods/` of the data folder, in name order (at most
    /// 256; the loader puts them in their load order).
    pub fn player_mods(folder: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(folder.join("mods")) else {
            return Vec::new();
        };
        let mut mods: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .take(4096)
            // Links are not followed: a mod is a folder of the player's own.
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .collect();
        mods.sort();
        mods.truncate(256);
        mods
    }

    /// The settings file.
    pub fn settings(&self) -> PathBuf {
        self.path.join("settings.ron")
    }

    /// The lines seen in any playthrough, as earlier versions kept them (read once into the
    /// record, never written again).
    pub fn seen(&self) -> PathBuf {
        self.path.join("seen.ron")
    }

    /// The record across playthroughs (`story::record::Record`): what read-skip skips, the
    /// endings reached, every playthrough.
    pub fn record(&self) -> PathBuf {
        self.path.join("record.ron")
    }

    /// The folder of replay files: playthrough documents saved to share (and shared ones put
    /// there by the player).
    pub fn replays(&self) -> PathBuf {
        self.path.join("replays")
    }

    /// The folder of the saves and their pictures.
    pub fn saves(&self) -> PathBuf {
        self.path.join("saves")
    }
}

/// The one way the game writes a file: atomically, through the story engine's `write_atomic`
/// (a temporary file beside it, synced, then renamed over), so a failure at any moment leaves
/// the old file as it was. The failure comes back as words for the log and the player.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    crate::story::save::write_atomic(path, bytes).map_err(|e| e.to_string())
}

/// A value as pretty RON, or why it cannot be: never an empty text in place of one (an empty
/// file written over a good save would lose it).
pub fn to_ron<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
    let config = ron::ser::PrettyConfig::new().depth_limit(3);
    ron::ser::to_string_pretty(value, config)
        .map_err(|e| format!("it could not be written out ({e})"))
}

/// Moves a file that cannot be read out of the way, keeping it beside the original under a name
/// that says so (`seen.ron` becomes `seen.unreadable-1712345678.ron`), so the game can start a
/// new one without losing what was there. Returns the new name.
pub fn move_aside(path: &Path) -> Result<PathBuf, String> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let mut aside = path.with_file_name(format!("{stem}.unreadable-{stamp}{ext}"));
    let mut n = 1;
    while aside.exists() {
        aside = path.with_file_name(format!("{stem}.unreadable-{stamp}-{n}{ext}"));
        n += 1;
    }
    std::fs::rename(path, &aside).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(aside)
}

/// What a file being read turned out to be.
pub enum ReadOutcome<T> {
    /// There is no such file yet.
    Missing,
    /// The file, read.
    Read(T),
    /// The file could not be read; it was moved aside, and this says so to the player.
    MovedAside(String),
}

/// Reads a RON file the game keeps; one that cannot be understood is moved aside (see
/// `move_aside`) with a sentence for the player naming where it went. `what` names it ("the
/// settings").
pub fn read_or_move_aside<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
) -> ReadOutcome<T> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return ReadOutcome::Missing,
        Err(e) => {
            // Unreadable as text (bad bytes) or not readable at all: keep it either way.
            return ReadOutcome::MovedAside(aside_notice(path, what, &e.to_string()));
        }
    };
    match ron::from_str(&text) {
        Ok(value) => ReadOutcome::Read(value),
        Err(e) => ReadOutcome::MovedAside(aside_notice(path, what, &e.to_string())),
    }
}

fn aside_notice(path: &Path, what: &str, why: &str) -> String {
    eprintln!("{}: {what} cannot be read ({why})", path.display());
    match move_aside(path) {
        Ok(aside) => format!(
            "{} could not be read; the file is kept as {} and a new one begun.",
            capitalised(what),
            aside.file_name().unwrap_or_default().to_string_lossy()
        ),
        Err(e) => format!(
            "{} could not be read, nor moved aside ({e}); it is left as it is.",
            capitalised(what)
        ),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// What a queued write puts in its file, made on the writing thread (a thumbnail is encoded
/// there, not in the frame).
type Contents = Box<dyn FnOnce() -> Result<Vec<u8>, String> + Send>;

/// One queued write: the file, what it is called for the player, and how to make it.
type Job = (PathBuf, String, Contents);

/// The game's files (saves, thumbnails, settings, seen lines) are written on a thread of their
/// own, in order: an atomic write waits for the disk (fsync), and a frame must never wait for
/// the disk. A write queued for a file that already has one waiting replaces it (dragging a
/// volume slider queues one settings file, not one per frame). Failures come back to the game,
/// which tells the player; a failed write leaves the old file as it was.
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
    jobs: std::collections::VecDeque<Job>,
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

    /// Queues `value` for `path` as RON, made on the writing thread; a value that cannot be
    /// written out is a failure, and the file keeps what it had.
    pub fn write_ron<T: Serialize + Send + 'static>(
        &self,
        path: PathBuf,
        what: impl Into<String>,
        value: T,
    ) {
        self.write(path, what, move || to_ron(&value).map(String::into_bytes));
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

/// One write: makes the contents and writes them with `write_file`; a failure is a sentence for
/// the player (and the log). A panic while making the contents is a failure, not a lost thread.
fn perform(path: &Path, what: &str, contents: Contents) -> Result<(), String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(contents))
        .unwrap_or_else(|_| Err("it could not be prepared".into()))
        .and_then(|bytes| write_file(path, &bytes))
        .map_err(|e| {
            eprintln!("cannot write {what}: {e}");
            format!("Could not write {what}: {e}. The file keeps what it had.")
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

/// Messages for the player: a save that failed, a file moved aside, a save loaded. The interface
/// shows them one after another (`theme::draw_notices`); anything in the game may add one.
#[derive(Resource, Default, Debug)]
pub struct Notices {
    /// Waiting to be shown, oldest first.
    pub queue: std::collections::VecDeque<String>,
    /// The one on screen, and for how many more seconds.
    pub showing: Option<(String, f32)>,
}

impl Notices {
    /// Adds a message for the player.
    pub fn say(&mut self, text: impl Into<String>) {
        self.queue.push_back(text.into());
    }

    /// Everything said and not yet gone: the one on screen, then those waiting.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.showing
            .iter()
            .map(|(s, _)| s.as_str())
            .chain(self.queue.iter().map(String::as_str))
    }
}

/// How long a notice stays, in seconds.
const NOTICE_SECONDS: f32 = 3.5;

/// Shows the next notice when the last has had its time; tells the player what the disk thread
/// could not write.
fn tick_notices(
    work: Res<super::WorkMeter>,
    time: Res<Time>,
    dir: Option<Res<DataDir>>,
    mut notices: ResMut<Notices>,
) {
    let _work = work.start();
    if let Some(dir) = dir {
        for failure in dir.disk.take_failures() {
            notices.say(failure);
        }
    }
    if let Some((_, left)) = &mut notices.showing {
        *left -= time.delta_secs();
        if *left <= 0.0 {
            notices.showing = None;
        }
    }
    if notices.showing.is_none()
        && let Some(next) = notices.queue.pop_front()
    {
        notices.showing = Some((next, NOTICE_SECONDS));
    }
}

/// Sets up the data folder (before anything reads from it).
pub fn setup(mut commands: Commands, options: Option<Res<super::GameOptions>>) {
    let dir = DataDir::resolve(options.as_ref().and_then(|o| o.data_dir.as_deref()));
    commands.insert_resource(dir);
}

/// Nothing queued is lost when the game closes: the last writes finish first.
pub fn flush_on_exit(mut exits: MessageReader<AppExit>, dir: Option<Res<DataDir>>) {
    if exits.read().next().is_some()
        && let Some(dir) = dir
    {
        dir.disk.flush();
    }
}

/// The data folder, the notices, and the last writes at exit.
pub fn plugin(app: &mut App) {
    app.init_resource::<Notices>()
        .add_systems(PreStartup, setup.run_if(not(resource_exists::<DataDir>)))
        .add_systems(Update, tick_notices)
        .add_systems(Last, flush_on_exit);
}
