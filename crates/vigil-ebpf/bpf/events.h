/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vigil kernel/user event layout, shared by bpf/vigil.bpf.c and the Rust mirror in
 * src/abi.rs. Bump VG_ABI_VERSION on any change; the static asserts at the end pin every size
 * and offset, and src/abi.rs's tests parse them and compare with the Rust structs.
 *
 * Records are fixed-size per kind (ring-buffer reservations need a constant size). Every
 * record starts with struct vg_header; `kind` says which struct follows.
 */
#ifndef VIGIL_EVENTS_H
#define VIGIL_EVENTS_H

#define VG_ABI_VERSION 6

#define VG_PATH_MAX 256 /* power of two */
#define VG_ARGS_MAX 1024 /* power of two */
#define VG_ADDR_MAX 128
#define VG_COMM_LEN 16
#define VG_NR_MAX 512 /* size of the interest map (x86_64 syscall numbers) */
#define VG_CWD_MAX 512 /* components of the exec cwd; each read is at most VG_CWD_MAX / 2 */

enum vg_kind {
	VG_KIND_SYSCALL = 1,
	VG_KIND_EXEC = 2,
	VG_KIND_FORK = 3,
	VG_KIND_EXIT = 4,
};

/* Indexes of the per-CPU `stats` array. */
enum vg_stat {
	VG_STAT_SUBMITTED = 0,
	VG_STAT_DROPPED = 1, /* ring buffer full: reservation failed (all kinds) */
	VG_STAT_STR_ERR = 2, /* a user/kernel string could not be read */
	VG_STAT_SOCK_ERR = 3, /* a socket behind an fd could not be read */
	VG_STAT_DROPPED_SYSCALL = 4, /* ring full, by kind (their sum is VG_STAT_DROPPED) */
	VG_STAT_DROPPED_EXEC = 5,
	VG_STAT_DROPPED_FORK = 6,
	VG_STAT_DROPPED_EXIT = 7,
	VG_STAT_ARGS_ERR = 8, /* exec argv could not be read */
	VG_STAT_CWD_ERR = 9, /* exec cwd walk did not reach the root (too deep or unreadable) */
	VG_STAT_MAX = 10,
};

struct vg_header {
	__u64 ts_boot_ns; /* bpf_ktime_get_boot_ns() */
	__u64 cgroup_id; /* cgroup v2 id of the current task */
	__u32 tgid;
	__u32 tid;
	__u16 kind; /* enum vg_kind */
	__u16 version; /* VG_ABI_VERSION */
	__u32 size; /* sizeof the whole record */
};

/* Endpoints of the socket behind an fd (connect: the connecting fd; accept: the new fd). */
struct vg_sock {
	__u16 family; /* AF_INET / AF_INET6 / AF_UNIX …, 0 when not read */
	__u16 sport; /* local port, host order */
	__u16 dport; /* remote port, host order */
	__u16 l4proto; /* IPPROTO_* */
	__u8 saddr[16]; /* local address (IPv4 in the first 4 bytes, network order) */
	__u8 daddr[16]; /* remote address */
};

/* A system call, taken at sys_exit: arguments from the saved registers, result, and the
 * user memory a rule needs (paths, socket addresses), read at exit. The record stops after
 * `pad` (no user memory), after str[0] (one path) or runs whole; h.size says which. */
struct vg_syscall {
	struct vg_header h;
	__s64 ret;
	__u64 args[6];
	__u32 nr; /* x86_64 syscall number */
	__u16 str_len[2]; /* bytes in str[i] including the NUL, 0 when absent or unreadable */
	struct vg_sock sock;
	__u32 addr_len; /* bytes in addr (connect: the sockaddr; openat2: struct open_how) */
	__u32 pad;
	char str[2][VG_PATH_MAX];
	__u8 addr[VG_ADDR_MAX];
};

#define VG_EXEC_FROM_MEMFD 1
#define VG_EXEC_UPPER_LAYER 2 /* the executable is in an overlayfs upper layer */
#define VG_EXEC_CWD_COMPLETE 4 /* cwd holds every component up to the task's root */

/* A successful exec (sched_process_exec). */
struct vg_exec {
	struct vg_header h;
	__u32 ppid; /* tgid of the real parent */
	__u32 uid;
	__u32 gid;
	__u32 loginuid;
	__u64 cap_inheritable;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u64 exe_ino;
	__u32 nr; /* syscall that exec'ed (execve / execveat) */
	__u32 flags; /* VG_EXEC_* */
	__u16 filename_len; /* including the NUL; 0 when unreadable */
	__u16 args_len; /* bytes of the NUL-separated argv in args */
	__u32 tty; /* controlling terminal, encoded as /proc/PID/stat's tty_nr; 0 for none */
	char comm[VG_COMM_LEN];
	char filename[VG_PATH_MAX];
	char args[VG_ARGS_MAX];
	__u64 exe_ctime_ns; /* of the executable's inode, epoch ns; 0 when unknown */
	__u64 exe_mtime_ns;
	__u16 cwd_len; /* bytes used in cwd */
	__u16 pad2;
	__s32 pgid; /* process group, in the initial pid namespace; -1 when unknown */
	/* The working directory's components, leaf first, each NUL-terminated ("b\0a\0" for
	 * /a/b); complete up to the task's root when flags has VG_EXEC_CWD_COMPLETE. */
	char cwd[VG_CWD_MAX];
	__u16 env_len; /* bytes of the NUL-separated environment in env */
	__u16 pad3[3];
	char env[VG_ARGS_MAX];
	__u64 fdlimit; /* soft RLIMIT_NOFILE, as /proc/PID/limits' "Max open files" */
};

#define VG_FORK_CHILD 1

/* A new task (sched_process_fork), sent twice as libscap sends clone's exit twice: first
 * the parent's view (the header names the parent, the current task), then, with
 * VG_FORK_CHILD in flags, the child's (the header names the child). */
struct vg_fork {
	struct vg_header h;
	__u32 child_tgid;
	__u32 child_tid;
	__u32 ppid; /* tgid of the parent's real parent */
	__u32 uid;
	__u32 gid;
	__u32 pad;
	char comm[VG_COMM_LEN];
	__u32 child_vtid; /* the child's ids in its own (active) pid namespace */
	__u32 child_vpid;
	__u64 pidns_init_start_ns; /* boot-time ns start of that namespace's init */
	__u32 flags; /* VG_FORK_* */
	__u32 pad2;
};

/* A task exits (sched_process_exit); the header names the exiting task. */
struct vg_exit {
	struct vg_header h;
	__s32 exit_code;
	__u32 pad;
};

/* Layout pins, checked by clang here and by the Rust tests (src/abi.rs) against the mirror. */
#define VG_ASSERT_SIZE(s, n) _Static_assert(sizeof(struct s) == n, #s " size")
#define VG_ASSERT_OFF(s, f, n) _Static_assert(__builtin_offsetof(struct s, f) == n, #s "." #f)

VG_ASSERT_SIZE(vg_header, 32);
VG_ASSERT_OFF(vg_header, ts_boot_ns, 0);
VG_ASSERT_OFF(vg_header, cgroup_id, 8);
VG_ASSERT_OFF(vg_header, tgid, 16);
VG_ASSERT_OFF(vg_header, tid, 20);
VG_ASSERT_OFF(vg_header, kind, 24);
VG_ASSERT_OFF(vg_header, version, 26);
VG_ASSERT_OFF(vg_header, size, 28);

VG_ASSERT_SIZE(vg_sock, 40);
VG_ASSERT_OFF(vg_sock, family, 0);
VG_ASSERT_OFF(vg_sock, sport, 2);
VG_ASSERT_OFF(vg_sock, dport, 4);
VG_ASSERT_OFF(vg_sock, l4proto, 6);
VG_ASSERT_OFF(vg_sock, saddr, 8);
VG_ASSERT_OFF(vg_sock, daddr, 24);

VG_ASSERT_SIZE(vg_syscall, 784);
VG_ASSERT_OFF(vg_syscall, ret, 32);
VG_ASSERT_OFF(vg_syscall, args, 40);
VG_ASSERT_OFF(vg_syscall, nr, 88);
VG_ASSERT_OFF(vg_syscall, str_len, 92);
VG_ASSERT_OFF(vg_syscall, sock, 96);
VG_ASSERT_OFF(vg_syscall, addr_len, 136);
VG_ASSERT_OFF(vg_syscall, str, 144);
VG_ASSERT_OFF(vg_syscall, addr, 656);

VG_ASSERT_SIZE(vg_exec, 2968);
VG_ASSERT_OFF(vg_exec, ppid, 32);
VG_ASSERT_OFF(vg_exec, uid, 36);
VG_ASSERT_OFF(vg_exec, gid, 40);
VG_ASSERT_OFF(vg_exec, loginuid, 44);
VG_ASSERT_OFF(vg_exec, cap_inheritable, 48);
VG_ASSERT_OFF(vg_exec, cap_permitted, 56);
VG_ASSERT_OFF(vg_exec, cap_effective, 64);
VG_ASSERT_OFF(vg_exec, exe_ino, 72);
VG_ASSERT_OFF(vg_exec, nr, 80);
VG_ASSERT_OFF(vg_exec, flags, 84);
VG_ASSERT_OFF(vg_exec, filename_len, 88);
VG_ASSERT_OFF(vg_exec, args_len, 90);
VG_ASSERT_OFF(vg_exec, comm, 96);
VG_ASSERT_OFF(vg_exec, filename, 112);
VG_ASSERT_OFF(vg_exec, args, 368);
VG_ASSERT_OFF(vg_exec, exe_ctime_ns, 1392);
VG_ASSERT_OFF(vg_exec, exe_mtime_ns, 1400);
VG_ASSERT_OFF(vg_exec, cwd_len, 1408);
VG_ASSERT_OFF(vg_exec, pgid, 1412);
VG_ASSERT_OFF(vg_exec, cwd, 1416);
VG_ASSERT_OFF(vg_exec, env_len, 1928);
VG_ASSERT_OFF(vg_exec, env, 1936);
VG_ASSERT_OFF(vg_exec, fdlimit, 2960);

VG_ASSERT_SIZE(vg_fork, 96);
VG_ASSERT_OFF(vg_fork, child_tgid, 32);
VG_ASSERT_OFF(vg_fork, child_tid, 36);
VG_ASSERT_OFF(vg_fork, ppid, 40);
VG_ASSERT_OFF(vg_fork, uid, 44);
VG_ASSERT_OFF(vg_fork, gid, 48);
VG_ASSERT_OFF(vg_fork, comm, 56);
VG_ASSERT_OFF(vg_fork, child_vtid, 72);
VG_ASSERT_OFF(vg_fork, child_vpid, 76);
VG_ASSERT_OFF(vg_fork, pidns_init_start_ns, 80);
VG_ASSERT_OFF(vg_fork, flags, 88);

VG_ASSERT_SIZE(vg_exit, 40);
VG_ASSERT_OFF(vg_exit, exit_code, 32);

#endif /* VIGIL_EVENTS_H */
