// Guest physical memory: RAM, ROM images (firmware; writes ignored), device RAM (a framebuffer),
// MMIO ranges dispatched to devices, and the A20 gate (when off, physical address bit 20 is
// forced to 0, as on a PC).
//
// Backing: every byte of guest memory that has host memory (RAM, ROM images, device RAM) lives
// in one memfd per PhysMem, so a shadow MMU can map any of it into host views with
// mmap(memfd(), offset): RAM at offset 0, then each ROM image (load_rom) and device-RAM block
// (alloc_device_ram) appended, 4 KiB aligned. PhysMem maps each piece once into its own address
// space (ROM read-only) and never unmaps it before it is destroyed, so host pointers it hands out
// (page().host, alloc_device_ram) stay valid for the life of the PhysMem, also after
// remove_region. backing(paddr) says what a guest page is and where its bytes are in the memfd.
// See docs/memory.md.
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
// Device RAM (a framebuffer, add_device_ram): memory a device asked PhysMem for
// (alloc_device_ram), mapped like RAM (direct host pointers for reads and, once a page is marked
// dirty in the device's DirtyLog, for writes too); slow-path writes mark the log. See
// dirty_log.h.
//
// ROM images are stored once (load_rom) and may be mapped at several addresses (map_rom): the
// BIOS at the top of 4 GiB and its last 128 KiB below 1 MiB are two views of the same bytes.
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
  // The memfd holding all guest memory: RAM at offset 0, ROM images and device RAM after it.
  int memfd() const { return memfd_; }

  // ---- ROM images
  // A ROM image stored in the memfd by load_rom; map_rom shows it (or a window of it) in the
  // guest's address space, any number of times.
  struct RomImage {
    size_t block = SIZE_MAX;  // PhysMem's internal index; SIZE_MAX: none
    size_t size = 0;          // bytes
    bool valid() const { return block != SIZE_MAX; }
  };
  // Copies `data` (not empty) into the memfd. Throws std::runtime_error if the memfd cannot grow.
  RomImage load_rom(std::span<const uint8_t> data, std::string name);
  // Maps bytes [offset, offset+size) of `image` read-only at [paddr, paddr+size) (size 0: to the
  // image's end). Overrides RAM in that range. For its pages to be mappable by fd+offset (see
  // backing()), paddr - offset should be a multiple of 4 KiB.
  void map_rom(uint32_t paddr, const RomImage& image, std::string name, size_t offset = 0, size_t size = 0);
  // load_rom + map_rom of all of it.
  void add_rom(uint32_t paddr, std::span<const uint8_t> data, std::string name);

  // ---- device RAM
  // Memory for a device that the guest sees as RAM (a framebuffer): `bytes` (a non-zero multiple
  // of 4 KiB) of zeros in the memfd, mapped read/write at a 4 KiB aligned host address that
  // stays valid for the life of this PhysMem. Not mapped into the guest until add_device_ram.
  std::span<uint8_t> alloc_device_ram(size_t bytes, std::string name);
  // Map device RAM at [paddr, paddr+host.size()) (4 KiB aligned, whole pages). `host` must be
  // (a 4 KiB aligned part of) memory from alloc_device_ram. Overrides RAM/ROM there. Writes are
  // logged in `log` (sized for `host`; its on_rearm is set here).
  void add_device_ram(uint32_t paddr, std::span<uint8_t> host, DirtyLog* log, std::string name);

  // Route [paddr, paddr+size) to a device. Overrides RAM/ROM in that range.
  void add_mmio(uint32_t paddr, uint32_t size, MmioHandler* handler, std::string name);
  // Remove the newest ROM, MMIO or device-RAM region that is exactly [paddr, paddr+size) (PCI
  // BARs moving). Returns false if there is none. The memory behind a ROM or device-RAM region
  // stays allocated (and its host pointers valid) until the PhysMem is destroyed.
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

  // What a guest read of the 4 KiB page holding paddr (before A20 masking, like page()) sees, and
  // where its bytes live: for a shadow MMU that maps guest pages with mmap(fd, offset). Follows
  // A20, the shadow modes and the regions exactly as page() does, and agrees with it on host and
  // direct_write. The answer holds until the next map change (map listeners).
  struct Backing {
    enum class Kind : uint8_t {
      None,       // nothing: reads all ones, writes dropped
      Ram,        // (direct_write false in a ReadOnly shadow chunk: writes go to the regions)
      Rom,        // a read-only mapping; writes dropped (or, under a WriteOnly shadow chunk, sent to the RAM below)
      DeviceRam,  // writes go to a DirtyLog'ed device buffer
      Mmio,       // a device handles every access
      Split,      // the page is divided between regions or a region and RAM: use read()/write()
    };
    Kind kind = Kind::None;
    uint8_t* host = nullptr;    // = page(paddr).host: the page's bytes in this process, or nullptr
    int fd = -1;                // memfd() when the page can be mapped from it, else -1
    uint64_t offset = 0;        // the page's first byte in fd (a multiple of 4 KiB)
    bool direct_write = false;  // = page(paddr).writable: host stores may go straight to it
  };
  Backing backing(uint32_t paddr);

  // Slow path accesses of 1, 2 or 4 bytes (may cross no 4 KiB boundary). Unmapped reads return
  // all ones; writes to ROM or unmapped space are dropped.
  uint32_t read(uint32_t paddr, unsigned size);
  void write(uint32_t paddr, uint32_t value, unsigned size);

  // Bulk copies (loaders, DMA). With `force`, copy_to changes what reads see even where writes
  // are dropped: ROM, and RAM in a read-only shadow chunk.
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
  // A piece of the memfd after RAM: a ROM image or a device-RAM allocation, mapped once at
  // `host` (ROM read-only) until the destructor.
  struct Block {
    uint64_t offset;  // in the memfd, 4 KiB aligned
    size_t bytes;     // mapped length, whole pages
    uint8_t* host;
    bool rom;
    std::string name;
  };
  struct Region {
    uint32_t start, end;  // [start, end)
    enum Kind { Rom, Mmio, DeviceRam } kind;
    std::string name;
    MmioHandler* mmio = nullptr;
    uint8_t* host = nullptr;       // Rom, DeviceRam: the host address of byte `start`
    uint64_t file_offset = 0;      // ... and its offset in the memfd
    DirtyLog* log = nullptr;       // DeviceRam: its write log
  };
  const Region* find_region(uint32_t paddr) const;
  // Where the shadow mode sends an access: RAM only, the regions only, or regions over RAM.
  enum class Route { Ram, Regions, RegionsOverRam };
  Route route(uint32_t paddr, bool write) const;
  // page() and backing(); `region` (optional) gets the ROM or device-RAM region of such a page.
  Backing resolve(uint32_t paddr, const Region** region = nullptr);
  Block& new_block(size_t bytes, bool rom, std::string name);
  void write_rom(const Region& r, uint32_t paddr, const uint8_t* src, size_t len);
  void map_changed() { map_listeners_.notify(); }
  void content_changed(uint32_t paddr, uint32_t size) { content_listeners_.notify(paddr, size); }

  uint64_t ram_size_ = 0;
  uint8_t* ram_ = nullptr;
  int memfd_ = -1;
  uint64_t memfd_size_ = 0;
  std::vector<Block> blocks_;
  bool a20_ = true;
  std::vector<Region> regions_;
  std::array<Shadow, (kShadowEnd - kShadowBase) / kShadowChunk> shadow_{};
  ListenerId next_listener_ = 1;
  ListenerList<> map_listeners_;
  ListenerList<uint32_t, uint32_t> content_listeners_;
};

}  // namespace bt86
