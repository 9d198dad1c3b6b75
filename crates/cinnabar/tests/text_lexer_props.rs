//! Property test of the `text()` lexer against the databases' own parsing: a random
//! `SELECT` mixing bound `:name` parameters with string literals, quoted identifiers and
//! comments whose text holds `:names`, quotes, backslashes and dollars (with each database's
//! own forms: PostgreSQL's `E'..'` escapes, `$tag$..$tag$` quotes, nested `/* */` comments and
//! `::` casts; MySQL's backslash escapes, `".."` strings, `#` comments and `/*! .. */`
//! executable comments; SQLite's `[..]` and `` `..` `` identifiers) must run, and every
//! column must come back as the server parsed it: a parameter's column holds the value bound
//! to that name, a literal's column the literal's text. A `:name` the lexer missed reaches the
//! server as text (a syntax error or a parameter count mismatch), one it invented inside a
//! literal or identifier changes that literal or miscounts the parameters, and a literal or
//! comment it ended in the wrong place shifts every later column.
//!
//! A second property checks the statement splitter (`split_statements`, the same lexer) the
//! same way: a script of N such statements, with `;` inside their literals, identifiers and
//! comments, splits into N statements that each run alone on the server and return their own
//! columns.
//!
//! One instance per backend (`backend_tests!`); failures are persisted to
//! `crates/cinnabar/proptest-regressions/{text_lexer_props,split_statements_props}_<backend>.txt`
//! and replayed first.

#[macro_use]
mod support;

use std::cell::RefCell;

use cinnabar::prelude::*;
use cinnabar::sql::split_statements;
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use support::{Backend, TestDb};

/// Characters of literal, identifier and comment text: everything the lexers treat
/// specially, and letters so that `:name` shapes appear.
const CHARS: &[char] = &[
    'a', 'b', 'x', '1', '_', ':', ':', '\'', '"', '`', '\\', '$', '-', '/', '*', '#', ' ', '\n',
    '?', '[', ']', ';',
];

fn chars(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(CHARS), 0..max).prop_map(|v| v.into_iter().collect())
}

/// One column of the SELECT list.
#[derive(Debug, Clone)]
enum Item {
    /// `:p<n>`, bound to a value.
    Param(usize),
    /// A string literal of this text, in this style.
    Lit(String, LitStyle),
}

#[derive(Debug, Clone, Copy)]
enum LitStyle {
    /// `'..'` (`''` for a quote; MySQL: `\\` for a backslash).
    Standard,
    /// PostgreSQL `E'..'` (`\'` and `\\`); MySQL: `'..'` with `\'` for a quote.
    Escaped,
    /// PostgreSQL `$tag$..$tag$` (tag `n` of [`TAGS`]); MySQL: `".."`.
    Other(usize),
}

const TAGS: &[&str] = &["", "t", "q_1"];

/// Openings of executable comments both MySQL and MariaDB run (MariaDB's own `/*M!..` is a
/// plain comment to MySQL, so one dialect cannot tell which it is; not generated).
const EXEC: &[&str] = &["/*!", "/*!50000", "/*!"];

/// What separates tokens: a space or a comment.
#[derive(Debug, Clone)]
enum Gap {
    Space,
    Block(String),
    /// PostgreSQL: `/* a /* b */ c */`.
    Nested(String, String, String),
    Dash(String),
    /// MySQL: `# ..`.
    Hash(String),
}

#[derive(Debug, Clone)]
struct Column {
    before: Gap,
    item: Item,
    /// A quoted alias (`AS ".."`, MySQL: `` AS `..` ``).
    alias: Option<String>,
    /// MySQL/MariaDB: the item inside an executable comment (`/*!` or `/*!50000`, by this
    /// index into [`EXEC`]), which the server runs as SQL.
    exec: Option<usize>,
    after: Gap,
}

#[derive(Debug, Clone)]
struct Case {
    columns: Vec<Column>,
    /// The values bound to `:p0` .. `:p3`.
    values: Vec<String>,
}

fn gap() -> impl Strategy<Value = Gap> {
    prop_oneof![
        3 => Just(Gap::Space),
        1 => chars(8).prop_map(Gap::Block),
        1 => (chars(5), chars(5), chars(5)).prop_map(|(a, b, c)| Gap::Nested(a, b, c)),
        1 => chars(8).prop_map(Gap::Dash),
        1 => chars(8).prop_map(Gap::Hash),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        2 => (0..4usize).prop_map(Item::Param),
        3 => (chars(10), prop_oneof![
            Just(LitStyle::Standard),
            Just(LitStyle::Escaped),
            (0..TAGS.len()).prop_map(LitStyle::Other),
        ])
            .prop_map(|(s, st)| Item::Lit(s, st)),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let column = (
        gap(),
        item(),
        prop::option::of(chars(6)),
        prop::option::weighted(0.2, 0..EXEC.len()),
        gap(),
    )
        .prop_map(|(before, item, alias, exec, after)| Column {
            before,
            item,
            alias,
            exec,
            after,
        });
    (
        prop::collection::vec(column, 1..8),
        prop::collection::vec(chars(6), 4),
    )
        .prop_map(|(columns, values)| Case { columns, values })
}

/// A comment's text made safe for `backend`: it cannot end the comment early (or, on
/// PostgreSQL, open a nested one), and a line comment stays on its line.
fn comment(gap: &Gap, backend: Backend) -> String {
    let block = |s: &str| s.replace("*/", "* /").replace("/*", "/ *");
    let line = |s: &str| s.replace('\n', " ");
    match gap {
        Gap::Space => " ".into(),
        Gap::Block(s) => format!(" /* {} */ ", block(s)),
        Gap::Nested(a, b, c) if backend == Backend::Postgres => {
            format!(" /* {} /* {} */ {} */ ", block(a), block(b), block(c))
        }
        Gap::Nested(a, ..) => format!(" /* {} */ ", block(a)),
        Gap::Dash(s) => format!(" -- {}\n", line(s)),
        Gap::Hash(s) if backend == Backend::MySql => format!(" #{}\n", line(s)),
        Gap::Hash(s) => format!(" -- {}\n", line(s)),
    }
}

/// The literal for `text` in `style` on `backend`, as SQL.
fn literal(text: &str, style: LitStyle, backend: Backend) -> String {
    let standard = |t: &str| {
        let t = t.replace('\'', "''");
        if backend == Backend::MySql {
            format!("'{}'", t.replace('\\', "\\\\").replace("''", "\\'"))
        } else {
            format!("'{t}'")
        }
    };
    match (style, backend) {
        (LitStyle::Escaped, Backend::Postgres) => {
            // `E` or `e`, by the text's length.
            let e = if text.len().is_multiple_of(2) {
                'E'
            } else {
                'e'
            };
            format!("{e}'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
        }
        (LitStyle::Escaped, Backend::MySql) => {
            format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
        }
        (LitStyle::Other(n), Backend::Postgres) => {
            let delim = format!("${}$", TAGS[n]);
            // The body must not hold the delimiter, nor make it start early.
            let body_end = format!("{text}{delim}");
            if body_end.find(&delim) == Some(text.len()) {
                format!("{delim}{text}{delim}")
            } else {
                standard(text)
            }
        }
        (LitStyle::Other(_), Backend::MySql) => {
            format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
        }
        _ => standard(text),
    }
}

/// A quoted identifier for `alias` on `backend`.
fn identifier(alias: &str, backend: Backend) -> Option<String> {
    // Identifiers cannot be empty; MySQL's cannot end with a space (or hold a newline well).
    let a: String = alias.chars().filter(|c| !c.is_whitespace()).collect();
    if a.is_empty() {
        return None;
    }
    Some(match backend {
        Backend::MySql => format!("`{}`", a.replace('`', "``")),
        // SQLite also takes `[..]` (no `]` inside) and MySQL's backquotes.
        Backend::Sqlite if a.len() % 3 == 1 => format!("[{}]", a.replace(']', "")),
        Backend::Sqlite if a.len() % 3 == 2 => format!("`{}`", a.replace('`', "``")),
        _ => format!("\"{}\"", a.replace('"', "\"\"")),
    })
}

/// The SQL of `case` on `backend` and the text each column must come back as.
fn render(case: &Case, backend: Backend) -> (String, Vec<String>) {
    let mut sql = String::from("SELECT");
    let mut expected = Vec::new();
    for (i, c) in case.columns.iter().enumerate() {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&comment(&c.before, backend));
        let exec = c.exec.filter(|_| backend == Backend::MySql);
        if let Some(e) = exec {
            sql.push_str(EXEC[e]);
            sql.push(' ');
        }
        match &c.item {
            Item::Param(n) => {
                match backend {
                    Backend::Postgres => sql.push_str(&format!(":p{n}::text")),
                    _ => sql.push_str(&format!(":p{n}")),
                }
                expected.push(case.values[*n].clone());
            }
            Item::Lit(text, style) => {
                sql.push_str(&literal(text, *style, backend));
                expected.push(text.clone());
            }
        }
        if exec.is_some() {
            sql.push_str(" */");
        }
        if let Some(id) = c.alias.as_deref().and_then(|a| identifier(a, backend)) {
            sql.push_str(&comment(&c.after, backend));
            sql.push_str("AS ");
            sql.push_str(&id);
        }
        sql.push_str(&comment(&c.after, backend));
    }
    (sql, expected)
}

/// A runner with `cases` cases (`PROPTEST_CASES` overrides), persisting failures to
/// `proptest-regressions/<name>_<backend>.txt`.
fn runner(name: &str, backend: Backend, cases: u32) -> TestRunner {
    let backend = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::MySql => "mysql",
    };
    let persistence = format!("proptest-regressions/{name}_{backend}.txt");
    TestRunner::new(Config {
        // A few seconds per backend; `PROPTEST_CASES` overrides (the `proptest!` macro
        // reads it, a hand-made runner does not).
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        source_file: Some(file!()),
        // `Direct` wants a `'static` path: one small leak per test.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(Box::leak(
            persistence.into_boxed_str(),
        )))),
        ..Config::default()
    })
}

/// Runs `sql` with `case`'s values bound and checks that its one row holds `expected`.
fn returns(
    db: &TestDb,
    conn: &RefCell<Connection>,
    sql: &str,
    case: &Case,
    expected: &[String],
) -> Result<(), TestCaseError> {
    let mut t = text(sql);
    for (n, v) in case.values.iter().enumerate() {
        t = t.bind(&format!("p{n}"), v.as_str());
    }
    let rows = conn.borrow_mut().execute(t);
    let rows = match rows {
        Ok(r) => r,
        Err(e) => {
            // A failed statement may leave a PostgreSQL connection unusable: a new one.
            *conn.borrow_mut() = db.engine.connect().unwrap();
            return Err(TestCaseError::fail(format!("{sql:?}: {e}")));
        }
    };
    let row = rows.first();
    prop_assert!(row.is_some(), "{:?}: no row", sql);
    let row = row.unwrap();
    for (i, want) in expected.iter().enumerate() {
        let got = row.get::<String>(i);
        prop_assert!(
            got.as_ref().is_ok_and(|g| g == want),
            "{:?}: column {} is {:?}, expected {:?}",
            sql,
            i,
            got,
            want
        );
    }
    Ok(())
}

fn lexer_binds_what_the_server_sees(db: &TestDb) {
    let mut runner = runner("text_lexer_props", db.backend, 1000);
    let conn = RefCell::new(db.engine.connect().unwrap());
    let backend = db.backend;
    let result = runner.run(&case(), |case| {
        let (sql, expected) = render(&case, backend);
        returns(db, &conn, &sql, &case, &expected)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// One statement of a script and what follows it: a gap, the `;`, and maybe an empty
/// statement (another gap and `;`) before the next.
#[derive(Debug, Clone)]
struct Part {
    case: Case,
    before_semicolon: Gap,
    empty_statement: Option<Gap>,
}

fn script() -> impl Strategy<Value = Vec<Part>> {
    let part = (case(), gap(), prop::option::weighted(0.3, gap())).prop_map(
        |(case, before_semicolon, empty_statement)| Part {
            case,
            before_semicolon,
            empty_statement,
        },
    );
    prop::collection::vec(part, 1..5)
}

/// The script of `parts` on `backend`.
fn render_script(parts: &[Part], backend: Backend) -> String {
    let mut sql = String::new();
    for p in parts {
        sql.push_str(&render(&p.case, backend).0);
        sql.push_str(&comment(&p.before_semicolon, backend));
        sql.push(';');
        // MySQL and MariaDB refuse an empty statement in a script (a syntax error).
        if let Some(gap) = p
            .empty_statement
            .as_ref()
            .filter(|_| backend != Backend::MySql)
        {
            sql.push_str(&comment(gap, backend));
            sql.push(';');
        }
    }
    sql
}

/// `split_statements` with the dialect's rules cuts a script of N generated statements
/// (literals, identifiers and comments holding `;`, quotes and comment markers; gaps and
/// empty statements between them) into exactly N, and each runs alone on the server and
/// returns its own columns (a piece cut in the wrong place is a syntax error, two statements
/// in one prepared statement are refused, and a wrong cut shifts the columns). A script
/// binding no parameters also runs whole through `execute_script`, which the PostgreSQL
/// and MySQL drivers split the same way to follow transaction control.
fn splitter_finds_each_statement(db: &TestDb) {
    let mut runner = runner("split_statements_props", db.backend, 250);
    let conn = RefCell::new(db.engine.connect().unwrap());
    let backend = db.backend;
    let rules = db.engine.dialect().lex_rules();
    let result = runner.run(&script(), |parts| {
        let script = render_script(&parts, backend);
        let pieces: Vec<&str> = split_statements(&script, rules).collect();
        prop_assert_eq!(
            pieces.len(),
            parts.len(),
            "{:?} split into {:?}",
            script,
            pieces
        );
        for (piece, part) in pieces.iter().zip(&parts) {
            let (_, expected) = render(&part.case, backend);
            returns(db, &conn, piece, &part.case, &expected)?;
        }
        let binds = |p: &Part| {
            p.case
                .columns
                .iter()
                .any(|c| matches!(c.item, Item::Param(_)))
        };
        if !parts.iter().any(binds) {
            let ran = conn.borrow_mut().execute_script(&script);
            if let Err(e) = ran {
                *conn.borrow_mut() = db.engine.connect().unwrap();
                return Err(TestCaseError::fail(format!("{script:?}: {e}")));
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

backend_tests!(
    lexer_binds_what_the_server_sees,
    splitter_finds_each_statement
);

/// The generator covers what the property is about: on each backend, statements with
/// `:names` inside literals, identifiers and comments next to real parameters.
#[test]
fn rendered_statements_mix_parameters_and_lookalikes() {
    let case = Case {
        columns: vec![
            Column {
                before: Gap::Block(":a */".into()),
                item: Item::Lit(":b'\\".into(), LitStyle::Other(1)),
                alias: Some(":c\"`".into()),
                exec: None,
                after: Gap::Dash(":d".into()),
            },
            Column {
                before: Gap::Nested(":e".into(), ":f".into(), ":g".into()),
                item: Item::Param(2),
                alias: None,
                exec: Some(0),
                after: Gap::Hash(":h".into()),
            },
        ],
        values: vec!["w".into(), "x".into(), "y".into(), "z".into()],
    };
    let (pg, want) = render(&case, Backend::Postgres);
    assert_eq!(
        pg,
        "SELECT /* :a * / */ $t$:b'\\$t$ -- :d\nAS \":c\"\"`\" -- :d\n, /* :e /* :f */ :g */ :p2::text -- :h\n"
    );
    assert_eq!(want, [":b'\\", "y"]);
    let (my, _) = render(&case, Backend::MySql);
    assert_eq!(
        my,
        "SELECT /* :a * / */ \":b'\\\\\" -- :d\nAS `:c\"``` -- :d\n, /* :e */ /*! :p2 */ #:h\n"
    );
}
