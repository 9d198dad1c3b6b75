//! Raw SQL with named bound parameters: `text("SELECT * FROM students WHERE name = :name")`.
//!
//! The SQL text is the developer's; values are only ever bound. `:name` markers are found by a
//! small scanner that skips string literals, quoted identifiers, comments and PostgreSQL `::`
//! casts, and the dialect renders each marker as its own placeholder. What counts as a literal
//! or a comment differs by database ([`RawSyntax`]): PostgreSQL's dollar-quoted strings and
//! `E'..'` escapes, MySQL's backslash escapes and `#` comments, SQLite's `[..]` identifiers;
//! the compiler scans with the target dialect's rules, so a `:name` inside one of those is
//! text, never a parameter. MySQL's executable comments (`/*! .. */`) are SQL to the server,
//! so their `:name` markers are parameters; MariaDB's `/*M! .. */` is a plain comment to MySQL
//! and is scanned as one.

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
        parse(&self.sql)
    }

    /// As [`Text::pieces`], with a database's own literal and comment syntax.
    pub fn pieces_in(&self, syntax: RawSyntax) -> Vec<TextPiece<'_>> {
        parse_in(&self.sql, syntax)
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

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The lexical rules, beyond standard SQL, that decide where literals and comments end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawSyntax {
    /// A backslash escapes the next character inside `'..'` and `".."` (MySQL, MariaDB).
    pub backslash_escapes: bool,
    /// `E'..'` strings take backslash escapes (PostgreSQL).
    pub escape_strings: bool,
    /// `$$..$$` and `$tag$..$tag$` are string literals (PostgreSQL).
    pub dollar_quotes: bool,
    /// `#` starts a comment to the end of the line (MySQL, MariaDB).
    pub hash_comments: bool,
    /// `--` starts a comment only when followed by a space or control character (MySQL).
    pub dash_comments_need_space: bool,
    /// `/* .. */` comments nest (PostgreSQL).
    pub nested_block_comments: bool,
    /// `[..]` quotes an identifier (SQLite, after Microsoft's SQL).
    pub bracket_identifiers: bool,
    /// `/*! .. */` and `/*!50000 .. */` are executable comments: the server runs their text
    /// as SQL, so `:name` markers in them are parameters (MySQL, MariaDB).
    pub executable_comments: bool,
}

/// Splits raw SQL into verbatim text and `:name` markers (standard SQL lexing).
pub fn parse(sql: &str) -> Vec<TextPiece<'_>> {
    parse_in(sql, RawSyntax::default())
}

/// The end (exclusive) of a `$tag$` delimiter starting at `i`, if one starts there.
fn dollar_tag_end(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if bytes.get(j).is_some_and(|b| b.is_ascii_digit()) {
        return None; // `$1`: a positional parameter
    }
    while j < bytes.len() && is_ident_char(bytes[j]) {
        j += 1;
    }
    (bytes.get(j) == Some(&b'$')).then_some(j + 1)
}

/// Splits raw SQL into verbatim text and `:name` markers, with `syntax`'s literals and
/// comments.
pub fn parse_in(sql: &str, syntax: RawSyntax) -> Vec<TextPiece<'_>> {
    let bytes = sql.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            q @ (b'\'' | b'"' | b'`') => {
                let e_string = syntax.escape_strings
                    && q == b'\''
                    && i > 0
                    && matches!(bytes[i - 1], b'E' | b'e')
                    && (i < 2 || !is_ident_char(bytes[i - 2]));
                let backslash = q != b'`' && (syntax.backslash_escapes || e_string);
                i += 1;
                while i < bytes.len() {
                    if backslash && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == q {
                        if i + 1 < bytes.len() && bytes[i + 1] == q {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'[' if syntax.bracket_identifiers => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
                i += 1;
            }
            b'$' if syntax.dollar_quotes && (i == 0 || !is_ident_char(bytes[i - 1])) => {
                match dollar_tag_end(bytes, i) {
                    Some(end) => {
                        let tag = &bytes[i..end];
                        i = end;
                        while i < bytes.len() && !bytes[i..].starts_with(tag) {
                            i += 1;
                        }
                        i += tag.len();
                    }
                    None => i += 1,
                }
            }
            b'#' if syntax.hash_comments => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-')
                && (!syntax.dash_comments_need_space
                    || bytes
                        .get(i + 2)
                        .is_none_or(|b| b.is_ascii_whitespace() || b.is_ascii_control())) =>
            {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if syntax.executable_comments
                && bytes.get(i + 1) == Some(&b'*')
                && bytes.get(i + 2) == Some(&b'!') =>
            {
                // Scanned as SQL from after the opening (and its version number); the
                // closing `*/` is then ordinary text.
                i += 3;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                let mut depth = 1;
                while i < bytes.len() && depth > 0 {
                    if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                    } else if syntax.nested_block_comments
                        && bytes[i] == b'/'
                        && bytes.get(i + 1) == Some(&b'*')
                    {
                        depth += 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
            b':' if bytes.get(i + 1) == Some(&b':') => i += 2,
            b':' if bytes.get(i + 1).copied().is_some_and(is_ident_start)
                && (i == 0 || bytes[i - 1] != b':') =>
            {
                if start < i {
                    pieces.push(TextPiece::Sql(&sql[start..i]));
                }
                let name_start = i + 1;
                let mut end = name_start;
                while end < bytes.len() && is_ident_char(bytes[end]) {
                    end += 1;
                }
                pieces.push(TextPiece::Param(&sql[name_start..end]));
                i = end;
                start = end;
            }
            _ => i += 1,
        }
    }
    if start < sql.len() {
        pieces.push(TextPiece::Sql(&sql[start.min(sql.len())..]));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markers_outside_literals_comments_and_casts() {
        let p = parse(
            "SELECT ':no', \":no\" -- :no\n FROM t /* :no */ WHERE a = :a AND b::text = :b_2",
        );
        let params: Vec<&str> = p
            .iter()
            .filter_map(|x| match x {
                TextPiece::Param(n) => Some(*n),
                _ => None,
            })
            .collect();
        assert_eq!(params, ["a", "b_2"]);
    }

    fn params(sql: &str, syntax: RawSyntax) -> Vec<&str> {
        parse_in(sql, syntax)
            .into_iter()
            .filter_map(|x| match x {
                TextPiece::Param(n) => Some(n),
                TextPiece::Sql(_) => None,
            })
            .collect()
    }

    const PG: RawSyntax = RawSyntax {
        backslash_escapes: false,
        escape_strings: true,
        dollar_quotes: true,
        hash_comments: false,
        dash_comments_need_space: false,
        nested_block_comments: true,
        bracket_identifiers: false,
        executable_comments: false,
    };
    const MYSQL: RawSyntax = RawSyntax {
        backslash_escapes: true,
        escape_strings: false,
        dollar_quotes: false,
        hash_comments: true,
        dash_comments_need_space: true,
        nested_block_comments: false,
        bracket_identifiers: false,
        executable_comments: true,
    };

    #[test]
    fn postgres_dollar_quotes_and_escape_strings_hide_markers() {
        let sql = "SELECT $$ :no ' $$, $fn$ :no $$ $fn$, E'it\\' :no', $1, a$b FROM t WHERE x = :x";
        assert_eq!(params(sql, PG), ["x"]);
        // Without PostgreSQL's rules the same text would bind values it must not.
        assert_ne!(params(sql, RawSyntax::default()), ["x"]);
        // A standard string keeps the backslash as a character on PostgreSQL.
        assert_eq!(params(r"SELECT 'a\' WHERE y = :y", PG), ["y"]);
    }

    #[test]
    fn comment_rules_differ_by_database() {
        // PostgreSQL: block comments nest.
        assert_eq!(params("SELECT /* a /* b */ :no */ :x", PG), ["x"]);
        // MySQL: `--` needs a space to start a comment; `1--:x` is 1 - (-:x).
        assert_eq!(params("SELECT 1--:x", MYSQL), ["x"]);
        assert_eq!(params("SELECT 1 -- :no\n, :y", MYSQL), ["y"]);
    }

    /// Found by `text_lexer_props` (SQLite): `SELECT :p0 AS [aaa'] , :p0` bound one
    /// parameter, the quote inside the brackets taken for a string's start.
    #[test]
    fn sqlite_bracket_identifiers_hide_markers() {
        use crate::dialect::Dialect as _;
        let sqlite = crate::dialect::SqliteDialect.raw_syntax();
        assert_eq!(params("SELECT :p0 AS [aaa'] , :p0", sqlite), ["p0", "p0"]);
        assert_eq!(params("SELECT [a :no] FROM t WHERE x = :x", sqlite), ["x"]);
        // Elsewhere `[` is no quote (PostgreSQL array slices: `a[1:n]`).
        assert_eq!(params("SELECT a[1:n]", PG), ["n"]);
    }

    /// Found by `text_lexer_props` (MariaDB): `SELECT /*! :p0 */` bound nothing, yet the
    /// server runs an executable comment's text.
    #[test]
    fn mysql_executable_comments_hold_markers() {
        use crate::dialect::Dialect as _;
        let mysql = crate::dialect::MySqlDialect.raw_syntax();
        assert_eq!(params("SELECT /*! :p0 */", mysql), ["p0"]);
        assert_eq!(
            params("SELECT /*!50000 :a */, /* :no */ /*+ :no */ :b", mysql),
            ["a", "b"]
        );
        // Elsewhere it is a comment.
        assert_eq!(params("SELECT /*! :no */ :x", PG), ["x"]);
    }

    #[test]
    fn mysql_backslash_escapes_and_hash_comments_hide_markers() {
        let sql = "SELECT 'it\\' :no', \"q\\\" :no\" # :no\n FROM t WHERE x = :x";
        assert_eq!(params(sql, MYSQL), ["x"]);
        assert_ne!(params(sql, RawSyntax::default()), ["x"]);
    }

    #[test]
    fn reassembles_verbatim_text() {
        let sql = "SELECT * FROM students WHERE name = :name";
        let p = parse(sql);
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
