//! Events: a borrowed view ([`RawEvent`]) and an owned one ([`OwnedEvent`]).

use crate::decode::{ParamValue, decode_param};
use crate::table::{Direction, EventInfo, event_info};

/// Size of the v2 event header (`ts, tid, len, type, nparams`).
pub const EVENT_HEADER_LEN: usize = 26;
/// Size of the v1 event header (no `nparams`).
pub const EVENT_HEADER_LEN_V1: usize = 22;

/// One event whose parameters borrow the reader's (or converter's) buffer.
#[derive(Debug, Clone, Copy)]
pub struct RawEvent<'a> {
    /// Timestamp, ns since the epoch.
    pub ts: u64,
    /// Thread id.
    pub tid: u64,
    /// CPU the event was captured on.
    pub cpu: u16,
    /// Block flags (`EVF` blocks; 0 otherwise).
    pub flags: u32,
    /// Event code (see [`crate::event_info`]).
    pub code: u16,
    pub(crate) buf: &'a [u8],
    /// Bytes added by the converter; ranges whose start has [`EXT`] set point here.
    pub(crate) ext: &'a [u8],
    pub(crate) ranges: &'a [(u32, u32)],
}

/// Flag on the start of a parameter range: the range is in [`RawEvent::ext`], not `buf`.
pub(crate) const EXT: u32 = 1 << 31;

/// The bytes of range `(s, e)` over `buf` / `ext`.
#[inline]
pub(crate) fn range_bytes<'a>(
    buf: &'a [u8],
    ext: &'a [u8],
    (s, e): (u32, u32),
) -> Option<&'a [u8]> {
    if s & EXT != 0 {
        ext.get((s & !EXT) as usize..e as usize)
    } else {
        buf.get(s as usize..e as usize)
    }
}

impl<'a> RawEvent<'a> {
    /// Build an event over parameter ranges of `buf`.
    ///
    /// `ranges` are `(start, end)` byte offsets into `buf`; out-of-bounds ranges read as empty.
    pub fn new(
        ts: u64,
        tid: u64,
        cpu: u16,
        flags: u32,
        code: u16,
        buf: &'a [u8],
        ranges: &'a [(u32, u32)],
    ) -> RawEvent<'a> {
        RawEvent {
            ts,
            tid,
            cpu,
            flags,
            code,
            buf,
            ext: &[],
            ranges,
        }
    }

    /// The schema of the event, if the code is known.
    pub fn info(&self) -> Option<&'static EventInfo> {
        event_info(self.code)
    }

    /// The event name (`evt.type` before generic-syscall resolution), `unknown` if not in the table.
    pub fn name(&self) -> &'static str {
        self.info().map_or("unknown", |i| i.name)
    }

    /// Enter or exit.
    pub fn direction(&self) -> Direction {
        Direction::of(self.code)
    }

    /// Number of parameters actually present.
    pub fn nparams(&self) -> usize {
        self.ranges.len()
    }

    /// The raw bytes of parameter `i`.
    #[inline]
    pub fn param(&self, i: usize) -> Option<&'a [u8]> {
        range_bytes(self.buf, self.ext, *self.ranges.get(i)?)
    }

    /// The raw bytes of the parameter called `name` (per the event table).
    pub fn param_by_name(&self, name: &str) -> Option<&'a [u8]> {
        self.param(self.info()?.param_index(name)?)
    }

    /// All parameters' raw bytes in order.
    pub fn params(&self) -> impl Iterator<Item = &'a [u8]> + Clone + 'a {
        let (buf, ext) = (self.buf, self.ext);
        self.ranges
            .iter()
            .map(move |&r| range_bytes(buf, ext, r).unwrap_or(&[]))
    }

    /// Parameter `i` decoded by its table type (`None` if absent or the code is unknown).
    pub fn value(&self, i: usize) -> Option<ParamValue<'a>> {
        let info = self.info()?;
        let p = info.params.get(i)?;
        Some(decode_param(self.param(i)?, p))
    }

    /// The parameter called `name`, decoded.
    pub fn value_by_name(&self, name: &str) -> Option<ParamValue<'a>> {
        self.value(self.info()?.param_index(name)?)
    }

    /// Total encoded length of the parameters.
    pub fn params_len(&self) -> usize {
        self.params().map(<[u8]>::len).sum()
    }

    /// An owned copy.
    pub fn to_owned_event(&self) -> OwnedEvent {
        OwnedEvent {
            ts: self.ts,
            tid: self.tid,
            cpu: self.cpu,
            flags: self.flags,
            code: self.code,
            params: self.params().map(<[u8]>::to_vec).collect(),
        }
    }
}

/// An event that owns its parameters (for writing, storing enter events, tests).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OwnedEvent {
    /// Timestamp, ns since the epoch.
    pub ts: u64,
    /// Thread id.
    pub tid: u64,
    /// CPU.
    pub cpu: u16,
    /// Block flags.
    pub flags: u32,
    /// Event code.
    pub code: u16,
    /// Encoded parameters.
    pub params: Vec<Vec<u8>>,
}

impl OwnedEvent {
    /// A new event without parameters.
    pub fn new(ts: u64, tid: u64, code: u16) -> OwnedEvent {
        OwnedEvent {
            ts,
            tid,
            code,
            ..OwnedEvent::default()
        }
    }

    /// Append a raw parameter.
    pub fn push(mut self, param: impl Into<Vec<u8>>) -> OwnedEvent {
        self.params.push(param.into());
        self
    }

    /// Append a NUL-terminated string parameter.
    pub fn push_str(self, s: &str) -> OwnedEvent {
        let mut v = s.as_bytes().to_vec();
        v.push(0);
        self.push(v)
    }

    /// Append a little-endian `u64`/`i64` parameter.
    pub fn push_u64(self, v: u64) -> OwnedEvent {
        self.push(v.to_le_bytes().to_vec())
    }

    /// Append a little-endian `i64` parameter (fd, pid, errno).
    pub fn push_i64(self, v: i64) -> OwnedEvent {
        self.push(v.to_le_bytes().to_vec())
    }

    /// Append a little-endian `u32` parameter.
    pub fn push_u32(self, v: u32) -> OwnedEvent {
        self.push(v.to_le_bytes().to_vec())
    }

    /// Append a little-endian `u16` parameter.
    pub fn push_u16(self, v: u16) -> OwnedEvent {
        self.push(v.to_le_bytes().to_vec())
    }

    /// Append a `u8` parameter.
    pub fn push_u8(self, v: u8) -> OwnedEvent {
        self.push(vec![v])
    }

    /// Set the CPU.
    pub fn on_cpu(mut self, cpu: u16) -> OwnedEvent {
        self.cpu = cpu;
        self
    }

    /// The schema of the event.
    pub fn info(&self) -> Option<&'static EventInfo> {
        event_info(self.code)
    }
}
