//! Strait project keys: `/v1/api-keys` with an admin token, cursor paging, rotation.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::capabilities::{capabilities, validate};
use super::wire::{FORMAT, decode_rotated_key};
use crate::capabilities::{Capabilities, ConnectionField};
use crate::connect::{bearer_token, required_setting};
use crate::error::{Error, ErrorKind};
use crate::http::{HttpOptions, Request, Retry};
use crate::model::{CreateOutcome, CreatedKey, Key, KeyDraft, Progress, ProgressFn, ProviderKind};
use crate::normalize::{decode_key, decode_page};
use crate::provider::{Provider, require_id, segment};
use crate::providers::calls::{
    API_KEY, BearerApi, SecretField, create_outcome, created_key, done_if_lost_then,
    may_have_acted, object_of, restated,
};
use crate::providers::definition::Connection;
use crate::validate::check_grace;

const KIND: ProviderKind = ProviderKind::Strait;
/// More pages than any project has keys for: a server that keeps sending cursors is broken.
const MAX_PAGES: u32 = 10_000;
/// The most keys a deployed service sends in one page (50 unless asked): asking for them
/// halves the round trips of a long list. The documented API pages nothing and ignores it.
const PAGE_SIZE: u32 = 100;

/// Strait client for one project.
#[derive(Debug)]
pub(crate) struct StraitClient {
    api: BearerApi,
    project_id: String,
}

impl StraitClient {
    pub fn new(
        base: &url::Url,
        project_id: String,
        token: SecretString,
        options: HttpOptions,
    ) -> Result<Self, Error> {
        Ok(StraitClient {
            api: BearerApi::new(&FORMAT, base, token, options)?,
            project_id,
        })
    }

    /// The client of a connection to a project with an admin token.
    pub fn connect(to: Connection<'_>) -> Result<Arc<dyn Provider>, Error> {
        let token = bearer_token(KIND, to.credentials)?;
        let project = required_setting(&to.config, &capabilities(), ConnectionField::ProjectId)?;
        Ok(Arc::new(StraitClient::new(
            to.base, project, token, to.options,
        )?))
    }

    /// The error for a rotation of `id` (sent at `started`) that may have happened although
    /// `failed` came back: a new list says whether the key now has a fresh replacement, whose
    /// secret never arrived; if it has none, nothing was rotated and `failed` stands.
    async fn rotation_after_loss(&self, id: &str, started: DateTime<Utc>, failed: Error) -> Error {
        let keys = match self.list_keys(None).await {
            Ok(keys) => keys,
            Err(_) => {
                return restated(
                    failed,
                    "The rotation may have happened, but its answer never arrived: list the keys; \
                     if the old key is now rotating, its replacement exists but its secret never \
                     arrived, so revoke the replacement and rotate again."
                        .to_owned(),
                );
            }
        };
        let since = started - chrono::Duration::minutes(2);
        let replacement = keys
            .iter()
            .find(|key| key.id == id)
            .and_then(|old| old.rotation.as_ref())
            .and_then(|rotation| rotation.replaced_by.as_deref())
            .and_then(|new_id| keys.iter().find(|key| key.id == new_id))
            .filter(|new| new.created_at.is_none_or(|at| at >= since));
        match replacement {
            Some(new) => restated(
                failed,
                format!(
                    "The key was rotated, but the new key's secret never arrived: revoke the new \
                     key {} ({}) and rotate again; the old key keeps working until its grace \
                     period ends.",
                    new.id, new.masked
                ),
            ),
            None => failed,
        }
    }
}

#[async_trait]
impl Provider for StraitClient {
    async fn list_keys(&self, progress: Option<ProgressFn<'_>>) -> Result<Vec<Key>, Error> {
        let mut keys = Vec::new();
        let mut seen_cursors = HashSet::new();
        let mut cursor: Option<String> = None;
        for page in 1..=MAX_PAGES {
            let mut request = Request::new(Method::GET, "/v1/api-keys")
                .list_answer()
                .query("project_id", &self.project_id)
                .query("limit", PAGE_SIZE.to_string());
            if let Some(cursor) = &cursor {
                request = request.query("cursor", cursor);
            }
            let reply = self.api.send(request, Retry::Idempotent).await?;
            let page_answer = decode_page(&FORMAT, &reply.bytes)?;
            cursor = page_answer.next_cursor;
            let request_id = reply.request_id;
            keys.extend(page_answer.keys);
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
        validate(draft)?;
        let body = object_of([
            ("project_id", Some(json!(self.project_id))),
            ("name", Some(json!(draft.name))),
            (
                "scopes",
                (!draft.scopes.is_empty()).then(|| json!(draft.scopes)),
            ),
            ("expires_in_days", draft.expires_in_days.map(Value::from)),
            (
                "rotation_interval_days",
                draft.rotation_interval_days.map(Value::from),
            ),
            (
                "rotation_webhook_url",
                draft.rotation_webhook_url.as_deref().map(Value::from),
            ),
        ]);
        let request = Request::new(Method::POST, "/v1/api-keys").json(body);
        let started = Utc::now();
        let sent = self.api.send(request, Retry::Once).await;
        let webhook_secret = SecretField {
            field: "rotation_webhook_secret",
            label: "Webhook signing secret",
            required: false,
        };
        create_outcome(
            self,
            &FORMAT,
            draft,
            started,
            sent,
            &[API_KEY, webhook_secret],
        )
        .await
    }

    async fn rotate_key(&self, id: &str, grace_minutes: Option<u32>) -> Result<CreatedKey, Error> {
        check_grace(&capabilities(), grace_minutes)?;
        let path = format!("/v1/api-keys/{}/rotate", segment(require_id(id)?));
        let body = match grace_minutes {
            Some(minutes) => json!({"grace_period_minutes": minutes}),
            None => json!({}),
        };
        let started = Utc::now();
        let sent = self
            .api
            .send(Request::new(Method::POST, path).json(body), Retry::Once)
            .await;
        let mut reply = match sent {
            Ok(reply) => reply,
            Err(failure) if may_have_acted(&failure) => {
                return Err(self.rotation_after_loss(id, started, failure.into()).await);
            }
            Err(failure) => return Err(failure.into()),
        };
        let request_id = reply.request_id.clone();
        match created_key(&FORMAT, &mut reply, &[API_KEY], decode_rotated_key)? {
            (key, Some(secrets)) => Ok(CreatedKey { key, secrets }),
            (_, None) => Err(Error::server(
                "Strait's rotation answer has no key.",
                request_id,
            )),
        }
    }

    async fn revoke_key(&self, id: &str) -> Result<Option<Key>, Error> {
        let path = format!("/v1/api-keys/{}", segment(require_id(id)?));
        let sent = self
            .api
            .send(Request::new(Method::DELETE, path), Retry::Idempotent)
            .await;
        // 204, or 200 {"status": "revoked"}; a full key object is used when sent.
        let revoked = done_if_lost_then(sent, &[ErrorKind::Conflict, ErrorKind::NotFound])?
            .map(|reply| reply.body())
            .filter(|body| body.get("id").is_some())
            .and_then(|body| decode_key(&FORMAT, &body).ok());
        Ok(revoked)
    }

    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }
}
