//! Saves a player can trust, and everything that starts, continues or rewinds a playthrough.
//! The screens and menus ask with messages (`NewGame`, `Continue`, `SaveTo`, `LoadFrom`,
//! `ReturnTo`); this plugin alone answers them, reads and writes the saves, and keeps:
//!
//! - autosaves in rotation (`AUTOSAVES` of them, at every chapter start, each written over the
//!   oldest), so a new game or a return to an earlier chapter never writes over the previous
//!   playthrough's latest autosave;
//! - the quicksave and the manual slots, each with its chapter, time and picture;
//! - the lines seen in any playthrough (for skipping them), kept aside if damaged.
//!
//! Every file goes through `persist`'s one write path; a failure is told to the player and the
//! old file stays.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use bevy::prelude::*;

use super::persist::{DataDir, Notices, ReadOutcome, read_or_move_aside};
use super::runner::{PlayerInput, SceneChange, Showing, StoryRunner};
use super::{GameOptions, LoadedStory, Menu, Play, Screen};
use crate::story::SaveDoc;
use crate::story::record::Record;

/// How many autosaves are kept, in rotation.
pub const AUTOSAVES: u8 = 3;

/// How many manual slots the save screen offers.
pub const MANUAL_SLOTS: u8 = 6;

/// A save slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// One of the autosaves written at chapter starts, 1-based, in rotation.
    Auto(u8),
    /// F5.
    Quick,
    /// Manual slots, 1-based.
    Manual(u8),
}

impl Slot {
    /// Every slot, in the order the save screen lists them.
    pub fn all() -> Vec<Slot> {
        let mut v: Vec<Slot> = (1..=AUTOSAVES).map(Slot::Auto).collect();
        v.push(Slot::Quick);
        v.extend((1..=MANUAL_SLOTS).map(Slot::Manual));
        v
    }

    /// The slots "Continue" chooses the newest of.
    pub fn continuable() -> Vec<Slot> {
        let mut v: Vec<Slot> = (1..=AUTOSAVES).map(Slot::Auto).collect();
        v.push(Slot::Quick);
        v
    }

    fn file_stem(&self) -> String {
        match self {
            Slot::Auto(n) => format!("autosave{n}"),
            Slot::Quick => "quicksave".into(),
            Slot::Manual(n) => format!("slot{n}"),
        }
    }

    /// The slot's name on screen.
    pub fn label(&self) -> String {
        match self {
            Slot::Auto(n) => format!("Autosave {n}"),
            Slot::Quick => "Quicksave".into(),
            Slot::Manual(n) => format!("Slot {n}"),
        }
    }

    /// The slot in a sentence ("Could not write the quicksave").
    pub fn what(&self) -> String {
        match self {
            Slot::Auto(n) => format!("autosave {n}"),
            Slot::Quick => "the quicksave".into(),
            Slot::Manual(n) => format!("the save in slot {n}"),
        }
    }
}

impl DataDir {
    /// A save slot's file.
    pub fn slot(&self, slot: &Slot) -> PathBuf {
        self.saves().join(format!("{}.ron", slot.file_stem()))
    }

    /// A save slot's thumbnail (a screenshot taken just after saving).
    pub fn thumbnail(&self, slot: &Slot) -> PathBuf {
        self.saves().join(format!("{}.png", slot.file_stem()))
    }
}

/// Writes a save into a slot, now (tools and tests; the game queues saves on the disk thread).
pub fn write_slot(dir: &DataDir, slot: &Slot, doc: &SaveDoc) -> Result<(), String> {
    super::persist::write_file(&dir.slot(slot), super::persist::to_ron(doc)?.as_bytes())
}

/// Queues a save for its slot on the writing thread (written out there, not in the frame).
pub fn queue_slot(dir: &DataDir, slot: &Slot, doc: SaveDoc) {
    dir.disk.write_ron(dir.slot(slot), slot.what(), doc);
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

/// When a slot's file was last written.
fn modified(dir: &DataDir, slot: &Slot) -> Option<SystemTime> {
    std::fs::metadata(dir.slot(slot)).ok()?.modified().ok()
}

/// Begin a new playthrough; with a seed, that one (autoplay), otherwise the clock's.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NewGame(pub Option<u64>);

/// Continue from the newest autosave or quicksave.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Continue;

/// Save the playthrough into a slot.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaveTo(pub Slot);

/// Load a slot.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadFrom(pub Slot);

/// Go back to just before decision `n` (0-based) of this playthrough (from the backlog).
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnTo(pub usize);

/// Leave the playthrough for the title screen.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToTitle;

/// The autosaves' rotation: the slot the next one goes into (the oldest), and the chapter this
/// playthrough last autosaved at.
#[derive(Resource, Debug, Clone, PartialEq, Eq)]
pub struct Autosaves {
    /// The slot the next autosave is written into, 1-based.
    pub next: u8,
    /// The chapter last autosaved in this playthrough.
    pub chapter: Option<usize>,
}

impl Autosaves {
    /// The rotation as the folder holds it: the next autosave goes into an empty slot, or over
    /// the oldest.
    pub fn from_disk(dir: &DataDir) -> Self {
        let next = (1..=AUTOSAVES)
            .min_by_key(|n| modified(dir, &Slot::Auto(*n)))
            .unwrap_or(1);
        Autosaves {
            next,
            chapter: None,
        }
    }

    /// Takes the slot for an autosave and moves the rotation on.
    pub fn take(&mut self) -> Slot {
        let slot = Slot::Auto(self.next);
        self.next = self.next % AUTOSAVES + 1;
        slot
    }
}

/// Lines seen in any playthrough (for "skip seen lines"), and whether they changed since they
/// were last written.
#[derive(Resource, Debug, Default)]
pub struct SeenLines {
    /// The lines' stable ids.
    pub lines: HashSet<String>,
    /// Changed since written.
    pub dirty: bool,
}

impl SeenLines {
    /// Notes a line as seen; true when it had been seen before.
    pub fn see(&mut self, id: &str) -> bool {
        if self.lines.contains(id) {
            return true;
        }
        self.lines.insert(id.to_owned());
        self.dirty = true;
        false
    }
}

/// A save's picture, decoded, for the save screen.
#[derive(Debug, Clone)]
pub struct Picture {
    /// When its file was written (a newer file is a new picture).
    pub modified: SystemTime,
    /// Width and height in pixels.
    pub size: [usize; 2],
    /// RGB bytes, row by row.
    pub rgb: Arc<Vec<u8>>,
}

/// What one slot holds, as the save screen shows it.
#[derive(Debug, Clone)]
pub struct SlotInfo {
    /// The slot.
    pub slot: Slot,
    /// "3. Some Chapter · 5 min ago", "empty" or "damaged".
    pub summary: String,
    /// Its picture, if it has one.
    pub picture: Option<Picture>,
}

/// What each slot holds, read from the disk when the save or load screen opens (never while
/// drawing); and whether any save exists at all (for the title's "Continue").
#[derive(Resource, Debug, Default)]
pub struct SlotList {
    /// Every slot, while the save or load screen is open.
    pub slots: Vec<SlotInfo>,
    /// A save to continue from exists.
    pub can_continue: bool,
}

/// A picture to take for a slot, in this many frames (once the menus are closed).
#[derive(Resource, Debug, Default)]
struct PendingPicture(Option<(Slot, u8)>);

/// A save's time, as minutes, hours or days ago.
pub fn when(saved_at: u64) -> String {
    let now = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let ago = now.saturating_sub(saved_at);
    match ago {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", ago / 60),
        3600..86400 => format!("{} h ago", ago / 3600),
        _ => format!("{} days ago", ago / 86400),
    }
}

/// What the player has seen across every playthrough (`story::record::Record`): read at start,
/// noted at every chapter and ending, written with the autosaves and at exit. Never lost by a
/// new game; a damaged one is kept aside.
#[derive(Resource, Debug, Default)]
pub struct PlayerRecord(pub Record);

/// Reads the record, and the seen lines of an earlier version's `seen.ron` into it: one record,
/// not two files. A damaged file is moved aside and kept, with a notice, and a new one begun.
pub fn read_record(dir: &DataDir) -> (PlayerRecord, SeenLines, Vec<String>) {
    let mut notices = Vec::new();
    let mut record =
        match read_or_move_aside::<Record>(&dir.record(), "the record of what you have seen") {
            ReadOutcome::Missing => Record::default(),
            ReadOutcome::Read(record) => record,
            ReadOutcome::MovedAside(notice) => {
                notices.push(notice);
                Record::default()
            }
        };
    let (legacy, notice) = read_seen(dir);
    notices.extend(notice);
    record.lines.extend(legacy.lines);
    let seen = SeenLines {
        lines: record.lines.iter().cloned().collect(),
        dirty: false,
    };
    (PlayerRecord(record), seen, notices)
}

/// Notes the playthrough in the record and queues the record for the disk.
fn write_record(
    dir: &DataDir,
    seen: &mut SeenLines,
    record: &mut PlayerRecord,
    runner: Option<&StoryRunner>,
) {
    record.0.lines.extend(seen.lines.iter().cloned());
    if let Some(runner) = runner {
        let now = SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // A playthrough the story no longer follows is simply not noted.
        let _ = record
            .0
            .note(&runner.story, &runner.save_doc().playthrough, now);
    }
    dir.disk.write_ron(
        dir.record(),
        "the record of what you have seen",
        record.0.clone(),
    );
    seen.dirty = false;
}

/// Reads an earlier version's seen lines (`seen.ron`); a damaged file is moved aside and kept,
/// with a notice.
pub fn read_seen(dir: &DataDir) -> (SeenLines, Option<String>) {
    match read_or_move_aside::<Vec<String>>(&dir.seen(), "the list of lines you have seen") {
        ReadOutcome::Missing => (SeenLines::default(), None),
        ReadOutcome::Read(lines) => (
            SeenLines {
                lines: lines.into_iter().collect(),
                dirty: false,
            },
            None,
        ),
        ReadOutcome::MovedAside(notice) => (SeenLines::default(), Some(notice)),
    }
}

/// Reads what the data folder holds: the seen lines, the autosaves' rotation, whether there is
/// a save to continue. (An autosave from before the rotation becomes the first of it.)
fn setup(mut commands: Commands, dir: Res<DataDir>, mut notices: ResMut<Notices>) {
    let legacy = dir.saves().join("autosave.ron");
    if legacy.exists() && !dir.slot(&Slot::Auto(1)).exists() {
        let _ = std::fs::rename(&legacy, dir.slot(&Slot::Auto(1)));
        let _ = std::fs::rename(
            dir.saves().join("autosave.png"),
            dir.thumbnail(&Slot::Auto(1)),
        );
    }
    let (record, seen, said) = read_record(&dir);
    for notice in said {
        notices.say(notice);
    }
    commands.insert_resource(seen);
    commands.insert_resource(record);
    commands.insert_resource(Autosaves::from_disk(&dir));
    commands.insert_resource(SlotList {
        slots: Vec::new(),
        can_continue: Slot::continuable().iter().any(|s| dir.slot(s).exists()),
    });
}

/// Starts a playthrough, or puts a loaded one in place, and shows it.
pub fn begin(
    commands: &mut Commands,
    runner: StoryRunner,
    screen: &mut NextState<Screen>,
    play: &mut NextState<Play>,
    menu: &mut NextState<Menu>,
) {
    commands.insert_resource(runner);
    screen.set(Screen::Playing);
    play.set(Play::Running);
    menu.set(Menu::None);
}

/// The state changes a message may ask for.
pub type NextStates<'a> = (
    ResMut<'a, NextState<Screen>>,
    ResMut<'a, NextState<Play>>,
    ResMut<'a, NextState<Menu>>,
);

/// "New game": a fresh playthrough. Its first autosave goes into the rotation's oldest slot,
/// so the previous playthrough's latest autosave stays.
fn new_game(
    mut asked: MessageReader<NewGame>,
    loaded: Res<LoadedStory>,
    options: Option<Res<GameOptions>>,
    mut autosaves: ResMut<Autosaves>,
    mut commands: Commands,
    (mut screen, mut play, mut menu): NextStates,
) {
    let Some(NewGame(seed)) = asked.read().last().copied() else {
        return;
    };
    let seed = seed
        .or_else(|| options.as_ref().and_then(|o| o.autoplay))
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs())
        });
    autosaves.chapter = None;
    // A writer's test start (`her --from`): there, with the state given, and said so.
    let start = options.as_ref().and_then(|o| o.test_start.as_ref());
    let runner = match start.map(|s| (s, loaded.0.state_from(seed, s))) {
        Some((s, Ok(state))) => StoryRunner::resume(loaded.0.clone(), state, Some(s.describe())),
        Some((_, Err(e))) => StoryRunner::resume(
            loaded.0.clone(),
            loaded.0.new_state(seed),
            Some(format!(
                "The test start cannot be made ({e}); the story starts at the beginning."
            )),
        ),
        None => StoryRunner::new(loaded.0.clone(), seed),
    };
    begin(&mut commands, runner, &mut screen, &mut play, &mut menu);
}

/// Loads a slot into play; tells the player what happened.
#[expect(clippy::too_many_arguments, reason = "loading sets the whole game")]
fn load(
    slot: &Slot,
    dir: &DataDir,
    loaded: &LoadedStory,
    commands: &mut Commands,
    notices: &mut Notices,
    scenes: &mut MessageWriter<SceneChange>,
    autosaves: &mut Autosaves,
    (screen, play, menu): (
        &mut NextState<Screen>,
        &mut NextState<Play>,
        &mut NextState<Menu>,
    ),
) {
    match read_slot(dir, slot) {
        None => notices.say(format!("{} is empty.", slot.label())),
        Some(Err(e)) => notices.say(format!("That save cannot be read: {e}")),
        Some(Ok(doc)) => {
            let mut directives = Vec::new();
            let runner = StoryRunner::from_save(loaded.0.clone(), &doc, &mut directives);
            scenes.write_batch(directives.into_iter().map(SceneChange));
            notices.say(
                runner
                    .notice
                    .clone()
                    .unwrap_or_else(|| format!("Loaded {}.", slot.label())),
            );
            autosaves.chapter = None;
            begin(commands, runner, screen, play, menu);
        }
    }
}

/// "Continue" and loading a slot.
#[expect(clippy::too_many_arguments, reason = "loading sets the whole game")]
fn load_game(
    mut continues: MessageReader<Continue>,
    mut loads: MessageReader<LoadFrom>,
    dir: Option<Res<DataDir>>,
    loaded: Res<LoadedStory>,
    mut notices: ResMut<Notices>,
    mut scenes: MessageWriter<SceneChange>,
    mut autosaves: ResMut<Autosaves>,
    mut commands: Commands,
    (mut screen, mut play, mut menu): NextStates,
) {
    let continuing = continues.read().last().is_some();
    let asked = loads.read().last().copied();
    let Some(dir) = dir else { return };
    let slot = match asked {
        Some(LoadFrom(slot)) => slot,
        None if continuing => {
            // The newest save is judged by its file's time: let queued ones land.
            dir.disk.flush();
            let newest = Slot::continuable()
                .into_iter()
                .filter_map(|s| Some((modified(&dir, &s)?, s)))
                .max_by_key(|(m, _)| *m);
            match newest {
                Some((_, slot)) => slot,
                None => {
                    notices.say("There is no save to continue from.");
                    return;
                }
            }
        }
        None => return,
    };
    load(
        &slot,
        &dir,
        &loaded,
        &mut commands,
        &mut notices,
        &mut scenes,
        &mut autosaves,
        (&mut screen, &mut play, &mut menu),
    );
}

/// Saving into a slot: written on the disk thread, with a picture taken once the menus close.
fn save_game(
    mut asked: MessageReader<SaveTo>,
    runner: Option<Res<StoryRunner>>,
    dir: Option<Res<DataDir>>,
    mut notices: ResMut<Notices>,
    mut picture: ResMut<PendingPicture>,
    mut list: ResMut<SlotList>,
    mut menu: ResMut<NextState<Menu>>,
) {
    for SaveTo(slot) in asked.read() {
        let (Some(runner), Some(dir)) = (&runner, &dir) else {
            continue;
        };
        // A failure comes back from the disk thread as a notice (`persist::tick_notices`).
        queue_slot(dir, slot, runner.save_doc());
        picture.0 = Some((*slot, 2));
        list.can_continue |= Slot::continuable().contains(slot);
        notices.say(format!("Saved to {}.", slot.label()));
        menu.set(Menu::None);
    }
}

/// "Return here" in the backlog: back to just before that decision, and the backlog closes.
fn return_to(
    mut asked: MessageReader<ReturnTo>,
    mut input: MessageWriter<PlayerInput>,
    mut menu: ResMut<NextState<Menu>>,
) {
    if let Some(ReturnTo(k)) = asked.read().last() {
        input.write(PlayerInput::Rollback(*k));
        menu.set(Menu::None);
    }
}

/// Back to the title: the playthrough ends (its saves stay).
fn to_title(
    mut asked: MessageReader<ToTitle>,
    mut commands: Commands,
    mut screen: ResMut<NextState<Screen>>,
) {
    if asked.read().last().is_some() {
        commands.remove_resource::<StoryRunner>();
        screen.set(Screen::Title);
    }
}

/// Writes an autosave when a chapter begins, over the oldest of the rotation.
fn autosave(
    work: Res<super::WorkMeter>,
    runner: Option<Res<StoryRunner>>,
    dir: Option<Res<DataDir>>,
    mut autosaves: ResMut<Autosaves>,
    (mut seen, mut record): (ResMut<SeenLines>, ResMut<PlayerRecord>),
    (mut picture, mut list): (ResMut<PendingPicture>, ResMut<SlotList>),
    mut noted_ending: Local<Option<(u64, usize)>>,
) {
    let _work = work.start();
    let (Some(runner), Some(dir)) = (runner, dir) else {
        return;
    };
    if let Showing::ChapterCard { number, .. } = runner.showing
        && autosaves.chapter != Some(number)
    {
        autosaves.chapter = Some(number);
        let slot = autosaves.take();
        queue_slot(&dir, &slot, runner.save_doc());
        list.can_continue = true;
        // The title card is a fine picture for a chapter's autosave.
        picture.0 = Some((slot, 2));
        write_record(&dir, &mut seen, &mut record, Some(&runner));
    }
    // An ending is noted once: the record has it even if the game is closed on the ending.
    if let Showing::Ending { .. } = runner.showing {
        let this = (runner.state.seed, runner.state.decisions.len());
        if *noted_ending != Some(this) {
            *noted_ending = Some(this);
            write_record(&dir, &mut seen, &mut record, Some(&runner));
        }
    }
}

/// Takes a pending save picture once the menus have closed.
fn take_picture(
    work: Res<super::WorkMeter>,
    mut pending: ResMut<PendingPicture>,
    dir: Option<Res<DataDir>>,
    menu: Res<State<Menu>>,
    mut commands: Commands,
) {
    let _work = work.start();
    let Some((slot, frames)) = pending.0.take() else {
        return;
    };
    if *menu.get() != Menu::None || frames > 0 {
        pending.0 = Some((slot, frames.saturating_sub(1)));
        return;
    }
    if let Some(dir) = dir {
        let dir = dir.clone();
        commands
            .spawn(bevy::render::view::screenshot::Screenshot::primary_window())
            .observe(
                move |shot: On<bevy::render::view::screenshot::ScreenshotCaptured>| {
                    // Shrunk and encoded on the disk thread: a PNG of the whole window takes
                    // longer than a frame.
                    let image = shot.image.clone();
                    let what = format!("the {} picture", slot.label().to_lowercase());
                    dir.disk
                        .write(dir.thumbnail(&slot), what, move || thumbnail_png(image));
                },
            );
    }
}

/// The size a save's picture is shown at, in points.
pub const THUMBNAIL: [u32; 2] = [96, 54];

/// A save's picture: the window, shrunk to twice the save screen's size (sharp on high-density
/// screens), as PNG bytes.
fn thumbnail_png(image: Image) -> Result<Vec<u8>, String> {
    let picture = image
        .try_into_dynamic()
        .map_err(|e| e.to_string())?
        .thumbnail(THUMBNAIL[0] * 2, THUMBNAIL[1] * 2)
        .to_rgb8();
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    Ok(bytes.into_inner())
}

/// A slot's picture, read from its file.
fn read_picture(dir: &DataDir, slot: &Slot) -> Option<Picture> {
    let path = dir.thumbnail(slot);
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    let img = image::open(&path)
        .ok()?
        .thumbnail(THUMBNAIL[0] * 2, THUMBNAIL[1] * 2)
        .to_rgb8();
    Some(Picture {
        modified,
        size: [img.width() as usize, img.height() as usize],
        rgb: Arc::new(img.into_raw()),
    })
}

/// Reads every slot when the save or load screen opens (once, not every frame).
fn read_slots(dir: Option<Res<DataDir>>, mut list: ResMut<SlotList>) {
    let Some(dir) = dir else { return };
    list.slots = Slot::all()
        .into_iter()
        .map(|slot| {
            let summary = match read_slot(&dir, &slot) {
                None => "empty".to_owned(),
                Some(Err(_)) => "damaged".to_owned(),
                Some(Ok(doc)) => format!("{}  ·  {}", doc.label, when(doc.saved_at)),
            };
            SlotInfo {
                slot,
                summary,
                picture: read_picture(&dir, &slot),
            }
        })
        .collect();
}

/// The save screen closed: forget what it read.
fn forget_slots(mut list: ResMut<SlotList>) {
    list.slots.clear();
}

/// Keeps the seen lines on disk when the game closes.
fn save_seen_on_exit(
    mut exits: MessageReader<AppExit>,
    dir: Option<Res<DataDir>>,
    runner: Option<Res<StoryRunner>>,
    mut seen: ResMut<SeenLines>,
    mut record: ResMut<PlayerRecord>,
) {
    if exits.read().next().is_some()
        && let Some(dir) = dir
    {
        write_record(&dir, &mut seen, &mut record, runner.as_deref());
    }
}

/// The saves: their messages, the autosaves, the pictures, the seen lines.
pub fn plugin(app: &mut App) {
    use super::GameSet;
    app.add_message::<NewGame>()
        .add_message::<Continue>()
        .add_message::<SaveTo>()
        .add_message::<LoadFrom>()
        .add_message::<ReturnTo>()
        .add_message::<ToTitle>()
        .init_resource::<PendingPicture>()
        .init_resource::<SeenLines>()
        .init_resource::<PlayerRecord>()
        .init_resource::<SlotList>()
        .insert_resource(Autosaves {
            next: 1,
            chapter: None,
        })
        .add_systems(
            PreStartup,
            setup
                .after(super::persist::setup)
                .run_if(resource_exists::<DataDir>),
        )
        .add_systems(
            Update,
            (new_game, load_game, save_game, return_to, to_title)
                .chain()
                .in_set(super::input::InputSet::Request),
        )
        .add_systems(
            Update,
            (
                autosave,
                take_picture.run_if(any_with_component::<bevy::window::PrimaryWindow>),
            )
                .chain()
                .after(GameSet::AdvanceStory),
        )
        .add_systems(OnEnter(Menu::Save), read_slots)
        .add_systems(OnEnter(Menu::Load), read_slots)
        .add_systems(OnExit(Menu::Save), forget_slots)
        .add_systems(OnExit(Menu::Load), forget_slots)
        .add_systems(
            Last,
            save_seen_on_exit.before(super::persist::flush_on_exit),
        );
}
