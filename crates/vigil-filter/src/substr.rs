//! `contains`: a substring search for the short strings rules test.
//!
//! Most `contains` checks run on file names, process names and command lines of a few dozen
//! bytes. memchr's general `memmem::Finder` picks its widest vector routine (AVX2 where the
//! CPU has it) and below that routine's minimum haystack length (32 bytes plus the needle's
//! rare-byte offsets) falls back to Rabin-Karp, which hashes every byte: that is where most
//! file names fall. [`Substring`] sends those to memchr's 16-byte (SSE2) packed-pair routine
//! instead, whose minimum is 16 bytes plus those offsets, and haystacks shorter than even
//! that to a loop over the few candidate positions. Long haystacks keep `memmem::Finder`.

use memchr::memmem;

/// Haystacks longer than this go to [`memmem::Finder`] (whose wide vectors win there).
const SHORT: usize = 64;

/// A compiled `contains` needle.
#[derive(Clone, Debug)]
pub(crate) struct Substring {
    needle: Box<[u8]>,
    finder: memmem::Finder<'static>,
    #[cfg(target_arch = "x86_64")]
    sse2: Option<memchr::arch::x86_64::sse2::packedpair::Finder>,
}

impl Substring {
    pub(crate) fn new(needle: &[u8]) -> Substring {
        Substring {
            needle: needle.into(),
            finder: memmem::Finder::new(needle).into_owned(),
            #[cfg(target_arch = "x86_64")]
            sse2: memchr::arch::x86_64::sse2::packedpair::Finder::new(needle),
        }
    }

    /// Whether `h` contains the needle (an empty needle is in every haystack).
    #[inline]
    pub(crate) fn is_in(&self, h: &[u8]) -> bool {
        let n = self.needle.len();
        if n > h.len() {
            return false;
        }
        if h.len() > SHORT || n < 2 {
            return self.finder.find(h).is_some();
        }
        #[cfg(target_arch = "x86_64")]
        if let Some(f) = &self.sse2
            && h.len() >= f.min_haystack_len()
        {
            return f.find(h, &self.needle).is_some();
        }
        self.is_in_tiny(h)
    }

    /// [`Substring::is_in`] for `2 <= needle.len() <= h.len()`, checking each candidate
    /// position's first and last byte before comparing the rest (below the SSE2 routine's
    /// minimum there are at most 16 positions plus the needle's rare-byte offsets).
    #[inline(never)]
    fn is_in_tiny(&self, h: &[u8]) -> bool {
        let n = self.needle.len();
        let (first, last) = (self.needle[0], self.needle[n - 1]);
        (0..=h.len() - n)
            .any(|i| h[i] == first && h[i + n - 1] == last && h[i..i + n] == *self.needle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(h: &[u8], n: &[u8]) -> bool {
        n.is_empty() || h.windows(n.len()).any(|w| w == n)
    }

    #[test]
    fn agrees_with_a_naive_search_on_every_placement() {
        let needles: [&[u8]; 8] = [
            b"",
            b"a",
            b"ab",
            b"aa",
            b"postgresql",
            b"xyzzy",
            b"\x80\x00\xff",
            b"a much longer needle than most, of forty",
        ];
        let fill = [b'a', b'p', b'x', 0u8, 0x80, 0xff];
        for needle in needles {
            let s = Substring::new(needle);
            for len in 0..=SHORT + 9 {
                for &f in &fill {
                    let mut h = vec![f; len];
                    assert_eq!(s.is_in(&h), naive(&h, needle), "{needle:?} in {h:?}");
                    // The needle at every place, whole and cut off at the end.
                    for at in 0..len {
                        h.fill(f);
                        let end = (at + needle.len()).min(len);
                        h[at..end].copy_from_slice(&needle[..end - at]);
                        assert_eq!(s.is_in(&h), naive(&h, needle), "{needle:?} in {h:?}");
                        // A near miss: the first and last bytes without the middle.
                        if needle.len() > 2 && end - at == needle.len() {
                            h[at + 1] ^= 0x55;
                            assert_eq!(s.is_in(&h), naive(&h, needle), "{needle:?} in {h:?}");
                        }
                    }
                }
            }
        }
    }
}
