//! Stage 1: the document. [`load`] parses and types it (with a [`source_map`] of
//! where each node is written), [`model`] lowers it once (operations with their merged,
//! resolved parameters), [`refs`] follows its `$ref`s, [`naming`] says what Rust names
//! its things get, and [`normalize`] reshapes what the generator takes badly.

pub mod load;
pub mod model;
pub mod naming;
pub mod normalize;
pub mod refs;
pub mod source_map;
