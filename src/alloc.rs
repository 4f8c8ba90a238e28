//! The embed bundles' memory allocator: power-of-two size classes, one free list per class, fresh blocks cut
//! from memory the module grows. About 0.3 KB of wasm instead of talc's 1.4 (dlmalloc's is larger still): the
//! same code is in every page's bundle (BENCHMARKS.md, "The size work").
//!
//! Why this is enough for a widget: a few hundred live allocations, most of them short strings and small
//! vectors that come and go in the same sizes, so a freed block is soon used again by its class. A block is
//! never split or merged, so up to half of a block can be unused (a 40-byte string takes a 64-byte block); the
//! heap is a few hundred KB at most. Single-threaded (the bundles are built without atomics).

/// The smallest block: room for the free list's link.
const MIN_CLASS: u32 = 3;

/// The size class of a request: blocks of `1 << class` bytes, at least `size` and `align` (blocks are aligned to
/// their size, see [`Heap::carve`]). `None` for more than 2 GB.
pub(crate) fn class_of(size: usize, align: usize) -> Option<u32> {
    let need = size.max(align).max(1 << MIN_CLASS);
    let class = usize::BITS - (need - 1).leading_zeros();
    (class < usize::BITS - 1).then_some(class)
}

/// The largest block that can start at `addr` and end at most at `end`, aligned to its size: its class.
pub(crate) fn largest_block(addr: usize, end: usize) -> u32 {
    let by_alignment = addr.trailing_zeros();
    let by_room = usize::BITS - 1 - (end - addr).leading_zeros();
    by_alignment.min(by_room)
}

/// The free lists and the memory not yet cut into blocks: `[next, end)`.
pub(crate) struct Heap {
    free: [usize; usize::BITS as usize],
    next: usize,
    end: usize,
}

impl Heap {
    pub(crate) const fn new() -> Heap {
        Heap { free: [0; usize::BITS as usize], next: 0, end: 0 }
    }

    /// A block of `class`: from its free list, else cut from `[next, end)`, else from `grow(bytes)`'s new memory
    /// (its start, or `None`). Null when there is no memory left.
    ///
    /// # Safety
    /// Every address in the free lists and in `[next, end)` is memory this heap owns, writable.
    pub(crate) unsafe fn take(&mut self, class: u32, grow: impl FnOnce(usize) -> Option<usize>) -> *mut u8 {
        let size = 1usize << class;
        let head = self.free[class as usize];
        if head != 0 {
            self.free[class as usize] = *(head as *const usize);
            return head as *mut u8;
        }
        if self.fit(size).is_none() {
            // Not enough room left: the rest goes to the free lists, and new memory comes from `grow` (twice a
            // block larger than a page, so that an aligned one fits).
            self.carve(self.end);
            let want = if size > 1 << 16 { size * 2 } else { size };
            let Some(new) = grow(want) else { return core::ptr::null_mut() };
            if new != self.end {
                self.next = new;
            }
            self.end = new + want.max(1 << 16);
        }
        match self.fit(size) {
            Some(start) => {
                self.carve(start);
                self.next = start + size;
                start as *mut u8
            }
            None => core::ptr::null_mut(),
        }
    }

    /// Where the next block of `size` bytes would start in `[next, end)`, aligned to its size, if it fits.
    fn fit(&self, size: usize) -> Option<usize> {
        let start = self.next.checked_add(size - 1)? & !(size - 1);
        (start.checked_add(size)? <= self.end).then_some(start)
    }

    /// Puts `[next, until)` into the free lists as the largest aligned blocks that fit: nothing is lost when the
    /// next block needs a larger alignment.
    unsafe fn carve(&mut self, until: usize) {
        while self.next + (1 << MIN_CLASS) <= until {
            let class = largest_block(self.next, until);
            self.give(self.next, class);
            self.next += 1 << class;
        }
        self.next = self.next.max(until);
    }

    /// Returns the block at `addr` of `class` to its free list.
    ///
    /// # Safety
    /// `addr` is a block of `class` this heap handed out, no longer used.
    pub(crate) unsafe fn give(&mut self, addr: usize, class: u32) {
        *(addr as *mut usize) = self.free[class as usize];
        self.free[class as usize] = addr;
    }
}

#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
mod wasm {
    use super::{class_of, Heap};
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    /// The global allocator of the wasm builds.
    pub(crate) struct Allocator(UnsafeCell<Heap>);

    // The wasm module has one thread (no atomics): nothing shares it.
    unsafe impl Sync for Allocator {}

    impl Allocator {
        pub(crate) const fn new() -> Allocator {
            Allocator(UnsafeCell::new(Heap::new()))
        }
    }

    /// `bytes` more memory, rounded up to whole 64 KB pages: the start of the new memory.
    fn grow(bytes: usize) -> Option<usize> {
        let pages = bytes.div_ceil(1 << 16).max(1);
        let old = core::arch::wasm32::memory_grow(0, pages);
        (old != usize::MAX).then_some(old << 16)
    }

    unsafe impl GlobalAlloc for Allocator {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            match class_of(layout.size(), layout.align()) {
                Some(class) => (*self.0.get()).take(class, grow),
                None => core::ptr::null_mut(),
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if let Some(class) = class_of(layout.size(), layout.align()) {
                (*self.0.get()).give(ptr as usize, class);
            }
        }
    }
}

#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
pub(crate) use wasm::Allocator;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_hold_size_and_alignment() {
        assert_eq!(class_of(0, 1), Some(3));
        assert_eq!(class_of(8, 8), Some(3));
        assert_eq!(class_of(9, 1), Some(4));
        assert_eq!(class_of(3, 32), Some(5));
        assert_eq!(class_of(65536, 4), Some(16));
        assert_eq!(class_of(usize::MAX / 2, 1), None);
    }

    #[test]
    fn blocks_are_aligned_and_fit() {
        assert_eq!(largest_block(0x1000, 0x3000), 12);
        assert_eq!(largest_block(0x1008, 0x3000), 3);
        assert_eq!(largest_block(0x1000, 0x1010), 4);
    }

    /// The heap over a plain buffer: blocks aligned to their size, inside the memory given, never handed
    /// out twice, and reused once freed.
    #[test]
    fn blocks_come_from_the_memory_and_are_reused() {
        let mut memory = vec![0u64; 1 << 15]; // 256 KB
        let base = (memory.as_mut_ptr() as usize + 0xffff) & !0xffff;
        let limit = memory.as_ptr() as usize + memory.len() * 8;
        let mut heap = Heap::new();
        let mut grown = false;
        let mut taken = Vec::new();
        for class in [3, 5, 4, 12, 3, 6, 10, 3] {
            let grow = |_| (!core::mem::replace(&mut grown, true)).then_some(base);
            let p = unsafe { heap.take(class, grow) } as usize;
            assert!(p >= base && p + (1 << class) <= limit.min(base + (1 << 16)), "class {class} at {p:#x}");
            assert_eq!(p % (1 << class), 0);
            for &(q, c) in &taken {
                assert!(p + (1 << class) <= q || q + (1usize << c) <= p, "overlap");
            }
            taken.push((p, class));
        }
        let (p, class) = taken[3];
        unsafe { heap.give(p, class) };
        assert_eq!(unsafe { heap.take(class, |_| None) } as usize, p);
        // More than the memory holds, and nothing to grow: null, not a block outside.
        assert!(unsafe { heap.take(17, |_| None) }.is_null());
    }
}
