//! Text and expressions: conditions and effects compiled (each once, cached), `{name}` text
//! split into the story's text arena, and the places of their problems.

use super::*;
use crate::story::model::{Kept, kept_pieces};

impl<'a> Compiler<'a> {
    pub(super) fn expr_errors(&mut self, text: &str, errors: Vec<ExprError>) {
        // A patch's condition compiled into another's node: placed in the mod's own file.
        if let Some(file) = self.file_of(text)
            && file != self.cursor.file
        {
            let source = &self.sources[file];
            let start = text.as_ptr() as usize - source.text.as_ptr() as usize;
            let literal = start..start + text.len();
            for e in errors {
                let span = source.inner_span(&literal, &e.span);
                let d = source.diagnostic(Severity::Error, e.code, span, e.message, e.hint);
                self.diagnostics.push(d);
            }
            return;
        }
        let literal = self.find(text);
        for e in errors {
            let span = match &literal {
                Some(lit) => self.source().inner_span(lit, &e.span),
                None => self.locate(None),
            };
            let d = self
                .source()
                .diagnostic(Severity::Error, e.code, span, e.message, e.hint);
            self.diagnostics.push(d);
        }
    }

    pub(super) fn condition(&mut self, text: &str) -> Option<CompiledCond> {
        // Stories repeat their conditions ("trust >= 3"); compile each once. Relative node
        // names in calls depend on the chapter, so those are cached per chapter.
        let key = self.cache_key(text);
        if let Some(c) = self.cond_cache.get(key.as_ref()).cloned() {
            return Some(c);
        }
        // Names in the condition belong to the file it was written in (a patch's, say).
        self.text_file = self.file_of(text);
        let result = expr::compile_condition(text, &*self);
        self.text_file = None;
        if let Ok(c) = &result {
            self.cond_cache.insert(key.into_owned(), c.clone());
        }
        match result {
            Ok(c) => {
                self.advance(text);
                Some(c)
            }
            Err(errors) => {
                self.expr_errors(text, errors);
                self.advance(text);
                None
            }
        }
    }

    pub(super) fn effects(&mut self, texts: &[Text]) -> Vec<Effect> {
        let mut out = Vec::with_capacity(texts.len());
        for text in texts {
            let key = self.cache_key(text);
            if let Some(e) = self.effect_cache.get(key.as_ref()).cloned() {
                out.push(e);
            } else {
                self.text_file = self.file_of(text);
                let compiled = expr::compile_effect(text, &*self);
                self.text_file = None;
                match compiled {
                    Ok(e) => {
                        self.effect_cache.insert(key.into_owned(), e.clone());
                        out.push(e);
                    }
                    Err(errors) => self.expr_errors(text, errors),
                }
            }
            self.advance(text);
        }
        out
    }

    pub(super) fn cache_key<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let ns = self.ns_for(text);
        if text.contains('(') {
            // Names in calls are looked up in the namespace of the mod that wrote them too.
            let ns = ns.unwrap_or_default();
            format!("{}\u{0}{ns}\u{0}{text}", self.chapter).into()
        } else if let Some(ns) = ns {
            // A mod's variables are its own: its `mood += 1` is not another mod's.
            format!("\u{0}{ns}\u{0}{text}").into()
        } else {
            text.into()
        }
    }

    /// Compiles text into pieces of the story's text arena: `{name}` interpolation, inline
    /// conditions `{cond: then|else}` and alternatives `{a|b}`, `{&a|b}`, `{~a|b}`, `{!a|b}`
    /// (nested up to `MAX_TEXT_DEPTH`), `{{` and `}}` for literal braces. Most lines have no
    /// braces at all: they are copied in one go.
    pub(super) fn template(&mut self, text: &str) -> Template {
        if !text.contains(['{', '}']) {
            let a = self.text.len();
            self.text.push_str(text);
            return Template::plain(a, self.text.len());
        }
        self.template_part(text, text, 0)
    }

    /// Compiles `text`, a part of the literal `top` (for placing problems), at a nesting depth.
    /// A template's pieces are contiguous: nested branches are compiled (and appended) before
    /// the enclosing template's own pieces are.
    fn template_part(&mut self, top: &str, text: &str, depth: usize) -> Template {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut lit_start = self.text.len();
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            if rest.starts_with("{{") || rest.starts_with("}}") {
                self.text.push_str(&rest[..1]);
                i += 2;
                continue;
            }
            let Some(c) = rest.chars().next() else { break };
            if c != '{' {
                self.text.push(c);
                i += c.len_utf8();
                continue;
            }
            let Some(close) = matching_close(rest) else {
                let at = offset_in(top, rest);
                self.template_error(
                    top,
                    at..top.len(),
                    "a `{` is never closed",
                    "write `{{` for a literal brace",
                );
                self.text.push_str(rest);
                break;
            };
            if self.text.len() > lit_start {
                pieces.push(Piece::Lit(lit_start as u32, self.text.len() as u32));
            }
            if let Some(piece) = self.inline(top, &rest[..=close], depth) {
                pieces.push(piece);
            }
            lit_start = self.text.len();
            i += close + 1;
        }
        if self.text.len() > lit_start || pieces.is_empty() {
            pieces.push(Piece::Lit(lit_start as u32, self.text.len() as u32));
        }
        match pieces[..] {
            // Only escaped braces: plain text after all.
            [Piece::Lit(a, b)] => Template::plain(a as usize, b as usize),
            _ => {
                let start = self.pieces.len();
                self.pieces.extend_from_slice(&pieces);
                Template::pieced(start, pieces.len())
            }
        }
    }

    /// One `{...}` (braces included): a variable, an inline condition or alternatives.
    fn inline(&mut self, top: &str, braced: &str, depth: usize) -> Option<Piece> {
        let inner = &braced[1..braced.len() - 1];
        let at = offset_in(top, braced);
        if depth >= MAX_TEXT_DEPTH {
            self.template_error(
                top,
                at..at + braced.len(),
                &format!("inline logic nested deeper than {MAX_TEXT_DEPTH}"),
                "split the line, or move a branch into a variant",
            );
            return None;
        }
        let trimmed = inner.trim_start();
        let kind = match trimmed.chars().next() {
            Some('&') => Some(AltKind::Cycle),
            Some('~') => Some(AltKind::Shuffle),
            Some('!') => Some(AltKind::Once),
            _ => None,
        };
        if let Some(kind) = kind {
            // `{!seen: a|b}` reads as a condition on `!seen` to a writer, but `{!` is ink's
            // once-only alternatives: the first branch would show `seen: a` once, label and all.
            // Said where a declared variable (or `seen(...)`) stands before the colon.
            if kind == AltKind::Once
                && let Some(name) = negated_condition(&trimmed[1..])
                // `negated_condition` gives only a plain name or a `seen(...)`/`visits(...)` call.
                && (name.ends_with(')') || expr::Scope::variable(&*self, name).is_some())
            {
                self.template_error(
                    top,
                    at..at + braced.len(),
                    &format!(
                        "`{{!{name}: …}}` is once-only alternatives (ink's `{{!a|b}}`), not a condition on `!{name}`"
                    ),
                    &format!("write the condition as `{{not {name}: …|…}}`"),
                );
                return None;
            }
            return Some(self.alternatives(top, kind, &trimmed[1..], depth));
        }
        let colon = top_level(inner, ':');
        let bar = top_level(inner, '|');
        // Which comes first, the condition's colon or the branches' bar, decides the kind; a
        // condition's own `||` is not a bar (`{trust >= 1 || met: warm|cold}` is a condition,
        // as in ink, where it once read silently as a four-way sequence).
        let branch_bar = top_level_single_bar(inner);
        match (colon, bar) {
            (Some(c), _) if branch_bar.is_none_or(|b| c < b) => {
                // `{cond: then|else}`: the branches as written, spaces and all, as in ink: the
                // line's runs of spaces are made one when it is shown (`runtime::tidy`).
                let branches = split_top_level(&inner[c + 1..]);
                if branches.len() > 2 {
                    self.template_error(
                        top,
                        at..at + braced.len(),
                        "an inline condition has one or two branches: `{cond: then|else}`",
                        "for more cases, nest another condition in the else branch, or use `Variants`",
                    );
                    return None;
                }
                let cond = self.condition(inner[..c].trim())?;
                let then = self.template_part(top, branches[0], depth + 1);
                let otherwise = match branches.get(1) {
                    Some(b) => self.template_part(top, b, depth + 1),
                    None => Template::plain(self.text.len(), self.text.len()),
                };
                let first = self.alts.len();
                self.alts.push(then);
                self.alts.push(otherwise);
                self.inline_conds.push(cond.cond);
                Some(Piece::If(
                    (self.inline_conds.len() - 1) as u32,
                    first as u32,
                ))
            }
            (_, Some(_)) => Some(self.alternatives(top, AltKind::Sequence, inner, depth)),
            _ => match expr::check_interpolation(inner.trim(), &*self) {
                Ok(slot) => Some(Piece::Var(slot as u32)),
                Err(e) => {
                    let hint = e.hint.unwrap_or_default();
                    self.template_error(top, at..at + braced.len(), &e.message, &hint);
                    None
                }
            },
        }
    }

    /// `{a|b|c}` and its kinds: each branch a template of its own, and a counter.
    fn alternatives(&mut self, top: &str, kind: AltKind, body: &str, depth: usize) -> Piece {
        let branches: Vec<Template> = split_top_level(body)
            .into_iter()
            .map(|b| self.template_part(top, b, depth + 1))
            .collect();
        let first = self.alts.len();
        let n = branches.len();
        self.alts.extend(branches);
        let slot = self.alt_count;
        self.alt_count += 1;
        Piece::Alt(kind, slot as u32, first as u32, n as u32)
    }

    pub(super) fn template_error(
        &mut self,
        text: &str,
        inner: Range<usize>,
        message: &str,
        hint: &str,
    ) {
        let source = self.source();
        let c = self.cursor;
        let span = match self
            .span_of(text)
            .or_else(|| source.find_text_within(text, c.start..c.end))
        {
            Some(lit) => source.inner_span(&lit, &inner),
            None => self.locate(None),
        };
        let d = self.source().diagnostic(
            Severity::Error,
            "E010",
            span,
            message,
            Some(hint.to_owned()).filter(|h| !h.is_empty()),
        );
        self.diagnostics.push(d);
    }

    /// Where a `Pause(secs)` with this value is written in the current node (the first whose
    /// number reads as it), else the node.
    pub(super) fn pause_span(&mut self, secs: f32) -> Range<usize> {
        let c = self.cursor;
        let text = &self.source().text;
        let end = c.end.min(text.len());
        let mut from = c.start.min(end);
        while let Some(hit) = text[from..end].find("Pause(") {
            let at = from + hit + "Pause(".len();
            let close = text[at..end].find(')').map_or(end, |i| at + i);
            let number = text[at..close].trim();
            let same = number
                .parse::<f32>()
                .is_ok_and(|n| n == secs || (n.is_nan() && secs.is_nan()))
                || (secs.is_infinite() && number.contains("inf"))
                || (secs.is_nan() && number.contains("NaN"));
            if same {
                return at..close.max(at + 1);
            }
            from = close;
        }
        self.locate(None)
    }

    /// Checks the `{name}`s of text the player reads but that is kept as written (titles,
    /// summaries, letter headings and prompts; `Story::interpolate` fills them in): each must
    /// name a variable (`E010` at its place).
    /// Text kept as written (a title, a summary, a letter's heading or prompt), each `{name}`
    /// made the variable's id in the story: `Story::interpolate` fills these in by name when
    /// shown, and a mod's `{mood}` is its own `mod/mood` (or the story's), which by then only
    /// the loader can tell. A name that is not found is left as written (`check_braces` has
    /// reported it).
    pub(super) fn kept_text(&self, text: &str) -> String {
        if !text.contains('{') {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len() + 8);
        // The same reading as `Story::interpolate` (one scanner), so both see the same `{name}`s.
        for piece in kept_pieces(text) {
            match piece {
                Kept::Lit(lit) | Kept::Escape(lit) => out.push_str(lit),
                Kept::Name { name, raw } => match self.scoped(&self.variable_index, name) {
                    Some(slot) => {
                        out.push('{');
                        out.push_str(&self.variables[slot].name);
                        out.push('}');
                    }
                    None => out.push_str(raw),
                },
            }
        }
        out
    }

    pub(super) fn check_braces(&mut self, text: &str) {
        if !text.contains(['{', '}']) {
            return;
        }
        let (t, p) = (self.text.len(), self.pieces.len());
        let (a, c, n) = (self.alts.len(), self.inline_conds.len(), self.alt_count);
        self.template(text);
        if self.alts.len() > a {
            // Titles and headings are filled in by name only (`Story::interpolate`).
            let at = text.find('{').unwrap_or(0);
            self.template_error(
                text,
                at..text.len(),
                "only `{name}` is filled in here: inline conditions and alternatives are for lines, choices and fragments",
                "write the variants out in the line that follows, or use a variable",
            );
        }
        self.text.truncate(t);
        self.pieces.truncate(p);
        self.alts.truncate(a);
        self.inline_conds.truncate(c);
        self.alt_count = n;
    }
}

/// The deepest nesting of inline logic in one text (`{a: {b|c}|d}` is two deep).
pub const MAX_TEXT_DEPTH: usize = 8;

/// Where `part` (a slice of `top`) starts in `top`.
fn offset_in(top: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .saturating_sub(top.as_ptr() as usize)
        .min(top.len())
}

/// The index of the `}` that closes the `{` at the start of `s`, counting nesting.
fn matching_close(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The characters of `s` outside nested braces (the braces themselves left out), with their
/// byte offsets: the one scan `top_level` and `top_level_single_bar` share.
fn top_level_chars(s: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut depth = 0usize;
    s.char_indices().filter(move |&(_, ch)| match ch {
        '{' => {
            depth += 1;
            false
        }
        '}' => {
            depth = depth.saturating_sub(1);
            false
        }
        _ => depth == 0,
    })
}

/// The first `c` outside nested braces.
fn top_level(s: &str, c: char) -> Option<usize> {
    top_level_chars(s).find(|&(_, ch)| ch == c).map(|(i, _)| i)
}

/// For `{!name: ...}`: the `name` (a variable, or `seen(...)`/`visits(...)`) when what follows the
/// `!` up to the first top-level `:` is exactly that, as a writer would write a negated condition.
fn negated_condition(body: &str) -> Option<&str> {
    let colon = top_level(body, ':')?;
    if top_level(body, '|').is_some_and(|b| b < colon) {
        return None;
    }
    let name = body[..colon].trim();
    let simple = |n: &str| {
        n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let call = |n: &str| (n.starts_with("seen(") || n.starts_with("visits(")) && n.ends_with(')');
    (simple(name) || call(name)).then_some(name)
}

/// The first `|` outside nested braces that is not half of a `||` (a condition's "or").
fn top_level_single_bar(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    top_level_chars(s)
        .find(|&(i, ch)| {
            ch == '|' && bytes.get(i + 1) != Some(&b'|') && (i == 0 || bytes[i - 1] != b'|')
        })
        .map(|(i, _)| i)
}

/// Splits at every `|` outside nested braces.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = top_level(rest, '|') {
        out.push(&rest[..i]);
        rest = &rest[i + 1..];
    }
    out.push(rest);
    out
}

/// The longest pause, in seconds: longer silences read as a frozen game.
pub const MAX_PAUSE_SECONDS: f32 = 60.0;
