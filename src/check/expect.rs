//! `expect` lines, decided statically from the model by `reach` (which
//! holds the FreeBSD facts the walk relies on, with their sources).
//!
//! A `reaches` that fails inside the host is an error naming where the
//! packet (or its reply) stops; a `!reaches` with a round trip is an error
//! showing it. Where the path leaves the host through a segment that reaches
//! the outside switch, the file cannot decide: a warning.

use crate::ast;
use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::model::{ExpectTarget, Expectation, Model, NicRole, RouteDest, SegmentKind, VlanPlace};
use crate::reach::{End, Leave, Node, Probe, Reach, Stop, Verdict, Walk};
use crate::span::Span;
use std::net::IpAddr;

pub fn check(_file: &ast::File, model: &Model, out: &mut Vec<Diagnostic>) {
    for host in &model.hosts {
        if host.expectations.is_empty() {
            continue;
        }
        let reach = Reach::new(host);
        // A jail member the resolver could give no interface (a
        // direct-bound segment's or an epair's extra jail) is already an
        // error; its jail's expectations would only repeat it.
        let whole = |j: usize| {
            host.jails
                .get(j)
                .is_some_and(|j| j.interfaces.iter().all(|i| !i.name.is_empty()))
        };
        for e in &host.expectations {
            let valid = whole(e.from)
                && match e.target {
                    ExpectTarget::Jail(b) => whole(b),
                    ExpectTarget::Addr(_) => true,
                };
            if valid {
                out.extend(diagnose(&reach, e));
            }
        }
    }
}

fn diagnose(reach: &Reach, e: &Expectation) -> Option<Diagnostic> {
    let decision = reach.decide(e);
    let probe = |i: usize| decision.probes.get(i);
    let x = Ctx { reach, e };
    match decision.verdict {
        Verdict::Holds { outside: None } => None,
        Verdict::Holds { outside: Some(i) } => Some(x.outside_could_join(probe(i)?)),
        Verdict::Refuted { witness: None } => Some(x.nothing_to_reach()),
        Verdict::Refuted { witness: Some(i) } if e.reaches => {
            let others: Vec<String> = decision
                .probes
                .iter()
                .enumerate()
                .filter(|(k, p)| *k != i && p.outcome() == crate::reach::Outcome::Stopped)
                .map(|(_, p)| p.target.to_string())
                .collect();
            Some(x.does_not_reach(probe(i)?, &others))
        }
        Verdict::Refuted { witness: Some(i) } => Some(x.reaches_anyway(probe(i)?)),
        Verdict::Unprovable { witness } => Some(x.cannot_prove(probe(witness)?)),
    }
}

fn family(a: IpAddr) -> &'static str {
    if a.is_ipv4() { "IPv4" } else { "IPv6" }
}

/// One expectation being reported.
struct Ctx<'a, 'h> {
    reach: &'a Reach<'h>,
    e: &'a Expectation,
}

impl Ctx<'_, '_> {
    fn jail_name(&self, j: usize) -> String {
        self.reach
            .host()
            .jails
            .get(j)
            .map_or_else(String::new, |j| j.name.clone())
    }

    /// `` `a1` `` or `the host`.
    fn who(&self, node: Node) -> String {
        match node {
            Node::Host => "the host".to_string(),
            Node::Jail(j) => format!("`{}`", self.jail_name(j)),
        }
    }

    fn from(&self) -> String {
        format!("`{}`", self.jail_name(self.e.from))
    }

    /// `` `b1` `` or `10.0.2.10`.
    fn target(&self) -> String {
        match self.e.target {
            ExpectTarget::Jail(b) => format!("`{}`", self.jail_name(b)),
            ExpectTarget::Addr(a) => a.to_string(),
        }
    }

    fn route_span(&self, jail: usize, route: usize) -> Option<Span> {
        let r = self.reach.host().jails.get(jail)?.routes.get(route)?;
        Some(r.span)
    }

    fn route_via(&self, jail: usize, route: usize) -> Option<IpAddr> {
        let r = self.reach.host().jails.get(jail)?.routes.get(route)?;
        Some(r.via)
    }

    /// The interface member a jail sends from, where a visit sends on.
    fn iface_span(&self, node: Node, iface: Option<usize>) -> Option<Span> {
        let (Node::Jail(j), Some(i)) = (node, iface) else {
            return None;
        };
        Some(self.reach.host().jails.get(j)?.interfaces.get(i)?.span)
    }

    /// Where `addr` is configured, said as a label: "10.0.2.10 is `b1`'s,
    /// on bridge lab-b".
    fn owner_label(&self, addr: IpAddr) -> Option<(Span, String)> {
        let o = self.reach.owners(addr).first()?;
        let whose = match o.node {
            Node::Host => "the host's".to_string(),
            Node::Jail(j) => format!("`{}`'s", self.jail_name(j)),
        };
        Some((
            o.span,
            format!(
                "{addr} is {whose}, on {}",
                self.reach.segment_name(o.segment)
            ),
        ))
    }

    /// Where a segment meets the outside switch: an uplink or VLAN member
    /// of a bridge, a direct-bound VLAN or NIC.
    fn exit_label(&self, segment: usize) -> Option<(Span, String)> {
        let host = self.reach.host();
        let seg = host.segments.get(segment)?;
        match seg.kind {
            SegmentKind::Bridge(b) => {
                let uplink = host.nics.iter().find_map(|n| {
                    n.uses
                        .iter()
                        .find(|u| u.role == NicRole::Uplink(b))
                        .map(|u| {
                            (
                                u.span,
                                format!("uplink {} joins the outside switch", n.name),
                            )
                        })
                });
                let vlan = host.vlans.iter().find(|v| v.place == VlanPlace::Bridge(b));
                uplink.or_else(|| {
                    vlan.map(|v| (v.span, format!("{} joins the outside switch", v.name)))
                })
            }
            SegmentKind::Vlan(v) => host.vlans.get(v).map(|v| {
                (
                    v.span,
                    format!("{} is tagged out to the outside switch", v.name),
                )
            }),
            SegmentKind::Iface(_) => Some((
                seg.span,
                format!("{} is a port to the outside switch", seg.label),
            )),
            SegmentKind::Epair(_) => None,
        }
    }

    /// `path: …`, or `there: …` and `back: …`; a walk that never left its
    /// first node shows nothing the label does not say.
    fn path_notes(&self, p: &Probe) -> Vec<String> {
        let moved =
            |w: &Walk| w.visits.len() > 1 || w.visits.first().is_some_and(|v| v.out.is_some());
        let mut notes = Vec::new();
        match &p.back {
            Some(back) if p.there.end == End::Arrived => {
                if moved(&p.there) {
                    notes.push(format!("there: {}", self.reach.path_text(&p.there)));
                }
                if moved(back) {
                    notes.push(format!("back: {}", self.reach.path_text(back)));
                }
            }
            _ if moved(&p.there) => notes.push(format!("path: {}", self.reach.path_text(&p.there))),
            _ => {}
        }
        notes
    }

    /// E0801: a `reaches` whose packet or reply is dropped inside the host.
    fn does_not_reach(&self, p: &Probe, others: &[String]) -> Diagnostic {
        let walk = p.deciding_walk();
        let back = p.there.end == End::Arrived;
        let End::Stopped(stop) = walk.end else {
            // decide() calls a probe Stopped only when its walk stopped.
            return self.cannot_prove(p);
        };
        let story = self.story(walk, stop, back);
        let mut notes = self.path_notes(p);
        notes.push(story.why);
        if !others.is_empty() {
            notes.push(format!(
                "{} fails too: {}",
                if others.len() == 1 {
                    "another address"
                } else {
                    "other addresses"
                },
                others.join(", ")
            ));
        }
        let mut d = Diagnostic::new(
            "E0801",
            format!("{} does not reach {}", self.from(), self.target()),
            self.e.span,
            story.label,
        );
        for (s, l) in story.secondary {
            d = d.with_secondary(s, l);
        }
        for n in notes {
            d = d.with_note(n);
        }
        d.with_help(story.help)
    }

    /// What to say about a walk that stops; `back` when it is the reply.
    fn story(&self, walk: &Walk, stop: Stop, back: bool) -> Story {
        let to = walk.to;
        let subject = &if back {
            format!("the reply to {to}")
        } else {
            format!("packets to {to}")
        };
        // The route that sent the packet to where it stops.
        let sent_by = walk
            .visits
            .len()
            .checked_sub(2)
            .and_then(|k| walk.visits.get(k))
            .and_then(|v| match (v.node, v.out) {
                (Node::Jail(j), Some(out)) => Some((self.route_span(j, out.route?)?, out.next)),
                _ => None,
            });
        match stop {
            Stop::NoRoute { at } => self.no_route(at, to, back),
            Stop::GatewayOffLink { jail, route } => {
                let name = self.jail_name(jail);
                let via = self
                    .route_via(jail, route)
                    .map_or(String::new(), |v| v.to_string());
                Story {
                    label: format!("{subject}: `{name}` cannot reach its gateway {via}"),
                    secondary: self
                        .route_span(jail, route)
                        .map(|s| (s, format!("gateway {via} is on none of `{name}`'s subnets")))
                        .into_iter()
                        .collect(),
                    why: "FreeBSD finds a gateway by ARP (NDP for IPv6) on the link, so it must \
                          be in one of the jail's own subnets"
                        .to_string(),
                    help: format!(
                        "name a gateway inside one of `{name}`'s subnets{}",
                        self.subnet_list(jail, to)
                    ),
                }
            }
            Stop::GatewayIsSelf { jail, route } => {
                let name = self.jail_name(jail);
                let via = self
                    .route_via(jail, route)
                    .map_or(String::new(), |v| v.to_string());
                Story {
                    label: format!("{subject}: `{name}` routes them to itself"),
                    secondary: self
                        .route_span(jail, route)
                        .map(|s| (s, format!("{via} is `{name}`'s own address")))
                        .into_iter()
                        .collect(),
                    why: "a route's gateway is the next router; packets sent to the jail's own \
                          address never leave it"
                        .to_string(),
                    help: "name the next router's address after `via`".to_string(),
                }
            }
            Stop::NobodyHas { segment, addr } => self.nobody_has(walk, segment, addr, subject),
            Stop::NotForwarding { jail } => {
                let name = self.jail_name(jail);
                let mut secondary = Vec::new();
                if let Some(j) = self.reach.host().jails.get(jail) {
                    secondary.push((j.span, format!("`{name}` has no `forwarding`")));
                }
                if let Some((span, next)) = sent_by {
                    secondary.push((span, format!("this route sends {to} to `{name}` ({next})")));
                }
                let sysctl = if to.is_ipv4() {
                    "net.inet.ip.forwarding"
                } else {
                    "net.inet6.ip6.forwarding"
                };
                Story {
                    label: format!("{subject} stop at `{name}`, which does not forward"),
                    secondary,
                    why: format!(
                        "a jail without `forwarding` ({sysctl}=0) drops every packet that is not \
                         addressed to it"
                    ),
                    help: format!(
                        "if `{name}` is meant to route, add `forwarding` to `jail {name} {{ … }}`"
                    ),
                }
            }
            Stop::HostDoesNotForward => Story {
                label: format!("{subject} stop at the host, which never forwards"),
                secondary: sent_by
                    .map(|(span, _)| (span, format!("this route sends {to} to the host")))
                    .into_iter()
                    .collect(),
                why: "vjc leaves the host's gateway_enable off: bridges join jails at layer 2, \
                      and routing between segments is a jail's job"
                    .to_string(),
                help: "route through a jail with `forwarding` instead".to_string(),
            },
            Stop::Loop { at } => {
                let start = walk.visits.iter().position(|v| v.node == at).unwrap_or(0);
                let cycle = &walk.visits[start..walk.visits.len().saturating_sub(1)];
                let names: Vec<String> = cycle.iter().map(|v| self.who(v.node)).collect();
                let secondary = cycle
                    .iter()
                    .filter_map(|v| match (v.node, v.out) {
                        (Node::Jail(j), Some(out)) => {
                            let span = self.route_span(j, out.route?)?;
                            let name = self.jail_name(j);
                            Some((span, format!("`{name}` routes {to} to {}", out.next)))
                        }
                        _ => None,
                    })
                    .take(6)
                    .collect();
                Story {
                    label: format!("{subject} loop through {}", and_list(&names)),
                    secondary,
                    why: "each router passes the packet to the next until its TTL (64) runs out"
                        .to_string(),
                    help: format!(
                        "make one of these routers deliver {to} instead of passing it on"
                    ),
                }
            }
            Stop::NoWayBackIn { segment, addr } => {
                let seg = self.reach.segment_name(segment);
                let inner = self
                    .reach
                    .owners(to)
                    .first()
                    .map_or(String::new(), |o| self.reach.segment_name(o.segment));
                let label = if addr == to {
                    format!("{subject} leave the host through {seg}, where nobody inside has {to}")
                } else {
                    format!("{subject} leave the host through {seg}, to gateway {addr} outside")
                };
                Story {
                    label,
                    secondary: self
                        .exit_label(segment)
                        .into_iter()
                        .chain(self.owner_label(to))
                        .collect(),
                    why: format!(
                        "{to} is on {inner}, which does not leave the host, and no jail with \
                         `forwarding` faces the outside: nothing outside can bring the packets \
                         back in"
                    ),
                    help: "keep the path inside the host: put both on one bridge, or route \
                           through a jail with `forwarding`"
                        .to_string(),
                }
            }
            Stop::TtlExceeded => Story {
                label: format!(
                    "{subject} cross more than {} routers",
                    crate::reach::MAX_ROUTERS
                ),
                secondary: Vec::new(),
                why: "a packet leaves with TTL 64 and each router takes one; the router that \
                      would take the last drops it"
                    .to_string(),
                help: "shorten the chain of routers".to_string(),
            },
        }
    }

    fn no_route(&self, at: Node, to: IpAddr, back: bool) -> Story {
        let label = if back {
            format!("no route back from {} to {to}", self.who(at))
        } else {
            format!("{} has no route to {to}", self.who(at))
        };
        match at {
            Node::Jail(j) => Story {
                label,
                secondary: self.no_route_label(j, to).into_iter().collect(),
                why: self.table_note(j, to),
                help: self.route_help(j, to),
            },
            Node::Host => Story {
                label,
                secondary: Vec::new(),
                why: "the file gives the host no routes".to_string(),
                help: "route through a jail with `forwarding`".to_string(),
            },
        }
    }

    fn nobody_has(&self, walk: &Walk, segment: usize, addr: IpAddr, subject: &str) -> Story {
        let seg = self.reach.segment_name(segment);
        let mut secondary = Vec::new();
        if let Some(v) = walk.visits.last()
            && let Some(out) = v.out
        {
            if let Some(s) = self.iface_span(v.node, out.iface) {
                let who = self.who(v.node);
                secondary.push((s, format!("{who} looks for {addr} on {seg} from here")));
            }
            if let (Node::Jail(j), Some(r)) = (v.node, out.route)
                && let Some(s) = self.route_span(j, r)
            {
                secondary.push((s, format!("this route's gateway is {addr}")));
            }
        }
        secondary.extend(self.owner_label(addr));
        let help = match self.reach.owners(addr).first() {
            Some(o) => format!(
                "{addr} is on {}: put both on one segment, or give each segment its own subnet \
                 and route between them through a jail with `forwarding`",
                self.reach.segment_name(o.segment),
            ),
            None => format!("check the address: nothing in this file has {addr}"),
        };
        let label = if addr == walk.to {
            format!("{subject} find nobody on {seg}")
        } else {
            format!("{subject} find no gateway {addr} on {seg}")
        };
        Story {
            label,
            secondary,
            why: format!(
                "an on-link address is found by ARP (NDP for IPv6) among the members of its own \
                 segment only, and {seg} does not leave the host"
            ),
            help,
        }
    }

    /// A label on the routes that fail to cover `to`, or on the jail.
    fn no_route_label(&self, j: usize, to: IpAddr) -> Option<(Span, String)> {
        let jail = self.reach.host().jails.get(j)?;
        match jail.routes.iter().find(|r| r.via.is_ipv4() == to.is_ipv4()) {
            Some(r) => Some((r.span, format!("no route of `{}` covers {to}", jail.name))),
            None => Some((
                jail.span,
                format!("`{}` has no {} route", jail.name, family(to)),
            )),
        }
    }

    /// "`b1` has 10.0.2.0/24 on epair3b and no IPv4 route".
    fn table_note(&self, j: usize, to: IpAddr) -> String {
        let Some(jail) = self.reach.host().jails.get(j) else {
            return String::new();
        };
        let mut nets = Vec::new();
        for iface in jail.interfaces.iter().filter(|i| !i.name.is_empty()) {
            for a in &iface.addrs {
                if a.net.addr().is_ipv4() == to.is_ipv4() {
                    nets.push(format!("{} on {}", a.net.trunc(), iface.name));
                }
            }
        }
        let routes: Vec<String> = jail
            .routes
            .iter()
            .filter(|r| r.via.is_ipv4() == to.is_ipv4())
            .map(|r| match r.dest {
                RouteDest::Default => format!("default via {}", r.via),
                RouteDest::Net(n) => format!("{n} via {}", r.via),
            })
            .collect();
        let fam = family(to);
        let nets = if nets.is_empty() {
            format!("no {fam} subnet")
        } else {
            short_list(&nets)
        };
        let routes = match routes.len() {
            0 => format!("no {fam} route"),
            1 => format!("the route {}", routes[0]),
            _ => format!("the routes {}", short_list(&routes)),
        };
        format!(
            "`{}` has {nets} and {routes}: nothing there covers {to}",
            jail.name
        )
    }

    /// ` (10.0.1.0/24, fd00:a::/64)` in the family of `to`, or nothing.
    fn subnet_list(&self, j: usize, to: IpAddr) -> String {
        let Some(jail) = self.reach.host().jails.get(j) else {
            return String::new();
        };
        let nets: Vec<String> = jail
            .interfaces
            .iter()
            .filter(|i| !i.name.is_empty())
            .flat_map(|i| i.addrs.iter())
            .filter(|a| a.net.addr().is_ipv4() == to.is_ipv4())
            .map(|a| a.net.trunc().to_string())
            .collect();
        if nets.is_empty() {
            String::new()
        } else {
            format!(" ({})", short_list(&nets))
        }
    }

    /// A `route default via` line through a forwarding jail that shares a
    /// subnet with `j`, if there is one.
    fn route_help(&self, j: usize, to: IpAddr) -> String {
        let host = self.reach.host();
        let name = self.jail_name(j);
        if let Some(jail) = host.jails.get(j) {
            for iface in jail.interfaces.iter().filter(|i| !i.name.is_empty()) {
                for &(r, ri) in self.reach.forwarders(iface.segment) {
                    if r == j {
                        continue;
                    }
                    let Some(router_iface) = host.jails.get(r).and_then(|r| r.interfaces.get(ri))
                    else {
                        continue;
                    };
                    for g in &router_iface.addrs {
                        let g = g.net.addr();
                        if g.is_ipv4() == to.is_ipv4()
                            && iface.addrs.iter().any(|a| a.net.contains(&g))
                        {
                            return format!(
                                "add `route default via {g}` to `jail {name} {{ … }}`: `{}` forwards on {}",
                                self.jail_name(r),
                                self.reach.segment_name(iface.segment)
                            );
                        }
                    }
                }
            }
        }
        format!(
            "give `{name}` a route to {to} through a jail with `forwarding` on one of its segments"
        )
    }

    /// E0802: a `!reaches` with a round trip inside the host.
    fn reaches_anyway(&self, p: &Probe) -> Diagnostic {
        let mut d = Diagnostic::new(
            "E0802",
            format!(
                "{} reaches {}, but the file expects it not to",
                self.from(),
                self.target()
            ),
            self.e.span,
            format!("{} reaches {} and gets replies", self.from(), p.target),
        );
        let routers: Vec<String> = p
            .there
            .visits
            .iter()
            .skip(1)
            .filter(|v| v.out.is_some())
            .map(|v| self.who(v.node))
            .collect();
        let route_labels = p.there.visits.iter().filter_map(|v| match (v.node, v.out) {
            (Node::Jail(j), Some(out)) => {
                let span = out.route.and_then(|r| self.route_span(j, r))?;
                let name = self.jail_name(j);
                Some((
                    span,
                    format!("`{name}` routes {} to {}", p.target, out.next),
                ))
            }
            _ => None,
        });
        for (span, label) in route_labels.take(4) {
            d = d.with_secondary(span, label);
        }
        let first = p
            .there
            .visits
            .first()
            .and_then(|v| v.out.map(|o| (v.node, o)));
        if routers.is_empty() {
            if let Some((node, out)) = first
                && let Some(s) = self.iface_span(node, out.iface)
            {
                let seg = self.reach.segment_name(out.segment);
                d = d.with_secondary(s, format!("{} has {} on {seg}", self.from(), out.source));
            }
            if let Some((s, l)) = self.owner_label(p.target) {
                d = d.with_secondary(s, format!("{l}, in the same subnet"));
            }
        }
        for n in self.path_notes(p) {
            d = d.with_note(n);
        }
        let help = if first.is_none() {
            format!(
                "{} is {}'s own address: a jail always reaches itself",
                p.target,
                self.from()
            )
        } else if !routers.is_empty() {
            format!(
                "the path runs through {}, which {}: remove the route that leads there, or the `forwarding`",
                and_list(&routers),
                if routers.len() == 1 {
                    "forwards"
                } else {
                    "forward"
                },
            )
        } else {
            let seg = first.map_or(String::new(), |(_, o)| self.reach.segment_name(o.segment));
            format!(
                "{} and {} share {seg} and a subnet: put them on different segments or in different subnets",
                self.from(),
                self.target()
            )
        };
        d.with_help(help)
    }

    /// E0803: a `reaches` with no address to probe.
    fn nothing_to_reach(&self) -> Diagnostic {
        let host = self.reach.host();
        let from = self.from();
        let mine = self.reach.addresses(Node::Jail(self.e.from));
        let slaac = |j: usize| {
            host.jails
                .get(j)
                .is_some_and(|j| j.interfaces.iter().any(|i| i.slaac.is_some()))
        };
        let (message, label, mut notes, help, any_slaac) = match self.e.target {
            ExpectTarget::Jail(b) => {
                let theirs = self.reach.addresses(Node::Jail(b));
                let target = self.target();
                (
                    format!("{target} has no address {from} could reach"),
                    format!("no address of {target} is in a family {from} has"),
                    vec![format!(
                        "{from} has {}; {target} has {}",
                        families(&mine),
                        families(&theirs)
                    )],
                    format!("give {from} and {target} addresses in one family"),
                    slaac(self.e.from) || slaac(b),
                )
            }
            ExpectTarget::Addr(a) => {
                let fam = family(a);
                (
                    format!("{from} has no {fam} address to reach {a} from"),
                    format!("{a} is {fam}; {from} has no {fam} address"),
                    Vec::new(),
                    format!("give {from} an {fam} address"),
                    a.is_ipv6() && slaac(self.e.from),
                )
            }
        };
        if any_slaac {
            notes.push(
                "a `slaac` address is assigned at run time: vjc cannot check what reaches it"
                    .to_string(),
            );
        }
        let mut d = Diagnostic::new("E0803", message, self.e.span, label);
        for n in notes {
            d = d.with_note(n);
        }
        d.with_help(help)
    }

    /// For a walk that leaves what the file describes: the primary label,
    /// secondary labels, and the segment it leaves through.
    fn leaving(&self, p: &Probe) -> (String, Vec<(Span, String)>, Option<String>) {
        let walk: &Walk = p.deciding_walk();
        let to = walk.to;
        let subject = if p.there.end == End::Arrived {
            format!("the reply to {to}")
        } else {
            format!("packets to {to}")
        };
        match walk.end {
            End::Left(Leave::Segment { segment, addr }) => {
                let seg = self.reach.segment_name(segment);
                let labels = self
                    .exit_label(segment)
                    .into_iter()
                    .chain(self.owner_label(to))
                    .collect();
                let label = if addr == to {
                    format!("{subject} leave the host through {seg}: nobody inside has {to} there")
                } else {
                    format!("{subject} leave the host through {seg}, to gateway {addr} outside")
                };
                (label, labels, Some(seg))
            }
            _ => (
                format!(
                    "the host would send {subject} by its own routes, which this file does not give"
                ),
                Vec::new(),
                None,
            ),
        }
    }

    fn with_leaving(
        &self,
        p: &Probe,
        code: &'static str,
        message: String,
    ) -> (Diagnostic, Option<String>) {
        let (label, labels, seg) = self.leaving(p);
        let mut d = Diagnostic::new(code, message, self.e.span, label);
        for (s, l) in labels {
            d = d.with_secondary(s, l);
        }
        for n in self.path_notes(p) {
            d = d.with_note(n);
        }
        (d, seg)
    }

    /// W0801: a `reaches` whose path leaves the host.
    fn cannot_prove(&self, p: &Probe) -> Diagnostic {
        let message = format!(
            "cannot prove that {} reaches {}: the path leaves the host",
            self.from(),
            self.target()
        );
        match self.with_leaving(p, "W0801", message) {
            (d, Some(seg)) => d
                .with_note(format!(
                    "whether the network behind {seg} carries it on is not in this file"
                ))
                .with_help("keep the path inside the host (one bridge, or a jail with `forwarding`), or `silence W0801` if the outside network is known to join them"),
            (d, None) => d
                .with_note("vjc writes no routes for the host: it reaches only its own subnets directly")
                .with_help("check from a jail on one of the host's subnets, or `silence W0801` if the host's routes are known to lead back"),
        }
    }

    /// W0802: a `!reaches` that holds inside the host, whose packets leave
    /// it.
    fn outside_could_join(&self, p: &Probe) -> Diagnostic {
        let message = format!(
            "{} does not reach {} inside the host, but the outside network could join them",
            self.from(),
            self.target()
        );
        let (d, seg) = self.with_leaving(p, "W0802", message);
        let behind = seg.map_or("the host's own routes".to_string(), |s| {
            format!("the switch or router behind {s}")
        });
        d.with_note(format!(
            "the `!reaches` holds inside the host; what {behind} does is not in this file"
        ))
        .with_help(format!(
            "to be sure, keep {}'s packets to {} inside the host, or `silence W0802` if the outside network keeps them apart",
            self.from(),
            p.target
        ))
    }
}

/// What an E0801 says about where a walk stops.
struct Story {
    label: String,
    secondary: Vec<(Span, String)>,
    /// The FreeBSD behaviour behind it.
    why: String,
    help: String,
}

/// "IPv4 addresses only", "IPv4 and IPv6 addresses", "no address".
fn families(addrs: &[IpAddr]) -> &'static str {
    let v4 = addrs.iter().any(IpAddr::is_ipv4);
    let v6 = addrs.iter().any(IpAddr::is_ipv6);
    match (v4, v6) {
        (true, true) => "IPv4 and IPv6 addresses",
        (true, false) => "IPv4 addresses only",
        (false, true) => "IPv6 addresses only",
        (false, false) => "no address",
    }
}

/// "`a`", "`a` and `b`", "`a`, `b` and `c`".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// At most four items, comma-separated.
fn short_list(items: &[String]) -> String {
    if items.len() <= 4 {
        items.join(", ")
    } else {
        format!("{}, … ({} in all)", items[..4].join(", "), items.len())
    }
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0801",
        title: "a `reaches` expectation fails inside the host",
        explanation: "\
`expect A reaches B` promises that a ping from A gets an answer from every
address of B (in the families A has). vjc follows the packet as FreeBSD would,
and then the reply, and one of them is dropped inside the host. The notes show
the path and where it stops:

- no route: a jail sends only where one of its subnets or a `route` covers the
  destination (longest prefix first). Give it a route, usually
  `route default via <a router on its subnet>`.
- a jail without `forwarding`: FreeBSD drops a packet addressed to someone else
  unless net.inet.ip.forwarding (net.inet6.ip6.forwarding) is on. Add
  `forwarding` to the jail that is meant to route.
- the host: vjc never makes the host a router; route through a jail.
- nobody on the segment has the address: ARP and NDP look for an on-link
  address among the members of that one segment, so two jails in one subnet
  on two bridges do not meet.
- a gateway outside the jail's subnets: a gateway is found by ARP/NDP too.
- a loop, or more than 63 routers: the TTL (64) runs out.

The reply matters as much as the packet: the target needs a route back to the
source's address.",
    },
    CodeInfo {
        code: "E0802",
        title: "a `!reaches` expectation fails: the two reach each other",
        explanation: "\
`expect A !reaches B` promises that no address of B answers a ping from A. vjc
found a round trip inside the host: the notes show the path there and back.
If the two share a segment and a subnet, put them on different segments (or
subnets); if the path runs through jails with `forwarding`, remove the route
that leads there or keep the router out of the path.",
    },
    CodeInfo {
        code: "E0803",
        title: "a `reaches` expectation with nothing to reach",
        explanation: "\
`expect A reaches B` checks every address of B in a family A has, and
`expect A reaches X` needs A to have an address in X's family. Here there is
no such address: for example A has IPv4 only and B IPv6 only, or B's only
IPv6 address is `slaac`, which is assigned at run time and cannot be checked.
Give both an address in one family.",
    },
    CodeInfo {
        code: "W0801",
        title: "a `reaches` expectation cannot be proved inside the host",
        explanation: "\
The packet (or its reply) leaves what the file describes: it goes out through
a segment that reaches the outside switch (a bridge's `uplink` or `vlan`
member, a direct-bound `vlan` or `iface`) to an address nobody inside the host
has there, or it is the host's reply, which follows the host's own routes
(vjc writes none). Whether the outside network carries it on is not in the
file, so vjc can neither prove nor refute the expectation.

Two jails on two VLANs of one subnet are the usual case: only the switch can
join them. Keep the path inside the host (one bridge with the VLAN as a
member, or a jail with `forwarding`), or `silence W0801` when the outside
network is known to join them.",
    },
    CodeInfo {
        code: "W0802",
        title: "a `!reaches` expectation holds only inside the host",
        explanation: "\
Inside the host there is no round trip, so the `!reaches` holds there, but
the packet (or its reply) leaves through a segment that reaches the outside
switch, or by the host's own routes. The switch, a router or a cable outside
could still carry it to the target and back, and the file cannot say.

This is a warning rather than silence because an isolation promise that rests
on equipment outside the file is one the author should confirm; it is not
reported when the packet is dropped inside the host, where nothing outside
could join the two. Keep the packets inside the host (no subnet or route out
through that segment), or `silence W0802` when the outside network is known
to keep them apart.",
    },
];
