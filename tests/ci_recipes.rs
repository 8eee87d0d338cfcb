//! The CI recipes in examples/ci/, run on a fixture ops repository
//! (tests/fixtures/ops-repo/: seed-bridge.vj and router-lab.vj with their
//! committed outputs in out/seed-bridge/ and out/router-lab/), copied into
//! a fresh git repository: the pre-commit hook through a real `git commit`,
//! the GitHub Actions workflow by running its steps' scripts with bash as
//! the runner does. Each passes on the fixture and fails once a .vj file
//! changes.

#[path = "support/bin.rs"]
mod bin;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture() -> PathBuf {
    bin::root().join("tests/fixtures/ops-repo")
}

/// The fixture's .vj files, by stem.
const FILES: [&str; 2] = ["seed-bridge", "router-lab"];

/// The committed outputs are what vjc compiles today:
/// `VJC_UPDATE_FIXTURES=1 cargo test --test ci_recipes` rewrites them.
#[test]
fn the_fixture_outputs_are_current() {
    let update = std::env::var_os("VJC_UPDATE_FIXTURES").is_some();
    for stem in FILES {
        let file = format!("{stem}.vj");
        let out = format!("out/{stem}");
        let mut args = vec!["compile", file.as_str(), "-o", out.as_str()];
        if !update {
            args.push("--check");
        }
        let run = bin::vjc(&fixture(), &args);
        assert_eq!(
            run.code, 0,
            "tests/fixtures/ops-repo/{out} is stale; rewrite it with \
             VJC_UPDATE_FIXTURES=1 cargo test --test ci_recipes\n{}{}",
            run.stdout, run.stderr
        );
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            // fs::copy keeps the mode: build.sh stays executable.
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A git repository of its own holding a copy of the fixture, every file
/// added and committed; git's global and system configuration left out.
struct Repo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    path: String,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ops");
        copy_tree(&fixture(), &dir);
        let bin = Path::new(env!("CARGO_BIN_EXE_vjc")).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let repo = Repo {
            dir,
            path,
            _tmp: tmp,
        };
        repo.git_ok(&["init", "-q"]);
        repo.git_ok(&["add", "-A"]);
        repo.git_ok(&["commit", "-q", "-m", "the fixture"]);
        repo
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.dir)
            .env("PATH", &self.path)
            .env("HOME", self.dir.parent().unwrap())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "ops")
            .env("GIT_AUTHOR_EMAIL", "ops@example.invalid")
            .env("GIT_COMMITTER_NAME", "ops")
            .env("GIT_COMMITTER_EMAIL", "ops@example.invalid")
            .env_remove("NO_COLOR")
            .env_remove("VJC")
            .env_remove("VJC_OUT");
        cmd
    }

    fn git(&self, args: &[&str]) -> Output {
        self.command("git").args(args).output().expect("git runs")
    }

    fn git_ok(&self, args: &[&str]) {
        let out = self.git(args);
        assert!(out.status.success(), "git {args:?}: {}", text(&out));
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.dir.join(file);
        let old = fs::read_to_string(&path).unwrap();
        assert!(old.contains(from), "{file} has no {from:?}");
        fs::write(&path, old.replacen(from, to, 1)).unwrap();
    }

    fn install_hook(&self) {
        let hook = self.dir.join(".git/hooks/pre-commit");
        fs::copy(bin::root().join("examples/ci/pre-commit"), &hook).unwrap();
    }

    /// `git commit -a` through the hook.
    fn commit(&self, message: &str) -> Output {
        self.git(&["commit", "-q", "-a", "--allow-empty", "-m", message])
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_recipes_are_executable_posix_sh_and_yaml_shaped() {
    use std::os::unix::fs::PermissionsExt;
    let hook = bin::root().join("examples/ci/pre-commit");
    let mode = fs::metadata(&hook).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o111,
        0o111,
        "examples/ci/pre-commit is not executable"
    );
    let text = fs::read_to_string(&hook).unwrap();
    assert!(text.starts_with("#!/bin/sh\n"));
    // dash is as plain a POSIX sh as Debian has.
    if Command::new("dash").arg("-n").arg(&hook).status().is_ok() {
        assert!(
            Command::new("dash")
                .arg("-n")
                .arg(&hook)
                .status()
                .unwrap()
                .success()
        );
    }
    if Command::new("shellcheck").arg("-V").output().is_ok() {
        let out = Command::new("shellcheck")
            .args(["-s", "sh"])
            .arg(&hook)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", self::text(&out));
    }
    let steps = workflow_steps();
    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Install vjc",
            "vjc fmt --check",
            "vjc check",
            "vjc compile --check"
        ]
    );
}

#[test]
fn the_pre_commit_hook_passes_then_refuses_a_changed_file() {
    let repo = Repo::new();
    repo.install_hook();
    let out = repo.commit("nothing changed");
    assert!(out.status.success(), "{}", text(&out));

    // An address changes, the outputs do not: compile --check refuses.
    repo.edit("router-lab.vj", "10.0.2.10/24", "10.0.2.11/24");
    let out = repo.commit("b1 moves");
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(
        said.contains("-ifconfig_epair3b=\"inet 10.0.2.10/24\""),
        "{said}"
    );
    assert!(
        said.contains("+ifconfig_epair3b=\"inet 10.0.2.11/24\""),
        "{said}"
    );
    assert!(
        said.contains(
            "router-lab.vj: out/router-lab is not up to date \
             (vjc compile router-lab.vj -o out/router-lab)"
        ),
        "{said}"
    );
    assert!(!said.contains("seed-bridge.vj:"), "{said}");

    // Recompiled and staged: the commit goes through.
    let run = bin::vjc(
        &repo.dir,
        &["compile", "router-lab.vj", "-o", "out/router-lab"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    repo.git_ok(&["add", "-A"]);
    let out = repo.commit("b1 moves, outputs recompiled");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn the_pre_commit_hook_refuses_a_warning() {
    let repo = Repo::new();
    repo.install_hook();
    // W0103: a line that changes nothing.
    repo.edit(
        "seed-bridge.vj",
        "expect test1",
        "jail test1 {\n  allow raw_sockets\n}\nexpect test1",
    );
    let out = repo.commit("raw sockets");
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("warning[W0103]"), "{said}");
    assert!(
        said.contains("seed-bridge.vj: does not pass vjc check"),
        "{said}"
    );
}

#[test]
fn the_pre_commit_hook_refuses_an_unformatted_file() {
    let repo = Repo::new();
    repo.install_hook();
    // Same topology, other layout: only fmt objects.
    repo.edit("seed-bridge.vj", "  jail test2", "     jail    test2");
    let out = repo.commit("spaces");
    let said = text(&out);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("seed-bridge.vj: not formatted"), "{said}");
    assert!(!said.contains("does not pass"), "{said}");
    assert!(!said.contains("not up to date"), "{said}");
}

// ------------------------------------------------------------ workflow

/// `(name, script)` of each step of examples/ci/github-actions.yml that
/// has a `run: |` block.
fn workflow_steps() -> Vec<(String, String)> {
    let text = fs::read_to_string(bin::root().join("examples/ci/github-actions.yml")).unwrap();
    let mut steps = Vec::new();
    let mut name = None;
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if let Some(n) = t.strip_prefix("- name: ") {
            name = Some(n.to_string());
        } else if t == "run: |" {
            let indent = line.len() - t.len() + 2;
            let mut script = String::new();
            while let Some(next) = lines.peek() {
                if !next.trim().is_empty() && !next.starts_with(&" ".repeat(indent)) {
                    break;
                }
                script.push_str(next.get(indent..).unwrap_or(""));
                script.push('\n');
                lines.next();
            }
            steps.push((name.take().expect("a named step"), script));
        }
    }
    steps
}

/// Runs the workflow's check steps in `repo` as the runner would (`bash
/// --noprofile --norc -eo pipefail`, the job's `env`), each even when one
/// before it failed; returns whether all passed and what they printed.
fn run_workflow(repo: &Repo) -> (bool, String) {
    let mut ok = true;
    let mut said = String::new();
    for (name, script) in workflow_steps() {
        if name == "Install vjc" {
            continue;
        }
        let file = repo.dir.parent().unwrap().join("step.sh");
        fs::write(&file, script).unwrap();
        let out = repo
            .command("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&file)
            .env("VJC_OUT", "out")
            .output()
            .unwrap();
        ok &= out.status.success();
        said.push_str(&format!("## {name}: {}\n{}", out.status, text(&out)));
    }
    (ok, said)
}

#[test]
fn the_workflow_passes_then_annotates_and_refuses_a_changed_file() {
    let wf = fs::read_to_string(bin::root().join("examples/ci/github-actions.yml")).unwrap();
    assert!(
        wf.contains("\n  VJC_OUT: out\n"),
        "the test runs with VJC_OUT=out"
    );

    let repo = Repo::new();
    let (ok, said) = run_workflow(&repo);
    assert!(ok, "{said}");

    // A warning and stale outputs: both steps fail, the warning annotated.
    repo.edit(
        "seed-bridge.vj",
        "expect test1",
        "jail test1 {\n  allow raw_sockets\n}\nexpect test1",
    );
    let (ok, said) = run_workflow(&repo);
    assert!(!ok, "{said}");
    assert!(
        said.contains("::warning file=seed-bridge.vj,line=9,"),
        "{said}"
    );
    assert!(said.contains("## vjc check: exit status: 1"), "{said}");
    assert!(
        said.contains("## vjc compile --check: exit status: 1"),
        "{said}"
    );
    assert!(said.contains("+++ out/seed-bridge/jail.conf"), "{said}");
}
