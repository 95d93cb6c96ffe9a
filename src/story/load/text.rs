//! Text and expressions: conditions and effects compiled (each once, cached), `{name}` text
//! split into the story's text arena, and the places of their problems.

use super::*;

impl<'a> Compiler<'a> {
    pub(super) fn expr_errors(&mut self, text: &str, errors: Vec<ExprError>) {
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
        let result = expr::compile_condition(text, &*self);
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
                match expr::compile_effect(text, &*self) {
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
        if text.contains('(') {
            format!("{}\u{0}{text}", self.chapter).into()
        } else {
            text.into()
        }
    }

    /// Compiles `{variable}` text into pieces of the story's text arena. Most lines have no
    /// braces at all: they are copied in one go.
    pub(super) fn template(&mut self, text: &str) -> Template {
        let start = self.pieces.len();
        if !text.contains(['{', '}']) {
            let a = self.text.len();
            self.text.push_str(text);
            return Template::plain(a, self.text.len());
        }
        let mut lit_start = self.text.len();
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    self.text.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    self.text.push('}');
                }
                '{' => {
                    let rest = &text[i + 1..];
                    let Some(close) = rest.find('}') else {
                        self.template_error(
                            text,
                            i..text.len(),
                            "a `{` is never closed",
                            "write `{{` for a literal brace",
                        );
                        self.text.push_str(&text[i..]);
                        break;
                    };
                    let name = rest[..close].trim();
                    match expr::check_interpolation(name, &*self) {
                        Ok(slot) => {
                            if self.text.len() > lit_start {
                                self.pieces
                                    .push(Piece::Lit(lit_start as u32, self.text.len() as u32));
                            }
                            self.pieces.push(Piece::Var(slot as u32));
                            lit_start = self.text.len();
                        }
                        Err(e) => {
                            let hint = e.hint.unwrap_or_default();
                            self.template_error(text, i..i + close + 2, &e.message, &hint);
                        }
                    }
                    // Skip to after the closing brace.
                    while let Some((j, _)) = chars.peek() {
                        if *j > i + 1 + close {
                            break;
                        }
                        chars.next();
                    }
                }
                c => self.text.push(c),
            }
        }
        if self.text.len() > lit_start || self.pieces.len() == start {
            self.pieces
                .push(Piece::Lit(lit_start as u32, self.text.len() as u32));
        }
        match self.pieces[start..] {
            // Only escaped braces: plain text after all.
            [Piece::Lit(a, b)] => {
                self.pieces.truncate(start);
                Template::plain(a as usize, b as usize)
            }
            _ => Template::pieced(start, self.pieces.len() - start),
        }
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
    pub(super) fn check_braces(&mut self, text: &str) {
        if !text.contains(['{', '}']) {
            return;
        }
        let (t, p) = (self.text.len(), self.pieces.len());
        self.template(text);
        self.text.truncate(t);
        self.pieces.truncate(p);
    }
}

/// The longest pause, in seconds: longer silences read as a frozen game.
pub const MAX_PAUSE_SECONDS: f32 = 60.0;
