//! Her growth, from the first night on: the relationship axes the story declares, chapter by
//! chapter, and for each chapter the choices made and the memories she kept by its end. Opened
//! from the pause menu; the data is the playthrough's summary (`replay::Summary`).

use bevy::prelude::*;
use bevy_egui::egui::{self, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::replay::Summary;
use crate::game::theme::{self, DrawSet, italic, palette, serif};
use crate::game::{Menu, WorkMeter};

/// Draws the timeline.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    summary: Res<Summary>,
    mut menu: ResMut<NextState<Menu>>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?.clone();
    let screen = ctx.content_rect();
    let word = (screen.height() * 0.045).clamp(12.0, 19.0);
    let mut open = true;
    // Above the conversation's box, which stays on screen under the menus.
    egui::Window::new(RichText::new("Timeline").font(serif(word * 1.4)))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .order(egui::Order::Foreground)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(&ctx, |ui| {
            let width = (screen.width() * 0.75).clamp(280.0, 640.0);
            ui.set_width(width);
            let values: Vec<Vec<i64>> = summary
                .chapters
                .iter()
                .map(|(_, s)| s.axes.clone())
                .collect();
            theme::axis_plot(
                ui,
                (&summary.axes, &summary.start),
                &values,
                egui::vec2(width, (screen.height() * 0.25).clamp(60.0, 200.0)),
                (serif(word * 0.75), &theme::AXES_ON_PAPER),
            );
            ui.separator();
            egui::ScrollArea::vertical()
                .max_height(screen.height() * 0.4)
                .show(ui, |ui| {
                    for (i, (title, s)) in summary.chapters.iter().enumerate() {
                        let state = if s.ended { "" } else { " (now)" };
                        ui.label(
                            RichText::new(format!("{}. {title}{state}", i + 1)).font(serif(word)),
                        );
                        ui.label(
                            RichText::new(format!(
                                "{} choices, {} other roads",
                                s.choices, s.others
                            ))
                            .font(italic(word * 0.85))
                            .color(palette::SOFT_INK),
                        );
                        if !s.memories.is_empty() {
                            ui.label(
                                RichText::new(format!("She keeps: {}", s.memories.join(" · ")))
                                    .font(italic(word * 0.85)),
                            );
                        }
                        ui.add_space(4.0);
                    }
                });
        });
    if !open {
        menu.set(Menu::None);
    }
    Ok(())
}

/// The timeline's drawing.
pub fn plugin(app: &mut App) {
    app.init_resource::<Summary>().add_systems(
        EguiPrimaryContextPass,
        draw.run_if(in_state(Menu::Timeline)).in_set(DrawSet::Menu),
    );
}
