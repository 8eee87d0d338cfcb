//! Turns diagnostics into text: rustc-style snippets (codespan-reporting),
//! one JSON object per line, or GitHub workflow commands. The only module
//! that knows about codespan-reporting.

use crate::diagnostic::{Diagnostic, Severity};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};
use std::fmt::Write;

/// How `--message-format` asks for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
}

/// The codespan-reporting form of a diagnostic (file id `()`).
pub fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<()> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels =
        vec![cs::Label::primary((), d.primary.span.range()).with_message(&d.primary.message)];
    for l in &d.secondary {
        labels.push(cs::Label::secondary((), l.span.range()).with_message(&l.message));
    }
    let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code)
        .with_message(&d.message)
        .with_labels(labels)
        .with_notes(notes)
}

/// Renders diagnostics without colour, as `--message-format human` prints
/// them when stderr is not a terminal (and as the snapshots record them).
pub fn human(file_name: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let file = SimpleFile::new(file_name, source);
    let config = Config::default();
    let mut out = String::new();
    for d in diagnostics {
        term::emit_to_string(&mut out, &config, &file, &to_codespan(d))
            .expect("spans come from this source");
    }
    out
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One JSON object per line per diagnostic: code, severity, message, file,
/// line, column, end_line, end_column (1-based, in characters; the end is
/// the position just past the span) and help.
pub fn json(file_name: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let (line, column) = line_col(source, d.primary.span.start);
        let (end_line, end_column) = line_col(source, d.primary.span.end);
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let help = d.help.as_deref().map_or("null".to_string(), json_string);
        writeln!(
            out,
            "{{\"code\":{},\"severity\":\"{severity}\",\"message\":{},\"file\":{},\"line\":{line},\"column\":{column},\"end_line\":{end_line},\"end_column\":{end_column},\"help\":{help}}}",
            json_string(d.code),
            json_string(&d.message),
            json_string(file_name),
        )
        .unwrap();
    }
    out
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…::…`.
pub fn github(file_name: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let (line, col) = line_col(source, d.primary.span.start);
        let (end_line, end_col) = line_col(source, d.primary.span.end);
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = format!("{}: {}", d.code, d.message);
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        writeln!(
            out,
            "::{kind} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
            github_property(file_name),
            github_property(d.code),
            github_data(&message),
        )
        .unwrap();
    }
    out
}

// Escapes per GitHub's toolkit (`escapeData`, `escapeProperty`).
fn github_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}
