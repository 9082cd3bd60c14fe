/*
 * SharedMemoryManager: blocks that are unlinked when the manager shuts down
 * or the process that started it dies, however it dies.
 *
 * pyshm_manager_start() starts a watchdog (watchdog.c, run as the program
 * of watchdog_main.c, found and started by watchdog_spawn.c) that holds
 * one end of a socketpair whose other end only the owner has. Blocks are
 * created by the watchdog on request and tracked there; when the owner's
 * end closes (exit, crash, SIGKILL, exec) or, on Linux, a pidfd says the
 * owner has exited, the watchdog unlinks every tracked name and exits. Other processes reach the watchdog through
 * a listening socket (the address), authenticated both ways with a key the
 * address carries.
 *
 * Windows has nothing to clean up (a block dies with its last handle), so
 * there every function reports PYSHM_ENOTSUP.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* struct ucred, SO_PEERCRED */
#endif
#include "internal.h" /* first: on macOS it makes arc4random_buf, SO_NOSIGPIPE visible */

#ifdef _WIN32

PYSHM_API int pyshm_manager_start(pyshm_manager **out) {
    if (out != NULL)
        *out = NULL;
    return PYSHM_ENOTSUP;
}
PYSHM_API int pyshm_manager_connect(const char *address, pyshm_manager **out) {
    (void)address;
    if (out != NULL)
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
    if (out != NULL)
        *out = NULL;
    return PYSHM_ENOTSUP;
}
PYSHM_API int pyshm_manager_list_create(pyshm_manager *m, const char *name,
                                        const pyshm_value *items, size_t n,
                                        pyshm_layout layout, pyshm_list **out) {
    (void)m, (void)name, (void)items, (void)n, (void)layout;
    if (out != NULL)
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
PYSHM_API int pyshm_manager_set_timeout(pyshm_manager *m, int ms) {
    (void)m, (void)ms;
    return PYSHM_ENOTSUP;
}
PYSHM_API void pyshm_manager_free(pyshm_manager *m) { (void)m; }

#else /* POSIX */

#include "codec.h"
#include "manager.h"
#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SOCK_MAX sizeof(((struct sockaddr_un *)0)->sun_path)
/* "<socket>#<hex key>" */
#define ADDRESS_MAX (SOCK_MAX + 1 + 2 * PYSHM__MGR_KEY + 1)
#define DEFAULT_TIMEOUT_MS 5000

struct pyshm_manager {
    int fd;          /* connection to the watchdog, -1 once shut down */
    pid_t pid;       /* the process fd belongs to; another one is a fork child */
    bool owner;      /* started here: may shut down; free shuts down */
    int timeout_ms;  /* for each request, and for connecting */
    unsigned owed;   /* replies still to come for requests that timed out */
    pid_t named_pid; /* the pid in the address: the process listening there */
    size_t rlen;     /* bytes of the reply buffer in use */
    char rbuf[PYSHM__MGR_LINE];
    unsigned char key[PYSHM__MGR_KEY];
    char sock[SOCK_MAX + 1]; /* the address without its key */
    char address[ADDRESS_MAX];
};

/* ---- helpers shared with the watchdog ----------------------------------- */

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool pyshm__hex_bytes(const char *hex, size_t hn, unsigned char *out, size_t n) {
    if (hn != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

long pyshm__hex_decode(const char *hex, size_t hn, char *out, size_t cap) {
    if (hn % 2 != 0 || hn / 2 >= cap ||
        !pyshm__hex_bytes(hex, hn, (unsigned char *)out, hn / 2) || memchr(out, '\0', hn / 2))
        return -1;
    out[hn / 2] = '\0';
    return (long)(hn / 2);
}
/* ---- authentication: SHA-256 (FIPS 180-4) and HMAC (RFC 2104) ------------ */

/* Small and slow is fine: a handshake hashes a few hundred bytes. */
typedef struct sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed so far */
    unsigned char block[64];
} sha256;

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n) { return x >> n | x << (32 - n); }

static void sha256_block(sha256 *s, const unsigned char *p) {
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3;
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10;
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, s->h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = v[7] + (ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25)) +
                      ((v[4] & v[5]) ^ (~v[4] & v[6])) + sha256_k[i] + w[i];
        uint32_t t2 = (ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22)) +
                      ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        s->h[i] += v[i];
}

static void sha256_init(sha256 *s) {
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->len = 0;
}

static void sha256_update(sha256 *s, const void *data, size_t n) {
    const unsigned char *p = data;
    while (n > 0) {
        size_t used = (size_t)(s->len % 64), take = 64 - used < n ? 64 - used : n;
        memcpy(s->block + used, p, take);
        s->len += take;
        p += take;
        n -= take;
        if (s->len % 64 == 0)
            sha256_block(s, s->block);
    }
}

static void sha256_final(sha256 *s, unsigned char out[32]) {
    uint64_t bits = s->len * 8;
    unsigned char pad[72] = {0x80};
    size_t padn = 64 - (size_t)((s->len + 8) % 64);
    if (padn == 0)
        padn = 64;
    for (int i = 0; i < 8; i++)
        pad[padn + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(s, pad, padn + 8);
    for (int i = 0; i < 32; i++)
        out[i] = (unsigned char)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}

void pyshm__mgr_proof(const unsigned char key[PYSHM__MGR_KEY], const char *label,
                      const unsigned char a[PYSHM__MGR_KEY],
                      const unsigned char b[PYSHM__MGR_KEY], unsigned char out[32]) {
    /* HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)); a 32-byte key
     * needs no hashing down, only zero padding to the block size. */
    unsigned char ipad[64] = {0}, opad[64] = {0}, inner[32];
    memcpy(ipad, key, PYSHM__MGR_KEY);
    memcpy(opad, key, PYSHM__MGR_KEY);
    for (int i = 0; i < 64; i++) {
        ipad[i] ^= 0x36;
        opad[i] ^= 0x5c;
    }
    sha256 s;
    sha256_init(&s);
    sha256_update(&s, ipad, sizeof ipad);
    sha256_update(&s, label, strlen(label));
    sha256_update(&s, a, PYSHM__MGR_KEY);
    sha256_update(&s, b, PYSHM__MGR_KEY);
    sha256_final(&s, inner);
    sha256_init(&s);
    sha256_update(&s, opad, sizeof opad);
    sha256_update(&s, inner, sizeof inner);
    sha256_final(&s, out);
}

bool pyshm__same_bytes(const unsigned char *a, const unsigned char *b, size_t n) {
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= a[i] ^ b[i];
    return d == 0;
}

void pyshm__mgr_answer(const unsigned char key[PYSHM__MGR_KEY],
                       const unsigned char ns[PYSHM__MGR_KEY],
                       const unsigned char nc[PYSHM__MGR_KEY], char out[PYSHM__MGR_ANSWER]) {
    unsigned char proof[32];
    pyshm__mgr_proof(key, PYSHM__MGR_CLIENT_LABEL, ns, nc, proof);
    int n = snprintf(out, PYSHM__MGR_ANSWER, "A %d ", PYSHM__MGR_VERSION);
    pyshm__hex_encode((const char *)nc, PYSHM__MGR_KEY, out + n);
    n += 2 * PYSHM__MGR_KEY;
    out[n++] = ' ';
    pyshm__hex_encode((const char *)proof, sizeof proof, out + n);
    n += 2 * (int)sizeof proof;
    out[n++] = '\n';
    out[n] = '\0';
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

/* A client's end: non-blocking, since every wait is a poll() with a
 * deadline, and a write to a watchdog that has gone must be an error, not
 * a SIGPIPE that kills the caller. */
static void client_socket_setup(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
#ifdef SO_NOSIGPIPE
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
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

/* ---- deadlines ---------------------------------------------------------- */

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events or the deadline passes: 0, ETIMEDOUT
 * or EOS. */
static int wait_fd(int fd, short events, long long deadline) {
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return PYSHM_ETIMEDOUT;
        struct pollfd p = {fd, events, 0};
        int r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return pyshm__os_error(errno);
    }
}

/* ---- addresses ---------------------------------------------------------- */

/* Fills sa from a socket address: "@name" is Linux's abstract namespace,
 * anything else a path. */
static int make_sockaddr(const char *sock, struct sockaddr_un *sa, socklen_t *len) {
    size_t n = strlen(sock);
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (n == 0 || n >= sizeof sa->sun_path)
        return PYSHM_EINVAL;
    memcpy(sa->sun_path, sock, n);
    if (sock[0] == '@') {
#if defined(__linux__)
        sa->sun_path[0] = '\0';
#else
        return PYSHM_ENOTSUP;
#endif
    }
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (sock[0] != '@'));
    return 0;
}

/*
 * Splits an address "<socket>#<hex key>" into m->sock, m->key and the pid
 * its socket names: the last component of the socket ("@pyshm-<pid>-<hex>"
 * on Linux, ".../pyshm-<pid>" elsewhere) is "pyshm-" and that pid.
 */
static int parse_address(pyshm_manager *m, const char *address) {
    const char *hash = strrchr(address, '#');
    if (hash == NULL || (size_t)(hash - address) > SOCK_MAX - 1 || hash == address ||
        !pyshm__hex_bytes(hash + 1, strlen(hash + 1), m->key, sizeof m->key))
        return PYSHM_EINVAL;
    memcpy(m->sock, address, (size_t)(hash - address));
    m->sock[hash - address] = '\0';
    const char *last = strrchr(m->sock, '/');
    last = last ? last + 1 : m->sock + (m->sock[0] == '@');
    if (strncmp(last, "pyshm-", 6) != 0)
        return PYSHM_EINVAL;
    long long pid = 0;
    const char *d = last + 6;
    for (; *d >= '0' && *d <= '9' && pid < 1000000000000LL; d++)
        pid = pid * 10 + (*d - '0');
    if (d == last + 6 || (*d != '\0' && *d != '-') || pid <= 0 || (long long)(pid_t)pid != pid)
        return PYSHM_EINVAL;
    m->named_pid = (pid_t)pid;
    snprintf(m->address, sizeof m->address, "%s", address);
    return 0;
}

/* Binds a fresh listening socket named for this process: an unguessable
 * abstract name, or a file in a new 0700 directory. dir receives that
 * directory ("" for abstract). */
static int listen_socket(char *sock, size_t cap, char *dir, size_t dircap, int *out) {
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
        snprintf(sock, cap, "@pyshm-%ld-%s", (long)getpid(), hex);
#else
        const char *tmp = pyshm__secure_getenv("TMPDIR");
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
        if ((size_t)snprintf(sock, cap, "%s/pyshm-%ld", dir, (long)getpid()) >= cap) {
            rmdir(dir);
            dir[0] = '\0';
            close(fd);
            return PYSHM_ENAMETOOLONG;
        }
#endif
        struct sockaddr_un sa;
        socklen_t len;
        int rc = make_sockaddr(sock, &sa, &len);
        /* The listening process is the one clients see in SO_PEERCRED: this
         * one, whose pid the address names. */
        if (rc == 0 && bind(fd, (struct sockaddr *)&sa, len) == 0 && listen(fd, 64) == 0) {
            *out = fd;
            return 0;
        }
        int e = errno;
        if (dir[0] != '\0') {
            unlink(sock); /* bound, then listen() failed */
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

/* Sends s whole before the deadline. *sent tells whether any of it went
 * out (after which a failure leaves the stream unusable). */
static int send_all(int fd, const char *s, size_t n, long long deadline, bool *sent) {
    *sent = false;
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = wait_fd(fd, POLLOUT, deadline);
            if (rc != 0)
                return rc;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return pyshm__os_error(w < 0 ? errno : EPIPE);
        *sent = true;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads one reply line into line (NUL-terminated, without the newline). */
static int read_line(pyshm_manager *m, char *line, size_t cap, long long deadline) {
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
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = wait_fd(m->fd, POLLIN, deadline);
            if (rc != 0)
                return rc;
            continue;
        }
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

/* "E <errno>" as a PYSHM_E* code, or 0 if line is not one. */
static int error_line(const char *line) {
    return line[0] == 'E' && line[1] == ' ' ? map_errno(atoi(line + 2)) : 0;
}

static int open_connection(pyshm_manager *m);

/* Whether the watchdog has closed this idle connection (it closes those
 * without a request for PYSHM__MGR_IDLE_MS). */
static bool closed_by_peer(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0)
        return false;
    char c;
    ssize_t r = recv(fd, &c, 1, MSG_PEEK);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/*
 * Before a request: a handle inherited through fork() shares its socket
 * with the parent, and two processes writing requests into one stream
 * would interleave them, so the child gets its own connection instead (and
 * is not the owner). A connection the watchdog closed for idleness is
 * opened again, so that idle handles cost the watchdog nothing.
 */
static int ready(pyshm_manager *m) {
    if (m->fd < 0)
        return PYSHM_ECLOSED;
    if (m->pid == getpid() && (m->owner || m->owed > 0 || !closed_by_peer(m->fd)))
        return 0;
    close(m->fd);
    if (m->pid != getpid()) {
        m->owner = false;
        m->pid = getpid();
    }
    m->owed = 0;
    return open_connection(m);
}

/* Sends request (with its newline) and reads the reply. On "0 ..." copies
 * the text after "0 " (or "") into arg; "E <errno>" becomes a PYSHM_E*.
 * A request that times out may still be carried out later; its reply is
 * skipped when it comes. */
static int request(pyshm_manager *m, const char *req, char *arg, size_t cap) {
    int rc = ready(m);
    if (rc != 0)
        return rc;
    long long deadline = now_ms() + m->timeout_ms;
    char line[PYSHM__MGR_LINE];
    for (; m->owed > 0; m->owed--)
        if ((rc = read_line(m, line, sizeof line, deadline)) != 0)
            return rc;
    bool sent;
    for (int attempt = 0;; attempt++) {
        rc = send_all(m->fd, req, strlen(req), deadline, &sent);
        if (rc == PYSHM_ETIMEDOUT && sent) {
            /* Half a request in the stream: nothing after it would parse. */
            close(m->fd);
            m->fd = -1;
        }
        if (rc == 0)
            rc = read_line(m, line, sizeof line, deadline);
        /* A connection closed under us without a reply (the watchdog
         * dropped it as idle just then) carried nothing out: a client
         * opens a new one, once. The owner's cannot be replaced. */
        int e = rc == PYSHM_EOS ? pyshm_last_os_error() : 0;
        if (attempt > 0 || m->owner || m->rlen != 0 || (e != EPIPE && e != ECONNRESET))
            break;
        close(m->fd);
        if ((rc = open_connection(m)) != 0)
            return rc;
    }
    if (rc == PYSHM_ETIMEDOUT && m->fd >= 0 && sent)
        m->owed++;
    if (rc != 0)
        return rc;
    if (line[0] == '0' && (line[1] == '\0' || line[1] == ' ')) {
        const char *a = line[1] ? line + 2 : line + 1;
        if (strlen(a) >= cap)
            return pyshm__os_error(EPROTO);
        memcpy(arg, a, strlen(a) + 1);
        return 0;
    }
    rc = error_line(line);
    return rc != 0 ? rc : pyshm__os_error(EPROTO);
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
    if (m == NULL)
        return PYSHM_EINVAL;
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

static int connect_to(const char *sock, long long deadline, int *out) {
    struct sockaddr_un sa;
    socklen_t len;
    int rc = make_sockaddr(sock, &sa, &len);
    if (rc != 0)
        return rc;
    int fd = cloexec_socket(SOCK_STREAM);
    if (fd < 0)
        return pyshm__os_error(errno);
    client_socket_setup(fd);
    for (;;) {
        if (connect(fd, (struct sockaddr *)&sa, len) == 0)
            break;
        int e = errno;
        if (e == EINTR)
            continue;
        if (e == EINPROGRESS) { /* where a local connect can be pending */
            socklen_t el = sizeof e;
            rc = wait_fd(fd, POLLOUT, deadline);
            if (rc == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0)
                break;
        } else if (e == EAGAIN) { /* Linux: the backlog is full; it may drain */
            rc = now_ms() < deadline ? 0 : PYSHM_ETIMEDOUT;
            if (rc == 0) {
                struct timespec ts = {0, 10 * 1000000};
                nanosleep(&ts, NULL);
                continue;
            }
        }
        close(fd);
        if (rc != 0)
            return rc;
        /* No such manager (any more): as attaching a missing block. */
        return e == ENOENT || e == ECONNREFUSED ? PYSHM_ENOENT : pyshm__os_error(e);
    }
    *out = fd;
    return 0;
}

/*
 * Who listens at the address, checked before a byte is written to it: a
 * process of our own user (Linux, the BSDs, macOS) and the one the address
 * names (where SO_PEERCRED gives the pid). After a manager ends, anyone can
 * bind its abstract name, or, elsewhere, make a directory of that name.
 */
static int check_listener(const pyshm_manager *m) {
#if !PYSHM__MGR_LINUX
    /* The socket's directory must be ours alone, as listen_socket made it. */
    char dir[SOCK_MAX + 1];
    snprintf(dir, sizeof dir, "%s", m->sock);
    char *slash = strrchr(dir, '/');
    if (slash != NULL) {
        *slash = '\0';
        struct stat st;
        if (lstat(dir[0] ? dir : "/", &st) != 0)
            return errno == ENOENT ? PYSHM_ENOENT : pyshm__os_error(errno);
        if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0)
            return PYSHM_EAUTH;
    }
#endif
#if defined(SO_PEERCRED)
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(m->fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
        return pyshm__os_error(errno);
    return cr.uid == geteuid() && cr.pid == m->named_pid ? 0 : PYSHM_EAUTH;
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
    uid_t uid;
    gid_t gid;
    if (getpeereid(m->fd, &uid, &gid) != 0)
        return pyshm__os_error(errno);
    return uid == geteuid() ? 0 : PYSHM_EAUTH;
#else
    return 0; /* the directory check above and the key decide */
#endif
}

/* Splits "<tag> <version> <hex>" (tag 'H' or 'K'); false if malformed. */
static bool parse_versioned(const char *line, char tag, long *version, const char **hex) {
    if (line[0] != tag || line[1] != ' ')
        return false;
    char *end;
    errno = 0;
    *version = strtol(line + 2, &end, 10);
    if (end == line + 2 || errno != 0 || *end != ' ')
        return false;
    *hex = end + 1;
    return true;
}

/* Whether the watchdog turned us away for want of room or of time (an
 * error line instead of its greeting or of its answer to our proof,
 * manager.h): then we may try again. */
static bool turned_away(const char *line) {
    int e = line[0] == 'E' && line[1] == ' ' ? atoi(line + 2) : 0;
    return e == EAGAIN || e == ETIMEDOUT || e == EMFILE || e == ENFILE;
}

/*
 * The client's half of the handshake (manager.h): the listener's
 * credentials, the version, our proof of the key for the watchdog's nonce,
 * and its proof for ours. *again: it turned us away.
 */
static int handshake(pyshm_manager *m, long long deadline, bool *again) {
    int rc = check_listener(m);
    char line[PYSHM__MGR_LINE];
    if (rc == 0)
        rc = read_line(m, line, sizeof line, deadline);
    if (rc == PYSHM_EOS && (pyshm_last_os_error() == EPIPE || pyshm_last_os_error() == ECONNRESET))
        return PYSHM_ENOENT; /* closed as we came: the manager is ending */
    if (rc != 0)
        return rc;
    long version;
    const char *hex;
    unsigned char ns[PYSHM__MGR_KEY], nc[PYSHM__MGR_KEY], proof[32], want[32];
    *again = turned_away(line);
    if ((rc = error_line(line)) != 0)
        return rc;
    if (!parse_versioned(line, 'H', &version, &hex) || version != PYSHM__MGR_VERSION)
        return PYSHM_EVERSION; /* e.g. "0 <pid>", the greeting of version 1 */
    if (!pyshm__hex_bytes(hex, strlen(hex), ns, sizeof ns))
        return pyshm__os_error(EPROTO);
    if (pyshm__random_bytes(nc, sizeof nc) != 0)
        return pyshm__os_error(errno);
    char req[PYSHM__MGR_ANSWER];
    pyshm__mgr_answer(m->key, ns, nc, req);
    bool sent;
    if ((rc = send_all(m->fd, req, strlen(req), deadline, &sent)) != 0 ||
        (rc = read_line(m, line, sizeof line, deadline)) != 0)
        return rc == PYSHM_EOS && pyshm_last_os_error() == EPIPE ? PYSHM_EAUTH : rc;
    *again = turned_away(line);
    if ((rc = error_line(line)) != 0)
        return rc == PYSHM_EACCES ? PYSHM_EAUTH : rc; /* it refused our proof */
    /* "0 <pid> <hex proof>" */
    const char *sp = line[0] == '0' && line[1] == ' ' ? strchr(line + 2, ' ') : NULL;
    if (sp == NULL || !pyshm__hex_bytes(sp + 1, strlen(sp + 1), proof, sizeof proof))
        return PYSHM_EAUTH;
    pyshm__mgr_proof(m->key, PYSHM__MGR_SERVER_LABEL, nc, ns, want);
    return pyshm__same_bytes(proof, want, sizeof want) ? 0 : PYSHM_EAUTH;
}

/* Connects m (fd -1) to the manager at m->sock and authenticates both
 * ways; on failure m->fd stays -1. A watchdog that turns us away (other
 * connections hold its room) is asked again, less and less often, until
 * the timeout: ETIMEDOUT if it never lets us in. */
static int open_connection(pyshm_manager *m) {
    m->owed = 0;
    long long deadline = now_ms() + m->timeout_ms;
    for (long pause_ms = 2;; pause_ms = pause_ms < 64 ? 2 * pause_ms : 100) {
        bool again = false;
        m->fd = -1;
        m->rlen = 0;
        int rc = connect_to(m->sock, deadline, &m->fd);
        if (rc == 0)
            rc = handshake(m, deadline, &again);
        if (rc == 0)
            return 0;
        if (m->fd >= 0) {
            close(m->fd);
            m->fd = -1;
        }
        long long left = deadline - now_ms();
        if (!again)
            return rc;
        if (left <= 0)
            return PYSHM_ETIMEDOUT;
        struct timespec ts = {0, (left < pause_ms ? left : pause_ms) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* The default timeout: DEFAULT_TIMEOUT_MS, or PYSHM_MANAGER_TIMEOUT_MS from
 * the environment when that is a positive number of milliseconds. */
static int default_timeout(void) {
    const char *s = pyshm__secure_getenv("PYSHM_MANAGER_TIMEOUT_MS");
    char *end;
    long v = s ? strtol(s, &end, 10) : 0;
    return s && end != s && *end == '\0' && v > 0 && v <= 86400000 ? (int)v : DEFAULT_TIMEOUT_MS;
}

static void init_handle(pyshm_manager *m) {
    memset(m, 0, sizeof *m);
    m->fd = -1;
    m->pid = getpid();
    m->timeout_ms = default_timeout();
}

static pyshm_manager *new_handle(void) {
    pyshm_manager *m = malloc(sizeof *m);
    if (m != NULL)
        init_handle(m);
    return m;
}

PYSHM_API int pyshm_manager_connect(const char *address, pyshm_manager **out) {
    if (out == NULL)
        return PYSHM_EINVAL;
    *out = NULL;
    if (address == NULL)
        return PYSHM_EINVAL;
    pyshm_manager *m = new_handle();
    if (m == NULL)
        return PYSHM_ENOMEM;
    int rc = parse_address(m, address);
    if (rc == 0)
        rc = open_connection(m);
    if (rc != 0) {
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

PYSHM_API int pyshm_manager_set_timeout(pyshm_manager *m, int ms) {
    if (m == NULL || ms <= 0)
        return PYSHM_EINVAL;
    m->timeout_ms = ms;
    return 0;
}

/* ---- starting ----------------------------------------------------------- */

/* Waits for a child, whatever the caller did with SIGCHLD: ignored (the
 * child reaps itself and waitpid fails with ECHILD) or caught by a handler
 * that reaped it first (ECHILD too). */
static void reap(pid_t pid) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

/* Reads the watchdog's first line on the socketpair: "0 <pid> <version>",
 * or "E <errno>" from a watchdog program that could not be executed. */
static int read_owner_hello(pyshm_manager *m) {
    char line[PYSHM__MGR_LINE];
    int rc = read_line(m, line, sizeof line, now_ms() + m->timeout_ms);
    if (rc != 0)
        return rc;
    if (line[0] == 'E' && line[1] == ' ')
        return pyshm__os_error(atoi(line + 2));
    const char *sp = line[0] == '0' && line[1] == ' ' ? strchr(line + 2, ' ') : NULL;
    return sp != NULL && atoi(sp + 1) == PYSHM__MGR_VERSION ? 0 : PYSHM_EVERSION;
}

/* The handle is built on the stack and copied to the heap only once the
 * watchdog runs. */
PYSHM_API int pyshm_manager_start(pyshm_manager **out) {
    if (out == NULL)
        return PYSHM_EINVAL;
    *out = NULL;
    pyshm_manager h, *m = &h;
    init_handle(m);
    char dir[SOCK_MAX + 1];
    int lfd = -1, sv[2] = {-1, -1};
    if (pyshm__random_bytes(m->key, sizeof m->key) != 0)
        return pyshm__os_error(errno);
    int rc = listen_socket(m->sock, sizeof m->sock, dir, sizeof dir, &lfd);
    if (rc != 0)
        return rc;
    char hexkey[2 * PYSHM__MGR_KEY + 1];
    pyshm__hex_encode((const char *)m->key, sizeof m->key, hexkey);
    size_t sn = strlen(m->sock); /* < SOCK_MAX: the address has room */
    memcpy(m->address, m->sock, sn);
    m->address[sn] = '#';
    memcpy(m->address + sn + 1, hexkey, sizeof hexkey);
    m->named_pid = getpid();
    if (cloexec_socketpair(sv) != 0) {
        rc = pyshm__os_error(errno);
        goto fail_listen;
    }
    client_socket_setup(sv[0]);
    /* The key goes through the socketpair, never through the watchdog's
     * arguments or environment, which other processes can read. */
    char kline[16 + sizeof hexkey];
    snprintf(kline, sizeof kline, "K %d %s\n", PYSHM__MGR_VERSION, hexkey);
    bool sent;
    if ((rc = send_all(sv[0], kline, strlen(kline), now_ms() + m->timeout_ms, &sent)) != 0)
        goto fail_pair;
    int pidfd = self_pidfd();
    pyshm__watchdog_args args = {sv[1], lfd, pidfd, getpid(), "", dir};
    if (dir[0] != '\0')
        args.sock_path = m->sock;

    /* The process started forks the watchdog and exits at once, so that
     * the watchdog is re-parented: the owner never has a child of ours to
     * reap later, nor one that a wait() for any child of its own could
     * pick up. */
    pid_t child;
    rc = pyshm__watchdog_spawn(&args, &child);
    close(sv[1]);
    if (pidfd >= 0)
        close(pidfd);
    close(lfd);
    if (rc != 0) {
        close(sv[0]);
        goto fail_dir;
    }
    m->fd = sv[0];
    /* Ends in end-of-file if the watchdog could not start. */
    rc = read_owner_hello(m);
    if (rc != 0) {
        /* Not our watchdog after all (a PYSHM_WATCHDOG that names another
         * program): stopped, unless it has ended and been reaped already. */
        if (waitpid(child, NULL, WNOHANG) == 0)
            kill(child, SIGKILL);
        close(m->fd);
    }
    reap(child);
    if (rc != 0)
        goto fail_dir;
    m->owner = true;
    *out = malloc(sizeof **out);
    if (*out == NULL) {
        close(m->fd); /* the watchdog cleans up and ends */
        return PYSHM_ENOMEM;
    }
    **out = h;
    return 0;

fail_pair:
    close(sv[0]);
    close(sv[1]);
fail_listen:
    close(lfd);
fail_dir:
    if (dir[0] != '\0') {
        unlink(m->sock);
        rmdir(dir);
    }
    return rc;
}

PYSHM_API const char *pyshm_manager_address(const pyshm_manager *m) {
    return m != NULL ? m->address : "";
}

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
    if (out == NULL)
        return PYSHM_EINVAL;
    *out = NULL;
    if (m == NULL)
        return PYSHM_EINVAL;
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
    if (out == NULL)
        return PYSHM_EINVAL;
    *out = NULL;
    if (m == NULL || (items == NULL && n > 0))
        return PYSHM_EINVAL;
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
    if (m == NULL)
        return PYSHM_EINVAL;
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
