//! Encrypted SQLite files (feature `sqlcipher`): the file's bytes hold none of the data, the
//! right key reads it back, a wrong key or no key is one typed error, rekey and
//! cipher_migrate work, and the key never shows in `Debug` output, logs or errors.
//!
//! Every test here needs SQLCipher: built without the feature they are reported as
//! `ignored, the `sqlcipher` feature is off`, and one test checks instead that asking for a
//! key is `Unsupported` (`.ci/run` runs this file with the default features for it).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cinnabar::prelude::*;
use cinnabar::{ErrorKind, SqliteKey};
use tracing_subscriber::util::SubscriberInitExt;

#[derive(Model, Debug, Clone, PartialEq)]
#[cinnabar(table = "students")]
struct Student {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    name: String,
    course: String,
}

/// Distinctive plaintext: none of it may appear in an encrypted file.
const NAMES: [&str; 3] = [
    "Zebulon Quagmirewright",
    "Philippa Xanthoudakis",
    "Ottoline Vexbridge",
];
const COURSE: &str = "Cryptozoology-Seminar-4711";
const PASSPHRASE: &str = "tr0ub4dor&3-horse";

fn url(path: &Path) -> String {
    format!("sqlite:///{}", path.display())
}

fn keyed(path: &Path, passphrase: &str) -> Result<Engine> {
    Engine::with_options(
        &url(path),
        EngineOptions::new().sqlite_key(SqliteKey::passphrase(passphrase)?),
    )
}

fn students_table() -> MetaData {
    MetaData::new().with(Student::table().clone())
}

/// Creates the table and adds the three students through a session.
fn fill(engine: &Engine) {
    students_table().create_all(engine).unwrap();
    let mut session = Session::new(engine);
    for name in NAMES {
        session.add(Student {
            id: None,
            name: name.into(),
            course: COURSE.into(),
        });
    }
    session.commit().unwrap();
}

fn names(engine: &Engine) -> Result<Vec<String>> {
    let mut conn = engine.connect()?;
    let rows: Vec<(String, String)> =
        conn.query_as(text("SELECT name, course FROM students ORDER BY id"))?;
    assert!(rows.iter().all(|(_, c)| c == COURSE), "{rows:?}");
    Ok(rows.into_iter().map(|(n, _)| n).collect())
}

/// The bytes of the database and of any journal / WAL file beside it.
fn bytes_on_disk(path: &Path) -> Vec<u8> {
    let dir = path.parent().unwrap();
    let stem = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().starts_with(&stem) {
            all.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    assert!(all.len() >= 1024, "no database file at {}", path.display());
    all
}

fn plaintext_found(bytes: &[u8]) -> Vec<&'static str> {
    NAMES
        .iter()
        .chain([&COURSE, &"students", &"CREATE TABLE"])
        .copied()
        .filter(|needle| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .collect()
}

fn db_path(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

/// The wrong-key error: a connection error, SQLITE_NOTADB's code, the file named, the cause
/// said, the key never shown.
fn assert_wrong_key(e: &Error, path: &Path, keys: &[&str]) {
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    assert_eq!(e.code(), Some("26"), "{e}");
    let shown = format!("{e} {e:?}");
    assert!(shown.contains(&path.display().to_string()), "{shown}");
    for k in keys {
        assert!(!shown.contains(k), "the key {k:?} shows in: {shown}");
    }
}

#[test]
#[cfg_attr(not(feature = "sqlcipher"), ignore = "the `sqlcipher` feature is off")]
fn the_file_holds_no_plaintext_and_the_key_reads_it_back() {
    let dir = tempfile::tempdir().unwrap();

    // The control: the same data without a key is readable in the file, so the check below
    // can fail.
    let plain = db_path(&dir, "plain.db");
    let engine = create_engine(&url(&plain)).unwrap();
    fill(&engine);
    drop(engine);
    assert_eq!(plaintext_found(&bytes_on_disk(&plain)).len(), 6);

    let secret = db_path(&dir, "secret.db");
    let engine = keyed(&secret, PASSPHRASE).unwrap();
    fill(&engine);
    // Several pooled connections at once: each one gets the key before anything else.
    let mut held: Vec<Connection> = (0..3).map(|_| engine.connect().unwrap()).collect();
    for conn in &mut held {
        let n: i64 = conn.scalar(text("SELECT count(*) FROM students")).unwrap();
        assert_eq!(n, 3);
    }
    assert_eq!(engine.pool_status().open, 3);
    drop(held);
    drop(engine);
    let bytes = bytes_on_disk(&secret);
    assert_eq!(plaintext_found(&bytes), Vec::<&str>::new());
    assert!(!bytes.starts_with(b"SQLite format 3"));

    let engine = keyed(&secret, PASSPHRASE).unwrap();
    assert_eq!(names(&engine).unwrap(), NAMES);
    let mut session = Session::new(&engine);
    let first = session.query::<Student>().first().unwrap().unwrap();
    assert_eq!(first.read().name, NAMES[0]);
}

#[test]
#[cfg_attr(not(feature = "sqlcipher"), ignore = "the `sqlcipher` feature is off")]
fn a_wrong_key_or_no_key_is_one_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "secret.db");
    fill(&keyed(&path, PASSPHRASE).unwrap());

    let wrong = keyed(&path, "not-the-passphrase").unwrap();
    let e = wrong.connect().unwrap_err();
    assert_wrong_key(&e, &path, &["not-the-passphrase", PASSPHRASE]);
    assert!(e.message().contains("the key is wrong"), "{e}");
    // The session reports the same error, and nothing was written to the file.
    let before = std::fs::read(&path).unwrap();
    let mut session = Session::new(&wrong);
    let e = session.query::<Student>().all().unwrap_err();
    assert_wrong_key(&e, &path, &["not-the-passphrase"]);
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let nokey = create_engine(&url(&path)).unwrap();
    let e = nokey.connect().unwrap_err();
    assert_wrong_key(&e, &path, &[PASSPHRASE]);
    assert!(e.message().contains("probably encrypted"), "{e}");

    // A raw key against a passphrase file: the same error.
    let raw = Engine::with_options(
        &url(&path),
        EngineOptions::new().sqlite_key(SqliteKey::raw([7; 32])),
    )
    .unwrap();
    assert_wrong_key(&raw.connect().unwrap_err(), &path, &[]);

    // A plain file opened with a key, and a file that is no database at all.
    let plain = db_path(&dir, "plain.db");
    fill(&create_engine(&url(&plain)).unwrap());
    let e = keyed(&plain, PASSPHRASE).unwrap().connect().unwrap_err();
    assert_wrong_key(&e, &plain, &[PASSPHRASE]);
    let junk = db_path(&dir, "junk.db");
    std::fs::write(&junk, vec![b'j'; 8192]).unwrap();
    let e = keyed(&junk, PASSPHRASE).unwrap().connect().unwrap_err();
    assert_wrong_key(&e, &junk, &[PASSPHRASE]);

    // The right key still works afterwards.
    assert_eq!(names(&keyed(&path, PASSPHRASE).unwrap()).unwrap(), NAMES);
}

#[test]
#[cfg_attr(not(feature = "sqlcipher"), ignore = "the `sqlcipher` feature is off")]
fn keys_in_the_url_passphrase_and_raw() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "url.db");
    // A quote in the passphrase is doubled in the PRAGMA text, never spliced into SQL.
    let pass = "it's; DROP TABLE students; --";
    let encoded = "it%27s%3B%20DROP%20TABLE%20students%3B%20--";
    let engine = create_engine(&format!("{}?key={encoded}", url(&path))).unwrap();
    fill(&engine);
    drop(engine);
    assert_eq!(plaintext_found(&bytes_on_disk(&path)), Vec::<&str>::new());
    assert_eq!(names(&keyed(&path, pass).unwrap()).unwrap(), NAMES);

    let hex = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";
    let raw_path = db_path(&dir, "raw.db");
    fill(&create_engine(&format!("{}?hexkey={hex}", url(&raw_path))).unwrap());
    let key = SqliteKey::from_hex(hex).unwrap();
    assert!(key.is_raw());
    let engine =
        Engine::with_options(&url(&raw_path), EngineOptions::new().sqlite_key(key)).unwrap();
    assert_eq!(names(&engine).unwrap(), NAMES);
    // A raw key is not a passphrase of the same text.
    let e = keyed(&raw_path, hex).unwrap().connect().unwrap_err();
    assert_wrong_key(&e, &raw_path, &[hex]);

    for bad in [
        format!("{}?key=", url(&path)),
        format!("{}?hexkey=abc", url(&path)),
        format!("{}?key=a&hexkey={hex}", url(&path)),
    ] {
        let e = create_engine(&bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Url, "{bad}: {e}");
        assert!(!e.to_string().contains(hex), "{e}");
    }
}

#[test]
#[cfg_attr(not(feature = "sqlcipher"), ignore = "the `sqlcipher` feature is off")]
fn rekey_changes_the_key_for_the_engine_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "rekey.db");
    let engine = keyed(&path, PASSPHRASE).unwrap();
    fill(&engine);
    // Another engine (another process, in effect) holds a connection open with the old key.
    let other = keyed(&path, PASSPHRASE).unwrap();
    let mut other_conn = other.connect().unwrap();
    let n: i64 = other_conn
        .scalar(text("SELECT count(*) FROM students"))
        .unwrap();
    assert_eq!(n, 3);

    // Refused while one of the engine's own connections is checked out.
    let conn = engine.connect().unwrap();
    let e = engine
        .rekey(SqliteKey::passphrase("new passphrase").unwrap())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert!(
        e.message().contains("1 of its connections is checked out"),
        "{e}"
    );
    drop(conn);
    assert_eq!(
        names(&engine).unwrap(),
        NAMES,
        "a refused rekey changes nothing"
    );

    assert!(engine.pool_status().idle > 0);
    engine
        .rekey(SqliteKey::passphrase("new passphrase").unwrap())
        .unwrap();
    // The idle connections (old key) were closed; new ones use the new key.
    assert_eq!(engine.pool_status().open, 0);
    assert_eq!(names(&engine).unwrap(), NAMES);
    let mut session = Session::new(&engine);
    session.add(Student {
        id: None,
        name: "Added After Rekey".into(),
        course: COURSE.into(),
    });
    session.commit().unwrap();
    drop(session);

    // The old key no longer opens the file, the new one does.
    let e = keyed(&path, PASSPHRASE).unwrap().connect().unwrap_err();
    assert_wrong_key(&e, &path, &[PASSPHRASE]);
    assert_eq!(
        names(&keyed(&path, "new passphrase").unwrap())
            .unwrap()
            .len(),
        4
    );

    // The other engine's connection still holds the old key: its next read fails with a
    // connection error saying why (it is not told), the pool discards it, and the engine's
    // new connections get the wrong-key error.
    let stale: Result<i64> = other_conn.scalar(text("SELECT count(*) FROM students"));
    let e = stale.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
    assert_eq!(e.code(), Some("26"), "{e}");
    assert!(e.message().contains("key was changed"), "{e}");
    assert_eq!(other.pool_status().open, 1);
    drop(other_conn);
    assert_eq!(
        other.pool_status().open,
        0,
        "the stale connection was discarded"
    );
    assert_wrong_key(&other.connect().unwrap_err(), &path, &[PASSPHRASE]);

    // A file without a key cannot be rekeyed (it would stay plain): a typed refusal.
    let plain = db_path(&dir, "plain.db");
    let plain_engine = create_engine(&url(&plain)).unwrap();
    fill(&plain_engine);
    let e = plain_engine
        .rekey(SqliteKey::passphrase("x").unwrap())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
    assert_eq!(names(&plain_engine).unwrap(), NAMES);

    // An in-memory database has no file to rekey; its one connection (and data) survive.
    let memory = create_engine("sqlite://").unwrap();
    fill(&memory);
    let e = memory
        .rekey(SqliteKey::passphrase("x").unwrap())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert_eq!(names(&memory).unwrap(), NAMES);
}

#[test]
#[cfg_attr(not(feature = "sqlcipher"), ignore = "the `sqlcipher` feature is off")]
fn cipher_migrate_upgrades_a_sqlcipher_3_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "old.db");
    {
        // A file as SQLCipher 3 wrote it (its page size, KDF and HMAC settings).
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.query_row("PRAGMA key = 'legacy pass'", [], |_| Ok(()))
            .unwrap();
        raw.execute_batch(
            "PRAGMA cipher_compatibility = 3;
             CREATE TABLE students (id INTEGER PRIMARY KEY, name TEXT NOT NULL, course TEXT NOT NULL);",
        )
        .unwrap();
        for name in NAMES {
            raw.execute(
                "INSERT INTO students (name, course) VALUES (?1, ?2)",
                (name, COURSE),
            )
            .unwrap();
        }
    }
    assert_eq!(plaintext_found(&bytes_on_disk(&path)), Vec::<&str>::new());
    let other = db_path(&dir, "old2.db");
    std::fs::copy(&path, &other).unwrap();

    // With today's defaults the key does not open it...
    let engine = keyed(&path, "legacy pass").unwrap();
    assert_wrong_key(&engine.connect().unwrap_err(), &path, &["legacy pass"]);
    // ...until it is migrated, once.
    engine.cipher_migrate().unwrap();
    assert_eq!(names(&engine).unwrap(), NAMES);
    // A second run on a current file changes nothing.
    engine.cipher_migrate().unwrap();
    drop(engine);
    assert_eq!(names(&keyed(&path, "legacy pass").unwrap()).unwrap(), NAMES);
    assert_eq!(plaintext_found(&bytes_on_disk(&path)), Vec::<&str>::new());

    // The wrong key cannot migrate an old file, which stays as it was; an engine without a
    // key is refused.
    let e = keyed(&other, "k-9f8e7d")
        .unwrap()
        .cipher_migrate()
        .unwrap_err();
    assert_wrong_key(&e, &other, &["k-9f8e7d"]);
    let e = create_engine(&url(&other))
        .unwrap()
        .cipher_migrate()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
#[cfg_attr(not(feature = "sqlcipher"), ignore = "the `sqlcipher` feature is off")]
fn the_key_never_shows_in_debug_logs_or_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "quiet.db");
    let from_options = "opt-key-5d41402abc4b2a76";
    let in_url = "url-key-7d793037a0760186";
    let new_key = "rekey-key-9e107d9d372bb682";

    let cap = Capture::default();
    let writer = cap.clone();
    let guard = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .finish()
        .set_default();

    let options = EngineOptions::new()
        .echo(true)
        .log_parameters(true)
        .sqlite_key(SqliteKey::passphrase(from_options).unwrap());
    let options_debug = format!("{options:?}");
    let engine = Engine::with_options(&format!("{}?key={in_url}", url(&path)), options).unwrap();
    fill(&engine);
    assert_eq!(names(&engine).unwrap(), NAMES);
    let wrong = Engine::with_options(
        &url(&path),
        EngineOptions::new()
            .echo(true)
            .sqlite_key(SqliteKey::passphrase(from_options).unwrap()),
    )
    .unwrap();
    let wrong_error = wrong.connect().unwrap_err();
    engine
        .rekey(SqliteKey::passphrase(new_key).unwrap())
        .unwrap();
    assert_eq!(names(&engine).unwrap(), NAMES);
    drop(guard);

    let logs = cap.text();
    assert!(
        logs.contains("SELECT name, course FROM students"),
        "the capture works: {logs}"
    );
    let engine_debug = format!("{engine:?} {} {:?}", engine.url(), engine.url());
    assert!(engine_debug.contains("key=***"), "{engine_debug}");
    let everything = format!(
        "{logs}\n{options_debug}\n{engine_debug}\n{wrong_error} {wrong_error:?}\n{:?}",
        SqliteKey::passphrase(in_url).unwrap()
    );
    for key in [from_options, in_url, new_key] {
        assert!(!everything.contains(key), "{key} shows in:\n{everything}");
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Without SQLCipher compiled in, a key is refused, never ignored: the file would otherwise
/// be written in the clear.
#[test]
#[cfg(not(feature = "sqlcipher"))]
fn without_the_feature_a_key_is_unsupported() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir, "plain.db");
    let e = keyed(&path, PASSPHRASE).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.message().contains("`sqlcipher`"), "{e}");
    assert!(!e.to_string().contains(PASSPHRASE), "{e}");
    let e = create_engine(&format!("{}?key={PASSPHRASE}", url(&path))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(!path.exists(), "no file was created");
    let e = create_engine(&url(&path))
        .unwrap()
        .rekey(SqliteKey::raw([1; 32]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Misuse, "{e}");
}
