//! `vigil check` throughput: manifests per second over a folder of generated manifests
//! (read + parse + all default checks). `VIGIL_BENCH_MANIFESTS` sets the count (default 3000);
//! `VIGIL_BENCH_DIR` keeps the folder at that path (to run other tools on the same files).

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vigil_manifest::{Options, check, read_inputs};

/// One manifest; `i` varies kind and settings so every check has work to do.
fn manifest(i: usize) -> String {
    let bit = |b: usize| (i >> b) & 1 == 1;
    let image = match i % 4 {
        0 => "nginx".to_string(),
        1 => "nginx:latest".to_string(),
        2 => format!("registry.example.com:5000/team/app:{}.{}", i % 7, i % 13),
        _ => "busybox@sha256:7c4a8f7bf1d3a5b7c1a9e4f0f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5"
            .to_string(),
    };
    let sc = format!(
        "          securityContext:\n            readOnlyRootFilesystem: {}\n            allowPrivilegeEscalation: {}\n            privileged: {}\n            runAsNonRoot: {}\n            runAsUser: {}\n            capabilities:\n              drop: [{}]\n              add: [{}]\n            seccompProfile:\n              type: {}\n",
        bit(0),
        bit(1),
        i.is_multiple_of(17),
        bit(2),
        if bit(3) { 10001 } else { 0 },
        if bit(4) { "ALL" } else { "NET_RAW" },
        if i.is_multiple_of(11) {
            "SYS_ADMIN"
        } else {
            "NET_BIND_SERVICE"
        },
        if bit(5) {
            "RuntimeDefault"
        } else {
            "Unconfined"
        },
    );
    let container = format!(
        "        - name: app-{i}\n          image: {image}\n          imagePullPolicy: {}\n          ports:\n            - containerPort: 8080\n{}          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: DB_PASSWORD\n              {}\n          resources:\n            requests: {{cpu: 100m, memory: 128Mi}}\n{}          volumeMounts:\n            - name: data\n              mountPath: /data\n              readOnly: {}\n            - name: tmp\n              mountPath: /tmp\n{sc}",
        if bit(6) { "Always" } else { "IfNotPresent" },
        if i.is_multiple_of(9) {
            "              hostPort: 8080\n"
        } else {
            ""
        },
        if bit(7) {
            "valueFrom: {secretKeyRef: {name: db, key: password}}"
        } else {
            "value: hunter2"
        },
        if bit(8) {
            "            limits: {cpu: 500m, memory: 512Mi}\n"
        } else {
            ""
        },
        bit(9),
    );
    let pod_spec = format!(
        "      hostNetwork: {}\n      hostPID: {}\n      automountServiceAccountToken: {}\n      serviceAccountName: app\n      containers:\n{container}      volumes:\n        - name: data\n          {}\n        - name: tmp\n          emptyDir: {{}}\n",
        i.is_multiple_of(23),
        i.is_multiple_of(29),
        bit(10),
        if i.is_multiple_of(13) {
            "hostPath: {path: /var/run/docker.sock}"
        } else {
            "persistentVolumeClaim: {claimName: data}"
        },
    );
    // pod_spec is written for `spec.template.spec` (6 spaces); shift it for other kinds.
    let shift = |s: &str, add: usize, remove: usize| {
        s.lines()
            .map(|l| format!("{}{}\n", " ".repeat(add), &l[remove.min(l.len())..]))
            .collect::<String>()
    };
    let meta = format!(
        "metadata:\n  name: app-{i}\n  namespace: ns-{}\n  labels: {{app: app-{i}}}\n",
        i % 10
    );
    match i % 8 {
        0 => format!(
            "apiVersion: v1\nkind: Pod\n{meta}spec:\n{}",
            shift(&pod_spec, 0, 4)
        ),
        1..=3 => {
            let kind = ["Deployment", "StatefulSet", "DaemonSet"][i % 8 - 1];
            format!(
                "apiVersion: apps/v1\nkind: {kind}\n{meta}spec:\n  selector: {{matchLabels: {{app: app-{i}}}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}}}\n    spec:\n{}",
                pod_spec
            )
        }
        4 => format!(
            "apiVersion: batch/v1\nkind: CronJob\n{meta}spec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n{}",
            shift(&pod_spec, 4, 0)
        ),
        5 => format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: role-{i}}}\nrules:\n  - apiGroups: [\"\"]\n    resources: [pods, pods/exec, {}]\n    verbs: [get, list, {}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: bind-{i}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {}}}\nsubjects:\n  - {{kind: ServiceAccount, name: app, namespace: ns-{}}}\n",
            if bit(3) { "\"*\"" } else { "configmaps" },
            if bit(4) { "create" } else { "watch" },
            if i % 21 == 5 {
                "cluster-admin".to_string()
            } else {
                format!("role-{i}")
            },
            i % 10
        ),
        6 => format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: svc-{i}}}\nspec:\n  type: {}\n  selector: {{app: app-{i}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\ndata:\n  LOG_LEVEL: info\n  {}: xyz\n",
            if bit(3) { "NodePort" } else { "ClusterIP" },
            if bit(4) { "api_token" } else { "greeting" }
        ),
        _ => format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: kube-apiserver-{i}, namespace: kube-system}}\nspec:\n  hostNetwork: true\n  containers:\n    - name: kube-apiserver\n      image: registry.k8s.io/kube-apiserver:v1.31.{}\n      command:\n        - kube-apiserver\n        - --advertise-address=10.0.0.1\n        - --authorization-mode=Node,RBAC\n{}        - --audit-log-maxage={}\n        - --audit-log-maxbackup=10\n      volumeMounts: [{{name: k8s, mountPath: /etc/kubernetes, readOnly: true}}]\n  volumes: [{{name: k8s, hostPath: {{path: /etc/kubernetes}}}}]\n",
            i % 5,
            if bit(3) {
                "        - --audit-policy-file=/etc/kubernetes/audit-policy.yaml\n        - --audit-log-path=/var/log/audit.log\n"
            } else {
                ""
            },
            if bit(4) { 30 } else { 7 }
        ),
    }
}

fn generate(n: usize) -> PathBuf {
    let dir = std::env::var_os("VIGIL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("vigil-manifest-bench-{}", std::process::id()))
        });
    let _ = std::fs::remove_dir_all(&dir);
    for i in 0..n {
        let sub = dir.join(format!("team-{}", i % 20));
        std::fs::create_dir_all(&sub).expect("create bench dir");
        std::fs::write(sub.join(format!("app-{i}.yaml")), manifest(i)).expect("write manifest");
    }
    dir
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("VIGIL_BENCH_MANIFESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let dir = generate(n);
    // Sanity: every generated file parses into objects without errors.
    let (sources, errs) = read_inputs(std::slice::from_ref(&dir));
    let report = check(&sources, &errs, &Options::default());
    assert!(report.errors.is_empty(), "{:?}", report.errors.first());
    assert_eq!(sources.len(), n);
    eprintln!(
        "vigil check bench: {n} files, {} objects, {} findings in {}",
        report.objects.len(),
        report.findings().count(),
        dir.display()
    );
    let mut g = c.benchmark_group("vigil_check");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("read_and_check_folder", |b| {
        b.iter(|| {
            let (sources, errs) = read_inputs(std::slice::from_ref(&dir));
            check(&sources, &errs, &Options::default())
        });
    });
    g.bench_function("check_in_memory", |b| {
        b.iter(|| check(&sources, &[], &Options::default()))
    });
    g.finish();
    if std::env::var_os("VIGIL_BENCH_DIR").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
