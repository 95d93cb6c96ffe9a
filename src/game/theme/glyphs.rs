//! Glyph warming: every character the story uses is drawn once, at the sizes the conversation
//! shows it in, before play needs it. egui rasterises a glyph the first time it meets it at a
//! size, and doing that in the middle of play cost frames of several milliseconds whenever a line
//! brought a new letter or size. Large sizes get only the characters of the titles they show:
//! the atlas must stay well under the fill at which egui throws it away and starts over.

use bevy::prelude::*;
use bevy_egui::EguiContexts;
use bevy_egui::egui::{self, Color32, FontId};

use super::{italic, serif, story_text_size};
use crate::game::runner::StoryGlyphs;
use crate::game::settings::Settings;

/// What was warmed, and when the text size last changed.
#[derive(Resource, Default)]
pub struct Warming {
    /// The text size the glyphs were last drawn ahead for.
    warmed_for: Option<f32>,
    /// How full egui's glyph atlas was after warming (less later means egui started it over).
    warmed_fill: f32,
    /// A text size the conversation changed to, and since when (warmed once it settles).
    new_size: Option<(f32, f32)>,
}

/// How full glyph warming may leave egui's atlas (egui starts it over past 0.8).
const WARM_FILL_LIMIT: f32 = 0.6;

/// Warms the glyphs at the size the conversation is really drawn at (small windows shrink it):
/// at the start, when egui has started its atlas over (it does when the atlas fills), and when
/// the setting or the window has settled on a new size (not on every step of a slider or a
/// resize: each warming is one long frame).
pub fn warm(
    work: Res<crate::game::WorkMeter>,
    mut contexts: EguiContexts,
    mut warming: ResMut<Warming>,
    settings: Option<Res<Settings>>,
    glyphs: Res<StoryGlyphs>,
    time: Res<Time>,
) -> Result {
    let _work = work.start();
    let ctx = contexts.ctx_mut()?.clone();
    let t = time.elapsed_secs();
    let size = settings.map_or(Settings::default().text_size, |s| s.text_size);
    let drawn = story_text_size(&ctx, size);
    let fill = ctx.fonts(|f| f.font_atlas_fill_ratio());
    let atlas_reset = fill + 0.001 < warming.warmed_fill;
    let settled = match warming.new_size {
        Some((pending, since)) if pending == drawn => t - since >= 0.4,
        _ => {
            warming.new_size = Some((drawn, t));
            false
        }
    };
    if warming.warmed_for.is_none() || atlas_reset || (warming.warmed_for != Some(drawn) && settled)
    {
        warm_glyphs(&ctx, &glyphs, drawn);
        warming.warmed_for = Some(drawn);
        warming.warmed_fill = ctx.fonts(|f| f.font_atlas_fill_ratio());
    }
    Ok(())
}

fn warm_glyphs(ctx: &egui::Context, story: &StoryGlyphs, size: f32) {
    let unique = |chars: &mut dyn Iterator<Item = char>| -> String {
        let mut v: Vec<char> = chars.collect();
        v.sort_unstable();
        v.dedup();
        v.into_iter().collect()
    };
    let mut words = unique(
        &mut story
            .text
            .chars()
            .chain((' '..='~').chain("‘’“”—–…·›".chars())),
    );
    // The font joins some letters into one glyph (ligatures such as "fi") and picks some
    // glyphs by their neighbours: every pair of letters the story writes, once each, makes
    // those glyphs too.
    for [a, b] in &story.pairs {
        words.extend([' ', *a, *b]);
    }
    for ligature in [" ffi", " ffl"] {
        words.push_str(ligature);
    }
    let titles = unique(
        &mut story
            .titles
            .chars()
            .chain("Chapter Ending 0123456789…".chars()),
    );
    let text_fonts = [
        serif(size),
        italic(size),
        italic(size * 0.85),
        serif(size * 0.9),
        italic(size * 0.9),
        serif(size * 0.95),
        serif(size * 1.05),
    ];
    let title_fonts = [
        italic(size * 1.1),
        italic(size * 1.2),
        serif(size * 1.5),
        serif(size * 2.4),
    ];
    // egui keeps a glyph's bitmap for each quarter pixel it can start on, so each string is
    // laid out four times, a quarter of a physical pixel further right each time.
    // (A debug build rasterises some twenty times slower: one position is enough there.)
    let quarter = 0.25 / ctx.pixels_per_point();
    let positions = if cfg!(debug_assertions) { 1 } else { 4 };
    let lay = |fonts: &mut egui::epaint::FontsView<'_>, text: &str, font: &FontId| {
        for k in 0..positions {
            let mut job = egui::text::LayoutJob::simple_singleline(
                text.to_owned(),
                font.clone(),
                Color32::WHITE,
            );
            job.sections[0].leading_space = k as f32 * quarter;
            fonts.layout_job(job);
        }
    };
    // The interface's own words at its fixed sizes (corner buttons, notices) and the ending's
    // credits.
    let ascii: String = (' '..='~').collect();
    let work = text_fonts
        .iter()
        .map(|f| (f.clone(), words.as_str()))
        .chain(
            [
                serif(16.0),
                italic(20.0),
                serif(size * 0.7),
                italic(size * 0.7),
            ]
            .map(|f| (f, ascii.as_str())),
        )
        .chain(title_fonts.iter().map(|f| (f.clone(), titles.as_str())));
    ctx.fonts_mut(|fonts| {
        for (font, text) in work {
            // Most important first, and never past what the atlas holds with room to spare
            // (large text on a high-density screen): a full atlas is thrown away and begun
            // again, and warming it would start over every frame.
            if fonts.font_atlas_fill_ratio() > WARM_FILL_LIMIT {
                break;
            }
            lay(fonts, text, &font);
        }
    });
}
