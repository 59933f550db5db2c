//! The audit `Policy` object, read from YAML (or JSON) with positions; structural problems
//! become findings with `line:col`.

use std::collections::BTreeSet;

use vigil_manifest::yaml::{Node, NodeKind, parse_stream};

use super::lint::{Finding, Severity};
use super::{Level, Stage};

/// A policy's `resources[]` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupResources {
    /// API group (`""` = core).
    pub group: String,
    /// Resources (`pods`, `pods/exec`, `pods/*`, `*/scale`, `*`); empty = all of the group.
    pub resources: Vec<String>,
    /// Object names; empty = all.
    pub resource_names: Vec<String>,
}

/// One rule of a policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyRule {
    /// 0-based index in `rules`.
    pub index: usize,
    /// 1-based line of the rule.
    pub line: u32,
    /// 1-based column of the rule.
    pub col: u32,
    /// The level (`None` when missing or invalid: such rules are reported and treated as
    /// `None`).
    pub level: Option<Level>,
    /// `users`.
    pub users: Vec<String>,
    /// `userGroups`.
    pub user_groups: Vec<String>,
    /// `verbs`.
    pub verbs: Vec<String>,
    /// `resources`.
    pub resources: Vec<GroupResources>,
    /// `namespaces`.
    pub namespaces: Vec<String>,
    /// `nonResourceURLs`.
    pub non_resource_urls: Vec<String>,
    /// `omitStages` of the rule.
    pub omit_stages: BTreeSet<Stage>,
    /// False when the rule has structural errors (it is then left out of the analysis).
    pub valid: bool,
}

impl PolicyRule {
    /// True when the rule only applies to some users, groups, namespaces or object names:
    /// it decides the level for those requests only.
    pub fn is_conditional(&self) -> bool {
        !self.users.is_empty()
            || !self.user_groups.is_empty()
            || !self.namespaces.is_empty()
            || self.resources.iter().any(|g| !g.resource_names.is_empty())
    }

    /// True when the rule matches every request.
    pub fn is_catch_all(&self) -> bool {
        self.users.is_empty()
            && self.user_groups.is_empty()
            && self.verbs.is_empty()
            && self.resources.is_empty()
            && self.namespaces.is_empty()
            && self.non_resource_urls.is_empty()
    }

    /// The rule's level, `None` when invalid.
    pub fn level(&self) -> Level {
        self.level.unwrap_or(Level::None)
    }
}

/// A parsed audit policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// `apiVersion`.
    pub api_version: String,
    /// Policy-wide `omitStages`.
    pub omit_stages: BTreeSet<Stage>,
    /// 1-based line of `omitStages` (0 when absent).
    pub omit_stages_line: u32,
    /// 1-based line of `rules` (or of the document).
    pub rules_line: u32,
    /// 1-based column of `rules`.
    pub rules_col: u32,
    /// The rules, in order.
    pub rules: Vec<PolicyRule>,
}

const POLICY_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "rules",
    "omitStages",
    "omitManagedFields",
];
const RULE_KEYS: &[&str] = &[
    "level",
    "users",
    "userGroups",
    "verbs",
    "resources",
    "namespaces",
    "nonResourceURLs",
    "omitStages",
    "omitManagedFields",
];
const GR_KEYS: &[&str] = &["group", "resources", "resourceNames"];

struct Ctx<'t> {
    findings: Vec<Finding>,
    lines: Vec<&'t str>,
}

impl Ctx<'_> {
    /// The column of the first key on a line (after `- ` list markers): yaml-rust2 reports
    /// mappings where it finished reading the first key.
    fn key_col(&self, line: u32, fallback: u32) -> u32 {
        let Some(text) = (line as usize)
            .checked_sub(1)
            .and_then(|i| self.lines.get(i))
        else {
            return fallback;
        };
        let mut col = 0usize;
        let b = text.as_bytes();
        loop {
            while b.get(col) == Some(&b' ') {
                col += 1;
            }
            if b.get(col) == Some(&b'-') && matches!(b.get(col + 1), Some(b' ') | None) {
                col += 1;
                continue;
            }
            break;
        }
        if col >= b.len() || b.get(col) == Some(&b'#') {
            return fallback;
        }
        u32::try_from(col + 1).unwrap_or(fallback)
    }

    fn err(&mut self, line: u32, col: u32, message: String) {
        self.findings.push(Finding::new(
            Severity::Error,
            "structure",
            line,
            col,
            message,
        ));
    }

    fn warn(&mut self, code: &'static str, line: u32, col: u32, message: String) {
        self.findings
            .push(Finding::new(Severity::Warning, code, line, col, message));
    }

    fn keys(&mut self, node: &Node, allowed: &[&str], what: &str) {
        for e in node.entries() {
            if !allowed.contains(&e.key.as_str()) {
                let col = self.key_col(e.line, node.col);
                let col = self
                    .lines
                    .get((e.line as usize).wrapping_sub(1))
                    .and_then(|l| l.find(e.key.as_str()))
                    .and_then(|c| u32::try_from(c + 1).ok())
                    .unwrap_or(col);
                self.err(
                    e.line,
                    col,
                    format!(
                        "unknown field '{}' in {what} (allowed: {})",
                        e.key,
                        allowed.join(", ")
                    ),
                );
            }
        }
    }

    /// A list of strings; reports wrong types.
    fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        match &node.kind {
            NodeKind::Seq(items) => {
                let mut out = Vec::new();
                for it in items {
                    match it.scalar_text() {
                        Some(s) if it.as_str().is_some() => out.push(s),
                        _ => self.err(
                            it.line,
                            it.col,
                            format!("{what}: expected a string, found {}", kind_name(it)),
                        ),
                    }
                }
                out
            }
            _ if node.is_null() => Vec::new(),
            _ => {
                self.err(
                    node.line,
                    node.col,
                    format!(
                        "{what}: expected a list of strings, found {}",
                        kind_name(node)
                    ),
                );
                Vec::new()
            }
        }
    }

    fn stages(&mut self, node: &Node, what: &str) -> BTreeSet<Stage> {
        let mut out = BTreeSet::new();
        for (i, s) in self.strings(node, what).into_iter().enumerate() {
            match Stage::parse(&s) {
                Some(st) => {
                    out.insert(st);
                }
                None => {
                    let at = node.items().get(i).unwrap_or(node);
                    self.err(
                        at.line,
                        at.col,
                        format!(
                            "{what}: unknown stage '{s}' (RequestReceived, ResponseStarted, \
                             ResponseComplete, Panic)"
                        ),
                    );
                }
            }
        }
        out
    }
}

fn kind_name(n: &Node) -> &'static str {
    match &n.kind {
        NodeKind::Seq(_) => "a list",
        NodeKind::Map(_) => "a mapping",
        NodeKind::Scalar(vigil_manifest::yaml::Scalar::Null) => "null",
        NodeKind::Scalar(vigil_manifest::yaml::Scalar::Bool(_)) => "a boolean",
        NodeKind::Scalar(vigil_manifest::yaml::Scalar::Int(_))
        | NodeKind::Scalar(vigil_manifest::yaml::Scalar::Float(_)) => "a number",
        NodeKind::Scalar(vigil_manifest::yaml::Scalar::Str(_)) => "a string",
    }
}

/// A DNS subdomain as Kubernetes validates API group names.
fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Parse a policy. Structural problems (YAML syntax, `apiVersion`/`kind`, unknown fields,
/// wrong types, unknown levels and stages, invalid combinations) are returned as findings;
/// the policy is `None` only when nothing usable could be read.
pub fn parse_policy(text: &str) -> (Option<Policy>, Vec<Finding>) {
    let mut cx = Ctx {
        findings: Vec::new(),
        lines: text.lines().collect(),
    };
    let docs = parse_stream(text);
    let mut root = None;
    for d in docs {
        match d.root {
            Err(e) => cx.err(e.line, e.col, format!("YAML: {}", e.message)),
            Ok(Some(n)) if root.is_none() => root = Some(n),
            Ok(Some(n)) => cx.err(
                n.line,
                n.col,
                "more than one document: the API server reads only one Policy".into(),
            ),
            Ok(None) => {}
        }
    }
    let Some(root) = root else {
        if cx.findings.is_empty() {
            cx.err(1, 1, "empty policy".into());
        }
        return (None, cx.findings);
    };
    if !root.is_map() {
        cx.err(
            root.line,
            root.col,
            format!("a Policy must be a mapping, found {}", kind_name(&root)),
        );
        return (None, cx.findings);
    }
    cx.keys(&root, POLICY_KEYS, "Policy");
    let root_col = cx.key_col(root.line, root.col);
    let mut policy = Policy {
        rules_line: root.line,
        rules_col: root_col,
        ..Policy::default()
    };
    match root.get("apiVersion").and_then(Node::as_str) {
        Some("audit.k8s.io/v1") => policy.api_version = "audit.k8s.io/v1".into(),
        Some(v @ ("audit.k8s.io/v1beta1" | "audit.k8s.io/v1alpha1")) => {
            policy.api_version = v.into();
            let line = root.entry("apiVersion").map_or(root.line, |e| e.line);
            cx.warn(
                "deprecated-api",
                line,
                root_col,
                format!("apiVersion {v} was removed in Kubernetes 1.24; use audit.k8s.io/v1"),
            );
        }
        other => {
            let line = root.entry("apiVersion").map_or(root.line, |e| e.line);
            cx.err(
                line,
                root_col,
                match other {
                    Some(v) => format!("apiVersion must be audit.k8s.io/v1, not '{v}'"),
                    None => "apiVersion must be audit.k8s.io/v1 (missing or not a string)".into(),
                },
            );
        }
    }
    match root.get("kind").and_then(Node::as_str) {
        Some("Policy") => {}
        other => {
            let line = root.entry("kind").map_or(root.line, |e| e.line);
            cx.err(
                line,
                root_col,
                match other {
                    Some(k) => format!("kind must be Policy, not '{k}'"),
                    None => "kind must be Policy (missing or not a string)".into(),
                },
            );
        }
    }
    if let Some(e) = root.entry("omitStages") {
        policy.omit_stages = cx.stages(&e.value, "omitStages");
        policy.omit_stages_line = e.line;
    }
    if let Some(v) = root.get("omitManagedFields")
        && v.as_bool().is_none()
    {
        cx.err(
            v.line,
            v.col,
            format!(
                "omitManagedFields: expected a boolean, found {}",
                kind_name(v)
            ),
        );
    }
    match root.entry("rules") {
        None => cx.err(
            root.line,
            root_col,
            "rules is required: a policy without rules is illegal".into(),
        ),
        Some(e) => {
            policy.rules_line = e.line;
            policy.rules_col = root_col;
            match &e.value.kind {
                NodeKind::Seq(items) if items.is_empty() => cx.err(
                    e.line,
                    root_col,
                    "rules is empty: the API server refuses a policy with 0 rules".into(),
                ),
                NodeKind::Seq(items) => {
                    for (i, it) in items.iter().enumerate() {
                        if let Some(r) = rule(&mut cx, i, it) {
                            policy.rules.push(r);
                        }
                    }
                }
                _ => cx.err(
                    e.value.line,
                    e.value.col,
                    format!("rules: expected a list, found {}", kind_name(&e.value)),
                ),
            }
        }
    }
    (Some(policy), cx.findings)
}

fn rule(cx: &mut Ctx, index: usize, node: &Node) -> Option<PolicyRule> {
    if !node.is_map() {
        cx.err(
            node.line,
            node.col,
            format!(
                "rules[{index}]: expected a mapping, found {}",
                kind_name(node)
            ),
        );
        return None;
    }
    let what = format!("rules[{index}]");
    let errors_before = cx.findings.len();
    cx.keys(node, RULE_KEYS, &what);
    let mut r = PolicyRule {
        index,
        line: node.line,
        col: cx.key_col(node.line, node.col),
        ..PolicyRule::default()
    };
    match node.get("level") {
        None => cx.err(r.line, r.col, format!("{what}: level is required")),
        Some(v) => match v.as_str().and_then(Level::parse) {
            Some(l) => r.level = Some(l),
            None => cx.err(
                v.line,
                v.col,
                format!(
                    "{what}: unknown level '{}' (None, Metadata, Request, RequestResponse)",
                    v.scalar_text().unwrap_or_else(|| kind_name(v).to_string())
                ),
            ),
        },
    }
    if let Some(v) = node.get("users") {
        r.users = cx.strings(v, &format!("{what}.users"));
    }
    if let Some(v) = node.get("userGroups") {
        r.user_groups = cx.strings(v, &format!("{what}.userGroups"));
    }
    if let Some(v) = node.get("verbs") {
        r.verbs = cx.strings(v, &format!("{what}.verbs"));
    }
    if let Some(v) = node.get("namespaces") {
        r.namespaces = cx.strings(v, &format!("{what}.namespaces"));
    }
    if let Some(v) = node.get("nonResourceURLs") {
        r.non_resource_urls = cx.strings(v, &format!("{what}.nonResourceURLs"));
        for (i, u) in r.non_resource_urls.iter().enumerate() {
            let at = v.items().get(i).unwrap_or(v);
            let star = u.find('*');
            if !u.starts_with('/') && u != "*" {
                cx.err(
                    at.line,
                    at.col,
                    format!("{what}.nonResourceURLs: '{u}' must start with '/'"),
                );
            } else if star.is_some_and(|p| p + 1 != u.len()) {
                cx.err(
                    at.line,
                    at.col,
                    format!("{what}.nonResourceURLs: '{u}': '*' is only allowed at the end"),
                );
            }
        }
    }
    if let Some(v) = node.get("omitStages") {
        r.omit_stages = cx.stages(v, &format!("{what}.omitStages"));
    }
    if let Some(v) = node.get("omitManagedFields")
        && v.as_bool().is_none()
    {
        cx.err(
            v.line,
            v.col,
            format!(
                "{what}.omitManagedFields: expected a boolean, found {}",
                kind_name(v)
            ),
        );
    }
    if let Some(v) = node.get("resources") {
        match &v.kind {
            NodeKind::Seq(items) => {
                for (j, gr) in items.iter().enumerate() {
                    let gw = format!("{what}.resources[{j}]");
                    if !gr.is_map() {
                        cx.err(
                            gr.line,
                            gr.col,
                            format!("{gw}: expected a mapping, found {}", kind_name(gr)),
                        );
                        continue;
                    }
                    cx.keys(gr, GR_KEYS, &gw);
                    let mut g = GroupResources::default();
                    if let Some(x) = gr.get("group") {
                        match x.as_str() {
                            Some(s) => g.group = s.to_string(),
                            None if x.is_null() => {}
                            None => cx.err(
                                x.line,
                                x.col,
                                format!("{gw}.group: expected a string, found {}", kind_name(x)),
                            ),
                        }
                        if !g.group.is_empty() && !is_dns_subdomain(&g.group) {
                            cx.err(
                                x.line,
                                x.col,
                                format!(
                                    "{gw}.group: '{}' is not a valid API group name (no \
                                     version: 'apps', not 'apps/v1')",
                                    g.group
                                ),
                            );
                        }
                    }
                    if let Some(x) = gr.get("resources") {
                        g.resources = cx.strings(x, &format!("{gw}.resources"));
                    }
                    if let Some(x) = gr.get("resourceNames") {
                        g.resource_names = cx.strings(x, &format!("{gw}.resourceNames"));
                        if !g.resource_names.is_empty() && g.resources.is_empty() {
                            cx.err(
                                x.line,
                                x.col,
                                format!(
                                    "{gw}.resourceNames: using resourceNames requires at least \
                                     one resource"
                                ),
                            );
                        }
                    }
                    r.resources.push(g);
                }
            }
            _ if v.is_null() => {}
            _ => cx.err(
                v.line,
                v.col,
                format!("{what}.resources: expected a list, found {}", kind_name(v)),
            ),
        }
    }
    if !r.non_resource_urls.is_empty() && (!r.resources.is_empty() || !r.namespaces.is_empty()) {
        cx.err(
            r.line,
            r.col,
            format!(
                "{what}: rules cannot apply to both regular resources (resources, namespaces) \
                 and non-resource URLs"
            ),
        );
    }
    r.valid = cx.findings.len() == errors_before;
    Some(r)
}
