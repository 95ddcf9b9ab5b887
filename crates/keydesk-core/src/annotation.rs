//! What an admin notes about a key locally (owner, note, tags) and the `owner:` / `tag:`
//! search terms over it. Metadata only: never a secret, never sent to a provider.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::validate::is_control_or_bidi;

/// Longest owner, in characters.
pub const MAX_OWNER_CHARS: usize = 100;
/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 1_000;
/// Most tags on one key.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 40;

/// An admin's local notes on one key (by connection and key id), kept by the app and carried
/// over to a rotated key's successor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Annotation {
    /// Who answers for the key (a person or a team), free text.
    pub owner: Option<String>,
    /// Anything worth knowing about the key.
    pub note: Option<String>,
    /// Short labels of `a-z`, `0-9`, `-`, `_` and `:` for filtering (`tag:billing`).
    pub tags: Vec<String>,
}

impl Annotation {
    /// The owner, unless it is missing or blank.
    pub fn owner(&self) -> Option<&str> {
        self.owner
            .as_deref()
            .map(str::trim)
            .filter(|owner| !owner.is_empty())
    }

    /// Checks the documented limits; the error names the field (`owner`, `note`, `tags`).
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(owner) = &self.owner {
            check_text("owner", "The owner", owner, MAX_OWNER_CHARS)?;
        }
        if let Some(note) = &self.note {
            check_text("note", "The note", note, MAX_NOTE_CHARS)?;
        }
        if self.tags.len() > MAX_TAGS {
            return Err(Error::validation(
                "tags",
                format!("A key takes at most {MAX_TAGS} tags."),
            ));
        }
        for tag in &self.tags {
            let allowed = |c: char| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | ':')
            };
            if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS || !tag.chars().all(allowed) {
                return Err(Error::validation(
                    "tags",
                    format!(
                        "Each tag is 1–{MAX_TAG_CHARS} characters of a-z, 0-9, '-', '_' or ':'."
                    ),
                ));
            }
        }
        Ok(())
    }
}

fn check_text(field: &str, what: &str, text: &str, max_chars: usize) -> Result<(), Error> {
    if text.chars().count() > max_chars {
        return Err(Error::validation(
            field,
            format!("{what} is at most {max_chars} characters."),
        ));
    }
    if let Some(found) = text.chars().find(|c| is_control_or_bidi(*c)) {
        return Err(Error::validation(
            field,
            format!(
                "{what} must not contain control characters or text-direction marks (it has U+{:04X}).",
                u32::from(found)
            ),
        ));
    }
    Ok(())
}

/// Whether `annotation` matches one search term: `Some(true/false)` for `owner:…` (the owner
/// contains the rest, case-insensitively) and `tag:…` (a tag equals the rest,
/// case-insensitively); `None` when `term` is neither, so the caller applies its own text
/// search. A key without an annotation is matched against `Annotation::default()`.
pub fn matches_annotation_query(term: &str, annotation: &Annotation) -> Option<bool> {
    let term = term.trim();
    let (field, wanted) = term.split_once(':')?;
    let wanted = wanted.trim().to_lowercase();
    match field.to_ascii_lowercase().as_str() {
        "owner" => Some(
            annotation
                .owner()
                .is_some_and(|owner| owner.to_lowercase().contains(&wanted)),
        ),
        "tag" => Some(
            annotation
                .tags
                .iter()
                .any(|tag| tag.to_lowercase() == wanted),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(annotation: &Annotation) -> Option<String> {
        annotation
            .validate()
            .err()
            .and_then(|error| error.field().map(str::to_owned))
    }

    #[test]
    fn limits_name_the_field_they_break() {
        let fine = Annotation {
            owner: Some("Ana (payments)".into()),
            note: Some("Used by the nightly export.".into()),
            tags: vec!["billing".into(), "team:pay_ops-2".into()],
        };
        assert_eq!(field_of(&fine), None);
        let at_limits = Annotation {
            owner: Some("o".repeat(MAX_OWNER_CHARS)),
            note: Some("é".repeat(MAX_NOTE_CHARS)),
            tags: vec!["t".repeat(MAX_TAG_CHARS); MAX_TAGS],
        };
        assert_eq!(field_of(&at_limits), None);

        let owner = |owner: String| Annotation {
            owner: Some(owner),
            ..fine.clone()
        };
        let note = |note: String| Annotation {
            note: Some(note),
            ..fine.clone()
        };
        let tags = |tags: Vec<String>| Annotation {
            tags,
            ..fine.clone()
        };
        let cases = [
            (owner("o".repeat(MAX_OWNER_CHARS + 1)), "owner"),
            (owner("Ana\u{202e}".into()), "owner"),
            (note("n".repeat(MAX_NOTE_CHARS + 1)), "note"),
            (note("line\u{1b}[2J".into()), "note"),
            (tags(vec!["t".into(); MAX_TAGS + 1]), "tags"),
            (tags(vec!["t".repeat(MAX_TAG_CHARS + 1)]), "tags"),
            (tags(vec!["Billing".into()]), "tags"),
            (tags(vec![String::new()]), "tags"),
        ];
        for (annotation, field) in cases {
            assert_eq!(
                field_of(&annotation).as_deref(),
                Some(field),
                "{annotation:?}"
            );
        }
    }

    #[test]
    fn owner_and_tag_terms_match_and_other_terms_are_left_to_the_caller() {
        let annotation = Annotation {
            owner: Some("Ana Lima".into()),
            note: None,
            tags: vec!["billing".into(), "team:pay".into()],
        };
        for (term, expected) in [
            ("owner:ana", Some(true)),
            ("OWNER:LIMA", Some(true)),
            ("owner:bo", Some(false)),
            ("tag:billing", Some(true)),
            ("tag:team:pay", Some(true)),
            ("tag:bill", Some(false)),
            ("billing", None),
            ("scope:read", None),
        ] {
            assert_eq!(
                matches_annotation_query(term, &annotation),
                expected,
                "{term}"
            );
        }
        let blank = Annotation {
            owner: Some("  ".into()),
            ..Annotation::default()
        };
        assert_eq!(matches_annotation_query("owner:", &blank), Some(false));
        assert_eq!(blank.owner(), None);
    }
}
