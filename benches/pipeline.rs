//! criterion benchmarks of each library stage on generated labs of 1,000,
//! 10,000 and 100,000 jails (`examples/gen.rs`):
//!
//! ```text
//! cargo bench --bench pipeline                 # everything, a few minutes
//! cargo bench --bench pipeline -- 'parse/'     # one stage
//! ```
//!
//! - `parse`: text → `ast::File`;
//! - `resolve+check`: `ast::File` → `Model` and every rule's diagnostics
//!   (what `vjc check` does after parsing);
//! - `emit/<output>`: each emitter over the model: `jail.conf`, the host's
//!   `rc.conf`, every jail's `rc.conf` (all of them), `build.sh`; and
//!   `emit/all`, the whole output tree as `vjc compile` builds it.
//!
//! Each stage's input is built once, outside the timing, and its output is
//! dropped outside it too (`iter_with_large_drop`): the `vjc` binary does
//! not free the model or the outputs before it exits. The large sizes
//! take few samples (flat sampling, 10 samples) so that the whole run stays
//! short on a 2-core machine; the figures in BENCHMARKS.md come from it.

#[path = "../examples/gen.rs"]
#[allow(dead_code)]
mod topology;

use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};
use std::hint::black_box;
use std::time::Duration;
use vjc::emit::{build_sh, jail_conf, jail_rc_conf, rc_conf};
use vjc::model::Model;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// Few, flat samples for the large sizes; criterion's defaults would run a
/// 100,000-jail stage hundreds of times.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    group.throughput(Throughput::Elements(n as u64));
    if n >= 100_000 {
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
    } else if n >= 10_000 {
        group
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(1));
    } else {
        group
            .sample_size(20)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
    }
}

fn model(source: &str) -> Model {
    let file = vjc::parse::parse(source).expect("generated labs parse");
    vjc::resolve::resolve("lab.vj", &file)
        .model
        .expect("generated labs resolve")
}

/// `write` into a fresh `String`, as `emit::all` does.
fn render(f: impl Fn(&mut String) -> std::fmt::Result) -> String {
    let mut s = String::new();
    f(&mut s).expect("writing to a String cannot fail");
    s
}

fn stages(c: &mut Criterion) {
    for n in SIZES {
        let source = topology::topology(n);
        let file = vjc::parse::parse(&source).expect("generated labs parse");
        let model = model(&source);
        let host = &model.hosts[0];
        // The generator's promise: no error and no warning.
        assert!(
            vjc::check("lab.vj", &source).diagnostics.is_empty(),
            "the generated lab of {n} jails is not clean"
        );

        let mut group = c.benchmark_group("parse");
        configure(&mut group, n);
        group.bench_function(n.to_string(), |b| {
            b.iter_with_large_drop(|| vjc::parse::parse(black_box(&source)).ok())
        });
        group.finish();

        let mut group = c.benchmark_group("resolve+check");
        configure(&mut group, n);
        group.bench_function(n.to_string(), |b| {
            b.iter_with_large_drop(|| {
                let resolved = vjc::resolve::resolve("lab.vj", black_box(&file));
                let model = resolved.model.expect("generated labs resolve");
                let diagnostics = vjc::check::check(&file, &model);
                (model, diagnostics)
            })
        });
        group.finish();

        let mut group = c.benchmark_group("emit");
        configure(&mut group, n);
        group.bench_function(format!("jail.conf/{n}"), |b| {
            b.iter_with_large_drop(|| render(|s| jail_conf::write(&model, black_box(host), s)))
        });
        group.bench_function(format!("rc.conf/{n}"), |b| {
            b.iter_with_large_drop(|| render(|s| rc_conf::write(&model, black_box(host), s)))
        });
        group.bench_function(format!("jails-rc.conf/{n}"), |b| {
            b.iter_with_large_drop(|| {
                host.jails
                    .iter()
                    .map(|j| render(|s| jail_rc_conf::write(&model, black_box(host), j, s)))
                    .collect::<Vec<_>>()
            })
        });
        group.bench_function(format!("build.sh/{n}"), |b| {
            b.iter_with_large_drop(|| render(|s| build_sh::write(&model, black_box(host), s)))
        });
        group.bench_function(format!("all/{n}"), |b| {
            b.iter_with_large_drop(|| vjc::emit::all(black_box(&model)))
        });
        group.finish();
    }
}

criterion::criterion_group!(benches, stages);
criterion::criterion_main!(benches);
