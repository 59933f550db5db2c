//! # vigil-rules
//!
//! Falco rule files → an immutable, event-type-indexed [`Ruleset`].
#![deny(missing_docs)]
