//! `vigil audit policy generate`: the least policy under which every enabled rule can fire.

use std::collections::{BTreeMap, BTreeSet};

use super::eval::{self, Miss};
use super::groups::{SENSITIVE, is_sensitive};
use super::model::{GroupResources, Policy, PolicyRule};
use super::needs::{Need, ResourceSel, RuleNeeds, SubresourceSel, VerbSel};
use super::{Level, Stage};

/// Options of [`generate`].
#[derive(Clone, Debug, Default)]
pub struct GenerateOptions {
    /// Comment lines for the header (e.g. which rule files the policy was made from).
    pub header: Vec<String>,
}

/// A policy rule being built.
#[derive(Clone, Debug, Default)]
struct Gen {
    title: Vec<String>,
    level: Level,
    verbs: Option<BTreeSet<String>>,
    /// group → resource pattern → vigil rules
    resources: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    serves: BTreeSet<String>,
    notes: BTreeSet<String>,
    omit: BTreeSet<Stage>,
}

fn pattern(resource: &str, sub: &SubresourceSel) -> String {
    match sub {
        SubresourceSel::None => resource.to_string(),
        SubresourceSel::Named(s) => format!("{resource}/{s}"),
        SubresourceSel::Any => format!("{resource}/*"),
    }
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn wrap(prefix: &str, items: &[String], indent: &str, out: &mut String) {
    let mut line = format!("{indent}# {prefix}");
    let mut first = true;
    for it in items {
        let piece = if first { it.clone() } else { format!(", {it}") };
        if line.len() + piece.len() > 98 && !first {
            out.push_str(&line);
            out.push_str(",\n");
            line = format!("{indent}#   {it}");
        } else {
            line.push_str(&piece);
        }
        first = false;
    }
    out.push_str(&line);
    out.push('\n');
}

/// Generate the policy YAML, with comments naming the vigil rules each policy rule serves.
///
/// Layout: `omitStages: [RequestReceived]` at the policy level (unless a rule matches only
/// at that stage); then `Metadata` for Secrets, `serviceaccounts/token` and `tokenreviews`
/// (their bodies are never logged); then `RequestResponse` and `Request` rules limited to
/// the resources and verbs whose objects rules read; then `Metadata` for the other
/// resources rules test; then a `Metadata` catch-all. The catch-all is `Metadata`, not
/// `None`: rules that test no resource (unknown users, anonymous access) need it, `vigil
/// audit report` needs it to say who did what, and metadata events are small. Every rule
/// omits `ResponseStarted` unless a rule it serves matches at that stage (exec, attach).
pub fn generate(rules: &[RuleNeeds], opts: &GenerateOptions) -> String {
    let needs: Vec<&Need> = rules.iter().flat_map(|r| r.needs.iter()).collect();
    let mut gens: Vec<Gen> = Vec::new();

    // 1. Sensitive resources: Metadata only.
    let mut sensitive = Gen {
        title: vec![
            "Secrets and tokens: metadata only, never bodies (Secret data, bearer tokens).".into(),
        ],
        level: Level::Metadata,
        ..Gen::default()
    };
    for (g, r, s) in SENSITIVE {
        let p = match s {
            Some(s) => format!("{r}/{s}"),
            None => r.to_string(),
        };
        sensitive
            .resources
            .entry(g.to_string())
            .or_default()
            .insert(p, BTreeSet::new());
    }
    // 2. Bodies, 3. metadata of named resources, 4. catch-all.
    let mut bodies: BTreeMap<(std::cmp::Reverse<Level>, bool, Vec<String>), Gen> = BTreeMap::new();
    let mut named = Gen {
        title: vec!["Metadata of the resources vigil rules test.".into()],
        level: Level::Metadata,
        ..Gen::default()
    };
    let mut sessions = Gen {
        title: vec![
            "Connections (exec, attach, …): rules match the record written when the stream opens."
                .into(),
        ],
        level: Level::Metadata,
        ..Gen::default()
    };
    let mut catch_all = Gen {
        title: vec![
            "Catch-all: metadata of everything else (who did what; rules about any resource)."
                .into(),
        ],
        level: Level::Metadata,
        ..Gen::default()
    };
    for n in &needs {
        let note = n.note.as_ref().map(|x| format!("{}: {x}", n.rule));
        let ResourceSel::Named { resource, groups } = &n.resource else {
            catch_all.serves.insert(n.rule.clone());
            catch_all.notes.extend(note);
            continue;
        };
        if groups.is_empty() {
            catch_all.serves.insert(n.rule.clone());
            catch_all.notes.extend(note);
            continue;
        }
        let sub = match &n.subresource {
            SubresourceSel::Named(s) => Some(s.as_str()),
            _ => None,
        };
        let pat = pattern(resource, &n.subresource);
        let target = if groups.iter().any(|g| is_sensitive(g, resource, sub)) {
            &mut sensitive
        } else if n.level >= Level::Request {
            let verbs = match &n.verbs {
                VerbSel::Only(v) => Some(v.clone()),
                VerbSel::AllExcept(_) => None,
            };
            let key = (
                std::cmp::Reverse(n.level),
                verbs.is_none(),
                verbs.iter().flatten().cloned().collect::<Vec<_>>(),
            );
            bodies.entry(key).or_insert_with(|| Gen {
                title: vec![match n.level {
                    Level::RequestResponse => {
                        "Request and response bodies that rules read.".to_string()
                    }
                    _ => "Request bodies that rules read.".to_string(),
                }],
                level: n.level,
                verbs,
                ..Gen::default()
            })
        } else if !n.stages.contains(&Stage::ResponseComplete) {
            &mut sessions
        } else {
            &mut named
        };
        for g in groups {
            target
                .resources
                .entry(g.clone())
                .or_default()
                .entry(pat.clone())
                .or_default()
                .insert(n.rule.clone());
        }
        target.serves.insert(n.rule.clone());
        target.notes.extend(note);
    }
    gens.push(sensitive);
    gens.extend(bodies.into_values());
    if !sessions.resources.is_empty() {
        gens.push(sessions);
    }
    if !named.resources.is_empty() {
        gens.push(named);
    }
    gens.push(catch_all);

    // Stages: omit RequestReceived policy-wide unless a rule needs it; omit ResponseStarted
    // per rule, then give it back where a probe shows a rule needs it.
    let rr_needed = needs
        .iter()
        .any(|n| n.stages.iter().all(|s| *s == Stage::RequestReceived));
    let policy_omit: BTreeSet<Stage> = if rr_needed {
        BTreeSet::new()
    } else {
        [Stage::RequestReceived].into()
    };
    for g in &mut gens {
        g.omit.insert(Stage::ResponseStarted);
        if rr_needed {
            g.omit.insert(Stage::RequestReceived);
        }
    }
    for _ in 0..=gens.len() * 2 {
        let policy = model(&gens, &policy_omit);
        let mut changed = false;
        for n in &needs {
            for p in eval::probes(n) {
                let d = eval::decide(&policy, &p);
                if let (Some(Miss::Stages), Some(i)) = (eval::check(n, &d), d.rule)
                    && let Some(g) = gens.get_mut(i)
                {
                    for s in &n.stages {
                        changed |= g.omit.remove(s);
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    render(rules, &gens, &policy_omit, opts)
}

fn model(gens: &[Gen], omit: &BTreeSet<Stage>) -> Policy {
    Policy {
        api_version: "audit.k8s.io/v1".into(),
        omit_stages: omit.clone(),
        rules: gens
            .iter()
            .enumerate()
            .map(|(index, g)| PolicyRule {
                index,
                level: Some(g.level),
                verbs: g.verbs.iter().flatten().cloned().collect(),
                resources: g
                    .resources
                    .iter()
                    .map(|(group, res)| GroupResources {
                        group: group.clone(),
                        resources: res.keys().cloned().collect(),
                        resource_names: Vec::new(),
                    })
                    .collect(),
                omit_stages: g.omit.clone(),
                valid: true,
                ..PolicyRule::default()
            })
            .collect(),
        ..Policy::default()
    }
}

fn render(
    rules: &[RuleNeeds],
    gens: &[Gen],
    policy_omit: &BTreeSet<Stage>,
    opts: &GenerateOptions,
) -> String {
    let mut out = String::new();
    out.push_str("# Kubernetes audit policy generated by `vigil audit policy generate`.\n");
    out.push_str(
        "# The least policy under which every enabled vigil k8s_audit rule can fire: bodies only\n\
         # where a rule reads them, metadata for the rest, never Secret or token bodies.\n",
    );
    for h in &opts.header {
        out.push_str(&format!("# {h}\n"));
    }
    let enabled = rules.len();
    out.push_str(&format!("# Enabled k8s_audit rules: {enabled}.\n"));
    let never: Vec<String> = rules
        .iter()
        .filter(|r| r.never)
        .map(|r| r.rule.clone())
        .collect();
    if !never.is_empty() {
        wrap(
            "Never true as configured (need nothing): ",
            &never,
            "",
            &mut out,
        );
    }
    out.push_str("apiVersion: audit.k8s.io/v1\nkind: Policy\n");
    if !policy_omit.is_empty() {
        out.push_str(
            "# No vigil rule reads RequestReceived events; omitting them halves the volume.\n",
        );
        out.push_str("omitStages:\n");
        for s in policy_omit {
            out.push_str(&format!("  - {}\n", s.as_str()));
        }
    }
    out.push_str("rules:\n");
    for g in gens {
        for t in &g.title {
            out.push_str(&format!("  # {t}\n"));
        }
        if !g.serves.is_empty() {
            let serves: Vec<String> = g.serves.iter().cloned().collect();
            wrap("Serves: ", &serves, "  ", &mut out);
        }
        for n in &g.notes {
            out.push_str(&format!("  # Note: {n}\n"));
        }
        out.push_str(&format!("  - level: {}\n", g.level.as_str()));
        if let Some(v) = &g.verbs {
            let v: Vec<String> = v.iter().map(|x| q(x)).collect();
            out.push_str(&format!("    verbs: [{}]\n", v.join(", ")));
        }
        if !g.resources.is_empty() {
            out.push_str("    resources:\n");
            for (group, res) in &g.resources {
                out.push_str(&format!("      - group: {}\n", q(group)));
                out.push_str("        resources:\n");
                for (r, by) in res {
                    if !by.is_empty() && g.resources.len() + res.len() > 1 {
                        let by: Vec<String> = by.iter().cloned().collect();
                        wrap("", &by, "          ", &mut out);
                    }
                    out.push_str(&format!("          - {}\n", q(r)));
                }
            }
        }
        if !g.omit.is_empty() {
            let o: Vec<&str> = g.omit.iter().map(|s| s.as_str()).collect();
            out.push_str(&format!("    omitStages: [{}]\n", o.join(", ")));
        }
    }
    out
}
