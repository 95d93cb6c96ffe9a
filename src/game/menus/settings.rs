//! The settings window: text speed and size, the two volumes, auto-advance, skipping seen lines,
//! reduced motion, fullscreen, city detail. It changes the `Settings` resource; the settings
//! plugin writes the file and applies them.

use bevy::prelude::*;
use bevy_egui::egui;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::settings::{Settings, TEXT_SIZE, TEXT_SPEED, VOLUME};
use crate::game::theme::{DrawSet, menu_window};
use crate::game::{Menu, WorkMeter};

/// Draws the settings.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    mut settings: ResMut<Settings>,
    mut menu: ResMut<NextState<Menu>>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?;
    let mut s = settings.clone();
    let width = (ctx.content_rect().width() * 0.85).min(420.0);
    let open = menu_window(ctx, "Settings", |ui| {
        ui.set_width(width);
        ui.add(egui::Slider::new(&mut s.text_speed, TEXT_SPEED).text("text speed (0: instant)"));
        ui.add(egui::Slider::new(&mut s.text_size, TEXT_SIZE).text("text size"));
        ui.add(egui::Slider::new(&mut s.music_volume, VOLUME).text("music volume"));
        ui.add(egui::Slider::new(&mut s.effects_volume, VOLUME).text("city sound volume"));
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
    });
    // Only a real change marks the settings changed (and queues the file).
    if s != *settings {
        *settings = s;
    }
    if !open {
        menu.set(Menu::None);
    }
    Ok(())
}

/// The settings window's drawing.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw.run_if(in_state(Menu::Settings).and_then(resource_exists::<Settings>))
            .in_set(DrawSet::Menu),
    );
}
