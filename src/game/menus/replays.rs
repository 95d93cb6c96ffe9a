//! The replays screen: every replay file in the data folder's `replays/` (saved from the
//! flowchart, or shared by another player and put there), each with its decisions; any
//! decision can be jumped into. A file that cannot be read is listed with its problem.

use bevy::prelude::*;
use bevy_egui::egui::{self, RichText};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::replay_files::{OpenReplay, ReplayList};
use crate::game::theme::{DrawSet, italic, menu_window, palette, serif};
use crate::game::{Menu, WorkMeter};

/// Which file's decisions are open.
#[derive(Resource, Default)]
struct Picked(Option<usize>);

/// Draws the replays screen.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    list: Res<ReplayList>,
    mut picked: ResMut<Picked>,
    mut menu: ResMut<NextState<Menu>>,
    mut opens: MessageWriter<OpenReplay>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?.clone();
    let h = ctx.content_rect().height();
    let word = (h * 0.045).clamp(12.0, 19.0);
    let open = menu_window(&ctx, "Replays", |ui| {
        ui.set_width((ctx.content_rect().width() * 0.75).clamp(260.0, 600.0));
        if list.files.is_empty() {
            ui.label(
                RichText::new(format!(
                    "No replays yet. Save one from the flowchart, or put a shared one in {}.",
                    list.folder.display()
                ))
                .font(italic(word)),
            );
        }
        egui::ScrollArea::vertical()
            .max_height(h * 0.7)
            .show(ui, |ui| {
                for (i, f) in list.files.iter().enumerate() {
                    match &f.doc {
                        Err(problem) => {
                            ui.label(
                                RichText::new(format!("{}: {problem}", f.name))
                                    .font(italic(word * 0.85))
                                    .color(palette::SOFT_INK),
                            );
                        }
                        Ok(doc) => {
                            let label = format!("{} ({} decisions)", f.name, doc.decisions.len());
                            if ui
                                .selectable_label(
                                    picked.0 == Some(i),
                                    RichText::new(label).font(serif(word)),
                                )
                                .clicked()
                            {
                                picked.0 = Some(i);
                            }
                            if picked.0 == Some(i) {
                                for (k, d) in f.decisions().iter().enumerate() {
                                    ui.horizontal(|ui| {
                                        ui.label(
                                            RichText::new(format!("{}. {d}", k + 1))
                                                .font(italic(word * 0.8)),
                                        );
                                        if ui
                                            .small_button(
                                                RichText::new("Jump in").font(serif(word * 0.8)),
                                            )
                                            .clicked()
                                        {
                                            opens.write(OpenReplay {
                                                file: i,
                                                decision: k,
                                            });
                                        }
                                    });
                                }
                            }
                        }
                    }
                }
            });
    });
    if !open {
        menu.set(Menu::None);
    }
    Ok(())
}

/// The replays screen's drawing.
pub fn plugin(app: &mut App) {
    app.init_resource::<Picked>()
        .init_resource::<ReplayList>()
        .add_systems(
            EguiPrimaryContextPass,
            draw.run_if(in_state(Menu::Replays)).in_set(DrawSet::Menu),
        );
}
