/*
 * lifecycle: every ordering of close and unlink for up to three handles on
 * one block, spread over two processes, asserting that nothing is left
 * behind: no descriptor, no mapping of shared memory, no name (unless the
 * scenario never unlinks), and (under Valgrind) no heap.
 *
 *   lifecycle [PEER...]
 *   lifecycle --serve      be a reference peer on stdin/stdout
 *
 * Process A is this one (the reference). Process B is each PEER in turn:
 * "ref" (this program, forked, so Valgrind follows it) or a command that
 * speaks the protocol below on stdin/stdout (ci/leak/peer.py under some
 * CPython). With no PEER, B is "ref".
 *
 * Scenario: handle 0 creates the block (a ShareableList [7]) in its
 * process, handles 1..k-1 attach in theirs; then the events run in one of
 * their orders: each handle's close, and optionally one handle's unlink.
 * After each event the side cases are checked: closing twice gives 0, a
 * closed handle gives ECLOSED (TypeError in Python); after the unlink,
 * attaching gives ENOENT (FileNotFoundError) in both processes, a second
 * unlink ENOENT, and every open handle still reads 7.
 *
 * Protocol (one line each way; handles are slots 0..2):
 *   create H NAME | attach H NAME | close H | unlink H | use H
 *   attachfail NAME   attach that must fail
 *   check             -> "ok FDS MAPS": open descriptors, /dev/shm mappings
 *   end               scenario over (CPython peers forget tracker entries)
 * Replies: "ok", "ok VALUE" or "err PythonExceptionName".
 */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SLOTS 3

/* ---- the operations, as the reference performs them -------------------- */

static pyshm_list *slot[SLOTS];

static int count_shm_maps(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL)
        return -1;
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, " /dev/shm/") != NULL)
            n++;
    fclose(f);
    return n;
}

static void reply_rc(int rc, char *out, size_t cap) {
    snprintf(out, cap, rc == 0 ? "ok" : "err %s", pyshm_err_pyexc(rc));
}

/* Runs one protocol line; the reply goes to out. */
static void serve_line(char *line, char *out, size_t cap) {
    char cmd[32] = "", arg2[256] = "";
    int h = -1;
    line[strcspn(line, "\n")] = '\0';
    sscanf(line, "%31s", cmd);
    const char *rest = line + strlen(cmd) + (line[strlen(cmd)] == ' ');
    if (strcmp(cmd, "check") == 0) {
        snprintf(out, cap, "ok %d %d", leak_count_fds(false), count_shm_maps());
        return;
    }
    if (strcmp(cmd, "end") == 0) {
        for (int i = 0; i < SLOTS; i++) {
            pyshm_list_free(slot[i]);
            slot[i] = NULL;
        }
        snprintf(out, cap, "ok");
        return;
    }
    if (strcmp(cmd, "attachfail") == 0) {
        pyshm_list *l = NULL;
        int rc = pyshm_list_attach(rest, PYSHM_LAYOUT_AUTO, &l, NULL, 0);
        pyshm_list_free(rc == 0 ? l : NULL);
        reply_rc(rc, out, cap);
        return;
    }
    if (sscanf(rest, "%d %255[^\n]", &h, arg2) < 1 || h < 0 || h >= SLOTS) {
        snprintf(out, cap, "err bad-request");
        return;
    }
    int rc = 0;
    if (strcmp(cmd, "create") == 0 || strcmp(cmd, "attach") == 0) {
        pyshm_value seven = pyshm_int(7);
        pyshm_list_free(slot[h]);
        slot[h] = NULL;
        rc = cmd[0] == 'c' ? pyshm_list_create(arg2, &seven, 1, PYSHM_LAYOUT_PY39, &slot[h])
                           : pyshm_list_attach(arg2, PYSHM_LAYOUT_AUTO, &slot[h], NULL, 0);
        if (rc != 0)
            slot[h] = NULL;
    } else if (slot[h] == NULL) {
        snprintf(out, cap, "err no-handle");
        return;
    } else if (strcmp(cmd, "close") == 0) {
        rc = pyshm_list_close(slot[h]);
    } else if (strcmp(cmd, "unlink") == 0) {
        rc = pyshm_shm_unlink(pyshm_list_shm(slot[h]));
    } else if (strcmp(cmd, "use") == 0) {
        pyshm_value v;
        rc = pyshm_list_get(slot[h], 0, &v);
        if (rc == 0) {
            snprintf(out, cap, "ok %lld", v.type == PYSHM_INT ? (long long)v.u.i : -1LL);
            return;
        }
    } else {
        snprintf(out, cap, "err bad-request");
        return;
    }
    reply_rc(rc, out, cap);
}

/* The reference peer: serves requests until end of input. */
static int serve(FILE *in, FILE *out) {
    char line[512], reply[512];
    while (fgets(line, sizeof line, in) != NULL) {
        serve_line(line, reply, sizeof reply);
        fprintf(out, "%s\n", reply);
        fflush(out);
    }
    serve_line((char[]){"end"}, reply, sizeof reply);
    return 0;
}

/* ---- processes ---------------------------------------------------------- */

typedef struct proc {
    const char *label;
    pid_t pid; /* 0: this process */
    FILE *to, *from;
} proc;

static unsigned failures, scenarios, requests;
static char where[256]; /* the scenario being run, for messages */

/* Sends one request to p and returns its reply (without newline). */
static const char *ask(proc *p, const char *fmt, ...) {
    static char reply[512];
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    requests++;
    if (p->pid == 0) {
        serve_line(line, reply, sizeof reply);
        return reply;
    }
    fprintf(p->to, "%s\n", line);
    fflush(p->to);
    if (fgets(reply, sizeof reply, p->from) == NULL)
        snprintf(reply, sizeof reply, "err peer-gone");
    reply[strcspn(reply, "\n")] = '\0';
    return reply;
}

static void fail(const char *fmt, ...) {
    va_list ap;
    failures++;
    if (failures > 30)
        return;
    fprintf(stderr, "FAIL [%s] ", where);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

#define EXPECT(p, want, ...)                                                   \
    do {                                                                       \
        const char *got_ = ask(p, __VA_ARGS__);                                \
        if (strcmp(got_, want) != 0)                                           \
            fail("%s: " #__VA_ARGS__ ": got '%s', want '%s'", (p)->label, got_, want); \
    } while (0)

static int start_peer(const char *spec, proc *p) {
    int in[2], out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    fflush(NULL);
    p->pid = fork();
    if (p->pid < 0)
        return -1;
    if (p->pid == 0) {
        close(in[1]);
        close(out[0]);
        if (strcmp(spec, "ref") == 0) {
            FILE *i = fdopen(in[0], "r"), *o = fdopen(out[1], "w");
            int rc = serve(i, o);
            fclose(i);
            fclose(o);
            exit(rc);
        }
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(out[1]);
        execl("/bin/sh", "sh", "-c", spec, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    p->to = fdopen(in[1], "w");
    p->from = fdopen(out[0], "r");
    p->label = spec;
    return 0;
}

static int stop_peer(proc *p) {
    fclose(p->to);
    fclose(p->from);
    int st = leak_wait(p->pid);
    if (st < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- scenarios ---------------------------------------------------------- */

static bool next_permutation(int *a, int n) {
    int i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1])
        i--;
    if (i < 0)
        return false;
    int j = n - 1;
    while (a[j] <= a[i])
        j--;
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
    for (int l = i + 1, r = n - 1; l < r; l++, r--) {
        t = a[l];
        a[l] = a[r];
        a[r] = t;
    }
    return true;
}

typedef struct baseline {
    char a[64], b[64];
} baseline;

/*
 * One scenario: k handles, handle i in B if bit i of place is set, unlinked
 * through handle `unlinker` (-1: never), events in order ev[0..nev) where
 * value k is the unlink and i < k is handle i's close.
 */
static void run(proc *pa, proc *pb, const baseline *base, const char *name, int k, int place,
                int unlinker, const int *ev, int nev) {
    proc *at[SLOTS];
    int n = snprintf(where, sizeof where, "%s k=%d in-B=", pb->label, k);
    for (int i = 0; i < k; i++) {
        at[i] = (place >> i & 1) ? pb : pa;
        n += snprintf(where + n, sizeof where - (size_t)n, "%d", place >> i & 1);
    }
    n += snprintf(where + n, sizeof where - (size_t)n, " order=");
    for (int e = 0; e < nev; e++)
        n += snprintf(where + n, sizeof where - (size_t)n, ev[e] == k ? "u%d " : "c%d ",
                      ev[e] == k ? unlinker : ev[e]);
    scenarios++;

    EXPECT(at[0], "ok", "create 0 %s", name);
    for (int i = 1; i < k; i++)
        EXPECT(at[i], "ok", "attach %d %s", i, name);
    bool open[SLOTS] = {true, true, true};
    for (int e = 0; e < nev; e++) {
        if (ev[e] < k) {
            int h = ev[e];
            EXPECT(at[h], "ok", "close %d", h);
            EXPECT(at[h], "ok", "close %d", h);
            EXPECT(at[h], "err TypeError", "use %d", h);
            open[h] = false;
        } else {
            EXPECT(at[unlinker], "ok", "unlink %d", unlinker);
            EXPECT(at[unlinker], "err FileNotFoundError", "unlink %d", unlinker);
            EXPECT(pa, "err FileNotFoundError", "attachfail %s", name);
            EXPECT(pb, "err FileNotFoundError", "attachfail %s", name);
            for (int h = 0; h < k; h++)
                if (open[h])
                    EXPECT(at[h], "ok 7", "use %d", h);
        }
    }
    EXPECT(pa, "ok", "end");
    EXPECT(pb, "ok", "end");
    EXPECT(pa, base->a, "check");
    EXPECT(pb, base->b, "check");
    bool exists = leak_name_exists(name);
    if (exists != (unlinker < 0))
        fail("name %s %s", name, exists ? "left behind" : "missing, but never unlinked");
    if (exists)
        pyshm_unlink(name); /* the scenario's own leftover, as it said */
}

static void run_all(proc *pa, proc *pb, const baseline *base, const char *prefix) {
    static unsigned seq;
    char name[128];
    for (int k = 1; k <= SLOTS; k++)
        for (int place = 0; place < 1 << k; place++)
            for (int unlinker = -1; unlinker < k; unlinker++) {
                int ev[SLOTS + 1], nev = 0;
                for (int i = 0; i < k; i++)
                    ev[nev++] = i;
                if (unlinker >= 0)
                    ev[nev++] = k;
                do {
                    snprintf(name, sizeof name, "%s%u", prefix, seq++);
                    run(pa, pb, base, name, k, place, unlinker, ev, nev);
                } while (next_permutation(ev, nev));
            }
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--serve") == 0)
        return serve(stdin, stdout);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "pyshm_lc%ld_", (long)getpid());
    const char *defaults[] = {"ref"};
    const char **peers = argc > 1 ? (const char **)argv + 1 : defaults;
    int npeers = argc > 1 ? argc - 1 : 1;
    proc pa = {"ref(A)", 0, NULL, NULL};
    int status = 0;
    for (int i = 0; i < npeers; i++) {
        proc pb;
        if (start_peer(peers[i], &pb) != 0) {
            perror("lifecycle: starting a peer");
            return 2;
        }
        /* A first round trip in each process, so that what is opened once
         * for good (CPython's resource tracker, stdio) is in the baseline. */
        char warm[128];
        snprintf(warm, sizeof warm, "%swarm", prefix);
        snprintf(where, sizeof where, "%s warm-up", pb.label);
        EXPECT(&pb, "ok", "create 0 %s", warm);
        EXPECT(&pb, "ok", "unlink 0");
        EXPECT(&pb, "ok", "close 0");
        EXPECT(&pb, "ok", "end");
        baseline base;
        snprintf(base.a, sizeof base.a, "%s", ask(&pa, "check"));
        snprintf(base.b, sizeof base.b, "%s", ask(&pb, "check"));
        if (strncmp(base.b, "ok ", 3) != 0 || strcmp(strrchr(base.b, ' '), " 0") != 0)
            fail("%s: baseline '%s'", pb.label, base.b);
        unsigned before = scenarios, failed = failures;
        run_all(&pa, &pb, &base, prefix);
        int rc = stop_peer(&pb);
        if (rc != 0)
            fail("%s: exit status %d", pb.label, rc);
        printf("lifecycle: peer %-40s %u scenarios, %u failures\n", pb.label, scenarios - before,
               failures - failed);
        fflush(stdout);
    }
    int left = leak_count_names(prefix, false);
    if (left != 0) {
        snprintf(where, sizeof where, "end");
        fail("%d names with prefix %s left in the system", left, prefix);
    }
    printf("lifecycle: %u scenarios, %u requests, %u failures\n", scenarios, requests, failures);
    status = failures != 0;
    return status;
}
