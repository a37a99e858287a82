/* LD_PRELOAD library for tests of frozen (PyInstaller) binaries, where a Python-level
 * sitecustomize cannot be injected: every connect() to a non-Unix socket and every
 * name lookup fails and is logged to $NETBLOCK_LOG, so a test can assert that the
 * program did not even try to reach the network.
 * Build: cc -shared -fPIC -O2 -o netblock.so netblock_preload.c -ldl */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void note(const char *what) {
    const char *path = getenv("NETBLOCK_LOG");
    if (!path) return;
    FILE *fh = fopen(path, "a");
    if (!fh) return;
    fprintf(fh, "%s (pid %d)\n", what, (int)getpid());
    fclose(fh);
}

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real_connect)(int, const struct sockaddr *, socklen_t);
    if (!real_connect) real_connect = dlsym(RTLD_NEXT, "connect");
    if (addr && addr->sa_family == AF_UNIX) return real_connect(fd, addr, len);
    note("connect");
    errno = ENETUNREACH;
    return -1;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res) {
    (void)service; (void)hints; (void)res;
    char line[512];
    snprintf(line, sizeof line, "getaddrinfo %s", node ? node : "(null)");
    note(line);
    return EAI_FAIL;
}
