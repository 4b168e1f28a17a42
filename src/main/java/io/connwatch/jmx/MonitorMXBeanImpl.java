package io.connwatch.jmx;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.DumpFolders;
import io.connwatch.capture.DumpWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The thin face of a {@link ConnectionMonitor}: every figure read when asked, every write validated first. */
final class MonitorMXBeanImpl implements ConnectionMonitorMXBean {
    private final ConnectionMonitor monitor;

    MonitorMXBeanImpl(ConnectionMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public String getName() {
        return monitor.name();
    }

    @Override
    public boolean isRunning() {
        return monitor.isRunning();
    }

    @Override
    public long getActiveConnections() {
        return monitor.tracker().activeConnections();
    }

    @Override
    public long getPeakConnections() {
        return monitor.tracker().peakConnections();
    }

    @Override
    public long getTotalOpened() {
        return monitor.tracker().totalOpened();
    }

    @Override
    public long getTotalClosed() {
        return monitor.tracker().totalClosed();
    }

    private long count(Pattern p) {
        CheckResult r = monitor.lastCheck();
        return r == null ? 0 : r.count(p);
    }

    @Override
    public long getZombieCount() {
        return count(Pattern.ZOMBIE);
    }

    @Override
    public long getHalfZombieCount() {
        return count(Pattern.HALF_ZOMBIE);
    }

    @Override
    public long getStuckCount() {
        return count(Pattern.STUCK);
    }

    @Override
    public long getIdleCount() {
        return count(Pattern.IDLE);
    }

    @Override
    public long getOldCount() {
        return count(Pattern.OLD);
    }

    @Override
    public long getNoOutgoingCount() {
        return count(Pattern.NO_OUTGOING);
    }

    @Override
    public long getSlowBackendCount() {
        return count(Pattern.SLOW_BACKEND);
    }

    @Override
    public long getListenerLeakCount() {
        return count(Pattern.LISTENER_LEAK);
    }

    @Override
    public Map<String, Long> getPatternTallies() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Pattern p : Pattern.values()) {
            out.put(p.name(), count(p));
        }
        return out;
    }

    @Override
    public Map<String, Map<String, Long>> getTerminationStats() {
        return monitor.tracker().terminationStats().snapshot();
    }

    @Override
    public String getLastCheckTime() {
        CheckResult r = monitor.lastCheck();
        return r == null ? "" : DumpWriter.instant(r.timestamp());
    }

    @Override
    public long getCaptureCount() {
        return monitor.captureCount();
    }

    @Override
    public long getCaptureFailures() {
        return monitor.captureFailures();
    }

    @Override
    public String getLastCaptureFile() {
        CaptureResult c = monitor.lastCapture();
        return c == null ? "" : String.valueOf(c.file());
    }

    @Override
    public String getLastCaptureTime() {
        CaptureResult c = monitor.lastCapture();
        return c == null ? "" : DumpWriter.instant(c.timestamp());
    }

    @Override
    public String getLastCaptureTrigger() {
        CaptureResult c = monitor.lastCapture();
        return c == null ? "" : c.trigger().wireName();
    }

    @Override
    public long getAccumulationThreshold() {
        return monitor.settings().accumulationThreshold();
    }

    @Override
    public void setAccumulationThreshold(long threshold) {
        monitor.updateSettings(b -> b.accumulationThreshold(threshold));
    }

    @Override
    public long getSpikeThreshold() {
        return monitor.settings().spikeThreshold();
    }

    @Override
    public void setSpikeThreshold(long threshold) {
        monitor.updateSettings(b -> b.spikeThreshold(threshold));
    }

    @Override
    public long getCheckIntervalMillis() {
        return monitor.settings().checkInterval().toMillis();
    }

    @Override
    public void setCheckIntervalMillis(long millis) {
        monitor.updateSettings(b -> b.checkInterval(Duration.ofMillis(millis)));
    }

    @Override
    public boolean isCleanupEnabled() {
        return monitor.settings().cleanupEnabled();
    }

    @Override
    public void setCleanupEnabled(boolean enabled) {
        monitor.updateSettings(b -> b.cleanupEnabled(enabled));
    }

    @Override
    public String getOutputDirectory() {
        return DumpFolders.configuredOrDefault(monitor.settings().outputDirectory()).toString();
    }

    @Override
    public void setOutputDirectory(String directory) {
        Path dir = writableFolder(directory);
        monitor.updateSettings(b -> b.outputDirectory(dir));
    }

    /** The folder, created if missing, or an IllegalArgumentException saying why it cannot hold dumps. */
    static Path writableFolder(String directory) {
        if (directory == null || directory.isBlank()) {
            throw new IllegalArgumentException("OutputDirectory must not be empty");
        }
        Path dir;
        try {
            dir = Path.of(directory);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("OutputDirectory '" + directory + "' is not a path: " + e.getMessage());
        }
        // Validated like the builder does, before anything is created.
        MonitorSettings.builder().outputDirectory(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException("OutputDirectory '" + directory + "' cannot be created: " + e);
        }
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IllegalArgumentException("OutputDirectory '" + directory + "' is not a writable folder");
        }
        return dir;
    }

    @Override
    public int getMaxDumpFiles() {
        return monitor.settings().maxDumpFiles();
    }

    @Override
    public void setMaxDumpFiles(int files) {
        monitor.updateSettings(b -> b.maxDumpFiles(files));
    }

    @Override
    public long getMaxDumpBytes() {
        return monitor.settings().maxDumpBytes();
    }

    @Override
    public void setMaxDumpBytes(long bytes) {
        monitor.updateSettings(b -> b.maxDumpBytes(bytes));
    }

    @Override
    public boolean isMaskAddresses() {
        return monitor.settings().maskAddresses();
    }

    @Override
    public void setMaskAddresses(boolean mask) {
        monitor.updateSettings(b -> b.maskAddresses(mask));
    }

    @Override
    public String forceCaptureNow() {
        return monitor.forceCaptureNow().toString();
    }

    @Override
    public void checkNow() {
        monitor.checkNow();
    }

    @Override
    public int cleanupNow() {
        return monitor.cleanupNow();
    }

    @Override
    public void resetPeak() {
        monitor.resetPeak();
    }

    @Override
    public void start() {
        monitor.start();
    }

    @Override
    public void stop() {
        monitor.stop();
    }
}
