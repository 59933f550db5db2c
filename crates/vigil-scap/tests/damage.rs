//! Truncated and corrupted captures: never a panic, never a hang; errors carry offsets and the
//! blocks before the damage are still delivered.

mod common;

use common::*;
use vigil_scap::{Converter, ErrorKind, Reader};

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
