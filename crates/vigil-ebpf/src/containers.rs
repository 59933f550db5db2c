//! Container metadata without a daemon: what the runtimes leave on disk, as the container
//! JSON event (`PPME_CONTAINER_JSON_2_E`) libsinsp's container engines emit and captures
//! carry. A live source calls [`container_event`] the first time an event names a container
//! (by the id in its cgroup path); `vigil_state::State` learns the metadata from that event
//! alone, so a replayed capture gives the same `container.*` fields.
//!
//! Where the metadata comes from:
//!
//! * the OCI runtime's state (`/run/runc/<id>/state.json` for podman and plain runc,
//!   `/run/containerd/runc/<ns>/<id>/state.json` for containerd,
//!   `/run/docker/runtime-runc/moby/<id>/state.json` for docker, `/run/crun/<id>/status`):
//!   creation time, namespaces (host pid / network / ipc), and the bundle directory, whose
//!   `config.json` has the mounts and the annotations;
//! * podman (annotation `io.container.manager=libpod`): containers/storage's
//!   `overlay-containers/containers.json` (name, image name and id) and
//!   `overlay-images/images.json` (digest), next to the bundle;
//! * CRI-O: the `io.kubernetes.cri-o.ImageName` and `io.kubernetes.cri-o.Labels` annotations;
//! * containerd's CRI: the `io.kubernetes.cri.*` annotations (container, pod and namespace
//!   names, image), turned into the kubelet's `io.kubernetes.*` labels; plain `ctr` labels
//!   are copied into the annotations by ctr;
//! * docker: `/var/lib/docker/containers/<id>/config.v2.json` and `hostconfig.json`.
//!
//! When nothing is found the event still names the container (id and nothing else), so it is
//! looked up once.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json, json};
use vigil_scap::{OwnedEvent, code_of_symbol};

/// libsinsp's container type numbers (`sinsp_container_type`).
mod ty {
    pub(super) const DOCKER: i64 = 0;
    pub(super) const CONTAINERD: i64 = 7;
    pub(super) const CRIO: i64 = 8;
    pub(super) const PODMAN: i64 = 11;
    pub(super) const UNKNOWN: i64 = 5; // "custom"
}

/// The directories runtimes keep their state in (rootful defaults).
#[derive(Debug, Clone)]
pub struct Roots {
    /// runc's default root (podman, plain runc).
    pub runc: PathBuf,
    /// containerd's runc roots, one directory per namespace.
    pub containerd_runc: PathBuf,
    /// docker's runc root.
    pub docker_runc: PathBuf,
    /// crun's root.
    pub crun: PathBuf,
    /// docker's container directory.
    pub docker_containers: PathBuf,
}

impl Default for Roots {
    fn default() -> Roots {
        Roots {
            runc: "/run/runc".into(),
            containerd_runc: "/run/containerd/runc".into(),
            docker_runc: "/run/docker/runtime-runc/moby".into(),
            crun: "/run/crun".into(),
            docker_containers: "/var/lib/docker/containers".into(),
        }
    }
}

fn read_json(p: &Path) -> Option<Json> {
    serde_json::from_slice(&fs::read(p).ok()?).ok()
}

fn str_of<'a>(v: &'a Json, path: &[&str]) -> &'a str {
    let mut cur = v;
    for k in path {
        match cur.get(k) {
            Some(n) => cur = n,
            None => return "",
        }
    }
    cur.as_str().unwrap_or("")
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch of an RFC 3339 time (`2026-11-29T06:33:43.007562779Z`,
/// `…+01:00`); `None` when it does not parse.
fn rfc3339_secs(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(5..7)?,
        n(8..10)?,
        n(11..13)?,
        n(14..16)?,
        n(17..19)?,
    );
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let offset = match rest.as_bytes().first() {
        None | Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let hh: i64 = rest.get(1..3)?.parse().ok()?;
            let mm: i64 = rest.get(4..6)?.parse().ok()?;
            let o = hh * 3600 + mm * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se - offset)
}

/// The runtime state of a container: `(state JSON, bundle directory, type)`.
fn runtime_state(roots: &Roots, id: &str) -> Option<(Json, PathBuf, i64)> {
    let mut candidates = vec![
        (roots.runc.join(id).join("state.json"), ty::UNKNOWN),
        (roots.docker_runc.join(id).join("state.json"), ty::DOCKER),
    ];
    if let Ok(rd) = fs::read_dir(&roots.containerd_runc) {
        for ns in rd.filter_map(Result::ok) {
            candidates.push((ns.path().join(id).join("state.json"), ty::CONTAINERD));
        }
    }
    candidates.push((roots.crun.join(id).join("status"), ty::UNKNOWN));
    candidates.into_iter().find_map(|(p, t)| {
        let st = read_json(&p)?;
        // runc: config.labels has "bundle=<dir>"; crun's status: "bundle".
        let bundle = st["config"]["labels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .find_map(|l| l.strip_prefix("bundle="))
            .or_else(|| st["bundle"].as_str())
            .map(PathBuf::from)?;
        Some((st, bundle, t))
    })
}

/// The OCI mounts as libsinsp's `Mounts` objects.
fn mounts(spec: &Json) -> Vec<Json> {
    spec["mounts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let opts: Vec<&str> = m["options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .collect();
            let propagation = opts
                .iter()
                .find(|o| {
                    matches!(
                        **o,
                        "private" | "rprivate" | "shared" | "rshared" | "slave" | "rslave"
                    )
                })
                .copied()
                .unwrap_or("");
            json!({
                "Source": str_of(m, &["source"]),
                "Destination": str_of(m, &["destination"]),
                "Mode": "",
                "RW": !opts.contains(&"ro"),
                "Propagation": propagation,
            })
        })
        .collect()
}

/// podman: containers/storage's records next to the bundle
/// (`<root>/overlay-containers/<id>/userdata`).
fn podman(bundle: &Path, id: &str, c: &mut Map<String, Json>) {
    let Some(containers_dir) = bundle.parent().and_then(Path::parent) else {
        return;
    };
    let Some(list) = read_json(&containers_dir.join("containers.json")) else {
        return;
    };
    let Some(entry) = list
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["id"] == id)
    else {
        return;
    };
    if let Some(name) = entry["names"].get(0).and_then(Json::as_str) {
        c.insert("name".into(), name.into());
    }
    let meta: Json = entry["metadata"]
        .as_str()
        .and_then(|m| serde_json::from_str(m).ok())
        .unwrap_or(Json::Null);
    if let Some(img) = meta["image-name"].as_str() {
        c.insert("image".into(), img.into());
    }
    let image_id = meta["image-id"]
        .as_str()
        .or_else(|| entry["image"].as_str())
        .unwrap_or("");
    if !image_id.is_empty() {
        c.insert("imageid".into(), image_id.into());
        // `overlay-containers` → `overlay-images/images.json` of the same driver.
        let images = containers_dir.file_name().and_then(|n| {
            let driver = n.to_str()?.strip_suffix("-containers")?;
            Some(
                containers_dir
                    .parent()?
                    .join(format!("{driver}-images"))
                    .join("images.json"),
            )
        });
        if let Some(digest) = images.and_then(|p| read_json(&p)).and_then(|l| {
            l.as_array()?
                .iter()
                .find(|e| e["id"] == image_id)
                .and_then(|e| e["digest"].as_str().map(str::to_string))
        }) {
            c.insert("imagedigest".into(), digest.into());
        }
    }
}

/// containerd's CRI annotations → the kubelet's labels, name and image.
fn cri(annotations: &Map<String, Json>, c: &mut Map<String, Json>, labels: &mut Map<String, Json>) {
    let a = |k: &str| annotations.get(k).and_then(Json::as_str);
    for (from, to) in [
        ("io.kubernetes.cri.sandbox-name", "io.kubernetes.pod.name"),
        (
            "io.kubernetes.cri.sandbox-namespace",
            "io.kubernetes.pod.namespace",
        ),
        ("io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid"),
        (
            "io.kubernetes.cri.container-name",
            "io.kubernetes.container.name",
        ),
    ] {
        if let Some(v) = a(from) {
            labels.insert(to.into(), v.into());
        }
    }
    if let Some(n) = a("io.kubernetes.cri.container-name") {
        c.insert("name".into(), n.into());
    }
    if let Some(i) = a("io.kubernetes.cri.image-name") {
        c.insert("image".into(), i.into());
    }
}

/// CRI-O: the image name and the kubelet's labels (a JSON object in a string) in the
/// `io.kubernetes.cri-o.*` annotations.
fn crio(
    annotations: &Map<String, Json>,
    c: &mut Map<String, Json>,
    labels: &mut Map<String, Json>,
) {
    let a = |k: &str| annotations.get(k).and_then(Json::as_str);
    if let Some(l) = a("io.kubernetes.cri-o.Labels")
        .and_then(|l| serde_json::from_str::<Map<String, Json>>(l).ok())
    {
        labels.extend(l);
    }
    if let Some(i) = a("io.kubernetes.cri-o.ImageName") {
        c.insert("image".into(), i.into());
    }
    if let Some(n) = labels
        .get("io.kubernetes.container.name")
        .and_then(Json::as_str)
        .or_else(|| a("io.kubernetes.container.name"))
    {
        c.insert("name".into(), n.into());
    }
}

/// docker: its own records of the container.
fn docker(dir: &Path, c: &mut Map<String, Json>, labels: &mut Map<String, Json>) -> bool {
    let Some(cfg) = read_json(&dir.join("config.v2.json")) else {
        return false;
    };
    c.insert("type".into(), ty::DOCKER.into());
    let name = str_of(&cfg, &["Name"]);
    c.insert("name".into(), name.trim_start_matches('/').into());
    c.insert("image".into(), str_of(&cfg, &["Config", "Image"]).into());
    let image_id = str_of(&cfg, &["Image"]);
    c.insert(
        "imageid".into(),
        image_id.strip_prefix("sha256:").unwrap_or(image_id).into(),
    );
    if let Some(l) = cfg["Config"]["Labels"].as_object() {
        labels.extend(l.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    if let Some(t) = rfc3339_secs(str_of(&cfg, &["Created"])) {
        c.insert("created_time".into(), t.into());
    }
    // The volumes and binds the user asked for, as `docker inspect` lists them (the runtime
    // spec also has docker's own /etc/hosts, resolv.conf and hostname binds).
    if let Some(points) = cfg["MountPoints"].as_object() {
        let mounts: Vec<Json> = points
            .values()
            .map(|m| {
                json!({
                    "Source": str_of(m, &["Source"]),
                    "Destination": str_of(m, &["Destination"]),
                    "Mode": str_of(m, &["Relabel"]),
                    "RW": m["RW"].as_bool().unwrap_or(true),
                    "Propagation": str_of(m, &["Propagation"]),
                })
            })
            .collect();
        c.insert("Mounts".into(), mounts.into());
    }
    if let Some(host) = read_json(&dir.join("hostconfig.json")) {
        if let Some(p) = host["Privileged"].as_bool() {
            c.insert("privileged".into(), p.into());
        }
        c.insert("host_pid".into(), (host["PidMode"] == "host").into());
        c.insert("host_ipc".into(), (host["IpcMode"] == "host").into());
        c.insert(
            "host_network".into(),
            (host["NetworkMode"] == "host").into(),
        );
    }
    true
}

/// What the runtimes' files say about container `id` (64 hex), as libsinsp's container JSON
/// (`{"container": {…}}`); only `id` when nothing is found.
pub fn container_json(roots: &Roots, id: &str) -> Json {
    let mut c = Map::new();
    c.insert("id".into(), id.into());
    let mut labels = Map::new();
    let docker_dir = roots.docker_containers.join(id);
    if let Some((st, bundle, runtime_ty)) = runtime_state(roots, id) {
        let spec = read_json(&bundle.join("config.json")).unwrap_or(Json::Null);
        let annotations = spec["annotations"].as_object().cloned().unwrap_or_default();
        let ann = |k: &str| annotations.get(k).and_then(Json::as_str).unwrap_or("");
        let mut t = runtime_ty;
        if ann("io.container.manager") == "libpod" {
            t = ty::PODMAN;
            podman(&bundle, id, &mut c);
            c.insert(
                "privileged".into(),
                ann("io.podman.annotations.privileged")
                    .eq_ignore_ascii_case("true")
                    .into(),
            );
        } else if annotations.contains_key("io.kubernetes.cri-o.ImageName")
            || annotations.contains_key("io.kubernetes.cri-o.Labels")
        {
            t = ty::CRIO;
            crio(&annotations, &mut c, &mut labels);
        } else if t == ty::CONTAINERD {
            // ctr copies its labels into the annotations; CRI adds its own.
            labels.extend(
                annotations
                    .iter()
                    .filter(|(k, _)| !k.starts_with("io.kubernetes.cri."))
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            cri(&annotations, &mut c, &mut labels);
        }
        c.insert("type".into(), t.into());
        let created = st["created"]
            .as_str()
            .and_then(rfc3339_secs)
            .or_else(|| rfc3339_secs(ann("io.kubernetes.cri-o.Created")));
        if let Some(secs) = created {
            c.insert("created_time".into(), secs.into());
        }
        // A namespace the spec does not ask for is the host's.
        let nss: Vec<&str> = spec["linux"]["namespaces"]
            .as_array()
            .or_else(|| st["config"]["namespaces"].as_array())
            .into_iter()
            .flatten()
            .filter_map(|n| n["type"].as_str())
            .collect();
        if !nss.is_empty() {
            c.insert("host_pid".into(), (!nss.contains(&"pid")).into());
            c.insert("host_network".into(), (!nss.contains(&"network")).into());
            c.insert("host_ipc".into(), (!nss.contains(&"ipc")).into());
        }
        c.insert("Mounts".into(), mounts(&spec).into());
        if t == ty::DOCKER {
            docker(&docker_dir, &mut c, &mut labels);
        }
    } else {
        docker(&docker_dir, &mut c, &mut labels);
    }
    if let Some(img) = c.get("image").and_then(Json::as_str).map(str::to_string) {
        let (repo, tag) = split_repo_tag(&img);
        c.insert("imagerepo".into(), repo.into());
        c.insert("imagetag".into(), tag.into());
    }
    c.insert("labels".into(), labels.into());
    json!({ "container": c })
}

/// `repo[:tag]` (a registry port belongs to the repository; a digest is dropped).
fn split_repo_tag(image: &str) -> (&str, &str) {
    let rest = image.split_once('@').map_or(image, |(a, _)| a);
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(c) => (&rest[..slash + c], &rest[slash + c + 1..]),
        None => (rest, ""),
    }
}

/// Whether the runtimes' files described the container (more than its id).
pub fn is_described(json: &Json) -> bool {
    json["container"].get("type").is_some()
}

/// The container event carrying `json`, stamped `ts` on thread `tid`.
pub fn event_of_json(json: &Json, ts: u64, tid: u64) -> OwnedEvent {
    let mut bytes = json.to_string().into_bytes();
    bytes.push(0);
    OwnedEvent::new(ts, tid, code_of_symbol("CONTAINER_JSON_2_E").unwrap_or(0)).push(bytes)
}

/// The container event for `id` (64 hex), stamped `ts` on thread `tid`.
pub fn container_event(roots: &Roots, id: &str, ts: u64, tid: u64) -> OwnedEvent {
    event_of_json(&container_json(roots, id), ts, tid)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "b3b53293716f1fdc75705c39dfdb1dcf85761958c79864729dccee60ecb00c43";

    #[test]
    fn times() {
        assert_eq!(rfc3339_secs("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            rfc3339_secs("2026-11-29T06:33:43.007562779Z"),
            Some(1_795_934_023)
        );
        assert_eq!(
            rfc3339_secs("2026-11-29T07:33:43+01:00"),
            Some(1_795_934_023)
        );
        assert_eq!(rfc3339_secs("yesterday"), None);
    }

    #[test]
    fn repo_and_tag() {
        assert_eq!(split_repo_tag("localhost/bb:1"), ("localhost/bb", "1"));
        assert_eq!(split_repo_tag("localhost:5000/a"), ("localhost:5000/a", ""));
        assert_eq!(split_repo_tag("nginx:1.25@sha256:ab"), ("nginx", "1.25"));
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("vigil-ctr-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).expect("mkdir");
        d
    }

    fn roots(base: &Path) -> Roots {
        Roots {
            runc: base.join("runc"),
            containerd_runc: base.join("containerd-runc"),
            docker_runc: base.join("docker-runc"),
            crun: base.join("crun"),
            docker_containers: base.join("docker"),
        }
    }

    fn write(p: &Path, v: &Json) {
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, v.to_string()).expect("write");
    }

    /// The layout podman 4.3 + runc leave (shapes copied from a real run on the test machine).
    #[test]
    fn podman_layout() {
        let base = tmp("podman");
        let bundle = base.join(format!("storage/overlay-containers/{ID}/userdata"));
        write(
            &base.join(format!("runc/{ID}/state.json")),
            &json!({"id": ID, "created": "2026-11-29T06:33:43.007562779Z",
                "config": {"labels": ["io.container.manager=libpod",
                    format!("bundle={}", bundle.display())],
                    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "mount"}]}}),
        );
        write(
            &bundle.join("config.json"),
            &json!({"annotations": {"io.container.manager": "libpod",
                "io.podman.annotations.privileged": "TRUE"},
                "linux": {"namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "mount"}]},
                "mounts": [{"destination": "/host-etc", "source": "/etc", "type": "bind",
                    "options": ["bind", "rprivate", "ro"]}]}),
        );
        write(
            &base.join("storage/overlay-containers/containers.json"),
            &json!([{"id": ID, "names": ["vgc1"], "image": "88ec",
                "metadata": "{\"image-name\":\"localhost/vigil-bb:1\",\"image-id\":\"88ec\",\"name\":\"vgc1\"}"}]),
        );
        write(
            &base.join("storage/overlay-images/images.json"),
            &json!([{"id": "88ec", "digest": "sha256:4ec0"}]),
        );
        let ev = container_event(&roots(&base), ID, 5, 7);
        let body = &ev.params[0];
        assert_eq!(body.last(), Some(&0));
        let c = vigil_scap_json(body);
        assert_eq!(c["id"], ID);
        assert_eq!(c["name"], "vgc1");
        assert_eq!(c["image"], "localhost/vigil-bb:1");
        assert_eq!(c["imagerepo"], "localhost/vigil-bb");
        assert_eq!(c["imagetag"], "1");
        assert_eq!(c["imageid"], "88ec");
        assert_eq!(c["imagedigest"], "sha256:4ec0");
        assert_eq!(c["type"], ty::PODMAN);
        assert_eq!(c["privileged"], true);
        assert_eq!(c["host_pid"], false);
        assert_eq!(c["host_ipc"], true);
        assert_eq!(c["created_time"], 1_795_934_023);
        assert_eq!(c["Mounts"][0]["Source"], "/etc");
        assert_eq!(c["Mounts"][0]["RW"], false);
        assert_eq!(c["Mounts"][0]["Propagation"], "rprivate");
        let _ = fs::remove_dir_all(&base);
    }

    #[test]
    fn containerd_cri_layout_and_nothing_found() {
        let base = tmp("cri");
        let bundle = base.join(format!("state/io.containerd.runtime.v2.task/k8s.io/{ID}"));
        write(
            &base.join(format!("containerd-runc/k8s.io/{ID}/state.json")),
            &json!({"created": "2026-11-29T06:00:00Z",
                "config": {"labels": [format!("bundle={}", bundle.display())]}}),
        );
        write(
            &bundle.join("config.json"),
            &json!({"annotations": {"io.kubernetes.cri.container-name": "db",
                "io.kubernetes.cri.sandbox-name": "db-0",
                "io.kubernetes.cri.sandbox-namespace": "prod",
                "io.kubernetes.cri.image-name": "docker.io/library/postgres:16"}}),
        );
        let c = container_json(&roots(&base), ID);
        let c = &c["container"];
        assert_eq!(c["type"], ty::CONTAINERD);
        assert_eq!(c["name"], "db");
        assert_eq!(c["imagerepo"], "docker.io/library/postgres");
        assert_eq!(c["labels"]["io.kubernetes.pod.name"], "db-0");
        assert_eq!(c["labels"]["io.kubernetes.pod.namespace"], "prod");
        let other = "0".repeat(64);
        let none = container_json(&roots(&base), &other);
        assert_eq!(none["container"]["id"], other.as_str());
        assert!(none["container"].get("name").is_none());
        assert!(!is_described(&none));
        assert!(is_described(&container_json(&roots(&base), ID)));
        let _ = fs::remove_dir_all(&base);
    }

    /// CRI-O keeps runc's default root; the bundle's annotations carry image and labels.
    #[test]
    fn crio_layout() {
        let base = tmp("crio");
        let bundle = base.join(format!("run-containers/overlay-containers/{ID}/userdata"));
        write(
            &base.join(format!("runc/{ID}/state.json")),
            &json!({"config": {"labels": [format!("bundle={}", bundle.display())]}}),
        );
        let labels = json!({"io.kubernetes.container.name": "api",
            "io.kubernetes.pod.name": "api-7d9f", "io.kubernetes.pod.namespace": "shop"});
        write(
            &bundle.join("config.json"),
            &json!({"annotations": {"io.kubernetes.cri-o.ImageName": "quay.io/shop/api:2.1",
                "io.kubernetes.cri-o.Labels": labels.to_string(),
                "io.kubernetes.cri-o.Created": "2026-11-29T06:00:00Z"}}),
        );
        let c = container_json(&roots(&base), ID);
        let c = &c["container"];
        assert_eq!(c["type"], ty::CRIO);
        assert_eq!(c["name"], "api");
        assert_eq!(c["imagerepo"], "quay.io/shop/api");
        assert_eq!(c["imagetag"], "2.1");
        assert_eq!(c["labels"]["io.kubernetes.pod.namespace"], "shop");
        assert_eq!(
            c["created_time"],
            rfc3339_secs("2026-11-29T06:00:00Z").expect("time")
        );
        let _ = fs::remove_dir_all(&base);
    }

    #[test]
    fn docker_layout() {
        let base = tmp("docker");
        write(
            &base.join(format!("docker/{ID}/config.v2.json")),
            &json!({"Name": "/web", "Image": "sha256:abcd", "Created": "2026-11-29T06:00:00Z",
                "Config": {"Image": "nginx:1.25", "Labels": {"app": "web"}},
                "MountPoints": {"/host-etc": {"Source": "/etc", "Destination": "/host-etc",
                    "RW": false, "Relabel": "ro", "Propagation": "rprivate", "Type": "bind"}}}),
        );
        write(
            &base.join(format!("docker/{ID}/hostconfig.json")),
            &json!({"Privileged": true, "NetworkMode": "host", "PidMode": ""}),
        );
        let c = container_json(&roots(&base), ID);
        let c = &c["container"];
        assert_eq!(c["type"], ty::DOCKER);
        assert_eq!(c["name"], "web");
        assert_eq!(c["imagerepo"], "nginx");
        assert_eq!(c["imageid"], "abcd");
        assert_eq!(c["privileged"], true);
        assert_eq!(c["host_network"], true);
        assert_eq!(c["host_pid"], false);
        assert_eq!(c["labels"]["app"], "web");
        assert_eq!(
            c["Mounts"],
            json!([{"Source": "/etc", "Destination": "/host-etc", "Mode": "ro", "RW": false,
                "Propagation": "rprivate"}])
        );
        let _ = fs::remove_dir_all(&base);
    }

    fn vigil_scap_json(body: &[u8]) -> Json {
        let v: Json = serde_json::from_slice(&body[..body.len() - 1]).expect("json");
        v["container"].clone()
    }
}
