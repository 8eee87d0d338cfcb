//! Addresses: one address used twice on the host, IPv4 addresses that are
//! their subnet's broadcast (or network) address, IPv6 Subnet-Router
//! anycast addresses, and how subnets sit on L2 segments (several subnets
//! on one segment, one subnet on several segments).
//!
//! Every rule indexes addresses or subnets in hash maps: no rule compares
//! all pairs of jails or addresses.

use crate::ast::{self, Release};
use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::model::{Host, Model, Segment, SegmentKind};
use crate::span::Span;
use ipnet::IpNet;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeSet;
use std::collections::hash_map::Entry;
use std::net::IpAddr;

pub fn check(_file: &ast::File, model: &Model, out: &mut Vec<Diagnostic>) {
    for host in &model.hosts {
        let mut uses = collect(host);
        duplicates(host, &mut uses, out);
        special(host, &uses, out);
        let by_segment = by_segment(host, &uses);
        subnets_on_one_segment(host, &uses, &by_segment, out);
        subnet_on_several_segments(host, &uses, &by_segment, out);
    }
}

/// The interface an address is on: a jail's (jail, interface) or the
/// host's on a bridge (segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Iface {
    Jail(usize, usize),
    Host(usize),
}

/// One address as written, and where it sits.
struct Use {
    net: IpNet,
    span: Span,
    iface: Iface,
    segment: usize,
    /// The interface exists: not an extra jail of a direct-bound segment,
    /// which E0302 reports and which gets no interface.
    real: bool,
    /// A later use of an address already used (E0501): left out of the
    /// subnet rules, which would only repeat it.
    duplicate: bool,
}

/// Every address of the host, in source order.
fn collect(host: &Host) -> Vec<Use> {
    // Exactly the room it needs (doubling would keep up to 9 MB spare at
    // 100,000 jails, while the other thread of the checker is at its peak).
    let jail_addrs = host.jails.iter().flat_map(|j| &j.interfaces);
    let n = jail_addrs.map(|i| i.addrs.len()).sum::<usize>()
        + host
            .segments
            .iter()
            .map(|s| s.host_addrs.len())
            .sum::<usize>();
    let mut uses = Vec::with_capacity(n);
    for (j, jail) in host.jails.iter().enumerate() {
        for (i, iface) in jail.interfaces.iter().enumerate() {
            for a in &iface.addrs {
                uses.push(Use {
                    net: a.net,
                    span: a.span,
                    iface: Iface::Jail(j, i),
                    segment: iface.segment,
                    real: !iface.name.is_empty(),
                    duplicate: false,
                });
            }
        }
    }
    for (s, seg) in host.segments.iter().enumerate() {
        // A `host` member outside a bridge is E0301's to report.
        if !matches!(seg.kind, SegmentKind::Bridge(_)) {
            continue;
        }
        for a in &seg.host_addrs {
            uses.push(Use {
                net: a.net,
                span: a.span,
                iface: Iface::Host(s),
                segment: s,
                real: true,
                duplicate: false,
            });
        }
    }
    // Every use has a span of its own: no two keys are equal, and an
    // unstable sort needs no buffer (a stable one takes half the list).
    uses.sort_unstable_by_key(|u| u.span);
    uses
}

/// E0501: one address twice on the host. IPv6 link-local addresses are
/// scoped to their link (RFC 4291 §2.5.6): they need only be unique per
/// segment, and `fe80::1` on every router link is common practice.
fn duplicates(host: &Host, uses: &mut [Use], out: &mut Vec<Diagnostic>) {
    let key = |u: &Use| {
        let addr = u.net.addr();
        (addr, is_v6_link_local(addr).then_some(u.segment))
    };
    // Each later use of a key with the first use of it, found by sorting
    // the uses' indexes by key (then by index, so a key's first use leads
    // its run): a vector of indexes, not a map of every address.
    let mut order: Vec<usize> = (0..uses.len()).collect();
    order.sort_unstable_by(|&a, &b| key(&uses[a]).cmp(&key(&uses[b])).then(a.cmp(&b)));
    let mut again: Vec<(usize, usize)> = Vec::new();
    for run in order.chunk_by(|&a, &b| key(&uses[a]) == key(&uses[b])) {
        again.extend(run[1..].iter().map(|&k| (k, run[0])));
    }
    // Reported in source order, as one pass over the uses would.
    again.sort_unstable();
    for (k, f) in again {
        let addr = uses[k].net.addr();
        let scope = key(&uses[k]).1;
        uses[k].duplicate = true;
        let (u, f) = (&uses[k], &uses[f]);
        let (who, who_first) = (who(host, u.iface), who(host, f.iface));
        let mut d = Diagnostic::new(
            "E0501",
            format!("address {addr} is assigned twice"),
            u.span,
            format!("assigned again, to {who}"),
        )
        .with_secondary(f.span, format!("first assigned to {who_first} here"));
        d = if u.segment == f.segment {
            let seg = segment_name(host, u.segment);
            let resolution = if addr.is_ipv4() {
                "ARP would answer for it from both interfaces"
            } else {
                "duplicate address detection would disable it on the second interface"
            };
            d.with_note(format!("both are on {seg}: {resolution}"))
        } else if scope.is_some() {
            d
        } else {
            d.with_note(format!(
                "a route or an `expect` naming {addr} could mean either interface"
            ))
        };
        out.push(d.with_help("give one of them an address of its own"));
    }
}

/// E0502, W0503, W0504: addresses a subnet reserves.
fn special(host: &Host, uses: &[Use], out: &mut Vec<Diagnostic>) {
    // Before 13.1, in_broadcast() (sys/netinet/in.c) also took the lowest
    // address of a subnet (host 0) as a broadcast address; 13.1 made that
    // optional, off by default (net.inet.ip.broadcast_lowest; commit
    // fd0765933c3c, MFC 3ee882bf21af, 13.1 release notes).
    let lowest_is_broadcast = host.target.release
        < Release {
            major: 13,
            minor: 1,
        };
    for u in uses {
        match u.net {
            // /31 (RFC 3021) and /32 have no network or broadcast address.
            IpNet::V4(n) if n.prefix_len() <= 30 => {
                let range = range_text(n);
                if n.addr() == n.broadcast() {
                    out.push(
                        Diagnostic::new(
                            "E0502",
                            format!("{} is the broadcast address of {}", n.addr(), n.trunc()),
                            u.span,
                            "a broadcast address, not a host's",
                        )
                        .with_note("packets sent to it go to every host on the subnet, so no one can reach this interface alone")
                        .with_help(range),
                    );
                } else if n.addr() == n.network() {
                    let seg = host.segments.get(u.segment);
                    if lowest_is_broadcast {
                        out.push(
                            Diagnostic::new(
                                "E0502",
                                format!("{} is the network address of {}", n.addr(), n.trunc()),
                                u.span,
                                format!("a broadcast address on FreeBSD {}", host.target.release),
                            )
                            .with_note("before 13.1, FreeBSD takes the lowest address of a subnet (host 0) as a broadcast address")
                            .with_help(range),
                        );
                    } else if seg.is_some_and(|s| s.leaves_host) {
                        let seg = segment_name(host, u.segment);
                        out.push(
                            Diagnostic::new(
                                "W0503",
                                format!("{} is the network address of {}", n.addr(), n.trunc()),
                                u.span,
                                "host 0 of its subnet",
                            )
                            .with_note(format!("FreeBSD 13.1 and later take host 0 as a host address, but {seg} leaves the host, and systems outside may take it as a broadcast address"))
                            .with_help(format!("{range}, or add `silence W0503` if every system on the network takes host 0 as a host address")),
                        );
                    }
                }
            }
            // RFC 6164 recommends /127 on point-to-point links; /128 has no
            // subnet.
            IpNet::V6(n) if n.prefix_len() < 127 && n.addr() == n.network() => {
                let one = std::net::Ipv6Addr::from(u128::from(n.network()) + 1);
                out.push(
                    Diagnostic::new(
                        "W0504",
                        format!("{} is the Subnet-Router anycast address of {}", n.addr(), n.trunc()),
                        u.span,
                        "all-zero interface id",
                    )
                    .with_note("RFC 4291 §2.6.1 reserves it for the routers on the link: every router there must answer it")
                    .with_help(format!("use another interface id, like {one}")),
                );
            }
            _ => {}
        }
    }
}

/// "use an address from 10.0.0.1 to 10.0.0.254"
fn range_text(n: ipnet::Ipv4Net) -> String {
    let first = std::net::Ipv4Addr::from(u32::from(n.network()) + 1);
    let last = std::net::Ipv4Addr::from(u32::from(n.broadcast()) - 1);
    format!("use an address from {first} to {last}")
}

/// For each segment, the uses the subnet rules look at, in source order:
/// addresses of interfaces that exist, first uses only, no link-local
/// IPv6 (every IPv6 interface is on its link's fe80::/64).
fn by_segment(host: &Host, uses: &[Use]) -> Vec<Vec<usize>> {
    let mut by = vec![Vec::new(); host.segments.len()];
    for (k, u) in uses.iter().enumerate() {
        if u.real
            && !u.duplicate
            && !is_v6_link_local(u.net.addr())
            && let Some(list) = by.get_mut(u.segment)
        {
            list.push(k);
        }
    }
    by
}

/// W0505: members of one segment that share no subnet. Two addresses are
/// joined when they are in one subnet, when one's subnet lies inside the
/// other's, or when they are aliases on one interface. Each group beyond
/// the first of a family is reported once, against the first.
fn subnets_on_one_segment(
    host: &Host,
    uses: &[Use],
    by_segment: &[Vec<usize>],
    out: &mut Vec<Diagnostic>,
) {
    for (s, list) in by_segment.iter().enumerate() {
        if list.len() < 2 {
            continue;
        }
        let mut node: HashMap<IpNet, usize> = HashMap::default();
        let mut node_of = Vec::with_capacity(list.len());
        for &k in list {
            let next = node.len();
            node_of.push(*node.entry(uses[k].net.trunc()).or_insert(next));
        }
        let mut sets = UnionFind::new(node.len());
        // Aliases: one interface's subnets of one family.
        let mut iface_node: HashMap<(Iface, bool), usize> = HashMap::default();
        for (p, &k) in list.iter().enumerate() {
            let u = &uses[k];
            match iface_node.entry((u.iface, u.net.addr().is_ipv4())) {
                Entry::Occupied(e) => sets.union(*e.get(), node_of[p]),
                Entry::Vacant(e) => {
                    e.insert(node_of[p]);
                }
            }
        }
        // Nested subnets: look each one's supernets up, one per prefix
        // length in use on the segment.
        let lens: BTreeSet<(bool, u8)> = node
            .keys()
            .map(|n| (n.addr().is_ipv4(), n.prefix_len()))
            .collect();
        for (n, &id) in &node {
            let v4 = n.addr().is_ipv4();
            for &(_, len) in lens.range((v4, 0)..(v4, n.prefix_len())) {
                if let Some(&outer) = truncated(n.addr(), len).and_then(|sup| node.get(&sup)) {
                    sets.union(id, outer);
                }
            }
        }
        let mut roots = HashSet::default();
        let mut first_of_family: [Option<usize>; 2] = [None, None];
        for (p, &k) in list.iter().enumerate() {
            if !roots.insert(sets.find(node_of[p])) {
                continue;
            }
            let v4 = uses[k].net.addr().is_ipv4();
            let slot = &mut first_of_family[usize::from(v4)];
            let Some(f) = *slot else {
                *slot = Some(k);
                continue;
            };
            let (u, f) = (&uses[k], &uses[f]);
            if owner(u.iface) == owner(f.iface) {
                // One jail attached twice to the segment: E0303's.
                continue;
            }
            let (who, who_first) = (who(host, u.iface), who(host, f.iface));
            let seg = &host.segments[s];
            let name = describe(seg);
            let mut d = Diagnostic::new(
                "W0505",
                format!(
                    "{who} and {who_first} are on {name} but in different {} subnets",
                    family(v4)
                ),
                u.span,
                format!("{who} is in {}", u.net.trunc()),
            )
            .with_secondary(f.span, format!("{who_first} is in {}", f.net.trunc()))
            .with_note("on one L2 segment, hosts reach each other directly only within a shared subnet; between subnets they need a router");
            if seg.leaves_host {
                d = d.with_note(format!(
                    "{name} leaves the host: a router outside could route between the subnets"
                ));
            }
            d = d.with_help(match seg.kind {
                SegmentKind::Epair(_) => "put both ends of the epair in one subnet",
                _ => "put them in one subnet, or give a jail with `forwarding` an address in each subnet and route through it",
            });
            out.push(d);
        }
    }
}

/// W0506: one subnet on several L2 segments. A member of one segment takes
/// the subnet as on-link and looks for the other members on its own
/// segment, where they are not. Reported once per later segment and
/// earlier segment it shares subnets with, naming every shared subnet.
fn subnet_on_several_segments(
    host: &Host,
    uses: &[Use],
    by_segment: &[Vec<usize>],
    out: &mut Vec<Diagnostic>,
) {
    let l2 = l2_segments(host);
    let root = |s: usize| l2.get(s).copied().unwrap_or(s);
    // Subnet → its first use.
    let mut first: HashMap<IpNet, usize> = HashMap::default();
    // (later, earlier) L2 segments already reported.
    let mut reported: HashSet<(usize, usize)> = HashSet::default();
    for (s, list) in by_segment.iter().enumerate() {
        // Earlier segment → (shared subnets, first use here, first use there).
        let mut shared: Vec<(Vec<IpNet>, usize, usize)> = Vec::new();
        let mut shared_with: HashMap<usize, usize> = HashMap::default();
        let mut noted: HashSet<IpNet> = HashSet::default();
        for &k in list {
            let net = uses[k].net;
            // A /32 or /128 is one address: E0501 reports it twice.
            // IPv4 link-local (169.254.0.0/16) repeats on every link.
            if net.prefix_len() == net.max_prefix_len() || is_v4_link_local(net.addr()) {
                continue;
            }
            let net = net.trunc();
            let f = *first.entry(net).or_insert(k);
            let t = uses[f].segment;
            if root(t) == root(s) || !noted.insert(net) {
                continue;
            }
            match shared_with.entry(t) {
                Entry::Occupied(e) => shared[*e.get()].0.push(net),
                Entry::Vacant(e) => {
                    e.insert(shared.len());
                    shared.push((vec![net], k, f));
                }
            }
        }
        for (nets, k, f) in shared {
            if !reported.insert((root(s), root(uses[f].segment))) {
                continue;
            }
            let (u, f) = (&uses[k], &uses[f]);
            let (here, there) = (&host.segments[s], &host.segments[f.segment]);
            let (who, who_first) = (who(host, u.iface), who(host, f.iface));
            let list = nets.iter().map(|n| n.to_string()).collect::<Vec<_>>();
            let message = if list.len() == 1 {
                format!("subnet {} is split across L2 segments", list[0])
            } else {
                format!("subnets {} are split across L2 segments", and_list(&list))
            };
            let both_leave = here.leaves_host && there.leaves_host;
            let what = if matches!(here.kind, SegmentKind::Vlan(_))
                && matches!(there.kind, SegmentKind::Vlan(_))
            {
                "VLANs"
            } else {
                "segments"
            };
            let mut d = Diagnostic::new(
                "W0506",
                message,
                u.span,
                format!("{who} is on {}", describe(here)),
            )
            .with_secondary(f.span, format!("{who_first} is on {}", describe(there)));
            d = if owner(u.iface) == owner(f.iface) {
                // in_addprefix() (sys/netinet/in.c) installs a prefix route
                // once; the same prefix on a second interface gets none.
                d.with_note(format!("{who} has the subnet on two interfaces, and FreeBSD routes a subnet through one interface only"))
                    .with_help("give each segment a subnet of its own")
            } else if both_leave {
                d.with_note(format!("{who} sends to {who_first}'s address directly on its own segment (the subnet is on-link), so it reaches {who_first} only if the switch outside joins the two {what}"))
                    .with_help(format!("give each segment a subnet of its own, or put the jails on one bridge; if the switch joins the {what}, add `silence W0506`"))
            } else {
                d.with_note(format!("{who} sends to {who_first}'s address directly on its own segment (the subnet is on-link), where {who_first} is not: no route can change that"))
                    .with_help("give each segment a subnet of its own, or put the jails on one bridge")
            };
            out.push(d);
        }
    }
}

/// Each segment's L2 segment: itself, or the first segment that names the
/// same host interface (a NIC or VLAN bound twice, or a VLAN both bound
/// and a bridge member). The interface rules report those; the subnet
/// rules take such segments as one, so as not to repeat them.
pub(crate) fn l2_segments(host: &Host) -> Vec<usize> {
    let mut sets = UnionFind::new(host.segments.len());
    let mut first: HashMap<&str, usize> = HashMap::default();
    for (s, seg) in host.segments.iter().enumerate() {
        let names: Vec<&str> = match seg.kind {
            SegmentKind::Bridge(b) => host
                .bridges
                .get(b)
                .map(|b| b.members.iter().map(|m| m.name.as_str()).collect())
                .unwrap_or_default(),
            SegmentKind::Vlan(v) => host
                .vlans
                .get(v)
                .map(|v| v.name.as_str())
                .into_iter()
                .collect(),
            SegmentKind::Iface(n) => host
                .nics
                .get(n)
                .map(|n| n.name.as_str())
                .into_iter()
                .collect(),
            SegmentKind::Epair(_) => Vec::new(),
        };
        for name in names {
            match first.entry(name) {
                Entry::Occupied(e) => sets.union(*e.get(), s),
                Entry::Vacant(e) => {
                    e.insert(s);
                }
            }
        }
    }
    (0..host.segments.len()).map(|s| sets.find(s)).collect()
}

/// A minimal union-find over `0..n`.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind((0..n).collect())
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        // The smaller index stays the root: results do not depend on order.
        let (lo, hi) = (a.min(b), a.max(b));
        self.0[hi] = lo;
    }
}

/// `addr`'s subnet of prefix length `len`.
pub(crate) fn truncated(addr: IpAddr, len: u8) -> Option<IpNet> {
    IpNet::new(addr, len).ok().map(|n| n.trunc())
}

/// fe80::/10 (RFC 4291 §2.5.6).
pub(crate) fn is_v6_link_local(addr: IpAddr) -> bool {
    matches!(addr, IpAddr::V6(a) if a.segments()[0] & 0xffc0 == 0xfe80)
}

/// 169.254.0.0/16 (RFC 3927).
fn is_v4_link_local(addr: IpAddr) -> bool {
    matches!(addr, IpAddr::V4(a) if a.is_link_local())
}

pub(crate) fn family(v4: bool) -> &'static str {
    if v4 { "IPv4" } else { "IPv6" }
}

/// How a diagnostic names a segment: "bridge `lab`", "`vlan 100 on em0`",
/// "`iface em1`", "epair `r1r2`".
pub(crate) fn describe(seg: &Segment) -> String {
    match seg.kind {
        SegmentKind::Bridge(_) => format!("bridge `{}`", seg.label),
        SegmentKind::Vlan(_) => format!("`{}`", seg.label),
        SegmentKind::Iface(_) => format!("`iface {}`", seg.label),
        SegmentKind::Epair(_) => format!("epair `{}`", seg.label),
    }
}

fn segment_name(host: &Host, s: usize) -> String {
    host.segments
        .get(s)
        .map_or_else(|| "one segment".to_string(), describe)
}

/// The jail (`Some`) or the host (`None`) an interface belongs to.
fn owner(iface: Iface) -> Option<usize> {
    match iface {
        Iface::Jail(j, _) => Some(j),
        Iface::Host(_) => None,
    }
}

/// "`web`" or "the host".
fn who(host: &Host, iface: Iface) -> String {
    match iface {
        Iface::Jail(j, _) => host
            .jails
            .get(j)
            .map_or_else(|| "a jail".to_string(), |j| format!("`{}`", j.name)),
        Iface::Host(_) => "the host".to_string(),
    }
}

/// "a, b and c"
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0501",
        title: "one address assigned twice",
        explanation: "\
An address is written twice on one host: on two jails, on two interfaces of one
jail, or on a jail and the host. On one L2 segment the two interfaces would
both answer ARP for an IPv4 address (FreeBSD logs `arp: ... is using my IP
address`), and IPv6 duplicate address detection marks the second one
`duplicated` and leaves it unused. On separate segments each would work alone,
but a route or an `expect` naming the address could mean either. Give each
interface an address of its own.

IPv6 link-local addresses (fe80::/10) are scoped to their link: the same one
on two segments is fine (routers often use fe80::1 on every link); only two on
one segment are reported.",
    },
    CodeInfo {
        code: "E0502",
        title: "IPv4 address is its subnet's broadcast address",
        explanation: "\
In an IPv4 subnet of /30 or larger, the highest address (all host bits set) is
the subnet's broadcast address: packets sent to it reach every host on the
subnet, and FreeBSD's in_broadcast() (sys/netinet/in.c) treats it so. An
interface cannot use it as its own address.

Before FreeBSD 13.1 the lowest address (host 0, the network address) was a
broadcast address too, a 4.2BSD leftover; 13.1 stopped that by default
(sysctl net.inet.ip.broadcast_lowest), so on targets before 13.1 host 0 is
refused as well.

/31 subnets (RFC 3021, point-to-point) and /32 have no broadcast or network
address: both of a /31's addresses are host addresses.

    bridge lan < jail web 10.0.0.255/24 >    # broadcast: refused
    bridge lan < jail web 10.0.0.10/24 >     # fine",
    },
    CodeInfo {
        code: "W0503",
        title: "IPv4 network address on a segment that leaves the host",
        explanation: "\
The address is host 0 of its subnet (its network address). FreeBSD 13.1 and
later use it as an ordinary host address (net.inet.ip.broadcast_lowest is 0),
so jails on the host reach it. But the segment leaves the host (an uplink, a
VLAN or a NIC), and routers and hosts outside may still refuse host 0 or take
it as a broadcast address. Use another address, or silence the warning if
every system on that network accepts host 0 as a host address.",
    },
    CodeInfo {
        code: "W0504",
        title: "IPv6 Subnet-Router anycast address",
        explanation: "\
The address has an all-zero interface id: it is its subnet's Subnet-Router
anycast address (RFC 4291 §2.6.1). Every router on the link is required to
answer it, so a router on the segment (a jail with `forwarding`, or one
outside) may take the traffic meant for this interface. FreeBSD assigns it
without complaint, hence a warning. Use another interface id (`::1` upward).

/127 (RFC 6164, point-to-point links) and /128 are not reported.",
    },
    CodeInfo {
        code: "W0505",
        title: "jails on one L2 segment in different subnets",
        explanation: "\
Members of one segment (jails, and the host on a bridge) whose addresses share
no subnet cannot reach each other directly: each sends to an address outside
its own subnets through its routes, never straight onto the segment. They need
a router with an address in each subnet.

Addresses are taken as sharing a subnet when they are in one subnet or one's
subnet lies inside the other's. Several subnets on one interface (aliases) are
fine: such an interface joins its subnets. Each group of members that shares
no subnet with the first group is reported once.

Put the members in one subnet, or give a jail with `forwarding` an address in
each subnet and route through it.",
    },
    CodeInfo {
        code: "W0506",
        title: "one subnet on several L2 segments",
        explanation: "\
A subnet is on two segments that are separate L2 networks. A member of one
takes every address of the subnet as on-link and asks for it (ARP, neighbour
discovery) on its own segment, where the members of the other segment are
not, so they cannot reach each other, and no route changes that.

When both segments leave the host (VLANs or NICs on one switch), the switch
outside may join them: the seed's VLAN example puts 192.168.0.0/24 on VLANs
100, 200 and 300, which work together only if the switch bridges the VLANs.
Then add `silence W0506`. Otherwise give each segment a subnet of its own, or
put the jails on one bridge.

One jail with the subnet on two of its interfaces is reported too: FreeBSD
installs the subnet's route once (in_addprefix in sys/netinet/in.c), through
the first interface, so the members on the second segment are not reached.

The warning is given once for each later segment, against the first segment
that has the subnet, naming every subnet the two share.",
    },
];

#[cfg(test)]
pub(crate) mod tests {
    use crate::ast;
    use crate::check::addresses;
    use crate::diagnostic::Diagnostic;
    use crate::model::Model;

    /// Files with other errors give models with empty interface names,
    /// unused epair ends, extra members and host members where they have
    /// no place: no rule may panic on them, nor on the same models with
    /// segment indices that point nowhere.
    pub(crate) fn odd_models(check: fn(&ast::File, &Model, &mut Vec<Diagnostic>)) {
        let sources = [
            "vlan 100 on em0 < jail a 10.0.0.1/24; jail b 10.0.0.1/24 10.0.0.255/24 >\n",
            "epair p < jail a 10.0.0.1/30; jail b 10.0.0.2/30; jail c 10.0.0.3/30 >\njail c {\n  route default via 10.0.0.1\n}\n",
            "epair p < jail a 10.0.0.1/30 >\niface em1 < host 10.0.0.1/24; jail a 10.0.0.1/24 >\n",
            "jail a {\n  route default via 10.0.0.1\n}\njail a {\n  forwarding\n}\n",
            "bridge b < jail a 0.0.0.0/0 ::/0 slaac; host 255.255.255.255/0 ::/0; jail a 0.0.0.0/32 >\n",
            "iface em1 < >\nbridge b < jail a 10.0.0.1/24; jail a 10.0.1.1/24 >\n",
        ];
        for src in sources {
            let file = crate::parse::parse(src).expect("the sources parse");
            let mut model = crate::resolve::resolve("t.vj", &file)
                .model
                .expect("the sources resolve");
            let mut out = Vec::new();
            check(&file, &model, &mut out);
            for host in &mut model.hosts {
                for jail in &mut host.jails {
                    for iface in &mut jail.interfaces {
                        iface.segment += 100;
                    }
                }
            }
            check(&file, &model, &mut out);
        }
    }

    #[test]
    fn odd_models_do_not_panic() {
        odd_models(addresses::check);
    }

    #[test]
    fn aliases_on_one_interface_join_their_subnets() {
        let src = "bridge b <\n  jail r 10.1.0.1/24 10.1.1.1/24\n  jail x 10.1.0.2/24\n  jail y 10.1.1.2/24\n>\n";
        assert!(crate::check("t.vj", src).diagnostics.is_empty());
    }

    #[test]
    fn a_subnet_inside_another_is_shared() {
        let src = "bridge b < jail x 10.1.0.2/24; jail y 10.1.7.2/16 >\n";
        assert!(crate::check("t.vj", src).diagnostics.is_empty());
    }
}
