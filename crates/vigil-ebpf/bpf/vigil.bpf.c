// SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
/*
 * vigil's kernel side: process lifecycle (tp_btf sched_process_exec/fork/exit) and the system
 * calls the loaded rules need (tp_btf sys_exit filtered by the `interest` map), sent to user
 * space through one ring buffer without per-event wakeups (the consumer polls on a timer).
 * Layouts: events.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define VG_RLIMIT_NOFILE 7
#define VG_CWD_DEPTH 40 /* components plus mount crossings walked */
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10

/* x86_64 syscall numbers the programs read extra data for. */
#define NR_open 2
#define NR_connect 42
#define NR_accept 43
#define NR_rename 82
#define NR_creat 85
#define NR_link 86
#define NR_unlink 87
#define NR_symlink 88
#define NR_chdir 80
#define NR_init_module 175
#define NR_openat 257
#define NR_unlinkat 263
#define NR_renameat 264
#define NR_linkat 265
#define NR_symlinkat 266
#define NR_accept4 288
#define NR_finit_module 313
#define NR_renameat2 316
#define NR_memfd_create 319
#define NR_openat2 437
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_listen 50
#define NR_mkdir 83
#define NR_rmdir 84
#define NR_chmod 90
#define NR_mkdirat 258
#define NR_fchmodat 268
#define NR_fchmodat2 452

/* Set by the loader before load: the sensor's own tgid, whose syscalls are not reported. */
volatile const __u32 vg_self_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VG_NR_MAX);
	__type(key, __u32);
	__type(value, __u8);
} interest SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VG_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		*v += 1;
}

/* The ring buffer was full: count it in total and for the record's kind. */
static __always_inline void dropped(__u32 kind_stat)
{
	stat_inc(VG_STAT_DROPPED);
	stat_inc(kind_stat);
}

static __always_inline void fill_header(struct vg_header *h, __u16 kind, __u32 size, __u32 tgid,
					__u32 tid)
{
	h->ts_boot_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->tgid = tgid;
	h->tid = tid;
	h->kind = kind;
	h->version = VG_ABI_VERSION;
	h->size = size;
}

static __always_inline void submit(void *e)
{
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
	stat_inc(VG_STAT_SUBMITTED);
}

static __always_inline void read_ustr(struct vg_syscall *e, int i, __u64 ptr)
{
	if (i < 0 || i > 1)
		return;
	if (!ptr)
		return;
	long n = bpf_probe_read_user_str(e->str[i], VG_PATH_MAX, (const void *)ptr);
	if (n > 0) {
		e->str_len[i] = (__u16)n;
	} else {
		e->str_len[i] = 0;
		stat_inc(VG_STAT_STR_ERR);
	}
}

/* The socket behind fd `fd` of the current task, into e->sock. */
static __always_inline void read_sock(struct vg_syscall *e, long fd)
{
	if (fd < 0)
		return;
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	if (!fdt)
		goto err;
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned long)fd >= max)
		goto err;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		goto err;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		goto err;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->sock.family = family;
	e->sock.l4proto = BPF_CORE_READ(sk, sk_protocol);
	e->sock.sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->sock.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		__u32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(e->sock.saddr, &s, 4);
		__builtin_memcpy(e->sock.daddr, &d, 4);
	} else if (family == AF_INET6) {
		BPF_CORE_READ_INTO(&e->sock.saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&e->sock.daddr, sk, __sk_common.skc_v6_daddr);
	}
	return;
err:
	stat_inc(VG_STAT_SOCK_ERR);
}

/*
 * The common exit path: `nr` and `ret` from the tracepoint, the arguments from the saved user
 * registers. The caller has already decided the syscall is wanted.
 */
/*
 * Syscall records come in three sizes (ring-buffer reservations are constant per call
 * site): the fixed part only (no user memory), up to the first string, or whole (two strings
 * or a sockaddr / open_how). The header's size says which; user space reads what is there.
 */
#define VG_SC_FIXED __builtin_offsetof(struct vg_syscall, str)
#define VG_SC_ONE (__builtin_offsetof(struct vg_syscall, str) + VG_PATH_MAX)

static __always_inline struct vg_syscall *sc_begin(__u32 size, __u64 id, __u32 key, long ret,
						   struct pt_regs *regs)
{
	struct vg_syscall *e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e) {
		dropped(VG_STAT_DROPPED_SYSCALL);
		return NULL;
	}
	fill_header(&e->h, VG_KIND_SYSCALL, size, id >> 32, (__u32)id);
	e->ret = ret;
	e->nr = key;
	e->args[0] = regs->di;
	e->args[1] = regs->si;
	e->args[2] = regs->dx;
	e->args[3] = regs->r10;
	e->args[4] = regs->r8;
	e->args[5] = regs->r9;
	e->str_len[0] = 0;
	e->str_len[1] = 0;
	e->addr_len = 0;
	e->pad = 0;
	__builtin_memset(&e->sock, 0, sizeof(e->sock));
	return e;
}

/* A syscall whose record is the fixed part, plus the socket behind an fd when `sock_fd`. */
static __always_inline int sc_fixed(__u64 id, __u32 key, long ret, struct pt_regs *regs,
				    bool sock, long sock_fd)
{
	struct vg_syscall *e = sc_begin(VG_SC_FIXED, id, key, ret, regs);
	if (!e)
		return 0;
	if (sock)
		read_sock(e, sock_fd);
	submit(e);
	return 0;
}

/* A syscall with one path, argument `argi`. */
static __always_inline int sc_one(__u64 id, __u32 key, long ret, struct pt_regs *regs, int argi)
{
	struct vg_syscall *e = sc_begin(VG_SC_ONE, id, key, ret, regs);
	if (!e)
		return 0;
	read_ustr(e, 0, argi == 0 ? e->args[0] : argi == 1 ? e->args[1] : e->args[2]);
	submit(e);
	return 0;
}

/*
 * The common exit path: `nr` and `ret` from the tracepoint, the arguments from the saved user
 * registers. The caller has already decided the syscall is wanted.
 */
static __always_inline int on_sys_exit(__u64 id, long nr, long ret, struct pt_regs *regs)
{
	if (nr < 0 || nr >= VG_NR_MAX)
		return 0;
	__u32 key = (__u32)nr;

	switch (key) {
	case NR_open:
	case NR_creat:
	case NR_unlink:
	case NR_chdir:
	case NR_memfd_create:
	case NR_chmod:
	case NR_mkdir:
	case NR_rmdir:
		return sc_one(id, key, ret, regs, 0);
	case NR_openat:
	case NR_unlinkat:
	case NR_mkdirat:
	case NR_fchmodat:
	case NR_fchmodat2:
	case NR_finit_module:
		return sc_one(id, key, ret, regs, 1);
	case NR_init_module:
		return sc_one(id, key, ret, regs, 2);
	case NR_recvfrom:
	case NR_sendmsg:
	case NR_recvmsg:
	case NR_listen:
		return sc_fixed(id, key, ret, regs, true, (long)regs->di);
	case NR_accept:
	case NR_accept4:
		return sc_fixed(id, key, ret, regs, true, ret);
	case NR_openat2:
	case NR_symlink:
	case NR_link:
	case NR_rename:
	case NR_symlinkat:
	case NR_linkat:
	case NR_renameat:
	case NR_renameat2:
	case NR_connect:
	case NR_sendto:
		break;
	default:
		return sc_fixed(id, key, ret, regs, false, 0);
	}

	struct vg_syscall *e = sc_begin(sizeof(*e), id, key, ret, regs);
	if (!e)
		return 0;
	switch (key) {
	case NR_sendto: {
		/* An unconnected socket's destination is the sockaddr argument. */
		__u64 len = e->args[5];
		if (len > VG_ADDR_MAX - 1)
			len = VG_ADDR_MAX - 1;
		len &= VG_ADDR_MAX - 1;
		if (e->args[4] && len > 0 &&
		    !bpf_probe_read_user(e->addr, len, (const void *)e->args[4]))
			e->addr_len = (__u32)len;
		read_sock(e, (long)e->args[0]);
		break;
	}
	case NR_openat2:
		read_ustr(e, 0, e->args[1]);
		if (e->args[2] && !bpf_probe_read_user(e->addr, 24, (const void *)e->args[2]))
			e->addr_len = 24;
		break;
	case NR_symlink:
	case NR_link:
	case NR_rename:
		read_ustr(e, 0, e->args[0]);
		read_ustr(e, 1, e->args[1]);
		break;
	case NR_symlinkat:
		read_ustr(e, 0, e->args[0]);
		read_ustr(e, 1, e->args[2]);
		break;
	case NR_linkat:
	case NR_renameat:
	case NR_renameat2:
		read_ustr(e, 0, e->args[1]);
		read_ustr(e, 1, e->args[3]);
		break;
	case NR_connect: {
		__u64 len = e->args[2];
		if (len > VG_ADDR_MAX - 1)
			len = VG_ADDR_MAX - 1;
		len &= VG_ADDR_MAX - 1;
		if (e->args[1] && len > 0 &&
		    !bpf_probe_read_user(e->addr, len,
					 (const void *)e->args[1]))
			e->addr_len = (__u32)len;
		read_sock(e, (long)e->args[0]);
		break;
	}
	default:
		break;
	}
	submit(e);
	return 0;
}

/*
 * "All syscalls" mode: one program on the raw sys_exit tracepoint, for every syscall of every
 * task, filtered by the interest map. Used when the interest set is every supported syscall
 * or when tracefs (needed by the per-syscall tracepoints) is unavailable.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(vg_sys_exit, struct pt_regs *regs, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	if ((__u32)(id >> 32) == vg_self_tgid)
		return 0;
	long nr = regs->orig_ax;
	if (nr < 0 || nr >= VG_NR_MAX)
		return 0;
	__u32 key = (__u32)nr;
	__u8 *want = bpf_map_lookup_elem(&interest, &key);
	if (!want || !*want)
		return 0;
	return on_sys_exit(id, nr, ret, regs);
}

/* The record of a syscalls/sys_exit_<name> tracepoint (tracefs `format`). */
struct vg_tp_sys_exit {
	__u64 common;
	int nr;
	int pad;
	long ret;
};

/*
 * Per-syscall mode: this one program is attached to syscalls/sys_exit_<name> for each
 * syscall of the interest set only, so the other syscalls run no BPF at all.
 */
SEC("tracepoint/syscalls/sys_exit")
int vg_sc_exit(struct vg_tp_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	if ((__u32)(id >> 32) == vg_self_tgid)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs)
		return 0;
	return on_sys_exit(id, ctx->nr, ctx->ret, regs);
}

/*
 * The task's working directory from the kernel (fs->pwd), walked from the leaf up to the
 * task's root (or its mount namespace's root), crossing mounts; components go into e->cwd
 * leaf first. True when the walk got to the root within VG_CWD_DEPTH steps and the buffer.
 */
static __always_inline bool read_cwd(struct task_struct *p, struct vg_exec *e)
{
	struct fs_struct *fs = BPF_CORE_READ(p, fs);
	e->cwd_len = 0;
	if (!fs)
		return false;
	struct dentry *d = BPF_CORE_READ(fs, pwd.dentry);
	struct vfsmount *vm = BPF_CORE_READ(fs, pwd.mnt);
	struct dentry *root_d = BPF_CORE_READ(fs, root.dentry);
	struct vfsmount *root_m = BPF_CORE_READ(fs, root.mnt);
	__u64 mnt_off = bpf_core_field_offset(struct mount, mnt);
	struct mount *mnt = (struct mount *)((char *)vm - mnt_off);
	/*
	 * The offset lives in the record (e->cwd_len), not in a register: reloaded from memory it
	 * is an unknown value bounded by the check, the same at every iteration, so the verifier
	 * prunes instead of following every offset of every path.
	 */
	for (int i = 0; i < VG_CWD_DEPTH; i++) {
		if (d == root_d && vm == root_m)
			return true;
		struct dentry *mnt_root = BPF_CORE_READ(vm, mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (d == mnt_root || d == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
			if (!up || up == mnt)
				return true; /* the root of the mount namespace */
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vm = (struct vfsmount *)((char *)up + mnt_off);
			continue;
		}
		__u32 off = e->cwd_len;
		if (off >= VG_CWD_MAX / 2)
			return false;
		const unsigned char *name = BPF_CORE_READ(d, d_name.name);
		long n = bpf_probe_read_kernel_str(&e->cwd[off & (VG_CWD_MAX / 2 - 1)],
						   VG_CWD_MAX / 2, name);
		if (n <= 0)
			return false;
		e->cwd_len = (__u16)(off + n);
		d = parent;
	}
	return false;
}

/* The controlling terminal as /proc/PID/stat's tty_nr: new_encode_dev() of the device number
 * MKDEV(driver->major, driver->minor_start) + tty->index; 0 without a terminal. Read here, at
 * exec, because /proc is gone once a short-lived process has exited. */
static __always_inline __u32 tty_nr(struct task_struct *p)
{
	struct tty_struct *tty = BPF_CORE_READ(p, signal, tty);
	if (!tty)
		return 0;
	struct tty_driver *drv = BPF_CORE_READ(tty, driver);
	__u32 dev = (BPF_CORE_READ(drv, major) << 20) + BPF_CORE_READ(drv, minor_start) +
		    (__u32)BPF_CORE_READ(tty, index);
	__u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* The process group (its pid in the initial namespace, as /proc/PID/stat's pgrp there) and
 * the soft open-file limit, read here for the same reason as the tty. The array elements are
 * addressed from relocated field offsets: aya cannot relocate array accessors. */
static __always_inline void read_pgid_fdlimit(struct task_struct *p, struct vg_exec *e)
{
	const char *sig = (const char *)BPF_CORE_READ(p, signal);
	const char *pgrp = NULL;
	__s32 nr = -1;
	if (!bpf_probe_read_kernel(&pgrp, sizeof(pgrp),
				   sig + bpf_core_field_offset(struct signal_struct, pids) +
					   PIDTYPE_PGID * sizeof(struct pid *)) &&
	    pgrp &&
	    bpf_probe_read_kernel(&nr, sizeof(nr),
				  pgrp + bpf_core_field_offset(struct pid, numbers) +
					  bpf_core_field_offset(struct upid, nr)))
		nr = -1;
	e->pgid = nr;
	__u64 lim = 0;
	bpf_probe_read_kernel(&lim, sizeof(lim),
			      sig + bpf_core_field_offset(struct signal_struct, rlim) +
				      VG_RLIMIT_NOFILE * sizeof(struct rlimit) +
				      bpf_core_field_offset(struct rlimit, rlim_cur));
	e->fdlimit = lim;
}

/* The user memory [start, end) of the exec'ing task (its argv or environment), at most
 * VG_ARGS_MAX - 1 bytes, into dst (VG_ARGS_MAX bytes): the length read, 0 when empty or
 * unreadable (counted in VG_STAT_ARGS_ERR). */
static __always_inline __u16 read_user_span(char *dst, unsigned long start, unsigned long end)
{
	unsigned long n = end > start ? end - start : 0;
	if (n > VG_ARGS_MAX - 1)
		n = VG_ARGS_MAX - 1;
	n &= VG_ARGS_MAX - 1;
	if (n == 0)
		return 0;
	if (bpf_probe_read_user(dst, n, (const void *)start)) {
		stat_inc(VG_STAT_ARGS_ERR);
		return 0;
	}
	return (__u16)n;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vg_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;
	if (tgid == vg_self_tgid)
		return 0;
	struct vg_exec *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		dropped(VG_STAT_DROPPED_EXEC);
		return 0;
	}
	fill_header(&e->h, VG_KIND_EXEC, sizeof(*e), tgid, (__u32)p->pid);
	e->ppid = BPF_CORE_READ(p, real_parent, tgid);
	const struct cred *cred = BPF_CORE_READ(p, cred);
	e->uid = BPF_CORE_READ(cred, uid.val);
	e->gid = BPF_CORE_READ(cred, gid.val);
	e->loginuid = BPF_CORE_READ(p, loginuid.val);
	/* kernel_cap_t is a u64 since 6.3 and two u32s before: 8 bytes either way. */
	bpf_probe_read_kernel(&e->cap_inheritable, 8, &cred->cap_inheritable);
	bpf_probe_read_kernel(&e->cap_permitted, 8, &cred->cap_permitted);
	bpf_probe_read_kernel(&e->cap_effective, 8, &cred->cap_effective);
	e->exe_ino = BPF_CORE_READ(bprm, file, f_inode, i_ino);
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(p);
	e->nr = regs ? (__u32)BPF_CORE_READ(regs, orig_ax) : 0;
	e->flags = 0;
	e->tty = tty_nr(p);
	char name[8] = {};
	const unsigned char *dname = BPF_CORE_READ(bprm, file, f_path.dentry, d_name.name);
	if (dname && bpf_probe_read_kernel_str(name, sizeof(name), dname) > 0 && name[0] == 'm' &&
	    name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' && name[5] == ':')
		e->flags |= VG_EXEC_FROM_MEMFD;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	long n = bpf_probe_read_kernel_str(e->filename, VG_PATH_MAX, BPF_CORE_READ(bprm, filename));
	if (n > 0) {
		e->filename_len = (__u16)n;
	} else {
		e->filename_len = 0;
		stat_inc(VG_STAT_STR_ERR);
	}
	e->args_len = read_user_span(e->args, BPF_CORE_READ(p, mm, arg_start),
				     BPF_CORE_READ(p, mm, arg_end));
	/* The environment, read now: /proc/PID/environ is gone once a short process exits. */
	e->env_len = read_user_span(e->env, BPF_CORE_READ(p, mm, env_start),
				    BPF_CORE_READ(p, mm, env_end));
	e->pad3[0] = e->pad3[1] = e->pad3[2] = 0;
	struct inode *ino = BPF_CORE_READ(bprm, file, f_inode);
	e->exe_ctime_ns = 0;
	e->exe_mtime_ns = 0;
	if (bpf_core_field_exists(ino->i_ctime_sec)) {
		e->exe_ctime_ns = (__u64)BPF_CORE_READ(ino, i_ctime_sec) * 1000000000ULL +
				  BPF_CORE_READ(ino, i_ctime_nsec);
		e->exe_mtime_ns = (__u64)BPF_CORE_READ(ino, i_mtime_sec) * 1000000000ULL +
				  BPF_CORE_READ(ino, i_mtime_nsec);
	}
	if (BPF_CORE_READ(ino, i_sb, s_magic) == OVERLAYFS_SUPER_MAGIC) {
		struct ovl_inode *oi =
			(struct ovl_inode *)((char *)ino - bpf_core_field_offset(struct ovl_inode, vfs_inode));
		if (BPF_CORE_READ(oi, __upperdentry))
			e->flags |= VG_EXEC_UPPER_LAYER;
	}
	e->pad2 = 0;
	read_pgid_fdlimit(p, e);
	if (read_cwd(p, e))
		e->flags |= VG_EXEC_CWD_COMPLETE;
	else
		stat_inc(VG_STAT_CWD_ERR);
	submit(e);
	return 0;
}

/* The child's ids in its active pid namespace, and when that namespace's init started. */
static __always_inline void child_ns(struct task_struct *child, struct vg_fork *e)
{
	struct pid *pid = BPF_CORE_READ(child, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level & 31]);
	e->child_vtid = up.nr;
	struct pid *tgp = BPF_CORE_READ(child, signal, pids[PIDTYPE_TGID]);
	struct upid tup = {};
	if (tgp)
		bpf_probe_read_kernel(&tup, sizeof(tup), &tgp->numbers[level & 31]);
	e->child_vpid = tgp ? tup.nr : up.nr;
	struct task_struct *reaper = BPF_CORE_READ(up.ns, child_reaper);
	e->pidns_init_start_ns = reaper ? BPF_CORE_READ(reaper, start_boottime) : 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vg_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 tgid = parent->tgid;
	if (tgid == vg_self_tgid)
		return 0;
	const struct cred *cred = BPF_CORE_READ(parent, cred);
	__u32 uid = BPF_CORE_READ(cred, uid.val);
	__u32 gid = BPF_CORE_READ(cred, gid.val);
	__u32 ppid = BPF_CORE_READ(parent, real_parent, tgid);
	for (int side = 0; side < 2; side++) {
		struct vg_fork *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			dropped(VG_STAT_DROPPED_FORK);
			return 0;
		}
		if (side == 0)
			fill_header(&e->h, VG_KIND_FORK, sizeof(*e), tgid, (__u32)parent->pid);
		else
			fill_header(&e->h, VG_KIND_FORK, sizeof(*e), child->tgid, (__u32)child->pid);
		e->child_tgid = child->tgid;
		e->child_tid = child->pid;
		e->ppid = side == 0 ? ppid : BPF_CORE_READ(child, real_parent, tgid);
		e->uid = uid;
		e->gid = gid;
		e->pad = 0;
		e->flags = side == 0 ? 0 : VG_FORK_CHILD;
		e->pad2 = 0;
		BPF_CORE_READ_STR_INTO(&e->comm, parent, comm);
		child_ns(child, e);
		submit(e);
	}
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vg_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	if (tgid == vg_self_tgid)
		return 0;
	struct vg_exit *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		dropped(VG_STAT_DROPPED_EXIT);
		return 0;
	}
	fill_header(&e->h, VG_KIND_EXIT, sizeof(*e), tgid, (__u32)p->pid);
	e->exit_code = p->exit_code;
	e->pad = 0;
	submit(e);
	return 0;
}
