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

use super::host_vars::groups;
use crate::model::{Addr, Host, Model};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::fmt::{self, Write};

/// Prints `host_vars::groups`, the same variables build.sh merges: each
/// group's heading after a blank line, then `name="value"` lines.
pub fn write(model: &Model, host: &Host, out: &mut impl Write) -> fmt::Result {
    super::header(model, out)?;
    out.write_str("# The host's side of the jails' network, then the jails to start at boot.\n")?;
    for group in groups(host) {
        if !group.heading.is_empty() {
            writeln!(out)?;
        }
        for line in &group.heading {
            writeln!(out, "# {line}")?;
        }
        for var in &group.vars {
            write!(out, "{}=\"{}\"", var.name, var.value)?;
            if let Some(note) = var.note {
                write!(out, "\t# {note}")?;
            }
            writeln!(out)?;
        }
    }
    Ok(())
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
        let mut v4_nets: Vec<Ipv4Net> = Vec::new();
        for addr in addrs {
            match addr.net {
                IpNet::V4(v4) if plan.v4.is_none() => plan.v4 = Some(v4),
                IpNet::V6(v6) if plan.v6.is_none() => plan.v6 = Some(v6),
                // An IPv4 alias inside the network of an address the
                // interface already has gets netmask /32: one address per
                // network carries the real netmask (FreeBSD Handbook,
                // "Virtual Hosts").
                IpNet::V4(v4) if v4_nets.iter().any(|n| n.contains(&v4.addr())) => {
                    let host = Ipv4Net::new(v4.addr(), 32).expect("32 is a valid prefix length");
                    plan.aliases.push(IpNet::V4(host));
                }
                net => plan.aliases.push(net),
            }
            if let IpNet::V4(v4) = addr.net {
                v4_nets.push(v4);
            }
        }
        plan
    }

    /// `ifconfig_<if>_ipv6` and the aliases, as (name, value) pairs (the
    /// caller sets `ifconfig_<if>`).
    pub fn rest(&self, rc_name: &str) -> Vec<(String, String)> {
        let mut vars = Vec::new();
        if let Some(v6) = self.v6 {
            vars.push((format!("ifconfig_{rc_name}_ipv6"), inet6(&v6)));
        }
        for (n, alias) in self.aliases.iter().enumerate() {
            vars.push((format!("ifconfig_{rc_name}_alias{n}"), inet(alias)));
        }
        vars
    }

    /// The lines of `rest`.
    pub fn write_rest(&self, rc_name: &str, out: &mut impl Write) -> fmt::Result {
        for (name, value) in self.rest(rc_name) {
            writeln!(out, "{name}=\"{value}\"")?;
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

    #[test]
    fn an_ipv4_alias_in_a_network_the_interface_has_gets_a_host_netmask() {
        let addr = |s: &str| Addr {
            net: s.parse().unwrap(),
            span: crate::span::Span::default(),
        };
        let plan = AddrPlan::new(&[
            addr("10.0.0.2/24"),
            addr("fd00::2/64"),
            addr("10.0.0.3/24"),
            addr("10.0.1.3/24"),
            addr("fd00::3/64"),
        ]);
        assert_eq!(
            plan.rest("em0"),
            [
                (
                    "ifconfig_em0_ipv6".to_string(),
                    "inet6 fd00::2 prefixlen 64".to_string()
                ),
                (
                    "ifconfig_em0_alias0".to_string(),
                    "inet 10.0.0.3/32".to_string()
                ),
                (
                    "ifconfig_em0_alias1".to_string(),
                    "inet 10.0.1.3/24".to_string()
                ),
                (
                    "ifconfig_em0_alias2".to_string(),
                    "inet6 fd00::3 prefixlen 64".to_string()
                ),
            ]
        );
    }

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
ifconfig_br0_alias0="inet 192.0.2.2/32"
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

    /// A host without jails does not turn jail_enable on (nor does build.sh,
    /// which merges the same variables).
    #[test]
    fn no_jails_no_jail_enable() {
        let mut model = fixtures::seed_bridge();
        model.hosts[0].jails.clear();
        let text = render(&model);
        assert!(
            !text.contains("jail_") && !text.contains("# Jails"),
            "{text}"
        );
        assert!(text.ends_with("ifconfig_epair2a=\"up\"\n"), "{text}");
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
             ifconfig_x_alias1=\"inet 10.0.0.2/32\"\n"
        );
    }
}
