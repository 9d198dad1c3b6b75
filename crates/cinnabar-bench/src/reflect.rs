//! The `reflect` mode (issue 9): creates a schema of T tables (500 by default; each with 8
//! columns, a primary key, a foreign key to the previous table, an index and a unique
//! constraint) once, untimed, then times reflecting it: `cinnabar` (`Inspector::tables()`:
//! the catalog queries, decoding and assembly into `Table`s) against `raw_rusqlite` /
//! `raw_postgres` / `raw_mysql` (the same catalog queries run through the plain driver, rows
//! read and dropped: the floor). Prints `reflect <contender> <seconds> <tables>` per run and a
//! summary like the workloads' on stderr.
//!
//! `cinnabar-bench reflect [T] [--repeat R] [--backend sqlite|postgres|mysql] [--url URL]`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use cinnabar::dialect::catalog::Catalog;
use cinnabar::prelude::*;
use cinnabar::{Column, ForeignKey, Inspector, SqlType, Table};

use crate::{pg_setup, Failure};

const USAGE: &str = "usage: cinnabar-bench reflect [T] [--repeat R] [--backend B] [--url URL]
  T            number of tables (default 500), each with 8 columns, a primary key, a
               foreign key to the previous table, an index and a unique constraint
  --repeat R   timed reflections per contender, interleaved (default 5)
  --backend B  sqlite (a fresh database file), postgres (a fresh schema on the server) or
               mysql (a fresh database on the MariaDB/MySQL server)
  --url URL    the server (default: $CINNABAR_BENCH_POSTGRES, else
               postgresql://postgres@127.0.0.1:5432/test; for mysql $CINNABAR_BENCH_MYSQL,
               else mysql://root@127.0.0.1:3306/test)";

/// The MariaDB/MySQL server the `mysql` backend uses unless `--url` names one.
const MYSQL_URL_ENV: &str = "CINNABAR_BENCH_MYSQL";
const MYSQL_DEFAULT_URL: &str = "mysql://root@127.0.0.1:3306/test";

struct Options {
    tables: usize,
    repeat: usize,
    postgres: bool,
    mysql: bool,
    url: String,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        tables: 500,
        repeat: 5,
        postgres: false,
        mysql: false,
        url: std::env::var(pg_setup::URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| pg_setup::DEFAULT_URL.to_owned()),
    };
    let mut it = args.iter();
    let mut url_given = false;
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> Result<String, String> {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--repeat" => {
                let v = value("--repeat")?;
                opts.repeat = v
                    .parse()
                    .ok()
                    .filter(|r| *r > 0)
                    .ok_or_else(|| format!("--repeat {v:?}: expected a positive integer"))?;
            }
            "--backend" => {
                (opts.postgres, opts.mysql) =
                    match value("--backend")?.to_ascii_lowercase().as_str() {
                        "sqlite" => (false, false),
                        "postgres" | "postgresql" | "pg" => (true, false),
                        "mysql" | "mariadb" => (false, true),
                        other => return Err(format!("unknown backend {other:?}")),
                    }
            }
            "--url" => {
                opts.url = value("--url")?;
                url_given = true;
            }
            "-h" | "--help" => return Err(String::new()),
            s if !s.starts_with('-') => {
                opts.tables = s
                    .parse()
                    .ok()
                    .filter(|t| *t > 0)
                    .ok_or_else(|| format!("T {s:?}: expected a positive integer"))?;
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    if url_given && !opts.postgres && !opts.mysql {
        return Err("--url needs --backend postgres or mysql".to_owned());
    }
    if opts.mysql && !url_given {
        opts.url = std::env::var(MYSQL_URL_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| MYSQL_DEFAULT_URL.to_owned());
    }
    Ok(opts)
}

/// Table `i` of the schema: 8 columns, a generated key, a unique name, an indexed code, and
/// (after the first) a foreign key to table `i - 1`.
fn table(i: usize) -> Table {
    let mut t = Table::new(format!("t{i:04}"))
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("name", SqlType::Text(Some(40))).unique())
        .column(Column::new("code", SqlType::Text(Some(10))).index())
        .column(Column::new("qty", SqlType::Integer).server_default("0"))
        .column(Column::new("price", SqlType::Decimal(10, 2)).nullable())
        .column(Column::new("created", SqlType::DateTimeTz).nullable())
        .column(Column::new("active", SqlType::Boolean).server_default("TRUE"))
        .column(Column::new("prev_id", SqlType::BigInt).nullable());
    if i > 0 {
        t = t.foreign_key(ForeignKey::new("prev_id", format!("t{:04}", i - 1), "id"));
    }
    t
}

/// Checks that the reflection returned the schema [`table`] made.
fn verify(tables: &[Table], n: usize) -> Result<(), Failure> {
    let fail = |m: String| Err(Failure::Verify(m));
    if tables.len() != n {
        return fail(format!("{} tables reflected, expected {n}", tables.len()));
    }
    for (i, t) in tables.iter().enumerate() {
        let fks = usize::from(i > 0);
        let ok = t.name == format!("t{i:04}")
            && t.columns.len() == 8
            && t.columns[0].primary_key
            && t.columns[0].autoincrement
            && t.columns[1].unique
            && t.columns[2].index
            && t.foreign_keys.len() == fks;
        if !ok {
            return fail(format!("table {i} reflected as {t:?}"));
        }
    }
    Ok(())
}

/// The floor: the catalog's queries through the plain driver, every row read and dropped.
enum Raw {
    Sqlite(rusqlite::Connection),
    Postgres(postgres::Client),
    Mysql(mysql::Conn),
}

impl Raw {
    fn run(&mut self, catalog: &dyn Catalog) -> Result<usize, Failure> {
        let mut rows = 0;
        for q in catalog.queries() {
            match self {
                Raw::Sqlite(c) => {
                    let mut stmt = c.prepare_cached(q.sql)?;
                    let width = stmt.column_count();
                    let mut r = stmt.query([])?;
                    while let Some(row) = r.next()? {
                        for i in 0..width {
                            std::hint::black_box(row.get_ref(i)?);
                        }
                        rows += 1;
                    }
                }
                Raw::Postgres(c) => rows += c.query(q.sql, &[])?.len(),
                Raw::Mysql(c) => {
                    use mysql::prelude::Queryable;
                    let got: Vec<mysql::Row> = c.query(q.sql).map_err(mysql_error)?;
                    rows += got.len();
                }
            }
        }
        Ok(rows)
    }
}

/// The database under test: its engine URL, and (PostgreSQL) the harness client that drops
/// the schema at the end.
struct Db {
    url: String,
    /// SQLite: the temporary directory holding the file.
    dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the harness client and the run's schema.
    admin: Option<(postgres::Client, String)>,
    /// MySQL: the harness connection and the run's database.
    mysql_admin: Option<(mysql::Conn, String)>,
}

fn mysql_error(e: mysql::Error) -> Failure {
    Failure::Error(format!("mysql: {e}"))
}

/// `url` with its database replaced by `db`.
fn mysql_url_with_db(url: &str, db: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let base = match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    };
    format!("{base}/{db}")
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((client, schema)) = &mut self.admin {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
        if let Some((conn, db)) = &mut self.mysql_admin {
            use mysql::prelude::Queryable;
            let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{db}`"));
        }
    }
}

const SQLITE_FILE: &str = "reflect.db";

/// A fresh, empty database: a SQLite file in a temporary directory, or a schema of its own
/// on the PostgreSQL server.
fn prepare(opts: &Options) -> Result<Db, Failure> {
    if opts.mysql {
        use mysql::prelude::Queryable;
        let db = format!("bench_reflect_{}", std::process::id());
        let mut admin = mysql::Conn::new(mysql::Opts::from_url(&opts.url).map_err(|e| {
            Failure::Error(format!("mysql URL {:?}: {e}", pg_setup::redact(&opts.url)))
        })?)
        .map_err(mysql_error)?;
        admin
            .query_drop(format!(
                "DROP DATABASE IF EXISTS `{db}`; CREATE DATABASE `{db}`"
            ))
            .map_err(mysql_error)?;
        return Ok(Db {
            url: mysql_url_with_db(&opts.url, &db),
            dir: None,
            admin: None,
            mysql_admin: Some((admin, db)),
        });
    }
    if opts.postgres {
        let schema = format!("bench_reflect_{}", std::process::id());
        let mut admin = pg_setup::connect(&opts.url)?;
        admin.batch_execute(&format!(
            "SET client_min_messages TO warning; DROP SCHEMA IF EXISTS {schema} CASCADE; \
             CREATE SCHEMA {schema}"
        ))?;
        Ok(Db {
            url: pg_setup::with_param(&opts.url, "search_path", &schema),
            dir: None,
            admin: Some((admin, schema)),
            mysql_admin: None,
        })
    } else {
        let dir = tempfile::tempdir()?;
        Ok(Db {
            url: crate::orm::sqlite_url(&dir.path().join(SQLITE_FILE))?,
            dir: Some(dir),
            admin: None,
            mysql_admin: None,
        })
    }
}

/// The raw contender's own connection to `db`.
fn raw_connection(db: &Db, opts: &Options) -> Result<Raw, Failure> {
    if db.mysql_admin.is_some() {
        let opts = mysql::Opts::from_url(&db.url)
            .map_err(|e| Failure::Error(format!("mysql URL: {e}")))?;
        return Ok(Raw::Mysql(mysql::Conn::new(opts).map_err(mysql_error)?));
    }
    match (&db.dir, &db.admin) {
        (Some(dir), _) => Ok(Raw::Sqlite(rusqlite::Connection::open(
            dir.path().join(SQLITE_FILE),
        )?)),
        (None, Some((_, schema))) => {
            let mut c = pg_setup::connect(&opts.url)?;
            c.batch_execute(&format!("SET search_path TO {schema}"))?;
            Ok(Raw::Postgres(c))
        }
        (None, None) => Err(Failure::Error("no database prepared".into())),
    }
}

/// Runs the mode; `args` follow the word `reflect`.
pub(crate) fn main(args: &[String]) -> ExitCode {
    crate::run_mode("reflect", USAGE, args, parse, run)
}

fn run(opts: &Options) -> Result<(), Failure> {
    let db = prepare(opts)?;
    let engine = create_engine(&db.url)?;
    let mut md = MetaData::new();
    for i in 0..opts.tables {
        md.add(table(i));
    }
    md.create_all(&engine)?;
    let mut raw = raw_connection(&db, opts)?;
    let catalog = engine
        .dialect()
        .catalog()
        .ok_or_else(|| Failure::Error("the dialect has no catalog".into()))?;
    let inspector = Inspector::new(&engine);
    // Untimed warm-up: the pool's connection, the server's catalog caches, the raw
    // connection's statement cache.
    verify(&inspector.tables()?, opts.tables)?;
    raw.run(catalog)?;
    let (raw_name, backend) = match raw {
        Raw::Sqlite(_) => ("raw_rusqlite", "sqlite".to_owned()),
        Raw::Postgres(_) => (
            "raw_postgres",
            format!("postgres {}", pg_setup::redact(&opts.url)),
        ),
        Raw::Mysql(_) => (
            "raw_mysql",
            format!("mysql {}", pg_setup::redact(&opts.url)),
        ),
    };
    let (mut raw_s, mut orm_s) = (Vec::new(), Vec::new());
    let stdout = std::io::stdout();
    for rep in 0..opts.repeat {
        for orm_turn in if rep % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        } {
            let start = Instant::now();
            let (name, count) = if orm_turn {
                let tables = inspector.tables()?;
                let s = start.elapsed().as_secs_f64();
                verify(&tables, opts.tables)?;
                orm_s.push(s);
                ("cinnabar", tables.len())
            } else {
                let rows = raw.run(catalog)?;
                raw_s.push(start.elapsed().as_secs_f64());
                std::hint::black_box(rows);
                (raw_name, opts.tables)
            };
            let secs = if orm_turn { orm_s.last() } else { raw_s.last() };
            let mut out = stdout.lock();
            let _ = writeln!(
                out,
                "reflect {name} {:.6} {count}",
                secs.copied().unwrap_or(0.0)
            );
        }
    }
    let (r, o) = (
        crate::median(raw_s).unwrap_or(f64::NAN),
        crate::median(orm_s).unwrap_or(f64::NAN),
    );
    eprintln!();
    eprintln!(
        "summary: reflect, {backend}, {} tables, {} catalog queries, repeat={} (median seconds)",
        opts.tables,
        catalog.queries().len(),
        opts.repeat
    );
    eprintln!(
        "{:<12} {:>15} {:>15} {:>8}",
        "workload", raw_name, "cinnabar", "ratio"
    );
    eprintln!("{:<12} {r:>15.6} {o:>15.6} {:>8.3}", "reflect", o / r);
    Ok(())
}
