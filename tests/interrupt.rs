//! `vjc compile` killed with SIGKILL at random points of a large write
//! (2000 jails: 2003 files), many times. After each kill:
//!
//! - nothing outside DIR changed, and DIR's own files are whole: each is
//!   the old or the new version of its path (a user's file among them
//!   untouched);
//! - unless the run got past its commit point (a redo log in a stage
//!   directory), DIR is exactly the old tree or exactly the new one;
//! - the next `vjc compile` succeeds and leaves exactly its own full
//!   output: the new input's (which finishes the killed write), or the old
//!   input's (which finishes it, then writes the old outputs back).
//!
//! No test hook: the input is large enough that kills land in the write.
//! Every other kill waits until the run's redo log appears in DIR (its
//! commit point, seen from outside) and then strikes at a random moment
//! of the moves, so that the commit itself is hit every time.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A topology of `n` epair segments, two jails each; `version` changes
/// every address and, past half, the jails' names, so that a compile
/// replaces, adds and removes files.
fn big(n: usize, version: u32) -> String {
    let mut s = String::new();
    for k in 0..n {
        let (a, b) = (k / 64, (k % 64) * 4);
        let c = if version == 1 { 0 } else { 128 };
        let name = if version == 2 && k >= n / 2 { "c" } else { "a" };
        s.push_str(&format!(
            "epair p{k} < jail {name}{k} 10.{a}.{b}.{}/30; jail b{k} 10.{a}.{b}.{}/30 >\n",
            c + 1,
            c + 2
        ));
        let _ = version;
    }
    s
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    mode: u32,
    bytes: Vec<u8>,
}

/// Every file under `dir` (stage directories aside), with mode and bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Entry> {
    fn walk(root: &Path, d: &Path, map: &mut BTreeMap<PathBuf, Entry>) {
        for entry in fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if rel.to_string_lossy().starts_with(".vjc-stage-") {
                continue;
            }
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                walk(root, &path, map);
            } else {
                map.insert(
                    rel,
                    Entry {
                        mode: meta.permissions().mode() & 0o7777,
                        bytes: fs::read(&path).unwrap(),
                    },
                );
            }
        }
    }
    let mut map = BTreeMap::new();
    walk(dir, dir, &mut map);
    map
}

/// Whether a stage directory of `dir` holds a redo log (the killed run
/// passed its commit point).
fn committed(dir: &Path) -> bool {
    fs::read_dir(dir).unwrap().any(|e| {
        let p = e.unwrap().path();
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".vjc-stage-")
            && p.join("redo").exists()
    })
}

fn compile(cwd: &Path, input: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vjc"))
        .args(["compile", input, "-o", "lab/out"])
        .current_dir(cwd)
        .output()
        .unwrap()
}

/// A small xorshift generator: no dependency, and the seed is printed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn sigkill_at_random_points_leaves_dir_old_new_or_finishable() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    // `lab.vj` names the outputs' headers; old and new are copied onto it.
    fs::write(cwd.join("old.vj"), big(500, 1)).unwrap();
    fs::write(cwd.join("new.vj"), big(500, 2)).unwrap();
    fs::create_dir(cwd.join("lab")).unwrap();
    fs::write(cwd.join("lab/outside.txt"), "beside DIR").unwrap();
    let out = cwd.join("lab/out");
    let use_input = |which: &str| fs::copy(cwd.join(which), cwd.join("lab.vj")).unwrap();

    // The two trees, and how long a full old → new compile takes.
    use_input("old.vj");
    assert!(compile(cwd, "lab.vj").status.success());
    fs::write(out.join("NOTES"), "the user's own file").unwrap();
    let old = tree(&out);
    use_input("new.vj");
    let started = Instant::now();
    assert!(compile(cwd, "lab.vj").status.success());
    let full = started.elapsed();
    let new = tree(&out);
    assert!(new.len() > 1000 && old.len() > 1000);
    assert_ne!(old, new);

    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("seed {seed}, a full compile takes {full:?}");
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(25);
    let (mut iterations, mut mid_commit, mut as_before) = (0, 0, 0);
    while iterations < 40 && (mid_commit < 3 || iterations < 8) && Instant::now() < deadline {
        iterations += 1;
        // DIR holds the old outputs and the user's file.
        use_input("old.vj");
        let run = compile(cwd, "lab.vj");
        assert!(run.status.success(), "{run:?}");
        assert_eq!(tree(&out), old);

        // Kill a compile of the new input at a random point.
        use_input("new.vj");
        let mut child = Command::new(env!("CARGO_BIN_EXE_vjc"))
            .args(["compile", "lab.vj", "-o", "lab/out"])
            .current_dir(cwd)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let micros = full.as_micros() as u64;
        if iterations % 2 == 0 {
            // Anywhere: compiling, staging, committing, or done.
            std::thread::sleep(Duration::from_micros(rng.below(micros + micros / 5)));
        } else {
            // During the moves: once the redo log is there.
            let waited = Instant::now();
            while !committed(&out) && waited.elapsed() < full * 3 {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_micros(50));
            }
            std::thread::sleep(Duration::from_micros(rng.below(15_000)));
        }
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();

        let lab: Vec<_> = fs::read_dir(cwd.join("lab"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(lab.len(), 2, "nothing beside DIR: {lab:?}");
        assert_eq!(
            fs::read(cwd.join("lab/outside.txt")).unwrap(),
            b"beside DIR"
        );
        let now = tree(&out);
        for (path, entry) in &now {
            if path == Path::new(".vjc-manifest") {
                // Old ∪ new entries while the moves run.
                let text = String::from_utf8(entry.bytes.clone()).unwrap();
                for p in now
                    .keys()
                    .filter(|p| old.contains_key(*p) || new.contains_key(*p))
                {
                    let p = p.to_string_lossy();
                    assert!(
                        p == ".vjc-manifest" || p == "NOTES" || text.lines().any(|l| l == p),
                        "{p} not in the manifest"
                    );
                }
                continue;
            }
            assert!(
                old.get(path) == Some(entry) || new.get(path) == Some(entry),
                "{} is neither its old nor its new version (status {status:?})",
                path.display()
            );
        }
        if committed(&out) {
            mid_commit += 1;
        } else {
            assert!(
                now == old || now == new,
                "killed before the commit point, DIR must be old or new"
            );
            if now == old {
                as_before += 1;
            }
        }

        // The next compile finishes the job, then does its own.
        let (input, expected) = if iterations % 2 == 0 {
            ("new.vj", &new)
        } else {
            ("old.vj", &old)
        };
        use_input(input);
        let run = compile(cwd, "lab.vj");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(&tree(&out), expected, "after the next compile of {input}");
        let stages = fs::read_dir(&out)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".vjc-")
                    && e.as_ref().unwrap().file_name() != ".vjc-manifest"
            })
            .count();
        assert_eq!(stages, 0, "no stage directory left");
    }
    eprintln!("{iterations} kills: {mid_commit} during the commit, {as_before} left DIR as it was");
    assert!(
        mid_commit >= 1,
        "no kill landed in the commit (seed {seed})"
    );
}
