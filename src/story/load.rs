//! Loading: dialogue folders (the base story, then mods laid over it) are read, parsed as RON,
//! merged, and compiled into one immutable `Story`. Every problem is collected with its place;
//! nothing stops at the first.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ron::extensions::Extensions;

use super::diagnostic::{Diagnostic, Severity, SourceFile};
use super::expr::{self, CompiledCond, Cond, Effect, ExprError, Scope, Value, VarType};
use super::files;
use super::format::{
    ChapterDef, CharacterDef, ChoiceDef, Decls, DialogueFile, EndingDef, LetterDef, ModDef,
    NodeDef, Step, StoryDef, Text, VarDef, VariantDef,
};
use super::model::{
    Chapter, Character, Choice, ChoicesOp, Ending, Fragment, Group, Letter, LineDef, LineOp, Map,
    NARRATION, Node, NodeIx, Op, Paragraph, Piece, SourceRef, Story, Template, Variable, Variant,
    split_line_tag,
};

/// A set with the engine's fast hasher.
type Set<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
use super::validate;

/// What loading produced: the story when it has no errors, every problem, and the sources (for
/// printing the problems with their lines).
#[derive(Debug)]
pub struct LoadReport {
    /// The story, when there were no errors.
    pub story: Option<Story>,
    /// Every problem found, errors first within each file.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read.
    pub sources: Vec<SourceFile>,
    /// Mods left out because they had errors (see `load_with_mods`).
    pub skipped_mods: Vec<PathBuf>,
}

impl LoadReport {
    /// Whether any problem is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// RON as writers write it: `when: "x"` rather than `when: Some("x")`, and `Letter(id: ...)`
/// rather than `Letter((id: ...))`.
pub(crate) fn ron_options() -> ron::Options {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME | Extensions::UNWRAP_VARIANT_NEWTYPES)
}

/// Loads layers of dialogue: the first path is the base story, each later one a mod. A path is
/// a folder (every `.ron` file under it, in name order) or a single file. Reading is
/// `files::read_dialogue`: links and special files skipped, sizes bounded, the byte-order mark
/// dropped.
pub fn load(paths: &[PathBuf]) -> LoadReport {
    let read = files::read_dialogue(paths, &files::Limits::default());
    let mut diagnostics = read.diagnostics;
    let mut report = compile_sources(read.sources, &read.layers);
    diagnostics.append(&mut report.diagnostics);
    report.diagnostics = diagnostics;
    if report.has_errors() {
        report.story = None;
    }
    report
}

/// Loads the base story and mods so that a broken mod never breaks the game: a mod whose files
/// have errors is left out (and named in `skipped_mods`), and the rest loads.
pub fn load_with_mods(base: &Path, mods: &[PathBuf]) -> LoadReport {
    let mut kept: Vec<PathBuf> = mods.to_vec();
    let mut skipped = Vec::new();
    let mut all_diagnostics = Vec::new();
    loop {
        let mut paths = vec![base.to_path_buf()];
        paths.extend(kept.iter().cloned());
        let mut report = load(&paths);
        let broken: Vec<PathBuf> = kept
            .iter()
            .filter(|m| {
                report.diagnostics.iter().any(|d| {
                    d.severity == Severity::Error
                        && d.file.as_deref().is_some_and(|f| f.starts_with(m))
                })
            })
            .cloned()
            .collect();
        if broken.is_empty() || !report.has_errors() {
            all_diagnostics.append(&mut report.diagnostics);
            report.diagnostics = all_diagnostics;
            report.skipped_mods = skipped;
            return report;
        }
        // Keep the broken mods' own problems to show the player, then try without them.
        all_diagnostics.extend(report.diagnostics.into_iter().filter(|d| {
            d.file
                .as_deref()
                .is_some_and(|f| broken.iter().any(|m| f.starts_with(m)))
        }));
        kept.retain(|m| !broken.contains(m));
        skipped.extend(broken);
    }
}

/// A parsed file and where it came from.
struct Parsed<'a> {
    file: usize,
    layer: usize,
    content: DialogueFile<'a>,
}

/// Compiles already-read sources; `layers` splits them into the base story and mods. Used by
/// `load`, and directly by tests and tools that hold dialogue in memory.
pub fn compile_sources(sources: Vec<SourceFile>, layers: &[Range<usize>]) -> LoadReport {
    compile(sources, layers, true)
}

/// `compile_sources` on one core only: what the two-core compile must match, exactly (a test
/// holds them to it).
#[doc(hidden)]
pub fn compile_sources_on_one_core(
    sources: Vec<SourceFile>,
    layers: &[Range<usize>],
) -> LoadReport {
    compile(sources, layers, false)
}

fn compile(sources: Vec<SourceFile>, layers: &[Range<usize>], two_cores: bool) -> LoadReport {
    let mut diagnostics = Vec::new();
    let mut parsed = Vec::new();
    // Parsing RON is most of the cost of loading, and files are independent: parse them on
    // every core, then keep their order.
    let jobs: Vec<(usize, usize)> = layers
        .iter()
        .enumerate()
        .flat_map(|(layer, range)| range.clone().map(move |file| (layer, file)))
        .collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len().max(1));
    let chunk = jobs.len().div_ceil(threads.max(1)).max(1);
    type ParseResult<'s> = (
        usize,
        usize,
        Result<DialogueFile<'s>, ron::error::SpannedError>,
    );
    let (results, fingerprint): (Vec<ParseResult>, String) = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                let sources = &sources;
                scope.spawn(move || {
                    let options = ron_options();
                    part.iter()
                        .map(|&(layer, file)| {
                            (
                                layer,
                                file,
                                options.from_str::<DialogueFile>(&sources[file].text),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // While the workers parse, this thread hashes the sources for the fingerprint.
        let mut hasher = blake3::Hasher::new();
        for source in &sources {
            let name = source
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            hasher.update(name.unwrap_or_default().as_bytes());
            hasher.update(&[0]);
            hasher.update(source.text.as_bytes());
            hasher.update(&[0]);
        }
        let fingerprint = hasher.finalize().to_hex()[..16].to_owned();
        let results = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect();
        (results, fingerprint)
    });
    for (layer, file, result) in results {
        match result {
            Ok(content) => parsed.push(Parsed {
                file,
                layer,
                content,
            }),
            Err(e) => diagnostics.push(ron_error(&sources[file], &e)),
        }
    }

    let mut compiler = Compiler::new(&sources);
    compiler.diagnostics = diagnostics;
    compiler.two_cores = two_cores;
    let story = compiler.build(parsed, fingerprint);
    let mut diagnostics = std::mem::take(&mut compiler.diagnostics);
    if let Some(story) = &story {
        diagnostics.extend(validate::validate(story, &sources));
    }
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.severity).cmp(&(&b.file, b.line, b.column, b.severity))
    });
    diagnostics.dedup();
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    LoadReport {
        story: if has_errors { None } else { story },
        diagnostics,
        sources,
        skipped_mods: Vec::new(),
    }
}

fn ron_error(source: &SourceFile, e: &ron::error::SpannedError) -> Diagnostic {
    let start = source.offset(e.span.start.line, e.span.start.col);
    let end = source
        .offset(e.span.end.line, e.span.end.col)
        .max(start + 1);
    if matches!(e.code, ron::Error::ExceededRecursionLimit) {
        // The parser's own words name its internals; a writer needs the limit and a way out.
        return source.diagnostic(
            Severity::Error,
            "E021",
            start..end.min(source.text.len().max(start)),
            "this is nested too deeply: steps inside steps (`If` in `If`, variants in choices...) may go about 30 levels down",
            Some("move the inner steps into a node of their own and `Goto` it".into()),
        );
    }
    let message = e.code.to_string();
    let hint = if message.contains("field") || message.contains("variant") {
        "check the spelling against docs/dialogue-format.md; the message lists what is allowed here"
    } else if message.contains("Expected") || message.contains("Unexpected") {
        "look for a missing comma, quote or bracket just before this place"
    } else {
        "see docs/dialogue-format.md"
    };
    source.diagnostic(
        Severity::Error,
        "E001",
        start..end.min(source.text.len().max(start)),
        message,
        Some(hint.into()),
    )
}

/// The closest of `candidates` to `name`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::normalized_damerau_levenshtein(name, c), c))
        .filter(|(score, _)| *score >= 0.6)
        // Ties go to the first name in alphabetical order, so hints never depend on hash order.
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// From this many nodes, a story is compiled on two cores (below it, starting a thread costs
/// more than it saves).
const PARALLEL_COMPILE_NODES: usize = 2_000;

/// What compiling will produce, counted from the parsed files so the arrays are allocated once.
#[derive(Default)]
struct Sizes {
    ops: usize,
    lines: usize,
    text: usize,
    choices: usize,
    effects: usize,
}

impl Sizes {
    fn node(&mut self, node: &NodeDef) {
        self.ops += 3;
        self.steps(&node.script);
        for c in &node.choices {
            self.ops += 2;
            self.choices += 1;
            self.text += c.text.len();
            self.effects += c.effects.len();
            self.steps(&c.then);
        }
    }

    fn steps(&mut self, steps: &[Step]) {
        for step in steps {
            self.ops += 1;
            match step {
                Step::Line(text) => {
                    self.lines += 1;
                    self.text += text.len();
                }
                Step::Variants(vs) | Step::Random(vs) => {
                    for v in vs {
                        let n = v.text.iter().chain(&v.lines);
                        self.ops += 2 + n.clone().count();
                        self.lines += n.clone().count();
                        self.text += n.map(|t| t.len()).sum::<usize>();
                        self.effects += v.effects.len();
                    }
                }
                Step::If(_, inner) => self.steps(inner),
                Step::IfElse(_, a, b) => {
                    self.ops += 1;
                    self.steps(a);
                    self.steps(b);
                }
                Step::Do(effects) => self.effects += effects.len(),
                _ => {}
            }
        }
    }
}

/// A chapter after merging layers: id, layer, definition, and the (file, layer) each part came
/// from (index 0 the chapter itself, then one per node).
type MergedChapter<'a> = (String, usize, ChapterDef<'a>, Vec<(usize, usize)>);

fn letter_hint() -> Option<String> {
    Some("name the `id` of a `Letter(...)` step somewhere in the story".into())
}

/// Where the compiler is in the sources, to place problems: searches stay between `start` and
/// `end` (the current node), so placing is linear in the size of the file.
#[derive(Clone, Copy)]
struct Cursor {
    file: usize,
    offset: usize,
    start: usize,
    end: usize,
}

impl Cursor {
    /// The whole of a file, from its start.
    fn file(file: usize) -> Self {
        Cursor {
            file,
            offset: 0,
            start: 0,
            end: usize::MAX,
        }
    }
}

struct Compiler<'a> {
    sources: &'a [SourceFile],
    diagnostics: Vec<Diagnostic>,
    variables: Vec<Variable>,
    variable_index: Map<String, usize>,
    characters: Vec<Character>,
    character_index: Map<String, usize>,
    endings: Vec<Ending>,
    ending_index: Map<String, usize>,
    /// Shared with the second compiler while a large story compiles in two halves.
    node_index: Arc<Map<String, NodeIx>>,
    chapter_ids: Vec<String>,
    chapter_starts: Map<String, NodeIx>,
    /// Nodes left out because their id was taken: (chapter, position); nearly always empty.
    duplicates: Set<(usize, usize)>,
    letter_index: Map<String, usize>,
    letters: Vec<Letter>,
    ops: Vec<Op>,
    lines: Vec<LineDef>,
    text: String,
    pieces: Vec<Piece>,
    groups: Vec<Group>,
    choices: Vec<Choice>,
    choice_sets: Vec<Range<usize>>,
    effects: Vec<Effect>,
    choice_count: usize,
    variant_count: usize,
    chapter: String,
    node: NodeIx,
    chapter_ix: usize,
    line_counter: usize,
    cursor: Cursor,
    cond_cache: Map<String, CompiledCond>,
    effect_cache: Map<String, Effect>,
    /// A large story may be compiled in two halves at once.
    two_cores: bool,
    /// Every `#line:` tag: (tag, file, line index), checked for duplicates once all is compiled.
    line_tags: Vec<(Box<str>, usize, usize)>,
    /// Per file: how many lines, choices and fragments have no stable id, and the first one's
    /// place (`W120`, one warning a file).
    untagged: Map<usize, ([u32; 3], Range<usize>)>,
    /// How many more unknown targets get a "did you mean" hint (each compares every node).
    hints_left: std::cell::Cell<usize>,
}

impl Scope for Compiler<'_> {
    fn variable(&self, name: &str) -> Option<(usize, VarType)> {
        self.variable_index
            .get(name)
            .map(|&i| (i, self.variables[i].ty))
    }

    fn node(&self, path: &str) -> Result<usize, Option<String>> {
        self.resolve(path)
    }

    fn letter(&self, id: &str) -> Result<usize, Option<String>> {
        self.letter_index.get(id).copied().ok_or_else(|| {
            did_you_mean(id, self.letter_index.keys().map(String::as_str)).or_else(letter_hint)
        })
    }

    fn variable_hint(&self, name: &str) -> Option<String> {
        did_you_mean(name, self.variable_index.keys().map(String::as_str))
    }
}

impl<'a> Compiler<'a> {
    fn new(sources: &'a [SourceFile]) -> Self {
        Compiler {
            sources,
            diagnostics: Vec::new(),
            variables: Vec::new(),
            variable_index: Map::default(),
            characters: Vec::new(),
            character_index: Map::default(),
            endings: Vec::new(),
            ending_index: Map::default(),
            node_index: Arc::default(),
            chapter_ids: Vec::new(),
            chapter_starts: Map::default(),
            duplicates: Set::default(),
            letter_index: Map::default(),
            letters: Vec::new(),
            ops: Vec::new(),
            lines: Vec::new(),
            text: String::new(),
            pieces: Vec::new(),
            groups: Vec::new(),
            choices: Vec::new(),
            choice_sets: Vec::new(),
            effects: Vec::new(),
            choice_count: 0,
            variant_count: 0,
            chapter: String::new(),
            node: 0,
            chapter_ix: 0,
            line_counter: 0,
            cursor: Cursor::file(0),
            cond_cache: Map::default(),
            effect_cache: Map::default(),
            two_cores: true,
            line_tags: Vec::new(),
            untagged: Map::default(),
            hints_left: std::cell::Cell::new(50),
        }
    }

    fn source(&self) -> &'a SourceFile {
        &self.sources[self.cursor.file]
    }

    /// Places a problem at a string literal near the cursor (or at the cursor).
    fn report(
        &mut self,
        severity: Severity,
        code: &'static str,
        literal: Option<&str>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let span = self.locate(literal);
        let d = self
            .source()
            .diagnostic(severity, code, span, message, hint);
        self.diagnostics.push(d);
    }

    /// Where a literal is: exactly, when it was borrowed from the current file's text (nearly
    /// always: a raw string, a string with quotes, the second of two equal strings all know
    /// their own place); else the first match within the current node.
    fn find(&self, literal: &str) -> Option<Range<usize>> {
        self.span_of(literal).or_else(|| {
            let c = self.cursor;
            self.source().find_literal_within(literal, c.start..c.end)
        })
    }

    /// The exact byte range of `text` in the current file, when `text` points into it.
    fn span_of(&self, text: &str) -> Option<Range<usize>> {
        let source = &self.source().text;
        let at = (text.as_ptr() as usize).checked_sub(source.as_ptr() as usize)?;
        (at + text.len() <= source.len()).then(|| at..at + text.len())
    }

    fn locate(&mut self, literal: Option<&str>) -> Range<usize> {
        let source = self.source();
        match literal.and_then(|l| self.find(l)) {
            Some(span) => span,
            None => {
                let at = self.cursor.offset.min(source.text.len());
                at..(at + 1).min(source.text.len()).max(at)
            }
        }
    }

    /// Placement is lazy: nothing is searched while compiling, only when a problem is
    /// reported (searching every literal would cost a fifth of the load time).
    fn advance(&mut self, _literal: &str) {}

    fn expr_errors(&mut self, text: &str, errors: Vec<ExprError>) {
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

    fn condition(&mut self, text: &str) -> Option<CompiledCond> {
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

    fn effects(&mut self, texts: &[Text]) -> Vec<Effect> {
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

    fn cache_key<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        if text.contains('(') {
            format!("{}\u{0}{text}", self.chapter).into()
        } else {
            text.into()
        }
    }

    /// Compiles `{variable}` text into pieces of the story's text arena. Most lines have no
    /// braces at all: they are copied in one go.
    fn template(&mut self, text: &str) -> Template {
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

    fn template_error(&mut self, text: &str, inner: Range<usize>, message: &str, hint: &str) {
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
    fn pause_span(&mut self, secs: f32) -> Range<usize> {
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
    fn check_braces(&mut self, text: &str) {
        if !text.contains(['{', '}']) {
            return;
        }
        let (t, p) = (self.text.len(), self.pieces.len());
        self.template(text);
        self.text.truncate(t);
        self.pieces.truncate(p);
    }

    /// Resolves a target: `node` in the current chapter, `chapter.node`, or `chapter`.
    fn resolve(&self, target: &str) -> Result<NodeIx, Option<String>> {
        let found = if target.contains('.') {
            self.node_index.get(target).copied()
        } else {
            self.node_index
                .get(&format!("{}.{target}", self.chapter))
                .copied()
                .or_else(|| self.chapter_starts.get(target).copied())
        };
        found.ok_or_else(|| {
            // A flood of unknown targets (a generated or hostile file) must not cost a
            // comparison with every node each: only the first ones get a "did you mean".
            let left = self.hints_left.get();
            if left == 0 {
                return Some(
                    "a target is a node of this chapter, `chapter.node`, or a chapter id".into(),
                );
            }
            self.hints_left.set(left - 1);
            // Only now, with a problem to report, list this chapter's own node names.
            let prefix = format!("{}.", self.chapter);
            let candidates = self
                .node_index
                .keys()
                .filter_map(|k| k.strip_prefix(&prefix))
                .chain(self.chapter_ids.iter().map(String::as_str))
                .chain(self.node_index.keys().map(String::as_str));
            did_you_mean(target, candidates).or_else(|| {
                Some("a target is a node of this chapter, `chapter.node`, or a chapter id".into())
            })
        })
    }

    fn target(&mut self, target: &str) -> Option<NodeIx> {
        match self.resolve(target) {
            Ok(n) => {
                self.advance(target);
                Some(n)
            }
            Err(hint) => {
                self.report(
                    Severity::Error,
                    "E002",
                    Some(target),
                    format!("no node or chapter is called `{target}`"),
                    hint,
                );
                self.advance(target);
                None
            }
        }
    }

    fn ending(&mut self, id: &str) -> Option<usize> {
        match self.ending_index.get(id) {
            Some(&e) => {
                self.advance(id);
                Some(e)
            }
            None => {
                let hint = did_you_mean(id, self.ending_index.keys().map(String::as_str))
                    .or_else(|| Some("declare it in `endings` in story.ron".into()));
                self.report(
                    Severity::Error,
                    "E007",
                    Some(id),
                    format!("no ending is called `{id}`"),
                    hint,
                );
                self.advance(id);
                None
            }
        }
    }

    /// Reports a declaration that cannot stand: a name declared twice (at its second place), or
    /// a name that is not an identifier or is a word of the condition language. True when
    /// reported.
    fn bad_declaration(
        &mut self,
        file: usize,
        what: &str,
        name: &str,
        again: usize,
        taken: bool,
    ) -> bool {
        self.cursor = Cursor::file(file);
        let span = self.sources[file].find_nth_literal(name, again);
        let problem = if taken || again > 0 {
            Some((
                "E003",
                format!("the {what} `{name}` is declared twice"),
                "rename one of them".to_string(),
            ))
        } else if !is_identifier(name) {
            Some((
                "E024",
                format!("`{name}` is not a valid {what} name"),
                "use letters, digits and `_`, starting with a letter".to_string(),
            ))
        } else if RESERVED.contains(&name) {
            Some((
                "E024",
                format!("`{name}` is a word of the condition language and cannot name a {what}"),
                "choose another name".to_string(),
            ))
        } else {
            None
        };
        let Some((code, message, hint)) = problem else {
            return false;
        };
        let span = span.unwrap_or_else(|| self.locate(None));
        let d = self.sources[file].diagnostic(Severity::Error, code, span, message, Some(hint));
        self.diagnostics.push(d);
        true
    }

    fn declare_variables(&mut self, file: usize, vars: &Decls<VarDef>) {
        for decl in vars.iter() {
            let (name, def) = (&decl.name, &decl.value);
            self.cursor = Cursor::file(file);
            let taken = self.variable_index.contains_key(name);
            if self.bad_declaration(file, "variable", name, decl.again, taken) {
                continue;
            }
            if name == "chapter" {
                self.report(
                    Severity::Error,
                    "E003",
                    Some(name),
                    "`chapter` is built in (the current chapter's number)",
                    Some("choose another name".into()),
                );
                continue;
            }
            let (ty, default) = match def {
                VarDef::Number(n) => (VarType::Number, Value::Number(*n)),
                VarDef::Flag(b) => (VarType::Flag, Value::Flag(*b)),
                VarDef::Text(t) => (VarType::Text, Value::Text(t.clone())),
                VarDef::Fact => (VarType::Fact, Value::Fact(None)),
            };
            self.variable_index
                .insert(name.clone(), self.variables.len());
            self.variables.push(Variable {
                name: name.clone(),
                ty,
                default,
            });
        }
    }

    fn declare_characters(&mut self, file: usize, chars: &Decls<CharacterDef>) {
        // Names are compiled after variables, so `{os_name}` resolves.
        for decl in chars.iter() {
            let (id, def) = (&decl.name, &decl.value);
            let taken = self.character_index.contains_key(id);
            if self.bad_declaration(file, "character", id, decl.again, taken) {
                continue;
            }
            self.advance(id);
            let name = self.template(&def.name);
            self.character_index
                .insert(id.clone(), self.characters.len());
            self.characters.push(Character {
                id: id.clone(),
                name,
                os: def.os,
            });
        }
    }

    fn declare_endings(&mut self, file: usize, endings: &Decls<EndingDef>) {
        for decl in endings.iter() {
            let (id, def) = (&decl.name, &decl.value);
            let taken = self.ending_index.contains_key(id);
            if self.bad_declaration(file, "ending", id, decl.again, taken) {
                continue;
            }
            self.check_braces(&def.title);
            self.check_braces(&def.summary);
            self.ending_index.insert(id.clone(), self.endings.len());
            self.endings.push(Ending {
                id: id.clone(),
                title: def.title.clone(),
                summary: def.summary.clone(),
            });
        }
    }

    fn build(&mut self, parsed: Vec<Parsed>, fingerprint: String) -> Option<Story> {
        // 1. The manifests: exactly one Story, in the base layer; Mods in later layers.
        let mut story_def: Option<(usize, StoryDef)> = None;
        let mut mods: Vec<(usize, ModDef)> = Vec::new();
        let mut chapters: Vec<(usize, usize, ChapterDef)> = Vec::new();
        for p in parsed {
            match p.content {
                DialogueFile::Story(def) => {
                    if p.layer > 0 {
                        self.cursor = Cursor::file(p.file);
                        self.report(
                            Severity::Error,
                            "E009",
                            None,
                            "a mod folder has a `Story(...)` file",
                            Some("a mod describes itself with `Mod(...)`; only the base story has `Story(...)`".into()),
                        );
                    } else if let Some((first, _)) = &story_def {
                        self.cursor = Cursor::file(p.file);
                        let other = self.sources[*first].path.display().to_string();
                        self.report(
                            Severity::Error,
                            "E003",
                            None,
                            format!("a second `Story(...)` file (the first is {other})"),
                            Some("a story has one story.ron".into()),
                        );
                    } else {
                        story_def = Some((p.file, def));
                    }
                }
                DialogueFile::Mod(def) => mods.push((p.file, def)),
                DialogueFile::Chapter(def) => chapters.push((p.file, p.layer, def)),
            }
        }
        let Some((story_file, story_def)) = story_def else {
            if !self.diagnostics.iter().any(unparsed) {
                self.diagnostics.push(
                    Diagnostic::general(Severity::Error, "E009", "no `Story(...)` file was found")
                        .with_hint(Some(
                            "the first folder given must hold the story's story.ron".into(),
                        )),
                );
            }
            return None;
        };

        // 2. Variables, characters, endings.
        self.declare_variables(story_file, &story_def.variables);
        for (file, m) in &mods {
            self.declare_variables(*file, &m.variables);
        }
        self.declare_characters(story_file, &story_def.characters);
        for (file, m) in &mods {
            self.declare_characters(*file, &m.characters);
        }
        self.declare_endings(story_file, &story_def.endings);
        for (file, m) in &mods {
            self.declare_endings(*file, &m.endings);
        }

        // 3. Chapter order: the story's list, with each mod's chapters after its `after`.
        let mut order: Vec<(String, usize)> = Vec::new();
        for c in &story_def.chapters {
            let again = order.iter().filter(|(o, _)| o == c).count();
            if again > 0 {
                let span = self.sources[story_file].find_nth_literal(c, again);
                if let Some(span) = span {
                    let d = self.sources[story_file].diagnostic(
                        Severity::Error,
                        "E003",
                        span,
                        format!("the chapter `{c}` is listed twice"),
                        Some("a chapter is played once: remove one".into()),
                    );
                    self.diagnostics.push(d);
                }
                continue;
            }
            order.push((c.clone(), story_file));
        }
        for (file, m) in &mods {
            let at = match &m.after {
                Some(after) => match order.iter().position(|(c, _)| c == after) {
                    Some(i) => i + 1,
                    None => {
                        self.cursor = Cursor::file(*file);
                        let hint = did_you_mean(after, order.iter().map(|(c, _)| c.as_str()));
                        self.report(
                            Severity::Error,
                            "E002",
                            Some(after),
                            format!("no chapter is called `{after}`"),
                            hint,
                        );
                        order.len()
                    }
                },
                None => order.len(),
            };
            for (k, c) in m.chapters.iter().enumerate() {
                order.insert(at + k, (c.clone(), *file));
            }
            // A mod's chapter id taken by the story or an earlier mod: reported at the mod.
            for c in &m.chapters {
                if order.iter().filter(|(o, _)| o == c).count() > 1 {
                    self.cursor = Cursor::file(*file);
                    self.report(
                        Severity::Error,
                        "E003",
                        Some(c),
                        format!("the chapter `{c}` is already in the story"),
                        Some("give the mod's chapter an id of its own".into()),
                    );
                }
            }
        }

        // 4. Merge chapter files: a later layer may add nodes to a chapter or replace them.
        let mut merged: Vec<MergedChapter> = Vec::new();
        for (file, layer, def) in chapters {
            self.cursor = Cursor::file(file);
            if let Some(existing) = merged.iter_mut().find(|m| m.0 == *def.id) {
                if layer == 0 || existing.1 == layer {
                    let first = self.sources[existing.3[0].0].path.display().to_string();
                    self.report(
                        Severity::Error,
                        "E003",
                        Some(&def.id),
                        format!(
                            "the chapter `{}` is defined twice (also in {first})",
                            def.id
                        ),
                        Some("rename one; a mod adds nodes to a chapter in its own folder".into()),
                    );
                    continue;
                }
                for node in def.nodes {
                    let origin = (file, layer);
                    match existing.2.nodes.iter().position(|n| n.id == node.id) {
                        Some(i) if node.replace => {
                            existing.2.nodes[i] = node;
                            existing.3[i + 1] = origin;
                        }
                        Some(_) => {
                            self.report(
                                Severity::Error,
                                "E003",
                                Some(&node.id),
                                format!(
                                    "the node `{}.{}` already exists in the base story",
                                    def.id, node.id
                                ),
                                Some(
                                    "add `replace: true` to replace it, or choose a new id".into(),
                                ),
                            );
                        }
                        None if node.replace => {
                            self.report(
                                Severity::Error,
                                "E026",
                                Some(&node.id),
                                format!(
                                    "`replace: true`, but the chapter `{}` has no node `{}` to replace",
                                    def.id, node.id
                                ),
                                did_you_mean(&node.id, existing.2.nodes.iter().map(|n| n.id.as_str()))
                                    .or_else(|| Some("remove `replace` to add a new node".into())),
                            );
                        }
                        None => {
                            existing.2.nodes.push(node);
                            existing.3.push(origin);
                        }
                    }
                }
            } else {
                for node in def.nodes.iter().filter(|n| n.replace) {
                    self.report(
                        Severity::Error,
                        "E026",
                        Some(&node.id),
                        format!(
                            "`replace: true`, but no earlier chapter `{}` has a node `{}` to replace",
                            def.id, node.id
                        ),
                        Some("remove `replace`: this chapter is new here".into()),
                    );
                }
                // Origins: index 0 is the chapter itself, then one per node.
                let origins = std::iter::repeat_n((file, layer), def.nodes.len() + 1).collect();
                merged.push((def.id.to_string(), layer, def, origins));
            }
        }
        let mut ordered = Vec::new();
        for (id, file) in &order {
            match merged.iter().position(|m| &m.0 == id) {
                Some(i) => ordered.push(merged.swap_remove(i)),
                // A file that failed to parse is the likely home of a missing chapter: its own
                // error says what is wrong, without a second one here.
                None if self.diagnostics.iter().any(unparsed) => {}
                None => {
                    self.cursor = Cursor::file(*file);
                    let hint = did_you_mean(id, merged.iter().map(|m| m.0.as_str()))
                        .or_else(|| Some(format!("add a file with `Chapter(id: \"{id}\", ...)`")));
                    self.report(
                        Severity::Error,
                        "E002",
                        Some(id),
                        format!("the chapter `{id}` has no file"),
                        hint,
                    );
                }
            }
        }
        for m in merged {
            let (file, _) = m.3[0];
            self.cursor = Cursor::file(file);
            self.report(
                Severity::Warning,
                "W101",
                Some(&m.0),
                format!(
                    "the chapter `{}` is not in the story's chapter list, so it is never played",
                    m.0
                ),
                Some("add its id to `chapters` in story.ron (or to a mod's `chapters`)".into()),
            );
        }

        let total: usize = ordered.iter().map(|c| c.2.nodes.len()).sum();
        if total > MAX_NODES {
            self.diagnostics.push(
                Diagnostic::general(
                    Severity::Error,
                    "E025",
                    format!("the story has {total} nodes; a story may have at most {MAX_NODES}"),
                )
                .with_hint(Some(
                    "a story this large is better split into several stories".into(),
                )),
            );
            return None;
        }

        // 5. Index every node and letter, so targets can point forward.
        let mut nodes = Vec::with_capacity(ordered.iter().map(|c| c.2.nodes.len()).sum());
        Arc::make_mut(&mut self.node_index).reserve(nodes.capacity());
        let mut last_offset = vec![0; self.sources.len()];
        for (chapter_ix, (chapter_id, _, def, origins)) in ordered.iter().enumerate() {
            self.chapter_ids.push(chapter_id.clone());
            let mut chapter_offset = 0;
            if let Some(span) = self.sources[origins[0].0].find_field("id", chapter_id, 0) {
                chapter_offset = span.end;
            }
            for (k, node) in def.nodes.iter().enumerate() {
                let file = origins[k + 1].0;
                // Nodes come in file order: search on from the previous one (linear overall).
                let from = last_offset[file].max(if file == origins[0].0 {
                    chapter_offset
                } else {
                    0
                });
                // A borrowed id knows where it was written; only an id with escapes in it
                // needs a search.
                let offset = match node.id.offset_in(&self.sources[file].text) {
                    Some(at) => at.saturating_sub(1),
                    None => self.sources[file]
                        .find_field("id", &node.id, from)
                        .map_or(from, |s| s.start.saturating_sub(1)),
                };
                last_offset[file] = offset + 1;
                let full = format!("{chapter_id}.{}", node.id);
                let std::collections::hash_map::Entry::Vacant(slot) =
                    Arc::make_mut(&mut self.node_index).entry(full)
                else {
                    self.duplicates.insert((chapter_ix, k));
                    self.cursor = Cursor {
                        file,
                        offset,
                        start: offset,
                        end: usize::MAX,
                    };
                    self.report(
                        Severity::Error,
                        "E003",
                        Some(&node.id),
                        format!(
                            "the node id `{}` is used twice in chapter `{chapter_id}`",
                            node.id
                        ),
                        Some("every node in a chapter needs its own id".into()),
                    );
                    continue;
                };
                let full = slot.key().clone();
                slot.insert(nodes.len());
                nodes.push(Node {
                    id: full,
                    chapter: chapter_ix,
                    entry: 0,
                    source: SourceRef { file, offset },
                });
            }
            for node in &def.nodes {
                let file = origins[0].0;
                self.cursor = Cursor::file(file);
                for step in node
                    .script
                    .iter()
                    .chain(node.choices.iter().flat_map(|c| c.then.iter()))
                {
                    self.index_letters(step);
                }
            }
        }
        for (chapter_id, _, def, origins) in &ordered {
            self.chapter = chapter_id.clone();
            self.cursor = Cursor::file(origins[0].0);
            let start = match &def.start {
                Some(s) => self.target(s),
                None => def.nodes.first().and_then(|n| {
                    self.node_index
                        .get(&format!("{chapter_id}.{}", n.id))
                        .copied()
                }),
            };
            match start {
                Some(s) => {
                    self.chapter_starts.insert(chapter_id.clone(), s);
                }
                None if def.start.is_none() => {
                    self.report(
                        Severity::Error,
                        "E002",
                        Some(chapter_id),
                        format!("the chapter `{chapter_id}` has no nodes"),
                        None,
                    );
                }
                None => {}
            }
        }

        // Each node's text ends where the next node of its file begins.
        let mut node_ends = vec![usize::MAX; nodes.len()];
        let mut by_file: Vec<(usize, usize, usize)> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.source.file, n.source.offset, i))
            .collect();
        by_file.sort_unstable();
        for pair in by_file.windows(2) {
            if pair[0].0 == pair[1].0 {
                node_ends[pair[0].2] = pair[1].1;
            }
        }

        // 6. Compile every node, into arrays sized once (growing them by doubling copies
        // tens of megabytes for a large story).
        let mut size = Sizes::default();
        for (_, _, def, _) in &ordered {
            for node in &def.nodes {
                size.node(node);
            }
        }
        self.ops.reserve(size.ops);
        self.lines.reserve(size.lines);
        self.text.reserve(size.text);
        self.pieces.reserve(size.lines);
        self.choices.reserve(size.choices);
        self.choice_sets.reserve(nodes.len());
        self.effects.reserve(size.effects);
        // A large story compiles in two halves at once, one per core, each into arrays of its
        // own; the second half is then appended with its indices moved (as a linker would).
        let mut first_node = Vec::with_capacity(ordered.len() + 1);
        let mut count = 0;
        for (chapter_ix, (_, _, def, _)) in ordered.iter().enumerate() {
            first_node.push(count);
            count += (0..def.nodes.len())
                .filter(|k| !self.duplicates.contains(&(chapter_ix, *k)))
                .count();
        }
        first_node.push(count);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let split = if self.two_cores && cores > 1 && count >= PARALLEL_COMPILE_NODES {
            first_node
                .partition_point(|&n| n < count / 2)
                .min(ordered.len())
        } else {
            ordered.len()
        };
        let mut chapter_list = Vec::new();
        for (chapter_ix, (chapter_id, _, def, origins)) in ordered.iter().enumerate() {
            self.cursor = Cursor::file(origins[0].0);
            self.check_braces(&def.title);
            if let Some(&start) = self.chapter_starts.get(chapter_id) {
                chapter_list.push(Chapter {
                    id: chapter_id.clone(),
                    title: def.title.to_string(),
                    number: chapter_ix + 1,
                    scene: def.scene.clone(),
                    start,
                });
            }
        }
        // The second half's parsed files move to its thread, which also frees them.
        let second = ordered.split_off(split);
        let first = ordered;
        let ctx = (nodes.as_slice(), node_ends.as_slice());
        let (entries, second_half) = if second.is_empty() {
            (self.compile_chapters(&first, 0, 0, ctx), None)
        } else {
            let mut other = self.fork();
            let from = first_node[split];
            std::thread::scope(|scope| {
                let handle = scope.spawn(move || {
                    let entries = other.compile_chapters(&second, split, from, ctx);
                    drop(second);
                    (other, entries)
                });
                let entries = self.compile_chapters(&first, 0, 0, ctx);
                drop(first);
                match handle.join() {
                    Ok(half) => (entries, Some(half)),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            })
        };
        for (n, entry) in entries.into_iter().enumerate() {
            nodes[n].entry = entry;
        }
        if let Some((other, entries)) = second_half {
            let base = self.append(other);
            let from = first_node[split];
            for (n, entry) in entries.into_iter().enumerate() {
                nodes[from + n].entry = entry + base;
            }
        }
        self.check_line_tags(&nodes, &node_ends);
        self.report_untagged();
        if self
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
            || chapter_list.is_empty()
        {
            if chapter_list.is_empty()
                && !self
                    .diagnostics
                    .iter()
                    .any(|d| d.severity == Severity::Error)
            {
                self.diagnostics.push(Diagnostic::general(
                    Severity::Error,
                    "E009",
                    "the story has no chapters",
                ));
            }
            return None;
        }
        let start = chapter_list[0].start;
        // Every node is compiled: point each goto at its target's entry.
        for op in &mut self.ops {
            if let Op::Goto(node, entry) = op {
                *entry = nodes[*node as usize].entry as u32;
            }
        }
        Some(Story {
            title: story_def.title,
            chapters: chapter_list,
            nodes,
            ops: std::mem::take(&mut self.ops),
            lines: std::mem::take(&mut self.lines),
            text: std::mem::take(&mut self.text),
            pieces: std::mem::take(&mut self.pieces),
            variables: std::mem::take(&mut self.variables),
            characters: std::mem::take(&mut self.characters),
            endings: std::mem::take(&mut self.endings),
            letters: std::mem::take(&mut self.letters),
            groups: std::mem::take(&mut self.groups),
            choices: std::mem::take(&mut self.choices),
            choice_sets: std::mem::take(&mut self.choice_sets),
            effects: std::mem::take(&mut self.effects),
            choice_count: self.choice_count,
            variant_count: self.variant_count,
            start,
            fingerprint,
            mods: mods.into_iter().map(|(_, m)| m.name).collect(),
            node_index: Arc::unwrap_or_clone(std::mem::take(&mut self.node_index)),
            variable_index: std::mem::take(&mut self.variable_index),
            character_index: std::mem::take(&mut self.character_index),
        })
    }

    /// A `#line:` tag names one line in the whole story (saves and seen lines name it): each
    /// second use is reported at its own place.
    fn check_line_tags(&mut self, nodes: &[Node], node_ends: &[usize]) {
        let mut tags = std::mem::take(&mut self.line_tags);
        tags.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.cmp(&b.2)));
        for pair in tags.windows(2) {
            let ((tag, _, first), (again, file, line)) = (&pair[0], &pair[1]);
            if tag != again {
                continue;
            }
            let node = &nodes[self.lines[*line].node];
            let first_node = &nodes[self.lines[*first].node];
            let start = node.source.offset;
            let end = node_ends[self.lines[*line].node];
            // The second use in the same node comes after the first: search past it.
            let from = if first_node.source.offset == start {
                self.sources[*file]
                    .find_text_within(&format!("#line:{tag}"), start..end)
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
            let span = self.sources[*file].find_text_within(&format!("#line:{tag}"), from..end);
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

    /// Compiles chapters (numbered from `first_chapter`, their nodes from `first_node`) and
    /// returns each node's entry in this compiler's program.
    fn compile_chapters(
        &mut self,
        chapters: &[MergedChapter],
        first_chapter: usize,
        first_node: usize,
        (nodes, node_ends): (&[Node], &[usize]),
    ) -> Vec<usize> {
        let mut entries = Vec::new();
        let mut node_ix = first_node;
        for (i, (chapter_id, _, def, origins)) in chapters.iter().enumerate() {
            let chapter_ix = first_chapter + i;
            self.chapter.clone_from(chapter_id);
            for (k, node) in def.nodes.iter().enumerate() {
                if self.duplicates.contains(&(chapter_ix, k)) {
                    continue;
                }
                self.cursor = Cursor {
                    file: origins[k + 1].0,
                    offset: nodes[node_ix].source.offset,
                    start: nodes[node_ix].source.offset,
                    end: node_ends[node_ix],
                };
                self.node = node_ix;
                self.chapter_ix = chapter_ix;
                entries.push(self.ops.len());
                self.compile_node(node);
                node_ix += 1;
            }
        }
        entries
    }

    /// A second compiler for the same story, with the names known so far and nothing compiled.
    fn fork(&self) -> Compiler<'a> {
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
            ..Compiler::new(self.sources)
        }
    }

    /// Appends what another compiler compiled after this one's program, moving every index it
    /// holds; returns where its ops begin.
    fn append(&mut self, other: Compiler<'a>) -> usize {
        let ops = self.ops.len();
        let lines = self.lines.len();
        let text = self.text.len();
        let pieces = self.pieces.len();
        let groups = self.groups.len();
        let choices = self.choices.len();
        let sets = self.choice_sets.len();
        let effects = self.effects.len();
        let (choice_count, variant_count) = (self.choice_count, self.variant_count);
        let moved = |t: Template| t.moved(text, pieces);
        self.ops.extend(other.ops.into_iter().map(|op| match op {
            Op::Line(l) => Op::Line(LineOp {
                line: l.line + lines as u32,
                speaker: l.speaker,
                text: moved(l.text),
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
                var => var,
            }));
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

    fn index_letters(&mut self, step: &Step) {
        match step {
            Step::Letter(def) => {
                if self.letter_index.contains_key(def.id.as_str()) {
                    self.report(
                        Severity::Error,
                        "E003",
                        Some(&def.id),
                        format!("the letter id `{}` is used twice", def.id),
                        None,
                    );
                } else {
                    self.letter_index
                        .insert(def.id.to_string(), self.letters.len());
                    self.letters.push(Letter {
                        id: def.id.to_string(),
                        to: def.to.to_string(),
                        paragraphs: Vec::new(),
                    });
                }
            }
            Step::If(_, steps) => steps.iter().for_each(|s| self.index_letters(s)),
            Step::IfElse(_, a, b) => a.iter().chain(b).for_each(|s| self.index_letters(s)),
            _ => {}
        }
    }

    fn compile_node(&mut self, node: &NodeDef) {
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
                let c = self.compile_choice(choice, k, after);
                self.choices.push(c);
            }
        }
    }

    /// The counts a node may hold (`E025`): far above any real story, so a generated or hostile
    /// file is refused at its place instead of slowing every tool down.
    fn check_counts(&mut self, node: &NodeDef) {
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
    fn check_choice_ids(&mut self, node: &NodeDef) {
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
    fn untagged_item(&mut self, kind: usize, text: &str) {
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
    fn report_untagged(&mut self) {
        let mut files: Vec<_> = std::mem::take(&mut self.untagged).into_iter().collect();
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

    fn compile_choice(&mut self, def: &ChoiceDef, position: usize, after: usize) -> Choice {
        if def.id.is_none() {
            self.untagged_item(1, &def.text);
        }
        let text = self.template(&def.text);
        self.advance(&def.text);
        let when = def
            .when
            .as_deref()
            .and_then(|w| self.condition(w))
            .map(|c| c.cond);
        let entry = self.ops.len();
        let effects = self.effects(&def.effects);
        self.push_effects(effects);
        self.steps(&def.then);
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
    fn push_effects(&mut self, effects: Vec<Effect>) {
        if let [Effect::AddNum(slot, expr::Num::Const(k))] = effects.as_slice() {
            self.ops.push(Op::AddConst(*slot as u32, *k));
        } else if !effects.is_empty() {
            let start = self.effects.len() as u32;
            self.effects.extend(effects);
            self.ops.push(Op::Effects(start, self.effects.len() as u32));
        }
    }

    fn steps(&mut self, steps: &[Step]) {
        for step in steps {
            self.step(step);
        }
    }

    fn step(&mut self, step: &Step) {
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
                    if !self.character_index.contains_key(who) {
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
            Step::ShowLetter(id) => match self.letter_index.get(id.as_str()) {
                Some(&l) => {
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
            Step::End(id) => {
                let op = self.ending(id).map_or(Op::DeadEnd(self.node), Op::End);
                self.ops.push(op);
            }
        }
    }

    fn line(&mut self, text: &str) {
        let (text, tag) = split_line_tag(text);
        match tag {
            Some(tag) => self
                .line_tags
                .push((tag.into(), self.cursor.file, self.lines.len())),
            None => self.untagged_item(0, text),
        }
        let (speaker, words) = match text.split_once(':') {
            Some((who, rest)) if self.character_index.contains_key(who.trim()) => (
                self.character_index.get(who.trim()).copied(),
                rest.trim_start(),
            ),
            Some((who, _))
                if !who.is_empty()
                    && who.len() <= 20
                    && who
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
            {
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
        }));
        self.lines.push(LineDef {
            speaker,
            text: template,
            node: self.node,
            number,
            tag: tag.map(Into::into),
        });
    }

    fn group(&mut self, variants: &[VariantDef], random: bool) {
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
            let source = SourceRef {
                file: self.cursor.file,
                offset: self.cursor.offset,
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
            });
        }
        let after = self.ops.len();
        for j in jumps {
            self.ops[j] = Op::Jump(after);
        }
        self.groups[g].after = after;
    }

    fn letter(&mut self, def: &LetterDef) {
        let Some(&l) = self.letter_index.get(def.id.as_str()) else {
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
                    Some(id) => id.to_string(),
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
            } else if fragments.iter().all(|f| f.when.is_some()) {
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
                prompt: p.prompt.as_ref().map(|p| p.to_string()),
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

/// Whether a problem means a file could not be parsed (or read) whole: what it holds is then
/// "in a file with errors", and nothing it would have declared is reported missing.
fn unparsed(d: &Diagnostic) -> bool {
    matches!(d.code, "E001" | "E012" | "E013" | "E014" | "E021")
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

/// The longest pause, in seconds: longer silences read as a frozen game.
pub const MAX_PAUSE_SECONDS: f32 = 60.0;

/// Words of the condition language (and built-ins) that cannot name a variable, character or
/// ending.
const RESERVED: &[&str] = &[
    "and", "or", "not", "true", "false", "remember", "forget", "seen", "visits", "wrote", "chapter",
];

/// Whether a name is an identifier: a letter, then letters, digits and `_`.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
