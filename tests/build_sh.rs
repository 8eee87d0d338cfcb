//! build.sh for every example: a snapshot, `sh -n` and `shellcheck -s sh`.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/snapshots.rs"]
mod snapshots;

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every output vjc writes for `source`, by path.
pub fn compile(name: &str, source: &str) -> Vec<vjc::emit::OutputFile> {
    let (checked, outputs) = vjc::compile(name, source);
    assert!(
        !checked.has_errors(),
        "{name} does not compile: {:#?}",
        checked.diagnostics
    );
    outputs.expect("outputs")
}

/// The build.sh vjc writes for `source`.
pub fn build_sh(name: &str, source: &str) -> String {
    let file = compile(name, source)
        .into_iter()
        .find(|f| f.path == "build.sh")
        .expect("a build.sh");
    assert!(file.executable, "build.sh is not marked executable");
    file.contents
}

fn examples() -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(crate_root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "vj"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect()
}

/// `sh -n` and `shellcheck -s sh` on `script`, which must both pass with
/// no output.
pub fn lint(name: &str, script: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("build.sh");
    std::fs::write(&path, script).expect("write");
    let sh = Command::new("sh")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("sh");
    assert!(
        sh.status.success(),
        "{name}: sh -n: {}",
        String::from_utf8_lossy(&sh.stderr)
    );
    let shellcheck = Path::new("/usr/bin/shellcheck");
    let sc = Command::new(shellcheck)
        .args(["-s", "sh"])
        .arg(&path)
        .output()
        .expect("shellcheck at /usr/bin/shellcheck");
    assert!(
        sc.status.success() && sc.stdout.is_empty(),
        "{name}: shellcheck:\n{}",
        String::from_utf8_lossy(&sc.stdout)
    );
}

#[test]
fn examples_build_sh() {
    let settings = snapshots::settings();
    for (name, source) in examples() {
        let script = build_sh(&name, &source);
        lint(&name, &script);
        let stem = name.trim_end_matches(".vj");
        settings.bind(|| insta::assert_snapshot!(format!("build_sh-{stem}"), script));
    }
}

/// Files that exercise what the examples do not: a kernel, release sets, a
/// 15.0 target with an uplink, VLAN members and parents, a NIC moved into a
/// jail, a bridge with mtu and host addresses of both families.
const VARIANTS: &[(&str, &str)] = &[
    (
        "variant-release-15.vj",
        "freebsd 15.0
world release
arch arm64
kernel LAB {
  options VIMAGE
  device epair
}
bridge br0 mtu 9000 <
  jail web 10.0.0.1/24 fd00::1/64
  host 10.0.0.254/24 fd00::fe/64 10.0.0.253/24 fd00::fd/64
  uplink em1
  vlan 5 on em2
>
iface em3 < jail db 10.1.0.1/24 >
vlan 7 on em2 < jail web 10.2.0.1/24 >
epair link < jail web 10.3.0.1/30; jail db 10.3.0.2/30 >
",
    ),
    (
        "variant-release.vj",
        "world release
domain example.org
iface em3 < jail solo 10.1.0.1/24 >
jail solo {
  path /srv/solo
  service sshd
}
",
    ),
    (
        "variant-old-kernel.vj",
        "freebsd 11.4
src /usr/src11
jails /jails
bridge bridge3 < jail a 10.0.0.1/24; uplink igb0 >
",
    ),
];

#[test]
fn variants_build_sh() {
    let settings = snapshots::settings();
    for (name, source) in VARIANTS {
        let script = build_sh(name, source);
        lint(name, &script);
        let stem = name.trim_end_matches(".vj");
        settings.bind(|| insta::assert_snapshot!(format!("build_sh-{stem}"), script));
    }
}

// ---------------------------------------------------------------------------
// build.sh run for real against a fake FreeBSD: stub commands first in PATH
// (sysrc over a file, uname, sysctl, make, ifconfig, fetch, sha256, tar), and
// /etc replaced by a temporary directory through a private mount namespace
// (unshare(1)), so that the script runs exactly as written. Skipped where
// unshare cannot make a mount namespace.

/// A small sysrc(8): `-n`, `-x`, `-a` and `NAME=VALUE` over /etc/rc.conf,
/// read after /etc/defaults/rc.conf. Like sysrc, an unknown variable is an
/// error for a query and for `-x`.
const SYSRC: &str = r#"#!/bin/sh
rc=/etc/rc.conf
def=/etc/defaults/rc.conf
touch "$rc"
known() ( . "$def"; . "$rc"; eval "test -n \"\${$1+x}\"" )
value() ( . "$def"; . "$rc"; eval "printf '%s\n' \"\${$1}\"" )
names() { sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$rc" | sort -u; }
mode=show
name=1
while getopts anx f; do
	case $f in
	a) mode=all ;;
	n) name= ;;
	x) mode=delete ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
echo "sysrc $mode $*" >>"$FAKE/log"
if [ $mode = all ]; then
	for n in $(names); do printf '%s: %s\n' "$n" "$(value "$n")"; done
	exit 0
fi
status=0
for arg; do
	case $arg in
	*=*)
		n=${arg%%=*}
		v=${arg#*=}
		old=$(value "$n")
		if grep -q "^$n=" "$rc"; then
			awk -v n="$n" -v v="$v" 'index($0, n "=") == 1 { print n "=\"" v "\""; next } { print }' "$rc" >"$rc.new"
			mv "$rc.new" "$rc"
		else
			printf '%s="%s"\n' "$n" "$v" >>"$rc"
		fi
		echo "$n: $old -> $v"
		echo "set $n=$v" >>"$FAKE/log"
		;;
	*)
		if ! known "$arg"; then
			echo "sysrc: unknown variable '$arg'" >&2
			status=1
			continue
		fi
		if [ $mode = delete ]; then
			grep -v "^$arg=" "$rc" >"$rc.new" || true
			mv "$rc.new" "$rc"
			echo "set -x $arg" >>"$FAKE/log"
		else
			if [ -n "$name" ]; then printf '%s: ' "$arg"; fi
			value "$arg"
		fi
		;;
	esac
done
exit $status
"#;

const STUBS: &[(&str, &str)] = &[
    (
        "uname",
        r#"#!/bin/sh
case $1 in
-r) echo 14.3-RELEASE ;;
-i) cat "$FAKE/ident" 2>/dev/null || echo GENERIC ;;
*) echo FreeBSD ;;
esac
"#,
    ),
    ("sysctl", "#!/bin/sh\necho 2\n"),
    (
        "make",
        r#"#!/bin/sh
echo "make $*" >>"$FAKE/log"
for a; do
	case $a in
	DESTDIR=*) root=${a#DESTDIR=} ;;
	KERNCONF=*) kernconf=${a#KERNCONF=} ;;
	esac
done
for a; do
	case $a in
	installworld)
		mkdir -p "$root/bin" "$root/etc"
		printf '#!/bin/sh\n' >"$root/bin/sh"
		chmod +x "$root/bin/sh"
		;;
	installkernel) echo "$kernconf" >"$FAKE/ident" ;;
	esac
done
"#,
    ),
    (
        "ifconfig",
        r#"#!/bin/sh
echo "ifconfig $*" >>"$FAKE/log"
if [ "$1" = -l ]; then cat "$FAKE/live"; fi
"#,
    ),
    (
        "fetch",
        r#"#!/bin/sh
echo "fetch $*" >>"$FAKE/log"
cp "$FAKE/dist/${3##*/}" "$2"
"#,
    ),
    (
        "sha256",
        r#"#!/bin/sh
sha256sum "$2" | cut -d' ' -f1
"#,
    ),
    (
        "tar",
        r#"#!/bin/sh
echo "tar $*" >>"$FAKE/log"
mkdir -p "$4/bin" "$4/etc"
printf '#!/bin/sh\n' >"$4/bin/sh"
chmod +x "$4/bin/sh"
"#,
    ),
];

/// /etc/defaults/rc.conf: the defaults build.sh reads through sysrc.
const DEFAULTS: &str = "cloned_interfaces=\"\"\njail_enable=\"NO\"\njail_list=\"\"\njail_conf=\"/etc/jail.conf\"\nifconfig_DEFAULT=\"\"\n";

/// The unshare(1) arguments that give a private mount namespace here, if any.
fn unshare_args() -> Option<Vec<&'static str>> {
    [vec!["-m"], vec!["-r", "-m"]].into_iter().find(|args| {
        Command::new("unshare")
            .args(args)
            .args(["sh", "-c", "mount --bind /tmp /mnt"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

struct Fake {
    dir: tempfile::TempDir,
    unshare: Vec<&'static str>,
}

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Fake {
    fn new(unshare: Vec<&'static str>) -> Fake {
        let dir = tempfile::Builder::new()
            .prefix("vjc-fake")
            .tempdir()
            .expect("tempdir");
        let fake = Fake { dir, unshare };
        for d in [
            "bin",
            "etc/defaults",
            "src/sys/conf",
            "src/sys/amd64/conf",
            "jails",
            "out",
            "dist",
            "var-cache",
        ] {
            std::fs::create_dir_all(fake.path(d)).expect("mkdir");
        }
        fake.write("bin/sysrc", SYSRC);
        for (name, text) in STUBS {
            fake.write(&format!("bin/{name}"), text);
        }
        for name in std::fs::read_dir(fake.path("bin")).unwrap() {
            chmod_x(&name.unwrap().path());
        }
        // /usr/bin/awk may be a link through /etc/alternatives, which the
        // fake /etc hides.
        let awk = Command::new("sh")
            .args(["-c", "readlink -f \"$(command -v awk)\""])
            .output()
            .expect("awk");
        let awk = String::from_utf8(awk.stdout).unwrap();
        std::os::unix::fs::symlink(awk.trim(), fake.path("bin/awk")).expect("symlink awk");
        fake.write("etc/defaults/rc.conf", DEFAULTS);
        fake.write("etc/rc.conf", "hostname=\"fake\"\n");
        fake.write(
            "src/sys/conf/newvers.sh",
            "TYPE=\"FreeBSD\"\nREVISION=\"14.3\"\nBRANCH=\"RELEASE\"\n",
        );
        fake.write("live", "em0 lo0\n");
        fake.write("log", "");
        fake
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn root(&self) -> String {
        self.dir.path().to_string_lossy().into_owned()
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).expect("write");
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_default()
    }

    /// Writes every output for `source` into out/, as `vjc compile` does.
    fn compile(&self, source: &str) {
        let out = self.path("out");
        let _ = std::fs::remove_dir_all(&out);
        for file in compile("lab.vj", source) {
            let path = out.join(&file.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &file.contents).unwrap();
        }
    }

    fn run(&self) -> Run {
        let path = format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("unshare")
            .args(&self.unshare)
            .args([
                "sh",
                "-c",
                "mount --bind \"$FAKE/etc\" /etc && mount --bind \"$FAKE/var-cache\" /var/cache && PATH=$FAKEPATH exec sh \"$FAKE/out/build.sh\"",
            ])
            .env("FAKE", self.dir.path())
            .env("FAKEPATH", path)
            .output()
            .expect("unshare");
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// The log since the last call.
    fn take_log(&self) -> String {
        let log = self.read("log");
        self.write("log", "");
        log
    }
}

fn chmod_x(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut perm = std::fs::metadata(path).unwrap().permissions();
    perm.set_mode(0o755);
    std::fs::set_permissions(path, perm).unwrap();
}

fn lab(fake: &Fake, jails: &[&str]) -> String {
    let members: String = jails
        .iter()
        .enumerate()
        .map(|(i, j)| format!("  jail {j} 10.0.0.{}/24\n", i + 1))
        .collect();
    format!(
        "src {root}/src\njails {root}/jails\nbridge lab-net <\n{members}  host 10.0.0.254/24\n>\n",
        root = fake.root()
    )
}

fn rc_var(rc: &str, name: &str) -> Option<String> {
    rc.lines()
        .filter_map(|l| l.strip_prefix(&format!("{name}=")))
        .next_back()
        .map(|v| v.trim_matches('"').to_string())
}

#[test]
fn runs_on_a_fake_freebsd() {
    let Some(unshare) = unshare_args() else {
        eprintln!("skipped: unshare cannot make a mount namespace here");
        return;
    };
    let fake = Fake::new(unshare);
    fake.write(
        "etc/rc.conf",
        "hostname=\"fake\"\nifconfig_em0=\"DHCP\"\ncloned_interfaces=\"lagg0\"\njail_list=\"old\"\n",
    );
    fake.compile(&lab(&fake, &["web", "db"]));

    // First run: worlds, files, rc.conf merged after the host's own words.
    let run = fake.run();
    assert!(run.ok, "first run failed:\n{}\n{}", run.stdout, run.stderr);
    if std::env::var_os("VJC_SHOW_RUN").is_some() {
        eprintln!(
            "{}\n{}\n{}",
            run.stdout,
            run.stderr,
            fake.read("etc/rc.conf")
        );
    }
    let log = fake.take_log();
    assert_eq!(log.matches(" buildworld").count(), 1, "{log}");
    assert_eq!(log.matches(" installworld").count(), 2, "{log}");
    assert_eq!(log.matches(" distribution").count(), 2, "{log}");
    let rc = fake.read("etc/rc.conf");
    assert_eq!(
        rc_var(&rc, "cloned_interfaces").as_deref(),
        Some("lagg0 epair0 epair1 bridge0"),
        "{rc}"
    );
    assert_eq!(
        rc_var(&rc, "jail_list").as_deref(),
        Some("old web db"),
        "{rc}"
    );
    assert_eq!(rc_var(&rc, "ifconfig_em0").as_deref(), Some("DHCP"), "{rc}");
    assert_eq!(
        rc_var(&rc, "ifconfig_bridge0_name").as_deref(),
        Some("lab-net")
    );
    assert_eq!(
        rc_var(&rc, "ifconfig_lab_net").as_deref(),
        Some("inet 10.0.0.254/24 addm epair0a addm epair1a up")
    );
    assert_eq!(rc_var(&rc, "ifconfig_epair1a").as_deref(), Some("up"));
    assert_eq!(rc_var(&rc, "jail_enable").as_deref(), Some("YES"));
    assert!(fake.read("etc/jail.conf").starts_with("# Generated by vjc"));
    assert_eq!(
        fake.read("jails/db/etc/rc.conf"),
        fake.read("out/jails/db/rc.conf")
    );
    assert_eq!(fake.read("etc/jail.conf"), fake.read("out/jail.conf"));
    assert!(
        run.stdout.contains("service jail start web db"),
        "{}",
        run.stdout
    );

    // Second run: nothing more changes.
    let run = fake.run();
    assert!(run.ok, "second run failed:\n{}\n{}", run.stdout, run.stderr);
    let log = fake.take_log();
    assert!(!log.contains("make "), "{log}");
    assert!(
        !log.contains("set "),
        "a second run changed rc.conf:\n{log}"
    );
    assert_eq!(fake.read("etc/rc.conf"), rc);

    // A file with one jail less: vjc's words and variables for it go, the
    // host's stay.
    fake.compile(&lab(&fake, &["web"]));
    let run = fake.run();
    assert!(run.ok, "third run failed:\n{}\n{}", run.stdout, run.stderr);
    let rc = fake.read("etc/rc.conf");
    assert_eq!(
        rc_var(&rc, "cloned_interfaces").as_deref(),
        Some("lagg0 epair0 bridge0"),
        "{rc}"
    );
    assert_eq!(rc_var(&rc, "jail_list").as_deref(), Some("old web"), "{rc}");
    assert_eq!(rc_var(&rc, "ifconfig_epair1a"), None, "{rc}");
    assert_eq!(
        rc_var(&rc, "ifconfig_lab_net").as_deref(),
        Some("inet 10.0.0.254/24 addm epair0a up")
    );
    assert!(!rc_var(&rc, "vjc_variables").unwrap().contains("epair1a"));
}

#[test]
fn refuses_on_a_fake_freebsd_before_changing_anything() {
    let Some(unshare) = unshare_args() else {
        eprintln!("skipped: unshare cannot make a mount namespace here");
        return;
    };
    let cases: &[(&str, &str, &str)] = &[
        (
            "etc/jail.conf",
            "web { }\n",
            "/etc/jail.conf was not written by vjc",
        ),
        (
            "etc/rc.conf",
            "cloned_interfaces=\"bridge0\"\n",
            "cloned_interfaces already lists bridge0",
        ),
        (
            "etc/rc.conf",
            "ifconfig_epair0a=\"inet 10.1.1.1/24\"\n",
            "rc.conf already sets ifconfig_epair0a",
        ),
        (
            "etc/rc.conf",
            "jail_list=\"web\"\n",
            "jail_list already lists web",
        ),
        (
            "live",
            "em0 lo0 epair0a epair0b\n",
            "epair0a already exists",
        ),
        (
            "src/sys/conf/newvers.sh",
            "REVISION=\"14.2\"\n",
            "holds FreeBSD 14.2",
        ),
        (
            "jails/web/keep",
            "data\n",
            "is not empty but holds no world",
        ),
        (
            "etc/jail.web.conf",
            "web { }\n",
            "rc.d/jail would read jail web from it",
        ),
    ];
    for (file, text, message) in cases {
        let fake = Fake::new(unshare.clone());
        std::fs::create_dir_all(fake.path(file).parent().unwrap()).unwrap();
        fake.write(file, text);
        fake.compile(&lab(&fake, &["web"]));
        let rc = fake.read("etc/rc.conf");
        let run = fake.run();
        assert!(!run.ok, "{file}: not refused:\n{}", run.stdout);
        assert!(run.stderr.contains(message), "{file}: {}", run.stderr);
        let log = fake.take_log();
        assert!(
            !log.contains("make ") && !log.contains("set "),
            "{file}: {log}"
        );
        assert_eq!(fake.read("etc/rc.conf"), rc);
        assert!(!fake.path("jails/web/bin").exists());
    }
}

#[test]
fn kernel_and_release_on_a_fake_freebsd() {
    let Some(unshare) = unshare_args() else {
        eprintln!("skipped: unshare cannot make a mount namespace here");
        return;
    };
    let fake = Fake::new(unshare);
    fake.write("dist/base.txz", "not really xz\n");
    let sum = Command::new("sha256sum")
        .arg(fake.path("dist/base.txz"))
        .output()
        .unwrap();
    let sum = String::from_utf8(sum.stdout).unwrap();
    let sum = sum.split(' ').next().unwrap();
    fake.write(
        "dist/MANIFEST",
        &format!(
            "base-dbg.txz\t{}\t1\tbase-dbg\t\"Base debug\"\toff\nbase.txz\t{sum}\t25\tbase\t\"Base system (MANDATORY)\"\ton\n",
            "0".repeat(64)
        ),
    );
    let source = format!(
        "src {root}/src\njails {root}/jails\nworld release\nkernel LAB {{\n  options VIMAGE\n}}\nbridge bridge0 < jail web 10.0.0.1/24; uplink em1 >\n",
        root = fake.root()
    );
    fake.compile(&source);

    let run = fake.run();
    assert!(run.ok, "first run failed:\n{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("Reboot into the new kernel LAB"),
        "{}",
        run.stdout
    );
    let log = fake.take_log();
    assert_eq!(log.matches("fetch ").count(), 2, "{log}");
    assert_eq!(log.matches("tar ").count(), 1, "{log}");
    assert!(log.contains("buildkernel KERNCONF=LAB"), "{log}");
    assert!(log.contains("installkernel KERNCONF=LAB"), "{log}");
    assert!(!log.contains("buildworld"), "{log}");
    let kconf = fake.read("src/sys/amd64/conf/LAB");
    assert!(kconf.starts_with("# Generated by vjc"), "{kconf}");
    assert!(kconf.contains("include GENERIC\nident LAB\noptions VIMAGE\n"));
    assert!(fake.path("var-cache/vjc/amd64-14.3/base.txz").exists());
    let rc = fake.read("etc/rc.conf");
    assert_eq!(rc_var(&rc, "ifconfig_em1").as_deref(), Some("up"), "{rc}");

    // After the reboot (the make stub made uname -i say LAB): nothing more.
    let run = fake.run();
    assert!(run.ok, "second run failed:\n{}\n{}", run.stdout, run.stderr);
    let log = fake.take_log();
    assert!(
        !log.contains("make ") && !log.contains("fetch ") && !log.contains("set "),
        "{log}"
    );
    assert!(
        run.stdout.contains("service netif start epair0 bridge0"),
        "{}",
        run.stdout
    );

    // A corrupt download is refused, and nothing is extracted.
    let fake2 = Fake::new(fake.unshare.clone());
    fake2.write("dist/base.txz", "corrupt\n");
    fake2.write("dist/MANIFEST", &fake.read("dist/MANIFEST"));
    fake2.compile(&source.replace(&fake.root(), &fake2.root()));
    let run = fake2.run();
    assert!(!run.ok);
    assert!(
        run.stderr.contains("does not match its MANIFEST"),
        "{}",
        run.stderr
    );
    assert!(!fake2.take_log().contains("tar "));
}

/// The rc.conf variables of `text` (`name="value"` lines, comments dropped),
/// sorted.
fn assignments(text: &str) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let l = l.split("\t#").next().unwrap();
            let (name, value) = l.split_once('=').expect("an assignment");
            (name.to_string(), value.trim_matches('"').to_string())
        })
        .collect();
    vars.sort();
    vars
}

/// On a host with no settings of its own, build.sh leaves exactly the
/// rc.conf fragment's variables (besides its own vjc_* bookkeeping): the host
/// boots as if the fragment were its rc.conf.
#[test]
fn merged_rc_conf_is_the_fragment() {
    let Some(unshare) = unshare_args() else {
        eprintln!("skipped: unshare cannot make a mount namespace here");
        return;
    };
    for (name, source) in examples() {
        let fake = Fake::new(unshare.clone());
        assert!(!source.contains("\nsrc ") && !source.contains("\njails "));
        fake.compile(&format!(
            "src {root}/src\njails {root}/jails\n{source}",
            root = fake.root()
        ));
        let run = fake.run();
        assert!(run.ok, "{name}:\n{}\n{}", run.stdout, run.stderr);
        let merged: Vec<(String, String)> = assignments(&fake.read("etc/rc.conf"))
            .into_iter()
            .filter(|(n, _)| n != "hostname" && !n.starts_with("vjc_"))
            .collect();
        assert_eq!(merged, assignments(&fake.read("out/rc.conf")), "{name}");
    }
}
