//! Reading and converting a capture on a second thread (`vigil inspect`).
//!
//! The reader (I/O, block framing, the parameter walk) and the converter (enter events merged
//! into exit events) run on their own thread and hand their output over in batches, in capture
//! order: the events in an [`EventBatch`] filled by [`Converter::fill`] (each event's bytes,
//! the bytes the converter added, its parameter ranges written there as the reader walks them),
//! and the few table blocks (process and fd lists, users, interfaces) and errors
//! apart, each with its place among the events. The caller's thread reads each event back as a
//! `RawEvent` over the batch — no second parameter walk — and does
//! what must stay in order: state, filter, output. Batches go back to the reading thread to be
//! refilled, so the steady state allocates nothing. An error of the stream travels in order
//! with the events: the events before it are processed first.

use std::collections::VecDeque;
use std::fs::File;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use vigil_scap::{Block, Converter, ErrorKind, EventBatch, Filled, ScapError};

/// Events per batch, at most.
const BATCH_EVENTS: usize = 4096;
/// Event bytes per batch before it is handed over (a single large event may exceed it).
const BATCH_BYTES: usize = 512 << 10;
/// Batches in flight: filled, queued, being consumed.
const BATCHES: usize = 4;

/// A table block or an error of the stream: rare, kept apart from the events.
enum Other {
    Table(Block<'static>),
    Error(ScapError),
}

/// What [`Prefetch::next`] yields, in capture order.
pub(super) enum Next<'a> {
    Block(Block<'a>),
    Error(ScapError),
}

#[derive(Default)]
struct Batch {
    events: EventBatch,
    /// Tables and errors, each with the number of events of the batch that come before it.
    others: VecDeque<(usize, Other)>,
}

impl Batch {
    fn clear(&mut self) {
        self.events.clear();
        self.others.clear();
    }

    fn full(&self) -> bool {
        self.events.len() + self.others.len() >= BATCH_EVENTS
            || self.events.byte_len() >= BATCH_BYTES
    }

    /// Append a table block or an error after the events pushed so far.
    fn push_other(&mut self, other: Other) {
        self.others.push_back((self.events.len(), other));
    }
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
        while self.pos >= self.current.events.len() && self.current.others.is_empty() {
            let batch = self.full.recv().ok()?;
            let done = std::mem::replace(&mut self.current, batch);
            let _ = self.empty.try_send(done);
            self.pos = 0;
        }
        let b = &mut self.current;
        if b.others.front().is_some_and(|&(at, _)| at == self.pos) {
            return b.others.pop_front().map(|(_, other)| match other {
                Other::Table(t) => Next::Block(t),
                Other::Error(e) => Next::Error(e),
            });
        }
        let ev = b.events.get(self.pos)?;
        self.pos += 1;
        Some(Next::Block(Block::Event(ev)))
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
        let room = BATCH_EVENTS.saturating_sub(batch.others.len());
        let stop = match conv.fill(&mut batch.events, room, BATCH_BYTES) {
            Ok(Filled::Full) => false,
            Ok(Filled::Block(b)) => {
                batch.push_other(Other::Table(b));
                false
            }
            Ok(Filled::End) => true,
            Err(e) => {
                let fatal = !matches!(e.kind, ErrorKind::Conversion);
                batch.push_other(Other::Error(e));
                fatal
            }
        };
        if stop || batch.full() {
            if full.send(std::mem::take(&mut batch)).is_err() || stop {
                return;
            }
            batch = empty.recv().unwrap_or_default();
            batch.clear();
        }
    }
}
