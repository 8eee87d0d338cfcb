//! Running the built `vjc` binary, and reading a directory tree, for the
//! tests of its operator commands (graph, compile --check, completions,
//! man, the CI recipes).

#![allow(dead_code)] // each test file uses its own part

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `vjc ARGS` in `cwd`.
pub fn vjc(cwd: &Path, args: &[&str]) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_vjc"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .expect("vjc runs");
    Run {
        code: status.code().expect("vjc exits, not killed"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// Every file under `dir` (links not followed), with its bytes, mode and
/// mtime: equal before and after a command that writes nothing.
pub fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32, std::time::SystemTime)> {
    fn walk(
        root: &Path,
        d: &Path,
        map: &mut BTreeMap<PathBuf, (Vec<u8>, u32, std::time::SystemTime)>,
    ) {
        for entry in fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if meta.is_dir() {
                map.insert(
                    rel,
                    (
                        Vec::new(),
                        meta.permissions().mode(),
                        meta.modified().unwrap(),
                    ),
                );
                walk(root, &path, map);
            } else if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).unwrap();
                let bytes = target.to_string_lossy().into_owned().into_bytes();
                map.insert(rel, (bytes, 0, meta.modified().unwrap()));
            } else {
                let bytes = fs::read(&path).unwrap();
                map.insert(
                    rel,
                    (bytes, meta.permissions().mode(), meta.modified().unwrap()),
                );
            }
        }
    }
    let mut map = BTreeMap::new();
    if dir.exists() {
        walk(dir, dir, &mut map);
    }
    map
}

/// The crate's root directory.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
