//! What the builders' setters take: [`IntoArg`].

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU64;

use serde_json::{Map, Value};

/// A value a setter takes for a field or parameter of type `T`.
///
/// Every setter of the builders (`types::CheckoutSessionsCreate::builder().amount(..)`,
/// `client.list_checkout_sessions().limit(..)`) takes an `impl IntoArg<T>`, so it accepts
/// what people have at hand, and refuses what would lose information:
///
/// | field | takes |
/// |---|---|
/// | any `T` | a `T`; an `Option<T>` for an optional field (`None` clears it) |
/// | text | `&str`, `String`, `&String`, `Cow<str>`, `Box<str>`, `char`, a `Uuid`, their `Option`s |
/// | a number (`f64`) | any integer, or an `f32`; an integer beyond 2⁵³ is refused, as a JSON number could not hold it exactly |
/// | an integer (`i64`, `i32`, `u64`, `NonZeroU64`) | any integer or float that is a whole number in range: `.limit(20)`, `.limit(n)` with `n: usize` or `i64` |
/// | a JSON object | a `serde_json::Value` that is an object (`json!({..})`, see `serde_json::json!`), a `Map`, a `HashMap` or `BTreeMap` of `Value`s |
/// | an enum or a constrained string | its value as `&str` or `String` (`.currency_code("XOF")`) |
/// | a UUID, a date-time | the type itself, or its text as `&str` (`"2025-11-21T13:32:16.240Z"`), refused if it does not parse |
/// | a model | the model, or its builder (`types::CheckoutSessionsCreate::builder()..`) |
/// | a list of text | a `Vec<&str>` |
///
/// A refusal is reported by `send()` as [`crate::Error::InvalidInput`], naming the field
/// and what was wrong, before anything is sent. Implement it for your own types (an
/// order id, say) to pass them directly.
///
/// ```
/// use lomi_client::{IntoArg, json, types};
///
/// let body = types::CheckoutSessionsCreate::builder()
///     .amount(15000)
///     .currency_code("XOF")
///     .product_id("prod_1234567890abcdef")
///     .metadata(json!({"order_id": "A-1042"}));
/// let body = types::CheckoutSessionsCreate::try_from(body).unwrap();
/// assert_eq!(body.amount, Some(15000.0));
/// assert_eq!(body.currency_code, types::CurrencyCode::Xof);
///
/// let too_big: Result<f64, String> = (u64::MAX).into_arg();
/// assert_eq!(too_big.unwrap_err(), "18446744073709551615 cannot be sent exactly as a JSON number");
/// ```
pub trait IntoArg<T> {
    /// The value as a `T`, or why it cannot be one.
    fn into_arg(self) -> Result<T, String>;

    /// The value as a number, when it is one, for messages that name a parameter's
    /// bounds ("must be between 1 and 100, got 0").
    #[inline]
    fn as_number(&self) -> Option<f64> {
        None
    }
}

impl<T> IntoArg<T> for T {
    #[inline]
    fn into_arg(self) -> Result<T, String> {
        Ok(self)
    }
}

impl<T> IntoArg<Option<T>> for T {
    #[inline]
    fn into_arg(self) -> Result<Option<T>, String> {
        Ok(Some(self))
    }
}

/// Refusals a model builder keeps: the field and why. (These helpers serve the generated
/// model builders; a spec without models uses none of them.)
pub type Refusals = Vec<(&'static str, String)>;

/// A model builder's setter: the field takes `value`, or keeps the refusal (a later good
/// value for the field clears it). One generic function for every setter of every model.
pub fn set<T, V: IntoArg<T>>(slot: &mut T, refusals: &mut Refusals, field: &'static str, value: V) {
    refusals.retain(|(f, _)| *f != field);
    match value.into_arg() {
        Ok(value) => *slot = value,
        Err(e) => refusals.push((field, e)),
    }
}

/// [`set`] for a required field, which the builder holds as an `Option` until set.
pub fn set_required<T, V: IntoArg<T>>(
    slot: &mut Option<T>,
    refusals: &mut Refusals,
    field: &'static str,
    value: V,
) {
    refusals.retain(|(f, _)| *f != field);
    match value.into_arg() {
        Ok(value) => *slot = Some(value),
        Err(e) => refusals.push((field, e)),
    }
}

// ---- text ------------------------------------------------------------------------------

macro_rules! text {
    ($($source:ty),*) => {$(
        impl IntoArg<String> for $source {
            #[inline]
            fn into_arg(self) -> Result<String, String> {
                Ok(self.to_string())
            }
        }
        impl IntoArg<Option<String>> for $source {
            #[inline]
            fn into_arg(self) -> Result<Option<String>, String> {
                Ok(Some(self.to_string()))
            }
        }
        impl IntoArg<Option<String>> for Option<$source> {
            #[inline]
            fn into_arg(self) -> Result<Option<String>, String> {
                Ok(self.map(|s| s.to_string()))
            }
        }
    )*};
}
text!(&str, &String, Cow<'_, str>, Box<str>, char, uuid::Uuid);

/// A generated type built from text (an enum, a constrained string): its setters take
/// `&str` and `String`, for an optional field too. The generator implements it, and
/// `IntoArg<T>` from text, for each such type; the optional case is here because a
/// generated crate may not implement `IntoArg<Option<T>>` for `&str` (orphan rule).
#[doc(hidden)]
pub trait FromText: Sized {
    /// The value `text` spells, or why it spells none.
    fn from_text(text: &str) -> Result<Self, String>;
}

impl<T: FromText> IntoArg<Option<T>> for &str {
    #[inline]
    fn into_arg(self) -> Result<Option<T>, String> {
        T::from_text(self).map(Some)
    }
}

impl<T: FromText> IntoArg<Option<T>> for String {
    #[inline]
    fn into_arg(self) -> Result<Option<T>, String> {
        T::from_text(&self).map(Some)
    }
}

impl IntoArg<Vec<String>> for Vec<&str> {
    #[inline]
    fn into_arg(self) -> Result<Vec<String>, String> {
        Ok(self.into_iter().map(str::to_string).collect())
    }
}

impl IntoArg<Option<Vec<String>>> for Vec<&str> {
    #[inline]
    fn into_arg(self) -> Result<Option<Vec<String>>, String> {
        Ok(Some(self.into_iter().map(str::to_string).collect()))
    }
}

/// A list written in place: `.allowed_providers(["WAVE", "MTN"])`.
impl<const N: usize> IntoArg<Vec<String>> for [&str; N] {
    #[inline]
    fn into_arg(self) -> Result<Vec<String>, String> {
        Ok(self.into_iter().map(str::to_string).collect())
    }
}

impl<const N: usize> IntoArg<Option<Vec<String>>> for [&str; N] {
    #[inline]
    fn into_arg(self) -> Result<Option<Vec<String>>, String> {
        Ok(Some(self.into_iter().map(str::to_string).collect()))
    }
}

// ---- text that parses ------------------------------------------------------------------

fn uuid(text: &str) -> Result<uuid::Uuid, String> {
    uuid::Uuid::parse_str(text).map_err(|e| format!("must be a UUID, got {text:?} ({e})"))
}

fn date_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("must be an RFC 3339 date-time, got {text:?} ({e})"))
}

impl IntoArg<uuid::Uuid> for &str {
    #[inline]
    fn into_arg(self) -> Result<uuid::Uuid, String> {
        uuid(self)
    }
}

impl IntoArg<Option<uuid::Uuid>> for &str {
    #[inline]
    fn into_arg(self) -> Result<Option<uuid::Uuid>, String> {
        uuid(self).map(Some)
    }
}

impl IntoArg<chrono::DateTime<chrono::Utc>> for &str {
    #[inline]
    fn into_arg(self) -> Result<chrono::DateTime<chrono::Utc>, String> {
        date_time(self)
    }
}

impl IntoArg<Option<chrono::DateTime<chrono::Utc>>> for &str {
    #[inline]
    fn into_arg(self) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
        date_time(self).map(Some)
    }
}

// ---- numbers ---------------------------------------------------------------------------
//
// A few generic impls over the integer types, rather than one impl per pair of types:
// every impl costs compile time in every build, and checking them for overlap grows
// with their square. The traits below are sealed, so the impls cannot overlap.

/// The largest integer a JSON number (an IEEE double) holds exactly: 2⁵³.
const EXACT: u64 = 1 << 53;

mod sealed {
    pub trait Sealed {}
}

/// An integer type a caller may pass for a number: every primitive integer.
pub trait Integer: Copy + std::fmt::Display + sealed::Sealed {
    /// The value, widened.
    fn wide(self) -> i128;
}

/// Integer types other than `i64`, `i32` and `u64`: those take themselves as they are.
pub trait NotI64: Integer {}
/// See [`NotI64`].
pub trait NotI32: Integer {}
/// See [`NotI64`].
pub trait NotU64: Integer {}

macro_rules! integer {
    ($($t:ty: $($not:ident),*);*) => {$(
        impl sealed::Sealed for $t {}
        impl Integer for $t {
            #[inline]
            fn wide(self) -> i128 {
                self as i128
            }
        }
        $(impl $not for $t {})*
    )*};
}
integer!(
    i8: NotI64, NotI32, NotU64;
    i16: NotI64, NotI32, NotU64;
    i32: NotI64, NotU64;
    i64: NotI32, NotU64;
    isize: NotI64, NotI32, NotU64;
    u8: NotI64, NotI32, NotU64;
    u16: NotI64, NotI32, NotU64;
    u32: NotI64, NotI32, NotU64;
    u64: NotI64, NotI32;
    usize: NotI64, NotI32, NotU64
);

fn exact<N: Integer>(n: N) -> Result<f64, String> {
    if n.wide().unsigned_abs() <= EXACT as u128 {
        Ok(n.wide() as f64)
    } else {
        Err(format!("{n} cannot be sent exactly as a JSON number"))
    }
}

impl<N: Integer> IntoArg<f64> for N {
    #[inline]
    fn into_arg(self) -> Result<f64, String> {
        exact(self)
    }
    #[inline]
    fn as_number(&self) -> Option<f64> {
        Some(self.wide() as f64)
    }
}

impl<N: Integer> IntoArg<Option<f64>> for N {
    #[inline]
    fn into_arg(self) -> Result<Option<f64>, String> {
        exact(self).map(Some)
    }
    #[inline]
    fn as_number(&self) -> Option<f64> {
        Some(self.wide() as f64)
    }
}

impl IntoArg<f64> for f32 {
    #[inline]
    fn into_arg(self) -> Result<f64, String> {
        Ok(f64::from(self))
    }
    #[inline]
    fn as_number(&self) -> Option<f64> {
        Some(f64::from(*self))
    }
}

impl IntoArg<Option<f64>> for f32 {
    #[inline]
    fn into_arg(self) -> Result<Option<f64>, String> {
        Ok(Some(f64::from(self)))
    }
    #[inline]
    fn as_number(&self) -> Option<f64> {
        Some(f64::from(*self))
    }
}

/// A whole number in `[min, max]` as `i128`, or why not.
fn whole(v: f64, min: i128, max: i128) -> Result<i128, String> {
    if v.fract() != 0.0 || !v.is_finite() {
        return Err(format!("must be a whole number, got {v}"));
    }
    range(v as i128, min, max)
}

fn range(v: i128, min: i128, max: i128) -> Result<i128, String> {
    if v < min {
        Err(format!("must be at least {min}, got {v}"))
    } else if v > max {
        Err(format!("must be at most {max}, got {v}"))
    } else {
        Ok(v)
    }
}

/// An integer target: from the integers its marker admits, and from both floats.
macro_rules! to_integer {
    ($target:ty, $sources:ident, $min:expr, $max:expr, $make:expr) => {
        impl<N: $sources> IntoArg<$target> for N {
            #[inline]
            fn into_arg(self) -> Result<$target, String> {
                range(self.wide(), $min, $max).map($make)
            }
            #[inline]
            fn as_number(&self) -> Option<f64> {
                Some(self.wide() as f64)
            }
        }
        impl<N: $sources> IntoArg<Option<$target>> for N {
            #[inline]
            fn into_arg(self) -> Result<Option<$target>, String> {
                IntoArg::<$target>::into_arg(self).map(Some)
            }
            #[inline]
            fn as_number(&self) -> Option<f64> {
                Some(self.wide() as f64)
            }
        }
        to_integer!(@float $target, $min, $max, $make, f32);
        to_integer!(@float $target, $min, $max, $make, f64);
    };
    (@float $target:ty, $min:expr, $max:expr, $make:expr, $float:ty) => {
        impl IntoArg<$target> for $float {
            #[inline]
            fn into_arg(self) -> Result<$target, String> {
                whole(self as f64, $min, $max).map($make)
            }
            #[inline]
            fn as_number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
        impl IntoArg<Option<$target>> for $float {
            #[inline]
            fn into_arg(self) -> Result<Option<$target>, String> {
                IntoArg::<$target>::into_arg(self).map(Some)
            }
            #[inline]
            fn as_number(&self) -> Option<f64> {
                Some(*self as f64)
            }
        }
    };
}

// The integer types typify gives an `integer` (`int64` or none, `int32`, `minimum: 0`,
// `minimum: 1`).
to_integer!(i64, NotI64, i64::MIN as i128, i64::MAX as i128, |v| v
    as i64);
to_integer!(i32, NotI32, i32::MIN as i128, i32::MAX as i128, |v| v
    as i32);
to_integer!(u64, NotU64, 0, u64::MAX as i128, |v| v as u64);
to_integer!(NonZeroU64, Integer, 1, u64::MAX as i128, |v| {
    NonZeroU64::new(v as u64).expect("checked to be at least 1")
});

// ---- JSON objects ----------------------------------------------------------------------

fn object(value: Value) -> Result<Map<String, Value>, String> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(format!(
            "must be a JSON object, got {}",
            match other {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Array(_) => "an array",
                Value::Object(_) => unreachable!("matched above"),
            }
        )),
    }
}

impl IntoArg<Map<String, Value>> for Value {
    #[inline]
    fn into_arg(self) -> Result<Map<String, Value>, String> {
        object(self)
    }
}

impl IntoArg<Option<Map<String, Value>>> for Value {
    #[inline]
    fn into_arg(self) -> Result<Option<Map<String, Value>>, String> {
        object(self).map(Some)
    }
}

impl IntoArg<Option<Map<String, Value>>> for Option<Value> {
    #[inline]
    fn into_arg(self) -> Result<Option<Map<String, Value>>, String> {
        self.map(object).transpose()
    }
}

macro_rules! map {
    ($($source:ty),*) => {$(
        impl IntoArg<Map<String, Value>> for $source {
            #[inline]
            fn into_arg(self) -> Result<Map<String, Value>, String> {
                Ok(self.into_iter().collect())
            }
        }
        impl IntoArg<Option<Map<String, Value>>> for $source {
            #[inline]
            fn into_arg(self) -> Result<Option<Map<String, Value>>, String> {
                Ok(Some(self.into_iter().collect()))
            }
        }
    )*};
}
map!(HashMap<String, Value>, BTreeMap<String, Value>);

#[cfg(test)]
mod tests {
    use super::*;

    fn arg<T, V: IntoArg<T>>(v: V) -> Result<T, String> {
        v.into_arg()
    }

    #[test]
    fn numbers_convert_only_without_loss() {
        assert_eq!(arg::<f64, _>(15000), Ok(15000.0));
        assert_eq!(arg::<f64, _>(EXACT), Ok(9_007_199_254_740_992.0));
        assert_eq!(
            arg::<f64, _>(EXACT + 1),
            Err("9007199254740993 cannot be sent exactly as a JSON number".into())
        );
        assert_eq!(
            arg::<f64, _>(-(EXACT as i64) - 1).unwrap_err(),
            "-9007199254740993 cannot be sent exactly as a JSON number"
        );
        assert_eq!(arg::<Option<u64>, _>(20_usize), Ok(Some(20)));
        assert_eq!(
            arg::<u64, _>(-1_i64),
            Err("must be at least 0, got -1".into())
        );
        assert_eq!(
            arg::<i32, _>(u64::MAX),
            Err("must be at most 2147483647, got 18446744073709551615".into())
        );
        assert_eq!(arg::<i64, _>(20.0_f64), Ok(20));
        assert_eq!(
            arg::<i64, _>(2.5_f64),
            Err("must be a whole number, got 2.5".into())
        );
        assert_eq!(
            arg::<i64, _>(f64::NAN),
            Err("must be a whole number, got NaN".into())
        );
        assert_eq!(
            arg::<NonZeroU64, _>(0_u8),
            Err("must be at least 1, got 0".into())
        );
        assert_eq!(arg::<Option<NonZeroU64>, _>(7_i32), Ok(NonZeroU64::new(7)));
        assert_eq!(IntoArg::<NonZeroU64>::as_number(&0_i32), Some(0.0));
    }

    #[test]
    fn text_and_objects() {
        assert_eq!(arg::<Option<String>, _>("a"), Ok(Some("a".into())));
        assert_eq!(arg::<Option<String>, _>(None::<&str>), Ok(None));
        assert_eq!(arg::<String, _>('x'), Ok("x".into()));
        assert_eq!(
            arg::<Option<Vec<String>>, _>(vec!["a", "b"]),
            Ok(Some(vec!["a".into(), "b".into()]))
        );
        let object = serde_json::json!({"k": 1});
        assert_eq!(
            arg::<Option<Map<String, Value>>, _>(object)
                .unwrap()
                .unwrap()["k"],
            1
        );
        assert_eq!(
            arg::<Map<String, Value>, _>(serde_json::json!([1])),
            Err("must be a JSON object, got an array".into())
        );
        assert_eq!(
            arg::<Option<Map<String, Value>>, _>(None::<Value>),
            Ok(None)
        );
    }

    #[test]
    fn uuids_and_date_times_parse_from_text() {
        let id = "5f0c6a1e-8d3b-4c2a-9e7f-1a2b3c4d5e6f";
        assert_eq!(
            arg::<Option<uuid::Uuid>, _>(id),
            Ok(Some(uuid::Uuid::parse_str(id).unwrap()))
        );
        assert!(
            arg::<uuid::Uuid, _>("cs_1")
                .unwrap_err()
                .starts_with("must be a UUID, got \"cs_1\"")
        );
        let at = arg::<chrono::DateTime<chrono::Utc>, _>("2025-11-21T14:32:16.240+01:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2025-11-21T13:32:16.240+00:00");
        assert!(
            arg::<Option<chrono::DateTime<chrono::Utc>>, _>("yesterday")
                .unwrap_err()
                .starts_with("must be an RFC 3339 date-time, got \"yesterday\"")
        );
    }
}
