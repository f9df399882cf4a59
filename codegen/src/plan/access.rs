//! Where the API is and how a client proves who it is, read off the spec by the rules
//! the contract (`codegen/src/emit/contract.rs`) states: the servers (each marked live
//! or sandbox) and the API key's placement.

use openapiv3::{OpenAPI, ReferenceOr, SecurityScheme};
use serde_json::Value;

/// The extension that marks a server's environment.
pub const ENVIRONMENT_EXTENSION: &str = "x-lomi-environment";

/// The environments [`ENVIRONMENT_EXTENSION`] may name.
pub const ENVIRONMENTS: [&str; 2] = ["live", "sandbox"];

/// The spec's servers as the contract sees them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Servers {
    /// Every URL, in spec order, variables replaced by their defaults.
    pub all: Vec<String>,
    /// The live server.
    pub live: Option<String>,
    /// The sandbox server.
    pub sandbox: Option<String>,
    /// The server used when none is chosen.
    pub default: Option<String>,
}

/// Reads the servers off `spec` by the contract's rule.
pub fn servers(spec: &OpenAPI) -> Servers {
    let mut out = Servers::default();
    let mut unmarked = None;
    for server in &spec.servers {
        let mut url = server.url.clone();
        for (name, variable) in server.variables.iter().flatten() {
            url = url.replace(&format!("{{{name}}}"), &variable.default);
        }
        let url = url.trim_end_matches('/').to_string();
        match server
            .extensions
            .get(ENVIRONMENT_EXTENSION)
            .and_then(Value::as_str)
        {
            Some("live") if out.live.is_none() => out.live = Some(url.clone()),
            Some("sandbox") if out.sandbox.is_none() => out.sandbox = Some(url.clone()),
            Some(_) => {}
            None if unmarked.is_none() => unmarked = Some(url.clone()),
            None => {}
        }
        out.all.push(url);
    }
    out.live = out.live.or(unmarked);
    out.default = out.live.clone().or_else(|| out.all.first().cloned());
    out
}

/// How the API key is sent, by the contract's rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiKey {
    /// The header that carries the key.
    pub header: Option<String>,
    /// The query parameter that carries the key, when no header does.
    pub query: Option<String>,
    /// What goes before the key in the header (`Bearer`).
    pub prefix: Option<String>,
}

/// Reads the API key's placement off `spec`'s security schemes.
pub fn api_key(spec: &OpenAPI) -> ApiKey {
    let mut out = ApiKey::default();
    let schemes = spec
        .components
        .iter()
        .flat_map(|c| c.security_schemes.values())
        .filter_map(|s| match s {
            ReferenceOr::Item(s) => Some(s),
            ReferenceOr::Reference { .. } => None,
        });
    for scheme in schemes {
        match scheme {
            SecurityScheme::APIKey {
                location: openapiv3::APIKeyLocation::Header,
                name,
                ..
            } if out.header.is_none() => {
                out.header = Some(name.clone());
                out.query = None;
                return out;
            }
            SecurityScheme::HTTP { scheme, .. }
                if out.header.is_none() && scheme.eq_ignore_ascii_case("bearer") =>
            {
                out.header = Some("Authorization".into());
                out.prefix = Some("Bearer".into());
                return out;
            }
            SecurityScheme::APIKey {
                location: openapiv3::APIKeyLocation::Query,
                name,
                ..
            } if out.query.is_none() => out.query = Some(name.clone()),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(extra: &str) -> OpenAPI {
        serde_yaml::from_str(&format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\n{extra}"
        ))
        .unwrap()
    }

    #[test]
    fn servers_are_told_apart_by_mark_or_position_never_by_description() {
        let none = servers(&spec(""));
        assert_eq!((none.default, none.live, none.sandbox), (None, None, None));

        let one = servers(&spec(
            "servers: [{url: 'https://x.test/v1/', description: Sandbox}]",
        ));
        assert_eq!(one.all, ["https://x.test/v1"]);
        assert_eq!(one.live.as_deref(), Some("https://x.test/v1"));
        assert_eq!(one.sandbox, None);

        let three = servers(&spec(
            "servers:
  - {url: 'https://{region}.test', description: Production, variables: {region: {default: eu}}}
  - {url: 'https://sb.test', x-lomi-environment: sandbox}
  - {url: 'https://live.test', description: Sandbox, x-lomi-environment: live}",
        ));
        assert_eq!(
            three.all,
            ["https://eu.test", "https://sb.test", "https://live.test"]
        );
        assert_eq!(three.live.as_deref(), Some("https://live.test"));
        assert_eq!(three.sandbox.as_deref(), Some("https://sb.test"));
        assert_eq!(three.default.as_deref(), Some("https://live.test"));
    }

    #[test]
    fn the_key_goes_in_a_header_a_bearer_or_the_query() {
        let header = api_key(&spec(
            "components: {securitySchemes: {q: {type: apiKey, in: query, name: key}, h: {type: apiKey, in: header, name: X-K}}}",
        ));
        assert_eq!(
            (header.header.as_deref(), header.query),
            (Some("X-K"), None)
        );
        let query = api_key(&spec(
            "components: {securitySchemes: {q: {type: apiKey, in: query, name: key}}}",
        ));
        assert_eq!(query.query.as_deref(), Some("key"));
        let bearer = api_key(&spec(
            "components: {securitySchemes: {b: {type: http, scheme: bearer}}}",
        ));
        assert_eq!(bearer.prefix.as_deref(), Some("Bearer"));
        assert_eq!(api_key(&spec("")), ApiKey::default());
    }
}
