/*
 * SharedMemory on Windows: named file mappings backed by the paging file,
 * as CPython's multiprocessing.shared_memory does it on Windows.
 *
 * - Names have no leading slash; random names are "wnsm_" + 8 hex digits.
 * - The block lives as long as any handle to its mapping is open; there is
 *   nothing to unlink, so unlink succeeds and does nothing (CPython too).
 * - An attached block's size is the size of the mapped region, which the
 *   system rounds up to whole pages; a created block reports the size asked.
 */
#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <bcrypt.h>

#include "shm.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* shm->mapping is kept open while the handle is: the name, and the block,
 * live as long as some process holds a handle to the mapping. */

/* The documented limit for kernel object names (CreateFileMapping's lpName
 * shares the namespace of events, mutexes and semaphores: MAX_PATH). */
PYSHM_API size_t pyshm_name_max(void) { return MAX_PATH; }

/* CPython turns a Windows error into an OSError subclass through errno
 * (PC/errmap.h); the same classes are mapped here. */
static int map_win_error(DWORD e) {
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return PYSHM_ENOENT;
    case ERROR_ALREADY_EXISTS:
    case ERROR_FILE_EXISTS:
        return PYSHM_EEXIST;
    case ERROR_ACCESS_DENIED:
        return PYSHM_EACCES;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return PYSHM_ENOMEM;
    case ERROR_COMMITMENT_LIMIT: /* the paging file cannot back the block */
    case ERROR_DISK_FULL:
        pyshm__os_error((int)e); /* kept for the message */
        return PYSHM_ENOSPC;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
        return PYSHM_EBADNAME;
    case ERROR_FILENAME_EXCED_RANGE:
        return PYSHM_ENAMETOOLONG;
    default:
        return pyshm__os_error((int)e);
    }
}

/*
 * The same rule as on POSIX, so a name is portable: not empty (that would
 * make an anonymous mapping no one else can open) and no '/'; and UTF-8,
 * since a Python name is text. '\\' is left to Windows: it selects a
 * namespace ("Local\\", "Global\\"). *wn receives the name's length in
 * UTF-16 units, which is what the limit counts.
 */
static int check_name(const char *name, size_t n, int *wn) {
    if (n == 0 || strchr(name, '/') != NULL)
        return PYSHM_EBADNAME;
    if (n > (size_t)INT_MAX)
        return PYSHM_ENAMETOOLONG;
    *wn = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, (int)n, NULL, 0);
    if (*wn <= 0)
        return PYSHM_EBADNAME;
    return (size_t)*wn > pyshm_name_max() ? PYSHM_ENAMETOOLONG : 0;
}

int pyshm__check_name(const char *name) {
    int wn;
    return check_name(name, strlen(name), &wn);
}

/* A checked name in the UTF-16 the W functions take. */
static int to_wide(const char *name, wchar_t **out) {
    size_t n = strlen(name);
    int wn, rc = check_name(name, n, &wn);
    if (rc != 0)
        return rc;
    wchar_t *w = malloc(((size_t)wn + 1) * sizeof *w);
    if (w == NULL)
        return PYSHM_ENOMEM;
    MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, (int)n, w, wn);
    w[wn] = L'\0';
    *out = w;
    return 0;
}

/* "wnsm_" + 8 lowercase hex digits from the system's CSPRNG, as CPython's
 * _make_filename() (secrets.token_hex(4)). */
int pyshm__random_name(char out[16]) {
    unsigned char r[4];
    NTSTATUS st = BCryptGenRandom(NULL, r, sizeof r, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
    if (!BCRYPT_SUCCESS(st))
        return pyshm__os_error((int)st); /* an NTSTATUS: GetLastError() is not set */
    memcpy(out, "wnsm_", 5);
    pyshm__hex_encode((const char *)r, sizeof r, out + 5);
    return 0;
}

static int new_handle(const char *name, HANDLE map, void *buf, size_t size, pyshm_shm **out) {
    pyshm_shm *shm = calloc(1, sizeof *shm);
    char *copy = malloc(strlen(name) + 1);
    if (shm == NULL || copy == NULL) {
        free(shm);
        free(copy);
        UnmapViewOfFile(buf);
        CloseHandle(map);
        return PYSHM_ENOMEM;
    }
    strcpy(copy, name);
    shm->name = copy;
    shm->mapping = map;
    shm->buf = buf;
    shm->size = size;
    *out = shm;
    return 0;
}

/* One CreateFileMapping attempt. *existed is set when the name was taken
 * (the handle is then closed: the block belongs to someone else). */
static int create_mapping(const char *name, uint64_t size, HANDLE *map, bool *existed) {
    wchar_t *wname = NULL;
    int rc = to_wide(name, &wname);
    if (rc != 0)
        return rc;
    HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE,
                                  (DWORD)(size >> 32), (DWORD)(size & 0xFFFFFFFFu), wname);
    DWORD err = GetLastError(); /* read before anything else can reset it */
    free(wname);
    if (h == NULL)
        return map_win_error(err);
    *existed = err == ERROR_ALREADY_EXISTS;
    if (*existed) {
        CloseHandle(h);
        return 0;
    }
    *map = h;
    return 0;
}

PYSHM_API int pyshm_shm_create(const char *name, int64_t size, pyshm_shm **out) {
    if (out)
        *out = NULL;
    /* CPython checks the size before it looks at the name. */
    if (size < 0)
        return PYSHM_ENEGSIZE;
    if (size == 0)
        return PYSHM_ESIZE;
    if (out == NULL)
        return PYSHM_EINVAL;
    if ((uint64_t)size > (uint64_t)SIZE_MAX)
        return PYSHM_ENOMEM;

    char gen[16];
    HANDLE map = NULL;
    for (;;) {
        const char *try_name = name;
        if (try_name == NULL) {
            int rc = pyshm__random_name(gen);
            if (rc != 0)
                return rc;
            try_name = gen;
        }
        bool existed = false;
        int rc = create_mapping(try_name, (uint64_t)size, &map, &existed);
        if (rc != 0)
            return rc;
        if (!existed)
            break;
        if (name != NULL)
            return PYSHM_EEXIST;
        /* A random name collided: draw another, as CPython does. */
    }

    void *buf = MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, (SIZE_T)size);
    if (buf == NULL) {
        int rc = map_win_error(GetLastError());
        CloseHandle(map); /* the only handle: the block goes with it */
        return rc;
    }
    return new_handle(name != NULL ? name : gen, map, buf, (size_t)size, out);
}

/* A mapping backed by the paging file is committed whole at creation:
 * there are no sparse blocks to make. */
PYSHM_API int pyshm_shm_create_sparse(const char *name, int64_t size, pyshm_shm **out) {
    return pyshm_shm_create(name, size, out);
}

PYSHM_API int pyshm_shm_attach(const char *name, pyshm_shm **out) {
    if (out)
        *out = NULL;
    if (name == NULL)
        return PYSHM_ENONAME;
    if (out == NULL)
        return PYSHM_EINVAL;
    wchar_t *wname = NULL;
    int rc = to_wide(name, &wname);
    if (rc != 0)
        return rc;
    HANDLE map = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, wname);
    DWORD err = GetLastError();
    free(wname);
    if (map == NULL)
        return map_win_error(err);

    /* Length 0 maps the whole section; its size is not stored anywhere
     * else, so it is read back from the region, rounded to pages. */
    void *buf = MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, 0);
    if (buf == NULL) {
        rc = map_win_error(GetLastError());
        CloseHandle(map);
        return rc;
    }
    MEMORY_BASIC_INFORMATION mbi;
    if (VirtualQuery(buf, &mbi, sizeof mbi) == 0) {
        rc = pyshm__os_error((int)GetLastError());
        UnmapViewOfFile(buf);
        CloseHandle(map);
        return rc;
    }
    return new_handle(name, map, buf, (size_t)mbi.RegionSize, out);
}

PYSHM_API const char *pyshm_shm_name(const pyshm_shm *shm) { return shm ? shm->name : NULL; }
PYSHM_API size_t pyshm_shm_size(const pyshm_shm *shm) { return shm ? shm->size : 0; }
PYSHM_API void *pyshm_shm_buf(const pyshm_shm *shm) { return shm ? shm->buf : NULL; }
PYSHM_API bool pyshm_shm_closed(const pyshm_shm *shm) { return shm == NULL || shm->buf == NULL; }
/* A mapping backed by the paging file is committed whole at creation: no
 * page is a hole. */
PYSHM_API size_t pyshm_shm_data_size(const pyshm_shm *shm) {
    return shm && shm->buf ? shm->size : 0;
}

PYSHM_API int pyshm_shm_close(pyshm_shm *shm) {
    if (shm == NULL)
        return PYSHM_EINVAL;
    if (shm->buf != NULL) {
        UnmapViewOfFile(shm->buf);
        shm->buf = NULL;
    }
    if (shm->mapping != NULL) {
        CloseHandle(shm->mapping);
        shm->mapping = NULL;
    }
    return 0;
}

/* Nothing to remove: the block disappears with its last handle. */
PYSHM_API int pyshm_shm_unlink(pyshm_shm *shm) {
    return shm == NULL ? PYSHM_EINVAL : 0;
}

PYSHM_API void pyshm_shm_free(pyshm_shm *shm) {
    if (shm == NULL)
        return;
    pyshm_shm_close(shm);
    free(shm->name);
    free(shm);
}

/* Nothing to remove either, but a missing name is still reported, so that
 * callers cleaning up by name see the same ENOENT as on POSIX. */
PYSHM_API int pyshm_unlink(const char *name) {
    if (name == NULL)
        return PYSHM_ENONAME;
    wchar_t *wname = NULL;
    int rc = to_wide(name, &wname);
    if (rc != 0)
        return rc;
    HANDLE map = OpenFileMappingW(FILE_MAP_READ, FALSE, wname);
    DWORD err = GetLastError();
    free(wname);
    if (map == NULL)
        return map_win_error(err);
    CloseHandle(map);
    return 0;
}

/* Windows offers no way to list named mappings. */
PYSHM_API int pyshm_shm_foreach(int (*fn)(const char *name, uint64_t size, void *arg),
                                void *arg) {
    (void)arg;
    return fn == NULL ? PYSHM_EINVAL : PYSHM_ENOTSUP;
}
#endif /* _WIN32 */
