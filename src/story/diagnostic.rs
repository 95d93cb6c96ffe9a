//! Problems found in dialogue files, each with its file, line and column, a code, a message and
//! a hint; rendered like a compiler's for people (codespan-reporting) or as JSON for tools.

use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config};
use serde::Serialize;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The story cannot be loaded until it is fixed.
    Error,
    /// The story loads, but something is probably wrong.
    Warning,
}

/// One problem, with its place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A short stable code (`E002`), explained in `docs/dialogue-format.md`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The file, when the problem has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// Byte range in the file.
    #[serde(skip)]
    pub span: Option<Range<usize>>,
}

impl Diagnostic {
    /// A problem with no place (a missing folder, say).
    pub fn general(severity: Severity, code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            hint: None,
            file: None,
            line: 0,
            column: 0,
            span: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// `file:line:column: severity[code]: message`, the one-line form.
    pub fn one_line(&self) -> String {
        let place = match &self.file {
            Some(f) => format!("{}:{}:{}: ", f.display(), self.line, self.column),
            None => String::new(),
        };
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let hint = self
            .hint
            .as_ref()
            .map(|h| format!(" (hint: {h})"))
            .unwrap_or_default();
        format!("{place}{sev}[{}]: {}{hint}", self.code, self.message)
    }
}

/// A loaded file's text, kept for placing problems and printing them.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given.
    pub path: PathBuf,
    /// The text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps a file's text.
    pub fn new(path: PathBuf, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// Byte offset of a 1-based line and column.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let skip: usize = rest
            .chars()
            .take(column.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        start + skip
    }

    /// Builds a diagnostic placed at a byte range of this file.
    pub fn diagnostic(
        &self,
        severity: Severity,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) -> Diagnostic {
        let (line, column) = self.line_col(span.start);
        Diagnostic {
            severity,
            code,
            message: message.into(),
            hint,
            file: Some(self.path.clone()),
            line,
            column,
            span: Some(span),
        }
    }

    /// Finds `needle` as a RON string literal (`"..."`, escaped as RON writes it) at or after
    /// `from`; returns the byte range of the literal's contents. Falls back to a search from the
    /// start of the file, because fields may be written in any order.
    pub fn find_literal(&self, needle: &str, from: usize) -> Option<Range<usize>> {
        let escaped = format!("\"{}\"", escape(needle));
        let hit = self
            .text
            .get(from..)
            .and_then(|t| t.find(&escaped))
            .map(|i| i + from);
        let hit = hit.or_else(|| self.text.find(&escaped))?;
        Some(hit + 1..hit + escaped.len() - 1)
    }

    /// Finds `needle` as a RON string literal within a byte range of the file only: the cheap
    /// search the loader uses, so that placing things stays linear in the size of the file.
    pub fn find_literal_within(&self, needle: &str, within: Range<usize>) -> Option<Range<usize>> {
        let escaped = format!("\"{}\"", escape(needle));
        let end = within.end.min(self.text.len());
        let start = within.start.min(end);
        let hit = self.text.get(start..end)?.find(&escaped)? + start;
        Some(hit + 1..hit + escaped.len() - 1)
    }

    /// Finds text as it would be written inside a RON string (escaped), within a byte range:
    /// for a part of a literal, such as a line's words after its speaker.
    pub fn find_text_within(&self, needle: &str, within: Range<usize>) -> Option<Range<usize>> {
        let escaped = escape(needle);
        let end = within.end.min(self.text.len());
        let start = within.start.min(end);
        let hit = self.text.get(start..end)?.find(&escaped)? + start;
        Some(hit..hit + escaped.len())
    }

    /// Finds `field: "value"` (with any spacing) at or after `from`: where an `id` is declared.
    pub fn find_field(&self, field: &str, value: &str, from: usize) -> Option<Range<usize>> {
        let escaped = format!("\"{}\"", escape(value));
        let mut at = from.min(self.text.len());
        while let Some(i) = self.text[at..].find(&escaped) {
            let pos = at + i;
            let before = self.text[..pos].trim_end();
            if let Some(before) = before.strip_suffix(':')
                && before.trim_end().ends_with(field)
            {
                return Some(pos + 1..pos + escaped.len() - 1);
            }
            at = pos + escaped.len();
        }
        None
    }

    /// Maps a byte range inside a string's contents (as the program sees it, unescaped) to the
    /// file, given where the literal's contents start.
    pub fn inner_span(&self, literal: &Range<usize>, inner: &Range<usize>) -> Range<usize> {
        let raw = &self.text[literal.clone()];
        let map = |target: usize| {
            let mut seen = 0;
            let mut chars = raw.char_indices();
            while let Some((i, c)) = chars.next() {
                if seen >= target {
                    return literal.start + i;
                }
                if c == '\\' {
                    chars.next();
                }
                seen += if c == '\\' { 1 } else { c.len_utf8() };
            }
            literal.end
        };
        map(inner.start)
            ..map(inner.end)
                .max(map(inner.start) + 1)
                .min(literal.end.max(literal.start + 1))
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// Renders diagnostics like a compiler, with the offending line and a caret.
pub fn render_pretty(diagnostics: &[Diagnostic], sources: &[SourceFile], color: bool) -> String {
    let mut files = SimpleFiles::new();
    let ids: Vec<usize> = sources
        .iter()
        .map(|s| files.add(s.path.display().to_string(), s.text.clone()))
        .collect();
    let find = |path: &Path| sources.iter().position(|s| s.path == path).map(|i| ids[i]);
    let mut buffer = if color {
        term::termcolor::Buffer::ansi()
    } else {
        term::termcolor::Buffer::no_color()
    };
    let config = Config::default();
    for d in diagnostics {
        let cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_code(d.code)
        .with_message(&d.message);
        let mut cs = match (d.file.as_deref().and_then(find), &d.span) {
            (Some(id), Some(span)) => cs.with_labels(vec![Label::primary(id, span.clone())]),
            _ => cs,
        };
        if let Some(hint) = &d.hint {
            cs = cs.with_notes(vec![format!("hint: {hint}")]);
        }
        if term::emit_to_write_style(&mut buffer, &config, &files, &cs).is_err() {
            // Rendering failed (a span outside its file): fall back to the one-line form.
            buffer_push(&mut buffer, &d.one_line());
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn buffer_push(buffer: &mut term::termcolor::Buffer, line: &str) {
    use std::io::Write;
    let _ = writeln!(buffer, "{line}");
}

/// Renders diagnostics as a JSON array for tools.
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    serde_json::to_string_pretty(diagnostics).unwrap_or_else(|_| "[]".into())
}
