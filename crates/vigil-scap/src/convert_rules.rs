// Old-event conversion rules transcribed (as data) from the falcosecurity/libs scap converter
// table at 48dfd53cd23f. Sorted by (code, nparams). Regenerate rather than hand-edit.

use super::{Action as A, ConvRule, Instr as I};

pub(super) static RULES: [ConvRule; 253] = [
    ConvRule {
        code: 0,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // GENERIC_E
    ConvRule {
        code: 1,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(1, true)],
    }, // GENERIC_X
    ConvRule {
        code: 2,
        nparams: 0,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty, I::Empty],
    }, // SYSCALL_OPEN_E
    ConvRule {
        code: 2,
        nparams: 3,
        action: A::Pass,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_OPEN_E
    ConvRule {
        code: 3,
        nparams: 4,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_OPEN_X
    ConvRule {
        code: 3,
        nparams: 5,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_OPEN_X
    ConvRule {
        code: 4,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_CLOSE_E
    ConvRule {
        code: 5,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_CLOSE_X
    ConvRule {
        code: 6,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_READ_E
    ConvRule {
        code: 7,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_READ_X
    ConvRule {
        code: 8,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_WRITE_E
    ConvRule {
        code: 9,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_WRITE_X
    ConvRule {
        code: 10,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_BRK_1_E
    ConvRule {
        code: 11,
        nparams: 1,
        action: A::ChangeType,
        desired: 159,
        instrs: &[I::Old(0), I::Enter(0, true), I::Empty, I::Empty, I::Empty],
    }, // SYSCALL_BRK_1_X
    ConvRule {
        code: 12,
        nparams: 0,
        action: A::ChangeType,
        desired: 154,
        instrs: &[],
    }, // SYSCALL_EXECVE_8_E
    ConvRule {
        code: 13,
        nparams: 8,
        action: A::ChangeType,
        desired: 155,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Empty,
            I::Empty,
            I::Empty,
            I::Empty,
            I::Empty,
        ],
    }, // SYSCALL_EXECVE_8_X
    ConvRule {
        code: 15,
        nparams: 11,
        action: A::ChangeType,
        desired: 157,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Empty,
            I::Empty,
            I::Empty,
            I::Empty,
            I::Empty,
            I::Old(8),
            I::Old(9),
            I::Old(10),
        ],
    }, // SYSCALL_CLONE_11_X
    ConvRule {
        code: 16,
        nparams: 0,
        action: A::ChangeType,
        desired: 186,
        instrs: &[I::Empty, I::Empty, I::Empty, I::Empty, I::Empty],
    }, // PROCEXIT_E
    ConvRule {
        code: 18,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_SOCKET_E
    ConvRule {
        code: 19,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SOCKET_SOCKET_X
    ConvRule {
        code: 19,
        nparams: 4,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Default],
    }, // SOCKET_SOCKET_X
    ConvRule {
        code: 20,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_BIND_E
    ConvRule {
        code: 21,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SOCKET_BIND_X
    ConvRule {
        code: 22,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Default],
    }, // SOCKET_CONNECT_E
    ConvRule {
        code: 22,
        nparams: 2,
        action: A::StoreAndPass,
        desired: 0,
        instrs: &[],
    }, // SOCKET_CONNECT_E
    ConvRule {
        code: 23,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SOCKET_CONNECT_X
    ConvRule {
        code: 23,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(1, false)],
    }, // SOCKET_CONNECT_X
    ConvRule {
        code: 24,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_LISTEN_E
    ConvRule {
        code: 25,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SOCKET_LISTEN_X
    ConvRule {
        code: 27,
        nparams: 3,
        action: A::ChangeType,
        desired: 247,
        instrs: &[I::Old(0), I::Old(1), I::Old(2), I::Default, I::Default],
    }, // SOCKET_ACCEPT_X
    ConvRule {
        code: 28,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_SEND_E
    ConvRule {
        code: 29,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Default],
    }, // SOCKET_SEND_X
    ConvRule {
        code: 30,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_SENDTO_E
    ConvRule {
        code: 31,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SOCKET_SENDTO_X
    ConvRule {
        code: 32,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_RECV_E
    ConvRule {
        code: 33,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Default],
    }, // SOCKET_RECV_X
    ConvRule {
        code: 34,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_RECVFROM_E
    ConvRule {
        code: 35,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SOCKET_RECVFROM_X
    ConvRule {
        code: 36,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_SHUTDOWN_E
    ConvRule {
        code: 37,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SOCKET_SHUTDOWN_X
    ConvRule {
        code: 42,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_SOCKETPAIR_E
    ConvRule {
        code: 43,
        nparams: 5,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SOCKET_SOCKETPAIR_X
    ConvRule {
        code: 48,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_SENDMSG_E
    ConvRule {
        code: 49,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SOCKET_SENDMSG_X
    ConvRule {
        code: 51,
        nparams: 0,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Default, I::Empty, I::Empty, I::Empty, I::Empty],
    }, // SOCKET_SENDMMSG_X
    ConvRule {
        code: 52,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_RECVMSG_E
    ConvRule {
        code: 53,
        nparams: 4,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Default],
    }, // SOCKET_RECVMSG_X
    ConvRule {
        code: 53,
        nparams: 5,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SOCKET_RECVMSG_X
    ConvRule {
        code: 55,
        nparams: 0,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Default, I::Empty, I::Empty, I::Empty, I::Empty, I::Empty],
    }, // SOCKET_RECVMMSG_X
    ConvRule {
        code: 56,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_ACCEPT4_E
    ConvRule {
        code: 57,
        nparams: 3,
        action: A::ChangeType,
        desired: 389,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Default,
            I::Default,
            I::Enter(0, false),
        ],
    }, // SOCKET_ACCEPT4_X
    ConvRule {
        code: 58,
        nparams: 0,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty],
    }, // SYSCALL_CREAT_E
    ConvRule {
        code: 58,
        nparams: 2,
        action: A::Pass,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_CREAT_E
    ConvRule {
        code: 59,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_CREAT_X
    ConvRule {
        code: 59,
        nparams: 4,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_CREAT_X
    ConvRule {
        code: 59,
        nparams: 5,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_CREAT_X
    ConvRule {
        code: 62,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_EVENTFD_E
    ConvRule {
        code: 63,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_EVENTFD_X
    ConvRule {
        code: 64,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_FUTEX_E
    ConvRule {
        code: 65,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_FUTEX_X
    ConvRule {
        code: 70,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_FSTAT_E
    ConvRule {
        code: 71,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_FSTAT_X
    ConvRule {
        code: 78,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_EPOLLWAIT_E
    ConvRule {
        code: 79,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_EPOLLWAIT_X
    ConvRule {
        code: 80,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_POLL_E
    ConvRule {
        code: 81,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(1, false)],
    }, // SYSCALL_POLL_X
    ConvRule {
        code: 85,
        nparams: 1,
        action: A::ChangeType,
        desired: 83,
        instrs: &[I::Old(0)],
    }, // SYSCALL_NEWSELECT_X
    ConvRule {
        code: 86,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_LSEEK_E
    ConvRule {
        code: 87,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_LSEEK_X
    ConvRule {
        code: 88,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_LLSEEK_E
    ConvRule {
        code: 89,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_LLSEEK_X
    ConvRule {
        code: 90,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_IOCTL_2_E
    ConvRule {
        code: 91,
        nparams: 1,
        action: A::ChangeType,
        desired: 171,
        instrs: &[I::Old(0), I::Enter(0, true), I::Enter(1, true), I::Empty],
    }, // SYSCALL_IOCTL_2_X
    ConvRule {
        code: 96,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_FCHDIR_E
    ConvRule {
        code: 97,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true)],
    }, // SYSCALL_FCHDIR_X
    ConvRule {
        code: 98,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_MKDIR_E
    ConvRule {
        code: 99,
        nparams: 1,
        action: A::ChangeType,
        desired: 277,
        instrs: &[I::Old(0), I::Enter(0, true), I::Enter(1, true)],
    }, // SYSCALL_MKDIR_X
    ConvRule {
        code: 100,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_RMDIR_E
    ConvRule {
        code: 101,
        nparams: 1,
        action: A::ChangeType,
        desired: 279,
        instrs: &[I::Old(0), I::Enter(0, true)],
    }, // SYSCALL_RMDIR_X
    ConvRule {
        code: 102,
        nparams: 4,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_OPENAT_E
    ConvRule {
        code: 103,
        nparams: 1,
        action: A::ChangeType,
        desired: 307,
        instrs: &[
            I::Old(0),
            I::Enter(0, true),
            I::Enter(1, true),
            I::Enter(2, true),
            I::Enter(3, true),
            I::Empty,
            I::Empty,
        ],
    }, // SYSCALL_OPENAT_X
    ConvRule {
        code: 104,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_LINK_E
    ConvRule {
        code: 105,
        nparams: 1,
        action: A::ChangeType,
        desired: 309,
        instrs: &[I::Old(0), I::Enter(0, true), I::Enter(1, true)],
    }, // SYSCALL_LINK_X
    ConvRule {
        code: 106,
        nparams: 4,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_LINKAT_E
    ConvRule {
        code: 107,
        nparams: 1,
        action: A::ChangeType,
        desired: 311,
        instrs: &[
            I::Old(0),
            I::Enter(0, true),
            I::Enter(1, true),
            I::Enter(2, true),
            I::Enter(3, true),
            I::Empty,
        ],
    }, // SYSCALL_LINKAT_X
    ConvRule {
        code: 108,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_UNLINK_E
    ConvRule {
        code: 109,
        nparams: 1,
        action: A::ChangeType,
        desired: 301,
        instrs: &[I::Old(0), I::Enter(0, true)],
    }, // SYSCALL_UNLINK_X
    ConvRule {
        code: 110,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_UNLINKAT_E
    ConvRule {
        code: 111,
        nparams: 1,
        action: A::ChangeType,
        desired: 303,
        instrs: &[I::Old(0), I::Enter(0, true), I::Enter(1, true), I::Empty],
    }, // SYSCALL_UNLINKAT_X
    ConvRule {
        code: 112,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_PREAD_E
    ConvRule {
        code: 113,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_PREAD_X
    ConvRule {
        code: 114,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_PWRITE_E
    ConvRule {
        code: 115,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_PWRITE_X
    ConvRule {
        code: 116,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_READV_E
    ConvRule {
        code: 117,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_READV_X
    ConvRule {
        code: 118,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_WRITEV_E
    ConvRule {
        code: 119,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_WRITEV_X
    ConvRule {
        code: 120,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_PREADV_E
    ConvRule {
        code: 121,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_PREADV_X
    ConvRule {
        code: 122,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_PWRITEV_E
    ConvRule {
        code: 123,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_PWRITEV_X
    ConvRule {
        code: 124,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_DUP_E
    ConvRule {
        code: 125,
        nparams: 1,
        action: A::ChangeType,
        desired: 367,
        instrs: &[I::Old(0), I::Enter(0, true)],
    }, // SYSCALL_DUP_X
    ConvRule {
        code: 126,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SIGNALFD_E
    ConvRule {
        code: 127,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_SIGNALFD_X
    ConvRule {
        code: 128,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_KILL_E
    ConvRule {
        code: 129,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_KILL_X
    ConvRule {
        code: 130,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_TKILL_E
    ConvRule {
        code: 131,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_TKILL_X
    ConvRule {
        code: 132,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_TGKILL_E
    ConvRule {
        code: 133,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_TGKILL_X
    ConvRule {
        code: 134,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_NANOSLEEP_E
    ConvRule {
        code: 135,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_NANOSLEEP_X
    ConvRule {
        code: 136,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_TIMERFD_CREATE_E
    ConvRule {
        code: 137,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_TIMERFD_CREATE_X
    ConvRule {
        code: 138,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_INOTIFY_INIT_E
    ConvRule {
        code: 139,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_INOTIFY_INIT_X
    ConvRule {
        code: 140,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_GETRLIMIT_E
    ConvRule {
        code: 141,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_GETRLIMIT_X
    ConvRule {
        code: 142,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SETRLIMIT_E
    ConvRule {
        code: 143,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_SETRLIMIT_X
    ConvRule {
        code: 144,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_PRLIMIT_E
    ConvRule {
        code: 145,
        nparams: 5,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true), I::Enter(1, true)],
    }, // SYSCALL_PRLIMIT_X
    ConvRule {
        code: 146,
        nparams: 1,
        action: A::ChangeType,
        desired: 152,
        instrs: &[I::Old(0), I::Empty, I::Empty, I::Empty, I::Empty, I::Empty],
    }, // SCHEDSWITCH_1_E
    ConvRule {
        code: 150,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_FCNTL_E
    ConvRule {
        code: 151,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_FCNTL_X
    ConvRule {
        code: 151,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Default],
    }, // SYSCALL_FCNTL_X
    ConvRule {
        code: 154,
        nparams: 0,
        action: A::ChangeType,
        desired: 172,
        instrs: &[],
    }, // SYSCALL_EXECVE_13_E
    ConvRule {
        code: 155,
        nparams: 13,
        action: A::ChangeType,
        desired: 173,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Empty,
        ],
    }, // SYSCALL_EXECVE_13_X
    ConvRule {
        code: 157,
        nparams: 16,
        action: A::ChangeType,
        desired: 217,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Empty,
            I::Old(13),
            I::Old(14),
            I::Old(15),
        ],
    }, // SYSCALL_CLONE_16_X
    ConvRule {
        code: 158,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_BRK_4_E
    ConvRule {
        code: 159,
        nparams: 4,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true)],
    }, // SYSCALL_BRK_4_X
    ConvRule {
        code: 160,
        nparams: 6,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_MMAP_E
    ConvRule {
        code: 161,
        nparams: 4,
        action: A::AddParams,
        desired: 0,
        instrs: &[
            I::Enter(0, false),
            I::Enter(1, false),
            I::Enter(2, false),
            I::Enter(3, false),
            I::Enter(4, false),
            I::Enter(5, false),
        ],
    }, // SYSCALL_MMAP_X
    ConvRule {
        code: 162,
        nparams: 6,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_MMAP2_E
    ConvRule {
        code: 163,
        nparams: 4,
        action: A::AddParams,
        desired: 0,
        instrs: &[
            I::Enter(0, false),
            I::Enter(1, false),
            I::Enter(2, false),
            I::Enter(3, false),
            I::Enter(4, false),
            I::Enter(5, false),
        ],
    }, // SYSCALL_MMAP2_X
    ConvRule {
        code: 164,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_MUNMAP_E
    ConvRule {
        code: 165,
        nparams: 4,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_MUNMAP_X
    ConvRule {
        code: 166,
        nparams: 4,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SPLICE_E
    ConvRule {
        code: 167,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[
            I::Enter(0, false),
            I::Enter(1, false),
            I::Enter(2, false),
            I::Enter(3, false),
        ],
    }, // SYSCALL_SPLICE_X
    ConvRule {
        code: 168,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_PTRACE_E
    ConvRule {
        code: 169,
        nparams: 0,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty, I::Empty],
    }, // SYSCALL_PTRACE_X
    ConvRule {
        code: 169,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true), I::Enter(1, true)],
    }, // SYSCALL_PTRACE_X
    ConvRule {
        code: 170,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_IOCTL_3_E
    ConvRule {
        code: 171,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_IOCTL_3_X
    ConvRule {
        code: 172,
        nparams: 0,
        action: A::ChangeType,
        desired: 214,
        instrs: &[],
    }, // SYSCALL_EXECVE_14_E
    ConvRule {
        code: 173,
        nparams: 14,
        action: A::ChangeType,
        desired: 215,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Empty,
            I::Old(13),
        ],
    }, // SYSCALL_EXECVE_14_X
    ConvRule {
        code: 183,
        nparams: 16,
        action: A::ChangeType,
        desired: 219,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Empty,
            I::Old(13),
            I::Old(14),
            I::Old(15),
        ],
    }, // SYSCALL_FORK_X
    ConvRule {
        code: 185,
        nparams: 16,
        action: A::ChangeType,
        desired: 221,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Empty,
            I::Old(13),
            I::Old(14),
            I::Old(15),
        ],
    }, // SYSCALL_VFORK_X
    ConvRule {
        code: 188,
        nparams: 4,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SENDFILE_E
    ConvRule {
        code: 189,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(3, false)],
    }, // SYSCALL_SENDFILE_X
    ConvRule {
        code: 190,
        nparams: 4,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_QUOTACTL_E
    ConvRule {
        code: 191,
        nparams: 14,
        action: A::AddParams,
        desired: 0,
        instrs: &[
            I::Enter(0, false),
            I::Enter(1, false),
            I::Enter(2, false),
            I::Enter(3, false),
        ],
    }, // SYSCALL_QUOTACTL_X
    ConvRule {
        code: 192,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SETRESUID_E
    ConvRule {
        code: 193,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true), I::Enter(1, true), I::Enter(2, true)],
    }, // SYSCALL_SETRESUID_X
    ConvRule {
        code: 194,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SETRESGID_E
    ConvRule {
        code: 195,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true), I::Enter(1, true), I::Enter(2, true)],
    }, // SYSCALL_SETRESGID_X
    ConvRule {
        code: 198,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SETUID_E
    ConvRule {
        code: 199,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true)],
    }, // SYSCALL_SETUID_X
    ConvRule {
        code: 200,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SETGID_E
    ConvRule {
        code: 201,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true)],
    }, // SYSCALL_SETGID_X
    ConvRule {
        code: 214,
        nparams: 0,
        action: A::ChangeType,
        desired: 230,
        instrs: &[],
    }, // SYSCALL_EXECVE_15_E
    ConvRule {
        code: 215,
        nparams: 15,
        action: A::ChangeType,
        desired: 231,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Old(13),
            I::Empty,
            I::Old(14),
        ],
    }, // SYSCALL_EXECVE_15_X
    ConvRule {
        code: 217,
        nparams: 17,
        action: A::ChangeType,
        desired: 223,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Old(13),
            I::Empty,
            I::Old(14),
            I::Old(15),
            I::Old(16),
            I::Empty,
            I::Empty,
        ],
    }, // SYSCALL_CLONE_17_X
    ConvRule {
        code: 219,
        nparams: 17,
        action: A::ChangeType,
        desired: 225,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Old(13),
            I::Empty,
            I::Old(14),
            I::Old(15),
            I::Old(16),
            I::Empty,
            I::Empty,
        ],
    }, // SYSCALL_FORK_17_X
    ConvRule {
        code: 221,
        nparams: 17,
        action: A::ChangeType,
        desired: 227,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Old(13),
            I::Empty,
            I::Old(14),
            I::Old(15),
            I::Old(16),
            I::Empty,
            I::Empty,
        ],
    }, // SYSCALL_VFORK_17_X
    ConvRule {
        code: 223,
        nparams: 20,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_CLONE_20_X
    ConvRule {
        code: 225,
        nparams: 20,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_FORK_20_X
    ConvRule {
        code: 227,
        nparams: 20,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_VFORK_20_X
    ConvRule {
        code: 228,
        nparams: 4,
        action: A::ChangeType,
        desired: 272,
        instrs: &[I::ContainerJson],
    }, // CONTAINER_E
    ConvRule {
        code: 230,
        nparams: 0,
        action: A::ChangeType,
        desired: 282,
        instrs: &[],
    }, // SYSCALL_EXECVE_16_E
    ConvRule {
        code: 231,
        nparams: 16,
        action: A::ChangeType,
        desired: 283,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Old(13),
            I::Old(14),
            I::Old(15),
            I::Empty,
        ],
    }, // SYSCALL_EXECVE_16_X
    ConvRule {
        code: 236,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_GETDENTS_E
    ConvRule {
        code: 237,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_GETDENTS_X
    ConvRule {
        code: 238,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_GETDENTS64_E
    ConvRule {
        code: 239,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_GETDENTS64_X
    ConvRule {
        code: 240,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SETNS_E
    ConvRule {
        code: 241,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true), I::Enter(1, true)],
    }, // SYSCALL_SETNS_X
    ConvRule {
        code: 242,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_FLOCK_E
    ConvRule {
        code: 243,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_FLOCK_X
    ConvRule {
        code: 248,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_ACCEPT4_5_E
    ConvRule {
        code: 249,
        nparams: 5,
        action: A::ChangeType,
        desired: 389,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Enter(0, false),
        ],
    }, // SOCKET_ACCEPT4_5_X
    ConvRule {
        code: 250,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SEMOP_E
    ConvRule {
        code: 251,
        nparams: 8,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_SEMOP_X
    ConvRule {
        code: 252,
        nparams: 4,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SEMCTL_E
    ConvRule {
        code: 253,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[
            I::Enter(0, false),
            I::Enter(1, false),
            I::Enter(2, false),
            I::Enter(3, false),
        ],
    }, // SYSCALL_SEMCTL_X
    ConvRule {
        code: 254,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_PPOLL_E
    ConvRule {
        code: 255,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_PPOLL_X
    ConvRule {
        code: 256,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_MOUNT_E
    ConvRule {
        code: 257,
        nparams: 4,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_MOUNT_X
    ConvRule {
        code: 259,
        nparams: 2,
        action: A::ChangeType,
        desired: 387,
        instrs: &[I::Old(0), I::Old(1)],
    }, // SYSCALL_UMOUNT_X
    ConvRule {
        code: 262,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SEMGET_E
    ConvRule {
        code: 263,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_SEMGET_X
    ConvRule {
        code: 264,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_ACCESS_E
    ConvRule {
        code: 265,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_ACCESS_X
    ConvRule {
        code: 272,
        nparams: 1,
        action: A::ChangeType,
        desired: 324,
        instrs: &[I::Old(0)],
    }, // CONTAINER_JSON_E
    ConvRule {
        code: 276,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_MKDIR_2_E
    ConvRule {
        code: 277,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true)],
    }, // SYSCALL_MKDIR_2_X
    ConvRule {
        code: 282,
        nparams: 0,
        action: A::ChangeType,
        desired: 288,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVE_17_E
    ConvRule {
        code: 283,
        nparams: 17,
        action: A::ChangeType,
        desired: 289,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Old(13),
            I::Old(14),
            I::Old(15),
            I::Old(16),
        ],
    }, // SYSCALL_EXECVE_17_X
    ConvRule {
        code: 284,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_UNSHARE_E
    ConvRule {
        code: 285,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_UNSHARE_X
    ConvRule {
        code: 288,
        nparams: 1,
        action: A::ChangeType,
        desired: 292,
        instrs: &[I::Old(0)],
    }, // SYSCALL_EXECVE_18_E
    ConvRule {
        code: 289,
        nparams: 17,
        action: A::ChangeType,
        desired: 293,
        instrs: &[
            I::Old(0),
            I::Old(1),
            I::Old(2),
            I::Old(3),
            I::Old(4),
            I::Old(5),
            I::Old(6),
            I::Old(7),
            I::Old(8),
            I::Old(9),
            I::Old(10),
            I::Old(11),
            I::Old(12),
            I::Old(13),
            I::Old(14),
            I::Old(15),
            I::Old(16),
            I::Empty,
        ],
    }, // SYSCALL_EXECVE_18_X
    ConvRule {
        code: 292,
        nparams: 1,
        action: A::StoreAndPass,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_EXECVE_19_E
    ConvRule {
        code: 293,
        nparams: 18,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVE_19_X
    ConvRule {
        code: 293,
        nparams: 19,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVE_19_X
    ConvRule {
        code: 293,
        nparams: 20,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty, I::Empty],
    }, // SYSCALL_EXECVE_19_X
    ConvRule {
        code: 293,
        nparams: 23,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty, I::Empty],
    }, // SYSCALL_EXECVE_19_X
    ConvRule {
        code: 293,
        nparams: 26,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVE_19_X
    ConvRule {
        code: 293,
        nparams: 27,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVE_19_X
    ConvRule {
        code: 293,
        nparams: 28,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVE_19_X
    ConvRule {
        code: 293,
        nparams: 29,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVE_19_X
    ConvRule {
        code: 293,
        nparams: 30,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true)],
    }, // SYSCALL_EXECVE_19_X
    ConvRule {
        code: 294,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SETPGID_E
    ConvRule {
        code: 295,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, true), I::Enter(1, true)],
    }, // SYSCALL_SETPGID_X
    ConvRule {
        code: 296,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_BPF_E
    ConvRule {
        code: 297,
        nparams: 1,
        action: A::ChangeType,
        desired: 369,
        instrs: &[I::Old(0), I::Enter(0, true)],
    }, // SYSCALL_BPF_X
    ConvRule {
        code: 298,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Default],
    }, // SYSCALL_SECCOMP_E
    ConvRule {
        code: 298,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SECCOMP_E
    ConvRule {
        code: 299,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_SECCOMP_X
    ConvRule {
        code: 306,
        nparams: 0,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty, I::Empty, I::Empty],
    }, // SYSCALL_OPENAT_2_E
    ConvRule {
        code: 306,
        nparams: 4,
        action: A::Pass,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_OPENAT_2_E
    ConvRule {
        code: 307,
        nparams: 5,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_OPENAT_2_X
    ConvRule {
        code: 307,
        nparams: 6,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_OPENAT_2_X
    ConvRule {
        code: 326,
        nparams: 0,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty, I::Empty, I::Empty, I::Empty],
    }, // SYSCALL_OPENAT2_E
    ConvRule {
        code: 326,
        nparams: 5,
        action: A::Pass,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_OPENAT2_E
    ConvRule {
        code: 327,
        nparams: 6,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty],
    }, // SYSCALL_OPENAT2_X
    ConvRule {
        code: 328,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_MPROTECT_E
    ConvRule {
        code: 329,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_MPROTECT_X
    ConvRule {
        code: 330,
        nparams: 3,
        action: A::Pass,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_EXECVEAT_E
    ConvRule {
        code: 331,
        nparams: 19,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVEAT_X
    ConvRule {
        code: 331,
        nparams: 20,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty, I::Empty],
    }, // SYSCALL_EXECVEAT_X
    ConvRule {
        code: 331,
        nparams: 23,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty, I::Empty, I::Empty],
    }, // SYSCALL_EXECVEAT_X
    ConvRule {
        code: 331,
        nparams: 26,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVEAT_X
    ConvRule {
        code: 331,
        nparams: 27,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVEAT_X
    ConvRule {
        code: 331,
        nparams: 28,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVEAT_X
    ConvRule {
        code: 331,
        nparams: 29,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_EXECVEAT_X
    ConvRule {
        code: 332,
        nparams: 3,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_COPY_FILE_RANGE_E
    ConvRule {
        code: 333,
        nparams: 3,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false), I::Enter(2, false)],
    }, // SYSCALL_COPY_FILE_RANGE_X
    ConvRule {
        code: 335,
        nparams: 20,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Empty],
    }, // SYSCALL_CLONE3_X
    ConvRule {
        code: 374,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_EPOLL_CREATE_E
    ConvRule {
        code: 375,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_EPOLL_CREATE_X
    ConvRule {
        code: 376,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_EPOLL_CREATE1_E
    ConvRule {
        code: 377,
        nparams: 1,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_EPOLL_CREATE1_X
    ConvRule {
        code: 388,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SOCKET_ACCEPT4_6_E
    ConvRule {
        code: 389,
        nparams: 5,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SOCKET_ACCEPT4_6_X
    ConvRule {
        code: 390,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_UMOUNT2_E
    ConvRule {
        code: 391,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_UMOUNT2_X
    ConvRule {
        code: 396,
        nparams: 1,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_EVENTFD2_E
    ConvRule {
        code: 397,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false)],
    }, // SYSCALL_EVENTFD2_X
    ConvRule {
        code: 398,
        nparams: 2,
        action: A::Store,
        desired: 0,
        instrs: &[],
    }, // SYSCALL_SIGNALFD4_E
    ConvRule {
        code: 399,
        nparams: 2,
        action: A::AddParams,
        desired: 0,
        instrs: &[I::Enter(0, false), I::Enter(1, false)],
    }, // SYSCALL_SIGNALFD4_X
];
