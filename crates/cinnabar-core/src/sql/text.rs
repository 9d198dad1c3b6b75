//! Raw SQL with named bound parameters: `text("SELECT * FROM students WHERE name = :name")`.
//!
//! The SQL text is the developer's; values are only ever bound. `:name` markers are found by
//! the SQL lexer ([`super::lexer`]), which skips string literals, quoted identifiers, comments
//! and PostgreSQL `::` casts, and the dialect renders each marker as its own placeholder. What
//! counts as a literal or a comment differs by database ([`LexRules`]): PostgreSQL's
//! dollar-quoted strings and `E'..'` escapes, MySQL's backslash escapes and `#` comments, SQLite's `[..]` identifiers;
//! the compiler scans with the target dialect's rules, so a `:name` inside one of those is
//! text, never a parameter. MySQL's executable comments (`/*! .. */`) are SQL to the server,
//! so their `:name` markers are parameters; MariaDB's `/*M! .. */` is a plain comment to MySQL
//! and is scanned as one.

use super::lexer::{tokens, LexRules, Lexer};
use crate::error::{Error, Result};
use crate::types::ToSql;
use crate::value::Value;

/// A raw SQL statement with named parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The SQL as written.
    pub sql: String,
    /// Bound values by name.
    pub params: Vec<(String, Value)>,
    /// A binding error to report at execution (e.g. a value that cannot be stored).
    pub error: Option<String>,
}

/// A piece of parsed raw SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextPiece<'a> {
    /// SQL copied verbatim.
    Sql(&'a str),
    /// A `:name` parameter marker.
    Param(&'a str),
}

/// Builds a raw SQL statement; bind values with [`Text::bind`].
///
/// ```
/// use cinnabar::prelude::*;
///
/// # fn main() -> cinnabar::Result<()> {
/// let engine = create_engine("sqlite://")?;
/// let mut conn = engine.connect()?;
/// conn.execute(text("CREATE TABLE students (name TEXT, course TEXT)"))?;
/// // Values are bound to `:name` markers, never spliced into the SQL.
/// conn.execute(
///     text("INSERT INTO students (name, course) VALUES (:name, :course)")
///         .bind("name", "Naresh")
///         .bind("course", "Python"),
/// )?;
/// let n: i64 = conn.scalar(
///     text("SELECT count(*) FROM students WHERE course = :course").bind("course", "Python"),
/// )?;
/// assert_eq!(n, 1);
/// # Ok(())
/// # }
/// ```
pub fn text(sql: impl Into<String>) -> Text {
    Text {
        sql: sql.into(),
        params: Vec::new(),
        error: None,
    }
}

impl Text {
    /// Binds `value` to the `:name` parameter (replacing an earlier binding of that name).
    pub fn bind(mut self, name: &str, value: impl ToSql) -> Self {
        match value.to_value() {
            Ok(v) => {
                self.params.retain(|(n, _)| n != name);
                self.params.push((name.to_owned(), v));
            }
            Err(e) => {
                self.error
                    .get_or_insert_with(|| format!("parameter :{name}: {}", e.message()));
            }
        }
        self
    }

    /// Splits the SQL into verbatim pieces and parameter markers (standard SQL lexing).
    pub fn pieces(&self) -> Vec<TextPiece<'_>> {
        pieces(&self.sql, LexRules::default()).collect()
    }

    /// As [`Text::pieces`], with a database's own literal and comment syntax (its
    /// [`Dialect::lex_rules`](crate::dialect::Dialect::lex_rules)).
    pub fn pieces_in(&self, rules: LexRules) -> Vec<TextPiece<'_>> {
        pieces(&self.sql, rules).collect()
    }

    /// The value bound to `name`.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](crate::ErrorKind::Misuse) naming the unbound parameter.
    pub fn value_of(&self, name: &str) -> Result<&Value> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| {
                Error::misuse(format!(
                    "raw SQL parameter :{name} has no bound value (call .bind(\"{name}\", value))"
                ))
            })
    }
}

/// Iterates over the verbatim pieces and `:name` markers of `sql` under `rules`, in order;
/// the pieces concatenate to `sql` with each marker written `:name`. The lexer finds the
/// markers, so a `:name` inside a literal, a quoted identifier or a comment is text, and
/// `::` is a cast; nothing is allocated.
pub fn pieces(sql: &str, rules: LexRules) -> Pieces<'_> {
    // A marker needs a colon: nothing after the last one needs lexing.
    let last_colon = sql.bytes().rposition(|b| b == b':');
    Pieces {
        sql,
        lexer: tokens(sql, rules),
        start: 0,
        last_colon,
        marker: None,
    }
}

/// The iterator [`pieces`] returns.
#[derive(Debug, Clone)]
pub struct Pieces<'a> {
    sql: &'a str,
    lexer: Lexer<'a>,
    /// Start of the verbatim text not yet returned.
    start: usize,
    last_colon: Option<usize>,
    /// A marker found after verbatim text, returned next.
    marker: Option<&'a str>,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = TextPiece<'a>;

    fn next(&mut self) -> Option<TextPiece<'a>> {
        if let Some(name) = self.marker.take() {
            return Some(TextPiece::Param(name));
        }
        if let Some(last) = self.last_colon {
            if let Some((start, end)) = self.lexer.next_marker(last) {
                let name = self.sql.get(start + 1..end).unwrap_or_default();
                let before = &self.sql[self.start..start];
                self.start = end;
                if before.is_empty() {
                    return Some(TextPiece::Param(name));
                }
                self.marker = Some(name);
                return Some(TextPiece::Sql(before));
            }
            self.last_colon = None;
        }
        let rest = &self.sql[self.start..];
        self.start = self.sql.len();
        (!rest.is_empty()).then_some(TextPiece::Sql(rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::{Dialect as _, MySqlDialect, PostgresDialect, SqliteDialect};

    #[test]
    fn finds_markers_outside_literals_comments_and_casts() {
        let sql = "SELECT ':no', \":no\" -- :no\n FROM t /* :no */ WHERE a = :a AND b::text = :b_2";
        assert_eq!(params(sql, LexRules::default()), ["a", "b_2"]);
    }

    fn params(sql: &str, rules: LexRules) -> Vec<&str> {
        pieces(sql, rules)
            .filter_map(|x| match x {
                TextPiece::Param(n) => Some(n),
                TextPiece::Sql(_) => None,
            })
            .collect()
    }

    const PG: PostgresDialect = PostgresDialect;
    const MYSQL: MySqlDialect = MySqlDialect;

    #[test]
    fn postgres_dollar_quotes_and_escape_strings_hide_markers() {
        let sql = "SELECT $$ :no ' $$, $fn$ :no $$ $fn$, E'it\\' :no', $1, a$b FROM t WHERE x = :x";
        assert_eq!(params(sql, PG.lex_rules()), ["x"]);
        // Without PostgreSQL's rules the same text would bind values it must not.
        assert_ne!(params(sql, LexRules::default()), ["x"]);
        // A standard string keeps the backslash as a character on PostgreSQL.
        assert_eq!(params(r"SELECT 'a\' WHERE y = :y", PG.lex_rules()), ["y"]);
    }

    #[test]
    fn comment_rules_differ_by_database() {
        // PostgreSQL: block comments nest.
        assert_eq!(
            params("SELECT /* a /* b */ :no */ :x", PG.lex_rules()),
            ["x"]
        );
        // MySQL: `--` needs a space to start a comment; `1--:x` is 1 - (-:x).
        assert_eq!(params("SELECT 1--:x", MYSQL.lex_rules()), ["x"]);
        assert_eq!(params("SELECT 1 -- :no\n, :y", MYSQL.lex_rules()), ["y"]);
    }

    /// Found by `text_lexer_props` (SQLite): `SELECT :p0 AS [aaa'] , :p0` bound one
    /// parameter, the quote inside the brackets taken for a string's start.
    #[test]
    fn sqlite_bracket_identifiers_hide_markers() {
        let sqlite = SqliteDialect.lex_rules();
        assert_eq!(params("SELECT :p0 AS [aaa'] , :p0", sqlite), ["p0", "p0"]);
        assert_eq!(params("SELECT [a :no] FROM t WHERE x = :x", sqlite), ["x"]);
        // Elsewhere `[` is no quote (PostgreSQL array slices: `a[1:n]`).
        assert_eq!(params("SELECT a[1:n]", PG.lex_rules()), ["n"]);
    }

    /// Found by `text_lexer_props` (MariaDB): `SELECT /*! :p0 */` bound nothing, yet the
    /// server runs an executable comment's text.
    #[test]
    fn mysql_executable_comments_hold_markers() {
        let mysql = MYSQL.lex_rules();
        assert_eq!(params("SELECT /*! :p0 */", mysql), ["p0"]);
        assert_eq!(
            params("SELECT /*!50000 :a */, /* :no */ /*+ :no */ :b", mysql),
            ["a", "b"]
        );
        // Elsewhere it is a comment.
        assert_eq!(params("SELECT /*! :no */ :x", PG.lex_rules()), ["x"]);
    }

    #[test]
    fn mysql_backslash_escapes_and_hash_comments_hide_markers() {
        let sql = "SELECT 'it\\' :no', \"q\\\" :no\" # :no\n FROM t WHERE x = :x";
        assert_eq!(params(sql, MYSQL.lex_rules()), ["x"]);
        assert_ne!(params(sql, LexRules::default()), ["x"]);
    }

    #[test]
    fn reassembles_verbatim_text() {
        let sql = "SELECT * FROM students WHERE name = :name";
        let p: Vec<TextPiece<'_>> = pieces(sql, LexRules::default()).collect();
        assert_eq!(
            p,
            [
                TextPiece::Sql("SELECT * FROM students WHERE name = "),
                TextPiece::Param("name")
            ]
        );
    }

    #[test]
    fn unbound_parameter_is_named() {
        let t = text("SELECT :x");
        let e = t.value_of("x").unwrap_err();
        assert!(e.message().contains(":x"), "{e}");
        let t = t.bind("x", u64::MAX);
        assert!(t.error.unwrap().contains("parameter :x"));
    }
}
