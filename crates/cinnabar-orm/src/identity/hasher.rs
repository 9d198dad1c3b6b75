//! [`KeyHasher`]: the identity map's hash function. An integer key keeps its low bits, so
//! loading a table in key order fills the map's memory in order.

use std::hash::Hasher as _;

/// Hashes identity-map keys. A key that is one integer (the usual generated key) keeps its
/// low bits as they are, so consecutive keys land in consecutive buckets: loading a table in
/// key order writes the map's memory in order instead of scattering every insert over it
/// (FxHash multiplies and rotates, which spreads neighbours across the whole table). The top
/// seven bits, which hashbrown compares first, come from a multiplicative hash so they still
/// tell keys apart. Higher bits are folded into the low ones in steps of eleven bits, so keys
/// that differ only above their low bits (Snowflake-style ids with a constant worker and
/// sequence part, multiples of a power of two) still spread over the buckets instead of all
/// landing on one probe chain; keys below 2,048 keep their exact low bits, and every aligned
/// run of 2,048 consecutive keys stays in one block. Any other key (text, composite, bytes)
/// is hashed by FxHash.
#[derive(Default)]
pub(crate) struct KeyHasher {
    /// The single integer written so far, if that is all that was written.
    int: Option<u64>,
    fx: Option<rustc_hash::FxHasher>,
}

impl KeyHasher {
    fn fx(&mut self) -> &mut rustc_hash::FxHasher {
        let int = self.int.take();
        self.fx.get_or_insert_with(|| {
            let mut fx = rustc_hash::FxHasher::default();
            if let Some(i) = int {
                fx.write_u64(i);
            }
            fx
        })
    }

    fn int(&mut self, i: u64) {
        if self.int.is_none() && self.fx.is_none() {
            self.int = Some(i);
        } else {
            self.fx().write_u64(i);
        }
    }
}

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        match (&self.fx, self.int) {
            (Some(fx), _) => fx.finish(),
            (None, Some(i)) => {
                const TOP: u64 = !(u64::MAX >> 7);
                let folded = i ^ (i >> 11) ^ (i >> 22) ^ (i >> 33) ^ (i >> 44) ^ (i >> 55);
                (folded & !TOP) | (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) & TOP)
            }
            (None, None) => 0,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        self.fx().write(bytes);
    }

    fn write_u8(&mut self, i: u8) {
        self.int(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.int(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.int(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.int(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.int(i as u64);
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn integer_keys_keep_their_low_bits_and_spread_the_top_ones() {
        let b = std::hash::BuildHasherDefault::<KeyHasher>::default();
        let low = |k: i64| b.hash_one(k) & 0xffff;
        assert_eq!((1..=5).map(low).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5]);
        let tops: std::collections::HashSet<u64> =
            (1..=64i64).map(|k| b.hash_one(k) >> 57).collect();
        assert!(tops.len() > 32, "h2 bits should differ between neighbours");
        // Keys with constant low bits still spread over the low bits (the bucket index):
        // Snowflake-style ids (timestamp << 22 | worker << 12, sequence 0) and multiples of
        // 2^10, 2^20 and 2^32: at most two keys a bucket on average, where keeping the low
        // bits alone would put all of them in one.
        let spread = |keys: Vec<i64>| {
            let n = keys.len();
            let buckets: std::collections::HashSet<u64> =
                keys.into_iter().map(|k| b.hash_one(k) & 0xfff).collect();
            (buckets.len(), n)
        };
        for (name, keys) in [
            (
                "snowflake",
                (0..4096i64)
                    .map(|t| ((1_700_000_000_000 + t) << 22) | (5 << 12))
                    .collect::<Vec<_>>(),
            ),
            ("x1024", (0..4096i64).map(|k| k << 10).collect()),
            ("x2^20", (0..4096i64).map(|k| k << 20).collect()),
            ("x2^32", (0..4096i64).map(|k| k << 32).collect()),
        ] {
            let (used, n) = spread(keys);
            assert!(
                used * 2 >= n,
                "{name}: {n} keys in only {used} of 4096 low-bit buckets"
            );
        }
        // Composite and text keys go through FxHash; equal keys hash equally.
        assert_eq!(b.hash_one((1i64, 2i64)), b.hash_one((1i64, 2i64)));
        assert_ne!(b.hash_one((1i64, 2i64)), b.hash_one((2i64, 1i64)));
        assert_eq!(b.hash_one("a"), b.hash_one(String::from("a")));
        assert_ne!(b.hash_one(1i64), b.hash_one((1i64, 0i64)));
    }
}
