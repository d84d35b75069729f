// Guest physical memory: RAM in one memfd (so the translator's shadow MMU can later map it into
// host views), ROM regions (firmware images; writes ignored), MMIO ranges dispatched to devices,
// and the A20 gate (when off, physical address bit 20 is forced to 0, as on a PC).
//
// Fast path: page(paddr) gives the host pointer of a 4 KiB physical page and whether the CPU may
// write it directly; the CPU's TLB caches that. Everything else goes through read()/write().
//
// Listeners (any number, called in registration order): map listeners are called whenever a
// mapping that a TLB may have cached changes (A20 toggles, ROM/MMIO/device-RAM remaps, shadow
// switches, a device-RAM log re-armed) so the CPU can flush. Content listeners are called when
// bytes the CPU may have decoded as code change other than by a CPU store (which the CPU tracks
// itself): RAM written through write()/copy_to() (devices, DMA, loaders), ROM written by a
// forced copy_to(), and legacy-area shadow switches that change what reads see.
//
// Device RAM (a framebuffer, add_device_ram): memory a device owns, mapped like RAM (direct host
// pointers for reads and, once a page is marked dirty in the device's DirtyLog, for writes too);
// slow-path writes mark the log. See dirty_log.h.
//
// Legacy BIOS area (0xC0000-0xFFFFF, 16 KiB chunks): a chipset (the i440FX PAM registers) decides
// per chunk whether reads and writes go to the RAM underneath or on to ROM/MMIO ("PCI"). Until a
// chipset sets a mode, a chunk is Unmanaged: ROM/MMIO regions override RAM as everywhere else.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "mmu/dirty_log.h"
#include "mmu/listener_list.h"

namespace bt86 {

class MmioHandler {
 public:
  virtual ~MmioHandler() = default;
  virtual uint32_t mmio_read(uint32_t paddr, unsigned size) = 0;            // size 1, 2 or 4
  virtual void mmio_write(uint32_t paddr, uint32_t value, unsigned size) = 0;
};

class PhysMem {
 public:
  // ram_bytes: guest RAM size (a multiple of 4 KiB, at most 3.5 GiB). Throws std::runtime_error
  // with a clear message if the memfd cannot be created or mapped.
  explicit PhysMem(uint64_t ram_bytes);
  ~PhysMem();
  PhysMem(const PhysMem&) = delete;
  PhysMem& operator=(const PhysMem&) = delete;

  uint64_t ram_size() const { return ram_size_; }
  uint8_t* ram() { return ram_; }
  int memfd() const { return memfd_; }

  // Map a read-only image at [paddr, paddr+data.size()). Overrides RAM in that range.
  void add_rom(uint32_t paddr, std::span<const uint8_t> data, std::string name);
  // Route [paddr, paddr+size) to a device. Overrides RAM/ROM in that range.
  void add_mmio(uint32_t paddr, uint32_t size, MmioHandler* handler, std::string name);
  // Map a device's memory at [paddr, paddr+host.size()) (4 KiB aligned, whole pages). Overrides
  // RAM/ROM there. Writes are logged in `log` (sized for `host`; its on_rearm is set here).
  void add_device_ram(uint32_t paddr, std::span<uint8_t> host, DirtyLog* log, std::string name);
  // Remove the newest ROM, MMIO or device-RAM region that is exactly [paddr, paddr+size) (PCI BARs moving).
  // Returns false if there is none.
  bool remove_region(uint32_t paddr, uint32_t size);

  enum class Shadow : uint8_t {
    Unmanaged,  // no chipset control (power-on state of a PhysMem): regions override RAM
    Pci,        // reads and writes go to ROM/MMIO regions (none: unmapped); the RAM is hidden
    ReadOnly,   // reads RAM; writes go to the regions (ROM: dropped)
    WriteOnly,  // reads the regions; writes RAM
    ReadWrite,  // RAM
  };
  static constexpr uint32_t kShadowBase = 0xC0000, kShadowEnd = 0x100000, kShadowChunk = 0x4000;
  // Sets the mode of the chunks in [paddr, paddr+size) (16 KiB aligned, inside the area).
  void set_shadow(uint32_t paddr, uint32_t size, Shadow mode);
  Shadow shadow(uint32_t paddr) const;

  void set_a20(bool enabled);
  bool a20() const { return a20_; }
  uint32_t a20_mask() const { return a20_ ? 0xFFFFFFFFu : 0xFFEFFFFFu; }

  struct PageRef {
    uint8_t* host;   // first byte of the 4 KiB page, or nullptr (MMIO / unmapped: use read/write)
    bool writable;   // direct host writes allowed (RAM, dirty device RAM); false for ROM
  };
  // paddr is a guest physical address *before* A20 masking.
  PageRef page(uint32_t paddr);

  // Slow path accesses of 1, 2 or 4 bytes (may cross no 4 KiB boundary). Unmapped reads return
  // all ones; writes to ROM or unmapped space are dropped.
  uint32_t read(uint32_t paddr, unsigned size);
  void write(uint32_t paddr, uint32_t value, unsigned size);

  // Bulk copies (loaders, DMA); ROM is writable through these only if `force` is set.
  void copy_to(uint32_t paddr, const void* src, size_t len, bool force = false);
  void copy_from(uint32_t paddr, void* dst, size_t len);

  // ---- listeners (see the top of this file)
  // `owner` (optional) groups listeners for remove_listeners(owner): pass the object the callback
  // refers to, so that object can drop them all when it goes away. Returned ids are never 0.
  ListenerId add_map_listener(std::function<void()> fn, const void* owner = nullptr);
  ListenerId add_content_listener(std::function<void(uint32_t paddr, uint32_t size)> fn,
                                  const void* owner = nullptr);
  // Removes one listener of either kind; false if there is none with that id (any more).
  bool remove_listener(ListenerId id);
  // Removes every listener of either kind added with `owner`; returns how many.
  size_t remove_listeners(const void* owner);

 private:
  struct Region {
    uint32_t start, end;  // [start, end)
    enum Kind { Rom, Mmio, DeviceRam } kind;
    std::vector<uint8_t> rom;
    MmioHandler* mmio = nullptr;
    std::string name;
    uint8_t* device_ram = nullptr;  // DeviceRam: the device's buffer and its write log
    DirtyLog* log = nullptr;
  };
  const Region* find_region(uint32_t paddr) const;
  // Where the shadow mode sends an access: RAM only, the regions only, or regions over RAM.
  enum class Route { Ram, Regions, RegionsOverRam };
  Route route(uint32_t paddr, bool write) const;
  void map_changed() { map_listeners_.notify(); }
  void content_changed(uint32_t paddr, uint32_t size) { content_listeners_.notify(paddr, size); }

  uint64_t ram_size_ = 0;
  uint8_t* ram_ = nullptr;
  int memfd_ = -1;
  bool a20_ = true;
  std::vector<Region> regions_;
  std::array<Shadow, (kShadowEnd - kShadowBase) / kShadowChunk> shadow_{};
  ListenerId next_listener_ = 1;
  ListenerList<> map_listeners_;
  ListenerList<uint32_t, uint32_t> content_listeners_;
};

}  // namespace bt86
