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
//! Generated keys: MySQL has no RETURNING; [`DriverConnection::last_insert_id`] is the
//! key the last INSERT reported (the C API's `mysql_insert_id()`): for a multi-row INSERT the
//! *first* row's key, the others following in row order, `auto_increment_increment` apart
//! under `innodb_autoinc_lock_mode` 0 or 1 (for a plain multi-row `INSERT ... VALUES` the
//! keys are reserved together, so also under mode 2). An INSERT that generated no key (no
//! AUTO_INCREMENT column, or an upsert that updated) clears it; other statements and failed
//! INSERTs leave it as it was.

use std::cell::OnceCell;
use std::sync::Arc;
use std::time::Duration;

use ::mysql::consts::{CapabilityFlags, ColumnFlags, ColumnType};
use ::mysql::prelude::{Protocol, Queryable};
use ::mysql::{Column, Conn, MySqlError, Opts, OptsBuilder, Params, QueryResult, Value};
use cinnabar_core::dialect::{Dialect, MySqlDialect};
use cinnabar_core::sql::{first_keyword, leading_keywords, split_statements, LexRules};
use cinnabar_core::{Error, ErrorKind, Result, ValueRef};

use crate::driver::{Driver, DriverConnection, RowSink};
use crate::engine::EngineOptions;
use crate::row::Row;
use crate::url::Url;

static DIALECT: MySqlDialect = MySqlDialect;

/// The session `sql_mode` unless the URL's `sql_mode` parameter says otherwise: strict
/// (errors instead of truncation or zero dates), no ANSI_QUOTES (the dialect uses backticks).
pub const DEFAULT_SQL_MODE: &str = "STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,\
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
    /// A driver for `url` (`mysql://` or `mariadb://`), as [`MySqlDriver::from_url`]; the
    /// engine options are not read (nothing in them concerns this driver). Kept for callers
    /// of the earlier signature.
    ///
    /// # Errors
    /// As [`MySqlDriver::from_url`].
    pub fn new(url: &Url, options: &EngineOptions) -> Result<Self> {
        let _ = options;
        MySqlDriver::from_url(url)
    }

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
        Ok(Box::new(MySqlConnection {
            conn,
            broken: false,
            in_tx: false,
            last_id: None,
            key_step: None,
            reset_sql: self.reset_sql.clone(),
        }))
    }
}

struct MySqlConnection {
    conn: Conn,
    broken: bool,
    in_tx: bool,
    last_id: Option<i64>,
    /// `multi_row_key_step`, read from the server at first use.
    key_step: Option<Option<i64>>,
    /// Run by [`DriverConnection::reset`]: ROLLBACK, then autocommit and the driver's
    /// settings back.
    reset_sql: Arc<str>,
}

// ---------------------------------------------------------------------------------------
// Binding

#[cfg(feature = "chrono")]
fn date_parts(d: chrono::NaiveDate) -> Result<(u16, u8, u8)> {
    use chrono::Datelike;
    let year = u16::try_from(d.year())
        .ok()
        .filter(|y| *y <= 9999)
        .ok_or_else(|| {
            Error::conversion(format!(
                "date {d} is outside the years MySQL can store (0-9999)"
            ))
        })?;
    Ok((year, d.month() as u8, d.day() as u8))
}

#[cfg(feature = "chrono")]
fn time_parts(t: chrono::NaiveTime) -> (u8, u8, u8, u32) {
    use chrono::Timelike;
    // A leap second's nanoseconds run past 1e9; MySQL has no leap seconds.
    let micros = (t.nanosecond() / 1000).min(999_999);
    (t.hour() as u8, t.minute() as u8, t.second() as u8, micros)
}

#[cfg(feature = "chrono")]
fn datetime_value(dt: chrono::NaiveDateTime) -> Result<Value> {
    let (y, mo, d) = date_parts(dt.date())?;
    let (h, mi, s, us) = time_parts(dt.time());
    Ok(Value::Date(y, mo, d, h, mi, s, us))
}

/// Converts a parameter to the crate's value.
fn to_mysql(v: ValueRef<'_>) -> Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::NULL,
        ValueRef::Bool(b) => Value::Int(i64::from(b)),
        ValueRef::Int(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Double(f),
        ValueRef::Text(s) => Value::Bytes(s.as_bytes().to_vec()),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
        #[cfg(feature = "chrono")]
        ValueRef::Date(d) => {
            let (y, mo, d) = date_parts(d)?;
            Value::Date(y, mo, d, 0, 0, 0, 0)
        }
        #[cfg(feature = "chrono")]
        ValueRef::Time(t) => {
            let (h, mi, s, us) = time_parts(t);
            Value::Time(false, 0, h, mi, s, us)
        }
        #[cfg(feature = "chrono")]
        ValueRef::DateTime(t) => datetime_value(t)?,
        // The session time zone is UTC, so TIMESTAMP columns store this instant.
        #[cfg(feature = "chrono")]
        ValueRef::DateTimeUtc(t) => datetime_value(t.naive_utc())?,
        // UUIDs, decimals and JSON are sent as text.
        #[allow(unreachable_patterns)]
        other => match other.text_form() {
            Some(t) => Value::Bytes(t.into_bytes()),
            None => {
                return Err(Error::unsupported(format!(
                    "the MySQL driver cannot bind a {} value",
                    other.type_name()
                )))
            }
        },
    })
}

// ---------------------------------------------------------------------------------------
// Reading rows

/// How a column's values are read, decided once per result set from its metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    UInt,
    Float,
    Double,
    Decimal,
    Text,
    Blob,
    Date,
    DateTime,
    Timestamp,
    Time,
    Json,
    Bit,
    Null,
}

struct ColMeta {
    name: String,
    kind: Kind,
}

const BINARY_CHARSET: u16 = 63;

fn kind_of(col: &Column) -> Kind {
    let binary = col.character_set() == BINARY_CHARSET;
    let unsigned = col.flags().contains(ColumnFlags::UNSIGNED_FLAG);
    match col.column_type() {
        ColumnType::MYSQL_TYPE_TINY
        | ColumnType::MYSQL_TYPE_SHORT
        | ColumnType::MYSQL_TYPE_INT24
        | ColumnType::MYSQL_TYPE_LONG
        | ColumnType::MYSQL_TYPE_LONGLONG
        | ColumnType::MYSQL_TYPE_YEAR => {
            if unsigned {
                Kind::UInt
            } else {
                Kind::Int
            }
        }
        ColumnType::MYSQL_TYPE_FLOAT => Kind::Float,
        ColumnType::MYSQL_TYPE_DOUBLE => Kind::Double,
        ColumnType::MYSQL_TYPE_DECIMAL | ColumnType::MYSQL_TYPE_NEWDECIMAL => Kind::Decimal,
        ColumnType::MYSQL_TYPE_DATE | ColumnType::MYSQL_TYPE_NEWDATE => Kind::Date,
        ColumnType::MYSQL_TYPE_DATETIME | ColumnType::MYSQL_TYPE_DATETIME2 => Kind::DateTime,
        ColumnType::MYSQL_TYPE_TIMESTAMP | ColumnType::MYSQL_TYPE_TIMESTAMP2 => Kind::Timestamp,
        ColumnType::MYSQL_TYPE_TIME | ColumnType::MYSQL_TYPE_TIME2 => Kind::Time,
        ColumnType::MYSQL_TYPE_JSON => Kind::Json,
        ColumnType::MYSQL_TYPE_BIT => Kind::Bit,
        ColumnType::MYSQL_TYPE_NULL => Kind::Null,
        ColumnType::MYSQL_TYPE_ENUM | ColumnType::MYSQL_TYPE_SET => Kind::Text,
        ColumnType::MYSQL_TYPE_GEOMETRY | ColumnType::MYSQL_TYPE_VECTOR => Kind::Blob,
        // CHAR/VARCHAR/TEXT and BINARY/VARBINARY/BLOB differ only by the binary charset.
        _ if binary => Kind::Blob,
        _ => Kind::Text,
    }
}

fn metadata(columns: &[Column]) -> Vec<ColMeta> {
    columns
        .iter()
        .map(|c| ColMeta {
            name: c.name_str().into_owned(),
            kind: kind_of(c),
        })
        .collect()
}

/// A value the row had to build rather than borrow.
enum Cached {
    Text(String),
    #[cfg(feature = "json")]
    Json(serde_json::Value),
}

impl Cached {
    fn as_value(&self) -> ValueRef<'_> {
        match self {
            Cached::Text(s) => ValueRef::Text(s),
            #[cfg(feature = "json")]
            Cached::Json(j) => ValueRef::Json(j),
        }
    }
}

/// Decodes one row's cells by their columns' metadata.
struct Cells<'a> {
    cols: &'a [ColMeta],
    /// Allocated on first use only (JSON documents, dates without chrono, zero dates).
    cache: OnceCell<Box<[OnceCell<Cached>]>>,
}

impl<'a> Cells<'a> {
    fn new(cols: &'a [ColMeta]) -> Self {
        Cells {
            cols,
            cache: OnceCell::new(),
        }
    }
}

struct MySqlRow<'a> {
    row: &'a ::mysql::Row,
    cells: Cells<'a>,
}

fn format_date(
    (y, mo, d, h, mi, s, us): (u16, u8, u8, u8, u8, u8, u32),
    date_only: bool,
) -> String {
    if date_only {
        format!("{y:04}-{mo:02}-{d:02}")
    } else if us == 0 {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{us:06}")
    }
}

fn format_time(neg: bool, days: u32, h: u8, mi: u8, s: u8, us: u32) -> String {
    let sign = if neg { "-" } else { "" };
    let hours = u64::from(days) * 24 + u64::from(h);
    if us == 0 {
        format!("{sign}{hours:02}:{mi:02}:{s:02}")
    } else {
        format!("{sign}{hours:02}:{mi:02}:{s:02}.{us:06}")
    }
}

/// FLOAT is single precision: widen through its shortest decimal form, so a stored 0.1
/// reads as 0.1 and not 0.10000000149011612.
fn widen_f32(f: f32) -> f64 {
    if f.is_finite() {
        let wide: f64 = f.to_string().parse().unwrap_or(f64::from(f));
        // The shortest form of ±f32::MAX lies beyond f32's range as an f64: keep the exact
        // value there (and wherever the decimal form would not narrow back to `f`).
        if wide.abs() <= f64::from(f32::MAX) && wide as f32 == f {
            wide
        } else {
            f64::from(f)
        }
    } else {
        f64::from(f)
    }
}

impl Cells<'_> {
    fn conversion(&self, idx: usize, why: impl std::fmt::Display) -> Error {
        let name = self.cols.get(idx).map_or("", |c| c.name.as_str());
        Error::conversion(format!("column {name:?}: {why}"))
    }

    fn cached(&self, idx: usize, make: impl FnOnce() -> Result<Cached>) -> Result<ValueRef<'_>> {
        let slots = self
            .cache
            .get_or_init(|| (0..self.cols.len()).map(|_| OnceCell::new()).collect());
        let slot = &slots[idx];
        if let Some(c) = slot.get() {
            return Ok(c.as_value());
        }
        let made = make()?;
        Ok(slot.get_or_init(|| made).as_value())
    }

    fn text<'s>(&self, idx: usize, b: &'s [u8]) -> Result<ValueRef<'s>> {
        std::str::from_utf8(b)
            .map(ValueRef::Text)
            .map_err(|_| self.conversion(idx, "holds text that is not valid UTF-8"))
    }

    fn decode_bytes<'s>(&'s self, idx: usize, kind: Kind, b: &'s [u8]) -> Result<ValueRef<'s>> {
        match kind {
            Kind::Blob | Kind::Null => Ok(ValueRef::Blob(b)),
            Kind::Text => self.text(idx, b),
            // The text protocol (statements the server cannot prepare) sends numbers as text.
            Kind::Int | Kind::UInt => {
                let s = std::str::from_utf8(b).unwrap_or("");
                match s.parse::<i64>() {
                    Ok(i) => Ok(ValueRef::Int(i)),
                    Err(_) if s.parse::<u64>().is_ok() => Err(self.conversion(
                        idx,
                        format_args!("unsigned value {s} does not fit in a 64-bit signed integer"),
                    )),
                    Err(_) => Err(self.conversion(idx, format_args!("invalid integer {s:?}"))),
                }
            }
            Kind::Float | Kind::Double => {
                let s = std::str::from_utf8(b).unwrap_or("");
                s.parse::<f64>()
                    .map(ValueRef::Real)
                    .map_err(|_| self.conversion(idx, format_args!("invalid number {s:?}")))
            }
            Kind::Bit => {
                if b.len() > 8 {
                    return Ok(ValueRef::Blob(b));
                }
                let n = b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
                i64::try_from(n).map(ValueRef::Int).map_err(|_| {
                    self.conversion(idx, format_args!("BIT value {n} does not fit in an i64"))
                })
            }
            Kind::Decimal => {
                let s = self.text(idx, b)?;
                #[cfg(feature = "decimal")]
                if let ValueRef::Text(t) = s {
                    // Past rust_decimal's 28 digits the exact text is kept. Trailing
                    // fractional zeros (the column's scale) are dropped if that is what it
                    // takes to fit: the value is unchanged, as on PostgreSQL.
                    let trimmed = if t.contains('.') {
                        t.trim_end_matches('0').trim_end_matches('.')
                    } else {
                        t
                    };
                    let exact = rust_decimal::Decimal::from_str_exact(t)
                        .or_else(|_| rust_decimal::Decimal::from_str_exact(trimmed));
                    if let Ok(d) = exact {
                        return Ok(ValueRef::Decimal(d));
                    }
                }
                Ok(s)
            }
            Kind::Json => {
                #[cfg(feature = "json")]
                {
                    self.cached(idx, || {
                        serde_json::from_slice(b)
                            .map(Cached::Json)
                            .map_err(|e| self.conversion(idx, format_args!("invalid JSON: {e}")))
                    })
                }
                #[cfg(not(feature = "json"))]
                {
                    self.text(idx, b)
                }
            }
            Kind::Date | Kind::DateTime | Kind::Timestamp | Kind::Time => {
                let s = self.text(idx, b)?;
                #[cfg(feature = "chrono")]
                if let ValueRef::Text(t) = s {
                    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
                    let parsed = match kind {
                        Kind::Date => NaiveDate::parse_from_str(t, "%Y-%m-%d")
                            .ok()
                            .map(ValueRef::Date),
                        Kind::Time => NaiveTime::parse_from_str(t, "%H:%M:%S%.f")
                            .ok()
                            .map(ValueRef::Time),
                        _ => NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f")
                            .ok()
                            .map(|dt| {
                                if kind == Kind::Timestamp {
                                    ValueRef::DateTimeUtc(dt.and_utc())
                                } else {
                                    ValueRef::DateTime(dt)
                                }
                            }),
                    };
                    // Zero dates and out-of-range TIMEs stay text.
                    if let Some(v) = parsed {
                        return Ok(v);
                    }
                }
                Ok(s)
            }
        }
    }

    fn decode_date(
        &self,
        idx: usize,
        kind: Kind,
        (y, mo, d, h, mi, s, us): (u16, u8, u8, u8, u8, u8, u32),
    ) -> Result<ValueRef<'_>> {
        #[cfg(feature = "chrono")]
        {
            let date = chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d));
            let v = match kind {
                Kind::Date => date.map(ValueRef::Date),
                _ => date
                    .and_then(|date| {
                        date.and_hms_micro_opt(u32::from(h), u32::from(mi), u32::from(s), us)
                    })
                    .map(|dt| {
                        if kind == Kind::Timestamp {
                            ValueRef::DateTimeUtc(dt.and_utc())
                        } else {
                            ValueRef::DateTime(dt)
                        }
                    }),
            };
            if let Some(v) = v {
                return Ok(v);
            }
        }
        // Without chrono, or a zero date: its text.
        self.cached(idx, || {
            Ok(Cached::Text(format_date(
                (y, mo, d, h, mi, s, us),
                kind == Kind::Date,
            )))
        })
    }

    fn decode_time(
        &self,
        idx: usize,
        (neg, days, h, mi, s, us): (bool, u32, u8, u8, u8, u32),
    ) -> Result<ValueRef<'_>> {
        #[cfg(feature = "chrono")]
        if !neg && days == 0 {
            if let Some(t) =
                chrono::NaiveTime::from_hms_micro_opt(u32::from(h), u32::from(mi), u32::from(s), us)
            {
                return Ok(ValueRef::Time(t));
            }
        }
        // A TIME is an interval (-838:59:59 to 838:59:59); beyond a time of day it is text.
        self.cached(idx, || {
            Ok(Cached::Text(format_time(neg, days, h, mi, s, us)))
        })
    }
}

impl Cells<'_> {
    fn decode<'s>(&'s self, idx: usize, v: &'s Value) -> Result<ValueRef<'s>> {
        let Some(meta) = self.cols.get(idx) else {
            return Err(Error::misuse(format!(
                "column index {idx} is out of range (row has {} columns)",
                self.cols.len()
            )));
        };
        match v {
            Value::NULL => Ok(ValueRef::Null),
            Value::Int(i) => Ok(ValueRef::Int(*i)),
            Value::UInt(u) => i64::try_from(*u).map(ValueRef::Int).map_err(|_| {
                self.conversion(
                    idx,
                    format_args!("unsigned value {u} does not fit in a 64-bit signed integer"),
                )
            }),
            Value::Float(f) => Ok(ValueRef::Real(widen_f32(*f))),
            Value::Double(f) => Ok(ValueRef::Real(*f)),
            Value::Bytes(b) => self.decode_bytes(idx, meta.kind, b),
            Value::Date(y, mo, d, h, mi, s, us) => {
                self.decode_date(idx, meta.kind, (*y, *mo, *d, *h, *mi, *s, *us))
            }
            Value::Time(neg, days, h, mi, s, us) => {
                self.decode_time(idx, (*neg, *days, *h, *mi, *s, *us))
            }
        }
    }
}

impl Row for MySqlRow<'_> {
    fn len(&self) -> usize {
        self.cells.cols.len()
    }

    fn column_name(&self, idx: usize) -> &str {
        self.cells.cols.get(idx).map_or("", |c| c.name.as_str())
    }

    fn value(&self, idx: usize) -> Result<ValueRef<'_>> {
        match self.row.as_ref(idx) {
            Some(v) => self.cells.decode(idx, v),
            None => Err(Error::misuse(format!(
                "column index {idx} is out of range (row has {} columns)",
                self.cells.cols.len()
            ))),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Errors

/// The text between the first `open` and the next `close` after it.
fn between<'m>(msg: &'m str, open: &str, close: char) -> Option<&'m str> {
    let start = msg.find(open)? + open.len();
    let len = msg[start..].find(close)?;
    Some(&msg[start..start + len]).filter(|s| !s.is_empty())
}

/// The constraint (or column) a MySQL error message names, by error code.
fn constraint_of(code: u16, msg: &str) -> Option<String> {
    let name = match code {
        // "Duplicate entry 'x' for key 'name'" (MySQL 8: 'table.name'); the value may
        // contain anything, so read from the end.
        1062 | 1586 => msg
            .rsplit_once(" for key '")
            .map(|(_, k)| k.strip_suffix('\'').unwrap_or(k))
            .filter(|s| !s.is_empty()),
        // "... a foreign key constraint fails (`db`.`t`, CONSTRAINT `fk` FOREIGN KEY ...)"
        1451 | 1452 | 1216 | 1217 => between(msg, "CONSTRAINT `", '`'),
        // "Column 'c' cannot be null", "Field 'c' doesn't have a default value",
        // "... NULL supplied to NOT NULL column 'c' at row 1", "Check constraint 'k' is
        // violated."
        1048 | 1364 | 1263 | 3819 => between(msg, "'", '\''),
        // MariaDB: "CONSTRAINT `k` failed for `db`.`t`"
        4025 => between(msg, "CONSTRAINT `", '`'),
        _ => None,
    }?;
    Some(name.to_owned())
}

fn kind_of_code(code: u16) -> ErrorKind {
    match code {
        1062 | 1586 | 1169 | 1022 => ErrorKind::UniqueViolation,
        1451 | 1452 | 1216 | 1217 => ErrorKind::ForeignKeyViolation,
        1048 | 1364 | 1263 => ErrorKind::NotNullViolation,
        3819 | 4025 => ErrorKind::CheckViolation,
        1213 => ErrorKind::Deadlock,
        // Lock wait timeout; NOWAIT / SKIP LOCKED could not lock.
        1205 | 3572 => ErrorKind::Busy,
        // Server gone away, lost connection, shutdown in progress, connection killed,
        // disconnected for inactivity.
        2006 | 2013 | 1053 | 1927 | 4031 => ErrorKind::Connection,
        _ => ErrorKind::Database,
    }
}

fn server_error(m: &MySqlError) -> Error {
    let mut err = Error::new(kind_of_code(m.code), m.message.clone()).with_code(m.code.to_string());
    if let Some(c) = constraint_of(m.code, &m.message) {
        err = err.with_constraint(c);
    }
    err
}

/// Maps an error; the flag says whether the connection can no longer be trusted.
fn map_error(e: ::mysql::Error, sql: Option<&str>) -> (Error, bool) {
    use ::mysql::{DriverError, Error as E};
    let (err, broken) = match &e {
        E::MySqlError(m) => {
            let err = server_error(m);
            let broken = err.kind() == ErrorKind::Connection;
            (err, broken)
        }
        E::DriverError(DriverError::MismatchedStmtParams(..) | DriverError::MixedParams)
        | E::DriverError(DriverError::Params(_)) => (Error::misuse(e.to_string()), false),
        E::IoError(_) | E::CodecError(_) | E::DriverError(_) => (
            Error::new(
                ErrorKind::Connection,
                format!("the MySQL connection failed: {e}"),
            ),
            true,
        ),
        E::UrlError(_) => (Error::new(ErrorKind::Url, e.to_string()), false),
        E::FromValueError(_) | E::FromRowError(_) => (Error::conversion(e.to_string()), false),
        #[allow(unreachable_patterns)]
        _ => (
            Error::new(
                ErrorKind::Connection,
                format!("the MySQL connection failed: {e}"),
            ),
            true,
        ),
    };
    let err = err.with_source(e);
    (
        match sql {
            Some(s) => err.with_sql(s),
            None => err,
        },
        broken,
    )
}

/// Whether the server refused to prepare this statement (it must go through the text
/// protocol).
fn unpreparable(e: &::mysql::Error) -> bool {
    matches!(e, ::mysql::Error::MySqlError(m) if m.code == 1295)
}

// ---------------------------------------------------------------------------------------
// Statement text: transaction control and multi-statement batches

/// How a statement changes the transaction state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxEffect {
    None,
    Begin,
    End,
}

/// MySQL's lexical rules, for reading statement text.
fn rules() -> LexRules {
    DIALECT.lex_rules()
}

/// The statement's first `N` words (fewer when it has fewer; empty strings after them).
fn leading<const N: usize>(stmt: &str) -> [&str; N] {
    let mut w = [""; N];
    for (slot, word) in w.iter_mut().zip(leading_keywords(stmt, rules())) {
        *slot = word;
    }
    w
}

/// Whether the statement's first word is one of `keywords` (ASCII case ignored).
fn starts_with_keyword(stmt: &str, keywords: &[&str]) -> bool {
    first_keyword(stmt, rules()).is_some_and(|w| keywords.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

fn tx_effect(stmt: &str) -> TxEffect {
    if !starts_with_keyword(stmt, &["START", "BEGIN", "COMMIT", "ROLLBACK"]) {
        return TxEffect::None;
    }
    let w = leading::<5>(stmt);
    let is = |i: usize, k: &str| w[i].eq_ignore_ascii_case(k);
    if is(0, "START") {
        return if is(1, "TRANSACTION") {
            TxEffect::Begin
        } else {
            TxEffect::None
        };
    }
    if is(0, "BEGIN") {
        // Not MariaDB's compound `BEGIN NOT ATOMIC ... END`.
        return if w[1].is_empty() || is(1, "WORK") {
            TxEffect::Begin
        } else {
            TxEffect::None
        };
    }
    // COMMIT or ROLLBACK [WORK] [TO ..] [AND [NO] CHAIN]
    let rest = if is(1, "WORK") { 2 } else { 1 };
    if is(0, "ROLLBACK") && is(rest, "TO") {
        TxEffect::None
    } else if is(rest, "AND") && is(rest + 1, "CHAIN") {
        TxEffect::Begin
    } else {
        TxEffect::End
    }
}

/// Whether a statement defines a stored program, whose body holds `;`-separated statements
/// (so splitting the text on `;` no longer follows the server's statements).
fn is_compound(stmt: &str) -> bool {
    let w = leading::<8>(stmt);
    if w[0].eq_ignore_ascii_case("CREATE") {
        w.iter().any(|x| {
            ["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE"]
                .iter()
                .any(|k| x.eq_ignore_ascii_case(k))
        })
    } else {
        w[0].eq_ignore_ascii_case("BEGIN") && w[1].eq_ignore_ascii_case("NOT")
    }
}

// ---------------------------------------------------------------------------------------
// Running statements

struct Outcome {
    affected: u64,
    insert_id: Option<u64>,
}

enum Failure {
    Db(::mysql::Error),
    Sink(Error),
}

/// Reads a statement's response: its OK packet, or its rows (each result set's, for a
/// procedure call) into `sink`.
fn consume<P: Protocol>(
    mut result: QueryResult<'_, '_, '_, P>,
    mut sink: Option<RowSink<'_>>,
) -> std::result::Result<Outcome, Failure> {
    let affected = result.affected_rows();
    let insert_id = result.last_insert_id().filter(|&id| id != 0);
    while let Some(mut set) = result.iter() {
        let cols = metadata(set.columns().as_ref());
        for row in set.by_ref() {
            let row = row.map_err(Failure::Db)?;
            if let Some(sink) = sink.as_mut() {
                let view = MySqlRow {
                    row: &row,
                    cells: Cells::new(&cols),
                };
                sink(&view).map_err(Failure::Sink)?;
            }
        }
    }
    Ok(Outcome {
        affected,
        insert_id,
    })
}

/// Runs multi-statement text; returns how many statements succeeded, the last insert id
/// seen, and the first error.
fn run_batch(conn: &mut Conn, sql: &str) -> (usize, Option<u64>, Option<::mysql::Error>) {
    let mut result = match conn.query_iter(sql) {
        Ok(r) => r,
        Err(e) => return (0, None, Some(e)),
    };
    let mut done = 0;
    let mut last_id = None;
    while let Some(mut set) = result.iter() {
        if let Some(id) = set.last_insert_id().filter(|&id| id != 0) {
            last_id = Some(id);
        }
        for row in set.by_ref() {
            if let Err(e) = row {
                return (done, last_id, Some(e));
            }
        }
        done += 1;
    }
    (done, last_id, None)
}

fn is_insert(sql: &str) -> bool {
    starts_with_keyword(sql, &["INSERT", "REPLACE"])
}

impl MySqlConnection {
    /// A `SET` of a session variable may change `auto_increment_increment`: read the
    /// multi-row key step again at its next use.
    fn forget_key_step_on_set(&mut self, sql: &str) {
        if self.key_step.is_some() && starts_with_keyword(sql, &["SET"]) {
            self.key_step = None;
        }
    }

    fn fail(&mut self, e: ::mysql::Error, sql: &str) -> Error {
        let (err, broken) = map_error(e, Some(sql));
        if broken {
            self.broken = true;
        }
        err
    }

    fn apply(&mut self, effect: TxEffect) {
        match effect {
            TxEffect::Begin => self.in_tx = true,
            TxEffect::End => self.in_tx = false,
            TxEffect::None => {}
        }
    }
}

impl DriverConnection for MySqlConnection {
    fn run(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        self.forget_key_step_on_set(sql);
        let values = params
            .iter()
            .map(|p| to_mysql(*p))
            .collect::<Result<Vec<_>>>()
            .map_err(|e| e.with_sql(sql))?;
        let outcome = match self.conn.prep(sql) {
            Ok(stmt) => {
                let expected = usize::from(stmt.num_params());
                if expected != params.len() {
                    return Err(Error::misuse(format!(
                        "statement expects {expected} parameters, {} were given",
                        params.len()
                    ))
                    .with_sql(sql));
                }
                let params = if values.is_empty() {
                    Params::Empty
                } else {
                    Params::Positional(values)
                };
                match self.conn.exec_iter(&stmt, params) {
                    Ok(result) => consume(result, sink),
                    Err(e) => Err(Failure::Db(e)),
                }
            }
            Err(e) if params.is_empty() && unpreparable(&e) => match self.conn.query_iter(sql) {
                Ok(result) => consume(result, sink),
                Err(e) => Err(Failure::Db(e)),
            },
            Err(e) => Err(Failure::Db(e)),
        };
        match outcome {
            Ok(o) => {
                match o.insert_id {
                    Some(id) => self.last_id = i64::try_from(id).ok(),
                    None if is_insert(sql) => self.last_id = None,
                    None => {}
                }
                self.apply(tx_effect(sql));
                Ok(o.affected)
            }
            Err(Failure::Sink(e)) => Err(e),
            Err(Failure::Db(e)) => Err(self.fail(e, sql)),
        }
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        self.forget_key_step_on_set(sql);
        let pieces: Vec<&str> = split_statements(sql, rules()).collect();
        if pieces.is_empty() {
            return Ok(());
        }
        let (done, last_id, error) = run_batch(&mut self.conn, sql);
        if let Some(id) = last_id {
            self.last_id = i64::try_from(id).ok();
        }
        if pieces.iter().any(|p| is_compound(p)) {
            // Pieces no longer match the server's statements: only ever assume a
            // transaction began (a needless ROLLBACK is harmless; a missed one is not).
            if done > 0 && pieces.iter().any(|p| tx_effect(p) == TxEffect::Begin) {
                self.in_tx = true;
            }
        } else {
            for p in pieces.iter().take(done) {
                self.apply(tx_effect(p));
            }
        }
        match error {
            None => Ok(()),
            Some(e) => Err(self.fail(e, sql)),
        }
    }

    fn last_insert_id(&self) -> Option<i64> {
        self.last_id
    }

    fn multi_row_key_step(&mut self) -> Result<Option<i64>> {
        if let Some(step) = self.key_step {
            return Ok(step);
        }
        // Lock modes 0 and 1 give one multi-row INSERT consecutive values (spaced by
        // auto_increment_increment); mode 2 may interleave them with other sessions' rows.
        let sql = "SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment";
        let row: Option<(i64, i64)> = self.conn.query_first(sql).map_err(|e| self.fail(e, sql))?;
        let step = match row {
            Some((mode, increment)) if mode != 2 && increment >= 1 => Some(increment),
            _ => None,
        };
        self.key_step = Some(step);
        Ok(step)
    }

    fn in_transaction(&self) -> bool {
        self.in_tx
    }

    fn reset(&mut self) -> Result<()> {
        // The crate keeps the server's status flags (SERVER_STATUS_IN_TRANS, AUTOCOMMIT)
        // private, so nothing tells us cheaply what the last user left: one unconditional
        // round trip ends any transaction and puts autocommit and this driver's settings
        // back. Not COM_RESET_CONNECTION: it also drops every prepared statement, so each
        // checkout would prepare its statements again (measured: ~4x the cost of a
        // checkout, query and checkin, against ~3x for this).
        let sql = Arc::clone(&self.reset_sql);
        let (_, _, error) = run_batch(&mut self.conn, &sql);
        if let Some(e) = error {
            return Err(self.fail(e, &sql));
        }
        self.in_tx = false;
        self.last_id = None;
        // The last user may have changed auto_increment_increment.
        self.key_step = None;
        Ok(())
    }

    fn ping(&mut self) -> Result<()> {
        self.conn.ping().map_err(|e| {
            self.broken = true;
            Error::new(ErrorKind::Connection, format!("MySQL ping failed: {e}")).with_source(e)
        })
    }

    fn is_broken(&self) -> bool {
        self.broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraint_names_come_from_messages() {
        let c = |code, msg| constraint_of(code, msg);
        assert_eq!(
            c(1062, "Duplicate entry 'a' for key 'email'").as_deref(),
            Some("email")
        );
        assert_eq!(
            c(
                1062,
                "Duplicate entry 'x for key 'y' z' for key 'users.email'"
            )
            .as_deref(),
            Some("users.email")
        );
        assert_eq!(
            c(
                1452,
                "Cannot add or update a child row: a foreign key constraint fails (`db`.`kid`, \
                 CONSTRAINT `kid_ibfk_1` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`))"
            )
            .as_deref(),
            Some("kid_ibfk_1")
        );
        assert_eq!(
            c(1048, "Column 'name' cannot be null").as_deref(),
            Some("name")
        );
        assert_eq!(
            c(1364, "Field 'name' doesn't have a default value").as_deref(),
            Some("name")
        );
        assert_eq!(
            c(3819, "Check constraint 'age_ok' is violated.").as_deref(),
            Some("age_ok")
        );
        assert_eq!(
            c(4025, "CONSTRAINT `age_ok` failed for `db`.`t`").as_deref(),
            Some("age_ok")
        );
        assert_eq!(c(1146, "Table 'db.t' doesn't exist"), None);
    }

    #[test]
    fn codes_map_to_kinds() {
        let e = server_error(&MySqlError {
            state: "23000".into(),
            message: "Duplicate entry '1' for key 'PRIMARY'".into(),
            code: 1062,
        });
        assert_eq!(e.kind(), ErrorKind::UniqueViolation);
        assert_eq!(e.constraint(), Some("PRIMARY"));
        assert_eq!(e.code(), Some("1062"));
        assert_eq!(kind_of_code(1213), ErrorKind::Deadlock);
        assert_eq!(kind_of_code(1205), ErrorKind::Busy);
        assert_eq!(kind_of_code(2013), ErrorKind::Connection);
        assert_eq!(kind_of_code(1064), ErrorKind::Database);
    }

    #[test]
    fn transaction_control_is_recognised() {
        assert_eq!(tx_effect("START TRANSACTION"), TxEffect::Begin);
        assert_eq!(tx_effect("  /* x */ begin"), TxEffect::Begin);
        assert_eq!(tx_effect("BEGIN WORK"), TxEffect::Begin);
        assert_eq!(tx_effect("BEGIN NOT ATOMIC SELECT 1; END"), TxEffect::None);
        assert_eq!(tx_effect("commit"), TxEffect::End);
        assert_eq!(tx_effect("COMMIT WORK AND CHAIN"), TxEffect::Begin);
        assert_eq!(tx_effect("COMMIT AND NO CHAIN"), TxEffect::End);
        assert_eq!(tx_effect("ROLLBACK"), TxEffect::End);
        assert_eq!(tx_effect("ROLLBACK TO SAVEPOINT a"), TxEffect::None);
        assert_eq!(tx_effect("rollback work to a"), TxEffect::None);
        assert_eq!(tx_effect("-- c\nSAVEPOINT a"), TxEffect::None);
        assert_eq!(tx_effect("COMMITTED_ROWS"), TxEffect::None);
        assert_eq!(tx_effect("SELECT 1"), TxEffect::None);
    }

    #[test]
    fn stored_programs_are_recognised() {
        assert!(is_compound(
            "CREATE DEFINER=CURRENT_USER PROCEDURE p() BEGIN COMMIT"
        ));
        assert!(is_compound(
            "CREATE DEFINER=`root`@`%` TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN END"
        ));
        assert!(is_compound("begin not atomic select 1; end"));
        assert!(!is_compound("CREATE TABLE t (x INT)"));
        assert!(!is_compound("CREATE TABLE `procedure` (x INT)"));
        assert!(is_insert("/* c */ replace into t values (1)"));
        assert!(!is_insert("SELECT 'INSERT'"));
    }

    #[test]
    fn values_bind_to_mysql_values() {
        assert_eq!(to_mysql(ValueRef::Bool(true)).unwrap(), Value::Int(1));
        assert_eq!(
            to_mysql(ValueRef::Int(i64::MIN)).unwrap(),
            Value::Int(i64::MIN)
        );
        assert_eq!(
            to_mysql(ValueRef::Text("é")).unwrap(),
            Value::Bytes("é".as_bytes().to_vec())
        );
        assert_eq!(to_mysql(ValueRef::Null).unwrap(), Value::NULL);
        #[cfg(feature = "chrono")]
        {
            let d = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
            let dt = d.and_hms_micro_opt(23, 59, 58, 123_456).unwrap();
            assert_eq!(
                to_mysql(ValueRef::DateTime(dt)).unwrap(),
                Value::Date(2024, 2, 29, 23, 59, 58, 123_456)
            );
            let far = chrono::NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap();
            assert_eq!(
                to_mysql(ValueRef::Date(far)).unwrap_err().kind(),
                ErrorKind::Conversion
            );
        }
        #[cfg(feature = "decimal")]
        {
            let d: rust_decimal::Decimal = "-1234567890.0123456789".parse().unwrap();
            assert_eq!(
                to_mysql(ValueRef::Decimal(d)).unwrap(),
                Value::Bytes(b"-1234567890.0123456789".to_vec())
            );
        }
    }

    fn cols(kinds: &[Kind]) -> Vec<ColMeta> {
        kinds
            .iter()
            .enumerate()
            .map(|(i, &kind)| ColMeta {
                name: format!("c{i}"),
                kind,
            })
            .collect()
    }

    #[test]
    fn cells_decode_binary_and_text_protocol_values() {
        let meta = cols(&[
            Kind::Int,
            Kind::UInt,
            Kind::Double,
            Kind::Text,
            Kind::Blob,
            Kind::Bit,
            Kind::Decimal,
            Kind::Date,
            Kind::Time,
            Kind::Json,
        ]);
        let cells = Cells::new(&meta);
        let bytes = |s: &str| Value::Bytes(s.as_bytes().to_vec());
        // Text protocol: everything arrives as bytes.
        assert_eq!(cells.decode(0, &bytes("-42")).unwrap(), ValueRef::Int(-42));
        let e = cells.decode(1, &bytes("18446744073709551615")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conversion);
        assert!(e.message().contains("c1"), "{e}");
        assert_eq!(cells.decode(2, &bytes("2.5")).unwrap(), ValueRef::Real(2.5));
        assert_eq!(cells.decode(3, &bytes("🦀")).unwrap(), ValueRef::Text("🦀"));
        let bad = Value::Bytes(vec![0xff]);
        assert_eq!(
            cells.decode(3, &bad).unwrap_err().kind(),
            ErrorKind::Conversion
        );
        assert_eq!(cells.decode(4, &bad).unwrap(), ValueRef::Blob(&[0xff]));
        assert_eq!(
            cells.decode(5, &Value::Bytes(vec![1, 0])).unwrap(),
            ValueRef::Int(256)
        );
        // Binary protocol values.
        assert_eq!(cells.decode(0, &Value::Int(7)).unwrap(), ValueRef::Int(7));
        assert_eq!(
            cells.decode(1, &Value::UInt(u64::MAX)).unwrap_err().kind(),
            ErrorKind::Conversion
        );
        assert_eq!(cells.decode(1, &Value::UInt(5)).unwrap(), ValueRef::Int(5));
        assert_eq!(cells.decode(2, &Value::NULL).unwrap(), ValueRef::Null);
        assert_eq!(
            cells.decode(10, &Value::NULL).unwrap_err().kind(),
            ErrorKind::Misuse
        );
        // Out-of-range TIMEs and zero dates stay text (built once, then borrowed).
        assert_eq!(
            cells.decode(8, &Value::Time(true, 0, 1, 2, 3, 0)).unwrap(),
            ValueRef::Text("-01:02:03")
        );
        assert_eq!(
            cells.decode(7, &Value::Date(0, 0, 0, 0, 0, 0, 0)).unwrap(),
            ValueRef::Text("0000-00-00")
        );
        #[cfg(feature = "chrono")]
        {
            let d = chrono::NaiveDate::from_ymd_opt(2020, 1, 31).unwrap();
            assert_eq!(
                cells.decode(7, &bytes("2020-01-31")).unwrap(),
                ValueRef::Date(d)
            );
            assert_eq!(
                cells
                    .decode(7, &Value::Date(2020, 1, 31, 0, 0, 0, 0))
                    .unwrap(),
                ValueRef::Date(d)
            );
            let t = chrono::NaiveTime::from_hms_micro_opt(1, 2, 3, 4).unwrap();
            assert_eq!(
                cells.decode(8, &bytes("01:02:03.000004")).unwrap(),
                ValueRef::Time(t)
            );
            assert_eq!(
                cells.decode(7, &bytes("0000-00-00")).unwrap(),
                ValueRef::Text("0000-00-00")
            );
        }
        #[cfg(not(feature = "chrono"))]
        assert_eq!(
            Cells::new(&meta)
                .decode(7, &Value::Date(2020, 1, 31, 0, 0, 0, 0))
                .unwrap(),
            ValueRef::Text("2020-01-31")
        );
        #[cfg(feature = "decimal")]
        assert_eq!(
            cells.decode(6, &bytes("-0.5")).unwrap(),
            ValueRef::Decimal("-0.5".parse().unwrap())
        );
        #[cfg(not(feature = "decimal"))]
        assert_eq!(
            cells.decode(6, &bytes("-0.5")).unwrap(),
            ValueRef::Text("-0.5")
        );
        #[cfg(feature = "json")]
        {
            let j = serde_json::json!({"a": [1]});
            assert_eq!(
                cells.decode(9, &bytes(r#"{"a":[1]}"#)).unwrap(),
                ValueRef::Json(&j)
            );
            // A row decodes each JSON cell once; a fresh row sees a bad document.
            let fresh = Cells::new(&meta);
            let e = fresh.decode(9, &bytes("{")).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Conversion, "{e}");
            assert!(e.message().contains("c9"), "{e}");
        }
    }

    #[test]
    fn float_widening_keeps_the_decimal_form() {
        assert_eq!(widen_f32(0.1), 0.1);
        assert_eq!(widen_f32(f32::INFINITY), f64::INFINITY);
        assert_eq!(format_time(true, 1, 2, 3, 4, 5), "-26:03:04.000005");
        assert_eq!(
            format_date((0, 0, 0, 0, 0, 0, 0), false),
            "0000-00-00 00:00:00"
        );
    }

    #[test]
    fn urls_are_checked_and_never_leak_the_password() {
        let opts = EngineOptions::default();
        let url = Url::parse("mariadb://bob:s3cret@db.example/app?connect_timeout=2").unwrap();
        let d = MySqlDriver::new(&url, &opts).unwrap();
        assert_eq!(d.target, "bob@db.example:3306/app");
        assert!(!format!("{d:?}").contains("s3cret"));
        let bad = Url::parse("mysql://h/db?sql_mode=x';DROP").unwrap();
        assert_eq!(
            MySqlDriver::new(&bad, &opts).unwrap_err().kind(),
            ErrorKind::Url
        );
        let tls = Url::parse("mysql://h/db?ssl-mode=REQUIRED").unwrap();
        assert_eq!(
            MySqlDriver::new(&tls, &opts).unwrap_err().kind(),
            ErrorKind::Unsupported
        );
        let off = Url::parse("mysql://h/db?sslmode=disabled").unwrap();
        assert!(MySqlDriver::new(&off, &opts).is_ok());
    }

    #[test]
    fn unreachable_server_is_a_connection_error_without_password() {
        // Port 1 on loopback: nothing listens there.
        let url = Url::parse("mysql://root:sekret@127.0.0.1:1/nodb?connect_timeout=2").unwrap();
        let d = MySqlDriver::new(&url, &EngineOptions::default()).unwrap();
        let e = d.connect().err().expect("connecting to port 1 must fail");
        assert_eq!(e.kind(), ErrorKind::Connection);
        let shown = e.to_string();
        assert!(shown.contains("127.0.0.1:1/nodb"), "{shown}");
        assert!(!shown.contains("sekret"), "{shown}");
    }
}
