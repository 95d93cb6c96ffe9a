//! The title screen: the game's name over the city, and new game, continue (when there is a
//! save), load, settings, quit. Its buttons send messages; the saves plugin answers them.

use bevy::prelude::*;
use bevy_egui::egui::{self, Align2, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::saves::{Continue, NewGame, PlayerRecord, SlotList};
use crate::game::theme::{DrawSet, button, italic, palette, serif};
use crate::game::{Menu, Screen, WorkMeter};

/// Draws the title and its buttons.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    slots: Option<Res<SlotList>>,
    record: Option<Res<PlayerRecord>>,
    (mut new_game, mut continues): (MessageWriter<NewGame>, MessageWriter<Continue>),
    mut menu: ResMut<NextState<Menu>>,
    mut exit: MessageWriter<AppExit>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?;
    // Sized by the window's height, so small windows still show it whole.
    let h = ctx.content_rect().height();
    let big = (h * 0.16).clamp(40.0, 110.0);
    let word = (h * 0.05).clamp(15.0, 26.0);
    let row = (h * 0.085).clamp(28.0, 46.0);
    let can_continue = slots.is_some_and(|s| s.can_continue);
    egui::Area::new("title".into())
        .anchor(
            Align2::LEFT_CENTER,
            egui::vec2((h * 0.12).clamp(20.0, 90.0), 0.0),
        )
        .show(ctx, |ui| {
            ui.spacing_mut().item_spacing.y = (h * 0.018).clamp(4.0, 10.0);
            ui.label(RichText::new("Her").font(serif(big)).color(palette::CREAM));
            ui.label(
                RichText::new("a story in letters, and a voice")
                    .font(italic(word))
                    .color(palette::PEACH),
            );
            ui.add_space(row * 0.5);
            let size = [row * 5.4, row];
            if button(ui, "New game", size, serif(word)).clicked() {
                new_game.write(NewGame(None));
            }
            if can_continue && button(ui, "Continue", size, serif(word)).clicked() {
                continues.write(Continue);
            }
            if button(ui, "Load", size, serif(word)).clicked() {
                menu.set(Menu::Load);
            }
            // Chapter select and the gallery, once a playthrough has got somewhere.
            let played = record
                .as_ref()
                .is_some_and(|r| !r.0.playthroughs.is_empty());
            if played && button(ui, "Chapters", size, serif(word)).clicked() {
                menu.set(Menu::Chapters);
            }
            if button(ui, "Replays", size, serif(word)).clicked() {
                menu.set(Menu::Replays);
            }
            let ended = record.as_ref().is_some_and(|r| !r.0.endings.is_empty());
            if ended && button(ui, "Endings", size, serif(word)).clicked() {
                menu.set(Menu::Endings);
            }
            if button(ui, "Settings", size, serif(word)).clicked() {
                menu.set(Menu::Settings);
            }
            if button(ui, "Mods", size, serif(word)).clicked() {
                menu.set(Menu::Mods);
            }
            if button(ui, "Quit", size, serif(word)).clicked() {
                exit.write(AppExit::Success);
            }
        });
    Ok(())
}

/// The title's drawing.
pub fn plugin(app: &mut App) {
    app.add_systems(
        EguiPrimaryContextPass,
        draw.run_if(in_state(Screen::Title)).in_set(DrawSet::Screen),
    );
}
