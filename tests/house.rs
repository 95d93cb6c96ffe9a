//! The game's house, headless: the story stands still under the pause menu and the backlog, the
//! sound's twentieth minute still moves, autosaves rotate so a new game keeps the previous
//! playthrough's latest, a failed save keeps the old file and tells the player, damaged files are
//! kept aside, settings are brought into their ranges, and two timed pauses with only a scene
//! change between them both take their time.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use bevy::time::TimeUpdateStrategy;
use her::game::input::Action;
use her::game::persist::{DataDir, Notices};
use her::game::runner::{PlayerInput, Showing, StoryRunner};
use her::game::saves::{AUTOSAVES, LoadFrom, NewGame, PlayerRecord, SaveTo, Slot, read_slot};
use her::game::screens::conversation::Conversation;
use her::game::settings::{Settings, load_settings, read_settings};
use her::game::{LoadedStory, Menu, Play, Screen};
use her::game::{input, menus, persist, replay, replay_files, runner, saves, screens, settings};
use her::story::{SaveDoc, Story};

/// The house tests' own small story (`tests/fixtures/house`): two chapters with lines, timed
/// pauses and choices, so these tests do not move when the shipped story is rewritten.
fn shipped() -> Story {
    let report = her::story::load(&[std::path::PathBuf::from("tests/fixtures/house")]);
    report
        .story
        .unwrap_or_else(|| panic!("the house story loads: {:#?}", report.diagnostics))
}

/// A frame of the headless game, in seconds.
const FRAME: f32 = 0.1;

/// The game without a window: the story, the saves, the settings, the input, the screens' and
/// menus' logic; a tenth of a second a frame. Its files go to `dir`.
fn house(dir: &Path, story: Story, settings: Option<Settings>) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin));
    app.insert_resource(TimeUpdateStrategy::ManualDuration(Duration::from_secs_f32(
        FRAME,
    )));
    her::game::frame(&mut app);
    app.insert_resource(DataDir::new(dir.to_path_buf()));
    app.insert_resource(LoadedStory(Arc::new(story)));
    if let Some(settings) = settings {
        app.insert_resource(settings);
    }
    app.add_plugins((
        runner::plugin,
        persist::plugin,
        settings::plugin,
        saves::plugin,
        replay::plugin,
        replay_files::plugin,
        input::plugin,
        screens::plugin,
        menus::plugin,
    ));
    app.update();
    app
}

fn runner(app: &App) -> &StoryRunner {
    app.world().resource::<StoryRunner>()
}

fn frames(app: &mut App, n: usize) {
    for _ in 0..n {
        app.update();
    }
}

fn new_game(app: &mut App, seed: u64) {
    app.world_mut().write_message(NewGame(Some(seed)));
    frames(app, 3);
    assert_eq!(
        *app.world().resource::<State<Screen>>().get(),
        Screen::Playing
    );
}

/// One step of a player who always takes the first option.
fn step(app: &mut App) {
    let input = if runner(app).showing.is_choice() {
        PlayerInput::Choose(0)
    } else {
        PlayerInput::Advance
    };
    app.world_mut().write_message(input);
    app.update();
}

/// Plays on until `done` holds.
fn play_until(app: &mut App, what: &str, done: impl Fn(&Showing) -> bool) {
    for _ in 0..5_000 {
        if done(&runner(app).showing) {
            return;
        }
        step(app);
    }
    panic!("never reached {what}");
}

fn notices(app: &App) -> Vec<String> {
    app.world()
        .resource::<Notices>()
        .all()
        .map(str::to_owned)
        .collect()
}

fn set_play(app: &mut App, play: Play) {
    app.world_mut().resource_mut::<NextState<Play>>().set(play);
    app.update();
}

fn set_menu(app: &mut App, menu: Menu) {
    app.world_mut().resource_mut::<NextState<Menu>>().set(menu);
    app.update();
}

#[test]
fn the_story_stands_still_under_the_pause_menu_and_the_backlog() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        auto_advance: true,
        skip_seen: true,
        text_speed: 0.0,
        ..Settings::default()
    };
    let mut app = house(dir.path(), shipped(), Some(settings));
    new_game(&mut app, 7);
    // Past the chapter's card; then, live, auto-advance moves the story by itself.
    step(&mut app);
    let start = runner(&app).moment;
    frames(&mut app, 300);
    assert!(
        runner(&app).moment > start + 2,
        "auto-advance moves a live story"
    );

    for (what, freeze, thaw) in [
        ("the pause menu", Some(Play::Paused), Play::Running),
        ("the backlog", None, Play::Running),
    ] {
        match freeze {
            Some(play) => set_play(&mut app, play),
            None => set_menu(&mut app, Menu::Backlog),
        }
        let before = (
            runner(&app).moment,
            runner(&app).showing.clone(),
            runner(&app).state.decisions.len(),
        );
        // Ten minutes under the menu, with the player pressing keys and clicking beside it.
        for i in 0..6_000 {
            if i % 50 == 0 {
                app.world_mut().write_message(Action::Advance);
                app.world_mut().write_message(Action::Choose(0));
                app.world_mut().write_message(PlayerInput::Advance);
                app.world_mut().write_message(PlayerInput::Choose(0));
            }
            app.update();
        }
        let after = (
            runner(&app).moment,
            runner(&app).showing.clone(),
            runner(&app).state.decisions.len(),
        );
        assert_eq!(before, after, "the story moved under {what}");
        set_menu(&mut app, Menu::None);
        set_play(&mut app, thaw);
    }

    // A timed pause keeps its time while the game is paused.
    app.insert_resource(Settings {
        auto_advance: false,
        ..Settings::default()
    });
    play_until(&mut app, "a timed pause", |s| {
        matches!(s, Showing::Pause(_))
    });
    let Showing::Pause(secs) = runner(&app).showing else {
        unreachable!()
    };
    let moment = runner(&app).moment;
    set_play(&mut app, Play::Paused);
    frames(&mut app, 600);
    set_play(&mut app, Play::Running);
    let mut held = 0;
    while runner(&app).moment == moment && held < 1_000 {
        app.update();
        held += 1;
    }
    assert!(
        held as f32 * FRAME >= secs - 2.0 * FRAME,
        "the pause of {secs} s was held {:.1} s after the game resumed",
        held as f32 * FRAME
    );
}

#[test]
fn the_sound_still_moves_in_its_twentieth_minute() {
    use her::game::sound::{CityHum, Score};
    use her::story::format::{Location, Mood};
    const RATE: u64 = 44_100;
    let minute_20 = 20 * 60 * RATE;

    // Forty seconds of the score from its twentieth minute: every chord comes round.
    let mut score = Score::new(Mood::Warm, 1).decoder_at(minute_20);
    let mut chords = std::collections::BTreeSet::new();
    let mut notes = 0;
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for second in 0..40 {
        for _ in 0..RATE * 2 {
            let s = score.next().expect("the score plays forever");
            lo = lo.min(s);
            hi = hi.max(s);
        }
        chords.insert(score.voice().chord());
        notes = notes.max(score.voice().notes());
        assert!(second < 39 || chords.len() == 4, "chords heard: {chords:?}");
    }
    assert!(notes > 0, "notes still fall");
    assert!(hi - lo > 0.01, "the score is heard: {lo}..{hi}");

    // And the city: cars still pass in the street.
    let mut street = CityHum::new(Location::Street, 1).decoder_at(minute_20);
    for _ in 0..RATE * 2 * 40 {
        street.next();
    }
    assert!(
        street.voice().cars() >= 3,
        "{} cars passed in forty seconds",
        street.voice().cars()
    );
}

/// The bytes of every autosave there is.
fn autosaves(dir: &DataDir) -> Vec<(Slot, SaveDoc, Vec<u8>)> {
    (1..=AUTOSAVES)
        .map(Slot::Auto)
        .filter_map(|slot| {
            let doc = read_slot(dir, &slot)?.expect("readable");
            Some((slot, doc, std::fs::read(dir.slot(&slot)).unwrap()))
        })
        .collect()
}

#[test]
fn a_new_game_keeps_the_previous_playthroughs_latest_autosave() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), shipped(), None);
    let data = app.world().resource::<DataDir>().clone();

    // The first playthrough autosaves at chapters 1 and 2.
    new_game(&mut app, 7);
    play_until(&mut app, "chapter 2", |s| {
        matches!(s, Showing::ChapterCard { number: 2, .. })
    });
    app.update();
    let saved = autosaves(&data);
    assert_eq!(saved.len(), 2, "one autosave a chapter");
    let mut latest = saved
        .iter()
        .max_by_key(|(_, doc, _)| doc.playthrough.decisions.len())
        .cloned()
        .unwrap();
    assert!(latest.1.label.contains("Second"), "{}", latest.1.label);

    // New games, one after another: each keeps the one before's latest autosave.
    for seed in [8, 9, 10, 11] {
        new_game(&mut app, seed);
        app.update();
        let saved = autosaves(&data);
        assert!(
            saved.iter().any(|(_, _, bytes)| *bytes == latest.2),
            "new game {seed} wrote over the previous playthrough's latest autosave ({:?})",
            latest.0
        );
        latest = saved
            .iter()
            .find(|(_, doc, _)| doc.playthrough.seed == seed)
            .cloned()
            .expect("the new game's own autosave");
    }

    // After one more new game, the previous playthrough can still be loaded from its autosave.
    let (slot, doc, _) = latest;
    new_game(&mut app, 12);
    app.world_mut().write_message(LoadFrom(slot));
    frames(&mut app, 2);
    assert_eq!(
        runner(&app).state.seed,
        doc.playthrough.seed,
        "loaded the previous playthrough"
    );

    // The record across playthroughs has every one of them: new games never lose it.
    let data = app.world().resource::<DataDir>().clone();
    data.disk.flush();
    let record = her::story::record::Record::read(&data.record()).expect("the record");
    let seeds: std::collections::BTreeSet<u64> =
        record.playthroughs.iter().map(|p| p.seed).collect();
    assert!(
        seeds.len() >= 4,
        "every playthrough is in the record: {seeds:?}"
    );
}

/// A value whose writing out fails, as a save's could.
struct Unwritable;

impl serde::Serialize for Unwritable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("a value that cannot be written"))
    }
}

#[test]
fn a_failed_save_keeps_the_old_file_and_tells_the_player() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), shipped(), None);
    new_game(&mut app, 3);
    play_until(&mut app, "choices", Showing::is_choice);
    app.world_mut().write_message(SaveTo(Slot::Quick));
    frames(&mut app, 2);
    let data = app.world().resource::<DataDir>().clone();
    let good = read_slot(&data, &Slot::Quick).unwrap().unwrap();
    let bytes = std::fs::read(data.slot(&Slot::Quick)).unwrap();

    // The same path the game's saves take, with a save that cannot be written out.
    data.disk
        .write_ron(data.slot(&Slot::Quick), Slot::Quick.what(), Unwritable);
    data.disk.flush();
    assert_eq!(
        std::fs::read(data.slot(&Slot::Quick)).unwrap(),
        bytes,
        "the old save is kept, byte for byte"
    );
    assert_eq!(read_slot(&data, &Slot::Quick).unwrap().unwrap(), good);
    frames(&mut app, 1);
    let said = notices(&app);
    assert!(
        said.iter()
            .any(|n| n.starts_with("Could not write the quicksave") && n.contains("keeps")),
        "the player is told: {said:?}"
    );
}

#[test]
fn damaged_files_are_kept_aside_and_settings_come_back_into_range() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path().to_path_buf());
    std::fs::write(data.seen(), "[\"first.start.1\", \"first.start.2\"").unwrap();
    std::fs::write(data.settings(), "Settings(music_volume: oops").unwrap();
    let mut app = house(dir.path(), shipped(), None);
    let kept: Vec<(String, String)> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("unreadable"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    assert_eq!(kept.len(), 2, "both damaged files kept aside: {kept:?}");
    assert!(
        kept.iter()
            .any(|(name, text)| name.starts_with("seen.") && text.contains("first.start.2")),
        "{kept:?}"
    );
    assert!(
        kept.iter()
            .any(|(name, text)| name.starts_with("settings.") && text.contains("oops")),
        "{kept:?}"
    );
    let said = notices(&app);
    assert!(
        said.iter()
            .any(|n| n.contains("lines you have seen") && n.contains("kept as seen.unreadable")),
        "{said:?}"
    );
    assert!(said.iter().any(|n| n.contains("settings")), "{said:?}");
    assert_eq!(*app.world().resource::<Settings>(), Settings::default());

    // Play goes on and writes a new list; what was kept aside stays as it was.
    new_game(&mut app, 5);
    play_until(&mut app, "chapter 2", |s| {
        matches!(s, Showing::ChapterCard { number: 2, .. })
    });
    app.update();
    let data = app.world().resource::<DataDir>().clone();
    data.disk.flush();
    // Seen lines now live in the record across playthroughs (one file, not two): it holds the
    // lines read and this playthrough, and the old seen.ron is never written again.
    let record = her::story::record::Record::read(&data.record()).expect("a new record");
    assert!(!record.lines.is_empty(), "the lines read are in it");
    assert_eq!(record.playthroughs.len(), 1, "and the playthrough");
    assert!(!data.seen().exists(), "seen.ron is not written again");
    for (name, text) in kept {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            text
        );
    }

    // A setting edited by hand beyond its range is brought back into it.
    std::fs::write(
        data.settings(),
        "(music_volume: 40.0, effects_volume: -2.0, text_size: 3.0, text_speed: 9000.0, quality: 9)",
    )
    .unwrap();
    let (settings, notice) = read_settings(&data);
    assert_eq!(notice, None);
    assert_eq!(settings.music_volume, 1.0);
    assert_eq!(settings.effects_volume, 0.0);
    assert_eq!(settings.text_size, 16.0);
    assert_eq!(settings.text_speed, 120.0);
    assert_eq!(settings.quality, 2);
    assert_eq!(load_settings(&data), settings);
}

/// A one-chapter story: a line, two held silences with only a scene change between them, a line.
fn two_pauses() -> (tempfile::TempDir, Story) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("story.ron"),
        r#"Story(
    title: "Two pauses",
    chapters: ["one"],
    characters: {},
    variables: {},
    endings: { "end": (title: "End", summary: "The end.") },
)"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("one.ron"),
        r#"Chapter(
    id: "one",
    title: "One",
    scene: (location: Apartment, time: Night, mood: Warm),
    nodes: [
        (
            id: "start",
            script: [
                Line("Before."),
                Pause(1.0),
                Scene(mood: Dark),
                Pause(1.0),
                Line("After."),
            ],
            end: "end",
        ),
    ],
)"#,
    )
    .unwrap();
    let report = her::story::load(&[dir.path().to_path_buf()]);
    let story = report
        .story
        .unwrap_or_else(|| panic!("{:#?}", report.diagnostics));
    (dir, story)
}

#[test]
fn two_pauses_around_a_scene_change_both_take_their_time() {
    let (_story_dir, story) = two_pauses();
    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), story, None);
    new_game(&mut app, 1);
    play_until(
        &mut app,
        "the first line",
        |s| matches!(s, Showing::Line { text, .. } if text == "Before."),
    );
    step(&mut app);
    assert_eq!(runner(&app).showing, Showing::Pause(1.0));
    let mut held = 0;
    while !matches!(&runner(&app).showing, Showing::Line { text, .. } if text == "After.") {
        app.update();
        held += 1;
        assert!(held < 100, "stuck at {:?}", runner(&app).showing);
    }
    let seconds = held as f32 * FRAME;
    assert!(
        seconds >= 1.8,
        "two pauses of a second each were held {seconds:.1} s in all"
    );
    assert!(app.world().resource::<Conversation>().moment.is_some());
}

/// Presses a gamepad button for one frame.
fn press(app: &mut App, pad: Entity, button: bevy::input::gamepad::GamepadButton) {
    use bevy::input::gamepad::Gamepad;
    app.world_mut()
        .get_mut::<Gamepad>(pad)
        .unwrap()
        .digital_mut()
        .press(button);
    app.update();
    let mut gamepad = app.world_mut().get_mut::<Gamepad>(pad).unwrap();
    gamepad.digital_mut().release(button);
    gamepad.digital_mut().clear();
    app.update();
}

#[test]
fn a_gamepad_goes_on_pauses_opens_the_backlog_saves_and_moves_the_focus() {
    use bevy::input::gamepad::{Gamepad, GamepadButton};
    use bevy_egui::PrimaryEguiContext;
    use bevy_egui::egui;
    use bevy_egui::input::EguiInputEvent;
    use her::game::input::{PadInput, pad_input};

    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), shipped(), None);
    app.add_message::<EguiInputEvent>();
    let context = app.world_mut().spawn(PrimaryEguiContext).id();
    let pad = app.world_mut().spawn(Gamepad::default()).id();
    new_game(&mut app, 2);

    // A (South) goes on: past the chapter's card, and through a line.
    let moment = runner(&app).moment;
    press(&mut app, pad, GamepadButton::South);
    assert!(runner(&app).moment > moment, "A goes on");
    // Start pauses and resumes; Y opens and closes the backlog; X quicksaves.
    press(&mut app, pad, GamepadButton::Start);
    assert_eq!(*app.world().resource::<State<Play>>().get(), Play::Paused);
    press(&mut app, pad, GamepadButton::Start);
    assert_eq!(*app.world().resource::<State<Play>>().get(), Play::Running);
    press(&mut app, pad, GamepadButton::North);
    assert_eq!(*app.world().resource::<State<Menu>>().get(), Menu::Backlog);
    press(&mut app, pad, GamepadButton::North);
    assert_eq!(*app.world().resource::<State<Menu>>().get(), Menu::None);
    press(&mut app, pad, GamepadButton::West);
    let data = app.world().resource::<DataDir>().clone();
    assert!(read_slot(&data, &Slot::Quick).is_some(), "X quicksaves");

    // The d-pad moves the interface's focus (as Tab), reaching every button: choices, letter
    // fragments, menus, slots.
    app.world_mut()
        .get_mut::<Gamepad>(pad)
        .unwrap()
        .digital_mut()
        .press(GamepadButton::DPadDown);
    app.update();
    let sent: Vec<(Entity, egui::Event)> = app
        .world_mut()
        .resource_mut::<Messages<EguiInputEvent>>()
        .drain()
        .map(|e| (e.context, e.event))
        .collect();
    assert!(
        sent.iter().any(|(to, e)| *to == context
            && matches!(e, egui::Event::Key { key: egui::Key::Tab, pressed: true, modifiers, .. } if !modifiers.shift)),
        "{sent:?}"
    );

    // With a button focused, A presses it (as Enter) instead of going on.
    let mut a = Gamepad::default();
    a.digital_mut().press(GamepadButton::South);
    assert_eq!(
        pad_input(&a, true),
        PadInput {
            actions: vec![],
            keys: vec![(egui::Key::Enter, false)]
        }
    );
    assert_eq!(pad_input(&a, false).actions, vec![Action::Advance]);
    let mut up = Gamepad::default();
    up.digital_mut().press(GamepadButton::DPadUp);
    assert_eq!(pad_input(&up, false).keys, vec![(egui::Key::Tab, true)]);
}

#[test]
fn tab_and_enter_reach_and_press_a_button_as_the_gamepad_sends_them() {
    use bevy_egui::egui;
    let ctx = egui::Context::default();
    let key = |key, pressed| egui::Event::Key {
        key,
        physical_key: None,
        pressed,
        repeat: false,
        modifiers: egui::Modifiers::default(),
    };
    let mut clicked = [false; 3];
    let mut frame = |events: Vec<egui::Event>| {
        let input = egui::RawInput {
            events,
            screen_rect: Some(egui::Rect::from_min_size(
                egui::pos2(0.0, 0.0),
                egui::vec2(400.0, 300.0),
            )),
            ..Default::default()
        };
        let mut output = ctx.run_ui(input, |ui| {
            for (i, clicked) in clicked.iter_mut().enumerate() {
                if ui.button(format!("option {i}")).clicked() {
                    *clicked = true;
                }
            }
        });
        // No renderer here: the font atlas' updates are dropped.
        output.textures_delta.clear();
    };
    frame(vec![]);
    frame(vec![key(egui::Key::Tab, true), key(egui::Key::Tab, false)]);
    frame(vec![key(egui::Key::Tab, true), key(egui::Key::Tab, false)]);
    frame(vec![
        key(egui::Key::Enter, true),
        key(egui::Key::Enter, false),
    ]);
    frame(vec![]);
    assert_eq!(
        clicked,
        [false, true, false],
        "the second button was pressed"
    );
}

#[test]
fn the_rooms_that_draw_read_no_files_and_ask_the_engine_nothing() {
    // Screens and menus draw and send messages; files belong to `persist`, `settings` and
    // `saves`, the engine to `runner`. A newcomer finds each screen's room by its name.
    let mut rooms = Vec::new();
    for folder in ["src/game/screens", "src/game/menus"] {
        for entry in std::fs::read_dir(folder).unwrap() {
            rooms.push(entry.unwrap().path());
        }
    }
    let names: Vec<String> = rooms
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for screen in [
        "title",
        "conversation",
        "letter",
        "ending",
        "pause",
        "backlog",
        "settings",
        "slots",
    ] {
        assert!(names.iter().any(|n| n == screen), "no room for {screen}");
    }
    for room in rooms {
        let text = std::fs::read_to_string(&room).unwrap();
        for forbidden in [
            "std::fs",
            "File::",
            "image::open",
            "crate::story",
            "SaveDoc",
            "write_file",
            "DataDir",
            ".story.",
        ] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}: drawing reads no files and asks the engine nothing",
                room.display()
            );
        }
        assert!(text.starts_with("//!"), "{} opens with //!", room.display());
    }
}

#[test]
fn choices_taken_in_an_earlier_playthrough_are_known_at_the_choice() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), shipped(), None);
    // The first playthrough takes the first option everywhere, into chapter 2 (an autosave and
    // the record are written at its card).
    new_game(&mut app, 3);
    play_until(&mut app, "chapter 2", |s| {
        matches!(s, Showing::ChapterCard { number: 2, .. })
    });
    app.update();
    // A new game: at its first choice, the option taken before is known as taken, the others
    // not.
    new_game(&mut app, 4);
    play_until(&mut app, "a choice", Showing::is_choice);
    let keys = runner(&app).choice_keys.clone();
    assert!(keys.len() >= 2, "{keys:?}");
    let record = &app.world().resource::<PlayerRecord>().0;
    assert!(
        record.choices.contains(&keys[0]),
        "{keys:?} in {:?}",
        record.choices
    );
    assert!(!record.choices.contains(&keys[1]), "{keys:?}");
}

#[test]
fn jumping_back_from_the_flowchart_resumes_that_visit_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), shipped(), None);
    new_game(&mut app, 3);
    play_until(&mut app, "chapter 2", |s| {
        matches!(s, Showing::ChapterCard { number: 2, .. })
    });
    play_until(&mut app, "a choice in chapter 2", Showing::is_choice);
    let before = runner(&app).state.clone();
    // The flowchart opens over the paused game: the playthrough in progress joins the record,
    // and every decision it passed can be jumped back to.
    set_play(&mut app, Play::Paused);
    set_menu(&mut app, Menu::Flowchart);
    let notes = app.world().resource::<replay::ChartNotes>();
    let visit = notes
        .visits
        .values()
        .flatten()
        .find(|v| v.decision == 0)
        .cloned()
        .expect("chapter 1's decision on the chart");
    assert!(notes.path.len() > 2, "{:?}", notes.path);
    let story = app.world().resource::<LoadedStory>().0.clone();
    let record = &app.world().resource::<PlayerRecord>().0;
    let expected = record
        .state_at(&story, visit.playthrough, visit.decision)
        .expect("the record leads there");
    let autosaved = autosaves(&DataDir::new(dir.path().to_path_buf())).len();
    app.world_mut().write_message(replay::JumpBack {
        playthrough: visit.playthrough,
        decision: visit.decision,
    });
    frames(&mut app, 3);
    let now = &runner(&app).state;
    assert!(
        runner(&app).showing.is_choice(),
        "{:?}",
        runner(&app).showing
    );
    // Back before the first decision: chapter 1's choice is offered again, chapter 2 is ahead.
    assert_eq!(now.decisions.len(), 0);
    assert_eq!(before.decisions.len(), 1);
    assert_eq!(now.decisions, expected.decisions);
    assert_eq!(now.vars, expected.vars);
    assert_eq!(now.visits, expected.visits);
    assert_eq!(now.seed, expected.seed);
    assert_ne!(now.decisions, before.decisions);
    // The playthrough left was autosaved first, and stays in the record (a branch of the
    // chart).
    app.world().resource::<DataDir>().disk.flush();
    assert!(autosaves(&DataDir::new(dir.path().to_path_buf())).len() > autosaved);
    let record = &app.world().resource::<PlayerRecord>().0;
    assert!(
        record
            .playthroughs
            .iter()
            .any(|p| p.decisions.len() == before.decisions.len()),
        "the playthrough left stays in the record"
    );
    assert_eq!(*app.world().resource::<State<Menu>>().get(), Menu::None);
}

#[test]
fn skip_to_choice_passes_every_line_to_the_next_decision_and_keeps_them_in_the_backlog() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), shipped(), None);
    new_game(&mut app, 3);
    assert!(!runner(&app).showing.is_choice());
    let lines_before = runner(&app).backlog.len();
    app.world_mut().write_message(PlayerInput::SkipToChoice);
    frames(&mut app, 2);
    assert!(
        runner(&app).showing.is_choice(),
        "{:?}",
        runner(&app).showing
    );
    // Every line passed is in the backlog, as if read.
    assert!(runner(&app).backlog.len() >= lines_before + 4);
    // At a choice, skipping does nothing: the player decides.
    let decisions = runner(&app).state.decisions.len();
    app.world_mut().write_message(PlayerInput::SkipToChoice);
    frames(&mut app, 2);
    assert!(runner(&app).showing.is_choice());
    assert_eq!(runner(&app).state.decisions.len(), decisions);
}

#[test]
fn chapter_select_and_the_gallery_fill_as_the_player_plays() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), shipped(), None);
    new_game(&mut app, 3);
    play_until(&mut app, "the ending", |s| {
        matches!(s, Showing::Ending { .. })
    });
    frames(&mut app, 2);
    app.world_mut().write_message(saves::ToTitle);
    frames(&mut app, 2);
    set_menu(&mut app, Menu::Endings);
    let extras = app.world().resource::<replay::Extras>();
    assert_eq!(extras.endings.len(), 1);
    let (title, _, first, times) = extras.endings[0].seen.clone().expect("reached");
    assert_eq!(title, "Morning");
    assert_eq!(times, 1);
    assert!(first.starts_with("20"), "{first}");
    set_menu(&mut app, Menu::Chapters);
    let extras = app.world().resource::<replay::Extras>();
    assert_eq!(extras.chapters.len(), 2);
    // Chapter select shows each chapter's date line beside its title; the first gives none.
    assert_eq!(extras.chapters[0].date, "");
    assert_eq!(extras.chapters[1].date, "The next morning");
    let (p, before) = extras.chapters[1].arrivals[0];
    assert_eq!(before, 1, "one choice made before chapter 2");
    let story = app.world().resource::<LoadedStory>().0.clone();
    let expected = app
        .world()
        .resource::<PlayerRecord>()
        .0
        .arrival(&story, p, 1)
        .expect("arrived");
    app.world_mut().write_message(replay::StartChapter {
        playthrough: p,
        chapter: 1,
    });
    frames(&mut app, 3);
    assert_eq!(
        *app.world().resource::<State<Screen>>().get(),
        Screen::Playing
    );
    let now = &runner(&app).state;
    assert_eq!(now.vars, expected.vars);
    assert_eq!(now.decisions, expected.decisions);
    assert!(
        matches!(runner(&app).showing, Showing::ChapterCard { number: 2, .. }),
        "{:?}",
        runner(&app).showing
    );
}

#[test]
fn a_chapter_card_sums_up_the_chapter_before_and_the_timeline_has_every_chapter() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), shipped(), None);
    new_game(&mut app, 3);
    // "The letters." raises warmth in chapter 1.
    play_until(&mut app, "chapter 2", |s| {
        matches!(s, Showing::ChapterCard { number: 2, .. })
    });
    app.update();
    let summary = app.world().resource::<replay::Summary>();
    assert_eq!(summary.axes, vec!["Warmth".to_owned()]);
    let (title, first) = &summary.chapters[0];
    assert_eq!(title, "First");
    assert!(first.ended);
    assert_eq!((first.choices, first.others), (1, 1));
    assert_eq!(first.axes, vec![1]);
    // The timeline, from the pause menu, has every chapter so far, the current one marked.
    set_play(&mut app, Play::Paused);
    set_menu(&mut app, Menu::Timeline);
    let summary = app.world().resource::<replay::Summary>();
    assert_eq!(summary.chapters.len(), 2);
    assert!(!summary.chapters[1].1.ended);
}

#[test]
fn a_replay_file_is_saved_to_share_and_opened_at_any_of_its_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = house(dir.path(), shipped(), None);
    new_game(&mut app, 5);
    play_until(&mut app, "chapter 2", |s| {
        matches!(s, Showing::ChapterCard { number: 2, .. })
    });
    play_until(&mut app, "a choice in chapter 2", Showing::is_choice);
    let played = runner(&app).state.clone();
    app.world_mut().write_message(replay_files::SaveReplay);
    frames(&mut app, 2);
    app.world().resource::<DataDir>().disk.flush();
    let files: Vec<_> = std::fs::read_dir(dir.path().join("replays"))
        .expect("a replays folder")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    // The file is the playthrough document: `her replay` reads it (see tests/saves.rs); here
    // the game opens it again, at its first decision, with the state of that moment.
    let doc = her::story::save::Playthrough::read(&files[0]).expect("a readable replay");
    assert_eq!(doc.seed, 5);
    assert_eq!(doc.decisions.len(), played.decisions.len());
    app.world_mut().write_message(saves::ToTitle);
    frames(&mut app, 2);
    set_menu(&mut app, Menu::Replays);
    let list = app.world().resource::<replay_files::ReplayList>();
    assert_eq!(list.files.len(), 1);
    assert_eq!(list.files[0].decisions().len(), played.decisions.len());
    let story = app.world().resource::<LoadedStory>().0.clone();
    let expected = doc.state_at(&story, 0).expect("the first decision");
    app.world_mut().write_message(replay_files::OpenReplay {
        file: 0,
        decision: 0,
    });
    frames(&mut app, 3);
    assert_eq!(
        *app.world().resource::<State<Screen>>().get(),
        Screen::Playing
    );
    let now = &runner(&app).state;
    assert!(runner(&app).showing.is_choice());
    assert_eq!(now.decisions.len(), 0);
    assert_eq!(now.vars, expected.vars);
    assert_eq!(now.seed, 5);
    // A damaged file is listed with its problem, never opened.
    std::fs::write(
        dir.path().join("replays").join("broken.ron"),
        "Playthrough(",
    )
    .unwrap();
    set_play(&mut app, Play::Paused);
    set_menu(&mut app, Menu::None);
    set_menu(&mut app, Menu::Replays);
    let list = app.world().resource::<replay_files::ReplayList>();
    assert_eq!(list.files.len(), 2);
    assert!(list.files.iter().any(|f| f.doc.is_err()));
}
