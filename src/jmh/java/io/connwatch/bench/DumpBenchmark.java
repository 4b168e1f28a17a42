package io.connwatch.bench;

import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.ConnectionCheck;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.capture.DumpContent;
import io.connwatch.capture.DumpWriter;
import io.connwatch.capture.SystemProbe;
import io.connwatch.capture.TrendPoint;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A diagnostic dump ({@link DumpWriter#write}) of a tracker of {@code connections} live connections (the mix of
 * {@link Population}), at most {@code maxConnectionDetails} of them in detail, into a temporary folder (under
 * {@code java.io.tmpdir}, or {@code -Dconnwatch.bench.dir}). The file is deleted after each invocation, outside
 * the measurement. The write includes the writer's {@code force} to disk and the atomic move.
 *
 * <p>Run with {@code -prof gc}: {@code gc.alloc.rate.norm} for 100 000 connections must stay near the figure
 * for 10 000, since both write 10 000 details.
 *
 * <p>{@code ioBaseline} writes the bytes of the same dump, prepared in setup, the way the writer does (temporary
 * file, 64 KiB buffer, force, move): the disk's share of a dump, without building or serializing anything.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class DumpBenchmark {
    @Param({"1000", "10000", "100000"})
    int connections;

    @Param({"10000"})
    int maxConnectionDetails;

    Path folder;
    DumpWriter writer;
    DumpContent content;
    byte[] dumpBytes;

    @Setup
    public void setUp() throws IOException {
        String base = System.getProperty("connwatch.bench.dir");
        folder = base == null ? Files.createTempDirectory("connwatch-bench-")
                : Files.createTempDirectory(Files.createDirectories(Path.of(base)), "connwatch-bench-");
        Population p = Population.of(connections, false);
        MonitorSettings settings = MonitorSettings.defaults();
        CheckResult check = ConnectionCheck.run(p.tracker, settings.rules(), e -> {
            throw new IllegalStateException("probe failed", e);
        });
        Instant at = Instant.ofEpochMilli(p.ticker.currentTimeMillis());
        List<TrendPoint> trend = new ArrayList<>();
        for (int i = 60; i > 0; i--) {
            trend.add(new TrendPoint(at.minusSeconds(5L * i), connections - i));
        }
        content = new DumpContent(CaptureTrigger.FORCE_CAPTURE, at, "bench", ProcessHandle.current().pid(),
                50, 20, 5000, check, SystemProbe.sample(0L, Map.of()), List.copyOf(trend),
                p.tracker.terminationStats().snapshot(), p.tracker, maxConnectionDetails, false);
        writer = new DumpWriter();
        CaptureResult r = write();
        int expected = Math.min(connections, maxConnectionDetails);
        if (r.connections() != expected) {
            throw new IllegalStateException("dump wrote " + r.connections() + " connections, expected " + expected);
        }
        dumpBytes = Files.readAllBytes(r.file());
        System.out.println();
        System.out.println("# dump of " + connections + " connections: " + r.connections() + " in detail, "
                + r.bytesWritten() + " bytes");
        clean();
    }

    @Benchmark
    public CaptureResult dump() {
        return write();
    }

    @Benchmark
    public long ioBaseline() throws IOException {
        Path tmp = Files.createTempFile(folder, ".connwatch-", ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            out.write(dumpBytes);
            out.flush();
            ch.force(false);
        }
        Files.move(tmp, folder.resolve("baseline.json"), StandardCopyOption.ATOMIC_MOVE);
        return dumpBytes.length;
    }

    private CaptureResult write() {
        CaptureResult r = writer.write(folder, content);
        if (!r.succeeded()) {
            throw new IllegalStateException("dump failed: " + r.error());
        }
        return r;
    }

    @TearDown(Level.Invocation)
    public void clean() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path f : files) {
                Files.delete(f);
            }
        }
    }

    @TearDown
    public void removeFolder() throws IOException {
        clean();
        Files.deleteIfExists(folder);
    }
}
