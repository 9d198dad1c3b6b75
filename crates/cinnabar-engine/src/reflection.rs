//! Reflection: reading a live database's schema into [`Table`] values, as SQLAlchemy's
//! `Inspector` does. The dialect's [`Catalog`] knows the catalog queries and how to read
//! their rows; this module runs them, one query per kind of object for the whole schema, on
//! one connection. Used by applications, `MetaDataExt::reflect`, the schema diff and codegen.

use cinnabar_core::dialect::catalog::{Catalog, CatalogRows, ObjectKind};
use cinnabar_core::schema::{MetaData, Table};
use cinnabar_core::{Error, Result};

use crate::connection::Connection;
use crate::engine::Engine;
use crate::row::Row;

/// Reads the schema of the database an [`Engine`] points at (its current schema: PostgreSQL's
/// `current_schema()`, MySQL's `DATABASE()`, SQLite's `main`).
///
/// Every method runs the dialect's catalog queries on one pooled connection: a fixed number
/// of statements whatever the number of tables (see docs/schema/reflection.md for what each
/// backend reads).
///
/// ```no_run
/// # fn main() -> cinnabar_core::Result<()> {
/// use cinnabar_engine::{create_engine, Inspector};
///
/// let engine = create_engine("sqlite:///college.db")?;
/// let inspector = Inspector::new(&engine);
/// for name in inspector.table_names()? {
///     println!("{name}");
/// }
/// if let Some(students) = inspector.table("students")? {
///     for c in &students.columns {
///         println!("{} {:?} nullable={}", c.name, c.sql_type, c.nullable);
///     }
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Inspector {
    engine: Engine,
}

impl Inspector {
    /// An inspector for `engine`'s database.
    pub fn new(engine: &Engine) -> Self {
        Inspector {
            engine: engine.clone(),
        }
    }

    /// Every table of the schema with its columns, keys, constraints and indexes, sorted by
    /// name.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind::Unsupported) when the dialect
    /// cannot be reflected; database errors; a conversion error naming what could not be read.
    pub fn tables(&self) -> Result<Vec<Table>> {
        let mut conn = self.engine.connect()?;
        reflect_tables(&mut conn)
    }

    /// The names of the schema's tables, sorted. Runs only the catalog's table query.
    ///
    /// # Errors
    /// As [`Inspector::tables`].
    pub fn table_names(&self) -> Result<Vec<String>> {
        let mut conn = self.engine.connect()?;
        let catalog = catalog_of(&conn)?;
        let tables = run_catalog(&mut conn, catalog, |k| k == ObjectKind::Tables)?;
        Ok(tables.into_iter().map(|t| t.name).collect())
    }

    /// The table called `name` (exactly, case included), or `None` when the schema has no
    /// such table. Reads the whole schema, as [`Inspector::tables`] does: to reflect several
    /// tables, call [`Inspector::metadata`] once.
    ///
    /// # Errors
    /// As [`Inspector::tables`].
    pub fn table(&self, name: &str) -> Result<Option<Table>> {
        Ok(self.tables()?.into_iter().find(|t| t.name == name))
    }

    /// A [`MetaData`] holding every table of the schema, or only those named in `only`.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) naming a table of `only`
    /// that the schema does not have; otherwise as [`Inspector::tables`].
    pub fn metadata(&self, only: Option<&[&str]>) -> Result<MetaData> {
        let mut md = MetaData::new();
        for t in select(self.tables()?, only)? {
            md.add(t);
        }
        Ok(md)
    }
}

/// `MetaDataExt::reflect`: adds the reflected tables (all, or those in `only`) to `md`,
/// replacing tables of the same name.
pub(crate) fn reflect_into(
    md: &mut MetaData,
    engine: &Engine,
    only: Option<&[&str]>,
) -> Result<()> {
    for t in select(Inspector::new(engine).tables()?, only)? {
        md.add(t);
    }
    Ok(())
}

/// The tables named in `only` (in its order), or all of them.
fn select(tables: Vec<Table>, only: Option<&[&str]>) -> Result<Vec<Table>> {
    let Some(only) = only else { return Ok(tables) };
    let mut out = Vec::with_capacity(only.len());
    for name in only {
        match tables.iter().find(|t| t.name == *name) {
            Some(t) => {
                if !out.iter().any(|o: &Table| o.name == *name) {
                    out.push(t.clone());
                }
            }
            None => {
                return Err(Error::misuse(format!(
                    "cannot reflect table {name:?}: the database's current schema has no \
                     table of that name (names are compared exactly, case included)"
                )))
            }
        }
    }
    Ok(out)
}

/// Every table of the connection's current schema, sorted by name: runs each catalog query
/// of the dialect once and assembles the rows.
///
/// # Errors
/// As [`Inspector::tables`].
pub fn reflect_tables(conn: &mut Connection) -> Result<Vec<Table>> {
    let catalog = catalog_of(conn)?;
    run_catalog(conn, catalog, |_| true)
}

fn catalog_of(conn: &Connection) -> Result<&'static dyn Catalog> {
    let dialect = conn.dialect();
    dialect.catalog().ok_or_else(|| {
        Error::unsupported(format!(
            "the {} dialect cannot reflect a schema",
            dialect.name()
        ))
    })
}

/// Runs the catalog queries whose kind `wanted` accepts (the others count as returning no
/// rows) and assembles the tables.
fn run_catalog(
    conn: &mut Connection,
    catalog: &'static dyn Catalog,
    wanted: impl Fn(ObjectKind) -> bool,
) -> Result<Vec<Table>> {
    let mut results: Vec<CatalogRows> = Vec::with_capacity(catalog.queries().len());
    for q in catalog.queries() {
        let mut rows: CatalogRows = Vec::new();
        if wanted(q.kind) {
            conn.run(
                q.sql,
                &[],
                Some(&mut |row: &dyn Row| {
                    let mut values = Vec::with_capacity(row.len());
                    for i in 0..row.len() {
                        values.push(row.value(i)?.to_owned_value());
                    }
                    rows.push(values);
                    Ok(())
                }),
            )?;
        }
        results.push(rows);
    }
    catalog.assemble(&results)
}
