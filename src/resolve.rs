//! TODO
use crate::ast::File;
use crate::diagnostic::Diagnostic;
use crate::model::Model;

pub struct Resolved {
    pub model: Option<Model>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn resolve(source_name: &str, file: &File) -> Resolved {
    let _ = (source_name, file);
    todo!()
}
