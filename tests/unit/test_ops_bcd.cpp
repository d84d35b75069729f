// DAA DAS AAA AAS AAM AAD: the SDM's examples, the P6 AX-wide AAA/AAS adjustment, AAM #DE and
// AAD with a non-decimal base.
#include "test_ops_util.h"

using namespace bt86;

TEST_CASE("DAA after ADD (SDM example)") {
  CpuFixture f;
  run_asm(f, "mov al, 0x79\nmov bl, 0x35\nadd al, bl\ndaa");
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0x14);
  CHECK(status_flags(f) == (fl::CF | fl::AF | fl::PF));

  run_asm(f, "mov al, 0x38\nadd al, 0x45\ndaa");  // 38 + 45 = 83, no carry
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0x83);
  CHECK(!f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::AF));
  CHECK(f.cpu.flag(fl::SF));
}

TEST_CASE("DAS after SUB (SDM example)") {
  CpuFixture f;
  run_asm(f, "mov al, 0x35\nmov bl, 0x47\nsub al, bl\ndas");
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0x88);
  CHECK(status_flags(f) == (fl::SF | fl::AF | fl::PF | fl::CF));

  run_asm(f, "mov al, 0x50\nsub al, 0x50\ndas");
  CHECK((f.cpu.s.r[EAX] & 0xFF) == 0);
  CHECK(f.cpu.flag(fl::ZF));
  CHECK(!f.cpu.flag(fl::CF));
}

TEST_CASE("AAA/AAS adjust AX") {
  CpuFixture f;
  run_asm(f, "mov ax, 0x0009\nadd al, 5\naaa");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0104);
  CHECK(f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::AF));

  run_asm(f, "mov ax, 0x00ff\nclc\naaa");  // AL > 9: AX + 106h carries into AH
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0205);

  run_asm(f, "mov ax, 0x0003\nadd al, 4\naaa");  // no adjustment: high nibble cleared
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0007);
  CHECK(!f.cpu.flag(fl::CF));

  run_asm(f, "mov ax, 0x0102\nsub al, 5\naas");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0007);
  CHECK(f.cpu.flag(fl::CF));
  CHECK(f.cpu.flag(fl::AF));

  run_asm(f, "mov ax, 0x0000\nmov bl, 0x0f\nadd bl, 1\naas");  // AF=1 from the ADD; borrow reaches AH
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0xFE0A);
}

TEST_CASE("AAM and AAD with decimal and other bases") {
  CpuFixture f;
  run_asm(f, "mov eax, 0x1200 + 63\naam");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0603);
  CHECK(!f.cpu.flag(fl::ZF));

  run_asm(f, "mov al, 0x3f\ndb 0xd4, 16");  // AAM 16
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x030F);

  run_asm(f, "mov al, 20\naam");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x0200);
  CHECK(f.cpu.flag(fl::ZF));

  run_asm(f, "mov ax, 0x0603\naad");
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 63);

  run_asm(f, "mov ax, 0x0305\ndb 0xd5, 16");  // AAD 16
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x35);
  CHECK(!f.cpu.flag(fl::SF));
}

TEST_CASE("AAM 0 raises #DE") {
  CpuFixture f;
  run_asm(f, "mov ax, 0x1234\ndb 0xd4, 0");
  CHECK(f.faulted(vec::DE));
  CHECK((f.cpu.s.r[EAX] & 0xFFFF) == 0x1234);
  CHECK(f.cpu.s.eip == CpuFixture::kCodeAddr + 4);
}
