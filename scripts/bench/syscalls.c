/* Syscall load for scripts/bench-live (vigil's own code, compiled by the script with gcc).
 *
 *   syscalls micro getpid|openclose|read ITERATIONS
 *       run the loop flat out; print "<name> <ns per iteration> <iterations/s>".
 *   syscalls rate openclose|dupclose EVENTS_PER_SEC SECONDS
 *       pairs of watched system calls (2 events each) paced in 1 ms slices to the given event
 *       rate; print "rate <target> <achieved events/s>". openclose: openat(/dev/null) + close,
 *       records with a path that the open rules evaluate; dupclose: dup3 of /dev/null's fd to
 *       fd 100 + close(100), records without user memory (fd-table updates, the dup rules).
 *
 * getpid goes through syscall(2) so libc cannot answer it from a cache.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int open_close(void) {
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

static int dup_close(int fd) {
    if (dup3(fd, 100, O_CLOEXEC) != 100) return -1;
    close(100);
    return 0;
}

static int micro(const char *name, long n) {
    char buf[1];
    int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror("/dev/zero"); return 1; }
    uint64_t t0 = now_ns();
    if (strcmp(name, "getpid") == 0) {
        for (long i = 0; i < n; i++) syscall(SYS_getpid);
    } else if (strcmp(name, "openclose") == 0) {
        for (long i = 0; i < n; i++)
            if (open_close() < 0) { perror("open"); return 1; }
    } else if (strcmp(name, "read") == 0) {
        for (long i = 0; i < n; i++)
            if (read(fd, buf, 1) != 1) { perror("read"); return 1; }
    } else {
        fprintf(stderr, "unknown loop %s\n", name);
        return 2;
    }
    uint64_t dt = now_ns() - t0;
    printf("%s %.1f %.0f\n", name, (double)dt / (double)n, (double)n * 1e9 / (double)dt);
    close(fd);
    return 0;
}

static int rate(const char *kind, double events_per_sec, double seconds) {
    int dup = strcmp(kind, "dupclose") == 0;
    if (!dup && strcmp(kind, "openclose") != 0) {
        fprintf(stderr, "unknown rate workload %s\n", kind);
        return 2;
    }
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) { perror("/dev/null"); return 1; }
    const double per_ms = events_per_sec / 2.0 / 1000.0; /* open+close pairs per millisecond */
    uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9);
    double owed = 0;
    uint64_t pairs = 0;
    for (uint64_t slice = start; slice < end; slice += 1000000ull) {
        owed += per_ms;
        while (owed >= 1.0) {
            if ((dup ? dup_close(fd) : open_close()) < 0) { perror(kind); return 1; }
            owed -= 1.0;
            pairs++;
        }
        uint64_t t = now_ns();
        if (t < slice + 1000000ull) {
            struct timespec ts = {0, (long)(slice + 1000000ull - t)};
            nanosleep(&ts, NULL);
        }
    }
    double dt = (double)(now_ns() - start) / 1e9;
    printf("rate %.0f %.0f\n", events_per_sec, (double)pairs * 2.0 / dt);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "micro") == 0) return micro(argv[2], atol(argv[3]));
    if (argc == 5 && strcmp(argv[1], "rate") == 0)
        return rate(argv[2], atof(argv[3]), atof(argv[4]));
    fprintf(stderr, "usage: %s micro getpid|openclose|read N | rate openclose|dupclose EVENTS_PER_SEC SECONDS\n", argv[0]);
    return 2;
}
