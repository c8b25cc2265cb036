/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate fuzzing: a main() that feeds each file named on the command line
 * (or every regular file of a directory named there) once to the fuzz
 * target's LLVMFuzzerTestOneInput(), as libFuzzer would. Linked with the
 * gcc-built code by tests/fuzz.am so that `make check` replays the committed
 * corpus and every past crash reproducer without clang. Exits 0 when every
 * input ran (a crash aborts the process), 2 on an unreadable input. */
#include <config.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    uint8_t *copy;

    if (!g_file_get_contents(path, &buf, &len, &err)) {
        fprintf(stderr, "replay: %s\n", err->message);
        return 2;
    }
    /* An exact-size heap copy, like libFuzzer's, so that ASan/valgrind see
     * any read past the end of the input. */
    copy = malloc(len ? len : 1);
    if (!copy)
        return 2;
    memcpy(copy, buf, len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    return 0;
}

static int
run_path(const char *path, unsigned *count)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: cannot stat\n", path);
        return 2;
    }
    if (S_ISDIR(st.st_mode)) {
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        DIR *d = opendir(path);
        struct dirent *e;
        int rc = 0;

        if (!d) {
            fprintf(stderr, "replay: %s: cannot open directory\n", path);
            return 2;
        }
        while ((e = readdir(d)))
            if (e->d_name[0] != '.')
                g_ptr_array_add(names, g_build_filename(path, e->d_name, NULL));
        closedir(d);
        for (guint i = 0; i < names->len; i++) {
            if (g_file_test(names->pdata[i], G_FILE_TEST_IS_REGULAR)) {
                rc |= run_file(names->pdata[i]);
                (*count)++;
            }
        }
        return rc;
    }
    (*count)++;
    return run_file(path);
}

int
main(int argc, char **argv)
{
    unsigned count = 0;
    int rc = 0;

    for (int i = 1; i < argc; i++)
        rc |= run_path(argv[i], &count);
    printf("replay: %u input(s) ran without a crash\n", count);
    return rc;
}
