//! How a release's version moves: what the wire diff ([`crate::change::diff`]) and the Rust API
//! report ([`crate::change::rust_api`]) both decide, in a leaf module so that neither imports the
//! other for it.

/// How `lomi-client`'s version should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing a user can see changed.
    None,
    /// Fixes and additions only.
    Patch,
    /// New features, nothing breaks (from 1.0).
    Minor,
    /// Something breaks.
    Major,
}
