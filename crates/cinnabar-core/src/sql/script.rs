//! Statement-level views of SQL text, read through the lexer ([`super::lexer`]): splitting a
//! script into its statements ([`split_statements`]) and reading a statement's leading
//! keywords ([`leading_keywords`]) to classify it.
//!
//! The PostgreSQL and MySQL drivers split the scripts they run to follow transaction control
//! (`BEGIN`, `COMMIT`, ...); they, the session and anything else that asks "what kind of
//! statement is this" read the leading keywords here, so a keyword inside a comment, a
//! literal or a quoted name never counts.

use super::lexer::{tokens, LexRules, Lexer, Span, TokenKind};

/// Splits a script into its statements at each `;` that ends one, under `rules`.
///
/// A `;` inside a string, a quoted identifier, a comment or parentheses does not end a
/// statement, nor does one inside the body of a PostgreSQL `BEGIN ATOMIC .. END` function
/// ([`LexRules::begin_atomic_bodies`]) or a SQLite `CREATE TRIGGER .. BEGIN .. END`
/// ([`LexRules::trigger_bodies`]). Each statement is returned without the `;` and without
/// the whitespace around it (comments stay); empty statements and statements holding only
/// comments are skipped. MySQL's stored-program bodies (`CREATE PROCEDURE .. BEGIN .. END`)
/// are not followed: the server's client splits those on a `DELIMITER` it changes.
///
/// ```
/// use cinnabar_core::sql::{split_statements, LexRules};
///
/// let sql = "INSERT INTO t VALUES ('a;b'); -- next;\nSELECT 1;; /* done */";
/// let parts: Vec<&str> = split_statements(sql, LexRules::default()).collect();
/// assert_eq!(parts, ["INSERT INTO t VALUES ('a;b')", "-- next;\nSELECT 1"]);
/// ```
pub fn split_statements(sql: &str, rules: LexRules) -> Statements<'_> {
    Statements {
        sql,
        lexer: tokens(sql, rules),
        rules,
    }
}

/// The iterator [`split_statements`] returns.
#[derive(Debug, Clone)]
pub struct Statements<'a> {
    sql: &'a str,
    lexer: Lexer<'a>,
    rules: LexRules,
}

/// What decides whether a `;` ends the statement being read.
#[derive(Debug, Default)]
struct Nesting<'a> {
    /// Open parentheses.
    parens: usize,
    /// Open blocks: a statement body, and `CASE .. END` inside it.
    blocks: usize,
    /// The statement's first three words (enough for `CREATE TEMP TRIGGER`).
    head: [&'a str; 3],
    words: usize,
    /// The previous significant token, when it was a word.
    prev_word: Option<&'a str>,
}

impl<'a> Nesting<'a> {
    fn is_trigger(&self) -> bool {
        let w = |i: usize, k: &str| self.head[i].eq_ignore_ascii_case(k);
        w(0, "CREATE")
            && (w(1, "TRIGGER") || ((w(1, "TEMP") || w(1, "TEMPORARY")) && w(2, "TRIGGER")))
    }

    /// Follows one significant token.
    fn follow(&mut self, lexer: &Lexer<'a>, t: Span, rules: LexRules) {
        if lexer.is_punct(t, b'(') {
            self.parens += 1;
        } else if lexer.is_punct(t, b')') {
            self.parens = self.parens.saturating_sub(1);
        }
        if t.kind != TokenKind::Word {
            self.prev_word = None;
            return;
        }
        let word = lexer.text(t);
        if self.words < self.head.len() {
            self.head[self.words] = word;
        }
        self.words += 1;
        let opens = if self.blocks > 0 {
            word.eq_ignore_ascii_case("CASE")
        } else {
            (rules.begin_atomic_bodies
                && word.eq_ignore_ascii_case("ATOMIC")
                && self
                    .prev_word
                    .is_some_and(|p| p.eq_ignore_ascii_case("BEGIN")))
                || (rules.trigger_bodies && word.eq_ignore_ascii_case("BEGIN") && self.is_trigger())
        };
        if opens {
            self.blocks += 1;
        } else if self.blocks > 0 && word.eq_ignore_ascii_case("END") {
            self.blocks -= 1;
        }
        self.prev_word = Some(word);
    }
}

impl<'a> Iterator for Statements<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let mut nesting = Nesting::default();
        // The statement's span without surrounding whitespace, and whether it holds more
        // than comments.
        let mut span: Option<(usize, usize)> = None;
        let mut significant = false;
        while let Some(t) = self.lexer.next_span() {
            match t.kind {
                TokenKind::Whitespace => continue,
                TokenKind::LineComment | TokenKind::BlockComment => {}
                _ if self.lexer.is_punct(t, b';') && nesting.parens == 0 && nesting.blocks == 0 => {
                    if significant {
                        return span.map(|(s, e)| &self.sql[s..e]);
                    }
                    // Only comments (or nothing) before this `;`: no statement.
                    span = None;
                    continue;
                }
                _ => {
                    significant = true;
                    nesting.follow(&self.lexer, t, self.rules);
                }
            }
            span = Some((span.map_or(t.start, |(s, _)| s), t.end));
        }
        span.filter(|_| significant).map(|(s, e)| &self.sql[s..e])
    }
}

/// The words of a statement in order (its keywords and unquoted names), skipping whitespace,
/// comments, literals, quoted names and punctuation, up to the first `;`; under `rules`.
/// Callers take the first few to classify the statement and compare them with
/// `eq_ignore_ascii_case`. Nothing is allocated.
///
/// ```
/// use cinnabar_core::sql::{leading_keywords, LexRules};
///
/// let words: Vec<&str> = leading_keywords("/* c */ commit and -- x\n chain", LexRules::default())
///     .collect();
/// assert_eq!(words, ["commit", "and", "chain"]);
/// ```
pub fn leading_keywords(sql: &str, rules: LexRules) -> Keywords<'_> {
    Keywords {
        lexer: Some(tokens(sql, rules)),
    }
}

/// The statement's first word (see [`leading_keywords`]).
pub fn first_keyword(sql: &str, rules: LexRules) -> Option<&str> {
    leading_keywords(sql, rules).next()
}

/// The iterator [`leading_keywords`] returns.
#[derive(Debug, Clone)]
pub struct Keywords<'a> {
    /// `None` after the statement's end.
    lexer: Option<Lexer<'a>>,
}

impl<'a> Iterator for Keywords<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let lexer = self.lexer.as_mut()?;
        while let Some(t) = lexer.next_span() {
            if t.kind == TokenKind::Word {
                return Some(lexer.text(t));
            }
            if lexer.is_punct(t, b';') {
                break;
            }
        }
        self.lexer = None;
        None
    }
}
