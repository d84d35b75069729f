/* Wire format between the differential tester (64-bit C++ harness) and its native runner
 * (a 32-bit static Linux program that executes test sequences on the host CPU).
 *
 * Plain C with fixed-width fields only, so both compilers lay the structs out identically.
 * The harness writes a batch: uint32 count, then `count` times (dt_case_header, code bytes).
 * The runner answers with `count` dt_result records, in order. On start-up the runner writes
 * one dt_hello. All integers are little-endian host order.
 *
 * Guest memory layout shared by both sides (identity mapped, flat 4 GiB segments):
 *   DT_CODE_ADDR  one page: the sequence, then (natively) a jump to the saving epilogue or
 *                 (interpreter) HLT, both at DT_CODE_ADDR + code_len.
 *   DT_DATA_ADDR  one page of data for memory operands and the stack (32-bit addressing).
 *   DT_LOW_ADDR   one page below 64 KiB, reachable with 16-bit addressing.
 * The pages around each of them are unmapped, so a stray access faults (#PF) on both sides. */
#ifndef BT86_DIFFTEST_PROTOCOL_H
#define BT86_DIFFTEST_PROTOCOL_H
#include <stdint.h>

#define DT_CODE_ADDR 0x00100000u
#define DT_CODE_MAX 2048u
#define DT_DATA_ADDR 0x00180000u
#define DT_LOW_ADDR 0x00008000u
#define DT_PAGE 4096u
#define DT_FPU_IMAGE 108u /* FNSAVE/FRSTOR image, 32-bit protected-mode format */

#define DT_MAGIC 0x54464442u /* "BDFT" */
#define DT_VERSION 1u

/* EFLAGS bits carried in and compared: the six status flags and DF. */
#define DT_EFLAGS_MASK 0x0CD5u

struct dt_hello {
  uint32_t magic, version;
  uint32_t low_page_mapped; /* 0 if DT_LOW_ADDR could not be mapped (16-bit addressing off) */
};

struct dt_case_header {
  uint32_t code_len; /* <= DT_CODE_MAX; the code bytes follow the header */
  uint32_t gpr[8];   /* EAX ECX EDX EBX ESP EBP ESI EDI */
  uint32_t eflags;   /* only DT_EFLAGS_MASK bits are used */
  uint8_t fpu[DT_FPU_IMAGE];
  uint8_t data[DT_PAGE];
  uint8_t low[DT_PAGE];
};

enum dt_status { DT_DONE = 0, DT_FAULT = 1, DT_TIMEOUT = 2 /* the case ran for over a second */ };

struct dt_result {
  uint32_t status;     /* dt_status */
  uint32_t vector;     /* DT_FAULT: CPU exception vector (trap number) */
  uint32_t error_code; /* DT_FAULT: error code as the kernel reports it */
  uint32_t eip;        /* end of sequence, or the faulting instruction */
  uint32_t gpr[8];
  uint32_t eflags;
  uint8_t fpu[DT_FPU_IMAGE];
  uint8_t data[DT_PAGE];
  uint8_t low[DT_PAGE];
};

#endif
