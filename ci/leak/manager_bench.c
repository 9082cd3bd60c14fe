/*
 * manager_bench: what a manager costs and how it holds up, in numbers.
 *
 *   manager_bench [-n HONEST] [-c HOSTILE]
 *
 * 1. Memory: an owner with a 512 MiB heap starts a manager; how long that
 *    takes, and the watchdog's resident size (all of it, and its own
 *    anonymous pages) before and after the owner rewrites and frees that
 *    heap.
 * 2. Crowding: another process of the same user holds HOSTILE (500)
 *    connections to the manager, held (opened once) or reopened as soon as
 *    the watchdog closes them: connections that never authenticate, then
 *    connections that authenticate (it has the address) and stay idle. Meanwhile
 *    HONEST (5) clients in turn connect with pyshm_manager_connect() and
 *    make one request, as an application would: on a failure it waits
 *    10 ms and tries again, for up to 12 s. Reported: how each first try
 *    ended, and how long each client waited until it was served.
 * 3. A trickle: an authenticated connection that sends a request one byte
 *    every 0.5 s, without its newline: how long the watchdog keeps it
 *    (up to 65 s).
 *
 * Figures only: the exit status is 1 only when a measurement could not be
 * made. Linux (/proc, a child subreaper).
 */
#define _GNU_SOURCE
#include "mgr_raw.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_HOSTILE 4000

static int broken;
static char honest_name[64]; /* tracked by the honest clients */

/* ---- 1. memory ---------------------------------------------------------- */

static void bench_memory(void) {
    int report[2];
    if (pipe(report) != 0)
        return;
    leak_big_owner o;
    pid_t pid = leak_fork_big_owner(512, &o);
    if (pid == 0) {
        close(report[0]);
        if (o.rc != 0) {
            dprintf(report[1], "start failed: %s (%s)\n", pyshm_err_name(o.rc),
                    strerror(pyshm_last_os_error()));
            _exit(11);
        }
        long wd = o.watchdog, rss = leak_rss_kb(wd), anon = leak_status_kb(wd, "RssAnon");
        leak_touch(o.heap, o.size, 2);
        free(o.heap);
        leak_sleep(0.1);
        dprintf(report[1],
                "owner %ld kB; start %.1f ms; watchdog VmRSS %ld kB (RssAnon %ld kB), after the "
                "owner rewrote and freed its heap %ld kB (RssAnon %ld kB)\n",
                o.owner_kb, o.start_ms, rss, anon, leak_rss_kb(wd), leak_status_kb(wd, "RssAnon"));
        pyshm_manager_free(o.m);
        leak_wait((pid_t)wd);
        _exit(0);
    }
    close(report[1]);
    char line[512] = "";
    raw_read_within(report[0], 30000, line, sizeof line);
    close(report[0]);
    int st = leak_wait(pid);
    printf("memory: %s", line[0] ? line : "no report\n");
    broken |= !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* ---- 2. crowding -------------------------------------------------------- */

/* Opens one hostile connection (authenticated if asked): its fd or -1. */
static int hostile_open(const char *address, bool authenticate) {
    int fd = raw_connect(address, !authenticate);
    if (fd >= 0 && authenticate && !raw_authenticate(fd, address, 2000)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* The hostile process: opens n connections, trying again for each one that
 * could not be opened; with reopen, also for each one the watchdog closes,
 * as fast as it can. Writes one byte to ready once it has tried each; runs
 * until killed. */
static void hostile(const char *address, int n, bool authenticate, bool reopen, int ready) {
    static int fds[MAX_HOSTILE]; /* -1: to open, -2: closed by the watchdog */
    static struct pollfd p[MAX_HOSTILE];
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < n; i++)
        fds[i] = hostile_open(address, authenticate);
    if (write(ready, "r", 1) != 1)
        _exit(1);
    for (;;) {
        for (int i = 0; i < n; i++) {
            if (fds[i] == -1 || (fds[i] == -2 && reopen))
                fds[i] = hostile_open(address, authenticate);
            p[i].fd = fds[i];
            p[i].events = POLLIN;
        }
        if (poll(p, (nfds_t)n, 10) < 0 && errno != EINTR)
            _exit(1);
        for (int i = 0; i < n; i++) {
            if (p[i].revents == 0 || fds[i] < 0)
                continue;
            char buf[256];
            ssize_t r = read(fds[i], buf, sizeof buf);
            if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                close(fds[i]);
                fds[i] = -2;
            }
        }
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One honest client: connect and track a name, retrying every 10 ms for up
 * to 12 s; its wait in seconds (-1: never served), first result in *first. */
static double honest(const char *address, int *first, int *first_errno, int *tries) {
    double t0 = leak_now();
    *tries = 0;
    for (;;) {
        pyshm_manager *c = NULL;
        int rc = pyshm_manager_connect(address, &c);
        if (rc == 0)
            rc = pyshm_manager_track(c, honest_name);
        if (*tries == 0) {
            *first = rc;
            *first_errno = rc == PYSHM_EOS ? pyshm_last_os_error() : 0;
        }
        (*tries)++;
        pyshm_manager_free(c);
        if (rc == 0)
            return leak_now() - t0;
        if (leak_now() - t0 > 12.0)
            return -1;
        leak_sleep(0.01);
    }
}

static void bench_crowd(pyshm_manager *m, int n_hostile, bool authenticate, bool reopen,
                        int n_honest) {
    const char *address = pyshm_manager_address(m);
    int ready[2];
    if (pipe(ready) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        hostile(address, n_hostile, authenticate, reopen, ready[1]);
        _exit(0);
    }
    close(ready[1]);
    char c;
    if (read(ready[0], &c, 1) != 1)
        broken = 1;
    close(ready[0]);
    leak_sleep(0.2);
    double waits[64];
    int served = 0, first_ok = 0;
    char firsts[512] = "";
    for (int i = 0; i < n_honest && i < 64; i++) {
        int first, first_errno, tries;
        double w = honest(address, &first, &first_errno, &tries);
        first_ok += first == 0;
        if (first != 0 && strlen(firsts) < sizeof firsts - 64)
            snprintf(firsts + strlen(firsts), sizeof firsts - strlen(firsts), " %s%s%s",
                     pyshm_err_name(first), first_errno ? "/" : "",
                     first_errno ? strerror(first_errno) : "");
        if (w >= 0)
            waits[served++] = w;
    }
    kill(pid, SIGKILL);
    leak_wait(pid);
    qsort(waits, (size_t)served, sizeof waits[0], cmp_double);
    printf("crowd: %d hostile %s connections%s: %d/%d honest clients served at the first "
           "try%s%s; %d/%d served within 12 s",
           n_hostile, authenticate ? "authenticated idle" : "never authenticating",
           reopen ? ", each reopened once closed" : "", first_ok,
           n_honest, firsts[0] ? ", the others:" : "", firsts, served, n_honest);
    if (served > 0)
        printf(", waiting %.0f / %.0f / %.0f ms (min / median / max)", waits[0] * 1e3,
               waits[served / 2] * 1e3, waits[served - 1] * 1e3);
    printf("\n");
}

/* ---- 3. a trickle ------------------------------------------------------- */

static void bench_trickle(pyshm_manager *m) {
    const char *address = pyshm_manager_address(m);
    int fd = raw_connect(address, false);
    if (fd < 0 || !raw_authenticate(fd, address, 3000)) {
        printf("trickle: could not authenticate\n");
        broken = 1;
        if (fd >= 0)
            close(fd);
        return;
    }
    double t0 = leak_now();
    bool closed = false;
    char line[128] = "";
    int sent = 0;
    while (!closed && leak_now() - t0 < 65.0) {
        const char *b = sent == 0 ? "T" : sent == 1 ? " " : "7";
        if (send(fd, b, 1, MSG_NOSIGNAL) != 1)
            closed = true;
        else
            sent++;
        closed = closed || raw_closed_within(fd, 500, line, sizeof line);
    }
    char *nl = strchr(line, '\n');
    if (nl != NULL)
        *nl = '\0';
    printf("trickle: a request sent a byte every 0.5 s was %s after %.1f s (%d bytes sent%s%s%s)\n",
           closed ? "cut off" : "STILL OPEN", leak_now() - t0, sent, line[0] ? ", told \"" : "",
           line, line[0] ? "\"" : "");
    close(fd);
}

int main(int argc, char **argv) {
    int n_honest = 5, n_hostile = 500;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-n") == 0)
            n_honest = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-c") == 0)
            n_hostile = atoi(argv[i + 1]);
    }
    if (n_honest < 1 || n_honest > 64 || n_hostile < 1 || n_hostile > MAX_HOSTILE) {
        fprintf(stderr, "usage: manager_bench [-n HONEST (1-64)] [-c HOSTILE (1-%d)]\n",
                MAX_HOSTILE);
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    snprintf(honest_name, sizeof honest_name, "pyshm_mb_%ld", (long)getpid());
    bench_memory();
    pyshm_manager *m = NULL;
    int rc = pyshm_manager_start(&m);
    if (rc != 0) {
        printf("manager_bench: start: %s\n", pyshm_err_name(rc));
        return 1;
    }
    int first, first_errno, tries;
    double w = honest(pyshm_manager_address(m), &first, &first_errno, &tries);
    printf("crowd: no other connection: an honest client served in %.1f ms\n", w * 1e3);
    for (int authenticate = 0; authenticate < 2; authenticate++)
        for (int reopen = 0; reopen < 2; reopen++)
            bench_crowd(m, n_hostile, authenticate, reopen, n_honest);
    bench_trickle(m);
    pyshm_manager_free(m);
    return broken;
}
