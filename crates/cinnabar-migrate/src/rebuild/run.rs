//! Running a [`RebuildPlan`] on a live database: foreign keys off outside the transaction,
//! the plan's statements inside one, the table's triggers recreated, views and foreign keys
//! checked, and on any failure a rollback that leaves the table, its rows and the schema as
//! they were (no temporary table), with foreign keys back on.

use std::time::{Duration, Instant};

use cinnabar_core::dialect::{BeginMode, Dialect, TableRebuild};
use cinnabar_core::{Error, ErrorKind, Result, Value, ValueRef};
use cinnabar_engine::Connection;

use super::plan::RebuildPlan;

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildReport {
    /// The table rebuilt.
    pub table: String,
    /// Rows copied (every row of the table: the rebuild fails otherwise).
    pub rows: u64,
    /// Triggers of the table recreated.
    pub triggers: usize,
    /// Wall time from the first statement to the commit (or the savepoint's release).
    pub elapsed: Duration,
}

/// Runs `plan` on `conn`.
///
/// Outside a transaction: foreign-key enforcement is turned off (SQLite ignores the
/// setting inside a transaction, and a `DROP TABLE` with it on would delete the rows of
/// `ON DELETE CASCADE` children), a write transaction runs the rebuild, and enforcement is
/// turned back on whatever happened. Inside a transaction (a migration's), the rebuild runs
/// in a savepoint, and foreign keys must already be off: see [`with_foreign_keys_off`].
///
/// Inside the transaction, before anything changes, it refuses a table declared with what
/// a rebuild would silently drop (`AUTOINCREMENT`, `WITHOUT ROWID`, `STRICT`, `COLLATE`,
/// generated columns, ...), a dropped or renamed column that a trigger or another table's
/// foreign key names, and notes which views work. Then it creates the new table, copies
/// every row (checking the count), drops the old table, renames the new one, creates the
/// indexes, recreates the table's triggers, checks that every view that worked still works,
/// and runs the foreign-key check of the table and of every table that references it.
///
/// # Errors
/// [`ErrorKind::Unsupported`] for a dialect without rebuilds, a table feature a rebuild
/// would lose, a trigger, view or foreign key the change breaks (each named);
/// [`ErrorKind::Misuse`] when called inside a transaction with foreign keys on, or the
/// table does not exist; [`ErrorKind::ForeignKeyViolation`] listing (table, rowid, parent)
/// of the rows the check found; the database's error for a row the new table refuses (a
/// NOT NULL column without default, a CHECK) with the step named. On every error the
/// transaction (or savepoint) is rolled back: nothing of the rebuild remains.
pub fn run(conn: &mut Connection, plan: &RebuildPlan) -> Result<RebuildReport> {
    let rb = super::capability(conn.dialect())?;
    let fail = |e: Error| e.context(format_args!("rebuilding table {:?}", plan.table()));
    if conn.in_transaction() {
        if flag(conn, rb.foreign_keys_enabled_sql())? {
            return Err(fail(Error::misuse(format!(
                "a rebuild inside a transaction needs foreign keys off before the transaction \
                 begins ({:?} does nothing inside one, and dropping the table would delete \
                 the rows of ON DELETE CASCADE children); run the transaction inside \
                 rebuild::with_foreign_keys_off",
                rb.foreign_keys_sql(false)
            ))));
        }
        conn.begin_level(BeginMode::Deferred).map_err(fail)?;
        let result = body(conn, rb, plan);
        return finish(conn, result).map_err(fail);
    }
    with_foreign_keys_off(conn, |conn| {
        conn.begin_write_level()?;
        let result = body(conn, rb, plan);
        finish(conn, result)
    })
    .map_err(fail)
}

/// Runs `f` with foreign-key enforcement off, and turns it back on afterwards (when it was
/// on), whatever `f` returned. For a migration that runs several rebuilds, or a rebuild and
/// other steps, in one transaction: begin and commit it inside `f`. On a dialect that does
/// not rebuild tables, `f` runs as is.
///
/// While enforcement is off, deleting a parent row does not cascade to its children: a
/// rebuild's foreign-key check reports the orphans such a step leaves in the table it
/// rebuilds and the tables that reference it.
///
/// # Errors
/// [`ErrorKind::Misuse`] inside a transaction (the setting cannot change there); `f`'s
/// error; a database error turning enforcement off or back on.
pub fn with_foreign_keys_off<T>(
    conn: &mut Connection,
    f: impl FnOnce(&mut Connection) -> Result<T>,
) -> Result<T> {
    let Some(rb) = conn.dialect().table_rebuild() else {
        return f(conn);
    };
    if conn.in_transaction() {
        return Err(Error::misuse(
            "foreign keys cannot be turned off inside a transaction; call \
             with_foreign_keys_off before beginning it",
        ));
    }
    let was_on = flag(conn, rb.foreign_keys_enabled_sql())?;
    if was_on {
        conn.execute_script(rb.foreign_keys_sql(false))?;
        if flag(conn, rb.foreign_keys_enabled_sql())? {
            return Err(Error::new(
                ErrorKind::Database,
                "foreign-key enforcement stayed on after turning it off",
            ));
        }
    }
    let result = f(conn);
    if conn.in_transaction() {
        // `f` left its transaction open: it cannot be committed on its behalf.
        while conn.in_transaction() {
            if conn.rollback_level().is_err() {
                break;
            }
        }
        if result.is_ok() {
            if was_on {
                conn.execute_script(rb.foreign_keys_sql(true))?;
            }
            return Err(Error::misuse(
                "the function given to with_foreign_keys_off left a transaction open; it was \
                 rolled back",
            ));
        }
    }
    let restored = if was_on {
        conn.execute_script(rb.foreign_keys_sql(true))
    } else {
        Ok(())
    };
    match (result, restored) {
        (Ok(v), Ok(())) => Ok(v),
        (Err(e), _) => Err(e),
        (Ok(_), Err(e)) => Err(e.context("turning foreign keys back on")),
    }
}

/// Commits the level `body` ran in, or rolls it back when it failed.
fn finish(conn: &mut Connection, result: Result<RebuildReport>) -> Result<RebuildReport> {
    match result {
        Ok(report) => {
            conn.commit_level()?;
            Ok(report)
        }
        Err(e) => {
            // The rebuild's error matters more than a failed rollback (which marks the
            // connection for discard).
            let _ = conn.rollback_level();
            Err(e)
        }
    }
}

/// The rebuild's statements, inside the transaction or savepoint.
fn body(conn: &mut Connection, rb: &dyn TableRebuild, plan: &RebuildPlan) -> Result<RebuildReport> {
    let started = Instant::now();
    let d = conn.dialect();
    let table = plan.table();
    let definition = rows(conn, rb.table_definition_sql(), &[ValueRef::Text(table)])?;
    let Some(create_sql) = definition.first().and_then(|r| text(r, 0)) else {
        return Err(Error::misuse(format!("there is no table {table:?}")));
    };
    let unkept = rb.unkept_features(&create_sql);
    if !unkept.is_empty() {
        return Err(Error::unsupported(format!(
            "the table is declared with {}, which a rebuild from its reflected definition \
             would drop; change it with SQL steps of your own",
            unkept.join(", ")
        )));
    }

    let gone = plan.removed_names();
    let dependents = rows(conn, rb.dependents_sql(), &[])?;
    let mut triggers = Vec::new();
    let mut views = Vec::new();
    for row in &dependents {
        let (Some(kind), Some(name), Some(on), Some(sql)) =
            (text(row, 0), text(row, 1), text(row, 2), text(row, 3))
        else {
            continue;
        };
        if kind == "view" {
            views.push(name);
            continue;
        }
        let on_table = on.eq_ignore_ascii_case(table);
        if on_table || rb.mentions(&sql, table) {
            if let Some(c) = gone.iter().find(|c| rb.mentions(&sql, c)) {
                return Err(Error::unsupported(format!(
                    "trigger {name:?} names column {c:?}, which the rebuild drops or renames, \
                     and its SQL cannot be rewritten: drop the trigger before this step and \
                     create it again after"
                )));
            }
        }
        if on_table {
            triggers.push(sql);
        }
    }
    let mut working_views = Vec::new();
    for v in views {
        if view_works(conn, d, &v).is_ok() {
            working_views.push(v);
        }
    }
    let mut children: Vec<String> = Vec::new();
    for row in rows(conn, rb.referencing_sql(), &[ValueRef::Text(table)])? {
        let Some(child) = text(&row, 0) else { continue };
        if let Some(c) = text(&row, 1).filter(|c| gone.iter().any(|g| g.eq_ignore_ascii_case(c))) {
            return Err(Error::unsupported(format!(
                "table {child:?} has a foreign key to column {c:?}, which the rebuild drops or \
                 renames: rename a referenced column in a step of its own (ALTER TABLE .. \
                 RENAME COLUMN updates the references), or change {child:?} first"
            )));
        }
        if !children.contains(&child) {
            children.push(child);
        }
    }

    let mut count_sql = String::from("SELECT count(*) FROM ");
    d.quote_identifier(&mut count_sql, table);
    let before = rows(conn, &count_sql, &[])?
        .first()
        .and_then(|r| r.first().cloned())
        .and_then(|v| match v {
            Value::Int(n) => u64::try_from(n).ok(),
            _ => None,
        })
        .unwrap_or(0);

    step(conn, plan.create_sql(), "creating the new table")?;
    let copied = conn
        .run(plan.copy_sql(), &[], None)
        .map_err(|e| e.context("copying the rows into the new table"))?;
    if copied != before {
        return Err(Error::new(
            ErrorKind::Database,
            format!("the copy wrote {copied} rows, but the table has {before}"),
        ));
    }
    step(conn, plan.drop_sql(), "dropping the old table")?;
    let legacy_was_on = flag(conn, rb.legacy_rename_enabled_sql())?;
    step(conn, rb.legacy_rename_sql(true), "renaming the new table")?;
    let renamed = step(conn, plan.rename_sql(), "renaming the new table");
    step(
        conn,
        rb.legacy_rename_sql(legacy_was_on),
        "renaming the new table",
    )?;
    renamed?;
    for ix in plan.index_sql() {
        step(conn, ix, "creating an index")?;
    }
    for t in &triggers {
        step(conn, t, "recreating a trigger")?;
    }
    for v in &working_views {
        view_works(conn, d, v).map_err(|e| {
            Error::unsupported(format!(
                "view {v:?} no longer works after the rebuild ({}): drop the view before this \
                 step and create it again after",
                e.message()
            ))
        })?;
    }
    let mut violations = Vec::new();
    let mut total = 0usize;
    for checked in std::iter::once(table).chain(children.iter().map(String::as_str)) {
        let mut sql = String::new();
        rb.write_foreign_key_check(d, &mut sql, checked);
        let found = rows(conn, &sql, &[]).map_err(|e| e.context("checking foreign keys"))?;
        total += found.len();
        for r in found.iter().take(10usize.saturating_sub(violations.len())) {
            let show = |i: usize| match r.get(i) {
                Some(Value::Text(s)) => s.clone(),
                Some(Value::Int(n)) => n.to_string(),
                _ => "NULL".to_string(),
            };
            violations.push(format!("{} rowid {} -> {}", show(0), show(1), show(2)));
        }
    }
    if total > 0 {
        return Err(Error::new(
            ErrorKind::ForeignKeyViolation,
            format!(
                "the foreign-key check found {total} row(s) without a parent row: {}{}",
                violations.join(", "),
                if total > violations.len() {
                    ", ..."
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(RebuildReport {
        table: table.to_string(),
        rows: copied,
        triggers: triggers.len(),
        elapsed: started.elapsed(),
    })
}

fn step(conn: &mut Connection, sql: &str, what: &str) -> Result<()> {
    conn.execute_script(sql).map_err(|e| e.context(what))
}

/// Whether `SELECT * FROM view LIMIT 0` prepares and runs.
fn view_works(conn: &mut Connection, d: &dyn Dialect, view: &str) -> Result<()> {
    let mut sql = String::from("SELECT * FROM ");
    d.quote_identifier(&mut sql, view);
    sql.push_str(" LIMIT 0");
    conn.run(&sql, &[], Some(&mut |_| Ok(()))).map(|_| ())
}

/// A query's first column of its first row read as a flag (a non-zero integer).
fn flag(conn: &mut Connection, sql: &str) -> Result<bool> {
    let found = rows(conn, sql, &[])?;
    Ok(matches!(
        found.first().and_then(|r| r.first()),
        Some(Value::Int(n)) if *n != 0
    ) || matches!(
        found.first().and_then(|r| r.first()),
        Some(Value::Bool(true))
    ))
}

fn text(row: &[Value], i: usize) -> Option<String> {
    match row.get(i) {
        Some(Value::Text(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Runs a query and collects its rows as values.
fn rows(conn: &mut Connection, sql: &str, params: &[ValueRef<'_>]) -> Result<Vec<Vec<Value>>> {
    let mut out = Vec::new();
    conn.run(
        sql,
        params,
        Some(&mut |row| {
            let values = (0..row.len())
                .map(|i| row.value(i).map(ValueRef::to_owned_value))
                .collect::<Result<Vec<_>>>()?;
            out.push(values);
            Ok(())
        }),
    )?;
    Ok(out)
}
