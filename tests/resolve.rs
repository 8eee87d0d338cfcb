//! Interface allocation: deterministic, in source order, as README.md's
//! "Interface names" section says.

fn host(src: &str) -> vjc::model::Host {
    let checked = vjc::check("t.vj", src);
    checked.model.unwrap().hosts.remove(0)
}

#[test]
fn renamed_bridges_take_the_lowest_units_no_bridge_is_written_as() {
    let h = host(
        "bridge br0 < jail a 10.0.0.1/24 >\nbridge bridge0 < jail b 10.0.1.1/24 >\nbridge br1 < jail c 10.0.2.1/24 >\nbridge bridge2 < jail d 10.0.3.1/24 >\nbridge br2 < jail e 10.0.4.1/24 >",
    );
    let created: Vec<(&str, &str)> = h
        .bridges
        .iter()
        .map(|b| (b.name.as_str(), b.created.as_str()))
        .collect();
    assert_eq!(
        created,
        [
            ("br0", "bridge1"),
            ("bridge0", "bridge0"),
            ("br1", "bridge3"),
            ("bridge2", "bridge2"),
            ("br2", "bridge4")
        ]
    );
    assert_eq!(
        h.cloned,
        [
            "epair0", "epair1", "epair2", "epair3", "epair4", "bridge1", "bridge0", "bridge3",
            "bridge2", "bridge4"
        ]
    );
}

#[test]
fn epairs_are_numbered_in_source_order_of_attachments() {
    let h = host(
        "bridge b0 < jail a 10.0.0.1/24; jail b 10.0.0.2/24 >\nepair p < jail a 10.1.0.1/30; jail c 10.1.0.2/30 >\nbridge b1 < jail c 10.2.0.1/24 >",
    );
    let names = |j: &str| {
        h.jail(j)
            .unwrap()
            .interfaces
            .iter()
            .map(|i| i.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names("a"), ["epair0b", "epair2a"]);
    assert_eq!(names("b"), ["epair1b"]);
    assert_eq!(names("c"), ["epair2b", "epair3b"]);
    let members: Vec<&str> = h.bridges[0]
        .members
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(members, ["epair0a", "epair1a"]);
    let order: Vec<&str> = h.jails.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(order, ["a", "b", "c"]);
}

#[test]
fn reordering_statements_renumbers_interfaces_and_nothing_else() {
    let a = host("bridge b0 < jail x 10.0.0.1/24 >\nbridge b1 < jail y 10.0.1.1/24 >");
    let b = host("bridge b1 < jail y 10.0.1.1/24 >\nbridge b0 < jail x 10.0.0.1/24 >");
    assert_eq!(a.jail("x").unwrap().interfaces[0].name, "epair0b");
    assert_eq!(b.jail("x").unwrap().interfaces[0].name, "epair1b");
    assert_eq!(
        a.jails.iter().map(|j| &j.name).collect::<Vec<_>>(),
        ["x", "y"]
    );
    assert_eq!(
        b.jails.iter().map(|j| &j.name).collect::<Vec<_>>(),
        ["y", "x"]
    );
}

#[test]
fn defaults_apply() {
    let h = host(
        "domain lab.jp\nbridge b0 < jail web 10.0.0.1/24 >\njail db {\n  hostname db.example.org\n  path /srv/db\n}",
    );
    assert_eq!(h.target.release.to_string(), "14.3");
    assert_eq!(h.target.arch, "amd64");
    assert_eq!(h.src, "/usr/src");
    assert_eq!(h.target.facts.devfs_ruleset, 5);
    assert!(h.kernel.is_none());
    let web = h.jail("web").unwrap();
    assert_eq!(
        (web.hostname.as_str(), web.path.as_str()),
        ("web.lab.jp", "/usr/local/jails/web")
    );
    let db = h.jail("db").unwrap();
    assert_eq!(
        (db.hostname.as_str(), db.path.as_str()),
        ("db.example.org", "/srv/db")
    );
}

#[test]
fn old_releases_get_a_vimage_kernel_and_ruleset_4() {
    let h = host("freebsd 11.4\narch arm64\nbridge b0 < jail web 10.0.0.1/24 >");
    let k = h.kernel.unwrap();
    assert_eq!(
        (k.ident.as_str(), k.lines.as_slice()),
        ("VIMAGE", ["options VIMAGE".to_string()].as_slice())
    );
    assert_eq!(h.target.facts.devfs_ruleset, 4);
    assert_eq!(h.target.machine_arch, "aarch64");
}
