//! The emitters on every example: a snapshot of each output but build.sh
//! (which has its own tests), jail.conf read back the way jail(8) reads it
//! and held against the model and the host's rc.conf, every rc.conf through
//! shellcheck.

#[path = "support/jail_conf_reader.rs"]
mod jail_conf_reader;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use vjc::model::{Host, Model, rc_name};

#[path = "support/snapshots.rs"]
mod snapshots;

/// Every `examples/*.vj`, by file name, in name order.
fn examples() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "vj"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no examples");
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("example");
            (name, text)
        })
        .collect()
}

fn model(name: &str, source: &str) -> Model {
    let checked = vjc::check(name, source);
    assert!(
        !checked.has_errors(),
        "{name} has errors: {:#?}",
        checked.diagnostics
    );
    checked.model.expect("a model")
}

/// What `vjc::compile` writes for an example, by path, build.sh aside
/// (it has its own tests). Checks `emit::all`'s file list on the way: the
/// host's files, one rc.conf per jail, build.sh last and the only
/// executable one.
fn outputs(name: &str, source: &str) -> Vec<(String, String)> {
    let (checked, files) = vjc::compile(name, source);
    let files = files.unwrap_or_else(|| panic!("{name}: {:#?}", checked.diagnostics));
    let model = checked.model.expect("a model");
    let mut expected = vec!["jail.conf".to_string(), "rc.conf".to_string()];
    for jail in &model.hosts[0].jails {
        expected.push(format!("jails/{}/rc.conf", jail.name));
    }
    expected.push("build.sh".to_string());
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, expected, "{name}");
    for file in &files {
        assert_eq!(
            file.executable,
            file.path == "build.sh",
            "{name}: {}",
            file.path
        );
    }
    files
        .into_iter()
        .filter(|f| f.path != "build.sh")
        .map(|f| (f.path, f.contents))
        .collect()
}

fn file<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
    &files.iter().find(|(p, _)| p == path).expect(path).1
}

#[test]
fn snapshots() {
    let mut settings = snapshots::settings();
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, source) in examples() {
            let stem = name.trim_end_matches(".vj");
            for (path, text) in outputs(&name, &source) {
                let snap = format!("emit-{stem}-{}", path.replace('/', "-"));
                insta::assert_snapshot!(snap, text);
            }
        }
    });
}

/// `NAME="value"` lines of an rc.conf (comments and blank lines skipped).
fn rc_vars(text: &str) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, rest) = line.split_once("=\"").expect("NAME=\"value\"");
        let (value, _comment) = rest.split_once('"').expect("closing quote");
        vars.insert(name.to_string(), value.to_string());
    }
    vars
}

/// Interfaces the host's rc.conf creates: both ends of each cloned epair,
/// and `<nic>.<id>` for each `vlans_<nic>` entry (network.subr
/// `childif_create`).
fn created_by(rc: &BTreeMap<String, String>) -> BTreeSet<String> {
    let mut made = BTreeSet::new();
    for word in rc
        .get("cloned_interfaces")
        .map(String::as_str)
        .unwrap_or("")
        .split_whitespace()
    {
        if word.starts_with("epair") {
            made.insert(format!("{word}a"));
            made.insert(format!("{word}b"));
        }
    }
    for (var, ids) in rc {
        if let Some(nic) = var.strip_prefix("vlans_") {
            for id in ids.split_whitespace() {
                made.insert(format!("{nic}.{id}"));
            }
        }
    }
    made
}

fn vj_tokens(source: &str) -> BTreeSet<&str> {
    source
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .flat_map(|l| l.split(|c: char| c.is_whitespace() || "<>;{}".contains(c)))
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn jails_get_interfaces_the_host_has() {
    for (name, source) in examples() {
        let files = outputs(&name, &source);
        let jails = jail_conf_reader::read(file(&files, "jail.conf"))
            .unwrap_or_else(|e| panic!("{name}: jail.conf: {e}"));
        let rc = rc_vars(file(&files, "rc.conf"));
        let made = created_by(&rc);
        let named = vj_tokens(&source);
        let mut moved = BTreeSet::new();
        for jail in &jails {
            let ifaces = jail.get("vnet.interface").unwrap_or(&[]);
            for iface in ifaces {
                assert!(
                    made.contains(iface) || named.contains(iface.as_str()),
                    "{name}: jail {} gets {iface}, which the host neither creates nor has",
                    jail.name
                );
                assert!(moved.insert(iface.clone()), "{name}: {iface} moved twice");
            }
            // Each interface is handed back, and the jail configures only
            // what it was given.
            assert_eq!(
                jail.get("exec.prestop").unwrap_or(&[]).len(),
                ifaces.len(),
                "{name}: jail {}",
                jail.name
            );
            let jail_rc = rc_vars(file(&files, &format!("jails/{}/rc.conf", jail.name)));
            let given: BTreeSet<String> = ifaces.iter().map(|i| rc_name(i)).collect();
            for var in jail_rc.keys() {
                if let Some(iface) = var.strip_prefix("ifconfig_") {
                    let iface = iface
                        .split_once("_ipv6")
                        .or_else(|| iface.split_once("_alias"))
                        .map_or(iface, |(i, _)| i);
                    assert!(
                        given.contains(iface),
                        "{name}: jail {} configures {var} but gets {ifaces:?}",
                        jail.name
                    );
                }
            }
        }
        let list: Vec<&str> = rc["jail_list"].split_whitespace().collect();
        let names: Vec<&str> = jails.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(list, names, "{name}: jail_list and jail.conf disagree");
    }
}

/// jail(8) reads back exactly what the model says, whatever the values hold.
fn assert_reads_back(name: &str, host: &Host, jail_conf: &str) {
    let jails = jail_conf_reader::read(jail_conf).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(jails.len(), host.jails.len(), "{name}");
    for (read, jail) in jails.iter().zip(&host.jails) {
        let ctx = format!("{name}: jail {}", jail.name);
        assert_eq!(read.name, jail.name, "{ctx}");
        assert_eq!(
            read.get("host.hostname").unwrap(),
            std::slice::from_ref(&jail.hostname),
            "{ctx}"
        );
        assert_eq!(
            read.get("path").unwrap(),
            std::slice::from_ref(&jail.path),
            "{ctx}"
        );
        let ifaces: Vec<String> = jail.interfaces.iter().map(|i| i.name.clone()).collect();
        if !ifaces.is_empty() {
            assert_eq!(
                read.get("vnet.interface").unwrap(),
                ifaces.as_slice(),
                "{ctx}"
            );
        }
        assert_eq!(read.get("vnet").unwrap(), [] as [String; 0], "{ctx}");
        assert_eq!(
            read.get("exec.consolelog").unwrap(),
            [format!("/var/log/jail_{}_console.log", jail.name)],
            "{ctx}"
        );
        for param in &jail.params {
            let got = read
                .get(&param.name)
                .unwrap_or_else(|| panic!("{ctx}: {} missing", param.name));
            if param.append {
                assert!(got.ends_with(&param.values), "{ctx}: {}", param.name);
            } else {
                assert_eq!(got, param.values.as_slice(), "{ctx}: {}", param.name);
            }
        }
    }
}

#[test]
fn jail_conf_reads_back_as_the_model() {
    for (name, source) in examples() {
        let model = model(&name, &source);
        let files = outputs(&name, &source);
        assert_reads_back(&name, &model.hosts[0], file(&files, "jail.conf"));
    }
}

#[test]
fn awkward_values_survive_jail_conf() {
    let source = r#"domain example.org
bridge br0 < jail web 192.0.2.1/24 >
jail web {
  allow sysvipc
  param "exec.poststart" = "logger \"$name up\" # not a comment", "echo ${HOME} \\ // /* x */"
  param sysvshm = new
  param "exec.prestop" = "/bin/sh -c 'echo $$'"
}
"#;
    let model = model("awkward.vj", source);
    let jail_conf = file(&outputs("awkward.vj", source), "jail.conf").to_string();
    assert_reads_back("awkward.vj", &model.hosts[0], &jail_conf);
    let web = jail_conf_reader::read_jail(&jail_conf, "web").unwrap();
    assert_eq!(
        web.get("exec.poststart").unwrap(),
        [
            r#"logger "$name up" # not a comment"#,
            r#"echo ${HOME} \ // /* x */"#
        ]
    );
    // vjc's own hook first, the file's after it.
    assert_eq!(
        web.get("exec.prestop").unwrap(),
        ["/sbin/ifconfig epair0b -vnet web", "/bin/sh -c 'echo $$'"]
    );
}

#[test]
fn rc_conf_files_pass_shellcheck() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, source) in examples() {
        let stem = name.trim_end_matches(".vj");
        for (path, text) in outputs(&name, &source) {
            if !path.ends_with("rc.conf") {
                continue;
            }
            let file = dir
                .path()
                .join(format!("{stem}-{}", path.replace('/', "-")));
            std::fs::write(&file, text).unwrap();
            paths.push(file);
        }
    }
    // SC2034: rc.conf assigns variables that other scripts read.
    let result = Command::new("shellcheck")
        .args(["-s", "sh", "-e", "SC2034"])
        .args(&paths)
        .output()
        .expect("shellcheck is needed (apt-get install shellcheck)");
    assert!(
        result.status.success(),
        "shellcheck:\n{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}
