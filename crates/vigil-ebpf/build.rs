//! Compiles `bpf/vigil.bpf.c` with clang (`-O2 -g -target bpf`) against the committed
//! `bpf/vmlinux.h` and libbpf's headers (Debian `libbpf-dev`); `src/sensor.rs` embeds the
//! object. `-g` is required (BTF for tp_btf, CO-RE and maps); DWARF is stripped when
//! `llvm-strip` is available.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    let src = manifest.join("bpf/vigil.bpf.c");
    let obj = out.join("vigil.bpf.o");
    for f in ["bpf/vigil.bpf.c", "bpf/events.h", "bpf/vmlinux.h"] {
        println!("cargo:rerun-if-changed={f}");
    }
    println!("cargo:rerun-if-env-changed=CLANG");
    let clang = env::var("CLANG").unwrap_or_else(|_| "clang".to_string());
    let status = Command::new(&clang)
        .args([
            "-O2",
            "-g",
            "-target",
            "bpf",
            "-D__TARGET_ARCH_x86",
            "-Wall",
            "-Werror",
        ])
        .arg("-I")
        .arg(manifest.join("bpf"))
        .arg("-c")
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("{clang} failed on {} ({s})", src.display()),
        Err(e) => panic!(
            "cannot run {clang} ({e}): vigil-ebpf needs clang and libbpf-dev (apt-get install clang libbpf-dev)"
        ),
    }
    // Optional: drop DWARF (keeps .BTF and .BTF.ext), ~5x smaller object in the binary.
    let _ = Command::new("llvm-strip").arg("-g").arg(&obj).status();
}
