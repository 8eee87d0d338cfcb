//! `vjc sim FILE [--keep]` and `vjc sim --down FILE`: runs the plan of
//! `vjc::sim` with ip(8) (iproute2) and ping(8) (iputils), measures every
//! `expect` line and removes what it built.
//!
//! Safety: every command runs in a namespace the run created (`ip -n NS`,
//! `ip netns exec NS`); nothing touches the root namespace's interfaces,
//! routes or sysctls. Every child process has a deadline, every ping a
//! count and a wait. The namespaces go on success, on error and on SIGINT,
//! SIGTERM or SIGHUP (a handler sets a flag; the run kills its children,
//! removes its namespaces and exits 2). Only SIGKILL leaves them: then
//! `vjc sim --down FILE` removes them.
//!
//! A run is recorded in a state file, `/run/vjc/sim/<prefix>.state` (the
//! prefix is reserved by creating that file), holding the canonical path
//! of the `.vj` file, the pid and whether the run was kept. Every namespace
//! whose name starts with `<prefix>-` or `<prefix>.` is the run's.
//! `--down FILE` removes every kept or dead run of FILE (by its state
//! file), then the state file. The state directory is on a tmpfs, like
//! `/run/netns`: both go at reboot.

use super::{EXIT_INPUT, EXIT_USAGE, ReportArgs, Stderr};
use std::collections::hash_map::RandomState;
use std::fs;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use vjc::model::Host;
use vjc::reach::{Reach, Verdict};
use vjc::render::Format;
use vjc::sim::{self, Cmd, OnFailure, Plan, Prefix};

/// Where runs are recorded (see the module comment).
const STATE_DIR: &str = "/run/vjc/sim";
/// The longest an `ip` command may take.
const IP_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest a ping may take: it stops by itself after
/// `PING_COUNT * PING_INTERVAL + PING_WAIT` seconds, about 1.4 s.
const PING_TIMEOUT: Duration = Duration::from_secs(5);
/// How many pings run at once.
const PARALLEL_PINGS: usize = 32;
/// How often a wait looks at its children and at the signal flag.
const POLL: Duration = Duration::from_millis(5);

/// Set by the SIGINT/SIGTERM/SIGHUP handler.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// `vjc sim`; returns the exit status.
pub fn run(stderr: &mut Stderr, file: &Path, keep: bool, down: bool, report: &ReportArgs) -> u8 {
    if down {
        if let Err(message) = preflight() {
            stderr.error(message);
            return EXIT_USAGE;
        }
        return take_down(stderr, file);
    }
    let Some((name, host)) = checked_host(stderr, file, report) else {
        return EXIT_INPUT;
    };
    if let Err(message) = preflight() {
        stderr.error(message);
        return EXIT_USAGE;
    }
    if let Err(e) = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst)) {
        stderr.error(format_args!(
            "cannot catch SIGINT/SIGTERM ({e}): vjc sim will not build what it could not remove"
        ));
        return EXIT_USAGE;
    }
    let source = canonical(file);
    let (prefix, state) = match reserve(&source) {
        Ok(reserved) => reserved,
        Err(e) => {
            stderr.error(format_args!("cannot record the run in {STATE_DIR}: {e}"));
            return EXIT_USAGE;
        }
    };
    let plan = match sim::plan(&host, &prefix) {
        Ok(plan) => plan,
        Err(e) => {
            let _ = fs::remove_file(&state);
            stderr.error(format_args!("cannot simulate {name}: {e}"));
            return EXIT_USAGE;
        }
    };
    let run = Run {
        name: &name,
        file,
        prefix: &prefix,
        state: &state,
        keep,
    };
    let code = simulate(stderr, &run, &host, &plan);
    let _ = io::stdout().flush();
    code
}

/// Reads and checks FILE; prints its diagnostics. `None` (exit 1) when it
/// has errors other than refuted expectations (E08xx), which the
/// simulation is there to measure.
fn checked_host(stderr: &mut Stderr, file: &Path, report: &ReportArgs) -> Option<(String, Host)> {
    let format = Format::from(report.message_format);
    let (name, source) = super::load(stderr, file, format).ok()?;
    let checked = vjc::check(name, &source);
    super::emit(
        stderr,
        format,
        &file.display().to_string(),
        &source,
        &checked.diagnostics,
        true,
    );
    let blocking = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && !is_refuted_expectation(d.code))
        .count();
    let warnings = checked.diagnostics.iter().filter(|d| !d.is_error()).count();
    if blocking > 0 {
        stderr.error(format_args!(
            "cannot simulate {name}: {blocking} error{} other than refuted expectations (E08xx)",
            if blocking == 1 { "" } else { "s" }
        ));
        return None;
    }
    if report.deny_warnings && warnings > 0 {
        stderr.error(format_args!(
            "cannot simulate {name}: {warnings} warning{} (denied by --deny-warnings)",
            if warnings == 1 { "" } else { "s" }
        ));
        return None;
    }
    let host = checked.model?.hosts.into_iter().next()?;
    Some((name.to_string(), host))
}

/// Codes of `expect` lines the checker refutes: the simulation runs on
/// them (src/check/expect.rs).
fn is_refuted_expectation(code: &str) -> bool {
    code.starts_with("E08")
}

/// What `vjc sim` needs from the machine.
fn preflight() -> Result<(), String> {
    if std::env::consts::OS != "linux" {
        return Err(
            "vjc sim needs Linux network namespaces; run it on a Linux machine (a laptop, a CI \
             runner)"
                .to_string(),
        );
    }
    // CAP_NET_ADMIN (12) to build links, CAP_SYS_ADMIN (21) for the
    // namespaces' bind mounts (include/uapi/linux/capability.h).
    let caps = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|hex| u64::from_str_radix(hex.trim(), 16).ok())
        })
        .unwrap_or(0);
    if caps & (1 << 12) == 0 || caps & (1 << 21) == 0 {
        return Err(
            "vjc sim needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network \
             namespaces; run it as root, e.g. with sudo"
                .to_string(),
        );
    }
    let missing: Vec<&str> = [("ip", "iproute2"), ("ping", "iputils-ping"), ("sh", "sh")]
        .iter()
        .filter(|(program, _)| find_in_path(program).is_none())
        .map(|(program, _)| *program)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "vjc sim needs `ip` (iproute2), `ping` (iputils-ping) and `sh`; not found in PATH: {}; \
             on Debian or Ubuntu: apt-get install iproute2 iputils-ping",
            missing.join(", ")
        ));
    }
    Ok(())
}

fn find_in_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

fn canonical(file: &Path) -> String {
    let path = fs::canonicalize(file)
        .or_else(|_| std::path::absolute(file))
        .unwrap_or_else(|_| file.to_path_buf());
    // One line of the state file, whatever the path holds.
    path.to_string_lossy().escape_default().to_string()
}

/// Picks a prefix no namespace and no other run has, and records the run
/// under it (created with O_EXCL, so two runs never get the same one).
fn reserve(source: &str) -> io::Result<(Prefix, PathBuf)> {
    fs::create_dir_all(STATE_DIR)?;
    let taken = namespaces().unwrap_or_default();
    let seed = RandomState::new();
    for attempt in 0u32..64 {
        let mut h = seed.build_hasher();
        h.write_u32(std::process::id());
        h.write_u32(attempt);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        let text = format!("vj{:04x}", h.finish() & 0xffff);
        let Some(prefix) = Prefix::new(&text) else {
            continue;
        };
        if taken.iter().any(|ns| prefix.owns(ns)) {
            continue;
        }
        let path = Path::new(STATE_DIR).join(format!("{text}.state"));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(state_text(source, false).as_bytes())?;
                return Ok((prefix, path));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free prefix after 64 tries"))
}

fn state_text(source: &str, keep: bool) -> String {
    format!(
        "# vjc sim: a run's network namespaces; `vjc sim --down FILE` removes them\n\
         file {source}\npid {}\nkeep {}\n",
        std::process::id(),
        if keep { "yes" } else { "no" }
    )
}

/// The names `ip netns list` prints.
fn namespaces() -> Result<Vec<String>, String> {
    let out = run_cmd(&argv(&["ip", "netns", "list"]), IP_TIMEOUT, false).map_err(|e| e.0)?;
    if !out.status.success() {
        return Err(out.stderr);
    }
    // `name` or `name (id: N)`.
    Ok(out
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect())
}

fn argv(args: &[&str]) -> Cmd {
    Cmd {
        argv: args.iter().map(|s| s.to_string()).collect(),
        on_failure: OnFailure::Abort,
    }
}

struct Output {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Starts a command in its own process group: a Ctrl-C at the terminal
/// reaches vjc only, which then ends its children itself and still cleans
/// up. `capture` pipes stdout and stderr; otherwise they go nowhere.
fn spawn(cmd: &Cmd, capture: bool) -> io::Result<Child> {
    let (program, args) = cmd
        .argv
        .split_first()
        .ok_or_else(|| io::Error::other("empty command"))?;
    let out = || {
        if capture {
            Stdio::piped()
        } else {
            Stdio::null()
        }
    };
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(out())
        .stderr(out())
        .process_group(0)
        .spawn()
}

/// Why a run stops before its end: a signal, or a message to print.
#[derive(Debug)]
struct Stop(String);

impl Stop {
    fn interrupted() -> Stop {
        Stop(String::new())
    }

    fn is_interrupt(&self) -> bool {
        self.0.is_empty()
    }
}

/// Reads a child's pipe to its end on a thread of its own, so that a full
/// pipe never blocks the child while we wait for it.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

/// Runs one command to its end, at most `timeout`; `interruptible` stops
/// it when a signal came (not during teardown).
fn run_cmd(cmd: &Cmd, timeout: Duration, interruptible: bool) -> Result<Output, Stop> {
    let mut child = spawn(cmd, true).map_err(|e| Stop(format!("cannot run `{cmd}`: {e}")))?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => {
                end(&mut child);
                return Err(Stop(format!("cannot wait for `{cmd}`: {e}")));
            }
        }
        if interruptible && interrupted() {
            end(&mut child);
            return Err(Stop::interrupted());
        }
        if Instant::now() >= deadline {
            end(&mut child);
            return Err(Stop(format!(
                "`{cmd}` took longer than {}s",
                timeout.as_secs()
            )));
        }
        std::thread::sleep(POLL);
    };
    // The child has exited: its pipes close unless it left a grandchild
    // holding them, which `ip` and `sh -c` here do not.
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default().trim().to_string(),
    })
}

fn end(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// One run of `vjc sim FILE`.
struct Run<'a> {
    /// The file's base name.
    name: &'a str,
    file: &'a Path,
    prefix: &'a Prefix,
    /// Its state file.
    state: &'a Path,
    keep: bool,
}

/// Builds, measures, reports, and removes (unless `keep`).
fn simulate(stderr: &mut Stderr, run: &Run, host: &Host, plan: &Plan) -> u8 {
    let Run {
        name,
        file,
        prefix,
        state,
        keep,
    } = *run;
    let mut stdout = io::stdout().lock();
    let links = plan.links.len();
    let _ = writeln!(
        stdout,
        "vjc sim: {name} in {} namespaces (prefix {}): {} bridge{}, {links} veth pair{}",
        plan.namespaces.len(),
        plan.prefix,
        plan.bridges.len(),
        if plan.bridges.len() == 1 { "" } else { "s" },
        if links == 1 { "" } else { "s" },
    );
    let _ = stdout.flush();
    drop(stdout);

    let outcome = build(stderr, plan).and_then(|()| measure(plan));
    let code = match outcome {
        Ok(replies) => {
            let failed = report(host, plan, &replies);
            if keep {
                match fs::write(state, state_text(&canonical(file), true)) {
                    Ok(()) => {
                        print_keep(plan, file);
                        print_total(plan.expectations.len() - failed, failed);
                        return if failed == 0 { 0 } else { 1 };
                    }
                    Err(e) => stderr.error(format_args!(
                        "cannot record the kept run in {}: {e}; removing it",
                        state.display()
                    )),
                }
            }
            print_total(plan.expectations.len() - failed, failed);
            if failed == 0 { 0 } else { 1 }
        }
        Err(stop) if stop.is_interrupt() => {
            stderr.error("interrupted: removing the run's namespaces");
            EXIT_USAGE
        }
        Err(Stop(message)) => {
            stderr.error(message);
            stderr.note("removing the run's namespaces");
            EXIT_USAGE
        }
    };
    match teardown(prefix, Some(plan)) {
        Ok(()) => {
            let _ = fs::remove_file(state);
            code
        }
        Err(left) => {
            stderr.error(format_args!(
                "could not remove the namespaces {}; remove them with `ip netns del NAME` or \
                 `vjc sim --down {}`",
                left.join(", "),
                file.display()
            ));
            EXIT_USAGE
        }
    }
}

/// Runs the plan's setup commands in order.
fn build(stderr: &mut Stderr, plan: &Plan) -> Result<(), Stop> {
    for cmd in plan.setup() {
        if interrupted() {
            return Err(Stop::interrupted());
        }
        let out = run_cmd(&cmd, IP_TIMEOUT, true)?;
        if out.status.success() {
            continue;
        }
        match cmd.on_failure {
            OnFailure::Abort => {
                return Err(Stop(format!("`{cmd}` failed: {}", nonempty(&out.stderr))));
            }
            OnFailure::Warn => stderr.warning(format_args!(
                "`{cmd}` failed: {}; the jail's rc.d/routing could not add this route either",
                nonempty(&out.stderr)
            )),
        }
    }
    Ok(())
}

fn nonempty(s: &str) -> &str {
    if s.is_empty() { "no message" } else { s }
}

/// Pings every target of every expectation, up to [`PARALLEL_PINGS`] at
/// once; `replies[e][t]` says whether target `t` of expectation `e` replied.
fn measure(plan: &Plan) -> Result<Vec<Vec<bool>>, Stop> {
    let mut replies: Vec<Vec<bool>> = plan
        .expectations
        .iter()
        .map(|p| vec![false; p.targets.len()])
        .collect();
    let mut queue: Vec<(usize, usize, IpAddr)> = plan
        .expectations
        .iter()
        .enumerate()
        .flat_map(|(e, p)| p.targets.iter().enumerate().map(move |(t, a)| (e, t, *a)))
        .collect();
    queue.reverse();
    let mut running: Vec<(usize, usize, Child, Instant)> = Vec::new();
    let result = loop {
        if interrupted() {
            break Err(Stop::interrupted());
        }
        while running.len() < PARALLEL_PINGS {
            let Some((e, t, addr)) = queue.pop() else {
                break;
            };
            let cmd = plan.ping(plan.expectations[e].from, addr);
            match spawn(&cmd, false) {
                Ok(child) => running.push((e, t, child, Instant::now() + PING_TIMEOUT)),
                Err(err) => {
                    for (_, _, child, _) in &mut running {
                        end(child);
                    }
                    return Err(Stop(format!("cannot run `{cmd}`: {err}")));
                }
            }
        }
        if running.is_empty() {
            break Ok(());
        }
        let mut i = 0;
        while i < running.len() {
            let (e, t, child, deadline) = &mut running[i];
            let done = match child.try_wait() {
                // Exit status 0: at least one reply came.
                Ok(Some(status)) => Some(status.success()),
                Ok(None) if Instant::now() >= *deadline => {
                    end(child);
                    Some(false)
                }
                Ok(None) => None,
                Err(_) => {
                    end(child);
                    Some(false)
                }
            };
            match done {
                Some(replied) => {
                    replies[*e][*t] = replied;
                    running.swap_remove(i);
                }
                None => i += 1,
            }
        }
        std::thread::sleep(POLL);
    };
    for (_, _, child, _) in &mut running {
        end(child);
    }
    result.map(|()| replies)
}

/// One line per expectation; returns how many failed.
fn report(host: &Host, plan: &Plan, replies: &[Vec<bool>]) -> usize {
    let reach = Reach::new(host);
    let rows: Vec<(bool, String, &str, String)> = plan
        .expectations
        .iter()
        .zip(replies)
        .map(|(probe, replied)| {
            let held = probe.holds(replied);
            let expect = format!("expect {}", probe.text);
            let verdict = static_verdict(&reach, host, probe.index);
            (held, expect, verdict, measured(probe, replied))
        })
        .collect();
    let w_expect = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let w_static = rows.iter().map(|r| r.2.len()).max().unwrap_or(0);
    let mut stdout = io::stdout().lock();
    for (held, expect, verdict, measured) in &rows {
        let mark = if *held { "ok  " } else { "FAIL" };
        let _ = writeln!(
            stdout,
            "{mark}  {expect:<w_expect$}  static: {verdict:<w_static$}  sim: {measured}"
        );
    }
    rows.iter().filter(|r| !r.0).count()
}

/// The checker's verdict on expectation `index` (`vjc::reach`, as
/// `vjc check` decides it).
fn static_verdict(reach: &Reach, host: &Host, index: usize) -> &'static str {
    let Some(e) = host.expectations.get(index) else {
        return "?";
    };
    match reach.decide(e).verdict {
        Verdict::Holds { .. } => "holds",
        Verdict::Refuted { .. } => "refuted",
        Verdict::Unprovable { .. } => "unprovable",
    }
}

/// `reaches (reply from …)`, `does not reach (no reply from …)`, `partly (…)`.
fn measured(probe: &sim::Probe, replied: &[bool]) -> String {
    if probe.targets.is_empty() {
        return "nothing to ping (the target has no address in a family the jail has)".to_string();
    }
    let list = |want: bool| {
        probe
            .targets
            .iter()
            .zip(replied)
            .filter(|(_, r)| **r == want)
            .map(|(a, _)| a.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (yes, no) = (list(true), list(false));
    match (yes.is_empty(), no.is_empty()) {
        (false, true) => format!("reaches (reply from {yes})"),
        (true, _) => format!("does not reach (no reply from {no})"),
        (false, false) => format!("partly (reply from {yes}; no reply from {no})"),
    }
}

fn print_total(passed: usize, failed: usize) {
    let _ = writeln!(io::stdout(), "{passed} passed, {failed} failed");
}

/// How to enter each namespace and how to remove them.
fn print_keep(plan: &Plan, file: &Path) {
    let mut out = io::stdout().lock();
    let _ = writeln!(
        out,
        "kept: the namespaces stay up until `vjc sim --down {}`",
        file.display()
    );
    let w_label = plan
        .namespaces
        .iter()
        .map(|n| n.label.len())
        .max()
        .unwrap_or(0);
    let w_cmd = plan
        .namespaces
        .iter()
        .map(|n| n.name.len())
        .max()
        .unwrap_or(0)
        + "ip netns exec  sh".len();
    for (i, ns) in plan.namespaces.iter().enumerate() {
        let mut names: Vec<String> = plan
            .bridges
            .iter()
            .filter(|b| b.ns == i)
            .map(|b| {
                let what = b.what.strip_prefix("bridge ").unwrap_or(&b.what);
                let what = what.strip_prefix("switch ").unwrap_or(what);
                format!("{what} = {}", b.name)
            })
            .collect();
        names.extend(
            plan.interfaces_in(i)
                .into_iter()
                .map(|(freebsd, linux)| format!("{freebsd} = {linux}")),
        );
        let enter = format!("ip netns exec {} sh", ns.name);
        let _ = writeln!(
            out,
            "  {:<w_label$}  {enter:<w_cmd$}  {}",
            ns.label,
            names.join(", ")
        );
    }
    let dels: Vec<String> = plan
        .namespaces
        .iter()
        .rev()
        .map(|ns| format!("ip netns del {}", ns.name))
        .collect();
    let _ = writeln!(out, "  without vjc: {}", dels.join("; "));
}

/// Deletes every namespace of the run (the plan's, and any other with its
/// prefix), then checks that none is left; `Err` lists those left.
fn teardown(prefix: &Prefix, plan: Option<&Plan>) -> Result<(), Vec<String>> {
    let mut order: Vec<String> = plan
        .map(|p| p.namespaces.iter().rev().map(|n| n.name.clone()).collect())
        .unwrap_or_default();
    let listed = namespaces();
    if let Ok(listed) = &listed {
        order.retain(|n| listed.contains(n));
        for n in listed {
            if prefix.owns(n) && !order.contains(n) {
                order.push(n.clone());
            }
        }
    }
    delete(&order);
    match namespaces() {
        Ok(left) => {
            let left: Vec<String> = left.into_iter().filter(|n| prefix.owns(n)).collect();
            if left.is_empty() {
                Ok(())
            } else {
                // Once more, in case a deletion raced with something.
                delete(&left);
                let still: Vec<String> = namespaces()
                    .unwrap_or_else(|_| left.clone())
                    .into_iter()
                    .filter(|n| prefix.owns(n))
                    .collect();
                if still.is_empty() { Ok(()) } else { Err(still) }
            }
        }
        Err(_) => Err(order),
    }
}

fn delete(names: &[String]) {
    for name in names {
        let _ = run_cmd(&argv(&["ip", "netns", "del", name]), IP_TIMEOUT, false);
    }
}

/// `vjc sim --down FILE`.
fn take_down(stderr: &mut Stderr, file: &Path) -> u8 {
    let source = canonical(file);
    let entries = match fs::read_dir(STATE_DIR) {
        Ok(entries) => entries.filter_map(Result::ok).collect::<Vec<_>>(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            stderr.error(format_args!("cannot read {STATE_DIR}: {e}"));
            return EXIT_USAGE;
        }
    };
    let mut runs: Vec<(String, PathBuf, State)> = Vec::new();
    for entry in entries {
        let path = entry.path();
        let Some(prefix) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".state"))
        else {
            continue;
        };
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let state = State::parse(&text);
        if state.file == source {
            runs.push((prefix.to_string(), path, state));
        }
    }
    runs.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = io::stdout().lock();
    let mut removed = 0;
    let mut running = 0;
    let mut code = 0;
    for (prefix, path, state) in runs {
        if !state.keep && state.pid.is_some_and(alive) {
            let _ = writeln!(
                out,
                "run {prefix} of {} is running (pid {}); it removes its namespaces when it ends",
                file.display(),
                state.pid.unwrap_or_default()
            );
            running += 1;
            continue;
        }
        let Some(p) = Prefix::new(&prefix) else {
            continue;
        };
        let mut owned: Vec<String> = namespaces()
            .unwrap_or_default()
            .into_iter()
            .filter(|n| p.owns(n))
            .collect();
        owned.sort();
        match teardown(&p, None) {
            Ok(()) => {
                let _ = fs::remove_file(&path);
                removed += 1;
                let what = if owned.is_empty() {
                    "no namespace was left".to_string()
                } else {
                    format!("removed {}", owned.join(", "))
                };
                let _ = writeln!(out, "run {prefix} of {}: {what}", file.display());
            }
            Err(left) => {
                stderr.error(format_args!(
                    "could not remove {} (run {prefix})",
                    left.join(", ")
                ));
                code = EXIT_USAGE;
            }
        }
    }
    if removed + running == 0 && code == 0 {
        let _ = writeln!(out, "nothing to remove: no kept run of {}", file.display());
    }
    code
}

struct State {
    file: String,
    pid: Option<u32>,
    keep: bool,
}

impl State {
    fn parse(text: &str) -> State {
        let mut state = State {
            file: String::new(),
            pid: None,
            keep: false,
        };
        for line in text.lines() {
            if let Some(f) = line.strip_prefix("file ") {
                state.file = f.to_string();
            } else if let Some(p) = line.strip_prefix("pid ") {
                state.pid = p.trim().parse().ok();
            } else if let Some(k) = line.strip_prefix("keep ") {
                state.keep = k.trim() == "yes";
            }
        }
        state
    }
}

/// A vjc process with this pid is running.
fn alive(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "vjc")
}
