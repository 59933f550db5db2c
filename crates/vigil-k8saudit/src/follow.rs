//! Following an audit log file like `tail -F`: events are read as complete lines are
//! appended, across truncation and rotation.
//!
//! The file is JSON lines (what `--audit-log-path` writes: one `Event`, or one `EventList`,
//! per line); each complete line goes through the reader ([`crate::parse_events_with`]),
//! so a malformed line yields an [`AuditError`] naming its line and byte offset in the
//! current file, and following goes on with the next line.
//!
//! Rotation is noticed by polling the path: when it names another file (device or inode
//! changed), the old file is read to its end first, then the new one from its start; a file
//! that shrank below the read position was truncated and is read again from its start. A
//! partial last line is kept until its newline arrives (or, at rotation, read as the old
//! file's last line). The path may be missing for a while (before the first write, between
//! the rename and the new file): the follower waits for it.

use std::collections::VecDeque;
use std::fs::{File, Metadata};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::{AuditError, AuditEvent, ReadOptions, parse_events_with};

/// Where following starts in the file found at the path when the follower starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FollowStart {
    /// Read the whole file, then follow (files appearing later are always read whole).
    #[default]
    Beginning,
    /// Only what is appended after the follower opened the file (`tail -n0 -F`).
    End,
}

/// Options of a [`Follower`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FollowOptions {
    /// How long [`Follower`]'s iterator sleeps when there is nothing new (default 250 ms).
    pub poll_interval: Duration,
    /// Where to start in the file present at start. With [`FollowStart::End`], error
    /// line numbers count from the start position (byte offsets are the file's).
    pub start: FollowStart,
    /// Size limits; a line longer than `max_line_bytes` is skipped with
    /// [`AuditError::TooLarge`] (without waiting for its end).
    pub read: ReadOptions,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            poll_interval: Duration::from_millis(250),
            start: FollowStart::Beginning,
            read: ReadOptions::default(),
        }
    }
}

/// The identity of a file: device and inode where the platform has them.
fn file_id(m: &Metadata) -> (u64, u64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (m.dev(), m.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        (0, 0)
    }
}

/// The file being read.
#[derive(Debug)]
struct Current {
    file: File,
    id: (u64, u64),
    /// Bytes of the file consumed into `partial` or parsed.
    pos: u64,
}

/// Follows an audit log file; see the [module documentation](self).
///
/// [`Follower::poll`] reads what is new without waiting; the [`Iterator`] waits (polling
/// every [`FollowOptions::poll_interval`]) until an event arrives or the stop flag is set.
/// Events are numbered from 1 over the whole follow (`evt.num`), across files.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    opts: FollowOptions,
    cur: Option<Current>,
    /// Whether a file was opened before (later files are read from their start).
    opened_once: bool,
    /// Bytes of an incomplete last line.
    partial: Vec<u8>,
    /// File offset and 1-based line number where `partial` (the next line) starts.
    line_offset: u64,
    line: usize,
    /// Discarding the rest of an oversized line up to its newline.
    skipping: bool,
    pending: VecDeque<Result<AuditEvent, AuditError>>,
    next_num: u64,
    start_ns: Option<u64>,
    stop: Arc<AtomicBool>,
    chunk: Vec<u8>,
}

impl Follower {
    /// A follower of `path` (which need not exist yet). Nothing is read before the first
    /// [`Follower::poll`] or [`Iterator::next`].
    pub fn new(path: impl AsRef<Path>, options: FollowOptions) -> Follower {
        Follower {
            path: path.as_ref().to_path_buf(),
            opts: options,
            cur: None,
            opened_once: false,
            partial: Vec::new(),
            line_offset: 0,
            line: 1,
            skipping: false,
            pending: VecDeque::new(),
            next_num: 1,
            start_ns: None,
            stop: Arc::new(AtomicBool::new(false)),
            chunk: vec![0; 64 << 10],
        }
    }

    /// The followed path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stop flag: once set (from any thread), the iterator returns the events already
    /// read and then ends.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Set the stop flag.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Read what was appended since the last call (following truncation and rotation) and
    /// return the events of the complete lines, in order. Never waits. I/O errors other than
    /// a missing file are returned as [`AuditError::Io`] items; the next poll tries again.
    pub fn poll(&mut self) -> Vec<Result<AuditEvent, AuditError>> {
        self.poll_files();
        self.pending.drain(..).collect()
    }

    fn io_error(&self, error: std::io::Error) -> AuditError {
        AuditError::Io {
            path: self.path.display().to_string(),
            error,
        }
    }

    fn poll_files(&mut self) {
        if self.cur.is_none() && !self.open() {
            return;
        }
        // Read the open file to its end (after a rotation, the old file's last lines).
        self.read_current();
        let path_id = match std::fs::metadata(&self.path) {
            Ok(m) => Some(file_id(&m)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                let err = self.io_error(e);
                self.pending.push_back(Err(err));
                return;
            }
        };
        let Some(cur) = &self.cur else { return };
        match path_id {
            // Renamed away, the new file not created yet: keep the old one open.
            None => {}
            Some(id) if id != cur.id => {
                // Rotated: the old file's unterminated last line is its last line.
                self.finish_partial();
                self.cur = None;
                if self.open() {
                    self.read_current();
                }
            }
            Some(_) => {}
        }
    }

    /// Open the file at the path; false when it does not exist (or cannot be opened).
    fn open(&mut self) -> bool {
        let file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) => {
                if e.kind() != std::io::ErrorKind::NotFound {
                    let err = self.io_error(e);
                    self.pending.push_back(Err(err));
                }
                return false;
            }
        };
        let meta = match file.metadata() {
            Ok(m) => m,
            Err(e) => {
                let err = self.io_error(e);
                self.pending.push_back(Err(err));
                return false;
            }
        };
        let mut pos = 0;
        if !self.opened_once && self.opts.start == FollowStart::End {
            pos = meta.len();
        }
        let mut cur = Current {
            file,
            id: file_id(&meta),
            pos,
        };
        if pos > 0
            && let Err(e) = cur.file.seek(SeekFrom::Start(pos))
        {
            let err = self.io_error(e);
            self.pending.push_back(Err(err));
            return false;
        }
        self.opened_once = true;
        self.cur = Some(cur);
        self.reset_lines(pos);
        true
    }

    /// Start of a file (or of its rest): no partial line.
    fn reset_lines(&mut self, offset: u64) {
        self.partial.clear();
        self.skipping = false;
        self.line_offset = offset;
        self.line = 1;
    }

    /// Read the current file from its position to its end, handling truncation.
    fn read_current(&mut self) {
        let Some(cur) = self.cur.as_mut() else { return };
        let len = match cur.file.metadata() {
            Ok(m) => m.len(),
            Err(e) => {
                let err = self.io_error(e);
                self.pending.push_back(Err(err));
                return;
            }
        };
        if len < cur.pos {
            // Truncated (copytruncate or `: > file`): read again from the start; the
            // bytes of a partial line are gone.
            if let Err(e) = cur.file.seek(SeekFrom::Start(0)) {
                let err = self.io_error(e);
                self.pending.push_back(Err(err));
                return;
            }
            cur.pos = 0;
            self.reset_lines(0);
        }
        loop {
            let Some(cur) = self.cur.as_mut() else { return };
            let n = match cur.file.read(&mut self.chunk) {
                Ok(0) => return,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let err = self.io_error(e);
                    self.pending.push_back(Err(err));
                    return;
                }
            };
            cur.pos += n as u64;
            let chunk = std::mem::take(&mut self.chunk);
            self.take_bytes(&chunk[..n]);
            self.chunk = chunk;
        }
    }

    /// New bytes of the current file: complete lines are parsed, the rest is kept.
    fn take_bytes(&mut self, mut bytes: &[u8]) {
        let limit = self.opts.read.max_line_bytes;
        while !bytes.is_empty() {
            if self.skipping {
                match memchr::memchr(b'\n', bytes) {
                    Some(i) => {
                        self.skipping = false;
                        self.line += 1;
                        self.line_offset += (i + 1) as u64;
                        bytes = &bytes[i + 1..];
                    }
                    None => {
                        self.line_offset += bytes.len() as u64;
                        return;
                    }
                }
                continue;
            }
            // Complete lines: up to the last newline of `bytes`.
            let Some(last_nl) = memchr::memrchr(b'\n', bytes) else {
                self.partial.extend_from_slice(bytes);
                self.check_partial_size(limit);
                return;
            };
            let (complete, rest) = bytes.split_at(last_nl + 1);
            if self.partial.is_empty() {
                self.parse_lines(complete);
            } else {
                let mut lines = std::mem::take(&mut self.partial);
                lines.extend_from_slice(complete);
                self.parse_lines(&lines);
                lines.clear();
                self.partial = lines;
            }
            bytes = rest;
        }
    }

    /// An unterminated line over the limit: reported now, its rest skipped.
    fn check_partial_size(&mut self, limit: usize) {
        if self.partial.len() <= limit {
            return;
        }
        let first = self
            .partial
            .iter()
            .position(|c| !matches!(c, b' ' | b'\t' | b'\r'))
            .unwrap_or(0);
        self.pending.push_back(Err(AuditError::TooLarge {
            line: self.line,
            offset: usize::try_from(self.line_offset).unwrap_or(usize::MAX) + first,
            size: self.partial.len(),
            limit,
        }));
        self.line_offset += self.partial.len() as u64;
        self.partial.clear();
        self.skipping = true;
    }

    /// The old file's unterminated last line, at rotation.
    fn finish_partial(&mut self) {
        if !self.partial.is_empty() && !self.skipping {
            let mut line = std::mem::take(&mut self.partial);
            line.push(b'\n');
            self.parse_lines(&line);
        }
        self.partial.clear();
        self.skipping = false;
    }

    /// Parse complete lines (ending with a newline) starting at `self.line_offset` /
    /// `self.line`; errors are placed in the file.
    fn parse_lines(&mut self, lines: &[u8]) {
        let base_line = self.line;
        let base_off = usize::try_from(self.line_offset).unwrap_or(usize::MAX);
        for item in parse_events_with(lines, self.opts.read) {
            let item = match item {
                Ok(mut ev) => {
                    ev.set_num(self.next_num);
                    self.next_num += 1;
                    let start = *self.start_ns.get_or_insert(ev.time_ns());
                    ev.set_start_ns(start);
                    Ok(ev)
                }
                Err(e) => Err(e.shifted(base_line - 1, base_off)),
            };
            self.pending.push_back(item);
        }
        self.line += memchr::memchr_iter(b'\n', lines).count();
        self.line_offset += lines.len() as u64;
    }
}

impl Iterator for Follower {
    type Item = Result<AuditEvent, AuditError>;

    /// The next event or error, waiting for one; `None` once the stop flag is set (after
    /// the items already read).
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.stop.load(Ordering::Relaxed) {
                return None;
            }
            self.poll_files();
            if !self.pending.is_empty() {
                continue;
            }
            // Sleep in short slices so that a stop is seen quickly.
            let mut left = self.opts.poll_interval;
            while !left.is_zero() && !self.stop.load(Ordering::Relaxed) {
                let step = left.min(Duration::from_millis(20));
                std::thread::sleep(step);
                left = left.saturating_sub(step);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn ev(id: usize) -> String {
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"e{id}","stage":"ResponseComplete","verb":"get","stageTimestamp":"2020-01-01T00:00:{:02}Z"}}"#,
            id % 60
        )
    }

    struct Dir(PathBuf);
    impl Dir {
        fn new(name: &str) -> Dir {
            let d = std::env::temp_dir().join(format!(
                "vigil-follow-{name}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).unwrap();
            Dir(d)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn append(path: &Path, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    fn ids(items: Vec<Result<AuditEvent, AuditError>>) -> Vec<String> {
        items
            .into_iter()
            .map(|r| r.unwrap().audit_id().unwrap().to_string())
            .collect()
    }

    fn names(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("e{i}")).collect()
    }

    fn fast() -> FollowOptions {
        FollowOptions {
            poll_interval: Duration::from_millis(5),
            ..FollowOptions::default()
        }
    }

    #[test]
    fn append_partial_rotate_truncate() {
        let dir = Dir::new("all");
        let path = dir.0.join("audit.log");
        let mut f = Follower::new(&path, fast());
        // No file yet.
        assert!(f.poll().is_empty());
        append(&path, &format!("{}\n{}\n", ev(0), ev(1)));
        assert_eq!(ids(f.poll()), names(0..2));
        assert!(f.poll().is_empty());

        // Append; then a partial line, completed later.
        append(&path, &format!("{}\n", ev(2)));
        let e3 = ev(3);
        let (a, b) = e3.split_at(40);
        append(&path, a);
        assert_eq!(ids(f.poll()), names(2..3));
        assert!(f.poll().is_empty());
        append(&path, b);
        assert!(f.poll().is_empty());
        append(&path, &format!("\n{}\n", ev(4)));
        assert_eq!(ids(f.poll()), names(3..5));

        // Rotate: lines appended to the old file before the rename, the old file's
        // unterminated last line, then the new file at the same path.
        append(&path, &format!("{}\n{}", ev(5), ev(6)));
        std::fs::rename(&path, dir.0.join("audit.log.1")).unwrap();
        // Renamed away, not recreated yet.
        assert_eq!(ids(f.poll()), names(5..6));
        append(&path, &format!("{}\n", ev(7)));
        assert_eq!(ids(f.poll()), names(6..8));

        // Rotate twice between polls is still seen as one change of file; the new file
        // is read whole.
        append(&path, &format!("{}\n", ev(8)));
        std::fs::rename(&path, dir.0.join("audit.log.2")).unwrap();
        append(&path, &format!("{}\n", ev(9)));
        assert_eq!(ids(f.poll()), names(8..10));

        // Truncate, then fewer bytes than before.
        std::fs::write(&path, "").unwrap();
        assert!(f.poll().is_empty());
        append(&path, &format!("{}\n", ev(10)));
        assert_eq!(ids(f.poll()), names(10..11));

        // Events are numbered over the whole follow.
        append(&path, &format!("{}\n", ev(11)));
        let last = f.poll().pop().unwrap().unwrap();
        assert_eq!(last.num(), 12);
    }

    #[test]
    fn errors_are_placed_in_the_file() {
        let dir = Dir::new("errors");
        let path = dir.0.join("audit.log");
        append(&path, &format!("{}\n", ev(0)));
        let mut f = Follower::new(&path, fast());
        assert_eq!(ids(f.poll()), names(0..1));
        let first_len = ev(0).len() + 1;
        append(
            &path,
            &format!("{{broken\n{{\"kind\":\"Pod\"}}\n{}\n", ev(1)),
        );
        let items = f.poll();
        assert_eq!(items.len(), 3);
        let e = items[0].as_ref().unwrap_err();
        assert!(matches!(e, AuditError::Json { .. }), "{e}");
        assert_eq!(e.line(), 2);
        assert!(e.offset() >= first_len && e.offset() < first_len + 8, "{e}");
        let e = items[1].as_ref().unwrap_err();
        assert!(matches!(e, AuditError::NotAuditEvent { .. }), "{e}");
        assert_eq!((e.line(), e.offset()), (3, first_len + 8));
        assert_eq!(items[2].as_ref().unwrap().audit_id(), Some("e1"));

        // An oversized line is reported once, skipped, and following goes on.
        let opts = FollowOptions {
            read: ReadOptions {
                max_line_bytes: 300,
                ..ReadOptions::default()
            },
            ..fast()
        };
        let path2 = dir.0.join("big.log");
        let mut f = Follower::new(&path2, opts);
        append(&path2, &"x".repeat(200));
        assert!(f.poll().is_empty());
        append(&path2, &"x".repeat(200));
        let items = f.poll();
        assert!(matches!(
            items.as_slice(),
            [Err(AuditError::TooLarge { line: 1, .. })]
        ));
        append(&path2, &format!("{}\n{}\n", "x".repeat(50), ev(2)));
        let items = f.poll();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].as_ref().unwrap().audit_id(), Some("e2"));
    }

    #[test]
    fn start_at_end_and_iterator_with_stop() {
        let dir = Dir::new("iter");
        let path = dir.0.join("audit.log");
        append(&path, &format!("{}\n", ev(0)));
        let opts = FollowOptions {
            start: FollowStart::End,
            ..fast()
        };
        let f = Follower::new(&path, opts);
        let stop = f.stop_flag();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut f = f;
            // Opened (at its end) before anything is appended.
            assert!(f.poll().is_empty());
            ready_tx.send(()).unwrap();
            let mut n = 0;
            for item in f {
                let id = item.unwrap().audit_id().unwrap().to_string();
                tx.send(id).unwrap();
                n += 1;
            }
            n
        });
        ready_rx.recv().unwrap();
        for i in 1..4 {
            append(&path, &format!("{}\n", ev(i)));
            std::thread::sleep(Duration::from_millis(10));
        }
        std::fs::rename(&path, dir.0.join("audit.log.1")).unwrap();
        append(&path, &format!("{}\n", ev(4)));
        let mut seen = Vec::new();
        while seen.len() < 4 {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(id) => seen.push(id),
                Err(e) => panic!("{e}: saw {seen:?}"),
            }
        }
        stop.store(true, Ordering::Relaxed);
        assert_eq!(reader.join().unwrap(), 4);
        assert_eq!(seen, names(1..5));
    }
}
