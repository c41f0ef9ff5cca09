/*
 * wakefloor: what one wake and one send per event cost a reader on this machine, in C.
 *
 * The agent's default is latency-first: it sleeps in epoll_wait until the kernel signals a record,
 * reads what came, and sends it to the host at once. Its CPU per event therefore has a floor that
 * no language or code can go under: a blocking wait woken from another CPU, plus a send that wakes
 * the host's reader. This program measures that floor with nothing else in the loop.
 *
 *   wakefloor RATE EVENTS MODE [PAGES]
 *     RATE    events per second the "workload" makes, paced (absolute clock, one event per tick)
 *     EVENTS  how many events in all
 *     MODE    wake  - the reader blocks in epoll_wait on an eventfd the workload writes, reads it;
 *             send  - the same, then sends 96 bytes a wake on a UNIX stream socket to a third
 *                     process blocked in read() (the agent's channel in a local cell).
 *     PAGES   optional, default 0: in each wake the reader also writes one cache line in each of
 *             PAGES distinct 4 KiB pages of a buffer of its own (a different line each wake), to
 *             see what a larger working set between two sleeps costs on this machine.
 *
 * The same loop in Java, through the agent's own system-call path, is the bench harness
 * io.cellos.telemetry.bench.WakeFloor (run.sh runs both).
 *
 * Three processes: the workload (writes the eventfd), the reader (this process: the agent's
 * part), the receiver. Prints the reader's run time over the events (getrusage: utime+stime,
 * which the kernel scales to the scheduler's exact run time), per event and per wake, and its
 * voluntary context switches. Build: gcc -O2 -o wakefloor wakefloor.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(2); }

/* This process's run time so far in µs (utime + stime), and its voluntary context switches. */
static void usage_now(double *cpu_us, long *voluntary) {
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u)) die("getrusage");
    *cpu_us = (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + u.ru_utime.tv_usec + u.ru_stime.tv_usec;
    *voluntary = u.ru_nvcsw;
}

/* The workload: one eventfd write per tick, on an absolute schedule, then exits. */
static void workload(int efd, long rate, long events) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    long step = 1000000000L / rate;
    for (long i = 0; i < events; i++) {
        t.tv_nsec += step;
        while (t.tv_nsec >= 1000000000L) { t.tv_nsec -= 1000000000L; t.tv_sec++; }
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) {}
        uint64_t one = 1;
        if (write(efd, &one, 8) != 8) die("workload write");
    }
    _exit(0);
}

/* The receiver: reads until the reader closes its end. */
static void receiver(int sock) {
    char buf[65536];
    for (;;) {
        ssize_t n = read(sock, buf, sizeof buf);
        if (n == 0) _exit(0);
        if (n < 0 && errno != EINTR) die("receiver read");
    }
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: wakefloor RATE EVENTS wake|send [PAGES]\n");
        return 2;
    }
    long rate = atol(argv[1]), events = atol(argv[2]), pages = argc == 5 ? atol(argv[4]) : 0;
    int send_too = strcmp(argv[3], "send") == 0;
    if (rate <= 0 || events <= 0 || pages < 0 || (!send_too && strcmp(argv[3], "wake") != 0)) {
        fprintf(stderr, "wakefloor: RATE and EVENTS must be positive, PAGES not negative, MODE wake or send\n");
        return 2;
    }
    volatile char *touched = NULL;
    if (pages > 0) {
        touched = malloc(pages * 4096);
        if (touched == NULL) die("malloc");
        memset((char *) touched, 1, pages * 4096);
    }
    int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) die("eventfd");
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) die("socketpair");
    pid_t rx = fork();
    if (rx < 0) die("fork");
    if (rx == 0) { close(sv[0]); receiver(sv[1]); }
    close(sv[1]);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = efd };
    if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev)) die("epoll_ctl");

    double cpu0, cpu;
    long vol0, vol;
    usage_now(&cpu0, &vol0);
    pid_t wl = fork();
    if (wl < 0) die("fork");
    if (wl == 0) workload(efd, rate, events);

    char frame[96];
    memset(frame, 0xa5, sizeof frame);
    long seen = 0, wakes = 0;
    while (seen < events) {
        struct epoll_event got;
        int n = epoll_wait(ep, &got, 1, -1);
        if (n < 0) { if (errno == EINTR) continue; die("epoll_wait"); }
        uint64_t count;
        if (read(efd, &count, 8) != 8) continue; /* woken with nothing: not an event */
        seen += (long) count;
        wakes++;
        for (long p = 0; p < pages; p++) touched[p * 4096 + (wakes % 64) * 64]++;
        if (send_too && send(sv[0], frame, sizeof frame, MSG_NOSIGNAL) != (ssize_t) sizeof frame)
            die("send");
    }
    usage_now(&cpu, &vol);
    cpu -= cpu0;
    vol -= vol0;
    close(sv[0]);
    waitpid(wl, NULL, 0);
    waitpid(rx, NULL, 0);
    printf("mode=%s pages=%ld rate=%ld/s events=%ld wakes=%ld cpu=%.1f ms per_event=%.2f us per_wake=%.2f us"
           " per_1000_events=%.1f ms voluntary_switches=%ld\n",
           argv[3], pages, rate, seen, wakes, cpu / 1000, cpu / seen, cpu / wakes, cpu / seen, vol);
    return 0;
}
