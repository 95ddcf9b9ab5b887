//! Where Keydesk keeps its files: the app data dir Tauri gives the app (the XDG data dir
//! joined with the app's identifier), with a `debug` subfolder for debug builds so they never
//! share data with a release install.

use std::path::PathBuf;

/// The app's identifier, as in src-tauri/tauri.conf.json (a test there keeps them equal).
pub const IDENTIFIER: &str = "dev.keydesk.app";

/// The environment variable that puts the data dir elsewhere (tests, a second profile).
pub const DATA_DIR_ENV: &str = "KEYDESK_DATA_DIR";

/// The file of connections and preferences in the data dir.
pub const SETTINGS_FILE: &str = "settings.json";

/// The data dir [`DATA_DIR_ENV`] names, if it is set and not empty.
pub fn data_dir_override() -> Option<PathBuf> {
    std::env::var_os(DATA_DIR_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
}

/// The data dir inside the app data dir `app_data_dir`: a `debug` subfolder for debug builds.
pub fn build_subdir(app_data_dir: PathBuf) -> PathBuf {
    if cfg!(debug_assertions) {
        app_data_dir.join("debug")
    } else {
        app_data_dir
    }
}

/// This build's data dir: [`DATA_DIR_ENV`] when set, else the one the app uses
/// (`$XDG_DATA_HOME/dev.keydesk.app` on Linux, plus `debug` in debug builds); `None` when
/// the OS names no data dir.
pub fn data_dir() -> Option<PathBuf> {
    data_dir_override().or_else(|| dirs::data_dir().map(|dir| build_subdir(dir.join(IDENTIFIER))))
}
