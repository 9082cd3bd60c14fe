/*
 * The manager's protocol spoken by hand (ref/src/manager.h), for the
 * programs that must behave as no library client does: connect and never
 * authenticate, authenticate and then stay idle, send a request a byte at
 * a time, or listen at a manager's address as an impostor.
 */
#ifndef PYSHM_LEAK_MGR_RAW_H
#define PYSHM_LEAK_MGR_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/* The socket part of an address ("<socket>#<key>") as a sockaddr. */
socklen_t raw_socket_of(const char *address, struct sockaddr_un *sa);

/* A stream socket connected to the manager at address (non-blocking if
 * asked; a connection still waiting in the backlog counts), or -1. */
int raw_connect(const char *address, bool nonblocking);

/* Reads what the peer sends until it hangs up or ms pass: the byte count;
 * stops after the first line if line is not NULL (cap bytes, the line
 * NUL-terminated). */
size_t raw_read_within(int fd, int ms, char *line, size_t cap);

/* Answers the greeting on a fresh connection fd with a proof of the key the
 * address carries, as the library does: true once the connection is open
 * (the watchdog's own proof is not checked). Waits up to ms for each line. */
bool raw_authenticate(int fd, const char *address, int ms);

/* Whether the peer has closed fd (end of file or an error), waiting up to
 * ms; bytes that come first are skipped, the first line kept in line. */
bool raw_closed_within(int fd, int ms, char *line, size_t cap);

#endif
