//! `replace`: a successor with the old key's settings (core's `successor_draft`), then the
//! old key retired the way its provider declares. Progress and the loud line of a create
//! that failed after the revoke go to stderr; the new key and its secrets to stdout, once.

use std::time::Duration;

use chrono::Utc;
use keydesk_core::{
    CREATE_TRIES_AFTER_REVOKE, CreateOutcome, Error, Key, KeyDraft, KeyStatus, Provider,
    ReplaceOptions, Retirement, successor_draft, validate_draft, worth_retrying,
};

use crate::output;

/// What a replace did: the successor's create outcome and, when the old key could not be
/// retired after it, why (the successor's secret is printed all the same).
pub struct Replaced {
    pub outcome: CreateOutcome,
    pub retire_error: Option<Error>,
}

/// Replaces `id` through `provider` with `options`.
pub async fn replace(
    provider: &dyn Provider,
    id: &str,
    options: ReplaceOptions,
) -> Result<Replaced, Error> {
    let capabilities = provider.capabilities();
    let retirement = capabilities.retirement.ok_or_else(|| Error::Unsupported {
        message: format!("{} keys cannot be replaced.", capabilities.display_name),
    })?;
    if retirement == Retirement::Rotate {
        let created = provider.rotate_key(id, options.grace_minutes).await?;
        return Ok(Replaced {
            outcome: CreateOutcome::Created(created),
            retire_error: None,
        });
    }
    let old = provider
        .list_keys(None)
        .await?
        .into_iter()
        .find(|key| key.id == id)
        .ok_or_else(|| Error::Validation {
            field: "id".to_owned(),
            message: "No key with this id is listed.".to_owned(),
        })?;
    let draft = successor_draft(&old, &capabilities, Utc::now());
    validate_draft(provider.kind(), &draft)?;
    if retirement == Retirement::RevokeThenCreate {
        let outcome = revoke_then_create(provider, &old, &draft).await?;
        return Ok(Replaced {
            outcome,
            retire_error: None,
        });
    }
    let outcome = provider.create_key(&draft).await?;
    let retire_error = match (&outcome, options.keep_old) {
        (CreateOutcome::Orphaned { .. }, _) => None,
        (_, true) => {
            let name = output::escaped(&old.name);
            eprintln!("{name} is still active: revoke it once its users have the new key.");
            None
        }
        (_, false) if retirement == Retirement::CreateThenDisable => {
            provider.set_key_enabled(&old.id, false).await.err()
        }
        (_, false) => provider.revoke_key(&old.id).await.err(),
    };
    Ok(Replaced {
        outcome,
        retire_error,
    })
}

/// Revokes `old` when active, then creates `draft`, trying again with one idempotency key
/// after a failure that may pass (waiting out the provider's create limit first).
async fn revoke_then_create(
    provider: &dyn Provider,
    old: &Key,
    draft: &KeyDraft,
) -> Result<CreateOutcome, Error> {
    wait_out_create_limit(provider).await;
    if old.status == KeyStatus::Active {
        provider.revoke_key(&old.id).await?;
    }
    let idempotency_key = uuid::Uuid::new_v4().to_string();
    let mut tries = 0;
    loop {
        tries += 1;
        let error = match provider
            .create_key_idempotent(draft, &idempotency_key)
            .await
        {
            Ok(outcome) => return Ok(outcome),
            Err(error) => error,
        };
        let name = output::escaped(&old.name);
        if !worth_retrying(error.kind()) || tries >= CREATE_TRIES_AFTER_REVOKE {
            eprintln!("{name} WAS REVOKED, BUT ITS REPLACEMENT WAS NOT CREATED: create one now.");
            return Err(error);
        }
        eprintln!(
            "{name} WAS REVOKED, BUT ITS REPLACEMENT WAS NOT CREATED: {}; trying again with the same request.",
            output::escaped(&error.to_string())
        );
        if provider.create_wait().is_none() {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        wait_out_create_limit(provider).await;
    }
}

/// Waits until `provider` takes another create, saying so on stderr.
async fn wait_out_create_limit(provider: &dyn Provider) {
    if let Some(wait) = provider.create_wait() {
        eprintln!(
            "Waiting {} s for {}'s create limit before going on.",
            wait.as_secs().saturating_add(1),
            provider.capabilities().display_name
        );
        tokio::time::sleep(wait).await;
    }
}
