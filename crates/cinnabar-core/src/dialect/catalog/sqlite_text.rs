//! What SQLite's pragmas do not say, read from the CREATE TABLE / CREATE INDEX text SQLite
//! keeps in `sqlite_schema`: CHECK constraints and their names, the names of foreign keys
//! and UNIQUE constraints, `WITHOUT ROWID`, and a partial index's WHERE condition. Used by
//! the SQLite catalog.

use super::tokens::{matching_close, tokenize, Tok, Token};
use crate::schema::CheckConstraint;

/// A named (or unnamed) constraint over columns, as declared in CREATE TABLE.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Declared {
    /// `CONSTRAINT <name>` before it, if any.
    pub name: Option<String>,
    /// Its columns (for a foreign key: the referencing ones).
    pub columns: Vec<String>,
    /// For a foreign key: the referenced table.
    pub ref_table: Option<String>,
}

/// What the CREATE TABLE text of one table declares beyond the pragmas.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct TableText {
    /// CHECK constraints (column and table level) in the order written.
    pub checks: Vec<CheckConstraint>,
    /// Foreign keys in the order written.
    pub foreign_keys: Vec<Declared>,
    /// UNIQUE constraints in the order written.
    pub uniques: Vec<Declared>,
    /// Whether the table is `WITHOUT ROWID` (an INTEGER primary key is then no rowid alias).
    pub without_rowid: bool,
}

/// Reads a `CREATE TABLE` statement. Text it cannot follow yields what was read up to there
/// (never an error: the pragmas remain the source of columns and keys).
pub(crate) fn parse_create_table(sql: &str) -> TableText {
    let toks = tokenize(sql, true);
    let mut out = TableText::default();
    let Some(open) = toks.iter().position(|t| t.kind == Tok::Open) else {
        return out;
    };
    let close = matching_close(&toks, open).unwrap_or(toks.len());
    out.without_rowid = toks
        .get(close + 1..)
        .unwrap_or(&[])
        .windows(2)
        .any(|w| w[0].is_kw(sql, "WITHOUT") && w[1].is_kw(sql, "ROWID"));
    for item in split_top_level(&toks[open + 1..close.min(toks.len())]) {
        read_item(sql, item, &mut out);
    }
    out
}

/// The WHERE condition of a `CREATE INDEX` statement (partial index), as written.
pub(crate) fn index_where(sql: &str) -> Option<String> {
    let toks = tokenize(sql, true);
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Open => depth += 1,
            Tok::Close => depth = depth.saturating_sub(1),
            _ if depth == 0 && t.is_kw(sql, "WHERE") => {
                let rest = toks.get(i + 1)?;
                let cond = sql[rest.start..].trim().trim_end_matches(';').trim();
                // `WHERE (a > 0)`, as the DDL compiler writes it, is the condition `a > 0`.
                let cond = super::strip_outer_parens(cond);
                return (!cond.is_empty()).then(|| cond.to_string());
            }
            _ => {}
        }
    }
    None
}

/// Splits the tokens between CREATE TABLE's parentheses at top-level commas.
fn split_top_level(toks: &[Token]) -> Vec<&[Token]> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Tok::Open => depth += 1,
            Tok::Close => depth = depth.saturating_sub(1),
            Tok::Comma if depth == 0 => {
                items.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&toks[start..]);
    items.retain(|i| !i.is_empty());
    items
}

/// Names inside the parentheses opening at `toks[open]`, and the index after the `)`.
fn name_list(sql: &str, toks: &[Token], open: usize) -> (Vec<String>, usize) {
    if toks.get(open).map(|t| &t.kind) != Some(&Tok::Open) {
        return (Vec::new(), open);
    }
    let close = matching_close(toks, open).unwrap_or(toks.len());
    let names = split_top_level(&toks[open + 1..close.min(toks.len())])
        .iter()
        // `"a" COLLATE NOCASE DESC`: the first token names the column.
        .filter_map(|item| item.first().and_then(|t| t.name(sql)))
        .collect();
    (names, close + 1)
}

/// The source text inside the parentheses opening at `toks[open]`, and the index after.
fn inner_text(sql: &str, toks: &[Token], open: usize) -> (Option<String>, usize) {
    if toks.get(open).map(|t| &t.kind) != Some(&Tok::Open) {
        return (None, open);
    }
    let Some(close) = matching_close(toks, open) else {
        return (None, toks.len());
    };
    let text = sql[toks[open].end..toks[close].start].trim().to_string();
    (Some(text), close + 1)
}

/// Reads one column definition or table constraint.
fn read_item(sql: &str, item: &[Token], out: &mut TableText) {
    let is_constraint_start = |t: &Token| {
        ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|kw| t.is_kw(sql, kw))
    };
    let Some(first) = item.first() else { return };
    // A table constraint, or a column definition whose first token names the column.
    let (column, mut i) = if is_constraint_start(first) {
        (None, 0)
    } else {
        (first.name(sql), 1)
    };
    let mut pending: Option<String> = None;
    while i < item.len() {
        let t = &item[i];
        if t.kind == Tok::Open {
            // A type's arguments, a DEFAULT (..), GENERATED AS (..): skip the group.
            i = matching_close(item, i).map_or(item.len(), |c| c + 1);
            continue;
        }
        if t.is_kw(sql, "CONSTRAINT") {
            pending = item.get(i + 1).and_then(|n| n.name(sql));
            i += 2;
            continue;
        }
        if t.is_kw(sql, "CHECK") {
            let (cond, next) = inner_text(sql, item, i + 1);
            if let Some(cond) = cond {
                out.checks.push(CheckConstraint {
                    name: pending.take(),
                    sql: cond,
                    rule: None,
                });
            }
            i = next.max(i + 1);
            continue;
        }
        if t.is_kw(sql, "UNIQUE") {
            let (columns, next) = match &column {
                Some(c) => (vec![c.clone()], i + 1),
                None => name_list(sql, item, i + 1),
            };
            out.uniques.push(Declared {
                name: pending.take(),
                columns,
                ref_table: None,
            });
            i = next.max(i + 1);
            continue;
        }
        if t.is_kw(sql, "FOREIGN") && item.get(i + 1).is_some_and(|k| k.is_kw(sql, "KEY")) {
            let (columns, next) = name_list(sql, item, i + 2);
            let (ref_table, next) = references(sql, item, next);
            out.foreign_keys.push(Declared {
                name: pending.take(),
                columns,
                ref_table,
            });
            i = next.max(i + 1);
            continue;
        }
        if t.is_kw(sql, "REFERENCES") {
            let (ref_table, next) = references(sql, item, i);
            out.foreign_keys.push(Declared {
                name: pending.take(),
                columns: column.iter().cloned().collect(),
                ref_table,
            });
            i = next.max(i + 1);
            continue;
        }
        if t.is_kw(sql, "PRIMARY") || t.is_kw(sql, "NOT") || t.is_kw(sql, "DEFAULT") {
            // Another constraint of the column or table: a pending name was its own.
            pending = None;
        }
        i += 1;
    }
}

/// Reads `REFERENCES [schema.]table [(cols)]` starting at `toks[i]`; returns the table and
/// the index after the optional column list.
fn references(sql: &str, toks: &[Token], i: usize) -> (Option<String>, usize) {
    if !toks.get(i).is_some_and(|t| t.is_kw(sql, "REFERENCES")) {
        return (None, i);
    }
    let mut j = i + 1;
    let mut table = toks.get(j).and_then(|t| t.name(sql));
    if toks.get(j + 1).is_some_and(|t| t.text(sql) == ".") {
        j += 2;
        table = toks.get(j).and_then(|t| t.name(sql));
    }
    let (_, next) = name_list(sql, toks, j + 1);
    (table, next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_checks_and_constraint_names() {
        let t = parse_create_table(
            "CREATE TABLE \"p\" (id INTEGER NOT NULL PRIMARY KEY, a INT CONSTRAINT ck_a \
             CHECK (a > 0) UNIQUE, b VARCHAR(10) DEFAULT ('x,y'), \"c d\" TEXT, \
             CONSTRAINT uq_bc UNIQUE (b, \"c d\"), CHECK (b <> 'it''s (x)'), \
             CONSTRAINT \"fk \"\"q\"\"\" FOREIGN KEY (a) REFERENCES main.q (id) ON DELETE CASCADE, \
             x INT REFERENCES [r]) WITHOUT ROWID",
        );
        assert_eq!(
            t.checks,
            vec![
                CheckConstraint {
                    name: Some("ck_a".into()),
                    sql: "a > 0".into(),
                    rule: None,
                },
                CheckConstraint {
                    name: None,
                    sql: "b <> 'it''s (x)'".into(),
                    rule: None,
                },
            ]
        );
        assert_eq!(t.uniques.len(), 2);
        assert_eq!(t.uniques[0].columns, ["a"]);
        assert_eq!(t.uniques[0].name, None);
        assert_eq!(t.uniques[1].columns, ["b", "c d"]);
        assert_eq!(t.uniques[1].name.as_deref(), Some("uq_bc"));
        assert_eq!(t.foreign_keys.len(), 2);
        assert_eq!(t.foreign_keys[0].name.as_deref(), Some("fk \"q\""));
        assert_eq!(t.foreign_keys[0].ref_table.as_deref(), Some("q"));
        assert_eq!(t.foreign_keys[1].columns, ["x"]);
        assert_eq!(t.foreign_keys[1].ref_table.as_deref(), Some("r"));
        assert!(t.without_rowid);
    }

    #[test]
    fn a_constraint_name_belongs_to_the_next_constraint_only() {
        let t = parse_create_table(
            "CREATE TABLE t (a INT CONSTRAINT nn NOT NULL CHECK (a > 1), b INT -- CHECK (x)\n)",
        );
        assert_eq!(t.checks.len(), 1);
        assert_eq!(t.checks[0].name, None);
        assert!(!t.without_rowid);
    }

    #[test]
    fn reads_a_partial_index_condition() {
        assert_eq!(
            index_where("CREATE INDEX ix ON t (a) WHERE a > 3 AND b IS NOT NULL").as_deref(),
            Some("a > 3 AND b IS NOT NULL")
        );
        assert_eq!(index_where("CREATE INDEX ix ON t (a, (b + 1))"), None);
    }
}
