//! [`Migrator::check`]: whether the application's models are what the head revision
//! produces, for a test in the user's CI (a model changed without a revision fails it) and
//! for `cinnabar migrate check` in a CLI linked with the models.

use cinnabar_core::schema::diff::{diff, SchemaOp};
use cinnabar_core::schema::MetaData;
use cinnabar_core::{Error, Result};

use crate::migrator::Migrator;
use crate::{LOCK_TABLE, VERSION_TABLE};

impl Migrator {
    /// The operations that would turn the schema the revisions produce (up to the head) into
    /// `models`, compared on the engine's dialect's terms as autogenerate compares them
    /// (renames from `renamed_from` hints; the version table left out). Empty: the models
    /// are what the head produces. Needs no database connection.
    ///
    /// # Errors
    /// As [`MigrationDir::head`](crate::MigrationDir::head) (several heads, a wrong `HEAD`)
    /// and [`MigrationDir::schema_at`](crate::MigrationDir::schema_at).
    pub fn pending_model_changes(&self, models: &MetaData) -> Result<Vec<SchemaOp>> {
        let replayed = if self.dir.revisions().is_empty() {
            MetaData::new()
        } else {
            self.dir.schema_at(Some(&self.dir.head()?.id))?
        };
        let models = without_migration_tables(models);
        let replayed = without_migration_tables(&replayed);
        Ok(diff(&models, &replayed, self.engine.dialect()))
    }

    /// Fails when `models` differ from the schema the head revision produces: a model was
    /// changed and no revision written for it. Meant for a test in the application's CI:
    ///
    /// ```ignore
    /// #[test]
    /// fn migrations_are_up_to_date() {
    ///     let engine = create_engine("sqlite://").unwrap();
    ///     let migrator = Migrator::from_embedded(&engine, &MIGRATIONS).unwrap();
    ///     migrator.check(&my_app::models()).unwrap();
    /// }
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) listing the operations a new
    /// revision needs (and how to write it); as [`Migrator::pending_model_changes`].
    pub fn check(&self, models: &MetaData) -> Result<()> {
        let ops = self.pending_model_changes(models)?;
        if ops.is_empty() {
            return Ok(());
        }
        let head = match self.dir.revisions() {
            [] => "no revision".to_string(),
            _ => format!("the head revision {}", self.dir.head()?.id),
        };
        let listed: Vec<String> = ops.iter().map(|op| format!("  {op}")).collect();
        Err(Error::misuse(format!(
            "the models differ from what {head} of {} produces ({} operation{}):\n{}\nwrite a \
             revision for them: `cinnabar migrate revision --autogenerate -m \"...\"` (through \
             the CLI linked with your models)",
            self.dir.path().display(),
            ops.len(),
            if ops.len() == 1 { "" } else { "s" },
            listed.join("\n")
        )))
    }
}

fn without_migration_tables(schema: &MetaData) -> MetaData {
    let mut out = MetaData::new();
    for t in schema
        .tables()
        .iter()
        .filter(|t| t.name != VERSION_TABLE && t.name != LOCK_TABLE)
    {
        out.add(t.clone());
    }
    out
}
