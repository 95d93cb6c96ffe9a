//! The dialogue files as written: the serde model of `Story(...)`, `Chapter(...)` and `Mod(...)`
//! RON documents. Nothing here is checked beyond syntax; `load` turns these into a `Story`.
//!
//! Field names are the words a writer sees in `docs/dialogue-format.md`: keep the two in step.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One dialogue file: what it is is named by its first word.
#[derive(Debug, Clone, Deserialize)]
pub enum DialogueFile {
    /// The base story's manifest (`story.ron`).
    Story(StoryDef),
    /// One chapter and its nodes.
    Chapter(ChapterDef),
    /// A mod's manifest (`mod.ron`).
    Mod(ModDef),
}

/// `Story(...)`: title, chapter order, characters, variables and endings.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Story")]
#[serde(deny_unknown_fields)]
pub struct StoryDef {
    /// The story's title.
    pub title: String,
    /// Chapter ids in playing order.
    pub chapters: Vec<String>,
    /// Speakers by id.
    #[serde(default)]
    pub characters: BTreeMap<String, CharacterDef>,
    /// Declared variables by name.
    #[serde(default)]
    pub variables: BTreeMap<String, VarDef>,
    /// Declared endings by id.
    #[serde(default)]
    pub endings: BTreeMap<String, EndingDef>,
}

/// `Mod(...)`: what a mod adds to the base story.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Mod")]
#[serde(deny_unknown_fields)]
pub struct ModDef {
    /// The mod's name, shown in messages.
    pub name: String,
    /// Chapters the mod adds, in order.
    #[serde(default)]
    pub chapters: Vec<String>,
    /// The existing chapter the new ones follow; the end of the story by default.
    #[serde(default)]
    pub after: Option<String>,
    /// More speakers.
    #[serde(default)]
    pub characters: BTreeMap<String, CharacterDef>,
    /// More variables.
    #[serde(default)]
    pub variables: BTreeMap<String, VarDef>,
    /// More endings.
    #[serde(default)]
    pub endings: BTreeMap<String, EndingDef>,
}

/// A speaker.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Character")]
#[serde(deny_unknown_fields)]
pub struct CharacterDef {
    /// The name the player sees; may interpolate variables (`{os_name}`).
    pub name: String,
    /// Whether this is the operating system's voice (shown as a light, not a face).
    #[serde(default)]
    pub os: bool,
}

/// A declared variable: its type and starting value.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub enum VarDef {
    /// A whole number.
    Number(i64),
    /// True or false.
    Flag(bool),
    /// A piece of text.
    Text(String),
    /// A memory: unknown until remembered.
    Fact,
}

/// An ending: its title and a line about it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Ending")]
#[serde(deny_unknown_fields)]
pub struct EndingDef {
    /// The ending's name on the ending screen.
    pub title: String,
    /// One sentence about it.
    #[serde(default)]
    pub summary: String,
}

/// `Chapter(...)`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Chapter")]
#[serde(deny_unknown_fields)]
pub struct ChapterDef {
    /// Stable id.
    pub id: String,
    /// The title card's title.
    #[serde(default)]
    pub title: String,
    /// Where the chapter opens.
    #[serde(default)]
    pub scene: SceneDef,
    /// The start node (default: the first).
    #[serde(default)]
    pub start: Option<String>,
    /// The chapter's nodes.
    #[serde(default)]
    pub nodes: Vec<NodeDef>,
}

/// One node: a moment of the story.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Node")]
#[serde(deny_unknown_fields)]
pub struct NodeDef {
    /// Stable id, unique in its chapter.
    pub id: String,
    /// Gate: when it does not hold on arrival, go to `otherwise`.
    #[serde(default)]
    pub when: Option<String>,
    /// Where to go when `when` does not hold.
    #[serde(default)]
    pub otherwise: Option<String>,
    /// In a mod: replace the base node with this id.
    #[serde(default)]
    pub replace: bool,
    /// The steps, in order.
    #[serde(default)]
    pub script: Vec<Step>,
    /// What the player may do next.
    #[serde(default)]
    pub choices: Vec<ChoiceDef>,
    /// Where to go when the script (and a choice without `goto`) is done.
    #[serde(default)]
    pub next: Option<String>,
    /// The ending reached at the end of the script.
    #[serde(default)]
    pub end: Option<String>,
}

/// One step of a script.
#[derive(Debug, Clone, Deserialize)]
pub enum Step {
    /// `"speaker: text"` or narration.
    Line(String),
    /// One line for a beat, the best fit for the state.
    Variants(Vec<VariantDef>),
    /// One line at random, by weight.
    Random(Vec<VariantDef>),
    /// Steps run only when the condition holds.
    If(String, Vec<Step>),
    /// The first steps when the condition holds, else the second.
    IfElse(String, Vec<Step>, Vec<Step>),
    /// Effects.
    Do(Vec<String>),
    /// A scene directive for the renderer.
    Scene(SceneDef),
    /// A held silence, in seconds.
    Pause(f32),
    /// The player composes a letter.
    Letter(LetterDef),
    /// Show a composed letter again.
    ShowLetter(String),
    /// Leave the node for a target.
    Goto(String),
    /// End the story with an ending.
    End(String),
}

/// A candidate line in `Variants` or `Random`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Variant")]
#[serde(deny_unknown_fields)]
pub struct VariantDef {
    /// When this candidate may be chosen.
    #[serde(default)]
    pub when: Option<String>,
    /// Relative weight for `Random` (default 1).
    #[serde(default)]
    pub weight: Option<u32>,
    /// The line.
    #[serde(default)]
    pub text: Option<String>,
    /// Several lines instead of `text`.
    #[serde(default)]
    pub lines: Vec<String>,
    /// Effects when chosen.
    #[serde(default, rename = "do")]
    pub effects: Vec<String>,
}

/// A choice offered to the player.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Choice")]
#[serde(deny_unknown_fields)]
pub struct ChoiceDef {
    /// What the player sees.
    pub text: String,
    /// Stable id (default: its position).
    #[serde(default)]
    pub id: Option<String>,
    /// Offered only when this holds.
    #[serde(default)]
    pub when: Option<String>,
    /// Never offered again once chosen.
    #[serde(default)]
    pub once: bool,
    /// Effects when chosen.
    #[serde(default, rename = "do")]
    pub effects: Vec<String>,
    /// Steps run when chosen.
    #[serde(default)]
    pub then: Vec<Step>,
    /// Where to go next (default: the node's `next`).
    #[serde(default)]
    pub goto: Option<String>,
}

/// A letter to compose.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Letter")]
#[serde(deny_unknown_fields)]
pub struct LetterDef {
    /// Stable id, for `ShowLetter` and `wrote(...)`.
    pub id: String,
    /// Who it is for, shown at the top of the paper.
    #[serde(default)]
    pub to: String,
    /// The paragraphs, each chosen from fragments.
    pub paragraphs: Vec<ParagraphDef>,
}

/// One paragraph of a letter.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Paragraph")]
#[serde(deny_unknown_fields)]
pub struct ParagraphDef {
    /// A hint for the player ("How does he begin?").
    #[serde(default)]
    pub prompt: Option<String>,
    /// The fragments to choose from.
    pub fragments: Vec<FragmentDef>,
}

/// A fragment of a letter.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Fragment")]
#[serde(deny_unknown_fields)]
pub struct FragmentDef {
    /// The words.
    pub text: String,
    /// Offered only when this holds.
    #[serde(default)]
    pub when: Option<String>,
    /// Effects when chosen.
    #[serde(default, rename = "do")]
    pub effects: Vec<String>,
}

/// A scene directive: every field optional, only what is given changes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename = "Scene")]
#[serde(deny_unknown_fields)]
pub struct SceneDef {
    /// Where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeOfDay>,
    /// The light's feeling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mood: Option<Mood>,
    /// Who is in the scene.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<Vec<String>>,
    /// A hard cut instead of an eased transition.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
}

/// The places the city can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Location {
    /// Theodore's apartment, its window on the city.
    Apartment,
    /// BeautifulHandwrittenLetters.com.
    Office,
    /// The street among the towers.
    Street,
    /// Underground, between places.
    Subway,
    /// The beach.
    Beach,
    /// The fair.
    Fair,
    /// A restaurant.
    Restaurant,
    /// A cabin in the snow.
    Cabin,
    /// The rooftop.
    Rooftop,
}

/// The time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum TimeOfDay {
    /// Early light.
    Morning,
    /// Full day.
    Day,
    /// The hour before sunset.
    GoldenHour,
    /// After sunset.
    Dusk,
    /// Night.
    Night,
    /// First light.
    Dawn,
}

/// The mood of the light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
pub enum Mood {
    /// Soft and warm.
    Warm,
    /// Close and gentle.
    Tender,
    /// Bright and quick.
    Playful,
    /// Clear, high light.
    Bright,
    /// Thin and far.
    Lonely,
    /// Desaturated.
    Grey,
    /// Low light.
    Dim,
    /// Black: a fade out.
    Dark,
}
