/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _DT_SHIM_ASM_TEXT_PATCHING_H
#define _DT_SHIM_ASM_TEXT_PATCHING_H

#include <linux/types.h>

#define INT3_INSN_SIZE		1
#define INT3_INSN_OPCODE	0xCC
#define RET_INSN_SIZE		1
#define RET_INSN_OPCODE		0xC3
#define CALL_INSN_SIZE		5
#define CALL_INSN_OPCODE	0xE8
#define JMP32_INSN_SIZE		5
#define JMP32_INSN_OPCODE	0xE9
#define JMP8_INSN_SIZE		2
#define JMP8_INSN_OPCODE	0xEB

/* Write code that no CPU executes yet, through a temporary alias. */
void *text_poke_copy(void *addr, const void *opcode, size_t len);
void *text_poke_set(void *addr, int c, size_t len);
void *text_poke(void *addr, const void *opcode, size_t len);
void text_poke_sync(void);

#endif /* _DT_SHIM_ASM_TEXT_PATCHING_H */
