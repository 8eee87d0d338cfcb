//! `vjc completions SHELL` and `vjc man [COMMAND]`, run for real.

#[path = "support/bin.rs"]
mod bin;

use bin::vjc;
use std::path::Path;
use std::process::Command;

#[test]
fn completions_generate_for_three_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let run = vjc(Path::new("."), &["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(!run.stdout.is_empty(), "{shell}");
        for word in ["compile", "check", "graph", "out-dir", "message-format"] {
            assert!(run.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    let run = vjc(Path::new("."), &["completions", "tcsh"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// The bash script parses, and completes `vjc com` to `compile` and
/// `completions`, and `vjc graph x.vj --format ` to the two formats.
#[test]
fn the_bash_completion_completes() {
    let script = vjc(Path::new("."), &["completions", "bash"]).stdout;
    let complete = |words: &str| -> String {
        let program = format!(
            "{script}\nCOMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))\n\
             _vjc vjc \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
        );
        let out = Command::new("bash")
            .arg("-c")
            .arg(program)
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let commands: Vec<String> = complete("vjc com").lines().map(str::to_string).collect();
    assert_eq!(commands, ["compile", "completions"]);
    let formats = complete("vjc graph x.vj --format ''");
    assert_eq!(formats.lines().collect::<Vec<_>>(), ["mermaid", "dot"]);
}

#[test]
fn man_prints_a_roff_page() {
    let run = vjc(Path::new("."), &["man"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(".TH VJC 1 \"\" \"vjc "),
        "{}",
        run.stdout
    );
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS", ".SH NOTES"] {
        assert!(run.stdout.contains(section), "no {section}");
    }
    assert!(run.stdout.contains("vjc\\-compile(1)"));
    assert!(run.stdout.contains("a \\-\\-check mode found a difference"));

    let run = vjc(Path::new("."), &["man", "compile"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(".TH VJC-COMPILE 1 "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("\\fBvjc compile\\fR"));
    assert!(run.stdout.contains("\\-\\-check"));

    let run = vjc(Path::new("."), &["man", "nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("vjc has no command `nope`"),
        "{}",
        run.stderr
    );
}

/// man(1) itself renders the page without a warning, when it is there.
#[test]
fn man_renders_the_page() {
    if Command::new("man").arg("--version").output().is_err() {
        eprintln!("skipped: man(1) is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for (args, file) in [
        (vec!["man"], "vjc.1"),
        (vec!["man", "graph"], "vjc-graph.1"),
    ] {
        let page = vjc(Path::new("."), &args).stdout;
        let path = tmp.path().join(file);
        std::fs::write(&path, page).unwrap();
        let out = Command::new("man")
            .arg("-l")
            .arg(&path)
            .env("MANWIDTH", "80")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .unwrap();
        // Undo overstriking (`N\x08N` for bold) where man(1) does it.
        let mut text = String::new();
        for c in String::from_utf8_lossy(&out.stdout).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{file}");
        assert!(text.contains("SYNOPSIS"), "{file}: {text}");
    }
}
