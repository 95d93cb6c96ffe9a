//! The dialogue files as written: the serde model of `Story(...)`, `Chapter(...)` and `Mod(...)`
//! RON documents. Nothing here is checked beyond syntax; `load` turns these into a `Story`.
//!
//! Field names are the words a writer sees in `docs/dialogue-format.md`: keep the two in step.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A string as written in a dialogue file. Borrowed from the file's text when it has no escapes
/// (nearly always), so parsing copies nothing; and a borrowed string knows where it was written,
/// which places messages exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Text<'_> {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where the string's contents start in `source`, when it was borrowed from it.
    pub fn offset_in(&self, source: &str) -> Option<usize> {
        let Cow::Borrowed(s) = &self.0 else {
            return None;
        };
        let at = (s.as_ptr() as usize).checked_sub(source.as_ptr() as usize)?;
        (at + s.len() <= source.len()).then_some(at)
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(Visit)
    }
}

/// A map of declarations (`{ "trust": Number(0), ... }`) that keeps every entry as written, in
/// key order: a name declared twice in one file is a problem to report at its second place
/// (serde's maps would silently keep the last).
#[derive(Debug, Clone, PartialEq)]
pub struct Decls<V>(pub Vec<Decl<V>>);

/// One entry of a `Decls`.
#[derive(Debug, Clone, PartialEq)]
pub struct Decl<V> {
    /// The name.
    pub name: String,
    /// What it declares.
    pub value: V,
    /// How many earlier entries of the same map have this name (0 for the first).
    pub again: usize,
}

impl<V> Default for Decls<V> {
    fn default() -> Self {
        Decls(Vec::new())
    }
}

impl<V> Decls<V> {
    /// The entries, in key order (a repeated name after its first).
    pub fn iter(&self) -> impl Iterator<Item = &Decl<V>> {
        self.0.iter()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Decls<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visit<V> {
            type Value = Decls<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map of names")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Decls<V>, A::Error> {
                let mut entries: Vec<Decl<V>> = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, V>()? {
                    let again = entries.iter().filter(|e| e.name == name).count();
                    entries.push(Decl { name, value, again });
                }
                entries.sort_by(|a, b| a.name.cmp(&b.name).then(a.again.cmp(&b.again)));
                Ok(Decls(entries))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// The newest dialogue format this build reads. Format 2 brought stable ids, text logic inside
/// lines, glue, detours, memories with forms, variants with `max`/`cooldown`, `allow` and
/// `echo_choices`; a file says which it is written for with `format: 2`.
pub const FORMAT: u32 = 2;

impl DialogueFile<'_> {
    /// The format the file says it is written for (1 when it does not say).
    pub fn format(&self) -> u32 {
        match self {
            DialogueFile::Story(d) => d.format,
            DialogueFile::Chapter(d) => d.format,
            DialogueFile::Mod(d) => d.format,
            DialogueFile::Patch(d) => d.format,
        }
        .unwrap_or(1)
    }
}

/// One dialogue file: what it is is named by its first word.
#[derive(Debug, Clone, Deserialize)]
pub enum DialogueFile<'a> {
    /// The base story's manifest (`story.ron`).
    Story(StoryDef),
    /// One chapter and its nodes.
    Chapter(#[serde(borrow)] ChapterDef<'a>),
    /// A mod's manifest (`mod.ron`).
    Mod(ModDef),
    /// A mod's patches: additions to the base story's (or another mod's) nodes, lines and
    /// letters, by stable id (`docs/modding.md`).
    Patch(#[serde(borrow)] PatchDef<'a>),
}

/// `Story(...)`: title, chapter order, characters, variables and endings.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Story")]
#[serde(deny_unknown_fields)]
pub struct StoryDef {
    /// The dialogue format the file is written for (`FORMAT`); files without it are format 1
    /// and keep loading. A newer one than this build reads is refused (`E028`).
    #[serde(default)]
    pub format: Option<u32>,
    /// The story's title.
    pub title: String,
    /// Chapter ids in playing order.
    pub chapters: Vec<String>,
    /// Speakers by id.
    #[serde(default)]
    pub characters: Decls<CharacterDef>,
    /// Declared variables by name.
    #[serde(default)]
    pub variables: Decls<VarDef>,
    /// Declared endings by id.
    #[serde(default)]
    pub endings: Decls<EndingDef>,
    /// Whether a chosen choice's text is also said, as the player character's line (ink's
    /// default); with `[...]` in a choice's text, the part inside shows only on the button and
    /// the part after only in what is said.
    #[serde(default)]
    pub echo_choices: bool,
    /// The character who says the choices (`echo_choices`); `theodore` by default, when there
    /// is one.
    #[serde(default)]
    pub player: Option<String>,
    /// The relationship axes: number variables the game plots chapter by chapter, with the
    /// label the player reads (`axes: { "trust": "Trust" }`; format 2). Nothing is hard-coded,
    /// so a story or a mod names its own.
    #[serde(default)]
    pub axes: Decls<String>,
}

/// `Mod(...)`: what a mod adds to the base story.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Mod")]
#[serde(deny_unknown_fields)]
pub struct ModDef {
    /// The dialogue format the file is written for (`FORMAT`); files without it are format 1
    /// and keep loading. A newer one than this build reads is refused (`E028`).
    #[serde(default)]
    pub format: Option<u32>,
    /// The mod's name, shown in messages.
    pub name: String,
    /// The mod's id: what other mods require and what `@id/...` names. Letters, digits, `_` and
    /// `-`; by default the mod folder's name (made into an id).
    #[serde(default)]
    pub id: Option<String>,
    /// The mod's version, semantic (`1.2.0`), read by the `semver` crate; `0.0.0` when absent.
    #[serde(default)]
    pub version: Option<String>,
    /// Who made it, for the mods list.
    #[serde(default)]
    pub author: Option<String>,
    /// Mods this one needs, by id, each with a version requirement (`"^1.2"`, `">=0.3, <2"`,
    /// `"*"`), as Cargo writes them: they load before it.
    #[serde(default)]
    pub requires: Decls<String>,
    /// Chapters the mod adds to the story's order, in order.
    #[serde(default)]
    pub chapters: Vec<String>,
    /// The existing chapter the new ones follow; the end of the story by default.
    #[serde(default)]
    pub after: Option<String>,
    /// The existing chapter the new ones come before (instead of `after`).
    #[serde(default)]
    pub before: Option<String>,
    /// More speakers.
    #[serde(default)]
    pub characters: Decls<CharacterDef>,
    /// More variables.
    #[serde(default)]
    pub variables: Decls<VarDef>,
    /// More endings.
    #[serde(default)]
    pub endings: Decls<EndingDef>,
}

/// `Patch(...)`: a mod's additions to nodes, lines and letters it does not own, each found by
/// its stable id, so the mod needs no copy of what it extends (`docs/modding.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Patch")]
#[serde(deny_unknown_fields)]
pub struct PatchDef<'a> {
    /// The dialogue format the file is written for (`FORMAT`).
    #[serde(default)]
    pub format: Option<u32>,
    /// The operations, applied in order, after every mod's whole-node replacements.
    #[serde(borrow, default)]
    pub ops: Vec<PatchOp<'a>>,
}

/// One patch operation. Targets are written `@mod/...` (`@base/letters.walk_home`,
/// `@base/9e8338` for a line, `@base/anniversary` for a letter); a bare name is looked up in
/// the mod's own ids first, then in the story's.
#[derive(Debug, Clone, Deserialize)]
pub enum PatchOp<'a> {
    /// More choices at the end of a node's choices.
    AddChoices(#[serde(borrow)] AddChoicesDef<'a>),
    /// Steps before or after a line, found by its `#line:` id.
    InsertSteps(#[serde(borrow)] InsertStepsDef<'a>),
    /// More variants for a line: a plain `Line` becomes `Variants` with the line as the
    /// fallback; a line already in `Variants` or `Random` gains siblings.
    AddVariants(#[serde(borrow)] AddVariantsDef<'a>),
    /// More fragments in one paragraph of a letter.
    AddFragments(#[serde(borrow)] AddFragmentsDef<'a>),
    /// More nodes in an existing chapter (their ids are the mod's own).
    AddNodes(#[serde(borrow)] AddNodesDef<'a>),
}

/// `AddChoices(to: "@base/chapter.node", choices: [...])`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddChoicesDef<'a> {
    /// The node.
    #[serde(borrow)]
    pub to: Text<'a>,
    /// The choices, as in a node.
    #[serde(borrow)]
    pub choices: Vec<ChoiceDef<'a>>,
}

/// `InsertSteps(before: "@base/LINE", steps: [...])` or `after:`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InsertStepsDef<'a> {
    /// The line the steps go before.
    #[serde(borrow, default)]
    pub before: Option<Text<'a>>,
    /// The line the steps go after.
    #[serde(borrow, default)]
    pub after: Option<Text<'a>>,
    /// The steps, as in a script.
    #[serde(borrow)]
    pub steps: Vec<Step<'a>>,
}

/// `AddVariants(to: "@base/LINE", variants: [...])`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddVariantsDef<'a> {
    /// The line.
    #[serde(borrow)]
    pub to: Text<'a>,
    /// The variants, as in `Variants`.
    #[serde(borrow)]
    pub variants: Vec<VariantDef<'a>>,
}

/// `AddFragments(to: "@base/LETTER", paragraph: 2, fragments: [...])`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddFragmentsDef<'a> {
    /// The letter's id.
    #[serde(borrow)]
    pub to: Text<'a>,
    /// Which paragraph, from 1.
    pub paragraph: u32,
    /// The fragments, as in a paragraph.
    #[serde(borrow)]
    pub fragments: Vec<FragmentDef<'a>>,
}

/// `AddNodes(to: "@base/chapter", nodes: [...])`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddNodesDef<'a> {
    /// The chapter.
    #[serde(borrow)]
    pub to: Text<'a>,
    /// The nodes, as in a chapter.
    #[serde(borrow)]
    pub nodes: Vec<NodeDef<'a>>,
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
pub struct ChapterDef<'a> {
    /// The dialogue format the file is written for (`FORMAT`); files without it are format 1
    /// and keep loading. A newer one than this build reads is refused (`E028`).
    #[serde(default)]
    pub format: Option<u32>,
    /// Stable id.
    #[serde(borrow)]
    pub id: Text<'a>,
    /// The title card's title.
    #[serde(borrow, default)]
    pub title: Text<'a>,
    /// The date line under the title on the chapter card (`"Wednesday, the fourteenth of
    /// August"`, `"November into December"`): free text, may name variables as lines do; empty
    /// for none. The card carries the calendar so the chapter's first line need not.
    #[serde(borrow, default)]
    pub date: Text<'a>,
    /// Where the chapter opens.
    #[serde(default)]
    pub scene: SceneDef,
    /// The start node (default: the first).
    #[serde(borrow, default)]
    pub start: Option<Text<'a>>,
    /// The chapter's nodes.
    #[serde(borrow, default)]
    pub nodes: Vec<NodeDef<'a>>,
    /// Warning codes allowed in this whole file (`["W105"]`), as rustc's `allow`.
    #[serde(borrow, default)]
    pub allow: Vec<Text<'a>>,
}

/// One node: a moment of the story.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Node")]
#[serde(deny_unknown_fields)]
pub struct NodeDef<'a> {
    /// Stable id, unique in its chapter.
    #[serde(borrow)]
    pub id: Text<'a>,
    /// Gate: when it does not hold on arrival, go to `otherwise`.
    #[serde(borrow, default)]
    pub when: Option<Text<'a>>,
    /// Where to go when `when` does not hold.
    #[serde(borrow, default)]
    pub otherwise: Option<Text<'a>>,
    /// In a mod: replace the base node with this id.
    #[serde(default)]
    pub replace: bool,
    /// The steps, in order.
    #[serde(borrow, default)]
    pub script: Vec<Step<'a>>,
    /// What the player may do next.
    #[serde(borrow, default)]
    pub choices: Vec<ChoiceDef<'a>>,
    /// Where to go when the script (and a choice without `goto`) is done.
    #[serde(borrow, default)]
    pub next: Option<Text<'a>>,
    /// The ending reached at the end of the script.
    #[serde(borrow, default)]
    pub end: Option<Text<'a>>,
    /// Warning codes allowed in this node (`["W103"]`): where a warning is meant.
    #[serde(borrow, default)]
    pub allow: Vec<Text<'a>>,
    /// What the flowchart may tell a player who asks what opens this node, once they have
    /// finished the story (format 2; no hint, no text).
    #[serde(borrow, default)]
    pub hint: Option<Text<'a>>,
}

/// One step of a script.
#[derive(Debug, Clone, Deserialize)]
pub enum Step<'a> {
    /// `"speaker: text"` or narration.
    Line(#[serde(borrow)] Text<'a>),
    /// One line for a beat, the best fit for the state.
    Variants(#[serde(borrow)] Vec<VariantDef<'a>>),
    /// One line at random, by weight.
    Random(#[serde(borrow)] Vec<VariantDef<'a>>),
    /// Steps run only when the condition holds.
    If(#[serde(borrow)] Text<'a>, #[serde(borrow)] Vec<Step<'a>>),
    /// The first steps when the condition holds, else the second.
    IfElse(
        #[serde(borrow)] Text<'a>,
        #[serde(borrow)] Vec<Step<'a>>,
        #[serde(borrow)] Vec<Step<'a>>,
    ),
    /// Effects.
    Do(#[serde(borrow)] Vec<Text<'a>>),
    /// A scene directive for the renderer.
    Scene(SceneDef),
    /// A held silence, in seconds.
    Pause(f32),
    /// The player composes a letter.
    Letter(#[serde(borrow)] LetterDef<'a>),
    /// Show a composed letter again.
    ShowLetter(#[serde(borrow)] Text<'a>),
    /// Leave the node for a target.
    Goto(#[serde(borrow)] Text<'a>),
    /// End the story with an ending.
    End(#[serde(borrow)] Text<'a>),
    /// Go to a node and come back to the step after this one when it says `Return` (ink's
    /// tunnel, Yarn's detour).
    Detour(#[serde(borrow)] Text<'a>),
    /// Back from a detour, to the step after the `Detour` that came here.
    Return,
}

/// A candidate line in `Variants` or `Random`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Variant")]
#[serde(deny_unknown_fields)]
pub struct VariantDef<'a> {
    /// When this candidate may be chosen.
    #[serde(borrow, default)]
    pub when: Option<Text<'a>>,
    /// Relative weight for `Random` (default 1).
    #[serde(default)]
    pub weight: Option<u32>,
    /// The line.
    #[serde(borrow, default)]
    pub text: Option<Text<'a>>,
    /// Several lines instead of `text`.
    #[serde(borrow, default)]
    pub lines: Vec<Text<'a>>,
    /// Effects when chosen.
    #[serde(borrow, default, rename = "do")]
    pub effects: Vec<Text<'a>>,
    /// At most this many times in a playthrough (Yarn's saliency, ink's once-only): after that
    /// the others are chosen, or none.
    #[serde(default)]
    pub max: Option<u32>,
    /// Not again until this many other variants (of any group) have played since.
    #[serde(default)]
    pub cooldown: Option<u32>,
}

/// A choice offered to the player.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Choice")]
#[serde(deny_unknown_fields)]
pub struct ChoiceDef<'a> {
    /// What the player sees.
    #[serde(borrow)]
    pub text: Text<'a>,
    /// Stable id (default: its position).
    #[serde(borrow, default)]
    pub id: Option<Text<'a>>,
    /// Offered only when this holds.
    #[serde(borrow, default)]
    pub when: Option<Text<'a>>,
    /// Never offered again once chosen.
    #[serde(default)]
    pub once: bool,
    /// Effects when chosen.
    #[serde(borrow, default, rename = "do")]
    pub effects: Vec<Text<'a>>,
    /// Steps run when chosen.
    #[serde(borrow, default)]
    pub then: Vec<Step<'a>>,
    /// Where to go next (default: the node's `next`).
    #[serde(borrow, default)]
    pub goto: Option<Text<'a>>,
    /// What the flowchart may tell a player who asks what opens this choice, once they have
    /// finished the story (format 2; no hint, no text).
    #[serde(borrow, default)]
    pub hint: Option<Text<'a>>,
}

/// A letter to compose.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Letter")]
#[serde(deny_unknown_fields)]
pub struct LetterDef<'a> {
    /// Stable id, for `ShowLetter` and `wrote(...)`.
    #[serde(borrow)]
    pub id: Text<'a>,
    /// Who it is for, shown at the top of the paper.
    #[serde(borrow, default)]
    pub to: Text<'a>,
    /// The paragraphs, each chosen from fragments.
    #[serde(borrow)]
    pub paragraphs: Vec<ParagraphDef<'a>>,
}

/// One paragraph of a letter.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Paragraph")]
#[serde(deny_unknown_fields)]
pub struct ParagraphDef<'a> {
    /// A hint for the player ("How does he begin?").
    #[serde(borrow, default)]
    pub prompt: Option<Text<'a>>,
    /// The fragments to choose from.
    #[serde(borrow)]
    pub fragments: Vec<FragmentDef<'a>>,
}

/// A fragment of a letter.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename = "Fragment")]
#[serde(deny_unknown_fields)]
pub struct FragmentDef<'a> {
    /// The words.
    #[serde(borrow)]
    pub text: Text<'a>,
    /// Stable id within its letter (`her tag` stamps one); saves name the fragment by it.
    #[serde(borrow, default)]
    pub id: Option<Text<'a>>,
    /// Offered only when this holds.
    #[serde(borrow, default)]
    pub when: Option<Text<'a>>,
    /// Effects when chosen.
    #[serde(borrow, default, rename = "do")]
    pub effects: Vec<Text<'a>>,
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
