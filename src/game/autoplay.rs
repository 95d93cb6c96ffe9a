//! Autoplay: the game plays itself from the title screen to an ending (`her --autoplay SEED`),
//! taking screenshots of the title, a choice and a letter on the way when asked, and reporting
//! frame times, the game's own work per frame, and memory. Used by the smoke test and for soak
//! runs.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use bevy::prelude::*;
use bevy::render::render_resource::PipelineCache;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};
use bevy::render::{Render, RenderApp};
use bevy_egui::input::EguiInputEvent;
use bevy_egui::{PrimaryEguiContext, egui};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use super::city::{CityLook, CityScene, photo_name};
use super::runner::{PlayerInput, Showing, StoryRunner};
use super::saves::NewGame;
use super::screens::conversation::Conversation;
use super::{GameOptions, GameSet, Menu, Play, Screen};

/// How many frames in a row the renderer has had every pipeline compiled: shaders compile in
/// the background, and until they do the city is not drawn. Screenshots wait for this.
#[derive(Resource, Clone, Default)]
pub struct PipelinesReady(Arc<AtomicU32>);

impl PipelinesReady {
    /// Whether the picture is complete (and has been for a few frames).
    pub fn ready(&self) -> bool {
        self.0.load(Ordering::Relaxed) >= 5
    }
}

/// In the render world: counts the frames with no pipeline waiting.
fn note_pipelines(cache: Option<Res<PipelineCache>>, ready: Res<PipelinesReady>) {
    let Some(cache) = cache else { return };
    if cache.waiting_pipelines().next().is_none() {
        ready.0.fetch_add(1, Ordering::Relaxed);
    } else {
        ready.0.store(0, Ordering::Relaxed);
    }
}

/// Autoplay's progress and measurements.
#[derive(Resource)]
pub struct Autoplay {
    rng: ChaCha8Rng,
    /// Frames since the last action.
    wait: u32,
    /// Screenshots taken so far, by name.
    shots: Vec<&'static str>,
    dir: Option<PathBuf>,
    started: Instant,
    /// Seconds from start to the first frame.
    pub first_frame: Option<f32>,
    /// Each frame's time, in seconds.
    pub frames: Vec<f32>,
    /// The game's own systems' CPU time in each frame, in seconds (`WorkMeter`).
    work_cpu: Vec<f32>,
    /// Frames over 1 ms of the game's own work, by what was showing: count and the slowest.
    slow: std::collections::BTreeMap<&'static str, (u32, f32)>,
    /// Wall time from the first of the game's systems to the last in each frame, in seconds.
    pub work: Vec<f32>,
    work_started: Option<Instant>,
    decisions: usize,
    max_seconds: Option<f32>,
    /// The photographed choice is taken through the interface, as a player without a mouse (or
    /// with a gamepad) takes it: Tab focuses its first option, Enter presses it.
    by_keyboard: ByKeyboard,
    /// The menus' photographs.
    tour: Tour,
}

/// How far the choice taken through the interface has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum ByKeyboard {
    /// Not yet.
    #[default]
    No,
    /// Tab sent: the first option has the focus.
    Focused,
    /// Enter sent: waiting for the interface to answer.
    Pressed,
    /// The interface took the choice.
    Chosen,
    /// The interface did not answer; autoplay chose directly.
    Failed,
}

/// Where keys for the interface go: egui's input messages, and its context.
type InterfaceKeys<'w, 's> = (
    Option<ResMut<'w, Messages<EguiInputEvent>>>,
    Query<'w, 's, Entity, With<PrimaryEguiContext>>,
);

/// Types a key into the interface (egui), pressed and released.
fn type_key(
    events: &mut Option<ResMut<Messages<EguiInputEvent>>>,
    context: &Query<Entity, With<PrimaryEguiContext>>,
    key: egui::Key,
) {
    let (Some(events), Ok(context)) = (events.as_mut(), context.single()) else {
        return;
    };
    for pressed in [true, false] {
        events.write(EguiInputEvent {
            context,
            event: egui::Event::Key {
                key,
                physical_key: None,
                pressed,
                repeat: false,
                modifiers: egui::Modifiers::default(),
            },
        });
    }
}

impl Autoplay {
    /// Holds a moment until it is drawn and photographed; true while it should stay.
    fn hold_for_shot(&mut self, commands: &mut Commands, name: &'static str, drawn: bool) -> bool {
        if self.shots.contains(&name) {
            return false;
        }
        if !drawn {
            self.wait = 0;
            return true;
        }
        // Show the typewriter's finished line a moment, then photograph.
        if self.wait == 12 {
            self.shoot(commands, name);
        }
        self.wait < 20
    }

    fn shoot(&mut self, commands: &mut Commands, name: &'static str) -> bool {
        if self.shots.contains(&name) {
            return false;
        }
        self.shots.push(name);
        if let Some(dir) = &self.dir {
            let path = dir.join(format!("{name}.png"));
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_to_disk(path));
            return true;
        }
        false
    }
}

fn percentile(values: &[f32], p: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f32::total_cmp);
    v[((v.len() - 1) as f32 * p).round() as usize]
}

fn resident_mb() -> f32 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f32>().ok())
        .map_or(0.0, |pages| pages * 4096.0 / 1_048_576.0)
}

fn start_work(auto: Option<ResMut<Autoplay>>) {
    if let Some(mut auto) = auto {
        auto.work_started = Some(Instant::now());
    }
}

/// At the end of the frame (the interface draws after `Update`), the game's CPU time.
fn tally_work(
    auto: Option<ResMut<Autoplay>>,
    meter: Res<super::WorkMeter>,
    runner: Option<Res<super::runner::StoryRunner>>,
) {
    let cpu = meter.take() as f32 / 1e9;
    if let Some(mut auto) = auto
        && auto.first_frame.is_some()
    {
        auto.work_cpu.push(cpu);
        // Which moments the slow frames fall on: where to look first.
        if cpu > 0.001 {
            let kind = runner.map_or("title", |r| r.showing.kind());
            let entry = auto.slow.entry(kind).or_insert((0, 0.0));
            entry.0 += 1;
            entry.1 = f32::max(entry.1, cpu);
        }
    }
}

fn end_work(auto: Option<ResMut<Autoplay>>, time: Res<Time>) {
    let Some(mut auto) = auto else { return };
    if let Some(start) = auto.work_started.take() {
        let w = start.elapsed().as_secs_f32();
        auto.work.push(w);
    }
    if auto.first_frame.is_none() {
        auto.first_frame = Some(auto.started.elapsed().as_secs_f32());
    } else {
        auto.frames.push(time.delta_secs());
    }
}

/// Characters a second autoplay types at: ten times a player's default, so a playthrough stays
/// short while every line still goes through the typewriter.
const AUTOPLAY_TYPING: f32 = 450.0;

/// The moments of play photographed with `--screenshots` (the title comes first).
const PLAY_SHOTS: [&str; 7] = [
    "line",
    "choice",
    "letter",
    "pause",
    "save",
    "flowchart",
    "timeline",
];

/// The menus photographed over play, once one of her lines has been: the pause menu, then the
/// save screen over it (the story stands still meanwhile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tour {
    /// Not yet.
    #[default]
    NotYet,
    /// Paused: the pause menu is photographed.
    Pause,
    /// The save screen is open over it and photographed.
    Save,
    /// The flowchart is open over it and photographed.
    Flowchart,
    /// The timeline is open over it and photographed.
    Timeline,
    /// Back to play.
    Done,
}

/// Plays: starts a game from the title, advances lines, chooses at random (seeded).
#[expect(clippy::too_many_arguments, reason = "autoplay drives the whole game")]
fn play(
    mut auto: ResMut<Autoplay>,
    screen: Res<State<Screen>>,
    (play, mut next_play): (Option<Res<State<Play>>>, ResMut<NextState<Play>>),
    runner: Option<Res<StoryRunner>>,
    mut new_game: MessageWriter<NewGame>,
    mut ui: ResMut<Conversation>,
    mut input: MessageWriter<PlayerInput>,
    mut commands: Commands,
    mut exit: MessageWriter<AppExit>,
    options: Res<GameOptions>,
    pipelines: Option<Res<PipelinesReady>>,
    time: Res<Time>,
    (mut keys, context): InterfaceKeys,
    mut menus: ResMut<NextState<Menu>>,
    city: (Option<Res<CityScene>>, Option<Res<CityLook>>),
) {
    auto.wait += 1;
    // Hold every photographed moment until the picture is complete.
    let drawn = pipelines.as_ref().is_none_or(|p| p.ready());
    if let Some(max) = auto.max_seconds
        && auto.started.elapsed().as_secs_f32() > max
    {
        report(&auto, "stopped at --max-seconds");
        exit.write(AppExit::Success);
        return;
    }
    match screen.get() {
        Screen::Title => {
            // Let the title settle, photograph it, then begin.
            if !drawn && auto.dir.is_some() {
                auto.wait = 0;
                return;
            }
            if auto.wait == 20 && auto.shoot(&mut commands, "title") {
                return;
            }
            // With screenshots, the mods screen over the title too (what mods were found, their
            // order and problems).
            let shooting = auto.dir.is_some();
            if shooting && auto.wait == 24 {
                menus.set(Menu::Mods);
            }
            if shooting && auto.wait == 36 && auto.shoot(&mut commands, "mods") {
                return;
            }
            if auto.wait >= if shooting { 44 } else { 30 } {
                menus.set(Menu::None);
                new_game.write(NewGame(Some(options.autoplay.unwrap_or(1))));
                auto.wait = 0;
            }
        }
        Screen::Playing
            if matches!(
                auto.tour,
                Tour::Pause | Tour::Save | Tour::Flowchart | Tour::Timeline
            ) =>
        {
            let (name, next) = match auto.tour {
                Tour::Pause => ("pause", Tour::Save),
                Tour::Save => ("save", Tour::Flowchart),
                Tour::Flowchart => ("flowchart", Tour::Timeline),
                _ => ("timeline", Tour::Done),
            };
            if auto.hold_for_shot(&mut commands, name, drawn) {
                return;
            }
            match next {
                Tour::Save => menus.set(Menu::Save),
                Tour::Flowchart => menus.set(Menu::Flowchart),
                Tour::Timeline => menus.set(Menu::Timeline),
                _ => {
                    menus.set(Menu::None);
                    next_play.set(Play::Running);
                }
            }
            auto.tour = next;
            auto.wait = 0;
        }
        Screen::Playing if play.is_some_and(|p| *p.get() == Play::Paused) => {
            next_play.set(Play::Running);
        }
        Screen::Playing => {
            let Some(runner) = runner else { return };
            let shooting = auto.dir.is_some();
            if auto.by_keyboard == ByKeyboard::Pressed && !runner.showing.is_choice() {
                auto.by_keyboard = ByKeyboard::Chosen;
                auto.decisions += 1;
            }
            let keyboard_busy =
                matches!(auto.by_keyboard, ByKeyboard::Focused | ByKeyboard::Pressed);
            if shooting
                && options.screenshots_only
                && !keyboard_busy
                && PLAY_SHOTS.iter().all(|n| auto.shots.contains(n))
            {
                // Leave once the screenshots are on disk (or after a long wait).
                let written = auto.dir.as_ref().is_some_and(|d| {
                    auto.shots
                        .iter()
                        .all(|n| d.join(format!("{n}.png")).exists())
                });
                if written || auto.wait >= 300 {
                    report(&auto, "took the screenshots");
                    exit.write(AppExit::Success);
                }
                return;
            }
            // A contact sheet: every place the story passes, once it has faded in and settled.
            if shooting
                && !keyboard_busy
                && matches!(runner.showing, Showing::Line { .. })
                && let (Some(scene), Some(look)) = (&city.0, &city.1)
                && !auto.shots.contains(&photo_name(scene.location))
            {
                if !look.settled(scene) {
                    auto.wait = 0;
                    return;
                }
                if auto.hold_for_shot(&mut commands, photo_name(scene.location), drawn) {
                    return;
                }
            }
            if shooting
                && auto.tour == Tour::NotYet
                && auto.shots.contains(&"line")
                && matches!(runner.showing, Showing::Line { .. })
            {
                next_play.set(Play::Paused);
                auto.tour = Tour::Pause;
                auto.wait = 0;
                return;
            }
            match &runner.showing {
                Showing::Choices(c) => {
                    let photographing = shooting && !auto.shots.contains(&"choice");
                    if photographing && drawn && auto.wait == 4 {
                        // The picture shows the first option focused from the keyboard.
                        type_key(&mut keys, &context, egui::Key::Tab);
                        auto.by_keyboard = ByKeyboard::Focused;
                    }
                    if shooting && auto.hold_for_shot(&mut commands, "choice", drawn) {
                        return;
                    }
                    match auto.by_keyboard {
                        ByKeyboard::Focused => {
                            type_key(&mut keys, &context, egui::Key::Enter);
                            auto.by_keyboard = ByKeyboard::Pressed;
                            auto.wait = 0;
                            return;
                        }
                        ByKeyboard::Pressed if auto.wait < 30 => return,
                        ByKeyboard::Pressed => auto.by_keyboard = ByKeyboard::Failed,
                        _ => {}
                    }
                    let pick = auto.rng.random_range(0..c.len());
                    input.write(PlayerInput::Choose(pick));
                    auto.decisions += 1;
                    auto.wait = 0;
                }
                Showing::Letter { fragments, .. } => {
                    if shooting && auto.hold_for_shot(&mut commands, "letter", drawn) {
                        return;
                    }
                    let pick = auto.rng.random_range(0..fragments.len());
                    input.write(PlayerInput::Choose(pick));
                    auto.decisions += 1;
                    auto.wait = 0;
                }
                Showing::ChapterCard { number, .. } if *number >= 2 && shooting => {
                    // The second chapter's card, with the first chapter's summary under it.
                    if auto.hold_for_shot(&mut commands, "chapter", drawn) {
                        return;
                    }
                    input.write(PlayerInput::Advance);
                    auto.wait = 0;
                }
                Showing::Ending { title, .. } => {
                    if auto.wait == 10 {
                        auto.shoot(&mut commands, "ending");
                    }
                    if auto.wait >= 20 || !shooting {
                        report(
                            &auto,
                            &format!(
                                "reached the ending \"{title}\" after {} decisions",
                                auto.decisions
                            ),
                        );
                        exit.write(AppExit::Success);
                    }
                }
                Showing::Line { os, text, .. } => {
                    let len = text.chars().count();
                    if shooting && *os && len >= 40 && !auto.shots.contains(&"line") {
                        // One of her lines, half typed: her light and the typewriter.
                        ui.typed = (len / 2) as f32;
                        if auto.hold_for_shot(&mut commands, "line", drawn) {
                            return;
                        }
                    }
                    // The typewriter runs (fast), so its frames are measured like a player's.
                    ui.typed += time.delta_secs() * AUTOPLAY_TYPING;
                    if ui.line_complete() && auto.wait >= 2 {
                        input.write(PlayerInput::Advance);
                        auto.wait = 0;
                    }
                }
                _ => {
                    if auto.wait >= 2 {
                        input.write(PlayerInput::Advance);
                        auto.wait = 0;
                    }
                }
            }
        }
    }
}

fn report(auto: &Autoplay, outcome: &str) {
    let ms = |s: f32| s * 1000.0;
    println!("autoplay: {outcome}");
    match auto.by_keyboard {
        ByKeyboard::Chosen => println!("  a choice was taken with the keyboard: Tab, then Enter"),
        ByKeyboard::Failed => println!("  the keyboard could not take a choice (Tab, then Enter)"),
        _ => {}
    }
    println!(
        "  first frame after launch: {:.2} s",
        auto.first_frame.unwrap_or(0.0)
    );
    println!(
        "  frame time: p50 {:.1} ms, p99 {:.1} ms over {} frames",
        ms(percentile(&auto.frames, 0.5)),
        ms(percentile(&auto.frames, 0.99)),
        auto.frames.len()
    );
    println!(
        "  the game's own work per frame (story, input, UI, scene; CPU time): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        ms(percentile(&auto.work_cpu, 0.5)),
        ms(percentile(&auto.work_cpu, 0.99)),
        ms(percentile(&auto.work_cpu, 1.0))
    );
    println!(
        "  wall time from the game's first system to its last (others' systems and preemption included): p50 {:.3} ms, p99 {:.3} ms",
        ms(percentile(&auto.work, 0.5)),
        ms(percentile(&auto.work, 0.99))
    );
    for (kind, (count, worst)) in &auto.slow {
        println!(
            "    frames over 1 ms while showing {kind}: {count}, the slowest {:.2} ms",
            ms(*worst)
        );
    }
    println!("  resident memory: {:.0} MB", resident_mb());
}

fn setup(mut commands: Commands, options: Res<GameOptions>) {
    if let Some(seed) = options.autoplay {
        if let Some(dir) = &options.screenshots {
            let _ = std::fs::create_dir_all(dir);
        }
        commands.insert_resource(Autoplay {
            rng: ChaCha8Rng::seed_from_u64(seed),
            wait: 0,
            shots: Vec::new(),
            dir: options.screenshots.clone(),
            started: options.launched.unwrap_or_else(Instant::now),
            first_frame: None,
            frames: Vec::new(),
            work: Vec::new(),
            work_cpu: Vec::new(),
            slow: Default::default(),
            work_started: None,
            decisions: 0,
            max_seconds: options.max_seconds,
            by_keyboard: ByKeyboard::No,
            tour: Tour::NotYet,
        });
    }
}

/// Autoplay, when asked for.
pub fn plugin(app: &mut App) {
    let ready = PipelinesReady::default();
    if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
        render_app
            .insert_resource(ready.clone())
            .add_systems(Render, note_pipelines);
        app.insert_resource(ready);
    }
    app.add_systems(Startup, setup.run_if(resource_exists::<GameOptions>))
        .add_systems(Update, start_work.before(GameSet::RecordInput))
        .add_systems(Update, end_work.after(GameSet::UpdateScene))
        .add_systems(Last, tally_work)
        .add_systems(
            Update,
            play.run_if(resource_exists::<Autoplay>)
                .in_set(super::input::InputSet::Read),
        );
}
