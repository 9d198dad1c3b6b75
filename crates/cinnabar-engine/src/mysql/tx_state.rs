//! What the driver reads from statement text with the SQL lexer: transaction control
//! (the connection tracks whether a transaction is open), stored programs (whose bodies break
//! the statement split of a batch) and INSERTs (which set or clear the last insert id).

use cinnabar_core::sql::{first_keyword, leading_keywords};

use super::rules;

/// How a statement changes the transaction state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TxEffect {
    None,
    Begin,
    End,
}

/// The statement's first `N` words (fewer when it has fewer; empty strings after them).
pub(super) fn leading<const N: usize>(stmt: &str) -> [&str; N] {
    let mut w = [""; N];
    for (slot, word) in w.iter_mut().zip(leading_keywords(stmt, rules())) {
        *slot = word;
    }
    w
}

/// Whether the statement's first word is one of `keywords` (ASCII case ignored).
pub(super) fn starts_with_keyword(stmt: &str, keywords: &[&str]) -> bool {
    first_keyword(stmt, rules()).is_some_and(|w| keywords.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

pub(super) fn tx_effect(stmt: &str) -> TxEffect {
    if !starts_with_keyword(stmt, &["START", "BEGIN", "COMMIT", "ROLLBACK"]) {
        return TxEffect::None;
    }
    let w = leading::<5>(stmt);
    let is = |i: usize, k: &str| w[i].eq_ignore_ascii_case(k);
    if is(0, "START") {
        return if is(1, "TRANSACTION") {
            TxEffect::Begin
        } else {
            TxEffect::None
        };
    }
    if is(0, "BEGIN") {
        // Not MariaDB's compound `BEGIN NOT ATOMIC ... END`.
        return if w[1].is_empty() || is(1, "WORK") {
            TxEffect::Begin
        } else {
            TxEffect::None
        };
    }
    // COMMIT or ROLLBACK [WORK] [TO ..] [AND [NO] CHAIN]
    let rest = if is(1, "WORK") { 2 } else { 1 };
    if is(0, "ROLLBACK") && is(rest, "TO") {
        TxEffect::None
    } else if is(rest, "AND") && is(rest + 1, "CHAIN") {
        TxEffect::Begin
    } else {
        TxEffect::End
    }
}

/// Whether a statement defines a stored program, whose body holds `;`-separated statements
/// (so splitting the text on `;` no longer follows the server's statements).
pub(super) fn is_compound(stmt: &str) -> bool {
    let w = leading::<8>(stmt);
    if w[0].eq_ignore_ascii_case("CREATE") {
        w.iter().any(|x| {
            ["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE"]
                .iter()
                .any(|k| x.eq_ignore_ascii_case(k))
        })
    } else {
        w[0].eq_ignore_ascii_case("BEGIN") && w[1].eq_ignore_ascii_case("NOT")
    }
}

pub(super) fn is_insert(sql: &str) -> bool {
    starts_with_keyword(sql, &["INSERT", "REPLACE"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_control_is_recognised() {
        assert_eq!(tx_effect("START TRANSACTION"), TxEffect::Begin);
        assert_eq!(tx_effect("  /* x */ begin"), TxEffect::Begin);
        assert_eq!(tx_effect("BEGIN WORK"), TxEffect::Begin);
        assert_eq!(tx_effect("BEGIN NOT ATOMIC SELECT 1; END"), TxEffect::None);
        assert_eq!(tx_effect("commit"), TxEffect::End);
        assert_eq!(tx_effect("COMMIT WORK AND CHAIN"), TxEffect::Begin);
        assert_eq!(tx_effect("COMMIT AND NO CHAIN"), TxEffect::End);
        assert_eq!(tx_effect("ROLLBACK"), TxEffect::End);
        assert_eq!(tx_effect("ROLLBACK TO SAVEPOINT a"), TxEffect::None);
        assert_eq!(tx_effect("rollback work to a"), TxEffect::None);
        assert_eq!(tx_effect("-- c\nSAVEPOINT a"), TxEffect::None);
        assert_eq!(tx_effect("COMMITTED_ROWS"), TxEffect::None);
        assert_eq!(tx_effect("SELECT 1"), TxEffect::None);
    }

    #[test]
    fn stored_programs_are_recognised() {
        assert!(is_compound(
            "CREATE DEFINER=CURRENT_USER PROCEDURE p() BEGIN COMMIT"
        ));
        assert!(is_compound(
            "CREATE DEFINER=`root`@`%` TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN END"
        ));
        assert!(is_compound("begin not atomic select 1; end"));
        assert!(!is_compound("CREATE TABLE t (x INT)"));
        assert!(!is_compound("CREATE TABLE `procedure` (x INT)"));
        assert!(is_insert("/* c */ replace into t values (1)"));
        assert!(!is_insert("SELECT 'INSERT'"));
    }
}
