//! The old-capture converter.
//!
//! Since libs 0.20 the drivers emit (almost) only exit events carrying every parameter, and
//! libscap rewrites old captures on reading so that consumers (and Falco's rules) see one event
//! view: enter events are stored per thread and dropped, and old exit events are rewritten into
//! the newest exit layout with parameters taken from the stored enter event. [`Converter`] does
//! the same over a [`Reader`], driven by the same declarative rules (`convert_rules.rs`).
//!
//! Eligibility (checked again after every rewrite):
//! 1. unused codes are dropped;
//! 2. codes the converter does not manage pass if current, are dropped if they are old enter
//!    events, and are an error if they are old exit events;
//! 3. managed enter events always go through the rules;
//! 4. managed exit events go through the rules if old or if their parameter count differs from
//!    the table's; otherwise they pass.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;

use crate::batch::EventBatch;
use crate::error::{ErrorKind, ScapError};
use crate::event::{EXT, RawEvent, range_bytes};
use crate::reader::{Advanced, Block, Reader};
use crate::table::{Direction, EventFlags, EventInfo, event_info};

#[path = "convert_rules.rs"]
mod rules;

/// Upper bound on chained rewrites of one event.
const MAX_CONVERSIONS: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Pass,
    Store,
    StoreAndPass,
    AddParams,
    ChangeType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Instr {
    /// Parameter N of the event being converted.
    Old(u8),
    /// Parameter N of the stored enter event; `true`: fall back to empty instead of default.
    Enter(u8, bool),
    /// The type's default value (0, or `u32::MAX` for uid/gid).
    Default,
    /// A zero-length parameter.
    Empty,
    /// The JSON of an old `container` event.
    ContainerJson,
}

#[derive(Debug)]
struct ConvRule {
    code: u16,
    nparams: u8,
    action: Action,
    desired: u16,
    instrs: &'static [Instr],
}

/// A rule with what its application needs precomputed: the schema of the event it produces,
/// the length cap of each instruction's parameter and whether it reads the stored enter event.
#[derive(Debug)]
struct Compiled {
    rule: &'static ConvRule,
    new_info: Option<&'static EventInfo>,
    needs_enter: bool,
    /// The rule only appends parameters taken from the stored enter event, empty or default
    /// ones (the rewrite [`ConverterState::append_as_read`] does in one pass).
    appends_only: bool,
    /// Number of parameters the stored enter event needs for every `Enter` instruction.
    enter_params: usize,
    /// `caps[k]`: maximum length of the parameter instruction `k` produces.
    caps: Box<[usize]>,
}

/// The eligibility class of an event code (the part of [`verdict`] that does not depend on the
/// parameter count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Drop,
    Pass,
    /// An old exit event the converter has no rules for (an error).
    Unmanaged,
    /// A managed enter event: always converted.
    Enter,
    /// A managed exit event: converted if old or if its parameter count differs from `nparams`.
    Exit {
        old: bool,
    },
}

/// Per event code, computed once: its class, its table parameter count and its rules.
#[derive(Debug)]
struct CodeEntry {
    class: Class,
    nparams: usize,
    rules: Box<[Compiled]>,
}

fn code_table() -> &'static [CodeEntry] {
    static TABLE: std::sync::OnceLock<Vec<CodeEntry>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        crate::table::all_events()
            .iter()
            .map(|info| {
                let f = info.flags;
                let class = if f.has(EventFlags::UNUSED) {
                    Class::Drop
                } else if !f.has(EventFlags::CONVERTER_MANAGED) {
                    if !f.has(EventFlags::OLD_VERSION) {
                        Class::Pass
                    } else if info.direction() == Direction::Enter {
                        Class::Drop
                    } else {
                        Class::Unmanaged
                    }
                } else if info.direction() == Direction::Enter {
                    Class::Enter
                } else {
                    Class::Exit {
                        old: f.has(EventFlags::OLD_VERSION),
                    }
                };
                let rules = rules::RULES
                    .iter()
                    .filter(|r| r.code == info.code)
                    .map(compile_rule)
                    .collect();
                CodeEntry {
                    class,
                    nparams: info.params.len(),
                    rules,
                }
            })
            .collect()
    })
}

fn compile_rule(rule: &'static ConvRule) -> Compiled {
    let new_code = if rule.action == Action::ChangeType {
        rule.desired
    } else {
        rule.code
    };
    let new_info = event_info(new_code);
    // Adding parameters appends after the event's own; a type change starts from none.
    let first = if rule.action == Action::AddParams {
        usize::from(rule.nparams)
    } else {
        0
    };
    let caps = (0..rule.instrs.len())
        .map(|k| new_info.map_or(0, |info| max_len(info, first + k)))
        .collect();
    Compiled {
        rule,
        new_info,
        needs_enter: rule.instrs.iter().any(|i| matches!(i, Instr::Enter(..))),
        appends_only: rule.action == Action::AddParams
            && rule
                .instrs
                .iter()
                .all(|i| matches!(i, Instr::Enter(..) | Instr::Empty | Instr::Default)),
        enter_params: rule
            .instrs
            .iter()
            .filter_map(|i| match i {
                Instr::Enter(n, _) => Some(usize::from(*n) + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0),
        caps,
    }
}

impl CodeEntry {
    /// The rule for an event of this code with `nparams` parameters.
    #[inline]
    fn rule(&self, nparams: usize) -> Option<&Compiled> {
        let np = u8::try_from(nparams).ok()?;
        self.rules.iter().find(|c| c.rule.nparams == np)
    }

    /// The eligibility rules for an event of this code (`code`) with `nparams` parameters.
    #[inline]
    fn verdict(&self, code: u16, nparams: usize) -> Result<Verdict, String> {
        match self.class {
            Class::Drop => Ok(Verdict::Drop),
            Class::Pass => Ok(Verdict::Pass),
            Class::Enter => Ok(Verdict::Convert),
            Class::Exit { old } => {
                if nparams > self.nparams {
                    Err(too_many_params(code, nparams))
                } else if old || nparams != self.nparams {
                    Ok(Verdict::Convert)
                } else {
                    Ok(Verdict::Pass)
                }
            }
            Class::Unmanaged => Err(unmanaged(code)),
        }
    }
}

fn find_compiled(code: u16, nparams: usize) -> Option<&'static Compiled> {
    code_table().get(usize::from(code))?.rule(nparams)
}

#[cfg(test)]
fn find_rule(code: u16, nparams: usize) -> Option<&'static ConvRule> {
    find_compiled(code, nparams).map(|c| c.rule)
}

/// What the eligibility rules say about an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Offer the event as it is.
    Pass,
    /// Do not offer the event.
    Drop,
    /// Rewrite the event with the rules.
    Convert,
}

/// The eligibility rules for an event code with `nparams` parameters.
#[inline]
pub fn verdict(code: u16, nparams: usize) -> Result<Verdict, String> {
    match code_table().get(usize::from(code)) {
        Some(entry) => entry.verdict(code, nparams),
        None => Ok(Verdict::Drop),
    }
}

#[cold]
fn unmanaged(code: u16) -> String {
    format!(
        "old exit event {} ({code}) is not managed by the converter",
        event_info(code).map_or("?", |i| i.symbol)
    )
}

#[cold]
fn too_many_params(code: u16, nparams: usize) -> String {
    let info = event_info(code);
    format!(
        "event {} ({code}) has {nparams} parameters, more than the {} expected",
        info.map_or("?", |i| i.symbol),
        info.map_or(0, |i| i.params.len())
    )
}

/// A stored enter event: its code and parameters, copied once.
#[derive(Debug, Default, Clone)]
struct StoredEvent {
    code: u16,
    data: Vec<u8>,
    ranges: Vec<(u32, u32)>,
}

impl StoredEvent {
    fn param(&self, i: usize) -> Option<&[u8]> {
        let (s, e) = *self.ranges.get(i)?;
        self.data.get(s as usize..e as usize)
    }

    fn nparams(&self) -> usize {
        self.ranges.len()
    }
}

/// Maximum length of parameter `i` of `info` (fixed-size types are capped at their size).
fn max_len(info: &EventInfo, i: usize) -> usize {
    let large = info.is_large_payload();
    match info.params.get(i).and_then(|p| p.ty.fixed_size()) {
        Some(n) => n,
        None if large => u32::MAX as usize,
        None => usize::from(u16::MAX),
    }
}

fn default_param(info: &EventInfo, i: usize, out: &mut Vec<u8>) {
    use crate::table::ParamType;
    let Some(p) = info.params.get(i) else { return };
    let n = p.ty.fixed_size().unwrap_or(0);
    let v: u64 = if matches!(p.ty, ParamType::Uid | ParamType::Gid) {
        u64::from(u32::MAX)
    } else {
        0
    };
    let bytes = v.to_le_bytes();
    out.extend_from_slice(&bytes[..n.min(8)]);
    if n > 8 {
        out.extend(std::iter::repeat_n(0u8, n - 8));
    }
}

/// The JSON of an old `container` event from its parameters.
fn container_json_of<'a>(param: impl Fn(usize) -> Option<&'a [u8]>) -> Option<Vec<u8>> {
    let s = |i: usize| -> Option<String> {
        let p = param(i)?;
        // libscap drops the last byte (the NUL); an empty parameter fails.
        let body = p.split_last()?.1;
        Some(String::from_utf8_lossy(body).into_owned())
    };
    let id = s(0)?;
    let ty = param(1)
        .and_then(|p| p.get(..4))
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))?;
    let name = s(2)?;
    let image = s(3)?;
    let mut v =
        format!("{{\"id\":\"{id}\",\"type\":{ty},\"name\":\"{name}\",\"image\":\"{image}\"}}")
            .into_bytes();
    v.push(0);
    Some(v)
}

/// A fast hasher for thread ids (the stored enter events are looked up once per event).
#[derive(Debug, Default, Clone, Copy)]
struct TidHasher(u64);

impl Hasher for TidHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 =
                (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// The last enter event stored for a thread, and whether it may still be used (an exit event
/// that took parameters from it consumes it).
#[derive(Debug, Default)]
struct Stored {
    ev: StoredEvent,
    live: bool,
}

/// Outcome of one rewrite step.
enum Step {
    Pass,
    Drop,
    Continue,
}

/// The first decisions on an event ([`ConverterState::triage`]).
enum Triage {
    Pass,
    Drop,
    /// Convert it: its code's entry and its rule, if any.
    Convert(&'static CodeEntry, Option<&'static Compiled>),
}

/// Spare stored-event buffers kept for reuse (so that threads coming and going do not
/// allocate).
const SPARE_STORED: usize = 256;

/// The converter state, independent of where events come from.
///
/// A rewritten event is not copied: its parameters are ranges over the original event's bytes
/// plus a small buffer of the bytes the rewrite adds (parameters of the stored enter event,
/// defaults).
#[derive(Debug, Default)]
pub struct ConverterState {
    storage: HashMap<u64, Stored, BuildHasherDefault<TidHasher>>,
    spare: Vec<Stored>,
    /// Header of the event being rewritten.
    code: u16,
    /// Its parameter ranges (over the original event's `buf`, or `ext` with [`EXT`]).
    cur: Vec<(u32, u32)>,
    new: Vec<(u32, u32)>,
    /// Bytes added by the rewrites of the current event.
    ext: Vec<u8>,
    converted: u64,
    dropped: u64,
}

/// What [`ConverterState::process`] decided for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Offer the event unchanged.
    Pass,
    /// Offer the rewritten event ([`ConverterState::converted_event`]).
    Converted,
    /// Do not offer the event.
    Drop,
}

const PROCEXIT_E: u16 = 16;
const PROCEXIT_1_E: u16 = 186;

/// Push `bytes` onto `ext` and return its range.
fn push_ext(ext: &mut Vec<u8>, bytes: &[u8]) -> (u32, u32) {
    let s = ext.len() as u32;
    ext.extend_from_slice(bytes);
    (s | EXT, ext.len() as u32)
}

impl ConverterState {
    /// A fresh state (no stored enter events).
    pub fn new() -> ConverterState {
        ConverterState::default()
    }

    /// Number of events rewritten so far.
    pub fn converted_count(&self) -> u64 {
        self.converted
    }

    /// Number of events dropped so far.
    pub fn dropped_count(&self) -> u64 {
        self.dropped
    }

    /// The event produced by the last [`Outcome::Converted`] for `original` (the event given
    /// to [`ConverterState::process`], whose bytes it borrows).
    pub fn converted_event<'a>(&'a self, original: &RawEvent<'a>) -> RawEvent<'a> {
        RawEvent {
            code: self.code,
            buf: original.buf,
            ext: &self.ext,
            ranges: &self.cur,
            ..*original
        }
    }

    /// Decide what to do with `ev`, storing enter events and rewriting old layouts.
    ///
    /// The event's table entry and rule are looked up once; the common cases (an exit event
    /// passed as it is, an enter event as read stored for its thread) return before any
    /// rewrite state is touched.
    pub fn process(&mut self, ev: &RawEvent<'_>) -> Result<Outcome, String> {
        let np = ev.nparams();
        let (entry, compiled) = match self.triage(ev.code, ev.tid, np)? {
            Triage::Pass => return Ok(Outcome::Pass),
            Triage::Drop => return Ok(Outcome::Drop),
            Triage::Convert(entry, compiled) => (entry, compiled),
        };
        let as_read = ev.ranges.iter().all(|r| r.0 & EXT == 0);
        if as_read
            && let Some(c) = compiled
            && c.rule.action == Action::Store
            && Self::store_as_read(&mut self.storage, &mut self.spare, ev)
        {
            self.dropped += 1;
            return Ok(Outcome::Drop);
        }
        if as_read
            && let Some(c) = compiled
            && c.appends_only
            && self.append_as_read(ev, entry, c)
        {
            self.converted += 1;
            return Ok(Outcome::Converted);
        }
        self.rewrite(ev, as_read, compiled)
    }

    /// [`ConverterState::process`] for an event as read (every range over its own bytes) whose
    /// parameter ranges are `ranges[first..]` (`ev.ranges` is not read), converted in place:
    /// on [`Outcome::Converted`], `ranges[first..]` are the new event's ranges (of code
    /// [`ConverterState::converted_code`]) and the bytes it adds were appended to `ext` (its
    /// ranges flagged [`EXT`] count from where they start); on [`Outcome::Drop`] and errors,
    /// `ranges` and `ext` are as they were before the event.
    ///
    /// The common cases write nothing twice: an event passed keeps its ranges where they are,
    /// an enter event is stored and its ranges dropped, an exit event whose rule appends
    /// parameters gets them appended. The general rewrite builds the new event apart and
    /// copies it over.
    #[inline]
    pub(crate) fn process_into(
        &mut self,
        ev: &RawEvent<'_>,
        ranges: &mut Vec<(u32, u32)>,
        first: usize,
        ext: &mut Vec<u8>,
    ) -> Result<Outcome, String> {
        let np = ranges.len() - first;
        let (entry, compiled) = match self.triage(ev.code, ev.tid, np) {
            Ok(Triage::Pass) => return Ok(Outcome::Pass),
            Ok(Triage::Convert(entry, compiled)) => (entry, compiled),
            Ok(Triage::Drop) => {
                ranges.truncate(first);
                return Ok(Outcome::Drop);
            }
            Err(e) => {
                ranges.truncate(first);
                return Err(e);
            }
        };
        if let Some(c) = compiled {
            // The rules that store or pass the event as it is, as [`ConverterState::step`]
            // applies them (an event as read is stored with its bytes and ranges as they are).
            match c.rule.action {
                Action::Store => {
                    Self::store_read(&mut self.storage, &mut self.spare, ev, &ranges[first..]);
                    self.dropped += 1;
                    ranges.truncate(first);
                    return Ok(Outcome::Drop);
                }
                Action::StoreAndPass => {
                    Self::store_read(&mut self.storage, &mut self.spare, ev, &ranges[first..]);
                    return Ok(Outcome::Pass);
                }
                Action::Pass => return Ok(Outcome::Pass),
                Action::AddParams | Action::ChangeType => {}
            }
            if c.appends_only
                && Self::append_params(&mut self.storage, ev, np, entry, c, ranges, ext, false)
            {
                self.code = ev.code;
                self.converted += 1;
                return Ok(Outcome::Converted);
            }
        }
        let out = self.rewrite(
            &RawEvent {
                ranges: &ranges[first..],
                ..*ev
            },
            true,
            compiled,
        );
        match out {
            Ok(Outcome::Pass) => {}
            Ok(Outcome::Converted) => {
                ranges.truncate(first);
                ranges.extend_from_slice(&self.cur);
                ext.extend_from_slice(&self.ext);
            }
            Ok(Outcome::Drop) | Err(_) => ranges.truncate(first),
        }
        out
    }

    /// The code of the event produced by the last [`Outcome::Converted`].
    pub(crate) fn converted_code(&self) -> u16 {
        self.code
    }

    /// The decisions every event goes through first: its verdict (an event dropped is counted),
    /// a thread exit, its code's entry and rule.
    #[inline]
    fn triage(&mut self, code: u16, tid: u64, np: usize) -> Result<Triage, String> {
        let entry = code_table().get(usize::from(code));
        let verdict = entry.map_or(Ok(Verdict::Drop), |e| e.verdict(code, np))?;
        if code == PROCEXIT_1_E || code == PROCEXIT_E {
            self.forget(tid);
        }
        match (verdict, entry) {
            (Verdict::Pass, _) => Ok(Triage::Pass),
            (Verdict::Convert, Some(entry)) => Ok(Triage::Convert(entry, entry.rule(np))),
            (Verdict::Drop | Verdict::Convert, _) => {
                self.dropped += 1;
                Ok(Triage::Drop)
            }
        }
    }

    /// The general rewrite of `ev` (`compiled`: its rule, if any; `as_read`: every range is
    /// over its own bytes): rule after rule until the result passes or is dropped. Kept out of
    /// [`ConverterState::process`] so that the common cases stay small.
    #[inline(never)]
    fn rewrite(
        &mut self,
        ev: &RawEvent<'_>,
        as_read: bool,
        compiled: Option<&Compiled>,
    ) -> Result<Outcome, String> {
        self.code = ev.code;
        self.ext.clear();
        self.cur.clear();
        if as_read {
            self.cur.extend_from_slice(ev.ranges);
        } else {
            self.push_ranges_with_ext(ev);
        }
        let mut compiled = compiled;
        let mut changed = false;
        for _ in 0..MAX_CONVERSIONS {
            let (step, rewrote) = self.step(ev, compiled)?;
            changed |= rewrote;
            match step {
                Step::Pass => {
                    if changed {
                        self.converted += 1;
                        return Ok(Outcome::Converted);
                    }
                    return Ok(Outcome::Pass);
                }
                Step::Drop => {
                    self.dropped += 1;
                    return Ok(Outcome::Drop);
                }
                Step::Continue => compiled = find_compiled(self.code, self.cur.len()),
            }
        }
        Err(format!(
            "event {} needed more than {MAX_CONVERSIONS} rewrites",
            ev.code
        ))
    }

    /// The common rewrite in one pass: an exit event as read whose rule `c` only appends
    /// parameters (from the thread's stored enter event, empty or default ones) and which then
    /// passes, possibly after further such rules (see [`ConverterState::append_params`]); the
    /// result in `self.cur` and `self.ext`.
    /// False when the general path must decide.
    fn append_as_read(&mut self, ev: &RawEvent<'_>, entry: &CodeEntry, c: &Compiled) -> bool {
        self.cur.clear();
        self.cur.extend_from_slice(ev.ranges);
        self.ext.clear();
        let np = ev.ranges.len();
        if !Self::append_params(
            &mut self.storage,
            ev,
            np,
            entry,
            c,
            &mut self.cur,
            &mut self.ext,
            true,
        ) {
            return false;
        }
        self.code = ev.code;
        true
    }

    /// Append to `ranges` (the ranges of `ev`, an exit event as read with `np` parameters) the
    /// parameters its rule `c` adds, and those of the rules that follow until the result
    /// passes, when every one of them only appends parameters taken from the thread's stored
    /// enter event, empty or default ones (as [`ConverterState::step`] applies them, rule after
    /// rule). The bytes they need are appended to `ext` and their ranges count from where they
    /// start: the stored event's bytes as they are (so that its ranges only move by where they
    /// land), defaults after them. The stored event is consumed by the rule that takes from
    /// it. `swap`: `ext` may take the stored event's buffer instead of a copy of its bytes when
    /// it is empty. False, having changed nothing, when the general path must decide (see
    /// [`ConverterState::appends_to_the_end`]).
    ///
    /// One rule is the common case, done here with one look-up of the stored event; a chain of
    /// rules is checked whole first ([`ConverterState::append_chain`]).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn append_params(
        storage: &mut HashMap<u64, Stored, BuildHasherDefault<TidHasher>>,
        ev: &RawEvent<'_>,
        np: usize,
        entry: &CodeEntry,
        c: &Compiled,
        ranges: &mut Vec<(u32, u32)>,
        ext: &mut Vec<u8>,
        swap: bool,
    ) -> bool {
        let Some(info) = c.new_info else {
            return false;
        };
        match entry.verdict(ev.code, np + c.rule.instrs.len()) {
            Ok(Verdict::Pass) => {}
            Ok(Verdict::Convert) => {
                return Self::append_chain(storage, ev, np, entry, c, ranges, ext, swap);
            }
            Ok(Verdict::Drop) | Err(_) => return false,
        }
        let mut stored = None;
        if c.needs_enter
            && let Some(s) = storage.get_mut(&ev.tid).filter(|s| s.live)
        {
            if !Self::can_take(s, ev.code, c) {
                return false;
            }
            stored = Some(s);
        }
        let base = ext.len();
        Self::append_rule(c, info, np, stored, ranges, ext, base, swap);
        true
    }

    /// Whether rule `c` for exit event `code` can take its parameters from the live stored
    /// enter event `s` (otherwise [`ConverterState::step`] fails).
    #[inline]
    fn can_take(s: &Stored, code: u16, c: &Compiled) -> bool {
        u32::from(s.ev.code) + 1 == u32::from(code) && s.ev.ranges.len() >= c.enter_params
    }

    /// Apply rule `c` (which only appends parameters) to an event with `n` parameters:
    /// `stored`, the live stored enter event it takes parameters from (consumed), appended to
    /// `ext` (or swapped in, see [`ConverterState::append_params`]), whose bytes from `base` on
    /// are the event's added bytes. Without one, a parameter taken from it is empty or the
    /// default, as the rule says.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn append_rule(
        c: &Compiled,
        info: &EventInfo,
        n: usize,
        stored: Option<&mut Stored>,
        ranges: &mut Vec<(u32, u32)>,
        ext: &mut Vec<u8>,
        base: usize,
        swap: bool,
    ) {
        let mut enter: &[(u32, u32)] = &[];
        let mut enter_at = 0;
        let has_enter = stored.is_some();
        if let Some(s) = stored {
            enter_at = (ext.len() - base) as u32;
            if swap && ext.is_empty() {
                std::mem::swap(ext, &mut s.ev.data);
            } else {
                ext.extend_from_slice(&s.ev.data);
            }
            s.live = false;
            enter = &s.ev.ranges;
        }
        for (k, (instr, &cap)) in c.rule.instrs.iter().zip(c.caps.iter()).enumerate() {
            let s = (ext.len() - base) as u32;
            let r = match *instr {
                Instr::Enter(i, fallback_empty) => {
                    if has_enter {
                        let (a, b) = enter.get(usize::from(i)).copied().unwrap_or_default();
                        let len = (b.saturating_sub(a) as usize).min(cap) as u32;
                        ((enter_at + a) | EXT, enter_at + a + len)
                    } else {
                        if !fallback_empty {
                            default_param(info, n + k, ext);
                        }
                        (s | EXT, (ext.len() - base) as u32)
                    }
                }
                Instr::Default => {
                    default_param(info, n + k, ext);
                    (s | EXT, (ext.len() - base) as u32)
                }
                Instr::Empty | Instr::Old(_) | Instr::ContainerJson => (s | EXT, s),
            };
            ranges.push(r);
        }
    }

    /// [`ConverterState::append_params`] for a chain of rules (the first one's result does not
    /// pass yet): checked whole, then applied rule after rule.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn append_chain(
        storage: &mut HashMap<u64, Stored, BuildHasherDefault<TidHasher>>,
        ev: &RawEvent<'_>,
        np: usize,
        entry: &CodeEntry,
        c: &Compiled,
        ranges: &mut Vec<(u32, u32)>,
        ext: &mut Vec<u8>,
        swap: bool,
    ) -> bool {
        if !Self::appends_to_the_end(storage, ev, np, entry, c) {
            return false;
        }
        let base = ext.len();
        let (mut c, mut n) = (c, np);
        loop {
            let Some(info) = c.new_info else {
                return false;
            };
            let stored = if c.needs_enter {
                storage.get_mut(&ev.tid).filter(|s| s.live)
            } else {
                None
            };
            Self::append_rule(c, info, n, stored, ranges, ext, base, swap);
            n += c.rule.instrs.len();
            match entry.verdict(ev.code, n) {
                Ok(Verdict::Convert) => match entry.rule(n) {
                    Some(next) => c = next,
                    None => return false,
                },
                _ => return true,
            }
        }
    }

    /// Whether [`ConverterState::append_params`] can apply rule `c` to `ev` (an exit event as
    /// read with `np` parameters) and the rules after it: each only appends parameters (taken
    /// from the stored enter event, empty or default), the result passes within
    /// [`MAX_CONVERSIONS`] rules, and the rule that takes from a live stored enter event can
    /// (matching code, enough parameters; the general path reports the error otherwise). The
    /// rules after it find no live stored event and take empty or default parameters.
    fn appends_to_the_end(
        storage: &HashMap<u64, Stored, BuildHasherDefault<TidHasher>>,
        ev: &RawEvent<'_>,
        np: usize,
        entry: &CodeEntry,
        c: &Compiled,
    ) -> bool {
        let (mut c, mut n) = (c, np);
        let mut consumed = false;
        for _ in 0..MAX_CONVERSIONS {
            if !c.appends_only || c.new_info.is_none() {
                return false;
            }
            if c.needs_enter
                && !consumed
                && let Some(s) = storage.get(&ev.tid).filter(|s| s.live)
            {
                if !Self::can_take(s, ev.code, c) {
                    return false;
                }
                consumed = true;
            }
            n += c.rule.instrs.len();
            match entry.verdict(ev.code, n) {
                Ok(Verdict::Pass) => return true,
                Ok(Verdict::Convert) => match entry.rule(n) {
                    Some(next) => c = next,
                    None => return false,
                },
                Ok(Verdict::Drop) | Err(_) => return false,
            }
        }
        false
    }

    /// Take over the ranges of an already rewritten event, copying its added bytes.
    fn push_ranges_with_ext(&mut self, ev: &RawEvent<'_>) {
        for (i, &r) in ev.ranges.iter().enumerate() {
            if r.0 & EXT == 0 {
                self.cur.push(r);
            } else {
                // An already rewritten event: take its added bytes over.
                let p = ev.param(i).unwrap_or(&[]);
                let r = push_ext(&mut self.ext, p);
                self.cur.push(r);
            }
        }
    }

    /// A thread exits: its stored enter event, if already consumed, can no longer matter
    /// (a consumed entry acts as no entry), so its buffers go back to the spares. This keeps
    /// the table bounded by the live threads.
    fn forget(&mut self, tid: u64) {
        if self.storage.get(&tid).is_some_and(|s| !s.live)
            && let Some(s) = self.storage.remove(&tid)
            && self.spare.len() < SPARE_STORED
        {
            self.spare.push(s);
        }
    }

    /// Store the current event (parameters over `ev`'s bytes and `self.ext`) for its thread.
    fn store(&mut self, ev: &RawEvent<'_>) {
        Self::store_ranges(
            &mut self.storage,
            &mut self.spare,
            self.code,
            ev,
            &self.ext,
            &self.cur,
        );
    }

    /// Store an enter event as read for its thread: its bytes and its ranges copied as they
    /// are (two copies, whatever its number of parameters). False, storing nothing, if a range
    /// is out of its bytes (the caller then stores it parameter by parameter, such a parameter
    /// empty).
    fn store_as_read(
        storage: &mut HashMap<u64, Stored, BuildHasherDefault<TidHasher>>,
        spare: &mut Vec<Stored>,
        ev: &RawEvent<'_>,
    ) -> bool {
        let len = ev.buf.len();
        if !ev.ranges.iter().all(|&(a, b)| a <= b && b as usize <= len) {
            return false;
        }
        Self::store_read(storage, spare, ev, ev.ranges);
        true
    }

    /// Store `ev`, whose parameter ranges are `ranges`, all within its bytes (as the reader
    /// makes them), for its thread: its bytes and ranges copied as they are.
    #[inline]
    fn store_read(
        storage: &mut HashMap<u64, Stored, BuildHasherDefault<TidHasher>>,
        spare: &mut Vec<Stored>,
        ev: &RawEvent<'_>,
        ranges: &[(u32, u32)],
    ) {
        let stored = storage
            .entry(ev.tid)
            .or_insert_with(|| spare.pop().unwrap_or_default());
        let s = &mut stored.ev;
        s.code = ev.code;
        s.data.clear();
        s.data.extend_from_slice(ev.buf);
        s.ranges.clear();
        s.ranges.extend_from_slice(ranges);
        stored.live = true;
    }

    /// Store an event of `code` whose parameters are `cur` (over `ev`'s bytes and `ext`).
    fn store_ranges(
        storage: &mut HashMap<u64, Stored, BuildHasherDefault<TidHasher>>,
        spare: &mut Vec<Stored>,
        code: u16,
        ev: &RawEvent<'_>,
        ext: &[u8],
        cur: &[(u32, u32)],
    ) {
        let stored = storage
            .entry(ev.tid)
            .or_insert_with(|| spare.pop().unwrap_or_default());
        let s = &mut stored.ev;
        s.code = code;
        s.data.clear();
        s.ranges.clear();
        // Events as read: parameters are ascending ranges of the event's own bytes, copied as
        // one span (rebased); otherwise (rewritten events) parameter by parameter.
        let in_order = cur.iter().all(|r| r.0 & EXT == 0 && r.0 <= r.1)
            && cur.windows(2).all(|w| w[0].1 <= w[1].0);
        if let (true, Some(first), Some(last)) = (in_order, cur.first(), cur.last())
            && let Some(span) = ev.buf.get(first.0 as usize..last.1 as usize)
        {
            s.data.extend_from_slice(span);
            let base = first.0;
            s.ranges
                .extend(cur.iter().map(|&(a, b)| (a - base, b - base)));
        } else {
            for &r in cur {
                let p = range_bytes(ev.buf, ext, r).unwrap_or(&[]);
                let start = s.data.len() as u32;
                s.data.extend_from_slice(p);
                s.ranges.push((start, s.data.len() as u32));
            }
        }
        stored.live = true;
    }

    /// Apply the rule for the current event; on a rewrite `self.cur` holds the new event.
    /// `compiled`: the rule for the current event's code and parameter count, if any.
    fn step(
        &mut self,
        ev: &RawEvent<'_>,
        compiled: Option<&Compiled>,
    ) -> Result<(Step, bool), String> {
        let code = self.code;
        let np = self.cur.len();
        let compiled = compiled
            .ok_or_else(|| format!("no conversion rule for event {code} with {np} parameters"))?;
        let rule = compiled.rule;
        match rule.action {
            Action::Store => {
                self.store(ev);
                return Ok((Step::Drop, false));
            }
            Action::Pass => return Ok((Step::Pass, false)),
            Action::StoreAndPass => {
                self.store(ev);
                return Ok((Step::Pass, false));
            }
            Action::AddParams | Action::ChangeType => {}
        }
        let new_code = if rule.action == Action::ChangeType {
            rule.desired
        } else {
            code
        };
        let new_info = compiled
            .new_info
            .ok_or_else(|| format!("conversion to unknown event {new_code}"))?;
        // Adding parameters appends to the event's own ranges; a type change builds new ones.
        let add = rule.action == Action::AddParams;
        let mut new = if add {
            std::mem::take(&mut self.cur)
        } else {
            let mut n = std::mem::take(&mut self.new);
            n.clear();
            n
        };
        let tid = ev.tid;
        // The thread's live stored enter event, looked up once for all `Enter` instructions.
        let mut stored = if compiled.needs_enter {
            self.storage.get_mut(&tid).filter(|s| s.live)
        } else {
            None
        };
        // The stored event is consumed by this rewrite: when nothing was added yet, its bytes
        // become the added bytes (`ext`) instead of being copied there; its parameters are then
        // its ranges, flagged [`EXT`]. Swapped back if the rewrite fails.
        let mut in_ext = false;
        if let Some(s) = stored.as_deref_mut()
            && self.ext.is_empty()
        {
            std::mem::swap(&mut self.ext, &mut s.ev.data);
            in_ext = true;
        }
        let result = Self::apply_instrs(
            compiled,
            new_info,
            ev.buf,
            &mut self.ext,
            &self.cur,
            &mut new,
            stored.as_deref().map(|s| &s.ev),
            in_ext,
            (code, tid, np, add),
        );
        let used_enter = match result {
            Ok(used) => used,
            Err(e) => {
                if in_ext && let Some(s) = stored {
                    std::mem::swap(&mut self.ext, &mut s.ev.data);
                }
                if add {
                    new.truncate(np);
                    self.cur = new;
                } else {
                    self.new = new;
                }
                return Err(e);
            }
        };
        if let Some(s) = stored {
            if used_enter {
                s.live = false;
            } else if in_ext {
                std::mem::swap(&mut self.ext, &mut s.ev.data);
            }
        }
        if add {
            self.cur = new;
        } else {
            std::mem::swap(&mut self.cur, &mut new);
            self.new = new;
        }
        self.code = new_code;
        let step = match verdict(self.code, self.cur.len())? {
            Verdict::Pass => Step::Pass,
            Verdict::Drop => Step::Drop,
            Verdict::Convert => Step::Continue,
        };
        Ok((step, true))
    }

    /// Run the instructions of a rewrite rule, pushing the new event's ranges onto `new`.
    /// `in_ext`: the stored enter event's bytes are `ext` (its ranges, flagged, are its
    /// parameters). Returns whether the stored enter event was used.
    #[allow(clippy::too_many_arguments)]
    fn apply_instrs(
        compiled: &Compiled,
        new_info: &EventInfo,
        buf: &[u8],
        ext: &mut Vec<u8>,
        cur: &[(u32, u32)],
        new: &mut Vec<(u32, u32)>,
        stored: Option<&StoredEvent>,
        in_ext: bool,
        (code, tid, np, add): (u16, u64, usize, bool),
    ) -> Result<bool, String> {
        let mut used_enter = false;
        for (instr, &cap) in compiled.rule.instrs.iter().zip(compiled.caps.iter()) {
            let idx = new.len();
            match *instr {
                Instr::Empty => {
                    let s = ext.len() as u32;
                    new.push((s | EXT, s));
                }
                Instr::Default => {
                    let s = ext.len() as u32;
                    default_param(new_info, idx, ext);
                    new.push((s | EXT, ext.len() as u32));
                }
                Instr::Old(n) => {
                    let n = usize::from(n);
                    let old = if add { &new[..np] } else { cur };
                    let (s, e) = *old.get(n).ok_or_else(|| {
                        format!("rule for event {code} takes parameter {n} of an event with {np}")
                    })?;
                    let start = (s & !EXT) as usize;
                    let len = (e as usize).saturating_sub(start).min(cap);
                    new.push((s, (start + len) as u32));
                }
                Instr::Enter(n, fallback_empty) => match stored {
                    None => {
                        let s = ext.len() as u32;
                        if !fallback_empty {
                            default_param(new_info, idx, ext);
                        }
                        new.push((s | EXT, ext.len() as u32));
                    }
                    Some(e) => {
                        if u32::from(e.code) + 1 != u32::from(code) {
                            return Err(format!(
                                "the stored enter event for exit event {code} of thread {tid} \
                                     is event {}",
                                e.code
                            ));
                        }
                        let missing = || {
                            format!(
                                "rule for event {code} takes parameter {n} of enter event {} \
                                     with {} parameters",
                                e.code,
                                e.nparams()
                            )
                        };
                        if in_ext {
                            let (s, t) = *e.ranges.get(usize::from(n)).ok_or_else(missing)?;
                            let len = (t.saturating_sub(s) as usize).min(cap);
                            new.push((s | EXT, s + len as u32));
                        } else {
                            let p = e.param(usize::from(n)).ok_or_else(missing)?;
                            new.push(push_ext(ext, &p[..p.len().min(cap)]));
                        }
                        used_enter = true;
                    }
                },
                Instr::ContainerJson => {
                    let cur = if add { &new[..np] } else { cur };
                    let j = container_json_of(|i| range_bytes(buf, ext, *cur.get(i)?));
                    match j {
                        Some(j) if j.len() <= cap => new.push(push_ext(ext, &j)),
                        _ => {
                            let s = ext.len() as u32;
                            new.push((s | EXT, s));
                        }
                    }
                }
            }
        }
        Ok(used_enter)
    }
}

/// A [`Reader`] whose events are converted the way libscap ≥ 0.20 converts old captures.
///
/// A conversion error is returned as a [`ScapError`] of kind [`ErrorKind::Conversion`]; unlike
/// read errors it does not end the stream, so a caller may log it and call `next` again.
#[derive(Debug)]
pub struct Converter<R: Read> {
    reader: Reader<R>,
    state: ConverterState,
}

impl<R: Read> Converter<R> {
    /// Wrap a reader.
    pub fn new(reader: Reader<R>) -> Converter<R> {
        Converter {
            reader,
            state: ConverterState::new(),
        }
    }

    /// The underlying reader.
    pub fn reader(&self) -> &Reader<R> {
        &self.reader
    }

    /// The conversion state (counters).
    pub fn state(&self) -> &ConverterState {
        &self.state
    }

    /// The next block; events are offered in the newest layout, enter events are not offered.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Block<'_>>, ScapError> {
        loop {
            match self.reader.advance()? {
                None => return Ok(None),
                Some(Advanced::Other(b)) => return Ok(Some(b)),
                Some(Advanced::Event) => {
                    let ev = self.reader.current_event();
                    match self.state.process(&ev) {
                        Ok(Outcome::Drop) => continue,
                        Ok(Outcome::Pass) => {
                            return Ok(Some(Block::Event(self.reader.current_event())));
                        }
                        Ok(Outcome::Converted) => {
                            let ev = self.reader.current_event();
                            return Ok(Some(Block::Event(self.state.converted_event(&ev))));
                        }
                        Err(msg) => {
                            return Err(ScapError::new(
                                self.reader.offset(),
                                ErrorKind::Conversion,
                                msg,
                            ));
                        }
                    }
                }
            }
        }
    }
}

/// What ended [`Converter::fill`] (the events it appended come first).
#[derive(Debug)]
pub enum Filled {
    /// The batch reached one of its limits.
    Full,
    /// A block that is not an event (a table, a section header).
    Block(Block<'static>),
    /// The end of the capture.
    End,
}

impl<R: Read> Converter<R> {
    /// Append the next events to `batch`, as [`Converter::next`] offers them, until the batch
    /// holds `max_events` events or [`EventBatch::byte_len`] reaches `max_bytes`, or a block
    /// that is not an event, the end or an error comes (it then follows the events appended;
    /// after a conversion error `fill` may be called again, as `next`).
    ///
    /// Cheaper than [`Converter::next`] and [`EventBatch::push`]: an event's parameter ranges
    /// are walked straight into the batch and converted there in place (see
    /// `ConverterState::process_into`), and no block is returned per event.
    pub fn fill(
        &mut self,
        batch: &mut EventBatch,
        max_events: usize,
        max_bytes: usize,
    ) -> Result<Filled, ScapError> {
        while batch.len() < max_events && batch.byte_len() < max_bytes {
            let first = batch.ranges.len();
            match self.reader.advance_into(&mut batch.ranges)? {
                None => return Ok(Filled::End),
                Some(Advanced::Other(b)) => return Ok(Filled::Block(b)),
                Some(Advanced::Event) => {}
            }
            let ev = self.reader.event_with(&[]);
            let xat = batch.ext.len();
            match self
                .state
                .process_into(&ev, &mut batch.ranges, first, &mut batch.ext)
            {
                Ok(Outcome::Drop) => {}
                Ok(Outcome::Pass) => batch.push_event(&ev, ev.code, first, xat),
                Ok(Outcome::Converted) => {
                    batch.push_event(&ev, self.state.converted_code(), first, xat);
                }
                Err(msg) => {
                    return Err(ScapError::new(
                        self.reader.offset(),
                        ErrorKind::Conversion,
                        msg,
                    ));
                }
            }
        }
        Ok(Filled::Full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_index_finds_every_rule() {
        for r in &rules::RULES {
            let found = find_rule(r.code, usize::from(r.nparams)).expect("rule");
            assert!(std::ptr::eq(found, r));
        }
        assert!(find_rule(u16::MAX, 0).is_none());
    }

    /// The eligibility rules as stated (module docs), checked against the per-code table.
    fn verdict_by_flags(code: u16, nparams: usize) -> Result<Verdict, ()> {
        let Some(info) = event_info(code) else {
            return Ok(Verdict::Drop);
        };
        let f = info.flags;
        if f.has(EventFlags::UNUSED) {
            return Ok(Verdict::Drop);
        }
        if !f.has(EventFlags::CONVERTER_MANAGED) {
            if !f.has(EventFlags::OLD_VERSION) {
                return Ok(Verdict::Pass);
            }
            if info.direction() == Direction::Enter {
                return Ok(Verdict::Drop);
            }
            return Err(());
        }
        if info.direction() == Direction::Enter {
            return Ok(Verdict::Convert);
        }
        if nparams > info.params.len() {
            return Err(());
        }
        if f.has(EventFlags::OLD_VERSION) || nparams != info.params.len() {
            return Ok(Verdict::Convert);
        }
        Ok(Verdict::Pass)
    }

    #[test]
    fn verdict_table_follows_the_flags() {
        for code in 0..=crate::table::EVENT_MAX + 2 {
            for np in 0..40 {
                assert_eq!(
                    verdict(code, np).map_err(|_| ()),
                    verdict_by_flags(code, np),
                    "code {code} nparams {np}"
                );
            }
        }
    }

    #[test]
    fn compiled_caps_are_the_parameter_limits() {
        for r in &rules::RULES {
            let c = find_compiled(r.code, usize::from(r.nparams)).expect("rule");
            assert_eq!(c.caps.len(), r.instrs.len());
            let new_code = if r.action == Action::ChangeType {
                r.desired
            } else {
                r.code
            };
            let info = event_info(new_code).expect("info");
            for (k, cap) in c.caps.iter().enumerate() {
                let idx = if r.action == Action::AddParams {
                    usize::from(r.nparams) + k
                } else {
                    k
                };
                assert_eq!(*cap, max_len(info, idx));
            }
        }
    }

    /// An event over the concatenation of `params`.
    fn event_of(params: &[Vec<u8>]) -> (Vec<u8>, Vec<(u32, u32)>) {
        let mut buf = Vec::new();
        let mut ranges = Vec::new();
        for p in params {
            let s = buf.len() as u32;
            buf.extend_from_slice(p);
            ranges.push((s, buf.len() as u32));
        }
        (buf, ranges)
    }

    #[test]
    fn appending_rules_take_the_stored_enter_parameters() {
        let mut checked = 0;
        for r in &rules::RULES {
            let c = find_compiled(r.code, usize::from(r.nparams)).expect("rule");
            let Some(enter) = r.code.checked_sub(1).and_then(event_info) else {
                continue;
            };
            // One rewrite, whose result passes (a chain of rewrites goes the general way).
            let after = verdict(r.code, usize::from(r.nparams) + r.instrs.len());
            if !c.appends_only || enter.params.len() < c.enter_params || after != Ok(Verdict::Pass)
            {
                continue;
            }
            let enter_params: Vec<Vec<u8>> = (0..enter.params.len())
                .map(|i| vec![i as u8 + 1; 9])
                .collect();
            let exit_params: Vec<Vec<u8>> = (0..usize::from(r.nparams))
                .map(|j| vec![0xa0 + j as u8; 5])
                .collect();
            let (ebuf, eranges) = event_of(&enter_params);
            let (xbuf, xranges) = event_of(&exit_params);
            let mut st = ConverterState::new();
            let e = RawEvent::new(1, 42, 0, 0, enter.code, &ebuf, &eranges);
            if st.process(&e) != Ok(Outcome::Drop) {
                continue;
            }
            let x = RawEvent::new(2, 42, 0, 0, r.code, &xbuf, &xranges);
            if st.process(&x) != Ok(Outcome::Converted) {
                continue;
            }
            let info = c.new_info.expect("info");
            let mut want = exit_params.clone();
            for (k, (instr, &cap)) in r.instrs.iter().zip(c.caps.iter()).enumerate() {
                want.push(match *instr {
                    Instr::Enter(n, _) => {
                        let p = &enter_params[usize::from(n)];
                        p[..p.len().min(cap)].to_vec()
                    }
                    Instr::Default => {
                        let mut v = Vec::new();
                        default_param(info, exit_params.len() + k, &mut v);
                        v
                    }
                    _ => Vec::new(),
                });
            }
            let got: Vec<Vec<u8>> = st
                .converted_event(&x)
                .params()
                .map(<[u8]>::to_vec)
                .collect();
            assert_eq!(got, want, "{}", info.symbol);
            checked += 1;
        }
        assert!(checked > 50, "only {checked} rules checked");
    }

    /// The one-pass paths (`process`, `process_into`) give what the general rewrite gives, for
    /// every rule, after an enter event of the matching code or none.
    #[test]
    fn fast_paths_follow_the_general_rewrite() {
        let mut fast = 0;
        for r in &rules::RULES {
            let Some(x_info) = event_info(r.code) else {
                continue;
            };
            if x_info.direction() != Direction::Exit
                || verdict(r.code, usize::from(r.nparams)) != Ok(Verdict::Convert)
            {
                continue;
            }
            let exit_params: Vec<Vec<u8>> = (0..usize::from(r.nparams))
                .map(|j| vec![0xa0 + j as u8; 3 + j])
                .collect();
            let (xbuf, xranges) = event_of(&exit_params);
            let x = RawEvent::new(2, 42, 0, 0, r.code, &xbuf, &xranges);
            for with_enter in [true, false] {
                let enter = r.code.checked_sub(1).and_then(event_info);
                let enter_params: Vec<Vec<u8>> = (0..enter.map_or(0, |e| e.params.len()))
                    .map(|i| vec![i as u8 + 1; 5 + i])
                    .collect();
                let (ebuf, eranges) = event_of(&enter_params);
                let states = || {
                    let mut st = ConverterState::new();
                    if with_enter && let Some(e) = enter {
                        let _ = st.process(&RawEvent::new(1, 42, 0, 0, e.code, &ebuf, &eranges));
                    }
                    st
                };
                let (mut a, mut b, mut g) = (states(), states(), states());
                let general = g.rewrite(&x, true, find_compiled(r.code, xranges.len()));
                let view = |st: &ConverterState, out: &Result<Outcome, String>| match out {
                    Ok(Outcome::Converted) => {
                        let ev = st.converted_event(&x);
                        let p: Vec<Vec<u8>> = ev.params().map(<[u8]>::to_vec).collect();
                        Ok((Outcome::Converted, ev.code, p))
                    }
                    Ok(o) => Ok((*o, 0, Vec::new())),
                    Err(e) => Err(e.clone()),
                };
                let want = view(&g, &general);
                let got = a.process(&x);
                assert_eq!(view(&a, &got), want, "process: {} {r:?}", x_info.symbol);
                // In place, after another event's ranges and added bytes.
                let mut ranges = vec![(7, 9)];
                ranges.extend_from_slice(&xranges);
                let mut ext = b"xyz".to_vec();
                let got = b.process_into(&x, &mut ranges, 1, &mut ext);
                let got = match got {
                    Ok(Outcome::Converted) => {
                        let ev = RawEvent {
                            code: b.converted_code(),
                            ext: &ext[3..],
                            ranges: &ranges[1..],
                            ..x
                        };
                        let p: Vec<Vec<u8>> = ev.params().map(<[u8]>::to_vec).collect();
                        Ok((Outcome::Converted, ev.code, p))
                    }
                    Ok(o) => {
                        let kept = if o == Outcome::Pass {
                            &xranges[..]
                        } else {
                            &[]
                        };
                        assert_eq!(&ranges[1..], kept);
                        Ok((o, 0, Vec::new()))
                    }
                    Err(e) => Err(e),
                };
                assert_eq!(got, want, "process_into: {} {r:?}", x_info.symbol);
                if want.is_ok() {
                    fast += 1;
                }
            }
        }
        assert!(fast > 100, "only {fast} cases");
    }

    #[test]
    fn procexit_codes() {
        assert_eq!(event_info(PROCEXIT_E).map(|i| i.symbol), Some("PROCEXIT_E"));
        assert_eq!(
            event_info(PROCEXIT_1_E).map(|i| i.symbol),
            Some("PROCEXIT_1_E")
        );
    }

    #[test]
    fn rules_are_sorted_and_reference_known_events() {
        for w in rules::RULES.windows(2) {
            assert!((w[0].code, w[0].nparams) < (w[1].code, w[1].nparams));
        }
        for r in &rules::RULES {
            assert!(event_info(r.code).is_some());
            if r.action == Action::ChangeType {
                let info = event_info(r.desired).expect("desired");
                assert!(r.instrs.len() <= info.params.len(), "{}", info.symbol);
            }
        }
    }
}
