//! What a playthrough did, chapter by chapter: the end-of-chapter summary and her growth
//! timeline. For each chapter reached: the choices made and how many other roads each passed
//! by, the relationship axes the story declares (`axes:`) as they stood when it ended, and the
//! memories she keeps then. Rebuilt by replaying the playthrough's decisions (play is
//! deterministic), so it is exact and works for every story and mod.

use super::expr::Value;
use super::model::Story;
use super::runtime::{Event, StoryState};

/// One chapter of a playthrough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterStats {
    /// The chapter's index.
    pub chapter: usize,
    /// Decisions made in it (choices and letter paragraphs).
    pub choices: usize,
    /// Options offered and not taken, over those decisions.
    pub others: usize,
    /// Each axis's value when the chapter ended (or now, for the chapter in progress), in the
    /// order of `Story::axes`.
    pub axes: Vec<i64>,
    /// The memories she keeps then: each known fact's full phrase.
    pub memories: Vec<String>,
    /// Whether the chapter is over.
    pub ended: bool,
}

/// The playthrough of `state`, chapter by chapter, up to where it is now.
pub fn summarize(story: &Story, state: &StoryState) -> Vec<ChapterStats> {
    let options: Vec<usize> = state.decisions.iter().map(|d| d.offered as usize).collect();
    let mut stats: Vec<ChapterStats> = Vec::new();
    let snapshot = |story: &Story, st: &StoryState, stats: &mut Vec<ChapterStats>, ended: bool| {
        if let Some(last) = stats.last_mut() {
            last.axes = story
                .axes()
                .iter()
                .map(|(slot, _)| match st.vars.get(*slot) {
                    Some(Value::Number(n)) => *n,
                    _ => 0,
                })
                .collect();
            last.memories = st
                .vars
                .iter()
                .filter_map(|v| match v {
                    Value::Fact(Some(t)) => t.split('|').next().map(str::to_owned),
                    _ => None,
                })
                .collect();
            last.ended = ended;
        }
    };
    let mut made = 0;
    let end = story.play_from(
        story.first_state(state),
        &options,
        |story, st, event| match event {
            Event::ChapterStart(ch) => {
                let chapter = story
                    .chapters()
                    .iter()
                    .position(|c| c.id == ch.id)
                    .unwrap_or(0);
                stats.push(ChapterStats {
                    chapter,
                    choices: 0,
                    others: 0,
                    axes: Vec::new(),
                    memories: Vec::new(),
                    ended: false,
                });
            }
            Event::ChapterEnd(_) => snapshot(story, st, &mut stats, true),
            Event::Choices(views) if made < options.len() => {
                made += 1;
                if let Some(last) = stats.last_mut() {
                    last.choices += 1;
                    last.others += views.len().saturating_sub(1);
                }
            }
            Event::Paragraph(p) if made < options.len() => {
                made += 1;
                if let Some(last) = stats.last_mut() {
                    last.choices += 1;
                    last.others += p.fragments.len().saturating_sub(1);
                }
            }
            _ => {}
        },
    );
    // The chapter in progress, as it stands.
    if let Ok(st) = end
        && stats.last().is_some_and(|s| !s.ended)
    {
        snapshot(story, &st, &mut stats, false);
    }
    stats
}
