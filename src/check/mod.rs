//! The checker: rules over the resolved model, one file per rule family.
//! Each rule reports diagnostics with a stable code (see `codes`).

use crate::ast::{self, ItemKind};
use crate::codes;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Model;

/// Every rule over the model. Diagnostics come back unsorted.
pub fn check(model: &Model) -> Vec<Diagnostic> {
    let _ = model;
    Vec::new()
}

/// Drops the warnings a `silence` line turns off, and reports silence
/// lines that name an error code or an unknown code.
pub fn apply_silence(file: &ast::File, diagnostics: &mut Vec<Diagnostic>) {
    let mut silenced = Vec::new();
    let mut bad = Vec::new();
    for item in &file.items {
        let ItemKind::Silence(list) = &item.kind else {
            continue;
        };
        for code in list {
            match codes::lookup(&code.node) {
                Some(info) if info.code.starts_with('W') => silenced.push(info.code),
                Some(info) => bad.push(
                    Diagnostic::new(
                        "E0105",
                        format!("`{}` is an error and cannot be silenced", info.code),
                        code.span,
                        "an error code",
                    )
                    .with_help("fix what the error reports; only warnings (W…) can be silenced"),
                ),
                None => bad.push(
                    Diagnostic::new(
                        "E0106",
                        format!("unknown diagnostic code `{}`", code.node),
                        code.span,
                        "no such code",
                    )
                    .with_help("`vjc explain --list` lists every code"),
                ),
            }
        }
    }
    diagnostics.retain(|d| d.severity == Severity::Error || !silenced.contains(&d.code));
    diagnostics.extend(bad);
}
