// 8259A pair (ports 0x20/0x21, 0xA0/0xA1, ELCR 0x4D0/0x4D1): the initialisation sequence,
// masking, EOI forms, priorities and rotation, cascade, edge vs level triggering, auto-EOI,
// special mask mode, poll, IRR/ISR reads and the spurious IRQ7/IRQ15 vectors; nothing delivered
// before the chips are initialised.
#include <doctest/doctest.h>

#include "devices/io_bus.h"
#include "devices/pic8259.h"

using namespace bt86;

namespace {

struct PicFixture {
  IoBus io;
  Pic8259 pic;
  // Programs both chips as a PC BIOS does: vectors 0x08 / 0x70, cascade on IRQ2.
  explicit PicFixture(uint8_t icw4 = 0x01, uint8_t master_base = 0x08, uint8_t slave_base = 0x70) {
    pic.attach(io);
    pic.reset();
    init_chip(0x20, master_base, 0x04, icw4);
    init_chip(0xA0, slave_base, 0x02, icw4);
  }
  void init_chip(uint16_t port, uint8_t base, uint8_t icw3, uint8_t icw4) {
    io.out(port, 0x11, 1);
    io.out(port + 1, base, 1);
    io.out(port + 1, icw3, 1);
    io.out(port + 1, icw4, 1);
  }
  void eoi(uint16_t port = 0x20) { io.out(port, 0x20, 1); }
  void pulse(unsigned irq) { pic.set_irq(irq, true); pic.set_irq(irq, false); }
  uint8_t read_isr(uint16_t port) { io.out(port, 0x0B, 1); return uint8_t(io.in(port, 1)); }
  uint8_t read_irr(uint16_t port) { io.out(port, 0x0A, 1); return uint8_t(io.in(port, 1)); }
};

}  // namespace

TEST_CASE("PIC: after ICW1-4 the mask is clear and an edge on IRQ0 gives the ICW2 vector") {
  PicFixture f;
  CHECK(f.io.in(0x21, 1) == 0x00);
  CHECK_FALSE(f.pic.intr_pending());
  f.pic.set_irq(0, true);
  CHECK(f.pic.intr_pending());
  CHECK(f.read_irr(0x20) == 0x01);
  CHECK(f.pic.acknowledge() == 0x08);
  CHECK_FALSE(f.pic.intr_pending());
  CHECK(f.read_isr(0x20) == 0x01);
  CHECK(f.read_irr(0x20) == 0x00);  // the edge latch is cleared by INTA
  f.eoi();
  CHECK(f.read_isr(0x20) == 0x00);
  // The line is still high: no new edge, no new request.
  CHECK_FALSE(f.pic.intr_pending());
  f.pic.set_irq(0, false);
  f.pic.set_irq(0, true);
  CHECK(f.pic.intr_pending());
}

TEST_CASE("PIC: ICW2 keeps only bits 7-3 of the vector; without ICW4 the sequence ends at ICW3") {
  IoBus io;
  Pic8259 pic;
  pic.attach(io);
  pic.reset();
  io.out(0x20, 0x10, 1);  // ICW1 without IC4, cascade mode
  io.out(0x21, 0x47, 1);  // ICW2
  io.out(0x21, 0x04, 1);  // ICW3
  io.out(0x21, 0xFD, 1);  // OCW1 now: only IRQ1 unmasked
  CHECK(io.in(0x21, 1) == 0xFD);
  pic.set_irq(0, true);
  pic.set_irq(1, true);
  CHECK(pic.acknowledge() == 0x41);
}

TEST_CASE("PIC: a pulse latches an edge request; the mask holds it back until unmasked") {
  PicFixture f;
  f.io.out(0x21, 0x02, 1);
  f.pulse(1);
  CHECK_FALSE(f.pic.intr_pending());
  CHECK(f.read_irr(0x20) == 0x02);
  f.io.out(0x21, 0x00, 1);
  CHECK(f.pic.intr_pending());
  CHECK(f.pic.acknowledge() == 0x09);
}

TEST_CASE("PIC: fixed priority — lower IRQ first, nesting only for higher priority") {
  PicFixture f;
  f.pulse(5);
  f.pulse(3);
  CHECK(f.pic.acknowledge() == 0x0B);  // IRQ3 before IRQ5
  CHECK_FALSE(f.pic.intr_pending());   // IRQ5 waits for IRQ3's EOI
  f.pulse(1);
  CHECK(f.pic.intr_pending());         // IRQ1 nests over IRQ3
  CHECK(f.pic.acknowledge() == 0x09);
  CHECK(f.read_isr(0x20) == 0x0A);
  f.eoi();                             // non-specific: clears the highest (IRQ1)
  CHECK(f.read_isr(0x20) == 0x08);
  CHECK_FALSE(f.pic.intr_pending());
  f.eoi();
  CHECK(f.pic.acknowledge() == 0x0D);
}

TEST_CASE("PIC: specific EOI clears the named in-service bit") {
  PicFixture f;
  f.pulse(4);
  CHECK(f.pic.acknowledge() == 0x0C);
  f.pulse(3);
  CHECK(f.pic.acknowledge() == 0x0B);
  f.io.out(0x20, 0x64, 1);  // specific EOI for IRQ4
  CHECK(f.read_isr(0x20) == 0x08);
}

TEST_CASE("PIC: rotation — rotate on EOI and set priority move the lowest priority") {
  PicFixture f;
  f.pulse(3);
  CHECK(f.pic.acknowledge() == 0x0B);
  f.io.out(0x20, 0xA0, 1);  // rotate on non-specific EOI: IRQ3 becomes lowest, IRQ4 highest
  f.pulse(0);
  f.pulse(4);
  CHECK(f.pic.acknowledge() == 0x0C);
  f.io.out(0x20, 0xE4, 1);  // rotate on specific EOI 4: IRQ5 highest
  f.pulse(6);
  CHECK(f.pic.acknowledge() == 0x0E);  // IRQ6 beats IRQ0 now
  f.eoi();
  f.io.out(0x20, 0xC6, 1);  // set priority: IRQ6 lowest, IRQ7 highest
  f.pulse(7);
  CHECK(f.pic.acknowledge() == 0x0F);
  f.eoi();
  CHECK(f.pic.acknowledge() == 0x08);  // IRQ0 was still waiting
}

TEST_CASE("PIC: cascade — slave IRQs come through master IRQ2 with the slave's vectors") {
  PicFixture f;
  f.pic.set_irq(12, true);
  CHECK(f.pic.intr_pending());
  CHECK(f.read_irr(0x20) == 0x04);
  CHECK(f.pic.acknowledge() == 0x74);
  CHECK(f.read_isr(0xA0) == 0x10);
  CHECK(f.read_isr(0x20) == 0x04);
  // Slave IRQ8 has higher priority within the slave but must wait (fully nested mode).
  f.pulse(8);
  CHECK_FALSE(f.pic.intr_pending());
  f.pulse(1);  // higher than the master's IRQ2
  CHECK(f.pic.acknowledge() == 0x09);
  f.eoi();
  f.eoi(0xA0);
  f.eoi();
  CHECK(f.pic.intr_pending());
  CHECK(f.pic.acknowledge() == 0x70);
  // Masking IRQ2 on the master holds back all slave requests.
  f.eoi(0xA0);
  f.eoi();
  f.io.out(0x21, 0x04, 1);
  f.pulse(9);
  CHECK_FALSE(f.pic.intr_pending());
  f.io.out(0x21, 0x00, 1);
  CHECK(f.pic.acknowledge() == 0x71);
}

TEST_CASE("PIC: a device's IRQ2 arrives as IRQ9, as on the AT bus") {
  PicFixture f;
  f.pulse(2);
  CHECK(f.pic.acknowledge() == 0x71);
}

TEST_CASE("PIC: special fully nested mode lets a higher slave request through IRQ2 in service") {
  PicFixture f(/*icw4=*/0x11);
  f.pulse(12);
  CHECK(f.pic.acknowledge() == 0x74);
  f.pulse(13);  // lower than IRQ12 on the slave: still blocked by the slave's own ISR
  CHECK_FALSE(f.pic.intr_pending());
  f.pulse(9);   // higher: passes the master although IRQ2 is in service
  CHECK(f.pic.acknowledge() == 0x71);
  CHECK(f.read_isr(0xA0) == 0x12);
}

TEST_CASE("PIC: ELCR level triggering — the request follows the line and repeats after EOI") {
  PicFixture f;
  f.io.out(0x4D1, 0x08, 1);  // IRQ11 level
  CHECK(f.io.in(0x4D1, 1) == 0x08);
  f.pic.set_irq(11, true);
  CHECK(f.pic.acknowledge() == 0x73);
  f.eoi(0xA0);
  f.eoi();
  CHECK(f.pic.acknowledge() == 0x73);  // still high: requested again
  f.pic.set_irq(11, false);
  f.eoi(0xA0);
  f.eoi();
  CHECK_FALSE(f.pic.intr_pending());

  f.io.out(0x4D0, 0x08, 1);  // IRQ3 level: a pulse leaves nothing behind, a high line stays
  f.pulse(3);
  CHECK_FALSE(f.pic.intr_pending());
  f.pic.set_irq(3, true);
  CHECK(f.pic.intr_pending());
  f.pic.set_irq(3, false);
  CHECK_FALSE(f.pic.intr_pending());
}

TEST_CASE("PIC: ELCR bits for IRQ0-2, 8 and 13 are not writable; word access covers both") {
  PicFixture f;
  f.io.out(0x4D0, 0xFFFF, 2);
  CHECK(f.io.in(0x4D0, 2) == 0xDEF8);
  f.pic.reset();
  CHECK(f.io.in(0x4D0, 2) == 0x0000);
}

TEST_CASE("PIC: ICW1.LTIM makes every input of that chip level triggered") {
  PicFixture f;
  f.io.out(0x20, 0x19, 1);
  f.io.out(0x21, 0x08, 1);
  f.io.out(0x21, 0x04, 1);
  f.io.out(0x21, 0x01, 1);
  f.pulse(5);
  CHECK_FALSE(f.pic.intr_pending());
  f.pic.set_irq(5, true);
  CHECK(f.pic.acknowledge() == 0x0D);
}

TEST_CASE("PIC: spurious IRQ7 and IRQ15 — a request gone before INTA") {
  PicFixture f;
  f.io.out(0x4D0, 0x20, 1);  // IRQ5 level
  f.pic.set_irq(5, true);
  CHECK(f.pic.intr_pending());
  f.pic.set_irq(5, false);
  CHECK(f.pic.acknowledge() == 0x0F);  // INTA anyway: IRQ7's vector, nothing in service
  CHECK(f.read_isr(0x20) == 0x00);

  f.io.out(0x4D1, 0x02, 1);  // IRQ9 level: the master latched the slave's edge on IRQ2
  f.pic.set_irq(9, true);
  f.pic.set_irq(9, false);
  CHECK(f.pic.intr_pending());
  CHECK(f.pic.acknowledge() == 0x77);  // IRQ15's vector from the slave
  CHECK(f.read_isr(0xA0) == 0x00);
  CHECK(f.read_isr(0x20) == 0x04);     // the master's IRQ2 does go in service
}

TEST_CASE("PIC: auto-EOI leaves nothing in service; rotate in auto-EOI rotates on each INTA") {
  PicFixture f(/*icw4=*/0x03);
  f.pulse(3);
  CHECK(f.pic.acknowledge() == 0x0B);
  CHECK(f.read_isr(0x20) == 0x00);
  f.pulse(6);
  CHECK(f.pic.acknowledge() == 0x0E);  // no EOI was needed
  f.io.out(0x20, 0x80, 1);             // set rotate in auto-EOI
  f.pulse(1);
  CHECK(f.pic.acknowledge() == 0x09);  // IRQ1 becomes lowest
  f.pulse(1);
  f.pulse(5);
  CHECK(f.pic.acknowledge() == 0x0D);
  CHECK(f.pic.acknowledge() == 0x09);
}

TEST_CASE("PIC: special mask mode enables lower priorities while a masked level is in service") {
  PicFixture f;
  f.pulse(3);
  CHECK(f.pic.acknowledge() == 0x0B);
  f.pulse(6);
  CHECK_FALSE(f.pic.intr_pending());
  f.io.out(0x21, 0x08, 1);  // mask IRQ3 (in service)
  f.io.out(0x20, 0x68, 1);  // set special mask mode
  CHECK(f.pic.intr_pending());
  CHECK(f.pic.acknowledge() == 0x0E);
  f.eoi();                  // non-specific EOI skips the masked IRQ3: clears IRQ6
  CHECK(f.read_isr(0x20) == 0x08);
  f.io.out(0x20, 0x48, 1);  // reset special mask mode
  f.pulse(5);
  CHECK_FALSE(f.pic.intr_pending());  // IRQ3 in service blocks again
}

TEST_CASE("PIC: poll command returns and acknowledges the highest request") {
  PicFixture f;
  f.pulse(4);
  f.pulse(6);
  f.io.out(0x20, 0x0C, 1);
  CHECK(f.io.in(0x20, 1) == 0x84);
  CHECK(f.read_isr(0x20) == 0x10);
  CHECK(f.read_irr(0x20) == 0x40);
  f.io.out(0x20, 0x0C, 1);
  CHECK(f.io.in(0x20, 1) == 0x00);  // IRQ6 is below IRQ4 in service: nothing to report
  f.eoi();
  f.io.out(0x20, 0x0C, 1);
  CHECK(f.io.in(0x20, 1) == 0x86);
  CHECK(f.io.in(0x20, 1) == 0x00);  // plain IRR read again: IRQ6's latch went with the poll
}

TEST_CASE("PIC: the read register selection persists until changed") {
  PicFixture f;
  f.pulse(0);
  f.io.out(0x20, 0x0B, 1);
  CHECK(f.io.in(0x20, 1) == 0x00);
  f.pic.acknowledge();
  CHECK(f.io.in(0x20, 1) == 0x01);
  CHECK(f.io.in(0x20, 1) == 0x01);
  f.io.out(0x20, 0x08, 1);  // OCW3 without RR: selection unchanged
  CHECK(f.io.in(0x20, 1) == 0x01);
}

TEST_CASE("PIC: re-initialisation clears in-service and mask bits and needs a new edge") {
  PicFixture f;
  f.pic.set_irq(1, true);
  f.pic.acknowledge();
  f.io.out(0x21, 0xF0, 1);
  f.init_chip(0x20, 0x08, 0x04, 0x01);
  CHECK(f.io.in(0x21, 1) == 0x00);
  CHECK(f.read_isr(0x20) == 0x00);
  CHECK_FALSE(f.pic.intr_pending());  // IRQ1 is still high but has not risen again
  f.pic.set_irq(1, false);
  f.pic.set_irq(1, true);
  CHECK(f.pic.acknowledge() == 0x09);
}

TEST_CASE("PIC: a 16-bit read of 0x20 returns IRR (or ISR) and the mask of 0x21") {
  PicFixture f;
  f.io.out(0x21, 0xF0, 1);
  f.pulse(5);
  f.io.out(0x20, 0x0A, 1);
  CHECK(f.io.in(0x20, 2) == 0xF020);
  CHECK(f.io.in(0x21, 2) == 0xFFF0);  // 0x22 is not the PIC's
}

TEST_CASE("PIC: a master programmed without a slave on IRQ2 (ICW3 = 0) gives its own vector") {
  PicFixture f;
  f.init_chip(0x20, 0x08, 0x00, 0x01);
  f.pic.set_irq(12, true);   // the slave's INT still drives the master's IR2 pin
  CHECK(f.pic.acknowledge() == 0x0A);
  CHECK(f.read_isr(0xA0) == 0x00);
}

TEST_CASE("PIC power-on: INTR stays low until ICW1-ICW4 have initialised the chip") {
  IoBus io;
  Pic8259 pic;
  pic.attach(io);
  pic.reset();
  pic.set_irq(0, true);                  // the PIT's IRQ0 (and anything else) before any ICW
  pic.set_irq(1, false);
  pic.set_irq(1, true);
  pic.set_irq(12, true);
  CHECK_FALSE(pic.intr_pending());       // nothing is delivered, not as vector 0 (0 + IRQ0)
  io.out(0x21, 0x00, 1);                 // a mask write changes nothing
  CHECK_FALSE(pic.intr_pending());
  io.out(0x20, 0x11, 1);                 // ICW1 starts the sequence: still nothing ...
  pic.set_irq(0, false);
  pic.set_irq(0, true);                  // ... not even for an edge during it
  io.out(0x21, 0x20, 1);
  CHECK_FALSE(pic.intr_pending());
  io.out(0x21, 0x04, 1);
  CHECK_FALSE(pic.intr_pending());
  io.out(0x21, 0x01, 1);                 // ICW4: initialised; the edge during ICW2-4 counts
  REQUIRE(pic.intr_pending());
  CHECK(pic.acknowledge() == 0x20);
  io.out(0x20, 0x20, 1);                 // EOI
  // The slave, still uninitialised, requests nothing through IRQ2.
  CHECK_FALSE(pic.intr_pending());
  io.out(0xA0, 0x11, 1);
  io.out(0xA1, 0x28, 1);
  io.out(0xA1, 0x02, 1);
  io.out(0xA1, 0x01, 1);
  CHECK_FALSE(pic.intr_pending());       // IRQ12 rose before ICW1: the edge was forgotten
  pic.set_irq(12, false);
  pic.set_irq(12, true);
  REQUIRE(pic.intr_pending());
  CHECK(pic.acknowledge() == 0x2C);
}
