/* The actions of vigil's container tests that busybox has no applet for, built static at
 * test time (`cc -static`) and copied into the test image:
 *   helper ptrace   fork a child, PTRACE_ATTACH to it, detach, kill it
 *   helper memfd    copy this program into a memfd and exec it from there (as "noop")
 *   helper unshare  unshare(CLONE_NEWUSER)
 *   helper noop     do nothing
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int do_ptrace(void)
{
	pid_t p = fork();
	if (p == 0) {
		sleep(30);
		_exit(0);
	}
	if (ptrace(PTRACE_ATTACH, p, 0, 0) != 0) {
		perror("ptrace(PTRACE_ATTACH)");
		kill(p, SIGKILL);
		return 1;
	}
	waitpid(p, NULL, 0);
	ptrace(PTRACE_DETACH, p, 0, 0);
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	return 0;
}

static int do_memfd(void)
{
	int fd = memfd_create("vigil-memfd", 0);
	int self = open("/proc/self/exe", O_RDONLY);
	char buf[65536], path[64];
	ssize_t n;
	if (fd < 0 || self < 0) {
		perror("memfd_create/open");
		return 1;
	}
	while ((n = read(self, buf, sizeof buf)) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			perror("write");
			return 1;
		}
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	char *args[] = { "vigil-memfd-noop", "noop", NULL };
	execve(path, args, environ);
	perror("execve");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "ptrace"))
		return do_ptrace();
	if (!strcmp(argv[1], "memfd"))
		return do_memfd();
	if (!strcmp(argv[1], "unshare")) {
		if (unshare(CLONE_NEWUSER) != 0) {
			perror("unshare(CLONE_NEWUSER)");
			return 1;
		}
		return 0;
	}
	if (!strcmp(argv[1], "noop"))
		return 0;
	return 2;
}
