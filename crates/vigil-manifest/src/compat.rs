//! Correspondence with other tools: which vigil checks answer each tool's check, and a
//! kubesec-compatible score. Used for cross-references in reports and by the corpus test
//! (`tests/expectations.rs`); documented in `docs/manifest-checks.md`.
//!
//! Semantics of a mapping: the tool's check *fails* on an input when at least one of the
//! `fail` checks has a finding; for tools with two failure grades (kube-score CRITICAL vs
//! WARNING) the `warn` checks give the lower grade when no `fail` check fired.

use crate::model::ObjectReport;

/// One tool check and the vigil checks that answer it.
#[derive(Debug)]
pub struct Mapping {
    /// Tool (`kubesec`, `kube-score`, `polaris`, `kubescape`, `checkov`, `falco`).
    pub tool: &'static str,
    /// The tool's id or name (kubescape: rule name; falco: rule name).
    pub id: &'static str,
    /// vigil checks whose finding means the tool's check fails (top grade).
    pub fail: &'static [&'static str],
    /// vigil checks whose finding means the lower failure grade (kube-score WARNING).
    pub warn: &'static [&'static str],
}

macro_rules! m {
    ($tool:literal, $id:literal, [$($f:literal),*]) => {
        Mapping { tool: $tool, id: $id, fail: &[$($f),*], warn: &[] }
    };
    ($tool:literal, $id:literal, [$($f:literal),*], warn [$($w:literal),*]) => {
        Mapping { tool: $tool, id: $id, fail: &[$($f),*], warn: &[$($w),*] }
    };
}

/// The table. A tool check absent from it has no static vigil counterpart.
pub static MAPPINGS: &[Mapping] = &[
    // kubesec rule ids (the corpus asserts only the total score, see `kubesec_score`).
    m!("kubesec", "Privileged", ["privileged"]),
    m!("kubesec", "CapSysAdmin", ["capabilities-dangerous"]),
    m!("kubesec", "HostNetwork", ["host-network"]),
    m!("kubesec", "HostPID", ["host-pid"]),
    m!("kubesec", "HostIPC", ["host-ipc"]),
    m!("kubesec", "DockerSock", ["container-runtime-socket"]),
    m!("kubesec", "ProcMount", ["sensitive-hostpath"]),
    m!(
        "kubesec",
        "AllowPrivilegeEscalation",
        ["allow-privilege-escalation"]
    ),
    m!(
        "kubesec",
        "SecretsAsEnvironmentVariables",
        ["secret-ref-in-env"]
    ),
    m!("kubesec", "SeccompUnconfined", ["seccomp-unconfined"]),
    m!("kubesec", "ApparmorUnconfined", ["apparmor-unconfined"]),
    m!(
        "kubesec",
        "BindingsToSystemAnonymous",
        ["rbac-anonymous-binding"]
    ),
    m!(
        "kubesec",
        "ReadOnlyRootFilesystem",
        ["readonly-root-filesystem"]
    ),
    m!("kubesec", "RunAsNonRoot", ["run-as-root"]),
    m!("kubesec", "RunAsUser", ["low-user-id"]),
    m!("kubesec", "RunAsGroup", ["low-group-id"]),
    m!("kubesec", "CapDropAll", ["capabilities-not-dropped"]),
    m!("kubesec", "LimitsCPU", ["cpu-limit-missing"]),
    m!("kubesec", "LimitsMemory", ["memory-limit-missing"]),
    m!("kubesec", "RequestsCPU", ["cpu-request-missing"]),
    m!("kubesec", "RequestsMemory", ["memory-request-missing"]),
    m!(
        "kubesec",
        "AutomountServiceAccountToken",
        ["automount-service-account-token"]
    ),
    m!(
        "kubesec",
        "SeccompAny",
        ["seccomp-profile-missing", "seccomp-unconfined"]
    ),
    // kube-score check names (and ids).
    m!(
        "kube-score",
        "Container Security Context ReadOnlyRootFilesystem",
        ["readonly-root-filesystem"]
    ),
    m!(
        "kube-score",
        "Container Security Context User Group ID",
        ["low-user-id", "low-group-id"]
    ),
    m!(
        "kube-score",
        "Container Security Context Privileged",
        ["privileged"]
    ),
    m!("kube-score", "Container Image Tag", ["image-tag-mutable"]),
    m!(
        "kube-score",
        "Container Image Pull Policy",
        ["image-pull-policy"]
    ),
    m!("kube-score", "Container Resources", ["cpu-limit-missing", "memory-limit-missing"], warn ["cpu-request-missing", "memory-request-missing"]),
    m!(
        "kube-score",
        "Container Ephemeral Storage Request and Limit",
        ["ephemeral-storage-limit-missing"]
    ),
    m!(
        "kube-score",
        "Container Ephemeral Storage Request Equals Limit",
        ["ephemeral-storage-requests-ne-limits"]
    ),
    m!(
        "kube-score",
        "Container CPU Requests Equal Limits",
        ["cpu-requests-ne-limits"]
    ),
    m!(
        "kube-score",
        "Container Memory Requests Equal Limits",
        ["memory-requests-ne-limits"]
    ),
    m!(
        "kube-score",
        "Container Resource Requests Equal Limits",
        ["cpu-requests-ne-limits", "memory-requests-ne-limits"]
    ),
    m!("kube-score", "Container Seccomp Profile", [], warn ["seccomp-profile-missing", "seccomp-unconfined"]),
    m!("kube-score", "Service Type", [], warn["service-nodeport"]),
    // Polaris check ids.
    m!(
        "polaris",
        "notReadOnlyRootFilesystem",
        ["readonly-root-filesystem"]
    ),
    m!("polaris", "runAsPrivileged", ["privileged"]),
    m!(
        "polaris",
        "privilegeEscalationAllowed",
        ["allow-privilege-escalation"]
    ),
    m!(
        "polaris",
        "dangerousCapabilities",
        ["capabilities-dangerous"]
    ),
    m!(
        "polaris",
        "insecureCapabilities",
        ["capabilities-not-dropped"]
    ),
    m!("polaris", "runAsRootAllowed", ["run-as-root"]),
    m!("polaris", "hostPIDSet", ["host-pid"]),
    m!("polaris", "hostIPCSet", ["host-ipc"]),
    m!("polaris", "hostNetworkSet", ["host-network"]),
    m!("polaris", "hostPortSet", ["host-port"]),
    m!("polaris", "hostPathSet", ["hostpath-volume"]),
    m!("polaris", "hostProcess", ["host-process"]),
    m!("polaris", "procMount", ["proc-mount"]),
    m!("polaris", "linuxHardening", ["no-linux-hardening"]),
    m!(
        "polaris",
        "automountServiceAccountToken",
        ["automount-service-account-token"]
    ),
    m!(
        "polaris",
        "sensitiveContainerEnvVar",
        ["secret-literal-in-env"]
    ),
    m!(
        "polaris",
        "sensitiveConfigmapContent",
        ["sensitive-configmap"]
    ),
    m!("polaris", "tagNotSpecified", ["image-tag-mutable"]),
    m!("polaris", "pullPolicyNotAlways", ["image-pull-policy"]),
    m!("polaris", "cpuLimitsMissing", ["cpu-limit-missing"]),
    m!("polaris", "memoryLimitsMissing", ["memory-limit-missing"]),
    m!("polaris", "cpuRequestsMissing", ["cpu-request-missing"]),
    m!(
        "polaris",
        "memoryRequestsMissing",
        ["memory-request-missing"]
    ),
    m!(
        "polaris",
        "clusterrolebindingClusterAdmin",
        ["rbac-cluster-admin-binding"]
    ),
    m!(
        "polaris",
        "rolebindingClusterAdminClusterRole",
        ["rbac-cluster-admin-binding"]
    ),
    m!(
        "polaris",
        "rolebindingClusterAdminRole",
        ["rbac-cluster-admin-binding"]
    ),
    m!("polaris", "rolePodExecAttach", ["rbac-pod-exec"]),
    m!("polaris", "clusterrolePodExecAttach", ["rbac-pod-exec"]),
    m!("polaris", "rolebindingRolePodExecAttach", ["rbac-pod-exec"]),
    m!(
        "polaris",
        "rolebindingClusterRolePodExecAttach",
        ["rbac-pod-exec"]
    ),
    m!(
        "polaris",
        "clusterrolebindingPodExecAttach",
        ["rbac-pod-exec"]
    ),
    // Kubescape rule names (regolibrary) and their controls.
    m!(
        "kubescape",
        "immutable-container-filesystem",
        ["readonly-root-filesystem"]
    ),
    m!("kubescape", "rule-privileged-container", ["privileged"]),
    m!("kubescape", "non-root-containers", ["run-as-root"]),
    m!(
        "kubescape",
        "rule-allow-privilege-escalation",
        ["allow-privilege-escalation"]
    ),
    m!(
        "kubescape",
        "host-pid-ipc-privileges",
        ["host-pid", "host-ipc"]
    ),
    m!("kubescape", "host-network-access", ["host-network"]),
    m!("kubescape", "container-hostPort", ["host-port"]),
    m!("kubescape", "alert-rw-hostpath", ["writable-hostpath"]),
    m!("kubescape", "alert-any-hostpath", ["hostpath-volume"]),
    m!(
        "kubescape",
        "insecure-capabilities",
        ["capabilities-dangerous"]
    ),
    m!(
        "kubescape",
        "linux-hardening",
        ["seccomp-profile-missing", "seccomp-unconfined"]
    ),
    m!(
        "kubescape",
        "set-seccomp-profile",
        ["seccomp-profile-missing"]
    ),
    m!(
        "kubescape",
        "set-seccomp-profile-RuntimeDefault",
        ["seccomp-not-runtime-default"]
    ),
    m!("kubescape", "set-procmount-default", ["proc-mount"]),
    m!(
        "kubescape",
        "containers-mounting-docker-socket",
        ["container-runtime-socket"]
    ),
    m!(
        "kubescape",
        "image-pull-policy-is-not-set-to-always",
        ["image-pull-policy"]
    ),
    m!(
        "kubescape",
        "automount-service-account",
        ["automount-service-account-token"]
    ),
    m!("kubescape", "resources-cpu-limits", ["cpu-limit-missing"]),
    m!(
        "kubescape",
        "resources-memory-limits",
        ["memory-limit-missing"]
    ),
    m!(
        "kubescape",
        "resources-cpu-limit-and-request",
        ["cpu-limit-missing", "cpu-request-missing"]
    ),
    m!(
        "kubescape",
        "resources-memory-limit-and-request",
        ["memory-limit-missing", "memory-request-missing"]
    ),
    m!(
        "kubescape",
        "rule-credentials-in-env-var",
        ["secret-literal-in-env"]
    ),
    m!(
        "kubescape",
        "rule-credentials-configmap",
        ["sensitive-configmap"]
    ),
    m!(
        "kubescape",
        "k8s-audit-logs-enabled-native",
        ["apiserver-audit-log-path", "apiserver-audit-policy-file"]
    ),
    m!(
        "kubescape",
        "ensure-that-the-api-server-audit-log-path-argument-is-set",
        ["apiserver-audit-log-path"]
    ),
    m!(
        "kubescape",
        "ensure-that-the-api-server-audit-log-maxage-argument-is-set-to-30-or-as-appropriate",
        ["apiserver-audit-log-maxage"]
    ),
    m!(
        "kubescape",
        "ensure-that-the-api-server-audit-log-maxbackup-argument-is-set-to-10-or-as-appropriate",
        ["apiserver-audit-log-maxbackup"]
    ),
    m!(
        "kubescape",
        "ensure-that-the-api-server-audit-log-maxsize-argument-is-set-to-100-or-as-appropriate",
        ["apiserver-audit-log-maxsize"]
    ),
    // Checkov CKV ids.
    m!("checkov", "CKV_K8S_10", ["cpu-request-missing"]),
    m!("checkov", "CKV_K8S_11", ["cpu-limit-missing"]),
    m!("checkov", "CKV_K8S_12", ["memory-request-missing"]),
    m!("checkov", "CKV_K8S_13", ["memory-limit-missing"]),
    m!("checkov", "CKV_K8S_14", ["image-tag-mutable"]),
    m!("checkov", "CKV_K8S_15", ["image-pull-policy"]),
    m!("checkov", "CKV_K8S_16", ["privileged"]),
    m!("checkov", "CKV_K8S_17", ["host-pid"]),
    m!("checkov", "CKV_K8S_18", ["host-ipc"]),
    m!("checkov", "CKV_K8S_19", ["host-network"]),
    m!("checkov", "CKV_K8S_20", ["allow-privilege-escalation"]),
    m!("checkov", "CKV_K8S_22", ["readonly-root-filesystem"]),
    m!("checkov", "CKV_K8S_23", ["run-as-root"]),
    m!(
        "checkov",
        "CKV_K8S_25",
        ["capabilities-added", "capabilities-dangerous"]
    ),
    m!("checkov", "CKV_K8S_26", ["host-port"]),
    m!("checkov", "CKV_K8S_27", ["container-runtime-socket"]),
    m!("checkov", "CKV_K8S_28", ["net-raw-not-dropped"]),
    m!(
        "checkov",
        "CKV_K8S_31",
        ["seccomp-profile-missing", "seccomp-unconfined"]
    ),
    m!(
        "checkov",
        "CKV_K8S_32",
        ["seccomp-profile-missing", "seccomp-unconfined"]
    ),
    m!("checkov", "CKV_K8S_35", ["secret-ref-in-env"]),
    m!("checkov", "CKV_K8S_37", ["capabilities-not-dropped"]),
    m!("checkov", "CKV_K8S_38", ["automount-service-account-token"]),
    m!("checkov", "CKV_K8S_39", ["capabilities-dangerous"]),
    m!("checkov", "CKV_K8S_40", ["low-user-id"]),
    m!("checkov", "CKV_K8S_43", ["image-no-digest"]),
    m!("checkov", "CKV_K8S_49", ["rbac-wildcard"]),
    m!("checkov", "CKV_K8S_91", ["apiserver-audit-log-path"]),
    m!("checkov", "CKV_K8S_92", ["apiserver-audit-log-maxage"]),
    m!("checkov", "CKV_K8S_93", ["apiserver-audit-log-maxbackup"]),
    m!("checkov", "CKV_K8S_94", ["apiserver-audit-log-maxsize"]),
    // Falco k8s_audit rules whose trigger is visible in the created object.
    m!("falco", "Create Privileged Pod", ["privileged"]),
    m!("falco", "Create HostNetwork Pod", ["host-network"]),
    m!(
        "falco",
        "Create Sensitive Mount Pod",
        ["sensitive-hostpath", "container-runtime-socket"]
    ),
    m!("falco", "Create NodePort Service", ["service-nodeport"]),
    m!(
        "falco",
        "ClusterRole With Wildcard Created",
        ["rbac-wildcard"]
    ),
    m!(
        "falco",
        "ClusterRole With Pod Exec Created",
        ["rbac-pod-exec"]
    ),
    m!(
        "falco",
        "Attach to cluster-admin Role",
        ["rbac-cluster-admin-binding"]
    ),
    m!(
        "falco",
        "Create/Modify Configmap With Private Credentials",
        ["sensitive-configmap"]
    ),
];

/// Tool options that change which vigil checks answer a tool check: (tool, option text as it
/// appears in the tool's invocation, vigil checks the option turns off).
pub static TOOL_OPTIONS: &[(&str, &str, &[&str])] = &[
    (
        "kube-score",
        "--ignore-container-cpu-limit",
        &["cpu-limit-missing"],
    ),
    (
        "kube-score",
        "--ignore-container-memory-limit",
        &["memory-limit-missing"],
    ),
];

/// The mapping of a tool's check.
pub fn lookup(tool: &str, id: &str) -> Option<&'static Mapping> {
    MAPPINGS
        .iter()
        .find(|m| m.tool == tool && m.id.eq_ignore_ascii_case(id))
}

/// (tool, id) pairs a vigil check corresponds to.
pub fn tool_ids(check: &str) -> Vec<(&'static str, &'static str)> {
    MAPPINGS
        .iter()
        .filter(|m| m.fail.contains(&check) || m.warn.contains(&check))
        .map(|m| (m.tool, m.id))
        .collect()
}

/// kubesec's negative ("critical") points, charged once per object when the vigil check
/// has a finding on an explicitly written value.
pub static KUBESEC_CRITICAL: &[(&str, i32)] = &[
    ("privileged", -30),
    ("capabilities-dangerous", -30),
    ("rbac-anonymous-binding", -30),
    ("host-network", -9),
    ("host-pid", -9),
    ("host-ipc", -9),
    ("container-runtime-socket", -9),
    ("sensitive-hostpath", -9),
    ("allow-privilege-escalation", -7),
    ("secret-ref-in-env", -5),
    ("seccomp-unconfined", -1),
    ("apparmor-unconfined", -1),
];

/// kubesec's positive points, for hardening evidence the checks record.
pub static KUBESEC_POSITIVE: &[(&str, i32)] = &[
    ("readOnlyRootFilesystem", 1),
    ("runAsNonRoot", 1),
    ("runAsUser>10000", 1),
    ("runAsGroup>10000", 1),
    ("capDropAny", 1),
    ("capDropAll", 1),
    ("requests.cpu", 1),
    ("requests.memory", 1),
    ("limits.cpu", 1),
    ("limits.memory", 1),
    ("serviceAccountName", 3),
    ("automountServiceAccountToken=false", 1),
    ("seccomp", 1),
    ("apparmor", 3),
    ("hostUsers=false", 1),
];

/// A kubesec-compatible score of one object (run with every check enabled).
pub fn kubesec_score(o: &ObjectReport) -> i32 {
    let mut score = 0;
    for (check, pts) in KUBESEC_CRITICAL {
        if o.findings.iter().any(|f| f.check == *check && f.explicit) {
            score += pts;
        }
    }
    for (ev, pts) in KUBESEC_POSITIVE {
        if o.evidence.contains(ev) {
            score += pts;
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks;

    #[test]
    fn every_mapped_check_exists() {
        for m in MAPPINGS {
            for id in m.fail.iter().chain(m.warn) {
                assert!(checks::by_id(id).is_some(), "{} {} -> {id}", m.tool, m.id);
            }
        }
        for (c, _) in KUBESEC_CRITICAL {
            assert!(checks::by_id(c).is_some(), "{c}");
        }
        for (_, _, ids) in TOOL_OPTIONS {
            for id in *ids {
                assert!(checks::by_id(id).is_some(), "{id}");
            }
        }
    }
}
