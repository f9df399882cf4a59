//! Which operation of the spec a request is, with its path parameters.

use http::Method;

use crate::spec::{Operation, Spec};
use crate::store::Failure;

/// The values of a path's parameters, by name, decoded.
pub(crate) type PathParams = Vec<(String, String)>;

/// The operation `path` and `method` name, with the path's parameters.
pub(crate) fn route<'a>(
    spec: &'a Spec,
    method: &Method,
    path: &str,
) -> Result<(&'a Operation, PathParams), Failure> {
    let relative = path
        .strip_prefix(spec.base_path.as_str())
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .ok_or_else(|| {
            Failure::new(
                404,
                "not_found",
                format!("{path} is not under the API's base path {}", spec.base_path),
            )
        })?;
    let segments: Vec<&str> = relative.trim_matches('/').split('/').collect();
    let mut allowed = Vec::new();
    for op in &spec.operations {
        if let Some(params) = op.matches(&segments) {
            if op.method == method.as_str() {
                return Ok((op, params));
            }
            allowed.push(op.method.clone());
        }
    }
    if allowed.is_empty() {
        Err(Failure::new(
            404,
            "not_found",
            format!("the API has no path {relative}"),
        ))
    } else {
        let mut failure = Failure::new(
            405,
            "method_not_allowed",
            format!("{relative} takes {}, not {method}", allowed.join(", ")),
        );
        failure.allow = Some(allowed.join(", "));
        Err(failure)
    }
}
