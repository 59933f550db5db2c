//! What each enabled `k8s_audit` rule needs from the audit policy.

use std::collections::{BTreeMap, BTreeSet};

use vigil_filter::ast::{Check, Expr, FieldName, ListModifier, Literal, Op, Operand, Rhs};
use vigil_rules::{LoadOptions, RulesFile, Ruleset};

use super::groups::{groups_of, is_sensitive, subresources_of};
use super::{Level, READ_VERBS, Stage};
use crate::{K8S_AUDIT_SCHEMA, K8S_AUDIT_SOURCE};

/// Which resources a need is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceSel {
    /// One resource (`ka.target.resource`), with its API groups (empty when unknown).
    Named {
        /// Resource name (`pods`).
        resource: String,
        /// API groups (`""` = core); empty for resources vigil does not know.
        groups: Vec<String>,
    },
    /// Any resource, of any group (the rule does not pin the resource).
    Any,
    /// Non-resource requests (`/healthz`, `/version`, …: no `objectRef`).
    NonResource,
}

/// Which subresource a need is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubresourceSel {
    /// The resource itself (no subresource).
    None,
    /// One subresource (`exec`).
    Named(String),
    /// Any subresource (the rule tests only `ka.target.subresource exists`).
    Any,
}

/// Which verbs a need is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VerbSel {
    /// Exactly these verbs.
    Only(BTreeSet<String>),
    /// Every verb except these (which other needs of the same rule cover).
    AllExcept(BTreeSet<String>),
}

impl VerbSel {
    /// True when the verb is selected.
    pub fn contains(&self, verb: &str) -> bool {
        match self {
            VerbSel::Only(s) => s.contains(verb),
            VerbSel::AllExcept(s) => !s.contains(verb),
        }
    }

    /// True when a read verb (`get`, `list`, `watch`) is selected.
    pub fn has_reads(&self) -> bool {
        READ_VERBS.iter().any(|v| self.contains(v))
    }
}

/// One thing a rule needs the policy to log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    /// The vigil rule.
    pub rule: String,
    /// Resources.
    pub resource: ResourceSel,
    /// Subresource.
    pub subresource: SubresourceSel,
    /// Verbs.
    pub verbs: VerbSel,
    /// Stages at which the rule can match; the policy must keep at least one of them.
    pub stages: BTreeSet<Stage>,
    /// The level the policy must log at (after caps).
    pub level: Level,
    /// The level the condition reads, before caps.
    pub wanted: Level,
    /// Why the level was capped below what the condition reads.
    pub note: Option<String>,
}

impl Need {
    /// True when every stage is acceptable (the rule does not test the stage).
    pub fn any_stage(&self) -> bool {
        self.stages.len() == Stage::ALL.len()
    }

    /// A short description: `create pods`, `get|create pods/exec`, `any verb on any resource`.
    pub fn describe(&self) -> String {
        let verbs = match &self.verbs {
            VerbSel::Only(s) => s.iter().cloned().collect::<Vec<_>>().join("|"),
            VerbSel::AllExcept(s) if s.is_empty() => "any verb".into(),
            VerbSel::AllExcept(s) => format!(
                "any verb but {}",
                s.iter().cloned().collect::<Vec<_>>().join("|")
            ),
        };
        let res = match (&self.resource, &self.subresource) {
            (ResourceSel::NonResource, _) => "non-resource URLs".to_string(),
            (ResourceSel::Any, SubresourceSel::None) => "any resource".into(),
            (ResourceSel::Any, SubresourceSel::Named(s)) => format!("*/{s}"),
            (ResourceSel::Any, SubresourceSel::Any) => "any resource or subresource".into(),
            (ResourceSel::Named { resource, .. }, SubresourceSel::None) => resource.clone(),
            (ResourceSel::Named { resource, .. }, SubresourceSel::Named(s)) => {
                format!("{resource}/{s}")
            }
            (ResourceSel::Named { resource, .. }, SubresourceSel::Any) => format!("{resource}/*"),
        };
        format!("{verbs} on {res}")
    }
}

/// The needs of one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleNeeds {
    /// Rule name.
    pub rule: String,
    /// What it needs; empty when [`RuleNeeds::never`].
    pub needs: Vec<Need>,
    /// The condition can never be true (e.g. Falco's `kall` with `consider_all_events`
    /// never-true): the rule needs nothing.
    pub never: bool,
}

/// Load rule files (with the `k8s_audit` schema) and analyse every enabled `k8s_audit` rule.
pub fn analyze_rules(files: &[RulesFile]) -> Result<Vec<RuleNeeds>, String> {
    let res = vigil_rules::load(files, &LoadOptions::new(vec![&K8S_AUDIT_SCHEMA]));
    let Some(ruleset) = res.ruleset else {
        let msg: Vec<String> = res.errors().map(|d| d.to_string()).collect();
        return Err(msg.join("; "));
    };
    Ok(analyze_ruleset(&ruleset))
}

/// Analyse the enabled `k8s_audit` rules of a loaded ruleset, on their conditions as the
/// loader compiled them (lists substituted, macros expanded in Falco's visibility order).
pub fn analyze_ruleset(ruleset: &Ruleset) -> Vec<RuleNeeds> {
    ruleset
        .rules()
        .iter()
        .filter(|r| r.enabled && r.source == K8S_AUDIT_SOURCE)
        .map(|r| analyze(&r.name, &r.expr))
        .collect()
}

/// The policy dimensions a condition can test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dim {
    Resource,
    Subresource,
    Verb,
    Stage,
}

fn dim_of(f: &FieldName) -> Option<Dim> {
    match (f.name.as_str(), f.arg.as_deref()) {
        ("ka.target.resource", _) => Some(Dim::Resource),
        ("ka.target.subresource", _) => Some(Dim::Subresource),
        ("ka.verb", _) => Some(Dim::Verb),
        ("ka.stage", _) => Some(Dim::Stage),
        ("jevt.value" | "json.value", Some(p)) => match p {
            "/objectRef/resource" => Some(Dim::Resource),
            "/objectRef/subresource" => Some(Dim::Subresource),
            "/verb" => Some(Dim::Verb),
            "/stage" => Some(Dim::Stage),
            _ => None,
        },
        _ => None,
    }
}

/// The level at which a field has a value.
fn level_of(f: &FieldName) -> Level {
    let n = f.name.as_str();
    match n {
        "ka.resp.name" | "ka.target.pod.name" => Level::RequestResponse,
        "ka.req.configmap.name" => Level::Metadata,
        "jevt.value" | "json.value" => {
            let p = f.arg.as_deref().unwrap_or("");
            if p.starts_with("/responseObject") {
                Level::RequestResponse
            } else if p.starts_with("/requestObject") {
                Level::Request
            } else {
                Level::Metadata
            }
        }
        _ if n.starts_with("ka.resp.") => Level::RequestResponse,
        _ if n.starts_with("ka.req.") => Level::Request,
        _ => Level::Metadata,
    }
}

fn operand_level(o: &Operand) -> Level {
    match o {
        Operand::Field(f) => level_of(f),
        Operand::Transform(t) => {
            let mut l = Level::Metadata;
            for a in &t.args {
                if let vigil_filter::ast::TransformArg::Operand(o) = a {
                    l = l.max(operand_level(o));
                }
            }
            l
        }
    }
}

/// A value of a dimension in one evaluated combination.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Val {
    /// A literal tested by the rule.
    Lit(String),
    /// A value the rule does not name.
    Other,
    /// Not present (no `objectRef`, no subresource).
    Absent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }

    fn from(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }
}

struct Combo<'a> {
    resource: &'a Val,
    subresource: &'a Val,
    verb: &'a Val,
    stage: &'a Val,
}

fn literals(rhs: &Rhs) -> Vec<&Literal> {
    match rhs {
        Rhs::Value(l) => vec![l],
        Rhs::List { items, .. } | Rhs::Modified { items, .. } => items.iter().collect(),
        Rhs::ListRef { .. } | Rhs::Operand(_) => Vec::new(),
    }
}

fn collect(e: &Expr, out: &mut [BTreeSet<String>; 4], tested: &mut [bool; 4]) {
    match e {
        Expr::And { children, .. } | Expr::Or { children, .. } => {
            for c in children {
                collect(c, out, tested);
            }
        }
        Expr::Not { child, .. } => collect(child, out, tested),
        Expr::Ident { .. } => {}
        Expr::Check(c) => {
            if let Operand::Field(f) = &c.lhs
                && let Some(d) = dim_of(f)
            {
                tested[d as usize] = true;
                for l in c.rhs.iter().flat_map(literals) {
                    out[d as usize].insert(l.text.clone());
                }
            }
        }
    }
}

/// Compare one concrete value with one literal.
fn cmp_one(op: Op, v: &str, lit: &str) -> Option<bool> {
    Some(match op {
        Op::Eq | Op::In | Op::Intersects => v == lit,
        Op::Ne => v != lit,
        Op::StartsWith | Op::BStartsWith => v.starts_with(lit),
        Op::EndsWith => v.ends_with(lit),
        Op::Contains | Op::BContains => v.contains(lit),
        Op::IContains => v.to_lowercase().contains(&lit.to_lowercase()),
        _ => return None,
    })
}

fn eval_dim(c: &Check, v: &Val) -> Tri {
    if c.op == Op::Exists {
        return Tri::from(*v != Val::Absent);
    }
    let Some(rhs) = &c.rhs else {
        return Tri::Unknown;
    };
    let v = match v {
        Val::Absent => return Tri::False,
        Val::Other => {
            // A value the rule never names: equal to none of the literals.
            return match (c.op, rhs) {
                (Op::Eq | Op::In | Op::Intersects, Rhs::Value(_) | Rhs::List { .. }) => Tri::False,
                (Op::Ne, Rhs::Value(_)) => Tri::True,
                _ => Tri::Unknown,
            };
        }
        Val::Lit(s) => s.as_str(),
    };
    match rhs {
        Rhs::Value(l) => cmp_one(c.op, v, &l.text).map_or(Tri::Unknown, Tri::from),
        Rhs::List { items, .. } => {
            let mut any = false;
            for l in items {
                match cmp_one(c.op, v, &l.text) {
                    Some(b) => any |= b,
                    None => return Tri::Unknown,
                }
            }
            Tri::from(any)
        }
        Rhs::Modified {
            modifier, items, ..
        } => {
            let mut n = 0;
            for l in items {
                match cmp_one(c.op, v, &l.text) {
                    Some(b) => n += usize::from(b),
                    None => return Tri::Unknown,
                }
            }
            Tri::from(match modifier {
                ListModifier::AnyOf => n > 0,
                ListModifier::AllOf => n == items.len(),
                ListModifier::OneOf => n == 1,
            })
        }
        Rhs::ListRef { .. } | Rhs::Operand(_) => Tri::Unknown,
    }
}

/// Three-valued evaluation; the level is the most the undecided checks read.
fn eval(e: &Expr, combo: &Combo) -> (Tri, Level) {
    match e {
        Expr::And { children, .. } => {
            let mut all_true = true;
            let mut level = Level::Metadata;
            for c in children {
                match eval(c, combo) {
                    (Tri::False, _) => return (Tri::False, Level::Metadata),
                    (Tri::True, _) => {}
                    (Tri::Unknown, l) => {
                        all_true = false;
                        level = level.max(l);
                    }
                }
            }
            if all_true {
                (Tri::True, Level::Metadata)
            } else {
                (Tri::Unknown, level)
            }
        }
        Expr::Or { children, .. } => {
            let mut all_false = true;
            let mut level = Level::Metadata;
            for c in children {
                match eval(c, combo) {
                    (Tri::True, _) => return (Tri::True, Level::Metadata),
                    (Tri::False, _) => {}
                    (Tri::Unknown, l) => {
                        all_false = false;
                        level = level.max(l);
                    }
                }
            }
            if all_false {
                (Tri::False, Level::Metadata)
            } else {
                (Tri::Unknown, level)
            }
        }
        Expr::Not { child, .. } => {
            let (t, l) = eval(child, combo);
            (t.not(), l)
        }
        // Unexpanded macro: nothing known.
        Expr::Ident { .. } => (Tri::Unknown, Level::Metadata),
        Expr::Check(c) => match &c.lhs {
            Operand::Field(f) => {
                if let Some(d) = dim_of(f) {
                    let v = match d {
                        Dim::Resource => combo.resource,
                        Dim::Subresource => combo.subresource,
                        Dim::Verb => combo.verb,
                        Dim::Stage => combo.stage,
                    };
                    return (eval_dim(c, v), Level::Metadata);
                }
                if matches!(f.name.as_str(), "jevt.rawtime" | "json.rawtime") {
                    // Falco's always-true / never-true idioms.
                    if c.op == Op::Exists {
                        return (Tri::True, Level::Metadata);
                    }
                    if let (Op::Eq, Some(Rhs::Value(l))) = (c.op, &c.rhs)
                        && l.text == "0"
                    {
                        return (Tri::False, Level::Metadata);
                    }
                }
                (Tri::Unknown, level_of(f))
            }
            other => (Tri::Unknown, operand_level(other)),
        },
    }
}

fn universe(lits: &BTreeSet<String>, absent: bool) -> Vec<Val> {
    let mut v: Vec<Val> = lits.iter().cloned().map(Val::Lit).collect();
    v.push(Val::Other);
    if absent {
        v.push(Val::Absent);
    }
    v
}

/// Analyse one expanded condition.
pub(crate) fn analyze(rule: &str, e: &Expr) -> RuleNeeds {
    let mut lits: [BTreeSet<String>; 4] = Default::default();
    let mut tested = [false; 4];
    collect(e, &mut lits, &mut tested);
    // A rule that names a resource but never looks at the subresource is about the object
    // itself: `pods/status` updates by the kubelet match it only by accident.
    let object_only = !tested[Dim::Subresource as usize];
    let resources = universe(&lits[Dim::Resource as usize], true);
    let subresources = universe(&lits[Dim::Subresource as usize], true);
    let verbs = universe(&lits[Dim::Verb as usize], false);
    let stage_vals: Vec<(Stage, Val)> = Stage::ALL
        .into_iter()
        .map(|s| (s, Val::Lit(s.as_str().to_string())))
        .collect();
    // (resource, subresource) → verb → (stages, level)
    type PerVerb = BTreeMap<Val, (BTreeSet<Stage>, Level)>;
    let mut table: BTreeMap<(Val, Val), PerVerb> = BTreeMap::new();
    for r in &resources {
        for s in &subresources {
            if *r == Val::Absent && *s != Val::Absent {
                continue;
            }
            if object_only && matches!(r, Val::Lit(_)) && *s != Val::Absent {
                continue;
            }
            // A known resource without subresources: `r/*` never happens.
            if let (Val::Lit(name), Val::Other) = (r, s)
                && !groups_of(name).is_empty()
                && subresources_of(name).is_empty()
            {
                continue;
            }
            for v in &verbs {
                for (stage, sv) in &stage_vals {
                    let combo = Combo {
                        resource: r,
                        subresource: s,
                        verb: v,
                        stage: sv,
                    };
                    let (t, level) = eval(e, &combo);
                    if t == Tri::False {
                        continue;
                    }
                    let slot = table
                        .entry((r.clone(), s.clone()))
                        .or_default()
                        .entry(v.clone())
                        .or_insert((BTreeSet::new(), Level::Metadata));
                    slot.0.insert(*stage);
                    slot.1 = slot.1.max(level);
                }
            }
        }
    }
    if table.is_empty() {
        return RuleNeeds {
            rule: rule.to_string(),
            needs: Vec::new(),
            never: true,
        };
    }
    let literal_verbs: BTreeSet<String> = lits[Dim::Verb as usize].clone();
    let mut needs = Vec::new();
    for ((r, s), per_verb) in table {
        let resource = match r {
            Val::Lit(name) => ResourceSel::Named {
                groups: groups_of(&name).iter().map(|g| g.to_string()).collect(),
                resource: name,
            },
            Val::Other => ResourceSel::Any,
            Val::Absent => ResourceSel::NonResource,
        };
        let subresource = match s {
            Val::Lit(name) => SubresourceSel::Named(name),
            Val::Other => SubresourceSel::Any,
            Val::Absent => SubresourceSel::None,
        };
        // Group verbs by what they need.
        let mut by_need: BTreeMap<(BTreeSet<Stage>, Level), (BTreeSet<String>, bool)> =
            BTreeMap::new();
        for (v, key) in per_verb {
            let slot = by_need.entry(key).or_default();
            match v {
                Val::Lit(name) => {
                    slot.0.insert(name);
                }
                _ => slot.1 = true,
            }
        }
        for ((stages, wanted), (named, other)) in by_need {
            let verbs = if other {
                VerbSel::AllExcept(
                    literal_verbs
                        .iter()
                        .filter(|v| !named.contains(*v))
                        .cloned()
                        .collect(),
                )
            } else {
                VerbSel::Only(named)
            };
            let mut need = Need {
                rule: rule.to_string(),
                resource: resource.clone(),
                subresource: subresource.clone(),
                verbs,
                stages,
                level: wanted,
                wanted,
                note: None,
            };
            cap(&mut need);
            needs.push(need);
        }
    }
    RuleNeeds {
        rule: rule.to_string(),
        needs,
        never: false,
    }
}

/// Apply the caps described in the module documentation.
fn cap(need: &mut Need) {
    if need.level <= Level::Metadata {
        return;
    }
    let note = match &need.resource {
        ResourceSel::NonResource => {
            Some("non-resource requests have no bodies: logged at Metadata".to_string())
        }
        ResourceSel::Any => Some(
            "the rule reads objects of any resource; logging every body would flood the log, \
             so only Metadata is asked for"
                .to_string(),
        ),
        ResourceSel::Named { groups, resource } if groups.is_empty() => Some(format!(
            "the API group of '{resource}' is unknown to vigil; only the catch-all Metadata \
             rule covers it"
        )),
        ResourceSel::Named { groups, resource } => {
            let sub = match &need.subresource {
                SubresourceSel::Named(s) => Some(s.as_str()),
                _ => None,
            };
            let sensitive = groups.iter().any(|g| is_sensitive(g, resource, sub))
                || (resource == "serviceaccounts" && need.subresource == SubresourceSel::Any);
            sensitive.then(|| {
                format!(
                    "bodies of {} carry credentials and are never logged above Metadata",
                    need.describe().rsplit(" on ").next().unwrap_or(resource)
                )
            })
        }
    };
    if let Some(n) = note {
        need.level = Level::Metadata;
        need.note = Some(n);
        return;
    }
    if need.level == Level::RequestResponse
        && (need.verbs.has_reads() || matches!(need.verbs, VerbSel::AllExcept(_)))
    {
        need.level = Level::Request;
        need.note = Some(
            "responses of reads (get/list/watch) would flood the log; only the request body is \
             asked for"
                .to_string(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(cond: &str) -> RuleNeeds {
        let e = vigil_filter::parse(cond).unwrap();
        analyze("r", &e)
    }

    #[test]
    fn pod_create_request() {
        let n = needs(
            "jevt.value[/stage] in (ResponseComplete) and ka.target.resource=pods and not \
             ka.target.subresource exists and ka.verb=create and \
             ka.req.pod.containers.privileged intersects (true)",
        );
        assert_eq!(n.needs.len(), 1, "{n:?}");
        let x = &n.needs[0];
        assert_eq!(x.level, Level::Request);
        assert_eq!(x.subresource, SubresourceSel::None);
        assert_eq!(x.verbs, VerbSel::Only(["create".to_string()].into()));
        assert_eq!(x.stages, [Stage::ResponseComplete].into());
        assert_eq!(x.describe(), "create on pods");
    }

    #[test]
    fn never_and_any() {
        assert!(needs("jevt.rawtime=0 and ka.verb=get").never);
        let n = needs("not ka.user.name startswith \"system:\"");
        assert!(!n.never);
        assert!(n.needs.iter().any(|x| x.resource == ResourceSel::Any));
        assert!(
            n.needs
                .iter()
                .any(|x| x.resource == ResourceSel::NonResource)
        );
        assert!(
            n.needs
                .iter()
                .all(|x| x.level == Level::Metadata && x.any_stage())
        );
    }

    #[test]
    fn caps() {
        let n = needs("ka.target.resource=secrets and ka.verb=create and ka.req.binding.role=x");
        assert_eq!(n.needs[0].level, Level::Metadata);
        assert_eq!(n.needs[0].wanted, Level::Request);
        assert!(n.needs[0].note.is_some());
        let n = needs("ka.target.resource=pods and ka.resp.name exists");
        let pods: Vec<_> = n.needs.iter().collect();
        assert!(pods.iter().all(|x| x.level == Level::Request), "{pods:?}");
        let n = needs("ka.target.resource=pods and ka.verb=create and ka.resp.name exists");
        assert_eq!(n.needs[0].level, Level::RequestResponse);
    }
}
