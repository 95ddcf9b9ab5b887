//! Oligon Receipts: `/v1/api-keys` with a dashboard JWT.

use async_trait::async_trait;
use chrono::Utc;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;

use super::secret_at;
use crate::auth::BearerToken;
use crate::decode::{decode_key, decode_list_owned};
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
                // An answer without a readable key still means a key was made.
                let key = match decode_key(KIND, &reply.body) {
                    Ok(key) => key,
                    Err(unreadable) => {
                        return orphan_after_loss(self, &draft.name, started, unreadable).await;
                    }
                };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_server::{Reply::*, serve};

    async fn oligon(script: Vec<crate::test_server::Reply>) -> OligonClient {
        let (url, _) = serve(script).await;
        OligonClient::new(
            &url,
            SecretString::from("fake-token"),
            HttpOptions::default(),
        )
        .unwrap()
    }

    fn named(name: &str) -> KeyDraft {
        KeyDraft {
            name: name.into(),
            ..KeyDraft::default()
        }
    }

    #[tokio::test]
    async fn an_unreadable_create_answer_becomes_an_orphan_report() {
        let listed =
            r#"[{"id":"k9","name":"ci","prefix":"sk_test","last4":"abcd","revoked_at":null}]"#;
        let client = oligon(vec![
            Answer(201, &[], "<html>created</html>"),
            Answer(200, &[], listed),
        ])
        .await;
        match client.create_key(&named("ci")).await.unwrap() {
            CreateOutcome::Orphaned { key } => assert_eq!(key.unwrap().id, "k9"),
            CreateOutcome::Created(_) => panic!("no secret arrived"),
        }
    }

    #[tokio::test]
    async fn a_lost_create_that_made_nothing_stays_a_network_error() {
        let client = oligon(vec![Drop, Answer(200, &[], "[]")]).await;
        let error = client.create_key(&named("ci")).await.err().unwrap();
        assert_eq!(error.kind(), ErrorKind::Network);
    }

    #[tokio::test]
    async fn an_answer_without_the_secret_is_an_orphan() {
        let made = r#"{"id":"k1","name":"ci","prefix":"sk_test","last4":"abcd"}"#;
        let client = oligon(vec![Answer(201, &[], made)]).await;
        let outcome = client.create_key(&named("ci")).await.unwrap();
        assert!(
            matches!(outcome, CreateOutcome::Orphaned { key: Some(ref key) } if key.id == "k1")
        );
    }
}
