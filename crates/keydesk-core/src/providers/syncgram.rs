//! SyncgramPay: `/api/v1/auth/api-keys` with a user JWT; creates carry an idempotency key.

use async_trait::async_trait;
use chrono::Utc;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Map, Value, json};

use super::{BearerApi, create_outcome, done_if_lost_then, secret_at};
use crate::decode::{mask_full, unwrap_envelope};
use crate::error::{Error, ErrorKind};
use crate::http::{HttpOptions, Request, Retry};
use crate::model::{CreateOutcome, Key, KeyDraft, ProgressFn, ProviderKind};
use crate::provider::{Provider, require_id, segment};
use crate::validate::validate_draft;

const KIND: ProviderKind = ProviderKind::Syncgram;

/// SyncgramPay client.
#[derive(Debug)]
pub(crate) struct SyncgramClient {
    api: BearerApi,
}

impl SyncgramClient {
    pub fn new(base: &url::Url, token: SecretString, options: HttpOptions) -> Result<Self, Error> {
        Ok(SyncgramClient {
            api: BearerApi::new(KIND, base, token, options)?,
        })
    }
}

/// SyncgramPay refuses a second active key with a plain 400; it is a conflict with the key
/// that exists, which the app offers to revoke, not a problem with the form.
fn single_active_conflict(error: Error) -> Error {
    match error {
        Error::Api {
            kind: ErrorKind::Validation,
            status,
            message,
            request_id,
            field: None,
            retry_after,
        } if message.to_ascii_lowercase().contains("active") => Error::Api {
            kind: ErrorKind::Conflict,
            status,
            message,
            request_id,
            field: None,
            retry_after,
        },
        other => other,
    }
}

#[async_trait]
impl Provider for SyncgramClient {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn list_keys(&self, progress: Option<ProgressFn<'_>>) -> Result<Vec<Key>, Error> {
        self.api
            .list_at_once(KIND, "/api/v1/auth/api-keys", progress)
            .await
    }

    async fn create_key(&self, draft: &KeyDraft) -> Result<CreateOutcome, Error> {
        validate_draft(KIND, draft)?;
        let mut body = Map::new();
        body.insert("key_name".into(), json!(draft.name));
        if let Some(days) = draft.expires_in_days {
            body.insert("expires_in_days".into(), json!(days));
        }
        if let Some(environment) = draft.environment {
            body.insert("env".into(), json!(environment.as_str()));
        }
        // One key for every attempt of this create: a retry returns the first attempt's key
        // instead of minting a second one.
        body.insert(
            "idempotency_key".into(),
            json!(uuid::Uuid::new_v4().to_string()),
        );
        let request = Request::new(Method::POST, "/api/v1/auth/api-keys").json(Value::Object(body));
        let started = Utc::now();
        let sent = self.api.send(request, Retry::SameIdempotencyKey).await;
        create_outcome(self, draft, started, sent, |body, key| {
            if let Some(plain) = unwrap_envelope(body).get("key").and_then(Value::as_str)
                && key.masked.is_empty()
            {
                key.masked = mask_full(plain);
            }
            Some(vec![secret_at(body, "key", "API key")?])
        })
        .await
        .map_err(single_active_conflict)
    }

    async fn revoke_key(&self, id: &str) -> Result<Option<Key>, Error> {
        let path = format!("/api/v1/auth/api-keys/{}/revoke", segment(require_id(id)?));
        let sent = self
            .api
            .send(Request::new(Method::POST, path), Retry::Idempotent)
            .await;
        // The lost attempt revoked it; the retry is told it is already revoked.
        done_if_lost_then(sent, &[ErrorKind::Conflict, ErrorKind::Validation])?;
        Ok(None)
    }
}
