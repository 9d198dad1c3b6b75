//! The compliance-suite harness: one fresh, isolated database per test on each backend.
//!
//! SQLite: a file in a temp dir. PostgreSQL (`CINNABAR_TEST_POSTGRES`): a schema of its own,
//! selected with the URL's `search_path`. MariaDB/MySQL (`CINNABAR_TEST_MYSQL`): a database
//! of its own. A backend whose variable is unset is skipped with one line saying so; one whose
//! variable is set but whose server is unreachable fails the test.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};

use cinnabar::prelude::*;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
    MySql,
}

/// A fresh database for one test; dropped (schema/database removed) at the end.
pub struct TestDb {
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
    pub fn create_tables(&self, tables: &[&cinnabar::Table]) {
        tables
            .iter()
            .fold(MetaData::new(), |md, t| md.with((*t).clone()))
            .create_all(&self.engine)
            .unwrap();
    }

    /// The first column of the first row of `sql` (a COUNT, a foreign key).
    pub fn scalar(&self, sql: &str) -> Option<i64> {
        self.engine.connect().unwrap().scalar(text(sql)).unwrap()
    }

    pub fn sqlite() -> TestDb {
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

    fn from_env(var: &str) -> Option<String> {
        match std::env::var(var) {
            Ok(v) if !v.is_empty() => Some(v),
            _ => {
                eprintln!("{var} is not set: skipping this backend");
                None
            }
        }
    }

    pub fn postgres() -> Option<TestDb> {
        let admin = Self::from_env("CINNABAR_TEST_POSTGRES")?;
        let name = unique_name();
        admin_exec(&admin, &format!("CREATE SCHEMA \"{name}\""));
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}search_path={name}");
        Some(TestDb {
            engine: create_engine(&url).expect("postgres engine"),
            backend: Backend::Postgres,
            url,
            _dir: None,
            admin_url: Some(admin),
            name,
        })
    }

    pub fn mysql() -> Option<TestDb> {
        let admin = Self::from_env("CINNABAR_TEST_MYSQL")?;
        let name = unique_name();
        admin_exec(&admin, &format!("CREATE DATABASE `{name}`"));
        let base = match admin.rfind('/') {
            Some(i) if i > admin.find("://").map_or(0, |j| j + 2) => &admin[..i],
            _ => admin.as_str(),
        };
        let url = format!("{base}/{name}");
        Some(TestDb {
            engine: create_engine(&url).expect("mysql engine"),
            backend: Backend::MySql,
            url,
            _dir: None,
            admin_url: Some(admin),
            name,
        })
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

/// Instantiates each listed `fn name(db: &TestDb)` as one `#[test]` per backend, in
/// modules `sqlite`, `postgres` and `mysql`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&$crate::support::TestDb::sqlite()); } )*
        }
        #[cfg(feature = "postgres")]
        mod postgres {
            $( #[test] fn $name() {
                if let Some(db) = $crate::support::TestDb::postgres() { super::$name(&db); }
            } )*
        }
        #[cfg(feature = "mysql")]
        mod mysql {
            $( #[test] fn $name() {
                if let Some(db) = $crate::support::TestDb::mysql() { super::$name(&db); }
            } )*
        }
    };
}
