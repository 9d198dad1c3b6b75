//! A revision: one file of a migrations directory, its up and down [`Step`]s and its place
//! in the graph (`parents`). Read by [`MigrationDir`](crate::MigrationDir), applied by the
//! Migrator.

use std::path::PathBuf;

use cinnabar_core::dialect::Dialect;
use cinnabar_core::schema::diff::SchemaOp;

/// One revision, as loaded from `<id>_<slug>.toml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// The id: the UTC creation time `YYYYMMDDHHMMSS`.
    pub id: String,
    /// The revisions this one follows: none for the first, two or more for a merge.
    pub parents: Vec<String>,
    /// What the revision does, as given with `-m`.
    pub message: String,
    /// When it was created, RFC 3339 UTC (`2026-12-05T12:00:00Z`).
    pub created: String,
    /// Whether a step loses data (written only with `--allow-destructive`).
    pub destructive: bool,
    /// Why the revision cannot be undone, when it cannot (it then has no down steps).
    pub irreversible: Option<String>,
    /// The steps that apply the revision, in order.
    pub up: Vec<Step>,
    /// The steps that undo it, in order.
    pub down: Vec<Step>,
    /// [`checksum`](crate::checksum) of the file's text.
    pub checksum: String,
    /// The file it was read from (empty for a revision not yet written).
    pub path: PathBuf,
}

/// One step of a revision.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A schema operation, compiled per dialect.
    Op(SchemaOp),
    /// A data step in SQL, per dialect.
    Sql(SqlStep),
    /// A data step in Rust: the name a function was registered under with the Migrator.
    Rust(String),
}

/// A data step written in SQL: one text per dialect, and `all` for any dialect without its
/// own. Each text may hold several statements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SqlStep {
    /// For any dialect without its own text.
    pub all: Option<String>,
    /// For SQLite.
    pub sqlite: Option<String>,
    /// For PostgreSQL.
    pub postgresql: Option<String>,
    /// For MySQL and MariaDB.
    pub mysql: Option<String>,
}

impl SqlStep {
    /// The SQL to run on `dialect`: its own text (chosen by [`Dialect::name`]), else `all`,
    /// else `None` (the step has nothing for this dialect).
    pub fn for_dialect(&self, dialect: &dyn Dialect) -> Option<&str> {
        let own = match dialect.name() {
            "sqlite" => self.sqlite.as_deref(),
            "postgresql" => self.postgresql.as_deref(),
            "mysql" => self.mysql.as_deref(),
            _ => None,
        };
        own.or(self.all.as_deref())
    }
}

impl Revision {
    /// Whether applying the revision can lose data (a step drops a table or a column, or
    /// narrows a type: [`SchemaOp::is_destructive`]).
    pub fn has_destructive_step(&self) -> bool {
        self.up.iter().any(Step::is_destructive)
    }

    /// The steps that undo the revision.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when the revision is
    /// irreversible, saying why.
    pub fn down_steps(&self) -> cinnabar_core::Result<&[Step]> {
        match &self.irreversible {
            None => Ok(&self.down),
            Some(why) => Err(cinnabar_core::Error::misuse(format!(
                "revision {} ({}) is irreversible: {why}",
                self.id, self.message
            ))),
        }
    }
}

impl Step {
    /// Whether the step is a schema operation that can lose data.
    pub fn is_destructive(&self) -> bool {
        matches!(self, Step::Op(op) if op.is_destructive())
    }

    /// What the step does, in a few words (for progress and messages).
    pub fn describe(&self) -> String {
        match self {
            Step::Op(op) => op.to_string(),
            Step::Sql(_) => "sql".to_string(),
            Step::Rust(name) => format!("rust {name}"),
        }
    }
}

/// The down steps that undo `up`: the reverse of each schema operation, last first.
///
/// # Errors
/// Why `up` cannot be undone mechanically, naming the step: a `sql` or `rust` step (whose
/// undoing only its author can write), or a drop of a table or column (the schema can be
/// put back, its data cannot). The text becomes the revision's `irreversible`.
pub fn generate_down(up: &[Step]) -> std::result::Result<Vec<Step>, String> {
    let mut down = Vec::with_capacity(up.len());
    for (i, step) in up.iter().enumerate().rev() {
        let n = i + 1;
        match step {
            Step::Op(op @ (SchemaOp::DropTable(_) | SchemaOp::DropColumn { .. })) => {
                return Err(format!(
                    "up step {n} ({op}) loses data that a downgrade cannot bring back"
                ))
            }
            Step::Op(op) => down.push(Step::Op(op.reverse())),
            Step::Sql(_) => {
                return Err(format!(
                    "up step {n} is a sql step; to make the revision reversible, write the SQL \
                     that undoes it as a [[down]] sql step and remove `irreversible`"
                ))
            }
            Step::Rust(name) => {
                return Err(format!(
                    "up step {n} is the Rust step {name:?}; to make the revision reversible, \
                     register a step that undoes it and name it in a [[down]] rust step"
                ))
            }
        }
    }
    Ok(down)
}
