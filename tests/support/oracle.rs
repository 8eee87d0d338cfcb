//! What must hold of every compile, whatever the input: the checks the
//! hostile corpus (tests/hostile.rs), the property tests
//! (tests/properties.rs) and the fuzz targets (fuzz/) share.
//!
//! - Every diagnostic has a registered code and a span inside the source,
//!   on character boundaries, and renders in all three formats.
//! - Every string of the input is inert where it lands:
//!   - rc.conf files are `NAME="VALUE"` lines whose values hold no `$`,
//!     backtick, `"`, `\` or control character (safe double-quoted sh
//!     words: /etc/rc.conf is sourced by /bin/sh), comments and blank lines;
//!   - jail.conf, read back the way jail(8) reads it (jail_conf_reader.rs),
//!     names exactly the model's jails, in order, with the model's
//!     hostname, path, interfaces and parameter values, byte for byte: no
//!     `$` was expanded, no quote or comment cut a value short;
//!   - in build.sh, every string of the model that holds a character other
//!     than `[A-Za-z0-9_.,:/+@%-]` appears only inside single quotes, a
//!     quoted here-document, or a comment (and then holds no newline).
//!
//! Needs `crate::jail_conf_reader` (tests/support/jail_conf_reader.rs).
#![allow(dead_code)]

use crate::jail_conf_reader;
use vjc::diagnostic::Diagnostic;
use vjc::emit::OutputFile;
use vjc::model::Model;

/// Checks the diagnostics of a run over `source`.
pub fn diagnostics(source: &str, diagnostics: &[Diagnostic]) -> Result<(), String> {
    for d in diagnostics {
        if vjc::codes::lookup(d.code).is_none() {
            return Err(format!("unregistered code {}: {}", d.code, d.message));
        }
        let spans = std::iter::once(&d.primary).chain(&d.secondary);
        for label in spans {
            let s = label.span;
            if s.start > s.end
                || s.end > source.len()
                || !source.is_char_boundary(s.start)
                || !source.is_char_boundary(s.end)
            {
                return Err(format!(
                    "{}: span {:?} is not inside the source ({} bytes)",
                    d.code,
                    s,
                    source.len()
                ));
            }
        }
    }
    // Rendering must not panic; the human form is bounded by the source.
    let human = vjc::render::human("fuzz.vj", source, diagnostics);
    let _ = vjc::render::json("fuzz.vj", source, diagnostics);
    let _ = vjc::render::github("fuzz.vj", source, diagnostics);
    if !diagnostics.is_empty() && human.is_empty() {
        return Err("diagnostics rendered to nothing".into());
    }
    Ok(())
}

/// Checks a successful compile's outputs against its model.
pub fn outputs(model: &Model, files: &[OutputFile]) -> Result<(), String> {
    let host = &model.hosts[0];
    let mut expected = vec!["jail.conf".to_string(), "rc.conf".to_string()];
    for jail in &host.jails {
        expected.push(format!("jails/{}/rc.conf", jail.name));
    }
    expected.push("build.sh".to_string());
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    if paths != expected {
        return Err(format!("output paths {paths:?}, expected {expected:?}"));
    }
    // The other views of a model must not panic either: the graph in both
    // formats, and `vjc sim`'s plan (which may refuse a model).
    let _ = vjc::emit::graph::dot(model);
    let _ = vjc::emit::graph::mermaid(model);
    if let Some(prefix) = vjc::sim::Prefix::new("vjt") {
        let _ = vjc::sim::plan(host, &prefix);
    }
    for file in files {
        let text = &file.contents;
        if file.path == "jail.conf" {
            jail_conf(model, text).map_err(|e| format!("jail.conf: {e}"))?;
        } else if file.path.ends_with("rc.conf") {
            rc_conf(text).map_err(|e| format!("{}: {e}", file.path))?;
        } else {
            build_sh(model, text).map_err(|e| format!("build.sh: {e}"))?;
        }
    }
    Ok(())
}

// ------------------------------------------------------------ rc.conf

fn rc_conf(text: &str) -> Result<(), String> {
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, rest) = line
            .split_once("=\"")
            .ok_or_else(|| format!("line {n} is not NAME=\"VALUE\": {line:?}"))?;
        let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            return Err(format!("line {n}: bad variable name {name:?}"));
        }
        let (value, after) = rest
            .split_once('"')
            .ok_or_else(|| format!("line {n}: no closing quote: {line:?}"))?;
        if let Some(c) = value
            .chars()
            .find(|c| matches!(c, '$' | '`' | '\\') || c.is_control())
        {
            return Err(format!("line {n}: value holds {c:?}: {line:?}"));
        }
        if !(after.is_empty() || after.starts_with("\t# ") || after.starts_with(" # ")) {
            return Err(format!("line {n}: text after the value: {line:?}"));
        }
    }
    Ok(())
}

// ------------------------------------------------------------ jail.conf

fn jail_conf(model: &Model, text: &str) -> Result<(), String> {
    let host = &model.hosts[0];
    let jails = jail_conf_reader::read(text)?;
    let names: Vec<&str> = jails.iter().map(|j| j.name.as_str()).collect();
    let expected: Vec<&str> = host.jails.iter().map(|j| j.name.as_str()).collect();
    if names != expected {
        return Err(format!("jails {names:?}, model has {expected:?}"));
    }
    for (read, jail) in jails.iter().zip(&host.jails) {
        let one = |v: &str| vec![v.to_string()];
        let want = |param: &str, values: Vec<String>| -> Result<(), String> {
            let got = read.get(param).map(<[String]>::to_vec);
            if got.as_ref() != Some(&values) {
                return Err(format!(
                    "jail {}: {param} reads back as {got:?}, model says {values:?}",
                    jail.name
                ));
            }
            Ok(())
        };
        want("host.hostname", one(&jail.hostname))?;
        want("path", one(&jail.path))?;
        let ifaces: Vec<String> = jail.interfaces.iter().map(|i| i.name.clone()).collect();
        if ifaces.is_empty() {
            if read.get("vnet.interface").is_some() {
                return Err(format!(
                    "jail {}: vnet.interface without interfaces",
                    jail.name
                ));
            }
        } else {
            want("vnet.interface", ifaces)?;
        }
        // The user's parameters: `=` replaces, `+=` (exec.* hooks) appends
        // after what is there (vjc's own and the defaults').
        let mut seen: Vec<&str> = Vec::new();
        for p in &jail.params {
            if seen.contains(&p.name.as_str()) {
                continue;
            }
            seen.push(&p.name);
            let mut fold: Vec<String> = Vec::new();
            let mut whole = false;
            for q in jail.params.iter().filter(|q| q.name == p.name) {
                if q.append {
                    fold.extend(q.values.iter().cloned());
                } else {
                    fold = q.values.clone();
                    whole = true;
                }
            }
            let got = read
                .get(&p.name)
                .ok_or_else(|| format!("jail {}: {} is missing", jail.name, p.name))?;
            let ok = if whole {
                got == fold.as_slice()
            } else {
                got.ends_with(&fold)
            };
            if !ok {
                return Err(format!(
                    "jail {}: {} reads back as {got:?}, the file says {fold:?}",
                    jail.name, p.name
                ));
            }
        }
    }
    Ok(())
}

// ------------------------------------------------------------ build.sh

/// How sh takes a byte of the script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// Unquoted, in double quotes, in a command substitution or an
    /// unquoted here-document: expansions happen.
    Active,
    /// Single quotes or a quoted here-document: taken literally.
    Literal,
    /// A comment, to the end of its line.
    Comment,
}

/// The context of every byte of a script, following POSIX sh quoting:
/// `'…'`, `"…"` (with `\` escapes and `$(…)` inside), `$(…)`, backticks,
/// comments at the start of a word, and here-documents (`<<'D'` literal,
/// `<<D` active).
fn contexts(script: &str) -> Vec<Ctx> {
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        Normal,
        Single,
        Double,
        Subst,
        Backtick,
    }
    let b = script.as_bytes();
    let mut ctx = vec![Ctx::Active; b.len()];
    let mut stack = vec![St::Normal];
    let mut pending_heredocs: Vec<(String, bool)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let top = *stack.last().unwrap_or(&St::Normal);
        let c = b[i];
        match top {
            St::Single => {
                ctx[i] = Ctx::Literal;
                if c == b'\'' {
                    stack.pop();
                }
                i += 1;
                continue;
            }
            St::Double => {
                match c {
                    b'"' => {
                        stack.pop();
                    }
                    b'\\' => i += 1,
                    b'$' if b.get(i + 1) == Some(&b'(') => {
                        stack.push(St::Subst);
                        i += 1;
                    }
                    b'`' => stack.push(St::Backtick),
                    _ => {}
                }
                i += 1;
                continue;
            }
            St::Normal | St::Subst | St::Backtick => {}
        }
        let word_start =
            i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'\n' | b';' | b'(' | b'|' | b'&');
        match c {
            b'\'' => stack.push(St::Single),
            b'"' => stack.push(St::Double),
            b'\\' => i += 1,
            b'#' if word_start => {
                while i < b.len() && b[i] != b'\n' {
                    ctx[i] = Ctx::Comment;
                    i += 1;
                }
                continue;
            }
            b'$' if b.get(i + 1) == Some(&b'(') => {
                stack.push(St::Subst);
                i += 1;
            }
            b')' if top == St::Subst => {
                stack.pop();
            }
            b'`' if top == St::Backtick => {
                stack.pop();
            }
            b'`' => stack.push(St::Backtick),
            b'<' if b.get(i + 1) == Some(&b'<') => {
                let mut j = i + 2;
                if b.get(j) == Some(&b'-') {
                    j += 1;
                }
                while b.get(j) == Some(&b' ') {
                    j += 1;
                }
                let quoted = matches!(b.get(j), Some(b'\'') | Some(b'"'));
                let start = if quoted { j + 1 } else { j };
                let mut end = start;
                while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                    end += 1;
                }
                pending_heredocs.push((script[start..end].to_string(), quoted));
                i = if quoted { end + 1 } else { end };
                continue;
            }
            b'\n' if !pending_heredocs.is_empty() => {
                i += 1;
                for (delim, quoted) in std::mem::take(&mut pending_heredocs) {
                    // Body lines up to the delimiter line.
                    loop {
                        if i >= b.len() {
                            break;
                        }
                        let line_end = script[i..].find('\n').map_or(b.len(), |k| i + k);
                        let line = &script[i..line_end];
                        if line == delim {
                            i = (line_end + 1).min(b.len());
                            break;
                        }
                        let body = if quoted { Ctx::Literal } else { Ctx::Active };
                        ctx[i..line_end].fill(body);
                        i = (line_end + 1).min(b.len());
                    }
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    ctx
}

/// Characters that mean nothing to sh wherever they stand (build_sh.rs
/// `plain`).
fn plain(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.,:/+@%-".contains(&b))
}

/// Every string of the model that build.sh is made from. (Strings in
/// quotes, hostnames and parameters, must not reach it at all:
/// [`strings_stay_out_of_build_sh`].)
pub fn model_strings(model: &Model) -> Vec<String> {
    let mut out = vec![model.source_name.clone()];
    for host in &model.hosts {
        out.push(host.src.clone());
        out.push(host.target.arch.clone());
        if let Some(k) = &host.kernel {
            out.push(k.ident.clone());
            out.extend(k.lines.iter().cloned());
        }
        for j in &host.jails {
            out.push(j.name.clone());
            out.push(j.path.clone());
        }
        for b in &host.bridges {
            out.push(b.name.clone());
        }
        for n in &host.nics {
            out.push(n.name.clone());
        }
        for s in &host.segments {
            out.push(s.label.clone());
        }
    }
    out.retain(|s| !s.is_empty());
    out.sort();
    out.dedup();
    out
}

fn build_sh(model: &Model, text: &str) -> Result<(), String> {
    let ctx = contexts(text);
    for s in model_strings(model) {
        if plain(&s) {
            continue;
        }
        let mut from = 0;
        while let Some(k) = text[from..].find(&s) {
            let at = from + k;
            let range = at..at + s.len();
            let inert = ctx[range.clone()].iter().all(|c| *c == Ctx::Literal)
                || (ctx[range.clone()].iter().all(|c| *c == Ctx::Comment) && !s.contains('\n'));
            if !inert {
                let line = text[..at].matches('\n').count() + 1;
                return Err(format!(
                    "{s:?} stands outside single quotes on line {line}: {:?}",
                    text.lines().nth(line - 1).unwrap_or_default()
                ));
            }
            from = at + s.len().max(1);
        }
    }
    Ok(())
}

/// The `"…"` literals of a .vj source (outside comments), as byte ranges
/// of their contents.
fn string_literals(source: &str) -> Vec<std::ops::Range<usize>> {
    let b = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                out.push(start..i.min(b.len()));
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// Quoted strings (hostnames, parameter names and values) reach jail.conf
/// only: the same file with every string replaced by a plain placeholder
/// gives the same build.sh. (A file whose placeholders do not compile
/// proves nothing and passes.)
pub fn strings_stay_out_of_build_sh(
    name: &str,
    source: &str,
    files: &[OutputFile],
) -> Result<(), String> {
    let literals = string_literals(source);
    if literals.is_empty() {
        return Ok(());
    }
    let mut replaced = String::with_capacity(source.len());
    let mut at = 0;
    for (k, r) in literals.iter().enumerate() {
        replaced.push_str(&source[at..r.start]);
        replaced.push_str(&format!("s{k}"));
        at = r.end;
    }
    replaced.push_str(&source[at..]);
    let (_, other) = vjc::compile(name, &replaced);
    let (Some(other), Some(ours)) = (
        other
            .as_ref()
            .and_then(|f| f.iter().find(|f| f.path == "build.sh")),
        files.iter().find(|f| f.path == "build.sh"),
    ) else {
        return Ok(());
    };
    if other.contents != ours.contents {
        return Err("a quoted string of the file reaches build.sh".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_skip_comments_and_escapes() {
        let s = "a \"x\\\"y\" # \"no\"\nb \"\"";
        let r = string_literals(s);
        assert_eq!(r.len(), 2);
        assert_eq!(&s[r[0].clone()], "x\\\"y");
        assert_eq!(&s[r[1].clone()], "");
    }

    #[test]
    fn contexts_follow_sh_quoting() {
        let s = "a 'b' \"c$(d 'e')\" # f\ncat <<'X'\ng\nX\nh";
        let ctx = contexts(s);
        let at = |needle: &str| ctx[s.find(needle).unwrap()];
        assert_eq!(at("b"), Ctx::Literal);
        assert_eq!(at("c"), Ctx::Active);
        assert_eq!(at("e"), Ctx::Literal);
        assert_eq!(at("f"), Ctx::Comment);
        assert_eq!(at("g"), Ctx::Literal);
        assert_eq!(at("h"), Ctx::Active);
    }
}
