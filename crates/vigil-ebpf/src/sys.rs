//! The few libc calls the sensor needs: clocks, the effective uid, and a stop flag set by
//! SIGINT/SIGTERM. This is the only module with `unsafe`.

use std::sync::atomic::{AtomicBool, Ordering};

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime only writes it.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    if rc != 0 {
        return 0;
    }
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

/// CLOCK_REALTIME − CLOCK_BOOTTIME: add to `bpf_ktime_get_boot_ns()` to get epoch ns.
pub fn boot_to_epoch_ns() -> u64 {
    clock_ns(libc::CLOCK_REALTIME).saturating_sub(clock_ns(libc::CLOCK_BOOTTIME))
}

/// The effective uid.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    #[allow(unsafe_code)]
    unsafe {
        libc::geteuid()
    }
}

/// `mount -t tracefs nodev PATH`.
pub(crate) fn mount_tracefs(path: &str) -> std::io::Result<()> {
    let target = std::ffi::CString::new(path).map_err(std::io::Error::other)?;
    let fstype = c"tracefs";
    let source = c"nodev";
    // SAFETY: every pointer is a valid NUL-terminated string that outlives the call; no data
    // argument.
    #[allow(unsafe_code)]
    let rc = unsafe {
        libc::mount(
            source.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// Install SIGINT/SIGTERM handlers that set a flag (async-signal-safe: one atomic store),
/// and return the flag.
pub fn stop_on_signals() -> &'static AtomicBool {
    let handler: extern "C" fn(libc::c_int) = on_signal;
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe; the
        // function pointer stays valid for the program's lifetime.
        #[allow(unsafe_code)]
        unsafe {
            libc::signal(sig, handler as libc::sighandler_t);
        }
    }
    &STOP
}

/// Whether a stop was requested.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clocks_are_sane() {
        let off = super::boot_to_epoch_ns();
        // After 2020 and the machine booted less than 10 years ago.
        assert!(off > 1_577_836_800_000_000_000, "{off}");
    }
}
