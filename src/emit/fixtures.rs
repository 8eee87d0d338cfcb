//! Models for the emitters' unit tests, resolved from `.vj` text by the
//! real parser and resolver, so that they name things exactly as a
//! compile does. (The checker is not run: the kitchen sink keeps a few
//! oddities an emitter must still write safely.)

use crate::model::*;

/// The model of `source`, resolved but not checked.
pub(crate) fn resolved(name: &str, source: &str) -> Model {
    let file = crate::parse::parse(source).expect("fixture parses");
    crate::resolve::resolve(name, &file)
        .model
        .expect("fixture resolves")
}

pub(crate) fn addr(s: &str) -> Addr {
    Addr {
        net: s.parse().expect("fixture address"),
        span: crate::span::Span::default(),
    }
}

/// examples/seed-bridge.vj
pub(crate) fn seed_bridge() -> Model {
    resolved(
        "seed-bridge.vj",
        include_str!("../../examples/seed-bridge.vj"),
    )
}

/// Everything at once.
pub(crate) const KITCHEN_SINK: &str = r#"freebsd 11.4
domain example.org
bridge br0 mtu 1496 <
  jail web 192.0.2.10/24 2001:db8:0:0::10/64 2001:db8::11/64 192.0.2.11/24
  jail db slaac
  host 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64
  uplink em1
  vlan 100 on em0
>
vlan 200 on em0 < jail db 198.51.100.5/24 >
iface igb0 < jail web 203.0.113.5/24 >
epair link < jail web 10.0.0.1/30; jail gw 10.0.0.2/30 >
jail web {
  route default via 192.0.2.1
  route default via 2001:db8::1
  route 10.9.0.0/16 via 10.0.0.2
  route 2001:db8:9::/48 via 2001:db8::1
  service nginx
  service my-app
  allow sysvipc
  param "exec.poststart" = "logger \"$name is up\"", "touch /var/run/web up"
  param children.max = 0
  param "odd name" = "a\\b"
}
jail db {
  path /jails/db
}
jail gw {
  forwarding
  route 10.9.0.0/16 via 10.0.0.1
}
jail lonely {
  hostname lonely
}
"#;

pub(crate) fn kitchen_sink() -> Model {
    resolved("lab.vj", KITCHEN_SINK)
}

/// A FreeBSD 15.0 host with a renamed bridge with an MTU, host addresses,
/// an uplink and VLANs.
pub(crate) const SAMPLE_HOST: &str = "freebsd 15.0
bridge lab-a mtu 9000 <
  jail web 10.0.0.1/24
  host 10.0.0.254/24 fd00::fe/64 10.0.0.253/24
  uplink em1
  vlan 5 on em2
>
vlan 7 on em2 < jail db 10.0.7.1/24 >
";

pub(crate) fn sample_host() -> Host {
    resolved("lab.vj", SAMPLE_HOST).hosts.remove(0)
}
