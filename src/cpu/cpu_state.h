// The guest CPU state every execution engine shares: the attention word, general registers,
// EIP/EFLAGS, segment registers with their descriptor caches, system registers (CRx, DRx,
// GDTR/IDTR/LDTR/TR), MSRs, the x87 state and the instruction counter. Plain, standard-layout
// data at fixed offsets (asserted below): generated code addresses it from one host register.
// Behaviour lives in Cpu (cpu.h) and the engines (engine.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include "cpu/fpu_state.h"

namespace bt86 {

enum Gpr : uint8_t { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, GPR_NONE = 0xFF };
enum SegIndex : uint8_t { ES, CS, SS, DS, FS, GS, SEG_NONE = 0xFF };

// EFLAGS bits.
namespace fl {
constexpr uint32_t CF = 1u << 0, PF = 1u << 2, AF = 1u << 4, ZF = 1u << 6, SF = 1u << 7;
constexpr uint32_t TF = 1u << 8, IF = 1u << 9, DF = 1u << 10, OF = 1u << 11;
constexpr uint32_t IOPL = 3u << 12, NT = 1u << 14, RF = 1u << 16, VM = 1u << 17, AC = 1u << 18;
constexpr uint32_t VIF = 1u << 19, VIP = 1u << 20, ID = 1u << 21;
constexpr uint32_t ARITH = CF | PF | AF | ZF | SF | OF;  // the six status flags
constexpr uint32_t FIXED1 = 1u << 1;                     // bit 1 always reads 1
}  // namespace fl

// Bits of CpuState::attention. Any bit set makes an engine leave the block it runs at the next
// instruction boundary and return to its run loop, which acts on the bit (see
// docs/architecture.md). Bits marked "transient" are cleared by the run loop once acted on.
namespace attn {
constexpr uint32_t IRQ_WINDOW = 1u << 0;  // transient: INTR went active; check for an interrupt
constexpr uint32_t MODE = 1u << 1;        // transient: something a block's key or decoding
                                          // assumed changed (CS, SS, CPL, CRn, EFLAGS VM/IOPL/
                                          // TF/AC, TLB flush, DRn): look the next block up anew
constexpr uint32_t SMC = 1u << 2;         // transient: a store invalidated decoded code (maybe
                                          // the running block): look the next block up anew
constexpr uint32_t IRQ_SHADOW = 1u << 3;  // STI / MOV SS / POP SS: no interrupt before the next
                                          // instruction has run
constexpr uint32_t STEP = 1u << 4;        // run exactly one instruction, then check interrupts
                                          // (the end of an interrupt shadow with INTR waiting)
constexpr uint32_t HALT = 1u << 5;        // HLT: nothing runs until an interrupt arrives
constexpr uint32_t SHUTDOWN = 1u << 6;    // triple fault: the machine must reset or end
constexpr uint32_t STOP = 1u << 7;        // the machine wants control back (device request,
                                          // pause, reset); cleared when an engine run starts
constexpr uint32_t FAULT = 1u << 8;       // a callout left a guest fault in CpuState::fault_*
                                          // for the run loop to deliver (engine.h)
constexpr uint32_t TRANSIENT = IRQ_WINDOW | MODE | SMC;
}  // namespace attn

// Control register bits.
namespace cr0 {
constexpr uint32_t PE = 1u << 0, MP = 1u << 1, EM = 1u << 2, TS = 1u << 3, ET = 1u << 4, NE = 1u << 5;
constexpr uint32_t WP = 1u << 16, AM = 1u << 18, NW = 1u << 29, CD = 1u << 30, PG = 1u << 31;
}  // namespace cr0
namespace cr4 {
constexpr uint32_t VME = 1u << 0, PVI = 1u << 1, TSD = 1u << 2, DE = 1u << 3, PSE = 1u << 4;
constexpr uint32_t PAE = 1u << 5, MCE = 1u << 6, PGE = 1u << 7, PCE = 1u << 8, OSFXSR = 1u << 9;
constexpr uint32_t OSXMMEXCPT = 1u << 10;
}  // namespace cr4

// A segment register with its hidden descriptor cache.
// `attr` holds the descriptor's high dword masked with 0x00F0FF00 (the format LAR returns):
//   bits 8-11 type, 12 S, 13-14 DPL, 15 P, 20 AVL, 22 D/B, 23 G.
// `limit` is the byte-granular effective limit (already expanded for G=1).
struct Segment {
  uint16_t sel = 0;
  uint32_t base = 0;
  uint32_t limit = 0xFFFF;
  uint32_t attr = 0;

  uint8_t type() const { return (attr >> 8) & 0xF; }
  bool s() const { return attr & (1u << 12); }
  uint8_t dpl() const { return (attr >> 13) & 3; }
  bool present() const { return attr & (1u << 15); }
  bool db() const { return attr & (1u << 22); }          // D/B: 32-bit code / big stack
  bool is_code() const { return s() && (attr & (1u << 11)); }
  bool expand_down() const { return s() && !is_code() && (attr & (1u << 10)); }
  bool writable() const { return s() && !is_code() && (attr & (1u << 9)); }
  bool readable() const { return s() && (!is_code() || (attr & (1u << 9))); }
  bool conforming() const { return is_code() && (attr & (1u << 10)); }
  // Base 0, limit 4 GiB, expand-up: offsets are linear addresses (block_mode::FLAT).
  bool flat() const { return base == 0 && limit == 0xFFFFFFFFu && !expand_down(); }
  // Flat and usable for any data access (present, writable data): translated code then needs no
  // segment check at all (block_mode::FLAT).
  bool flat_data() const { return flat() && present() && writable(); }
};

// Attribute values used for real mode / reset: present, DPL 0, data read/write, accessed.
constexpr uint32_t kAttrDataRW = 0x9300;
// Present, DPL 0, code execute/read, accessed.
constexpr uint32_t kAttrCodeRX = 0x9B00;

struct TableReg {
  uint32_t base = 0;
  uint16_t limit = 0xFFFF;
};

struct Msrs {
  uint32_t sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;
  // IA32_APIC_BASE at reset: base 0xFEE00000, BSP (bit 8), APIC globally disabled (bit 11
  // clear), as on an i686 whose local APIC is off; see ops_cpuid_msr.cpp.
  uint64_t apic_base = 0xFEE00100;
  uint64_t pat = 0x0007040600070406ull;
  uint64_t mtrr_def_type = 0;
  uint64_t mtrr_fixed[11] = {};
  uint64_t mtrr_var[16] = {};  // base/mask pairs for 8 variable ranges
  uint64_t misc_enable = 0;
  uint64_t tsc_adjust = 0;     // value added to the clock-derived TSC (set by WRMSR 0x10)
};

struct CpuState {
  uint32_t attention = 0;   // attn:: bits; offset 0 (kAttentionOffset)
  uint32_t r[8] = {};       // EAX..EDI
  uint32_t eip = 0;
  uint32_t eflags = fl::FIXED1;
  Segment seg[6];           // ES CS SS DS FS GS
  Segment ldtr, tr;
  TableReg gdtr, idtr;
  uint32_t cr0 = cr0::ET, cr2 = 0, cr3 = 0, cr4 = 0;
  uint32_t dr[8] = {0, 0, 0, 0, 0xFFFF0FF0, 0x400, 0xFFFF0FF0, 0x400};
  uint8_t cpl = 0;
  Msrs msr;
  FpuState fpu;
  // Guest instructions retired since power-on, exact at every instruction boundary (also inside
  // a block); survives resets. Virtual time under -icount is derived from it.
  uint64_t icount = 0;
  // A guest fault raised inside a callout of generated code, delivered by the run loop
  // (attn::FAULT; see engine.h). fault_error is kNoErrorCode (-1) when it pushes none.
  uint8_t fault_vector = 0;
  int32_t fault_error = -1;
  // Scratch of translated code: the guest's arithmetic flags parked while host code reuses the
  // host flags (translate/block_translator.cpp). Not architectural state.
  uint64_t jit_flags_spill = 0;
  // 1 while the host x87 holds the guest's x87 registers, TOP, tags, status and control words
  // (translated code runs x87 instructions natively; Cpu::sync_fpu() brings them back into
  // `fpu`). The pointers FIP/FCS/FOP/FDP/FDS are always in `fpu`.
  uint8_t jit_x87_resident = 0;
  // Changed whenever a translation of code addresses may have changed (TLB flushes, INVLPG,
  // dropped blocks): the inline caches of translated indirect branches hold only while it stays
  // (never 0, so an empty cache never matches). One per exec TLB set: [0] for the sites of CPL 0-2
  // code, whose targets the supervisor set maps, [1] for CPL 3 code (GuestMmu's TLB flushes
  // decide which a flush changes: see GuestMmu::new_code_epochs). jit_ic_slot: the lookup routine's scratch.
  uint32_t jit_code_epoch[2] = {1, 1};
  uint64_t jit_ic_slot = 0;
  // The linear address a memory slow path of translated code passes to its callout (sites with
  // CalloutSite::first_access: a #PF there is raised without running the instruction).
  uint32_t jit_slow_lin = 0;

  // 8/16-bit register views (little-endian host). Byte registers 0-7 = AL CL DL BL AH CH DH BH.
  uint8_t& r8(unsigned i) { return reinterpret_cast<uint8_t*>(&r[i & 3])[i >> 2]; }
  using U16Alias = uint16_t __attribute__((may_alias));
  uint16_t& r16(unsigned i) { return *reinterpret_cast<U16Alias*>(&r[i]); }

  bool protected_mode() const { return cr0 & cr0::PE; }
  bool v86() const { return eflags & fl::VM; }
  bool paging() const { return cr0 & cr0::PG; }
  bool code32() const { return seg[CS].db(); }
  bool stack32() const { return seg[SS].db(); }
  uint8_t iopl() const { return (eflags >> 12) & 3; }
  // Alignment checking is on: CR0.AM, EFLAGS.AC, CPL 3 (misaligned data accesses are #AC(0)).
  bool alignment_checked() const { return (cr0 & cr0::AM) && (eflags & fl::AC) && cpl == 3; }
};

// Generated code reaches these fields by fixed offsets from one host register.
static_assert(std::is_standard_layout_v<CpuState>, "CpuState must stay standard-layout");
constexpr size_t kAttentionOffset = offsetof(CpuState, attention);
constexpr size_t kGprOffset = offsetof(CpuState, r);
constexpr size_t kEipOffset = offsetof(CpuState, eip);
constexpr size_t kEflagsOffset = offsetof(CpuState, eflags);
constexpr size_t kIcountOffset = offsetof(CpuState, icount);
constexpr size_t kFlagsSpillOffset = offsetof(CpuState, jit_flags_spill);
constexpr size_t kX87ResidentOffset = offsetof(CpuState, jit_x87_resident);
constexpr size_t kCodeEpochOffset = offsetof(CpuState, jit_code_epoch);  // + 4 * user
constexpr size_t kIcSlotOffset = offsetof(CpuState, jit_ic_slot);
constexpr size_t kSlowLinOffset = offsetof(CpuState, jit_slow_lin);
inline void bump_code_epoch(CpuState& s, unsigned user) {
  if (++s.jit_code_epoch[user] == 0) s.jit_code_epoch[user] = 1;
}
inline void bump_code_epochs(CpuState& s) {
  bump_code_epoch(s, 0);
  bump_code_epoch(s, 1);
}
constexpr size_t kFpuOffset = offsetof(CpuState, fpu);
constexpr size_t kSegOffset = offsetof(CpuState, seg);
static_assert(kAttentionOffset == 0 && kGprOffset == 4 && kEipOffset == 36 && kEflagsOffset == 40,
              "the offsets generated code relies on");

}  // namespace bt86
