//! The resolved model: what the host runs, with every default applied and
//! every interface name allocated. `resolve` builds it; `check` and every
//! emitter read it. Emitters never derive a name themselves: if an output
//! needs a name, it is here.
//!
//! A `Model` holds a list of hosts; a `.vj` file describes one today.

use crate::ast::{Release, WorldMode};
use crate::span::Span;
use ipnet::IpNet;
use std::net::IpAddr;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// Base name of the `.vj` file, named in every output's header.
    pub source_name: String,
    pub hosts: Vec<Host>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub target: Target,
    /// Source tree, e.g. `/usr/src`.
    pub src: String,
    pub world: WorldMode,
    /// The kernel to build, when one is needed (a `kernel` block, or a
    /// target whose GENERIC lacks VIMAGE).
    pub kernel: Option<Kernel>,
    /// In source order of first mention: this is `jail_list`.
    pub jails: Vec<Jail>,
    pub segments: Vec<Segment>,
    pub bridges: Vec<Bridge>,
    /// In unit order (`epair0`, `epair1`, …).
    pub epairs: Vec<Epair>,
    /// VLAN interfaces the host creates (`vlans_<parent>`).
    pub vlans: Vec<Vlan>,
    /// Physical interfaces named in the file, in order of first mention.
    pub nics: Vec<Nic>,
    /// `cloned_interfaces`, in creation order: bridge members (epairs)
    /// before their bridge, so their MTU is set before `addm` runs.
    pub cloned: Vec<String>,
    pub expectations: Vec<Expectation>,
}

impl Host {
    pub fn jail(&self, name: &str) -> Option<&Jail> {
        self.jails.iter().find(|j| j.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub release: Release,
    /// `MACHINE`, e.g. `amd64`, `arm64`.
    pub arch: String,
    /// `MACHINE_ARCH`, e.g. `amd64`, `aarch64`.
    pub machine_arch: String,
    pub facts: ReleaseFacts,
}

/// What the target release has, as far as vjc's outputs care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseFacts {
    /// `devfs_ruleset` for vnet jails: 5 (`devfsrules_jail_vnet`) where the
    /// release ships it, else 4 (`devfsrules_jail`).
    pub devfs_ruleset: u32,
    /// GENERIC has `options VIMAGE` (12.0 and later).
    pub vimage_in_generic: bool,
    /// if_bridge refuses members that hold an IP address (15.0 and later).
    pub bridge_refuses_addressed_members: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kernel {
    /// `ident` and the config file's name under `<src>/sys/<arch>/conf/`.
    pub ident: String,
    /// The lines after `include GENERIC` and `ident`, e.g. `options VIMAGE`.
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jail {
    pub name: String,
    /// Where the jail is first mentioned.
    pub span: Span,
    pub hostname: String,
    pub path: String,
    /// The `path` property, or the jail's first mention when the path is
    /// the default.
    pub path_span: Span,
    /// In source order of attachment.
    pub interfaces: Vec<JailIface>,
    pub routes: Vec<Route>,
    pub forwarding: bool,
    pub services: Vec<Service>,
    /// jail.conf parameters from `allow` and `param`, in source order.
    pub params: Vec<JailParam>,
}

/// One network interface of a jail, as the jail sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JailIface {
    /// The interface's name inside the jail (`epair0b`, `em0.100`, `em1`).
    pub name: String,
    /// The same name as rc.conf variables spell it, when that differs
    /// (`em0_100`): read it with [`JailIface::rc_name`].
    pub rc_spelling: Option<String>,
    /// Index into `Host::segments`.
    pub segment: usize,
    /// Addresses in source order, IPv4 and IPv6 mixed.
    pub addrs: Vec<Addr>,
    /// Where `slaac` was written, if it was.
    pub slaac: Option<Span>,
    /// Set when the interface is one end of an epair on a bridge with `mtu`.
    pub mtu: Option<u32>,
    /// The `jail` member that created it.
    pub span: Span,
}

impl JailIface {
    /// The name as rc.conf variables spell it (`em0_100`; `epair0b` is its
    /// own spelling, and a jail on a bridge keeps no second copy of it).
    pub fn rc_name(&self) -> &str {
        self.rc_spelling.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Addr {
    pub net: IpNet,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub dest: RouteDest,
    pub via: IpAddr,
    /// For non-default routes: the `<name>` of `route_<name>` /
    /// `ipv6_route_<name>`.
    pub rc_name: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteDest {
    Default,
    Net(IpNet),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    /// `<name>_enable` with `-` mapped to `_`.
    pub rc_var: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JailParam {
    pub name: String,
    /// Empty for a boolean parameter written bare.
    pub values: Vec<String>,
    /// `+=` (user `exec.*` hooks, after vjc's own) rather than `=`.
    pub append: bool,
    pub span: Span,
}

/// An L2 segment: where jails (and maybe the host) plug in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The name as written: a bridge's or an epair's name, `em1`, or
    /// `vlan 100 on em0`.
    pub label: String,
    pub kind: SegmentKind,
    /// `(jail index, interface index in that jail)`, in source order.
    pub attachments: Vec<(usize, usize)>,
    /// The host's own addresses on this segment (`host` members).
    pub host_addrs: Vec<Addr>,
    /// The segment reaches the outside switch (uplink, VLAN or NIC).
    pub leaves_host: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// Index into `Host::bridges`.
    Bridge(usize),
    /// Index into `Host::vlans`.
    Vlan(usize),
    /// Index into `Host::nics`.
    Iface(usize),
    /// Index into `Host::epairs`.
    Epair(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridge {
    /// The bridge's name once configured (the name written in the file).
    pub name: String,
    /// The name it is created under (`bridgeN`); differs from `name` when
    /// the host renames it with `ifconfig_<created>_name`.
    pub created: String,
    /// `rc.conf` spelling of `created` and of `name`.
    pub created_rc: String,
    pub name_rc: String,
    pub mtu: Option<u32>,
    /// Member interfaces in `addm` order.
    pub members: Vec<BridgeMember>,
    pub host_addrs: Vec<Addr>,
    /// Index into `Host::segments`.
    pub segment: usize,
    pub span: Span,
}

/// One `addm` of a bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeMember {
    /// The interface's name (`epair0a`, `em0.100`, `em1`).
    pub name: String,
    pub iface: MemberIface,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberIface {
    /// The `a` end of this epair (index into `Host::epairs`).
    EpairA(usize),
    /// This VLAN interface (index into `Host::vlans`).
    Vlan(usize),
    /// This NIC, an uplink (index into `Host::nics`).
    Nic(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Epair {
    /// `epairN`, as listed in `cloned_interfaces`.
    pub name: String,
    pub a: EpairEnd,
    pub b: EpairEnd,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpairEnd {
    /// `epairNa` or `epairNb`.
    pub name: String,
    pub place: EndPlace,
    pub mtu: Option<u32>,
}

impl EpairEnd {
    /// How rc.conf spells it: `epairNa` has no character [`rc_name`]
    /// maps, so its name (no copy is kept: two strings per jail).
    pub fn rc_name(&self) -> &str {
        &self.name
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndPlace {
    /// Stays on the host as a member of this bridge (index).
    Bridge(usize),
    /// Moves into this jail (index).
    Jail(usize),
    /// Nothing uses it (the file has an error the checker reports).
    Unused,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vlan {
    /// `<parent>.<id>`, the name `vlans_<parent>="<id>"` creates.
    pub name: String,
    pub rc_name: String,
    pub id: u32,
    /// Index into `Host::nics`.
    pub parent: usize,
    pub place: VlanPlace,
    /// MTU to set (a member of a bridge with `mtu`).
    pub mtu: Option<u32>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VlanPlace {
    /// A member of this bridge (index).
    Bridge(usize),
    /// Moved into this jail (index).
    Jail(usize),
    /// Nothing uses it (the file has an error the checker reports).
    Unused,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nic {
    pub name: String,
    pub rc_name: String,
    /// The bridge it is an uplink of.
    pub uplink_of: Option<usize>,
    /// MTU to set: it is an uplink of a bridge with `mtu`.
    pub mtu: Option<u32>,
    /// VLAN ids created on it, in order (`vlans_<nic>`).
    pub vlan_ids: Vec<u32>,
    /// The jail it is moved into (`iface` segment).
    pub moved_to: Option<usize>,
    /// Every use, in source order, conflicting ones included: the checker
    /// reports an interface bound twice from these.
    pub uses: Vec<NicUse>,
    /// Where it is first named.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NicUse {
    pub role: NicRole,
    /// The member or segment that uses it.
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NicRole {
    /// Uplink of this bridge (index).
    Uplink(usize),
    /// Parent of this VLAN (index into `Host::vlans`).
    VlanParent(usize),
    /// Moved into this jail (index).
    Moved(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// Jail index.
    pub from: usize,
    pub reaches: bool,
    pub target: ExpectTarget,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectTarget {
    Jail(usize),
    Addr(IpAddr),
}

/// The rc.conf spelling of a name: network.subr replaces `.-/+` with `_`
/// (libexec/rc/network.subr, `_punct=".-/+"` in `get_if_var`).
pub fn rc_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if matches!(c, '.' | '-' | '/' | '+') {
                '_'
            } else {
                c
            }
        })
        .collect()
}
