//! `ast::File` → `model::Model`: applies defaults, binds names and
//! allocates every interface name, in source order.
//!
//! Resolve reports what stops names from binding (a jail or segment
//! defined twice, a name that is not defined, a setting given twice); every
//! other rule is the checker's. It records every use of an interface, even
//! conflicting ones, so that the checker can point at both.

use crate::ast::{self, Addr as AstAddr, ItemKind, MemberKind, Setting, WorldMode};
use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::span::{Span, Spanned};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

pub struct Resolved {
    pub model: Option<Model>,
    pub diagnostics: Vec<Diagnostic>,
}

pub const DEFAULT_RELEASE: ast::Release = ast::Release {
    major: 14,
    minor: 3,
};
pub const DEFAULT_ARCH: &str = "amd64";
pub const DEFAULT_SRC: &str = "/usr/src";
pub const DEFAULT_JAILS: &str = "/usr/local/jails";

/// The jail(8) parameters that hold commands run at a stage of a jail's
/// life; a user's are appended (`+=`) after vjc's own. The other `exec.*`
/// parameters (`exec.clean`, `exec.timeout`, `exec.jail_user`, …) hold one
/// value and are set with `=` (jail(8) PARAMETERS, "exec.prepare" to
/// "exec.release"; usr.sbin/jail/config.c `intparams`).
pub const EXEC_HOOKS: &[&str] = &[
    "exec.prepare",
    "exec.prestart",
    "exec.created",
    "exec.start",
    "exec.poststart",
    "exec.prestop",
    "exec.stop",
    "exec.poststop",
    "exec.release",
];

pub fn resolve(source_name: &str, file: &ast::File) -> Resolved {
    let mut r = Resolver::default();
    let host = r.host(file);
    Resolved {
        model: Some(Model {
            source_name: source_name.to_string(),
            hosts: vec![host],
        }),
        diagnostics: r.diagnostics,
    }
}

/// `MACHINE` → `MACHINE_ARCH` for the architectures FreeBSD publishes
/// release sets for (download.freebsd.org/releases/<MACHINE>/<MACHINE_ARCH>/).
pub const ARCHES: &[(&str, &str)] = &[
    ("amd64", "amd64"),
    ("arm64", "aarch64"),
    ("i386", "i386"),
    ("arm", "armv7"),
    ("powerpc", "powerpc64"),
    ("riscv", "riscv64"),
];

/// What a release has, as vjc's outputs care.
pub fn facts(release: ast::Release) -> ReleaseFacts {
    let at_least = |major, minor| release >= ast::Release { major, minor };
    ReleaseFacts {
        // devfsrules_jail_vnet=5 is in 13.0's sbin/devfs/devfs.rules and
        // absent from releng/12.0 and 12.1 (FREEBSD.md §2.3; checked in
        // freebsd-src history): 4 (devfsrules_jail) before 13.0.
        devfs_ruleset: if at_least(13, 0) { 5 } else { 4 },
        // 12.0 release notes: "The VIMAGE kernel configuration option has
        // been enabled by default."
        vimage_in_generic: at_least(12, 0),
        // 15.0 release notes: if_bridge refuses members that hold an IP
        // address (net.link.bridge.member_ifaddrs, slated to go in 16).
        bridge_refuses_addressed_members: at_least(15, 0),
    }
}

#[derive(Default)]
struct Resolver<'a> {
    diagnostics: Vec<Diagnostic>,
    /// Jail name → index into `jails`.
    /// (Keys borrow the file's names: no copy of each jail's name.)
    jail_index: HashMap<&'a str, usize>,
    jails: Vec<Jail>,
    /// Spans of each jail's `jail { … }` block.
    jail_blocks: HashMap<&'a str, Span>,
    nic_index: HashMap<String, usize>,
    nics: Vec<Nic>,
    segments: Vec<Segment>,
    bridges: Vec<Bridge>,
    epairs: Vec<Epair>,
    vlans: Vec<Vlan>,
    /// Bridge units no renamed bridge may take: those written `bridgeN`
    /// anywhere in the file, and those already given out.
    taken_units: HashSet<u32>,
    /// No unit below this one is free.
    next_unit: u32,
    /// Undefined names met so far (see `SUGGESTIONS`).
    suggestions: usize,
}

struct Settings<'a> {
    release: Option<&'a Spanned<ast::Release>>,
    arch: Option<&'a ast::Name>,
    src: Option<&'a Spanned<String>>,
    jails: Option<&'a Spanned<String>>,
    domain: Option<&'a Spanned<String>>,
    world: Option<&'a Spanned<WorldMode>>,
    kernel: Option<(&'a ast::KernelBlock, Span)>,
}

impl<'a> Resolver<'a> {
    fn host(&mut self, file: &'a ast::File) -> Host {
        self.reserve(file);
        let s = self.settings(file);
        let release = s.release.map_or(DEFAULT_RELEASE, |r| r.node);
        let arch = s.arch.map_or(DEFAULT_ARCH, |a| a.node.as_str()).to_string();
        let machine_arch = ARCHES
            .iter()
            .find(|(m, _)| *m == arch)
            .map_or(arch.clone(), |(_, ma)| ma.to_string());
        let jails_root = s.jails.map_or(DEFAULT_JAILS, |j| j.node.as_str());
        let domain = s.domain.map(|d| d.node.as_str());
        let facts = facts(release);

        // Units of bridges written `bridgeN` anywhere in the file are not
        // given to renamed bridges.
        self.taken_units = file
            .items
            .iter()
            .filter_map(|item| match &item.kind {
                ItemKind::Segment(ast::Segment {
                    kind: ast::SegmentKind::Bridge { name, .. },
                    ..
                }) => bridge_unit(&name.node),
                _ => None,
            })
            .collect();
        // Jails first mentioned in a block or a member, in source order.
        for item in &file.items {
            match &item.kind {
                ItemKind::Segment(seg) => self.segment(seg, item.span),
                ItemKind::Jail(block) => self.jail_block(block),
                _ => {}
            }
        }
        for jail in &mut self.jails {
            // Built by hand, not with format!: this runs once per jail.
            if jail.hostname.is_empty() {
                jail.hostname = match domain {
                    Some(d) => concat(&[&jail.name, ".", d]),
                    None => jail.name.clone(),
                };
            }
            if jail.path.is_empty() {
                jail.path = concat(&[jails_root.trim_end_matches('/'), "/", &jail.name]);
            }
        }
        let expectations = file
            .items
            .iter()
            .filter_map(|item| match &item.kind {
                ItemKind::Expect(e) => self.expectation(e, item.span),
                _ => None,
            })
            .collect();

        let mut cloned: Vec<String> = self.epairs.iter().map(|e| e.name.clone()).collect();
        cloned.extend(self.bridges.iter().map(|b| b.created.clone()));

        Host {
            target: Target {
                release,
                arch,
                machine_arch,
                facts,
            },
            src: s.src.map_or(DEFAULT_SRC, |p| p.node.as_str()).to_string(),
            world: s.world.map_or(WorldMode::Source, |w| w.node),
            kernel: kernel(s.kernel.map(|(k, _)| k), facts),
            jails: exact(std::mem::take(&mut self.jails)),
            segments: exact(std::mem::take(&mut self.segments)),
            bridges: exact(std::mem::take(&mut self.bridges)),
            epairs: exact(std::mem::take(&mut self.epairs)),
            vlans: exact(std::mem::take(&mut self.vlans)),
            nics: exact(std::mem::take(&mut self.nics)),
            cloned,
            expectations,
        }
    }

    /// Each setting at most once.
    /// Room for the host's lists, counted from the file: at most one
    /// jail per `jail` member or block and one epair per `jail` member,
    /// one segment per segment statement. Growing them instead copies
    /// lists of 100,000 jails several times; room counted but not used is
    /// given back by `exact` (and, never written, costs no memory).
    fn reserve(&mut self, file: &ast::File) {
        let (mut segments, mut bridges, mut members, mut blocks) = (0, 0, 0, 0);
        for item in &file.items {
            match &item.kind {
                ItemKind::Segment(seg) => {
                    segments += 1;
                    bridges += usize::from(matches!(seg.kind, ast::SegmentKind::Bridge { .. }));
                    members += seg.members.len();
                }
                ItemKind::Jail(_) => blocks += 1,
                _ => {}
            }
        }
        self.segments.reserve(segments);
        self.bridges.reserve(bridges);
        self.epairs.reserve(members + segments);
        self.jails.reserve(members + blocks);
        self.jail_index.reserve(members + blocks);
        self.jail_blocks.reserve(blocks);
    }

    fn settings(&mut self, file: &'a ast::File) -> Settings<'a> {
        let mut s = Settings {
            release: None,
            arch: None,
            src: None,
            jails: None,
            domain: None,
            world: None,
            kernel: None,
        };
        let mut seen: HashMap<&'static str, Span> = HashMap::default();
        for item in &file.items {
            let ItemKind::Setting(setting) = &item.kind else {
                continue;
            };
            let keyword = match setting {
                Setting::Freebsd(r) => {
                    s.release.get_or_insert(r);
                    "freebsd"
                }
                Setting::Arch(a) => {
                    s.arch.get_or_insert(a);
                    "arch"
                }
                Setting::Src(p) => {
                    s.src.get_or_insert(p);
                    "src"
                }
                Setting::Jails(p) => {
                    s.jails.get_or_insert(p);
                    "jails"
                }
                Setting::Domain(d) => {
                    s.domain.get_or_insert(d);
                    "domain"
                }
                Setting::World(w) => {
                    s.world.get_or_insert(w);
                    "world"
                }
                Setting::Kernel(k) => {
                    s.kernel.get_or_insert((k, item.span));
                    "kernel"
                }
            };
            if let Some(first) = seen.get(keyword) {
                self.diagnostics.push(
                    Diagnostic::new(
                        "E0101",
                        format!("`{keyword}` is set more than once"),
                        item.span,
                        "set again here",
                    )
                    .with_secondary(*first, "first set here")
                    .with_help(format!("keep one `{keyword}` line")),
                );
            } else {
                seen.insert(keyword, item.span);
            }
        }
        s
    }

    /// The jail called `name`, created at its first mention.
    fn jail(&mut self, name: &'a ast::Name) -> usize {
        if let Some(&i) = self.jail_index.get(name.node.as_str()) {
            return i;
        }
        let i = self.jails.len();
        self.jails.push(Jail {
            name: name.node.clone(),
            span: name.span,
            hostname: String::new(),
            path: String::new(),
            path_span: name.span,
            interfaces: Vec::new(),
            routes: Vec::new(),
            forwarding: false,
            services: Vec::new(),
            params: Vec::new(),
        });
        self.jail_index.insert(&name.node, i);
        i
    }

    fn nic(&mut self, name: &ast::Name) -> usize {
        if let Some(&i) = self.nic_index.get(&name.node) {
            return i;
        }
        let i = self.nics.len();
        self.nics.push(Nic {
            name: name.node.clone(),
            rc_name: rc_name(&name.node),
            uplink_of: None,
            mtu: None,
            vlan_ids: Vec::new(),
            moved_to: None,
            uses: Vec::new(),
            span: name.span,
        });
        self.nic_index.insert(name.node.clone(), i);
        i
    }

    fn vlan(&mut self, v: &VlanSpec, place: VlanPlace, mtu: Option<u32>) -> usize {
        let parent = self.nic(&v.parent);
        let i = self.vlans.len();
        let name = format!("{}.{}", v.parent.node, v.id.node);
        self.nics[parent].vlan_ids.push(v.id.node);
        self.nics[parent].uses.push(NicUse {
            role: NicRole::VlanParent(i),
            span: v.span,
        });
        self.vlans.push(Vlan {
            rc_name: rc_name(&name),
            name,
            id: v.id.node,
            parent,
            place,
            mtu,
            span: v.span,
        });
        i
    }

    /// Attaches `jail` to `segment` with a new interface called `ifname`.
    fn attach(
        &mut self,
        jail: usize,
        segment: usize,
        ifname: String,
        addrs: &[Spanned<AstAddr>],
        mtu: Option<u32>,
        span: Span,
    ) {
        let (addrs, slaac) = split_addrs(addrs);
        let j = &mut self.jails[jail];
        let iface = j.interfaces.len();
        push_small(
            &mut j.interfaces,
            JailIface {
                rc_spelling: rc_spelling(&ifname),
                name: ifname,
                segment,
                addrs,
                slaac,
                mtu,
                span,
            },
        );
        self.segments[segment].attachments.push((jail, iface));
    }

    fn new_epair(&mut self, a: EndPlace, b: EndPlace, mtu: Option<u32>) -> usize {
        let i = self.epairs.len();
        // One per jail on a bridge: built by hand, not with format!.
        let name = concat(&["epair", &i.to_string()]);
        let end = |suffix: &str, place| {
            let end = concat(&[&name, suffix]);
            EpairEnd {
                name: end,
                place,
                mtu,
            }
        };
        self.epairs.push(Epair {
            a: end("a", a),
            b: end("b", b),
            name,
        });
        i
    }

    fn segment(&mut self, seg: &'a ast::Segment, span: Span) {
        let index = self.segments.len();
        match &seg.kind {
            ast::SegmentKind::Bridge { name, mtu } => {
                let mtu = mtu.as_ref().map(|m| m.node);
                let b = self.bridges.len();
                self.segments.push(Segment {
                    label: name.node.clone(),
                    kind: SegmentKind::Bridge(b),
                    attachments: Vec::new(),
                    host_addrs: Vec::new(),
                    leaves_host: false,
                    span,
                });
                self.bridges.push(Bridge {
                    name: name.node.clone(),
                    created: String::new(),
                    created_rc: String::new(),
                    name_rc: rc_name(&name.node),
                    mtu,
                    members: Vec::new(),
                    host_addrs: Vec::new(),
                    segment: index,
                    span: name.span,
                });
                self.allocate_bridge_unit(b);
                for m in &seg.members {
                    match &m.kind {
                        MemberKind::Jail { name, addrs } => {
                            let jail = self.jail(name);
                            let e = self.new_epair(EndPlace::Bridge(b), EndPlace::Jail(jail), mtu);
                            let (a, bname) =
                                (self.epairs[e].a.name.clone(), self.epairs[e].b.name.clone());
                            self.bridges[b].members.push(BridgeMember {
                                name: a,
                                iface: MemberIface::EpairA(e),
                            });
                            self.attach(jail, index, bname, addrs, mtu, m.span);
                        }
                        MemberKind::Host { addrs } => {
                            let (addrs, _) = split_addrs(addrs);
                            self.bridges[b].host_addrs.extend(addrs.iter().copied());
                            self.segments[index].host_addrs.extend(addrs);
                        }
                        MemberKind::Uplink(ifname) => {
                            self.segments[index].leaves_host = true;
                            match vlan_spec(ifname) {
                                Some(v) => {
                                    let vi = self.vlan(&v, VlanPlace::Bridge(b), mtu);
                                    let name = self.vlans[vi].name.clone();
                                    self.bridges[b].members.push(BridgeMember {
                                        name,
                                        iface: MemberIface::Vlan(vi),
                                    });
                                }
                                None => {
                                    let n = self.nic(ifname);
                                    let nic = &mut self.nics[n];
                                    nic.uses.push(NicUse {
                                        role: NicRole::Uplink(b),
                                        span: m.span,
                                    });
                                    if nic.uplink_of.is_none() {
                                        nic.uplink_of = Some(b);
                                        nic.mtu = mtu;
                                    }
                                    let name = nic.name.clone();
                                    self.bridges[b].members.push(BridgeMember {
                                        name,
                                        iface: MemberIface::Nic(n),
                                    });
                                }
                            }
                        }
                        MemberKind::Vlan(v) => {
                            self.segments[index].leaves_host = true;
                            let vi = self.vlan(&VlanSpec::from(v), VlanPlace::Bridge(b), mtu);
                            let name = self.vlans[vi].name.clone();
                            self.bridges[b].members.push(BridgeMember {
                                name,
                                iface: MemberIface::Vlan(vi),
                            });
                        }
                    }
                }
            }
            ast::SegmentKind::Vlan(v) => {
                self.direct_bind(seg, index, span, DirectBind::Vlan(VlanSpec::from(v)))
            }
            ast::SegmentKind::Iface(ifname) => {
                let bind = match vlan_spec(ifname) {
                    Some(v) => DirectBind::Vlan(v),
                    None => DirectBind::Nic(ifname.clone()),
                };
                self.direct_bind(seg, index, span, bind)
            }
            ast::SegmentKind::Epair(name) => {
                self.segments.push(Segment {
                    label: name.node.clone(),
                    kind: SegmentKind::Epair(self.epairs.len()),
                    attachments: Vec::new(),
                    host_addrs: Vec::new(),
                    leaves_host: false,
                    span,
                });
                let jails: Vec<_> = seg.members.iter().filter_map(jail_member).collect();
                // The checker reports an epair without exactly two jails.
                let place = |r: &mut Resolver<'a>, k: usize| match jails.get(k) {
                    Some((name, _, _)) => EndPlace::Jail(r.jail(name)),
                    None => EndPlace::Unused,
                };
                let a = place(self, 0);
                let b = place(self, 1);
                let e = self.new_epair(a, b, None);
                self.note_host_members(seg, index);
                for (k, (name, addrs, span)) in jails.iter().enumerate().take(2) {
                    let jail = self.jail(name);
                    let end = if k == 0 {
                        &self.epairs[e].a
                    } else {
                        &self.epairs[e].b
                    };
                    let ifname = end.name.clone();
                    self.attach(jail, index, ifname, addrs, None, *span);
                }
                for (name, addrs, span) in jails.iter().skip(2) {
                    let jail = self.jail(name);
                    self.attach(jail, index, String::new(), addrs, None, *span);
                }
            }
        }
    }

    /// A `vlan` or `iface` segment: the interface moves into its jail.
    fn direct_bind(&mut self, seg: &'a ast::Segment, index: usize, span: Span, bind: DirectBind) {
        let jails: Vec<_> = seg.members.iter().filter_map(jail_member).collect();
        let first = jails.first().map(|(name, _, _)| self.jail(name));
        let (kind, ifname) = match &bind {
            DirectBind::Vlan(v) => {
                let place = match first {
                    Some(j) => VlanPlace::Jail(j),
                    None => VlanPlace::Unused,
                };
                let vi = self.vlan(v, place, None);
                (SegmentKind::Vlan(vi), self.vlans[vi].name.clone())
            }
            DirectBind::Nic(name) => {
                let n = self.nic(name);
                let nic = &mut self.nics[n];
                if let Some(j) = first {
                    nic.uses.push(NicUse {
                        role: NicRole::Moved(j),
                        span,
                    });
                    nic.moved_to.get_or_insert(j);
                }
                (SegmentKind::Iface(n), nic.name.clone())
            }
        };
        let label = match &bind {
            DirectBind::Vlan(v) => format!("vlan {} on {}", v.id.node, v.parent.node),
            DirectBind::Nic(n) => n.node.clone(),
        };
        self.segments.push(Segment {
            label,
            kind,
            attachments: Vec::new(),
            host_addrs: Vec::new(),
            leaves_host: true,
            span,
        });
        self.note_host_members(seg, index);
        // Only one jail can own the interface; the checker reports the rest,
        // which are attached with no interface name.
        for (k, (name, addrs, span)) in jails.iter().enumerate() {
            let jail = self.jail(name);
            let n = if k == 0 {
                ifname.clone()
            } else {
                String::new()
            };
            self.attach(jail, index, n, addrs, None, *span);
        }
    }

    /// `host` members where the segment kind has no place for them are kept
    /// as host addresses so the checker can point at them.
    fn note_host_members(&mut self, seg: &ast::Segment, index: usize) {
        for m in &seg.members {
            if let MemberKind::Host { addrs } = &m.kind {
                let (addrs, _) = split_addrs(addrs);
                self.segments[index].host_addrs.extend(addrs);
            }
        }
    }

    /// A bridge written `bridgeN` is created as such; any other name gets
    /// the lowest `bridgeN` no bridge of the file is written as, in source
    /// order, and is renamed at boot.
    fn allocate_bridge_unit(&mut self, b: usize) {
        let name = self.bridges[b].name.clone();
        let created = if bridge_unit(&name).is_some() {
            name
        } else {
            // Units are only ever taken, so the lowest free one never
            // goes down: one pass over all bridges, not one per bridge.
            while self.taken_units.contains(&self.next_unit) {
                self.next_unit += 1;
            }
            self.taken_units.insert(self.next_unit);
            format!("bridge{}", self.next_unit)
        };
        self.bridges[b].created_rc = rc_name(&created);
        self.bridges[b].created = created;
    }

    fn jail_block(&mut self, block: &'a ast::JailBlock) {
        if let Some(first) = self.jail_blocks.get(block.name.node.as_str()) {
            self.diagnostics.push(
                Diagnostic::new(
                    "E0201",
                    format!("jail `{}` has a second `jail` block", block.name.node),
                    block.name.span,
                    "second block",
                )
                .with_secondary(*first, "first block here")
                .with_help("merge the two blocks into one"),
            );
            return;
        }
        self.jail_blocks.insert(&block.name.node, block.name.span);
        let j = self.jail(&block.name);
        let mut route_names = (0usize, 0usize);
        for prop in &block.props {
            let jail = &mut self.jails[j];
            match &prop.kind {
                ast::JailPropKind::Hostname(h) => jail.hostname = h.node.clone(),
                ast::JailPropKind::Path(p) => {
                    jail.path = p.node.clone();
                    jail.path_span = p.span;
                }
                ast::JailPropKind::Route(r) => {
                    let dest = match r.dest.node {
                        ast::RouteDest::Default => RouteDest::Default,
                        ast::RouteDest::Net(n) => RouteDest::Net(n),
                    };
                    let rc_name = match dest {
                        RouteDest::Default => None,
                        RouteDest::Net(n) => {
                            let counter = if n.addr().is_ipv4() {
                                &mut route_names.0
                            } else {
                                &mut route_names.1
                            };
                            *counter += 1;
                            Some(format!("net{}", *counter - 1))
                        }
                    };
                    push_small(
                        &mut jail.routes,
                        Route {
                            dest,
                            via: r.via.node,
                            rc_name,
                            span: prop.span,
                        },
                    );
                }
                ast::JailPropKind::Forwarding => jail.forwarding = true,
                ast::JailPropKind::Service(s) => jail.services.push(Service {
                    rc_var: format!("{}_enable", rc_name(&s.node)),
                    name: s.node.clone(),
                    span: prop.span,
                }),
                ast::JailPropKind::Allow(a) => jail.params.push(JailParam {
                    name: format!("allow.{}", a.node),
                    values: Vec::new(),
                    append: false,
                    span: prop.span,
                }),
                ast::JailPropKind::Param(p) => jail.params.push(JailParam {
                    append: EXEC_HOOKS.contains(&p.name.node.as_str()),
                    name: p.name.node.clone(),
                    values: p.values.iter().map(|v| v.node.clone()).collect(),
                    span: prop.span,
                }),
            }
        }
    }

    fn expectation(&mut self, e: &ast::Expect, span: Span) -> Option<Expectation> {
        let from = self.known_jail(&e.from)?;
        let target = match &e.target.node {
            ast::Target::Addr(a) => ExpectTarget::Addr(*a),
            ast::Target::Jail(name) => {
                ExpectTarget::Jail(self.known_jail(&Spanned::new(name.clone(), e.target.span))?)
            }
        };
        Some(Expectation {
            from,
            reaches: e.reaches,
            target,
            span,
        })
    }

    /// A jail that must already exist; reports it when it does not.
    fn known_jail(&mut self, name: &ast::Name) -> Option<usize> {
        if let Some(&i) = self.jail_index.get(name.node.as_str()) {
            return Some(i);
        }
        let mut d = Diagnostic::new(
            "E0203",
            format!("no jail is called `{}`", name.node),
            name.span,
            "not defined",
        );
        self.suggestions += 1;
        let near = if self.suggestions <= SUGGESTIONS {
            closest(&name.node, self.jails.iter().map(|j| j.name.as_str()))
        } else {
            None
        };
        match near {
            Some(near) => d = d.with_help(format!("a jail is called `{near}`: did you mean it?")),
            None => {
                d = d.with_help(
                    "a jail exists once a segment attaches it or a `jail` block declares it",
                )
            }
        }
        self.diagnostics.push(d);
        None
    }
}

/// Pushes onto a list that is one or two long for most jails (their
/// interfaces, their routes) without the room for four a first push makes
/// (tens of megabytes at 100,000 jails), and still doubling past that: a
/// router can have thousands of routes.
fn push_small<T>(list: &mut Vec<T>, item: T) {
    if list.len() == list.capacity() {
        list.reserve_exact(list.len().max(1));
    }
    list.push(item);
}

/// A list without the room its growth left (up to half of it, a few tens
/// of megabytes for the host's lists at 100,000 jails).
fn exact<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

/// The pieces, end to end, in a string of the right size.
fn concat(pieces: &[&str]) -> String {
    let mut s = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for p in pieces {
        s.push_str(p);
    }
    s
}

/// `rc_name`, when it differs from the name (not for the usual name that
/// is already its own rc.conf spelling, `epair0b`).
fn rc_spelling(name: &str) -> Option<String> {
    name.contains(['.', '-', '/', '+']).then(|| rc_name(name))
}

/// `vlan ID on IF`, wherever it was written (`em0.100` included).
struct VlanSpec {
    id: Spanned<u32>,
    parent: ast::Name,
    span: Span,
}

impl From<&ast::VlanRef> for VlanSpec {
    fn from(v: &ast::VlanRef) -> VlanSpec {
        VlanSpec {
            id: v.id.clone(),
            parent: v.parent.clone(),
            span: v.span,
        }
    }
}

enum DirectBind {
    Vlan(VlanSpec),
    Nic(ast::Name),
}

/// `em0.100` is `vlan 100 on em0`.
fn vlan_spec(ifname: &ast::Name) -> Option<VlanSpec> {
    let (parent, id) = ifname.node.rsplit_once('.')?;
    let id_num: u32 = id.parse().ok()?;
    let s = ifname.span;
    Some(VlanSpec {
        id: Spanned::new(id_num, Span::new(s.start + parent.len() + 1, s.end)),
        parent: Spanned::new(
            parent.to_string(),
            Span::new(s.start, s.start + parent.len()),
        ),
        span: s,
    })
}

fn jail_member(m: &ast::Member) -> Option<(&ast::Name, &[Spanned<AstAddr>], Span)> {
    match &m.kind {
        MemberKind::Jail { name, addrs } => Some((name, addrs.as_slice(), m.span)),
        _ => None,
    }
}

fn split_addrs(addrs: &[Spanned<AstAddr>]) -> (Vec<Addr>, Option<Span>) {
    let mut out = Vec::with_capacity(addrs.len());
    let mut slaac = None;
    for a in addrs {
        match a.node {
            AstAddr::Net(net) => out.push(Addr { net, span: a.span }),
            AstAddr::Slaac => {
                slaac.get_or_insert(a.span);
            }
        }
    }
    (out, slaac)
}

/// The unit of a name written `bridgeN` (no leading zeros).
fn bridge_unit(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("bridge")?;
    if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    digits.parse().ok()
}

fn kernel(block: Option<&ast::KernelBlock>, facts: ReleaseFacts) -> Option<Kernel> {
    match block {
        Some(k) => {
            let mut lines: Vec<String> = k
                .lines
                .iter()
                .map(|l| {
                    let mut s = l.directive.node.clone();
                    for w in &l.words {
                        s.push(' ');
                        s.push_str(&w.node);
                    }
                    s
                })
                .collect();
            if !facts.vimage_in_generic && !has_vimage(k) {
                lines.insert(0, "options VIMAGE".to_string());
            }
            Some(Kernel {
                ident: k.ident.node.clone(),
                lines,
            })
        }
        None if !facts.vimage_in_generic => Some(Kernel {
            ident: "VIMAGE".to_string(),
            lines: vec!["options VIMAGE".to_string()],
        }),
        None => None,
    }
}

/// The block says `options VIMAGE` (possibly among other options).
pub fn has_vimage(k: &ast::KernelBlock) -> bool {
    k.lines
        .iter()
        .any(|l| l.directive.node == "options" && l.words.iter().any(|w| w.node == "VIMAGE"))
}

/// Bounds on the work of suggestions, so that a file cannot make vjc
/// quadratic: edit distance costs the product of two lengths, and each
/// undefined name is held against every jail. Names longer than
/// `SUGGEST_MAX_LEN` get no suggestion, only the first `SUGGEST_CANDIDATES`
/// candidates are tried, and a file gets at most `SUGGESTIONS` of them
/// (found by hostile inputs: 4000 jails and 4000 undefined names took
/// half a minute).
const SUGGEST_MAX_LEN: usize = 32;
const SUGGEST_CANDIDATES: usize = 2000;
const SUGGESTIONS: usize = 100;

/// The candidate nearest to `name` by edit distance, if near enough to be
/// a likely typo.
pub fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if name.len() > SUGGEST_MAX_LEN {
        return None;
    }
    let near = |c: &str| c.len().abs_diff(name.len()) <= (name.len().max(c.len()) / 3).max(1);
    candidates
        .take(SUGGEST_CANDIDATES)
        .filter(|c| c.len() <= SUGGEST_MAX_LEN && near(c))
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, c)| *d <= (name.len().max(c.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: edits, with a swap of two
/// neighbouring characters counted as one (`tset2` → `test2`).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}
