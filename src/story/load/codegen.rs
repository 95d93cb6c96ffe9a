//! Code generation: a node's script, choices and letters become the flat program (`Op`s) the
//! runtime walks.

use super::*;

impl<'a> Compiler<'a> {
    pub(super) fn index_letters(&mut self, step: &Step) {
        match step {
            Step::Letter(def) => {
                // A mod's letter is its own (`mod/id`), so two mods' `note`s are two letters.
                let key = self.own_id(def.id.as_str());
                if self.letter_index.contains_key(&key) {
                    self.report(
                        Severity::Error,
                        "E003",
                        Some(&def.id),
                        format!("the letter id `{}` is used twice", def.id),
                        None,
                    );
                } else {
                    self.letter_index.insert(key.clone(), self.letters.len());
                    self.letters.push(Letter {
                        id: key,
                        to: self.kept_text(&def.to),
                        paragraphs: Vec::new(),
                    });
                }
            }
            Step::If(_, steps) => steps.iter().for_each(|s| self.index_letters(s)),
            Step::IfElse(_, a, b) => a.iter().chain(b).for_each(|s| self.index_letters(s)),
            _ => {}
        }
    }

    pub(super) fn compile_node(&mut self, node: &NodeDef) {
        self.line_counter = 0;
        self.advance(&node.id);
        let gate = match (&node.when, &node.otherwise) {
            (Some(when), Some(otherwise)) => {
                let cond = self.condition(when);
                let target = self.target(otherwise);
                cond.zip(target).map(|(c, t)| (c.cond, t))
            }
            (Some(when), None) => {
                self.report(
                    Severity::Error,
                    "E011",
                    Some(when),
                    format!("the node `{}` has `when` but no `otherwise`", node.id),
                    Some("add `otherwise: \"node\"`: where the story goes when the condition does not hold".into()),
                );
                None
            }
            _ => None,
        };
        let node_ix = self.node;
        self.ops.push(Op::Enter(
            node_ix as u32,
            self.chapter_ix as u32,
            gate.map(Box::new),
        ));
        self.steps(&node.script);
        let choices_op = if node.choices.is_empty() {
            None
        } else {
            self.ops.push(Op::Choices(ChoicesOp {
                set: self.choice_sets.len() as u32,
                start: self.choices.len() as u32,
                len: node.choices.len() as u32,
            }));
            let at = self.choices.len();
            self.choice_sets.push(at..at + node.choices.len());
            Some(self.ops.len() - 1)
        };
        let after = self.ops.len();
        if let (Some(_), Some(next)) = (&node.end, &node.next) {
            self.report(
                Severity::Error,
                "E026",
                Some(next),
                format!("the node `{}` has both `next` and `end`", node.id),
                Some("a node ends the story or goes on: keep one of them".into()),
            );
        }
        let way_on = if let Some(end) = &node.end {
            self.ending(end).map(Op::End)
        } else if let Some(next) = &node.next {
            self.target(next).map(|n| Op::Goto(n as u32, 0))
        } else {
            None
        };
        self.ops.push(way_on.unwrap_or(Op::DeadEnd(node_ix)));
        self.check_choice_ids(node);
        self.check_counts(node);
        if choices_op.is_some() {
            // A choice's `then` has no choices of its own, so a set's choices stay together.
            for (k, choice) in node.choices.iter().enumerate() {
                let c = self.compile_choice(choice, k, after, &node.id);
                self.choices.push(c);
            }
        }
    }

    pub(super) fn compile_choice(
        &mut self,
        def: &ChoiceDef,
        position: usize,
        after: usize,
        node_id: &str,
    ) -> Choice {
        if def.id.is_none() {
            self.untagged_item(1, &def.text);
        } else {
            self.tagged.0 += 1;
        }
        // ink's split: `Hello[ back] right back`: the button reads `Hello back`, and what is said
        // (when the story echoes choices) `Hello right back`.
        let (shown, said) = split_choice_text(&def.text);
        let text = match &shown {
            Some(shown) => self.template(shown),
            None => self.template(&def.text),
        };
        self.advance(&def.text);
        let when = def
            .when
            .as_deref()
            .and_then(|w| self.condition(w))
            .map(|c| c.cond);
        let entry = self.ops.len();
        // A choice whose words are all inside the brackets (`[Wait.]`) says nothing, as in ink.
        let said = said.unwrap_or_else(|| def.text.to_string());
        let words = said.trim().trim_matches('"').trim();
        if let Some(speaker) = self.echo.filter(|_| !words.is_empty()) {
            let words = words.to_string();
            let template = self.template(&words);
            let id = def
                .id
                .as_ref()
                .map_or_else(|| (position + 1).to_string(), |id| id.to_string());
            self.ops.push(Op::Line(LineOp {
                line: self.lines.len() as u32,
                speaker: speaker.map_or(NARRATION, |s| s as u32),
                text: template,
                glue: false,
            }));
            self.lines.push(LineDef {
                speaker,
                text: template,
                node: self.node,
                number: u32::MAX,
                // Said from a choice: named by the choice, so it is as stable as the choice.
                tag: Some(format!("{}.{node_id}>{id}", self.chapter).into()),
                glue: false,
            });
        }
        let effects = self.effects(&def.effects);
        // What the `do` sets outright (not `+=`): a `then` that tests it always gets one answer.
        let changed: Vec<usize> = effects
            .iter()
            .filter(|e| !matches!(e, Effect::AddNum(..)))
            .map(Effect::target)
            .collect();
        self.push_effects(effects);
        let then_start = self.ops.len();
        self.steps(&def.then);
        self.check_then_reads(def, &changed, then_start);
        match def.goto.as_deref().map(|g| self.target(g)) {
            Some(Some(target)) => self.ops.push(Op::Goto(target as u32, 0)),
            Some(None) => self.ops.push(Op::DeadEnd(self.node)),
            None => self.ops.push(Op::Jump(after)),
        }
        let global = self.choice_count;
        self.choice_count += 1;
        Choice {
            // Untagged, a choice is named by its place (1-based): `her tag` gives it a name.
            id: def
                .id
                .as_ref()
                .map_or_else(|| (position + 1).to_string(), |id| id.to_string()),
            text,
            when,
            once: def.once,
            entry,
            global,
        }
    }

    /// An `Op::Effects` for the effects, if there are any.
    pub(super) fn push_effects(&mut self, effects: Vec<Effect>) {
        if let [Effect::AddNum(slot, expr::Num::Const(k))] = effects.as_slice() {
            self.ops.push(Op::AddConst(*slot as u32, *k));
        } else if !effects.is_empty() {
            let start = self.effects.len() as u32;
            self.effects.extend(effects);
            self.ops.push(Op::Effects(start, self.effects.len() as u32));
        }
    }

    pub(super) fn steps(&mut self, steps: &[Step]) {
        for step in steps {
            self.step(step);
        }
    }

    pub(super) fn step(&mut self, step: &Step) {
        match step {
            Step::Line(text) => self.line(text),
            Step::Variants(variants) => self.group(variants, false),
            Step::Random(variants) => self.group(variants, true),
            Step::If(cond, steps) => {
                let cond = self.condition(cond).map_or(Cond::Const(false), |c| c.cond);
                let jump = self.ops.len();
                self.ops.push(Op::JumpUnless(Box::new(cond), 0));
                self.steps(steps);
                let end = self.ops.len();
                if let Op::JumpUnless(_, to) = &mut self.ops[jump] {
                    *to = end;
                }
            }
            Step::IfElse(cond, then, otherwise) => {
                let cond = self.condition(cond).map_or(Cond::Const(false), |c| c.cond);
                let jump = self.ops.len();
                self.ops.push(Op::JumpUnless(Box::new(cond), 0));
                self.steps(then);
                let skip = self.ops.len();
                self.ops.push(Op::Jump(0));
                let else_at = self.ops.len();
                self.steps(otherwise);
                let end = self.ops.len();
                if let Op::JumpUnless(_, to) = &mut self.ops[jump] {
                    *to = else_at;
                }
                if let Op::Jump(to) = &mut self.ops[skip] {
                    *to = end;
                }
            }
            Step::Do(effects) => {
                let effects = self.effects(effects);
                self.push_effects(effects);
            }
            Step::Scene(scene) => {
                for who in scene.present.iter().flatten() {
                    if self.scoped(&self.character_index, who).is_none() {
                        let hint =
                            did_you_mean(who, self.character_index.keys().map(String::as_str));
                        self.report(
                            Severity::Warning,
                            "W105",
                            Some(who),
                            format!("`{who}` is not a declared character"),
                            hint,
                        );
                    }
                }
                self.ops.push(Op::Scene(Box::new(scene.clone())));
            }
            Step::Pause(secs) => {
                if !(secs.is_finite() && (0.0..=MAX_PAUSE_SECONDS).contains(secs)) {
                    let span = self.pause_span(*secs);
                    let d = self.source().diagnostic(
                        Severity::Error,
                        "E020",
                        span,
                        format!("a pause of {secs} seconds: a pause is a number of seconds from 0 to {MAX_PAUSE_SECONDS}"),
                        Some("write `Pause(1.5)`; for a long silence, a few pauses with lines between read better".into()),
                    );
                    self.diagnostics.push(d);
                }
                self.ops.push(Op::Pause(secs.clamp(0.0, MAX_PAUSE_SECONDS)));
            }
            Step::Letter(def) => self.letter(def),
            Step::ShowLetter(id) => match self.scoped(&self.letter_index, id.as_str()) {
                Some(l) => {
                    self.advance(id);
                    self.ops.push(Op::ShowLetter(l));
                }
                None => {
                    let hint = did_you_mean(id, self.letter_index.keys().map(String::as_str))
                        .or_else(letter_hint);
                    self.report(
                        Severity::Error,
                        "E008",
                        Some(id),
                        format!("no letter is called `{id}`"),
                        hint,
                    );
                }
            },
            Step::Goto(target) => {
                let op = self
                    .target(target)
                    .map_or(Op::DeadEnd(self.node), |n| Op::Goto(n as u32, 0));
                self.ops.push(op);
            }
            Step::Detour(target) => {
                let op = self
                    .target(target)
                    .map_or(Op::DeadEnd(self.node), |n| Op::Detour(n as u32, 0));
                self.ops.push(op);
            }
            Step::Return => self.ops.push(Op::Return),
            Step::End(id) => {
                let op = self.ending(id).map_or(Op::DeadEnd(self.node), Op::End);
                self.ops.push(op);
            }
        }
    }

    pub(super) fn line(&mut self, text: &str) {
        let (text, tag) = split_line_tag(text);
        self.check_ink_syntax(text);
        // Glue (ink's `<>`): at the end, the next line continues this one; at the start, this
        // one continues the line just before it in the script.
        let (text, glue) = match text.trim_end().strip_suffix("<>") {
            Some(t) => (t, true),
            None => (text, false),
        };
        let text = match text.strip_prefix("<>") {
            Some(t) => {
                if let Some(Op::Line(prev)) = self.ops.last_mut() {
                    prev.glue = true;
                    if let Some(def) = self.lines.last_mut() {
                        def.glue = true;
                    }
                }
                t
            }
            None => text,
        };
        match tag {
            Some(tag) => {
                self.tagged.0 += 1;
                self.line_tags
                    .push((self.own_id(tag).into(), self.cursor.file, self.lines.len()));
            }
            None => self.untagged_item(0, text),
        }
        let (speaker, words) = match text.split_once(':') {
            // `stranger:` (the mod's own, else the story's) or `@other_mod/nell:` (another's).
            Some((who, rest)) if self.scoped(&self.character_index, who.trim()).is_some() => (
                self.scoped(&self.character_index, who.trim()),
                rest.trim_start(),
            ),
            Some((who, _)) if looks_like_speaker(who) => {
                let hint = did_you_mean(who, self.character_index.keys().map(String::as_str))
                    .or_else(|| {
                        Some(format!(
                            "declare `{who}` in `characters` in story.ron, or reword the narration"
                        ))
                    });
                self.report(
                    Severity::Warning,
                    "W105",
                    Some(text),
                    format!("`{who}` looks like a speaker, but no character has that id; this line is read as narration"),
                    hint,
                );
                (None, text)
            }
            _ => (None, text),
        };
        let template = self.template(words);
        self.advance(text);
        let number = self.line_counter as u32;
        self.line_counter += 1;
        self.ops.push(Op::Line(LineOp {
            line: self.lines.len() as u32,
            speaker: speaker.map_or(NARRATION, |s| s as u32),
            text: template,
            glue,
        }));
        self.lines.push(LineDef {
            speaker,
            text: template,
            node: self.node,
            number,
            // A mod's line ids are its own (`mod/abc`): saves and seen lines never confuse
            // them with the story's or another mod's `abc`.
            tag: tag.map(|t| self.own_id(t).into()),
            glue,
        });
    }

    pub(super) fn group(&mut self, variants: &[VariantDef], random: bool) {
        let g = self.groups.len();
        self.ops.push(Op::Group(g));
        self.groups.push(Group {
            random,
            variants: Vec::new(),
            after: 0,
            node: self.node,
        });
        let mut jumps = Vec::new();
        for v in variants {
            // Each variant is placed at its own `when` (a borrowed condition knows where it is).
            let text = &self.source().text;
            let offset = v
                .when
                .as_ref()
                .and_then(|w| w.offset_in(text))
                .and_then(|c| text[..c].rfind("when"))
                .unwrap_or(self.cursor.offset);
            let source = SourceRef {
                file: self.cursor.file,
                offset,
            };
            let when = v.when.as_deref().and_then(|w| self.condition(w));
            let entry = self.ops.len();
            let effects = self.effects(&v.effects);
            self.push_effects(effects);
            let texts: Vec<&Text> = v.text.iter().chain(v.lines.iter()).collect();
            if texts.is_empty() {
                self.report(
                    Severity::Error,
                    "E001",
                    None,
                    "a variant has no `text` (or `lines`)",
                    Some("give it `text: \"speaker: words\"`".into()),
                );
            }
            for t in texts {
                self.line(t);
            }
            jumps.push(self.ops.len());
            self.ops.push(Op::Jump(0));
            let global = self.variant_count;
            self.variant_count += 1;
            self.groups[g].variants.push(Variant {
                when,
                weight: v.weight.unwrap_or(1),
                entry,
                global,
                source,
                max: v.max.unwrap_or(0),
                cooldown: v.cooldown.unwrap_or(0),
            });
        }
        let after = self.ops.len();
        for j in jumps {
            self.ops[j] = Op::Jump(after);
        }
        self.groups[g].after = after;
    }

    pub(super) fn letter(&mut self, def: &LetterDef) {
        let Some(&l) = self.letter_index.get(&self.own_id(def.id.as_str())) else {
            return;
        };
        self.advance(&def.id);
        if !self.letters[l].paragraphs.is_empty() {
            return;
        }
        self.check_braces(&def.to);
        let mut paragraphs = Vec::new();
        let mut ids: Set<String> = Set::default();
        for (pi, p) in def.paragraphs.iter().enumerate() {
            let mut fragments = Vec::new();
            for (fi, f) in p.fragments.iter().enumerate() {
                let id = match &f.id {
                    Some(id) => {
                        self.tagged.0 += 1;
                        id.to_string()
                    }
                    None => {
                        self.untagged_item(2, &f.text);
                        format!("{}.{}", pi + 1, fi + 1)
                    }
                };
                if !ids.insert(id.clone()) {
                    self.report(
                        Severity::Error,
                        "E003",
                        f.id.as_deref(),
                        format!(
                            "the fragment id `{id}` is used twice in the letter `{}`",
                            def.id
                        ),
                        Some("every fragment of a letter needs its own id".into()),
                    );
                }
                let text = self.template(&f.text);
                self.advance(&f.text);
                let when = f
                    .when
                    .as_deref()
                    .and_then(|w| self.condition(w))
                    .map(|c| c.cond);
                let effects = self.effects(&f.effects);
                fragments.push(Fragment {
                    id,
                    text,
                    when,
                    effects,
                });
            }
            if fragments.is_empty() {
                self.report(
                    Severity::Error,
                    "E001",
                    Some(&def.id),
                    "a letter paragraph has no fragments",
                    Some("give it at least one fragment".into()),
                );
            } else if fragments.iter().all(|f| f.when.is_some())
                && !fragments.iter().enumerate().any(|(i, a)| {
                    fragments[i + 1..].iter().any(|b| {
                        a.when
                            .as_ref()
                            .zip(b.when.as_ref())
                            .is_some_and(|(x, y)| x.complements(y))
                    })
                })
            {
                self.report(
                    Severity::Warning,
                    "W106",
                    Some(&def.id),
                    format!("every fragment of a paragraph of the letter `{}` is conditional", def.id),
                    Some("give each paragraph one fragment without `when`, so the player always has a choice".into()),
                );
            }
            if let Some(prompt) = &p.prompt {
                self.check_braces(prompt);
            }
            paragraphs.push(Paragraph {
                prompt: p.prompt.as_ref().map(|p| self.kept_text(p)),
                fragments,
            });
        }
        if paragraphs.is_empty() {
            self.report(
                Severity::Error,
                "E001",
                Some(&def.id),
                format!("the letter `{}` has no paragraphs", def.id),
                None,
            );
        }
        self.letters[l].paragraphs = paragraphs;
        self.ops.push(Op::Letter(l));
    }
}

impl Compiler<'_> {
    /// `W125`: a line that is ink's syntax, written as words (`-> knot`, `* choice`, `~ x = 1`,
    /// `VAR x = 1`): this format has a construct for each, and the line would be read aloud.
    fn check_ink_syntax(&mut self, text: &str) {
        let t = text.trim_start();
        let ours = [
            (
                "->",
                "a divert: write `Goto(\"node\")` (or `Detour(\"node\")` for a tunnel)",
            ),
            ("* ", "a choice: add it to the node's `choices`"),
            (
                "+ ",
                "a sticky choice: add it to the node's `choices` (without `once`)",
            ),
            ("~ ", "logic: write it in `Do([\"...\"])`"),
            ("VAR ", "a variable: declare it in `variables` in story.ron"),
            ("CONST ", "a constant: declare a variable in story.ron"),
            ("===", "a knot: make it a node"),
        ];
        if let Some((mark, what)) = ours.iter().find(|(m, _)| t.starts_with(m)) {
            self.report(
                Severity::Warning,
                "W125",
                Some(text),
                format!(
                    "this line starts with ink's `{}`: it would be read aloud as words",
                    mark.trim()
                ),
                Some(format!("ink's `{}` is {what}", mark.trim())),
            );
        }
    }
}

/// ink's split of a choice's text at `[...]`: what the button shows (before and inside the
/// brackets) and what is said (before and after); `None`s without brackets.
fn split_choice_text(text: &str) -> (Option<String>, Option<String>) {
    let (Some(open), Some(close)) = (text.find('['), text.rfind(']')) else {
        return (None, None);
    };
    if close < open {
        return (None, None);
    }
    let (before, inside, after) = (&text[..open], &text[open + 1..close], &text[close + 1..]);
    (
        Some(format!("{before}{inside}")),
        Some(format!("{before}{after}")),
    )
}

/// Whether the text before a line's `:` looks like a speaker's id (`nell`, `os`, or another's,
/// `@other_mod/nell`) rather than narration: only then is an unknown one worth a warning.
fn looks_like_speaker(who: &str) -> bool {
    let bare = match mods::explicit(who) {
        Some((ns, name)) if symbols::is_id(ns) => name,
        _ => who,
    };
    !bare.is_empty()
        && bare.len() <= 20
        && bare
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
