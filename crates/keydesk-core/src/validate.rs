//! The documents' rules for drafts, checked before any request so a bad form never costs a
//! round trip (and never half-creates a key). The rules come from each provider's
//! [`FieldSpec`]s, as the UI's form checks them; a provider adds only what a field spec
//! cannot say (see its `validate`).

use std::collections::{BTreeMap, BTreeSet};

use crate::capabilities::{Capabilities, FieldKind, FieldSpec};
use crate::error::Error;
use crate::model::{KeyDraft, ProviderKind};

mod pattern;

/// Refuses every draft property the provider has no field for, then checks `draft` against
/// the field specs of `caps`, in display order.
pub(crate) fn check_fields(caps: &Capabilities, draft: &KeyDraft) -> Result<(), Error> {
    for name in DRAFT_FIELDS {
        if caps.field(name).is_none() {
            reject_set(caps.provider, name, is_set(draft, name))?;
        }
    }
    for spec in &caps.create_fields {
        check_field(spec, draft)?;
    }
    Ok(())
}

/// Checks the one field `name` of `draft` against its spec in `caps` (none: nothing to check).
pub(crate) fn check_field_named(
    caps: &Capabilities,
    draft: &KeyDraft,
    name: &str,
) -> Result<(), Error> {
    caps.field(name)
        .map_or(Ok(()), |spec| check_field(spec, draft))
}

/// Every property of a [`KeyDraft`], in declaration order.
const DRAFT_FIELDS: [&str; 8] = [
    "name",
    "scopes",
    "environment",
    "expires_in_days",
    "metadata",
    "kind",
    "rotation_interval_days",
    "rotation_webhook_url",
];

/// Free-form scopes (no options listed): at most this many characters, no spaces.
const MAX_FREE_SCOPE_LENGTH: usize = 100;

/// A draft property's value, as a field spec checks it.
enum Value<'a> {
    Text(Option<&'a str>),
    List(&'a [String]),
    Choice(Option<&'static str>),
    Number(Option<u32>),
    Map(&'a BTreeMap<String, String>),
}

fn value<'a>(draft: &'a KeyDraft, name: &str) -> Value<'a> {
    match name {
        "name" => Value::Text(Some(draft.name.as_str())),
        "scopes" => Value::List(&draft.scopes),
        "environment" => Value::Choice(draft.environment.map(|environment| environment.as_str())),
        "expires_in_days" => Value::Number(draft.expires_in_days),
        "metadata" => Value::Map(&draft.metadata),
        "kind" => Value::Text(draft.kind.as_deref()),
        "rotation_interval_days" => Value::Number(draft.rotation_interval_days),
        "rotation_webhook_url" => Value::Text(draft.rotation_webhook_url.as_deref()),
        _ => Value::Text(None),
    }
}

/// Whether the user filled `name` in (blank text counts as empty).
fn is_set(draft: &KeyDraft, name: &str) -> bool {
    match value(draft, name) {
        Value::Text(text) => text.is_some_and(|text| !text.trim().is_empty()),
        Value::List(list) => !list.is_empty(),
        Value::Choice(choice) => choice.is_some(),
        Value::Number(number) => number.is_some(),
        Value::Map(map) => !map.is_empty(),
    }
}

fn check_field(spec: &FieldSpec, draft: &KeyDraft) -> Result<(), Error> {
    let field = spec.name.as_str();
    if !is_set(draft, field) {
        return match (spec.required, spec.kind) {
            (false, _) => Ok(()),
            (true, FieldKind::Scopes) => {
                // Each listed scope is checked before the list is found empty.
                Err(Error::validation(field, "Choose at least one scope."))
            }
            (true, _) => Err(Error::validation(
                field,
                format!("{} is required.", the(field_label(field, spec))),
            )),
        };
    }
    if let Some(needed) = &spec.requires
        && !is_set(draft, needed)
    {
        return Err(Error::validation(
            field,
            format!(
                "{} needs {} ({needed}).",
                the(field_label(field, spec)),
                the(&other_label(needed)).to_lowercase()
            ),
        ));
    }
    match value(draft, field) {
        Value::Text(Some(text)) => check_text(spec, text),
        Value::List(scopes) => check_scopes(spec, scopes),
        Value::Choice(Some(choice)) => check_choice(spec, choice),
        Value::Number(Some(number)) => {
            check_number(spec, number)?;
            check_less_than(spec, draft, number)
        }
        Value::Map(entries) => check_metadata(spec, entries),
        Value::Text(None) | Value::Choice(None) | Value::Number(None) => Ok(()),
    }
}

fn check_text(spec: &FieldSpec, text: &str) -> Result<(), Error> {
    let field = spec.name.as_str();
    let label = the(field_label(field, spec));
    check_plain_text(field, &label, text)?;
    if let Some(pattern) = &spec.pattern {
        let matches = pattern::matches(pattern, text)
            .ok_or_else(|| Error::internal(format!("The rule for {field} cannot be checked.")))?;
        if !matches {
            let hint = spec
                .pattern_hint
                .as_deref()
                .unwrap_or("in the expected format");
            // Name what breaks the rule: the characters it never allows, else the value.
            let refused = pattern::refused_chars(pattern, text).unwrap_or_default();
            let message = if refused.is_empty() {
                format!("{label} {text:?} must be {hint}.")
            } else {
                format!(
                    "{label} cannot contain {} ({hint}).",
                    quoted_chars(&refused)
                )
            };
            return Err(Error::validation(field, message));
        }
    }
    let length = text.chars().count();
    let too_short = spec.min_length.is_some_and(|min| length < min as usize);
    let too_long = spec.max_length.is_some_and(|max| length > max as usize);
    if too_short || too_long {
        let rule = match (spec.min_length, spec.max_length) {
            (Some(min), Some(max)) => format!("{min}–{max}"),
            (Some(min), None) => format!("at least {min}"),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => String::new(),
        };
        return Err(Error::validation(
            field,
            format!("{label} must be {rule} characters long (it has {length})."),
        ));
    }
    if spec.kind == FieldKind::Url && !is_web_url(text) {
        return Err(Error::validation(
            field,
            format!("{label} must be an https:// address."),
        ));
    }
    if spec.kind == FieldKind::Select && !spec.options.is_empty() {
        return check_choice(spec, text);
    }
    Ok(())
}

/// https with a host, or plain http on this machine.
fn is_web_url(text: &str) -> bool {
    match url::Url::parse(text) {
        Ok(url) if url.scheme() == "https" && url.host().is_some() => true,
        Ok(url) => url.scheme() == "http" && crate::connect::is_loopback(&url),
        Err(_) => false,
    }
}

fn check_scopes(spec: &FieldSpec, scopes: &[String]) -> Result<(), Error> {
    let field = spec.name.as_str();
    let mut seen = BTreeSet::new();
    for scope in scopes {
        if spec.options.is_empty() {
            check_plain_text(field, "A scope", scope)?;
            if scope.is_empty()
                || scope.chars().count() > MAX_FREE_SCOPE_LENGTH
                || scope.chars().any(char::is_whitespace)
            {
                let rule = format!("1–{MAX_FREE_SCOPE_LENGTH} characters without spaces");
                let message = if scope.is_empty() {
                    format!("Each scope must be {rule}.")
                } else {
                    format!("The scope {scope:?} must be {rule}.")
                };
                return Err(Error::validation(field, message));
            }
        } else if !spec.options.contains(scope) {
            return Err(Error::validation(
                field,
                format!("Unknown scope {scope:?}: use {}.", spec.options.join(", ")),
            ));
        }
        if !seen.insert(scope) {
            return Err(Error::validation(
                field,
                format!("The scope {scope:?} is listed twice."),
            ));
        }
    }
    Ok(())
}

fn check_choice(spec: &FieldSpec, choice: &str) -> Result<(), Error> {
    if spec.options.is_empty() || spec.options.iter().any(|option| option == choice) {
        return Ok(());
    }
    Err(Error::validation(
        &spec.name,
        format!("Choose one of: {}.", spec.options.join(", ")),
    ))
}

fn check_number(spec: &FieldSpec, number: u32) -> Result<(), Error> {
    let too_small = spec.min.is_some_and(|min| number < min);
    let too_big = spec.max.is_some_and(|max| number > max);
    if !too_small && !too_big {
        return Ok(());
    }
    let field = spec.name.as_str();
    let unit = if field.ends_with("_days") {
        " days"
    } else {
        ""
    };
    let rule = match (spec.min, spec.max) {
        (Some(min), Some(max)) => format!("between {min} and {max}{unit}"),
        (Some(min), None) => format!("at least {min}{unit}"),
        (None, Some(max)) => format!("at most {max}{unit}"),
        (None, None) => String::new(),
    };
    Err(Error::validation(
        field,
        format!("{} must be {rule}.", field_label(field, spec)),
    ))
}

/// Refuses `number` unless it is below the field `spec.less_than` names, when that is set.
fn check_less_than(spec: &FieldSpec, draft: &KeyDraft, number: u32) -> Result<(), Error> {
    let Some(other) = &spec.less_than else {
        return Ok(());
    };
    let Value::Number(Some(limit)) = value(draft, other) else {
        return Ok(());
    };
    if number < limit {
        return Ok(());
    }
    let field = spec.name.as_str();
    let (unit, below) = if field.ends_with("_days") {
        (" days", "shorter than")
    } else {
        ("", "less than")
    };
    Err(Error::validation(
        field,
        format!(
            "{} ({number}{unit}) must be {below} {} ({limit}{unit}).",
            the(field_label(field, spec)),
            the(&other_label(other)).to_lowercase()
        ),
    ))
}

/// `"B", a space or "N"`: characters as a message names them.
fn quoted_chars(chars: &[char]) -> String {
    let named: Vec<String> = chars
        .iter()
        .map(|c| match c {
            ' ' => "a space".to_owned(),
            c => format!("\"{c}\""),
        })
        .collect();
    match named.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn check_metadata(spec: &FieldSpec, entries: &BTreeMap<String, String>) -> Result<(), Error> {
    let field = spec.name.as_str();
    if let Some(max) = spec.max_entries
        && entries.len() > max as usize
    {
        return Err(Error::validation(
            field,
            format!(
                "Metadata can have at most {max} entries (it has {}).",
                entries.len()
            ),
        ));
    }
    for (key, value) in entries {
        check_plain_text(field, "A metadata key", key)?;
        check_plain_text(field, "A metadata value", value)?;
        let key_length = key.chars().count();
        if key_length == 0 {
            return Err(Error::validation(field, "Each metadata entry needs a key."));
        }
        if let Some(max) = spec.max_key_length
            && key_length > max as usize
        {
            return Err(Error::validation(
                field,
                format!("The metadata key {key:?} is longer than {max} characters."),
            ));
        }
        if let Some(max) = spec.max_value_length
            && value.chars().count() > max as usize
        {
            return Err(Error::validation(
                field,
                format!("The metadata value of {key:?} is longer than {max} characters."),
            ));
        }
    }
    Ok(())
}

/// Whether `c` changes how text around it is shown instead of being shown itself: a C0 or
/// C1 control (ESC sequences, CR/LF, DEL), a line or paragraph separator, or a bidi mark,
/// embedding, override or isolate (U+061C, U+200E/U+200F, U+202A–U+202E, U+2066–U+2069).
/// Names holding one can forge table rows or retitle a terminal, so Keydesk never sends one
/// and escapes them where it prints text a server sent.
pub fn is_control_or_bidi(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Refuses `text` (the value of `field`, called `what` in the message) when it holds a
/// character [`is_control_or_bidi`] picks.
fn check_plain_text(field: &str, what: &str, text: &str) -> Result<(), Error> {
    match text.chars().find(|c| is_control_or_bidi(*c)) {
        Some(found) => Err(Error::validation(
            field,
            format!(
                "{what} must not contain control characters or text-direction marks (it has U+{:04X}).",
                u32::from(found)
            ),
        )),
        None => Ok(()),
    }
}

/// Checks a rotate's grace period against the limit in the provider's `caps`.
pub(crate) fn check_grace(caps: &Capabilities, grace_minutes: Option<u32>) -> Result<(), Error> {
    let Some(minutes) = grace_minutes else {
        return Ok(());
    };
    match caps.rotate_grace {
        Some(grace) if minutes > grace.max_minutes => Err(Error::validation(
            "grace_minutes",
            format!(
                "The grace period can be at most {} minutes{}.",
                grace.max_minutes,
                in_days(grace.max_minutes)
            ),
        )),
        Some(_) => Ok(()),
        None => Err(Error::validation(
            "grace_minutes",
            format!(
                "{} keys have no grace period.",
                caps.provider.display_name()
            ),
        )),
    }
}

/// " (one week)" and the like, for a limit in minutes that is a whole number of days.
fn in_days(minutes: u32) -> String {
    const DAY: u32 = 24 * 60;
    match minutes {
        0 => String::new(),
        m if m == 7 * DAY => " (one week)".to_owned(),
        m if m % DAY == 0 => format!(" ({} days)", m / DAY),
        _ => String::new(),
    }
}

/// Refuses a property the provider has no field for.
pub(crate) fn reject_set(provider: ProviderKind, field: &str, is_set: bool) -> Result<(), Error> {
    if is_set {
        return Err(Error::validation(
            field,
            format!(
                "{} keys have no {}.",
                provider.display_name(),
                other_label(field).to_lowercase()
            ),
        ));
    }
    Ok(())
}

/// "The name" from "Name": labels start sentences as the draft's own properties do.
fn the(label: &str) -> String {
    if label.starts_with("The ") {
        return label.to_owned();
    }
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => format!("The {}{}", first.to_lowercase(), chars.as_str()),
        None => "The value".to_owned(),
    }
}

/// How messages call `field`: the name the draft's rules have always used, else its label.
fn field_label<'a>(field: &str, spec: &'a FieldSpec) -> &'a str {
    match draft_label(field) {
        Some(label) => label,
        None => &spec.label,
    }
}

fn other_label(field: &str) -> String {
    draft_label(field).unwrap_or("The value").to_owned()
}

/// The words messages use for a draft property, whichever provider's form it is on.
fn draft_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => "The name",
        "scopes" => "Scopes",
        "environment" => "Environment",
        "expires_in_days" => "The lifetime",
        "metadata" => "Metadata",
        "kind" => "Kind",
        "rotation_interval_days" => "The rotation period",
        "rotation_webhook_url" => "The rotation webhook",
        _ => return None,
    })
}
