//! The insta settings every snapshot test starts from: snapshots live in
//! the top-level `snapshots/` directory and are named without the test
//! module.

pub fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}
