//! The PostgreSQL driver, on the synchronous `postgres` crate (no TLS compiled in).
//!
//! URL: `postgresql://user:password@host:5432/dbname?sslmode=disable&search_path=app`.
//! Query parameters understood: `sslmode` (`disable`, `allow`, `prefer`; TLS is not compiled
//! in, so `require` and stricter are refused), `application_name`, `options` (passed to the
//! server at startup, e.g. `-c search_path=app`), `search_path` (comma-separated schemas set
//! with `SET search_path` on every new connection), `connect_timeout` (seconds, default 10)
//! and `host` (a host name, or a directory holding the server's Unix socket).
//!
//! Statements are prepared once per connection and kept in a bounded cache. Parameters are
//! encoded from [`ValueRef`] according to the type the *server inferred* for each `$n`, so
//! an `Int` bound to an `int2` column is range-checked here and a `Text` bound to a `uuid` or
//! `numeric` parameter is parsed here, with errors naming the parameter. Where the SQL does
//! not tell the server a parameter's type (`CONCAT($1, 'x')`, `$1 IS NULL`: error 42P18), the statement is prepared again with that parameter declared as the bound
//! value's type (text, bigint, double precision, ...; see [`declared_type`]); the connection
//! remembers which parameters of that SQL need it, and caches the statement under its SQL
//! *and* those types, so the same SQL bound with another kind of value gets a statement of its
//! own. Inside a transaction the first prepare of a statement runs in a savepoint, so finding
//! the types does not abort the transaction. Declaring only those parameters, not all, keeps
//! the server's inference (a text value into a `uuid`, `date` or enum column, an integer into
//! an `int2` column) everywhere it works; where it guesses (`$1 + 1` is INTEGER), a cast in
//! the SQL (`$1::bigint`) decides. Result columns are
//! decoded by their PostgreSQL type; text and bytes are borrowed from the row.
//!
//! PostgreSQL reports generated keys through `RETURNING`, so
//! [`DriverConnection::last_insert_id`] is always `None`.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::Duration;

use cinnabar_core::dialect::{Dialect, PostgresDialect};
use cinnabar_core::sql::{first_keyword, leading_keywords, split_statements, LexRules};
use cinnabar_core::{Error, ErrorKind, Result, ValueRef};
use postgres::config::SslMode;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::private::BytesMut;
use postgres::types::{FromSql, IsNull, Kind, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use crate::driver::{Driver, DriverConnection, RowSink};
use crate::row::Row;
use crate::url::Url;

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
}

impl fmt::Debug for PostgresDriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresDriver")
            .field("target", &self.target)
            .field("user", &self.user)
            .field("search_path", &self.search_path)
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
                other => {
                    return Err(url_error(format!(
                        "unknown PostgreSQL URL parameter {other:?} (understood: sslmode, application_name, options, search_path, connect_timeout, host)"
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
        // Reset on return: end any transaction, put every setting back to its value at
        // connect (startup `options` included), then redo this driver's own SET.
        let mut reset_sql = String::from("ROLLBACK; RESET ALL");
        let mut search_path = None;
        if let Some(schemas) = &self.search_path {
            let mut sql = String::from("SET search_path TO ");
            for (i, schema) in schemas.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                DIALECT.quote_identifier(&mut sql, schema);
            }
            reset_sql.push_str("; ");
            reset_sql.push_str(&sql);
            search_path = Some(sql);
        }
        let mut conn = PostgresConnection {
            client,
            cache: HashMap::new(),
            untyped: HashMap::new(),
            tx: TxState::default(),
            server_error: false,
            broken: false,
            reset_sql,
        };
        if let Some(sql) = search_path {
            conn.batch(&sql)
                .map_err(|e| e.context(format_args!("setting search_path on {}", self.target)))?;
        }
        Ok(conn)
    }
}

/// A statement prepared on one connection, with how to decode each result column.
#[derive(Clone)]
struct Prepared {
    stmt: Statement,
    decode: Arc<[Decode]>,
    /// Whether some column may need per-row storage (converted text, parsed JSON).
    needs_storage: bool,
}

struct PostgresConnection {
    client: Client,
    /// Keyed by the SQL, or for statements with declared parameter types by [`typed_key`].
    cache: HashMap<String, Prepared>,
    /// For SQL whose parameters the server could not type: their 0-based positions.
    untyped: HashMap<String, Vec<usize>>,
    tx: TxState,
    /// Whether the last failure was reported by the server.
    server_error: bool,
    broken: bool,
    /// Run by [`DriverConnection::reset`]: `ROLLBACK; RESET ALL` and the driver's own SETs.
    reset_sql: String,
}

// ---------------------------------------------------------------------------------------
// Type OIDs and decoding plans
// ---------------------------------------------------------------------------------------

/// How a result column is turned into a [`ValueRef`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decode {
    Bool,
    Int2,
    Int4,
    Int8,
    Oid,
    Float4,
    Float8,
    Text,
    Bytes,
    Numeric,
    Uuid,
    Json,
    Jsonb,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Unsupported,
}

fn decode_of(ty: &Type) -> Decode {
    match *ty {
        Type::BOOL => Decode::Bool,
        Type::INT2 => Decode::Int2,
        Type::INT4 => Decode::Int4,
        Type::INT8 => Decode::Int8,
        Type::OID | Type::REGCLASS | Type::REGTYPE | Type::REGPROC | Type::REGNAMESPACE => {
            Decode::Oid
        }
        Type::FLOAT4 => Decode::Float4,
        Type::FLOAT8 => Decode::Float8,
        Type::TEXT
        | Type::VARCHAR
        | Type::BPCHAR
        | Type::NAME
        | Type::UNKNOWN
        | Type::CHAR
        | Type::XML => Decode::Text,
        Type::BYTEA => Decode::Bytes,
        Type::NUMERIC => Decode::Numeric,
        Type::UUID => Decode::Uuid,
        Type::JSON => Decode::Json,
        Type::JSONB => Decode::Jsonb,
        Type::DATE => Decode::Date,
        Type::TIME => Decode::Time,
        Type::TIMESTAMP => Decode::Timestamp,
        Type::TIMESTAMPTZ => Decode::TimestampTz,
        _ => match ty.kind() {
            Kind::Enum(_) => Decode::Text,
            Kind::Domain(base) => decode_of(base),
            _ if ty.name() == "citext" => Decode::Text,
            _ => Decode::Unsupported,
        },
    }
}

/// Whether decoding `d` may need per-row storage (converted text, parsed JSON).
fn decode_needs_storage(d: Decode) -> bool {
    let uuid_as_text = cfg!(not(feature = "uuid"));
    let json_parsed = cfg!(feature = "json");
    matches!(
        d,
        Decode::Numeric | Decode::Date | Decode::Time | Decode::Timestamp | Decode::TimestampTz
    ) || (d == Decode::Uuid && uuid_as_text)
        || (matches!(d, Decode::Json | Decode::Jsonb) && json_parsed)
}

/// Raw access to a column's binary value, for every type.
struct RawColumn<'a>(Option<&'a [u8]>);

impl<'a> FromSql<'a> for RawColumn<'a> {
    fn from_sql(
        _: &Type,
        raw: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(RawColumn(Some(raw)))
    }

    fn from_sql_null(
        _: &Type,
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(RawColumn(None))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A value decoded into storage owned by the row wrapper.
enum Stored {
    Text(String),
    #[cfg(feature = "json")]
    Json(serde_json::Value),
    #[cfg(feature = "decimal")]
    Decimal(rust_decimal::Decimal),
}

struct PgRow<'r> {
    row: &'r postgres::Row,
    decode: &'r [Decode],
    storage: Vec<OnceCell<Stored>>,
}

fn fixed<const N: usize>(raw: &[u8]) -> std::result::Result<[u8; N], String> {
    raw.try_into()
        .map_err(|_| format!("expected {N} bytes, the server sent {}", raw.len()))
}

fn utf8(raw: &[u8]) -> std::result::Result<&str, String> {
    std::str::from_utf8(raw).map_err(|_| "text is not valid UTF-8".to_owned())
}

fn jsonb_text(raw: &[u8]) -> std::result::Result<&[u8], String> {
    match raw.split_first() {
        Some((1, rest)) => Ok(rest),
        Some((v, _)) => Err(format!("unknown jsonb format version {v}")),
        None => Err("empty jsonb value".to_owned()),
    }
}

impl PgRow<'_> {
    fn stash(
        &self,
        idx: usize,
        make: impl FnOnce() -> std::result::Result<Stored, String>,
    ) -> std::result::Result<&Stored, String> {
        let cell = self
            .storage
            .get(idx)
            .ok_or_else(|| "internal error: no storage for column".to_owned())?;
        if let Some(s) = cell.get() {
            return Ok(s);
        }
        let v = make()?;
        Ok(cell.get_or_init(|| v))
    }

    fn stored_text(
        &self,
        idx: usize,
        make: impl FnOnce() -> std::result::Result<String, String>,
    ) -> std::result::Result<ValueRef<'_>, String> {
        match self.stash(idx, || make().map(Stored::Text))? {
            Stored::Text(s) => Ok(ValueRef::Text(s)),
            #[allow(unreachable_patterns)]
            _ => Err("internal error: stored value has the wrong kind".to_owned()),
        }
    }

    fn decode<'a>(
        &'a self,
        idx: usize,
        d: Decode,
        raw: &'a [u8],
    ) -> std::result::Result<ValueRef<'a>, String> {
        Ok(match d {
            Decode::Bool => ValueRef::Bool(fixed::<1>(raw)?[0] != 0),
            Decode::Int2 => ValueRef::Int(i16::from_be_bytes(fixed(raw)?).into()),
            Decode::Int4 => ValueRef::Int(i32::from_be_bytes(fixed(raw)?).into()),
            Decode::Int8 => ValueRef::Int(i64::from_be_bytes(fixed(raw)?)),
            Decode::Oid => ValueRef::Int(u32::from_be_bytes(fixed(raw)?).into()),
            Decode::Float4 => ValueRef::Real(f32::from_be_bytes(fixed(raw)?).into()),
            Decode::Float8 => ValueRef::Real(f64::from_be_bytes(fixed(raw)?)),
            Decode::Text => ValueRef::Text(utf8(raw)?),
            Decode::Bytes => ValueRef::Blob(raw),
            Decode::Numeric => return self.decode_numeric(idx, raw),
            Decode::Uuid => return self.decode_uuid(idx, fixed(raw)?),
            Decode::Json => return self.decode_json(idx, raw),
            Decode::Jsonb => return self.decode_json(idx, jsonb_text(raw)?),
            Decode::Date => {
                let days = i32::from_be_bytes(fixed(raw)?);
                #[cfg(feature = "chrono")]
                if let Some(d) = chrono_date(days) {
                    return Ok(ValueRef::Date(d));
                }
                return self.stored_text(idx, || Ok(date_text(days)));
            }
            Decode::Time => {
                let micros = i64::from_be_bytes(fixed(raw)?);
                #[cfg(feature = "chrono")]
                if let Some(t) = chrono_time(micros) {
                    return Ok(ValueRef::Time(t));
                }
                return self.stored_text(idx, || Ok(time_text(micros)));
            }
            Decode::Timestamp | Decode::TimestampTz => {
                let micros = i64::from_be_bytes(fixed(raw)?);
                let tz = d == Decode::TimestampTz;
                #[cfg(feature = "chrono")]
                if let Some(t) = chrono_timestamp(micros) {
                    return Ok(if tz {
                        ValueRef::DateTimeUtc(t.and_utc())
                    } else {
                        ValueRef::DateTime(t)
                    });
                }
                return self.stored_text(idx, || Ok(timestamp_text(micros, tz)));
            }
            Decode::Unsupported => {
                return Err(format!(
                    "Cinnabar cannot read this type; cast the column in SQL (e.g. {}::text)",
                    self.column_name(idx)
                ))
            }
        })
    }

    #[cfg(feature = "decimal")]
    fn decode_numeric(&self, idx: usize, raw: &[u8]) -> std::result::Result<ValueRef<'_>, String> {
        let stored = self.stash(idx, || {
            let text = numeric_text(raw)?;
            // Exact only: NaN, infinities and values beyond 28 digits stay text. Trailing
            // fractional zeros are dropped if that is what it takes to fit (the value is
            // unchanged; only the scale shrinks).
            let exact = rust_decimal::Decimal::from_str_exact(&text).or_else(|e| {
                match text.contains('.').then(|| text.trim_end_matches('0')) {
                    Some(t) if t.len() < text.len() => {
                        rust_decimal::Decimal::from_str_exact(t.trim_end_matches('.'))
                    }
                    _ => Err(e),
                }
            });
            Ok(match exact {
                Ok(d) => Stored::Decimal(d),
                Err(_) => Stored::Text(text),
            })
        })?;
        match stored {
            Stored::Decimal(d) => Ok(ValueRef::Decimal(*d)),
            Stored::Text(s) => Ok(ValueRef::Text(s)),
            #[allow(unreachable_patterns)]
            _ => Err("internal error: stored value has the wrong kind".into()),
        }
    }

    #[cfg(not(feature = "decimal"))]
    fn decode_numeric(&self, idx: usize, raw: &[u8]) -> std::result::Result<ValueRef<'_>, String> {
        self.stored_text(idx, || numeric_text(raw))
    }

    #[cfg(feature = "uuid")]
    fn decode_uuid(&self, _: usize, bytes: [u8; 16]) -> std::result::Result<ValueRef<'_>, String> {
        Ok(ValueRef::Uuid(uuid::Uuid::from_bytes(bytes)))
    }

    #[cfg(not(feature = "uuid"))]
    fn decode_uuid(
        &self,
        idx: usize,
        bytes: [u8; 16],
    ) -> std::result::Result<ValueRef<'_>, String> {
        self.stored_text(idx, || Ok(uuid_text(&bytes)))
    }

    #[cfg(feature = "json")]
    fn decode_json(&self, idx: usize, text: &[u8]) -> std::result::Result<ValueRef<'_>, String> {
        let stored = self.stash(idx, || {
            serde_json::from_slice(text)
                .map(Stored::Json)
                .map_err(|e| format!("invalid JSON from the server: {e}"))
        })?;
        match stored {
            Stored::Json(j) => Ok(ValueRef::Json(j)),
            _ => Err("internal error: stored value has the wrong kind".into()),
        }
    }

    #[cfg(not(feature = "json"))]
    fn decode_json<'a>(
        &self,
        _: usize,
        text: &'a [u8],
    ) -> std::result::Result<ValueRef<'a>, String> {
        utf8(text).map(ValueRef::Text)
    }
}

impl Row for PgRow<'_> {
    fn len(&self) -> usize {
        self.decode.len()
    }

    fn column_name(&self, idx: usize) -> &str {
        self.row.columns().get(idx).map(|c| c.name()).unwrap_or("")
    }

    fn value(&self, idx: usize) -> Result<ValueRef<'_>> {
        let Some(&d) = self.decode.get(idx) else {
            return Err(Error::misuse(format!(
                "column index {idx} is out of range (row has {} columns)",
                self.decode.len()
            )));
        };
        let raw = match self.row.try_get::<_, RawColumn<'_>>(idx) {
            Ok(RawColumn(Some(raw))) => raw,
            Ok(RawColumn(None)) => return Ok(ValueRef::Null),
            Err(e) => return Err(Error::conversion(e.to_string())),
        };
        self.decode(idx, d, raw).map_err(|msg| {
            let ty = self.row.columns()[idx].type_();
            Error::conversion(format!(
                "column {:?} (PostgreSQL type {}): {msg}",
                self.column_name(idx),
                ty.name()
            ))
        })
    }
}

// ---------------------------------------------------------------------------------------
// Binding parameters
// ---------------------------------------------------------------------------------------

/// The error a parameter encoding reports; recognised when mapping errors.
#[derive(Debug)]
struct BindError(String);

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BindError {}

/// One parameter, encoded for the type the server inferred for its `$n`.
#[derive(Debug)]
struct Bind<'a> {
    value: ValueRef<'a>,
    /// 1-based position.
    position: usize,
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl Bind<'_> {
    fn fail(&self, ty: &Type, why: impl fmt::Display) -> BoxError {
        Box::new(BindError(format!(
            "parameter ${} ({} value) for PostgreSQL type {}: {why}",
            self.position,
            self.value.type_name(),
            ty.name()
        )))
    }

    fn mismatch(&self, ty: &Type) -> BoxError {
        self.fail(
            ty,
            format_args!(
                "cannot bind this value here; bind a matching value or cast the parameter in SQL (e.g. ${}::{})",
                self.position,
                match self.value {
                    ValueRef::Int(_) => "bigint",
                    ValueRef::Real(_) => "double precision",
                    ValueRef::Bool(_) => "boolean",
                    ValueRef::Blob(_) => "bytea",
                    _ => "text",
                }
            ),
        )
    }

    fn encode(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<(), BoxError> {
        let v = self.value;
        match *ty {
            Type::INT2 | Type::INT4 | Type::INT8 | Type::OID => {
                let ValueRef::Int(i) = v else {
                    return Err(self.mismatch(ty));
                };
                let range = |_| self.fail(ty, format_args!("integer {i} is out of range"));
                match *ty {
                    Type::INT2 => out.extend_from_slice(&i16::try_from(i).map_err(range)?.to_be_bytes()),
                    Type::INT4 => out.extend_from_slice(&i32::try_from(i).map_err(range)?.to_be_bytes()),
                    Type::OID => out.extend_from_slice(&u32::try_from(i).map_err(range)?.to_be_bytes()),
                    _ => out.extend_from_slice(&i.to_be_bytes()),
                }
            }
            Type::FLOAT4 | Type::FLOAT8 => {
                let f = match v {
                    ValueRef::Real(f) => f,
                    ValueRef::Int(i) => i as f64,
                    _ => return Err(self.mismatch(ty)),
                };
                if *ty == Type::FLOAT4 {
                    let narrow = f as f32;
                    if f.is_finite() && narrow.is_infinite() {
                        return Err(self.fail(ty, format_args!("{f:e} is out of range for real")));
                    }
                    out.extend_from_slice(&narrow.to_be_bytes());
                } else {
                    out.extend_from_slice(&f.to_be_bytes());
                }
            }
            Type::BOOL => {
                let b = match v {
                    ValueRef::Bool(b) => b,
                    ValueRef::Int(0) => false,
                    ValueRef::Int(1) => true,
                    ValueRef::Int(i) => {
                        return Err(self.fail(ty, format_args!("integer {i} is not a boolean (expected 0 or 1)")))
                    }
                    _ => return Err(self.mismatch(ty)),
                };
                out.extend_from_slice(&[u8::from(b)]);
            }
            Type::TEXT
            | Type::VARCHAR
            | Type::BPCHAR
            | Type::NAME
            | Type::UNKNOWN
            | Type::CHAR
            | Type::XML => match v {
                ValueRef::Text(s) => out.extend_from_slice(s.as_bytes()),
                _ => return Err(self.mismatch(ty)),
            },
            Type::BYTEA => match v {
                ValueRef::Blob(b) => out.extend_from_slice(b),
                _ => return Err(self.mismatch(ty)),
            },
            Type::NUMERIC => match v {
                #[cfg(feature = "decimal")]
                ValueRef::Decimal(d) => {
                    d.to_sql(ty, out)?;
                }
                ValueRef::Int(i) => encode_numeric(&i.to_string(), out).map_err(|e| self.fail(ty, e))?,
                ValueRef::Real(f) => encode_numeric(&f.to_string(), out).map_err(|e| self.fail(ty, e))?,
                ValueRef::Text(s) => encode_numeric(s, out).map_err(|e| self.fail(ty, e))?,
                _ => return Err(self.mismatch(ty)),
            },
            Type::UUID => match v {
                #[cfg(feature = "uuid")]
                ValueRef::Uuid(u) => out.extend_from_slice(u.as_bytes()),
                ValueRef::Text(s) => {
                    let bytes = parse_uuid(s).ok_or_else(|| self.fail(ty, "text is not a UUID"))?;
                    out.extend_from_slice(&bytes);
                }
                _ => return Err(self.mismatch(ty)),
            },
            Type::JSON | Type::JSONB => {
                if *ty == Type::JSONB {
                    out.extend_from_slice(&[1]);
                }
                match v {
                    #[cfg(feature = "json")]
                    ValueRef::Json(j) => {
                        let text = serde_json::to_vec(j).map_err(|e| self.fail(ty, e))?;
                        out.extend_from_slice(&text);
                    }
                    ValueRef::Text(s) => out.extend_from_slice(s.as_bytes()),
                    _ => return Err(self.mismatch(ty)),
                }
            }
            Type::DATE => {
                let days = match v {
                    #[cfg(feature = "chrono")]
                    ValueRef::Date(d) => return d.to_sql(ty, out).map(|_| ()),
                    ValueRef::Text(s) => parse_date(s.trim())
                        .ok_or_else(|| self.fail(ty, "text is not a date (YYYY-MM-DD)"))?,
                    _ => return Err(self.mismatch(ty)),
                };
                out.extend_from_slice(&days.to_be_bytes());
            }
            Type::TIME => {
                let micros = match v {
                    #[cfg(feature = "chrono")]
                    ValueRef::Time(t) => return t.to_sql(ty, out).map(|_| ()),
                    ValueRef::Text(s) => parse_time(s.trim())
                        .ok_or_else(|| self.fail(ty, "text is not a time (HH:MM:SS[.ffffff])"))?,
                    _ => return Err(self.mismatch(ty)),
                };
                out.extend_from_slice(&micros.to_be_bytes());
            }
            Type::TIMESTAMP | Type::TIMESTAMPTZ => {
                let tz = *ty == Type::TIMESTAMPTZ;
                let micros = match v {
                    // Naive values are taken as UTC for TIMESTAMPTZ; UTC instants lose
                    // their zone in a TIMESTAMP (as `DateTime<Utc>` reads a TIMESTAMP back).
                    #[cfg(feature = "chrono")]
                    ValueRef::DateTime(t) => chrono_micros(t),
                    #[cfg(feature = "chrono")]
                    ValueRef::DateTimeUtc(t) => chrono_micros(t.naive_utc()),
                    #[cfg(feature = "chrono")]
                    ValueRef::Date(d) => chrono_micros(d.and_time(chrono::NaiveTime::MIN)),
                    ValueRef::Text(s) => parse_timestamp(s.trim(), tz).ok_or_else(|| {
                        self.fail(ty, "text is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM])")
                    })?,
                    _ => return Err(self.mismatch(ty)),
                };
                let micros = micros.ok_or_else(|| self.fail(ty, "timestamp is out of range"))?;
                out.extend_from_slice(&micros.to_be_bytes());
            }
            _ => match ty.kind() {
                Kind::Enum(_) => match v {
                    ValueRef::Text(s) => out.extend_from_slice(s.as_bytes()),
                    _ => return Err(self.mismatch(ty)),
                },
                Kind::Domain(base) => return self.encode(base, out),
                _ if ty.name() == "citext" => match v {
                    ValueRef::Text(s) => out.extend_from_slice(s.as_bytes()),
                    _ => return Err(self.mismatch(ty)),
                },
                _ => {
                    return Err(self.fail(
                        ty,
                        format_args!(
                            "Cinnabar cannot encode this type; cast the parameter in SQL (e.g. ${}::text::{})",
                            self.position,
                            ty.name()
                        ),
                    ))
                }
            },
        }
        Ok(())
    }
}

impl ToSql for Bind<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, BoxError> {
        if self.value.is_null() {
            return Ok(IsNull::Yes);
        }
        self.encode(ty, out)?;
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

// ---------------------------------------------------------------------------------------
// NUMERIC, UUID, date and time conversions (binary wire format <-> text)
// ---------------------------------------------------------------------------------------

const NUMERIC_NEG: u16 = 0x4000;
const NUMERIC_NAN: u16 = 0xC000;
const NUMERIC_PINF: u16 = 0xD000;
const NUMERIC_NINF: u16 = 0xF000;

/// The text of a binary NUMERIC (as PostgreSQL prints it, keeping the scale).
fn numeric_text(raw: &[u8]) -> std::result::Result<String, String> {
    let bad = || "malformed numeric value".to_owned();
    let word = |i: usize| -> std::result::Result<u16, String> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(bad)
    };
    let ndigits = usize::from(word(0)?);
    let weight = i64::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = usize::from(word(3)?);
    if raw.len() != 8 + 2 * ndigits {
        return Err(bad());
    }
    match sign {
        NUMERIC_NAN => return Ok("NaN".into()),
        NUMERIC_PINF => return Ok("Infinity".into()),
        NUMERIC_NINF => return Ok("-Infinity".into()),
        0 | NUMERIC_NEG => {}
        _ => return Err(bad()),
    }
    let mut digits = Vec::with_capacity(ndigits);
    for i in 0..ndigits {
        let d = word(4 + i)?;
        if d > 9999 {
            return Err(bad());
        }
        digits.push(d);
    }
    let digit = |i: i64| -> u16 {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let mut out = String::new();
    if sign == NUMERIC_NEG {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for i in 0..=weight {
            let d = digit(i);
            if i == 0 {
                let _ = write!(out, "{d}");
            } else {
                let _ = write!(out, "{d:04}");
            }
        }
    }
    if dscale > 0 {
        out.push('.');
        let start = out.len();
        let mut i = weight + 1;
        while out.len() - start < dscale {
            let _ = write!(out, "{:04}", digit(i));
            i += 1;
        }
        out.truncate(start + dscale);
    }
    Ok(out)
}

/// Encodes decimal text (`-12.5`, `1e-3`, `NaN`, `Infinity`) as a binary NUMERIC.
fn encode_numeric(text: &str, out: &mut BytesMut) -> std::result::Result<(), String> {
    let s = text.trim();
    let special = match s.to_ascii_lowercase().as_str() {
        "nan" => Some(NUMERIC_NAN),
        "infinity" | "+infinity" | "inf" | "+inf" => Some(NUMERIC_PINF),
        "-infinity" | "-inf" => Some(NUMERIC_NINF),
        _ => None,
    };
    if let Some(sign) = special {
        for w in [0u16, 0, sign, 0] {
            out.extend_from_slice(&w.to_be_bytes());
        }
        return Ok(());
    }
    let invalid = || format!("{s:?} is not a decimal number");
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => {
            let e: i64 = body[i + 1..].parse().map_err(|_| invalid())?;
            (&body[..i], e)
        }
        None => (body, 0),
    };
    if exp.abs() > 16383 {
        return Err(format!("{s:?} is out of range for numeric"));
    }
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(invalid());
    }
    let dscale = (frac.len() as i64 - exp).max(0);
    // All digits, with the decimal point after `point` of them.
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
    let mut point = int.len() as i64 + exp;
    if point < 0 {
        let pad = usize::try_from(-point).unwrap_or(0);
        digits.splice(0..0, vec![0; pad]);
        point = 0;
    }
    let point = usize::try_from(point).unwrap_or(0);
    if point > digits.len() {
        digits.resize(point, 0);
    }
    // Align to base-10000 groups around the decimal point.
    let lead = (4 - point % 4) % 4;
    digits.splice(0..0, vec![0; lead]);
    let point = point + lead;
    let tail = (4 - digits.len() % 4) % 4;
    digits.resize(digits.len() + tail, 0);
    let mut groups: Vec<u16> = digits
        .chunks(4)
        .map(|c| c.iter().fold(0u16, |acc, &d| acc * 10 + u16::from(d)))
        .collect();
    let mut weight = (point / 4) as i64 - 1;
    let leading = groups.iter().take_while(|&&g| g == 0).count();
    groups.drain(..leading);
    weight -= leading as i64;
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    let ndigits = u16::try_from(groups.len())
        .map_err(|_| format!("{s:?} has too many digits for numeric"))?;
    let weight = i16::try_from(weight).map_err(|_| format!("{s:?} is out of range for numeric"))?;
    let dscale = u16::try_from(dscale).map_err(|_| format!("{s:?} is out of range for numeric"))?;
    let sign = if neg && !groups.is_empty() {
        NUMERIC_NEG
    } else {
        0
    };
    out.extend_from_slice(&ndigits.to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&dscale.to_be_bytes());
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
    Ok(())
}

#[cfg_attr(feature = "uuid", allow(dead_code))]
fn uuid_text(b: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        let _ = write!(s, "{byte:02x}");
    }
    s
}

/// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, the 32-digit form, or either in braces.
fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let s = s.trim();
    let s = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(s);
    let hex: Vec<u8> = match s.len() {
        32 => s.bytes().collect(),
        36 => {
            let b = s.as_bytes();
            if [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
                return None;
            }
            s.bytes().filter(|&c| c != b'-').collect()
        }
        _ => return None,
    };
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

/// Days from 1970-01-01 to a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `z` days after 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// PostgreSQL's epoch, 2000-01-01, in days after 1970-01-01.
const PG_EPOCH_DAYS: i64 = 10_957;
const MICROS_PER_DAY: i64 = 86_400_000_000;

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn date_text(days: i32) -> String {
    match days {
        i32::MAX => "infinity".into(),
        i32::MIN => "-infinity".into(),
        _ => {
            let (y, m, d) = civil_from_days(i64::from(days) + PG_EPOCH_DAYS);
            if y <= 0 {
                format!("{:04}-{m:02}-{d:02} BC", 1 - y)
            } else {
                format!("{y:04}-{m:02}-{d:02}")
            }
        }
    }
}

fn time_text(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let mut s = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac != 0 {
        let f = format!("{frac:06}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s
}

fn timestamp_text(micros: i64, tz: bool) -> String {
    match micros {
        i64::MAX => "infinity".into(),
        i64::MIN => "-infinity".into(),
        _ => {
            let days = micros.div_euclid(MICROS_PER_DAY);
            let time = micros.rem_euclid(MICROS_PER_DAY);
            let date = date_text(i32::try_from(days).unwrap_or(i32::MAX - 1));
            let (date, bc) = match date.strip_suffix(" BC") {
                Some(d) => (d.to_owned(), " BC"),
                None => (date, ""),
            };
            let zone = if tz { "+00:00" } else { "" };
            format!("{date} {}{zone}{bc}", time_text(time))
        }
    }
}

fn parse_num<T: std::str::FromStr>(s: &str, len: std::ops::RangeInclusive<usize>) -> Option<T> {
    if !len.contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD` (or `infinity`) to days since 2000-01-01.
fn parse_date(s: &str) -> Option<i32> {
    match s.to_ascii_lowercase().as_str() {
        "infinity" | "+infinity" => return Some(i32::MAX),
        "-infinity" => return Some(i32::MIN),
        _ => {}
    }
    let mut it = s.splitn(3, '-');
    let y: i64 = parse_num(it.next()?, 4..=6)?;
    let m: u32 = parse_num(it.next()?, 2..=2)?;
    let d: u32 = parse_num(it.next()?, 2..=2)?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    i32::try_from(days_from_civil(y, m, d) - PG_EPOCH_DAYS).ok()
}

/// `HH:MM[:SS[.ffffff]]` to microseconds after midnight.
fn parse_time(s: &str) -> Option<i64> {
    let (hms, frac) = s.split_once('.').unwrap_or((s, ""));
    let mut it = hms.split(':');
    let h: i64 = parse_num(it.next()?, 2..=2)?;
    let m: i64 = parse_num(it.next()?, 2..=2)?;
    let sec: i64 = match it.next() {
        Some(x) => parse_num(x, 2..=2)?,
        None if frac.is_empty() => 0,
        None => return None,
    };
    if it.next().is_some() || m > 59 || sec > 60 || h > 24 {
        return None;
    }
    let mut micros = 0i64;
    if !frac.is_empty() {
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let f = format!("{:0<6}", &frac[..frac.len().min(6)]);
        micros = f.parse().ok()?;
    }
    let total = ((h * 60 + m) * 60 + sec) * 1_000_000 + micros;
    (total <= MICROS_PER_DAY).then_some(total)
}

/// `YYYY-MM-DD[ T]HH:MM[:SS[.f]][Z|±HH[:MM]]` (or a bare date, or `infinity`) to
/// microseconds since 2000-01-01 00:00 (UTC when `tz`; a zone is ignored otherwise, as
/// PostgreSQL does for `timestamp without time zone`). A value without a zone is taken as
/// UTC for `tz`. Returns `Some(None)` when the value is out of range.
fn parse_timestamp(s: &str, tz: bool) -> Option<Option<i64>> {
    match s.to_ascii_lowercase().as_str() {
        "infinity" | "+infinity" => return Some(Some(i64::MAX)),
        "-infinity" => return Some(Some(i64::MIN)),
        _ => {}
    }
    let (date, rest) = match s.find([' ', 'T', 't']) {
        Some(i) => (&s[..i], s[i + 1..].trim_start()),
        None => (s, ""),
    };
    let days = i64::from(parse_date(date)?);
    let (time, offset_secs) = if rest.is_empty() {
        (0, 0)
    } else {
        let (time, zone) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
            (t.trim_end(), Some(0))
        } else if let Some(i) = rest.rfind(['+', '-']) {
            let zone = &rest[i + 1..];
            let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
            let (zh, zm) = match zone.split_once(':') {
                Some((h, m)) => (parse_num::<i64>(h, 1..=2)?, parse_num::<i64>(m, 2..=2)?),
                None if zone.len() == 4 => (
                    parse_num::<i64>(&zone[..2], 2..=2)?,
                    parse_num::<i64>(&zone[2..], 2..=2)?,
                ),
                None => (parse_num::<i64>(zone, 1..=2)?, 0),
            };
            (rest[..i].trim_end(), Some(sign * (zh * 3600 + zm * 60)))
        } else {
            (rest, None)
        };
        let zone = if tz { zone.unwrap_or(0) } else { 0 };
        (parse_time(time)?, zone)
    };
    Some(
        days.checked_mul(MICROS_PER_DAY)
            .and_then(|d| d.checked_add(time))
            .and_then(|t| t.checked_sub(offset_secs * 1_000_000)),
    )
}

#[cfg(feature = "chrono")]
fn pg_epoch() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
        .unwrap_or_default()
        .and_time(chrono::NaiveTime::MIN)
}

#[cfg(feature = "chrono")]
fn chrono_micros(t: chrono::NaiveDateTime) -> Option<i64> {
    // Floor to the microsecond (a duration would truncate toward 2000-01-01, moving earlier
    // values forward, possibly into the next day).
    t.and_utc()
        .timestamp_micros()
        .checked_sub(pg_epoch().and_utc().timestamp_micros())
}

#[cfg(feature = "chrono")]
fn chrono_date(days: i32) -> Option<chrono::NaiveDate> {
    if days == i32::MAX || days == i32::MIN {
        return None;
    }
    pg_epoch()
        .date()
        .checked_add_signed(chrono::Duration::days(days.into()))
}

#[cfg(feature = "chrono")]
fn chrono_time(micros: i64) -> Option<chrono::NaiveTime> {
    let secs = u32::try_from(micros.div_euclid(1_000_000)).ok()?;
    let nanos = u32::try_from(micros.rem_euclid(1_000_000) * 1000).ok()?;
    chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
}

#[cfg(feature = "chrono")]
fn chrono_timestamp(micros: i64) -> Option<chrono::NaiveDateTime> {
    if micros == i64::MAX || micros == i64::MIN {
        return None;
    }
    pg_epoch().checked_add_signed(chrono::Duration::microseconds(micros))
}

// ---------------------------------------------------------------------------------------
// Transaction tracking
// ---------------------------------------------------------------------------------------

/// What a statement does to the session's transaction block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxEffect {
    /// `BEGIN`, `START TRANSACTION`.
    Begin,
    /// `COMMIT`, `END`, `PREPARE TRANSACTION`.
    Commit,
    /// `ROLLBACK`, `ABORT`.
    Rollback,
    /// `ROLLBACK TO [SAVEPOINT]`: ends the aborted state of a failed transaction.
    RollbackToSavepoint,
    None,
}

/// The session's transaction state as the driver tracks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct TxState {
    /// A transaction block is open.
    open: bool,
    /// A statement failed on the server inside it: PostgreSQL ignores everything until
    /// ROLLBACK (or ROLLBACK TO SAVEPOINT), and turns COMMIT into ROLLBACK.
    failed: bool,
}

impl TxState {
    /// The state after statements with `effects` ran. `outcome` is `Ok`, or `Err(server)`
    /// where `server` says whether the server reported the error (which aborts an open
    /// transaction; a client-side error does not).
    fn after(self, effects: &[TxEffect], outcome: std::result::Result<(), bool>) -> TxState {
        match outcome {
            Ok(()) => effects.iter().fold(self, |st, e| match e {
                TxEffect::Begin => TxState {
                    open: true,
                    failed: false,
                },
                TxEffect::Commit | TxEffect::Rollback => TxState::default(),
                TxEffect::RollbackToSavepoint => TxState {
                    failed: false,
                    ..st
                },
                TxEffect::None => st,
            }),
            // A lone COMMIT/ROLLBACK that fails still ends the block.
            Err(_) if matches!(effects, [TxEffect::Commit | TxEffect::Rollback]) => {
                TxState::default()
            }
            Err(server) => {
                // Some statement failed and we do not know which: assume a block may be
                // open (a spurious ROLLBACK on return to the pool is harmless; a forgotten
                // open transaction is not).
                let open = self.open || effects.contains(&TxEffect::Begin);
                TxState {
                    open,
                    failed: open && (server || self.failed),
                }
            }
        }
    }
}

/// PostgreSQL's lexical rules, for reading statement text.
fn rules() -> LexRules {
    DIALECT.lex_rules()
}

fn tx_effect(stmt: &str) -> TxEffect {
    const TX_WORDS: [&str; 7] = [
        "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "PREPARE",
    ];
    let mut words = leading_keywords(stmt, rules());
    let Some(first) = words.next() else {
        return TxEffect::None;
    };
    if !TX_WORDS.iter().any(|w| first.eq_ignore_ascii_case(w)) {
        return TxEffect::None;
    }
    let mut w = [""; 5];
    w[0] = first;
    for (slot, word) in w[1..].iter_mut().zip(words) {
        *slot = word;
    }
    let has = |s: &str| w.iter().any(|x| x.eq_ignore_ascii_case(s));
    let chain = has("CHAIN") && !has("NO");
    let is = |k: &str| first.eq_ignore_ascii_case(k);
    if is("BEGIN") || is("START") {
        TxEffect::Begin
    } else if (is("COMMIT") || is("END")) && !has("PREPARED") && !chain {
        TxEffect::Commit
    } else if (is("ROLLBACK") || is("ABORT")) && has("TO") {
        TxEffect::RollbackToSavepoint
    } else if (is("ROLLBACK") || is("ABORT")) && !has("PREPARED") && !chain {
        TxEffect::Rollback
    } else if is("PREPARE") && w[1].eq_ignore_ascii_case("TRANSACTION") {
        TxEffect::Commit
    } else {
        TxEffect::None
    }
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// The message of a postgres error, with DETAIL/HINT where they carry no row data.
fn describe(e: &postgres::Error) -> String {
    let Some(db) = e.as_db_error() else {
        let mut s = e.to_string();
        let mut src = std::error::Error::source(e);
        while let Some(inner) = src {
            let text = inner.to_string();
            if !s.contains(&text) {
                let _ = write!(s, ": {text}");
            }
            src = inner.source();
        }
        return s;
    };
    let code = db.code().code();
    let mut s = db.message().to_owned();
    let mut place = Vec::new();
    if let Some(t) = db.table() {
        place.push(match db.schema() {
            Some(sc) => format!("table {sc}.{t}"),
            None => format!("table {t}"),
        });
    }
    if let Some(c) = db.column() {
        place.push(format!("column {c}"));
    }
    if !place.is_empty() {
        let _ = write!(s, " ({})", place.join(", "));
    }
    // Data exceptions and integrity violations echo row values in DETAIL: leave it out.
    if !code.starts_with("22") && !code.starts_with("23") {
        if let Some(d) = db.detail() {
            let _ = write!(s, "; detail: {d}");
        }
    }
    if let Some(h) = db.hint() {
        let _ = write!(s, "; hint: {h}");
    }
    if code == "42P18" {
        s.push_str("; add an explicit cast to the parameter, e.g. $1::bigint or $1::text");
    }
    s
}

/// Maps a postgres error; the second value says whether the connection is now unusable.
fn map_error(e: postgres::Error, sql: Option<&str>) -> (Error, bool) {
    if let Some(bind) = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<BindError>()) {
        let err = Error::conversion(bind.0.clone());
        return (with_sql(err, sql), false);
    }
    let Some(db) = e.as_db_error() else {
        let err = Error::new(
            ErrorKind::Connection,
            format!("PostgreSQL connection failed: {}", describe(&e)),
        )
        .with_source(e);
        return (with_sql(err, sql), true);
    };
    let code = db.code().code().to_owned();
    let (kind, broken) = match code.as_str() {
        "23505" | "23P01" => (ErrorKind::UniqueViolation, false),
        "23503" | "23001" => (ErrorKind::ForeignKeyViolation, false),
        "23502" => (ErrorKind::NotNullViolation, false),
        "23514" => (ErrorKind::CheckViolation, false),
        "40P01" => (ErrorKind::Deadlock, false),
        "40001" => (ErrorKind::SerializationFailure, false),
        "55P03" => (ErrorKind::Busy, false),
        "57P01" | "57P02" | "57P03" => (ErrorKind::Connection, true),
        c if c.starts_with("08") => (ErrorKind::Connection, true),
        _ => (ErrorKind::Database, false),
    };
    let constraint = match (db.constraint(), kind) {
        (Some(c), _) => Some(c.to_owned()),
        (None, ErrorKind::NotNullViolation) => match (db.table(), db.column()) {
            (Some(t), Some(c)) => Some(format!("{t}.{c}")),
            (None, Some(c)) => Some(c.to_owned()),
            _ => None,
        },
        _ => None,
    };
    let mut err = Error::new(kind, describe(&e)).with_code(code);
    if let Some(c) = constraint {
        err = err.with_constraint(c);
    }
    let fatal = broken || matches!(db.severity(), "FATAL" | "PANIC");
    (with_sql(err.with_source(e), sql), fatal)
}

fn with_sql(err: Error, sql: Option<&str>) -> Error {
    match sql {
        Some(s) => err.with_sql(s),
        None => err,
    }
}

// ---------------------------------------------------------------------------------------
// The connection
// ---------------------------------------------------------------------------------------

/// Whether a statement only reads (its row count is not "rows changed").
fn is_query(sql: &str) -> bool {
    first_keyword(sql, rules()).is_some_and(|w| {
        ["SELECT", "VALUES", "TABLE", "SHOW", "EXPLAIN", "FETCH"]
            .iter()
            .any(|q| w.eq_ignore_ascii_case(q))
    })
}

impl PostgresConnection {
    /// Updates the transaction state after statements with `effects` ran, and reports a
    /// COMMIT that PostgreSQL silently turned into a ROLLBACK.
    fn settle<T>(&mut self, effects: &[TxEffect], sql: &str, result: Result<T>) -> Result<T> {
        let before = self.tx;
        let outcome = match &result {
            Ok(_) => Ok(()),
            Err(_) => Err(self.server_error),
        };
        self.tx = before.after(effects, outcome);
        if result.is_ok() && before.open && before.failed && effects == [TxEffect::Commit] {
            return Err(Error::new(
                ErrorKind::Database,
                "the transaction was rolled back, not committed: a statement in it failed earlier \
                 (PostgreSQL answers COMMIT of a failed transaction with ROLLBACK)",
            )
            .with_code("25P02")
            .with_sql(sql));
        }
        result
    }

    fn fail(&mut self, e: postgres::Error, sql: &str) -> Error {
        if e.as_db_error().is_some() {
            self.server_error = true;
        }
        let (err, broken) = map_error(e, Some(sql));
        if broken || self.client.is_closed() {
            self.broken = true;
        }
        err
    }

    fn prepare(&mut self, sql: &str, params: &[ValueRef<'_>]) -> Result<Prepared> {
        let mut types = match self.untyped.get(sql) {
            None => {
                if let Some(p) = self.cache.get(sql) {
                    return Ok(p.clone());
                }
                Vec::new()
            }
            Some(positions) => {
                let types = declared_types(positions, params);
                if let Some(p) = self.cache.get(&typed_key(sql, &types)) {
                    return Ok(p.clone());
                }
                types
            }
        };
        // A failed prepare aborts an open transaction: try it in a savepoint, so a parameter
        // the server cannot type can be declared and the statement prepared again.
        let guard = self.tx.open && !params.is_empty();
        if guard {
            self.client
                .batch_execute("SAVEPOINT cinnabar_prepare")
                .map_err(|e| self.fail(e, sql))?;
        }
        let stmt = loop {
            match self.client.prepare_typed(sql, &types) {
                Ok(s) => break s,
                Err(e) => {
                    let position = untyped_parameter(&e)
                        .filter(|&i| i < params.len() && !types.get(i).is_some_and(is_declared));
                    let Some(i) = position else {
                        // Any other error: as without the savepoint (a transaction stays
                        // aborted, as PostgreSQL does for every failed statement).
                        return Err(self.fail(e, sql));
                    };
                    if guard {
                        self.client
                            .batch_execute("ROLLBACK TO SAVEPOINT cinnabar_prepare")
                            .map_err(|e| self.fail(e, sql))?;
                    }
                    if self.untyped.len() >= STATEMENT_CACHE {
                        self.untyped.clear();
                    }
                    let positions = self.untyped.entry(sql.to_owned()).or_default();
                    positions.push(i);
                    types = declared_types(positions, params);
                }
            }
        };
        if guard {
            self.client
                .batch_execute("RELEASE SAVEPOINT cinnabar_prepare")
                .map_err(|e| self.fail(e, sql))?;
        }
        let decode: Arc<[Decode]> = stmt
            .columns()
            .iter()
            .map(|c| decode_of(c.type_()))
            .collect();
        let needs_storage = decode.iter().any(|&d| decode_needs_storage(d));
        let prepared = Prepared {
            stmt,
            decode,
            needs_storage,
        };
        if self.cache.len() >= STATEMENT_CACHE {
            if let Some(k) = self.cache.keys().next().cloned() {
                self.cache.remove(&k);
            }
        }
        let key = if types.is_empty() {
            sql.to_owned()
        } else {
            typed_key(sql, &types)
        };
        self.cache.insert(key, prepared.clone());
        Ok(prepared)
    }

    fn execute(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: &mut Option<RowSink<'_>>,
    ) -> std::result::Result<u64, Attempt> {
        let prepared = self.prepare(sql, params).map_err(Attempt::Failed)?;
        let expected = prepared.stmt.params().len();
        if expected != params.len() {
            return Err(Attempt::Failed(
                Error::misuse(format!(
                    "statement expects {expected} parameters, {} were given",
                    params.len()
                ))
                .with_sql(sql),
            ));
        }
        let binds = params.iter().enumerate().map(|(i, &value)| Bind {
            value,
            position: i + 1,
        });
        let mut rows = match self.client.query_raw(&prepared.stmt, binds) {
            Ok(rows) => rows,
            Err(e) => return Err(Attempt::Start(e)),
        };
        let count = prepared.decode.len();
        loop {
            let row = match rows.next() {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(e) => {
                    drop(rows);
                    return Err(Attempt::Failed(self.fail(e, sql)));
                }
            };
            if let Some(sink) = sink.as_mut() {
                let storage = if prepared.needs_storage {
                    (0..count).map(|_| OnceCell::new()).collect()
                } else {
                    Vec::new()
                };
                let pg_row = PgRow {
                    row: &row,
                    decode: &prepared.decode,
                    storage,
                };
                sink(&pg_row).map_err(Attempt::Failed)?;
            }
        }
        let affected = rows.rows_affected().unwrap_or(0);
        Ok(if is_query(sql) { 0 } else { affected })
    }

    fn run_inner(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        mut sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        let mut retried = false;
        loop {
            match self.execute(sql, params, &mut sink) {
                Ok(n) => return Ok(n),
                Err(Attempt::Failed(e)) => return Err(e),
                Err(Attempt::Start(e)) => {
                    // A schema change can invalidate a cached plan ("cached plan must not
                    // change result type"): drop it, and outside a transaction (which the
                    // error would have aborted) prepare again once.
                    let code = e.code().map(|c| c.code().to_owned()).unwrap_or_default();
                    let stale = code == "0A000" || code.starts_with("42");
                    if stale {
                        // The statement under its SQL and under any declared types.
                        self.cache.retain(|k, _| {
                            k.strip_prefix(sql)
                                .is_none_or(|rest| !rest.is_empty() && !rest.starts_with('\0'))
                        });
                    }
                    if code == "0A000" && !retried && !self.tx.open {
                        retried = true;
                        tracing::debug!(target: "cinnabar::engine", "a schema change invalidated a prepared statement; preparing it again");
                        continue;
                    }
                    return Err(self.fail(e, sql));
                }
            }
        }
    }
}

/// The type a parameter the server could not infer is declared with: the bound value's own
/// (a NULL as text, which any expression accepts).
fn declared_type(v: ValueRef<'_>) -> Type {
    match v {
        ValueRef::Null | ValueRef::Text(_) => Type::TEXT,
        ValueRef::Bool(_) => Type::BOOL,
        ValueRef::Int(_) => Type::INT8,
        ValueRef::Real(_) => Type::FLOAT8,
        ValueRef::Blob(_) => Type::BYTEA,
        #[cfg(feature = "chrono")]
        ValueRef::Date(_) => Type::DATE,
        #[cfg(feature = "chrono")]
        ValueRef::Time(_) => Type::TIME,
        #[cfg(feature = "chrono")]
        ValueRef::DateTime(_) => Type::TIMESTAMP,
        #[cfg(feature = "chrono")]
        ValueRef::DateTimeUtc(_) => Type::TIMESTAMPTZ,
        #[cfg(feature = "uuid")]
        ValueRef::Uuid(_) => Type::UUID,
        #[cfg(feature = "decimal")]
        ValueRef::Decimal(_) => Type::NUMERIC,
        #[cfg(feature = "json")]
        ValueRef::Json(_) => Type::JSONB,
        _ => Type::TEXT,
    }
}

/// Oid 0: the server infers the parameter's type from the SQL.
fn unspecified() -> Type {
    Type::new(String::new(), 0, Kind::Pseudo, String::new())
}

fn is_declared(t: &Type) -> bool {
    t.oid() != 0
}

/// Parameter types for `prepare_typed`: the values' types at `positions`, the server's
/// inference before them (the list ends at the last declared one, so the server still counts
/// the parameters).
fn declared_types(positions: &[usize], params: &[ValueRef<'_>]) -> Vec<Type> {
    let len = positions.iter().map(|&i| i + 1).max().unwrap_or(0);
    let mut types = vec![unspecified(); len.min(params.len())];
    for &i in positions {
        if let (Some(t), Some(&v)) = (types.get_mut(i), params.get(i)) {
            *t = declared_type(v);
        }
    }
    types
}

/// The cache key of `sql` prepared with declared `types`: the SQL, a NUL (never in SQL sent
/// to the server: the protocol forbids it) and the type OIDs.
fn typed_key(sql: &str, types: &[Type]) -> String {
    let mut key = String::with_capacity(sql.len() + 1 + types.len() * 5);
    key.push_str(sql);
    key.push('\0');
    for t in types {
        let _ = write!(key, "{},", t.oid());
    }
    key
}

/// The 0-based position of the parameter a 42P18 error ("could not determine data type of
/// parameter $N") names.
fn untyped_parameter(e: &postgres::Error) -> Option<usize> {
    let db = e.as_db_error()?;
    if db.code().code() != "42P18" {
        return None;
    }
    let digits = db.message().rsplit_once('$')?.1;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse::<usize>().ok()?.checked_sub(1)
}

/// How one attempt at a statement failed.
enum Attempt {
    /// Before any row was produced, with the raw error (may be retried).
    Start(postgres::Error),
    /// Anything else, already mapped.
    Failed(Error),
}

impl DriverConnection for PostgresConnection {
    fn run(
        &mut self,
        sql: &str,
        params: &[ValueRef<'_>],
        sink: Option<RowSink<'_>>,
    ) -> Result<u64> {
        // One statement only (the extended protocol allows no more).
        let effects = [tx_effect(sql)];
        self.server_error = false;
        let result = self.run_inner(sql, params, sink);
        self.settle(&effects, sql, result)
    }

    fn batch(&mut self, sql: &str) -> Result<()> {
        let effects: Vec<TxEffect> = split_statements(sql, rules()).map(tx_effect).collect();
        self.server_error = false;
        let result = self
            .client
            .batch_execute(sql)
            .map_err(|e| self.fail(e, sql));
        self.settle(&effects, sql, result)
    }

    fn last_insert_id(&self) -> Option<i64> {
        None
    }

    fn in_transaction(&self) -> bool {
        self.tx.open && !self.is_broken()
    }

    fn reset(&mut self) -> Result<()> {
        // The client library does not expose the server's transaction status, so this is
        // one unconditional round trip (ROLLBACK outside a transaction is only a notice).
        // Prepared statements survive it (RESET ALL, not DISCARD ALL).
        self.server_error = false;
        match self.client.batch_execute(&self.reset_sql) {
            Ok(()) => {
                self.tx = TxState::default();
                Ok(())
            }
            Err(e) => {
                let sql = std::mem::take(&mut self.reset_sql);
                let err = self.fail(e, &sql);
                self.reset_sql = sql;
                Err(err)
            }
        }
    }

    fn ping(&mut self) -> Result<()> {
        self.client.is_valid(PING_TIMEOUT).map_err(|e| {
            self.broken = true;
            Error::new(
                ErrorKind::Connection,
                format!("PostgreSQL ping failed: {}", describe(&e)),
            )
            .with_source(e)
        })
    }

    fn is_broken(&self) -> bool {
        self.broken || self.client.is_closed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_round_trip(text: &str) -> String {
        let mut buf = BytesMut::new();
        encode_numeric(text, &mut buf).unwrap();
        numeric_text(&buf).unwrap()
    }

    #[test]
    fn numeric_text_round_trips() {
        for (input, shown) in [
            ("0", "0"),
            ("-0", "0"),
            ("0.00", "0.00"),
            ("1", "1"),
            ("-1", "-1"),
            ("10000", "10000"),
            ("12345.6789", "12345.6789"),
            ("-3950.123456", "-3950.123456"),
            ("0.0001", "0.0001"),
            ("0.00001", "0.00001"),
            ("1e3", "1000"),
            ("1.5e-3", "0.0015"),
            ("+7.25", "7.25"),
            ("9223372036854775807", "9223372036854775807"),
            ("-9223372036854775808", "-9223372036854775808"),
            (
                "12345678901234567890123456789012345678.0123456789",
                "12345678901234567890123456789012345678.0123456789",
            ),
            ("NaN", "NaN"),
            ("Infinity", "Infinity"),
            ("-inf", "-Infinity"),
        ] {
            assert_eq!(numeric_round_trip(input), shown, "{input}");
        }
        for bad in ["", ".", "1.2.3", "abc", "1e", "--1", "1e99999"] {
            assert!(encode_numeric(bad, &mut BytesMut::new()).is_err(), "{bad}");
        }
    }

    #[test]
    fn numeric_binary_matches_postgres_layout() {
        // 3950.123456 as PostgreSQL stores it: 3 groups, weight 0, dscale 6.
        let mut buf = BytesMut::new();
        encode_numeric("3950.123456", &mut buf).unwrap();
        assert_eq!(
            &buf[..],
            &[0, 3, 0, 0, 0, 0, 0, 6, 0x0F, 0x6E, 0x04, 0xD2, 0x15, 0xE0]
        );
    }

    #[test]
    fn dates_and_times_convert() {
        assert_eq!(parse_date("2000-01-01"), Some(0));
        assert_eq!(parse_date("1999-12-31"), Some(-1));
        assert_eq!(parse_date("2024-02-29"), Some(8825));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(date_text(8825), "2024-02-29");
        assert_eq!(date_text(-1), "1999-12-31");
        assert_eq!(date_text(i32::MAX), "infinity");
        for days in [-800_000, -1, 0, 1, 59, 60, 365, 8825, 3_000_000] {
            let text = date_text(days);
            if !text.ends_with("BC") {
                assert_eq!(parse_date(&text), Some(days), "{text}");
            }
        }
        assert_eq!(
            parse_time("13:45:10.5"),
            Some(((13 * 60 + 45) * 60 + 10) * 1_000_000 + 500_000)
        );
        assert_eq!(
            time_text(((13 * 60 + 45) * 60 + 10) * 1_000_000 + 500_000),
            "13:45:10.5"
        );
        assert_eq!(time_text(0), "00:00:00");
        assert_eq!(parse_time("25:00"), None);
        let ts = parse_timestamp("2024-03-01 12:00:00+02:00", true)
            .unwrap()
            .unwrap();
        assert_eq!(timestamp_text(ts, true), "2024-03-01 10:00:00+00:00");
        let ts = parse_timestamp("2024-03-01T12:00:00.000001Z", true)
            .unwrap()
            .unwrap();
        assert_eq!(timestamp_text(ts, true), "2024-03-01 12:00:00.000001+00:00");
        let ts = parse_timestamp("2024-03-01 12:00:00-0530", false)
            .unwrap()
            .unwrap();
        assert_eq!(timestamp_text(ts, false), "2024-03-01 12:00:00");
        assert_eq!(
            parse_timestamp("2024-03-01", false),
            Some(Some(8826 * MICROS_PER_DAY))
        );
        assert_eq!(parse_timestamp("yesterday", false), None);
        assert_eq!(timestamp_text(i64::MIN, true), "-infinity");
    }

    #[test]
    fn uuids_parse_and_print() {
        let text = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        let b = parse_uuid(text).unwrap();
        assert_eq!(uuid_text(&b), text);
        assert_eq!(parse_uuid("{A0EEBC999C0B4EF8BB6D6BB9BD380A11}"), Some(b));
        assert_eq!(parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"), None);
        assert_eq!(parse_uuid("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), None);
    }

    #[test]
    fn transaction_statements_are_classified() {
        assert_eq!(tx_effect("BEGIN"), TxEffect::Begin);
        assert_eq!(
            tx_effect("  -- c\n begin isolation level serializable"),
            TxEffect::Begin
        );
        assert_eq!(tx_effect("START TRANSACTION"), TxEffect::Begin);
        assert_eq!(tx_effect("COMMIT"), TxEffect::Commit);
        assert_eq!(tx_effect("end"), TxEffect::Commit);
        assert_eq!(tx_effect("ROLLBACK"), TxEffect::Rollback);
        assert_eq!(
            tx_effect("ROLLBACK TO SAVEPOINT sp"),
            TxEffect::RollbackToSavepoint
        );
        assert_eq!(
            tx_effect("ROLLBACK WORK TO sp"),
            TxEffect::RollbackToSavepoint
        );
        assert_eq!(tx_effect("COMMIT AND CHAIN"), TxEffect::None);
        assert_eq!(tx_effect("COMMIT AND NO CHAIN"), TxEffect::Commit);
        assert_eq!(tx_effect("COMMIT PREPARED 'x'"), TxEffect::None);
        assert_eq!(tx_effect("PREPARE TRANSACTION 'x'"), TxEffect::Commit);
        assert_eq!(tx_effect("SAVEPOINT sp"), TxEffect::None);
        assert_eq!(tx_effect("SELECT 1"), TxEffect::None);

        let after = |sql: &str, before: TxState, outcome| {
            let effects: Vec<TxEffect> = split_statements(sql, rules()).map(tx_effect).collect();
            before.after(&effects, outcome)
        };
        let idle = TxState::default();
        let open = TxState {
            open: true,
            failed: false,
        };
        let failed = TxState {
            open: true,
            failed: true,
        };
        assert_eq!(after("BEGIN", idle, Ok(())), open);
        assert_eq!(after("COMMIT", open, Ok(())), idle);
        assert_eq!(after("COMMIT", open, Err(true)), idle);
        assert_eq!(after("INSERT INTO t VALUES (1)", open, Err(true)), failed);
        assert_eq!(after("INSERT INTO t VALUES (1)", open, Err(false)), open);
        assert_eq!(
            after(
                "ROLLBACK TO SAVEPOINT a; RELEASE SAVEPOINT a",
                failed,
                Ok(())
            ),
            open
        );
        assert_eq!(
            after("BEGIN; INSERT INTO t VALUES (1)", idle, Err(true)),
            failed
        );
        assert_eq!(
            after(
                "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)",
                idle,
                Err(true)
            ),
            idle
        );
        assert_eq!(after("BEGIN; SELECT 1; COMMIT", idle, Ok(())), idle);
    }

    #[test]
    fn scripts_split_outside_quotes_and_bodies() {
        let parts: Vec<&str> = split_statements(
            "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END; COMMIT",
            rules(),
        )
        .collect();
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(tx_effect(parts[0]), TxEffect::None);
        assert_eq!(tx_effect(parts[1]), TxEffect::Commit);
    }

    #[test]
    fn urls_configure_the_driver() {
        let url = Url::parse(
            "postgresql://bob:hunter2@db.example:5433/app?sslmode=prefer&application_name=x&search_path=a,%22b%22",
        )
        .unwrap();
        let d = PostgresDriver::from_url(&url).unwrap();
        assert_eq!(d.target, "db.example:5433/app");
        assert_eq!(
            d.search_path,
            Some(vec!["a".to_owned(), "\"b\"".to_owned()])
        );
        assert!(!format!("{d:?}").contains("hunter2"));
        // The search_path schemas are quoted by the dialect, inner quotes doubled.
        let mut quoted = String::new();
        DIALECT.quote_identifier(&mut quoted, "\"b\"");
        assert_eq!(quoted, "\"\"\"b\"\"\"");

        let d = PostgresDriver::from_url(&Url::parse("postgresql:///app").unwrap()).unwrap();
        assert_eq!(d.target, "localhost:5432/app");
        let d = PostgresDriver::from_url(
            &Url::parse("postgresql://u@/app?host=/var/run/postgresql").unwrap(),
        )
        .unwrap();
        assert_eq!(d.target, "/var/run/postgresql:5432/app");

        let e = PostgresDriver::from_url(
            &Url::parse("postgresql://u:hunter2@h/db?sslmode=require").unwrap(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(e.message().contains("TLS is not compiled in"), "{e}");
        for bad in [
            "sslmode=bogus",
            "frobnicate=1",
            "connect_timeout=x",
            "search_path=",
        ] {
            let url = Url::parse(&format!("postgresql://h/db?{bad}")).unwrap();
            let e = PostgresDriver::from_url(&url).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Url, "{bad}: {e}");
        }
    }

    #[test]
    fn unreachable_server_is_a_connection_error_without_the_password() {
        let url =
            Url::parse("postgresql://bob:hunter2@127.0.0.1:1/nodb?connect_timeout=5").unwrap();
        let d = PostgresDriver::from_url(&url).unwrap();
        let e = d.connect().err().expect("port 1 should refuse connections");
        assert_eq!(e.kind(), ErrorKind::Connection);
        let shown = format!("{e} {e:?}");
        assert!(shown.contains("127.0.0.1:1/nodb"), "{shown}");
        assert!(shown.contains("bob"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    /// A driver for the test server. Panics when none is configured: the tests calling this
    /// are ignored unless `CINNABAR_TEST_POSTGRES` was set when they were built (`build.rs`).
    fn test_driver(test: &str) -> PostgresDriver {
        let url = match std::env::var("CINNABAR_TEST_POSTGRES") {
            Ok(u) if !u.trim().is_empty() => u,
            _ => panic!("CINNABAR_TEST_POSTGRES is not set: PostgreSQL test {test} cannot run"),
        };
        let url = Url::parse(&url).expect("CINNABAR_TEST_POSTGRES is not a database URL");
        PostgresDriver::from_url(&url).expect("driver")
    }

    fn int_of(c: &mut PostgresConnection, sql: &str) -> i64 {
        let mut out = None;
        c.run(
            sql,
            &[],
            Some(&mut |r: &dyn Row| {
                out = Some(r.value(0)?.to_owned_value());
                Ok(())
            }),
        )
        .unwrap();
        match out {
            Some(cinnabar_core::Value::Int(i)) => i,
            other => panic!("{sql} gave {other:?}"),
        }
    }

    #[test]
    #[cfg_attr(
        not(cinnabar_test_postgres),
        ignore = "CINNABAR_TEST_POSTGRES is not set"
    )]
    fn statement_cache_is_bounded_and_transactions_are_tracked() {
        let d = test_driver("statement_cache_is_bounded_and_transactions_are_tracked");
        let mut c = d
            .open()
            .unwrap_or_else(|e| panic!("CINNABAR_TEST_POSTGRES is set but unusable: {e}"));
        for i in 0..STATEMENT_CACHE + 50 {
            c.run(&format!("SELECT {i}"), &[], None).unwrap();
        }
        assert_eq!(c.cache.len(), STATEMENT_CACHE);
        let on_server = int_of(&mut c, "SELECT count(*) FROM pg_prepared_statements");
        assert!(
            on_server as usize <= STATEMENT_CACHE + 1,
            "{on_server} statements kept on the server"
        );

        assert!(!c.in_transaction());
        c.run("BEGIN", &[], None).unwrap();
        assert!(c.in_transaction());
        assert_eq!(int_of(&mut c, "SELECT 1"), 1);
        c.run("COMMIT", &[], None).unwrap();
        assert!(!c.in_transaction());
        c.batch("START TRANSACTION; SAVEPOINT a; SELECT 1; ROLLBACK TO SAVEPOINT a")
            .unwrap();
        assert!(c.in_transaction());
        c.batch("ROLLBACK").unwrap();
        assert!(!c.in_transaction());
        assert!(c.ping().is_ok());
        assert!(!c.is_broken());
        assert_eq!(c.last_insert_id(), None);
    }

    #[test]
    fn decode_plans_follow_types() {
        assert_eq!(decode_of(&Type::INT8), Decode::Int8);
        assert_eq!(decode_of(&Type::VARCHAR), Decode::Text);
        assert_eq!(decode_of(&Type::JSONB), Decode::Jsonb);
        assert_eq!(decode_of(&Type::INET), Decode::Unsupported);
        assert!(decode_needs_storage(Decode::Numeric));
        assert!(!decode_needs_storage(Decode::Text));
    }
}
