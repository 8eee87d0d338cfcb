//! `vjc compile FILE -o DIR --check`: whether DIR holds exactly what
//! `vjc compile` would leave there, like `terraform plan
//! -detailed-exitcode` or `rustfmt --check`. Nothing is written.
//!
//! The plan comes from `out_dir::preview`, the planning code of the writer
//! itself, so the ownership rules are the same: a file at an output path
//! that vjc did not write stops the check (exit 2) unless `--force` is
//! given, as it would stop the compile.
//!
//! Exit 0: `vjc compile` would change nothing (outputs, their modes, the
//! files it would remove, and `.vjc-manifest`). Exit 3: on stdout, a
//! unified diff per file that is stale, missing or would be removed (`-`
//! what DIR holds, `+` what vjc would write), and on stderr a count and
//! the command that brings DIR up to date.

use super::out_dir::{self, ManifestNow, Planned};
use super::{EXIT_USAGE, Stderr};
use similar::TextDiff;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use vjc::emit::OutputFile;

/// Exit status: DIR is not what `vjc compile` would write.
pub const EXIT_STALE: u8 = 3;

/// A file larger than this is not diffed (vjc's outputs are far smaller).
const DIFF_LIMIT: u64 = 16 * 1024 * 1024;

/// What the check found at one path.
#[derive(Debug, Default)]
struct Counts {
    differ: usize,
    missing: usize,
    removed: usize,
}

/// Compares `files` (what compile would write for `file`) with `dir`;
/// returns the exit status.
pub(super) fn run(
    stderr: &mut Stderr,
    file: &Path,
    dir: &Path,
    files: &[OutputFile],
    force: bool,
) -> u8 {
    let preview = match out_dir::preview(dir, files, force) {
        Ok(preview) => preview,
        Err(e @ out_dir::Error::Foreign { .. }) => {
            for line in e.to_string().lines() {
                stderr.error(line);
            }
            stderr.note(format_args!(
                "vjc replaces only files it wrote: those listed in {} or starting with `{}`",
                dir.join(out_dir::MANIFEST).display(),
                vjc::emit::HEADER_PREFIX
            ));
            return EXIT_USAGE;
        }
        Err(e) => {
            stderr.error(e);
            return EXIT_USAGE;
        }
    };

    let mut report = String::new();
    let mut counts = Counts::default();
    let shown = |rel: &str| dir.join(rel).display().to_string();
    let result = (|| -> Result<(), (std::path::PathBuf, io::Error)> {
        for (f, planned) in files.iter().zip(&preview.files) {
            let path = dir.join(&f.path);
            match planned {
                Planned::Unchanged => {}
                Planned::Create => {
                    counts.missing += 1;
                    diff(&mut report, "/dev/null", &shown(&f.path), "", &f.contents);
                }
                Planned::Replace => {
                    counts.differ += 1;
                    let want = if f.executable { 0o755 } else { 0o644 };
                    match current(&path).map_err(|e| (path.clone(), e))? {
                        Current::Text(text, mode) => {
                            diff(
                                &mut report,
                                &shown(&f.path),
                                &shown(&f.path),
                                &text,
                                &f.contents,
                            );
                            if mode != want {
                                report.push_str(&format!(
                                    "mode of {}: {mode:04o} here, vjc compile writes {want:04o}\n",
                                    shown(&f.path)
                                ));
                            }
                        }
                        other => report.push_str(&format!(
                            "{} {}; vjc compile would replace it with its own file\n",
                            shown(&f.path),
                            other.describe()
                        )),
                    }
                }
            }
        }
        for rel in &preview.stale {
            counts.removed += 1;
            let path = dir.join(rel);
            match current(&path).map_err(|e| (path.clone(), e))? {
                Current::Text(text, _) => diff(&mut report, &shown(rel), "/dev/null", &text, ""),
                other => report.push_str(&format!(
                    "{} {}; vjc compile would remove it\n",
                    shown(rel),
                    other.describe()
                )),
            }
        }
        Ok(())
    })();
    if let Err((path, e)) = result {
        stderr.error(format_args!("cannot read {}: {e}", path.display()));
        return EXIT_USAGE;
    }

    // The manifest: compile leaves exactly `manifest_after`.
    let manifest = shown(out_dir::MANIFEST);
    let manifest_stale = match &preview.manifest_now {
        ManifestNow::Vjc(bytes) if bytes == preview.manifest_after.as_bytes() => false,
        ManifestNow::Vjc(bytes) => {
            let now = String::from_utf8_lossy(bytes);
            diff(
                &mut report,
                &manifest,
                &manifest,
                &now,
                &preview.manifest_after,
            );
            true
        }
        ManifestNow::Missing => {
            diff(
                &mut report,
                "/dev/null",
                &manifest,
                "",
                &preview.manifest_after,
            );
            true
        }
        ManifestNow::Foreign => {
            report.push_str(&format!(
                "{manifest} was not written by vjc; vjc compile --force would replace it\n"
            ));
            true
        }
    };

    if report.is_empty() {
        return 0;
    }
    // A closed stdout (`| head`) is not an error worth a panic.
    let _ = io::stdout().lock().write_all(report.as_bytes());

    let mut parts = Vec::new();
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if counts.differ > 0 {
        parts.push(plural(counts.differ, "file differs", "files differ"));
    }
    if counts.missing > 0 {
        parts.push(plural(counts.missing, "file missing", "files missing"));
    }
    if counts.removed > 0 {
        parts.push(plural(counts.removed, "file to remove", "files to remove"));
    }
    if manifest_stale {
        parts.push(format!("{} out of date", out_dir::MANIFEST));
    }
    stderr.error(format_args!(
        "{} is not what vjc compile would write: {}",
        dir.display(),
        parts.join(", ")
    ));
    stderr.note(format_args!(
        "run `vjc compile {} -o {}{}` and commit the result",
        file.display(),
        dir.display(),
        if force { " --force" } else { "" }
    ));
    EXIT_STALE
}

/// A unified diff of `old` → `new` with three lines of context.
fn diff(out: &mut String, old_name: &str, new_name: &str, old: &str, new: &str) {
    let text = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string();
    out.push_str(&text);
}

/// What is at a path the plan says vjc owns.
enum Current {
    /// UTF-8 text, and the file's permission bits.
    Text(String, u32),
    Binary,
    TooLarge,
    Symlink,
    /// A fifo, socket or device.
    Special,
}

impl Current {
    fn describe(&self) -> &'static str {
        match self {
            Current::Text(..) => "is a text file",
            Current::Binary => "is not UTF-8 text",
            Current::TooLarge => "is larger than 16 MiB",
            Current::Symlink => "is a symbolic link",
            Current::Special => "is not a regular file",
        }
    }
}

/// Reads `path` without following a symbolic link.
fn current(path: &Path) -> io::Result<Current> {
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(Current::Symlink);
    }
    if !meta.is_file() {
        return Ok(Current::Special);
    }
    let mut bytes = Vec::new();
    fs::File::open(path)?
        .take(DIFF_LIMIT + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > DIFF_LIMIT {
        return Ok(Current::TooLarge);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Current::Text(text, meta.permissions().mode() & 0o7777)),
        Err(_) => Ok(Current::Binary),
    }
}
