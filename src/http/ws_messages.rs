//! The messages of `graphql-transport-ws` a client sends, and the close
//! frames the server ends a socket with.

use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {
        #[serde(default)]
        #[allow(dead_code)]
        payload: Option<Value>,
    },
    Subscribe {
        id: String,
        payload: Box<Value>,
    },
    Complete {
        id: String,
    },
}

/// Why the server closes a socket.
pub(super) struct Close(pub(super) u16, pub(super) String);

impl Close {
    pub(super) fn new(code: u16, reason: impl AsRef<str>) -> Self {
        Self(code, truncate(reason.as_ref()))
    }
}

/// Close reasons are at most 123 bytes.
fn truncate(reason: &str) -> String {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}
