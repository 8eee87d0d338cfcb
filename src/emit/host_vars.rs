//! The host's rc.conf variables, computed once for both places that need
//! them: the rc.conf fragment (`rc_conf`) prints them, and `build.sh`
//! merges them into the host's own rc.conf with sysrc(8). Keeping one list
//! is what makes a host merged by build.sh boot exactly as if the fragment
//! were its rc.conf.
//!
//! Order is the fragment's: `cloned_interfaces`; per NIC its `vlans_<nic>`
//! and the `ifconfig_<nic>` that brings an uplink or a VLAN parent up; per
//! bridge its rename, its own line (first IPv4 host address inline, then the
//! `addm`s), its first IPv6 host address, further host addresses as aliases,
//! then the `ifconfig_` of its epair ends and VLAN members; `jail_enable`;
//! `jail_list`.

use crate::model::{EndPlace, Host, VlanPlace};
use std::net::IpAddr;

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
}

impl HostVar {
    fn new(name: impl Into<String>, value: impl Into<String>, kind: VarKind) -> HostVar {
        HostVar {
            name: name.into(),
            value: value.into(),
            kind,
        }
    }
}

/// `up`, or `mtu N up` for an interface that must carry a bridge's MTU
/// (if_bridge(4): every member must have the bridge's MTU).
pub(crate) fn up_value(mtu: Option<u32>) -> String {
    match mtu {
        Some(n) => format!("mtu {n} up"),
        None => "up".to_string(),
    }
}

/// Every rc.conf variable the host needs, in the fragment's order. List
/// variables with no words are left out.
pub(crate) fn host_vars(host: &Host) -> Vec<HostVar> {
    let mut vars = Vec::new();
    if !host.cloned.is_empty() {
        vars.push(HostVar::new(
            "cloned_interfaces",
            host.cloned.join(" "),
            VarKind::List,
        ));
    }

    // Physical NICs: network.subr creates `<nic>.<id>` for each numeric
    // word of vlans_<nic> when it configures the NIC (childif_create), so
    // the NIC must be configured (at least `up`) on the host.
    for nic in &host.nics {
        if nic.moved_to.is_some() {
            continue;
        }
        if !nic.vlan_ids.is_empty() {
            let ids: Vec<String> = nic.vlan_ids.iter().map(u32::to_string).collect();
            vars.push(HostVar::new(
                format!("vlans_{}", nic.rc_name),
                ids.join(" "),
                VarKind::List,
            ));
        }
        if nic.uplink_of.is_some() || !nic.vlan_ids.is_empty() {
            vars.push(HostVar::new(
                format!("ifconfig_{}", nic.rc_name),
                up_value(nic.mtu),
                VarKind::IfUnset,
            ));
        }
    }

    for (bi, bridge) in host.bridges.iter().enumerate() {
        if bridge.created != bridge.name {
            // network.subr ifnet_rename: ifconfig_<if>_name.
            vars.push(HostVar::new(
                format!("ifconfig_{}_name", bridge.created_rc),
                bridge.name.clone(),
                VarKind::Scalar,
            ));
        }
        let first_v4 = bridge
            .host_addrs
            .iter()
            .position(|a| a.net.addr().is_ipv4());
        let first_v6 = bridge
            .host_addrs
            .iter()
            .position(|a| a.net.addr().is_ipv6());
        let mut line = Vec::new();
        if let Some(i) = first_v4 {
            line.push(format!("inet {}", bridge.host_addrs[i].net));
        }
        line.extend(bridge.members.iter().map(|m| format!("addm {m}")));
        line.push("up".to_string());
        vars.push(HostVar::new(
            format!("ifconfig_{}", bridge.name_rc),
            line.join(" "),
            VarKind::Scalar,
        ));
        if let Some(i) = first_v6 {
            vars.push(HostVar::new(
                format!("ifconfig_{}_ipv6", bridge.name_rc),
                inet6(&bridge.host_addrs[i].net),
                VarKind::Scalar,
            ));
        }
        // network.subr ifalias_af_common: ifconfig_<if>_aliasN, each
        // starting with its address family.
        let aliases = bridge
            .host_addrs
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != first_v4 && Some(*i) != first_v6);
        for (k, (_, addr)) in aliases.enumerate() {
            let value = match addr.net.addr() {
                IpAddr::V4(_) => format!("inet {}", addr.net),
                IpAddr::V6(_) => inet6(&addr.net),
            };
            vars.push(HostVar::new(
                format!("ifconfig_{}_alias{k}", bridge.name_rc),
                value,
                VarKind::Scalar,
            ));
        }
        // Members, in addm order: the host's epair ends and VLAN
        // interfaces are vjc's; uplinks are the host's NICs (above).
        for member in &bridge.members {
            let end = host
                .epairs
                .iter()
                .map(|e| &e.a)
                .chain(host.epairs.iter().map(|e| &e.b))
                .find(|end| end.name == *member && end.place == EndPlace::Bridge(bi));
            if let Some(end) = end {
                vars.push(HostVar::new(
                    format!("ifconfig_{}", end.rc_name),
                    up_value(end.mtu),
                    VarKind::Scalar,
                ));
                continue;
            }
            let vlan = host
                .vlans
                .iter()
                .find(|v| v.name == *member && v.place == VlanPlace::Bridge(bi));
            if let Some(vlan) = vlan {
                vars.push(HostVar::new(
                    format!("ifconfig_{}", vlan.rc_name),
                    up_value(vlan.mtu),
                    VarKind::Scalar,
                ));
            }
        }
    }

    if !host.jails.is_empty() {
        vars.push(HostVar::new("jail_enable", "YES", VarKind::Shared));
        let names: Vec<&str> = host.jails.iter().map(|j| j.name.as_str()).collect();
        vars.push(HostVar::new("jail_list", names.join(" "), VarKind::List));
    }
    vars
}

/// `inet6 A prefixlen N`: the form network.subr documents for
/// ifconfig_<if>_ipv6 (libexec/rc/network.subr, ifconfig_up).
fn inet6(net: &ipnet::IpNet) -> String {
    format!("inet6 {} prefixlen {}", net.addr(), net.prefix_len())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ast::{Release, WorldMode};
    use crate::model::*;
    use crate::span::Span;

    fn addr(s: &str) -> Addr {
        Addr {
            net: s.parse().unwrap(),
            span: Span::default(),
        }
    }

    fn jail(name: &str, path: &str) -> Jail {
        Jail {
            name: name.into(),
            span: Span::default(),
            hostname: name.into(),
            path: path.into(),
            path_span: Span::default(),
            interfaces: Vec::new(),
            routes: Vec::new(),
            forwarding: false,
            services: Vec::new(),
            params: Vec::new(),
        }
    }

    fn end(name: &str, place: EndPlace, mtu: Option<u32>) -> EpairEnd {
        EpairEnd {
            name: name.into(),
            rc_name: name.into(),
            place,
            mtu,
        }
    }

    /// By hand: `bridge lab-a mtu 9000 < jail web …; host 10.0.0.254/24
    /// fd00::fe/64 10.0.0.253/24; uplink em1; vlan 5 on em2 >` and
    /// `vlan 7 on em2 < jail db … >`, target 15.0.
    pub(crate) fn sample_host() -> Host {
        Host {
            target: Target {
                release: Release {
                    major: 15,
                    minor: 0,
                },
                arch: "amd64".into(),
                machine_arch: "amd64".into(),
                facts: ReleaseFacts {
                    devfs_ruleset: 5,
                    vimage_in_generic: true,
                    bridge_refuses_addressed_members: true,
                },
            },
            src: "/usr/src".into(),
            world: WorldMode::Source,
            kernel: None,
            jails: vec![
                jail("web", "/usr/local/jails/web"),
                jail("db", "/usr/local/jails/db"),
            ],
            segments: Vec::new(),
            bridges: vec![Bridge {
                name: "lab-a".into(),
                created: "bridge0".into(),
                created_rc: "bridge0".into(),
                name_rc: "lab_a".into(),
                mtu: Some(9000),
                members: vec!["epair0a".into(), "em1".into(), "em2.5".into()],
                host_addrs: vec![
                    addr("10.0.0.254/24"),
                    addr("fd00::fe/64"),
                    addr("10.0.0.253/24"),
                ],
                segment: 0,
                span: Span::default(),
            }],
            epairs: vec![Epair {
                name: "epair0".into(),
                a: end("epair0a", EndPlace::Bridge(0), Some(9000)),
                b: end("epair0b", EndPlace::Jail(0), Some(9000)),
            }],
            vlans: vec![
                Vlan {
                    name: "em2.5".into(),
                    rc_name: "em2_5".into(),
                    id: 5,
                    parent: 1,
                    place: VlanPlace::Bridge(0),
                    mtu: Some(9000),
                    span: Span::default(),
                },
                Vlan {
                    name: "em2.7".into(),
                    rc_name: "em2_7".into(),
                    id: 7,
                    parent: 1,
                    place: VlanPlace::Jail(1),
                    mtu: None,
                    span: Span::default(),
                },
            ],
            nics: vec![
                Nic {
                    name: "em1".into(),
                    rc_name: "em1".into(),
                    uplink_of: Some(0),
                    mtu: Some(9000),
                    vlan_ids: Vec::new(),
                    moved_to: None,
                    uses: Vec::new(),
                    span: Span::default(),
                },
                Nic {
                    name: "em2".into(),
                    rc_name: "em2".into(),
                    uplink_of: None,
                    mtu: None,
                    vlan_ids: vec![5, 7],
                    moved_to: None,
                    uses: Vec::new(),
                    span: Span::default(),
                },
            ],
            cloned: vec!["epair0".into(), "bridge0".into()],
            expectations: Vec::new(),
        }
    }

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
                ("ifconfig_em1", "mtu 9000 up", IfUnset),
                ("vlans_em2", "5 7", List),
                ("ifconfig_em2", "up", IfUnset),
                ("ifconfig_bridge0_name", "lab-a", Scalar),
                (
                    "ifconfig_lab_a",
                    "inet 10.0.0.254/24 addm epair0a addm em1 addm em2.5 up",
                    Scalar
                ),
                ("ifconfig_lab_a_ipv6", "inet6 fd00::fe prefixlen 64", Scalar),
                ("ifconfig_lab_a_alias0", "inet 10.0.0.253/24", Scalar),
                ("ifconfig_epair0a", "mtu 9000 up", Scalar),
                ("ifconfig_em2_5", "mtu 9000 up", Scalar),
                ("jail_enable", "YES", Shared),
                ("jail_list", "web db", List),
            ]
        );
    }

    /// The `name="value"` lines of an rc.conf text, comments dropped.
    fn assignments(text: &str) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let l = l.split("\t#").next().unwrap();
                let (name, value) = l.split_once('=').expect("an assignment");
                (name.to_string(), value.trim_matches('"').to_string())
            })
            .collect();
        vars.sort();
        vars
    }

    /// build.sh merges exactly what the rc.conf fragment says.
    #[test]
    fn same_variables_as_the_rc_conf_fragment() {
        let sample = Model {
            source_name: "lab.vj".into(),
            hosts: vec![sample_host()],
        };
        for model in [
            crate::emit::fixtures::seed_bridge(),
            crate::emit::fixtures::kitchen_sink(),
            sample,
        ] {
            let host = &model.hosts[0];
            let mut fragment = String::new();
            crate::emit::rc_conf::write(&model, host, &mut fragment).unwrap();
            let mut ours: Vec<(String, String)> = host_vars(host)
                .into_iter()
                .map(|v| (v.name, v.value))
                .collect();
            ours.sort();
            assert_eq!(assignments(&fragment), ours, "{fragment}");
        }
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
