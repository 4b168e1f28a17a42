package io.connwatch.capture;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.EndpointState;
import io.connwatch.analysis.Pattern;
import io.connwatch.analysis.TargetTally;
import io.connwatch.tracking.Endpoint;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.Target;
import io.connwatch.tracking.Ticker;
import io.connwatch.tracking.TrackedConnection;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Writes a diagnostic dump in the format {@code connwatch.diagnostics/1} (docs/FORMATS.md), streamed with {@link JsonGenerator}:
 * to a temporary file in the target folder, forced to disk, then moved into place, owner-only where the file
 * system allows. Connections go worst first (with patterns, then oldest), at most
 * {@link DumpContent#maxConnectionDetails()} of them, chosen with a bounded heap so memory does not grow with
 * the number of connections.
 */
public final class DumpWriter {
    /** The dump format's version, the {@code format} field. */
    public static final String FORMAT = "connwatch.diagnostics/1";
    /** The prefix of every dump's file name. */
    public static final String FILE_PREFIX = "accumulation_";

    private static final DateTimeFormatter FILE_INSTANT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss-SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter JSON_INSTANT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    // The generator must not close the channel: it is forced to disk after the last byte.
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

    /** Worst first: with patterns before without, then oldest, then first opened. */
    static final Comparator<TrackedConnection> WORST_FIRST = (a, b) -> {
        boolean pa = a.patternBits() != 0;
        boolean pb = b.patternBits() != 0;
        if (pa != pb) {
            return pa ? -1 : 1;
        }
        int byAge = Long.compare(a.incomingStartNanos(), b.incomingStartNanos());
        return byAge != 0 ? byAge : Long.compare(a.serial(), b.serial());
    };

    private final boolean posix;

    /** A writer for the default file system. */
    public DumpWriter() {
        this.posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** The file name of a dump, e.g. {@code accumulation_2025-06-07T20-20-43-733Z_force_capture.json}. */
    public static String fileName(Instant at, CaptureTrigger trigger) {
        return FILE_PREFIX + FILE_INSTANT.format(at) + "_" + trigger.wireName() + ".json";
    }

    /** An instant as dumps write it: ISO-8601 UTC with milliseconds. */
    public static String instant(Instant at) {
        return JSON_INSTANT.format(at);
    }

    /** Writes the dump into {@code folder}, creating it owner-only if needed. Never throws. */
    public CaptureResult write(Path folder, DumpContent content) {
        long start = System.nanoTime();
        Path target = folder.resolve(fileName(content.timestamp(), content.trigger()));
        Path tmp = null;
        try {
            createFolder(folder);
            tmp = posix
                    ? Files.createTempFile(folder, ".connwatch-", ".tmp", ownerOnlyFile())
                    : Files.createTempFile(folder, ".connwatch-", ".tmp");
            int written;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                    written = writeDocument(g, content);
                }
                out.flush();
                ch.force(false);
            }
            long size = Files.size(tmp);
            target = moveIntoPlace(tmp, target);
            tmp = null;
            return new CaptureResult(content.trigger(), content.timestamp(), target, written, size,
                    System.nanoTime() - start, null);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            String why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return new CaptureResult(content.trigger(), content.timestamp(), target, 0, 0,
                    System.nanoTime() - start, why);
        }
    }

    private void createFolder(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            return;
        }
        if (posix) {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(folder);
        }
    }

    private static FileAttribute<?> ownerOnlyFile() {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    }

    private static Path moveIntoPlace(Path tmp, Path target) throws IOException {
        String name = target.getFileName().toString();
        String stem = name.substring(0, name.length() - ".json".length());
        for (int i = 1; ; i++) {
            Path candidate = i == 1 ? target : target.resolveSibling(stem + "-" + i + ".json");
            if (Files.exists(candidate)) {
                continue;
            }
            try {
                return Files.move(tmp, candidate, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException raced) {
                // another writer took the name between the check and the move: try the next one
            }
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // the temporary file stays; its leading dot keeps it out of analyze's way
            }
        }
    }

    private static int writeDocument(JsonGenerator g, DumpContent d) throws IOException {
        CheckResult check = d.check();
        g.writeStartObject();
        g.writeStringField("format", FORMAT);
        g.writeStringField("timestamp", instant(d.timestamp()));
        g.writeStringField("trigger", d.trigger().wireName());

        g.writeObjectFieldStart("monitor");
        g.writeStringField("name", d.monitorName());
        g.writeNumberField("pid", d.pid());
        g.writeNumberField("accumulationThreshold", d.accumulationThreshold());
        g.writeNumberField("spikeThreshold", d.spikeThreshold());
        g.writeNumberField("checkIntervalMs", d.checkIntervalMs());
        g.writeEndObject();

        g.writeObjectFieldStart("summary");
        g.writeNumberField("activeConnections", check.activeConnections());
        for (Pattern p : Pattern.inCountOrder()) {
            g.writeNumberField(p.countName(), check.count(p));
        }
        g.writeEndObject();

        g.writeArrayFieldStart("recommendations");
        for (String r : check.recommendations()) {
            g.writeString(r);
        }
        g.writeEndArray();

        writeSystem(g, d.system());

        g.writeArrayFieldStart("trend");
        for (TrendPoint t : d.trend()) {
            g.writeStartObject();
            g.writeStringField("timestamp", instant(t.timestamp()));
            g.writeNumberField("activeConnections", t.activeConnections());
            g.writeEndObject();
        }
        g.writeEndArray();

        g.writeObjectFieldStart("terminationStats");
        for (Map.Entry<String, Map<String, Long>> side : d.terminationStats().entrySet()) {
            g.writeObjectFieldStart(side.getKey());
            for (Map.Entry<String, Long> r : side.getValue().entrySet()) {
                g.writeNumberField(r.getKey(), r.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();

        g.writeArrayFieldStart("byTarget");
        for (TargetTally t : check.byTarget()) {
            g.writeStartObject();
            g.writeStringField("target", t.target());
            g.writeNumberField("connections", t.connections());
            for (Pattern p : Pattern.inCountOrder()) {
                long n = t.count(p);
                if (n > 0) {
                    g.writeNumberField(p.countName(), n);
                }
            }
            g.writeEndObject();
        }
        g.writeEndArray();

        List<TrackedConnection> worst = new ArrayList<>();
        long seen = selectWorst(d, worst);
        Ticker ticker = d.tracker().ticker();
        long now = ticker.nanoTime();
        g.writeArrayFieldStart("connections");
        for (TrackedConnection c : worst) {
            writeConnection(g, c, ticker, now, d.maskAddresses());
        }
        g.writeEndArray();
        g.writeNumberField("connectionsOmitted", Math.max(0, seen - worst.size()));
        g.writeEndObject();
        return worst.size();
    }

    /** Fills {@code out} with the worst connections, worst first; returns how many were considered. */
    private static long selectWorst(DumpContent d, List<TrackedConnection> out) {
        int k = d.maxConnectionDetails();
        long seen = 0;
        if (k <= 0) {
            for (TrackedConnection ignored : d.tracker()) {
                seen++;
            }
            return seen;
        }
        // Max-heap on "least bad" so its head is the first to drop when a worse one comes.
        PriorityQueue<TrackedConnection> heap = new PriorityQueue<>(Math.min(k, 1024), WORST_FIRST.reversed());
        for (TrackedConnection c : d.tracker()) {
            seen++;
            if (heap.size() < k) {
                heap.add(c);
            } else if (WORST_FIRST.compare(c, heap.peek()) < 0) {
                heap.poll();
                heap.add(c);
            }
        }
        out.addAll(heap);
        out.sort(WORST_FIRST);
        return seen;
    }

    private static void writeSystem(JsonGenerator g, SystemState s) throws IOException {
        g.writeObjectFieldStart("system");
        g.writeNumberField("heapUsedBytes", s.heapUsedBytes());
        g.writeNumberField("heapMaxBytes", s.heapMaxBytes());
        g.writeNumberField("nonHeapUsedBytes", s.nonHeapUsedBytes());
        g.writeNumberField("directBufferBytes", s.directBufferBytes());
        g.writeNumberField("openFileDescriptors", s.openFileDescriptors());
        g.writeNumberField("maxFileDescriptors", s.maxFileDescriptors());
        g.writeNumberField("threads", s.threads());
        g.writeNumberField("gcCount", s.gcCount());
        g.writeNumberField("gcTimeMs", s.gcTimeMs());
        g.writeNumberField("schedulerLagMs", s.schedulerLagMs());
        g.writeObjectFieldStart("eventLoopLagMs");
        for (Map.Entry<String, Long> e : s.eventLoopLagMs().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeNumberField("uptimeMs", s.uptimeMs());
        g.writeNumberField("systemLoadAverage", s.systemLoadAverage());
        g.writeEndObject();
    }

    private static void writeConnection(JsonGenerator g, TrackedConnection c, Ticker ticker, long now, boolean mask)
            throws IOException {
        Target t = c.target();
        long last = c.lastActivityNanos();
        g.writeStartObject();
        g.writeStringField("id", c.id());
        g.writeStringField("remoteAddress", mask ? AddressMask.mask(c.remoteAddress()) : c.remoteAddress());
        g.writeNumberField("remotePort", c.remotePort());
        g.writeNumberField("localPort", c.localPort());
        if (t == null) {
            g.writeNullField("targetHost");
            g.writeNullField("targetPort");
        } else {
            g.writeStringField("targetHost", t.host());
            g.writeNumberField("targetPort", t.port());
        }
        g.writeNumberField("age", Math.max(0, now - c.incomingStartNanos()) / 1_000_000);
        g.writeStringField("incomingStartTime", instant(Instant.ofEpochMilli(ticker.toEpochMillis(c.incomingStartNanos()))));
        long out = c.outgoingStartNanos();
        if (out == 0) {
            g.writeNullField("outgoingStartTime");
        } else {
            g.writeStringField("outgoingStartTime", instant(Instant.ofEpochMilli(ticker.toEpochMillis(out))));
        }
        g.writeStringField("lastActivity", instant(Instant.ofEpochMilli(ticker.toEpochMillis(last))));
        g.writeNumberField("timeSinceLastActivity", Math.max(0, now - last) / 1_000_000);
        g.writeNumberField("bytesReceived", c.bytesReceived());
        g.writeNumberField("bytesSent", c.bytesSent());
        g.writeBooleanField("hasReceivedInitialData", c.hasReceivedInitialData());
        g.writeBooleanField("hasKeepAlive", c.hasKeepAlive());
        g.writeBooleanField("isTLS", c.isTLS());
        g.writeBooleanField("connectionClosed", c.connectionClosed());
        writeState(g, "incomingState", c.incoming(), c.ended(Side.INCOMING));
        writeState(g, "outgoingState", c.outgoing(), c.ended(Side.OUTGOING));
        writeListeners(g, "incomingListeners", c.incoming());
        writeListeners(g, "outgoingListeners", c.outgoing());
        g.writeArrayFieldStart("patterns");
        for (Pattern p : Pattern.of(c.patternBits())) {
            g.writeString(p.name());
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeState(JsonGenerator g, String field, Endpoint e, boolean ended) throws IOException {
        g.writeObjectFieldStart(field);
        try {
            int s = EndpointState.probe(e, ended);
            g.writeBooleanField("exists", EndpointState.exists(s));
            g.writeBooleanField("destroyed", EndpointState.destroyed(s));
            g.writeBooleanField("readable", EndpointState.readable(s));
            g.writeBooleanField("writable", EndpointState.writable(s));
            g.writeStringField("readyState", EndpointState.readyState(s));
        } catch (RuntimeException probeFailed) {
            g.writeStringField("error", String.valueOf(probeFailed));
        }
        g.writeEndObject();
    }

    private static void writeListeners(JsonGenerator g, String field, Endpoint e) throws IOException {
        g.writeObjectFieldStart(field);
        try {
            for (Map.Entry<String, Integer> l : e.listenerCounts().entrySet()) {
                g.writeNumberField(l.getKey(), l.getValue());
            }
        } catch (RuntimeException probeFailed) {
            g.writeStringField("error", String.valueOf(probeFailed));
        }
        g.writeEndObject();
    }
}
