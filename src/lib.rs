//! vjc: a compiler for FreeBSD VNET jail topologies.
//!
//! ```text
//! .vj text ──parse──▶ ast::File ──resolve──▶ model::Model ──check──▶ diagnostics
//!                                                  │
//!                                                  └──emit──▶ jail.conf, rc.conf,
//!                                                             jails/*/rc.conf, build.sh
//! ```
//!
//! The library does no file or process I/O: it takes the source text and
//! returns diagnostics and output files. The `vjc` binary reads and writes.
//!
//! ```
//! let (checked, outputs) = vjc::compile("lab.vj", "bridge br0 < jail test1 192.168.0.1/24 >");
//! assert!(!checked.has_errors());
//! let outputs = outputs.unwrap();
//! let jail_rc = outputs.iter().find(|f| f.path == "jails/test1/rc.conf").unwrap();
//! assert!(jail_rc.contents.contains("ifconfig_epair0b=\"inet 192.168.0.1/24\""));
//! ```

pub mod ast;
pub mod check;
pub mod codes;
pub mod diagnostic;
pub mod emit;
pub mod fmt;
pub mod model;
mod parallel;
pub mod parse;
pub mod reach;
pub mod render;
pub mod resolve;
pub mod sim;
pub mod span;

use diagnostic::Diagnostic;
use emit::OutputFile;
use model::Model;

/// The result of checking one `.vj` file.
#[derive(Debug)]
pub struct Checked {
    /// `None` when the file does not parse or does not resolve.
    pub model: Option<Model>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses, resolves and checks `source`. `source_name` is the file's base
/// name, as the outputs' headers will name it.
pub fn check(source_name: &str, source: &str) -> Checked {
    let file = match parse::parse(source) {
        Ok(file) => file,
        Err(diagnostic) => {
            return Checked {
                model: None,
                diagnostics: vec![diagnostic],
            };
        }
    };
    let resolved = resolve::resolve(source_name, &file);
    let mut diagnostics = resolved.diagnostics;
    if let Some(model) = &resolved.model {
        diagnostics.extend(check::check(&file, model));
    }
    check::apply_silence(&file, &mut diagnostics);
    diagnostic::sort(&mut diagnostics);
    Checked {
        model: resolved.model,
        diagnostics,
    }
}

/// Checks `source` and, when it has no errors, emits every output file.
pub fn compile(source_name: &str, source: &str) -> (Checked, Option<Vec<OutputFile>>) {
    let checked = check(source_name, source);
    let outputs = match (&checked.model, checked.has_errors()) {
        (Some(model), false) => Some(emit::all(model)),
        _ => None,
    };
    (checked, outputs)
}
