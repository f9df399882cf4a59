//! Stage 4: the plan in, Rust out. [`typing`] runs typify's type space over the spec;
//! [`render`] assembles the client from typify's [`models`] (with their additions:
//! [`aliases`]), the [`operations`], the [`contract`] items and the [`events`], puts
//! every item behind its feature ([`gate`]) and formats it; [`httpmock`] and [`cli`]
//! emit the other targets. Each emitter reads the plan and the type space's facts, never
//! the output of another to learn a fact about the spec.

pub mod aliases;
pub mod cli;
pub mod contract;
pub mod events;
pub mod gate;
pub mod httpmock;
pub mod models;
pub mod operations;
pub mod render;
pub mod typing;
