//! Encrypted files (SQLCipher, feature `sqlcipher`): `PRAGMA key` on a new connection, the
//! check that the key opens the file (SQLITE_NOTADB becomes one typed error naming the file
//! and the likely cause, never the key), `PRAGMA rekey` and `PRAGMA cipher_migrate`.
//!
//! Without the feature every entry point that would need a key answers `Unsupported`,
//! naming the feature: a key is never silently ignored.

use cinnabar_core::{Error, ErrorKind, Result};

use super::error::map_error;
use crate::key::SqliteKey;

/// SQLite's primary result code for "file is not a database".
const SQLITE_NOTADB: i32 = 26;

/// Whether this build links SQLCipher.
pub(super) const ENABLED: bool = cfg!(feature = "sqlcipher");

/// The error for a key asked of a build without SQLCipher.
pub(super) fn not_compiled_in(target: &str) -> Error {
    Error::unsupported(format!(
        "SQLite database {target:?} was given an encryption key, but this build has no \
         SQLCipher: enable cinnabar's `sqlcipher` cargo feature (the file is never opened \
         unencrypted instead)"
    ))
}

/// Runs `PRAGMA <pragma> = '<key>'`. The statement text never reaches an error or a log.
pub(super) fn apply(
    conn: &rusqlite::Connection,
    key: &SqliteKey,
    pragma: &str,
    target: &str,
) -> Result<()> {
    if !ENABLED {
        return Err(not_compiled_in(target));
    }
    let sql = key.pragma(pragma);
    // SQLCipher answers `PRAGMA key` with a row ("ok"); read and drop it.
    let mut stmt = conn.prepare(&sql).map_err(|e| keyless(e, pragma))?;
    let mut rows = stmt.raw_query();
    while rows.next().map_err(|e| keyless(e, pragma))?.is_some() {}
    drop(rows);
    drop(stmt);
    quiet_logging(conn);
    Ok(())
}

/// SQLCipher logs to stderr, process-wide, at WARN by default ("hmac check failed for
/// pgno=1" for each wrong key). Every such failure reaches the caller as a typed error, so
/// the first keyed connection of the process turns that logging off; a program wanting it
/// back runs `PRAGMA cipher_log_level = WARN` on a connection (documented in SECURITY.md).
fn quiet_logging(conn: &rusqlite::Connection) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // A SQLCipher without the pragma ignores it; nothing to report either way.
        let _ = conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(()));
    });
}

/// A key pragma's error, with the pragma named instead of the statement.
fn keyless(e: rusqlite::Error, pragma: &str) -> Error {
    map_error(e, None).context(format_args!("PRAGMA {pragma}"))
}

/// Reads the schema, which decrypts the first page: with a wrong key, no key on an encrypted
/// file, or a file that is not a database, SQLite answers SQLITE_NOTADB, turned into one
/// [`ErrorKind::Connection`] error (code `"26"`) saying so.
pub(super) fn verify(conn: &rusqlite::Connection, target: &str, keyed: bool) -> Result<()> {
    const SQL: &str = "SELECT count(*) FROM sqlite_master";
    match conn.query_row(SQL, [], |_| Ok(())) {
        Ok(()) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(not_a_database(target, keyed))
        }
        Err(e) => Err(map_error(e, Some(SQL))),
    }
}

/// The wrong-key error.
pub(super) fn not_a_database(target: &str, keyed: bool) -> Error {
    let why = if keyed {
        "the key is wrong, or the file is not an encrypted database (or not a SQLite \
         database); a file encrypted by SQLCipher 3 or older needs Engine::cipher_migrate once"
    } else if ENABLED {
        "no key was given and the file is not a plain SQLite database: it is probably \
         encrypted (give its key: EngineOptions::sqlite_key, or ?key= in the URL), or not a \
         SQLite database"
    } else {
        "the file is not a SQLite database (or it is encrypted: reading it needs the \
         `sqlcipher` feature and its key)"
    };
    Error::new(
        ErrorKind::Connection,
        format!("cannot open SQLite database {target:?}: {why}"),
    )
    .with_code(SQLITE_NOTADB.to_string())
}

/// `PRAGMA rekey` on `conn` (opened and verified with the current key).
pub(super) fn rekey(conn: &rusqlite::Connection, new: &SqliteKey, target: &str) -> Result<()> {
    apply(conn, new, "rekey", target)
}

/// `PRAGMA cipher_migrate` on `conn` (opened with the key, nothing read yet): SQLCipher
/// answers one row, `0` on success.
pub(super) fn migrate(conn: &rusqlite::Connection, target: &str) -> Result<()> {
    if !ENABLED {
        return Err(not_compiled_in(target));
    }
    const SQL: &str = "PRAGMA cipher_migrate";
    let answer: Option<String> = conn
        .query_row(SQL, [], |r| r.get::<_, Option<String>>(0))
        .map_err(|e| map_error(e, Some(SQL)))?;
    match answer.as_deref() {
        Some("0") | None => Ok(()),
        Some(code) => Err(Error::new(
            ErrorKind::Connection,
            format!(
                "cannot migrate SQLite database {target:?} to the current SQLCipher format \
                 (cipher_migrate answered {code}): the key is wrong, or the file is not an \
                 encrypted database"
            ),
        )
        .with_code(SQLITE_NOTADB.to_string())),
    }
}
