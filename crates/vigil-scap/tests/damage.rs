//! Truncated and corrupted captures: never a panic, never a hang; errors carry offsets and the
//! blocks before the damage are still delivered.

mod common;

use common::*;
use vigil_scap::{Block, Converter, ErrorKind, EventBatch, Filled, RawEvent, Reader};

/// Read with the converter too; must terminate without panicking.
fn convert_all(bytes: &[u8]) {
    let Ok(r) = Reader::new(bytes) else { return };
    let mut c = Converter::new(r);
    let mut steps = 0usize;
    loop {
        steps += 1;
        assert!(steps < 10_000_000, "converter does not terminate");
        match c.next() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            // Conversion errors do not end the stream; read errors do.
            Err(e) if matches!(e.kind, ErrorKind::Conversion) => {}
            Err(_) => break,
        }
    }
}

/// An event, a block or an error as a comparable string.
fn event_line(ev: &RawEvent<'_>) -> String {
    let params: Vec<&[u8]> = ev.params().collect();
    format!(
        "event {} {} {} {} {} {params:?}",
        ev.ts, ev.tid, ev.cpu, ev.flags, ev.code
    )
}

fn error_line(e: &vigil_scap::ScapError) -> String {
    format!(
        "error {} {:?} {e}",
        e.offset,
        std::mem::discriminant(&e.kind)
    )
}

/// What [`Converter::next`] offers, item by item.
fn converted_by_next(bytes: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(r) = Reader::new(bytes) else {
        return out;
    };
    let mut c = Converter::new(r);
    loop {
        match c.next() {
            Ok(Some(Block::Event(ev))) => out.push(event_line(&ev)),
            Ok(Some(b)) => out.push(format!("block {b:?}")),
            Ok(None) => break,
            Err(e) => {
                out.push(error_line(&e));
                if !matches!(e.kind, ErrorKind::Conversion) {
                    break;
                }
            }
        }
    }
    out
}

/// What [`Converter::fill`] appends to small batches, with what ends each fill.
fn converted_by_fill(bytes: &[u8], max_events: usize) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(r) = Reader::new(bytes) else {
        return out;
    };
    let mut c = Converter::new(r);
    let mut batch = EventBatch::new();
    loop {
        batch.clear();
        let end = c.fill(&mut batch, max_events, 1 << 20);
        for i in 0..batch.len() {
            out.push(event_line(&batch.get(i).expect("event")));
        }
        match end {
            Ok(Filled::Full) => assert!(batch.len() >= max_events),
            Ok(Filled::Block(b)) => out.push(format!("block {b:?}")),
            Ok(Filled::End) => break,
            Err(e) => {
                out.push(error_line(&e));
                if !matches!(e.kind, ErrorKind::Conversion) {
                    break;
                }
            }
        }
    }
    out
}

#[test]
fn fill_gives_what_next_gives() {
    let mut rng = Rng(0x5EED_F111_0000_0001);
    for path in captures() {
        let name = stem(&path);
        let raw = raw_bytes(&path);
        let want = converted_by_next(&raw);
        assert!(want.len() > 10, "{name}");
        assert_eq!(converted_by_fill(&raw, 7), want, "{name}");
        // Damaged: the same events, blocks and errors (with their offsets), in the same order.
        for _ in 0..20 {
            let mut m = raw.clone();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(m.len());
                m[i] ^= 1 << rng.below(8);
            }
            let want = converted_by_next(&m);
            let max = 1 + rng.below(50);
            assert_eq!(converted_by_fill(&m, max), want, "{name}, damaged");
        }
    }
}

/// Offsets where blocks end (a cut there is a clean end of file).
fn block_ends(raw: &[u8]) -> Vec<usize> {
    let mut off = 0usize;
    let mut ends = Vec::new();
    while off + 8 <= raw.len() {
        let len = u32::from_le_bytes([raw[off + 4], raw[off + 5], raw[off + 6], raw[off + 7]]);
        off += len as usize;
        ends.push(off);
    }
    ends
}

#[test]
fn truncation_at_random_offsets() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for path in captures() {
        let name = stem(&path);
        let raw = raw_bytes(&path);
        let (full, err) = read_all(&raw);
        assert!(err.is_none(), "{name}");
        let bounds = block_ends(&raw);
        for k in 0..40 {
            let cut = if k == 0 {
                raw.len() - 1
            } else {
                rng.below(raw.len())
            };
            let (blocks, err) = read_all(&raw[..cut]);
            // Everything delivered is a prefix of the full read.
            assert!(blocks.len() <= full.len(), "{name}@{cut}");
            assert_eq!(&full[..blocks.len()], &blocks[..], "{name}@{cut}");
            // A cut on a block boundary is a clean end; anywhere else it is an error.
            match err {
                Some(e) => {
                    assert!(!bounds.contains(&cut), "{name}@{cut}: {e}");
                    assert!(
                        e.offset <= cut as u64,
                        "{name}@{cut}: offset {} past the cut",
                        e.offset
                    );
                    assert!(!e.message.is_empty());
                }
                None => assert!(bounds.contains(&cut), "{name}@{cut}: no error"),
            }
            convert_all(&raw[..cut]);
        }
    }
}

#[test]
fn truncation_inside_every_block_is_an_error() {
    // cat_write: cut one byte before the end of every block → an error after that many blocks.
    let path = corpus_dir().join("traces/falco/cat_write.scap");
    let raw = raw_bytes(&path);
    let ends = block_ends(&raw);
    assert_eq!(ends.last(), Some(&raw.len()));
    for end in ends.iter().skip(2).step_by(7) {
        let (blocks, err) = read_all(&raw[..end - 1]);
        let e = err.expect("truncated block must be an error");
        assert!(matches!(e.kind, ErrorKind::Truncated), "{e}");
        assert!(e.to_string().starts_with("at byte "), "{e}");
        assert!(!blocks.is_empty());
    }
}

#[test]
fn truncated_gzip_stream() {
    let mut rng = Rng(42);
    for path in captures() {
        let data = std::fs::read(&path).expect("read");
        for _ in 0..10 {
            let cut = rng.below(data.len());
            match Reader::new(&data[..cut]) {
                Ok(mut r) => {
                    let mut n = 0;
                    loop {
                        match r.next() {
                            Ok(Some(_)) => n += 1,
                            Ok(None) => break,
                            Err(e) => {
                                assert!(e.offset <= 100 * data.len() as u64);
                                break;
                            }
                        }
                        assert!(n < 1_000_000);
                    }
                }
                Err(e) => assert!(!e.message.is_empty()),
            }
        }
    }
}

#[test]
fn random_byte_flips() {
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    for path in captures() {
        let name = stem(&path);
        let raw = raw_bytes(&path);
        for _ in 0..60 {
            let mut m = raw.clone();
            let flips = 1 + rng.below(8);
            for _ in 0..flips {
                let i = rng.below(m.len());
                m[i] ^= 1 << rng.below(8);
            }
            // Sometimes corrupt a block length into something huge.
            if rng.below(4) == 0 {
                let i = rng.below(m.len().saturating_sub(4));
                m[i..i + 4].copy_from_slice(&u32::MAX.to_le_bytes());
            }
            let (_, err) = read_all(&m);
            if let Some(e) = err {
                assert!(e.offset <= m.len() as u64, "{name}: {e}");
            }
            convert_all(&m);
        }
    }
}

#[test]
fn huge_block_length_is_rejected_without_allocating() {
    let raw = raw_bytes(&corpus_dir().join("traces/libs/sample.scap"));
    // The second block starts after the 28-byte section header.
    let mut m = raw.clone();
    m[28 + 4..28 + 8].copy_from_slice(&0x7FFF_FFF0u32.to_le_bytes());
    let (blocks, err) = read_all(&m);
    assert!(blocks.is_empty());
    let e = err.expect("error");
    assert_eq!(e.offset, 28);
    assert!(matches!(e.kind, ErrorKind::Corrupt), "{e}");
}

#[test]
fn not_a_capture() {
    assert!(Reader::new(&b""[..]).is_err());
    assert!(Reader::new(&b"hello world, this is not scap"[..]).is_err());
    let raw = raw_bytes(&corpus_dir().join("traces/libs/sample.scap"));
    let mut r = Reader::new(&raw[..28]).expect("header only");
    assert!(matches!(r.next(), Ok(None)));
}

/// A capture of two READ_X events (the second with flags: an `EVF_V2` block); returns it and
/// the offset of the first event block.
fn two_events() -> (Vec<u8>, usize) {
    let mut w = vigil_scap::Writer::new(Vec::new(), false).expect("writer");
    let start = w.offset() as usize;
    let ev = vigil_scap::OwnedEvent::new(1, 2, 7)
        .push_i64(5)
        .push(b"abc".to_vec());
    w.owned_event(&ev).expect("event");
    let mut ev = ev;
    ev.flags = 1;
    w.owned_event(&ev).expect("event");
    (w.finish().expect("finish"), start)
}

/// Malformed v2 event blocks (the blocks the reader's one-pass path takes when they are well
/// formed) are reported as the general path reports them: message and block offset.
#[test]
fn malformed_v2_event_blocks_report_their_error() {
    let (good, at) = two_events();
    let (blocks, err) = read_all(&good);
    assert!(err.is_none());
    assert_eq!(blocks.len(), 2);
    let total = usize::from(good[at + 4]);
    let second = at + total;
    // After the 8-byte block header: cpu 2, (flags 4), then ts 8, tid 8, len 4 at +16, code 2,
    // nparams 4 at +22, the lengths at +26; the event is 41 bytes, its block body 44.
    let cases: [(usize, usize, &[u8], &str); 6] = [
        (
            at,
            8 + 2 + 16,
            &[200, 0, 0, 0],
            "event 7: length 200 outside [26, 42]",
        ),
        (
            at,
            8 + 2 + 16,
            &[20, 0, 0, 0],
            "event 7: length 20 outside [26, 42]",
        ),
        (
            at,
            8 + 2 + 22,
            &[9, 0, 0, 0],
            "event 7: 9 parameters do not fit in length 41",
        ),
        (
            at,
            8 + 2 + 28,
            &[4, 0],
            "event 7: parameter 1 of 4 bytes exceeds the event length 41",
        ),
        (
            second,
            8 + 6 + 26,
            &[12, 0],
            "event 7: parameter 0 of 12 bytes exceeds the event length 41",
        ),
        (at, total - 4, &[0, 0, 0, 0], "trailer length 0 differs"),
    ];
    for (block, field, bytes, msg) in cases {
        let mut bad = good.clone();
        bad[block + field..block + field + bytes.len()].copy_from_slice(bytes);
        let (blocks, err) = read_all(&bad);
        let err = err.unwrap_or_else(|| panic!("no error for {msg}"));
        assert!(err.to_string().contains(msg), "{err} (expected {msg})");
        assert_eq!(err.offset, block as u64, "{msg}");
        assert_eq!(blocks.len(), usize::from(block == second), "{msg}");
    }
}
