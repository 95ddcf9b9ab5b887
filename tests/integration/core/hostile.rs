//! keydesk-core against hostile local servers: redirects to another origin, servers echoing
//! the credentials they were sent, and servers that answer late or never.

use std::time::{Duration, Instant};

use keydesk_core::{
    ConnectionConfig, CreateOutcome, Credentials, ErrorKind, HttpOptions, KeyDraft, Provider,
    ProviderKind, SecretString, connect_with,
};

use crate::support::local_server::{LocalServer, Reply, serve};

pub(crate) const TOKEN: &str = "fake-oligon-token-4f9a1c";
pub(crate) const API_KEY: &str = "test_fake_api_key_8b2e";
pub(crate) const API_SECRET: &str = "fake_api_secret_c71d09e3";
const ACCESS_TOKEN: &str = "fake-access-token-5a0b";
const REFRESH_TOKEN: &str = "fake-refresh-token-93ce";

fn oligon(server: &LocalServer, options: HttpOptions) -> std::sync::Arc<dyn Provider> {
    let config = ConnectionConfig {
        provider: ProviderKind::Oligon,
        base_url: server.url.clone(),
        org_id: None,
        project_id: None,
    };
    connect_with(config, Credentials::Bearer(TOKEN.into()), options).unwrap()
}

fn fiskaly(server: &LocalServer, options: HttpOptions) -> std::sync::Arc<dyn Provider> {
    let config = ConnectionConfig {
        provider: ProviderKind::Fiskaly,
        base_url: server.url.clone(),
        org_id: Some("org-1".into()),
        project_id: None,
    };
    let credentials = Credentials::FiskalyKey {
        api_key: SecretString::from(API_KEY),
        api_secret: SecretString::from(API_SECRET),
    };
    connect_with(config, credentials, options).unwrap()
}

/// Short backoff; the deadline and timeouts stay the defaults unless a test says otherwise.
fn quick() -> HttpOptions {
    HttpOptions {
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(50),
        ..HttpOptions::default()
    }
}

fn tokens_answer() -> Reply {
    Reply::json(
        200,
        format!(
            r#"{{"access_token":"{ACCESS_TOKEN}","access_token_expires_in":300,"refresh_token":"{REFRESH_TOKEN}","refresh_token_expires_in":600}}"#
        ),
    )
}

/// Whatever a server could echo: every credential value and the issued tokens.
const ALL_SECRETS: [&str; 5] = [TOKEN, API_KEY, API_SECRET, ACCESS_TOKEN, REFRESH_TOKEN];

/// Fails when any of `secrets` shows in `text`.
pub(crate) fn assert_none_of(secrets: &[&str], text: &str) {
    for secret in secrets {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

/// Fails when any fiskaly credential or token shows in `text`.
pub(crate) fn assert_no_secret(text: &str) {
    assert_none_of(&ALL_SECRETS[1..], text);
}

/// A server that signs fiskaly clients in and then answers 400 with everything it was sent
/// (and the refresh token it handed out) in the error's message, field and request id.
pub(crate) async fn echoing_server() -> LocalServer {
    serve(|seen| {
        if seen.target == "/auth" && seen.body.contains("api_key") {
            return tokens_answer();
        }
        let message = format!("{REFRESH_TOKEN} {} {}", seen.head, seen.body);
        let field = format!("{API_KEY} {API_SECRET} {TOKEN}");
        Reply::Answer {
            status: 400,
            headers: vec![(
                "x-request-id".to_owned(),
                format!("req-{API_SECRET}-{TOKEN}"),
            )],
            body: serde_json::json!({"error": {"message": message, "details": {"field": field}}})
                .to_string(),
        }
    })
    .await
}

#[tokio::test]
async fn a_fiskaly_sign_in_redirected_elsewhere_sends_the_secret_nowhere() {
    let elsewhere = serve(|_| tokens_answer()).await;
    let location = format!("{}/auth?from=keydesk", elsewhere.url);
    let first = serve(move |_| Reply::redirect(307, location.clone())).await;
    let error = fiskaly(&first, quick()).list_keys(None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.status(), Some(307));
    assert_eq!(
        error.to_string(),
        format!(
            "fiskaly answered 307, a redirect to {}; Keydesk follows no redirects, so check the base URL.",
            elsewhere.host()
        )
    );
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
}

#[tokio::test]
async fn an_oligon_list_redirected_elsewhere_sends_the_token_nowhere() {
    let elsewhere = serve(|_| Reply::json(200, "[]")).await;
    let location = format!("{}/v1/api-keys", elsewhere.url);
    let first = serve(move |_| Reply::redirect(302, location.clone())).await;
    let error = oligon(&first, quick()).list_keys(None).await.unwrap_err();
    assert_eq!(error.status(), Some(302));
    assert!(error.to_string().contains(elsewhere.host()), "{error}");
    assert!(elsewhere.seen().is_empty(), "{:?}", elsewhere.seen());
}

#[tokio::test]
async fn credential_values_echoed_by_a_server_reach_no_error() {
    let server = echoing_server().await;
    // fiskaly: the list's error echoes the access token it was sent and the refresh token.
    let error = fiskaly(&server, quick()).list_keys(None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert_no_secret(&format!(
        "{error} {:?} {:?}",
        error.field(),
        error.request_id()
    ));
    assert!(
        error
            .request_id()
            .is_some_and(|id| id.contains("[redacted]"))
    );
    // The sign-in's own error echoes the key and secret it was sent.
    let refusing = serve(|seen| {
        Reply::json(
            400,
            serde_json::json!({"error": {"message": format!("Bad sign-in: {}", seen.body)}})
                .to_string(),
        )
    })
    .await;
    let error = fiskaly(&refusing, quick())
        .list_keys(None)
        .await
        .unwrap_err();
    assert_no_secret(&error.to_string());
    // Oligon: the bearer token in the request id and the field, not only the message.
    let error = oligon(&server, quick()).list_keys(None).await.unwrap_err();
    assert_none_of(
        &[TOKEN],
        &format!("{error} {:?} {:?}", error.field(), error.request_id()),
    );
}

#[tokio::test]
async fn a_revoke_against_a_silent_server_fails_clearly_within_75_s_with_the_default_options() {
    // Real time (45 s, beside the rest of the suite): reqwest's timers do follow tokio's
    // paused clock (checked outside the workspace: a 30 s timeout took under 1 ms), but
    // pausing needs tokio's test-util feature, and a dev-dependency feature would make the
    // tests' tokio differ from the binaries' and so build everything on tokio twice.
    let server = serve(|_| Reply::Silent).await;
    let started = Instant::now();
    let error = oligon(&server, HttpOptions::default())
        .revoke_key("k1")
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert_eq!(error.kind(), ErrorKind::Network);
    assert_eq!(
        error.to_string(),
        "Oligon Receipts did not answer within 45 s."
    );
    assert!(waited < Duration::from_secs(75), "{waited:?}");
    // The request timed out once (30 s) and was tried once more, cut by the deadline.
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn the_deadline_bounds_a_whole_fiskaly_list_not_each_request() {
    // Each answer comes in time for its own request, but sign-in and list together do not.
    let server = serve(|seen| {
        let reply = if seen.target == "/auth" {
            tokens_answer()
        } else {
            Reply::json(200, r#"{"data":[],"count":0,"_type":"API_KEY_LIST"}"#)
        };
        Reply::Late(Duration::from_millis(1500), Box::new(reply))
    })
    .await;
    let options = HttpOptions {
        operation_deadline: Duration::from_secs(2),
        ..quick()
    };
    let error = fiskaly(&server, options).list_keys(None).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Network);
    assert_eq!(error.to_string(), "fiskaly did not answer within 2 s.");
}

#[tokio::test]
async fn a_create_cut_off_by_the_deadline_is_checked_for_an_orphan() {
    let listed = r#"[{"id":"k9","name":"ci","prefix":"sk_test","last4":"abcd","revoked_at":null}]"#;
    let server = serve(move |seen| match seen.method.as_str() {
        "POST" => Reply::Silent,
        _ => Reply::json(200, listed),
    })
    .await;
    let options = HttpOptions {
        operation_deadline: Duration::from_secs(1),
        ..quick()
    };
    let draft = KeyDraft {
        name: "ci".into(),
        scopes: vec!["extract:read".into()],
        ..KeyDraft::default()
    };
    // The request timeout (30 s) is not what ends the wait: the deadline is.
    let outcome = tokio::time::timeout(
        Duration::from_secs(20),
        oligon(&server, options).create_key(&draft),
    )
    .await
    .expect("the deadline ends the create")
    .unwrap();
    match outcome {
        CreateOutcome::Orphaned { key } => assert_eq!(key.unwrap().id, "k9"),
        CreateOutcome::Created(_) => panic!("no secret arrived"),
    }
    assert_eq!(server.seen().len(), 2, "one create, one list");
}
