//! The rules of a run's life that need no browser: which earlier run a run's speedup divides
//! ([`baseline`]) and what a speedup sweep runs ([`sweep`]). The page carries them out.
//!
//! DESIGN.md's target is the whole lifecycle here as `Lab::handle(Event) -> Vec<Effect>`; these
//! are the parts already moved, each tested natively.

pub mod baseline;
pub mod sweep;
