//! Arbitrary (mostly malformed) events never panic the state engine or the extractor, and the
//! thread table keeps its invariants.

use proptest::prelude::*;
use vigil_event::{ArgKind, Extract, FieldSchema};
use vigil_scap::{EVENT_MAX, RawEvent, code_of_symbol};
use vigil_state::{SYSCALL_SCHEMA, State};

fn interesting_codes() -> Vec<u16> {
    [
        "SYSCALL_CLONE_20_X",
        "SYSCALL_FORK_20_X",
        "SYSCALL_VFORK_20_X",
        "SYSCALL_CLONE3_X",
        "SYSCALL_EXECVE_19_X",
        "SYSCALL_EXECVEAT_X",
        "PROCEXIT_1_E",
        "SYSCALL_OPEN_X",
        "SYSCALL_OPENAT_2_X",
        "SYSCALL_OPENAT2_X",
        "SYSCALL_CLOSE_X",
        "SOCKET_SOCKET_X",
        "SOCKET_CONNECT_X",
        "SOCKET_ACCEPT_5_X",
        "SOCKET_BIND_X",
        "SOCKET_SENDTO_X",
        "SYSCALL_DUP2_X",
        "SYSCALL_FCNTL_X",
        "SYSCALL_CHDIR_X",
        "SYSCALL_FCHDIR_X",
        "CONTAINER_JSON_E",
        "SYSCALL_SETUID_X",
        "SYSCALL_PIPE2_X",
    ]
    .iter()
    .filter_map(|s| code_of_symbol(s))
    .collect()
}

#[derive(Debug, Clone)]
struct Ev {
    code: u16,
    tid: u64,
    params: Vec<Vec<u8>>,
}

fn param() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Small integers of every width (fds, pids, res).
        (0i64..6).prop_map(|v| v.to_le_bytes().to_vec()),
        (-3i64..3).prop_map(|v| v.to_le_bytes()[..4].to_vec()),
        Just(b"/tmp/x\0".to_vec()),
        Just(b"rel/../y\0".to_vec()),
        Just(
            b"cpu=/docker/3d1c8f9a2b7e4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5\0"
                .to_vec()
        ),
        Just(br#"{"container":{"id":"3d1c8f9a2b7e","name":"n","image":"a:b"}}"#.to_vec()),
        Just(vec![2, 127, 0, 0, 1, 0x50, 0, 10, 0, 0, 1, 0x51, 0]),
        prop::collection::vec(any::<u8>(), 0..24),
    ]
}

fn event(codes: Vec<u16>) -> impl Strategy<Value = Ev> {
    let code = prop_oneof![prop::sample::select(codes), (0u16..EVENT_MAX + 4),];
    (code, 1u64..6, prop::collection::vec(param(), 0..30)).prop_map(|(code, tid, params)| Ev {
        code,
        tid,
        params,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_events(evs in prop::collection::vec(event(interesting_codes()), 1..40)) {
        let refs: Vec<_> = SYSCALL_SCHEMA
            .fields()
            .iter()
            .filter_map(|f| {
                let arg = match f.arg {
                    ArgKind::None => None,
                    ArgKind::Index => Some("1"),
                    ArgKind::Key => Some("fd"),
                    ArgKind::IndexOrKey => Some("0"),
                };
                SYSCALL_SCHEMA.resolve(f.name, arg).ok()
            })
            .collect();
        let mut state = State::new();
        for (i, e) in evs.iter().enumerate() {
            let mut buf = Vec::new();
            let mut ranges = Vec::new();
            for p in &e.params {
                let s = buf.len() as u32;
                buf.extend_from_slice(p);
                ranges.push((s, buf.len() as u32));
            }
            let ev = RawEvent::new(i as u64 + 1, e.tid, 0, 0, e.code, &buf, &ranges);
            state.apply(&ev);
            prop_assert_eq!(state.check_thread_indexes(), Ok(()));
            let v = state.view(&ev);
            let _ = v.event_type();
            for r in &refs {
                let _ = v.extract(r);
            }
        }
        state.flush();
        prop_assert_eq!(state.check_thread_indexes(), Ok(()));
        for t in state.threads() {
            prop_assert!(state.thread(t.tid).is_some());
            prop_assert!(t.cmdline.starts_with(&t.comm));
        }
    }
}
