// Descriptor table access and checked segment-register loads (see descriptors.h).
#include "cpu/descriptors.h"

namespace bt86 {

bool locate_descriptor(const Cpu& cpu, uint16_t sel, uint32_t* addr) {
  uint32_t base, limit;
  if (sel_in_ldt(sel)) {
    const Segment& ldt = cpu.s.ldtr;
    if (!ldt.present() || sel_is_null(ldt.sel)) return false;
    base = ldt.base;
    limit = ldt.limit;
  } else {
    base = cpu.s.gdtr.base;
    limit = cpu.s.gdtr.limit;
  }
  uint32_t offset = sel & 0xFFF8u;
  if (offset + 7 > limit) return false;
  *addr = base + offset;
  return true;
}

static Descriptor read_descriptor(Cpu& cpu, uint32_t addr) {
  Descriptor d;
  d.lo = cpu.read_sys<uint32_t>(addr);
  d.hi = cpu.read_sys<uint32_t>(addr + 4);
  return d;
}

DescriptorRef fetch_descriptor(Cpu& cpu, uint16_t sel, uint8_t vector) {
  DescriptorRef r;
  if (!locate_descriptor(cpu, sel, &r.addr)) guest_fault(vector, sel_error(sel));
  r.d = read_descriptor(cpu, r.addr);
  return r;
}

bool try_fetch_descriptor(Cpu& cpu, uint16_t sel, DescriptorRef* out) {
  if (!locate_descriptor(cpu, sel, &out->addr)) return false;
  out->d = read_descriptor(cpu, out->addr);
  return true;
}

void set_tss_busy(Cpu& cpu, uint32_t addr, bool busy) {
  uint8_t access = cpu.read_sys<uint8_t>(addr + 5);
  access = busy ? (access | sys_type::kBusyBit) : (access & ~sys_type::kBusyBit);
  cpu.write_sys<uint8_t>(addr + 5, access);
}

SegLoad check_data_load(Cpu& cpu, uint16_t sel, uint8_t cpl, uint8_t bad_vector) {
  if (sel_is_null(sel)) return SegLoad{null_segment(sel)};
  DescriptorRef r = fetch_descriptor(cpu, sel, bad_vector);
  Segment sg = r.d.to_segment(sel);
  if (!sg.s() || !sg.readable()) guest_fault(bad_vector, sel_error(sel));
  if (!sg.conforming() && (sg.dpl() < cpl || sg.dpl() < sel_rpl(sel)))
    guest_fault(bad_vector, sel_error(sel));
  if (!sg.present()) guest_fault(vec::NP, sel_error(sel));
  return SegLoad{sg, r.addr, true};
}

SegLoad check_stack_load(Cpu& cpu, uint16_t sel, uint8_t cpl, uint8_t bad_vector) {
  if (sel_is_null(sel)) guest_fault(bad_vector, 0);
  DescriptorRef r = fetch_descriptor(cpu, sel, bad_vector);
  Segment sg = r.d.to_segment(sel);
  if (sel_rpl(sel) != cpl || !sg.writable() || sg.dpl() != cpl)
    guest_fault(bad_vector, sel_error(sel));
  if (!sg.present()) guest_fault(vec::SS, sel_error(sel));
  return SegLoad{sg, r.addr, true};
}

SegLoad code_load(const DescriptorRef& ref, uint16_t sel, uint8_t cpl) {
  return SegLoad{ref.d.to_segment(uint16_t((sel & 0xFFFC) | cpl)), ref.addr, true};
}

SegLoad real_style_load(uint16_t sel) {
  SegLoad l;
  l.seg.sel = sel;
  l.real_style = true;
  return l;
}

SegLoad check_segment_load(Cpu& cpu, unsigned idx, uint16_t sel) {
  if (!cpu.s.protected_mode() || cpu.s.v86()) return real_style_load(sel);
  return idx == SS ? check_stack_load(cpu, sel, cpu.s.cpl) : check_data_load(cpu, sel, cpu.s.cpl);
}

void commit_segment_load(Cpu& cpu, unsigned idx, const SegLoad& load) {
  if (load.real_style) {
    cpu.load_seg_real(idx, load.seg.sel);
    return;
  }
  Segment sg = load.seg;
  constexpr uint32_t kAccessed = 1u << 8;
  if (load.from_table && !(sg.attr & kAccessed)) {
    sg.attr |= kAccessed;
    cpu.write_sys<uint8_t>(load.desc_addr + 5, uint8_t(sg.attr >> 8));
  }
  cpu.set_seg(idx, sg);
}

void load_segment(Cpu& cpu, unsigned idx, uint16_t sel) {
  commit_segment_load(cpu, idx, check_segment_load(cpu, idx, sel));
}

void drop_inaccessible_data_segments(Cpu& cpu) {
  for (unsigned idx : {ES, DS, FS, GS}) {
    const Segment& sg = cpu.s.seg[idx];
    bool privileged = sg.dpl() < cpu.s.cpl && (!sg.is_code() || !sg.conforming());
    if (sg.present() && privileged) cpu.set_seg(idx, null_segment(0));
  }
}

}  // namespace bt86
