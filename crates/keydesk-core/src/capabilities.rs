//! What each provider can do and what its create form asks for, so the UI can render every
//! form and button without provider-specific code.

use serde::{Deserialize, Serialize};

use crate::model::{Action, ProviderKind};

/// How a form field is rendered and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text with length and pattern limits.
    Text,
    /// A set of scopes; `options` lists the allowed ones (empty = free-form).
    Scopes,
    /// Live or test.
    Environment,
    /// A whole number between `min` and `max`.
    Integer,
    /// An https URL.
    Url,
    /// Key-value pairs with count and length limits.
    Metadata,
    /// One of `options`.
    Select,
}

/// One field of a provider's create form, with the document's constraints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldSpec {
    /// The [`crate::KeyDraft`] property this field fills.
    pub name: String,
    /// The label shown beside the input.
    pub label: String,
    /// How to render and check it.
    pub kind: FieldKind,
    /// Whether the form cannot be sent without it.
    pub required: bool,
    /// One line of help under the input.
    pub help: Option<String>,
    /// Minimum length in characters (text).
    pub min_length: Option<u32>,
    /// Maximum length in characters (text).
    pub max_length: Option<u32>,
    /// Anchored regular expression the value must match (text).
    pub pattern: Option<String>,
    /// The pattern in words.
    pub pattern_hint: Option<String>,
    /// Allowed values (scopes, select, environment).
    pub options: Vec<String>,
    /// Smallest allowed number (integer).
    pub min: Option<u32>,
    /// Largest allowed number (integer).
    pub max: Option<u32>,
    /// Most entries allowed (metadata).
    pub max_entries: Option<u32>,
    /// Longest metadata key.
    pub max_key_length: Option<u32>,
    /// Longest metadata value.
    pub max_value_length: Option<u32>,
    /// A field that must be set when this one is.
    pub requires: Option<String>,
    /// A number field this one must stay below when both are set (a rotation period is
    /// shorter than the key's lifetime).
    pub less_than: Option<String>,
}

impl FieldSpec {
    pub(crate) fn new(name: &str, label: &str, kind: FieldKind) -> Self {
        FieldSpec {
            name: name.to_owned(),
            label: label.to_owned(),
            kind,
            required: false,
            help: None,
            min_length: None,
            max_length: None,
            pattern: None,
            pattern_hint: None,
            options: Vec::new(),
            min: None,
            max: None,
            max_entries: None,
            max_key_length: None,
            max_value_length: None,
            requires: None,
            less_than: None,
        }
    }

    pub(crate) fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub(crate) fn help(mut self, help: &str) -> Self {
        self.help = Some(help.to_owned());
        self
    }

    pub(crate) fn length(mut self, min: u32, max: u32) -> Self {
        self.min_length = Some(min);
        self.max_length = Some(max);
        self
    }

    pub(crate) fn range(mut self, min: u32, max: u32) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    pub(crate) fn options(mut self, options: &[&str]) -> Self {
        self.options = options.iter().map(|option| (*option).to_owned()).collect();
        self
    }

    pub(crate) fn pattern(mut self, pattern: &str, hint: &str) -> Self {
        self.pattern = Some(pattern.to_owned());
        self.pattern_hint = Some(hint.to_owned());
        self
    }

    /// Metadata limits: most entries, longest key, longest value.
    pub(crate) fn entries(mut self, max_entries: u32, max_key: u32, max_value: u32) -> Self {
        self.max_entries = Some(max_entries);
        self.max_key_length = Some(max_key);
        self.max_value_length = Some(max_value);
        self
    }

    pub(crate) fn requires(mut self, field: &str) -> Self {
        self.requires = Some(field.to_owned());
        self
    }

    pub(crate) fn less_than(mut self, field: &str) -> Self {
        self.less_than = Some(field.to_owned());
        self
    }

    /// The key's name: required text of `min`–`max` characters.
    pub(crate) fn key_name(min: u32, max: u32) -> Self {
        FieldSpec::new("name", "Name", FieldKind::Text)
            .required()
            .length(min, max)
    }

    /// Live or test, labelled `label`.
    pub(crate) fn environment(label: &str) -> Self {
        FieldSpec::new("environment", label, FieldKind::Environment).options(&["test", "live"])
    }

    /// The key's lifetime in days, up to [`MAX_DAYS`].
    pub(crate) fn expires_in_days() -> Self {
        FieldSpec::new("expires_in_days", "Expires in (days)", FieldKind::Integer)
            .range(1, MAX_DAYS)
    }
}

/// How a provider's list is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Pagination {
    /// One answer holds every key.
    None,
    /// `limit`/`offset` pages with a total `count`.
    Offset,
    /// Follow `next_cursor`.
    Cursor,
}

/// Grace-period limits of a rotate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RotateGrace {
    /// Used when the user gives none.
    pub default_minutes: u32,
    /// The most the provider accepts.
    pub max_minutes: u32,
}

/// How a provider retires a key that a replacement succeeds, in the order its rules allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Retirement {
    /// One native rotate makes the successor; the old key works on for a grace period.
    Rotate,
    /// Create the successor, then revoke the old key (or leave that to the user).
    CreateThenRevoke,
    /// Create the successor, then disable the old key (deleting it is a separate action).
    CreateThenDisable,
    /// One active key at a time: revoke the old key, then create the successor. The create
    /// limit is waited out before the revoke, so the create is not refused for it.
    RevokeThenCreate,
}

/// Which credential a connection form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CredentialName {
    /// A bearer token (dashboard session / admin token).
    Token,
    /// The API key of a key + secret pair.
    ApiKey,
    /// The API secret of a key + secret pair.
    ApiSecret,
}

/// One credential input of a connection form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CredentialField {
    /// Which credential.
    pub name: CredentialName,
    /// The label shown beside the input.
    pub label: String,
    /// Whether the input is masked.
    pub secret: bool,
}

impl CredentialField {
    /// The input for `name`, labelled `label`, masked when `secret`.
    pub(crate) fn new(name: CredentialName, label: &str, secret: bool) -> Self {
        CredentialField {
            name,
            label: label.to_owned(),
            secret,
        }
    }
}

/// A non-secret setting a connection needs besides its base URL; each names a
/// `ConnectionConfig` property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionField {
    /// The organisation whose keys are managed.
    OrgId,
    /// The project whose keys are managed.
    ProjectId,
}

/// One non-secret input of a connection form, as the provider declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectionFieldSpec {
    /// Which setting.
    pub name: ConnectionField,
    /// The label shown beside the input.
    pub label: String,
    /// One line of help under the input.
    pub help: Option<String>,
}

impl ConnectionFieldSpec {
    /// The input for `name`, the id of the `what` (in lowercase, e.g. "project") whose keys
    /// are managed.
    pub(crate) fn id_of(name: ConnectionField, what: &str) -> Self {
        let mut chars = what.chars();
        let capitalized: String = chars
            .next()
            .map(|first| first.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        ConnectionFieldSpec {
            name,
            label: format!("{capitalized} id"),
            help: Some(format!("The {what} whose API keys Keydesk manages.")),
        }
    }
}

/// How much of one fact about its keys a provider's list carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Listed {
    /// Every key has it, or says it has none (a key that does not expire).
    Always,
    /// Some deployments or some keys have it: worth a column only where a key does.
    Sometimes,
    /// The list never carries it: a column of it would be empty on every row.
    Never,
}

/// Which facts about a key a provider's list carries, so the keys table shows only the
/// columns the provider fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ListedFacts {
    /// Part of the key (a prefix, the last four…), as `Key::masked`.
    pub masked: Listed,
    /// Live or test, or the entry `environment_metadata` names.
    pub environment: Listed,
    /// The key's scopes.
    pub scopes: Listed,
    /// When the key expires.
    pub expires_at: Listed,
}

impl ListedFacts {
    /// Every fact on every key.
    pub const ALL: ListedFacts = ListedFacts {
        masked: Listed::Always,
        environment: Listed::Always,
        scopes: Listed::Always,
        expires_at: Listed::Always,
    };
}

/// Everything the UI needs to know about a provider to render it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Capabilities {
    /// Which provider.
    pub provider: ProviderKind,
    /// The provider's name as people write it.
    pub display_name: String,
    /// The actions it offers.
    pub actions: Vec<Action>,
    /// The create form, in display order.
    pub create_fields: Vec<FieldSpec>,
    /// Whether keys report when they were last used.
    pub tracks_last_used: bool,
    /// Whether keys report from where they were last used.
    pub tracks_last_used_ip: bool,
    /// How the list is paged.
    pub pagination: Pagination,
    /// Only one active key per organisation.
    pub single_active_key: bool,
    /// Grace-period limits, for providers that rotate.
    pub rotate_grace: Option<RotateGrace>,
    /// How a replace retires the key its successor takes over from; `None`: no replace.
    pub retirement: Option<Retirement>,
    /// What the connection form asks for.
    pub credential_fields: Vec<CredentialField>,
    /// Non-secret connection settings besides the base URL, in display order.
    pub connection_fields: Vec<ConnectionFieldSpec>,
    /// Which facts about a key its list carries (when it was last used: `tracks_last_used`).
    pub listed: ListedFacts,
    /// The metadata entry that names a key's environment, for a provider whose keys are not
    /// live or test but belong to environments of its own (Strait's `environment_id`).
    pub environment_metadata: Option<String>,
}

impl Capabilities {
    /// `provider` offering `actions` with the create form `create_fields`, and nothing
    /// more: no use tracking, one answer for the whole list, no rotation, no credential or
    /// connection inputs, every other fact of a key listed. Providers add what they have
    /// (and take away what their lists lack) with struct update syntax.
    pub(crate) fn new(
        provider: ProviderKind,
        actions: &[Action],
        create_fields: Vec<FieldSpec>,
    ) -> Self {
        Capabilities {
            provider,
            display_name: provider.display_name().to_owned(),
            actions: actions.to_vec(),
            create_fields,
            tracks_last_used: false,
            tracks_last_used_ip: false,
            pagination: Pagination::None,
            single_active_key: false,
            rotate_grace: None,
            retirement: None,
            credential_fields: Vec::new(),
            connection_fields: Vec::new(),
            listed: ListedFacts::ALL,
            environment_metadata: None,
        }
    }

    /// Whether the provider offers `action`.
    pub fn supports(&self, action: Action) -> bool {
        self.actions.contains(&action)
    }

    /// The create field called `name`, if the provider has one.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.create_fields.iter().find(|field| field.name == name)
    }
}

/// Longest lifetime or rotation period core accepts (ten years); the documents set none,
/// and a bigger number is a typo rather than an intent.
pub const MAX_DAYS: u32 = 3_650;

/// The one credential input of a provider that connects with a bearer token.
pub(crate) fn bearer_token(label: &str) -> Vec<CredentialField> {
    vec![CredentialField::new(CredentialName::Token, label, true)]
}
