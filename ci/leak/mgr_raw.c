#define _GNU_SOURCE
#include "mgr_raw.h"

#include "manager.h" /* the protocol's constants and its HMAC */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

socklen_t raw_socket_of(const char *address, struct sockaddr_un *sa) {
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    const char *hash = strrchr(address, '#');
    size_t n = hash ? (size_t)(hash - address) : strlen(address);
    if (n >= sizeof sa->sun_path)
        n = sizeof sa->sun_path - 1;
    memcpy(sa->sun_path, address, n);
    if (address[0] == '@')
        sa->sun_path[0] = '\0';
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (address[0] != '@'));
}

int raw_connect(const char *address, bool nonblocking) {
    struct sockaddr_un sa;
    socklen_t len = raw_socket_of(address, &sa);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, len) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

size_t raw_read_within(int fd, int ms, char *line, size_t cap) {
    size_t total = 0;
    double until = leak_now() + ms / 1e3;
    char buf[512];
    for (;;) {
        int left = (int)((until - leak_now()) * 1e3);
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, left) != 1)
            return total;
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (r <= 0)
            return total;
        if (line != NULL && total + (size_t)r < cap) {
            memcpy(line + total, buf, (size_t)r);
            line[total + (size_t)r] = '\0';
        }
        total += (size_t)r;
        if (line != NULL && memchr(buf, '\n', (size_t)r) != NULL)
            return total;
    }
}

bool raw_authenticate(int fd, const char *address, int ms) {
    const char *hash = strrchr(address, '#');
    unsigned char key[PYSHM__MGR_KEY], ns[PYSHM__MGR_KEY], nc[PYSHM__MGR_KEY];
    char line[PYSHM__MGR_LINE] = "";
    if (hash == NULL || !pyshm__hex_bytes(hash + 1, strlen(hash + 1), key, sizeof key))
        return false;
    /* "H <version> <hex Ns>" */
    if (raw_read_within(fd, ms, line, sizeof line) == 0 || line[0] != 'H')
        return false;
    const char *hex = strrchr(line, ' ');
    if (hex == NULL || !pyshm__hex_bytes(hex + 1, strlen(hex + 1) - 1, ns, sizeof ns))
        return false;
    memset(nc, 0x5a, sizeof nc);
    char req[PYSHM__MGR_ANSWER];
    pyshm__mgr_answer(key, ns, nc, req);
    if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req))
        return false;
    line[0] = '\0';
    return raw_read_within(fd, ms, line, sizeof line) > 0 && line[0] == '0';
}

bool raw_closed_within(int fd, int ms, char *line, size_t cap) {
    double until = leak_now() + ms / 1e3;
    size_t got = 0;
    if (line != NULL && cap > 0)
        line[0] = '\0';
    for (;;) {
        int left = (int)((until - leak_now()) * 1e3);
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, left) != 1)
            return false;
        char buf[256];
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (r <= 0)
            return true;
        if (line != NULL && got + (size_t)r < cap && (got == 0 || !memchr(line, '\n', got))) {
            memcpy(line + got, buf, (size_t)r);
            got += (size_t)r;
            line[got] = '\0';
        }
    }
}
