//! Containers: the id from a thread's cgroups, metadata from `container` JSON events.

use serde_json::Value as Json;

/// One mount of a container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mount {
    /// Host path.
    pub source: String,
    /// Path inside the container.
    pub dest: String,
    /// Mode string.
    pub mode: String,
    /// Read-write.
    pub rw: bool,
    /// Propagation.
    pub propagation: String,
}

/// Container metadata (from `PPME_CONTAINER_JSON_E` / `_2_E` events).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Container {
    /// Id, truncated to 12 characters.
    pub id: String,
    /// Full id when known.
    pub full_id: String,
    /// Name.
    pub name: String,
    /// Image as given (`repo:tag`).
    pub image: String,
    /// Image repository.
    pub image_repository: String,
    /// Image tag.
    pub image_tag: String,
    /// Image digest.
    pub image_digest: String,
    /// Image id.
    pub image_id: String,
    /// Runtime type name (`docker`, `cri-o`, …).
    pub ty: String,
    /// Privileged, when known.
    pub privileged: Option<bool>,
    /// Mounts.
    pub mounts: Vec<Mount>,
    /// `mounts` rendered as libsinsp does (`source:dest:mode:rw:propagation,…`).
    pub mounts_str: String,
    /// Labels.
    pub labels: Vec<(String, String)>,
    /// IP address.
    pub ip: String,
    /// Creation time in ns, when known.
    pub created_ns: Option<u64>,
    /// Host pid namespace.
    pub host_pid: Option<bool>,
    /// Host network.
    pub host_network: Option<bool>,
    /// Host IPC.
    pub host_ipc: Option<bool>,
}

/// libsinsp's container type numbers → the container plugin's names.
fn type_name(n: i64) -> &'static str {
    match n {
        0 => "docker",
        1 => "lxc",
        2 => "libvirt-lxc",
        3 => "mesos",
        4 => "rkt",
        5 => "custom",
        6 => "cri",
        7 => "containerd",
        8 => "cri-o",
        9 => "bpm",
        10 => "static",
        11 => "podman",
        _ => "unknown",
    }
}

/// Split `repo[:tag][@digest]` (a registry port is part of the repository).
pub(crate) fn split_image(image: &str) -> (String, String, String) {
    let (rest, digest) = match image.split_once('@') {
        Some((a, d)) => (a, d.to_string()),
        None => (image, String::new()),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(c) => (
            rest[..slash + c].to_string(),
            rest[slash + c + 1..].to_string(),
            digest,
        ),
        None => (rest.to_string(), String::new(), digest),
    }
}

fn s(v: Option<&Json>) -> String {
    match v {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => n.to_string(),
        Some(Json::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

impl Container {
    /// Parse a container JSON event body. `None` when it is not a container object.
    pub fn from_json(json: &[u8]) -> Option<Container> {
        let v: Json = serde_json::from_slice(json).ok()?;
        let c = v.get("container")?;
        let full_id = s(c.get("id"));
        if full_id.is_empty() {
            return None;
        }
        let id: String = full_id.chars().take(12).collect();
        let image = s(c.get("image"));
        let (mut repo, mut tag, mut digest) = split_image(&image);
        if let Some(r) = c.get("imagerepo").and_then(Json::as_str)
            && !r.is_empty()
        {
            repo = r.to_string();
        }
        if let Some(t) = c.get("imagetag").and_then(Json::as_str)
            && !t.is_empty()
        {
            tag = t.to_string();
        }
        if let Some(d) = c.get("imagedigest").and_then(Json::as_str)
            && !d.is_empty()
        {
            digest = d.to_string();
        }
        let mounts: Vec<Mount> = c
            .get("Mounts")
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .map(|m| Mount {
                        source: s(m.get("Source")),
                        dest: s(m.get("Destination")),
                        mode: s(m.get("Mode")),
                        rw: m.get("RW").and_then(Json::as_bool).unwrap_or(false),
                        propagation: s(m.get("Propagation")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mounts_str = mounts
            .iter()
            .map(|m| {
                format!(
                    "{}:{}:{}:{}:{}",
                    m.source, m.dest, m.mode, m.rw, m.propagation
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        let labels = c
            .get("labels")
            .and_then(Json::as_object)
            .map(|o| o.iter().map(|(k, v)| (k.clone(), s(Some(v)))).collect())
            .unwrap_or_default();
        let created_ns = c
            .get("created_time")
            .and_then(Json::as_i64)
            .filter(|t| *t > 0)
            .map(|t| (t as u64).saturating_mul(1_000_000_000));
        Some(Container {
            id,
            full_id,
            name: s(c.get("name")),
            image,
            image_repository: repo,
            image_tag: tag,
            image_digest: digest,
            image_id: s(c.get("imageid")),
            ty: c
                .get("type")
                .and_then(Json::as_i64)
                .map_or_else(String::new, |n| type_name(n).to_string()),
            privileged: c.get("privileged").and_then(Json::as_bool),
            mounts,
            mounts_str,
            labels,
            ip: s(c.get("ip")),
            created_ns,
            host_pid: c.get("host_pid").and_then(Json::as_bool),
            host_network: c.get("host_network").and_then(Json::as_bool),
            host_ipc: c.get("host_ipc").and_then(Json::as_bool),
        })
    }

    /// A label's value.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Prefixes runtimes put before the id in a cgroup directory name.
const ID_PREFIXES: [&str; 5] = [
    "docker-",
    "cri-containerd-",
    "crio-",
    "libpod-",
    "containerd-",
];

/// The full (64-hex) container id a cgroup path names, if any: its components from the
/// leaf up, with runtime prefixes (`libpod-`, `docker-`, `cri-containerd-`, `crio-`,
/// `containerd-`) and a `.scope` suffix stripped. Matches podman's cgroupfs
/// (`/libpod_parent/libpod-<id>`) and systemd (`/machine.slice/libpod-<id>.scope`) layouts,
/// docker's (`/docker/<id>`, `/system.slice/docker-<id>.scope`), containerd's
/// (`/<namespace>/<id>`) and Kubernetes' (`/kubepods/<qos>/pod<uid>/<id>`,
/// `…/cri-containerd-<id>.scope`, `…/crio-<id>.scope`); a sub-cgroup a container made
/// below its own (`/docker/<id>/init.scope`) still names it. A 64-hex directory whose child
/// is podman's `conmon` is a pod, not a container; other paths (`/process_api/<32hex>`,
/// `/user.slice`) name none.
pub fn full_container_id_of_path(path: &str) -> Option<&str> {
    let mut child: Option<&str> = None;
    for comp in path.rsplit('/') {
        // Stripping only shortens: a component under 64 bytes names no id.
        if comp.len() < 64 {
            child = Some(comp);
            continue;
        }
        let c = comp.strip_suffix(".scope").unwrap_or(comp);
        let (c, prefixed) = match ID_PREFIXES.iter().find_map(|p| c.strip_prefix(p)) {
            Some(rest) => (rest, true),
            None => (c, false),
        };
        if is_hex64(c) && (prefixed || child != Some("conmon")) {
            return Some(c);
        }
        child = Some(comp);
    }
    None
}

/// The full container id of a thread from its cgroups (see [`full_container_id_of_path`]).
pub fn full_container_id_from_cgroups(cgroups: &[(String, String)]) -> Option<&str> {
    cgroups
        .iter()
        .find_map(|(_, path)| full_container_id_of_path(path))
}

/// The full container id named by an event's `cgroups` parameter (`subsys=path` entries,
/// NUL-separated), without allocating.
pub fn full_container_id_of_cgroups_param(raw: &[u8]) -> Option<&str> {
    raw.split(|b| *b == 0)
        .filter_map(|e| {
            let eq = e.iter().position(|b| *b == b'=')?;
            std::str::from_utf8(&e[eq + 1..]).ok()
        })
        .find_map(full_container_id_of_path)
}

/// The container id of a thread from its cgroups, truncated to 12 characters as libsinsp
/// shows it; `host` when no cgroup names a container.
pub fn container_id_from_cgroups(cgroups: &[(String, String)]) -> String {
    full_container_id_from_cgroups(cgroups)
        .map_or_else(|| "host".to_string(), |id| id[..12].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cg(p: &str) -> Vec<(String, String)> {
        vec![("cpu".into(), p.into())]
    }

    #[test]
    fn cgroup_ids() {
        let h = "3d1c8f9a2b7e4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5";
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/docker/{h}"))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!(
                "/kubepods.slice/kubepods-besteffort.slice/x/cri-containerd-{h}.scope"
            ))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/kubepods/besteffort/pod1234/{h}"))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/machine.slice/libpod-{h}.scope"))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/crio-{h}.scope"))),
            &h[..12]
        );
        assert_eq!(container_id_from_cgroups(&cg("/user.slice")), "host");
        // Layouts seen on the podman/runc + containerd test machine (cgroup v1+v2 hybrid).
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/libpod_parent/libpod-{h}"))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!(
                "/libpod_parent/{}/libpod-{h}",
                "0".repeat(64)
            ))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/libpod_parent/{h}/conmon"))),
            "host"
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/docker/libpod-{h}"))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/default/{h}"))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/docker/{h}/init.scope"))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg(&format!("/system.slice/docker-{h}.scope"))),
            &h[..12]
        );
        assert_eq!(
            container_id_from_cgroups(&cg("/process_api/7df2dc421cd15ef784b989b780ea27a9")),
            "host"
        );
        assert_eq!(
            full_container_id_of_cgroups_param(
                format!("cpu=/\0memory=/process_api/x\0unified=/libpod_parent/libpod-{h}\0")
                    .as_bytes()
            ),
            Some(h)
        );
        assert_eq!(full_container_id_of_cgroups_param(b"cpu=/\0"), None);
        assert_eq!(container_id_from_cgroups(&[]), "host");
    }

    #[test]
    fn images() {
        assert_eq!(
            split_image("node:latest"),
            ("node".into(), "latest".into(), String::new())
        );
        assert_eq!(
            split_image("localhost:5000/a/b:1.2@sha256:ab"),
            (
                "localhost:5000/a/b".into(),
                "1.2".into(),
                "sha256:ab".into()
            )
        );
        assert_eq!(
            split_image("localhost:5000/a"),
            ("localhost:5000/a".into(), String::new(), String::new())
        );
        let c = Container::from_json(
            br#"{"container":{"id":"ad64969c62e5","image":"node:latest","name":"x","type":0,"privileged":true,"Mounts":[{"Source":"/var/run/docker.sock","Destination":"/var/run/docker.sock","Mode":"","RW":true,"Propagation":"rprivate"}]}}"#,
        )
        .expect("parse");
        assert_eq!(c.image_repository, "node");
        assert_eq!(c.image_tag, "latest");
        assert_eq!(c.ty, "docker");
        assert_eq!(c.privileged, Some(true));
        assert_eq!(c.mounts[0].dest, "/var/run/docker.sock");
        assert!(Container::from_json(b"{").is_none());
        assert!(Container::from_json(b"{\"container\":{}}").is_none());
    }
}
