//! A small tokenizer for the SQL text catalogs hand back: SQLite's stored CREATE TABLE /
//! CREATE INDEX statements and PostgreSQL's deparsed defaults and CHECK conditions. Used by
//! the SQLite and PostgreSQL catalogs only; it reads what a database wrote, never user input
//! bound for execution. The tokens come from the SQL lexer (`crate::sql::lexer`), grouped
//! the way the catalogs read them.

use crate::sql::{tokens, LexRules, TokenKind};

/// What a [`Token`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// An unquoted word: keyword or identifier, as written.
    Word,
    /// A quoted identifier (`"a"`, `` `a` ``, `[a]` where brackets quote), unquoted.
    Ident(String),
    /// A string literal (`'..'`), kept with its quotes in the source span.
    Str,
    /// A number.
    Number,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
    /// Any other operator or punctuation, as written (`::`, `<>`, `~~*`, `[`, `.`, ...).
    Symbol,
}

/// One token: its kind and where it sits in the source.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's source text.
    pub(crate) fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    /// Whether this is the unquoted keyword `kw` (ASCII case-insensitive).
    pub(crate) fn is_kw(&self, src: &str, kw: &str) -> bool {
        self.kind == Tok::Word && self.text(src).eq_ignore_ascii_case(kw)
    }

    /// The name this token spells when used as an identifier: a word as written, a quoted
    /// identifier unquoted, a string literal's content (SQLite accepts `'name'` there).
    pub(crate) fn name(&self, src: &str) -> Option<String> {
        match &self.kind {
            Tok::Word => Some(self.text(src).to_string()),
            Tok::Ident(s) => Some(s.clone()),
            Tok::Str => {
                let t = self.text(src);
                Some(t[1..t.len().saturating_sub(1).max(1)].replace("''", "'"))
            }
            _ => None,
        }
    }
}

/// Splits `src` into tokens with the SQL lexer, skipping whitespace and comments (`--`,
/// `/* */`). `brackets`: whether `[..]` quotes an identifier (SQLite) rather than being
/// punctuation (PostgreSQL arrays). An unterminated quote or comment runs to the end of the
/// text. A run of operator characters is one [`Tok::Symbol`] (`<>`, `~~*`).
pub(crate) fn tokenize(src: &str, brackets: bool) -> Vec<Token> {
    let rules = LexRules {
        backquote_identifiers: true,
        bracket_identifiers: brackets,
        ..LexRules::default()
    };
    let mut out: Vec<Token> = Vec::new();
    for t in tokens(src, rules) {
        let kind = match t.kind {
            TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment => continue,
            TokenKind::Word => Tok::Word,
            TokenKind::QuotedIdentifier => {
                Tok::Ident(t.name().map(|n| n.into_owned()).unwrap_or_default())
            }
            TokenKind::String => Tok::Str,
            TokenKind::Number => Tok::Number,
            // `[1:n]` in an array slice: the colon is an operator, the name a word.
            TokenKind::NamedParam => {
                push_symbol(src, &mut out, t.start, t.start + 1);
                out.push(Token {
                    kind: Tok::Word,
                    start: t.start + 1,
                    end: t.end(),
                });
                continue;
            }
            _ if t.is_punct("(") => Tok::Open,
            _ if t.is_punct(")") => Tok::Close,
            _ if t.is_punct(",") => Tok::Comma,
            _ => {
                push_symbol(src, &mut out, t.start, t.end());
                continue;
            }
        };
        out.push(Token {
            kind,
            start: t.start,
            end: t.end(),
        });
    }
    out
}

/// Pushes the punctuation at `start..end`, or extends the operator run right before it: a
/// run of operator characters (`<>=!~*+-/%&|^#@:`) after any punctuation but a bracket, a
/// dot or a semicolon is one symbol.
fn push_symbol(src: &str, out: &mut Vec<Token>, start: usize, end: usize) {
    let b = src.as_bytes();
    let operator = b[start..end]
        .iter()
        .all(|c| b"<>=!~*+-/%&|^#@:".contains(c));
    if let Some(last) = out.last_mut() {
        if operator
            && last.kind == Tok::Symbol
            && last.end == start
            && !matches!(b[last.start], b'[' | b']' | b'.' | b';')
        {
            last.end = end;
            return;
        }
    }
    out.push(Token {
        kind: Tok::Symbol,
        start,
        end,
    });
}

/// The position of the `)` closing the `(` at `open` (an index into `toks`), if any.
pub(crate) fn matching_close(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            Tok::Open => depth += 1,
            Tok::Close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str, brackets: bool) -> Vec<(Tok, String)> {
        tokenize(src, brackets)
            .iter()
            .map(|t| (t.kind.clone(), t.text(src).to_string()))
            .collect()
    }

    #[test]
    fn quotes_comments_and_operators() {
        let src = "a \"b\"\"c\" [d] 'e''f' -- x\n /* y */ ::text <> 1.5e-3 ~~*";
        let k = kinds(src, true);
        assert_eq!(k[0], (Tok::Word, "a".into()));
        assert_eq!(k[1].0, Tok::Ident("b\"c".into()));
        assert_eq!(k[2].0, Tok::Ident("d".into()));
        assert_eq!(k[3], (Tok::Str, "'e''f'".into()));
        assert_eq!(k[4], (Tok::Symbol, "::".into()));
        assert_eq!(k[5], (Tok::Word, "text".into()));
        assert_eq!(k[6], (Tok::Symbol, "<>".into()));
        assert_eq!(k[7], (Tok::Number, "1.5e-3".into()));
        assert_eq!(k[8], (Tok::Symbol, "~~*".into()));
        assert_eq!(k.len(), 9);
        let k = kinds("ARRAY['a']", false);
        assert_eq!(k[1], (Tok::Symbol, "[".into()));
        assert_eq!(k[3], (Tok::Symbol, "]".into()));
    }

    #[test]
    fn names_and_matching_parens() {
        let src = "CHECK ((a) > ')') x";
        let t = tokenize(src, true);
        assert_eq!(matching_close(&t, 1), Some(7));
        assert_eq!(t[8].name(src).as_deref(), Some("x"));
        let src = "'it''s'";
        assert_eq!(tokenize(src, true)[0].name(src).as_deref(), Some("it's"));
    }
}
