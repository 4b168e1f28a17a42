package io.connwatch.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.testing.SocketPairs;
import io.connwatch.tracking.ConnectionTracker;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client addresses masked in dumps when asked, for files that leave the machine. */
class AddressMaskTest {
    @TempDir
    Path dumps;

    @Test
    void addressesAreMaskedToTheirNetwork() {
        assertEquals("203.0.113.x", AddressMask.mask("203.0.113.7"));
        assertEquals("2001:db8:1:2::x", AddressMask.mask("2001:db8:1:2:3:4:5:6"));
        assertEquals("2001:db8::x", AddressMask.mask("2001:db8::1"));
        assertEquals("x", AddressMask.mask("some-host"));
        assertEquals("", AddressMask.mask(""));
    }

    @Test
    void aMaskedDumpShowsNoClientAddressAndAnUnmaskedOneDoes() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("masked");
        try (SocketPairs sockets = new SocketPairs();
             ConnectionMonitor monitor = new ConnectionMonitor(tracker,
                     MonitorSettings.builder().outputDirectory(dumps).maskAddresses(true)
                             .forcedCaptureInterval(java.time.Duration.ZERO).build())) {
            tracker.open(sockets.accept());
            JsonNode masked = new ObjectMapper().readTree(monitor.forceCaptureNow().toFile());
            assertEquals("127.0.0.x", masked.get("connections").get(0).get("remoteAddress").asText());
            monitor.updateSettings(b -> b.maskAddresses(false));
            JsonNode plain = new ObjectMapper().readTree(monitor.forceCaptureNow().toFile());
            assertEquals("127.0.0.1", plain.get("connections").get(0).get("remoteAddress").asText());
        }
    }

    @Test
    void aMaskedMonitorsCleanupEventsShowNoClientAddress() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("masked-jfr");
        Path file = dumps.resolve("masked.jfr");
        try (SocketPairs sockets = new SocketPairs();
             ConnectionMonitor monitor = new ConnectionMonitor(tracker,
                     MonitorSettings.builder().outputDirectory(dumps).maskAddresses(true).build());
             jdk.jfr.Recording r = new jdk.jfr.Recording()) {
            r.enable("io.connwatch.ConnectionCleanup");
            r.start();
            tracker.open(sockets.accept()).close(io.connwatch.tracking.Side.OUTGOING,
                    io.connwatch.tracking.TerminationReason.CONNECT_TIMEOUT);
            r.stop();
            r.dump(file);
        }
        java.util.List<jdk.jfr.consumer.RecordedEvent> events = jdk.jfr.consumer.RecordingFile.readAllEvents(file);
        jdk.jfr.consumer.RecordedEvent e = events.stream()
                .filter(x -> x.getString("monitor").equals("masked-jfr")).findFirst().orElseThrow();
        assertEquals("127.0.0.x", e.getString("remoteAddress"));
    }
}
