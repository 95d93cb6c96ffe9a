//! Letters: Theodore composing one, a paragraph at a time from the fragments offered, and a
//! finished letter shown on its sheet of paper. The letter has the page to itself.

use bevy::prelude::*;
use bevy_egui::egui::{self, Align2, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use super::conversation::option_buttons;
use crate::game::input::Action;
use crate::game::runner::{Showing, StoryRunner};
use crate::game::settings::Settings;
use crate::game::theme::{self, DrawSet, italic, letter_paper, palette, serif};
use crate::game::{Screen, WorkMeter};

/// Draws the letter being written, or the letter finished.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    runner: Option<Res<StoryRunner>>,
    settings: Option<Res<Settings>>,
    mut actions: MessageWriter<Action>,
) -> Result {
    let _work = work.start();
    let Some(runner) = runner else { return Ok(()) };
    if !matches!(
        runner.showing,
        Showing::Letter { .. } | Showing::LetterShown { .. }
    ) {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    let setting = settings.map_or(Settings::default().text_size, |s| s.text_size);
    let size = theme::story_text_size(ctx, setting);
    let screen = ctx.content_rect();
    let width = (screen.width() * 0.72).clamp(320.0, 980.0).min(720.0);
    match &runner.showing {
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
                        ui.set_width(width);
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
                                option_buttons(ui, fragments, &[], size * 0.9, &mut actions);
                            });
                    });
                });
        }
        Showing::LetterShown { to, text } => {
            egui::Area::new("letter_shown".into())
                .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
                .show(ctx, |ui| {
                    letter_paper(screen).show(ui, |ui| {
                        ui.set_width(width);
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
                            actions.write(Action::Advance);
                        }
                    });
                });
        }
        _ => {}
    }
    Ok(())
}

/// The letter's drawing.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw.run_if(in_state(Screen::Playing))
            .in_set(DrawSet::Screen),
    );
}
