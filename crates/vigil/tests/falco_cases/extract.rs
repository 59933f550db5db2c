//! `mode: field-extraction` cases (libsinsp's filtercheck tests): the real `vigil inspect`
//! binary, black box, with the case's filter and `-p` formats that render the fields the case
//! checks (`*%field`, as libsinsp's formatter renders them), in port-name mode
//! (`--resolve-ports`: service names from /etc/services, as the corpus README describes).
//!
//! Expectations:
//! * `every_matching_event`: each event the filter selects has these field values (and at
//!   least one event matches).
//! * `after_first_connect_or_bind`: from the first selected `connect`/`bind` that has completed
//!   (its exit event: the socket is bound or connected only when the call returns) on, every
//!   selected event has these field values, and each condition of `filters_true` holds for
//!   each of them (judged by counting: the events from that point on, with and without
//!   `and (COND)` added to the filter, are as many).
//! * `sequence_of_<T1>_or_<T2>..._events_<field>`: the selected events of those types, in
//!   order, have at position n one of the accepted values of the n-th list; all lists must be
//!   met.
//!
//! A filter given in words can only be resolved generically: "(same base filter as SUFFIX) and
//! REST" names another case of the file by the end of its id, "(same base filter) and REST"
//! means the one case of the same `suite` (test source file) that writes its filter out. That
//! filter is the shared base followed by that case's own selector, its last top-level
//! conjunct (libs' tests build each filter as `base and extra`, e.g. `... and
//! thread.tid=17498`); the case in words uses the base followed by the conjuncts of REST.
//! Other wordings (or a suite with several written-out filters) are skipped with the reason
//! printed.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const SEP: char = '\t';
/// Fields rendered before the checked ones: evt.num, evt.type, evt.dir.
const HEAD: usize = 3;
const WORDS: &str = "same base filter";

/// Split a condition into its top-level `and` conjuncts (outside parentheses and quotes).
fn conjuncts(cond: &str) -> Vec<String> {
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    let mut out = Vec::new();
    let lower = cond.to_ascii_lowercase();
    let bytes = cond.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, _) if depth == 0 && lower[i..].starts_with(" and ") => {
                out.push(cond[start..i].trim().to_string());
                i += 5;
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(cond[start..].trim().to_string());
    out.retain(|c| !c.is_empty());
    out
}

/// The filter of a case: its own text, or a reference in words resolved as the module
/// documentation says; `Err` is the reason the case cannot be judged.
pub(crate) fn resolve_filter(case: &Value, cases: &[Value]) -> Result<String, String> {
    let text = case["filter"]
        .as_str()
        .ok_or("field-extraction case without a filter")?;
    let Some(at) = text.find(WORDS) else {
        return Ok(text.to_string());
    };
    let open = text[..at]
        .rfind('(')
        .ok_or("filter in words without parentheses")?;
    let close = text[at..]
        .find(')')
        .map(|p| at + p)
        .ok_or("filter in words without parentheses")?;
    let words = text[at + WORDS.len()..close].trim();
    let this = case["id"].as_str().unwrap_or("");
    // The cases that write a filter out, other than this one.
    let written = cases.iter().filter(|c| {
        c["id"].as_str().is_some_and(|id| id != this)
            && c["filter"].as_str().is_some_and(|f| !f.contains(WORDS))
    });
    let base = match words.strip_prefix("as ").map(str::trim) {
        // "(same base filter as SUFFIX)": the case whose id ends with SUFFIX.
        Some(name) => written
            .filter(|c| c["id"].as_str().is_some_and(|id| id.ends_with(name)))
            .find_map(|c| c["filter"].as_str())
            .ok_or_else(|| format!("filter refers to case '{name}', which has no filter"))?,
        // "(same base filter)": the one case of the same suite (source file) that writes
        // its filter out.
        None => {
            let suite = case["suite"].as_str().unwrap_or("");
            let same: Vec<&str> = written
                .filter(|c| !suite.is_empty() && c["suite"].as_str() == Some(suite))
                .filter_map(|c| c["filter"].as_str())
                .collect();
            match same.as_slice() {
                [one] => *one,
                [] => {
                    return Err(format!(
                        "filter given in words ('{}'): no case of suite '{suite}' writes a filter out",
                        &text[open..=close]
                    ));
                }
                _ => {
                    return Err(format!(
                        "filter given in words ('{}'): {} cases of suite '{suite}' write a filter out, which one is meant is not said",
                        &text[open..=close],
                        same.len()
                    ));
                }
            }
        }
    };
    // The written-out filter is BASE plus the case's own selector, its last top-level
    // conjunct (libs' tests build their filters as `base + " and " + extra`); the case in
    // words keeps BASE and adds its own selector.
    let mut all = conjuncts(base);
    if all.len() > 1 {
        all.pop();
    }
    all.extend(conjuncts(
        text[close + 1..].trim().trim_start_matches("and").trim(),
    ));
    Ok(all.join(" and "))
}

/// Run `vigil inspect` on the capture; the output lines split into fields.
fn inspect(capture: &Path, filter: &str, fields: &[&str]) -> Result<Vec<Vec<String>>, String> {
    let format = format!(
        "*{}",
        fields
            .iter()
            .map(|f| format!("%{f}"))
            .collect::<Vec<_>>()
            .join(&SEP.to_string())
    );
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg("inspect")
        .arg(capture)
        .args(["--resolve-ports", "--filter", filter, "-p", &format])
        .output()
        .map_err(|e| format!("cannot run vigil: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "vigil inspect failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split(SEP).map(str::to_string).collect())
        .collect())
}

/// Number of events `vigil inspect --count` selects.
fn count(capture: &Path, filter: &str) -> Result<u64, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg("inspect")
        .arg(capture)
        .args(["--resolve-ports", "--count", "--filter", filter])
        .output()
        .map_err(|e| format!("cannot run vigil: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "vigil inspect --count failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    text.trim()
        .parse()
        .map_err(|_| format!("vigil inspect --count printed '{}'", text.trim()))
}

/// Field → expected value pairs of an expectation object (strings only).
fn field_values(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

/// Compare one event line (the `HEAD` fields, then `want`'s fields) with `want`.
fn compare(line: &[String], want: &[(String, String)], what: &str, diffs: &mut Vec<String>) {
    for (i, (field, value)) in want.iter().enumerate() {
        let got = line.get(i + HEAD).map_or("<missing>", String::as_str);
        if got != value {
            diffs.push(format!(
                "{what}: event {} ({}): {field} = '{got}', want '{value}'",
                line[0],
                line.get(1).map_or("", String::as_str)
            ));
        }
    }
}

/// `sequence_of_send_or_sendto_events_fd.name` → (["send", "sendto"], "fd.name").
fn parse_sequence_key(key: &str) -> Option<(Vec<String>, String)> {
    let rest = key.strip_prefix("sequence_of_")?;
    let (types, field) = rest.split_once("_events_")?;
    Some((
        types.split("_or_").map(str::to_string).collect(),
        field.to_string(),
    ))
}

/// Judge one case; `Err` from the outer result is the reason it is skipped.
pub(crate) fn run(
    case: &Value,
    base: &Path,
    cases: &[Value],
) -> Result<Result<(), Vec<String>>, String> {
    if case["capture_available"] == Value::Bool(false) {
        return Err("capture not available".into());
    }
    let filter = resolve_filter(case, cases)?;
    let expect = case["expect"]
        .as_object()
        .ok_or("case without expectations")?;
    for key in expect.keys() {
        let known = matches!(
            key.as_str(),
            "every_matching_event" | "after_first_connect_or_bind" | "note"
        ) || parse_sequence_key(key).is_some();
        if !known {
            return Err(format!("expectation '{key}' not understood by the runner"));
        }
    }
    let capture = base.join(case["capture"].as_str().ok_or("case without capture")?);
    Ok(judge(&capture, &filter, expect))
}

fn judge(
    capture: &Path,
    filter: &str,
    expect: &serde_json::Map<String, Value>,
) -> Result<(), Vec<String>> {
    let mut diffs = Vec::new();
    let every = field_values(
        &expect
            .get("every_matching_event")
            .cloned()
            .unwrap_or_default(),
    );
    let after_v = expect
        .get("after_first_connect_or_bind")
        .cloned()
        .unwrap_or_default();
    let after = field_values(&after_v);
    // One run renders every field the case names: the HEAD fields, every…, after….
    let mut fields = vec!["evt.num", "evt.type", "evt.dir"];
    fields.extend(every.iter().map(|(f, _)| f.as_str()));
    fields.extend(after.iter().map(|(f, _)| f.as_str()));
    let lines = inspect(capture, filter, &fields).map_err(|e| vec![e])?;
    if !every.is_empty() {
        if lines.is_empty() {
            diffs.push(format!("every_matching_event: no event matches '{filter}'"));
        }
        for l in &lines {
            compare(
                &l[..l.len().min(HEAD + every.len())],
                &every,
                "every_matching_event",
                &mut diffs,
            );
        }
    }
    if expect.contains_key("after_first_connect_or_bind") {
        let first = lines.iter().position(|l| {
            matches!(l.get(1).map(String::as_str), Some("connect" | "bind"))
                && l.get(2).is_some_and(|d| d == "<")
        });
        match first {
            None => diffs.push(format!(
                "after_first_connect_or_bind: no completed connect or bind matches '{filter}'"
            )),
            Some(i) => {
                for l in &lines[i..] {
                    let mut shifted: Vec<String> = l[..HEAD.min(l.len())].to_vec();
                    shifted.extend(l.iter().skip(HEAD + every.len()).cloned());
                    compare(&shifted, &after, "after_first_connect_or_bind", &mut diffs);
                }
                let from = format!("({filter}) and evt.num >= {}", lines[i][0]);
                match count(capture, &from) {
                    Err(e) => diffs.push(e),
                    Ok(n) => {
                        for cond in after_v["filters_true"].as_array().into_iter().flatten() {
                            let Some(cond) = cond.as_str() else { continue };
                            match count(capture, &format!("{from} and ({cond})")) {
                                Ok(m) if m == n => {}
                                Ok(m) => diffs.push(format!(
                                    "filters_true: '{cond}' holds for {m} of {n} events"
                                )),
                                Err(e) => diffs.push(e),
                            }
                        }
                    }
                }
            }
        }
    }
    for (key, want) in expect {
        let Some((types, field)) = parse_sequence_key(key) else {
            continue;
        };
        let lines = match inspect(capture, filter, &["evt.num", "evt.type", "evt.dir", &field]) {
            Ok(l) => l,
            Err(e) => {
                diffs.push(e);
                continue;
            }
        };
        let seen: Vec<&Vec<String>> = lines
            .iter()
            .filter(|l| l.get(1).is_some_and(|t| types.contains(t)))
            .collect();
        let steps = want.as_array().cloned().unwrap_or_default();
        for (n, accepted) in steps.iter().enumerate() {
            let accepted: Vec<&str> = accepted
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            match seen.get(n) {
                None => diffs.push(format!(
                    "{key}: only {} such events, want {}",
                    seen.len(),
                    steps.len()
                )),
                Some(l) => {
                    let got = l.get(HEAD).map_or("<missing>", String::as_str);
                    if !accepted.contains(&got) {
                        diffs.push(format!(
                            "{key}[{n}]: event {} has '{got}', want one of {accepted:?}",
                            l[0]
                        ));
                    }
                }
            }
            if seen.get(n).is_none() {
                break;
            }
        }
    }
    if diffs.is_empty() { Ok(()) } else { Err(diffs) }
}
