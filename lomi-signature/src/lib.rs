//! lomi.'s webhook signature, in one place: `X-Lomi-Signature` is the hex HMAC-SHA256 of
//! the raw body bytes, keyed by the endpoint's secret (`whsec_…`, as its UTF-8 bytes).
//!
//! The clients verify with it and lomi-mock signs with it, so the two cannot drift; it
//! depends on nothing of either (a leaf crate), so the mock never depends on the client
//! it tests.
//!
//! ```
//! let header = lomi_signature::sign(b"{\"id\":\"evt_1\"}", "whsec_test");
//! assert_eq!(header.len(), 64);
//! lomi_signature::verify(b"{\"id\":\"evt_1\"}", &header, "whsec_test")?;
//! assert_eq!(
//!     lomi_signature::verify(b"{\"id\":\"evt_2\"}", &header, "whsec_test"),
//!     Err(lomi_signature::SignatureError::Mismatch)
//! );
//! # Ok::<(), lomi_signature::SignatureError>(())
//! ```

#![deny(missing_docs)]

use std::fmt;

use ring::hmac;

/// The header lomi. puts the signature in.
pub const SIGNATURE_HEADER: &str = "X-Lomi-Signature";

/// Why a signature was refused. Never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// The header is empty or missing.
    Missing,
    /// The header is not 64 hexadecimal digits (after an optional `sha256=`).
    Malformed {
        /// What is wrong with it.
        reason: String,
    },
    /// The secret is empty.
    EmptySecret,
    /// The signature is well formed but is not the body's under this secret.
    Mismatch,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Missing => write!(f, "the {SIGNATURE_HEADER} header is missing"),
            SignatureError::Malformed { reason } => {
                write!(f, "the {SIGNATURE_HEADER} header is malformed: {reason}")
            }
            SignatureError::EmptySecret => write!(f, "the webhook secret is empty"),
            SignatureError::Mismatch => {
                write!(
                    f,
                    "the {SIGNATURE_HEADER} signature does not match the body"
                )
            }
        }
    }
}

impl std::error::Error for SignatureError {}

/// The `X-Lomi-Signature` lomi. sends for `raw_body` under `secret`: lowercase hex.
pub fn sign(raw_body: &[u8], secret: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::sign(&key, raw_body)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks `signature_header` against `raw_body` under `secret`, in constant time (ring's
/// `hmac::verify`, never `==`). Accepts lower or upper case hex, with or without a
/// `sha256=` prefix.
pub fn verify(raw_body: &[u8], signature_header: &str, secret: &str) -> Result<(), SignatureError> {
    let expected = parse(signature_header)?;
    if secret.is_empty() {
        return Err(SignatureError::EmptySecret);
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::verify(&key, raw_body, &expected).map_err(|_| SignatureError::Mismatch)
}

/// The 32 bytes a signature header holds.
fn parse(header: &str) -> Result<[u8; 32], SignatureError> {
    let text = header.trim();
    if text.is_empty() {
        return Err(SignatureError::Missing);
    }
    let hex = match text.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("sha256=") => &text[7..],
        _ => text,
    };
    let malformed = |reason: String| Err(SignatureError::Malformed { reason });
    if hex.len() != 64 {
        return malformed(format!(
            "expected 64 hexadecimal digits, got {} characters",
            hex.chars().count()
        ));
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        let digit = |b: u8| (b as char).to_digit(16);
        match (digit(pair[0]), digit(pair[1])) {
            (Some(hi), Some(lo)) => out[i] = (hi * 16 + lo) as u8,
            _ => return malformed("not hexadecimal".into()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_lomi_does() {
        // The known answer lomi-mock has always checked.
        assert_eq!(
            sign(br#"{"amount":10000,"currency":"XOF"}"#, "whsec_test"),
            "f9003c7ae2b8e70a5129e2da3ee86822bd3bb96fa7ca7f9476c0884a8b35473c"
        );
    }

    #[test]
    fn every_malformed_header_says_why() {
        let body = b"{}";
        let good = sign(body, "s");
        assert_eq!(verify(body, &good, "s"), Ok(()));
        assert_eq!(
            verify(body, &format!("sha256={}", good.to_uppercase()), "s"),
            Ok(())
        );
        assert_eq!(verify(body, "  ", "s"), Err(SignatureError::Missing));
        assert!(matches!(
            verify(body, "abc", "s"),
            Err(SignatureError::Malformed { .. })
        ));
        assert!(matches!(
            verify(body, &"zz".repeat(32), "s"),
            Err(SignatureError::Malformed { .. })
        ));
        // Multibyte text of 64 bytes is not 64 hex digits, and never panics.
        assert!(matches!(
            verify(body, &"é".repeat(32), "s"),
            Err(SignatureError::Malformed { .. })
        ));
        assert_eq!(verify(body, &good, ""), Err(SignatureError::EmptySecret));
        assert_eq!(verify(body, &good, "other"), Err(SignatureError::Mismatch));
    }
}
