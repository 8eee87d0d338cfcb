//! `build.sh`: the POSIX sh script that puts the compiled files in place on
//! the FreeBSD host. Run as root from the directory holding the outputs, it
//!
//! 1. refuses, before it changes anything, what vjc must not touch: a source
//!    tree of another release, a jail.conf, jail rc.conf or kernel config it
//!    did not write, a jail rc.d/jail would read from elsewhere, an interface
//!    or rc.conf setting of the host's own that vjc's would collide with, an
//!    uplink the bridge would refuse;
//! 2. builds and installs a kernel when the model has one (skipped when the
//!    running kernel already is that configuration);
//! 3. gives each jail root that lacks one a world, from the source tree
//!    (buildworld once) or from the release's `base.txz` (checked against the
//!    release MANIFEST);
//! 4. installs each jail's rc.conf and the host's jail.conf;
//! 5. merges the host's rc.conf variables (`host_vars`, the same list the
//!    rc.conf fragment prints) into the host's rc.conf with sysrc(8). vjc's
//!    words in list variables are remembered in `vjc_<variable>` and the
//!    other variables it owns in `vjc_variables`, so a rerun replaces exactly
//!    vjc's own settings and keeps the host's.
//!
//! Running it twice changes nothing more. Every value that reaches the
//! script is single-quoted (`sh_quote`) unless it is a name made only of
//! characters the shell leaves alone (`word`).

use super::host_vars::{HostVar, VarKind, host_vars, up_value};
use crate::ast::WorldMode;
use crate::model::{Host, Model, VlanPlace};
use std::fmt::{self, Write};

pub fn write(model: &Model, host: &Host, out: &mut impl Write) -> fmt::Result {
    // A few hundred bytes per jail: reserved, not grown by doubling.
    let mut s = String::with_capacity(4096 + 400 * host.jails.len());
    Script::new(model, host).write(&mut s)?;
    out.write_str(&s)
}

/// `'…'`, with each `'` written as `'\''`: the shell takes the bytes as
/// they are.
fn sh_quote(s: &str) -> String {
    Quoted(s).to_string()
}

/// [`sh_quote`] written in place, without a string of its own: the script
/// has several quoted words per jail.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('\'')?;
        for (i, part) in self.0.split('\'').enumerate() {
            if i > 0 {
                f.write_str(r"'\''")?;
            }
            f.write_str(part)?;
        }
        f.write_char('\'')
    }
}

/// [`word`] written in place.
struct Word<'a>(&'a str);

impl fmt::Display for Word<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if plain(self.0) {
            f.write_str(self.0)
        } else {
            Quoted(self.0).fmt(f)
        }
    }
}

/// [`words`] written in place (the list is walked when written).
struct Words<I>(I);

impl<'a, I: Iterator<Item = &'a str> + Clone> fmt::Display for Words<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, w) in self.0.clone().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            Word(w).fmt(f)?;
        }
        Ok(())
    }
}

/// [`jail_var`] written in place, as one shell word.
struct JailVar<'a>(&'a str);

impl fmt::Display for JailVar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            // word("") is a quoted empty word.
            return f.write_str("''");
        }
        jail_var_chars(self.0).try_for_each(|c| f.write_char(c))
    }
}

/// Characters that mean nothing to sh, unquoted or inside double quotes.
fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.,:/+@%-".contains(&b))
}

/// A name as one shell word: bare when it is plain, else single-quoted.
fn word(s: &str) -> String {
    if plain(s) { s.to_string() } else { sh_quote(s) }
}

fn words<'a>(list: impl IntoIterator<Item = &'a str>) -> String {
    list.into_iter().map(word).collect::<Vec<_>>().join(" ")
}

/// `"$here/REL"`, or `"$here"/'REL'` when REL is not plain.
#[cfg(test)]
fn here(rel: &str) -> String {
    Here(rel).to_string()
}

/// [`here`] written in place.
struct Here<'a>(&'a str);

impl fmt::Display for Here<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if plain(self.0) {
            write!(f, "\"$here/{}\"", self.0)
        } else {
            write!(f, "\"$here\"/{}", Quoted(self.0))
        }
    }
}

/// A here-document delimiter that no line of `body` equals.
fn delimiter(body: &str) -> String {
    let mut d = "EOF".to_string();
    while body.lines().any(|l| l == d) {
        d.push('_');
    }
    d
}

/// `jail_<name>_*` spelling of a jail name: rc.d/jail maps every character
/// that is not alphanumeric to `_` (libexec/rc/rc.d/jail, `tr -c
/// '[:alnum:]' _`).
#[cfg(test)]
fn jail_var(name: &str) -> String {
    jail_var_chars(name).collect()
}

fn jail_var_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
}

/// What the script works on, gathered from the model once.
struct Script<'a> {
    model: &'a Model,
    host: &'a Host,
    release: String,
    vars: Vec<HostVar>,
    /// Jail roots, in jail order.
    roots: Vec<&'a str>,
    /// `<src>/sys/<arch>/conf/<IDENT>`, when a kernel is built.
    kconf: Option<String>,
    section: u32,
}

impl<'a> Script<'a> {
    fn new(model: &'a Model, host: &'a Host) -> Script<'a> {
        Script {
            model,
            host,
            release: host.target.release.to_string(),
            vars: host_vars(host),
            roots: host.jails.iter().map(|j| j.path.as_str()).collect(),
            kconf: host.kernel.as_ref().map(|k| {
                format!(
                    "{}/sys/{}/conf/{}",
                    host.src.trim_end_matches('/'),
                    host.target.arch,
                    k.ident
                )
            }),
            section: 0,
        }
    }

    fn write(&mut self, s: &mut String) -> fmt::Result {
        self.preamble(s)?;
        self.helpers(s)?;
        self.refusals(s)?;
        if self.host.world == WorldMode::Release && !self.roots.is_empty() {
            self.fetch_release(s)?;
        }
        if self.host.world == WorldMode::Source && !self.roots.is_empty() {
            self.buildworld(s)?;
        }
        if self.host.kernel.is_some() {
            self.kernel(s)?;
        }
        if !self.roots.is_empty() {
            self.install_worlds(s)?;
        }
        self.install_files(s)?;
        self.merge_rc_conf(s)?;
        self.finish(s)
    }

    fn heading(&mut self, s: &mut String, text: &str) -> fmt::Result {
        self.section += 1;
        writeln!(s)?;
        let mut lines = text.lines();
        if let Some(first) = lines.next() {
            writeln!(s, "# {}. {first}", self.section)?;
        }
        for line in lines {
            writeln!(s, "#    {line}")?;
        }
        Ok(())
    }

    fn preamble(&self, s: &mut String) -> fmt::Result {
        let host = self.host;
        let t = &host.target;
        writeln!(s, "#!/bin/sh")?;
        super::header(self.model, s)?;
        writeln!(
            s,
            "# Sets this host up for its VNET jails, FreeBSD {} on {}:",
            self.release, t.arch
        )?;
        match &host.kernel {
            Some(k) if !t.facts.vimage_in_generic => writeln!(
                s,
                "# - builds and installs the kernel {} from {}, since GENERIC lacks\n\
                 #   VIMAGE before 12.0; a reboot is needed;",
                k.ident, host.src
            )?,
            Some(k) => writeln!(
                s,
                "# - builds and installs the kernel {} from {}; a reboot is needed;",
                k.ident, host.src
            )?,
            None if t.facts.vimage_in_generic => {
                writeln!(s, "# - builds no kernel: GENERIC has VIMAGE from 12.0 on;")?
            }
            None => writeln!(s, "# - builds no kernel;")?,
        }
        if !self.roots.is_empty() {
            match host.world {
                WorldMode::Source => writeln!(
                    s,
                    "# - gives each jail root that has no world yet one built from {}\n\
                     #   (buildworld once, then installworld and distribution per root);",
                    host.src
                )?,
                WorldMode::Release => writeln!(
                    s,
                    "# - gives each jail root that has no world yet the {}-RELEASE base.txz,\n\
                     #   checked against the release's MANIFEST;",
                    self.release
                )?,
            }
            writeln!(
                s,
                "# - installs jails/<name>/rc.conf as each jail's /etc/rc.conf;"
            )?;
        }
        writeln!(s, "# - installs jail.conf as the host's /etc/jail.conf;")?;
        writeln!(
            s,
            "# - merges rc.conf into the host's rc.conf with sysrc(8), keeping the host's\n\
             #   own settings.\n\
             # Run it as root on the host, from anywhere: it reads the files vjc wrote next\n\
             # to it. Safe to run again: every refusal comes first, before anything is\n\
             # changed, and a second run changes nothing more."
        )?;
        writeln!(s, "set -eu")?;
        writeln!(
            s,
            "set -f # no pathname expansion: words read from rc.conf are split, never globbed"
        )?;
        writeln!(s)?;
        if self.uses_src() {
            writeln!(s, "src={}", sh_quote(&host.src))?;
        }
        writeln!(s, "here=$(cd \"$(dirname \"$0\")\" && pwd)")?;
        if let Some(kconf) = &self.kconf {
            writeln!(s, "kconf={}", sh_quote(kconf))?;
        }
        if !self.roots.is_empty() {
            writeln!(s, "# The jail roots, in jail order: \"$@\" below.")?;
            writeln!(s, "set -- {}", self.quoted_roots())?;
        }
        Ok(())
    }

    /// Shell functions, written only when the script uses them.
    fn helpers(&self, s: &mut String) -> fmt::Result {
        s.push_str(
            r#"
die() {
	echo "vjc: $*" >&2
	exit 1
}
# ours FILE: FILE is absent, or vjc wrote it (its first line says so).
ours() { [ ! -e "$1" ] || head -n 1 "$1" | grep -q '^# Generated by vjc'; }
# rc.conf as the boot scripts read it: sysrc(8) reads /etc/defaults/rc.conf,
# then each of rc_conf_files.
get() { sysrc -n "$1" 2>/dev/null || true; }
isset() { sysrc -n "$1" >/dev/null 2>&1; }
# has WORD LIST: LIST, split into words, holds WORD.
has() {
	for h in $2; do
		[ "$h" != "$1" ] || return 0
	done
	return 1
}
# The variables vjc set on its last run, besides its words in list variables.
vars_old=$(get vjc_variables)
"#,
        );
        if self.uses_src() {
            write!(
                s,
                r#"# check_src: installworld into a DESTDIR does not compare the source tree with
# the running system (Makefile.inc1), so check its release here:
# sys/conf/newvers.sh holds REVISION="X.Y".
check_src() {{
	[ -f "$src/sys/conf/newvers.sh" ] || die "$src holds no FreeBSD source tree (no sys/conf/newvers.sh)"
	rev=$(sed -n 's/^REVISION="\(.*\)"$/\1/p' "$src/sys/conf/newvers.sh")
	[ "$rev" = {rel} ] || die "$src holds FreeBSD ${{rev:-of an unknown release}}; this file targets {rel_plain}"
}}
"#,
                rel = sh_quote(&self.release),
                rel_plain = self.release,
            )?;
        }
        s.push_str(
            r#"# refuse_words VAR OWNVAR WORD...: each WORD vjc adds to the list VAR is not
# there yet, or vjc put it there (OWNVAR remembers vjc's words).
refuse_words() {
	var=$1
	cur=$(get "$1")
	own=$(get "$2")
	shift 2
	for w in "$@"; do
		if has "$w" "$cur" && ! has "$w" "$own"; then
			die "$var already lists $w, not put there by vjc"
		fi
	done
}
# refuse_vars VAR...: a variable vjc sets for an interface it creates is unset,
# or vjc set it.
refuse_vars() {
	for v in "$@"; do
		if [ -n "$(get "$v")" ] && ! has "$v" "$vars_old"; then
			die "rc.conf already sets $v=\"$(get "$v")\" (not vjc): it names an interface vjc creates"
		fi
	done
}
"#,
        );
        if !self.host.cloned.is_empty() || !self.host.vlans.is_empty() {
            s.push_str(
                r#"# refuse_live OWNVAR WORD IF...: the interfaces vjc creates for WORD do not
# exist yet, unless vjc created them (WORD is in OWNVAR).
refuse_live() {
	if has "$2" "$(get "$1")"; then return 0; fi
	w=$2
	shift 2
	for ifn in "$@"; do
		if has "$ifn" "$live"; then die "$ifn already exists on this host, and vjc did not create it ($w)"; fi
	done
}
"#,
            );
        }
        let mtu_uplinks = self
            .host
            .nics
            .iter()
            .any(|n| n.moved_to.is_none() && n.uplink_of.is_some() && n.mtu.is_some());
        if mtu_uplinks || self.bare_uplinks() {
            s.push_str(
                r#"# host_args RC: how the host itself configures a NIC: ifconfig_RC, else
# ifconfig_DEFAULT (network.subr, _ifconfig_getargs); nothing where ifconfig_RC
# is vjc's own.
host_args() {
	if has "ifconfig_$1" "$vars_old"; then return 0; fi
	a=$(get "ifconfig_$1")
	[ -n "$a" ] || a=$(get ifconfig_DEFAULT)
	echo "$a"
}
"#,
            );
        }
        if mtu_uplinks {
            s.push_str(
                r#"# member_mtu NIC RC MTU: every bridge member has the bridge's MTU (if_bridge(4));
# where the host configures the NIC itself, its setting must say so.
member_mtu() {
	a=$(host_args "$2")
	[ -n "$a" ] || return 0
	prev=
	for w in $a; do
		if [ "$prev" = mtu ] && [ "$w" = "$3" ]; then return 0; fi
		prev=$w
	done
	die "uplink $1 joins a bridge with mtu $3, but the host configures it as \"$a\": add \"mtu $3\" to ifconfig_$2"
}
"#,
            );
        }
        if self.bare_uplinks() {
            s.push_str(
                r#"# bare_member NIC RC: from FreeBSD 15.0 if_bridge refuses a member that holds an
# IP address (bridge(4), net.link.bridge.member_ifaddrs); the host's address
# belongs on the bridge itself (a `host` member in the .vj file).
bare_member() {
	for w in $(host_args "$2"); do
		case $w in
		inet | inet6 | [Dd][Hh][Cc][Pp] | [Ss][Yy][Nn][Cc][Dd][Hh][Cc][Pp] | [Nn][Oo][Ss][Yy][Nn][Cc][Dd][Hh][Cc][Pp])
			die "uplink $1 gets an address from rc.conf ($w in ifconfig_$2 or ifconfig_DEFAULT), which a bridge refuses from FreeBSD 15.0: give the address to a host member of the bridge" ;;
		esac
	done
	for v in "ifconfig_${2}_ipv6" "ifconfig_${2}_aliases" "ipv4_addrs_$2"; do
		[ -z "$(get "$v")" ] || die "uplink $1 gets an address from rc.conf ($v), which a bridge refuses from FreeBSD 15.0: give the address to a host member of the bridge"
	done
	for v in $rcvars; do
		case $v in
		"ifconfig_${2}_alias"[0-9]*)
			die "uplink $1 gets an address from rc.conf ($v), which a bridge refuses from FreeBSD 15.0: give the address to a host member of the bridge" ;;
		esac
	done
}
"#,
            );
        }
        if self.host.nics.iter().any(|n| n.moved_to.is_some()) {
            s.push_str(
                r#"# moved NIC RC JAIL: a NIC that moves into a jail is configured there, not by
# the host.
moved() {
	if [ -n "$(get "ifconfig_$2")" ] && ! has "ifconfig_$2" "$vars_old"; then
		die "$1 moves into jail $3, but the host's rc.conf configures it (ifconfig_$2)"
	fi
}
"#,
            );
        }
        if !self.host.jails.is_empty() {
            s.push_str(
                r#"# elsewhere NAME VARNAME: rc.d/jail reads jail NAME from /etc/jail.NAME.conf or
# /etc/jail.conf.d/NAME.conf when one exists, and builds it from jail_VARNAME_*
# variables when they set rootdir (libexec/rc/rc.d/jail, parse_options).
elsewhere() {
	for f in "$(get "jail_${2}_conf")" "/etc/jail.$1.conf" "/etc/jail.conf.d/$1.conf"; do
		if [ -n "$f" ] && [ "$f" != /etc/jail.conf ] && [ -e "$f" ]; then
			die "$f exists: rc.d/jail would read jail $1 from it, not from /etc/jail.conf"
		fi
	done
	[ -z "$(get "jail_${2}_rootdir")" ] || die "rc.conf sets jail_${2}_rootdir: rc.d/jail would build jail $1 from rc.conf, not from /etc/jail.conf"
}
"#,
            );
        }
        Ok(())
    }

    /// The source tree is needed: for a kernel, or for jail worlds built
    /// from source.
    fn uses_src(&self) -> bool {
        self.host.kernel.is_some()
            || (self.host.world == WorldMode::Source && !self.roots.is_empty())
    }

    /// Target 15.0 or later with at least one uplink NIC.
    fn bare_uplinks(&self) -> bool {
        self.host.target.facts.bridge_refuses_addressed_members
            && self
                .host
                .nics
                .iter()
                .any(|n| n.moved_to.is_none() && n.uplink_of.is_some())
    }

    fn refusals(&mut self, s: &mut String) -> fmt::Result {
        let host = self.host;
        self.heading(
            s,
            "Refuse, before anything is changed, what vjc must not touch.",
        )?;
        writeln!(s, "[ \"$(id -u)\" = 0 ] || die \"run this as root\"")?;
        s.push_str("for f in jail.conf");
        let mut rel = String::new();
        for j in &host.jails {
            rel.clear();
            write!(rel, "jails/{}/rc.conf", j.name)?;
            write!(s, " {}", Word(&rel))?;
        }
        writeln!(
            s,
            "; do\n\
             \t[ -f \"$here/$f\" ] || die \"$here/$f is missing: run the build.sh that vjc wrote next to its outputs\"\n\
             done",
        )?;
        writeln!(
            s,
            "case \"$(uname -r)\" in {rel}-*) ;; *) echo \"vjc: note: this host runs FreeBSD $(uname -r); the jails get {rel}\" ;; esac",
            rel = self.release
        )?;

        if !self.roots.is_empty() {
            writeln!(
                s,
                "# A jail root has a world when it has /bin/sh; one that has none must be empty\n\
                 # (or absent) before a world goes into it."
            )?;
            writeln!(s, "need_world=")?;
            writeln!(
                s,
                "for root in \"$@\"; do\n\
                 \tif [ -x \"$root/bin/sh\" ]; then continue; fi\n\
                 \tif [ -e \"$root\" ] && [ -n \"$(ls -A \"$root\")\" ]; then\n\
                 \t\tdie \"$root is not empty but holds no world (no bin/sh): not installing over it\"\n\
                 \tfi\n\
                 \tneed_world=yes\n\
                 done",
            )?;
        }
        if host.kernel.is_some() {
            writeln!(s, "check_src")?;
        } else if host.world == WorldMode::Source && !self.roots.is_empty() {
            writeln!(s, "[ -z \"$need_world\" ] || check_src")?;
        }

        writeln!(
            s,
            "ours /etc/jail.conf || die \"/etc/jail.conf was not written by vjc: not replacing it\""
        )?;
        if !self.roots.is_empty() {
            writeln!(
                s,
                "for root in \"$@\"; do\n\
                 \tours \"$root/etc/rc.conf\" || die \"$root/etc/rc.conf was not written by vjc: not replacing it\"\n\
                 done",
            )?;
        }
        if self.kconf.is_some() {
            writeln!(
                s,
                "ours \"$kconf\" || die \"$kconf was not written by vjc: not replacing it\""
            )?;
        }
        writeln!(
            s,
            "case \"$(get jail_conf)\" in '' | /etc/jail.conf) ;; *) die \"rc.conf sets jail_conf=$(get jail_conf): rc.d/jail would not read /etc/jail.conf\" ;; esac"
        )?;
        for jail in &host.jails {
            writeln!(s, "elsewhere {} {}", Word(&jail.name), JailVar(&jail.name))?;
        }

        // The host's rc.conf: list words, variables and interfaces vjc's
        // would collide with.
        writeln!(
            s,
            "# rc.conf: words, variables and interfaces of the host's own that vjc's would\n\
             # collide with."
        )?;
        for var in self.vars.iter().filter(|v| v.kind == VarKind::List) {
            writeln!(
                s,
                "refuse_words {} {} {}",
                Word(&var.name),
                word(&format!("vjc_{}", var.name)),
                Words(var.value.split(' '))
            )?;
        }
        let owned: Vec<&str> = self
            .vars
            .iter()
            .filter(|v| v.kind == VarKind::Scalar && v.name.starts_with("ifconfig_"))
            .map(|v| v.name.as_str())
            .collect();
        if !owned.is_empty() {
            writeln!(s, "refuse_vars {}", Words(owned.iter().copied()))?;
        }
        if !host.cloned.is_empty() || !host.vlans.is_empty() {
            writeln!(s, "live=$(ifconfig -l)")?;
            for epair in &host.epairs {
                writeln!(
                    s,
                    "refuse_live vjc_cloned_interfaces {} {} {}",
                    Word(&epair.name),
                    Word(&epair.a.name),
                    Word(&epair.b.name)
                )?;
            }
            for bridge in &host.bridges {
                let mut names = vec![bridge.created.as_str()];
                if bridge.name != bridge.created {
                    names.push(bridge.name.as_str());
                }
                writeln!(
                    s,
                    "refuse_live vjc_cloned_interfaces {} {}",
                    word(&bridge.created),
                    words(names)
                )?;
            }
            for vlan in &host.vlans {
                let Some(parent) = host.nics.get(vlan.parent) else {
                    continue;
                };
                writeln!(
                    s,
                    "refuse_live {} {} {}",
                    word(&format!("vjc_vlans_{}", parent.rc_name)),
                    vlan.id,
                    word(&vlan.name)
                )?;
            }
        }
        if self.bare_uplinks() {
            writeln!(
                s,
                "rcvars=$(sysrc -a | sed -n 's/^\\([A-Za-z_][A-Za-z0-9_]*\\): .*/\\1/p')"
            )?;
        }
        for nic in &host.nics {
            if let Some(j) = nic.moved_to {
                let jail = host.jails.get(j).map_or("?", |j| j.name.as_str());
                writeln!(
                    s,
                    "moved {} {} {}",
                    word(&nic.name),
                    word(&nic.rc_name),
                    word(jail)
                )?;
                continue;
            }
            if nic.uplink_of.is_none() {
                continue;
            }
            if host.target.facts.bridge_refuses_addressed_members {
                writeln!(s, "bare_member {} {}", word(&nic.name), word(&nic.rc_name))?;
            }
            if let Some(mtu) = nic.mtu {
                writeln!(
                    s,
                    "member_mtu {} {} {mtu}",
                    word(&nic.name),
                    word(&nic.rc_name)
                )?;
            }
        }
        let moves_in = !host.epairs.is_empty()
            || host
                .vlans
                .iter()
                .any(|v| matches!(v.place, VlanPlace::Jail(_)))
            || host.nics.iter().any(|n| n.moved_to.is_some());
        if moves_in {
            writeln!(
                s,
                "[ -z \"$(get ifconfig_DEFAULT)\" ] || echo \"vjc: note: ifconfig_DEFAULT=\\\"$(get ifconfig_DEFAULT)\\\" also configures, on the host at boot, the interfaces that then move into jails\""
            )?;
        }
        Ok(())
    }

    /// The roots, each single-quoted, written in place.
    fn quoted_roots(&self) -> impl fmt::Display + '_ {
        struct Roots<'r>(&'r [&'r str]);
        impl fmt::Display for Roots<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for (i, r) in self.0.iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    Quoted(r).fmt(f)?;
                }
                Ok(())
            }
        }
        Roots(&self.roots)
    }

    fn fetch_release(&mut self, s: &mut String) -> fmt::Result {
        let t = &self.host.target;
        self.heading(
            s,
            &format!(
                "The {}-RELEASE base set, fetched once and checked against the release's\n\
                 MANIFEST (lines: file, sha256, count, set, description, default).",
                self.release
            ),
        )?;
        writeln!(
            s,
            "cache={}",
            sh_quote(&format!("/var/cache/vjc/{}-{}", t.arch, self.release))
        )?;
        writeln!(
            s,
            "url={}",
            sh_quote(&format!(
                "https://download.freebsd.org/ftp/releases/{}/{}/{}-RELEASE",
                t.arch, t.machine_arch, self.release
            ))
        )?;
        s.push_str(
            r#"if [ -n "$need_world" ]; then
	mkdir -p "$cache"
	for f in MANIFEST base.txz; do
		if [ ! -f "$cache/$f" ]; then
			fetch -o "$cache/$f.part" "$url/$f" || die "could not fetch $url/$f"
			mv "$cache/$f.part" "$cache/$f"
		fi
	done
	sum=$(awk -F '\t' '$1 == "base.txz" { print $2 }' "$cache/MANIFEST")
	[ -n "$sum" ] || die "$cache/MANIFEST names no base.txz: remove it and run again"
	[ "$(sha256 -q "$cache/base.txz")" = "$sum" ] || die "$cache/base.txz does not match its MANIFEST: remove it and run again"
fi
"#,
        );
        Ok(())
    }

    fn buildworld(&mut self, s: &mut String) -> fmt::Result {
        self.heading(
            s,
            "World: built once, and only when a jail root still lacks one.",
        )?;
        s.push_str(
            r#"if [ -n "$need_world" ]; then
	make -C "$src" -j"$(sysctl -n hw.ncpu)" buildworld
fi
"#,
        );
        Ok(())
    }

    fn kernel(&mut self, s: &mut String) -> fmt::Result {
        let Some(kernel) = &self.host.kernel else {
            return Ok(());
        };
        self.heading(
            s,
            &format!(
                "Kernel {}: built and installed unless the running kernel is {} and its\n\
                 configuration is unchanged (the Handbook's buildkernel, installkernel).",
                kernel.ident, kernel.ident
            ),
        )?;
        let mut body = String::new();
        super::header(self.model, &mut body)?;
        writeln!(body, "include GENERIC")?;
        writeln!(body, "ident {}", kernel.ident)?;
        for line in &kernel.lines {
            writeln!(body, "{line}")?;
        }
        let delim = delimiter(&body);
        let ident = sh_quote(&kernel.ident);
        writeln!(s, "reboot_needed=")?;
        writeln!(s, "knew=$(mktemp \"${{TMPDIR:-/tmp}}/vjc.XXXXXX\")")?;
        writeln!(s, "trap 'rm -f \"$knew\"' EXIT")?;
        writeln!(s, "cat >\"$knew\" <<'{delim}'")?;
        s.push_str(&body);
        writeln!(s, "{delim}")?;
        writeln!(
            s,
            "if [ \"$(uname -i)\" = {ident} ] && cmp -s \"$knew\" \"$kconf\"; then\n\
             \techo {skip}\n\
             else\n\
             \tinstall -m 0644 \"$knew\" \"$kconf\"\n\
             \tmake -C \"$src\" -j\"$(sysctl -n hw.ncpu)\" buildkernel KERNCONF={kc}\n\
             \tmake -C \"$src\" installkernel KERNCONF={kc}\n\
             \treboot_needed=yes\n\
             fi",
            skip = sh_quote(&format!(
                "vjc: the running kernel is {} from this configuration: not rebuilt",
                kernel.ident
            )),
            kc = word(&kernel.ident),
        )?;
        Ok(())
    }

    fn install_worlds(&mut self, s: &mut String) -> fmt::Result {
        let (what, commands) = match self.host.world {
            WorldMode::Source => (
                "installworld and distribution (jail(8))",
                "\tmake -C \"$src\" installworld DESTDIR=\"$root\"\n\
                 \tmake -C \"$src\" distribution DESTDIR=\"$root\"\n",
            ),
            WorldMode::Release => (
                "base.txz, extracted (jail(8))",
                "\ttar -xf \"$cache/base.txz\" -C \"$root\" --unlink\n",
            ),
        };
        self.heading(
            s,
            &format!("Each jail root that lacks a world gets one: {what}."),
        )?;
        writeln!(
            s,
            "for root in \"$@\"; do\n\
             \tif [ -x \"$root/bin/sh\" ]; then\n\
             \t\techo \"vjc: $root already holds a world, left as it is\"\n\
             \t\tcontinue\n\
             \tfi\n\
             \tmkdir -p \"$root\"\n\
             {commands}\
             done",
        )?;
        Ok(())
    }

    fn install_files(&mut self, s: &mut String) -> fmt::Result {
        if self.roots.is_empty() {
            self.heading(s, "The host's jail.conf.")?;
        } else {
            self.heading(s, "Each jail's own rc.conf, and the host's jail.conf.")?;
        }
        // Two scratch strings for all jails rather than four per jail.
        let (mut rel, mut dest) = (String::new(), String::new());
        for jail in &self.host.jails {
            rel.clear();
            write!(rel, "jails/{}/rc.conf", jail.name)?;
            dest.clear();
            write!(dest, "{}/etc/rc.conf", jail.path.trim_end_matches('/'))?;
            writeln!(s, "install -m 0644 {} {}", Here(&rel), Quoted(&dest))?;
        }
        writeln!(s, "install -m 0644 \"$here/jail.conf\" /etc/jail.conf")?;
        Ok(())
    }

    fn merge_rc_conf(&mut self, s: &mut String) -> fmt::Result {
        self.heading(
            s,
            "The host's rc.conf, merged with sysrc(8): the settings of the rc.conf next to\n\
             this script. A list variable keeps the host's words, then vjc's (members stay\n\
             before bridges), which vjc_<variable> remembers; the other variables vjc sets\n\
             are listed in vjc_variables, so a rerun removes those it no longer sets.",
        )?;
        s.push_str(
            r#"# put VAR VALUE: set VAR, unless it already holds VALUE.
put() {
	if ! isset "$1" || [ "$(get "$1")" != "$2" ]; then sysrc "$1=$2"; fi
}
drop() {
	if isset "$1"; then sysrc -x "$1"; fi
}
# merge_words VAR OWNVAR WORD...
merge_words() {
	var=$1
	own=$2
	old=$(get "$own")
	shift 2
	if [ $# -gt 0 ]; then put "$own" "$*"; else drop "$own"; fi
	new=
	for w in $(get "$var"); do
		has "$w" "$old" || new="${new:+$new }$w"
	done
	for w in "$@"; do
		new="${new:+$new }$w"
	done
	if [ -n "$new" ]; then
		put "$var" "$new"
	elif [ -n "$(get "$var")" ]; then
		sysrc -x "$var"
	fi
}
# claim VAR...: vjc_variables lists VARs before they are set, so that a run cut
# short still knows them as vjc's.
claim() {
	listed=$(get vjc_variables)
	for v in "$@"; do
		has "$v" "$listed" || listed="${listed:+$listed }$v"
	done
	put vjc_variables "$listed"
}
# mine VAR VALUE: a variable vjc owns.
vars_now=
mine() {
	vars_now="${vars_now:+$vars_now }$1"
	claim "$1"
	put "$1" "$2"
}
"#,
        );
        if self.vars.iter().any(|v| v.kind == VarKind::Shared) {
            s.push_str(
                r#"# shared VAR VALUE: a switch the host may have turned on itself; vjc owns it
# only if vjc is the one that turns it on.
shared() {
	if has "$1" "$vars_old" || [ "$(get "$1")" != "$2" ]; then mine "$1" "$2"; fi
}
"#,
            );
        }
        if self.vars.iter().any(|v| v.kind == VarKind::IfUnset) {
            s.push_str(
                r#"# if_unset VAR VALUE: the host's own setting of its NIC wins, ifconfig_DEFAULT
# included.
if_unset() {
	if has "$1" "$vars_old" || { [ -z "$(get "$1")" ] && [ -z "$(get ifconfig_DEFAULT)" ]; }; then
		mine "$1" "$2"
	fi
}
"#,
            );
        }
        let scalars: Vec<&str> = self
            .vars
            .iter()
            .filter(|v| v.kind == VarKind::Scalar)
            .map(|v| v.name.as_str())
            .collect();
        if !scalars.is_empty() {
            writeln!(s, "claim {}", Words(scalars.iter().copied()))?;
        }
        let mut lists_seen = Vec::new();
        for var in &self.vars {
            match var.kind {
                VarKind::List => {
                    lists_seen.push(var.name.as_str());
                    writeln!(
                        s,
                        "merge_words {} {} {}",
                        Word(&var.name),
                        word(&format!("vjc_{}", var.name)),
                        Words(var.value.split(' '))
                    )?;
                }
                VarKind::Scalar => writeln!(s, "mine {} {}", Word(&var.name), Quoted(&var.value))?,
                VarKind::Shared => {
                    writeln!(s, "shared {} {}", Word(&var.name), Quoted(&var.value))?
                }
                VarKind::IfUnset => {
                    writeln!(s, "if_unset {} {}", Word(&var.name), Quoted(&var.value))?
                }
            }
        }
        // Lists this run adds nothing to still lose the words an earlier
        // run added.
        for list in ["cloned_interfaces", "jail_list"] {
            if !lists_seen.contains(&list) {
                writeln!(s, "merge_words {list} vjc_{list}")?;
            }
        }
        let vlan_lists: Vec<&str> = lists_seen
            .iter()
            .copied()
            .filter(|l| l.starts_with("vlans_"))
            .collect();
        writeln!(s, "# vlans_<nic> of NICs this file no longer uses")?;
        writeln!(
            s,
            "for owner in $(sysrc -a | sed -n 's/^\\(vjc_vlans_[A-Za-z0-9_]*\\): .*/\\1/p'); do"
        )?;
        if vlan_lists.is_empty() {
            writeln!(s, "\tmerge_words \"${{owner#vjc_}}\" \"$owner\"")?;
        } else {
            writeln!(
                s,
                "\thas \"${{owner#vjc_}}\" {} || merge_words \"${{owner#vjc_}}\" \"$owner\"",
                sh_quote(&vlan_lists.join(" "))
            )?;
        }
        writeln!(s, "done")?;
        s.push_str(
            r#"# Variables an earlier run set and this one does not.
for v in $vars_old; do
	has "$v" "$vars_now" || drop "$v"
done
if [ -n "$vars_now" ]; then put vjc_variables "$vars_now"; else drop vjc_variables; fi
"#,
        );
        Ok(())
    }

    /// The last lines: how to start what was set up.
    fn finish(&mut self, s: &mut String) -> fmt::Result {
        let host = self.host;
        writeln!(s)?;
        if let Some(kernel) = &host.kernel {
            writeln!(
                s,
                "if [ -n \"$reboot_needed\" ]; then\n\
                 \techo {}\n\
                 \texit 0\n\
                 fi",
                sh_quote(&format!(
                    "vjc: done. Reboot into the new kernel {}: the network and the jails start at boot.",
                    kernel.ident
                ))
            )?;
        }
        let mut steps: Vec<String> = Vec::new();
        // NICs vjc brings up (when the host does not configure them itself,
        // they are down), then the VLANs on them.
        for var in self.vars.iter().filter(|v| v.kind == VarKind::IfUnset) {
            // No string per comparison: this is vars × NICs.
            if let Some(nic) = host
                .nics
                .iter()
                .find(|n| var.name.strip_prefix("ifconfig_") == Some(n.rc_name.as_str()))
            {
                steps.push(format!("ifconfig {} {}", nic.name, up_value(nic.mtu)));
            }
        }
        for vlan in &host.vlans {
            match vlan.place {
                VlanPlace::Bridge(_) => steps.push(format!(
                    "ifconfig {n} create && service netif start {n}",
                    n = vlan.name
                )),
                VlanPlace::Jail(_) => steps.push(format!("ifconfig {} create", vlan.name)),
                VlanPlace::Unused => {}
            }
        }
        if !host.cloned.is_empty() {
            steps.push(format!("service netif start {}", host.cloned.join(" ")));
        }
        let renamed: Vec<&str> = host
            .bridges
            .iter()
            .filter(|b| b.name != b.created)
            .map(|b| b.name.as_str())
            .collect();
        if !renamed.is_empty() {
            // netif renames a bridge after creating it, then configures it
            // under the new name only when asked for that name.
            steps.push(format!("service netif start {}", renamed.join(" ")));
        }
        if !host.jails.is_empty() {
            let names: Vec<&str> = host.jails.iter().map(|j| j.name.as_str()).collect();
            steps.push(format!("service jail start {}", names.join(" ")));
        }
        if steps.is_empty() {
            writeln!(s, "echo 'vjc: done.'")?;
        } else {
            writeln!(s, "echo 'vjc: done. Reboot, or start it all now:'")?;
            for step in steps {
                writeln!(s, "echo {}", sh_quote(&format!("  {step}")))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::fixtures::sample_host;

    fn script(host: &Host) -> String {
        let model = Model {
            source_name: "lab.vj".into(),
            hosts: vec![host.clone()],
        };
        let mut out = String::new();
        write(&model, &model.hosts[0], &mut out).unwrap();
        out
    }

    /// `sh -n` on the script (the integration tests add shellcheck).
    fn parses(text: &str) {
        let dir = std::env::temp_dir().join(format!("vjc-build-sh-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{:x}.sh", text.len()));
        std::fs::write(&path, text).unwrap();
        let status = std::process::Command::new("sh")
            .arg("-n")
            .arg(&path)
            .status()
            .unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(status.success(), "sh -n failed on:\n{text}");
    }

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("a b"), "'a b'");
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
        assert_eq!(word("em0.100"), "em0.100");
        assert_eq!(word("a$b"), "'a$b'");
        assert_eq!(word(""), "''");
        assert_eq!(here("jails/web/rc.conf"), "\"$here/jails/web/rc.conf\"");
        assert_eq!(here("jails/a b/rc.conf"), "\"$here\"/'jails/a b/rc.conf'");
        assert_eq!(jail_var("web-1"), "web_1");
        assert_eq!(delimiter("a\nEOF\nEOF_\n"), "EOF__");
    }

    #[test]
    fn sample_host_script() {
        let text = script(&sample_host());
        parses(&text);
        assert!(text.starts_with("#!/bin/sh\n# Generated by vjc from lab.vj."));
        assert!(text.contains("\nset -eu\n"));
        // Refusals come before the first change.
        let first_change = text.find("make -C").unwrap();
        for refusal in [
            "check_src",
            "ours /etc/jail.conf",
            "refuse_words vlans_em2 vjc_vlans_em2 5 7",
            "refuse_vars ifconfig_bridge0_name ifconfig_lab_a",
            "refuse_live vjc_vlans_em2 7 em2.7",
            "bare_member em1 em1",
            "member_mtu em1 em1 9000",
        ] {
            let at = text.find(&format!("\n{refusal}")).expect(refusal);
            assert!(at < first_change, "{refusal} comes after a change");
        }
        assert!(text.contains("if_unset ifconfig_em1 'mtu 9000 up'\n"));
        assert!(text.contains("mine ifconfig_lab_a_ipv6 'inet6 fd00::fe prefixlen 64'\n"));
        assert!(text.contains("shared jail_enable 'YES'\n"));
        assert!(text.contains("echo '  service netif start lab-a'\n"));
    }

    #[test]
    fn hostile_values_stay_quoted() {
        let mut host = sample_host();
        host.src = "/usr/src'; rm -rf /; '".into();
        host.jails[0].path = "/j/it's here".into();
        host.jails[0].name = "we b".into();
        host.kernel = Some(crate::model::Kernel {
            ident: "K'X".into(),
            lines: vec!["options VIMAGE".into(), "EOF".into()],
        });
        let text = script(&host);
        parses(&text);
        assert!(text.contains(r"src='/usr/src'\''; rm -rf /; '\'''"));
        assert!(text.contains(r"'/j/it'\''s here'"));
        assert!(text.contains("\"$here\"/'jails/we b/rc.conf'"));
        assert!(text.contains("<<'EOF_'\n"));
        assert!(text.contains(r"KERNCONF='K'\''X'"));
    }

    #[test]
    fn release_world_fetches_for_the_target() {
        let mut host = sample_host();
        host.world = WorldMode::Release;
        host.target.arch = "arm64".into();
        host.target.machine_arch = "aarch64".into();
        let text = script(&host);
        parses(&text);
        assert!(text.contains(
            "url='https://download.freebsd.org/ftp/releases/arm64/aarch64/15.0-RELEASE'"
        ));
        assert!(text.contains("cache='/var/cache/vjc/arm64-15.0'"));
        assert!(text.contains("tar -xf \"$cache/base.txz\" -C \"$root\" --unlink"));
        // No kernel and release sets: the source tree is not needed.
        assert!(!text.contains("check_src"));
        assert!(!text.contains("buildworld"));
    }

    #[test]
    fn before_15_uplinks_may_hold_addresses() {
        let mut host = sample_host();
        host.target.facts.bridge_refuses_addressed_members = false;
        let text = script(&host);
        parses(&text);
        assert!(!text.contains("bare_member"));
        assert!(text.contains("member_mtu em1 em1 9000"));
    }
}
