//! Syscall event drop monitoring with the semantics of Falco's `syscall_event_drops`
//! configuration (falco `userspace/falco/event_drops.cpp`, `configuration.cpp`): once per
//! second of event time the monitor compares the sensor's counters with the previous check;
//! if events were dropped and the share of dropped events exceeds `threshold`, that is one
//! occurrence, and when a token bucket (`rate` tokens per second, at most `max_burst`,
//! starting full) grants a token the configured actions are taken: `log` (a debug log line),
//! `alert` (an internal alert through the normal outputs, with the drop counters as output
//! fields), `exit` (stop with an error), `ignore` (nothing). `simulate_drops` adds one drop
//! to every check and sets the threshold to zero (Falco's test hook; it works on a replay).
//!
//! The monitor is clock-agnostic: callers pass the time (event timestamps in a replay, the
//! wall clock live) and the counters; the actions go through [`DropActions`].

use std::fmt;

use anyhow::Result;

/// Falco's rule name for the internal alert and the text its log lines start with; kept
/// verbatim because consumers of Falco alerts (and Falco's regression cases) match on it.
pub(crate) const DROP_RULE: &str = "Falco internal: syscall event drop";

const ONE_SECOND_NS: u64 = 1_000_000_000;

/// Falco's logger levels, most severe first (`log_level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LogLevel {
    Emergency,
    Alert,
    Critical,
    Error,
    Warning,
    Notice,
    Info,
    Debug,
}

impl std::str::FromStr for LogLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<LogLevel, String> {
        Ok(match s {
            "emergency" => LogLevel::Emergency,
            "alert" => LogLevel::Alert,
            "critical" => LogLevel::Critical,
            "error" => LogLevel::Error,
            "warning" => LogLevel::Warning,
            "notice" => LogLevel::Notice,
            "info" => LogLevel::Info,
            "debug" => LogLevel::Debug,
            _ => return Err(format!("Unknown log level {s}")),
        })
    }
}

/// What to do when drops are detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DropAction {
    /// `ignore`: nothing.
    Ignore,
    /// `log`: a debug-level log line.
    Log,
    /// `alert`: an internal alert through the outputs.
    Alert,
    /// `exit`: a critical log line, then stop with an error.
    Exit,
}

impl fmt::Display for DropAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropAction::Ignore => "ignore",
            DropAction::Log => "log",
            DropAction::Alert => "alert",
            DropAction::Exit => "exit",
        })
    }
}

/// The `syscall_event_drops` settings, validated.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DropConfig {
    /// The actions, deduplicated, in the order given.
    pub(crate) actions: Vec<DropAction>,
    /// Share of dropped events (0..=1) above which drops count.
    pub(crate) threshold: f64,
    /// Tokens gained per second.
    pub(crate) rate: f64,
    /// Most tokens held (the bucket starts full).
    pub(crate) max_burst: f64,
    /// Add one drop at every check (threshold becomes 0).
    pub(crate) simulate_drops: bool,
}

impl Default for DropConfig {
    /// The values of Falco's shipped `falco.yaml`: log and alert, threshold 0.1, one action
    /// every 30 seconds at most.
    fn default() -> Self {
        DropConfig {
            actions: vec![DropAction::Log, DropAction::Alert],
            threshold: 0.1,
            rate: 0.03333,
            max_burst: 1.0,
            simulate_drops: false,
        }
    }
}

impl DropConfig {
    /// Parse the `actions` list as Falco does: `log` or `alert` after `ignore` is an error,
    /// an empty list means `ignore`.
    pub(crate) fn parse_actions(names: &[String]) -> Result<Vec<DropAction>, String> {
        let mut out: Vec<DropAction> = Vec::new();
        for name in names {
            let act = match name.as_str() {
                "ignore" => DropAction::Ignore,
                "log" => DropAction::Log,
                "alert" => DropAction::Alert,
                "exit" => DropAction::Exit,
                _ => {
                    return Err(
                        "available actions for syscall event drops are \"ignore\", \"log\", \"alert\", and \"exit\""
                            .into(),
                    );
                }
            };
            if matches!(act, DropAction::Log | DropAction::Alert)
                && out.contains(&DropAction::Ignore)
            {
                return Err(format!(
                    "syscall event drop action \"{name}\" does not make sense with the \"ignore\" action"
                ));
            }
            if !out.contains(&act) {
                out.push(act);
            }
        }
        if out.is_empty() {
            out.push(DropAction::Ignore);
        }
        Ok(out)
    }

    /// Check the numbers (Falco checks only the threshold; a negative rate or burst would
    /// make the bucket meaningless, so they are refused too).
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(
                "syscall event drops threshold must be a double in the range [0, 1]".into(),
            );
        }
        if !(self.rate >= 0.0 && self.rate.is_finite()) {
            return Err("syscall event drops rate must be a non-negative number".into());
        }
        if !(self.max_burst >= 0.0 && self.max_burst.is_finite()) {
            return Err("syscall event drops max_burst must be a non-negative number".into());
        }
        Ok(())
    }
}

/// A token bucket: `rate` tokens per second up to `max`, starting full.
#[derive(Clone, Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    max: f64,
    tokens: f64,
    last_ns: Option<u64>,
}

impl TokenBucket {
    pub(crate) fn new(rate: f64, max: f64) -> TokenBucket {
        TokenBucket {
            rate,
            max,
            tokens: max,
            last_ns: None,
        }
    }

    /// Take one token at time `now_ns` if there is one.
    pub(crate) fn claim(&mut self, now_ns: u64) -> bool {
        if let Some(last) = self.last_ns {
            let gained = self.rate * (now_ns.saturating_sub(last) as f64 / 1e9);
            self.tokens = (self.tokens + gained).min(self.max);
        }
        self.last_ns = Some(now_ns);
        if self.tokens < 1.0 {
            return false;
        }
        self.tokens -= 1.0;
        true
    }
}

/// The sensor's cumulative counters (all zero for a capture, which records no drops).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counters {
    /// Events the sensor saw, dropped ones included.
    pub(crate) evts: u64,
    /// Events lost, all causes.
    pub(crate) drops: u64,
    /// Events lost because the ring buffer was full.
    pub(crate) drops_buffer: u64,
    /// Strings (paths, argv) that could not be read (the event was kept without them).
    pub(crate) unreadable_strings: u64,
    /// Sockets behind fds that could not be read (the event was kept without them).
    pub(crate) unreadable_sockets: u64,
}

impl Counters {
    fn since(&self, earlier: &Counters) -> Counters {
        Counters {
            evts: self.evts.saturating_sub(earlier.evts),
            drops: self.drops.saturating_sub(earlier.drops),
            drops_buffer: self.drops_buffer.saturating_sub(earlier.drops_buffer),
            unreadable_strings: self
                .unreadable_strings
                .saturating_sub(earlier.unreadable_strings),
            unreadable_sockets: self
                .unreadable_sockets
                .saturating_sub(earlier.unreadable_sockets),
        }
    }

    /// The internal alert's output fields (Falco's names where Falco has the counter), sorted
    /// by name as Falco's JSON object is.
    pub(crate) fn output_fields(&self, live_sensor: bool) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("ebpf_enabled", u8::from(live_sensor).to_string()),
            ("n_drops", self.drops.to_string()),
            ("n_drops_buffer_total", self.drops_buffer.to_string()),
            ("n_evts", self.evts.to_string()),
            ("n_unreadable_sockets", self.unreadable_sockets.to_string()),
            ("n_unreadable_strings", self.unreadable_strings.to_string()),
        ];
        v.sort_unstable_by_key(|(k, _)| *k);
        v
    }
}

/// Where the monitor's actions go.
pub(crate) trait DropActions {
    /// A log line at `level` (shown if the configured `log_level` allows it).
    fn log(&mut self, level: LogLevel, msg: &str);
    /// An internal alert (priority Debug, source `internal`) at time `now_ns`.
    fn alert(&mut self, now_ns: u64, msg: &str, delta: &Counters) -> Result<()>;
}

/// The monitor: call [`DropMonitor::check`] for every event (or every poll, live).
#[derive(Clone, Debug)]
pub(crate) struct DropMonitor {
    config: DropConfig,
    bucket: TokenBucket,
    next_check_ns: u64,
    last: Counters,
    detected: u64,
    actions_taken: u64,
}

impl DropMonitor {
    /// A monitor starting from the counters `initial`.
    pub(crate) fn new(config: &DropConfig, initial: Counters) -> DropMonitor {
        let mut config = config.clone();
        if config.simulate_drops {
            config.threshold = 0.0;
        }
        DropMonitor {
            bucket: TokenBucket::new(config.rate, config.max_burst),
            config,
            next_check_ns: 0,
            last: initial,
            detected: 0,
            actions_taken: 0,
        }
    }

    /// Look at the counters if a second has passed since the last look (the first call
    /// only starts the clock); take the actions when drops are detected and the bucket
    /// allows. `Ok(false)` when an `exit` action asks the caller to stop.
    #[inline]
    pub(crate) fn check(
        &mut self,
        now_ns: u64,
        counters: impl FnOnce() -> Counters,
        out: &mut dyn DropActions,
    ) -> Result<bool> {
        if self.next_check_ns == 0 {
            self.next_check_ns = now_ns.saturating_add(ONE_SECOND_NS);
            return Ok(true);
        }
        if now_ns <= self.next_check_ns {
            return Ok(true);
        }
        self.next_check_ns = now_ns.saturating_add(ONE_SECOND_NS);
        self.measure(now_ns, counters(), out)
    }

    fn measure(
        &mut self,
        now_ns: u64,
        counters: Counters,
        out: &mut dyn DropActions,
    ) -> Result<bool> {
        let mut delta = counters.since(&self.last);
        self.last = counters;
        if self.config.simulate_drops {
            out.log(LogLevel::Info, "Simulating syscall event drop");
            delta.drops += 1;
        }
        if delta.drops == 0 {
            return Ok(true);
        }
        // `evts` includes the dropped events; no events at all makes the share infinite.
        let ratio = delta.drops as f64 / delta.evts as f64;
        if ratio <= self.config.threshold {
            return Ok(true);
        }
        self.detected += 1;
        if !self.bucket.claim(now_ns) {
            out.log(
                LogLevel::Debug,
                "Syscall event drop but token bucket depleted, skipping actions",
            );
            return Ok(true);
        }
        self.actions_taken += 1;
        self.perform(now_ns, &delta, out)
    }

    fn perform(&self, now_ns: u64, delta: &Counters, out: &mut dyn DropActions) -> Result<bool> {
        let msg = format!(
            "{DROP_RULE}. {} system calls dropped in last second.",
            delta.drops
        );
        let mut keep_going = true;
        for act in &self.config.actions {
            match act {
                DropAction::Ignore => {}
                DropAction::Log => out.log(LogLevel::Debug, &msg),
                DropAction::Alert => out.alert(now_ns, &msg, delta)?,
                DropAction::Exit => {
                    out.log(LogLevel::Critical, &msg);
                    out.log(LogLevel::Critical, "Exiting.");
                    keep_going = false;
                }
            }
        }
        Ok(keep_going)
    }

    /// Occurrences of drops above the threshold so far.
    pub(crate) fn detected(&self) -> u64 {
        self.detected
    }

    /// Times the actions were taken (occurrences the token bucket allowed).
    pub(crate) fn actions_taken(&self) -> u64 {
        self.actions_taken
    }

    /// Falco's end-of-run summary (on stderr).
    pub(crate) fn summary(&self) -> String {
        format!(
            "Syscall event drop monitoring:\n   - event drop detected: {} occurrences\n   - num times actions taken: {}\n",
            self.detected(),
            self.actions_taken()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Recorder {
        logs: Vec<(LogLevel, String)>,
        alerts: Vec<(u64, String, Counters)>,
    }

    impl DropActions for Recorder {
        fn log(&mut self, level: LogLevel, msg: &str) {
            self.logs.push((level, msg.to_string()));
        }
        fn alert(&mut self, now_ns: u64, msg: &str, delta: &Counters) -> Result<()> {
            self.alerts.push((now_ns, msg.to_string(), *delta));
            Ok(())
        }
    }

    const S: u64 = ONE_SECOND_NS;

    fn drops(evts: u64, drops: u64) -> Counters {
        Counters {
            evts,
            drops,
            drops_buffer: drops,
            ..Counters::default()
        }
    }

    #[test]
    fn token_bucket_starts_full_and_refills_at_rate() {
        let mut b = TokenBucket::new(0.5, 2.0);
        assert!(b.claim(10 * S));
        assert!(b.claim(10 * S));
        assert!(!b.claim(10 * S));
        // 0.5 token/s: one token after two seconds, not before.
        assert!(!b.claim(11 * S));
        assert!(b.claim(12 * S));
        // Capped at two tokens however long the wait.
        assert!(b.claim(1000 * S));
        assert!(b.claim(1000 * S));
        assert!(!b.claim(1000 * S));
        // A clock going backwards gains nothing.
        assert!(!b.claim(5 * S));
    }

    #[test]
    fn drops_above_threshold_alert_once_per_token() {
        let cfg = DropConfig {
            actions: vec![DropAction::Log, DropAction::Alert],
            threshold: 0.1,
            rate: 0.1, // one token per 10 s
            max_burst: 1.0,
            simulate_drops: false,
        };
        let mut m = DropMonitor::new(&cfg, Counters::default());
        let mut out = Recorder::default();
        let mut t = 100 * S;
        // Starts the clock, then nothing within the second.
        assert!(m.check(t, || drops(1000, 500), &mut out).unwrap());
        assert!(m.check(t + S, || drops(1000, 500), &mut out).unwrap());
        assert_eq!(m.detected(), 0);
        // 500 of 1000 dropped: above 10%, the bucket is full: log + alert.
        t += S + 1;
        assert!(m.check(t, || drops(1000, 500), &mut out).unwrap());
        assert_eq!((m.detected(), m.actions_taken()), (1, 1));
        assert_eq!(out.alerts.len(), 1);
        let (at, msg, delta) = &out.alerts[0];
        assert_eq!(*at, t);
        assert_eq!(
            msg,
            "Falco internal: syscall event drop. 500 system calls dropped in last second."
        );
        assert_eq!((delta.evts, delta.drops), (1000, 500));
        assert!(
            out.logs
                .iter()
                .any(|(l, m)| *l == LogLevel::Debug && m.starts_with(DROP_RULE))
        );
        // Next second: 5 of 1000 more dropped, below the threshold: nothing.
        t += S + 1;
        m.check(t, || drops(2000, 505), &mut out).unwrap();
        assert_eq!(m.detected(), 1);
        // Then 300 of 1000: detected, but the bucket is empty (0.2 token regained).
        t += S + 1;
        m.check(t, || drops(3000, 805), &mut out).unwrap();
        assert_eq!((m.detected(), m.actions_taken()), (2, 1));
        assert_eq!(out.alerts.len(), 1);
        // Ten seconds later the bucket has a token again.
        t += 10 * S;
        m.check(t, || drops(4000, 1200), &mut out).unwrap();
        assert_eq!((m.detected(), m.actions_taken()), (3, 2));
        assert_eq!(out.alerts.len(), 2);
        assert_eq!(out.alerts[1].2.drops, 395);
    }

    #[test]
    fn exit_stops_and_simulation_counts_every_second() {
        let cfg = DropConfig {
            actions: vec![DropAction::Exit],
            simulate_drops: true,
            threshold: 0.5,
            ..DropConfig::default()
        };
        let mut m = DropMonitor::new(&cfg, Counters::default());
        let mut out = Recorder::default();
        assert!(m.check(S, Counters::default, &mut out).unwrap());
        // No real drops, but the simulated one counts (threshold forced to 0).
        assert!(!m.check(3 * S, || drops(100, 0), &mut out).unwrap());
        assert_eq!((m.detected(), m.actions_taken()), (1, 1));
        let crit: Vec<&str> = out
            .logs
            .iter()
            .filter(|(l, _)| *l == LogLevel::Critical)
            .map(|(_, m)| m.as_str())
            .collect();
        assert_eq!(
            crit,
            [
                "Falco internal: syscall event drop. 1 system calls dropped in last second.",
                "Exiting."
            ]
        );
        assert!(m.summary().contains("event drop detected: 1 occurrences"));
    }

    #[test]
    fn no_drops_no_action() {
        let mut m = DropMonitor::new(&DropConfig::default(), drops(50, 3));
        let mut out = Recorder::default();
        for s in 1..20 {
            m.check(s * S, || drops(50 + s * 1000, 3), &mut out)
                .unwrap();
        }
        assert_eq!(m.detected(), 0);
        assert!(out.logs.is_empty() && out.alerts.is_empty());
    }

    #[test]
    fn actions_parse_as_falco() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            DropConfig::parse_actions(&names(&["log", "alert", "log"])).unwrap(),
            [DropAction::Log, DropAction::Alert]
        );
        assert_eq!(
            DropConfig::parse_actions(&[]).unwrap(),
            [DropAction::Ignore]
        );
        let e = DropConfig::parse_actions(&names(&["ignore", "log"])).unwrap_err();
        assert!(e.contains("\"log\" does not make sense with the \"ignore\" action"));
        // Falco only refuses log/alert *after* ignore.
        assert!(DropConfig::parse_actions(&names(&["alert", "ignore"])).is_ok());
        assert!(DropConfig::parse_actions(&names(&["shout"])).is_err());
        for t in [-1.0, 1.1] {
            let c = DropConfig {
                threshold: t,
                ..DropConfig::default()
            };
            assert!(c.validate().unwrap_err().contains("range [0, 1]"));
        }
    }

    #[test]
    fn output_fields_are_sorted_with_falco_names() {
        let f = drops(10, 4).output_fields(true);
        let keys: Vec<&str> = f.iter().map(|(k, _)| *k).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted);
        assert!(f.contains(&("n_drops", "4".to_string())));
        assert!(f.contains(&("n_evts", "10".to_string())));
        assert!(f.contains(&("ebpf_enabled", "1".to_string())));
    }
}
