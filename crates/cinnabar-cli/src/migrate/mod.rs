//! `cinnabar migrate ...`: the migration subcommands' arguments (clap) and their dispatch.
//! Each command reads the migrations directory (`--dir`, default `migrations/`) and, when it
//! needs the database, the URL as `codegen` does (`--database-url`, `DATABASE_URL`, `.env`).
//! The commands themselves are in `commands.rs`; they drive `cinnabar-migrate`'s
//! `MigrationDir` and `Migrator`.

mod commands;

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::command::ConnectArgs;

pub(crate) use commands::run;

/// The migrations directory, for every subcommand.
#[derive(Debug, Args)]
pub(crate) struct DirArgs {
    /// The migrations directory
    #[arg(long, value_name = "DIR", default_value = "migrations")]
    pub(crate) dir: PathBuf,
}

/// `cinnabar migrate <command>`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  cinnabar migrate init
  cinnabar migrate revision -m \"create tables\"          (an empty revision to edit by hand)
  cargo run --bin migrate -- revision --autogenerate -m \"add email\"   (linked with your models)
  cinnabar migrate upgrade                                (to head)
  cinnabar migrate upgrade --sql --dialect postgresql     (the SQL, printed, nothing run)
  cinnabar migrate downgrade base
  cinnabar migrate current | history | heads

The URL comes from --database-url, else DATABASE_URL, else DATABASE_URL in ./.env.
Targets: head, base, a revision id, or the start of exactly one id.
Exit status: 0 on success, 1 on an error, 2 on a usage error.")]
pub(crate) struct MigrateArgs {
    #[command(subcommand)]
    pub(crate) command: MigrateCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MigrateCommand {
    /// Create the migrations directory and its HEAD file.
    Init {
        #[command(flatten)]
        dir: DirArgs,
    },
    /// Write a new revision after the head (empty, or --autogenerate from the models).
    Revision(RevisionArgs),
    /// Write a revision joining every head (after two branches each added revisions).
    Merge {
        #[command(flatten)]
        dir: DirArgs,
        /// The merge revision's message
        #[arg(short, long)]
        message: String,
    },
    /// Apply the revisions up to TARGET (default head), or print their SQL with --sql.
    Upgrade(UpgradeArgs),
    /// Undo the applied revisions TARGET does not descend from (base: all of them).
    Downgrade {
        #[command(flatten)]
        dir: DirArgs,
        #[command(flatten)]
        connect: ConnectArgs,
        /// head, base, a revision id or the start of one
        target: String,
    },
    /// Show the revision the database is at.
    Current {
        #[command(flatten)]
        dir: DirArgs,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// List every revision, oldest first, with when it was applied.
    History {
        #[command(flatten)]
        dir: DirArgs,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// List the revisions no other revision follows (one, unless branches need a merge).
    Heads {
        #[command(flatten)]
        dir: DirArgs,
    },
    /// Record the database as being at TARGET without running any step.
    Stamp {
        #[command(flatten)]
        dir: DirArgs,
        #[command(flatten)]
        connect: ConnectArgs,
        /// head, base, a revision id or the start of one
        target: String,
    },
    /// Fail when the models differ from what the head revision produces (needs the CLI
    /// linked with your models).
    Check {
        #[command(flatten)]
        dir: DirArgs,
        #[command(flatten)]
        connect: ConnectArgs,
    },
}

#[derive(Debug, Args)]
pub(crate) struct RevisionArgs {
    #[command(flatten)]
    pub(crate) dir: DirArgs,
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,
    /// The revision's message
    #[arg(short, long)]
    pub(crate) message: String,
    /// Fill the revision with what the models need and the database lacks (needs the CLI
    /// linked with your models)
    #[arg(long)]
    pub(crate) autogenerate: bool,
    /// With --autogenerate: also write operations that lose data (the revision is marked
    /// destructive)
    #[arg(long, requires = "autogenerate")]
    pub(crate) allow_destructive: bool,
}

#[derive(Debug, Args)]
pub(crate) struct UpgradeArgs {
    #[command(flatten)]
    pub(crate) dir: DirArgs,
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,
    /// head, a revision id or the start of one
    #[arg(default_value = "head")]
    pub(crate) target: String,
    /// Print the SQL of the upgrade instead of running it (no connection is made)
    #[arg(long)]
    pub(crate) sql: bool,
    /// With --sql: the revision the database is at (default: an empty database)
    #[arg(long, value_name = "REVISION", requires = "sql")]
    pub(crate) from: Option<String>,
    /// With --sql: the SQL dialect, sqlite, postgresql or mysql (default: the URL's)
    #[arg(long, value_name = "DIALECT", requires = "sql")]
    pub(crate) dialect: Option<String>,
}
