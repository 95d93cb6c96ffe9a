//! Problems found in dialogue files, each with its file, line and column, a code, a message and
//! a hint; rendered like a compiler's for people (codespan-reporting) or as JSON for tools.

use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::{self, Files};
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
            // A problem with a whole file (too large, skipped) has no line.
            Some(f) if self.line == 0 => format!("{}: ", f.display()),
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

/// How many problems of one code a report shows before it only counts the rest.
pub const SHOWN_PER_CODE: usize = 10;
/// How many problems of one code the JSON report lists (tools may want more than people).
pub const LISTED_PER_CODE: usize = 100;
/// The widest source line quoted, in characters: the part around the problem's column.
pub const QUOTE_WIDTH: usize = 160;
/// The longest message or hint shown, in characters.
pub const MESSAGE_WIDTH: usize = 400;
/// The most bytes a report holds (whatever the input, `her check` prints less than 1 MB).
pub const MAX_REPORT_BYTES: usize = 512 << 10;

/// Which problems a report shows: the first `per_code` of each code, in order, and then, for
/// each code with more, its severity and how many were left out (in the order codes first
/// appear).
fn shown(
    diagnostics: &[Diagnostic],
    per_code: usize,
) -> (Vec<&Diagnostic>, Vec<(&'static str, Severity, usize)>) {
    let mut seen: Vec<(&'static str, Severity, usize)> = Vec::new();
    let mut kept = Vec::new();
    for d in diagnostics {
        let count = match seen.iter_mut().find(|(code, _, _)| *code == d.code) {
            Some(entry) => {
                entry.2 += 1;
                entry.2
            }
            None => {
                seen.push((d.code, d.severity, 1));
                1
            }
        };
        if count <= per_code {
            kept.push(d);
        }
    }
    let left_out = seen
        .into_iter()
        .filter(|(_, _, n)| *n > per_code)
        .map(|(code, severity, n)| (code, severity, n - per_code))
        .collect();
    (kept, left_out)
}

/// Text from a file or a message, made safe to print: control characters (a terminal's escape
/// sequences) replaced, and cut to `width` characters with an ellipsis.
fn clean(text: &str, width: usize) -> String {
    let mut out: String = text
        .chars()
        .take(width)
        .map(|c| {
            if c.is_control() && c != '\n' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    if text.chars().nth(width).is_some() {
        out.push('…');
    }
    out
}

/// One quoted source line, as codespan sees a file: the line alone (cut to `QUOTE_WIDTH` around
/// the problem, cleaned), numbered as in the real file. Quoting one line, never the whole span,
/// is what keeps a report small when a span covers a whole chapter or a line is megabytes long.
struct Excerpt {
    name: String,
    text: String,
    /// The 1-based line in the real file.
    line: usize,
    /// The real 0-based column of the first character after the leading ellipsis.
    from: usize,
    /// Bytes of the leading ellipsis (0 when the line is quoted from its start).
    lead: usize,
}

impl Excerpt {
    /// The excerpt of `source` around `span`, and the span moved into it.
    fn new(source: &SourceFile, span: &Range<usize>) -> (Excerpt, Range<usize>) {
        let text = &source.text;
        let mut start = span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let line_ix = source.line_starts.partition_point(|&s| s <= start) - 1;
        let line_start = source.line_starts[line_ix];
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[line_start..line_end]
            .strip_suffix('\r')
            .unwrap_or(&text[line_start..line_end]);
        let column = text[line_start..start].chars().count();
        let length = line.chars().count();
        let from = if length <= QUOTE_WIDTH {
            0
        } else {
            column
                .saturating_sub(QUOTE_WIDTH / 2)
                .min(length - QUOTE_WIDTH)
        };
        let to = (from + QUOTE_WIDTH).min(length);
        let span_end = span.end.clamp(start, line_start + line.len());
        let mut out = String::new();
        if from > 0 {
            out.push('…');
        }
        let lead = out.len();
        let (mut at, mut until) = (None, None);
        for (i, c) in line.char_indices().skip(from).take(to - from) {
            let byte = line_start + i;
            if byte >= start && at.is_none() {
                at = Some(out.len());
            }
            if byte >= span_end && until.is_none() {
                until = Some(out.len());
            }
            out.push(if c.is_control() && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            });
        }
        let body = out.len();
        if to < length {
            out.push('…');
        }
        let at = at.unwrap_or(body);
        let until = until.unwrap_or(body).max(at);
        let excerpt = Excerpt {
            name: clean(&source.path.display().to_string(), MESSAGE_WIDTH),
            text: out,
            line: line_ix + 1,
            from,
            lead,
        };
        (excerpt, at..until)
    }

    /// A file for problems with no place to quote.
    fn none() -> Excerpt {
        Excerpt {
            name: String::new(),
            text: String::new(),
            line: 1,
            from: 0,
            lead: 0,
        }
    }
}

impl<'a> Files<'a> for Excerpt {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), _byte_index: usize) -> Result<usize, files::Error> {
        Ok(0)
    }

    fn line_number(&'a self, (): (), _line_index: usize) -> Result<usize, files::Error> {
        Ok(self.line)
    }

    fn column_number(
        &'a self,
        (): (),
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let before = self
            .text
            .get(self.lead.min(byte_index)..byte_index)
            .map_or(0, |s| s.chars().count());
        Ok(self.from + before + 1)
    }

    fn line_range(&'a self, (): (), _line_index: usize) -> Result<Range<usize>, files::Error> {
        Ok(0..self.text.len())
    }
}

/// Renders diagnostics like a compiler, with the offending line and a caret. Bounded whatever
/// the input: each problem quotes one line, cut to `QUOTE_WIDTH` columns; after
/// `SHOWN_PER_CODE` problems of one code the rest are counted (`... and 9 more E002
/// problems`); the whole stays under `MAX_REPORT_BYTES`.
pub fn render_pretty(diagnostics: &[Diagnostic], sources: &[SourceFile], color: bool) -> String {
    let find = |path: &Path| sources.iter().find(|s| s.path == path);
    let mut buffer = if color {
        term::termcolor::Buffer::ansi()
    } else {
        term::termcolor::Buffer::no_color()
    };
    let config = Config::default();
    let (kept, left_out) = shown(diagnostics, SHOWN_PER_CODE);
    let mut printed = 0;
    for d in &kept {
        if buffer.len() > MAX_REPORT_BYTES {
            break;
        }
        printed += 1;
        let cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_code(d.code)
        .with_message(clean(&d.message, MESSAGE_WIDTH));
        let (excerpt, mut cs) = match (d.file.as_deref().and_then(find), &d.span) {
            (Some(source), Some(span)) => {
                let (excerpt, span) = Excerpt::new(source, span);
                (excerpt, cs.with_labels(vec![Label::primary((), span)]))
            }
            _ => (Excerpt::none(), cs),
        };
        if let Some(hint) = &d.hint {
            cs = cs.with_notes(vec![format!("hint: {}", clean(hint, MESSAGE_WIDTH))]);
        }
        if term::emit_to_write_style(&mut buffer, &config, &excerpt, &cs).is_err() {
            // Rendering failed (a span outside its file): fall back to the one-line form.
            buffer_push(&mut buffer, &clean(&d.one_line(), MESSAGE_WIDTH));
        }
    }
    if printed < kept.len() {
        buffer_push(
            &mut buffer,
            &format!(
                "... and {} more problems: the report stops at {} KiB (fix these first)",
                diagnostics.len() - printed,
                MAX_REPORT_BYTES >> 10
            ),
        );
    } else {
        for (code, _, n) in left_out {
            buffer_push(
                &mut buffer,
                &format!(
                    "... and {n} more {code} problem{}",
                    if n == 1 { "" } else { "s" }
                ),
            );
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn buffer_push(buffer: &mut term::termcolor::Buffer, line: &str) {
    use std::io::Write;
    let _ = writeln!(buffer, "{line}");
}

/// Renders diagnostics as a JSON array for tools, bounded like `render_pretty`: up to
/// `LISTED_PER_CODE` problems of each code, messages cut to `MESSAGE_WIDTH`, under
/// `MAX_REPORT_BYTES`. What is left out is counted in entries of the same shape, with no file:
/// `{"severity": "error", "code": "E002", "message": "... and 12 more E002 problems, not
/// listed", "line": 0, "column": 0}`.
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    let (kept, left_out) = shown(diagnostics, LISTED_PER_CODE);
    let mut listed: Vec<Diagnostic> = Vec::new();
    let mut size = 0;
    for d in &kept {
        let mut d = (*d).clone();
        d.message = clean(&d.message, MESSAGE_WIDTH);
        d.hint = d.hint.as_deref().map(|h| clean(h, MESSAGE_WIDTH));
        // Pretty JSON is about twice the compact size.
        size += 2 * serde_json::to_string(&d).map_or(0, |s| s.len());
        if size > MAX_REPORT_BYTES {
            break;
        }
        listed.push(d);
    }
    if listed.len() < kept.len() {
        let first = kept[listed.len()];
        listed.push(Diagnostic::general(
            first.severity,
            first.code,
            format!(
                "... and {} more problems, not listed: the report stops at {} KiB",
                diagnostics.len() - listed.len(),
                MAX_REPORT_BYTES >> 10
            ),
        ));
    } else {
        for (code, severity, n) in left_out {
            listed.push(Diagnostic::general(
                severity,
                code,
                format!("... and {n} more {code} problems, not listed"),
            ));
        }
    }
    serde_json::to_string_pretty(&listed).unwrap_or_else(|_| "[]".into())
}

impl SourceFile {
    /// The contents of the `n`-th (0-based) string literal equal to `needle` in the file: where
    /// a name declared a second time is.
    pub fn find_nth_literal(&self, needle: &str, n: usize) -> Option<Range<usize>> {
        let mut from = 0;
        let mut found = None;
        for _ in 0..=n {
            let hit = self.find_literal_within(needle, from..self.text.len())?;
            from = hit.end;
            found = Some(hit);
        }
        found
    }
}
