//! UUID text to and from the 16 bytes PostgreSQL sends. Hand-written: without the `uuid`
//! feature a UUID column reads as its hyphenated text, and a text value bound to a `uuid`
//! parameter is parsed here whether or not the `uuid` crate is compiled in.

use std::fmt::Write as _;

#[cfg_attr(feature = "uuid", allow(dead_code))]
pub(super) fn uuid_text(b: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        let _ = write!(s, "{byte:02x}");
    }
    s
}

/// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, the 32-digit form, or either in braces.
pub(super) fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let s = s.trim();
    let s = s
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .unwrap_or(s);
    let hex: Vec<u8> = match s.len() {
        32 => s.bytes().collect(),
        36 => {
            let b = s.as_bytes();
            if [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
                return None;
            }
            s.bytes().filter(|&c| c != b'-').collect()
        }
        _ => return None,
    };
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = (hi * 16 + lo) as u8;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_parse_and_print() {
        let text = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
        let b = parse_uuid(text).unwrap();
        assert_eq!(uuid_text(&b), text);
        assert_eq!(parse_uuid("{A0EEBC999C0B4EF8BB6D6BB9BD380A11}"), Some(b));
        assert_eq!(parse_uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1"), None);
        assert_eq!(parse_uuid("g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), None);
    }
}
