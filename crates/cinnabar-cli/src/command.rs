//! The `cinnabar` command line: argument parsing (clap), one function per subcommand, and the
//! exit codes. Code goes to standard output, progress and warnings to standard error. The
//! binary (`main.rs`) is one call to [`run`]; an application's own binary linked with its
//! models is one call to [`main`] (the `migrate` subcommands are in `migrate/`).

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cinnabar_core::schema::{MetaData, Table};
use cinnabar_core::Error;
use cinnabar_engine::{create_engine, Inspector};
use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::codegen::{self, CodegenOptions, TypeOverride};
use crate::database_url::database_url;
use crate::migrate::{self, MigrateArgs};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The command cannot run as asked: no URL, a table or column that does not exist, a
    /// malformed argument. The message says what and how to fix it.
    #[error("{0}")]
    Invalid(String),
    /// A Cinnabar error: connecting, reflecting, a URL it cannot parse.
    #[error(transparent)]
    Cinnabar(#[from] Error),
    /// Writing the output failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being written.
        what: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

#[derive(Debug, Parser)]
#[command(
    name = "cinnabar",
    version,
    about = "Cinnabar's command line: work with an existing database from a Cinnabar project."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write #[derive(Model)] structs for the tables of an existing database.
    #[command(after_help = "\
Examples:
  cinnabar codegen --database-url sqlite:///college.db > src/models.rs
  DATABASE_URL=postgresql://app@localhost/app cinnabar codegen --tables students,courses
  cinnabar codegen --out src/models --type-override users.email=crate::Email

The URL comes from --database-url, else DATABASE_URL, else DATABASE_URL in ./.env.
Exit status: 0 on success, 1 on an error, 2 on a usage error.")]
    Codegen(CodegenArgs),
    /// Migrations: write revisions, apply and undo them, show where the database is.
    Migrate(MigrateArgs),
}

/// How a subcommand that connects finds its database.
#[derive(Debug, Args)]
pub(crate) struct ConnectArgs {
    /// The database URL [default: $DATABASE_URL, else DATABASE_URL in ./.env]
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
}

#[derive(Debug, Args)]
struct CodegenArgs {
    #[command(flatten)]
    connect: ConnectArgs,
    /// Only these tables (comma-separated names, as in the database)
    #[arg(long, value_name = "TABLE,..", value_delimiter = ',')]
    tables: Vec<String>,
    /// Write one file per model and a mod.rs into DIR instead of one module to stdout
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Give a column's field this Rust type instead of the mapping's (repeatable)
    #[arg(long = "type-override", value_name = "TABLE.COLUMN=TYPE")]
    type_overrides: Vec<String>,
}

/// Runs the command line `args` (the program name first, as `std::env::args_os()` gives it)
/// and returns the exit code: 0 on success, 1 on an error (printed on standard error as
/// `error: ...`), 2 on a usage error (clap's message).
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_with_models(args, None)
}

/// The `main` of an application's own migrations binary, linked with its models: runs the
/// command line of the process (as [`run`] does) with `models` available to `migrate
/// revision --autogenerate` and `migrate check`. The `migrate` word may be left out
/// (`migrate revision ..` and `revision ..` are the same). A crate gets it with a
/// `src/bin/migrate.rs` of three lines:
///
/// ```ignore
/// fn main() -> std::process::ExitCode {
///     cinnabar::cli::main(my_app::models()) // a MetaData of the models' tables
/// }
/// ```
pub fn main(models: MetaData) -> ExitCode {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if needs_migrate_word(&args) {
        args.insert(1, OsString::from("migrate"));
    }
    run_with_models(args, Some(&models))
}

/// Whether the first argument is a `migrate` subcommand given without the `migrate` word.
fn needs_migrate_word(args: &[OsString]) -> bool {
    let Some(first) = args.get(1).and_then(|a| a.to_str()) else {
        return false;
    };
    let cli = Cli::command();
    let Some(migrate) = cli.find_subcommand("migrate") else {
        return false;
    };
    migrate.find_subcommand(first).is_some() && cli.find_subcommand(first).is_none()
}

/// [`run`] with the application's models when it has linked them (`None`: as the
/// stand-alone binary, whose `migrate revision --autogenerate` explains how to link them).
/// [`main`] is this with the process's arguments.
pub fn run_with_models<I, T>(args: I, models: Option<&MetaData>) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Codegen(args) => codegen_command(&args),
        Command::Migrate(args) => migrate::run(&args, models),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn codegen_command(args: &CodegenArgs) -> Result<(), CommandError> {
    let overrides = args
        .type_overrides
        .iter()
        .map(|s| TypeOverride::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    let cwd = std::env::current_dir().map_err(|source| CommandError::Io {
        what: "cannot read the current directory".into(),
        source,
    })?;
    let (url, source) =
        database_url(args.connect.database_url.as_deref(), &cwd).map_err(invalid)?;
    let engine = create_engine(&url)?;
    eprintln!("cinnabar: reading {} (URL from {source})", engine.url());
    let all = Inspector::new(&engine).tables()?;
    let tables = select_tables(all, &args.tables).map_err(invalid)?;
    let mut options = CodegenOptions::for_dialect(engine.dialect());
    options.type_overrides = overrides;
    let generated = codegen::generate(&tables, &options).map_err(invalid)?;
    for w in &generated.warnings {
        eprintln!("warning: {w}");
    }
    match &args.out {
        None => {
            let mut out = io::stdout().lock();
            out.write_all(generated.module.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|source| CommandError::Io {
                    what: "cannot write to standard output".into(),
                    source,
                })?;
        }
        Some(dir) => write_files(dir, &generated)?,
    }
    eprintln!(
        "cinnabar: {} model{} from {} table{}, {} warning{}",
        generated.models.len(),
        plural(generated.models.len()),
        tables.len(),
        plural(tables.len()),
        generated.warnings.len(),
        plural(generated.warnings.len()),
    );
    Ok(())
}

/// A misuse of the command, reported by its message alone.
pub(crate) fn invalid(e: Error) -> CommandError {
    CommandError::Invalid(e.message().to_string())
}

pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The tables named by `--tables` (all when none is named), in the database's order.
fn select_tables(all: Vec<Table>, wanted: &[String]) -> Result<Vec<Table>, Error> {
    let wanted: Vec<&str> = wanted
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if wanted.is_empty() {
        return Ok(all);
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|w| !all.iter().any(|t| t.name == *w))
        .collect();
    if !missing.is_empty() {
        let known: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
        let shown = if known.len() > 20 {
            format!("{}, ... ({} in all)", known[..20].join(", "), known.len())
        } else if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        };
        return Err(Error::misuse(format!(
            "--tables: the database has no table {} (its tables: {shown})",
            missing
                .iter()
                .map(|m| format!("{m:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(all
        .into_iter()
        .filter(|t| wanted.contains(&t.name.as_str()))
        .collect())
}

/// `--out DIR`: `DIR/mod.rs` and one file per model.
fn write_files(dir: &Path, generated: &codegen::Generated) -> Result<(), CommandError> {
    let io_err = |path: &Path| {
        let what = format!("cannot write {}", path.display());
        move |source| CommandError::Io { what, source }
    };
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let mod_rs = dir.join("mod.rs");
    std::fs::write(&mod_rs, &generated.mod_rs).map_err(io_err(&mod_rs))?;
    for m in &generated.models {
        let path = dir.join(format!("{}.rs", m.module));
        std::fs::write(&path, &m.file).map_err(io_err(&path))?;
    }
    eprintln!(
        "cinnabar: wrote {} and {} model file{}",
        mod_rs.display(),
        generated.models.len(),
        plural(generated.models.len())
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_linked_binary_may_leave_out_the_migrate_word() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(needs_migrate_word(&args(&[
            "migrate", "revision", "-m", "x"
        ])));
        assert!(needs_migrate_word(&args(&["migrate", "upgrade"])));
        assert!(!needs_migrate_word(&args(&[
            "migrate", "migrate", "upgrade"
        ])));
        assert!(!needs_migrate_word(&args(&["migrate", "codegen"])));
        assert!(!needs_migrate_word(&args(&["migrate", "--help"])));
        assert!(!needs_migrate_word(&args(&["migrate"])));
    }

    #[test]
    fn tables_are_selected_by_name_and_unknown_ones_named() {
        let all = vec![Table::new("courses"), Table::new("students")];
        let picked = select_tables(all.clone(), &["students".into()]).unwrap();
        assert_eq!(picked.len(), 1);
        assert_eq!(select_tables(all.clone(), &[]).unwrap().len(), 2);
        let e = select_tables(all, &["students".into(), "nope".into()]).unwrap_err();
        assert!(e.message().contains("no table \"nope\""), "{e}");
        assert!(e.message().contains("courses, students"), "{e}");
    }
}
