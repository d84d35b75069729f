// Segment descriptors and selectors: decoding 8-byte GDT/LDT/IDT entries, fetching them from the
// descriptor tables with limit checks, and the checked segment-register loads (null selector,
// type, privilege and presence rules) that every protected-mode path goes through: MOV/POP Sreg,
// LDS..LSS, far RET/IRET to an outer ring, interrupt stack switches and task switches.
// Loads are split into check (may fault, changes nothing) and commit (sets the accessed bit and
// installs the register), so handlers can validate everything before changing state.
#pragma once
#include <cstdint>
#include "cpu/cpu.h"

namespace bt86 {

// System descriptor types (S = 0).
namespace sys_type {
constexpr uint8_t TSS16 = 1, LDT = 2, TSS16_BUSY = 3, CALL_GATE16 = 4, TASK_GATE = 5;
constexpr uint8_t INT_GATE16 = 6, TRAP_GATE16 = 7, TSS32 = 9, TSS32_BUSY = 0xB, CALL_GATE32 = 0xC;
constexpr uint8_t INT_GATE32 = 0xE, TRAP_GATE32 = 0xF;
constexpr uint8_t kBusyBit = 2;  // TSS type bit distinguishing busy from available
}  // namespace sys_type

// Selector fields.
inline bool sel_is_null(uint16_t sel) { return (sel & 0xFFFC) == 0; }
inline uint8_t sel_rpl(uint16_t sel) { return sel & 3; }
inline bool sel_in_ldt(uint16_t sel) { return sel & 4; }
// Error code naming a selector (index + TI; the EXT bit is added by interrupt delivery).
inline int32_t sel_error(uint16_t sel) { return sel & 0xFFFC; }

// A raw descriptor (low and high dword as stored in the table).
struct Descriptor {
  uint32_t lo = 0, hi = 0;

  uint32_t base() const { return (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u); }
  uint32_t limit() const {  // byte-granular
    uint32_t raw = (lo & 0xFFFF) | (hi & 0xF0000);
    return (hi & (1u << 23)) ? (raw << 12) | 0xFFF : raw;
  }
  uint32_t attr() const { return hi & 0x00F0FF00; }
  // The descriptor as a segment register value (use its type/dpl/present predicates).
  Segment to_segment(uint16_t sel) const { return Segment{sel, base(), limit(), attr()}; }

  // Gate fields (call, interrupt, trap and task gates).
  uint16_t gate_selector() const { return uint16_t(lo >> 16); }
  uint32_t gate_offset() const { return (lo & 0xFFFF) | (hi & 0xFFFF0000u); }
  unsigned gate_param_count() const { return hi & 0x1F; }
};

// A descriptor and the linear address it was read from (for accessed/busy bit updates).
struct DescriptorRef {
  Descriptor d;
  uint32_t addr = 0;
};

// Linear address of the descriptor `sel` selects, or false if it lies beyond the GDT/LDT limit
// (or the LDT is unusable).
bool locate_descriptor(const Cpu& cpu, uint16_t sel, uint32_t* addr);
// Reads the descriptor `sel` selects; raises `vector`(selector) if it is outside its table.
// The null selector is the caller's business (it selects GDT entry 0).
DescriptorRef fetch_descriptor(Cpu& cpu, uint16_t sel, uint8_t vector = vec::GP);
// Same without faulting on table limits (LAR/LSL/VERR/VERW); false if outside the table.
bool try_fetch_descriptor(Cpu& cpu, uint16_t sel, DescriptorRef* out);

// Sets/clears the busy bit of the TSS descriptor at linear address `addr`.
void set_tss_busy(Cpu& cpu, uint32_t addr, bool busy);

// A checked segment-register load, ready to commit.
struct SegLoad {
  Segment seg;               // value to install (selector + descriptor cache)
  uint32_t desc_addr = 0;    // descriptor whose accessed bit commit sets
  bool from_table = false;   // false: null selector (protected) or real-mode style load
  bool real_style = false;   // real mode / V86: base = sel << 4 via cpu.load_seg_real
};

// The value a data segment register holds after loading a null selector: unusable.
inline Segment null_segment(uint16_t sel) { return Segment{sel, 0, 0, 0}; }

// DS/ES/FS/GS load at privilege `cpl`: null allowed; data or readable code; for data and
// non-conforming code max(CPL, RPL) <= DPL. Type/privilege faults raise `bad_vector`(sel)
// (#GP, or #TS in a task switch); not present raises #NP(sel).
SegLoad check_data_load(Cpu& cpu, uint16_t sel, uint8_t cpl, uint8_t bad_vector = vec::GP);
// SS load at privilege `cpl`: null raises `bad_vector`(0); RPL = DPL = cpl and writable data,
// else `bad_vector`(sel); not present raises #SS(sel).
SegLoad check_stack_load(Cpu& cpu, uint16_t sel, uint8_t cpl, uint8_t bad_vector = vec::GP);
// Real-mode / V86 load of any register: base = sel << 4 (installed by cpu.load_seg_real).
SegLoad real_style_load(uint16_t sel);
// A code segment descriptor already checked by the caller, loaded as CS with RPL = `cpl`.
SegLoad code_load(const DescriptorRef& ref, uint16_t sel, uint8_t cpl);
// Mode-aware check for MOV/POP Sreg and LDS..LSS (idx is not CS): real mode and V86 load
// base = sel << 4; protected mode applies the data/stack rules at the current CPL.
SegLoad check_segment_load(Cpu& cpu, unsigned idx, uint16_t sel);
// Installs a checked load: sets the descriptor's accessed bit, then the register.
void commit_segment_load(Cpu& cpu, unsigned idx, const SegLoad& load);
// check + commit in one step.
void load_segment(Cpu& cpu, unsigned idx, uint16_t sel);

// After a return to an outer ring (RET far, IRET): DS/ES/FS/GS holding data or non-conforming
// code segments more privileged than the new CPL are loaded with the null selector.
void drop_inaccessible_data_segments(Cpu& cpu);

}  // namespace bt86
