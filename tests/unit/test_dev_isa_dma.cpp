// The 8237 DMA pair and the page registers (isa_dma.h): the flip-flop, masks, status, modes,
// DMA2's even-port layout and the page latches, including POST port 0x80.
#include <doctest/doctest.h>
#include "devices/io_bus.h"
#include "devices/isa_dma.h"

using namespace bt86;

namespace {
struct DmaBus {
  IoBus io;
  IsaDma dma;
  DmaBus() { dma.attach(io); dma.reset(); }
  void out(uint16_t port, uint8_t v) { io.out(port, v, 1); }
  uint8_t in(uint16_t port) { return uint8_t(io.in(port, 1)); }
};
}  // namespace

TEST_CASE("isa_dma: address and count go through the byte-pointer flip-flop") {
  DmaBus b;
  b.out(0x0C, 0);                      // clear flip-flop
  b.out(0x04, 0x34); b.out(0x04, 0x12);  // channel 2 address 0x1234
  b.out(0x05, 0xFF); b.out(0x05, 0x01);  // channel 2 count 0x01FF
  CHECK(b.dma.dma1().channel(2).base_address == 0x1234);
  CHECK(b.dma.dma1().channel(2).current_address == 0x1234);
  CHECK(b.dma.dma1().channel(2).base_count == 0x01FF);
  b.out(0x0C, 0);
  CHECK(b.in(0x04) == 0x34);
  CHECK(b.in(0x04) == 0x12);
  CHECK(b.in(0x05) == 0xFF);   // the flip-flop is shared by all registers of a chip
  b.out(0x0C, 0);
  CHECK(b.in(0x05) == 0xFF);
  CHECK(b.in(0x05) == 0x01);
}

TEST_CASE("isa_dma: masks, mode, request and master clear") {
  DmaBus b;
  CHECK(b.in(0x0F) == 0xFF);   // all four channels masked after reset
  b.out(0x0E, 0);              // clear all masks
  CHECK((b.in(0x0F) & 0x0F) == 0);
  b.out(0x0A, 0x04 | 1);       // mask channel 1
  CHECK((b.in(0x0F) & 0x0F) == 0x02);
  b.out(0x0F, 0x05);           // write all masks
  CHECK((b.in(0x0F) & 0x0F) == 0x05);
  b.out(0x0B, 0x56);           // channel 2: single mode, increment, write transfer
  CHECK(b.dma.dma1().channel(2).mode == 0x56);
  b.out(0x09, 0x04 | 3);       // software request on channel 3 shows in status bits 4-7
  CHECK(b.in(0x08) == 0x80);
  b.out(0x0D, 0);              // master clear: masks set again, requests gone
  CHECK(b.in(0x08) == 0x00);
  CHECK((b.in(0x0F) & 0x0F) == 0x0F);
}

TEST_CASE("isa_dma: DMA2 registers sit on even ports from 0xC0") {
  DmaBus b;
  b.out(0xD8, 0);                       // clear flip-flop (register 12 at 0xC0 + 2*12)
  b.out(0xC4, 0x00); b.out(0xC4, 0x80); // channel 5 address
  CHECK(b.dma.dma2().channel(1).base_address == 0x8000);
  b.out(0xD4, 0x04 | 0);                // mask channel 4 (DMA2 register 10)
  CHECK((b.dma.dma2().mask() & 1) == 1);
  CHECK(b.dma.dma1().mask() == 0x0F);   // DMA1 untouched
  CHECK(b.in(0xC5) == 0xFF);            // odd ports are not decoded
}

TEST_CASE("isa_dma: page registers are read/write latches, port 0x80 included") {
  DmaBus b;
  b.out(0x87, 0x12);
  b.out(0x80, 0xA5);                    // POST code / I/O delay port
  CHECK(b.in(0x87) == 0x12);
  CHECK(b.in(0x80) == 0xA5);
  CHECK(b.dma.page_register(0x7) == 0x12);
  b.dma.reset();
  CHECK(b.in(0x80) == 0x00);
}
