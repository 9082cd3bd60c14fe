/*
 * SharedMemory on POSIX: shm_open, ftruncate, fstat, mmap, shm_unlink, as
 * CPython's multiprocessing.shared_memory does it.
 */
#ifndef _WIN32
#include "shm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/random.h>
/* Linux's value on every architecture; glibc names it only for _GNU_SOURCE. */
#ifndef SEEK_HOLE
#define SEEK_HOLE 4
#endif
#endif

/* Longest name without its '/'. macOS stores at most PSHMNAMLEN (31)
 * characters including the '/'; Linux keeps the name as a file in /dev/shm. */
PYSHM_API size_t pyshm_name_max(void) {
#if defined(__APPLE__)
    return 30;
#elif defined(NAME_MAX)
    return NAME_MAX;
#else
    return 255;
#endif
}

int pyshm__random_bytes(void *buf, size_t n) {
#if defined(__linux__)
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO;
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
#elif defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || defined(__NetBSD__)
    arc4random_buf(buf, n);
    return 0;
#else
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0)
                errno = EIO;
            close(fd);
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    close(fd);
    return 0;
#endif
}

int pyshm__random_name(char out[16]) {
    uint8_t r[4];
    if (pyshm__random_bytes(r, sizeof r) != 0) return pyshm__os_error(errno);
    memcpy(out, "psm_", 4);
    pyshm__hex_encode((const char *)r, sizeof r, out + 4);
    return 0;
}

int pyshm__check_name(const char *name) {
    if (name[0] == '\0' || strchr(name, '/') != NULL) return PYSHM_EBADNAME;
    if (strlen(name) > pyshm_name_max()) return PYSHM_ENAMETOOLONG;
    return 0;
}

int pyshm__map_errno(int e) {
    switch (e) {
    case ENOENT: return PYSHM_ENOENT;
    case EEXIST: return PYSHM_EEXIST;
    case EACCES:
    case EPERM: return PYSHM_EACCES;
    case ENAMETOOLONG: return PYSHM_ENAMETOOLONG;
    case EINVAL: return PYSHM_EBADNAME;
    case ENOMEM:
    case EFBIG: return PYSHM_ENOMEM; /* ftruncate beyond what the system allows */
    case EISDIR: return PYSHM_EISDIR;
    case ENOSPC: /* the errno is kept for the message: "[Errno 28] No space left on device" */
        pyshm__os_error(e);
        return PYSHM_ENOSPC;
    default: return pyshm__os_error(e);
    }
}

/* "/" + name, the form shm_open wants. */
static int slash_name(const char *name, char **out) {
    size_t n = strlen(name);
    char *s = malloc(n + 2);
    if (s == NULL) return PYSHM_ENOMEM;
    s[0] = '/';
    memcpy(s + 1, name, n + 1);
    *out = s;
    return 0;
}

#if defined(__linux__)
/* lstat of the file behind a name: glibc and musl keep blocks in /dev/shm. */
static bool stat_in_dev_shm(const char *name, struct stat *st) {
    int dir = open("/dev/shm", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return false;
    bool ok = fstatat(dir, name, st, AT_SYMLINK_NOFOLLOW) == 0;
    close(dir);
    return ok;
}
#endif

/* Opens (and maybe creates) "/name"; fills fd. */
static int open_name(const char *name, int flags, int *fd) {
    char *path;
    int rc = slash_name(name, &path);
    if (rc) return rc;
    *fd = shm_open(path, flags | O_CLOEXEC, 0600);
    int e = errno;
#if defined(__linux__)
    /* glibc folds EISDIR into EINVAL ("directory names are just another
     * example for unsuitable shared object names"), so CPython reports a
     * bare "[Errno 22] Invalid argument". Its class stays OSError here, but
     * the code says what is really there. */
    struct stat st;
    if (*fd < 0 && e == EINVAL && stat_in_dev_shm(name, &st) && S_ISDIR(st.st_mode))
        e = EISDIR;
#endif
    free(path);
    return *fd < 0 ? pyshm__map_errno(e) : 0;
}

static int unlink_name(const char *name) {
    char *path;
    int rc = slash_name(name, &path);
    if (rc) return rc;
    rc = shm_unlink(path) == 0 ? 0 : pyshm__map_errno(errno);
    free(path);
    return rc;
}

/* Maps fd at its fstat size and fills a new handle. */
static int finish(const char *name, int fd, pyshm_shm **out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return pyshm__map_errno(errno);
    /* Only the file types that cannot be a block are refused: macOS reports
     * no file type at all for a shared memory object. CPython fails on them
     * later, in mmap, with "OSError: [Errno 22] Invalid argument". */
    if (S_ISDIR(st.st_mode)) return PYSHM_EISDIR;
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
        S_ISSOCK(st.st_mode) || S_ISLNK(st.st_mode))
        return PYSHM_ENOTREG;
    /* CPython: mmap of an empty file is "ValueError: cannot mmap an empty file". */
    if (st.st_size <= 0) return PYSHM_EEMPTY;
    if ((uint64_t)st.st_size > SIZE_MAX) return PYSHM_ENOMEM;
    size_t size = (size_t)st.st_size;
    pyshm_shm *shm = calloc(1, sizeof *shm);
    char *copy = strdup(name);
    if (shm == NULL || copy == NULL) {
        free(shm);
        free(copy);
        return PYSHM_ENOMEM;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        int rc = pyshm__map_errno(errno);
        free(shm);
        free(copy);
        return rc;
    }
    shm->name = copy;
    shm->buf = p;
    shm->size = size;
    shm->fd = fd;
    *out = shm;
    return 0;
}

/*
 * Reserves every page of a new block now. ftruncate alone makes a sparse
 * file: its pages are taken from /dev/shm only when first touched, and when
 * none is left the toucher gets SIGBUS instead of an error. posix_fallocate
 * on tmpfs takes them at once, or fails with ENOSPC. The pages it reserves
 * still read as holes (SEEK_DATA) until written. Other systems have no
 * equivalent for shared memory (macOS), or commit at creation (Windows).
 */
static int reserve(int fd, off_t size) {
#if defined(__linux__)
    int e;
    do e = posix_fallocate(fd, 0, size); /* returns the error; errno is not set */
    while (e == EINTR);
    /* EOPNOTSUPP: a file system without fallocate, from a libc that does not
     * emulate it (musl); the block stays sparse there, as before. */
    if (e == 0 || e == EOPNOTSUPP) return 0;
    return pyshm__map_errno(e);
#else
    (void)fd;
    (void)size;
    return 0;
#endif
}

static int create(const char *name, int64_t size, bool reserve_pages, pyshm_shm **out) {
    if (out) *out = NULL;
    /* CPython checks the sign first, then zero. */
    if (size < 0) return PYSHM_ENEGSIZE;
    if (size == 0) return PYSHM_ESIZE;
    if (out == NULL) return PYSHM_EINVAL;
    if ((uint64_t)size > (uint64_t)INT64_MAX || (sizeof(off_t) < 8 && size > INT32_MAX))
        return PYSHM_ENOMEM;
    char random_name[16];
    int fd, rc;
    if (name != NULL) {
        if ((rc = pyshm__check_name(name)) != 0) return rc;
        if ((rc = open_name(name, O_CREAT | O_EXCL | O_RDWR, &fd)) != 0) return rc;
    } else {
        do {
            if ((rc = pyshm__random_name(random_name)) != 0) return rc;
            rc = open_name(random_name, O_CREAT | O_EXCL | O_RDWR, &fd);
        } while (rc == PYSHM_EEXIST);
        if (rc) return rc;
        name = random_name;
    }
    if (ftruncate(fd, (off_t)size) != 0) {
        rc = pyshm__map_errno(errno);
    } else if (!reserve_pages || (rc = reserve(fd, (off_t)size)) == 0) {
        rc = finish(name, fd, out);
    }
    if (rc) { /* as CPython: a block that could not be set up is unlinked */
        close(fd);
        unlink_name(name);
    }
    return rc;
}

PYSHM_API int pyshm_shm_create(const char *name, int64_t size, pyshm_shm **out) {
    return create(name, size, true, out);
}

PYSHM_API int pyshm_shm_create_sparse(const char *name, int64_t size, pyshm_shm **out) {
    return create(name, size, false, out);
}

PYSHM_API int pyshm_shm_attach(const char *name, pyshm_shm **out) {
    if (out) *out = NULL;
    if (name == NULL) return PYSHM_ENONAME;
    if (out == NULL) return PYSHM_EINVAL;
    int rc = pyshm__check_name(name), fd;
    if (rc == 0) rc = open_name(name, O_RDWR, &fd);
    if (rc) return rc;
    rc = finish(name, fd, out);
    if (rc) close(fd);
    return rc;
}


PYSHM_API const char *pyshm_shm_name(const pyshm_shm *shm) { return shm ? shm->name : NULL; }
PYSHM_API size_t pyshm_shm_size(const pyshm_shm *shm) { return shm ? shm->size : 0; }
PYSHM_API void *pyshm_shm_buf(const pyshm_shm *shm) { return shm ? shm->buf : NULL; }
PYSHM_API bool pyshm_shm_closed(const pyshm_shm *shm) { return shm == NULL || shm->buf == NULL; }

PYSHM_API int pyshm_shm_close(pyshm_shm *shm) {
    if (shm == NULL) return PYSHM_EINVAL;
    if (shm->buf != NULL) {
        munmap(shm->buf, shm->size);
        shm->buf = NULL;
    }
    if (shm->fd >= 0) {
        close(shm->fd);
        shm->fd = -1;
    }
    return 0;
}

PYSHM_API int pyshm_shm_unlink(pyshm_shm *shm) {
    if (shm == NULL) return PYSHM_EINVAL;
    return unlink_name(shm->name);
}

PYSHM_API void pyshm_shm_free(pyshm_shm *shm) {
    if (shm == NULL) return;
    pyshm_shm_close(shm);
    free(shm->name);
    free(shm);
}

/*
 * Linux's lseek(SEEK_HOLE) on tmpfs finds the first page never written
 * (fallocated pages count as holes until written). Reading such a page
 * through the mapping makes tmpfs allocate it, for good; pread would not,
 * but the library reads through the mapping. Elsewhere lseek fails or
 * reports no hole, and the whole block counts.
 */
PYSHM_API size_t pyshm_shm_data_size(const pyshm_shm *shm) {
    if (shm == NULL || shm->buf == NULL) return 0;
    size_t data = shm->size;
#if defined(SEEK_HOLE)
    off_t hole = lseek(shm->fd, 0, SEEK_HOLE);
    if (hole >= 0 && (uint64_t)hole < shm->size) data = (size_t)hole;
#endif
    /* Up to PYSHM_DATA_SLACK bytes of holes cost a few pages at most, and
     * let a never-written block read as zeros, as CPython reads it. */
    size_t slack = shm->size < PYSHM_DATA_SLACK ? shm->size : PYSHM_DATA_SLACK;
    return data > slack ? data : slack;
}

PYSHM_API int pyshm_unlink(const char *name) {
    if (name == NULL) return PYSHM_ENONAME;
    int rc = pyshm__check_name(name);
    return rc ? rc : unlink_name(name);
}

PYSHM_API int pyshm_shm_foreach(int (*fn)(const char *name, uint64_t size, void *arg),
                                void *arg) {
    if (fn == NULL) return PYSHM_EINVAL;
#if defined(__linux__)
    DIR *d = opendir("/dev/shm");
    if (d == NULL) return pyshm__map_errno(errno);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        struct stat st;
        /* Dot files are not blocks; "sem.*" are named semaphores. */
        if (e->d_name[0] == '.' || strncmp(e->d_name, "sem.", 4) == 0) continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        rc = fn(e->d_name, (uint64_t)st.st_size, arg);
    }
    closedir(d);
    return rc;
#else
    (void)fn;
    (void)arg;
    return PYSHM_ENOTSUP;
#endif
}
#endif /* !_WIN32 */
