//! `vjc fmt`: the examples are already in the canonical layout; formatting
//! is idempotent, loses no comment, keeps every comment on its node and
//! never changes what a file compiles to; the `vjc fmt` binary's exit
//! codes, in-place rewrite and `--check` diff.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use vjc::ast::*;

#[path = "support/bin.rs"]
mod bin;
use bin::vjc;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

use snapshots::settings;

#[path = "support/snapshots.rs"]
mod snapshots;

fn fmt(source: &str) -> String {
    let file = vjc::parse::parse(source).expect("parses");
    vjc::fmt::format(&file, source)
}

fn examples() -> Vec<PathBuf> {
    vj_files(&root().join("examples"))
}

/// Every `.vj` file under `dir`, recursively, sorted.
fn vj_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(vj_files(&path));
        } else if path.extension().is_some_and(|e| e == "vj") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The examples and every fixture, each with its text.
fn corpus() -> Vec<(PathBuf, String)> {
    let mut files = examples();
    files.extend(vj_files(&root().join("tests/fixtures")));
    assert!(files.len() > 10, "found the fixtures");
    files
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

#[test]
fn examples_are_formatted() {
    let examples = examples();
    assert!(examples.len() >= 3);
    for path in examples {
        let source = fs::read_to_string(&path).unwrap();
        assert_eq!(fmt(&source), source, "{} is not formatted", path.display());
    }
}

#[test]
fn formatting_is_idempotent() {
    let mut parsed = 0;
    for (path, source) in corpus() {
        if vjc::parse::parse(&source).is_err() {
            continue;
        }
        parsed += 1;
        let once = fmt(&source);
        assert_eq!(fmt(&once), once, "{}", path.display());
    }
    assert!(parsed > 10);
}

/// The comments of a file, in source order, by a scan of the text that
/// knows only strings: a `#` outside `"…"` starts a comment.
fn comments_in_text(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in source.lines() {
        let mut in_string = false;
        let mut escaped = false;
        for (i, c) in line.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '#' if !in_string => {
                    out.push(line[i..].trim_end().to_string());
                    break;
                }
                _ => {}
            }
        }
    }
    out
}

/// Calls `f` on every comment the parser kept, wherever it is attached.
fn each_comment(file: &mut File, f: &mut dyn FnMut(&mut Comment)) {
    fn trivia(t: &mut Trivia, f: &mut dyn FnMut(&mut Comment)) {
        t.leading.iter_mut().for_each(&mut *f);
        if let Some(c) = &mut t.trailing {
            f(c);
        }
    }
    for item in &mut file.items {
        trivia(&mut item.trivia, f);
        match &mut item.kind {
            ItemKind::Segment(s) => {
                s.members.iter_mut().for_each(|m| trivia(&mut m.trivia, f));
                s.dangling.iter_mut().for_each(&mut *f);
            }
            ItemKind::Jail(j) => {
                j.props.iter_mut().for_each(|p| trivia(&mut p.trivia, f));
                j.dangling.iter_mut().for_each(&mut *f);
            }
            ItemKind::Setting(Setting::Kernel(k)) => {
                k.lines.iter_mut().for_each(|l| trivia(&mut l.trivia, f));
                k.dangling.iter_mut().for_each(&mut *f);
            }
            _ => {}
        }
    }
    file.dangling.iter_mut().for_each(f);
}

/// The syntax tree without its spans and with comment text trimmed at the
/// end: what the formatter must not change.
fn shape(source: &str) -> String {
    let mut file = vjc::parse::parse(source).expect("parses");
    each_comment(&mut file, &mut |c| {
        c.text = c.text.trim_end().to_string();
        c.span = Default::default();
    });
    let debug = format!("{file:?}");
    let mut out = String::new();
    let mut rest = debug.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(" }").expect("a Span ends") + i + 2;
        out.push_str("Span");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_comment_survives_on_its_node() {
    for (path, source) in corpus() {
        let Ok(mut before) = vjc::parse::parse(&source) else {
            continue;
        };
        let after_text = fmt(&source);
        let mut after = vjc::parse::parse(&after_text).expect("formatted text parses");
        let (mut n_before, mut n_after) = (0, 0);
        each_comment(&mut before, &mut |_| n_before += 1);
        each_comment(&mut after, &mut |_| n_after += 1);
        assert_eq!(
            n_before,
            n_after,
            "{}: comments in the tree",
            path.display()
        );
        assert_eq!(
            comments_in_text(&source),
            comments_in_text(&after_text),
            "{}: comments in the text",
            path.display()
        );
        assert_eq!(n_after, comments_in_text(&after_text).len());
        // Same nodes, same tokens, each comment attached to the same node.
        assert_eq!(shape(&source), shape(&after_text), "{}", path.display());
    }
}

#[test]
fn formatting_never_changes_what_a_file_compiles_to() {
    let mut compiled = 0;
    for (path, source) in corpus() {
        if vjc::parse::parse(&source).is_err() {
            continue;
        }
        let name = path.file_name().unwrap().to_str().unwrap();
        let (checked, outputs) = vjc::compile(name, &source);
        let (checked_f, outputs_f) = vjc::compile(name, &fmt(&source));
        compiled += usize::from(outputs.is_some());
        assert_eq!(outputs, outputs_f, "{}: outputs", path.display());
        let codes = |c: &vjc::Checked| -> Vec<String> {
            c.diagnostics.iter().map(|d| d.code.to_string()).collect()
        };
        assert_eq!(
            codes(&checked),
            codes(&checked_f),
            "{}: diagnostics",
            path.display()
        );
    }
    assert!(compiled >= 4, "examples and messy.vj compile");
}

#[test]
fn messy_fixture_formatted() {
    let source = fs::read_to_string(root().join("tests/fixtures/fmt/messy.vj")).unwrap();
    let formatted = fmt(&source);
    assert_ne!(formatted, source);
    settings().bind(|| insta::assert_snapshot!("fmt-messy", formatted));
}

#[test]
fn trailing_comments_after_optional_parts_stay_trailing() {
    // pest's span of `jail a`, `host ADDR`, `param d` and `options X` once
    // took in the comment after them (src/parse.rs, node_span).
    let src = "\
bridge b <
  host 10.0.0.254/24 # h
  jail a # a
>
jail a {
  param d # d
}
kernel K {
  options VIMAGE # v
}
";
    assert_eq!(fmt(src), src);
}

// ── the binary ────────────────────────────────────────────────────────────

/// A directory with the examples, messy.vj and a file that does not parse.
fn workdir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for path in examples() {
        fs::copy(&path, tmp.path().join(path.file_name().unwrap())).unwrap();
    }
    fs::copy(
        root().join("tests/fixtures/fmt/messy.vj"),
        tmp.path().join("messy.vj"),
    )
    .unwrap();
    fs::write(tmp.path().join("broken.vj"), "bridge b <\n  jale a\n>\n").unwrap();
    tmp
}

const FORMATTED: [&str; 3] = ["router-lab.vj", "seed-bridge.vj", "seed-vlan.vj"];

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn formatted_files_exit_0_and_are_not_rewritten() {
    let tmp = workdir();
    let inodes: Vec<u64> = FORMATTED
        .iter()
        .map(|n| fs::metadata(tmp.path().join(n)).unwrap().ino())
        .collect();
    let run = vjc(tmp.path(), &[&["fmt", "--check"][..], &FORMATTED].concat());
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    assert_eq!(run.stderr, "");
    let run = vjc(tmp.path(), &[&["fmt"][..], &FORMATTED].concat());
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    for (n, ino) in FORMATTED.iter().zip(inodes) {
        assert_eq!(fs::metadata(tmp.path().join(n)).unwrap().ino(), ino, "{n}");
    }
}

#[test]
fn check_prints_a_diff_and_exits_3() {
    let tmp = workdir();
    let before = read(tmp.path(), "messy.vj");
    let run = vjc(
        tmp.path(),
        &["fmt", "--check", "seed-bridge.vj", "messy.vj"],
    );
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "error: 1 file is not formatted; `vjc fmt FILE…` rewrites it\n"
    );
    assert_eq!(
        read(tmp.path(), "messy.vj"),
        before,
        "--check writes nothing"
    );
    assert!(run.stdout.starts_with("--- messy.vj\n+++ messy.vj\n@@ "));
    settings().bind(|| insta::assert_snapshot!("fmt-check-messy", run.stdout));

    // The diff is a patch: applied, it gives the formatted file.
    let patch = Command::new("patch")
        .args(["-s", "-p0", "messy.vj"])
        .current_dir(tmp.path())
        .stdin(fs::File::open(write_tmp(tmp.path(), "d.patch", &run.stdout)).unwrap())
        .status();
    if let Ok(status) = patch {
        assert!(status.success());
        assert_eq!(read(tmp.path(), "messy.vj"), fmt(&before));
    }
}

fn write_tmp(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn fmt_rewrites_in_place_then_check_passes() {
    let tmp = workdir();
    let messy = tmp.path().join("messy.vj");
    fs::set_permissions(&messy, fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("messy.vj", tmp.path().join("link.vj")).unwrap();
    let before = read(tmp.path(), "messy.vj");

    // Through the symlink: the file it points to is replaced, the link stays.
    let run = vjc(tmp.path(), &["fmt", "link.vj"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "formatted link.vj\n");
    assert!(
        fs::symlink_metadata(tmp.path().join("link.vj"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(read(tmp.path(), "messy.vj"), fmt(&before));
    assert_eq!(
        fs::metadata(&messy).unwrap().permissions().mode() & 0o7777,
        0o640
    );

    let run = vjc(tmp.path(), &["fmt", "--check", "messy.vj"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);

    // No temporary file left behind.
    let mut names: Vec<String> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "broken.vj",
            "link.vj",
            "messy.vj",
            "router-lab.vj",
            "seed-bridge.vj",
            "seed-vlan.vj"
        ]
    );
}

#[test]
fn a_file_that_does_not_parse_exits_1_and_is_left_alone() {
    let tmp = workdir();
    let broken = read(tmp.path(), "broken.vj");
    let run = vjc(tmp.path(), &["fmt", "broken.vj", "messy.vj"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error[E0001]"), "{}", run.stderr);
    assert!(run.stderr.contains("broken.vj:2:3"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: cannot format broken.vj: it does not parse")
    );
    assert_eq!(read(tmp.path(), "broken.vj"), broken);
    // The other files are still formatted.
    assert_eq!(run.stdout, "formatted messy.vj\n");

    // With --check, a syntax error outranks an unformatted file: 1, not 3.
    let tmp = workdir();
    let run = vjc(tmp.path(), &["fmt", "--check", "messy.vj", "broken.vj"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with("--- messy.vj\n"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let tmp = workdir();
    let run = vjc(tmp.path(), &["fmt"]);
    assert_eq!(run.code, 2);
    let run = vjc(tmp.path(), &["fmt", "missing.vj", "seed-bridge.vj"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: cannot read missing.vj: "),
        "{}",
        run.stderr
    );
    // An I/O error outranks a syntax error.
    let run = vjc(tmp.path(), &["fmt", "--check", "broken.vj", "missing.vj"]);
    assert_eq!(run.code, 2);
}

/// The corpus relaid carelessly (blanks doubled or turned into tabs, blank
/// lines, CRLF, stray `;`, comments added at line ends and between lines):
/// each variant that parses formats to the same tree, idempotently, with
/// the same compiled outputs and diagnostic codes.
#[test]
fn careless_layouts_keep_their_meaning() {
    // A fixed linear congruential generator: the same variants every run.
    let mut seed: u64 = 0x5eed;
    let mut rnd = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut tried = 0;
    for (path, source) in corpus() {
        if vjc::parse::parse(&source).is_err() {
            continue;
        }
        for _ in 0..20 {
            let mut text = String::new();
            for c in source.chars() {
                match (c, rnd(10)) {
                    (' ', 0) => text.push_str("  "),
                    (' ', 1) => text.push('\t'),
                    ('\n', 0) => text.push_str("\n\n\n"),
                    ('\n', 1) => text.push_str(" # x\n"),
                    ('\n', 2) => text.push_str("\n# y\n"),
                    ('\n', 3) => text.push_str(" ;\n"),
                    ('\n', 4) => text.push_str("\r\n"),
                    (c, _) => text.push(c),
                }
            }
            // A tab put into a string is refused (E0005).
            if vjc::parse::parse(&text).is_err() {
                continue;
            }
            tried += 1;
            let formatted = fmt(&text);
            let at = || format!("{}, relaid as {text:?}", path.display());
            assert_eq!(fmt(&formatted), formatted, "{}", at());
            assert_eq!(shape(&text), shape(&formatted), "{}", at());
            let (checked, outputs) = vjc::compile("x.vj", &text);
            let (checked_f, outputs_f) = vjc::compile("x.vj", &formatted);
            assert_eq!(outputs, outputs_f, "{}", at());
            let codes = |c: &vjc::Checked| -> Vec<String> {
                c.diagnostics.iter().map(|d| d.code.to_string()).collect()
            };
            assert_eq!(codes(&checked), codes(&checked_f), "{}", at());
        }
    }
    assert!(tried > 300, "{tried} variants");
}
