//! The game's Bevy side, headless (MinimalPlugins + StatesPlugin + the plugins under test):
//! story events reach what the screen shows, choices reach the engine, the city follows the
//! story's scene directives, and a save made in the game loads back to the same moment.

use std::sync::Arc;

use bevy::prelude::*;
use bevy::state::app::StatesPlugin;
use her::game::city::{CityLook, CityScene, look_for};
use her::game::input::Action;
use her::game::persist::DataDir;
use her::game::runner::{PlayerInput, Showing, StoryRunner};
use her::game::saves::{Slot, queue_slot, read_slot, write_slot};
use her::game::settings::{Settings, load_settings, save_settings};
use her::game::{LoadedStory, Menu, Play, Screen, city, runner};
use her::story::format::{Location, Mood, TimeOfDay};
use her::story::{Resume, SaveDoc};

use crate::common::shipped;

fn app(seed: u64) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, StatesPlugin));
    her::game::frame(&mut app);
    app.add_plugins((runner::plugin, city::plugin));
    let story = Arc::new(shipped());
    app.insert_resource(LoadedStory(story.clone()));
    app.insert_resource(StoryRunner::new(story, seed));
    // In play, so the story is live.
    app.world_mut()
        .resource_mut::<NextState<Screen>>()
        .set(Screen::Playing);
    app.update();
    app
}

fn showing(app: &App) -> Showing {
    app.world().resource::<StoryRunner>().showing.clone()
}

fn send(app: &mut App, input: PlayerInput) {
    app.world_mut().write_message(input);
    app.update();
}

/// Advances until choices are shown.
fn to_choices(app: &mut App) {
    for _ in 0..500 {
        if showing(app).is_choice() {
            return;
        }
        send(app, PlayerInput::Advance);
    }
    panic!("no choice within 500 advances");
}

#[test]
fn the_story_reaches_the_screen_and_choices_reach_the_story() {
    let mut app = app(7);
    assert!(
        matches!(
            showing(&app),
            Showing::ChapterCard { number: 1, ref title, ref date }
                if !title.is_empty() && !date.is_empty()
        ),
        "{:?}",
        showing(&app)
    );
    send(&mut app, PlayerInput::Advance);
    assert!(
        matches!(showing(&app), Showing::Line { .. }),
        "{:?}",
        showing(&app)
    );
    to_choices(&mut app);
    let before = app.world().resource::<StoryRunner>().backlog.len();
    send(&mut app, PlayerInput::Choose(0));
    let runner = app.world().resource::<StoryRunner>();
    assert_eq!(runner.state.decisions.len(), 1);
    assert!(
        runner.backlog.len() > before,
        "the choice is in the backlog"
    );
    // A choice that does not exist changes nothing.
    let decisions = runner.state.decisions.len();
    send(&mut app, PlayerInput::Choose(42));
    assert_eq!(
        app.world().resource::<StoryRunner>().state.decisions.len(),
        decisions
    );
}

#[test]
fn the_city_follows_the_story() {
    let mut app = app(7);
    // Chapter 1 opens in the office in the morning.
    let scene = *app.world().resource::<CityScene>();
    assert_eq!(scene.location, Location::Office, "{scene:?}");
    assert_eq!(scene.time, TimeOfDay::Morning);
    assert_eq!(app.world().resource::<CityLook>().target, look_for(&scene));
    // Play on until the walk home at dusk: the scene and its look change with the story.
    for _ in 0..400 {
        let scene = *app.world().resource::<CityScene>();
        if scene.location == Location::Street {
            assert_eq!(scene.time, TimeOfDay::Dusk);
            assert_eq!(app.world().resource::<CityLook>().target, look_for(&scene));
            return;
        }
        if showing(&app).is_choice() {
            send(&mut app, PlayerInput::Choose(0));
        } else {
            send(&mut app, PlayerInput::Advance);
        }
    }
    panic!("never reached the street");
}

#[test]
fn every_look_is_warm() {
    // The film's palette: no blue in any sky, fog or light the story can ask for.
    let locations = [
        Location::Apartment,
        Location::Office,
        Location::Street,
        Location::Rooftop,
        Location::Beach,
    ];
    let times = [
        TimeOfDay::Morning,
        TimeOfDay::Day,
        TimeOfDay::GoldenHour,
        TimeOfDay::Dusk,
        TimeOfDay::Night,
        TimeOfDay::Dawn,
    ];
    let moods = [
        Mood::Warm,
        Mood::Tender,
        Mood::Playful,
        Mood::Bright,
        Mood::Lonely,
        Mood::Grey,
        Mood::Dim,
        Mood::Dark,
    ];
    for location in locations {
        for time in times {
            for mood in moods {
                let look = look_for(&CityScene {
                    location,
                    time,
                    mood,
                });
                for (what, c) in [
                    ("sky", look.sky),
                    ("fog", look.fog),
                    ("sun", look.sun),
                    ("ambient", look.ambient),
                ] {
                    assert!(
                        c.z <= c.x && c.z <= c.y + 1e-4,
                        "{what} at {location:?} {time:?} {mood:?} leans blue: {c:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn rollback_in_the_game_returns_to_the_choice() {
    let mut app = app(3);
    to_choices(&mut app);
    let at_first_choice = showing(&app);
    send(&mut app, PlayerInput::Choose(1));
    to_choices(&mut app);
    send(&mut app, PlayerInput::Choose(0));
    send(&mut app, PlayerInput::Rollback(0));
    let runner = app.world().resource::<StoryRunner>();
    assert!(runner.state.decisions.is_empty());
    assert_eq!(runner.showing, at_first_choice);
}

#[test]
fn a_save_made_in_the_game_loads_back_to_the_same_moment() {
    let mut app = app(11);
    to_choices(&mut app);
    send(&mut app, PlayerInput::Choose(0));
    to_choices(&mut app);
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path().to_path_buf());
    let runner = app.world().resource::<StoryRunner>();
    let doc = SaveDoc::new(&runner.story, &runner.state, runner.chapter_title());
    write_slot(&data, &Slot::Manual(2), &doc).unwrap();
    let back = read_slot(&data, &Slot::Manual(2)).unwrap().unwrap();
    let Resume::Exact(state) = back.resume(&runner.story) else {
        panic!("exact resume")
    };
    assert_eq!(state, runner.state);
    let mut resumed = StoryRunner::resume(runner.story.clone(), state, None);
    resumed.pull(&mut Vec::new());
    assert_eq!(resumed.showing, runner.showing);
    assert_eq!(
        resumed.backlog, runner.backlog,
        "the backlog is rebuilt exactly"
    );
    assert!(
        read_slot(&data, &Slot::Manual(3)).is_none(),
        "empty slots read as empty"
    );
}

#[test]
fn saves_are_written_beside_the_frame_in_order_and_failures_are_reported() {
    let mut app = app(11);
    to_choices(&mut app);
    let first = {
        let r = app.world().resource::<StoryRunner>();
        SaveDoc::new(&r.story, &r.state, r.chapter_title())
    };
    send(&mut app, PlayerInput::Choose(0));
    to_choices(&mut app);
    let runner = app.world().resource::<StoryRunner>();
    let second = SaveDoc::new(&runner.story, &runner.state, runner.chapter_title());
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path().to_path_buf());
    // Two saves into one slot, queued back to back: the slot holds the later one.
    queue_slot(&data, &Slot::Quick, first);
    queue_slot(&data, &Slot::Quick, second.clone());
    let back = read_slot(&data, &Slot::Quick).unwrap().unwrap();
    assert_eq!(
        back.resume(&runner.story).state(),
        &runner.state,
        "reading waits for the queued save"
    );
    assert!(data.disk.take_failures().is_empty());
    // A folder that cannot be written: the game is told, in words, and carries on.
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, "a file where the saves folder should be").unwrap();
    let data = DataDir::new(blocked);
    queue_slot(&data, &Slot::Manual(1), second);
    data.disk.flush();
    let failures = data.disk.take_failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("Could not write the save in slot 1"),
        "{failures:?}"
    );
}

#[test]
fn settings_survive_and_a_damaged_file_falls_back_to_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let data = DataDir::new(dir.path().to_path_buf());
    let settings = Settings {
        text_speed: 80.0,
        reduce_motion: true,
        ..Settings::default()
    };
    save_settings(&data, &settings).unwrap();
    assert_eq!(load_settings(&data), settings);
    std::fs::write(data.settings(), "Settings(text_speed: oops").unwrap();
    assert_eq!(load_settings(&data), Settings::default());
}

#[test]
fn autoplay_logic_reaches_an_ending() {
    use rand::RngExt;
    use rand_chacha::rand_core::SeedableRng;
    let mut app = app(5);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    for _ in 0..20_000 {
        match showing(&app) {
            Showing::Ending { title, .. } => {
                assert!(!title.is_empty());
                return;
            }
            s if s.is_choice() => {
                let n = s.options();
                send(&mut app, PlayerInput::Choose(rng.random_range(0..n)));
            }
            _ => send(&mut app, PlayerInput::Advance),
        }
    }
    panic!("no ending within 20000 steps");
}

/// Backs out one level (Escape), letting the states settle.
fn escape(app: &mut App) {
    app.world_mut().write_message(Action::Back);
    app.update();
    app.update();
}

fn states(app: &App) -> (Screen, Option<Play>, Menu) {
    (
        *app.world().resource::<State<Screen>>().get(),
        app.world().get_resource::<State<Play>>().map(|p| *p.get()),
        *app.world().resource::<State<Menu>>().get(),
    )
}

#[test]
fn menus_are_states_and_escape_backs_out_one_level() {
    let mut app = app(7);
    app.add_message::<Action>();
    app.add_systems(Update, her::game::menus::back_out);
    let open = |app: &mut App, menu: Menu| {
        app.world_mut().resource_mut::<NextState<Menu>>().set(menu);
        app.update();
    };
    let go = |app: &mut App, screen: Screen| {
        app.world_mut()
            .resource_mut::<NextState<Screen>>()
            .set(screen);
        app.update();
    };

    // Settings from the title: Escape closes them and the title stays.
    go(&mut app, Screen::Title);
    open(&mut app, Menu::Settings);
    assert_eq!(states(&app), (Screen::Title, None, Menu::Settings));
    escape(&mut app);
    assert_eq!(states(&app), (Screen::Title, None, Menu::None));
    escape(&mut app);
    assert_eq!(
        states(&app),
        (Screen::Title, None, Menu::None),
        "nothing to back out of"
    );

    // In play: Escape pauses (a mode inside play); the save screen opens over the pause menu
    // and closes back to it.
    go(&mut app, Screen::Playing);
    assert_eq!(
        states(&app),
        (Screen::Playing, Some(Play::Running), Menu::None)
    );
    escape(&mut app);
    assert_eq!(
        states(&app),
        (Screen::Playing, Some(Play::Paused), Menu::None)
    );
    open(&mut app, Menu::Save);
    assert_eq!(
        states(&app),
        (Screen::Playing, Some(Play::Paused), Menu::Save)
    );
    escape(&mut app);
    assert_eq!(
        states(&app),
        (Screen::Playing, Some(Play::Paused), Menu::None)
    );
    escape(&mut app);
    assert_eq!(
        states(&app),
        (Screen::Playing, Some(Play::Running), Menu::None)
    );

    // A menu left open when the game returns to the title is closed, and the pause is gone
    // with the playthrough.
    escape(&mut app);
    open(&mut app, Menu::Backlog);
    go(&mut app, Screen::Title);
    app.update();
    assert_eq!(states(&app), (Screen::Title, None, Menu::None));
}

/// Root mean square and peak of `seconds` of a stereo stream.
fn loudness(samples: impl Iterator<Item = f32>, seconds: usize) -> (f32, f32) {
    let n = 44_100 * 2 * seconds;
    let (mut sum, mut peak) = (0.0f64, 0.0f32);
    for s in samples.take(n) {
        assert!(s.is_finite(), "a sample is not a number");
        sum += f64::from(s * s);
        peak = peak.max(s.abs());
    }
    (((sum / n as f64).sqrt()) as f32, peak)
}

#[test]
fn the_sound_is_heard_never_clips_and_follows_the_place() {
    use bevy::audio::Decodable;
    use her::game::sound::{CityHum, Score};

    let (score, score_peak) = loudness(Score::new(Mood::Warm, 1).decoder(), 20);
    assert!(score > 0.01, "the score is audible: {score}");
    assert!(score_peak < 0.9, "the score never clips: {score_peak}");

    let (street, street_peak) = loudness(CityHum::new(Location::Street, 1).decoder(), 10);
    let (home, _) = loudness(CityHum::new(Location::Apartment, 1).decoder(), 10);
    let (beach, _) = loudness(CityHum::new(Location::Beach, 1).decoder(), 10);
    assert!(street_peak < 0.9, "the city never clips: {street_peak}");
    assert!(home > 0.005, "the city is heard through the window: {home}");
    assert!(
        street > home * 1.3,
        "the street is louder than the apartment: {street} vs {home}"
    );
    assert!(beach > 0.005, "the beach has its surf: {beach}");

    // The same seed makes the same sound.
    let a: Vec<f32> = Score::new(Mood::Lonely, 5).decoder().take(5_000).collect();
    let b: Vec<f32> = Score::new(Mood::Lonely, 5).decoder().take(5_000).collect();
    assert_eq!(a, b);
}

#[test]
fn the_whole_city_is_a_few_draws() {
    let mut app = App::new();
    app.add_plugins((
        MinimalPlugins,
        StatesPlugin,
        bevy::asset::AssetPlugin::default(),
    ));
    app.init_asset::<Mesh>().init_asset::<StandardMaterial>();
    her::game::frame(&mut app);
    app.add_plugins((runner::plugin, city::plugin));
    app.update();
    let world = app.world_mut();
    // The skyline (the places, each drawn alone, are counted in `places`): top-level meshes.
    let mut lit =
        world.query_filtered::<(&Mesh3d, &MeshMaterial3d<StandardMaterial>), Without<ChildOf>>();
    let mut drawn: Vec<_> = lit
        .iter(world)
        .map(|(m, s)| (m.0.id(), s.0.id().untyped()))
        .collect();
    let mut flat =
        world.query_filtered::<(&Mesh3d, &MeshMaterial3d<city::FlatMaterial>), Without<ChildOf>>();
    drawn.extend(
        flat.iter(world)
            .map(|(m, s)| (m.0.id(), s.0.id().untyped())),
    );
    let mut kinds = drawn.clone();
    kinds.sort();
    kinds.dedup();
    // Skyline, windows and ground are merged per material; the moving lights share one mesh
    // and one material, which the renderer draws as one instanced batch.
    assert!(
        drawn.len() > 50,
        "a city, not a bare scene: {} meshes",
        drawn.len()
    );
    // Not a thousand entities for the batcher to sort each frame: static boxes are merged.
    assert!(drawn.len() <= 100, "{} mesh entities", drawn.len());
    assert!(
        kinds.len() <= 12,
        "{} distinct mesh and material pairs: each is at least one draw",
        kinds.len()
    );
}

/// Runs `frames` frames of a bare egui context (no renderer) on a window of `w`x`h` points.
fn egui_frames(w: f32, h: f32, frames: usize, mut ui: impl FnMut(&bevy_egui::egui::Context)) {
    use bevy_egui::egui;
    let ctx = egui::Context::default();
    for _ in 0..frames {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(w, h),
            )),
            ..Default::default()
        };
        let mut output = ctx.run_ui(input, |u| ui(u.ctx()));
        // No renderer here: drop the font texture's updates on purpose.
        output.textures_delta.clear();
    }
}

/// The chapter card and the ending are centred, but on a small window (480x270, the smoke test's
/// size) a card with a chapter's summary is taller than the space left, and was drawn under the
/// corner buttons (Backlog, Quicksave, ...). `theme::centred_card` keeps it below them.
#[test]
fn a_tall_card_on_a_small_window_stays_below_the_corner_buttons() {
    use bevy_egui::egui;
    use her::game::theme::{CORNER_BOTTOM, centred_card};
    let mut top = f32::NAN;
    // A few frames: egui sizes a new area on its first frame and places it on the next.
    egui_frames(480.0, 270.0, 3, |ctx| {
        let shown = centred_card(ctx, "card").show(ctx, |ui| {
            ui.allocate_space(egui::vec2(300.0, 200.0));
        });
        top = shown.response.rect.top();
    });
    assert!(
        top >= CORNER_BOTTOM,
        "the card's top is at {top}, under the corner buttons (which reach {CORNER_BOTTOM})"
    );
}

/// A chapter card with its summary and plot is about 440 points tall at full size: on 480x270
/// it ran off the bottom, Begin and all, so the card's type shrinks to fit (and stays full size
/// from 720p up).
#[test]
fn the_chapter_card_shrinks_to_fit_a_small_window_only() {
    use her::game::theme::card_fit;
    let fit = |w: f32, h: f32| {
        let mut k = f32::NAN;
        egui_frames(w, h, 1, |ctx| k = card_fit(ctx));
        k
    };
    assert!(fit(480.0, 270.0) < 0.6, "480x270: {}", fit(480.0, 270.0));
    assert_eq!(fit(1280.0, 720.0), 1.0);
    assert_eq!(fit(1920.0, 1080.0), 1.0);
}
