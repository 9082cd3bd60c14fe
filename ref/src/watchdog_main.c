/*
 * pyshm-watchdog: the manager's watchdog as a program of its own, so that
 * it holds nothing of its owner's memory (a forked copy would keep every
 * page the owner had at that moment for the watchdog's whole life).
 *
 * pyshm_manager_start() starts it (watchdog_spawn.c: the image the library
 * carries, or this program installed or beside the library):
 *
 *   pyshm-watchdog --pyshm-manager-2-detach OWNER_FD LISTEN_FD PIDFD OWNER_PID SOCK_PATH SOCK_DIR
 *
 * The descriptors are inherited (PIDFD -1 if none); the key arrives on
 * OWNER_FD, never on the command line, which other users can read. The
 * process started forks the watchdog and exits at once, so that the owner
 * reaps it right away and the watchdog is nobody's child it could wait
 * for. It is not meant to be run by hand.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* prctl's PR_SET_NAME */
#endif
#include "manager.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#ifndef _WIN32

/* A decimal argument within [lo, hi]; false otherwise. */
static bool parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int main(int argc, char **argv) {
    long owner_fd, listen_fd, pidfd, owner_pid;
    if (argc != 8 || strcmp(argv[1], PYSHM__MGR_PROGRAM_TAG) != 0 ||
        !parse_long(argv[2], 0, 1L << 30, &owner_fd) ||
        !parse_long(argv[3], 0, 1L << 30, &listen_fd) ||
        !parse_long(argv[4], -1, 1L << 30, &pidfd) ||
        !parse_long(argv[5], 1, 0x7fffffffL, &owner_pid)) {
        fprintf(stderr,
                "pyshm-watchdog: started by the pyshm library's manager, not by hand\n"
                "(this one speaks manager protocol %s)\n",
                PYSHM__MGR_PROGRAM_TAG);
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        dprintf((int)owner_fd, "E %d\n", errno);
        return 1;
    }
    if (pid > 0)
        _exit(0);
    setsid(); /* out of the owner's session: ^C at its terminal is for the owner */
#if defined(__linux__)
    /* Executed from memory, it would be named after a descriptor number. */
    prctl(PR_SET_NAME, "pyshm-watchdog", 0, 0, 0);
#endif
    pyshm__watchdog_args a = {(int)owner_fd, (int)listen_fd, (int)pidfd,
                              (pid_t)owner_pid, argv[6], argv[7]};
    pyshm__watchdog_run(&a);
}

#else
int main(void) {
    fputs("pyshm-watchdog: not used on Windows\n", stderr);
    return 2;
}
#endif
