/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate fuzz target: untrusted policy XML (`tscgate policy validate` is
 * run on files admins are still writing). Parses the policy, applies it to
 * fixed guests, and validates the same buffer collecting every problem:
 * both must agree on whether the policy is valid.
 *
 * The input is named "$top_srcdir/fuzz-policy.xml" ("fuzz-policy.xml" when
 * top_srcdir is unset). <host-directory> inventories are not read from disk
 * (the core does no I/O): fuzz_read_dir() answers for every path, the same
 * for parse and validate, with a problem, a host facts document or hosts
 * chosen by a hash of the path. */
#include <config.h>

#include <string.h>

#include "fuzz-common.h"
#include "tg-policy.h"

static const char *const fuzz_guest_xml[] = {
    /* tagged, explicit frequency, lineage record */
    "<domain type='kvm'><name>db-01</name>"
    "<uuid>6f1c3f0e-8a2b-4f43-9c1e-2d7a1b0c5e11</uuid>"
    "<metadata><tags xmlns='urn:tscgate:tags:1'><tag>db</tag><tag>web</tag></tags>"
    "<tscgate:lineage xmlns:tscgate='urn:tscgate:lineage:1' version='1'>"
    "<tscgate:nominal hz='2596120000' origin='explicit'/>"
    "<tscgate:effective hz='2596120000' changed='no'/>"
    "<tscgate:hop op='migrate' host='hostb' hz='2596120000' scaling='no'"
    " time='2026-11-25T08:00:00Z' verdict='allow' reason='explicit-within-tolerance'/>"
    "</tscgate:lineage></metadata>"
    "<clock offset='utc'><timer name='tsc' frequency='2596120000'/></clock></domain>",
    /* Windows, Hyper-V re-enlightenment */
    "<domain type='kvm'><name>win-sql-01</name>"
    "<features><hyperv mode='custom'><frequencies state='on'/>"
    "<reenlightenment state='on'/></hyperv></features>"
    "<clock offset='localtime'><timer name='hypervclock' present='yes'/></clock></domain>",
    /* reads the TSC directly, rate unknown */
    "<domain type='kvm'><name>batch-07</name>"
    "<cpu mode='host-passthrough' migratable='off'/>"
    "<clock offset='utc'><timer name='kvmclock' present='no'/></clock></domain>",
    /* plain kvm-clock */
    "<domain type='kvm'><name>plain-03</name><clock offset='utc'/></domain>",
};
#define FUZZ_N_GUESTS G_N_ELEMENTS(fuzz_guest_xml)

static const char fuzz_facts_xml[] =
    "<capabilities><host><cpu><counter name='tsc' frequency='2596120000' scaling='no'/>"
    "</cpu></host></capabilities>";

static void
fuzz_read_dir(const char *path, TgPolicyDirectory *dir, gpointer data)
{
    guint h = g_str_hash(path);

    (void)data;
    switch (h % 4) {
    case 0: {
        g_autofree char *msg = g_strdup_printf("<host-directory> '%s': No such file or "
                                               "directory", path);
        tg_policy_directory_problem(dir, msg);
        break;
    }
    case 1:
        tg_policy_directory_add_facts(dir, "hosta.xml", path, fuzz_facts_xml,
                                      sizeof(fuzz_facts_xml) - 1);
        break;
    default:
        tg_policy_directory_add_host(dir, "fuzz-host", 2100000000u + h % 1000000u,
                                     (h & 4) ? TG_TRI_YES : TG_TRI_NO);
        tg_policy_directory_add_host(dir, "fuzz-host", 0, TG_TRI_UNKNOWN);
        break;
    }
}

static const TgPolicyInventoryReader fuzz_reader = { fuzz_read_dir, NULL };

static TgGuestProfile *fuzz_guests[FUZZ_N_GUESTS];
static char *fuzz_name;

static void
fuzz_init(void)
{
    const char *top = g_getenv("top_srcdir");

    if (fuzz_guests[0])
        return;
    fuzz_name = top && *top ? g_build_filename(top, "fuzz-policy.xml", NULL)
                            : g_strdup("fuzz-policy.xml");
    for (gsize i = 0; i < FUZZ_N_GUESTS; i++) {
        g_autoptr(GError) err = NULL;

        fuzz_guests[i] = tg_guest_profile_parse_xml(fuzz_guest_xml[i], strlen(fuzz_guest_xml[i]),
                                                    "fuzz-fixed-guest.xml", &err);
        FUZZ_ASSERT(fuzz_guests[i] != NULL, "fixed guest %zu: %s", (size_t)i, err->message);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    g_autoptr(GError) err = NULL;
    g_autoptr(TgPolicy) p = NULL;
    g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) problems2 = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(TgPolicy) p2 = NULL;
    TgErrorCode code = TG_ERROR_INVALID;
    bool valid;

    fuzz_init();
    fuzz_libxml_quiet();
    /* The same bytes as a compiled policy: refused or decoded, never a crash. */
    tg_policy_free(tg_policy_from_compiled(data, size, NULL));
    p = tg_policy_read_xml(buf, size, fuzz_name, &fuzz_reader, problems, &code);
    if (!p)
        tg_policy_problems_to_error(problems, code, &err);
    if (p) {
        g_autoptr(GByteArray) compiled = g_byte_array_new();
        g_autoptr(TgPolicy) back = NULL;
        g_autoptr(GError) cerr = NULL;

        FUZZ_ASSERT(err == NULL, "policy and error");
        (void)tg_policy_mode(p);
        (void)tg_policy_fail_open(p);
        /* The compiled form (the configuration cache) decides the same. */
        tg_policy_compile(p, compiled);
        back = tg_policy_from_compiled(compiled->data, compiled->len, &cerr);
        FUZZ_ASSERT(back != NULL, "compiled form refused: %s", cerr ? cerr->message : "?");
        for (gsize i = 0; i < FUZZ_N_GUESTS; i++) {
            TgSettings s1, s2;
            g_autofree char *w1 = NULL;
            g_autofree char *w2 = NULL;
            g_autofree char *d1 = NULL;
            g_autofree char *d2 = NULL;
            const char *r1 = tg_policy_apply(p, fuzz_guests[i], &s1, &w1);
            const char *r2 = tg_policy_apply(back, fuzz_guests[i], &s2, &w2);

            d1 = tg_settings_describe(&s1);
            d2 = tg_settings_describe(&s2);
            FUZZ_ASSERT(g_strcmp0(r1, r2) == 0 && strcmp(w1, w2) == 0 && strcmp(d1, d2) == 0,
                        "compiled form decides differently: %s / %s", d1, d2);
        }
        for (gsize i = 0; i < FUZZ_N_GUESTS; i++) {
            TgSettings s;
            g_autofree char *why = NULL;
            g_autofree char *desc = NULL;
            g_autoptr(TgDecision) d = NULL;
            g_autoptr(TgHostFacts) dest = fuzz_dest_host((int)(i % FUZZ_N_DESTS));

            tg_settings_init(&s);
            (void)tg_policy_apply(p, fuzz_guests[i], &s, &why);
            fuzz_check_text("policy selection", why);
            desc = tg_settings_describe(&s);
            fuzz_check_text("settings description", desc);
            d = tg_decide(fuzz_guests[i], NULL, dest, &s);
            FUZZ_ASSERT(d != NULL, "no decision");
            fuzz_check_text("reason", d->reason);
        }
    } else {
        FUZZ_ASSERT(err != NULL && err->message && *err->message, "NULL without error");
        fuzz_check_text("error", err->message);
        FUZZ_ASSERT(g_str_has_prefix(err->message, fuzz_name) &&
                    err->message[strlen(fuzz_name)] == ':',
                    "error does not name the input: %s", err->message);
    }

    /* Without a reader: a policy naming no directory parses the same. */
    valid = tg_policy_validate_buffer(buf, size, fuzz_name, NULL);
    FUZZ_ASSERT(!valid || p != NULL, "valid without inventory but refused with it");
    p2 = tg_policy_read_xml(buf, size, fuzz_name, &fuzz_reader, problems2, NULL);
    valid = p2 != NULL;
    FUZZ_ASSERT(problems2->len == problems->len, "%u problems, then %u", problems->len,
                problems2->len);
    FUZZ_ASSERT(valid == (problems->len == 0), "valid=%d with %u problems", valid, problems->len);
    FUZZ_ASSERT(valid == (p != NULL), "parse %s but validate %s: %s",
                p ? "accepts" : "refuses", valid ? "accepts" : "refuses",
                err ? err->message : (const char *)problems->pdata[0]);
    for (guint i = 0; i < problems2->len; i++)
        fuzz_check_text("problem", problems2->pdata[i]);
    return 0;
}
