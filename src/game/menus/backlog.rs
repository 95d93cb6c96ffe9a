//! The backlog: everything said so far, with a way back to each choice ("Return here"). While it
//! is open the story stands still.

use bevy::prelude::*;
use bevy_egui::egui::{self, Align2, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::runner::StoryRunner;
use crate::game::saves::ReturnTo;
use crate::game::theme::{DrawSet, italic, palette, serif};
use crate::game::{Menu, WorkMeter};

/// Draws the backlog.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    runner: Option<Res<StoryRunner>>,
    mut menu: ResMut<NextState<Menu>>,
    mut returns: MessageWriter<ReturnTo>,
) -> Result {
    let _work = work.start();
    let Some(runner) = runner else { return Ok(()) };
    let ctx = contexts.ctx_mut()?;
    let mut open = true;
    let screen = ctx.content_rect();
    egui::Window::new(RichText::new("What was said").font(serif(24.0)))
        .open(&mut open)
        .default_size([
            (screen.width() - 48.0).min(560.0),
            (screen.height() - 48.0).min(460.0),
        ])
        .max_height(screen.height() - 48.0)
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
                                    returns.write(ReturnTo(k));
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
        menu.set(Menu::None);
    }
    Ok(())
}

/// The backlog's drawing.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw.run_if(in_state(Menu::Backlog)).in_set(DrawSet::Menu),
    );
}
