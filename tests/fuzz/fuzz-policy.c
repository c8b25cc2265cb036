/* tscgate fuzz target: untrusted policy XML (`tscgate policy validate` is
 * run on files admins are still writing). Parses the policy, applies it to
 * fixed guests, and validates the same buffer collecting every problem:
 * both must agree on whether the policy is valid.
 *
 * The input is named "$top_srcdir/fuzz-policy.xml" ("fuzz-policy.xml" when
 * top_srcdir is unset), so relative <host-directory> paths resolve against
 * the source tree, where xml/examples/gen10-hosts holds an inventory. */
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
    g_autoptr(GPtrArray) problems = NULL;
    bool valid;

    fuzz_init();
    fuzz_libxml_quiet();
    p = tg_policy_parse_xml(buf, size, fuzz_name, &err);
    if (p) {
        FUZZ_ASSERT(err == NULL, "policy and error");
        (void)tg_policy_mode(p);
        (void)tg_policy_fail_open(p);
        (void)tg_policy_inventory_paths(p);
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

    valid = tg_policy_validate_buffer(buf, size, fuzz_name, &problems);
    FUZZ_ASSERT(problems != NULL, "no problem list");
    FUZZ_ASSERT(valid == (problems->len == 0), "valid=%d with %u problems", valid, problems->len);
    FUZZ_ASSERT(valid == (p != NULL), "parse %s but validate %s: %s",
                p ? "accepts" : "refuses", valid ? "accepts" : "refuses",
                err ? err->message : (const char *)problems->pdata[0]);
    for (guint i = 0; i < problems->len; i++)
        fuzz_check_text("problem", problems->pdata[i]);
    return 0;
}
