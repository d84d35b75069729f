// Runs test cases on the bt86 interpreter (see interp_runner.h).
#include "interp_runner.h"
#include <cstring>
#include "cpu/interpreter.h"
#include "cpu/cpu.h"
#include "translate/translator.h"
#include "x87_values.h"

namespace difftest {

using namespace bt86;

namespace {

constexpr uint32_t kRamBytes = 2u << 20;
constexpr uint32_t kPageDir = 0x1000, kPageTable = 0x2000;  // physical, not mapped linearly
constexpr uint32_t kPte = 0x7;                              // present, writable, user
constexpr uint32_t kHlt = 0xF4;
constexpr uint64_t kInsnLimit = 100000;

void put32(PhysMem& m, uint32_t addr, uint32_t v) { m.copy_to(addr, &v, 4); }

void load_fpu(FpuState& f, const uint8_t* img) {
  uint16_t cw, sw, tw;
  std::memcpy(&cw, img + fsave::kCw, 2);
  std::memcpy(&sw, img + fsave::kSw, 2);
  std::memcpy(&tw, img + fsave::kTw, 2);
  f = FpuState{};
  f.cw = cw;
  f.sw = sw;
  f.tw = tw;
  const unsigned top = (sw >> 11) & 7;
  for (unsigned i = 0; i < 8; ++i) {
    long double v = 0;
    std::memcpy(&v, img + fsave::kSt0 + 10 * i, 10);
    f.regs[(top + i) & 7] = v;
  }
}

// FNSAVE image of the interpreter's x87 state; the tag word is recomputed from the register
// contents as the hardware does (only "empty" comes from the interpreter's tags).
void store_fpu(const FpuState& f, uint8_t* img) {
  std::memset(img, 0, DT_FPU_IMAGE);
  const uint32_t cw = 0xFFFF0000u | f.cw, sw = 0xFFFF0000u | f.sw;
  std::memcpy(img + fsave::kCw, &cw, 4);
  std::memcpy(img + fsave::kSw, &sw, 4);
  const unsigned top = f.top();
  uint32_t tw = 0xFFFF0000u;
  for (unsigned i = 0; i < 8; ++i) {
    const unsigned phys = (top + i) & 7;
    uint8_t* reg = img + fsave::kSt0 + 10 * i;
    std::memcpy(reg, &f.regs[phys], 10);
    const bool empty = ((f.tw >> (2 * phys)) & 3) == 3;
    tw |= (empty ? 3u : x87_tag_of(reg)) << (2 * phys);
  }
  std::memcpy(img + fsave::kTw, &tw, 4);
}

}  // namespace

InterpRunner::InterpRunner(const std::string& engine)
    : mem_(std::make_unique<PhysMem>(kRamBytes)),
      io_(std::make_unique<IoBus>()),
      clock_(std::make_unique<VirtualClock>()),
      cpu_(std::make_unique<Cpu>(*mem_, *io_, *clock_)),
      engine_(engine == "translator" ? std::unique_ptr<Engine>(std::make_unique<Translator>(*cpu_))
                                     : std::unique_ptr<Engine>(std::make_unique<Interpreter>(*cpu_))) {
  cpu_->stop_on_exception = true;
}

InterpRunner::~InterpRunner() = default;

void InterpRunner::set_trace(bool on) {
  cpu_->trace.in_asm = cpu_->trace.cpu = cpu_->trace.intr = on;
}

// Rebuilt for every case: a wrongly executed case could have changed anything (page tables
// included), and one case must never influence the next.
void InterpRunner::enter_flat_protected_mode() {
  Cpu& cpu = *cpu_;
  static const uint8_t zero_page[DT_PAGE] = {};
  mem_->copy_to(kPageDir, zero_page, DT_PAGE);
  mem_->copy_to(kPageTable, zero_page, DT_PAGE);
  // One page table covers the first 4 MiB; map only the pages the native runner maps.
  put32(*mem_, kPageDir, kPageTable | kPte);
  for (uint32_t page : {DT_CODE_ADDR, DT_DATA_ADDR, DT_LOW_ADDR})
    put32(*mem_, kPageTable + (page >> 12) * 4, page | kPte);
  cpu.reset();
  cpu.s.cr0 = cr0::PE | cr0::ET | cr0::NE | cr0::PG;
  cpu.s.cr3 = kPageDir;
  cpu.s.cr4 = 0;
  cpu.set_cpl(0);
  const Segment code{0x08, 0, 0xFFFFFFFF, kAttrCodeRX | (1u << 22) | (1u << 23)};
  const Segment data{0x10, 0, 0xFFFFFFFF, kAttrDataRW | (1u << 22) | (1u << 23)};
  cpu.set_seg(CS, code);
  for (unsigned s : {ES, SS, DS, FS, GS}) cpu.set_seg(s, data);
  cpu.flush_tlb();
}

dt_result InterpRunner::run(const TestCase& tc) {
  Cpu& cpu = *cpu_;
  PhysMem& mem = *mem_;
  mem.copy_to(DT_CODE_ADDR, tc.code.data(), tc.code.size());
  mem.write(DT_CODE_ADDR + uint32_t(tc.code.size()), kHlt, 1);
  cpu.mmu.code_pages.note_write(DT_CODE_ADDR, DT_PAGE);
  mem.copy_to(DT_DATA_ADDR, tc.init.data, DT_PAGE);
  mem.copy_to(DT_LOW_ADDR, tc.init.low, DT_PAGE);

  enter_flat_protected_mode();
  std::memcpy(cpu.s.r, tc.init.gpr, sizeof cpu.s.r);
  cpu.s.eip = DT_CODE_ADDR;
  cpu.s.eflags = fl::FIXED1 | fl::IF | (tc.init.eflags & DT_EFLAGS_MASK);
  load_fpu(cpu.s.fpu, tc.init.fpu);

  cpu.has_last_exception = false;
  cpu.set_halted(false);
  engine_->run(kInsnLimit);

  dt_result r{};
  if (cpu.has_last_exception) {
    r.status = DT_FAULT;
    r.vector = cpu.last_exception.vector;
    r.error_code = uint32_t(cpu.last_exception.error);
    r.eip = cpu.s.eip;
  } else if (cpu.halted()) {
    r.status = DT_DONE;
    r.eip = cpu.s.eip - 1;  // HLT leaves EIP after itself; natively the sequence ends at its address
  } else {
    r.status = DT_TIMEOUT;  // neither HLT nor an exception within the instruction limit
    r.eip = cpu.s.eip;
  }
  std::memcpy(r.gpr, cpu.s.r, sizeof r.gpr);
  r.eflags = cpu.s.eflags & DT_EFLAGS_MASK;
  store_fpu(cpu.s.fpu, r.fpu);
  mem.copy_from(DT_DATA_ADDR, r.data, DT_PAGE);
  mem.copy_from(DT_LOW_ADDR, r.low, DT_PAGE);
  return r;
}

}  // namespace difftest
