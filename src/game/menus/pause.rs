//! The pause menu: resume, save, load, the flowchart, settings, back to the title, quit. While it is open the
//! story stands still (see `StoryLive`).

use bevy::prelude::*;
use bevy_egui::egui::{self, Align2, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::saves::ToTitle;
use crate::game::theme::{DrawSet, button, serif};
use crate::game::{Menu, Play, WorkMeter};

/// Draws the pause menu.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    mut play: ResMut<NextState<Play>>,
    mut menu: ResMut<NextState<Menu>>,
    mut to_title: MessageWriter<ToTitle>,
    mut exit: MessageWriter<AppExit>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?;
    // Sized by the window's height, so a small window still shows every button.
    let h = ctx.content_rect().height();
    let row = (h * 0.1).clamp(24.0, 40.0);
    let word = (h * 0.065).clamp(15.0, 22.0);
    let width = (h * 0.9).clamp(160.0, 240.0);
    egui::Window::new(RichText::new("Paused").font(serif((h * 0.08).clamp(18.0, 30.0))))
        .collapsible(false)
        .resizable(false)
        .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            ui.set_width(width + 20.0);
            ui.spacing_mut().item_spacing.y = (h * 0.02).clamp(4.0, 10.0);
            let b = |ui: &mut egui::Ui, s: &str| button(ui, s, [width, row], serif(word));
            if b(ui, "Resume").clicked() {
                play.set(Play::Running);
            }
            if b(ui, "Save").clicked() {
                menu.set(Menu::Save);
            }
            if b(ui, "Load").clicked() {
                menu.set(Menu::Load);
            }
            if b(ui, "Flowchart").clicked() {
                menu.set(Menu::Flowchart);
            }
            if b(ui, "Timeline").clicked() {
                menu.set(Menu::Timeline);
            }
            if b(ui, "Settings").clicked() {
                menu.set(Menu::Settings);
            }
            if b(ui, "Back to the title").clicked() {
                to_title.write(ToTitle);
            }
            if b(ui, "Quit").clicked() {
                exit.write(AppExit::Success);
            }
        });
    Ok(())
}

/// The pause menu's drawing, while paused with no other menu over it.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw.run_if(in_state(Play::Paused).and_then(in_state(Menu::None)))
            .in_set(DrawSet::Menu),
    );
}
