//! `her tag`: stamps a stable id on every line, choice and letter fragment that lacks one, as
//! Yarn Spinner's line tagging does. It edits the text in place (an insertion at each place, not
//! a re-serialisation), so comments, layout and order stay as the writer left them:
//!
//! - a line gets a `#line:ID` tag at the end of its text (`Line("os: Hi. #line:3fa2c1")`), in
//!   `Line`, and in a variant's `text` and `lines`;
//! - a choice or a fragment gets an `id: "..."` field after its `text`, made from its first
//!   words (`(text: "Tell her.", id: "tell_her", ...)`).
//!
//! Ids are unique where they must be: line tags in the whole story, choice ids in their node,
//! fragment ids in their letter. Running it again changes nothing.

use std::collections::HashSet;
use std::ops::Range;

use super::diagnostic::SourceFile;
use super::format::{
    ChoiceDef, DialogueFile, FragmentDef, LetterDef, NodeDef, ParagraphDef, PatchDef, PatchOp,
    Step, Text,
};
use super::model::split_line_tag;

/// What tagging one file did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tagged {
    /// The file's new text (the same as before when nothing was stamped).
    pub text: String,
    /// Lines tagged.
    pub lines: usize,
    /// Choices given an id.
    pub choices: usize,
    /// Fragments given an id.
    pub fragments: usize,
    /// Strings that could not be placed in the text (none in practice); each a message.
    pub skipped: Vec<String>,
}

impl Tagged {
    /// Whether anything was stamped.
    pub fn changed(&self) -> bool {
        self.lines + self.choices + self.fragments > 0
    }
}

/// Tags every file of a story (all its files together, so line tags are unique in all of
/// them). Files that do not parse are returned unchanged, with a message in `skipped`: fix
/// them first (`her check`).
pub fn tag_files(sources: &[SourceFile]) -> Vec<Tagged> {
    // Every tag already written, so a new one never repeats it.
    let mut taken: HashSet<String> = HashSet::new();
    let parsed: Vec<Option<DialogueFile>> = sources
        .iter()
        .map(|s| super::load::ron_options().from_str(&s.text).ok())
        .collect();
    // A mod's patches hold lines, choices and fragments too: tagged as the nodes they add to.
    let patched: Vec<Vec<NodeDef>> = parsed
        .iter()
        .map(|p| match p {
            Some(DialogueFile::Patch(def)) => patch_nodes(def),
            _ => Vec::new(),
        })
        .collect();
    for (file, extra) in parsed.iter().zip(&patched) {
        let nodes = match file {
            Some(DialogueFile::Chapter(ch)) => ch.nodes.iter().chain(extra),
            _ => [].iter().chain(extra),
        };
        {
            for node in nodes {
                each_line(&node.script, &mut |t| {
                    if let (_, Some(tag)) = split_line_tag(t) {
                        taken.insert(tag.to_string());
                    }
                });
                for c in &node.choices {
                    each_line(&c.then, &mut |t| {
                        if let (_, Some(tag)) = split_line_tag(t) {
                            taken.insert(tag.to_string());
                        }
                    });
                }
            }
        }
    }
    sources
        .iter()
        .zip(&parsed)
        .zip(&patched)
        .map(|((source, parsed), patched)| match parsed {
            Some(DialogueFile::Patch(_)) => {
                let mut t = Tagger {
                    source,
                    inserts: Vec::new(),
                    used: HashSet::new(),
                    taken: &mut taken,
                    out: Tagged::default(),
                };
                for node in patched {
                    t.node("patch", node);
                }
                t.finish()
            }
            Some(DialogueFile::Chapter(ch)) => {
                let mut t = Tagger {
                    source,
                    inserts: Vec::new(),
                    used: HashSet::new(),
                    taken: &mut taken,
                    out: Tagged::default(),
                };
                for node in &ch.nodes {
                    t.node(&ch.id, node);
                }
                t.finish()
            }
            Some(_) => Tagged {
                text: source.text.clone(),
                ..Tagged::default()
            },
            None => Tagged {
                text: source.text.clone(),
                skipped: vec![format!(
                    "{} does not parse: `her check` says why; it was left as it is",
                    source.path.display()
                )],
                ..Tagged::default()
            },
        })
        .collect()
}

/// A patch's operations as the nodes they would add to, to tag what they hold (the texts are
/// the file's own, so each is placed where it is written).
fn patch_nodes<'a>(def: &PatchDef<'a>) -> Vec<NodeDef<'a>> {
    let node = |k: usize, script: Vec<Step<'a>>, choices: Vec<ChoiceDef<'a>>| NodeDef {
        id: Text(format!("op{k}").into()),
        when: None,
        otherwise: None,
        replace: false,
        script,
        choices,
        next: None,
        end: None,
        allow: Vec::new(),
        hint: None,
    };
    let mut out = Vec::new();
    for (k, op) in def.ops.iter().enumerate() {
        match op {
            PatchOp::AddChoices(d) => out.push(node(k, Vec::new(), d.choices.clone())),
            PatchOp::InsertSteps(d) => out.push(node(k, d.steps.clone(), Vec::new())),
            PatchOp::AddVariants(d) => out.push(node(
                k,
                vec![Step::Variants(d.variants.clone())],
                Vec::new(),
            )),
            PatchOp::AddFragments(d) => out.push(node(
                k,
                vec![Step::Letter(LetterDef {
                    id: d.to.clone(),
                    to: Text::default(),
                    paragraphs: vec![ParagraphDef {
                        prompt: None,
                        fragments: d.fragments.clone(),
                    }],
                })],
                Vec::new(),
            )),
            PatchOp::AddNodes(d) => out.extend(d.nodes.iter().cloned()),
        }
    }
    out
}

/// Calls `f` on the text of every line in `steps` (variants' lines included), in order.
fn each_line<'a>(steps: &'a [Step<'a>], f: &mut impl FnMut(&'a Text<'a>)) {
    for step in steps {
        match step {
            Step::Line(t) => f(t),
            Step::Variants(vs) | Step::Random(vs) => {
                for v in vs {
                    v.text.iter().chain(&v.lines).for_each(&mut *f);
                }
            }
            Step::If(_, s) => each_line(s, f),
            Step::IfElse(_, a, b) => {
                each_line(a, f);
                each_line(b, f);
            }
            _ => {}
        }
    }
}

struct Tagger<'s, 't> {
    source: &'s SourceFile,
    /// (byte offset, text to insert there).
    inserts: Vec<(usize, String)>,
    /// Content ranges already placed (two equal strings are two places).
    used: HashSet<usize>,
    taken: &'t mut HashSet<String>,
    out: Tagged,
}

impl Tagger<'_, '_> {
    fn node(&mut self, chapter: &str, node: &NodeDef) {
        let mut lines = Vec::new();
        each_line(&node.script, &mut |t| lines.push(t));
        for c in &node.choices {
            each_line(&c.then, &mut |t| lines.push(t));
        }
        for (n, text) in lines.into_iter().enumerate() {
            if split_line_tag(text).1.is_some() {
                continue;
            }
            let Some(span) = self.place(text) else {
                continue;
            };
            let tag = self.new_tag(&format!("{chapter}.{}:{n}:{text}", node.id));
            // After the words, before the closing quote; a space unless the text is empty.
            let sep = if text.is_empty() { "" } else { " " };
            self.inserts.push((span.end, format!("{sep}#line:{tag}")));
            self.out.lines += 1;
        }
        let mut ids: HashSet<String> = node
            .choices
            .iter()
            .filter_map(|c| c.id.as_ref().map(|i| i.to_string()))
            .collect();
        for c in &node.choices {
            self.choice(c, &mut ids);
        }
        let mut letters = Vec::new();
        collect_letters(&node.script, &mut letters);
        for c in &node.choices {
            collect_letters(&c.then, &mut letters);
        }
        for fragments in letters {
            let mut ids: HashSet<String> = fragments
                .iter()
                .filter_map(|f| f.id.as_ref().map(|i| i.to_string()))
                .collect();
            for f in fragments {
                if f.id.is_none() && self.field_after(&f.text, &mut ids) {
                    self.out.fragments += 1;
                }
            }
        }
    }

    fn choice(&mut self, c: &ChoiceDef, ids: &mut HashSet<String>) {
        if c.id.is_none() && self.field_after(&c.text, ids) {
            self.out.choices += 1;
        }
    }

    /// Inserts `, id: "slug"` right after the string `text` (its closing quote, and the `#`s
    /// of a raw string).
    fn field_after(&mut self, text: &Text, ids: &mut HashSet<String>) -> bool {
        let Some(span) = self.place(text) else {
            return false;
        };
        let bytes = self.source.text.as_bytes();
        let mut end = span.end;
        if bytes.get(end) == Some(&b'"') {
            end += 1;
            while bytes.get(end) == Some(&b'#') {
                end += 1;
            }
        } else {
            self.out.skipped.push(format!(
                "{}: a string could not be placed: {text}",
                self.source.path.display()
            ));
            return false;
        }
        let base = slug(text);
        let mut id = base.clone();
        let mut k = 2;
        while !ids.insert(id.clone()) {
            id = format!("{base}_{k}");
            k += 1;
        }
        self.inserts.push((end, format!(", id: \"{id}\"")));
        true
    }

    /// Where a string's contents are in the file: exactly when borrowed, else the first
    /// unplaced match of its escaped form.
    fn place(&mut self, text: &Text) -> Option<Range<usize>> {
        let span = match text.offset_in(&self.source.text) {
            Some(at) => at..at + text.len(),
            None => {
                let mut from = 0;
                loop {
                    let found = self
                        .source
                        .find_literal_within(text, from..self.source.text.len())?;
                    if !self.used.contains(&found.start) {
                        break found;
                    }
                    from = found.end;
                }
            }
        };
        if !self.used.insert(span.start) {
            return None;
        }
        Some(span)
    }

    fn new_tag(&mut self, seed: &str) -> String {
        for salt in 0u32.. {
            let hash = blake3::hash(format!("{seed}\u{0}{salt}").as_bytes());
            let tag = hash.to_hex()[..6].to_string();
            if self.taken.insert(tag.clone()) {
                return tag;
            }
        }
        unreachable!("a u32 of salts always finds a free tag")
    }

    fn finish(mut self) -> Tagged {
        let mut text = self.source.text.clone();
        self.inserts.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        for (at, insert) in &self.inserts {
            text.insert_str(*at, insert);
        }
        self.out.text = text;
        self.out
    }
}

/// Every letter's fragments, one list per letter (fragment ids are unique in their letter).
fn collect_letters<'a>(steps: &'a [Step<'a>], out: &mut Vec<Vec<&'a FragmentDef<'a>>>) {
    for step in steps {
        match step {
            Step::Letter(l) => out.push(l.paragraphs.iter().flat_map(|p| &p.fragments).collect()),
            Step::If(_, s) => collect_letters(s, out),
            Step::IfElse(_, a, b) => {
                collect_letters(a, out);
                collect_letters(b, out);
            }
            _ => {}
        }
    }
}

/// An id from the first words of a text: lower case letters and digits joined by `_`, at most
/// four words and 28 characters; `choice` when there are none.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(4)
    {
        if out.len() + word.len() > 28 {
            break;
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "choice_");
        out.truncate(28);
        if out.ends_with('_') {
            out.pop();
        }
    }
    out
}
