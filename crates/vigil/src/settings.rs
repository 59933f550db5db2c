//! Falco-style configuration: a YAML config file (`-c`) and `-o key=value` overrides, resolved
//! into the settings the pipeline uses (rule selection, outputs).

use std::path::Path;

use anyhow::{Context, Result, bail};
use vigil_event::Priority;
use vigil_output::OutputOptions;
use vigil_rules::{RuleMatching, RulesetConfig, Selection};
use yaml_rust2::{Yaml, YamlLoader};

use crate::drops::{DropConfig, LogLevel};

/// Keys Falco accepts that have no effect in vigil (engine and plugin plumbing, logging
/// destinations, drivers): accepted silently.
const ACCEPTED_WITHOUT_EFFECT: &[&str] = &[
    "append_output",
    "base_syscalls",
    "buffer_format_base64",
    "config_files",
    "engine",
    "grpc",
    "grpc_output",
    "http_output",
    "libs_logger",
    "load_plugins",
    "log_stderr",
    "log_syslog",
    "metrics",
    "plugins",
    "rules_file",
    "rules_files",
    "syscall_event_timeouts",
    "syslog_output",
    "watch_config_files",
    "webserver",
];

/// Resolved settings.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// Rule selection, minimum priority, first/all matching.
    pub(crate) ruleset: RulesetConfig,
    /// Output formatting and sinks.
    pub(crate) output: OutputOptions,
    /// Keys that were not understood (printed as warnings).
    pub(crate) ignored: Vec<String>,
    /// `syscall_event_drops.*`: drop monitoring.
    pub(crate) drops: DropConfig,
    /// `log_level`: the least severe log line printed (Falco's default: info).
    pub(crate) log_level: LogLevel,
    /// `syscall_event_drops.actions` as given, validated once everything is applied.
    drop_actions: Option<Vec<String>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ruleset: RulesetConfig::default(),
            output: OutputOptions::default(),
            ignored: Vec::new(),
            drops: DropConfig::default(),
            log_level: LogLevel::Info,
            drop_actions: None,
        }
    }
}

impl Settings {
    /// Settings from an optional config file, then `-o` overrides in order.
    pub(crate) fn resolve(config: Option<&Path>, overrides: &[String]) -> Result<Settings> {
        let mut s = Settings::default();
        if let Some(path) = config {
            s.apply_config_file(path)?;
        }
        for kv in overrides {
            let Some((k, v)) = kv.split_once('=') else {
                bail!("invalid -o option '{kv}': expected key=value");
            };
            s.apply(k.trim(), v.trim())
                .with_context(|| format!("option -o {kv}"))?;
        }
        // As Falco, the drop settings are checked once the configuration is complete.
        let origin = config.map_or_else(|| "-o options".to_string(), |p| p.display().to_string());
        let invalid = |msg: String| anyhow::anyhow!("Error reading config file ({origin}): {msg}");
        if let Some(names) = &s.drop_actions {
            s.drops.actions = DropConfig::parse_actions(names).map_err(invalid)?;
        }
        s.drops.validate().map_err(invalid)?;
        Ok(s)
    }

    /// One `key=value` setting (Falco's `-o` syntax, `rules[].enable.tag=T` included).
    pub(crate) fn apply(&mut self, key: &str, value: &str) -> Result<()> {
        match key {
            "priority" => {
                self.ruleset.min_priority = value
                    .parse::<Priority>()
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            "rule_matching" => {
                self.ruleset.rule_matching = match value {
                    "first" => RuleMatching::First,
                    "all" => RuleMatching::All,
                    _ => bail!(
                        "Unknown rule matching strategy \"{value}\", supported values: first, all"
                    ),
                };
            }
            "log_level" => {
                self.log_level = value.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            }
            "syscall_event_drops.actions" => self.drop_actions = Some(list(value)),
            "syscall_event_drops.actions[]" => {
                self.drop_actions
                    .get_or_insert_with(Vec::new)
                    .push(value.to_string());
            }
            "syscall_event_drops.threshold" => self.drops.threshold = number(key, value)?,
            "syscall_event_drops.rate" => self.drops.rate = number(key, value)?,
            "syscall_event_drops.max_burst" => self.drops.max_burst = number(key, value)?,
            "syscall_event_drops.simulate_drops" => {
                self.drops.simulate_drops = vigil_output::parse_bool(value).ok_or_else(|| {
                    anyhow::anyhow!("invalid value '{value}' for '{key}': expected a boolean")
                })?;
            }
            "rules[].enable.rule" => self.select(Selection::EnableRule(value.to_string())),
            "rules[].disable.rule" => self.select(Selection::DisableRule(value.to_string())),
            "rules[].enable.tag" => self.select(Selection::EnableTag(value.to_string())),
            "rules[].disable.tag" => self.select(Selection::DisableTag(value.to_string())),
            _ => {
                if !self
                    .output
                    .apply_option(key, value)
                    .map_err(|e| anyhow::anyhow!("{}", e.message))?
                {
                    let top = key.split(['.', '[']).next().unwrap_or(key);
                    if !ACCEPTED_WITHOUT_EFFECT.contains(&top) {
                        self.ignored.push(key.to_string());
                    }
                }
            }
        }
        Ok(())
    }

    fn select(&mut self, s: Selection) {
        self.ruleset.selections.push(s);
    }

    /// Apply a Falco YAML config file: scalars by dotted key, and the `rules:` selection list.
    pub(crate) fn apply_config_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        let docs = YamlLoader::load_from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        for doc in &docs {
            let Yaml::Hash(map) = doc else {
                if matches!(doc, Yaml::Null) {
                    continue;
                }
                bail!("{}: the config file is not a YAML mapping", path.display());
            };
            for (k, v) in map {
                let Some(k) = k.as_str() else { continue };
                self.apply_yaml(k, v)
                    .with_context(|| format!("{}: key '{k}'", path.display()))?;
            }
        }
        Ok(())
    }

    fn apply_yaml(&mut self, key: &str, v: &Yaml) -> Result<()> {
        match v {
            Yaml::Hash(map) => {
                for (k, v) in map {
                    if let Some(k) = k.as_str() {
                        self.apply_yaml(&format!("{key}.{k}"), v)?;
                    }
                }
                Ok(())
            }
            Yaml::Array(items) if key == "rules" => {
                // rules: [{disable: {rule: X}}, {enable: {tag: T}}]
                for item in items {
                    let Yaml::Hash(m) = item else { continue };
                    for (action, what) in m {
                        let (Some(action), Yaml::Hash(what)) = (action.as_str(), what) else {
                            continue;
                        };
                        for (kind, name) in what {
                            if let (Some(kind), Some(name)) = (kind.as_str(), scalar(name)) {
                                self.apply(&format!("rules[].{action}.{kind}"), &name)?;
                            }
                        }
                    }
                }
                Ok(())
            }
            Yaml::Array(items) if key == "syscall_event_drops.actions" => {
                self.drop_actions = Some(items.iter().filter_map(scalar).collect());
                Ok(())
            }
            Yaml::Array(_) | Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => {
                let top = key.split('.').next().unwrap_or(key);
                if !ACCEPTED_WITHOUT_EFFECT.contains(&top) {
                    self.ignored.push(key.to_string());
                }
                Ok(())
            }
            other => match scalar(other) {
                Some(s) => self.apply(key, &s),
                None => Ok(()),
            },
        }
    }
}

/// A number setting (YAML's `.5`, `1e-3` and integers included).
fn number(key: &str, value: &str) -> Result<f64> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| !v.is_nan())
        .ok_or_else(|| anyhow::anyhow!("invalid value '{value}' for '{key}': expected a number"))
}

/// A list given on the command line: `[a, b]` (YAML flow sequence) or a single `a`.
fn list(value: &str) -> Vec<String> {
    let v = value.trim();
    let inner = v
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(v);
    inner
        .split(',')
        .map(|s| s.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn scalar(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_in_order() {
        let s = Settings::resolve(
            None,
            &[
                "rules[].disable.rule=*".into(),
                "rules[].enable.tag=a".into(),
                "priority=warning".into(),
                "json_output=true".into(),
                "rule_matching=all".into(),
                "engine.kind=replay".into(),
                "made_up.key=1".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            s.ruleset.selections,
            [
                Selection::DisableRule("*".into()),
                Selection::EnableTag("a".into())
            ]
        );
        assert_eq!(s.ruleset.min_priority, Priority::Warning);
        assert_eq!(s.ruleset.rule_matching, RuleMatching::All);
        assert!(s.output.json_output);
        assert_eq!(s.ignored, ["made_up.key"]);
        assert!(Settings::resolve(None, &["rule_matching=some".into()]).is_err());
        assert!(Settings::resolve(None, &["priority=loud".into()]).is_err());
        assert!(Settings::resolve(None, &["novalue".into()]).is_err());
    }

    #[test]
    fn syscall_event_drops_settings() {
        use crate::drops::DropAction;
        let s = Settings::resolve(
            None,
            &[
                "syscall_event_drops.actions=[log, exit]".into(),
                "syscall_event_drops.actions[]=alert".into(),
                "syscall_event_drops.threshold=.5".into(),
                "syscall_event_drops.rate=1".into(),
                "syscall_event_drops.max_burst=3".into(),
                "syscall_event_drops.simulate_drops=true".into(),
                "log_level=debug".into(),
            ],
        )
        .unwrap();
        assert_eq!(
            s.drops.actions,
            [DropAction::Log, DropAction::Exit, DropAction::Alert]
        );
        assert_eq!(
            (s.drops.threshold, s.drops.rate, s.drops.max_burst),
            (0.5, 1.0, 3.0)
        );
        assert!(s.drops.simulate_drops);
        assert_eq!(s.log_level, LogLevel::Debug);
        assert!(s.ignored.is_empty());
        // Falco's defaults (shipped falco.yaml).
        let d = Settings::resolve(None, &[]).unwrap();
        assert_eq!(d.drops.actions, [DropAction::Log, DropAction::Alert]);
        assert_eq!(d.log_level, LogLevel::Info);
        for bad in [
            "syscall_event_drops.threshold=2",
            "syscall_event_drops.actions=[ignore, alert]",
            "syscall_event_drops.actions=shout",
            "syscall_event_drops.rate=fast",
            "log_level=loud",
        ] {
            assert!(Settings::resolve(None, &[bad.into()]).is_err(), "{bad}");
        }
        let e = Settings::resolve(None, &["syscall_event_drops.threshold=-1".into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("threshold must be a double in the range [0, 1]"),
            "{e}"
        );
    }
}
