//! vjc's stand-in for `pest_stack_guard` 1.0.1, the crate pest asks how
//! much native stack is left before every rule, sequence, repetition and
//! look-ahead it enters (`CallLimitTracker::enter` in pest's
//! `parser_state.rs`), so that a deeply nested input to a recursive grammar
//! ends in an error instead of a stack overflow. Upstream answers with
//! `stacker::remaining_stack()`: a thread-local read and a call to read the
//! stack pointer, about a fifth of the whole parse of a large lab
//! (BENCHMARKS.md).
//!
//! vjc's grammar (`grammar/vj.pest`) has no recursive rule, so the depth of
//! pest's calls is bounded by the grammar, whatever the input; the probe
//! could never fire. This stand-in answers "unknown", which pest treats as
//! "no stack limit" (the same answer upstream gives on targets it cannot
//! probe). `tests/grammar.rs` fails the build's tests if a rule ever
//! becomes recursive: then this patch must go.
//!
//! The patch applies to every crate of the build that uses pest, so
//! pest_meta's parser of `.pest` files (whose grammar is recursive) runs
//! without the probe too; it only ever reads `grammar/vj.pest`, at build
//! time and in that test.

/// Returns the remaining native stack space in bytes, if known: never
/// known here (see the crate documentation).
#[inline(always)]
pub fn remaining_stack() -> Option<usize> {
    None
}
