//! A jail.conf reader for tests: reads a file the way FreeBSD's jail(8)
//! does and returns, per jail, the parameters it would end up with.
//!
//! Followed closely (freebsd-src usr.sbin/jail):
//! - jaillex.l: comments `#`, `//` to end of line and `/* */`; the tokens
//!   `+=` `,` `;` `=` `{` `}`; unquoted pieces (the atomic character class,
//!   single `$ * + / \`, backslash escapes); `'…'` and `"…"` strings with
//!   `text2lval`'s escapes; `$name` and `${name}` variables, recognised in
//!   unquoted text and double-quoted strings but not in single-quoted ones.
//!   Pieces written with no whitespace between them form one string.
//! - jailparse.y: a file is jail blocks `NAME { params }` and top-level
//!   `param;` statements, which go into a `*` pseudo-jail (the last block
//!   if it is already `*`); params are `name;`, `name = v, …;`,
//!   `name += v, …;` and `name v, …;`; a `$name` in the name's place
//!   defines a variable.
//! - config.c `load_config`/`add_param` and jail.c `equalopts`,
//!   `wild_jail_match`: each jail starts with `name` (or `jid`), then takes
//!   its own params and every matching wildcard block's params in file
//!   order, so a `*` block before a jail gives defaults it can override and
//!   one after it forces values; `=` replaces, `+=` appends, `allow.nomount`
//!   and `allow.mount` are one parameter; then variables are substituted
//!   (not found, loops and a multi-valued variable inside a longer string
//!   are errors) and the variables themselves are dropped.
//!
//! Not modelled: `.include`, and jail(8)'s later checks of the values.
#![allow(dead_code)]

use std::collections::BTreeMap;

/// One jail as jail(8) resolves it: parameter name -> values, in order.
/// A parameter written bare (`mount.devfs;`) has no values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jail {
    pub name: String,
    pub params: BTreeMap<String, Vec<String>>,
}

impl Jail {
    pub fn get(&self, name: &str) -> Option<&[String]> {
        self.params.get(name).map(Vec::as_slice)
    }
}

/// Every jail of the file (wildcard blocks excluded), in file order.
pub fn read(text: &str) -> Result<Vec<Jail>, String> {
    let tokens = lex(text.as_bytes())?;
    let blocks = parse(tokens)?;
    resolve(&blocks)
}

/// One jail, by name.
pub fn read_jail(text: &str, name: &str) -> Result<Jail, String> {
    read(text)?
        .into_iter()
        .find(|j| j.name == name)
        .ok_or_else(|| format!("no jail {name}"))
}

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Lit(Vec<u8>),
    Var(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    PlusEq,
    Punct(u8),
    /// A string piece; `glued` when no whitespace, comment or punctuation
    /// separates it from the previous piece (the lexer's `instr`: STR1/VAR1).
    Piece {
        piece: Piece,
        glued: bool,
        line: usize,
    },
}

fn is_atomic(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"_!%&()-.:<>?@[]^`|~".contains(&c)
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
    instr: bool,
    out: Vec<Tok>,
}

impl Lexer<'_> {
    fn at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }

    fn err(&self, what: &str) -> String {
        format!("line {}: {what}", self.line)
    }

    fn advance(&mut self, n: usize) {
        for &c in &self.s[self.i..self.i + n] {
            if c == b'\n' {
                self.line += 1;
            }
        }
        self.i += n;
    }

    fn piece(&mut self, piece: Piece) {
        self.out.push(Tok::Piece {
            piece,
            glued: self.instr,
            line: self.line,
        });
        self.instr = true;
    }

    /// Length of a backslash escape starting at `i + k` (jaillex.l
    /// `\\(.|\n|[0-7]{1,3}|x[0-9A-Fa-f]{1,2})`), or `None` at end of input.
    fn escape_len(&self, k: usize) -> Option<usize> {
        let c = self.at(k + 1)?;
        if (b'0'..=b'7').contains(&c) {
            let mut n = 1;
            while n < 3
                && self
                    .at(k + 1 + n)
                    .is_some_and(|d| (b'0'..=b'7').contains(&d))
            {
                n += 1;
            }
            Some(1 + n)
        } else if c == b'x' {
            let mut n = 0;
            while n < 2 && self.at(k + 2 + n).is_some_and(|d| d.is_ascii_hexdigit()) {
                n += 1;
            }
            Some(2 + n)
        } else {
            Some(2)
        }
    }

    /// `${…}` starting at `i`: its length, or an error if unterminated.
    /// Inside a double-quoted string the name may not contain `"`.
    fn braced_var_len(&self, in_dq: bool) -> Result<usize, String> {
        let mut k = 2;
        loop {
            match self.at(k) {
                Some(b'}') => return Ok(k + 1),
                Some(b'\\') if self.at(k + 1).is_some() => k += 2,
                Some(b'\n' | b'{') | None => return Err(self.err("unterminated variable")),
                Some(b'"') if in_dq => return Err(self.err("unterminated variable")),
                Some(_) => k += 1,
            }
        }
    }

    fn run(mut self) -> Result<Vec<Tok>, String> {
        while let Some(c) = self.at(0) {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => {
                    self.advance(1);
                    self.instr = false;
                }
                b'#' => self.line_comment(),
                b'/' if self.at(1) == Some(b'/') => self.line_comment(),
                b'/' if self.at(1) == Some(b'*') => {
                    let rest = &self.s[self.i + 2..];
                    let end = rest
                        .windows(2)
                        .position(|w| w == b"*/")
                        .ok_or_else(|| self.err("unterminated comment"))?;
                    self.advance(2 + end + 2);
                    self.instr = false;
                }
                b'+' if self.at(1) == Some(b'=') => {
                    self.advance(2);
                    self.instr = false;
                    self.out.push(Tok::PlusEq);
                }
                b',' | b';' | b'=' | b'{' | b'}' => {
                    self.advance(1);
                    self.instr = false;
                    self.out.push(Tok::Punct(c));
                }
                c if is_atomic(c) => {
                    let n = self.s[self.i..]
                        .iter()
                        .take_while(|&&c| is_atomic(c))
                        .count();
                    let text = self.s[self.i..self.i + n].to_vec();
                    self.advance(n);
                    self.piece(Piece::Lit(text));
                }
                b'\\' => {
                    let n = self
                        .escape_len(0)
                        .ok_or_else(|| self.err("backslash at end of file"))?;
                    let text = text2lval(&self.s[self.i..self.i + n]);
                    self.advance(n);
                    self.piece(Piece::Lit(text));
                }
                b'$' => {
                    let (n, piece) = self.variable(false)?;
                    self.advance(n);
                    self.piece(piece);
                }
                b'*' | b'+' | b'/' => {
                    self.advance(1);
                    self.piece(Piece::Lit(vec![c]));
                }
                b'\'' => self.single_quoted()?,
                b'"' => self.double_quoted()?,
                _ => return Err(self.err(&format!("unexpected character {:?}", c as char))),
            }
        }
        Ok(self.out)
    }

    fn line_comment(&mut self) {
        let n = self.s[self.i..].iter().take_while(|&&c| c != b'\n').count();
        self.advance(n);
        self.instr = false;
    }

    /// At a `$`: a variable, or a lone `$` taken literally.
    fn variable(&self, in_dq: bool) -> Result<(usize, Piece), String> {
        match self.at(1) {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let n = 1 + self.s[self.i + 1..]
                    .iter()
                    .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_')
                    .count();
                Ok((n, Piece::Var(self.s[self.i + 1..self.i + n].to_vec())))
            }
            Some(b'{') => {
                let n = self.braced_var_len(in_dq)?;
                let name = text2lval(&self.s[self.i + 2..self.i + n - 1]);
                Ok((n, Piece::Var(name)))
            }
            _ => Ok((1, Piece::Lit(b"$".to_vec()))),
        }
    }

    /// Length of a quoted string starting at `i` with quote `q`, escapes
    /// honoured, closing quote included.
    fn quoted_len(&self, q: u8) -> Result<usize, String> {
        let mut k = 1;
        loop {
            match self.at(k) {
                Some(c) if c == q => return Ok(k + 1),
                Some(b'\\') if self.at(k + 1).is_some() => k += 2,
                Some(_) => k += 1,
                None => return Err(self.err("unterminated string")),
            }
        }
    }

    fn single_quoted(&mut self) -> Result<(), String> {
        let n = self.quoted_len(b'\'')?;
        let text = text2lval(&self.s[self.i + 1..self.i + n - 1]);
        self.advance(n);
        self.piece(Piece::Lit(text));
        Ok(())
    }

    /// A double-quoted string: literal runs and variables, as separate
    /// glued pieces (the lexer's DQ state).
    fn double_quoted(&mut self) -> Result<(), String> {
        let n = self.quoted_len(b'"')?;
        let end = self.i + n - 1;
        let line = self.line;
        let mut pieces = Vec::new();
        let mut lit = Vec::new();
        let mut k = self.i + 1;
        while k < end {
            match self.s[k] {
                b'\\' => {
                    let sub = Lexer {
                        s: &self.s[..end],
                        i: k,
                        line,
                        instr: false,
                        out: Vec::new(),
                    };
                    let len = sub.escape_len(0).unwrap_or(1);
                    lit.extend(text2lval(&self.s[k..k + len]));
                    k += len;
                }
                b'$' => {
                    let sub = Lexer {
                        s: &self.s[..end],
                        i: k,
                        line,
                        instr: false,
                        out: Vec::new(),
                    };
                    let (len, piece) = sub.variable(true)?;
                    match piece {
                        Piece::Lit(text) => lit.extend(text),
                        var => {
                            pieces.push(Piece::Lit(std::mem::take(&mut lit)));
                            pieces.push(var);
                        }
                    }
                    k += len;
                }
                c => {
                    lit.push(c);
                    k += 1;
                }
            }
        }
        pieces.push(Piece::Lit(lit));
        self.advance(n);
        for piece in pieces {
            self.piece(piece);
        }
        Ok(())
    }
}

/// jaillex.l `text2lval` on a piece's text (quotes already trimmed).
fn text2lval(s: &[u8]) -> Vec<u8> {
    let mut d = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'\\' {
            d.push(s[i]);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&c) = s.get(i) else { break };
        match c {
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                let mut n = 1;
                while n < 3 && s.get(i + 1).is_some_and(|d| (b'0'..=b'7').contains(d)) {
                    i += 1;
                    v = v * 8 + u32::from(s[i] - b'0');
                    n += 1;
                }
                d.push(v as u8);
            }
            b'a' => d.push(0x07),
            b'b' => d.push(0x08),
            b'f' => d.push(0x0c),
            b'n' => d.push(b'\n'),
            b'r' => d.push(b'\r'),
            b't' => d.push(b'\t'),
            b'v' => d.push(0x0b),
            b'\n' => {}
            b'x' => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 && s.get(i + 1).is_some_and(|d| d.is_ascii_hexdigit()) {
                    i += 1;
                    v = v * 16 + (s[i] as char).to_digit(16).unwrap_or(0);
                    n += 1;
                }
                d.push(v as u8);
            }
            c => d.push(c),
        }
        i += 1;
    }
    d
}

fn lex(s: &[u8]) -> Result<Vec<Tok>, String> {
    Lexer {
        s,
        i: 0,
        line: 1,
        instr: false,
        out: Vec::new(),
    }
    .run()
}

// --------------------------------------------------------------- parser

/// A string value: pieces to concatenate once variables are known.
type Word = Vec<Piece>;

#[derive(Debug, Clone)]
struct RawParam {
    name: String,
    is_var: bool,
    append: bool,
    values: Vec<Word>,
}

#[derive(Debug, Clone)]
struct Block {
    name: String,
    params: Vec<RawParam>,
}

enum Item {
    Tok(Tok),
    Word(Word, usize),
}

/// Groups glued pieces into words.
fn words(tokens: Vec<Tok>) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for tok in tokens {
        match tok {
            Tok::Piece { piece, glued, line } => match items.last_mut() {
                Some(Item::Word(word, _)) if glued => word.push(piece),
                _ => items.push(Item::Word(vec![piece], line)),
            },
            tok => items.push(Item::Tok(tok)),
        }
    }
    items
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| "not UTF-8".to_string())
}

/// A name is a single piece (jailparse.y `name: STR | VAR`, `jail: STR '{'`).
fn single(word: &Word, line: usize) -> Result<&Piece, String> {
    match word.as_slice() {
        [piece] => Ok(piece),
        _ => Err(format!(
            "line {line}: syntax error: a name must be one token"
        )),
    }
}

fn parse(tokens: Vec<Tok>) -> Result<Vec<Block>, String> {
    let items = words(tokens);
    let mut blocks: Vec<Block> = Vec::new();
    let mut it = items.into_iter().peekable();
    while let Some(item) = it.next() {
        match item {
            Item::Tok(Tok::Punct(b';')) => {}
            Item::Word(word, line) => {
                if matches!(it.peek(), Some(Item::Tok(Tok::Punct(b'{')))) {
                    it.next();
                    let name = match single(&word, line)? {
                        Piece::Lit(name) => utf8(name)?,
                        Piece::Var(_) => {
                            return Err(format!("line {line}: syntax error: jail name"));
                        }
                    };
                    let mut params = Vec::new();
                    loop {
                        match it.next() {
                            Some(Item::Tok(Tok::Punct(b'}'))) => break,
                            Some(Item::Tok(Tok::Punct(b';'))) => {}
                            Some(Item::Word(word, line)) => {
                                params.push(param(word, line, &mut it)?);
                            }
                            _ => return Err(format!("syntax error in jail {name}")),
                        }
                    }
                    blocks.push(Block { name, params });
                } else {
                    let p = param(word, line, &mut it)?;
                    match blocks.last_mut() {
                        Some(b) if b.name == "*" => b.params.push(p),
                        _ => blocks.push(Block {
                            name: "*".into(),
                            params: vec![p],
                        }),
                    }
                }
            }
            _ => return Err("syntax error at top level".into()),
        }
    }
    Ok(blocks)
}

/// A parameter after its name, through its `;`.
fn param(
    name: Word,
    line: usize,
    it: &mut std::iter::Peekable<std::vec::IntoIter<Item>>,
) -> Result<RawParam, String> {
    let (name, is_var) = match single(&name, line)? {
        Piece::Lit(n) => (utf8(n)?, false),
        Piece::Var(n) => (utf8(n)?, true),
    };
    let mut p = RawParam {
        name,
        is_var,
        append: false,
        values: Vec::new(),
    };
    let err = || format!("line {line}: syntax error in parameter {}", p.name);
    match it.next() {
        Some(Item::Tok(Tok::Punct(b';'))) => return Ok(p),
        Some(Item::Tok(Tok::Punct(b'='))) => {}
        Some(Item::Tok(Tok::PlusEq)) => p.append = true,
        Some(Item::Word(word, _)) => p.values.push(word),
        _ => return Err(err()),
    }
    if p.values.is_empty() {
        match it.next() {
            Some(Item::Word(word, _)) => p.values.push(word),
            _ => return Err(err()),
        }
    }
    loop {
        match it.next() {
            Some(Item::Tok(Tok::Punct(b';'))) => return Ok(p),
            Some(Item::Tok(Tok::Punct(b','))) => match it.next() {
                Some(Item::Word(word, _)) => p.values.push(word),
                _ => return Err(err()),
            },
            _ => return Err(err()),
        }
    }
}

// ------------------------------------------------------------- resolver

/// jail.c `equalopts`: `foo` and `nofoo`, `a.foo` and `a.nofoo` are one.
fn equalopts(a: &str, b: &str) -> bool {
    let same = |a: &str, b: &str| {
        a == b || a.strip_prefix("no") == Some(b) || b.strip_prefix("no") == Some(a)
    };
    if same(a, b) {
        return true;
    }
    let (mut a, mut b) = (a, b);
    while let Some(dot) = a.find('.') {
        let prefix = &a[..=dot];
        if !b.starts_with(prefix) {
            break;
        }
        a = &a[dot + 1..];
        b = &b[dot + 1..];
        if a.strip_prefix("no") == Some(b) || b.strip_prefix("no") == Some(a) {
            return true;
        }
    }
    false
}

/// jail.c `wild_jail_name`: a `*` that is a whole dotted component.
fn is_wild(name: &str) -> bool {
    name.split('.').any(|c| c == "*")
}

/// jail.c `wild_jail_match`.
fn wild_match(jail: &str, wild: &str) -> bool {
    let (mut jc, mut wc) = (jail, wild);
    while let (Some(jd), Some(wd)) = (jc.find('.'), wc.find('.')) {
        if jc[..=jd] != wc[..(jd + 1).min(wc.len())] && !wc.starts_with("*.") {
            return false;
        }
        jc = &jc[jd + 1..];
        wc = &wc[wd + 1..];
    }
    jc == wc || wc == "*"
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    is_var: bool,
    immutable: bool,
    values: Vec<Word>,
}

/// config.c `add_param`.
fn add_param(params: &mut Vec<Param>, p: &RawParam, jail: &str) -> Result<(), String> {
    match params.iter_mut().find(|d| equalopts(&d.name, &p.name)) {
        Some(d) => {
            if d.is_var != p.is_var {
                return Err(format!(
                    "{jail}: variable \"${}\" cannot have the same name as a parameter.",
                    p.name
                ));
            }
            if d.immutable {
                return Err(format!("{jail}: cannot redefine parameter \"{}\".", d.name));
            }
            d.name = p.name.clone();
            if !p.append || p.values.is_empty() {
                d.values.clear();
            }
            d.values.extend(p.values.iter().cloned());
        }
        None => params.push(Param {
            name: p.name.clone(),
            is_var: p.is_var,
            immutable: false,
            values: p.values.clone(),
        }),
    }
    Ok(())
}

fn resolve(blocks: &[Block]) -> Result<Vec<Jail>, String> {
    let mut jails = Vec::new();
    for (seq, block) in blocks.iter().enumerate() {
        if is_wild(&block.name) {
            continue;
        }
        let numeric = block.name.parse::<i64>().is_ok_and(|n| n != 0);
        let mut params = vec![Param {
            name: if numeric { "jid" } else { "name" }.into(),
            is_var: false,
            immutable: true,
            values: vec![vec![Piece::Lit(block.name.as_bytes().to_vec())]],
        }];
        let mut did_self = false;
        for (wseq, wild) in blocks.iter().enumerate() {
            if !is_wild(&wild.name) {
                continue;
            }
            if seq < wseq && !did_self {
                for p in &block.params {
                    add_param(&mut params, p, &block.name)?;
                }
                did_self = true;
            }
            if wild_match(&block.name, &wild.name) {
                for p in &wild.params {
                    add_param(&mut params, p, &block.name)?;
                }
            }
        }
        if !did_self {
            for p in &block.params {
                add_param(&mut params, p, &block.name)?;
            }
        }
        let mut done: Vec<Option<Vec<Vec<u8>>>> = vec![None; params.len()];
        let mut visiting = vec![false; params.len()];
        let mut map = BTreeMap::new();
        for i in 0..params.len() {
            let values = substitute(i, &params, &mut done, &mut visiting, &block.name)?;
            if !params[i].is_var {
                let values = values.iter().map(|v| utf8(v)).collect::<Result<_, _>>()?;
                map.insert(params[i].name.clone(), values);
            }
        }
        jails.push(Jail {
            name: block.name.clone(),
            params: map,
        });
    }
    Ok(jails)
}

/// The values of `params[i]` with every variable substituted (config.c,
/// "Resolve any variable substitutions").
fn substitute(
    i: usize,
    params: &[Param],
    done: &mut Vec<Option<Vec<Vec<u8>>>>,
    visiting: &mut Vec<bool>,
    jail: &str,
) -> Result<Vec<Vec<u8>>, String> {
    if let Some(values) = &done[i] {
        return Ok(values.clone());
    }
    if visiting[i] {
        return Err(format!("{jail}: {}: variable loop", params[i].name));
    }
    visiting[i] = true;
    let mut out = Vec::new();
    for word in &params[i].values {
        let vars = word.iter().filter(|p| matches!(p, Piece::Var(_))).count();
        let literal_len: usize = word
            .iter()
            .map(|p| match p {
                Piece::Lit(t) => t.len(),
                Piece::Var(_) => 0,
            })
            .sum();
        let mut text = Vec::new();
        let mut seen = 0;
        let mut expanded = None;
        for piece in word {
            match piece {
                Piece::Lit(t) => text.extend_from_slice(t),
                Piece::Var(name) => {
                    seen += 1;
                    let name = utf8(name)?;
                    let k = params
                        .iter()
                        .position(|p| p.name == name)
                        .filter(|&k| !params[k].values.is_empty())
                        .ok_or_else(|| {
                            format!("{jail}: {}: variable \"{name}\" not found", params[i].name)
                        })?;
                    let values = substitute(k, params, done, visiting, jail)?;
                    if values.len() > 1 {
                        if literal_len + text.len() != 0 || seen < vars {
                            return Err(format!(
                                "{jail}: {}: array cannot be substituted inline",
                                params[i].name
                            ));
                        }
                        expanded = Some(values);
                    } else if let Some(v) = values.first() {
                        text.extend_from_slice(v);
                    }
                }
            }
        }
        match expanded {
            Some(values) => out.extend(values),
            None => out.push(text),
        }
    }
    visiting[i] = false;
    done[i] = Some(out.clone());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Jail {
        let jails = read(text).unwrap();
        assert_eq!(jails.len(), 1, "{jails:?}");
        jails.into_iter().next().unwrap()
    }

    fn vals(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reference_jail_conf() {
        // REFERENCE.md (the worked rendering of seed-bridge.vj), out/jail.conf.
        let text = r#"# Generated by vjc from seed-bridge.vj. Do not edit: change the .vj file and recompile.
# Defaults for every jail below.
exec.clean;
exec.start = "/bin/sh /etc/rc";
exec.stop = "/bin/sh /etc/rc.shutdown jail";
exec.consolelog = "/var/log/jail_${name}_console.log";
mount.devfs;
devfs_ruleset = 5;          # devfsrules_jail_vnet
vnet;

test1 {
	host.hostname = "test1.test.jp";
	path = "/usr/local/jails/test1";
	vnet.interface = "epair0b";
	exec.prestop += "ifconfig epair0b -vnet test1";   # hand it back before removal
}

test2 {
	host.hostname = "test2.test.jp";
	path = "/usr/local/jails/test2";
	vnet.interface = "epair1b";
	exec.prestop += "ifconfig epair1b -vnet test2";   # hand it back before removal
}

test3 {
	host.hostname = "test3.test.jp";
	path = "/usr/local/jails/test3";
	vnet.interface = "epair2b";
	exec.prestop += "ifconfig epair2b -vnet test3";   # hand it back before removal
}
"#;
        let jails = read(text).unwrap();
        assert_eq!(
            jails.iter().map(|j| j.name.as_str()).collect::<Vec<_>>(),
            ["test1", "test2", "test3"]
        );
        let t1 = &jails[0];
        let expected: BTreeMap<String, Vec<String>> = [
            ("name", vals(&["test1"])),
            ("exec.clean", vals(&[])),
            ("exec.start", vals(&["/bin/sh /etc/rc"])),
            ("exec.stop", vals(&["/bin/sh /etc/rc.shutdown jail"])),
            (
                "exec.consolelog",
                vals(&["/var/log/jail_test1_console.log"]),
            ),
            ("mount.devfs", vals(&[])),
            ("devfs_ruleset", vals(&["5"])),
            ("vnet", vals(&[])),
            ("host.hostname", vals(&["test1.test.jp"])),
            ("path", vals(&["/usr/local/jails/test1"])),
            ("vnet.interface", vals(&["epair0b"])),
            ("exec.prestop", vals(&["ifconfig epair0b -vnet test1"])),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(t1.params, expected);
        assert_eq!(
            jails[1].get("exec.consolelog").unwrap(),
            ["/var/log/jail_test2_console.log"]
        );
    }

    #[test]
    fn comments_of_three_kinds() {
        let j = one("/* a\n * block */ a { // line\n p = x; # hash\n q /* in */ = y; }");
        assert_eq!(j.get("p").unwrap(), ["x"]);
        assert_eq!(j.get("q").unwrap(), ["y"]);
        assert!(read("a { p = x; } /* open").is_err());
    }

    #[test]
    fn unquoted_pieces_glue_and_comments_cut() {
        let j =
            one("a { path = /usr/local/jails/a; p = x#y; q = z\n;\n q = x//y;\n; r = a*b+c\\ d; }");
        assert_eq!(j.get("path").unwrap(), ["/usr/local/jails/a"]);
        assert_eq!(j.get("p").unwrap(), ["x"]);
        assert_eq!(j.get("q").unwrap(), ["x"]);
        assert_eq!(j.get("r").unwrap(), ["a*b+c d"]);
    }

    #[test]
    fn quotes_and_escapes() {
        let j = one(concat!(
            "a {\n",
            r#" d = "a\"b\\c\$d\101\x41\n\t\q";"#,
            "\n",
            r#" s = 'it''s'"x";"#,
            "\n",
            r#" t = "one\011two\0123";"#,
            "\n",
            " c = \"line\\\ncontinued\";\n",
            r#" g = "x"y'z'"w";"#,
            "\n}"
        ));
        assert_eq!(j.get("d").unwrap(), ["a\"b\\c$dAA\n\tq"]);
        // Glued pieces make one string; a second word after a value is a
        // syntax error.
        assert_eq!(j.get("s").unwrap(), ["itsx"]);
        assert!(read(r#"a { s = 'x' 'y'; }"#).is_err());
        assert_eq!(j.get("t").unwrap(), ["one\ttwo\n3"]);
        assert_eq!(j.get("c").unwrap(), ["linecontinued"]);
        assert_eq!(j.get("g").unwrap(), ["xyzw"]);
    }

    #[test]
    fn forms_of_params() {
        let j = one("a { b; c = 1, 2 ,3; d += x; d += y, z; e f; g = old; g = new; ;; }");
        assert_eq!(j.get("b").unwrap(), [] as [String; 0]);
        assert_eq!(j.get("c").unwrap(), ["1", "2", "3"]);
        assert_eq!(j.get("d").unwrap(), ["x", "y", "z"]);
        assert_eq!(j.get("e").unwrap(), ["f"]);
        assert_eq!(j.get("g").unwrap(), ["new"]);
    }

    #[test]
    fn no_prefix_names_one_parameter() {
        let j = one("a { allow.mount; allow.nomount; mount.devfs = 1; }");
        assert_eq!(j.get("allow.nomount").unwrap(), [] as [String; 0]);
        assert_eq!(j.get("allow.mount"), None);
    }

    #[test]
    fn defaults_before_and_forced_after() {
        let text = "p = top; q = top;\n a { p = mine; r += a1; }\n r += star;\n b { }\n";
        let jails = read(text).unwrap();
        let a = &jails[0];
        assert_eq!(a.get("p").unwrap(), ["mine"]);
        assert_eq!(a.get("q").unwrap(), ["top"]);
        // The `*` block after `a` applies to it too, after its own params.
        assert_eq!(a.get("r").unwrap(), ["a1", "star"]);
        let b = &jails[1];
        assert_eq!(b.get("p").unwrap(), ["top"]);
        assert_eq!(b.get("r").unwrap(), ["star"]);
        assert_eq!(b.get("name").unwrap(), ["b"]);
    }

    #[test]
    fn wildcard_blocks() {
        // `web.*` unquoted would be two pieces, and a jail name is one.
        assert!(read("web.* { }").is_err());
        let text = "* { x = all; } \"web.*\" { y = sub; } web { } web.a { } db { }";
        let jails = read(text).unwrap();
        let get = |n: &str, p: &str| {
            jails
                .iter()
                .find(|j| j.name == n)
                .unwrap()
                .get(p)
                .map(<[String]>::to_vec)
        };
        assert_eq!(get("web", "x"), Some(vals(&["all"])));
        assert_eq!(get("web", "y"), None);
        assert_eq!(get("web.a", "y"), Some(vals(&["sub"])));
        assert_eq!(get("db", "y"), None);
        assert!(wild_match("a.b.c", "a.*"));
        assert!(wild_match("a.b.c", "*.b.c"));
        assert!(!wild_match("x.b", "a.*"));
    }

    #[test]
    fn variables() {
        let text = r#"
            $base = "/jails";
            path = "$base/${name}";
            host.hostname = ${name}.example.org;
            exec.consolelog = "/var/log/${name}.log";
            lit = '$base/${name}';
            esc = "\$base \${name}";
            lone = "a $ b";
            list = x, y;
            whole = $list;
            t1 { }
        "#;
        let j = one(text);
        assert_eq!(j.get("path").unwrap(), ["/jails/t1"]);
        assert_eq!(j.get("host.hostname").unwrap(), ["t1.example.org"]);
        assert_eq!(j.get("exec.consolelog").unwrap(), ["/var/log/t1.log"]);
        assert_eq!(j.get("lit").unwrap(), ["$base/${name}"]);
        assert_eq!(j.get("esc").unwrap(), ["$base ${name}"]);
        assert_eq!(j.get("lone").unwrap(), ["a $ b"]);
        assert_eq!(j.get("whole").unwrap(), ["x", "y"]);
        assert_eq!(j.get("base"), None, "variables are not parameters");
    }

    #[test]
    fn variable_errors() {
        assert!(read("a { p = $nope; }").unwrap_err().contains("not found"));
        assert!(
            read("a { $x = $y; $y = $x; p = $x; }")
                .unwrap_err()
                .contains("loop")
        );
        assert!(
            read("a { l = 1, 2; p = \"x$l\"; }")
                .unwrap_err()
                .contains("inline")
        );
        assert!(read("a { name = b; }").unwrap_err().contains("redefine"));
        assert!(
            read("a { $p = 1; p = 2; }")
                .unwrap_err()
                .contains("same name")
        );
        assert!(read("a { p = \"${x\"; }").is_err());
    }

    #[test]
    fn syntax_errors() {
        assert!(read("a { p = x }").is_err(), "missing ;");
        assert!(read("a { p = \"x; }").is_err(), "unterminated string");
        assert!(read("a { p = ; }").is_err());
        assert!(read("a { p = x, ; }").is_err());
        assert!(read("a { p = x; ").is_err());
        assert!(read("a\"b\" { }").is_err(), "a jail name is one token");
    }

    #[test]
    fn numeric_name_is_a_jid() {
        let j = one("7 { }");
        assert_eq!(j.get("jid").unwrap(), ["7"]);
        assert_eq!(j.get("name"), None);
    }
}
