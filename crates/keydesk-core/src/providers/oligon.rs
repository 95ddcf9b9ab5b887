//! Oligon Receipts: `/v1/api-keys` with a dashboard JWT.

use async_trait::async_trait;
use chrono::Utc;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;

use super::secret_at;
use crate::auth::BearerToken;
use crate::decode::{decode_key, decode_list};
use crate::error::{Error, ErrorKind};
use crate::http::{Failure, Http, HttpOptions, Request, Retry};
use crate::model::{
    CreateOutcome, CreatedKey, Environment, Key, KeyDraft, Progress, ProgressFn, ProviderKind,
};
use crate::provider::{Provider, orphan_after_loss, require_id, segment};
use crate::validate::validate_draft;

const KIND: ProviderKind = ProviderKind::Oligon;

/// Oligon Receipts client.
#[derive(Debug)]
pub(crate) struct OligonClient {
    http: Http,
    token: BearerToken,
}

impl OligonClient {
    pub fn new(base: &url::Url, token: SecretString, options: HttpOptions) -> Result<Self, Error> {
        Ok(OligonClient {
            http: Http::new(KIND, base, options)?,
            token: BearerToken::new(token),
        })
    }

    async fn send(&self, request: Request, retry: Retry) -> Result<crate::http::Reply, Failure> {
        let token = self.token.current().map_err(Failure::NotSent)?;
        self.http.send(&request, Some(token), retry).await
    }
}

#[async_trait]
impl Provider for OligonClient {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn list_keys(&self, progress: Option<ProgressFn<'_>>) -> Result<Vec<Key>, Error> {
        let reply = self
            .send(Request::new(Method::GET, "/v1/api-keys"), Retry::Idempotent)
            .await?;
        let keys = decode_list(KIND, &reply.body)?;
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
        let body = json!({
            "name": draft.name,
            "scopes": draft.scopes,
            "live": draft.environment == Some(Environment::Live),
        });
        let started = Utc::now();
        match self
            .send(
                Request::new(Method::POST, "/v1/api-keys").json(body),
                Retry::Once,
            )
            .await
        {
            Ok(reply) => {
                let key = decode_key(KIND, &reply.body)?;
                Ok(match secret_at(&reply.body, "key", "API key") {
                    Some(secret) => CreateOutcome::Created(CreatedKey {
                        key,
                        secrets: vec![secret],
                    }),
                    None => CreateOutcome::Orphaned { key: Some(key) },
                })
            }
            Err(Failure::Lost(lost)) => orphan_after_loss(self, &draft.name, started, lost).await,
            Err(failure) => Err(failure.into()),
        }
    }

    async fn revoke_key(&self, id: &str) -> Result<Option<Key>, Error> {
        let path = format!("/v1/api-keys/{}/revoke", segment(require_id(id)?));
        let reply = self
            .send(Request::new(Method::POST, path), Retry::Idempotent)
            .await?;
        Ok(Some(decode_key(KIND, &reply.body)?))
    }

    async fn delete_key(&self, id: &str) -> Result<(), Error> {
        let path = format!("/v1/api-keys/{}", segment(require_id(id)?));
        match self
            .send(Request::new(Method::DELETE, path), Retry::Idempotent)
            .await
        {
            Ok(_) => Ok(()),
            // An earlier attempt deleted it; only its answer was lost.
            Err(Failure::AnsweredAfterLoss(error)) if error.kind() == ErrorKind::NotFound => Ok(()),
            Err(failure) => Err(failure.into()),
        }
    }
}
