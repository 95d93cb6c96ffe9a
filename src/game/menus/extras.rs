//! Chapter select and the endings gallery, opened from the title once there is something in
//! them. Chapter select lists every chapter; one that a past playthrough reached can be started
//! from that playthrough's arrival (the player picks which), so what she remembers stays true.
//! The gallery shows each ending reached with its title, summary, the date it was first reached
//! and how often; the others as locked entries with no words.

use bevy::prelude::*;
use bevy_egui::egui::{self, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::replay::{Extras, StartChapter};
use crate::game::theme::{DrawSet, italic, menu_window, palette, serif};
use crate::game::{Menu, WorkMeter};

/// Draws chapter select.
fn chapters(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    extras: Res<Extras>,
    mut menu: ResMut<NextState<Menu>>,
    mut starts: MessageWriter<StartChapter>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?.clone();
    let h = ctx.content_rect().height();
    let word = (h * 0.045).clamp(12.0, 19.0);
    let open = menu_window(&ctx, "Chapters", |ui| {
        ui.set_width((ctx.content_rect().width() * 0.7).clamp(260.0, 560.0));
        egui::ScrollArea::vertical()
            .max_height(h * 0.7)
            .show(ui, |ui| {
                for (i, c) in extras.chapters.iter().enumerate() {
                    if c.arrivals.is_empty() {
                        ui.label(
                            RichText::new(format!("{}. ?", c.number))
                                .font(serif(word))
                                .color(palette::SOFT_INK),
                        );
                        continue;
                    }
                    ui.horizontal_wrapped(|ui| {
                        ui.label(
                            RichText::new(format!("{}. {}", c.number, c.title)).font(serif(word)),
                        );
                        if !c.date.is_empty() {
                            ui.label(
                                RichText::new(&c.date)
                                    .font(italic(word * 0.85))
                                    .color(palette::SOFT_INK),
                            );
                        }
                    });
                    ui.horizontal_wrapped(|ui| {
                        for &(p, before) in &c.arrivals {
                            let label =
                                format!("from playthrough {} ({before} choices made)", p + 1);
                            if ui
                                .button(RichText::new(label).font(italic(word * 0.85)))
                                .clicked()
                            {
                                starts.write(StartChapter {
                                    playthrough: p,
                                    chapter: i,
                                });
                            }
                        }
                    });
                    ui.add_space(4.0);
                }
            });
    });
    if !open {
        menu.set(Menu::None);
    }
    Ok(())
}

/// Draws the endings gallery.
fn endings(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    extras: Res<Extras>,
    mut menu: ResMut<NextState<Menu>>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?.clone();
    let h = ctx.content_rect().height();
    let word = (h * 0.045).clamp(12.0, 19.0);
    let reached = extras.endings.iter().filter(|e| e.seen.is_some()).count();
    let title = format!("Endings ({reached} of {})", extras.endings.len());
    let open = menu_window(&ctx, &title, |ui| {
        ui.set_width((ctx.content_rect().width() * 0.7).clamp(260.0, 560.0));
        egui::ScrollArea::vertical()
            .max_height(h * 0.7)
            .show(ui, |ui| {
                for e in &extras.endings {
                    match &e.seen {
                        Some((title, summary, first, times)) => {
                            ui.label(RichText::new(title).font(serif(word * 1.1)));
                            ui.label(RichText::new(summary).font(italic(word)));
                            let often = if *times == 1 {
                                "once".to_owned()
                            } else {
                                format!("{times} times")
                            };
                            ui.label(
                                RichText::new(format!("First reached {first}; reached {often}."))
                                    .font(serif(word * 0.8))
                                    .color(palette::SOFT_INK),
                            );
                        }
                        None => {
                            ui.label(
                                RichText::new("? Not yet reached.")
                                    .font(italic(word))
                                    .color(palette::SOFT_INK),
                            );
                        }
                    }
                    ui.separator();
                }
            });
    });
    if !open {
        menu.set(Menu::None);
    }
    Ok(())
}

/// Chapter select's and the gallery's drawing.
pub fn plugin(app: &mut App) {
    app.init_resource::<Extras>().add_systems(
        EguiPrimaryContextPass,
        (
            chapters.run_if(in_state(Menu::Chapters)),
            endings.run_if(in_state(Menu::Endings)),
        )
            .in_set(DrawSet::Menu),
    );
}
