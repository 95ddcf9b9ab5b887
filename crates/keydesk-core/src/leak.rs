//! Finding a leaked key from its pasted plaintext. Providers never list secrets, so a key is
//! matched by what they do list: Oligon's prefix + last 4, Strait's `key_prefix`, fiskaly's
//! public `key`, or the masked form of a key we created.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::model::Key;

/// Which family a pasted key belongs to, judged from its shape alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// `sk_live_…` / `sk_test_…`: Oligon Receipts or SyncgramPay.
    SecretKey,
    /// `strait_` followed by 64 hex digits.
    Strait,
    /// Anything else (fiskaly API keys among them).
    Other,
}

/// What can be matched of a pasted key. Holds the plaintext as a [`SecretString`]:
/// `Debug` shows only the masked form.
pub struct LeakFingerprint {
    value: SecretString,
    format: KeyFormat,
    masked: String,
}

impl fmt::Debug for LeakFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeakFingerprint")
            .field("format", &self.format)
            .field("masked", &self.masked)
            .finish()
    }
}

impl LeakFingerprint {
    /// Cleans up a pasted key (surrounding whitespace and quotes, line breaks, a `Bearer `
    /// or `NAME=` in front, a trailing comma) and works out what can be matched. A paste
    /// longer than [`MAX_PASTED_KEY_BYTES`] is refused.
    pub fn parse(pasted: &str) -> Result<Self, Error> {
        if pasted.len() > MAX_PASTED_KEY_BYTES {
            return Err(Error::validation(
                "pasted",
                "That is longer than 4 KiB, which no API key is; paste only the key.",
            ));
        }
        let mut text = pasted.trim();
        if let Some((name, value)) = text.split_once('=')
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        {
            text = value;
        }
        let joined: Zeroizing<String> =
            Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect());
        let (cleaned, _) = strip_wrappers(&joined);
        let cleaned = cleaned.to_owned();
        if cleaned.is_empty() {
            return Err(Error::validation(
                "pasted",
                "Paste the full key to search for.",
            ));
        }
        if cleaned.chars().count() < 12 {
            return Err(Error::validation(
                "pasted",
                "That is too short to identify a key; paste the full key.",
            ));
        }
        let format = if cleaned.starts_with("sk_live_") || cleaned.starts_with("sk_test_") {
            KeyFormat::SecretKey
        } else if cleaned
            .strip_prefix("strait_")
            .is_some_and(|hex| hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()))
        {
            KeyFormat::Strait
        } else {
            KeyFormat::Other
        };
        let masked = mask(&cleaned, format);
        Ok(LeakFingerprint {
            value: SecretString::from(cleaned),
            format,
            masked,
        })
    }

    /// The family the key's shape suggests.
    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// A safe form to show while searching, e.g. `sk_live_…x9k2`.
    pub fn masked(&self) -> &str {
        &self.masked
    }

    /// Whether `key` is the listed form of this pasted key.
    pub fn matches(&self, key: &Key) -> bool {
        let pasted = self.value.expose_secret();
        match Fragment::of(key) {
            Some(Fragment::KeyPrefix { prefix, last4 }) => {
                pasted.starts_with(prefix.as_str())
                    && last4.is_none_or(|last4| pasted.ends_with(last4.as_str()))
            }
            Some(Fragment::TypeAndLast4 { prefix, last4 }) => {
                let prefix = prefix.trim_end_matches('_');
                pasted.len() > prefix.len()
                    && pasted.starts_with(prefix)
                    && pasted[prefix.len()..].starts_with('_')
                    && pasted.ends_with(last4.as_str())
            }
            Some(Fragment::Public(public)) => pasted == public,
            Some(Fragment::Masked { head, tail }) => {
                pasted.starts_with(head) && pasted.ends_with(tail)
            }
            None => false,
        }
    }
}

/// The longest paste [`LeakFingerprint::parse`] takes, in bytes. No provider's key is longer
/// than about 100 characters, so 4 KiB leaves room for any quoting or `Bearer ` around one,
/// and the bound keeps cleaning and matching cheap whatever is pasted.
pub const MAX_PASTED_KEY_BYTES: usize = 4096;

/// `text` without the quotes, trailing commas/semicolons and `Bearer` prefixes wrapped
/// around it, however deeply nested, and how many rounds that took. Each round only narrows
/// a slice, by at least one character unless it is the last, so the whole costs time linear
/// in what it removes (copying the text each round made 256k `Bearer `s take 7.9 s).
fn strip_wrappers(mut text: &str) -> (&str, usize) {
    let mut rounds = 0;
    loop {
        rounds += 1;
        let before = text.len();
        text = text
            .trim_end_matches([',', ';'])
            .trim_matches(['"', '\'', '`', '“', '”', '‘', '’']);
        if text.len() > 12
            && let Some(rest) = text.strip_prefix("Bearer")
        {
            text = rest;
        }
        if text.len() == before {
            return (text, rounds);
        }
    }
}

/// Whether `key`, as listed, shows any part of the key a pasted one can be matched against.
/// SyncgramPay's lists show none: a leaked SyncgramPay key cannot be found by its text.
pub fn lists_fragment(key: &Key) -> bool {
    Fragment::of(key).is_some()
}

/// The part of a key its listing shows, in the order it is trusted.
enum Fragment<'a> {
    /// Strait: the first 12 characters as `key_prefix` (and the last 4 where listed).
    KeyPrefix {
        prefix: String,
        last4: Option<String>,
    },
    /// Oligon (and any SyncgramPay deployment that lists them): type prefix + last 4.
    TypeAndLast4 { prefix: String, last4: String },
    /// fiskaly lists the whole public key.
    Public(String),
    /// Last resort: the masked form, `head…tail`, with at least four known characters at the
    /// end.
    Masked { head: &'a str, tail: &'a str },
}

impl<'a> Fragment<'a> {
    fn of(key: &'a Key) -> Option<Self> {
        let raw = key.raw.to_value();
        let field = |name: &str| {
            raw.get(name)
                .and_then(Value::as_str)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        if let Some(prefix) = field("key_prefix").filter(|prefix| prefix.len() >= 8) {
            return Some(Fragment::KeyPrefix {
                prefix,
                last4: field("last4"),
            });
        }
        if let (Some(prefix), Some(last4)) = (field("prefix"), field("last4")) {
            return Some(Fragment::TypeAndLast4 { prefix, last4 });
        }
        if let Some(public) = field("key") {
            return Some(Fragment::Public(public));
        }
        match key.masked.split_once('…') {
            Some((head, tail)) if tail.chars().count() >= 4 && !head.is_empty() => {
                Some(Fragment::Masked { head, tail })
            }
            _ => None,
        }
    }
}

fn mask(key: &str, format: KeyFormat) -> String {
    let chars: Vec<char> = key.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    let head_len = match format {
        KeyFormat::SecretKey => 8,
        KeyFormat::Strait => 12,
        KeyFormat::Other => 4.min(chars.len() / 4),
    };
    let head: String = chars[..head_len.min(chars.len())].iter().collect();
    format!("{head}…{tail}")
}

/// One key that matches a pasted leak, and whose inventory it was found in.
#[derive(Debug, Clone)]
pub struct LeakMatch<C> {
    /// The connection (or whatever the caller identifies inventories by).
    pub connection: C,
    /// The matching key.
    pub key: Key,
}

/// The outcome of a leaked-key search.
#[derive(Debug, Clone)]
pub struct LeakResult<C> {
    /// Every key that matches.
    pub matches: Vec<LeakMatch<C>>,
    /// More than one key matches (prefix + last 4 can collide): the user must choose.
    pub ambiguous: bool,
    /// Inventories whose keys show no part of a key (SyncgramPay): the key may be among
    /// them without matching, so the search there proves nothing.
    pub blind: Vec<C>,
}

/// Searches `inventories` (each labelled by the caller's connection id) for `fingerprint`.
pub fn find_leaked<C: Clone>(
    fingerprint: &LeakFingerprint,
    inventories: &[(C, &[Key])],
) -> LeakResult<C> {
    let matches: Vec<LeakMatch<C>> = inventories
        .iter()
        .flat_map(|(connection, keys)| {
            keys.iter()
                .filter(|key| fingerprint.matches(key))
                .map(|key| LeakMatch {
                    connection: connection.clone(),
                    key: key.clone(),
                })
        })
        .collect();
    let ambiguous = matches.len() > 1;
    let blind = inventories
        .iter()
        .filter(|(_, keys)| !keys.is_empty() && !keys.iter().any(lists_fragment))
        .map(|(connection, _)| connection.clone())
        .collect();
    LeakResult {
        matches,
        ambiguous,
        blind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_key;
    use crate::model::ProviderKind;
    use serde_json::json;

    const STRAIT_KEY: &str =
        "strait_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn oligon(id: &str, prefix: &str, last4: &str) -> Key {
        decode_key(
            ProviderKind::Oligon,
            &json!({"id": id, "name": id, "prefix": prefix, "last4": last4}),
        )
        .unwrap()
    }

    #[test]
    fn pasted_noise_is_cleaned() {
        for pasted in [
            " \"sk_live_aB3dEfGhIjKlx9k2\" \n",
            "'sk_live_aB3dEfGh\nIjKlx9k2',",
            "OLIGON_KEY=sk_live_aB3dEfGhIjKlx9k2",
            "Bearer sk_live_aB3dEfGhIjKlx9k2",
            "`sk_live_aB3dEfGhIjKlx9k2`",
        ] {
            let fingerprint = LeakFingerprint::parse(pasted).unwrap();
            assert_eq!(fingerprint.format(), KeyFormat::SecretKey, "{pasted:?}");
            assert_eq!(fingerprint.masked(), "sk_live_…x9k2");
        }
        assert_eq!(
            LeakFingerprint::parse("  ").unwrap_err().field(),
            Some("pasted")
        );
        assert!(LeakFingerprint::parse("sk_live_x").is_err());
    }

    #[test]
    fn a_paste_over_4_kib_is_refused_and_one_at_the_cap_parses() {
        let huge = format!("{}sk_live_aB3dEfGhIjKlx9k2", "Bearer ".repeat(256 * 1024));
        let error = LeakFingerprint::parse(&huge).unwrap_err();
        assert_eq!(error.field(), Some("pasted"));
        assert!(error.to_string().contains("4 KiB"), "{error}");

        let key = "sk_live_aB3dEfGhIjKlx9k2";
        // Each wrapper is `"Bearer ` in front and `",` behind: 10 bytes.
        let wrappers = (MAX_PASTED_KEY_BYTES - key.len() - 2) / 10;
        let worst = format!(
            "{}\"{key}\"{}",
            "\"Bearer ".repeat(wrappers),
            "\",".repeat(wrappers)
        );
        assert!(worst.len() > MAX_PASTED_KEY_BYTES - 10 && worst.len() <= MAX_PASTED_KEY_BYTES);
        let fingerprint = LeakFingerprint::parse(&worst).unwrap();
        assert_eq!(fingerprint.masked(), "sk_live_…x9k2");
        assert_eq!(fingerprint.format(), KeyFormat::SecretKey);
    }

    #[test]
    fn stripping_nested_prefixes_takes_one_round_per_prefix() {
        for depth in [0, 1, 10, 500] {
            let text = format!("{}sk_live_aB3dEfGhIjKlx9k2", "Bearer".repeat(depth));
            let (cleaned, rounds) = strip_wrappers(&text);
            assert_eq!(cleaned, "sk_live_aB3dEfGhIjKlx9k2");
            assert_eq!(rounds, depth + 1);
        }
        let (cleaned, rounds) = strip_wrappers("\"'`sk_live_aB3dEfGhIjKlx9k2`'\",;,");
        assert_eq!(cleaned, "sk_live_aB3dEfGhIjKlx9k2");
        assert_eq!(rounds, 2);
    }

    #[test]
    fn debug_never_shows_the_key() {
        let fingerprint = LeakFingerprint::parse("sk_live_aB3dEfGhIjKlx9k2").unwrap();
        assert!(!format!("{fingerprint:?}").contains("aB3dEfGh"));
    }

    #[test]
    fn oligon_match_by_prefix_and_last4_across_connections() {
        let fingerprint = LeakFingerprint::parse("sk_live_aB3dEfGhIjKlx9k2").unwrap();
        let first = [
            oligon("a", "sk_live", "x9k2"),
            oligon("b", "sk_test", "x9k2"),
        ];
        let second = [oligon("c", "sk_live", "0000")];
        let result = find_leaked(&fingerprint, &[("one", &first[..]), ("two", &second[..])]);
        assert_eq!(result.matches.len(), 1);
        assert_eq!(result.matches[0].connection, "one");
        assert_eq!(result.matches[0].key.id, "a");
        assert!(!result.ambiguous);
    }

    #[test]
    fn colliding_last4_is_ambiguous() {
        let fingerprint = LeakFingerprint::parse("sk_test_zzzzzzzzzzzzabcd").unwrap();
        let keys = [
            oligon("a", "sk_test", "abcd"),
            oligon("b", "sk_test", "abcd"),
        ];
        let result = find_leaked(&fingerprint, &[(1, &keys[..])]);
        assert!(result.ambiguous);
        assert_eq!(result.matches.len(), 2);
    }

    #[test]
    fn strait_and_fiskaly_matches() {
        let fingerprint = LeakFingerprint::parse(STRAIT_KEY).unwrap();
        assert_eq!(fingerprint.format(), KeyFormat::Strait);
        let strait = decode_key(
            ProviderKind::Strait,
            &json!({"id": "s1", "key_prefix": &STRAIT_KEY[..12]}),
        )
        .unwrap();
        let other = decode_key(
            ProviderKind::Strait,
            &json!({"id": "s2", "key_prefix": "strait_fffff"}),
        )
        .unwrap();
        let result = find_leaked(&fingerprint, &[((), &[strait, other][..])]);
        assert_eq!(result.matches.len(), 1);
        assert_eq!(result.matches[0].key.id, "s1");

        let fiskaly = decode_key(
            ProviderKind::Fiskaly,
            &json!({"_id": "f1", "key": "test_fakepublickey0001"}),
        )
        .unwrap();
        let pasted = LeakFingerprint::parse("\"test_fakepublickey0001\"").unwrap();
        assert!(pasted.matches(&fiskaly));
        assert!(
            !LeakFingerprint::parse("test_fakepublickey0002")
                .unwrap()
                .matches(&fiskaly)
        );
    }

    #[test]
    fn syncgram_lists_no_fragment_so_its_inventory_is_reported_blind() {
        let syncgram = decode_key(
            ProviderKind::Syncgram,
            &json!({"api_key_id": "key_abc123", "key_name": "Production key", "is_active": true,
                    "created_at": "2024-01-15T10:00:00Z"}),
        )
        .unwrap();
        assert!(!lists_fragment(&syncgram));
        let listed = oligon("o1", "sk_live", "x9k2");
        assert!(lists_fragment(&listed));

        let fingerprint = LeakFingerprint::parse("sk_live_aB3dEfGhIjKlx9k2").unwrap();
        let syncgram_keys = [syncgram];
        let oligon_keys = [listed];
        let result = find_leaked(
            &fingerprint,
            &[
                ("payments", &syncgram_keys[..]),
                ("receipts", &oligon_keys[..]),
                ("empty", &[][..]),
            ],
        );
        assert_eq!(result.matches.len(), 1);
        assert_eq!(result.matches[0].connection, "receipts");
        assert_eq!(result.blind, ["payments"], "an empty list hides nothing");
    }
}
