//! The pause menu: resume, save, load, the flowchart, settings, back to the title, quit. While it is open the
//! story stands still (see `StoryLive`).

use bevy::prelude::*;
use bevy_egui::egui::{self, Align2, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::saves::ToTitle;
use crate::game::theme::{DrawSet, button, serif};
use crate::game::{Menu, Play, WorkMeter};

/// The pause menu's doors, in order.
const DOORS: [&str; 8] = [
    "Resume",
    "Save",
    "Load",
    "Flowchart",
    "Timeline",
    "Settings",
    "Back to the title",
    "Quit",
];

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
    let two = h < 420.0;
    // In two columns, each fits half the window.
    let room = if two {
        (ctx.content_rect().width() - 70.0) / 2.0
    } else {
        f32::MAX
    };
    let width = (h * 0.9).clamp(160.0, 240.0).min(room).max(90.0);
    egui::Window::new(RichText::new("Paused").font(serif((h * 0.08).clamp(18.0, 30.0))))
        .collapsible(false)
        .resizable(false)
        .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, |ui| {
            // Eight doors: in one column when there is room, in two in a small window.
            ui.set_width(if two {
                2.0 * width + 30.0
            } else {
                width + 20.0
            });
            ui.spacing_mut().item_spacing.y = (h * 0.02).clamp(4.0, 10.0);
            let b = |ui: &mut egui::Ui, s: &str| button(ui, s, [width, row], serif(word));
            let mut door = |ui: &mut egui::Ui, k: usize| {
                let name = DOORS[k];
                if !b(ui, name).clicked() {
                    return;
                }
                match k {
                    0 => play.set(Play::Running),
                    1 => menu.set(Menu::Save),
                    2 => menu.set(Menu::Load),
                    3 => menu.set(Menu::Flowchart),
                    4 => menu.set(Menu::Timeline),
                    5 => menu.set(Menu::Settings),
                    6 => {
                        to_title.write(ToTitle);
                    }
                    _ => {
                        exit.write(AppExit::Success);
                    }
                }
            };
            if two {
                ui.columns(2, |cols| {
                    for k in 0..DOORS.len() {
                        door(&mut cols[k % 2], k);
                    }
                });
            } else {
                for k in 0..DOORS.len() {
                    door(ui, k);
                }
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
