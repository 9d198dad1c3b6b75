//! `create_all` / `drop_all` for a [`MetaData`], as SQLAlchemy's `Base.metadata.create_all(engine)`:
//! idempotent, in foreign-key dependency order, one transaction, DDL rendered by the dialect.

use cinnabar_core::dialect::{create_index, create_table, drop_table};
use cinnabar_core::schema::MetaData;
use cinnabar_core::{Result, ValueRef};

use crate::connection::Connection;
use crate::engine::Engine;
use crate::row::Row;

/// Schema operations on a [`MetaData`] against an engine.
pub trait MetaDataExt {
    /// Creates every table and index that does not exist yet, parents before children.
    ///
    /// # Errors
    /// An invalid table (naming it and the column), a foreign-key cycle, database errors.
    fn create_all(&self, engine: &Engine) -> Result<()>;

    /// Drops every table that exists, children before parents.
    ///
    /// # Errors
    /// A foreign-key cycle, database errors.
    fn drop_all(&self, engine: &Engine) -> Result<()>;

    /// The DDL `create_all` runs, one statement per entry.
    ///
    /// # Errors
    /// As [`MetaDataExt::create_all`].
    fn create_all_sql(&self, engine: &Engine) -> Result<Vec<String>>;
}

impl MetaDataExt for MetaData {
    fn create_all_sql(&self, engine: &Engine) -> Result<Vec<String>> {
        let d = engine.dialect();
        let mut out = Vec::new();
        for table in self.sorted_tables()? {
            table.validate()?;
            out.push(create_table(d, &table, true));
            for index in table.all_indexes() {
                out.push(create_index(d, &table.name, &index, true));
            }
        }
        Ok(out)
    }

    fn create_all(&self, engine: &Engine) -> Result<()> {
        let d = engine.dialect();
        let tables = self.sorted_tables()?;
        for table in &tables {
            table.validate()?;
        }
        engine.begin(|conn: &mut Connection| {
            for table in &tables {
                conn.execute_script(&create_table(d, table, true))?;
                for index in table.all_indexes() {
                    if !d.supports_index_if_not_exists() {
                        if let Some(q) = d.index_exists_sql() {
                            let params = [
                                ValueRef::Text(table.name.as_str()),
                                ValueRef::Text(index.name.as_str()),
                            ];
                            let mut exists = false;
                            conn.run(
                                q,
                                &params,
                                Some(&mut |_row: &dyn Row| {
                                    exists = true;
                                    Ok(())
                                }),
                            )?;
                            if exists {
                                continue;
                            }
                        }
                    }
                    conn.execute_script(&create_index(d, &table.name, &index, true))?;
                }
            }
            Ok(())
        })
    }

    fn drop_all(&self, engine: &Engine) -> Result<()> {
        let d = engine.dialect();
        let mut tables = self.sorted_tables()?;
        tables.reverse();
        engine.begin(|conn: &mut Connection| {
            for t in &tables {
                conn.execute_script(&drop_table(d, &t.name, true))?;
            }
            Ok(())
        })
    }
}
