//! Segment members: which members each segment kind takes and how many
//! (LANGUAGE.md's table), and a jail attached twice to one segment.

use crate::ast::{self, ItemKind, MemberKind, SegmentKind};
use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::span::Span;
use rustc_hash::FxHashMap as HashMap;

pub fn check(file: &ast::File, _model: &Model, out: &mut Vec<Diagnostic>) {
    for item in &file.items {
        if let ItemKind::Segment(seg) = &item.kind {
            segment(seg, item.span, out);
        }
    }
}

fn segment(seg: &ast::Segment, span: Span, out: &mut Vec<Diagnostic>) {
    let (what, header) = match &seg.kind {
        SegmentKind::Bridge { name, .. } => (format!("bridge `{}`", name.node), name.span),
        SegmentKind::Vlan(v) => (format!("`vlan {} on {}`", v.id.node, v.parent.node), v.span),
        SegmentKind::Iface(n) => (format!("`iface {}`", n.node), n.span),
        SegmentKind::Epair(n) => (format!("epair `{}`", n.node), n.span),
    };
    let is_bridge = matches!(seg.kind, SegmentKind::Bridge { .. });
    let mut jails: HashMap<&str, Span> = HashMap::default();
    let mut jail_members = Vec::new();
    let mut host: Option<Span> = None;
    for m in &seg.members {
        match &m.kind {
            MemberKind::Jail { name, .. } => {
                match jails.get(name.node.as_str()) {
                    Some(first) => out.push(
                        Diagnostic::new(
                            "E0303",
                            format!("jail `{}` is attached twice to {what}", name.node),
                            m.span,
                            "attached again",
                        )
                        .with_secondary(*first, "first attached here")
                        .with_help("give the jail all its addresses on this segment in one member"),
                    ),
                    None => {
                        jails.insert(&name.node, m.span);
                    }
                }
                jail_members.push(m.span);
            }
            MemberKind::Host { .. } if is_bridge => match host {
                Some(first) => out.push(
                    Diagnostic::new(
                        "E0304",
                        format!("{what} has two `host` members"),
                        m.span,
                        "second `host`",
                    )
                    .with_secondary(first, "first `host` here")
                    .with_help(
                        "give the host all its addresses on this bridge in one `host` member",
                    ),
                ),
                None => host = Some(m.span),
            },
            MemberKind::Uplink(_) | MemberKind::Vlan(_) if is_bridge => {}
            other => {
                let kind = match other {
                    MemberKind::Host { .. } => "host",
                    MemberKind::Uplink(_) => "uplink",
                    _ => "vlan",
                };
                let article = if kind == "uplink" { "an" } else { "a" };
                out.push(
                    Diagnostic::new("E0301", format!("{what} cannot have {article} `{kind}` member"), m.span, format!("`{kind}` here"))
                        .with_secondary(header, "this segment takes `jail` members only")
                        .with_help(match kind {
                            "host" => "to give the host an address on this network, make it a `bridge` with a `host` member",
                            _ => "uplinks and VLAN members join a `bridge`",
                        }),
                );
            }
        }
    }
    let (wanted, count) = match seg.kind {
        SegmentKind::Bridge { .. } => return,
        SegmentKind::Epair(_) => (2, jail_members.len()),
        _ => (1, jail_members.len()),
    };
    if count == wanted {
        return;
    }
    let message = match (wanted, count) {
        (1, 0) => format!("{what} has no jail"),
        (1, _) => format!("{what} binds one interface directly, but {count} jails are attached"),
        (_, _) => format!(
            "{what} joins exactly two jails, but {count} {} attached",
            if count == 1 { "is" } else { "are" }
        ),
    };
    let primary = jail_members.get(wanted).copied().unwrap_or(span);
    let mut d = Diagnostic::new(
        "E0302",
        message,
        primary,
        if count > wanted {
            "one jail too many"
        } else {
            "too few jails"
        },
    );
    if count > wanted && wanted == 1 {
        d = d
            .with_secondary(jail_members[0], "this jail gets the interface")
            .with_note("a direct-bound interface moves into one jail")
            .with_help("put a bridge in front: `bridge NAME < vlan ID on IF; jail …; jail … >` (then the bridge's MTU rule applies)");
    } else if wanted == 1 {
        d = d.with_help("attach one jail: the interface moves into it");
    } else {
        d = d.with_help(
            "an epair is a cable between two jails: attach exactly two, or use a bridge for more",
        );
    }
    out.push(d);
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0301",
        title: "member not allowed in this segment",
        explanation: "\
Each segment kind takes certain members:

    bridge NAME [mtu N] < jail, host, uplink, vlan ID on IF >
    vlan ID on IF < one jail >       the VLAN interface moves into the jail
    iface IF < one jail >            the NIC moves into the jail
    epair NAME < two jails >         a cable between two jails

A `host`, `uplink` or `vlan` member needs a bridge: only if_bridge(4) joins
several interfaces into one L2 network on the host.",
    },
    CodeInfo {
        code: "E0302",
        title: "wrong number of jails in a segment",
        explanation: "\
A direct-bound `vlan` or `iface` segment moves one interface into one jail
(jail(8) `vnet.interface`): an interface has one owner. To put several jails on
one VLAN or NIC, put a bridge in front:

    bridge lan mtu 1496 < vlan 100 on em0; jail a 10.0.0.1/24; jail b 10.0.0.2/24 >

An `epair` segment is one epair(4), a cable with two ends: exactly two jails.",
    },
    CodeInfo {
        code: "E0303",
        title: "jail attached twice to one segment",
        explanation: "\
Each `jail` member gives the jail one interface on the segment. Two members for
one jail would give it two interfaces on one L2 network, which breaks routing
in the jail. Put all its addresses in one member: `jail web 10.0.0.1/24 fd00::1/64`.",
    },
    CodeInfo {
        code: "E0304",
        title: "two `host` members on one bridge",
        explanation: "\
A `host` member puts the host's own addresses on the bridge interface. The host
has one such interface per bridge: write all its addresses in one `host` member.",
    },
];
