/* Native runner of the differential tester: a 32-bit static Linux program that executes test
 * sequences directly on the host CPU (the oracle). Protocol and memory layout: ../protocol.h.
 *
 * For each case it copies the code into the code page followed by `jmp dt_epilogue`, fills the
 * data pages, and enters the code through dt_enter() (switch.S) with the case's registers,
 * EFLAGS and x87 image. Reaching the epilogue yields the final state; a CPU exception arrives as
 * a signal (SIGFPE, SIGSEGV, SIGILL, SIGBUS, SIGTRAP) whose handler, running on an alternate
 * stack so the test's stack page is not disturbed, reads vector, EIP, registers and the x87
 * image from the signal context and siglongjmps back. A case still running after a second
 * (a generator bug) is ended by SIGALRM and reported as DT_TIMEOUT. Exit status: 0 at end of
 * input, 2 on a setup error. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>
#include "../protocol.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Shared with switch.S. */
uint32_t dt_in_gpr[8], dt_in_eflags;
uint8_t dt_in_fpu[DT_FPU_IMAGE];
uint32_t dt_out_gpr[8], dt_out_eflags;
uint8_t dt_out_fpu[DT_FPU_IMAGE];
uint32_t dt_runner_esp;
uint32_t dt_code_entry = DT_CODE_ADDR;
void dt_enter(void);
void dt_epilogue(void);

static sigjmp_buf fault_jump;
static volatile sig_atomic_t in_test;
static struct dt_result result;
static struct dt_case_header header;

static void die(const char* what) {
  fprintf(stderr, "bt86_difftest_native: %s\n", what);
  exit(2);
}

static int map_page(uint32_t addr, int prot) {
  void* p = mmap((void*)(uintptr_t)addr, DT_PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  return p == (void*)(uintptr_t)addr;
}

/* A case that runs too long (a generator bug): SIGALRM ends it as DT_TIMEOUT. */
static void on_alarm(int sig, siginfo_t* info, void* ctx) {
  (void)sig;
  (void)info;
  (void)ctx;
  if (!in_test) return;
  in_test = 0;
  result.status = DT_TIMEOUT;
  siglongjmp(fault_jump, 1);
}

/* A CPU exception during the test: record the state at the fault and leave the test. */
static void on_fault(int sig, siginfo_t* info, void* ctx) {
  (void)info;
  if (!in_test) { /* a bug in the runner itself: die with the default action */
    signal(sig, SIG_DFL);
    return;
  }
  in_test = 0;
  const ucontext_t* uc = (const ucontext_t*)ctx;
  const greg_t* g = uc->uc_mcontext.gregs;
  static const int order[8] = {REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_ESP, REG_EBP, REG_ESI, REG_EDI};
  result.status = DT_FAULT;
  result.vector = (uint32_t)g[REG_TRAPNO];
  result.error_code = (uint32_t)g[REG_ERR];
  result.eip = (uint32_t)g[REG_EIP];
  for (int k = 0; k < 8; ++k) result.gpr[k] = (uint32_t)g[order[k]];
  result.eflags = (uint32_t)g[REG_EFL];
  if (uc->uc_mcontext.fpregs) /* its first 108 bytes are the FNSAVE image */
    memcpy(result.fpu, uc->uc_mcontext.fpregs, DT_FPU_IMAGE);
  siglongjmp(fault_jump, 1);
}

static void install_handlers(void) {
  static uint8_t alt_stack[64 * 1024];
  stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) die("sigaltstack failed");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
  for (unsigned k = 0; k < sizeof sigs / sizeof sigs[0]; ++k)
    if (sigaction(sigs[k], &sa, NULL) != 0) die("sigaction failed");
  sa.sa_sigaction = on_alarm;
  if (sigaction(SIGALRM, &sa, NULL) != 0) die("sigaction failed");
}

/* At most one second per case (one-shot timer; 0 disarms). */
static void set_case_timer(long seconds) {
  struct itimerval t = {{0, 0}, {seconds, 0}};
  setitimer(ITIMER_REAL, &t, NULL);
}

/* Runs the case in `header` with `code`; fills `result`. */
static void run_case(const uint8_t* code, uint32_t len, int low_mapped) {
  uint8_t* page = (uint8_t*)(uintptr_t)DT_CODE_ADDR;
  memcpy(page, code, len);
  uint32_t jump_from = DT_CODE_ADDR + len + 5;
  int32_t rel = (int32_t)((uint32_t)(uintptr_t)&dt_epilogue - jump_from);
  page[len] = 0xE9;
  memcpy(page + len + 1, &rel, 4);
  memcpy((void*)(uintptr_t)DT_DATA_ADDR, header.data, DT_PAGE);
  if (low_mapped) memcpy((void*)(uintptr_t)DT_LOW_ADDR, header.low, DT_PAGE);
  memcpy(dt_in_gpr, header.gpr, sizeof dt_in_gpr);
  dt_in_eflags = (header.eflags & DT_EFLAGS_MASK) | 0x2;
  memcpy(dt_in_fpu, header.fpu, DT_FPU_IMAGE);

  memset(&result, 0, sizeof result);
  set_case_timer(1);
  if (sigsetjmp(fault_jump, 1) == 0) {
    in_test = 1;
    dt_enter();
    in_test = 0;
    result.status = DT_DONE;
    result.eip = DT_CODE_ADDR + len;
    memcpy(result.gpr, dt_out_gpr, sizeof result.gpr);
    result.eflags = dt_out_eflags;
    memcpy(result.fpu, dt_out_fpu, DT_FPU_IMAGE);
  }
  set_case_timer(0);
  result.eflags &= DT_EFLAGS_MASK;
  memcpy(result.data, (void*)(uintptr_t)DT_DATA_ADDR, DT_PAGE);
  if (low_mapped) memcpy(result.low, (void*)(uintptr_t)DT_LOW_ADDR, DT_PAGE);
}

static int read_exact(void* p, size_t n) { return fread(p, 1, n, stdin) == n; }

int main(void) {
  if (!map_page(DT_CODE_ADDR, PROT_READ | PROT_WRITE | PROT_EXEC)) die("cannot map the code page");
  if (!map_page(DT_DATA_ADDR, PROT_READ | PROT_WRITE)) die("cannot map the data page");
  int low_mapped = map_page(DT_LOW_ADDR, PROT_READ | PROT_WRITE);
  install_handlers();
  static char in_buf[1 << 20], out_buf[1 << 20];
  setvbuf(stdin, in_buf, _IOFBF, sizeof in_buf);
  setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);

  struct dt_hello hello = {DT_MAGIC, DT_VERSION, (uint32_t)low_mapped};
  fwrite(&hello, sizeof hello, 1, stdout);
  fflush(stdout);

  static uint8_t code[DT_CODE_MAX];
  uint32_t count;
  while (read_exact(&count, sizeof count)) {
    for (uint32_t k = 0; k < count; ++k) {
      if (!read_exact(&header, sizeof header)) die("truncated case header");
      if (header.code_len > DT_CODE_MAX) die("code too long");
      if (!read_exact(code, header.code_len)) die("truncated code");
      run_case(code, header.code_len, low_mapped);
      if (fwrite(&result, sizeof result, 1, stdout) != 1) die("write failed");
    }
    fflush(stdout);
  }
  return 0;
}
