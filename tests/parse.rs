//! The parser: every form of LANGUAGE.md parses, spans point at the text,
//! comments are kept.

use vjc::ast::*;

fn parse(src: &str) -> File {
    vjc::parse::parse(src).unwrap_or_else(|d| panic!("{}", vjc::render::human("t.vj", src, &[d])))
}

#[test]
fn the_cards_one_liner_parses_as_written() {
    let src = "bridge br0 < jail test1 192.168.0.1/24 >";
    let file = parse(src);
    let ItemKind::Segment(seg) = &file.items[0].kind else {
        panic!("not a segment")
    };
    let SegmentKind::Bridge { name, mtu } = &seg.kind else {
        panic!("not a bridge")
    };
    assert_eq!(name.node, "br0");
    assert_eq!(&src[name.span.range()], "br0");
    assert!(mtu.is_none());
    let MemberKind::Jail { name, addrs } = &seg.members[0].kind else {
        panic!("not a jail member")
    };
    assert_eq!(name.node, "test1");
    assert_eq!(&src[addrs[0].span.range()], "192.168.0.1/24");
    assert_eq!(
        &src[seg.members[0].span.range()],
        "jail test1 192.168.0.1/24"
    );
}

#[test]
fn every_form_of_the_language_parses() {
    let src = r#"freebsd 13.2
arch arm64
src /usr/src
jails /jails
domain test.jp
world release
kernel VIMAGE {
  options VIMAGE
  nooptions SCTP; device epair
  makeoptions DEBUG=-g
}
silence W0101 W0102
bridge bridge0 <
  jail test1 192.168.0.1/24
  jail test2 192.168.0.2/24 2406:b800:beef::2/64 slaac
  host 192.168.0.254/24
  uplink em1
  vlan 100 on em0
>
bridge br1 mtu 1496 < ; >
vlan 100 on em0 < jail test1 192.168.0.1/24 >
iface em1 < jail test1 10.0.0.1/24 >
iface em0.200 < jail test3 10.0.2.1/24 >
epair r1r2 < jail r1 10.0.12.1/30; jail r2 10.0.12.2/30 >
jail r1 {
  hostname r1.example.org
  path /usr/local/jails/r1
  route default via 10.0.12.2
  route default via fd00::ffff
  route 10.9.0.0/16 via 10.0.12.2
  forwarding
  service bird
  allow sysvipc
  param sysvshm = new
  param "exec.poststart" = "logger \"up\" \\o/"
  param allow.mount
  param ip4.addr = 10.0.0.1, 10.0.0.2
}
expect test1 reaches test2
expect test1 reaches 192.168.0.3
expect test1 !reaches fd00::1
expect test1 !reaches test3
"#;
    let file = parse(src);
    assert_eq!(file.items.len(), 19);
    let ItemKind::Jail(block) = &file.items[14].kind else {
        panic!("not a jail block")
    };
    let params: Vec<_> = block
        .props
        .iter()
        .filter_map(|p| match &p.kind {
            JailPropKind::Param(p) => Some((
                p.name.node.as_str(),
                p.values.iter().map(|v| v.node.as_str()).collect::<Vec<_>>(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        params,
        [
            ("sysvshm", vec!["new"]),
            ("exec.poststart", vec!["logger \"up\" \\o/"]),
            ("allow.mount", vec![]),
            ("ip4.addr", vec!["10.0.0.1", "10.0.0.2"]),
        ]
    );
    let ItemKind::Expect(e) = &file.items[18].kind else {
        panic!("not an expectation")
    };
    assert!(!e.reaches);
    assert_eq!(e.target.node, Target::Jail("test3".into()));
}

#[test]
fn keywords_are_reserved_only_where_they_start_a_form() {
    let file =
        parse("jail a {\n  service source\n  service bridge\n}\nbridge jail < jail bridge >");
    let ItemKind::Jail(block) = &file.items[0].kind else {
        panic!()
    };
    assert!(matches!(&block.props[0].kind, JailPropKind::Service(n) if n.node == "source"));
    assert_eq!(file.items.len(), 2);
}

#[test]
fn comments_are_kept_on_the_items_they_follow_or_precede() {
    let src = "# the lab\ndomain x.jp # trailing\nbridge b0 <\n  # lead member\n  jail a 10.0.0.1/24 # after a\n  # dangling in segment\n>\njail a {\n  # lead prop\n  forwarding\n}\n# at the end\n";
    let file = parse(src);
    let texts = |cs: &[Comment]| cs.iter().map(|c| c.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&file.items[0].trivia.leading), [" the lab"]);
    assert_eq!(
        file.items[0].trivia.trailing.as_ref().unwrap().text,
        " trailing"
    );
    let ItemKind::Segment(seg) = &file.items[1].kind else {
        panic!()
    };
    assert_eq!(texts(&seg.members[0].trivia.leading), [" lead member"]);
    assert_eq!(
        seg.members[0].trivia.trailing.as_ref().unwrap().text,
        " after a"
    );
    assert_eq!(texts(&seg.dangling), [" dangling in segment"]);
    let ItemKind::Jail(block) = &file.items[2].kind else {
        panic!()
    };
    assert_eq!(texts(&block.props[0].trivia.leading), [" lead prop"]);
    assert_eq!(texts(&file.dangling), [" at the end"]);
    // Every comment of the source is somewhere in the tree.
    let mut kept = file.dangling.len();
    for item in &file.items {
        kept += item.trivia.leading.len() + usize::from(item.trivia.trailing.is_some());
        match &item.kind {
            ItemKind::Segment(s) => {
                kept += s.dangling.len();
                for m in &s.members {
                    kept += m.trivia.leading.len() + usize::from(m.trivia.trailing.is_some());
                }
            }
            ItemKind::Jail(j) => {
                kept += j.dangling.len();
                for p in &j.props {
                    kept += p.trivia.leading.len() + usize::from(p.trivia.trailing.is_some());
                }
            }
            _ => {}
        }
    }
    assert_eq!(kept, src.matches('#').count());
}

#[test]
fn statements_end_at_newlines_or_semicolons() {
    let a = parse(
        "domain x.jp; freebsd 14.1\n\n;;\nbridge b < jail a 10.0.0.1/24; jail b 10.0.0.2/24 >;",
    );
    assert_eq!(a.items.len(), 3);
}

#[test]
fn em0_dot_100_is_vlan_100_on_em0() {
    let a = vjc::check("a.vj", "iface em0.100 < jail a 10.0.0.1/24 >");
    let b = vjc::check("b.vj", "vlan 100 on em0 < jail a 10.0.0.1/24 >");
    let (a, b) = (&a.model.unwrap().hosts[0], &b.model.unwrap().hosts[0]);
    assert_eq!(a.vlans[0].name, "em0.100");
    assert_eq!(a.vlans[0].name, b.vlans[0].name);
    assert_eq!(a.nics[0].vlan_ids, b.nics[0].vlan_ids);
    assert_eq!(a.jails[0].interfaces[0].name, "em0.100");
}
