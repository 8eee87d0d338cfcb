//! Turns diagnostics into text: rustc-style snippets (codespan-reporting),
//! one JSON object per line, or GitHub workflow commands. The only module
//! that knows about codespan-reporting.

use crate::diagnostic::{Diagnostic, Severity};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self as csf, Files, Location};
use codespan_reporting::term::{self, Config};
use std::fmt::Write;
use std::ops::Range;

/// How `--message-format` asks for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Github,
}

/// The codespan-reporting form of a diagnostic (file id `()`), its spans
/// mapped into `shown` (see [`Shown`]).
pub fn to_codespan(d: &Diagnostic, shown: &Shown) -> cs::Diagnostic<()> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels = vec![
        cs::Label::primary((), shown.range(d.primary.span.range()))
            .with_message(plain_text(&d.primary.message)),
    ];
    for l in &d.secondary {
        labels.push(
            cs::Label::secondary((), shown.range(l.span.range()))
                .with_message(plain_text(&l.message)),
        );
    }
    let mut notes: Vec<String> = d
        .notes
        .iter()
        .map(|n| format!("note: {}", plain_text(n)))
        .collect();
    if let Some(help) = &d.help {
        notes.push(format!("help: {}", plain_text(help)));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code)
        .with_message(plain_text(&d.message))
        .with_labels(labels)
        .with_notes(notes)
}

/// Renders diagnostics without colour, as `--message-format human` prints
/// them when stderr is not a terminal (and as the snapshots record them).
pub fn human(file_name: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let shown = Shown::new(file_name, source, diagnostics);
    let config = Config::default();
    let mut out = String::new();
    for d in diagnostics {
        term::emit_to_string(&mut out, &config, &shown, &to_codespan(d, &shown))
            .expect("spans come from this source");
    }
    out
}

// ── what a terminal is shown of the source ────────────────────────────────

/// Lines longer than this (in bytes) are cut around the places the
/// diagnostics point at.
pub const LONG_LINE: usize = 160;
/// How much of a long line is kept on each side of a label's ends.
const CONTEXT: usize = 40;
/// Words longer than this in a message are cut (a 10 MB name in the source
/// gives a readable message).
const LONG_WORD: usize = 80;
const ELLIPSIS: &str = "…";
/// Lines this far from a label are shown; the others are left empty.
const NEAR_LINES: usize = 4;

/// The source as the human renderer shows it. Two things differ from the
/// file, and only on the lines they concern, so a plain file is shown as
/// it is:
///
/// - a line longer than [`LONG_LINE`] bytes is cut to the neighbourhood of
///   every label on it, the cuts marked `…` (a 10 MB line prints a few
///   hundred bytes);
/// - characters a terminal would act on (control characters, bidirectional
///   overrides, a byte-order mark) are shown as visible stand-ins (`␛`,
///   `�`), the `\r` of a CRLF line end is dropped.
///
/// Line numbers are the file's, and so are the columns in the `┌─ file:L:C`
/// headers (codespan's [`Files::location`] is answered from the original).
pub struct Shown<'a> {
    name: &'a str,
    original: &'a str,
    text: String,
    /// Pieces of `text`, in order, each standing for a range of the
    /// original: `(original start, original end, shown start, shown end)`.
    /// A piece copied as it is has equal lengths.
    pieces: Vec<(usize, usize, usize, usize)>,
    /// Start of each line in `text`.
    starts: Vec<usize>,
    index: LineIndex,
}

impl<'a> Shown<'a> {
    pub fn new(name: &'a str, original: &'a str, diagnostics: &[Diagnostic]) -> Shown<'a> {
        let mut anchors: Vec<usize> = diagnostics
            .iter()
            .flat_map(|d| std::iter::once(&d.primary).chain(&d.secondary))
            .flat_map(|l| [l.span.start, l.span.end])
            .map(|o| o.min(original.len()))
            .collect();
        anchors.sort_unstable();
        anchors.dedup();
        let mut b = Builder {
            original,
            text: String::new(),
            pieces: Vec::new(),
        };
        // Only lines near a label are shown (codespan prints labelled lines
        // and a few around multi-line labels); the others are kept as empty
        // lines, one piece per run, so that a file of millions of lines
        // costs little more than its line count.
        let index = LineIndex::new(original);
        let mut near: Vec<usize> = anchors
            .iter()
            .map(|&a| index.line_col(original, a).0 - 1)
            .collect();
        near.dedup();
        let is_near = |line: usize| {
            let k = near.partition_point(|&l| l + NEAR_LINES < line);
            near.get(k).is_some_and(|&l| l <= line + NEAR_LINES)
        };
        let mut blank: Option<(usize, usize)> = None;
        let mut line_start = 0;
        for (n, line) in original.split_inclusive('\n').enumerate() {
            let end = line_start + line.len();
            let body_end = if line.ends_with('\n') { end - 1 } else { end };
            if !is_near(n) && body_end < end {
                blank.get_or_insert((line_start, 0)).1 += 1;
                line_start = end;
                continue;
            }
            if let Some((start, count)) = blank.take() {
                b.push(start, line_start, &"\n".repeat(count));
            }
            if body_end - line_start <= LONG_LINE {
                b.copy(line_start, body_end);
            } else {
                b.clip(line_start, body_end, &anchors);
            }
            if body_end < end {
                b.copy(body_end, end);
            }
            line_start = end;
        }
        if let Some((start, count)) = blank.take() {
            b.push(start, line_start, &"\n".repeat(count));
        }
        let text = b.text;
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Shown {
            name,
            original,
            index,
            text,
            pieces: b.pieces,
            starts,
        }
    }

    /// Where an original byte offset is shown.
    fn shown_offset(&self, o: usize) -> usize {
        let k = self.pieces.partition_point(|p| p.1 <= o);
        match self.pieces.get(k) {
            Some(&(os, oe, ss, se)) if o >= os => {
                if oe - os == se - ss {
                    ss + (o - os)
                } else {
                    ss
                }
            }
            Some(&(_, _, ss, _)) => ss,
            None => self.text.len(),
        }
    }

    /// Which original byte offset a shown one stands for.
    fn original_offset(&self, s: usize) -> usize {
        let k = self.pieces.partition_point(|p| p.3 <= s);
        match self.pieces.get(k) {
            Some(&(os, oe, ss, se)) if s >= ss => {
                if oe - os == se - ss {
                    os + (s - ss)
                } else {
                    os
                }
            }
            Some(&(os, ..)) => os,
            None => self.original.len(),
        }
    }

    /// An original byte range, in the shown text.
    pub fn range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.shown_offset(r.start.min(self.original.len()));
        let end = self.shown_offset(r.end.min(self.original.len())).max(start);
        start..end
    }
}

struct Builder<'a> {
    original: &'a str,
    text: String,
    pieces: Vec<(usize, usize, usize, usize)>,
}

impl Builder<'_> {
    fn push(&mut self, os: usize, oe: usize, shown: &str) {
        if os == oe && shown.is_empty() {
            return;
        }
        let ss = self.text.len();
        self.text.push_str(shown);
        let se = self.text.len();
        // Runs copied as they are merge into one piece.
        if let Some(last) = self.pieces.last_mut()
            && oe - os == se - ss
            && last.1 - last.0 == last.3 - last.2
            && last.1 == os
            && last.3 == ss
        {
            last.1 = oe;
            last.3 = se;
            return;
        }
        self.pieces.push((os, oe, ss, se));
    }

    /// Copies `original[from..to]`, replacing what a terminal would act on.
    fn copy(&mut self, from: usize, to: usize) {
        let original = self.original;
        let mut run = from;
        for (i, c) in original[from..to].char_indices() {
            let at = from + i;
            let stand_in = match c {
                '\t' | '\n' => continue,
                // The `\r` of a CRLF line end.
                '\r' if original[at + 1..].starts_with('\n') => None,
                c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32),
                '\u{7f}' => Some('\u{2421}'),
                c if is_invisible(c) => Some('\u{fffd}'),
                _ => continue,
            };
            self.push(run, at, &original[run..at]);
            let mut buf = [0u8; 4];
            let shown = stand_in.map_or("", |s| s.encode_utf8(&mut buf));
            self.push(at, at + c.len_utf8(), shown);
            run = at + c.len_utf8();
        }
        self.push(run, to, &original[run..to]);
    }

    /// A long line `from..to` (without its `\n`): the neighbourhood of each
    /// anchor on it, or its beginning when none is.
    fn clip(&mut self, from: usize, to: usize, anchors: &[usize]) {
        let first = anchors.partition_point(|&a| a < from);
        let last = anchors.partition_point(|&a| a <= to);
        let mut windows: Vec<(usize, usize)> = Vec::new();
        for &a in &anchors[first..last] {
            let s = floor(self.original, a.saturating_sub(CONTEXT).max(from));
            let e = ceil(self.original, (a + CONTEXT).min(to));
            match windows.last_mut() {
                Some(w) if s <= w.1 => w.1 = w.1.max(e),
                _ => windows.push((s, e)),
            }
        }
        if windows.is_empty() {
            windows.push((from, ceil(self.original, (from + 2 * CONTEXT).min(to))));
        }
        let mut at = from;
        for (s, e) in windows {
            if s > at {
                self.push(at, s, ELLIPSIS);
            }
            self.copy(s, e);
            at = e;
        }
        if at < to {
            self.push(at, to, ELLIPSIS);
        }
    }
}

/// Characters that change how a terminal or an editor shows the text
/// around them without showing themselves: C1 controls, bidirectional
/// overrides and isolates (the "Trojan Source" characters), the Unicode
/// line and paragraph separators (a line break to some editors, none to
/// vjc), a byte-order mark.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{80}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2028}' | '\u{2029}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}')
}

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl<'a> Files<'a> for Shown<'_> {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, csf::Error> {
        Ok(self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, csf::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, csf::Error> {
        Ok(self
            .starts
            .partition_point(|&s| s <= byte_index)
            .saturating_sub(1))
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, csf::Error> {
        let start = *self
            .starts
            .get(line_index)
            .ok_or(csf::Error::LineTooLarge {
                given: line_index,
                max: self.starts.len() - 1,
            })?;
        let end = self
            .starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(self.text.len());
        Ok(start..end)
    }

    /// The file's own line and column, not the shown text's.
    fn location(&'a self, (): (), byte_index: usize) -> Result<Location, csf::Error> {
        let (line_number, column_number) = self
            .index
            .line_col(self.original, self.original_offset(byte_index));
        Ok(Location {
            line_number,
            column_number,
        })
    }
}

/// A message as one line of plain text: control characters shown as
/// stand-ins, words longer than [`LONG_WORD`] cut (a closing backtick
/// kept).
pub fn plain_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(4 * LONG_WORD));
    for (k, word) in s.split(' ').enumerate() {
        if k > 0 {
            out.push(' ');
        }
        let shown: String = if word.chars().count() > LONG_WORD {
            let head: String = word.chars().take(LONG_WORD / 2).collect();
            let tick = if word.ends_with('`') { "`" } else { "" };
            format!("{head}{ELLIPSIS}{tick}")
        } else {
            word.to_string()
        };
        for c in shown.chars() {
            match c {
                '\n' | '\t' => out.push(c),
                c if (c as u32) < 0x20 => {
                    out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'))
                }
                '\u{7f}' => out.push('\u{2421}'),
                c if is_invisible(c) => out.push('\u{fffd}'),
                c => out.push(c),
            }
        }
    }
    out
}

/// Line starts of a text, for 1-based line and column numbers without
/// rescanning the text for each diagnostic.
pub struct LineIndex {
    starts: Vec<usize>,
    /// Whether each line is ASCII, so that its columns are byte offsets.
    ascii: Vec<bool>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        let mut ascii = Vec::new();
        let mut line_ascii = true;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
                ascii.push(line_ascii);
                line_ascii = true;
            } else if !b.is_ascii() {
                line_ascii = false;
            }
        }
        ascii.push(line_ascii);
        LineIndex { starts, ascii }
    }

    /// 1-based line and column (in characters) of a byte offset of `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = if self.ascii[line] {
            offset - start
        } else {
            text[start..offset].chars().count()
        };
        (line + 1, column + 1)
    }
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
    let index = LineIndex::new(source);
    let mut out = String::new();
    for d in diagnostics {
        let (line, column) = index.line_col(source, d.primary.span.start);
        let (end_line, end_column) = index.line_col(source, d.primary.span.end);
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let help = d
            .help
            .as_deref()
            .map_or("null".to_string(), |h| json_string(&plain_text(h)));
        writeln!(
            out,
            "{{\"code\":{},\"severity\":\"{severity}\",\"message\":{},\"file\":{},\"line\":{line},\"column\":{column},\"end_line\":{end_line},\"end_column\":{end_column},\"help\":{help}}}",
            json_string(d.code),
            json_string(&plain_text(&d.message)),
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
    let index = LineIndex::new(source);
    let mut out = String::new();
    for d in diagnostics {
        let (line, col) = index.line_col(source, d.primary.span.start);
        let (end_line, end_col) = index.line_col(source, d.primary.span.end);
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = format!("{}: {}", d.code, plain_text(&d.message));
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&plain_text(help));
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
