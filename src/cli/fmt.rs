//! `vjc fmt FILE… [--check]`: rewrites each file in the canonical layout
//! (`vjc::fmt`), or with `--check` prints what would change as a unified
//! diff.
//!
//! Exit status: 0 every file is formatted (or was rewritten); 1 a file does
//! not parse (its diagnostic is printed and it is left alone); 2 a file
//! cannot be read or written; 3 with `--check`, a file is not formatted.
//! When several apply, the first in the order 2, 1, 3 wins: 3 means that
//! formatting is the only thing wrong.

use super::{EXIT_INPUT, EXIT_USAGE, Input, Stderr, emit, read_source};
use clap::Args;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use vjc::render::Format;

/// Exit status: `--check` found a file that is not formatted.
const EXIT_UNFORMATTED: u8 = 3;

pub const AFTER_HELP: &str = "\
The layout: one statement per line; a segment stays on one line when it was
written on one line, has at most one member and fits in 100 columns, else one
member per line; jail and kernel blocks one property per line; blank lines
between statements kept (a run of them becomes one); every comment kept where
it was. A file is rewritten only when its layout changes.

Exit status:
  0  every file is formatted (or has been rewritten)
  1  a file does not parse (it is left unchanged)
  2  a file cannot be read or written
  3  with --check: a file is not formatted (the diff is on stdout)";

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// The .vj files
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Write nothing; print a unified diff of each file that is not
    /// formatted and exit 3
    #[arg(long)]
    check: bool,
}

pub fn run(stderr: &mut Stderr, args: &FmtArgs) -> u8 {
    let mut io_failed = false;
    let mut unparsable = false;
    let mut unformatted = 0;
    let mut stdout = io::stdout().lock();
    for file in &args.files {
        let shown = file.display().to_string();
        let source = match read_source(file, &shown) {
            Ok(Input::Text(source)) => source,
            Ok(Input::Bad {
                shown: text,
                diagnostic,
                labelled,
            }) => {
                emit(
                    stderr,
                    Format::Human,
                    &shown,
                    &text,
                    &[diagnostic],
                    labelled,
                );
                unparsable = true;
                continue;
            }
            Err(e) => {
                stderr.error(format_args!("cannot read {shown}: {e}"));
                io_failed = true;
                continue;
            }
        };
        let ast = match vjc::parse::parse(&source) {
            Ok(ast) => ast,
            Err(d) => {
                emit(stderr, Format::Human, &shown, &source, &[d], true);
                stderr.error(format_args!("cannot format {shown}: it does not parse"));
                unparsable = true;
                continue;
            }
        };
        let formatted = vjc::fmt::format(&ast, &source);
        if formatted == source {
            continue;
        }
        // A formatter bug must not cost anyone a file: the new text must
        // parse and be a fixed point of the layout before it is written.
        if !is_stable(&formatted) {
            stderr.error(format_args!(
                "internal error: the formatted {shown} would not be stable; \
                 the file is left unchanged"
            ));
            stderr.note("this is a bug in vjc, not in your file; please report it with the file");
            io_failed = true;
            continue;
        }
        if args.check {
            unformatted += 1;
            let diff = similar::TextDiff::from_lines(&source, &formatted)
                .unified_diff()
                .context_radius(3)
                .header(&shown, &shown)
                .to_string();
            // A closed stdout (`| head`) is not an error worth a panic.
            let _ = stdout.write_all(diff.as_bytes());
        } else {
            match write_in_place(file, &formatted) {
                Ok(()) => {
                    let _ = writeln!(stdout, "formatted {shown}");
                }
                Err(e) => {
                    stderr.error(format_args!("cannot write {shown}: {e}"));
                    io_failed = true;
                }
            }
        }
    }
    let _ = stdout.flush();
    if unformatted > 0 {
        stderr.error(format_args!(
            "{unformatted} file{} not formatted; `vjc fmt FILE…` rewrites {}",
            if unformatted == 1 { " is" } else { "s are" },
            if unformatted == 1 { "it" } else { "them" },
        ));
    }
    if io_failed {
        EXIT_USAGE
    } else if unparsable {
        EXIT_INPUT
    } else if unformatted > 0 {
        EXIT_UNFORMATTED
    } else {
        0
    }
}

fn is_stable(formatted: &str) -> bool {
    vjc::parse::parse(formatted).is_ok_and(|ast| vjc::fmt::format(&ast, formatted) == formatted)
}

/// Replaces the file's contents atomically: the new text goes to a
/// temporary file in the same directory (a rename is atomic only within one
/// file system), with the old file's permissions, synced, then renamed over
/// it. A symlink is followed: the file it points to is replaced, the link
/// stays.
fn write_in_place(path: &Path, text: &str) -> io::Result<()> {
    let target = fs::canonicalize(path)?;
    let permissions = fs::metadata(&target)?.permissions();
    let dir = target.parent().unwrap_or(Path::new("/"));
    let base = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (tmp, mut f) = create_temp(dir, &base)?;
    let result = f
        .write_all(text.as_bytes())
        .and_then(|()| f.set_permissions(permissions))
        .and_then(|()| f.sync_all())
        .and_then(|()| fs::rename(&tmp, &target));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A new file `.<base>.vjc-fmt-<pid>[-n]` in `dir`, never an existing one.
fn create_temp(dir: &Path, base: &str) -> io::Result<(PathBuf, fs::File)> {
    let pid = std::process::id();
    let mut n = 0;
    loop {
        let name = if n == 0 {
            format!(".{base}.vjc-fmt-{pid}")
        } else {
            format!(".{base}.vjc-fmt-{pid}-{n}")
        };
        let path = dir.join(name);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}
