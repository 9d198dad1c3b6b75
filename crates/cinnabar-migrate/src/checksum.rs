//! The checksum of a revision file's text, stored in the version table when a revision is
//! applied and compared on later runs so that an edited applied revision is caught.
//! Used by [`MigrationDir`](crate::MigrationDir) when it loads a file and by the Migrator.

use sha2::{Digest, Sha256};

/// The SHA-256 (lowercase hex, 64 characters) of `text` normalised so that line endings and
/// trailing whitespace do not count: CRLF and lone CR become LF, trailing whitespace is
/// removed from every line, and trailing whitespace and newlines are removed from the end.
///
/// ```
/// use cinnabar_migrate::checksum;
/// assert_eq!(checksum("a = 1\r\nb = 2\r\n"), checksum("a = 1  \nb = 2"));
/// assert_ne!(checksum("a = 1\nb = 2\n"), checksum("a = 1\nb = 3\n"));
/// ```
pub fn checksum(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut normalised = String::with_capacity(unified.len());
    for line in unified.split('\n') {
        normalised.push_str(line.trim_end());
        normalised.push('\n');
    }
    let normalised = normalised.trim_end();
    let digest = Sha256::digest(normalised.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::checksum;

    const TEXT: &str = "id = \"20261205120000\"\nparents = []\n\n[[up]]\nop = \"sql\"\nall = '''\nUPDATE t SET a = 1\n'''\n";

    #[test]
    fn line_endings_and_trailing_whitespace_do_not_count() {
        let base = checksum(TEXT);
        assert_eq!(base.len(), 64);
        assert!(base
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(checksum(&TEXT.replace('\n', "\r\n")), base);
        assert_eq!(checksum(&TEXT.replace('\n', "\r")), base);
        assert_eq!(checksum(&TEXT.replace('\n', " \t\n")), base);
        assert_eq!(checksum(&format!("{TEXT}\n\n  \r\n")), base);
        assert_eq!(checksum(TEXT.trim_end()), base);
    }

    #[test]
    fn real_edits_count() {
        let base = checksum(TEXT);
        assert_ne!(checksum(&TEXT.replace("a = 1", "a = 2")), base);
        // Leading whitespace and blank lines inside are content.
        assert_ne!(checksum(&TEXT.replace("UPDATE", "  UPDATE")), base);
        assert_ne!(checksum(&TEXT.replace("[]\n\n", "[]\n")), base);
        assert_ne!(checksum(&format!("\n{TEXT}")), base);
    }

    #[test]
    fn known_digest() {
        // sha256 of "a\nb", computed outside this code (`printf 'a\nb' | sha256sum`).
        assert_eq!(
            checksum("a  \r\nb\r\n"),
            "7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78"
        );
    }
}
