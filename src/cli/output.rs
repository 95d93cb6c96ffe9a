//! The `her` command's output: standard output and error that end the program quietly when the
//! reader goes away (`her read | head -3`), instead of the panic `println!` gives on a closed
//! pipe.
//!
//! Rust ignores the pipe signal, so a write to a closed pipe is an error (`BrokenPipe`, on every
//! platform): it is met by ending the program at once, silently, with `EXIT_PIPE`, the status a
//! shell shows for a tool stopped by a closed pipe. Any other write error (a full disk behind a
//! redirection) ends it with a one-line message and status 2, the tools' "unusable" status.

use std::fmt;
use std::io::{self, Write};

/// The exit status when the reader of the output has gone: 128 + 13 (SIGPIPE), as shells show
/// for tools ended by a closed pipe. The same number on every platform.
pub const EXIT_PIPE: i32 = 141;

/// Writes to standard output (locked, so a line is never interleaved); ends the program as the
/// module says when it cannot.
pub fn out(args: fmt::Arguments<'_>) {
    let written = io::stdout().lock().write_fmt(args);
    if let Err(e) = written {
        stop(&e);
    }
}

/// Writes to standard error; ends the program quietly when it is a closed pipe.
pub fn err(args: fmt::Arguments<'_>) {
    let written = io::stderr().lock().write_fmt(args);
    if let Err(e) = written {
        stop(&e);
    }
}

/// Flushes standard output (before waiting for the reader's answer).
pub fn flush() {
    if let Err(e) = io::stdout().lock().flush() {
        stop(&e);
    }
}

fn stop(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(EXIT_PIPE);
    }
    // Standard error may be the failing stream itself: say it once, if it can be said.
    let _ = writeln!(io::stderr(), "error: cannot write the output: {e}");
    std::process::exit(2);
}

/// `print!` that stops quietly on a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::output::out(format_args!($($arg)*)) };
}

/// `println!` that stops quietly on a closed pipe.
macro_rules! outln {
    () => { $crate::cli::output::out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::output::out(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that stops quietly on a closed pipe.
macro_rules! err {
    ($($arg:tt)*) => { $crate::cli::output::err(format_args!($($arg)*)) };
}

/// `eprintln!` that stops quietly on a closed pipe.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::cli::output::err(format_args!("{}\n", format_args!($($arg)*))) };
}
