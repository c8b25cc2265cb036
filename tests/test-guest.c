/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tscgate: tests of the guest clock profile parser (src/lib/tg-guest.c) and of
 * the lineage record schema xml/lineage.rng. */
#include <config.h>

#include "parse-test.h"
#include "tg-guest.h"
#include "tg-xml.h"
#include "tg-file.h"

#include <libxml/relaxng.h>

#define U TG_TRI_UNKNOWN
#define Y TG_TRI_YES
#define N TG_TRI_NO

/* Expected profile (the fields the gate relies on). */
typedef struct {
    const char *name;
    const char *clock_offset;
    guint ntimers;
    bool kvmclock_disabled;
    TgTri hypervclock;
    const char *cpu_mode;
    TgTri cpu_migratable;
    bool invtsc_exposed;
    const char *invtsc_policy;
    bool hyperv_enabled;
    TgTri hv_frequencies;
    TgTri hv_reenlightenment;
    guint64 explicit_hz; /* 0 = none */
    guint64 first_hz;    /* the first pinned rate, 0 = the same as explicit_hz */
    TgGuestKind kind;
    bool kvm_hidden;
    bool has_lineage;
    const char *tags;    /* comma separated */
    TgDependence dependence;
} Expect;

typedef struct {
    const char *name;      /* the test's name */
    const char *fixture;   /* or NULL for `inline_xml` */
    const char *inline_xml;
    bool ok;
    Expect e;
    int code;
    const char *message;
    bool prefix;
    const char *ignored;   /* ok, but the lineage record is ignored with this note */
} GuestCase;

static const GuestCase guest_cases[] = {
    /* virt-install Fedora guest: kvm-clock by default */
    { .name = "dom-linux-kvmclock",
      .fixture = "dom-linux-kvmclock.xml", .ok = true,
      .e = { .name = "fedora38", .clock_offset = "utc", .ntimers = 3,
          .cpu_mode = "host-passthrough", .cpu_migratable = Y, .dependence = TG_DEP_PARAVIRT } },
    /* Windows Server 2019, full Hyper-V set with re-enlightenment */
    { .name = "dom-win2k19-hyperv",
      .fixture = "dom-win2k19-hyperv.xml", .ok = true,
      .e = { .name = "win2k19", .clock_offset = "localtime", .ntimers = 4, .hypervclock = Y,
          .cpu_mode = "host-passthrough", .cpu_migratable = Y, .hyperv_enabled = true,
          .hv_frequencies = Y, .hv_reenlightenment = Y, .dependence = TG_DEP_REENLIGHTENMENT } },
    { .name = "dom-win10-hyperv-tsc",
      .fixture = "dom-win10-hyperv-tsc.xml", .ok = true,
      .e = { .name = "win10-tsc", .clock_offset = "localtime", .ntimers = 5, .hypervclock = Y,
          .cpu_mode = "host-passthrough", .cpu_migratable = Y, .hyperv_enabled = true,
          .hv_frequencies = Y, .hv_reenlightenment = Y, .explicit_hz = 2596120000u,
          .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    { .name = "dom-win10-hyperv-passthrough",
      .fixture = "dom-win10-hyperv-passthrough.xml", .ok = true,
      .e = { .name = "win10-hvpt", .clock_offset = "localtime", .ntimers = 4, .hypervclock = Y,
          .cpu_mode = "host-passthrough", .cpu_migratable = Y, .hyperv_enabled = true,
          .hv_frequencies = Y, .hv_reenlightenment = Y, .dependence = TG_DEP_REENLIGHTENMENT } },
    { .name = "dom-passthrough-invtsc",
      .fixture = "dom-passthrough-invtsc.xml", .ok = true,
      .e = { .name = "pt-invtsc", .clock_offset = "utc", .ntimers = 3,
          .cpu_mode = "host-passthrough", .cpu_migratable = N, .invtsc_exposed = true,
          .dependence = TG_DEP_TSC_SENSITIVE } },
    { .name = "dom-passthrough-invtsc-disabled",
      .fixture = "dom-passthrough-invtsc-disabled.xml", .ok = true,
      .e = { .name = "pt-invtsc-disabled", .clock_offset = "utc", .ntimers = 3,
          .cpu_mode = "host-passthrough", .cpu_migratable = N, .invtsc_policy = "disable",
          .dependence = TG_DEP_PARAVIRT } },
    { .name = "dom-host-model",
      .fixture = "dom-host-model.xml", .ok = true,
      .e = { .name = "host-model", .clock_offset = "utc", .ntimers = 3, .cpu_mode = "host-model",
          .dependence = TG_DEP_PARAVIRT } },
    { .name = "dom-custom-invtsc",
      .fixture = "dom-custom-invtsc.xml", .ok = true,
      .e = { .name = "custom-invtsc", .clock_offset = "utc", .ntimers = 3, .cpu_mode = "custom",
          .invtsc_exposed = true, .invtsc_policy = "require", .dependence = TG_DEP_TSC_SENSITIVE } },
    { .name = "dom-explicit-tsc",
      .fixture = "dom-explicit-tsc.xml", .ok = true,
      .e = { .name = "explicit-tsc", .clock_offset = "utc", .ntimers = 4,
          .cpu_mode = "host-passthrough", .cpu_migratable = Y, .explicit_hz = 2596120000u,
          .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    /* libvirt checks the first tsc timer that HAS a frequency
     * (qemuProcessStartValidateTSC), QEMU applies the last one */
    { .name = "dom-multi-tsc",
      .fixture = "dom-multi-tsc.xml", .ok = true,
      .e = { .name = "multi-tsc", .clock_offset = "utc", .ntimers = 6,
          .cpu_mode = "host-passthrough", .cpu_migratable = Y, .explicit_hz = 3000000000u,
          .first_hz = 2100000000u, .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    { .name = "dom-two-tsc-first-in-window",
      .fixture = "dom-two-tsc-first-in-window.xml", .ok = true,
      .e = { .name = "two-tsc-a", .clock_offset = "utc", .ntimers = 2, .cpu_mode = "host-model",
          .explicit_hz = 3000000000u, .first_hz = 2100000000u,
          .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    { .name = "dom-two-tsc-last-in-window",
      .fixture = "dom-two-tsc-last-in-window.xml", .ok = true,
      .e = { .name = "two-tsc-b", .clock_offset = "utc", .ntimers = 2, .cpu_mode = "host-model",
          .explicit_hz = 2100000000u, .first_hz = 3000000000u,
          .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    /* <kvm><hidden state='on'/>: -cpu ...,kvm=off, no kvm-clock */
    { .name = "dom-kvm-hidden",
      .fixture = "dom-kvm-hidden.xml", .ok = true,
      .e = { .name = "kvm-hidden", .clock_offset = "utc", .kvmclock_disabled = true,
          .kvm_hidden = true, .cpu_mode = "host-passthrough", .cpu_migratable = Y,
          .dependence = TG_DEP_TSC_SENSITIVE } },
    { .name = "dom-kvm-hidden-off",
      .fixture = "dom-kvm-hidden-off.xml", .ok = true,
      .e = { .name = "kvm-hidden-off", .clock_offset = "utc", .cpu_mode = "host-passthrough",
          .cpu_migratable = Y, .dependence = TG_DEP_PARAVIRT } },
    /* libvirt emits only hv-passthrough for mode='passthrough' (the
     * per-feature 'off' states are not passed to QEMU): still on */
    { .name = "dom-hyperv-passthrough-reenl-off",
      .fixture = "dom-hyperv-passthrough-reenl-off.xml", .ok = true,
      .e = { .name = "hv-pt-reenl-off", .clock_offset = "localtime", .ntimers = 1,
          .hypervclock = Y, .cpu_mode = "host-passthrough", .cpu_migratable = Y,
          .hyperv_enabled = true, .hv_frequencies = Y, .hv_reenlightenment = Y,
          .dependence = TG_DEP_REENLIGHTENMENT } },
    /* optional invtsc on a custom CPU: resolved at start against the
     * migratable host model, which has no invtsc: disabled */
    { .name = "dom-custom-invtsc-optional",
      .fixture = "dom-custom-invtsc-optional.xml", .ok = true,
      .e = { .name = "custom-invtsc-opt", .clock_offset = "utc", .cpu_mode = "custom",
          .invtsc_policy = "optional", .dependence = TG_DEP_PARAVIRT } },
    /* host-passthrough with migratable='off' keeps the host's features:
     * optional invtsc is there */
    { .name = "dom-passthrough-migoff-invtsc-optional",
      .fixture = "dom-passthrough-migoff-invtsc-optional.xml", .ok = true,
      .e = { .name = "pt-migoff-invtsc-opt", .clock_offset = "utc", .cpu_mode = "host-passthrough",
          .cpu_migratable = N, .invtsc_exposed = true, .invtsc_policy = "optional",
          .dependence = TG_DEP_TSC_SENSITIVE } },
    /* TCG: no kvm-clock, the TSC follows the host's */
    { .name = "dom-tcg",
      .fixture = "dom-tcg.xml", .ok = true,
      .e = { .name = "tcg-guest", .clock_offset = "utc", .cpu_mode = "custom",
          .kind = TG_GUEST_TCG, .dependence = TG_DEP_TSC_SENSITIVE } },
    { .name = "dom-tcg-explicit",
      .fixture = "dom-tcg-explicit.xml", .ok = true,
      .e = { .name = "tcg-pinned", .clock_offset = "utc", .ntimers = 1, .cpu_mode = "custom",
          .explicit_hz = 2100000000u, .kind = TG_GUEST_TCG,
          .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    /* not x86: no TSC */
    { .name = "dom-aarch64-virt",
      .fixture = "dom-aarch64-virt.xml", .ok = true,
      .e = { .name = "arm-guest", .clock_offset = "utc", .cpu_mode = "host-passthrough",
          .kind = TG_GUEST_NO_TSC, .dependence = TG_DEP_PARAVIRT } },
    { .name = "dom-s390x-ccw-tsc-timer",
      .fixture = "dom-s390x-ccw-tsc-timer.xml", .ok = true,
      .e = { .name = "s390-guest", .clock_offset = "utc", .ntimers = 1,
          .kind = TG_GUEST_NO_TSC, .dependence = TG_DEP_PARAVIRT } },
    { .name = "dom-pseries-no-arch",
      .fixture = "dom-pseries-no-arch.xml", .ok = true,
      .e = { .name = "ppc-guest", .clock_offset = "utc", .kind = TG_GUEST_NO_TSC,
          .dependence = TG_DEP_PARAVIRT } },
    { .name = "dom-kvmclock-off",
      .fixture = "dom-kvmclock-off.xml", .ok = true,
      .e = { .name = "kvmclock-off", .clock_offset = "utc", .ntimers = 4,
          .kvmclock_disabled = true, .cpu_mode = "host-passthrough", .cpu_migratable = Y,
          .dependence = TG_DEP_TSC_SENSITIVE } },
    { .name = "dom-lineage-tags",
      .fixture = "dom-lineage-tags.xml", .ok = true,
      .e = { .name = "lineage-tags", .clock_offset = "utc", .ntimers = 3,
          .cpu_mode = "host-passthrough", .cpu_migratable = Y, .has_lineage = true,
          .tags = "db,latency-critical", .dependence = TG_DEP_PARAVIRT } },

    /* small inline documents for edge cases */
    { .name = "two-tsc-timers-zero-frequency",
      .inline_xml = "<domain><name>z</name><clock><timer name='tsc' frequency='0'/>"
            "<timer name='tsc' frequency='5'/></clock></domain>", .ok = true,
      .e = { .name = "z", .ntimers = 2, .explicit_hz = 5, .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    { .name = "custom-invtsc-no-policy",
      .inline_xml = "<domain><cpu mode='custom'><model>Skylake-Client</model>"
            "<feature name='invtsc'/></cpu></domain>", .ok = true,
      .e = { .ntimers = 0, .cpu_mode = "custom", .invtsc_exposed = true,
          .invtsc_policy = "require", .dependence = TG_DEP_TSC_SENSITIVE } },
    /* optional on a custom CPU: disabled at start (migratable host model) */
    { .name = "invtsc-optional",
      .inline_xml = "<domain><cpu><model>Skylake-Client</model>"
            "<feature policy='optional' name='invtsc'/></cpu></domain>", .ok = true,
      .e = { .ntimers = 0, .invtsc_exposed = false, .invtsc_policy = "optional",
          .dependence = TG_DEP_PARAVIRT } },
    { .name = "host-model-invtsc-force",
      .inline_xml = "<domain><cpu mode='host-model'><feature policy='force' name='invtsc'/></cpu>"
            "</domain>", .ok = true,
      .e = { .ntimers = 0, .cpu_mode = "host-model", .invtsc_exposed = true,
          .invtsc_policy = "force", .dependence = TG_DEP_TSC_SENSITIVE } },
    { .name = "maximum-invtsc-forbid",
      .inline_xml = "<domain><cpu mode='maximum' migratable='off'><feature policy='forbid' "
            "name='invtsc'/></cpu></domain>", .ok = true,
      .e = { .ntimers = 0, .cpu_mode = "maximum", .cpu_migratable = N, .invtsc_policy = "forbid",
          .dependence = TG_DEP_PARAVIRT } },
    { .name = "maximum-not-migratable",
      .inline_xml = "<domain><cpu mode='maximum' migratable='off'/></domain>", .ok = true,
      .e = { .ntimers = 0, .cpu_mode = "maximum", .cpu_migratable = N, .invtsc_exposed = true,
          .dependence = TG_DEP_TSC_SENSITIVE } },
    { .name = "host-passthrough-migratable",
      .inline_xml = "<domain><cpu mode='host-passthrough'/></domain>", .ok = true,
      .e = { .ntimers = 0, .cpu_mode = "host-passthrough", .dependence = TG_DEP_PARAVIRT } },
    { .name = "hyperv-passthrough-reenlightenment-off",
      .inline_xml = "<domain><features><hyperv mode='passthrough'><reenlightenment state='off'/>"
            "</hyperv></features></domain>", .ok = true,
      .e = { .ntimers = 0, .hyperv_enabled = true, .hv_frequencies = Y, .hv_reenlightenment = Y,
          .dependence = TG_DEP_REENLIGHTENMENT } },
    { .name = "hyperv-frequencies-kvmclock-present",
      .inline_xml = "<domain><features><hyperv><frequencies state='on'/></hyperv></features>"
            "<clock offset='localtime'><timer name='kvmclock' present='yes'/></clock></domain>", .ok = true,
      .e = { .clock_offset = "localtime", .ntimers = 1, .hyperv_enabled = true,
          .hv_frequencies = Y, .dependence = TG_DEP_PARAVIRT } },
    /* libvirt reads timers from every <clock> (virDomainDefClockParse,
     * src/conf/domain_conf.c: XPath ./clock/timer) and the offset from the
     * first: kvm-clock turned off in a second <clock> is off. */
    { .name = "timers-from-every-clock",
      .inline_xml = "<domain><name>c2</name><clock offset='utc'><timer name='rtc' tickpolicy='catchup'/>"
            "</clock><clock offset='localtime'><timer name='kvmclock' present='no'/></clock>"
            "</domain>", .ok = true,
      .e = { .name = "c2", .clock_offset = "utc", .ntimers = 2, .kvmclock_disabled = true,
          .dependence = TG_DEP_TSC_SENSITIVE } },
    { .name = "tsc-frequency-in-second-clock",
      .inline_xml = "<domain><clock offset='utc'/><clock><timer name='tsc' frequency='2100000000'/>"
            "</clock></domain>", .ok = true,
      .e = { .clock_offset = "utc", .ntimers = 1, .explicit_hz = 2100000000u,
          .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    /* libvirt's spelling of a number (virXMLPropULongLong, src/util/virxml.c,
     * through virStrToLong_ullp, src/util/virstring.c): leading white space
     * and a '+' are accepted, the whole value must be the number, no '-'. */
    { .name = "frequency-leading-space",
      .inline_xml = "<domain><clock><timer name='tsc' frequency=' 2100000000'/></clock></domain>",
      .ok = true,
      .e = { .ntimers = 1, .explicit_hz = 2100000000u, .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    { .name = "frequency-plus-sign",
      .inline_xml = "<domain><clock><timer name='tsc' frequency='+2100000000'/></clock></domain>",
      .ok = true,
      .e = { .ntimers = 1, .explicit_hz = 2100000000u, .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    { .name = "frequency-tab-and-plus",
      .inline_xml = "<domain><clock><timer name='tsc' frequency='&#9; +2100000000'/></clock></domain>",
      .ok = true,
      .e = { .ntimers = 1, .explicit_hz = 2100000000u, .dependence = TG_DEP_EXPLICIT_FREQUENCY } },
    /* tags: only our namespace; a <tags> in another namespace is ignored */
    { .name = "tags-own-namespace-only",
      .inline_xml = "<domain><metadata><t:tags xmlns:t='urn:example:tags'><t:tag>x</t:tag></t:tags>"
            "<tags xmlns='urn:tscgate:tags:1'><tag>a</tag><other>b</other><tag>c</tag></tags>"
            "</metadata></domain>", .ok = true,
      .e = { .ntimers = 0, .tags = "a,c", .dependence = TG_DEP_PARAVIRT } },

    /* broken */
    { .name = "dom-bad-freq-empty",
      .fixture = "dom-bad-freq-empty.xml", .code = TG_ERROR_INVALID,
      .message = "dom-bad-freq-empty.xml:26: <timer> attribute frequency='' is not an unsigned integer" },
    { .name = "dom-bad-freq-abc",
      .fixture = "dom-bad-freq-abc.xml", .code = TG_ERROR_INVALID,
      .message = "dom-bad-freq-abc.xml:26: <timer> attribute frequency='abc' is not an unsigned integer" },
    { .name = "dom-bad-freq-overflow",
      .fixture = "dom-bad-freq-overflow.xml", .code = TG_ERROR_INVALID,
      .message = "dom-bad-freq-overflow.xml:26: <timer> attribute frequency='99999999999999999999' is out "
      "of range (0..18446744073709551615)" },
    { .name = "frequency-trailing-space",
      .inline_xml = "<domain>\n<clock><timer name='tsc' frequency='2100000000 '/></clock></domain>",
      .code = TG_ERROR_INVALID,
      .message = "g.xml:2: <timer> attribute frequency='2100000000 ' is not an unsigned integer" },
    { .name = "frequency-minus",
      .inline_xml = "<domain>\n<clock><timer name='tsc' frequency='-5'/></clock></domain>",
      .code = TG_ERROR_INVALID,
      .message = "g.xml:2: <timer> attribute frequency='-5' is not an unsigned integer" },
    { .name = "frequency-space-minus",
      .inline_xml = "<domain>\n<clock><timer name='tsc' frequency=' -5'/></clock></domain>",
      .code = TG_ERROR_INVALID,
      .message = "g.xml:2: <timer> attribute frequency=' -5' is not an unsigned integer" },
    { .name = "frequency-plus-only",
      .inline_xml = "<domain>\n<clock><timer name='tsc' frequency=' +'/></clock></domain>",
      .code = TG_ERROR_INVALID,
      .message = "g.xml:2: <timer> attribute frequency=' +' is not an unsigned integer" },
    { .name = "frequency-hex",
      .inline_xml = "<domain>\n<clock><timer name='tsc' frequency='0x10'/></clock></domain>",
      .code = TG_ERROR_INVALID,
      .message = "g.xml:2: <timer> attribute frequency='0x10' is not an unsigned integer" },
    { .name = "frequency-plus-overflow",
      .inline_xml = "<domain>\n<clock><timer name='tsc' frequency='+99999999999999999999'/></clock></domain>",
      .code = TG_ERROR_INVALID,
      .message = "g.xml:2: <timer> attribute frequency='+99999999999999999999' is out of range "
      "(0..18446744073709551615)" },
    { .name = "dom-bad-present",
      .fixture = "dom-bad-present.xml", .code = TG_ERROR_INVALID,
      .message = "dom-bad-present.xml:26: <timer> attribute present='maybe' is not one of: yes, no" },
    { .name = "dom-bad-timer-name",
      .fixture = "dom-bad-timer-name.xml", .code = TG_ERROR_INVALID,
      .message = "dom-bad-timer-name.xml:26: <timer> has no name attribute" },
    { .name = "dom-bad-not-xml",
      .fixture = "dom-bad-not-xml.xml", .code = TG_ERROR_PARSE,
      .message = "dom-bad-not-xml.xml:28: not well-formed XML: ", .prefix = true },
    { .name = "dom-bad-doctype",
      .fixture = "dom-bad-doctype.xml", .code = TG_ERROR_INVALID,
      .message = "dom-bad-doctype.xml:2: DOCTYPE declarations are not accepted" },
    { .name = "dom-bad-xxe-file",
      .fixture = "dom-bad-xxe-file.xml", .code = TG_ERROR_INVALID,
      .message = "dom-bad-xxe-file.xml:2: DOCTYPE declarations are not accepted" },
    { .name = "dom-bad-xxe-http",
      .fixture = "dom-bad-xxe-http.xml", .code = TG_ERROR_INVALID,
      .message = "dom-bad-xxe-http.xml:2: DOCTYPE declarations are not accepted" },
    { .name = "caps-amd-real",
      .fixture = "caps-amd-real.xml", .code = TG_ERROR_INVALID,
      .message = "caps-amd-real.xml:1: root element is <capabilities>, expected <domain> (`virsh dumpxml` "
      "output)" },
    { .name = "dom-bad-lineage-newer",
      .fixture = "dom-bad-lineage-newer.xml", .ok = true,
      .ignored = "dom-bad-lineage-newer.xml:8: <tscgate:lineage> version '2' is newer than this tscgate "
      "understands (major version 1); upgrade tscgate" },
    { .name = "dom-bad-lineage-no-version",
      .fixture = "dom-bad-lineage-no-version.xml", .ok = true,
      .ignored = "dom-bad-lineage-no-version.xml:8: <tscgate:lineage> has no version attribute" },
    { .name = "dom-bad-lineage-hz",
      .fixture = "dom-bad-lineage-hz.xml", .ok = true,
      .ignored = "dom-bad-lineage-hz.xml:9: <tscgate:nominal> attribute hz='2.1GHz' is not an unsigned integer" },
    { .name = "dom-bad-lineage-origin",
      .fixture = "dom-bad-lineage-origin.xml", .ok = true,
      .ignored = "dom-bad-lineage-origin.xml:9: <tscgate:nominal> attribute origin='guessed' is not one of: "
      "unknown, explicit, lineage, boot, source-host, assumed" },
    { .name = "dom-bad-lineage-time",
      .fixture = "dom-bad-lineage-time.xml", .ok = true,
      .ignored = "dom-bad-lineage-time.xml:12: <tscgate:hop> attribute time='yesterday' is not a UTC time "
      "(YYYY-MM-DDTHH:MM:SSZ)" },
    { .name = "dom-bad-lineage-op",
      .fixture = "dom-bad-lineage-op.xml", .ok = true,
      .ignored = "dom-bad-lineage-op.xml:12: <tscgate:hop> attribute op='teleport' is not one of: "
      "migrate, restore, boot" },
    { .name = "bad-cpu-migratable",
      .inline_xml = "<domain>\n<cpu migratable='maybe'/></domain>", .code = TG_ERROR_INVALID,
      .message = "g.xml:2: <cpu> attribute migratable='maybe' is not one of: on, off" },
    { .name = "bad-reenlightenment-state",
      .inline_xml = "<domain><features>\n<hyperv>\n<reenlightenment state='yes'/></hyperv></features>"
            "</domain>", .code = TG_ERROR_INVALID,
      .message = "g.xml:3: <reenlightenment> attribute state='yes' is not one of: on, off" },
    { .name = "lineage-bad-hop-scaling",
      .inline_xml = "<domain><metadata><l:lineage xmlns:l='urn:tscgate:lineage:1' version='1'>\n"
            "<l:hop op='migrate' scaling='sometimes'/></l:lineage></metadata></domain>", .ok = true,
      .ignored = "g.xml:2: <l:hop> attribute scaling='sometimes' is not one of: unknown, no, yes" },
    { .name = "lineage-hop-time-not-utc",
      .inline_xml = "<domain><metadata><l:lineage xmlns:l='urn:tscgate:lineage:1' version='1'>\n"
            "<l:hop op='migrate' time='2026-11-25T08:00:00+01:00'/></l:lineage></metadata>"
            "</domain>", .ok = true,
      .ignored = "g.xml:2: <l:hop> attribute time='2026-11-25T08:00:00+01:00' is not a UTC time "
      "(YYYY-MM-DDTHH:MM:SSZ)" },
    { .name = "lineage-bad-effective-changed",
      .inline_xml = "<domain><metadata><l:lineage xmlns:l='urn:tscgate:lineage:1' version='1'>\n"
            "<l:effective changed='perhaps'/></l:lineage></metadata></domain>", .ok = true,
      .ignored = "g.xml:2: <l:effective> attribute changed='perhaps' is not one of: yes, no" },
    { .name = "lineage-bad-version",
      .inline_xml = "<domain><metadata>\n<l:lineage xmlns:l='urn:tscgate:lineage:1' version='1.x'/>"
            "</metadata></domain>", .ok = true,
      .ignored = "g.xml:2: <l:lineage> attribute version='1.x' is not a version number (MAJOR or MAJOR.MINOR)" },
    { .name = "domain-in-foreign-namespace",
      .inline_xml = "<domain xmlns='urn:example:notlibvirt'/>", .code = TG_ERROR_INVALID,
      .message = "g.xml:1: root element is <domain> in namespace 'urn:example:notlibvirt', expected <domain> "
      "(`virsh dumpxml` output)" },
};

static void
assert_tri(const char *what, TgTri got, TgTri expected)
{
    if (got != expected)
        fail_msg("%s: got %s, expected %s", what, tg_tri_to_string(got),
                 tg_tri_to_string(expected));
}

static void
check_profile(const char *what, const TgGuestProfile *g, const Expect *e)
{
    g_autofree char *tags = NULL;
    GString *t = g_string_new(NULL);

    assert_string_equal(g->name ? g->name : "(null)", e->name ? e->name : "(null)");
    assert_string_equal(g->clock_offset ? g->clock_offset : "(null)",
                        e->clock_offset ? e->clock_offset : "(null)");
    assert_int_equal(g->timers->len, e->ntimers);
    assert_int_equal(g->kvmclock_disabled, e->kvmclock_disabled);
    assert_tri("hypervclock", g->hypervclock, e->hypervclock);
    assert_string_equal(g->cpu_mode ? g->cpu_mode : "(null)", e->cpu_mode ? e->cpu_mode : "(null)");
    assert_tri("cpu migratable", g->cpu_migratable, e->cpu_migratable);
    if (g->invtsc_exposed != e->invtsc_exposed)
        fail_msg("%s: invtsc_exposed %d", what, g->invtsc_exposed);
    assert_string_equal(g->invtsc_policy ? g->invtsc_policy : "(null)",
                        e->invtsc_policy ? e->invtsc_policy : "(null)");
    assert_int_equal(g->hyperv_enabled, e->hyperv_enabled);
    assert_tri("frequencies", g->hv_frequencies, e->hv_frequencies);
    assert_tri("reenlightenment", g->hv_reenlightenment, e->hv_reenlightenment);
    assert_int_equal(g->has_explicit_hz, e->explicit_hz != 0);
    assert_true(g->explicit_hz == e->explicit_hz);
    if (g->first_explicit_hz != (e->first_hz ? e->first_hz : e->explicit_hz))
        fail_msg("%s: first pinned rate %" G_GUINT64_FORMAT, what, g->first_explicit_hz);
    if (g->kind != e->kind)
        fail_msg("%s: kind %s, expected %s", what, tg_guest_kind_to_string(g->kind),
                 tg_guest_kind_to_string(e->kind));
    assert_int_equal(g->kvm_hidden, e->kvm_hidden);
    assert_int_equal(g->lineage != NULL, e->has_lineage);
    for (guint i = 0; i < g->tags->len; i++)
        g_string_append_printf(t, "%s%s", i ? "," : "", (char *)g_ptr_array_index(g->tags, i));
    tags = g_string_free(t, FALSE);
    assert_string_equal(tags, e->tags ? e->tags : "");
    if (g->dependence != e->dependence)
        fail_msg("%s: dependence %s, expected %s", what, tg_dependence_to_string(g->dependence),
                 tg_dependence_to_string(e->dependence));
    assert_int_equal(tg_guest_derive_dependence(g), g->dependence);
}

static void
test_parse(void **state)
{
    const GuestCase *c = *state;
    const char *fname = c->fixture ? c->fixture : "g.xml";
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = NULL;
    gsize len;

    if (c->fixture) {
        buf = pt_read_fixture(c->fixture, &len);
    } else {
        buf = g_strdup(c->inline_xml);
        len = strlen(buf);
    }
    g = tg_guest_profile_parse_xml(buf, len, fname, &err);
    if (!c->ok) {
        assert_null(g);
        assert_non_null(err);
        if (c->prefix) {
            assert_int_equal(err->code, c->code);
            if (!g_str_has_prefix(err->message, c->message))
                fail_msg("got '%s', expected prefix '%s'", err->message, c->message);
        } else {
            pt_assert_error(err, c->code, c->message);
        }
        return;
    }
    if (!g)
        fail_msg("%s: %s", fname, err->message);
    if (c->ignored) {
        /* The guest's own metadata cannot make the guest unreadable
         * (and so select fail-open): the record is as if absent. */
        assert_null(g->lineage);
        assert_non_null(g->lineage_ignored);
        if (strcmp(g->lineage_ignored, c->ignored) != 0)
            fail_msg("lineage_ignored\n  got:      %s\n  expected: %s",
                     g->lineage_ignored, c->ignored);
        return;
    }
    assert_null(g->lineage_ignored);
    check_profile(fname, g, &c->e);
}

/* Timer details of the explicit-tsc fixture (virsh dumpxml shape). */
static void
test_timers(void **state)
{
    static const struct {
        const char *name;
        TgTri present;
        guint64 frequency;
        const char *mode;
        const char *tickpolicy;
        int line;
    } expected[] = {
        { "rtc", U, 0, NULL, "catchup", 23 },
        { "pit", U, 0, NULL, "delay", 24 },
        { "hpet", N, 0, NULL, NULL, 25 },
        { "tsc", U, 2596120000u, "native", NULL, 26 },
    };
    g_autofree char *path = pt_fixture_path("dom-explicit-tsc.xml");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_load(path, &err);

    assert_non_null(g);
    assert_string_equal(g->uuid, "3e1d8f0c-6a6b-4c0e-9d5e-2f1f5b9e7a08");
    assert_int_equal(g->timers->len, G_N_ELEMENTS(expected));
    for (guint i = 0; i < g->timers->len; i++) {
        const TgTimer *t = g_ptr_array_index(g->timers, i);

        assert_string_equal(t->name, expected[i].name);
        assert_tri(t->name, t->present, expected[i].present);
        assert_int_equal(t->has_frequency, expected[i].frequency != 0);
        assert_true(t->frequency == expected[i].frequency);
        assert_string_equal(t->mode ? t->mode : "(null)",
                            expected[i].mode ? expected[i].mode : "(null)");
        assert_string_equal(t->tickpolicy ? t->tickpolicy : "(null)",
                            expected[i].tickpolicy ? expected[i].tickpolicy : "(null)");
        assert_int_equal(t->line, expected[i].line);
    }
}

/* The multi-tsc fixture keeps every timer, in document order. */
static void
test_multi_tsc_timers(void **state)
{
    g_autofree char *path = pt_fixture_path("dom-multi-tsc.xml");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_load(path, &err);
    const TgTimer *t;

    assert_non_null(g);
    t = g_ptr_array_index(g->timers, 3);
    assert_string_equal(t->name, "tsc");
    assert_false(t->has_frequency);
    assert_string_equal(t->mode, "auto");
    t = g_ptr_array_index(g->timers, 4);
    assert_true(t->has_frequency && t->frequency == 2100000000u);
    t = g_ptr_array_index(g->timers, 5);
    assert_true(t->has_frequency && t->frequency == 3000000000u);
    /* QEMU applies the last, libvirt checks the first */
    assert_true(g->explicit_hz == 3000000000u);
    assert_true(g->first_explicit_hz == 2100000000u);
}

static void
test_lineage_record(void **state)
{
    g_autofree char *path = pt_fixture_path("dom-lineage-tags.xml");
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_load(path, &err);
    g_autoptr(TgLineage) copy = NULL;
    const TgLineage *l;
    const TgHop *h;

    assert_non_null(g);
    l = g->lineage;
    assert_non_null(l);
    assert_int_equal(l->version, 1);
    /* origin "assumed": an earlier tscgate's guess, read as unknown */
    assert_true(l->nominal_hz == 0);
    assert_int_equal(l->nominal_origin, TG_NOMINAL_UNKNOWN);
    assert_true(l->effective_hz == 2400000000u);
    assert_false(l->effective_changed);
    assert_int_equal(l->hops->len, 2);

    h = g_ptr_array_index(l->hops, 0);
    assert_string_equal(h->op, "migrate");
    assert_string_equal(h->host, "hosta");
    assert_true(h->host_hz == 2100000000u);
    assert_int_equal(h->scaling, TG_TRI_NO);
    assert_true(h->time == G_GINT64_CONSTANT(1795514400)); /* 2026-11-24T10:00:00Z */
    assert_string_equal(h->verdict, "allow");
    assert_string_equal(h->reason_code, "paravirt-within-tolerance");

    h = tg_lineage_last_hop(l);
    assert_ptr_equal(h, g_ptr_array_index(l->hops, 1));
    assert_string_equal(h->op, "restore");
    assert_string_equal(h->host, "hostb");
    assert_true(h->host_hz == 2400000000u);
    assert_int_equal(h->scaling, TG_TRI_YES);
    assert_true(h->time == G_GINT64_CONSTANT(1795593600)); /* 2026-11-25T08:00:00Z */
    assert_string_equal(h->verdict, "allow-with-warning");
    assert_string_equal(h->reason_code, "scaling");

    copy = tg_lineage_copy(l);
    assert_int_equal(copy->hops->len, 2);
    assert_true(copy->nominal_hz == l->nominal_hz && copy->effective_hz == l->effective_hz);
    assert_int_equal(copy->nominal_origin, l->nominal_origin);
    h = tg_lineage_last_hop(copy);
    assert_ptr_not_equal(h, tg_lineage_last_hop(l));
    assert_string_equal(h->host, "hostb");
    assert_ptr_not_equal(h->host, tg_lineage_last_hop(l)->host);
    assert_true(h->time == tg_lineage_last_hop(l)->time);

    /* the invented rate is shown, never used */
    assert_true(l->invented_hz == 2100000000u);
    assert_string_equal(l->invented_origin, "assumed");
    assert_true(copy->invented_hz == l->invented_hz);
    {
        TgNominalOrigin o;
        assert_true(tg_guest_nominal_hz(g, &o) == 0);
        assert_int_equal(o, TG_NOMINAL_UNKNOWN);
    }
}

/* A record an earlier tscgate wrote with an invented nominal rate (origin
 * "source-host": the source host's rate; "assumed": the first host's) is
 * read, with the rate as unknown: neither was ever the guest's rate. */
static void
test_lineage_legacy_origins(void **state)
{
    static const char *const origins[] = { "source-host", "assumed" };

    for (gsize i = 0; i < G_N_ELEMENTS(origins); i++) {
        g_autofree char *xml = g_strdup_printf(
            "<domain><metadata><x:lineage xmlns:x='urn:tscgate:lineage:1' version='1'>"
            "<x:nominal hz='2100000000' origin='%s'/><x:effective hz='2100000000' changed='no'/>"
            "<x:hop op='migrate' host='a' hz='2100000000' scaling='no'/></x:lineage></metadata>"
            "<clock><timer name='kvmclock' present='no'/></clock></domain>", origins[i]);
        g_autoptr(GError) err = NULL;
        g_autoptr(TgGuestProfile) g = tg_guest_profile_parse_xml(xml, strlen(xml), "m.xml", &err);

        assert_non_null(g);
        assert_null(g->lineage_ignored);
        assert_non_null(g->lineage);
        assert_true(g->lineage->nominal_hz == 0);
        assert_int_equal(g->lineage->nominal_origin, TG_NOMINAL_UNKNOWN);
        assert_true(g->lineage->effective_hz == 2100000000u);
        assert_int_equal(g->lineage->hops->len, 1);
    }
}

/* Minimal record: no nominal/effective/hops, absent attributes = unknown. */
static void
test_lineage_minimal(void **state)
{
    const char *xml = "<domain><metadata><x:lineage xmlns:x='urn:tscgate:lineage:1' version='1.2'>"
                      "<x:hop op='migrate'/><x:future-element/></x:lineage></metadata></domain>";
    g_autoptr(GError) err = NULL;
    g_autoptr(TgGuestProfile) g = tg_guest_profile_parse_xml(xml, strlen(xml), "m.xml", &err);
    const TgHop *h;

    assert_non_null(g);
    assert_non_null(g->lineage);
    assert_int_equal(g->lineage->version, 1);
    assert_true(g->lineage->nominal_hz == 0);
    assert_int_equal(g->lineage->nominal_origin, TG_NOMINAL_UNKNOWN);
    h = tg_lineage_last_hop(g->lineage);
    assert_non_null(h);
    assert_null(h->host);
    assert_true(h->host_hz == 0);
    assert_int_equal(h->scaling, TG_TRI_UNKNOWN);
    assert_true(h->time == 0);
}

static void
test_lineage_new(void **state)
{
    g_autoptr(TgLineage) l = tg_lineage_new();
    g_autoptr(TgLineage) c = NULL;

    assert_int_equal(l->version, 1);
    assert_int_equal(l->hops->len, 0);
    assert_true(l->nominal_hz == 0 && l->effective_hz == 0);
    assert_int_equal(l->nominal_origin, TG_NOMINAL_UNKNOWN);
    assert_null(tg_lineage_last_hop(l));
    assert_null(tg_lineage_last_hop(NULL));
    c = tg_lineage_copy(l);
    assert_non_null(c);
    assert_int_equal(c->hops->len, 0);
    assert_null(tg_lineage_copy(NULL));
    tg_lineage_free(NULL);
    tg_hop_free(NULL);
    tg_guest_profile_free(NULL);
}

/* ---- derived values ---- */

typedef struct {
    const char *what;
    bool has_explicit;
    TgTri reen;
    bool invtsc;
    bool kvmclock_off;
    bool hyperv;
    TgTri freqs;
    TgDependence expected;
} DepCase;

static const DepCase dep_cases[] = {
    { "explicit beats everything", true, Y, true, true, true, Y, TG_DEP_EXPLICIT_FREQUENCY },
    { "explicit alone", true, U, false, false, false, U, TG_DEP_EXPLICIT_FREQUENCY },
    { "reenlightenment beats invtsc", false, Y, true, true, true, Y, TG_DEP_REENLIGHTENMENT },
    { "reenlightenment alone", false, Y, false, false, true, U, TG_DEP_REENLIGHTENMENT },
    { "reenlightenment off, invtsc", false, N, true, false, true, Y, TG_DEP_TSC_SENSITIVE },
    { "invtsc", false, U, true, false, false, U, TG_DEP_TSC_SENSITIVE },
    { "kvmclock off", false, U, false, true, false, U, TG_DEP_TSC_SENSITIVE },
    { "hyper-v, frequencies only", false, U, false, false, true, Y, TG_DEP_PARAVIRT },
    { "reenlightenment off", false, N, false, false, true, Y, TG_DEP_PARAVIRT },
    { "nothing", false, U, false, false, false, U, TG_DEP_PARAVIRT },
};

static void
test_derive_dependence(void **state)
{
    for (gsize i = 0; i < G_N_ELEMENTS(dep_cases); i++) {
        const DepCase *c = &dep_cases[i];
        TgGuestProfile g = { 0 };

        g.has_explicit_hz = c->has_explicit;
        g.explicit_hz = c->has_explicit ? 2596120000u : 0;
        g.hv_reenlightenment = c->reen;
        g.invtsc_exposed = c->invtsc;
        g.kvmclock_disabled = c->kvmclock_off;
        g.hyperv_enabled = c->hyperv;
        g.hv_frequencies = c->freqs;
        if (tg_guest_derive_dependence(&g) != c->expected)
            fail_msg("%s: got %s", c->what, tg_dependence_to_string(tg_guest_derive_dependence(&g)));
    }
}

typedef struct {
    const char *what;
    guint64 explicit_hz; /* 0 = none */
    bool has_lineage;
    guint64 lineage_hz;
    TgNominalOrigin lineage_origin;
    guint64 expected;
    TgNominalOrigin origin;
} NomCase;

static const NomCase nom_cases[] = {
    { "explicit first", 2500000000u, true, 2100000000u, TG_NOMINAL_BOOT, 2500000000u,
      TG_NOMINAL_EXPLICIT },
    { "explicit, nothing else", 1, false, 0, 0, 1, TG_NOMINAL_EXPLICIT },
    { "boot record", 0, true, 2100000000u, TG_NOMINAL_BOOT, 2100000000u, TG_NOMINAL_LINEAGE },
    { "record first known pinned", 0, true, 2100000000u, TG_NOMINAL_EXPLICIT, 2100000000u,
      TG_NOMINAL_LINEAGE },
    { "record nominal 0 is unknown", 0, true, 0, TG_NOMINAL_UNKNOWN, 0, TG_NOMINAL_UNKNOWN },
    { "nothing known", 0, false, 0, 0, 0, TG_NOMINAL_UNKNOWN },
    { "max values", G_MAXUINT64, true, G_MAXUINT64 - 1, TG_NOMINAL_BOOT, G_MAXUINT64,
      TG_NOMINAL_EXPLICIT },
};

static void
test_nominal_hz(void **state)
{
    for (gsize i = 0; i < G_N_ELEMENTS(nom_cases); i++) {
        const NomCase *c = &nom_cases[i];
        TgGuestProfile g = { 0 };
        g_autoptr(TgLineage) l = NULL;
        TgNominalOrigin o = (TgNominalOrigin)99;

        g.has_explicit_hz = c->explicit_hz != 0;
        g.explicit_hz = c->explicit_hz;
        if (c->has_lineage) {
            l = tg_lineage_new();
            l->nominal_hz = c->lineage_hz;
            l->nominal_origin = c->lineage_origin;
            g.lineage = l;
        }
        if (tg_guest_nominal_hz(&g, &o) != c->expected)
            fail_msg("%s: wrong Hz", c->what);
        assert_int_equal(o, c->origin);
        assert_true(tg_guest_nominal_hz(&g, NULL) == c->expected);
    }
}

static void
test_enum_strings(void **state)
{
    static const struct {
        TgDependence d;
        const char *s;
    } deps[] = {
        { TG_DEP_EXPLICIT_FREQUENCY, "explicit-frequency" },
        { TG_DEP_REENLIGHTENMENT, "reenlightenment" },
        { TG_DEP_TSC_SENSITIVE, "tsc-sensitive" },
        { TG_DEP_PARAVIRT, "paravirt-clock" },
    };
    static const struct {
        TgNominalOrigin o;
        const char *s;
    } origins[] = {
        { TG_NOMINAL_UNKNOWN, "unknown" },
        { TG_NOMINAL_EXPLICIT, "explicit" },
        { TG_NOMINAL_LINEAGE, "lineage" },
        { TG_NOMINAL_BOOT, "boot" },
        { TG_NOMINAL_INVENTORY, "inventory" },
    };
    static const char *bad[] = { "", "Explicit", "paravirt", "tsc_sensitive", "explicit ",
                                 "source_host", "reenlightenment2" };
    TgDependence d;
    TgNominalOrigin o;

    for (gsize i = 0; i < G_N_ELEMENTS(deps); i++) {
        assert_string_equal(tg_dependence_to_string(deps[i].d), deps[i].s);
        assert_true(tg_dependence_from_string(deps[i].s, &d));
        assert_int_equal(d, deps[i].d);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(origins); i++) {
        assert_string_equal(tg_nominal_origin_to_string(origins[i].o), origins[i].s);
        assert_true(tg_nominal_origin_from_string(origins[i].s, &o));
        assert_int_equal(o, origins[i].o);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        d = TG_DEP_PARAVIRT;
        assert_false(tg_dependence_from_string(bad[i], &d));
        assert_int_equal(d, TG_DEP_PARAVIRT);
        if (strcmp(bad[i], "explicit ") != 0 && strcmp(bad[i], "source_host") != 0)
            continue;
        assert_false(tg_nominal_origin_from_string(bad[i], &o));
    }
    assert_false(tg_dependence_from_string(NULL, &d));
    assert_false(tg_nominal_origin_from_string(NULL, &o));
    assert_false(tg_nominal_origin_from_string("Lineage", &o));
    assert_string_equal(tg_dependence_to_string((TgDependence)42), "unknown");
    assert_string_equal(tg_nominal_origin_to_string((TgNominalOrigin)42), "unknown");
}

static void
test_load_errors(void **state)
{
    g_autoptr(GError) err = NULL;

    assert_null(tg_guest_profile_load("/nonexistent/guest.xml", &err));
    pt_assert_error(err, TG_ERROR_IO, "/nonexistent/guest.xml: No such file or directory");
}

/* ---- lineage.rng ---- */

static void
rng_silent(void *ctx, xmlErrorPtr e)
{
}

typedef struct {
    const char *fixture;   /* also the test's name */
    bool valid;
} RngCase;

static const RngCase rng_cases[] = {
    { "dom-lineage-tags.xml", true },
    { "dom-bad-lineage-newer.xml", false },
    { "dom-bad-lineage-no-version.xml", false },
    { "dom-bad-lineage-hz.xml", false },
    { "dom-bad-lineage-origin.xml", false },
    { "dom-bad-lineage-time.xml", false },
    { "dom-bad-lineage-op.xml", false },
};

/* Validate the record (the <tscgate:lineage> element alone) of each
 * fixture against xml/lineage.rng. */
static void
test_lineage_rng(void **state)
{
    const RngCase *c = *state;
    g_autofree char *path = pt_srcdir_path("xml/lineage.rng");
    xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewParserCtxt(path);
    xmlRelaxNGPtr schema = xmlRelaxNGParse(pctxt);
    g_autofree char *buf = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlDoc) rec = xmlNewDoc((const xmlChar *)"1.0");
    xmlNode *md;
    xmlNode *el;
    xmlRelaxNGValidCtxtPtr v;
    gsize len;
    int r;

    xmlRelaxNGFreeParserCtxt(pctxt);
    if (!schema)
        fail_msg("%s does not compile", path);

    buf = pt_read_fixture(c->fixture, &len);
    doc = tg_xml_parse(buf, len, c->fixture, &err);
    assert_non_null(doc);
    md = tg_xml_child(xmlDocGetRootElement(doc), NULL, "metadata");
    el = tg_xml_child(md, TG_LINEAGE_NS, "lineage");
    assert_non_null(el);
    xmlDocSetRootElement(rec, xmlDocCopyNode(el, rec, 1));
    v = xmlRelaxNGNewValidCtxt(schema);
    xmlRelaxNGSetValidStructuredErrors(v, rng_silent, NULL);
    r = xmlRelaxNGValidateDoc(v, rec);
    xmlRelaxNGFreeValidCtxt(v);
    if ((r == 0) != c->valid)
        fail_msg("%s: expected %s by lineage.rng, got %d", c->fixture,
                 c->valid ? "valid" : "invalid", r);
    xmlRelaxNGFree(schema);
}

int
main(void)
{
    PtTests *t = pt_tests_new();

    PT_ADD_ROWS(t, test_parse, guest_cases);
    PT_ADD(t, test_timers);
    PT_ADD(t, test_multi_tsc_timers);
    PT_ADD(t, test_lineage_record);
    PT_ADD(t, test_lineage_minimal);
    PT_ADD(t, test_lineage_legacy_origins);
    PT_ADD(t, test_lineage_new);
    PT_ADD(t, test_derive_dependence);
    PT_ADD(t, test_nominal_hz);
    PT_ADD(t, test_enum_strings);
    PT_ADD(t, test_load_errors);
    PT_ADD_ROWS(t, test_lineage_rng, rng_cases);
    return pt_tests_run(t, "test-guest");
}
