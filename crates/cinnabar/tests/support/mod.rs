//! The compliance-suite harness: one fresh, isolated database per test on each backend.
//!
//! SQLite: a file in a temp dir. PostgreSQL (`CINNABAR_TEST_POSTGRES`): a schema of its own,
//! selected with the URL's `search_path`. MariaDB/MySQL (`CINNABAR_TEST_MYSQL`): a database
//! of its own. A backend whose variable is unset when the tests are built has its instances
//! marked `ignored` ("CINNABAR_TEST_POSTGRES is not set"; the cfgs come from `build.rs`), and
//! without its cargo feature ("the `postgres` feature is off"), so a test that did not run
//! never reports `ok`. A variable that is set but whose server is unreachable fails the test;
//! under CI (`CI=true`) [`ci_runs_every_backend`] fails when a backend would not run.
#![allow(dead_code)]

pub(crate) mod capture;

use std::sync::atomic::{AtomicUsize, Ordering};

use cinnabar::prelude::*;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

/// A fresh database for one test; dropped (schema/database removed) at the end.
pub(crate) struct TestDb {
    pub engine: Engine,
    pub backend: Backend,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    admin_url: Option<String>,
    name: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "cinnabar_t_{}_{}_{}",
        std::process::id(),
        n,
        nanos % 100_000
    )
}

fn admin_exec(url: &str, sql: &str) {
    let engine = create_engine(url).unwrap_or_else(|e| panic!("test server URL {url}: {e}"));
    let mut conn = engine
        .connect()
        .unwrap_or_else(|e| panic!("test server at {url} is unreachable: {e}"));
    conn.execute_script(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

impl TestDb {
    /// `create_all` for `tables` on this database.
    pub(crate) fn create_tables(&self, tables: &[&cinnabar::Table]) {
        tables
            .iter()
            .fold(MetaData::new(), |md, t| md.with((*t).clone()))
            .create_all(&self.engine)
            .unwrap();
    }

    /// The first column of the first row of `sql` (a COUNT, a foreign key).
    pub(crate) fn scalar(&self, sql: &str) -> Option<i64> {
        self.engine.connect().unwrap().scalar(text(sql)).unwrap()
    }

    pub(crate) fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("test.db");
        let url = format!("sqlite:///{}", path.display());
        TestDb {
            engine: create_engine(&url).expect("sqlite engine"),
            backend: Backend::Sqlite,
            url,
            _dir: Some(dir),
            admin_url: None,
            name: String::new(),
        }
    }

    /// The server URL in `var`. Panics when it is unset: the instances that call this are
    /// ignored unless the variable was set when they were built.
    fn from_env(var: &str) -> String {
        match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => v,
            _ => panic!(
                "{var} is not set: this server-backed test cannot run (it is ignored when the \
                 tests are built without {var}; set it, e.g. through .ci/test)"
            ),
        }
    }

    /// A fresh schema on the `CINNABAR_TEST_POSTGRES` server. Panics when the variable is
    /// unset or the server is unreachable.
    pub(crate) fn postgres() -> TestDb {
        let admin = Self::from_env("CINNABAR_TEST_POSTGRES");
        let name = unique_name();
        admin_exec(&admin, &format!("CREATE SCHEMA \"{name}\""));
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}search_path={name}");
        TestDb {
            engine: create_engine(&url).expect("postgres engine"),
            backend: Backend::Postgres,
            url,
            _dir: None,
            admin_url: Some(admin),
            name,
        }
    }

    /// A fresh database on the `CINNABAR_TEST_MYSQL` server. Panics when the variable is
    /// unset or the server is unreachable.
    pub(crate) fn mysql() -> TestDb {
        let admin = Self::from_env("CINNABAR_TEST_MYSQL");
        let name = unique_name();
        admin_exec(&admin, &format!("CREATE DATABASE `{name}`"));
        let base = match admin.rfind('/') {
            Some(i) if i > admin.find("://").map_or(0, |j| j + 2) => &admin[..i],
            _ => admin.as_str(),
        };
        let url = format!("{base}/{name}");
        TestDb {
            engine: create_engine(&url).expect("mysql engine"),
            backend: Backend::MySql,
            url,
            _dir: None,
            admin_url: Some(admin),
            name,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        self.engine.dispose();
        if let Some(admin) = &self.admin_url {
            let sql = match self.backend {
                Backend::Postgres => format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name),
                Backend::MySql => format!("DROP DATABASE IF EXISTS `{}`", self.name),
                Backend::Sqlite => return,
            };
            if let Ok(engine) = create_engine(admin) {
                if let Ok(mut c) = engine.connect() {
                    let _ = c.execute_script(&sql);
                }
            }
        }
    }
}

/// Under CI (`CI=true` or `CI=1`) every backend must run: fails when a server variable is
/// unset now, was unset when the tests were built, or its cargo feature is off. Locally it
/// checks nothing. One instance per test binary that includes `support`.
#[test]
fn ci_runs_every_backend() {
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    if !ci {
        return;
    }
    let backends = [
        (
            "CINNABAR_TEST_POSTGRES",
            "postgres",
            cfg!(feature = "postgres"),
            cfg!(cinnabar_test_postgres),
        ),
        (
            "CINNABAR_TEST_MYSQL",
            "mysql",
            cfg!(feature = "mysql"),
            cfg!(cinnabar_test_mysql),
        ),
    ];
    let mut problems = Vec::new();
    for (var, feature, feature_on, built_with) in backends {
        if std::env::var(var).map_or(true, |v| v.trim().is_empty()) {
            problems.push(format!("{var} is not set"));
        } else if !built_with {
            problems.push(format!("the tests were built without {var}"));
        }
        if !feature_on {
            problems.push(format!(
                "the `{feature}` feature is off (run with --all-features)"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "CI is set, so every backend must run, but: {}",
        problems.join("; ")
    );
}

/// Instantiates each listed `fn name(db: &TestDb)` as one `#[test]` per backend, in
/// modules `sqlite`, `postgres` and `mysql`. A server instance is `ignored` (with the reason)
/// when its feature is off or its variable was unset at build time; see the module docs.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&$crate::support::TestDb::sqlite()); } )*
        }
        mod postgres {
            $(
                #[test]
                #[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
                #[cfg_attr(
                    all(feature = "postgres", not(cinnabar_test_postgres)),
                    ignore = "CINNABAR_TEST_POSTGRES is not set"
                )]
                fn $name() { super::$name(&$crate::support::TestDb::postgres()); }
            )*
        }
        mod mysql {
            $(
                #[test]
                #[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
                #[cfg_attr(
                    all(feature = "mysql", not(cinnabar_test_mysql)),
                    ignore = "CINNABAR_TEST_MYSQL is not set"
                )]
                fn $name() { super::$name(&$crate::support::TestDb::mysql()); }
            )*
        }
    };
}

/// `backend_tests!` for one test whose instance on some backend carries extra attributes,
/// in practice `#[ignore = "known bug: ..."]` for a bug that could not be fixed here:
/// `backend_tests_with!(name { sqlite: [], postgres: [#[ignore = "..."]], mysql: [] });`.
/// A server instance's extra attributes apply only when that server runs (a second `ignore`
/// beside "... is not set" would be a warning).
#[macro_export]
macro_rules! backend_tests_with {
    ($name:ident {
        sqlite: [$(#[$sa:meta])*],
        postgres: [$(#[$pa:meta])*],
        mysql: [$(#[$ma:meta])*] $(,)?
    }) => {
        mod sqlite {
            #[test]
            $(#[$sa])*
            fn $name() {
                super::$name(&$crate::support::TestDb::sqlite());
            }
        }
        mod postgres {
            #[test]
            #[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
            #[cfg_attr(
                all(feature = "postgres", not(cinnabar_test_postgres)),
                ignore = "CINNABAR_TEST_POSTGRES is not set"
            )]
            $(#[cfg_attr(all(feature = "postgres", cinnabar_test_postgres), $pa)])*
            fn $name() {
                super::$name(&$crate::support::TestDb::postgres());
            }
        }
        mod mysql {
            #[test]
            #[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
            #[cfg_attr(
                all(feature = "mysql", not(cinnabar_test_mysql)),
                ignore = "CINNABAR_TEST_MYSQL is not set"
            )]
            $(#[cfg_attr(all(feature = "mysql", cinnabar_test_mysql), $ma)])*
            fn $name() {
                super::$name(&$crate::support::TestDb::mysql());
            }
        }
    };
}
