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

/// For each event code, the range of its rules in `rules::RULES` (sorted by code, then
/// parameter count): `RULE_INDEX[code]..RULE_INDEX[code + 1]`.
fn rule_index() -> &'static [u16] {
    static INDEX: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let max = rules::RULES.iter().map(|r| r.code).max().unwrap_or(0);
        let mut index = Vec::with_capacity(usize::from(max) + 2);
        let mut i = 0usize;
        for code in 0..=u32::from(max) + 1 {
            while i < rules::RULES.len() && u32::from(rules::RULES[i].code) < code {
                i += 1;
            }
            index.push(i as u16);
        }
        index
    })
}

fn find_rule(code: u16, nparams: usize) -> Option<&'static ConvRule> {
    let np = u8::try_from(nparams).ok()?;
    let index = rule_index();
    let c = usize::from(code);
    let (start, end) = (*index.get(c)?, *index.get(c + 1)?);
    rules::RULES[usize::from(start)..usize::from(end)]
        .iter()
        .find(|r| r.nparams == np)
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
pub fn verdict(code: u16, nparams: usize) -> Result<Verdict, String> {
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
        return Err(format!(
            "old exit event {} ({code}) is not managed by the converter",
            info.symbol
        ));
    }
    if info.direction() == Direction::Enter {
        return Ok(Verdict::Convert);
    }
    if nparams > info.params.len() {
        return Err(format!(
            "event {} ({code}) has {nparams} parameters, more than the {} expected",
            info.symbol,
            info.params.len()
        ));
    }
    if f.has(EventFlags::OLD_VERSION) || nparams != info.params.len() {
        return Ok(Verdict::Convert);
    }
    Ok(Verdict::Pass)
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
    pub fn process(&mut self, ev: &RawEvent<'_>) -> Result<Outcome, String> {
        let verdict = verdict(ev.code, ev.nparams())?;
        if ev.code == PROCEXIT_1_E || ev.code == PROCEXIT_E {
            self.forget(ev.tid);
        }
        match verdict {
            Verdict::Pass => return Ok(Outcome::Pass),
            Verdict::Drop => {
                self.dropped += 1;
                return Ok(Outcome::Drop);
            }
            Verdict::Convert => {}
        }
        self.code = ev.code;
        self.ext.clear();
        self.cur.clear();
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
        let mut changed = false;
        for _ in 0..MAX_CONVERSIONS {
            let (step, rewrote) = self.step(ev)?;
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
                Step::Continue => {}
            }
        }
        Err(format!(
            "event {} needed more than {MAX_CONVERSIONS} rewrites",
            ev.code
        ))
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
        let spare = &mut self.spare;
        let stored = self
            .storage
            .entry(ev.tid)
            .or_insert_with(|| spare.pop().unwrap_or_default());
        let s = &mut stored.ev;
        s.code = self.code;
        s.data.clear();
        s.ranges.clear();
        for &r in &self.cur {
            let p = range_bytes(ev.buf, &self.ext, r).unwrap_or(&[]);
            let start = s.data.len() as u32;
            s.data.extend_from_slice(p);
            s.ranges.push((start, s.data.len() as u32));
        }
        stored.live = true;
    }

    /// Apply the rule for the current event; on a rewrite `self.cur` holds the new event.
    fn step(&mut self, ev: &RawEvent<'_>) -> Result<(Step, bool), String> {
        let code = self.code;
        let np = self.cur.len();
        let rule = find_rule(code, np)
            .ok_or_else(|| format!("no conversion rule for event {code} with {np} parameters"))?;
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
        let new_info = event_info(new_code)
            .ok_or_else(|| format!("conversion to unknown event {new_code}"))?;
        let buf = ev.buf;
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
        let mut used_enter = false;
        // The thread's live stored enter event, looked up once for all `Enter` instructions.
        let needs_enter = rule.instrs.iter().any(|i| matches!(i, Instr::Enter(..)));
        let stored = if needs_enter {
            self.storage.get_mut(&tid).filter(|s| s.live)
        } else {
            None
        };
        let ext = &mut self.ext;
        for instr in rule.instrs {
            let idx = new.len();
            let cap = max_len(new_info, idx);
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
                    let old = if add { &new[..np] } else { &self.cur[..] };
                    let (s, e) = *old.get(n).ok_or_else(|| {
                        format!("rule for event {code} takes parameter {n} of an event with {np}")
                    })?;
                    let start = (s & !EXT) as usize;
                    let len = (e as usize).saturating_sub(start).min(cap);
                    new.push((s, (start + len) as u32));
                }
                Instr::Enter(n, fallback_empty) => match stored.as_deref().map(|s| &s.ev) {
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
                        let p = e.param(usize::from(n)).ok_or_else(|| {
                            format!(
                                "rule for event {code} takes parameter {n} of enter event {} \
                                     with {} parameters",
                                e.code,
                                e.nparams()
                            )
                        })?;
                        new.push(push_ext(ext, &p[..p.len().min(cap)]));
                        used_enter = true;
                    }
                },
                Instr::ContainerJson => {
                    let cur = if add { &new[..np] } else { &self.cur[..] };
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
        if used_enter && let Some(s) = stored {
            s.live = false;
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
