//! Kernel and release: what the target release can run, and kernel lines
//! that do nothing.

use crate::ast::{self, ItemKind, JailPropKind, Setting};
use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::resolve::{ARCHES, has_vimage};

pub fn check(file: &ast::File, model: &Model, out: &mut Vec<Diagnostic>) {
    let Some(host) = model.hosts.first() else {
        return;
    };
    for item in &file.items {
        match &item.kind {
            ItemKind::Setting(Setting::Freebsd(r)) => minimum_release(r, out),
            ItemKind::Setting(Setting::Arch(a)) => known_arch(a, out),
            ItemKind::Setting(Setting::Kernel(k)) => {
                if !host.target.facts.vimage_in_generic && !has_vimage(k) {
                    // 12.0 release notes: VIMAGE is in GENERIC from 12.0 on.
                    out.push(
                        Diagnostic::new(
                            "W0101",
                            format!(
                                "kernel `{}` has no `options VIMAGE`: vjc adds it",
                                k.ident.node
                            ),
                            k.ident.span,
                            format!(
                                "FreeBSD {} needs VIMAGE for vnet jails",
                                host.target.release
                            ),
                        )
                        .with_help("write `options VIMAGE` in the block to say so yourself"),
                    );
                }
                for line in &k.lines {
                    if line.directive.node == "nooptions"
                        && line.words.iter().any(|w| w.node == "SCTP")
                    {
                        // SCTP was virtualized before 8.0-RELEASE (FREEBSD.md §4:
                        // the 2009 8.0 release-note draft lists it).
                        out.push(
                            Diagnostic::new(
                                "W0102",
                                "`nooptions SCTP` is not needed for VIMAGE",
                                line.span,
                                "removes SCTP for nothing",
                            )
                            .with_note("SCTP has been virtualized since 8.0-RELEASE; the line was needed only on 2009's 8.0-CURRENT")
                            .with_help("remove the line unless you want a kernel without SCTP"),
                        );
                    }
                }
            }
            ItemKind::Jail(block) => {
                for prop in &block.props {
                    if let JailPropKind::Allow(a) = &prop.kind
                        && a.node == "raw_sockets"
                    {
                        // kern_jail.c prison_priv_check grants PRIV_NETINET_RAW to
                        // every vnet jail (FREEBSD.md §2.4).
                        out.push(
                            Diagnostic::new(
                                "W0103",
                                "`allow raw_sockets` changes nothing in a vnet jail",
                                prop.span,
                                "already allowed",
                            )
                            .with_note("a vnet jail owns its network stack: raw sockets and routing are allowed without allow.*")
                            .with_help("remove the line"),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn minimum_release(r: &crate::span::Spanned<ast::Release>, out: &mut Vec<Diagnostic>) {
    if r.node
        < (ast::Release {
            major: 10,
            minor: 0,
        })
    {
        out.push(
            Diagnostic::new(
                "E0102",
                format!("FreeBSD {} is too old for vjc's outputs", r.node),
                r.span,
                "below 10.0",
            )
            .with_note("jail.conf appeared in 9.1 and sysrc(8), which build.sh uses, in 10.0")
            .with_help("target FreeBSD 10.0 or later, e.g. `freebsd 14.3`"),
        );
    }
}

fn known_arch(a: &ast::Name, out: &mut Vec<Diagnostic>) {
    if !ARCHES.iter().any(|(m, _)| *m == a.node) {
        let known: Vec<&str> = ARCHES.iter().map(|(m, _)| *m).collect();
        out.push(
            Diagnostic::new(
                "E0103",
                format!("unknown architecture `{}`", a.node),
                a.span,
                "not a FreeBSD MACHINE",
            )
            .with_help(format!("write one of: {}", known.join(", "))),
        );
    }
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0102",
        title: "target release below 10.0",
        explanation: "\
vjc's outputs need jail.conf (FreeBSD 9.1 and later) and sysrc(8), which
build.sh uses to merge the host's rc.conf (FreeBSD 10.0 and later). A target
below 10.0 cannot run them. Target 10.0 or later: `freebsd 14.3`.",
    },
    CodeInfo {
        code: "E0103",
        title: "unknown architecture",
        explanation: "\
`arch` names the target's MACHINE: the kernel config lives in
<src>/sys/<arch>/conf and release sets under releases/<MACHINE>/<MACHINE_ARCH>/.
vjc knows amd64, arm64, i386, arm, powerpc and riscv.",
    },
    CodeInfo {
        code: "W0101",
        title: "VIMAGE added to a kernel block",
        explanation: "\
Before FreeBSD 12.0, GENERIC lacks `options VIMAGE`, without which a jail
cannot have `vnet`. A `kernel` block for such a target that does not say
`options VIMAGE` gets it added. Write the line yourself to silence this.",
    },
    CodeInfo {
        code: "W0102",
        title: "`nooptions SCTP` is not needed",
        explanation: "\
In 2009, 8.0-CURRENT's VIMAGE did not cover SCTP and kernels had to say
`nooptions SCTP`. SCTP was virtualized before 8.0-RELEASE; every release vjc
targets has it. The line only removes SCTP from the kernel.",
    },
    CodeInfo {
        code: "W0103",
        title: "`allow raw_sockets` in a vnet jail",
        explanation: "\
allow.raw_sockets matters for jails that share the host's network stack. A vnet
jail owns its stack, and prison_priv_check (sys/kern/kern_jail.c) grants it
raw sockets, routing and interface configuration without any allow.* parameter.
Remove the line.",
    },
];
