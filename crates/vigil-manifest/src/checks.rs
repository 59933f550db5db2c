//! The checks: catalogue (id, severity, rationale, fix) and implementations.
//!
//! Every check has a stable id. A check applies to a scope of objects (pods and workloads,
//! kube-apiserver static pods, RBAC roles, bindings, services, config maps); for objects in
//! scope it either passes or yields findings with the JSON path, line and the edits that fix
//! it. The per-tool ids each check corresponds to are in [`crate::compat`].

use std::collections::HashMap;

use serde_json::json;

use crate::model::{Finding, Severity};
use crate::object::{Container, ContainerClass, Obj, PodSpec};
use crate::path::{Edit, Path};
use crate::quantity;
use crate::yaml::Node;

/// What a check is about (used to group the report and the docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// Root filesystem and volume writability.
    Immutability,
    /// Privileges, capabilities, namespaces, kernel hardening profiles.
    Privilege,
    /// Service account tokens, secrets, runtime sockets.
    SecretsIdentity,
    /// Image references and pull policy.
    SupplyChain,
    /// Requests and limits.
    Resources,
    /// Roles and bindings.
    Rbac,
    /// kube-apiserver audit configuration.
    Audit,
    /// Network exposure.
    Network,
}

impl Category {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Immutability => "immutability",
            Category::Privilege => "privilege",
            Category::SecretsIdentity => "secrets-identity",
            Category::SupplyChain => "supply-chain",
            Category::Resources => "resources",
            Category::Rbac => "rbac",
            Category::Audit => "audit",
            Category::Network => "network",
        }
    }
}

/// Which objects a check applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Pods and workloads with at least one container.
    Pod,
    /// Pods and workloads running `kube-apiserver`.
    ApiServer,
    /// `Role` and `ClusterRole`.
    Role,
    /// `RoleBinding` and `ClusterRoleBinding`.
    Binding,
    /// `Service`.
    Service,
    /// `ConfigMap`.
    ConfigMap,
}

/// A check's description.
#[derive(Debug)]
pub struct CheckInfo {
    /// Stable id.
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// Group.
    pub category: Category,
    /// Objects it applies to.
    pub scope: Scope,
    /// Run without `--enable`/`--all-checks`.
    pub default_enabled: bool,
    /// One-line rationale.
    pub rationale: &'static str,
    /// The fix: JSON path and value to set.
    pub fix: &'static str,
    run: fn(&Ctx<'_>, &mut Emit<'_>),
}

/// Cross-object facts of one run (service accounts, roles), so a binding can be judged by the
/// role it grants and a pod by its service account.
#[derive(Debug, Default)]
pub struct Index<'a> {
    /// (namespace, name) → the ServiceAccount's `automountServiceAccountToken`.
    pub service_accounts: HashMap<(String, String), Option<bool>>,
    /// (kind, namespace, name) → the role's `rules`.
    pub roles: HashMap<(String, String, String), &'a Node>,
}

impl<'a> Index<'a> {
    /// Records what later checks need from an object.
    pub fn add(&mut self, o: &Obj<'a>) {
        match o.kind {
            "ServiceAccount" => {
                let v = o
                    .node
                    .get("automountServiceAccountToken")
                    .and_then(Node::as_bool);
                self.service_accounts
                    .insert((o.namespace.to_string(), o.name.to_string()), v);
            }
            "Role" | "ClusterRole" => {
                if let Some(rules) = o.node.get("rules") {
                    let ns = if o.kind == "Role" { o.namespace } else { "" };
                    self.roles.insert(
                        (o.kind.to_string(), ns.to_string(), o.name.to_string()),
                        rules,
                    );
                }
            }
            _ => {}
        }
    }
}

/// What a check sees.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The object.
    pub obj: &'a Obj<'a>,
    /// Its pod spec, for workloads.
    pub pod: Option<&'a PodSpec<'a>>,
    /// Cross-object facts.
    pub index: &'a Index<'a>,
}

/// Collects findings and hardening evidence.
#[derive(Debug)]
pub struct Emit<'a> {
    info: &'static CheckInfo,
    root: &'a Node,
    /// Findings so far.
    pub findings: Vec<Finding>,
    /// Evidence so far.
    pub evidence: Vec<&'static str>,
}

impl<'a> Emit<'a> {
    /// A collector for one check on one object.
    pub fn new(info: &'static CheckInfo, root: &'a Node) -> Emit<'a> {
        Emit {
            info,
            root,
            findings: Vec::new(),
            evidence: Vec::new(),
        }
    }

    fn find(
        &mut self,
        path: Path,
        explicit: bool,
        message: String,
        fix: Vec<Edit>,
        advice: &'static str,
    ) {
        let line = path.line_in(self.root);
        self.findings.push(Finding {
            check: self.info.id,
            severity: self.info.severity,
            path,
            line,
            message,
            explicit,
            fix,
            advice,
        });
    }

    fn evidence(&mut self, tag: &'static str) {
        if !self.evidence.contains(&tag) {
            self.evidence.push(tag);
        }
    }
}

impl CheckInfo {
    /// Runs the check on an object in its scope.
    pub fn run<'a>(&'static self, ctx: &Ctx<'a>) -> Emit<'a> {
        let mut e = Emit::new(self, ctx.obj.node);
        (self.run)(ctx, &mut e);
        e
    }
}

macro_rules! check {
    ($id:literal, $title:literal, $sev:ident, $cat:ident, $scope:ident, $on:literal, $why:literal, $fix:literal, $f:path) => {
        CheckInfo {
            id: $id,
            title: $title,
            severity: Severity::$sev,
            category: Category::$cat,
            scope: Scope::$scope,
            default_enabled: $on,
            rationale: $why,
            fix: $fix,
            run: $f,
        }
    };
}

/// All checks, in report order.
pub static CHECKS: &[CheckInfo] = &[
    check!(
        "readonly-root-filesystem",
        "Root filesystem is writable",
        High,
        Immutability,
        Pod,
        true,
        "A writable root filesystem lets an intruder drop and run new binaries and drift from the image.",
        "set containers[i].securityContext.readOnlyRootFilesystem = true (mount an emptyDir for scratch paths)",
        c_readonly_root
    ),
    check!(
        "writable-hostpath",
        "hostPath volume mounted read-write",
        High,
        Immutability,
        Pod,
        true,
        "A read-write hostPath mount lets the container modify the node's filesystem.",
        "set containers[i].volumeMounts[j].readOnly = true",
        c_writable_hostpath
    ),
    check!(
        "hostpath-volume",
        "hostPath volume",
        Medium,
        Immutability,
        Pod,
        true,
        "hostPath volumes tie the pod to the node and expose node files to the container.",
        "replace spec.volumes[i].hostPath by a configMap, secret, emptyDir or persistentVolumeClaim",
        c_hostpath_volume
    ),
    check!(
        "writable-volume-mount",
        "Persistent volume mounted read-write",
        Low,
        Immutability,
        Pod,
        true,
        "A writable persistent volume survives restarts: code written there is not reverted by redeploying.",
        "set containers[i].volumeMounts[j].readOnly = true where the workload only reads",
        c_writable_volume
    ),
    check!(
        "emptydir-no-size-limit",
        "emptyDir without sizeLimit",
        Low,
        Immutability,
        Pod,
        true,
        "An unbounded writable emptyDir is scratch space for downloaded tools and can fill the node's disk.",
        "set spec.volumes[i].emptyDir.sizeLimit = \"256Mi\" (adjust)",
        c_emptydir_size
    ),
    check!(
        "privileged",
        "Privileged container",
        Critical,
        Privilege,
        Pod,
        true,
        "A privileged container has every capability and all host devices: it is root on the node.",
        "set containers[i].securityContext.privileged = false",
        c_privileged
    ),
    check!(
        "allow-privilege-escalation",
        "Privilege escalation allowed",
        High,
        Privilege,
        Pod,
        true,
        "Without allowPrivilegeEscalation: false, setuid binaries and file capabilities can raise privileges (the default is true).",
        "set containers[i].securityContext.allowPrivilegeEscalation = false",
        c_ape
    ),
    check!(
        "capabilities-dangerous",
        "Dangerous capability added",
        Critical,
        Privilege,
        Pod,
        true,
        "Capabilities such as SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE or ALL break container isolation.",
        "remove the capability from containers[i].securityContext.capabilities.add",
        c_caps_dangerous
    ),
    check!(
        "capabilities-added",
        "Capability added",
        Medium,
        Privilege,
        Pod,
        true,
        "Added capabilities widen the kernel attack surface; only NET_BIND_SERVICE is allowed by the restricted Pod Security Standard.",
        "remove the capability from containers[i].securityContext.capabilities.add",
        c_caps_added
    ),
    check!(
        "capabilities-not-dropped",
        "Default capabilities not dropped",
        Medium,
        Privilege,
        Pod,
        true,
        "The runtime's default capabilities (NET_RAW, CHOWN, SETUID, ...) are rarely needed; drop ALL and add back what is required.",
        "add \"ALL\" to containers[i].securityContext.capabilities.drop",
        c_caps_not_dropped
    ),
    check!(
        "net-raw-not-dropped",
        "NET_RAW not dropped",
        Low,
        Privilege,
        Pod,
        false,
        "NET_RAW allows ARP/DNS spoofing on the pod network (subsumed by capabilities-not-dropped).",
        "add \"ALL\" (or \"NET_RAW\") to containers[i].securityContext.capabilities.drop",
        c_net_raw
    ),
    check!(
        "run-as-root",
        "Container may run as root",
        High,
        Privilege,
        Pod,
        true,
        "A process running as UID 0 is one kernel bug away from root on the node.",
        "set containers[i].securityContext.runAsNonRoot = true (and a non-zero runAsUser)",
        c_run_as_root
    ),
    check!(
        "low-user-id",
        "runAsUser below 10000",
        Low,
        Privilege,
        Pod,
        true,
        "UIDs below 10000 may collide with users of the host if the container escapes.",
        "set containers[i].securityContext.runAsUser = 10001 (or higher)",
        c_low_uid
    ),
    check!(
        "low-group-id",
        "runAsGroup below 10000",
        Low,
        Privilege,
        Pod,
        true,
        "GIDs below 10000 may collide with groups of the host if the container escapes.",
        "set containers[i].securityContext.runAsGroup = 10001 (or higher)",
        c_low_gid
    ),
    check!(
        "host-pid",
        "Host PID namespace",
        High,
        Privilege,
        Pod,
        true,
        "hostPID shows every process of the node and allows ptrace and signals to them.",
        "remove spec.hostPID (default false)",
        c_host_pid
    ),
    check!(
        "host-ipc",
        "Host IPC namespace",
        High,
        Privilege,
        Pod,
        true,
        "hostIPC shares the node's shared memory and semaphores.",
        "remove spec.hostIPC (default false)",
        c_host_ipc
    ),
    check!(
        "host-network",
        "Host network namespace",
        High,
        Privilege,
        Pod,
        true,
        "hostNetwork exposes the node's interfaces and loopback services and bypasses network policies.",
        "remove spec.hostNetwork (default false)",
        c_host_network
    ),
    check!(
        "host-port",
        "hostPort",
        Medium,
        Network,
        Pod,
        true,
        "A hostPort binds the node's interface, bypassing Services and network policies, and limits scheduling.",
        "remove containers[i].ports[j].hostPort (use a Service)",
        c_host_port
    ),
    check!(
        "host-process",
        "Windows hostProcess container",
        High,
        Privilege,
        Pod,
        true,
        "A hostProcess container runs directly on the Windows node with its privileges.",
        "set securityContext.windowsOptions.hostProcess = false",
        c_host_process
    ),
    check!(
        "proc-mount",
        "Unmasked /proc",
        Medium,
        Privilege,
        Pod,
        true,
        "procMount: Unmasked exposes kernel interfaces under /proc that the runtime normally masks.",
        "set containers[i].securityContext.procMount = \"Default\"",
        c_proc_mount
    ),
    check!(
        "seccomp-unconfined",
        "seccomp explicitly unconfined",
        High,
        Privilege,
        Pod,
        true,
        "An Unconfined seccomp profile gives the container every system call, including ones used in container escapes.",
        "set containers[i].securityContext.seccompProfile.type = \"RuntimeDefault\"",
        c_seccomp_unconfined
    ),
    check!(
        "seccomp-profile-missing",
        "No seccomp profile",
        Medium,
        Privilege,
        Pod,
        true,
        "Without RuntimeDefault or a Localhost profile the container runs without syscall filtering on most runtimes.",
        "set spec.securityContext.seccompProfile.type = \"RuntimeDefault\"",
        c_seccomp_missing
    ),
    check!(
        "seccomp-not-runtime-default",
        "seccomp profile is not RuntimeDefault",
        Info,
        Privilege,
        Pod,
        false,
        "CIS 5.7.2 asks for the runtime's default profile; Localhost profiles are fine when maintained.",
        "set containers[i].securityContext.seccompProfile.type = \"RuntimeDefault\"",
        c_seccomp_not_default
    ),
    check!(
        "apparmor-unconfined",
        "AppArmor explicitly unconfined",
        High,
        Privilege,
        Pod,
        true,
        "An unconfined AppArmor profile removes the runtime's mandatory access control.",
        "set containers[i].securityContext.appArmorProfile.type = \"RuntimeDefault\"",
        c_apparmor_unconfined
    ),
    check!(
        "no-linux-hardening",
        "No Linux hardening at all",
        Low,
        Privilege,
        Pod,
        true,
        "A container with neither seccomp, AppArmor, SELinux options nor dropped capabilities relies on defaults only.",
        "set spec.securityContext.seccompProfile.type = \"RuntimeDefault\" (or drop capabilities)",
        c_no_hardening
    ),
    check!(
        "automount-service-account-token",
        "Service account token mounted",
        Medium,
        SecretsIdentity,
        Pod,
        true,
        "A mounted token lets code in the pod call the API server with the service account's rights.",
        "set spec.automountServiceAccountToken = false (or on the ServiceAccount)",
        c_automount
    ),
    check!(
        "secret-literal-in-env",
        "Secret written in an environment variable",
        Critical,
        SecretsIdentity,
        Pod,
        true,
        "A credential in the manifest is readable by anyone who can read the workload, and ends up in Git.",
        "move the value to a Secret and use env[j].valueFrom.secretKeyRef (better: mount it as a file)",
        c_secret_literal
    ),
    check!(
        "secret-ref-in-env",
        "Secret exposed as environment variable",
        Low,
        SecretsIdentity,
        Pod,
        true,
        "Environment variables leak through /proc, crash dumps and child processes; mounted files do not.",
        "mount the Secret as a volume instead of env[j].valueFrom.secretKeyRef / envFrom.secretRef",
        c_secret_ref
    ),
    check!(
        "container-runtime-socket",
        "Container runtime socket mounted",
        Critical,
        SecretsIdentity,
        Pod,
        true,
        "The Docker/containerd/CRI-O socket gives full control of every container on the node.",
        "remove the hostPath volume of the runtime socket",
        c_runtime_socket
    ),
    check!(
        "sensitive-hostpath",
        "Sensitive host path mounted",
        Critical,
        SecretsIdentity,
        Pod,
        true,
        "Mounting /, /proc, /etc, /root, /var/run, kubelet or runtime directories exposes node credentials and control.",
        "remove the hostPath volume or narrow it to a harmless directory, read-only",
        c_sensitive_hostpath
    ),
    check!(
        "image-tag-mutable",
        "Image tag missing or latest",
        Medium,
        SupplyChain,
        Pod,
        true,
        "latest or no tag makes the running code change without a manifest change.",
        "set containers[i].image to a fixed tag or, better, a digest (image@sha256:...)",
        c_image_tag
    ),
    check!(
        "image-no-digest",
        "Image not pinned by digest",
        Low,
        SupplyChain,
        Pod,
        false,
        "A tag can be moved to other content by whoever controls the registry; a digest cannot.",
        "set containers[i].image to image@sha256:<digest>",
        c_image_digest
    ),
    check!(
        "image-pull-policy",
        "imagePullPolicy not Always",
        Low,
        SupplyChain,
        Pod,
        true,
        "With IfNotPresent/Never a node may run a cached image without the registry's authorization check.",
        "set containers[i].imagePullPolicy = \"Always\"",
        c_pull_policy
    ),
    check!(
        "cpu-limit-missing",
        "No CPU limit",
        Low,
        Resources,
        Pod,
        true,
        "Without a CPU limit a compromised or runaway container can starve its neighbours.",
        "set containers[i].resources.limits.cpu (e.g. \"500m\")",
        c_cpu_limit
    ),
    check!(
        "memory-limit-missing",
        "No memory limit",
        Medium,
        Resources,
        Pod,
        true,
        "Without a memory limit a container can exhaust the node's memory and get others evicted.",
        "set containers[i].resources.limits.memory (e.g. \"512Mi\")",
        c_mem_limit
    ),
    check!(
        "cpu-request-missing",
        "No CPU request",
        Low,
        Resources,
        Pod,
        true,
        "Without requests the scheduler cannot place the pod reliably and it gets BestEffort QoS.",
        "set containers[i].resources.requests.cpu (e.g. \"100m\")",
        c_cpu_request
    ),
    check!(
        "memory-request-missing",
        "No memory request",
        Low,
        Resources,
        Pod,
        true,
        "Without requests the scheduler cannot place the pod reliably and it is evicted first.",
        "set containers[i].resources.requests.memory (e.g. \"128Mi\")",
        c_mem_request
    ),
    check!(
        "ephemeral-storage-limit-missing",
        "No ephemeral-storage limit",
        Low,
        Resources,
        Pod,
        false,
        "Without an ephemeral-storage limit writes to the container layer and emptyDir can fill the node's disk.",
        "set containers[i].resources.limits.ephemeral-storage (e.g. \"1Gi\")",
        c_ephemeral_limit
    ),
    check!(
        "cpu-requests-ne-limits",
        "CPU request differs from limit",
        Info,
        Resources,
        Pod,
        false,
        "Equal requests and limits give Guaranteed QoS and predictable behaviour under pressure.",
        "set containers[i].resources.requests.cpu = limits.cpu",
        c_cpu_eq
    ),
    check!(
        "memory-requests-ne-limits",
        "Memory request differs from limit",
        Info,
        Resources,
        Pod,
        false,
        "Equal memory requests and limits avoid OOM kills under node pressure.",
        "set containers[i].resources.requests.memory = limits.memory",
        c_mem_eq
    ),
    check!(
        "ephemeral-storage-requests-ne-limits",
        "Ephemeral-storage request differs from limit",
        Info,
        Resources,
        Pod,
        false,
        "Equal ephemeral-storage requests and limits avoid eviction under disk pressure.",
        "set containers[i].resources.requests.ephemeral-storage = limits.ephemeral-storage",
        c_eph_eq
    ),
    check!(
        "rbac-wildcard",
        "Role with wildcard",
        High,
        Rbac,
        Role,
        true,
        "A * in verbs or resources grants today's and tomorrow's rights, including secrets and escalation verbs.",
        "list explicit verbs and resources in rules[i]",
        c_rbac_wildcard
    ),
    check!(
        "rbac-pod-exec",
        "Role allows exec/attach into pods",
        High,
        Rbac,
        Role,
        true,
        "pods/exec and pods/attach give a shell in any pod of the scope, with its secrets and service account.",
        "remove pods/exec and pods/attach (and wildcards covering them) from rules[i].resources",
        c_rbac_exec
    ),
    check!(
        "rbac-cluster-admin-binding",
        "Binding grants cluster-admin",
        Critical,
        Rbac,
        Binding,
        true,
        "Binding cluster-admin (or an equivalent */*/* role) gives full control of the cluster.",
        "bind a role with the least rights needed instead of roleRef cluster-admin",
        c_rbac_admin_binding
    ),
    check!(
        "rbac-anonymous-binding",
        "Binding to anonymous users",
        Critical,
        Rbac,
        Binding,
        true,
        "Binding system:anonymous or system:unauthenticated grants rights to anyone who reaches the API server.",
        "remove the system:anonymous / system:unauthenticated subject",
        c_rbac_anonymous
    ),
    check!(
        "service-nodeport",
        "NodePort service",
        Low,
        Network,
        Service,
        true,
        "A NodePort opens the port on every node's interfaces, bypassing ingress controls.",
        "set spec.type = \"ClusterIP\" (expose through an Ingress or LoadBalancer)",
        c_nodeport
    ),
    check!(
        "sensitive-configmap",
        "Credential in a ConfigMap",
        High,
        SecretsIdentity,
        ConfigMap,
        true,
        "ConfigMaps are not secret: they are readable by many roles and not encrypted at rest.",
        "move the key to a Secret",
        c_sensitive_configmap
    ),
    check!(
        "apiserver-audit-policy-file",
        "kube-apiserver without audit policy",
        High,
        Audit,
        ApiServer,
        true,
        "Without --audit-policy-file the API server records no audit events at all.",
        "add --audit-policy-file=/etc/kubernetes/audit-policy.yaml to the kube-apiserver command",
        c_audit_policy
    ),
    check!(
        "apiserver-audit-log-path",
        "kube-apiserver without audit log",
        High,
        Audit,
        ApiServer,
        true,
        "Without --audit-log-path (or a webhook) audit events are not written anywhere.",
        "add --audit-log-path=/var/log/kubernetes/audit/audit.log to the kube-apiserver command",
        c_audit_path
    ),
    check!(
        "apiserver-audit-log-maxage",
        "Audit log kept less than 30 days",
        Medium,
        Audit,
        ApiServer,
        true,
        "Investigations need at least 30 days of audit history (CIS 1.2.17).",
        "set --audit-log-maxage=30 (or more)",
        c_audit_maxage
    ),
    check!(
        "apiserver-audit-log-maxbackup",
        "Fewer than 10 audit log backups",
        Medium,
        Audit,
        ApiServer,
        true,
        "At least 10 rotated audit files should be kept (CIS 1.2.18).",
        "set --audit-log-maxbackup=10 (or more)",
        c_audit_maxbackup
    ),
    check!(
        "apiserver-audit-log-maxsize",
        "Audit log rotated below 100 MB",
        Low,
        Audit,
        ApiServer,
        true,
        "Rotating audit logs below 100 MB loses history quickly on busy clusters (CIS 1.2.19).",
        "set --audit-log-maxsize=100 (or more)",
        c_audit_maxsize
    ),
];

/// The check with this id.
pub fn by_id(id: &str) -> Option<&'static CheckInfo> {
    CHECKS.iter().find(|c| c.id == id)
}

// ---------------------------------------------------------------------------------------
// Helpers

fn pod<'a>(ctx: &'a Ctx<'a>) -> Option<&'a PodSpec<'a>> {
    ctx.pod
}

fn is_true(n: Option<&Node>) -> bool {
    n.and_then(Node::as_bool) == Some(true)
}

fn upper_cap(s: &str) -> String {
    let u = s.trim().to_ascii_uppercase();
    u.strip_prefix("CAP_").map(str::to_string).unwrap_or(u)
}

fn cap_list(c: &Container<'_>, which: &str) -> Vec<(usize, String)> {
    c.sc("capabilities")
        .and_then(|caps| caps.get(which))
        .map(|l| {
            l.items()
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.as_str().map(|s| (i, upper_cap(s))))
                .collect()
        })
        .unwrap_or_default()
}

/// A container setting with the pod-level fallback: (value, path, set on the container).
fn effective<'a>(
    c: &'a Container<'_>,
    p: &'a PodSpec<'_>,
    field: &str,
) -> Option<(&'a Node, Path, bool)> {
    if let Some(v) = c.sc(field).filter(|v| !v.is_null()) {
        return Some((v, c.sc_path(field), true));
    }
    p.sc(field)
        .filter(|v| !v.is_null())
        .map(|v| (v, p.path.key("securityContext").join(field), false))
}

/// Volumes by name: name → (index, node).
fn volumes<'a>(p: &'a PodSpec<'_>) -> HashMap<&'a str, (usize, &'a Node)> {
    let mut m = HashMap::new();
    if let Some(vs) = p.spec.get("volumes") {
        for (i, v) in vs.items().iter().enumerate() {
            if let Some(name) = v.get("name").and_then(Node::as_str) {
                m.insert(name, (i, v));
            }
        }
    }
    m
}

fn mounts<'a>(c: &'a Container<'_>) -> impl Iterator<Item = (usize, &'a Node)> {
    c.node
        .get("volumeMounts")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
}

fn host_path_of(v: &Node) -> Option<String> {
    let hp = v.get("hostPath")?;
    let p = hp.get("path").and_then(Node::as_str).unwrap_or("");
    let t = p.trim();
    let trimmed = t.trim_end_matches('/');
    Some(if trimmed.is_empty() && t.starts_with('/') {
        "/".to_string()
    } else {
        trimmed.to_string()
    })
}

// ---------------------------------------------------------------------------------------
// Immutability

fn c_readonly_root(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        match c.sc("readOnlyRootFilesystem").and_then(Node::as_bool) {
            Some(true) => e.evidence("readOnlyRootFilesystem"),
            v => {
                let path = c.sc_path("readOnlyRootFilesystem");
                e.find(
                    path.clone(),
                    v.is_some(),
                    format!("container {:?} has a writable root filesystem", c.name),
                    vec![Edit::Set(path, json!(true))],
                    "mount an emptyDir at paths the program writes to",
                );
            }
        }
    }
}

fn c_writable_hostpath(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    let vols = volumes(p);
    for c in &p.containers {
        for (j, m) in mounts(c) {
            let Some(name) = m.get("name").and_then(Node::as_str) else {
                continue;
            };
            let Some((_, v)) = vols.get(name) else {
                continue;
            };
            let Some(hp) = host_path_of(v) else { continue };
            if !is_true(m.get("readOnly")) {
                let path = c.path.key("volumeMounts").idx(j).key("readOnly");
                e.find(
                    path.clone(),
                    m.get("readOnly").is_some(),
                    format!("container {:?} mounts hostPath {hp:?} read-write", c.name),
                    vec![Edit::Set(path, json!(true))],
                    "",
                );
            }
        }
    }
}

fn c_hostpath_volume(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for (i, v) in p
        .spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(hp) = host_path_of(v) {
            e.find(
                p.path.key("volumes").idx(i).key("hostPath"),
                true,
                format!(
                    "volume {:?} is hostPath {hp:?}",
                    v.get("name").and_then(Node::as_str).unwrap_or("")
                ),
                vec![],
                "use a configMap, secret, emptyDir or persistentVolumeClaim instead",
            );
        }
    }
}

const PERSISTENT_KINDS: &[&str] = &[
    "persistentVolumeClaim",
    "nfs",
    "cephfs",
    "rbd",
    "glusterfs",
    "iscsi",
    "csi",
    "azureFile",
    "azureDisk",
    "awsElasticBlockStore",
    "gcePersistentDisk",
    "cinder",
    "fc",
    "flexVolume",
    "flocker",
    "vsphereVolume",
    "quobyte",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "photonPersistentDisk",
    "local",
    "ephemeral",
];

fn c_writable_volume(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    let vols = volumes(p);
    for c in &p.containers {
        for (j, m) in mounts(c) {
            let Some(name) = m.get("name").and_then(Node::as_str) else {
                continue;
            };
            let Some((_, v)) = vols.get(name) else {
                continue;
            };
            let Some(kind) = PERSISTENT_KINDS.iter().find(|k| v.get(k).is_some()) else {
                continue;
            };
            if !is_true(m.get("readOnly")) {
                let path = c.path.key("volumeMounts").idx(j).key("readOnly");
                e.find(
                    path.clone(),
                    m.get("readOnly").is_some(),
                    format!(
                        "container {:?} mounts {kind} volume {name:?} read-write",
                        c.name
                    ),
                    vec![Edit::Set(path, json!(true))],
                    "keep read-write only where the workload must write",
                );
            }
        }
    }
}

fn c_emptydir_size(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    let vols = p.spec.get("volumes").map(Node::items).unwrap_or_default();
    for (i, v) in vols.iter().enumerate() {
        let Some(ed) = v.get("emptyDir") else {
            continue;
        };
        if ed.get("sizeLimit").is_some_and(|s| !s.is_null()) {
            continue;
        }
        let Some(name) = v.get("name").and_then(Node::as_str) else {
            continue;
        };
        let writable = p.containers.iter().any(|c| {
            mounts(c).any(|(_, m)| {
                m.get("name").and_then(Node::as_str) == Some(name) && !is_true(m.get("readOnly"))
            })
        });
        if writable {
            let path = p
                .path
                .key("volumes")
                .idx(i)
                .key("emptyDir")
                .key("sizeLimit");
            e.find(
                path.clone(),
                false,
                format!("emptyDir {name:?} is writable and unbounded"),
                vec![Edit::Set(path, json!("256Mi"))],
                "size the limit to what the workload needs",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Privilege

fn c_privileged(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in &p.containers {
        if is_true(c.sc("privileged")) {
            let path = c.sc_path("privileged");
            e.find(
                path.clone(),
                true,
                format!("container {:?} is privileged", c.name),
                vec![Edit::Set(path, json!(false))],
                "",
            );
        }
    }
}

fn c_ape(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        let v = c.sc("allowPrivilegeEscalation").and_then(Node::as_bool);
        if v != Some(false) {
            let path = c.sc_path("allowPrivilegeEscalation");
            let msg = if v == Some(true) {
                format!("container {:?} sets allowPrivilegeEscalation: true", c.name)
            } else {
                format!(
                    "container {:?} does not set allowPrivilegeEscalation: false",
                    c.name
                )
            };
            e.find(
                path.clone(),
                v == Some(true),
                msg,
                vec![Edit::Set(path, json!(false))],
                "",
            );
        }
    }
}

/// Capabilities that break isolation (union of the tools' "dangerous"/"insecure" lists).
pub const DANGEROUS_CAPS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_PTRACE",
    "SYS_BOOT",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "PERFMON",
    "BPF",
    "DAC_READ_SEARCH",
    "SETPCAP",
    "NET_RAW",
    "SYS_TIME",
];

/// The container runtime's default capabilities.
pub const DEFAULT_CAPS: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn remove_items(list: Path, mut idx: Vec<usize>) -> Vec<Edit> {
    idx.sort_unstable();
    idx.into_iter()
        .rev()
        .map(|i| Edit::Remove(list.idx(i)))
        .collect()
}

fn c_caps_dangerous(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in &p.containers {
        let bad: Vec<(usize, String)> = cap_list(c, "add")
            .into_iter()
            .filter(|(_, cap)| DANGEROUS_CAPS.contains(&cap.as_str()))
            .collect();
        if bad.is_empty() {
            continue;
        }
        let list = c.sc_path("capabilities").key("add");
        let names: Vec<&str> = bad.iter().map(|(_, s)| s.as_str()).collect();
        let path = list.idx(bad[0].0);
        e.find(
            path,
            true,
            format!("container {:?} adds {}", c.name, names.join(", ")),
            remove_items(list, bad.iter().map(|(i, _)| *i).collect()),
            "",
        );
    }
}

fn c_caps_added(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in &p.containers {
        let extra: Vec<(usize, String)> = cap_list(c, "add")
            .into_iter()
            .filter(|(_, cap)| cap != "NET_BIND_SERVICE" && !DANGEROUS_CAPS.contains(&cap.as_str()))
            .collect();
        if extra.is_empty() {
            continue;
        }
        let list = c.sc_path("capabilities").key("add");
        let names: Vec<&str> = extra.iter().map(|(_, s)| s.as_str()).collect();
        e.find(
            list.idx(extra[0].0),
            true,
            format!("container {:?} adds {}", c.name, names.join(", ")),
            remove_items(list, extra.iter().map(|(i, _)| *i).collect()),
            "keep only capabilities the program needs",
        );
    }
}

fn c_caps_not_dropped(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        let drop = cap_list(c, "drop");
        if !drop.is_empty() {
            e.evidence("capDropAny");
        }
        if drop.iter().any(|(_, d)| d == "ALL") {
            e.evidence("capDropAll");
            continue;
        }
        if DEFAULT_CAPS
            .iter()
            .all(|d| drop.iter().any(|(_, x)| x == d))
        {
            continue;
        }
        let path = c.sc_path("capabilities").key("drop");
        e.find(
            path.clone(),
            false,
            format!("container {:?} does not drop ALL capabilities", c.name),
            vec![Edit::Append(path, json!("ALL"))],
            "add back only what is needed with capabilities.add",
        );
    }
}

fn c_net_raw(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        let drop = cap_list(c, "drop");
        if drop.iter().any(|(_, d)| d == "ALL" || d == "NET_RAW") {
            continue;
        }
        let path = c.sc_path("capabilities").key("drop");
        e.find(
            path.clone(),
            false,
            format!("container {:?} keeps NET_RAW", c.name),
            vec![Edit::Append(path, json!("ALL"))],
            "",
        );
    }
}

fn c_run_as_root(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        let non_root = effective(c, p, "runAsNonRoot");
        let user = effective(c, p, "runAsUser");
        let uid = user.as_ref().and_then(|(v, _, _)| v.as_i64());
        if uid == Some(0) {
            let path = user.map(|u| u.1).unwrap_or_else(|| c.sc_path("runAsUser"));
            e.find(
                path.clone(),
                true,
                format!("container {:?} runs as UID 0", c.name),
                vec![
                    Edit::Set(path, json!(10001)),
                    Edit::Set(c.sc_path("runAsNonRoot"), json!(true)),
                ],
                "",
            );
            continue;
        }
        if non_root.as_ref().and_then(|(v, _, _)| v.as_bool()) == Some(true) {
            e.evidence("runAsNonRoot");
            continue;
        }
        if uid.is_some_and(|u| u > 0) {
            continue;
        }
        let explicit = non_root
            .as_ref()
            .is_some_and(|(v, _, _)| v.as_bool() == Some(false));
        let path = non_root
            .map(|n| n.1)
            .unwrap_or_else(|| c.sc_path("runAsNonRoot"));
        e.find(
            path,
            explicit,
            format!(
                "container {:?} may run as root (no runAsNonRoot: true, no non-zero runAsUser)",
                c.name
            ),
            vec![Edit::Set(c.sc_path("runAsNonRoot"), json!(true))],
            "the image must then define a non-root USER, or set runAsUser",
        );
    }
}

fn id_check(ctx: &Ctx<'_>, e: &mut Emit<'_>, field: &str, what: &str, evidence: &'static str) {
    let Some(p) = pod(ctx) else { return };
    // With a user namespace (hostUsers: false) container IDs map to unprivileged host IDs.
    if p.spec.get("hostUsers").and_then(Node::as_bool) == Some(false) {
        e.evidence("hostUsers=false");
        return;
    }
    for c in p.workload_containers() {
        let v = effective(c, p, field);
        match v.as_ref().and_then(|(n, _, _)| n.as_i64()) {
            Some(id) if id >= 10000 => {
                if id > 10000 {
                    e.evidence(evidence);
                }
            }
            id => {
                let path = v.map(|x| x.1).unwrap_or_else(|| c.sc_path(field));
                let msg = match id {
                    Some(id) => format!("container {:?} runs with {what} {id} (< 10000)", c.name),
                    None => format!("container {:?} does not set {field}", c.name),
                };
                e.find(
                    path.clone(),
                    id.is_some(),
                    msg,
                    vec![Edit::Set(c.sc_path(field), json!(10001))],
                    "",
                );
            }
        }
    }
}

fn c_low_uid(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    id_check(ctx, e, "runAsUser", "UID", "runAsUser>10000");
}

fn c_low_gid(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    id_check(ctx, e, "runAsGroup", "GID", "runAsGroup>10000");
}

fn host_ns(ctx: &Ctx<'_>, e: &mut Emit<'_>, field: &str) {
    let Some(p) = pod(ctx) else { return };
    if is_true(p.spec.get(field)) {
        let path = p.path.key(field);
        e.find(
            path.clone(),
            true,
            format!("pod sets {field}: true"),
            vec![Edit::Remove(path)],
            "",
        );
    }
}

fn c_host_pid(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    host_ns(ctx, e, "hostPID");
}

fn c_host_ipc(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    host_ns(ctx, e, "hostIPC");
}

fn c_host_network(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    host_ns(ctx, e, "hostNetwork");
}

fn c_host_port(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in &p.containers {
        for (j, port) in c
            .node
            .get("ports")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let hp = port.get("hostPort");
            if hp.is_some_and(|h| !h.is_null() && h.as_i64() != Some(0)) {
                let path = c.path.key("ports").idx(j).key("hostPort");
                e.find(
                    path.clone(),
                    true,
                    format!(
                        "container {:?} binds hostPort {}",
                        c.name,
                        hp.and_then(Node::scalar_text).unwrap_or_default()
                    ),
                    vec![Edit::Remove(path)],
                    "expose the port through a Service",
                );
            }
        }
    }
}

fn c_host_process(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    let pod_hp = p.sc("windowsOptions").and_then(|w| w.get("hostProcess"));
    if is_true(pod_hp) {
        let path = p
            .path
            .key("securityContext")
            .join("windowsOptions.hostProcess");
        e.find(
            path.clone(),
            true,
            "pod sets windowsOptions.hostProcess: true".into(),
            vec![Edit::Set(path, json!(false))],
            "",
        );
    }
    for c in &p.containers {
        if is_true(c.sc("windowsOptions").and_then(|w| w.get("hostProcess"))) {
            let path = c.sc_path("windowsOptions.hostProcess");
            e.find(
                path.clone(),
                true,
                format!("container {:?} is a hostProcess container", c.name),
                vec![Edit::Set(path, json!(false))],
                "",
            );
        }
    }
}

fn c_proc_mount(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in &p.containers {
        if let Some(v) = c.sc("procMount").and_then(Node::as_str)
            && v != "Default"
        {
            let path = c.sc_path("procMount");
            e.find(
                path.clone(),
                true,
                format!("container {:?} sets procMount: {v}", c.name),
                vec![Edit::Set(path, json!("Default"))],
                "",
            );
        }
    }
}

/// Effective seccomp profile type of a container: (type, path where it is set).
/// Annotation values are mapped to field values (`runtime/default` → `RuntimeDefault`).
fn seccomp_of(c: &Container<'_>, p: &PodSpec<'_>) -> Option<(String, Path)> {
    if let Some(sp) = c.sc("seccompProfile")
        && let Some(t) = sp.get("type").and_then(Node::as_str)
    {
        return Some((t.to_string(), c.sc_path("seccompProfile.type")));
    }
    let key = format!("container.seccomp.security.alpha.kubernetes.io/{}", c.name);
    if let Some(a) = p.annotation(&key) {
        return Some((annotation_profile(a), p.annotation_path(&key)));
    }
    if let Some(t) = p
        .sc("seccompProfile")
        .and_then(|s| s.get("type"))
        .and_then(Node::as_str)
    {
        return Some((
            t.to_string(),
            p.path.key("securityContext").join("seccompProfile.type"),
        ));
    }
    let key = "seccomp.security.alpha.kubernetes.io/pod";
    p.annotation(key)
        .map(|a| (annotation_profile(a), p.annotation_path(key)))
}

fn annotation_profile(a: &str) -> String {
    let a = a.trim();
    if a == "runtime/default" || a == "docker/default" {
        "RuntimeDefault".into()
    } else if a == "unconfined" {
        "Unconfined".into()
    } else if a.starts_with("localhost/") {
        "Localhost".into()
    } else {
        a.to_string()
    }
}

fn c_seccomp_unconfined(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers().chain(
        p.containers
            .iter()
            .filter(|c| c.class == ContainerClass::Ephemeral),
    ) {
        if let Some((t, path)) = seccomp_of(c, p) {
            if t == "Unconfined" {
                e.find(
                    path,
                    true,
                    format!("container {:?} runs with seccomp Unconfined", c.name),
                    vec![Edit::Set(
                        c.sc_path("seccompProfile.type"),
                        json!("RuntimeDefault"),
                    )],
                    "",
                );
            } else {
                e.evidence("seccomp");
            }
        }
    }
}

fn c_seccomp_missing(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        if seccomp_of(c, p).is_none() {
            let path = c.sc_path("seccompProfile");
            e.find(
                path,
                false,
                format!("container {:?} has no seccomp profile", c.name),
                vec![Edit::Set(
                    p.path.key("securityContext").join("seccompProfile.type"),
                    json!("RuntimeDefault"),
                )],
                "",
            );
        }
    }
}

fn c_seccomp_not_default(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        let got = seccomp_of(c, p);
        if got.as_ref().is_some_and(|(t, _)| t == "RuntimeDefault") {
            continue;
        }
        let what = got
            .as_ref()
            .map_or("no profile".to_string(), |(t, _)| format!("profile {t}"));
        let path = got.map_or_else(|| c.sc_path("seccompProfile"), |(_, p)| p);
        e.find(
            path,
            true,
            format!("container {:?} runs with seccomp {what}", c.name),
            vec![Edit::Set(
                c.sc_path("seccompProfile.type"),
                json!("RuntimeDefault"),
            )],
            "",
        );
    }
}

/// Effective AppArmor profile of a container: (value, path). Field values are mapped to the
/// annotation's vocabulary (`Unconfined` → `unconfined`).
fn apparmor_of(c: &Container<'_>, p: &PodSpec<'_>) -> Option<(String, Path)> {
    if let Some(t) = c
        .sc("appArmorProfile")
        .and_then(|s| s.get("type"))
        .and_then(Node::as_str)
    {
        return Some((t.to_ascii_lowercase(), c.sc_path("appArmorProfile.type")));
    }
    let key = format!("container.apparmor.security.beta.kubernetes.io/{}", c.name);
    if let Some(a) = p.annotation(&key) {
        return Some((a.trim().to_ascii_lowercase(), p.annotation_path(&key)));
    }
    p.sc("appArmorProfile")
        .and_then(|s| s.get("type"))
        .and_then(Node::as_str)
        .map(|t| {
            (
                t.to_ascii_lowercase(),
                p.path.key("securityContext").join("appArmorProfile.type"),
            )
        })
}

fn c_apparmor_unconfined(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in &p.containers {
        if let Some((v, path)) = apparmor_of(c, p) {
            if v == "unconfined" {
                e.find(
                    path,
                    true,
                    format!("container {:?} runs with AppArmor unconfined", c.name),
                    vec![Edit::Set(
                        c.sc_path("appArmorProfile.type"),
                        json!("RuntimeDefault"),
                    )],
                    "",
                );
            } else {
                e.evidence("apparmor");
            }
        }
    }
}

fn selinux_set(n: Option<&Node>) -> bool {
    n.is_some_and(|s| s.entries().iter().any(|e| !e.value.is_null()))
}

fn c_no_hardening(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        let seccomp =
            seccomp_of(c, p).is_some_and(|(t, _)| t == "RuntimeDefault" || t == "Localhost");
        let apparmor = apparmor_of(c, p).is_some_and(|(v, _)| v != "unconfined" && !v.is_empty());
        let selinux = selinux_set(c.sc("seLinuxOptions")) || selinux_set(p.sc("seLinuxOptions"));
        let adds_all = cap_list(c, "add").iter().any(|(_, a)| a == "ALL");
        let drops = !cap_list(c, "drop").is_empty() && !adds_all;
        if !(seccomp || apparmor || selinux || drops) {
            let path = c.sc_path("seccompProfile");
            e.find(
                path,
                false,
                format!(
                    "container {:?} has no seccomp, AppArmor, SELinux or dropped capabilities",
                    c.name
                ),
                vec![Edit::Set(
                    p.path.key("securityContext").join("seccompProfile.type"),
                    json!("RuntimeDefault"),
                )],
                "",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Secrets and identity

fn c_automount(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    if p.spec
        .get("serviceAccountName")
        .or_else(|| p.spec.get("serviceAccount"))
        .and_then(Node::as_str)
        .is_some()
    {
        e.evidence("serviceAccountName");
    }
    let pod_v = p
        .spec
        .get("automountServiceAccountToken")
        .and_then(Node::as_bool);
    if pod_v == Some(false) {
        e.evidence("automountServiceAccountToken=false");
        return;
    }
    if pod_v.is_none() {
        let sa = p
            .spec
            .get("serviceAccountName")
            .or_else(|| p.spec.get("serviceAccount"))
            .and_then(Node::as_str)
            .unwrap_or("default");
        let key = (ctx.obj.namespace.to_string(), sa.to_string());
        if ctx.index.service_accounts.get(&key).copied().flatten() == Some(false) {
            return;
        }
    }
    let path = p.path.key("automountServiceAccountToken");
    e.find(
        path.clone(),
        pod_v == Some(true),
        if pod_v == Some(true) {
            "pod sets automountServiceAccountToken: true".to_string()
        } else {
            "pod mounts a service account token (automountServiceAccountToken not false)".to_string()
        },
        vec![Edit::Set(path, json!(false))],
        "pods that call the API server keep the token; set it on the ServiceAccount for all its pods",
    );
}

/// True for environment/config key names that hold credentials.
pub fn sensitive_key(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let tokens: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let has = |t: &str| tokens.contains(&t);
    if [
        "PASSWORD",
        "PASSWD",
        "PWD",
        "SECRET",
        "TOKEN",
        "CREDENTIAL",
        "CREDENTIALS",
        "APIKEY",
        "PASSPHRASE",
    ]
    .iter()
    .any(|t| has(t))
    {
        return true;
    }
    if upper.contains("PASSWORD") || upper.contains("SECRET_KEY") || upper.contains("PRIVATE_KEY") {
        return true;
    }
    tokens.windows(2).any(|w| {
        w[1] == "KEY"
            && matches!(
                w[0],
                "ACCESS"
                    | "PRIVATE"
                    | "API"
                    | "SECRET"
                    | "BATCH"
                    | "ACCOUNT"
                    | "AUTH"
                    | "ENCRYPTION"
                    | "SIGNING"
                    | "MASTER"
                    | "STORAGE"
            )
    })
}

/// True for values that are credentials whatever their key.
pub fn sensitive_value(v: &str) -> bool {
    if v.contains("PRIVATE KEY") {
        return true;
    }
    // AWS access key id.
    v.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        w.len() == 20
            && (w.starts_with("AKIA") || w.starts_with("ASIA"))
            && w.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

fn c_secret_literal(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in &p.containers {
        for (j, env) in c
            .node
            .get("env")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let name = env.get("name").and_then(Node::as_str).unwrap_or("");
            let Some(value) = env.get("value").and_then(Node::scalar_text) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            if sensitive_key(name) || sensitive_value(&value) {
                e.find(
                    c.path.key("env").idx(j).key("value"),
                    true,
                    format!("container {:?} has a credential in env {name:?}", c.name),
                    vec![],
                    "move the value to a Secret, mount it as a file (or env valueFrom.secretKeyRef), and rotate it",
                );
            }
        }
    }
}

fn c_secret_ref(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for c in &p.containers {
        for (j, env) in c
            .node
            .get("env")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if env
                .get("valueFrom")
                .and_then(|v| v.get("secretKeyRef"))
                .is_some()
            {
                let name = env.get("name").and_then(Node::as_str).unwrap_or("");
                e.find(
                    c.path
                        .key("env")
                        .idx(j)
                        .key("valueFrom")
                        .key("secretKeyRef"),
                    true,
                    format!("container {:?} reads a Secret into env {name:?}", c.name),
                    vec![],
                    "mount the Secret as a volume and read the file",
                );
            }
        }
        for (j, ef) in c
            .node
            .get("envFrom")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if ef.get("secretRef").is_some() {
                e.find(
                    c.path.key("envFrom").idx(j).key("secretRef"),
                    true,
                    format!(
                        "container {:?} loads a whole Secret into its environment",
                        c.name
                    ),
                    vec![],
                    "mount the Secret as a volume and read the files",
                );
            }
        }
    }
}

fn runtime_socket(path: &str) -> bool {
    const SOCKETS: &[&str] = &[
        "docker.sock",
        "containerd.sock",
        "crio.sock",
        "dockershim.sock",
        "cri-dockerd.sock",
        "podman.sock",
    ];
    const DIRS: &[&str] = &[
        "/var/run/docker",
        "/run/docker",
        "/var/run/containerd",
        "/run/containerd",
        "/var/run/crio",
        "/run/crio",
    ];
    SOCKETS.iter().any(|s| path.ends_with(s)) || DIRS.contains(&path)
}

fn c_runtime_socket(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for (i, v) in p
        .spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(hp) = host_path_of(v)
            && runtime_socket(&hp)
        {
            e.find(
                p.path.key("volumes").idx(i).key("hostPath").key("path"),
                true,
                format!(
                    "volume {:?} mounts the container runtime socket {hp:?}",
                    v.get("name").and_then(Node::as_str).unwrap_or("")
                ),
                vec![],
                "remove the volume; talk to the runtime through a narrowly scoped API instead",
            );
        }
    }
}

/// Host paths whose mount exposes the node (exact, or anything under the `/proc`, `/sys`
/// and kubelet/runtime trees).
const SENSITIVE_EXACT: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/home",
    "/var",
    "/var/run",
    "/run",
    "/boot",
    "/dev",
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/var/log",
    "/etc/kubernetes",
    "/etc/kubernetes/manifests",
];
const SENSITIVE_TREES: &[&str] = &[
    "/proc",
    "/sys",
    "/var/lib/kubelet",
    "/etc/kubernetes/pki",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/etc/ssh",
];

fn c_sensitive_hostpath(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for (i, v) in p
        .spec
        .get("volumes")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(hp) = host_path_of(v) else { continue };
        let hit = SENSITIVE_EXACT.contains(&hp.as_str())
            || SENSITIVE_TREES
                .iter()
                .any(|t| hp == *t || hp.starts_with(&format!("{t}/")));
        if hit && !runtime_socket(&hp) {
            e.find(
                p.path.key("volumes").idx(i).key("hostPath").key("path"),
                true,
                format!(
                    "volume {:?} mounts the sensitive host path {hp:?}",
                    v.get("name").and_then(Node::as_str).unwrap_or("")
                ),
                vec![],
                "remove the volume or narrow it to a harmless directory, read-only",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Supply chain

/// (repository, tag, digest) of an image reference.
pub fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(i) => (
            &rest[..last_slash + i],
            Some(&rest[last_slash + i + 1..]),
            digest,
        ),
        None => (rest, None, digest),
    }
}

fn images<'a>(p: &'a PodSpec<'_>) -> impl Iterator<Item = (&'a Container<'a>, &'a str)> {
    p.containers.iter().filter_map(|c| {
        c.node
            .get("image")
            .and_then(Node::as_str)
            .map(|i| (c, i.trim()))
    })
}

fn c_image_tag(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for (c, image) in images(p) {
        let (_, tag, digest) = split_image(image);
        if digest.is_some() {
            continue;
        }
        if tag.is_none_or(|t| t.is_empty() || t == "latest") {
            e.find(
                c.path.key("image"),
                tag.is_some(),
                format!(
                    "container {:?} uses image {image:?} without a fixed tag",
                    c.name
                ),
                vec![],
                "pin a version tag or a digest",
            );
        }
    }
}

fn c_image_digest(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for (c, image) in images(p) {
        if split_image(image).2.is_none() {
            e.find(
                c.path.key("image"),
                false,
                format!("container {:?} image {image:?} has no digest", c.name),
                vec![],
                "pin image@sha256:<digest>",
            );
        }
    }
}

fn c_pull_policy(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let Some(p) = pod(ctx) else { return };
    for (c, image) in images(p) {
        let policy = c.node.get("imagePullPolicy").and_then(Node::as_str);
        let (_, tag, digest) = split_image(image);
        // API server default: Always for latest or no tag (without digest), else IfNotPresent.
        let defaulted_always = digest.is_none() && tag.is_none_or(|t| t == "latest");
        let effective = policy.unwrap_or(if defaulted_always {
            "Always"
        } else {
            "IfNotPresent"
        });
        if effective != "Always" {
            let path = c.path.key("imagePullPolicy");
            e.find(
                path.clone(),
                policy.is_some(),
                format!("container {:?} pulls with policy {effective}", c.name),
                vec![Edit::Set(path, json!("Always"))],
                "",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Resources

fn resource<'a>(c: &'a Container<'_>, class: &str, name: &str) -> Option<&'a Node> {
    c.node
        .get("resources")
        .and_then(|r| r.get(class))
        .and_then(|m| m.get(name))
        .filter(|v| !v.is_null())
}

fn resource_missing(
    ctx: &Ctx<'_>,
    e: &mut Emit<'_>,
    class: &str,
    name: &str,
    default: &str,
    evidence: &'static str,
) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        if resource(c, class, name).is_some() {
            e.evidence(evidence);
            continue;
        }
        let path = c.path.key("resources").key(class).key(name);
        e.find(
            path.clone(),
            false,
            format!(
                "container {:?} has no {name} {}",
                c.name,
                class.trim_end_matches('s')
            ),
            vec![Edit::Set(path, json!(default))],
            "the value written by --fix is a placeholder: size it to the workload",
        );
    }
}

fn c_cpu_limit(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    resource_missing(ctx, e, "limits", "cpu", "500m", "limits.cpu");
}

fn c_mem_limit(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    resource_missing(ctx, e, "limits", "memory", "512Mi", "limits.memory");
}

fn c_cpu_request(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    resource_missing(ctx, e, "requests", "cpu", "100m", "requests.cpu");
}

fn c_mem_request(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    resource_missing(ctx, e, "requests", "memory", "128Mi", "requests.memory");
}

fn c_ephemeral_limit(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    resource_missing(
        ctx,
        e,
        "limits",
        "ephemeral-storage",
        "1Gi",
        "limits.ephemeral-storage",
    );
}

fn requests_eq_limits(ctx: &Ctx<'_>, e: &mut Emit<'_>, name: &str) {
    let Some(p) = pod(ctx) else { return };
    for c in p.workload_containers() {
        let req = resource(c, "requests", name).and_then(Node::scalar_text);
        let lim = resource(c, "limits", name).and_then(Node::scalar_text);
        let ok = match (&req, &lim) {
            (Some(r), Some(l)) => quantity::equal(r, l),
            // Requests default to limits when only limits are written.
            (None, Some(_)) => true,
            _ => false,
        };
        if !ok {
            let path = c.path.key("resources").key("requests").key(name);
            let fix = match &lim {
                Some(l) => vec![Edit::Set(path.clone(), json!(l))],
                None => vec![],
            };
            e.find(
                path,
                req.is_some(),
                format!(
                    "container {:?}: {name} request {:?} differs from limit {:?}",
                    c.name,
                    req.unwrap_or_default(),
                    lim.unwrap_or_default()
                ),
                fix,
                "set a limit equal to the request",
            );
        }
    }
}

fn c_cpu_eq(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    requests_eq_limits(ctx, e, "cpu");
}

fn c_mem_eq(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    requests_eq_limits(ctx, e, "memory");
}

fn c_eph_eq(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    requests_eq_limits(ctx, e, "ephemeral-storage");
}

// ---------------------------------------------------------------------------------------
// RBAC

/// Names of RBAC objects managed by Kubernetes itself or the cloud platform; their rights
/// are not the user's choice.
pub const PLATFORM_RBAC_PREFIXES: &[&str] = &["system:", "gce:", "eks:", "aks:"];

fn platform_managed(name: &str) -> bool {
    PLATFORM_RBAC_PREFIXES.iter().any(|p| name.starts_with(p))
}

fn strs(n: Option<&Node>) -> Vec<&str> {
    n.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

fn rules<'a>(ctx: &'a Ctx<'a>) -> &'a [Node] {
    ctx.obj
        .node
        .get("rules")
        .map(Node::items)
        .unwrap_or_default()
}

fn c_rbac_wildcard(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    if platform_managed(ctx.obj.name) {
        return;
    }
    for (i, r) in rules(ctx).iter().enumerate() {
        for field in ["verbs", "resources"] {
            if strs(r.get(field)).contains(&"*") {
                e.find(
                    Path::root().key("rules").idx(i).key(field),
                    true,
                    format!("rules[{i}].{field} contains \"*\""),
                    vec![],
                    "list explicit values",
                );
            }
        }
    }
}

const ESCALATION_VERBS: &[&str] = &[
    "get", "list", "watch", "create", "update", "patch", "delete",
];

fn grants_exec(r: &Node) -> Option<&'static str> {
    let groups = strs(r.get("apiGroups"));
    if !(groups.contains(&"") || groups.contains(&"*")) {
        return None;
    }
    let verbs = strs(r.get("verbs"));
    if !verbs.iter().any(|v| matches!(*v, "*" | "create" | "get")) {
        return None;
    }
    let res = strs(r.get("resources"));
    if res
        .iter()
        .any(|x| matches!(*x, "*" | "pods/*" | "pods/exec"))
    {
        Some("pods/exec")
    } else if res.contains(&"pods/attach") {
        Some("pods/attach")
    } else {
        None
    }
}

fn c_rbac_exec(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    if platform_managed(ctx.obj.name) {
        return;
    }
    for (i, r) in rules(ctx).iter().enumerate() {
        if let Some(what) = grants_exec(r) {
            e.find(
                Path::root().key("rules").idx(i),
                true,
                format!("rules[{i}] grants {what}"),
                vec![],
                "remove pods/exec and pods/attach",
            );
        }
    }
}

/// True when rules grant every verb on every resource of every group.
fn admin_equivalent(rules: &Node) -> bool {
    rules.items().iter().any(|r| {
        let g = strs(r.get("apiGroups"));
        let res = strs(r.get("resources"));
        let v = strs(r.get("verbs"));
        g.contains(&"*")
            && res.contains(&"*")
            && (v.contains(&"*") || ESCALATION_VERBS.iter().all(|x| v.contains(x)))
    })
}

fn c_rbac_admin_binding(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    let o = ctx.obj;
    if platform_managed(o.name) {
        return;
    }
    let Some(rr) = o.node.get("roleRef") else {
        return;
    };
    let kind = rr.get("kind").and_then(Node::as_str).unwrap_or("");
    let name = rr.get("name").and_then(Node::as_str).unwrap_or("");
    let ns = if kind == "Role" { o.namespace } else { "" };
    let admin = (kind == "ClusterRole" && name == "cluster-admin")
        || ctx
            .index
            .roles
            .get(&(kind.to_string(), ns.to_string(), name.to_string()))
            .is_some_and(|r| admin_equivalent(r));
    if admin {
        e.find(
            Path::parse("roleRef.name"),
            true,
            format!("binds {kind} {name:?}, which grants every verb on every resource"),
            vec![],
            "bind a least-privilege role",
        );
    }
}

fn c_rbac_anonymous(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    for (i, s) in ctx
        .obj
        .node
        .get("subjects")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let name = s.get("name").and_then(Node::as_str).unwrap_or("");
        if name == "system:anonymous" || name == "system:unauthenticated" {
            e.find(
                Path::root().key("subjects").idx(i),
                true,
                format!("binds {name}"),
                vec![Edit::Remove(Path::root().key("subjects").idx(i))],
                "",
            );
        }
    }
}

fn c_nodeport(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    if ctx
        .obj
        .node
        .get("spec")
        .and_then(|s| s.get("type"))
        .and_then(Node::as_str)
        == Some("NodePort")
    {
        let path = Path::parse("spec.type");
        e.find(
            path.clone(),
            true,
            "service type is NodePort".into(),
            vec![Edit::Set(path, json!("ClusterIP"))],
            "expose through an Ingress or a LoadBalancer",
        );
    }
}

fn c_sensitive_configmap(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    for field in ["data", "binaryData"] {
        for entry in ctx
            .obj
            .node
            .get(field)
            .map(Node::entries)
            .unwrap_or_default()
        {
            let v = entry.value.scalar_text().unwrap_or_default();
            if sensitive_key(&entry.key) || sensitive_value(&v) {
                e.find(
                    Path::root().key(field).key(&entry.key),
                    true,
                    format!("{field} key {:?} holds a credential", entry.key),
                    vec![],
                    "move it to a Secret",
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// kube-apiserver

/// The kube-apiserver container of a pod: (container, list key holding the flags).
pub fn apiserver_container<'a>(p: &'a PodSpec<'a>) -> Option<&'a Container<'a>> {
    p.containers.iter().find(|c| {
        strs(c.node.get("command"))
            .iter()
            .chain(strs(c.node.get("args")).iter())
            .take(2)
            .any(|a| a.rsplit('/').next().is_some_and(|b| b == "kube-apiserver"))
    })
}

/// `--flag=value` / `--flag value` in command then args: (value, path of the item).
fn flag(c: &Container<'_>, name: &str) -> Option<(Option<String>, Path)> {
    let long = format!("--{name}");
    for list in ["command", "args"] {
        let items = c.node.get(list).map(Node::items).unwrap_or_default();
        for (i, item) in items.iter().enumerate() {
            let Some(s) = item.as_str() else { continue };
            let s = s.trim();
            if let Some(v) = s.strip_prefix(&long) {
                if let Some(v) = v.strip_prefix('=') {
                    return Some((Some(v.to_string()), c.path.key(list).idx(i)));
                }
                if v.is_empty() {
                    let next = items.get(i + 1).and_then(Node::scalar_text);
                    return Some((next, c.path.key(list).idx(i)));
                }
            }
        }
    }
    None
}

fn flag_list(c: &Container<'_>) -> Path {
    if c.node
        .get("args")
        .is_some_and(|a| a.is_seq() && !a.items().is_empty())
        && c.node.get("command").is_none_or(|x| x.items().len() <= 1)
    {
        c.path.key("args")
    } else {
        c.path.key("command")
    }
}

fn audit_flag_set(
    ctx: &Ctx<'_>,
    e: &mut Emit<'_>,
    name: &str,
    default_value: &str,
    alt: Option<&str>,
) {
    let Some(p) = pod(ctx) else { return };
    let Some(c) = apiserver_container(p) else {
        return;
    };
    let present = flag(c, name).is_some_and(|(v, _)| v.is_some_and(|v| !v.is_empty()));
    let alt_present = alt.is_some_and(|a| flag(c, a).is_some());
    if !present && !alt_present {
        e.find(
            flag_list(c),
            false,
            format!("kube-apiserver has no --{name}"),
            vec![Edit::Append(
                flag_list(c),
                json!(format!("--{name}={default_value}")),
            )],
            "mount the file/directory into the static pod as well",
        );
    }
}

fn audit_flag_min(ctx: &Ctx<'_>, e: &mut Emit<'_>, name: &str, min: i64) {
    let Some(p) = pod(ctx) else { return };
    let Some(c) = apiserver_container(p) else {
        return;
    };
    let want = format!("--{name}={min}");
    match flag(c, name) {
        Some((v, path)) => {
            let n = v.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
            if n.is_none_or(|n| n < min) {
                e.find(
                    path.clone(),
                    true,
                    format!(
                        "kube-apiserver --{name}={} (< {min})",
                        v.unwrap_or_default()
                    ),
                    vec![Edit::Set(path, json!(want))],
                    "",
                );
            }
        }
        None => {
            e.find(
                flag_list(c),
                false,
                format!("kube-apiserver has no --{name} (default 0)"),
                vec![Edit::Append(flag_list(c), json!(want))],
                "",
            );
        }
    }
}

fn c_audit_policy(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    audit_flag_set(
        ctx,
        e,
        "audit-policy-file",
        "/etc/kubernetes/audit-policy.yaml",
        None,
    );
}

fn c_audit_path(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    audit_flag_set(
        ctx,
        e,
        "audit-log-path",
        "/var/log/kubernetes/audit/audit.log",
        Some("audit-webhook-config-file"),
    );
}

fn c_audit_maxage(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    audit_flag_min(ctx, e, "audit-log-maxage", 30);
}

fn c_audit_maxbackup(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    audit_flag_min(ctx, e, "audit-log-maxbackup", 10);
}

fn c_audit_maxsize(ctx: &Ctx<'_>, e: &mut Emit<'_>) {
    audit_flag_min(ctx, e, "audit-log-maxsize", 100);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_split() {
        assert_eq!(split_image("nginx"), ("nginx", None, None));
        assert_eq!(
            split_image("reg:5000/a/b:1.2"),
            ("reg:5000/a/b", Some("1.2"), None)
        );
        assert_eq!(split_image("a@sha256:abc"), ("a", None, Some("sha256:abc")));
        assert_eq!(split_image("reg:5000/a"), ("reg:5000/a", None, None));
    }

    #[test]
    fn sensitive_names() {
        for k in [
            "password",
            "my_password",
            "AWS_SECRET_ACCESS_KEY",
            "AZURE_BATCH_KEY",
            "db_password",
            "API_TOKEN",
        ] {
            assert!(sensitive_key(k), "{k}");
        }
        for k in [
            "user_name",
            "db_user",
            "message",
            "CACHE_KEY_PREFIX",
            "a_key",
            "ssh_access",
        ] {
            assert!(!sensitive_key(k), "{k}");
        }
        assert!(sensitive_value("---BEGIN OPENSSH PRIVATE KEY---"));
        assert!(sensitive_value("id AKIAIOSFODNN7EXAMPLE"));
    }

    #[test]
    fn ids_unique_and_documented() {
        for (i, c) in CHECKS.iter().enumerate() {
            assert!(
                CHECKS[i + 1..].iter().all(|d| d.id != c.id),
                "duplicate {}",
                c.id
            );
            assert!(!c.rationale.is_empty() && !c.fix.is_empty());
        }
    }
}
