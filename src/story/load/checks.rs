//! Checks made while compiling: stable ids (duplicate line tags, choice ids; items with no id),
//! and the counts a node may hold.

use super::*;

impl<'a> Compiler<'a> {
    /// A `#line:` tag names one line in the whole story (saves and seen lines name it): each
    /// second use is reported at its own place.
    pub(super) fn check_line_tags(&mut self, nodes: &[Node], node_ends: &[usize]) {
        let mut tags = std::mem::take(&mut self.line_tags);
        tags.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
        for pair in tags.windows(2) {
            let ((tag, _, first), (again, file, line)) = (&pair[0], &pair[1]);
            if tag != again {
                continue;
            }
            let node = &nodes[self.lines[*line].node];
            let first_node = &nodes[self.lines[*first].node];
            // A mod's tag is `mod/abc` in the story but `#line:abc` in its file.
            let written = tag.rsplit_once('/').map_or(&**tag, |(_, t)| t);
            let start = node.source.offset;
            let end = node_ends[self.lines[*line].node];
            // The second use in the same node comes after the first: search past it.
            let from = if first_node.source.offset == start {
                self.sources[*file]
                    .find_text_within(&format!("#line:{written}"), start..end)
                    .map_or(start, |r| r.end)
            } else {
                start
            };
            self.cursor = Cursor {
                file: *file,
                offset: from,
                start: from,
                end,
            };
            let span = self.sources[*file].find_text_within(&format!("#line:{written}"), from..end);
            let span = span.unwrap_or_else(|| self.locate(None));
            let d = self.sources[*file].diagnostic(
                Severity::Error,
                "E003",
                span,
                format!("the line id `{tag}` is used twice (also in `{}`)", first_node.id),
                Some("every line needs its own id: delete this tag and run `her tag` to stamp a new one".into()),
            );
            self.diagnostics.push(d);
        }
    }

    /// `W124`: a choice's `then` tests what the same choice's `do` has just set (`x = ...`,
    /// `remember`, `forget`). The `do` runs first, so the test sees the value just set and its
    /// answer is always the same: a writer who meant the old value is told; one who meant it
    /// allows it (`allow: ["W124"]`). Adding (`+=`) is left alone: reading the new total is
    /// what it is for.
    pub(super) fn check_then_reads(&mut self, def: &ChoiceDef, changed: &[usize], from: usize) {
        if changed.is_empty() || def.then.is_empty() {
            return;
        }
        let mut read = Vec::new();
        for op in &self.ops[from..] {
            match op {
                Op::JumpUnless(c, _) => c.reads(&mut read),
                Op::Group(g) => {
                    for v in &self.groups[*g].variants {
                        if let Some(w) = &v.when {
                            w.cond.reads(&mut read);
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(&slot) = read.iter().find(|s| changed.contains(s)) {
            let name = self.variables[slot].name.clone();
            self.report(
                Severity::Warning,
                "W124",
                Some(&def.text),
                format!("this choice's `then` tests `{name}`, which its own `do` has just set: it sees the value just set, every time"),
                Some("if the old value was meant, test it before the choice (or set a flag there); if the new one, allow it: `allow: [\"W124\"]`".into()),
            );
        }
    }

    /// The counts a node may hold (`E025`): far above any real story, so a generated or hostile
    /// file is refused at its place instead of slowing every tool down.
    pub(super) fn check_counts(&mut self, node: &NodeDef) {
        let steps = count_steps(&node.script)
            + node
                .choices
                .iter()
                .map(|c| count_steps(&c.then))
                .sum::<usize>();
        for (count, limit, what) in [
            (node.choices.len(), MAX_CHOICES_PER_NODE, "choices"),
            (
                steps,
                MAX_STEPS_PER_NODE,
                "steps (lines, variants and the rest)",
            ),
        ] {
            if count > limit {
                self.report(
                    Severity::Error,
                    "E025",
                    Some(&node.id),
                    format!(
                        "the node `{}` has {count} {what}; a node may have at most {limit}",
                        node.id
                    ),
                    Some("split it into several nodes joined by `next`".into()),
                );
            }
        }
    }

    /// A choice's id names it within its node (saves name decisions by it): each second use is
    /// reported at its own place.
    pub(super) fn check_choice_ids(&mut self, node: &NodeDef) {
        let mut seen: Set<&str> = Set::default();
        for c in &node.choices {
            let Some(id) = &c.id else { continue };
            if !seen.insert(id.as_str()) {
                self.report(
                    Severity::Error,
                    "E003",
                    Some(id),
                    format!(
                        "the choice id `{id}` is used twice in the node `{}`",
                        node.id
                    ),
                    Some("every choice of a node needs its own id".into()),
                );
            }
        }
    }

    /// Counts an item with no stable id (0: a line, 1: a choice, 2: a fragment).
    pub(super) fn untagged_item(&mut self, kind: usize, text: &str) {
        let file = self.cursor.file;
        if let Some(entry) = self.untagged.get_mut(&file) {
            entry.0[kind] += 1;
            return;
        }
        let span = self.locate(Some(text));
        let mut counts = [0; 3];
        counts[kind] = 1;
        self.untagged.insert(file, (counts, span));
    }

    /// One `W120` a file for its items with no stable id.
    ///
    /// A story with no ids at all (one written before format 2, or a sketch) is not warned
    /// about file by file: the summary of `her check` says it once (`Story::untagged`). Once a
    /// story has ids, an item without one is a slip (a line added after `her tag`), and each
    /// file that has one is named.
    pub(super) fn report_untagged(&mut self) {
        let mut files: Vec<_> = std::mem::take(&mut self.untagged).into_iter().collect();
        self.tagged.1 = files
            .iter()
            .map(|(_, (c, _))| c.iter().map(|&n| n as usize).sum::<usize>())
            .sum();
        if self.tagged.0 == 0 {
            return;
        }
        files.sort_by_key(|(file, _)| *file);
        for (file, ([lines, choices, fragments], span)) in files {
            let d = self.sources[file].diagnostic(
                Severity::Warning,
                "W120",
                span,
                format!("{lines} lines, {choices} choices and {fragments} letter fragments in this file have no stable id; saves and seen lines then name them by position, which an edit above them changes"),
                Some("run `her tag` to stamp an id on each (a text edit; nothing else changes)".into()),
            );
            self.diagnostics.push(d);
        }
    }
}

/// The most choices one node may offer.
pub const MAX_CHOICES_PER_NODE: usize = 1_000;
/// The most steps (lines, variants, effects...) one node may hold, its choices' `then` included.
pub const MAX_STEPS_PER_NODE: usize = 10_000;
/// The most nodes a story may have, mods included (the benchmarks load 100,000).
pub const MAX_NODES: usize = 1_000_000;

/// Steps in a script, nested ones and variants' lines included.
fn count_steps(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            Step::If(_, inner) => 1 + count_steps(inner),
            Step::IfElse(_, a, b) => 1 + count_steps(a) + count_steps(b),
            Step::Variants(v) | Step::Random(v) => {
                1 + v.iter().map(|v| v.lines.len() + 1).sum::<usize>()
            }
            _ => 1,
        })
        .sum()
}

/// The flowchart's hints (`hint:` on nodes and choices), by the ids the record keeps:
/// `chapter.node`, and `chapter.node/choice` with the choice's id or, untagged, its place.
pub(super) fn hints<'d, 'a: 'd>(
    chapters: impl Iterator<Item = (&'d str, &'d crate::story::format::ChapterDef<'a>)>,
) -> std::collections::BTreeMap<String, String> {
    let mut hints = std::collections::BTreeMap::new();
    for (chapter_id, def) in chapters {
        for node in &def.nodes {
            let full = format!("{chapter_id}.{}", node.id);
            for (k, c) in node.choices.iter().enumerate() {
                if let Some(h) = &c.hint {
                    let id =
                        c.id.as_ref()
                            .map_or_else(|| (k + 1).to_string(), |i| i.to_string());
                    hints.insert(format!("{full}/{id}"), h.to_string());
                }
            }
            if let Some(h) = &node.hint {
                hints.insert(full, h.to_string());
            }
        }
    }
    hints
}

impl Compiler<'_> {
    /// The relationship axes (`axes:`), each a declared number variable: an unknown name or
    /// another type is reported where it is written.
    pub(super) fn axes(
        &mut self,
        decls: &crate::story::format::Decls<String>,
    ) -> Vec<(usize, String)> {
        let mut axes = Vec::new();
        for d in decls.iter() {
            match self.variable_index.get(&d.name).copied() {
                Some(slot) if self.variables[slot].ty == crate::story::expr::VarType::Number => {
                    axes.push((slot, d.value.clone()));
                }
                Some(_) => self.report(
                    Severity::Error,
                    "E005",
                    Some(&d.name),
                    format!("the axis `{}` is not a number variable", d.name),
                    Some("an axis is plotted chapter by chapter: declare it as `Number(0)`".into()),
                ),
                None => self.report(
                    Severity::Error,
                    "E004",
                    Some(&d.name),
                    format!("the axis `{}` is not a declared variable", d.name),
                    Some("declare it under `variables:`, as `Number(0)`".into()),
                ),
            }
        }
        axes
    }
}
