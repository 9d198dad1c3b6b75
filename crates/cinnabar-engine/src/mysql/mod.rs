//! The MySQL/MariaDB driver, on the `mysql` crate (pure Rust, no TLS compiled in).
//!
//! Every connection starts with `SET NAMES utf8mb4`, `time_zone = '+00:00'` and a strict
//! `sql_mode` (`STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,
//! NO_ENGINE_SUBSTITUTION`), so bad input is an error instead of a silent truncation, and
//! it asks for `CLIENT_FOUND_ROWS`, so an UPDATE reports the rows it *matched* (as SQLite and
//! PostgreSQL do) rather than only those whose values changed.
//!
//! Statements run as server-side prepared statements from the connection's statement cache
//! (binary protocol: typed values in both directions); a statement the server cannot prepare
//! falls back to the text protocol when it has no parameters. [`DriverConnection::batch`]
//! sends its text as one multi-statement query and reports an error in any statement, not
//! only the first.
//!
//! URL: `mysql://user:pass@host:3306/db` (or `mariadb://`), host 127.0.0.1 and port 3306 by
//! default. Query parameters: `socket` (a Unix socket path), `connect_timeout`,
//! `read_timeout`, `write_timeout` (seconds), `stmt_cache_size` (default 256) and `sql_mode`
//! (replaces the strict default). TLS is not compiled in: a URL asking for it is refused.
//!
//! Galera: at connect the driver asks whether the server is a Galera node (`wsrep_on`);
//! such a connection reports [`GaleraDialect`] as its server's dialect, which the engine then
//! uses (the same SQL; cluster capabilities: the migration lock, retryable codes).
//!
//! Generated keys: MySQL has no RETURNING; [`DriverConnection::last_insert_id`] is the
//! key the last INSERT reported (the C API's `mysql_insert_id()`): for a multi-row INSERT the
//! *first* row's key, the others following in row order, `auto_increment_increment` apart
//! under `innodb_autoinc_lock_mode` 0 or 1 (for a plain multi-row `INSERT ... VALUES` the
//! keys are reserved together, so also under mode 2). An INSERT that generated no key (no
//! AUTO_INCREMENT column, or an upsert that updated) clears it; other statements and failed
//! INSERTs leave it as it was.

use std::sync::Arc;
use std::time::Duration;

use ::mysql::consts::CapabilityFlags;
use ::mysql::prelude::Queryable;
use ::mysql::{Conn, Opts, OptsBuilder};
use cinnabar_core::dialect::{Dialect, GaleraDialect, MySqlDialect};
use cinnabar_core::sql::LexRules;
use cinnabar_core::{Error, ErrorKind, Result};

use crate::driver::{Driver, DriverConnection};
use crate::url::Url;

mod bind;
mod connection;
mod datetime;
mod error;
mod numeric;
mod row;
mod tx_state;

use connection::MySqlConnection;

static DIALECT: MySqlDialect = MySqlDialect;
/// What a connection to a Galera node reports as its server's dialect.
pub(super) static GALERA: GaleraDialect = GaleraDialect;

/// Whether the server is a node of a Galera cluster: MariaDB's `wsrep_on` (no such variable
/// on MySQL or on MariaDB without the wsrep patch) and its version, which must be MariaDB
/// 10.5 or later for [`GaleraDialect`] (`INSERT .. RETURNING`). A wsrep server that is not
/// (Percona XtraDB Cluster, MySQL-wsrep) keeps the MySQL dialect.
const WSREP_SQL: &str = "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('wsrep_on', 'version')";

/// Reads the answer of [`WSREP_SQL`]. (The version comes from the variable, not the
/// handshake, where MariaDB 10 announces itself as `5.5.5-10.x`.)
fn is_galera(rows: &[(String, String)]) -> bool {
    let value = |name: &str| {
        rows.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let mariadb_10_5 = value("version").is_some_and(|v| {
        let mut parts = v.split(['.', '-']).map(|p| p.parse::<u32>().unwrap_or(0));
        let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        v.contains("MariaDB") && (major, minor) >= (10, 5)
    });
    mariadb_10_5 && value("wsrep_on").is_some_and(|v| v.eq_ignore_ascii_case("ON"))
}

/// The session `sql_mode` unless the URL's `sql_mode` parameter says otherwise: strict
/// (errors instead of truncation or zero dates), no ANSI_QUOTES (the dialect uses backticks).
pub(crate) const DEFAULT_SQL_MODE: &str = "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,\
                                    ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

const DEFAULT_STMT_CACHE: usize = 256;
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens MySQL/MariaDB connections for one URL.
pub struct MySqlDriver {
    opts: Opts,
    /// `user@host:port/db`, for messages; never the password.
    target: String,
    /// Run on every new connection.
    init_sql: String,
    /// Run on every connection returned to the pool.
    reset_sql: Arc<str>,
}

impl std::fmt::Debug for MySqlDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MySqlDriver")
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

fn url_param_error(url: &Url, what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Url, format!("{what} in database URL {url}"))
}

fn seconds_param(url: &Url, key: &str) -> Result<Option<Duration>> {
    match url.query_param(key) {
        None => Ok(None),
        Some(v) => match v.parse::<f64>() {
            Ok(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
            _ => Err(url_param_error(
                url,
                format!("invalid {key} {v:?} (seconds expected)"),
            )),
        },
    }
}

impl MySqlDriver {
    /// A driver for `url` (`mysql://` or `mariadb://`).
    ///
    /// # Errors
    /// [`ErrorKind::Url`] for an invalid query parameter; [`ErrorKind::Unsupported`] when the
    /// URL asks for TLS, which this build cannot do.
    pub fn from_url(url: &Url) -> Result<Self> {
        for key in [
            "ssl",
            "sslmode",
            "ssl-mode",
            "ssl_mode",
            "tls",
            "require_secure_transport",
        ] {
            if let Some(v) = url.query_param(key) {
                let off = ["", "0", "false", "disabled", "disable", "off", "no"]
                    .iter()
                    .any(|o| v.eq_ignore_ascii_case(o));
                if !off {
                    return Err(Error::unsupported(format!(
                        "{key}={v} asks for TLS, which the MySQL driver of this build does not \
                         support (in {url})"
                    )));
                }
            }
        }
        let host = url.host().unwrap_or("127.0.0.1").to_owned();
        let port = url.port().unwrap_or(3306);
        let stmt_cache = match url.query_param("stmt_cache_size") {
            None => DEFAULT_STMT_CACHE,
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| url_param_error(url, format!("invalid stmt_cache_size {v:?}")))?,
        };
        let sql_mode = match url.query_param("sql_mode") {
            None => DEFAULT_SQL_MODE.to_owned(),
            Some(m) => {
                // Goes into a string literal: allow only what mode names are made of.
                if !m
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b',')
                {
                    return Err(url_param_error(url, format!("invalid sql_mode {m:?}")));
                }
                m.to_owned()
            }
        };
        let socket = url.query_param("socket").map(str::to_owned);
        let mut builder = OptsBuilder::new()
            .ip_or_hostname(Some(host.clone()))
            .tcp_port(port)
            .user(url.username())
            .pass(url.password())
            .db_name(url.database())
            // Connect where the URL says; the crate would otherwise reconnect through the
            // server's Unix socket after a TCP handshake to a loopback address.
            .prefer_socket(false)
            .socket(socket.clone())
            .stmt_cache_size(stmt_cache)
            .tcp_connect_timeout(Some(
                seconds_param(url, "connect_timeout")?.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            ))
            .additional_capabilities(CapabilityFlags::CLIENT_FOUND_ROWS);
        if let Some(t) = seconds_param(url, "read_timeout")? {
            builder = builder.read_timeout(Some(t));
        }
        if let Some(t) = seconds_param(url, "write_timeout")? {
            builder = builder.write_timeout(Some(t));
        }
        let mut target = String::new();
        if let Some(u) = url.username() {
            target.push_str(u);
            target.push('@');
        }
        match &socket {
            Some(s) => target.push_str(s),
            None if host.contains(':') => target.push_str(&format!("[{host}]:{port}")),
            None => target.push_str(&format!("{host}:{port}")),
        }
        target.push('/');
        target.push_str(url.database().unwrap_or(""));
        Ok(MySqlDriver {
            opts: builder.into(),
            target,
            init_sql: format!(
                "SET NAMES utf8mb4, time_zone = '+00:00', SESSION sql_mode = '{sql_mode}'"
            ),
            reset_sql: format!(
                "ROLLBACK; SET autocommit = 1, NAMES utf8mb4, time_zone = '+00:00', \
                 SESSION sql_mode = '{sql_mode}'"
            )
            .into(),
        })
    }

    fn connect_error(&self, e: ::mysql::Error) -> Error {
        let mut err = Error::new(
            ErrorKind::Connection,
            format!("cannot connect to MySQL/MariaDB at {}: {e}", self.target),
        );
        if let ::mysql::Error::MySqlError(m) = &e {
            err = err.with_code(m.code.to_string());
        }
        err.with_source(e)
    }
}

impl Driver for MySqlDriver {
    fn dialect(&self) -> &'static dyn Dialect {
        &DIALECT
    }

    fn connect(&self) -> Result<Box<dyn DriverConnection>> {
        let mut conn = Conn::new(self.opts.clone()).map_err(|e| self.connect_error(e))?;
        conn.query_drop(&self.init_sql)
            .map_err(|e| self.connect_error(e))?;
        let rows: Vec<(String, String)> =
            conn.query(WSREP_SQL).map_err(|e| self.connect_error(e))?;
        let galera = is_galera(&rows);
        Ok(Box::new(MySqlConnection {
            conn,
            galera,
            broken: false,
            in_tx: false,
            last_id: None,
            key_step: None,
            reset_sql: self.reset_sql.clone(),
            timeout_set: false,
        }))
    }
}

/// MySQL's lexical rules, for reading statement text.
fn rules() -> LexRules {
    DIALECT.lex_rules()
}

#[cfg(test)]
mod tests;
