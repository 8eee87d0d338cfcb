//! Every diagnostic code vjc can report, with its long explanation
//! (`vjc explain CODE`). A code never changes meaning once released.

/// One registered code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    /// A one-line summary.
    pub title: &'static str,
    /// Why FreeBSD behaves so and how to fix it.
    pub explanation: &'static str,
}

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    CODES
        .iter()
        .find(|info| info.code.eq_ignore_ascii_case(code))
}

pub static CODES: &[CodeInfo] = &[];
