//! Reading and converting a capture on a second thread (`vigil inspect`).
//!
//! The reader (I/O, block framing, the parameter walk) and the converter (enter events merged
//! into exit events) run on their own thread and hand their output over in batches, in capture
//! order: the events' parameters copied into one byte buffer with their ranges, and the few
//! table blocks (process and fd lists, users, interfaces) as they are. The caller's thread
//! rebuilds each event as a [`RawEvent`] over the batch — no second parameter walk — and does
//! what must stay in order: state, filter, output. Batches go back to the reading thread to be
//! refilled, so the steady state allocates nothing. An error of the stream travels in order
//! with the events: the events before it are processed first.

use std::fs::File;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use vigil_scap::{Block, Converter, ErrorKind, RawEvent, ScapError};

/// Events per batch, at most.
const BATCH_EVENTS: usize = 4096;
/// Parameter bytes per batch before it is handed over (a single large event may exceed it).
const BATCH_BYTES: usize = 512 << 10;
/// Batches in flight: filled, queued, being consumed.
const BATCHES: usize = 4;

/// One event's header and the range of its parameters in [`Batch::ranges`].
#[derive(Clone, Copy)]
struct Head {
    ts: u64,
    tid: u64,
    flags: u32,
    cpu: u16,
    code: u16,
    first: u32,
    end: u32,
}

enum Item {
    Event(Head),
    Table(Block<'static>),
    Error(ScapError),
    /// A table or error already handed out.
    Taken,
}

/// What [`Prefetch::next`] yields, in capture order.
pub(super) enum Next<'a> {
    Block(Block<'a>),
    Error(ScapError),
}

#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    ranges: Vec<(u32, u32)>,
    items: Vec<Item>,
}

impl Batch {
    fn clear(&mut self) {
        self.bytes.clear();
        self.ranges.clear();
        self.items.clear();
    }

    fn full(&self) -> bool {
        self.items.len() >= BATCH_EVENTS || self.bytes.len() >= BATCH_BYTES
    }

    /// Append `ev`; false when its parameters do not fit the batch's 31-bit offsets (the
    /// caller hands the batch over and retries on an empty one).
    fn push_event(&mut self, ev: &RawEvent<'_>) -> bool {
        if self.bytes.len() + ev.params_len() >= (1 << 31) && !self.bytes.is_empty() {
            return false;
        }
        let first = self.ranges.len();
        for p in ev.params() {
            let s = self.bytes.len();
            self.bytes.extend_from_slice(p);
            self.ranges.push((offset(s), offset(self.bytes.len())));
        }
        self.items.push(Item::Event(Head {
            ts: ev.ts,
            tid: ev.tid,
            flags: ev.flags,
            cpu: ev.cpu,
            code: ev.code,
            first: offset(first),
            end: offset(self.ranges.len()),
        }));
        true
    }
}

fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A table block, which owns its data already, as `Block<'static>` (`None` for an event).
fn owned_table(block: Block<'_>) -> Option<Block<'static>> {
    Some(match block {
        Block::Section(h) => Block::Section(h),
        Block::MachineInfo(m) => Block::MachineInfo(m),
        Block::Interfaces(l) => Block::Interfaces(l),
        Block::Users(u) => Block::Users(u),
        Block::Process(t) => Block::Process(t),
        Block::Fds { tid, fds } => Block::Fds { tid, fds },
        Block::Event(_) => return None,
    })
}

/// A converted capture read on a second thread.
pub(super) struct Prefetch {
    full: Receiver<Batch>,
    empty: SyncSender<Batch>,
    current: Batch,
    pos: usize,
    thread: Option<JoinHandle<()>>,
}

impl Prefetch {
    pub(super) fn start(mut conv: Converter<File>) -> std::io::Result<Prefetch> {
        let (full_tx, full) = sync_channel::<Batch>(BATCHES);
        let (empty, empty_rx) = sync_channel::<Batch>(BATCHES);
        for _ in 0..BATCHES - 1 {
            let _ = empty.send(Batch::default());
        }
        let thread = std::thread::Builder::new()
            .name("vigil-read".into())
            .spawn(move || produce(&mut conv, &full_tx, &empty_rx))?;
        Ok(Prefetch {
            full,
            empty,
            current: Batch::default(),
            pos: 0,
            thread: Some(thread),
        })
    }

    /// The next block or error, in capture order; `None` at the end of the stream.
    pub(super) fn next(&mut self) -> Option<Next<'_>> {
        while self.pos >= self.current.items.len() {
            let batch = self.full.recv().ok()?;
            let done = std::mem::replace(&mut self.current, batch);
            let _ = self.empty.try_send(done);
            self.pos = 0;
        }
        let i = self.pos;
        self.pos += 1;
        if let Item::Event(h) = self.current.items[i] {
            let b = &self.current;
            let ranges = b
                .ranges
                .get(h.first as usize..h.end as usize)
                .unwrap_or(&[]);
            return Some(Next::Block(Block::Event(RawEvent::new(
                h.ts, h.tid, h.cpu, h.flags, h.code, &b.bytes, ranges,
            ))));
        }
        match std::mem::replace(&mut self.current.items[i], Item::Taken) {
            Item::Table(t) => Some(Next::Block(t)),
            Item::Error(e) => Some(Next::Error(e)),
            Item::Event(_) | Item::Taken => self.next(),
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        // Stop the reading thread: its sends fail once the receiver is gone, and a wait for
        // an empty batch ends once the sender is.
        let (_, dead) = sync_channel(0);
        drop(std::mem::replace(&mut self.full, dead));
        let (dead, _) = sync_channel(0);
        drop(std::mem::replace(&mut self.empty, dead));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn produce(conv: &mut Converter<File>, full: &SyncSender<Batch>, empty: &Receiver<Batch>) {
    let mut batch = empty.recv().unwrap_or_default();
    loop {
        let (item_done, stop) = match conv.next() {
            Ok(Some(Block::Event(ev))) => {
                if !batch.push_event(&ev) {
                    if full.send(std::mem::take(&mut batch)).is_err() {
                        return;
                    }
                    batch = empty.recv().unwrap_or_default();
                    batch.clear();
                    batch.push_event(&ev);
                }
                (true, false)
            }
            Ok(Some(block)) => {
                if let Some(t) = owned_table(block) {
                    batch.items.push(Item::Table(t));
                }
                (true, false)
            }
            Ok(None) => (false, true),
            Err(e) => {
                let fatal = !matches!(e.kind, ErrorKind::Conversion);
                batch.items.push(Item::Error(e));
                (true, fatal)
            }
        };
        if stop || (item_done && batch.full()) {
            if full.send(std::mem::take(&mut batch)).is_err() || stop {
                return;
            }
            batch = empty.recv().unwrap_or_default();
            batch.clear();
        }
    }
}
