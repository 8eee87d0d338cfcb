//! Hand-built models for the emitters' unit tests, written the way the
//! resolver names things (see the naming scheme in the model's docs).

use crate::ast::{Release, WorldMode};
use crate::model::*;
use crate::span::Span;

fn sp() -> Span {
    Span::default()
}

pub(crate) fn addr(s: &str) -> Addr {
    Addr {
        net: s.parse().expect("fixture address"),
        span: sp(),
    }
}

fn iface(name: &str, segment: usize, addrs: &[&str], mtu: Option<u32>) -> JailIface {
    JailIface {
        name: name.into(),
        rc_name: rc_name(name),
        segment,
        addrs: addrs.iter().map(|a| addr(a)).collect(),
        slaac: None,
        mtu,
        span: sp(),
    }
}

fn jail(name: &str, hostname: &str, path: &str, interfaces: Vec<JailIface>) -> Jail {
    Jail {
        name: name.into(),
        span: sp(),
        hostname: hostname.into(),
        path: path.into(),
        path_span: sp(),
        interfaces,
        routes: Vec::new(),
        forwarding: false,
        services: Vec::new(),
        params: Vec::new(),
    }
}

fn end(name: &str, place: EndPlace, mtu: Option<u32>) -> EpairEnd {
    EpairEnd {
        name: name.into(),
        rc_name: rc_name(name),
        place,
        mtu,
    }
}

fn epair(n: usize, a: EndPlace, b: EndPlace, mtu: Option<u32>) -> Epair {
    let name = format!("epair{n}");
    Epair {
        a: end(&format!("{name}a"), a, mtu),
        b: end(&format!("{name}b"), b, mtu),
        name,
    }
}

fn segment(label: &str, kind: SegmentKind, attachments: Vec<(usize, usize)>) -> Segment {
    Segment {
        label: label.into(),
        kind,
        attachments,
        host_addrs: Vec::new(),
        leaves_host: false,
        span: sp(),
    }
}

fn bridge(name: &str, created: &str, segment: usize, members: &[&str]) -> Bridge {
    Bridge {
        name: name.into(),
        created: created.into(),
        created_rc: rc_name(created),
        name_rc: rc_name(name),
        mtu: None,
        members: members.iter().map(|m| m.to_string()).collect(),
        host_addrs: Vec::new(),
        segment,
        span: sp(),
    }
}

fn target(major: u32, minor: u32) -> Target {
    Target {
        release: Release { major, minor },
        arch: "amd64".into(),
        machine_arch: "amd64".into(),
        facts: ReleaseFacts {
            devfs_ruleset: 5,
            vimage_in_generic: true,
            bridge_refuses_addressed_members: false,
        },
    }
}

fn host(jails: Vec<Jail>, segments: Vec<Segment>, bridges: Vec<Bridge>) -> Host {
    Host {
        target: target(14, 3),
        src: "/usr/src".into(),
        world: WorldMode::Source,
        kernel: None,
        jails,
        segments,
        bridges,
        epairs: Vec::new(),
        vlans: Vec::new(),
        nics: Vec::new(),
        cloned: Vec::new(),
        expectations: Vec::new(),
    }
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(String::from).collect()
}

/// examples/seed-bridge.vj
pub(crate) fn seed_bridge() -> Model {
    let jails = (1..=3)
        .map(|n| {
            jail(
                &format!("test{n}"),
                &format!("test{n}.test.jp"),
                &format!("/usr/local/jails/test{n}"),
                vec![iface(
                    &format!("epair{}b", n - 1),
                    0,
                    &[&format!("192.168.0.{n}/24")],
                    None,
                )],
            )
        })
        .collect();
    let mut h = host(
        jails,
        vec![segment(
            "bridge0",
            SegmentKind::Bridge(0),
            vec![(0, 0), (1, 0), (2, 0)],
        )],
        vec![bridge(
            "bridge0",
            "bridge0",
            0,
            &["epair0a", "epair1a", "epair2a"],
        )],
    );
    h.epairs = (0..3)
        .map(|n| epair(n, EndPlace::Bridge(0), EndPlace::Jail(n), None))
        .collect();
    h.cloned = words("epair0 epair1 epair2 bridge0");
    Model {
        source_name: "seed-bridge.vj".into(),
        hosts: vec![h],
    }
}

/// Everything at once, as if resolved from:
///
/// ```text
/// freebsd 11.4
/// domain example.org
/// bridge br0 mtu 1496 <
///   jail web 192.0.2.10/24 2001:db8:0:0::10/64 2001:db8::11/64 192.0.2.11/24
///   jail db slaac
///   host 192.0.2.1/24 192.0.2.2/24 2001:db8::1/64 2001:db8::2/64
///   uplink em1
///   vlan 100 on em0
/// >
/// vlan 200 on em0 < jail db 198.51.100.5/24 >
/// iface igb0 < jail web 203.0.113.5/24 >
/// epair link < jail web 10.0.0.1/30; jail gw 10.0.0.2/30 >
/// jail web {
///   route default via 192.0.2.1
///   route default via 2001:db8::1
///   route 10.9.0.0/16 via 10.0.0.2
///   route 2001:db8:9::/48 via 2001:db8::1
///   service nginx
///   service my-app
///   allow sysvipc
///   param "exec.poststart" = "logger \"$name is up\"", "touch /var/run/web<TAB>up"
///   param children.max = 0
///   param "odd name" = "a\\b"
/// }
/// jail db { path /jails/db }
/// jail gw { forwarding; route 10.9.0.0/16 via 10.0.0.1 }
/// jail lonely { hostname lonely }
/// ```
pub(crate) fn kitchen_sink() -> Model {
    let mut web = jail(
        "web",
        "web.example.org",
        "/usr/local/jails/web",
        vec![
            iface(
                "epair0b",
                0,
                &[
                    "192.0.2.10/24",
                    "2001:db8:0:0::10/64",
                    "2001:db8::11/64",
                    "192.0.2.11/24",
                ],
                Some(1496),
            ),
            iface("igb0", 2, &["203.0.113.5/24"], None),
            iface("epair2a", 3, &["10.0.0.1/30"], None),
        ],
    );
    let route = |dest: Option<&str>, via: &str, rc: Option<&str>| Route {
        dest: match dest {
            None => RouteDest::Default,
            Some(net) => RouteDest::Net(net.parse().unwrap()),
        },
        via: via.parse().unwrap(),
        rc_name: rc.map(String::from),
        span: sp(),
    };
    web.routes = vec![
        route(None, "192.0.2.1", None),
        route(None, "2001:db8::1", None),
        route(Some("10.9.0.0/16"), "10.0.0.2", Some("net1")),
        route(Some("2001:db8:9::/48"), "2001:db8::1", Some("net2")),
    ];
    web.services = ["nginx", "my-app"]
        .iter()
        .map(|s| Service {
            name: s.to_string(),
            rc_var: format!("{}_enable", rc_name(s)),
            span: sp(),
        })
        .collect();
    let param = |name: &str, values: &[&str], append: bool| JailParam {
        name: name.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
        append,
        span: sp(),
    };
    web.params = vec![
        param("allow.sysvipc", &[], false),
        param(
            "exec.poststart",
            &["logger \"$name is up\"", "touch /var/run/web\tup"],
            true,
        ),
        param("children.max", &["0"], false),
        param("odd name", &["a\\b"], false),
    ];

    let mut db_lan = iface("epair1b", 0, &[], Some(1496));
    db_lan.slaac = Some(sp());
    let db = jail(
        "db",
        "db.example.org",
        "/jails/db",
        vec![db_lan, iface("em0.200", 1, &["198.51.100.5/24"], None)],
    );
    let mut gw = jail(
        "gw",
        "gw.example.org",
        "/usr/local/jails/gw",
        vec![iface("epair2b", 3, &["10.0.0.2/30"], None)],
    );
    gw.forwarding = true;
    gw.routes = vec![route(Some("10.9.0.0/16"), "10.0.0.1", Some("net1"))];
    let lonely = jail("lonely", "lonely", "/usr/local/jails/lonely", Vec::new());

    let mut lan = segment("br0", SegmentKind::Bridge(0), vec![(0, 0), (1, 0)]);
    lan.host_addrs = [
        "192.0.2.1/24",
        "192.0.2.2/24",
        "2001:db8::1/64",
        "2001:db8::2/64",
    ]
    .iter()
    .map(|a| addr(a))
    .collect();
    lan.leaves_host = true;
    let mut br0 = bridge(
        "br0",
        "bridge0",
        0,
        &["epair0a", "epair1a", "em1", "em0.100"],
    );
    br0.mtu = Some(1496);
    br0.host_addrs = lan.host_addrs.clone();
    let mut vlan200 = segment("vlan 200 on em0", SegmentKind::Vlan(1), vec![(1, 1)]);
    vlan200.leaves_host = true;
    let mut igb0 = segment("igb0", SegmentKind::Iface(2), vec![(0, 1)]);
    igb0.leaves_host = true;
    let link = segment("link", SegmentKind::Epair(2), vec![(0, 2), (2, 0)]);

    let mut h = host(
        vec![web, db, gw, lonely],
        vec![lan, vlan200, igb0, link],
        vec![br0],
    );
    h.target = target(11, 4);
    h.target.facts = ReleaseFacts {
        devfs_ruleset: 4,
        vimage_in_generic: false,
        bridge_refuses_addressed_members: false,
    };
    h.kernel = Some(Kernel {
        ident: "VIMAGE".into(),
        lines: vec!["options VIMAGE".into()],
    });
    h.epairs = vec![
        epair(0, EndPlace::Bridge(0), EndPlace::Jail(0), Some(1496)),
        epair(1, EndPlace::Bridge(0), EndPlace::Jail(1), Some(1496)),
        epair(2, EndPlace::Jail(0), EndPlace::Jail(2), None),
    ];
    h.vlans = vec![
        Vlan {
            name: "em0.100".into(),
            rc_name: "em0_100".into(),
            id: 100,
            parent: 1,
            place: VlanPlace::Bridge(0),
            mtu: Some(1496),
            span: sp(),
        },
        Vlan {
            name: "em0.200".into(),
            rc_name: "em0_200".into(),
            id: 200,
            parent: 1,
            place: VlanPlace::Jail(1),
            mtu: None,
            span: sp(),
        },
    ];
    let nic = |name: &str| Nic {
        name: name.into(),
        rc_name: rc_name(name),
        uplink_of: None,
        mtu: None,
        vlan_ids: Vec::new(),
        moved_to: None,
        uses: Vec::new(),
        span: sp(),
    };
    let mut em1 = nic("em1");
    em1.uplink_of = Some(0);
    em1.mtu = Some(1496);
    let mut em0 = nic("em0");
    em0.vlan_ids = vec![100, 200];
    let mut igb0 = nic("igb0");
    igb0.moved_to = Some(0);
    h.nics = vec![em1, em0, igb0];
    h.cloned = words("epair0 epair1 epair2 bridge0");
    Model {
        source_name: "lab.vj".into(),
        hosts: vec![h],
    }
}
