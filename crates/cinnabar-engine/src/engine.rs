//! The [`Engine`]: a URL, a dialect and a connection pool, made with
//! [`create_engine`]`("sqlite:///college.db")`. Cheap to clone and `Send + Sync`: share one
//! per database across the program.

use std::sync::Arc;
use std::time::Duration;

use cinnabar_core::dialect::{BeginMode, Dialect};
use cinnabar_core::{Error, ErrorKind, Result};

use crate::connection::Connection;
use crate::driver::Driver;
use crate::observe::Settings;
use crate::pool::{Pool, PoolOptions, PoolStatus};
#[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
use crate::url::Backend;
use crate::url::Url;

/// Engine settings. `EngineOptions::default()` is what [`create_engine`] uses.
///
/// Logging goes through `tracing` (install a subscriber such as `tracing-subscriber`'s
/// `fmt()` to see it):
///
/// * target `cinnabar::sql`, DEBUG: one span per statement, named `statement`, with fields
///   `db.system`, `db.statement` (the SQL), `rows` (rows returned, or changed for DML),
///   `duration_ms`, and `params` when `log_parameters` is on;
/// * target `cinnabar::sql`, WARN: `slow statement: <SQL>` with `duration_ms` and `rows`,
///   for a statement that took at least `slow_statement_threshold`;
/// * target `cinnabar::engine`, INFO: with `echo`, one line per statement.
///
/// The URL may set the threshold and the parameter logging too, overriding these options:
/// `?slow_statement_threshold=0.25` (seconds, or `off`) and `?log_parameters=true`; the
/// engine removes both before the driver reads the URL.
///
/// With `echo` off and no subscriber enabled for `cinnabar::sql` at WARN, a statement pays
/// one `tracing` level check for all of this.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Log every statement through `tracing` at INFO, target `cinnabar::engine`
    /// (SQLAlchemy's `echo=True`); with its parameters only when
    /// `log_parameters` is on.
    pub echo: bool,
    /// Statements that take at least this long are reported with a WARN event on target
    /// `cinnabar::sql` (default 1 s; `None`: never).
    pub slow_statement_threshold: Option<Duration>,
    /// Show bound values in logs (the echo lines, the statement spans, slow-statement
    /// warnings). Off by default, as SQLAlchemy's `hide_parameters=True`: values are often
    /// personal data or secrets.
    pub log_parameters: bool,
    /// Pool settings.
    pub pool: PoolOptions,
    /// SQLite settings.
    #[cfg(feature = "sqlite")]
    pub sqlite: crate::sqlite::SqliteOptions,
    /// Read replicas (none by default; see [`EngineOptions::replicas`]).
    pub replicas: crate::replicas::ReplicaOptions,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            echo: false,
            slow_statement_threshold: Some(Duration::from_secs(1)),
            log_parameters: false,
            pool: PoolOptions::default(),
            #[cfg(feature = "sqlite")]
            sqlite: crate::sqlite::SqliteOptions::default(),
            replicas: crate::replicas::ReplicaOptions::default(),
        }
    }
}

impl EngineOptions {
    /// Default options.
    pub fn new() -> Self {
        EngineOptions::default()
    }

    /// Turns statement logging on or off.
    pub fn echo(mut self, on: bool) -> Self {
        self.echo = on;
        self
    }

    /// Sets the slow-statement threshold (`None`: no warnings); see
    /// `slow_statement_threshold`(#structfield.slow_statement_threshold).
    pub fn slow_statement_threshold(mut self, threshold: Option<Duration>) -> Self {
        self.slow_statement_threshold = threshold;
        self
    }

    /// Shows or hides bound values in logs (hidden by default).
    pub fn log_parameters(mut self, on: bool) -> Self {
        self.log_parameters = on;
        self
    }

    /// Applies (and removes from the URL, before any driver reads it) the engine's own URL
    /// parameters: `slow_statement_threshold` (seconds, or `off`) and `log_parameters`
    /// (`true` / `false`), which override these options.
    fn take_url_params(&mut self, url: &mut Url) -> Result<()> {
        let invalid = |key: &str, value: &str, want: &str| {
            Error::new(
                ErrorKind::Url,
                format!("invalid {key} {value:?} in database URL ({want} expected)"),
            )
        };
        if let Some(v) = url.take_query_param("slow_statement_threshold") {
            self.slow_statement_threshold = match v.as_str() {
                "off" | "none" => None,
                s => match s.parse::<f64>() {
                    Ok(secs) if secs.is_finite() && secs >= 0.0 => {
                        Some(Duration::from_secs_f64(secs))
                    }
                    _ => return Err(invalid("slow_statement_threshold", s, "seconds or \"off\"")),
                },
            };
        }
        if let Some(v) = url.take_query_param("log_parameters") {
            self.log_parameters = match v.as_str() {
                "true" | "1" | "yes" | "on" => true,
                "false" | "0" | "no" | "off" => false,
                s => return Err(invalid("log_parameters", s, "true or false")),
            };
        }
        Ok(())
    }

    /// Sets the pool size.
    pub fn pool_size(mut self, n: usize) -> Self {
        self.pool.size = n.max(1);
        self
    }

    /// Sets the pool overflow.
    pub fn max_overflow(mut self, n: usize) -> Self {
        self.pool.max_overflow = n;
        self
    }

    /// Sets the pool checkout timeout.
    pub fn pool_timeout(mut self, t: Duration) -> Self {
        self.pool.timeout = t;
        self
    }

    /// Recycles connections older than `t`.
    pub fn pool_recycle(mut self, t: Duration) -> Self {
        self.pool.recycle = Some(t);
        self
    }

    /// Pings each connection on checkout.
    pub fn pool_pre_ping(mut self, on: bool) -> Self {
        self.pool.pre_ping = on;
        self
    }

    /// Read replicas of the primary (SQLAlchemy's binds, Django's routers): each URL is a
    /// replica of the engine's URL, with its own pool of the same settings. A `Session`
    /// then reads from a replica outside a write transaction and from the primary inside
    /// one and after its own writes; [`Engine::connect_replica`] does the same for Core.
    /// See docs/scaling/replicas.md for the routing rules.
    ///
    /// ```no_run
    /// use cinnabar::prelude::*;
    /// use std::time::Duration;
    ///
    /// # fn main() -> cinnabar::Result<()> {
    /// let engine = Engine::with_options(
    ///     "postgresql://app@primary/college",
    ///     EngineOptions::new()
    ///         .replicas(["postgresql://app@replica1/college", "postgresql://app@replica2/college"])
    ///         .max_replica_lag(Duration::from_secs(2)),
    /// )?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn replicas<I, S>(mut self, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.replicas.urls = urls.into_iter().map(Into::into).collect();
        self
    }

    /// A replica further behind the primary than `lag` is skipped (default 5 s); see
    /// [`ReplicaOptions::max_lag`](crate::ReplicaOptions::max_lag).
    pub fn max_replica_lag(mut self, lag: Duration) -> Self {
        self.replicas.max_lag = lag;
        self
    }

    /// How often the replicas' lag is measured against the primary, and how long a replica
    /// found down or lagging is skipped before it is tried again (default 1 s).
    pub fn replica_check_interval(mut self, interval: Duration) -> Self {
        self.replicas.check_interval = interval;
        self
    }

    /// Sets SQLite's busy timeout.
    #[cfg(feature = "sqlite")]
    pub fn sqlite_busy_timeout(mut self, t: Duration) -> Self {
        self.sqlite.busy_timeout = t;
        self
    }

    /// Opens SQLite files encrypted with `key` (SQLCipher; cargo feature `sqlcipher`): every
    /// pooled connection runs `PRAGMA key` before anything else, and a new file is created
    /// encrypted. The URL's `?key=<passphrase>` or `?hexkey=<64 hex digits>` does the same
    /// and overrides this. The key never appears in `Debug` output, logs or error messages.
    ///
    /// Without the `sqlcipher` feature, creating an engine with a key fails with
    /// [`ErrorKind::Unsupported`] (the file is never opened unencrypted). A wrong key, or no
    /// key for an encrypted file, fails the first connection with [`ErrorKind::Connection`]
    /// (code `"26"`, SQLite's `SQLITE_NOTADB`) naming the file and the likely cause. See
    /// docs/SECURITY.md, "Encrypted SQLite files".
    #[cfg(feature = "sqlite")]
    pub fn sqlite_key(mut self, key: crate::SqliteKey) -> Self {
        self.sqlite.key = Some(key);
        self
    }
}

pub(crate) struct EngineInner {
    pub(crate) url: Url,
    pub(crate) dialect: &'static dyn Dialect,
    /// The dialect a connection's server asked for at connect when it differs from the
    /// driver's ([`DriverConnection::server_dialect`](crate::driver::DriverConnection::server_dialect):
    /// a MariaDB server in a Galera cluster); set once, by the first such connection.
    pub(crate) detected: std::sync::OnceLock<&'static dyn Dialect>,
    pub(crate) pool: Pool,
    pub(crate) observe: Settings,
    pub(crate) write_begin: BeginMode,
    pub(crate) replicas: Option<crate::replicas::ReplicaSet>,
    /// The driver's [`Driver::transaction_pooled`].
    pub(crate) transaction_pooled: bool,
}

/// A database: URL, dialect and connection pool. Clone it freely.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("url", &self.inner.url)
            .field("dialect", &self.inner.dialect.name())
            .finish()
    }
}

/// Makes an engine from a URL with default options: `create_engine("sqlite:///college.db")`.
///
/// No connection is opened until one is needed.
///
/// ```
/// use cinnabar::prelude::*;
///
/// # fn main() -> cinnabar::Result<()> {
/// // In memory here; `sqlite:///college.db` for a file, `postgresql://...`, `mysql://...`.
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// let students: i64 = conn.scalar(text("SELECT 30"))?;
/// assert_eq!(students, 30);
///
/// // A URL without a scheme is a typed error, not a panic.
/// let err = create_engine("college.db").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Url);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`ErrorKind::Url`] for a malformed URL or an unknown backend; [`ErrorKind::Unsupported`]
/// for a backend whose feature is not compiled in.
pub fn create_engine(url: &str) -> Result<Engine> {
    Engine::with_options(url, EngineOptions::default())
}

impl Engine {
    /// Makes an engine from a URL with `options`.
    ///
    /// # Errors
    /// As [`create_engine`]; for each replica URL the same, and [`ErrorKind::Url`] for a
    /// replica of another backend than the primary.
    #[cfg_attr(
        not(all(feature = "sqlite", feature = "postgres", feature = "mysql")),
        allow(unreachable_code, unused_variables)
    )]
    pub fn with_options(url: &str, mut options: EngineOptions) -> Result<Engine> {
        let mut url = Url::parse(url)?;
        options.take_url_params(&mut url)?;
        let driver: Box<dyn Driver> = match url.backend() {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => Box::new(crate::sqlite::SqliteDriver::from_url(
                &url,
                options.sqlite.clone(),
            )?),
            #[cfg(feature = "postgres")]
            Backend::Postgres => Box::new(crate::postgres::PostgresDriver::from_url(&url)?),
            #[cfg(feature = "mysql")]
            Backend::MySql => Box::new(crate::mysql::MySqlDriver::from_url(&url)?),
            #[allow(unreachable_patterns)]
            other => {
                return Err(Error::unsupported(format!(
                    "the {other:?} backend is not compiled in (enable its cargo feature) for {url}"
                )))
            }
        };
        let replicas = crate::replicas::ReplicaSet::build(&url, &options)?;
        let mut engine = Engine::from_driver(url, driver, options);
        if let Some(inner) = Arc::get_mut(&mut engine.inner) {
            inner.replicas = replicas;
        }
        Ok(engine)
    }

    /// Makes an engine over a driver built elsewhere.
    pub fn from_driver(url: Url, driver: Box<dyn Driver>, options: EngineOptions) -> Engine {
        let dialect = driver.dialect();
        let write_begin = dialect.write_begin_mode();
        let transaction_pooled = driver.transaction_pooled();
        Engine {
            inner: Arc::new(EngineInner {
                url,
                dialect,
                detected: std::sync::OnceLock::new(),
                observe: Settings {
                    echo: options.echo,
                    log_parameters: options.log_parameters,
                    slow_threshold: options.slow_statement_threshold,
                },
                pool: Pool::new(driver, options.pool),
                write_begin,
                replicas: None,
                transaction_pooled,
            }),
        }
    }

    /// Checks a connection out of the pool; it goes back when dropped.
    ///
    /// # Errors
    /// [`ErrorKind::PoolTimeout`], or a connection error.
    pub fn connect(&self) -> Result<Connection> {
        let checkout = self.inner.pool.checkout()?;
        if self.inner.detected.get().is_none() {
            if let Some(d) = checkout.conn.server_dialect() {
                let _ = self.inner.detected.set(d);
            }
        }
        Ok(Connection::new(self.clone(), checkout))
    }

    /// Runs `f` in a transaction: commits when it returns `Ok`, rolls back on `Err`
    /// (SQLAlchemy's `with engine.begin() as conn:`).
    ///
    /// # Errors
    /// `f`'s error, or a database error from BEGIN/COMMIT.
    pub fn begin<T, E, F>(&self, f: F) -> std::result::Result<T, E>
    where
        F: FnOnce(&mut Connection) -> std::result::Result<T, E>,
        E: From<Error>,
    {
        let mut conn = self.connect()?;
        conn.transaction(f)
    }

    /// The dialect rendering SQL for this database, and answering what it can do. The
    /// driver's, until a connection's server asks for another at connect (a MariaDB server
    /// with `wsrep_on = ON` is a Galera node: [`GaleraDialect`](cinnabar_core::dialect::GaleraDialect),
    /// which renders the same SQL and differs in capabilities); from then on that one.
    pub fn dialect(&self) -> &'static dyn Dialect {
        match self.inner.detected.get() {
            Some(d) => *d,
            None => self.inner.dialect,
        }
    }

    /// Whether the connections go through a transaction-pooling proxy (PostgreSQL URL
    /// `?pgbouncer=transaction`): no session state outlives a transaction, so the driver
    /// uses unnamed statements and transaction-scoped settings, and the migrations take
    /// their lock per transaction. See docs/scaling/pgbouncer.md.
    pub fn transaction_pooled(&self) -> bool {
        self.inner.transaction_pooled
    }

    /// The URL (its `Display` hides the password).
    pub fn url(&self) -> &Url {
        &self.inner.url
    }

    /// Pool counters.
    pub fn pool_status(&self) -> PoolStatus {
        self.inner.pool.status()
    }

    /// The pool's settings, after the driver's forced limits (an in-memory SQLite database
    /// has exactly one connection): `size + max_overflow` is how many connections can be
    /// checked out at once.
    pub fn pool_options(&self) -> &PoolOptions {
        self.inner.pool.options()
    }

    /// Closes idle pooled connections.
    pub fn dispose(&self) {
        self.inner.pool.dispose();
    }

    /// Changes the encryption key of an encrypted SQLite file (SQLCipher's `PRAGMA rekey`;
    /// feature `sqlcipher`): the whole file is rewritten under `key`, and every connection
    /// this engine opens afterwards uses it.
    ///
    /// It needs the engine to itself: it fails when any of its connections is checked out
    /// (a live [`Connection`], or a `Session` in a transaction), no connection is opened
    /// while it runs, and when it succeeds it closes the idle pooled connections (they hold
    /// the old key). Other
    /// engines or processes that have the file open with the old key are not told: their
    /// next read of a page fails, and their new connections get the wrong-key error, until
    /// they are given the new key.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] when connections are checked out, or when the file has no key
    /// (a plain file cannot be encrypted in place); [`ErrorKind::Unsupported`] for a backend
    /// without encryption or an in-memory database; the wrong-key
    /// [`ErrorKind::Connection`] error when the engine's current key does not open the file.
    pub fn rekey(&self, key: crate::SqliteKey) -> Result<()> {
        self.inner
            .pool
            .exclusive("rekey", |driver| driver.rekey(key))
    }

    /// Upgrades a file encrypted by an older SQLCipher major version (1 to 3) to the format
    /// of the linked SQLCipher, in place, with the engine's key (`PRAGMA cipher_migrate`):
    /// run it once, before the first connection, on a file that an older program made. On a
    /// file already in the current format it changes nothing.
    ///
    /// Like [`Engine::rekey`] it needs the engine to itself.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`] when connections are checked out or the engine has no key;
    /// [`ErrorKind::Unsupported`] for a backend without encryption or an in-memory database;
    /// the wrong-key [`ErrorKind::Connection`] error when no SQLCipher version's settings open
    /// the file with this key.
    pub fn cipher_migrate(&self) -> Result<()> {
        self.inner
            .pool
            .exclusive("cipher_migrate", |driver| driver.cipher_migrate())
    }

    /// Whether statements are logged.
    pub fn echo(&self) -> bool {
        self.inner.observe.echo
    }
}
