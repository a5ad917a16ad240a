//! Which build this module is, and what its pool really runs: read by the worker's entry points
//! and by every tool's report, so it sits apart from both.

use model::run::timeline::Build;

/// The build this module was compiled as.
pub const BUILD: Build = if cfg!(feature = "threads") {
    Build::Atomics
} else {
    Build::Plain
};

/// Threads in the rayon pool that really run (1 when it never started).
pub fn pool_threads() -> u32 {
    #[cfg(feature = "threads")]
    {
        rayon::current_num_threads() as u32
    }
    #[cfg(not(feature = "threads"))]
    {
        1
    }
}
