//! TODO
use crate::ast::File;
use crate::diagnostic::Diagnostic;

pub fn parse(source: &str) -> Result<File, Diagnostic> {
    let _ = source;
    todo!()
}
