//! Patches: a mod's `Patch(ops: [...])` applied, in load order, to the merged chapters, each
//! operation finding what it extends by stable id (a node `@base/chapter.node`, a line by its
//! `#line:` id, a letter by its id). Runs after every whole-node replacement, so a patch lands
//! on the node as it will be played; one whose anchor a replacement removed is skipped with
//! `W127`, naming the replacement.

use super::mods::{MAX_PATCH_OPS, ModInfo, explicit, internal_node_id};
use super::*;
use crate::story::format::{FragmentDef, PatchDef, PatchOp};

/// A node of a merged chapter: (chapter, position).
type NodeAt = (usize, usize);

impl<'a> Compiler<'a> {
    /// Applies every mod's patches, in load order, to the merged chapters.
    pub(super) fn apply_patches(
        &mut self,
        merged: &mut [MergedChapter<'a>],
        patches: Vec<(usize, usize, PatchDef<'a>)>,
        removed: &Map<String, String>,
        mods: &mut [ModInfo],
    ) {
        for (file, layer, patch) in patches {
            self.cursor = Cursor::file(file);
            let ns = self
                .layer_ns
                .get(layer)
                .cloned()
                .flatten()
                .unwrap_or_default();
            let changes = &mut mods[layer - 1].changes;
            if patch.ops.len() > MAX_PATCH_OPS {
                let d = Diagnostic {
                    file: Some(self.sources[file].path.clone()),
                    ..Diagnostic::general(
                        Severity::Error,
                        "E025",
                        format!(
                            "this file holds {} patch operations; a mod may hold at most {MAX_PATCH_OPS}",
                            patch.ops.len()
                        ),
                    )
                };
                self.diagnostics.push(d);
                continue;
            }
            let mut notes = Vec::new();
            for op in patch.ops {
                match op {
                    PatchOp::AddChoices(def) => {
                        let Some((c, n)) = self.patch_node(merged, &def.to) else {
                            continue;
                        };
                        let count = def.choices.len();
                        let node = &mut merged[c].2.nodes[n];
                        for mut choice in def.choices {
                            if let Some(id) = &choice.id {
                                choice.id = Some(Text(format!("{ns}/{id}").into()));
                            }
                            node.choices.push(choice);
                        }
                        notes.push(format!(
                            "adds {count} choice{} to {}",
                            plural(count),
                            node_name(&merged[c], n)
                        ));
                    }
                    PatchOp::InsertSteps(def) => {
                        let (anchor, before) = match (&def.before, &def.after) {
                            (Some(b), None) => (b, true),
                            (None, Some(a)) => (a, false),
                            _ => {
                                let at = def.before.as_ref().or(def.after.as_ref());
                                self.report(
                                    Severity::Error,
                                    "E026",
                                    at.map(|t| t.as_str()),
                                    "`InsertSteps` needs one of `before` and `after`, not both",
                                    Some(
                                        "write `before: \"@base/LINE\"` or `after: \"@base/LINE\"`"
                                            .into(),
                                    ),
                                );
                                continue;
                            }
                        };
                        let tag = line_ref(anchor);
                        let count = def.steps.len();
                        let mut steps = Some(def.steps);
                        let hit = merged.iter_mut().enumerate().find_map(|(ci, m)| {
                            m.2.nodes.iter_mut().enumerate().find_map(|(ni, node)| {
                                let done = insert_steps(&mut node.script, tag, before, &mut steps)
                                    || node.choices.iter_mut().any(|ch| {
                                        insert_steps(&mut ch.then, tag, before, &mut steps)
                                    });
                                done.then_some((ci, ni))
                            })
                        });
                        match hit {
                            Some((c, n)) => notes.push(format!(
                                "inserts {count} step{} {} line {tag} in {}",
                                plural(count),
                                if before { "before" } else { "after" },
                                node_name(&merged[c], n)
                            )),
                            None => self.anchor_missing(anchor, "line", tag, removed),
                        }
                    }
                    PatchOp::AddVariants(def) => {
                        let tag = line_ref(&def.to);
                        let count = def.variants.len();
                        let mut variants = Some(def.variants);
                        let hit = merged.iter_mut().enumerate().find_map(|(ci, m)| {
                            m.2.nodes.iter_mut().enumerate().find_map(|(ni, node)| {
                                let done = add_variants(&mut node.script, tag, &mut variants)
                                    || node
                                        .choices
                                        .iter_mut()
                                        .any(|ch| add_variants(&mut ch.then, tag, &mut variants));
                                done.then_some((ci, ni))
                            })
                        });
                        match hit {
                            Some((c, n)) => notes.push(format!(
                                "adds {count} variant{} to line {tag} in {}",
                                plural(count),
                                node_name(&merged[c], n)
                            )),
                            None => self.anchor_missing(&def.to, "line", tag, removed),
                        }
                    }
                    PatchOp::AddFragments(def) => {
                        let letter = line_ref(&def.to);
                        let count = def.fragments.len();
                        let mut fragments: Vec<FragmentDef> = def.fragments;
                        for f in &mut fragments {
                            if let Some(id) = &f.id {
                                f.id = Some(Text(format!("{ns}/{id}").into()));
                            }
                        }
                        let mut fragments = Some(fragments);
                        let mut paragraphs = None;
                        let found = merged.iter_mut().any(|m| {
                            m.2.nodes.iter_mut().any(|node| {
                                node.script
                                    .iter_mut()
                                    .chain(node.choices.iter_mut().flat_map(|c| c.then.iter_mut()))
                                    .any(|s| {
                                        add_fragments(
                                            s,
                                            letter,
                                            def.paragraph,
                                            &mut fragments,
                                            &mut paragraphs,
                                        )
                                    })
                            })
                        });
                        match (found, paragraphs) {
                            (true, None) => notes.push(format!(
                                "adds {count} fragment{} to paragraph {} of the letter {letter}",
                                plural(count),
                                def.paragraph
                            )),
                            (true, Some(n)) => self.report(
                                Severity::Error,
                                "E029",
                                Some(&def.to),
                                format!(
                                    "the letter `{letter}` has {n} paragraph{}; there is no paragraph {}",
                                    plural(n),
                                    def.paragraph
                                ),
                                Some("paragraphs are numbered from 1".into()),
                            ),
                            (false, _) => self.anchor_missing(&def.to, "letter", letter, removed),
                        }
                    }
                    // Merged with the chapter files, before any patch.
                    PatchOp::AddNodes(_) => {}
                }
            }
            changes.extend(notes);
        }
    }

    /// The node a patch names, reported when there is none.
    fn patch_node(&mut self, merged: &[MergedChapter], to: &str) -> Option<NodeAt> {
        // A chapter id never holds a `.`: `chapter.node` splits at the first one.
        for want in self.candidates(to) {
            let Some((chapter, node)) = want.split_once('.') else {
                continue;
            };
            if let Some(c) = merged.iter().position(|m| m.0 == chapter)
                && let Some(n) =
                    (0..merged[c].2.nodes.len()).find(|&n| internal_node_id(&merged[c], n) == node)
            {
                return Some((c, n));
            }
        }
        let all = merged.iter().flat_map(|m| {
            (0..m.2.nodes.len()).map(move |n| format!("{}.{}", m.0, internal_node_id(m, n)))
        });
        let names: Vec<String> = all.collect();
        let hint = did_you_mean(
            to.trim_start_matches("@base/"),
            names.iter().map(String::as_str),
        )
        .or_else(|| {
            Some(
                "name the node as `@base/chapter.node` (or `@mod/chapter.node` for a mod's)".into(),
            )
        });
        self.report(
            Severity::Error,
            "E029",
            Some(to),
            format!("the patch names the node `{to}`, and there is none"),
            hint,
        );
        None
    }

    /// A patch's line or letter was not found: `W127` when another mod's replacement removed it
    /// (naming where), else `E029`.
    fn anchor_missing(
        &mut self,
        written: &str,
        what: &str,
        id: &str,
        removed: &Map<String, String>,
    ) {
        match removed.get(id) {
            Some(by) => self.report(
                Severity::Warning,
                "W127",
                Some(written),
                format!(
                    "this patch is skipped: the {what} `{id}` was in a node that {by} replaces without it"
                ),
                Some("the two mods conflict here: ask for the id in the replacement, or patch the replacing mod".into()),
            ),
            None => self.report(
                Severity::Error,
                "E029",
                Some(written),
                format!("the patch names the {what} `{id}`, and there is none"),
                Some(match what {
                    "line" => "name a line by its `#line:` id, as `@base/9e8338`".into(),
                    _ => "name a letter by its `id`, as `@base/anniversary`".into(),
                }),
            ),
        }
    }
}
fn node_name(chapter: &MergedChapter, n: usize) -> String {
    format!("{}.{}", chapter.0, internal_node_id(chapter, n))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The id a patch gives a line or letter: `@ns/` dropped. Patches find lines and letters by
/// their tags as written in the merged files, before a mod's ids are made its own (`mod/id`)
/// at compiling, so the bare tag is what they match.
fn line_ref(written: &str) -> &str {
    explicit(written).map_or(written, |(_, rest)| rest)
}

/// The `#line:` id of a text, if any.
fn tag_of(text: &str) -> Option<&str> {
    split_line_tag(text).1
}

/// Whether a step says the line `tag` (itself, or as one of its variants).
fn says(step: &Step, tag: &str) -> bool {
    match step {
        Step::Line(t) => tag_of(t) == Some(tag),
        Step::Variants(vs) | Step::Random(vs) => vs.iter().any(|v| {
            v.text
                .iter()
                .chain(&v.lines)
                .any(|t| tag_of(t) == Some(tag))
        }),
        _ => false,
    }
}

/// Inserts `steps` before or after the step that says `tag`, looking inside `If`s; true when
/// done.
fn insert_steps<'a>(
    script: &mut Vec<Step<'a>>,
    tag: &str,
    before: bool,
    steps: &mut Option<Vec<Step<'a>>>,
) -> bool {
    if steps.is_none() {
        return false;
    }
    if let Some(i) = script.iter().position(|s| says(s, tag)) {
        let at = if before { i } else { i + 1 };
        let new = steps.take().unwrap_or_default();
        script.splice(at..at, new);
        return true;
    }
    script.iter_mut().any(|s| match s {
        Step::If(_, inner) => insert_steps(inner, tag, before, steps),
        Step::IfElse(_, a, b) => {
            insert_steps(a, tag, before, steps) || insert_steps(b, tag, before, steps)
        }
        _ => false,
    })
}

/// Adds variants to the line `tag`: a `Line` becomes `Variants` with itself as the fallback;
/// in `Variants` or `Random` the new ones join it. True when done.
fn add_variants<'a>(
    script: &mut [Step<'a>],
    tag: &str,
    variants: &mut Option<Vec<VariantDef<'a>>>,
) -> bool {
    if variants.is_none() {
        return false;
    }
    for step in script.iter_mut() {
        if !says(step, tag) {
            let inside = match step {
                Step::If(_, inner) => add_variants(inner, tag, variants),
                Step::IfElse(_, a, b) => {
                    add_variants(a, tag, variants) || add_variants(b, tag, variants)
                }
                _ => false,
            };
            if inside {
                return true;
            }
            continue;
        }
        let new = variants.take().unwrap_or_default();
        match step {
            Step::Line(text) => {
                let original = VariantDef {
                    when: None,
                    weight: None,
                    text: Some(text.clone()),
                    lines: Vec::new(),
                    effects: Vec::new(),
                    max: None,
                    cooldown: None,
                };
                let mut all = vec![original];
                all.extend(new);
                *step = Step::Variants(all);
            }
            Step::Variants(vs) | Step::Random(vs) => vs.extend(new),
            _ => {}
        }
        return true;
    }
    false
}

/// Adds fragments to a paragraph (from 1) of the letter `id`, looking inside `If`s. True when
/// the letter was found; `paragraphs` is set to the letter's count when the paragraph is not.
fn add_fragments<'a>(
    step: &mut Step<'a>,
    id: &str,
    paragraph: u32,
    fragments: &mut Option<Vec<FragmentDef<'a>>>,
    paragraphs: &mut Option<usize>,
) -> bool {
    match step {
        Step::Letter(def) if def.id.as_str() == id => {
            let count = def.paragraphs.len();
            match (paragraph as usize)
                .checked_sub(1)
                .and_then(|p| def.paragraphs.get_mut(p))
            {
                Some(p) => p.fragments.extend(fragments.take().unwrap_or_default()),
                None => *paragraphs = Some(count),
            }
            true
        }
        Step::If(_, inner) => inner
            .iter_mut()
            .any(|s| add_fragments(s, id, paragraph, fragments, paragraphs)),
        Step::IfElse(_, a, b) => a
            .iter_mut()
            .chain(b.iter_mut())
            .any(|s| add_fragments(s, id, paragraph, fragments, paragraphs)),
        _ => false,
    }
}

/// Every `#line:` id a node says (script, choices, variants, `If`s).
pub(super) fn collect_tags(node: &NodeDef, out: &mut Vec<String>) {
    fn steps(list: &[Step], out: &mut Vec<String>) {
        for step in list {
            match step {
                Step::Line(t) => out.extend(split_line_tag(t).1.map(str::to_owned)),
                Step::Variants(vs) | Step::Random(vs) => {
                    for v in vs {
                        for t in v.text.iter().chain(&v.lines) {
                            out.extend(split_line_tag(t).1.map(str::to_owned));
                        }
                    }
                }
                Step::If(_, inner) => steps(inner, out),
                Step::IfElse(_, a, b) => {
                    steps(a, out);
                    steps(b, out);
                }
                _ => {}
            }
        }
    }
    steps(&node.script, out);
    for c in &node.choices {
        steps(&c.then, out);
    }
}
