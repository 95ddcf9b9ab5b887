//! SyncgramPay: `/api/v1/auth/api-keys` with a user JWT; creates carry an idempotency key.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::Utc;
use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::capabilities::{capabilities, validate};
use super::wire::FORMAT;
use crate::capabilities::Capabilities;
use crate::connect::bearer_token;
use crate::error::{Error, ErrorKind};
use crate::http::{HttpOptions, Request, Retry};
use crate::model::{CreateOutcome, Key, KeyDraft, ProgressFn, ProviderKind};
use crate::provider::{Provider, require_id, segment};
use crate::providers::calls::{API_KEY, BearerApi, create_outcome, done_if_lost_then, object_of};
use crate::providers::definition::Connection;

const KIND: ProviderKind = ProviderKind::Syncgram;

/// "Rate limit: 1 creation per minute per user."
const CREATE_INTERVAL: Duration = Duration::from_secs(60);

/// SyncgramPay client.
#[derive(Debug)]
pub(crate) struct SyncgramClient {
    api: BearerApi,
    /// When the rate limit lets this user create again, as far as this client has seen.
    next_create: Mutex<Option<Instant>>,
}

impl SyncgramClient {
    pub fn new(base: &url::Url, token: SecretString, options: HttpOptions) -> Result<Self, Error> {
        Ok(SyncgramClient {
            api: BearerApi::new(&FORMAT, base, token, options)?,
            next_create: Mutex::new(None),
        })
    }

    /// The client of a connection with a bearer token.
    pub fn connect(to: Connection<'_>) -> Result<Arc<dyn Provider>, Error> {
        let token = bearer_token(KIND, to.credentials)?;
        Ok(Arc::new(SyncgramClient::new(to.base, token, to.options)?))
    }

    /// Notes what a create's result says about the next one: a key made (or possibly made)
    /// starts the minute; a 429 says how long to wait, or a minute when it does not say.
    fn note_create<T>(&self, result: &Result<T, Error>) {
        let wait = match result {
            Ok(_) => Some(CREATE_INTERVAL),
            Err(error) if error.kind() == ErrorKind::RateLimited => {
                Some(error.retry_after().unwrap_or(CREATE_INTERVAL))
            }
            Err(_) => None,
        };
        if let (Some(wait), Ok(mut next)) = (wait, self.next_create.lock()) {
            *next = Some(Instant::now() + wait);
        }
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
    async fn list_keys(&self, progress: Option<ProgressFn<'_>>) -> Result<Vec<Key>, Error> {
        self.api
            .list_at_once("/api/v1/auth/api-keys", progress)
            .await
    }

    async fn create_key(&self, draft: &KeyDraft) -> Result<CreateOutcome, Error> {
        let idempotency_key = uuid::Uuid::new_v4().to_string();
        self.create_key_idempotent(draft, &idempotency_key).await
    }

    async fn create_key_idempotent(
        &self,
        draft: &KeyDraft,
        idempotency_key: &str,
    ) -> Result<CreateOutcome, Error> {
        validate(draft)?;
        let body = object_of([
            ("key_name", Some(json!(draft.name))),
            ("expires_in_days", draft.expires_in_days.map(Value::from)),
            ("env", draft.environment.map(|env| json!(env.as_str()))),
            // One key for every attempt of this create: a retry returns the first attempt's
            // key instead of minting a second one.
            ("idempotency_key", Some(json!(idempotency_key))),
        ]);
        let request = Request::new(Method::POST, "/api/v1/auth/api-keys").json(body);
        let started = Utc::now();
        let sent = self.api.send(request, Retry::SameIdempotencyKey).await;
        let outcome = create_outcome(self, &FORMAT, draft, started, sent, &[API_KEY])
            .await
            .map_err(single_active_conflict);
        self.note_create(&outcome);
        outcome
    }

    fn create_wait(&self) -> Option<Duration> {
        let next = (*self.next_create.lock().ok()?)?;
        let wait = next.saturating_duration_since(Instant::now());
        (!wait.is_zero()).then_some(wait)
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

    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn capabilities(&self) -> Capabilities {
        capabilities()
    }
}
