//! Offline SQL: the statements an upgrade would run, for a dialect, without a database
//! (`cinnabar migrate upgrade --sql`), so a DBA can review or run them. The version table is
//! created if absent and written as the Migrator writes it; each revision is one transaction
//! where DDL is transactional, else its version row records each step as the online run
//! does, so a script stopped by an error leaves the same resumable dirty state. A table the
//! database cannot ALTER is rebuilt from the schema the revisions produce (replayed), with
//! foreign keys off around the revision's transaction.

use cinnabar_core::dialect::{compile_ddl, Dialect};
use cinnabar_core::schema::diff::SchemaOp;
use cinnabar_core::{Error, Result};

use crate::apply::literals;
use crate::dir::MigrationDir;
use crate::plan::{ancestors, ancestors_of};
use crate::revision::{Revision, Step};
use crate::steps::{group_end, in_place, plan_group};
use crate::version::VersionTable;
use crate::VERSION_TABLE;

/// The SQL statements that upgrade a database of `dialect` from `from` (`None`: an empty
/// database; else the revision it is at, with its ancestors) to `to` (`"head"`, an id or a
/// unique prefix), in order, with the default version table. Each string is one statement,
/// or one `sql` step's text (which may hold several), without a final `;`: join them with
/// `";\n"` to make a script.
///
/// ```
/// # fn main() -> cinnabar_core::Result<()> {
/// # let dir = tempfile::tempdir().map_err(|e| cinnabar_core::Error::misuse(e.to_string()))?;
/// # std::fs::write(dir.path().join("20261205120000_create.toml"), "id = \"20261205120000\"\nparents = []\nmessage = \"create\"\ncreated = \"2026-12-05T12:00:00Z\"\n\n[[up]]\nop = \"sql\"\nall = \"CREATE TABLE t (id INTEGER)\"\n\n[[down]]\nop = \"sql\"\nall = \"DROP TABLE t\"\n").map_err(|e| cinnabar_core::Error::misuse(e.to_string()))?;
/// # std::fs::write(dir.path().join("HEAD"), "20261205120000\n").map_err(|e| cinnabar_core::Error::misuse(e.to_string()))?;
/// use cinnabar_core::dialect::PostgresDialect;
/// use cinnabar_migrate::{sql_for_upgrade, MigrationDir};
///
/// let dir = MigrationDir::load(dir.path())?;
/// let script = sql_for_upgrade(&dir, &PostgresDialect, None, "head")?.join(";\n");
/// assert!(script.contains("CREATE TABLE t (id INTEGER)"));
/// assert!(script.contains("INSERT INTO \"cinnabar_migrations\""));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) for an unknown revision or
/// several heads; [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind::Unsupported) for a
/// step that cannot be written as SQL for `dialect` (a Rust step, a `sql` step without text
/// for it, an operation the dialect cannot compile), naming the revision and step.
pub fn sql_for_upgrade(
    dir: &MigrationDir,
    dialect: &dyn Dialect,
    from: Option<&str>,
    to: &str,
) -> Result<Vec<String>> {
    sql_for_upgrade_with(dir, VERSION_TABLE, dialect, from, to)
}

/// [`sql_for_upgrade`] with another version table name.
pub(crate) fn sql_for_upgrade_with(
    dir: &MigrationDir,
    version_table: &str,
    dialect: &dyn Dialect,
    from: Option<&str>,
    to: &str,
) -> Result<Vec<String>> {
    let target = dir.resolve(to)?;
    let keep = ancestors_of(dir, target)?;
    let done = match from {
        None => Default::default(),
        Some(f) => match dir.resolve(f)? {
            Some(r) => ancestors(dir, &r.id)?,
            None => Default::default(),
        },
    };
    let version = VersionTable::new(version_table);
    let mut out = vec![version.create_sql(dialect)?];
    for r in dir
        .revisions()
        .iter()
        .filter(|r| keep.contains(&r.id) && !done.contains(&r.id))
    {
        revision_sql(dir, &version, dialect, r, &mut out)?;
    }
    Ok(out)
}

fn revision_sql(
    dir: &MigrationDir,
    version: &VersionTable,
    d: &dyn Dialect,
    r: &Revision,
    out: &mut Vec<String>,
) -> Result<()> {
    let n = r.up.len();
    let context = |i: usize, e: Error| {
        e.context(format!(
            "revision {} ({}), step {} ({})",
            r.id,
            r.message,
            i + 1,
            r.up[i].describe()
        ))
    };
    // The schema the revision finds, replayed, for the tables it rebuilds.
    let mut schema = match d.table_rebuild() {
        Some(_) => Some(dir.schema_before(&r.id, 0)?),
        None => None,
    };
    let mut steps: Vec<Vec<String>> = Vec::with_capacity(n);
    let mut rebuilds = false;
    let mut i = 0;
    while i < n {
        if let (Some(md), Step::Op(first)) = (schema.as_mut(), &r.up[i]) {
            if in_place(first) {
                let end = group_end(&r.up, i);
                let ops: Vec<SchemaOp> = r.up[i..end]
                    .iter()
                    .filter_map(|s| match s {
                        Step::Op(op) => Some(op.clone()),
                        _ => None,
                    })
                    .collect();
                if let Some(plan) = plan_group(d, None, md, &ops).map_err(|e| context(i, e))? {
                    rebuilds = true;
                    steps.push(plan.statements().into_iter().map(str::to_owned).collect());
                    // The other steps of the group are in the first one's statements.
                    steps.extend((i + 1..end).map(|_| Vec::new()));
                    for (k, op) in ops.iter().enumerate() {
                        op.apply(md).map_err(|e| context(i + k, e))?;
                    }
                    i = end;
                    continue;
                }
            }
        }
        steps.push(step_sql(d, &r.up[i]).map_err(|e| context(i, e))?);
        if let (Some(md), Step::Op(op)) = (schema.as_mut(), &r.up[i]) {
            op.apply(md).map_err(|e| context(i, e))?;
        }
        i += 1;
    }
    let foreign_keys = d
        .table_rebuild()
        .filter(|_| rebuilds)
        .map(|rb| (rb.foreign_keys_sql(false), rb.foreign_keys_sql(true)));
    if crate::apply::revision_in_one_transaction(d) {
        if let Some((off, _)) = foreign_keys {
            out.push(off.to_owned());
        }
        out.push(VersionTable::begin_sql(d).to_owned());
        for s in steps {
            out.extend(s);
        }
        out.push(version.insert_sql(d, Some(&literals(r, n)))?);
        out.push("COMMIT".to_owned());
        if let Some((_, on)) = foreign_keys {
            out.push(on.to_owned());
        }
    } else {
        out.push(version.insert_sql(d, Some(&literals(r, 0)))?);
        for (i, s) in steps.into_iter().enumerate() {
            out.extend(s);
            out.push(version.update_sql(d, Some(&literals(r, i + 1)))?);
        }
    }
    Ok(())
}

/// One step as SQL statements.
fn step_sql(d: &dyn Dialect, step: &Step) -> Result<Vec<String>> {
    match step {
        Step::Op(op) => op.to_ddl().iter().map(|ddl| compile_ddl(d, ddl)).collect(),
        Step::Sql(sql) => match sql.for_dialect(d) {
            Some(text) => {
                let text = text.trim_end().trim_end_matches(';').trim_end();
                Ok(if text.is_empty() {
                    Vec::new()
                } else {
                    vec![text.to_owned()]
                })
            }
            None => Err(Error::unsupported(format!(
                "the SQL step has no text for {} and no `all`",
                d.name()
            ))),
        },
        Step::Rust(name) => Err(Error::unsupported(format!(
            "the Rust step {name:?} runs only through the Migrator and cannot be written as SQL; \
             apply this revision online (`cinnabar migrate upgrade` or Migrator::upgrade)"
        ))),
    }
}
