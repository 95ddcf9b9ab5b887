//! fiskaly Management: `/organizations/{org}/api-keys` with tokens from `/auth`, offset
//! pages fetched concurrently.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use chrono::Utc;
use futures::{StreamExt, TryStreamExt, stream};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::json;

use super::auth::FiskalyAuth;
use super::capabilities::{capabilities, environment, validate};
use super::wire::FORMAT;
use crate::capabilities::{Capabilities, ConnectionField};
use crate::connect::{key_and_secret, required_setting};
use crate::error::{Error, ErrorKind};
use crate::http::{Failure, Http, HttpOptions, Reply, Request, Retry};
use crate::model::{CreateOutcome, Key, KeyDraft, Progress, ProgressFn, ProviderKind};
use crate::normalize::{decode_key, decode_page};
use crate::provider::{Provider, require_id, segment};
use crate::providers::calls::{API_KEY, SecretField, create_outcome, done_if_lost_then};
use crate::providers::definition::Connection;

const KIND: ProviderKind = ProviderKind::Fiskaly;
/// The document's largest page.
const PAGE_SIZE: u64 = 100;
/// A million keys: a `count` beyond that is a broken answer, not an organisation.
const MAX_KEYS: u64 = 1_000_000;

/// fiskaly client for one organisation.
#[derive(Debug)]
pub(crate) struct FiskalyClient {
    http: Http,
    org_id: String,
    auth: FiskalyAuth,
}

impl FiskalyClient {
    pub fn new(
        base: &url::Url,
        org_id: String,
        api_key: SecretString,
        api_secret: SecretString,
        options: HttpOptions,
    ) -> Result<Self, Error> {
        Ok(FiskalyClient {
            http: Http::new(
                KIND,
                base,
                options,
                vec![api_key.clone(), api_secret.clone()],
            )?,
            org_id,
            auth: FiskalyAuth::new(api_key, api_secret),
        })
    }

    /// The client of a connection to an organisation with an API key and secret.
    pub fn connect(to: Connection<'_>) -> Result<Arc<dyn Provider>, Error> {
        let (api_key, api_secret) = key_and_secret(KIND, to.credentials)?;
        let org_id = required_setting(&to.config, &capabilities(), ConnectionField::OrgId)?;
        Ok(Arc::new(FiskalyClient::new(
            to.base, org_id, api_key, api_secret, to.options,
        )?))
    }

    fn keys_path(&self) -> String {
        format!("/organizations/{}/api-keys", segment(&self.org_id))
    }

    fn key_path(&self, id: &str) -> Result<String, Error> {
        Ok(format!("{}/{}", self.keys_path(), segment(require_id(id)?)))
    }

    /// Sends with a fresh access token; a refused token is replaced once (it may have been
    /// revoked or expired early), which is safe even for creates: a 401 did nothing.
    async fn send(&self, request: Request, retry: Retry) -> Result<Reply, Failure> {
        let token = self
            .auth
            .access_token(&self.http)
            .await
            .map_err(Failure::NotSent)?;
        match self.http.send(&request, Some(&token), retry).await {
            Err(Failure::Answered(error)) if error.kind() == ErrorKind::Unauthorized => {
                self.auth.reject(&token).await;
                let token = self
                    .auth
                    .access_token(&self.http)
                    .await
                    .map_err(Failure::NotSent)?;
                self.http.send(&request, Some(&token), retry).await
            }
            other => other,
        }
    }

    async fn page(&self, offset: u64) -> Result<(Vec<Key>, Option<u64>), Error> {
        let request = Request::new(Method::GET, self.keys_path())
            .list_answer()
            .query("limit", PAGE_SIZE.to_string())
            .query("offset", offset.to_string());
        let reply = self.send(request, Retry::Idempotent).await?;
        let page = decode_page(&FORMAT, &reply.bytes)?;
        Ok((page.keys, page.count))
    }
}

#[async_trait]
impl Provider for FiskalyClient {
    async fn list_keys(&self, progress: Option<ProgressFn<'_>>) -> Result<Vec<Key>, Error> {
        let (first, count) = self.page(0).await?;
        let mut keys = first;
        match count {
            Some(count) if count > MAX_KEYS => {
                return Err(Error::server(
                    format!("fiskaly reports {count} keys, which cannot be right."),
                    None,
                ));
            }
            Some(count) => {
                let pages = count.div_ceil(PAGE_SIZE).max(1);
                let pages_u32 = u32::try_from(pages).unwrap_or(u32::MAX);
                let done = AtomicU32::new(1);
                let done = &done;
                if let Some(progress) = progress {
                    progress(Progress {
                        page: 1,
                        pages: Some(pages_u32),
                    });
                }
                let rest: Vec<Vec<Key>> = stream::iter(1..pages)
                    .map(|page| async move {
                        let (keys, _) = self.page(page * PAGE_SIZE).await?;
                        let page_done = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if let Some(progress) = progress {
                            progress(Progress {
                                page: page_done,
                                pages: Some(pages_u32),
                            });
                        }
                        Ok::<_, Error>(keys)
                    })
                    .buffered(self.http.options().page_concurrency.max(1))
                    .try_collect()
                    .await?;
                keys.extend(rest.into_iter().flatten());
            }
            // No count: walk the pages one by one until a short one.
            None => {
                let mut last_len = keys.len() as u64;
                let mut page = 1;
                while last_len == PAGE_SIZE && page * PAGE_SIZE < MAX_KEYS {
                    let (more, _) = self.page(page * PAGE_SIZE).await?;
                    last_len = more.len() as u64;
                    keys.extend(more);
                    page += 1;
                    if let Some(progress) = progress {
                        progress(Progress {
                            page: u32::try_from(page).unwrap_or(u32::MAX),
                            pages: None,
                        });
                    }
                }
            }
        }
        // A key created or deleted while paging shifts the offsets; never show one twice.
        let mut seen = HashSet::new();
        keys.retain(|key| seen.insert(key.id.clone()));
        Ok(keys)
    }

    async fn create_key(&self, draft: &KeyDraft) -> Result<CreateOutcome, Error> {
        validate(draft)?;
        let environment = environment(draft)?;
        let body = json!({
            "name": draft.name,
            "kind": environment.as_str(),
            "status": "enabled",
            "metadata": draft.metadata,
        });
        let started = Utc::now();
        let request = Request::new(Method::POST, self.keys_path()).json(body);
        let sent = self.send(request, Retry::Once).await;
        let secret = SecretField {
            field: "secret",
            label: "API secret",
            required: true,
        };
        create_outcome(self, &FORMAT, draft, started, sent, &[API_KEY, secret]).await
    }

    async fn delete_key(&self, id: &str) -> Result<(), Error> {
        let request = Request::new(Method::DELETE, self.key_path(id)?);
        let sent = self.send(request, Retry::Idempotent).await;
        done_if_lost_then(sent, &[ErrorKind::NotFound]).map(drop)
    }

    async fn set_key_enabled(&self, id: &str, enabled: bool) -> Result<Key, Error> {
        let status = if enabled { "enabled" } else { "disabled" };
        let request =
            Request::new(Method::PATCH, self.key_path(id)?).json(json!({"status": status}));
        let reply = self.send(request, Retry::Idempotent).await?;
        decode_key(&FORMAT, &reply.body())
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
    use std::sync::Arc;

    use super::*;
    use crate::test_server::{Reply::Answer, serve};

    const LIST: &str = r#"{"data":[],"count":0,"_type":"API_KEY_LIST"}"#;

    async fn client(
        script: Vec<crate::test_server::Reply>,
    ) -> (
        Arc<FiskalyClient>,
        Arc<std::sync::Mutex<Vec<crate::test_server::Seen>>>,
    ) {
        let (url, seen) = serve(script).await;
        let client = FiskalyClient::new(
            &url,
            "org-1".into(),
            SecretString::from("fake-api-key"),
            SecretString::from("fake-api-secret"),
            HttpOptions::default(),
        )
        .unwrap();
        (Arc::new(client), seen)
    }

    fn auth_requests(seen: &[crate::test_server::Seen]) -> Vec<String> {
        seen.iter()
            .filter(|request| request.line.starts_with("POST /auth"))
            .map(|request| request.body.clone())
            .collect()
    }

    #[tokio::test]
    async fn a_rejected_refresh_token_falls_back_to_a_full_sign_in() {
        let (fiskaly, seen) = client(vec![
            Answer(200, &[], r#"{"access_token":"a1","access_token_expires_in":0,"refresh_token":"r1","refresh_token_expires_in":600}"#),
            Answer(200, &[], LIST),
            Answer(401, &[], r#"{"message":"refresh token revoked"}"#),
            Answer(200, &[], r#"{"access_token":"a2","access_token_expires_in":300,"refresh_token":"r2","refresh_token_expires_in":600}"#),
            Answer(200, &[], LIST),
        ])
        .await;
        fiskaly.list_keys(None).await.unwrap();
        fiskaly.list_keys(None).await.unwrap();
        let auth = auth_requests(&seen.lock().unwrap());
        assert_eq!(auth.len(), 3);
        assert!(auth[0].contains("\"api_key\""));
        assert!(auth[1].contains("\"refresh_token\":\"r1\""));
        assert!(auth[2].contains("\"api_key\""));
    }

    #[tokio::test]
    async fn a_refused_access_token_is_refreshed_once() {
        let (fiskaly, seen) = client(vec![
            Answer(200, &[], r#"{"access_token":"a1","access_token_expires_in":300,"refresh_token":"r1","refresh_token_expires_in":600}"#),
            Answer(401, &[], "{}"),
            Answer(200, &[], r#"{"access_token":"a2","access_token_expires_in":300,"refresh_token":"r2","refresh_token_expires_in":600}"#),
            Answer(200, &[], LIST),
        ])
        .await;
        fiskaly.list_keys(None).await.unwrap();
        let auth = auth_requests(&seen.lock().unwrap());
        assert_eq!(auth.len(), 2);
        assert!(auth[1].contains("\"refresh_token\":\"r1\""));
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_sign_in() {
        let mut script = vec![Answer(
            200,
            &[],
            r#"{"access_token":"a1","access_token_expires_in":300,"refresh_token":"r1","refresh_token_expires_in":600}"#,
        )];
        script.extend((0..5).map(|_| Answer(200, &[], LIST)));
        let (fiskaly, seen) = client(script).await;
        let calls = (0..5).map(|_| {
            let fiskaly = Arc::clone(&fiskaly);
            tokio::spawn(async move { fiskaly.list_keys(None).await })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.unwrap().unwrap();
        }
        assert_eq!(auth_requests(&seen.lock().unwrap()).len(), 1);
    }
}
