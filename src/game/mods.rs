//! Mods in the game, and the dialogue reloaded while playing.
//!
//! - `Dialogue`: where the story comes from (the base folder, every mod found in the player's
//!   mods folder or given with `--mod`, and those the player switched off in the settings).
//! - `ModList`: what the mods screen shows: each mod's name, version, author, whether it is on,
//!   its place in the load order, and its problems. A mod with errors is left out (the loader's
//!   `load_with_mods`) and its problems listed; the rest of the game runs.
//! - Hot reload: a `notify` watcher on the dialogue folders asks for a `ReloadDialogue` once a
//!   save has settled; the mods screen asks for one when a mod is switched. The story is loaded
//!   again, and the player's place carried over by stable ids (the playthrough document, as a
//!   save does), at the nearest point that still fits with a notice when it does not. A file
//!   with errors leaves the last good story running, its problems on screen (`ReloadProblems`)
//!   until a save fixes them.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy_egui::egui::{self, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use super::runner::{SceneChange, StoryRunner};
use super::settings::Settings;
use super::theme::{DrawSet, menu_window, palette};
use super::{LoadedStory, Menu, WorkMeter};
use crate::story::load::ModInfo;
use crate::story::{LoadReport, Playthrough, Severity, Story, load_with_mods};

/// Where the dialogue comes from.
#[derive(Resource, Debug, Clone, Default)]
pub struct Dialogue {
    /// The base story's folder.
    pub base: PathBuf,
    /// Every mod folder found, switched on or not.
    pub mods: Vec<PathBuf>,
    /// The mod folders the player switched off (`Settings::disabled_mods`).
    pub disabled: Vec<PathBuf>,
}

impl Dialogue {
    /// The mods switched on.
    pub fn enabled(&self) -> Vec<PathBuf> {
        self.mods
            .iter()
            .filter(|m| !self.disabled.contains(m))
            .cloned()
            .collect()
    }

    /// Every folder to watch for saves.
    pub fn folders(&self) -> Vec<PathBuf> {
        std::iter::once(self.base.clone())
            .chain(self.mods.iter().cloned())
            .collect()
    }
}

/// One mod, as the mods screen shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ModRow {
    /// Its folder.
    pub folder: PathBuf,
    /// What its manifest says (`None` for a mod switched off, or one that could not be read).
    pub info: Option<ModInfo>,
    /// Whether the player has it on.
    pub enabled: bool,
    /// Its place in the load order, from 1 (`None` when it is not loaded).
    pub place: Option<usize>,
    /// Its problems, one line each (file, line, column, code, message).
    pub problems: Vec<String>,
    /// Whether it was left out for its errors.
    pub broken: bool,
}

/// The mods screen's rows, as of the last load.
#[derive(Resource, Debug, Clone, Default)]
pub struct ModList(pub Vec<ModRow>);

/// The problems of the last reload, shown on screen while the last good story keeps running;
/// empty when the dialogue is fine.
#[derive(Resource, Debug, Clone, Default, PartialEq)]
pub struct ReloadProblems(pub Vec<String>);

/// Asks for the dialogue to be loaded again.
#[derive(Message, Debug, Clone, Copy, Default)]
pub struct ReloadDialogue;

/// Loads the story and what the mods screen shows of each mod.
pub fn load_dialogue(dialogue: &Dialogue) -> (LoadReport, ModList) {
    let report = load_with_mods(&dialogue.base, &dialogue.enabled());
    let rows = dialogue
        .mods
        .iter()
        .map(|folder| {
            let enabled = !dialogue.disabled.contains(folder);
            let place = report.mods.iter().position(|m| same(&m.folder, folder));
            let problems = report
                .diagnostics
                .iter()
                .filter(|d| d.file.as_deref().is_some_and(|f| f.starts_with(folder)))
                .map(|d| d.one_line())
                .collect();
            ModRow {
                folder: folder.clone(),
                info: place.map(|p| report.mods[p].clone()),
                enabled,
                place: place.map(|p| p + 1),
                problems,
                broken: report.skipped_mods.contains(folder),
            }
        })
        .collect();
    (report, ModList(rows))
}

/// Whether two paths name one folder (as given, or once resolved).
fn same(a: &Path, b: &Path) -> bool {
    a == b
        || a.canonicalize()
            .ok()
            .zip(b.canonicalize().ok())
            .is_some_and(|(x, y)| x == y)
}

/// The story reloaded, with the player's place carried over: `None` (and the problems) when it
/// has errors the last load did not (a file just saved half-written, say), so the last good
/// story keeps running.
pub fn reload_story(
    dialogue: &Dialogue,
    running: &[PathBuf],
) -> Result<(Story, ModList), (Vec<String>, ModList)> {
    let (report, list) = load_dialogue(dialogue);
    let errors = || {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| d.one_line())
            .collect::<Vec<_>>()
    };
    // A mod that was running and now has errors is a file being edited: keep its last good
    // version rather than drop it mid-play.
    let newly_broken = report.skipped_mods.iter().any(|m| running.contains(m));
    match report.story {
        Some(story) if !newly_broken => Ok((story, list)),
        _ => Err((errors(), list)),
    }
}

/// Moves a playthrough onto a reloaded story by stable ids, from the moment before the one on
/// screen, so that moment is shown again as the new files say it. A notice says so when not
/// everything still fits.
pub fn carry_over(
    runner: &StoryRunner,
    story: Arc<Story>,
    scenes: &mut Vec<crate::story::format::SceneDef>,
) -> StoryRunner {
    let before = runner.before.as_ref().unwrap_or(&runner.state);
    let doc = Playthrough::new(&runner.story, before);
    let (state, problem) = match doc.replay(&story, |_, _, _| {}) {
        Ok(r) => (r.state, r.problem),
        Err(e) => (story.new_state(before.seed), Some(e.to_string())),
    };
    let notice = match (problem, doc.mods_note(&story)) {
        (None, None) => None,
        (problem, note) => Some(
            [
                note,
                problem.map(|p| {
                    format!(
                        "The dialogue was reloaded and your place no longer fits it all ({p}); you continue from the last point that does."
                    )
                }),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        ),
    };
    let mut next = StoryRunner::resume(story, state, notice);
    next.pull(scenes);
    next
}

/// What is loaded now: the mods running (to tell a newly broken one).
#[derive(Resource, Debug, Clone, Default)]
pub struct Running(pub Vec<PathBuf>);

/// Answers `ReloadDialogue`: loads again, and moves the playthrough (if any) onto the new story.
#[allow(clippy::too_many_arguments)]
fn apply_reload(
    work: Res<WorkMeter>,
    mut asked: MessageReader<ReloadDialogue>,
    dialogue: Res<Dialogue>,
    mut loaded: ResMut<LoadedStory>,
    runner: Option<ResMut<StoryRunner>>,
    mut problems: ResMut<ReloadProblems>,
    mut list: ResMut<ModList>,
    mut running: ResMut<Running>,
    mut scenes: MessageWriter<SceneChange>,
) {
    let _work = work.start();
    if asked.read().count() == 0 {
        return;
    }
    match reload_story(&dialogue, &running.0) {
        Ok((story, rows)) => {
            let story = Arc::new(story);
            *list = rows;
            running.0 = list
                .0
                .iter()
                .filter(|r| r.place.is_some())
                .map(|r| r.folder.clone())
                .collect();
            problems.0.clear();
            if let Some(mut runner) = runner {
                let mut directives = Vec::new();
                *runner = carry_over(&runner, Arc::clone(&story), &mut directives);
                for d in directives {
                    scenes.write(SceneChange(d));
                }
            }
            loaded.0 = story;
        }
        Err((errors, rows)) => {
            *list = rows;
            problems.0 = errors;
        }
    }
}

/// The watcher on the dialogue folders: saves arrive as messages on `rx`.
#[derive(Resource)]
pub struct DialogueWatch {
    _watcher: Mutex<notify::RecommendedWatcher>,
    rx: Mutex<mpsc::Receiver<()>>,
    last: Option<Instant>,
}

/// How long the events of one save are gathered before reloading (editors save in bursts).
const SETTLE: Duration = Duration::from_millis(150);

impl DialogueWatch {
    /// Watches the folders; `None` when the platform will not (the game runs without reload).
    pub fn start(folders: &[PathBuf]) -> Option<Self> {
        use notify::Watcher;
        let (tx, rx) = mpsc::channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event
                    && !matches!(event.kind, notify::EventKind::Access(_))
                    && event.paths.iter().any(|p| {
                        p.extension().is_some_and(|e| e == "ron")
                            && !p
                                .file_name()
                                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    })
                {
                    let _ = tx.send(());
                }
            })
            .ok()?;
        for folder in folders {
            watcher
                .watch(folder, notify::RecursiveMode::Recursive)
                .ok()?;
        }
        Some(DialogueWatch {
            _watcher: Mutex::new(watcher),
            rx: Mutex::new(rx),
            last: None,
        })
    }
}

/// Turns settled saves into `ReloadDialogue`.
fn watch(
    work: Res<WorkMeter>,
    watch: Option<ResMut<DialogueWatch>>,
    mut reload: MessageWriter<ReloadDialogue>,
) {
    let _work = work.start();
    let Some(mut watch) = watch else {
        return;
    };
    let now = Instant::now();
    let got = watch
        .rx
        .lock()
        .map(|rx| rx.try_iter().count() > 0)
        .unwrap_or(false);
    if got {
        watch.last = Some(now);
    }
    if watch.last.is_some_and(|t| now.duration_since(t) >= SETTLE) {
        watch.last = None;
        reload.write(ReloadDialogue);
    }
}

/// The player's switches (`Settings::disabled_mods`) applied: a change reloads.
fn follow_settings(
    settings: Option<Res<Settings>>,
    mut dialogue: ResMut<Dialogue>,
    mut reload: MessageWriter<ReloadDialogue>,
) {
    let Some(settings) = settings else {
        return;
    };
    if !settings.is_changed() || settings.disabled_mods == dialogue.disabled {
        return;
    }
    dialogue.disabled.clone_from(&settings.disabled_mods);
    reload.write(ReloadDialogue);
}

/// The mods screen: each mod with its name, version, author, switch, place and problems.
fn draw_mods(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    list: Res<ModList>,
    mut settings: ResMut<Settings>,
    mut menu: ResMut<NextState<Menu>>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?;
    let width = (ctx.content_rect().width() * 0.85).min(560.0);
    let mut disabled = settings.disabled_mods.clone();
    let open = menu_window(ctx, "Mods", |ui| {
        ui.set_width(width);
        if list.0.is_empty() {
            ui.label("No mods. Put a mod's folder in the mods folder of the game's data folder, or start the game with --mod PATH (docs/modding.md).");
        }
        egui::ScrollArea::vertical()
            .max_height(420.0)
            .show(ui, |ui| {
                for row in &list.0 {
                    // A mod left out for its errors is named by its folder.
                    let folder = || {
                        row.folder.file_name().map_or_else(
                            || row.folder.display().to_string(),
                            |n| n.to_string_lossy().into_owned(),
                        )
                    };
                    let name = row.info.as_ref().map_or_else(folder, |i| i.name.clone());
                    let mut on = row.enabled;
                    ui.horizontal(|ui| {
                        if ui
                            .checkbox(&mut on, RichText::new(&name).strong())
                            .changed()
                        {
                            if on {
                                disabled.retain(|d| d != &row.folder);
                            } else {
                                disabled.push(row.folder.clone());
                            }
                        }
                        if let Some(info) = &row.info {
                            ui.label(info.version.as_deref().unwrap_or("no version"));
                            if let Some(author) = &info.author {
                                ui.label(format!("by {author}"));
                            }
                        }
                        match (row.place, row.broken, row.enabled) {
                            (Some(p), _, _) => ui.label(format!("loads {p}.")),
                            (None, true, _) => ui.label(
                                RichText::new("left out: it has errors").color(palette::CORAL),
                            ),
                            (None, _, false) => ui.label("off"),
                            (None, _, true) => ui.label("not loaded"),
                        };
                    });
                    for problem in row.problems.iter().take(8) {
                        ui.label(RichText::new(problem).small().color(palette::SOFT_INK));
                    }
                    ui.separator();
                }
            });
    });
    if disabled != settings.disabled_mods {
        settings.disabled_mods = disabled;
    }
    if !open {
        menu.set(Menu::None);
    }
    Ok(())
}

/// The problems of a reload, over whatever is on screen, while the last good story runs.
fn draw_problems(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    problems: Res<ReloadProblems>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?;
    egui::Window::new("The dialogue has problems")
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-12.0, 12.0))
        .collapsible(true)
        .resizable(false)
        .show(ctx, |ui| {
            ui.label("The last good version keeps playing; save the file again once it is fixed.");
            for p in problems.0.iter().take(12) {
                ui.label(RichText::new(p).small().color(palette::SOFT_INK));
            }
            if problems.0.len() > 12 {
                ui.label(format!("... and {} more", problems.0.len() - 12));
            }
        });
    Ok(())
}

/// Mods, the mods screen, and reloading.
pub fn plugin(app: &mut App) {
    reload_plugin(app);
    app.add_systems(
        EguiPrimaryContextPass,
        (
            draw_mods
                .run_if(in_state(Menu::Mods).and_then(resource_exists::<Settings>))
                .in_set(DrawSet::Menu),
            draw_problems
                .run_if(|p: Res<ReloadProblems>| !p.0.is_empty())
                .in_set(DrawSet::Notices),
        ),
    );
}

/// Reloading without drawing, for headless apps and tests.
pub fn reload_plugin(app: &mut App) {
    app.init_resource::<ModList>()
        .init_resource::<ReloadProblems>()
        .init_resource::<Dialogue>()
        .init_resource::<Running>()
        .add_message::<ReloadDialogue>()
        .add_message::<SceneChange>()
        .add_systems(
            Update,
            (follow_settings, watch, apply_reload)
                .chain()
                .before(super::GameSet::AdvanceStory),
        );
}
