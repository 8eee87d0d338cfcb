//! Static reachability: does a packet from a jail get to an address inside
//! the host, and does the reply come back? `vjc check` decides `expect`
//! lines with it; `vjc sim` prints its verdict beside the measured one and
//! `vjc graph` draws its paths.
//!
//! The walk follows what FreeBSD does with one packet, hop by hop, from the
//! model alone:
//!
//! - A node (a jail, or the host) delivers a packet addressed to any of its
//!   own addresses, whatever interface it came in on: FreeBSD is a weak host
//!   by default (sys/netinet/ip_input.c: the "ours" check matches any local
//!   address unless `net.inet.ip.check_interface` / `rfc1122_strong_es` is
//!   set).
//! - Otherwise it looks the destination up in its routing table: one
//!   connected prefix per address of its interfaces, plus its `route` lines
//!   (a `default` is a /0), longest prefix first, as the radix lookup does.
//!   At equal length a connected prefix wins (adding a static route over an
//!   existing prefix fails with EEXIST), then the first in source order.
//! - A connected match sends the packet to the destination itself on that
//!   interface's segment; a route sends it to the gateway, which must be on
//!   one of the node's subnets (a gateway is found by ARP/NDP on the link).
//!   The address is looked for on that segment only: FreeBSD answers ARP for
//!   addresses of the receiving interface (sys/netinet/if_ether.c,
//!   `in_arpinput`).
//! - A node that receives a packet not addressed to it forwards it only if
//!   it is a jail with `forwarding`; otherwise it drops it
//!   (sys/netinet/ip_input.c: "Not for us; forward if possible and
//!   desirable", `V_ipforwarding == 0` frees the mbuf; ip6_input.c likewise
//!   with `V_ip6_forwarding`). The host never forwards: vjc leaves
//!   `gateway_enable` off.
//! - Each router decrements the TTL, which starts at 64 (`IPDEFTTL`,
//!   `IPV6_DEFHLIM`); `ip_forward` drops a packet whose TTL would reach
//!   zero, so at most 63 routers.
//! - The source address of a packet is the address of its egress interface
//!   whose prefix covers the next hop (`nh_ifa` of the route, used by
//!   `ip_output` for an unbound socket such as ping's).
//!
//! A segment with `leaves_host` (an uplink, a VLAN or a NIC) reaches the
//! outside switch: a next hop that nobody inside the host has on such a
//! segment may be out there, so the walk stops with [`End::Left`] rather
//! than a failure. The host's own routing table is not in the file either:
//! a reply from the host that none of its subnets covers also leaves the
//! file's knowledge.
//!
//! Routing is deterministic, so each probe is one walk, and a node seen
//! twice in one walk is a loop. [`Reach::new`] builds the indexes once per
//! host (address → where it is configured); each walk then costs the hops it
//! takes times the interfaces and routes of the nodes it visits.

use crate::model::{Addr, ExpectTarget, Expectation, Host, RouteDest, SegmentKind};
use crate::span::Span;
use rustc_hash::FxHashSet as HashSet;
use std::net::IpAddr;

/// The most routers a packet crosses: it leaves with TTL (hop limit) 64 and
/// each router takes one; the router that would take the last drops it
/// (sys/netinet/ip_input.c `ip_forward`, `ip->ip_ttl <= IPTTLDEC`).
pub const MAX_ROUTERS: usize = 63;

/// A place that sends and receives packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    /// Index into `Host::jails`.
    Jail(usize),
    /// The host itself, through its addresses on segments (`host` members).
    Host,
}

/// Where an address is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub node: Node,
    /// Index into `Host::segments`.
    pub segment: usize,
    /// The jail's interface (index into `Jail::interfaces`); `None` for the
    /// host.
    pub iface: Option<usize>,
    /// The address as written.
    pub span: Span,
}

/// One node on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub node: Node,
    /// The address it was reached at; `None` for the node the walk starts at.
    pub at: Option<IpAddr>,
    /// Where it sends the packet on, if it does.
    pub out: Option<Out>,
}

/// A node sending a packet onto a segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Out {
    /// Index into `Host::segments`.
    pub segment: usize,
    /// The jail's interface; `None` for the host.
    pub iface: Option<usize>,
    /// The node's address on that interface whose prefix covers `next`: the
    /// packet's source address when the node is where the walk starts.
    pub source: IpAddr,
    /// The `route` (index into `Jail::routes`) that chose the next hop;
    /// `None` when the destination is on-link.
    pub route: Option<usize>,
    /// The address looked for on the segment: the gateway, or the
    /// destination itself when it is on-link.
    pub next: IpAddr,
}

/// One packet's way to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    pub to: IpAddr,
    /// The first visit is where the packet starts.
    pub visits: Vec<Visit>,
    pub end: End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The last visit owns `to`.
    Arrived,
    /// The packet is dropped inside the host.
    Stopped(Stop),
    /// The packet goes where the file does not describe.
    Left(Leave),
}

/// Why a packet is dropped inside the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// No connected prefix and no route covers the destination.
    NoRoute { at: Node },
    /// The route's gateway is on none of the jail's subnets.
    GatewayOffLink { jail: usize, route: usize },
    /// The route's gateway is the jail's own address.
    GatewayIsSelf { jail: usize, route: usize },
    /// Nobody on the segment has the next hop's address (ARP/NDP gets no
    /// answer), and the segment does not leave the host.
    NobodyHas { segment: usize, addr: IpAddr },
    /// The packet reached a jail that does not own the destination and
    /// does not forward.
    NotForwarding { jail: usize },
    /// The packet reached the host, which never forwards.
    HostDoesNotForward,
    /// The packet came back to a node it had passed: routes loop.
    Loop { at: Node },
    /// More than [`MAX_ROUTERS`] routers.
    TtlExceeded,
    /// The packet leaves the host through `segment` looking for `addr`, but
    /// its destination is inside the host where the outside cannot get
    /// back in: its owner is on no segment that leaves the host, and no jail
    /// with `forwarding` is on one either.
    NoWayBackIn { segment: usize, addr: IpAddr },
}

/// Why the file cannot say where a packet goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    /// Nobody inside the host has `addr` on this segment, which reaches the
    /// outside switch: the next hop may be out there.
    Segment { segment: usize, addr: IpAddr },
    /// The host routes the packet by its own routing table, which is not in
    /// the file.
    HostRoutes,
}

/// A round trip from the expectation's jail to one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub target: IpAddr,
    pub there: Walk,
    /// The reply, from the node that owns `target` back to the packet's
    /// source address; `None` unless `there` arrived.
    pub back: Option<Walk>,
}

/// How one probe ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// There and back.
    Reached,
    /// Dropped inside the host, one way or the other.
    Stopped,
    /// One way or the other goes outside what the file describes.
    Left,
}

impl Probe {
    pub fn outcome(&self) -> Outcome {
        let last = match &self.back {
            Some(back) if self.there.end == End::Arrived => back,
            _ => &self.there,
        };
        match last.end {
            End::Arrived => Outcome::Reached,
            End::Stopped(_) => Outcome::Stopped,
            End::Left(_) => Outcome::Left,
        }
    }

    /// The walk that decides the outcome: the reply when the packet got
    /// there, else the packet's own.
    pub fn deciding_walk(&self) -> &Walk {
        match &self.back {
            Some(back) if self.there.end == End::Arrived => back,
            _ => &self.there,
        }
    }

    /// The packet's source address, when it left its jail.
    pub fn source(&self) -> Option<IpAddr> {
        source_of(&self.there)
    }
}

fn source_of(walk: &Walk) -> Option<IpAddr> {
    match walk.visits.first().and_then(|v| v.out) {
        Some(out) => Some(out.source),
        None if walk.end == End::Arrived => Some(walk.to),
        None => None,
    }
}

/// The static verdict on one expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It holds inside the host. For a `!reaches`, `outside` is a probe
    /// whose packets leave the host, where the outside network could still
    /// join the two.
    Holds { outside: Option<usize> },
    /// It fails: `witness` is the probe that shows it (for `reaches`, one
    /// that is dropped; for `!reaches`, one that gets there and back).
    /// `None` when a `reaches` has no address to probe: the target has no
    /// address in a family the jail has.
    Refuted { witness: Option<usize> },
    /// A `reaches` whose path leaves the host: it cannot be proved here.
    Unprovable { witness: usize },
}

/// A verdict with the probes it rests on, one per target address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub probes: Vec<Probe>,
}

impl Decision {
    /// The probe the verdict names, if any.
    pub fn witness(&self) -> Option<&Probe> {
        let i = match self.verdict {
            Verdict::Holds { outside } => outside,
            Verdict::Refuted { witness } => witness,
            Verdict::Unprovable { witness } => Some(witness),
        };
        i.and_then(|i| self.probes.get(i))
    }
}

/// Decides one expectation. To decide several on one host, build a
/// [`Reach`] once and call [`Reach::decide`].
pub fn decide(host: &Host, e: &Expectation) -> Decision {
    Reach::new(host).decide(e)
}

/// One interface of a node, as routing sees it.
#[derive(Debug, Clone, Copy)]
struct Port<'h> {
    segment: usize,
    iface: Option<usize>,
    addrs: &'h [Addr],
}

/// What a node's routing table says about a destination.
enum Choice<'h> {
    /// On-link on this port, from this address of it.
    OnLink(Port<'h>, IpAddr),
    /// Through `Host::jails[jail].routes[route]`.
    Route(usize, usize),
    Nothing,
}

/// Per-host indexes for walking packets.
pub struct Reach<'h> {
    host: &'h Host,
    /// Every configured address, sorted, and beside each its owner: the
    /// owners of one address are a run of `owners`, in source order. Two
    /// flat vectors rather than a map of vectors: one allocation per host,
    /// not one per address.
    owner_addrs: Vec<IpAddr>,
    owners: Vec<Owner>,
    host_ports: Vec<Port<'h>>,
    /// `(jail, iface)` of jails with `forwarding`, per segment.
    forwarders: Vec<Vec<(usize, usize)>>,
    /// Per jail: it has an interface on a segment that leaves the host.
    outside_facing: Vec<bool>,
    /// Some jail with `forwarding` has an interface on a segment that
    /// leaves the host: the outside could route into the host through it.
    outside_router: bool,
}

/// An interface the resolver gave no name exists in no jail (a direct-bound
/// segment's extra member, reported by the checker).
fn present(iface: &crate::model::JailIface) -> bool {
    !iface.name.is_empty()
}

impl<'h> Reach<'h> {
    pub fn new(host: &'h Host) -> Reach<'h> {
        // Exactly the room it needs: at 100,000 jails, doubling would keep
        // up to 16 MB spare at the peak of `vjc check`'s memory.
        let jail_addrs = host
            .jails
            .iter()
            .flat_map(|j| j.interfaces.iter().filter(|i| present(i)))
            .map(|i| i.addrs.len());
        let host_addrs = host.segments.iter().map(|s| s.host_addrs.len());
        let mut owners: Vec<(IpAddr, Owner)> =
            Vec::with_capacity(jail_addrs.chain(host_addrs).sum());
        let mut forwarders = vec![Vec::new(); host.segments.len()];
        let mut outside_facing = vec![false; host.jails.len()];
        let mut outside_router = false;
        for (j, jail) in host.jails.iter().enumerate() {
            for (i, iface) in jail.interfaces.iter().enumerate() {
                if !present(iface) {
                    continue;
                }
                if host
                    .segments
                    .get(iface.segment)
                    .is_some_and(|s| s.leaves_host)
                {
                    outside_facing[j] = true;
                    outside_router |= jail.forwarding;
                }
                for a in &iface.addrs {
                    owners.push((
                        a.net.addr(),
                        Owner {
                            node: Node::Jail(j),
                            segment: iface.segment,
                            iface: Some(i),
                            span: a.span,
                        },
                    ));
                }
                if jail.forwarding
                    && let Some(f) = forwarders.get_mut(iface.segment)
                {
                    f.push((j, i));
                }
            }
        }
        let mut host_ports = Vec::new();
        for (s, seg) in host.segments.iter().enumerate() {
            if seg.host_addrs.is_empty() {
                continue;
            }
            for a in &seg.host_addrs {
                owners.push((
                    a.net.addr(),
                    Owner {
                        node: Node::Host,
                        segment: s,
                        iface: None,
                        span: a.span,
                    },
                ));
            }
            host_ports.push(Port {
                segment: s,
                iface: None,
                addrs: &seg.host_addrs,
            });
        }
        // Stable: the owners of one address stay in source order.
        owners.sort_by_key(|&(addr, _)| addr);
        let (owner_addrs, owners) = owners.into_iter().unzip();
        Reach {
            host,
            owner_addrs,
            owners,
            host_ports,
            forwarders,
            outside_facing,
            outside_router,
        }
    }

    /// Could a packet from the outside network get to `addr`? Yes when
    /// nothing in the file has it, when the host has it (the host has NICs
    /// of its own), when its jail faces the outside, or when a jail with
    /// `forwarding` does (the outside could route in through it).
    pub fn enterable_from_outside(&self, addr: IpAddr) -> bool {
        let owners = self.owners(addr);
        self.outside_router
            || owners.is_empty()
            || owners.iter().any(|o| match o.node {
                Node::Host => true,
                Node::Jail(j) => self.outside_facing.get(j).copied().unwrap_or(false),
            })
    }

    pub fn host(&self) -> &'h Host {
        self.host
    }

    /// Where `addr` is configured, in source order (jails, then the host).
    pub fn owners(&self, addr: IpAddr) -> &[Owner] {
        let start = self.owner_addrs.partition_point(|a| *a < addr);
        let end = start + self.owner_addrs[start..].partition_point(|a| *a == addr);
        &self.owners[start..end]
    }

    /// Jails with `forwarding` attached to `segment`, as `(jail, iface)`.
    pub fn forwarders(&self, segment: usize) -> &[(usize, usize)] {
        self.forwarders.get(segment).map_or(&[], Vec::as_slice)
    }

    fn ports(&self, node: Node) -> Vec<Port<'h>> {
        match node {
            Node::Host => self.host_ports.clone(),
            Node::Jail(j) => self.host.jails.get(j).map_or(Vec::new(), |jail| {
                jail.interfaces
                    .iter()
                    .enumerate()
                    .filter(|(_, iface)| present(iface))
                    .map(|(i, iface)| Port {
                        segment: iface.segment,
                        iface: Some(i),
                        addrs: &iface.addrs,
                    })
                    .collect()
            }),
        }
    }

    fn owns(&self, node: Node, addr: IpAddr) -> bool {
        self.owners(addr).iter().any(|o| o.node == node)
    }

    /// The node's addresses (of interfaces that exist), in source order.
    pub fn addresses(&self, node: Node) -> Vec<IpAddr> {
        self.ports(node)
            .iter()
            .flat_map(|p| p.addrs.iter().map(|a| a.net.addr()))
            .collect()
    }

    /// The most specific connected prefix covering `dst`: its port and the
    /// address that makes it (the first at equal length).
    fn connected(&self, ports: &[Port<'h>], dst: IpAddr) -> Option<(Port<'h>, IpAddr, u8)> {
        let mut best: Option<(Port<'h>, IpAddr, u8)> = None;
        for p in ports {
            for a in p.addrs {
                if a.net.addr().is_ipv4() == dst.is_ipv4()
                    && a.net.contains(&dst)
                    && best.is_none_or(|(_, _, len)| a.net.prefix_len() > len)
                {
                    best = Some((*p, a.net.addr(), a.net.prefix_len()));
                }
            }
        }
        best
    }

    /// Walks one packet from `from` to `dst`.
    pub fn walk(&self, from: Node, dst: IpAddr) -> Walk {
        let mut visits = vec![Visit {
            node: from,
            at: None,
            out: None,
        }];
        let mut seen: HashSet<Node> = [from].into_iter().collect();
        let end = loop {
            let k = visits.len() - 1;
            let node = visits[k].node;
            if self.owns(node, dst) {
                break End::Arrived;
            }
            if k > 0 {
                // Reached as a gateway, and the packet is not for it.
                match node {
                    Node::Host => break End::Stopped(Stop::HostDoesNotForward),
                    Node::Jail(j) if !self.host.jails.get(j).is_some_and(|j| j.forwarding) => {
                        break End::Stopped(Stop::NotForwarding { jail: j });
                    }
                    Node::Jail(_) if k > MAX_ROUTERS => break End::Stopped(Stop::TtlExceeded),
                    Node::Jail(_) => {}
                }
                // Routing is deterministic: a router seen twice sends the
                // packet round the same circle until its TTL runs out.
                if !seen.insert(node) {
                    break End::Stopped(Stop::Loop { at: node });
                }
            }
            let ports = self.ports(node);
            let connected = self.connected(&ports, dst);
            let route = match node {
                Node::Jail(j) => self.best_route(j, dst).map(|(ri, len)| (j, ri, len)),
                Node::Host => None,
            };
            // Longest prefix first; a connected prefix wins a tie.
            let choice = match (connected, route) {
                (Some((_, _, len)), Some((j, ri, rlen))) if rlen > len => Choice::Route(j, ri),
                (Some((p, src, _)), _) => Choice::OnLink(p, src),
                (None, Some((j, ri, _))) => Choice::Route(j, ri),
                (None, None) => Choice::Nothing,
            };
            let (port, source, route, next) = match choice {
                Choice::OnLink(p, src) => (p, src, None, dst),
                Choice::Nothing => {
                    break match node {
                        Node::Host => End::Left(Leave::HostRoutes),
                        Node::Jail(_) => End::Stopped(Stop::NoRoute { at: node }),
                    };
                }
                Choice::Route(j, ri) => {
                    let gateway = self.host.jails[j].routes[ri].via;
                    if self.owns(node, gateway) {
                        break End::Stopped(Stop::GatewayIsSelf { jail: j, route: ri });
                    }
                    match self.connected(&ports, gateway) {
                        Some((p, src, _)) => (p, src, Some(ri), gateway),
                        None => break End::Stopped(Stop::GatewayOffLink { jail: j, route: ri }),
                    }
                }
            };
            visits[k].out = Some(Out {
                segment: port.segment,
                iface: port.iface,
                source,
                route,
                next,
            });
            let owner = self
                .owners(next)
                .iter()
                .find(|o| o.segment == port.segment && o.node != node);
            let Some(owner) = owner else {
                let leaves = self
                    .host
                    .segments
                    .get(port.segment)
                    .is_some_and(|s| s.leaves_host);
                break if leaves && self.enterable_from_outside(dst) {
                    End::Left(Leave::Segment {
                        segment: port.segment,
                        addr: next,
                    })
                } else if leaves {
                    End::Stopped(Stop::NoWayBackIn {
                        segment: port.segment,
                        addr: next,
                    })
                } else {
                    End::Stopped(Stop::NobodyHas {
                        segment: port.segment,
                        addr: next,
                    })
                };
            };
            visits.push(Visit {
                node: owner.node,
                at: Some(next),
                out: None,
            });
        };
        Walk {
            to: dst,
            visits,
            end,
        }
    }

    /// The jail's longest matching `route` for `dst` (the first at equal
    /// length), with its prefix length.
    fn best_route(&self, jail: usize, dst: IpAddr) -> Option<(usize, u8)> {
        let mut best: Option<(usize, u8)> = None;
        for (i, r) in self.host.jails.get(jail)?.routes.iter().enumerate() {
            if r.via.is_ipv4() != dst.is_ipv4() {
                continue;
            }
            let len = match r.dest {
                RouteDest::Default => 0,
                RouteDest::Net(n) if n.addr().is_ipv4() == dst.is_ipv4() && n.contains(&dst) => {
                    n.prefix_len()
                }
                RouteDest::Net(_) => continue,
            };
            if best.is_none_or(|(_, l)| len > l) {
                best = Some((i, len));
            }
        }
        best
    }

    /// A packet from `jail` to `target`, and its reply.
    pub fn probe(&self, jail: usize, target: IpAddr) -> Probe {
        let there = self.walk(Node::Jail(jail), target);
        let back = match (there.end, there.visits.last(), source_of(&there)) {
            (End::Arrived, Some(last), Some(source)) => Some(self.walk(last.node, source)),
            _ => None,
        };
        Probe {
            target,
            there,
            back,
        }
    }

    /// The addresses an expectation names: every address of a target jail
    /// in a family the source jail has (SLAAC addresses are not in the
    /// model), or the target address if the jail has its family.
    pub fn targets(&self, e: &Expectation) -> Vec<IpAddr> {
        let mine = self.addresses(Node::Jail(e.from));
        let has_family = |a: &IpAddr| mine.iter().any(|m| m.is_ipv4() == a.is_ipv4());
        let mut out: Vec<IpAddr> = match e.target {
            ExpectTarget::Jail(b) => self.addresses(Node::Jail(b)),
            ExpectTarget::Addr(a) => vec![a],
        };
        out.retain(has_family);
        let mut seen = HashSet::default();
        out.retain(|a| seen.insert(*a));
        out
    }

    /// Decides an expectation: `reaches` holds when every probe gets there
    /// and back inside the host; `!reaches` holds when none does.
    pub fn decide(&self, e: &Expectation) -> Decision {
        let probes: Vec<Probe> = self
            .targets(e)
            .into_iter()
            .map(|t| self.probe(e.from, t))
            .collect();
        let first = |o: Outcome| probes.iter().position(|p| p.outcome() == o);
        let verdict = if e.reaches {
            if probes.is_empty() {
                Verdict::Refuted { witness: None }
            } else if let Some(i) = first(Outcome::Stopped) {
                Verdict::Refuted { witness: Some(i) }
            } else if let Some(i) = first(Outcome::Left) {
                Verdict::Unprovable { witness: i }
            } else {
                Verdict::Holds { outside: None }
            }
        } else if let Some(i) = first(Outcome::Reached) {
            Verdict::Refuted { witness: Some(i) }
        } else {
            Verdict::Holds {
                outside: first(Outcome::Left),
            }
        };
        Decision { verdict, probes }
    }

    /// `a1`, or `host`.
    pub fn node_name(&self, node: Node) -> String {
        match node {
            Node::Host => "host".to_string(),
            Node::Jail(j) => self
                .host
                .jails
                .get(j)
                .map_or_else(|| format!("jail #{j}"), |j| j.name.clone()),
        }
    }

    /// `bridge lab-a`, `epair r1r2`, `vlan 100 on em0`, `iface em1`.
    pub fn segment_name(&self, segment: usize) -> String {
        match self.host.segments.get(segment) {
            None => format!("segment #{segment}"),
            Some(s) => match s.kind {
                SegmentKind::Bridge(_) => format!("bridge {}", s.label),
                SegmentKind::Epair(_) => format!("epair {}", s.label),
                SegmentKind::Vlan(_) => s.label.clone(),
                SegmentKind::Iface(_) => format!("iface {}", s.label),
            },
        }
    }

    /// The interface a node sends on: the jail's (`epair1b`), or the host's
    /// bridge.
    pub fn iface_name(&self, node: Node, out: &Out) -> String {
        match (node, out.iface) {
            (Node::Jail(j), Some(i)) => self
                .host
                .jails
                .get(j)
                .and_then(|j| j.interfaces.get(i))
                .map_or_else(String::new, |i| i.name.clone()),
            _ => match self.host.segments.get(out.segment).map(|s| s.kind) {
                Some(SegmentKind::Bridge(b)) => self
                    .host
                    .bridges
                    .get(b)
                    .map_or_else(String::new, |b| b.name.clone()),
                _ => self
                    .host
                    .segments
                    .get(out.segment)
                    .map_or_else(String::new, |s| s.label.clone()),
            },
        }
    }

    /// One line for a walk:
    /// `a1 (10.0.1.10 on epair1b, bridge lab-a) → r1 10.0.1.1 [forwarding,
    /// out epair2b to bridge lab-b] → b1 10.0.2.10`.
    pub fn path_text(&self, walk: &Walk) -> String {
        let mut parts = Vec::new();
        for (k, v) in walk.visits.iter().enumerate() {
            let name = self.node_name(v.node);
            let text = match (k, v.at, v.out) {
                (0, _, Some(out)) => format!(
                    "{name} ({} on {}, {})",
                    out.source,
                    self.iface_name(v.node, &out),
                    self.segment_name(out.segment)
                ),
                (0, _, None) => name,
                (_, Some(at), Some(out)) => format!(
                    "{name} {at} [forwarding, out {} to {}]",
                    self.iface_name(v.node, &out),
                    self.segment_name(out.segment)
                ),
                (_, Some(at), None) => format!("{name} {at}"),
                (_, None, _) => name,
            };
            parts.push(text);
        }
        match walk.end {
            End::Left(Leave::Segment { addr, .. })
            | End::Stopped(Stop::NoWayBackIn { addr, .. }) => {
                parts.push(format!("{addr} outside the host"))
            }
            End::Left(Leave::HostRoutes) => parts.push("the host's own routes".to_string()),
            End::Stopped(Stop::NobodyHas { addr, .. }) => parts.push(format!("nobody has {addr}")),
            _ => {}
        }
        parts.join(" → ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    fn model(source: &str) -> Model {
        let file = crate::parse::parse(source).expect("parses");
        let resolved = crate::resolve::resolve("t.vj", &file);
        assert!(
            resolved.diagnostics.is_empty(),
            "{:#?}",
            resolved.diagnostics
        );
        resolved.model.expect("resolves")
    }

    fn example(name: &str) -> Model {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        model(&std::fs::read_to_string(path).unwrap())
    }

    fn jail(host: &Host, name: &str) -> usize {
        host.jails.iter().position(|j| j.name == name).unwrap()
    }

    fn expect(host: &Host, from: &str, reaches: bool, target: ExpectTarget) -> Expectation {
        Expectation {
            from: jail(host, from),
            reaches,
            target,
            span: Span::new(0, 0),
        }
    }

    fn names(r: &Reach, walk: &Walk) -> Vec<String> {
        walk.visits.iter().map(|v| r.node_name(v.node)).collect()
    }

    #[test]
    fn router_lab_a1_reaches_b1_in_both_families() {
        let m = example("router-lab.vj");
        let host = &m.hosts[0];
        let r = Reach::new(host);
        let b1 = jail(host, "b1");
        let d = r.decide(&expect(host, "a1", true, ExpectTarget::Jail(b1)));
        assert_eq!(d.verdict, Verdict::Holds { outside: None });
        let targets: Vec<String> = d.probes.iter().map(|p| p.target.to_string()).collect();
        assert_eq!(targets, ["10.0.2.10", "fd00:b::10"]);
        for p in &d.probes {
            assert_eq!(p.outcome(), Outcome::Reached);
            assert_eq!(names(&r, &p.there), ["a1", "r1", "b1"]);
            assert_eq!(names(&r, p.back.as_ref().unwrap()), ["b1", "r1", "a1"]);
        }
        let v4 = &d.probes[0];
        assert_eq!(v4.source(), Some("10.0.1.10".parse().unwrap()));
        assert_eq!(
            r.path_text(&v4.there),
            "a1 (10.0.1.10 on epair1b, bridge lab-a) → r1 10.0.1.1 [forwarding, out epair2b to bridge lab-b] → b1 10.0.2.10"
        );
        let out = v4.there.visits[0].out.unwrap();
        assert_eq!(out.route, Some(0));
        assert_eq!(out.next, "10.0.1.1".parse::<IpAddr>().unwrap());
        let v6 = &d.probes[1];
        assert_eq!(v6.source(), Some("fd00:a::10".parse().unwrap()));
    }

    #[test]
    fn router_lab_host_is_an_end_point_but_no_hop() {
        let m = example("router-lab.vj");
        let host = &m.hosts[0];
        let r = Reach::new(host);
        // a1 and the host share lab-a: there and back on-link.
        let d = r.decide(&expect(
            host,
            "a1",
            true,
            ExpectTarget::Addr("10.0.1.254".parse().unwrap()),
        ));
        assert_eq!(d.verdict, Verdict::Holds { outside: None });
        // b1 gets there through r1, but the host has no route back to
        // lab-b: its own routing table is not in the file.
        let d = r.decide(&expect(
            host,
            "b1",
            true,
            ExpectTarget::Addr("10.0.1.254".parse().unwrap()),
        ));
        assert_eq!(d.verdict, Verdict::Unprovable { witness: 0 });
        assert_eq!(
            d.probes[0].back.as_ref().unwrap().end,
            End::Left(Leave::HostRoutes)
        );
    }

    #[test]
    fn seed_bridge_jails_reach_each_other_on_link() {
        let m = example("seed-bridge.vj");
        let host = &m.hosts[0];
        let r = Reach::new(host);
        for e in &host.expectations {
            let d = r.decide(e);
            assert_eq!(d.verdict, Verdict::Holds { outside: None });
            for p in &d.probes {
                assert_eq!(p.there.visits.len(), 2, "one hop, no router");
                assert_eq!(p.there.visits[0].out.unwrap().route, None);
            }
        }
        let test3 = jail(host, "test3");
        let d = r.decide(&expect(host, "test1", false, ExpectTarget::Jail(test3)));
        assert_eq!(d.verdict, Verdict::Refuted { witness: Some(0) });
        // Nobody has .9 on an internal bridge: dropped, and nothing leaves.
        let d = r.decide(&expect(
            host,
            "test1",
            true,
            ExpectTarget::Addr("192.168.0.9".parse().unwrap()),
        ));
        assert_eq!(d.verdict, Verdict::Refuted { witness: Some(0) });
        let d = r.decide(&expect(
            host,
            "test1",
            true,
            ExpectTarget::Addr("fd00::1".parse().unwrap()),
        ));
        assert_eq!(d.verdict, Verdict::Refuted { witness: None });
    }

    #[test]
    fn seed_vlan_jails_meet_only_outside() {
        let m = example("seed-vlan.vj");
        let host = &m.hosts[0];
        let r = Reach::new(host);
        let test2 = jail(host, "test2");
        let d = r.decide(&expect(host, "test1", true, ExpectTarget::Jail(test2)));
        assert_eq!(d.verdict, Verdict::Unprovable { witness: 0 });
        let d = r.decide(&expect(host, "test1", false, ExpectTarget::Jail(test2)));
        assert_eq!(d.verdict, Verdict::Holds { outside: Some(0) });
    }

    #[test]
    fn the_outside_cannot_bring_a_packet_back_in_to_an_inner_bridge() {
        let src = "vlan 100 on em0 < jail a 192.168.0.1/24 >
                   bridge lab < jail b 192.168.0.3/24 >";
        let m = model(src);
        let host = &m.hosts[0];
        let r = Reach::new(host);
        let b = jail(host, "b");
        let d = r.decide(&expect(host, "a", true, ExpectTarget::Jail(b)));
        assert_eq!(d.verdict, Verdict::Refuted { witness: Some(0) });
        let d = r.decide(&expect(host, "a", false, ExpectTarget::Jail(b)));
        assert_eq!(d.verdict, Verdict::Holds { outside: None });
        // A router facing the outside could route it in: undecided.
        let m = model(&format!(
            "{src}\nbridge up < jail r 192.168.9.1/24; uplink em1 >\njail r {{ forwarding }}"
        ));
        let host = &m.hosts[0];
        let r = Reach::new(host);
        let d = r.decide(&expect(host, "a", true, ExpectTarget::Jail(b)));
        assert_eq!(d.verdict, Verdict::Unprovable { witness: 0 });
    }

    #[test]
    fn longest_prefix_wins_and_loops_end() {
        let m = model(
            "epair r1r2 < jail r1 10.0.12.1/30; jail r2 10.0.12.2/30 >
             bridge lab < jail a1 10.0.1.10/24; jail r1 10.0.1.1/24 >
             jail r1 { forwarding; route 10.9.0.0/16 via 10.0.12.2; route 10.9.9.0/24 via 10.0.1.10 }
             jail r2 { forwarding; route default via 10.0.12.1 }
             jail a1 { route default via 10.0.1.1 }",
        );
        let host = &m.hosts[0];
        let r = Reach::new(host);
        let a1 = jail(host, "a1");
        // 10.9.1.1: r1 → r2 → r1: a loop.
        let w = r.walk(Node::Jail(a1), "10.9.1.1".parse().unwrap());
        assert_eq!(names(&r, &w), ["a1", "r1", "r2", "r1"]);
        assert_eq!(
            w.end,
            End::Stopped(Stop::Loop {
                at: Node::Jail(jail(host, "r1"))
            })
        );
        // 10.9.9.1: the /24 beats the /16 and sends it back to a1, which
        // does not forward.
        let w = r.walk(Node::Jail(a1), "10.9.9.1".parse().unwrap());
        assert_eq!(names(&r, &w), ["a1", "r1", "a1"]);
        assert_eq!(w.end, End::Stopped(Stop::NotForwarding { jail: a1 }));
    }

    #[test]
    fn a_chain_longer_than_the_ttl_is_dropped() {
        // a0 - r1 - r2 - … - r70 - b: every router routes default onward.
        let mut src = String::from("epair e0 < jail a0 10.1.0.1/30; jail r1 10.1.0.2/30 >\n");
        let n = 70;
        for i in 1..n {
            src.push_str(&format!(
                "epair e{i} < jail r{i} 10.1.{i}.1/30; jail r{} 10.1.{i}.2/30 >\n",
                i + 1
            ));
            src.push_str(&format!(
                "jail r{i} {{ forwarding; route default via 10.1.{i}.2 }}\n"
            ));
        }
        src.push_str(&format!(
            "epair e{n} < jail r{n} 10.1.{n}.1/30; jail b 10.1.{n}.2/30 >\njail r{n} {{ forwarding }}\njail a0 {{ route default via 10.1.0.2 }}\n"
        ));
        let m = model(&src);
        let host = &m.hosts[0];
        let r = Reach::new(host);
        let w = r.walk(
            Node::Jail(jail(host, "a0")),
            format!("10.1.{n}.2").parse().unwrap(),
        );
        assert_eq!(w.end, End::Stopped(Stop::TtlExceeded));
        assert_eq!(w.visits.len(), MAX_ROUTERS + 2);
    }

    #[test]
    fn ten_thousand_jails_walk_without_all_pairs() {
        // 1,000 bridges of 10 jails; the first of each is an edge router
        // also on a core bridge, where one hub routes every bridge's /24.
        let bridges = 1000;
        let mut src = String::new();
        let net = |k: usize| format!("10.{}.{}", k / 256 + 1, k % 256);
        let core = |k: usize| format!("10.0.{}.{}", (k + 2) / 256, (k + 2) % 256);
        for k in 0..bridges {
            src.push_str(&format!("bridge b{k} <\n"));
            for j in 0..10 {
                src.push_str(&format!("  jail j{k}x{j} {}.{}/24\n", net(k), j + 1));
            }
            src.push_str(">\n");
            src.push_str(&format!(
                "jail j{k}x0 {{ forwarding; route default via 10.0.0.1 }}\n"
            ));
            for j in 1..10 {
                src.push_str(&format!(
                    "jail j{k}x{j} {{ route default via {}.1 }}\n",
                    net(k)
                ));
            }
        }
        src.push_str("bridge core <\n  jail hub 10.0.0.1/16\n");
        for k in 0..bridges {
            src.push_str(&format!("  jail j{k}x0 {}/16\n", core(k)));
        }
        src.push_str(">\njail hub {\n  forwarding\n");
        for k in 0..bridges {
            src.push_str(&format!("  route {}.0/24 via {}\n", net(k), core(k)));
        }
        src.push_str("}\n");
        let m = model(&src);
        let host = &m.hosts[0];
        assert_eq!(host.jails.len(), 10_001);
        let r = Reach::new(host);
        let far = jail(host, "j999x9");
        let d = r.decide(&expect(host, "j0x5", true, ExpectTarget::Jail(far)));
        assert_eq!(d.verdict, Verdict::Holds { outside: None });
        assert_eq!(
            names(&r, &d.probes[0].there),
            ["j0x5", "j0x0", "hub", "j999x0", "j999x9"]
        );
        let hub = jail(host, "hub");
        let d = r.decide(&expect(host, "j500x3", true, ExpectTarget::Jail(hub)));
        assert_eq!(d.verdict, Verdict::Holds { outside: None });
        // The hub has no default: nothing leaves, nothing arrives.
        let d = r.decide(&expect(
            host,
            "j0x1",
            false,
            ExpectTarget::Addr("10.250.0.1".parse().unwrap()),
        ));
        assert_eq!(d.verdict, Verdict::Holds { outside: None });
        assert_eq!(
            d.probes[0].there.end,
            End::Stopped(Stop::NoRoute {
                at: Node::Jail(hub)
            })
        );
    }
}
