//! The story inside Bevy: a `StoryRunner` resource wraps the pure engine (`Story` +
//! `StoryState`) and turns its events into what the screen shows (`Showing`), the backlog, and
//! scene directives for the city. The player's input arrives as `PlayerInput` messages, and
//! the story answers them only while it is live (playing, not paused, no menu over it): under
//! the pause menu or the backlog it stands still. No egui here, so headless tests drive it
//! directly. This is the only code in the game that talks to the engine.

use std::sync::Arc;

use bevy::prelude::*;

use crate::story::format::SceneDef;
use crate::story::{Event, Resume, SaveDoc, Story, StoryState};

/// The story being played, and what is on screen.
#[derive(Resource)]
pub struct StoryRunner {
    /// The loaded story (shared, immutable).
    pub story: Arc<Story>,
    /// The playthrough's state.
    pub state: StoryState,
    /// What the player sees now.
    pub showing: Showing,
    /// Everything said so far, for the backlog.
    pub backlog: Vec<BacklogEntry>,
    /// A message for the player (a save resumed against a changed story, say).
    pub notice: Option<String>,
    /// How many moments have been shown: a new one is new even when it looks like the last (two
    /// pauses of the same length with only a scene change between them).
    pub moment: u64,
    /// The choices shown, by the keys the record knows them by (`chapter.node/choice`), so the
    /// screen can mark those taken in an earlier playthrough.
    pub choice_keys: Vec<String>,
    /// The state just before the moment on screen was pulled: where a reload of the dialogue
    /// carries the playthrough from, so that moment is shown again as the new files say it.
    pub before: Option<StoryState>,
}

/// One backlog entry.
#[derive(Debug, Clone, PartialEq)]
pub struct BacklogEntry {
    /// The speaker's name, or empty for narration.
    pub speaker: String,
    /// The words.
    pub text: String,
    /// For a decision: its index in `StoryState::decisions` (for rollback).
    pub decision: Option<usize>,
}

/// What the conversation shows now.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Showing {
    /// Nothing yet.
    #[default]
    Nothing,
    /// A chapter's title card.
    ChapterCard {
        /// Its number.
        number: usize,
        /// Its title.
        title: String,
        /// Its date line, shown under the title; empty for none.
        date: String,
    },
    /// A line.
    Line {
        /// The speaker's id (`os`), or `None` for narration.
        speaker: Option<String>,
        /// The speaker's name as shown.
        name: String,
        /// Whether the OS speaks.
        os: bool,
        /// The words.
        text: String,
        /// The line's stable id (for "skip seen lines").
        id: String,
    },
    /// A held silence.
    Pause(f32),
    /// Choices.
    Choices(Vec<String>),
    /// A letter paragraph to compose.
    Letter {
        /// Who it is for.
        to: String,
        /// The prompt.
        prompt: Option<String>,
        /// The paragraphs so far.
        so_far: Vec<String>,
        /// The fragments to choose from.
        fragments: Vec<String>,
    },
    /// A letter, finished or shown again.
    LetterShown {
        /// Who it is for.
        to: String,
        /// Its paragraphs.
        text: Vec<String>,
    },
    /// The ending.
    Ending {
        /// Its title.
        title: String,
        /// Its summary.
        summary: String,
    },
}

impl Showing {
    /// What kind of moment this is, in a word (for reports).
    pub fn kind(&self) -> &'static str {
        match self {
            Showing::Nothing => "nothing",
            Showing::ChapterCard { .. } => "chapter card",
            Showing::Line { .. } => "line",
            Showing::Pause(_) => "pause",
            Showing::Choices(_) => "choices",
            Showing::Letter { .. } => "letter",
            Showing::LetterShown { .. } => "letter shown",
            Showing::Ending { .. } => "ending",
        }
    }

    /// Whether the player answers with a choice (rather than advancing).
    pub fn is_choice(&self) -> bool {
        matches!(self, Showing::Choices(_) | Showing::Letter { .. })
    }

    /// How many options are offered.
    pub fn options(&self) -> usize {
        match self {
            Showing::Choices(c) => c.len(),
            Showing::Letter { fragments, .. } => fragments.len(),
            _ => 0,
        }
    }
}

/// What the player did.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayerInput {
    /// Go on to the next line.
    Advance,
    /// Take option `n` (0-based).
    Choose(usize),
    /// Go back to just before decision `n` (0-based).
    Rollback(usize),
    /// Pass every line up to the next decision (or the ending): a replaying player's skip.
    SkipToChoice,
}

/// A scene directive for the city, as the story gives it.
#[derive(Message, Debug, Clone, PartialEq)]
pub struct SceneChange(pub SceneDef);

impl StoryRunner {
    /// A new playthrough.
    pub fn new(story: Arc<Story>, seed: u64) -> Self {
        let state = story.new_state(seed);
        StoryRunner {
            story,
            state,
            showing: Showing::Nothing,
            backlog: Vec::new(),
            notice: None,
            moment: 0,
            choice_keys: Vec::new(),
            before: None,
        }
    }

    /// Continues a saved state.
    pub fn resume(story: Arc<Story>, state: StoryState, notice: Option<String>) -> Self {
        let mut runner = StoryRunner {
            story,
            state,
            showing: Showing::Nothing,
            backlog: Vec::new(),
            notice,
            moment: 0,
            choice_keys: Vec::new(),
            before: None,
        };
        runner.rebuild_backlog();
        runner
    }

    /// Continues a save: exactly where it was made, or (when the story has changed since) as
    /// far as its decisions still fit, with a notice saying so. What is shown is pulled, and
    /// the scene the save was made in goes to `scenes` (a cut, not a transition).
    pub fn from_save(story: Arc<Story>, doc: &SaveDoc, scenes: &mut Vec<SceneDef>) -> Self {
        let resume = doc.resume(&story);
        let notice = match &resume {
            Resume::Replayed { message, .. } => Some(message.clone()),
            Resume::Exact(_) => None,
        };
        let state = resume.into_state();
        let mut scene = state.scene.clone();
        scene.cut = true;
        scenes.push(scene);
        let mut runner = StoryRunner::resume(story, state, notice);
        runner.pull(scenes);
        runner
    }

    /// A save of this moment of the playthrough, labelled with its chapter.
    pub fn save_doc(&self) -> SaveDoc {
        SaveDoc::new(&self.story, &self.state, self.chapter_title())
    }

    /// The current chapter's title, for save labels.
    pub fn chapter_title(&self) -> String {
        self.state
            .chapter_index()
            .map(|c| {
                let ch = &self.story.chapters()[c];
                format!(
                    "{}. {}",
                    ch.number,
                    self.story.interpolate(&ch.title, &self.state.vars)
                )
            })
            .unwrap_or_else(|| "Prologue".into())
    }

    /// Pulls events until something is shown; scene directives go to `scenes`.
    pub fn pull(&mut self, scenes: &mut Vec<SceneDef>) {
        self.before = Some(self.state.clone());
        let story = Arc::clone(&self.story);
        loop {
            let event = story.next(&mut self.state);
            let shown = match event {
                Event::ChapterStart(ch) => {
                    scenes.push(ch.scene.clone());
                    Showing::ChapterCard {
                        number: ch.number,
                        title: story.interpolate(&ch.title, &self.state.vars).into_owned(),
                        date: story.interpolate(&ch.date, &self.state.vars).into_owned(),
                    }
                }
                Event::ChapterEnd(_) => continue,
                Event::Scene(scene) => {
                    scenes.push(scene.clone());
                    continue;
                }
                Event::Line(line) => {
                    let name = line
                        .speaker
                        .map(|c| story.speaker_name(&self.state, c))
                        .unwrap_or_default();
                    self.backlog.push(BacklogEntry {
                        speaker: name.clone(),
                        text: line.text.to_string(),
                        decision: None,
                    });
                    Showing::Line {
                        speaker: line.speaker.map(|c| c.id.clone()),
                        os: line.speaker.is_some_and(|c| c.os),
                        name,
                        text: line.text.into_owned(),
                        id: story.line_id(line.index),
                    }
                }
                Event::Pause(secs) => Showing::Pause(secs),
                Event::Choices(views) => {
                    let node = &story.nodes()[self.state.node()].id;
                    self.choice_keys = views.iter().map(|v| format!("{node}/{}", v.id)).collect();
                    Showing::Choices(views.into_iter().map(|v| v.text.into_owned()).collect())
                }
                Event::LetterStart(_) => continue,
                Event::Paragraph(p) => Showing::Letter {
                    to: story
                        .interpolate(&p.letter.to, &self.state.vars)
                        .into_owned(),
                    prompt: p
                        .prompt
                        .map(|t| story.interpolate(t, &self.state.vars).into_owned()),
                    so_far: p.so_far,
                    fragments: p.fragments,
                },
                Event::LetterDone { letter, text } | Event::ShowLetter { letter, text } => {
                    Showing::LetterShown {
                        to: story.interpolate(&letter.to, &self.state.vars).into_owned(),
                        text,
                    }
                }
                Event::Ending(e) => Showing::Ending {
                    title: story.interpolate(&e.title, &self.state.vars).into_owned(),
                    summary: story.interpolate(&e.summary, &self.state.vars).into_owned(),
                },
                Event::Stuck { node, reason } => Showing::Ending {
                    title: "The story stops here".into(),
                    summary: format!("{node}: {reason}"),
                },
            };
            self.showing = shown;
            self.moment += 1;
            return;
        }
    }

    /// Applies one input; returns false when it does not fit what is shown.
    pub fn apply(&mut self, input: PlayerInput, scenes: &mut Vec<SceneDef>) -> bool {
        match input {
            PlayerInput::Advance => {
                if self.showing.is_choice() || matches!(self.showing, Showing::Ending { .. }) {
                    return false;
                }
                self.pull(scenes);
            }
            PlayerInput::Choose(i) => {
                if !self.showing.is_choice() || i >= self.showing.options() {
                    return false;
                }
                let text = match &self.showing {
                    Showing::Choices(c) => c[i].clone(),
                    Showing::Letter { fragments, .. } => fragments[i].clone(),
                    _ => String::new(),
                };
                if self.story.choose(&mut self.state, i).is_err() {
                    return false;
                }
                self.backlog.push(BacklogEntry {
                    speaker: "›".into(),
                    text,
                    decision: Some(self.state.decisions.len() - 1),
                });
                self.pull(scenes);
            }
            PlayerInput::SkipToChoice => {
                if self.showing.is_choice() || matches!(self.showing, Showing::Ending { .. }) {
                    return false;
                }
                // Bounded by the engine's own guard against loops with no decision.
                for _ in 0..=crate::story::runtime::EVENT_LIMIT {
                    self.pull(scenes);
                    if self.showing.is_choice() || matches!(self.showing, Showing::Ending { .. }) {
                        break;
                    }
                }
            }
            PlayerInput::Rollback(k) => {
                if k >= self.state.decisions.len() {
                    return false;
                }
                self.state = self.story.rollback(&self.state, k);
                self.rebuild_backlog();
                // The scene as it was at that moment.
                scenes.push(self.state.scene.clone());
                self.pull(scenes);
            }
        }
        true
    }

    /// Rebuilds the backlog by replaying the decisions (deterministic, so exact); leaves the
    /// state where it was.
    fn rebuild_backlog(&mut self) {
        let options: Vec<usize> = self
            .state
            .decisions
            .iter()
            .map(|d| d.offered as usize)
            .collect();
        let mut backlog = Vec::new();
        let mut made = 0;
        let _ = self.story.play_from(
            self.story.first_state(&self.state),
            &options,
            |story, st, event| match event {
                Event::Line(line) => backlog.push(BacklogEntry {
                    speaker: line
                        .speaker
                        .map(|c| story.speaker_name(st, c))
                        .unwrap_or_default(),
                    text: line.text.to_string(),
                    decision: None,
                }),
                Event::Choices(views) if made < options.len() => {
                    backlog.push(BacklogEntry {
                        speaker: "›".into(),
                        text: views[options[made]].text.to_string(),
                        decision: Some(made),
                    });
                    made += 1;
                }
                Event::Paragraph(p) if made < options.len() => {
                    backlog.push(BacklogEntry {
                        speaker: "›".into(),
                        text: p.fragments[options[made]].clone(),
                        decision: Some(made),
                    });
                    made += 1;
                }
                _ => {}
            },
        );
        self.backlog = backlog;
    }
}

/// Applies the player's input to the story, and sends the story's scene directives on. While
/// the story is not live (paused, or a menu such as the backlog over it), going on and choosing
/// are refused: the story stands still. Going back to a choice is the backlog's own act, so it
/// is taken from there.
pub fn advance_story(
    work: Res<super::WorkMeter>,
    runner: Option<ResMut<StoryRunner>>,
    mut inputs: MessageReader<PlayerInput>,
    mut scenes: MessageWriter<SceneChange>,
    live: super::StoryLive,
) {
    let _work = work.start();
    let Some(mut runner) = runner else {
        inputs.clear();
        return;
    };
    let live = live.is_live();
    let mut directives = Vec::new();
    if runner.showing == Showing::Nothing {
        runner.pull(&mut directives);
    }
    for input in inputs.read() {
        if live || matches!(input, PlayerInput::Rollback(_)) {
            runner.apply(*input, &mut directives);
        }
    }
    for d in directives {
        scenes.write(SceneChange(d));
    }
}

/// The characters the story writes, for the interface to draw ahead (`theme::glyphs`),
/// gathered here so the interface never reads the engine's tables.
#[derive(Resource, Debug, Clone, Default)]
pub struct StoryGlyphs {
    /// Every character of the story's text, once each, in order.
    pub text: String,
    /// Every pair of letters the story writes side by side, once each (ligatures and glyphs
    /// chosen by their neighbours).
    pub pairs: Vec<[char; 2]>,
    /// The characters of the chapters' and endings' titles, once each.
    pub titles: String,
}

/// Characters once each, in order, control characters left out.
fn unique(chars: impl Iterator<Item = char>) -> String {
    let mut v: Vec<char> = chars.filter(|c| !c.is_control()).collect();
    v.sort_unstable();
    v.dedup();
    v.into_iter().collect()
}

impl StoryGlyphs {
    /// What a story writes.
    pub fn of(story: &Story) -> Self {
        let mut pairs: Vec<[char; 2]> = story
            .all_text()
            .chars()
            .zip(story.all_text().chars().skip(1))
            .filter(|(a, b)| a.is_alphanumeric() && b.is_alphanumeric())
            .map(|(a, b)| [a, b])
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        StoryGlyphs {
            text: unique(story.all_text().chars()),
            pairs,
            titles: unique(
                story
                    .chapters()
                    .iter()
                    .flat_map(|c| c.title.chars())
                    .chain(story.endings().iter().flat_map(|e| e.title.chars())),
            ),
        }
    }
}

/// Gathers the story's characters once, at start.
fn gather_glyphs(mut commands: Commands, loaded: Option<Res<super::LoadedStory>>) {
    if let Some(loaded) = loaded {
        commands.insert_resource(StoryGlyphs::of(&loaded.0));
    }
}

/// The story runner's messages and its system.
pub fn plugin(app: &mut App) {
    app.add_message::<PlayerInput>()
        .add_message::<SceneChange>()
        .init_resource::<StoryGlyphs>()
        .add_systems(Startup, gather_glyphs)
        .add_systems(Update, advance_story.in_set(super::GameSet::AdvanceStory));
}
