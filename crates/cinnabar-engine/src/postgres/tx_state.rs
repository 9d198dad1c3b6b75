//! Transaction-state tracking: which statements open or end a transaction block (read with
//! the SQL lexer), and how a failure leaves the block (PostgreSQL ignores everything after a
//! failed statement until ROLLBACK), since the client library does not expose the server's
//! transaction status.

use cinnabar_core::sql::leading_keywords;

use super::rules;

/// The statement's first word when the statement starts plainly (ASCII whitespace, then
/// ASCII letters ended by ASCII whitespace): the word the lexer would read first. `None`
/// for anything else (a comment, a quote, a parenthesis first), which the lexer reads.
fn plain_first_word(stmt: &str) -> Option<&str> {
    let s = stmt.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let end = s.bytes().position(|b| !b.is_ascii_alphabetic())?;
    (end > 0 && s.as_bytes()[end].is_ascii_whitespace()).then(|| &s[..end])
}

/// What a statement does to the session's transaction block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TxEffect {
    /// `BEGIN`, `START TRANSACTION`.
    Begin,
    /// `COMMIT`, `END`, `PREPARE TRANSACTION`.
    Commit,
    /// `ROLLBACK`, `ABORT`.
    Rollback,
    /// `ROLLBACK TO [SAVEPOINT]`: ends the aborted state of a failed transaction.
    RollbackToSavepoint,
    None,
}

/// The session's transaction state as the driver tracks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct TxState {
    /// A transaction block is open.
    pub(super) open: bool,
    /// A statement failed on the server inside it: PostgreSQL ignores everything until
    /// ROLLBACK (or ROLLBACK TO SAVEPOINT), and turns COMMIT into ROLLBACK.
    pub(super) failed: bool,
}

impl TxState {
    /// The state after statements with `effects` ran. `outcome` is `Ok`, or `Err(server)`
    /// where `server` says whether the server reported the error (which aborts an open
    /// transaction; a client-side error does not).
    pub(super) fn after(
        self,
        effects: &[TxEffect],
        outcome: std::result::Result<(), bool>,
    ) -> TxState {
        match outcome {
            Ok(()) => effects.iter().fold(self, |st, e| match e {
                TxEffect::Begin => TxState {
                    open: true,
                    failed: false,
                },
                TxEffect::Commit | TxEffect::Rollback => TxState::default(),
                TxEffect::RollbackToSavepoint => TxState {
                    failed: false,
                    ..st
                },
                TxEffect::None => st,
            }),
            // A lone COMMIT/ROLLBACK that fails still ends the block.
            Err(_) if matches!(effects, [TxEffect::Commit | TxEffect::Rollback]) => {
                TxState::default()
            }
            Err(server) => {
                // Some statement failed and we do not know which: assume a block may be
                // open (a spurious ROLLBACK on return to the pool is harmless; a forgotten
                // open transaction is not).
                let open = self.open || effects.contains(&TxEffect::Begin);
                TxState {
                    open,
                    failed: open && (server || self.failed),
                }
            }
        }
    }
}

pub(super) fn tx_effect(stmt: &str) -> TxEffect {
    const TX_WORDS: [&str; 7] = [
        "BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "PREPARE",
    ];
    if plain_first_word(stmt).is_some_and(|w| !TX_WORDS.iter().any(|t| w.eq_ignore_ascii_case(t))) {
        // SELECT, INSERT, UPDATE, ...: no lexer needed (this runs for every statement).
        return TxEffect::None;
    }
    let mut words = leading_keywords(stmt, rules());
    let Some(first) = words.next() else {
        return TxEffect::None;
    };
    if !TX_WORDS.iter().any(|w| first.eq_ignore_ascii_case(w)) {
        return TxEffect::None;
    }
    let mut w = [""; 5];
    w[0] = first;
    for (slot, word) in w[1..].iter_mut().zip(words) {
        *slot = word;
    }
    let has = |s: &str| w.iter().any(|x| x.eq_ignore_ascii_case(s));
    let chain = has("CHAIN") && !has("NO");
    let is = |k: &str| first.eq_ignore_ascii_case(k);
    if is("BEGIN") || is("START") {
        TxEffect::Begin
    } else if (is("COMMIT") || is("END")) && !has("PREPARED") && !chain {
        TxEffect::Commit
    } else if (is("ROLLBACK") || is("ABORT")) && has("TO") {
        TxEffect::RollbackToSavepoint
    } else if (is("ROLLBACK") || is("ABORT")) && !has("PREPARED") && !chain {
        TxEffect::Rollback
    } else if is("PREPARE") && w[1].eq_ignore_ascii_case("TRANSACTION") {
        TxEffect::Commit
    } else {
        TxEffect::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cinnabar_core::sql::split_statements;

    /// The lexer-free first word agrees with the lexer wherever it answers, and leaves
    /// everything else (comments, quotes, a lone word) to it.
    #[test]
    fn plain_first_words_are_the_lexers() {
        for sql in [
            "SELECT 1",
            "  select\n\t* FROM t",
            "INSERT INTO t VALUES (1)",
            "WITH x AS (SELECT 1) SELECT * FROM x",
            "begin isolation level serializable",
            "Commit and chain",
        ] {
            let lexed = leading_keywords(sql, rules()).next();
            assert_eq!(plain_first_word(sql), lexed, "{sql:?}");
        }
        for sql in [
            "BEGIN",
            "-- c\nBEGIN",
            "/* BEGIN */ SELECT 1",
            "(SELECT 1)",
            "\"select\" ",
            "SELECT;",
            "select1 x",
            "",
        ] {
            assert_eq!(plain_first_word(sql), None, "{sql:?}");
        }
        // Each classified as the lexer classifies it.
        assert_eq!(tx_effect("/* BEGIN */ SELECT 1"), TxEffect::None);
        assert_eq!(tx_effect("-- c\nBEGIN"), TxEffect::Begin);
        assert_eq!(tx_effect("select 1"), TxEffect::None);
        assert_eq!(tx_effect("Commit and chain"), TxEffect::None);
        assert_eq!(tx_effect("Commit work"), TxEffect::Commit);
    }

    #[test]
    fn transaction_statements_are_classified() {
        assert_eq!(tx_effect("BEGIN"), TxEffect::Begin);
        assert_eq!(
            tx_effect("  -- c\n begin isolation level serializable"),
            TxEffect::Begin
        );
        assert_eq!(tx_effect("START TRANSACTION"), TxEffect::Begin);
        assert_eq!(tx_effect("COMMIT"), TxEffect::Commit);
        assert_eq!(tx_effect("end"), TxEffect::Commit);
        assert_eq!(tx_effect("ROLLBACK"), TxEffect::Rollback);
        assert_eq!(
            tx_effect("ROLLBACK TO SAVEPOINT sp"),
            TxEffect::RollbackToSavepoint
        );
        assert_eq!(
            tx_effect("ROLLBACK WORK TO sp"),
            TxEffect::RollbackToSavepoint
        );
        assert_eq!(tx_effect("COMMIT AND CHAIN"), TxEffect::None);
        assert_eq!(tx_effect("COMMIT AND NO CHAIN"), TxEffect::Commit);
        assert_eq!(tx_effect("COMMIT PREPARED 'x'"), TxEffect::None);
        assert_eq!(tx_effect("PREPARE TRANSACTION 'x'"), TxEffect::Commit);
        assert_eq!(tx_effect("SAVEPOINT sp"), TxEffect::None);
        assert_eq!(tx_effect("SELECT 1"), TxEffect::None);

        let after = |sql: &str, before: TxState, outcome| {
            let effects: Vec<TxEffect> = split_statements(sql, rules()).map(tx_effect).collect();
            before.after(&effects, outcome)
        };
        let idle = TxState::default();
        let open = TxState {
            open: true,
            failed: false,
        };
        let failed = TxState {
            open: true,
            failed: true,
        };
        assert_eq!(after("BEGIN", idle, Ok(())), open);
        assert_eq!(after("COMMIT", open, Ok(())), idle);
        assert_eq!(after("COMMIT", open, Err(true)), idle);
        assert_eq!(after("INSERT INTO t VALUES (1)", open, Err(true)), failed);
        assert_eq!(after("INSERT INTO t VALUES (1)", open, Err(false)), open);
        assert_eq!(
            after(
                "ROLLBACK TO SAVEPOINT a; RELEASE SAVEPOINT a",
                failed,
                Ok(())
            ),
            open
        );
        assert_eq!(
            after("BEGIN; INSERT INTO t VALUES (1)", idle, Err(true)),
            failed
        );
        assert_eq!(
            after(
                "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)",
                idle,
                Err(true)
            ),
            idle
        );
        assert_eq!(after("BEGIN; SELECT 1; COMMIT", idle, Ok(())), idle);
    }

    #[test]
    fn scripts_split_outside_quotes_and_bodies() {
        let parts: Vec<&str> = split_statements(
            "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END; COMMIT",
            rules(),
        )
        .collect();
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert_eq!(tx_effect(parts[0]), TxEffect::None);
        assert_eq!(tx_effect(parts[1]), TxEffect::Commit);
    }
}
