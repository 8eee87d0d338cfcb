//! Memory stays proportional to the input: the heap a compile needs at its
//! peak, measured by a counting allocator, for inputs of n and 4n
//! statements. (One test in this file: the allocator counts the whole
//! process.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak heap above what was in use before, for compiling and rendering
/// `source`.
fn peak(source: &str) -> usize {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let (checked, outputs) = vjc::compile("m.vj", source);
    let _ = vjc::render::human("m.vj", source, &checked.diagnostics);
    drop((checked, outputs));
    PEAK.load(Ordering::Relaxed) - base
}

/// Inputs of every shape, each of `n` repetitions: the densest in tokens
/// and in what the compile keeps per token (comments are kept as trivia,
/// jails get outputs, errors get rendered).
fn inputs(n: usize) -> Vec<(&'static str, String)> {
    vec![
        ("comments", "#\n".repeat(n)),
        ("blank lines", "\n".repeat(n)),
        (
            "jails with outputs",
            (0..n / 8)
                .map(|k| {
                    format!(
                        "epair p{k} < jail a{k} 10.{}.{}.1/30; jail b{k} 10.{}.{}.2/30 >\n",
                        (k >> 6) & 255,
                        (k & 63) * 4,
                        (k >> 6) & 255,
                        (k & 63) * 4
                    )
                })
                .collect(),
        ),
        (
            "an error per line",
            (0..n / 4)
                .map(|k| format!("jail j{} {{\n}}\n", k % 7))
                .collect(),
        ),
    ]
}

#[test]
fn memory_grows_linearly_with_the_input() {
    let n = 20_000;
    for ((what, small), (_, large)) in inputs(n).into_iter().zip(inputs(4 * n)) {
        let p1 = peak(&small);
        let p4 = peak(&large);
        eprintln!(
            "{what}: {} bytes → peak {p1}; {} bytes → peak {p4}",
            small.len(),
            large.len()
        );
        // Linear: four times the input, at most about four times the heap
        // (the slack is for vectors that double).
        assert!(p4 <= 6 * p1.max(1 << 16), "{what}: {p1} then {p4}");
        // And a bounded factor of the input: at worst (a file of empty
        // comments, each kept as trivia) about 160 bytes per input byte.
        assert!(
            p4 <= 1000 * large.len(),
            "{what}: {p4} for {} bytes",
            large.len()
        );
    }
}
