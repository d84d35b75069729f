// FERR# -> IRQ13: an unmasked x87 exception reported with CR0.NE = 0 sets the latch, which raises
// IRQ13 on the PIC; a write to port 0xF0 clears it. With CR0.NE = 1 the CPU raises #MF instead.
#include "devices/ferr_latch.h"
#include "devices/pic8259.h"
#include "test_x87_fixture.h"

using namespace bt86;

namespace {

struct FerrFixture : X87Fixture {
  Pic8259 pic;
  FerrLatch latch;
  FerrFixture() {
    pic.attach(cpu.io);
    latch.attach(cpu.io);
    pic.reset();
    latch.irq13 = IrqLine(&pic, FerrLatch::kIrq);
    cpu.ferr = IrqLine(&latch, 0);
    // PIC: vectors 0x08 / 0x70, all unmasked (IF stays clear, so nothing is delivered).
    for (uint16_t base : {0x20, 0xA0}) {
      cpu.io.out(base, 0x11, 1);
      cpu.io.out(base + 1, base == 0x20 ? 0x08 : 0x70, 1);
      cpu.io.out(base + 1, base == 0x20 ? 0x04 : 0x02, 1);
      cpu.io.out(base + 1, 0x01, 1);
    }
  }
  // fldcw (ZE unmasked); 1/0 -> ZE pending; then `next`.
  void divide_by_zero_then(const std::string& next) {
    put<uint16_t>(kData, 0x037B);
    run_asm("fldcw [0x8000]\nfldz\nfld1\nfdiv st0, st1\n" + next);
  }
};

}  // namespace

TEST_CASE("FERR#: a pending x87 error at a waiting instruction with CR0.NE=0 raises IRQ13") {
  FerrFixture f;
  f.divide_by_zero_then("fwait");
  CHECK(f.cpu.halted());
  CHECK(f.latch.latched());
  CHECK(f.pic.intr_pending());
  CHECK(f.pic.acknowledge() == 0x75);  // IRQ13 = slave line 5
  f.cpu.io.out(0xF0, 0, 1);            // clear the latch (IGNNE#)
  CHECK_FALSE(f.latch.latched());
}

TEST_CASE("FERR#: no-wait instructions do not report; CR0.NE=1 gives #MF and no IRQ13") {
  FerrFixture nowait;
  nowait.divide_by_zero_then("fnclex");
  CHECK_FALSE(nowait.latch.latched());
  CHECK_FALSE(nowait.pic.intr_pending());

  FerrFixture ne;
  ne.cpu.s.cr0 |= cr0::NE;
  ne.divide_by_zero_then("fwait");
  CHECK(ne.faulted(vec::MF));
  CHECK_FALSE(ne.latch.latched());
}
