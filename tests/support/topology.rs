//! Random topologies as .vj text, built from a stream of choices. One
//! generator, two drivers: the property tests (tests/properties.rs) feed it
//! proptest's numbers, the grammar-aware fuzz target (fuzz/) the fuzzer's
//! bytes through `arbitrary`. Any choice stream gives a file that parses
//! (the generator only writes forms the grammar has); most compile, and the
//! rest must fail with coded diagnostics, never a panic.
//!
//! Names come from small pools so that jails meet on several segments and
//! gateways and expectations point at addresses that exist; a few choices
//! put hostile strings (quotes, `$`, backslashes, `#`, `;`) where the
//! language allows strings, so that the emitters' quoting is exercised.
#![allow(dead_code)]

/// A source of choices. `below(n)` returns a number in `0..n` (`n >= 1`);
/// an exhausted source returns 0, so every stream is a valid input.
pub trait Choices {
    fn below(&mut self, n: usize) -> usize;

    fn coin(&mut self) -> bool {
        self.below(2) == 1
    }

    /// True with probability about 1/n.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Choices read from a list of numbers, each taken modulo `n`.
pub struct Numbers<'a> {
    numbers: &'a [u32],
    at: usize,
}

impl<'a> Numbers<'a> {
    pub fn new(numbers: &'a [u32]) -> Numbers<'a> {
        Numbers { numbers, at: 0 }
    }
}

impl Choices for Numbers<'_> {
    fn below(&mut self, n: usize) -> usize {
        let Some(&x) = self.numbers.get(self.at) else {
            return 0;
        };
        self.at += 1;
        x as usize % n.max(1)
    }
}

/// A generated file: top-level statements, each complete in itself, so
/// that a test can reorder them.
#[derive(Debug, Clone)]
pub struct Topology {
    pub statements: Vec<String>,
}

impl Topology {
    pub fn text(&self) -> String {
        let mut s = self.statements.join("\n");
        s.push('\n');
        s
    }

    /// The same statements in another order: `order` is a permutation of
    /// their indices.
    pub fn reordered(&self, order: &[usize]) -> Topology {
        Topology {
            statements: order.iter().map(|&i| self.statements[i].clone()).collect(),
        }
    }
}

const JAILS: &[&str] = &["web", "db", "r1", "gw", "mail", "dns"];
const NICS: &[&str] = &["em0", "em1", "igb0", "vtnet1"];
const RELEASES: &[&str] = &["14.3", "13.2", "15.0", "12.4", "11.4", "10.0", "14.0"];
const ARCHES: &[&str] = &["amd64", "arm64", "i386", "riscv"];
const SERVICES: &[&str] = &["bird", "named", "sshd", "nginx", "unbound"];
const ALLOWS: &[&str] = &["sysvipc", "mount", "raw_sockets", "chflags"];
/// Strings the language accepts in quotes; each must reach jail.conf
/// unexpanded.
pub const HOSTILE_STRINGS: &[&str] = &[
    "$(reboot)",
    "`reboot`",
    "${name}",
    "$name",
    "a\"b",
    "back\\slash",
    "semi; colon",
    "hash # not a comment",
    "// nor this",
    "/* nor this */",
    "'single'",
    "x,y",
    "{ }",
    "é ünïcode ✓",
    "",
    "\\$\\\"",
];
const WORDS: &[&str] = &[
    "new",
    "inherit",
    "0",
    "disable",
    "/usr/local/etc",
    "a=b",
    "1:2",
];
const PARAMS: &[&str] = &[
    "sysvshm",
    "sysvmsg",
    "children.max",
    "exec.poststart",
    "exec.prestart",
    "enforce_statfs",
    "osrelease",
    "securelevel",
];

fn hostile(c: &mut impl Choices) -> &'static str {
    HOSTILE_STRINGS[c.below(HOSTILE_STRINGS.len())]
}

/// Writes `s` as a .vj string: `\` and `"` escaped.
pub fn vj_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

struct Gen<'c, C: Choices> {
    c: &'c mut C,
    /// Every address given out so far, `(segment, address)`, so that
    /// routes and expectations can name one that exists.
    v4: Vec<(usize, String)>,
    v6: Vec<(usize, String)>,
    /// Each jail member's first IPv4 and IPv6 address (the segment's
    /// subnets): `(jail, segment, v4, v6)`.
    members: Vec<(&'static str, usize, Option<String>, Option<String>)>,
    /// Jails attached so far.
    jails: Vec<&'static str>,
    /// VLANs used so far, so that most new ones are fresh.
    vlans: Vec<(usize, u32)>,
    statements: Vec<String>,
}

pub fn topology(c: &mut impl Choices) -> Topology {
    let mut g = Gen {
        c,
        v4: Vec::new(),
        v6: Vec::new(),
        members: Vec::new(),
        jails: Vec::new(),
        vlans: Vec::new(),
        statements: Vec::new(),
    };
    g.settings();
    let segments = 1 + g.c.below(5);
    for index in 0..segments {
        g.segment(index);
    }
    g.jail_blocks();
    g.expectations();
    Topology {
        statements: g.statements,
    }
}

impl<C: Choices> Gen<'_, C> {
    fn settings(&mut self) {
        if self.c.coin() {
            let r = self.c.pick(RELEASES);
            self.statements.push(format!("freebsd {r}"));
        }
        if self.c.one_in(4) {
            let a = self.c.pick(ARCHES);
            self.statements.push(format!("arch {a}"));
        }
        if self.c.coin() {
            let d = self.c.pick(&["test.jp", "lab.example", "a-b.c-d.example"]);
            self.statements.push(format!("domain {d}"));
        }
        if self.c.one_in(4) {
            let w = self.c.pick(&["source", "release"]);
            self.statements.push(format!("world {w}"));
        }
        if self.c.one_in(4) {
            let p = self.c.pick(&["/usr/src", "/build/src-14", "/home/u/src+x"]);
            self.statements.push(format!("src {p}"));
        }
        if self.c.one_in(4) {
            let p = self.c.pick(&["/usr/local/jails", "/j", "/var/jails.d"]);
            self.statements.push(format!("jails {p}"));
        }
        if self.c.one_in(5) {
            let ident = self.c.pick(&["VIMAGE", "LAB", "J-1"]);
            let mut lines = String::new();
            for _ in 0..self.c.below(4) {
                let line = self.c.pick(&[
                    "options VIMAGE",
                    "nooptions SCTP",
                    "device if_bridge",
                    "nodevice sound",
                    "makeoptions DEBUG=-g",
                    "options INET6",
                ]);
                lines.push_str(&format!("  {line}\n"));
            }
            self.statements
                .push(format!("kernel {ident} {{\n{lines}}}"));
        }
        if self.c.one_in(6) {
            let codes = self
                .c
                .pick(&["W0505", "W0506 W0610", "W0103", "W0801 W0802"]);
            self.statements.push(format!("silence {codes}"));
        }
    }

    /// A jail for a member: mostly one of the pool, not yet in this segment.
    fn jail(&mut self, taken: &[&'static str]) -> &'static str {
        let free: Vec<&'static str> = JAILS
            .iter()
            .copied()
            .filter(|j| !taken.contains(j))
            .collect();
        let j = if free.is_empty() || self.c.one_in(20) {
            *self.c.pick(JAILS)
        } else {
            free[self.c.below(free.len())]
        };
        if !self.jails.contains(&j) {
            self.jails.push(j);
        }
        j
    }

    /// Addresses of member `host` on segment `seg`: its own subnet, so most
    /// are valid and distinct. Returns the text and the first IPv4 and
    /// IPv6 address in the segment's subnets.
    fn addrs(&mut self, seg: usize, host: usize) -> (String, Option<String>, Option<String>) {
        let mut out = String::new();
        let (mut first4, mut first6) = (None, None);
        let n = match self.c.below(6) {
            0 => 0,
            1..=3 => 1,
            4 => 2,
            _ => 3,
        };
        for k in 0..n {
            match self.c.below(8) {
                0..=3 => {
                    let odd = self.c.one_in(10);
                    let len = if odd {
                        *self.c.pick(&[16, 30, 31, 32, 0])
                    } else {
                        24
                    };
                    let a = format!("10.{seg}.{k}.{}", host + 1);
                    self.v4.push((seg, a.clone()));
                    if k == 0 && !odd {
                        first4 = Some(a.clone());
                    }
                    out.push_str(&format!(" {a}/{len}"));
                }
                4..=6 => {
                    let odd = self.c.one_in(10);
                    let len = if odd {
                        *self.c.pick(&[48, 127, 128, 0])
                    } else {
                        64
                    };
                    let a = format!("fd00:{seg}:{k}::{:x}", host + 1);
                    self.v6.push((seg, a.clone()));
                    if k == 0 && !odd {
                        first6 = Some(a.clone());
                    }
                    out.push_str(&format!(" {a}/{len}"));
                }
                _ => {
                    if self.c.coin() {
                        out.push_str(" slaac");
                    } else {
                        out.push_str(&format!(" fe80::{:x}/64", host + 1));
                    }
                }
            }
        }
        (out, first4, first6)
    }

    /// A `jail` member on segment `seg`.
    fn member(&mut self, seg: usize, host: usize, jail: &'static str) -> String {
        let (a, v4, v6) = self.addrs(seg, host);
        self.members.push((jail, seg, v4, v6));
        format!("jail {jail}{a}")
    }

    fn vlan_ref(&mut self) -> String {
        let nic = self.c.pick(NICS);
        let nic_index = NICS.iter().position(|n| n == nic).unwrap_or(0);
        let id = if self.c.one_in(8) {
            *self.c.pick(&[0u32, 1, 4094, 4095, 100])
        } else {
            let mut id = 100 + 100 * self.c.below(9) as u32;
            while self.vlans.contains(&(nic_index, id)) && id < 4000 {
                id += 1;
            }
            id
        };
        self.vlans.push((nic_index, id));
        format!("vlan {id} on {nic}")
    }

    fn segment(&mut self, index: usize) {
        // Blank-separated items or `;`, on one line or several.
        let sep = if self.c.coin() { "\n  " } else { "; " };
        let mut members: Vec<String> = Vec::new();
        let header;
        match self.c.below(8) {
            // Bridges are the common case.
            0..=3 => {
                let name = match self.c.below(4) {
                    0 => format!("bridge{index}"),
                    1 => format!("br{index}"),
                    2 => format!("lab-{index}"),
                    _ => format!("lan_{index}"),
                };
                let mut mtu = if self.c.one_in(4) {
                    let m = if self.c.one_in(6) {
                        *self.c.pick(&[576u32, 100, 70000])
                    } else {
                        *self.c.pick(&[1500u32, 9000, 1280, 1496])
                    };
                    format!(" mtu {m}")
                } else {
                    String::new()
                };
                let mut taken = Vec::new();
                let jails = self.c.below(4);
                for k in 0..jails {
                    let j = self.jail(&taken);
                    taken.push(j);
                    let m = self.member(index, k, j);
                    members.push(m);
                }
                if self.c.one_in(3) {
                    let (a, _, _) = self.addrs(index, 99);
                    let a = if a.is_empty() {
                        format!(" 10.{index}.0.254/24")
                    } else {
                        a
                    };
                    members.push(format!("host{a}"));
                }
                if self.c.one_in(4) {
                    let nic = self.c.pick(NICS);
                    members.push(format!("uplink {nic}"));
                }
                if self.c.one_in(4) {
                    let v = self.vlan_ref();
                    members.push(v);
                    // A VLAN beside other members needs the bridge's MTU.
                    if mtu.is_empty() && !self.c.one_in(6) {
                        mtu = " mtu 1496".to_string();
                    }
                }
                header = format!("bridge {name}{mtu}");
                // Members in any order.
                if members.len() > 1 && self.c.coin() {
                    members.reverse();
                }
            }
            4 => {
                header = self.vlan_ref();
                let j = self.jail(&[]);
                let m = self.member(index, 0, j);
                members.push(m);
            }
            5 => {
                let nic = self.c.pick(NICS);
                header = if self.c.one_in(3) {
                    let id = 10 + self.c.below(20);
                    format!("iface {nic}.{id}")
                } else {
                    format!("iface {nic}")
                };
                let j = self.jail(&[]);
                let m = self.member(index, 0, j);
                members.push(m);
            }
            _ => {
                header = format!("epair p{index}");
                let a = self.jail(&[]);
                let b = self.jail(&[a]);
                let ma = self.member(index, 0, a);
                let mb = self.member(index, 1, b);
                members.push(ma);
                members.push(mb);
            }
        }
        let body = if members.is_empty() {
            String::new()
        } else if sep == "; " {
            format!(" {} ", members.join(sep))
        } else {
            format!("{sep}{}\n", members.join(sep))
        };
        self.statements.push(format!("{header} <{body}>"));
    }

    fn jail_blocks(&mut self) {
        let names: Vec<&'static str> = self.jails.clone();
        for name in names {
            if !self.c.coin() {
                continue;
            }
            let mut props = Vec::new();
            if self.c.one_in(3) {
                if self.c.coin() {
                    props.push(format!("hostname {name}.example.org"));
                } else {
                    let h = self.c.pick(HOSTILE_STRINGS);
                    props.push(format!("hostname {}", vj_string(h)));
                }
            }
            if self.c.one_in(3) {
                props.push(format!("path /jails/{name}"));
            }
            let mut defaults = [false, false];
            for _ in 0..self.c.below(3) {
                let v6 = self.c.one_in(3);
                // Mostly a neighbour's address on a segment where this jail
                // has an address of the same family and subnet.
                let mut gateways = Vec::new();
                for (j, seg, v4a, v6a) in &self.members {
                    let mine = if v6 { v6a } else { v4a };
                    if *j != name || mine.is_none() {
                        continue;
                    }
                    for (k, s2, n4, n6) in &self.members {
                        let theirs = if v6 { n6 } else { n4 };
                        if let Some(g) = theirs.as_ref().filter(|_| s2 == seg && *k != name) {
                            gateways.push(g.clone());
                        }
                    }
                }
                let odd = self.c.one_in(12);
                if gateways.is_empty() && !odd {
                    continue;
                }
                let via = if gateways.is_empty() || odd {
                    let pool = if v6 { &self.v6 } else { &self.v4 };
                    if pool.is_empty() {
                        if v6 {
                            "fd00::1".to_string()
                        } else {
                            "10.9.9.9".to_string()
                        }
                    } else {
                        pool[self.c.below(pool.len())].1.clone()
                    }
                } else {
                    gateways[self.c.below(gateways.len())].clone()
                };
                let family = usize::from(v6);
                let dest = if !defaults[family] && self.c.coin() {
                    defaults[family] = true;
                    "default".to_string()
                } else if v6 {
                    format!("fd99:{}::/32", self.c.below(4))
                } else {
                    format!("172.{}.0.0/16", 16 + self.c.below(4))
                };
                props.push(format!("route {dest} via {via}"));
            }
            if self.c.one_in(3) {
                props.push("forwarding".to_string());
            }
            if self.c.one_in(3) {
                let s = self.c.pick(SERVICES);
                props.push(format!("service {s}"));
            }
            if self.c.one_in(4) {
                let a = self.c.pick(ALLOWS);
                props.push(format!("allow {a}"));
            }
            for _ in 0..self.c.below(3) {
                let p = self.c.pick(PARAMS);
                let name = if self.c.one_in(4) {
                    vj_string(p)
                } else {
                    p.to_string()
                };
                let value = match self.c.below(4) {
                    0 => String::new(),
                    1 => format!(" = {}", self.c.pick(WORDS)),
                    2 => format!(" = {}", vj_string(hostile(self.c))),
                    _ => format!(" = {}, {}", vj_string(hostile(self.c)), self.c.pick(WORDS)),
                };
                props.push(format!("param {name}{value}"));
            }
            let body = if props.is_empty() {
                String::new()
            } else {
                format!("\n  {}\n", props.join("\n  "))
            };
            self.statements.push(format!("jail {name} {{{body}}}"));
        }
    }

    fn expectations(&mut self) {
        if self.jails.is_empty() {
            return;
        }
        if !self.c.one_in(4) {
            return;
        }
        for _ in 0..1 + self.c.below(2) {
            let from = self.jails[self.c.below(self.jails.len())];
            let op = if self.c.coin() { "reaches" } else { "!reaches" };
            let target = match self.c.below(3) {
                0 if !self.v4.is_empty() => self.v4[self.c.below(self.v4.len())].1.clone(),
                1 if !self.v6.is_empty() => self.v6[self.c.below(self.v6.len())].1.clone(),
                _ => self.jails[self.c.below(self.jails.len())].to_string(),
            };
            self.statements.push(format!("expect {from} {op} {target}"));
        }
    }
}
