//! `attention`: findings from a real sandbox's demo data, as JSON and as a table, and the
//! exit code 5 of `--fail-on`.

use keydesk_core::ProviderKind;
use keydesk_sandbox::{CredentialOptions, SandboxConfig, SandboxHandle, Seed, Variant};
use serde_json::Value;

use crate::support::core::{CliRun, cli_connection, run_cli, sandbox, sandbox_with};

async fn demo() -> SandboxHandle {
    sandbox_with(SandboxConfig {
        seed: Some(Seed::Demo),
        variant: Variant::Documented,
        ..SandboxConfig::default()
    })
    .await
}

/// Runs `command` against `provider` in `sandbox`, checking no credential reaches the output.
async fn run(sandbox: &SandboxHandle, provider: ProviderKind, command: &[&str]) -> CliRun {
    let (args, env, secrets) = cli_connection(sandbox, provider, &CredentialOptions::default());
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend_from_slice(command);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = run_cli(&all, &env, "").await;
    for secret in &secrets {
        assert!(
            !run.stdout.contains(secret.as_str()) && !run.stderr.contains(secret.as_str()),
            "a credential was printed: {command:?}"
        );
    }
    run
}

/// (key name, rule, severity) of each finding of a JSON answer.
fn fired(findings: &Value) -> Vec<(String, String, String)> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            for field in ["connection_id", "key_id", "reason", "action"] {
                assert!(finding[field].is_string(), "{field} in {finding}");
            }
            let text = |field: &str| finding[field].as_str().unwrap().to_owned();
            (text("key_name"), text("rule"), text("severity"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strait_demo_findings_as_json_and_as_a_table() {
    let sandbox = demo().await;
    let answer = run(&sandbox, ProviderKind::Strait, &["attention", "--json"]).await;
    assert_eq!(answer.code, 0, "{}", answer.stderr);
    let findings = answer.json();
    let fired = fired(&findings);
    for expected in [
        ("Webhook signer", "grace_ending", "high"),
        ("Audit log shipper", "rotation_overdue", "high"),
        ("Summer campaign", "expired", "high"),
        ("Partner API (Globex)", "expires_soon", "high"),
        ("Temporary migration", "expires_soon", "medium"),
        ("Reporting (read only)", "stale", "medium"),
    ] {
        let expected = (
            expected.0.to_owned(),
            expected.1.to_owned(),
            expected.2.to_owned(),
        );
        assert!(fired.contains(&expected), "{expected:?} in {fired:?}");
    }
    // The CLI has no annotations, snapshots or orphan reports.
    for (_, rule, _) in &fired {
        assert!(
            !["unowned", "appeared", "disappeared", "orphan"].contains(&rule.as_str()),
            "{rule}"
        );
    }
    // High first.
    let severities: Vec<&str> = fired
        .iter()
        .map(|(_, _, severity)| severity.as_str())
        .collect();
    let rank = |severity: &str| {
        ["high", "medium", "low"]
            .iter()
            .position(|s| *s == severity)
    };
    assert!(
        severities
            .windows(2)
            .all(|pair| rank(pair[0]) <= rank(pair[1])),
        "{severities:?}"
    );
    let grace = findings
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == "grace_ending")
        .unwrap();
    let reason = grace["reason"].as_str().unwrap();
    assert!(reason.contains("after the rotation"), "{reason}");

    let table = run(&sandbox, ProviderKind::Strait, &["attention"]).await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    let mut lines = table.stdout.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["SEVERITY", "KEY", "NAME", "RULE", "REASON"]);
    assert_eq!(lines.count(), fired.len());
    assert!(
        table.stdout.lines().any(|line| line.starts_with("high")
            && line.contains("Audit log shipper")
            && line.contains("rotation_overdue")),
        "{}",
        table.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_exits_5_only_for_a_finding_at_or_above_the_severity() {
    let sandbox = demo().await;
    let high = run(
        &sandbox,
        ProviderKind::Strait,
        &["attention", "--fail-on", "high", "--json"],
    )
    .await;
    assert_eq!(high.code, 5, "{}", high.stderr);
    assert!(
        !high.json().as_array().unwrap().is_empty(),
        "findings still printed"
    );
    // fiskaly reports neither use nor expiry: its demo needs nothing.
    let quiet = run(
        &sandbox,
        ProviderKind::Fiskaly,
        &["attention", "--fail-on", "low"],
    )
    .await;
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(quiet.stdout.trim(), "Nothing needs attention.");
    assert_eq!(
        run(
            &sandbox,
            ProviderKind::Strait,
            &["attention", "--fail-on", "urgent"]
        )
        .await
        .code,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_on_compares_with_the_worst_finding() {
    // One fresh live SyncgramPay key without expiry: a single low finding.
    let sandbox = sandbox(Variant::Documented).await;
    let created = run(
        &sandbox,
        ProviderKind::Syncgram,
        &["create", "--name", "Production", "--live", "--json"],
    )
    .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    let id = created.json()["key"]["id"].as_str().unwrap().to_owned();
    let findings = run(&sandbox, ProviderKind::Syncgram, &["attention", "--json"]).await;
    let findings = findings.json();
    assert_eq!(findings.as_array().unwrap().len(), 1, "{findings}");
    assert_eq!(findings[0]["key_id"], id.as_str());
    assert_eq!(findings[0]["rule"], "live_without_expiry");
    assert_eq!(findings[0]["severity"], "low");
    for (threshold, code) in [("high", 0), ("medium", 0), ("low", 5)] {
        let answer = run(
            &sandbox,
            ProviderKind::Syncgram,
            &["attention", "--fail-on", threshold],
        )
        .await;
        assert_eq!(
            answer.code, code,
            "--fail-on {threshold}: {}",
            answer.stderr
        );
    }
}
