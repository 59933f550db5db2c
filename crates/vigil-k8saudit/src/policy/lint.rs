//! `vigil audit policy lint`: structural errors, rules that cannot fire, secrets logged with
//! bodies, missing `omitStages`, floods, unreachable and never-matching entries.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Value as J, json};

use super::eval::{self, Miss, Probe};
use super::groups::{SENSITIVE, groups_of};
use super::model::{Policy, PolicyRule, parse_policy};
use super::needs::RuleNeeds;
use super::{Level, READ_VERBS, RESOURCE_VERBS, Stage};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The API server refuses the policy (or silently misreads it).
    Error,
    /// The policy is valid but defeats detections, leaks secrets or floods the log.
    Warning,
    /// Worth knowing; no action required.
    Info,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One lint finding, at a 1-based line and column of the policy file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Severity.
    pub severity: Severity,
    /// Stable identifier: `structure`, `cannot-fire`, `secret-body`, `missing-omit-stages`,
    /// `flood`, `unreachable`, `wrong-group`, `unknown-verb`, `deprecated-api`,
    /// `no-catch-all`, `conditional`, `unanalysed-rule`, `not-evaluated`.
    pub code: &'static str,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
    /// What is wrong and what to do.
    pub message: String,
    /// The vigil rules concerned (for `cannot-fire`, `conditional`).
    pub rules: Vec<String>,
}

impl Finding {
    pub(crate) fn new(
        severity: Severity,
        code: &'static str,
        line: u32,
        col: u32,
        message: String,
    ) -> Finding {
        Finding {
            severity,
            code,
            line,
            col,
            message,
            rules: Vec::new(),
        }
    }

    /// JSON form.
    pub fn to_json(&self) -> J {
        json!({
            "severity": self.severity.as_str(),
            "code": self.code,
            "line": self.line,
            "col": self.col,
            "message": self.message,
            "rules": self.rules,
        })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}[{}]: {}",
            self.line,
            self.col,
            self.severity.as_str(),
            self.code,
            self.message
        )
    }
}

/// The result of linting one policy.
#[derive(Clone, Debug, Default)]
pub struct LintReport {
    /// Findings, sorted by position.
    pub findings: Vec<Finding>,
    /// The parsed policy, when it could be read.
    pub policy: Option<Policy>,
    /// Enabled vigil rules checked.
    pub rules_checked: usize,
    /// Of those, how many can fire for everything they need.
    pub rules_ok: usize,
}

impl LintReport {
    /// Number of findings of a severity.
    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    /// True when there is no error and no warning.
    pub fn is_clean(&self) -> bool {
        self.count(Severity::Error) == 0 && self.count(Severity::Warning) == 0
    }

    /// Findings with a given code.
    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.code == code)
    }

    /// JSON form (`path` names the file).
    pub fn to_json(&self, path: &str) -> J {
        json!({
            "file": path,
            "findings": self.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
            "summary": {
                "errors": self.count(Severity::Error),
                "warnings": self.count(Severity::Warning),
                "infos": self.count(Severity::Info),
                "rules_checked": self.rules_checked,
                "rules_ok": self.rules_ok,
            },
        })
    }

    /// Text form: `path:line:col: severity[code]: message` lines and a summary line.
    pub fn render(&self, path: &str) -> String {
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!("{path}:{f}\n"));
        }
        out.push_str(&format!(
            "{path}: {} error(s), {} warning(s), {} info(s); {} of {} enabled rule(s) can fire\n",
            self.count(Severity::Error),
            self.count(Severity::Warning),
            self.count(Severity::Info),
            self.rules_ok,
            self.rules_checked
        ));
        out
    }
}

fn rule_pos(policy: &Policy, index: Option<usize>) -> (u32, u32) {
    match index.and_then(|i| policy.rules.iter().find(|r| r.index == i)) {
        Some(r) => (r.line, r.col),
        None => (policy.rules_line, policy.rules_col),
    }
}

fn list(v: &[String], max: usize) -> String {
    let mut s = v.iter().take(max).cloned().collect::<Vec<_>>().join(", ");
    if v.len() > max {
        s.push_str(&format!(", … ({} more)", v.len() - max));
    }
    s
}

/// Lint a policy against the needs of vigil's enabled rules (see [`super::analyze_rules`]).
pub fn lint(text: &str, rules: &[RuleNeeds]) -> LintReport {
    let (policy, mut findings) = parse_policy(text);
    let mut report = LintReport::default();
    if let Some(policy) = &policy {
        let broken = findings.iter().any(|f| f.severity == Severity::Error);
        structure(policy, &mut findings);
        if broken {
            // The API server refuses the policy: which rules could fire is moot.
            findings.push(Finding::new(
                Severity::Info,
                "not-evaluated",
                policy.rules_line,
                policy.rules_col,
                "the API server would refuse this policy; fix the errors, then lint again to \
                 see which rules can fire"
                    .into(),
            ));
            report.rules_checked = rules.len();
        } else {
            let (checked, ok) = can_fire(policy, rules, &mut findings);
            report.rules_checked = checked;
            report.rules_ok = ok;
        }
    }
    findings.sort_by(|a, b| {
        (a.line, a.col, a.severity, a.code).cmp(&(b.line, b.col, b.severity, b.code))
    });
    report.findings = findings;
    report.policy = policy;
    report
}

fn is_wide(r: &PolicyRule) -> bool {
    if r.resources.is_empty() {
        return r.non_resource_urls.is_empty();
    }
    r.resources
        .iter()
        .any(|g| g.resources.is_empty() || g.resources.iter().any(|x| x == "*"))
}

fn scope(r: &PolicyRule) -> String {
    if r.resources.is_empty() {
        return if r.namespaces.is_empty() {
            "every resource".into()
        } else {
            format!("every resource in namespaces {}", list(&r.namespaces, 5))
        };
    }
    let parts: Vec<String> = r
        .resources
        .iter()
        .map(|g| {
            let group = if g.group.is_empty() {
                "core".to_string()
            } else {
                g.group.clone()
            };
            if g.resources.is_empty() {
                format!("all of group {group}")
            } else {
                format!("{} ({group})", g.resources.join(", "))
            }
        })
        .collect();
    parts.join("; ")
}

fn structure(policy: &Policy, out: &mut Vec<Finding>) {
    // Missing omitStages: RequestReceived doubles every request.
    if !policy.omit_stages.contains(&Stage::RequestReceived) {
        let logging: Vec<&PolicyRule> = policy
            .rules
            .iter()
            .filter(|r| r.level() > Level::None && !r.omit_stages.contains(&Stage::RequestReceived))
            .collect();
        if let Some(first) = logging.first() {
            let names: Vec<String> = logging
                .iter()
                .map(|r| format!("rules[{}]", r.index))
                .collect();
            out.push(Finding::new(
                Severity::Warning,
                "missing-omit-stages",
                first.line,
                first.col,
                format!(
                    "RequestReceived is not omitted ({}): every request is logged twice, and no \
                     vigil rule reads that stage; add `omitStages: [RequestReceived]` at the \
                     policy level",
                    list(&names, 6)
                ),
            ));
        }
    }
    let mut catch_all: Option<usize> = None;
    for r in policy.rules.iter().filter(|r| r.valid) {
        if let Some(c) = catch_all {
            out.push(Finding::new(
                Severity::Warning,
                "unreachable",
                r.line,
                r.col,
                format!(
                    "rules[{}] is never reached: rules[{c}] before it matches every request",
                    r.index
                ),
            ));
            continue;
        }
        if r.is_catch_all() {
            catch_all = Some(r.index);
        }
        // Verbs that never appear in audit events.
        for v in &r.verbs {
            let known = RESOURCE_VERBS.contains(&v.as_str())
                || matches!(
                    v.as_str(),
                    "proxy" | "post" | "put" | "head" | "options" | "connect"
                );
            if !known {
                out.push(Finding::new(
                    Severity::Warning,
                    "unknown-verb",
                    r.line,
                    r.col,
                    format!(
                        "rules[{}]: verb '{v}' never appears in audit events (verbs: {})",
                        r.index,
                        RESOURCE_VERBS.join(", ")
                    ),
                ));
            }
        }
        // Resources listed under a group they are not in.
        for g in &r.resources {
            for res in &g.resources {
                let base = res.split('/').next().unwrap_or(res);
                let groups = groups_of(base);
                if !groups.is_empty() && !groups.contains(&g.group.as_str()) {
                    out.push(Finding::new(
                        Severity::Warning,
                        "wrong-group",
                        r.line,
                        r.col,
                        format!(
                            "rules[{}]: '{res}' is not in group '{}' but in '{}': this entry never \
                             matches",
                            r.index,
                            g.group,
                            groups.join("', '")
                        ),
                    ));
                }
            }
        }
        // Floods.
        let level = r.level();
        let reads = r.verbs.is_empty() || r.verbs.iter().any(|v| READ_VERBS.contains(&v.as_str()));
        if level >= Level::Request && reads && is_wide(r) {
            out.push(Finding::new(
                Severity::Warning,
                "flood",
                r.line,
                r.col,
                format!(
                    "rules[{}] logs {level} for {} with all verbs including get/list/watch: \
                     leases, events and endpoint updates and every read flood the log; restrict \
                     it to the resources and write verbs that detections need",
                    r.index,
                    scope(r)
                ),
            ));
        } else if level == Level::RequestResponse && reads && !r.resources.is_empty() {
            out.push(Finding::new(
                Severity::Warning,
                "flood",
                r.line,
                r.col,
                format!(
                    "rules[{}] logs RequestResponse for get/list/watch of {}: every object read \
                     (whole lists on list/watch) goes to the log; restrict `verbs` to writes",
                    r.index,
                    scope(r)
                ),
            ));
        }
    }
    match policy.rules.last() {
        Some(last) if catch_all.is_none() && !last.is_catch_all() => out.push(Finding::new(
            Severity::Info,
            "no-catch-all",
            last.line,
            last.col,
            "no catch-all rule at the end: requests that match no rule are not logged".into(),
        )),
        _ => {}
    }
    secrets(policy, out);
}

/// Secrets and tokens logged with bodies.
fn secrets(policy: &Policy, out: &mut Vec<Finding>) {
    let mut hits: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (g, res, sub) in SENSITIVE {
        for verb in RESOURCE_VERBS {
            let p = Probe {
                resource: Some((g.to_string(), res.to_string(), sub.map(str::to_string))),
                verb: verb.to_string(),
            };
            for r in &policy.rules {
                if !eval::matches(r, &p) {
                    continue;
                }
                if r.level() >= Level::Request {
                    let what = match sub {
                        Some(s) => format!("{res}/{s}"),
                        None => res.to_string(),
                    };
                    hits.entry(r.index).or_default().insert(what);
                }
                if !r.is_conditional() {
                    break;
                }
            }
        }
    }
    for (index, what) in hits {
        let Some(r) = policy.rules.iter().find(|r| r.index == index) else {
            continue;
        };
        let what: Vec<String> = what.into_iter().collect();
        out.push(Finding::new(
            Severity::Warning,
            "secret-body",
            r.line,
            r.col,
            format!(
                "rules[{index}] logs {} at {}: Secret data and tokens end up in the audit log; \
                 add a `level: Metadata` rule for them before it",
                what.join(", "),
                r.level()
            ),
        ));
    }
}

/// Probes missed, the level needed, the stages the rule matches at.
type MissInfo = (Vec<String>, Level, BTreeSet<Stage>);

/// Rules that cannot fire. Returns (rules checked, rules that can fire fully).
fn can_fire(policy: &Policy, rules: &[RuleNeeds], out: &mut Vec<Finding>) -> (usize, usize) {
    let mut ok_count = 0;
    for rn in rules {
        // (deciding policy rule, miss) → (probes, needed level, stages)
        let mut misses: BTreeMap<(Option<usize>, Miss), MissInfo> = BTreeMap::new();
        let mut conditional: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for need in &rn.needs {
            for p in eval::probes(need) {
                let d = eval::decide(policy, &p);
                match eval::check(need, &d) {
                    Some(miss) => {
                        let slot = misses
                            .entry((d.rule, miss))
                            .or_insert_with(|| (Vec::new(), Level::None, BTreeSet::new()));
                        slot.0.push(p.describe());
                        slot.1 = slot.1.max(need.level.max(Level::Metadata));
                        slot.2.extend(need.stages.iter().copied());
                    }
                    None => {
                        for c in d.conditional {
                            if let Some(cr) = policy.rules.iter().find(|r| r.index == c) {
                                let fake = eval::Decision {
                                    rule: Some(c),
                                    level: cr.level(),
                                    omit: policy
                                        .omit_stages
                                        .union(&cr.omit_stages)
                                        .copied()
                                        .collect(),
                                    conditional: Vec::new(),
                                };
                                if eval::check(need, &fake).is_some() {
                                    conditional.entry(c).or_default().push(p.describe());
                                }
                            }
                        }
                    }
                }
            }
        }
        if misses.is_empty() {
            ok_count += 1;
        }
        for ((rule, miss), (mut probes, level, stages)) in misses {
            probes.sort();
            probes.dedup();
            let (line, col) = rule_pos(policy, rule);
            let by = match rule {
                Some(i) => format!("rules[{i}]"),
                None => "no policy rule (not logged)".to_string(),
            };
            let why = match miss {
                Miss::Level(got) => match rule {
                    Some(_) => format!("{by} logs it at {got}, the rule needs {level}"),
                    None => format!("{by} matches it; the rule needs {level}"),
                },
                Miss::Stages => format!(
                    "{by} omits {}, the only stage(s) the rule matches at",
                    stages
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let mut f = Finding::new(
                Severity::Warning,
                "cannot-fire",
                line,
                col,
                format!(
                    "rule '{}' cannot fire for {}: {why}",
                    rn.rule,
                    list(&probes, 4)
                ),
            );
            f.rules.push(rn.rule.clone());
            out.push(f);
        }
        for (c, mut probes) in conditional {
            probes.sort();
            probes.dedup();
            let (line, col) = rule_pos(policy, Some(c));
            let mut f = Finding::new(
                Severity::Info,
                "conditional",
                line,
                col,
                format!(
                    "rule '{}' will not see {} from the users, groups, namespaces or objects \
                     that rules[{c}] selects",
                    rn.rule,
                    list(&probes, 3)
                ),
            );
            f.rules.push(rn.rule.clone());
            out.push(f);
        }
    }
    (rules.len(), ok_count)
}
