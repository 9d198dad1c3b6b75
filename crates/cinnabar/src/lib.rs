//! # Cinnabar
//!
//! A SQL toolkit and ORM for Rust, shaped after SQLAlchemy: an [`Engine`] made from a URL,
//! declarative models with `#[derive(Model)]`, `create_all`, and a [`Session`] with an
//! identity map, automatic change detection and a dependency-ordered flush.
//!
//! ```no_run
//! use cinnabar::prelude::*;
//!
//! #[derive(Model, Debug, Clone)]
//! #[cinnabar(table = "students")]
//! struct Student {
//!     #[cinnabar(primary_key)]
//!     id: Option<i64>,
//!     name: String,
//!     course: String,
//! }
//!
//! # fn main() -> cinnabar::Result<()> {
//! let engine = create_engine("sqlite:///college.db")?;
//! MetaData::new().with(Student::table().clone()).create_all(&engine)?;
//! let mut session = Session::new(&engine);
//! session.add(Student { id: None, name: "Naresh".into(), course: "Python".into() });
//! session.commit()?;
//! for s in session.query::<Student>().all()? {
//!     let s = s.read();
//!     println!("{} {}", s.name, s.course);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! This crate is the only public surface; the `cinnabar-*` crates behind it are internal.
//!
//! ## Cargo features
//!
//! - `sqlite` (default): the SQLite driver, on rusqlite with the bundled SQLite.
//! - `migrate` (default): [`migrate`], revisions and the `Migrator` (docs/MIGRATIONS.md).
//! - `postgres`, `mysql`: the PostgreSQL and MariaDB/MySQL drivers.
//! - `sqlcipher`: encrypted SQLite files (SQLCipher, linked to the system libcrypto):
//!   [`EngineOptions::sqlite_key`] with a [`SqliteKey`], `?key=` in the URL,
//!   [`Engine::rekey`], [`Engine::cipher_migrate`] (docs/SECURITY.md).
//! - `chrono`, `uuid`, `decimal`, `json`: column types from those crates.
//! - `cli`: [`cli`], the `cinnabar` command as a library.

pub use cinnabar_core::dialect::{self, Dialect};
pub use cinnabar_core::schema::diff::{diff, SchemaOp};
pub use cinnabar_core::schema::{
    self, CheckConstraint, Column, ForeignKey, Index, MetaData, ReferentialAction, Table,
    UniqueConstraint,
};
pub use cinnabar_core::sql::{self, text};
pub use cinnabar_core::types::{self, ColumnType, FromSql, SqlType, ToSql};
pub use cinnabar_core::{Error, ErrorKind, Result, Value, ValueRef};
pub use cinnabar_engine::{
    create_engine, Connection, Engine, EngineOptions, FromRow, Inspector, MetaDataExt, OwnedRow,
    Row, Rows, SqliteKey, Transaction, Url,
};
pub use cinnabar_macros::{FromRow, Model};
pub use cinnabar_orm::{
    delete, joined, selectin, update, BelongsTo, BulkDelete, BulkUpdate, Handle, HasMany, HasOne,
    Model, ObjectState, Query, Relation, RetryPolicy, Session, SessionOptions,
};

/// Migrations: revision files, the revision graph, checksums, autogenerate, the
/// [`Migrator`](migrate::Migrator) and [`EmbeddedMigrations`](migrate::EmbeddedMigrations)
/// (`cinnabar-migrate`). See docs/MIGRATIONS.md.
#[cfg(feature = "migrate")]
pub mod migrate {
    pub use cinnabar_migrate::*;
}

/// Compiles a migrations directory into the binary (see
/// [`migrate::EmbeddedMigrations`]): `static MIGRATIONS: EmbeddedMigrations =
/// cinnabar::embed_migrations!("migrations");`.
#[cfg(feature = "migrate")]
pub use cinnabar_macros::embed_migrations;

#[cfg(feature = "chrono")]
pub use chrono;
#[cfg(feature = "decimal")]
pub use rust_decimal;
#[cfg(feature = "json")]
pub use serde_json;
#[cfg(feature = "uuid")]
pub use uuid;

/// The `cinnabar` command line as a library (feature `cli`): [`cli::run`] is the whole
/// binary (`cinnabar codegen ...`, `cinnabar migrate ...`), [`cli::main`] the same linked
/// with an application's models (its `src/bin/migrate.rs`, for `migrate revision
/// --autogenerate` and `migrate check`), [`cli::codegen`] turns reflected tables into
/// `#[derive(Model)]` structs, [`cli::database_url`] finds the URL as every subcommand does.
#[cfg(feature = "cli")]
pub mod cli {
    pub use cinnabar_cli::codegen;
    pub use cinnabar_cli::{
        database_url, main, run, run_with_models, CommandError, UrlSource, DATABASE_URL,
    };
}

/// Everything a typical program needs: `use cinnabar::prelude::*;`.
pub mod prelude {
    pub use crate::sql::{and_all, count_star, not, or_any, text, Expression, TextExpression};
    pub use crate::{
        create_engine, delete, joined, selectin, update, BelongsTo, Connection, Engine,
        EngineOptions, Error, ErrorKind, FromRow, Handle, HasMany, HasOne, Inspector, MetaData,
        MetaDataExt, Model, ObjectState, Result, RetryPolicy, Row, Session,
    };
}

/// Items the derive macros expand to. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use cinnabar_core::schema::{
        Column as ColumnDef, ForeignKey, Index, ReferentialAction, Table, UniqueConstraint,
    };
    pub use cinnabar_core::sql::Column;
    pub use cinnabar_core::types::{ColumnType, FromSql, SqlType, ToSql};
    pub use cinnabar_core::{Error, Result, ValueRef};
    pub use cinnabar_engine::Connection;
    pub use cinnabar_engine::{get_at, get_column_at, get_named, FromRow, Row};
    pub use cinnabar_orm::{
        back_populate, cascade_children, cascade_save_many, cascade_save_one, delete_associations,
        post_update_pending, pull_parent_key, push_key_to_child, push_key_to_children,
        sync_association, AssociationLog, BelongsTo, Handle, HasMany, Model, Owner, Relation,
        RelationKind, Session, Through,
    };
    pub use std::marker::PhantomData;
    pub use std::sync::OnceLock;
}

/// docs/TUTORIAL.md, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/TUTORIAL.md")]
pub struct TutorialDoctests;

/// README.md's code, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// docs/SECURITY.md's code, compiled as doc tests (`no_run`: it needs a key in the
/// environment; tests/sqlcipher.rs runs the same calls).
#[cfg(doctest)]
#[doc = include_str!("../../../docs/SECURITY.md")]
pub struct SecurityDoctests;

/// docs/CONCURRENCY.md's code, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/CONCURRENCY.md")]
pub struct ConcurrencyDoctests;

/// docs/schema/ddl.md's code, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/schema/ddl.md")]
pub struct DdlDoctests;

/// docs/SCHEMA.md's code, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/SCHEMA.md")]
pub struct SchemaDoctests;

/// docs/schema/reflection.md's code, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/schema/reflection.md")]
pub struct ReflectionDoctests;

/// docs/schema/diff.md's code, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/schema/diff.md")]
pub struct DiffDoctests;

/// docs/migrations/applying.md's code, compiled and run as doc tests.
#[cfg(all(doctest, feature = "migrate"))]
#[doc = include_str!("../../../docs/migrations/applying.md")]
pub struct ApplyingDoctests;

/// docs/migrations/revisions.md's code, compiled and run as doc tests.
#[cfg(all(doctest, feature = "migrate"))]
#[doc = include_str!("../../../docs/migrations/revisions.md")]
pub struct RevisionsDoctests;
