//! Built-in Kubernetes resources: their API groups and well-known subresources. Rules test
//! `ka.target.resource` without a group, but a policy's `resources` entries are per group.

/// (resource, groups, subresources) of the built-in API.
pub(crate) const RESOURCES: &[(&str, &[&str], &[&str])] = &[
    ("bindings", &[""], &[]),
    ("componentstatuses", &[""], &[]),
    ("configmaps", &[""], &[]),
    ("endpoints", &[""], &[]),
    ("events", &["", "events.k8s.io"], &[]),
    ("limitranges", &[""], &[]),
    ("namespaces", &[""], &["finalize", "status"]),
    ("nodes", &[""], &["proxy", "status"]),
    ("persistentvolumeclaims", &[""], &["status"]),
    ("persistentvolumes", &[""], &["status"]),
    (
        "pods",
        &[""],
        &[
            "attach",
            "binding",
            "ephemeralcontainers",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "status",
        ],
    ),
    ("podtemplates", &[""], &[]),
    ("replicationcontrollers", &[""], &["scale", "status"]),
    ("resourcequotas", &[""], &["status"]),
    ("secrets", &[""], &[]),
    ("serviceaccounts", &[""], &["token"]),
    ("services", &[""], &["proxy", "status"]),
    (
        "mutatingwebhookconfigurations",
        &["admissionregistration.k8s.io"],
        &[],
    ),
    (
        "validatingwebhookconfigurations",
        &["admissionregistration.k8s.io"],
        &[],
    ),
    (
        "validatingadmissionpolicies",
        &["admissionregistration.k8s.io"],
        &["status"],
    ),
    (
        "validatingadmissionpolicybindings",
        &["admissionregistration.k8s.io"],
        &[],
    ),
    (
        "customresourcedefinitions",
        &["apiextensions.k8s.io"],
        &["status"],
    ),
    ("apiservices", &["apiregistration.k8s.io"], &["status"]),
    ("controllerrevisions", &["apps"], &[]),
    ("daemonsets", &["apps"], &["status"]),
    ("deployments", &["apps"], &["scale", "status"]),
    ("replicasets", &["apps"], &["scale", "status"]),
    ("statefulsets", &["apps"], &["scale", "status"]),
    ("selfsubjectreviews", &["authentication.k8s.io"], &[]),
    ("tokenreviews", &["authentication.k8s.io"], &[]),
    ("localsubjectaccessreviews", &["authorization.k8s.io"], &[]),
    ("selfsubjectaccessreviews", &["authorization.k8s.io"], &[]),
    ("selfsubjectrulesreviews", &["authorization.k8s.io"], &[]),
    ("subjectaccessreviews", &["authorization.k8s.io"], &[]),
    ("horizontalpodautoscalers", &["autoscaling"], &["status"]),
    ("cronjobs", &["batch"], &["status"]),
    ("jobs", &["batch"], &["status"]),
    (
        "certificatesigningrequests",
        &["certificates.k8s.io"],
        &["approval", "status"],
    ),
    ("leases", &["coordination.k8s.io"], &[]),
    ("endpointslices", &["discovery.k8s.io"], &[]),
    (
        "flowschemas",
        &["flowcontrol.apiserver.k8s.io"],
        &["status"],
    ),
    (
        "prioritylevelconfigurations",
        &["flowcontrol.apiserver.k8s.io"],
        &["status"],
    ),
    ("ingressclasses", &["networking.k8s.io"], &[]),
    ("ingresses", &["networking.k8s.io"], &["status"]),
    ("networkpolicies", &["networking.k8s.io"], &[]),
    ("runtimeclasses", &["node.k8s.io"], &[]),
    ("poddisruptionbudgets", &["policy"], &["status"]),
    ("clusterrolebindings", &["rbac.authorization.k8s.io"], &[]),
    ("clusterroles", &["rbac.authorization.k8s.io"], &[]),
    ("rolebindings", &["rbac.authorization.k8s.io"], &[]),
    ("roles", &["rbac.authorization.k8s.io"], &[]),
    ("priorityclasses", &["scheduling.k8s.io"], &[]),
    ("csidrivers", &["storage.k8s.io"], &[]),
    ("csinodes", &["storage.k8s.io"], &[]),
    ("csistoragecapacities", &["storage.k8s.io"], &[]),
    ("storageclasses", &["storage.k8s.io"], &[]),
    ("volumeattachments", &["storage.k8s.io"], &["status"]),
];

/// The API groups of a built-in resource (`""` is the core group); empty when unknown
/// (custom resources, typos).
pub fn groups_of(resource: &str) -> &'static [&'static str] {
    RESOURCES
        .iter()
        .find(|(r, _, _)| *r == resource)
        .map(|(_, g, _)| *g)
        .unwrap_or(&[])
}

/// The well-known subresources of a built-in resource.
pub(crate) fn subresources_of(resource: &str) -> &'static [&'static str] {
    RESOURCES
        .iter()
        .find(|(r, _, _)| *r == resource)
        .map(|(_, _, s)| *s)
        .unwrap_or(&[])
}

/// True for (group, resource, subresource) whose bodies carry credentials and must never be
/// logged above `Metadata`: Secrets, service-account tokens (TokenRequest), token reviews.
pub fn is_sensitive(group: &str, resource: &str, subresource: Option<&str>) -> bool {
    matches!(
        (group, resource, subresource),
        ("", "secrets", _)
            | ("", "serviceaccounts", Some("token"))
            | ("authentication.k8s.io", "tokenreviews", _)
    )
}

/// The sensitive resources as (group, resource, subresource).
pub(crate) const SENSITIVE: &[(&str, &str, Option<&str>)] = &[
    ("", "secrets", None),
    ("", "serviceaccounts", Some("token")),
    ("authentication.k8s.io", "tokenreviews", None),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        assert_eq!(groups_of("pods"), &[""]);
        assert_eq!(groups_of("deployments"), &["apps"]);
        assert!(groups_of("widgets").is_empty());
        assert!(subresources_of("pods").contains(&"exec"));
        assert!(is_sensitive("", "secrets", None));
        assert!(!is_sensitive("", "serviceaccounts", None));
        let mut names: Vec<_> = RESOURCES.iter().map(|r| r.0).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(n, names.len());
    }
}
