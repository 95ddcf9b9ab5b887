//! `keydesk-cli` against hostile local servers: another origin's answer is never shown as the
//! connection's, and credential values a server echoes never reach the terminal.

use crate::core::hostile::{API_KEY, API_SECRET, TOKEN, assert_no_secret, echoing_server};
use crate::support::core::run_cli;
use crate::support::local_server::{Reply, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_redirected_to_another_origin_fails_instead_of_showing_its_keys() {
    let elsewhere = serve(|_| Reply::json(200, "[]")).await;
    let location = format!("{}/v1/api-keys", elsewhere.url);
    let first = serve(move |_| Reply::redirect(302, location.clone())).await;
    let run = run_cli(
        &["--provider", "oligon", "--base-url", &first.url, "list"],
        &[("KEYDESK_TOKEN", TOKEN)],
        "",
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(!run.stdout.contains("No keys"), "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "a redirect to {}; Keydesk follows no redirects",
            elsewhere.host()
        )),
        "{run:?}"
    );
    assert!(elsewhere.seen().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_values_a_server_echoes_stay_off_the_terminal() {
    let server = echoing_server().await;
    let run = run_cli(
        &[
            "--provider",
            "fiskaly",
            "--base-url",
            &server.url,
            "--org",
            "org-1",
            "list",
        ],
        &[
            ("KEYDESK_API_KEY", API_KEY),
            ("KEYDESK_API_SECRET", API_SECRET),
        ],
        "",
    )
    .await;
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("fiskaly answered 400"), "{run:?}");
    assert_no_secret(&format!("{} {}", run.stdout, run.stderr));
}
