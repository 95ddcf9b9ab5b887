//! The four providers, each in its own module that owns everything core knows about it (its
//! client, wire format, capabilities and field specs, extra draft rules, leaked-key shape,
//! connection and auth), and the one place that maps a [`ProviderKind`] to its
//! [`Definition`]. Below: the request plumbing the clients share.

mod fiskaly;
mod oligon;
mod strait;
mod syncgram;

#[cfg(test)]
mod tests;

pub use strait::decode_rotated_key;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use zeroize::Zeroize;

use crate::auth::{BearerToken, Credentials};
use crate::capabilities::Capabilities;
use crate::connect::ConnectionConfig;
use crate::decode::{Item, SecretField as SecretWireField};
use crate::decode::{decode_key, decode_list_json, mask_full, split_created};
use crate::error::{Error, ErrorKind};
use crate::http::{Failure, Http, HttpOptions, Reply, Request, Retry};
use crate::leak::{ListedFragment, PastedKeyShape};
use crate::model::{CreateOutcome, CreatedKey, Key, Progress, ProgressFn, ProviderKind};
use crate::model::{KeyDraft, RevealedSecret};
use crate::provider::{Provider, orphan_after_loss};

/// Everything the generic machinery asks of one provider. Each provider module declares one
/// `DEFINITION`; [`definition`] is the only place that picks it by [`ProviderKind`].
pub(crate) struct Definition {
    /// What it can do and what its forms ask for.
    pub capabilities: fn() -> Capabilities,
    /// Checks a draft: the generic field-spec checks plus the rules a spec cannot express.
    pub validate: fn(&KeyDraft) -> Result<(), Error>,
    /// One key object of its answers, normalized (`now` decides expiry).
    pub normalize: fn(&Item<'_>, DateTime<Utc>) -> Result<Key, Error>,
    /// The fields of its answers that hold a secret and never reach [`Key::raw`].
    pub secret_fields: &'static [SecretWireField],
    /// The client for a checked base URL, the connection's settings and its credentials.
    pub connect: Connect,
    /// How its keys look in plaintext, when they have a recognisable shape.
    pub pasted_key: Option<PastedKeyShape>,
    /// The parts of a key its lists may show, for matching a leaked one.
    pub listed_fragments: &'static [ListedFragment],
}

/// How a provider builds its client: from a checked base URL, the connection's settings and
/// its credentials.
pub(crate) type Connect =
    fn(&url::Url, ConnectionConfig, Credentials, HttpOptions) -> Result<Arc<dyn Provider>, Error>;

/// The definition of `provider`.
pub(crate) fn definition(provider: ProviderKind) -> &'static Definition {
    match provider {
        ProviderKind::Oligon => &oligon::DEFINITION,
        ProviderKind::Fiskaly => &fiskaly::DEFINITION,
        ProviderKind::Syncgram => &syncgram::DEFINITION,
        ProviderKind::Strait => &strait::DEFINITION,
    }
}

/// An API called with one long-lived bearer token.
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

/// A secret a create or rotate answer carries: its field and its label in the reveal dialog.
#[derive(Debug, Clone, Copy)]
struct SecretField {
    field: &'static str,
    label: &'static str,
    /// Whether an answer without it lost something (an orphan) or merely had none to send.
    required: bool,
}

/// The API key every provider sends (`key`).
const API_KEY: SecretField = SecretField {
    field: "key",
    label: "API key",
    required: true,
};

/// Whether a failed create (or rotate) may still have happened: its answer was lost, or what
/// came back is a gateway error or a timeout (5xx, 408), which a proxy sends as readily after
/// the provider acted as before.
fn may_have_acted(failure: &Failure) -> bool {
    match failure {
        Failure::Lost(_) => true,
        Failure::Answered(error) | Failure::AnsweredAfterLoss(error) => error
            .status()
            .is_some_and(|status| status == 408 || (500..=599).contains(&status)),
        Failure::NotSent(_) => false,
    }
}

/// `error` with `message` instead of its own, keeping its kind, status and request id.
fn restated(mut error: Error, message: String) -> Error {
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
fn created_key(
    provider: ProviderKind,
    reply: &mut Reply,
    fields: &[SecretField],
    decode: impl FnOnce(&Value) -> Result<Key, Error>,
) -> Result<(Key, Option<Vec<RevealedSecret>>), Error> {
    let read = read_created(provider, reply, fields, decode);
    reply.bytes.as_mut_slice().zeroize();
    read
}

fn read_created(
    provider: ProviderKind,
    reply: &Reply,
    fields: &[SecretField],
    decode: impl FnOnce(&Value) -> Result<Key, Error>,
) -> Result<(Key, Option<Vec<RevealedSecret>>), Error> {
    let names: Vec<&str> = fields.iter().map(|field| field.field).collect();
    let mut answer = split_created(provider, &reply.bytes, &names).ok_or_else(|| {
        Error::server(
            format!(
                "{} sent a key that is not an object.",
                provider.display_name()
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
/// decoded from the answer with the `secrets` it must carry; an answer without a readable
/// key or without the secrets still means a key was made, so it is reported as an orphan,
/// and a create that may have happened without its answer reaching us (lost, a gateway
/// error, a timeout) is looked for in a new list.
async fn create_outcome(
    provider: &(dyn Provider + '_),
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
    let kind = provider.kind();
    match created_key(kind, &mut reply, secrets, |body| decode_key(kind, body)) {
        Ok((key, Some(secrets))) => Ok(CreateOutcome::Created(CreatedKey { key, secrets })),
        Ok((key, None)) => Ok(CreateOutcome::Orphaned { key: Some(key) }),
        Err(unreadable) => orphan_after_loss(provider, &draft.name, started, unreadable).await,
    }
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
