//! CPython's rules, as the engines run them: the GIL and its hand-over rule ([`gil`]), the cpu
//! task's kernel ([`kernel`]) and how long a run should take ([`estimate`]).

pub mod estimate;
pub mod gil;
pub mod kernel;
