//! `vjc sim`'s plan: the Model's network as Linux network namespaces, as
//! plain data. The binary (`src/cli/sim.rs`) runs it with `ip` and `ping`;
//! this module does no I/O.
//!
//! Each FreeBSD thing maps to one Linux thing, in one place (`Builder`):
//!
//! | FreeBSD (the Model) | Linux (the plan) |
//! |---|---|
//! | a jail | its own namespace `<prefix>-<jail>`, loopback up |
//! | the host | its own namespace `<prefix>.host`, never the root one; it does not forward |
//! | the outside switch | a namespace `<prefix>.switch`: one Linux bridge per VLAN id, one for untagged frames |
//! | an `epairN` | a veth pair `<prefix>.eNa` / `<prefix>.eNb`, each end where the epair's end is |
//! | an `if_bridge` | a Linux bridge `<prefix>.brN` in the host namespace, with the declared MTU |
//! | a VLAN interface `em0.100` | a veth `<prefix>.vN` (in its jail, or a member of its bridge) to `<prefix>.vNs`, a port of the switch's bridge `<prefix>.s100` |
//! | a NIC `em1` (uplink, moved into a jail, or a VLAN parent) | a veth `<prefix>.nN` to `<prefix>.nNs`, a port of the switch's untagged bridge `<prefix>.su` |
//!
//! The machines this runs on have no 802.1Q devices to spare and no bridge
//! `vlan_filtering`, so no frame carries a tag: each VLAN id is its own
//! broadcast domain on the switch, which gives the same reachability.
//!
//! Addresses and routes are those the jails' rc.conf sets (the same
//! selection as `emit::jail_rc_conf`: one default route per family), and
//! forwarding follows `forwarding` (`gateway_enable`,
//! `ipv6_gateway_enable`). A few sysctls make Linux behave as FreeBSD does
//! where the two differ by default; each says why beside it
//! ([`Builder::sysctls`]). IPv6 addresses are added without duplicate
//! address detection, so they are usable at once.
//!
//! Every namespace and link name starts with a short per-run prefix, so two
//! runs never collide and a run's leftovers are recognisable; link names
//! stay within Linux's 15 characters (`IFNAMSIZ` - 1). Jail namespaces are
//! `<prefix>-<jail>`; everything else is `<prefix>.<what>`, which no jail
//! name can spell (a jail name has no `.`).

use crate::model::{EndPlace, ExpectTarget, Host, RouteDest, VlanPlace};
use crate::reach::Reach;
use ipnet::IpNet;
use std::collections::HashMap;
use std::fmt::{self, Write};
use std::net::IpAddr;

/// The longest Linux interface name (`IFNAMSIZ` - 1, include/uapi/linux/if.h).
pub const IFNAME_MAX: usize = 15;

/// `ping -c`: echo requests sent per address.
pub const PING_COUNT: u32 = 2;
/// `ping -i`: seconds between them (root may go below 1 s).
pub const PING_INTERVAL: &str = "0.2";
/// `ping -W`: seconds to wait for a reply when none came.
pub const PING_WAIT: u32 = 1;

/// The per-run prefix of every name: a lowercase letter, then lowercase
/// letters or digits, at most [`Prefix::MAX_LEN`] in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix(String);

impl Prefix {
    /// Leaves `.`, the kind letters and a 6-digit index within 15 characters.
    pub const MAX_LEN: usize = 6;

    pub fn new(s: &str) -> Option<Prefix> {
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        (first_ok && rest_ok && s.len() >= 2 && s.len() <= Self::MAX_LEN)
            .then(|| Prefix(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether a namespace or link name belongs to a run with this prefix.
    pub fn owns(&self, name: &str) -> bool {
        name.strip_prefix(self.0.as_str())
            .is_some_and(|rest| rest.starts_with('-') || rest.starts_with('.'))
    }
}

/// What the plan cannot express.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// A Linux interface name would be longer than [`IFNAME_MAX`].
    NameTooLong(String),
    /// A jail name that cannot be part of a namespace name.
    BadJailName(String),
    /// The model refers to something it does not hold (a file with errors).
    Dangling(&'static str),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::NameTooLong(name) => write!(
                f,
                "the Linux interface name `{name}` would be longer than {IFNAME_MAX} characters"
            ),
            PlanError::BadJailName(name) => {
                write!(f, "the jail name `{name}` cannot name a network namespace")
            }
            PlanError::Dangling(what) => write!(f, "the model has a dangling {what}"),
        }
    }
}

impl std::error::Error for PlanError {}

/// Everything one run creates and checks, in creation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub prefix: String,
    /// The host first, then the switch (when the file has NICs or VLANs),
    /// then the jails in `jail_list` order.
    pub namespaces: Vec<Namespace>,
    pub bridges: Vec<LinuxBridge>,
    pub links: Vec<Veth>,
    pub addresses: Vec<Address>,
    pub routes: Vec<SimRoute>,
    pub sysctls: Vec<Sysctl>,
    /// One per `expect` line, in source order.
    pub expectations: Vec<Probe>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Host,
    Switch,
    /// Index into `Host::jails`.
    Jail(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    pub name: String,
    pub role: Role,
    /// `host`, `switch`, or the jail's name.
    pub label: String,
}

/// A Linux bridge. Multicast snooping is off: FreeBSD's if_bridge floods
/// multicast (IPv6 neighbour discovery included) to every member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinuxBridge {
    /// Index into `Plan::namespaces`.
    pub ns: usize,
    pub name: String,
    pub mtu: Option<u32>,
    /// What it stands for: `bridge lab-a`, `switch vlan 100`, `switch untagged`.
    pub what: String,
}

/// A veth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Veth {
    /// What it stands for: `epair0`, `vlan em0.100`, `nic em1`.
    pub what: String,
    pub ends: [VethEnd; 2],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VethEnd {
    /// Index into `Plan::namespaces`.
    pub ns: usize,
    pub name: String,
    pub mtu: Option<u32>,
    /// The bridge (in the same namespace) it is a port of.
    pub master: Option<String>,
    /// The name FreeBSD gives this end (`epair0b`, `em0.100`), when it is
    /// an interface of the host or a jail rather than a switch port.
    pub freebsd: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub ns: usize,
    pub dev: String,
    pub net: IpNet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimRoute {
    pub ns: usize,
    pub dest: RouteDest,
    pub via: IpAddr,
}

/// A sysctl set in one namespace, before its interfaces exist so that the
/// `default` values reach them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sysctl {
    pub ns: usize,
    /// Dotted, e.g. `net.ipv4.conf.all.forwarding`.
    pub key: String,
    pub value: u32,
}

impl Sysctl {
    /// `net/ipv4/conf/all/forwarding`, under `/proc/sys/`.
    pub fn path(&self) -> String {
        self.key.replace('.', "/")
    }
}

/// One `expect` line and the pings that decide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Index into `Host::expectations`.
    pub index: usize,
    /// `a1 reaches b1`, as written.
    pub text: String,
    /// The jail's namespace (index into `Plan::namespaces`).
    pub from: usize,
    pub reaches: bool,
    /// The addresses to ping: every address of the target jail in a family
    /// the source jail has an address in, or the target address if the
    /// jail has its family (`reach::Reach::targets`).
    pub targets: Vec<IpAddr>,
}

impl Probe {
    /// The measured verdict from which targets answered (`replied[i]` for
    /// `targets[i]`): `reaches` holds when every target answered (and there
    /// was one), `!reaches` when none did.
    pub fn holds(&self, replied: &[bool]) -> bool {
        if self.reaches {
            !replied.is_empty() && replied.iter().all(|r| *r)
        } else {
            !replied.iter().any(|r| *r)
        }
    }
}

/// What the binary does when a command fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnFailure {
    /// Stop, tear down, report.
    Abort,
    /// Report and go on: a route the jail's own rc.d/routing could not add
    /// either (its gateway is on no subnet of the jail).
    Warn,
}

/// One process to run: `argv[0]` is looked up in `PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    pub argv: Vec<String>,
    pub on_failure: OnFailure,
}

impl Cmd {
    fn new(argv: &[&str]) -> Cmd {
        Cmd {
            argv: argv.iter().map(|s| s.to_string()).collect(),
            on_failure: OnFailure::Abort,
        }
    }

    fn warn(mut self) -> Cmd {
        self.on_failure = OnFailure::Warn;
        self
    }
}

impl fmt::Display for Cmd {
    /// As a shell line (single quotes where needed).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, arg) in self.argv.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            let plain = !arg.is_empty()
                && arg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_./:=+-%".contains(&b));
            if plain {
                f.write_str(arg)?;
            } else {
                write!(f, "'{}'", arg.replace('\'', r"'\''"))?;
            }
        }
        Ok(())
    }
}

/// Sets the sysctls given as `path value` pairs, in the namespace
/// `ip netns exec` runs it in (/proc/sys/net follows the writer's
/// namespace). `sh` rather than sysctl(8): every Linux machine has it.
const SYSCTL_SCRIPT: &str =
    r#"while [ $# -gt 1 ]; do echo "$2" > "/proc/sys/$1" || exit 1; shift 2; done"#;

/// Computes the plan of `host` with names starting with `prefix`.
pub fn plan(host: &Host, prefix: &Prefix) -> Result<Plan, PlanError> {
    let mut b = Builder {
        host,
        p: prefix.as_str(),
        plan: Plan {
            prefix: prefix.as_str().to_string(),
            namespaces: Vec::new(),
            bridges: Vec::new(),
            links: Vec::new(),
            addresses: Vec::new(),
            routes: Vec::new(),
            sysctls: Vec::new(),
            expectations: Vec::new(),
        },
        jail_ns: Vec::new(),
        host_ns: 0,
        switch: None,
        jail_devs: HashMap::new(),
    };
    b.namespaces()?;
    b.sysctls();
    b.bridges()?;
    b.epairs()?;
    b.vlans()?;
    b.nics()?;
    b.jails()?;
    b.expectations()?;
    Ok(b.plan)
}

struct Builder<'a> {
    host: &'a Host,
    p: &'a str,
    plan: Plan,
    /// Namespace of each jail (index into `plan.namespaces`).
    jail_ns: Vec<usize>,
    host_ns: usize,
    /// The switch namespace, when the file has NICs or VLANs.
    switch: Option<usize>,
    /// `(jail, FreeBSD interface name)` → the Linux device in its namespace.
    jail_devs: HashMap<(usize, String), String>,
}

impl Builder<'_> {
    /// A link or bridge name: `<prefix>.<suffix>`, at most 15 characters.
    fn ifname(&self, suffix: &str) -> Result<String, PlanError> {
        let name = format!("{}.{suffix}", self.p);
        if name.len() > IFNAME_MAX {
            return Err(PlanError::NameTooLong(name));
        }
        Ok(name)
    }

    fn namespaces(&mut self) -> Result<(), PlanError> {
        self.host_ns = self.push_ns(format!("{}.host", self.p), Role::Host, "host");
        if !self.host.nics.is_empty() || !self.host.vlans.is_empty() {
            let ns = self.push_ns(format!("{}.switch", self.p), Role::Switch, "switch");
            self.switch = Some(ns);
        }
        for (j, jail) in self.host.jails.iter().enumerate() {
            let ok = !jail.name.is_empty()
                && jail
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !ok {
                return Err(PlanError::BadJailName(jail.name.clone()));
            }
            let ns = self.push_ns(
                format!("{}-{}", self.p, jail.name),
                Role::Jail(j),
                &jail.name,
            );
            self.jail_ns.push(ns);
        }
        Ok(())
    }

    fn push_ns(&mut self, name: String, role: Role, label: &str) -> usize {
        self.plan.namespaces.push(Namespace {
            name,
            role,
            label: label.to_string(),
        });
        self.plan.namespaces.len() - 1
    }

    /// Per namespace, before any interface exists (so `default` reaches
    /// them; `all` covers what already exists and, for the `max`-combined
    /// settings, everything).
    fn sysctls(&mut self) {
        for (ns, namespace) in self.plan.namespaces.iter().enumerate() {
            let forwarding = match namespace.role {
                Role::Jail(j) => self.host.jails.get(j).is_some_and(|j| j.forwarding),
                // The host never forwards (vjc leaves gateway_enable off);
                // the switch has no addresses to route with.
                Role::Host | Role::Switch => false,
            };
            let mut set = |key: &str, value: u32| {
                for scope in ["all", "default"] {
                    self.plan.sysctls.push(Sysctl {
                        ns,
                        key: key.replace("{}", scope),
                        value,
                    });
                }
            };
            // gateway_enable / ipv6_gateway_enable (rc.d/routing). Set both
            // ways: a new namespace inherits IPv4 settings from the root
            // namespace (net.core.devconf_inherit_init_net=0), which may
            // forward.
            set("net.ipv4.conf.{}.forwarding", u32::from(forwarding));
            set("net.ipv6.conf.{}.forwarding", u32::from(forwarding));
            // FreeBSD has no reverse-path filter by default; Linux
            // distributions turn rp_filter on, and the namespace inherits it.
            set("net.ipv4.conf.{}.rp_filter", 0);
            // FreeBSD answers ARP only for addresses of the receiving
            // interface (sys/netinet/if_ether.c, in_arpinput); Linux answers
            // for any local address unless arp_ignore=1.
            set("net.ipv4.conf.{}.arp_ignore", 1);
            // No duplicate address detection delay (the addresses also
            // carry `nodad`; this covers link-local ones).
            set("net.ipv6.conf.{}.accept_dad", 0);
            if namespace.role == Role::Switch {
                // A switch has no addresses; its ports send no IPv6 of their own.
                set("net.ipv6.conf.{}.disable_ipv6", 1);
            }
        }
    }

    fn bridges(&mut self) -> Result<(), PlanError> {
        for (i, bridge) in self.host.bridges.iter().enumerate() {
            let name = self.ifname(&format!("br{i}"))?;
            for addr in &bridge.host_addrs {
                self.plan.addresses.push(Address {
                    ns: self.host_ns,
                    dev: name.clone(),
                    net: addr.net,
                });
            }
            self.plan.bridges.push(LinuxBridge {
                ns: self.host_ns,
                name,
                mtu: bridge.mtu,
                what: format!("bridge {}", bridge.name),
            });
        }
        if let Some(switch) = self.switch {
            if !self.host.nics.is_empty() {
                let name = self.untagged()?;
                self.plan.bridges.push(LinuxBridge {
                    ns: switch,
                    name,
                    mtu: None,
                    what: "switch untagged".to_string(),
                });
            }
            let mut ids: Vec<u32> = Vec::new();
            for vlan in &self.host.vlans {
                if !ids.contains(&vlan.id) {
                    ids.push(vlan.id);
                }
            }
            for id in ids {
                let name = self.vlan_bridge(id)?;
                self.plan.bridges.push(LinuxBridge {
                    ns: switch,
                    name,
                    mtu: None,
                    what: format!("switch vlan {id}"),
                });
            }
        }
        Ok(())
    }

    fn untagged(&self) -> Result<String, PlanError> {
        self.ifname("su")
    }

    fn vlan_bridge(&self, id: u32) -> Result<String, PlanError> {
        self.ifname(&format!("s{id}"))
    }

    fn bridge_name(&self, b: usize) -> Result<String, PlanError> {
        if b >= self.host.bridges.len() {
            return Err(PlanError::Dangling("bridge"));
        }
        self.ifname(&format!("br{b}"))
    }

    fn jail_namespace(&self, j: usize) -> Result<usize, PlanError> {
        self.jail_ns
            .get(j)
            .copied()
            .ok_or(PlanError::Dangling("jail"))
    }

    /// A veth end that is an interface of the host or of a jail.
    fn end(
        &mut self,
        place: Place,
        name: String,
        mtu: Option<u32>,
        freebsd: &str,
    ) -> Result<VethEnd, PlanError> {
        let (ns, master) = match place {
            Place::Host => (self.host_ns, None),
            Place::Bridge(b) => (self.host_ns, Some(self.bridge_name(b)?)),
            Place::Jail(j) => {
                let ns = self.jail_namespace(j)?;
                self.jail_devs
                    .insert((j, freebsd.to_string()), name.clone());
                (ns, None)
            }
        };
        Ok(VethEnd {
            ns,
            name,
            mtu,
            master,
            freebsd: Some(freebsd.to_string()),
        })
    }

    fn epairs(&mut self) -> Result<(), PlanError> {
        for (i, epair) in self.host.epairs.iter().enumerate() {
            let mut ends = Vec::new();
            for (end, suffix) in [(&epair.a, 'a'), (&epair.b, 'b')] {
                let place = match end.place {
                    EndPlace::Bridge(b) => Place::Bridge(b),
                    EndPlace::Jail(j) => Place::Jail(j),
                    EndPlace::Unused => Place::Host,
                };
                let name = self.ifname(&format!("e{i}{suffix}"))?;
                ends.push(self.end(place, name, end.mtu, &end.name)?);
            }
            let [a, b]: [VethEnd; 2] = ends
                .try_into()
                .map_err(|_| PlanError::Dangling("epair end"))?;
            self.plan.links.push(Veth {
                what: epair.name.clone(),
                ends: [a, b],
            });
        }
        Ok(())
    }

    fn vlans(&mut self) -> Result<(), PlanError> {
        let Some(switch) = self.switch else {
            return Ok(());
        };
        for (i, vlan) in self.host.vlans.iter().enumerate() {
            let place = match vlan.place {
                VlanPlace::Bridge(b) => Place::Bridge(b),
                VlanPlace::Jail(j) => Place::Jail(j),
                VlanPlace::Unused => Place::Host,
            };
            let name = self.ifname(&format!("v{i}"))?;
            let inner = self.end(place, name, vlan.mtu, &vlan.name)?;
            let port = VethEnd {
                ns: switch,
                name: self.ifname(&format!("v{i}s"))?,
                mtu: vlan.mtu,
                master: Some(self.vlan_bridge(vlan.id)?),
                freebsd: None,
            };
            self.plan.links.push(Veth {
                what: format!("vlan {}", vlan.name),
                ends: [inner, port],
            });
        }
        Ok(())
    }

    fn nics(&mut self) -> Result<(), PlanError> {
        let Some(switch) = self.switch else {
            return Ok(());
        };
        for (i, nic) in self.host.nics.iter().enumerate() {
            let place = match (nic.moved_to, nic.uplink_of) {
                (Some(j), _) => Place::Jail(j),
                (None, Some(b)) => Place::Bridge(b),
                (None, None) => Place::Host,
            };
            let name = self.ifname(&format!("n{i}"))?;
            let inner = self.end(place, name, nic.mtu, &nic.name)?;
            let port = VethEnd {
                ns: switch,
                name: self.ifname(&format!("n{i}s"))?,
                mtu: nic.mtu,
                master: Some(self.untagged()?),
                freebsd: None,
            };
            self.plan.links.push(Veth {
                what: format!("nic {}", nic.name),
                ends: [inner, port],
            });
        }
        Ok(())
    }

    /// Each jail's addresses and routes, as its rc.conf sets them.
    fn jails(&mut self) -> Result<(), PlanError> {
        for (j, jail) in self.host.jails.iter().enumerate() {
            let ns = self.jail_namespace(j)?;
            for iface in &jail.interfaces {
                // An interface without a device is one the checker reports
                // (a second jail on a direct bind).
                let Some(dev) = self.jail_devs.get(&(j, iface.name.clone())) else {
                    continue;
                };
                for addr in &iface.addrs {
                    self.plan.addresses.push(Address {
                        ns,
                        dev: dev.clone(),
                        net: addr.net,
                    });
                }
            }
            // rc.d/routing: defaultrouter, static_routes, then the IPv6
            // ones; one default per family, as emit::jail_rc_conf writes.
            for v6 in [false, true] {
                let family = |a: &IpAddr| a.is_ipv6() == v6;
                let default = jail
                    .routes
                    .iter()
                    .find(|r| r.dest == RouteDest::Default && family(&r.via));
                let nets = jail.routes.iter().filter(|r| {
                    matches!(r.dest, RouteDest::Net(n) if n.addr().is_ipv6() == v6)
                        && family(&r.via)
                        && r.rc_name.is_some()
                });
                for route in default.into_iter().chain(nets) {
                    let dest = match route.dest {
                        RouteDest::Net(n) => RouteDest::Net(n.trunc()),
                        RouteDest::Default => RouteDest::Default,
                    };
                    self.plan.routes.push(SimRoute {
                        ns,
                        dest,
                        via: route.via,
                    });
                }
            }
        }
        Ok(())
    }

    /// The addresses to ping are those the checker decides on
    /// (`reach::Reach::targets`): one reading of `expect` for both.
    fn expectations(&mut self) -> Result<(), PlanError> {
        let reach = Reach::new(self.host);
        for (index, e) in self.host.expectations.iter().enumerate() {
            let from = self
                .host
                .jails
                .get(e.from)
                .ok_or(PlanError::Dangling("jail"))?;
            let target_text = match e.target {
                ExpectTarget::Addr(a) => a.to_string(),
                ExpectTarget::Jail(t) => self
                    .host
                    .jails
                    .get(t)
                    .ok_or(PlanError::Dangling("jail"))?
                    .name
                    .clone(),
            };
            let verb = if e.reaches { "reaches" } else { "!reaches" };
            self.plan.expectations.push(Probe {
                index,
                text: format!("{} {verb} {target_text}", from.name),
                from: self.jail_namespace(e.from)?,
                reaches: e.reaches,
                targets: reach.targets(e),
            });
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum Place {
    /// In the host namespace, on no bridge.
    Host,
    Bridge(usize),
    Jail(usize),
}

impl Plan {
    fn ns(&self, i: usize) -> &str {
        self.namespaces.get(i).map_or("", |n| n.name.as_str())
    }

    /// The namespace of a jail (index into `Host::jails`).
    pub fn jail_namespace(&self, jail: usize) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.role == Role::Jail(jail))
    }

    /// The interfaces of a namespace that FreeBSD names: `(FreeBSD name,
    /// Linux name)`, in creation order.
    pub fn interfaces_in(&self, ns: usize) -> Vec<(&str, &str)> {
        self.links
            .iter()
            .flat_map(|l| &l.ends)
            .filter(|e| e.ns == ns)
            .filter_map(|e| Some((e.freebsd.as_deref()?, e.name.as_str())))
            .collect()
    }

    /// The commands that build the network, in order: namespaces, their
    /// sysctls and loopbacks, bridges, veth pairs (MTUs, bridge ports),
    /// links up, addresses, routes. Every command is `ip`; sysctls go
    /// through `ip netns exec … sh`. Nothing runs in the root namespace.
    pub fn setup(&self) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        for ns in &self.namespaces {
            cmds.push(Cmd::new(&["ip", "netns", "add", &ns.name]));
        }
        for (i, ns) in self.namespaces.iter().enumerate() {
            let mut argv = vec![
                "ip",
                "netns",
                "exec",
                &ns.name,
                "sh",
                "-c",
                SYSCTL_SCRIPT,
                "sh",
            ];
            let pairs: Vec<(String, String)> = self
                .sysctls
                .iter()
                .filter(|s| s.ns == i)
                .map(|s| (s.path(), s.value.to_string()))
                .collect();
            for (path, value) in &pairs {
                argv.push(path);
                argv.push(value);
            }
            if !pairs.is_empty() {
                cmds.push(Cmd::new(&argv));
            }
            cmds.push(Cmd::new(&["ip", "-n", &ns.name, "link", "set", "lo", "up"]));
        }
        for br in &self.bridges {
            let ns = self.ns(br.ns);
            cmds.push(Cmd::new(&[
                "ip",
                "-n",
                ns,
                "link",
                "add",
                &br.name,
                "type",
                "bridge",
                "mcast_snooping",
                "0",
            ]));
            if let Some(mtu) = br.mtu {
                let mtu = mtu.to_string();
                cmds.push(Cmd::new(&[
                    "ip", "-n", ns, "link", "set", &br.name, "mtu", &mtu,
                ]));
            }
        }
        for link in &self.links {
            let [a, b] = &link.ends;
            cmds.push(Cmd::new(&[
                "ip",
                "-n",
                self.ns(a.ns),
                "link",
                "add",
                &a.name,
                "type",
                "veth",
                "peer",
                "name",
                &b.name,
                "netns",
                self.ns(b.ns),
            ]));
            for end in [a, b] {
                let ns = self.ns(end.ns);
                if let Some(mtu) = end.mtu {
                    let mtu = mtu.to_string();
                    cmds.push(Cmd::new(&[
                        "ip", "-n", ns, "link", "set", &end.name, "mtu", &mtu,
                    ]));
                }
                if let Some(master) = &end.master {
                    cmds.push(Cmd::new(&[
                        "ip", "-n", ns, "link", "set", &end.name, "master", master,
                    ]));
                }
            }
        }
        for link in &self.links {
            for end in &link.ends {
                cmds.push(Cmd::new(&[
                    "ip",
                    "-n",
                    self.ns(end.ns),
                    "link",
                    "set",
                    &end.name,
                    "up",
                ]));
            }
        }
        for br in &self.bridges {
            cmds.push(Cmd::new(&[
                "ip",
                "-n",
                self.ns(br.ns),
                "link",
                "set",
                &br.name,
                "up",
            ]));
        }
        for a in &self.addresses {
            let net = a.net.to_string();
            let mut argv = vec![
                "ip",
                "-n",
                self.ns(a.ns),
                "addr",
                "add",
                &net,
                "dev",
                &a.dev,
            ];
            if a.net.addr().is_ipv6() {
                argv.push("nodad");
            }
            cmds.push(Cmd::new(&argv));
        }
        for r in &self.routes {
            let family = if r.via.is_ipv6() { "-6" } else { "-4" };
            let dest = match r.dest {
                RouteDest::Default => "default".to_string(),
                RouteDest::Net(n) => n.to_string(),
            };
            let via = r.via.to_string();
            cmds.push(
                Cmd::new(&[
                    "ip",
                    "-n",
                    self.ns(r.ns),
                    family,
                    "route",
                    "add",
                    &dest,
                    "via",
                    &via,
                ])
                .warn(),
            );
        }
        cmds
    }

    /// `ip netns del` for every namespace, jails first. Deleting a
    /// namespace deletes its interfaces, and a veth goes with either end.
    pub fn teardown(&self) -> Vec<Cmd> {
        self.namespaces
            .iter()
            .rev()
            .map(|ns| Cmd::new(&["ip", "netns", "del", &ns.name]).warn())
            .collect()
    }

    /// A bounded ping from a namespace: [`PING_COUNT`] requests
    /// [`PING_INTERVAL`] s apart, giving up [`PING_WAIT`] s after the last
    /// without a reply. Exit status 0 means a reply came.
    pub fn ping(&self, from: usize, target: IpAddr) -> Cmd {
        let family = if target.is_ipv6() { "-6" } else { "-4" };
        let count = PING_COUNT.to_string();
        let wait = PING_WAIT.to_string();
        let target = target.to_string();
        Cmd::new(&[
            "ip",
            "netns",
            "exec",
            self.ns(from),
            "ping",
            family,
            "-n",
            "-q",
            "-c",
            &count,
            "-i",
            PING_INTERVAL,
            "-W",
            &wait,
            &target,
        ])
    }

    /// The whole run as a shell script, for snapshots and `--keep`'s
    /// curious: setup, pings, teardown.
    pub fn script(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# setup");
        for cmd in self.setup() {
            let tag = match cmd.on_failure {
                OnFailure::Abort => "",
                OnFailure::Warn => "  # may fail: warn",
            };
            let _ = writeln!(s, "{cmd}{tag}");
        }
        for probe in &self.expectations {
            let _ = writeln!(s, "# expect {}", probe.text);
            for target in &probe.targets {
                let _ = writeln!(s, "{}", self.ping(probe.from, *target));
            }
        }
        let _ = writeln!(s, "# teardown");
        for cmd in self.teardown() {
            let _ = writeln!(s, "{cmd}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of(name: &str, source: &str) -> Plan {
        let checked = crate::check(name, source);
        let model = checked.model.expect("the file resolves");
        plan(&model.hosts[0], &Prefix::new("vjt").unwrap()).expect("a plan")
    }

    fn sources() -> Vec<(&'static str, &'static str)> {
        vec![
            ("seed-bridge.vj", include_str!("../examples/seed-bridge.vj")),
            ("seed-vlan.vj", include_str!("../examples/seed-vlan.vj")),
            ("router-lab.vj", include_str!("../examples/router-lab.vj")),
            (
                "seed-vlan-expect.vj",
                include_str!("../tests/fixtures/sim/seed-vlan-expect.vj"),
            ),
            (
                "seed-vlan-shared.vj",
                include_str!("../tests/fixtures/sim/seed-vlan-shared.vj"),
            ),
            (
                "router-lab-no-forwarding.vj",
                include_str!("../tests/fixtures/sim/router-lab-no-forwarding.vj"),
            ),
        ]
    }

    #[test]
    fn snapshots() {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| {
            for (name, source) in sources() {
                let script = plan_of(name, source).script();
                insta::assert_snapshot!(format!("sim-{}", name.trim_end_matches(".vj")), script);
            }
        });
    }

    #[test]
    fn every_name_is_prefixed_short_and_unique() {
        for (name, source) in sources() {
            let plan = plan_of(name, source);
            let prefix = Prefix::new("vjt").unwrap();
            let mut names: Vec<(usize, &str)> = Vec::new();
            for ns in &plan.namespaces {
                assert!(prefix.owns(&ns.name), "{name}: {}", ns.name);
            }
            for br in &plan.bridges {
                names.push((br.ns, &br.name));
            }
            for end in plan.links.iter().flat_map(|l| &l.ends) {
                names.push((end.ns, &end.name));
            }
            for (_, n) in &names {
                assert!(prefix.owns(n), "{name}: {n}");
                assert!(n.len() <= IFNAME_MAX, "{name}: {n}");
            }
            let mut sorted: Vec<&str> = names.iter().map(|(_, n)| *n).collect();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{name}: a name is used twice");
            // Nothing is created outside the run's namespaces, and every
            // port's bridge is in the port's namespace.
            for end in plan.links.iter().flat_map(|l| &l.ends) {
                assert!(end.ns < plan.namespaces.len());
                if let Some(master) = &end.master {
                    assert!(
                        plan.bridges
                            .iter()
                            .any(|b| &b.name == master && b.ns == end.ns),
                        "{name}: {} is a port of {master} elsewhere",
                        end.name
                    );
                }
            }
            // Every command names its namespace: nothing runs in the root one.
            for cmd in plan.setup().iter().chain(&plan.teardown()) {
                assert_eq!(cmd.argv[0], "ip", "{name}: `{cmd}`");
                assert!(
                    matches!(cmd.argv[1].as_str(), "-n" | "netns")
                        && plan
                            .namespaces
                            .iter()
                            .any(|n| n.name == cmd.argv[2] || n.name == cmd.argv[3]),
                    "{name}: `{cmd}` does not run in a namespace of the run"
                );
            }
        }
    }

    #[test]
    fn router_lab_mapping() {
        let plan = plan_of("router-lab.vj", include_str!("../examples/router-lab.vj"));
        let names: Vec<&str> = plan.namespaces.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["vjt.host", "vjt-r1", "vjt-a1", "vjt-b1"]);
        // r1 forwards; the others do not.
        let fwd = |ns: usize| {
            plan.sysctls
                .iter()
                .find(|s| s.ns == ns && s.key == "net.ipv6.conf.all.forwarding")
                .map(|s| s.value)
        };
        assert_eq!(fwd(0), Some(0));
        assert_eq!(fwd(1), Some(1));
        assert_eq!(fwd(2), Some(0));
        // a1 pings both of b1's addresses.
        let targets: Vec<String> = plan.expectations[0]
            .targets
            .iter()
            .map(|a| a.to_string())
            .collect();
        assert_eq!(targets, ["10.0.2.10", "fd00:b::10"]);
        assert_eq!(plan.interfaces_in(2), [("epair1b", "vjt.e1b")]);
    }

    #[test]
    fn families_follow_the_source_jail() {
        let plan = plan_of(
            "x.vj",
            "bridge bridge0 <\n  jail a 10.0.0.1/24\n  jail b 10.0.0.2/24 fd00::2/64\n>\n\
             expect a reaches b\nexpect b reaches a\nexpect a !reaches fd00::2\n",
        );
        let targets: Vec<Vec<String>> = plan
            .expectations
            .iter()
            .map(|p| p.targets.iter().map(|a| a.to_string()).collect())
            .collect();
        // a has no IPv6 address: nothing to ping for the third, as the
        // checker reads it.
        let none: Vec<&str> = Vec::new();
        assert_eq!(targets, [vec!["10.0.0.2"], vec!["10.0.0.1"], none]);
        assert_eq!(plan.expectations[2].text, "a !reaches fd00::2");
    }

    #[test]
    fn verdicts() {
        let probe = |reaches| Probe {
            index: 0,
            text: String::new(),
            from: 0,
            reaches,
            targets: Vec::new(),
        };
        assert!(probe(true).holds(&[true, true]));
        assert!(!probe(true).holds(&[true, false]));
        assert!(!probe(true).holds(&[]));
        assert!(probe(false).holds(&[false, false]));
        assert!(!probe(false).holds(&[false, true]));
        assert!(probe(false).holds(&[]));
    }

    #[test]
    fn prefixes() {
        for ok in ["vj", "vj3f9c", "a1"] {
            assert!(Prefix::new(ok).is_some(), "{ok}");
        }
        for bad in ["", "v", "vj3f9c0", "1vj", "vJ", "vj-", "vj.x"] {
            assert!(Prefix::new(bad).is_none(), "{bad}");
        }
        let p = Prefix::new("vj12").unwrap();
        assert!(p.owns("vj12-a") && p.owns("vj12.host"));
        assert!(!p.owns("vj123-a") && !p.owns("vj12") && !p.owns("xvj12-a"));
    }

    #[test]
    fn a_thousand_epairs_fit() {
        // 1000 epairs: `vjt123.e999b` fits; the limit is a 6-digit index.
        let mut source = String::from("bridge bridge0 <\n");
        for i in 0..1000 {
            source.push_str(&format!("  jail j{i}\n"));
        }
        source.push_str(">\n");
        let checked = crate::check("x.vj", &source);
        let model = checked.model.unwrap();
        let p = plan(&model.hosts[0], &Prefix::new("vjt123").unwrap()).unwrap();
        assert!(
            p.links
                .iter()
                .flat_map(|l| &l.ends)
                .all(|e| e.name.len() <= 15)
        );
    }
}
