//! The flowchart: a chapter's nodes as a layered chart, built from the dialogue data
//! (computed off the frame once per story, `replay::Chart`), coloured by the player's record:
//! nodes seen in any playthrough open with their first line, the path of this playthrough drawn
//! in coral, the current node lit, and what was never seen drawn as locked shapes with no text.
//! Above it, the chapters (how much of each has been seen). A visited decision lists every visit
//! across playthroughs; any of them can be jumped back to, with the exact state of that visit
//! (after an autosave and a confirmation). After an ending, a locked node or choice shows its
//! writer's hint, if it has one.
//!
//! Pan by dragging, zoom with the wheel (egui's `Scene`); arrow keys move the focus between
//! open nodes, Enter opens one, Page Up and Page Down change the chapter, Escape closes.

use bevy::prelude::*;
use bevy_egui::egui::{self, Color32, Pos2, Rect, RichText, Stroke, Vec2};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use crate::game::replay::{
    BOX_H, BOX_W, BoxKind, ChapterChart, Chart, ChartBox, ChartNotes, JumpBack,
};
use crate::game::replay_files::SaveReplay;
use crate::game::theme::{DrawSet, italic, palette, serif};
use crate::game::{Menu, WorkMeter};

/// The fill of a locked (never seen) box: a dark, warm shape with no words.
pub const LOCKED: Color32 = Color32::from_rgb(92, 52, 46);

/// What the flowchart shows now.
#[derive(Resource)]
struct View {
    chapter: usize,
    /// The part of the chart in view (egui's `Scene`), in chart units.
    scene: Rect,
    /// The box the keyboard is on.
    focus: Option<usize>,
    /// The box whose details are open.
    picked: Option<usize>,
    /// A jump back waiting for the player's yes: (playthrough, decision).
    confirm: Option<(usize, usize)>,
    /// Centre on the focused box next frame.
    recentre: bool,
}

impl Default for View {
    fn default() -> Self {
        View {
            chapter: 0,
            scene: Rect::NOTHING,
            focus: None,
            picked: None,
            confirm: None,
            recentre: true,
        }
    }
}

/// Opening: the view goes to the current node of the current chapter (`ChartNotes` is
/// gathered first).
fn open(notes: Res<ChartNotes>, chart: Res<Chart>, mut view: ResMut<View>) {
    *view = View::default();
    let Some((here, chapter)) = &notes.here else {
        return;
    };
    view.chapter = *chapter;
    if let Some(chart) = &chart.ready {
        view.focus = chart
            .chapters
            .get(*chapter)
            .and_then(|c| c.boxes.iter().position(|b| &b.id == here));
    }
}

/// How a box is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// Never seen in any playthrough: a locked shape.
    Locked,
    /// Seen in an earlier playthrough.
    Before,
    /// On this playthrough's path.
    Path,
    /// Where the player is now.
    Here,
}

fn seen_of(b: &ChartBox, notes: &ChartNotes) -> Seen {
    match b.kind {
        BoxKind::Node(_) => {
            if notes.here.as_ref().is_some_and(|(h, _)| *h == b.id) {
                Seen::Here
            } else if notes.path.contains(&b.id) {
                Seen::Path
            } else if notes.nodes.contains(&b.id) {
                Seen::Before
            } else {
                Seen::Locked
            }
        }
        BoxKind::Ending(_) if notes.endings.contains(&b.id) => Seen::Before,
        BoxKind::Exit(_) => {
            let prefix = format!("{}.", b.id);
            if notes.nodes.iter().any(|n| n.starts_with(&prefix)) {
                Seen::Before
            } else {
                Seen::Locked
            }
        }
        BoxKind::Ending(_) => Seen::Locked,
    }
}

/// The keyboard: arrows move the focus to the nearest open box that way, Enter opens it,
/// Page Up and Page Down change the chapter.
fn keys(
    ctx: &egui::Context,
    view: &mut View,
    chapter: &ChapterChart,
    open: &[bool],
    chapters: usize,
) {
    let (dir, enter, prev, next) = ctx.input(|i| {
        let mut d = Vec2::ZERO;
        if i.key_pressed(egui::Key::ArrowLeft) {
            d.x -= 1.0;
        }
        if i.key_pressed(egui::Key::ArrowRight) {
            d.x += 1.0;
        }
        if i.key_pressed(egui::Key::ArrowUp) {
            d.y -= 1.0;
        }
        if i.key_pressed(egui::Key::ArrowDown) {
            d.y += 1.0;
        }
        (
            d,
            i.key_pressed(egui::Key::Enter),
            i.key_pressed(egui::Key::PageUp),
            i.key_pressed(egui::Key::PageDown),
        )
    });
    if prev && view.chapter > 0 {
        view.chapter -= 1;
        view.focus = None;
        view.picked = None;
        view.recentre = true;
    }
    if next && view.chapter + 1 < chapters {
        view.chapter += 1;
        view.focus = None;
        view.picked = None;
        view.recentre = true;
    }
    let centre = |i: usize| {
        let b = &chapter.boxes[i];
        Pos2::new(b.x + BOX_W / 2.0, b.y + BOX_H / 2.0)
    };
    if dir != Vec2::ZERO {
        let from = view.focus.filter(|&f| f < chapter.boxes.len());
        let best = match from {
            None => open.iter().position(|o| *o),
            Some(f) => {
                let here = centre(f);
                (0..chapter.boxes.len())
                    .filter(|&i| i != f && open[i])
                    .filter_map(|i| {
                        let d = centre(i) - here;
                        let along = d.x * dir.x + d.y * dir.y;
                        (along > 1.0).then(|| {
                            (
                                along + 2.0 * (d.length_sq() - along * along).max(0.0).sqrt(),
                                i,
                            )
                        })
                    })
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, i)| i)
                    .or(Some(f))
            }
        };
        view.focus = best;
        view.recentre = true;
    }
    if enter && let Some(f) = view.focus {
        view.picked = Some(f);
    }
}

/// Draws the flowchart.
fn draw(
    work: Res<WorkMeter>,
    mut contexts: EguiContexts,
    chart: Res<Chart>,
    mut view: ResMut<View>,
    notes: Res<ChartNotes>,
    mut menu: ResMut<NextState<Menu>>,
    (mut jumps, mut replays): (MessageWriter<JumpBack>, MessageWriter<SaveReplay>),
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?.clone();
    let screen = ctx.content_rect();
    let word = (screen.height() * 0.04).clamp(11.0, 17.0);
    let mut open_window = true;
    let Some(chart) = chart.ready.clone() else {
        egui::Window::new(RichText::new("Flowchart").font(serif(word * 1.4)))
            .open(&mut open_window)
            .show(&ctx, |ui| ui.label("Laying out the story…"));
        if !open_window {
            menu.set(Menu::None);
        }
        return Ok(());
    };
    view.chapter = view.chapter.min(chart.chapters.len().saturating_sub(1));
    egui::Window::new(RichText::new("Flowchart").font(serif(word * 1.4)))
        .open(&mut open_window)
        .collapsible(false)
        .resizable(false)
        .order(egui::Order::Foreground)
        .fixed_rect(screen.shrink(screen.height() * 0.04))
        // Opaque: the conversation underneath must not show through the chart.
        .frame(egui::Frame::window(&ctx.global_style()).fill(Color32::from_rgb(246, 230, 214)))
        .show(&ctx, |ui| {
            // The story-level view: every chapter, with how much of it has been seen.
            ui.horizontal_wrapped(|ui| {
                for (i, ch) in chart.chapters.iter().enumerate() {
                    let nodes: Vec<_> = ch
                        .boxes
                        .iter()
                        .filter(|b| matches!(b.kind, BoxKind::Node(_)))
                        .collect();
                    let seen = nodes
                        .iter()
                        .filter(|b| seen_of(b, &notes) != Seen::Locked)
                        .count();
                    let label = if seen == 0 {
                        format!("{}. ?", i + 1)
                    } else {
                        format!("{}. {} ({seen}/{})", i + 1, ch.title, nodes.len())
                    };
                    let text = RichText::new(label).font(serif(word * 0.85));
                    if ui.selectable_label(view.chapter == i, text).clicked() {
                        view.chapter = i;
                        view.focus = None;
                        view.picked = None;
                        view.recentre = true;
                    }
                }
            });
            if notes.here.is_some()
                && ui
                    .small_button(RichText::new("Save a replay to share").font(serif(word * 0.8)))
                    .clicked()
            {
                replays.write(SaveReplay);
            }
            ui.separator();
            let chapter = &chart.chapters[view.chapter];
            let states: Vec<Seen> = chapter.boxes.iter().map(|b| seen_of(b, &notes)).collect();
            let open: Vec<bool> = states.iter().map(|s| *s != Seen::Locked).collect();
            keys(&ctx, &mut view, chapter, &open, chart.chapters.len());
            if view.recentre {
                view.recentre = false;
                let chapter_rect =
                    Rect::from_min_size(Pos2::ZERO, Vec2::new(chapter.size.0, chapter.size.1))
                        .expand(BOX_H);
                view.scene = match view.focus.and_then(|f| chapter.boxes.get(f)) {
                    Some(b) => Rect::from_center_size(
                        Pos2::new(b.x + BOX_W / 2.0, b.y + BOX_H / 2.0),
                        Vec2::new(BOX_W * 3.2, BOX_H * 6.0),
                    ),
                    None => chapter_rect,
                };
            }
            let side = (ui.available_width() * 0.32).clamp(160.0, 360.0);
            ui.horizontal_top(|ui| {
                let chart_size =
                    Vec2::new(ui.available_width() - side - 12.0, ui.available_height());
                ui.allocate_ui(chart_size, |ui| {
                    let mut scene_rect = view.scene;
                    egui::Scene::new()
                        .zoom_range(0.1..=2.0)
                        .show(ui, &mut scene_rect, |ui| {
                            draw_chart(ui, chapter, &states, &mut view, word);
                        });
                    view.scene = scene_rect;
                });
                ui.separator();
                ui.vertical(|ui| {
                    ui.set_width(side);
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        details(ui, chapter, &states, &notes, &mut view, word);
                    });
                });
            });
        });
    if let Some((p, k)) = view.confirm {
        egui::Window::new(RichText::new("Jump back?").font(serif(word * 1.2)))
            .order(egui::Order::Tooltip)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, Vec2::ZERO)
            .show(&ctx, |ui| {
                ui.label(
                    RichText::new(
                        "You will be at that decision as you were then. This playthrough is \
                         autosaved first, and stays on the chart.",
                    )
                    .font(serif(word)),
                );
                ui.horizontal(|ui| {
                    if ui
                        .button(RichText::new("Jump back").font(serif(word)))
                        .clicked()
                    {
                        jumps.write(JumpBack {
                            playthrough: p,
                            decision: k,
                        });
                        view.confirm = None;
                    }
                    if ui.button(RichText::new("Stay").font(serif(word))).clicked() {
                        view.confirm = None;
                    }
                });
            });
    }
    if !open_window {
        menu.set(Menu::None);
    }
    Ok(())
}

/// The chart itself: links, then boxes, in chart units (the `Scene` pans and zooms them).
fn draw_chart(
    ui: &mut egui::Ui,
    chapter: &ChapterChart,
    states: &[Seen],
    view: &mut View,
    word: f32,
) {
    let painter = ui.painter().clone();
    let rect_of = |i: usize| {
        let b = &chapter.boxes[i];
        Rect::from_min_size(Pos2::new(b.x, b.y), Vec2::new(BOX_W, BOX_H))
    };
    for l in &chapter.links {
        let (a, b) = (rect_of(l.from), rect_of(l.to));
        let on_path = |s: Seen| matches!(s, Seen::Path | Seen::Here);
        let stroke = if on_path(states[l.from]) && on_path(states[l.to]) {
            Stroke::new(3.0, palette::CORAL)
        } else if states[l.from] != Seen::Locked && states[l.to] != Seen::Locked {
            Stroke::new(1.5, palette::SOFT_INK)
        } else {
            Stroke::new(1.0, Color32::from_rgba_unmultiplied(132, 78, 64, 90))
        };
        let (from, to) = if b.top() > a.bottom() {
            (a.center_bottom(), b.center_top())
        } else {
            (a.center(), b.center())
        };
        painter.line_segment([from, to], stroke);
    }
    for (i, b) in chapter.boxes.iter().enumerate() {
        let rect = rect_of(i);
        let response = ui.interact(rect, ui.id().with(("box", i)), egui::Sense::click());
        if response.clicked() {
            view.picked = Some(i);
            view.focus = Some(i);
        }
        let rounding = if matches!(b.kind, BoxKind::Ending(_)) {
            24.0
        } else {
            8.0
        };
        let (fill, stroke) = match states[i] {
            Seen::Locked => (LOCKED, Stroke::new(1.0, palette::SOFT_INK)),
            Seen::Before => (palette::CREAM, Stroke::new(1.2, palette::SOFT_INK)),
            Seen::Path => (palette::CREAM, Stroke::new(3.0, palette::CORAL)),
            Seen::Here => (palette::PEACH, Stroke::new(5.0, palette::CORAL)),
        };
        painter.rect(rect, rounding, fill, stroke, egui::StrokeKind::Inside);
        if view.focus == Some(i) || view.picked == Some(i) {
            painter.rect_stroke(
                rect.expand(4.0),
                rounding + 4.0,
                Stroke::new(2.0, palette::INK),
                egui::StrokeKind::Outside,
            );
        }
        if states[i] == Seen::Locked {
            // No words, no spoilers: a shape.
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "?",
                serif(word * 1.6),
                palette::PEACH,
            );
            continue;
        }
        let galley = painter.layout(
            b.label.clone(),
            serif(word * 0.9),
            palette::INK,
            BOX_W - 16.0,
        );
        let clip = rect.shrink(6.0);
        painter
            .with_clip_rect(clip)
            .galley(clip.min, galley, palette::INK);
    }
}

/// The side panel: the picked box's words, its choices (taken or not), the visits to jump back
/// to, and (after an ending) the hints for what is still locked.
fn details(
    ui: &mut egui::Ui,
    chapter: &ChapterChart,
    states: &[Seen],
    notes: &ChartNotes,
    view: &mut View,
    word: f32,
) {
    let Some(i) = view.picked.filter(|&i| i < chapter.boxes.len()) else {
        ui.label(
            RichText::new("Choose a node to see its choices and the times you passed it.")
                .font(italic(word)),
        );
        let locked = states.iter().filter(|s| **s == Seen::Locked).count();
        if locked > 0 {
            ui.label(
                RichText::new(format!("{locked} still locked in this chapter.")).font(italic(word)),
            );
        }
        return;
    };
    let b = &chapter.boxes[i];
    if states[i] == Seen::Locked {
        ui.label(RichText::new("Not yet seen.").font(serif(word)));
        match notes.hints.get(&b.id) {
            Some(h) => {
                ui.label(
                    RichText::new(format!("Hint: {h}"))
                        .font(italic(word))
                        .color(palette::CORAL),
                );
            }
            None if !notes.finished => {
                ui.label(RichText::new("Finish the story once for hints.").font(italic(word)));
            }
            None => {}
        }
        return;
    }
    ui.label(RichText::new(&b.label).font(serif(word)));
    if !b.choices.is_empty() {
        ui.add_space(6.0);
        for c in &b.choices {
            if notes.choices.contains(&c.key) {
                ui.label(
                    RichText::new(format!("› {}", c.text))
                        .font(serif(word * 0.9))
                        .color(palette::INK),
                );
            } else {
                let text = match notes.hints.get(&c.key) {
                    Some(h) => format!("› (not taken) Hint: {h}"),
                    None => "› (not taken yet)".to_owned(),
                };
                ui.label(
                    RichText::new(text)
                        .font(italic(word * 0.9))
                        .color(palette::SOFT_INK),
                );
            }
        }
    }
    let Some(visits) = notes.visits.get(&b.id).filter(|_| b.decision) else {
        return;
    };
    ui.add_space(8.0);
    ui.label(RichText::new("Go back to this decision:").font(serif(word)));
    for v in visits {
        let chose = b
            .choices
            .iter()
            .find(|c| c.key.ends_with(&format!("/{}", v.pick)))
            .map_or(v.pick.as_str(), |c| c.text.as_str());
        let label = format!("Playthrough {}: chose “{}”", v.playthrough + 1, chose);
        if ui
            .button(RichText::new(label).font(serif(word * 0.85)))
            .clicked()
        {
            view.confirm = Some((v.playthrough, v.decision));
        }
    }
}

/// The flowchart's layout, drawing and opening.
pub fn plugin(app: &mut App) {
    // The data is gathered by `replay`; a house without it still opens an empty chart.
    app.init_resource::<View>()
        .init_resource::<Chart>()
        .init_resource::<ChartNotes>()
        .add_systems(
            OnEnter(Menu::Flowchart),
            open.after(crate::game::replay::gather),
        )
        .add_systems(
            EguiPrimaryContextPass,
            draw.run_if(in_state(Menu::Flowchart)).in_set(DrawSet::Menu),
        );
}
