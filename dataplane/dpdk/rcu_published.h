// A pointer to an immutable object that worker lcores read without locks and
// the control thread replaces whole, freeing the old object only after an
// RCU grace period (DPDK rte_rcu_qsbr, quiescent-state based).
//
// Reader contract (workers): call load() once per burst, use the object only
// until the next rte_rcu_qsbr_quiescent() of this lcore, and be online in
// the QSBR variable (rte_rcu_qsbr_thread_online) before the first load().
// Writer contract: one thread (the control thread) calls publish().
#pragma once

#include <memory>

#include <rte_rcu_qsbr.h>

namespace maglb::dpdk {

template <class T>
class RcuPublished {
 public:
  RcuPublished() = default;
  RcuPublished(const RcuPublished &) = delete;
  RcuPublished &operator=(const RcuPublished &) = delete;
  // Only after every reader is offline (workers joined).
  ~RcuPublished() { delete ptr_; }

  // Acquire pairs with the release in publish(): a worker that sees the new
  // pointer also sees every byte the control thread wrote into the object
  // before publishing it (the snapshot was built, validated and indexed on
  // another core).
  const T *load() const { return __atomic_load_n(&ptr_, __ATOMIC_ACQUIRE); }

  // The writer's own view: no barrier needed, only this thread stores ptr_.
  const T *current() const { return ptr_; }

  // Publishes `next` and frees the previous object once no reader can hold
  // it. Blocks the calling (control) thread for one grace period: until
  // every online worker has reported a quiescent state, i.e. finished the
  // burst in which it might have loaded the old pointer. Workers report
  // once per loop iteration, so this takes about one burst time. Readers
  // are never blocked and never see a half-written object: each burst uses
  // either the old object or the new one, whole.
  void publish(std::unique_ptr<T> next, rte_rcu_qsbr *qsbr) {
    T *old = ptr_;
    __atomic_store_n(&ptr_, next.release(), __ATOMIC_RELEASE);
    if (old == nullptr) return;
    // rte_rcu_qsbr_synchronize increments the token (release: ordered after
    // our pointer store) and waits until every online reader has stored that
    // token into its counter. A reader stores it in rte_rcu_qsbr_quiescent
    // with release order after loading it with acquire order, so (a) every
    // load it made of the old pointer's object happened before, and (b) its
    // next load() sees the new pointer. RTE_QSBR_THRID_INVALID: the control
    // thread itself is not a reader.
    rte_rcu_qsbr_synchronize(qsbr, RTE_QSBR_THRID_INVALID);
    delete old;
  }

 private:
  T *ptr_ = nullptr;
};

}  // namespace maglb::dpdk
