/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: printing the fleet plan (tg-plan-report.h). */
#include <config.h>

#include <string.h>

#include "tg-cli.h"
#include "tg-fields.h"
#include "tg-plan-report.h"
#include "tg-report.h"

static const char *
tg_plan_symbol(const TgPlanCell *c)
{
    if (c->self)
        return ".";
    switch (c->verdict) {
    case TG_VERDICT_ALLOW:
        return "+";
    case TG_VERDICT_WARN:
        return "~";
    case TG_VERDICT_DENY:
    default:
        return c->allowed ? "!" : "x";
    }
}

/* virt-host-validate's colours (tools/virt-host-validate-common.c):
 * green PASS, yellow WARN, red FAIL. */
static const char *
tg_plan_colour(const TgPlanCell *c)
{
    if (c->self)
        return "";
    switch (c->verdict) {
    case TG_VERDICT_ALLOW:
        return "\033[32m";
    case TG_VERDICT_WARN:
        return "\033[33m";
    case TG_VERDICT_DENY:
    default:
        return "\033[31m";
    }
}

/* The reason for one pair, formatted through the hook's evaluation under
 * the settings the plan applied the policy for once per guest, and naming
 * the destination (g_free). */
static char *
tg_plan_reason(const TgPlanOut *o, gsize gi, gsize hi)
{
    const TgPlanGuest *g = g_ptr_array_index(o->plan->guests, gi);
    const TgPlanHost *h = g_ptr_array_index(o->plan->hosts, hi);
    g_autoptr(TgDecision) d = tg_evaluate_reasoned(g->profile, h->facts, &g->settings);

    return tg_report_name_destination(d->reason, h->name);
}

/* The fields of a plan decision (tg-fields.h), the ones a plan knows for
 * every pair under the names `check --json` gives them: */
static const TgFieldId tg_plan_row_ids[] = { TG_F_GUEST, TG_F_MODE };
static const TgFieldId tg_plan_pair_ids[] = { TG_F_VERDICT, TG_F_ALLOWED, TG_F_CODE, TG_F_RULE,
                                              TG_F_EFFECTIVE_HZ, TG_F_REASON };

/* skip[id]: field `id` is not in the plan's decisions. */
static void
tg_plan_fields_skip(const TgPlanOut *o, bool *skip)
{
    for (int i = 0; i < TG_F_COUNT; i++)
        skip[i] = true;
    for (gsize k = 0; k < G_N_ELEMENTS(tg_plan_row_ids); k++)
        skip[tg_plan_row_ids[k]] = false;
    for (gsize k = 0; k < G_N_ELEMENTS(tg_plan_pair_ids); k++)
        skip[tg_plan_pair_ids[k]] = false;
    /* a reason is formatted only when asked for (--reasons) */
    skip[TG_F_REASON] = !o->reasons;
}

/* The fields that are the same for every decision of guest `g`. */
static void
tg_plan_row_fields(TgFields *f, const TgPlanOut *o G_GNUC_UNUSED, const TgPlanGuest *g)
{
    tg_fields_set(f, TG_F_GUEST, g->name);
    tg_fields_set(f, TG_F_MODE, tg_mode_to_string(g->mode));
}

/* The fields of guest `gi` on host `hi`. */
static void
tg_plan_cell_fields(TgFields *f, const TgPlanOut *o, gsize gi, gsize hi)
{
    const TgPlanCell *c = tg_plan_cell(o->plan, gi, hi);

    tg_fields_set_static(f, TG_F_VERDICT, tg_verdict_to_string(c->verdict));
    tg_fields_set_static(f, TG_F_ALLOWED, c->allowed ? "yes" : "no");
    tg_fields_set_static(f, TG_F_CODE, c->code);
    tg_fields_set_u64(f, TG_F_RULE, (guint64)MAX(c->rule, 0), true);
    tg_fields_set_u64(f, TG_F_EFFECTIVE_HZ, c->effective_hz, c->effective_hz != 0);
    if (o->reasons) {
        g_autofree char *r = tg_plan_reason(o, gi, hi);

        tg_fields_set(f, TG_F_REASON, r);
    }
}

bool
tg_plan_guest_in_scope(const TgPlanOut *o, const TgPlanGuest *g)
{
    return o->drain == G_MAXSIZE || g->self == o->drain;
}

static void
tg_plan_hz_text(char *buf, gsize size, guint64 hz)
{
    if (hz)
        g_snprintf(buf, size, "%" G_GUINT64_FORMAT " Hz", hz);
    else
        g_snprintf(buf, size, "unknown");
}

void
tg_plan_print_text(const TgPlanOut *o)
{
    TgPlan *p = o->plan;
    gsize nh = p->hosts->len, width = 5;
    g_autoptr(GHashTable) codes = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) code_list = g_ptr_array_new();
    g_autofree char *pol = o->policy_path ? tg_escape_untrusted(o->policy_path)
                                          : g_strdup("the default rules");
    gsize n_nowhere = 0, n_scope = 0;

    for (guint i = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        g_autofree char *esc = tg_escape_untrusted(g->name);

        width = MAX(width, MIN(strlen(esc), 32));
    }
    fprintf(o->out, "tscgate plan: %u guest%s x %" G_GSIZE_FORMAT " host%s, decided with %s\n",
            p->guests->len, p->guests->len == 1 ? "" : "s", nh, nh == 1 ? "" : "s", pol);
    fprintf(o->out, "hosts:\n");
    for (gsize h = 0; h < nh; h++) {
        const TgPlanHost *host = g_ptr_array_index(p->hosts, h);
        g_autofree char *name = tg_escape_untrusted(host->name);
        g_autofree char *from = tg_escape_untrusted(host->from);
        char hz[32];

        tg_plan_hz_text(hz, sizeof(hz), host->facts->tsc_hz.note.known
                                            ? host->facts->tsc_hz.value : 0);
        fprintf(o->out, "  %3" G_GSIZE_FORMAT "  %s: %s, scaling %s (%s)\n", h + 1, name, hz,
                tg_tri_to_string(tg_bool_fact_tri(&host->facts->tsc_scaling)), from);
    }
    /* the host indices as column headings: tens over ones, in groups of 10 */
    if (nh >= 10) {
        fprintf(o->out, "%-*s  ", (int)width, "");
        for (gsize h = 0; h < nh; h++)
            fprintf(o->out, "%s%c", h && h % 10 == 0 ? " " : "",
                    (h + 1) >= 10 ? (char)('0' + ((h + 1) / 10) % 10) : ' ');
        fputc('\n', o->out);
    }
    fprintf(o->out, "%-*s  ", (int)width, "guest");
    for (gsize h = 0; h < nh; h++)
        fprintf(o->out, "%s%c", h && h % 10 == 0 ? " " : "", (char)('0' + (h + 1) % 10));
    fprintf(o->out, "  hosts  suggestion\n");
    for (guint i = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        g_autofree char *esc = tg_escape_untrusted(g->name);

        if (!tg_plan_guest_in_scope(o, g))
            continue;
        n_scope++;
        if (strlen(esc) > 32)
            strcpy(esc + 29, "...");
        fprintf(o->out, "%-*s  ", (int)width, esc);
        for (gsize h = 0; h < nh; h++) {
            const TgPlanCell *c = tg_plan_cell(p, i, h);

            if (h && h % 10 == 0)
                fputc(' ', o->out);
            if (o->colour && !c->self)
                fprintf(o->out, "%s%s\033[0m", tg_plan_colour(c), tg_plan_symbol(c));
            else
                fputs(tg_plan_symbol(c), o->out);
            if (!c->self && c->code && !g_hash_table_contains(codes, c->code)) {
                g_hash_table_insert(codes, (gpointer)c->code,
                                    GSIZE_TO_POINTER(i * nh + h + 1));
                g_ptr_array_add(code_list, (gpointer)c->code);
            }
        }
        fprintf(o->out, "  %5" G_GSIZE_FORMAT, g->n_allowed);
        if (g->pin.hz)
            fprintf(o->out, "  pin %" G_GUINT64_FORMAT " Hz: %" G_GSIZE_FORMAT
                    " more host%s", g->pin.hz, g->pin_more, g->pin_more == 1 ? "" : "s");
        if (!g->n_allowed) {
            n_nowhere++;
            fprintf(o->out, "%snowhere to go", g->pin.hz ? "; " : "  ");
        }
        fputc('\n', o->out);
    }
    fprintf(o->out, "legend: + allow, ~ allow-with-warning, x deny, ! deny (audit mode lets "
            "it through), . the guest's own host\n");
    if (code_list->len)
        fprintf(o->out, "reason codes (doc/reason-codes.md), each with its first pair:\n");
    for (guint k = 0; k < code_list->len; k++) {
        const char *code = code_list->pdata[k];
        gsize at = GPOINTER_TO_SIZE(g_hash_table_lookup(codes, code)) - 1;
        gsize gi = at / nh, hi = at % nh;
        const TgPlanGuest *g = g_ptr_array_index(p->guests, gi);
        const TgPlanHost *h = g_ptr_array_index(p->hosts, hi);
        g_autofree char *reason = tg_plan_reason(o, gi, hi);
        g_autofree char *gn = tg_escape_untrusted(g->name);
        g_autofree char *hn = tg_escape_untrusted(h->name);
        gsize count = 0;

        for (guint i = 0; i < p->guests->len; i++) {
            if (!tg_plan_guest_in_scope(o, g_ptr_array_index(p->guests, i)))
                continue;
            for (gsize j = 0; j < nh; j++) {
                const TgPlanCell *c = tg_plan_cell(p, i, j);

                count += !c->self && c->code == code;
            }
        }
        fprintf(o->out, "  %s (%" G_GSIZE_FORMAT " pair%s): %s on %s: %s\n", code, count,
                count == 1 ? "" : "s", gn, hn, reason);
    }
    if (o->drain != G_MAXSIZE) {
        const TgPlanHost *dh = g_ptr_array_index(p->hosts, o->drain);
        g_autofree char *dn = tg_escape_untrusted(dh->name);

        fprintf(o->out, "drain %s: %" G_GSIZE_FORMAT " guest%s\n", dn, n_scope,
                n_scope == 1 ? "" : "s");
        for (guint i = 0; i < p->guests->len; i++) {
            const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
            g_autofree char *gn = tg_escape_untrusted(g->name);
            bool any = false;

            if (!tg_plan_guest_in_scope(o, g))
                continue;
            fprintf(o->out, "  %s:", gn);
            for (gsize h = 0; h < nh; h++) {
                const TgPlanCell *c = tg_plan_cell(p, i, h);
                g_autofree char *hn = NULL;

                if (c->self || !c->allowed)
                    continue;
                hn = tg_escape_untrusted(((TgPlanHost *)g_ptr_array_index(p->hosts, h))->name);
                fprintf(o->out, "%s %s", any ? "," : "", hn);
                any = true;
            }
            fprintf(o->out, "%s\n", any ? "" : " nowhere to go");
        }
    }
    if (n_nowhere)
        fprintf(o->out, "%" G_GSIZE_FORMAT " guest%s with nowhere to go\n", n_nowhere,
                n_nowhere == 1 ? "" : "s");
    for (guint i = 0; i < o->unreachable->len; i++) {
        g_autofree char *esc = tg_escape_untrusted(o->unreachable->pdata[i]);

        fprintf(o->out, "not in the plan: %s\n", esc);
    }
}

/* JSON number or null for 0 (unknown). */
static void
tg_plan_json_hz(FILE *out, guint64 hz)
{
    if (hz)
        fprintf(out, "%" G_GUINT64_FORMAT, hz);
    else
        fputs("null", out);
}

static const char *
tg_plan_json_tri(TgTri t)
{
    return t == TG_TRI_YES ? "true" : t == TG_TRI_NO ? "false" : "null";
}

void
tg_plan_print_json(const TgPlanOut *o)
{
    TgPlan *p = o->plan;
    gsize nh = p->hosts->len;
    g_autoptr(GPtrArray) hnames = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) line = g_string_new(NULL);
    g_autoptr(GString) guest_member = g_string_new(NULL);
    bool skip[TG_F_COUNT], only_guest[TG_F_COUNT];
    bool first = true;

    fputs("{\"hosts\":[", o->out);
    for (gsize h = 0; h < nh; h++) {
        const TgPlanHost *host = g_ptr_array_index(p->hosts, h);
        const TgHostFacts *f = host->facts;
        g_autofree char *from = tg_json_string(host->from);
        g_autofree char *digest = tg_json_string(f->policy_digest.note.known
                                                     ? f->policy_digest.value : NULL);
        g_autofree char *vendor = tg_json_string(f->cpu_vendor.note.known
                                                     ? f->cpu_vendor.value : NULL);

        g_ptr_array_add(hnames, tg_json_string(host->name));
        fprintf(o->out, "%s{\"index\":%" G_GSIZE_FORMAT ",\"name\":%s,\"from\":%s,\"tsc_hz\":",
                h ? "," : "", h + 1, (char *)hnames->pdata[h], from);
        tg_plan_json_hz(o->out, f->tsc_hz.note.known ? f->tsc_hz.value : 0);
        fprintf(o->out, ",\"scaling\":%s,\"cpu_vendor\":%s,\"policy_digest\":%s}",
                tg_plan_json_tri(tg_bool_fact_tri(&f->tsc_scaling)), vendor, digest);
    }
    fputs("],\"guests\":[", o->out);
    for (guint i = 0, n = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        TgNominalOrigin origin;
        guint64 hz = tg_guest_nominal_hz(g->profile, &origin);
        g_autofree char *name = tg_json_string(g->name);
        g_autofree char *from = tg_json_string(g->from);
        g_autofree char *host = tg_json_string(g->host);
        g_auto(TgFields) f = { 0 };
        bool gskip[TG_F_COUNT];

        if (!tg_plan_guest_in_scope(o, g))
            continue;
        /* what the guest brings to every decision, under the fields' names */
        for (int k = 0; k < TG_F_COUNT; k++)
            gskip[k] = true;
        gskip[TG_F_UUID] = gskip[TG_F_CLOCK_CLASS] = gskip[TG_F_GUEST_HZ] = false;
        gskip[TG_F_GUEST_HZ_ORIGIN] = gskip[TG_F_MODE] = false;
        tg_fields_set(&f, TG_F_UUID, g->profile->uuid);
        tg_fields_set(&f, TG_F_CLOCK_CLASS, tg_dependence_to_string(g->profile->dependence));
        tg_fields_set_u64(&f, TG_F_GUEST_HZ, hz, hz != 0);
        tg_fields_set(&f, TG_F_GUEST_HZ_ORIGIN, hz ? tg_nominal_origin_to_string(origin) : NULL);
        tg_fields_set(&f, TG_F_MODE, tg_mode_to_string(g->mode));
        g_string_truncate(line, 0);
        g_string_append_printf(line, "%s{\"name\":%s,\"from\":%s,\"host\":%s,", n++ ? "," : "",
                               name, from, host);
        tg_fields_json_append(line, &f, gskip);
        g_string_append_printf(line, ",\"allowed_hosts\":%" G_GSIZE_FORMAT ",\"pin\":",
                               g->n_allowed);
        fputs(line->str, o->out);
        if (g->pin.hz)
            fprintf(o->out, "{\"frequency\":%" G_GUINT64_FORMAT ",\"hosts\":%" G_GSIZE_FORMAT
                    ",\"more_hosts\":%" G_GSIZE_FORMAT "}", g->pin.hz, g->pin.n_hosts,
                    g->pin_more);
        else
            fputs("null", o->out);
        if (o->drain != G_MAXSIZE) {
            fputs(",\"may_go_to\":[", o->out);
            for (gsize h = 0, k = 0; h < nh; h++) {
                const TgPlanCell *c = tg_plan_cell(p, i, h);

                if (!c->self && c->allowed)
                    fprintf(o->out, "%s%s", k++ ? "," : "", (char *)hnames->pdata[h]);
            }
            fputc(']', o->out);
        }
        fputc('}', o->out);
    }
    fputs("],\"decisions\":[", o->out);
    tg_plan_fields_skip(o, skip);
    for (int k = 0; k < TG_F_COUNT; k++)
        only_guest[k] = k != TG_F_GUEST;
    skip[TG_F_GUEST] = true;
    for (guint i = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        g_auto(TgFields) f = { 0 };

        if (!tg_plan_guest_in_scope(o, g))
            continue;
        tg_plan_row_fields(&f, o, g);
        /* {"guest":G,"host":H,...}: the guest's member once per row */
        g_string_truncate(guest_member, 0);
        tg_fields_json_append(guest_member, &f, only_guest);
        for (gsize h = 0; h < nh; h++) {
            const TgPlanCell *c = tg_plan_cell(p, i, h);

            if (c->self)
                continue;
            tg_plan_cell_fields(&f, o, i, h);
            g_string_truncate(line, 0);
            g_string_append(line, first ? "{" : ",{");
            g_string_append_len(line, guest_member->str, (gssize)guest_member->len);
            g_string_append(line, ",\"host\":");
            g_string_append(line, hnames->pdata[h]);
            g_string_append_c(line, ',');
            tg_fields_json_append(line, &f, skip);
            g_string_append_c(line, '}');
            fputs(line->str, o->out);
            first = false;
        }
    }
    fputs("],\"unreachable\":[", o->out);
    for (guint i = 0; i < o->unreachable->len; i++) {
        g_autofree char *s = tg_json_string(o->unreachable->pdata[i]);

        fprintf(o->out, "%s%s", i ? "," : "", s);
    }
    fputc(']', o->out);
    if (o->drain != G_MAXSIZE) {
        g_autofree char *dn = tg_json_string(((TgPlanHost *)g_ptr_array_index(p->hosts, o->drain))->name);
        bool any = false;

        fprintf(o->out, ",\"drain\":%s,\"nowhere\":[", dn);
        for (guint i = 0; i < p->guests->len; i++) {
            const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
            g_autofree char *gn = NULL;

            if (!tg_plan_guest_in_scope(o, g) || g->n_allowed)
                continue;
            gn = tg_json_string(g->name);
            fprintf(o->out, "%s%s", any ? "," : "", gn);
            any = true;
        }
        fputc(']', o->out);
    }
    fputs("}\n", o->out);
}

/* True when `s` is printable ASCII without a backslash: no escaping to do. */
static bool
tg_plan_plain(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p > 0x7e || *p == '\\')
            return false;
    return true;
}

/* RFC 4180 field: quoted when it holds a comma, quote or line break. A
 * name from a guest or a host is escaped as the table escapes it
 * (tg_escape_untrusted: no line break, no C1 or bidi control reaches a
 * terminal); the reason, escaped by the engine already, keeps its
 * backslashes and loses only raw controls. */
static void
tg_plan_csv_field(FILE *out, const char *raw, TgEscapeStyle style)
{
    g_autofree char *esc = tg_plan_plain(raw) ? NULL
                                          : tg_escape(raw, style);
    const char *s = esc ? esc : raw;

    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            fputc('"', out);
        fputc(*c, out);
    }
    fputc('"', out);
}

/* The CSV columns: the plan decision's fields, "host" second. */
static const TgFieldId tg_plan_csv_ids[] = { TG_F_GUEST, TG_F_COUNT /* host */, TG_F_VERDICT,
                                             TG_F_CODE, TG_F_RULE, TG_F_ALLOWED,
                                             TG_F_EFFECTIVE_HZ, TG_F_REASON };

void
tg_plan_print_csv(const TgPlanOut *o)
{
    TgPlan *p = o->plan;
    gsize nh = p->hosts->len;
    bool skip[TG_F_COUNT];
    bool first = true;

    tg_plan_fields_skip(o, skip);
    for (gsize k = 0; k < G_N_ELEMENTS(tg_plan_csv_ids); k++) {
        TgFieldId id = tg_plan_csv_ids[k];

        if (id != TG_F_COUNT && skip[id])
            continue;
        fprintf(o->out, "%s%s", first ? "" : ",", id == TG_F_COUNT ? "host" : tg_field_def(id)->name);
        first = false;
    }
    fputs("\r\n", o->out);
    for (guint i = 0; i < p->guests->len; i++) {
        const TgPlanGuest *g = g_ptr_array_index(p->guests, i);
        g_auto(TgFields) f = { 0 };

        if (!tg_plan_guest_in_scope(o, g))
            continue;
        tg_plan_row_fields(&f, o, g);
        for (gsize h = 0; h < nh; h++) {
            const TgPlanCell *c = tg_plan_cell(p, i, h);

            if (c->self)
                continue;
            tg_plan_cell_fields(&f, o, i, h);
            first = true;
            for (gsize k = 0; k < G_N_ELEMENTS(tg_plan_csv_ids); k++) {
                TgFieldId id = tg_plan_csv_ids[k];
                const char *v;

                if (id != TG_F_COUNT && skip[id])
                    continue;
                v = id == TG_F_COUNT ? ((TgPlanHost *)g_ptr_array_index(p->hosts, h))->name
                                     : f.v[id];
                if (!first)
                    fputc(',', o->out);
                first = false;
                /* unknown is an empty field */
                tg_plan_csv_field(o->out, v ? v : "",
                                  id == TG_F_REASON ? TG_ESCAPE_CONTROLS : TG_ESCAPE_UNTRUSTED);
            }
            fputs("\r\n", o->out);
        }
    }
}
