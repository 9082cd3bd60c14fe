/*
 * SharedMemoryManager: blocks that are unlinked when the manager shuts down
 * or the process that started it dies, however it dies.
 *
 * pyshm_manager_start() forks a watchdog (watchdog.c) that holds one end of
 * a socketpair whose other end only the owner has. Blocks are created by
 * the watchdog on request and tracked there; when the owner's end closes
 * (exit, crash, SIGKILL, exec) or, on Linux, a pidfd says the owner has
 * exited, the watchdog unlinks every tracked name and exits. Other
 * processes reach the watchdog through a listening socket (the address).
 *
 * Windows has nothing to clean up (a block dies with its last handle), so
 * there every function reports PYSHM_ENOTSUP.
 */
#include "internal.h" /* first: on macOS it makes arc4random_buf, SO_NOSIGPIPE visible */

#ifdef _WIN32

PYSHM_API int pyshm_manager_start(pyshm_manager **out) {
    *out = NULL;
    return PYSHM_ENOTSUP;
}
PYSHM_API int pyshm_manager_connect(const char *address, pyshm_manager **out) {
    (void)address;
    *out = NULL;
    return PYSHM_ENOTSUP;
}
PYSHM_API const char *pyshm_manager_address(const pyshm_manager *m) {
    (void)m;
    return "";
}
PYSHM_API int pyshm_manager_shm_create(pyshm_manager *m, const char *name, int64_t size,
                                       pyshm_shm **out) {
    (void)m, (void)name, (void)size;
    *out = NULL;
    return PYSHM_ENOTSUP;
}
PYSHM_API int pyshm_manager_list_create(pyshm_manager *m, const char *name,
                                        const pyshm_value *items, size_t n,
                                        pyshm_layout layout, pyshm_list **out) {
    (void)m, (void)name, (void)items, (void)n, (void)layout;
    *out = NULL;
    return PYSHM_ENOTSUP;
}
PYSHM_API int pyshm_manager_track(pyshm_manager *m, const char *name) {
    (void)m, (void)name;
    return PYSHM_ENOTSUP;
}
PYSHM_API int pyshm_manager_release(pyshm_manager *m, const char *name) {
    (void)m, (void)name;
    return PYSHM_ENOTSUP;
}
PYSHM_API int pyshm_manager_shutdown(pyshm_manager *m) {
    (void)m;
    return PYSHM_ENOTSUP;
}
PYSHM_API void pyshm_manager_free(pyshm_manager *m) { (void)m; }

#else /* POSIX */

#include "codec.h"
#include "manager.h"
#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

struct pyshm_manager {
    int fd;       /* connection to the watchdog, -1 once shut down */
    pid_t pid;    /* the process fd belongs to; another one is a fork child */
    bool owner;   /* started here: may shut down; free shuts down */
    size_t rlen;  /* bytes of the reply buffer in use */
    char rbuf[PYSHM__MGR_LINE];
    char address[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
};

/* ---- helpers shared with the watchdog ----------------------------------- */


static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

long pyshm__hex_decode(const char *hex, size_t hn, char *out, size_t cap) {
    if (hn % 2 != 0 || hn / 2 >= cap)
        return -1;
    for (size_t i = 0; i < hn / 2; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0 || (hi | lo) == 0)
            return -1;
        out[i] = (char)(hi << 4 | lo);
    }
    out[hn / 2] = '\0';
    return (long)(hn / 2);
}

/* ---- descriptors -------------------------------------------------------- */

/* Descriptors are close-on-exec from birth where the system allows it, so a
 * thread that forks and execs meanwhile passes none of them on. */
static int cloexec_socket(int type) {
#ifdef SOCK_CLOEXEC
    return socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
#else
    int fd = socket(AF_UNIX, type, 0);
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
#endif
}

static int cloexec_socketpair(int sv[2]) {
#ifdef SOCK_CLOEXEC
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
#else
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return -1;
    fcntl(sv[0], F_SETFD, FD_CLOEXEC);
    fcntl(sv[1], F_SETFD, FD_CLOEXEC);
    return 0;
#endif
}

/* A write to a watchdog that has gone must be an error, not a SIGPIPE that
 * kills the caller. */
static void no_sigpipe(int fd) {
#ifdef SO_NOSIGPIPE
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#else
    (void)fd;
#endif
}

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* A pidfd for this process (Linux 5.3+), or -1. */
static int self_pidfd(void) {
#if PYSHM__MGR_LINUX && defined(SYS_pidfd_open)
    return (int)syscall(SYS_pidfd_open, getpid(), 0);
#else
    return -1;
#endif
}

/* ---- addresses ---------------------------------------------------------- */

/* Fills sa from an address string: "@name" is Linux's abstract namespace,
 * anything else a path. */
static int make_sockaddr(const char *address, struct sockaddr_un *sa, socklen_t *len) {
    size_t n = strlen(address);
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (n == 0 || n >= sizeof sa->sun_path)
        return PYSHM_EINVAL;
    memcpy(sa->sun_path, address, n);
    if (address[0] == '@') {
#if defined(__linux__)
        sa->sun_path[0] = '\0';
#else
        return PYSHM_ENOTSUP;
#endif
    }
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (address[0] != '@'));
    return 0;
}

/* Binds a fresh listening socket: an unguessable abstract name, or a file in
 * a new 0700 directory. dir receives that directory ("" for abstract). */
static int listen_socket(char *address, size_t cap, char *dir, size_t dircap, int *out) {
    int fd = cloexec_socket(SOCK_STREAM);
    if (fd < 0)
        return pyshm__os_error(errno);
    dir[0] = '\0';
    for (int attempt = 0;; attempt++) {
#if PYSHM__MGR_LINUX
        (void)dircap;
        unsigned char r[8];
        char hex[17];
        if (pyshm__random_bytes(r, sizeof r) != 0) {
            close(fd);
            return pyshm__os_error(errno);
        }
        pyshm__hex_encode((const char *)r, sizeof r, hex);
        snprintf(address, cap, "@pyshm-%ld-%s", (long)getpid(), hex);
#else
        const char *tmp = getenv("TMPDIR");
        if (tmp == NULL || tmp[0] == '\0')
            tmp = "/tmp";
        int dir_err = 0;
        if ((size_t)snprintf(dir, dircap, "%s/pyshm-XXXXXX", tmp) >= dircap)
            dir_err = ENAMETOOLONG;
        else if (mkdtemp(dir) == NULL)
            dir_err = errno;
        if (dir_err != 0) {
            dir[0] = '\0';
            close(fd);
            return dir_err == ENAMETOOLONG ? PYSHM_ENAMETOOLONG : pyshm__os_error(dir_err);
        }
        if ((size_t)snprintf(address, cap, "%s/manager", dir) >= cap) {
            rmdir(dir);
            dir[0] = '\0';
            close(fd);
            return PYSHM_ENAMETOOLONG;
        }
#endif
        struct sockaddr_un sa;
        socklen_t len;
        int rc = make_sockaddr(address, &sa, &len);
        if (rc == 0 && bind(fd, (struct sockaddr *)&sa, len) == 0 && listen(fd, 64) == 0) {
            *out = fd;
            return 0;
        }
        int e = errno;
        if (dir[0] != '\0') {
            unlink(address); /* bound, then listen() failed */
            rmdir(dir);
            dir[0] = '\0';
        }
        if (rc == 0 && e == EADDRINUSE && attempt < 10)
            continue;
        close(fd);
        return rc != 0 ? rc : pyshm__os_error(e);
    }
}

/* ---- requests ----------------------------------------------------------- */

static int send_all(int fd, const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return pyshm__os_error(w < 0 ? errno : EPIPE);
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one reply line into line (NUL-terminated, without the newline). */
static int read_line(pyshm_manager *m, char *line, size_t cap) {
    for (;;) {
        char *nl = memchr(m->rbuf, '\n', m->rlen);
        if (nl != NULL) {
            size_t n = (size_t)(nl - m->rbuf);
            if (n >= cap)
                return pyshm__os_error(EPROTO);
            memcpy(line, m->rbuf, n);
            line[n] = '\0';
            memmove(m->rbuf, nl + 1, m->rlen - n - 1);
            m->rlen -= n + 1;
            return 0;
        }
        if (m->rlen == sizeof m->rbuf)
            return pyshm__os_error(EPROTO);
        ssize_t r = read(m->fd, m->rbuf + m->rlen, sizeof m->rbuf - m->rlen);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) /* the watchdog has gone */
            return pyshm__os_error(r < 0 ? errno : EPIPE);
        m->rlen += (size_t)r;
    }
}

/* The errno a watchdog reports, as a PYSHM_E* code: its shm_open and
 * ftruncate errors map as pyshm_shm_create()'s; ESRCH is its "not tracked". */
static int map_errno(int e) {
    return e == ESRCH ? PYSHM_ENOTFOUND : pyshm__map_errno(e);
}

static int open_connection(pyshm_manager *m);

/* A handle inherited through fork() shares its socket with the parent, and
 * two processes writing requests into one stream would interleave them:
 * the child gets its own connection instead, and is not the owner. */
static int ready(pyshm_manager *m) {
    if (m->fd < 0)
        return PYSHM_ECLOSED;
    if (m->pid == getpid())
        return 0;
    close(m->fd);
    m->owner = false;
    m->pid = getpid();
    return open_connection(m);
}

/* Sends request (with its newline) and reads the reply. On "0 ..." copies
 * the text after "0 " (or "") into arg; "E <errno>" becomes a PYSHM_E*. */
static int request(pyshm_manager *m, const char *req, char *arg, size_t cap) {
    int rc = ready(m);
    if (rc == 0)
        rc = send_all(m->fd, req, strlen(req));
    char line[PYSHM__MGR_LINE];
    if (rc == 0)
        rc = read_line(m, line, sizeof line);
    if (rc != 0)
        return rc;
    if (line[0] == '0' && (line[1] == '\0' || line[1] == ' ')) {
        const char *a = line[1] ? line + 2 : line + 1;
        if (strlen(a) >= cap)
            return pyshm__os_error(EPROTO);
        memcpy(arg, a, strlen(a) + 1);
        return 0;
    }
    if (line[0] == 'E' && line[1] == ' ')
        return map_errno(atoi(line + 2));
    return pyshm__os_error(EPROTO);
}

/* The checks pyshm_shm_create makes, so that the errors are the same, and
 * the protocol's own bound on a name. */
static int check_name(const char *name) {
    if (name == NULL)
        return PYSHM_ENONAME;
    int rc = pyshm__check_name(name);
    if (rc == 0 && strlen(name) > PYSHM__MGR_NAME_MAX)
        rc = PYSHM_ENAMETOOLONG;
    return rc;
}

static int name_request(pyshm_manager *m, char op, const char *name) {
    int rc = check_name(name);
    if (rc != 0)
        return rc;
    char req[PYSHM__MGR_LINE];
    req[0] = op;
    req[1] = ' ';
    pyshm__hex_encode(name, strlen(name), req + 2);
    strcat(req, "\n");
    char arg[8];
    return request(m, req, arg, sizeof arg);
}

/* ---- connecting --------------------------------------------------------- */

static int connect_to(const char *address, int *out) {
    struct sockaddr_un sa;
    socklen_t len;
    int rc = make_sockaddr(address, &sa, &len);
    if (rc != 0)
        return rc;
    int fd = cloexec_socket(SOCK_STREAM);
    if (fd < 0)
        return pyshm__os_error(errno);
    no_sigpipe(fd);
    int c;
    do
        c = connect(fd, (struct sockaddr *)&sa, len);
    while (c < 0 && errno == EINTR);
    if (c < 0) {
        int e = errno;
        close(fd);
        /* No such manager (any more): as attaching a missing block. */
        return e == ENOENT || e == ECONNREFUSED ? PYSHM_ENOENT : pyshm__os_error(e);
    }
    *out = fd;
    return 0;
}

/* Reads the watchdog's greeting, which also proves it accepted us: it
 * hangs up on a process of another user (refused_is_eacces). */
static int read_hello(pyshm_manager *m, bool refused_is_eacces) {
    char line[PYSHM__MGR_LINE];
    int rc = read_line(m, line, sizeof line);
    if (rc != 0)
        return refused_is_eacces && rc == PYSHM_EOS && pyshm_last_os_error() == EPIPE
                   ? PYSHM_EACCES
                   : rc;
    return line[0] == '0' && line[1] == ' ' ? 0 : pyshm__os_error(EPROTO);
}

/* Connects m (fd -1) to the manager at m->address and reads its greeting;
 * on failure m->fd stays -1. */
static int open_connection(pyshm_manager *m) {
    m->fd = -1;
    m->rlen = 0;
    int rc = connect_to(m->address, &m->fd);
    if (rc == 0)
        rc = read_hello(m, true);
    if (rc != 0 && m->fd >= 0) {
        close(m->fd);
        m->fd = -1;
    }
    return rc;
}

static pyshm_manager *new_handle(void) {
    pyshm_manager *m = calloc(1, sizeof *m);
    if (m != NULL) {
        m->fd = -1;
        m->pid = getpid();
    }
    return m;
}

PYSHM_API int pyshm_manager_connect(const char *address, pyshm_manager **out) {
    *out = NULL;
    if (address == NULL)
        return PYSHM_EINVAL;
    pyshm_manager *m = new_handle();
    if (m == NULL)
        return PYSHM_ENOMEM;
    if (strlen(address) >= sizeof m->address) {
        free(m);
        return PYSHM_EINVAL;
    }
    strcpy(m->address, address);
    int rc = open_connection(m);
    if (rc != 0) {
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* Waits for a child, whatever the caller did with SIGCHLD: ignored (the
 * child reaps itself and waitpid fails with ECHILD) or caught by a handler
 * that reaped it first (ECHILD too). */
static void reap(pid_t pid) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

PYSHM_API int pyshm_manager_start(pyshm_manager **out) {
    *out = NULL;
    pyshm_manager *m = new_handle();
    if (m == NULL)
        return PYSHM_ENOMEM;
    char dir[sizeof m->address];
    int lfd = -1, sv[2];
    int rc = listen_socket(m->address, sizeof m->address, dir, sizeof dir, &lfd);
    if (rc != 0) {
        free(m);
        return rc;
    }
    if (cloexec_socketpair(sv) != 0) {
        rc = pyshm__os_error(errno);
        goto fail_listen;
    }
    no_sigpipe(sv[0]);
    int pidfd = self_pidfd();
    pyshm__watchdog_args args = {sv[1], lfd, pidfd, getpid(), "", dir};
    if (dir[0] != '\0')
        args.sock_path = m->address;

    /* Fork twice: the watchdog is a grandchild, re-parented at once, so
     * the owner never has a child of ours to reap later, nor one that a
     * wait() for any child of its own could pick up. */
    pid_t child = fork();
    if (child == 0) {
        setsid(); /* out of the terminal's process group: ^C is for the owner */
        pid_t grandchild = fork();
        if (grandchild == 0)
            pyshm__watchdog_run(&args);
        _exit(grandchild < 0 ? 1 : 0);
    }
    int fork_errno = errno;
    close(sv[1]);
    if (pidfd >= 0)
        close(pidfd);
    close(lfd);
    if (child < 0) {
        close(sv[0]);
        rc = pyshm__os_error(fork_errno);
        goto fail_dir;
    }
    reap(child);
    m->fd = sv[0];
    /* Ends in end-of-file if the watchdog could not start. */
    rc = read_hello(m, false);
    if (rc != 0) {
        close(m->fd);
        goto fail_dir;
    }
    m->owner = true;
    *out = m;
    return 0;

fail_listen:
    close(lfd);
fail_dir:
    if (dir[0] != '\0') {
        unlink(m->address);
        rmdir(dir);
    }
    free(m);
    return rc;
}

PYSHM_API const char *pyshm_manager_address(const pyshm_manager *m) { return m->address; }

/* ---- blocks and lists --------------------------------------------------- */

/* Has the watchdog create (and track) a block, and returns its name. */
static int create_block(pyshm_manager *m, const char *name, int64_t size,
                        char out[PYSHM__MGR_NAME_MAX + 1]) {
    if (size < 0)
        return PYSHM_ENEGSIZE;
    if (size == 0)
        return PYSHM_ESIZE;
    char req[PYSHM__MGR_LINE];
    int n = snprintf(req, sizeof req, "C %lld ", (long long)size);
    if (name != NULL) {
        int rc = check_name(name);
        if (rc != 0)
            return rc;
        pyshm__hex_encode(name, strlen(name), req + n);
    } else {
        strcpy(req + n, "-");
    }
    strcat(req, "\n");
    char hex[PYSHM__MGR_LINE];
    int rc = request(m, req, hex, sizeof hex);
    if (rc != 0)
        return rc;
    if (pyshm__hex_decode(hex, strlen(hex), out, PYSHM__MGR_NAME_MAX + 1) <= 0)
        return pyshm__os_error(EPROTO);
    return 0;
}

PYSHM_API int pyshm_manager_shm_create(pyshm_manager *m, const char *name, int64_t size,
                                       pyshm_shm **out) {
    *out = NULL;
    char made[PYSHM__MGR_NAME_MAX + 1];
    int rc = create_block(m, name, size, made);
    if (rc != 0)
        return rc;
    rc = pyshm_shm_attach(made, out);
    if (rc != 0)
        (void)name_request(m, 'R', made);
    return rc;
}

PYSHM_API int pyshm_manager_list_create(pyshm_manager *m, const char *name,
                                        const pyshm_value *items, size_t n,
                                        pyshm_layout layout, pyshm_list **out) {
    *out = NULL;
    if (layout == PYSHM_LAYOUT_AUTO)
        layout = PYSHM_LAYOUT_PY39;
    size_t size;
    int rc = pyshm_list_image_size(items, n, layout, &size);
    if (rc != 0)
        return rc;
    if (size > (size_t)INT64_MAX)
        return PYSHM_ENOMEM;
    /* As pyshm_list_create, over a block the watchdog created: write the
     * image, then open the list on it, which reads the header back. */
    pyshm_shm *shm;
    rc = pyshm_manager_shm_create(m, name, (int64_t)size, &shm);
    if (rc != 0)
        return rc;
    rc = pyshm_list_encode(shm->buf, shm->size, items, n, layout);
    if (rc == 0)
        rc = pyshm__list_open(out, shm, shm->buf, shm->size, layout, NULL, 0);
    if (rc != 0) {
        (void)name_request(m, 'R', shm->name);
        pyshm_shm_free(shm);
    }
    return rc;
}

PYSHM_API int pyshm_manager_track(pyshm_manager *m, const char *name) {
    return name_request(m, 'T', name);
}

PYSHM_API int pyshm_manager_release(pyshm_manager *m, const char *name) {
    return name_request(m, 'R', name);
}

/* ---- shutting down ------------------------------------------------------ */

/* Started here, and not a fork child's copy of the handle. */
static bool is_owner(const pyshm_manager *m) { return m->owner && m->pid == getpid(); }

PYSHM_API int pyshm_manager_shutdown(pyshm_manager *m) {
    if (m->fd < 0)
        return 0;
    if (!is_owner(m))
        return PYSHM_EINVAL;
    char count[32];
    int rc = request(m, "S\n", count, sizeof count);
    /* Whatever the reply, the watchdog is finishing: its unlinks are done
     * before it replies, and closing our end would make it finish anyway. */
    close(m->fd);
    m->fd = -1;
    return rc;
}

PYSHM_API void pyshm_manager_free(pyshm_manager *m) {
    if (m == NULL)
        return;
    if (m->fd >= 0) {
        if (is_owner(m))
            (void)pyshm_manager_shutdown(m);
        else
            close(m->fd); /* a connection, or a fork child's copy: not ours to stop */
    }
    free(m);
}

#endif /* POSIX */
