//! The README shows real output and documents every diagnostic code.

use std::path::Path;

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The fenced block that starts with the line `# out/<path>`.
fn block<'a>(readme: &'a str, path: &str) -> &'a str {
    let marker = format!("```sh\n# out/{path}\n");
    let start = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("no block for {path}"))
        + marker.len();
    let end = start + readme[start..].find("```").unwrap();
    &readme[start..end]
}

#[test]
fn the_readme_shows_what_vjc_writes_for_seed_bridge() {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/seed-bridge.vj"),
    )
    .unwrap();
    let (_, outputs) = vjc::compile("seed-bridge.vj", &source);
    let readme = readme();
    for path in ["rc.conf", "jail.conf", "jails/test1/rc.conf"] {
        let file = outputs.iter().flatten().find(|f| f.path == path).unwrap();
        assert_eq!(
            block(&readme, path),
            file.contents,
            "README's {path} is stale"
        );
    }
}

#[test]
fn the_readme_lists_every_code() {
    let readme = readme();
    for info in vjc::codes::all() {
        let row = format!("| {} | {} |", info.code, info.title);
        assert!(readme.contains(&row), "README lacks the row `{row}`");
    }
}
