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
}

impl FieldSpec {
    fn new(name: &str, label: &str, kind: FieldKind) -> Self {
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
        }
    }

    fn required(mut self) -> Self {
        self.required = true;
        self
    }

    fn help(mut self, help: &str) -> Self {
        self.help = Some(help.to_owned());
        self
    }

    fn length(mut self, min: u32, max: u32) -> Self {
        self.min_length = Some(min);
        self.max_length = Some(max);
        self
    }

    fn range(mut self, min: u32, max: u32) -> Self {
        self.min = Some(min);
        self.max = Some(max);
        self
    }

    fn options(mut self, options: &[&str]) -> Self {
        self.options = options.iter().map(|option| (*option).to_owned()).collect();
        self
    }
}

/// How a provider's list is paged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Pagination {
    /// One answer holds every key.
    None,
    /// `limit`/`offset` pages with a total `count` (fiskaly).
    Offset,
    /// Follow `next_cursor` (Strait).
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

/// Which credential a connection form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CredentialName {
    /// A bearer token (dashboard session / admin token).
    Token,
    /// fiskaly API key.
    ApiKey,
    /// fiskaly API secret.
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

/// A non-secret setting a connection needs besides its base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ConnectionField {
    /// The fiskaly organisation id.
    OrgId,
    /// The Strait project id.
    ProjectId,
}

/// Everything the UI needs to know about a provider to render it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Capabilities {
    /// Which provider.
    pub provider: ProviderKind,
    /// "Oligon Receipts", "fiskaly", "SyncgramPay", "Strait".
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
    /// Only one active key per organisation (SyncgramPay).
    pub single_active_key: bool,
    /// Grace-period limits, for providers that rotate.
    pub rotate_grace: Option<RotateGrace>,
    /// What the connection form asks for.
    pub credential_fields: Vec<CredentialField>,
    /// Non-secret connection settings besides the base URL.
    pub connection_fields: Vec<ConnectionField>,
}

impl Capabilities {
    /// Whether the provider offers `action`.
    pub fn supports(&self, action: Action) -> bool {
        self.actions.contains(&action)
    }

    /// The create field called `name`, if the provider has one.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.create_fields.iter().find(|field| field.name == name)
    }
}

/// Oligon's scopes, from the document.
pub const OLIGON_SCOPES: [&str; 4] = [
    "extract:read",
    "extract:write",
    "analytics:read",
    "admin:write",
];
/// fiskaly's key-name rule.
pub const FISKALY_NAME_PATTERN: &str = "^[a-z0-9-]{3,30}$";
/// Strait's default rotation grace period, in minutes.
pub const STRAIT_GRACE_DEFAULT_MINUTES: u32 = 60;
/// Strait's longest rotation grace period (one week), in minutes.
pub const STRAIT_GRACE_MAX_MINUTES: u32 = 10_080;
/// Longest lifetime or rotation period core accepts (ten years); the documents set none,
/// and a bigger number is a typo rather than an intent.
pub const MAX_DAYS: u32 = 3_650;

fn bearer_token(label: &str) -> Vec<CredentialField> {
    vec![CredentialField {
        name: CredentialName::Token,
        label: label.to_owned(),
        secret: true,
    }]
}

impl ProviderKind {
    /// What this provider can do and what its forms ask for.
    pub fn capabilities(self) -> Capabilities {
        match self {
            ProviderKind::Oligon => Capabilities {
                provider: self,
                display_name: self.display_name().to_owned(),
                actions: vec![Action::Create, Action::Revoke, Action::Delete],
                create_fields: vec![
                    FieldSpec::new("name", "Name", FieldKind::Text)
                        .required()
                        .length(1, 120)
                        .help("A label to recognise the key by."),
                    FieldSpec::new("scopes", "Scopes", FieldKind::Scopes)
                        .options(&OLIGON_SCOPES)
                        .help("No scopes gives a key that can call nothing."),
                    FieldSpec::new("environment", "Environment", FieldKind::Environment)
                        .options(&["test", "live"])
                        .help("Test unless set to live."),
                ],
                tracks_last_used: true,
                tracks_last_used_ip: true,
                pagination: Pagination::None,
                single_active_key: false,
                rotate_grace: None,
                credential_fields: bearer_token("Dashboard token (JWT)"),
                connection_fields: Vec::new(),
            },
            ProviderKind::Fiskaly => {
                let mut name = FieldSpec::new("name", "Name", FieldKind::Text)
                    .required()
                    .length(3, 30);
                name.pattern = Some(FISKALY_NAME_PATTERN.to_owned());
                name.pattern_hint = Some("3–30 lowercase letters, digits or hyphens".to_owned());
                let mut metadata = FieldSpec::new("metadata", "Metadata", FieldKind::Metadata)
                    .help("Up to 20 entries; keys up to 40 characters, values up to 500.");
                metadata.max_entries = Some(20);
                metadata.max_key_length = Some(40);
                metadata.max_value_length = Some(500);
                Capabilities {
                    provider: self,
                    display_name: self.display_name().to_owned(),
                    actions: vec![
                        Action::Create,
                        Action::Delete,
                        Action::Enable,
                        Action::Disable,
                    ],
                    create_fields: vec![
                        name,
                        FieldSpec::new("environment", "Kind", FieldKind::Environment)
                            .required()
                            .options(&["test", "live"]),
                        metadata,
                    ],
                    tracks_last_used: false,
                    tracks_last_used_ip: false,
                    pagination: Pagination::Offset,
                    single_active_key: false,
                    rotate_grace: None,
                    credential_fields: vec![
                        CredentialField {
                            name: CredentialName::ApiKey,
                            label: "API key".to_owned(),
                            secret: false,
                        },
                        CredentialField {
                            name: CredentialName::ApiSecret,
                            label: "API secret".to_owned(),
                            secret: true,
                        },
                    ],
                    connection_fields: vec![ConnectionField::OrgId],
                }
            }
            ProviderKind::Syncgram => Capabilities {
                provider: self,
                display_name: self.display_name().to_owned(),
                actions: vec![Action::Create, Action::Revoke],
                create_fields: vec![
                    FieldSpec::new("name", "Name", FieldKind::Text)
                        .required()
                        .length(1, 255),
                    FieldSpec::new("expires_in_days", "Expires in (days)", FieldKind::Integer)
                        .range(1, MAX_DAYS)
                        .help("Leave empty for a key that never expires."),
                    FieldSpec::new("environment", "Environment", FieldKind::Environment)
                        .options(&["test", "live"])
                        .help("Test until payments are enabled for the organisation."),
                ],
                tracks_last_used: true,
                tracks_last_used_ip: false,
                pagination: Pagination::None,
                single_active_key: true,
                rotate_grace: None,
                credential_fields: bearer_token("Access token (JWT)"),
                connection_fields: Vec::new(),
            },
            ProviderKind::Strait => {
                let mut webhook =
                    FieldSpec::new("rotation_webhook_url", "Rotation webhook", FieldKind::Url)
                        .length(1, 2048)
                        .help("Called on every rotation; its signing secret is shown once.");
                webhook.requires = Some("rotation_interval_days".to_owned());
                Capabilities {
                    provider: self,
                    display_name: self.display_name().to_owned(),
                    actions: vec![Action::Create, Action::Revoke, Action::Rotate],
                    create_fields: vec![
                        FieldSpec::new("name", "Name", FieldKind::Text)
                            .required()
                            .length(1, 255),
                        FieldSpec::new("scopes", "Scopes", FieldKind::Scopes)
                            .required()
                            .help("Free-form scope names; at least one."),
                        FieldSpec::new("expires_in_days", "Expires in (days)", FieldKind::Integer)
                            .range(1, MAX_DAYS),
                        FieldSpec::new(
                            "rotation_interval_days",
                            "Rotate every (days)",
                            FieldKind::Integer,
                        )
                        .range(1, MAX_DAYS)
                        .help("Shorter than the lifetime, when both are set."),
                        webhook,
                    ],
                    tracks_last_used: true,
                    tracks_last_used_ip: false,
                    pagination: Pagination::Cursor,
                    single_active_key: false,
                    rotate_grace: Some(RotateGrace {
                        default_minutes: STRAIT_GRACE_DEFAULT_MINUTES,
                        max_minutes: STRAIT_GRACE_MAX_MINUTES,
                    }),
                    credential_fields: bearer_token("Admin token"),
                    connection_fields: vec![ConnectionField::ProjectId],
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_provider_names_its_draft_fields_and_creates() {
        let draft_fields = serde_json::to_value(crate::KeyDraft::default()).unwrap();
        for provider in ProviderKind::ALL {
            let caps = provider.capabilities();
            assert!(caps.supports(Action::Create));
            assert_eq!(caps.field("name").map(|f| f.required), Some(true));
            for field in &caps.create_fields {
                assert!(draft_fields.get(&field.name).is_some(), "{}", field.name);
            }
        }
    }

    #[test]
    fn capabilities_serialize_in_the_ipc_shape() {
        let caps = serde_json::to_value(ProviderKind::Strait.capabilities()).unwrap();
        assert_eq!(caps["provider"], "strait");
        assert_eq!(caps["pagination"], "cursor");
        assert_eq!(
            caps["rotate_grace"],
            json!({"default_minutes": 60, "max_minutes": 10080})
        );
        assert_eq!(caps["connection_fields"], json!(["project_id"]));
        assert_eq!(caps["credential_fields"][0]["name"], "token");
        let fiskaly = serde_json::to_value(ProviderKind::Fiskaly.capabilities()).unwrap();
        assert_eq!(fiskaly["create_fields"][0]["pattern"], FISKALY_NAME_PATTERN);
        assert_eq!(fiskaly["create_fields"][2]["kind"], "metadata");
        assert_eq!(
            fiskaly["actions"],
            json!(["create", "delete", "enable", "disable"])
        );
    }
}
