//! The checks every generated builder runs before anything is sent: each parameter is
//! set (and converted), and within the bounds the spec gives it.
//!
//! Only generated code calls these; an item that only some specs use says so where it
//! allows being unused.

use crate::IntoArg;
use crate::arg::Refusals;
use crate::error::{Error, InvalidInput};

/// Which operation a call is, for errors and traces.
#[derive(Clone, Copy, Debug)]
pub struct Operation {
    /// The operationId in the spec.
    pub id: &'static str,
    /// The client method.
    pub method: &'static str,
    /// The HTTP method.
    pub http_method: &'static str,
    /// The path template.
    pub path: &'static str,
}

/// A parameter's bounds from the spec.
#[derive(Clone, Copy, Debug, Default)]
pub struct Bounds {
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
}

/// A value the builders hold that bounds can be checked on.
pub trait ParamValue {
    /// The value as a number, if it is one.
    fn number(&self) -> Option<f64> {
        None
    }
    /// The value as text, if it is text.
    fn text(&self) -> Option<&str> {
        None
    }
}

macro_rules! numeric_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    )*};
}
numeric_param!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, f32, f64);

macro_rules! nonzero_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn number(&self) -> Option<f64> {
                Some(self.get() as f64)
            }
        }
    )*};
}
nonzero_param!(
    std::num::NonZeroU8,
    std::num::NonZeroU16,
    std::num::NonZeroU32,
    std::num::NonZeroU64,
    std::num::NonZeroI8,
    std::num::NonZeroI16,
    std::num::NonZeroI32,
    std::num::NonZeroI64
);

/// Values whose only check is that they are set (and converted): a `Uuid` or a date
/// cannot be empty or out of a length range.
macro_rules! opaque_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {}
    )*};
}
opaque_param!(
    bool,
    uuid::Uuid,
    chrono::NaiveDate,
    chrono::NaiveTime,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::Utc>,
    std::net::IpAddr,
    std::net::Ipv4Addr,
    std::net::Ipv6Addr,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>
);

impl ParamValue for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: ParamValue> ParamValue for Option<T> {
    fn number(&self) -> Option<f64> {
        self.as_ref().and_then(T::number)
    }
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(T::text)
    }
}

impl<T: ParamValue> ParamValue for Vec<T> {}

fn invalid(operation: &Operation, parameter: &str, message: String) -> Error {
    Error::InvalidInput(InvalidInput {
        operation: operation.method,
        parameter: Some(parameter.to_string()),
        message,
    })
}

impl Bounds {
    /// "must be between 1 and 100, got 0", when the bounds are numeric.
    fn range_message(&self, n: f64) -> Option<String> {
        let range = match (self.minimum, self.maximum) {
            (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
            (Some(lo), None) => format!("at least {lo}"),
            (None, Some(hi)) => format!("at most {hi}"),
            (None, None) => return None,
        };
        Some(format!("must be {range}, got {n}"))
    }
}

/// A parameter setter's conversion: `value` as the parameter's type, or why not. A
/// number that does not fit the type (`limit(0)` for a `NonZeroU64`) is reported with
/// the spec's bounds.
pub fn arg<T, V: IntoArg<T>>(value: V, bounds: Option<Bounds>) -> Result<T, String> {
    let number = value.as_number();
    value.into_arg().map_err(|e| {
        number
            .zip(bounds)
            .and_then(|(n, b)| b.range_message(n))
            .unwrap_or(e)
    })
}

/// A bounded parameter's setter: `value` as the parameter's type and within the spec's
/// `bounds` (range, length), or why not. The one check of a parameter's bounds: `send()`
/// reports what the setter found ([`check_set`]).
pub fn arg_within<T: ParamValue, V: IntoArg<T>>(value: V, bounds: Bounds) -> Result<T, String> {
    let value = arg(value, Some(bounds))?;
    match outside(&value, &bounds) {
        Some(message) => Err(message),
        None => Ok(value),
    }
}

/// Why `value` falls outside `bounds`, if it does.
fn outside<T: ParamValue>(value: &T, bounds: &Bounds) -> Option<String> {
    if let Some(n) = value.number() {
        let low = bounds.minimum.is_some_and(|m| n < m);
        let high = bounds.maximum.is_some_and(|m| n > m);
        if low || high {
            return bounds.range_message(n);
        }
    }
    let text = value.text()?;
    let len = text.chars().count();
    if let Some(min) = bounds.min_length
        && len < min
    {
        return Some(if len == 0 {
            "must not be empty".to_string()
        } else {
            format!("must be at least {min} characters, got {len}")
        });
    }
    match bounds.max_length {
        Some(max) if len > max => Some(format!("must be at most {max} characters, got {len}")),
        _ => None,
    }
}

/// Refuses a path parameter that would not stay inside its segment: `.` and `..` are
/// dot segments that the URL parser resolves (percent-encoded or not), so
/// `session_id("..")` would send `GET /v1/` instead of failing. `/` is percent-encoded
/// by [`encode_path`] and needs no check.
pub fn check_path_segment<T: ParamValue>(
    operation: &Operation,
    value: &T,
    name: &str,
) -> Result<(), Error> {
    match value.text() {
        Some(dots @ ("." | "..")) => Err(invalid(
            operation,
            name,
            format!("must not be `{dots}`: a path segment of dots would address another URL"),
        )),
        _ => Ok(()),
    }
}

/// The parameter's (or body's) value, unless it failed to convert.
pub fn check_set<T>(
    operation: &Operation,
    value: Result<T, String>,
    name: &str,
) -> Result<T, Error> {
    value.map_err(|e| invalid(operation, name, e))
}

// ---- the builders' setters and `send()`: one style with the model builders ------------
//
// An operation's builder holds each parameter as an `Option` (the body as its builder,
// or an `Option`) and keeps what its setters refused in one list, keyed by the setter's
// name, as the model builders do ([`crate::arg::set`]): a later good value clears a
// refusal. `send()` reports the first refusal, or a required parameter never set, in the
// order of the parameters.

/// A parameter's setter: `value` as the parameter's type, or its refusal recorded.
pub fn set_param<T, V: IntoArg<T>>(
    slot: &mut Option<T>,
    refusals: &mut Refusals,
    field: &'static str,
    value: V,
) {
    record(slot, refusals, field, arg(value, None));
}

/// A bounded parameter's setter: `value` as the parameter's type and within the spec's
/// `bounds`, or its refusal recorded. The one check of a parameter's bounds.
pub fn set_param_within<T: ParamValue, V: IntoArg<T>>(
    slot: &mut Option<T>,
    refusals: &mut Refusals,
    field: &'static str,
    value: V,
    bounds: Bounds,
) {
    record(slot, refusals, field, arg_within(value, bounds));
}

/// The body's setter: `value` as the body's type, held as `U` (its builder, or itself).
pub fn set_body<T, U: From<T>, V: IntoArg<T>>(slot: &mut U, refusals: &mut Refusals, value: V) {
    refusals.retain(|(f, _)| *f != "body");
    match arg(value, None) {
        Ok(value) => *slot = U::from(value),
        Err(e) => refusals.push(("body", e)),
    }
}

fn record<T>(
    slot: &mut Option<T>,
    refusals: &mut Refusals,
    field: &'static str,
    value: Result<T, String>,
) {
    refusals.retain(|(f, _)| *f != field);
    match value {
        Ok(value) => *slot = Some(value),
        Err(e) => refusals.push((field, e)),
    }
}

/// `send()`'s check of one field: the error of what its setter (`field`) refused, as
/// the parameter `name`'s.
pub fn refused(
    operation: &Operation,
    refusals: &Refusals,
    field: &str,
    name: &str,
) -> Result<(), Error> {
    match refusals.iter().find(|(f, _)| *f == field) {
        Some((_, e)) => Err(invalid(operation, name, e.clone())),
        None => Ok(()),
    }
}

/// A required parameter's value in `send()`: refused, never set, or set.
pub fn required<T>(
    operation: &Operation,
    refusals: &Refusals,
    value: Option<T>,
    field: &str,
    name: &str,
) -> Result<T, Error> {
    refused(operation, refusals, field, name)?;
    value.ok_or_else(|| invalid(operation, name, format!("{field} was not initialized")))
}

/// An optional parameter's value in `send()`: refused, or what was set (if anything).
pub fn optional<T>(
    operation: &Operation,
    refusals: &Refusals,
    value: Option<T>,
    field: &str,
    name: &str,
) -> Result<Option<T>, Error> {
    refused(operation, refusals, field, name)?;
    Ok(value)
}

/// A path parameter as one percent-encoded segment (`/` and `%` included).
pub fn encode_path(segment: &str) -> String {
    progenitor_client::encode_path(segment)
}

/// A header parameter's value, refused when it is not valid in a header.
pub fn header_value(
    operation: &Operation,
    name: &str,
    value: String,
) -> Result<reqwest::header::HeaderValue, Error> {
    reqwest::header::HeaderValue::try_from(value).map_err(|_| {
        invalid(
            operation,
            name,
            "is not a valid header value (visible ASCII only)".into(),
        )
    })
}

/// A query parameter's value as it goes on the wire: `None` (left out) when unset, and
/// a whole number written as an integer at any depth (`limit=20`, not `limit=20.0`).
/// JSON does not tell `20` from `20.0`, so a `number` parameter is still the same value,
/// while a server that validates integers (lomi.'s current one types `limit` and
/// `offset` as `number`) would refuse `20.0`.
pub fn query_value<T: serde::Serialize>(
    operation: &Operation,
    name: &str,
    value: &T,
) -> Result<Option<serde_json::Value>, Error> {
    let value = serde_json::to_value(value).map_err(|e| {
        invalid(
            operation,
            name,
            format!("cannot be written in a query string: {e}"),
        )
    })?;
    Ok(match whole_numbers(value) {
        serde_json::Value::Null => None,
        value => Some(value),
    })
}

/// `value` with every whole `f64` within ±2⁵³ (exact as an integer) made an integer.
fn whole_numbers(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= EXACT => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(whole_numbers).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, whole_numbers(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `request` with `body` as an `application/x-www-form-urlencoded` body.
pub fn form<T: serde::Serialize>(
    operation: &Operation,
    request: reqwest::RequestBuilder,
    body: &T,
) -> Result<reqwest::RequestBuilder, Error> {
    use progenitor_client::RequestBuilderExt;
    request
        .form_urlencoded(body)
        .map_err(|e: progenitor_client::Error<()>| {
            invalid(operation, "body", format!("cannot be form-encoded: {e}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OP: Operation = Operation {
        id: "listThings",
        method: "list_things",
        http_method: "GET",
        path: "/things",
    };

    #[test]
    fn whole_numbers_go_on_the_wire_as_integers() {
        let q = |v: serde_json::Value| query_value(&OP, "limit", &v).unwrap();
        assert_eq!(
            query_value(&OP, "limit", &Some(20.0_f64)).unwrap(),
            Some(json!(20))
        );
        assert_eq!(query_value(&OP, "limit", &None::<f64>).unwrap(), None);
        assert_eq!(q(json!(2.5)), Some(json!(2.5)));
        assert_eq!(q(json!(-3.0)), Some(json!(-3)));
        assert_eq!(
            q(json!(1e300)),
            Some(json!(1e300)),
            "beyond 2^53 stays as is"
        );
        assert_eq!(q(json!([1.0, 2.5])), Some(json!([1, 2.5])));
        assert_eq!(q(json!({"min": 10.0})), Some(json!({"min": 10})));
        assert_eq!(q(json!("20.0")), Some(json!("20.0")), "text is left alone");
    }
}
