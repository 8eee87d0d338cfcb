//! Limits on input: the size limit (E0006, exit 1) on both sides of the
//! boundary with sparse files, no recursion that a long input could deepen
//! (every repeating form, run on a small stack), and bounded work for
//! suggestions. Memory is measured in tests/memory.rs.

use std::fs;
use std::path::Path;
use std::process::Command;

const LIMIT: u64 = 64 * 1024 * 1024;

fn check(dir: &Path, file: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vjc"))
        .args(["check", file])
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A sparse file of `len` zero bytes: the test holds none of it.
fn sparse(dir: &Path, name: &str, len: u64) {
    fs::File::create(dir.join(name))
        .unwrap()
        .set_len(len)
        .unwrap();
}

#[test]
fn the_size_limit_is_64_mib() {
    let tmp = tempfile::tempdir().unwrap();
    sparse(tmp.path(), "at.vj", LIMIT);
    sparse(tmp.path(), "over.vj", LIMIT + 1);
    // Exactly 64 MiB is read and parsed (its first NUL is refused).
    let (code, stderr) = check(tmp.path(), "at.vj");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.starts_with("error[E0008]: control character U+0000"),
        "{stderr}"
    );
    assert!(stderr.contains("at.vj:1:1"), "{stderr}");
    assert!(stderr.len() < 2000, "{} bytes", stderr.len());
    // One byte more is E0006, before anything is parsed.
    let (code, stderr) = check(tmp.path(), "over.vj");
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.starts_with("error[E0006]: over.vj is larger than 64 MiB"),
        "{stderr}"
    );
    // Both exit 1 for `compile` too, and write nothing.
    let out = Command::new(env!("CARGO_BIN_EXE_vjc"))
        .args(["compile", "over.vj", "-o", "out"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!tmp.path().join("out").exists());
}

/// Every form that repeats, repeated a great many times, checked on a
/// 256 KiB stack: nothing in parse, resolve, check, emit or render recurses
/// per item (the grammar has no nesting at all).
#[test]
fn long_inputs_do_not_deepen_the_stack() {
    let n = 8_000;
    let mut inputs: Vec<(&str, String)> = Vec::new();
    inputs.push(("separators", ";".repeat(n * 10) + "\n"));
    inputs.push(("blank lines", "\n".repeat(n * 10)));
    inputs.push(("comments", "# c\n".repeat(n)));
    inputs.push((
        "bridge members",
        format!(
            "bridge br0 <\n{}>\n",
            (0..n)
                .map(|k| {
                    let m = k + 1;
                    format!(
                        " jail j{k} 10.{}.{}.{}/8\n",
                        m >> 16,
                        (m >> 8) & 255,
                        m & 255
                    )
                })
                .collect::<String>()
        ),
    ));
    inputs.push((
        "jail properties",
        format!(
            "bridge br0 < jail a 10.0.0.1/16; jail b 10.0.0.2/16 >\njail a {{\n{}}}\n",
            (0..n)
                .map(|k| format!(
                    "  route 172.{}.{}.0/24 via 10.0.0.2\n  service s{k}\n",
                    (k >> 8) & 255,
                    k & 255
                ))
                .collect::<String>()
        ),
    ));
    inputs.push((
        "segments",
        (0..n)
            .map(|k| {
                format!(
                    "epair p{k} < jail a{k} 10.{}.{}.1/30; jail b{k} 10.{}.{}.2/30 >\n",
                    (k >> 6) & 255,
                    (k & 63) * 4,
                    (k >> 6) & 255,
                    (k & 63) * 4
                )
            })
            .collect(),
    ));
    inputs.push((
        "addresses",
        format!(
            "bridge br0 < jail a{} >\n",
            (0..n)
                .map(|k| format!(" fd00::{:x}/64", k + 1))
                .collect::<String>()
        ),
    ));
    inputs.push((
        "expectations",
        format!(
            "bridge br0 < jail a 10.0.0.1/24; jail b 10.0.0.2/24 >\n{}",
            "expect a reaches b\n".repeat(n)
        ),
    ));
    inputs.push((
        "kernel lines",
        format!("kernel K {{\n{}}}\n", "  options VIMAGE\n".repeat(n)),
    ));
    inputs.push(("silence codes", format!("silence{}\n", " W0505".repeat(n))));
    inputs.push((
        "a long word",
        format!("jail a {{\n  param x = {}\n}}\n", "w".repeat(n * 50)),
    ));
    inputs.push((
        "a long string",
        format!("jail a {{\n  hostname \"{}\"\n}}\n", "s".repeat(n * 50)),
    ));
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            for (what, source) in inputs {
                let (checked, outputs) = vjc::compile("long.vj", &source);
                let human = vjc::render::human("long.vj", &source, &checked.diagnostics);
                let _ = vjc::render::json("long.vj", &source, &checked.diagnostics);
                let _ = vjc::fmt::format(
                    &vjc::parse::parse(&source).unwrap_or_else(|d| panic!("{what}: {}", d.message)),
                    &source,
                );
                assert!(
                    !checked.diagnostics.iter().any(|d| d.code == "E0001"),
                    "{what}: {human}"
                );
                let _ = outputs;
            }
        })
        .unwrap();
    handle.join().expect("no stack overflow");
}

/// Suggestions (`did you mean …`) cost the product of two name lengths per
/// pair of names: bounded, so that many undefined names among many jails
/// stay linear.
#[test]
fn many_undefined_names_among_many_jails_stay_fast() {
    let n = 4000;
    let mut source: String = (0..n).map(|k| format!("jail j{k} {{\n}}\n")).collect();
    source.extend((0..n).map(|k| format!("expect x{k} reaches j1\n")));
    source.push_str(&format!("expect {} reaches j1\n", "j".repeat(100_000)));
    let started = std::time::Instant::now();
    let checked = vjc::check("many.vj", &source);
    assert_eq!(
        checked
            .diagnostics
            .iter()
            .filter(|d| d.code == "E0203")
            .count(),
        n + 1
    );
    // Before the bound this took half a minute in a debug build.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // The first ones still get their suggestion.
    assert!(
        checked.diagnostics[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean")
    );
}
