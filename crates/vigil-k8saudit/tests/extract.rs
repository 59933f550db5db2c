//! Field extraction on audit events: every catalogue field on a rich event, Falco's
//! semantics, the documented corrections, and Secret redaction.

use vigil_event::{Extract, FieldSchema, Value};
use vigil_k8saudit::{AuditEvent, K8S_AUDIT_SCHEMA, REDACTED, parse_events};

/// The values of `name[arg]` as strings (numbers and bools rendered), or None.
fn vals(ev: &AuditEvent, name: &str, arg: Option<&str>) -> Option<Vec<String>> {
    let r = K8S_AUDIT_SCHEMA
        .resolve(name, arg)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    ev.extract(&r).map(|vs| {
        vs.iter()
            .map(|v| match v {
                Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                Value::UInt(n) => n.to_string(),
                Value::Int(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => format!("{other:?}"),
            })
            .collect()
    })
}

fn one(ev: &AuditEvent, name: &str) -> Option<String> {
    vals(ev, name, None).map(|v| v.join(","))
}

const POD: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse",
 "auditID":"id-1","stage":"ResponseComplete",
 "requestURI":"/api/v1/namespaces/ns1/pods?dryRun=All&fieldManager=kubectl%2Dclient&x=a+b",
 "verb":"create",
 "user":{"username":"alice","groups":["devs","system:authenticated"]},
 "impersonatedUser":{"username":"bob"},
 "sourceIPs":["10.0.0.1","192.168.1.7"],
 "userAgent":"kubectl/v1.28.0",
 "objectRef":{"resource":"pods","namespace":"ns1","apiVersion":"v1"},
 "responseStatus":{"metadata":{},"code":201},
 "annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: ok",
   "pod-security.kubernetes.io/audit-violations":"privileged","cluster_name":"prod"},
 "requestObject":{"kind":"Pod","spec":{
   "hostNetwork":true,"hostPID":false,"hostIPC":true,
   "securityContext":{"runAsUser":1000,"runAsGroup":3000,"fsGroup":2000,"supplementalGroups":[4000,5000]},
   "containers":[
     {"name":"web","image":"registry.local:5000/team/web:1.2@sha256:abc","command":["nginx","-g","daemon off;"],
      "args":["--port","8080"],
      "ports":[{"containerPort":80},{"containerPort":443,"hostPort":8443}],
      "securityContext":{"privileged":true,"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,
        "runAsUser":0,"procMount":"Unmasked","capabilities":{"add":["NET_ADMIN","SYS_TIME"]}}},
     {"name":"side","image":"busybox"}],
   "initContainers":[{"name":"init","image":"alpine:3.19","securityContext":{"privileged":true,"runAsGroup":7}}],
   "ephemeralContainers":[{"name":"dbg","image":"nicolaka/netshoot"}],
   "volumes":[{"name":"root","hostPath":{"path":"/proc/sys","type":""}},
              {"name":"flex","flexVolume":{"driver":"acme/nfs"}},
              {"name":"cfg","configMap":{"name":"c"}}]}},
 "responseObject":{"kind":"Pod","metadata":{"name":"web-abc12"}},
 "requestReceivedTimestamp":"2024-05-01T10:00:00.000000Z",
 "stageTimestamp":"2024-05-01T10:00:00.123456Z"}"#;

fn pod() -> AuditEvent {
    let mut evs: Vec<_> = parse_events(POD.replace('\n', "").as_bytes()).collect();
    evs.remove(0).expect("pod event parses")
}

#[test]
fn event_fields() {
    let ev = pod();
    assert_eq!(one(&ev, "ka.auditid").as_deref(), Some("id-1"));
    assert_eq!(one(&ev, "ka.stage").as_deref(), Some("ResponseComplete"));
    assert_eq!(one(&ev, "ka.auth.decision").as_deref(), Some("allow"));
    assert_eq!(one(&ev, "ka.auth.reason").as_deref(), Some("RBAC: ok"));
    assert_eq!(
        one(&ev, "ka.security.pod.violations").as_deref(),
        Some("privileged")
    );
    assert_eq!(one(&ev, "ka.auth.openshift.decision"), None);
    assert_eq!(one(&ev, "ka.cluster.name").as_deref(), Some("prod"));
    assert_eq!(one(&ev, "ka.user.name").as_deref(), Some("alice"));
    assert_eq!(
        vals(&ev, "ka.user.groups", None),
        Some(vec!["devs".into(), "system:authenticated".into()])
    );
    assert_eq!(one(&ev, "ka.impuser.name").as_deref(), Some("bob"));
    assert_eq!(one(&ev, "ka.verb").as_deref(), Some("create"));
    assert!(one(&ev, "ka.uri").is_some_and(|u| u.starts_with("/api/v1/")));
    assert_eq!(
        vals(&ev, "ka.uri.param", Some("fieldManager")),
        Some(vec!["kubectl-client".into()])
    );
    assert_eq!(
        vals(&ev, "ka.uri.param", Some("x")),
        Some(vec!["a b".into()])
    );
    assert_eq!(vals(&ev, "ka.uri.param", Some("nope")), None);
    assert_eq!(one(&ev, "ka.target.resource").as_deref(), Some("pods"));
    assert_eq!(one(&ev, "ka.target.namespace").as_deref(), Some("ns1"));
    assert_eq!(one(&ev, "ka.target.name"), None);
    assert_eq!(one(&ev, "ka.target.subresource"), None);
    assert_eq!(one(&ev, "ka.target.pod.name").as_deref(), Some("web-abc12"));
    assert_eq!(one(&ev, "ka.resp.name").as_deref(), Some("web-abc12"));
    assert_eq!(one(&ev, "ka.response.code").as_deref(), Some("201"));
    assert_eq!(one(&ev, "ka.response.reason"), None);
    assert_eq!(one(&ev, "ka.useragent").as_deref(), Some("kubectl/v1.28.0"));
    // Fixed: the event's sourceIPs (Falco reads requestObject.rules[].sourceIPs).
    assert_eq!(
        vals(&ev, "ka.sourceips", None),
        Some(vec!["10.0.0.1".into(), "192.168.1.7".into()])
    );
    assert_eq!(
        vals(&ev, "ka.sourceips", Some("1")),
        Some(vec!["192.168.1.7".into()])
    );
}

#[test]
fn pod_fields() {
    let ev = pod();
    let v = |n: &str| vals(&ev, n, None).unwrap_or_default().join("|");
    assert_eq!(v("ka.req.pod.containers.name"), "web|side");
    assert_eq!(
        v("ka.req.pod.containers.image"),
        "registry.local:5000/team/web:1.2@sha256:abc|busybox"
    );
    // Fixed: a registry port is not a tag.
    assert_eq!(
        v("ka.req.pod.containers.image.repository"),
        "registry.local:5000/team/web|busybox"
    );
    assert_eq!(
        vals(&ev, "ka.req.pod.containers.image", Some("1")),
        Some(vec!["busybox".into()])
    );
    assert_eq!(vals(&ev, "ka.req.pod.containers.image", Some("5")), None);
    assert_eq!(
        v("ka.req.container.image"),
        "registry.local:5000/team/web:1.2@sha256:abc"
    );
    assert_eq!(
        v("ka.req.container.image.repository"),
        "registry.local:5000/team/web"
    );
    assert_eq!(v("ka.req.pod.containers.command"), "nginx -g daemon off;");
    assert_eq!(v("ka.req.pod.containers.args"), "--port 8080");
    // Containers without the setting are skipped, as in Falco.
    assert_eq!(v("ka.req.pod.containers.privileged"), "true");
    assert_eq!(
        v("ka.req.pod.containers.allow_privilege_escalation"),
        "false"
    );
    assert_eq!(v("ka.req.pod.containers.read_only_fs"), "true");
    assert_eq!(v("ka.req.pod.containers.run_as_user"), "0");
    assert_eq!(v("ka.req.pod.containers.proc_mount"), "Unmasked");
    assert_eq!(
        v("ka.req.pod.containers.add_capabilities"),
        "NET_ADMIN|SYS_TIME"
    );
    // Fixed: the pod securityContext is the fallback.
    assert_eq!(v("ka.req.pod.containers.eff_run_as_user"), "0|1000");
    assert_eq!(v("ka.req.pod.containers.eff_run_as_group"), "3000|3000");
    assert_eq!(v("ka.req.pod.initContainers.eff_run_as_group"), "7");
    // hostNetwork: containerPort counts as a host port.
    assert_eq!(v("ka.req.pod.containers.host_port"), "80|8443");
    assert_eq!(v("ka.req.container.privileged"), "true");
    assert_eq!(v("ka.req.pod.initContainers.name"), "init");
    assert_eq!(v("ka.req.pod.initContainers.image.repository"), "alpine");
    assert_eq!(v("ka.req.pod.initContainers.privileged"), "true");
    assert_eq!(
        v("ka.req.pod.ephemeralContainers.image"),
        "nicolaka/netshoot"
    );
    assert_eq!(
        vals(&ev, "ka.req.pod.ephemeralContainers.privileged", None),
        None
    );
    assert_eq!(v("ka.req.pod.host_network"), "true");
    assert_eq!(v("ka.req.container.host_network"), "true");
    assert_eq!(v("ka.req.pod.host_pid"), "false");
    assert_eq!(v("ka.req.pod.host_ipc"), "true");
    assert_eq!(v("ka.req.pod.run_as_user"), "1000");
    assert_eq!(v("ka.req.pod.run_as_group"), "3000");
    assert_eq!(v("ka.req.pod.fs_group"), "2000");
    assert_eq!(v("ka.req.pod.supplemental_groups"), "4000|5000");
    assert_eq!(v("ka.req.pod.volumes.hostpath"), "/proc/sys");
    assert_eq!(v("ka.req.pod.volumes.flexvolume_driver"), "acme/nfs");
    assert_eq!(
        v("ka.req.pod.volumes.volume_type"),
        "hostPath|flexVolume|configMap"
    );
    assert_eq!(
        vals(&ev, "ka.req.volume.hostpath", Some("/proc*")),
        Some(vec!["true".into()])
    );
    assert_eq!(
        vals(&ev, "ka.req.volume.hostpath", Some("/proc")),
        Some(vec!["false".into()])
    );
    assert_eq!(
        vals(&ev, "ka.req.volume.hostpath", Some("/proc/sys")),
        Some(vec!["true".into()])
    );
    // Not a service / role / binding.
    for f in [
        "ka.req.service.type",
        "ka.req.service.ports",
        "ka.req.role.rules",
        "ka.req.role.rules.verbs",
        "ka.req.binding.subjects",
        "ka.req.binding.role",
        "ka.req.configmap.obj",
    ] {
        assert_eq!(vals(&ev, f, None), None, "{f}");
    }
}

#[test]
fn generic_and_json_fields() {
    let ev = pod();
    let v = |n: &str| one(&ev, n).unwrap_or_default();
    assert_eq!(v("evt.num"), "1");
    assert_eq!(v("evt.rawtime"), "1714557600123456000");
    assert_eq!(v("evt.rawtime.s"), "1714557600");
    assert_eq!(v("evt.rawtime.ns"), "123456000");
    assert_eq!(v("evt.reltime"), "0");
    assert_eq!(v("evt.time"), "10:00:00.123456000");
    assert_eq!(v("evt.time.s"), "10:00:00");
    assert_eq!(v("evt.time.iso8601"), "2024-05-01T10:00:00.123456000Z");
    assert_eq!(v("evt.datetime"), "2024-05-01 10:00:00.123456000");
    assert_eq!(v("evt.datetime.s"), "2024-05-01 10:00:00");
    assert_eq!(v("evt.source"), "k8s_audit");
    assert_eq!(v("evt.pluginname"), "k8saudit");
    assert_eq!(v("evt.is_async"), "false");
    assert!(v("evt.plugininfo").contains("create pods"));
    assert_eq!(one(&ev, "evt.asynctype"), None);
    assert_eq!(v("jevt.rawtime"), "1714557600123456000");
    assert_eq!(v("json.rawtime"), "1714557600123456000");
    let j = |p: &str| vals(&ev, "jevt.value", Some(p)).map(|v| v.join(","));
    assert_eq!(j("/stage").as_deref(), Some("ResponseComplete"));
    assert_eq!(
        j("/annotations/authorization.k8s.io~1decision").as_deref(),
        Some("allow")
    );
    assert_eq!(j("/a~1~0b"), None);
    assert_eq!(j("/responseStatus/code").as_deref(), Some("201"));
    assert_eq!(
        j("/requestObject/spec/containers/1/image").as_deref(),
        Some("busybox")
    );
    assert_eq!(
        j("/user/groups").as_deref(),
        Some(r#"["devs","system:authenticated"]"#)
    );
    assert_eq!(
        vals(&ev, "json.value", Some("/verb")),
        Some(vec!["create".into()])
    );
    assert!(v("jevt.obj").starts_with("{\n  \""));
    assert_eq!(v("json.obj"), v("jevt.obj"));
}

#[test]
fn rbac_service_configmap_fields() {
    let line = |body: &str| -> AuditEvent {
        let text = format!(
            r#"{{"kind":"Event","auditID":"x","verb":"create","stage":"ResponseComplete",{body}}}"#
        );
        parse_events(text.as_bytes())
            .next()
            .and_then(Result::ok)
            .expect("event")
    };
    let rb = line(
        r#""objectRef":{"resource":"clusterrolebindings","name":"b"},
        "requestObject":{"roleRef":{"kind":"ClusterRole","name":"cluster-admin"},"subjects":[
          {"kind":"User","name":"u1"},{"kind":"Group","name":"g1"},
          {"kind":"ServiceAccount","name":"sa1","namespace":"kube-system"}]}"#,
    );
    let v = |ev: &AuditEvent, n: &str| vals(ev, n, None).unwrap_or_default().join("|");
    assert_eq!(v(&rb, "ka.req.binding.role"), "cluster-admin");
    assert_eq!(v(&rb, "ka.req.binding.subjects.user_names"), "u1");
    assert_eq!(v(&rb, "ka.req.binding.subjects.group_names"), "g1");
    assert_eq!(
        v(&rb, "ka.req.binding.subjects.serviceaccount_names"),
        "sa1"
    );
    assert_eq!(
        v(&rb, "ka.req.binding.subjects.serviceaccount_ns_names"),
        "kube-system:sa1"
    );
    assert_eq!(
        vals(&rb, "ka.req.binding.subjects", None).map(|v| v.len()),
        Some(3)
    );
    assert_eq!(
        vals(&rb, "ka.req.binding.subject.has_name", Some("x")),
        Some(vec!["true".into()])
    );
    assert_eq!(v(&rb, "ka.target.name"), "b");
    assert_eq!(vals(&rb, "ka.target.pod.name", None), None);

    let role = line(
        r#""objectRef":{"resource":"clusterroles"},"requestObject":{"rules":[
          {"apiGroups":[""],"resources":["pods","pods/exec"],"verbs":["get","create"]},
          {"nonResourceURLs":["/metrics"],"verbs":["*"]}]}"#,
    );
    assert_eq!(v(&role, "ka.req.role.rules.verbs"), "get|create|*");
    assert_eq!(
        vals(&role, "ka.req.role.rules.verbs", Some("1")),
        Some(vec!["*".into()])
    );
    assert_eq!(v(&role, "ka.req.role.rules.resources"), "pods|pods/exec");
    assert_eq!(v(&role, "ka.req.role.rules.apiGroups"), "");
    assert_eq!(v(&role, "ka.req.role.rules.nonResourceURLs"), "/metrics");
    assert_eq!(
        vals(&role, "ka.req.role.rules", None).map(|v| v.len()),
        Some(2)
    );

    let svc = line(
        r#""objectRef":{"resource":"services"},"requestObject":{"spec":{"type":"NodePort",
          "ports":[{"port":80,"nodePort":30080}]}}"#,
    );
    assert_eq!(v(&svc, "ka.req.service.type"), "NodePort");
    assert_eq!(
        v(&svc, "ka.req.service.ports"),
        r#"{"nodePort":30080,"port":80}"#
    );

    let cm = line(
        r#""objectRef":{"resource":"configmaps","name":"cfg"},"requestObject":{"kind":"ConfigMap","data":{"aws_secret":"x"}}"#,
    );
    assert_eq!(v(&cm, "ka.req.configmap.name"), "cfg");
    assert_eq!(v(&cm, "ka.req.configmap.obj"), r#"{"aws_secret":"x"}"#);

    let exec = line(
        r#""requestURI":"/api/v1/namespaces/d/pods/p/exec?command=cat&command=%2Fvar%2Frun%2Fsecrets&stdin=true",
           "objectRef":{"resource":"pods","subresource":"exec","name":"p","namespace":"d"}"#,
    );
    assert_eq!(
        vals(&exec, "ka.uri.param", Some("command")),
        Some(vec!["cat".into()])
    );
    assert_eq!(v(&exec, "ka.target.pod.name"), "p");
    assert_eq!(v(&exec, "ka.target.subresource"), "exec");
}

#[test]
fn secret_values_never_extracted() {
    let text = r#"{"kind":"Event","auditID":"s","verb":"create","stage":"ResponseComplete","objectRef":{"resource":"secrets","name":"db"},"requestObject":{"kind":"Secret","metadata":{"name":"db"},"data":{"password":"c3VwZXJzZWNyZXQ="},"stringData":{"token":"plain-token"}},"responseObject":{"kind":"Secret","data":{"password":"c3VwZXJzZWNyZXQ="}}}"#;
    let ev = parse_events(text.as_bytes())
        .next()
        .and_then(Result::ok)
        .expect("secret event");
    for f in K8S_AUDIT_SCHEMA.fields() {
        let arg = match f.arg {
            vigil_event::ArgKind::None | vigil_event::ArgKind::Index => None,
            _ => Some("/requestObject/data"),
        };
        let Ok(r) = K8S_AUDIT_SCHEMA.resolve(f.name, arg) else {
            continue;
        };
        for v in ev.extract(&r).unwrap_or_default() {
            if let Value::Bytes(b) = v {
                let s = String::from_utf8_lossy(&b);
                assert!(
                    !s.contains("c3VwZXJzZWNyZXQ") && !s.contains("plain-token"),
                    "{} leaks: {s}",
                    f.name
                );
            }
        }
    }
    assert_eq!(
        vals(&ev, "jevt.value", Some("/requestObject/data/password")),
        Some(vec![REDACTED.into()])
    );
    assert_eq!(
        vals(&ev, "ka.req.configmap.obj", None),
        Some(vec![format!(r#"{{"password":"{REDACTED}"}}"#)])
    );
}

#[test]
fn every_field_is_implemented() {
    // Each catalogue field yields a value on at least one of these events.
    let ev = pod();
    let rb = parse_events(
        br#"{"kind":"Event","auditID":"x","verb":"create","objectRef":{"resource":"configmaps","name":"c"},"requestObject":{"data":{"a":"b"},"roleRef":{"name":"r"},"subjects":[{"kind":"User","name":"u"},{"kind":"Group","name":"g"},{"kind":"ServiceAccount","name":"s","namespace":"n"}],"rules":[{"apiGroups":["x"],"nonResourceURLs":["/y"],"verbs":["get"],"resources":["pods"]}],"spec":{"type":"NodePort","ports":[{"port":1}]}},"responseStatus":{"code":403,"reason":"Forbidden"},"annotations":{"authentication.openshift.io/decision":"allow","authentication.openshift.io/username":"o","validation.policy.admission.k8s.io/validation_failure":"f"}}"#,
    )
    .next()
    .and_then(Result::ok)
    .expect("event");
    // The pod with every container list a copy of the full first container.
    let mut full: serde_json::Value =
        serde_json::from_str(&POD.replace('\n', "")).expect("POD is JSON");
    let spec = &mut full["requestObject"]["spec"];
    spec["containers"][0]["securityContext"]["runAsGroup"] = 1.into();
    let ctrs = spec["containers"].clone();
    spec["initContainers"] = ctrs.clone();
    spec["ephemeralContainers"] = ctrs;
    full["objectRef"]["subresource"] = "status".into();
    let full = AuditEvent::from_value(full).expect("full pod");
    let mut missing = Vec::new();
    for f in K8S_AUDIT_SCHEMA.fields() {
        if f.name == "evt.asynctype" {
            continue; // audit events are never asynchronous
        }
        let arg = match (f.name, f.arg) {
            ("ka.uri.param", _) => Some("dryRun"),
            ("ka.req.volume.hostpath", _) => Some("/proc*"),
            (_, vigil_event::ArgKind::Key) => Some("/verb"),
            _ => None,
        };
        let found = [&ev, &rb, &full]
            .iter()
            .any(|e| vals(e, f.name, arg).is_some());
        if !found {
            missing.push(f.name);
        }
    }
    assert!(missing.is_empty(), "no value for {missing:?}");
}
