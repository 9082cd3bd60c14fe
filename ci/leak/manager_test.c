/*
 * manager_test: the manager's behaviour, end to end, with real processes.
 *
 *   manager_test               run every test but the heavy ones; exit
 *                              status 1 on a failure
 *   manager_test --heavy       also those (a 512 MiB owner, the descriptor
 *                              limit, 50,000 names), which report figures
 *   manager_test --search      only how a build without the image the
 *                              library carries finds the program beside it
 *   manager_test --child       (internal) an exec'd client of the manager
 *                              whose address is in MANAGER_TEST_ADDRESS
 *   manager_test --start       (internal) starts a manager, with what
 *                              PYSHM_WATCHDOG says, and reports
 *
 * Checked: blocks and lists created through a manager are unlinked at
 * shutdown and when the owner exits, aborts or is SIGKILLed (within 1 s);
 * other processes (exec'd or forked) create blocks that belong to the
 * manager; names can be tracked and released; the watchdog leaks no
 * descriptor into exec'd children and keeps none of the owner's pipes; the
 * owner ignoring or catching SIGCHLD changes nothing; no descriptor of the
 * caller's is left open after pyshm_manager_free(); the watchdog has a
 * session of its own, ignores SIGINT and SIGHUP, and cleans up on SIGTERM.
 * Hardening: an impostor at a stale address, of another user or of ours,
 * is refused before it is told anything; a wrong key is refused, and so is
 * the right one from another pid namespace; the watchdog is a program of
 * its own that holds none of its owner's memory, found with nothing
 * installed, and PYSHM_WATCHDOG cannot choose it in a privileged process;
 * connections that never authenticate, or stay idle, cannot lock a client
 * out; a request sent a byte at a time is cut off; a stopped watchdog
 * gives timeouts; the descriptor limit does not make it spin; 50,000
 * tracked names cost nothing per request.
 */
#define _GNU_SOURCE /* prlimit */
#include "manager.h" /* whether this build carries the watchdog image */
#include "mgr_raw.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

/* As the library's default: where `make install` puts the program. */
#ifndef PYSHM_WATCHDOG_PATH
#define PYSHM_WATCHDOG_PATH "/usr/local/libexec/pyshm-watchdog"
#endif

/* Where a child finds the address: the environment, which only processes
 * of the same user can read, never the command line, which every user can
 * (/proc/PID/cmdline). */
#define ADDRESS_ENV "MANAGER_TEST_ADDRESS"

static int failures, checks;
static const char *self_path;

#define CHECK(cond)                                                          \
    do {                                                                     \
        checks++;                                                            \
        if (!(cond)) {                                                       \
            failures++;                                                      \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                    \
    } while (0)
#define CHECK_RC(call, want)                                                          \
    do {                                                                              \
        int rc_ = (call);                                                             \
        checks++;                                                                     \
        if (rc_ != (want)) {                                                          \
            failures++;                                                               \
            fprintf(stderr, "FAIL %s:%d: %s: got %s, want %s\n", __FILE__, __LINE__, \
                    #call, pyshm_err_name(rc_), pyshm_err_name(want));                \
        }                                                                             \
    } while (0)

/* Waits up to ms milliseconds for name to disappear. */
static bool gone_within(const char *name, int ms) {
    for (int i = 0; i <= ms / 5; i++) {
        if (!leak_name_exists(name))
            return true;
        leak_sleep(0.005);
    }
    return false;
}

static void unique_name(char *buf, size_t cap, const char *tag) {
    static unsigned seq;
    snprintf(buf, cap, "pyshm_mt_%ld_%s_%u", (long)getpid(), tag, seq++);
}

/* A started manager, or NULL (a failed check). */
static pyshm_manager *start_manager(void) {
    pyshm_manager *m = NULL;
    CHECK_RC(pyshm_manager_start(&m), 0);
    return m;
}

/* ---- tests -------------------------------------------------------------- */

static void test_basics(void) {
    int fds = leak_count_fds(false);
    pyshm_manager *m = start_manager();
    if (m == NULL)
        return;
    CHECK(pyshm_manager_address(m)[0] != '\0');

    pyshm_shm *a, *b;
    CHECK_RC(pyshm_manager_shm_create(m, NULL, 100, &a), 0);
    CHECK(a != NULL && strncmp(pyshm_shm_name(a), "psm_", 4) == 0 &&
          strlen(pyshm_shm_name(a)) == 12);
    CHECK(a != NULL && pyshm_shm_size(a) >= 100);
    char name[64], a_name[64] = "";
    unique_name(name, sizeof name, "b");
    CHECK_RC(pyshm_manager_shm_create(m, name, 10, &b), 0);
    CHECK_RC(pyshm_manager_shm_create(m, name, 10, &(pyshm_shm *){NULL}), PYSHM_EEXIST);
    CHECK_RC(pyshm_manager_shm_create(m, NULL, 0, &(pyshm_shm *){NULL}), PYSHM_ESIZE);
    CHECK_RC(pyshm_manager_shm_create(m, NULL, -1, &(pyshm_shm *){NULL}), PYSHM_ENEGSIZE);
    CHECK_RC(pyshm_manager_shm_create(m, "a/b", 10, &(pyshm_shm *){NULL}), PYSHM_EBADNAME);
    CHECK_RC(pyshm_manager_shm_create(m, "", 10, &(pyshm_shm *){NULL}), PYSHM_EBADNAME);
    char longname[400];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK_RC(pyshm_manager_shm_create(m, longname, 10, &(pyshm_shm *){NULL}),
             PYSHM_ENAMETOOLONG);

    pyshm_value items[] = {pyshm_int(7), pyshm_str("howdy"), pyshm_none()};
    pyshm_list *l, *l38;
    CHECK_RC(pyshm_manager_list_create(m, NULL, items, 3, PYSHM_LAYOUT_AUTO, &l), 0);
    CHECK_RC(pyshm_manager_list_create(m, NULL, NULL, 0, PYSHM_LAYOUT_PY38, &l38), 0);
    pyshm_value v;
    if (l != NULL) {
        CHECK(pyshm_list_len(l) == 3 && pyshm_list_layout(l) == PYSHM_LAYOUT_PY39);
        CHECK_RC(pyshm_list_get(l, 1, &v), 0);
        CHECK(v.type == PYSHM_STR && v.u.s.len == 5 && memcmp(v.u.s.ptr, "howdy", 5) == 0);
    }
    if (l38 != NULL)
        CHECK(pyshm_list_len(l38) == 0 && pyshm_list_layout(l38) == PYSHM_LAYOUT_PY38);

    /* One block unlinked through its own handle is skipped at shutdown. */
    if (a != NULL) {
        snprintf(a_name, sizeof a_name, "%s", pyshm_shm_name(a));
        CHECK_RC(pyshm_shm_unlink(a), 0);
    }
    const char *l_name = l ? pyshm_shm_name(pyshm_list_shm(l)) : "";
    CHECK(leak_name_exists(name) && leak_name_exists(l_name));
    CHECK_RC(pyshm_manager_shutdown(m), 0);
    CHECK(!leak_name_exists(name) && !leak_name_exists(l_name) && !leak_name_exists(a_name));
    CHECK(l38 == NULL || !leak_name_exists(pyshm_shm_name(pyshm_list_shm(l38))));
    /* Mappings outlive the names. */
    if (l != NULL) {
        CHECK_RC(pyshm_list_get(l, 0, &v), 0);
        CHECK(v.type == PYSHM_INT && v.u.i == 7);
    }
    CHECK_RC(pyshm_manager_shutdown(m), 0);
    CHECK_RC(pyshm_manager_shm_create(m, NULL, 10, &(pyshm_shm *){NULL}), PYSHM_ECLOSED);
    CHECK_RC(pyshm_manager_track(m, "x"), PYSHM_ECLOSED);
    pyshm_shm_free(a);
    pyshm_shm_free(b);
    pyshm_list_free(l);
    pyshm_list_free(l38);
    pyshm_manager_free(m);
    CHECK(leak_count_fds(false) == fds);
}

static void test_track_release(void) {
    pyshm_manager *m = start_manager();
    if (m == NULL)
        return;
    char own[64], later[64];
    unique_name(own, sizeof own, "own");
    unique_name(later, sizeof later, "later");
    pyshm_shm *s;
    CHECK_RC(pyshm_shm_create(own, 10, &s), 0);
    pyshm_shm_free(s);
    CHECK_RC(pyshm_manager_track(m, own), 0);
    CHECK_RC(pyshm_manager_track(m, own), 0);
    CHECK_RC(pyshm_manager_release(m, own), 0);
    CHECK(!leak_name_exists(own));
    CHECK_RC(pyshm_manager_release(m, own), PYSHM_ENOTFOUND);
    CHECK_RC(pyshm_manager_track(m, NULL), PYSHM_ENONAME);
    CHECK_RC(pyshm_manager_track(m, "a/b"), PYSHM_EBADNAME);
    /* Tracked before it exists: the pattern that leaves no leak window. */
    CHECK_RC(pyshm_manager_track(m, later), 0);
    CHECK_RC(pyshm_shm_create(later, 10, &s), 0);
    pyshm_shm_free(s);
    /* Tracked, then unlinked by someone else: release says so. */
    CHECK_RC(pyshm_manager_track(m, own), 0);
    CHECK_RC(pyshm_manager_release(m, own), PYSHM_ENOENT);
    /* A name with a space and a newline travels intact. */
    char odd[64];
    unique_name(odd, sizeof odd, "a b\nc");
    CHECK_RC(pyshm_manager_shm_create(m, odd, 8, &s), 0);
    CHECK(s != NULL && strcmp(pyshm_shm_name(s), odd) == 0);
    pyshm_shm_free(s);
    pyshm_manager_free(m); /* shuts down */
    CHECK(!leak_name_exists(later) && !leak_name_exists(odd));
}

/* NULL for a handle or an out pointer is EINVAL (a NULL name ENONAME). */
static void test_null_arguments(void) {
    pyshm_manager *m = NULL;
    pyshm_shm *s = NULL;
    pyshm_list *l = NULL;
    CHECK_RC(pyshm_manager_start(NULL), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_connect("@pyshm-1-0#00", NULL), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_connect(NULL, &m), PYSHM_EINVAL);
    CHECK(strcmp(pyshm_manager_address(NULL), "") == 0);
    CHECK_RC(pyshm_manager_set_timeout(NULL, 100), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_shm_create(NULL, NULL, 8, &s), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_list_create(NULL, NULL, NULL, 0, PYSHM_LAYOUT_AUTO, &l),
             PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_track(NULL, "x"), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_release(NULL, "x"), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_shutdown(NULL), PYSHM_EINVAL);
    pyshm_manager_free(NULL);
    m = start_manager();
    if (m == NULL)
        return;
    CHECK_RC(pyshm_manager_shm_create(m, NULL, 8, NULL), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_list_create(m, NULL, NULL, 1, PYSHM_LAYOUT_AUTO, &l), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_list_create(m, NULL, NULL, 0, PYSHM_LAYOUT_AUTO, NULL), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_track(m, NULL), PYSHM_ENONAME);
    pyshm_manager_free(m);
}

/* A block the manager creates has its pages reserved, as one that
 * pyshm_shm_create() makes (Linux: /dev/shm counts them at once), so that
 * a full /dev/shm is an error at create and not a SIGBUS later. */
static void test_reserved_pages(void) {
#if defined(__linux__)
    pyshm_manager *m = start_manager();
    pyshm_shm *s = NULL;
    if (m != NULL)
        CHECK_RC(pyshm_manager_shm_create(m, NULL, 1 << 20, &s), 0);
    if (s != NULL) {
        char path[300];
        struct stat st;
        snprintf(path, sizeof path, "/dev/shm/%s", pyshm_shm_name(s));
        CHECK(stat(path, &st) == 0 && (long long)st.st_blocks * 512 >= 1 << 20);
    }
    pyshm_shm_free(s);
    pyshm_manager_free(m);
#endif
}

/* An exec'd process: connects, creates a block, reports its name, how many
 * sockets it inherited and what shutting the manager down says, and exits. */
static int child_main(void) {
    int sockets = leak_count_fds(true);
    const char *address = getenv(ADDRESS_ENV);
    pyshm_manager *m;
    int rc = pyshm_manager_connect(address ? address : "", &m);
    if (rc != 0) {
        printf("connect %s\n", pyshm_err_name(rc));
        return 1;
    }
    pyshm_shm *s;
    rc = pyshm_manager_shm_create(m, NULL, 64, &s);
    if (rc != 0) {
        printf("create %s\n", pyshm_err_name(rc));
        return 1;
    }
    printf("%d %s %s\n", sockets, pyshm_shm_name(s),
           pyshm_err_name(pyshm_manager_shutdown(m)));
    pyshm_shm_free(s);
    pyshm_manager_free(m);
    return 0;
}

static void test_exec_child(void) {
    pyshm_manager *m = start_manager();
    if (m == NULL)
        return;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "'%s' --child", self_path);
    setenv(ADDRESS_ENV, pyshm_manager_address(m), 1);
    FILE *p = popen(cmd, "r");
    unsetenv(ADDRESS_ENV);
    char line[256] = "", name[128] = "", shut[32] = "";
    int extra = -1;
    if (p != NULL) {
        if (fgets(line, sizeof line, p) == NULL)
            line[0] = '\0';
        CHECK(pclose(p) == 0);
    }
    CHECK(sscanf(line, "%d %127s %31s", &extra, name, shut) == 3);
    CHECK(extra == 0);                  /* nothing of the manager's leaked */
    CHECK(strcmp(shut, "EINVAL") == 0); /* only the owner shuts down */
    CHECK(leak_name_exists(name));      /* the child's exit does not matter */
    CHECK_RC(pyshm_manager_shutdown(m), 0);
    CHECK(!leak_name_exists(name));
    char gone[256];
    snprintf(gone, sizeof gone, "%s", pyshm_manager_address(m));
    pyshm_manager_free(m);
    /* Gone managers cannot be reached; an address needs its key. */
    pyshm_manager *c;
    CHECK_RC(pyshm_manager_connect(gone, &c), PYSHM_ENOENT);
    *strrchr(gone, '#') = '\0';
    CHECK_RC(pyshm_manager_connect(gone, &c), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_connect("@pyshm-nonexistent", &c), PYSHM_EINVAL);
    CHECK_RC(pyshm_manager_connect("", &c), PYSHM_EINVAL);
}

static void test_fork_child(void) {
    pyshm_manager *m = start_manager();
    if (m == NULL)
        return;
    char name[64];
    unique_name(name, sizeof name, "fork");
    pid_t pid = fork();
    if (pid == 0) {
        /* The inherited handle gets its own connection; it cannot shut the
         * manager down, and freeing it does not either. */
        pyshm_shm *s;
        int ok = pyshm_manager_shm_create(m, name, 16, &s) == 0 &&
                 pyshm_manager_shutdown(m) == PYSHM_EINVAL;
        pyshm_shm_free(s);
        pyshm_manager_free(m);
        _exit(ok ? 0 : 1);
    }
    int st = leak_wait(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(leak_name_exists(name));
    pyshm_shm *s;
    CHECK_RC(pyshm_manager_shm_create(m, NULL, 16, &s), 0); /* ours still works */
    pyshm_shm_free(s);
    pyshm_manager_free(m);
    CHECK(!leak_name_exists(name));
}

/* How an owner ends: 0 exit() without shutdown, 1 abort(), 2 SIGKILL, 3
 * SIGKILL while a forked child still holds the owner's socket (only the
 * pidfd or the owner poll can tell), 4 exec of another program. */
static void test_owner_death(int how) {
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        signal(SIGABRT, SIG_DFL);
        pyshm_manager *m;
        pyshm_shm *s;
        pyshm_list *l;
        pyshm_value one = pyshm_int(1);
        if (pyshm_manager_start(&m) != 0 || pyshm_manager_shm_create(m, NULL, 32, &s) != 0 ||
            pyshm_manager_list_create(m, NULL, &one, 1, PYSHM_LAYOUT_AUTO, &l) != 0)
            _exit(3);
        dprintf(pfd[1], "%s %s\n", pyshm_shm_name(s), pyshm_shm_name(pyshm_list_shm(l)));
        if (how == 3 && fork() == 0) { /* holds every inherited descriptor */
            close(pfd[1]);
            sleep(3);
            _exit(0);
        }
        close(pfd[1]);
        if (how == 0)
            exit(0);
        if (how == 1)
            abort();
        if (how == 4)
            execl("/bin/sleep", "sleep", "3", (char *)NULL);
        raise(SIGKILL);
        _exit(4);
    }
    close(pfd[1]);
    char line[256] = "", a[128] = "", b[128] = "";
    FILE *f = fdopen(pfd[0], "r");
    if (f == NULL || fgets(line, sizeof line, f) == NULL)
        line[0] = '\0';
    if (f != NULL)
        fclose(f);
    CHECK(sscanf(line, "%127s %127s", a, b) == 2);
    if (how == 4) { /* the process lives on, but its handle died with exec */
        CHECK(gone_within(a, 1000) && gone_within(b, 1000));
        kill(pid, SIGKILL);
        leak_wait(pid);
        return;
    }
    leak_wait(pid);
    CHECK(gone_within(a, 1000) && gone_within(b, 1000));
    if (!gone_within(a, 0))
        fprintf(stderr, "  (owner end %d)\n", how);
    pyshm_unlink(a);
    pyshm_unlink(b);
}

static volatile sig_atomic_t reaped;
static void reap_all(int sig) {
    (void)sig;
    int e = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        reaped++;
    errno = e;
}

/* The owner ignoring SIGCHLD, or reaping every child in a handler. */
static void test_sigchld(void) {
    for (int mode = 0; mode < 2; mode++) {
        struct sigaction sa, old;
        memset(&sa, 0, sizeof sa);
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = mode == 0 ? SIG_IGN : reap_all;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGCHLD, &sa, &old);
        pyshm_manager *m = start_manager();
        pyshm_shm *s = NULL;
        if (m != NULL)
            CHECK_RC(pyshm_manager_shm_create(m, NULL, 8, &s), 0);
        char name[64] = "";
        if (s != NULL)
            snprintf(name, sizeof name, "%s", pyshm_shm_name(s));
        pyshm_shm_free(s);
        if (m != NULL)
            CHECK_RC(pyshm_manager_shutdown(m), 0);
        pyshm_manager_free(m);
        CHECK(name[0] != '\0' && !leak_name_exists(name));
        sigaction(SIGCHLD, &old, NULL);
    }
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD); /* no zombie of ours */
}

/* The watchdog must not keep the owner's stdout (or any pipe) open: a
 * reader of the owner's output sees end-of-file when the owner closes it. */
static void test_no_inherited_pipe(void) {
    int out[2], go[2];
    CHECK(pipe(out) == 0 && pipe(go) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(out[0]);
        close(go[1]);
        pyshm_manager *m;
        if (pyshm_manager_start(&m) != 0)
            _exit(1);
        close(out[1]); /* the only writer left would be the watchdog */
        char c;
        while (read(go[0], &c, 1) < 0 && errno == EINTR) {
        }
        pyshm_manager_free(m);
        _exit(0);
    }
    close(out[1]);
    close(go[0]);
    char c;
    ssize_t r;
    alarm(5); /* a failure would otherwise hang here */
    while ((r = read(out[0], &c, 1)) < 0 && errno == EINTR) {
    }
    alarm(0);
    CHECK(r == 0);
    close(go[1]);
    close(out[0]);
    int st = leak_wait(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The tests that need a child subreaper (Linux) to adopt the watchdog. */
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
#define HAVE_SUBREAPER 1
#else
#define HAVE_SUBREAPER 0
#endif

#if HAVE_SUBREAPER
/* Waits for a test run in a child process, whose exit status is a set of
 * failure bits (0: all passed). */
static void check_child(pid_t pid, const char *what) {
    int st = leak_wait(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
        fprintf(stderr, "  %s: failure bits %#x\n", what, WEXITSTATUS(st));
}
#endif

/*
 * The watchdog itself (Linux: a child subreaper adopts it, and /proc lists
 * it): it is in a session of its own, so ^C at a terminal reaches only the
 * owner; SIGINT and SIGHUP do not stop it; SIGTERM makes it clean up and
 * exit 0. Runs in a child process, which alone is the subreaper.
 */
static void test_watchdog_signals(void) {
#if HAVE_SUBREAPER
    pid_t pid = fork();
    if (pid == 0) {
        int bad = 0;
        pyshm_manager *m;
        pyshm_shm *s = NULL;
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || pyshm_manager_start(&m) != 0 ||
            pyshm_manager_shm_create(m, NULL, 8, &s) != 0)
            _exit(10);
        char path[64], name[64];
        snprintf(name, sizeof name, "%s", pyshm_shm_name(s));
        snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
        long wd = 0;
        FILE *f = fopen(path, "r");
        if (f == NULL || fscanf(f, "%ld", &wd) != 1)
            _exit(11);
        fclose(f);
        bad |= (getsid((pid_t)wd) == getsid(0)) << 0;
        kill((pid_t)wd, SIGINT);
        kill((pid_t)wd, SIGHUP);
        leak_sleep(0.05);
        bad |= (kill((pid_t)wd, 0) != 0 || !leak_name_exists(name)) << 1;
        kill((pid_t)wd, SIGTERM);
        int st = leak_wait((pid_t)wd);
        bad |= !(WIFEXITED(st) && WEXITSTATUS(st) == 0) << 2;
        bad |= leak_name_exists(name) << 3;
        bad |= (pyshm_manager_shutdown(m) != PYSHM_EOS) << 4; /* it is gone */
        pyshm_shm_free(s);
        pyshm_manager_free(m);
        _exit(bad);
    }
    check_child(pid, "watchdog signals");
#endif
}

/* ---- authentication ----------------------------------------------------- */

/* Listens at the socket of a manager that has ended, as anyone may: the
 * abstract name is free, and a socket file's directory can be made again
 * (0700, so that only the credentials and the key can tell). -1 on failure. */
static int listen_at(const char *address) {
    struct sockaddr_un sa;
    socklen_t len = raw_socket_of(address, &sa);
    if (address[0] != '@') {
        char dir[sizeof sa.sun_path];
        snprintf(dir, sizeof dir, "%s", sa.sun_path);
        char *slash = strrchr(dir, '/');
        if (slash != NULL) {
            *slash = '\0';
            mkdir(dir, 0700);
        }
        unlink(sa.sun_path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0 && (bind(fd, (struct sockaddr *)&sa, len) != 0 || listen(fd, 8) != 0)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Removes what listen_at() made for a socket file. */
static void unlisten_at(const char *address) {
    struct sockaddr_un sa;
    raw_socket_of(address, &sa);
    if (address[0] == '@')
        return;
    unlink(sa.sun_path);
    char *slash = strrchr(sa.sun_path, '/');
    if (slash != NULL) {
        *slash = '\0';
        rmdir(sa.sun_path);
    }
}

static int accept_within(int lfd, int ms) {
    struct pollfd p = {lfd, POLLIN, 0};
    return poll(&p, 1, ms) == 1 ? accept(lfd, NULL, NULL) : -1;
}

/* The stale address of a manager that was started and shut down, and a
 * handle connected to it before it ended (a client that will reconnect by
 * itself on its next request). */
static void stale_manager(char *address, size_t cap, pyshm_manager **client) {
    pyshm_manager *m = start_manager();
    *client = NULL;
    address[0] = '\0';
    if (m == NULL)
        return;
    snprintf(address, cap, "%s", pyshm_manager_address(m));
    CHECK_RC(pyshm_manager_connect(address, client), 0);
    pyshm_manager_free(m);
}

/*
 * Another user binds the address of a manager that has ended and answers
 * (in this protocol's words, and in those of version 1). A client, of root
 * here, connecting afresh or reconnecting by itself, must refuse it with
 * EAUTH and must not write it a single byte.
 */
static void test_impostor_other_user(void) {
    if (geteuid() != 0) {
        printf("manager_test: impostor of another user: skipped (needs root)\n");
        return;
    }
    struct passwd *pw = getpwnam("nobody");
    uid_t uid = pw ? pw->pw_uid : 65534;
    gid_t gid = pw ? pw->pw_gid : 65534;
    for (int round = 0; round < 2; round++) {
        char address[256];
        pyshm_manager *client;
        stale_manager(address, sizeof address, &client);
        int ready[2], report[2];
        CHECK(pipe(ready) == 0 && pipe(report) == 0);
        pid_t pid = fork();
        if (pid == 0) {
            close(ready[0]);
            close(report[0]);
            signal(SIGPIPE, SIG_IGN); /* it writes to clients that hang up */
            if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
                _exit(2);
            int lfd = listen_at(address);
            if (write(ready[1], lfd >= 0 ? "r" : "x", 1) != 1 || lfd < 0)
                _exit(3);
            /* Two connections: the fresh client, then the reconnecting one. */
            size_t got = 0;
            for (int c = 0; c < 2; c++) {
                int fd = accept_within(lfd, 3000);
                if (fd < 0)
                    break;
                const char *hello =
                    round == 0 ? "H 2 " : "0 1\n"; /* version 2's greeting, or version 1's */
                char line[200];
                snprintf(line, sizeof line, "%s%s", hello,
                         round == 0 ? "00000000000000000000000000000000000000000000000000000"
                                      "00000000000\n"
                                    : "");
                if (write(fd, line, strlen(line)) >= 0) /* fails if it hung up */
                    got += raw_read_within(fd, 500, NULL, 0);
                close(fd);
            }
            dprintf(report[1], "%zu\n", got);
            _exit(0);
        }
        close(ready[1]);
        close(report[1]);
        char c = 0;
        CHECK(read(ready[0], &c, 1) == 1 && c == 'r');
        pyshm_manager *m = NULL;
        CHECK_RC(pyshm_manager_connect(address, &m), PYSHM_EAUTH);
        pyshm_manager_free(m);
        pyshm_shm *s = NULL;
        if (client != NULL)
            CHECK_RC(pyshm_manager_shm_create(client, NULL, 64, &s), PYSHM_EAUTH);
        pyshm_shm_free(s);
        pyshm_manager_free(client);
        char line[32] = "";
        CHECK(raw_read_within(report[0], 5000, line, sizeof line) > 0);
        CHECK(strcmp(line, "0\n") == 0); /* not a byte written to the impostor */
        if (round == 0)
            printf("manager_test: impostor of another user refused, %ld bytes written to it\n",
                   atol(line));
        int st = leak_wait(pid);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        close(ready[0]);
        close(report[0]);
        unlisten_at(address);
    }
}

/*
 * The impostor is of our own user and even the process the address names
 * (this one: it started the manager), but does not prove it knows the key:
 * a bogus proof, another version's greeting, version 1's greeting. The
 * client, a forked child, must refuse each (EAUTH, EVERSION, EVERSION).
 */
static void test_impostor_same_user(void) {
    static const struct {
        const char *hello; /* %s: a nonce */
        int want;
    } rounds[] = {
        {"H 2 %s\n", PYSHM_EAUTH},
        {"H 99 %s\n", PYSHM_EVERSION},
        {"0 1\n", PYSHM_EVERSION},
    };
    const char *nonce = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    for (size_t r = 0; r < sizeof rounds / sizeof rounds[0]; r++) {
        char address[256];
        pyshm_manager *unused;
        stale_manager(address, sizeof address, &unused);
        pyshm_manager_free(unused);
        int lfd = listen_at(address);
        CHECK(lfd >= 0);
        pid_t pid = fork();
        if (pid == 0) {
            pyshm_manager *m = NULL;
            int rc = pyshm_manager_connect(address, &m);
            pyshm_manager_free(m);
            _exit(-rc);
        }
        int fd = accept_within(lfd, 3000);
        CHECK(fd >= 0);
        char line[600];
        snprintf(line, sizeof line, rounds[r].hello, nonce);
        if (fd >= 0 && send(fd, line, strlen(line), MSG_NOSIGNAL) > 0 && r == 0) {
            /* The client's proof comes; a bogus one goes back. */
            CHECK(raw_read_within(fd, 3000, line, sizeof line) > 0 && line[0] == 'A');
            snprintf(line, sizeof line, "0 %ld %s\n", (long)getpid(), nonce);
            CHECK(send(fd, line, strlen(line), MSG_NOSIGNAL) > 0);
        }
        int st = leak_wait(pid);
        CHECK(WIFEXITED(st) && -WEXITSTATUS(st) == rounds[r].want);
        if (WIFEXITED(st) && -WEXITSTATUS(st) != rounds[r].want)
            fprintf(stderr, "  round %zu: got %s\n", r, pyshm_err_name(-WEXITSTATUS(st)));
        if (fd >= 0)
            close(fd);
        close(lfd);
        unlisten_at(address);
    }
}

/* A client with a wrong key is refused by the real manager, which goes on
 * serving the others; a well-formed address of nobody is ENOENT. */
static void test_wrong_key(void) {
    pyshm_manager *m = start_manager();
    if (m == NULL)
        return;
    char address[256];
    snprintf(address, sizeof address, "%s", pyshm_manager_address(m));
    char *key = strrchr(address, '#') + 1;
    CHECK(strlen(key) == 64);
    key[10] = key[10] == '0' ? '1' : '0';
    pyshm_manager *c = NULL;
    CHECK_RC(pyshm_manager_connect(address, &c), PYSHM_EAUTH);
    key[10] = pyshm_manager_address(m)[key - address + 10];
    CHECK_RC(pyshm_manager_connect(address, &c), 0);
    CHECK_RC(pyshm_manager_track(c, "pyshm_mt_wrong_key"), 0);
    CHECK_RC(pyshm_manager_release(c, "pyshm_mt_wrong_key"), PYSHM_ENOENT);
    CHECK_RC(pyshm_manager_set_timeout(c, 0), PYSHM_EINVAL);
    pyshm_manager_free(c);
    /* A client that does not know the key, speaking the protocol itself:
     * refused with EACCES, and its request goes unanswered. */
    struct sockaddr_un sa;
    socklen_t len = raw_socket_of(address, &sa);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    char line[600] = "";
    CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sa, len) == 0);
    CHECK(raw_read_within(fd, 3000, line, sizeof line) > 0 && strncmp(line, "H 2 ", 4) == 0);
    const char *bogus = "A 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef "
                        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
                        "T 707973686d5f6d745f626f677573\n";
    CHECK(send(fd, bogus, strlen(bogus), MSG_NOSIGNAL) == (ssize_t)strlen(bogus));
    line[0] = '\0';
    raw_read_within(fd, 3000, line, sizeof line);
    CHECK(strcmp(line, "E 13\n") == 0);
    close(fd);
    key[-2] = key[-2] == '0' ? '1' : '0'; /* another socket name */
    CHECK_RC(pyshm_manager_connect(address, &c), PYSHM_ENOENT);
    key[-1] = 'x';
    CHECK_RC(pyshm_manager_connect(address, &c), PYSHM_EINVAL);
    pyshm_manager_free(m);
}

/* ---- the watchdog program ----------------------------------------------- */

/* Bytes of a /proc file of process pid (NULs as spaces) into buf. */
static size_t proc_file(long pid, const char *what, char *buf, size_t cap) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/%s", pid, what);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
    if (f != NULL)
        fclose(f);
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[n] = '\0';
    return n;
}

/*
 * An owner touches 512 MiB, starts a manager, rewrites and frees that
 * memory: the watchdog must hold none of it, whether or not a watchdog
 * program is installed. It runs the watchdog program with an empty
 * environment, only its own descriptors, and not the key on its command
 * line. Reports the watchdog's VmRSS. Runs in a child subreaper, which
 * adopts the watchdog.
 */
static void test_watchdog_memory(void) {
#if HAVE_SUBREAPER
    int report[2];
    CHECK(pipe(report) == 0);
    leak_big_owner o;
    pid_t pid = leak_fork_big_owner(512, &o);
    if (pid == 0) {
        close(report[0]);
        if (o.rc != 0)
            _exit(11);
        leak_touch(o.heap, o.size, 2);
        free(o.heap);
        long wd = o.watchdog;
        char path[64], exe[256] = "", buf[4096];
        snprintf(path, sizeof path, "/proc/%ld/exe", wd);
        ssize_t n = readlink(path, exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        size_t env_bytes = proc_file(wd, "environ", buf, sizeof buf);
        proc_file(wd, "cmdline", buf, sizeof buf);
        const char *key = strrchr(pyshm_manager_address(o.m), '#') + 1;
        bool key_shown = strstr(buf, key) != NULL;
        snprintf(path, sizeof path, "/proc/%ld/fd", wd);
        int fds = 0;
        DIR *d = opendir(path);
        for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
            fds += e->d_name[0] != '.';
        if (d != NULL)
            closedir(d);
        dprintf(report[1], "%ld %ld %ld %.1f %zu %d %d %s\n", o.owner_kb, leak_rss_kb(wd),
                leak_rss_kb((long)getpid()), o.start_ms, env_bytes, key_shown, fds, exe);
        pyshm_manager_free(o.m);
        leak_wait((pid_t)wd);
        _exit(0);
    }
    close(report[1]);
    char line[512] = "", exe[300] = "";
    long before = -1, rss = -1, owner = -1;
    double took = -1;
    size_t env_bytes = 1;
    int fds = -1, key_shown = 1;
    raw_read_within(report[0], 20000, line, sizeof line);
    close(report[0]);
    int st = leak_wait(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(sscanf(line, "%ld %ld %ld %lf %zu %d %d %299s", &before, &rss, &owner, &took, &env_bytes,
                 &key_shown, &fds, exe) == 8);
    printf("manager_test: an owner of %ld kB started a manager in %.1f ms; its watchdog %s: "
           "VmRSS %ld kB after the owner rewrote and freed 512 MiB (owner now %ld kB), "
           "%d descriptors\n",
           before, took, exe, rss, owner, fds);
    CHECK(before > 512 * 1024); /* the heap was there to be copied */
    CHECK(rss > 0 && rss < 16 * 1024);
    CHECK(strstr(exe, "pyshm-watchdog") != NULL);
    CHECK(env_bytes == 0);
    CHECK(!key_shown);
    /* 0-2 on /dev/null, owner, listener, pidfd, wake-up pipe, reserve. */
    CHECK(fds > 0 && fds <= 9);
#endif
}

/* A PYSHM_WATCHDOG that names no program is an error, not a fallback; a
 * program that is not the watchdog makes the start fail cleanly, even one
 * that never answers (stopped at the timeout, and reaped); the program
 * refuses to be run by hand. */
static void test_watchdog_program_errors(void) {
    const char *old = getenv("PYSHM_WATCHDOG");
    char *saved = old ? strdup(old) : NULL;
    setenv("PYSHM_WATCHDOG", "/nonexistent/pyshm-watchdog", 1);
    pyshm_manager *m = NULL;
    CHECK_RC(pyshm_manager_start(&m), PYSHM_EOS);
    CHECK(pyshm_last_os_error() == ENOENT);
    int fds = leak_count_fds(false);
    setenv("PYSHM_WATCHDOG", "/bin/true", 1);
    CHECK(pyshm_manager_start(&m) != 0 && m == NULL);
    CHECK(leak_count_fds(false) == fds);
    char dir[] = "/tmp/pyshm_mt_XXXXXX", script[64] = "";
    if (mkdtemp(dir) != NULL) {
        snprintf(script, sizeof script, "%s/mute", dir);
        FILE *f = fopen(script, "w");
        if (f != NULL) {
            fputs("#!/bin/sh\nexec sleep 30\n", f);
            fclose(f);
        }
        chmod(script, 0700);
        setenv("PYSHM_WATCHDOG", script, 1);
        setenv("PYSHM_MANAGER_TIMEOUT_MS", "300", 1);
        CHECK_RC(pyshm_manager_start(&m), PYSHM_ETIMEDOUT);
        unsetenv("PYSHM_MANAGER_TIMEOUT_MS");
        CHECK(leak_count_fds(false) == fds);
        CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD); /* stopped and reaped */
        unlink(script);
        rmdir(dir);
    }
    if (saved != NULL)
        setenv("PYSHM_WATCHDOG", saved, 1);
    else
        unsetenv("PYSHM_WATCHDOG");
    free(saved);
    if (access(PYSHM_WATCHDOG_PATH, X_OK) == 0) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "'%s' 2>/dev/null", PYSHM_WATCHDOG_PATH);
        int st = system(cmd);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 2);
    }
}

/* --start: starts a manager (PYSHM_WATCHDOG from the environment, if it
 * is heeded) and reports "<AT_SECURE> <result> <errno>". */
static int start_main(void) {
    pyshm_manager *m = NULL;
    int rc = pyshm_manager_start(&m);
    printf("%lu %s %d\n", getauxval(AT_SECURE), pyshm_err_name(rc),
           rc == PYSHM_EOS ? pyshm_last_os_error() : 0);
    pyshm_manager_free(m);
    return 0;
}

/* Copies the file at from to a new file to, mode 0755. */
static bool copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t n;
    bool ok = in != NULL && out != NULL;
    while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
        ok = fwrite(buf, 1, n, out) == n;
    if (in != NULL)
        fclose(in);
    if (out != NULL && fclose(out) != 0)
        ok = false;
    return ok && chmod(to, 0755) == 0;
}

/* Runs `program --start` as user nobody with PYSHM_WATCHDOG naming no
 * program; its report line in out. */
static void start_as_nobody(const char *program, char *out, size_t cap) {
    struct passwd *pw = getpwnam("nobody");
    int report[2];
    out[0] = '\0';
    if (pipe(report) != 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(report[0]);
        dup2(report[1], 1);
        setenv("PYSHM_WATCHDOG", "/nonexistent/pyshm-watchdog", 1);
        unsetenv("TMPDIR"); /* ours, where nobody may not write */
        if (setgroups(0, NULL) != 0 || setgid(pw ? pw->pw_gid : 65534) != 0 ||
            setuid(pw ? pw->pw_uid : 65534) != 0)
            _exit(2);
        execl(program, program, "--start", (char *)NULL);
        _exit(3);
    }
    close(report[1]);
    raw_read_within(report[0], 10000, out, cap);
    close(report[0]);
    leak_wait(pid);
}

/*
 * PYSHM_WATCHDOG is not heeded in a process that runs with more privileges
 * than whoever set its environment: here, a copy of this program with a
 * file capability, run by user nobody (the kernel marks it AT_SECURE). A
 * plain copy, run the same way, heeds it: the variable is read where it
 * may be. Needs root and setcap, and a build that carries the watchdog
 * image (the capable copy must find a program nobody can run).
 */
static void test_privileged_environment(void) {
    if (geteuid() != 0 || pyshm__watchdog_image_size == 0 ||
        system("command -v setcap >/dev/null 2>&1") != 0) {
        printf("manager_test: PYSHM_WATCHDOG in a privileged process: skipped (needs root, "
               "setcap and the watchdog image)\n");
        return;
    }
    char dir[] = "/tmp/pyshm_mt_XXXXXX", plain[64], capable[64], cmd[200];
    if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0) {
        CHECK(!"a directory for the copies");
        return;
    }
    snprintf(plain, sizeof plain, "%s/plain", dir);
    snprintf(capable, sizeof capable, "%s/capable", dir);
    snprintf(cmd, sizeof cmd, "setcap cap_net_bind_service+ep '%s'", capable);
    CHECK(copy_file(self_path, plain) && copy_file(self_path, capable) && system(cmd) == 0);
    char got_plain[128], got_capable[128], want_plain[64];
    start_as_nobody(plain, got_plain, sizeof got_plain);
    start_as_nobody(capable, got_capable, sizeof got_capable);
    snprintf(want_plain, sizeof want_plain, "0 EOS %d\n", ENOENT);
    CHECK(strcmp(got_plain, want_plain) == 0);
    CHECK(strcmp(got_capable, "1 OK 0\n") == 0);
    printf("manager_test: PYSHM_WATCHDOG naming no program, as nobody: plain copy \"%.*s\", "
           "copy with a file capability \"%.*s\" (AT_SECURE, result, errno)\n",
           (int)strcspn(got_plain, "\n"), got_plain, (int)strcspn(got_capable, "\n"), got_capable);
    unlink(plain);
    unlink(capable);
    rmdir(dir);
}

/*
 * A client in another pid namespace cannot tell that the process listening
 * at the address is the one the address names, so it refuses the manager
 * (EAUTH) even with the right key. Needs root (unshare --pid).
 */
static void test_pid_namespace(void) {
    if (geteuid() != 0 || system("unshare --pid --fork true >/dev/null 2>&1") != 0) {
        printf("manager_test: a client in another pid namespace: skipped (needs root and "
               "unshare --pid)\n");
        return;
    }
    pyshm_manager *m = start_manager();
    if (m == NULL)
        return;
    char cmd[512], line[128] = "";
    snprintf(cmd, sizeof cmd, "unshare --pid --fork '%s' --child", self_path);
    setenv(ADDRESS_ENV, pyshm_manager_address(m), 1);
    FILE *p = popen(cmd, "r");
    unsetenv(ADDRESS_ENV);
    if (p != NULL) {
        if (fgets(line, sizeof line, p) == NULL)
            line[0] = '\0';
        pclose(p);
    }
    CHECK(strcmp(line, "connect EAUTH\n") == 0);
    printf("manager_test: a client in another pid namespace, with the key: %.*s\n",
           (int)strcspn(line, "\n"), line);
    pyshm_manager_free(m);
}

/*
 * --search: a build that carries no watchdog image and whose installed
 * path names nothing finds the program beside its executable, then in
 * ../libexec from there; with neither, it fails (EOS, ENOENT) rather than
 * run the watchdog in a fork of itself.
 */
static bool started_from(const char *program) {
    bool same = false;
#if HAVE_SUBREAPER
    pid_t pid = fork();
    if (pid == 0) {
        pyshm_manager *m = NULL;
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || pyshm_manager_start(&m) != 0)
            _exit(1);
        char path[64], exe[PATH_MAX] = "";
        snprintf(path, sizeof path, "/proc/%ld/exe", leak_first_child());
        ssize_t n = readlink(path, exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        pyshm_manager_free(m);
        while (wait(NULL) > 0) {
        }
        _exit(strcmp(exe, program) == 0 ? 0 : 2);
    }
    int st = leak_wait(pid);
    same = WIFEXITED(st) && WEXITSTATUS(st) == 0;
#else
    (void)program;
#endif
    return same;
}

static int search_main(void) {
    char self[PATH_MAX], beside[PATH_MAX + 32], libexec[PATH_MAX + 32], moved[PATH_MAX + 48];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(self, '/');
    if (pyshm__watchdog_image_size != 0 || access(PYSHM_WATCHDOG_PATH, F_OK) == 0 ||
        slash == NULL) {
        printf("manager_test --search: this build carries an image or finds an installed "
               "program\n");
        return 1;
    }
    *slash = '\0';
    snprintf(beside, sizeof beside, "%s/pyshm-watchdog", self);
    snprintf(libexec, sizeof libexec, "%s/../libexec", self);
    snprintf(moved, sizeof moved, "%s/pyshm-watchdog", libexec);
    unsetenv("PYSHM_WATCHDOG");
    CHECK(access(beside, X_OK) == 0);
    CHECK(started_from(beside));
    test_basics();
    mkdir(libexec, 0755);
    CHECK(rename(beside, moved) == 0);
    char *real = realpath(moved, NULL);
    CHECK(real != NULL && started_from(real));
    free(real);
    char away[PATH_MAX + 64];
    snprintf(away, sizeof away, "%s.away", moved);
    CHECK(rename(moved, away) == 0);
    pyshm_manager *m = NULL;
    CHECK_RC(pyshm_manager_start(&m), PYSHM_EOS);
    CHECK(pyshm_last_os_error() == ENOENT && m == NULL);
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD); /* nothing was forked */
    CHECK(rename(away, beside) == 0);
    rmdir(libexec);
    printf("manager_test --search: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}

/* ---- room and time ------------------------------------------------------ */

/*
 * Connections another process holds cannot lock a library client out: 200
 * that never authenticate, then 130 that authenticate and stay idle (each
 * more than the watchdog has room for). The client gets in each time (the time
 * it took is reported), and a client connected before them, whose
 * connection made way meanwhile, goes on working.
 */
static void test_crowded(void) {
    pyshm_manager *m = start_manager(), *early = NULL;
    if (m == NULL)
        return;
    const char *address = pyshm_manager_address(m);
    CHECK_RC(pyshm_manager_connect(address, &early), 0);
    enum { MUTE = 200, IDLE = 130 };
    int raw[MUTE], opened = 0;
    /* Into the backlog as it drains, for up to a second: more than the
     * watchdog has room for. */
    for (double until = leak_now() + 1.0; opened < MUTE && leak_now() < until;) {
        if ((raw[opened] = raw_connect(address, true)) >= 0)
            opened++;
        else
            leak_sleep(0.001);
    }
    for (int i = opened; i < MUTE; i++)
        raw[i] = -1;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            for (int i = 0; i < MUTE; i++)
                if (raw[i] >= 0)
                    close(raw[i]);
            opened = 0;
            for (int i = 0; i < IDLE; i++) {
                raw[i] = raw_connect(address, false);
                if (raw[i] >= 0 && !raw_authenticate(raw[i], address, 3000)) {
                    close(raw[i]);
                    raw[i] = -1;
                }
                opened += raw[i] >= 0;
            }
            for (int i = IDLE; i < MUTE; i++)
                raw[i] = -1;
        }
        double t = leak_now();
        pyshm_manager *c = NULL;
        int rc = pyshm_manager_connect(address, &c);
        CHECK_RC(rc, 0);
        if (rc == 0)
            CHECK_RC(pyshm_manager_track(c, "pyshm_mt_crowded"), 0);
        printf("manager_test: %d connections (of %d tried) %s: a client's connect: %s after "
               "%.0f ms\n",
               opened, round == 0 ? MUTE : IDLE,
               round == 0 ? "that never authenticate" : "authenticated and idle",
               pyshm_err_name(rc), (leak_now() - t) * 1e3);
        pyshm_manager_free(c);
    }
    CHECK(opened == IDLE);
    CHECK_RC(pyshm_manager_track(early, "pyshm_mt_crowded"), 0);
    CHECK_RC(pyshm_manager_track(m, "pyshm_mt_crowded"), 0);
    for (int i = 0; i < MUTE; i++)
        if (raw[i] >= 0)
            close(raw[i]);
    pyshm_manager_free(early);
    pyshm_manager_free(m);
}

/*
 * Deadlines: a connection that never authenticates, and an authenticated
 * one that sends a request a byte every 0.2 s without its newline, are
 * both told ETIMEDOUT and closed within a second or so (checked: within
 * 4 s), while an authenticated connection that sends nothing stays open
 * (the idle limit is a minute).
 */
static void test_deadlines(void) {
    pyshm_manager *m = start_manager();
    if (m == NULL)
        return;
    const char *address = pyshm_manager_address(m);
    int idle = raw_connect(address, false), trickle = raw_connect(address, false);
    CHECK(idle >= 0 && raw_authenticate(idle, address, 3000));
    CHECK(trickle >= 0 && raw_authenticate(trickle, address, 3000));
    struct {
        int fd;
        bool closed;
        double at;
        char got[256];
        size_t n;
    } w[2] = {{raw_connect(address, false), false, -1, "", 0}, {trickle, false, -1, "", 0}};
    const char *request = "T 707973686d5f6d745f747269636b6c65";
    size_t sent = 0;
    double t0 = leak_now(), next = t0;
    while (leak_now() - t0 < 4.0 && !(w[0].closed && w[1].closed)) {
        if (!w[1].closed && leak_now() >= next && sent < strlen(request)) {
            if (send(trickle, request + sent, 1, MSG_NOSIGNAL) == 1)
                sent++;
            next += 0.2;
        }
        struct pollfd p[2] = {{w[0].closed ? -1 : w[0].fd, POLLIN, 0},
                              {w[1].closed ? -1 : w[1].fd, POLLIN, 0}};
        int left = (int)((next - leak_now()) * 1e3);
        if (poll(p, 2, left > 0 ? left : 0) <= 0)
            continue;
        for (int i = 0; i < 2; i++) {
            if (p[i].revents == 0)
                continue;
            ssize_t r = read(w[i].fd, w[i].got + w[i].n, sizeof w[i].got - 1 - w[i].n);
            if (r > 0) {
                w[i].n += (size_t)r;
                w[i].got[w[i].n] = '\0';
            } else {
                w[i].closed = true;
                w[i].at = leak_now() - t0;
            }
        }
    }
    char told[32];
    snprintf(told, sizeof told, "E %d\n", ETIMEDOUT);
    CHECK(w[0].closed && strstr(w[0].got, told) != NULL);
    CHECK(w[1].closed && strcmp(w[1].got, told) == 0);
    struct pollfd p = {idle, POLLIN, 0};
    CHECK(poll(&p, 1, 0) == 0); /* neither told anything nor closed */
    printf("manager_test: closed after %.1f s a connection that never authenticates, after "
           "%.1f s one that sent %zu bytes of a request (%s)\n",
           w[0].at, w[1].at, sent, w[1].closed ? "told ETIMEDOUT" : "STILL OPEN");
    close(w[0].fd);
    close(trickle);
    close(idle);
    pyshm_manager_free(m);
}

/* ---- stalls ------------------------------------------------------------- */

#if HAVE_SUBREAPER
/*
 * 40 connections that never authenticate, queueing at a watchdog (wd) that
 * has little room for them: it must not spin (its CPU time over a second
 * is reported), a client must get in within its timeout (turned away
 * meanwhile, it tries again), the owner must be served and blocks
 * created, and clients taken at once again once the crowd has gone.
 * Failure bits from shift on.
 */
static int crowd(pyshm_manager *m, long wd, const char *what, int shift) {
    int bad = 0, raw[40];
    for (int i = 0; i < 40; i++)
        raw[i] = raw_connect(pyshm_manager_address(m), true);
    leak_sleep(0.2);
    double c0 = leak_cpu_seconds(wd), t0 = leak_now();
    leak_sleep(1.0);
    double cpu = (leak_cpu_seconds(wd) - c0) / (leak_now() - t0);
    double t = leak_now();
    pyshm_manager *c = NULL;
    int rc = pyshm_manager_connect(pyshm_manager_address(m), &c);
    printf("manager_test: %s: watchdog %.1f%% CPU; a client's connect: %s after %.0f ms\n", what,
           cpu * 100, pyshm_err_name(rc), (leak_now() - t) * 1e3);
    bad |= !(c0 >= 0 && cpu < 0.2);
    bad |= (rc != 0 || pyshm_manager_track(c, "pyshm_mt_crowd") != 0) << 1;
    pyshm_manager_free(c);
    pyshm_shm *s = NULL;
    bad |= (pyshm_manager_track(m, "pyshm_mt_crowd") != 0) << 2;
    bad |= (pyshm_manager_shm_create(m, NULL, 8, &s) != 0) << 2;
    pyshm_shm_free(s);
    for (int i = 0; i < 40; i++)
        if (raw[i] >= 0)
            close(raw[i]);
    leak_sleep(0.2);
    pyshm_manager_set_timeout(m, 200);
    bad |= (pyshm_manager_connect(pyshm_manager_address(m), &c) != 0) << 3;
    pyshm_manager_free(c);
    return bad << shift;
}
#endif

/*
 * The descriptor limit: 20, inherited from the owner (the watchdog then
 * serves fewer connections, keeping room for blocks), and 20 set on a
 * running watchdog (accept fails with EMFILE: the reserve descriptor sheds
 * the waiting client instead of a busy loop).
 */
static void test_fd_exhaustion(void) {
#if HAVE_SUBREAPER
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl, low;
        pyshm_manager *m, *m2;
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || getrlimit(RLIMIT_NOFILE, &rl) != 0)
            _exit(100);
        low = rl;
        low.rlim_cur = 20;
        if (setrlimit(RLIMIT_NOFILE, &low) != 0 || pyshm_manager_start(&m) != 0 ||
            setrlimit(RLIMIT_NOFILE, &rl) != 0)
            _exit(101);
        long wd = leak_first_child();
        int bad = crowd(m, wd, "limit 20 from the start", 0);
        bad |= (pyshm_manager_shutdown(m) != 0) << 3;
        pyshm_manager_free(m);
        leak_wait((pid_t)wd);
        if (pyshm_manager_start(&m2) != 0)
            _exit(102);
        wd = leak_first_child();
        if (prlimit((pid_t)wd, RLIMIT_NOFILE, &low, NULL) != 0)
            _exit(103);
        bad |= crowd(m2, wd, "limit 20 set later", 4);
        pyshm_manager_free(m2);
        leak_wait((pid_t)wd);
        _exit(bad);
    }
    check_child(pid, "fd exhaustion");
#endif
}

/*
 * A SIGSTOPped watchdog: requests and new connections time out (300 ms
 * set on the handles, and through PYSHM_MANAGER_TIMEOUT_MS for a new one)
 * with ETIMEDOUT instead of blocking for ever; once it runs again, the
 * late replies are skipped and the same handles work.
 */
static void test_stopped_watchdog(void) {
#if HAVE_SUBREAPER
    pid_t pid = fork();
    if (pid == 0) {
        int bad = 0;
        pyshm_manager *m, *c;
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0 || pyshm_manager_start(&m) != 0 ||
            pyshm_manager_connect(pyshm_manager_address(m), &c) != 0)
            _exit(100);
        long wd = leak_first_child();
        pyshm_manager_set_timeout(m, 300);
        pyshm_manager_set_timeout(c, 300);
        kill((pid_t)wd, SIGSTOP);
        double t = leak_now();
        pyshm_shm *s = NULL;
        bad |= (pyshm_manager_shm_create(c, "pyshm_mt_stopped", 8, &s) != PYSHM_ETIMEDOUT) << 0;
        bad |= (pyshm_manager_track(m, "pyshm_mt_stopped2") != PYSHM_ETIMEDOUT) << 1;
        setenv("PYSHM_MANAGER_TIMEOUT_MS", "300", 1);
        pyshm_manager *n = NULL;
        bad |= (pyshm_manager_connect(pyshm_manager_address(m), &n) != PYSHM_ETIMEDOUT) << 2;
        unsetenv("PYSHM_MANAGER_TIMEOUT_MS");
        double took = leak_now() - t;
        printf("manager_test: stopped watchdog: three calls timed out in %.0f ms\n", took * 1e3);
        bad |= (took > 3.0) << 3;
        kill((pid_t)wd, SIGCONT);
        /* The requests that timed out were carried out late; both handles
         * skip those replies and go on. */
        bad |= (pyshm_manager_track(c, "pyshm_mt_stopped3") != 0) << 4;
        bad |= (pyshm_manager_release(m, "pyshm_mt_stopped2") != PYSHM_ENOENT) << 5;
        bad |= !leak_name_exists("pyshm_mt_stopped") << 6;
        bad |= (pyshm_manager_shutdown(m) != 0) << 7;
        bad |= leak_name_exists("pyshm_mt_stopped") << 6;
        pyshm_manager_free(c);
        pyshm_manager_free(m);
        leak_wait((pid_t)wd);
        _exit(bad);
    }
    check_child(pid, "stopped watchdog");
#endif
}

/* Requests per second for n track requests of names already tracked. */
static double track_rate(pyshm_manager *m, int tracked, int n) {
    char name[64];
    double t = leak_now();
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "pyshm_mt_n%d", (int)((unsigned)i * 7919u % (unsigned)tracked));
        CHECK_RC(pyshm_manager_track(m, name), 0);
    }
    return n / (leak_now() - t);
}

/*
 * 50,000 tracked names: requests take no longer than with 100 (the rates
 * are reported), and the index stays right through releases: released
 * names are not found, the others are, and shutdown unlinks exactly the
 * tracked ones. Past the bound, tracking is ENOMEM.
 */
static void test_many_names(void) {
    pyshm_manager *m = start_manager();
    if (m == NULL)
        return;
    const int total = 50000;
    char name[64];
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "pyshm_mt_n%d", i);
        CHECK_RC(pyshm_manager_track(m, name), 0);
    }
    double few = track_rate(m, 100, 5000);
    double t = leak_now();
    for (int i = 100; i < total; i++) {
        snprintf(name, sizeof name, "pyshm_mt_n%d", i);
        int rc = pyshm_manager_track(m, name);
        if (rc != 0) {
            CHECK_RC(rc, 0);
            break;
        }
    }
    double fill = leak_now() - t;
    double many = track_rate(m, total, 5000);
    printf("manager_test: track requests: %.0f/s at 100 names, %.0f/s at %d names "
           "(%d tracked in %.2f s)\n",
           few, many, total, total, fill);
    /* Release every third name (each shifts entries of the index), then
     * check every name's state. */
    for (int i = 0; i < total; i += 3) {
        snprintf(name, sizeof name, "pyshm_mt_n%d", i);
        CHECK_RC(pyshm_manager_release(m, name), PYSHM_ENOENT); /* tracked, never created */
    }
    int wrong = 0;
    for (int i = 0; i < total; i++) {
        snprintf(name, sizeof name, "pyshm_mt_n%d", i);
        wrong += pyshm_manager_release(m, name) != (i % 3 == 0 ? PYSHM_ENOTFOUND : PYSHM_ENOENT);
        if (i % 2 == 0)
            wrong += pyshm_manager_track(m, name) != 0;
    }
    CHECK(wrong == 0);
    /* A block among them is unlinked at shutdown. */
    pyshm_shm *s = NULL;
    CHECK_RC(pyshm_manager_shm_create(m, "pyshm_mt_n_real", 8, &s), 0);
    pyshm_shm_free(s);
    /* The documented bound: 262,144 names (25,001 are tracked now). */
    int more = 0, rc = 0;
    for (; more < 300000; more++) {
        snprintf(name, sizeof name, "pyshm_mt_b%d", more);
        if ((rc = pyshm_manager_track(m, name)) != 0)
            break;
    }
    CHECK_RC(rc, PYSHM_ENOMEM);
    CHECK(more == 262144 - 25001);
    /* Its 262,144 shm_unlink calls take seconds on a busy machine. */
    pyshm_manager_set_timeout(m, 60000);
    CHECK_RC(pyshm_manager_shutdown(m), 0);
    CHECK(!leak_name_exists("pyshm_mt_n_real"));
    pyshm_manager_free(m);
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--child") == 0)
        return child_main();
    if (argc == 2 && strcmp(argv[1], "--start") == 0)
        return start_main();
    self_path = argv[0];
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 2 && strcmp(argv[1], "--search") == 0)
        return search_main();
    bool heavy = argc == 2 && strcmp(argv[1], "--heavy") == 0;
    test_basics();
    test_track_release();
    test_reserved_pages();
    test_null_arguments();
    test_exec_child();
    test_fork_child();
    for (int how = 0; how <= 4; how++)
        test_owner_death(how);
    test_sigchld();
    test_no_inherited_pipe();
    test_watchdog_signals();
    test_impostor_other_user();
    test_impostor_same_user();
    test_wrong_key();
    test_pid_namespace();
    test_watchdog_program_errors();
    test_privileged_environment();
    test_crowded();
    test_deadlines();
    test_stopped_watchdog();
    if (heavy) {
        test_watchdog_memory();
        test_fd_exhaustion();
        test_many_names();
    }
    printf("manager_test: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
