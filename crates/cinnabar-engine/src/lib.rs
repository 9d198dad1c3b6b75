//! Cinnabar's engine layer: database URLs, the driver interface and its SQLite
//! implementation, the connection pool, [`Engine`], [`Connection`], transactions and rows.
//!
//! Depends only on `cinnabar-core`; the ORM builds on it.

#![warn(clippy::unwrap_used)]

mod connection;
mod ddl;
pub mod driver;
mod engine;
mod key;
#[cfg(feature = "mysql")]
pub mod mysql;
mod observe;
pub mod pool;
#[cfg(feature = "postgres")]
pub mod postgres;
mod reflection;
mod replicas;
mod row;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod transaction;
mod url;

pub use connection::Connection;
pub use ddl::MetaDataExt;
pub use engine::{create_engine, Engine, EngineOptions};
pub use key::SqliteKey;
pub use pool::{PoolOptions, PoolStatus};
pub use reflection::{reflect_tables, Inspector};
pub use replicas::{ReplicaOptions, ReplicaState, ReplicaStatus, WritePosition};
pub use row::{get_at, get_column_at, get_named, ColumnIndex, FromRow, OwnedRow, Row, Rows};
pub use transaction::Transaction;
pub use url::{Backend, Url};
