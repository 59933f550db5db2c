//! The streaming capture reader.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

use crate::block::*;
use crate::error::{ErrorKind, ScapError};
use crate::event::{EVENT_HEADER_LEN, EVENT_HEADER_LEN_V1, RawEvent};
use crate::table::{EVENT_MAX, event_info};

/// Blocks longer than this are rejected as corrupt (no allocation is attempted).
pub const MAX_BLOCK_LEN: u32 = 256 * 1024 * 1024;

/// Size of the read buffer (blocks are parsed in place in it).
/// Small enough that a chunk just read is still in the CPU's cache when its blocks are parsed.
const READ_CHUNK: usize = 128 * 1024;

/// `PPME_NOTIFICATION_E` and `PPME_INFRASTRUCTURE_EVENT_E`: their v1 length is 3 bytes too long.
const NOTIFICATION_E: u16 = 212;
const INFRASTRUCTURE_EVENT_E: u16 = 218;

/// One item of a capture.
#[derive(Debug)]
pub enum Block<'a> {
    /// A further section header inside the stream (the first one is read by the constructor).
    Section(SectionHeader),
    /// Machine info.
    MachineInfo(MachineInfo),
    /// Interface list.
    Interfaces(Vec<Interface>),
    /// User and group list.
    Users(UserList),
    /// One entry of a process-list block.
    Process(Box<ThreadInfo>),
    /// An fd-list block.
    Fds {
        /// The thread whose fds these are.
        tid: u64,
        /// The fds.
        fds: Vec<FdInfo>,
    },
    /// An event.
    Event(RawEvent<'a>),
}

/// The kind of event block an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventBlockKind {
    /// v1 header (no nparams): `EV`, `EV_INT`, `EVF`.
    V1,
    /// v2 header: `EV_V2`, `EVF_V2`.
    V2,
    /// v2 header, 32-bit lengths: `*_V2_LARGE`.
    V2Large,
}

enum Input<R: Read> {
    /// Uncompressed: the bytes read while sniffing the format (`head[at..]`), then `inner`
    /// read directly into the reader's buffer (no intermediate buffer).
    Plain {
        head: Vec<u8>,
        at: usize,
        inner: R,
    },
    Gzip(Box<MultiGzDecoder<BufReader<R>>>),
}

impl<R: Read> Read for Input<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Plain { head, at, inner } => {
                if *at < head.len() {
                    let n = (head.len() - *at).min(buf.len());
                    buf[..n].copy_from_slice(&head[*at..*at + n]);
                    *at += n;
                    if *at == head.len() {
                        *head = Vec::new();
                        *at = 0;
                    }
                    return Ok(n);
                }
                inner.read(buf)
            }
            Input::Gzip(r) => r.read(buf),
        }
    }
}

#[derive(Debug)]
enum Pending {
    Thread(Box<ThreadInfo>),
    Error(ScapError),
}

#[derive(Debug, Default, Clone, Copy)]
struct CurrentEvent {
    ts: u64,
    tid: u64,
    cpu: u16,
    flags: u32,
    code: u16,
    kind: Option<EventBlockKind>,
}

/// What [`Reader::advance`] found, without borrowing the reader.
#[derive(Debug)]
pub(crate) enum Advanced {
    Event,
    Other(Block<'static>),
}

/// A streaming reader of scap captures (plain or gzip-compressed).
///
/// ```no_run
/// # fn main() -> Result<(), vigil_scap::ScapError> {
/// let mut r = vigil_scap::Reader::open("capture.scap")?;
/// while let Some(block) = r.next()? {
///     if let vigil_scap::Block::Event(ev) = block {
///         println!("{} {}", ev.ts, ev.name());
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Reader<R: Read> {
    input: Input<R>,
    offset: u64,
    header: SectionHeader,
    gzip: bool,
    /// Input bytes; `pos..end` are not consumed yet.
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// The current block's body: `buf[body.0..body.1]`.
    body: (usize, usize),
    /// Parameter ranges of the current event, relative to its block body.
    ranges: Vec<(u32, u32)>,
    pending: VecDeque<Pending>,
    ev: CurrentEvent,
    done: bool,
    skipped_events: u64,
    skipped_blocks: u64,
    max_block_len: u32,
}

impl<R: Read> std::fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("offset", &self.offset)
            .field("header", &self.header)
            .field("gzip", &self.gzip)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Reader<File> {
    /// Open a capture file.
    pub fn open(path: impl AsRef<Path>) -> Result<Reader<File>, ScapError> {
        let path = path.as_ref();
        let f = File::open(path).map_err(|e| {
            let msg = format!("cannot open {}: {e}", path.display());
            ScapError::new(0, ErrorKind::Io(e), msg)
        })?;
        Reader::new(f)
    }
}

impl<R: Read> Reader<R> {
    /// Read a capture from any input; gzip is detected by its magic. The section header is read
    /// and checked here.
    pub fn new(inner: R) -> Result<Reader<R>, ScapError> {
        let mut br = BufReader::with_capacity(256 * 1024, inner);
        let head = br.fill_buf().map_err(|e| ScapError::io(0, e))?;
        let gzip = head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b;
        let input = if gzip {
            Input::Gzip(Box::new(MultiGzDecoder::new(br)))
        } else {
            let head = br.buffer().to_vec();
            Input::Plain {
                head,
                at: 0,
                inner: br.into_inner(),
            }
        };
        let mut r = Reader {
            input,
            offset: 0,
            header: SectionHeader {
                major: 0,
                minor: 0,
                section_length: 0,
            },
            gzip,
            buf: vec![0; READ_CHUNK],
            pos: 0,
            end: 0,
            body: (0, 0),
            ranges: Vec::with_capacity(32),
            pending: VecDeque::new(),
            ev: CurrentEvent::default(),
            done: false,
            skipped_events: 0,
            skipped_blocks: 0,
            max_block_len: MAX_BLOCK_LEN,
        };
        let (ty, body_off) = r.read_block()?.ok_or_else(|| {
            ScapError::new(0, ErrorKind::Corrupt, "empty file: no section header block")
        })?;
        if ty != SHB_BLOCK_TYPE {
            return Err(ScapError::corrupt(
                0,
                format!(
                    "not a scap capture: first block type {ty:#x}, expected {SHB_BLOCK_TYPE:#x}"
                ),
            ));
        }
        r.header = parse_section_header(r.body(), body_off)?;
        Ok(r)
    }

    /// The first section header (format version).
    pub fn section_header(&self) -> SectionHeader {
        self.header
    }

    /// Whether the input was gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// Bytes consumed so far in the (decompressed) stream.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Events skipped because their code is past the event table (from a newer library).
    pub fn skipped_events(&self) -> u64 {
        self.skipped_events
    }

    /// Blocks of unknown type that were skipped.
    pub fn skipped_blocks(&self) -> u64 {
        self.skipped_blocks
    }

    /// Change the largest accepted block length (default [`MAX_BLOCK_LEN`]).
    pub fn set_max_block_len(&mut self, len: u32) {
        self.max_block_len = len;
    }

    /// The next block, `Ok(None)` at the end of the capture. After an error the reader is done.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Block<'_>>, ScapError> {
        match self.advance()? {
            None => Ok(None),
            Some(Advanced::Event) => Ok(Some(Block::Event(self.current_event()))),
            Some(Advanced::Other(b)) => Ok(Some(b)),
        }
    }

    /// The event most recently returned by [`Reader::advance`].
    pub(crate) fn current_event(&self) -> RawEvent<'_> {
        let e = self.ev;
        RawEvent::new(
            e.ts,
            e.tid,
            e.cpu,
            e.flags,
            e.code,
            self.body(),
            &self.ranges,
        )
    }

    /// The block kind of the current event.
    pub fn current_event_kind(&self) -> Option<EventBlockKind> {
        self.ev.kind
    }

    /// The next block: a plain event block in one pass (inlined into the caller's loop), the
    /// rest the general way.
    #[inline]
    pub(crate) fn advance(&mut self) -> Result<Option<Advanced>, ScapError> {
        if self.pending.is_empty() && !self.done && self.next_plain_event() {
            return Ok(Some(Advanced::Event));
        }
        self.advance_general()
    }

    /// [`Reader::advance`], an event's parameter ranges appended to `ranges` instead of kept by
    /// the reader (for [`crate::Converter::fill`], which walks them straight into a batch; the
    /// event is then [`Reader::event_with`] these ranges).
    #[inline]
    pub(crate) fn advance_into(
        &mut self,
        ranges: &mut Vec<(u32, u32)>,
    ) -> Result<Option<Advanced>, ScapError> {
        if self.pending.is_empty()
            && !self.done
            && let Some(b) = self.buf.get(self.pos..self.end)
            && let Some((ev, total)) = plain_event(b, self.max_block_len, ranges)
        {
            self.took_plain(ev, total);
            return Ok(Some(Advanced::Event));
        }
        let r = self.advance_general()?;
        if let Some(Advanced::Event) = r {
            ranges.extend_from_slice(&self.ranges);
        }
        Ok(r)
    }

    /// The event most recently returned by [`Reader::advance_into`], over the ranges it
    /// appended.
    #[inline]
    pub(crate) fn event_with<'a>(&'a self, ranges: &'a [(u32, u32)]) -> RawEvent<'a> {
        let e = self.ev;
        RawEvent::new(e.ts, e.tid, e.cpu, e.flags, e.code, self.body(), ranges)
    }

    /// [`Reader::advance`] for what is not a plain event block: queued process entries and
    /// errors, the end, other blocks, malformed events.
    fn advance_general(&mut self) -> Result<Option<Advanced>, ScapError> {
        if let Some(p) = self.pending.pop_front() {
            return match p {
                Pending::Thread(t) => Ok(Some(Advanced::Other(Block::Process(t)))),
                Pending::Error(e) => {
                    self.done = true;
                    Err(e)
                }
            };
        }
        if self.done {
            return Ok(None);
        }
        match self.advance_inner() {
            Ok(x) => {
                if x.is_none() {
                    self.done = true;
                }
                Ok(x)
            }
            Err(e) => {
                self.done = true;
                Err(e)
            }
        }
    }

    fn advance_inner(&mut self) -> Result<Option<Advanced>, ScapError> {
        loop {
            let block_off = self.offset;
            let Some((ty, body_off)) = self.read_block()? else {
                return Ok(None);
            };
            let body = &self.buf[self.body.0..self.body.1];
            let b = match ty {
                SHB_BLOCK_TYPE => Block::Section(parse_section_header(body, body_off)?),
                MI_BLOCK_TYPE | MI_BLOCK_TYPE_INT => {
                    Block::MachineInfo(parse_machine_info(body, body_off)?)
                }
                PL_BLOCK_TYPE_V1 | PL_BLOCK_TYPE_V1_INT | PL_BLOCK_TYPE_V2
                | PL_BLOCK_TYPE_V2_INT | PL_BLOCK_TYPE_V3 | PL_BLOCK_TYPE_V3_INT
                | PL_BLOCK_TYPE_V4 | PL_BLOCK_TYPE_V5 | PL_BLOCK_TYPE_V6 | PL_BLOCK_TYPE_V7
                | PL_BLOCK_TYPE_V8 | PL_BLOCK_TYPE_V9 => {
                    let mut cur = Cur::new(body, body_off);
                    while cur.remaining() >= 4 {
                        match parse_thread(&mut cur, ty) {
                            Ok(t) => self.pending.push_back(Pending::Thread(Box::new(t))),
                            Err(e) => {
                                self.pending.push_back(Pending::Error(e));
                                break;
                            }
                        }
                    }
                    match self.pending.pop_front() {
                        None => continue,
                        Some(Pending::Thread(t)) => Block::Process(t),
                        Some(Pending::Error(e)) => return Err(e),
                    }
                }
                FDL_BLOCK_TYPE | FDL_BLOCK_TYPE_INT | FDL_BLOCK_TYPE_V2 => {
                    let (tid, fds) = parse_fdlist(body, body_off, ty == FDL_BLOCK_TYPE_V2)?;
                    Block::Fds { tid, fds }
                }
                IL_BLOCK_TYPE | IL_BLOCK_TYPE_INT | IL_BLOCK_TYPE_V2 => {
                    Block::Interfaces(parse_iflist(body, body_off, ty == IL_BLOCK_TYPE_V2)?)
                }
                UL_BLOCK_TYPE | UL_BLOCK_TYPE_INT | UL_BLOCK_TYPE_V2 => {
                    Block::Users(parse_userlist(body, body_off, ty == UL_BLOCK_TYPE_V2)?)
                }
                EV_BLOCK_TYPE
                | EV_BLOCK_TYPE_INT
                | EVF_BLOCK_TYPE
                | EV_BLOCK_TYPE_V2
                | EVF_BLOCK_TYPE_V2
                | EV_BLOCK_TYPE_V2_LARGE
                | EVF_BLOCK_TYPE_V2_LARGE => {
                    if self.parse_event(ty, body_off, block_off)? {
                        return Ok(Some(Advanced::Event));
                    }
                    self.skipped_events += 1;
                    continue;
                }
                _ => {
                    self.skipped_blocks += 1;
                    continue;
                }
            };
            return Ok(Some(Advanced::Other(b)));
        }
    }

    /// The common block in one pass (see [`plain_event`]), its parameter ranges in
    /// `self.ranges`.
    #[inline]
    fn next_plain_event(&mut self) -> bool {
        self.ranges.clear();
        let Some(b) = self.buf.get(self.pos..self.end) else {
            return false;
        };
        let Some((ev, total)) = plain_event(b, self.max_block_len, &mut self.ranges) else {
            return false;
        };
        self.took_plain(ev, total);
        true
    }

    /// Consume the plain event block of `total` bytes at `self.pos`, whose header is `ev`.
    #[inline]
    fn took_plain(&mut self, ev: CurrentEvent, total: u32) {
        let p = self.pos;
        let total_len = total as usize;
        self.ev = ev;
        self.body = (p + 8, p + total_len - 4);
        self.pos += total_len;
        self.offset += u64::from(total);
    }

    /// Make the current block's body `self.buf[body.0..body.1]` (read in place, no copy).
    /// Returns the type and the file offset of the body, or `None` at a clean end of file.
    ///
    /// The input is read in large chunks into `self.buf`; `self.pos..self.end` are the bytes
    /// not yet consumed. A block is parsed where it lies; only the tail of a block that crosses
    /// the end of the buffer is moved to its front. The buffer grows (by doubling, with the data
    /// actually read) only for a block larger than it, so a corrupt length on a short file does
    /// not allocate the claimed size.
    fn read_block(&mut self) -> Result<Option<(u32, u64)>, ScapError> {
        let start = self.offset;
        if self.end - self.pos < 8 {
            self.fill(8, start)?;
            let n = self.end - self.pos;
            if n == 0 {
                return Ok(None);
            }
            if n < 8 {
                self.consume_all();
                return Err(ScapError::truncated(
                    start,
                    format!("truncated block header: {n} of 8 bytes"),
                ));
            }
        }
        let p = self.pos;
        let hdr = &self.buf[p..p + 8];
        let ty = u32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
        let total = u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]);
        if total < 12 {
            return Err(ScapError::corrupt(
                start,
                format!("block {ty:#x}: total length {total} is shorter than 12 bytes"),
            ));
        }
        if total > self.max_block_len {
            return Err(ScapError::corrupt(
                start,
                format!(
                    "block {ty:#x}: total length {total} exceeds the limit of {} bytes",
                    self.max_block_len
                ),
            ));
        }
        let total_len = total as usize;
        if self.end - self.pos < total_len {
            self.fill(total_len, start)?;
            let n = self.end - self.pos;
            if n < total_len - 4 {
                self.consume_all();
                return Err(ScapError::truncated(
                    start,
                    format!(
                        "block {ty:#x} of {total} bytes is truncated: the file ends after {n} bytes"
                    ),
                ));
            }
            if n < total_len {
                self.consume_all();
                return Err(ScapError::truncated(
                    start,
                    format!("block {ty:#x} of {total} bytes is truncated in its trailer"),
                ));
            }
        }
        let p = self.pos;
        let tr = &self.buf[p + total_len - 4..p + total_len];
        let trailer = u32::from_le_bytes([tr[0], tr[1], tr[2], tr[3]]);
        self.pos += total_len;
        self.offset += u64::from(total);
        if trailer != total {
            return Err(ScapError::corrupt(
                start,
                format!(
                    "block {ty:#x}: trailer length {trailer} differs from header length {total}"
                ),
            ));
        }
        self.body = (p + 8, p + total_len - 4);
        Ok(Some((ty, start + 8)))
    }

    /// The body of the current block.
    fn body(&self) -> &[u8] {
        &self.buf[self.body.0..self.body.1]
    }

    /// Consume what is left (after a truncation error).
    fn consume_all(&mut self) {
        self.offset += (self.end - self.pos) as u64;
        self.pos = self.end;
    }

    /// Read until at least `want` unconsumed bytes are buffered or the input ends.
    fn fill(&mut self, want: usize, start: u64) -> Result<(), ScapError> {
        while self.end - self.pos < want {
            if self.pos + want > self.buf.len() {
                // Move the unconsumed tail to the front, then grow if it still does not fit.
                if self.pos > 0 {
                    self.buf.copy_within(self.pos..self.end, 0);
                    self.end -= self.pos;
                    self.pos = 0;
                    self.body = (0, 0);
                }
                if want > self.buf.len() && self.end == self.buf.len() {
                    let new_len = want.min(self.buf.len().max(READ_CHUNK) * 2);
                    self.buf.resize(new_len, 0);
                }
            }
            let end = self.end;
            match self.input.read(&mut self.buf[end..]) {
                Ok(0) => return Ok(()),
                Ok(k) => self.end += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.read_err(start, e)),
            }
        }
        Ok(())
    }

    fn read_err(&self, start: u64, e: io::Error) -> ScapError {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            ScapError::truncated(start, format!("compressed stream ends early: {e}"))
        } else {
            let msg = format!("read error: {e}");
            ScapError::new(start, ErrorKind::Io(e), msg)
        }
    }

    /// Decode the event in `self.buf`. Returns false if its code is past the table (skipped).
    fn parse_event(&mut self, ty: u32, body_off: u64, block_off: u64) -> Result<bool, ScapError> {
        let with_flags = matches!(
            ty,
            EVF_BLOCK_TYPE | EVF_BLOCK_TYPE_V2 | EVF_BLOCK_TYPE_V2_LARGE
        );
        let kind = match ty {
            EV_BLOCK_TYPE_V2 | EVF_BLOCK_TYPE_V2 => EventBlockKind::V2,
            EV_BLOCK_TYPE_V2_LARGE | EVF_BLOCK_TYPE_V2_LARGE => EventBlockKind::V2Large,
            _ => EventBlockKind::V1,
        };
        let body = &self.buf[self.body.0..self.body.1];
        let hdr_len = if kind == EventBlockKind::V1 {
            EVENT_HEADER_LEN_V1
        } else {
            EVENT_HEADER_LEN
        };
        let ev_start = if with_flags { 6 } else { 2 };
        if body.len() < ev_start + hdr_len {
            // Report the first field that does not fit, as the careful reader would.
            let mut cur = Cur::new(body, body_off);
            cur.u16("event cpu id")?;
            if with_flags {
                cur.u32("event flags")?;
            }
            return Err(ScapError::corrupt(
                block_off,
                format!(
                    "event block of {} body bytes cannot hold an event header of {hdr_len} bytes",
                    body.len()
                ),
            ));
        }
        // Fixed-layout header fields, all within the length checked above.
        let cpu = le16(body, 0);
        let flags = if with_flags { le32(body, 2) } else { 0 };
        let ts = le64(body, ev_start);
        let tid = le64(body, ev_start + 8);
        let len = le32(body, ev_start + 16) as usize;
        let code = le16(body, ev_start + 20);
        let avail = body.len() - ev_start;
        self.ev = CurrentEvent {
            ts,
            tid,
            cpu,
            flags,
            code,
            kind: Some(kind),
        };
        self.ranges.clear();
        if code >= EVENT_MAX {
            return Ok(false);
        }
        let info = event_info(code);
        let large = info.is_some_and(|i| i.is_large_payload());
        match kind {
            EventBlockKind::V1 => {
                let mut len = len;
                if code == NOTIFICATION_E || code == INFRASTRUCTURE_EVENT_E {
                    len = len.saturating_sub(3);
                }
                if len < EVENT_HEADER_LEN_V1 || len > avail {
                    return Err(ScapError::corrupt(
                        block_off,
                        format!(
                            "v1 event {code}: length {len} outside [{EVENT_HEADER_LEN_V1}, {avail}]"
                        ),
                    ));
                }
                let lens_start = ev_start + EVENT_HEADER_LEN_V1;
                let end = ev_start + len;
                let max_np = info.map_or(0, |i| i.params.len());
                let mut found = None;
                for np in (0..=max_np).rev() {
                    let vals = lens_start + np * 2;
                    if vals > end {
                        continue;
                    }
                    let mut p = vals;
                    for i in 0..np {
                        let o = lens_start + i * 2;
                        p += usize::from(u16::from_le_bytes([body[o], body[o + 1]]));
                    }
                    if p < end {
                        return Err(ScapError::corrupt(
                            block_off,
                            format!(
                                "v1 event {code}: cannot infer the number of parameters \
                                 ({np} parameters use {} of {} bytes)",
                                p - ev_start,
                                len
                            ),
                        ));
                    }
                    if p == end {
                        found = Some(np);
                        break;
                    }
                }
                let Some(np) = found else {
                    return Err(ScapError::corrupt(
                        block_off,
                        format!("v1 event {code}: cannot infer the number of parameters"),
                    ));
                };
                let mut p = lens_start + np * 2;
                for i in 0..np {
                    let o = lens_start + i * 2;
                    let l = usize::from(u16::from_le_bytes([body[o], body[o + 1]]));
                    self.ranges.push((p as u32, (p + l) as u32));
                    p += l;
                }
            }
            EventBlockKind::V2 | EventBlockKind::V2Large => {
                let nparams = le32(body, ev_start + 22) as usize;
                if len < EVENT_HEADER_LEN || len > avail {
                    return Err(ScapError::corrupt(
                        block_off,
                        format!(
                            "event {code}: length {len} outside [{EVENT_HEADER_LEN}, {avail}] \
                             (the bytes available in the block)"
                        ),
                    ));
                }
                let len_size = if large { 4 } else { 2 };
                let lens_start = ev_start + EVENT_HEADER_LEN;
                let vals = nparams
                    .checked_mul(len_size)
                    .and_then(|x| x.checked_add(lens_start))
                    .filter(|v| *v <= ev_start + len)
                    .ok_or_else(|| {
                        ScapError::corrupt(
                            block_off,
                            format!(
                                "event {code}: {nparams} parameters do not fit in length {len}"
                            ),
                        )
                    })?;
                let end = ev_start + len;
                let mut p = vals;
                let lens = &body[lens_start..vals];
                self.ranges.reserve(nparams);
                for (i, b) in lens.chunks_exact(len_size).enumerate() {
                    let l = if large {
                        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
                    } else {
                        usize::from(u16::from_le_bytes([b[0], b[1]]))
                    };
                    if l > end - p {
                        return Err(ScapError::corrupt(
                            block_off,
                            format!(
                                "event {code}: parameter {i} of {l} bytes exceeds the event length {len}"
                            ),
                        ));
                    }
                    self.ranges.push((p as u32, (p + l) as u32));
                    p += l;
                }
            }
        }
        Ok(true)
    }
}

/// Little-endian reads at offsets the caller has checked.
#[inline]
fn le16(b: &[u8], o: usize) -> u16 {
    let mut a = [0u8; 2];
    a.copy_from_slice(&b[o..o + 2]);
    u16::from_le_bytes(a)
}

#[inline]
fn le32(b: &[u8], o: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[o..o + 4]);
    u32::from_le_bytes(a)
}

#[inline]
fn le64(b: &[u8], o: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(a)
}

/// The common block in one pass: a v2 event block (`EV_V2`/`EVF_V2`, an event of a known code
/// without large payloads) that lies whole at the start of `b` and is well formed. Its
/// parameter ranges (relative to the block body) are appended to `ranges`; returns its header
/// and the block's length. `None`, leaving `ranges` as it was, for anything else: the block is
/// then left to [`Reader::advance_inner`], which reads it again and reports what is wrong with
/// it (so errors stay those of the general path).
#[inline(always)]
fn plain_event(
    b: &[u8],
    max_block_len: u32,
    ranges: &mut Vec<(u32, u32)>,
) -> Option<(CurrentEvent, u32)> {
    if b.len() < 8 {
        return None;
    }
    let ev_start = match le32(b, 0) {
        EV_BLOCK_TYPE_V2 => 2,
        EVF_BLOCK_TYPE_V2 => 6,
        _ => return None,
    };
    let total = le32(b, 4);
    let total_len = total as usize;
    if total < 12 || total > max_block_len || b.len() < total_len || le32(b, total_len - 4) != total
    {
        return None;
    }
    let body = &b[8..total_len - 4];
    if body.len() < ev_start + EVENT_HEADER_LEN {
        return None;
    }
    let len = le32(body, ev_start + 16) as usize;
    let code = le16(body, ev_start + 20);
    let nparams = le32(body, ev_start + 22) as usize;
    if code >= EVENT_MAX
        || len < EVENT_HEADER_LEN
        || len > body.len() - ev_start
        || event_info(code).is_some_and(|i| i.is_large_payload())
    {
        return None;
    }
    let lens_start = ev_start + EVENT_HEADER_LEN;
    let end = ev_start + len;
    let vals = nparams
        .checked_mul(2)
        .map(|n| n + lens_start)
        .filter(|&v| v <= end)?;
    // The parameters lie one after the other: they all fit if the last one ends within the
    // event, checked once after the walk (a position cannot overflow: at most 65535 bytes per
    // length field; the ranges fit in u32 once it passed, the event being within a block).
    let at = ranges.len();
    ranges.reserve(nparams);
    let mut p = vals;
    for l in body[lens_start..vals].chunks_exact(2) {
        let e = p + usize::from(u16::from_le_bytes([l[0], l[1]]));
        ranges.push((p as u32, e as u32));
        p = e;
    }
    if p > end {
        ranges.truncate(at);
        return None;
    }
    let ev = CurrentEvent {
        ts: le64(body, ev_start),
        tid: le64(body, ev_start + 8),
        cpu: le16(body, 0),
        flags: if ev_start == 6 { le32(body, 2) } else { 0 },
        code,
        kind: Some(EventBlockKind::V2),
    };
    Some((ev, total))
}

fn parse_section_header(body: &[u8], off: u64) -> Result<SectionHeader, ScapError> {
    let mut c = Cur::new(body, off);
    let magic = c.u32("section header magic")?;
    if magic == SHB_MAGIC.swap_bytes() {
        return Err(ScapError::new(
            off,
            ErrorKind::Unsupported,
            "big-endian captures are not supported",
        ));
    }
    if magic != SHB_MAGIC {
        return Err(ScapError::corrupt(
            off,
            format!("invalid byte order magic {magic:#010x}"),
        ));
    }
    let major = c.u16("section header major version")?;
    let minor = c.u16("section header minor version")?;
    let section_length = c.u64("section length")?;
    if major != 1 {
        return Err(ScapError::new(
            off,
            ErrorKind::Unsupported,
            format!("unsupported capture format version {major}.{minor}"),
        ));
    }
    Ok(SectionHeader {
        major,
        minor,
        section_length,
    })
}

fn parse_machine_info(body: &[u8], off: u64) -> Result<MachineInfo, ScapError> {
    let mut c = Cur::new(body, off);
    let mut mi = MachineInfo {
        num_cpus: c.u32("machine info num_cpus")?,
        memory_size_bytes: c.u64("machine info memory size")?,
        max_pid: c.u64("machine info max pid")?,
        hostname: cstr_lossy(c.bytes(128, "machine info hostname")?),
        ..MachineInfo::default()
    };
    let rest = [
        &mut mi.boot_ts_epoch,
        &mut mi.flags,
        &mut mi.reserved3,
        &mut mi.reserved4,
    ];
    for f in rest {
        if c.remaining() >= 8 {
            *f = c.u64("machine info")?;
        }
    }
    Ok(mi)
}

fn pl_version(ty: u32) -> u8 {
    match ty {
        PL_BLOCK_TYPE_V1 | PL_BLOCK_TYPE_V1_INT => 1,
        PL_BLOCK_TYPE_V2 | PL_BLOCK_TYPE_V2_INT => 2,
        PL_BLOCK_TYPE_V3 | PL_BLOCK_TYPE_V3_INT => 3,
        PL_BLOCK_TYPE_V4 => 4,
        PL_BLOCK_TYPE_V5 => 5,
        PL_BLOCK_TYPE_V6 => 6,
        PL_BLOCK_TYPE_V7 => 7,
        PL_BLOCK_TYPE_V8 => 8,
        _ => 9,
    }
}

/// One process-list entry, following libscap's per-version layout.
fn parse_thread(c: &mut Cur<'_>, ty: u32) -> Result<ThreadInfo, ScapError> {
    let v = pl_version(ty);
    let entry_off = c.offset();
    let start = c.pos();
    let mut t = ThreadInfo::default();
    let sub_len = if v == 9 {
        c.u32("process entry length")? as usize
    } else {
        0
    };
    t.tid = c.u64("process tid")?;
    t.pid = c.u64("process pid")?;
    t.ptid = c.u64("process ptid")?;
    if v >= 6 {
        t.sid = c.u64("process sid")?;
    }
    if v >= 8 {
        t.vpgid = c.u64("process vpgid")?;
    }
    t.comm = c.lstr("process comm")?;
    t.exe = c.lstr("process exe")?;
    if v >= 7 {
        t.exepath = c.lstr("process exepath")?;
    }
    t.args = c.lstr_bytes("process args")?.to_vec();
    if t.args.last().is_some_and(|b| *b != 0) {
        t.args.push(0);
    }
    t.cwd = c.lstr("process cwd")?;
    t.fdlimit = c.u64("process fdlimit")?;
    t.flags = c.u32("process flags")?;
    t.uid = c.u32("process uid")?;
    t.gid = c.u32("process gid")?;
    if v >= 2 {
        t.vmsize_kb = c.u32("process vmsize")?;
        t.vmrss_kb = c.u32("process vmrss")?;
        t.vmswap_kb = c.u32("process vmswap")?;
        t.pfmajor = c.u64("process pfmajor")?;
        t.pfminor = c.u64("process pfminor")?;
        if v >= 3 {
            t.env = c.lstr_bytes("process env")?.to_vec();
            if t.env.last().is_some_and(|b| *b != 0) {
                t.env.push(0);
            }
        }
        if v >= 4 {
            t.vtid = c.i64("process vtid")?;
            t.vpid = c.i64("process vpid")?;
            t.cgroups = c.lstr_bytes("process cgroups")?.to_vec();
            if v >= 5 {
                t.root = c.lstr("process root")?;
            }
        }
    }
    if sub_len != 0 {
        let read = |c: &Cur<'_>| c.pos() - start;
        let fits = |c: &Cur<'_>, n: usize| read(c) + n <= sub_len;
        // libs < 0.10 wrote only loginuid, exe_writable and the three capability sets (29 bytes)
        // after root; 0.10 inserted pidns_init_start_ts and tty before them.
        let pre_0_10 = sub_len >= read(c) && sub_len - read(c) <= 29;
        if !pre_0_10 {
            if fits(c, 8) {
                t.pidns_init_start_ts = c.u64("process pidns_init_start_ts")?;
            }
            if fits(c, 4) {
                t.tty = c.u32("process tty")?;
            }
        }
        if fits(c, 4) {
            t.loginuid = c.u32("process loginuid")?;
        }
        if fits(c, 1) {
            t.exe_writable = c.u8("process exe_writable")? != 0;
        }
        if fits(c, 8) {
            t.cap_inheritable = c.u64("process cap_inheritable")?;
        }
        if fits(c, 8) {
            t.cap_permitted = c.u64("process cap_permitted")?;
        }
        if fits(c, 8) {
            t.cap_effective = c.u64("process cap_effective")?;
        }
        if fits(c, 1) {
            t.exe_upper_layer = c.u8("process exe_upper_layer")? != 0;
        }
        if fits(c, 8) {
            t.exe_ino = c.u64("process exe_ino")?;
        }
        if fits(c, 8) {
            t.exe_ino_ctime = c.u64("process exe_ino_ctime")?;
        }
        if fits(c, 8) {
            t.exe_ino_mtime = c.u64("process exe_ino_mtime")?;
        }
        if fits(c, 1) {
            t.exe_from_memfd = c.u8("process exe_from_memfd")? != 0;
        }
        if fits(c, 1) {
            t.exe_lower_layer = c.u8("process exe_lower_layer")? != 0;
        }
        if fits(c, 8) {
            t.pgid = c.i64("process pgid")?;
        }
        let r = read(c);
        if r > sub_len {
            return Err(ScapError::corrupt(
                entry_off,
                format!("process entry: read {r} bytes but the entry length is {sub_len}"),
            ));
        }
        c.skip(sub_len - r, "process entry (newer fields)")?;
    }
    Ok(t)
}

fn parse_fdlist(body: &[u8], off: u64, v2: bool) -> Result<(u64, Vec<FdInfo>), ScapError> {
    let mut c = Cur::new(body, off);
    let tid = c.u64("fd list tid")?;
    let mut fds = Vec::new();
    while c.remaining() >= 4 {
        let entry_off = c.offset();
        let start = c.pos();
        let sub_len = if v2 {
            c.u32("fd entry length")? as usize
        } else {
            0
        };
        let fd = c.i64("fd number")?;
        let ino = c.u64("fd inode")?;
        let ty = c.u8("fd type")?;
        use fd_type::*;
        let detail = match ty {
            IPV4_SOCK => FdDetail::Ipv4 {
                sip: c.u32("fd ipv4 sip")?,
                dip: c.u32("fd ipv4 dip")?,
                sport: c.u16("fd ipv4 sport")?,
                dport: c.u16("fd ipv4 dport")?,
                l4proto: c.u8("fd ipv4 l4proto")?,
            },
            IPV4_SERVSOCK => FdDetail::Ipv4Server {
                ip: c.u32("fd ipv4 server ip")?,
                port: c.u16("fd ipv4 server port")?,
                l4proto: c.u8("fd ipv4 server l4proto")?,
            },
            IPV6_SOCK => FdDetail::Ipv6 {
                sip: c.ip6("fd ipv6 sip")?,
                dip: c.ip6("fd ipv6 dip")?,
                sport: c.u16("fd ipv6 sport")?,
                dport: c.u16("fd ipv6 dport")?,
                l4proto: c.u8("fd ipv6 l4proto")?,
            },
            IPV6_SERVSOCK => FdDetail::Ipv6Server {
                ip: c.ip6("fd ipv6 server ip")?,
                port: c.u16("fd ipv6 server port")?,
                l4proto: c.u8("fd ipv6 server l4proto")?,
            },
            UNIX_SOCK => FdDetail::Unix {
                source: c.u64("fd unix source")?,
                dest: c.u64("fd unix destination")?,
                name: c.lstr("fd unix name")?,
            },
            FILE_V2 => {
                let open_flags = c.u32("fd open flags")?;
                let name = c.lstr("fd file name")?;
                let dev = if sub_len != 0 && c.pos() - start + 4 <= sub_len {
                    Some(c.u32("fd dev")?)
                } else {
                    None
                };
                FdDetail::File {
                    open_flags,
                    name,
                    dev,
                }
            }
            FIFO | FILE | DIRECTORY | UNSUPPORTED | EVENT | SIGNALFD | EVENTPOLL | INOTIFY
            | TIMERFD | NETLINK | BPF | USERFAULTFD | IOURING | MEMFD | PIDFD => {
                FdDetail::Named(c.lstr("fd name")?)
            }
            _ => FdDetail::Unknown,
        };
        if sub_len != 0 {
            let r = c.pos() - start;
            if r > sub_len {
                return Err(ScapError::corrupt(
                    entry_off,
                    format!("fd entry: read {r} bytes but the entry length is {sub_len}"),
                ));
            }
            c.skip(sub_len - r, "fd entry (newer fields)")?;
        } else if matches!(detail, FdDetail::Unknown) && !v2 {
            return Err(ScapError::corrupt(
                entry_off,
                format!("fd entry of unknown type {ty}"),
            ));
        }
        fds.push(FdInfo {
            fd,
            ino,
            ty,
            detail,
        });
    }
    Ok((tid, fds))
}

fn parse_iflist(body: &[u8], off: u64, v2: bool) -> Result<Vec<Interface>, ScapError> {
    let mut c = Cur::new(body, off);
    let mut out = Vec::new();
    while c.remaining() >= 4 {
        let entry_off = c.offset();
        let entry_size = if v2 {
            c.u32("interface entry length")? as usize
        } else {
            0
        };
        let start = c.pos();
        let ty = c.u16("interface type")?;
        let namelen = usize::from(c.u16("interface name length")?);
        let iface = match ty {
            1 | 3 => {
                let addr = c.u32("interface address")?;
                let netmask = c.u32("interface netmask")?;
                let bcast = c.u32("interface broadcast")?;
                let linkspeed = if ty == 1 {
                    c.u64("interface link speed")?
                } else {
                    0
                };
                let name = cstr_lossy(c.bytes(namelen, "interface name")?);
                Interface::V4 {
                    ty,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                    name,
                }
            }
            2 | 4 => {
                let addr = c.ip6("interface address")?;
                let netmask = c.ip6("interface netmask")?;
                let bcast = c.ip6("interface broadcast")?;
                let linkspeed = if ty == 2 {
                    c.u64("interface link speed")?
                } else {
                    0
                };
                let name = cstr_lossy(c.bytes(namelen, "interface name")?);
                Interface::V6 {
                    ty,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                    name,
                }
            }
            _ => {
                return Err(ScapError::corrupt(
                    entry_off,
                    format!("unknown interface type {ty}"),
                ));
            }
        };
        if entry_size != 0 {
            let r = c.pos() - start;
            if r > entry_size {
                return Err(ScapError::corrupt(
                    entry_off,
                    format!("interface entry: read {r} bytes but the entry length is {entry_size}"),
                ));
            }
            c.skip(entry_size - r, "interface entry (newer fields)")?;
        }
        out.push(iface);
    }
    Ok(out)
}

fn parse_userlist(body: &[u8], off: u64, v2: bool) -> Result<UserList, ScapError> {
    let mut c = Cur::new(body, off);
    let mut ul = UserList::default();
    while c.remaining() >= 4 {
        let entry_off = c.offset();
        let start = c.pos();
        let sub_len = if v2 {
            c.u32("user entry length")? as usize
        } else {
            0
        };
        let ty = c.u8("user entry type")?;
        if ty == 0 {
            ul.users.push(UserInfo {
                uid: c.u32("user uid")?,
                gid: c.u32("user gid")?,
                name: c.lstr("user name")?,
                homedir: c.lstr("user home")?,
                shell: c.lstr("user shell")?,
            });
        } else {
            ul.groups.push(GroupInfo {
                gid: c.u32("group gid")?,
                name: c.lstr("group name")?,
            });
        }
        if sub_len != 0 {
            let r = c.pos() - start;
            if r > sub_len {
                return Err(ScapError::corrupt(
                    entry_off,
                    format!("user entry: read {r} bytes but the entry length is {sub_len}"),
                ));
            }
            c.skip(sub_len - r, "user entry (newer fields)")?;
        }
    }
    Ok(ul)
}
