//! A jail's own `/etc/rc.conf`: the addresses of the interfaces jail(8)
//! moved into it, its routes, forwarding and services. The jail's
//! `/etc/rc` (exec.start) applies them with the stock scripts: rc.d/netif
//! and network.subr for `ifconfig_*`, rc.d/routing for routes and
//! forwarding, rc.d/rtsold for autoconfiguration, each service's own script
//! for `<name>_enable`.

use super::rc_conf::{AddrPlan, inet4, inet6};
use crate::model::{EndPlace, Host, Jail, JailIface, Model, RouteDest, SegmentKind};
use std::fmt::{self, Write};
use std::net::IpAddr;

pub fn write(model: &Model, host: &Host, jail: &Jail, out: &mut impl Write) -> fmt::Result {
    super::header_for(model, Some(&jail.name), out)?;
    for iface in &jail.interfaces {
        writeln!(out, "# {}: {}", iface.name, origin(host, iface))?;
        interface(iface, out)?;
    }
    if jail.interfaces.iter().any(|i| i.slaac.is_some()) {
        // rc.d/rtsold is `KEYWORD: nojailvnet`: it runs in vnet jails.
        out.write_str("rtsold_enable=\"YES\"\n")?;
    }
    routes(jail, out)?;
    if jail.forwarding {
        // rc.d/routing sets net.inet.ip.forwarding and net.inet6.ip6.forwarding.
        out.write_str("gateway_enable=\"YES\"\n")?;
        out.write_str("ipv6_gateway_enable=\"YES\"\n")?;
    }
    for service in &jail.services {
        writeln!(out, "{}=\"YES\"", service.rc_var)?;
    }
    Ok(())
}

/// Where the interface comes from, for its comment.
fn origin(host: &Host, iface: &JailIface) -> String {
    let Some(segment) = host.segments.get(iface.segment) else {
        return "interface".to_string();
    };
    match segment.kind {
        SegmentKind::Bridge(b) => match host.bridges.get(b) {
            Some(bridge) => format!("on bridge {}", bridge.name),
            None => "on a bridge".to_string(),
        },
        SegmentKind::Vlan(v) => match host.vlans.get(v) {
            Some(vlan) => {
                let parent = host.nics.get(vlan.parent).map_or("?", |n| n.name.as_str());
                format!("vlan {} on the host's {parent}", vlan.id)
            }
            None => segment.label.clone(),
        },
        SegmentKind::Iface(_) => "the host's NIC, moved into this jail".to_string(),
        SegmentKind::Epair(e) => {
            let peer = host.epairs.get(e).and_then(|epair| {
                let other = if epair.a.name == iface.name {
                    &epair.b
                } else {
                    &epair.a
                };
                match other.place {
                    EndPlace::Jail(j) => host.jails.get(j).map(|j| j.name.as_str()),
                    EndPlace::Bridge(_) | EndPlace::Unused => None,
                }
            });
            match peer {
                Some(peer) => format!("epair {} to jail {peer}", segment.label),
                None => format!("epair {}", segment.label),
            }
        }
    }
}

/// `ifconfig_<if>` (the first IPv4 address, or just `up`), `_ipv6` (the
/// first IPv6 address, or autoconfiguration), then the other addresses as
/// `_alias<N>` (libexec/rc/network.subr `ifconfig_up`, `ifalias`).
fn interface(iface: &JailIface, out: &mut impl Write) -> fmt::Result {
    let rc = iface.rc_name();
    let plan = AddrPlan::new(&iface.addrs);
    let mtu = iface.mtu.map(|m| format!(" mtu {m}")).unwrap_or_default();
    match plan.v4 {
        Some(v4) => writeln!(out, "ifconfig_{rc}=\"{}{mtu}\"", inet4(&v4))?,
        None => writeln!(out, "ifconfig_{rc}=\"up{mtu}\"")?,
    }
    // `accept_rtadv` in `ifconfig_<if>_ipv6` turns autoconfiguration on
    // (network.subr `ipv6_autoconfif`).
    let rtadv = if iface.slaac.is_some() {
        " accept_rtadv"
    } else {
        ""
    };
    match plan.v6 {
        Some(v6) => writeln!(out, "ifconfig_{rc}_ipv6=\"{}{rtadv}\"", inet6(&v6))?,
        None if iface.slaac.is_some() => {
            writeln!(out, "ifconfig_{rc}_ipv6=\"inet6 accept_rtadv\"")?
        }
        None => {}
    }
    // `_ipv6` is already written; only the aliases are left.
    let aliases = AddrPlan {
        v4: None,
        v6: None,
        aliases: plan.aliases,
    };
    aliases.write_rest(rc, out)
}

/// Default routes and static routes, per family (libexec/rc/rc.d/routing;
/// rc.conf(5) `defaultrouter`, `static_routes`, `route_<name>`).
fn routes(jail: &Jail, out: &mut impl Write) -> fmt::Result {
    let mut default4 = None;
    let mut default6 = None;
    let mut static4 = Vec::new();
    let mut static6 = Vec::new();
    for route in &jail.routes {
        match route.dest {
            RouteDest::Default => {
                let slot = match route.via {
                    IpAddr::V4(_) => &mut default4,
                    IpAddr::V6(_) => &mut default6,
                };
                // One default per family; the checker reports a second one.
                slot.get_or_insert(route.via);
            }
            RouteDest::Net(net) => {
                // Every non-default route has its rc.conf name in the model.
                let Some(name) = route.rc_name.as_deref() else {
                    continue;
                };
                let line = (name, format!("-net {} {}", net.trunc(), route.via));
                match net {
                    ipnet::IpNet::V4(_) => static4.push(line),
                    ipnet::IpNet::V6(_) => static6.push(line),
                }
            }
        }
    }
    if let Some(gw) = default4 {
        writeln!(out, "defaultrouter=\"{gw}\"")?;
    }
    if let Some(gw) = default6 {
        writeln!(out, "ipv6_defaultrouter=\"{gw}\"")?;
    }
    for (list, prefix, routes) in [
        ("static_routes", "route_", &static4),
        ("ipv6_static_routes", "ipv6_route_", &static6),
    ] {
        if routes.is_empty() {
            continue;
        }
        let names: Vec<&str> = routes.iter().map(|(name, _)| *name).collect();
        writeln!(out, "{list}=\"{}\"", names.join(" "))?;
        for (name, args) in routes {
            writeln!(out, "{prefix}{name}=\"{args}\"")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::fixtures;

    fn render(model: &Model, jail: &str) -> String {
        let host = &model.hosts[0];
        let mut s = String::new();
        write(model, host, host.jail(jail).unwrap(), &mut s).unwrap();
        s
    }

    #[test]
    fn seed_bridge() {
        let model = fixtures::seed_bridge();
        assert_eq!(
            render(&model, "test1"),
            "# Generated by vjc from seed-bridge.vj for jail test1. Do not edit: change the .vj file and recompile.\n\
             # epair0b: on bridge bridge0\n\
             ifconfig_epair0b=\"inet 192.168.0.1/24\"\n"
        );
        assert_eq!(
            render(&model, "test3"),
            "# Generated by vjc from seed-bridge.vj for jail test3. Do not edit: change the .vj file and recompile.\n\
             # epair2b: on bridge bridge0\n\
             ifconfig_epair2b=\"inet 192.168.0.3/24\"\n"
        );
    }

    #[test]
    fn kitchen_sink() {
        let model = fixtures::kitchen_sink();
        assert_eq!(
            render(&model, "web"),
            r#"# Generated by vjc from lab.vj for jail web. Do not edit: change the .vj file and recompile.
# epair0b: on bridge br0
ifconfig_epair0b="inet 192.0.2.10/24 mtu 1496"
ifconfig_epair0b_ipv6="inet6 2001:db8::10 prefixlen 64"
ifconfig_epair0b_alias0="inet6 2001:db8::11 prefixlen 64"
ifconfig_epair0b_alias1="inet 192.0.2.11/32"
# igb0: the host's NIC, moved into this jail
ifconfig_igb0="inet 203.0.113.5/24"
# epair2a: epair link to jail gw
ifconfig_epair2a="inet 10.0.0.1/30"
defaultrouter="192.0.2.1"
ipv6_defaultrouter="2001:db8::1"
static_routes="net0"
route_net0="-net 10.9.0.0/16 10.0.0.2"
ipv6_static_routes="net0"
ipv6_route_net0="-net 2001:db8:9::/48 2001:db8::1"
nginx_enable="YES"
my_app_enable="YES"
"#
        );
        assert_eq!(
            render(&model, "db"),
            r#"# Generated by vjc from lab.vj for jail db. Do not edit: change the .vj file and recompile.
# epair1b: on bridge br0
ifconfig_epair1b="up mtu 1496"
ifconfig_epair1b_ipv6="inet6 accept_rtadv"
# em0.200: vlan 200 on the host's em0
ifconfig_em0_200="inet 198.51.100.5/24"
rtsold_enable="YES"
"#
        );
        assert_eq!(
            render(&model, "gw"),
            r#"# Generated by vjc from lab.vj for jail gw. Do not edit: change the .vj file and recompile.
# epair2b: epair link to jail web
ifconfig_epair2b="inet 10.0.0.2/30"
static_routes="net0"
route_net0="-net 10.9.0.0/16 10.0.0.1"
gateway_enable="YES"
ipv6_gateway_enable="YES"
"#
        );
        assert_eq!(
            render(&model, "lonely"),
            "# Generated by vjc from lab.vj for jail lonely. Do not edit: change the .vj file and recompile.\n"
        );
    }

    #[test]
    fn slaac_next_to_a_static_address_keeps_both() {
        let mut model = fixtures::seed_bridge();
        let iface = &mut model.hosts[0].jails[0].interfaces[0];
        iface.addrs.push(fixtures::addr("2001:db8::1/64"));
        iface.slaac = Some(Default::default());
        assert!(render(&model, "test1").ends_with(
            "ifconfig_epair0b=\"inet 192.168.0.1/24\"\n\
             ifconfig_epair0b_ipv6=\"inet6 2001:db8::1 prefixlen 64 accept_rtadv\"\n\
             rtsold_enable=\"YES\"\n"
        ));
    }
}
