// The random sequence generator: builds a TestCase from (seed, index) by stringing together
// templates from the enabled instruction groups. GenContext is what a group's template needs:
// registers, values, memory operands that provably land inside the data pages (the generator
// emits the base/index loads itself), a stack pointer it always knows, and the direction flag.
#pragma once
#include <Zydis/Zydis.h>
#include <cstdint>
#include <string>
#include <vector>
#include "emitter.h"
#include "rng.h"
#include "test_case.h"

namespace difftest {

enum class Window { Data, Low };  // DT_DATA_ADDR page (32-bit addressing) / DT_LOW_ADDR page (16-bit)

// Register sets as bit masks over the 32-bit register numbers 0-7 (EAX..EDI).
using RegMask = uint8_t;
constexpr RegMask reg_bit(unsigned n) { return RegMask(1u << (n & 7)); }
constexpr unsigned kEsp = 4;

ZydisRegister gpr(unsigned size, unsigned n);  // size 1 (AL..BH), 2 (AX..DI), 4 (EAX..EDI)
// The 32-bit register that contains register n of `size` (AH -> EAX).
constexpr unsigned full_reg(unsigned size, unsigned n) { return size == 1 ? (n & 3) : n; }

struct MemOptions {
  RegMask avoid = 0;         // registers the template uses otherwise: not used for addressing
  bool write = false;        // the access writes (CS override would be a #GP)
  bool may_fault = true;     // allow an occasional deliberately faulting address
  Window window = Window::Data;
  unsigned align = 1;        // required alignment of the address
};

class GenContext {
 public:
  GenContext(TestCase& tc, Rng& rng, bool low_window);

  Rng& rng;
  Emitter emit;
  TestCase& tc;
  bool low_window;           // 16-bit addressing page is available
  uint32_t esp;              // ESP is always known and inside the data page
  bool df;                   // current direction flag

  unsigned pick_size();                          // 1, 2 or 4
  unsigned pick_size_16_32() { return rng.chance(50) ? 2 : 4; }
  // A random register number for an operand of `size`; destinations never are (E)SP and
  // `avoid` is honoured by full register.
  unsigned pick_reg(unsigned size, bool dest, RegMask avoid = 0);
  // MOV reg, imm (a register of `size`, number n).
  void load(unsigned size, unsigned n, uint32_t value);
  // Randomly (pct %) load an interesting value into a source register before it is used.
  void maybe_load(unsigned size, unsigned n, unsigned pct = 35);

  // A memory operand of `size` bytes: picks an address inside the window (or, rarely, one that
  // faults), emits the register loads its addressing form needs, and returns the operand.
  // *addr_out (if given) receives the address.
  ZydisEncoderOperand mem(unsigned size, const MemOptions& o = {}, uint32_t* addr_out = nullptr);
  // The address such an operand would use (inside the window, or rarely a faulting one).
  uint32_t choose_address(unsigned size, const MemOptions& o = {});
  // A memory operand for a fixed address (its register loads are emitted now).
  ZydisEncoderOperand mem_at(unsigned size, uint32_t addr, const MemOptions& o = {});
  // An address in the window where `size` bytes fit, with `margin_below`/`margin_above` bytes
  // of room around it.
  uint32_t pick_address(unsigned size, Window w, unsigned align = 1, unsigned margin_below = 0,
                        unsigned margin_above = 0);
  // A register-or-memory operand of `size` (memory with probability mem_pct %). Memory operand
  // setup loads registers, so call this after loading the template's other registers.
  struct Rm {
    ZydisEncoderOperand op;
    bool is_mem;
    unsigned reg;  // register number when !is_mem
  };
  Rm rm(unsigned size, bool dest, RegMask avoid = 0, unsigned mem_pct = 40);
  // A segment-override prefix attribute for a memory operand (mostly none).
  ZydisInstructionAttributes maybe_segment(bool write);
  // Write initial memory contents (the address must be in a window).
  void poke(uint32_t addr, const void* bytes, size_t n);

  // Make sure `below` bytes can be pushed and `above` bytes popped; reloads ESP if not.
  void ensure_stack(unsigned below, unsigned above);
  // Set ESP to a new value inside the data page (emits MOV ESP, imm32).
  void set_esp(uint32_t v);
};

// A group of instruction templates: `emit` appends one randomly chosen template.
struct Group {
  const char* name;
  void (*emit)(GenContext&);
};
const std::vector<Group>& all_groups();
std::string group_names();  // "alu,shift,..." of all groups

struct GeneratorOptions {
  unsigned max_len = 8;               // templates per sequence: 1..max_len
  std::vector<const Group*> groups;   // enabled groups (all when empty)
  bool low_window = true;             // the runner could map the 16-bit page
};

TestCase generate(uint64_t seed, uint64_t index, const GeneratorOptions& opt);

// Group implementations (gen_*.cpp).
void gen_alu(GenContext&);
void gen_shift(GenContext&);
void gen_muldiv(GenContext&);
void gen_bcd(GenContext&);
void gen_bits(GenContext&);
void gen_cond(GenContext&);
void gen_xchg(GenContext&);
void gen_lea(GenContext&);
void gen_string(GenContext&);
void gen_stack(GenContext&);
void gen_x87(GenContext&);
void gen_x87_exceptions(GenContext&);
void gen_smc(GenContext&);
void gen_misc(GenContext&);

}  // namespace difftest
