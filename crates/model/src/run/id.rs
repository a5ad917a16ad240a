//! A run's id, the one number that names a run in the lab, in its workers' messages, in its
//! record and in every export.

use crate::json::{FromJson, Json, ToJson};

/// A run's id: the lab numbers runs from 1 in the order they start, and never reuses one in the
/// page's life. On the wire and in exports it is the bare number (`"id": 3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(pub u32);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ToJson for RunId {
    fn to_json(&self) -> Json {
        self.0.to_json()
    }
}

impl FromJson for RunId {
    fn from_json(value: &Json) -> Result<Self, String> {
        u32::from_json(value).map(RunId)
    }
}
