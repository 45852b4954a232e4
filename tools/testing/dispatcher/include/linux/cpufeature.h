/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU features as the kernel's alternatives see them.  The harness decides
 * which are "enabled" (dt_cpu_caps, see dt_shim.h): by default
 * X86_FEATURE_RETPOLINE, the spectre_v2 mitigation of the machine this
 * project measures on, with which dispatcher=auto builds images.
 */
#ifndef _DT_SHIM_LINUX_CPUFEATURE_H
#define _DT_SHIM_LINUX_CPUFEATURE_H

#include <asm/cpufeatures.h>
#include <linux/compiler.h>

extern unsigned long dt_cpu_caps;

#define cpu_feature_enabled(bit)	(!!(READ_ONCE(dt_cpu_caps) & (1UL << (bit))))
#define boot_cpu_has(bit)		cpu_feature_enabled(bit)
#define static_cpu_has(bit)		cpu_feature_enabled(bit)

#endif /* _DT_SHIM_LINUX_CPUFEATURE_H */
