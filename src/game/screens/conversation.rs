//! The conversation: her lines and his, the choices, chapter cards and held silences, drawn over
//! the city; and what moves it on. The typewriter, timed pauses, auto-advance and skipping seen
//! lines tick only while the story is live (`StoryLive`), so under the pause menu or the backlog
//! nothing moves, however long the player stays there. Actions (keys, clicks) become the story's
//! input here; the drawing only draws and sends actions.

use bevy::prelude::*;
use bevy_egui::egui::{self, Align2, Color32, FontId, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::input::{Action, InputSet};
use crate::game::replay::{ChapterStats, Summary};
use crate::game::runner::{PlayerInput, Showing, StoryRunner};
use crate::game::saves::{LoadFrom, PlayerRecord, SaveTo, SeenLines, Slot};
use crate::game::settings::Settings;
use crate::game::theme::{self, DrawSet, italic, palette, paper_frame, serif, veil};
use crate::game::{Menu, Play, Screen, StoryLive, WorkMeter, story_live};

/// Where the conversation is in what the story shows now.
#[derive(Resource, Debug, Default)]
pub struct Conversation {
    /// Characters of the current line shown so far.
    pub typed: f32,
    /// Seconds the current moment has been on screen while the story was live.
    pub shown_for: f32,
    /// The runner's moment this is about (see `StoryRunner::moment`): a new moment starts the
    /// typewriter and the clock again, even when it looks like the last one.
    pub moment: Option<u64>,
    /// The current line's length in characters (0 when not a line).
    line_len: usize,
}

impl Conversation {
    /// Whether the current line is fully typed.
    pub fn line_complete(&self) -> bool {
        self.typed as usize >= self.line_len
    }

    /// Shows the whole line at once.
    pub fn complete_line(&mut self) {
        self.typed = f32::MAX;
    }
}

/// A click, Space or Enter: finish typing the line, or go on.
fn advance_or_complete(
    showing: &Showing,
    conversation: &mut Conversation,
    input: &mut MessageWriter<PlayerInput>,
) {
    if matches!(showing, Showing::Line { .. }) && !conversation.line_complete() {
        conversation.complete_line();
    } else if !showing.is_choice() && !matches!(showing, Showing::Ending { .. }) {
        input.write(PlayerInput::Advance);
    }
}

/// Play's mode (absent at the title), the menu open, and the menu to open.
type MenuStates<'w> = (
    Option<Res<'w, State<Play>>>,
    Res<'w, State<Menu>>,
    ResMut<'w, NextState<Menu>>,
);

/// The player's actions in play: going on and choosing (only while the story is live), the
/// backlog, quicksave and quickload.
#[expect(
    clippy::too_many_arguments,
    reason = "actions reach the story, menus and saves"
)]
fn answer_actions(
    work: Res<WorkMeter>,
    mut actions: MessageReader<Action>,
    live: StoryLive,
    runner: Option<Res<StoryRunner>>,
    mut conversation: ResMut<Conversation>,
    (play, menu, mut next_menu): MenuStates,
    mut input: MessageWriter<PlayerInput>,
    (mut saves, mut loads): (MessageWriter<SaveTo>, MessageWriter<LoadFrom>),
) {
    let _work = work.start();
    let live = live.is_live();
    let in_play = play.is_some_and(|p| *p.get() == Play::Running)
        && matches!(menu.get(), Menu::None | Menu::Backlog | Menu::Flowchart);
    for action in actions.read() {
        match *action {
            Action::Advance if live => {
                if let Some(runner) = &runner {
                    advance_or_complete(&runner.showing, &mut conversation, &mut input);
                }
            }
            Action::Choose(i) if live => {
                if let Some(runner) = &runner
                    && runner.showing.is_choice()
                    && i < runner.showing.options()
                {
                    input.write(PlayerInput::Choose(i));
                }
            }
            Action::Backlog if in_play => next_menu.set(match menu.get() {
                Menu::Backlog => Menu::None,
                _ => Menu::Backlog,
            }),
            Action::Quicksave if in_play => {
                saves.write(SaveTo(Slot::Quick));
            }
            Action::Quickload if in_play => {
                loads.write(LoadFrom(Slot::Quick));
            }
            Action::SkipToChoice if live => {
                input.write(PlayerInput::SkipToChoice);
            }
            Action::Flowchart if in_play => next_menu.set(match menu.get() {
                Menu::Flowchart => Menu::None,
                _ => Menu::Flowchart,
            }),
            _ => {}
        }
    }
}

/// Advances the typewriter, timed pauses, auto-advance and skipping; notices new moments and
/// the lines seen. Runs only while the story is live.
fn tick(
    work: Res<WorkMeter>,
    time: Res<Time>,
    settings: Option<Res<Settings>>,
    runner: Option<Res<StoryRunner>>,
    mut conversation: ResMut<Conversation>,
    mut seen: ResMut<SeenLines>,
    mut input: MessageWriter<PlayerInput>,
) {
    let _work = work.start();
    let Some(runner) = runner else { return };
    let defaults = Settings::default();
    let settings = settings.as_deref().unwrap_or(&defaults);
    let dt = time.delta_secs();
    if conversation.moment != Some(runner.moment) {
        conversation.moment = Some(runner.moment);
        conversation.typed = 0.0;
        conversation.shown_for = 0.0;
        conversation.line_len = 0;
        if let Showing::Line { id, text, .. } = &runner.showing {
            conversation.line_len = text.chars().count();
            if seen.see(id) && settings.skip_seen {
                input.write(PlayerInput::Advance);
                return;
            }
        }
    }
    conversation.shown_for += dt;
    if settings.text_speed <= 0.0 {
        conversation.complete_line();
    } else {
        conversation.typed += dt * settings.text_speed;
    }
    match &runner.showing {
        Showing::Pause(secs) if conversation.shown_for >= *secs => {
            input.write(PlayerInput::Advance);
        }
        Showing::Line { text, .. } if settings.auto_advance && conversation.line_complete() => {
            let len = text.chars().count() as f32;
            let reading = 1.2 + len * 0.045;
            // The time the typewriter took, then time to read it (instant text: no typing).
            let typing = if settings.text_speed > 0.0 {
                len / settings.text_speed
            } else {
                0.0
            };
            if conversation.shown_for >= reading + typing {
                input.write(PlayerInput::Advance);
            }
        }
        _ => {}
    }
}

/// Draws the conversation (not letters or the ending: they have rooms of their own) and the
/// corner buttons.
#[expect(
    clippy::too_many_arguments,
    reason = "the conversation shows the story and the menus' doors"
)]
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    runner: Option<Res<StoryRunner>>,
    conversation: Res<Conversation>,
    settings: Option<Res<Settings>>,
    time: Res<Time>,
    (mut actions, record, summary): (
        MessageWriter<Action>,
        Option<Res<PlayerRecord>>,
        Option<Res<Summary>>,
    ),
    mut play: ResMut<NextState<Play>>,
) -> Result {
    let _work = work.start();
    let Some(runner) = runner else { return Ok(()) };
    // Choices taken in an earlier playthrough are marked, as the best visual novels do.
    let taken: Vec<bool> = runner
        .choice_keys
        .iter()
        .map(|k| record.as_ref().is_some_and(|r| r.0.choices.contains(k)))
        .collect();
    let ctx = contexts.ctx_mut()?;
    let defaults = Settings::default();
    let settings = settings.as_deref().unwrap_or(&defaults);
    let size = theme::story_text_size(ctx, settings.text_size);
    let motion = !settings.reduce_motion;
    let t = time.elapsed_secs();
    let screen = ctx.content_rect();
    let width = (screen.width() * 0.72).clamp(320.0, 980.0);
    match &runner.showing {
        Showing::Letter { .. } | Showing::LetterShown { .. } => return Ok(()),
        Showing::Ending { .. } => {}
        Showing::ChapterCard {
            number,
            title,
            date,
        } => {
            veil(ctx, 0.75);
            let size = size * theme::card_fit(ctx);
            theme::centred_card(ctx, "card").show(ctx, |ui| {
                ui.vertical_centered(|ui| {
                    theme::card_heading(ui, &format!("Chapter {number}"), size * 1.2, title, size);
                    if !date.is_empty() {
                        ui.label(
                            RichText::new(date.as_str())
                                .font(italic(size * 1.05))
                                .color(palette::PEACH),
                        );
                    }
                    // The chapter just ended: its choices, how the relationship moved,
                    // what she keeps.
                    if let Some(summary) = summary.as_deref()
                        && *number > 1
                    {
                        chapter_summary(ui, summary, size, screen.width());
                    }
                    ui.add_space(size * 0.9);
                    ui.horizontal(|ui| {
                        if ui
                            .button(RichText::new("Begin").font(serif(size)))
                            .clicked()
                        {
                            actions.write(Action::Advance);
                        }
                        if ui
                            .button(RichText::new("Flowchart").font(serif(size * 0.8)))
                            .clicked()
                        {
                            actions.write(Action::Flowchart);
                        }
                    });
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
                                        presence(ui, t, motion, conversation.line_complete());
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
                                typewriter(ui, text, font, conversation.typed as usize);
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
                                option_buttons(ui, choices, &taken, size * 0.95, &mut actions);
                            }
                            _ => {}
                        }
                    });
                    if !showing.is_choice()
                        && response.response.interact(egui::Sense::click()).clicked()
                    {
                        actions.write(Action::Advance);
                    }
                });
        }
    }
    corner(ctx, &mut actions, &mut play);
    Ok(())
}

/// The end-of-chapter summary on a chapter card: the chapter just ended (its choices and the
/// roads not taken), the relationship axes chapter by chapter so far, the memories she keeps.
fn chapter_summary(ui: &mut egui::Ui, summary: &Summary, size: f32, width: f32) {
    let ended: Vec<&(String, ChapterStats)> =
        summary.chapters.iter().filter(|(_, s)| s.ended).collect();
    let Some((title, last)) = ended.last() else {
        return;
    };
    ui.add_space(size * 0.6);
    let roads = match last.others {
        0 => String::new(),
        1 => "; one other road".to_owned(),
        n => format!("; {n} other roads"),
    };
    ui.label(
        RichText::new(format!(
            "{title}: {} {}{roads}",
            last.choices,
            if last.choices == 1 {
                "choice"
            } else {
                "choices"
            }
        ))
        .font(italic(size * 0.8))
        .color(palette::PEACH),
    );
    let values: Vec<Vec<i64>> = ended.iter().map(|(_, s)| s.axes.clone()).collect();
    theme::axis_plot(
        ui,
        (&summary.axes, &summary.start),
        &values,
        egui::vec2((width * 0.4).clamp(200.0, 420.0), size * 4.5),
        (serif(size * 0.65), &theme::AXES_ON_VEIL),
    );
    if !last.memories.is_empty() {
        let kept: Vec<&str> = last.memories.iter().map(String::as_str).take(4).collect();
        ui.label(
            RichText::new(format!("She keeps: {}", kept.join(" · ")))
                .font(italic(size * 0.7))
                .color(palette::CREAM),
        );
    }
}

/// The small buttons in the corner: backlog, quicksave, menu.
fn corner(ctx: &egui::Context, actions: &mut MessageWriter<Action>, play: &mut NextState<Play>) {
    egui::Area::new("corner".into())
        .anchor(Align2::RIGHT_TOP, egui::vec2(-16.0, 16.0))
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                let small = |ui: &mut egui::Ui, s: &str| {
                    ui.button(RichText::new(s).font(serif(16.0))).clicked()
                };
                if small(ui, "Backlog") {
                    actions.write(Action::Backlog);
                }
                if small(ui, "Quicksave") {
                    actions.write(Action::Quicksave);
                }
                if small(ui, "Skip to choice") {
                    actions.write(Action::SkipToChoice);
                }
                if small(ui, "Flowchart") {
                    actions.write(Action::Flowchart);
                }
                if small(ui, "Menu") {
                    play.set(Play::Paused);
                }
            });
        });
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

/// Numbered, full-width buttons for choices or letter fragments; a click chooses. An option
/// `taken` in an earlier playthrough is drawn in the softer ink (a colour, so no new glyphs).
pub fn option_buttons(
    ui: &mut egui::Ui,
    options: &[String],
    taken: &[bool],
    size: f32,
    actions: &mut MessageWriter<Action>,
) {
    for (i, text) in options.iter().enumerate() {
        let mut label = RichText::new(format!("{}.  {text}", i + 1)).font(serif(size));
        if taken.get(i).copied().unwrap_or(false) {
            label = label.color(palette::SOFT_INK);
        }
        let b = egui::Button::new(label).wrap();
        if ui.add_sized([ui.available_width(), 0.0], b).clicked() {
            actions.write(Action::Choose(i));
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

/// The conversation: its actions, its clock, its drawing.
pub fn plugin(app: &mut App) {
    app.init_resource::<Conversation>()
        .add_systems(
            Update,
            (
                answer_actions
                    .run_if(in_state(Screen::Playing))
                    .in_set(InputSet::Answer),
                tick.run_if(story_live).in_set(InputSet::Tick),
            ),
        )
        .add_systems(
            EguiPrimaryContextPass,
            draw.run_if(in_state(Screen::Playing))
                .in_set(DrawSet::Screen),
        );
}
