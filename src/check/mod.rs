//! The checker: rules over the resolved model, one file per rule family.
//! Each family lists its codes (with `vjc explain` texts) beside its rules.
//!
//! Rules about the topology read the `Model`; rules about how the file is
//! written (settings, kernel lines, member kinds, parameter names) read the
//! AST, which keeps what the model has already interpreted.

use crate::ast::{self, ItemKind};
use crate::codes;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Model;

pub mod addresses;
pub mod expect;
pub mod interfaces;
pub mod mtu;
pub mod names;
pub mod release;
pub mod routes;
pub mod segments;

/// Every rule. Diagnostics come back unsorted, but always in the same
/// order: family by family, as listed here.
///
/// The families only read the AST and the model, so they run on two
/// threads (the machines vjc runs on in CI have two cores; on a
/// 100,000-jail lab the rules are half of `vjc check`). The split evens
/// out their cost on large labs: routes and the `expect` walk on one side,
/// the other families on the other (BENCHMARKS.md).
pub fn check(file: &ast::File, model: &Model) -> Vec<Diagnostic> {
    let (mut out, other) = crate::parallel::join(
        || {
            let mut out = Vec::new();
            release::check(file, model, &mut out);
            names::check(file, model, &mut out);
            segments::check(file, model, &mut out);
            addresses::check(file, model, &mut out);
            interfaces::check(file, model, &mut out);
            mtu::check(file, model, &mut out);
            out
        },
        || {
            let mut out = Vec::new();
            routes::check(file, model, &mut out);
            expect::check(file, model, &mut out);
            out
        },
    );
    out.extend(other);
    out
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

/// Codes of `silence` lines.
pub static CODES: &[codes::CodeInfo] = &[
    codes::CodeInfo {
        code: "E0105",
        title: "an error code cannot be silenced",
        explanation: "\
`silence` turns warnings (W...) off for one file. Errors stop the compile
because the outputs would break a host: they cannot be turned off. Fix what
the error reports and remove its code from the `silence` line.",
    },
    codes::CodeInfo {
        code: "E0106",
        title: "unknown diagnostic code",
        explanation: "\
A `silence` line names a code vjc does not have. A typo here would leave the
warning on while the file looks as if it were silenced. `vjc explain --list`
lists every code.",
    },
];

#[cfg(test)]
pub(crate) mod tests {
    /// The codes `vjc check` reports for `src`, in order: what the rule
    /// families' unit tests compare.
    pub(crate) fn codes(src: &str) -> Vec<&'static str> {
        crate::check("t.vj", src)
            .diagnostics
            .iter()
            .map(|d| d.code)
            .collect()
    }
}
