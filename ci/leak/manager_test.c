/*
 * manager_test: the manager's behaviour, end to end, with real processes.
 *
 *   manager_test               run every test; exit status 1 on a failure
 *   manager_test --child ADDR  (internal) an exec'd client of manager ADDR
 *
 * Checked: blocks and lists created through a manager are unlinked at
 * shutdown and when the owner exits, aborts or is SIGKILLed (within 1 s);
 * other processes (exec'd or forked) create blocks that belong to the
 * manager; names can be tracked and released; the watchdog leaks no
 * descriptor into exec'd children and keeps none of the owner's pipes; the
 * owner ignoring or catching SIGCHLD changes nothing; no descriptor of the
 * caller's is left open after pyshm_manager_free(); the watchdog has a
 * session of its own, ignores SIGINT and SIGHUP, and cleans up on SIGTERM.
 */
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

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

/* An exec'd process: connects, creates a block, reports its name, how many
 * sockets it inherited and what shutting the manager down says, and exits. */
static int child_main(const char *address) {
    int sockets = leak_count_fds(true);
    pyshm_manager *m;
    int rc = pyshm_manager_connect(address, &m);
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
    snprintf(cmd, sizeof cmd, "'%s' --child '%s'", self_path, pyshm_manager_address(m));
    FILE *p = popen(cmd, "r");
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

/*
 * The watchdog itself (Linux: a child subreaper adopts it, and /proc lists
 * it): it is in a session of its own, so ^C at a terminal reaches only the
 * owner; SIGINT and SIGHUP do not stop it; SIGTERM makes it clean up and
 * exit 0. Runs in a child process, which alone is the subreaper.
 */
static void test_watchdog_signals(void) {
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
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
    int st = leak_wait(pid);
    CHECK(WIFEXITED(st));
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
        fprintf(stderr, "  watchdog signals: failure bits %#x\n", WEXITSTATUS(st));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
#endif
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child_main(argv[2]);
    self_path = argv[0];
    setvbuf(stdout, NULL, _IONBF, 0);
    test_basics();
    test_track_release();
    test_exec_child();
    test_fork_child();
    for (int how = 0; how <= 4; how++)
        test_owner_death(how);
    test_sigchld();
    test_no_inherited_pipe();
    test_watchdog_signals();
    printf("manager_test: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
