//! Loading: dialogue folders (the base story, then mods laid over it) are read, parsed as RON,
//! merged, and compiled into one immutable `Story`. Every problem is collected with its place;
//! nothing stops at the first.
//!
//! The loader in the order it runs, a file for each step:
//! - here: the entry points (`load`, `load_with_mods`, `compile_sources`), parsing with `ron`,
//!   and the compiler's state and its placing of problems;
//! - `super::files`: walking the folders and reading the files (bounded, links skipped);
//! - `merge`: manifests, chapter order, chapters merged node by node, nodes indexed;
//! - `symbols`: declared names (variables, characters, endings) and targets resolved;
//! - `text`: conditions, effects and `{name}` text;
//! - `codegen`: nodes, steps, choices, lines and letters into the flat program;
//! - `mods`: mods' manifests, load order and namespaces; `patch`: their patches by stable id;
//! - `checks`: stable ids and the counts a node may hold;
//! - `parallel`: a large story compiled in two halves, one per core.

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
    AltKind, Chapter, Character, Choice, ChoicesOp, Ending, Fragment, Group, Letter, LineDef,
    LineOp, Map, NARRATION, Node, NodeIx, Op, Paragraph, Piece, SourceRef, Story, Template,
    Variable, Variant, split_line_tag,
};

/// A set with the engine's fast hasher.
type Set<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;
use super::validate;

mod checks;
mod codegen;
mod merge;
pub mod mods;
mod parallel;
mod patch;
mod symbols;
mod text;

pub use checks::{MAX_CHOICES_PER_NODE, MAX_NODES, MAX_STEPS_PER_NODE};
pub use mods::{MAX_PATCH_OPS, ModInfo};
pub use text::MAX_PAUSE_SECONDS;

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
    /// The mods loaded, in load order (requirements first, then by id), with what each
    /// changes; their problems are among `diagnostics`, in their own files.
    pub mods: Vec<ModInfo>,
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
    // A mod folder with nothing in it is almost always the wrong folder: say so.
    for (path, layer) in paths.iter().zip(&read.layers).skip(1) {
        if layer.is_empty() && path.is_dir() {
            diagnostics.push(
                Diagnostic::general(
                    Severity::Warning,
                    "W121",
                    format!(
                        "the mod folder {} has no dialogue (.ron) files",
                        path.display()
                    ),
                )
                .with_hint(Some(
                    "give the folder that holds the mod's mod.ron and chapter files".into(),
                )),
            );
        }
    }
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
            Ok(content) if content.format() > super::format::FORMAT => {
                let source = &sources[file];
                // The field itself (`format:`), not the word in a comment.
                let at = source
                    .text
                    .match_indices("format")
                    .map(|(i, _)| i)
                    .find(|&i| source.text[i + 6..].trim_start().starts_with(':'))
                    .unwrap_or(0);
                diagnostics.push(source.diagnostic(
                    Severity::Error,
                    "E028",
                    at..(at + 6).min(source.text.len()),
                    format!(
                        "this file is written for dialogue format {}, and this build reads up to {}",
                        content.format(),
                        super::format::FORMAT
                    ),
                    Some("update the game and its tools, or write the file for an older format".into()),
                ));
            }
            Ok(content) => parsed.push(Parsed {
                file,
                layer,
                content,
            }),
            Err(e) => diagnostics.push(ron_error(&sources[file], &e)),
        }
    }

    // Mods in their load order (requirements first, then by id), whatever the command line's.
    let mods = mods::order_mods(&mut parsed, &sources, layers, &mut diagnostics);
    let allowed = allowed_warnings(&parsed, &sources);
    let mut compiler = Compiler::new(&sources);
    compiler.diagnostics = diagnostics;
    compiler.two_cores = two_cores;
    compiler.set_layers(&parsed, layers, &mods);
    let mut mods = mods;
    let story = compiler.build(parsed, fingerprint, &mut mods);
    let mut diagnostics = std::mem::take(&mut compiler.diagnostics);
    if let Some(story) = &story {
        diagnostics.extend(validate::validate(story, &sources));
    }
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.severity).cmp(&(&b.file, b.line, b.column, b.severity))
    });
    diagnostics.dedup();
    // Warnings the writer allowed where they are meant (errors cannot be allowed).
    diagnostics.retain(|d| {
        d.severity == Severity::Error
            || !allowed.iter().any(|(file, range, codes)| {
                d.file.as_deref() == Some(file.as_path())
                    && d.span.as_ref().is_some_and(|s| range.contains(&s.start))
                    && codes.contains(&d.code)
            })
    });
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    LoadReport {
        story: if has_errors { None } else { story },
        diagnostics,
        sources,
        skipped_mods: Vec::new(),
        mods,
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

/// A chapter after merging layers: its id in the story, layer, definition, and the (file,
/// layer, namespace) each part came from (index 0 the chapter itself, then one per node; the
/// namespace is the mod's id for a node a mod added to another's chapter, whose id in the
/// story is then `mod/node`).
type MergedChapter<'a> = (
    String,
    usize,
    ChapterDef<'a>,
    Vec<(usize, usize, Option<String>)>,
);

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
    alts: Vec<Template>,
    inline_conds: Vec<Cond>,
    alt_count: usize,
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
    /// Whether chosen choices are said (`Story(echo_choices: true)`), and by whom.
    echo: Option<Option<usize>>,
    /// Lines, choices and fragments with a stable id, and without one (all files).
    tagged: (usize, usize),
    /// How many more unknown targets get a "did you mean" hint (each compares every node).
    hints_left: std::cell::Cell<usize>,
    /// Each source file's layer, in load order (0: the base story).
    file_layer: Vec<usize>,
    /// Each layer's mod id (`None` for the base story): its namespace.
    layer_ns: Vec<Option<String>>,
    /// Where each file's text lies in memory, (start, end, file), sorted: which file a
    /// borrowed string came from, so a patch's text is placed (and its names resolved) in the
    /// mod's file even while it is compiled into a base node.
    text_ranges: Vec<(usize, usize, usize)>,
    /// The file of the condition or effect being compiled, while it is (its names are copied
    /// out of the text, so they cannot say where they were written).
    text_file: Option<usize>,
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
            alts: Vec::new(),
            inline_conds: Vec::new(),
            alt_count: 0,
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
            tagged: (0, 0),
            echo: None,
            file_layer: Vec::new(),
            layer_ns: Vec::new(),
            text_ranges: Vec::new(),
            text_file: None,
        }
    }

    /// Learns each file's layer (after `order_mods`) and each layer's namespace.
    fn set_layers(&mut self, parsed: &[Parsed], layers: &[Range<usize>], mods: &[ModInfo]) {
        self.file_layer = vec![0; self.sources.len()];
        for range in layers {
            for f in range.clone() {
                self.file_layer[f] = usize::MAX;
            }
        }
        for p in parsed {
            self.file_layer[p.file] = p.layer;
        }
        self.layer_ns = std::iter::once(None)
            .chain(mods.iter().map(|m| Some(m.id.clone())))
            .collect();
        self.text_ranges = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let start = s.text.as_ptr() as usize;
                (start, start + s.text.len(), i)
            })
            .collect();
        self.text_ranges.sort_unstable();
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
        // A patch's text compiled into another's node is placed in the mod's own file.
        if let Some(text) = literal
            && let Some(file) = self.file_of(text)
            && file != self.cursor.file
        {
            let start = text.as_ptr() as usize - self.sources[file].text.as_ptr() as usize;
            let d = self.sources[file].diagnostic(
                severity,
                code,
                start..start + text.len(),
                message,
                hint,
            );
            self.diagnostics.push(d);
            return;
        }
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
}

/// Whether a problem means a file could not be parsed (or read) whole: what it holds is then
/// "in a file with errors", and nothing it would have declared is reported missing.
fn unparsed(d: &Diagnostic) -> bool {
    matches!(d.code, "E001" | "E012" | "E013" | "E014" | "E021" | "E028")
}

/// The `allow` lists of chapter files and nodes: (file, byte range, codes).
fn allowed_warnings(
    parsed: &[Parsed],
    sources: &[SourceFile],
) -> Vec<(PathBuf, Range<usize>, Vec<&'static str>)> {
    // Codes are matched against the diagnostics' own `&'static str`s.
    let known = |codes: &[Text]| -> Vec<&'static str> {
        codes
            .iter()
            .filter_map(|c| ALLOWABLE.iter().find(|k| **k == c.as_str()).copied())
            .collect()
    };
    let mut out = Vec::new();
    for p in parsed {
        let DialogueFile::Chapter(ch) = &p.content else {
            continue;
        };
        let source = &sources[p.file];
        if !ch.allow.is_empty() {
            out.push((source.path.clone(), 0..source.text.len(), known(&ch.allow)));
        }
        let starts: Vec<usize> = ch
            .nodes
            .iter()
            .map(|n| n.id.offset_in(&source.text).unwrap_or(0))
            .collect();
        for (k, node) in ch.nodes.iter().enumerate() {
            if node.allow.is_empty() {
                continue;
            }
            // From the node's id to the next node's (the node's own text, near enough: its
            // opening parenthesis is a few bytes before its id).
            let start = starts[k].saturating_sub(16);
            let end = starts.get(k + 1).copied().unwrap_or(source.text.len());
            out.push((source.path.clone(), start..end, known(&node.allow)));
        }
    }
    out
}

/// The warnings a writer may allow.
const ALLOWABLE: &[&str] = &[
    "W101", "W103", "W104", "W105", "W106", "W107", "W108", "W120", "W121",
];
