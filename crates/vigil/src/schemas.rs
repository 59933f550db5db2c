//! The field schemas of every event source vigil knows.

use vigil_event::FieldSchema;

static SYSCALL: vigil_state::SyscallSchema = vigil_state::SyscallSchema;
static K8S_AUDIT: vigil_k8saudit::K8sAuditSchema = vigil_k8saudit::K8sAuditSchema;

/// Every source's schema, `syscall` first.
pub(crate) fn all() -> Vec<&'static dyn FieldSchema> {
    vec![&SYSCALL, &K8S_AUDIT]
}
