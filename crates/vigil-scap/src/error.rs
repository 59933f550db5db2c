//! Errors of the reader, the converter and the writer.

use std::fmt;

/// What went wrong.
#[derive(Debug)]
pub enum ErrorKind {
    /// The underlying reader or writer failed (including a broken gzip stream).
    Io(std::io::Error),
    /// The file ends in the middle of a block.
    Truncated,
    /// The bytes do not form a valid capture.
    Corrupt,
    /// A valid capture of a version or kind this crate does not read.
    Unsupported,
    /// The old-event converter could not rewrite an event.
    Conversion,
    /// The caller asked the writer to write something it cannot encode.
    InvalidInput,
}

/// An error with the byte offset (in the decompressed stream) where it was found.
#[derive(Debug)]
pub struct ScapError {
    /// Offset of the block (or field) where the problem was found, counted in the decompressed
    /// stream from the start of the file.
    pub offset: u64,
    /// The kind of problem.
    pub kind: ErrorKind,
    /// A human readable description.
    pub message: String,
}

impl ScapError {
    pub(crate) fn new(offset: u64, kind: ErrorKind, message: impl Into<String>) -> ScapError {
        ScapError {
            offset,
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn corrupt(offset: u64, message: impl Into<String>) -> ScapError {
        ScapError::new(offset, ErrorKind::Corrupt, message)
    }

    pub(crate) fn truncated(offset: u64, message: impl Into<String>) -> ScapError {
        ScapError::new(offset, ErrorKind::Truncated, message)
    }

    pub(crate) fn io(offset: u64, err: std::io::Error) -> ScapError {
        let message = err.to_string();
        ScapError::new(offset, ErrorKind::Io(err), message)
    }
}

impl fmt::Display for ScapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for ScapError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}
