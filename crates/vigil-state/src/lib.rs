//! # vigil-state
//!
//! The host model (process, thread and fd tables; containers) and the `syscall` field
//! catalogue.
#![deny(missing_docs)]
