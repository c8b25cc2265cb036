/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: guest clock profile from domain XML (see tg-guest.h, schema of
 * the lineage record xml/lineage.rng).
 */
#include <config.h>

#include "tg-guest.h"
#include "tg-xml.h"

#include <string.h>

static const char *const tg_dep_names[] = {
    [TG_DEP_EXPLICIT_FREQUENCY] = "explicit-frequency",
    [TG_DEP_REENLIGHTENMENT] = "reenlightenment",
    [TG_DEP_TSC_SENSITIVE] = "tsc-sensitive",
    [TG_DEP_PARAVIRT] = "paravirt-clock",
};

const TgEnumTable tg_dependence_table = TG_ENUM_TABLE(tg_dep_names);

const char *
tg_dependence_to_string(TgDependence d)
{
    const char *s = tg_enum_to_string(&tg_dependence_table, (int)d);

    return s ? s : "unknown";
}

bool
tg_dependence_from_string(const char *s, TgDependence *out)
{
    int v = tg_enum_from_string(&tg_dependence_table, s);

    if (v < 0)
        return false;
    *out = (TgDependence)v;
    return true;
}

static const char *const tg_kind_names[] = {
    [TG_GUEST_KVM] = "kvm",
    [TG_GUEST_TCG] = "tcg",
    [TG_GUEST_NO_TSC] = "no-tsc",
};

const TgEnumTable tg_guest_kind_table = TG_ENUM_TABLE(tg_kind_names);

const char *
tg_guest_kind_to_string(TgGuestKind k)
{
    const char *s = tg_enum_to_string(&tg_guest_kind_table, (int)k);

    return s ? s : "kvm";
}

static void
tg_timer_free(TgTimer *t)
{
    if (!t)
        return;
    g_free(t->name);
    g_free(t->mode);
    g_free(t->tickpolicy);
    g_free(t);
}

void
tg_guest_profile_free(TgGuestProfile *g)
{
    if (!g)
        return;
    g_free(g->name);
    g_free(g->uuid);
    g_free(g->clock_offset);
    g_free(g->virt_type);
    g_free(g->arch);
    g_free(g->machine);
    if (g->timers)
        g_ptr_array_unref(g->timers);
    g_free(g->cpu_mode);
    g_free(g->invtsc_policy);
    tg_lineage_free(g->lineage);
    g_free(g->lineage_ignored);
    if (g->tags)
        g_ptr_array_unref(g->tags);
    g_free(g);
}

static TgGuestProfile *
tg_guest_profile_new(void)
{
    TgGuestProfile *g = g_new0(TgGuestProfile, 1);

    g->timers = g_ptr_array_new_with_free_func((GDestroyNotify)tg_timer_free);
    g->tags = g_ptr_array_new_with_free_func(g_free);
    g->dependence = TG_DEP_PARAVIRT;
    return g;
}

TgDependence
tg_guest_derive_dependence(const TgGuestProfile *g)
{
    if (g->has_explicit_hz)
        return TG_DEP_EXPLICIT_FREQUENCY;
    /* TCG has neither kvm-clock nor Hyper-V enlightenments (both are KVM's:
     * QEMU target/i386/kvm/kvm.c kvm_arch_init_vcpu builds their CPUID
     * leaves): the guest reads the TSC. */
    if (g->kind == TG_GUEST_TCG)
        return TG_DEP_TSC_SENSITIVE;
    if (g->hv_reenlightenment == TG_TRI_YES)
        return TG_DEP_REENLIGHTENMENT;
    if (g->invtsc_exposed || g->kvmclock_disabled)
        return TG_DEP_TSC_SENSITIVE;
    return TG_DEP_PARAVIRT;
}

guint64
tg_guest_nominal_hz(const TgGuestProfile *g, TgNominalOrigin *origin)
{
    TgNominalOrigin o = TG_NOMINAL_UNKNOWN;
    guint64 hz = 0;

    if (g && g->has_explicit_hz) {
        hz = g->explicit_hz;
        o = TG_NOMINAL_EXPLICIT;
    } else if (g && g->lineage && g->lineage->nominal_hz != 0) {
        hz = g->lineage->nominal_hz;
        o = TG_NOMINAL_LINEAGE;
    }
    if (origin)
        *origin = o;
    return hz;
}

/* Text of the first child element `name` (no namespace), or NULL. */
static char *
tg_child_text(const xmlNode *parent, const char *name)
{
    xmlNode *c = tg_xml_child(parent, NULL, name);

    return c ? tg_xml_text(c) : NULL;
}

/* ---- domain ---- */

static bool
tg_parse_timers(TgGuestProfile *g, const xmlNode *clock, GError **error)
{
    for (xmlNode *el = tg_xml_child(clock, NULL, "timer"); el; el = tg_xml_next_same(el)) {
        TgTimer *t = g_new0(TgTimer, 1);
        guint64 hz = 0;
        int r;

        g_ptr_array_add(g->timers, t);
        t->line = tg_xml_line(el);
        t->mode = tg_xml_prop(el, "mode");
        t->tickpolicy = tg_xml_prop(el, "tickpolicy");
        if (tg_xml_prop_string(el, "name", TG_XML_PROP_REQUIRED, &t->name, error) < 0)
            return false;
        if (!*t->name) {
            tg_xml_error_no_attr(error, el, "name");
            return false;
        }
        if (tg_xml_prop_tri(el, "present", TG_XML_YES_NO, TG_XML_PROP_OPTIONAL, &t->present,
                            error) < 0)
            return false;
        r = tg_xml_prop_u64(el, "frequency", TG_XML_PROP_LIBVIRT_NUMBER, &hz, error);
        if (r < 0)
            return false;
        /* libvirt formats frequency only when non-zero and its TSC checks
         * skip a zero frequency (virDomainTimerDefFormat,
         * qemuProcessStartValidateTSC): frequency='0' means none. */
        if (r > 0 && hz > 0) {
            t->has_frequency = true;
            t->frequency = hz;
        }

        if (strcmp(t->name, "tsc") == 0 && t->has_frequency) {
            /* libvirt checks the first tsc timer that has a frequency
             * (qemuProcessStartValidateTSC, src/qemu/qemu_process.c), but
             * qemuBuildCpuCommandLine (src/qemu/qemu_command.c) passes
             * tsc-frequency= for every one and QEMU keeps the last value
             * of a repeated -cpu property: the guest runs at the last. */
            if (!g->has_explicit_hz)
                g->first_explicit_hz = t->frequency;
            g->has_explicit_hz = true;
            g->explicit_hz = t->frequency;
        } else if (strcmp(t->name, "kvmclock") == 0) {
            /* Only present='no' turns kvm-clock off (qemu_command.c). */
            if (t->present == TG_TRI_NO)
                g->kvmclock_disabled = true;
        } else if (strcmp(t->name, "hypervclock") == 0) {
            if (g->hypervclock == TG_TRI_UNKNOWN)
                g->hypervclock = t->present;
        }
    }
    return true;
}

static bool
tg_parse_cpu(TgGuestProfile *g, const xmlNode *cpu, GError **error)
{
    xmlNode *invtsc = NULL;
    const char *mode;

    g->cpu_mode = tg_xml_prop(cpu, "mode");
    if (tg_xml_prop_tri(cpu, "migratable", TG_XML_ON_OFF, TG_XML_PROP_OPTIONAL,
                        &g->cpu_migratable, error) < 0)
        return false;
    for (xmlNode *f = tg_xml_child(cpu, NULL, "feature"); f; f = tg_xml_next_same(f)) {
        g_autofree char *name = tg_xml_prop(f, "name");
        if (g_strcmp0(name, "invtsc") == 0) {
            invtsc = f;
            break;
        }
    }
    if (invtsc) {
        g->invtsc_policy = tg_xml_prop(invtsc, "policy");
        /* A guest CPU feature without a policy is 'require' (libvirt
         * src/conf/cpu_conf.c virCPUDefParseXML, VIR_CPU_TYPE_GUEST). */
        if (!g->invtsc_policy)
            g->invtsc_policy = g_strdup("require");
    }

    mode = g->cpu_mode ? g->cpu_mode : "custom";
    if (g->invtsc_policy && (strcmp(g->invtsc_policy, "require") == 0 ||
                             strcmp(g->invtsc_policy, "force") == 0)) {
        g->invtsc_exposed = true;
    } else if (g->invtsc_policy && (strcmp(g->invtsc_policy, "disable") == 0 ||
                                    strcmp(g->invtsc_policy, "forbid") == 0)) {
        g->invtsc_exposed = false;
    } else if (strcmp(mode, "host-passthrough") == 0 || strcmp(mode, "maximum") == 0) {
        /* The host's invtsc reaches the guest only when the CPU is not
         * restricted to migratable features (migratable='off'); the default
         * is on. */
        g->invtsc_exposed = g->cpu_migratable == TG_TRI_NO;
    } else if (strcmp(mode, "host-model") == 0) {
        /* libvirt's cpu_map marks invtsc migratable='no': host-model never
         * includes it. */
        g->invtsc_exposed = false;
    } else {
        /* custom model with policy='optional' (inactive XML; the live XML
         * has require or disable already): at start libvirt resolves
         * optional features against the migratable host CPU model
         * (qemuProcessUpdateGuestCPU passes
         * VIR_QEMU_CAPS_HOST_CPU_MIGRATABLE's model to virCPUUpdate, whose
         * x86 implementation virCPUx86Update turns each optional feature
         * into require or disable by that model), which never has invtsc
         * (libvirt's cpu_map marks it migratable='no'): disabled. */
        g->invtsc_exposed = false;
    }
    return true;
}

static bool
tg_parse_hyperv(TgGuestProfile *g, const xmlNode *hv, GError **error)
{
    g_autofree char *mode = tg_xml_prop(hv, "mode");
    xmlNode *el;

    g->hyperv_enabled = true;
    if (g_strcmp0(mode, "passthrough") == 0) {
        /* hv-passthrough enables every enlightenment KVM supports,
         * re-enlightenment and frequencies included. The per-feature
         * children do not change that: qemuBuildCpuCommandLine
         * (src/qemu/qemu_command.c) adds hv-passthrough=on and then only
         * the features whose state is on, never an "=off". */
        g->hv_frequencies = TG_TRI_YES;
        g->hv_reenlightenment = TG_TRI_YES;
        return true;
    }
    el = tg_xml_child(hv, NULL, "frequencies");
    if (el) {
        TgTri t = TG_TRI_UNKNOWN;

        if (tg_xml_prop_tri(el, "state", TG_XML_ON_OFF, TG_XML_PROP_OPTIONAL, &t, error) < 0)
            return false;
        if (t != TG_TRI_UNKNOWN)
            g->hv_frequencies = t;
    }
    el = tg_xml_child(hv, NULL, "reenlightenment");
    if (el) {
        TgTri t = TG_TRI_UNKNOWN;

        if (tg_xml_prop_tri(el, "state", TG_XML_ON_OFF, TG_XML_PROP_OPTIONAL, &t, error) < 0)
            return false;
        if (t != TG_TRI_UNKNOWN)
            g->hv_reenlightenment = t;
    }
    return true;
}

/* <features><kvm><hidden state='on'/></kvm>: qemuBuildCpuCommandLine adds
 * kvm=off, and QEMU (target/i386/cpu.c, cpu->expose_kvm false) then gives
 * the guest no KVM CPUID leaves, so no kvm-clock. */
static bool
tg_parse_kvm_features(TgGuestProfile *g, const xmlNode *kvm, GError **error)
{
    xmlNode *el = kvm ? tg_xml_child(kvm, NULL, "hidden") : NULL;
    TgTri t = TG_TRI_UNKNOWN;

    if (!el)
        return true;
    if (tg_xml_prop_tri(el, "state", TG_XML_ON_OFF, TG_XML_PROP_OPTIONAL, &t, error) < 0)
        return false;
    if (t == TG_TRI_YES) {
        g->kvm_hidden = true;
        g->kvmclock_disabled = true;
    }
    return true;
}

/* Machine types of architectures without a TSC, for an <os><type> that
 * names no arch (libvirt then takes the emulator's default). */
static const char *const tg_non_x86_machines[] = {
    "pseries", "powernv", "ppce500", "mac99", "g3beige", "virt", "sbsa-ref", "s390-ccw",
    "spike", "sifive", "raspi", "vexpress",
};

TgGuestKind
tg_guest_derive_kind(const char *virt_type, const char *arch, const char *machine)
{
    if (arch) {
        if (strcmp(arch, "x86_64") != 0 && strcmp(arch, "i686") != 0)
            return TG_GUEST_NO_TSC;
    } else if (machine) {
        for (gsize i = 0; i < G_N_ELEMENTS(tg_non_x86_machines); i++)
            if (g_str_has_prefix(machine, tg_non_x86_machines[i]))
                return TG_GUEST_NO_TSC;
    }
    /* libvirt's type='qemu' is QEMU without KVM (-accel tcg). */
    if (g_strcmp0(virt_type, "qemu") == 0)
        return TG_GUEST_TCG;
    return TG_GUEST_KVM;
}

static void
tg_parse_metadata(TgGuestProfile *g, const xmlNode *md)
{
    xmlNode *el;

    /* libvirt keeps one element per namespace; take the first. */
    el = tg_xml_child(md, TG_LINEAGE_NS, "lineage");
    if (el) {
        g_autoptr(GError) lerr = NULL;

        /* Guest-controlled: a record we cannot read is as if absent (with
         * a note), so that it cannot turn a decision into a failure, which
         * a fail-open policy would allow. */
        g->lineage = tg_lineage_parse_node(el, &lerr);
        if (!g->lineage)
            g->lineage_ignored = g_strdup(lerr->message);
    }
    el = tg_xml_child(md, TG_TAGS_NS, "tags");
    if (el) {
        for (xmlNode *t = tg_xml_child(el, TG_TAGS_NS, "tag"); t; t = tg_xml_next_same(t)) {
            char *text = tg_xml_text(t);
            if (*text)
                g_ptr_array_add(g->tags, text);
            else
                g_free(text);
        }
    }
}

TgGuestProfile *
tg_guest_profile_from_doc(const xmlDoc *doc, GError **error)
{
    g_autoptr(TgGuestProfile) g = NULL;
    xmlNode *root;
    xmlNode *el;

    root = tg_xml_root((xmlDoc *)doc, NULL, "domain", "<domain> (`virsh dumpxml` output)", error);
    if (!root)
        return NULL;

    g = tg_guest_profile_new();
    g->name = tg_child_text(root, "name");
    g->uuid = tg_child_text(root, "uuid");
    g->virt_type = tg_xml_prop(root, "type");
    el = tg_xml_child(tg_xml_child(root, NULL, "os"), NULL, "type");
    if (el) {
        g->arch = tg_xml_prop(el, "arch");
        g->machine = tg_xml_prop(el, "machine");
    }
    g->kind = tg_guest_derive_kind(g->virt_type, g->arch, g->machine);

    /* libvirt takes the offset from the first <clock> and the timers from
     * every one (virDomainDefClockParse, src/conf/domain_conf.c, selects
     * the timers with the XPath ./clock/timer): a timer in a second <clock>
     * counts as much as one in the first. */
    el = tg_xml_child(root, NULL, "clock");
    if (el)
        g->clock_offset = tg_xml_prop(el, "offset");
    for (; el; el = tg_xml_next_same(el))
        if (!tg_parse_timers(g, el, error))
            return NULL;
    el = tg_xml_child(root, NULL, "cpu");
    if (el && !tg_parse_cpu(g, el, error))
        return NULL;
    el = tg_xml_child(root, NULL, "features");
    if (el && !tg_parse_kvm_features(g, tg_xml_child(el, NULL, "kvm"), error))
        return NULL;
    el = el ? tg_xml_child(el, NULL, "hyperv") : NULL;
    if (el && !tg_parse_hyperv(g, el, error))
        return NULL;
    el = tg_xml_child(root, NULL, "metadata");
    if (el)
        tg_parse_metadata(g, el);

    g->dependence = tg_guest_derive_dependence(g);
    return g_steal_pointer(&g);
}

TgGuestProfile *
tg_guest_profile_parse_xml(const char *buf, gsize len, const char *filename, GError **error)
{
    g_autoptr(xmlDoc) doc = tg_xml_parse(buf, len, filename, error);

    if (!doc)
        return NULL;
    return tg_guest_profile_from_doc(doc, error);
}
