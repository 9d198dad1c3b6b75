//! How MySQL and MariaDB spell defaults, CHECK conditions and type names back, and the
//! normal forms the schema diff compares (through the MySQL catalog's `normalize_*`).
//!
//! The normal form of an expression is its tokens joined by single spaces: keywords and
//! identifiers lower-cased without their backquotes, string literals re-quoted with `'`
//! (so `"y"`, `'it\'s'` and `'it''s'` are each one spelling), numbers in their shortest form
//! (`1.50` is `1.5`), charset introducers (`_utf8mb4'x'`) dropped, and the synonyms the
//! servers print in their own way made one: `!=` `<>`, `&&` `and`, `||` `or`, `%` `mod`,
//! `true` `1`, `now()`/`current_timestamp()`/`CURRENT_TIMESTAMP` `current_timestamp`,
//! `curdate()` `current_date`, `length()` `octet_length()`, `ucase()` `upper()`, ...

use std::borrow::Cow;

use super::types;
use super::Flavor;
use crate::dialect::catalog::default_normalize_type;
use crate::dialect::{Dialect as _, MySqlDialect};
use crate::sql::{tokens, LexRules, TokenKind};

/// One token of a MySQL expression.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A keyword, function name or unquoted identifier, lower-cased.
    Word(String),
    /// A backquoted identifier, lower-cased (MySQL column names ignore case).
    Ident(String),
    /// A string literal's value.
    Str(String),
    /// A number as written.
    Num(String),
    /// An operator or other punctuation.
    Op(String),
    Open,
    Close,
}

const OPERATORS: [&str; 11] = [
    "<=>", "->>", "<>", "!=", "<=", ">=", "&&", "||", ":=", "<<", ">>",
];

/// MySQL's lexical rules (backslash escapes, `".."` strings, backquoted names).
fn rules() -> LexRules {
    MySqlDialect.lex_rules()
}

/// Splits `sql` into tokens with the SQL lexer; never fails (an unterminated literal runs to
/// the end).
fn tokenize(sql: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut lexed = tokens(sql, rules()).filter(|t| !t.is_trivia()).peekable();
    while let Some(t) = lexed.next() {
        let tok = match t.kind {
            TokenKind::String => {
                let chars: Vec<char> = t.text.chars().collect();
                Tok::Str(string_literal(&chars, 0).0)
            }
            TokenKind::QuotedIdentifier => Tok::Ident(t.name().unwrap_or_default().to_lowercase()),
            TokenKind::Number => Tok::Num(t.text.to_owned()),
            TokenKind::Word => {
                // A charset introducer (`_utf8mb4'x'`) says how a literal is encoded, not
                // what it is.
                let introducer = t.text.starts_with('_')
                    && lexed
                        .peek()
                        .is_some_and(|n| n.kind == TokenKind::String && n.start == t.end());
                if introducer {
                    continue;
                }
                Tok::Word(t.text.to_lowercase())
            }
            _ if t.is_punct("(") => Tok::Open,
            _ if t.is_punct(")") => Tok::Close,
            _ => {
                let rest = &sql[t.start..];
                let op = OPERATORS
                    .iter()
                    .find(|op| rest.starts_with(**op))
                    .map_or(t.text, |op| *op);
                // The lexer's tokens the operator spans.
                while lexed.peek().is_some_and(|n| n.start < t.start + op.len()) {
                    lexed.next();
                }
                Tok::Op(op.to_owned())
            }
        };
        toks.push(tok);
    }
    toks
}

/// The value of the literal opening at `chars[start]`, and the position after it. Both
/// quote doubling and backslash escapes are read (the session's sql_mode keeps them on).
fn string_literal(chars: &[char], start: usize) -> (String, usize) {
    let q = chars[start];
    let mut value = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            if let Some(&n) = chars.get(i + 1) {
                value.push(unescape_char(n));
                i += 2;
                continue;
            }
        } else if c == q {
            if chars.get(i + 1) == Some(&q) {
                value.push(q);
                i += 2;
                continue;
            }
            return (value, i + 1);
        }
        value.push(c);
        i += 1;
    }
    (value, i)
}

fn unescape_char(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        '0' => '\0',
        other => other,
    }
}

/// `text` as an SQL string literal in normal form.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for ch in text.chars() {
        match ch {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Functions the servers print under another name, and niladic ones whose `()` may go.
fn synonym(word: &str, called: bool) -> &str {
    match word {
        "now" | "localtime" | "localtimestamp" | "current_timestamp" => "current_timestamp",
        "curdate" | "current_date" => "current_date",
        "curtime" | "current_time" => "current_time",
        "length" if called => "octet_length",
        "ucase" if called => "upper",
        "lcase" if called => "lower",
        "substr" | "mid" if called => "substring",
        "character_length" if called => "char_length",
        "true" if !called => "1",
        "false" if !called => "0",
        w => w,
    }
}

fn is_niladic(word: &str) -> bool {
    matches!(word, "current_timestamp" | "current_date" | "current_time")
}

/// A number in its shortest form: `+01.50` is `1.5`, `1e3` is `1000`.
fn canonical_number(n: &str) -> String {
    let (neg, digits) = match n.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, n.strip_prefix('+').unwrap_or(n)),
    };
    let lower = digits.to_ascii_lowercase();
    let body = if lower.contains('e') || lower.starts_with("0x") || lower.starts_with("0b") {
        match lower.parse::<f64>() {
            Ok(f) if f.is_finite() => f.to_string(),
            _ => lower,
        }
    } else {
        let (int, frac) = lower.split_once('.').unwrap_or((lower.as_str(), ""));
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        if frac.is_empty() {
            int.to_string()
        } else {
            format!("{int}.{frac}")
        }
    };
    if neg && body != "0" {
        format!("-{body}")
    } else {
        body
    }
}

fn is_number(s: &str) -> bool {
    let d = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = d.split_once('.').unwrap_or((d, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// The tokens without parentheses that enclose all of them.
fn strip_outer(mut toks: &[Tok]) -> &[Tok] {
    while toks.len() >= 2 && toks[0] == Tok::Open && toks[toks.len() - 1] == Tok::Close {
        let mut depth = 0usize;
        let mut encloses = true;
        for (i, t) in toks.iter().enumerate() {
            match t {
                Tok::Open => depth += 1,
                Tok::Close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 && i + 1 != toks.len() {
                        encloses = false;
                        break;
                    }
                }
                _ => {}
            }
        }
        if !encloses {
            break;
        }
        toks = &toks[1..toks.len() - 1];
    }
    toks
}

/// The normal form of the tokens, parentheses kept or dropped.
fn render(toks: &[Tok], keep_parens: bool) -> String {
    let mut out: Vec<String> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Word(w) => {
                let called = toks.get(i + 1) == Some(&Tok::Open);
                let w = synonym(w, called);
                out.push(w.to_string());
                if is_niladic(w) && called {
                    // `current_timestamp()` and `current_timestamp(n)` are `current_timestamp`:
                    // MariaDB reports the default of a `DATETIME(6)` column declared
                    // `DEFAULT CURRENT_TIMESTAMP` as `current_timestamp(6)`, the precision
                    // following the column's, so the digits carry no meaning of their own.
                    match (toks.get(i + 2), toks.get(i + 3)) {
                        (Some(Tok::Close), _) => i += 2,
                        (Some(Tok::Num(_)), Some(Tok::Close)) => i += 3,
                        _ => {}
                    }
                }
            }
            Tok::Ident(name) => out.push(name.clone()),
            Tok::Str(s) => out.push(quote(s)),
            Tok::Num(n) => out.push(canonical_number(n)),
            Tok::Op(op) => out.push(
                match op.as_str() {
                    "!=" => "<>",
                    "&&" => "and",
                    "||" => "or",
                    "%" => "mod",
                    "!" => "not",
                    o => o,
                }
                .to_string(),
            ),
            Tok::Open if keep_parens => out.push("(".into()),
            Tok::Close if keep_parens => out.push(")".into()),
            Tok::Open | Tok::Close => {}
        }
        i += 1;
    }
    out.join(" ")
}

/// A server default in normal form (see the module docs). A lone string literal holding a
/// number is that number (`'1.5'` and `1.50` are one default: MariaDB reports a DECIMAL's
/// default with its scale), a datetime literal loses a fraction of zeros, and outer
/// parentheses go (`(1 + 2)` is `1 + 2`).
pub(crate) fn normalize_mysql_default(sql: &str) -> String {
    let text = unescape_reported(sql);
    let toks = tokenize(&text);
    let toks = strip_outer(&toks);
    match toks {
        [Tok::Str(s)] if is_number(s.trim()) => canonical_number(s.trim()),
        [Tok::Str(s)] => match zero_fraction_datetime(s) {
            Some(trimmed) => quote(trimmed),
            None => quote(s),
        },
        // A signed number: `-1`, `+1e3`.
        [Tok::Op(sign), Tok::Num(n)] if sign == "-" || sign == "+" => {
            canonical_number(&format!("{sign}{n}"))
        }
        _ => render(toks, true),
    }
}

/// `2020-01-01 00:00:00` for `2020-01-01 00:00:00.000000`; `None` for anything else.
fn zero_fraction_datetime(s: &str) -> Option<&str> {
    let (whole, frac) = s.rsplit_once('.')?;
    let looks_like_datetime =
        (whole.len() >= 8 && whole.as_bytes().get(4) == Some(&b'-')) || whole.contains(':');
    (looks_like_datetime && !frac.is_empty() && frac.bytes().all(|b| b == b'0')).then_some(whole)
}

/// A CHECK condition in normal form (see the module docs). Parentheses are dropped, as the
/// default normalisation does: MariaDB removes the ones precedence makes redundant and MySQL
/// adds its own, so only the tokens are compared.
pub(crate) fn normalize_mysql_check(sql: &str) -> String {
    let text = unescape_reported(sql);
    render(&tokenize(&text), false)
}

/// A column type in normal form: the default normalisation, then the spellings MySQL treats
/// as one: integer display widths dropped (`int(11)` is `int`; `tinyint(1)` stays, it is
/// the boolean), `integer` `int`, `bool`/`boolean` `tinyint(1)`, `numeric`/`dec`/`fixed`
/// `decimal` (`decimal` alone `decimal(10,0)`, `decimal(p)` `decimal(p,0)`), `real` and
/// `double precision` `double`, `year(4)` `year`.
pub(crate) fn normalize_mysql_type(sql: &str) -> String {
    let n = default_normalize_type(sql);
    let (base, args, modifiers) = types::split(&n);
    let modifiers: Vec<&str> = modifiers
        .split(' ')
        .filter(|m| !m.is_empty() && *m != "precision")
        .collect();
    let (base, args): (&str, Option<String>) = match (base.as_str(), args) {
        ("bool" | "boolean", _) => ("tinyint", Some("1".into())),
        ("tinyint", Some(a)) if a == "1" => ("tinyint", Some(a.to_string())),
        ("tinyint" | "smallint" | "mediumint" | "bigint", _) => (base.as_str(), None),
        ("int" | "integer", _) => ("int", None),
        ("year", _) => ("year", None),
        ("real", a) => ("double", a.map(str::to_string)),
        ("numeric" | "dec" | "fixed" | "decimal", a) => {
            let a = match a {
                None => "10,0".to_string(),
                Some(p) if !p.contains(',') => format!("{p},0"),
                Some(p) => p.to_string(),
            };
            ("decimal", Some(a))
        }
        (b, a) => (b, a.map(str::to_string)),
    };
    let mut out = base.to_string();
    if let Some(a) = args {
        out.push('(');
        out.push_str(&a);
        out.push(')');
    }
    for m in modifiers {
        out.push(' ');
        out.push_str(m);
    }
    out
}

/// MySQL 8 reports expression defaults and CHECK clauses with their quotes backslash-escaped
/// (`_utf8mb4\'x\'`), which is not valid SQL. A backslash outside any literal can only come
/// from that, so then the text is unescaped once; otherwise it is returned as it is.
pub(super) fn unescape_reported(sql: &str) -> Cow<'_, str> {
    let escaped_outside = tokens(sql, rules()).any(|t| t.is_punct("\\"));
    if !escaped_outside {
        return Cow::Borrowed(sql);
    }
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(unescape_char(n));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The column `col` when the check is exactly `json_valid(col)` (MariaDB's JSON columns).
pub(super) fn json_valid_column(clause: &str) -> Option<String> {
    let toks = tokenize(clause);
    match strip_outer(&toks) {
        [Tok::Word(f), Tok::Open, Tok::Ident(c) | Tok::Word(c), Tok::Close]
            if f == "json_valid" =>
        {
            Some(c.clone())
        }
        _ => None,
    }
}

/// The server default of a column as reflected: valid SQL in the form MariaDB reports (an
/// expression), or `None` when the column has none. `raw` is `COLUMN_DEFAULT`.
///
/// MariaDB (10.2.7+) reports an expression, with the string `NULL` for "no default" on a
/// nullable column. MySQL reports the bare value: it is quoted here unless the column is
/// numeric or bit, the value is `CURRENT_TIMESTAMP..` on a temporal column, or `EXTRA` says
/// `DEFAULT_GENERATED` (an expression default, unescaped).
pub(super) fn reflected_default(
    raw: Option<&str>,
    column_type: &str,
    extra: &str,
    flavor: Flavor,
) -> Option<String> {
    let raw = raw?;
    if flavor.expression_defaults {
        return (!raw.trim().eq_ignore_ascii_case("NULL")).then(|| raw.to_string());
    }
    if extra.to_ascii_lowercase().contains("default_generated") {
        return Some(unescape_reported(raw).into_owned());
    }
    let (base, _, _) = types::split(&column_type.to_ascii_lowercase());
    let numeric = matches!(
        base.as_str(),
        "tinyint"
            | "smallint"
            | "mediumint"
            | "int"
            | "integer"
            | "bigint"
            | "decimal"
            | "numeric"
            | "float"
            | "double"
            | "real"
            | "bit"
            | "bool"
            | "boolean"
    );
    let temporal = matches!(base.as_str(), "datetime" | "timestamp" | "date" | "time");
    if numeric || (temporal && raw.to_ascii_lowercase().starts_with("current_timestamp")) {
        Some(raw.to_string())
    } else {
        Some(quote(raw))
    }
}
