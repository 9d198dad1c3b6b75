//! The `migrate_rebuild` mode (issue 10): a SQLite table rebuild of a parent table whose
//! children reference it `ON DELETE CASCADE`, on a seeded file database (by default 100,000
//! parents and 900,000 children: 1,000,000 rows). Each run seeds a fresh database
//! (untimed), counts and checksums every row of both tables, rebuilds the parent for a
//! column type change, then counts and checksums again: every row must be accounted for,
//! and the foreign-key check must be empty.
//!
//! Contenders: `cinnabar` (reflect the parent, `rebuild::plan_ops`, `rebuild::run`: what the
//! Migrator does, with its checks of triggers, views, referencing tables and the row count)
//! and `raw_rusqlite` (the same plan's statements through the plain driver: foreign keys
//! off, BEGIN, the statements, the foreign-key check of parent and child, COMMIT, foreign
//! keys on: the floor). Prints `migrate_rebuild <contender> <seconds> <rows>` per run and a
//! summary on stderr.
//!
//! `cinnabar-bench migrate_rebuild [PARENTS] [--children K] [--repeat R]`.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use cinnabar::migrate::rebuild::{self, TableChange};
use cinnabar::prelude::*;
use cinnabar::sql::ColumnChange;
use cinnabar::{Column, ForeignKey, Inspector, ReferentialAction, SchemaOp, SqlType, Table};

use crate::Failure;

const USAGE: &str = "usage: cinnabar-bench migrate_rebuild [PARENTS] [--children K] [--repeat R]
  PARENTS       rows of the parent table (default 100000)
  --children K  child rows per parent, ON DELETE CASCADE (default 9: 1,000,000 rows in all)
  --repeat R    timed rebuilds per contender, interleaved, each on a fresh database
                (default 3)";

struct Options {
    parents: i64,
    children: i64,
    repeat: usize,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut opts = Options {
        parents: 100_000,
        children: 9,
        repeat: 3,
    };
    let mut it = args.iter();
    let positive = |name: &str, v: &str| -> Result<i64, String> {
        v.parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{name} {v:?}: expected a positive integer"))
    };
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> Result<String, String> {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--children" => opts.children = positive("--children", &value("--children")?)?,
            "--repeat" => {
                let r = positive("--repeat", &value("--repeat")?)?;
                opts.repeat = usize::try_from(r).map_err(|e| e.to_string())?;
            }
            "-h" | "--help" => return Err(String::new()),
            s if !s.starts_with('-') => opts.parents = positive("PARENTS", s)?,
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(opts)
}

fn parents() -> Table {
    Table::new("parents")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("name", SqlType::Text(Some(40))))
        .column(Column::new("score", SqlType::SmallInt).nullable())
        .column(Column::new("note", SqlType::Text(None)).nullable())
}

fn children() -> Table {
    Table::new("children")
        .column(
            Column::new("id", SqlType::BigInt)
                .primary_key()
                .autoincrement(),
        )
        .column(Column::new("parent_id", SqlType::BigInt).index())
        .column(Column::new("label", SqlType::Text(Some(40))))
        .foreign_key(
            ForeignKey::new("parent_id", "parents", "id").on_delete(ReferentialAction::Cascade),
        )
}

/// The change the rebuild makes: `parents.score` widened from SMALLINT to BIGINT (a type
/// change, which SQLite's ALTER TABLE cannot make).
fn widen() -> SchemaOp {
    SchemaOp::AlterColumn {
        table: "parents".into(),
        from: Column::new("score", SqlType::SmallInt).nullable(),
        to: Column::new("score", SqlType::BigInt).nullable(),
        changes: vec![ColumnChange::Type],
    }
}

/// Count and checksums of both tables: (parents, children), each `(rows, checksum)`.
type Census = [(i64, i64); 2];

/// Counts every row and sums a per-row checksum of every column of both tables.
fn census(conn: &mut rusqlite::Connection) -> Result<Census, Failure> {
    let one = |conn: &mut rusqlite::Connection, sql: &str| -> Result<(i64, i64), Failure> {
        Ok(conn.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?)
    };
    Ok([
        one(
            conn,
            "SELECT count(*), coalesce(sum(id * 7 + length(name) * 131 \
             + coalesce(score, -1) * 1009 + coalesce(length(note), -3) * 5), 0) FROM parents",
        )?,
        one(
            conn,
            "SELECT count(*), coalesce(sum(id * 3 + parent_id * 17 + length(label) * 101), 0) \
             FROM children",
        )?,
    ])
}

fn seed(path: &std::path::Path, opts: &Options) -> Result<(), Failure> {
    let engine = create_engine(&crate::orm::sqlite_url(path)?)?;
    MetaData::new()
        .with(parents())
        .with(children())
        .create_all(&engine)?;
    let mut conn = engine.connect()?;
    let (p, k) = (opts.parents, opts.children);
    conn.execute_script(&format!(
        "BEGIN; \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {p}) \
         INSERT INTO parents (id, name, score, note) \
         SELECT i, 'parent ' || i, i % 1000, CASE WHEN i % 4 = 0 THEN NULL ELSE 'note ' || i END \
         FROM n; \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
         INSERT INTO children (id, parent_id, label) SELECT i, (i - 1) / {k} + 1, 'child ' || i \
         FROM n; \
         COMMIT;",
        p * k
    ))?;
    Ok(())
}

/// The cinnabar contender: what the Migrator does for the op. Returns the rows copied.
fn run_cinnabar(path: &std::path::Path) -> Result<u64, Failure> {
    let engine = create_engine(&crate::orm::sqlite_url(path)?)?;
    let mut conn = engine.connect()?;
    let current = Inspector::new(&engine)
        .table("parents")?
        .ok_or_else(|| Failure::Error("no parents table".into()))?;
    let version = rebuild::server_version(&mut conn)?;
    match rebuild::plan_ops(engine.dialect(), version, &current, &[widen()])? {
        TableChange::Rebuild(plan) => Ok(rebuild::run(&mut conn, &plan)?.rows),
        TableChange::Native(_) => Err(Failure::Verify("the change was not a rebuild".into())),
    }
}

/// The floor: the same plan's statements through rusqlite.
fn run_raw(path: &std::path::Path, sql: &[String]) -> Result<u64, Failure> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let mut rows = 0;
    for s in sql {
        if s.starts_with("PRAGMA foreign_key_check") {
            let mut stmt = tx.prepare(s)?;
            if stmt.query([])?.next()?.is_some() {
                return Err(Failure::Verify(format!("{s} found rows")));
            }
        } else if s.starts_with("INSERT") {
            rows = tx.execute(s, [])? as u64;
        } else {
            tx.execute_batch(s)?;
        }
    }
    tx.commit()?;
    conn.execute_batch("PRAGMA foreign_keys = ON")?;
    Ok(rows)
}

/// Runs the mode; `args` follow the word `migrate_rebuild`.
pub(crate) fn main(args: &[String]) -> ExitCode {
    crate::run_mode("migrate_rebuild", USAGE, args, parse, run)
}

fn run(opts: &Options) -> Result<(), Failure> {
    let total = opts.parents * (1 + opts.children);
    let stdout = std::io::stdout();
    let (mut raw_s, mut orm_s) = (Vec::new(), Vec::new());
    let mut raw_sql: Option<Vec<String>> = None;
    for rep in 0..opts.repeat {
        let turns = if rep % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for orm_turn in turns {
            let dir = tempfile::tempdir()?;
            let path = dir.path().join("migrate_rebuild.db");
            seed(&path, opts)?;
            let mut check = rusqlite::Connection::open(&path)?;
            let before = census(&mut check)?;
            if before[0].0 + before[1].0 != total {
                return Err(Failure::Verify(format!(
                    "seeded {before:?}, expected {total} rows"
                )));
            }
            let sql = match &raw_sql {
                Some(s) => s.clone(),
                None => {
                    let engine = create_engine(&crate::orm::sqlite_url(&path)?)?;
                    let current = Inspector::new(&engine)
                        .table("parents")?
                        .ok_or_else(|| Failure::Error("no parents table".into()))?;
                    let TableChange::Rebuild(plan) =
                        rebuild::plan_ops(engine.dialect(), None, &current, &[widen()])?
                    else {
                        return Err(Failure::Verify("the change was not a rebuild".into()));
                    };
                    let mut s: Vec<String> =
                        plan.statements().into_iter().map(str::to_owned).collect();
                    s.push("PRAGMA foreign_key_check(\"children\")".into());
                    raw_sql = Some(s.clone());
                    s
                }
            };
            let start = Instant::now();
            let copied = if orm_turn {
                run_cinnabar(&path)?
            } else {
                run_raw(&path, &sql)?
            };
            let secs = start.elapsed().as_secs_f64();
            let after = census(&mut check)?;
            let violations: i64 =
                check.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                    r.get(0)
                })?;
            let score_type: String = check.query_row(
                "SELECT type FROM pragma_table_info('parents') WHERE name = 'score'",
                [],
                |r| r.get(0),
            )?;
            if after != before
                || violations != 0
                || copied != before[0].0 as u64
                || score_type != "INTEGER"
            {
                return Err(Failure::Verify(format!(
                    "before {before:?}, after {after:?}, {violations} foreign-key violations, \
                     {copied} rows copied, score {score_type}"
                )));
            }
            let name = if orm_turn { "cinnabar" } else { "raw_rusqlite" };
            if orm_turn {
                orm_s.push(secs);
            } else {
                raw_s.push(secs);
            }
            let mut out = stdout.lock();
            let _ = writeln!(
                out,
                "migrate_rebuild {name} {secs:.6} {}",
                after[0].0 + after[1].0
            );
            let _ = writeln!(
                out,
                "# accounted for: parents {} (checksum {}), children {} (checksum {}), \
                 foreign-key violations {violations}",
                after[0].0, after[0].1, after[1].0, after[1].1
            );
        }
    }
    let (r, o) = (
        crate::median(raw_s).unwrap_or(f64::NAN),
        crate::median(orm_s).unwrap_or(f64::NAN),
    );
    eprintln!();
    eprintln!(
        "summary: migrate_rebuild, sqlite, {} parents + {} children = {total} rows, \
         repeat={} (median seconds)",
        opts.parents,
        opts.parents * opts.children,
        opts.repeat
    );
    eprintln!(
        "{:<16} {:>15} {:>15} {:>8}",
        "workload", "raw_rusqlite", "cinnabar", "ratio"
    );
    eprintln!(
        "{:<16} {r:>15.6} {o:>15.6} {:>8.3}",
        "migrate_rebuild",
        o / r
    );
    Ok(())
}
