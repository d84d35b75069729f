// An ordered list of callbacks (PhysMem's map-change and content-change listeners): every
// notify() calls each listener in registration order. Listeners are removed by id or by owner
// (an opaque pointer given when adding, usually the object the callback refers to).
//
// Reentrancy: a listener may add or remove listeners (itself included) while being notified.
// Listeners added during a notification are first called by the next one; a removed listener is
// not called again, and its callable is destroyed only after the outermost notify() returns (so
// a listener removing itself is not destroyed while it runs).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace bt86 {

using ListenerId = uint64_t;  // 0 is never a valid id

template <class... Args>
class ListenerList {
 public:
  using Fn = std::function<void(Args...)>;

  void add(ListenerId id, const void* owner, Fn fn) {
    entries_.push_back(Entry{id, owner, std::make_unique<Fn>(std::move(fn))});
    ++live_;
  }
  bool remove(ListenerId id) {
    return remove_if([id](const Entry& e) { return e.id == id; }) != 0;
  }
  size_t remove_owner(const void* owner) {
    return remove_if([owner](const Entry& e) { return e.owner == owner; });
  }
  bool empty() const { return live_ == 0; }
  size_t size() const { return live_; }

  void notify(Args... args) {
    if (entries_.empty()) return;
    struct Depth {  // compaction happens after the outermost notification, even if one throws
      ListenerList& l;
      explicit Depth(ListenerList& list) : l(list) { ++l.depth_; }
      ~Depth() { if (--l.depth_ == 0 && l.dead_) l.compact(); }
    } depth(*this);
    const size_t n = entries_.size();  // added during this notification: not called by it
    for (size_t i = 0; i < n; ++i)
      if (entries_[i].id != 0) (*entries_[i].fn)(args...);
  }

 private:
  struct Entry {
    ListenerId id;  // 0: removed, waiting for compaction
    const void* owner;
    std::unique_ptr<Fn> fn;  // on the heap: a listener adding one must not move the running one
  };
  template <class Pred> size_t remove_if(Pred pred) {
    size_t n = 0;
    for (Entry& e : entries_) {
      if (e.id == 0 || !pred(e)) continue;
      e.id = 0;
      ++n;
    }
    live_ -= n;
    if (n) dead_ = true;
    if (depth_ == 0 && dead_) compact();
    return n;
  }
  void compact() {
    std::erase_if(entries_, [](const Entry& e) { return e.id == 0; });
    dead_ = false;
  }

  std::vector<Entry> entries_;
  size_t live_ = 0;
  unsigned depth_ = 0;
  bool dead_ = false;
};

}  // namespace bt86
