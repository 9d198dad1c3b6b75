//! The PostgreSQL driver, on the synchronous `postgres` crate (no TLS compiled in).
//!
//! URL: `postgresql://user:password@host:5432/dbname?sslmode=disable&search_path=app`.
//! Query parameters understood: `sslmode` (`disable`, `allow`, `prefer`; TLS is not compiled
//! in, so `require` and stricter are refused), `application_name`, `options` (passed to the
//! server at startup, e.g. `-c search_path=app`), `search_path` (comma-separated schemas set
//! with `SET search_path` on every new connection), `connect_timeout` (seconds, default 10)
//! and `host` (a host name, or a directory holding the server's Unix socket), and `pgbouncer`:
//! `transaction` when the URL names a PgBouncer (or another proxy) in transaction-pooling mode,
//! so that no session state is relied on across transactions (see `pooled.rs` and
//! docs/scaling/pgbouncer.md); `session` (or `off`) for a session-pooling proxy, the same as a
//! direct connection; `statement` is refused (it forbids multi-statement transactions).
//!
//! Statements are prepared once per connection and kept in a bounded cache. Parameters are
//! encoded from [`ValueRef`](cinnabar_core::ValueRef) according to the type the *server
//! inferred* for each `$n`, so an `Int` bound to an `int2` column is range-checked here and a
//! `Text` bound to a `uuid` or `numeric` parameter is parsed here, with errors naming the
//! parameter. Where the SQL does not tell the server a parameter's type (`CONCAT($1, 'x')`,
//! `$1 IS NULL`: error 42P18), the statement is prepared again with that parameter declared as the
//! bound value's type (text, bigint, double precision, ...; see `prepare.rs`); the connection
//! remembers which parameters of that SQL need it, and caches the statement under its SQL *and*
//! those types, so the same SQL bound with another kind of value gets a statement of its own.
//! Inside a transaction the first prepare of a statement runs in a savepoint, so finding the
//! types does not abort the transaction. Declaring only those parameters, not all, keeps the
//! server's inference (a text value into a `uuid`, `date` or enum column, an integer into an
//! `int2` column) everywhere it works; where it guesses (`$1 + 1` is INTEGER), a cast in the
//! SQL (`$1::bigint`) decides. Result columns are decoded by their PostgreSQL type; text and
//! bytes are borrowed from the row.
//!
//! PostgreSQL reports generated keys through `RETURNING`, so
//! [`DriverConnection::last_insert_id`] is always `None`.

use rustc_hash::FxHashMap;
use std::fmt;
use std::time::Duration;

use cinnabar_core::dialect::{Dialect, PostgresDialect};
use cinnabar_core::sql::LexRules;
use cinnabar_core::{Error, ErrorKind, Result};
use postgres::config::SslMode;
use postgres::NoTls;

use crate::driver::{Driver, DriverConnection};
use crate::url::Url;

mod bind;
mod client;
mod connection;
mod datetime;
mod error;
mod numeric;
mod one_wait;
mod pooled;
mod prepare;
mod row;
mod tx_state;
mod uuid;

use connection::PostgresConnection;
use error::describe;
use tx_state::TxState;

static DIALECT: PostgresDialect = PostgresDialect;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;
/// How long `ping` waits for the server.
const PING_TIMEOUT: Duration = Duration::from_secs(5);
/// Default connection timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens PostgreSQL connections for one URL.
pub struct PostgresDriver {
    config: postgres::Config,
    /// `host:port/db` for messages (never the password).
    target: String,
    user: Option<String>,
    search_path: Option<Vec<String>>,
    /// `?pgbouncer=transaction`: behind a transaction-pooling proxy.
    transaction_pooled: bool,
}

impl fmt::Debug for PostgresDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresDriver")
            .field("target", &self.target)
            .field("user", &self.user)
            .field("search_path", &self.search_path)
            .field("transaction_pooled", &self.transaction_pooled)
            .finish()
    }
}

fn url_error(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Url, msg)
}

impl PostgresDriver {
    /// A driver for `url`. No connection is opened yet.
    ///
    /// # Errors
    /// [`ErrorKind::Url`] for an unknown or malformed query parameter;
    /// [`ErrorKind::Unsupported`] for `sslmode=require` (TLS is not compiled in).
    pub fn from_url(url: &Url) -> Result<Self> {
        let mut config = postgres::Config::new();
        let mut host = url.host().map(str::to_owned);
        let mut search_path = None;
        let mut timeout = CONNECT_TIMEOUT;
        let mut transaction_pooled = false;
        config.ssl_mode(SslMode::Disable);
        for (key, value) in url.query_params() {
            match key.as_str() {
                "sslmode" => match value.as_str() {
                    "disable" | "allow" | "prefer" => {}
                    "require" | "verify-ca" | "verify-full" => {
                        return Err(Error::unsupported(format!(
                            "sslmode={value} for PostgreSQL at {}: TLS is not compiled in (use sslmode=disable or prefer)",
                            describe_target(url, host.as_deref())
                        )))
                    }
                    other => {
                        return Err(url_error(format!(
                            "invalid sslmode {other:?} in database URL (expected disable, allow, prefer, require, verify-ca or verify-full)"
                        )))
                    }
                },
                "application_name" => {
                    config.application_name(value);
                }
                "options" => {
                    config.options(value);
                }
                "search_path" => {
                    let schemas: Vec<String> = value
                        .split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect();
                    if schemas.is_empty() {
                        return Err(url_error("empty search_path in database URL"));
                    }
                    search_path = Some(schemas);
                }
                "connect_timeout" => {
                    let secs: f64 = value
                        .parse()
                        .ok()
                        .filter(|s: &f64| s.is_finite() && *s >= 0.0)
                        .ok_or_else(|| {
                            url_error(format!("invalid connect_timeout {value:?} in database URL"))
                        })?;
                    timeout = Duration::from_secs_f64(secs);
                }
                "host" => host = Some(value.clone()),
                "pgbouncer" => {
                    transaction_pooled = match value.as_str() {
                        "transaction" => true,
                        "session" | "off" => false,
                        "statement" => {
                            return Err(Error::unsupported(
                                "pgbouncer=statement in database URL: statement pooling forbids \
                                 transactions of more than one statement, which sessions, flushes \
                                 and migrations need; use pool_mode = transaction and \
                                 pgbouncer=transaction",
                            ))
                        }
                        other => {
                            return Err(url_error(format!(
                                "invalid pgbouncer {other:?} in database URL (expected transaction, session or off)"
                            )))
                        }
                    };
                }
                other => {
                    return Err(url_error(format!(
                        "unknown PostgreSQL URL parameter {other:?} (understood: sslmode, application_name, options, search_path, connect_timeout, host, pgbouncer)"
                    )))
                }
            }
        }
        if !timeout.is_zero() {
            config.connect_timeout(timeout);
        }
        let host_name = host.clone().unwrap_or_else(|| "localhost".to_owned());
        config.host(&host_name);
        config.port(url.port().unwrap_or(5432));
        if let Some(u) = url.username() {
            config.user(u);
        }
        if let Some(p) = url.password() {
            config.password(p);
        }
        if let Some(db) = url.database() {
            config.dbname(db);
        }
        config.notice_callback(|notice| {
            tracing::debug!(
                target: "cinnabar::engine",
                "PostgreSQL {}: {}",
                notice.severity(),
                notice.message()
            );
        });
        Ok(PostgresDriver {
            config,
            target: describe_target(url, host.as_deref()),
            user: url.username().map(str::to_owned),
            search_path,
            transaction_pooled,
        })
    }
}

fn describe_target(url: &Url, host: Option<&str>) -> String {
    let host = host.unwrap_or("localhost");
    let port = url.port().unwrap_or(5432);
    let db = url.database().unwrap_or("(default database)");
    if host.contains(':') && !host.starts_with('/') {
        format!("[{host}]:{port}/{db}")
    } else {
        format!("{host}:{port}/{db}")
    }
}

impl Driver for PostgresDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn connect(&self) -> Result<Box<dyn DriverConnection>> {
        Ok(Box::new(self.open()?))
    }

    fn transaction_pooled(&self) -> bool {
        self.transaction_pooled
    }
}

impl PostgresDriver {
    fn open(&self) -> Result<PostgresConnection> {
        let client = self.config.connect(NoTls).map_err(|e| {
            let who = match &self.user {
                Some(u) => format!(" as user {u:?}"),
                None => String::new(),
            };
            let mut err = Error::new(
                ErrorKind::Connection,
                format!(
                    "cannot connect to PostgreSQL at {}{who}: {}",
                    self.target,
                    describe(&e)
                ),
            );
            if let Some(code) = e.code() {
                err = err.with_code(code.code());
            }
            err.with_source(e)
        })?;
        let set_search_path = |set: &str| {
            self.search_path.as_ref().map(|schemas| {
                let mut sql = format!("{set} search_path TO ");
                for (i, schema) in schemas.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    DIALECT.quote_identifier(&mut sql, schema);
                }
                sql
            })
        };
        if self.transaction_pooled {
            // Nothing session-scoped: the search_path is set in every transaction, and the
            // reset only ends a transaction left open.
            return Ok(PostgresConnection {
                client: client::PgClient::new(client),
                cache: FxHashMap::default(),
                untyped: FxHashMap::default(),
                tx: TxState::default(),
                server_error: false,
                broken: false,
                reset_sql: "ROLLBACK".to_owned(),
                pooled: Some(pooled::Pooled::new(
                    set_search_path("SET LOCAL"),
                    self.config.clone(),
                )),
            });
        }
        // Reset on return: end any transaction, put every setting back to its value at
        // connect (startup `options` included), then redo this driver's own SET.
        let mut reset_sql = String::from("ROLLBACK; RESET ALL");
        let search_path = set_search_path("SET");
        if let Some(sql) = &search_path {
            reset_sql.push_str("; ");
            reset_sql.push_str(sql);
        }
        let mut conn = PostgresConnection {
            client: client::PgClient::new(client),
            cache: FxHashMap::default(),
            untyped: FxHashMap::default(),
            tx: TxState::default(),
            server_error: false,
            broken: false,
            reset_sql,
            pooled: None,
        };
        if let Some(sql) = search_path {
            conn.batch(&sql)
                .map_err(|e| e.context(format_args!("setting search_path on {}", self.target)))?;
        }
        Ok(conn)
    }
}

/// PostgreSQL's lexical rules, for reading statement text.
fn rules() -> LexRules {
    DIALECT.lex_rules()
}

#[cfg(test)]
mod tests;
