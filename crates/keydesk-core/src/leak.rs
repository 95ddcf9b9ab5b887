//! Finding a leaked key from its pasted plaintext. Providers never list secrets, so a key is
//! matched by what they do list: each provider declares the [`PastedKeyShape`] of its keys
//! and the [`ListedFragment`] its lists show (a `key_prefix`, a type prefix + last 4, the
//! public `key`); the masked form of a key we created is the last resort.

use std::fmt;

use memchr::memmem;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::fingerprint::{FingerprintKey, RememberedSecret};
use crate::model::{Key, KeyStatus, ProviderKind};

/// Which family a pasted key belongs to, judged from its shape alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyFormat {
    /// The shape of the keys these providers issue.
    Issued(Vec<ProviderKind>),
    /// A shape no provider declares.
    Other,
}

/// How a provider's keys look in plaintext, so a pasted one can be told apart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PastedKeyShape {
    /// The key starts with one of these.
    pub prefixes: &'static [&'static str],
    /// Exactly this many hex digits follow the prefix, when the shape says so.
    pub hex_digits: Option<usize>,
    /// How many leading characters the masked form shows.
    pub shown_head: usize,
}

impl PastedKeyShape {
    fn fits(&self, key: &str) -> bool {
        self.prefixes.iter().any(|prefix| {
            key.strip_prefix(prefix).is_some_and(|rest| {
                self.hex_digits.is_none_or(|digits| {
                    rest.len() == digits && rest.chars().all(|c| c.is_ascii_hexdigit())
                })
            })
        })
    }
}

/// The part of a key a provider's lists show, in the order matching trusts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ListedFragment {
    /// The first characters as `key_prefix` (and `last4` where listed).
    KeyPrefix,
    /// The type prefix as `prefix` and the last four characters as `last4`.
    TypeAndLast4,
    /// The whole key as `key`: it is the public half of a pair.
    PublicKey,
}

impl ListedFragment {
    /// The raw JSON fields it is read from, quoted as in the JSON text.
    fn quoted_fields(self) -> &'static [&'static str] {
        match self {
            ListedFragment::KeyPrefix => &["\"key_prefix\""],
            ListedFragment::TypeAndLast4 => &["\"prefix\"", "\"last4\""],
            ListedFragment::PublicKey => &["\"key\""],
        }
    }

    /// Which end of a matching paste the raw text then holds verbatim (see [`EndsTest`]):
    /// a `key_prefix` of 8 or more and a whole public key hold its first 8 characters, a
    /// `last4` its last 4.
    fn shows_end(self) -> PasteEnds {
        match self {
            ListedFragment::KeyPrefix | ListedFragment::PublicKey => PasteEnds {
                head: true,
                tail: false,
            },
            ListedFragment::TypeAndLast4 => PasteEnds {
                head: false,
                tail: true,
            },
        }
    }
}

/// Which ends of a pasted key [`EndsTest`] looks for in a key's raw text: the first 8
/// characters, the last 4.
#[derive(Debug, Clone, Copy, Default)]
struct PasteEnds {
    head: bool,
    tail: bool,
}

impl PasteEnds {
    /// The ends the `listed` fragments show.
    fn shown_by(listed: &[ListedFragment]) -> Self {
        listed
            .iter()
            .map(|fragment| fragment.shows_end())
            .fold(PasteEnds::default(), |all, one| PasteEnds {
                head: all.head || one.head,
                tail: all.tail || one.tail,
            })
    }
}

/// How the unlisted half of a provider's key pair looks (fiskaly's API secret): a paste of
/// this shape that matches nothing was probably that half, and the listed one would match.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PastedSecretShape {
    /// Only ASCII letters and digits, this many of them at least…
    pub min_chars: usize,
    /// …and at most.
    pub max_chars: usize,
}

impl PastedSecretShape {
    fn fits(&self, text: &str) -> bool {
        (self.min_chars..=self.max_chars).contains(&text.len())
            && text.chars().all(|c| c.is_ascii_alphanumeric())
    }
}

/// What the providers declare about their keys' text: the shapes of their keys, the
/// fragments their lists show, in the order matching trusts them, and the shapes of the
/// secrets their lists never show.
pub(crate) struct KeyShapes {
    pasted: Vec<(ProviderKind, PastedKeyShape)>,
    /// The fragments any provider lists, for keys whose provider is not known.
    listed: Vec<ListedFragment>,
    /// The fragments each provider lists.
    listed_by: Vec<(ProviderKind, Vec<ListedFragment>)>,
    secrets: Vec<(ProviderKind, PastedSecretShape)>,
}

impl KeyShapes {
    /// The shapes providers declare (in their order) and the fragments each of them lists.
    pub fn new(
        pasted: Vec<(ProviderKind, PastedKeyShape)>,
        listed_by: Vec<(ProviderKind, &[ListedFragment])>,
        secrets: Vec<(ProviderKind, PastedSecretShape)>,
    ) -> Self {
        let trusted_first = |fragments: &mut Vec<ListedFragment>| {
            fragments.sort();
            fragments.dedup();
        };
        let mut listed: Vec<ListedFragment> = listed_by
            .iter()
            .flat_map(|(_, fragments)| fragments.iter().copied())
            .collect();
        trusted_first(&mut listed);
        let listed_by = listed_by
            .into_iter()
            .map(|(provider, fragments)| {
                let mut fragments = fragments.to_vec();
                trusted_first(&mut fragments);
                (provider, fragments)
            })
            .collect();
        KeyShapes {
            pasted,
            listed,
            listed_by,
            secrets,
        }
    }

    /// The fragments `provider` lists, most trusted first.
    fn listed_by(&self, provider: ProviderKind) -> &[ListedFragment] {
        self.listed_by
            .iter()
            .find(|(declared, _)| *declared == provider)
            .map_or(&[], |(_, fragments)| fragments)
    }
}

/// What can be matched of a pasted key. Holds the plaintext as a [`SecretString`]:
/// `Debug` shows only the masked form.
pub struct LeakFingerprint {
    value: SecretString,
    format: KeyFormat,
    masked: String,
    /// Providers whose unlisted secret (never a key of a known shape) looks like this.
    secret_of: Vec<ProviderKind>,
    /// What the providers declared, for matching listed keys.
    shapes: KeyShapes,
    /// Rules out most keys before their raw JSON is read (see [`EndsTest`]).
    ends: EndsTest,
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
    /// `LeakFingerprint::parse` with the key shapes the providers declare.
    pub(crate) fn parse_among(pasted: &str, shapes: KeyShapes) -> Result<Self, Error> {
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
        let fitting: Vec<&(ProviderKind, PastedKeyShape)> = shapes
            .pasted
            .iter()
            .filter(|(_, shape)| shape.fits(&cleaned))
            .collect();
        let shown_head = fitting.first().map(|(_, shape)| shape.shown_head);
        let format = match fitting.is_empty() {
            true => KeyFormat::Other,
            false => KeyFormat::Issued(fitting.iter().map(|(provider, _)| *provider).collect()),
        };
        let masked = mask(&cleaned, shown_head);
        let secret_of = match format {
            KeyFormat::Other => shapes
                .secrets
                .iter()
                .filter(|(_, shape)| shape.fits(&cleaned))
                .map(|(provider, _)| *provider)
                .collect(),
            KeyFormat::Issued(_) => Vec::new(),
        };
        let ends = EndsTest::of(&cleaned);
        Ok(LeakFingerprint {
            value: SecretString::from(cleaned),
            format,
            masked,
            secret_of,
            shapes,
            ends,
        })
    }

    /// The family the key's shape suggests.
    pub fn format(&self) -> KeyFormat {
        self.format.clone()
    }

    /// A safe form to show while searching, e.g. `sk_live_…x9k2`.
    pub fn masked(&self) -> &str {
        &self.masked
    }

    /// The providers whose unlisted secret (fiskaly's API secret) this paste looks like.
    pub fn secret_of(&self) -> &[ProviderKind] {
        &self.secret_of
    }

    /// The fingerprint of the pasted key under `key`, to compare with remembered ones.
    pub fn fingerprint_with(&self, key: &FingerprintKey) -> String {
        key.fingerprint(self.value.expose_secret())
    }

    /// Whether `key` is the listed form of this pasted key. The key may be any provider's:
    /// every fragment some provider lists is tried.
    pub fn matches(&self, key: &Key) -> bool {
        let listed = &self.shapes.listed;
        self.matches_listed(key, listed, PasteEnds::shown_by(listed))
    }

    /// Whether `key`, listed by `provider`, is the listed form of this pasted key. Only the
    /// fragments `provider` lists are read, which is cheaper than [`Self::matches`].
    pub fn matches_from(&self, key: &Key, provider: ProviderKind) -> bool {
        self.matcher_for(provider)(key)
    }

    /// [`Self::matches_from`] with `provider`'s fragments looked up once, for a whole list.
    fn matcher_for(&self, provider: ProviderKind) -> impl Fn(&Key) -> bool + '_ {
        let listed = self.shapes.listed_by(provider);
        let ends = PasteEnds::shown_by(listed);
        move |key| self.matches_listed(key, listed, ends)
    }

    /// The keys of `keys`, listed by `provider`, that [`Self::matches_from`] accepts. The
    /// masked forms are tested first, in a loop of their own: each is a separate small
    /// allocation, and a loop that only reads them lets the processor fetch many at once,
    /// where reading one between two raw-text searches waits for each in turn.
    fn matches_in<'k>(
        &'k self,
        keys: &'k [Key],
        provider: ProviderKind,
    ) -> impl Iterator<Item = &'k Key> + 'k {
        let listed = self.shapes.listed_by(provider);
        let ends = PasteEnds::shown_by(listed);
        let masked_fits: Vec<bool> = keys.iter().map(|key| self.ends.masked_fits(key)).collect();
        keys.iter()
            .zip(masked_fits)
            .filter(move |(key, masked_fits)| {
                (*masked_fits || self.ends.raw_fits(key, ends)) && self.fragment_fits(key, listed)
            })
            .map(|(key, _)| key)
    }

    fn matches_listed(&self, key: &Key, listed: &[ListedFragment], ends: PasteEnds) -> bool {
        self.ends.could_match(key, ends) && self.fragment_fits(key, listed)
    }

    /// Whether the fragment `key` shows (the first of `listed`, or its masked form) fits
    /// the paste: the full test, after [`EndsTest`] let the key through.
    fn fragment_fits(&self, key: &Key, listed: &[ListedFragment]) -> bool {
        let pasted = self.value.expose_secret();
        match Fragment::of(key, listed) {
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

/// A cheap test that rules out most keys before their raw JSON is read, which is what
/// matching costs (150 ms over 40,000 keys when every one was parsed). Every fragment that can
/// match shows the paste's first 8 characters (a `key_prefix` of 8 or more, a whole public key)
/// or its last 4 (a `last4`; a masked form ending in them), so a key whose raw text and masked
/// form hold neither cannot match; and the raw text is searched only for the ends the
/// fragments being read show ([`ListedFragment::shows_end`]). The raw text is what the
/// server sent: no JSON encoder escapes letters, digits, `_` or `-`, so ends made of those
/// alone appear in it verbatim; a paste with other characters at its ends skips the test. It
/// holds only those ends, which the masked form shows anyway.
struct EndsTest(Option<EndFinders>);

/// The paste's first 8 and last 4 characters, and finders for them.
struct EndFinders {
    head: memmem::Finder<'static>,
    tail: memmem::Finder<'static>,
    /// The last 4 characters, which are ASCII (see [`EndsTest::of`]): compared as one word.
    tail_bytes: [u8; 4],
}

impl EndsTest {
    fn of(pasted: &str) -> Self {
        let head_end = pasted
            .char_indices()
            .nth(8)
            .map_or(pasted.len(), |(at, _)| at);
        let tail_start = pasted.char_indices().rev().nth(3).map_or(0, |(at, _)| at);
        let (head, tail) = (&pasted[..head_end], &pasted[tail_start..]);
        let plain = |text: &str| {
            text.bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
        };
        // Plain characters are ASCII, so a plain tail of 4 characters is 4 bytes.
        let tail_bytes = tail.as_bytes().try_into().ok();
        EndsTest(match tail_bytes {
            Some(tail_bytes) if plain(head) && plain(tail) => Some(EndFinders {
                head: memmem::Finder::new(head).into_owned(),
                tail: memmem::Finder::new(tail).into_owned(),
                tail_bytes,
            }),
            _ => None,
        })
    }

    /// Whether `key` may match, its raw text searched for the `shown` ends.
    fn could_match(&self, key: &Key, shown: PasteEnds) -> bool {
        self.masked_fits(key) || self.raw_fits(key, shown)
    }

    /// Whether `key`'s masked form ends as the paste does: a masked form matches only so
    /// (see `Fragment::Masked`). Always when there is no test.
    fn masked_fits(&self, key: &Key) -> bool {
        self.0
            .as_ref()
            .is_none_or(|ends| key.masked.as_bytes().last_chunk::<4>() == Some(&ends.tail_bytes))
    }

    /// Whether `key`'s raw text holds the `shown` ends of the paste. Always when there is no
    /// test.
    fn raw_fits(&self, key: &Key, shown: PasteEnds) -> bool {
        let Some(ends) = &self.0 else {
            return true;
        };
        let raw = key.raw.json().as_bytes();
        (shown.tail && ends.tail.find(raw).is_some())
            || (shown.head && ends.head.find(raw).is_some())
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

/// Whether `key`, as listed, shows any part of the key a pasted one can be matched against,
/// given what the providers declare.
pub(crate) fn shows_fragment(key: &Key, listed: &[ListedFragment]) -> bool {
    // Reading the raw JSON is the cost: a key whose text names none of the fields and whose
    // masked form has no `…` shows nothing (a SyncgramPay list of 10,000 is decided so).
    let raw = key.raw.json();
    let may_show = raw.contains('\\')
        || key.masked.contains('…')
        || listed.iter().any(|fragment| {
            fragment
                .quoted_fields()
                .iter()
                .any(|name| raw.contains(name))
        });
    may_show && Fragment::of(key, listed).is_some()
}

/// `shows_fragment` with every fragment some provider lists: for keys whose provider is
/// not known.
pub(crate) fn shows_any_fragment(key: &Key, shapes: &KeyShapes) -> bool {
    shows_fragment(key, &shapes.listed)
}

/// The part of a key its listing shows, read as a [`ListedFragment`] says.
enum Fragment<'a> {
    /// The first characters (and the last 4 where listed).
    KeyPrefix {
        prefix: String,
        last4: Option<String>,
    },
    /// Type prefix + last 4.
    TypeAndLast4 { prefix: String, last4: String },
    /// The whole public key.
    Public(String),
    /// Last resort: the masked form, `head…tail`, with at least four known characters at the
    /// end.
    Masked { head: &'a str, tail: &'a str },
}

impl<'a> Fragment<'a> {
    /// The first of the `listed` fragments (most trusted first) that `key` shows, or its
    /// masked form.
    fn of(key: &'a Key, listed: &[ListedFragment]) -> Option<Self> {
        let raw = key.raw.to_value();
        let field = |name: &str| {
            raw.get(name)
                .and_then(Value::as_str)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        // Keys do not say whose they are, so every fragment some provider lists is tried,
        // the most trusted first.
        for fragment in listed.iter().copied() {
            let found = match fragment {
                ListedFragment::KeyPrefix => field("key_prefix")
                    .filter(|prefix| prefix.len() >= 8)
                    .map(|prefix| Fragment::KeyPrefix {
                        prefix,
                        last4: field("last4"),
                    }),
                ListedFragment::TypeAndLast4 => match (field("prefix"), field("last4")) {
                    (Some(prefix), Some(last4)) => Some(Fragment::TypeAndLast4 { prefix, last4 }),
                    _ => None,
                },
                ListedFragment::PublicKey => field("key").map(Fragment::Public),
            };
            if found.is_some() {
                return found;
            }
        }
        match key.masked.split_once('…') {
            Some((head, tail)) if tail.chars().count() >= 4 && !head.is_empty() => {
                Some(Fragment::Masked { head, tail })
            }
            _ => None,
        }
    }
}

/// `head…tail`: as much of the head as the key's shape shows, or a quarter (at most 4
/// characters) of a key of no known shape, and the last 4.
fn mask(key: &str, shown_head: Option<usize>) -> String {
    let chars: Vec<char> = key.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    let head_len = shown_head.unwrap_or_else(|| 4.min(chars.len() / 4));
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
    /// Inventories whose keys show no part of a key: the key may be among them without
    /// matching, so the search there proves nothing. Empty when something matched.
    pub blind: Vec<C>,
}

/// Searches `inventories` (each labelled by the caller's connection id) for `fingerprint`.
pub fn find_leaked<C: Clone>(
    fingerprint: &LeakFingerprint,
    inventories: &[(C, &[Key])],
) -> LeakResult<C> {
    let matches = listed_matches(fingerprint, inventories);
    let blind = match matches.is_empty() {
        true => blind_inventories(fingerprint, inventories),
        false => Vec::new(),
    };
    LeakResult {
        ambiguous: matches.len() > 1,
        matches,
        blind,
    }
}

/// The keys of `inventories` whose listed fragment fits `fingerprint`.
fn listed_matches<C: Clone>(
    fingerprint: &LeakFingerprint,
    inventories: &[(C, &[Key])],
) -> Vec<LeakMatch<C>> {
    inventories
        .iter()
        .flat_map(|(connection, keys)| {
            keys.iter()
                .filter(|key| fingerprint.matches(key))
                .map(|key| LeakMatch {
                    connection: connection.clone(),
                    key: key.clone(),
                })
        })
        .collect()
}

/// The inventories none of whose keys shows a fragment. Only said when nothing matched:
/// telling costs a read of every key of such a list.
fn blind_inventories<C: Clone>(
    fingerprint: &LeakFingerprint,
    inventories: &[(C, &[Key])],
) -> Vec<C> {
    inventories
        .iter()
        .filter(|(_, keys)| {
            !keys.is_empty()
                && !keys
                    .iter()
                    .any(|key| shows_any_fragment(key, &fingerprint.shapes))
        })
        .map(|(connection, _)| connection.clone())
        .collect()
}

/// One connection's keys, as [`search_leaked`] reads them.
#[derive(Debug, Clone)]
pub struct Inventory<'a, C> {
    /// The connection (or whatever the caller identifies inventories by).
    pub connection: C,
    /// Whose API it speaks.
    pub provider: ProviderKind,
    /// Which provider account it lists (see [`account_of`]): two connections with the same
    /// account list the same keys, and a key id names one key within an account.
    pub account: String,
    /// Its keys, as listed.
    pub keys: &'a [Key],
}

/// Which provider account a connection lists: its provider, its base URL (without a
/// trailing slash) and the organisation and project it names.
pub fn account_of(config: &crate::ConnectionConfig) -> String {
    format!(
        "{}|{}|{}|{}",
        config.provider.as_str(),
        config.base_url.trim().trim_end_matches('/'),
        config.org_id.as_deref().unwrap_or_default(),
        config.project_id.as_deref().unwrap_or_default(),
    )
}

/// How a key was found to be the pasted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoundBy {
    /// Its listed fragment (prefix, last 4, public key) fits the paste: a strong hint, as
    /// fragments can collide.
    Listed,
    /// The paste's fingerprint is that of the secret `field` Keydesk remembered when it
    /// created the key: certain.
    Fingerprint {
        /// Which of the key's secrets was pasted (`api_key`, `api_secret`…).
        field: String,
    },
}

/// One key matching a pasted leak, with every connection that lists it.
#[derive(Debug, Clone)]
pub struct KeyMatch<C> {
    /// The connections listing the key (the same account), in inventory order; for a key no
    /// longer listed, the connection Keydesk created it in.
    pub connections: Vec<C>,
    /// The key as listed, or, when no longer listed, as Keydesk remembered it (status
    /// revoked: providers stop listing keys that are revoked or deleted).
    pub key: Key,
    /// How it was found.
    pub found_by: FoundBy,
    /// Whether its connection lists it now.
    pub listed: bool,
}

/// The outcome of [`search_leaked`].
#[derive(Debug, Clone)]
pub struct LeakSearchResult<C> {
    /// Every matching key, once, however many connections list it.
    pub matches: Vec<KeyMatch<C>>,
    /// More than one key matches (fragments can collide): the user must choose.
    pub ambiguous: bool,
    /// Inventories whose keys show no part of a key (see [`LeakResult::blind`]).
    pub blind: Vec<C>,
    /// When nothing matched: the connections whose provider issues unlisted secrets shaped
    /// like the paste (fiskaly's API secret), where pasting the listed half would find it.
    pub secret_of: Vec<C>,
}

/// Searches `inventories` for `fingerprint` by listed fragments and, with `remembered`, by
/// the fingerprints of secrets Keydesk created (each labelled by the connection it was
/// created in). A key listed by several connections of one account is one match. A
/// remembered key its connection no longer lists is still a match; one of a connection that
/// is not among `inventories` (its list failed) is not.
pub fn search_leaked<C: Clone + PartialEq>(
    fingerprint: &LeakFingerprint,
    inventories: &[Inventory<'_, C>],
    remembered: Option<(&FingerprintKey, &[(C, &RememberedSecret)])>,
) -> LeakSearchResult<C> {
    // Each inventory is read for the fragments its provider lists, no others.
    let listed: Vec<(usize, &Key)> = inventories
        .iter()
        .enumerate()
        .flat_map(|(index, inventory)| {
            fingerprint
                .matches_in(inventory.keys, inventory.provider)
                .map(move |key| (index, key))
        })
        .collect();
    // (inventory index, key id) of each match; the key and how it was found.
    let mut found: Vec<(usize, KeyMatch<usize>)> = Vec::new();
    let mut add = |index: usize, key: &Key, found_by: FoundBy, listed: bool| {
        let account = &inventories[index].account;
        let same = found.iter_mut().find(|(other, known)| {
            known.key.id == key.id && inventories[*other].account == *account
        });
        match same {
            // A fingerprint is certain; a fragment only fits.
            Some((_, known)) if found_by != FoundBy::Listed => known.found_by = found_by,
            Some(_) => {}
            None => found.push((
                index,
                KeyMatch {
                    connections: Vec::new(),
                    key: key.clone(),
                    found_by,
                    listed,
                },
            )),
        }
    };
    for (index, key) in listed {
        add(index, key, FoundBy::Listed, true);
    }
    if let Some((hmac_key, remembered)) = remembered {
        let pasted = fingerprint.fingerprint_with(hmac_key);
        let pasted_head = pasted.as_bytes().first_chunk::<8>();
        for (connection, secret) in remembered {
            // Nearly every fingerprint differs in its first 8 bytes: compared as one word,
            // without a call per remembered secret.
            if secret.fingerprint.as_bytes().first_chunk::<8>() != pasted_head
                || secret.fingerprint != pasted
            {
                continue;
            }
            let Some(index) = inventories
                .iter()
                .position(|inventory| inventory.connection == *connection)
            else {
                continue;
            };
            let found_by = FoundBy::Fingerprint {
                field: secret.field.clone(),
            };
            match inventories[index]
                .keys
                .iter()
                .find(|k| k.id == secret.key_id)
            {
                Some(key) => add(index, key, found_by, true),
                None => add(index, &unlisted(secret), found_by, false),
            }
        }
    }
    let matches: Vec<KeyMatch<C>> = found
        .into_iter()
        .map(|(index, found)| {
            let account = &inventories[index].account;
            let mut connections: Vec<C> = inventories
                .iter()
                .enumerate()
                .filter(|(other, inventory)| {
                    // A listed match was taken from the list at `index`: no need to look.
                    inventory.account == *account
                        && ((*other == index && found.listed)
                            || inventory.keys.iter().any(|key| key.id == found.key.id))
                })
                .map(|(_, inventory)| inventory)
                .map(|inventory| inventory.connection.clone())
                .collect();
            if connections.is_empty() {
                connections.push(inventories[index].connection.clone());
            }
            KeyMatch {
                connections,
                key: found.key,
                found_by: found.found_by,
                listed: found.listed,
            }
        })
        .collect();
    let secret_of = match matches.is_empty() {
        true => inventories
            .iter()
            .filter(|inventory| fingerprint.secret_of.contains(&inventory.provider))
            .map(|inventory| inventory.connection.clone())
            .collect(),
        false => Vec::new(),
    };
    LeakSearchResult {
        ambiguous: matches.len() > 1,
        blind: match matches.is_empty() {
            true => inventories
                .iter()
                .filter(|inventory| {
                    let listed = fingerprint.shapes.listed_by(inventory.provider);
                    !inventory.keys.is_empty()
                        && !inventory.keys.iter().any(|key| shows_fragment(key, listed))
                })
                .map(|inventory| inventory.connection.clone())
                .collect(),
            false => Vec::new(),
        },
        matches,
        secret_of,
    }
}

/// A remembered key its connection no longer lists, as far as Keydesk knows it.
fn unlisted(secret: &RememberedSecret) -> Key {
    Key {
        created_at: Some(secret.created_at),
        ..Key::bare(
            secret.key_id.clone(),
            secret.key_name.clone(),
            secret.masked.clone(),
            KeyStatus::Revoked,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
