//! Names and paths: what must be unique, what is reserved, the path rule
//! (LANGUAGE.md, "paths"), and how long FreeBSD lets them be.

use crate::ast::{self, ItemKind, JailPropKind, Setting};
use crate::codes::CodeInfo;
use crate::diagnostic::Diagnostic;
use crate::model::{Host, Model, SegmentKind, rc_name};
use crate::span::Span;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
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
    // The settings the resolver built default hostnames and paths from
    // (the first of each, as resolve.rs takes them).
    let mut defaults = Defaults::default();
    for item in &file.items {
        match &item.kind {
            ItemKind::Setting(Setting::Domain(d)) => {
                defaults.domain.get_or_insert(d);
            }
            ItemKind::Setting(Setting::Src(p)) => path_rule(p, out),
            ItemKind::Setting(Setting::Jails(p)) => {
                defaults.jails.get_or_insert(p);
                path_rule(p, out);
            }
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
        name_lengths(file, host, &defaults, out);
        path_lengths(host, &defaults, out);
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

/// The `domain` and `jails` settings, where the file has them.
#[derive(Default)]
struct Defaults<'a> {
    domain: Option<&'a crate::span::Spanned<String>>,
    jails: Option<&'a crate::span::Spanned<String>>,
}

// How long a jail's name, hostname and path may be, in bytes without the
// terminating NUL that FreeBSD's buffers count. The kernel's limits are
// in sys/kern/kern_jail.c (kern_jail_set); vjc's jail.conf makes two of
// them tighter:
//
// - name: kern_jail_set refuses a `name` whose length with its NUL is over
//   MAXHOSTNAMELEN (`if (len > MAXHOSTNAMELEN) error = ENAMETOOLONG`), and
//   again `if (pnamelen + namelen + 1 > sizeof(pr->pr_name))`, pr_name
//   being `char pr_name[MAXHOSTNAMELEN]` (sys/sys/jail.h) and
//   MAXHOSTNAMELEN 256 (sys/sys/param.h): 255 bytes. Tighter: vjc's
//   jail.conf sets `exec.consolelog = "/var/log/jail_${name}_console.log"`,
//   which jail(8) opens before it runs exec.start (usr.sbin/jail/command.c,
//   run_command: `open(conslog, O_WRONLY | O_CREAT | O_APPEND, ...)`, and a
//   failure fails the jail). A path component longer than NAME_MAX, 255
//   "max bytes in a file name" (sys/sys/syslimits.h), fails lookup with
//   ENAMETOOLONG (sys/kern/vfs_lookup.c, `if (cnp->cn_namelen >
//   NAME_MAX)`): `jail_` + name + `_console.log` ≤ 255, so 238. (rc.d/jail's
//   `/var/run/jail_<name>.id`, libexec/rc/rc.d/jail, allows 247.)
// - host.hostname: `if (len > MAXHOSTNAMELEN) error = ENAMETOOLONG` on the
//   option with its NUL, kept in `char pr_hostname[MAXHOSTNAMELEN]`
//   (sys/sys/jail.h): 255 bytes.
// - path: kern_jail_set namei()s it and keeps it in `char
//   pr_path[MAXPATHLEN]`, MAXPATHLEN being PATH_MAX, 1024 (sys/sys/param.h,
//   sys/sys/syslimits.h): 1023 bytes. Tighter: vjc's jail.conf sets
//   `mount.devfs`, so jail(8) mounts devfs on `<path>/dev` (command.c,
//   IP_MOUNT_DEVFS: `sprintf(devpath, "%s/dev", path)`, then rc.subr's
//   devfs_mount_jail), and vfs_domount refuses a mount point with
//   `strlen(fspath) >= MNAMELEN` (sys/kern/vfs_mount.c, ENAMETOOLONG).
//   MNAMELEN is 1024 from 12.0's 64-bit-inode statfs on (sys/sys/mount.h,
//   STATFS_VERSION 0x20140518); FreeBSD 11 and earlier have 88 (the same
//   header's `struct freebsd11_statfs`, `f_mntonname[88]`): `<path>/dev`
//   ≤ 1023 or ≤ 87 bytes, so a path of 1019, or 83 before 12.0. And each
//   of its components is a file name: at most NAME_MAX (vfs_lookup.c).

/// The longest jail name vjc's jail.conf can start a jail under: 238,
/// `jail_<name>_console.log` being a file name.
pub const MAX_JAIL_NAME: usize = NAME_MAX - "jail__console.log".len();
/// The longest `host.hostname` the kernel takes.
pub const MAX_HOSTNAME: usize = 255;

/// MNAMELEN (with its NUL) on `release`.
fn mnamelen(release: ast::Release) -> usize {
    if release
        >= (ast::Release {
            major: 12,
            minor: 0,
        })
    {
        1024
    } else {
        88
    }
}

/// The longest jail path on `release`: `<path>/dev` must fit a mount
/// point.
pub fn max_path(release: ast::Release) -> usize {
    mnamelen(release) - 1 - "/dev".len()
}

/// Jail names and hostnames longer than FreeBSD takes: the jail would not
/// start. A default hostname (`<name>.<domain>`) is reported at the jail's
/// name, or once at `domain` when the domain alone leaves no room for any
/// name.
fn name_lengths(file: &ast::File, host: &Host, defaults: &Defaults, out: &mut Vec<Diagnostic>) {
    let hostname_note = "the kernel refuses a `host.hostname` over 255 bytes (MAXHOSTNAMELEN is \
                         256 with the terminating NUL): the jail would not start";
    // The setting alone is too long for any name: one report, not one per jail.
    let domain_too_long = defaults
        .domain
        .filter(|d| d.node.len() + ".a".len() > MAX_HOSTNAME);
    let mut domain_used = false;
    // Jails whose hostname is too long: which of them wrote it is looked
    // up in the file only when there are some.
    let mut long_hostnames: HashMap<&str, Option<Span>> = HashMap::default();
    for j in &host.jails {
        if j.name.len() > MAX_JAIL_NAME {
            out.push(
                Diagnostic::new(
                    "E0211",
                    format!(
                        "jail name `{}` is longer than {MAX_JAIL_NAME} characters",
                        cut(&j.name)
                    ),
                    j.span,
                    format!("{} characters", j.name.len()),
                )
                .with_note(format!(
                    "vjc's jail.conf logs each jail's console to \
                     `/var/log/jail_<name>_console.log`, here a file name of {} bytes; a file \
                     name holds at most {NAME_MAX} (NAME_MAX), so jail(8) cannot create it and \
                     the jail would not start",
                    j.name.len() + "jail__console.log".len()
                ))
                .with_help(format!(
                    "choose a name of {MAX_JAIL_NAME} characters or fewer"
                )),
            );
        }
        if j.hostname.len() > MAX_HOSTNAME {
            long_hostnames.insert(&j.name, None);
        }
    }
    if long_hostnames.is_empty() {
        return;
    }
    // As resolve.rs builds it: a jail's first block sets its hostname,
    // its last non-empty `hostname` winning; a later block is ignored.
    let mut seen: HashSet<&str> = HashSet::default();
    for item in &file.items {
        let ItemKind::Jail(block) = &item.kind else {
            continue;
        };
        let name = block.name.node.as_str();
        let Some(written) = long_hostnames.get_mut(name) else {
            continue;
        };
        if !seen.insert(name) {
            continue;
        }
        for prop in &block.props {
            if let JailPropKind::Hostname(h) = &prop.kind {
                *written = (!h.node.is_empty()).then_some(h.span);
            }
        }
    }
    for j in &host.jails {
        let Some(&written) = long_hostnames.get(j.name.as_str()) else {
            continue;
        };
        if let Some(span) = written {
            out.push(
                Diagnostic::new(
                    "E0212",
                    format!(
                        "hostname `{}` is longer than {MAX_HOSTNAME} bytes",
                        cut(&j.hostname)
                    ),
                    span,
                    format!("{} bytes", j.hostname.len()),
                )
                .with_note(hostname_note)
                .with_help(format!(
                    "choose a hostname of {MAX_HOSTNAME} bytes or fewer"
                )),
            );
            continue;
        }
        // The default: `<name>.<domain>`, or `<name>` alone, whose length
        // E0211 reports already.
        let Some(domain) = defaults.domain else {
            continue;
        };
        if domain_too_long.is_some() {
            domain_used = true;
            continue;
        }
        out.push(
            Diagnostic::new(
                "E0212",
                format!(
                    "jail `{}`'s default hostname is longer than {MAX_HOSTNAME} bytes",
                    cut(&j.name)
                ),
                j.span,
                format!("makes a hostname of {} bytes", j.hostname.len()),
            )
            .with_secondary(domain.span, "domain set here")
            .with_note(format!(
                "the hostname defaults to `<name>.<domain>`: `{}`",
                cut(&j.hostname)
            ))
            .with_note(hostname_note)
            .with_help(
                "give the jail a shorter `hostname` in its `jail` block, or shorten its name or \
                 the domain",
            ),
        );
    }
    if let Some(domain) = domain_too_long.filter(|_| domain_used) {
        out.push(
            Diagnostic::new(
                "E0212",
                format!(
                    "domain `{}` makes every default hostname longer than {MAX_HOSTNAME} bytes",
                    cut(&domain.node)
                ),
                domain.span,
                format!("{} bytes", domain.node.len()),
            )
            .with_note(format!(
                "hostnames default to `<name>.<domain>`: even a one-letter name makes a hostname \
                 of {} bytes",
                domain.node.len() + ".a".len()
            ))
            .with_note(hostname_note)
            .with_help("choose a shorter domain, or give each jail a `hostname`"),
        );
    }
}

/// Jail paths FreeBSD cannot mount devfs under, or look up: the jail would
/// not start. A default path (`<jails>/<name>`) is reported at the jail's
/// name, or once at `jails` when the setting alone is at fault.
fn path_lengths(host: &Host, defaults: &Defaults, out: &mut Vec<Diagnostic>) {
    let release = host.target.release;
    let max_path = max_path(release);
    let limit_note = || {
        if mnamelen(release) == 1024 {
            "jail(8) mounts devfs on `<path>/dev` (`mount.devfs`), and a mount point holds at \
             most 1023 bytes (MNAMELEN is 1024 with the terminating NUL): the jail would not \
             start"
                .to_string()
        } else {
            format!(
                "jail(8) mounts devfs on `<path>/dev` (`mount.devfs`), and before FreeBSD 12.0 a \
                 mount point holds at most 87 bytes (MNAMELEN is 88 with the terminating NUL): \
                 the jail would not start on {release}"
            )
        }
    };
    let component_note = "a file name, each component of a path, holds at most 255 bytes \
                          (NAME_MAX): the kernel cannot look the path up, and the jail would not \
                          start";
    // What is wrong with the `jails` root alone, if any jail's path is
    // built from it. A root that breaks the path rule is E0207's.
    let root = defaults
        .jails
        .filter(|j| path_problem(&j.node).is_none())
        .and_then(|j| {
            if j.node.len() + "/a".len() > max_path {
                Some((j, None))
            } else {
                long_component(&j.node).map(|c| (j, Some(c)))
            }
        });
    let mut root_used = false;
    for j in &host.jails {
        let too_long = j.path.len() > max_path;
        let component = if too_long {
            None
        } else {
            long_component(&j.path)
        };
        // A path that breaks the path rule is reported as such (E0207).
        if (!too_long && component.is_none()) || path_problem(&j.path).is_some() {
            continue;
        }
        let written = j.path_span != j.span;
        if !written && root.is_some() {
            // A root at fault: reported once, below.
            root_used = true;
            continue;
        }
        if too_long {
            let d = if written {
                Diagnostic::new(
                    "E0213",
                    format!(
                        "jail `{}`'s path is longer than {max_path} characters",
                        cut(&j.name)
                    ),
                    j.path_span,
                    format!("{} characters", j.path.len()),
                )
                .with_note(limit_note())
                .with_help(format!("choose a path of {max_path} characters or fewer"))
            } else {
                let mut d = Diagnostic::new(
                    "E0213",
                    format!(
                        "jail `{}`'s default path is longer than {max_path} characters",
                        cut(&j.name)
                    ),
                    j.span,
                    format!("makes a path of {} characters", j.path.len()),
                );
                if let Some(jails) = defaults.jails {
                    d = d.with_secondary(jails.span, "jail roots set here");
                }
                d.with_note(format!(
                    "the path defaults to `<jails>/<name>`: `{}`",
                    cut(&j.path)
                ))
                .with_note(limit_note())
                .with_help(if defaults.jails.is_some() {
                    "give the jail a shorter `path` in its `jail` block, or shorten its name or \
                     `jails`"
                } else {
                    "give the jail a shorter `path` in its `jail` block, or shorten its name"
                })
            };
            out.push(d);
        } else if let Some((at, c)) = component.filter(|_| written) {
            // A default path's components are the root's and the name,
            // whose length E0211 reports.
            out.push(
                Diagnostic::new(
                    "E0213",
                    format!(
                        "jail `{}`'s path has a component longer than 255 characters",
                        cut(&j.name)
                    ),
                    within(j.path_span, &j.path, at, c.len()),
                    format!("{} characters", c.len()),
                )
                .with_note(component_note)
                .with_help("choose shorter directory names"),
            );
        }
    }
    let Some((jails, component)) = root.filter(|_| root_used) else {
        return;
    };
    let d = match component {
        None => Diagnostic::new(
            "E0213",
            format!(
                "`jails` path `{}` makes every default jail path longer than {max_path} \
                 characters",
                cut(&jails.node)
            ),
            jails.span,
            format!("{} characters", jails.node.len()),
        )
        .with_note(format!(
            "jail paths default to `<jails>/<name>`: even a one-letter name makes a path of {} \
             characters",
            jails.node.len() + "/a".len()
        ))
        .with_note(limit_note()),
        Some((at, c)) => Diagnostic::new(
            "E0213",
            format!(
                "`jails` path `{}` has a component longer than 255 characters",
                cut(&jails.node)
            ),
            within(jails.span, &jails.node, at, c.len()),
            format!("{} characters", c.len()),
        )
        .with_note("jail paths default to `<jails>/<name>`")
        .with_note(component_note),
    };
    out.push(d.with_help("choose a shorter `jails` path, or give each jail a `path`"));
}

/// NAME_MAX: the longest component of a path (sys/sys/syslimits.h).
const NAME_MAX: usize = 255;

/// The first component of `path` longer than NAME_MAX, and where it starts.
fn long_component(path: &str) -> Option<(usize, &str)> {
    let mut at = 0;
    for c in path.split('/') {
        if c.len() > NAME_MAX {
            return Some((at, c));
        }
        at += c.len() + 1;
    }
    None
}

/// The part `at..at + len` of `text`, written at `span`: narrowed when the
/// span holds the text as is.
fn within(span: Span, text: &str, at: usize, len: usize) -> Span {
    if span.end.checked_sub(span.start) == Some(text.len()) {
        Span::new(span.start + at, span.start + at + len)
    } else {
        span
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
    CodeInfo {
        code: "E0211",
        title: "jail name too long",
        explanation: "\
A jail name may have at most 238 characters. The kernel takes names of up to
255 bytes (MAXHOSTNAMELEN is 256 with the terminating NUL, sys/kern/kern_jail.c),
but vjc's jail.conf logs each jail's console to
`/var/log/jail_<name>_console.log`, and a file name holds at most 255 bytes
(NAME_MAX, sys/sys/syslimits.h): jail(8) opens that file before it runs
exec.start, fails with `File name too long`, and the jail does not start.
Choose a shorter name.",
    },
    CodeInfo {
        code: "E0212",
        title: "jail hostname too long",
        explanation: "\
The kernel refuses a jail's `host.hostname` of more than 255 bytes with
ENAMETOOLONG (MAXHOSTNAMELEN is 256 with the terminating NUL,
sys/kern/kern_jail.c), so `service jail start` fails. This holds for the
hostname vjc builds as well: without a `hostname` property a jail's hostname
is `<name>.<domain>` (or `<name>` without a `domain`). Give the jail a
shorter `hostname`, or shorten its name or the `domain`.",
    },
    CodeInfo {
        code: "E0213",
        title: "jail path too long",
        explanation: "\
vjc's jail.conf sets `mount.devfs`, so jail(8) mounts devfs on `<path>/dev`,
and the kernel refuses a mount point whose name does not fit MNAMELEN with its
terminating NUL (sys/kern/vfs_mount.c, ENAMETOOLONG): the jail does not start.
MNAMELEN is 1024 from FreeBSD 12.0 on, so a jail's path may have at most 1019
characters; before 12.0 it is 88 (sys/sys/mount.h), and a path at most 83.
Each component of the path is a file name, and holds at most 255 bytes
(NAME_MAX, sys/sys/syslimits.h): the kernel cannot look up a path with a
longer one. This holds for the path vjc builds as well: without a `path`
property a jail's path is `<jails>/<name>`. Give the jail a shorter `path`,
or shorten its name or the `jails` setting.",
    },
];

#[cfg(test)]
mod tests {
    use crate::check::tests::codes;

    /// A file with one jail `name` on a bridge, and `rest` after it.
    fn one_jail(head: &str, name: &str, rest: &str) -> String {
        format!("{head}bridge b < jail {name} 10.0.0.1/24 >\n{rest}")
    }

    /// An absolute path of `len` characters, in components of 200.
    fn path_of(len: usize) -> String {
        let mut p = String::new();
        while p.len() < len {
            let room = len - p.len() - 1;
            p.push('/');
            p.push_str(&"p".repeat(room.min(200)));
        }
        p
    }

    #[test]
    fn odd_models_do_not_panic() {
        crate::check::addresses::tests::odd_models(super::check);
    }

    #[test]
    fn a_jail_name_of_238_characters_compiles_and_239_does_not() {
        let name = format!("j{}", "a".repeat(237));
        let (checked, outputs) = crate::compile("t.vj", &one_jail("", &name, ""));
        assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
        assert!(outputs.is_some());
        assert_eq!(codes(&one_jail("", &format!("{name}a"), "")), ["E0211"]);
    }

    #[test]
    fn a_written_hostname_of_255_bytes_compiles_and_256_does_not() {
        let block = |h: &str| format!("jail a {{\n  hostname {h}\n}}\n");
        let h = format!("h.{}", "x".repeat(253));
        assert_eq!(codes(&one_jail("", "a", &block(&h))), Vec::<&str>::new());
        assert_eq!(
            codes(&one_jail("", "a", &block(&format!("{h}x")))),
            ["E0212"]
        );
        // Bytes, not characters: 128 two-byte characters are 256 bytes.
        let quoted = format!("\"{}\"", "é".repeat(128));
        assert_eq!(codes(&one_jail("", "a", &block(&quoted))), ["E0212"]);
    }

    #[test]
    fn a_default_hostname_of_255_bytes_compiles_and_256_does_not() {
        // `ab.<domain>`: 3 bytes and the domain's.
        let domain = |len: usize| format!("domain d{}\n", "x".repeat(len - 1));
        assert_eq!(codes(&one_jail(&domain(252), "ab", "")), Vec::<&str>::new());
        let d = crate::check("t.vj", &one_jail(&domain(253), "ab", ""));
        assert_eq!(d.diagnostics.len(), 1);
        assert_eq!(d.diagnostics[0].code, "E0212");
        assert!(d.diagnostics[0].message.contains("`ab`'s default hostname"));
        // A written hostname is not built from the domain.
        let written = "jail ab {\n  hostname ab.example.org\n}\n";
        assert_eq!(
            codes(&one_jail(&domain(253), "ab", written)),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn a_domain_too_long_for_any_name_is_reported_once() {
        let src = format!(
            "domain d{}\nbridge b < jail a 10.0.0.1/24; jail b 10.0.0.2/24 >\n",
            "x".repeat(253)
        );
        let checked = crate::check("t.vj", &src);
        assert_eq!(checked.diagnostics.len(), 1);
        assert!(checked.diagnostics[0].message.starts_with("domain `"));
        // Unused when every jail writes its hostname.
        let src = format!(
            "{src}jail a {{\n  hostname a.example.org\n}}\njail b {{\n  hostname b.example.org\n}}\n"
        );
        assert_eq!(codes(&src), Vec::<&str>::new());
    }

    #[test]
    fn a_path_fits_a_devfs_mount_point_from_12_0_on() {
        let block = |p: &str| format!("jail a {{\n  path {p}\n}}\n");
        for head in ["", "freebsd 12.0\n"] {
            let (checked, outputs) =
                crate::compile("t.vj", &one_jail(head, "a", &block(&path_of(1019))));
            assert!(checked.diagnostics.is_empty(), "{:#?}", checked.diagnostics);
            assert!(outputs.is_some());
            assert_eq!(
                codes(&one_jail(head, "a", &block(&path_of(1020)))),
                ["E0213"]
            );
        }
    }

    #[test]
    fn a_path_fits_88_byte_mount_points_before_12_0() {
        let block = |p: &str| format!("jail a {{\n  path {p}\n}}\n");
        let head = "freebsd 11.4\n";
        assert_eq!(
            codes(&one_jail(head, "a", &block(&path_of(83)))),
            Vec::<&str>::new()
        );
        assert_eq!(codes(&one_jail(head, "a", &block(&path_of(84)))), ["E0213"]);
        // `<jails>/<name>`: a root of 70, a name of 12 or 13.
        let head = format!("freebsd 11.4\njails {}\n", path_of(70));
        assert_eq!(
            codes(&one_jail(&head, &format!("j{}", "a".repeat(11)), "")),
            Vec::<&str>::new()
        );
        assert_eq!(
            codes(&one_jail(&head, &format!("j{}", "a".repeat(12)), "")),
            ["E0213"]
        );
    }

    #[test]
    fn a_path_component_of_255_characters_compiles_and_256_does_not() {
        let block = |p: &str| format!("jail a {{\n  path {p}\n}}\n");
        let fine = format!("/jails/{}", "c".repeat(255));
        assert_eq!(codes(&one_jail("", "a", &block(&fine))), Vec::<&str>::new());
        let checked = crate::check("t.vj", &one_jail("", "a", &block(&format!("{fine}c"))));
        assert_eq!(checked.diagnostics.len(), 1);
        let d = &checked.diagnostics[0];
        assert_eq!(d.code, "E0213");
        // The label covers the component alone.
        assert_eq!(d.primary.span.end - d.primary.span.start, 256);
        // In `jails`, reported once for the jails built from it.
        let src = format!(
            "jails /{}\nbridge b < jail a 10.0.0.1/24; jail b 10.0.0.2/24 >\n",
            "c".repeat(256)
        );
        assert_eq!(codes(&src), ["E0213"]);
    }
}
