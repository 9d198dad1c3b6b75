//! Comparison keys for server defaults and CHECK conditions: the rewrites that make what a
//! model declares and what a database reports back about it compare equal when they mean
//! the same. Used by the SQLite and PostgreSQL catalogs' `normalize_default` /
//! `normalize_check`; each rule is listed in docs/schema/reflection.md.
//!
//! A key is for comparing, not for running: words outside literals are lower-cased and the
//! tokens are joined with single spaces.

use super::tokens::{matching_close, tokenize, Tok, Token};
use super::{default_normalize_check, strip_outer_parens};

/// Words that continue a multi-word type name after `::` (`character varying`,
/// `timestamp with time zone`, `double precision`).
const TYPE_CONTINUATIONS: &[&str] = &["varying", "precision", "with", "without", "time", "zone"];

/// Cast targets for which `'-1'::integer` means the number `-1`.
const NUMERIC_TYPES: &[&str] = &[
    "smallint", "integer", "bigint", "numeric", "decimal", "real", "double", "int", "int2", "int4",
    "int8", "float4", "float8",
];

/// Type names that, written before a string literal (`interval '1 day'`), mean the same as
/// the literal cast to them (`'1 day'::interval`), which is how PostgreSQL reports them.
const LITERAL_TYPES: &[&str] = &[
    "interval",
    "date",
    "time",
    "timestamp",
    "timestamptz",
    "json",
    "jsonb",
    "uuid",
    "numeric",
    "inet",
];

/// The comparison key of a server default. With `pg_rules`, PostgreSQL's rewrites are
/// undone first: casts dropped (`'x'::character varying` is `'x'`, `'-1'::integer` is `-1`),
/// `now()` is `CURRENT_TIMESTAMP`, `interval '1 day'` is `'1 day'`.
pub(crate) fn default_key(sql: &str, pg_rules: bool) -> String {
    let text = strip_outer_parens(sql.trim());
    let words = if pg_rules {
        pg_rewrite(text)
    } else {
        words_of(text)
    };
    let joined = words.join(" ");
    // A rewrite may leave parentheses around all of it: `('x'::text)`.
    let inner = strip_outer_parens(&joined);
    if inner.len() != joined.len() {
        return words_of(inner).join(" ");
    }
    joined
}

/// The comparison key of a CHECK condition on PostgreSQL: its rewrites undone (casts dropped,
/// `x = ANY (ARRAY[a, b])` is `x IN (a, b)`, `<> ALL (ARRAY[..])` is `NOT IN (..)`, `~~` is
/// `LIKE`, `~~*` is `ILIKE`, `!=` is `<>`, `x BETWEEN a AND b` is `x >= a AND x <= b`), then
/// the default normalisation (no quotes, parentheses, whitespace; lower case).
pub(crate) fn pg_check_key(sql: &str) -> String {
    default_normalize_check(&pg_rewrite(sql).join(" "))
}

/// The tokens of `sql` as text, words lower-cased.
fn words_of(sql: &str) -> Vec<String> {
    tokenize(sql, false)
        .iter()
        .map(|t| token_text(sql, t))
        .collect()
}

fn token_text(sql: &str, t: &Token) -> String {
    match t.kind {
        Tok::Word => t.text(sql).to_ascii_lowercase(),
        _ => t.text(sql).to_string(),
    }
}

/// PostgreSQL's deparsed forms rewritten back to what a schema author writes, as words.
fn pg_rewrite(sql: &str) -> Vec<String> {
    let toks = tokenize(sql, false);
    let between = between_rewrite(sql, &toks);
    let toks = match &between {
        Some(text) => tokenize(text, false),
        None => toks,
    };
    let sql = between.as_deref().unwrap_or(sql);
    let mut out: Vec<String> = Vec::with_capacity(toks.len());
    // Tokens to drop (the `)` after an `ARRAY[..]` turned into a list) or to replace
    // (its `]`).
    let mut drop = Vec::new();
    let mut close_list = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let text = t.text(sql);
        if drop.contains(&i) {
            i += 1;
            continue;
        }
        if close_list.contains(&i) {
            out.push(")".into());
            i += 1;
            continue;
        }
        if t.kind == Tok::Symbol && text == "::" {
            let (target, next) = cast_target(sql, &toks, i + 1);
            let numeric = NUMERIC_TYPES.contains(&target.as_str());
            let prev_numeric_literal = i
                .checked_sub(1)
                .and_then(|p| toks.get(p))
                .filter(|p| p.kind == Tok::Str)
                .and_then(|p| p.name(sql))
                .filter(|s| is_number(s));
            if let (true, Some(number)) = (numeric, prev_numeric_literal) {
                out.pop();
                out.extend(words_of(&number));
            }
            i = next;
            continue;
        }
        // `= ANY (ARRAY[` / `<> ALL (ARRAY[`
        let quantified = (text == "=" && toks.get(i + 1).is_some_and(|n| n.is_kw(sql, "ANY")))
            || (text == "<>" && toks.get(i + 1).is_some_and(|n| n.is_kw(sql, "ALL")));
        // A varchar column's list comes cast as a whole: `= ANY ((ARRAY['a'::character
        // varying])::text[])`; the inner parentheses go as well (the cast is dropped below).
        if t.kind == Tok::Symbol
            && quantified
            && toks.get(i + 2).is_some_and(|n| n.kind == Tok::Open)
            && toks.get(i + 3).is_some_and(|n| n.kind == Tok::Open)
            && toks.get(i + 4).is_some_and(|n| n.is_kw(sql, "ARRAY"))
            && toks.get(i + 5).is_some_and(|n| n.text(sql) == "[")
        {
            if let (Some(close), Some(inner)) =
                (matching_close(&toks, i + 2), matching_close(&toks, i + 3))
            {
                if let Some(bracket) = (i + 6..inner).rev().find(|&j| toks[j].text(sql) == "]") {
                    if text == "<>" {
                        out.push("not".into());
                    }
                    out.push("in".into());
                    out.push("(".into());
                    close_list.push(bracket);
                    drop.push(inner);
                    drop.push(close);
                    i += 6;
                    continue;
                }
            }
        }
        if t.kind == Tok::Symbol
            && quantified
            && toks.get(i + 2).is_some_and(|n| n.kind == Tok::Open)
            && toks.get(i + 3).is_some_and(|n| n.is_kw(sql, "ARRAY"))
            && toks.get(i + 4).is_some_and(|n| n.text(sql) == "[")
        {
            if let Some(close) = matching_close(&toks, i + 2) {
                if let Some(bracket) = (i + 5..close).rev().find(|&j| toks[j].text(sql) == "]") {
                    if text == "<>" {
                        out.push("not".into());
                    }
                    out.push("in".into());
                    out.push("(".into());
                    close_list.push(bracket);
                    drop.push(close);
                    i += 5;
                    continue;
                }
            }
        }
        match (t.kind.clone(), text) {
            (Tok::Symbol, "~~") => out.push("like".into()),
            (Tok::Symbol, "!~~") => out.extend(["not".into(), "like".into()]),
            (Tok::Symbol, "~~*") => out.push("ilike".into()),
            (Tok::Symbol, "!~~*") => out.extend(["not".into(), "ilike".into()]),
            (Tok::Symbol, "!=") => out.push("<>".into()),
            (Tok::Word, w)
                if LITERAL_TYPES.contains(&w.to_ascii_lowercase().as_str())
                    && toks.get(i + 1).is_some_and(|n| n.kind == Tok::Str) => {}
            (Tok::Word, w)
                if w.eq_ignore_ascii_case("now")
                    && toks.get(i + 1).is_some_and(|n| n.kind == Tok::Open)
                    && toks.get(i + 2).is_some_and(|n| n.kind == Tok::Close) =>
            {
                out.push("current_timestamp".into());
                i += 3;
                continue;
            }
            _ => out.push(token_text(sql, t)),
        }
        i += 1;
    }
    out
}

/// The first word of the type a `::` cast names (lower case), and the index after the type.
fn cast_target(sql: &str, toks: &[Token], mut i: usize) -> (String, usize) {
    let first = toks
        .get(i)
        .and_then(|t| t.name(sql))
        .unwrap_or_default()
        .to_ascii_lowercase();
    i += 1;
    while toks
        .get(i)
        .is_some_and(|t| TYPE_CONTINUATIONS.iter().any(|w| t.is_kw(sql, w)))
    {
        i += 1;
    }
    if toks.get(i).is_some_and(|t| t.kind == Tok::Open) {
        i = matching_close(toks, i).map_or(toks.len(), |c| c + 1);
    }
    while toks.get(i).is_some_and(|t| t.text(sql) == "[")
        && toks.get(i + 1).is_some_and(|t| t.text(sql) == "]")
    {
        i += 2;
    }
    (first, i)
}

/// `x BETWEEN a AND b` (each one token, or a signed number) as `x >= a AND x <= b`; `None`
/// when there is no BETWEEN.
fn between_rewrite(sql: &str, toks: &[Token]) -> Option<String> {
    let at = toks.iter().position(|t| t.is_kw(sql, "BETWEEN"))?;
    if at == 0 || toks.get(at - 1).is_some_and(|t| t.is_kw(sql, "NOT")) {
        return None;
    }
    let subject = &toks[at - 1];
    if !matches!(subject.kind, Tok::Word | Tok::Ident(_)) {
        return None;
    }
    let operand = |i: usize| -> Option<(String, usize)> {
        let t = toks.get(i)?;
        if t.kind == Tok::Symbol && (t.text(sql) == "-" || t.text(sql) == "+") {
            let n = toks.get(i + 1)?;
            return Some((format!("{}{}", t.text(sql), n.text(sql)), i + 2));
        }
        Some((t.text(sql).to_string(), i + 1))
    };
    let (low, next) = operand(at + 1)?;
    if !toks.get(next).is_some_and(|t| t.is_kw(sql, "AND")) {
        return None;
    }
    let (high, end) = operand(next + 1)?;
    let x = subject.text(sql);
    let before = &sql[..subject.start];
    let after = toks.get(end).map_or("", |t| &sql[t.start..]);
    let rewritten = format!("{before}{x} >= {low} AND {x} <= {high} {after}");
    // Further BETWEENs in the same condition.
    let again = tokenize(&rewritten, false);
    Some(between_rewrite(&rewritten, &again).unwrap_or(rewritten))
}

/// Whether `s` is a decimal number (optional sign, digits, optional fraction and exponent).
fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    !(int.is_empty() && frac.is_empty())
        && digits(int)
        && digits(frac)
        && exp.is_none_or(|e| {
            let e = e.strip_prefix(['-', '+']).unwrap_or(e);
            !e.is_empty() && digits(e)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_defaults_compare_with_what_the_model_wrote() {
        let pg = |s: &str| default_key(s, true);
        assert_eq!(pg("'x'::character varying"), pg("'x'"));
        assert_eq!(pg("'y'::text"), pg("('y')"));
        assert_eq!(pg("'-1'::integer"), pg("-1"));
        assert_eq!(pg("'1.5'::numeric(10,2)"), pg("1.5"));
        assert_ne!(pg("'1'::text"), pg("1"));
        assert_eq!(pg("0"), "0");
        assert_eq!(pg("CURRENT_TIMESTAMP"), pg("now()"));
        assert_eq!(pg("true"), pg("TRUE"));
        assert_eq!(pg("'{}'::jsonb"), pg("'{}'"));
        assert_eq!(
            pg("(now() + '1 day'::interval)"),
            pg("now() + interval '1 day'")
        );
        assert_eq!(
            pg("'2020-01-01 00:00:00'::timestamp without time zone"),
            pg("'2020-01-01 00:00:00'")
        );
        assert_ne!(pg("'a'"), pg("'A'"));
    }

    #[test]
    fn sqlite_defaults_ignore_case_and_spacing_only() {
        let lite = |s: &str| default_key(s, false);
        assert_eq!(lite("current_timestamp"), lite("(CURRENT_TIMESTAMP)"));
        assert_eq!(lite("-1"), lite("- 1"));
        assert_ne!(lite("'x'"), lite("'X'"));
    }

    #[test]
    fn postgres_checks_compare_with_what_the_model_wrote() {
        assert_eq!(
            pg_check_key("((a > 0) AND ((b)::text <> ''::text))"),
            pg_check_key("a > 0 AND b != ''")
        );
        assert_eq!(
            pg_check_key("(s = ANY (ARRAY['a'::text, 'b'::text]))"),
            pg_check_key("s IN ('a', 'b')")
        );
        assert_eq!(
            pg_check_key("(s <> ALL (ARRAY['a'::text]))"),
            pg_check_key("s NOT IN ('a')")
        );
        assert_eq!(
            pg_check_key("((f >= 1) AND (f <= 5))"),
            pg_check_key("f BETWEEN 1 AND 5")
        );
        assert_eq!(
            pg_check_key("((f >= '-1'::integer) AND ((g >= 0) AND (g <= 2)))"),
            pg_check_key("f >= -1 AND g BETWEEN 0 AND 2")
        );
        assert_eq!(
            pg_check_key("((b)::text ~~ 'x%'::text)"),
            pg_check_key("b LIKE 'x%'")
        );
        // Validation rules' checks on varchar columns (issue 15).
        assert_eq!(
            pg_check_key(
                "((status)::text = ANY ((ARRAY['draft'::character varying, 'it''s'::character \
                 varying])::text[]))"
            ),
            pg_check_key("\"status\" IN ('draft', 'it''s')")
        );
        assert_eq!(
            pg_check_key(
                "((char_length((name)::text) >= 1) AND (char_length((name)::text) <= 20))"
            ),
            pg_check_key("char_length(\"name\") >= 1 AND char_length(\"name\") <= 20")
        );
        assert_ne!(pg_check_key("a > 0"), pg_check_key("a >= 0"));
    }

    #[test]
    fn numbers() {
        assert!(is_number("-1"));
        assert!(is_number("1.5e-3"));
        assert!(is_number(".5"));
        assert!(!is_number("1a"));
        assert!(!is_number(""));
        assert!(!is_number("-"));
    }
}
