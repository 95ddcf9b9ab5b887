//! Leaked-key search across the inventories of all four providers.

use keydesk_core::{ExposeSecret, LeakFingerprint, ProviderKind, find_leaked};
use keydesk_sandbox::Variant;

use crate::support::core::{client, created, draft, sandbox};

#[tokio::test]
async fn a_pasted_key_is_found_in_its_own_inventory_only() {
    let sandbox = sandbox(Variant::Documented).await;
    let mut inventories = Vec::new();
    let mut secrets = Vec::new();
    for provider in ProviderKind::ALL {
        let api = client(&sandbox, provider);
        let made = created(api.create_key(&draft(provider, "leaky-one")).await.unwrap());
        // SyncgramPay allows one active key per organisation; the others get a neighbour.
        if provider != ProviderKind::Syncgram {
            created(api.create_key(&draft(provider, "bystander")).await.unwrap());
        }
        secrets.push((
            provider,
            made.key.id.clone(),
            made.secrets[0].value.expose_secret().to_owned(),
        ));
        inventories.push((provider, api.list_keys(None).await.unwrap()));
    }
    let searchable: Vec<(ProviderKind, &[keydesk_core::Key])> = inventories
        .iter()
        .map(|(provider, keys)| (*provider, keys.as_slice()))
        .collect();
    for (provider, id, secret) in secrets {
        let pasted = format!("  \"{}\n{}\" ", &secret[..10], &secret[10..]);
        let fingerprint = LeakFingerprint::parse(&pasted).unwrap();
        let result = find_leaked(&fingerprint, &searchable);
        if provider == ProviderKind::Syncgram {
            // SyncgramPay lists neither a prefix nor the last characters: nothing to match.
            assert!(result.matches.is_empty());
            continue;
        }
        assert_eq!(result.matches.len(), 1, "{provider}");
        assert!(!result.ambiguous);
        assert_eq!(result.matches[0].connection, provider);
        assert_eq!(result.matches[0].key.id, id);
    }
}
