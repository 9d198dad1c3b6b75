//! [`SqliteKey`]: the key of an encrypted SQLite file (feature `sqlcipher`). A secret that
//! never prints: `Debug` shows `SqliteKey(***)`, there is no `Display`, and its bytes are
//! zeroed when it is dropped. `EngineOptions::sqlite_key`, the URL's `?key=` / `?hexkey=`,
//! `Engine::rekey` and the SQLite driver (which writes it into `PRAGMA key`) use it.

use std::fmt;

use cinnabar_core::{Error, Result};
use zeroize::Zeroizing;

/// The key of an encrypted SQLite file (SQLCipher, cargo feature `sqlcipher`): a passphrase,
/// from which SQLCipher derives the key (PBKDF2-HMAC-SHA512, 256,000 iterations, once per new
/// connection), or a raw 256-bit key, used as it is.
///
/// It never prints: `Debug` shows `SqliteKey(***)` and there is no `Display`. Its bytes are
/// zeroed when it is dropped (a best effort: SQLite keeps its own copy while a connection is
/// open, and the string you built it from is yours to clear).
///
/// ```
/// # use cinnabar_engine as cinnabar;
/// use cinnabar::{EngineOptions, SqliteKey};
///
/// let key = SqliteKey::passphrase("correct horse battery staple")?;
/// assert_eq!(format!("{key:?}"), "SqliteKey(***)");
/// let options = EngineOptions::new().sqlite_key(key);
/// assert!(!format!("{options:?}").contains("horse"));
/// # Ok::<(), cinnabar_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SqliteKey {
    raw: bool,
    bytes: Zeroizing<Vec<u8>>,
}

impl SqliteKey {
    /// A passphrase key (SQLCipher derives the encryption key from it).
    ///
    /// A passphrase of the form `x'…'` with 64 or 96 hex digits is taken by SQLCipher as a
    /// raw key (with a salt, for 96); prefer [`SqliteKey::raw`] for those.
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) for an empty passphrase (SQLCipher
    /// would leave the file unencrypted) or one containing a NUL character.
    pub fn passphrase(passphrase: impl Into<String>) -> Result<SqliteKey> {
        let bytes = Zeroizing::new(passphrase.into().into_bytes());
        if bytes.is_empty() {
            return Err(Error::misuse(
                "an empty SQLite key would leave the database unencrypted: give a passphrase",
            ));
        }
        if bytes.contains(&0) {
            return Err(Error::misuse(
                "a SQLite key passphrase cannot contain a NUL character",
            ));
        }
        Ok(SqliteKey { raw: false, bytes })
    }

    /// A raw 256-bit key, used without key derivation (so opening a connection skips the
    /// passphrase's PBKDF2 rounds).
    pub fn raw(key: [u8; 32]) -> SqliteKey {
        let key = Zeroizing::new(key);
        SqliteKey {
            raw: true,
            bytes: Zeroizing::new(key.to_vec()),
        }
    }

    /// A raw 256-bit key written as 64 hex digits (the URL's `?hexkey=`).
    ///
    /// # Errors
    /// [`ErrorKind::Misuse`](cinnabar_core::ErrorKind::Misuse) when `hex` is not 64 hex digits
    /// (the message never shows it).
    pub fn from_hex(hex: &str) -> Result<SqliteKey> {
        let digits = hex.as_bytes();
        let nibble = |c: u8| (c as char).to_digit(16);
        if digits.len() != 64 || !digits.iter().all(|&c| nibble(c).is_some()) {
            return Err(Error::misuse(format!(
                "a raw SQLite key is 64 hex digits (32 bytes); {} characters were given",
                hex.chars().count()
            )));
        }
        let mut key = Zeroizing::new([0u8; 32]);
        for (i, pair) in digits.chunks(2).enumerate() {
            let hi = nibble(pair[0]).unwrap_or(0);
            let lo = nibble(pair[1]).unwrap_or(0);
            key[i] = (hi * 16 + lo) as u8;
        }
        Ok(SqliteKey::raw(*key))
    }

    /// Whether this is a raw key rather than a passphrase.
    pub fn is_raw(&self) -> bool {
        self.raw
    }

    /// `PRAGMA <pragma> = '<key>'`: the value as a SQL string literal (quotes doubled; a raw
    /// key as SQLCipher's `x'<hex>'` text). PRAGMA takes no bound parameters, so this text is
    /// the only place the key meets SQL; it is zeroed when dropped and never logged.
    #[cfg_attr(not(feature = "sqlcipher"), allow(dead_code))]
    pub(crate) fn pragma(&self, pragma: &str) -> Zeroizing<String> {
        let mut sql = Zeroizing::new(String::with_capacity(
            pragma.len() + 16 + 2 * self.bytes.len(),
        ));
        sql.push_str("PRAGMA ");
        sql.push_str(pragma);
        sql.push_str(" = '");
        if self.raw {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            sql.push_str("x''");
            for b in self.bytes.iter() {
                sql.push(HEX[usize::from(b >> 4)] as char);
                sql.push(HEX[usize::from(b & 15)] as char);
            }
            sql.push_str("''");
        } else {
            // Built from a String, so valid UTF-8; a lossy view never copies in that case.
            for c in String::from_utf8_lossy(&self.bytes).chars() {
                if c == '\'' {
                    sql.push('\'');
                }
                sql.push(c);
            }
        }
        sql.push('\'');
        sql
    }
}

impl fmt::Debug for SqliteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SqliteKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pragma_text_quotes_the_key() {
        let k = SqliteKey::passphrase("it's").unwrap();
        assert_eq!(&*k.pragma("key"), "PRAGMA key = 'it''s'");
        let k = SqliteKey::raw([0xAB; 32]);
        assert_eq!(
            k.pragma("rekey").as_str(),
            format!("PRAGMA rekey = 'x''{}'''", "AB".repeat(32)).as_str()
        );
        let k = SqliteKey::from_hex(&"0f".repeat(32)).unwrap();
        assert_eq!(k, SqliteKey::raw([0x0F; 32]));
    }

    #[test]
    fn bad_keys_are_refused_without_showing_them() {
        assert!(SqliteKey::passphrase("").is_err());
        assert!(SqliteKey::passphrase("a\0b").is_err());
        let e = SqliteKey::from_hex("secretsecret").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        assert!(SqliteKey::from_hex(&"zz".repeat(32)).is_err());
        assert_eq!(
            format!("{:?}", SqliteKey::passphrase("hunter2").unwrap()),
            "SqliteKey(***)"
        );
    }
}
