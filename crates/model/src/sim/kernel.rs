//! The cpu task's kernel. It lives in its own crate (`kernel`) so that the page's module, built
//! for size, still compiles it for speed; it is re-exported here under its old path.

pub use kernel::*;
