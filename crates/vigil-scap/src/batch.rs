//! Events copied out of the buffer they were read into, to be read back later (on another
//! thread, after the reader has moved on).

use crate::event::RawEvent;

/// Where one event lies in an [`EventBatch`]: its header fields, its bytes (`bytes[at..end]`),
/// the bytes a conversion added (`ext[xat..xend]`) and its parameter ranges
/// (`ranges[first..last]`).
#[derive(Debug, Clone, Copy)]
struct Head {
    ts: u64,
    tid: u64,
    flags: u32,
    cpu: u16,
    code: u16,
    at: usize,
    end: usize,
    xat: usize,
    xend: usize,
    first: usize,
    last: usize,
}

/// Events copied as they are: each event's bytes, the bytes the converter added to it and its
/// parameter ranges, so that [`EventBatch::get`] gives back an event equal to the one pushed
/// (same parameters, same out-of-bounds parameters) without walking its parameters.
///
/// Copying the event's whole buffer (a few header bytes more than its parameters) costs three
/// copies per event whatever its number of parameters, and keeps the ranges unchanged.
/// [`crate::Converter::fill`] fills a batch more cheaply: the ranges are written there once,
/// as they are walked. The buffers are kept by [`EventBatch::clear`], so a batch refilled in a
/// loop stops allocating once it has grown.
#[derive(Debug, Default)]
pub struct EventBatch {
    bytes: Vec<u8>,
    pub(crate) ext: Vec<u8>,
    pub(crate) ranges: Vec<(u32, u32)>,
    heads: Vec<Head>,
}

impl EventBatch {
    /// An empty batch.
    pub fn new() -> EventBatch {
        EventBatch::default()
    }

    /// Append a copy of `ev`.
    #[inline]
    pub fn push(&mut self, ev: &RawEvent<'_>) {
        let first = self.ranges.len();
        self.ranges.extend_from_slice(ev.ranges);
        let xat = self.ext.len();
        // Most events have nothing added: no copy call for those.
        if !ev.ext.is_empty() {
            self.ext.extend_from_slice(ev.ext);
        }
        self.push_event(ev, ev.code, first, xat);
    }

    /// Append `ev` (its code replaced by `code`) whose ranges and added bytes were appended
    /// already, from `ranges[first..]` and `ext[xat..]` (`ev.ranges` and `ev.ext` are not
    /// read); its bytes are copied.
    #[inline]
    pub(crate) fn push_event(&mut self, ev: &RawEvent<'_>, code: u16, first: usize, xat: usize) {
        let at = self.bytes.len();
        self.bytes.extend_from_slice(ev.buf);
        self.heads.push(Head {
            ts: ev.ts,
            tid: ev.tid,
            flags: ev.flags,
            cpu: ev.cpu,
            code,
            at,
            end: self.bytes.len(),
            xat,
            xend: self.ext.len(),
            first,
            last: self.ranges.len(),
        });
    }

    /// Event `i` (in push order).
    #[inline]
    pub fn get(&self, i: usize) -> Option<RawEvent<'_>> {
        let h = self.heads.get(i)?;
        Some(RawEvent {
            ts: h.ts,
            tid: h.tid,
            cpu: h.cpu,
            flags: h.flags,
            code: h.code,
            buf: self.bytes.get(h.at..h.end)?,
            ext: self.ext.get(h.xat..h.xend)?,
            ranges: self.ranges.get(h.first..h.last)?,
        })
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.heads.len()
    }

    /// Whether there is no event.
    pub fn is_empty(&self) -> bool {
        self.heads.is_empty()
    }

    /// Bytes held for the events (to bound a batch's size).
    pub fn byte_len(&self) -> usize {
        self.bytes.len() + self.ext.len()
    }

    /// Remove every event, keeping the buffers.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ext.clear();
        self.ranges.clear();
        self.heads.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EXT;

    fn same(a: &RawEvent<'_>, b: &RawEvent<'_>) {
        assert_eq!(
            (a.ts, a.tid, a.cpu, a.flags, a.code),
            (b.ts, b.tid, b.cpu, b.flags, b.code)
        );
        assert_eq!(a.nparams(), b.nparams());
        for i in 0..a.nparams() {
            assert_eq!(a.param(i), b.param(i), "parameter {i}");
        }
    }

    #[test]
    fn events_come_back_as_pushed() {
        let body = b"\x01\x00header..abcdefgh".to_vec();
        let ext = b"added".to_vec();
        // As read: ascending ranges of the body.
        let read = [(10, 13), (13, 18)];
        // Converted: out of order, added bytes, an empty and an out-of-bounds parameter.
        let conv = [
            (13, 18),
            (EXT, 5),
            (10, 10),
            (EXT | 2, 4),
            (15, 99),
            (EXT | 4, 9),
        ];
        let a = RawEvent::new(1, 2, 3, 4, 5, &body, &read);
        let b = RawEvent {
            ext: &ext,
            ranges: &conv,
            ..RawEvent::new(6, 7, 8, 9, 10, &body, &[])
        };
        let none = RawEvent::new(11, 12, 13, 14, 15, &[], &[]);
        let mut batch = EventBatch::new();
        for round in 0..2 {
            batch.clear();
            assert!(batch.is_empty());
            for ev in [&a, &b, &none, &a] {
                batch.push(ev);
            }
            assert_eq!(batch.len(), 4, "round {round}");
            for (i, ev) in [&a, &b, &none, &a].into_iter().enumerate() {
                same(&batch.get(i).expect("event"), ev);
            }
            assert!(batch.get(4).is_none());
            assert_eq!(batch.byte_len(), 3 * body.len() + ext.len());
        }
        let got = batch.get(1).expect("event");
        assert_eq!(got.param(1), Some(&b"added"[..]));
        assert_eq!(got.param(4), None);
        assert_eq!(got.param(5), None);
    }
}
