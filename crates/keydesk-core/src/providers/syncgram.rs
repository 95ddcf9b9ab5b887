//! SyncgramPay: `/api/v1/auth/api-keys` with a user JWT; creates carry an idempotency key.

use async_trait::async_trait;
use chrono::Utc;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Map, Value, json};

use super::secret_at;
use crate::auth::BearerToken;
use crate::decode::{decode_key, decode_list_owned, mask_full, unwrap_envelope};
use crate::error::{Error, ErrorKind};
use crate::http::{Failure, Http, HttpOptions, Reply, Request, Retry};
use crate::model::{CreateOutcome, CreatedKey, Key, KeyDraft, Progress, ProgressFn, ProviderKind};
use crate::provider::{Provider, orphan_after_loss, require_id, segment};
use crate::validate::validate_draft;

const KIND: ProviderKind = ProviderKind::Syncgram;

/// SyncgramPay client.
#[derive(Debug)]
pub(crate) struct SyncgramClient {
    http: Http,
    token: BearerToken,
}

impl SyncgramClient {
    pub fn new(base: &url::Url, token: SecretString, options: HttpOptions) -> Result<Self, Error> {
        Ok(SyncgramClient {
            http: Http::new(KIND, base, options)?,
            token: BearerToken::new(token),
        })
    }

    async fn send(&self, request: Request, retry: Retry) -> Result<Reply, Failure> {
        let token = self.token.current().map_err(Failure::NotSent)?;
        self.http.send(&request, Some(token), retry).await
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
        let reply = self
            .send(
                Request::new(Method::GET, "/api/v1/auth/api-keys"),
                Retry::Idempotent,
            )
            .await?;
        let keys = decode_list_owned(KIND, reply.body)?;
        if let Some(progress) = progress {
            progress(Progress {
                page: 1,
                pages: Some(1),
            });
        }
        Ok(keys)
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
        match self.send(request, Retry::SameIdempotencyKey).await {
            Ok(reply) => {
                // An answer without a readable key still means a key was made.
                let mut key = match decode_key(KIND, &reply.body) {
                    Ok(key) => key,
                    Err(unreadable) => {
                        return orphan_after_loss(self, &draft.name, started, unreadable).await;
                    }
                };
                let secret = secret_at(&reply.body, "key", "API key");
                if let Some(plain) = unwrap_envelope(&reply.body)
                    .get("key")
                    .and_then(Value::as_str)
                    && key.masked.is_empty()
                {
                    key.masked = mask_full(plain);
                }
                Ok(match secret {
                    Some(secret) => CreateOutcome::Created(CreatedKey {
                        key,
                        secrets: vec![secret],
                    }),
                    None => CreateOutcome::Orphaned { key: Some(key) },
                })
            }
            Err(Failure::Lost(lost)) => orphan_after_loss(self, &draft.name, started, lost).await,
            Err(failure) => Err(single_active_conflict(failure.into())),
        }
    }

    async fn revoke_key(&self, id: &str) -> Result<Option<Key>, Error> {
        let path = format!("/api/v1/auth/api-keys/{}/revoke", segment(require_id(id)?));
        match self
            .send(Request::new(Method::POST, path), Retry::Idempotent)
            .await
        {
            Ok(_) => Ok(None),
            // The lost attempt revoked it; the retry is told it is already revoked.
            Err(Failure::AnsweredAfterLoss(error))
                if matches!(error.kind(), ErrorKind::Conflict | ErrorKind::Validation) =>
            {
                Ok(None)
            }
            Err(failure) => Err(failure.into()),
        }
    }
}
