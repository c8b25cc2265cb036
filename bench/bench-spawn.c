/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-spawn: time commands interleaved, each run fed FILE on stdin, no
 * shell in between (fork + execv + waitpid, CLOCK_MONOTONIC).
 *
 *   bench-spawn [-r ROUNDS] [-w WARMUP] FILE CMD1 [ARGS...] -- CMD2 ... [-- ...]
 *   bench-spawn -x FILE CMD [ARGS...]    (exec CMD with FILE as stdin: lets
 *                                         hyperfine -N feed stdin)
 *
 * Round i runs CMD1, CMD2, ... once each (the order rotates every round so
 * no command always follows the same one), so all commands see the same
 * machine state. Prints, per command, min / median / mean in microseconds
 * and the ratio of its median to the first command's median. Exit status
 * non-zero when a command fails to run or is killed by a signal; a command's
 * own exit status is reported, not judged (a denial exits 1). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 8

typedef struct {
    char **argv;
    double *us;
    int last_status;
} Cmd;

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static int
run_once(const char *input, Cmd *c, double *us)
{
    struct timespec t0, t1;
    pid_t pid;
    int status = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(input, O_RDONLY);
        int null = open("/dev/null", O_WRONLY);

        if (fd < 0 || null < 0 || dup2(fd, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
            _exit(126);
        execv(c->argv[0], c->argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *us = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
    if (!WIFEXITED(status) || WEXITSTATUS(status) >= 126)
        return -1;
    c->last_status = WEXITSTATUS(status);
    return 0;
}

int
main(int argc, char **argv)
{
    Cmd cmds[MAX_CMDS];
    int ncmd = 0, rounds = 1000, warmup = 50, i = 1;
    const char *input;

    if (argc >= 4 && strcmp(argv[1], "-x") == 0) {
        int fd = open(argv[2], O_RDONLY);

        if (fd < 0 || dup2(fd, 0) < 0) {
            perror(argv[2]);
            return 126;
        }
        close(fd);
        execv(argv[3], &argv[3]);
        perror(argv[3]);
        return 127;
    }
    while (i < argc && argv[i][0] == '-' && argv[i][1] != '-') {
        if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
            warmup = atoi(argv[++i]);
        else
            break;
        i++;
    }
    if (i + 1 >= argc || rounds < 1 || warmup < 0) {
        fprintf(stderr, "usage: %s [-r ROUNDS] [-w WARMUP] FILE CMD [ARGS] [-- CMD [ARGS]]...\n", argv[0]);
        return 2;
    }
    input = argv[i++];
    while (i < argc && ncmd < MAX_CMDS) {
        cmds[ncmd].argv = &argv[i];
        while (i < argc && strcmp(argv[i], "--") != 0)
            i++;
        if (i < argc)
            argv[i++] = NULL;
        cmds[ncmd].us = calloc((size_t)rounds, sizeof(double));
        cmds[ncmd].last_status = -1;
        if (!cmds[ncmd].us)
            return 2;
        ncmd++;
    }
    for (int r = -warmup; r < rounds; r++) {
        for (int k = 0; k < ncmd; k++) {
            int c = (k + (r < 0 ? 0 : r)) % ncmd;
            double us = 0;

            if (run_once(input, &cmds[c], &us) != 0) {
                fprintf(stderr, "bench-spawn: %s failed to run\n", cmds[c].argv[0]);
                return 1;
            }
            if (r >= 0)
                cmds[c].us[r] = us;
        }
    }
    {
        double base = 0;

        printf("%-60s %9s %9s %9s %7s %5s\n", "command (stdin: FILE)", "min_us", "median_us", "mean_us", "ratio", "exit");
        for (int c = 0; c < ncmd; c++) {
            double sum = 0, med;
            char line[512] = "";

            qsort(cmds[c].us, (size_t)rounds, sizeof(double), cmp_double);
            for (int r = 0; r < rounds; r++)
                sum += cmds[c].us[r];
            med = cmds[c].us[rounds / 2];
            if (c == 0)
                base = med;
            for (char **a = cmds[c].argv; *a; a++) {
                strncat(line, a == cmds[c].argv ? (strrchr(*a, '/') ? strrchr(*a, '/') + 1 : *a) : *a,
                        sizeof(line) - strlen(line) - 2);
                strncat(line, " ", sizeof(line) - strlen(line) - 1);
            }
            printf("%-60.60s %9.1f %9.1f %9.1f %6.2fx %5d\n", line, cmds[c].us[0], med,
                   sum / rounds, med / base, cmds[c].last_status);
            free(cmds[c].us);
        }
    }
    return 0;
}
