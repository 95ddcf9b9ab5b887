//! The `keydesk-sandbox` binary: `serve` prints its URL once it accepts connections, `token`
//! prints credentials that work against it, SIGTERM stops it.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::sandbox::{http_client, sandbox_binary, send, temp_db};

/// Kills the server if a test assertion fails before the orderly stop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn token(db: &std::path::Path, dialect: &str, org: Option<&str>) -> Value {
    let mut command = Command::new(sandbox_binary());
    command.arg("token").arg("--db").arg(db).arg(dialect);
    if let Some(org) = org {
        command.args(["--org", org]);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "one JSON object on one line");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn serve_prints_its_url_and_token_credentials_work_against_it() {
    let (_dir, db) = temp_db();
    let mut child = Command::new(sandbox_binary())
        .args([
            "serve",
            "--port",
            "0",
            "--seed",
            "demo",
            "--variant",
            "deployed",
            "--db",
        ])
        .arg(&db)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    // Blocking read of the first line: it is printed only once the port accepts connections.
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let announced: Value = serde_json::from_str(&line).unwrap();
    let base_url = announced["base_url"].as_str().unwrap().to_owned();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    assert_eq!(announced.as_object().unwrap().len(), 1);

    let http = http_client();
    let oligon = token(&db, "oligon", None);
    assert_eq!(oligon["dialect"], "oligon");
    assert_eq!(oligon["base_path"], "/oligon");
    let (status, headers, keys) = send(
        http.get(format!("{base_url}/oligon/v1/api-keys"))
            .bearer_auth(oligon["credentials"]["token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        headers.contains_key("x-request-id"),
        "--variant deployed took effect"
    );
    assert!(
        keys.as_array().unwrap().len() >= 10,
        "--seed demo took effect"
    );

    let fiskaly = token(&db, "fiskaly", None);
    assert_eq!(fiskaly["base_path"], "/fiskaly/api/v0");
    let credentials = &fiskaly["credentials"];
    let (status, _, tokens) = send(http.post(format!("{base_url}/fiskaly/api/v0/auth")).json(
        &serde_json::json!({
            "api_key": credentials["api_key"], "api_secret": credentials["api_secret"],
        }),
    ))
    .await;
    assert_eq!(status, 200);
    assert!(tokens["access_token"].is_string());

    let strait = token(&db, "strait", Some("proj_second"));
    assert_eq!(strait["credentials"]["project_id"], "proj_second");
    let (status, _, body) = send(
        http.get(format!(
            "{base_url}/strait/v1/api-keys?project_id=proj_second"
        ))
        .bearer_auth(strait["credentials"]["token"].as_str().unwrap()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        serde_json::json!([]),
        "a second project starts empty"
    );
    // --variant deployed limits Strait writes as the open-source service does.
    let strait_token = strait["credentials"]["token"].as_str().unwrap();
    let revoke = || {
        http.delete(format!(
            "{base_url}/strait/v1/api-keys/00000000-0000-0000-0000-000000000000"
        ))
        .bearer_auth(strait_token)
        .send()
    };
    for _ in 0..keydesk_sandbox::STRAIT_DEPLOYED_WRITES_PER_MINUTE {
        assert_eq!(revoke().await.unwrap().status(), 404);
    }
    assert_eq!(revoke().await.unwrap().status(), 429);

    // SIGTERM: a clean, successful exit.
    let mut server = server;
    let pid = server.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || server.0.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn token_refuses_an_unknown_dialect() {
    let (_dir, db) = temp_db();
    let output = Command::new(sandbox_binary())
        .arg("token")
        .arg("--db")
        .arg(&db)
        .arg("stripe")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
}
