//! Measures the cost of compiling raw `text()` statements (the lexer's hot path) for
//! instruction counting under callgrind; see docs/schema/lexer.md "Measuring".
//!
//! `cargo build --release -p cinnabar-core --example lex_text`, then
//! `valgrind --tool=callgrind target/release/examples/lex_text 20000` and the same with `0`:
//! the difference of the two instruction counts, divided by 20,000 × the statements per
//! round, is the cost of one compile. Prints a checksum so nothing is optimised away.

use cinnabar_core::dialect::{compile, Dialect, MySqlDialect, PostgresDialect, SqliteDialect};
use cinnabar_core::sql::{text, Statement};

/// Representative raw statements: short and long, with literals, comments and casts.
const STATEMENTS: &[&str] = &[
    "SELECT * FROM students WHERE name = :name",
    "INSERT INTO students (name, course, email, age) VALUES (:name, :course, :email, :age)",
    "SELECT s.id, s.name, c.title FROM students s JOIN courses c ON c.id = s.course_id \
     -- the join\n WHERE s.name LIKE :name AND c.title <> 'it''s :not a parameter' \
     AND s.age > :age /* only adults */ ORDER BY s.id LIMIT 10",
    "UPDATE students SET course = :course WHERE id IN (SELECT student_id FROM enrolments \
     WHERE course_id = :age AND note = 'x:y') AND email IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS audit_log (id INTEGER PRIMARY KEY, happened_at TIMESTAMP \
     NOT NULL, who VARCHAR(100) NOT NULL, what TEXT, detail TEXT DEFAULT 'none')",
];

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let statements: Vec<Statement> = STATEMENTS
        .iter()
        .map(|s| {
            Statement::Text(
                text(*s)
                    .bind("name", "Naresh")
                    .bind("course", "Python")
                    .bind("email", "n@example.com")
                    .bind("age", 21_i64),
            )
        })
        .collect();
    let dialects: [&dyn Dialect; 3] = [&SqliteDialect, &PostgresDialect, &MySqlDialect];
    let mut checksum = 0usize;
    for _ in 0..rounds {
        for d in dialects {
            for s in &statements {
                match compile(d, s) {
                    Ok(c) => checksum = checksum.wrapping_add(c.sql.len() + c.params.len()),
                    Err(e) => {
                        eprintln!("{e}");
                        std::process::exit(1);
                    }
                }
            }
        }
    }
    println!(
        "{} compiles, checksum {checksum}",
        rounds * dialects.len() * statements.len()
    );
}
