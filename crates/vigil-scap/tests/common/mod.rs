//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::io::Read;
use std::path::{Path, PathBuf};

use vigil_scap::{
    Block, FdInfo, Interface, MachineInfo, OwnedEvent, Reader, ScapError, ThreadInfo, UserList,
};

/// The shared corpus, read in place.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/falco")
}

/// Every capture under `traces/`, sorted.
pub fn captures() -> Vec<PathBuf> {
    let dir = corpus_dir().join("traces");
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus traces missing at {}: {e}", dir.display()));
    for sub in entries.flatten() {
        let Ok(files) = std::fs::read_dir(sub.path()) else {
            continue;
        };
        for f in files.flatten() {
            if f.path().extension().is_some_and(|e| e == "scap") {
                out.push(f.path());
            }
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no captures under {}", dir.display());
    out
}

pub fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The decompressed bytes of a capture.
pub fn raw_bytes(p: &Path) -> Vec<u8> {
    let data = std::fs::read(p).expect("read capture");
    if data.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&data[..])
            .read_to_end(&mut out)
            .expect("gunzip");
        out
    } else {
        data
    }
}

/// An owned copy of a block, comparable.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnedBlock {
    MachineInfo(MachineInfo),
    Interfaces(Vec<Interface>),
    Users(UserList),
    Process(Box<ThreadInfo>),
    Fds(u64, Vec<FdInfo>),
    Event(OwnedEvent),
    Section,
}

pub fn own(b: Block<'_>) -> OwnedBlock {
    match b {
        Block::Section(_) => OwnedBlock::Section,
        Block::MachineInfo(m) => OwnedBlock::MachineInfo(m),
        Block::Interfaces(i) => OwnedBlock::Interfaces(i),
        Block::Users(u) => OwnedBlock::Users(u),
        Block::Process(t) => OwnedBlock::Process(t),
        Block::Fds { tid, fds } => OwnedBlock::Fds(tid, fds),
        Block::Event(e) => OwnedBlock::Event(e.to_owned_event()),
    }
}

/// Read every block of a capture given as bytes; returns the blocks and the error that ended
/// the stream, if any.
pub fn read_all(bytes: &[u8]) -> (Vec<OwnedBlock>, Option<ScapError>) {
    let mut r = match Reader::new(bytes) {
        Ok(r) => r,
        Err(e) => return (Vec::new(), Some(e)),
    };
    let mut out = Vec::new();
    loop {
        match r.next() {
            Ok(Some(b)) => out.push(own(b)),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        }
    }
}

/// A small deterministic PRNG (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
}
