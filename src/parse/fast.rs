//! A hand-written recursive-descent reader of `grammar/vj.pest`, for speed.
//!
//! pest builds a token queue for the whole file and checks its call and
//! stack limits at every rule: on a file of 100,000 jails that is most of
//! `vjc check`'s time and memory. This reader walks the same grammar once,
//! byte by byte, and builds the same `ast::File` directly.
//!
//! It is a fast path, not a second grammar: it returns `None` at the first
//! thing it does not accept (a syntax error, a token the validators refuse,
//! anything unusual), and `parse` then runs pest, which alone says what is
//! wrong. So every diagnostic still comes from the pest path, and the
//! contract here is one-way: whenever this returns `Some(file)`, pest
//! accepts the text and builds an equal `file` (the `agrees_with_pest`
//! tests check it on every example, fixture and generated lab, and on
//! thousands of mutations of them).
//!
//! PEG semantics that matter here: ordered choice never backtracks into a
//! chosen branch; a keyword is a literal followed by no name character, so
//! it matches exactly when the longest run of name characters equals it;
//! implicit skipping (blanks, then one comment) happens between the
//! elements of every non-atomic rule, and a failed repetition gives back
//! the skip in front of it. A node's span runs from its first token to
//! its last (`node_span`); comments are collected once each, in source
//! order, and attached by `trivia::attach` exactly as on the pest path.

use super::{cidr_at, ip_at, number_at, release_at, string_at};
use crate::ast::*;
use crate::span::{Span, Spanned};

/// The file, or `None` when pest must have the last word.
pub(super) fn parse(source: &str) -> Option<File> {
    let mut r = Reader {
        src: source,
        b: source.as_bytes(),
        pos: 0,
        comments: Vec::new(),
    };
    let items = r.file()?;
    let mut file = File {
        items,
        dangling: Vec::new(),
    };
    super::trivia::attach(source, &mut file, r.comments);
    Some(file)
}

struct Reader<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    comments: Vec<Comment>,
}

fn name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn text(src: &str, span: Span) -> Spanned<String> {
    Spanned::new(src[span.range()].to_string(), span)
}

fn newline(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    /// The end of the run of bytes from `i` on that satisfy `f`.
    fn run(&self, mut i: usize, f: impl Fn(u8) -> bool) -> usize {
        while self.at(i).is_some_and(&f) {
            i += 1;
        }
        i
    }

    /// pest's implicit skip: blanks, then a comment up to the line's end.
    /// A comment seen again after a rolled-back repetition is kept once.
    fn skip(&mut self) {
        self.pos = self.run(self.pos, |c| c == b' ' || c == b'\t');
        if self.peek() == Some(b'#') {
            let start = self.pos;
            self.pos = self.run(start, |c| !newline(c));
            if self.comments.last().is_none_or(|c| c.span.start < start) {
                self.comments.push(Comment {
                    text: self.src[start + 1..self.pos].to_string(),
                    span: Span::new(start, self.pos),
                });
            }
        }
    }

    /// `sep`: a newline (`\n`, `\r\n` or `\r`) or `;`.
    fn sep(&mut self) -> bool {
        match self.peek() {
            Some(b';') | Some(b'\n') => self.pos += 1,
            Some(b'\r') => {
                self.pos += 1;
                if self.peek() == Some(b'\n') {
                    self.pos += 1;
                }
            }
            _ => return false,
        }
        true
    }

    fn at_sep(&self) -> bool {
        matches!(self.peek(), Some(b';' | b'\n' | b'\r'))
    }

    fn punct(&mut self, c: u8) -> Option<Span> {
        (self.peek() == Some(c)).then(|| {
            self.pos += 1;
            Span::new(self.pos - 1, self.pos)
        })
    }

    /// The longest run of name characters here, which is the keyword it
    /// spells if any.
    fn word_here(&self) -> Span {
        Span::new(self.pos, self.run(self.pos, name_char))
    }

    /// The keyword `kw` (followed by no name character).
    fn keyword(&mut self, kw: &str) -> Option<Span> {
        let w = self.word_here();
        (&self.src[w.range()] == kw).then(|| {
            self.pos = w.end;
            w
        })
    }

    /// Runs `f`; on `None`, puts the position back.
    fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let saved = self.pos;
        let r = f(self);
        if r.is_none() {
            self.pos = saved;
        }
        r
    }

    /// A token ending at `end`: moves past it.
    fn take(&mut self, end: usize) -> Span {
        let s = Span::new(self.pos, end);
        self.pos = end;
        s
    }

    // ── tokens ───────────────────────────────────────────────────────────

    /// `name = @{ ASCII_ALPHA ~ name_char* }`
    fn name(&mut self) -> Option<Span> {
        self.peek()
            .is_some_and(|c| c.is_ascii_alphabetic())
            .then(|| self.take(self.run(self.pos + 1, name_char)))
    }

    /// `ifname = @{ ASCII_ALPHA ~ name_char* ~ ("." ~ ASCII_DIGIT+)? ~ !(name_char | ".") }`
    fn ifname(&mut self) -> Option<Span> {
        if !self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let mut end = self.run(self.pos + 1, name_char);
        if self.at(end) == Some(b'.') && self.at(end + 1).is_some_and(|c| c.is_ascii_digit()) {
            end = self.run(end + 1, |c| c.is_ascii_digit());
        }
        if self.at(end).is_some_and(|c| name_char(c) || c == b'.') {
            return None;
        }
        Some(self.take(end))
    }

    /// `hostname = @{ name_char+ ~ ("." ~ name_char+)* ~ !"." }`
    fn hostname(&mut self) -> Option<Span> {
        let mut end = self.run(self.pos, name_char);
        if end == self.pos {
            return None;
        }
        while self.at(end) == Some(b'.') && self.at(end + 1).is_some_and(name_char) {
            end = self.run(end + 1, name_char);
        }
        if self.at(end) == Some(b'.') {
            return None;
        }
        Some(self.take(end))
    }

    /// `dotted_name = @{ ASCII_ALPHA ~ (name_char | ".")* }`
    fn dotted_name(&mut self) -> Option<Span> {
        self.peek()
            .is_some_and(|c| c.is_ascii_alphabetic())
            .then(|| self.take(self.run(self.pos + 1, |c| name_char(c) || c == b'.')))
    }

    /// `path = @{ "/" ~ (!(WHITESPACE | NEWLINE | ";" | "#" | "}" | ">") ~ ANY)* }`
    fn path(&mut self) -> Option<Span> {
        (self.peek() == Some(b'/')).then(|| {
            let end = self.run(self.pos + 1, |c| {
                !matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b';' | b'#' | b'}' | b'>')
            });
            self.take(end)
        })
    }

    /// `word = @{ (ASCII_ALPHANUMERIC | "_" | "." | ":" | "/" | "+" | "=" | "-")+ }`
    fn word(&mut self) -> Option<Span> {
        let end = self.run(self.pos, |c| {
            c.is_ascii_alphanumeric() || b"_.:/+=-".contains(&c)
        });
        (end > self.pos).then(|| self.take(end))
    }

    /// `string = @{ "\"" ~ (("\\" ~ ANY) | (!("\"" | "\\" | NEWLINE) ~ ANY))* ~ "\"" }`
    /// (a byte at a time: no delimiter is a byte of a multi-byte character).
    fn string(&mut self) -> Option<Span> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let mut i = self.pos + 1;
        loop {
            match self.at(i)? {
                b'"' => return Some(self.take(i + 1)),
                b'\\' => {
                    self.at(i + 1)?;
                    i += 2;
                }
                c if newline(c) => return None,
                _ => i += 1,
            }
        }
    }

    /// Digits, then no name character (`number`; `prefix_len` has no such
    /// check and is read by `cidr`).
    fn number(&mut self) -> Option<Spanned<u32>> {
        let end = self.run(self.pos, |c| c.is_ascii_digit());
        if end == self.pos || self.at(end).is_some_and(name_char) {
            return None;
        }
        let s = self.take(end);
        number_at(&self.src[s.range()], s).ok()
    }

    /// `release = @{ ASCII_DIGIT+ ~ "." ~ ASCII_DIGIT+ ~ !name_char }`
    fn release(&mut self) -> Option<Spanned<Release>> {
        let major = self.run(self.pos, |c| c.is_ascii_digit());
        if major == self.pos || self.at(major) != Some(b'.') {
            return None;
        }
        let end = self.run(major + 1, |c| c.is_ascii_digit());
        if end == major + 1 || self.at(end).is_some_and(name_char) {
            return None;
        }
        let s = self.take(end);
        release_at(&self.src[s.range()], s).ok()
    }

    /// `code = @{ ("E" | "W" | "e" | "w") ~ ASCII_DIGIT+ ~ !name_char }`
    fn code(&mut self) -> Option<Span> {
        if !matches!(self.peek(), Some(b'E' | b'W' | b'e' | b'w')) {
            return None;
        }
        let end = self.run(self.pos + 1, |c| c.is_ascii_digit());
        if end == self.pos + 1 || self.at(end).is_some_and(name_char) {
            return None;
        }
        Some(self.take(end))
    }

    /// Where the `ip` token that starts here ends:
    /// `(ipv6 | ipv4) ~ !(name_char | ".")`, with
    /// `ipv6 = ASCII_HEX_DIGIT* ~ ":" ~ (ASCII_HEX_DIGIT | ":" | ".")* ~ zone?`
    /// and `ipv4 = ASCII_DIGIT+ ~ ("." ~ ASCII_DIGIT+){3}`.
    fn ip_end(&self) -> Option<usize> {
        let hex = self.run(self.pos, |c| c.is_ascii_hexdigit());
        let end = if self.at(hex) == Some(b':') {
            let end = self.run(hex + 1, |c| c.is_ascii_hexdigit() || c == b':' || c == b'.');
            if self.at(end) == Some(b'%') {
                self.run(end + 1, |c| {
                    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-')
                })
            } else {
                end
            }
        } else {
            let mut end = self.run(self.pos, |c| c.is_ascii_digit());
            if end == self.pos {
                return None;
            }
            for _ in 0..3 {
                if self.at(end) != Some(b'.') {
                    return None;
                }
                let next = self.run(end + 1, |c| c.is_ascii_digit());
                if next == end + 1 {
                    return None;
                }
                end = next;
            }
            end
        };
        if self.at(end).is_some_and(|c| name_char(c) || c == b'.') {
            return None;
        }
        Some(end)
    }

    /// An `ip` token, validated.
    fn ip(&mut self) -> Option<Spanned<std::net::IpAddr>> {
        let end = self.ip_end()?;
        let s = self.take(end);
        let addr = ip_at(&self.src[s.range()], s).ok()?;
        Some(Spanned::new(addr, s))
    }

    /// `cidr = ${ ip ~ "/" ~ prefix_len }`, validated.
    fn cidr(&mut self) -> Option<Spanned<ipnet::IpNet>> {
        let ip_end = self.ip_end()?;
        if self.at(ip_end) != Some(b'/') {
            return None;
        }
        let len_end = self.run(ip_end + 1, |c| c.is_ascii_digit());
        if len_end == ip_end + 1 {
            return None;
        }
        let start = self.pos;
        let net = cidr_at(
            (&self.src[start..ip_end], Span::new(start, ip_end)),
            (
                &self.src[ip_end + 1..len_end],
                Span::new(ip_end + 1, len_end),
            ),
        )
        .ok()?;
        Some(Spanned::new(net, self.take(len_end)))
    }

    /// `addr = _{ cidr | slaac }`
    fn addr(&mut self) -> Option<Spanned<Addr>> {
        if let Some(net) = self.attempt(Self::cidr) {
            return Some(Spanned::new(Addr::Net(net.node), net.span));
        }
        let s = self.keyword("slaac")?;
        Some(Spanned::new(Addr::Slaac, s))
    }

    /// `first ~ (skip ~ first)*` after the first: the further ones, each
    /// after a skip that is given back when none follows.
    fn more<T>(&mut self, f: impl Fn(&mut Self) -> Option<T>, out: &mut Vec<T>) {
        while let Some(x) = self.attempt(|r| {
            r.skip();
            f(r)
        }) {
            out.push(x);
        }
    }

    // ── structure ────────────────────────────────────────────────────────

    /// `file = { SOI ~ (item? ~ sep)* ~ item? ~ EOI }`
    fn file(&mut self) -> Option<Vec<Item>> {
        let mut items = Vec::new();
        loop {
            self.skip();
            if self.peek().is_none() {
                items.shrink_to_fit();
                return Some(items);
            }
            if !self.at_sep() {
                items.push(self.item()?);
                self.skip();
                if self.peek().is_none() {
                    items.shrink_to_fit();
                    return Some(items);
                }
            }
            if !self.sep() {
                return None;
            }
        }
    }

    /// A block body: `(x? ~ sep)* ~ x? ~ close`, after its opener. The
    /// list is cut to its length: a block of 2 would otherwise keep room
    /// for 4 (tens of megabytes at 100,000 jails).
    fn block<T>(
        &mut self,
        close: u8,
        mut x: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<(Vec<T>, Span)> {
        let mut out = Vec::new();
        loop {
            self.skip();
            if let Some(s) = self.punct(close) {
                out.shrink_to_fit();
                return Some((out, s));
            }
            if !self.at_sep() {
                out.push(x(self)?);
                self.skip();
                if let Some(s) = self.punct(close) {
                    out.shrink_to_fit();
                    return Some((out, s));
                }
            }
            if !self.sep() {
                return None;
            }
        }
    }

    fn item(&mut self) -> Option<Item> {
        let kw = self.word_here();
        let start = kw.start;
        let word = &self.src[kw.range()];
        self.pos = kw.end;
        // Each branch returns the item and where its last token ends.
        let (kind, end) = match word {
            "freebsd" => {
                self.skip();
                let r = self.release()?;
                let end = r.span.end;
                (ItemKind::Setting(Setting::Freebsd(r)), end)
            }
            "arch" => {
                self.skip();
                let n = self.name()?;
                (ItemKind::Setting(Setting::Arch(text(self.src, n))), n.end)
            }
            "src" | "jails" => {
                self.skip();
                let p = text(self.src, self.path()?);
                let end = p.span.end;
                let setting = if word == "src" {
                    Setting::Src(p)
                } else {
                    Setting::Jails(p)
                };
                (ItemKind::Setting(setting), end)
            }
            "domain" => {
                self.skip();
                let h = self.hostname()?;
                (ItemKind::Setting(Setting::Domain(text(self.src, h))), h.end)
            }
            "world" => {
                self.skip();
                let w = self.word_here();
                let mode = match &self.src[w.range()] {
                    "source" => WorldMode::Source,
                    "release" => WorldMode::Release,
                    _ => return None,
                };
                self.pos = w.end;
                (
                    ItemKind::Setting(Setting::World(Spanned::new(mode, w))),
                    w.end,
                )
            }
            "kernel" => {
                self.skip();
                let ident = text(self.src, self.name()?);
                self.skip();
                self.punct(b'{')?;
                let (lines, close) = self.block(b'}', Self::kernel_line)?;
                let k = KernelBlock {
                    ident,
                    lines,
                    dangling: Vec::new(),
                };
                (ItemKind::Setting(Setting::Kernel(k)), close.end)
            }
            "silence" => {
                self.skip();
                let first = self.code()?;
                let mut codes = vec![first];
                self.more(Self::code, &mut codes);
                let end = codes.last().map_or(first.end, |c| c.end);
                let codes = codes.into_iter().map(|c| text(self.src, c)).collect();
                (ItemKind::Silence(codes), end)
            }
            "bridge" => {
                self.skip();
                let name = text(self.src, self.name()?);
                self.skip();
                // bridge_mtu? — a `mtu` without its number is no bridge_mtu.
                let mtu = self.attempt(|r| {
                    r.keyword("mtu")?;
                    r.skip();
                    r.number()
                });
                if mtu.is_some() {
                    self.skip();
                }
                let (members, end) = self.members()?;
                (
                    ItemKind::Segment(Segment {
                        kind: SegmentKind::Bridge { name, mtu },
                        members,
                        dangling: Vec::new(),
                    }),
                    end,
                )
            }
            "vlan" => {
                self.pos = start;
                let v = self.vlan_ref()?;
                self.skip();
                let (members, end) = self.members()?;
                (
                    ItemKind::Segment(Segment {
                        kind: SegmentKind::Vlan(v),
                        members,
                        dangling: Vec::new(),
                    }),
                    end,
                )
            }
            "iface" | "epair" => {
                self.skip();
                let n = if word == "iface" {
                    self.ifname()?
                } else {
                    self.name()?
                };
                let n = text(self.src, n);
                self.skip();
                let (members, end) = self.members()?;
                let kind = if word == "iface" {
                    SegmentKind::Iface(n)
                } else {
                    SegmentKind::Epair(n)
                };
                (
                    ItemKind::Segment(Segment {
                        kind,
                        members,
                        dangling: Vec::new(),
                    }),
                    end,
                )
            }
            "jail" => {
                self.skip();
                let name = text(self.src, self.name()?);
                self.skip();
                self.punct(b'{')?;
                let (props, close) = self.block(b'}', Self::jail_prop)?;
                (
                    ItemKind::Jail(JailBlock {
                        name,
                        props,
                        dangling: Vec::new(),
                    }),
                    close.end,
                )
            }
            "expect" => {
                self.skip();
                let from = text(self.src, self.name()?);
                self.skip();
                let reaches = if self.peek() == Some(b'!') {
                    self.pos += 1;
                    self.keyword("reaches")?;
                    false
                } else {
                    self.keyword("reaches")?;
                    true
                };
                self.skip();
                // `(ip | name)`: an address once it reads as one.
                let target = match self.ip_end() {
                    Some(_) => {
                        let ip = self.ip()?;
                        Spanned::new(Target::Addr(ip.node), ip.span)
                    }
                    None => {
                        let n = self.name()?;
                        Spanned::new(Target::Jail(self.src[n.range()].to_string()), n)
                    }
                };
                let end = target.span.end;
                (
                    ItemKind::Expect(Expect {
                        from,
                        reaches,
                        target,
                    }),
                    end,
                )
            }
            _ => return None,
        };
        Some(Item {
            kind,
            span: Span::new(start, end),
            trivia: Trivia::default(),
        })
    }

    /// `vlan_ref = { kw_vlan ~ number ~ kw_on ~ ifname }`: its span ends at
    /// the interface name.
    fn vlan_ref(&mut self) -> Option<VlanRef> {
        let start = self.keyword("vlan")?.start;
        self.skip();
        let id = self.number()?;
        self.skip();
        self.keyword("on")?;
        self.skip();
        let parent = text(self.src, self.ifname()?);
        let span = Span::new(start, parent.span.end);
        Some(VlanRef { id, parent, span })
    }

    /// `members = _{ lt ~ (member? ~ sep)* ~ member? ~ gt }`, and where `>` ends.
    fn members(&mut self) -> Option<(Vec<Member>, usize)> {
        self.punct(b'<')?;
        let (members, close) = self.block(b'>', Self::member)?;
        Some((members, close.end))
    }

    fn member(&mut self) -> Option<Member> {
        let kw = self.word_here();
        let start = kw.start;
        let (kind, end) = match &self.src[kw.range()] {
            "jail" => {
                self.pos = kw.end;
                self.skip();
                let name = text(self.src, self.name()?);
                let mut addrs = Vec::new();
                // `kwm_jail ~ name ~ addr*`: the skip before `addr*` stays
                // even when no address follows.
                self.skip();
                if let Some(a) = self.attempt(Self::addr) {
                    addrs.push(a);
                    self.more(Self::addr, &mut addrs);
                    addrs.shrink_to_fit();
                }
                let end = addrs.last().map_or(name.span.end, |a| a.span.end);
                (MemberKind::Jail { name, addrs }, end)
            }
            "host" => {
                self.pos = kw.end;
                self.skip();
                let mut addrs = vec![self.addr()?];
                self.more(Self::addr, &mut addrs);
                let end = addrs.last().map_or(kw.end, |a| a.span.end);
                (MemberKind::Host { addrs }, end)
            }
            "uplink" => {
                self.pos = kw.end;
                self.skip();
                let n = self.ifname()?;
                (MemberKind::Uplink(text(self.src, n)), n.end)
            }
            "vlan" => {
                let v = self.vlan_ref()?;
                let end = v.span.end;
                (MemberKind::Vlan(v), end)
            }
            _ => return None,
        };
        Some(Member {
            kind,
            span: Span::new(start, end),
            trivia: Trivia::default(),
        })
    }

    /// `kernel_line = { kernel_directive ~ word+ }`
    fn kernel_line(&mut self) -> Option<KernelLine> {
        let d = self.word_here();
        if !matches!(
            &self.src[d.range()],
            "options" | "nooptions" | "device" | "nodevice" | "makeoptions"
        ) {
            return None;
        }
        self.pos = d.end;
        self.skip();
        let mut words = vec![self.word()?];
        self.more(Self::word, &mut words);
        let end = words.last().map_or(d.end, |w| w.end);
        Some(KernelLine {
            directive: text(self.src, d),
            words: words.into_iter().map(|w| text(self.src, w)).collect(),
            span: Span::new(d.start, end),
            trivia: Trivia::default(),
        })
    }

    fn jail_prop(&mut self) -> Option<JailProp> {
        let kw = self.word_here();
        let start = kw.start;
        let word = &self.src[kw.range()];
        self.pos = kw.end;
        let (kind, end) = match word {
            "hostname" => {
                self.skip();
                let h = match self.string() {
                    Some(s) => string_at(&self.src[s.range()], s).ok()?,
                    None => text(self.src, self.hostname()?),
                };
                let end = h.span.end;
                (JailPropKind::Hostname(h), end)
            }
            "path" => {
                self.skip();
                let p = text(self.src, self.path()?);
                let end = p.span.end;
                (JailPropKind::Path(p), end)
            }
            "route" => {
                self.skip();
                let dest = match self.keyword("default") {
                    Some(d) => Spanned::new(RouteDest::Default, d),
                    None => {
                        let net = self.cidr()?;
                        Spanned::new(RouteDest::Net(net.node), net.span)
                    }
                };
                self.skip();
                self.keyword("via")?;
                self.skip();
                let via = self.ip()?;
                let end = via.span.end;
                (JailPropKind::Route(Route { dest, via }), end)
            }
            "forwarding" => (JailPropKind::Forwarding, kw.end),
            "service" | "allow" => {
                self.skip();
                let n = text(self.src, self.name()?);
                let end = n.span.end;
                if word == "service" {
                    (JailPropKind::Service(n), end)
                } else {
                    (JailPropKind::Allow(n), end)
                }
            }
            "param" => {
                self.skip();
                let name = match self.string() {
                    Some(s) => string_at(&self.src[s.range()], s).ok()?,
                    None => text(self.src, self.dotted_name()?),
                };
                let mut end = name.span.end;
                // `(eq ~ param_value ~ (comma ~ param_value)*)?`
                let values = self
                    .attempt(|r| {
                        r.skip();
                        r.punct(b'=')?;
                        r.skip();
                        let mut values = vec![r.param_value()?];
                        r.more(
                            |r| {
                                r.punct(b',')?;
                                r.skip();
                                r.param_value()
                            },
                            &mut values,
                        );
                        Some(values)
                    })
                    .unwrap_or_default();
                if let Some(v) = values.last() {
                    end = v.span.end;
                }
                (JailPropKind::Param(Param { name, values }), end)
            }
            _ => return None,
        };
        Some(JailProp {
            kind,
            span: Span::new(start, end),
            trivia: Trivia::default(),
        })
    }

    /// `param_value = _{ string | word }`
    fn param_value(&mut self) -> Option<Spanned<String>> {
        match self.string() {
            Some(s) => string_at(&self.src[s.range()], s).ok(),
            None => Some(text(self.src, self.word()?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_pest, topology};

    /// Every `.vj` text in the repository: examples and test fixtures.
    fn corpus() -> Vec<(String, String)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut out = Vec::new();
        let mut dirs = vec![root.join("examples"), root.join("tests/fixtures")];
        while let Some(dir) = dirs.pop() {
            let mut entries: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "vj") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    out.push((path.display().to_string(), text));
                }
            }
        }
        for n in [1, 2, 3, 25] {
            out.push((format!("gen {n}"), topology::topology(n)));
        }
        out
    }

    /// Both readers accept the same texts, and build the same file.
    fn agree(name: &str, text: &str) -> bool {
        let fast = super::parse(text);
        let pest = parse_pest(text);
        match (&fast, &pest) {
            (Some(f), Ok(p)) => assert_eq!(f, p, "{name}: the files differ\n{text}"),
            (None, Err(_)) => {}
            (Some(_), Err(e)) => panic!("{name}: only the fast reader accepts it ({e:?})\n{text}"),
            (None, Ok(_)) => panic!("{name}: only pest accepts it\n{text}"),
        }
        fast.is_some()
    }

    #[test]
    fn agrees_with_pest_on_the_corpus() {
        let corpus = corpus();
        let accepted = corpus.iter().filter(|(n, t)| agree(n, t)).count();
        // Most fixtures parse (their errors come later); some are syntax errors.
        assert!(
            accepted * 10 > corpus.len() * 8,
            "{accepted} of {}",
            corpus.len()
        );
    }

    #[test]
    fn agrees_with_pest_on_odd_texts() {
        let texts = [
            "",
            "\n\n;;",
            "# only a comment",
            "domain a.b # c\r\nfreebsd 14.3\rarch amd64",
            "bridge b<jail a 10.0.0.1/24;jail c slaac fd00::1/64 # x\n>",
            "bridge b mtu 1496 < >",
            "bridge b mtu < >",
            "bridge mtu mtu 9000 <\n>",
            "bridge b <\n  # lead\n  jail a # trail\n  # dangling\n>",
            "jail a { param \"x.y\" = \"a\\\"b\", c=d ,e ; param z }",
            "jail a { param x = }",
            "jail a { param x = a, }",
            "jail a { hostname \"h\\q\" }",
            "jail a { hostname a.b. }",
            "jail a { path /x}\njail b { path /y>z }",
            "jail a { route default:1::/64 via ::1 }",
            "jail a { route dead::/16 via ::1 }",
            "jail a { route defaultx via ::1 }",
            "expect a reaches fd00::1%x",
            "expect a !reaches b",
            "expect a ! reaches b",
            "expect a reaches 1.2.3.4.5",
            "expect a reaches 999.1.1.1",
            "expect a reaches abc",
            "expect a reaches fe80::1",
            "kernel K {\n options VIMAGE # v\n nooptions SCTP\n device x y\n}",
            "kernel K { optionsX a }",
            "silence W0301 e1 # c\nsilence E01x",
            "vlan 100 on em0.5 < jail a >",
            "vlan 100 on em0.5x < jail a >",
            "iface em0.1 < jail a 10.0.0.1/33 >",
            "epair p < jail a 10.0.0.1/24x >",
            "world source\nworld release\nworld x",
            "freebsd 99999999999.1",
            "bridge b < host 10.0.0.1/24 10.0.0.2/24; uplink em1; vlan 5 on em0 >",
            "bridge b < jail a 10.0.0.1/24 é >",
            "# é\njail é { }",
            "jail a {\n}\n\t \n",
            "jail a { forwarding } # end",
            "jails /usr/local/j#c\nsrc /usr/src;",
        ];
        for t in texts {
            agree(t, t);
        }
    }

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Thousands of texts one small edit away from a valid or invalid one:
    /// the readers must still agree on each.
    #[test]
    fn agrees_with_pest_on_mutations() {
        const PIECES: &[&str] = &[
            "#", "\n", "\r", "\r\n", ";", " ", "\t", "<", ">", "{", "}", "=", ",", "\"", "\\", "/",
            ".", ":", "%", "!", "a", "1", "é", "jail", "slaac", "default", "mtu", "via", "reaches",
            "::", "/24", "10.0.0.1",
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut accepted = 0;
        let mut total = 0;
        for (name, text) in corpus() {
            if text.len() > 20_000 {
                continue;
            }
            for _ in 0..std::env::var("VJC_MUTATIONS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(150)
            {
                let mut t = text.clone();
                for _ in 0..1 + rng.below(2) {
                    let mut at = rng.below(t.len() + 1);
                    while !t.is_char_boundary(at) {
                        at -= 1;
                    }
                    match rng.below(3) {
                        0 => t.insert_str(at, PIECES[rng.below(PIECES.len())]),
                        1 => {
                            let mut end = (at + 1 + rng.below(6)).min(t.len());
                            while !t.is_char_boundary(end) {
                                end += 1;
                            }
                            t.replace_range(at..end, "");
                        }
                        _ => {
                            let mut end = (at + 1 + rng.below(6)).min(t.len());
                            while !t.is_char_boundary(end) {
                                end += 1;
                            }
                            let piece = PIECES[rng.below(PIECES.len())];
                            t.replace_range(at..end, piece);
                        }
                    }
                }
                total += 1;
                if agree(&name, &t) {
                    accepted += 1;
                }
            }
        }
        eprintln!("{accepted} of {total} mutated texts accepted");
        // Both kinds must be well represented for the test to mean something.
        assert!(accepted * 10 > total, "{accepted} of {total} accepted");
        assert!(accepted * 10 < total * 9, "{accepted} of {total} accepted");
    }
}
