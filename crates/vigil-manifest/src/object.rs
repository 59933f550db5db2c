//! Kubernetes objects in documents: `List` expansion, workload kinds to pod specs with their
//! JSON paths, containers, and structural validation (a field of the wrong type is reported
//! with its line instead of being guessed at).

use crate::path::Path;
use crate::yaml::Node;

/// An object found in a document.
#[derive(Debug)]
pub struct Obj<'a> {
    /// Its tree.
    pub node: &'a Node,
    /// `kind`.
    pub kind: &'a str,
    /// `apiVersion`.
    pub api_version: &'a str,
    /// `metadata.name` (or `generateName`).
    pub name: &'a str,
    /// `metadata.namespace`.
    pub namespace: &'a str,
    /// Index in a `List`, if any.
    pub item: Option<usize>,
}

/// Objects of a document root: the root itself, or the `items` of a `*List`. Documents that
/// are not objects give an error message with the line.
pub fn objects_of(root: &Node) -> (Vec<Obj<'_>>, Vec<(u32, String)>) {
    let mut objs = Vec::new();
    let mut errs = Vec::new();
    if !root.is_map() {
        errs.push((
            root.line,
            "document is not a mapping (not a Kubernetes object)".to_string(),
        ));
        return (objs, errs);
    }
    let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
    if kind.ends_with("List") && root.get("items").is_some() {
        match root.get("items") {
            Some(items) if items.is_seq() => {
                for (i, item) in items.items().iter().enumerate() {
                    match obj(item, Some(i)) {
                        Ok(o) => objs.push(o),
                        Err(e) => errs.push((item.line, format!("items[{i}]: {e}"))),
                    }
                }
            }
            Some(items) if items.is_null() => {}
            Some(items) => errs.push((items.line, format!("{kind}.items must be a list"))),
            None => {}
        }
        return (objs, errs);
    }
    match obj(root, None) {
        Ok(o) => objs.push(o),
        Err(e) => errs.push((root.line, e)),
    }
    (objs, errs)
}

fn obj(node: &Node, item: Option<usize>) -> Result<Obj<'_>, String> {
    if !node.is_map() {
        return Err("not a mapping (not a Kubernetes object)".into());
    }
    let kind = match node.get("kind") {
        Some(k) => k.as_str().ok_or("kind must be a string")?,
        None => return Err("no kind (not a Kubernetes object)".into()),
    };
    let meta = node.get("metadata");
    let s = |k: &str| meta.and_then(|m| m.get(k)).and_then(Node::as_str);
    Ok(Obj {
        node,
        kind,
        api_version: node.get("apiVersion").and_then(Node::as_str).unwrap_or(""),
        name: s("name").or_else(|| s("generateName")).unwrap_or(""),
        namespace: s("namespace").unwrap_or(""),
        item,
    })
}

/// Which list a container is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerClass {
    /// `containers`.
    Regular,
    /// `initContainers`.
    Init,
    /// `ephemeralContainers`.
    Ephemeral,
}

/// A container and its path.
#[derive(Debug)]
pub struct Container<'a> {
    /// Its tree.
    pub node: &'a Node,
    /// `spec...containers[i]`.
    pub path: Path,
    /// `name` (may be empty).
    pub name: &'a str,
    /// Which list.
    pub class: ContainerClass,
}

impl Container<'_> {
    /// `securityContext.<field>` of the container.
    pub fn sc(&self, field: &str) -> Option<&Node> {
        self.node.get("securityContext").and_then(|s| s.get(field))
    }

    /// Path of `securityContext.<field>`.
    pub fn sc_path(&self, field: &str) -> Path {
        self.path.key("securityContext").join(field)
    }
}

/// The pod spec of a workload.
#[derive(Debug)]
pub struct PodSpec<'a> {
    /// The `PodSpec` mapping.
    pub spec: &'a Node,
    /// Its path in the object.
    pub path: Path,
    /// The pod's metadata (template metadata for workloads), where annotations live.
    pub meta: Option<&'a Node>,
    /// Path of that metadata.
    pub meta_path: Path,
    /// All containers (regular, init, ephemeral).
    pub containers: Vec<Container<'a>>,
}

impl PodSpec<'_> {
    /// `spec.securityContext.<field>`.
    pub fn sc(&self, field: &str) -> Option<&Node> {
        self.spec.get("securityContext").and_then(|s| s.get(field))
    }

    /// An annotation of the pod.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.meta
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(key))
            .and_then(Node::as_str)
    }

    /// Path of an annotation.
    pub fn annotation_path(&self, key: &str) -> Path {
        self.meta_path.key("annotations").key(key)
    }

    /// Regular and init containers (ephemeral ones cannot carry most settings).
    pub fn workload_containers(&self) -> impl Iterator<Item = &Container<'_>> {
        self.containers
            .iter()
            .filter(|c| c.class != ContainerClass::Ephemeral)
    }
}

/// Where the pod spec of a kind lives: (pod spec path, pod metadata path).
pub fn pod_spec_location(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Pod" => ("spec", "metadata"),
        "PodTemplate" => ("template.spec", "template.metadata"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job"
        | "DeploymentConfig" => ("spec.template.spec", "spec.template.metadata"),
        "CronJob" => (
            "spec.jobTemplate.spec.template.spec",
            "spec.jobTemplate.spec.template.metadata",
        ),
        _ => return None,
    })
}

/// The pod spec of a workload object. `Ok(None)`: not a workload kind (or no spec written).
/// `Err`: the structure is wrong (line, message), so pod checks do not apply.
pub fn pod_spec<'a>(o: &Obj<'a>) -> Result<Option<PodSpec<'a>>, (u32, String)> {
    let Some((spec_path, meta_path)) = pod_spec_location(o.kind) else {
        return Ok(None);
    };
    let path = Path::parse(spec_path);
    let meta_path = Path::parse(meta_path);
    // Walk the path checking types on the way.
    let mut cur = o.node;
    let mut walked = Path::root();
    for seg in &path.0 {
        let crate::path::Seg::Key(k) = seg else {
            continue;
        };
        walked = walked.key(k);
        match cur.get(k) {
            Some(n) if n.is_map() => cur = n,
            Some(n) if n.is_null() => return Ok(None),
            Some(n) => return Err((n.line, format!("{walked} must be a mapping"))),
            None => return Ok(None),
        }
    }
    let spec = cur;
    let mut containers = Vec::new();
    for (key, class) in [
        ("containers", ContainerClass::Regular),
        ("initContainers", ContainerClass::Init),
        ("ephemeralContainers", ContainerClass::Ephemeral),
    ] {
        match spec.get(key) {
            None => {}
            Some(n) if n.is_null() => {}
            Some(n) if n.is_seq() => {
                for (i, c) in n.items().iter().enumerate() {
                    let cpath = path.key(key).idx(i);
                    if !c.is_map() {
                        return Err((c.line, format!("{cpath} must be a mapping")));
                    }
                    if let Some(sc) = c.get("securityContext")
                        && !sc.is_map()
                        && !sc.is_null()
                    {
                        return Err((
                            sc.line,
                            format!("{cpath}.securityContext must be a mapping"),
                        ));
                    }
                    containers.push(Container {
                        node: c,
                        path: cpath,
                        name: c.get("name").and_then(Node::as_str).unwrap_or(""),
                        class,
                    });
                }
            }
            Some(n) => return Err((n.line, format!("{} must be a list", path.key(key)))),
        }
    }
    if let Some(sc) = spec.get("securityContext")
        && !sc.is_map()
        && !sc.is_null()
    {
        return Err((
            sc.line,
            format!("{}.securityContext must be a mapping", path),
        ));
    }
    for key in ["volumes"] {
        if let Some(n) = spec.get(key)
            && !n.is_seq()
            && !n.is_null()
        {
            return Err((n.line, format!("{} must be a list", path.key(key))));
        }
    }
    let meta = meta_path.get(o.node).filter(|m| m.is_map());
    Ok(Some(PodSpec {
        spec,
        path,
        meta,
        meta_path,
        containers,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    fn root(t: &str) -> Node {
        match parse_stream(t).into_iter().next().map(|d| d.root) {
            Some(Ok(Some(n))) => n,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn list_and_cronjob() {
        let n = root(
            "kind: List\nitems:\n- kind: CronJob\n  metadata: {name: c}\n  spec:\n    jobTemplate:\n      spec:\n        template:\n          spec:\n            containers:\n            - name: a\n              image: x\n- 3\n",
        );
        let (objs, errs) = objects_of(&n);
        assert_eq!(objs.len(), 1);
        assert_eq!(errs.len(), 1);
        let ps = pod_spec(&objs[0]).expect("ok").expect("spec");
        assert_eq!(
            ps.containers[0].path.to_string(),
            "spec.jobTemplate.spec.template.spec.containers[0]"
        );
    }

    #[test]
    fn malformed_containers() {
        let n = root("kind: Pod\nspec:\n  containers:\n    name: a\n");
        let (objs, _) = objects_of(&n);
        let e = pod_spec(&objs[0]).expect_err("malformed");
        assert_eq!(e.0, 4);
    }
}
