//! The transaction journal: what the open transaction changed in the session's memory, so
//! that a rollback (of the transaction or of a savepoint) can put it back.

mod savepoint;

pub(crate) use savepoint::Snapshot;
