//! # vigil-k8saudit
//!
//! The Kubernetes audit source and its `k8s_audit` field catalogue (`ka.*`, `jevt.*`).
#![deny(missing_docs)]
