//! Stage 5: what a maintainer does between two of lomi.'s documents. [`derive`](mod@derive) applies
//! our overlay to lomi.'s document (and keeps published names, [`stable`], saying where
//! an overlay action's node went, [`moves`]); [`diff`] says what changed on the wire and
//! [`rust_api`] what changed in the Rust API, both pairing old operations with new ones by
//! one rule ([`pairing`]) and deciding the version [`bump`].

pub mod bump;
pub mod derive;
pub mod diff;
pub mod moves;
pub mod pairing;
pub mod rust_api;
pub mod stable;
