//! The SQL lexer per dialect: every quoting and comment form each dialect's `lex_rules()`
//! knows, what happens to literals and comments left open (they run to the end, flagged, and
//! never panic or loop), the statement splitter and leading keywords; and, as properties over
//! arbitrary text, that the tokens cover the input exactly and the splitter only ever cuts at
//! `;` tokens.

use cinnabar_core::dialect::{Dialect, MySqlDialect, PostgresDialect, SqliteDialect};
use cinnabar_core::sql::{
    first_keyword, leading_keywords, split_statements, text, tokens, LexRules, TextPiece,
    TokenKind as K,
};
use proptest::prelude::*;

fn sqlite() -> LexRules {
    SqliteDialect.lex_rules()
}
fn pg() -> LexRules {
    PostgresDialect.lex_rules()
}
fn mysql() -> LexRules {
    MySqlDialect.lex_rules()
}

/// The tokens of `sql` other than whitespace, as (kind, text).
fn lex(sql: &str, rules: LexRules) -> Vec<(K, &str)> {
    tokens(sql, rules)
        .filter(|t| t.kind != K::Whitespace)
        .map(|t| (t.kind, t.text))
        .collect()
}

fn split(sql: &str, rules: LexRules) -> Vec<&str> {
    split_statements(sql, rules).collect()
}

// ---------------------------------------------------------------------------------------------
// Tokens per dialect

#[test]
fn standard_sql_tokens() {
    let r = LexRules::default();
    assert_eq!(
        lex("SELECT 'it''s', \"a\"\"b\", x1 -- c\n/* d */", r),
        [
            (K::Word, "SELECT"),
            (K::String, "'it''s'"),
            (K::Punct, ","),
            (K::QuotedIdentifier, "\"a\"\"b\""),
            (K::Punct, ","),
            (K::Word, "x1"),
            (K::LineComment, "-- c"),
            (K::BlockComment, "/* d */"),
        ]
    );
    assert_eq!(
        lex("42 1.5 .5 1e-3 2E+10 0x1F 3.", r),
        [
            (K::Number, "42"),
            (K::Number, "1.5"),
            (K::Number, ".5"),
            (K::Number, "1e-3"),
            (K::Number, "2E+10"),
            (K::Number, "0x1F"),
            (K::Number, "3."),
        ]
    );
    // `::` is one token, so its second colon never starts a marker.
    assert_eq!(
        lex("a::text = :b", r),
        [
            (K::Word, "a"),
            (K::Punct, "::"),
            (K::Word, "text"),
            (K::Punct, "="),
            (K::NamedParam, ":b"),
        ]
    );
    // Non-ASCII letters are word characters; the text is never cut inside a character.
    assert_eq!(
        lex("SELECT émile, :nämé", r),
        [
            (K::Word, "SELECT"),
            (K::Word, "émile"),
            (K::Punct, ","),
            (K::NamedParam, ":nämé"),
        ]
    );
    // Standard SQL has none of the dialects' extras.
    assert_eq!(
        lex("`a` [b] #c $1 ?", r),
        [
            (K::Punct, "`"),
            (K::Word, "a"),
            (K::Punct, "`"),
            (K::Punct, "["),
            (K::Word, "b"),
            (K::Punct, "]"),
            (K::Punct, "#"),
            (K::Word, "c"),
            (K::Punct, "$"),
            (K::Number, "1"),
            (K::Punct, "?"),
        ]
    );
}

#[test]
fn sqlite_tokens() {
    let r = sqlite();
    assert_eq!(
        lex("SELECT [a ' b], `c``d`, \"e\", 'f\\' ?, ?3, :g", r),
        [
            (K::Word, "SELECT"),
            (K::QuotedIdentifier, "[a ' b]"),
            (K::Punct, ","),
            (K::QuotedIdentifier, "`c``d`"),
            (K::Punct, ","),
            (K::QuotedIdentifier, "\"e\""),
            (K::Punct, ","),
            // No backslash escapes: the string ends at the second quote.
            (K::String, "'f\\'"),
            (K::Placeholder, "?"),
            (K::Punct, ","),
            (K::Placeholder, "?3"),
            (K::Punct, ","),
            (K::NamedParam, ":g"),
        ]
    );
    // Block comments do not nest; `#` is no comment.
    assert_eq!(
        lex("/* a /* b */ c */ #", r),
        [
            (K::BlockComment, "/* a /* b */"),
            (K::Word, "c"),
            (K::Punct, "*"),
            (K::Punct, "/"),
            (K::Punct, "#"),
        ]
    );
}

#[test]
fn postgres_tokens() {
    let r = pg();
    assert_eq!(
        lex(
            "SELECT E'it\\'s', e'\\\\', 'a\\' || $$ :x ' $$, $fn$ $$ $fn$, $1, a$b, x->>'k' ? 'k'",
            r
        ),
        [
            (K::Word, "SELECT"),
            (K::String, "E'it\\'s'"),
            (K::Punct, ","),
            (K::String, "e'\\\\'"),
            (K::Punct, ","),
            // A standard string: the backslash is a character.
            (K::String, "'a\\'"),
            (K::Punct, "|"),
            (K::Punct, "|"),
            (K::String, "$$ :x ' $$"),
            (K::Punct, ","),
            (K::String, "$fn$ $$ $fn$"),
            (K::Punct, ","),
            (K::Placeholder, "$1"),
            (K::Punct, ","),
            (K::Word, "a$b"),
            (K::Punct, ","),
            (K::Word, "x"),
            (K::Punct, "-"),
            (K::Punct, ">"),
            (K::Punct, ">"),
            (K::String, "'k'"),
            // `?` is an operator (jsonb), not a parameter.
            (K::Punct, "?"),
            (K::String, "'k'"),
        ]
    );
    // Block comments nest; an identifier's `E` is not an escape-string prefix.
    assert_eq!(
        lex("/* a /* b */ c */ name'x' 1e'y'", r),
        [
            (K::BlockComment, "/* a /* b */ c */"),
            (K::Word, "name"),
            (K::String, "'x'"),
            (K::Number, "1"),
            (K::String, "e'y'"),
        ]
    );
    // Dollar tags may hold non-ASCII letters and digits (not first).
    assert_eq!(
        lex("$é1$ x $é1$ $1a", r),
        [
            (K::String, "$é1$ x $é1$"),
            (K::Placeholder, "$1"),
            (K::Word, "a"),
        ]
    );
}

#[test]
fn mysql_tokens() {
    let r = mysql();
    assert_eq!(
        lex(
            "SELECT 'it\\'s', \"q\\\"\", `a``b`, 'x''y' # c\n, 1--1, 2 -- d\n, ?",
            r
        ),
        [
            (K::Word, "SELECT"),
            (K::String, "'it\\'s'"),
            (K::Punct, ","),
            (K::String, "\"q\\\"\""),
            (K::Punct, ","),
            (K::QuotedIdentifier, "`a``b`"),
            (K::Punct, ","),
            (K::String, "'x''y'"),
            (K::LineComment, "# c"),
            (K::Punct, ","),
            // `--` needs a space after it to start a comment: 1 - (-1).
            (K::Number, "1"),
            (K::Punct, "-"),
            (K::Punct, "-"),
            (K::Number, "1"),
            (K::Punct, ","),
            (K::Number, "2"),
            (K::LineComment, "-- d"),
            (K::Punct, ","),
            (K::Placeholder, "?"),
        ]
    );
    // `--` before a tab, a control character or the end is a comment too.
    assert_eq!(lex("--\tx", r), [(K::LineComment, "--\tx")]);
    assert_eq!(lex("1 --", r), [(K::Number, "1"), (K::LineComment, "--")]);
    // Executable comments hold SQL; hints and MariaDB's `/*M!` are comments.
    assert_eq!(
        lex(
            "/*!50000 SELECT :a */ /*! 'x' */ /*+ :b */ /*M! :c */ */",
            r
        ),
        [
            (K::ExecCommentStart, "/*!50000"),
            (K::Word, "SELECT"),
            (K::NamedParam, ":a"),
            (K::ExecCommentEnd, "*/"),
            (K::ExecCommentStart, "/*!"),
            (K::String, "'x'"),
            (K::ExecCommentEnd, "*/"),
            (K::BlockComment, "/*+ :b */"),
            (K::BlockComment, "/*M! :c */"),
            // Outside an executable comment `*/` is two characters.
            (K::Punct, "*"),
            (K::Punct, "/"),
        ]
    );
    // Elsewhere `/*!` is an ordinary comment.
    assert_eq!(lex("/*! x */", pg()), [(K::BlockComment, "/*! x */")]);
}

#[test]
fn quoted_identifiers_spell_their_names() {
    let names: Vec<Option<String>> = tokens("w \"a\"\"b\" `c``d` [e\"f] 'g' \"h", sqlite())
        .filter(|t| t.kind != K::Whitespace)
        .map(|t| t.name().map(|n| n.into_owned()))
        .collect();
    assert_eq!(
        names,
        [
            Some("w".into()),
            Some("a\"b".into()),
            Some("c`d".into()),
            Some("e\"f".into()),
            None,
            // Left open: everything after the quote.
            Some("h".into()),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Left open: the token runs to the end, flagged, on every dialect

#[test]
fn unterminated_literals_and_comments_run_to_the_end() {
    let cases: &[(&str, LexRules, K)] = &[
        ("SELECT 'abc", LexRules::default(), K::String),
        ("SELECT 'abc''", LexRules::default(), K::String),
        ("SELECT \"abc", LexRules::default(), K::QuotedIdentifier),
        ("SELECT /* abc", LexRules::default(), K::BlockComment),
        ("SELECT /*", LexRules::default(), K::BlockComment),
        ("SELECT [abc", sqlite(), K::QuotedIdentifier),
        ("SELECT `abc", sqlite(), K::QuotedIdentifier),
        ("SELECT /* a /* b */", pg(), K::BlockComment),
        ("SELECT $t$ abc $t", pg(), K::String),
        ("SELECT $$", pg(), K::String),
        ("SELECT E'abc\\'", pg(), K::String),
        ("SELECT E'abc\\", pg(), K::String),
        ("SELECT 'abc\\'", mysql(), K::String),
        ("SELECT 'abc\\", mysql(), K::String),
        ("SELECT 'é\\é", mysql(), K::String),
        ("SELECT \"abc\\\"", mysql(), K::String),
    ];
    for (sql, rules, kind) in cases {
        let all: Vec<_> = tokens(sql, *rules).collect();
        let last = all.last().expect("tokens");
        assert_eq!(last.kind, *kind, "{sql:?}");
        assert!(!last.terminated, "{sql:?}");
        assert_eq!(last.end(), sql.len(), "{sql:?}");
        assert!(all[..all.len() - 1].iter().all(|t| t.terminated), "{sql:?}");
        // Nothing after the opening is a marker, and the text is kept whole.
        let with_marker = format!("{sql} :x");
        assert_eq!(
            text(with_marker.clone()).pieces_in(*rules),
            [TextPiece::Sql(&with_marker)],
            "{sql:?}"
        );
    }
    // An executable comment left open is SQL to the end.
    let t: Vec<_> = lex("SELECT /*! :a", mysql());
    assert_eq!(t.last(), Some(&(K::NamedParam, ":a")));
}

// ---------------------------------------------------------------------------------------------
// Statement splitting

#[test]
fn postgres_scripts_split_outside_quotes_bodies_and_parentheses() {
    let r = pg();
    assert_eq!(
        split(
            "SELECT 'a;b', \"x;y\", E'it\\'s;'; -- c;\nCREATE FUNCTION f() RETURNS int AS \
             $body$ SELECT 1; $body$ LANGUAGE sql; SELECT $1;",
            r
        ),
        [
            "SELECT 'a;b', \"x;y\", E'it\\'s;'",
            "-- c;\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
            "SELECT $1",
        ]
    );
    assert_eq!(
        split(
            "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true \
             THEN 1 END; SELECT 2; END; COMMIT",
            r
        ),
        [
            "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true \
             THEN 1 END; SELECT 2; END",
            "COMMIT",
        ]
    );
    // A rule's action list is parenthesised: its `;`s are inside one statement.
    assert_eq!(
        split(
            "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); \
             INSERT INTO b VALUES (2)); BEGIN",
            r
        )
        .len(),
        2
    );
    // Nested comments hide a `;` on PostgreSQL only.
    assert_eq!(
        split("/* a /* b */ ; */ SELECT 1", r),
        ["/* a /* b */ ; */ SELECT 1"]
    );
    // Only a BEGIN directly before ATOMIC opens a body (a transaction's BEGIN does not).
    assert_eq!(split("BEGIN; SELECT 'atomic'; COMMIT", r).len(), 3);
    assert!(split("  ;; ", r).is_empty());
    assert!(split("-- only a comment\n; /* and another */", r).is_empty());
}

#[test]
fn mysql_scripts_split_outside_quotes_and_comments() {
    let r = mysql();
    assert_eq!(
        split("ROLLBACK TO SAVEPOINT x; RELEASE SAVEPOINT x", r),
        ["ROLLBACK TO SAVEPOINT x", "RELEASE SAVEPOINT x"]
    );
    assert_eq!(
        split(
            "INSERT INTO t VALUES ('a;b', \"c;\\\"d\", 'e''f;'); SELECT `x;y`;",
            r
        ),
        [
            "INSERT INTO t VALUES ('a;b', \"c;\\\"d\", 'e''f;')",
            "SELECT `x;y`"
        ]
    );
    assert_eq!(
        split("SELECT 1 -- a;b\n; # c;d\n /* e;f */ SELECT 2", r),
        ["SELECT 1 -- a;b", "# c;d\n /* e;f */ SELECT 2"]
    );
    // `#` is a comment on MySQL, an operator on PostgreSQL.
    assert_eq!(split("SELECT 1 # ;\n", r), ["SELECT 1 # ;"]);
    assert_eq!(split("SELECT 1 # ;\n", pg()), ["SELECT 1 #"]);
    assert!(split("  ; -- nothing\n", r).is_empty());
}

#[test]
fn sqlite_trigger_bodies_stay_whole() {
    let r = sqlite();
    let script = "CREATE TABLE [a;b] (x); \
         CREATE TEMP TRIGGER t AFTER INSERT ON \"a;b\" BEGIN \
           UPDATE \"a;b\" SET x = CASE WHEN x > 0 THEN x ELSE 0 END; \
           DELETE FROM `a;b` WHERE x IS NULL; \
         END; \
         SELECT 1";
    let parts = split(script, r);
    assert_eq!(parts.len(), 3, "{parts:?}");
    assert!(parts[1].starts_with("CREATE TEMP TRIGGER") && parts[1].ends_with("END"));
    assert_eq!(parts[2], "SELECT 1");
    // Without the rule, the body's statements would be cut apart.
    let mut without = r;
    without.trigger_bodies = false;
    assert_eq!(split(script, without).len(), 5);
}

// ---------------------------------------------------------------------------------------------
// Leading keywords

#[test]
fn leading_keywords_skip_comments_literals_and_names() {
    fn words(sql: &str, r: LexRules) -> Vec<&str> {
        leading_keywords(sql, r).collect()
    }
    assert_eq!(
        words("  -- c\n begin isolation level serializable", pg()),
        ["begin", "isolation", "level", "serializable"]
    );
    assert_eq!(
        words("/* x */ COMMIT PREPARED 'x'; ROLLBACK", pg()),
        ["COMMIT", "PREPARED"]
    );
    assert_eq!(
        words("CREATE DEFINER=`root`@`%` PROCEDURE p()", mysql()),
        ["CREATE", "DEFINER", "PROCEDURE", "p"]
    );
    // MySQL runs an executable comment's text: its words count.
    assert_eq!(
        first_keyword("/*!40101 SET NAMES utf8mb4 */", mysql()),
        Some("SET")
    );
    assert_eq!(first_keyword("# c\nSELECT 1", mysql()), Some("SELECT"));
    assert_eq!(first_keyword("# c\nSELECT 1", pg()), Some("c"));
    assert_eq!(first_keyword("(SELECT 1)", pg()), Some("SELECT"));
    assert_eq!(first_keyword("  -- only\n", pg()), None);
    assert_eq!(first_keyword("; SELECT 1", pg()), None);
}

// ---------------------------------------------------------------------------------------------
// Properties over arbitrary text

/// Text made of everything the lexers treat specially, letters, digits and non-ASCII.
fn sql_text() -> impl Strategy<Value = String> {
    const PARTS: &[&str] = &[
        "'", "\"", "`", "[", "]", "\\", "$", "$$", "$t$", "-", "--", "#", "/", "*", "/*", "*/",
        "/*!", "!", ":", "::", "?", ";", "(", ")", "e", "E", "a", "1", ".", " ", "\n", "\t", "é",
        "日", "\u{0}", "x", "_",
    ];
    prop::collection::vec(prop::sample::select(PARTS), 0..40).prop_map(|v| v.concat())
}

fn all_rules() -> [LexRules; 4] {
    [LexRules::default(), sqlite(), pg(), mysql()]
}

proptest! {
    /// Tokens are non-empty, in order, and cover the input exactly; only the last can be
    /// unterminated; nothing panics.
    #[test]
    fn tokens_cover_the_input(sql in sql_text()) {
        for rules in all_rules() {
            let mut at = 0;
            let all: Vec<_> = tokens(&sql, rules).collect();
            for (i, t) in all.iter().enumerate() {
                prop_assert_eq!(t.start, at);
                prop_assert!(!t.text.is_empty());
                prop_assert_eq!(&sql[t.span()], t.text);
                prop_assert!(t.terminated || i + 1 == all.len());
                at = t.end();
            }
            prop_assert_eq!(at, sql.len());
        }
    }

    /// The splitter returns pieces of the input, in order, separated only by `;` tokens
    /// (and whitespace or comments), and the markers of the pieces are the script's.
    #[test]
    fn statements_are_cut_only_at_semicolon_tokens(sql in sql_text()) {
        for rules in all_rules() {
            let base = sql.as_ptr() as usize;
            let mut at = 0;
            for piece in split_statements(&sql, rules) {
                let start = piece.as_ptr() as usize - base;
                prop_assert!(start >= at);
                // Between two pieces: only whitespace, comments and `;`.
                for t in tokens(&sql[at..start], rules) {
                    prop_assert!(
                        t.is_trivia() || t.is_punct(";"),
                        "{:?} between statements of {:?}", t, sql
                    );
                }
                prop_assert!(!piece.is_empty());
                at = start + piece.len();
            }
        }
    }
}
