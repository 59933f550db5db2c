//! The `k8s_audit` field table: the generic event fields every source has (`evt.num`,
//! `evt.time`, `evt.rawtime`, `evt.source`, `evt.plugininfo`, … — libsinsp's generic event
//! class, which Falco adds to plugin sources), the k8saudit plugin's `ka.*` fields and the
//! json plugin's `json.*` / `jevt.*` fields.
//!
//! Names, types, list-ness and argument kinds follow falcosecurity/plugins
//! `plugins/k8saudit/pkg/k8saudit/fields.go` (k8saudit v0.18.x, including the
//! `initContainers` / `ephemeralContainers` fields it generates) and `plugins/json`. Both
//! plugins declare every field as a string, so every `ka.*`, `json.*` and `jevt.*` field is
//! [`FieldType::String`]
//! (`ka.response.code` and the `…privileged` lists are text such as `403` / `true`). The
//! documentation strings are ours.

use std::sync::LazyLock;
use vigil_event::{ArgKind, FieldInfo, FieldType};

/// Every `k8s_audit` field, in documentation order: the generic event fields every source
/// has, then the k8saudit and json plugins' ones.
pub(crate) static K8S_AUDIT_FIELDS: LazyLock<Vec<FieldInfo>> =
    LazyLock::new(|| vigil_event::with_generic_fields(OWN_FIELDS));

/// The `k8s_audit` source's own fields, after the generic ones.
static OWN_FIELDS: &[FieldInfo] = &[
    // k8saudit plugin: the audit event.
    FieldInfo::new(
        "ka.auditid",
        FieldType::String,
        "Unique id of the audit event (auditID).",
    ),
    FieldInfo::new(
        "ka.stage",
        FieldType::String,
        "Stage of the request the event was emitted at (RequestReceived, ResponseComplete, ...).",
    ),
    FieldInfo::new(
        "ka.auth.decision",
        FieldType::String,
        "Authorization decision annotation (allow / forbid).",
    ),
    FieldInfo::new(
        "ka.auth.reason",
        FieldType::String,
        "Authorization reason annotation.",
    ),
    FieldInfo::new(
        "ka.auth.openshift.decision",
        FieldType::String,
        "Decision annotation of the OpenShift authentication extension (OpenShift only).",
    ),
    FieldInfo::new(
        "ka.validations.admission.policy.failure",
        FieldType::String,
        "Failure reason annotation of a ValidatingAdmissionPolicy.",
    ),
    FieldInfo::new(
        "ka.security.pod.violations",
        FieldType::String,
        "Pod security admission violation annotation.",
    ),
    FieldInfo::new(
        "ka.auth.openshift.username",
        FieldType::String,
        "User name annotation of the OpenShift authentication extension (OpenShift only).",
    ),
    FieldInfo::new(
        "ka.user.name",
        FieldType::String,
        "Name of the user that made the request.",
    ),
    FieldInfo::new(
        "ka.user.groups",
        FieldType::String,
        "Groups of the user that made the request.",
    )
    .list(),
    FieldInfo::new(
        "ka.impuser.name",
        FieldType::String,
        "Name of the user being impersonated, if any.",
    ),
    FieldInfo::new(
        "ka.verb",
        FieldType::String,
        "Request verb (get, list, create, update, patch, delete, ...).",
    ),
    FieldInfo::new(
        "ka.uri",
        FieldType::String,
        "Request URI as sent by the client.",
    ),
    FieldInfo::new(
        "ka.uri.param",
        FieldType::String,
        "Value of one query parameter of the request URI, ka.uri.param[name].",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "ka.target.name",
        FieldType::String,
        "Name of the object the request targets.",
    ),
    FieldInfo::new(
        "ka.target.namespace",
        FieldType::String,
        "Namespace of the object the request targets.",
    ),
    FieldInfo::new(
        "ka.target.resource",
        FieldType::String,
        "Resource kind the request targets (pods, secrets, ...).",
    ),
    FieldInfo::new(
        "ka.target.subresource",
        FieldType::String,
        "Subresource the request targets (exec, attach, status, ...).",
    ),
    FieldInfo::new(
        "ka.target.pod.name",
        FieldType::String,
        "Name of the pod the request targets.",
    ),
    FieldInfo::new(
        "ka.req.binding.subjects",
        FieldType::String,
        "Subjects bound by a (cluster) role binding in the request object.",
    )
    .list(),
    FieldInfo::new(
        "ka.req.binding.subjects.user_names",
        FieldType::String,
        "User-kind subject names bound by a (cluster) role binding.",
    )
    .list(),
    FieldInfo::new(
        "ka.req.binding.subjects.serviceaccount_names",
        FieldType::String,
        "Service-account subject names bound by a (cluster) role binding.",
    )
    .list(),
    FieldInfo::new(
        "ka.req.binding.subjects.serviceaccount_ns_names",
        FieldType::String,
        "Service-account subjects of a binding as namespace:name.",
    )
    .list(),
    FieldInfo::new(
        "ka.req.binding.subjects.group_names",
        FieldType::String,
        "Group subject names bound by a (cluster) role binding.",
    )
    .list(),
    FieldInfo::new(
        "ka.req.binding.role",
        FieldType::String,
        "Role referenced by a (cluster) role binding in the request object.",
    ),
    FieldInfo::new(
        "ka.req.binding.subject.has_name",
        FieldType::String,
        "Obsolete; kept for old rules, always N/A.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "ka.req.configmap.name",
        FieldType::String,
        "Name of the configmap in the request object.",
    ),
    FieldInfo::new(
        "ka.req.configmap.obj",
        FieldType::String,
        "Whole configmap of the request object, as JSON text.",
    ),
    FieldInfo::new(
        "ka.req.pod.containers.args",
        FieldType::String,
        "Arguments of each container of the pod in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.containers.command",
        FieldType::String,
        "Command of each container of the pod in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.containers.name",
        FieldType::String,
        "Name of each container of the pod in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.containers.image",
        FieldType::String,
        "Image of each container of the pod in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.container.image",
        FieldType::String,
        "Obsolete form of ka.req.pod.containers.image: image of the first container only.",
    ),
    FieldInfo::new(
        "ka.req.pod.containers.image.repository",
        FieldType::String,
        "Image repository (no tag or digest) of each container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.container.image.repository",
        FieldType::String,
        "Obsolete: image repository of the first container only.",
    ),
    FieldInfo::new(
        "ka.req.pod.host_ipc",
        FieldType::String,
        "hostIPC setting of the pod in the request object.",
    ),
    FieldInfo::new(
        "ka.req.pod.host_network",
        FieldType::String,
        "hostNetwork setting of the pod in the request object.",
    ),
    FieldInfo::new(
        "ka.req.container.host_network",
        FieldType::String,
        "Obsolete alias of ka.req.pod.host_network.",
    ),
    FieldInfo::new(
        "ka.req.pod.host_pid",
        FieldType::String,
        "hostPID setting of the pod in the request object.",
    ),
    FieldInfo::new(
        "ka.req.pod.containers.host_port",
        FieldType::String,
        "hostPort values of all container ports of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.containers.privileged",
        FieldType::String,
        "privileged flag of each container of the pod (true/false text).",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.container.privileged",
        FieldType::String,
        "Obsolete: true when any container of the pod is privileged.",
    ),
    FieldInfo::new(
        "ka.req.pod.containers.allow_privilege_escalation",
        FieldType::String,
        "allowPrivilegeEscalation flag of each container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.containers.read_only_fs",
        FieldType::String,
        "readOnlyRootFilesystem flag of each container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.run_as_user",
        FieldType::String,
        "runAsUser from the pod-level security context.",
    ),
    FieldInfo::new(
        "ka.req.pod.containers.run_as_user",
        FieldType::String,
        "runAsUser of each container's security context.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.containers.eff_run_as_user",
        FieldType::String,
        "Effective uid of each container (container, else pod, else 0).",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.run_as_group",
        FieldType::String,
        "runAsGroup from the pod-level security context.",
    ),
    FieldInfo::new(
        "ka.req.pod.containers.run_as_group",
        FieldType::String,
        "runAsGroup of each container's security context.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.containers.eff_run_as_group",
        FieldType::String,
        "Effective gid of each container (container, else pod, else 0).",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.containers.proc_mount",
        FieldType::String,
        "procMount type of each container.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.role.rules",
        FieldType::String,
        "Rules of the role / cluster role in the request object.",
    )
    .list(),
    FieldInfo::new(
        "ka.req.role.rules.apiGroups",
        FieldType::String,
        "API groups named by the rules of the role in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.role.rules.nonResourceURLs",
        FieldType::String,
        "Non-resource URLs named by the rules of the role in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.role.rules.verbs",
        FieldType::String,
        "Verbs granted by the rules of the role in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.role.rules.resources",
        FieldType::String,
        "Resources named by the rules of the role in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.fs_group",
        FieldType::String,
        "fsGroup from the pod security context.",
    ),
    FieldInfo::new(
        "ka.req.pod.supplemental_groups",
        FieldType::String,
        "supplementalGroups from the pod security context.",
    )
    .list(),
    FieldInfo::new(
        "ka.req.pod.containers.add_capabilities",
        FieldType::String,
        "Capabilities added by each container's security context.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.service.type",
        FieldType::String,
        "Type of the service in the request object (ClusterIP, NodePort, ...).",
    ),
    FieldInfo::new(
        "ka.req.service.ports",
        FieldType::String,
        "Ports of the service in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.volumes.hostpath",
        FieldType::String,
        "hostPath paths of all volumes of the pod in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.volume.hostpath",
        FieldType::String,
        "Obsolete: true when a volume uses a hostPath under the given prefix.",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "ka.req.pod.volumes.flexvolume_driver",
        FieldType::String,
        "flexVolume drivers of all volumes of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.volumes.volume_type",
        FieldType::String,
        "Volume type of each volume of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.resp.name",
        FieldType::String,
        "Name of the object in the response.",
    ),
    FieldInfo::new(
        "ka.response.code",
        FieldType::String,
        "HTTP status code of the response (as text).",
    ),
    FieldInfo::new(
        "ka.response.reason",
        FieldType::String,
        "Reason given in the response status, usually on failures.",
    ),
    FieldInfo::new(
        "ka.useragent",
        FieldType::String,
        "User agent of the client that made the request.",
    ),
    FieldInfo::new(
        "ka.sourceips",
        FieldType::String,
        "Source IP addresses of the client that made the request.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.cluster.name",
        FieldType::String,
        "Name of the Kubernetes cluster (from the plugin configuration).",
    ),
    FieldInfo::new(
        "ka.req.pod.initContainers.name",
        FieldType::String,
        "Name of each init container of the pod in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.image",
        FieldType::String,
        "Image of each init container of the pod in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.image.repository",
        FieldType::String,
        "Image repository (no tag or digest) of each init container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.command",
        FieldType::String,
        "Command of each init container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.args",
        FieldType::String,
        "Arguments of each init container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.privileged",
        FieldType::String,
        "privileged flag of each init container of the pod (true/false text).",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.allow_privilege_escalation",
        FieldType::String,
        "allowPrivilegeEscalation flag of each init container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.read_only_fs",
        FieldType::String,
        "readOnlyRootFilesystem flag of each init container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.run_as_user",
        FieldType::String,
        "runAsUser of each init container's security context.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.eff_run_as_user",
        FieldType::String,
        "Effective uid of each init container (container, else pod, else 0).",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.run_as_group",
        FieldType::String,
        "runAsGroup of each init container's security context.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.eff_run_as_group",
        FieldType::String,
        "Effective gid of each init container (container, else pod, else 0).",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.proc_mount",
        FieldType::String,
        "procMount type of each init container.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.add_capabilities",
        FieldType::String,
        "Capabilities added by each init container's security context.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.initContainers.host_port",
        FieldType::String,
        "hostPort values of all ports of the init containers of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.name",
        FieldType::String,
        "Name of each ephemeral container of the pod in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.image",
        FieldType::String,
        "Image of each ephemeral container of the pod in the request object.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.image.repository",
        FieldType::String,
        "Image repository (no tag or digest) of each ephemeral container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.command",
        FieldType::String,
        "Command of each ephemeral container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.args",
        FieldType::String,
        "Arguments of each ephemeral container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.privileged",
        FieldType::String,
        "privileged flag of each ephemeral container of the pod (true/false text).",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.allow_privilege_escalation",
        FieldType::String,
        "allowPrivilegeEscalation flag of each ephemeral container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.read_only_fs",
        FieldType::String,
        "readOnlyRootFilesystem flag of each ephemeral container of the pod.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.run_as_user",
        FieldType::String,
        "runAsUser of each ephemeral container's security context.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.eff_run_as_user",
        FieldType::String,
        "Effective uid of each ephemeral container (container, else pod, else 0).",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.run_as_group",
        FieldType::String,
        "runAsGroup of each ephemeral container's security context.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.eff_run_as_group",
        FieldType::String,
        "Effective gid of each ephemeral container (container, else pod, else 0).",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.proc_mount",
        FieldType::String,
        "procMount type of each ephemeral container.",
    )
    .list()
    .arg(ArgKind::Index),
    FieldInfo::new(
        "ka.req.pod.ephemeralContainers.add_capabilities",
        FieldType::String,
        "Capabilities added by each ephemeral container's security context.",
    )
    .list()
    .arg(ArgKind::Index),
    // json plugin: raw access to the audit event JSON.
    FieldInfo::new(
        "json.value",
        FieldType::String,
        "Value at a JSON pointer in the event, json.value[/pointer].",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "json.obj",
        FieldType::String,
        "The whole event as JSON text.",
    ),
    FieldInfo::new(
        "json.rawtime",
        FieldType::String,
        "Event time in nanoseconds since the epoch, as text (same as evt.rawtime).",
    ),
    FieldInfo::new(
        "jevt.value",
        FieldType::String,
        "Older name of json.value: value at a JSON pointer, jevt.value[/pointer].",
    )
    .required_arg(ArgKind::Key),
    FieldInfo::new(
        "jevt.obj",
        FieldType::String,
        "Older name of json.obj: the whole event as JSON text.",
    ),
    FieldInfo::new(
        "jevt.rawtime",
        FieldType::String,
        "Older name of json.rawtime: event time in epoch nanoseconds, as text.",
    ),
];
