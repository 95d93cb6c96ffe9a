//! Transcripts: events rendered as plain text, the same way by `her read`, `her replay` and the
//! golden tests, so a change to the story shows as a readable diff.

use std::fmt::Write;

use super::format::SceneDef;
use super::model::Story;
use super::runtime::{Event, StoryState};

/// Renders one event as transcript text (one or more lines, each ending in a newline).
pub fn render_event(story: &Story, state: &StoryState, event: &Event<'_>) -> String {
    let mut out = String::new();
    match event {
        Event::ChapterStart(ch) => {
            let title = story.interpolate(&ch.title, &state.vars);
            let _ = writeln!(out, "\n== Chapter {}: {title} ==", ch.number);
            // The card's date line, as furniture in brackets like a scene: the chapter's own
            // first line is not asked to carry the calendar.
            if !ch.date.is_empty() {
                let date = story.interpolate(&ch.date, &state.vars);
                let _ = writeln!(out, "[date: {date}]");
            }
        }
        Event::ChapterEnd(ch) => {
            let _ = writeln!(out, "-- end of chapter {} --", ch.number);
        }
        Event::Scene(scene) => {
            let _ = writeln!(out, "[{}]", describe_scene(scene));
        }
        Event::Line(line) => match line.speaker {
            Some(who) => {
                let _ = writeln!(out, "{}: {}", story.speaker_name(state, who), line.text);
            }
            None => {
                let _ = writeln!(out, "{}", line.text);
            }
        },
        Event::Pause(secs) => {
            let _ = writeln!(out, "({secs}s of silence)");
        }
        Event::Choices(choices) => {
            for (i, c) in choices.iter().enumerate() {
                let _ = writeln!(out, "  {}) {}", i + 1, c.text);
            }
        }
        Event::LetterStart(letter) => {
            let _ = writeln!(
                out,
                "[composing a letter: {}]",
                story.interpolate(&letter.to, &state.vars)
            );
        }
        Event::Paragraph(p) => {
            if let Some(prompt) = p.prompt {
                let _ = writeln!(out, "  ({})", story.interpolate(prompt, &state.vars));
            }
            for (i, f) in p.fragments.iter().enumerate() {
                let _ = writeln!(out, "  {}) {}", i + 1, f);
            }
        }
        Event::LetterDone { letter, text } | Event::ShowLetter { letter, text } => {
            let _ = writeln!(
                out,
                "  ---- {} ----",
                story.interpolate(&letter.to, &state.vars)
            );
            for paragraph in text {
                let _ = writeln!(out, "  | {paragraph}");
            }
            let _ = writeln!(out, "  ----");
        }
        Event::Ending(ending) => {
            let _ = writeln!(
                out,
                "\n*** Ending: {} ***\n{}",
                story.interpolate(&ending.title, &state.vars),
                story.interpolate(&ending.summary, &state.vars)
            );
        }
        Event::Stuck { node, reason } => {
            let _ = writeln!(out, "!! The story stopped at {node}: {reason}");
        }
    }
    out
}

/// The line recording a decision in a transcript.
pub fn render_decision(index: usize) -> String {
    format!("> {}\n", index + 1)
}

/// A scene directive in words: `Office, Morning, Warm, with theodore`.
pub fn describe_scene(scene: &SceneDef) -> String {
    let mut parts = Vec::new();
    if let Some(l) = scene.location {
        parts.push(format!("{l:?}"));
    }
    if let Some(t) = scene.time {
        parts.push(format!("{t:?}"));
    }
    if let Some(m) = scene.mood {
        parts.push(format!("{m:?}"));
    }
    if let Some(p) = &scene.present {
        parts.push(format!("with {}", p.join(", ")));
    }
    if scene.cut {
        parts.push("cut".into());
    }
    format!("scene: {}", parts.join(", "))
}

/// Plays a seeded path of decisions (1-based, as players number them) and returns the whole
/// transcript; stops at the first decision past the list.
pub fn transcript(story: &Story, seed: u64, choices: &[usize]) -> Result<String, String> {
    let mut out = String::new();
    let options: Vec<usize> = choices.iter().map(|c| c.saturating_sub(1)).collect();
    let mut made = 0;
    let result = story.play(seed, &options, |story, state, event| {
        out.push_str(&render_event(story, state, event));
        if event.is_decision() && made < options.len() {
            out.push_str(&render_decision(options[made]));
            made += 1;
        }
    });
    result.map_err(|e| format!("choice {}: {e}", made))?;
    Ok(out)
}
