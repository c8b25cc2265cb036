/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate fuzz target: untrusted capabilities-shaped host facts XML
 * (`virsh capabilities`, `tscgate probe` output, host.xml, policy host
 * inventories). Whatever parses must format, parse back, and format to
 * the identical text (tg_host_facts_format_xml's round-trip promise). */
#include <config.h>

#include <string.h>

#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(TgHostFacts) f = NULL;
    g_autoptr(TgHostFacts) f2 = NULL;
    g_autofree char *x1 = NULL;
    g_autofree char *x2 = NULL;

    fuzz_libxml_quiet();
    f = tg_host_facts_parse_xml((const char *)data, size, "fuzz-host.xml", &err);
    if (!f) {
        FUZZ_ASSERT(err != NULL && err->message && *err->message, "NULL without error");
        fuzz_check_text("error", err->message);
        FUZZ_ASSERT(g_str_has_prefix(err->message, "fuzz-host.xml:"),
                    "error does not name the input: %s", err->message);
        return 0;
    }
    FUZZ_ASSERT(err == NULL, "facts and error");
    (void)tg_host_facts_tsc_invariant(f);

    x1 = tg_host_facts_format_xml(f);
    FUZZ_ASSERT(x1 && *x1, "empty formatted facts");
    f2 = tg_host_facts_parse_xml(x1, strlen(x1), "fuzz-host-formatted.xml", &err);
    FUZZ_ASSERT(f2 != NULL, "formatted facts do not parse: %s\n--- formatted:\n%s",
                err->message, x1);
    x2 = tg_host_facts_format_xml(f2);
    FUZZ_ASSERT(strcmp(x1, x2) == 0, "round trip changed the facts\n--- first:\n%s\n--- second:\n%s",
                x1, x2);
    return 0;
}
