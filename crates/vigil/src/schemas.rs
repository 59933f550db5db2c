//! The field schemas of every event source vigil knows.

use vigil_event::FieldSchema;

/// Every source's schema, `syscall` first.
pub(crate) fn all() -> Vec<&'static dyn FieldSchema> {
    vec![
        &vigil_state::SYSCALL_SCHEMA,
        &vigil_k8saudit::K8S_AUDIT_SCHEMA,
    ]
}
