//! The look of the game, like the film's: warm paper and coral, a serif (EB Garamond, shipped in
//! `assets/fonts`), generous spacing, no blue. The palette, the fonts, the shared widgets every
//! screen and menu draws with, and the notices; `glyphs` draws the story's characters ahead so no
//! frame waits on a new letter.
//!
//! Buttons take the keyboard's focus (Tab and the arrows, as egui gives), and a focused button is
//! drawn filled in coral with a dark ring, so the keyboard alone can see where it is.

pub mod glyphs;

use bevy::prelude::*;
use bevy_egui::egui::{
    self, Align2, Color32, CornerRadius, FontFamily, FontId, Margin, RichText, Stroke,
};
use bevy_egui::{EguiContexts, EguiPrimaryContextPass};

use super::persist::Notices;

/// The palette of the interface: no blue.
pub mod palette {
    use bevy_egui::egui::Color32;
    /// The paper of panels and windows, a little transparent.
    pub const PAPER: Color32 = Color32::from_rgba_premultiplied(246, 230, 214, 236);
    /// Text.
    pub const INK: Color32 = Color32::from_rgb(74, 36, 30);
    /// Secondary text.
    pub const SOFT_INK: Color32 = Color32::from_rgb(132, 78, 64);
    /// Her colour; pressed and focused buttons.
    pub const CORAL: Color32 = Color32::from_rgb(214, 96, 74);
    /// Borders, hovered buttons, light text on the city.
    pub const PEACH: Color32 = Color32::from_rgb(247, 196, 160);
    /// Buttons; titles on the city.
    pub const CREAM: Color32 = Color32::from_rgb(255, 244, 230);
    /// The dark veil over the city for cards and endings.
    pub const VEIL: Color32 = Color32::from_rgba_premultiplied(40, 12, 10, 200);
    /// A letter's paper.
    pub const LETTER: Color32 = Color32::from_rgb(253, 246, 234);
}

/// The order of drawing in a frame: the look first, then the screen, then the menus over it,
/// then the notices over everything.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DrawSet {
    /// Fonts, style, glyph warming.
    Prepare,
    /// The screen: title, conversation, letter, ending.
    Screen,
    /// The menus: pause, backlog, settings, slots.
    Menu,
    /// The notices.
    Notices,
}

/// The font files, read at start (drawing never reads files).
#[derive(Resource, Default)]
pub struct FontFiles(Vec<(&'static str, Vec<u8>)>);

/// Whether the fonts and the style are installed in egui.
#[derive(Resource, Default)]
pub struct ThemeReady(pub bool);

/// A run condition: the look is in place, so drawing may begin.
pub fn theme_ready(ready: Res<ThemeReady>) -> bool {
    ready.0
}

/// Reads the shipped fonts.
fn read_fonts(mut commands: Commands) {
    let dir = super::find_shipped("assets").join("fonts");
    let mut files = Vec::new();
    for (name, file) in [
        ("garamond", "EBGaramond12-Regular.ttf"),
        ("garamond-italic", "EBGaramond12-Italic.ttf"),
    ] {
        match std::fs::read(dir.join(file)) {
            Ok(bytes) => files.push((name, bytes)),
            Err(e) => eprintln!("font {file}: {e}; using egui's default"),
        }
    }
    commands.insert_resource(FontFiles(files));
}

/// Installs the fonts and the style on the first frame; they take effect from the next, and
/// drawing begins then.
fn install(
    mut contexts: EguiContexts,
    fonts: Option<Res<FontFiles>>,
    mut ready: ResMut<ThemeReady>,
    mut installed: Local<bool>,
) -> Result {
    if *installed {
        ready.0 = true;
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    install_style(ctx, fonts.as_deref().map_or(&[][..], |f| &f.0[..]));
    *installed = true;
    Ok(())
}

fn install_style(ctx: &egui::Context, files: &[(&'static str, Vec<u8>)]) {
    let mut fonts = egui::FontDefinitions::default();
    for (name, bytes) in files {
        fonts.font_data.insert(
            (*name).into(),
            std::sync::Arc::new(egui::FontData::from_owned(bytes.clone())),
        );
    }
    if fonts.font_data.contains_key("garamond") {
        for family in [FontFamily::Proportional, FontFamily::Monospace] {
            fonts
                .families
                .entry(family)
                .or_default()
                .insert(0, "garamond".into());
        }
    }
    // The italic family always exists (falling back to the regular faces), so no text ever
    // asks for a family egui does not know.
    let mut italic: Vec<String> = ["garamond-italic", "garamond"]
        .into_iter()
        .filter(|f| fonts.font_data.contains_key(*f))
        .map(str::to_owned)
        .collect();
    italic.extend(
        fonts
            .families
            .get(&FontFamily::Proportional)
            .cloned()
            .unwrap_or_default(),
    );
    fonts
        .families
        .insert(FontFamily::Name("italic".into()), italic);
    ctx.set_fonts(fonts);
    ctx.all_styles_mut(|style| {
        style.spacing.item_spacing = egui::vec2(10.0, 10.0);
        style.spacing.button_padding = egui::vec2(14.0, 8.0);
        let v = &mut style.visuals;
        v.override_text_color = Some(palette::INK);
        v.window_fill = palette::PAPER;
        v.panel_fill = palette::PAPER;
        v.window_stroke = Stroke::new(1.0, palette::PEACH);
        v.window_corner_radius = CornerRadius::same(14);
        v.widgets.inactive.weak_bg_fill = palette::CREAM;
        v.widgets.inactive.bg_fill = palette::CREAM;
        v.widgets.inactive.bg_stroke = Stroke::new(1.0, palette::PEACH);
        v.widgets.hovered.weak_bg_fill = palette::PEACH;
        v.widgets.hovered.bg_fill = palette::PEACH;
        v.widgets.hovered.bg_stroke = Stroke::new(1.0, palette::CORAL);
        // Pressed, and focused by the keyboard (egui draws a focused widget as active): coral
        // with a dark ring, unmistakable.
        v.widgets.active.weak_bg_fill = palette::CORAL;
        v.widgets.active.bg_fill = palette::CORAL;
        v.widgets.active.bg_stroke = Stroke::new(2.5, palette::INK);
        // The title bar of the window in front.
        v.widgets.open.weak_bg_fill = palette::PEACH;
        v.widgets.open.bg_fill = palette::PEACH;
        for w in [
            &mut v.widgets.inactive,
            &mut v.widgets.hovered,
            &mut v.widgets.active,
        ] {
            w.corner_radius = CornerRadius::same(10);
            w.fg_stroke = Stroke::new(1.0, palette::INK);
        }
        v.selection.bg_fill = palette::CORAL;
        v.selection.stroke = Stroke::new(2.0, palette::INK);
        v.extreme_bg_color = palette::CREAM;
    });
}

/// The story's serif at a size.
pub fn serif(size: f32) -> FontId {
    FontId::new(size, FontFamily::Proportional)
}

/// The story's italic at a size.
pub fn italic(size: f32) -> FontId {
    FontId::new(size, FontFamily::Name("italic".into()))
}

/// A panel of the interface's paper.
pub fn paper_frame() -> egui::Frame {
    egui::Frame::NONE
        .fill(palette::PAPER)
        .stroke(Stroke::new(1.0, palette::PEACH))
        .corner_radius(CornerRadius::same(16))
        .inner_margin(Margin::symmetric(28, 20))
}

/// A sheet of letter paper, margins in proportion to the window.
pub fn letter_paper(screen: egui::Rect) -> egui::Frame {
    egui::Frame::NONE
        .fill(palette::LETTER)
        .stroke(Stroke::new(1.0, palette::PEACH))
        .corner_radius(CornerRadius::same(4))
        .inner_margin(Margin::symmetric(
            (screen.width() * 0.04).min(40.0) as i8,
            (screen.height() * 0.04).min(30.0) as i8,
        ))
}

/// How far down the conversation's corner buttons reach, in points: their 16-point offset and
/// one row of 16-point buttons, with room to spare.
pub const CORNER_BOTTOM: f32 = 56.0;

/// The screen below the corner buttons: where a centred card or ending may go, so that on a
/// small window (480x270) it is pushed down under the buttons instead of drawn over them.
pub fn below_corner(ctx: &egui::Context) -> egui::Rect {
    let screen = ctx.content_rect();
    egui::Rect::from_min_max(
        egui::pos2(screen.min.x, screen.min.y + CORNER_BOTTOM),
        screen.max,
    )
}

/// An area centred on the screen below the corner buttons: the chapter card and the ending. Where
/// the window is too short for it (480x270 with a chapter's summary), it moves down rather than
/// under the buttons.
pub fn centred_card(ctx: &egui::Context, id: &'static str) -> egui::Area {
    egui::Area::new(id.into())
        .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .constrain_to(below_corner(ctx))
}

/// How much to shrink a chapter card's type so it fits under the corner buttons: 1.0 where the
/// room below them is 440 points or more (720p and up), down to 0.55 on a 480x270 window, where
/// the card with its chapter summary and plot would otherwise run off the bottom.
pub fn card_fit(ctx: &egui::Context) -> f32 {
    (below_corner(ctx).height() / 440.0).clamp(0.55, 1.0)
}

/// A card's heading: a small italic kicker ("Chapter 3", "Ending") in peach over its title in
/// the large serif, both sized from the story's text size in points.
pub fn card_heading(ui: &mut egui::Ui, kicker: &str, kicker_size: f32, title: &str, size: f32) {
    ui.label(
        RichText::new(kicker)
            .font(italic(kicker_size))
            .color(palette::PEACH),
    );
    ui.label(
        RichText::new(title)
            .font(serif(size * 2.4))
            .color(palette::CREAM),
    );
}

/// A dark veil over the city for cards and endings.
pub fn veil(ctx: &egui::Context, strength: f32) {
    let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Background, "veil".into()));
    let c = palette::VEIL;
    painter.rect_filled(
        ctx.content_rect(),
        0.0,
        Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), (255.0 * strength) as u8),
    );
}

/// A button of a fixed size in the serif: the menus' buttons.
pub fn button(ui: &mut egui::Ui, text: &str, size: [f32; 2], font: FontId) -> egui::Response {
    ui.add_sized(size, egui::Button::new(RichText::new(text).font(font)))
}

/// A menu window in the middle of the screen, with a title and a close cross; false once the
/// player closed it. Its title is sized by the window's height, like the menus' rows.
pub fn menu_window(
    ctx: &egui::Context,
    title: &str,
    add_contents: impl FnOnce(&mut egui::Ui),
) -> bool {
    let mut open = true;
    let size = (ctx.content_rect().height() * 0.08).clamp(18.0, 28.0);
    egui::Window::new(RichText::new(title).font(serif(size)))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
        .show(ctx, add_contents);
    open
}

/// The relationship axes' colours on the paper (the timeline): warm, told apart by value.
pub const AXES_ON_PAPER: [egui::Color32; 4] = [
    palette::CORAL,
    palette::INK,
    egui::Color32::from_rgb(214, 140, 40),
    egui::Color32::from_rgb(170, 70, 110),
];

/// The relationship axes' colours over the veil (the chapter cards).
pub const AXES_ON_VEIL: [egui::Color32; 4] = [
    palette::PEACH,
    palette::CORAL,
    egui::Color32::from_rgb(240, 170, 70),
    palette::CREAM,
];

/// A small plot of the relationship axes, chapter by chapter: one line per axis from the start
/// (`start[axis]`) across the chapters (`values[chapter][axis]`), each labelled at its end
/// (labels pushed apart so they never overlap); `size` in points. Nothing is drawn for a story
/// that declares no axes.
pub fn axis_plot(
    ui: &mut egui::Ui,
    (labels, start): (&[String], &[i64]),
    values: &[Vec<i64>],
    size: egui::Vec2,
    (font, colours): (FontId, &[egui::Color32]),
) {
    if labels.is_empty() || values.is_empty() || colours.is_empty() {
        return;
    }
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let series: Vec<&[i64]> = std::iter::once(start)
        .chain(values.iter().map(Vec::as_slice))
        .collect();
    let lo = series
        .iter()
        .flat_map(|v| v.iter())
        .copied()
        .min()
        .unwrap_or(0)
        .min(0);
    let hi = series
        .iter()
        .flat_map(|v| v.iter())
        .copied()
        .max()
        .unwrap_or(0)
        .max(lo + 1);
    let inset = font.size * 0.6;
    let plot = egui::Rect::from_min_max(
        rect.min + egui::vec2(0.0, inset),
        egui::pos2(rect.right() - size.x * 0.3, rect.bottom() - inset),
    );
    let x = |c: usize| plot.left() + plot.width() * c as f32 / (series.len() - 1).max(1) as f32;
    let y = |v: i64| plot.bottom() - plot.height() * (v - lo) as f32 / (hi - lo) as f32;
    // Zero, faintly: above it the relationship warmed, below it cooled.
    painter.line_segment(
        [
            egui::pos2(plot.left(), y(0)),
            egui::pos2(plot.right(), y(0)),
        ],
        egui::Stroke::new(1.0, colours[0].gamma_multiply(0.35)),
    );
    let mut ends: Vec<(f32, usize)> = Vec::new();
    for a in 0..labels.len() {
        let colour = colours[a % colours.len()];
        let points: Vec<egui::Pos2> = series
            .iter()
            .enumerate()
            .filter_map(|(c, v)| v.get(a).map(|v| egui::pos2(x(c), y(*v))))
            .collect();
        if points.len() > 1 {
            painter.add(egui::Shape::line(
                points.clone(),
                egui::Stroke::new(2.0, colour),
            ));
        }
        for p in &points {
            painter.circle_filled(*p, 2.5, colour);
        }
        if let Some(last) = points.last() {
            ends.push((last.y, a));
        }
    }
    // The labels, in order down the plot, each at least a line below the one above.
    ends.sort_by(|p, q| p.0.total_cmp(&q.0));
    let mut floor = f32::MIN;
    for (y, a) in ends {
        let y = y.max(floor);
        floor = y + font.size;
        painter.text(
            egui::pos2(plot.right() + 6.0, y),
            Align2::LEFT_CENTER,
            &labels[a],
            font.clone(),
            colours[a % colours.len()],
        );
    }
}

/// The size the conversation's text is drawn at: the setting, but smaller in small windows so
/// a letter still fits.
pub fn story_text_size(ctx: &egui::Context, setting: f32) -> f32 {
    setting
        .min(ctx.content_rect().height() * 0.05)
        .max(11.0)
        .round()
}

/// The notice on screen, at the top.
fn draw_notices(
    work: Res<super::WorkMeter>,
    mut contexts: EguiContexts,
    notices: Res<Notices>,
) -> Result {
    let _work = work.start();
    let Some((text, _)) = &notices.showing else {
        return Ok(());
    };
    let ctx = contexts.ctx_mut()?;
    egui::Area::new("notice".into())
        .anchor(Align2::CENTER_TOP, egui::vec2(0.0, 24.0))
        .interactable(false)
        .show(ctx, |ui| {
            paper_frame().show(ui, |ui| ui.label(RichText::new(text).font(italic(20.0))));
        });
    Ok(())
}

/// A ring around the button the keyboard (or a gamepad) has focused, on top of everything: the
/// focused button is also drawn coral (egui's active look), but egui shows that only while the
/// window has the system's focus; the ring shows wherever the game is drawn.
fn draw_focus_ring(work: Res<super::WorkMeter>, mut contexts: EguiContexts) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?;
    let Some(focused) = ctx.memory(|m| m.focused()) else {
        return Ok(());
    };
    let Some(widget) = ctx.read_response(focused) else {
        return Ok(());
    };
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        "focus ring".into(),
    ));
    painter.rect_stroke(
        widget.rect.expand(3.0),
        CornerRadius::same(12),
        Stroke::new(2.5, palette::INK),
        egui::StrokeKind::Outside,
    );
    Ok(())
}

/// The look, the order of drawing, the notices.
pub fn plugin(app: &mut App) {
    app.init_resource::<ThemeReady>()
        .init_resource::<glyphs::Warming>()
        .configure_sets(
            EguiPrimaryContextPass,
            (
                DrawSet::Prepare,
                DrawSet::Screen.run_if(theme_ready),
                DrawSet::Menu.run_if(theme_ready),
                DrawSet::Notices.run_if(theme_ready),
            )
                .chain(),
        )
        .add_systems(Startup, read_fonts)
        .add_systems(
            EguiPrimaryContextPass,
            (
                (install, glyphs::warm.run_if(theme_ready))
                    .chain()
                    .in_set(DrawSet::Prepare),
                (draw_notices, draw_focus_ring).in_set(DrawSet::Notices),
            ),
        );
}
