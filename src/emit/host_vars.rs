//! The host's rc.conf variables, computed once for both places that need
//! them: the rc.conf fragment (`rc_conf`) prints them with their comments,
//! and `build.sh` merges them into the host's own rc.conf with sysrc(8).
//! Keeping one list is what makes a host merged by build.sh boot exactly as
//! if the fragment were its rc.conf.
//!
//! The variables come in the fragment's groups, in its order:
//! `cloned_interfaces`; per NIC that carries VLANs its `vlans_<nic>` and the
//! `ifconfig_<nic>` that brings it up; per bridge its rename, its own line
//! (first IPv4 host address inline, then the `addm`s), its first IPv6 host
//! address, further host addresses as aliases, then the `ifconfig_` of each
//! member in `addm` order; a comment-only group for links and NICs that move
//! into jails whole; `jail_enable` and `jail_list`.

use super::rc_conf::{AddrPlan, inet4};
use crate::model::{Bridge, BridgeMember, EndPlace, Host, MemberIface, SegmentKind, VlanPlace};

/// How a host variable is merged into an rc.conf that the host already
/// has. The fragment prints every kind the same way: `name="value"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarKind {
    /// A space-separated list (`cloned_interfaces`, `jail_list`,
    /// `vlans_<nic>`): vjc's words are added after the host's own words,
    /// which are kept.
    List,
    /// A variable about an interface vjc creates: vjc owns it, and a host
    /// that already sets it is refused.
    Scalar,
    /// A switch the host may have turned on itself (`jail_enable`): set,
    /// and owned by vjc only if vjc is the one that turned it on.
    Shared,
    /// The `ifconfig_<nic>` of a physical NIC vjc uses (an uplink, a VLAN
    /// parent): set only when the host configures that NIC neither with
    /// this variable nor with `ifconfig_DEFAULT`; the host's own setting
    /// wins.
    IfUnset,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostVar {
    pub name: String,
    pub value: String,
    pub kind: VarKind,
    /// The fragment's comment at the end of the line, if any.
    pub note: Option<&'static str>,
}

impl HostVar {
    fn new(name: impl Into<String>, value: impl Into<String>, kind: VarKind) -> HostVar {
        HostVar {
            name: name.into(),
            value: value.into(),
            kind,
            note: None,
        }
    }

    /// A physical NIC's `ifconfig_<nic>`: the host may configure it already.
    fn nic(rc_name: &str, mtu: Option<u32>) -> HostVar {
        HostVar {
            note: Some("build.sh sets it only where the host has none"),
            ..HostVar::new(
                format!("ifconfig_{rc_name}"),
                up_value(mtu),
                VarKind::IfUnset,
            )
        }
    }
}

/// Variables under a heading, as the fragment groups them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    /// Comment lines (without `# `) that open the group after a blank line;
    /// empty for the group that follows the fragment's header directly.
    pub heading: Vec<String>,
    pub vars: Vec<HostVar>,
}

/// `up`, or `mtu N up` for an interface that must carry a bridge's MTU
/// (if_bridge(4): every member must have the bridge's MTU).
pub(crate) fn up_value(mtu: Option<u32>) -> String {
    match mtu {
        Some(n) => format!("mtu {n} up"),
        None => "up".to_string(),
    }
}

/// Every rc.conf variable the host needs, in the fragment's order.
pub(crate) fn host_vars(host: &Host) -> Vec<HostVar> {
    groups(host).into_iter().flat_map(|g| g.vars).collect()
}

/// The host's variables in the fragment's groups. List variables with no
/// words are left out, and so is the jails' group of a host without jails:
/// nothing turns `jail_enable` on for no jails.
pub(crate) fn groups(host: &Host) -> Vec<Group> {
    let mut groups = Vec::new();
    if !host.cloned.is_empty() {
        let mut cloned = HostVar::new("cloned_interfaces", host.cloned.join(" "), VarKind::List);
        // network.subr configures interfaces in creation order (`ifconfig
        // -l`), so an epair listed before its bridge is up, with its MTU,
        // before the bridge's `addm` runs (libexec/rc/network.subr
        // `clone_up`).
        if !host.bridges.is_empty() {
            cloned.note = Some("members first: they are configured before addm");
        }
        groups.push(Group {
            heading: Vec::new(),
            vars: vec![cloned],
        });
    }
    groups.extend(vlans(host));
    for bridge in &host.bridges {
        groups.push(self::bridge(host, bridge));
    }
    let moved = moved_whole(host);
    if !moved.is_empty() {
        groups.push(Group {
            heading: moved,
            vars: Vec::new(),
        });
    }
    if !host.jails.is_empty() {
        let names: Vec<&str> = host.jails.iter().map(|j| j.name.as_str()).collect();
        groups.push(Group {
            heading: vec!["Jails".to_string()],
            vars: vec![
                HostVar::new("jail_enable", "YES", VarKind::Shared),
                HostVar::new("jail_list", names.join(" "), VarKind::List),
            ],
        });
    }
    groups
}

/// `vlans_<nic>="100 200"`: network.subr creates `<nic>.<id>` for each
/// numeric entry when it configures the NIC (`childif_create`), so the NIC
/// must be configured (at least `up`) on the host; an uplink's line is in
/// its bridge's group. A NIC that moves into a jail is left to the jail.
fn vlans(host: &Host) -> Vec<Group> {
    let mut groups = Vec::new();
    for (index, nic) in host.nics.iter().enumerate() {
        if nic.vlan_ids.is_empty() || nic.moved_to.is_some() {
            continue;
        }
        let fates: Vec<String> = host
            .vlans
            .iter()
            .filter(|v| v.parent == index)
            .map(|v| match v.place {
                VlanPlace::Bridge(b) => format!("{} on bridge {}", v.name, bridge_name(host, b)),
                VlanPlace::Jail(j) => format!("{} into jail {}", v.name, jail_name(host, j)),
                VlanPlace::Unused => format!("{} unused", v.name),
            })
            .collect();
        let heading = if fates.is_empty() {
            format!("VLANs on {}", nic.name)
        } else {
            format!("VLANs on {}: {}", nic.name, fates.join(", "))
        };
        let ids: Vec<String> = nic.vlan_ids.iter().map(u32::to_string).collect();
        let mut vars = vec![HostVar::new(
            format!("vlans_{}", nic.rc_name),
            ids.join(" "),
            VarKind::List,
        )];
        if nic.uplink_of.is_none() {
            vars.push(HostVar::nic(&nic.rc_name, nic.mtu));
        }
        groups.push(Group {
            heading: vec![heading],
            vars,
        });
    }
    groups
}

/// One group per bridge: rename, address and members, then the lines that
/// bring each member up.
fn bridge(host: &Host, bridge: &Bridge) -> Group {
    let mut notes = Vec::new();
    if bridge.created != bridge.name {
        notes.push(format!("created as {}", bridge.created));
    }
    if let Some(mtu) = bridge.mtu {
        notes.push(format!("mtu {mtu}"));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    // Written into one string: a bridge may have thousands of members.
    let mut heading = format!("{}{notes}: ", bridge.name);
    if bridge.members.is_empty() {
        heading.push_str("no members");
    }
    for (i, m) in bridge.members.iter().enumerate() {
        if i > 0 {
            heading.push_str(", ");
        }
        member_description(host, m, &mut heading);
    }
    let heading = vec![heading];

    let mut vars = Vec::new();
    if bridge.created != bridge.name {
        // Renamed right after creation; from then on it is configured under
        // its new name (libexec/rc/network.subr `ifnet_rename`).
        vars.push(HostVar::new(
            format!("ifconfig_{}_name", bridge.created_rc),
            bridge.name.clone(),
            VarKind::Scalar,
        ));
    }
    let addrs = AddrPlan::new(&bridge.host_addrs);
    let mut words = Vec::new();
    if let Some(v4) = addrs.v4 {
        words.push(inet4(&v4));
    }
    // `addm NAME` for each member, in one string rather than one each.
    let mut addm = String::new();
    for (i, m) in bridge.members.iter().enumerate() {
        if i > 0 {
            addm.push(' ');
        }
        addm.push_str("addm ");
        addm.push_str(&m.name);
    }
    if !addm.is_empty() {
        words.push(addm);
    }
    words.push("up".to_string());
    vars.push(HostVar::new(
        format!("ifconfig_{}", bridge.name_rc),
        words.join(" "),
        VarKind::Scalar,
    ));
    for (name, value) in addrs.rest(&bridge.name_rc) {
        vars.push(HostVar::new(name, value, VarKind::Scalar));
    }
    // The members' own lines, in addm order: the host's epair ends and VLAN
    // interfaces are vjc's; an uplink is one of the host's NICs.
    for member in &bridge.members {
        let var = match member.iface {
            MemberIface::EpairA(e) => host.epairs.get(e).map(|e| {
                HostVar::new(
                    format!("ifconfig_{}", e.a.rc_name()),
                    up_value(e.a.mtu),
                    VarKind::Scalar,
                )
            }),
            MemberIface::Vlan(v) => host.vlans.get(v).map(|v| {
                HostVar::new(
                    format!("ifconfig_{}", v.rc_name),
                    up_value(v.mtu),
                    VarKind::Scalar,
                )
            }),
            // A NIC moved into a jail is the jail's (the checker reports one
            // that is also an uplink).
            MemberIface::Nic(n) => host
                .nics
                .get(n)
                .filter(|n| n.moved_to.is_none())
                .map(|n| HostVar::nic(&n.rc_name, n.mtu)),
        };
        vars.extend(var);
    }
    Group { heading, vars }
}

/// What a bridge member is, for the bridge's heading.
/// How a bridge's heading describes a member, appended to `out`.
fn member_description(host: &Host, member: &BridgeMember, out: &mut String) {
    let pieces: [&str; 3] = match member.iface {
        MemberIface::EpairA(e) => match host.epairs.get(e) {
            Some(epair) => match epair.b.place {
                EndPlace::Jail(j) => [&epair.name, " to jail ", jail_name(host, j)],
                EndPlace::Bridge(b) => [&epair.name, " to bridge ", bridge_name(host, b)],
                EndPlace::Unused => [&epair.name, "", ""],
            },
            None => [&member.name, "", ""],
        },
        MemberIface::Vlan(_) => ["vlan ", &member.name, ""],
        MemberIface::Nic(_) => ["uplink ", &member.name, ""],
    };
    pieces.iter().for_each(|p| out.push_str(p));
}

/// Comments only: epair links between two jails (both ends move; the host
/// just creates them) and NICs handed to a jail.
fn moved_whole(host: &Host) -> Vec<String> {
    let mut notes = Vec::new();
    for segment in &host.segments {
        match segment.kind {
            SegmentKind::Epair(e) => {
                let Some(epair) = host.epairs.get(e) else {
                    continue;
                };
                let end = |place: EndPlace, name: &str| match place {
                    EndPlace::Jail(j) => format!("{name} in jail {}", jail_name(host, j)),
                    EndPlace::Bridge(b) => format!("{name} on bridge {}", bridge_name(host, b)),
                    EndPlace::Unused => format!("{name} unused"),
                };
                notes.push(format!(
                    "epair {}: {}, {}",
                    segment.label,
                    end(epair.a.place, &epair.a.name),
                    end(epair.b.place, &epair.b.name)
                ));
            }
            SegmentKind::Iface(n) => {
                let Some(nic) = host.nics.get(n) else {
                    continue;
                };
                if let Some(j) = nic.moved_to {
                    notes.push(format!(
                        "{} moves into jail {}",
                        nic.name,
                        jail_name(host, j)
                    ));
                }
            }
            SegmentKind::Bridge(_) | SegmentKind::Vlan(_) => {}
        }
    }
    notes
}

fn jail_name(host: &Host, index: usize) -> &str {
    host.jails.get(index).map_or("?", |j| j.name.as_str())
}

fn bridge_name(host: &Host, index: usize) -> &str {
    host.bridges.get(index).map_or("?", |b| b.name.as_str())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::emit::fixtures::sample_host;

    #[test]
    fn fragment_shapes_in_order() {
        let vars = host_vars(&sample_host());
        let got: Vec<(&str, &str, VarKind)> = vars
            .iter()
            .map(|v| (v.name.as_str(), v.value.as_str(), v.kind))
            .collect();
        use VarKind::*;
        assert_eq!(
            got,
            vec![
                ("cloned_interfaces", "epair0 bridge0", List),
                ("vlans_em2", "5 7", List),
                ("ifconfig_em2", "up", IfUnset),
                ("ifconfig_bridge0_name", "lab-a", Scalar),
                (
                    "ifconfig_lab_a",
                    "inet 10.0.0.254/24 addm epair0a addm em1 addm em2.5 up",
                    Scalar
                ),
                ("ifconfig_lab_a_ipv6", "inet6 fd00::fe prefixlen 64", Scalar),
                ("ifconfig_lab_a_alias0", "inet 10.0.0.253/32", Scalar),
                ("ifconfig_epair0a", "mtu 9000 up", Scalar),
                ("ifconfig_em1", "mtu 9000 up", IfUnset),
                ("ifconfig_em2_5", "mtu 9000 up", Scalar),
                ("jail_enable", "YES", Shared),
                ("jail_list", "web db", List),
            ]
        );
    }

    #[test]
    fn no_jails_no_interfaces_no_variables() {
        let mut host = sample_host();
        host.jails.clear();
        host.bridges.clear();
        host.epairs.clear();
        host.vlans.clear();
        host.nics.clear();
        host.cloned.clear();
        assert!(host_vars(&host).is_empty());
    }

    #[test]
    fn a_moved_nic_is_left_to_its_jail() {
        let mut host = sample_host();
        host.nics[0].uplink_of = None;
        host.nics[0].moved_to = Some(0);
        let vars = host_vars(&host);
        assert!(!vars.iter().any(|v| v.name == "ifconfig_em1"));
    }
}
