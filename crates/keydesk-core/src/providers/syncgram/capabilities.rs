//! What SyncgramPay can do, what its forms ask for, and the rules of a draft its field specs
//! cannot say.

use crate::capabilities::{Capabilities, FieldSpec, Listed, ListedFacts, Retirement, bearer_token};
use crate::error::Error;
use crate::model::{Action, KeyDraft, ProviderKind};
use crate::validate::check_fields;

const KIND: ProviderKind = ProviderKind::Syncgram;

pub(super) fn capabilities() -> Capabilities {
    let create_fields = vec![
        FieldSpec::key_name(1, 255),
        FieldSpec::expires_in_days().help("Leave empty for a key that never expires."),
        FieldSpec::environment("Environment")
            .help("Test until payments are enabled for the organisation."),
    ];
    Capabilities {
        retirement: Some(Retirement::RevokeThenCreate),
        tracks_last_used: true,
        single_active_key: true,
        credential_fields: bearer_token("Access token (JWT)"),
        // Its list has no scopes, and part of a key only where a deployment sends it.
        listed: ListedFacts {
            masked: Listed::Sometimes,
            scopes: Listed::Never,
            ..ListedFacts::ALL
        },
        ..Capabilities::new(KIND, &[Action::Create, Action::Revoke], create_fields)
    }
}

/// Everything SyncgramPay asks of a draft is in its field specs.
pub(super) fn validate(draft: &KeyDraft) -> Result<(), Error> {
    check_fields(&capabilities(), draft)
}
