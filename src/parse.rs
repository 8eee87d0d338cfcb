//! Source text → `ast::File`. The only module that sees pest's types:
//! every node's span is copied from its pair here, and pest's rule names
//! are turned into plain words for syntax errors.
//!
//! Tokens the grammar takes leniently are checked here with coded errors:
//! numbers that overflow, malformed addresses, zone ids, string escapes.

// A parse fails at most once per file: the size of the error is no cost.
#![allow(clippy::result_large_err)]

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::span::{Span, Spanned};
use ipnet::IpNet;
use pest::Parser as _;
use pest::iterators::Pair;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/vj.pest"]
struct VjParser;

/// Parses one `.vj` file. pest stops at the first syntax error, so at most
/// one error comes back; token errors are found in one pass too (the first
/// one is returned).
pub fn parse(source: &str) -> Result<File> {
    hidden_characters(source)?;
    read(source, &cuts(source))
}

/// Reads the file whole, or in pieces starting at `cuts` (line starts, in
/// order): the first half of the pieces on this thread, the second half
/// on another, each half in order.
fn read(source: &str, cuts: &[usize]) -> Result<File> {
    let (items, comments) = match read_pieces(source, cuts) {
        Some(read) => read,
        // The error a reader of the whole file meets first, with its words
        // (an error in a piece could be the fault of the piece before).
        None => part(source, 0)?,
    };
    let mut file = File {
        items,
        dangling: Vec::new(),
    };
    file.items.shrink_to_fit();
    trivia::attach(source, &mut file, comments);
    Ok(file)
}

/// The file's items and comments read piece by piece, or `None` when
/// there are no cuts or a piece does not parse on its own (what was read
/// is dropped before the caller reads the whole file).
fn read_pieces(source: &str, cuts: &[usize]) -> Option<(Vec<Item>, Vec<Comment>)> {
    if cuts.is_empty() {
        return None;
    }
    let starts: Vec<usize> = std::iter::once(0).chain(cuts.iter().copied()).collect();
    let ends = cuts.iter().copied().chain(std::iter::once(source.len()));
    let pieces: Vec<(usize, usize)> = starts.iter().copied().zip(ends).collect();
    let (first, second) = pieces.split_at(pieces.len().div_ceil(2));
    let read_all = |pieces: &[(usize, usize)]| {
        pieces
            .iter()
            .map(|&(start, end)| part(&source[start..end], start).ok())
            .collect::<Option<Vec<_>>>()
    };
    let (head, tail) = crate::parallel::join(|| read_all(first), || read_all(second));
    let mut parts = head?;
    parts.extend(tail?);
    // One allocation of the right size for each list.
    let n = parts.iter().map(|(i, _)| i.len()).sum();
    let mut items = Vec::with_capacity(n);
    let n = parts.iter().map(|(_, c)| c.len()).sum();
    let mut comments = Vec::with_capacity(n);
    for (i, c) in parts {
        items.extend(i);
        comments.extend(c);
    }
    Some((items, comments))
}

/// Files are read in pieces of about this size: two threads share the
/// work, and each holds pest's tokens for one piece at a time (pest keeps
/// two tokens of 40 bytes per node of the parse, about 12 times the size
/// of the text).
const PIECE: usize = 256 * 1024;

/// Where the file can be cut into pieces of about [`PIECE`] bytes: each
/// cut is the start of the first line, after the previous cut plus
/// `PIECE`, that starts a statement (a letter at the start of the line)
/// right after a line that closes a block (ends in `>` or `}`, and holds
/// no comment). A file with no such line past its first `PIECE` bytes is
/// read whole, by one thread.
///
/// Cuts are only likely places. The pieces are read as files of their
/// own, and the cuts stand only if every piece parses (see [`read`]): a
/// piece that parses whole ends after a line end at the top level, where
/// nothing a reader of the whole file decides looks past that line end (no
/// token spans lines; blocks that do are closed within the piece). Then
/// reading the whole file yields the items and comments of the pieces, in
/// order. Anything else falls back to one reader of the whole file.
fn cuts(source: &str) -> Vec<usize> {
    let bytes = source.as_bytes();
    let mut cuts = Vec::new();
    let mut at = PIECE;
    while at < source.len() {
        let Some(cut) = next_statement_after_block(bytes, at) else {
            break;
        };
        cuts.push(cut);
        at = cut + PIECE;
    }
    cuts
}

fn next_statement_after_block(bytes: &[u8], mut at: usize) -> Option<usize> {
    while let Some(nl) = bytes[at..].iter().position(|&b| b == b'\n') {
        let next = at + nl + 1;
        let line = bytes[at..at + nl].trim_ascii_end();
        // Not a line with a comment, which may end in anything (a cut in
        // a block costs a second reading of the whole file).
        let closes = (line.ends_with(b">") || line.ends_with(b"}")) && !line.contains(&b'#');
        if closes && bytes.get(next).is_some_and(u8::is_ascii_alphabetic) {
            return Some(next);
        }
        at = next;
    }
    None
}

/// Reads `text`, which starts at `base` in the file: its items and its
/// comments, in source order.
fn part(text: &str, base: usize) -> Result<(Vec<Item>, Vec<Comment>)> {
    let mut pairs = VjParser::parse(Rule::file, text).map_err(|e| syntax_error(text, e))?;
    let file_pair = pairs.next().expect("the file rule always yields one pair");
    let mut cx = Cx {
        base,
        comments: Vec::new(),
    };
    let mut items = Vec::new();
    for pair in file_pair.into_inner() {
        match pair.as_rule() {
            Rule::comment => {
                let c = comment(&cx, pair);
                cx.comments.push(c);
            }
            Rule::EOI => {}
            _ => items.push(item(pair, &mut cx)?),
        }
    }
    Ok((items, cx.comments))
}

/// What the walk over one part of the file carries: where the part starts
/// in the file (pest's positions count from the start of the text it was
/// given) and the comments met so far.
struct Cx {
    base: usize,
    comments: Vec<Comment>,
}

mod trivia;

/// Refuses characters that would make the file read differently from what
/// it means: control characters other than tab and line ends (a terminal
/// acts on them; a NUL ends a C string), a carriage return that does not
/// end a CRLF line (a terminal shows the rest of the line over its start,
/// and the grammar would see a line break there), bidirectional overrides
/// and isolates, which reorder what an editor or a diff shows ("Trojan
/// Source", CVE-2021-42574), and a byte-order mark anywhere but at the
/// start.
fn hidden_characters(source: &str) -> Result<()> {
    for (i, c) in source.char_indices() {
        let refused = match c {
            ' '..='~' | '\t' | '\n' => false,
            '\r' => !source[i + 1..].starts_with('\n'),
            '\u{feff}' => i != 0,
            c => c.is_control() || crate::render::is_invisible(c),
        };
        if !refused {
            continue;
        }
        let span = Span::new(i, i + c.len_utf8());
        let (message, help) = match c {
            '\r' => (
                "carriage return without a line feed".to_string(),
                "save the file with LF (or CRLF) line ends",
            ),
            c if c.is_control() => (
                format!("control character U+{:04X} in the file", c as u32),
                "remove it: a .vj file is text; write a tab or a newline where one is meant",
            ),
            c => (
                format!(
                    "invisible formatting character U+{:04X} in the file",
                    c as u32
                ),
                "remove it: it changes how editors and diffs show the text around it",
            ),
        };
        return Err(Diagnostic::new("E0008", message, span, "here")
            .with_note(
                "vjc refuses characters that make a file read differently from what it means",
            )
            .with_help(help));
    }
    Ok(())
}

type Result<T> = std::result::Result<T, Diagnostic>;

/// The results, in a list of their number: collecting them would reuse
/// the list of pairs they come from, with its room for more (a lab has a
/// list of addresses per member, 100,000 of them).
fn exact<T>(it: impl ExactSizeIterator<Item = Result<T>>) -> Result<Vec<T>> {
    let mut out = Vec::with_capacity(it.len());
    for r in it {
        out.push(r?);
    }
    Ok(out)
}

fn span(cx: &Cx, pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(cx.base + s.start(), cx.base + s.end())
}

fn comment(cx: &Cx, pair: Pair<Rule>) -> Comment {
    Comment {
        text: pair.as_str()[1..].to_string(),
        span: span(cx, &pair),
    }
}

/// The pair's children, with comments moved out into `comments`.
fn children<'a>(pair: Pair<'a, Rule>, cx: &mut Cx) -> Vec<Pair<'a, Rule>> {
    let mut out = Vec::new();
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::comment => cx.comments.push(comment(cx, p)),
            r if keyword(r).is_some() => {}
            _ => out.push(p),
        }
    }
    out
}

/// Keyword and punctuation rules, with what each starts in the words of a
/// syntax error. Their pairs carry no content and are skipped.
fn keyword(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        kw_freebsd | kw_arch | kw_src | kw_jails | kw_domain | kw_world | kw_kernel
        | kw_silence | kw_bridge | kw_vlan | kw_iface | kw_epair | kw_jail | kw_expect => {
            "a statement (a setting, a segment, `jail` or `expect`)"
        }
        kwm_jail | kw_host | kw_uplink | kwm_vlan => {
            "a member (`jail`, `host`, `uplink` or `vlan`)"
        }
        kw_hostname | kw_path | kw_route | kw_forwarding | kw_service | kw_allow | kw_param => {
            "a jail property (`hostname`, `path`, `route`, `forwarding`, `service`, `allow` or `param`)"
        }
        kw_source | kw_release => "`source` or `release`",
        kw_mtu => "`mtu`",
        kw_on => "`on`",
        kw_via => "`via`",
        kw_slaac => "`slaac`",
        kw_default => "`default`",
        lt => "`<`",
        gt => "`>`",
        lbrace => "`{`",
        rbrace => "`}`",
        eq => "`=`",
        comma => "`,`",
        _ => return None,
    })
}

fn text(cx: &Cx, pair: &Pair<Rule>) -> Spanned<String> {
    Spanned::new(pair.as_str().to_string(), span(cx, pair))
}

fn item(pair: Pair<Rule>, cx: &mut Cx) -> Result<Item> {
    let item_span = span(cx, &pair);
    let rule = pair.as_rule();
    let c = children(pair, cx);
    let kind = match rule {
        Rule::freebsd => ItemKind::Setting(Setting::Freebsd(release(cx, &c[0])?)),
        Rule::arch => ItemKind::Setting(Setting::Arch(text(cx, &c[0]))),
        Rule::src => ItemKind::Setting(Setting::Src(text(cx, &c[0]))),
        Rule::jails => ItemKind::Setting(Setting::Jails(text(cx, &c[0]))),
        Rule::domain => ItemKind::Setting(Setting::Domain(text(cx, &c[0]))),
        Rule::world => {
            let mode = match c[0].as_str() {
                "source" => WorldMode::Source,
                _ => WorldMode::Release,
            };
            ItemKind::Setting(Setting::World(Spanned::new(mode, span(cx, &c[0]))))
        }
        Rule::kernel => {
            let mut it = c.into_iter();
            let ident = text(cx, &it.next().expect("kernel has a name"));
            let mut lines = Vec::with_capacity(it.len());
            for line in it {
                let line_span = span(cx, &line);
                let mut parts = children(line, cx).into_iter();
                let directive = text(cx, &parts.next().expect("kernel line has a directive"));
                lines.push(KernelLine {
                    directive,
                    words: parts.map(|p| text(cx, &p)).collect(),
                    span: line_span,
                    trivia: Trivia::default(),
                });
            }
            ItemKind::Setting(Setting::Kernel(KernelBlock {
                ident,
                lines,
                dangling: Vec::new(),
            }))
        }
        Rule::silence => ItemKind::Silence(c.iter().map(|p| text(cx, p)).collect()),
        Rule::bridge | Rule::vlan_segment | Rule::iface_segment | Rule::epair_segment => {
            ItemKind::Segment(segment(rule, c, cx)?)
        }
        Rule::jail_block => ItemKind::Jail(jail_block(c, cx)?),
        Rule::expect => {
            let from = text(cx, &c[0]);
            let reaches = c[1].as_rule() == Rule::reaches;
            let t = &c[2];
            let target = match t.as_rule() {
                Rule::ip => Spanned::new(Target::Addr(ip(cx, t)?), span(cx, t)),
                _ => Spanned::new(Target::Jail(t.as_str().to_string()), span(cx, t)),
            };
            ItemKind::Expect(Expect {
                from,
                reaches,
                target,
            })
        }
        other => unreachable!("not an item: {other:?}"),
    };
    Ok(Item {
        kind,
        span: item_span,
        trivia: Trivia::default(),
    })
}

fn segment(rule: Rule, c: Vec<Pair<Rule>>, cx: &mut Cx) -> Result<Segment> {
    let mut it = c.into_iter().peekable();
    let kind = match rule {
        Rule::bridge => {
            let name = text(cx, &it.next().expect("bridge has a name"));
            let mtu = match it.peek().map(Pair::as_rule) {
                Some(Rule::bridge_mtu) => {
                    let p = it.next().expect("peeked");
                    let n = children(p, cx).remove(0);
                    Some(number(cx, &n)?)
                }
                _ => None,
            };
            SegmentKind::Bridge { name, mtu }
        }
        Rule::vlan_segment => SegmentKind::Vlan(vlan_ref(it.next().expect("vlan"), cx)?),
        Rule::iface_segment => SegmentKind::Iface(ifname(cx, &it.next().expect("iface"))?),
        _ => SegmentKind::Epair(text(cx, &it.next().expect("epair name"))),
    };
    let mut members = Vec::with_capacity(it.len());
    for m in it {
        members.push(member(m, cx)?);
    }
    Ok(Segment {
        kind,
        members,
        dangling: Vec::new(),
    })
}

fn vlan_ref(pair: Pair<Rule>, cx: &mut Cx) -> Result<VlanRef> {
    let s = span(cx, &pair);
    let c = children(pair, cx);
    Ok(VlanRef {
        id: number(cx, &c[0])?,
        parent: ifname(cx, &c[1])?,
        span: s,
    })
}

fn member(pair: Pair<Rule>, cx: &mut Cx) -> Result<Member> {
    let s = span(cx, &pair);
    let rule = pair.as_rule();
    let c = children(pair, cx);
    let kind = match rule {
        Rule::jail_member => {
            let mut it = c.into_iter();
            let name = text(cx, &it.next().expect("jail member has a name"));
            let addrs = exact(it.map(|p| addr(cx, &p)))?;
            MemberKind::Jail { name, addrs }
        }
        Rule::host_member => MemberKind::Host {
            addrs: exact(c.iter().map(|p| addr(cx, p)))?,
        },
        Rule::uplink_member => MemberKind::Uplink(ifname(cx, &c[0])?),
        Rule::vlan_member => MemberKind::Vlan(VlanRef {
            id: number(cx, &c[0])?,
            parent: ifname(cx, &c[1])?,
            span: s,
        }),
        other => unreachable!("not a member: {other:?}"),
    };
    Ok(Member {
        kind,
        span: s,
        trivia: Trivia::default(),
    })
}

fn jail_block(c: Vec<Pair<Rule>>, cx: &mut Cx) -> Result<JailBlock> {
    let mut it = c.into_iter();
    let name = text(cx, &it.next().expect("jail block has a name"));
    let mut props = Vec::with_capacity(it.len());
    for p in it {
        let s = span(cx, &p);
        let rule = p.as_rule();
        let c = children(p, cx);
        let kind = match rule {
            Rule::hostname_prop => JailPropKind::Hostname(match c[0].as_rule() {
                Rule::string => string(cx, &c[0])?,
                _ => text(cx, &c[0]),
            }),
            Rule::path_prop => JailPropKind::Path(text(cx, &c[0])),
            Rule::route_prop => {
                let dest = match c[0].as_rule() {
                    Rule::default_dest => Spanned::new(RouteDest::Default, span(cx, &c[0])),
                    _ => Spanned::new(RouteDest::Net(cidr(cx, &c[0])?), span(cx, &c[0])),
                };
                JailPropKind::Route(Route {
                    dest,
                    via: Spanned::new(ip(cx, &c[1])?, span(cx, &c[1])),
                })
            }
            Rule::forwarding_prop => JailPropKind::Forwarding,
            Rule::service_prop => JailPropKind::Service(text(cx, &c[0])),
            Rule::allow_prop => JailPropKind::Allow(text(cx, &c[0])),
            Rule::param_prop => {
                let mut it = c.into_iter();
                let name_pair = it.next().expect("param has a name");
                let inner = children(name_pair, cx).remove(0);
                let name = match inner.as_rule() {
                    Rule::string => string(cx, &inner)?,
                    _ => text(cx, &inner),
                };
                let values = it
                    .map(|v| match v.as_rule() {
                        Rule::string => string(cx, &v),
                        _ => Ok(text(cx, &v)),
                    })
                    .collect::<Result<_>>()?;
                JailPropKind::Param(Param { name, values })
            }
            other => unreachable!("not a jail property: {other:?}"),
        };
        props.push(JailProp {
            kind,
            span: s,
            trivia: Trivia::default(),
        });
    }
    Ok(JailBlock {
        name,
        props,
        dangling: Vec::new(),
    })
}

// ── tokens ────────────────────────────────────────────────────────────────

fn number(cx: &Cx, pair: &Pair<Rule>) -> Result<Spanned<u32>> {
    let s = span(cx, pair);
    pair.as_str()
        .parse::<u32>()
        .map(|n| Spanned::new(n, s))
        .map_err(|_| {
            Diagnostic::new(
                "E0002",
                format!("number `{}` is too large", cut(pair.as_str())),
                s,
                "does not fit in 32 bits",
            )
            .with_help("MTUs, VLAN ids and prefix lengths are small numbers")
        })
}

/// An interface name; the VLAN id of `em0.100` is a number like any
/// other, so one that overflows is refused here rather than taken for the
/// name of a NIC.
fn ifname(cx: &Cx, pair: &Pair<Rule>) -> Result<Name> {
    let name = text(cx, pair);
    if let Some((parent, id)) = name.node.rsplit_once('.')
        && id.parse::<u32>().is_err()
    {
        let start = name.span.start + parent.len() + 1;
        return Err(Diagnostic::new(
            "E0002",
            format!("VLAN id `{}` is too large", cut(id)),
            Span::new(start, name.span.end),
            "does not fit in 32 bits",
        )
        .with_help("VLAN ids are 1–4094"));
    }
    Ok(name)
}

fn release(cx: &Cx, pair: &Pair<Rule>) -> Result<Spanned<Release>> {
    let s = span(cx, pair);
    let (major, minor) = pair.as_str().split_once('.').expect("grammar: MAJOR.MINOR");
    match (major.parse(), minor.parse()) {
        (Ok(major), Ok(minor)) => Ok(Spanned::new(Release { major, minor }, s)),
        _ => Err(Diagnostic::new(
            "E0002",
            format!("release `{}` is out of range", cut(pair.as_str())),
            s,
            "not a FreeBSD release",
        )
        .with_help("write the target release as MAJOR.MINOR, e.g. `freebsd 14.3`")),
    }
}

fn ip(cx: &Cx, pair: &Pair<Rule>) -> Result<IpAddr> {
    let s = span(cx, pair);
    let t = pair.as_str();
    if let Some(i) = t.find('%') {
        return Err(Diagnostic::new(
            "E0004",
            "zone ids are not accepted in addresses",
            Span::new(s.start + i, s.end),
            "zone id",
        )
        .with_note(
            "a zone id names a link-local scope on one interface; vjc assigns interfaces itself",
        )
        .with_help("remove the `%…` part"));
    }
    let addr: IpAddr = t.parse().map_err(|_| {
        Diagnostic::new(
            "E0003",
            format!("`{}` is not a valid IP address", cut(t)),
            s,
            if t.contains(':') {
                "not an IPv6 address"
            } else {
                "not an IPv4 address"
            },
        )
        .with_help(if t.contains(':') {
            "write an IPv6 address like `2001:db8::1`"
        } else {
            "write four decimal numbers 0–255 without leading zeros, like `192.168.0.1`"
        })
    })?;
    if let IpAddr::V6(v6) = addr
        && v6.to_ipv4_mapped().is_some()
    {
        return Err(Diagnostic::new(
            "E0003",
            format!("`{}` is an IPv4-mapped IPv6 address", cut(t)),
            s,
            "IPv4-mapped",
        )
        .with_help("write the IPv4 address itself"));
    }
    Ok(addr)
}

fn cidr(cx: &Cx, pair: &Pair<Rule>) -> Result<IpNet> {
    let s = span(cx, pair);
    let mut it = pair.clone().into_inner();
    let ip_pair = it.next().expect("cidr has an address");
    let len_pair = it.next().expect("cidr has a prefix length");
    let addr = ip(cx, &ip_pair)?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len_span = span(cx, &len_pair);
    let bad_len = || {
        Diagnostic::new(
            "E0003",
            format!(
                "prefix length `/{}` is out of range for an {} address",
                cut(len_pair.as_str()),
                if addr.is_ipv4() { "IPv4" } else { "IPv6" }
            ),
            len_span,
            format!("at most {max}"),
        )
        .with_help(format!(
            "an {} prefix length is 0–{max}",
            if addr.is_ipv4() { "IPv4" } else { "IPv6" }
        ))
    };
    let len: u8 = len_pair.as_str().parse().map_err(|_| bad_len())?;
    let _ = s;
    IpNet::new(addr, len).map_err(|_| bad_len())
}

fn addr(cx: &Cx, pair: &Pair<Rule>) -> Result<Spanned<Addr>> {
    let s = span(cx, pair);
    match pair.as_rule() {
        Rule::slaac => Ok(Spanned::new(Addr::Slaac, s)),
        _ => Ok(Spanned::new(Addr::Net(cidr(cx, pair)?), s)),
    }
}

/// A `"…"` string: `\"` and `\\` are its escapes; control characters are
/// refused (a newline or a NUL would end up in jail.conf or a shell).
fn string(cx: &Cx, pair: &Pair<Rule>) -> Result<Spanned<String>> {
    let s = span(cx, pair);
    let raw = pair.as_str();
    let inner = &raw[1..raw.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        let at = s.start + 1 + i;
        match c {
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => out.push(e),
                Some((j, e)) => {
                    return Err(Diagnostic::new(
                        "E0005",
                        format!("unknown escape `\\{e}` in a string"),
                        Span::new(at, s.start + 1 + j + e.len_utf8()),
                        "unknown escape",
                    )
                    .with_help("strings know two escapes: `\\\"` and `\\\\`"));
                }
                None => unreachable!("grammar: a backslash is followed by a character"),
            },
            c if c.is_control() => {
                return Err(Diagnostic::new(
                    "E0005",
                    format!("control character U+{:04X} in a string", c as u32),
                    Span::new(at, at + c.len_utf8()),
                    "control character",
                )
                .with_help("strings may hold printable characters only"));
            }
            c => out.push(c),
        }
    }
    Ok(Spanned::new(out, s))
}

/// Long tokens are cut in messages (the span still shows where they are).
fn cut(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}

// ── syntax errors in plain words ──────────────────────────────────────────

fn syntax_error(source: &str, e: pest::error::Error<Rule>) -> Diagnostic {
    use pest::error::InputLocation;
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((a, _)) => a,
    };
    // Point at the whole offending token, not one character.
    let rest = &source[pos..];
    // A comment where a token was due: the statement ended early (a
    // comment runs to the end of its line).
    if rest.starts_with('#') {
        let len = rest.find(['\n', '\r']).unwrap_or(rest.len());
        return finish_syntax_error(e, Span::new(pos, pos + len), "a comment".to_string());
    }
    let len = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ';' | '<' | '>' | '{' | '}' | '#'))
        .unwrap_or(rest.len());
    let len = if len == 0 {
        rest.chars().next().map_or(0, char::len_utf8)
    } else {
        len
    };
    let found = describe_found(&rest[..len]);
    // A line end or the file's end is shown as a point, not a line break.
    let span = if rest.starts_with(['\n', '\r']) || rest.is_empty() {
        Span::new(pos, pos)
    } else {
        Span::new(pos, pos + len)
    };
    finish_syntax_error(e, span, found)
}

fn finish_syntax_error(e: pest::error::Error<Rule>, span: Span, found: String) -> Diagnostic {
    use pest::error::ErrorVariant;
    let expected = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().filter_map(|r| phrase(*r)).collect();
            words.sort();
            words.dedup();
            words
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", one_of(&expected))
    };
    let opener = expected.iter().find(|w| **w == "`<`" || **w == "`{`");
    let help = match opener {
        Some(o) if found == "the end of the line" => {
            format!("{o} stays on the line that opens the statement")
        }
        _ if found == "a comment" => {
            "a comment runs to the end of its line: finish the statement before `#`".to_string()
        }
        _ => "see the language reference in README.md".to_string(),
    };
    Diagnostic::new("E0001", message, span, "unexpected here").with_help(help)
}

fn describe_found(token: &str) -> String {
    if token.is_empty() {
        "the end of the file".into()
    } else if token.starts_with(['\n', '\r']) {
        "the end of the line".into()
    } else {
        format!("`{}`", cut(token))
    }
}

fn one_of(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// pest rule names in plain words.
fn phrase(rule: Rule) -> Option<&'static str> {
    if let Some(words) = keyword(rule) {
        return Some(words);
    }
    Some(match rule {
        Rule::file | Rule::EOI => "the end of the line",
        Rule::freebsd
        | Rule::arch
        | Rule::src
        | Rule::jails
        | Rule::domain
        | Rule::world
        | Rule::kernel
        | Rule::silence
        | Rule::bridge
        | Rule::vlan_segment
        | Rule::iface_segment
        | Rule::epair_segment
        | Rule::jail_block
        | Rule::expect => "a statement (a setting, a segment, `jail` or `expect`)",
        Rule::jail_member | Rule::host_member | Rule::uplink_member | Rule::vlan_member => {
            "a member (`jail`, `host`, `uplink` or `vlan`)"
        }
        Rule::hostname_prop
        | Rule::path_prop
        | Rule::route_prop
        | Rule::forwarding_prop
        | Rule::service_prop
        | Rule::allow_prop
        | Rule::param_prop => {
            "a jail property (`hostname`, `path`, `route`, `forwarding`, `service`, `allow` or `param`)"
        }
        Rule::kernel_line | Rule::kernel_directive => {
            "a kernel line (`options`, `nooptions`, `device`, `nodevice` or `makeoptions`)"
        }
        Rule::world_mode | Rule::kw_source | Rule::kw_release => "`source` or `release`",
        Rule::bridge_mtu => "`mtu`",
        Rule::vlan_ref => "`vlan ID on IF`",
        Rule::slaac => "`slaac`",
        Rule::default_dest => "`default`",
        Rule::param_name => "a parameter name",
        Rule::reaches | Rule::not_reaches => "`reaches` or `!reaches`",
        Rule::cidr => "an address with a prefix length (`192.168.0.1/24`)",
        Rule::ip | Rule::ipv4 | Rule::ipv6 => "an address",
        Rule::zone => "an address",
        Rule::prefix_len => "a prefix length",
        Rule::number => "a number",
        Rule::code => "a diagnostic code (`W0301`)",
        Rule::release => "a release (`14.3`)",
        Rule::name => "a name",
        Rule::ifname => "an interface name (`em0`)",
        Rule::hostname => "a host name",
        Rule::dotted_name => "a parameter name",
        Rule::path => "an absolute path",
        Rule::word => "a value",
        Rule::string => "a string",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file the project ships, every place it could be split: where
    /// both halves read, the two readers yield the file the whole-file
    /// reader yields (spans, comments and all); where one does not, the
    /// result is the whole-file reader's, error included.
    #[test]
    fn reading_in_two_halves_is_reading_whole() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "examples",
            "tests/fixtures/errors",
            "tests/fixtures/fmt",
            "tests/fixtures/graph",
            "tests/fixtures/sim",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "vj") {
                    files.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        assert!(files.len() > 50, "{}", files.len());
        let mut split = 0;
        for source in &files {
            let whole = read(source, &[]);
            let starts = source.match_indices('\n').map(|(i, _)| i + 1);
            for at in starts.filter(|&at| at < source.len()) {
                let halves = read(source, &[at]);
                assert_eq!(halves, whole, "split at {at} of:\n{source}");
                let both_read = part(&source[..at], 0).is_ok() && part(&source[at..], at).is_ok();
                split += usize::from(both_read);
            }
        }
        assert!(split > 200, "splits that stood: {split}");
    }

    /// A cut goes after a line that closes a block, before a statement; a
    /// comment line may end in `}` inside a block (a cut there would fail
    /// and cost a second reading of the whole file).
    #[test]
    fn cuts_are_after_a_closing_line() {
        let text = "jail a {\n# the jail }\nroute default via 10.0.0.1\n}\njail b {\n}\n";
        let at = next_statement_after_block(text.as_bytes(), 0);
        assert_eq!(at, text.find("jail b"));
        let text = "bridge lan <\n  jail a\n>\nexpect a reaches b\n";
        assert_eq!(
            next_statement_after_block(text.as_bytes(), 0),
            text.find("expect")
        );
        assert_eq!(next_statement_after_block(b"jail a {\n}\n# end\n", 0), None);
    }

    /// A large file is read in pieces by two threads, to the same result.
    #[test]
    fn a_large_file_is_read_in_pieces_to_the_same_file() {
        let mut source = String::from("# a large lab\n");
        for n in 0..6000 {
            source.push_str(&format!(
                "# LAN {n}\nbridge lan{n} < # the LAN\n  jail j{n} 10.{}.{}.2/24 fd00:{n:x}::2/64\n  \
                 host 10.{}.{}.1/24\n>\njail j{n} {{ # the jail\n  route default via 10.{}.{}.1\n}}\n",
                n / 256, n % 256, n / 256, n % 256, n / 256, n % 256
            ));
        }
        let at = cuts(&source);
        assert!(at.len() >= 3, "{at:?}");
        let file = parse(&source).unwrap();
        assert_eq!(file, read(&source, &[]).unwrap());
        assert_eq!(file.items.len(), 12000);
        // A piece that does not parse on its own (cut inside a block):
        // the whole-file reader's result.
        let inside = source.find("  host").unwrap();
        assert_eq!(read(&source, &[inside]).unwrap(), file);
        // An error: the whole-file reader's, wherever the cuts.
        let broken = source.replacen("via 10.0.0.1", "via 10.0.0.1 oops", 1);
        let whole = read(&broken, &[]).unwrap_err();
        assert_eq!(read(&broken, &cuts(&broken)).unwrap_err(), whole);
    }
}
