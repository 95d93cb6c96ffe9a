//! The conversation and the menus, in egui, styled like the film: warm paper and coral, a serif
//! (EB Garamond, shipped in `assets/fonts`), generous spacing. The OS has no face: a softly
//! pulsing light stands for her while she speaks.
//!
//! State and logic live in `UiState` and ordinary systems (typewriter, input); the egui
//! closures only draw it and report clicks, so headless tests can drive everything else.

use std::collections::{HashMap, HashSet};

use bevy::prelude::*;
use bevy::window::{MonitorSelection, WindowMode};
use bevy_egui::egui::{
    self, Align2, Color32, CornerRadius, FontFamily, FontId, Margin, RichText, Stroke,
};
use bevy_egui::input::egui_wants_any_keyboard_input;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use super::persist::{DataDir, Settings, Slot, queue_slot, read_slot};
use super::runner::{PlayerInput, SceneChange, Showing, StoryRunner};
use super::{GameOptions, GameSet, LoadedStory, Menu, Screen};
use crate::story::SaveDoc;

/// The palette of the interface: no blue.
mod palette {
    use bevy_egui::egui::Color32;
    pub const PAPER: Color32 = Color32::from_rgba_premultiplied(246, 230, 214, 236);
    pub const INK: Color32 = Color32::from_rgb(74, 36, 30);
    pub const SOFT_INK: Color32 = Color32::from_rgb(132, 78, 64);
    pub const CORAL: Color32 = Color32::from_rgb(214, 96, 74);
    pub const PEACH: Color32 = Color32::from_rgb(247, 196, 160);
    pub const CREAM: Color32 = Color32::from_rgb(255, 244, 230);
    pub const VEIL: Color32 = Color32::from_rgba_premultiplied(40, 12, 10, 200);
}

/// What the interface is doing, outside the egui closures.
#[derive(Resource, Default)]
pub struct UiState {
    /// Characters of the current line shown so far.
    pub typed: f32,
    /// Seconds the current thing has been on screen.
    pub shown_for: f32,
    /// The line or card the typewriter is on (to notice a new one).
    pub current: Option<Showing>,
    /// A message for the player, and for how long more.
    pub toast: Option<(String, f32)>,
    /// Lines seen in any playthrough (for "skip seen lines").
    pub seen: HashSet<String>,
    /// The fonts are installed.
    pub fonts_ready: bool,
    /// The text size the glyphs were last drawn ahead for (see `warm_glyphs`).
    pub warmed_for: Option<f32>,
    /// How full egui's glyph atlas was after warming (less later means egui started it over).
    pub warmed_fill: f32,
    /// A text size the conversation changed to, and since when (warmed once it settles).
    pub new_size: Option<(f32, f32)>,
    /// The chapter last autosaved at.
    pub autosaved_chapter: Option<usize>,
    /// A thumbnail to take for a slot, in this many frames (once the menus are closed).
    pub pending_thumbnail: Option<(Slot, u8)>,
    /// Thumbnails shown on the save screen, by slot, with the file's time.
    pub thumbnails: HashMap<Slot, (std::time::SystemTime, egui::TextureHandle)>,
    /// The seen lines changed since they were last written.
    pub seen_dirty: bool,
    /// What each save slot holds, while the save screen is open.
    pub slot_info: Option<Vec<(Slot, String)>>,
}

impl UiState {
    /// The full length of the current line, in characters.
    fn line_len(&self) -> usize {
        match &self.current {
            Some(Showing::Line { text, .. }) => text.chars().count(),
            _ => 0,
        }
    }

    /// Whether the current line is fully typed.
    pub fn line_complete(&self) -> bool {
        self.typed as usize >= self.line_len()
    }

    fn toast(&mut self, text: impl Into<String>) {
        self.toast = Some((text.into(), 3.5));
    }
}

/// Advances the typewriter, auto-advance, pauses and skipping; notices new lines.
fn tick_ui(
    work: Res<super::WorkMeter>,
    time: Res<Time>,
    settings: Res<Settings>,
    runner: Option<Res<StoryRunner>>,
    mut ui: ResMut<UiState>,
    mut input: MessageWriter<PlayerInput>,
) {
    let _work = work.start();
    let dt = time.delta_secs();
    if let Some((_, left)) = &mut ui.toast {
        *left -= dt;
        if *left <= 0.0 {
            ui.toast = None;
        }
    }
    let Some(runner) = runner else { return };
    if ui.current.as_ref() != Some(&runner.showing) {
        ui.current = Some(runner.showing.clone());
        ui.typed = 0.0;
        ui.shown_for = 0.0;
        if let Showing::Line { id, .. } = &runner.showing {
            let seen_before = !ui.seen.insert(id.clone());
            ui.seen_dirty |= !seen_before;
            if seen_before && settings.skip_seen {
                input.write(PlayerInput::Advance);
                return;
            }
        }
    }
    ui.shown_for += dt;
    if settings.text_speed <= 0.0 {
        ui.typed = f32::MAX;
    } else {
        ui.typed += dt * settings.text_speed;
    }
    match &runner.showing {
        Showing::Pause(secs) if ui.shown_for >= *secs => {
            input.write(PlayerInput::Advance);
        }
        Showing::Line { text, .. } if settings.auto_advance && ui.line_complete() => {
            let reading = 1.2 + text.chars().count() as f32 * 0.045;
            if ui.shown_for >= reading + text.chars().count() as f32 / settings.text_speed.max(1.0)
            {
                input.write(PlayerInput::Advance);
            }
        }
        _ => {}
    }
}

/// Keys: Space or Enter to advance (completing the line first), 1-9 to choose, Escape to pause,
/// F5 to quicksave, F9 to quickload, L for the backlog.
#[expect(
    clippy::too_many_arguments,
    reason = "the keys reach every part of the game"
)]
fn record_keys(
    work: Res<super::WorkMeter>,
    keys: Res<ButtonInput<KeyCode>>,
    screen: Res<State<Screen>>,
    (menu, mut next_menu): (Res<State<Menu>>, ResMut<NextState<Menu>>),
    mut ui: ResMut<UiState>,
    runner: Option<Res<StoryRunner>>,
    mut input: MessageWriter<PlayerInput>,
    dir: Option<Res<DataDir>>,
    mut commands: Commands,
    loaded: Option<Res<LoadedStory>>,
    mut scenes: MessageWriter<SceneChange>,
) {
    let _work = work.start();
    if keys.just_pressed(KeyCode::Escape) || *screen.get() != Screen::Playing {
        return;
    }
    // L opens and closes the backlog; with another menu open, play waits.
    if keys.just_pressed(KeyCode::KeyL) {
        match menu.get() {
            Menu::None => next_menu.set(Menu::Backlog),
            Menu::Backlog => next_menu.set(Menu::None),
            _ => {}
        }
        return;
    }
    if !matches!(menu.get(), Menu::None | Menu::Backlog) {
        return;
    }
    let Some(runner) = runner else { return };
    if keys.just_pressed(KeyCode::F5)
        && let Some(dir) = &dir
    {
        quicksave(&runner, dir, &mut ui);
    }
    if keys.just_pressed(KeyCode::F9)
        && let (Some(dir), Some(loaded)) = (&dir, &loaded)
    {
        load_slot(
            &Slot::Quick,
            dir,
            loaded,
            &mut commands,
            &mut ui,
            &mut scenes,
        );
        return;
    }
    if keys.any_just_pressed([KeyCode::Space, KeyCode::Enter, KeyCode::NumpadEnter]) {
        advance_or_complete(&runner.showing, &mut ui, &mut input);
    }
    const DIGITS: [KeyCode; 9] = [
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
        KeyCode::Digit7,
        KeyCode::Digit8,
        KeyCode::Digit9,
    ];
    for (i, key) in DIGITS.iter().enumerate() {
        if keys.just_pressed(*key) && runner.showing.is_choice() && i < runner.showing.options() {
            input.write(PlayerInput::Choose(i));
        }
    }
}

/// A click or Space: finish typing the line, or go on.
fn advance_or_complete(
    showing: &Showing,
    ui: &mut UiState,
    input: &mut MessageWriter<PlayerInput>,
) {
    if matches!(showing, Showing::Line { .. }) && !ui.line_complete() {
        ui.typed = f32::MAX;
    } else if !showing.is_choice() && !matches!(showing, Showing::Ending { .. }) {
        input.write(PlayerInput::Advance);
    }
}

fn quicksave(runner: &StoryRunner, dir: &DataDir, ui: &mut UiState) {
    let doc = SaveDoc::new(&runner.story, &runner.state, runner.chapter_title());
    // Written on the disk thread; a failure comes back as a notice (`report_disk`).
    queue_slot(dir, &Slot::Quick, &doc);
    ui.pending_thumbnail = Some((Slot::Quick, 2));
    ui.toast("Saved.");
}

fn load_slot(
    slot: &Slot,
    dir: &DataDir,
    loaded: &LoadedStory,
    commands: &mut Commands,
    ui: &mut UiState,
    scenes: &mut MessageWriter<SceneChange>,
) -> bool {
    match read_slot(dir, slot) {
        None => {
            ui.toast(format!("{} is empty.", slot.label()));
            false
        }
        Some(Err(e)) => {
            ui.toast(format!("That save cannot be read: {e}"));
            false
        }
        Some(Ok(doc)) => {
            let resume = doc.resume(&loaded.0);
            let notice = match &resume {
                crate::story::Resume::Replayed { message, .. } => Some(message.clone()),
                crate::story::Resume::Exact(_) => None,
            };
            let state = resume.into_state();
            let mut scene = state.scene.clone();
            scene.cut = true;
            scenes.write(SceneChange(scene));
            let mut runner = StoryRunner::resume(loaded.0.clone(), state, notice.clone());
            let mut directives = Vec::new();
            runner.pull(&mut directives);
            commands.insert_resource(runner);
            ui.current = None;
            ui.toast(notice.unwrap_or_else(|| format!("Loaded {}.", slot.label())));
            true
        }
    }
}

/// Writes the autosave when a chapter begins.
fn autosave(
    work: Res<super::WorkMeter>,
    runner: Option<Res<StoryRunner>>,
    dir: Option<Res<DataDir>>,
    mut ui: ResMut<UiState>,
) {
    let _work = work.start();
    let (Some(runner), Some(dir)) = (runner, dir) else {
        return;
    };
    if let Showing::ChapterCard { number, .. } = runner.showing
        && ui.autosaved_chapter != Some(number)
    {
        ui.autosaved_chapter = Some(number);
        let doc = SaveDoc::new(&runner.story, &runner.state, runner.chapter_title());
        queue_slot(&dir, &Slot::Auto, &doc);
        // The title card is a fine picture for a chapter's autosave.
        ui.pending_thumbnail = Some((Slot::Auto, 2));
        write_seen(&dir, &mut ui);
    }
}

fn install_style(ctx: &egui::Context, ui: &mut UiState) {
    let mut fonts = egui::FontDefinitions::default();
    let dir = super::find_shipped("assets").join("fonts");
    for (name, file) in [
        ("garamond", "EBGaramond12-Regular.ttf"),
        ("garamond-italic", "EBGaramond12-Italic.ttf"),
    ] {
        match std::fs::read(dir.join(file)) {
            Ok(bytes) => {
                fonts.font_data.insert(
                    name.into(),
                    std::sync::Arc::new(egui::FontData::from_owned(bytes)),
                );
            }
            Err(e) => eprintln!("font {file}: {e}; using egui's default"),
        }
    }
    if fonts.font_data.contains_key("garamond") {
        for family in [FontFamily::Proportional, FontFamily::Monospace] {
            fonts
                .families
                .entry(family)
                .or_default()
                .insert(0, "garamond".into());
        }
    }
    // The italic family always exists (falling back to the regular faces), so no text ever
    // asks for a family egui does not know.
    let mut italic: Vec<String> = ["garamond-italic", "garamond"]
        .into_iter()
        .filter(|f| fonts.font_data.contains_key(*f))
        .map(str::to_owned)
        .collect();
    italic.extend(
        fonts
            .families
            .get(&FontFamily::Proportional)
            .cloned()
            .unwrap_or_default(),
    );
    fonts
        .families
        .insert(FontFamily::Name("italic".into()), italic);
    ctx.set_fonts(fonts);
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(10.0, 10.0);
        style.spacing.button_padding = egui::vec2(14.0, 8.0);
        let v = &mut style.visuals;
        v.override_text_color = Some(palette::INK);
        v.window_fill = palette::PAPER;
        v.panel_fill = palette::PAPER;
        v.window_stroke = Stroke::new(1.0, palette::PEACH);
        v.window_corner_radius = CornerRadius::same(14);
        v.widgets.inactive.weak_bg_fill = palette::CREAM;
        v.widgets.inactive.bg_fill = palette::CREAM;
        v.widgets.inactive.bg_stroke = Stroke::new(1.0, palette::PEACH);
        v.widgets.hovered.weak_bg_fill = palette::PEACH;
        v.widgets.hovered.bg_fill = palette::PEACH;
        v.widgets.hovered.bg_stroke = Stroke::new(1.0, palette::CORAL);
        v.widgets.active.weak_bg_fill = palette::CORAL;
        v.widgets.active.bg_fill = palette::CORAL;
        for w in [
            &mut v.widgets.inactive,
            &mut v.widgets.hovered,
            &mut v.widgets.active,
        ] {
            w.corner_radius = CornerRadius::same(10);
            w.fg_stroke = Stroke::new(1.0, palette::INK);
        }
        v.selection.bg_fill = palette::CORAL;
        v.extreme_bg_color = palette::CREAM;
    });
    ui.fonts_ready = true;
}

/// Draws every character the story uses, at the sizes the conversation shows it in, once: egui
/// rasterises a glyph the first time it meets it at a size, and doing that in the middle of
/// play cost frames of several milliseconds whenever a line brought a new letter or size. Large
/// sizes get only the characters of the titles they show: the atlas must stay well under the
/// fill at which egui throws it away and starts over.
fn warm_glyphs(ctx: &egui::Context, story: &crate::story::Story, size: f32) {
    let unique = |chars: &mut dyn Iterator<Item = char>| -> String {
        let mut v: Vec<char> = chars.filter(|c| !c.is_control()).collect();
        v.sort_unstable();
        v.dedup();
        v.into_iter().collect()
    };
    let words = unique(
        &mut story
            .text
            .chars()
            .chain((' '..='~').chain("‘’“”—–…·›".chars())),
    );
    // The font joins some letters into one glyph (ligatures such as "fi") and picks some
    // glyphs by their neighbours: every pair of letters the story writes, once each, makes
    // those glyphs too.
    let mut pairs: Vec<[char; 2]> = story
        .text
        .chars()
        .zip(story.text.chars().skip(1))
        .filter(|(a, b)| a.is_alphanumeric() && b.is_alphanumeric())
        .map(|(a, b)| [a, b])
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut words = words;
    for [a, b] in pairs {
        words.extend([' ', a, b]);
    }
    for ligature in [" ffi", " ffl"] {
        words.push_str(ligature);
    }
    let titles = unique(
        &mut story
            .chapters
            .iter()
            .flat_map(|c| c.title.chars())
            .chain(story.endings.iter().flat_map(|e| e.title.chars()))
            .chain("Chapter Ending 0123456789…".chars()),
    );
    let text_fonts = [
        serif(size),
        italic(size),
        italic(size * 0.85),
        serif(size * 0.9),
        italic(size * 0.9),
        serif(size * 0.95),
        serif(size * 1.05),
    ];
    let title_fonts = [
        italic(size * 1.1),
        italic(size * 1.2),
        serif(size * 1.5),
        serif(size * 2.4),
    ];
    // egui keeps a glyph's bitmap for each quarter pixel it can start on, so each string is
    // laid out four times, a quarter of a physical pixel further right each time.
    // (A debug build rasterises some twenty times slower: one position is enough there.)
    let quarter = 0.25 / ctx.pixels_per_point();
    let positions = if cfg!(debug_assertions) { 1 } else { 4 };
    let lay = |fonts: &mut egui::epaint::FontsView<'_>, text: &str, font: &FontId| {
        for k in 0..positions {
            let mut job = egui::text::LayoutJob::simple_singleline(
                text.to_owned(),
                font.clone(),
                Color32::WHITE,
            );
            job.sections[0].leading_space = k as f32 * quarter;
            fonts.layout_job(job);
        }
    };
    // The interface's own words at its fixed sizes (corner buttons, notices) and the ending's
    // credits.
    let ascii: String = (' '..='~').collect();
    let work = text_fonts
        .iter()
        .map(|f| (f.clone(), words.as_str()))
        .chain(
            [
                serif(16.0),
                italic(20.0),
                serif(size * 0.7),
                italic(size * 0.7),
            ]
            .map(|f| (f, ascii.as_str())),
        )
        .chain(title_fonts.iter().map(|f| (f.clone(), titles.as_str())));
    ctx.fonts_mut(|fonts| {
        for (font, text) in work {
            // Most important first, and never past what the atlas holds with room to spare
            // (large text on a high-density screen): a full atlas is thrown away and begun
            // again, and warming it would start over every frame.
            if fonts.font_atlas_fill_ratio() > WARM_FILL_LIMIT {
                break;
            }
            lay(fonts, text, &font);
        }
    });
}

/// How full glyph warming may leave egui's atlas (egui starts it over past 0.8).
const WARM_FILL_LIMIT: f32 = 0.6;

fn serif(size: f32) -> FontId {
    FontId::new(size, FontFamily::Proportional)
}

fn italic(size: f32) -> FontId {
    FontId::new(size, FontFamily::Name("italic".into()))
}

fn paper_frame() -> egui::Frame {
    egui::Frame::NONE
        .fill(palette::PAPER)
        .stroke(Stroke::new(1.0, palette::PEACH))
        .corner_radius(CornerRadius::same(16))
        .inner_margin(Margin::symmetric(28, 20))
}

/// A sheet of letter paper, margins in proportion to the window.
fn letter_paper(screen: egui::Rect) -> egui::Frame {
    egui::Frame::NONE
        .fill(Color32::from_rgb(253, 246, 234))
        .stroke(Stroke::new(1.0, palette::PEACH))
        .corner_radius(CornerRadius::same(4))
        .inner_margin(Margin::symmetric(
            (screen.width() * 0.04).min(40.0) as i8,
            (screen.height() * 0.04).min(30.0) as i8,
        ))
}

/// Draws the whole interface for the current screen.
#[expect(
    clippy::too_many_arguments,
    reason = "the interface shows and changes every part of the game"
)]
fn draw_ui(
    work: Res<super::WorkMeter>,
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    mut settings: ResMut<Settings>,
    screen: Res<State<Screen>>,
    mut next: ResMut<NextState<Screen>>,
    (menu, mut next_menu): (Res<State<Menu>>, ResMut<NextState<Menu>>),
    runner: Option<Res<StoryRunner>>,
    loaded: Res<LoadedStory>,
    dir: Option<Res<DataDir>>,
    time: Res<Time>,
    mut commands: Commands,
    mut input: MessageWriter<PlayerInput>,
    mut scenes: MessageWriter<SceneChange>,
    mut exit: MessageWriter<AppExit>,
    options: Option<Res<GameOptions>>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?.clone();
    if !ui_state.fonts_ready {
        // Fonts take effect from the next frame: draw from then on.
        install_style(&ctx, &mut ui_state);
        return Ok(());
    }
    let size = settings.text_size;
    let t = time.elapsed_secs();
    // Warm the glyphs at the size the conversation is really drawn at (small windows shrink
    // it): at the start, when egui has started its atlas over (it does when the atlas fills),
    // and when the setting or the window has settled on a new size (not on every step of a
    // slider or a resize: each warming is one long frame).
    let drawn = story_text_size(&ctx, size);
    let fill = ctx.fonts(|f| f.font_atlas_fill_ratio());
    let atlas_reset = fill + 0.001 < ui_state.warmed_fill;
    let settled = match ui_state.new_size {
        Some((pending, since)) if pending == drawn => t - since >= 0.4,
        _ => {
            ui_state.new_size = Some((drawn, t));
            false
        }
    };
    if ui_state.warmed_for.is_none()
        || atlas_reset
        || (ui_state.warmed_for != Some(drawn) && settled)
    {
        warm_glyphs(&ctx, &loaded.0, drawn);
        ui_state.warmed_for = Some(drawn);
        ui_state.warmed_fill = ctx.fonts(|f| f.font_atlas_fill_ratio());
    }
    let motion = !settings.reduce_motion;
    match screen.get() {
        Screen::Title => {
            // Sized by the window's height, so small windows still show it whole.
            let h = ctx.content_rect().height();
            let big = (h * 0.16).clamp(40.0, 110.0);
            let word = (h * 0.05).clamp(15.0, 26.0);
            let row = (h * 0.085).clamp(28.0, 46.0);
            egui::Area::new("title".into())
                .anchor(
                    Align2::LEFT_CENTER,
                    egui::vec2((h * 0.12).clamp(20.0, 90.0), 0.0),
                )
                .show(&ctx, |ui| {
                    ui.spacing_mut().item_spacing.y = (h * 0.018).clamp(4.0, 10.0);
                    ui.label(RichText::new("Her").font(serif(big)).color(palette::CREAM));
                    ui.label(
                        RichText::new("a story in letters, and a voice")
                            .font(italic(word))
                            .color(palette::PEACH),
                    );
                    ui.add_space(row * 0.5);
                    let has_save = dir.as_ref().is_some_and(|d| {
                        [Slot::Quick, Slot::Auto].iter().any(|s| d.slot(s).exists())
                    });
                    let button = |ui: &mut egui::Ui, text: &str| {
                        ui.add_sized(
                            [row * 5.4, row],
                            egui::Button::new(RichText::new(text).font(serif(word))),
                        )
                    };
                    if button(ui, "New game").clicked() {
                        let seed = options
                            .as_ref()
                            .and_then(|o| o.autoplay)
                            .unwrap_or_else(|| {
                                std::time::SystemTime::now()
                                    .duration_since(std::time::UNIX_EPOCH)
                                    .map_or(1, |d| d.as_secs())
                            });
                        commands.insert_resource(StoryRunner::new(loaded.0.clone(), seed));
                        ui_state.current = None;
                        ui_state.autosaved_chapter = None;
                        next.set(Screen::Playing);
                    }
                    if has_save && button(ui, "Continue").clicked() {
                        let dir = dir.as_ref().expect("checked");
                        // The newest save is judged by its file's time: let queued ones land.
                        dir.disk.flush();
                        let newest = [Slot::Quick, Slot::Auto]
                            .into_iter()
                            .filter_map(|s| {
                                let m = std::fs::metadata(dir.slot(&s)).ok()?.modified().ok()?;
                                Some((m, s))
                            })
                            .max_by_key(|(m, _)| *m)
                            .map(|(_, s)| s);
                        if let Some(slot) = newest
                            && load_slot(
                                &slot,
                                dir,
                                &loaded,
                                &mut commands,
                                &mut ui_state,
                                &mut scenes,
                            )
                        {
                            next.set(Screen::Playing);
                        }
                    }
                    if button(ui, "Load").clicked() {
                        next_menu.set(Menu::Load);
                    }
                    if button(ui, "Settings").clicked() {
                        next_menu.set(Menu::Settings);
                    }
                    if button(ui, "Quit").clicked() {
                        exit.write(AppExit::Success);
                    }
                });
        }
        Screen::Playing | Screen::Paused => {
            if let Some(runner) = &runner {
                draw_story(&ctx, runner, &mut ui_state, size, t, motion, &mut input);
                // The letter has the page to itself.
                if !matches!(
                    runner.showing,
                    Showing::Letter { .. } | Showing::LetterShown { .. }
                ) {
                    draw_corner(
                        &ctx,
                        &mut ui_state,
                        (*menu.get(), &mut next, &mut next_menu),
                        runner,
                        dir.as_deref(),
                    );
                }
                if *menu.get() == Menu::Backlog {
                    draw_backlog(&ctx, runner, &mut next_menu, &mut input);
                }
            }
            if *screen.get() == Screen::Paused && *menu.get() == Menu::None {
                egui::Window::new(RichText::new("Paused").font(serif(30.0)))
                    .collapsible(false)
                    .resizable(false)
                    .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
                    .show(&ctx, |ui| {
                        ui.set_width(260.0);
                        let b = |ui: &mut egui::Ui, s: &str| {
                            ui.add_sized(
                                [240.0, 40.0],
                                egui::Button::new(RichText::new(s).font(serif(22.0))),
                            )
                        };
                        if b(ui, "Resume").clicked() {
                            next.set(Screen::Playing);
                        }
                        if b(ui, "Save").clicked() {
                            next_menu.set(Menu::Save);
                        }
                        if b(ui, "Load").clicked() {
                            next_menu.set(Menu::Load);
                        }
                        if b(ui, "Settings").clicked() {
                            next_menu.set(Menu::Settings);
                        }
                        if b(ui, "Back to the title").clicked() {
                            commands.remove_resource::<StoryRunner>();
                            next.set(Screen::Title);
                        }
                        if b(ui, "Quit").clicked() {
                            exit.write(AppExit::Success);
                        }
                    });
            }
        }
    }
    match menu.get() {
        Menu::Save | Menu::Load => draw_slots(
            &ctx,
            *menu.get() == Menu::Save,
            &mut ui_state,
            runner.as_deref(),
            &loaded,
            dir.as_deref(),
            &mut commands,
            &mut scenes,
            (&mut next, &mut next_menu),
        ),
        Menu::Settings => draw_settings(&ctx, &mut settings, &mut next_menu),
        Menu::None | Menu::Backlog => {}
    }
    if let Some((text, _)) = &ui_state.toast {
        egui::Area::new("toast".into())
            .anchor(Align2::CENTER_TOP, egui::vec2(0.0, 24.0))
            .show(&ctx, |ui| {
                paper_frame().show(ui, |ui| ui.label(RichText::new(text).font(italic(20.0))));
            });
    }
    Ok(())
}

/// The size the conversation's text is drawn at: the setting, but smaller in small windows so
/// a letter still fits.
fn story_text_size(ctx: &egui::Context, setting: f32) -> f32 {
    setting
        .min(ctx.content_rect().height() * 0.05)
        .max(11.0)
        .round()
}

/// The conversation: the line, the choices, the letter, the title cards, the ending.
fn draw_story(
    ctx: &egui::Context,
    runner: &StoryRunner,
    ui_state: &mut UiState,
    size: f32,
    t: f32,
    motion: bool,
    input: &mut MessageWriter<PlayerInput>,
) {
    let screen = ctx.content_rect();
    let width = (screen.width() * 0.72).clamp(320.0, 980.0);
    let size = story_text_size(ctx, size);
    match &runner.showing {
        Showing::ChapterCard { number, title } => {
            veil(ctx, 0.75);
            egui::Area::new("card".into())
                .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
                .show(ctx, |ui| {
                    ui.vertical_centered(|ui| {
                        ui.label(
                            RichText::new(format!("Chapter {number}"))
                                .font(italic(size * 1.2))
                                .color(palette::PEACH),
                        );
                        ui.label(
                            RichText::new(title)
                                .font(serif(size * 2.4))
                                .color(palette::CREAM),
                        );
                        ui.add_space(18.0);
                        if ui
                            .button(RichText::new("Begin").font(serif(size)))
                            .clicked()
                        {
                            input.write(PlayerInput::Advance);
                        }
                    });
                });
        }
        Showing::Ending { title, summary } => {
            veil(ctx, 0.8);
            egui::Area::new("ending".into())
                .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
                .show(ctx, |ui| {
                    ui.set_max_width(width);
                    ui.vertical_centered(|ui| {
                        ui.label(RichText::new("Ending").font(italic(size * 1.1)).color(palette::PEACH));
                        ui.label(RichText::new(title).font(serif(size * 2.4)).color(palette::CREAM));
                        ui.add_space(8.0);
                        ui.label(RichText::new(summary).font(italic(size)).color(palette::PEACH));
                        ui.add_space(30.0);
                        ui.label(RichText::new("Written and made by the Her studio. Type: EB Garamond, by Georg Duffner.").font(serif(size * 0.7)).color(palette::PEACH));
                        ui.label(RichText::new("Inspired by Spike Jonze's film. Every word here is our own.").font(serif(size * 0.7)).color(palette::PEACH));
                        ui.add_space(12.0);
                        ui.label(RichText::new("Open the backlog (L) to go back to any choice, or Escape for the menu.").font(italic(size * 0.7)).color(palette::CREAM));
                    });
                });
        }
        Showing::Letter {
            to,
            prompt,
            so_far,
            fragments,
        } => {
            egui::Area::new("letter".into())
                .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
                .show(ctx, |ui| {
                    letter_paper(screen).show(ui, |ui| {
                        ui.set_width(width.min(720.0));
                        egui::ScrollArea::vertical()
                            .max_height(screen.height() * 0.8)
                            .stick_to_bottom(true)
                            .show(ui, |ui| {
                                ui.label(
                                    RichText::new(to)
                                        .font(italic(size * 0.9))
                                        .color(palette::SOFT_INK),
                                );
                                ui.separator();
                                for p in so_far {
                                    ui.label(
                                        RichText::new(p).font(serif(size)).color(palette::INK),
                                    );
                                }
                                if let Some(prompt) = prompt {
                                    ui.add_space(6.0);
                                    ui.label(
                                        RichText::new(prompt)
                                            .font(italic(size * 0.85))
                                            .color(palette::CORAL),
                                    );
                                }
                                option_buttons(ui, fragments, size * 0.9, input);
                            });
                    });
                });
        }
        Showing::LetterShown { to, text } => {
            egui::Area::new("letter_shown".into())
                .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
                .show(ctx, |ui| {
                    letter_paper(screen).show(ui, |ui| {
                        ui.set_width(width.min(720.0));
                        ui.label(
                            RichText::new(to)
                                .font(italic(size * 0.9))
                                .color(palette::SOFT_INK),
                        );
                        ui.separator();
                        for p in text {
                            ui.label(RichText::new(p).font(serif(size)).color(palette::INK));
                        }
                        ui.add_space(10.0);
                        if ui
                            .button(RichText::new("Fold the letter").font(italic(size * 0.85)))
                            .clicked()
                        {
                            input.write(PlayerInput::Advance);
                        }
                    });
                });
        }
        showing => {
            egui::Area::new("dialogue".into())
                .anchor(Align2::CENTER_BOTTOM, egui::vec2(0.0, -28.0))
                .show(ctx, |ui| {
                    let response = paper_frame().show(ui, |ui| {
                        ui.set_width(width);
                        ui.set_min_height(size * 4.2);
                        match showing {
                            Showing::Line { name, os, text, .. } => {
                                ui.horizontal(|ui| {
                                    if *os {
                                        presence(ui, t, motion, ui_state.line_complete());
                                    }
                                    if !name.is_empty() {
                                        let color = if *os {
                                            palette::CORAL
                                        } else {
                                            palette::SOFT_INK
                                        };
                                        ui.label(
                                            RichText::new(name)
                                                .font(serif(size * 1.05))
                                                .color(color)
                                                .strong(),
                                        );
                                    }
                                });
                                let font = if name.is_empty() {
                                    italic(size)
                                } else {
                                    serif(size)
                                };
                                typewriter(ui, text, font, ui_state.typed as usize);
                            }
                            Showing::Pause(_) => {
                                ui.label(
                                    RichText::new("…")
                                        .font(serif(size * 1.5))
                                        .color(palette::SOFT_INK),
                                );
                            }
                            Showing::Choices(choices) => {
                                // What is being answered stays in view above the choices.
                                if let Some(last) =
                                    runner.backlog.iter().rev().find(|e| e.decision.is_none())
                                {
                                    let said = if last.speaker.is_empty() {
                                        last.text.clone()
                                    } else {
                                        format!("{}: {}", last.speaker, last.text)
                                    };
                                    ui.label(
                                        RichText::new(said)
                                            .font(italic(size * 0.85))
                                            .color(palette::SOFT_INK),
                                    );
                                }
                                option_buttons(ui, choices, size * 0.95, input);
                            }
                            _ => {}
                        }
                    });
                    if !showing.is_choice()
                        && response.response.interact(egui::Sense::click()).clicked()
                    {
                        advance_or_complete(showing, ui_state, input);
                    }
                });
        }
    }
}

/// The line so far, typewriter-style. The whole line is laid out once (egui keeps a layout for
/// as long as it is drawn every frame) and shown up to `typed` characters by clipping, so a word
/// never jumps to the next row half-typed, and no frame lays the line out again.
fn typewriter(ui: &mut egui::Ui, text: &str, font: FontId, typed: usize) {
    let galley = ui
        .painter()
        .layout(text.to_owned(), font, palette::INK, ui.available_width());
    let (rect, _) = ui.allocate_exact_size(galley.size(), egui::Sense::hover());
    let painter = ui.painter();
    if typed >= text.chars().count() {
        painter.galley(rect.min, galley, palette::INK);
        return;
    }
    let cursor = galley
        .pos_from_cursor(egui::text::CCursor::new(typed))
        .translate(rect.min.to_vec2());
    // The rows already typed, whole; then the current row up to the cursor. A little room on
    // the left for italic letters that lean past the margin.
    let lean = 4.0;
    let done = egui::Rect::from_min_max(
        rect.min - egui::vec2(lean, 0.0),
        egui::pos2(rect.max.x + lean, cursor.min.y),
    );
    let row = egui::Rect::from_min_max(
        egui::pos2(rect.min.x - lean, cursor.min.y),
        egui::pos2(cursor.min.x, cursor.max.y),
    );
    painter
        .with_clip_rect(done)
        .galley(rect.min, galley.clone(), palette::INK);
    painter
        .with_clip_rect(row)
        .galley(rect.min, galley, palette::INK);
}

/// Numbered, full-width buttons for choices or letter fragments; a click chooses.
fn option_buttons(
    ui: &mut egui::Ui,
    options: &[String],
    size: f32,
    input: &mut MessageWriter<PlayerInput>,
) {
    for (i, text) in options.iter().enumerate() {
        let b = egui::Button::new(RichText::new(format!("{}.  {text}", i + 1)).font(serif(size)))
            .wrap();
        if ui.add_sized([ui.available_width(), 0.0], b).clicked() {
            input.write(PlayerInput::Choose(i));
        }
    }
}

/// The OS's presence: a soft light that breathes while she speaks.
fn presence(ui: &mut egui::Ui, t: f32, motion: bool, done: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(28.0, 28.0), egui::Sense::hover());
    let c = rect.center();
    let speaking = if done { 0.35 } else { 1.0 };
    let pulse = if motion {
        0.5 + 0.5 * (t * 2.4).sin()
    } else {
        0.7
    };
    let painter = ui.painter();
    for (radius, alpha) in [(13.0, 40.0), (10.0, 70.0), (7.0, 140.0)] {
        let a = (alpha * (0.6 + 0.4 * pulse * speaking)) as u8;
        painter.circle_filled(
            c,
            radius * (0.85 + 0.15 * pulse),
            Color32::from_rgba_unmultiplied(236, 118, 84, a),
        );
    }
    painter.circle_filled(c, 4.0, Color32::from_rgb(255, 214, 170));
}

/// A dark veil over the city for cards and endings.
fn veil(ctx: &egui::Context, strength: f32) {
    let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Background, "veil".into()));
    let c = palette::VEIL;
    painter.rect_filled(
        ctx.content_rect(),
        0.0,
        Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), (255.0 * strength) as u8),
    );
}

/// The small buttons in the corner: backlog, save, menu.
fn draw_corner(
    ctx: &egui::Context,
    ui_state: &mut UiState,
    (menu, next, next_menu): (Menu, &mut NextState<Screen>, &mut NextState<Menu>),
    runner: &StoryRunner,
    dir: Option<&DataDir>,
) {
    egui::Area::new("corner".into())
        .anchor(Align2::RIGHT_TOP, egui::vec2(-16.0, 16.0))
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                if ui
                    .button(RichText::new("Backlog").font(serif(16.0)))
                    .clicked()
                {
                    next_menu.set(if menu == Menu::Backlog {
                        Menu::None
                    } else {
                        Menu::Backlog
                    });
                }
                if ui
                    .button(RichText::new("Quicksave").font(serif(16.0)))
                    .clicked()
                    && let Some(dir) = dir
                {
                    quicksave(runner, dir, ui_state);
                }
                if ui.button(RichText::new("Menu").font(serif(16.0))).clicked() {
                    next.set(Screen::Paused);
                }
            });
        });
}

/// Everything said so far, with a way back to each choice.
fn draw_backlog(
    ctx: &egui::Context,
    runner: &StoryRunner,
    next_menu: &mut NextState<Menu>,
    input: &mut MessageWriter<PlayerInput>,
) {
    let mut open = true;
    egui::Window::new(RichText::new("What was said").font(serif(24.0)))
        .open(&mut open)
        .default_size([560.0, 460.0])
        .anchor(Align2::LEFT_TOP, egui::vec2(24.0, 24.0))
        .show(ctx, |ui| {
            egui::ScrollArea::vertical()
                .stick_to_bottom(true)
                .show(ui, |ui| {
                    for entry in &runner.backlog {
                        ui.horizontal_wrapped(|ui| match entry.decision {
                            Some(k) => {
                                ui.label(
                                    RichText::new(format!("› {}", entry.text))
                                        .font(italic(17.0))
                                        .color(palette::CORAL),
                                );
                                if ui.small_button("Return here").clicked() {
                                    input.write(PlayerInput::Rollback(k));
                                    next_menu.set(Menu::None);
                                }
                            }
                            None if entry.speaker.is_empty() => {
                                ui.label(RichText::new(&entry.text).font(italic(17.0)));
                            }
                            None => {
                                ui.label(
                                    RichText::new(format!("{}:", entry.speaker))
                                        .font(serif(17.0))
                                        .strong(),
                                );
                                ui.label(RichText::new(&entry.text).font(serif(17.0)));
                            }
                        });
                    }
                });
        });
    if !open {
        next_menu.set(Menu::None);
    }
}

/// The save and load screen.
#[expect(
    clippy::too_many_arguments,
    reason = "saving and loading touch the story, the files and the screen"
)]
fn draw_slots(
    ctx: &egui::Context,
    saving: bool,
    ui_state: &mut UiState,
    runner: Option<&StoryRunner>,
    loaded: &LoadedStory,
    dir: Option<&DataDir>,
    commands: &mut Commands,
    scenes: &mut MessageWriter<SceneChange>,
    (next, next_menu): (&mut NextState<Screen>, &mut NextState<Menu>),
) {
    let Some(dir) = dir else { return };
    let mut open = true;
    let title = if saving { "Save" } else { "Load" };
    egui::Window::new(RichText::new(title).font(serif(28.0)))
        .open(&mut open)
        .collapsible(false)
        .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.set_width(500.0);
            // Reading eight saves every frame would be wasted I/O: read them when the screen
            // opens, and again after a save.
            let infos = ui_state
                .slot_info
                .get_or_insert_with(|| {
                    Slot::all()
                        .into_iter()
                        .map(|slot| {
                            let info = match read_slot(dir, &slot) {
                                None => "empty".to_owned(),
                                Some(Err(_)) => "damaged".to_owned(),
                                Some(Ok(doc)) => {
                                    format!("{}  ·  {}", doc.label, when(doc.saved_at))
                                }
                            };
                            (slot, info)
                        })
                        .collect()
                })
                .clone();
            for (slot, info) in infos {
                if saving && slot == Slot::Auto {
                    continue;
                }
                ui.horizontal(|ui| {
                    match thumbnail(ctx, dir, &slot, ui_state) {
                        Some(tex) => {
                            ui.add(egui::Image::new(egui::load::SizedTexture::new(
                                tex.id(),
                                [THUMBNAIL[0] as f32, THUMBNAIL[1] as f32],
                            )));
                        }
                        None => ui.add_space(104.0),
                    }
                    let label = format!("{}  —  {info}", slot.label());
                    let clicked = ui
                        .add_sized(
                            [380.0, 54.0],
                            egui::Button::new(RichText::new(label).font(serif(19.0))),
                        )
                        .clicked();
                    if !clicked {
                        return;
                    }
                    if saving {
                        if let Some(runner) = runner {
                            let doc =
                                SaveDoc::new(&runner.story, &runner.state, runner.chapter_title());
                            queue_slot(dir, &slot, &doc);
                            ui_state.pending_thumbnail = Some((slot.clone(), 2));
                            ui_state.toast(format!("Saved to {}.", slot.label()));
                            next_menu.set(Menu::None);
                        }
                    } else if load_slot(&slot, dir, loaded, commands, ui_state, scenes) {
                        next_menu.set(Menu::None);
                        next.set(Screen::Playing);
                    }
                });
            }
        });
    if !open {
        next_menu.set(Menu::None);
    }
}

/// The save screen reads the slots when it opens: forget them when it closes.
fn forget_slot_info(mut ui: ResMut<UiState>) {
    ui.slot_info = None;
}

/// A slot's thumbnail as a texture, loaded once per file version.
fn thumbnail(
    ctx: &egui::Context,
    dir: &DataDir,
    slot: &Slot,
    ui_state: &mut UiState,
) -> Option<egui::TextureHandle> {
    let path = dir.thumbnail(slot);
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if let Some((when, tex)) = ui_state.thumbnails.get(slot)
        && *when == modified
    {
        return Some(tex.clone());
    }
    let img = image::open(&path)
        .ok()?
        .thumbnail(THUMBNAIL[0] * 2, THUMBNAIL[1] * 2)
        .to_rgb8();
    let color =
        egui::ColorImage::from_rgb([img.width() as usize, img.height() as usize], img.as_raw());
    let tex = ctx.load_texture(
        format!("thumbnail-{}", slot.label()),
        color,
        egui::TextureOptions::LINEAR,
    );
    ui_state
        .thumbnails
        .insert(slot.clone(), (modified, tex.clone()));
    Some(tex)
}

/// Takes a pending save thumbnail once the menus have closed.
fn take_thumbnail(
    work: Res<super::WorkMeter>,
    mut ui: ResMut<UiState>,
    dir: Option<Res<DataDir>>,
    menu: Res<State<Menu>>,
    mut commands: Commands,
) {
    let _work = work.start();
    let Some((slot, frames)) = ui.pending_thumbnail.take() else {
        return;
    };
    if *menu.get() != Menu::None || frames > 0 {
        ui.pending_thumbnail = Some((slot, frames.saturating_sub(1)));
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

/// The size a save's picture is shown at, in points.
const THUMBNAIL: [u32; 2] = [96, 54];

/// Writes the seen lines, atomically, when they changed.
fn write_seen(dir: &DataDir, ui: &mut UiState) {
    if !ui.seen_dirty {
        return;
    }
    let mut lines: Vec<&String> = ui.seen.iter().collect();
    lines.sort();
    let text = ron::ser::to_string(&lines).unwrap_or_default();
    dir.disk
        .write(dir.seen(), "the lines you have seen", move || {
            Ok(text.into_bytes())
        });
    ui.seen_dirty = false;
}

/// Reads the lines seen in earlier playthroughs.
fn load_seen(dir: Option<Res<DataDir>>, mut ui: ResMut<UiState>) {
    let Some(dir) = dir else { return };
    if let Ok(text) = std::fs::read_to_string(dir.seen())
        && let Ok(lines) = ron::from_str::<Vec<String>>(&text)
    {
        ui.seen.extend(lines);
    }
}

/// Keeps the seen lines on disk when the game closes.
fn save_seen_on_exit(
    mut exits: MessageReader<AppExit>,
    dir: Option<Res<DataDir>>,
    mut ui: ResMut<UiState>,
) {
    if exits.read().next().is_some()
        && let Some(dir) = dir
    {
        write_seen(&dir, &mut ui);
        dir.disk.flush();
    }
}

/// Tells the player when a file could not be written (the disk thread reports it later).
fn report_disk(dir: Option<Res<DataDir>>, mut ui: ResMut<UiState>) {
    if let Some(dir) = dir
        && let Some(failure) = dir.disk.take_failures().pop()
    {
        ui.toast(failure);
    }
}

/// A save's time, as days and hours ago.
fn when(saved_at: u64) -> String {
    let now = std::time::SystemTime::now()
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

/// The settings window.
fn draw_settings(ctx: &egui::Context, settings: &mut Settings, next_menu: &mut NextState<Menu>) {
    let mut open = true;
    egui::Window::new(RichText::new("Settings").font(serif(28.0)))
        .open(&mut open)
        .collapsible(false)
        .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.set_width(420.0);
            let mut s = settings.clone();
            ui.add(
                egui::Slider::new(&mut s.text_speed, 0.0..=120.0).text("text speed (0: instant)"),
            );
            ui.add(egui::Slider::new(&mut s.text_size, 16.0..=34.0).text("text size"));
            ui.add(egui::Slider::new(&mut s.music_volume, 0.0..=1.0).text("music volume"));
            ui.add(egui::Slider::new(&mut s.effects_volume, 0.0..=1.0).text("city sound volume"));
            ui.checkbox(&mut s.auto_advance, "advance lines by themselves");
            ui.checkbox(&mut s.skip_seen, "skip lines already seen");
            ui.checkbox(&mut s.reduce_motion, "reduce motion");
            ui.checkbox(&mut s.fullscreen, "fullscreen");
            ui.horizontal(|ui| {
                ui.label("city detail (on restart)");
                for (q, name) in [(0, "low"), (1, "medium"), (2, "high")] {
                    ui.radio_value(&mut s.quality, q, name);
                }
            });
            if s != *settings {
                *settings = s;
            }
        });
    if !open {
        next_menu.set(Menu::None);
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

/// The interface's systems.
pub fn plugin(app: &mut App) {
    app.init_resource::<UiState>()
        .add_systems(
            Update,
            (
                (super::back_out, record_keys).run_if(not(egui_wants_any_keyboard_input)),
                tick_ui,
            )
                .chain()
                .in_set(GameSet::RecordInput),
        )
        .add_systems(Startup, load_seen)
        .add_systems(OnExit(Menu::Save), forget_slot_info)
        .add_systems(OnExit(Menu::Load), forget_slot_info)
        .add_systems(
            Update,
            (autosave, apply_window_settings, take_thumbnail).after(GameSet::AdvanceStory),
        )
        .add_systems(Last, save_seen_on_exit)
        .add_systems(Update, report_disk)
        .add_systems(EguiPrimaryContextPass, draw_ui);
}
