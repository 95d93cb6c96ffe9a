//! `her check --watch`: checks, then checks again each time a dialogue file under the paths is
//! saved (the `notify` crate: inotify on Linux, the native watcher elsewhere), until
//! interrupted. Editors save in bursts (a temporary file, a rename, a metadata touch), so the
//! events of one save are gathered for a moment before checking once.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

/// How long the events of one save are gathered before checking.
const SETTLE: Duration = Duration::from_millis(40);

/// Runs the watch loop: `check` runs once now and after every save; returns only when the
/// watcher cannot be made or stops (the user interrupts the process otherwise).
pub fn run(paths: &[PathBuf], mut check: impl FnMut()) -> std::process::ExitCode {
    let (tx, rx) = mpsc::channel();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            // Only changes to dialogue files matter; the editor's swap files do not.
            let relevant = event.paths.iter().any(|p| {
                p.extension().is_some_and(|e| e == "ron")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            });
            if relevant && !matches!(event.kind, notify::EventKind::Access(_)) {
                let _ = tx.send(());
            }
        }
    });
    let mut watcher = match watcher {
        Ok(w) => w,
        Err(e) => {
            errln!("error: cannot watch the files: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    for path in paths {
        if let Err(e) = watcher.watch(path, RecursiveMode::Recursive) {
            errln!("error: cannot watch {}: {e}", path.display());
            return std::process::ExitCode::from(2);
        }
    }
    check();
    outln!("(watching {} for saves; Ctrl-C to stop)", describe(paths));
    crate::cli::output::flush();
    while rx.recv().is_ok() {
        // Gather the rest of this save's events.
        let until = Instant::now() + SETTLE;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            if rx.recv_timeout(left).is_err() {
                break;
            }
        }
        let started = Instant::now();
        outln!("\n--- changed: checking again");
        check();
        outln!("(checked in {} ms)", started.elapsed().as_millis());
        crate::cli::output::flush();
    }
    std::process::ExitCode::SUCCESS
}

fn describe(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
