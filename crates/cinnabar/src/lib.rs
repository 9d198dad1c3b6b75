//! # Cinnabar
//!
//! ```toml
//! [dependencies]
//! cinnabar-sql = "0.1"   # the package is cinnabar-sql; its library is `cinnabar`
//! ```
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
//! What it exports, by module:
//!
//! - the crate root: the engine ([`create_engine`], [`Engine`], [`Connection`], rows), the
//!   ORM ([`Model`], [`Session`], [`Query`], [`Handle`], relationships, loaders, bulk
//!   statements), schema values ([`MetaData`], [`Table`], [`Column`], ...), [`diff`], values,
//!   types and the one [`Error`];
//! - [`sql`]: the expression language (statements, expressions, typed columns, raw
//!   SQL ([`text()`]), DDL statements) and the SQL lexer;
//! - [`schema`], [`types`]: schema objects and the SQL type system with its conversion traits;
//! - [`dialect`]: the three dialects, [`compile`](dialect::compile) and what a dialect
//!   declares (capabilities, reflection catalogs, migration locks);
//! - [`driver`]: the interface a database client library implements
//!   ([`Engine::from_driver`]);
//! - [`migrate`] (feature `migrate`) and [`cli`] (feature `cli`);
//! - [`prelude`]: everything a typical program needs.
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

#![warn(clippy::unwrap_used)]

pub use cinnabar_core::dialect::Dialect;
pub use cinnabar_core::schema::diff::{diff, SchemaOp};
pub use cinnabar_core::schema::{
    CheckConstraint, CheckRule, Column, ForeignKey, Index, MetaData, ReferentialAction, RuleValue,
    Table, UniqueConstraint,
};
pub use cinnabar_core::sql::text;
pub use cinnabar_core::types::{ColumnType, FromSql, SqlType, ToSql};
pub use cinnabar_core::{Error, ErrorKind, FieldError, Result, ValidationErrors, Value, ValueRef};
#[cfg(feature = "sqlite")]
pub use cinnabar_engine::sqlite::SqliteOptions;
pub use cinnabar_engine::{
    create_engine, Backend, ColumnIndex, Connection, Engine, EngineOptions, FromRow, Inspector,
    MetaDataExt, OwnedRow, PoolOptions, PoolStatus, Row, Rows, SqliteKey, Transaction, Url,
};
// Read replicas (issue 16): docs/scaling/replicas.md.
pub use cinnabar_engine::{ReplicaOptions, ReplicaState, ReplicaStatus, WritePosition};
pub use cinnabar_macros::{FromRow, Model};
pub use cinnabar_orm::{
    delete, joined, selectin, update, BelongsTo, BulkDelete, BulkStatement, BulkUpdate, Handle,
    HasMany, HasOne, Joined, Loader, Model, ObjectState, Page, Query, QueryIter, ReadGuard,
    Relation, RelationKind, Retried, RetryPolicy, SelectQuery, Selectin, Session, SessionOptions,
    Through, WriteGuard, DEFAULT_CHUNK_SIZE,
};

// The prelude comes first among the modules: rustc names an item in its messages by the
// first public path it finds, so a user's type error says `cinnabar::prelude::Expression::eq`
// (as tests/ui/type_column_type_mismatch.stderr records), not `cinnabar::sql::...`.
/// Everything a typical program needs: `use cinnabar::prelude::*;`.
pub mod prelude {
    pub use crate::func::{avg, count, count_distinct, count_star, max, min, sum};
    pub use crate::func::{case, case_on, coalesce, exists, not_exists, tuple};
    pub use crate::func::{dense_rank, rank, row_number};
    pub use crate::sql::{and_all, not, or_any, text, Expression, Selectable, TextExpression};
    pub use crate::sql::{DateTimeExpression, ExpressionExt};
    pub use crate::sql::{Window, WindowFn};
    pub use crate::{
        create_engine, delete, joined, selectin, update, BelongsTo, Connection, Engine,
        EngineOptions, Error, ErrorKind, FieldError, FromRow, Handle, HasMany, HasOne, Inspector,
        MetaData, MetaDataExt, Model, ObjectState, Result, RetryPolicy, Row, Session,
        ValidationErrors,
    };
}

pub mod sql {
    //! The expression language: statements ([`Select`], [`Insert`], [`Update`], [`Delete`], raw
    //! [`Text`], DDL as [`Ddl`]), the untyped [`Expr`] tree, typed columns and conditions, and the
    //! SQL lexer (see docs/schema/lexer.md).

    pub use cinnabar_core::sql::{
        and_all, count_star, first_keyword, leading_keywords, not, or_any, pieces,
        split_statements, text, tokens, AggregateArg, AlterAction, AlterTable, BinOp, Bindable,
        Column, ColumnChange, ColumnRef, Condition, CreateIndex, CreateTable, Ddl, Delete,
        DropIndex, DropTable, Expr, Expression, Function, Insert, Join, JoinKind, Keywords,
        Labeled, LexRules, Lexer, Nullable, NumericKind, OnConflict, OrderBy, Pieces, ReadAs,
        RowLock, Select, SelectExpr, SelectItem, SelectKind, SelectList, Selectable, SingleColumn,
        Statement, Statements, TableRef, Text, TextExpression, TextPiece, Token, TokenKind,
        TypedExpr, Update, ValueSource,
    };
    pub use cinnabar_core::sql::{
        Argument, Arguments, Case, DatePart, DateTimeExpression, ExpressionExt, Operands,
        SimpleCase, Temporal, Tuple, TupleExprs, TupleOperand,
    };
    // Statements of issue 14: CTEs, set operations, windows (sql/cte.rs, compound.rs,
    // window.rs).
    pub use cinnabar_core::sql::{
        current_row, following, preceding, unbounded_following, unbounded_preceding, Compound, Cte,
        Frame, FrameBound, FrameUnits, RankFunction, SetOp, Window, WindowFn,
    };
}

pub mod func {
    //! SQL functions and operators, SQLAlchemy's `func` and friends (see docs/QUERIES.md):
    //! [`call`] for any SQL function by name, [`cast`], [`coalesce`], [`nullif`], CASE
    //! ([`case()`], [`case_on`]), subqueries ([`scalar`], [`exists`], [`not_exists`]; IN is
    //! `.in_select(..)`), row values ([`tuple()`]), the portable date/time functions
    //! ([`current_date`], [`current_timestamp`], [`extract`], [`add_days`]; also the
    //! [`DateTimeExpression`](crate::sql::DateTimeExpression) methods `.year()` ...) and
    //! window functions ([`row_number`], [`rank`], [`dense_rank`], used with
    //! [`WindowFn::over`](crate::sql::WindowFn::over); an aggregate takes
    //! [`TypedExpr::over`](crate::sql::TypedExpr::over)).
    //!
    //! The aggregates ([`avg`], [`sum`], [`min`], [`max`], [`count`], [`count_distinct`],
    //! [`count_star`]) are read back as the Rust type SQL gives them (`count` → `i64`, `avg`
    //! → `Option<f64>`, `sum`/`min`/`max` of a `T` column → `Option<T>`).

    pub use cinnabar_core::sql::{
        add_days, call, case, case_on, cast, check_function_name, coalesce, current_date,
        current_timestamp, exists, extract, not_exists, nullif, scalar, tuple, DatePart,
    };
    // Aggregates (sql/aggregate.rs).
    pub use cinnabar_core::sql::{avg, count, count_distinct, count_star, max, min, sum};
    // Window functions (sql/window.rs), used with [`WindowFn::over`](crate::sql::WindowFn::over);
    // an aggregate takes [`TypedExpr::over`](crate::sql::TypedExpr::over).
    pub use cinnabar_core::sql::{dense_rank, rank, row_number};
}

pub mod schema {
    //! Schema objects: [`Table`] and what it holds, [`MetaData`] (a set of tables) and the schema
    //! [`diff`].

    pub use cinnabar_core::schema::diff::{diff, SchemaOp};
    pub use cinnabar_core::schema::{
        CheckConstraint, CheckRule, Column, ForeignKey, Index, MetaData, ReferentialAction,
        RuleValue, Table, UniqueConstraint,
    };
}

pub mod types {
    //! SQL types ([`SqlType`]), the conversions between Rust values and SQL values ([`ToSql`],
    //! [`FromSql`], [`ColumnType`]), the marker types of typed columns ([`kind`]) and the key
    //! tuples of models ([`KeyValues`]).

    pub use cinnabar_core::types::{kind, ColumnType, FromSql, KeyValues, SqlType, ToSql};
}

pub mod dialect {
    //! Dialects: how each database spells SQL. [`compile`] and [`compile_ddl`] render a
    //! statement for a [`Dialect`]; the rest is what a dialect declares: capabilities
    //! ([`BeginMode`], [`GeneratedKeys`], [`IdentifierLimit`]), rebuilds of tables its ALTER TABLE
    //! cannot change ([`TableRebuild`]), migration locks ([`MigrationLock`]) and its
    //! reflection [`catalog`].

    pub use cinnabar_core::dialect::ReplicaPositions;
    pub use cinnabar_core::dialect::{
        compile, compile_ddl, BeginMode, CastSpelling, Compiled, ConstraintKind, Dialect, DmlKind,
        GaleraDialect, GeneratedKeys, IdentifierLimit, MigrationLock, MySqlDialect, NamedLock,
        PostgresDialect, ServerVersion, SqliteDialect, TableRebuild, TransactionLock,
    };

    pub mod catalog {
        //! Reflection catalogs: the queries a dialect uses to read a live schema and the rules it
        //! compares schemas by ([`Catalog`], returned by
        //! [`Dialect::catalog`](super::Dialect::catalog)).

        pub use cinnabar_core::dialect::catalog::{Catalog, CatalogQuery, CatalogRows, ObjectKind};
    }
}

pub mod driver {
    //! The driver interface: what a database client library implements to serve an
    //! [`Engine`](crate::Engine) ([`Engine::from_driver`](crate::Engine::from_driver)). A driver
    //! does I/O only; SQL text comes from a [`Dialect`](crate::Dialect).

    pub use cinnabar_engine::driver::{Driver, DriverConnection, RowSink};
}

#[cfg(feature = "migrate")]
pub mod migrate {
    //! Migrations: revision files, the revision graph, checksums, autogenerate, the
    //! [`Migrator`] and [`EmbeddedMigrations`]
    //! (`cinnabar-migrate`). See docs/MIGRATIONS.md.

    pub use cinnabar_migrate::{
        autogenerate, autogenerate_for, checksum, describe_progress, generate_down, replay,
        sql_for_upgrade, AppliedRevision, AutogenerateOptions, Autogenerated, ChecksumStatus,
        Direction, EmbeddedMigrations, HistoryEntry, MigrationDir, Migrator, Progress,
        ProgressEvent, ProgressKind, Revision, RustStep, SqlStep, StderrProgress, Step, HEAD_FILE,
        VERSION_TABLE,
    };

    pub mod rebuild {
        //! SQLite table rebuilds (the 12-step procedure), for changes SQLite's ALTER TABLE cannot
        //! make: [`plan`] or [`plan_ops`], then [`run`].

        pub use cinnabar_migrate::rebuild::{
            apply_ops, needs_rebuild, plan, plan_ops, run, server_version, with_foreign_keys_off,
            RebuildPlan, RebuildReport, Renames, TableChange,
        };
    }
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

/// The async facade (feature `async`; SQLAlchemy's `sqlalchemy.ext.asyncio`): an
/// [`AsyncEngine`](asyncio::AsyncEngine) runs whole units of work, `run(|session| ..)`, on a
/// bounded lane of tokio's blocking threads, so a `Session` is never held across an
/// `.await`. See docs/WEB.md.
#[cfg(feature = "async")]
pub mod asyncio {
    pub use cinnabar_async::{AsyncEngine, AsyncSession};
}

/// The axum 0.8 integration (feature `axum`): [`HttpError`](web::HttpError) (Cinnabar
/// errors as responses: 404, 409, 422, 503 + Retry-After, 500), the [`Db`](web::Db)
/// extractor, and a request-scoped [`UnitOfWork`](web::UnitOfWork) committed by
/// [`UnitOfWorkLayer`](web::UnitOfWorkLayer) before the response leaves. See docs/WEB.md.
#[cfg(feature = "axum")]
pub mod web {
    pub use cinnabar_axum::{
        expose_error_details, status_of, Db, HttpError, HttpResult, UnitOfWork, UnitOfWorkLayer,
        UnitOfWorkService,
    };
}

#[cfg(feature = "cli")]
pub mod cli {
    //! The `cinnabar` command line as a library (feature `cli`): [`run`] is the whole
    //! binary (`cinnabar codegen ...`, `cinnabar migrate ...`), [`main`] the same linked
    //! with an application's models (its `src/bin/migrate.rs`, for `migrate revision
    //! --autogenerate` and `migrate check`), [`codegen`] turns reflected tables into
    //! `#[derive(Model)]` structs, [`database_url`] finds the URL as every subcommand does.

    pub use cinnabar_cli::{
        database_url, main, run, run_with_models, CommandError, UrlSource, DATABASE_URL,
    };

    pub mod codegen {
        //! Models generated from reflected tables: [`generate`] writes one `#[derive(Model)]`
        //! struct per table, relationships included.

        pub use cinnabar_cli::codegen::{
            generate, CodegenOptions, Generated, GeneratedModel, TypeOverride, Warning,
        };
    }
}

/// Items the derive macros expand to, and nothing else (each is named by the expansion in
/// `cinnabar-macros`). Not public API.
#[doc(hidden)]
pub mod __private {
    pub use cinnabar_core::schema::{
        CheckRule, Column as ColumnDef, ForeignKey, ReferentialAction, RuleValue, Table,
    };
    pub use cinnabar_core::sql::Column;
    pub use cinnabar_core::types::{ColumnType, FromSql, SqlType, ToSql};
    pub use cinnabar_core::ValidationErrors;
    pub use cinnabar_core::{Error, Result, ValueRef};
    pub use cinnabar_engine::{get_at, get_column_at, get_named, FromRow, Row};
    /// What a loaded object costs, part by part (the `object_size` test pins it).
    pub use cinnabar_orm::{object_sizes, ObjectSizes};
    pub use cinnabar_orm::{
        BelongsTo, HasMany, Model, Relation, RelationDef, RelationKind, Through,
    };
    pub use cinnabar_orm::{Bound, FieldRules, Rule};
    pub use std::marker::PhantomData;
    pub use std::sync::OnceLock;
    /// The regular expressions of `validate(pattern = ..)`.
    pub type Regex = cinnabar_orm::__regex::Regex;
}

/// docs/TUTORIAL.md, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/TUTORIAL.md")]
pub struct TutorialDoctests;

/// README.md's code, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// docs/queries/select.md's code, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/queries/select.md")]
pub struct SelectDoctests;

/// docs/CONCURRENCY.md's code, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/CONCURRENCY.md")]
pub struct ConcurrencyDoctests;

/// docs/VALIDATION.md's code, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/VALIDATION.md")]
pub struct ValidationDoctests;

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

/// docs/SECURITY.md's code, compiled and run as doc tests (the server examples and the
/// SQLCipher example, which needs a key in the environment, compiled only; tests/sqlcipher.rs
/// runs the same calls).
#[cfg(all(doctest, feature = "migrate"))]
#[doc = include_str!("../../../docs/SECURITY.md")]
pub struct SecurityDoctests;

/// docs/migrations/applying.md's code, compiled and run as doc tests.
#[cfg(all(doctest, feature = "migrate"))]
#[doc = include_str!("../../../docs/migrations/applying.md")]
pub struct ApplyingDoctests;

/// docs/migrations/revisions.md's code, compiled and run as doc tests.
#[cfg(all(doctest, feature = "migrate"))]
#[doc = include_str!("../../../docs/migrations/revisions.md")]
pub struct RevisionsDoctests;
