//! Files: walking dialogue folders and reading text files, safely, whatever is in them.
//!
//! A dialogue folder may come from a stranger (a mod), so reading it must never loop, hang, read
//! without bound, or read (and then quote) anything outside the folders given:
//!
//! - folders are walked with `walkdir`, in name order, and **no link inside a folder is ever
//!   followed**: a link is skipped with a `W108` notice, whatever it points at. Following a link
//!   that stays inside the folder would be safe but would read its target twice (a duplicate
//!   chapter), so links are never worth following. A path named by the caller (the folder or file
//!   on the command line) may itself be a link: that one is followed;
//! - pipes, devices, sockets and anything else that is not a plain file or a folder are skipped
//!   with a `W108` notice and never opened (opening a pipe with no writer would wait forever);
//! - every read goes through `Read::take`, so a file over the size limit (or one that grows
//!   while it is read) is never read whole: `E012` for one file, `E013` for all of them
//!   together (or too many entries in the folders);
//! - a UTF-8 byte-order mark is dropped (its three bytes are not part of the text, so columns
//!   count from the first real character), and text that is not UTF-8 is `E014`, at the line and
//!   column of its first bad byte.
//!
//! One thing is out of reach without platform calls: a plain file swapped for a pipe between the
//! walk and the open. The file is checked again once open, but the open itself would wait.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, Severity, SourceFile};

/// The largest file read, in bytes (8 MiB): far above any real chapter.
pub const MAX_FILE_BYTES: u64 = 8 << 20;
/// The most bytes read from one dialogue folder (the base story, or one mod): 256 MiB.
pub const MAX_TOTAL_BYTES: u64 = 256 << 20;
/// The most entries (files, folders, links, anything) walked in one dialogue folder.
pub const MAX_ENTRIES: usize = 100_000;

/// The limits of one load, in bytes and entries. `Limits::default()` is what the tools use;
/// tests use smaller ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file read, in bytes (`E012` above it).
    pub file_bytes: u64,
    /// The most bytes read from one folder given (`E013` above it).
    pub total_bytes: u64,
    /// The most entries walked in one folder given (`E013` above it).
    pub entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            file_bytes: MAX_FILE_BYTES,
            total_bytes: MAX_TOTAL_BYTES,
            entries: MAX_ENTRIES,
        }
    }
}

/// What reading the dialogue folders gave: the text of every file read, the files of each
/// folder as a range of `sources` (the base story first, then each mod), and every problem met.
#[derive(Debug, Default)]
pub struct ReadDialogue {
    /// The files read, in walking order. A file that is not UTF-8 is here too, its bad bytes
    /// replaced by U+FFFD, so that its problem can be shown in place and its chapter still
    /// parses (no false "missing chapter" problems).
    pub sources: Vec<SourceFile>,
    /// For each path given, the range of `sources` read from it.
    pub layers: Vec<std::ops::Range<usize>>,
    /// Every problem: links and special files skipped (`W108`), files too large (`E012`), over
    /// the total (`E013`), not UTF-8 (`E014`), unreadable (`E009`).
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads dialogue: each path is a folder (every `.ron` file under it, in name order, walked as
/// the module says) or a single file (read whatever its name). Never fails: every problem is a
/// diagnostic, and the files that could be read are returned.
pub fn read_dialogue(paths: &[PathBuf], limits: &Limits) -> ReadDialogue {
    let mut out = ReadDialogue::default();
    for path in paths {
        // Each folder (the base story, each mod) has the limits to itself: a mod over them is
        // reported in its own files (and left out by the game), never at the cost of the
        // folders after it.
        let mut entries = 0usize;
        let mut total = 0u64;
        let mut over_total = false;
        let start = out.sources.len();
        let files = if over_total {
            Vec::new()
        } else {
            walk(path, limits, &mut entries, &mut out.diagnostics)
        };
        for (i, file) in files.iter().enumerate() {
            if over_total {
                break;
            }
            let room = limits.total_bytes.saturating_sub(total);
            match read_bounded(file, limits.file_bytes.min(room)) {
                Ok(bytes) => {
                    total += bytes.len() as u64;
                    out.sources
                        .push(decode_source(file, bytes, &mut out.diagnostics));
                }
                Err(ReadError::TooLarge { .. }) if room < limits.file_bytes => {
                    over_total = true;
                    let left = files.len() - i;
                    out.diagnostics.push(
                        file_problem(
                            Severity::Error,
                            "E013",
                            file,
                            format!(
                                "the dialogue is over the limit of {} for the files of one folder: \
                                 {} and {} more file{} after it were not read",
                                bytes(limits.total_bytes),
                                file.display(),
                                left - 1,
                                if left == 2 { "" } else { "s" }
                            ),
                        )
                        .with_hint(Some(
                            "keep only dialogue in the folders, or split the story".into(),
                        )),
                    );
                }
                Err(e) => out.diagnostics.push(read_problem(file, &e, limits)),
            }
        }
        out.layers.push(start..out.sources.len());
    }
    out
}

/// The `.ron` files under `root` (or `root` itself when it is not a folder), in name order;
/// everything skipped is reported.
fn walk(
    root: &Path,
    limits: &Limits,
    entries: &mut usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .follow_root_links(true)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(root);
                let why = e
                    .io_error()
                    .map_or_else(|| e.to_string(), ToString::to_string);
                let mut d = Diagnostic::general(
                    Severity::Error,
                    "E009",
                    format!("cannot read {}: {why}", path.display()),
                );
                if path == root {
                    d = d.with_hint(Some("give a dialogue folder or a .ron file".into()));
                }
                d.file = Some(path.to_path_buf());
                diagnostics.push(d);
                continue;
            }
        };
        *entries += 1;
        if *entries > limits.entries {
            diagnostics.push(
                file_problem(
                    Severity::Error,
                    "E013",
                    entry.path(),
                    format!(
                        "a dialogue folder holds more than {} entries; the walk stopped at {}",
                        limits.entries,
                        entry.path().display()
                    ),
                )
                .with_hint(Some(
                    "keep only dialogue in the folders, or split the story".into(),
                )),
            );
            break;
        }
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        let named = entry.depth() == 0;
        if kind.is_file() {
            // A file named by the caller is read whatever its name; in a folder, only `.ron`.
            if named || entry.path().extension().is_some_and(|e| e == "ron") {
                files.push(entry.into_path());
            }
            continue;
        }
        let what = if kind.is_symlink() {
            "a link (links in dialogue folders are never followed)"
        } else {
            special_kind(&kind)
        };
        diagnostics.push(
            file_problem(
                Severity::Warning,
                "W108",
                entry.path(),
                format!("skipped {}: {what}", entry.path().display()),
            )
            .with_hint(Some(
                "put the file itself in the folder; only plain files and folders are read".into(),
            )),
        );
    }
    files
}

/// Names a file type that is neither a plain file, a folder nor a link.
#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a pipe, not a plain file"
    } else if kind.is_socket() {
        "a socket, not a plain file"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device, not a plain file"
    } else {
        "not a plain file"
    }
}

/// Names a file type that is neither a plain file, a folder nor a link.
#[cfg(not(unix))]
fn special_kind(_kind: &std::fs::FileType) -> &'static str {
    "not a plain file"
}

/// A problem with a whole file: it names the file (so a broken mod is known by its problems) and
/// has no line or column.
fn file_problem(
    severity: Severity,
    code: &'static str,
    path: &Path,
    message: String,
) -> Diagnostic {
    let mut d = Diagnostic::general(severity, code, message);
    d.file = Some(path.to_path_buf());
    d
}

/// The diagnostic for a file that could not be read.
fn read_problem(path: &Path, e: &ReadError, limits: &Limits) -> Diagnostic {
    match e {
        ReadError::TooLarge { .. } => file_problem(
            Severity::Error,
            "E012",
            path,
            format!(
                "{} is over the limit of {} for one file; it was not read",
                path.display(),
                bytes(limits.file_bytes)
            ),
        )
        .with_hint(Some("split it into several files".into())),
        ReadError::NotAFile => file_problem(
            Severity::Warning,
            "W108",
            path,
            format!("skipped {}: not a plain file", path.display()),
        ),
        ReadError::InvalidUtf8 { .. } | ReadError::Io(_) => {
            let mut d = Diagnostic::general(
                Severity::Error,
                "E009",
                format!("cannot read {}: {e}", path.display()),
            );
            d.file = Some(path.to_path_buf());
            d
        }
    }
}

/// Turns a dialogue file's bytes into a source: the byte-order mark dropped, bad UTF-8 reported
/// (`E014`) at its place and replaced, so the file still shows and parses.
fn decode_source(path: &Path, bytes: Vec<u8>, diagnostics: &mut Vec<Diagnostic>) -> SourceFile {
    match decode(bytes) {
        Ok(text) => SourceFile::new(path.to_path_buf(), text),
        Err(bad) => {
            let at = bad.offset;
            let source = SourceFile::new(path.to_path_buf(), bad.lossy);
            // The replacement character is three bytes in the lossy text.
            let end = (at + '\u{FFFD}'.len_utf8()).min(source.text.len());
            diagnostics.push(source.diagnostic(
                Severity::Error,
                "E014",
                at..end,
                "this file is not valid UTF-8 text here",
                Some("save the file as UTF-8 in your editor".into()),
            ));
            source
        }
    }
}

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    /// The file system refused (it does not exist, no permission...).
    Io(std::io::Error),
    /// The file holds more bytes than the limit allowed; it was not read whole.
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The path is not a plain file (a folder, a pipe, a device...); it was not read.
    NotAFile,
    /// The bytes are not UTF-8 at this 1-based line and column (in characters, after the
    /// byte-order mark).
    InvalidUtf8 {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::TooLarge { limit } => {
                write!(f, "the file is over the limit of {}", bytes(*limit))
            }
            ReadError::NotAFile => write!(f, "not a plain file"),
            ReadError::InvalidUtf8 { line, column } => {
                write!(f, "not valid UTF-8 text at line {line}, column {column}")
            }
        }
    }
}

impl std::error::Error for ReadError {}

impl From<ReadError> for std::io::Error {
    /// For callers whose errors carry an `io::Error`: the kind says what went wrong, the text
    /// says the rest.
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => e,
            ReadError::TooLarge { .. } => {
                std::io::Error::new(std::io::ErrorKind::FileTooLarge, e.to_string())
            }
            ReadError::NotAFile => {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
            }
            ReadError::InvalidUtf8 { .. } => {
                std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
            }
        }
    }
}

/// Reads a text file named by the user (a save, a recording): at most `limit` bytes, the
/// byte-order mark dropped. Follows a link, since the user named the path; refuses anything that
/// is not a plain file.
///
/// # Errors
/// `ReadError::Io` when it cannot be opened or read, `TooLarge` when it holds more than `limit`
/// bytes (only `limit + 1` are ever read), `NotAFile`, and `InvalidUtf8` with the place of the
/// first bad byte.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_bounded(path, limit)?;
    decode(bytes).map_err(|bad| {
        let source = SourceFile::new(PathBuf::new(), bad.lossy);
        let (line, column) = source.line_col(bad.offset);
        ReadError::InvalidUtf8 { line, column }
    })
}

/// Reads at most `limit` bytes of a plain file, never more than `limit + 1` from the disk.
fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // Checked before opening: opening a pipe with no writer waits forever.
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // ... and again once open, in case it was swapped in between.
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    // The size said may be wrong (a file still being written, a special file system): the
    // `take` is what bounds the read.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Text that is not UTF-8: where the first bad byte is (in `lossy`, after the byte-order mark),
/// and the text with every bad sequence replaced by U+FFFD.
struct BadUtf8 {
    offset: usize,
    lossy: String,
}

/// Bytes to text, without a leading byte-order mark.
fn decode(mut bytes: Vec<u8>) -> Result<String, BadUtf8> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| {
        // The valid prefix is the same in the lossy text, so the offset holds there too.
        let offset = e.utf8_error().valid_up_to();
        BadUtf8 {
            offset,
            lossy: String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    })
}

/// A size in bytes as people read it: `8 MiB`, `512 KiB`, `100 bytes`.
fn bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_byte_order_mark_is_dropped() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFStory()".to_vec()).ok().unwrap(),
            "Story()"
        );
    }

    #[test]
    fn bad_utf8_is_placed_after_the_mark() {
        let bad = decode(b"\xEF\xBB\xBFab\ncd\xFFe".to_vec()).err().unwrap();
        assert_eq!(bad.offset, 5);
        let source = SourceFile::new(PathBuf::new(), bad.lossy);
        assert_eq!(source.line_col(bad.offset), (2, 3));
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(bytes(8 << 20), "8 MiB");
        assert_eq!(bytes(4096), "4 KiB");
        assert_eq!(bytes(100), "100 bytes");
    }
}
