//! The ending: its title and summary over the darkened city, and the credits.

use bevy::prelude::*;
use bevy_egui::egui::{self, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::runner::{Showing, StoryRunner};
use crate::game::settings::Settings;
use crate::game::theme::{self, DrawSet, italic, palette, serif, veil};
use crate::game::{Screen, WorkMeter};

/// Draws the ending reached.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    runner: Option<Res<StoryRunner>>,
    settings: Option<Res<Settings>>,
) -> Result {
    let _work = work.start();
    let Some(runner) = runner else { return Ok(()) };
    let Showing::Ending { title, summary } = &runner.showing else {
        return Ok(());
    };
    let ctx = contexts.ctx_mut()?;
    let setting = settings.map_or(Settings::default().text_size, |s| s.text_size);
    let size = theme::story_text_size(ctx, setting);
    let width = (ctx.content_rect().width() * 0.72).clamp(320.0, 980.0);
    veil(ctx, 0.8);
    let credit = |ui: &mut egui::Ui, text: &str| {
        ui.label(
            RichText::new(text)
                .font(serif(size * 0.7))
                .color(palette::PEACH),
        );
    };
    theme::centred_card(ctx, "ending").show(ctx, |ui| {
        ui.set_max_width(width);
        ui.vertical_centered(|ui| {
            theme::card_heading(ui, "Ending", size * 1.1, title, size);
            ui.add_space(8.0);
            ui.label(
                RichText::new(summary)
                    .font(italic(size))
                    .color(palette::PEACH),
            );
            ui.add_space(30.0);
            credit(
                ui,
                "Written and made by the Her studio. Type: EB Garamond, by Georg Duffner.",
            );
            credit(
                ui,
                "Inspired by Spike Jonze's film. Every word here is our own.",
            );
            ui.add_space(12.0);
            ui.label(
                RichText::new(
                    "Open the backlog (L) to go back to any choice, or Escape for the menu.",
                )
                .font(italic(size * 0.7))
                .color(palette::CREAM),
            );
        });
    });
    Ok(())
}

/// The ending's drawing.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw.run_if(in_state(Screen::Playing))
            .in_set(DrawSet::Screen),
    );
}
