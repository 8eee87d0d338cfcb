//! The hostile-input corpus: `tests/hostile/*.vj`, each a file an attacker
//! or an accident could hand vjc (shell syntax, quotes, `..`, control
//! characters, bytes that are not UTF-8, numbers that overflow, odd
//! addresses). Each one's outcome is a snapshot (`snapshots/hostile@…`):
//! either its coded diagnostics, or its outputs, which must then pass
//! tests/support/oracle.rs (every string of the input inert where it lands).
//!
//! Files that are not UTF-8 or hold a NUL byte also go through the `vjc`
//! binary, which reads bytes; the library takes `&str`.

#[path = "support/jail_conf_reader.rs"]
mod jail_conf_reader;
#[path = "support/oracle.rs"]
mod oracle;

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

#[path = "support/snapshots.rs"]
mod snapshots;

fn settings() -> insta::Settings {
    let mut s = snapshots::settings();
    s.set_omit_expression(true);
    s
}

/// What the library makes of `source`: its diagnostics, or its outputs
/// once the oracle has passed them.
fn library(name: &str, source: &str) -> String {
    let (checked, outputs) = vjc::compile(name, source);
    oracle::diagnostics(source, &checked.diagnostics).unwrap_or_else(|e| panic!("{name}: {e}"));
    let rendered = vjc::render::human(name, source, &checked.diagnostics);
    let Some(files) = outputs else {
        assert!(
            checked.has_errors(),
            "{name}: no outputs and no error: {:#?}",
            checked.diagnostics
        );
        return format!("outcome: error\n\n{rendered}");
    };
    let model = checked.model.as_ref().expect("a model with the outputs");
    oracle::outputs(model, &files).unwrap_or_else(|e| panic!("{name}: {e}"));
    oracle::strings_stay_out_of_build_sh(name, source, &files)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut out = String::from("outcome: compiled\n\n");
    out.push_str(&rendered);
    // build.sh is long and has its own snapshots; here, only its lines that
    // hold a string of the input with a character sh could act on (the
    // oracle has checked each is single-quoted).
    let risky: Vec<String> = oracle::model_strings(model)
        .into_iter()
        .filter(|s| {
            !s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.,:/+@%-".contains(&b))
        })
        .collect();
    for f in &files {
        if f.path == "build.sh" {
            writeln!(
                out,
                "==> build.sh <== ({} lines; those naming a string of the input that is not plain:)",
                f.contents.lines().count()
            )
            .unwrap();
            for line in f.contents.lines() {
                if risky.iter().any(|s| line.contains(s.as_str())) {
                    writeln!(out, "{line}").unwrap();
                }
            }
        } else {
            writeln!(out, "==> {} <==", f.path).unwrap();
            out.push_str(&f.contents);
        }
    }
    out
}

/// What `vjc check FILE` prints and exits with.
fn binary(path: &Path) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let name = path.file_name().unwrap();
    std::fs::copy(path, tmp.path().join(name)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vjc"))
        .arg("check")
        .arg(name)
        .current_dir(tmp.path())
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).expect("stderr is UTF-8 whatever the input");
    // Nothing a terminal would act on reaches it.
    assert!(
        !stderr
            .chars()
            .any(|c| (c.is_control() && c != '\n') || vjc::render::is_invisible(c)),
        "{stderr:?}"
    );
    format!(
        "vjc check: exit {}\n\n{stderr}",
        out.status.code().expect("exits")
    )
}

#[test]
fn hostile() {
    settings().bind(|| {
        insta::glob!("hostile/*.vj", |path| {
            let bytes = std::fs::read(path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            let snapshot = match std::str::from_utf8(&bytes) {
                Ok(text) if !text.contains('\0') => library(name, text),
                Ok(text) => format!("{}\n{}", library(name, text), binary(path)),
                Err(_) => binary(path),
            };
            insta::assert_snapshot!(snapshot);
        });
    });
}

/// The binary's exit status agrees with the library on every file of the
/// corpus: 0 when it compiles, 1 when it has errors.
#[test]
fn binary_agrees() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let expected = match std::str::from_utf8(&bytes) {
            Ok(text) => i32::from(vjc::check(name, text).has_errors()),
            Err(_) => 1,
        };
        let status = Command::new(env!("CARGO_BIN_EXE_vjc"))
            .arg("check")
            .arg(&path)
            .output()
            .unwrap()
            .status
            .code();
        assert_eq!(status, Some(expected), "{name}");
        n += 1;
    }
    assert!(n >= 50, "the corpus has {n} files");
}

// ------------------------------------------------------------ long lines

/// A 10 MB line: the diagnostic shows the neighbourhood of the span, not
/// the line, and the message cuts the 10 MB token; line and column are
/// still the file's.
#[test]
fn a_10_mb_line_is_cut_in_diagnostics() {
    let long = "a".repeat(10 * 1024 * 1024);
    let source = format!("# E0430 on a 10 MB line\nbridge {long} < jail web 10.0.0.1/24 >\n");
    let checked = vjc::check("long.vj", &source);
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0430"]);
    let human = vjc::render::human("long.vj", &source, &checked.diagnostics);
    assert!(human.len() < 2000, "{} bytes", human.len());
    assert!(human.contains("┌─ long.vj:2:8\n"), "{human}");
    assert!(human.contains("2 │ bridge aaaa"), "{human}");
    assert!(human.contains("…"), "{human}");
    assert!(human.contains("a < jail web 10.0.0.1/24 >\n"), "{human}");
    let json = vjc::render::json("long.vj", &source, &checked.diagnostics);
    assert!(json.len() < 1000, "{json}");
    assert!(json.contains("\"line\":2,\"column\":8,"), "{json}");
    let end = format!("\"end_line\":2,\"end_column\":{},", 8 + long.len());
    assert!(json.contains(&end), "{json}");
}

/// A syntax error at the far end of a 10 MB line, through the binary: the
/// snippet is cut around the error, the message cuts the token.
#[test]
fn a_syntax_error_at_the_end_of_a_10_mb_line() {
    let tmp = tempfile::tempdir().unwrap();
    let mut source = String::from("bridge br0 < jail web");
    for k in 0..700_000 {
        write!(source, " 10.{}.{}.1/24", k / 256 % 256, k % 256).unwrap();
    }
    source.push_str(" $(reboot) >\n");
    assert!(source.len() > 10_000_000);
    std::fs::write(tmp.path().join("long.vj"), &source).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vjc"))
        .args(["check", "long.vj"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.len() < 2000,
        "{} bytes:\n{}",
        stderr.len(),
        &stderr[..2000]
    );
    assert!(stderr.starts_with("error[E0001]: expected "), "{stderr}");
    let column = source.find("$(reboot)").unwrap() + 1;
    assert!(
        stderr.contains(&format!("┌─ long.vj:1:{column}\n")),
        "{stderr}"
    );
    assert!(stderr.contains("…"), "{stderr}");
    assert!(stderr.contains(" $(reboot) >\n"), "{stderr}");
}

/// Short lines are shown as they are, whatever else is in the file.
#[test]
fn short_lines_are_shown_whole() {
    let source = format!(
        "# {}\nbridge br0 < jail web 10.0.0.1/33 >\n",
        "x".repeat(1000)
    );
    let checked = vjc::check("a.vj", &source);
    let human = vjc::render::human("a.vj", &source, &checked.diagnostics);
    assert!(
        human.contains("2 │ bridge br0 < jail web 10.0.0.1/33 >\n"),
        "{human}"
    );
    assert!(!human.contains("xxx"), "{human}");
}
