//! Oligon Receipts: `/v1/api-keys` with a dashboard JWT.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;

use super::capabilities::{capabilities, validate};
use super::wire::FORMAT;
use crate::capabilities::Capabilities;
use crate::connect::bearer_token;
use crate::error::{Error, ErrorKind};
use crate::http::{HttpOptions, Request, Retry};
use crate::model::{CreateOutcome, Environment, Key, KeyDraft, ProgressFn, ProviderKind};
use crate::normalize::decode_key;
use crate::provider::{Provider, require_id, segment};
use crate::providers::calls::{API_KEY, BearerApi, create_outcome, done_if_lost_then};
use crate::providers::definition::Connection;

const KIND: ProviderKind = ProviderKind::Oligon;

/// Oligon Receipts client.
#[derive(Debug)]
pub(crate) struct OligonClient {
    api: BearerApi,
}

impl OligonClient {
    pub fn new(base: &url::Url, token: SecretString, options: HttpOptions) -> Result<Self, Error> {
        Ok(OligonClient {
            api: BearerApi::new(&FORMAT, base, token, options)?,
        })
    }

    /// The client of a connection with a bearer token.
    pub fn connect(to: Connection<'_>) -> Result<Arc<dyn Provider>, Error> {
        let token = bearer_token(KIND, to.credentials)?;
        Ok(Arc::new(OligonClient::new(to.base, token, to.options)?))
    }
}

#[async_trait]
impl Provider for OligonClient {
    async fn list_keys(&self, progress: Option<ProgressFn<'_>>) -> Result<Vec<Key>, Error> {
        self.api.list_at_once("/v1/api-keys", progress).await
    }

    async fn create_key(&self, draft: &KeyDraft) -> Result<CreateOutcome, Error> {
        validate(draft)?;
        let body = json!({
            "name": draft.name,
            "scopes": draft.scopes,
            "live": draft.environment == Some(Environment::Live),
        });
        let started = Utc::now();
        let request = Request::new(Method::POST, "/v1/api-keys").json(body);
        let sent = self.api.send(request, Retry::Once).await;
        create_outcome(self, &FORMAT, draft, started, sent, &[API_KEY]).await
    }

    async fn revoke_key(&self, id: &str) -> Result<Option<Key>, Error> {
        let path = format!("/v1/api-keys/{}/revoke", segment(require_id(id)?));
        let reply = self
            .api
            .send(Request::new(Method::POST, path), Retry::Idempotent)
            .await?;
        Ok(Some(decode_key(&FORMAT, &reply.body())?))
    }

    async fn delete_key(&self, id: &str) -> Result<(), Error> {
        let path = format!("/v1/api-keys/{}", segment(require_id(id)?));
        let sent = self
            .api
            .send(Request::new(Method::DELETE, path), Retry::Idempotent)
            .await;
        // An earlier attempt deleted it; only its answer was lost.
        done_if_lost_then(sent, &[ErrorKind::NotFound]).map(drop)
    }

    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
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

    /// Asserts that a create answered with `first`, then a list showing `k9` named `ci`,
    /// reports `k9` as the orphan.
    async fn assert_create_finds_the_orphan_after(first: crate::test_server::Reply) {
        let listed =
            r#"[{"id":"k9","name":"ci","prefix":"sk_test","last4":"abcd","revoked_at":null}]"#;
        let client = oligon(vec![first, Answer(200, &[], listed)]).await;
        match client.create_key(&named("ci")).await.unwrap() {
            CreateOutcome::Orphaned { key } => assert_eq!(key.unwrap().id, "k9"),
            CreateOutcome::Created(_) => panic!("no secret arrived"),
        }
    }

    #[tokio::test]
    async fn an_unreadable_create_answer_becomes_an_orphan_report() {
        assert_create_finds_the_orphan_after(Answer(201, &[], "<html>created</html>")).await;
    }

    #[tokio::test]
    async fn a_lost_create_that_made_nothing_stays_a_network_error() {
        let client = oligon(vec![Drop, Answer(200, &[], "[]")]).await;
        let error = client.create_key(&named("ci")).await.err().unwrap();
        assert_eq!(error.kind(), ErrorKind::Network);
    }

    #[tokio::test]
    async fn a_gateway_timeout_to_a_create_is_looked_for_in_a_new_list() {
        for status in [504, 500, 408] {
            assert_create_finds_the_orphan_after(Answer(
                status,
                &[],
                "<html>Gateway Timeout</html>",
            ))
            .await;
        }
    }

    #[tokio::test]
    async fn a_gateway_error_to_a_create_that_made_nothing_stays_that_error() {
        let client = oligon(vec![
            Answer(
                504,
                &[("x-request-id", "req_gw")],
                "<html>Gateway Timeout</html>",
            ),
            Answer(200, &[], "[]"),
        ])
        .await;
        let error = client.create_key(&named("ci")).await.err().unwrap();
        assert_eq!(error.kind(), ErrorKind::Server);
        assert_eq!(error.status(), Some(504));
        assert_eq!(error.request_id(), Some("req_gw"));
        // A refusal is no gateway error: nothing was made, and no list is asked for.
        let client = oligon(vec![Answer(422, &[], r#"{"error":{"message":"bad"}}"#)]).await;
        let error = client.create_key(&named("ci")).await.err().unwrap();
        assert_eq!(error.kind(), ErrorKind::Validation);
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
