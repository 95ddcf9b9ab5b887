//! Helpers for driving the desktop app's state and commands through Tauri's mock runtime,
//! against a sandbox spawned on 127.0.0.1:0, with the real keyring and clipboard of the
//! desktop session (`scripts/desktop-session`).

// Test helpers: a panic is the failure message.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use keydesk_app::{AppConfig, AppState, SandboxMode};
use keydesk_core::ProviderKind;
use keydesk_sandbox::{Dialect, SandboxConfig, SandboxHandle};
use serde_json::{Value, json};
use tauri::test::{MockRuntime, mock_builder, mock_context, noop_assets};
use tauri::{Manager, WebviewWindow, WebviewWindowBuilder};
use tempfile::TempDir;

/// The app built on the mock runtime, with its files in a temporary folder and its keyring
/// items under a service name of its own.
pub struct TestApp {
    pub app: tauri::App<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
    pub dirs: AppDirs,
}

/// The folders and keyring namespace of one test app; reusable to "restart" the app.
pub struct AppDirs {
    pub root: TempDir,
    pub service: String,
}

impl AppDirs {
    pub fn new() -> Self {
        Self {
            root: tempfile::tempdir().unwrap(),
            service: format!("dev.keydesk.test.{}", uuid::Uuid::new_v4()),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    pub fn export_dir(&self) -> PathBuf {
        self.root.path().join("exports")
    }

    /// Writes `bytes` as the file `name` of the data dir, as an earlier run (or a crash) left it.
    pub fn write_data_file(&self, name: &str, bytes: &[u8]) {
        std::fs::create_dir_all(self.data_dir()).unwrap();
        std::fs::write(self.data_dir().join(name), bytes).unwrap();
    }
}

impl TestApp {
    /// A fresh app without the embedded sandbox.
    pub fn start() -> Self {
        Self::start_in(AppDirs::new(), SandboxMode::Off)
    }

    /// An app on `dirs` (files of an earlier app stay), with `sandbox`.
    pub fn start_in(dirs: AppDirs, sandbox: SandboxMode) -> Self {
        Self::start_with(dirs, sandbox, |builder| builder)
    }

    /// [`Self::start_in`] on a mock builder that `prepare` adds to first (e.g. managed test
    /// state the app looks for).
    pub fn start_with(
        dirs: AppDirs,
        sandbox: SandboxMode,
        prepare: impl FnOnce(tauri::Builder<MockRuntime>) -> tauri::Builder<MockRuntime>,
    ) -> Self {
        Self::start_configured(dirs, sandbox, None, prepare)
    }

    /// The same app quit as a crash or the OS would (its connections and keyring items stay)
    /// and started again on its files, running background attention checks (and reminders)
    /// from startup on.
    pub fn restart_reminding(self) -> Self {
        keydesk_app::state::shutdown(self.app.handle());
        let Self { app, window, dirs } = self;
        drop(window);
        drop(app);
        Self::start_configured(dirs, SandboxMode::Off, Some(Duration::ZERO), |builder| {
            builder
        })
    }

    fn start_configured(
        dirs: AppDirs,
        sandbox: SandboxMode,
        reminders_after: Option<Duration>,
        prepare: impl FnOnce(tauri::Builder<MockRuntime>) -> tauri::Builder<MockRuntime>,
    ) -> Self {
        let config = AppConfig {
            data_dir: dirs.data_dir(),
            export_dir: dirs.export_dir(),
            keyring_service: dirs.service.clone(),
            sandbox,
            reminders_after,
        };
        let mut app = keydesk_app::builder(prepare(mock_builder()), move |_| Ok(config))
            .build(mock_context(noop_assets()))
            .unwrap();
        // Tauri runs the setup hook (which builds the state) on the event loop's first turn.
        #[allow(deprecated)]
        app.run_iteration(|_, _| {});
        let window = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Self { app, window, dirs }
    }

    /// Calls `command` as the webview would; `Err` holds the rejected JSON.
    pub fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        invoke_on(&self.window, command, args)
    }

    /// Calls `command` on another thread as the webview would; the answer comes on the channel.
    pub fn invoke_in_background(
        &self,
        command: &str,
        args: Value,
    ) -> mpsc::Receiver<Result<Value, Value>> {
        let window = self.window.clone();
        let command = command.to_owned();
        let (answer, answered) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = answer.send(invoke_on(&window, &command, args));
        });
        answered
    }

    /// `invoke` that must succeed.
    pub fn call(&self, command: &str, args: Value) -> Value {
        match self.invoke(command, args) {
            Ok(value) => value,
            Err(error) => panic!("{command} failed: {error}"),
        }
    }

    /// `invoke` that must fail; answers the AppError JSON.
    pub fn fail(&self, command: &str, args: Value) -> Value {
        match self.invoke(command, args) {
            Ok(value) => panic!("{command} should have failed, answered {value}"),
            Err(error) => error,
        }
    }

    pub fn state(&self) -> tauri::State<'_, AppState> {
        self.app.state::<AppState>()
    }

    /// Saves a connection to `sandbox` speaking `dialect`; answers the Connection JSON.
    pub fn connect_sandbox(&self, sandbox: &SandboxHandle, dialect: Dialect) -> Value {
        self.call(
            "save_connection",
            json!({ "input": sandbox_input(sandbox, dialect) }),
        )
    }

    /// Creates a key from `draft` in `connection_id` (no replacing); answers the
    /// CreateResult JSON.
    pub fn create_key(&self, connection_id: impl Into<Value>, draft: Value) -> Value {
        let args = json!({
            "connectionId": connection_id.into(),
            "draft": draft,
            "replaceActive": false,
        });
        self.call("create_key", args)
    }

    /// Saves a connection to `dialect` of `sandbox` with the token of `user`; answers its id.
    pub fn connect_sandbox_as(
        &self,
        sandbox: &SandboxHandle,
        dialect: Dialect,
        user: &str,
    ) -> Value {
        let input = sandbox_input_as(sandbox, dialect, Some(user));
        self.call("save_connection", json!({ "input": input }))["id"].clone()
    }

    /// Connects to `dialect` of `sandbox` and creates a key from `draft` there; answers the
    /// connection id and the CreateResult JSON.
    pub fn connected_key(
        &self,
        sandbox: &SandboxHandle,
        dialect: Dialect,
        draft: Value,
    ) -> (Value, Value) {
        let id = self.connect_sandbox(sandbox, dialect)["id"].clone();
        let created = self.create_key(id.clone(), draft);
        (id, created)
    }

    /// Quits: clears the clipboard, wipes reveals, removes this app's keyring items.
    pub fn quit(self) -> AppDirs {
        keydesk_app::state::shutdown(self.app.handle());
        for connection in self.state().connections.list().unwrap() {
            let _ = self.state().connections.delete(&connection.id);
        }
        let _ = self.state().fingerprints.delete_key();
        let Self { app, window, dirs } = self;
        drop(window);
        drop(app);
        dirs
    }
}

/// Creates a key from the usual draft of `provider` in `connection_id`; answers the reveal
/// JSON and the plaintext of its secret `index`, acknowledged so only the search knows it.
pub fn created_secret(
    app: &TestApp,
    connection_id: &Value,
    provider: ProviderKind,
    index: u32,
) -> (Value, String) {
    let draft = serde_json::to_value(crate::support::core::draft(provider, "leaky-one")).unwrap();
    let created = app.create_key(connection_id.clone(), draft);
    let reveal = created["reveal"].clone();
    let secret = app.call(
        "reveal_secret",
        json!({"revealId": reveal["reveal_id"], "index": index}),
    );
    app.call(
        "acknowledge_reveal",
        json!({"revealId": reveal["reveal_id"]}),
    );
    (reveal, secret.as_str().unwrap().to_owned())
}

/// The ConnectionInput JSON for `dialect` of `sandbox`, with its minted credentials.
pub fn sandbox_input(sandbox: &SandboxHandle, dialect: Dialect) -> Value {
    sandbox_input_as(sandbox, dialect, None)
}

/// [`sandbox_input`] with the token of `user` (`None`: the default admin).
pub fn sandbox_input_as(sandbox: &SandboxHandle, dialect: Dialect, user: Option<&str>) -> Value {
    let options = keydesk_sandbox::CredentialOptions {
        user: user.map(str::to_owned),
        ..Default::default()
    };
    let minted = sandbox.credentials_with(dialect, &options).unwrap();
    let c = &minted.credentials;
    let mut credentials = serde_json::Map::new();
    for name in ["token", "api_key", "api_secret"] {
        if let Some(value) = c.get(name) {
            credentials.insert(name.into(), value.clone());
        }
    }
    json!({
        "id": null,
        "name": format!("{} test", dialect.as_str()),
        "provider": dialect.as_str(),
        "base_url": format!("{}{}", sandbox.base_url(), minted.base_path),
        "org_id": c.get("organization_id"),
        "project_id": c.get("project_id"),
        "label": null,
        "color": null,
        "credentials": credentials,
    })
}

/// The string `field` of every object in the JSON array `list` (ids, actions…).
pub fn strings<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[field].as_str().unwrap())
        .collect()
}

/// A sandbox in memory, served from the same runtime the app's commands run on.
pub fn spawn_sandbox() -> SandboxHandle {
    tauri::async_runtime::block_on(keydesk_sandbox::spawn(SandboxConfig::default())).unwrap()
}

/// A sandbox answering as real deployments do (request ids, Strait's dropped revoked keys).
pub fn spawn_deployed_sandbox() -> SandboxHandle {
    let config = SandboxConfig {
        variant: keydesk_sandbox::Variant::Deployed,
        ..Default::default()
    };
    tauri::async_runtime::block_on(keydesk_sandbox::spawn(config)).unwrap()
}

/// The single X clipboard is shared by every test that copies: they take turns.
pub fn clipboard_turn() -> MutexGuard<'static, ()> {
    static CLIPBOARD: Mutex<()> = Mutex::new(());
    CLIPBOARD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What `xclip -o -selection clipboard` prints (`None` when the clipboard holds no text).
pub fn xclip_output() -> Option<String> {
    xclip_read(&[])
}

/// The targets (formats) the clipboard's owner offers, one a line; `None` when it has none.
pub fn xclip_targets() -> Option<String> {
    xclip_read(&["-t", "TARGETS"])
}

fn xclip_read(extra: &[&str]) -> Option<String> {
    let output = std::process::Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .args(extra)
        .output()
        .unwrap();
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Puts `text` on the clipboard from another process, as a user copying elsewhere would.
pub fn xclip_copy(text: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    // xclip forks a server to own the selection and the foreground process exits.
    assert!(child.wait().unwrap().success());
}

/// Polls `condition` until it holds or `limit` passes; answers whether it held.
pub fn eventually(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if condition() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut hits = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes
                    .windows(needle.len())
                    .any(|window| window == needle.as_bytes())
                {
                    hits.push(path);
                }
            }
        }
    }
    hits
}

/// Calls `command` in `window` as the webview would; `Err` holds the rejected JSON.
fn invoke_on(
    window: &WebviewWindow<MockRuntime>,
    command: &str,
    args: Value,
) -> Result<Value, Value> {
    let request = tauri::webview::InvokeRequest {
        cmd: command.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    };
    tauri::test::get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap())
}
