//! The `cinnabar migrate` commands: each reads the migrations directory, connects when it
//! must, calls `cinnabar-migrate`, and prints. Results (the SQL of `upgrade --sql`, the
//! lists of `current`, `history`, `heads`) go to standard output; progress (revision, step,
//! elapsed) and what was done go to standard error.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use cinnabar_core::dialect::{Dialect, MySqlDialect, PostgresDialect, SqliteDialect};
use cinnabar_core::schema::MetaData;
use cinnabar_engine::{create_engine, Engine, Url};
use cinnabar_migrate::{
    autogenerate_for, AutogenerateOptions, ChecksumStatus, MigrationDir, Migrator, Revision,
    StderrProgress, HEAD_FILE,
};

use super::{MigrateArgs, MigrateCommand, RevisionArgs, UpgradeArgs};
use crate::command::{invalid, plural, CommandError, ConnectArgs};
use crate::database_url::database_url;

/// What `--autogenerate` says in the stand-alone binary, which cannot see the models.
pub(crate) const LINK_MODELS_HELP: &str = "\
--autogenerate needs your models, and the stand-alone `cinnabar` binary cannot see them \
(Rust cannot discover a program's models at run time). Link the CLI into your crate:

  1. in Cargo.toml: cinnabar-sql = { version = \"...\", features = [\"cli\"] }
  2. src/bin/migrate.rs:

       fn main() -> std::process::ExitCode {
           cinnabar::cli::main(my_app::models()) // a MetaData with your models' tables
       }

  3. cargo run --bin migrate -- revision --autogenerate -m \"...\"

That binary runs every `cinnabar migrate` command (`migrate` may be left out), with the \
models available to `revision --autogenerate` and `check`. See docs/MIGRATIONS.md.";

/// The dialects `upgrade --sql --dialect` accepts, found by their names.
const DIALECTS: [&dyn Dialect; 3] = [&SqliteDialect, &PostgresDialect, &MySqlDialect];

/// Runs one `cinnabar migrate` command; `models` are the application's, when the CLI is
/// linked with them.
pub(crate) fn run(args: &MigrateArgs, models: Option<&MetaData>) -> Result<(), CommandError> {
    match &args.command {
        MigrateCommand::Init { dir } => init(&dir.dir),
        MigrateCommand::Revision(a) => revision(a, models),
        MigrateCommand::Merge { dir, message } => merge(&dir.dir, message),
        MigrateCommand::Upgrade(a) => upgrade(a),
        MigrateCommand::Downgrade {
            dir,
            connect,
            target,
        } => downgrade(&dir.dir, connect, target),
        MigrateCommand::Current { dir, connect } => current(&dir.dir, connect),
        MigrateCommand::History { dir, connect } => history(&dir.dir, connect),
        MigrateCommand::Heads { dir } => heads(&dir.dir),
        MigrateCommand::Stamp {
            dir,
            connect,
            target,
        } => stamp(&dir.dir, connect, target),
        MigrateCommand::Check { dir, connect } => check(&dir.dir, connect, models),
    }
}

fn load(dir: &Path) -> Result<MigrationDir, CommandError> {
    MigrationDir::load(dir).map_err(invalid)
}

/// The engine for the URL from `--database-url`, `DATABASE_URL` or `.env`.
fn connect(args: &ConnectArgs) -> Result<Engine, CommandError> {
    let cwd = std::env::current_dir().map_err(|source| CommandError::Io {
        what: "cannot read the current directory".into(),
        source,
    })?;
    let (url, source) = database_url(args.database_url.as_deref(), &cwd).map_err(invalid)?;
    let engine = create_engine(&url)?;
    eprintln!("cinnabar: database {} (URL from {source})", engine.url());
    Ok(engine)
}

fn migrator(dir: &Path, connect_args: &ConnectArgs) -> Result<Migrator, CommandError> {
    let dir = load(dir)?;
    let engine = connect(connect_args)?;
    Ok(Migrator::new(&engine, dir).with_progress(StderrProgress))
}

fn out(text: &str) -> Result<(), CommandError> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|source| CommandError::Io {
            what: "cannot write to standard output".into(),
            source,
        })
}

fn init(dir: &Path) -> Result<(), CommandError> {
    let existed = dir.is_dir();
    let loaded = MigrationDir::init(dir).map_err(invalid)?;
    let head = dir.join(HEAD_FILE);
    if head.exists() {
        eprintln!(
            "cinnabar: {} already exists ({} revision{})",
            head.display(),
            loaded.revisions().len(),
            plural(loaded.revisions().len())
        );
        return Ok(());
    }
    if !loaded.revisions().is_empty() {
        return Err(CommandError::Invalid(format!(
            "{} has revisions but no {HEAD_FILE}; write the head revision's id in it (see \
             `cinnabar migrate heads`)",
            dir.display()
        )));
    }
    fs::write(&head, "").map_err(|source| CommandError::Io {
        what: format!("cannot write {}", head.display()),
        source,
    })?;
    eprintln!(
        "cinnabar: {} {} and an empty {}; commit both (HEAD names the head revision, so two \
         branches that each add one conflict in git)",
        if existed { "found" } else { "created" },
        dir.display(),
        head.display()
    );
    Ok(())
}

/// One line per step of a revision just written.
fn describe_written(r: &Revision) -> String {
    let mut text = format!(
        "cinnabar: wrote {} (revision {}, {} step{}{}{})",
        r.path.display(),
        r.id,
        r.up.len(),
        plural(r.up.len()),
        if r.destructive { ", destructive" } else { "" },
        if r.irreversible.is_some() {
            ", irreversible"
        } else {
            ""
        },
    );
    for step in &r.up {
        text.push_str(&format!("\n  {}", step.describe()));
    }
    if let Some(why) = &r.irreversible {
        text.push_str(&format!("\n  irreversible: {why}"));
    }
    text
}

/// Autogenerate compares the models with the live database, so the database must be at the
/// head: otherwise the operations of a revision not yet applied would be generated again
/// (Alembic refuses the same way). A directory without revisions needs nothing.
fn require_head(engine: &Engine, dir: &Path) -> Result<(), CommandError> {
    let migrations = load(dir)?;
    if migrations.revisions().is_empty() {
        return Ok(());
    }
    let head = migrations.head().map_err(invalid)?.id.clone();
    let current = Migrator::new(engine, migrations)
        .current()
        .map_err(invalid)?;
    let at_head = matches!(current.as_slice(), [only] if only.revision == head && only.complete);
    if at_head {
        return Ok(());
    }
    let at = if current.is_empty() {
        "no revision (base)".to_string()
    } else {
        current
            .iter()
            .map(|r| {
                if r.complete {
                    r.revision.clone()
                } else {
                    format!("{} (dirty at step {})", r.revision, r.steps_done)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(CommandError::Invalid(format!(
        "the database is not at the head revision {head} (it is at {at}): run `cinnabar \
         migrate upgrade` first, so that autogenerate compares the models with the newest \
         schema instead of generating the pending revisions' operations again"
    )))
}

fn revision(args: &RevisionArgs, models: Option<&MetaData>) -> Result<(), CommandError> {
    let mut dir = load(&args.dir.dir)?;
    if !args.autogenerate {
        let r = dir
            .create_revision(&args.message, Vec::new())
            .map_err(invalid)?;
        eprintln!(
            "{}\n  (empty: add [[up]] and [[down]] steps by hand)",
            describe_written(r)
        );
        return Ok(());
    }
    let Some(models) = models else {
        return Err(CommandError::Invalid(LINK_MODELS_HELP.to_string()));
    };
    let engine = connect(&args.connect)?;
    require_head(&engine, &args.dir.dir)?;
    let opts = AutogenerateOptions {
        allow_destructive: args.allow_destructive,
        ..AutogenerateOptions::default()
    };
    let found = autogenerate_for(&engine, models, &dir, &opts).map_err(invalid)?;
    if !found.drift.is_empty() {
        eprintln!(
            "warning: the database differs from what the revisions produce ({} operation{} \
             would bring it there); it was changed outside the migrations, or is not at the \
             head (`cinnabar migrate current`). Not written into the revision:",
            found.drift.len(),
            plural(found.drift.len())
        );
        for op in &found.drift {
            eprintln!("  {op}");
        }
    }
    if found.is_empty() {
        eprintln!("cinnabar: no changes: the database matches the models; no revision written");
        return Ok(());
    }
    let r = dir
        .create_revision(&args.message, found.steps())
        .map_err(invalid)?;
    eprintln!("{}", describe_written(r));
    Ok(())
}

fn merge(dir: &Path, message: &str) -> Result<(), CommandError> {
    let mut dir = load(dir)?;
    let r = dir.merge(message).map_err(invalid)?;
    eprintln!(
        "cinnabar: wrote {} (revision {}, merging {})",
        r.path.display(),
        r.id,
        r.parents.join(", ")
    );
    Ok(())
}

/// The dialect `upgrade --sql` writes: `--dialect`, else the URL's (without connecting).
fn offline_dialect(args: &UpgradeArgs) -> Result<&'static dyn Dialect, CommandError> {
    let names: Vec<&str> = DIALECTS.iter().map(|d| d.name()).collect();
    let name = match &args.dialect {
        Some(name) => name.trim().to_ascii_lowercase(),
        None => {
            let cwd = std::env::current_dir().map_err(|source| CommandError::Io {
                what: "cannot read the current directory".into(),
                source,
            })?;
            let (url, _) =
                database_url(args.connect.database_url.as_deref(), &cwd).map_err(|e| {
                    CommandError::Invalid(format!(
                        "--sql needs a dialect: pass --dialect ({}) or a URL ({})",
                        names.join(", "),
                        e.message()
                    ))
                })?;
            // The URL's canonical form starts with the dialect's name (`postgresql://..`).
            let canonical = Url::parse(&url)?.to_string();
            canonical
                .split([':', '+'])
                .next()
                .unwrap_or_default()
                .to_string()
        }
    };
    let name = match name.as_str() {
        "postgres" => "postgresql",
        "mariadb" => "mysql",
        other => other,
    };
    DIALECTS
        .iter()
        .copied()
        .find(|d| d.name() == name)
        .ok_or_else(|| {
            CommandError::Invalid(format!(
                "--dialect {name:?} is not one of {}",
                names.join(", ")
            ))
        })
}

fn upgrade(args: &UpgradeArgs) -> Result<(), CommandError> {
    if args.sql {
        let dir = load(&args.dir.dir)?;
        let dialect = offline_dialect(args)?;
        let statements =
            cinnabar_migrate::sql_for_upgrade(&dir, dialect, args.from.as_deref(), &args.target)
                .map_err(invalid)?;
        let mut script = format!(
            "-- cinnabar migrate upgrade --sql: {} to {} on {}\n",
            args.from.as_deref().unwrap_or("base"),
            args.target,
            dialect.name()
        );
        for s in &statements {
            script.push_str(s.trim_end());
            script.push_str(";\n");
        }
        return out(&script);
    }
    let m = migrator(&args.dir.dir, &args.connect)?;
    let done = m.upgrade(&args.target).map_err(invalid)?;
    if done.is_empty() {
        eprintln!(
            "cinnabar: nothing to do: the database is at {}",
            args.target
        );
    } else {
        eprintln!(
            "cinnabar: applied {} revision{}: {}",
            done.len(),
            plural(done.len()),
            done.join(", ")
        );
    }
    Ok(())
}

fn downgrade(dir: &Path, connect: &ConnectArgs, target: &str) -> Result<(), CommandError> {
    let m = migrator(dir, connect)?;
    let done = m.downgrade(target).map_err(invalid)?;
    if done.is_empty() {
        eprintln!("cinnabar: nothing to undo: the database is at {target} or before it");
    } else {
        eprintln!(
            "cinnabar: undid {} revision{}: {}",
            done.len(),
            plural(done.len()),
            done.join(", ")
        );
    }
    Ok(())
}

fn message_of(dir: &MigrationDir, id: &str) -> String {
    dir.get(id)
        .map(|r| r.message.clone())
        .unwrap_or_else(|| "(file missing)".to_string())
}

fn current(dir: &Path, connect: &ConnectArgs) -> Result<(), CommandError> {
    let m = migrator(dir, connect)?;
    let rows = m.current().map_err(invalid)?;
    let head = m.dir().head().ok().map(|r| r.id.clone());
    let mut text = String::new();
    if rows.is_empty() {
        text.push_str("base (no revision applied)\n");
    }
    for row in &rows {
        let mut line = format!("{} {}", row.revision, message_of(m.dir(), &row.revision));
        if head.as_deref() == Some(row.revision.as_str()) {
            line.push_str(" (head)");
        }
        if row.is_dirty() {
            line.push_str(&format!(
                " DIRTY at step {} of {}: `upgrade` resumes it, `downgrade` undoes it",
                row.steps_done, row.steps_total
            ));
        }
        text.push_str(&line);
        text.push('\n');
    }
    out(&text)
}

fn history(dir: &Path, connect: &ConnectArgs) -> Result<(), CommandError> {
    let m = migrator(dir, connect)?;
    let entries = m.history().map_err(invalid)?;
    let heads: Vec<String> = m.heads().iter().map(|r| r.id.clone()).collect();
    let mut text = String::new();
    for e in &entries {
        let state = match &e.applied {
            None => "pending".to_string(),
            Some(a) if a.is_dirty() => {
                format!("DIRTY at step {} of {}", a.steps_done, a.steps_total)
            }
            Some(a) => format!("applied {} ({} ms)", a.applied_at, a.duration_ms),
        };
        let mut line = format!(
            "{} {:<42} {}",
            e.id,
            e.message.as_deref().unwrap_or("(file missing)"),
            state
        );
        match e.checksum {
            ChecksumStatus::Changed => line.push_str(" [file edited since applied]"),
            ChecksumStatus::FileMissing => line.push_str(" [file missing]"),
            ChecksumStatus::NotApplied | ChecksumStatus::Matches => {}
        }
        if heads.contains(&e.id) {
            line.push_str(" (head)");
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    if entries.is_empty() {
        text.push_str("no revision\n");
    }
    out(&text)
}

fn heads(dir: &Path) -> Result<(), CommandError> {
    let dir = load(dir)?;
    let heads = dir.heads();
    let mut text = String::new();
    for r in &heads {
        text.push_str(&format!("{} {}\n", r.id, r.message));
    }
    if heads.is_empty() {
        text.push_str("no revision\n");
    }
    out(&text)?;
    match dir.head() {
        Ok(_) => Ok(()),
        Err(_) if heads.is_empty() => Ok(()),
        Err(e) => Err(invalid(e)),
    }
}

fn stamp(dir: &Path, connect: &ConnectArgs, target: &str) -> Result<(), CommandError> {
    let m = migrator(dir, connect)?;
    m.stamp(target).map_err(invalid)?;
    eprintln!("cinnabar: the database is recorded at {target}; no step was run");
    Ok(())
}

fn check(dir: &Path, connect: &ConnectArgs, models: Option<&MetaData>) -> Result<(), CommandError> {
    let Some(models) = models else {
        return Err(CommandError::Invalid(
            LINK_MODELS_HELP.replace("--autogenerate needs", "`check` needs"),
        ));
    };
    let m = migrator(dir, connect)?;
    m.check(models).map_err(invalid)?;
    eprintln!("cinnabar: the models match what the head revision produces");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialect_names_are_the_dialects_own() {
        let names: Vec<&str> = DIALECTS.iter().map(|d| d.name()).collect();
        assert_eq!(names, ["sqlite", "postgresql", "mysql"]);
    }

    #[test]
    fn the_setup_help_names_the_three_lines() {
        for part in [
            "src/bin/migrate.rs",
            "cinnabar::cli::main",
            "features = [\"cli\"]",
        ] {
            assert!(LINK_MODELS_HELP.contains(part), "{part}");
        }
    }
}
