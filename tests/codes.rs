//! Every code the sources can report is registered with an explanation,
//! and every registered code is reported somewhere.

use std::path::Path;

fn sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// `"E0123"` / `"W0123"` string literals in the sources.
fn used_codes() -> Vec<String> {
    let mut text = String::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut text,
    );
    let bytes = text.as_bytes();
    let mut codes = Vec::new();
    for i in 0..bytes.len().saturating_sub(6) {
        if bytes[i] == b'"'
            && (bytes[i + 1] == b'E' || bytes[i + 1] == b'W')
            && bytes[i + 2..i + 6].iter().all(u8::is_ascii_digit)
            && bytes[i + 6] == b'"'
        {
            codes.push(text[i + 1..i + 6].to_string());
        }
    }
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn every_reported_code_is_registered_and_explained() {
    for code in used_codes() {
        let info = vjc::codes::lookup(&code).unwrap_or_else(|| panic!("{code} is not registered"));
        assert!(
            info.explanation.len() > 40,
            "{code} needs a real explanation"
        );
        assert!(!info.title.is_empty());
    }
}

#[test]
fn codes_are_unique_and_well_formed() {
    let all = vjc::codes::all();
    for pair in all.windows(2) {
        assert_ne!(pair[0].code, pair[1].code, "registered twice");
    }
    for info in all {
        assert!(info.code.len() == 5 && (info.code.starts_with('E') || info.code.starts_with('W')));
    }
}
