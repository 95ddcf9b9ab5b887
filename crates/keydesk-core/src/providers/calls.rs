//! The request plumbing the provider clients share: an API called with one bearer token,
//! reading a create's answer into its secrets, and what a lost or failed answer means.

use chrono::{DateTime, Utc};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use zeroize::Zeroize;

use crate::auth::BearerToken;
use crate::error::{Error, ErrorKind};
use crate::http::{Failure, Http, HttpOptions, Reply, Request, Retry};
use crate::model::{CreateOutcome, CreatedKey, Key, Progress, ProgressFn};
use crate::model::{KeyDraft, RevealedSecret};
use crate::normalize::{WireFormat, decode_key, decode_list_json, mask_full, split_created};
use crate::provider::{Provider, orphan_after_loss};

/// An API called with one long-lived bearer token.
#[derive(Debug)]
pub(super) struct BearerApi {
    http: Http,
    token: BearerToken,
    format: &'static WireFormat,
}

impl BearerApi {
    /// The API at `base` whose answers read as `format` says.
    pub(super) fn new(
        format: &'static WireFormat,
        base: &url::Url,
        token: SecretString,
        options: HttpOptions,
    ) -> Result<Self, Error> {
        Ok(BearerApi {
            http: Http::new(format.provider, base, options, vec![token.clone()])?,
            token: BearerToken::new(token),
            format,
        })
    }

    pub(super) async fn send(&self, request: Request, retry: Retry) -> Result<Reply, Failure> {
        let token = self.token.current().map_err(Failure::NotSent)?;
        self.http.send(&request, Some(token), retry).await
    }

    /// The whole inventory of an API that lists every key in one answer.
    pub(super) async fn list_at_once(
        &self,
        path: &str,
        progress: Option<ProgressFn<'_>>,
    ) -> Result<Vec<Key>, Error> {
        let reply = self
            .send(
                Request::new(Method::GET, path).list_answer(),
                Retry::Idempotent,
            )
            .await?;
        let keys = decode_list_json(self.format, &reply.bytes)?;
        if let Some(progress) = progress {
            progress(Progress {
                page: 1,
                pages: Some(1),
            });
        }
        Ok(keys)
    }
}

/// A JSON object of those `fields` that have a value, in their order.
pub(super) fn object_of<const N: usize>(fields: [(&str, Option<Value>); N]) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_owned(), value?)))
            .collect(),
    )
}

/// A secret a create or rotate answer carries: its field and its label in the reveal dialog.
#[derive(Debug, Clone, Copy)]
pub(super) struct SecretField {
    pub field: &'static str,
    pub label: &'static str,
    /// Whether an answer without it lost something (an orphan) or merely had none to send.
    pub required: bool,
}

/// The API key every provider sends (`key`).
pub(super) const API_KEY: SecretField = SecretField {
    field: "key",
    label: "API key",
    required: true,
};

/// Whether a failed create (or rotate) may still have happened: its answer was lost, or what
/// came back is a gateway error or a timeout (5xx, 408), which a proxy sends as readily after
/// the provider acted as before.
pub(super) fn may_have_acted(failure: &Failure) -> bool {
    match failure {
        Failure::Lost(_) => true,
        Failure::Answered(error) | Failure::AnsweredAfterLoss(error) => error
            .status()
            .is_some_and(|status| status == 408 || (500..=599).contains(&status)),
        Failure::NotSent(_) => false,
    }
}

/// `error` with `message` instead of its own, keeping its kind, status and request id.
pub(super) fn restated(mut error: Error, message: String) -> Error {
    if let Error::Api { message: own, .. } = &mut error {
        *own = message;
        return error;
    }
    Error::Network { message }
}

/// The key and the secrets of a create/rotate answer, decoded from its bytes, which are
/// zeroized afterwards (whatever the outcome). The secrets go straight into
/// [`SecretString`]s; the key is decoded from the answer without them. `Err` when no key can
/// be read; `Ok` with `None` secrets when a required one is missing.
pub(super) fn created_key(
    format: &WireFormat,
    reply: &mut Reply,
    fields: &[SecretField],
    decode: impl FnOnce(&Value) -> Result<Key, Error>,
) -> Result<(Key, Option<Vec<RevealedSecret>>), Error> {
    let read = read_created(format, reply, fields, decode);
    reply.bytes.as_mut_slice().zeroize();
    read
}

fn read_created(
    format: &WireFormat,
    reply: &Reply,
    fields: &[SecretField],
    decode: impl FnOnce(&Value) -> Result<Key, Error>,
) -> Result<(Key, Option<Vec<RevealedSecret>>), Error> {
    let names: Vec<&str> = fields.iter().map(|field| field.field).collect();
    let mut answer = split_created(format, &reply.bytes, &names).ok_or_else(|| {
        Error::server(
            format!(
                "{} sent a key that is not an object.",
                format.provider.display_name()
            ),
            reply.request_id.clone(),
        )
    })?;
    let mut key = decode(&answer.key)?;
    let mut secrets = Vec::with_capacity(fields.len());
    for field in fields {
        match answer.take_secret(field.field) {
            Some(value) => {
                if field.field == API_KEY.field && key.masked.is_empty() {
                    key.masked = mask_full(value.expose_secret());
                }
                secrets.push(RevealedSecret {
                    label: field.label.to_owned(),
                    value,
                });
            }
            None if field.required => return Ok((key, None)),
            None => {}
        }
    }
    Ok((key, Some(secrets)))
}

/// What a create's answer (`sent`, for a request sent at `started`) turns into. The key is
/// decoded from the answer (in `format`) with the `secrets` it must carry; an answer without a readable
/// key or without the secrets still means a key was made, so it is reported as an orphan,
/// and a create that may have happened without its answer reaching us (lost, a gateway
/// error, a timeout) is looked for in a new list.
pub(super) async fn create_outcome(
    provider: &(dyn Provider + '_),
    format: &WireFormat,
    draft: &KeyDraft,
    started: DateTime<Utc>,
    sent: Result<Reply, Failure>,
    secrets: &[SecretField],
) -> Result<CreateOutcome, Error> {
    let mut reply = match sent {
        Ok(reply) => reply,
        Err(failure) if may_have_acted(&failure) => {
            return orphan_after_loss(provider, &draft.name, started, failure.into()).await;
        }
        Err(failure) => return Err(failure.into()),
    };
    match created_key(format, &mut reply, secrets, |body| decode_key(format, body)) {
        Ok((key, Some(secrets))) => Ok(CreateOutcome::Created(CreatedKey { key, secrets })),
        Ok((key, None)) => Ok(CreateOutcome::Orphaned { key: Some(key) }),
        Err(unreadable) => orphan_after_loss(provider, &draft.name, started, unreadable).await,
    }
}

/// The answer of an idempotent call, where an error of a `done` kind after a lost attempt
/// means that attempt did the work (a repeated delete finds nothing): then `None`.
pub(super) fn done_if_lost_then(
    sent: Result<Reply, Failure>,
    done: &[ErrorKind],
) -> Result<Option<Reply>, Error> {
    match sent {
        Ok(reply) => Ok(Some(reply)),
        Err(Failure::AnsweredAfterLoss(error)) if done.contains(&error.kind()) => Ok(None),
        Err(failure) => Err(failure.into()),
    }
}
