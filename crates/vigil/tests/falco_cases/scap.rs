//! `mode: scap-read` and `mode: scap-read-write` cases (libsinsp's scap-file tests), at the
//! reader level: `vigil-scap`'s `Reader` + `Converter`, as libsinsp reads a capture (old
//! captures rewritten, enter events merged into exit events and not offered).
//!
//! * `after_conversion_event_type_counts`: `{"PPME_<SYMBOL>": n}` — the number of events of
//!   that type after conversion (an enter event the converter drops counts 0).
//! * `event_<N>`: the event with this `ts` and `tid` (libs' `assert_event_presence` locates it
//!   so; N is sysdig's event number, only informative) has type `PPME_<SYMBOL>` and the
//!   parameters `params_after_conversion`. A value given in words is checked only when it ends
//!   with the concrete value in parentheses ("taken from enter event 543 (0)" → 0); other words
//!   are skipped with the reason printed.
//!
//! A `scap-read-write` case whose expectation is given only in words stays skipped, naming
//! the `cli_inspect` test that checks it through `vigil inspect -w`.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use vigil_scap::{Block, Converter, ParamValue, Reader, code_of_symbol, event_info};

/// The test in `cli_inspect.rs` that covers the filtered dump described in words.
const WRITE_TEST: &str = "cli_inspect::filtered_dump_keeps_only_the_threads_the_filter_selects";

fn capture(case: &Value, base: &Path) -> Result<std::path::PathBuf, String> {
    if case["capture_available"] == Value::Bool(false) {
        return Err("capture not available".into());
    }
    Ok(base.join(case["capture"].as_str().ok_or("case without capture")?))
}

/// `PPME_SYSCALL_FUTEX_X` → its event code in vigil-scap's table.
fn code(symbol: &str) -> Result<u16, String> {
    let bare = symbol.strip_prefix("PPME_").unwrap_or(symbol);
    code_of_symbol(bare).ok_or_else(|| format!("{symbol} is not in vigil-scap's event table"))
}

fn as_i128(v: &ParamValue<'_>) -> Option<i128> {
    Some(match *v {
        ParamValue::Int(x) | ParamValue::Errno(x) | ParamValue::Fd(x) | ParamValue::Pid(x) => {
            i128::from(x)
        }
        ParamValue::Uint(x) | ParamValue::RelTime(x) | ParamValue::AbsTime(x) => i128::from(x),
        ParamValue::Flags(x) | ParamValue::Mode(x) | ParamValue::Uid(x) | ParamValue::Gid(x) => {
            i128::from(x)
        }
        ParamValue::SyscallId(x) => i128::from(x),
        ParamValue::Signal(x) => i128::from(x),
        ParamValue::Bool(b) => i128::from(b),
        _ => return None,
    })
}

/// The concrete value a parameter expectation names: a number or string as is, or for a value
/// described in words, the value in its trailing parentheses.
fn concrete(v: &Value) -> Result<Value, String> {
    let Some(s) = v.as_str() else {
        return Ok(v.clone());
    };
    let inner = s
        .trim_end()
        .strip_suffix(')')
        .and_then(|t| t.rfind('(').map(|p| t[p + 1..].trim().to_string()));
    match inner {
        Some(x) if s.contains(' ') => Ok(x
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(x.clone()))),
        Some(_) | None if s.contains(' ') => Err(format!("value given in words: '{s}'")),
        _ => Ok(v.clone()),
    }
}

/// Judge a `scap-read` case; `Err` from the outer result is the reason it is skipped.
pub(crate) fn run_read(case: &Value, base: &Path) -> Result<Result<(), Vec<String>>, String> {
    let path = capture(case, base)?;
    let expect = case["expect"]
        .as_object()
        .ok_or("case without expectations")?;
    for key in expect.keys() {
        let known = matches!(key.as_str(), "after_conversion_event_type_counts" | "note")
            || key
                .strip_prefix("event_")
                .is_some_and(|n| n.parse::<u64>().is_ok());
        if !known {
            return Err(format!("expectation '{key}' not understood by the runner"));
        }
    }
    let mut diffs = Vec::new();
    let id = case["id"].as_str().unwrap_or("?");
    // Expected event type counts by code.
    let mut want_counts = BTreeMap::new();
    for (sym, n) in expect
        .get("after_conversion_event_type_counts")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        match code(sym) {
            Ok(c) => {
                want_counts.insert(c, (sym.clone(), n.as_u64().unwrap_or(u64::MAX)));
            }
            Err(e) => diffs.push(e),
        }
    }
    // Events to find by (ts, tid).
    let mut wanted: Vec<(&String, &Value)> = expect
        .iter()
        .filter(|(k, _)| k.starts_with("event_"))
        .collect();
    wanted.sort_by_key(|(k, _)| k.to_string());
    let mut found: BTreeMap<String, bool> =
        wanted.iter().map(|(k, _)| ((*k).clone(), false)).collect();

    let reader = Reader::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut conv = Converter::new(reader);
    let mut counts: BTreeMap<u16, u64> = BTreeMap::new();
    loop {
        let block = match conv.next() {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(e) => {
                diffs.push(format!("{}: {e}", path.display()));
                break;
            }
        };
        let Block::Event(ev) = block else { continue };
        *counts.entry(ev.code).or_default() += 1;
        for (key, want) in &wanted {
            if want["ts"].as_u64() != Some(ev.ts) || want["tid"].as_u64() != Some(ev.tid) {
                continue;
            }
            found.insert((*key).clone(), true);
            let info = event_info(ev.code);
            let sym = info.map_or("?".to_string(), |i| format!("PPME_{}", i.symbol));
            if let Some(t) = want["type"].as_str()
                && t != sym
            {
                diffs.push(format!("{key}: type {sym}, want {t}"));
            }
            for (name, v) in want["params_after_conversion"]
                .as_object()
                .into_iter()
                .flatten()
            {
                let v = match concrete(v) {
                    Ok(v) => v,
                    Err(why) => {
                        println!("  note {id}: {key}.{name} not checked: {why}");
                        continue;
                    }
                };
                let Some(got) = ev.value_by_name(name) else {
                    diffs.push(format!("{key}: no parameter '{name}' in {sym}"));
                    continue;
                };
                let ok = match (&v, as_i128(&got)) {
                    (Value::Number(n), Some(g)) => {
                        n.as_i64().map(i128::from) == Some(g)
                            || n.as_u64().map(i128::from) == Some(g)
                    }
                    (Value::String(s), None) => match got {
                        ParamValue::Str(b) | ParamValue::Path(b) | ParamValue::Bytes(b) => {
                            b == s.as_bytes()
                        }
                        _ => false,
                    },
                    _ => false,
                };
                if !ok {
                    diffs.push(format!("{key}: {name} = {got:?}, want {v}"));
                }
            }
        }
    }
    for (c, (sym, n)) in &want_counts {
        let got = counts.get(c).copied().unwrap_or(0);
        if got != *n {
            diffs.push(format!("{sym}: {got} events after conversion, want {n}"));
        }
    }
    for (key, hit) in found {
        if !hit {
            diffs.push(format!("{key}: no event with that ts and tid"));
        }
    }
    Ok(if diffs.is_empty() { Ok(()) } else { Err(diffs) })
}

/// `scap-read-write` cases: only checkable expectations are judged; one given only in words is
/// skipped with the test that covers it.
pub(crate) fn run_read_write(case: &Value, base: &Path) -> Result<Result<(), Vec<String>>, String> {
    capture(case, base)?;
    let expect = case["expect"]
        .as_object()
        .ok_or("case without expectations")?;
    if expect.keys().all(|k| k == "note") {
        return Err(format!(
            "expectation given only in words (checked by {WRITE_TEST} through `vigil inspect -w`)"
        ));
    }
    Err(format!(
        "expectations {:?} not understood by the runner",
        expect.keys().collect::<Vec<_>>()
    ))
}
