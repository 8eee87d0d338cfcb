//! `vjc sim`, run for real: Linux network namespaces, ip(8) and ping(8).
//!
//! These tests need root and iproute2/iputils-ping (CI runs as root and
//! `.ci/run` installs both). Without them they fail, loudly: a simulation
//! test that skips itself would let CI pass on what it never ran. Set
//! `VJC_SIM_TESTS=0` to skip them on purpose.
//!
//! Each run has its own name prefix, so the tests run in parallel; each
//! checks that nothing of its run is left: no namespace, no link in the
//! root namespace, no state file.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const STATE_DIR: &str = "/run/vjc/sim";
/// The longest one `vjc sim` may take in these tests.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// Whether to run: `false` only under `VJC_SIM_TESTS=0`; panics when the
/// machine cannot run the simulation.
fn enabled() -> bool {
    if std::env::var("VJC_SIM_TESTS").is_ok_and(|v| v == "0") {
        eprintln!("VJC_SIM_TESTS=0: vjc sim tests skipped");
        return false;
    }
    let caps = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
        })
        .unwrap_or(0);
    let root = caps & (1 << 12) != 0 && caps & (1 << 21) != 0;
    let tools = ["ip", "ping"].iter().all(|p| which(p).is_some());
    assert!(
        root && tools,
        "the vjc sim tests need root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and ip/ping \
         (apt-get install iproute2 iputils-ping); root: {root}, ip and ping: {tools}. \
         Set VJC_SIM_TESTS=0 to skip them on purpose."
    );
    true
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The run's prefix, from its first line.
    fn prefix(&self) -> String {
        prefix_of(&self.stdout).unwrap_or_else(|| panic!("no prefix in:\n{}", self.stdout))
    }

    fn show(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn prefix_of(stdout: &str) -> Option<String> {
    let at = stdout.find("(prefix ")? + "(prefix ".len();
    let rest = &stdout[at..];
    Some(rest[..rest.find(')')?].to_string())
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vjc"));
    cmd.args(args).current_dir(ROOT).stdin(Stdio::null());
    cmd
}

/// Runs vjc to its end (at most [`RUN_LIMIT`]), output through files.
fn run(mut cmd: Command) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    cmd.stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap());
    let mut child = cmd.spawn().expect("vjc runs");
    let status = wait(&mut child, RUN_LIMIT);
    Run {
        code: status.code().expect("vjc exits, not killed"),
        stdout: fs::read_to_string(out).unwrap(),
        stderr: fs::read_to_string(err).unwrap(),
    }
}

fn wait(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("vjc took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn sim(file: &str) -> Run {
    run(command(&["sim", file]))
}

fn namespaces() -> Vec<String> {
    let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn owned(prefix: &str, name: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|r| r.starts_with('-') || r.starts_with('.'))
}

/// Nothing of the run is left: no namespace, no link in the root
/// namespace, no state file.
fn assert_clean(prefix: &str) {
    assert!(prefix.starts_with("vj") && prefix.len() == 6, "{prefix}");
    let left: Vec<String> = namespaces()
        .into_iter()
        .filter(|n| owned(prefix, n))
        .collect();
    assert!(left.is_empty(), "namespaces left: {left:?}");
    let links = Command::new("ip").args(["-o", "link"]).output().unwrap();
    let links = String::from_utf8(links.stdout).unwrap();
    let left: Vec<&str> = links
        .lines()
        .filter(|l| l.contains(&format!("{prefix}.")) || l.contains(&format!("{prefix}-")))
        .collect();
    assert!(
        left.is_empty(),
        "links left in the root namespace: {left:?}"
    );
    let state = Path::new(STATE_DIR).join(format!("{prefix}.state"));
    assert!(!state.exists(), "{} left", state.display());
}

/// The lines of the run's verdicts.
fn verdicts(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|l| l.starts_with("ok ") || l.starts_with("FAIL "))
        .collect()
}

#[test]
fn seed_bridge_every_jail_reaches_every_other() {
    if !enabled() {
        return;
    }
    // The example as written, then every ordered pair of its jails.
    let mut source = fs::read_to_string(Path::new(ROOT).join("examples/seed-bridge.vj")).unwrap();
    let jails = ["test1", "test2", "test3"];
    for from in jails {
        for to in jails {
            if from != to {
                source.push_str(&format!("expect {from} reaches {to}\n"));
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seed-bridge.vj");
    fs::write(&file, source).unwrap();

    let r = sim(file.to_str().unwrap());
    assert_eq!(r.code, 0, "{}", r.show());
    assert!(r.stdout.ends_with("\n8 passed, 0 failed\n"), "{}", r.show());
    assert_eq!(verdicts(&r.stdout).len(), 8, "{}", r.show());
    assert!(r.stdout.contains("sim: reaches (reply from 192.168.0.2)"));
    assert_clean(&r.prefix());
}

#[test]
fn seed_bridge_example() {
    if !enabled() {
        return;
    }
    let r = sim("examples/seed-bridge.vj");
    assert_eq!(r.code, 0, "{}", r.show());
    assert!(r.stdout.ends_with("\n2 passed, 0 failed\n"), "{}", r.show());
    assert_clean(&r.prefix());
}

#[test]
fn seed_vlan_jails_on_different_vlans_do_not_reach() {
    if !enabled() {
        return;
    }
    let r = sim("tests/fixtures/sim/seed-vlan-expect.vj");
    assert_eq!(r.code, 0, "{}", r.show());
    assert!(r.stdout.ends_with("\n3 passed, 0 failed\n"), "{}", r.show());
    // Both families were tried.
    assert!(
        r.stdout
            .contains("sim: does not reach (no reply from 192.168.0.2, 2406:b800:beef::2)"),
        "{}",
        r.show()
    );
    assert_clean(&r.prefix());
}

#[test]
fn seed_vlan_example_without_expectations() {
    if !enabled() {
        return;
    }
    let r = sim("examples/seed-vlan.vj");
    assert_eq!(r.code, 0, "{}", r.show());
    assert!(r.stdout.ends_with("\n0 passed, 0 failed\n"), "{}", r.show());
    assert_clean(&r.prefix());
}

#[test]
fn a_shared_vlan_through_a_bridge_with_mtu_reaches() {
    if !enabled() {
        return;
    }
    let r = sim("tests/fixtures/sim/seed-vlan-shared.vj");
    assert_eq!(r.code, 0, "{}", r.show());
    assert!(r.stdout.ends_with("\n3 passed, 0 failed\n"), "{}", r.show());
    // The checker cannot prove it: the path goes through the switch.
    assert!(
        r.stdout.contains(
            "static: unprovable  sim: reaches (reply from 192.168.0.2, 2406:b800:beef::2)"
        ),
        "{}",
        r.show()
    );
    assert_clean(&r.prefix());
}

#[test]
fn router_lab_reaches_through_the_forwarding_jail() {
    if !enabled() {
        return;
    }
    let r = sim("examples/router-lab.vj");
    assert_eq!(r.code, 0, "{}", r.show());
    assert!(r.stdout.ends_with("\n2 passed, 0 failed\n"), "{}", r.show());
    assert!(
        r.stdout
            .contains("sim: reaches (reply from 10.0.2.10, fd00:b::10)"),
        "{}",
        r.show()
    );
    assert!(
        r.stdout
            .contains("sim: reaches (reply from 10.0.1.10, fd00:a::10)"),
        "{}",
        r.show()
    );
    for line in verdicts(&r.stdout) {
        assert!(line.contains("static: holds"), "{line}");
    }
    assert_clean(&r.prefix());
}

#[test]
fn router_lab_without_forwarding_fails() {
    if !enabled() {
        return;
    }
    let r = sim("tests/fixtures/sim/router-lab-no-forwarding.vj");
    assert_eq!(r.code, 1, "{}", r.show());
    assert!(r.stdout.ends_with("\n0 passed, 2 failed\n"), "{}", r.show());
    for line in verdicts(&r.stdout) {
        assert!(line.starts_with("FAIL"), "{line}");
        assert!(line.contains("static: refuted"), "{line}");
        assert!(line.contains("sim: does not reach"), "{line}");
    }
    // The checker's E0801 is printed, and does not stop the simulation.
    assert!(r.stderr.contains("error[E0801]"), "{}", r.show());
    assert_clean(&r.prefix());
}

/// The same fixture fails `vjc check` (no root needed).
#[test]
fn router_lab_without_forwarding_fails_the_check_too() {
    let r = run(command(&[
        "check",
        "tests/fixtures/sim/router-lab-no-forwarding.vj",
    ]));
    assert_eq!(r.code, 1, "{}", r.show());
    assert_eq!(r.stderr.matches("error[E0801]").count(), 2, "{}", r.show());
}

/// Starts `vjc sim FILE` and returns it with its prefix (from its first
/// line, printed before anything is built).
fn start(file: &str) -> (Child, String, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let err = dir.path().join("err");
    let mut child = command(&["sim", file])
        .stdout(Stdio::piped())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let prefix = prefix_of(&first).unwrap_or_else(|| panic!("no prefix in {first:?}"));
    (child, prefix, err, dir)
}

fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "waited {limit:?} for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn terminate(pid: u32) {
    let ok = Command::new("sh")
        .args(["-c", r#"kill -TERM "$1""#, "sh", &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn sigterm_while_building_removes_everything() {
    if !enabled() {
        return;
    }
    let (mut child, prefix, err, _dir) = start("tests/fixtures/sim/seed-vlan-expect.vj");
    wait_for("the first namespace", Duration::from_secs(10), || {
        namespaces().iter().any(|n| owned(&prefix, n))
    });
    terminate(child.id());
    let status = wait(&mut child, Duration::from_secs(20));
    let stderr = fs::read_to_string(err).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert_clean(&prefix);
}

#[test]
fn sigterm_while_pinging_removes_everything() {
    if !enabled() {
        return;
    }
    // Its pings get no reply: each takes over a second.
    let (mut child, prefix, err, _dir) = start("tests/fixtures/sim/seed-vlan-expect.vj");
    wait_for("every namespace", Duration::from_secs(10), || {
        namespaces().iter().filter(|n| owned(&prefix, n)).count() == 5
    });
    std::thread::sleep(Duration::from_millis(600));
    terminate(child.id());
    let status = wait(&mut child, Duration::from_secs(20));
    let stderr = fs::read_to_string(err).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert_clean(&prefix);
}

#[test]
fn a_failing_command_midway_removes_everything() {
    if !enabled() {
        return;
    }
    // An `ip` that fails on the second veth pair, after namespaces,
    // bridges and a first pair exist.
    let real = which("ip").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let count = dir.path().join("count");
    let fake = dir.path().join("ip");
    fs::write(
        &fake,
        format!(
            "#!/bin/sh\n\
             case \" $* \" in *\" type veth \"*)\n\
             n=$(cat '{count}' 2>/dev/null || echo 0); n=$((n + 1)); echo $n > '{count}'\n\
             if [ $n -ge 2 ]; then echo 'injected failure' >&2; exit 1; fi;;\n\
             esac\n\
             exec '{real}' \"$@\"\n",
            count = count.display(),
            real = real.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let path = std::env::join_paths(
        std::iter::once(dir.path().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();

    let mut cmd = command(&["sim", "examples/router-lab.vj"]);
    cmd.env("PATH", path);
    let r = run(cmd);
    assert_eq!(r.code, 2, "{}", r.show());
    assert!(r.stderr.contains("injected failure"), "{}", r.show());
    assert!(fs::read_to_string(&count).unwrap().trim() == "2");
    assert_clean(&r.prefix());
}

#[test]
fn keep_then_down() {
    if !enabled() {
        return;
    }
    let r = run(command(&["sim", "--keep", "examples/router-lab.vj"]));
    assert_eq!(r.code, 0, "{}", r.show());
    let prefix = r.prefix();
    let up: Vec<String> = namespaces()
        .into_iter()
        .filter(|n| owned(&prefix, n))
        .collect();
    let kept = || {
        for jail in ["r1", "a1", "b1"] {
            let ns = format!("{prefix}-{jail}");
            assert!(up.contains(&ns), "{ns} not up: {up:?}");
            assert!(
                r.stdout.contains(&format!("ip netns exec {ns} sh")),
                "{}",
                r.show()
            );
        }
        assert!(up.contains(&format!("{prefix}.host")));
        assert!(r.stdout.contains("vjc sim --down examples/router-lab.vj"));
        assert!(r.stdout.ends_with("\n2 passed, 0 failed\n"), "{}", r.show());
    };
    // Remove it whatever the assertions say.
    let checked = std::panic::catch_unwind(kept);
    let down = run(command(&["sim", "--down", "examples/router-lab.vj"]));
    if let Err(e) = checked {
        std::panic::resume_unwind(e);
    }
    assert_eq!(down.code, 0, "{}", down.show());
    assert!(
        down.stdout
            .contains(&format!("run {prefix} of examples/router-lab.vj: removed")),
        "{}",
        down.show()
    );
    assert_clean(&prefix);
}

#[test]
fn down_with_nothing_up() {
    if !enabled() {
        return;
    }
    // A file no other test simulates.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quiet.vj");
    fs::write(&file, "bridge bridge0 < jail a 10.0.0.1/24 >\n").unwrap();
    let r = run(command(&["sim", "--down", file.to_str().unwrap()]));
    assert_eq!(r.code, 0, "{}", r.show());
    assert!(r.stdout.starts_with("nothing to remove"), "{}", r.show());
}

#[test]
fn files_with_other_errors_are_not_simulated() {
    if !enabled() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.vj");
    fs::write(
        &file,
        "bridge bridge0 < jail a 10.0.0.1/24 >\nexpect a reaches zz\n",
    )
    .unwrap();
    let r = sim(file.to_str().unwrap());
    assert_eq!(r.code, 1, "{}", r.show());
    assert!(r.stderr.contains("E0203"), "{}", r.show());
    assert!(
        r.stderr.contains("cannot simulate broken.vj"),
        "{}",
        r.show()
    );
    assert!(r.stdout.is_empty(), "{}", r.show());
}

#[test]
fn without_ip_exit_2() {
    if !enabled() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = command(&["sim", "examples/seed-bridge.vj"]);
    cmd.env("PATH", dir.path());
    let r = run(cmd);
    assert_eq!(r.code, 2, "{}", r.show());
    assert!(
        r.stderr.contains("apt-get install iproute2 iputils-ping"),
        "{}",
        r.show()
    );
    assert!(r.stdout.is_empty(), "{}", r.show());
}

#[test]
fn without_root_exit_2() {
    if !enabled() {
        return;
    }
    // setpriv (util-linux) takes the two capabilities out of the bounding
    // set: vjc stays uid 0 (it can read the files) but cannot get them.
    let Some(setpriv) = which("setpriv") else {
        eprintln!("no setpriv (util-linux): not tested without the capabilities");
        return;
    };
    let mut cmd = Command::new(setpriv);
    cmd.args([
        "--bounding-set=-net_admin,-sys_admin",
        "--inh-caps=-net_admin,-sys_admin",
    ])
    .arg(env!("CARGO_BIN_EXE_vjc"))
    .args(["sim", "examples/seed-bridge.vj"])
    .current_dir(ROOT)
    .stdin(Stdio::null());
    let r = run(cmd);
    assert_eq!(r.code, 2, "{}", r.show());
    assert!(r.stderr.contains("vjc sim needs root"), "{}", r.show());
}
