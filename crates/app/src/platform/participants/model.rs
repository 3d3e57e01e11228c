//! The participants area's records.

use uuid::Uuid;

use crate::platform::permissions::ObjectRef;

/// How a participant without an account got in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PassKind {
    /// A personal link (a long random token), one per invitee; answers carry no identity.
    Link,
    /// A short workshop code for everyone in the room.
    Code,
}

impl PassKind {
    pub fn key(self) -> &'static str {
        match self {
            PassKind::Link => "link",
            PassKind::Code => "code",
        }
    }
}

/// A valid pass: which kind, to which object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pass {
    pub id: Uuid,
    pub kind: PassKind,
    pub object: ObjectRef,
    /// The unit and role a personal link was sent to, where the module keeps them.
    pub unit: Option<Uuid>,
    pub role: Option<String>,
}
