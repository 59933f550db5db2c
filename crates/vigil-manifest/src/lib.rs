//! `vigil check`: static immutability and hardening checks of Kubernetes manifests.
//!
//! Input: YAML or JSON files (multi-document, `List` objects, Helm-rendered output). Each
//! object's pod spec is located by kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//! ReplicationController, Job, CronJob, PodTemplate), RBAC objects, Services, ConfigMaps and
//! kube-apiserver static pods get their own checks. Results carry JSON paths and source lines
//! and render as text, JSON or SARIF 2.1.0; `--fix` rewrites the manifests with the edits.
//!
//! Malformed input never panics: a broken document, or an object of the wrong shape, becomes
//! a [`Diagnostic`] with file and line, and every other object is still checked.

pub mod checks;
pub mod compat;
pub mod fix;
pub mod model;
pub mod object;
pub mod path;
pub mod quantity;
pub mod render;
pub mod sarif;
pub mod yaml;

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path as FsPath, PathBuf};

pub use checks::{CHECKS, CheckInfo};
pub use model::{Diagnostic, Finding, ObjectRef, ObjectReport, Report, Severity};

use checks::{Ctx, Index, Scope};
use object::{Obj, PodSpec};

/// Largest input file read (bigger ones are reported, not read).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// One input text.
#[derive(Clone, Debug)]
pub struct Source {
    /// Name as shown in reports (path, or `-`).
    pub name: String,
    /// Contents.
    pub text: String,
}

/// Which checks run.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Run every check, including those off by default.
    pub all_checks: bool,
    /// Also run these (ids).
    pub enable: Vec<String>,
    /// Do not run these (ids).
    pub disable: Vec<String>,
}

impl Options {
    /// Every check.
    pub fn all() -> Options {
        Options {
            all_checks: true,
            ..Options::default()
        }
    }

    /// Unknown ids among `enable`/`disable`.
    pub fn unknown_ids(&self) -> Vec<String> {
        self.enable
            .iter()
            .chain(&self.disable)
            .filter(|id| checks::by_id(id).is_none())
            .cloned()
            .collect()
    }

    fn selected(&self) -> Vec<&'static CheckInfo> {
        CHECKS
            .iter()
            .filter(|c| {
                self.all_checks || c.default_enabled || self.enable.iter().any(|e| e == c.id)
            })
            .filter(|c| !self.disable.iter().any(|d| d == c.id))
            .collect()
    }
}

/// Reads the inputs: files, directories (recursively, `*.yaml`, `*.yml`, `*.json`, sorted)
/// and `-` for standard input. Unreadable inputs become diagnostics in the report later.
pub fn read_inputs(paths: &[PathBuf]) -> (Vec<Source>, Vec<(String, String)>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut text = String::new();
            match std::io::stdin()
                .lock()
                .take(MAX_FILE_BYTES + 1)
                .read_to_string(&mut text)
            {
                Ok(n) if n as u64 > MAX_FILE_BYTES => errors.push(("-".into(), too_big())),
                Ok(_) => sources.push(Source {
                    name: "-".into(),
                    text,
                }),
                Err(e) => errors.push(("-".into(), e.to_string())),
            }
            continue;
        }
        let mut files = Vec::new();
        if p.is_dir() {
            collect_dir(p, &mut files, &mut errors, 0);
            files.sort();
        } else {
            files.push(p.clone());
        }
        for f in files {
            if !seen.insert(f.clone()) {
                continue;
            }
            let name = f.display().to_string();
            match read_file(&f) {
                Ok(text) => sources.push(Source { name, text }),
                Err(e) => errors.push((name, e)),
            }
        }
    }
    (sources, errors)
}

fn too_big() -> String {
    format!("larger than {MAX_FILE_BYTES} bytes; not read")
}

fn read_file(f: &FsPath) -> Result<String, String> {
    let meta = std::fs::metadata(f).map_err(|e| e.to_string())?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let bytes = std::fs::read(f).map_err(|e| e.to_string())?;
    String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}

fn collect_dir(
    dir: &FsPath,
    out: &mut Vec<PathBuf>,
    errors: &mut Vec<(String, String)>,
    depth: usize,
) {
    if depth > 64 {
        errors.push((
            dir.display().to_string(),
            "directory nesting too deep".into(),
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push((dir.display().to_string(), e.to_string()));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            collect_dir(&path, out, errors, depth + 1);
        } else if ft.is_file()
            && path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(path);
        }
    }
}

/// Checks sources (and records read errors given by [`read_inputs`]).
pub fn check(sources: &[Source], read_errors: &[(String, String)], opts: &Options) -> Report {
    let selected = opts.selected();
    let mut report = Report::default();
    // Parse everything first: bindings and pods look at roles and service accounts of the run.
    let parsed: Vec<Vec<yaml::Document>> = sources
        .iter()
        .map(|s| yaml::parse_stream(&s.text))
        .collect();
    let mut objs: Vec<(usize, usize, Obj<'_>)> = Vec::new();
    for (fi, (src, docs)) in sources.iter().zip(&parsed).enumerate() {
        report.files.push(src.name.clone());
        for d in docs {
            match &d.root {
                Err(e) => report.errors.push(Diagnostic {
                    file: fi,
                    line: e.line,
                    col: e.col,
                    message: e.message.clone(),
                }),
                Ok(None) => {}
                Ok(Some(root)) => {
                    let (os, errs) = object::objects_of(root);
                    for (line, message) in errs {
                        report.errors.push(Diagnostic {
                            file: fi,
                            line,
                            col: 0,
                            message,
                        });
                    }
                    objs.extend(os.into_iter().map(|o| (fi, d.index, o)));
                }
            }
        }
    }
    for (name, message) in read_errors {
        report.files.push(name.clone());
        report.errors.push(Diagnostic {
            file: report.files.len() - 1,
            line: 0,
            col: 0,
            message: message.clone(),
        });
    }
    let mut index = Index::default();
    for (_, _, o) in &objs {
        index.add(o);
    }
    for (fi, doc, o) in &objs {
        let mut workload = object::pod_spec_location(o.kind).is_some();
        let pod: Option<PodSpec<'_>> = match object::pod_spec(o) {
            Ok(p) => p,
            Err((line, message)) => {
                workload = false;
                report.errors.push(Diagnostic {
                    file: *fi,
                    line,
                    col: 0,
                    message: format!("{}: {message}", display(o)),
                });
                None
            }
        };
        let ctx = Ctx {
            obj: o,
            pod: pod.as_ref(),
            index: &index,
        };
        let is_apiserver = pod
            .as_ref()
            .is_some_and(|p| checks::apiserver_container(p).is_some());
        let mut rep = ObjectReport {
            object: ObjectRef {
                file: *fi,
                doc: *doc,
                item: o.item,
                line: o.node.line,
                api_version: o.api_version.to_string(),
                kind: o.kind.to_string(),
                name: o.name.to_string(),
                namespace: o.namespace.to_string(),
            },
            applicable: Vec::new(),
            findings: Vec::new(),
            evidence: Vec::new(),
        };
        for c in &selected {
            let applies = match c.scope {
                // A workload whose pod spec is empty is in scope and passes; one whose spec is
                // malformed is reported as an error instead.
                Scope::Pod => workload,
                Scope::ApiServer => is_apiserver,
                Scope::Role => matches!(o.kind, "Role" | "ClusterRole"),
                Scope::Binding => matches!(o.kind, "RoleBinding" | "ClusterRoleBinding"),
                Scope::Service => o.kind == "Service",
                Scope::ConfigMap => o.kind == "ConfigMap",
            };
            if !applies {
                continue;
            }
            rep.applicable.push(c.id);
            let out = c.run(&ctx);
            rep.findings.extend(out.findings);
            for ev in out.evidence {
                if !rep.evidence.contains(&ev) {
                    rep.evidence.push(ev);
                }
            }
        }
        report.objects.push(rep);
    }
    report
}

fn display(o: &Obj<'_>) -> String {
    if o.name.is_empty() {
        o.kind.to_string()
    } else {
        format!("{}/{}", o.kind, o.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Report {
        check(
            &[Source {
                name: "t.yaml".into(),
                text: text.into(),
            }],
            &[],
            &Options::all(),
        )
    }

    #[test]
    fn bad_document_does_not_hide_others() {
        let r = run(
            "kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x:1\n    securityContext: {privileged: true}\n---\nkind: Pod\nspec: [\n---\nkind: Pod\nspec:\n  hostPID: true\n  containers: [{name: b, image: y:1}]\n",
        );
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        assert_eq!(r.errors[0].line, 9);
        let ids: Vec<_> = r.findings().map(|(_, f)| f.check).collect();
        assert!(ids.contains(&"privileged"));
        assert!(ids.contains(&"host-pid"));
        let host_pid = r
            .findings()
            .find(|(_, f)| f.check == "host-pid")
            .map(|(_, f)| f.line);
        assert_eq!(host_pid, Some(13));
    }

    #[test]
    fn never_panics_on_odd_shapes() {
        for t in [
            "kind: Pod\nspec: 3\n",
            "kind: Pod\nspec:\n  containers: [1, 2]\n",
            "kind: Pod\nspec:\n  containers:\n  - securityContext: [1]\n",
            "kind: Deployment\nspec:\n  template: {spec: {containers: [{name: a, securityContext: {capabilities: {add: [1, {a: b}], drop: x}}, volumeMounts: 3, ports: [{hostPort: x}], env: [3]}], volumes: [{name: a, hostPath: 3}]}}\n",
            "kind: ClusterRoleBinding\nroleRef: 3\nsubjects: {a: b}\n",
            "kind: ClusterRole\nrules: [1, {verbs: 3}]\n",
            "- a\n- b\n",
            "kind: [x]\n",
            "kind: List\nitems: 3\n",
            "\u{0}\u{1}: :\n",
            "kind: Pod\nspec:\n  containers:\n  - command: [kube-apiserver, --audit-log-maxage]\n",
        ] {
            let _ = run(t);
        }
    }
}
