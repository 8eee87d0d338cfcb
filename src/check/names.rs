//! Names and paths: what must be unique, what is reserved, and the path
//! rule (LANGUAGE.md, "paths").

use crate::ast::{self, ItemKind, JailPropKind, Setting};
use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::model::{Host, Model, SegmentKind, rc_name};
use crate::span::Span;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

/// Parameters vjc writes itself; a `param` may not set them.
pub const OWN_PARAMS: &[&str] = &[
    "path",
    "vnet",
    "vnet.interface",
    "host.hostname",
    "devfs_ruleset",
    "exec.start",
    "exec.stop",
    "mount.devfs",
];

/// Jail names that are keywords where a jail name could stand.
pub const RESERVED_JAIL_NAMES: &[&str] = &["host"];

pub fn check(file: &ast::File, model: &Model, out: &mut Vec<Diagnostic>) {
    for item in &file.items {
        match &item.kind {
            ItemKind::Setting(Setting::Src(p) | Setting::Jails(p)) => path_rule(p, out),
            ItemKind::Jail(block) => {
                for prop in &block.props {
                    match &prop.kind {
                        JailPropKind::Path(p) => path_rule(p, out),
                        JailPropKind::Param(p) => param_name(p, out),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    for host in &model.hosts {
        reserved(host, out);
        segment_names(host, out);
        rc_collisions(host, out);
        overlapping_paths(host, out);
    }
}

/// LANGUAGE.md's path rule: jail(8) and make hand paths to sh unquoted, and
/// build.sh installs into them as root (usr.sbin/jail/command.c,
/// IP_MOUNT_DEVFS runs `devfs_mount_jail <path>/dev` through /bin/sh).
fn path_rule(p: &crate::span::Spanned<String>, out: &mut Vec<Diagnostic>) {
    if let Some(problem) = path_problem(&p.node) {
        out.push(
            Diagnostic::new("E0207", format!("path `{}` breaks the path rule: {problem}", cut(&p.node)), p.span, "not a plain absolute path")
                .with_note("jail(8) and make hand paths to /bin/sh unquoted, and build.sh installs into them as root")
                .with_help("write an absolute path of components made of letters, digits and `._+-`, like `/usr/local/jails/web`"),
        );
    }
}

/// What breaks the path rule in `path`, if anything.
pub fn path_problem(path: &str) -> Option<String> {
    if path == "/" {
        Some("`/` alone would make the jail's root the host's root".to_string())
    } else if path.contains("//") {
        Some("it has an empty component (`//`)".to_string())
    } else if path.ends_with('/') {
        Some("it ends with `/`".to_string())
    } else if let Some(c) = path
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !"._+-/".contains(*c))
    {
        Some(format!("it contains {}", describe_char(c)))
    } else if path.split('/').any(|c| c == "." || c == "..") {
        Some("it has a `.` or `..` component".to_string())
    } else {
        None
    }
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\t' => "a tab".into(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("`{c}`"),
    }
}

fn cut(s: &str) -> String {
    if s.chars().count() <= 60 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(60).collect::<String>())
    }
}

fn param_name(p: &ast::Param, out: &mut Vec<Diagnostic>) {
    let name = &p.name.node;
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && !name.contains("..")
        && !name.ends_with('.');
    if !valid {
        out.push(
            Diagnostic::new(
                "E0209",
                format!("`{}` is not a jail parameter name", cut(name)),
                p.name.span,
                "not a parameter name",
            )
            .with_help(
                "jail(8) parameter names are dotted words like `allow.mount` or `children.max`",
            ),
        );
    } else if p.values.is_empty() && crate::resolve::EXEC_HOOKS.contains(&name.as_str()) {
        // jail.conf's bare `exec.prestop;` sets the hook list to nothing:
        // it would drop vjc's own hooks (the hand-back of interfaces).
        out.push(
            Diagnostic::new(
                "E0210",
                format!("`param {name}` names no command"),
                p.name.span,
                "a hook without a command",
            )
            .with_note(format!(
                "written bare in jail.conf, `{name};` would empty the list of commands, vjc's own included"
            ))
            .with_help(format!("give the command: `param {name} = \"…\"`")),
        );
    } else if OWN_PARAMS.contains(&name.as_str()) {
        out.push(
            Diagnostic::new(
                "E0206",
                format!("`param {name}` sets what vjc writes itself"),
                p.name.span,
                "vjc's own parameter",
            )
            .with_note(format!(
                "vjc writes {} from the topology",
                OWN_PARAMS.join(", ")
            ))
            .with_help(match name.as_str() {
                "path" => "use the jail's `path` property",
                "host.hostname" => "use the jail's `hostname` property",
                "vnet.interface" => "attach the jail to a segment; vjc gives it the interface",
                _ => "remove the line",
            }),
        );
    }
}

fn reserved(host: &Host, out: &mut Vec<Diagnostic>) {
    for jail in &host.jails {
        if RESERVED_JAIL_NAMES.contains(&jail.name.as_str()) {
            out.push(
                Diagnostic::new(
                    "E0204",
                    format!("a jail may not be called `{}`", jail.name),
                    jail.span,
                    "reserved word",
                )
                .with_note("`host` stands for the host itself in a segment")
                .with_help("choose another name"),
            );
        }
    }
}

/// Bridges and epairs are named; two segments may not share a name.
fn segment_names(host: &Host, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, Span> = HashMap::default();
    for seg in &host.segments {
        if !matches!(seg.kind, SegmentKind::Bridge(_) | SegmentKind::Epair(_)) {
            continue;
        }
        match seen.get(seg.label.as_str()) {
            Some(first) => out.push(
                Diagnostic::new(
                    "E0202",
                    format!("two segments are called `{}`", seg.label),
                    seg.span,
                    "second definition",
                )
                .with_secondary(*first, "first defined here")
                .with_help("rename one of them, or merge their members into one segment"),
            ),
            None => {
                seen.insert(&seg.label, seg.span);
            }
        }
    }
}

/// network.subr spells `.-/+` as `_` in variable names (get_if_var,
/// `_punct`), so `lab-a` and `lab_a` would share `ifconfig_lab_a`.
fn rc_collisions(host: &Host, out: &mut Vec<Diagnostic>) {
    // The interface names the file writes; epairN and bridgeN cannot collide.
    let ifaces = host
        .bridges
        .iter()
        .map(|b| (b.name.as_str(), b.span))
        .chain(host.nics.iter().map(|n| (n.name.as_str(), n.span)))
        .chain(host.vlans.iter().map(|v| (v.name.as_str(), v.span)));
    collisions("interfaces", ifaces, |rc| format!("ifconfig_{rc}"), out);
    let jails = host.jails.iter().map(|j| (j.name.as_str(), j.span));
    collisions("jails", jails, |rc| format!("jail_{rc}_*"), out);
    for j in &host.jails {
        let services = j.services.iter().map(|s| (s.name.as_str(), s.span));
        collisions("services", services, |rc| format!("{rc}_enable"), out);
    }
}

fn collisions<'a>(
    what: &str,
    names: impl Iterator<Item = (&'a str, Span)>,
    var: impl Fn(&str) -> String,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<Cow<str>, (&str, Span)> =
        HashMap::with_capacity_and_hasher(names.size_hint().0, Default::default());
    for (name, span) in names {
        // Most names are their own rc.conf spelling: no copy for those.
        let rc = if name.contains(['.', '-', '/', '+']) {
            Cow::Owned(rc_name(name))
        } else {
            Cow::Borrowed(name)
        };
        match seen.get(&rc) {
            Some(&(first, first_span)) if first != name => {
                let var = var(&rc);
                out.push(
                    Diagnostic::new(
                        "E0205",
                        format!("{what} `{first}` and `{name}` collide in rc.conf"),
                        span,
                        format!("becomes `{var}`"),
                    )
                    .with_secondary(first_span, format!("also `{var}`"))
                    .with_note(
                        "rc.conf variable names spell `.`, `-`, `/` and `+` as `_` (network.subr)",
                    )
                    .with_help("rename one of them"),
                );
            }
            Some(_) => {}
            None => {
                seen.insert(rc, (name, span));
            }
        }
    }
}

/// Two jails may not share a root, nor may one root lie inside another:
/// build.sh would install one world over the other.
fn overlapping_paths(host: &Host, out: &mut Vec<Diagnostic>) {
    // Every root's components in one vector, each root a range of it: two
    // allocations for the whole host rather than one per jail.
    let mut components: Vec<&str> = Vec::new();
    let mut roots: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
    for (i, j) in host.jails.iter().enumerate() {
        // A path that breaks the path rule is reported as such (E0207).
        if path_problem(&j.path).is_some() {
            continue;
        }
        let start = components.len();
        components.extend(j.path.split('/').filter(|c| !c.is_empty()));
        roots.push((start..components.len(), i));
    }
    let of = |r: &(std::ops::Range<usize>, usize)| &components[r.0.clone()];
    // In component order, a root's descendants follow it directly.
    roots.sort_by(|a, b| of(a).cmp(of(b)).then(a.1.cmp(&b.1)));
    let mut open: Option<&(std::ops::Range<usize>, usize)> = None;
    for r in &roots {
        if let Some(o) = open
            && of(r).starts_with(of(o))
        {
            let (outer, inner) = (&host.jails[o.1], &host.jails[r.1]);
            let (first, second) = if outer.path_span <= inner.path_span {
                (outer, inner)
            } else {
                (inner, outer)
            };
            let message = if outer.path == inner.path {
                format!(
                    "jails `{}` and `{}` share the path `{}`",
                    first.name, second.name, inner.path
                )
            } else {
                format!(
                    "jail `{}`'s path `{}` lies inside jail `{}`'s path `{}`",
                    inner.name, inner.path, outer.name, outer.path
                )
            };
            out.push(
                Diagnostic::new("E0208", message, second.path_span, format!("`{}` has path {}", second.name, second.path))
                    .with_secondary(first.path_span, format!("`{}` has path {}", first.name, first.path))
                    .with_note("build.sh installs a world into each jail's path: one would overwrite the other")
                    .with_help("give each jail a path of its own, outside the others'"),
            );
            continue;
        }
        open = Some(r);
    }
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "E0202",
        title: "two segments with one name",
        explanation: "\
Bridges and epairs are named, and a name stands for one segment: two `bridge br0`
would be one interface created twice. Rename one, or merge their members.",
    },
    CodeInfo {
        code: "E0204",
        title: "reserved jail name",
        explanation: "\
`host` stands for the host itself (a `host` member gives the host an address on
a bridge), so no jail may be called `host`. Choose another name.",
    },
    CodeInfo {
        code: "E0205",
        title: "names collide in rc.conf",
        explanation: "\
rc.conf variable names cannot hold `.`, `-`, `/` or `+`; network.subr spells them
as `_` (get_if_var in libexec/rc/network.subr). Two interfaces `lab-a` and `lab_a`
would both be configured by `ifconfig_lab_a`, and two services `my-svc` and
`my_svc` by `my_svc_enable`. Rename one of them.",
    },
    CodeInfo {
        code: "E0206",
        title: "`param` sets what vjc writes",
        explanation: "\
vjc writes path, vnet, vnet.interface, host.hostname, devfs_ruleset, exec.start,
exec.stop and mount.devfs itself from the topology. A `param` setting one of them
would contradict the topology. Use the jail's `path` or `hostname` property, or
attach the jail to a segment; remove the `param`.",
    },
    CodeInfo {
        code: "E0207",
        title: "path breaks the path rule",
        explanation: "\
Paths (`src`, `jails`, a jail's `path`) must be absolute, made of components of
letters, digits and `._+-`, with no `.` or `..` component, no `//`, no trailing
`/`, and not `/` alone. jail(8) hands a jail's path to /bin/sh unquoted when it
mounts devfs (usr.sbin/jail/command.c), make receives it as DESTDIR, and build.sh
installs a world into it as root: anything else is a coded error, not a quoting
problem.",
    },
    CodeInfo {
        code: "E0208",
        title: "jail paths overlap",
        explanation: "\
Two jails have the same path, or one jail's path lies inside another's. build.sh
installs a world into each jail's path, and each jail's /etc/rc.conf would land
in the other's tree. Give each jail a path of its own.",
    },
    CodeInfo {
        code: "E0209",
        title: "not a jail parameter name",
        explanation: "\
jail(8) parameter names are words separated by dots (`allow.mount`,
`children.max`, `exec.poststart`). vjc writes them unquoted in jail.conf, so
other characters are refused.",
    },
    CodeInfo {
        code: "E0210",
        title: "`exec.*` hook without a command",
        explanation: "\
A `param` names one of jail(8)'s command hooks (exec.prepare, exec.prestart,
exec.created, exec.poststart, exec.prestop, exec.poststop, exec.release) with
no value. In jail.conf a bare `exec.prestop;` sets the hook to no command at
all, which would drop the commands vjc adds (exec.prestop hands each
interface back to the host before the jail is removed). Give the command:

    param exec.poststart = \"logger started\"",
    },
];
