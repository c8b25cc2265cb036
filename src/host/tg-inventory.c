/* tscgate: loading a policy and its host inventories from files (see
 * tg-inventory.h). */
#include <config.h>

#include "tg-inventory.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tg-trust.h"

void
tg_config_source_free(gpointer data)
{
    TgConfigSource *s = data;

    g_free(s->path);
    g_free(s);
}

GPtrArray *
tg_config_sources_new(void)
{
    return g_ptr_array_new_with_free_func(tg_config_source_free);
}

static void
tg_config_source_add(GPtrArray *sources, const char *path, const TgFileId *id, bool is_dir)
{
    TgConfigSource *s;

    if (!sources)
        return;
    s = g_new0(TgConfigSource, 1);
    s->path = g_strdup(path);
    s->id = *id;
    s->is_dir = is_dir;
    g_ptr_array_add(sources, s);
}

typedef struct {
    uid_t owner_uid;
    GPtrArray *sources;   /* nullable */
} TgInventoryCtx;

static int
tg_str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in `d` that end in ".xml" and do not start with a dot, sorted. */
static GPtrArray *
tg_inventory_names(DIR *d)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    struct dirent *ent;

    while ((ent = readdir(d)))
        if (ent->d_name[0] != '.' && g_str_has_suffix(ent->d_name, ".xml"))
            g_ptr_array_add(names, g_strdup(ent->d_name));
    g_ptr_array_sort(names, tg_str_ptr_cmp);
    return names;
}

/* Read one directory of `tscgate probe` outputs, in name order. */
static void
tg_inventory_read_dir(const char *path, TgPolicyDirectory *dir, gpointer user_data)
{
    TgInventoryCtx *ctx = user_data;
    g_autoptr(GPtrArray) names = NULL;
    struct stat st;
    TgFileId id;
    DIR *d;
    int fd;

    /* O_NONBLOCK | O_DIRECTORY: whatever is there, the open never waits. */
    fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0 || !(d = fdopendir(fd))) {
        int e = errno;
        g_autofree char *msg = g_strdup_printf("<host-directory> '%s': %s", path,
                                               g_strerror(e));
        if (fd >= 0)
            close(fd);
        tg_policy_directory_problem(dir, msg);
        return;
    }
    tg_file_id_from_stat(&id, &st);
    tg_config_source_add(ctx->sources, path, &id, true);
    names = tg_inventory_names(d);
    closedir(d);

    for (guint i = 0; i < names->len; i++) {
        const char *fname = names->pdata[i];
        g_autofree char *fpath = g_build_filename(path, fname, NULL);
        g_autofree char *buf = NULL;
        g_autoptr(GError) err = NULL;
        gsize len = 0;

        if (!g_file_test(fpath, G_FILE_TEST_IS_REGULAR))
            continue;
        if (!tg_file_read_trusted(fpath, TG_TRUST_ANY_OWNER, TG_MAX_INPUT_BYTES, &buf, &len,
                                  &id, &err)) {
            g_autofree char *msg = g_strdup_printf("<host-directory>: bad host facts file %s",
                                                   err->message);
            tg_policy_directory_problem(dir, msg);
            continue;
        }
        tg_config_source_add(ctx->sources, fpath, &id, false);
        tg_policy_directory_add_facts(dir, fname, fpath, buf, len);
    }
}

TgPolicy *
tg_inventory_read_policy(const char *buf, gsize len, const char *filename, uid_t owner_uid,
                         GPtrArray *sources, GPtrArray *problems, TgErrorCode *first_code)
{
    TgInventoryCtx ctx = { owner_uid, sources };
    TgPolicyInventoryReader reader = { tg_inventory_read_dir, &ctx };

    return tg_policy_read_xml(buf, len, filename, &reader, problems, first_code);
}

static TgPolicy *
tg_policy_from_buffer(const char *buf, gsize len, const char *path, uid_t owner_uid,
                      GPtrArray *sources, GError **error)
{
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
    TgErrorCode code = TG_ERROR_INVALID;
    TgPolicy *p = tg_inventory_read_policy(buf, len, path, owner_uid, sources, problems, &code);

    if (!p)
        tg_policy_problems_to_error(problems, code, error);
    return p;
}

TgPolicy *
tg_policy_load_trusted(const char *path, uid_t owner_uid, GPtrArray *sources, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    TgFileId id;

    if (!tg_file_read_trusted(path, owner_uid, TG_MAX_INPUT_BYTES, &buf, &len, &id, error))
        return NULL;
    tg_config_source_add(sources, path, &id, false);
    return tg_policy_from_buffer(buf, len, path, owner_uid, sources, error);
}

TgPolicy *
tg_policy_load(const char *path, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, error))
        return NULL;
    return tg_policy_from_buffer(buf, len, path, TG_TRUST_ANY_OWNER, NULL, error);
}

bool
tg_policy_validate_inventory(const char *buf, gsize len, const char *filename,
                             GPtrArray **problems)
{
    GPtrArray *pr = g_ptr_array_new_with_free_func(g_free);
    TgPolicy *p = tg_inventory_read_policy(buf, len, filename, TG_TRUST_ANY_OWNER, NULL, pr,
                                           NULL);
    bool ok = p != NULL;

    tg_policy_free(p);
    if (problems)
        *problems = pr;
    else
        g_ptr_array_unref(pr);
    return ok;
}

bool
tg_policy_validate_file(const char *path, GPtrArray **problems)
{
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    gsize len = 0;

    if (!tg_read_file(path, &buf, &len, &err)) {
        if (problems) {
            *problems = g_ptr_array_new_with_free_func(g_free);
            g_ptr_array_add(*problems, g_strdup(err->message));
        }
        return false;
    }
    return tg_policy_validate_inventory(buf, len, path, problems);
}
