//! Every error and warning, as a user sees it: one fixture per mistake in
//! `tests/fixtures/errors/`, its rendered diagnostics snapshotted in
//! `snapshots/`. A fixture's first line says what it shows.

use std::path::Path;

use snapshots::settings;

#[path = "support/snapshots.rs"]
mod snapshots;

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

#[test]
fn silence_turns_a_files_warnings_off_and_leaves_its_errors() {
    let seed_vlan = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed-vlan.vj"),
    )
    .unwrap();
    let loud = vjc::check("seed-vlan.vj", &seed_vlan);
    assert!(loud.diagnostics.iter().any(|d| d.code == "W0506"));
    let quiet = vjc::check("seed-vlan.vj", &format!("silence W0506\n{seed_vlan}"));
    assert!(quiet.diagnostics.is_empty(), "{:#?}", quiet.diagnostics);
    let error = vjc::check("t.vj", "silence W0506\nfreebsd 9.0");
    let codes: Vec<&str> = error.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0102"]);
}

#[test]
fn diagnostics_come_in_source_order() {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/errors/several.vj"),
    )
    .unwrap();
    let checked = vjc::check("several.vj", &source);
    let starts: Vec<usize> = checked
        .diagnostics
        .iter()
        .map(|d| d.primary.span.start)
        .collect();
    let mut sorted = starts.clone();
    sorted.sort();
    assert_eq!(starts, sorted);
    assert!(checked.diagnostics.len() >= 5);
}
