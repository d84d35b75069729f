// Translator tests (src/translate/): translated blocks agree with the interpreter on registers and
// flags; loops run chained; Engine::run(budget) retires exactly its budget; a guest store into a
// translated block drops it and the new bytes run; the block builder's decode-time targets; a
// fault raised in a callout in the middle of a block is delivered at the faulting instruction with
// the instructions before it retired; and the statistics counters move as the code says.
#include <doctest/doctest.h>
#include <Zydis/Zydis.h>
#include <string>
#include "cpu/block.h"
#include "cpu/block_builder.h"
#include "cpu/block_decoder.h"
#include "cpu/lockstep.h"
#include "cpu_fixture.h"
#include "translate/translator.h"

using namespace bt86;

namespace {

constexpr uint32_t kArith = fl::CF | fl::PF | fl::AF | fl::ZF | fl::SF | fl::OF;

// Translator options for these tests: translate a block the first time it runs (the default waits
// until the interpreter has run it twice, see the cold-block test below).
Translator::Options eager() {
  Translator::Options o;
  o.hot_after = 0;
  return o;
}

// A CpuFixture (flat 32-bit PM, CPL 0) with a translator on its Cpu.
struct JitFixture : CpuFixture {
  Translator jit{cpu, eager()};
  // Runs the translator until HLT or an exception (stop_on_exception); returns the instructions
  // retired. Fails the test if neither happened within max_insns.
  uint64_t run_jit(uint64_t max_insns = 1'000'000) {
    cpu.has_last_exception = false;
    cpu.set_halted(false);
    const uint64_t n = jit.run(max_insns);
    CHECK_MESSAGE((cpu.halted() || cpu.has_last_exception), "guest neither halted nor faulted");
    return n;
  }
  const TranslatorStats& js() const { return jit.jit_stats(); }
  uint64_t callouts(CalloutKind k) const { return js().callouts[size_t(k)]; }
};

// The first `bytes` of the data area are the same on both machines.
void check_same_data(CpuFixture& t, CpuFixture& i, uint32_t bytes) {
  for (uint32_t a = CpuFixture::kDataAddr; a < CpuFixture::kDataAddr + bytes; a += 4) {
    INFO("data at " << a);
    CHECK(t.peek<uint32_t>(a) == i.peek<uint32_t>(a));
  }
}

// The same program on a translator and on an interpreter; both must end alike.
void compare_with_interpreter(const std::string& src) {
  JitFixture t;
  CpuFixture i;
  t.load_asm(src);
  i.load_asm(src);
  t.cpu.s.eflags = i.cpu.s.eflags = 0x2 | fl::CF | fl::ZF;  // flags going in are read too (ADC, ...)
  t.run_jit();
  i.run();
  REQUIRE(t.cpu.halted());
  REQUIRE(i.cpu.halted());
  CHECK(t.js().blocks_translated > 0);
  CHECK(t.js().insns_in_translated > 0);
  static const char* names[8] = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
  for (unsigned r = 0; r < 8; ++r) {
    INFO(names[r]);
    CHECK(t.cpu.s.r[r] == i.cpu.s.r[r]);
  }
  CHECK((t.cpu.s.eflags & kArith) == (i.cpu.s.eflags & kArith));
  CHECK(t.cpu.s.eip == i.cpu.s.eip);
  CHECK(t.cpu.s.icount == i.cpu.s.icount);
  check_same_data(t, i, 64);
}

}  // namespace

TEST_CASE("translator: a straight-line ALU block gives the interpreter's registers and flags") {
  compare_with_interpreter(R"(
    mov eax, 0x89ABCDEF
    mov ebx, 0x12345678
    mov ecx, 5
    mov edx, 0xFFFFFFFF
    mov esi, 0x8000
    mov edi, 0x7FFFFFFF
    adc eax, ebx            ; CF in from the initial EFLAGS
    sbb edx, ecx
    add edi, 1              ; OF
    seto bl
    rol eax, cl
    shr edx, 3
    sar edi, 7
    imul ebx, eax, 0x1234
    xor ebx, edx
    and eax, 0xF0F0F0F0
    or ecx, eax
    neg ecx
    not edx
    inc esi
    dec edi
    lea ebp, [esi + ecx * 4 + 0x10]
    bswap ebp
    bsf eax, ebp
    cmp ebx, ecx
    cmovl eax, ebx
    setbe dh
    shld eax, edx, 5
    shrd ebx, ecx, 9
    mov [esi + 4], eax
    add [esi + 4], ebx
    xchg ecx, [esi + 4]
    movzx edx, byte [esi + 5]
    movsx ebp, word [esi + 6]
    push ebp
    push 0x55AA
    pop eax
    pop ebx
    mov [0x8010], ebx
    xadd [0x8010], eax
    mul ecx
    test eax, 0x80
    cdq
    sub ebp, edx
    rcr ebp, 1              ; reads CF
    adc edx, 0
    hlt
  )");
}

// Memory-operand instructions are re-encoded byte by byte (REX + ModRM/SIB for [base + r10],
// block_translator.cpp encode_memory_form): ESP in ModRM.reg, operand-size and LOCK prefixes,
// segment overrides, immediates of every width after the operand, 0F opcodes, group
// opcodes (ModRM.reg an opcode extension), and AH..BH (left to the encoder).
TEST_CASE("translator: memory-operand forms re-encoded for the host agree with the interpreter") {
  compare_with_interpreter(R"(
    mov ebx, 0x8000
    mov esi, 8
    mov dword [ebx], 0x11223344
    mov dword [ebx + 4], 0x55667788
    mov [ebx + esi * 2 + 0x10], esp
    add esp, [ebx + 0x20]
    sub esp, [ebx + 0x20]
    mov word [ebx + 2], 0xBEEF
    add word [ebx + 6], 0x7FFF
    add dword [ebx + 4], 5
    sub dword [ebx], 0x12345
    imul eax, [ebx + 4], 1000
    imul ecx, [ebx], -3
    mov dl, 0x5A
    mov [ebx + 9], dl
    mov ah, 0x7E
    mov [ebx + 10], ah
    add ah, [ebx + 9]
    mov ecx, 3
    lock xadd [ebx + 4], ecx
    ds mov edx, [ebx]
    es add edx, [ebx + 4]
    shld [ebx + 12], eax, 3
    shr dword [ebx + 12], cl
    rol byte [ebx + 9], 1
    bt dword [ebx], 5
    setc [ebx + 13]
    bts dword [ebx + 4], 31
    bsr edi, [ebx + 4]
    mov eax, [ebx + 4]
    cmpxchg [ebx + 4], ebp
    movzx ebp, word [ebx + 2]
    cmp byte [ebx + 10], 0x7E
    cmovz esi, [ebx + 12]
    test dword [ebx], 0x100
    not dword [ebx + 12]
    neg word [ebx + 14]
    inc byte [ebx + 11]
    mov [ebx + 16], eax
    mov [ebx + 20], ecx
    mov [ebx + 24], edx
    mov [ebx + 28], edi
    hlt
  )");
}

TEST_CASE("translator: DIV/IDIV inline and through the overflow check agree with the interpreter") {
  compare_with_interpreter(R"(
    mov eax, 1000000
    xor edx, edx
    mov ecx, 7
    div ecx                 ; inline
    mov esi, eax
    mov edi, edx
    mov eax, 0x80000000     ; EDX:EAX = 2^31: EDX is not EAX's sign extension (checked path)
    xor edx, edx
    mov ecx, 3
    idiv ecx
    mov [0x8000], eax
    mov [0x8004], edx
    mov eax, -100
    cdq
    mov ecx, 7
    idiv ecx
    mov [0x800C], eax
    mov [0x8010], edx
    mov dword [0x8008], 9
    xor edx, edx
    div dword [0x8008]      ; memory divisor
    hlt
  )");
}

TEST_CASE("translator: stack, LOOPcc/JECXZ, byte registers and flags through probes agree with the interpreter") {
  compare_with_interpreter(R"(
    mov esi, 0x8000
    mov ecx, 10
    xor eax, eax
    xor edx, edx
  l1:                       ; LOOPNE: stops when ZF = 1 (EAX reaches 4) or ECX = 0
    inc eax
    mov [esi + eax * 4], eax
    cmp eax, 4
    loopne l1
    mov [esi + 0x20], ecx
    mov ecx, 3
  l2:                       ; LOOPE with a memory read (probe) between the CMP and the LOOPE
    cmp edx, 0
    mov ebx, [esi + 4]
    loope l2
    mov [esi + 0x24], ecx
    xor ecx, ecx
    jecxz over
    mov dword [esi + 0x28], 0xBAD
  over:
    push -1                 ; imm8, sign-extended
    push 0x12345678
    push esp                ; the ESP before the push
    pop edi
    sub edi, esp
    pop ebx
    pop ebp
    mov ah, 0x12
    mov ch, ah
    add ch, 0xF0            ; CF = 1 from a high-byte add
    lahf
    mov [esi + 0x2C], ah
    stc
    mov ah, 0xD5            ; SF ZF AF PF CF
    sahf
    setz [esi + 0x30]
    mov eax, 0x11111111
    mov edx, 0x22222222
    mov ebx, 0x33333333
    mov ecx, 0x44444444
    mov [esi + 0x38], eax
    mov [esi + 0x3C], edx
    cmpxchg8b [esi + 0x38]  ; equal: stores ECX:EBX
    xchg [esi + 0x34], ebp
    mov eax, 5
    add eax, [esi + 0x38]   ; writes all flags after a probe
    mov ebx, [esi + 0x3C]   ; probe with the flags live (ADC below reads CF)
    inc ecx                 ; keeps CF
    adc edx, 0
    call sub1
    mov [esi + 0x18], eax
    push ebp
    mov ebp, esp
    push dword 0x77
    mov eax, [ebp - 4]
    leave
    mov [esi + 0x1C], eax
    hlt
  sub1:
    push dword 9
    push dword 8
    call sub2
    ret
  sub2:
    mov eax, [esp + 4]
    add eax, [esp + 8]
    ret 8
  )");
}

TEST_CASE("translator: a loop runs chained and gets the right result") {
  JitFixture f;
  f.load_asm(R"(
    xor eax, eax
    mov ecx, 1000
  again:
    add eax, ecx
    dec ecx
    jnz again
    hlt
  )");
  f.run_jit();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[EAX] == 500500);
  CHECK(f.cpu.s.r[ECX] == 0);
  CHECK(f.cpu.s.icount == 2 + 3 * 1000 + 1);
  CHECK(f.js().chained_exits > 0);
  CHECK(f.jit.stats().links_made > 0);
  // Once linked, the loop stays in translated code: far fewer entries from C++ than iterations.
  CHECK(f.js().entries < 20);
  CHECK(f.js().insns_in_translated >= 3 * 990);
}

TEST_CASE("translator: run(budget) retires exactly the budget, also inside a block") {
  JitFixture f;
  f.load_asm(R"(
  spin:
    inc eax
    jmp spin
  )");
  f.cpu.s.r[EAX] = 0;
  CHECK(f.jit.run(1000) == 1000);
  CHECK(f.cpu.s.icount == 1000);
  CHECK(f.cpu.s.r[EAX] == 500);
  CHECK(f.js().chained_exits > 0);  // it ran as a self-linked block
  CHECK(f.js().exits[jit::kExitBudget] > 0);
  // Odd budgets end between the INC and the JMP of the two-instruction block.
  uint64_t total = 1000;
  for (uint64_t budget : {1, 2, 3, 7, 1001, 12345, 1}) {
    INFO("budget " << budget);
    CHECK(f.jit.run(budget) == budget);
    total += budget;
    CHECK(f.cpu.s.icount == total);
    CHECK(f.cpu.s.r[EAX] == (total + 1) / 2);
    CHECK(f.cpu.s.eip == (total % 2 ? CpuFixture::kCodeAddr + 1 : CpuFixture::kCodeAddr));
  }
}

TEST_CASE("translator: run(budget) cuts a long straight-line block short") {
  JitFixture f;
  std::string src;
  for (int k = 0; k < 40; ++k) src += "inc eax\n";
  src += "hlt\n";
  f.load_asm(src);
  f.cpu.s.r[EAX] = 0;
  CHECK(f.jit.run(25) == 25);
  CHECK(f.cpu.s.r[EAX] == 25);
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 25);
  CHECK(f.jit.run(15) == 15);
  CHECK(f.cpu.s.r[EAX] == 40);
  f.run_jit();
  CHECK(f.cpu.halted());
  CHECK(f.cpu.s.icount == 41);
}

TEST_CASE("translator: a store into a translated block drops it and the new code runs") {
  JitFixture f;
  f.load_asm(R"(
    xor esi, esi
    mov ebx, 3
  again:
    call func
    add esi, eax
    add dword [func + 1], 0x1000   ; func's immediate, after func ran (translated)
    dec ebx
    jnz again
    hlt
  func:
    mov eax, 0x11
    ret
  )");
  f.run_jit();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[ESI] == 0x11 + 0x1011 + 0x2011);
  CHECK(f.jit.stats().invalidations >= 2);
  CHECK(f.js().blocks_translated >= 3 + 2);  // func translated again after each store
  CHECK(f.callouts(CalloutKind::MemorySlowPath) >= 3);  // stores into a code page take the slow path
}

TEST_CASE("translator: a store into the next instruction of the running block takes effect") {
  JitFixture f;
  f.load_asm(R"(
    mov ecx, 5
  again:
    mov [target + 1], ecx
  target:
    mov eax, 0x11111111
    add edx, eax
    dec ecx
    jnz again
    hlt
  )");
  f.cpu.s.r[EDX] = 0;
  f.run_jit();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[EDX] == 5 + 4 + 3 + 2 + 1);
  CHECK(f.cpu.s.r[EAX] == 1);
  CHECK(f.jit.stats().invalidations >= 5);
}

TEST_CASE("translator: stores next to translated code keep it and all reach the slow path") {
  JitFixture f;
  f.load_asm(R"(
    xor eax, eax
    mov ecx, 1000
  again:
    add [var], ecx
    add eax, [var]
    dec ecx
    jnz again
    hlt
  var:
    dd 0
  )");
  f.run_jit();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[EAX] == 333833500);
  CHECK(f.jit.stats().invalidations == 0);
  CHECK(f.js().blocks_translated <= 3);
  // Every store into a page holding code must reach the code-write check.
  CHECK(f.callouts(CalloutKind::MemorySlowPath) >= 1000);
}

TEST_CASE("block builder: decode-time targets of JMP rel, Jcc and fall-through") {
  JitFixture f;
  f.load_asm(R"(
    mov eax, 1          ; 0x1000 (5 bytes)
    jz near skip        ; 0x1005 (6 bytes) -> 0x1010
    jmp short back      ; 0x100B (2 bytes) -> 0x1000
    nop
    nop
    nop
    nop
    nop
  skip:                 ; 0x1012
    jmp 0x3000          ; 0x1012 (5 bytes)
    call 0x1000         ; 0x1017 (5 bytes)
  back equ 0x1000
  )");
  BlockDecoder dec;
  auto build = [&](uint32_t eip, unsigned max_insns) {
    Block b;
    uint32_t phys = 0;
    const uint8_t* host = f.cpu.fetch_ptr(eip, &phys);
    REQUIRE(host != nullptr);
    b.key = BlockKey{phys, eip, 0, 0xFFFFFFFF, block_mode_of(f.cpu.s)};
    CHECK(build_block(f.cpu, dec, eip, host - (eip & 0xFFF), b, max_insns));
    return b;
  };
  Block jcc = build(0x1000, 64);
  CHECK(jcc.terminal == Terminal::Conditional);
  CHECK(jcc.insns.size() == 2);
  CHECK(jcc.bytes == 11);
  CHECK(jcc.targets[0] == 0x1012);  // taken
  CHECK(jcc.targets[1] == 0x100B);  // not taken: the next instruction
  Block back = build(0x100B, 64);
  CHECK(back.terminal == Terminal::Jump);
  CHECK(back.targets[0] == 0x1000);
  Block far = build(0x1012, 64);
  CHECK(far.terminal == Terminal::Jump);
  CHECK(far.targets[0] == 0x3000);
  Block call = build(0x1017, 64);
  CHECK(call.terminal == Terminal::Jump);
  CHECK(call.targets[0] == 0x1000);
  Block cut = build(0x1000, 1);  // size cap: falls through to the next instruction
  CHECK(cut.terminal == Terminal::FallThrough);
  CHECK(cut.targets[0] == 0x1005);
}

TEST_CASE("translator: a fault in a callout in the middle of a block is delivered at its instruction") {
  JitFixture f;
  f.load_asm(R"(
    mov eax, 0x1000
    mov ebx, 0
    jmp block
  block:
    mov ecx, 0x11
    add edx, 0x22
    cmp ecx, 0x12       ; CF = 1, SF = 1
  fault:
    div bl              ; 8-bit DIV is a callout: #DE (BL = 0)
    mov esi, 0x33
    mov edi, 0x44
    hlt
  )");
  f.cpu.s.r[EDX] = 0;
  f.cpu.s.r[ESI] = 0;
  f.cpu.s.r[EDI] = 0;
  const uint64_t n = f.run_jit();
  REQUIRE(f.faulted(vec::DE));
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 12 + 5 + 3 + 3);  // `fault`
  CHECK(n == 6);
  CHECK(f.cpu.s.icount == 6);  // the six instructions before it, not the DIV
  CHECK(f.cpu.s.r[EAX] == 0x1000);
  CHECK(f.cpu.s.r[ECX] == 0x11);
  CHECK(f.cpu.s.r[EDX] == 0x22);
  CHECK(f.cpu.s.r[ESI] == 0);
  CHECK(f.cpu.s.r[EDI] == 0);
  CHECK((f.cpu.s.eflags & (fl::CF | fl::ZF | fl::SF | fl::OF)) == (fl::CF | fl::SF));
  CHECK(f.callouts(CalloutKind::Unsupported) == 1);
  CHECK(f.js().insns_in_translated == 6);
}

TEST_CASE("translator: a fault on the inline DIV's checked path and on an FS limit is precise") {
  SUBCASE("32-bit DIV by zero") {
    JitFixture f;
    f.load_asm(R"(
      jmp block
    block:
      mov eax, 77
      xor edx, edx
      mov ecx, 5
      sub ecx, 5
    fault:
      div ecx
      mov eax, 1
      hlt
    )");
    f.run_jit();
    REQUIRE(f.faulted(vec::DE));
    CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 2 + 5 + 2 + 5 + 3);
    CHECK(f.cpu.s.r[EAX] == 77);
    CHECK(f.cpu.s.r[ECX] == 0);
    CHECK((f.cpu.s.eflags & fl::ZF) != 0);  // SUB's result
    CHECK(f.cpu.s.icount == 5);
  }
  SUBCASE("FS with a small limit") {
    JitFixture f;
    f.load_asm(R"(
      jmp block
    block:
      mov ebx, 0x10
      mov eax, [fs:ebx]     ; inside the limit
      mov ebx, 0x100
    fault:
      mov ecx, [fs:ebx]     ; beyond it: #GP(0)
      hlt
    )");
    Segment small{0x18, 0x9000, 0xFF, kAttrDataRW | (1u << 22)};
    f.cpu.set_seg(FS, small);
    f.poke<uint32_t>(0x9010, 0xABCD);
    f.cpu.s.r[ECX] = 0x5555;
    f.run_jit();
    REQUIRE(f.faulted(vec::GP));
    CHECK(f.cpu.last_exception.error == 0);
    CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 2 + 5 + 3 + 5);
    CHECK(f.cpu.s.r[EAX] == 0xABCD);
    CHECK(f.cpu.s.r[EBX] == 0x100);
    CHECK(f.cpu.s.r[ECX] == 0x5555);
    CHECK(f.cpu.s.icount == 4);
  }
}

TEST_CASE("translator: statistics count translated instructions and callouts by kind") {
  JitFixture f;
  f.load_asm(R"(
    jmp block
  block:
    mov ecx, 3
    in al, 0x80
    add ecx, 1
    in al, 0x80
    mov edx, [cs:0x8000]
    in al, 0x80
    dec ecx
    hlt
  )");
  f.poke<uint32_t>(0x8000, 0x1234);
  f.run_jit();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[ECX] == 3);
  CHECK(f.cpu.s.r[EDX] == 0x1234);
  const TranslatorStats& j = f.js();
  CHECK(j.blocks_translated == 2);            // the JMP, then the block up to HLT
  CHECK(j.guest_insns_translated == 1 + 8);
  CHECK(j.inline_insns + j.callout_insns == j.guest_insns_translated);
  CHECK(j.callout_insns == 5);                // three INs, the CS load, HLT
  CHECK(j.callouts_by_mnemonic[ZYDIS_MNEMONIC_IN] == 3);
  CHECK(j.callouts_by_mnemonic[ZYDIS_MNEMONIC_HLT] == 1);
  CHECK(f.callouts(CalloutKind::Segment) == 1);
  CHECK(f.callouts(CalloutKind::Sensitive) == 1);  // HLT
  CHECK(f.callouts(CalloutKind::Unsupported) == 3);  // IN: not emitted inline
  CHECK(f.callouts(CalloutKind::MemorySlowPath) == 0);
  CHECK(j.insns_in_translated == 9);
  CHECK(j.insns_in_interpreter == 0);
  CHECK(j.entries == 2);
  CHECK(j.exits[jit::kExitLink] == 1);        // the JMP's chainable exit
  CHECK(f.cpu.s.icount == 9);
  const std::string text = f.jit.describe_stats();
  CHECK(text.find("callouts by instruction: in 3") != std::string::npos);
}

TEST_CASE("translator: a block is translated only once the interpreter has run it hot_after times") {
  CpuFixture f;
  Translator::Options o;
  o.hot_after = 2;
  Translator jit{f.cpu, o};
  f.load_asm(R"(
    mov ecx, 5
  again:
    add eax, ecx
    dec ecx
    jnz again
    hlt
  )");
  jit.run(1000);
  CHECK(f.cpu.halted());
  CHECK(f.cpu.s.r[EAX] == 15);
  // The first block (mov + the first pass of the loop) and HLT ran once and stay interpreted; the
  // block at `again` ran 4 times: twice interpreted (cold), then twice translated.
  CHECK(jit.jit_stats().declined[size_t(DeclineReason::Cold)] == 1 + 2 + 1);
  CHECK(jit.jit_stats().blocks_translated == 1);
  CHECK(jit.jit_stats().insns_in_translated == 2 * 3);
}

TEST_CASE("translator: code it does not translate runs in the interpreter") {
  CpuFixture real_mode(false);
  Translator jit{real_mode.cpu};
  real_mode.load_asm(R"(
    mov ax, 5
    add ax, 7
    hlt
  )");
  jit.run(100);
  CHECK(real_mode.cpu.halted());
  CHECK((real_mode.cpu.s.r[EAX] & 0xFFFF) == 12);
  CHECK(jit.jit_stats().blocks_translated == 0);
  CHECK(jit.jit_stats().insns_in_interpreter == 3);
  CHECK(jit.jit_stats().declined[size_t(DeclineReason::Mode)] > 0);
}

TEST_CASE("translator: indirect calls and returns go through the lookup table") {
  JitFixture f;
  f.load_asm(R"(
    mov ebx, func
    mov ecx, 100
    xor esi, esi
  again:
    call ebx
    add esi, eax
    dec ecx
    jnz again
    hlt
  func:
    mov eax, ecx
    ret
  )");
  f.run_jit();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[ESI] == 5050);
  CHECK(f.js().lookup_fills > 0);
  // The CALL and the RET hit the table: few trips back to C++ for 100 iterations.
  CHECK(f.js().exits[jit::kExitLookupMiss] < 10);
  CHECK(f.js().entries < 20);
}

TEST_CASE("translator: an indirect CALL and a RET into rewritten code miss the lookup table") {
  JitFixture f;
  f.load_asm(R"(
    mov ebx, func
    xor esi, esi
    mov ecx, 1
  again:
    call ebx                      ; func: EAX = its immediate
    add esi, eax
    call patch_after              ; rewrites the immediate at `after`, then returns there
  after:
    mov eax, 0x100
    add edi, eax
    inc ecx
    mov [func + 1], ecx           ; func's immediate, after func ran
    cmp ecx, 10
    jbe again
    hlt
  patch_after:
    mov [after + 1], ecx
    ret
  func:
    mov eax, 0x11
    ret
  )");
  f.cpu.s.r[EDI] = 0;
  f.run_jit();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[ESI] == 0x11 + (2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10));
  CHECK(f.cpu.s.r[EDI] == 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10);
  CHECK(f.js().lookup_fills > 0);
}

TEST_CASE("translator: FS with a base and a 4 GiB limit is reached inline, wrapping at 4 GiB") {
  JitFixture f;
  f.load_asm(R"(
    mov ecx, 3
  again:
    mov eax, [fs:0x10]            ; linear 0x9010
    mov ebx, [fs:0xFFFFF010]      ; linear 0x9000 + 0xFFFFF010 = 0x8010 (wraps)
    add [fs:0x20], eax            ; linear 0x9020
    mov edx, [gs:0x20]            ; GS flat: linear 0x20
    dec ecx
    jnz again
    hlt
  )");
  Segment based{0x18, 0x9000, 0xFFFFFFFF, kAttrDataRW | (1u << 22) | (1u << 23)};
  f.cpu.set_seg(FS, based);
  f.poke<uint32_t>(0x9010, 0x1234);
  f.poke<uint32_t>(0x8010, 0x5678);
  f.poke<uint32_t>(0x9020, 0);
  f.poke<uint32_t>(0x0020, 0xABCD);
  f.run_jit();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[EAX] == 0x1234);
  CHECK(f.cpu.s.r[EBX] == 0x5678);
  CHECK(f.cpu.s.r[EDX] == 0xABCD);
  CHECK(f.peek<uint32_t>(0x9020) == 3 * 0x1234);
  CHECK(f.callouts(CalloutKind::Segment) == 0);  // FS/GS operands are emitted inline
}

TEST_CASE("translator: a write through a read-only flat FS faults in the middle of a block") {
  JitFixture f;
  f.load_asm(R"(
    jmp block
  block:
    mov eax, [fs:0x8010]          ; reads are fine
    inc eax
  fault:
    mov [fs:0x8010], eax          ; read-only data segment: #GP(0)
    hlt
  )");
  Segment ro{0x18, 0, 0xFFFFFFFF, 0x9100 | (1u << 22) | (1u << 23)};
  f.cpu.set_seg(FS, ro);
  f.poke<uint32_t>(0x8010, 41);
  f.run_jit();
  REQUIRE(f.faulted(vec::GP));
  CHECK(f.cpu.last_exception.error == 0);
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 2 + 6 + 1);  // (MOV EAX, moffs32 with FS: 6 bytes)
  CHECK(f.cpu.s.r[EAX] == 42);
  CHECK(f.peek<uint32_t>(0x8010) == 41);
  CHECK(f.cpu.s.icount == 3);
}

TEST_CASE("translator: jump tables and calls through memory agree with the interpreter") {
  compare_with_interpreter(R"(
    mov dword [0x8000], case0
    mov dword [0x8004], case1
    mov dword [0x8008], case2
    mov dword [0x800C], fn
    xor ecx, ecx
    xor eax, eax
  next:
    mov edx, ecx
    and edx, 3
    cmp edx, 3
    je skip
    jmp [0x8000 + edx * 4]
  case0:
    add eax, 1
    jmp skip
  case1:
    add eax, 100
    jmp skip
  case2:
    call [0x800C]
  skip:
    inc ecx
    cmp ecx, 50
    jb next
    mov [0x8010], eax
    hlt
  fn:
    add eax, 10000
    ret
  )");
}

namespace {

// The same program on both engines, then every architectural field lockstep compares (x87
// registers, words and pointers included), the data area and the exception that stopped it.
void compare_state_with_interpreter(const std::string& src, uint32_t cr0_set = 0) {
  JitFixture t;
  CpuFixture i;
  t.load_asm(src);
  i.load_asm(src);
  t.cpu.s.cr0 |= cr0_set;
  i.cpu.s.cr0 |= cr0_set;
  t.cpu.has_last_exception = i.cpu.has_last_exception = false;
  t.jit.run(100000);
  i.run();
  CHECK(t.js().blocks_translated > 0);
  for (const std::string& d : state_differences(t.cpu.s, i.cpu.s)) FAIL_CHECK(d);
  CHECK(t.cpu.has_last_exception == i.cpu.has_last_exception);
  if (t.cpu.has_last_exception && i.cpu.has_last_exception)
    CHECK(t.cpu.last_exception.vector == i.cpu.last_exception.vector);
  check_same_data(t, i, 0x60);
}

}  // namespace

TEST_CASE("translator: x87 instructions run natively and leave the interpreter's FPU state and pointers") {
  const char* src = R"(
    fninit
    mov dword [0x8000], 7
    mov dword [0x8004], -3
    fild dword [0x8000]
    fild dword [0x8004]
    fadd st0, st1
    fimul dword [0x8000]
    fst qword [0x8010]
    fcomi st0, st1
    fcmovb st0, st1
    fnstsw ax
    fnstcw [0x8020]
    mov word [0x8022], 0x0f7f
    fldcw [0x8022]
    fist dword [0x8024]
    fldcw [0x8020]
    fxch st1
    fsqrt
    fstp qword [0x8028]
    fild dword [0x8024]
    fistp dword [0x802c]
    fldpi
    fsin
    fstp tword [0x8030]
    fld1
    fdiv dword [0x8000]
    fstp qword [0x8040]
    fldz
    fwait
    hlt
  )";
  compare_state_with_interpreter(src);
  JitFixture t;
  t.load_asm(src);
  t.run_jit();
  CHECK(t.js().x87_loads >= 1);
  CHECK(t.js().callouts_by_mnemonic[ZYDIS_MNEMONIC_FADD] == 0);   // native
  CHECK(t.js().callouts_by_mnemonic[ZYDIS_MNEMONIC_FLDCW] == 0);  // masked control words: native
  CHECK(t.js().callouts_by_mnemonic[ZYDIS_MNEMONIC_FNINIT] == 1);  // (not native)
  CHECK(t.cpu.s.jit_x87_resident == 0);  // given back when run() returns
  CHECK(t.cpu.s.fpu.fip != 0);
}

TEST_CASE("translator: native x87 falls back to the interpreter for unmasked exceptions and CR0.TS") {
  // FLDCW unmasking IM calls out; the invalid 0/0 is then pending and the next FLD1 raises #MF.
  compare_state_with_interpreter(R"(
    fninit
    fld1
    mov word [0x8020], 0x037e
    fldcw [0x8020]
    fldz
    fldz
    fdiv st0, st1
    fld1
    hlt
  )", cr0::NE);
  // CR0.TS: #NM at the first x87 instruction, translated or not.
  compare_state_with_interpreter(R"(
    mov eax, 5
    fld1
    hlt
  )", cr0::TS);
  // A fault on a native x87 memory operand: precise, FIP/FDP still those of the previous one.
  compare_state_with_interpreter(R"(
    fninit
    fld1
    fstp qword [0x8000]
    fld qword [0x7ffffff0]
    hlt
  )");
}

TEST_CASE("translator: PUSHFD and PUSH Sreg inline push what the interpreter pushes") {
  compare_state_with_interpreter(R"(
    push 0xdeadbeef
    pop eax
    push ds
    pop ebx
    push es
    pop ecx
    stc
    std
    mov edx, 0x7fffffff
    add edx, 1
    pushfd
    pop esi
    cld
    xor edx, edx
    pushfd
    pop edi
    mov [0x8000], ebx
    mov [0x8004], esi
    hlt
  )");
  JitFixture t;
  t.load_asm("push 0x12345678\npop eax\npush ds\npop ebx\npushfd\npop ecx\nhlt");
  t.run_jit();
  CHECK(t.js().callouts_by_mnemonic[ZYDIS_MNEMONIC_PUSH] == 0);
  CHECK(t.js().callouts_by_mnemonic[ZYDIS_MNEMONIC_PUSHFD] == 0);
  CHECK((t.cpu.s.r[EBX] >> 16) == 0x1234);  // a 16-bit store: the upper half is what was there
}

TEST_CASE("translator: both arms of a Jcc leaving the page keep the flags (taken and not taken)") {
  // CMP; JE at the very end of a page: both targets are on the next page (inline cache / lookup
  // exits); the flags must arrive as the CMP left them on either arm.
  for (const char* eax : {"9", "8"}) {
    INFO("eax = " << eax);
    compare_with_interpreter(std::string("mov eax, ") + eax + R"(
      jmp near at_end
      times 0xFF7 - ($ - $$) nop
    at_end:
      cmp eax, 9
      je near taken
      mov ecx, 1
      hlt
      times 0x1100 - ($ - $$) nop
    taken:
      mov ecx, 2
      hlt
    )");
  }
}

TEST_CASE("translator: a POPF or STI that changes no mode bit and lets no interrupt in goes on in translated code") {
  compare_state_with_interpreter(R"(
    mov ecx, 50
  again:
    pushfd
    or dword [esp], 0x801   ; OF and CF
    popfd
    adc eax, ecx
    pushfd
    and dword [esp], ~0x801
    popfd
    loop again
    hlt
  )");
  JitFixture t;
  t.load_asm("mov ecx, 50\nagain:\npushfd\npopfd\ncli\nsti\nadc eax, ecx\nloop again\nhlt");
  t.run_jit();
  CHECK(t.js().callouts_by_mnemonic[ZYDIS_MNEMONIC_POPFD] == 50);
  CHECK(t.js().leaving_by_mnemonic[ZYDIS_MNEMONIC_POPFD] == 0);
  CHECK(t.js().callouts_by_mnemonic[ZYDIS_MNEMONIC_STI] == 50);  // (no interrupt controller here)
  CHECK(t.js().leaving_by_mnemonic[ZYDIS_MNEMONIC_STI] == 0);
  CHECK((t.cpu.s.attention & attn::IRQ_SHADOW) == 0);
}

TEST_CASE("interpreter: an instruction across a page boundary is decoded once, and a store into either page is seen") {
  // MOV EAX, imm32 at 0x1FFD: opcode and one immediate byte on the first page, three on the
  // second. The loop runs it 4 times, then stores a new immediate byte into the second page.
  CpuFixture f;
  f.load_asm(R"(
    mov ecx, 4
    xor ebx, ebx
    jmp near at_end
    times 0xFFD - ($ - $$) nop
  at_end:
    mov eax, 0x11223344
    add ebx, eax
    dec ecx
    jz done
    cmp ecx, 1
    jne at_end_jump
    mov byte [0x2000], 0x55   ; the immediate's third byte: 0x11553344
  at_end_jump:
    jmp near at_end
  done:
    hlt
  )");
  f.run();
  REQUIRE(f.cpu.halted());
  CHECK(f.cpu.s.r[EAX] == 0x11553344u);
  CHECK(f.cpu.s.r[EBX] == 3 * 0x11223344u + 0x11553344u);
  CHECK(f.engine.stats().one_off_blocks == 4);
  CHECK(f.engine.stats().blocks_made <= 8);  // (the straddler decoded twice, before and after the store, not 4 times)
}
