/*
 * The manager's watchdog: a process that tracks block names and unlinks all
 * of them when its owner shuts it down, exits, crashes or is killed.
 *
 * It is forked (twice, so that the owner has no long-lived child to reap)
 * from a process that may have other threads, so from here on only
 * async-signal-safe calls are made: no malloc, no stdio.
 */
#ifndef _WIN32 /* POSIX only: see manager.c */
/* macOS's getpeereid and MAP_ANON: internal.h, included first by manager.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED */
#endif
#include "manager.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)
#define MAP_ANONYMOUS MAP_ANON
#endif

typedef struct name_slot {
    char s[PYSHM__MGR_NAME_MAX + 1];
} name_slot;

typedef struct conn {
    int fd;
    bool owner; /* the socketpair to the process that started us */
    size_t len;
    char buf[PYSHM__MGR_LINE];
} conn;

static name_slot *names;
static size_t n_names, cap_names;
static conn *conns;
static size_t n_conns, cap_conns;
static struct pollfd *pfds;
static size_t cap_pfds;
static volatile sig_atomic_t terminated;
static int term_pipe[2] = {-1, -1};

/* Also wakes poll(): a flag alone could be set just before poll() starts
 * and wait for whatever event came next. */
static void on_term(int sig) {
    (void)sig;
    int e = errno;
    terminated = 1;
    if (term_pipe[1] >= 0 && write(term_pipe[1], "", 1) < 0) {
        /* full: a wake-up is pending anyway */
    }
    errno = e;
}

/* Makes room for need elements in *p (capacity *cap) with fresh anonymous
 * pages, since malloc may be unusable in a child of a threaded process. */
static bool grow(void **p, size_t *cap, size_t elem, size_t need) {
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 16;
    while (ncap < need)
        ncap *= 2;
    void *q = mmap(NULL, ncap * elem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED)
        return false;
    if (*p != NULL) {
        memcpy(q, *p, *cap * elem);
        munmap(*p, *cap * elem);
    }
    *p = q;
    *cap = ncap;
    return true;
}

static size_t find_name(const char *name) {
    for (size_t i = 0; i < n_names; i++)
        if (strcmp(names[i].s, name) == 0)
            return i;
    return (size_t)-1;
}

static void forget_name(size_t i) {
    names[i] = names[--n_names];
}

/* "/" + name, as shm_open and shm_unlink want it. */
static void shm_path(const char *name, char out[PYSHM__MGR_NAME_MAX + 2]) {
    out[0] = '/';
    memcpy(out + 1, name, strlen(name) + 1);
}

/* ---- replies ------------------------------------------------------------ */

static size_t put_u64(char *out, unsigned long long v) {
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Sends a whole reply without ever blocking: a peer that does not read its
 * replies is dropped rather than allowed to stall the watchdog, whose one
 * job is to notice its owner's death. */
static bool send_line(int fd, const char *line, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, line, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        line += w;
        n -= (size_t)w;
    }
    return true;
}

/* "<tag> <v>": an error ('E' and the errno), the greeting or the count of
 * names a shutdown unlinked ('0'). */
static bool reply_num(int fd, char tag, unsigned long long v) {
    char line[32] = {tag, ' '};
    size_t n = 2 + put_u64(line + 2, v);
    line[n++] = '\n';
    return send_line(fd, line, n);
}

/* "0 <hex name>", or "0" without a name. */
static bool reply_ok(int fd, const char *name) {
    char line[PYSHM__MGR_LINE] = "0 ";
    size_t n = 1;
    if (name != NULL) {
        pyshm__hex_encode(name, strlen(name), line + 2);
        n = 2 + strlen(line + 2);
    }
    line[n++] = '\n';
    return send_line(fd, line, n);
}

/* ---- requests ----------------------------------------------------------- */

static bool parse_u64(const char *s, size_t n, unsigned long long *v) {
    if (n == 0 || n > 20)
        return false;
    unsigned long long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (~0ULL - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *v = x;
    return true;
}

/* "psm_" + 8 hex digits, as pyshm__random_name() (which uses snprintf, not
 * async-signal-safe). */
static void random_name(char out[PYSHM__MGR_NAME_MAX + 1]) {
    unsigned char r[4] = {0};
    (void)pyshm__random_bytes(r, sizeof r); /* on failure: a fixed name, then EEXIST */
    memcpy(out, "psm_", 4);
    pyshm__hex_encode((const char *)r, sizeof r, out + 4);
}

/* Creates and tracks a block; returns 0 or an errno. Room in the table is
 * made first, so a created block is always tracked. */
static int do_create(unsigned long long size, const char *given, char name[PYSHM__MGR_NAME_MAX + 1]) {
    if (size == 0 || size > (unsigned long long)INT64_MAX)
        return EINVAL;
    if (sizeof(off_t) < 8 && size > (unsigned long long)INT32_MAX)
        return EFBIG; /* would not survive the cast to off_t */
    if (!grow((void **)&names, &cap_names, sizeof *names, n_names + 1))
        return ENOMEM;
    char path[PYSHM__MGR_NAME_MAX + 2];
    int fd = -1;
    for (int attempt = 0; fd < 0; attempt++) {
        if (given != NULL)
            memcpy(name, given, strlen(given) + 1);
        else
            random_name(name);
        shm_path(name, path);
        fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
        if (fd < 0 && !(given == NULL && errno == EEXIST && attempt < 100))
            return errno;
    }
    /* Tracked before anything else can fail, so even a later error path
     * that dies leaves the name to the cleanup. */
    memcpy(names[n_names++].s, name, strlen(name) + 1);
    int rc;
    do
        rc = ftruncate(fd, (off_t)size);
    while (rc < 0 && errno == EINTR);
    int err = rc < 0 ? errno : 0;
    close(fd);
    if (err != 0) {
        shm_unlink(path);
        forget_name(n_names - 1);
    }
    return err;
}

static int do_track(const char *name) {
    if (find_name(name) != (size_t)-1)
        return 0;
    if (!grow((void **)&names, &cap_names, sizeof *names, n_names + 1))
        return ENOMEM;
    memcpy(names[n_names++].s, name, strlen(name) + 1);
    return 0;
}

static int do_release(const char *name) {
    size_t i = find_name(name);
    if (i == (size_t)-1)
        return ESRCH;
    forget_name(i);
    char path[PYSHM__MGR_NAME_MAX + 2];
    shm_path(name, path);
    return shm_unlink(path) == 0 ? 0 : errno;
}

/* Unlinks every tracked name (already gone is fine: someone unlinked it
 * through a handle, as CPython allows) and returns how many there were. */
static size_t unlink_all(void) {
    size_t n = n_names;
    char path[PYSHM__MGR_NAME_MAX + 2];
    for (size_t i = 0; i < n_names; i++) {
        shm_path(names[i].s, path);
        shm_unlink(path);
    }
    n_names = 0;
    return n;
}

typedef enum { LINE_OK, LINE_DROP, LINE_SHUTDOWN } line_result;

/* A hex-encoded name from a request: non-empty, no NUL, no '/'. */
static bool decode_name(const char *hex, size_t hn, char out[PYSHM__MGR_NAME_MAX + 1]) {
    return pyshm__hex_decode(hex, hn, out, PYSHM__MGR_NAME_MAX + 1) > 0 &&
           strchr(out, '/') == NULL;
}

/* Handles one request line (without its newline) from c: a malformed line
 * drops the connection, anything else is answered with one reply. */
static line_result handle_line(conn *c, char *line, size_t n) {
    char name[PYSHM__MGR_NAME_MAX + 1];
    const char *made = NULL; /* the name a create replies with */
    char op = n > 0 ? line[0] : '\0';
    char *arg = line + 2;
    size_t an = n >= 2 ? n - 2 : 0;
    int err;
    if (op == 'S' && n == 1) {
        if (c->owner)
            return LINE_SHUTDOWN;
        err = EPERM;
    } else if (n < 3 || line[1] != ' ') {
        return LINE_DROP;
    } else if (op == 'C') {
        char *sp = memchr(arg, ' ', an);
        unsigned long long size;
        if (sp == NULL || !parse_u64(arg, (size_t)(sp - arg), &size))
            return LINE_DROP;
        char *hex = sp + 1;
        size_t hn = an - (size_t)(hex - arg);
        char given[PYSHM__MGR_NAME_MAX + 1];
        bool random = hn == 1 && hex[0] == '-';
        if (!random && !decode_name(hex, hn, given))
            err = EINVAL;
        else
            err = do_create(size, random ? NULL : given, name);
        made = name;
    } else if (op == 'T' || op == 'R') {
        if (!decode_name(arg, an, name))
            err = EINVAL;
        else
            err = op == 'T' ? do_track(name) : do_release(name);
    } else {
        return LINE_DROP;
    }
    bool sent = err != 0 ? reply_num(c->fd, 'E', (unsigned long long)err) : reply_ok(c->fd, made);
    return sent ? LINE_OK : LINE_DROP;
}

/* Reads what c has sent and handles each complete line. */
static line_result service(conn *c) {
    ssize_t r;
    do
        r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
    while (r < 0 && errno == EINTR);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return LINE_OK;
    if (r <= 0)
        return LINE_DROP;
    c->len += (size_t)r;
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl == NULL)
            return c->len == sizeof c->buf ? LINE_DROP : LINE_OK;
        size_t n = (size_t)(nl - c->buf);
        line_result lr = handle_line(c, c->buf, n);
        if (lr != LINE_OK)
            return lr;
        memmove(c->buf, nl + 1, c->len - n - 1);
        c->len -= n + 1;
    }
}

/* ---- connections -------------------------------------------------------- */

static void set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Only processes of our own user may track names: anyone else could have
 * us unlink blocks they cannot touch themselves. */
static bool same_user(int fd) {
#if defined(SO_PEERCRED)
    struct ucred cr;
    socklen_t len = sizeof cr;
    return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.uid == geteuid();
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
    uid_t uid;
    gid_t gid;
    return getpeereid(fd, &uid, &gid) == 0 && uid == geteuid();
#else
    (void)fd;
    return true; /* the socket's 0700 directory is the only guard */
#endif
}

/* Greets fd and adds it to the connections; false (fd not added) if
 * either fails. */
static bool add_conn(int fd, bool owner) {
    if (!grow((void **)&conns, &cap_conns, sizeof *conns, n_conns + 1))
        return false;
    set_nonblocking(fd);
    if (!reply_num(fd, '0', (unsigned long long)getpid()))
        return false;
    conns[n_conns].fd = fd;
    conns[n_conns].owner = owner;
    conns[n_conns].len = 0;
    n_conns++;
    return true;
}

static void accept_one(int lfd) {
    int fd;
    do
        fd = accept(lfd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return;
    if (!same_user(fd) || !add_conn(fd, false))
        close(fd);
}

/* ---- process setup ------------------------------------------------------ */

static void close_range_from(unsigned lo, unsigned hi) {
    if (lo > hi)
        return;
#if defined(SYS_close_range)
    if (syscall(SYS_close_range, lo, hi, 0) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (unsigned long fd = lo; fd <= hi && fd < (unsigned long)max; fd++)
        close((int)fd);
}

/* Keeps only the descriptors *fds[0..3) (-1 for unused; renumbered if on
 * 0..2), with 0, 1 and 2 on /dev/null: holding a copy of the owner's stdout
 * or of any other pipe would keep its reader from ever seeing end-of-file. */
static void isolate_fds(int *fds[3]) {
    for (int i = 0; i < 3; i++)
        if (*fds[i] >= 0 && *fds[i] <= 2) {
            int moved = fcntl(*fds[i], F_DUPFD, 3);
            if (moved >= 0)
                *fds[i] = moved;
        }
    int devnull = open("/dev/null", O_RDWR);
    for (int fd = 0; fd <= 2; fd++)
        if (devnull >= 0 && devnull != fd)
            dup2(devnull, fd);
    if (devnull > 2)
        close(devnull);
    int keep[3] = {*fds[0], *fds[1], *fds[2]};
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (keep[j] < keep[i]) {
                int t = keep[i];
                keep[i] = keep[j];
                keep[j] = t;
            }
    unsigned lo = 3;
    for (int i = 0; i < 3; i++) {
        if (keep[i] < 3)
            continue;
        if ((unsigned)keep[i] > lo)
            close_range_from(lo, (unsigned)keep[i] - 1);
        lo = (unsigned)keep[i] + 1;
    }
    close_range_from(lo, ~0U);
}

/* The owner's signal handlers are meaningless here: every signal goes back
 * to its default, terminal signals are ignored (setsid already moved us out
 * of the terminal's process group), and SIGTERM means clean up and exit. */
static void reset_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    for (int s = 1; s < 65; s++) {
        if (s == SIGKILL || s == SIGSTOP)
            continue;
        sa.sa_handler = SIG_DFL;
        sigaction(s, &sa, NULL);
    }
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGQUIT, &sa, NULL);
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static void finish(const pyshm__watchdog_args *a, int reply_fd, int status) {
    size_t n = unlink_all();
    if (reply_fd >= 0)
        reply_num(reply_fd, '0', n);
    for (size_t i = 0; i < n_conns; i++)
        close(conns[i].fd);
    close(a->listen_fd);
    if (a->sock_path[0] != '\0')
        unlink(a->sock_path);
    if (a->sock_dir[0] != '\0')
        rmdir(a->sock_dir);
    _exit(status);
}

void pyshm__watchdog_run(const pyshm__watchdog_args *a) {
    reset_signals();
    int owner_fd = a->owner_fd, listen_fd = a->listen_fd, pidfd = a->pidfd;
    int *fds[3] = {&owner_fd, &listen_fd, &pidfd};
    isolate_fds(fds);
    if (chdir("/") != 0) {
        /* not fatal: only keeps a directory busy */
    }
    set_nonblocking(listen_fd);
    pyshm__watchdog_args self = *a;
    self.listen_fd = listen_fd;
    if (owner_fd < 0 || listen_fd < 0 || !add_conn(owner_fd, true))
        finish(&self, -1, 1);

    if (pipe(term_pipe) == 0) {
        set_nonblocking(term_pipe[0]);
        set_nonblocking(term_pipe[1]);
    }
    for (;;) {
        if (terminated) /* SIGTERM before the pipe existed */
            finish(&self, -1, 0);
        if (!grow((void **)&pfds, &cap_pfds, sizeof *pfds, n_conns + 3))
            finish(&self, -1, 1);
        size_t np = 0;
        pfds[np].fd = listen_fd;
        pfds[np++].events = POLLIN;
        pfds[np].fd = pidfd;
        pfds[np++].events = POLLIN;
        pfds[np].fd = term_pipe[0];
        pfds[np++].events = POLLIN;
        for (size_t i = 0; i < n_conns; i++) {
            pfds[np].fd = conns[i].fd;
            pfds[np++].events = POLLIN;
        }
        /* Without a pidfd the owner is polled for every quarter second, so
         * an owner whose socket another process inherited still counts. */
        int r = poll(pfds, (nfds_t)np, pidfd >= 0 ? -1 : 250);
        if (terminated)
            finish(&self, -1, 0);
        if (r < 0 && errno != EINTR)
            finish(&self, -1, 1);
        if (pidfd >= 0 && pfds[1].revents != 0)
            finish(&self, -1, 0);
        if (pidfd < 0 && a->owner_pid > 0 && kill(a->owner_pid, 0) < 0 && errno == ESRCH)
            finish(&self, -1, 0);
        if (r <= 0)
            continue;
        /* Connections, last first (a dropped one is replaced by the last). */
        for (size_t i = n_conns; i-- > 0;) {
            if (pfds[i + 3].revents == 0)
                continue;
            line_result lr = service(&conns[i]);
            if (lr == LINE_SHUTDOWN)
                finish(&self, conns[i].fd, 0);
            if (lr == LINE_DROP) {
                if (conns[i].owner)
                    finish(&self, -1, 0); /* the owner is gone: exit, crash or kill */
                close(conns[i].fd);
                conns[i] = conns[--n_conns];
            }
        }
        if (pfds[0].revents & POLLIN)
            accept_one(listen_fd);
    }
}

#endif /* _WIN32 */
