//! The immutable, event-type-indexed ruleset and its selection (enable/disable, priority,
//! rule matching).

use std::cell::RefCell;
use std::sync::Arc;

use vigil_event::{EventTypeId, Extract, Priority};
use vigil_filter::{EventTypes, Filter, Memo};

use crate::LoadOptions;
use crate::text::matches_wildcard;

thread_local! {
    /// The evaluating thread's results of shared sub-expressions for the current event.
    static MEMO: RefCell<Memo> = RefCell::new(Memo::new());
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Name.
    pub name: String,
    /// Description.
    pub desc: String,
    /// The condition text as compiled: appends and exceptions applied, lists substituted
    /// later at parse time, macros not expanded.
    pub condition: String,
    /// Output format (`%container.info` removed).
    pub output: String,
    /// Priority.
    pub priority: Priority,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Event source (`syscall`, `k8s_audit`).
    pub source: String,
    /// Enabled in the rules file (before any [`RulesetConfig`] selection).
    pub enabled: bool,
    /// `capture: true`.
    pub capture: bool,
    /// `capture_duration`.
    pub capture_duration: u32,
    /// Number of exceptions.
    pub exceptions: usize,
    /// Fields used by the exceptions, sorted.
    pub exception_fields: Vec<String>,
    /// Event types the condition can match.
    pub event_types: EventTypes,
    /// The condition as compiled: lists substituted and macros expanded (for tools that
    /// reason about conditions, e.g. audit-policy generation).
    pub expr: vigil_filter::ast::Expr,
    /// The compiled condition.
    pub filter: Filter,
}

impl Rule {
    /// True when the rule has this tag.
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// Which matching rules an event reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RuleMatching {
    /// Only the first matching rule in load order (Falco's default).
    #[default]
    First,
    /// Every matching rule.
    All,
}

/// One enable/disable step, applied in order (Falco's `rules[]` config entries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// `rules[].enable.rule=NAME` (`*` wildcards).
    EnableRule(String),
    /// `rules[].disable.rule=NAME` (`*` wildcards).
    DisableRule(String),
    /// `rules[].enable.tag=TAG`.
    EnableTag(String),
    /// `rules[].disable.tag=TAG`.
    DisableTag(String),
}

/// Selection applied to a loaded ruleset ([`Ruleset::configure`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesetConfig {
    /// Applied in order after each rule's own `enabled`.
    pub selections: Vec<Selection>,
    /// Rules less severe than this never run (`-o priority=`).
    pub min_priority: Priority,
    /// First match or all matches.
    pub rule_matching: RuleMatching,
}

impl Default for RulesetConfig {
    fn default() -> Self {
        RulesetConfig {
            selections: Vec::new(),
            min_priority: Priority::Debug,
            rule_matching: RuleMatching::First,
        }
    }
}

impl RulesetConfig {
    /// Add a selection step.
    pub fn select(mut self, s: Selection) -> Self {
        self.selections.push(s);
        self
    }

    /// Set the minimum priority.
    pub fn min_priority(mut self, p: Priority) -> Self {
        self.min_priority = p;
        self
    }

    /// Set the rule matching mode.
    pub fn rule_matching(mut self, m: RuleMatching) -> Self {
        self.rule_matching = m;
        self
    }
}

/// Per-source index of the active rules.
#[derive(Debug, Clone)]
struct SourceIndex {
    name: String,
    /// Active rules of any type, in load order, per event type (rules matching all types
    /// are merged into every bucket).
    by_type: Vec<Vec<u32>>,
    /// Active rules matching all types (events without a type, or with an unknown one).
    all_types: Vec<u32>,
    /// Every active rule of this source (for events without an event type).
    every: Vec<u32>,
    /// Union of the event types of the active rules.
    interest: EventTypes,
}

/// An immutable set of compiled rules, indexed by source and event type. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Ruleset {
    rules: Arc<[Rule]>,
    active: Arc<[bool]>,
    sources: Arc<[SourceIndex]>,
    /// (source name, number of event types) as known at load time.
    source_types: Arc<[(String, usize)]>,
    config: RulesetConfig,
}

impl Ruleset {
    pub(crate) fn new(rules: Vec<Rule>, opts: &LoadOptions) -> Ruleset {
        let source_types: Vec<(String, usize)> = opts
            .schemas
            .iter()
            .map(|s| (s.source().to_string(), s.event_types().len()))
            .collect();
        let rs = Ruleset {
            rules: rules.into(),
            active: Arc::from(Vec::new()),
            sources: Arc::from(Vec::new()),
            source_types: source_types.into(),
            config: RulesetConfig::default(),
        };
        rs.configure(&RulesetConfig::default())
    }

    /// A copy with this selection applied (starting again from each rule's `enabled`).
    pub fn configure(&self, config: &RulesetConfig) -> Ruleset {
        let mut active: Vec<bool> = self.rules.iter().map(|r| r.enabled).collect();
        for s in &config.selections {
            for (i, r) in self.rules.iter().enumerate() {
                match s {
                    Selection::EnableRule(p) if matches_wildcard(p, &r.name) => active[i] = true,
                    Selection::DisableRule(p) if matches_wildcard(p, &r.name) => {
                        active[i] = false;
                    }
                    Selection::EnableTag(t) if r.has_tag(t) => active[i] = true,
                    Selection::DisableTag(t) if r.has_tag(t) => active[i] = false,
                    _ => {}
                }
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            if !r.priority.at_least(config.min_priority) {
                active[i] = false;
            }
        }
        let sources = self
            .source_types
            .iter()
            .map(|(name, ntypes)| build_index(&self.rules, &active, name, *ntypes))
            .collect::<Vec<_>>();
        Ruleset {
            rules: self.rules.clone(),
            active: active.into(),
            sources: sources.into(),
            source_types: self.source_types.clone(),
            config: config.clone(),
        }
    }

    /// Every loaded rule, in load order (active or not).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// A rule by name.
    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }

    /// True when the rule at this index runs under the current selection.
    pub fn is_active(&self, index: usize) -> bool {
        self.active.get(index).copied().unwrap_or(false)
    }

    /// The rules that run under the current selection, in load order.
    pub fn active_rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules
            .iter()
            .zip(self.active.iter())
            .filter(|(_, a)| **a)
            .map(|(r, _)| r)
    }

    /// The selection in effect.
    pub fn config(&self) -> &RulesetConfig {
        &self.config
    }

    /// Union of the event types of the active rules of `source` (`Only(vec![])` when none).
    pub fn interest(&self, source: &str) -> EventTypes {
        self.sources
            .iter()
            .find(|s| s.name == source)
            .map_or(EventTypes::Only(Vec::new()), |s| s.interest.clone())
    }

    /// Evaluate the active rules of `source` that can match this event's type, in load
    /// order, pushing the matching ones to `hits` (only the first with
    /// [`RuleMatching::First`]).
    pub fn evaluate<'r>(&'r self, source: &str, ev: &dyn Extract, hits: &mut Vec<&'r Rule>) {
        self.for_each_match(source, ev, |_, rule| hits.push(rule));
    }

    /// Like [`Ruleset::evaluate`], pushing the matching rules' indices in
    /// [`Ruleset::rules`] (for callers that keep per-rule data, such as compiled output
    /// templates, in a parallel vector).
    pub fn evaluate_indices(&self, source: &str, ev: &dyn Extract, hits: &mut Vec<usize>) {
        self.for_each_match(source, ev, |i, _| hits.push(i));
    }

    fn for_each_match<'r>(
        &'r self,
        source: &str,
        ev: &dyn Extract,
        mut hit: impl FnMut(usize, &'r Rule),
    ) {
        let Some(ix) = self.sources.iter().find(|s| s.name == source) else {
            return;
        };
        let bucket: &[u32] = match ev.event_type() {
            Some(t) => ix
                .by_type
                .get(usize::from(t))
                .map_or(&ix.all_types[..], |v| &v[..]),
            None => &ix.every,
        };
        MEMO.with(|memo| {
            // Shared sub-expressions are evaluated once per event (re-entered from an
            // `Extract`, which no source does, evaluation goes without the memo).
            let mut memo = memo.try_borrow_mut();
            if let Ok(m) = &mut memo {
                m.next_event();
            }
            for &i in bucket {
                let Some(rule) = self.rules.get(i as usize) else {
                    continue;
                };
                let matched = match &mut memo {
                    Ok(m) => rule.filter.eval_memo(ev, m),
                    Err(_) => rule.filter.eval(ev),
                };
                if matched {
                    hit(i as usize, rule);
                    if self.config.rule_matching == RuleMatching::First {
                        return;
                    }
                }
            }
        });
    }
}

fn build_index(rules: &[Rule], active: &[bool], source: &str, ntypes: usize) -> SourceIndex {
    let mut by_type: Vec<Vec<u32>> = vec![Vec::new(); ntypes];
    let mut all_types = Vec::new();
    let mut every = Vec::new();
    let mut any_all = false;
    let mut union: Vec<EventTypeId> = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        if !active[i] || r.source != source {
            continue;
        }
        let id = u32::try_from(i).unwrap_or(u32::MAX);
        every.push(id);
        match &r.event_types {
            EventTypes::All => {
                any_all = true;
                all_types.push(id);
                for b in &mut by_type {
                    b.push(id);
                }
            }
            EventTypes::Only(types) => {
                for &t in types {
                    union.push(t);
                    if let Some(b) = by_type.get_mut(usize::from(t))
                        && b.last() != Some(&id)
                    {
                        b.push(id);
                    }
                }
            }
        }
    }
    union.sort_unstable();
    union.dedup();
    SourceIndex {
        name: source.to_string(),
        by_type,
        all_types,
        every,
        interest: if any_all {
            EventTypes::All
        } else {
            EventTypes::Only(union)
        },
    }
}
