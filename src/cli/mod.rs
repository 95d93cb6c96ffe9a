//! The `her` command line: `check`, `read`, `replay` and `explore` for writers and modders, and
//! (with the `game` feature) the game itself when no subcommand is given.
//!
//! Exit codes: 0 when all is well, 1 when problems were found, 2 when the input is unusable
//! (a missing folder, a story that does not load, a bad recording).

// First, so that the modules below have its macros (`out!`, `outln!`, `err!`, `errln!`).
#[macro_use]
pub mod output;
pub mod new_mod;
mod playthrough;
mod tag;
mod watch;

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::story::diagnostic::{render_json, render_pretty};
use crate::story::explore::{explore, to_dot};
use crate::story::runtime::Event;
use crate::story::transcript::{render_decision, render_event};
use crate::story::{LoadReport, Severity, Story, load};

/// *Her*: an interactive narrative, and the tools to write it.
#[derive(Debug, Parser)]
#[command(name = "her", version, about, long_about = None)]
pub struct Cli {
    /// What to do; without one, the game starts (when built with it) or this help is shown.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The game: play by itself with this seed, from the title screen to an ending, and report
    /// frame times.
    #[arg(long, value_name = "SEED")]
    pub autoplay: Option<u64>,
    /// The game: window size, `WIDTHxHEIGHT`.
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub window: Option<(u32, u32)>,
    /// The game (autoplay): write screenshots of the title, a choice, a letter and the ending here.
    #[arg(long, value_name = "DIR")]
    pub screenshots: Option<PathBuf>,
    /// The game: keep settings and saves here instead of the platform's data folder.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The game (autoplay): stop after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub max_seconds: Option<f32>,
    /// The game (autoplay): quit once the title, a choice and a letter are photographed.
    #[arg(long)]
    pub screenshots_only: bool,
    /// The game: draw a bare lit scene instead of the city (to measure what the city costs).
    #[arg(long)]
    pub bare_scene: bool,
    /// The game: dialogue folders, the base story first, then mods.
    #[arg(long = "dialogue", value_name = "DIR")]
    pub dialogue: Vec<PathBuf>,
    /// The game: a mod folder to play with, besides those in the player's mods folder; may be
    /// repeated.
    #[arg(long = "mod", value_name = "PATH")]
    pub mods: Vec<PathBuf>,
    /// The game: a new game starts at a writer's test start (`--from chapter.node`).
    #[command(flatten)]
    pub start: StartArgs,
}

/// A test start, for the game and for `her read`: where play begins and the state given there.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StartArgs {
    /// Start at this node (`chapter.node`, or a chapter's id) instead of the beginning: a test
    /// start, marked as such in the transcript, on screen and in recordings and saves.
    #[arg(long, value_name = "CHAPTER.NODE")]
    pub from: Option<String>,
    /// With `--from`: set a variable first (`--set trust=3`); may be repeated.
    #[arg(long, value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// With `--from`: remember a fact first (`--remember his_fear` or
    /// `--remember his_fear="the dark"`); may be repeated.
    #[arg(long, value_name = "FACT[=TEXT]")]
    pub remember: Vec<String>,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or("write the size as WIDTHxHEIGHT, e.g. 640x360")?;
    let w = w
        .trim()
        .parse()
        .map_err(|_| format!("`{w}` is not a width"))?;
    let h = h
        .trim()
        .parse()
        .map_err(|_| format!("`{h}` is not a height"))?;
    Ok((w, h))
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate dialogue folders and files: every problem, with file, line and column.
    Check {
        /// Dialogue folders or files: the base story first, then mods.
        #[arg(default_value = "dialogue")]
        paths: Vec<PathBuf>,
        /// A mod folder to lay over the story, after the paths; may be repeated. Mods load in
        /// their own order (requirements first, then by id), whatever the order given.
        #[arg(long = "mod", value_name = "PATH")]
        mods: Vec<PathBuf>,
        /// How to print problems.
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
        /// `--deny warnings`: warnings fail the check too (exit 1), as in CI. Without it only
        /// errors do; allow a warning where it is meant with `allow: ["W103"]` on its node or
        /// its chapter.
        #[arg(long, value_name = "warnings", value_parser = ["warnings"])]
        deny: Option<String>,
        /// Check again every time a dialogue file under the paths is saved, until interrupted.
        #[arg(long)]
        watch: bool,
    },
    /// Read the story in the terminal, choosing by number.
    Read {
        /// Dialogue folders: the base story first, then mods.
        #[arg(default_value = "dialogue")]
        paths: Vec<PathBuf>,
        /// A mod folder to lay over the story, after the paths; may be repeated. Mods load in
        /// their own order (requirements first, then by id), whatever the order given.
        #[arg(long = "mod", value_name = "PATH")]
        mods: Vec<PathBuf>,
        /// The seed for the story's random variation.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Choices to make, 1-based, comma separated (`2,1,3`); afterwards you are asked.
        #[arg(long, value_delimiter = ',')]
        choices: Vec<usize>,
        /// Also write the transcript to this file.
        #[arg(long)]
        transcript: Option<PathBuf>,
        /// Write the playthrough (seed and choices) to this file, for `her replay`.
        #[arg(long)]
        record: Option<PathBuf>,
        /// Where to begin, if not at the start.
        #[command(flatten)]
        start: StartArgs,
    },
    /// Replay a recorded playthrough and print its transcript.
    Replay {
        /// A playthrough: a recording written by `her read --record`, a shared replay file, or
        /// a save.
        file: PathBuf,
        /// Dialogue folders to play it in: the base story first, then mods. The document never
        /// names them itself.
        #[arg(default_value = "dialogue")]
        paths: Vec<PathBuf>,
        /// A mod folder to lay over the story, after the paths; may be repeated. Mods load in
        /// their own order (requirements first, then by id), whatever the order given.
        #[arg(long = "mod", value_name = "PATH")]
        mods: Vec<PathBuf>,
        /// Also write the transcript to this file.
        #[arg(long)]
        transcript: Option<PathBuf>,
    },
    /// Stamp a stable id on every line, choice and letter fragment that lacks one (a text edit:
    /// comments and layout stay), so saves, seen lines and mods can name them.
    Tag {
        /// Dialogue folders or files.
        #[arg(default_value = "dialogue")]
        paths: Vec<PathBuf>,
        /// A mod folder to lay over the story, after the paths; may be repeated. Mods load in
        /// their own order (requirements first, then by id), whatever the order given.
        #[arg(long = "mod", value_name = "PATH")]
        mods: Vec<PathBuf>,
        /// Change nothing: list what is untagged, and exit 1 if anything is.
        #[arg(long)]
        check: bool,
    },
    /// Count what the story holds: words, real choices, how much the OS's lines vary, memories.
    Stats {
        /// Dialogue folders: the base story first, then mods.
        #[arg(default_value = "dialogue")]
        paths: Vec<PathBuf>,
        /// A mod folder to lay over the story, after the paths; may be repeated. Mods load in
        /// their own order (requirements first, then by id), whatever the order given.
        #[arg(long = "mod", value_name = "PATH")]
        mods: Vec<PathBuf>,
    },
    /// Walk every reachable state: what is reached, what never is, and how to reach each ending.
    Explore {
        /// Dialogue folders: the base story first, then mods.
        #[arg(default_value = "dialogue")]
        paths: Vec<PathBuf>,
        /// A mod folder to lay over the story, after the paths; may be repeated. Mods load in
        /// their own order (requirements first, then by id), whatever the order given.
        #[arg(long = "mod", value_name = "PATH")]
        mods: Vec<PathBuf>,
        /// The seed for the story's random variation.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Stop after this many distinct states (and hold at most this many waiting): memory
        /// grows with it, about 10 kB a state for the shipped story.
        #[arg(long, default_value_t = 50_000)]
        max_states: usize,
        /// Write the branch graph for Graphviz (`dot -Tsvg`) to this file.
        #[arg(long)]
        dot: Option<PathBuf>,
        /// List every line never reached.
        #[arg(long)]
        lines: bool,
        /// List a path (`--choices ...`) to every node and every choice.
        #[arg(long)]
        witnesses: bool,
        /// Exit with status 1 unless the proof that no playthrough soft-locks is complete.
        #[arg(long)]
        require_proof: bool,
    },
    /// List mods in the order they load (requirements first, then by id), what each changes,
    /// and every problem and conflict between them.
    Mods {
        /// Dialogue folders: the base story first, then mods.
        #[arg(default_value = "dialogue")]
        paths: Vec<PathBuf>,
        /// A mod folder to lay over the story, after the paths; may be repeated. Mods load in
        /// their own order (requirements first, then by id), whatever the order given.
        #[arg(long = "mod", value_name = "PATH")]
        mods: Vec<PathBuf>,
    },
    /// Write a working example mod into a new folder NAME (docs/modding.md starts here).
    NewMod {
        /// The new folder; its name is the mod's id.
        name: PathBuf,
    },
}

/// The paths a tool reads: the positional ones, then each `--mod`.
fn with_mods(mut paths: Vec<PathBuf>, mods: Vec<PathBuf>) -> Vec<PathBuf> {
    paths.extend(mods);
    paths
}

/// How `check` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Like a compiler, for people.
    Pretty,
    /// A JSON array, for tools.
    Json,
}

/// Runs the command line.
pub fn main() -> ExitCode {
    #[cfg(feature = "game")]
    let launched = std::time::Instant::now();
    let cli = Cli::parse();
    match cli.command {
        #[cfg(feature = "game")]
        None => {
            let exit = crate::game::run(crate::game::GameOptions {
                autoplay: cli.autoplay,
                window: cli.window,
                screenshots: cli.screenshots,
                data_dir: cli.data_dir,
                dialogue: cli.dialogue,
                mods: cli.mods,
                max_seconds: cli.max_seconds,
                screenshots_only: cli.screenshots_only,
                bare_scene: cli.bare_scene,
                launched: Some(launched),
                test_start: match test_start(&cli.start) {
                    Ok(start) => start,
                    Err(e) => {
                        errln!("error: {e}");
                        return ExitCode::from(2);
                    }
                },
            });
            if exit.is_success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        #[cfg(not(feature = "game"))]
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            errln!(
                "\n(this `her` was built without the game: build with the default features to play)"
            );
            ExitCode::SUCCESS
        }
        Some(Command::Check {
            paths,
            mods,
            format,
            deny,
            watch: true,
        }) => {
            let paths = with_mods(paths, mods);
            watch::run(&paths, || {
                check(&paths, format, deny.is_some());
            })
        }
        Some(Command::Check {
            paths,
            mods,
            format,
            deny,
            watch: false,
        }) => check(&with_mods(paths, mods), format, deny.is_some()),
        Some(Command::Mods { paths, mods }) => mods_cmd(&with_mods(paths, mods)),
        Some(Command::NewMod { name }) => new_mod::run(&name),
        Some(Command::Read {
            paths,
            mods,
            seed,
            choices,
            transcript,
            record,
            start,
        }) => {
            let start = match test_start(&start) {
                Ok(start) => start,
                Err(e) => {
                    errln!("error: {e}");
                    return ExitCode::from(2);
                }
            };
            read(
                &with_mods(paths, mods),
                seed,
                &choices,
                transcript.as_deref(),
                record.as_deref(),
                start.as_ref(),
            )
        }
        Some(Command::Replay {
            file,
            paths,
            mods,
            transcript,
        }) => playthrough::replay(&file, &with_mods(paths, mods), transcript.as_deref()),
        Some(Command::Tag { paths, mods, check }) => tag::run(&with_mods(paths, mods), check),
        Some(Command::Stats { paths, mods }) => {
            let Some(story) = load_playable(&with_mods(paths, mods)) else {
                return ExitCode::from(2);
            };
            let s = crate::story::stats::stats(&story);
            outln!("words                {}", s.words);
            outln!("nodes                {}", s.nodes);
            outln!(
                "choices              {} ({} real: a later condition or line reads what they do)",
                s.choices,
                s.real_choices
            );
            outln!(
                "OS lines             {} ({} varied by state, stage or memory: {:.0}%)",
                s.os_lines,
                s.os_lines_varied,
                100.0 * s.os_lines_varied as f32 / s.os_lines.max(1) as f32
            );
            outln!("memory callbacks     {}", s.memory_callbacks);
            outln!("letters              {}", s.letters);
            outln!("endings              {}", s.endings);
            // What a player would read too often: 200 seeded playthroughs, random choices.
            let repeats = crate::story::stats::repetition(&story, 1, 200);
            outln!(
                "repetition           {} things read more than {} times in one of 200 seeded playthroughs",
                repeats.len(),
                crate::story::stats::REPEAT_LIMIT
            );
            for r in repeats.iter().take(20) {
                let what = if r.memory { "memory" } else { "line" };
                outln!(
                    "  {}x {what}: \"{}\"  (her read --seed {} --choices {})",
                    r.most,
                    r.text,
                    r.seed,
                    r.choices
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                );
            }
            ExitCode::SUCCESS
        }
        Some(Command::Explore {
            paths,
            mods,
            seed,
            max_states,
            dot,
            lines,
            witnesses,
            require_proof,
        }) => explore_cmd(
            &with_mods(paths, mods),
            seed,
            max_states,
            dot.as_deref(),
            ExploreLists {
                lines,
                witnesses,
                require_proof,
            },
        ),
    }
}

/// `her mods`: the load order, what each mod changes, and every problem of the mods (their
/// own, and their conflicts). Exit 1 when a mod has an error.
fn mods_cmd(paths: &[PathBuf]) -> ExitCode {
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        errln!("error: {} does not exist", missing.display());
        errln!(
            "hint: give the dialogue folder, then mod folders: `her mods dialogue --mod my_mod`"
        );
        return ExitCode::from(2);
    }
    let report = load(paths);
    outln!("load order (requirements first, then by id):");
    if let Some(base) = paths.first() {
        outln!("  0. base  {}", base.display());
    }
    for (k, m) in report.mods.iter().enumerate() {
        let version = m.version.as_deref().unwrap_or("(no version)");
        let author = m
            .author
            .as_deref()
            .map(|a| format!(" by {a}"))
            .unwrap_or_default();
        outln!(
            "  {}. {}  {version}  \"{}\"{author}  {}",
            k + 1,
            m.id,
            m.name,
            m.folder.display()
        );
        if !m.requires.is_empty() {
            let reqs: Vec<String> = m
                .requires
                .iter()
                .map(|(id, v)| format!("{id} {v}"))
                .collect();
            outln!("       requires {}", reqs.join(", "));
        }
        for change in &m.changes {
            outln!("       {change}");
        }
    }
    if report.mods.is_empty() {
        outln!("  (no mods given: `her mods dialogue --mod my_mod`)");
    }
    // The mods' problems: those in their files, and the conflicts between them.
    let folders: Vec<&Path> = report.mods.iter().map(|m| m.folder.as_path()).collect();
    let problems: Vec<crate::story::Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| {
            d.file
                .as_deref()
                .is_some_and(|f| folders.iter().any(|m| f.starts_with(m)))
                || matches!(d.code, "W126" | "W127")
        })
        .cloned()
        .collect();
    let conflicts = problems
        .iter()
        .filter(|d| matches!(d.code, "W126" | "W127" | "E003"))
        .count();
    outln!(
        "\n{} problem{} in the mods, {conflicts} of them conflict{} between mods",
        problems.len(),
        plural(problems.len()),
        if conflicts == 1 { "" } else { "s" }
    );
    out!("{}", render_pretty(&problems, &report.sources, color()));
    if problems.iter().any(|d| d.severity == Severity::Error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// `her check`.
fn check(paths: &[PathBuf], format: Format, deny_warnings: bool) -> ExitCode {
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        errln!("error: {} does not exist", missing.display());
        errln!("hint: give the dialogue folder (`her check dialogue`) or a .ron file");
        return ExitCode::from(2);
    }
    let mut report = load(paths);
    report.diagnostics.extend(repetition_warnings(&report));
    match format {
        Format::Json => outln!("{}", render_json(&report.diagnostics)),
        Format::Pretty => {
            out!(
                "{}",
                render_pretty(&report.diagnostics, &report.sources, color())
            );
            outln!("{}", summary(&report));
        }
    }
    // Warnings inform; they fail the check only when asked (`--deny warnings`, as in CI).
    let fails = report.diagnostics.iter().any(|d| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    });
    if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn summary(report: &LoadReport) -> String {
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = report.diagnostics.len() - errors;
    let files = report.sources.len();
    match &report.story {
        Some(story) if report.diagnostics.is_empty() => {
            let words: usize = story
                .lines()
                .iter()
                .map(|l| l.text.source(story).split_whitespace().count())
                .sum();
            let choices: usize = story.choices().len();
            let untagged = match story.untagged() {
                0 => String::new(),
                n => format!(
                    "\nnote: {n} lines, choices and letter fragments have no stable id yet; `her tag` stamps them, so saves and seen lines survive edits"
                ),
            };
            format!(
                "clean: {files} files, {} chapters, {} nodes, {} lines ({words} words), {choices} choices, {} endings{untagged}",
                story.chapters().len(),
                story.nodes().len(),
                story.lines().len(),
                story.endings().len()
            )
        }
        _ => format!(
            "{errors} error{}, {warnings} warning{} in {files} file{}",
            plural(errors),
            plural(warnings),
            plural(files)
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Loads a story for playing: problems are printed; `None` when it cannot be played.
fn load_playable(paths: &[PathBuf]) -> Option<Story> {
    if let Some(missing) = paths.iter().find(|p| !p.exists()) {
        errln!("error: {} does not exist", missing.display());
        return None;
    }
    let report = load(paths);
    if report.story.is_none() {
        err!(
            "{}",
            render_pretty(&report.diagnostics, &report.sources, color())
        );
        errln!("{}", summary(&report));
        errln!("the story has errors and cannot be played; `her check` lists them");
    }
    report.story
}

/// `her read`.
fn read(
    paths: &[PathBuf],
    seed: u64,
    scripted: &[usize],
    transcript: Option<&Path>,
    record: Option<&Path>,
    start: Option<&crate::story::runtime::TestStart>,
) -> ExitCode {
    let Some(story) = load_playable(paths) else {
        return ExitCode::from(2);
    };
    let interactive = std::io::stdin().is_terminal();
    let mut stdin = std::io::stdin().lock();
    let mut out = String::new();
    let mut state = match start {
        Some(start) => match story.state_from(seed, start) {
            Ok(state) => {
                let note = format!("{}\n", start.describe());
                out!("{note}");
                out.push_str(&note);
                state
            }
            Err(e) => {
                errln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        None => story.new_state(seed),
    };
    let mut made: Vec<usize> = Vec::new();
    let mut status = ExitCode::SUCCESS;
    loop {
        let event = story.next(&mut state);
        let text = render_event(&story, &state, &event);
        out!("{text}");
        out.push_str(&text);
        if event.is_final() {
            if matches!(event, Event::Stuck { .. }) {
                status = ExitCode::from(1);
            }
            break;
        }
        if !event.is_decision() {
            continue;
        }
        let count = match &event {
            Event::Choices(c) => c.len(),
            Event::Paragraph(p) => p.fragments.len(),
            _ => 0,
        };
        let pick = if let Some(&c) = scripted.get(made.len()) {
            if c == 0 || c > count {
                errln!(
                    "error: choice {} of --choices is {c}, but there are only {count} options here",
                    made.len() + 1
                );
                status = ExitCode::from(2);
                break;
            }
            c - 1
        } else {
            match ask(&mut stdin, count, interactive) {
                Some(Answer::Pick(i)) => i,
                Some(Answer::Back) if !made.is_empty() => {
                    made.pop();
                    state = story.rollback(&state, made.len());
                    let note = "(back to your previous choice)\n";
                    out!("{note}");
                    out.push_str(note);
                    continue;
                }
                Some(Answer::Back) => continue,
                None => {
                    let note = "(the reading stops here: no more choices were given)\n";
                    out!("{note}");
                    out.push_str(note);
                    break;
                }
            }
        };
        output::flush();
        if story.choose(&mut state, pick).is_ok() {
            made.push(pick + 1);
            let d = render_decision(pick);
            out!("{d}");
            out.push_str(&d);
        }
    }
    if let Some(path) = transcript
        && let Err(e) = std::fs::write(path, &out)
    {
        errln!(
            "error: cannot write the transcript to {}: {e}",
            path.display()
        );
        status = ExitCode::from(2);
    }
    if let Some(path) = record
        && !playthrough::record(&story, &state, path)
    {
        status = ExitCode::from(2);
    }
    status
}

enum Answer {
    Pick(usize),
    Back,
}

fn ask(stdin: &mut impl BufRead, count: usize, interactive: bool) -> Option<Answer> {
    loop {
        if interactive {
            out!("choose 1-{count} (b: back, q: quit) > ");
            output::flush();
        }
        let mut line = String::new();
        if stdin.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim();
        match line {
            "q" | "quit" => return None,
            "b" | "back" => return Some(Answer::Back),
            _ => match line.parse::<usize>() {
                Ok(n) if (1..=count).contains(&n) => return Some(Answer::Pick(n - 1)),
                _ => {
                    outln!("(type a number from 1 to {count})");
                    if !interactive {
                        return None;
                    }
                }
            },
        }
    }
}

/// What `her explore` lists beyond its summary, and how strict its status is.
struct ExploreLists {
    lines: bool,
    witnesses: bool,
    require_proof: bool,
}

/// `her explore`.
fn explore_cmd(
    paths: &[PathBuf],
    seed: u64,
    max_states: usize,
    dot: Option<&Path>,
    lists: ExploreLists,
) -> ExitCode {
    let list_lines = lists.lines;
    let Some(story) = load_playable(paths) else {
        return ExitCode::from(2);
    };
    // The proof first: it covers every playthrough at once, in milliseconds.
    let proof = crate::story::proof::prove(&story);
    let bar = indicatif::ProgressBar::new(max_states as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "exploring {bar:30} {pos}/{len} states, {msg} waiting ({elapsed})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let report = explore(&story, seed, max_states, |states, waiting| {
        bar.set_position(states as u64);
        bar.set_message(waiting.to_string());
    });
    bar.finish_and_clear();

    let nodes_reached = report.nodes_reached.iter().filter(|r| **r).count();
    let lines_reached = report.lines_reached.iter().filter(|r| **r).count();
    let choices_taken = report.choices_taken.iter().filter(|r| **r).count();
    outln!(
        "{} distinct states{}",
        report.states,
        if report.complete {
            // A complete search is complete for this seed: random picks follow it, so another
            // seed can pick (and, where a variant carries effects, branch) differently.
            " (complete for this seed: every choice at every state; random picks follow the seed)"
        } else {
            " (stopped at --max-states: raise it to see more)"
        }
    );
    if proof.proven {
        outln!(
            "proof: complete: no playthrough, with any seed, can get stuck ({} points, {} decisions; each has a way on, and an ending stays in reach from each)",
            proof.points,
            proof.decisions
        );
    } else {
        outln!(
            "proof: open ({} points, {} decisions checked); the places below may be soft-locks, or guards too subtle for the proof",
            proof.points,
            proof.decisions
        );
        for (node, why) in proof.dead_ends.iter().take(LISTED) {
            outln!("  may get stuck at {}: {}", cut(node), cut(why));
        }
        more(proof.dead_ends.len(), "places");
        for node in proof.unproven.iter().take(LISTED) {
            outln!(
                "  an ending is not proven to stay in reach from {}",
                cut(node)
            );
        }
        more(proof.unproven.len(), "nodes");
    }
    outln!("nodes reached: {nodes_reached} of {}", story.nodes().len());
    outln!(
        "lines reached: {lines_reached} of {} (with seed {seed}; random banter picks one line per visit)",
        story.lines().len()
    );
    outln!(
        "choices taken: {choices_taken} of {}",
        story.choices().len()
    );
    let unreached: Vec<&str> = story
        .nodes()
        .iter()
        .zip(&report.nodes_reached)
        .filter(|(_, r)| !**r)
        .map(|(n, _)| n.id.as_str())
        .collect();
    if !unreached.is_empty() {
        outln!("\nnodes never reached:");
        for n in unreached.iter().take(LISTED) {
            outln!("  {}", cut(n));
        }
        more(unreached.len(), "nodes");
    }
    if list_lines {
        outln!("\nlines never reached:");
        let mut never = story
            .lines()
            .iter()
            .zip(&report.lines_reached)
            .enumerate()
            .filter(|(_, (_, r))| !**r);
        // Asked for, so many more than the other lists; still bounded.
        for (ix, (line, _)) in never.by_ref().take(LISTED * 10) {
            outln!(
                "  {}  {}",
                cut(&story.line_id(ix)),
                cut(&line.text.source(&story))
            );
        }
        let left = never.count();
        if left > 0 {
            outln!("  ... and {left} more lines");
        }
    }
    outln!("\nendings:");
    let mut missing_ending = false;
    for (shown, (ending, path)) in story.endings().iter().zip(&report.endings).enumerate() {
        missing_ending |= path.is_none();
        if shown >= LISTED {
            continue;
        }
        match path {
            Some(p) => outln!(
                "  {:<16} reached in {} choices: --choices {}",
                cut(&ending.id),
                p.len(),
                choices_arg(p)
            ),
            None => outln!("  {:<16} NEVER REACHED", cut(&ending.id)),
        }
    }
    more(story.endings().len(), "endings");
    if !report.dead_ends.is_empty() {
        outln!("\ndead ends:");
        for (node, reason, path) in report.dead_ends.iter().take(LISTED) {
            outln!(
                "  {}: {} (--choices {})",
                cut(node),
                cut(reason),
                choices_arg(path)
            );
        }
        more(report.dead_ends.len(), "dead ends");
    }
    if !report.traps.is_empty() {
        outln!("\nno ending in reach any more:");
        for (node, path) in report.traps.iter().take(LISTED) {
            outln!("  at {} (--choices {})", cut(node), choices_arg(path));
        }
        more(report.traps.len(), "places");
    }
    outln!("\nvariables (values seen; in brackets, the bounds the proof gives every playthrough):");
    for ((var, range), bound) in story
        .variables()
        .iter()
        .zip(&report.ranges)
        .zip(&proof.ranges)
        .take(LISTED)
    {
        outln!(
            "  {:<26} {} [{}]",
            cut(&var.name),
            cut(&range.describe()),
            cut(bound)
        );
    }
    more(story.variables().len(), "variables");
    if lists.witnesses {
        // A path to each node, then to each choice (or says it was never reached).
        let list = |title: &str, names: Vec<&str>, paths: &[Option<Vec<usize>>], (done, never)| {
            outln!("\n{title}:");
            for (name, path) in names.into_iter().zip(paths).take(LISTED * 10) {
                match path {
                    Some(p) => outln!("  {} {done} with: --choices {}", cut(name), choices_arg(p)),
                    None => outln!("  {} {never}", cut(name)),
                }
            }
        };
        let nodes = story.nodes().iter().map(|n| n.id.as_str()).collect();
        list(
            "nodes",
            nodes,
            &report.node_paths,
            ("entered", "NEVER ENTERED"),
        );
        let choices = story.choices().iter().map(|c| c.id.as_str()).collect();
        list(
            "choices",
            choices,
            &report.choice_paths,
            ("taken", "NEVER TAKEN"),
        );
    }
    if let Some(path) = dot
        && let Err(e) = std::fs::write(path, to_dot(&story, &report))
    {
        errln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    if missing_ending
        || !report.dead_ends.is_empty()
        || !report.traps.is_empty()
        || !unreached.is_empty()
        || (lists.require_proof && !proof.proven)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// How many entries each of `explore`'s lists shows before it counts the rest: so that no
/// story, however large, makes a report of megabytes.
const LISTED: usize = 100;

/// The widest name or line `explore` prints, in characters.
const WIDTH: usize = 160;

/// The most choices of a path printed (`--choices 1,2,...`): a path of thousands of choices is
/// for `--dot`, not for a terminal.
const PATH_SHOWN: usize = 500;

/// Says how many of a list were not shown, if any.
fn more(total: usize, what: &str) {
    if total > LISTED {
        outln!("  ... and {} more {what}", total - LISTED);
    }
}

/// A name or a line cut to `WIDTH` characters, with an ellipsis.
fn cut(text: &str) -> String {
    match text.char_indices().nth(WIDTH) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A path as `--choices` takes it, cut after `PATH_SHOWN` choices.
fn choices_arg(path: &[usize]) -> String {
    let mut arg = path
        .iter()
        .take(PATH_SHOWN)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    if path.len() > PATH_SHOWN {
        arg.push_str(&format!(",... ({} more)", path.len() - PATH_SHOWN));
    }
    arg
}

/// The test start `her read --from X --set a=1 --remember f` asks for, if any.
fn test_start(args: &StartArgs) -> Result<Option<crate::story::runtime::TestStart>, String> {
    let StartArgs {
        from,
        set,
        remember,
    } = args;
    let Some(from) = from.clone() else {
        if set.is_empty() && remember.is_empty() {
            return Ok(None);
        }
        return Err("`--set` and `--remember` go with `--from chapter.node`".into());
    };
    let mut pairs = Vec::new();
    for s in set {
        let (name, value) = s
            .split_once('=')
            .ok_or_else(|| format!("`--set {s}`: write `--set name=value`"))?;
        pairs.push((name.trim().to_owned(), value.to_owned()));
    }
    for r in remember {
        // Without a text, the fact's name stands for it (`his_fear` reads "his fear"), so a
        // test start shows where a memory is used.
        let (name, text) = match r.split_once('=') {
            Some((n, t)) => (n.trim().to_owned(), t.trim_matches('"').to_owned()),
            None => (r.trim().to_owned(), r.trim().replace('_', " ")),
        };
        pairs.push((name, text));
    }
    Ok(Some(crate::story::runtime::TestStart { from, set: pairs }))
}

/// `W123`: what a player would read more than twice in one playthrough (a line of eight words
/// or more, or a remembered phrase), found on 50 seeded playthroughs and placed at the node of
/// the line it is read in; `her stats` plays 200 and prints a path to each.
fn repetition_warnings(report: &LoadReport) -> Vec<crate::story::Diagnostic> {
    let Some(story) = &report.story else {
        return Vec::new();
    };
    crate::story::stats::repetition(story, 1, 50)
        .into_iter()
        .filter_map(|r| {
            let node = &story.nodes()[story.lines()[r.line].node];
            let src = report.sources.get(node.source.file)?;
            let span = node.id_span(src);
            let what = if r.memory { "the remembered phrase" } else { "the line" };
            Some(src.diagnostic(
                Severity::Warning,
                "W123",
                span,
                format!(
                    "{what} \"{}\" is read {} times in one playthrough (her read --seed {} --choices {})",
                    r.text,
                    r.most,
                    r.seed,
                    r.choices
                        .iter()
                        .map(usize::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                Some(if r.memory {
                    "after its first telling, name the memory by a short handle (\"your fear\") or vary the line".into()
                } else {
                    "limit how often it plays: put it in `Variants`, or a `{!first|later}` alternative".into()
                }),
            ))
        })
        .collect()
}
