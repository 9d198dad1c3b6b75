//! The checks run on every compiled case, with the project's own SQL lexer (the dialect's
//! `lex_rules()`), so a `?` or `--` inside a quoted identifier is read as the database reads
//! it:
//!
//! - the compile never panics (the caller catches it) and refuses exactly what it must:
//!   a NUL byte or an over-long name (per the dialect's limit) and the refusals the recipe
//!   announced, each with its typed `ErrorKind`; a valid statement compiles;
//! - placeholders (lexer tokens) = bound values + parameter slots; PostgreSQL's are
//!   `$1..$n` in order;
//! - no value appears in the SQL text; every bound value is one the recipe gave, unchanged,
//!   once (twice is a bug; absent only for parts the compiler may drop);
//! - every identifier appears only inside quoted-identifier tokens of the dialect's quote
//!   whose unescaped name equals it; the SQL holds no string literal, comment or `:name`,
//!   and its bare words are keywords (or names the builder validated).

use cinnabar_core::dialect::{compile_into, compile_key_into, Compiled, Dialect, IdentifierLimit};
use cinnabar_core::sql::{tokens, Statement, Token, TokenKind};
use cinnabar_core::{Error, ErrorKind, Value, ValueRef};

use super::ctx::{Ctx, Probe};

/// Words the compiler writes itself (compared case-insensitively).
pub(crate) const KEYWORDS: &str = "
    SELECT DISTINCT FROM AS JOIN LEFT RIGHT INNER OUTER ON WHERE GROUP BY HAVING ORDER ASC DESC
    LIMIT OFFSET FOR UPDATE NOWAIT SKIP LOCKED AND OR NOT IS NULL IN BETWEEN LIKE EXISTS COUNT
    SUM AVG MIN MAX LOWER UPPER LENGTH ABS COALESCE CONCAT INSERT INTO VALUES DEFAULT SET DELETE
    RETURNING CONFLICT DO NOTHING EXCLUDED DUPLICATE KEY TRUE
    WITH RECURSIVE UNION ALL INTERSECT EXCEPT OVER PARTITION ROWS RANGE UNBOUNDED PRECEDING
    FOLLOWING CURRENT ROW ROW_NUMBER RANK DENSE_RANK
    CASE WHEN THEN ELSE END CAST NULLIF DIV SMALLINT INTEGER BIGINT REAL DOUBLE PRECISION
    BOOLEAN VARCHAR TEXT BLOB BYTEA UUID JSONB NUMERIC DECIMAL SIGNED FLOAT CHAR BINARY DATE
    TIME TIMESTAMP TIMESTAMPTZ DATETIME ZONE EXTRACT YEAR MONTH DAY HOUR MINUTE SECOND STRFTIME
    DATE_PART FLOOR CURRENT_DATE CURRENT_TIMESTAMP AT UTC_DATE UTC_TIMESTAMP DATE_ADD INTERVAL
";

/// How a case ended on one dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Compiled, and the SQL passed every check.
    Compiled,
    /// Refused with a typed error the recipe called for; the first reason it had to.
    Refused(ErrorKind, &'static str),
}

/// Why `name` is not a valid identifier on `d`, if it is not.
pub(crate) fn invalid_ident(d: &dyn Dialect, name: &str) -> Option<ErrorKind> {
    let long = match d.identifier_limit() {
        IdentifierLimit::Unlimited => false,
        IdentifierLimit::Bytes(n) => name.len() > n,
        IdentifierLimit::Chars(n) => name.chars().count() > n,
    };
    if long {
        Some(ErrorKind::IdentifierTooLong)
    } else if name.contains('\0') {
        Some(ErrorKind::Misuse)
    } else {
        None
    }
}

/// Checks one compile of `stmt` (built into `ctx`) on `d`.
pub(crate) fn check(
    d: &dyn Dialect,
    ctx: &Ctx,
    stmt: &Statement,
    result: &Result<Compiled, Error>,
) -> Result<Outcome, String> {
    let mut must: Vec<String> = Vec::new();
    let mut first_reason: &'static str = "may refuse (droppable part)";
    let mut allowed: Vec<ErrorKind> = Vec::new();
    for u in &ctx.idents {
        if let Some(kind) = invalid_ident(d, &u.name) {
            allowed.push(kind);
            if !u.droppable {
                if must.is_empty() {
                    first_reason = "bad identifier";
                }
                must.push(format!("{kind:?} identifier {:?}", u.name));
            }
        }
    }
    for r in ctx.refusals.iter().filter(|r| (r.on)(d)) {
        allowed.push(r.kind);
        if r.certain {
            if must.is_empty() {
                first_reason = r.why;
            }
            must.push(format!("{:?}: {}", r.kind, r.why));
        }
    }
    match result {
        Err(e) => {
            if !allowed.contains(&e.kind()) {
                return Err(format!(
                    "refused with {:?} ({}) but the recipe allows only {allowed:?}",
                    e.kind(),
                    e.message()
                ));
            }
            if e.message().trim().is_empty() {
                return Err(format!("{:?} error without a message", e.kind()));
            }
            Ok(Outcome::Refused(e.kind(), first_reason))
        }
        Ok(c) => {
            if !must.is_empty() {
                return Err(format!(
                    "compiled although it must refuse ({must:?}): {c:?}"
                ));
            }
            check_sql(d, ctx, c)?;
            check_key(d, stmt, c)?;
            Ok(Outcome::Compiled)
        }
    }
}

/// A string literal the compiler itself writes (date formats and parts, `' days'`, `'UTC'`):
/// short, of letters, digits, spaces and `% : + - .` only, so never a value (values hold a
/// marker bracket) nor anything a broken quote could open.
fn compiler_literal(text: &str) -> bool {
    let inner = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\''));
    inner.is_some_and(|t| {
        t.len() <= 40
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" %:+-.".contains(&b))
    })
}

/// A name the compiler makes itself: the derived-table aliases `_c1`, `_c2`, ... of
/// set-operation operands and `_s` of SQLite's INSERT ... SELECT with an upsert.
fn compiler_name(name: &str) -> bool {
    name == "_s"
        || name
            .strip_prefix("_c")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The dialect's identifier quote character.
fn quote_char(d: &dyn Dialect) -> char {
    let mut s = String::new();
    d.quote_identifier(&mut s, "x");
    s.chars().next().unwrap_or('"')
}

fn check_sql(d: &dyn Dialect, ctx: &Ctx, c: &Compiled) -> Result<(), String> {
    let sql = &c.sql;
    let toks: Vec<Token<'_>> = tokens(sql, d.lex_rules()).collect();
    let quote = quote_char(d);
    let mut placeholders = 0usize;
    for t in &toks {
        if !t.terminated {
            return Err(format!("unterminated {:?} token {:?}", t.kind, t.text));
        }
        match t.kind {
            TokenKind::Whitespace | TokenKind::Punct | TokenKind::Number => {}
            TokenKind::String if compiler_literal(t.text) => {}
            TokenKind::Placeholder => {
                placeholders += 1;
                if d.lex_rules().dollar_params && t.text != format!("${placeholders}") {
                    return Err(format!(
                        "placeholder {placeholders} is written {:?}",
                        t.text
                    ));
                }
            }
            TokenKind::Word => {
                let known = KEYWORDS
                    .split_whitespace()
                    .any(|k| k.eq_ignore_ascii_case(t.text))
                    || ctx.bare_words.iter().any(|w| w == t.text);
                if !known {
                    return Err(format!("bare word {:?} outside quotes", t.text));
                }
            }
            TokenKind::QuotedIdentifier => {
                let name = t.name().unwrap_or_default();
                if !t.text.starts_with(quote) {
                    return Err(format!("identifier {:?} not quoted with {quote}", t.text));
                }
                if !ctx.idents.iter().any(|u| u.name == name) && !compiler_name(&name) {
                    return Err(format!("quoted identifier {name:?} was never used"));
                }
                if let Some(kind) = invalid_ident(d, &name) {
                    return Err(format!("{kind:?} identifier {name:?} was rendered"));
                }
            }
            other => return Err(format!("unexpected {other:?} token {:?}", t.text)),
        }
    }
    if placeholders != c.params.len() + c.slots {
        return Err(format!(
            "{placeholders} placeholders for {} values and {} slots",
            c.params.len(),
            c.slots
        ));
    }
    // Identifiers: each marker only inside a quoted identifier spelling exactly that name.
    for (at, _) in sql.match_indices('⟦') {
        let tok = token_at(&toks, at);
        if tok.is_none_or(|t| t.kind != TokenKind::QuotedIdentifier) {
            return Err(format!("identifier marker outside quotes at byte {at}"));
        }
    }
    for u in &ctx.idents {
        let Some(m) = &u.marker else { continue };
        let mut seen = 0;
        for (at, _) in sql.match_indices(m.as_str()) {
            seen += 1;
            let t = token_at(&toks, at).ok_or("marker outside every token")?;
            let name = t.name().unwrap_or_default();
            if t.kind != TokenKind::QuotedIdentifier || name != u.name {
                return Err(format!(
                    "identifier {:?} found as {:?} token {:?}",
                    u.name, t.kind, t.text
                ));
            }
        }
        if seen == 0 && !u.droppable && !u.unrendered {
            return Err(format!("identifier {:?} is missing from the SQL", u.name));
        }
    }
    check_values(ctx, c)
}

/// The token covering byte `at`.
fn token_at<'t, 'a>(toks: &'t [Token<'a>], at: usize) -> Option<&'t Token<'a>> {
    let i = toks.partition_point(|t| t.end() <= at);
    toks.get(i).filter(|t| t.start <= at)
}

fn marker_of<'v>(ctx: &'v Ctx, bytes: &[u8]) -> Option<&'v super::ctx::ValueUse> {
    ctx.values.iter().find(|u| match &u.probe {
        Some(Probe::Marker(m)) => contains(bytes, m.as_bytes()),
        _ => false,
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn check_values(ctx: &Ctx, c: &Compiled) -> Result<(), String> {
    if c.sql.contains('⟪') {
        return Err("a value marker is in the SQL text".into());
    }
    for u in &ctx.values {
        if let Some(Probe::Number(digits)) = &u.probe {
            if c.sql.contains(digits.as_str()) {
                return Err(format!("number value {:?} is in the SQL text", u.value));
            }
        }
    }
    // Every bound value is one the recipe gave, unchanged.
    for p in &c.params {
        match p {
            Value::Text(s) => match marker_of(ctx, s.as_bytes()) {
                Some(u) if &u.value == p => {}
                Some(u) => return Err(format!("bound {p:?} differs from {:?}", u.value)),
                None => return Err(format!("bound text {s:?} was never given")),
            },
            Value::Blob(b) => match marker_of(ctx, b) {
                Some(u) if &u.value == p => {}
                Some(u) => return Err(format!("bound {p:?} differs from {:?}", u.value)),
                None => return Err(format!("bound blob {b:?} was never given")),
            },
            _ => {}
        }
    }
    // Each recognisable value is bound once (or, if droppable, at most once).
    for u in &ctx.values {
        let Some(probe) = &u.probe else { continue };
        let n = c
            .params
            .iter()
            .filter(|p| match (probe, p) {
                (Probe::Marker(m), Value::Text(s)) => s.contains(m.as_str()),
                (Probe::Marker(m), Value::Blob(b)) => contains(b, m.as_bytes()),
                (Probe::Number(_), p) => *p == &u.value,
                _ => false,
            })
            .count();
        if (n > 1 && !u.duplicable) || (n == 0 && !u.droppable) {
            return Err(format!("value {:?} is bound {n} times", u.value));
        }
    }
    Ok(())
}

/// The cache key's compile binds the same values and slots as the SQL's, and the
/// buffer-reusing `compile_into` appends exactly the same SQL and values.
fn check_key(d: &dyn Dialect, stmt: &Statement, c: &Compiled) -> Result<(), String> {
    let mut sql = String::from("/* reused */ ");
    let mut bound: Vec<ValueRef<'_>> = Vec::new();
    compile_into(d, stmt, &mut sql, &mut bound)
        .map_err(|e| format!("compile_into refused what compile accepted: {e}"))?;
    let bound: Vec<Value> = bound.into_iter().map(ValueRef::to_owned_value).collect();
    if sql.strip_prefix("/* reused */ ") != Some(c.sql.as_str())
        || format!("{bound:?}") != format!("{:?}", c.params)
    {
        return Err(format!("compile_into gave {sql:?} with {bound:?}"));
    }
    let mut key = String::new();
    let mut params: Vec<ValueRef<'_>> = Vec::new();
    let slots = compile_key_into(d, stmt, &mut key, &mut params)
        .map_err(|e| format!("the key refused what compile accepted: {e}"))?;
    let owned: Vec<Value> = params.into_iter().map(ValueRef::to_owned_value).collect();
    if format!("{owned:?}") != format!("{:?}", c.params) || slots != c.slots {
        return Err(format!(
            "the key binds {owned:?} / {slots} slots, the SQL {:?} / {}",
            c.params, c.slots
        ));
    }
    Ok(())
}
