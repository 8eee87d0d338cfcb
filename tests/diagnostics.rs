//! Every error and warning, as a user sees it: one fixture per mistake in
//! `tests/fixtures/errors/`, its rendered diagnostics snapshotted in
//! `snapshots/`. A fixture's first line says what it shows.

use std::path::Path;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn errors() {
    settings().bind(|| {
        insta::glob!("fixtures/errors/*.vj", |path| {
            let source = std::fs::read_to_string(path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            let checked = vjc::check(name, &source);
            assert!(
                !checked.diagnostics.is_empty(),
                "{name} should produce a diagnostic"
            );
            insta::assert_snapshot!(vjc::render::human(name, &source, &checked.diagnostics));
        });
    });
}

#[test]
fn examples_have_no_errors() {
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")).unwrap()
    {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "vj") {
            let source = std::fs::read_to_string(&path).unwrap();
            let checked = vjc::check("x.vj", &source);
            let errors: Vec<_> = checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        }
    }
}
