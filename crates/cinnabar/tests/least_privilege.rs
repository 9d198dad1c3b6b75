//! Least privilege (docs/SECURITY.md), on the live PostgreSQL and MariaDB servers: an owner
//! role runs the migrations through its own URL, the application's role reads and writes
//! the tables through another and is refused every DDL statement with
//! `ErrorKind::PermissionDenied`, leaving the table and its rows as they were; a table a
//! later migration creates is usable by the application without a new GRANT. Each run makes
//! its own roles (users) and schema (database) with the SQL of SECURITY.md, from the admin
//! URL in `CINNABAR_TEST_POSTGRES` / `CINNABAR_TEST_MYSQL`, and drops them at the end, also
//! when the test fails. The server instances are ignored (with the reason) when the feature
//! is off or the variable was unset at build time, as `backend_tests!` instances are.
//!
//! SQLite has no roles: its part is the read-only URL (`?mode=ro`), whose writes are
//! refused with the same kind.

mod support;

#[path = "models/tutorial.rs"]
mod tutorial;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use cinnabar::migrate::{MigrationDir, Migrator, Step};
use cinnabar::prelude::*;
use cinnabar::sql::{AlterAction, AlterTable, DropTable};
use cinnabar::{Column, SchemaOp, SqlType, Table, Url};
use tutorial::Student;

/// A table that only a later migration creates.
#[derive(Model, Debug, Clone)]
#[cinnabar(table = "courses")]
struct Course {
    #[cinnabar(primary_key)]
    id: Option<i64>,
    #[cinnabar(length = 100)]
    title: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    Postgres,
    MariaDb,
}

/// An owner role and an application role, and a schema (PostgreSQL) or database (MariaDB)
/// the owner owns, made from the admin URL; everything is dropped when this is dropped.
struct Privileges {
    server: Server,
    admin: String,
    /// The schema (PostgreSQL) or database (MariaDB).
    place: String,
    owner: String,
    app: String,
    owner_url: String,
    app_url: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Short unique names: MySQL limits user names to 32 characters.
fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() % 100_000)
        .unwrap_or(0);
    format!("cb_{prefix}_{}_{n}_{nanos}", std::process::id())
}

fn admin_url(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => v,
        _ => panic!(
            "{var} is not set: this server-backed test cannot run (it is ignored when the \
             tests are built without {var}; set it, e.g. through .ci/test)"
        ),
    }
}

/// Runs each statement on its own through the admin URL; panics naming the one that failed.
fn admin_run(admin: &str, statements: &[String]) {
    let engine = create_engine(admin).unwrap_or_else(|e| panic!("admin URL {admin}: {e}"));
    let mut conn = engine
        .connect()
        .unwrap_or_else(|e| panic!("test server at {admin} is unreachable: {e}"));
    for sql in statements {
        conn.execute_script(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

impl Privileges {
    /// PostgreSQL: the roles and GRANTs of docs/SECURITY.md, in a schema of the admin
    /// URL's database (roles log in without a password: the test server trusts 127.0.0.1).
    fn postgres() -> Privileges {
        let admin = admin_url("CINNABAR_TEST_POSTGRES");
        let url = Url::parse(&admin).expect("admin URL");
        let database = url
            .database()
            .expect("a database in the admin URL")
            .to_owned();
        let mut p = Privileges {
            server: Server::Postgres,
            place: unique("s"),
            owner: unique("own"),
            app: unique("app"),
            owner_url: String::new(),
            app_url: String::new(),
            admin,
        };
        let base = |user: &str| {
            format!(
                "postgresql://{user}@{}:{}/{database}?search_path={}",
                url.host().unwrap_or("127.0.0.1"),
                url.port().unwrap_or(5432),
                p.place
            )
        };
        p.owner_url = base(&p.owner);
        p.app_url = base(&p.app);
        let (o, a, s) = (&p.owner, &p.app, &p.place);
        let setup = [
            format!("CREATE ROLE \"{o}\" LOGIN"),
            format!("CREATE ROLE \"{a}\" LOGIN"),
            format!("CREATE SCHEMA \"{s}\" AUTHORIZATION \"{o}\""),
            format!("GRANT CONNECT ON DATABASE \"{database}\" TO \"{a}\""),
            format!("GRANT USAGE ON SCHEMA \"{s}\" TO \"{a}\""),
            format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE \"{o}\" IN SCHEMA \"{s}\" \
                 GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO \"{a}\""
            ),
            format!(
                "ALTER DEFAULT PRIVILEGES FOR ROLE \"{o}\" IN SCHEMA \"{s}\" \
                 GRANT USAGE, SELECT ON SEQUENCES TO \"{a}\""
            ),
        ];
        // From here on, Drop cleans up whatever part of the setup was made.
        admin_run(&p.admin, &setup);
        p
    }

    /// MariaDB: the users and GRANTs of docs/SECURITY.md on a database of their own.
    fn mariadb() -> Privileges {
        let admin = admin_url("CINNABAR_TEST_MYSQL");
        let url = Url::parse(&admin).expect("admin URL");
        let mut p = Privileges {
            server: Server::MariaDb,
            place: unique("d"),
            owner: unique("own"),
            app: unique("app"),
            owner_url: String::new(),
            app_url: String::new(),
            admin,
        };
        let host = url.host().unwrap_or("127.0.0.1").to_owned();
        let base = |user: &str, password: &str| {
            format!(
                "mysql://{user}:{password}@{host}:{}/{}",
                url.port().unwrap_or(3306),
                p.place
            )
        };
        p.owner_url = base(&p.owner, "owner-secret");
        p.app_url = base(&p.app, "app-secret");
        let (o, a, d) = (&p.owner, &p.app, &p.place);
        let setup = [
            format!("CREATE DATABASE `{d}`"),
            format!("CREATE USER '{o}'@'{host}' IDENTIFIED BY 'owner-secret'"),
            format!("CREATE USER '{a}'@'{host}' IDENTIFIED BY 'app-secret'"),
            format!("GRANT ALL PRIVILEGES ON `{d}`.* TO '{o}'@'{host}'"),
            format!("GRANT SELECT, INSERT, UPDATE, DELETE ON `{d}`.* TO '{a}'@'{host}'"),
        ];
        admin_run(&p.admin, &setup);
        p
    }

    fn host(&self) -> String {
        Url::parse(&self.admin)
            .ok()
            .and_then(|u| u.host().map(str::to_owned))
            .unwrap_or_else(|| "127.0.0.1".into())
    }
}

impl Drop for Privileges {
    fn drop(&mut self) {
        let (o, a, s) = (&self.owner, &self.app, &self.place);
        let cleanup = match self.server {
            // DROP OWNED revokes the roles' privileges and default privileges, so that
            // DROP ROLE succeeds.
            Server::Postgres => vec![
                format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE"),
                format!("DROP OWNED BY \"{a}\""),
                format!("DROP OWNED BY \"{o}\""),
                format!("DROP ROLE IF EXISTS \"{a}\""),
                format!("DROP ROLE IF EXISTS \"{o}\""),
            ],
            Server::MariaDb => {
                let host = self.host();
                vec![
                    format!("DROP DATABASE IF EXISTS `{s}`"),
                    format!("DROP USER IF EXISTS '{a}'@'{host}'"),
                    format!("DROP USER IF EXISTS '{o}'@'{host}'"),
                ]
            }
        };
        let Ok(engine) = create_engine(&self.admin) else {
            return;
        };
        let Ok(mut conn) = engine.connect() else {
            return;
        };
        for sql in cleanup {
            if let Err(e) = conn.execute_script(&sql) {
                eprintln!("cleanup {sql}: {e}");
            }
        }
    }
}

fn create_students() -> Step {
    Step::Op(SchemaOp::CreateTable(Student::table().clone()))
}

fn create_courses() -> Step {
    Step::Op(SchemaOp::CreateTable(Course::table().clone()))
}

/// `Migrator::upgrade("head")` on `engine` over the revisions in `path`.
fn upgrade(engine: &Engine, path: &Path) -> Vec<String> {
    let dir = MigrationDir::load(path).expect("load migrations");
    Migrator::new(engine, dir)
        .upgrade("head")
        .unwrap_or_else(|e| panic!("upgrade: {e}"))
}

/// Asserts that `result` is a `PermissionDenied` error whose message contains `names`.
#[track_caller]
fn assert_denied<T: std::fmt::Debug>(what: &str, result: Result<T>, names: &str) {
    match result {
        Ok(v) => panic!("{what} as the application role succeeded ({v:?}); it must be refused"),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{what}: {e}");
            assert!(
                e.message().contains(names),
                "{what}: the message should name {names:?}: {e}"
            );
            assert!(!e.is_retryable(), "{what}: {e}");
            let shown = e.to_string();
            assert!(shown.starts_with("permission denied: "), "{what}: {shown}");
            let code = e.code().unwrap_or_default();
            assert!(
                ["42501", "1142", "1044"].contains(&code),
                "{what}: code {code:?}: {shown}"
            );
        }
    }
}

/// The owner's view of the students table: its columns and its rows.
fn owner_sees(owner: &Engine) -> (Vec<String>, Vec<(String, String)>) {
    let tables = Inspector::new(owner)
        .tables()
        .expect("reflect as the owner");
    let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
    let students = tables
        .iter()
        .find(|t| t.name == "students")
        .unwrap_or_else(|| panic!("the students table is gone: {names:?}"));
    let columns = students.columns.iter().map(|c| c.name.clone()).collect();
    let mut session = Session::new(owner);
    let mut rows: Vec<(String, String)> = session
        .query::<Student>()
        .all()
        .expect("read as the owner")
        .iter()
        .map(|h| {
            let s = h.read();
            (s.name.clone(), s.course.clone())
        })
        .collect();
    rows.sort();
    (columns, rows)
}

fn least_privilege(p: &Privileges) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let path = tmp.path().join("migrations");
    let mut dir = MigrationDir::init(&path).expect("init migrations");
    let first = dir
        .create_revision("create students", vec![create_students()])
        .expect("first revision")
        .id
        .clone();

    let owner = create_engine(&p.owner_url).expect("owner engine");
    let app = create_engine(&p.app_url).expect("app engine");

    // The owner runs the migrations through its own URL.
    assert_eq!(upgrade(&owner, &path), std::slice::from_ref(&first));

    // The application role reads and writes through the session.
    let mut session = Session::new(&app);
    session.add_all([
        Student {
            id: None,
            name: "Naresh".into(),
            course: "Python".into(),
        },
        Student {
            id: None,
            name: "Asha".into(),
            course: "Rust".into(),
        },
        Student {
            id: None,
            name: "Ravi".into(),
            course: "SQL".into(),
        },
    ]);
    session.commit().expect("insert as the application role");
    let naresh = session
        .query::<Student>()
        .filter_by(Student::name, "Naresh")
        .one()
        .expect("select as the application role");
    naresh.write().course = "Data Science".into();
    session.commit().expect("update as the application role");
    let ravi = session
        .query::<Student>()
        .filter_by(Student::name, "Ravi")
        .one()
        .expect("select");
    session.delete(&ravi).expect("delete");
    session.commit().expect("delete as the application role");
    assert_eq!(session.query::<Student>().count().unwrap(), 2);
    // Reading where the migrations stand needs only SELECT on the version table.
    let at = Migrator::new(&app, MigrationDir::load(&path).unwrap())
        .current()
        .expect("current() as the application role");
    assert_eq!(at.len(), 1);
    assert_eq!(at[0].revision, first);
    drop(session);

    let before = owner_sees(&owner);
    assert_eq!(
        before,
        (
            vec!["id".to_string(), "name".into(), "course".into()],
            vec![
                ("Asha".to_string(), "Rust".to_string()),
                ("Naresh".into(), "Data Science".into())
            ]
        )
    );

    // DDL as the application role: refused with PermissionDenied, naming the table.
    let mut conn = app.connect().expect("app connection");
    assert_denied(
        "DROP TABLE",
        conn.execute(DropTable {
            name: "students".into(),
            if_exists: false,
        }),
        "students",
    );
    let drop_sql = match p.server {
        Server::Postgres => "DROP TABLE \"students\"",
        Server::MariaDb => "DROP TABLE `students`",
    };
    assert_denied("raw DROP TABLE", conn.execute_script(drop_sql), "students");
    assert_denied(
        "ALTER TABLE ... ADD COLUMN",
        conn.execute(AlterTable::new(
            "students",
            AlterAction::AddColumn(Column::new("email", SqlType::Text(Some(100))).nullable()),
        )),
        "students",
    );
    drop(conn);
    let intruders = Table::new("intruders").column(
        Column::new("id", SqlType::BigInt)
            .primary_key()
            .autoincrement(),
    );
    // PostgreSQL refuses CREATE in the schema ("permission denied for schema s"); MariaDB
    // names the table ("CREATE command denied ... for table `d`.`intruders`").
    let created_where = match p.server {
        Server::Postgres => p.place.as_str(),
        Server::MariaDb => "intruders",
    };
    assert_denied(
        "CREATE TABLE (create_all)",
        MetaData::new().with(intruders).create_all(&app),
        created_where,
    );
    assert_denied(
        "drop_all",
        MetaData::new()
            .with(Student::table().clone())
            .drop_all(&app),
        "students",
    );

    // The refused statements changed nothing: same columns, same rows, no new table.
    assert_eq!(owner_sees(&owner), before);
    let tables: Vec<String> = Inspector::new(&owner)
        .tables()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert!(!tables.contains(&"intruders".to_string()), "{tables:?}");

    // A later migration's table is usable by the application role without a new GRANT
    // (PostgreSQL: the default privileges; MariaDB: the grant is on every table of the
    // database).
    let mut dir = MigrationDir::load(&path).unwrap();
    let second = dir
        .create_revision("create courses", vec![create_courses()])
        .expect("second revision")
        .id
        .clone();
    assert_eq!(upgrade(&owner, &path), [second]);
    let mut session = Session::new(&app);
    session.add(Course {
        id: None,
        title: "Databases".into(),
    });
    session
        .commit()
        .expect("insert into a table a later migration created");
    let courses = session.query::<Course>().all().expect("select courses");
    assert_eq!(courses.len(), 1);
    assert!(courses[0].read().id.is_some());
    courses[0].write().title = "Databases 2".into();
    session.commit().expect("update courses");
    session.delete(&courses[0]).unwrap();
    session.commit().expect("delete from courses");
    assert_denied(
        "DROP TABLE of the later table",
        app.connect().unwrap().execute(DropTable {
            name: "courses".into(),
            if_exists: false,
        }),
        "courses",
    );
    drop(session);
    app.dispose();
    owner.dispose();
}

mod postgres {
    #[test]
    #[cfg_attr(not(feature = "postgres"), ignore = "the `postgres` feature is off")]
    #[cfg_attr(
        all(feature = "postgres", not(cinnabar_test_postgres)),
        ignore = "CINNABAR_TEST_POSTGRES is not set"
    )]
    fn app_role_reads_and_writes_but_cannot_alter() {
        super::least_privilege(&super::Privileges::postgres());
    }
}

mod mysql {
    #[test]
    #[cfg_attr(not(feature = "mysql"), ignore = "the `mysql` feature is off")]
    #[cfg_attr(
        all(feature = "mysql", not(cinnabar_test_mysql)),
        ignore = "CINNABAR_TEST_MYSQL is not set"
    )]
    fn app_role_reads_and_writes_but_cannot_alter() {
        super::least_privilege(&super::Privileges::mariadb());
    }
}

mod sqlite {
    use super::*;

    /// `?mode=ro` opens the file read-only: reads work, every write and DDL statement is
    /// `PermissionDenied`, and the file is unchanged.
    #[test]
    fn read_only_url_refuses_writes() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("college.db");
        let url = format!("sqlite:///{}", file.display());
        let rw = create_engine(&url).unwrap();
        MetaData::new()
            .with(Student::table().clone())
            .create_all(&rw)
            .unwrap();
        let mut session = Session::new(&rw);
        session.add(Student {
            id: None,
            name: "Naresh".into(),
            course: "Python".into(),
        });
        session.commit().unwrap();
        drop(session);
        rw.dispose();

        let ro = create_engine(&format!("{url}?mode=ro")).unwrap();
        let mut session = Session::new(&ro);
        let naresh = session.query::<Student>().one().expect("read");
        naresh.write().course = "Rust".into();
        let e = session.commit().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
        assert!(e.message().contains("readonly"), "{e}");
        // The session keeps the change, as after any failed commit.
        assert_eq!(naresh.read().course, "Rust");
        session.rollback().unwrap();
        drop(session);
        let mut conn = ro.connect().unwrap();
        let e = conn
            .execute(DropTable {
                name: "students".into(),
                if_exists: false,
            })
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
        let e = conn
            .execute_script("CREATE TABLE intruders (id INTEGER)")
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
        drop(conn);
        ro.dispose();

        let rw = create_engine(&url).unwrap();
        let mut session = Session::new(&rw);
        let all = session.query::<Student>().all().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].read().course, "Python");
        assert_eq!(
            rw.connect()
                .unwrap()
                .scalar::<i64>(text(
                    "SELECT COUNT(*) FROM sqlite_master WHERE name = 'intruders'"
                ))
                .unwrap(),
            0
        );
    }
}
