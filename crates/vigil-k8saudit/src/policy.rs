//! Kubernetes audit `Policy` (`audit.k8s.io/v1`) support: what vigil's `k8s_audit` rules need
//! from the policy ([`analyze_rules`]), the least policy under which every enabled rule can
//! fire ([`generate`]), and a linter for operators' policies ([`lint`]).
//!
//! The pipeline:
//!
//! ```text
//! rule files ──vigil_rules::load──▶ Ruleset (enabled k8s_audit rules, exceptions applied)
//!            ──macros + lists──────▶ expanded condition ASTs
//!            ──analyze_rules───────▶ Need { resource, subresource, verbs, stages, level }
//! Needs ──generate──▶ Policy YAML (commented)      Needs + policy YAML ──lint──▶ findings
//! ```
//!
//! A rule's needs come from a three-valued partial evaluation of its condition over the
//! values it tests on the policy's dimensions (`ka.target.resource`, `ka.target.subresource`,
//! `ka.verb`, the stage): every combination under which the condition is not definitely
//! false is a combination the policy must log, at the level the remaining checks read
//! (`ka.req.*`, `jevt.value[/requestObject…]` → `Request`; `ka.resp.*`,
//! `ka.target.pod.name`, `jevt.value[/responseObject…]` → `RequestResponse`; everything
//! else, response codes and annotations included, is in `Metadata`). Needs are capped, and
//! the cap recorded in [`Need::note`]: Secrets, `serviceaccounts/token` and `tokenreviews`
//! are never asked for above `Metadata`, nor are requests of unknown resources or groups,
//! and responses of reads (`get`/`list`/`watch`) are never asked for.
//!
//! Policy evaluation follows `k8s.io/apiserver/pkg/audit/policy/checker.go`: the first
//! matching rule sets the level, no match means `None`, `pods` does not match
//! subresources, `*`, `pods/*`, `*/scale` patterns, `group` is exact (`""` = core),
//! `omitStages` of the policy and the rule are unioned, and `Request`/`RequestResponse` do
//! not apply to non-resource requests.

mod eval;
mod generate;
mod groups;
mod lint;
mod model;
mod needs;

pub use generate::{GenerateOptions, generate};
pub use groups::{groups_of, is_sensitive};
pub use lint::{Finding, LintReport, Severity, lint};
pub use model::{GroupResources, Policy, PolicyRule, parse_policy};
pub use needs::{
    Need, ResourceSel, RuleNeeds, SubresourceSel, VerbSel, analyze_rules, analyze_ruleset,
};

use std::fmt;

/// An audit level, ordered from least to most logged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Not logged.
    #[default]
    None,
    /// Request metadata: user, verb, resource, response status, annotations.
    Metadata,
    /// Metadata and the request body.
    Request,
    /// Metadata, request and response bodies.
    RequestResponse,
}

impl Level {
    /// Every level, in order.
    pub const ALL: [Level; 4] = [
        Level::None,
        Level::Metadata,
        Level::Request,
        Level::RequestResponse,
    ];

    /// The name as written in a policy.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "None",
            Level::Metadata => "Metadata",
            Level::Request => "Request",
            Level::RequestResponse => "RequestResponse",
        }
    }

    /// Parse a level name (case-sensitive, as the API server does).
    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stage of request handling at which an audit event is emitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// As soon as the request is received, before the handler chain.
    RequestReceived,
    /// Response headers sent (long-running requests only: watch, exec, attach, …).
    ResponseStarted,
    /// The response is complete.
    ResponseComplete,
    /// The handler panicked.
    Panic,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 4] = [
        Stage::RequestReceived,
        Stage::ResponseStarted,
        Stage::ResponseComplete,
        Stage::Panic,
    ];

    /// The name as written in a policy and in events.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::RequestReceived => "RequestReceived",
            Stage::ResponseStarted => "ResponseStarted",
            Stage::ResponseComplete => "ResponseComplete",
            Stage::Panic => "Panic",
        }
    }

    /// Parse a stage name (case-sensitive).
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verbs of resource requests, in the order they are listed.
pub const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

/// Read verbs: their responses carry whole objects or collections.
pub const READ_VERBS: &[&str] = &["get", "list", "watch"];
