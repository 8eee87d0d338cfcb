//! The host's `/etc/jail.conf`: defaults every vnet jail shares, then one
//! block per jail in `jail_list` order giving its hostname, root, the
//! interfaces jail(8) moves into it (`vnet.interface`), the hooks that hand
//! them back before removal, and the file's own `allow`/`param` lines.
//!
//! Every value is written in double quotes with jail.conf's escapes, so what
//! jail(8) reads is exactly the model's string: no variable substitution, no
//! comment or token boundaries inside it (usr.sbin/jail/jaillex.l).

use crate::model::{Host, Jail, JailParam, Model};
use std::fmt::{self, Write};

pub fn write(model: &Model, host: &Host, out: &mut impl Write) -> fmt::Result {
    super::header(model, out)?;
    defaults(host, out)?;
    for jail in &host.jails {
        writeln!(out)?;
        block(jail, out)?;
    }
    Ok(())
}

/// Top-level parameters: jail(8) stores them in the `*` pseudo-jail, which
/// applies to every jail (usr.sbin/jail/config.c `load_config`).
fn defaults(host: &Host, out: &mut impl Write) -> fmt::Result {
    let ruleset = host.target.facts.devfs_ruleset;
    // The stock rulesets' names (sbin/devfs/devfs.rules, /etc/defaults/devfs.rules).
    let ruleset_name = match ruleset {
        5 => Some("devfsrules_jail_vnet"),
        4 => Some("devfsrules_jail"),
        _ => None,
    };
    out.write_str("# Defaults for every jail below.\n")?;
    out.write_str("exec.clean;\n")?;
    out.write_str("exec.start = \"/bin/sh /etc/rc\";\n")?;
    out.write_str("exec.stop = \"/bin/sh /etc/rc.shutdown jail\";\n")?;
    // `${name}` is meant for jail(8): it becomes each jail's name.
    out.write_str("exec.consolelog = \"/var/log/jail_${name}_console.log\";\n")?;
    out.write_str("mount.devfs;\n")?;
    match ruleset_name {
        Some(name) => writeln!(out, "devfs_ruleset = {ruleset};\t# {name}")?,
        None => writeln!(out, "devfs_ruleset = {ruleset};")?,
    }
    out.write_str("vnet;\n")
}

fn block(jail: &Jail, out: &mut impl Write) -> fmt::Result {
    writeln!(out, "{} {{", name(&jail.name))?;
    writeln!(out, "\thost.hostname = {};", quote(&jail.hostname))?;
    writeln!(out, "\tpath = {};", quote(&jail.path))?;
    if !jail.interfaces.is_empty() {
        // One value per interface: jail(8) runs `ifconfig <value> vnet <jail>`
        // for each (usr.sbin/jail/command.c, IP_VNET_INTERFACE).
        let list: Vec<String> = jail.interfaces.iter().map(|i| quote(&i.name)).collect();
        writeln!(out, "\tvnet.interface = {};", list.join(", "))?;
        // Handing an interface back before removal makes it usable at once;
        // otherwise it returns only when the dying jail's vnet is destroyed.
        // The path is absolute: exec.clean replaces the environment, and a
        // command without shell characters is execvp'd directly
        // (usr.sbin/jail/command.c `run_command`).
        let it = if jail.interfaces.len() == 1 {
            "it"
        } else {
            "them"
        };
        writeln!(
            out,
            "\t# Hand {it} back to the host before the jail is removed."
        )?;
        for iface in &jail.interfaces {
            let command = format!("/sbin/ifconfig {} -vnet {}", iface.name, jail.name);
            writeln!(out, "\texec.prestop += {};", quote(&command))?;
        }
    }
    for param in &jail.params {
        writeln!(out, "\t{}", param_line(param))?;
    }
    out.write_str("}\n")
}

/// `name;`, `name = "v1", "v2";` or `name += "v";`.
fn param_line(param: &JailParam) -> String {
    let name = name(&param.name);
    if param.values.is_empty() {
        return format!("{name};");
    }
    let values: Vec<String> = param.values.iter().map(|v| quote(v)).collect();
    let op = if param.append { "+=" } else { "=" };
    format!("{name} {op} {};", values.join(", "))
}

/// A parameter or jail name: bare when it is one plain token, else quoted.
/// A quoted name is still one token (jailparse.y `name: STR`).
fn name(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if plain { s.to_string() } else { quote(s) }
}

/// A double-quoted jail.conf string that reads back as exactly `s`:
/// `\` `"` `$` are escaped (an escaped `$` starts no variable), control
/// characters become three-digit octal escapes (usr.sbin/jail/jaillex.l,
/// `text2lval`; jail.conf(5) "String format").
pub(crate) fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '\\' | '"' | '$' => {
                q.push('\\');
                q.push(c);
            }
            c if c.is_ascii_control() => {
                // Three digits always, so a following digit is not read as
                // part of the escape.
                let _ = write!(q, "\\{:03o}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::fixtures;

    fn render(model: &Model) -> String {
        let mut s = String::new();
        write(model, &model.hosts[0], &mut s).unwrap();
        s
    }

    #[test]
    fn seed_bridge() {
        let expected = r#"# Generated by vjc from seed-bridge.vj. Do not edit: change the .vj file and recompile.
# Defaults for every jail below.
exec.clean;
exec.start = "/bin/sh /etc/rc";
exec.stop = "/bin/sh /etc/rc.shutdown jail";
exec.consolelog = "/var/log/jail_${name}_console.log";
mount.devfs;
devfs_ruleset = 5;	# devfsrules_jail_vnet
vnet;

test1 {
	host.hostname = "test1.test.jp";
	path = "/usr/local/jails/test1";
	vnet.interface = "epair0b";
	# Hand it back to the host before the jail is removed.
	exec.prestop += "/sbin/ifconfig epair0b -vnet test1";
}

test2 {
	host.hostname = "test2.test.jp";
	path = "/usr/local/jails/test2";
	vnet.interface = "epair1b";
	# Hand it back to the host before the jail is removed.
	exec.prestop += "/sbin/ifconfig epair1b -vnet test2";
}

test3 {
	host.hostname = "test3.test.jp";
	path = "/usr/local/jails/test3";
	vnet.interface = "epair2b";
	# Hand it back to the host before the jail is removed.
	exec.prestop += "/sbin/ifconfig epair2b -vnet test3";
}
"#;
        assert_eq!(render(&fixtures::seed_bridge()), expected);
    }

    #[test]
    fn kitchen_sink() {
        let expected = r#"# Generated by vjc from lab.vj. Do not edit: change the .vj file and recompile.
# Defaults for every jail below.
exec.clean;
exec.start = "/bin/sh /etc/rc";
exec.stop = "/bin/sh /etc/rc.shutdown jail";
exec.consolelog = "/var/log/jail_${name}_console.log";
mount.devfs;
devfs_ruleset = 4;	# devfsrules_jail
vnet;

web {
	host.hostname = "web.example.org";
	path = "/usr/local/jails/web";
	vnet.interface = "epair0b", "igb0", "epair2a";
	# Hand them back to the host before the jail is removed.
	exec.prestop += "/sbin/ifconfig epair0b -vnet web";
	exec.prestop += "/sbin/ifconfig igb0 -vnet web";
	exec.prestop += "/sbin/ifconfig epair2a -vnet web";
	allow.sysvipc;
	exec.poststart += "logger \"\$name is up\"", "touch /var/run/web up";
	children.max = "0";
	"odd name" = "a\\b";
}

db {
	host.hostname = "db.example.org";
	path = "/jails/db";
	vnet.interface = "epair1b", "em0.200";
	# Hand them back to the host before the jail is removed.
	exec.prestop += "/sbin/ifconfig epair1b -vnet db";
	exec.prestop += "/sbin/ifconfig em0.200 -vnet db";
}

gw {
	host.hostname = "gw.example.org";
	path = "/usr/local/jails/gw";
	vnet.interface = "epair2b";
	# Hand it back to the host before the jail is removed.
	exec.prestop += "/sbin/ifconfig epair2b -vnet gw";
}

lonely {
	host.hostname = "lonely";
	path = "/usr/local/jails/lonely";
}
"#;
        assert_eq!(render(&fixtures::kitchen_sink()), expected);
    }

    #[test]
    fn quote_escapes_what_jail_conf_would_interpret() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote(r#"a"b\c$d"#), r#""a\"b\\c\$d""#);
        assert_eq!(quote("${name}"), r#""\${name}""#);
        assert_eq!(quote("x\ny\t1\u{7f}"), r#""x\012y\0111\177""#);
        assert_eq!(quote("é # // /* ;"), "\"é # // /* ;\"");
        assert_eq!(quote(""), r#""""#);
    }

    #[test]
    fn names_are_bare_only_when_plain() {
        assert_eq!(name("allow.mount"), "allow.mount");
        assert_eq!(name("test-1_a"), "test-1_a");
        assert_eq!(name("a b"), r#""a b""#);
        assert_eq!(name("$x"), r#""\$x""#);
        assert_eq!(name(""), r#""""#);
    }
}
