//! A connection's settings and the checks of them and of its credentials that every
//! provider's client makes before it is built.

use std::net::IpAddr;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::{Host, Url};

use crate::auth::Credentials;
use crate::capabilities::{Capabilities, ConnectionField};
use crate::error::Error;
use crate::model::ProviderKind;

/// Where a provider lives and which organisation/project to manage. Holds nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConnectionConfig {
    /// Which API this is.
    pub provider: ProviderKind,
    /// The API's base URL, e.g. `https://api.receipts.oligontech.com` or a sandbox's
    /// `http://127.0.0.1:PORT/oligon`.
    pub base_url: String,
    /// The organisation whose keys are managed, for a provider that asks for one.
    pub org_id: Option<String>,
    /// The project whose keys are managed, for a provider that asks for one.
    pub project_id: Option<String>,
}

/// Parses a base URL and insists on https unless it points at this machine.
pub fn parse_base_url(text: &str) -> Result<Url, Error> {
    let url = Url::parse(text.trim()).map_err(|_| {
        Error::validation(
            "base_url",
            "The base URL is not a valid URL (e.g. https://api.example.com).",
        )
    })?;
    if url.host().is_none() || url.cannot_be_a_base() {
        return Err(Error::validation("base_url", "The base URL needs a host."));
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(Error::validation(
            "base_url",
            "The base URL must not carry a query, fragment or user name.",
        ));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::validation(
            "base_url",
            "Use https:// for anything but this machine; plain http would expose the token.",
        )),
        _ => Err(Error::validation(
            "base_url",
            "The base URL must start with https://.",
        )),
    }
}

/// Whether `url` points at this machine (localhost, 127.0.0.0/8, ::1).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// The bearer token of a provider that connects with one; `provider` names it in the error
/// for a key and secret.
pub(crate) fn bearer_token(
    provider: ProviderKind,
    credentials: Credentials,
) -> Result<SecretString, Error> {
    match credentials {
        Credentials::Bearer(token) => {
            require_filled("token", token.expose_secret())?;
            Ok(token)
        }
        Credentials::FiskalyKey { .. } => Err(Error::validation(
            "token",
            format!(
                "{} connects with a bearer token, not a key and secret.",
                provider.display_name()
            ),
        )),
    }
}

/// The API key and secret of a provider that exchanges them for tokens.
pub(crate) fn key_and_secret(
    provider: ProviderKind,
    credentials: Credentials,
) -> Result<(SecretString, SecretString), Error> {
    match credentials {
        Credentials::FiskalyKey {
            api_key,
            api_secret,
        } => {
            require_filled("api_key", api_key.expose_secret())?;
            require_filled("api_secret", api_secret.expose_secret())?;
            Ok((api_key, api_secret))
        }
        Credentials::Bearer(_) => Err(Error::validation(
            "api_key",
            format!(
                "{} connects with an API key and secret, not a token.",
                provider.display_name()
            ),
        )),
    }
}

/// The connection setting `field`, trimmed; missing or blank is an error naming it with the
/// label the provider's `caps` give it.
pub(crate) fn required_setting(
    config: &ConnectionConfig,
    caps: &Capabilities,
    field: ConnectionField,
) -> Result<String, Error> {
    let (name, value) = match field {
        ConnectionField::OrgId => ("org_id", &config.org_id),
        ConnectionField::ProjectId => ("project_id", &config.project_id),
    };
    let label = caps
        .connection_fields
        .iter()
        .find(|spec| spec.name == field)
        .map_or_else(|| name.replace('_', " "), |spec| spec.label.to_lowercase());
    value
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::validation(
                name,
                format!("{} needs the {label}.", config.provider.display_name()),
            )
        })
}

fn require_filled(field: &str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::validation(
            field,
            format!("The {} is empty.", field.replace('_', " ")),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_required_except_on_loopback() {
        for ok in [
            "https://api.example.com",
            "http://127.0.0.1:8080/oligon",
            "http://localhost:1/x",
            "http://[::1]:9/",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.example.com",
            "ftp://127.0.0.1",
            "not a url",
            "https://user:pw@x.test",
            "http://10.0.0.1",
        ] {
            assert_eq!(
                parse_base_url(bad).unwrap_err().field(),
                Some("base_url"),
                "{bad}"
            );
        }
    }
}
