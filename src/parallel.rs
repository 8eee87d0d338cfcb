//! Two pieces of work at once. The stages that split their work (reading a
//! large file in pieces, the rule families, the emitters) hand one part to
//! a second thread: the machines vjc runs on in CI have two cores.

use std::panic::resume_unwind;
use std::sync::{Mutex, PoisonError};

/// Runs `a` on this thread and `b` on a second one, and returns both
/// results. When no thread can be made (a limit on processes or on
/// memory), `b` runs here after `a`: the results are the same either way.
/// A panic in `b` is raised again here, as it would have been without the
/// thread.
pub(crate) fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B)
where
    B: Send,
{
    join_on(std::thread::Builder::new(), a, b)
}

/// [`join`], with the second thread made by `builder`.
fn join_on<A, B>(
    builder: std::thread::Builder,
    a: impl FnOnce() -> A,
    b: impl FnOnce() -> B + Send,
) -> (A, B)
where
    B: Send,
{
    // `b` waits in a slot, so that it is still here to run if the thread
    // cannot be made.
    let slot = Mutex::new(Some(b));
    let take = || {
        slot.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .expect("the work is taken once")
    };
    std::thread::scope(|s| {
        let spawned = builder.spawn_scoped(s, || take()());
        let a = a();
        let b = match spawned {
            Ok(thread) => thread.join().unwrap_or_else(|panic| resume_unwind(panic)),
            Err(_) => take()(),
        };
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_results_come_back_in_order() {
        let (a, b) = super::join(|| 1, || "two");
        assert_eq!((a, b), (1, "two"));
    }

    /// A thread that cannot be made (here: its stack cannot be mapped, as
    /// under a memory limit): both parts run on this thread, to the same
    /// results.
    #[test]
    fn without_a_second_thread_both_parts_run_here() {
        let here = std::thread::current().id();
        let impossible = std::thread::Builder::new().stack_size(1 << 60);
        let (a, b) = super::join_on(impossible, || 1, || (std::thread::current().id(), "two"));
        assert_eq!((a, b), (1, (here, "two")));
    }

    #[test]
    #[should_panic(expected = "from the second thread")]
    fn a_panic_on_the_second_thread_is_raised_here() {
        super::join(|| (), || panic!("from the second thread"));
    }
}
