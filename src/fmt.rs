//! The canonical layout of a `.vj` file, printed from its syntax tree
//! (`vjc fmt`). The files in `examples/` are written in it.
//!
//! - One statement per line; `;`-separated statements are split onto lines.
//!   Single spaces between tokens; parameter values as `a, b`.
//! - Blank lines between statements (at the top level and inside blocks) are
//!   kept, a run of them collapsed to one; none at the start or end of the
//!   file, after an opening `<`/`{` or before a closing `>`/`}`.
//! - A segment stays on one line (`vlan 100 on em0 < jail test1 … >`) when
//!   it was written on one line, has at most one member and fits in
//!   [`WIDTH`] columns. Otherwise: one member per line, indented two
//!   spaces, and `>` alone on the last line.
//! - Jail and kernel blocks: one property (kernel line) per line, indented
//!   two spaces, `}` alone on the last line.
//! - Every comment stays attached to the node the parser attached it to
//!   (`parse/trivia.rs`): leading comments on their own lines above it,
//!   a trailing comment after one space at the end of its last line. A
//!   comment written after an opening `<` or `{` stays there. Comment text
//!   is kept as written, minus trailing blanks.
//! - Tokens are printed as written (addresses, numbers, paths, names keep
//!   their spelling); strings are re-escaped from their value (`\"`, `\\`).
//!
//! The layout is a fixed point: `format` of a formatted file gives it back.

use crate::ast::*;
use crate::span::Span;

/// The width a one-line segment must fit in (its trailing comment aside).
pub const WIDTH: usize = 100;

const INDENT: &str = "  ";

/// Prints `file` (parsed from `source`) in the canonical layout. `source`
/// is read for the spelling of tokens and for where blank lines were.
pub fn format(file: &File, source: &str) -> String {
    let mut p = Printer {
        source,
        out: String::new(),
    };
    p.sequence(
        "",
        &file.items,
        &file.dangling,
        None,
        |n| (n.span, &n.trivia),
        |p, item| p.item(item),
    );
    p.out
}

/// A comment or a node of a block, in source order.
enum Entry<'a, N> {
    Comment(&'a Comment),
    Node(&'a N),
}

struct Printer<'s> {
    source: &'s str,
    out: String,
}

impl Printer<'_> {
    /// The text of a token as written.
    fn tok(&self, span: Span) -> &str {
        self.source.get(span.range()).unwrap_or_default()
    }

    /// A value that may have been written as a string: re-escaped if it
    /// was, as written otherwise.
    fn maybe_string(&self, s: &crate::span::Spanned<String>) -> String {
        if self.tok(s.span).starts_with('"') {
            quote(&s.node)
        } else {
            self.tok(s.span).to_string()
        }
    }

    /// How many line breaks lie between two offsets.
    fn line_breaks(&self, from: usize, to: usize) -> usize {
        let gap = self.source.get(from..to).unwrap_or_default();
        gap.matches('\n').count() + gap.matches('\r').count() - gap.matches("\r\n").count()
    }

    fn comment(&mut self, c: &Comment) {
        self.out.push('#');
        self.out.push_str(c.text.trim_end());
    }

    fn trailing(&mut self, trivia: &Trivia) {
        if let Some(c) = &trivia.trailing {
            self.out.push(' ');
            self.comment(c);
        }
    }

    /// Nodes of one block (or of the file), each with its comments, then
    /// the block's dangling comments. `opener` is the offset where the
    /// block's statement starts: a first comment on that line is printed
    /// right after the opening `<`/`{` (already in `out`); the caller has
    /// not ended that line. Every printed line ends with a newline.
    fn sequence<N>(
        &mut self,
        indent: &str,
        nodes: &[N],
        dangling: &[Comment],
        opener: Option<usize>,
        parts: impl Fn(&N) -> (Span, &Trivia),
        print: impl Fn(&mut Self, &N),
    ) {
        // Every comment and node in source order, with its extent.
        let mut entries = Vec::new();
        for n in nodes {
            let (span, trivia) = parts(n);
            for c in &trivia.leading {
                entries.push((c.span, Entry::Comment(c)));
            }
            let end = trivia.trailing.as_ref().map_or(span.end, |c| c.span.end);
            entries.push((Span::new(span.start, end), Entry::Node(n)));
        }
        for c in dangling {
            entries.push((c.span, Entry::Comment(c)));
        }

        let mut entries = entries.into_iter().peekable();
        if let Some(start) = opener {
            if let Some((span, Entry::Comment(c))) = entries.peek()
                && self.line_breaks(start, span.start) == 0
            {
                let c = *c;
                self.out.push(' ');
                self.comment(c);
                entries.next();
            }
            self.out.push('\n');
        }
        let mut prev_end: Option<usize> = None;
        for (span, entry) in entries {
            if let Some(end) = prev_end
                && self.line_breaks(end, span.start) >= 2
            {
                self.out.push('\n');
            }
            self.out.push_str(indent);
            match entry {
                Entry::Comment(c) => self.comment(c),
                Entry::Node(n) => {
                    print(self, n);
                    self.trailing(parts(n).1);
                }
            }
            self.out.push('\n');
            prev_end = Some(span.end);
        }
    }

    fn item(&mut self, item: &Item) {
        match &item.kind {
            ItemKind::Setting(s) => self.setting(item, s),
            ItemKind::Segment(s) => self.segment(item, s),
            ItemKind::Jail(j) => {
                let head = format!("jail {} {{", self.tok(j.name.span));
                self.out.push_str(&head);
                self.sequence(
                    INDENT,
                    &j.props,
                    &j.dangling,
                    Some(item.span.start),
                    |n| (n.span, &n.trivia),
                    |p, prop| p.jail_prop(prop),
                );
                self.out.push('}');
            }
            ItemKind::Expect(e) => {
                let line = format!(
                    "expect {} {} {}",
                    self.tok(e.from.span),
                    if e.reaches { "reaches" } else { "!reaches" },
                    self.tok(e.target.span)
                );
                self.out.push_str(&line);
            }
            ItemKind::Silence(codes) => {
                let mut line = String::from("silence");
                for c in codes {
                    line.push(' ');
                    line.push_str(self.tok(c.span));
                }
                self.out.push_str(&line);
            }
        }
    }

    fn setting(&mut self, item: &Item, s: &Setting) {
        let line = match s {
            Setting::Freebsd(r) => format!("freebsd {}", self.tok(r.span)),
            Setting::Arch(a) => format!("arch {}", self.tok(a.span)),
            Setting::Src(p) => format!("src {}", self.tok(p.span)),
            Setting::Jails(p) => format!("jails {}", self.tok(p.span)),
            Setting::Domain(d) => format!("domain {}", self.tok(d.span)),
            Setting::World(w) => match w.node {
                WorldMode::Source => "world source".to_string(),
                WorldMode::Release => "world release".to_string(),
            },
            Setting::Kernel(k) => {
                let head = format!("kernel {} {{", self.tok(k.ident.span));
                self.out.push_str(&head);
                self.sequence(
                    INDENT,
                    &k.lines,
                    &k.dangling,
                    Some(item.span.start),
                    |n| (n.span, &n.trivia),
                    |p, line| {
                        let mut text = p.tok(line.directive.span).to_string();
                        for w in &line.words {
                            text.push(' ');
                            text.push_str(p.tok(w.span));
                        }
                        p.out.push_str(&text);
                    },
                );
                self.out.push('}');
                return;
            }
        };
        self.out.push_str(&line);
    }

    fn segment(&mut self, item: &Item, s: &Segment) {
        let head = match &s.kind {
            SegmentKind::Bridge { name, mtu } => match mtu {
                Some(m) => format!("bridge {} mtu {}", self.tok(name.span), self.tok(m.span)),
                None => format!("bridge {}", self.tok(name.span)),
            },
            SegmentKind::Vlan(v) => self.vlan(v),
            SegmentKind::Iface(i) => format!("iface {}", self.tok(i.span)),
            SegmentKind::Epair(n) => format!("epair {}", self.tok(n.span)),
        };
        let quiet = |m: &Member| m.trivia.leading.is_empty() && m.trivia.trailing.is_none();
        if self.line_breaks(item.span.start, item.span.end) == 0
            && s.members.len() <= 1
            && s.members.iter().all(quiet)
            && s.dangling.is_empty()
        {
            let line = match s.members.first() {
                Some(m) => format!("{head} < {} >", self.member(m)),
                None => format!("{head} < >"),
            };
            if line.chars().count() <= WIDTH {
                self.out.push_str(&line);
                return;
            }
        }
        self.out.push_str(&head);
        self.out.push_str(" <");
        self.sequence(
            INDENT,
            &s.members,
            &s.dangling,
            Some(item.span.start),
            |n| (n.span, &n.trivia),
            |p, m| {
                let text = p.member(m);
                p.out.push_str(&text);
            },
        );
        self.out.push('>');
    }

    fn vlan(&self, v: &VlanRef) -> String {
        format!(
            "vlan {} on {}",
            self.tok(v.id.span),
            self.tok(v.parent.span)
        )
    }

    fn addrs(&self, head: String, addrs: &[crate::span::Spanned<Addr>]) -> String {
        let mut text = head;
        for a in addrs {
            text.push(' ');
            match a.node {
                Addr::Slaac => text.push_str("slaac"),
                Addr::Net(_) => text.push_str(self.tok(a.span)),
            }
        }
        text
    }

    fn member(&self, m: &Member) -> String {
        match &m.kind {
            MemberKind::Jail { name, addrs } => {
                self.addrs(format!("jail {}", self.tok(name.span)), addrs)
            }
            MemberKind::Host { addrs } => self.addrs("host".to_string(), addrs),
            MemberKind::Uplink(i) => format!("uplink {}", self.tok(i.span)),
            MemberKind::Vlan(v) => self.vlan(v),
        }
    }

    fn jail_prop(&mut self, prop: &JailProp) {
        let text = match &prop.kind {
            JailPropKind::Hostname(h) => format!("hostname {}", self.maybe_string(h)),
            JailPropKind::Path(p) => format!("path {}", self.tok(p.span)),
            JailPropKind::Route(r) => format!(
                "route {} via {}",
                match r.dest.node {
                    RouteDest::Default => "default",
                    RouteDest::Net(_) => self.tok(r.dest.span),
                },
                self.tok(r.via.span)
            ),
            JailPropKind::Forwarding => "forwarding".to_string(),
            JailPropKind::Service(s) => format!("service {}", self.tok(s.span)),
            JailPropKind::Allow(a) => format!("allow {}", self.tok(a.span)),
            JailPropKind::Param(p) => {
                let mut text = format!("param {}", self.maybe_string(&p.name));
                for (i, v) in p.values.iter().enumerate() {
                    text.push_str(if i == 0 { " = " } else { ", " });
                    text.push_str(&self.maybe_string(v));
                }
                text
            }
        };
        self.out.push_str(&text);
    }
}

/// A string literal for `value`: `"` and `\` escaped, as the parser reads
/// them back.
fn quote(value: &str) -> String {
    let mut s = String::with_capacity(value.len() + 2);
    s.push('"');
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        let file = crate::parse::parse(src).expect("parses");
        format(&file, src)
    }

    #[test]
    fn statements_split_and_spaced() {
        assert_eq!(
            fmt("domain  test.jp ;freebsd\t14.3;;\n\n\n\nexpect a   !reaches  b"),
            "domain test.jp\nfreebsd 14.3\n\nexpect a !reaches b\n"
        );
    }

    #[test]
    fn one_line_segment_rule() {
        let one = "vlan 100 on em0 < jail test1 192.168.0.1/24 >\n";
        assert_eq!(fmt(one), one);
        assert_eq!(
            fmt("epair e < jail a 10.0.0.1/30; jail b 10.0.0.2/30 >"),
            "epair e <\n  jail a 10.0.0.1/30\n  jail b 10.0.0.2/30\n>\n"
        );
        // Written on two lines: stays expanded.
        assert_eq!(
            fmt("bridge b <\njail a 10.0.0.1/24 >"),
            "bridge b <\n  jail a 10.0.0.1/24\n>\n"
        );
        // Too wide for one line.
        let addrs: Vec<String> = (1..=8).map(|i| format!("fd00:{i}::1/64")).collect();
        let wide = format!("bridge b < jail a {} >", addrs.join(" "));
        assert!(wide.len() > WIDTH);
        assert_eq!(
            fmt(&wide),
            format!("bridge b <\n  jail a {}\n>\n", addrs.join(" "))
        );
        assert_eq!(fmt("bridge b <>"), "bridge b < >\n");
        assert_eq!(fmt("bridge b <\n>"), "bridge b <\n>\n");
    }

    #[test]
    fn comments_stay_in_place() {
        let src = "\
# head

domain x # d
bridge b < # opener
  # lead a
  jail a 10.0.0.1/24 # trail a

  jail c 10.0.0.2/24
  host 10.0.0.254/24 # trail host
  jail d # trail d
  # dangling in b
> # after b
jail a { # opener a
  forwarding
  service bird # trail bird
}
jail c {
  param d # trail d
  # only a comment
}
kernel K {
  options VIMAGE # v
}
# the end
";
        assert_eq!(fmt(src), src);
    }

    #[test]
    fn strings_are_reescaped_and_params_listed() {
        let src = r#"jail a {
  hostname "a\"b"
  param "exec.poststart"="x\\y" ,  z,"w"
  param allow.mount
}"#;
        assert_eq!(
            fmt(src),
            "jail a {\n  hostname \"a\\\"b\"\n  param \"exec.poststart\" = \"x\\\\y\", z, \"w\"\n  param allow.mount\n}\n"
        );
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n;\n"), "");
        assert_eq!(fmt("\n# a\n\n\n# b   \n\n"), "# a\n\n# b\n");
        assert_eq!(fmt("domain x\r\n\r\n# c\r\n"), "domain x\n\n# c\n");
    }
}
