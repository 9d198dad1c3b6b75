//! A database made by another tool: the tutorial's courses and students, created with plain
//! SQL as SQLAlchemy's `create_all` would write it on each backend, with a few rows.

use super::support::Backend;

/// The DDL and rows for `backend`.
pub(crate) fn script(backend: Backend) -> String {
    let (id, text) = match backend {
        Backend::Sqlite => ("INTEGER NOT NULL", "VARCHAR"),
        Backend::Postgres => ("SERIAL NOT NULL", "VARCHAR"),
        Backend::MySql => ("INTEGER NOT NULL AUTO_INCREMENT", "VARCHAR(100)"),
    };
    format!(
        "CREATE TABLE courses (\n\
         \tid {id},\n\
         \ttitle {text},\n\
         \tPRIMARY KEY (id)\n\
         );\n\
         CREATE TABLE students (\n\
         \tid {id},\n\
         \tname {text},\n\
         \tcourse {text},\n\
         \tcourse_id INTEGER,\n\
         \tPRIMARY KEY (id),\n\
         \tFOREIGN KEY(course_id) REFERENCES courses (id)\n\
         );\n\
         INSERT INTO courses (id, title) VALUES (1, 'Python'), (2, 'Rust');\n\
         INSERT INTO students (id, name, course, course_id) VALUES \
         (1, 'Naresh', 'Python', 1), (2, 'Asha', 'Rust', 2), (3, 'Ravi', NULL, NULL);\n"
    )
}

/// What the generated crate's binary prints for those rows (see `MAIN` in round_trip.rs).
pub(crate) const EXPECTED_ROWS: &str = "\
course 1 Python: Naresh
course 2 Rust: Asha
student 1 Naresh Python -> Python
student 2 Asha Rust -> Rust
student 3 Ravi NULL -> NULL
";
