package io.connwatch.capture;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.util.Map;

/** Reads {@link SystemState} from the platform MXBeans. Each figure it cannot read is -1; it never throws. */
public final class SystemProbe {
    private SystemProbe() {
    }

    /** Samples the JVM now. */
    public static SystemState sample(long schedulerLagMs, Map<String, Long> eventLoopLagMs) {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long heapUsed = -1;
        long heapMax = -1;
        long nonHeap = -1;
        try {
            heapUsed = mem.getHeapMemoryUsage().getUsed();
            heapMax = mem.getHeapMemoryUsage().getMax();
            nonHeap = mem.getNonHeapMemoryUsage().getUsed();
        } catch (RuntimeException ignored) {
            // a memory pool can throw while being collected; -1 says unknown
        }
        long direct = -1;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(pool.getName())) {
                direct = pool.getMemoryUsed();
            }
        }
        long gcCount = 0;
        long gcTime = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcTime += Math.max(0, gc.getCollectionTime());
        }
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return new SystemState(heapUsed, heapMax, nonHeap, direct, openFileDescriptors(), maxFileDescriptors(),
                ManagementFactory.getThreadMXBean().getThreadCount(), gcCount, gcTime, schedulerLagMs,
                Map.copyOf(eventLoopLagMs), ManagementFactory.getRuntimeMXBean().getUptime(),
                os.getSystemLoadAverage());
    }

    /** Open file descriptors now, or -1 where the platform does not say. */
    public static long openFileDescriptors() {
        try {
            return UnixCounts.open();
        } catch (LinkageError noJdkManagement) {
            return -1;
        }
    }

    /** The limit on file descriptors, or -1 where the platform does not say. */
    public static long maxFileDescriptors() {
        try {
            return UnixCounts.max();
        } catch (LinkageError noJdkManagement) {
            return -1;
        }
    }

    // Loaded only when asked: a runtime without the jdk.management module has no com.sun.management.
    private static final class UnixCounts {
        static long open() {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            return os instanceof UnixOperatingSystemMXBean
                    ? ((UnixOperatingSystemMXBean) os).getOpenFileDescriptorCount() : -1;
        }

        static long max() {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            return os instanceof UnixOperatingSystemMXBean
                    ? ((UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount() : -1;
        }
    }
}
