//! Reflection: reading a live database's schema into [`Table`] values, as SQLAlchemy's
//! `Inspector` does. The dialect's [`Catalog`](cinnabar_core::dialect::catalog::Catalog)
//! knows the catalog queries and how to read their rows; this module runs them, one query
//! per kind of object for the whole schema, on one connection.

use cinnabar_core::dialect::catalog::CatalogRows;
use cinnabar_core::schema::Table;
use cinnabar_core::{Error, Result};

use crate::connection::Connection;
use crate::engine::Engine;
use crate::row::Row;

/// Reads the schema of the database an [`Engine`] points at (its current schema: PostgreSQL's
/// `current_schema()`, MySQL's `DATABASE()`, SQLite's `main`).
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

    /// Every table of the schema, sorted by name.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`](cinnabar_core::ErrorKind::Unsupported) when the dialect
    /// cannot be reflected; database errors; a conversion error naming what could not be read.
    pub fn tables(&self) -> Result<Vec<Table>> {
        let mut conn = self.engine.connect()?;
        reflect_tables(&mut conn)
    }
}

/// Every table of the connection's current schema, sorted by name: runs each catalog query
/// of the dialect once and assembles the rows.
///
/// # Errors
/// As [`Inspector::tables`].
pub fn reflect_tables(conn: &mut Connection) -> Result<Vec<Table>> {
    let dialect = conn.dialect();
    let catalog = dialect.catalog().ok_or_else(|| {
        Error::unsupported(format!(
            "the {} dialect cannot reflect a schema",
            dialect.name()
        ))
    })?;
    let mut results: Vec<CatalogRows> = Vec::with_capacity(catalog.queries().len());
    for q in catalog.queries() {
        let mut rows: CatalogRows = Vec::new();
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
        results.push(rows);
    }
    catalog.assemble(&results)
}
