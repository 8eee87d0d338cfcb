//! Every diagnostic code vjc can report, with its long explanation
//! (`vjc explain CODE`). A code never changes meaning once released.
//!
//! Codes of the parser and the resolver are listed here; each rule family
//! in `check/` lists its own beside its rules.

/// One registered code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    /// A one-line summary.
    pub title: &'static str,
    /// Why FreeBSD behaves so and how to fix it.
    pub explanation: &'static str,
}

/// Every code, sorted.
pub fn all() -> Vec<&'static CodeInfo> {
    let mut v: Vec<&CodeInfo> = FAMILIES.iter().flat_map(|f| f.iter()).collect();
    v.sort_by_key(|c| c.code);
    v
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    FAMILIES
        .iter()
        .flat_map(|f| f.iter())
        .find(|info| info.code.eq_ignore_ascii_case(code))
}

static FAMILIES: &[&[CodeInfo]] = &[
    SYNTAX,
    RESOLVE,
    crate::check::CODES,
    crate::check::release::CODES,
    crate::check::names::CODES,
    crate::check::segments::CODES,
    crate::check::addresses::CODES,
    crate::check::routes::CODES,
    crate::check::interfaces::CODES,
    crate::check::mtu::CODES,
    crate::check::expect::CODES,
];

/// The parser's codes, and the CLI's refusal of an oversized or non-UTF-8
/// input.
pub static SYNTAX: &[CodeInfo] = &[
    CodeInfo {
        code: "E0001",
        title: "syntax error",
        explanation: "\
The file does not follow the vj grammar at the place shown. The message says
what vjc expected there. Statements end at a newline or `;`; `<` and `{` stay on
the line that opens their statement; `#` starts a comment.

    bridge br0 < jail test1 192.168.0.1/24 >

The language reference is in README.md.",
    },
    CodeInfo {
        code: "E0002",
        title: "number out of range",
        explanation: "\
A number (an MTU, a VLAN id, a release) does not fit in 32 bits. No FreeBSD
setting vjc writes takes such a number: check for a typo.",
    },
    CodeInfo {
        code: "E0003",
        title: "invalid address or prefix length",
        explanation: "\
An address is not a valid IPv4 or IPv6 address, or its prefix length is out of
range (0-32 for IPv4, 0-128 for IPv6). IPv4 addresses are four decimal numbers
0-255 without leading zeros; IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are
refused: write the IPv4 address itself.",
    },
    CodeInfo {
        code: "E0004",
        title: "zone id in an address",
        explanation: "\
An address carries a zone id (`fe80::1%em0`). vjc assigns interfaces itself,
so a zone id has nothing to name: remove the `%...` part.",
    },
    CodeInfo {
        code: "E0005",
        title: "bad string",
        explanation: "\
A string holds an escape other than `\\\"` and `\\\\`, or a control character.
Strings end up in jail.conf, where jail(8) may hand them to /bin/sh; vjc keeps
them to printable text with two escapes.",
    },
    CodeInfo {
        code: "E0008",
        title: "hidden character",
        explanation: "\
The file holds a character that makes it read differently from what it means:
a control character other than tab and line ends (a terminal acts on it, a NUL
ends a C string), a carriage return that does not end a CRLF line (a terminal
prints the rest of the line over its start), a bidirectional override or
isolate (U+202A-U+202E, U+2066-U+2069 and the marks U+200E, U+200F, U+061C:
they reorder what an editor or a diff shows, the \"Trojan Source\" attack), a
Unicode line or paragraph separator (U+2028, U+2029: a line break to some
editors, none to vjc), or a byte-order mark anywhere but at the very start.
A .vj file is reviewed before it configures a host as root: what a reviewer
sees must be what vjc reads. Remove the character; a BOM at the start and
CRLF line ends are accepted.",
    },
    CodeInfo {
        code: "E0006",
        title: "input too large",
        explanation: "\
The input file is larger than vjc reads (64 MiB). A topology of 100,000 jails
takes a few MiB; a larger file is almost certainly not a .vj file.",
    },
    CodeInfo {
        code: "E0007",
        title: "input is not UTF-8",
        explanation: "\
The input file holds a byte sequence that is not UTF-8, at the place shown.
A .vj file is UTF-8 text (plain ASCII is UTF-8). Save it as UTF-8; a file in
another encoding, or a binary file given by mistake, stops here.",
    },
];

/// The resolver's codes: names that do not bind.
pub static RESOLVE: &[CodeInfo] = &[
    CodeInfo {
        code: "E0101",
        title: "setting given more than once",
        explanation: "\
Each top-level setting (`freebsd`, `arch`, `src`, `jails`, `domain`, `world`,
`kernel`) may appear at most once: with two, one of them would be silently
ignored. Keep one.",
    },
    CodeInfo {
        code: "E0201",
        title: "a second `jail` block for one jail",
        explanation: "\
A jail's properties are given in one `jail NAME { ... }` block. A second block
for the same jail is refused rather than merged, since two blocks setting
`path` or `hostname` would contradict each other. Merge the blocks.",
    },
    CodeInfo {
        code: "E0203",
        title: "undefined jail",
        explanation: "\
An `expect` line names a jail that no segment attaches and no `jail` block
declares. A jail exists once a segment attaches it (`bridge br0 < jail web ... >`)
or a `jail web { ... }` block declares it. Check the spelling.",
    },
];
