//! Routes and IPv6 autoconfiguration: a gateway must be on one of the
//! jail's own networks, of the destination's family, not the jail itself,
//! and someone's address that forwards; one default route per family;
//! destinations written as networks; and `slaac`, which compiles with a
//! warning.
//!
//! The on-link test looks a gateway up among the jail's own subnets (one
//! hash look-up per prefix length the jail uses); who holds a gateway's
//! address is one look-up in a host-wide index.

use crate::ast::{self, ItemKind, JailPropKind};
use crate::check::addresses::{describe, family, is_v6_link_local, l2_segments, truncated};
use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::model::{Host, Jail, Model, Route, RouteDest, SegmentKind};
use crate::span::Span;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeSet;
use std::collections::hash_map::Entry;
use std::net::IpAddr;

pub fn check(file: &ast::File, model: &Model, out: &mut Vec<Diagnostic>) {
    // The resolver keeps a jail's first block only (E0201).
    // Made at its final size: growing it rehashes it several times
    // (100,000 jails).
    let mut blocks: HashMap<&str, &ast::JailBlock> =
        HashMap::with_capacity_and_hasher(file.items.len(), Default::default());
    for item in &file.items {
        if let ItemKind::Jail(block) = &item.kind {
            blocks.entry(&block.name.node).or_insert(block);
        }
    }
    for host in &model.hosts {
        let holders = holders(host);
        let mut own = Own::default();
        let mut dests = HashMap::default();
        let mut written = Vec::new();
        for jail in &host.jails {
            let block = blocks.get(jail.name.as_str()).copied();
            if !jail.routes.is_empty() {
                own.fill(jail);
                reset(&mut dests, jail.routes.len());
                written.clear();
                written.extend(block.into_iter().flat_map(|b| &b.props).filter_map(
                    |p| match &p.kind {
                        JailPropKind::Route(r) => Some((p.span, r)),
                        _ => None,
                    },
                ));
                routes(host, jail, &own, &mut dests, &holders, &written, out);
            }
            slaac(jail, block, out);
        }
    }
}

/// Who holds an address on a segment.
#[derive(Clone, Copy)]
enum Holder {
    Jail(usize, Span),
    Host(Span),
}

/// (L2 segment, address) → its first holder, over every interface that
/// exists and the host's addresses on bridges. Look-ups go through
/// `Holders::get`, which maps a segment to its L2 segment.
struct Holders {
    index: HashMap<(usize, IpAddr), Holder>,
    l2: Vec<usize>,
}

impl Holders {
    fn get(&self, segment: usize, addr: IpAddr) -> Option<&Holder> {
        let l2 = self.l2.get(segment).copied().unwrap_or(segment);
        self.index.get(&(l2, addr))
    }
}

fn holders(host: &Host) -> Holders {
    let l2 = l2_segments(host);
    let root = |s: usize| l2.get(s).copied().unwrap_or(s);
    let mut index = HashMap::default();
    for (j, jail) in host.jails.iter().enumerate() {
        for iface in jail.interfaces.iter().filter(|i| !i.name.is_empty()) {
            for a in &iface.addrs {
                index
                    .entry((root(iface.segment), a.net.addr()))
                    .or_insert(Holder::Jail(j, a.span));
            }
        }
    }
    for (s, seg) in host.segments.iter().enumerate() {
        if matches!(seg.kind, SegmentKind::Bridge(_)) {
            for a in &seg.host_addrs {
                index
                    .entry((root(s), a.net.addr()))
                    .or_insert(Holder::Host(a.span));
            }
        }
    }
    Holders { index, l2 }
}

/// One jail's own addresses, as its routes need them. One is reused for
/// every jail.
/// Empties a map reused from jail to jail for one that needs about `n`
/// entries. `clear` costs the map's capacity, not its length: after one
/// jail with 20,000 routes, clearing for each of 100,000 small jails would
/// cost 20,000 × 100,000. A map much larger than needed is replaced.
fn reset<K, V>(map: &mut HashMap<K, V>, n: usize) {
    if map.capacity() > 64 && map.capacity() > 4 * n {
        *map = HashMap::with_capacity_and_hasher(n, Default::default());
    } else {
        map.clear();
    }
}

#[derive(Default)]
struct Own {
    /// Subnet → (segment, where the address is written), first wins.
    nets: HashMap<IpNet, (usize, Span)>,
    /// Prefix lengths in `nets`, by family (IPv4 first).
    lens: BTreeSet<(bool, u8)>,
    addrs: HashMap<IpAddr, Span>,
    v4: bool,
    v6: bool,
    slaac: bool,
}

impl Own {
    fn fill(&mut self, jail: &Jail) {
        let addrs = jail.interfaces.iter().map(|i| i.addrs.len()).sum();
        reset(&mut self.nets, addrs);
        self.lens.clear();
        reset(&mut self.addrs, addrs);
        (self.v4, self.v6, self.slaac) = (false, false, false);
        for iface in &jail.interfaces {
            self.slaac |= iface.slaac.is_some();
            for a in &iface.addrs {
                let v4 = a.net.addr().is_ipv4();
                self.v4 |= v4;
                self.v6 |= !v4;
                self.nets
                    .entry(a.net.trunc())
                    .or_insert((iface.segment, a.span));
                self.lens.insert((v4, a.net.prefix_len()));
                self.addrs.entry(a.net.addr()).or_insert(a.span);
            }
        }
    }

    fn has(&self, v4: bool) -> bool {
        if v4 { self.v4 } else { self.v6 || self.slaac }
    }

    /// The jail's most specific subnet holding `gw`: its segment.
    fn on_link(&self, gw: IpAddr) -> Option<usize> {
        let v4 = gw.is_ipv4();
        self.lens
            .range((v4, 0)..=(v4, u8::MAX))
            .rev()
            .find_map(|&(_, len)| truncated(gw, len).and_then(|n| self.nets.get(&n)))
            .map(|&(segment, _)| segment)
    }

    /// The jail's subnets of one family, for labels.
    fn subnets(&self, v4: bool) -> Vec<(IpNet, Span)> {
        let mut v: Vec<(IpNet, Span)> = self
            .nets
            .iter()
            .filter(|(n, _)| n.addr().is_ipv4() == v4)
            .map(|(n, &(_, span))| (*n, span))
            .collect();
        v.sort_by_key(|&(_, span)| span);
        v
    }
}

/// The route rules of one jail. `dests` maps (destination, gateway) to the
/// first route: a default route is 0.0.0.0/0 or ::/0, and its key has no
/// gateway, since rc.conf has one default router per family. Two routes to
/// one network through different gateways may be meant as multipath, and
/// are left alone.
fn routes(
    host: &Host,
    jail: &Jail,
    own: &Own,
    dests: &mut HashMap<(IpNet, Option<IpAddr>), Span>,
    holders: &Holders,
    written: &[(Span, &ast::Route)],
    out: &mut Vec<Diagnostic>,
) {
    for (i, route) in jail.routes.iter().enumerate() {
        // Where the destination and gateway are written: the model keeps
        // the block's routes in order, with the `route` line's span.
        let w = written
            .get(i)
            .filter(|(span, _)| *span == route.span)
            .map(|&(_, r)| r);
        let via = w.map_or(route.span, |w| w.via.span);
        let dest_span = w.map_or(route.span, |w| w.dest.span);
        let v4 = route.via.is_ipv4();
        let dest = match route.dest {
            RouteDest::Default => default_net(v4),
            RouteDest::Net(n) => {
                if n.addr() != n.network() {
                    out.push(host_bits(n, dest_span));
                }
                if n.addr().is_ipv4() != v4 {
                    out.push(
                        Diagnostic::new(
                            "E0602",
                            format!(
                                "route to {} has an {} gateway",
                                n.trunc(),
                                family(v4)
                            ),
                            via,
                            format!("an {} gateway", family(v4)),
                        )
                        .with_secondary(dest_span, format!("an {} destination", family(!v4)))
                        .with_note("rc.conf lists IPv4 and IPv6 routes apart (static_routes, ipv6_static_routes), and route(8) reads the gateway in the route's family")
                        .with_help(format!(
                            "give an {} gateway on one of `{}`'s {} networks",
                            family(!v4),
                            jail.name,
                            family(!v4)
                        )),
                    );
                    continue;
                }
                n.trunc()
            }
        };
        let key = (dest, (dest.prefix_len() > 0).then_some(route.via));
        match dests.entry(key) {
            Entry::Occupied(e) => out.push(twice(jail, route, dest, *e.get(), v4)),
            Entry::Vacant(e) => {
                e.insert(route.span);
            }
        }
        gateway(host, jail, route, via, own, holders, out);
    }
}

/// 0.0.0.0/0 or ::/0: where a default route goes.
fn default_net(v4: bool) -> IpNet {
    if v4 {
        IpNet::V4(Ipv4Net::default())
    } else {
        IpNet::V6(Ipv6Net::default())
    }
}

/// E0605: `route 10.9.1.0/16 via …`.
fn host_bits(n: IpNet, span: Span) -> Diagnostic {
    // The longest prefix for which the written address is a network.
    let bits = match n.addr() {
        IpAddr::V4(a) => u32::from(a).trailing_zeros().min(32) as u8,
        IpAddr::V6(a) => u128::from(a).trailing_zeros().min(128) as u8,
    };
    let meant = IpNet::new(n.addr(), n.max_prefix_len() - bits).ok();
    let help = match meant {
        Some(m) if m.prefix_len() > n.prefix_len() => {
            format!("write `{}`, or `{m}` if you meant that network", n.trunc())
        }
        _ => format!("write `{}`", n.trunc()),
    };
    Diagnostic::new(
        "E0605",
        format!("route destination {n} has host bits set"),
        span,
        format!("this is {}", n.trunc()),
    )
    .with_note(format!(
        "a route's destination is a network: the prefix length keeps the first {} bits and drops the rest",
        n.prefix_len()
    ))
    .with_help(help)
}

/// E0603: two default routes of one family (rc.conf's `defaultrouter` and
/// `ipv6_defaultrouter` hold one address each: rc.d/routing), or one route
/// written twice (route(8): EEXIST, "route already in table").
fn twice(jail: &Jail, route: &Route, dest: IpNet, first: Span, v4: bool) -> Diagnostic {
    if dest.prefix_len() == 0 {
        Diagnostic::new(
            "E0603",
            format!("jail `{}` has two {} default routes", jail.name, family(v4)),
            route.span,
            "second default route",
        )
        .with_secondary(first, "first default route")
        .with_note(format!(
            "rc.conf has one `{}` per jail",
            if v4 {
                "defaultrouter"
            } else {
                "ipv6_defaultrouter"
            }
        ))
        .with_help("keep one; for failover, run a routing daemon in the jail")
    } else {
        Diagnostic::new(
            "E0603",
            format!(
                "jail `{}` has the route to {dest} via {} twice",
                jail.name, route.via
            ),
            route.span,
            "written again",
        )
        .with_secondary(first, "first written here")
        .with_note("route(8) refuses a route already in the table")
        .with_help("remove one of them")
    }
}

/// E0604, E0606, E0607, E0601, W0608, W0609: where the gateway is.
fn gateway(
    host: &Host,
    jail: &Jail,
    route: &Route,
    via: Span,
    own: &Own,
    holders: &Holders,
    out: &mut Vec<Diagnostic>,
) {
    let gw = route.via;
    let v4 = gw.is_ipv4();
    let fam = family(v4);
    let name = &jail.name;
    if !own.has(v4) {
        out.push(
            Diagnostic::new(
                "E0604",
                format!("jail `{name}` has an {fam} route but no {fam} address"),
                route.span,
                format!("an {fam} route"),
            )
            .with_note("a gateway must be on a network the jail has an address on")
            .with_help(format!(
                "give `{name}` an {fam} address on the gateway's network, or remove the route"
            )),
        );
        return;
    }
    if let Some(&span) = own.addrs.get(&gw) {
        out.push(
            Diagnostic::new(
                "E0606",
                format!("gateway {gw} is jail `{name}`'s own address"),
                via,
                format!("`{name}`'s own address"),
            )
            .with_secondary(span, "assigned here")
            .with_note("a jail cannot route through itself")
            .with_help("use the address of a router on the jail's network"),
        );
        return;
    }
    if is_v6_link_local(gw) {
        out.push(
            Diagnostic::new(
                "E0607",
                format!("gateway {gw} is a link-local address"),
                via,
                "link-local: valid only with an interface",
            )
            .with_note("FreeBSD takes a link-local gateway only with a zone (fe80::1%epair0b), and vj has no zones")
            .with_help("use the router's global or unique-local address on the shared network"),
        );
        return;
    }
    // Autoconfiguration brings a prefix vjc cannot know.
    if !v4 && own.slaac {
        return;
    }
    // The kernel picks the interface for a gateway from the interface
    // addresses whose subnet holds it (ifa_ifwithroute, sys/net/route.c);
    // with none, `route add` fails with ENETUNREACH.
    let Some(segment) = own.on_link(gw) else {
        let mut d = Diagnostic::new(
            "E0601",
            format!("gateway {gw} is not on any {fam} network of jail `{name}`"),
            via,
            "not on-link",
        );
        let nets = own.subnets(v4);
        for (net, span) in nets.iter().take(4) {
            d = d.with_secondary(*span, format!("`{name}` is on {net}"));
        }
        out.push(
            d.with_note("route(8) finds the interface to send through from the gateway's address, and fails with \"Network is unreachable\" at boot")
                .with_help(format!("use a router's address on one of `{name}`'s networks, or give `{name}` an address in the gateway's subnet")),
        );
        return;
    };
    let Some(seg) = host.segments.get(segment) else {
        return;
    };
    match holders.get(segment, gw) {
        None if !seg.leaves_host => out.push(
            Diagnostic::new(
                "W0608",
                format!("gateway {gw} is no one's address on {}", describe(seg)),
                via,
                format!("no one on {} has it", describe(seg)),
            )
            .with_note(format!(
                "{} does not leave the host, so no router outside can answer",
                describe(seg)
            ))
            .with_help(format!(
                "use the address of a jail with `forwarding` on {}",
                describe(seg)
            )),
        ),
        None => {}
        Some(Holder::Host(span)) => out.push(
            Diagnostic::new(
                "W0609",
                format!("gateway {gw} is the host, which does not forward"),
                via,
                "the host does not forward",
            )
            .with_secondary(*span, "the host's address")
            .with_note("vjc does not make the host a router, and a FreeBSD host without forwarding drops packets not addressed to it")
            .with_help("route through a jail with `forwarding`"),
        ),
        Some(&Holder::Jail(k, span)) => {
            let Some(router) = host.jails.get(k) else {
                return;
            };
            if router.forwarding {
                return;
            }
            out.push(
                Diagnostic::new(
                    "W0609",
                    format!(
                        "gateway {gw} is jail `{}`, which does not forward",
                        router.name
                    ),
                    via,
                    format!("`{}` has no `forwarding`", router.name),
                )
                .with_secondary(span, format!("`{}`'s address", router.name))
                // ip_input(): a packet not for this host is dropped unless
                // V_ipforwarding (sys/netinet/ip_input.c; ip6_input.c alike).
                .with_note(format!(
                    "without forwarding ({}=0), FreeBSD drops packets not addressed to it",
                    if v4 { "net.inet.ip.forwarding" } else { "net.inet6.ip6.forwarding" }
                ))
                .with_help(format!("add `forwarding` to jail `{}`", router.name)),
            );
        }
    }
}

/// W0610, W0611: `slaac`.
fn slaac(jail: &Jail, block: Option<&ast::JailBlock>, out: &mut Vec<Diagnostic>) {
    for iface in &jail.interfaces {
        let Some(span) = iface.slaac else {
            continue;
        };
        let name = &jail.name;
        if jail.forwarding {
            // network.subr ipv6_autoconfif: no autoconfiguration on any
            // interface when ipv6_gateway_enable=YES (FREEBSD.md §6.3).
            let mut d = Diagnostic::new(
                "W0611",
                format!("`slaac` does nothing in jail `{name}`, which forwards"),
                span,
                "no autoconfiguration here",
            );
            let forwarding = block
                .into_iter()
                .flat_map(|b| &b.props)
                .find(|p| matches!(p.kind, JailPropKind::Forwarding));
            if let Some(f) = forwarding {
                d = d.with_secondary(f.span, "`forwarding` turns it off");
            }
            out.push(
                d.with_note("`forwarding` sets ipv6_gateway_enable=\"YES\", and network.subr then autoconfigures no interface")
                    .with_help(format!("give `{name}` a static IPv6 address")),
            );
        } else {
            out.push(
                Diagnostic::new(
                    "W0610",
                    "IPv6 autoconfiguration is unreliable in jails",
                    span,
                    "`slaac` here",
                )
                .with_note(format!("vjc writes `inet6 accept_rtadv` for this interface and `rtsold_enable=\"YES\"` in `{name}`'s rc.conf"))
                .with_help("give the jail a static IPv6 address and a `route default via …`"),
            );
        }
    }
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0601",
        title: "gateway not on any network of the jail",
        explanation: "\
A route's gateway must be on-link: inside the subnet of one of the jail's own
addresses. The kernel sends packets for the route to the gateway's link-layer
address on that interface; for a gateway on no attached network, route(8)
fails at boot with \"Network is unreachable\" and the route is missing.

    bridge lan < jail web 10.0.1.10/24 >
    jail web { route default via 10.0.1.1 }     # on 10.0.1.0/24: fine
    jail web { route default via 10.0.9.1 }     # on no network of web

Use the address of a router on one of the jail's networks, or give the jail an
address in the gateway's subnet. (A jail with `slaac` learns its IPv6 prefix at
run time; its IPv6 gateways are not checked.)",
    },
    CodeInfo {
        code: "E0602",
        title: "gateway of the other address family",
        explanation: "\
A route's destination and gateway are of one family: `route 10.0.0.0/8 via
fd00::1` mixes IPv4 and IPv6. rc.conf keeps IPv4 routes (static_routes,
route_<name>) and IPv6 routes (ipv6_static_routes, ipv6_route_<name>) apart,
and route(8) reads the gateway in the route's family. Give a gateway of the
destination's family.",
    },
    CodeInfo {
        code: "E0603",
        title: "two default routes of one family, or one route twice",
        explanation: "\
A jail has one IPv4 default route and one IPv6 default route: rc.conf has one
`defaultrouter` and one `ipv6_defaultrouter`, so a second `route default via`
of the same family cannot be written (`route 0.0.0.0/0 via` counts as a
default route). A route written twice (same destination, same gateway) would
make route(8) fail with \"route already in table\". Keep one; for failover
between routers, run a routing daemon (bird, frr) in the jail.",
    },
    CodeInfo {
        code: "E0604",
        title: "route of a family the jail has no address of",
        explanation: "\
The jail has a route of one family (IPv4 or IPv6) but no address of that
family on any interface, so no gateway of that family can be on-link for it.
Give the jail an address on the gateway's network, or remove the route. For
IPv6, `slaac` counts as an address.",
    },
    CodeInfo {
        code: "E0605",
        title: "route destination with host bits set",
        explanation: "\
A route's destination is a network: `10.9.1.0/16` has bits set beyond its
prefix length, so it does not say which network is meant. As a network it is
10.9.0.0/16, the bits after the first 16 dropped; but the writer may have
meant 10.9.1.0/24. vjc refuses to guess: write the network address with the
prefix length you mean.",
    },
    CodeInfo {
        code: "E0606",
        title: "gateway is the jail's own address",
        explanation: "\
A route's gateway is an address of the jail itself. Packets for the route would
be handed to the jail's own address and go nowhere. Use the address of a
router on the jail's network.",
    },
    CodeInfo {
        code: "E0607",
        title: "link-local gateway",
        explanation: "\
The gateway is an IPv6 link-local address (fe80::/10). A link-local address
means something only together with its interface: FreeBSD takes such a
gateway with a zone id (`fe80::1%epair0b`), and vj takes no zone ids, since
vjc names the interfaces itself. Use the router's global or unique-local
address on the shared network.",
    },
    CodeInfo {
        code: "W0608",
        title: "gateway is no one's address",
        explanation: "\
The gateway is on one of the jail's networks, but no jail (and not the host)
has that address on that segment, and the segment does not leave the host, so
no router outside can have it either. Packets for the route would wait for an
ARP or neighbour discovery answer that never comes. Use the address of a jail
with `forwarding` on that segment.",
    },
    CodeInfo {
        code: "W0609",
        title: "gateway does not forward",
        explanation: "\
The gateway is the address of a jail without `forwarding`, or of the host.
Without net.inet.ip.forwarding (net.inet6.ip6.forwarding for IPv6), FreeBSD
drops packets that are not addressed to it (sys/netinet/ip_input.c), so
traffic sent through this route reaches the gateway itself and no further.
Add `forwarding` to the gateway jail. vjc never makes the host a router: route
through a jail with `forwarding` instead.",
    },
    CodeInfo {
        code: "W0610",
        title: "IPv6 autoconfiguration (`slaac`)",
        explanation: "\
`slaac` asks for stateless autoconfiguration: vjc writes `inet6 accept_rtadv`
for the interface and `rtsold_enable=\"YES\"` in the jail's rc.conf (rc.d/rtsold
runs in vnet jails). The vjc seed found autoconfiguration unreliable in jails,
and jail managers' trackers report the same (iocage #232, #674, #1300;
Bastille #1304, #361). The prefix is also known only at run time, so the
checker cannot check IPv6 routes against it and `expect` cannot name the
address. Prefer a static address and `route default via ...`; silence the
warning when a router on the segment is known to advertise.",
    },
    CodeInfo {
        code: "W0611",
        title: "`slaac` in a jail with `forwarding`",
        explanation: "\
`forwarding` sets ipv6_gateway_enable=\"YES\" in the jail's rc.conf, and
network.subr (ipv6_autoconfif) then autoconfigures no interface: a router
does not take its addresses from router advertisements. The `slaac` does
nothing. Give the jail a static IPv6 address.",
    },
];

#[cfg(test)]
mod tests {
    use crate::check::tests::codes;

    #[test]
    fn odd_models_do_not_panic() {
        crate::check::addresses::tests::odd_models(super::check);
    }

    #[test]
    fn the_examples_routes_are_fine() {
        let src = "bridge a < jail r 10.0.1.1/24 fd00:a::1/64; jail x 10.0.1.2/24 fd00:a::2/64 >\n\
                   jail r {\n  forwarding\n}\n\
                   jail x {\n  route default via 10.0.1.1\n  route default via fd00:a::1\n  route 10.9.0.0/16 via 10.0.1.1\n}\n";
        assert_eq!(codes(src), Vec::<&str>::new());
    }

    #[test]
    fn a_slaac_jail_s_ipv6_gateways_are_not_checked_for_on_link() {
        let src = "bridge a < uplink em1; jail x 10.0.1.2/24 slaac >\n\
                   jail x {\n  route default via 2001:db8::1\n}\n";
        assert_eq!(codes(src), vec!["W0610"]);
    }

    #[test]
    fn a_wrong_family_route_is_reported_once() {
        let src = "bridge a < jail x 10.0.1.2/24 >\njail x {\n  route 10.0.0.0/8 via fd00::1\n}\n";
        assert_eq!(codes(src), vec!["E0602"]);
    }
}
