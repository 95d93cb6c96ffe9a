//! The save and load screens: every slot with its chapter, time and picture. What the slots hold
//! is read by the saves plugin when the screen opens (`SlotList`); a click sends `SaveTo` or
//! `LoadFrom`.

use std::collections::HashMap;
use std::time::SystemTime;

use bevy::prelude::*;
use bevy_egui::egui::{self, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::saves::{LoadFrom, SaveTo, Slot, SlotList};
use crate::game::theme::{DrawSet, menu_window, serif};
use crate::game::{Menu, WorkMeter};

/// The slots' pictures as egui textures, made once per picture.
#[derive(Resource, Default)]
struct Pictures(HashMap<Slot, (SystemTime, egui::TextureHandle)>);

/// Draws the save or the load screen.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    menu: Res<State<Menu>>,
    mut next_menu: ResMut<NextState<Menu>>,
    list: Res<SlotList>,
    mut pictures: ResMut<Pictures>,
    (mut saves, mut loads): (MessageWriter<SaveTo>, MessageWriter<LoadFrom>),
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?.clone();
    let saving = *menu.get() == Menu::Save;
    // Sized by the window, so a small window still shows whole rows.
    let screen = ctx.content_rect();
    let row = (screen.height() * 0.14).clamp(30.0, 54.0);
    let word = (screen.height() * 0.06).clamp(13.0, 19.0);
    let shown = [row * 16.0 / 9.0, row];
    let width = (screen.width() * 0.85).clamp(280.0, 500.0);
    let open = menu_window(&ctx, if saving { "Save" } else { "Load" }, |ui| {
        ui.set_width(width);
        egui::ScrollArea::vertical()
            .max_height(ctx.content_rect().height() * 0.75)
            .show(ui, |ui| {
                for info in &list.slots {
                    // Autosaves are written by the game, not into by the player.
                    if saving && matches!(info.slot, Slot::Auto(_)) {
                        continue;
                    }
                    ui.horizontal(|ui| {
                        match picture(&ctx, info, &mut pictures) {
                            Some(tex) => {
                                ui.add(egui::Image::new(egui::load::SizedTexture::new(
                                    tex.id(),
                                    shown,
                                )));
                            }
                            None => ui.add_space(shown[0] + 8.0),
                        }
                        let label = format!("{}  —  {}", info.slot.label(), info.summary);
                        let clicked = ui
                            .add_sized(
                                [width - shown[0] - 20.0, row],
                                egui::Button::new(RichText::new(label).font(serif(word))).wrap(),
                            )
                            .clicked();
                        if clicked && saving {
                            saves.write(SaveTo(info.slot));
                        } else if clicked {
                            loads.write(LoadFrom(info.slot));
                        }
                    });
                }
            });
    });
    if !open {
        next_menu.set(Menu::None);
    }
    Ok(())
}

/// A slot's picture as a texture, made once per picture.
fn picture(
    ctx: &egui::Context,
    info: &crate::game::saves::SlotInfo,
    pictures: &mut Pictures,
) -> Option<egui::TextureHandle> {
    let picture = info.picture.as_ref()?;
    if let Some((when, tex)) = pictures.0.get(&info.slot)
        && *when == picture.modified
    {
        return Some(tex.clone());
    }
    let color = egui::ColorImage::from_rgb(picture.size, &picture.rgb);
    let tex = ctx.load_texture(
        format!("picture-{}", info.slot.label()),
        color,
        egui::TextureOptions::LINEAR,
    );
    pictures
        .0
        .insert(info.slot, (picture.modified, tex.clone()));
    Some(tex)
}

/// The slots' drawing.
pub fn plugin(app: &mut App) {
    app.init_resource::<Pictures>().add_systems(
        EguiPrimaryContextPass,
        draw.run_if(in_state(Menu::Save).or_else(in_state(Menu::Load)))
            .in_set(DrawSet::Menu),
    );
}
