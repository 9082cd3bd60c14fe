/*
 * test_hardening.c - what a hostile or unlucky system does to the library:
 * a full /dev/shm at create, a sparse block whose header claims far more
 * than was written, files that are not blocks in a block's place, errors
 * that must keep their errno, and NULL for every pointer argument.
 *
 * Several cases need Linux (mount namespaces, /dev/shm as tmpfs, SEEK_HOLE)
 * or root; each says why when it is skipped. Every block made here is
 * unlinked before the test returns.
 */
#define _GNU_SOURCE /* unshare, CLONE_NEWNS */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#include <sys/mount.h>
#endif

#include "tests.h"

static void skip(const char *why) {
    fprintf(stderr, "\n    skipped: %s\n", why);
    CU_PASS(why);
}

/* Runs fn in a child process; 0 if it exited 0, 77 if it asked to be
 * skipped, else -1 with a description of how it ended in *how. */
static int in_child(int (*fn)(void *), void *arg, char *how, size_t cap) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(how, cap, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) _exit(fn(arg)); /* _exit: the parent's atexit work is not the child's */
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 77))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        snprintf(how, cap, "killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st)));
    else
        snprintf(how, cap, "exit status %d", WEXITSTATUS(st));
    return -1;
}

/* A child's own check: prints what failed and makes the child fail. */
#define CHILD_CHECK(cond, ...)                                                           \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "\n    %s:%d: ", __FILE__, __LINE__);                        \
            fprintf(stderr, __VA_ARGS__);                                                \
            fprintf(stderr, "\n");                                                       \
            failed = 1;                                                                  \
        }                                                                                \
    } while (0)

#if defined(__linux__)
static bool in_dev_shm(const char *name) {
    char path[300];
    snprintf(path, sizeof path, "/dev/shm/%s", name);
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Bytes of /dev/shm a file holds: its own pages, whatever else runs. */
static long long file_bytes(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_blocks * 512 : -1;
}

/* Entries of /dev/shm, which is this test's own tmpfs where it is called. */
static size_t dev_shm_entries(void) {
    size_t n = 0;
    DIR *d = opendir("/dev/shm");
    if (d == NULL) return (size_t)-1;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* ---- a full /dev/shm ---------------------------------------------------- */

/* In a private mount namespace, a 1 MiB tmpfs on /dev/shm: creating more
 * than fits must be ENOSPC, leave no name, and never SIGBUS. */
static int full_dev_shm(void *arg) {
    (void)arg;
    int failed = 0;
    if (unshare(CLONE_NEWNS) != 0) {
        fprintf(stderr, "\n    unshare(CLONE_NEWNS): %s", strerror(errno));
        return 77;
    }
    /* Keep the mount from propagating back to the real /dev/shm. The kernel
     * ignores source and type here; they are named for Valgrind's sake. */
    if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("pyshm-test", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=1777") != 0) {
        fprintf(stderr, "\n    mount tmpfs on /dev/shm: %s", strerror(errno));
        return 77;
    }
    const char *name = "pyshm_full";
    pyshm_shm *s = NULL;
    int rc = pyshm_shm_create(name, 4 << 20, &s);
    CHILD_CHECK(rc == PYSHM_ENOSPC && s == NULL, "4 MiB in a 1 MiB /dev/shm: rc %d (%s)", rc,
                pyshm_err_name(rc));
    CHILD_CHECK(str_eq(pyshm_err_pyexc(rc), "OSError"), "exception %s", pyshm_err_pyexc(rc));
    CHILD_CHECK(strstr(pyshm_strerror(rc), "[Errno 28]") &&
                    strstr(pyshm_strerror(rc), strerror(ENOSPC)),
                "message <%s> lacks the errno's text", pyshm_strerror(rc));
    CHILD_CHECK(!in_dev_shm(name), "a block that could not be reserved was left behind");
    if (s) { /* the old behaviour: prove the writer dies */
        memset(pyshm_shm_buf(s), 1, pyshm_shm_size(s));
        pyshm_shm_unlink(s);
        pyshm_shm_free(s);
    }

    rc = pyshm_shm_create(NULL, 4 << 20, &s);
    CHILD_CHECK(rc == PYSHM_ENOSPC, "random name: rc %d", rc);
    CHILD_CHECK(dev_shm_entries() == 0, "random name: %zu names left in /dev/shm",
                dev_shm_entries());

    /* A list whose image does not fit: nothing left either. */
    static char big[600000];
    memset(big, 'x', sizeof big);
    pyshm_value items[2] = {pyshm_bytes(big, sizeof big), pyshm_bytes(big, sizeof big)};
    pyshm_list *l = NULL;
    rc = pyshm_list_create("pyshm_full_list", items, 2, PYSHM_LAYOUT_AUTO, &l);
    CHILD_CHECK(rc == PYSHM_ENOSPC && l == NULL, "list of 1.2 MB: rc %d", rc);
    CHILD_CHECK(!in_dev_shm("pyshm_full_list"), "the list's block was left behind");
    if (l) {
        pyshm_shm_unlink(pyshm_list_shm(l));
        pyshm_list_free(l);
    }

    /* What fits is reserved whole: writing every byte of it cannot fault. */
    rc = pyshm_shm_create(name, 512 << 10, &s);
    CHILD_CHECK(rc == 0, "512 KiB in 1 MiB: rc %d", rc);
    if (rc == 0) {
        pyshm_shm *t = NULL;
        rc = pyshm_shm_create("pyshm_full_2", 768 << 10, &t);
        CHILD_CHECK(rc == PYSHM_ENOSPC, "a second block beyond what is left: rc %d", rc);
        pyshm_shm_free(t);
        memset(pyshm_shm_buf(s), 1, pyshm_shm_size(s)); /* SIGBUS here before */
        pyshm_shm_unlink(s);
        pyshm_shm_free(s);
    }
    CHILD_CHECK(dev_shm_entries() == 0, "%zu names left in /dev/shm", dev_shm_entries());

    /* A sparse block is made whatever its size, as CPython makes it, and
     * takes no page until one is written. */
    rc = pyshm_shm_create_sparse(name, 4 << 20, &s);
    CHILD_CHECK(rc == 0, "sparse 4 MiB in 1 MiB: rc %d (%s)", rc, pyshm_err_name(rc));
    if (rc == 0) {
        CHILD_CHECK(file_bytes("/dev/shm/pyshm_full") == 0, "the sparse block holds %lld bytes",
                    file_bytes("/dev/shm/pyshm_full"));
        CHILD_CHECK(pyshm_shm_size(s) == 4 << 20, "size %zu", pyshm_shm_size(s));
        pyshm_shm_unlink(s);
        pyshm_shm_free(s);
    }
    return failed;
}

static void test_full_dev_shm(void) {
    if (geteuid() != 0) {
        skip("full /dev/shm: needs root to mount a private tmpfs");
        return;
    }
    char how[128];
    int r = in_child(full_dev_shm, NULL, how, sizeof how);
    if (r == 77)
        skip("full /dev/shm: no mount namespace here (unshare or mount refused)");
    else
        CHECK(r == 0, "a full /dev/shm: the child failed: %s", r ? how : "");
}

/* ---- a sparse image ------------------------------------------------------ */

/* Peak resident memory of this process in KiB (VmHWM), reset-free. */
static long vm_hwm_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    fclose(f);
    return kib;
}

#define SPARSE_SIZE ((off_t)1 << 30)
#define SPARSE_N 50000000LL

struct sparse_result {
    char name[64];
    int rc;
    long rss_kib; /* growth of the peak RSS over the attach */
    char msg[512];
};

/* Attaches the sparse list in a child (whose peak RSS starts afresh) and
 * reports through a shared page. */
static int attach_sparse(void *arg) {
    struct sparse_result *r = arg;
    long before = vm_hwm_kib();
    pyshm_list *l = NULL;
    r->rc = pyshm_list_attach(r->name, PYSHM_LAYOUT_AUTO, &l, r->msg, sizeof r->msg);
    if (r->rc == 0) (void)pyshm_list_len(l);
    r->rss_kib = vm_hwm_kib() - before;
    pyshm_list_free(l);
    return 0;
}

static void test_sparse_image(void) {
    struct stat st;
    if (stat("/dev/shm", &st) != 0) {
        skip("sparse image: no /dev/shm");
        return;
    }
    /* A block of 1 GiB whose only written bytes are N = 50,000,000: its
     * header would be 400 MB of holes. Made as a peer would, without the
     * library (which reserves every page). */
    char name[64], path[80];
    snprintf(name, sizeof name, "%s", test_shm_name());
    snprintf(path, sizeof path, "/%s", name);
    char file[96];
    snprintf(file, sizeof file, "/dev/shm/%s", name);
    int fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (!CHECK(fd >= 0, "shm_open: %s", strerror(errno))) return;
    int64_t n = SPARSE_N;
    bool made = ftruncate(fd, SPARSE_SIZE) == 0 && pwrite(fd, &n, 8, 0) == 8;
    close(fd);
    if (!CHECK(made, "ftruncate/pwrite: %s", strerror(errno))) {
        shm_unlink(path);
        return;
    }
    struct sparse_result *r =
        mmap(NULL, sizeof *r, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!CHECK(r != MAP_FAILED, "mmap")) {
        shm_unlink(path);
        return;
    }
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    long long used0 = file_bytes(file);
    char how[128];
    int cr = in_child(attach_sparse, r, how, sizeof how);
    long long grew_kib = (file_bytes(file) - used0) / 1024;
    fprintf(stderr,
            "\n    sparse 1 GiB image, N = %lld: attach rc %s, peak RSS +%ld KiB, "
            "/dev/shm +%lld KiB\n",
            SPARSE_N, pyshm_err_name(r->rc), r->rss_kib, grew_kib);
    CHECK(cr == 0, "the attaching child failed: %s", how);
    CHECK(r->rc == PYSHM_ECORRUPT, "attach: rc %d (%s), want ECORRUPT", r->rc,
          pyshm_err_name(r->rc));
    CHECK(mentions(r->msg, "N: 50000000") && mentions(r->msg, "never written"),
          "message <%s> names N and the holes", r->msg);
    CHECK(r->rss_kib >= 0 && r->rss_kib < 16 * 1024, "peak RSS grew %ld KiB", r->rss_kib);
    CHECK(used0 > 0 && grew_kib < 1024, "the block's pages in /dev/shm grew %lld KiB by reading",
          grew_kib);
    munmap(r, sizeof *r);
    shm_unlink(path);
}

/* Images written in full are never refused, however large; a block never
 * written reads as zeros (an empty list), as CPython reads it. */
static void test_written_images_attach(void) {
    enum { N = 20000 }; /* 340 KB: far past PYSHM_DATA_SLACK */
    pyshm_value *items = malloc(N * sizeof *items);
    if (!CHECK(items != NULL, "malloc")) return;
    for (int i = 0; i < N; i++) items[i] = pyshm_int(i);
    pyshm_list *l = NULL, *m = NULL;
    char why[256] = "";
    int rc = pyshm_list_create(NULL, items, N, PYSHM_LAYOUT_AUTO, &l);
    free(items);
    if (!CHECK(rc == 0, "create %d items: rc %d", N, rc)) return;
    pyshm_shm *s = pyshm_list_shm(l);
    size_t data = pyshm_shm_data_size(s);
    CHECK(data == pyshm_shm_size(s), "a written image is data throughout: %zu of %zu", data,
          pyshm_shm_size(s));
    rc = pyshm_list_attach(pyshm_shm_name(s), PYSHM_LAYOUT_AUTO, &m, why, sizeof why);
    CHECK(rc == 0 && pyshm_list_len(m) == N, "attach: rc %d %s", rc, why);
    pyshm_value v;
    CHECK(m && pyshm_list_get(m, N - 1, &v) == 0 && v.u.i == N - 1, "last item");
    pyshm_list_free(m);
    pyshm_shm_unlink(s);
    pyshm_list_free(l);

    /* 1 MiB never written: reserved pages are still holes to SEEK_HOLE. */
    pyshm_shm *b = NULL;
    if (!CHECK(pyshm_shm_create(NULL, 1 << 20, &b) == 0, "create 1 MiB")) return;
    data = pyshm_shm_data_size(b);
    CHECK(data == PYSHM_DATA_SLACK || data == (size_t)1 << 20, "fresh block: data size %zu",
          data);
    rc = pyshm_list_attach(pyshm_shm_name(b), PYSHM_LAYOUT_AUTO, &m, why, sizeof why);
    CHECK(rc == 0 && pyshm_list_len(m) == 0, "a zeroed block is the empty list: rc %d %s", rc,
          why);
    pyshm_list_free(m);
    memset(pyshm_shm_buf(b), 0, 1 << 20);
    CHECK(pyshm_shm_data_size(b) == (size_t)1 << 20, "written: %zu", pyshm_shm_data_size(b));
    pyshm_shm_close(b);
    CHECK(pyshm_shm_data_size(b) == 0, "closed: 0");
    pyshm_shm_unlink(b);
    pyshm_shm_free(b);
}
#endif /* __linux__ */

/* ---- errors that say what happened --------------------------------------- */

/* Makes path (a file in /dev/shm) with make, attaches it by name and
 * checks the code, its exception and, if given, the message's text. */
static void attach_expect(const char *what, const char *name, int want, const char *pyexc,
                          const char *text) {
    pyshm_shm *s = NULL;
    int rc = pyshm_shm_attach(name, &s);
    CHECK(rc == want && s == NULL, "%s: rc %d (%s), want %s", what, rc, pyshm_err_name(rc),
          pyshm_err_name(want));
    CHECK(str_eq(pyshm_err_pyexc(rc), pyexc), "%s: exception %s, want %s (as CPython)", what,
          pyshm_err_pyexc(rc), pyexc);
    if (text)
        CHECK(strstr(pyshm_strerror(rc), text) != NULL, "%s: message <%s> lacks <%s>", what,
              pyshm_strerror(rc), text);
    pyshm_list *l = NULL;
    char why[256];
    rc = pyshm_list_attach(name, PYSHM_LAYOUT_AUTO, &l, why, sizeof why);
    CHECK(rc == want && l == NULL, "%s as a list: rc %d", what, rc);
    pyshm_shm_free(s);
}

static void test_not_blocks(void) {
    struct stat st;
    if (stat("/dev/shm", &st) != 0 || !S_ISDIR(st.st_mode)) {
        skip("files in a block's place: no /dev/shm");
        return;
    }
    char name[64], path[80];
    snprintf(name, sizeof name, "%s", test_shm_name());
    snprintf(path, sizeof path, "/dev/shm/%s", name);

    if (CHECK(mkdir(path, 0700) == 0, "mkdir %s", strerror(errno))) {
        attach_expect("a directory", name, PYSHM_EISDIR, "OSError", "is a directory");
        rmdir(path);
    }
    if (CHECK(mkfifo(path, 0600) == 0, "mkfifo %s", strerror(errno))) {
        attach_expect("a FIFO", name, PYSHM_ENOTREG, "OSError", "FIFO");
        unlink(path);
    }
    int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
    if (CHECK(fd >= 0, "create %s", strerror(errno))) {
        close(fd);
        attach_expect("an empty block", name, PYSHM_EEMPTY, "ValueError",
                      "cannot mmap an empty file");
        unlink(path);
    }
    char link_name[80], link_path[96];
    snprintf(link_name, sizeof link_name, "%s_l", name);
    snprintf(link_path, sizeof link_path, "/dev/shm/%s", link_name);
    /* shm_open refuses symbolic links (O_NOFOLLOW): ELOOP, kept. */
    if (CHECK(symlink("/dev/null", link_path) == 0, "symlink %s", strerror(errno))) {
        char text[128];
        snprintf(text, sizeof text, "[Errno %d] %s", ELOOP, strerror(ELOOP));
        attach_expect("a symbolic link", link_name, PYSHM_EOS, "OSError", text);
        CHECK(pyshm_last_os_error() == ELOOP, "errno kept: %d", pyshm_last_os_error());
        unlink(link_path);
    }
}

/* Out of descriptors: "[Errno 24] Too many open files", not a bare OSError. */
static int out_of_fds(void *arg) {
    const char *name = arg;
    int failed = 0;
    struct rlimit rl = {3, 3}; /* stdin, stdout, stderr: no room for one more */
    for (int fd = 3; fd < 1024; fd++) close(fd);
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) return 77;
    pyshm_shm *s = NULL;
    int rc = pyshm_shm_attach(name, &s);
    char text[128];
    snprintf(text, sizeof text, "[Errno %d] %s", EMFILE, strerror(EMFILE));
    CHILD_CHECK(rc == PYSHM_EOS && pyshm_last_os_error() == EMFILE, "rc %d errno %d", rc,
                pyshm_last_os_error());
    CHILD_CHECK(str_eq(pyshm_strerror(rc), text), "message <%s>, want <%s>",
                pyshm_strerror(rc), text);
    return failed;
}

static void test_emfile(void) {
    pyshm_shm *s = NULL;
    if (!CHECK(pyshm_shm_create(NULL, 64, &s) == 0, "create")) return;
    char how[128], name[64];
    snprintf(name, sizeof name, "%s", pyshm_shm_name(s));
    int r = in_child(out_of_fds, name, how, sizeof how);
    if (r == 77)
        skip("EMFILE: setrlimit refused");
    else
        CHECK(r == 0, "out of descriptors: %s", r ? how : "");
    pyshm_shm_unlink(s);
    pyshm_shm_free(s);
}

/* ---- len() of a closed list ------------------------------------------------ */

static void test_list_length(void) {
    pyshm_value items[3] = {pyshm_int(1), pyshm_none(), pyshm_str("a")};
    pyshm_list *l = NULL;
    if (!CHECK(pyshm_list_create(NULL, items, 3, PYSHM_LAYOUT_AUTO, &l) == 0, "create")) return;
    int64_t n = -7;
    CHECK(pyshm_list_length(l, &n) == 0 && n == 3, "open list: n %lld", (long long)n);
    pyshm_shm_unlink(pyshm_list_shm(l));
    /* Closed through its block, as l.shm.close() in Python. */
    pyshm_shm_close(pyshm_list_shm(l));
    n = -7;
    int rc = pyshm_list_length(l, &n);
    CHECK(rc == PYSHM_ECLOSED && n == -7, "closed block: rc %d", rc);
    CHECK(str_eq(pyshm_err_pyexc(rc), "TypeError"), "len() of a closed list is a TypeError");
    CHECK(pyshm_list_len(l) == 3, "the unchecked getter keeps N");
    pyshm_list_free(l);

    uint8_t buf[64];
    CHECK(pyshm_list_encode(buf, sizeof buf, items, 1, PYSHM_LAYOUT_AUTO) == 0, "encode");
    CHECK(pyshm_list_wrap(buf, sizeof buf, PYSHM_LAYOUT_AUTO, &l, NULL, 0) == 0, "wrap");
    CHECK(pyshm_list_length(l, &n) == 0 && n == 1, "wrapped: n %lld", (long long)n);
    pyshm_list_close(l);
    CHECK(pyshm_list_length(l, &n) == PYSHM_ECLOSED, "wrapped, closed");
    CHECK(pyshm_list_length(l, NULL) == PYSHM_EINVAL, "NULL n");
    CHECK(pyshm_list_length(NULL, &n) == PYSHM_EINVAL, "NULL list");
    pyshm_list_free(l);
}

/* ---- NULL for every pointer ------------------------------------------------ */

/* A list over a private buffer holding [1], and a value, for the calls that
 * need one valid argument beside the NULL. */
static uint8_t null_image[64];
static pyshm_list *null_list;
static pyshm_value null_value;

static void null_emit(const char *line, void *arg) {
    (void)line;
    (void)arg;
}

#define L null_list
#define V (&null_value)
#define B ((void *)null_image)
#define EINV(call) ((call) == PYSHM_EINVAL)
static const char *const nm = "pyshm_null_case";
static int64_t i64;
static size_t sz;
static char fmt9[9];

/* Each entry: the call, and whether it answered as the header says. */
#define NULL_CASES(X)                                                                     \
    X(pyshm_str(NULL).u.s.len == 0)                                                       \
    X(!pyshm_value_eq(NULL, V))                                                           \
    X(!pyshm_value_eq(V, NULL))                                                           \
    X(pyshm_value_repr(NULL, (char *)B, 8) == 0)                                          \
    X(pyshm_value_repr(V, NULL, 8) == 1)                                                  \
    X(EINV(pyshm_shm_create(nm, 8, NULL)))                                                \
    X(EINV(pyshm_shm_attach(nm, NULL)))                                                   \
    X(pyshm_shm_attach(NULL, NULL) == PYSHM_ENONAME)                                      \
    X(pyshm_shm_name(NULL) == NULL)                                                       \
    X(pyshm_shm_size(NULL) == 0)                                                          \
    X(pyshm_shm_buf(NULL) == NULL)                                                        \
    X(pyshm_shm_closed(NULL))                                                             \
    X(pyshm_shm_data_size(NULL) == 0)                                                     \
    X(EINV(pyshm_shm_close(NULL)))                                                        \
    X(EINV(pyshm_shm_unlink(NULL)))                                                       \
    X((pyshm_shm_free(NULL), true))                                                       \
    X(pyshm_unlink(NULL) == PYSHM_ENONAME)                                                \
    X(EINV(pyshm_shm_foreach(NULL, NULL)))                                                \
    X(EINV(pyshm_list_image_size(NULL, 1, PYSHM_LAYOUT_AUTO, &sz)))                       \
    X(EINV(pyshm_list_image_size(V, 1, PYSHM_LAYOUT_AUTO, NULL)))                         \
    X(EINV(pyshm_list_encode(NULL, 64, V, 1, PYSHM_LAYOUT_AUTO)))                         \
    X(EINV(pyshm_list_encode(B, 64, NULL, 1, PYSHM_LAYOUT_AUTO)))                         \
    X(EINV(pyshm_list_wrap(NULL, 64, PYSHM_LAYOUT_AUTO, &L, NULL, 0)))                    \
    X(EINV(pyshm_list_wrap(B, 64, PYSHM_LAYOUT_AUTO, NULL, NULL, 0)))                     \
    X(EINV(pyshm_list_create(nm, NULL, 1, PYSHM_LAYOUT_AUTO, &L)))                        \
    X(EINV(pyshm_list_create(nm, V, 1, PYSHM_LAYOUT_AUTO, NULL)))                         \
    X(pyshm_list_attach(NULL, PYSHM_LAYOUT_AUTO, &L, NULL, 0) == PYSHM_ENONAME)           \
    X(EINV(pyshm_list_attach(nm, PYSHM_LAYOUT_AUTO, NULL, NULL, 0)))                      \
    X(pyshm_list_shm(NULL) == NULL)                                                       \
    X(EINV(pyshm_list_close(NULL)))                                                       \
    X((pyshm_list_free(NULL), true))                                                      \
    X(pyshm_list_layout(NULL) == PYSHM_LAYOUT_AUTO)                                       \
    X(pyshm_list_len(NULL) == -1)                                                         \
    X(EINV(pyshm_list_length(NULL, &i64)))                                                \
    X(EINV(pyshm_list_length(L, NULL)))                                                   \
    X(pyshm_list_image_bytes(NULL) == 0)                                                  \
    X(EINV(pyshm_list_slot(NULL, 0, &sz)))                                                \
    X(EINV(pyshm_list_slot(L, 0, NULL)))                                                  \
    X(EINV(pyshm_list_get(NULL, 0, V)))                                                   \
    X(EINV(pyshm_list_get(L, 0, NULL)))                                                   \
    X(EINV(pyshm_list_get_copy(NULL, 0, V, fmt9, 8)))                                     \
    X(EINV(pyshm_list_get_copy(L, 0, NULL, fmt9, 8)))                                     \
    X(EINV(pyshm_list_get_copy(L, 0, V, NULL, 8)))                                        \
    X(EINV(pyshm_list_set(NULL, 0, V)))                                                   \
    X(EINV(pyshm_list_set(L, 0, NULL)))                                                   \
    X(EINV(pyshm_list_item_format(NULL, 0, fmt9)))                                        \
    X(EINV(pyshm_list_item_format(L, 0, NULL)))                                           \
    X(EINV(pyshm_list_format(NULL, fmt9, 8, &sz)))                                        \
    X(EINV(pyshm_list_format(L, NULL, 8, &sz)))                                           \
    X(pyshm_list_format(L, NULL, 0, NULL) == PYSHM_ENOBUFS)                               \
    X(EINV(pyshm_list_count(NULL, V, &i64)))                                              \
    X(EINV(pyshm_list_count(L, NULL, &i64)))                                              \
    X(EINV(pyshm_list_count(L, V, NULL)))                                                 \
    X(EINV(pyshm_list_index(NULL, V, &i64)))                                              \
    X(EINV(pyshm_list_index(L, NULL, &i64)))                                              \
    X(EINV(pyshm_list_index(L, V, NULL)))                                                 \
    X(EINV(pyshm_list_repr(NULL, fmt9, 8, &sz)))                                          \
    X(EINV(pyshm_list_repr(L, NULL, 8, &sz)))                                             \
    X(EINV(pyshm_inspect(NULL, 64, PYSHM_LAYOUT_AUTO, null_emit, NULL)))                  \
    X(EINV(pyshm_inspect(B, 64, PYSHM_LAYOUT_AUTO, NULL, NULL)))                          \
    X(str_eq(pyshm_list_errmsg(NULL), ""))

static int null_case(void *arg) {
    int which = *(const int *)arg, k = 0;
    bool ok = false;
    null_value = pyshm_int(1);
    if (pyshm_list_encode(null_image, sizeof null_image, V, 1, PYSHM_LAYOUT_AUTO) != 0 ||
        pyshm_list_wrap(null_image, sizeof null_image, PYSHM_LAYOUT_AUTO, &null_list, NULL,
                        0) != 0)
        return 3;
    pyshm_list *keep = null_list; /* a failing call may overwrite it with NULL */
#define RUN_(expr)                                                                         \
    if (k++ == which) ok = (expr);
    NULL_CASES(RUN_)
#undef RUN_
    pyshm_list_free(keep);
    return ok ? 0 : 1;
}

static void test_null_arguments(void) {
    static const char *const calls[] = {
#define NAME_(expr) #expr,
        NULL_CASES(NAME_)
#undef NAME_
    };
    for (int i = 0; i < (int)(sizeof calls / sizeof calls[0]); i++) {
        char how[128];
        int r = in_child(null_case, &i, how, sizeof how);
        CHECK(r == 0, "%s: %s", calls[i], r == 0 ? "" : how);
    }
}

#undef L
#undef V
#undef B
#undef EINV

void suite_hardening(void) {
    static const struct test_def t[] = {
#if defined(__linux__)
        {"a full /dev/shm: ENOSPC at create, nothing left, no SIGBUS", test_full_dev_shm},
        {"a sparse 1 GiB image: bounded memory, no page faulted", test_sparse_image},
        {"written images attach whatever their size", test_written_images_attach},
#endif
        {"a directory, FIFO, empty block, symlink in a block's place", test_not_blocks},
        {"out of descriptors keeps its errno", test_emfile},
        {"len() of a closed list: pyshm_list_length", test_list_length},
        {"NULL for every pointer argument", test_null_arguments},
    };
    TESTS_ADD_SUITE("hardening", t);
}
