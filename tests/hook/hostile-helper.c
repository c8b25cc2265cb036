/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hostile-helper: the hostile surroundings test-hook-hostile.sh runs the
 * gate in, which plain sh cannot set up.
 *
 *   hostile-helper stall-socket PATH SECONDS
 *       bind a unix datagram socket at PATH (a journald or syslog daemon
 *       that stopped draining), fill its queue, print "ready" and sleep.
 *   hostile-helper recv-journal PATH OUT SECONDS
 *       bind a unix datagram socket at PATH (journald), print "ready", wait
 *       up to SECONDS for one record and write it to OUT: the datagram, or
 *       the file passed with it (SCM_RIGHTS, how big records travel).
 *       Exit 0 when a record came, 1 when none did.
 *   hostile-helper closed-stdout CMD ARGS...
 *       run CMD with stdout a pipe whose reader is already gone (libvirt
 *       gave up reading); exit with CMD's status, 128+N for signal N.
 *   hostile-helper full-pipe FD CMD ARGS...
 *       run CMD with descriptor FD (1 or 2) a pipe that is already full and
 *       that nobody reads while CMD runs (a reader that stopped reading);
 *       after CMD exits, copy what it managed to write to FD to this
 *       helper's own FD; exit with CMD's status, 128+N for signal N.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int
stall_socket(const char *path, unsigned seconds)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char junk[2048] = { 0 };
    int fd, wfd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        fprintf(stderr, "hostile-helper: %s: path too long\n", path);
        return 2;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    wfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0 || wfd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        connect(wfd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        fprintf(stderr, "hostile-helper: %s: %s\n", path, strerror(errno));
        return 2;
    }
    while (send(wfd, junk, sizeof(junk), MSG_DONTWAIT) >= 0)
        ;
    close(wfd);
    printf("ready\n");
    fflush(stdout);
    sleep(seconds);
    return 0;
}

static int
recv_journal(const char *path, const char *out, int seconds)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    static char buf[1 << 20];
    union {
        struct cmsghdr cmsg;
        char space[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                         .msg_controllen = sizeof(control) };
    struct pollfd pfd;
    struct cmsghdr *cmsg;
    ssize_t n;
    int fd, ofd, rfd = -1;

    if (strlen(path) >= sizeof(sa.sun_path))
        return 2;
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        fprintf(stderr, "hostile-helper: %s: %s\n", path, strerror(errno));
        return 2;
    }
    printf("ready\n");
    fflush(stdout);
    pfd.fd = fd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, seconds * 1000) != 1)
        return 1;
    n = recvmsg(fd, &mh, 0);
    if (n < 0)
        return 2;
    ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (ofd < 0)
        return 2;
    cmsg = CMSG_FIRSTHDR(&mh);
    if (cmsg && cmsg->cmsg_type == SCM_RIGHTS) {
        memcpy(&rfd, CMSG_DATA(cmsg), sizeof(int));
        lseek(rfd, 0, SEEK_SET);
        while ((n = read(rfd, buf, sizeof(buf))) > 0)
            if (write(ofd, buf, (size_t)n) != n)
                return 2;
    } else if (write(ofd, buf, (size_t)n) != n) {
        return 2;
    }
    close(ofd);
    return 0;
}

static int
closed_stdout(char **argv)
{
    int p[2], status = 0;
    pid_t pid;

    if (pipe(p) != 0)
        return 2;
    close(p[0]);
    /* The shell may have SIGPIPE ignored; the child must see the default. */
    signal(SIGPIPE, SIG_DFL);
    pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        close(p[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "hostile-helper: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    if (waitpid(pid, &status, 0) < 0)
        return 2;
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

static int
full_pipe(int target, char **argv)
{
    static char buf[1 << 16];
    size_t filled = 0;
    int p[2], status = 0, flags;
    ssize_t n;
    pid_t pid;

    if ((target != STDOUT_FILENO && target != STDERR_FILENO) || pipe(p) != 0)
        return 2;
    /* Fill it without blocking, then hand it over as an ordinary
     * (blocking) pipe, as libvirt's are. */
    flags = fcntl(p[1], F_GETFL);
    if (flags < 0 || fcntl(p[1], F_SETFL, flags | O_NONBLOCK) != 0)
        return 2;
    while ((n = write(p[1], buf, sizeof(buf))) > 0)
        filled += (size_t)n;
    if (errno != EAGAIN || fcntl(p[1], F_SETFL, flags) != 0)
        return 2;
    pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], target);
        close(p[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "hostile-helper: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(p[1]);
    if (waitpid(pid, &status, 0) < 0)
        return 2;
    /* the filler first, then what CMD wrote */
    while ((n = read(p[0], buf, sizeof(buf))) > 0) {
        size_t skip = filled < (size_t)n ? filled : (size_t)n;

        filled -= skip;
        if ((size_t)n > skip && write(target, buf + skip, (size_t)n - skip) != n - (ssize_t)skip)
            return 2;
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

int
main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "stall-socket") == 0)
        return stall_socket(argv[2], (unsigned)atoi(argv[3]));
    if (argc == 5 && strcmp(argv[1], "recv-journal") == 0)
        return recv_journal(argv[2], argv[3], atoi(argv[4]));
    if (argc >= 3 && strcmp(argv[1], "closed-stdout") == 0)
        return closed_stdout(argv + 2);
    if (argc >= 4 && strcmp(argv[1], "full-pipe") == 0)
        return full_pipe(atoi(argv[2]), argv + 3);
    fprintf(stderr, "usage: hostile-helper stall-socket PATH SECONDS | "
            "recv-journal PATH OUT SECONDS | closed-stdout CMD... | full-pipe FD CMD...\n");
    return 2;
}
