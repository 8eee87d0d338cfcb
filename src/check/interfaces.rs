//! Interfaces: VLAN ids vlan(4) accepts, one place for each interface
//! (`em0.100` and `vlan 100 on em0` are one interface), and names FreeBSD
//! can hold that do not collide with the ones vjc creates.
//! Bridge MTUs are in `mtu.rs`.

use crate::ast::{self, ItemKind, SegmentKind};
use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::model::{EndPlace, Host, Model, NicRole, VlanPlace};
use crate::span::Span;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// IFNAMSIZ is 16 "including terminating '\0'" (sys/net/if.h): an
/// interface name has at most 15 characters (FREEBSD.md §5).
pub const MAX_IFNAME: usize = 15;

pub fn check(file: &ast::File, model: &Model, out: &mut Vec<Diagnostic>) {
    let headers = segment_headers(file);
    for host in &model.hosts {
        vlan_ids(host, out);
        places(host, &headers, out);
        name_lengths(host, out);
        name_collisions(host, out);
    }
}

/// The header of each direct-bind segment (`iface em1`, `vlan 100 on em0`),
/// by the start of the segment: a use of an interface points there rather
/// than at the whole segment.
fn segment_headers(file: &ast::File) -> HashMap<usize, Span> {
    let mut headers = HashMap::default();
    for item in &file.items {
        if let ItemKind::Segment(seg) = &item.kind {
            let header = match &seg.kind {
                SegmentKind::Iface(name) => Span::new(item.span.start, name.span.end),
                SegmentKind::Vlan(v) => v.span,
                _ => continue,
            };
            headers.insert(item.span.start, header);
        }
    }
    headers
}

/// 802.1Q ids are 12 bits, and vlan(4) reserves two of them: "VID numbers
/// 0x0 and 0xFFF are reserved" (sys/net/if_vlan.c, vlan_config: EINVAL).
pub fn valid_vlan_id(id: u32) -> bool {
    (1..=4094).contains(&id)
}

fn vlan_ids(host: &Host, out: &mut Vec<Diagnostic>) {
    for v in &host.vlans {
        if valid_vlan_id(v.id) {
            continue;
        }
        let message = match v.id {
            0 | 4095 => format!("VLAN id {} is reserved", v.id),
            _ => format!("VLAN id {} is out of range", v.id),
        };
        out.push(
            Diagnostic::new("E0410", message, v.span, "not a usable VLAN id")
                .with_note(
                    "802.1Q VLAN ids are 12 bits; 0 marks priority-tagged frames and 4095 is \
                     reserved, and vlan(4) refuses both (EINVAL)",
                )
                .with_help("use an id from 1 to 4094"),
        );
    }
}

/// One interface, physical or VLAN, as the place rules see it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    Nic(usize),
    Vlan(usize, u32),
}

/// A use that keeps the interface on the host.
#[derive(Clone, Copy)]
enum Kept {
    /// A member of this bridge (an uplink, or a VLAN member).
    Member(usize),
    /// The parent of this VLAN (index into `Host::vlans`).
    Parent(usize),
}

#[derive(Clone, Copy)]
enum Role {
    /// Moved into this jail (a direct-bind segment).
    Moved(usize),
    Kept(Kept),
}

/// The first use of each kind seen so far for one interface.
#[derive(Default)]
struct Seen {
    /// (jail, span)
    moved: Option<(usize, Span)>,
    /// (bridge, span)
    member: Option<(usize, Span)>,
    /// The first use that keeps it on the host.
    kept: Option<(Kept, Span)>,
    /// E0421 already reported for this interface.
    mixed: bool,
}

/// Every use of every interface, in source order, against the first uses
/// before it. Moving an interface into a jail takes it out of the host's
/// stack: a second jail cannot have it, and a bridge or VLAN on the host
/// loses it. A bridge member belongs to one bridge.
fn places(host: &Host, headers: &HashMap<usize, Span>, out: &mut Vec<Diagnostic>) {
    for (n, nic) in host.nics.iter().enumerate() {
        let mut seen = Seen::default();
        for u in &nic.uses {
            let (role, span) = match u.role {
                NicRole::Moved(j) => (
                    Role::Moved(j),
                    headers.get(&u.span.start).copied().unwrap_or(u.span),
                ),
                NicRole::Uplink(b) => (Role::Kept(Kept::Member(b)), u.span),
                NicRole::VlanParent(v) => (Role::Kept(Kept::Parent(v)), u.span),
            };
            visit(host, Key::Nic(n), &mut seen, role, span, out);
        }
    }
    let mut vlans: HashMap<(usize, u32), Seen> = HashMap::default();
    for v in &host.vlans {
        // An invalid id is reported as such (E0410).
        if !valid_vlan_id(v.id) {
            continue;
        }
        let role = match v.place {
            VlanPlace::Bridge(b) => Role::Kept(Kept::Member(b)),
            VlanPlace::Jail(j) => Role::Moved(j),
            VlanPlace::Unused => continue,
        };
        let seen = vlans.entry((v.parent, v.id)).or_default();
        visit(host, Key::Vlan(v.parent, v.id), seen, role, v.span, out);
    }
}

fn visit(
    host: &Host,
    key: Key,
    seen: &mut Seen,
    role: Role,
    span: Span,
    out: &mut Vec<Diagnostic>,
) {
    match role {
        Role::Moved(j) => {
            if let Some(first) = seen.moved {
                out.push(moved_twice(host, key, first, (j, span)));
            } else if let Some(kept) = seen.kept
                && !seen.mixed
            {
                seen.mixed = true;
                out.push(moved_and_kept(host, key, (j, span), kept));
            }
            seen.moved.get_or_insert((j, span));
        }
        Role::Kept(kept) => {
            if let (Kept::Member(b), Some(first)) = (kept, seen.member) {
                out.push(two_bridges(host, key, first, (b, span)));
            }
            if let Some(moved) = seen.moved
                && !seen.mixed
            {
                seen.mixed = true;
                out.push(moved_and_kept(host, key, moved, (kept, span)));
            }
            if let Kept::Member(b) = kept {
                seen.member.get_or_insert((b, span));
            }
            seen.kept.get_or_insert((kept, span));
        }
    }
}

/// The interface's name, and how a message names it.
fn named(host: &Host, key: Key) -> (String, String) {
    let nic = |n: usize| host.nics.get(n).map_or("?", |nic| nic.name.as_str());
    match key {
        Key::Nic(n) => (nic(n).to_string(), format!("`{}`", nic(n))),
        Key::Vlan(p, id) => {
            let name = format!("{}.{id}", nic(p));
            let what = format!("`{name}` (VLAN {id} on {})", nic(p));
            (name, what)
        }
    }
}

fn jail(host: &Host, j: usize) -> &str {
    host.jails.get(j).map_or("?", |j| j.name.as_str())
}

fn bridge(host: &Host, b: usize) -> &str {
    host.bridges.get(b).map_or("?", |b| b.name.as_str())
}

/// What a use that keeps the interface on the host does, for a label.
fn kept_label(host: &Host, key: Key, kept: Kept) -> String {
    match kept {
        Kept::Member(b) if matches!(key, Key::Nic(_)) => {
            format!("uplink of bridge `{}`", bridge(host, b))
        }
        Kept::Member(b) => format!("member of bridge `{}`", bridge(host, b)),
        Kept::Parent(v) => format!(
            "parent of `{}`",
            host.vlans.get(v).map_or("?", |v| v.name.as_str())
        ),
    }
}

/// jail(8) runs `ifconfig <if> vnet <jail>` for each `vnet.interface`
/// (usr.sbin/jail/command.c): the interface then lives in that jail's
/// stack, and a second jail finds no such interface on the host.
fn moved_twice(host: &Host, key: Key, first: (usize, Span), again: (usize, Span)) -> Diagnostic {
    let (name, what) = named(host, key);
    let ((j1, first), (j2, again)) = (first, again);
    let (a, b) = (jail(host, j1), jail(host, j2));
    let message = if j1 == j2 {
        format!("{what} is moved into jail `{a}` twice")
    } else {
        format!("{what} is moved into two jails")
    };
    let mut d = Diagnostic::new(
        "E0420",
        message,
        again,
        format!("moved into jail `{b}` here"),
    )
    .with_secondary(first, format!("first used here, moved into jail `{a}`"));
    if j1 == j2 {
        return d
            .with_note("one interface can be moved into one jail once")
            .with_help("remove one of the two segments");
    }
    d = d.with_note(format!(
        "jail(8) moves `{name}` into `{a}`'s network stack (`vnet.interface`): when `{b}` starts, \
         `{name}` is no longer on the host, and `{b}` does not start"
    ));
    match key {
        Key::Vlan(p, id) => {
            let parent = host.nics.get(p).map_or("?", |n| n.name.as_str());
            d.with_help(format!(
                "if this segment is meant for another VLAN, change its id; to put both jails on \
                 VLAN {id}, bridge them: `bridge NAME < vlan {id} on {parent}; jail {a} …; jail {b} … >`"
            ))
        }
        Key::Nic(_) => d.with_help(format!(
            "give each jail its own NIC or VLAN, or bridge them: \
             `bridge NAME < uplink {name}; jail {a} …; jail {b} … >`"
        )),
    }
}

/// Moving an interface out of the host's stack departs it there
/// (sys/net/if.c if_vmove → if_detach_internal raises
/// ifnet_departure_event): if_bridge drops it as a member
/// (bridge_ifdetach) and vlan(4) unconfigures the VLANs on it
/// (vlan_ifdetach).
fn moved_and_kept(host: &Host, key: Key, moved: (usize, Span), kept: (Kept, Span)) -> Diagnostic {
    let (name, what) = named(host, key);
    let ((j, moved), (kept, kept_span)) = (moved, kept);
    let into = jail(host, j);
    let lost = match kept {
        Kept::Member(br) => format!("if_bridge drops it from bridge `{}`", bridge(host, br)),
        Kept::Parent(v) => format!(
            "vlan(4) unconfigures `{}` and any other VLAN on it",
            host.vlans.get(v).map_or("?", |v| v.name.as_str())
        ),
    };
    let help = match (key, kept) {
        (Key::Vlan(..), Kept::Member(br)) => format!(
            "to put jail `{into}` on this VLAN with bridge `{}`'s members, attach it to the \
             bridge: `jail {into} …` inside `bridge {} < … >`",
            bridge(host, br),
            bridge(host, br)
        ),
        _ => format!(
            "keep `{name}` on the host and give jail `{into}` a VLAN on it \
             (`vlan ID on {name} < jail {into} … >`) or a port on a bridge, or move another NIC \
             into the jail"
        ),
    };
    let moved_label = format!("moved into jail `{into}` here");
    let kept_label = format!("{} here", kept_label(host, key, kept));
    let (primary, p_label, secondary, s_label) = if moved >= kept_span {
        (moved, moved_label, kept_span, kept_label)
    } else {
        (kept_span, kept_label, moved, moved_label)
    };
    Diagnostic::new(
        "E0421",
        format!("{what} is moved into jail `{into}` but is also used on the host"),
        primary,
        p_label,
    )
    .with_secondary(secondary, s_label)
    .with_note(format!(
        "once jail(8) moves `{name}` into `{into}`, it leaves the host's network stack: {lost}"
    ))
    .with_help(help)
}

/// bridge_ioctl_add refuses an interface already in this bridge (EEXIST)
/// or in another one (EBUSY) (sys/net/if_bridge.c).
fn two_bridges(host: &Host, key: Key, first: (usize, Span), again: (usize, Span)) -> Diagnostic {
    let (_, what) = named(host, key);
    let ((b1, first), (b2, again)) = (first, again);
    if b1 == b2 {
        return Diagnostic::new(
            "E0422",
            format!("{what} is listed twice in bridge `{}`", bridge(host, b1)),
            again,
            "listed again",
        )
        .with_secondary(first, "first used here")
        .with_note("if_bridge refuses to add a member it already has (EEXIST)")
        .with_help("remove one of the two");
    }
    let message = match key {
        Key::Nic(_) => format!("{what} is an uplink of two bridges"),
        Key::Vlan(..) => format!("{what} is a member of two bridges"),
    };
    Diagnostic::new(
        "E0422",
        message,
        again,
        format!("{} here", kept_label(host, key, Kept::Member(b2))),
    )
    .with_secondary(
        first,
        format!("first used here, {}", kept_label(host, key, Kept::Member(b1))),
    )
    .with_note("an interface belongs to one bridge at most: if_bridge refuses a member of another bridge (EBUSY)")
    .with_help(format!(
        "to join the two networks, merge `{}` and `{}` into one bridge; otherwise give each its own uplink or VLAN",
        bridge(host, b1),
        bridge(host, b2)
    ))
}

/// Names longer than IFNAMSIZ - 1: a NIC cannot be called so, and
/// creating or renaming an interface to such a name fails (`ifconfig:
/// ioctl SIOCSIFNAME (set name): File name too long`, FREEBSD.md §5).
/// Epairs (`epairNb`) and created bridges (`bridgeN`) would need a billion
/// units to reach 16 characters.
fn name_lengths(host: &Host, out: &mut Vec<Diagnostic>) {
    let limit_note = format!(
        "FreeBSD interface names hold at most {MAX_IFNAME} characters (IFNAMSIZ is 16 with the \
         terminating NUL, sys/net/if.h)"
    );
    for nic in &host.nics {
        if nic.name.len() > MAX_IFNAME {
            out.push(
                Diagnostic::new(
                    "E0430",
                    format!(
                        "interface name `{}` is longer than {MAX_IFNAME} characters",
                        nic.name
                    ),
                    nic.span,
                    format!("{} characters", nic.name.len()),
                )
                .with_note(format!("{limit_note}: no NIC can be called so"))
                .with_help("give the NIC's name as `ifconfig -l` lists it"),
            );
        }
    }
    let mut vlans = HashSet::default();
    for v in &host.vlans {
        let parent_too_long = host
            .nics
            .get(v.parent)
            .is_none_or(|n| n.name.len() > MAX_IFNAME);
        if v.name.len() <= MAX_IFNAME || parent_too_long || !vlans.insert(v.name.as_str()) {
            continue;
        }
        let parent = &host.nics[v.parent].name;
        out.push(
            Diagnostic::new(
                "E0430",
                format!(
                    "VLAN interface name `{}` is longer than {MAX_IFNAME} characters",
                    v.name
                ),
                v.span,
                format!("makes `{}`, {} characters", v.name, v.name.len()),
            )
            .with_note(format!(
                "`vlan {} on {parent}` is the interface `{}`, which rc.conf's `vlans_{}` creates",
                v.id,
                v.name,
                crate::model::rc_name(parent)
            ))
            .with_note(limit_note.clone())
            .with_help(format!(
                "give {parent} a shorter name on the host (`ifconfig_{}_name` in rc.conf) and use \
                 that name here",
                crate::model::rc_name(parent)
            )),
        );
    }
    for b in &host.bridges {
        if b.name.len() <= MAX_IFNAME {
            continue;
        }
        let mut d = Diagnostic::new(
            "E0430",
            format!(
                "bridge name `{}` is longer than {MAX_IFNAME} characters",
                b.name
            ),
            b.span,
            format!("{} characters", b.name.len()),
        );
        if b.created != b.name {
            d = d.with_note(format!(
                "vjc creates the bridge as `{}` and renames it at boot (`ifconfig_{}_name`): the \
                 rename fails with `File name too long`",
                b.created, b.created_rc
            ));
        }
        out.push(
            d.with_note(limit_note.clone())
                .with_help(format!("choose a name of {MAX_IFNAME} characters or fewer")),
        );
    }
}

/// A name vjc creates for an interface of its own.
#[derive(Clone, Copy)]
enum Created {
    /// An end of this epair.
    Epair(usize),
    /// The name this bridge is created under (`bridgeN`).
    Bridge(usize),
}

/// A NIC written with a name vjc gives one of its own interfaces
/// (`uplink epair0a`, `iface bridge0` when a renamed bridge is created as
/// bridge0), or a renamed bridge named like a NIC or an epair of the file:
/// two interfaces cannot share a name, and renaming onto a taken name fails
/// (SIOCSIFNAME: EEXIST, sys/net/if.c if_rename). cloned_interfaces creates
/// vjc's epairs and bridges at boot before any rename.
fn name_collisions(host: &Host, out: &mut Vec<Diagnostic>) {
    let n = 2 * host.epairs.len() + host.bridges.len();
    let mut created: HashMap<&str, Created> =
        HashMap::with_capacity_and_hasher(n, Default::default());
    for (e, epair) in host.epairs.iter().enumerate() {
        created.insert(&epair.a.name, Created::Epair(e));
        created.insert(&epair.b.name, Created::Epair(e));
    }
    for (b, br) in host.bridges.iter().enumerate() {
        created.entry(&br.created).or_insert(Created::Bridge(b));
    }
    for nic in &host.nics {
        let Some(&origin) = created.get(nic.name.as_str()) else {
            continue;
        };
        let d = match origin {
            Created::Epair(e) => epair_taken(host, e, &nic.name, nic.span, false),
            Created::Bridge(b) => {
                let br = &host.bridges[b];
                if br.created != br.name {
                    Diagnostic::new(
                        "E0431",
                        format!(
                            "`{}` is the name vjc creates bridge `{}` under",
                            nic.name, br.name
                        ),
                        nic.span,
                        "used here as a physical interface",
                    )
                    .with_secondary(
                        br.span,
                        format!("created as `{}`, then renamed `{}`", br.created, br.name),
                    )
                    .with_note(format!(
                        "a bridge not named `bridgeN` is created as the lowest free `bridgeN` and \
                         renamed at boot (`ifconfig_{}_name`)",
                        br.created_rc
                    ))
                    .with_help("give the physical interface's own name; jails join a bridge as its members")
                } else {
                    same_name(nic.span, br.span, &nic.name)
                }
            }
        };
        out.push(d);
    }
    let nics: HashMap<&str, Span> = host
        .nics
        .iter()
        .map(|n| (n.name.as_str(), n.span))
        .collect();
    for br in &host.bridges {
        if br.created == br.name {
            continue;
        }
        if let Some(&nic_span) = nics.get(br.name.as_str()) {
            out.push(same_name(nic_span, br.span, &br.name).with_note(format!(
                "vjc creates the bridge as `{}` and renames it at boot: the rename fails (EEXIST) \
                 while the NIC `{}` exists",
                br.created, br.name
            )));
        } else if let Some(&Created::Epair(e)) = created.get(br.name.as_str()) {
            out.push(
                epair_taken(host, e, &br.name, br.span, true).with_note(format!(
                    "vjc creates its epairs before its bridges, so `{}` exists when `{}` is \
                     renamed: the rename fails (EEXIST)",
                    br.name, br.created
                )),
            );
        }
    }
}

/// `name`, written at `span`, is an end of vjc's epair `e`.
fn epair_taken(host: &Host, e: usize, name: &str, span: Span, bridge: bool) -> Diagnostic {
    let label = if bridge {
        "bridge named here"
    } else {
        "used here as a physical interface"
    };
    let epair = &host.epairs[e];
    let mut d = Diagnostic::new(
        "E0431",
        format!("`{name}` is the name of an epair vjc creates"),
        span,
        label,
    );
    // The member the epair is created for: a jail holds one of its ends.
    let member = [&epair.a, &epair.b]
        .into_iter()
        .find_map(|end| match end.place {
            EndPlace::Jail(j) => host
                .jails
                .get(j)?
                .interfaces
                .iter()
                .find(|i| i.name == end.name)
                .map(|i| i.span),
            _ => None,
        });
    if let Some(s) = member {
        d = d.with_secondary(
            s,
            format!(
                "vjc creates `{}` ({}, {}) for this member",
                epair.name, epair.a.name, epair.b.name
            ),
        );
    }
    d.with_note(
        "vjc numbers its epairs epair0, epair1, … in source order and creates them at boot; \
         epair(4) names the two ends `epairNa` and `epairNb`",
    )
    .with_help(if bridge {
        "rename the bridge: names `epairNa` and `epairNb` belong to vjc's epairs"
    } else {
        "give the physical interface's own name: vjc's epairs are never written in the file"
    })
}

/// A bridge and a physical interface written with one name.
fn same_name(nic: Span, bridge: Span, name: &str) -> Diagnostic {
    let (primary, p_label, secondary, s_label) = if bridge >= nic {
        (
            bridge,
            "bridge named here",
            nic,
            "physical interface used here",
        )
    } else {
        (
            nic,
            "physical interface used here",
            bridge,
            "bridge named here",
        )
    };
    Diagnostic::new(
        "E0431",
        format!("`{name}` names both a bridge and a physical interface"),
        primary,
        p_label,
    )
    .with_secondary(secondary, s_label)
    .with_help("rename the bridge: one name stands for one interface")
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0410",
        title: "VLAN id out of range",
        explanation: "\
802.1Q VLAN ids are 12 bits. Id 0 marks priority-tagged frames and 4095 (0xFFF)
is reserved, and vlan(4) refuses both: \"VID numbers 0x0 and 0xFFF are
reserved\" (sys/net/if_vlan.c, vlan_config returns EINVAL). Use an id from 1 to
4094, the one the switch port carries.",
    },
    CodeInfo {
        code: "E0420",
        title: "interface moved into two jails",
        explanation: "\
A direct-bound `iface` or `vlan` segment moves the interface into its jail:
jail(8) runs `ifconfig <if> vnet <jail>` for `vnet.interface`, and from then
on the interface lives in that jail's network stack. A second segment with the
same interface cannot have it: its jail finds no such interface on the host
and does not start. `em0.100` and `vlan 100 on em0` are the same interface.

A common cause is a copied line whose VLAN id was not changed:

    vlan 200 on em0 < jail test2 192.168.0.2/24 >
    vlan 200 on em0 < jail test3 192.168.0.3/24 >   # meant 300

To put several jails on one VLAN or NIC, bridge them:

    bridge vlan200 < vlan 200 on em0; jail test2 ...; jail test3 ... >",
    },
    CodeInfo {
        code: "E0421",
        title: "interface moved into a jail and used on the host",
        explanation: "\
Moving an interface into a jail takes it out of the host's network stack
(if_vmove departs it): if_bridge drops it as a member, and vlan(4)
unconfigures the VLANs whose parent it is. So an interface cannot be both
direct-bound to a jail (`iface em0 < jail a ... >`) and an uplink, a VLAN
parent, or a bridge member on the host.

Keep the NIC on the host and give the jail a VLAN on it (`vlan 100 on em0 <
jail a ... >`) or a port on a bridge; or move another NIC into the jail.",
    },
    CodeInfo {
        code: "E0422",
        title: "interface in two bridges",
        explanation: "\
An interface is a member of one bridge at most: if_bridge refuses a member of
another bridge with EBUSY, and one it already has with EEXIST
(bridge_ioctl_add in sys/net/if_bridge.c). `em0.100` and `vlan 100 on em0` are
the same interface. To join two networks, make them one bridge; otherwise give
each bridge its own uplink or VLAN.",
    },
    CodeInfo {
        code: "E0430",
        title: "interface name longer than 15 characters",
        explanation: "\
FreeBSD interface names hold at most 15 characters: IFNAMSIZ is 16 including
the terminating NUL (sys/net/if.h). No NIC can have a longer name; creating a
VLAN `<parent>.<id>` or renaming a bridge to one fails (`ifconfig: ioctl
SIOCSIFNAME (set name): File name too long`). Names vjc derives count too: a
bridge not called `bridgeN` keeps its written name, and `vlan 100 on ixl0` is
the interface `ixl0.100`. Choose shorter names; a NIC can be renamed on the
host with `ifconfig_<nic>_name` in rc.conf.",
    },
    CodeInfo {
        code: "E0431",
        title: "interface name taken",
        explanation: "\
vjc creates interfaces of its own at boot: epairs numbered epair0, epair1, ...
in source order (ends `epairNa` and `epairNb`), and bridges under `bridgeN`
names (a bridge called otherwise is created as the lowest free `bridgeN` and
renamed). A physical interface written with one of these names (`uplink
epair0a`) would be vjc's own interface, and a bridge named like a NIC or epair
of the file (`bridge em0`) cannot be renamed onto a name that exists
(SIOCSIFNAME: EEXIST). Use the NIC's real name, and give bridges names of
their own.",
    },
];
