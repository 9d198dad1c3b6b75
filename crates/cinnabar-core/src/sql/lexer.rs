//! The one SQL lexer: splits SQL text into [`Token`]s with byte spans, following a dialect's
//! quoting and comment rules ([`LexRules`], from [`Dialect::lex_rules`]).
//!
//! Everything in Cinnabar that reads SQL text reads it through this lexer: `text()`'s
//! `:name` marker scan ([`super::text`](mod@super::text)), the statement splitter and statement
//! classification ([`super::script`]) that the PostgreSQL and MySQL drivers use to follow
//! transaction control, the session's read/write decision for raw SQL, and the catalogs that
//! read the SQL text databases hand back (reflection).
//!
//! The lexer is zero-copy and allocates nothing: it is an iterator over the input, and each
//! token borrows its text. It never fails and never loops: every token is at least one byte
//! long and ends on a character boundary, the tokens cover the input exactly, and a string,
//! quoted identifier or comment left open runs to the end of the input with
//! [`Token::terminated`] false (the database reports the error; SQLite itself accepts a
//! block comment left open at the end).
//!
//! [`Dialect::lex_rules`]: crate::dialect::Dialect::lex_rules

use std::borrow::Cow;
use std::ops::Range;

/// The lexical rules, beyond standard SQL, that decide where literals, identifiers and
/// comments end. A dialect capability: each [`Dialect`](crate::dialect::Dialect) returns
/// its own from `lex_rules()`.
///
/// The default is standard SQL: `'..'` strings and `".."` identifiers (a doubled quote
/// stands for itself), `-- ..` line comments and `/* .. */` block comments. Cinnabar's
/// `:name` markers are recognised under every set of rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LexRules {
    /// A backslash escapes the next character inside string literals (MySQL, MariaDB).
    pub backslash_escapes: bool,
    /// `".."` is a string literal, not an identifier (MySQL without `ANSI_QUOTES`).
    pub double_quoted_strings: bool,
    /// `E'..'` strings take backslash escapes (PostgreSQL).
    pub escape_strings: bool,
    /// `$$..$$` and `$tag$..$tag$` are string literals (PostgreSQL).
    pub dollar_quotes: bool,
    /// `$1`, `$2`, .. are positional parameters (PostgreSQL).
    pub dollar_params: bool,
    /// `?` and `?NNN` are positional parameters (SQLite, MySQL; on PostgreSQL `?` is an
    /// operator).
    pub question_params: bool,
    /// `` `..` `` quotes an identifier (MySQL, MariaDB, SQLite).
    pub backquote_identifiers: bool,
    /// `[..]` quotes an identifier (SQLite, after Microsoft's SQL).
    pub bracket_identifiers: bool,
    /// `#` starts a comment to the end of the line (MySQL, MariaDB).
    pub hash_comments: bool,
    /// `--` starts a comment only when followed by whitespace, a control character or the
    /// end of the input (MySQL, MariaDB): `1--1` is `1 - (-1)`.
    pub dash_comments_need_space: bool,
    /// `/* .. */` comments nest (PostgreSQL).
    pub nested_block_comments: bool,
    /// `/*! .. */` and `/*!50000 .. */` are executable comments: the server runs their text
    /// as SQL, so it is lexed as SQL between an [`TokenKind::ExecCommentStart`] and an
    /// [`TokenKind::ExecCommentEnd`] (MySQL, MariaDB). MariaDB's own `/*M! .. */` is a plain
    /// comment under these rules, as it is to MySQL.
    pub executable_comments: bool,
    /// Statement splitting: `BEGIN ATOMIC .. END` bodies of SQL-standard functions and
    /// procedures hold `;`-separated statements (PostgreSQL 14+).
    pub begin_atomic_bodies: bool,
    /// Statement splitting: `CREATE TRIGGER .. BEGIN .. END` bodies hold `;`-separated
    /// statements (SQLite).
    pub trigger_bodies: bool,
}

/// What a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// Spaces, tabs, line breaks, form feeds.
    Whitespace,
    /// `-- ..` (or `# ..` under [`LexRules::hash_comments`]) up to, not including, the line
    /// break.
    LineComment,
    /// `/* .. */`, nested under [`LexRules::nested_block_comments`].
    BlockComment,
    /// The opening of an executable comment, `/*!` and its version number, if any.
    ExecCommentStart,
    /// The `*/` that closes an executable comment.
    ExecCommentEnd,
    /// A keyword or an unquoted identifier (ASCII letters, digits, `_`, `$`, and any
    /// non-ASCII character; not starting with a digit or `$`).
    Word,
    /// A quoted identifier: `".."`, `` `..` `` or `[..]`, as the rules allow.
    QuotedIdentifier,
    /// A string literal: `'..'`, PostgreSQL's `E'..'` and `$tag$..$tag$`, MySQL's `".."`.
    String,
    /// A numeric literal: `42`, `1.5`, `.5`, `1e-3`, `0x1F`.
    Number,
    /// A Cinnabar `:name` parameter marker (not the second colon of a `::` cast).
    NamedParam,
    /// A positional parameter: `?`, `?3` or `$3`, as the rules allow.
    Placeholder,
    /// Any other character (one, or `::` as a unit): operators, parentheses, `;`, `,`, `.`.
    Punct,
}

/// One token: its kind and the text it spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// What it is.
    pub kind: TokenKind,
    /// The text, borrowed from the input (quotes, delimiters and comment markers included).
    pub text: &'a str,
    /// Byte offset of the text in the input.
    pub start: usize,
    /// False for a string, quoted identifier or comment that the input ends inside.
    pub terminated: bool,
}

impl<'a> Token<'a> {
    /// Byte offset just past the token.
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// The bytes of the input the token covers.
    pub fn span(&self) -> Range<usize> {
        self.start..self.end()
    }

    /// Whitespace or a comment (an executable comment's delimiters are not: they hold SQL).
    pub fn is_trivia(&self) -> bool {
        matches!(
            self.kind,
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment
        )
    }

    /// Whether this is the word `keyword`, compared ASCII-case-insensitively.
    pub fn is_keyword(&self, keyword: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    /// Whether this is the punctuation `p` (e.g. `";"`, `"("`).
    pub fn is_punct(&self, p: &str) -> bool {
        self.kind == TokenKind::Punct && self.text == p
    }

    /// The name a word or a quoted identifier spells: a word as written, a quoted
    /// identifier without its quotes (a doubled quote inside stands for one; `[..]` has no
    /// escape). `None` for other tokens. Allocates only to undouble quotes.
    pub fn name(&self) -> Option<Cow<'a, str>> {
        match self.kind {
            TokenKind::Word => Some(Cow::Borrowed(self.text)),
            TokenKind::QuotedIdentifier => {
                // (closing quote, its doubled form)
                let (close, doubled) = match self.text.as_bytes().first()? {
                    b'[' => (']', None),
                    b'`' => ('`', Some("``")),
                    _ => ('"', Some("\"\"")),
                };
                let inner = &self.text[1..];
                let inner = match self.terminated {
                    true => inner.strip_suffix(close).unwrap_or(inner),
                    false => inner,
                };
                Some(match doubled {
                    Some(d) if inner.contains(d) => Cow::Owned(inner.replace(d, &d[1..])),
                    _ => Cow::Borrowed(inner),
                })
            }
            _ => None,
        }
    }

    /// The name of a `:name` marker (without the colon).
    pub fn param_name(&self) -> Option<&'a str> {
        match self.kind {
            TokenKind::NamedParam => self.text.get(1..),
            _ => None,
        }
    }
}

/// Iterates over the tokens of `sql` under `rules`.
///
/// ```
/// use cinnabar_core::sql::{tokens, LexRules, TokenKind};
///
/// let kinds: Vec<TokenKind> = tokens("a = :x -- :y", LexRules::default())
///     .filter(|t| !t.is_trivia())
///     .map(|t| t.kind)
///     .collect();
/// assert_eq!(kinds, [TokenKind::Word, TokenKind::Punct, TokenKind::NamedParam]);
/// ```
pub fn tokens(sql: &str, rules: LexRules) -> Lexer<'_> {
    Lexer {
        sql,
        pos: 0,
        rules,
        in_exec: false,
    }
}

/// The token iterator [`tokens`] returns.
#[derive(Debug, Clone)]
pub struct Lexer<'a> {
    sql: &'a str,
    pos: usize,
    rules: LexRules,
    /// Inside an executable comment (`/*! ..`), whose `*/` is a token of its own.
    in_exec: bool,
}

/// Byte classes, one table lookup per byte while scanning.
const SPACE: u8 = 1;
const WORD_START: u8 = 2;
const WORD: u8 = 4;
/// A `:name` marker's name: a word without `$`.
const NAME: u8 = 8;
const DIGIT: u8 = 16;

static CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            SPACE
        } else if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 {
            WORD_START | WORD | NAME
        } else if b.is_ascii_digit() {
            WORD | NAME | DIGIT
        } else if b == b'$' {
            WORD
        } else {
            0
        };
        i += 1;
    }
    t
};

fn class(b: u8) -> u8 {
    CLASSES[usize::from(b)]
}

fn is_space(b: u8) -> bool {
    class(b) & SPACE != 0
}

fn is_word_start(b: u8) -> bool {
    class(b) & WORD_START != 0
}

/// The first index at or after `i` whose byte is not of class `c`.
fn skip_class(b: &[u8], mut i: usize, c: u8) -> usize {
    while i < b.len() && class(b[i]) & c != 0 {
        i += 1;
    }
    i
}

/// The first index at or after `i` whose byte fails `keep`.
fn skip_while(b: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while i < b.len() && keep(b[i]) {
        i += 1;
    }
    i
}

/// The end of a literal quoted by `q` opening at `start` (a doubled `q` stands for itself;
/// with `backslash`, `\` escapes the next byte), and whether it closed.
fn quoted(b: &[u8], start: usize, q: u8, backslash: bool) -> (usize, bool) {
    let mut i = start + 1;
    while i < b.len() {
        let c = b[i];
        if c == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return (i + 1, true);
        }
        i += if backslash && c == b'\\' { 2 } else { 1 };
    }
    (b.len(), false)
}

/// The end of the block comment opening at `start`, and whether it closed.
fn block_comment(b: &[u8], start: usize, nested: bool) -> (usize, bool) {
    let mut depth = 1usize;
    let mut i = start + 2;
    while i + 1 < b.len() {
        match (b[i], b[i + 1]) {
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return (i, true);
                }
            }
            (b'/', b'*') if nested => {
                depth += 1;
                i += 2;
            }
            _ => i += 1,
        }
    }
    (b.len(), false)
}

/// The end of a number starting at `start` (a digit, or `.` before a digit).
fn number(b: &[u8], start: usize) -> usize {
    if b[start] == b'0' && matches!(b.get(start + 1), Some(b'x' | b'X')) {
        let end = skip_while(b, start + 2, |c| c.is_ascii_hexdigit());
        if end > start + 2 {
            return end;
        }
    }
    let mut i = skip_class(b, start, DIGIT);
    if b.get(i) == Some(&b'.') {
        i = skip_class(b, i + 1, DIGIT);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let digits = if matches!(b.get(i + 1), Some(b'+' | b'-')) {
            i + 2
        } else {
            i + 1
        };
        if b.get(digits).is_some_and(u8::is_ascii_digit) {
            i = skip_class(b, digits, DIGIT);
        }
    }
    i
}

/// The end of the `$tag$` delimiter opening at `start`, if one does.
fn dollar_tag(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    if b.get(i).is_some_and(|&c| is_word_start(c)) {
        i = skip_class(b, i, NAME);
    }
    (b.get(i) == Some(&b'$')).then_some(i + 1)
}

impl<'a> Lexer<'a> {
    /// The kind, end and termination of the token starting at `start`. Inlined into its
    /// two loops (`next_span`, `next_marker`): a call per token cost a quarter of `text()`'s
    /// marker scan under callgrind.
    #[inline(always)]
    fn scan(&mut self, start: usize) -> (TokenKind, usize, bool) {
        use TokenKind as K;
        let b = self.sql.as_bytes();
        let r = &self.rules;
        let c = b[start];
        // The common tokens first, by class.
        let cl = class(c);
        if cl & SPACE != 0 {
            return (K::Whitespace, skip_class(b, start + 1, SPACE), true);
        }
        if cl & WORD_START != 0 {
            let end = skip_class(b, start + 1, WORD);
            if r.escape_strings
                && end == start + 1
                && matches!(c, b'e' | b'E')
                && b.get(end) == Some(&b'\'')
            {
                let (end, ok) = quoted(b, end, b'\'', true);
                return (K::String, end, ok);
            }
            return (K::Word, end, true);
        }
        if cl & DIGIT != 0 {
            return (K::Number, number(b, start), true);
        }
        let next = b.get(start + 1).copied();
        match c {
            b'\'' => {
                let (end, ok) = quoted(b, start, b'\'', r.backslash_escapes);
                (K::String, end, ok)
            }
            b'"' if r.double_quoted_strings => {
                let (end, ok) = quoted(b, start, b'"', r.backslash_escapes);
                (K::String, end, ok)
            }
            b'"' => {
                let (end, ok) = quoted(b, start, b'"', false);
                (K::QuotedIdentifier, end, ok)
            }
            b'`' if r.backquote_identifiers => {
                let (end, ok) = quoted(b, start, b'`', false);
                (K::QuotedIdentifier, end, ok)
            }
            b'[' if r.bracket_identifiers => match b[start + 1..].iter().position(|&c| c == b']') {
                Some(p) => (K::QuotedIdentifier, start + p + 2, true),
                None => (K::QuotedIdentifier, b.len(), false),
            },
            b'-' if next == Some(b'-')
                && (!r.dash_comments_need_space
                    || b.get(start + 2)
                        .is_none_or(|&c| is_space(c) || c.is_ascii_control())) =>
            {
                let end = b[start..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| start + p);
                (K::LineComment, end, true)
            }
            b'#' if r.hash_comments => {
                let end = b[start..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| start + p);
                (K::LineComment, end, true)
            }
            b'/' if next == Some(b'*') => {
                if r.executable_comments && b.get(start + 2) == Some(&b'!') {
                    self.in_exec = true;
                    let end = skip_class(b, start + 3, DIGIT);
                    (K::ExecCommentStart, end, true)
                } else {
                    let (end, ok) = block_comment(b, start, r.nested_block_comments);
                    (K::BlockComment, end, ok)
                }
            }
            b'*' if self.in_exec && next == Some(b'/') => {
                self.in_exec = false;
                (K::ExecCommentEnd, start + 2, true)
            }
            b'$' if r.dollar_params && next.is_some_and(|c| c.is_ascii_digit()) => {
                (K::Placeholder, skip_class(b, start + 1, DIGIT), true)
            }
            b'$' if r.dollar_quotes => match dollar_tag(b, start) {
                Some(tag_end) => {
                    // The tag is ASCII or whole UTF-8 characters between two `$`s.
                    let tag = &self.sql[start..tag_end];
                    match self.sql[tag_end..].find(tag) {
                        Some(p) => (K::String, tag_end + p + tag.len(), true),
                        None => (K::String, b.len(), false),
                    }
                }
                None => (K::Punct, start + 1, true),
            },
            b'?' if r.question_params => (K::Placeholder, skip_class(b, start + 1, DIGIT), true),
            b':' if next == Some(b':') => (K::Punct, start + 2, true),
            b':' if next.is_some_and(is_word_start) && (start == 0 || b[start - 1] != b':') => {
                (K::NamedParam, skip_class(b, start + 1, NAME), true)
            }
            b'.' if next.is_some_and(|c| c.is_ascii_digit()) => (K::Number, number(b, start), true),
            // Every byte left is ASCII (non-ASCII bytes are word characters): one character.
            _ => (K::Punct, start + 1, true),
        }
    }
}

/// A token before its text is sliced: what the crate's own scanners iterate over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) kind: TokenKind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) terminated: bool,
}

impl<'a> Lexer<'a> {
    /// The next token's kind and span.
    pub(crate) fn next_span(&mut self) -> Option<Span> {
        let start = self.pos;
        if start >= self.sql.len() {
            return None;
        }
        let (kind, end, terminated) = self.scan(start);
        // A backslash escape may step past the end: clamp (every end follows an ASCII
        // delimiter, a whole word, or is the input's end, so it is a character boundary).
        let end = end.min(self.sql.len());
        self.pos = end;
        Some(Span {
            kind,
            start,
            end,
            terminated,
        })
    }

    /// The span of the next `:name` marker that starts at or before `limit` (the tight loop
    /// of `text()`'s marker scan: no token is built for the text between markers).
    pub(crate) fn next_marker(&mut self, limit: usize) -> Option<(usize, usize)> {
        let len = self.sql.len();
        while self.pos < len && self.pos <= limit {
            let start = self.pos;
            let (kind, end, _) = self.scan(start);
            self.pos = end.min(len);
            if kind == TokenKind::NamedParam {
                return Some((start, self.pos));
            }
        }
        None
    }

    /// The input's text in `s`.
    pub(crate) fn text(&self, s: Span) -> &'a str {
        self.sql.get(s.start..s.end).unwrap_or_default()
    }

    /// Whether the token in `s` is the one-byte punctuation `p`.
    pub(crate) fn is_punct(&self, s: Span, p: u8) -> bool {
        s.kind == TokenKind::Punct && s.end == s.start + 1 && self.sql.as_bytes()[s.start] == p
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let s = self.next_span()?;
        Some(Token {
            kind: s.kind,
            text: self.text(s),
            start: s.start,
            terminated: s.terminated,
        })
    }
}
