//! The four provider clients behind [`crate::Provider`], and the request plumbing they share.

mod fiskaly;
mod oligon;
mod strait;
mod syncgram;

pub(crate) use fiskaly::FiskalyClient;
pub(crate) use oligon::OligonClient;
pub(crate) use strait::StraitClient;
pub(crate) use syncgram::SyncgramClient;

use chrono::{DateTime, Utc};
use reqwest::Method;
use secrecy::SecretString;
use serde_json::Value;

use crate::auth::BearerToken;
use crate::decode::{decode_key, decode_list_json, unwrap_envelope};
use crate::error::{Error, ErrorKind};
use crate::http::{Failure, Http, HttpOptions, Reply, Request, Retry};
use crate::model::{CreateOutcome, CreatedKey, Key, Progress, ProgressFn, ProviderKind};
use crate::model::{KeyDraft, RevealedSecret};
use crate::provider::{Provider, orphan_after_loss};

/// An API called with one long-lived bearer token (Oligon, SyncgramPay, Strait).
#[derive(Debug)]
struct BearerApi {
    http: Http,
    token: BearerToken,
}

impl BearerApi {
    fn new(
        provider: ProviderKind,
        base: &url::Url,
        token: SecretString,
        options: HttpOptions,
    ) -> Result<Self, Error> {
        Ok(BearerApi {
            http: Http::new(provider, base, options, vec![token.clone()])?,
            token: BearerToken::new(token),
        })
    }

    async fn send(&self, request: Request, retry: Retry) -> Result<Reply, Failure> {
        let token = self.token.current().map_err(Failure::NotSent)?;
        self.http.send(&request, Some(token), retry).await
    }

    /// The whole inventory of an API that lists every key in one answer.
    async fn list_at_once(
        &self,
        provider: ProviderKind,
        path: &str,
        progress: Option<ProgressFn<'_>>,
    ) -> Result<Vec<Key>, Error> {
        let reply = self
            .send(
                Request::new(Method::GET, path).list_answer(),
                Retry::Idempotent,
            )
            .await?;
        let keys = decode_list_json(provider, &reply.bytes)?;
        if let Some(progress) = progress {
            progress(Progress {
                page: 1,
                pages: Some(1),
            });
        }
        Ok(keys)
    }
}

/// The secret at `field` of a create/rotate answer, labelled for the reveal dialog.
fn secret_at(body: &Value, field: &str, label: &str) -> Option<RevealedSecret> {
    unwrap_envelope(body)
        .get(field)
        .and_then(Value::as_str)
        .filter(|value| !value.is_empty())
        .map(|value| RevealedSecret {
            label: label.to_owned(),
            value: SecretString::from(value.to_owned()),
        })
}

/// What a create's answer (`sent`, for a request sent at `started`) turns into. The key is
/// decoded from the answer and `secrets` picks the secrets out of it (and may touch up the
/// key); an answer without a readable key or without the secrets still means a key was
/// made, so it is reported as an orphan, and a lost answer is looked for in a new list.
async fn create_outcome(
    provider: &(dyn Provider + '_),
    draft: &KeyDraft,
    started: DateTime<Utc>,
    sent: Result<Reply, Failure>,
    secrets: impl FnOnce(&Value, &mut Key) -> Option<Vec<RevealedSecret>>,
) -> Result<CreateOutcome, Error> {
    let reply = match sent {
        Ok(reply) => reply,
        Err(Failure::Lost(lost)) => {
            return orphan_after_loss(provider, &draft.name, started, lost).await;
        }
        Err(failure) => return Err(failure.into()),
    };
    let body = reply.body();
    let mut key = match decode_key(provider.kind(), &body) {
        Ok(key) => key,
        Err(unreadable) => {
            return orphan_after_loss(provider, &draft.name, started, unreadable).await;
        }
    };
    Ok(match secrets(&body, &mut key) {
        Some(secrets) => CreateOutcome::Created(CreatedKey { key, secrets }),
        None => CreateOutcome::Orphaned { key: Some(key) },
    })
}

/// The answer of an idempotent call, where an error of a `done` kind after a lost attempt
/// means that attempt did the work (a repeated delete finds nothing): then `None`.
fn done_if_lost_then(
    sent: Result<Reply, Failure>,
    done: &[ErrorKind],
) -> Result<Option<Reply>, Error> {
    match sent {
        Ok(reply) => Ok(Some(reply)),
        Err(Failure::AnsweredAfterLoss(error)) if done.contains(&error.kind()) => Ok(None),
        Err(failure) => Err(failure.into()),
    }
}
