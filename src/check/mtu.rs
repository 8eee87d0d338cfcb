//! Bridge MTUs: every member of an if_bridge must have the bridge's MTU, and
//! a declared `mtu` must be one FreeBSD and the segment's protocols accept.
//!
//! The seed's main pitfall: a VLAN member's MTU is its parent's, 4 less when
//! the parent NIC lacks VLAN_MTU, while an epair starts at 1500; without a
//! declared `mtu` the bridge refuses whichever member differs.

use crate::ast::{self, ItemKind, SegmentKind};
use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::model::{Host, Model, NicRole, VlanPlace};
use crate::span::Span;
use rustc_hash::FxHashSet as HashSet;

/// IF_MINMTU and IF_MAXMTU (sys/net/if_var.h): ifhwioctl refuses an MTU
/// outside them with EINVAL (sys/net/if.c, SIOCSIFMTU). 72 is "a TCP/IP
/// header (40) + the minimum mss (32)".
pub const IF_MINMTU: u32 = 72;
pub const IF_MAXMTU: u32 = 65535;
/// IPV6_MMTU: RFC 8200 §5 asks every link to carry 1280-byte packets, and
/// in6_ifattach does not enable IPv6 on an interface with a smaller MTU
/// (sys/netinet6/in6_ifattach.c, "has too small MTU, IPv6 not enabled").
pub const IPV6_MIN_MTU: u32 = 1280;
/// The datagram size every IPv4 host must accept (RFC 791, RFC 1122
/// §3.3.3); if_bridge's own SIOCSIFMTU refuses less through 14.x
/// (sys/net/if_bridge.c).
pub const IPV4_MIN_DATAGRAM: u32 = 576;
/// ETHERMTU: ether_ioctl refuses a larger MTU on a driver without jumbo
/// frames (sys/net/if_ethersubr.c).
pub const ETHERMTU: u32 = 1500;
/// The largest jumbo frame most NICs and switch ports take.
pub const COMMON_JUMBO_MAX: u32 = 9216;

pub fn check(file: &ast::File, model: &Model, out: &mut Vec<Diagnostic>) {
    let written = written_mtus(file);
    for host in &model.hosts {
        let members = members(host);
        for (b, bridge) in host.bridges.iter().enumerate() {
            let members = &members[b];
            match bridge.mtu {
                None => undeclared(host, b, members, out),
                Some(mtu) => {
                    // The `mtu N` words, when the AST's bridge is this one.
                    let span = written
                        .get(b)
                        .filter(|(name, _)| *name == bridge.name)
                        .and_then(|(_, span)| *span)
                        .unwrap_or(bridge.span);
                    declared(host, b, mtu, span, members, out);
                }
            }
        }
    }
}

/// Each bridge segment's name and the span of its `mtu N`, in source order
/// (the order `Host::bridges` has).
fn written_mtus(file: &ast::File) -> Vec<(&str, Option<Span>)> {
    file.items
        .iter()
        .filter_map(|item| match &item.kind {
            ItemKind::Segment(ast::Segment {
                kind: SegmentKind::Bridge { name, mtu },
                ..
            }) => Some((name.node.as_str(), mtu.as_ref().map(|m| m.span))),
            _ => None,
        })
        .collect()
}

/// A bridge member whose MTU is not vjc's to choose unless `mtu` is given.
#[derive(Debug, Clone)]
struct Member<'h> {
    kind: Kind<'h>,
    span: Span,
}

/// Names borrowed from the model: a member list is built for every bridge
/// and rarely reported, so nothing is copied or formatted until it is.
#[derive(Debug, Clone)]
enum Kind<'h> {
    /// `<parent>.<id>`, with the parent NIC's index and name.
    Vlan {
        name: &'h str,
        parent: usize,
        parent_name: &'h str,
    },
    /// A jail's epair, by the end the jail holds (`epairNb`); the host end
    /// (`epairNa`) is derived when a label needs it.
    Epair {
        jail_end: &'h str,
    },
    Uplink {
        nic: &'h str,
    },
}

/// Every bridge's VLAN, epair and uplink members, in source order.
fn members(host: &Host) -> Vec<Vec<Member<'_>>> {
    let mut out: Vec<Vec<Member>> = vec![Vec::new(); host.bridges.len()];
    for v in &host.vlans {
        if let VlanPlace::Bridge(b) = v.place
            && let Some(list) = out.get_mut(b)
        {
            list.push(Member {
                kind: Kind::Vlan {
                    name: &v.name,
                    parent: v.parent,
                    parent_name: host.nics.get(v.parent).map_or("", |n| n.name.as_str()),
                },
                span: v.span,
            });
        }
    }
    for nic in &host.nics {
        for u in &nic.uses {
            if let NicRole::Uplink(b) = u.role
                && let Some(list) = out.get_mut(b)
            {
                list.push(Member {
                    kind: Kind::Uplink { nic: &nic.name },
                    span: u.span,
                });
            }
        }
    }
    for (b, bridge) in host.bridges.iter().enumerate() {
        let Some(seg) = host.segments.get(bridge.segment) else {
            continue;
        };
        for &(j, i) in &seg.attachments {
            let Some(iface) = host.jails.get(j).and_then(|jail| jail.interfaces.get(i)) else {
                continue;
            };
            out[b].push(Member {
                kind: Kind::Epair {
                    jail_end: &iface.name,
                },
                span: iface.span,
            });
        }
    }
    for list in &mut out {
        list.sort_by_key(|m| m.span);
    }
    out
}

/// if_bridge takes its MTU from the first member added and refuses a later
/// member whose MTU differs: "The MTU of the first member interface to be
/// added is used as the bridge MTU, all additional members are required to
/// have exactly the same value" (share/man/man4/if_bridge.4); the kernel
/// logs `invalid MTU` and returns EINVAL (sys/net/if_bridge.c,
/// bridge_ioctl_add). A VLAN's MTU is its parent's less 4 unless the parent
/// has IFCAP_VLAN_MTU (sys/net/if_vlan.c, vlan_config: mtufudge), while an
/// epair starts at 1500 (FREEBSD.md §6): without `mtu`, a VLAN next to
/// anything but VLANs of the same parent may be refused. Recent if_bridge
/// (FreeBSD main) first tries SIOCSIFMTU on the new member instead, which
/// still fails for such a VLAN, and otherwise lowers only the host end of
/// an epair; an explicit `mtu` gives the same result on every release.
fn undeclared(host: &Host, b: usize, members: &[Member], out: &mut Vec<Diagnostic>) {
    let Some((vlan, parent)) = members.iter().find_map(|m| match &m.kind {
        Kind::Vlan { parent, .. } => Some((m, *parent)),
        _ => None,
    }) else {
        return;
    };
    let other = members.iter().find(|m| match &m.kind {
        Kind::Vlan { parent: p, .. } => *p != parent,
        _ => true,
    });
    let Some(other) = other else {
        return;
    };
    let bridge = &host.bridges[b];
    let parent_name = match &vlan.kind {
        Kind::Vlan { parent_name, .. } => parent_name,
        _ => "",
    };
    out.push(
        Diagnostic::new(
            "E0401",
            format!(
                "bridge `{}` mixes a VLAN with other members and declares no `mtu`",
                bridge.name
            ),
            bridge.span,
            "no `mtu` declared",
        )
        .with_secondary(vlan.span, label(&vlan.kind))
        .with_secondary(other.span, label(&other.kind))
        .with_note(
            "if_bridge takes its MTU from the first member added and refuses any member whose \
             MTU differs (`invalid MTU`, EINVAL)",
        )
        .with_note(
            "a VLAN's MTU is its parent's, less 4 bytes for the tag unless the parent NIC has \
             the VLAN_MTU capability (vlan(4)): 1496 on a 1500-byte NIC without it",
        )
        .with_help(format!(
            "declare the bridge's MTU, e.g. `bridge {} mtu 1496 <`: vjc then sets every member, \
             the jails' ends included, to 1496 before `addm` (up to {parent_name}'s own MTU if \
             {parent_name} has VLAN_MTU)",
            bridge.name
        )),
    );
}

/// What a member's MTU is when nobody sets it.
fn label(kind: &Kind) -> String {
    match kind {
        Kind::Vlan {
            name, parent_name, ..
        } => format!("`{name}` has {parent_name}'s MTU, or 4 less without VLAN_MTU"),
        // The jail holds `epairNb`; `epairNa` stays on the bridge.
        Kind::Epair { jail_end } => match jail_end.strip_suffix('b') {
            Some(base) => format!("`{base}a` has epair's MTU, 1500"),
            None => "an epair: MTU 1500".to_string(),
        },
        Kind::Uplink { nic } => format!("`{nic}` keeps the MTU the host gives it"),
    }
}

/// A declared `mtu N`: within what ifconfig accepts, enough for the
/// protocols on the segment, and a warning when it needs jumbo frames from
/// a physical NIC.
fn declared(
    host: &Host,
    b: usize,
    mtu: u32,
    span: Span,
    members: &[Member],
    out: &mut Vec<Diagnostic>,
) {
    let bridge = &host.bridges[b];
    if !(IF_MINMTU..=IF_MAXMTU).contains(&mtu) {
        let side = if mtu < IF_MINMTU {
            format!("below {IF_MINMTU}")
        } else {
            format!("above {IF_MAXMTU}")
        };
        out.push(
            Diagnostic::new(
                "E0402",
                format!(
                    "bridge `{}` declares MTU {mtu}, which FreeBSD refuses",
                    bridge.name
                ),
                span,
                side,
            )
            .with_note(format!(
                "ifconfig refuses an MTU below {IF_MINMTU} (IF_MINMTU: a TCP/IP header and the \
                 smallest MSS) or above {IF_MAXMTU} (IF_MAXMTU) with EINVAL"
            ))
            .with_help("Ethernet's MTU is 1500; with VLAN members on NICs without VLAN_MTU, 1496"),
        );
        return;
    }
    if mtu < IPV6_MIN_MTU
        && let Some(v6) = ipv6_on(host, b)
    {
        out.push(
            Diagnostic::new(
                "E0403",
                format!(
                    "bridge `{}` carries IPv6 but declares MTU {mtu}, below IPv6's minimum of {IPV6_MIN_MTU}",
                    bridge.name
                ),
                span,
                format!("below {IPV6_MIN_MTU}"),
            )
            .with_secondary(v6, "IPv6 on this bridge")
            .with_note(
                "IPv6 needs every link to carry 1280-byte packets (RFC 8200 §5); FreeBSD does not \
                 enable IPv6 on an interface with a smaller MTU (in6_ifattach)",
            )
            .with_help(format!(
                "raise the MTU to {IPV6_MIN_MTU} or more, or keep IPv6 off this bridge"
            )),
        );
        return;
    }
    if mtu < IPV4_MIN_DATAGRAM {
        out.push(
            Diagnostic::new(
                "W0402",
                format!(
                    "bridge `{}` declares MTU {mtu}, below the {IPV4_MIN_DATAGRAM} bytes every IPv4 host must accept",
                    bridge.name
                ),
                span,
                format!("below {IPV4_MIN_DATAGRAM}"),
            )
            .with_note(
                "every IPv4 host must accept 576-byte datagrams (RFC 791, RFC 1122), so protocols \
                 without path MTU discovery send datagrams that large: on this bridge they are \
                 fragmented",
            )
            .with_help(
                "use 1500 (1496 with VLAN members on NICs without VLAN_MTU), or `silence W0402` \
                 if the small MTU is what this lab tests",
            ),
        );
    }
    if mtu > ETHERMTU {
        jumbo(host, b, mtu, span, members, out);
    }
}

/// The first IPv6 address (or `slaac`) of a jail or the host on bridge `b`.
fn ipv6_on(host: &Host, b: usize) -> Option<Span> {
    let seg = host.segments.get(host.bridges[b].segment)?;
    let mut spans = Vec::new();
    for &(j, i) in &seg.attachments {
        if let Some(iface) = host.jails.get(j).and_then(|jail| jail.interfaces.get(i)) {
            spans.extend(
                iface
                    .addrs
                    .iter()
                    .filter(|a| a.net.addr().is_ipv6())
                    .map(|a| a.span),
            );
            spans.extend(iface.slaac);
        }
    }
    spans.extend(
        seg.host_addrs
            .iter()
            .filter(|a| a.net.addr().is_ipv6())
            .map(|a| a.span),
    );
    spans.into_iter().min()
}

/// An MTU above 1500 needs jumbo frames from every physical NIC behind the
/// bridge. vjc sets an uplink's MTU, but ether_ioctl refuses more than
/// ETHERMTU on a driver without jumbo frames (sys/net/if_ethersubr.c); a
/// VLAN refuses an MTU above its parent's, less 4 without VLAN_MTU
/// (sys/net/if_vlan.c, SIOCSIFMTU), and vjc leaves the parent's own MTU to
/// the host (its `ifconfig_<nic>` line is only set where the host has none).
/// Epairs take any MTU up to IF_MAXMTU (sys/net/if_epair.c), so a bridge of
/// jails only needs no warning.
fn jumbo(
    host: &Host,
    b: usize,
    mtu: u32,
    span: Span,
    members: &[Member],
    out: &mut Vec<Diagnostic>,
) {
    let mut parents = HashSet::default();
    let mut labels = Vec::new();
    let mut nics = Vec::new();
    for m in members {
        match &m.kind {
            Kind::Vlan {
                name,
                parent,
                parent_name,
            } => {
                if parents.insert(*parent) {
                    labels.push((
                        m.span,
                        format!(
                            "`{name}` needs {parent_name} at MTU {mtu} or more ({} without VLAN_MTU)",
                            mtu.saturating_add(4)
                        ),
                    ));
                    nics.push(*parent_name);
                }
            }
            Kind::Uplink { nic } => {
                labels.push((m.span, format!("vjc sets `{nic}` to MTU {mtu}")));
                nics.push(*nic);
            }
            Kind::Epair { .. } => {}
        }
    }
    if labels.is_empty() {
        return;
    }
    let bridge = &host.bridges[b];
    let list = nics
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut d = Diagnostic::new(
        "W0401",
        format!(
            "bridge `{}`'s MTU {mtu} needs jumbo frames from {list}",
            bridge.name
        ),
        span,
        "above Ethernet's 1500",
    );
    for (s, l) in labels {
        d = d.with_secondary(s, l);
    }
    let parent_help = members.iter().find_map(|m| match &m.kind {
        Kind::Vlan { parent_name, .. } => Some(*parent_name),
        _ => None,
    });
    d = d.with_note("a NIC driver without jumbo frames refuses an MTU above 1500 (EINVAL)");
    if parent_help.is_some() {
        d = d.with_note(
            "a VLAN refuses an MTU above its parent's (less 4 without VLAN_MTU), and vjc leaves \
             the parent's own MTU to the host",
        );
    }
    if mtu > COMMON_JUMBO_MAX {
        d = d.with_note(format!(
            "most NICs and switch ports stop at an MTU of about {COMMON_JUMBO_MAX}"
        ));
    }
    d = d.with_help(match parent_help {
        Some(p) => format!(
            "set {p}'s own MTU in the host's rc.conf (`ifconfig_{}=\"up mtu {}\"`), and check that every NIC and switch port on the path takes jumbo frames",
            crate::model::rc_name(p),
            mtu.saturating_add(4)
        ),
        None => "check that every NIC and switch port on the path takes jumbo frames".to_string(),
    });
    out.push(d);
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0401",
        title: "bridge mixes a VLAN with other members and declares no MTU",
        explanation: "\
if_bridge(4): \"The MTU of the first member interface to be added is used as the
bridge MTU, all additional members are required to have exactly the same
value.\" A member that differs is refused: the console shows
`bridge0: invalid MTU: 1500(epair0a) != 1496` and `ifconfig ... addm` fails
with EINVAL, so the jails behind it are cut off.

A VLAN interface takes its parent's MTU, less 4 bytes for the 802.1Q tag when
the parent NIC lacks the VLAN_MTU capability (sys/net/if_vlan.c): em0.100 on a
1500-byte NIC is 1500 or 1496. An epair starts at 1500, and an uplink keeps
whatever MTU the host gives it. So a bridge that mixes a VLAN with epairs,
uplinks, or VLANs of another NIC only works by luck.

Recent if_bridge (FreeBSD main) first tries to set a new member to the
bridge's MTU instead: that still fails for a VLAN whose parent cannot carry
it, and otherwise changes only the host end of a jail's epair, leaving the
jail's end at 1500. Either way the result depends on the order of the members.

Declare the bridge's MTU:

    bridge lan mtu 1496 < vlan 100 on em0; jail a 10.0.0.1/24 >

vjc then sets every member to 1496 before `addm`: the epairs' host ends, the
jails' ends (in each jail's rc.conf), uplinks and VLANs. 1496 is safe on any
1500-byte NIC; up to the parent's own MTU works when the parent has VLAN_MTU
(`ifconfig em0` lists it among its options).",
    },
    CodeInfo {
        code: "E0402",
        title: "bridge MTU that FreeBSD refuses",
        explanation: "\
ifconfig refuses an MTU below 72 (IF_MINMTU: a TCP/IP header and the smallest
MSS) or above 65535 (IF_MAXMTU) with EINVAL (sys/net/if.c), so no member could
be set to it. Ethernet's MTU is 1500; use 1496 with VLAN members on NICs
without VLAN_MTU, and more than 1500 only where every NIC takes jumbo frames.",
    },
    CodeInfo {
        code: "E0403",
        title: "bridge MTU below 1280 on a segment that carries IPv6",
        explanation: "\
IPv6 requires every link to carry packets of 1280 bytes (RFC 8200, section 5),
and FreeBSD does not enable IPv6 on an interface whose MTU is smaller
(in6_ifattach: \"too small MTU, IPv6 not enabled\"). The IPv6 addresses on this
bridge would never work. Raise the bridge's MTU to 1280 or more, or keep IPv6
off this bridge.",
    },
    CodeInfo {
        code: "W0401",
        title: "bridge MTU above 1500 needs jumbo frames from a NIC",
        explanation: "\
A bridge's MTU is every member's MTU. Epairs take any MTU, but physical NICs do
not: an Ethernet driver without jumbo-frame support refuses more than 1500
(ether_ioctl, EINVAL), and most NICs and switch ports stop at about 9216.

vjc sets an uplink's MTU itself. A VLAN member can be at most its parent's MTU
(4 less without VLAN_MTU: vlan(4) refuses more), and vjc leaves the parent's
own MTU to the host: give it in the host's rc.conf, e.g.
`ifconfig_em0=\"up mtu 9004\"` for `mtu 9000`. Check the NICs and the switch
ports on the path, then `silence W0401` if all is well.",
    },
    CodeInfo {
        code: "W0402",
        title: "bridge MTU below 576",
        explanation: "\
Every IPv4 host must accept datagrams of 576 bytes (RFC 791, RFC 1122), so
protocols size their packets to fit them: on a smaller link even a DNS answer
is fragmented. if_bridge itself refuses `ifconfig bridgeN mtu` below 576 up to
FreeBSD 14. The MTU is legal for the members, so this is a warning: silence it
if a small MTU is what the lab tests (path MTU discovery, fragmentation).",
    },
];
