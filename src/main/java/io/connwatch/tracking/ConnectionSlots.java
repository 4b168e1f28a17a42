package io.connwatch.tracking;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The live connections of a tracker, one per slot of a segmented array, with a lock-free stack of free slots.
 *
 * <p>The free slots are kept in a few stacks, one per stripe of threads, so that accept threads opening and closing
 * at once do not all fight over one head; a thread whose stripe is empty takes from the others before it opens a
 * new slot.
 *
 * <p>Why not a {@code ConcurrentHashMap}: adding and removing touch one slot (plus the free-list head) instead of a
 * hash bucket somewhere in a table that outgrows the caches, a slot costs 8 bytes instead of a 32-byte map node and
 * its share of the table, and a check walks the connections in slot order, which is mostly the order they were
 * allocated in. Freed slots are reused last-in first-out, so a churning tracker keeps reusing the same warm slots.
 *
 * <p>The slots in use never shrink below the highest number of connections open at once: a check walks that many
 * slots, empty or not. Iteration is weakly consistent, like a concurrent map's: it sees every connection that was
 * live for the whole walk, and may or may not see those opened or closed during it.
 */
final class ConnectionSlots implements Iterable<TrackedConnection> {
    private static final int SEGMENT_BITS = 12;
    private static final int SEGMENT_SIZE = 1 << SEGMENT_BITS;
    private static final int SEGMENT_MASK = SEGMENT_SIZE - 1;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(TrackedConnection[].class);
    private static final long INDEX_MASK = 0xFFFF_FFFFL;

    /** One block of slots; {@code next} links free slots (index + 1, 0 for the end of the list). */
    private static final class Segment {
        final TrackedConnection[] slots = new TrackedConnection[SEGMENT_SIZE];
        final int[] next = new int[SEGMENT_SIZE];
    }

    // Grown (copied) under the lock, read without it; a segment, once there, never moves.
    private volatile Segment[] segments = new Segment[4];
    // Slots ever handed out: [0, highWater).
    private final AtomicInteger highWater = new AtomicInteger();
    // Tops of the free stacks: (tag << 32) | (slot + 1), 0 in the low half when empty. The tag, bumped on every
    // push and pop, keeps a pop from succeeding against a head that was popped and pushed back meanwhile (ABA).
    // One head per stripe, PAD longs apart so that two heads never share a cache line.
    private static final int STRIPES = 8;
    private static final int PAD = 16;
    private final AtomicLongArray freeHeads = new AtomicLongArray(STRIPES * PAD);

    /** Puts a connection in a free slot and returns the slot. */
    int add(TrackedConnection c) {
        int slot = takeFree();
        if (slot < 0) {
            slot = highWater.getAndIncrement();
            if (slot < 0) {
                highWater.decrementAndGet();
                throw new IllegalStateException("more than " + Integer.MAX_VALUE + " live connections");
            }
        }
        c.slot = slot;   // before the release store: whoever finds c in the slot sees its slot number
        SLOT.setRelease(segment(slot).slots, slot & SEGMENT_MASK, c);
        return slot;
    }

    /** Empties the connection's slot if it still holds it; returns whether it did. */
    boolean remove(TrackedConnection c) {
        int slot = c.slot;
        Segment s = segments()[slot >>> SEGMENT_BITS];
        if (!SLOT.compareAndSet(s.slots, slot & SEGMENT_MASK, c, null)) {
            return false;
        }
        int head = stripe() * PAD;
        long h;
        do {
            h = freeHeads.get(head);
            s.next[slot & SEGMENT_MASK] = (int) (h & INDEX_MASK);
        } while (!freeHeads.compareAndSet(head, h, nextTag(h) | (slot + 1L)));
        return true;
    }

    private static int stripe() {
        return (int) Thread.currentThread().getId() & (STRIPES - 1);
    }

    private int takeFree() {
        int own = stripe();
        for (int i = 0; i < STRIPES; i++) {
            int slot = pop(((own + i) & (STRIPES - 1)) * PAD);
            if (slot >= 0) {
                return slot;
            }
        }
        return -1;
    }

    private int pop(int head) {
        for (;;) {
            long h = freeHeads.get(head);
            int top = (int) (h & INDEX_MASK) - 1;
            if (top < 0) {
                return -1;
            }
            // A stale read of next is harmless: the tag makes the CAS fail if the top changed hands.
            int next = segments()[top >>> SEGMENT_BITS].next[top & SEGMENT_MASK];
            if (freeHeads.compareAndSet(head, h, nextTag(h) | (next & INDEX_MASK))) {
                return top;
            }
        }
    }

    private static long nextTag(long head) {
        return ((head >>> 32) + 1) << 32;
    }

    private Segment[] segments() {
        return segments;
    }

    private Segment segment(int slot) {
        int index = slot >>> SEGMENT_BITS;
        Segment[] all = segments;
        Segment s = index < all.length ? all[index] : null;
        return s != null ? s : grow(index);
    }

    // Rare: once every SEGMENT_SIZE slots of new high water.
    private synchronized Segment grow(int index) {
        Segment[] all = segments;
        if (index >= all.length) {
            Segment[] bigger = new Segment[Math.max(index + 1, all.length * 2)];
            System.arraycopy(all, 0, bigger, 0, all.length);
            all = bigger;
        }
        if (all[index] == null) {
            all[index] = new Segment();
        }
        segments = all;
        return all[index];
    }

    /** Slots handed out so far: the most connections open at once, give or take a concurrent open or two. */
    int slotsInUse() {
        return highWater.get();
    }

    /** Connections in slot order, weakly consistent. */
    @Override
    public Iterator<TrackedConnection> iterator() {
        return new Walk(segments, highWater.get());
    }

    private static final class Walk implements Iterator<TrackedConnection> {
        private final Segment[] segments;
        private final int end;
        private int slot;
        private TrackedConnection next;

        Walk(Segment[] segments, int end) {
            this.segments = segments;
            this.end = Math.min(end, segments.length << SEGMENT_BITS);
            advance();
        }

        private void advance() {
            next = null;
            while (slot < end) {
                Segment s = segments[slot >>> SEGMENT_BITS];
                if (s == null) {
                    // Handed out but its segment not yet published: nothing in it for this walk.
                    slot = (slot | SEGMENT_MASK) + 1;
                    continue;
                }
                TrackedConnection c = (TrackedConnection) SLOT.getAcquire(s.slots, slot & SEGMENT_MASK);
                slot++;
                if (c != null) {
                    next = c;
                    return;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public TrackedConnection next() {
            TrackedConnection c = next;
            if (c == null) {
                throw new NoSuchElementException();
            }
            advance();
            return c;
        }
    }
}
