//! The syntax tree of one `.vj` file, as written: no defaults applied, no
//! names resolved. Built by `parse`, read by `resolve` (and later `fmt`).
//! Every node keeps its span; comments are kept as trivia.

use crate::span::{Span, Spanned};
use ipnet::IpNet;
use std::net::IpAddr;

pub type Name = Spanned<String>;

/// A `# …` comment, text without the leading `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// Comments attached to a node: whole-line comments right above it, and a
/// comment at the end of its last line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comments {
    pub leading: Vec<Comment>,
    pub trailing: Option<Comment>,
}

/// A node's [`Comments`], behind a pointer that is null for a node that
/// has none: most nodes have none, and items, members and properties are
/// hundreds of thousands in a large lab (the comments inline took 64 bytes
/// of each). Reads see empty comments through `Deref`; a write through
/// `DerefMut` makes room for them.
#[derive(Clone, Default)]
pub struct Trivia(Option<Box<Comments>>);

static NO_COMMENTS: Comments = Comments {
    leading: Vec::new(),
    trailing: None,
};

impl std::ops::Deref for Trivia {
    type Target = Comments;
    fn deref(&self) -> &Comments {
        self.0.as_deref().unwrap_or(&NO_COMMENTS)
    }
}

impl std::ops::DerefMut for Trivia {
    fn deref_mut(&mut self) -> &mut Comments {
        self.0.get_or_insert_with(Box::default)
    }
}

/// Equal when the comments are: room made for none is no comment.
impl PartialEq for Trivia {
    fn eq(&self, other: &Trivia) -> bool {
        **self == **other
    }
}

impl Eq for Trivia {}

impl std::fmt::Debug for Trivia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct File {
    pub items: Vec<Item>,
    /// Comments after the last item.
    pub dangling: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
    pub trivia: Trivia,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    Setting(Setting),
    Segment(Segment),
    Jail(JailBlock),
    Expect(Expect),
    Silence(Vec<Spanned<String>>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// `freebsd 14.3`
    Freebsd(Spanned<Release>),
    /// `arch amd64`
    Arch(Name),
    /// `src /usr/src`
    Src(Spanned<String>),
    /// `jails /usr/local/jails`
    Jails(Spanned<String>),
    /// `domain test.jp`
    Domain(Spanned<String>),
    /// `world source` | `world release`
    World(Spanned<WorldMode>),
    /// `kernel IDENT { … }`
    Kernel(KernelBlock),
}

/// `MAJOR.MINOR`
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release {
    pub major: u32,
    pub minor: u32,
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorldMode {
    Source,
    Release,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelBlock {
    pub ident: Name,
    pub lines: Vec<KernelLine>,
    /// Comments before the closing `}`.
    pub dangling: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelLine {
    /// `options`, `nooptions`, `device`, `nodevice` or `makeoptions`.
    pub directive: Spanned<String>,
    pub words: Vec<Spanned<String>>,
    pub span: Span,
    pub trivia: Trivia,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub kind: SegmentKind,
    pub members: Vec<Member>,
    /// Comments before the closing `>`.
    pub dangling: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SegmentKind {
    /// `bridge NAME [mtu N]`
    Bridge {
        name: Name,
        mtu: Option<Spanned<u32>>,
    },
    /// `vlan ID on IF` (direct bind)
    Vlan(VlanRef),
    /// `iface IF` (direct bind)
    Iface(Name),
    /// `epair NAME` (jail to jail)
    Epair(Name),
}

/// `vlan ID on IF`, as a segment or as a bridge member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VlanRef {
    pub id: Spanned<u32>,
    pub parent: Name,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub kind: MemberKind,
    pub span: Span,
    pub trivia: Trivia,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberKind {
    /// `jail NAME ADDR…`
    Jail {
        name: Name,
        addrs: Vec<Spanned<Addr>>,
    },
    /// `host ADDR…`
    Host { addrs: Vec<Spanned<Addr>> },
    /// `uplink IF`
    Uplink(Name),
    /// `vlan ID on IF`
    Vlan(VlanRef),
}

/// An address with its prefix, or `slaac`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addr {
    Net(IpNet),
    Slaac,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JailBlock {
    pub name: Name,
    pub props: Vec<JailProp>,
    /// Comments before the closing `}`.
    pub dangling: Vec<Comment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JailProp {
    pub kind: JailPropKind,
    pub span: Span,
    pub trivia: Trivia,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JailPropKind {
    Hostname(Spanned<String>),
    Path(Spanned<String>),
    Route(Route),
    Forwarding,
    Service(Name),
    Allow(Name),
    Param(Param),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub dest: Spanned<RouteDest>,
    pub via: Spanned<IpAddr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteDest {
    Default,
    Net(IpNet),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: Spanned<String>,
    /// Empty for a bare `param NAME` (boolean true).
    pub values: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    pub from: Name,
    pub reaches: bool,
    pub target: Spanned<Target>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Jail(String),
    Addr(IpAddr),
}
