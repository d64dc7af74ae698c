//! The JSON objects newswire prints and serves: every object carries a `"type"`
//! (`hit`, `facet`, `summary`, `article`, `error`, ...), so a JSON Lines stream from
//! the command line and a response of the HTTP API read the same way.

use serde::Serialize;

/// A value with its `"type"` tag.
#[derive(Serialize)]
pub struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    pub kind: &'a str,
    #[serde(flatten)]
    pub inner: &'a T,
}

impl<'a, T: Serialize> Tagged<'a, T> {
    pub fn new(kind: &'a str, inner: &'a T) -> Self {
        Tagged { kind, inner }
    }
}

/// What went wrong, as an object: `{"type":"error","error":"..."}`.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorObject {
    pub error: String,
}
