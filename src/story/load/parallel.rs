//! Two cores: a large story compiles in two halves at once; the second half's program is
//! appended to the first with every index it holds moved, as a linker would.

use super::*;

impl<'a> Compiler<'a> {
    /// A second compiler for the same story, with the names known so far and nothing compiled.
    pub(super) fn fork(&self) -> Compiler<'a> {
        Compiler {
            variables: self.variables.clone(),
            variable_index: self.variable_index.clone(),
            characters: self.characters.clone(),
            character_index: self.character_index.clone(),
            endings: self.endings.clone(),
            ending_index: self.ending_index.clone(),
            node_index: Arc::clone(&self.node_index),
            chapter_ids: self.chapter_ids.clone(),
            chapter_starts: self.chapter_starts.clone(),
            duplicates: self.duplicates.clone(),
            letter_index: self.letter_index.clone(),
            letters: self.letters.clone(),
            ops: Vec::with_capacity(self.ops.capacity() / 2),
            lines: Vec::with_capacity(self.lines.capacity() / 2),
            text: String::with_capacity(self.text.capacity() / 2),
            pieces: Vec::with_capacity(self.pieces.capacity() / 2),
            choices: Vec::with_capacity(self.choices.capacity() / 2),
            choice_sets: Vec::with_capacity(self.choice_sets.capacity() / 2),
            effects: Vec::with_capacity(self.effects.capacity() / 2),
            two_cores: false,
            echo: self.echo,
            file_layer: self.file_layer.clone(),
            layer_ns: self.layer_ns.clone(),
            text_ranges: self.text_ranges.clone(),
            ..Compiler::new(self.sources)
        }
    }

    /// Appends what another compiler compiled after this one's program, moving every index it
    /// holds; returns where its ops begin.
    pub(super) fn append(&mut self, other: Compiler<'a>) -> usize {
        let ops = self.ops.len();
        let lines = self.lines.len();
        let text = self.text.len();
        let pieces = self.pieces.len();
        let groups = self.groups.len();
        let choices = self.choices.len();
        let sets = self.choice_sets.len();
        let effects = self.effects.len();
        let (choice_count, variant_count) = (self.choice_count, self.variant_count);
        let (alts, conds, alt_count) = (
            self.alts.len() as u32,
            self.inline_conds.len() as u32,
            self.alt_count as u32,
        );
        let moved = |t: Template| t.moved(text, pieces);
        self.ops.extend(other.ops.into_iter().map(|op| match op {
            Op::Line(l) => Op::Line(LineOp {
                line: l.line + lines as u32,
                speaker: l.speaker,
                text: moved(l.text),
                glue: l.glue,
            }),
            Op::Group(g) => Op::Group(g + groups),
            Op::JumpUnless(c, to) => Op::JumpUnless(c, to + ops),
            Op::Jump(to) => Op::Jump(to + ops),
            Op::Effects(a, b) => Op::Effects(a + effects as u32, b + effects as u32),
            Op::Choices(c) => Op::Choices(ChoicesOp {
                set: c.set + sets as u32,
                start: c.start + choices as u32,
                len: c.len,
            }),
            // Node, chapter, letter and ending indices are the story's own; gotos get their
            // entries once everything is compiled.
            op @ (Op::Enter(..)
            | Op::AddConst(..)
            | Op::Scene(_)
            | Op::Pause(_)
            | Op::Letter(_)
            | Op::ShowLetter(_)
            | Op::Goto(..)
            | Op::Detour(..)
            | Op::Return
            | Op::End(_)
            | Op::DeadEnd(_)) => op,
        }));
        self.lines.extend(other.lines.into_iter().map(|l| LineDef {
            text: moved(l.text),
            ..l
        }));
        self.text.push_str(&other.text);
        self.pieces
            .extend(other.pieces.into_iter().map(|p| match p {
                Piece::Lit(a, b) => Piece::Lit(a + text as u32, b + text as u32),
                Piece::If(cond, at) => Piece::If(cond + conds, at + alts),
                Piece::Alt(kind, slot, at, n) => Piece::Alt(kind, slot + alt_count, at + alts, n),
                var @ Piece::Var(_) => var,
            }));
        self.alts.extend(other.alts.into_iter().map(moved));
        self.inline_conds.extend(other.inline_conds);
        self.alt_count += other.alt_count;
        self.groups.extend(other.groups.into_iter().map(|mut g| {
            for v in &mut g.variants {
                v.entry += ops;
                v.global += variant_count;
            }
            g.after += ops;
            g
        }));
        self.choices
            .extend(other.choices.into_iter().map(|c| Choice {
                text: moved(c.text),
                entry: c.entry + ops,
                global: c.global + choice_count,
                ..c
            }));
        self.choice_sets.extend(
            other
                .choice_sets
                .into_iter()
                .map(|r| r.start + choices..r.end + choices),
        );
        self.effects.extend(other.effects);
        for (file, (counts, span)) in other.untagged {
            let entry = self.untagged.entry(file).or_insert(([0; 3], span));
            for (a, b) in entry.0.iter_mut().zip(counts) {
                *a += b;
            }
        }
        self.tagged.0 += other.tagged.0;
        self.line_tags.extend(
            other
                .line_tags
                .into_iter()
                .map(|(tag, file, line)| (tag, file, line + lines)),
        );
        self.choice_count += other.choice_count;
        self.variant_count += other.variant_count;
        for (mine, theirs) in self.letters.iter_mut().zip(other.letters) {
            if mine.paragraphs.is_empty() && !theirs.paragraphs.is_empty() {
                mine.paragraphs = theirs.paragraphs;
                for f in mine.paragraphs.iter_mut().flat_map(|p| &mut p.fragments) {
                    f.text = moved(f.text);
                }
            }
        }
        self.diagnostics.extend(other.diagnostics);
        ops
    }
}
