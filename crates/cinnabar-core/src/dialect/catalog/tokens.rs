//! A small tokenizer for the SQL text catalogs hand back: SQLite's stored CREATE TABLE /
//! CREATE INDEX statements and PostgreSQL's deparsed defaults and CHECK conditions. Used by
//! the SQLite and PostgreSQL catalogs only; it reads what a database wrote, never user input
//! bound for execution.

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
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    /// Whether this is the unquoted keyword `kw` (ASCII case-insensitive).
    pub fn is_kw(&self, src: &str, kw: &str) -> bool {
        self.kind == Tok::Word && self.text(src).eq_ignore_ascii_case(kw)
    }

    /// The name this token spells when used as an identifier: a word as written, a quoted
    /// identifier unquoted, a string literal's content (SQLite accepts `'name'` there).
    pub fn name(&self, src: &str) -> Option<String> {
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

/// Splits `src` into tokens, skipping whitespace and comments (`--`, `/* */`). `brackets`:
/// whether `[..]` quotes an identifier (SQLite) rather than being punctuation (PostgreSQL
/// arrays). An unterminated quote or comment runs to the end of the text.
pub(crate) fn tokenize(src: &str, brackets: bool) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b == b'-' && bytes.get(i + 1) == Some(&b'-') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if b == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            i = (i + 2).min(bytes.len());
            continue;
        }
        let kind = match b {
            b'\'' => {
                i = quoted_end(bytes, i, b'\'');
                Tok::Str
            }
            b'"' | b'`' => {
                i = quoted_end(bytes, i, b);
                Tok::Ident(unquote(&src[start..i], b as char, b as char))
            }
            b'[' if brackets => {
                while i < bytes.len() && bytes[i] != b']' {
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                Tok::Ident(unquote(&src[start..i], '[', ']'))
            }
            b'(' => {
                i += 1;
                Tok::Open
            }
            b')' => {
                i += 1;
                Tok::Close
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                Tok::Number
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_end(bytes, i);
                Tok::Number
            }
            c if c == b'_' || c == b'$' || c.is_ascii_alphabetic() || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i].is_ascii_alphanumeric()
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                Tok::Word
            }
            _ => {
                i += 1;
                // Multi-character operators: a run of operator characters, except that
                // brackets and dots stand alone.
                if !matches!(b, b'[' | b']' | b'.' | b';') {
                    while i < bytes.len() && b"<>=!~*+-/%&|^#@:".contains(&bytes[i]) {
                        // `--` and `/*` start comments even after an operator.
                        if (bytes[i] == b'-' && bytes.get(i + 1) == Some(&b'-'))
                            || (bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*'))
                        {
                            break;
                        }
                        i += 1;
                    }
                }
                Tok::Symbol
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

/// The end (exclusive) of the quoted run opening at `i` with `q` (a doubled `q` is kept).
fn quoted_end(bytes: &[u8], mut i: usize, q: u8) -> usize {
    i += 1;
    while i < bytes.len() {
        if bytes[i] == q {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

fn number_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
        let e = bytes[i] == b'e' || bytes[i] == b'E';
        i += 1;
        if e && i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
    }
    i
}

/// `t` without its quotes `open`..`close`, a doubled closing quote read as one.
fn unquote(t: &str, open: char, close: char) -> String {
    let inner = t.strip_prefix(open).unwrap_or(t);
    let inner = inner.strip_suffix(close).unwrap_or(inner);
    if open == close {
        let doubled = format!("{close}{close}");
        inner.replace(&doubled, &close.to_string())
    } else {
        inner.to_string()
    }
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
