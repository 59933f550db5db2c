//! First-match evaluation of a policy for probe requests, as the API server's policy
//! checker does it.

use std::collections::BTreeSet;

use super::groups::{RESOURCES, subresources_of};
use super::model::{Policy, PolicyRule};
use super::needs::{Need, ResourceSel, SubresourceSel, VerbSel};
use super::{Level, RESOURCE_VERBS, Stage};

/// A group that no policy names: only rules without `resources` match it.
pub(crate) const UNKNOWN_GROUP: &str = "unknown.vigil.invalid";
/// A resource or subresource name no policy names.
pub(crate) const OTHER_NAME: &str = "x-other";
/// A verb no policy names.
pub(crate) const OTHER_VERB: &str = "x-other-verb";

/// One request shape to evaluate. User, groups, namespace and name are unknown: rules that
/// restrict them are conditional.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Probe {
    /// `None` for non-resource requests.
    pub(crate) resource: Option<(String, String, Option<String>)>,
    pub(crate) verb: String,
}

impl Probe {
    pub(crate) fn describe(&self) -> String {
        let verb = if self.verb == OTHER_VERB {
            "other verbs"
        } else {
            &self.verb
        };
        match &self.resource {
            None => format!("{verb} on non-resource URLs"),
            Some((g, r, s)) => {
                let r = if r == OTHER_NAME { "any resource" } else { r };
                let mut out = format!("{verb} {r}");
                if let Some(s) = s {
                    out.push('/');
                    out.push_str(if s == OTHER_NAME { "*" } else { s });
                }
                if g == UNKNOWN_GROUP {
                    out.push_str(" (any group)");
                } else if !g.is_empty() {
                    out.push_str(&format!(" ({g})"));
                }
                out
            }
        }
    }
}

/// What the policy does with a probe.
#[derive(Clone, Debug, Default)]
pub(crate) struct Decision {
    /// The rule that decides for unrestricted requests (`None`: no rule matches).
    pub(crate) rule: Option<usize>,
    pub(crate) level: Level,
    pub(crate) omit: BTreeSet<Stage>,
    /// Earlier rules that decide for some users, groups, namespaces or names only.
    pub(crate) conditional: Vec<usize>,
}

fn resource_matches(r: &PolicyRule, group: &str, resource: &str, sub: Option<&str>) -> bool {
    if r.resources.is_empty() {
        return true;
    }
    let combined = match sub {
        Some(s) => format!("{resource}/{s}"),
        None => resource.to_string(),
    };
    r.resources.iter().any(|gr| {
        gr.group == group
            && (gr.resources.is_empty()
                || gr.resources.iter().any(|p| {
                    p == &combined
                        || p == "*"
                        || sub.is_some_and(|s| p.strip_prefix("*/") == Some(s))
                        || p.strip_suffix("/*") == Some(resource)
                }))
    })
}

fn path_matches(path: &str, spec: &str) -> bool {
    spec == "*"
        || spec == path
        || spec
            .strip_suffix('*')
            .is_some_and(|prefix| path.starts_with(prefix))
}

/// Does the rule match the probe, ignoring users, groups, namespaces and names?
pub(crate) fn matches(r: &PolicyRule, p: &Probe) -> bool {
    if !r.verbs.is_empty() && !r.verbs.iter().any(|v| v == &p.verb) {
        return false;
    }
    match &p.resource {
        Some((g, res, sub)) => {
            if !r.non_resource_urls.is_empty() && r.resources.is_empty() && r.namespaces.is_empty()
            {
                return false;
            }
            resource_matches(r, g, res, sub.as_deref())
        }
        None => {
            if !r.resources.is_empty() || !r.namespaces.is_empty() {
                return false;
            }
            r.non_resource_urls.is_empty()
                || r.non_resource_urls
                    .iter()
                    .any(|s| path_matches("/x-other-path", s))
        }
    }
}

pub(crate) fn decide(policy: &Policy, p: &Probe) -> Decision {
    let mut d = Decision::default();
    for r in &policy.rules {
        if !matches(r, p) {
            continue;
        }
        if r.is_conditional() {
            d.conditional.push(r.index);
            continue;
        }
        d.rule = Some(r.index);
        d.level = r.level();
        if p.resource.is_none() {
            d.level = d.level.min(Level::Metadata);
        }
        d.omit = policy.omit_stages.union(&r.omit_stages).copied().collect();
        return d;
    }
    d.omit = policy.omit_stages.clone();
    d
}

fn verbs_of(sel: &VerbSel) -> Vec<String> {
    match sel {
        VerbSel::Only(s) => s.iter().cloned().collect(),
        VerbSel::AllExcept(x) => {
            let mut v: Vec<String> = RESOURCE_VERBS
                .iter()
                .filter(|v| !x.contains(**v))
                .map(|v| v.to_string())
                .collect();
            v.push(OTHER_VERB.to_string());
            v
        }
    }
}

/// The probes that stand for a need.
pub(crate) fn probes(need: &Need) -> Vec<Probe> {
    let mut targets: Vec<Option<(String, String, Option<String>)>> = Vec::new();
    let sub_probe = |res: &str| -> Vec<Option<String>> {
        match &need.subresource {
            SubresourceSel::None => vec![None],
            SubresourceSel::Named(s) => vec![Some(s.clone())],
            SubresourceSel::Any => {
                let known = subresources_of(res);
                let mut v: Vec<Option<String>> =
                    known.iter().map(|s| Some(s.to_string())).collect();
                if known.is_empty() {
                    v.push(Some(OTHER_NAME.to_string()));
                }
                v
            }
        }
    };
    match &need.resource {
        ResourceSel::NonResource => targets.push(None),
        ResourceSel::Named { resource, groups } => {
            let groups: Vec<String> = if groups.is_empty() {
                vec![UNKNOWN_GROUP.to_string()]
            } else {
                groups.clone()
            };
            for g in groups {
                for s in sub_probe(resource) {
                    targets.push(Some((g.clone(), resource.clone(), s)));
                }
            }
        }
        ResourceSel::Any => {
            for (res, groups, subs) in RESOURCES {
                let subs: Vec<Option<String>> = match &need.subresource {
                    SubresourceSel::None => vec![None],
                    SubresourceSel::Named(s) if subs.contains(&s.as_str()) => {
                        vec![Some(s.clone())]
                    }
                    SubresourceSel::Named(_) => Vec::new(),
                    SubresourceSel::Any => subs.iter().map(|s| Some(s.to_string())).collect(),
                };
                for g in *groups {
                    for s in &subs {
                        targets.push(Some((g.to_string(), res.to_string(), s.clone())));
                    }
                }
            }
            for s in sub_probe(OTHER_NAME) {
                targets.push(Some((UNKNOWN_GROUP.to_string(), OTHER_NAME.to_string(), s)));
            }
        }
    }
    let verbs = verbs_of(&need.verbs);
    let mut out = Vec::with_capacity(targets.len() * verbs.len());
    for t in &targets {
        for v in &verbs {
            out.push(Probe {
                resource: t.clone(),
                verb: v.clone(),
            });
        }
    }
    out
}

/// Why a probe of a need is not satisfied, if it is not.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Miss {
    /// Logged below the needed level (possibly `None`).
    Level(Level),
    /// Every stage the rule can match at is omitted.
    Stages,
}

pub(crate) fn check(need: &Need, d: &Decision) -> Option<Miss> {
    if d.level < need.level.max(Level::Metadata) {
        return Some(Miss::Level(d.level));
    }
    if need.stages.iter().all(|s| d.omit.contains(s)) {
        return Some(Miss::Stages);
    }
    None
}
