//! Strait project keys: `/v1/api-keys` with an admin token, cursor paging, rotation.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::Utc;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Map, Value, json};

use super::secret_at;
use crate::auth::BearerToken;
use crate::decode::{decode_key, decode_list_owned, decode_rotated_key};
use crate::error::{Error, ErrorKind};
use crate::http::{Failure, Http, HttpOptions, Reply, Request, Retry};
use crate::model::{CreateOutcome, CreatedKey, Key, KeyDraft, Progress, ProgressFn, ProviderKind};
use crate::provider::{Provider, orphan_after_loss, require_id, segment};
use crate::validate::{validate_draft, validate_grace};

const KIND: ProviderKind = ProviderKind::Strait;
/// More pages than any project has keys for: a server that keeps sending cursors is broken.
const MAX_PAGES: u32 = 10_000;

/// Strait client for one project.
#[derive(Debug)]
pub(crate) struct StraitClient {
    http: Http,
    project_id: String,
    token: BearerToken,
}

impl StraitClient {
    pub fn new(
        base: &url::Url,
        project_id: String,
        token: SecretString,
        options: HttpOptions,
    ) -> Result<Self, Error> {
        Ok(StraitClient {
            http: Http::new(KIND, base, options)?,
            project_id,
            token: BearerToken::new(token),
        })
    }

    async fn send(&self, request: Request, retry: Retry) -> Result<Reply, Failure> {
        let token = self.token.current().map_err(Failure::NotSent)?;
        self.http.send(&request, Some(token), retry).await
    }
}

/// The cursor of the next page, if the answer says there is one.
fn next_cursor(body: &Value) -> Option<String> {
    let cursor = body.get("next_cursor").and_then(|cursor| match cursor {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    })?;
    match body.get("has_more").and_then(Value::as_bool) {
        Some(false) => None,
        _ => Some(cursor),
    }
}

#[async_trait]
impl Provider for StraitClient {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn list_keys(&self, progress: Option<ProgressFn<'_>>) -> Result<Vec<Key>, Error> {
        let mut keys = Vec::new();
        let mut seen_cursors = HashSet::new();
        let mut cursor: Option<String> = None;
        for page in 1..=MAX_PAGES {
            let mut request =
                Request::new(Method::GET, "/v1/api-keys").query("project_id", &self.project_id);
            if let Some(cursor) = &cursor {
                request = request.query("cursor", cursor);
            }
            let reply = self.send(request, Retry::Idempotent).await?;
            cursor = next_cursor(&reply.body);
            let request_id = reply.request_id.clone();
            keys.extend(decode_list_owned(KIND, reply.body)?);
            if let Some(progress) = progress {
                progress(Progress {
                    page,
                    pages: cursor.is_none().then_some(page),
                });
            }
            match &cursor {
                None => return Ok(keys),
                Some(next) if !seen_cursors.insert(next.clone()) => {
                    return Err(Error::server(
                        "Strait sent the same page cursor twice.",
                        request_id,
                    ));
                }
                Some(_) => {}
            }
        }
        Err(Error::server(
            format!("Strait kept paging past {MAX_PAGES} pages."),
            None,
        ))
    }

    async fn create_key(&self, draft: &KeyDraft) -> Result<CreateOutcome, Error> {
        validate_draft(KIND, draft)?;
        let mut body = Map::new();
        body.insert("project_id".into(), json!(self.project_id));
        body.insert("name".into(), json!(draft.name));
        if !draft.scopes.is_empty() {
            body.insert("scopes".into(), json!(draft.scopes));
        }
        if let Some(days) = draft.expires_in_days {
            body.insert("expires_in_days".into(), json!(days));
        }
        if let Some(days) = draft.rotation_interval_days {
            body.insert("rotation_interval_days".into(), json!(days));
        }
        if let Some(url) = &draft.rotation_webhook_url {
            body.insert("rotation_webhook_url".into(), json!(url));
        }
        let request = Request::new(Method::POST, "/v1/api-keys").json(Value::Object(body));
        let started = Utc::now();
        match self.send(request, Retry::Once).await {
            Ok(reply) => {
                // An answer without a readable key still means a key was made.
                let key = match decode_key(KIND, &reply.body) {
                    Ok(key) => key,
                    Err(unreadable) => {
                        return orphan_after_loss(self, &draft.name, started, unreadable).await;
                    }
                };
                let Some(secret) = secret_at(&reply.body, "key", "API key") else {
                    return Ok(CreateOutcome::Orphaned { key: Some(key) });
                };
                let mut secrets = vec![secret];
                secrets.extend(secret_at(
                    &reply.body,
                    "rotation_webhook_secret",
                    "Webhook signing secret",
                ));
                Ok(CreateOutcome::Created(CreatedKey { key, secrets }))
            }
            Err(Failure::Lost(lost)) => orphan_after_loss(self, &draft.name, started, lost).await,
            Err(failure) => Err(failure.into()),
        }
    }

    async fn rotate_key(&self, id: &str, grace_minutes: Option<u32>) -> Result<CreatedKey, Error> {
        validate_grace(grace_minutes)?;
        let path = format!("/v1/api-keys/{}/rotate", segment(require_id(id)?));
        let body = match grace_minutes {
            Some(minutes) => json!({"grace_period_minutes": minutes}),
            None => json!({}),
        };
        let reply = match self
            .send(Request::new(Method::POST, path).json(body), Retry::Once)
            .await
        {
            Ok(reply) => reply,
            Err(Failure::Lost(_)) => {
                return Err(Error::Network {
                    message: "The rotation's answer was lost: list the keys; if the old key is now rotating, \
                              its replacement exists but its secret never arrived, so rotate or revoke it."
                        .to_owned(),
                });
            }
            Err(failure) => return Err(failure.into()),
        };
        let key = decode_rotated_key(&reply.body)?;
        let secret = secret_at(&reply.body, "key", "API key").ok_or_else(|| {
            Error::server(
                "Strait's rotation answer has no key.",
                reply.request_id.clone(),
            )
        })?;
        Ok(CreatedKey {
            key,
            secrets: vec![secret],
        })
    }

    async fn revoke_key(&self, id: &str) -> Result<Option<Key>, Error> {
        let path = format!("/v1/api-keys/{}", segment(require_id(id)?));
        match self
            .send(Request::new(Method::DELETE, path), Retry::Idempotent)
            .await
        {
            // 204, or 200 {"status": "revoked"}; a full key object is used when sent.
            Ok(reply) => Ok(reply
                .body
                .get("id")
                .is_some()
                .then(|| decode_key(KIND, &reply.body).ok())
                .flatten()),
            Err(Failure::AnsweredAfterLoss(error))
                if matches!(error.kind(), ErrorKind::Conflict | ErrorKind::NotFound) =>
            {
                Ok(None)
            }
            Err(failure) => Err(failure.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_rules() {
        assert_eq!(
            next_cursor(&json!({"data": [], "next_cursor": "c2", "has_more": true})).as_deref(),
            Some("c2")
        );
        assert_eq!(
            next_cursor(&json!({"data": [], "next_cursor": "c2", "has_more": false})),
            None
        );
        assert_eq!(next_cursor(&json!({"data": [], "next_cursor": null})), None);
        assert_eq!(next_cursor(&json!([])), None);
    }
}
