//! The host's rc.conf fragment: the interfaces the host creates for the
//! jails (`cloned_interfaces`, `vlans_<nic>`), how its bridges are renamed,
//! addressed and joined (`ifconfig_<if>`), the members it brings up, and the
//! jails rc.d/jail starts at boot. Only stock rc.conf variables, read by
//! libexec/rc/network.subr and rc.d/netif, rc.d/jail.
//!
//! Grouped for a reader: the VLANs each NIC carries, then one paragraph per
//! bridge naming what is plugged into it, then the links and NICs that move
//! into jails whole. Every value is double-quoted and made only of interface
//! names, addresses and keywords.

use crate::model::{Addr, Bridge, EndPlace, Host, Model, SegmentKind, VlanPlace};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::fmt::{self, Write};

pub fn write(model: &Model, host: &Host, out: &mut impl Write) -> fmt::Result {
    super::header(model, out)?;
    out.write_str("# The host's side of the jails' network, then the jails to start at boot.\n")?;
    if !host.cloned.is_empty() {
        // network.subr configures interfaces in creation order (`ifconfig -l`),
        // so an epair listed before its bridge is up, with its MTU, before the
        // bridge's `addm` runs (libexec/rc/network.subr `clone_up`).
        let why = if host.bridges.is_empty() {
            ""
        } else {
            "\t# members first: they are configured before addm"
        };
        writeln!(out, "cloned_interfaces=\"{}\"{why}", host.cloned.join(" "))?;
    }
    vlans(host, out)?;
    for (index, bridge) in host.bridges.iter().enumerate() {
        self::bridge(host, index, bridge, out)?;
    }
    moved_whole(host, out)?;
    out.write_str("\n# Jails\n")?;
    out.write_str("jail_enable=\"YES\"\n")?;
    let names: Vec<&str> = host.jails.iter().map(|j| j.name.as_str()).collect();
    writeln!(out, "jail_list=\"{}\"", names.join(" "))
}

/// `vlans_<nic>="100 200"`: network.subr creates `<nic>.<id>` for each
/// numeric entry (`childif_create`). The parent must be up for its VLANs to
/// pass traffic.
fn vlans(host: &Host, out: &mut impl Write) -> fmt::Result {
    for (index, nic) in host.nics.iter().enumerate() {
        if nic.vlan_ids.is_empty() {
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
        writeln!(out)?;
        if fates.is_empty() {
            writeln!(out, "# VLANs on {}", nic.name)?;
        } else {
            writeln!(out, "# VLANs on {}: {}", nic.name, fates.join(", "))?;
        }
        let ids: Vec<String> = nic.vlan_ids.iter().map(u32::to_string).collect();
        writeln!(out, "vlans_{}=\"{}\"", nic.rc_name, ids.join(" "))?;
        if nic.uplink_of.is_none() {
            nic_line(&nic.rc_name, nic.mtu, out)?;
        }
    }
    Ok(())
}

/// One paragraph per bridge: rename, address and members, then the lines
/// that bring each member up.
fn bridge(host: &Host, index: usize, bridge: &Bridge, out: &mut impl Write) -> fmt::Result {
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
    let plugged: Vec<String> = bridge
        .members
        .iter()
        .map(|m| member_description(host, index, m))
        .collect();
    let plugged = if plugged.is_empty() {
        "no members".to_string()
    } else {
        plugged.join(", ")
    };
    writeln!(out)?;
    writeln!(out, "# {}{notes}: {plugged}", bridge.name)?;

    if bridge.created != bridge.name {
        // Renamed right after creation; from then on it is configured under
        // its new name (libexec/rc/network.subr `ifnet_rename`).
        writeln!(
            out,
            "ifconfig_{}_name=\"{}\"",
            bridge.created_rc, bridge.name
        )?;
    }
    let addrs = AddrPlan::new(&bridge.host_addrs);
    let mut words = Vec::new();
    if let Some(v4) = addrs.v4 {
        words.push(inet4(&v4));
    }
    for member in &bridge.members {
        words.push(format!("addm {member}"));
    }
    words.push("up".to_string());
    writeln!(out, "ifconfig_{}=\"{}\"", bridge.name_rc, words.join(" "))?;
    addrs.write_rest(&bridge.name_rc, out)?;

    // The members' own lines, in addm order.
    let mut lines: Vec<(&str, String)> = Vec::new();
    for epair in &host.epairs {
        for end in [&epair.a, &epair.b] {
            if end.place == EndPlace::Bridge(index) {
                lines.push((&end.name, up_line(&end.rc_name, end.mtu)));
            }
        }
    }
    for vlan in &host.vlans {
        if vlan.place == VlanPlace::Bridge(index) {
            lines.push((&vlan.name, up_line(&vlan.rc_name, vlan.mtu)));
        }
    }
    for nic in &host.nics {
        if nic.uplink_of == Some(index) {
            lines.push((&nic.name, nic_up_line(&nic.rc_name, nic.mtu)));
        }
    }
    let position = |name: &str| {
        bridge
            .members
            .iter()
            .position(|m| m == name)
            .unwrap_or(usize::MAX)
    };
    lines.sort_by_key(|(name, _)| position(name));
    for (_, line) in lines {
        out.write_str(&line)?;
    }
    Ok(())
}

/// What a bridge member is, for the paragraph's comment.
fn member_description(host: &Host, bridge: usize, member: &str) -> String {
    for epair in &host.epairs {
        let other = if epair.a.name == member {
            &epair.b
        } else if epair.b.name == member {
            &epair.a
        } else {
            continue;
        };
        return match other.place {
            EndPlace::Jail(j) => format!("{} to jail {}", epair.name, jail_name(host, j)),
            EndPlace::Bridge(b) => format!("{} to bridge {}", epair.name, bridge_name(host, b)),
            EndPlace::Unused => epair.name.clone(),
        };
    }
    if host.vlans.iter().any(|v| v.name == member) {
        return format!("vlan {member}");
    }
    if host
        .nics
        .iter()
        .any(|n| n.name == member && n.uplink_of == Some(bridge))
    {
        return format!("uplink {member}");
    }
    member.to_string()
}

/// Comments only: epair links between two jails (both ends move; the host
/// just creates them) and NICs handed to a jail.
fn moved_whole(host: &Host, out: &mut impl Write) -> fmt::Result {
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
                    "# epair {}: {}, {}",
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
                        "# {} moves into jail {}",
                        nic.name,
                        jail_name(host, j)
                    ));
                }
            }
            SegmentKind::Bridge(_) | SegmentKind::Vlan(_) => {}
        }
    }
    if !notes.is_empty() {
        writeln!(out)?;
        for note in notes {
            writeln!(out, "{note}")?;
        }
    }
    Ok(())
}

fn up_line(rc_name: &str, mtu: Option<u32>) -> String {
    match mtu {
        Some(mtu) => format!("ifconfig_{rc_name}=\"mtu {mtu} up\"\n"),
        None => format!("ifconfig_{rc_name}=\"up\"\n"),
    }
}

/// A physical NIC's line: the host may configure it already.
fn nic_up_line(rc_name: &str, mtu: Option<u32>) -> String {
    let line = up_line(rc_name, mtu);
    format!(
        "{}\t# build.sh sets it only where the host has none\n",
        line.trim_end()
    )
}

fn nic_line(rc_name: &str, mtu: Option<u32>, out: &mut impl Write) -> fmt::Result {
    out.write_str(&nic_up_line(rc_name, mtu))
}

fn jail_name(host: &Host, index: usize) -> &str {
    host.jails.get(index).map_or("?", |j| j.name.as_str())
}

fn bridge_name(host: &Host, index: usize) -> &str {
    host.bridges.get(index).map_or("?", |b| b.name.as_str())
}

/// How an interface's addresses spread over rc.conf variables: the first
/// IPv4 one in `ifconfig_<if>`, the first IPv6 one in `ifconfig_<if>_ipv6`,
/// every other one, in source order, in `ifconfig_<if>_alias<N>`, numbered
/// from 0 without gaps since network.subr stops at the first missing one
/// (libexec/rc/network.subr `ifalias_af_common`).
pub(super) struct AddrPlan {
    pub v4: Option<Ipv4Net>,
    pub v6: Option<Ipv6Net>,
    pub aliases: Vec<IpNet>,
}

impl AddrPlan {
    pub fn new(addrs: &[Addr]) -> AddrPlan {
        let mut plan = AddrPlan {
            v4: None,
            v6: None,
            aliases: Vec::new(),
        };
        for addr in addrs {
            match addr.net {
                IpNet::V4(v4) if plan.v4.is_none() => plan.v4 = Some(v4),
                IpNet::V6(v6) if plan.v6.is_none() => plan.v6 = Some(v6),
                net => plan.aliases.push(net),
            }
        }
        plan
    }

    /// `ifconfig_<if>_ipv6` and the aliases (the caller wrote `ifconfig_<if>`).
    pub fn write_rest(&self, rc_name: &str, out: &mut impl Write) -> fmt::Result {
        if let Some(v6) = self.v6 {
            writeln!(out, "ifconfig_{rc_name}_ipv6=\"{}\"", inet6(&v6))?;
        }
        for (n, alias) in self.aliases.iter().enumerate() {
            writeln!(out, "ifconfig_{rc_name}_alias{n}=\"{}\"", inet(alias))?;
        }
        Ok(())
    }
}

/// `inet 192.0.2.1/24`
pub(super) fn inet4(net: &Ipv4Net) -> String {
    format!("inet {}/{}", net.addr(), net.prefix_len())
}

/// `inet6 2001:db8::1 prefixlen 64`, the form rc.conf(5) documents; the
/// address in its canonical (RFC 5952) spelling.
pub(super) fn inet6(net: &Ipv6Net) -> String {
    format!("inet6 {} prefixlen {}", net.addr(), net.prefix_len())
}

pub(super) fn inet(net: &IpNet) -> String {
    match net {
        IpNet::V4(v4) => inet4(v4),
        IpNet::V6(v6) => inet6(v6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::fixtures;

    fn render(model: &Model) -> String {
        let mut s = String::new();
        write(model, &model.hosts[0], &mut s).unwrap();
        s
    }

    #[test]
    fn seed_bridge() {
        let expected = r#"# Generated by vjc from seed-bridge.vj. Do not edit: change the .vj file and recompile.
# The host's side of the jails' network, then the jails to start at boot.
cloned_interfaces="epair0 epair1 epair2 bridge0"	# members first: they are configured before addm

# bridge0: epair0 to jail test1, epair1 to jail test2, epair2 to jail test3
ifconfig_bridge0="addm epair0a addm epair1a addm epair2a up"
ifconfig_epair0a="up"
ifconfig_epair1a="up"
ifconfig_epair2a="up"

# Jails
jail_enable="YES"
jail_list="test1 test2 test3"
"#;
        assert_eq!(render(&fixtures::seed_bridge()), expected);
    }

    #[test]
    fn kitchen_sink() {
        let expected = r#"# Generated by vjc from lab.vj. Do not edit: change the .vj file and recompile.
# The host's side of the jails' network, then the jails to start at boot.
cloned_interfaces="epair0 epair1 epair2 bridge0"	# members first: they are configured before addm

# VLANs on em0: em0.100 on bridge br0, em0.200 into jail db
vlans_em0="100 200"
ifconfig_em0="up"	# build.sh sets it only where the host has none

# br0 (created as bridge0, mtu 1496): epair0 to jail web, epair1 to jail db, uplink em1, vlan em0.100
ifconfig_bridge0_name="br0"
ifconfig_br0="inet 192.0.2.1/24 addm epair0a addm epair1a addm em1 addm em0.100 up"
ifconfig_br0_ipv6="inet6 2001:db8::1 prefixlen 64"
ifconfig_br0_alias0="inet 192.0.2.2/24"
ifconfig_br0_alias1="inet6 2001:db8::2 prefixlen 64"
ifconfig_epair0a="mtu 1496 up"
ifconfig_epair1a="mtu 1496 up"
ifconfig_em1="mtu 1496 up"	# build.sh sets it only where the host has none
ifconfig_em0_100="mtu 1496 up"

# igb0 moves into jail web
# epair link: epair2a in jail web, epair2b in jail gw

# Jails
jail_enable="YES"
jail_list="web db gw lonely"
"#;
        assert_eq!(render(&fixtures::kitchen_sink()), expected);
    }

    #[test]
    fn addresses_spread_over_variables() {
        let addrs: Vec<Addr> = ["fd00::1/64", "10.0.0.1/8", "fd00::2/64", "10.0.0.2/8"]
            .iter()
            .map(|a| fixtures::addr(a))
            .collect();
        let plan = AddrPlan::new(&addrs);
        assert_eq!(
            plan.v4.map(|n| inet4(&n)).as_deref(),
            Some("inet 10.0.0.1/8")
        );
        let mut s = String::new();
        plan.write_rest("x", &mut s).unwrap();
        assert_eq!(
            s,
            "ifconfig_x_ipv6=\"inet6 fd00::1 prefixlen 64\"\n\
             ifconfig_x_alias0=\"inet6 fd00::2 prefixlen 64\"\n\
             ifconfig_x_alias1=\"inet 10.0.0.2/8\"\n"
        );
    }
}
