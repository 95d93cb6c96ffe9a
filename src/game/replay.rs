//! The replay tools that move the player between playthroughs: the flowchart's data (the
//! chart laid out off the frame once per story, and what the record says was seen), and
//! jumping back to any decision the record holds, with the exact state of that visit. The
//! current playthrough is autosaved first and stays in the record, so what follows is a new
//! branch and the old one stays on the chart. Chapter select starts any chapter a past
//! playthrough reached, with the state of its arrival; the endings gallery lists what was
//! reached and when. The rooms only draw what is here.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, futures::check_ready};

pub use crate::story::flowchart::{BOX_H, BOX_W, BoxKind, ChapterChart, ChartBox, Flowchart};
pub use crate::story::summary::ChapterStats;
use crate::story::summary::summarize;

use super::{LoadedStory, Menu, WorkMeter};

/// The chart of the loaded story: computed on the async pool when the story (its fingerprint)
/// changes, so opening the flowchart never lays out in a frame.
#[derive(Resource, Default)]
pub struct Chart {
    /// The finished chart.
    pub ready: Option<Arc<Flowchart>>,
    task: Option<Task<Flowchart>>,
    made_for: String,
}

/// Starts the layout when the story changes, and picks it up when done.
fn prepare(work: Res<WorkMeter>, loaded: Option<Res<LoadedStory>>, mut chart: ResMut<Chart>) {
    let _work = work.start();
    let Some(loaded) = loaded else { return };
    if chart.made_for != loaded.0.fingerprint() {
        chart.made_for = loaded.0.fingerprint().to_owned();
        let story = loaded.0.clone();
        chart.task = Some(AsyncComputeTaskPool::get().spawn(async move { Flowchart::of(&story) }));
    }
    if let Some(task) = &mut chart.task
        && let Some(done) = check_ready(task)
    {
        chart.ready = Some(Arc::new(done));
        chart.task = None;
    }
}

/// One visit to a decision in the record: where to jump back to, and what was chosen then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    /// Index into the record's playthroughs.
    pub playthrough: usize,
    /// Index into that playthrough's decisions.
    pub decision: usize,
    /// The id of what was chosen there.
    pub pick: String,
}

/// What the flowchart colours its boxes by, gathered when it opens (play stands still while it
/// is open): the record with the playthrough in progress noted in it.
#[derive(Resource, Debug, Default)]
pub struct ChartNotes {
    /// Whether an ending has been reached in some playthrough (hints show only then).
    pub finished: bool,
    /// Node ids seen in any playthrough.
    pub nodes: HashSet<String>,
    /// Choices taken in any playthrough (`chapter.node/choice`).
    pub choices: HashSet<String>,
    /// Ending ids reached.
    pub endings: HashSet<String>,
    /// Node ids on this playthrough's path.
    pub path: HashSet<String>,
    /// The node the player is at, and its chapter.
    pub here: Option<(String, usize)>,
    /// Every visit to each decision node, by node id.
    pub visits: HashMap<String, Vec<Visit>>,
    /// The writers' hints, by node or choice key (only once an ending is reached).
    pub hints: HashMap<String, String>,
}

/// Gathers `ChartNotes` as the flowchart opens (the room's own opening runs after it).
pub fn gather(
    runner: Option<Res<StoryRunner>>,
    loaded: Res<LoadedStory>,
    mut record: ResMut<PlayerRecord>,
    chart: Res<Chart>,
    mut notes: ResMut<ChartNotes>,
) {
    let story = &loaded.0;
    if let Some(runner) = &runner {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // A playthrough the story cannot follow is simply not on the chart.
        let _ = record
            .0
            .note(&runner.story, &runner.save_doc().playthrough, now);
    }
    let r = &record.0;
    let mut visits: HashMap<String, Vec<Visit>> = HashMap::new();
    for (at, p, k) in r.decisions_visited(story) {
        visits.entry(at.to_owned()).or_default().push(Visit {
            playthrough: p,
            decision: k,
            pick: r.playthroughs[p].decisions[k].pick.clone(),
        });
    }
    let finished = !r.endings.is_empty();
    let mut hints = HashMap::new();
    if finished && let Some(chart) = &chart.ready {
        for b in chart.chapters.iter().flat_map(|c| &c.boxes) {
            for key in std::iter::once(&b.id).chain(b.choices.iter().map(|c| &c.key)) {
                if let Some(h) = story.hint(key) {
                    hints.insert(key.clone(), h.to_owned());
                }
            }
        }
    }
    let (path, here) = match &runner {
        Some(runner) => {
            let nodes = story.nodes();
            let path = nodes
                .iter()
                .zip(&runner.state.visits)
                .filter(|(_, v)| **v > 0)
                .map(|(n, _)| n.id.clone())
                .collect();
            let here = &nodes[runner.state.node()];
            (path, Some((here.id.clone(), here.chapter)))
        }
        None => (HashSet::new(), None),
    };
    *notes = ChartNotes {
        finished,
        nodes: r.nodes.iter().cloned().collect(),
        choices: r.choices.iter().cloned().collect(),
        endings: r.endings.keys().cloned().collect(),
        path,
        here,
        visits,
        hints,
    };
}
use super::persist::{DataDir, Notices};
use super::runner::{SceneChange, Showing, StoryRunner};
use super::saves::{Autosaves, PlayerRecord, begin, queue_slot};

/// What every move to another branch needs (a jump back, a chapter started from a past
/// arrival, a replay file opened): the playthrough in progress is autosaved first, the scene
/// of the new moment is set, and play goes on from the new state as a new playthrough.
#[derive(bevy::ecs::system::SystemParam)]
pub struct Branch<'w, 's> {
    runner: Option<Res<'w, StoryRunner>>,
    dir: Option<Res<'w, DataDir>>,
    /// The story every branch plays in.
    pub loaded: Res<'w, LoadedStory>,
    autosaves: ResMut<'w, Autosaves>,
    /// Where a move that cannot be made says why.
    pub notices: ResMut<'w, Notices>,
    scenes: MessageWriter<'w, SceneChange>,
    commands: Commands<'w, 's>,
    screen: ResMut<'w, NextState<super::Screen>>,
    play: ResMut<'w, NextState<super::Play>>,
    menu: ResMut<'w, NextState<Menu>>,
}

impl Branch<'_, '_> {
    /// Leaves the playthrough in progress (autosaved first, so it stays in the record and on
    /// disk) for `state`, with `notice` for the player.
    pub fn go(&mut self, state: crate::story::StoryState, notice: Option<String>) {
        if let (Some(runner), Some(dir)) = (&self.runner, &self.dir) {
            queue_slot(dir, &self.autosaves.take(), runner.save_doc());
        }
        self.scenes.write(SceneChange(state.scene.clone()));
        let runner = StoryRunner::resume(self.loaded.0.clone(), state, notice);
        self.autosaves.chapter = None;
        begin(
            &mut self.commands,
            runner,
            &mut self.screen,
            &mut self.play,
            &mut self.menu,
        );
    }
}

/// Jump back to decision `decision` (0-based) of playthrough `playthrough` of the record.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct JumpBack {
    /// Index into `Record::playthroughs`.
    pub playthrough: usize,
    /// Index into that playthrough's decisions.
    pub decision: usize,
}

/// Answers `JumpBack`: rebuilds the state of that visit by replaying the record's document
/// (never from raw engine state), and plays on from it as a new branch.
fn jump_back(mut asked: MessageReader<JumpBack>, record: Res<PlayerRecord>, mut branch: Branch) {
    let Some(JumpBack {
        playthrough,
        decision,
    }) = asked.read().last().copied()
    else {
        return;
    };
    match record.0.state_at(&branch.loaded.0, playthrough, decision) {
        Some(state) => branch.go(
            state,
            Some("Back at an earlier decision: what you choose now is a new branch.".into()),
        ),
        None => branch
            .notices
            .say("That decision is no longer in the story."),
    }
}

/// A chapter in chapter select: its number and title, and the past playthroughs that reached
/// it (each a way in, with the state of its arrival).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChapterEntry {
    /// 1-based.
    pub number: usize,
    /// Its title.
    pub title: String,
    /// Its card's date line; empty for none.
    pub date: String,
    /// The record's playthroughs that reached it, with how many decisions each had made by
    /// then (for telling them apart).
    pub arrivals: Vec<(usize, usize)>,
}

/// An ending in the gallery: title and summary once reached, with the date first reached and
/// how often; `None` while locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndingEntry {
    /// Title, summary, first reached (a calendar date), times reached.
    pub seen: Option<(String, String, String, u32)>,
}

/// Chapter select and the endings gallery, gathered from the record when either opens.
#[derive(Resource, Debug, Default)]
pub struct Extras {
    /// Every chapter, in order.
    pub chapters: Vec<ChapterEntry>,
    /// Every ending of the story, in order.
    pub endings: Vec<EndingEntry>,
}

/// Seconds since 1970 as a calendar date (UTC): Hinnant's days-to-civil algorithm.
pub fn date(secs: u64) -> String {
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year}-{month:02}-{day:02}")
}

/// Gathers `Extras` as chapter select or the gallery opens.
pub fn gather_extras(
    loaded: Res<LoadedStory>,
    record: Res<PlayerRecord>,
    mut extras: ResMut<Extras>,
) {
    let story = &loaded.0;
    let r = &record.0;
    let arrivals = r.arrivals(story);
    extras.chapters = story
        .chapters()
        .iter()
        .zip(arrivals)
        .map(|(c, reached)| ChapterEntry {
            number: c.number,
            title: c.title.clone(),
            date: c.date.clone(),
            arrivals: reached
                .into_iter()
                .map(|p| {
                    let before = r.playthroughs[p]
                        .decisions
                        .iter()
                        .take_while(|d| {
                            story
                                .node(&d.at)
                                .is_some_and(|n| story.nodes()[n].chapter + 1 < c.number)
                        })
                        .count();
                    (p, before)
                })
                .collect(),
        })
        .collect();
    extras.endings = story
        .endings()
        .iter()
        .map(|e| EndingEntry {
            seen: r.endings.get(&e.id).map(|seen| {
                (
                    e.title.clone(),
                    e.summary.clone(),
                    date(seen.first),
                    seen.times,
                )
            }),
        })
        .collect();
}

/// Start chapter `chapter` (0-based) with the state of playthrough `playthrough`'s arrival.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartChapter {
    /// Index into the record's playthroughs.
    pub playthrough: usize,
    /// The chapter's index.
    pub chapter: usize,
}

/// Answers `StartChapter`: a new branch from a past arrival.
fn start_chapter(
    mut asked: MessageReader<StartChapter>,
    record: Res<PlayerRecord>,
    mut branch: Branch,
) {
    let Some(StartChapter {
        playthrough,
        chapter,
    }) = asked.read().last().copied()
    else {
        return;
    };
    match record.0.arrival(&branch.loaded.0, playthrough, chapter) {
        Some(state) => branch.go(state, None),
        None => branch
            .notices
            .say("That playthrough no longer reaches this chapter."),
    }
}

/// The playthrough chapter by chapter (`story::summary`): for the end-of-chapter summary on
/// each chapter card and for her growth timeline. Rebuilt at each chapter card and when the
/// timeline opens; the rooms only draw it.
#[derive(Resource, Debug, Default)]
pub struct Summary {
    /// The axes' labels, in the story's order.
    pub axes: Vec<String>,
    /// The axes' starting values (their declared defaults).
    pub start: Vec<i64>,
    /// Per chapter reached: its title and what happened in it.
    pub chapters: Vec<(String, ChapterStats)>,
    /// The moment it was made for (`StoryRunner::moment`).
    made_at: Option<u64>,
}

fn summary_of(runner: &StoryRunner) -> Summary {
    let story = &runner.story;
    Summary {
        axes: story.axes().iter().map(|(_, l)| l.clone()).collect(),
        start: story
            .axes()
            .iter()
            .map(|(slot, _)| match story.variables()[*slot].default {
                crate::story::expr::Value::Number(n) => n,
                _ => 0,
            })
            .collect(),
        chapters: summarize(story, &runner.state)
            .into_iter()
            .map(|s| (story.chapters()[s.chapter].title.clone(), s))
            .collect(),
        made_at: Some(runner.moment),
    }
}

/// Makes the summary when a chapter card shows (once per card).
fn summarize_at_cards(
    work: Res<WorkMeter>,
    runner: Option<Res<StoryRunner>>,
    mut summary: ResMut<Summary>,
) {
    let _work = work.start();
    let Some(runner) = runner else { return };
    if matches!(runner.showing, Showing::ChapterCard { .. })
        && summary.made_at != Some(runner.moment)
    {
        *summary = summary_of(&runner);
    }
}

/// Makes the summary as the timeline opens.
fn summarize_for_timeline(runner: Option<Res<StoryRunner>>, mut summary: ResMut<Summary>) {
    if let Some(runner) = runner {
        *summary = summary_of(&runner);
    }
}

/// The flowchart's data, and jumping back.
pub fn plugin(app: &mut App) {
    app.add_message::<JumpBack>()
        .add_message::<StartChapter>()
        .init_resource::<Chart>()
        .init_resource::<ChartNotes>()
        .init_resource::<Extras>()
        .init_resource::<Summary>()
        .add_systems(Update, prepare)
        .add_systems(
            Update,
            summarize_at_cards.after(super::GameSet::AdvanceStory),
        )
        .add_systems(OnEnter(Menu::Timeline), summarize_for_timeline)
        .add_systems(OnEnter(Menu::Flowchart), gather)
        .add_systems(OnEnter(Menu::Chapters), gather_extras)
        .add_systems(OnEnter(Menu::Endings), gather_extras)
        .add_systems(
            Update,
            (jump_back, start_chapter).in_set(super::input::InputSet::Request),
        );
}
