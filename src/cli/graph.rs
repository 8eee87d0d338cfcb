//! `vjc graph FILE [--format dot|mermaid]`: prints a picture of the
//! topology (`vjc::emit::graph`) on stdout. A file with errors gets its
//! diagnostics instead, and exit 1; warnings are `vjc check`'s business.

use super::{EXIT_INPUT, Stderr, emit, load};
use clap::ValueEnum;
use std::io::{self, Write};
use std::path::Path;
use vjc::render::Format;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(super) enum GraphFormat {
    /// a Mermaid flowchart (renders in GitHub and GitLab Markdown)
    Mermaid,
    /// Graphviz DOT (`vjc graph lab.vj --format dot | dot -Tsvg`)
    Dot,
}

pub(super) fn run(stderr: &mut Stderr, file: &Path, format: GraphFormat) -> u8 {
    let (name, source) = match load(stderr, file, Format::Human) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let checked = vjc::check(name, &source);
    let model = match checked.model {
        Some(model) if !checked.diagnostics.iter().any(|d| d.is_error()) => model,
        _ => {
            emit(
                stderr,
                Format::Human,
                &file.display().to_string(),
                &source,
                &checked.diagnostics,
                true,
            );
            let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
            stderr.error(format_args!(
                "cannot draw {name}: {errors} error{}",
                if errors == 1 { "" } else { "s" }
            ));
            return EXIT_INPUT;
        }
    };
    let text = match format {
        GraphFormat::Mermaid => vjc::emit::graph::mermaid(&model),
        GraphFormat::Dot => vjc::emit::graph::dot(&model),
    };
    // A closed stdout (`| head`) is not an error worth a panic.
    let _ = io::stdout().lock().write_all(text.as_bytes());
    0
}
