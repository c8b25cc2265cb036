/* tscgate: helpers shared by the parse module's cmocka tests
 * (test-xml, test-hostfacts, test-guest). Header-only, static inline. */
#ifndef TG_PARSE_TEST_H
#define TG_PARSE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

/* Path of a file under $top_srcdir (set by `make check`; "." otherwise).
 * Returns a new string (g_free). */
static inline char *
pt_srcdir_path(const char *rel)
{
    const char *top = g_getenv("top_srcdir");

    return g_build_filename(top && *top ? top : ".", rel, NULL);
}

/* Path of tests/fixtures/parse/NAME (g_free). */
static inline char *
pt_fixture_path(const char *name)
{
    g_autofree char *rel = g_build_filename("tests", "fixtures", "parse", name, NULL);

    return pt_srcdir_path(rel);
}

/* Contents of fixture NAME (g_free); fails the test when unreadable. */
static inline char *
pt_read_fixture(const char *name, gsize *len)
{
    g_autofree char *path = pt_fixture_path(name);
    g_autoptr(GError) err = NULL;
    char *buf = NULL;

    if (!g_file_get_contents(path, &buf, len, &err))
        fail_msg("cannot read fixture %s: %s", path, err->message);
    return buf;
}

/* Assert that `err` is set with `code` and exactly `msg`. */
#define pt_assert_error(err, want_code, want_msg)                               \
    do {                                                                        \
        assert_non_null(err);                                                   \
        if (strcmp((err)->message, (want_msg)) != 0)                            \
            fail_msg("error message\n  got:      %s\n  expected: %s",           \
                     (err)->message, (want_msg));                               \
        assert_int_equal((err)->code, (want_code));                             \
        assert_true((err)->domain == TG_ERROR);                                 \
    } while (0)

#endif /* TG_PARSE_TEST_H */
